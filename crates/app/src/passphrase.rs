//! Where the state file's passphrase comes from: `PORTCULLIS_APP_PASSPHRASE`, else a prompt on
//! the terminal without echo (asked twice for a new file), else the first line of standard
//! input when there is no terminal (scripts, services). It is held zeroized and never printed.

use std::io::{BufRead, IsTerminal};
use std::path::Path;

use anyhow::{Context, bail};
use zeroize::Zeroizing;

pub const ENV: &str = "PORTCULLIS_APP_PASSPHRASE";

pub fn passphrase(state: &Path, new_file: bool) -> anyhow::Result<Zeroizing<String>> {
    if let Ok(value) = std::env::var(ENV)
        && !value.is_empty()
    {
        return Ok(Zeroizing::new(value));
    }
    let prompt = if new_file {
        format!("New passphrase for {}: ", state.display())
    } else {
        format!("Passphrase for {}: ", state.display())
    };
    let typed = if std::io::stdin().is_terminal() {
        let first = Zeroizing::new(rpassword::prompt_password(&prompt)?);
        if new_file {
            let again = Zeroizing::new(rpassword::prompt_password("Repeat the passphrase: ")?);
            if *again != *first {
                bail!("the two passphrases differ; nothing was written");
            }
        }
        first
    } else {
        let mut line = Zeroizing::new(String::new());
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the passphrase from standard input")?;
        Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_owned())
    };
    if typed.is_empty() {
        bail!("no passphrase given: set {ENV} or type one when asked");
    }
    Ok(typed)
}
