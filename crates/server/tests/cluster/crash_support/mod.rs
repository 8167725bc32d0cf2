//! Support of `crash.rs`: the write load and its journal ([`load`]), the database as the test
//! reads it behind the server's back ([`db`]), and what must hold after every `kill -9`
//! ([`checks`]).

pub mod checks;
pub mod db;
pub mod load;

/// SplitMix64: a small seeded generator, so that a failing run can be repeated with its seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `low..high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low)
    }
}

/// Unix seconds now, on the clock the server reads too.
pub use crate::harness::totp::unix_now as now;
