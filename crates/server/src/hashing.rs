//! The password-hashing pool: a fixed number of low-priority OS threads, each keeping its own
//! Argon2 working memory, fed by one bounded queue with admission control. It is the server's
//! [`HashRunner`]: core says what a hash is and when one is needed ([`PasswordHasher`], the
//! parameters, the dummy hash for unknown users); this module only decides where hashes run. A
//! burst of logins neither stalls the async runtime that serves cheap requests nor queues
//! without bound: when the queue is full a call fails at once with [`Error::Overloaded`] (the
//! API and the pages answer 503 with `Retry-After`). Nothing here knows about passwords.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::thread::JoinHandle;

use portcullis_core::password::{
    HashJob, HashMemory, HashRun, HashRunner, OVERLOADED_RETRY_AFTER_SECS, PasswordHasher,
};
use portcullis_core::{Error, Result};
use tokio::sync::oneshot;

/// The server's [`PasswordHasher`]: `threads` hashes run at once (the number of cores is right
/// for a server); `queue` hashes may wait for a thread before more are refused.
pub fn password_hasher(threads: usize, queue: usize) -> Result<PasswordHasher> {
    let (pool, _threads) = HashPool::new(threads, queue)?;
    PasswordHasher::new(Arc::new(pool))
}

thread_local! {
    /// Each hashing thread's Argon2 working memory, allocated on its first hash and reused for
    /// every later one ([`HashMemory`] says why).
    static KEPT: RefCell<HashMemory> = const { RefCell::new(HashMemory::new()) };
}

/// Work for a hashing thread.
type Job = Box<dyn FnOnce() + Send + 'static>;

/// A fixed set of OS threads fed by one queue, with admission control: at most `threads` jobs
/// run and at most `queue` wait; one more is refused at once with [`Error::Overloaded`]. Nothing
/// waits without bound, and a burst of logins cannot take the threads that serve cheap requests.
///
/// Admission is a counter of jobs admitted and not yet finished, so the bound is exact whatever
/// the threads are doing at that moment. Dropping the pool closes the queue: the threads finish
/// what is queued and end.
struct HashPool {
    jobs: mpsc::Sender<Job>,
    admitted: Arc<AtomicUsize>,
    capacity: usize,
}

/// One admitted job; released when the job has run (or was never run).
struct Admission(Arc<AtomicUsize>);

impl Drop for Admission {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl HashPool {
    /// Starts `threads` (at least one) threads named `portcullis-hash`; returns their handles
    /// too, for tests that watch them end.
    fn new(threads: usize, queue: usize) -> Result<(HashPool, Vec<JoinHandle<()>>)> {
        let threads = threads.max(1);
        let (jobs, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        let handles = (0..threads)
            .map(|_| {
                let receiver = receiver.clone();
                std::thread::Builder::new()
                    .name("portcullis-hash".to_owned())
                    .spawn(move || work(&receiver))
                    .map_err(Error::internal)
            })
            .collect::<Result<Vec<_>>>()?;
        let pool = HashPool {
            jobs,
            admitted: Arc::new(AtomicUsize::new(0)),
            capacity: threads.saturating_add(queue),
        };
        Ok((pool, handles))
    }

    /// Queues `job`, or refuses it at once when the threads are busy and the queue is full.
    fn submit<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<oneshot::Receiver<T>> {
        let capacity = self.capacity;
        self.admitted
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < capacity).then_some(n + 1)
            })
            .map_err(|_| Error::Overloaded {
                retry_after_secs: OVERLOADED_RETRY_AFTER_SECS,
            })?;
        let admission = Admission(self.admitted.clone());
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            // A panicking job loses its answer (the caller gets an internal error), not the thread.
            let out = std::panic::catch_unwind(AssertUnwindSafe(job));
            // Released before the answer is sent, so whoever receives it finds the room free.
            drop(admission);
            if let Ok(out) = out {
                let _ = done.send(out);
            }
        });
        self.jobs
            .send(job)
            .map_err(|_| Error::internal_msg("the hashing threads have stopped"))?;
        Ok(result)
    }

    /// Runs `job` on a hashing thread; the future gives its result. The job is queued (or
    /// refused) at the call, so the future borrows nothing.
    fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> impl Future<Output = Result<T>> + Send + 'static {
        let submitted = self.submit(job);
        async move {
            submitted?
                .await
                .map_err(|_| Error::internal_msg("a hashing job ended without an answer"))
        }
    }
}

impl fmt::Debug for HashPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HashPool")
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl HashRunner for HashPool {
    fn run_job(&self, job: HashJob) -> HashRun {
        Box::pin(self.run(move || KEPT.with(|kept| job(&mut kept.borrow_mut()))))
    }
}

/// A hashing thread: lowers its priority, then runs jobs until the queue is closed.
fn work(jobs: &Mutex<mpsc::Receiver<Job>>) {
    lower_priority();
    loop {
        // One idle thread waits on the queue while holding the lock; the others wait for the lock.
        let next = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
        match next {
            Ok(job) => job(),
            Err(mpsc::RecvError) => return,
        }
    }
}

/// Hashing is deliberately expensive CPU work; a request for `/me` is a few microseconds of CPU
/// and a database read. At equal priority the scheduler shares the cores evenly between them, so
/// with every core hashing a cheap request waits behind whole Argon2 time slices. Raising the
/// hashing threads' nice value to 10 (Linux keeps it per thread) makes the scheduler give the
/// tokio workers and SQLite's threads the CPU as soon as they are runnable, while hashing still
/// gets every cycle nobody else wants. Failure (a sandbox that forbids it) changes nothing else.
#[cfg(target_os = "linux")]
fn lower_priority() {
    let _ = rustix::process::setpriority_process(Some(rustix::thread::gettid()), 10);
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

#[cfg(test)]
mod tests {
    use portcullis_core::password::Password;

    use super::*;

    #[tokio::test]
    async fn a_full_queue_refuses_at_once_and_makes_room_when_the_work_is_done() {
        let (pool, _threads) = HashPool::new(1, 1).unwrap();
        // The one thread is held by a job that waits for the test; one more job may wait.
        let (release, held) = mpsc::channel::<()>();
        let running = pool
            .submit(move || {
                held.recv().unwrap();
                "ran"
            })
            .unwrap();
        let queued = pool.submit(|| "queued").unwrap();
        for _ in 0..3 {
            assert!(matches!(
                pool.submit(|| "shed"),
                Err(Error::Overloaded {
                    retry_after_secs: OVERLOADED_RETRY_AFTER_SECS
                })
            ));
        }
        release.send(()).unwrap();
        assert_eq!(running.await.unwrap(), "ran");
        assert_eq!(queued.await.unwrap(), "queued");
        // Both are finished: the thread and the queue slot are free again.
        let again = [pool.submit(|| 1).unwrap(), pool.submit(|| 2).unwrap()];
        let mut sum = 0;
        for r in again {
            sum += r.await.unwrap();
        }
        assert_eq!(sum, 3);
    }

    #[tokio::test]
    async fn a_hasher_whose_threads_are_busy_sheds_hashes_and_verifications_alike() {
        let (pool, _threads) = HashPool::new(1, 0).unwrap();
        let pool = Arc::new(pool);
        let h = PasswordHasher::new(pool.clone()).unwrap();
        let (release, held) = mpsc::channel::<()>();
        let busy = pool.submit(move || held.recv().unwrap()).unwrap();
        let pw = Password::new("Correct-Horse-7");
        assert!(matches!(h.hash(&pw).await, Err(Error::Overloaded { .. })));
        assert!(matches!(
            h.verify(&pw, None).await,
            Err(Error::Overloaded { .. })
        ));
        release.send(()).unwrap();
        busy.await.unwrap();
        let phc = h.hash(&pw).await.unwrap();
        assert!(h.verify(&pw, Some(&phc)).await.unwrap());
    }

    #[tokio::test]
    async fn jobs_run_on_the_named_hashing_threads_at_low_priority() {
        let (pool, _threads) = HashPool::new(2, 4).unwrap();
        let name = pool
            .run(|| std::thread::current().name().map(str::to_owned))
            .await
            .unwrap();
        assert_eq!(name.as_deref(), Some("portcullis-hash"));
        #[cfg(target_os = "linux")]
        {
            let nice = pool
                .run(|| rustix::process::getpriority_process(Some(rustix::thread::gettid())))
                .await
                .unwrap()
                .unwrap();
            let ours =
                rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap();
            // 10, or already lower (a test run under `nice -n 15` cannot go back up to 10).
            assert!(
                nice >= 10 && nice >= ours,
                "hashing thread nice {nice}, ours {ours}"
            );
        }
    }

    #[test]
    fn a_panicking_job_loses_its_answer_but_not_the_thread() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let (pool, _threads) = HashPool::new(1, 0).unwrap();
        let lost = rt.block_on(pool.run(|| -> u8 { panic!("a job failed") }));
        assert!(matches!(lost, Err(Error::Internal(_))));
        assert_eq!(rt.block_on(pool.run(|| 7)).unwrap(), 7);
    }

    #[test]
    fn the_threads_end_when_the_pool_is_dropped() {
        let (pool, threads) = HashPool::new(3, 2).unwrap();
        assert_eq!(threads.len(), 3);
        drop(pool);
        // A generous deadline: this asserts that the threads end, not how fast.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while threads.iter().any(|t| !t.is_finished()) {
            assert!(
                std::time::Instant::now() < deadline,
                "hashing threads still running"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        for t in threads {
            t.join().unwrap();
        }
    }
}
