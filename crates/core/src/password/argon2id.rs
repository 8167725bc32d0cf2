//! Argon2id with the server's parameters: a password hashed into a PHC string, and a password
//! verified against one. Plain computation on the calling thread, in working memory the caller
//! passes in and may keep: it never spawns, queues or waits. Where and when it runs, and which
//! thread keeps which memory, is the [`HashRunner`](super::HashRunner)'s business.

use std::fmt;

use argon2::password_hash::phc::{Output, ParamsString, Salt};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};

use crate::error::{Error, Result};

/// Argon2id with the OWASP parameters: 19 MiB, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Argon2's working memory (19 MiB of blocks with the server's parameters), grown on its first
/// hash and reused for every later one by whoever keeps it: the server's hashing threads keep one
/// each. Allocating it per hash let the C allocator keep several freed 19 MiB blocks per thread
/// arena (glibc raises its mmap threshold after the first free), which took the resident size
/// from ~22 MB to ~245 MB after a few logins; kept, it stays at one block per hashing thread.
/// Hashes with bigger parameters (older settings) get their own, freed at once; a fresh one
/// dropped after its hash (the start-up dummy hash) keeps nothing.
#[derive(Default)]
pub struct HashMemory(Vec<Block>);

/// The most blocks a [`HashMemory`] keeps: 64 MiB.
const MAX_KEPT_BLOCKS: usize = 64 * 1024;

impl HashMemory {
    /// Empty: nothing is allocated before the first hash.
    pub const fn new() -> HashMemory {
        HashMemory(Vec::new())
    }
}

impl fmt::Debug for HashMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HashMemory({} blocks)", self.0.len())
    }
}

/// Runs Argon2 with `params` in `memory`.
fn argon2_into(
    memory: &mut HashMemory,
    algorithm: Algorithm,
    version: Version,
    params: Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> std::result::Result<(), argon2::Error> {
    let count = params.block_count();
    let argon2 = Argon2::new(algorithm, version, params);
    if count > MAX_KEPT_BLOCKS {
        let mut own = vec![Block::default(); count];
        return argon2.hash_password_into_with_memory(password, salt, out, &mut own[..]);
    }
    let kept = &mut memory.0;
    if kept.len() < count {
        kept.resize(count, Block::default());
    }
    argon2.hash_password_into_with_memory(password, salt, out, &mut kept[..count])
}

/// Argon2id with the server's parameters and a fresh 16-byte salt, as a PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`, the format the `argon2` crate writes and reads),
/// computed in `memory`. Benchmarks call it directly to measure what one hashing thread can do;
/// the server hashes only through [`PasswordHasher`](super::PasswordHasher).
pub fn hash_in(memory: &mut HashMemory, password: &[u8]) -> Result<String> {
    let failed = |e: &dyn fmt::Display| Error::internal_msg(format!("argon2 hash failed: {e}"));
    let params = argon2().params().clone();
    let salt = crate::secret::random_bytes::<16>();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2_into(
        memory,
        Algorithm::Argon2id,
        Version::V0x13,
        params.clone(),
        password,
        &salt,
        &mut out,
    )
    .map_err(|e| failed(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| failed(&e))?,
        salt: Some(Salt::new(&salt).map_err(|e| failed(&e))?),
        hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
    };
    Ok(phc.to_string())
}

/// Recomputes the hash with the algorithm, version, parameters and salt recorded in `phc` (so
/// old hashes keep working after a parameter change), in `memory`, and compares in constant time.
pub fn verify_in(memory: &mut HashMemory, password: &[u8], phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm.as_str()),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::V0x13,
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    argon2_into(
        memory,
        algorithm,
        version,
        params,
        password,
        salt.as_ref(),
        &mut out,
    )
    .is_ok()
        && crate::secret::constant_time_eq(&out, expected.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash_blocking(password: &[u8]) -> Result<String> {
        hash_in(&mut HashMemory::new(), password)
    }

    fn verify_blocking(password: &[u8], phc: &str) -> bool {
        verify_in(&mut HashMemory::new(), password, phc)
    }

    #[test]
    fn hashes_interoperate_with_the_argon2_crates_own_hasher_and_verifier() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        // A hash written by the crate's own API (what earlier versions stored) verifies here...
        let theirs = argon2()
            .hash_password(b"Correct-Horse-7")
            .unwrap()
            .to_string();
        assert!(verify_blocking(b"Correct-Horse-7", &theirs));
        assert!(!verify_blocking(b"Correct-Horse-8", &theirs));
        // ...and ours verifies with the crate's own verifier.
        let ours = hash_blocking(b"Correct-Horse-7").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            argon2()
                .verify_password(b"Correct-Horse-7", &parsed)
                .is_ok()
        );
        assert!(
            argon2()
                .verify_password(b"Correct-Horse-8", &parsed)
                .is_err()
        );
        // Other parameters (an older setting) are read from the hash itself.
        let small = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 3, 1, None).unwrap(),
        );
        let old = small.hash_password(b"Correct-Horse-7").unwrap().to_string();
        assert!(verify_blocking(b"Correct-Horse-7", &old));
        assert!(!verify_blocking(
            b"Correct-Horse-7",
            "$argon2id$v=19$garbage"
        ));
    }

    #[test]
    fn kept_memory_serves_every_later_hash_and_older_parameters_alike() {
        let mut memory = HashMemory::new();
        let first = hash_in(&mut memory, b"Correct-Horse-7").unwrap();
        assert_eq!(memory.0.len(), 19 * 1024);
        assert!(verify_in(&mut memory, b"Correct-Horse-7", &first));
        assert!(!verify_in(&mut memory, b"Correct-Horse-8", &first));
        // A smaller older setting runs in the part it needs; the memory does not shrink.
        let small = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 3, 1, None).unwrap(),
        );
        use argon2::password_hash::PasswordHasher as _;
        let old = small.hash_password(b"Correct-Horse-7").unwrap().to_string();
        assert!(verify_in(&mut memory, b"Correct-Horse-7", &old));
        assert_eq!(memory.0.len(), 19 * 1024);
    }
}
