//! The one harness of the server's integration tests. Every test binary (`api`, `web`, `cli`,
//! `cluster`, `load`) includes it with
//!
//! ```ignore
//! #[macro_use]
//! #[path = "../harness/mod.rs"]
//! mod harness;
//! ```
//!
//! and the companion app's tests include its server part ([`server`], [`outbox`], [`totp`]) the
//! same way. It has no `main.rs`, so Cargo makes no test binary of it.
//!
//! - [`server`]: the real server in the test's process on `127.0.0.1:0`, with a fresh data
//!   folder and, on PostgreSQL, a fresh database per test; `on_both_backends!`.
//! - [`outbox`]: the messages the file transport wrote (no SMTP or SMS gateway in the tests).
//! - [`totp`]: the codes a person's authenticator app shows, from core's RFC 6238 code.
//! - [`browser`]: headless Chromium, a cookie-keeping HTTP client, `oathtool` as the phone.
//! - [`cli`]: the real `portcullis` binary as an operator runs it, without the developer's
//!   `PORTCULLIS_*` settings.
//! - [`forms`]: a browser without scripts over plain HTTP (cookies, CSRF tokens, redirects).
//! - [`companion`]: a test-side companion app that signs requests as docs/push-protocol.md says.
//! - [`webauthn`]: a test-side passkey or security key (Kanidm's soft token) answering the
//!   server's WebAuthn options as a browser would.
//! - [`oidc_rp`]: a real OpenID Connect relying party (npm `openid-client`, `tests/oidc-rp/`)
//!   against the real server, and clients made with the CLI.
//! - [`radius`]: a network access server: signed Access-Requests over UDP, answers checked.
//!
//! Only what several test modules share lives here; a helper that one module needs stays in it.

// Each binary uses a different part of the harness.
#![allow(dead_code)]

pub mod browser;
pub mod cli;
pub mod companion;
pub mod forms;
pub mod oidc_rp;
pub mod outbox;
pub mod radius;
pub mod remembered;
#[macro_use]
pub mod server;
pub mod totp;
pub mod webauthn;
