//! Push approval, one folder for the factor: it has two sides that never share a request, so each
//! has its own file.
//! - [`challenge`]: the login screen's side: send a challenge for a ticket, poll it, leave it;
//!   the pause after too many refusals (push fatigue).
//! - [`pairing`]: pairing the companion app by a single-use code; the owner's list of devices.
//! - [`device`]: the app's signed requests: verify them, list and answer challenges, webhooks.
//!
//! The pure rules (number matching, signatures, challenge states) are [`crate::push`]'s; the
//! ticket and the session a login ends with are [`super::login`]'s. Nothing here waits for a
//! wake-up or calls a webhook: the server does, after the transaction commits.

mod challenge;
mod device;
mod pairing;

pub use challenge::{PushAnswer, PushSent, PushStatus};
pub use device::{DeviceChallenge, DeviceRequest, VerifiedDevice};
pub use pairing::{PushPaired, PushPairing};
