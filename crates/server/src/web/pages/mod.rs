//! The pages, grouped by what a person does: sign in ([`sign_in`]), join (an owner's setup link,
//! open registration, an invitation: [`join`]), look after their account ([`account`]), secure
//! it ([`security`]), use resources ([`resources`]) and, as an owner or administrator, manage
//! people ([`admin`]). A page module never imports another page module: what pages of one group
//! share is in the group's `mod.rs`, what pages of several groups share is in `web::kit`, and one
//! page sends a person to another by its address, not by calling it. Like the JSON API, a handler
//! parses the form, calls one use case and renders the result; no rule and no SQL lives here.

pub mod account;
pub mod admin;
pub mod join;
pub mod resources;
pub mod security;
pub mod sign_in;
