//! One file per command; each takes its arguments and the opened state, does one job, prints
//! for people on standard output (warnings on standard error) and returns an error whose kind
//! decides the exit code (see [`Exit`] and `main.rs`).

pub mod accounts;
pub mod answer;
pub mod authenticator;
pub mod pair;
pub mod watch;

use std::path::Path;

use thiserror::Error;

use crate::passphrase::passphrase;
use crate::state::State;
use crate::state_file::StateFile;

/// Outcomes that are not errors of the app but must still end with a non-zero exit code.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum Exit {
    #[error("the sign-in request was denied: the number did not match the login screen")]
    Denied,
    #[error("no sign-in request came within {0} s")]
    NoRequest(u64),
}

impl Exit {
    pub fn code(&self) -> u8 {
        match self {
            Exit::Denied => 3,
            Exit::NoRequest(_) => 4,
        }
    }
}

/// Opens the state file, asking for the passphrase (twice when the file is new).
pub fn open_state(path: &Path) -> anyhow::Result<(StateFile, State)> {
    let secret = passphrase(path, !path.exists())?;
    Ok(StateFile::open(path, &secret)?)
}

/// Opens the state file, which must exist: for commands that only read it.
pub fn open_existing_state(path: &Path) -> anyhow::Result<(StateFile, State)> {
    if !path.exists() {
        anyhow::bail!(
            "there is no state file at {}: pair an account (`pair URI`) or import an \
             authenticator (`add-totp URI`) first",
            path.display()
        );
    }
    open_state(path)
}
