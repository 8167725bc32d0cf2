//! The black-box API tests: the real server in this process on `127.0.0.1:0`, spoken to over
//! HTTP as a client would, with a fresh data folder and database per test, most on SQLite and
//! PostgreSQL (`on_both_backends!`). One module per resource or flow; what they share is in
//! `tests/harness/`. Tests that run the `portcullis` binary are in `cli`, browsers in `web`.

#[macro_use]
#[path = "../harness/mod.rs"]
mod harness;

mod admin;
mod api;
mod app_passwords;
mod delivery;
mod delivery_smtp;
mod devices;
mod forward_auth;
mod invitation;
mod languages;
mod messages_language;
mod notifications;
mod oidc_alg;
mod oidc_clients;
mod oidc_consent;
/// The OpenID Connect flow; its helpers serve `oidc_consent` and `oidc_grants` too.
mod oidc_flow;
mod oidc_grants;
mod openapi;
mod password_reset;
mod phone;
mod push_api;
mod push_via;
mod radius_clients;
mod radius_listener;
mod remembered_browsers;
mod remembered_browsers_refusals;
mod session_amr;
mod sign_in_notices;
mod support_pin;
mod sweep;
mod totp;
mod validate;
/// Passkeys and security keys; its endpoint helpers serve `webauthn_refusals` too.
mod webauthn;
mod webauthn_refusals;

/// The stand-in SMS gateway of `delivery`.
mod gateway;
