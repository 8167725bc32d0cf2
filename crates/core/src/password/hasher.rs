//! What use cases call to hash and verify passwords ([`PasswordHasher`]), and what it needs from
//! whoever runs the hashes ([`HashRunner`]). Argon2 costs ~20 MiB and tens of milliseconds by
//! design, so it must not run on the async runtime that serves cheap requests; where it runs
//! instead is the runner's choice. The server's runner is a fixed pool of low-priority threads
//! with a bounded queue that refuses work at once with [`Error::Overloaded`] when full
//! (`portcullis-server`'s `hashing` module); [`BlockingPoolRunner`] lends tokio's blocking pool
//! to tests and tools. This module starts no thread and keeps no memory of its own.
//!
//! The rule that stays here whatever the runner: unknown users are verified against a dummy
//! hash, so both paths cost the same and timing does not reveal whether an account exists.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::oneshot;

use super::Password;
use super::argon2id::{HashMemory, hash_in, verify_in};
use crate::error::{Error, Result};

/// What a refused caller is told to wait: a hash takes tens of milliseconds, so a full queue
/// drains within a second.
pub const OVERLOADED_RETRY_AFTER_SECS: i64 = 1;

/// Argon2 work for a runner, given the working memory of the thread that runs it. It hands its
/// answer back itself; the runner only says when it has run.
pub type HashJob = Box<dyn FnOnce(&mut HashMemory) + Send + 'static>;

/// The end of one [`HashJob`]: `Ok` once it has run.
pub type HashRun = Pin<Box<dyn Future<Output = Result<()>> + Send + 'static>>;

/// Runs hashing jobs away from the async runtime.
pub trait HashRunner: fmt::Debug + Send + Sync + 'static {
    /// Starts `job` and returns its end. A runner without room refuses at once with
    /// [`Error::Overloaded`] (retry after [`OVERLOADED_RETRY_AFTER_SECS`]) rather than queue
    /// without bound; a job that panics ends with an internal error. Whatever room the job took
    /// is free again before the returned future is ready, so a caller that hashes again at once
    /// is not refused because of its own last hash.
    fn run_job(&self, job: HashJob) -> HashRun;
}

/// Hashes and verifies passwords on a [`HashRunner`]. Cheap to clone.
#[derive(Clone)]
pub struct PasswordHasher {
    runner: Arc<dyn HashRunner>,
    dummy_hash: Arc<str>,
}

impl fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("runner", &self.runner)
            .finish_non_exhaustive()
    }
}

impl PasswordHasher {
    /// A hasher on `runner`; computes the dummy hash for unknown users first.
    pub fn new(runner: Arc<dyn HashRunner>) -> Result<Self> {
        // With working memory of its own, freed at once: an idle server keeps no 19 MiB area.
        let dummy = hash_in(
            &mut HashMemory::new(),
            b"portcullis dummy password, never valid",
        )?;
        Ok(PasswordHasher {
            runner,
            dummy_hash: dummy.into(),
        })
    }

    /// A hasher on tokio's blocking pool, for tests and tools that run no server.
    pub fn on_blocking_pool() -> Result<Self> {
        PasswordHasher::new(Arc::new(BlockingPoolRunner))
    }

    pub async fn hash(&self, password: &Password) -> Result<String> {
        let pw = password.clone();
        self.run(move |memory| hash_in(memory, pw.expose().as_bytes()))
            .await?
    }

    /// Verifies `password` against `phc`, or against the dummy hash when there is no user, so
    /// both paths cost the same. Returns false for the dummy path whatever was typed.
    pub async fn verify(&self, password: &Password, phc: Option<&str>) -> Result<bool> {
        let pw = password.clone();
        let real = phc.is_some();
        let phc: String = phc
            .map(str::to_owned)
            .unwrap_or_else(|| self.dummy_hash.to_string());
        let ok = self
            .run(move |memory| verify_in(memory, pw.expose().as_bytes(), &phc))
            .await?;
        Ok(ok && real)
    }

    /// Runs `job` on the runner and waits for its answer.
    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut HashMemory) -> T + Send + 'static,
    ) -> Result<T> {
        let (answer, answered) = oneshot::channel();
        self.runner
            .run_job(Box::new(move |memory| {
                let _ = answer.send(job(memory));
            }))
            .await?;
        answered
            .await
            .map_err(|_| Error::internal_msg("a hashing job ended without an answer"))
    }
}

/// Runs each job on tokio's blocking pool in memory of its own, freed after the hash. It never
/// refuses work: for tests and tools, not for a server facing a burst of logins.
#[derive(Debug, Clone, Copy, Default)]
pub struct BlockingPoolRunner;

impl HashRunner for BlockingPoolRunner {
    fn run_job(&self, job: HashJob) -> HashRun {
        let done = tokio::task::spawn_blocking(move || job(&mut HashMemory::new()));
        Box::pin(async move {
            done.await
                .map_err(|_| Error::internal_msg("a hashing job ended without an answer"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_wrong_passwords_do_not() {
        let h = PasswordHasher::on_blocking_pool().unwrap();
        let pw = Password::new("Correct-Horse-7");
        let phc = h.hash(&pw).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(h.verify(&pw, Some(&phc)).await.unwrap());
        assert!(
            !h.verify(&Password::new("correct-horse-7"), Some(&phc))
                .await
                .unwrap()
        );
        assert!(!h.verify(&pw, None).await.unwrap());
        assert!(!h.verify(&pw, Some("not a hash")).await.unwrap());
    }

    /// A runner that refuses everything, as a full pool does.
    #[derive(Debug)]
    struct Full;

    impl HashRunner for Full {
        fn run_job(&self, _job: HashJob) -> HashRun {
            Box::pin(async {
                Err(Error::Overloaded {
                    retry_after_secs: OVERLOADED_RETRY_AFTER_SECS,
                })
            })
        }
    }

    #[tokio::test]
    async fn a_runner_that_refuses_refuses_hashes_and_verifications_alike() {
        let h = PasswordHasher::new(Arc::new(Full)).unwrap();
        let pw = Password::new("Correct-Horse-7");
        assert!(matches!(h.hash(&pw).await, Err(Error::Overloaded { .. })));
        assert!(matches!(
            h.verify(&pw, None).await,
            Err(Error::Overloaded { .. })
        ));
    }
}
