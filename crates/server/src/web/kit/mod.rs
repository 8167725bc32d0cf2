//! Page plumbing that every page, or pages of more than one group, share: reading and writing
//! cookies ([`cookies`]), the CSRF token and the only form extractors ([`csrf`]), the session
//! extractors ([`session`]), the error page and the sentences for domain failures ([`error`]),
//! the layout and rendering ([`page`]), form problems ([`form`]), data in words ([`view`]), the
//! "Are you sure?" step ([`confirm`]), the cookies of a sign-in in progress and where a correct
//! password leads ([`sign_in`]), the page a sign-in returns to ([`return_to`]), the addresses
//! pages send each other to ([`paths`]), two pieces of pages shown in two places (the
//! authenticator key, [`authenticator_key`]; the mobile-number page, [`phone_page`]), a passkey
//! or security-key ceremony as a form carries it ([`ceremony`]), what the second-step pages share
//! about remembered browsers ([`remembered`]) and the compiled-in static files ([`assets`]).
//!
//! The kit holds no rule: whether something is allowed, right or expired is the services' to
//! decide. It never imports a page (`web::pages`): pages import the kit.

pub mod assets;
pub mod authenticator_key;
pub mod ceremony;
pub mod confirm;
pub mod cookies;
pub mod csrf;
pub mod error;
pub mod form;
pub mod page;
pub mod paths;
pub mod phone_page;
pub mod remembered;
pub mod return_to;
pub mod session;
pub mod session_line;
pub mod sign_in;
pub mod view;
