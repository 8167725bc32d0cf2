//! Getting an account: the first owner's one-time setup link and open registration
//! (`register`), and accepting an invitation by choosing a password (`invite`). Both end signed
//! in where a correct password leads (`kit::sign_in::after_password`); whether a link is valid
//! and an account may be made is the services' to decide. The pages share nothing but the kit.

pub mod invite;
pub mod register;
