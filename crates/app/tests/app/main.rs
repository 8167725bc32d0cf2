//! The companion app end to end: the real `portcullis-app` binary against a real server in this
//! process, on SQLite and PostgreSQL. Pairing, approving and denying (`app`), the signed device
//! protocol as an attacker and an operator see it (`app_device`), the state file and
//! authenticator (`app_state`), the interactive `watch` (`app_watch`), and sign-ins at a
//! VPN, Wi-Fi or SSH gateway that show no number (`app_via`). The harness is in
//! `tests/harness/`, its server part shared with the server's tests.

#[macro_use]
#[path = "../harness/mod.rs"]
mod harness;

mod app;
mod app_device;
mod app_state;
mod app_via;
mod app_watch;
