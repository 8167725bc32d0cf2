//! The signed-in person's own account (`overview`: profile, password, sessions, recent
//! activity), and "This wasn't me" from a notice about it (`lock`), which works signed out with
//! the link's token. The two pages share nothing but the kit.

pub mod lock;
pub mod overview;
