//! `approve [--number N]` and `deny`: wait for a pending sign-in request of a paired account and
//! answer it without asking, for scripts and tests.
//!
//! The device never learns the number (number matching): `approve --number` sends the number it
//! was given and the server approves the pending request whose number it is, even when an older
//! one is pending too; when none has it, the newest is denied (exit code 3). `approve` without a
//! number answers the newest request when it needs none (a sign-in at a VPN, Wi-Fi or SSH
//! gateway, which has no screen to show a number); when the newest needs one, it answers
//! nothing: approving an older request instead would let in a sign-in the person is not looking
//! at. `deny` answers the newest: it is the one the person at the login screen just caused.

use std::time::{Duration, Instant};

use anyhow::bail;
use tokio::task::JoinSet;

use super::Exit;
use crate::client::{Client, ClientError};
use crate::push::{self, Challenge, Decision, unix_time};
use crate::state::{PairedAccount, State};

pub struct AnswerArgs {
    pub account: Option<String>,
    pub decision: Decision,
    pub number: Option<u32>,
    pub timeout_secs: u64,
}

pub async fn run(state: &State, args: AnswerArgs) -> anyhow::Result<()> {
    let devices = state.accounts_matching(args.account.as_deref());
    if devices.is_empty() {
        match &args.account {
            Some(a) => bail!("{a} is not paired with this app"),
            None => bail!("no account is paired with this app: use `pair URI` first"),
        }
    }
    let client = Client::new()?;
    let Some((device, challenge)) =
        wait_for_request(&client, devices, Duration::from_secs(args.timeout_secs)).await?
    else {
        return Err(Exit::NoRequest(args.timeout_secs).into());
    };
    let answered = match (args.decision, args.number) {
        (Decision::Approve, Some(number)) => {
            push::approve_by_number(&client, &device, number).await
        }
        (Decision::Approve, None) if challenge.number_required => bail!("{NEEDS_NUMBER}"),
        (decision, number) => push::answer(&client, &device, &challenge.id, decision, number)
            .await
            .map(|status| (status, challenge)),
    };
    let (status, challenge) = match answered {
        Err(ClientError::Refused { code, .. }) if code == "challenge_closed" => {
            bail!("{CLOSED}")
        }
        other => other?,
    };
    let what = describe(&device, &challenge);
    match (args.decision, status.as_str()) {
        (Decision::Approve, "approved") => println!("Approved {what}"),
        (Decision::Approve, _) => return Err(Exit::Denied.into()),
        (Decision::Fraud, _) => println!(
            "Reported {what} as not yours: the account is locked and every session has ended"
        ),
        (Decision::Deny, _) => println!("Denied {what}"),
    }
    Ok(())
}

/// Why a request could not be answered.
pub const CLOSED: &str =
    "the sign-in request was answered elsewhere, has expired, or was replaced by a newer one";

/// Why `approve` without `--number` answered nothing.
pub const NEEDS_NUMBER: &str =
    "this request needs the number shown on the sign-in screen: use --number";

/// "the sign-in of ACCOUNT via CLIENT from IP (BROWSER)".
pub fn describe(device: &PairedAccount, c: &Challenge) -> String {
    let mut text = format!("the sign-in of {}", device.account);
    if let Some(via) = &c.via {
        text.push_str(&format!(" via {via}"));
    }
    if let Some(ip) = &c.ip {
        text.push_str(&format!(" from {ip}"));
    }
    if let Some(b) = c.browser.as_ref().or(c.user_agent.as_ref()) {
        text.push_str(&format!(" ({b})"));
    }
    text
}

/// Long-polls every device at once until one has a pending request or `timeout` passes. A
/// device whose server refuses it is reported and left out; when none is left, that is an error.
async fn wait_for_request(
    client: &Client,
    mut devices: Vec<PairedAccount>,
    timeout: Duration,
) -> anyhow::Result<Option<(PairedAccount, Challenge)>> {
    let deadline = Instant::now() + timeout;
    let mut last_error = None;
    while !devices.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(None);
        }
        let wait = left.as_secs().max(1);
        let mut polls = JoinSet::new();
        for (i, d) in devices.iter().enumerate() {
            let (client, d) = (client.clone(), d.clone());
            polls.spawn(async move { (i, push::pending(&client, &d, wait).await) });
        }
        let mut failed = Vec::new();
        let mut pause = false;
        while let Some(joined) = polls.join_next().await {
            let (i, result) = joined?;
            match result {
                Ok(list) => {
                    if let Some(c) = newest(list) {
                        polls.abort_all();
                        return Ok(Some((devices[i].clone(), c)));
                    }
                }
                Err(e @ ClientError::Refused { .. }) => {
                    eprintln!("{}: {e}", devices[i].account);
                    failed.push(i);
                    last_error = Some(e);
                }
                Err(e) => {
                    // Unreachable for now: try again in the next round, a little later.
                    eprintln!("{}: {e}", devices[i].account);
                    pause = true;
                }
            }
        }
        for i in failed.into_iter().rev() {
            devices.remove(i);
        }
        if pause {
            tokio::time::sleep(Duration::from_secs(1).min(left)).await;
        }
    }
    Err(last_error.map_or_else(|| anyhow::anyhow!("no account to wait for"), Into::into))
}

fn newest(list: Vec<Challenge>) -> Option<Challenge> {
    let mut best: Option<Challenge> = None;
    for c in list {
        let later = best
            .as_ref()
            .is_none_or(|b| unix_time(&c.created_at) >= unix_time(&b.created_at));
        if later {
            best = Some(c);
        }
    }
    best
}
