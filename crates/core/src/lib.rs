//! The rules of Portcullis, free of HTTP, SQL, threads, global state and clock reads.
//!
//! Module map:
//! - [`clock`]: the `Clock` trait; every rule takes the time from it, never from the system.
//! - [`error`]: domain failures; the server maps them to HTTP in one place.
//! - [`phone`]: E.164 mobile numbers and the six-digit codes sent to them by SMS.
//! - [`email`], [`password`]: parse-don't-validate newtypes; the password policy, the Argon2id
//!   parameters and [`password::PasswordHasher`]. Hashes run on a [`password::HashRunner`] the
//!   caller supplies (the server's pool of low-priority threads); core starts no thread of its own.
//! - [`pin`], [`app_password`]: the support PIN's shape; app passwords for mail clients.
//! - [`secret`]: random tokens that redact in `Debug`, zeroize on drop and are stored only as hashes.
//! - [`throttle`]: the arithmetic of account lockouts and per-address failure windows.
//! - [`login`]: the login state machine (password, then a second factor or a forced enrolment).
//! - [`access`]: access rules for applications behind forward authentication (host, path prefix,
//!   policy, groups) and the decision forward authentication answers.
//! - [`push`]: push approval's pure rules (number matching, signed device requests, challenge states).
//! - [`radius`]: RADIUS clients (address block, mode, sealed shared secret) and where a
//!   password ends and its code begins.
//! - [`remembered_browser`]: a browser remembered by a key it cannot export: its public key, id,
//!   IndexedDB handle and the signed message that stands in for the second step.
//! - [`audit`]: one typed detail per recorded security act, turned into the stored JSON in one place.
//! - [`notice`]: what people are told by email or SMS, queued sealed in the outbox.
//! - [`sign_in_notice`]: when a sign-in is new to the holder (browser family, network) and when
//!   wrong codes mean someone knows their password.
//! - [`oidc`]: the OpenID Connect provider's pure rules: signing keys and JWS, redirect URIs.
//! - [`store`]: the small storage traits, one file per area, with typed ids; `portcullis-store`
//!   implements them for SQLite and PostgreSQL.
//! - [`service`]: the use cases, each in one transaction: the steps every login shares in
//!   `service::login`, one file per second factor (`totp`, `recovery`, `push/`), one file per
//!   other use case; no use case imports another.

pub mod access;
pub mod app_password;
pub mod audit;
pub mod clock;
pub mod crypto;
pub mod email;
pub mod error;
pub mod locale;
pub mod login;
pub mod model;
pub mod notice;
pub mod oidc;
pub mod password;
pub mod phone;
pub mod pin;
pub mod policy;
pub mod push;
pub mod radius;
pub mod recovery;
pub mod remembered_browser;
pub mod secret;
pub mod service;
pub mod sign_in_notice;
pub mod store;
pub mod throttle;
pub mod totp;
pub mod user_agent;
pub mod webauthn;

pub use clock::{Clock, FixedClock, SystemClock, UnixTime};
pub use error::{Error, Result};
