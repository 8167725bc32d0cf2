//! What the JSON API and the web pages share about HTTP, and nothing about either's format: who
//! sent a request ([`Meta`], believing a proxy's `X-Forwarded-*` only from `trusted_proxies`:
//! [`forwarded`]), how large and how long a request may be ([`limits`]), how times are
//! written ([`time`]), the security headers on every answer ([`headers`]), and the one table from
//! a domain failure to its status, error code and `Retry-After` ([`failure`]). It imports nothing
//! from `api` or `web`, so both, and the outbox and the command line, can depend on it without a
//! loop.

pub mod failure;
pub mod forwarded;
pub mod headers;
pub mod limits;
mod request_meta;
pub mod time;

pub use request_meta::{Meta, peer};
