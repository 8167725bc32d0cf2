//! The steps every login shares, whatever the factor: the use cases that sign a person in
//! (password, a factor's code, push, recovery, signup, an invitation, the forced setup) are
//! built from these and import nothing from one another. The state machine itself (which step
//! follows a correct password) is the pure [`crate::login`]; this module runs it against the
//! store. No factor's rules live here: each factor checks its own code and comes here to finish.
//!
//! - [`password`]: the password step (`sign_in`, the check every password path shares, and
//!   what a correct password leads to).
//! - [`guesses`]: guess counting and throttling: the account key, how long guesses must wait,
//!   one wrong guess counted.
//! - [`second_step`]: the ticket between the steps (what the second step needs, where a ticket
//!   stands, the live ticket) and the end of the second step, right or wrong.
//! - [`session`]: what a login ends with, and the session it opens.
//! - [`step_up`]: a signed-in person asked for more (`acr`) takes only the missing step; every
//!   ticket's session gets its methods there.
//! - [`code`]: a code checked by a gateway (`/validate`, RADIUS) outside a ticket.
//! - [`confirm`]: re-entering the current password before a sensitive change.

mod code;
mod confirm;
mod guesses;
mod password;
mod second_step;
mod session;
mod step_up;

pub(crate) use guesses::throttle_key;
pub use guesses::{guess_retry_after, retry_after_with};
pub use second_step::TicketLife;
pub(crate) use second_step::second_step_state;
pub use session::LoginResult;
