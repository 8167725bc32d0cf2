//! `portcullis-app`, the companion app: the phone side of push approval as a cross-platform
//! command-line program, and an authenticator for `otpauth://` keys.
//!
//! Module map:
//! - [`state`], [`state_file`]: what the app remembers, and the passphrase-encrypted file it
//!   lives in (Argon2id, XChaCha20-Poly1305, atomic replacement).
//! - [`passphrase`]: where the passphrase comes from.
//! - [`device_key`]: the device's Ed25519 key and the signed-request message.
//! - [`pairing_uri`], [`otpauth`], [`uri`]: the two URI kinds the app reads (strict parsers).
//! - [`client`]: HTTP(S) with hyper-rustls; [`push`]: the device's requests of the protocol
//!   in `docs/push-protocol.md`.
//! - [`commands`]: one file per command; `main.rs` parses the command line and maps outcomes
//!   to exit codes.

pub mod client;
pub mod commands;
pub mod device_key;
pub mod otpauth;
pub mod pairing_uri;
pub mod passphrase;
pub mod push;
pub mod state;
pub mod state_file;
pub mod uri;
