//! `accounts`: the paired accounts and the imported authenticators, never a secret.

use crate::push::show_time;
use crate::state::State;

pub fn run(state: &State) {
    if state.accounts.is_empty() {
        println!("No paired accounts (pair one with `portcullis-app pair URI`).");
    } else {
        println!("Paired accounts:");
        for a in &state.accounts {
            println!(
                "  {}  {} at {}, device {} \"{}\", paired {}",
                a.account,
                a.issuer,
                a.server,
                a.device_id,
                a.name,
                show_time(&serde_json::json!(a.paired_at))
            );
        }
    }
    if state.authenticators.is_empty() {
        println!("No authenticators (import one with `portcullis-app add-totp URI`).");
    } else {
        println!("Authenticators:");
        for a in &state.authenticators {
            println!(
                "  {}  {}, {} digits, {} s",
                a.label(),
                a.algorithm,
                a.digits,
                a.period
            );
        }
    }
}
