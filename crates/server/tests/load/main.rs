//! Tests that measure time or load: equal timing of failed logins (`timing`), load shedding at
//! the hashing pool (`overload`) and the push latency benchmark (`push_latency`, ignored by
//! default). Each ran alone in a binary of its own before; here each holds [`alone`] for its
//! whole run, so no measurement shares the machine with another test of this binary.

#[macro_use]
#[path = "../harness/mod.rs"]
mod harness;

mod overload;
mod push_latency;
mod timing;

/// Waits until no other test of this binary runs, and keeps it so while the guard lives.
pub async fn alone() -> tokio::sync::MutexGuard<'static, ()> {
    static ALONE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    ALONE.lock().await
}
