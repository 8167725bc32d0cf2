//! `add-totp URI` and `code`: the app as an authenticator for any `otpauth://totp/` key.

use crate::client::unix_now;
use crate::otpauth::Authenticator;
use crate::state::State;
use crate::state_file::StateFile;

pub fn add(file: &mut StateFile, uri: &str) -> anyhow::Result<()> {
    let auth = Authenticator::parse(uri)
        .map_err(|e| anyhow::anyhow!("this is not a usable otpauth:// URI: {e}"))?;
    let label = auth.label();
    let replaced = file.update(|state| state.add_authenticator(auth))?;
    if replaced {
        println!("Replaced {label}");
    } else {
        println!("Added {label}");
    }
    Ok(())
}

/// One line per authenticator: the code first, so scripts can take the first word.
pub fn codes(state: &State) {
    if state.authenticators.is_empty() {
        println!("No authenticators (import one with `portcullis-app add-totp URI`).");
        return;
    }
    let now = unix_now().max(0) as u64;
    for a in &state.authenticators {
        let c = a.code_at(now);
        println!("{}  {:>4} s left  {}", c.code, c.seconds_left, a.label());
    }
}
