//! `watch`: waits for sign-in requests of every paired account and shows each as a confirmation
//! dialog (account, time, source address, browser); the person types the number the login
//! screen shows to approve, or denies, or reports "this wasn't me". A request from a VPN, Wi-Fi
//! or SSH gateway (a RADIUS client, `via`) has no screen to show a number: its dialog names the
//! gateway and asks yes or no.
//!
//! One long-poll per account runs in the background and hands over what is pending whenever
//! that changes; requests are asked about one at a time, the newest first (the one the person
//! at the login screen just caused; an older one was abandoned or replaced). A typed number is
//! sent as it is, and the server approves the pending request whose number it is, so a dialog
//! that shows an older request still approves the sign-in on the screen. Answers are read line
//! by line from standard input (a terminal, or a pipe for scripts); lines typed while no dialog
//! is open are dropped, so a stray keystroke never answers the next request. Closing standard
//! input ends the watch.

use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::time::Duration;

use anyhow::bail;
use tokio::sync::mpsc;

use super::answer::{CLOSED, describe};
use crate::client::{Client, ClientError};
use crate::push::{self, Challenge, Decision, show_time, unix_time};
use crate::state::{PairedAccount, State};

/// How long each long-poll waits (the server's default).
const WAIT_SECS: u64 = 25;

pub struct WatchArgs {
    pub account: Option<String>,
    /// Stop after answering one request.
    pub once: bool,
}

pub async fn run(state: &State, args: WatchArgs) -> anyhow::Result<()> {
    let devices = state.accounts_matching(args.account.as_deref());
    if devices.is_empty() {
        bail!("no paired account to watch: use `pair URI` first");
    }
    let client = Client::new()?;
    let (snapshots_tx, mut snapshots) = mpsc::channel::<Snapshot>(16);
    for (i, device) in devices.iter().enumerate() {
        tokio::spawn(poll_forever(
            client.clone(),
            i,
            device.clone(),
            snapshots_tx.clone(),
        ));
    }
    drop(snapshots_tx);
    let mut lines = stdin_lines();
    let names: Vec<String> = devices
        .iter()
        .map(|d| format!("{} (this device: “{}”)", d.account, d.name))
        .collect();
    println!(
        "Waiting for sign-in requests for {} (Ctrl-C to stop)…",
        names.join(", ")
    );
    let mut pending: Vec<Vec<Challenge>> = vec![Vec::new(); devices.len()];
    let mut asked = HashSet::new();
    loop {
        while let Ok((i, list)) = snapshots.try_recv() {
            pending[i] = list;
        }
        let Some((i, challenge)) = newest_unasked(&pending, &asked) else {
            match snapshots.recv().await {
                Some((i, list)) => pending[i] = list,
                None => bail!("every account stopped being watched"),
            }
            continue;
        };
        let device = &devices[i];
        asked.insert(challenge.id.clone());
        while lines.try_recv().is_ok() {}
        show(device, &challenge);
        let reply = if challenge.number_required {
            ask(&mut lines).await
        } else {
            ask_yes_no(&mut lines).await
        };
        let Some(decision) = reply else {
            println!("Standard input closed; stopping.");
            return Ok(());
        };
        let Some((decision, number)) = decision else {
            println!("Left unanswered.");
            continue;
        };
        let answered = match (decision, number) {
            (Decision::Approve, Some(n)) => push::approve_by_number(&client, device, n).await,
            (decision, number) => push::answer(&client, device, &challenge.id, decision, number)
                .await
                .map(|status| (status, challenge)),
        };
        match answered {
            Ok((status, answered)) => {
                report(device, &answered, &status);
                asked.insert(answered.id);
            }
            Err(ClientError::Refused { code, .. }) if code == "challenge_closed" => {
                println!("Not answered: {CLOSED}.");
            }
            Err(e) => eprintln!("Could not answer: {e}"),
        }
        if args.once {
            return Ok(());
        }
    }
}

/// What one account has pending, newest first: (index of the account, requests).
type Snapshot = (usize, Vec<Challenge>);

/// The newest request not asked about yet, of whichever account.
fn newest_unasked(
    pending: &[Vec<Challenge>],
    asked: &HashSet<String>,
) -> Option<(usize, Challenge)> {
    pending
        .iter()
        .enumerate()
        .flat_map(|(i, list)| list.iter().map(move |c| (i, c)))
        .filter(|(_, c)| !asked.contains(&c.id))
        .max_by_key(|(_, c)| unix_time(&c.created_at))
        .map(|(i, c)| (i, c.clone()))
}

fn show(device: &PairedAccount, c: &Challenge) {
    println!();
    if let Some(via) = &c.via {
        let from = c.ip.as_deref().unwrap_or("an unknown address");
        println!("Sign-in to {} via {via} from {from}", device.account);
        println!("  issuer:   {}", device.issuer);
        println!("  to:       this device, “{}”", device.name);
        println!("  time:     {}", show_time(&c.created_at));
        println!("  expires:  {}", show_time(&c.expires_at));
        return;
    }
    println!("Sign-in request for {} ({})", device.account, device.issuer);
    println!("  to:       this device, “{}”", device.name);
    println!("  time:     {}", show_time(&c.created_at));
    println!("  from:     {}", c.ip.as_deref().unwrap_or("unknown"));
    let browser = c.browser.as_deref().or(c.user_agent.as_deref());
    println!("  browser:  {}", browser.unwrap_or("unknown"));
    println!("  expires:  {}", show_time(&c.expires_at));
}

/// `None` when standard input closed; `Some(None)` to leave the request alone.
async fn ask(lines: &mut mpsc::Receiver<String>) -> Option<Option<(Decision, Option<u32>)>> {
    loop {
        print!(
            "Type the number shown on the login screen to approve, `d` to deny, `x` if this \
             wasn't you, or Enter to skip: "
        );
        let _ = std::io::stdout().flush();
        let line = lines.recv().await?;
        let answer = line.trim().to_ascii_lowercase();
        match answer.as_str() {
            "" => return Some(None),
            "d" | "deny" | "n" | "no" => return Some(Some((Decision::Deny, None))),
            "x" | "fraud" | "not me" => {
                if confirm_fraud(lines).await? {
                    return Some(Some((Decision::Fraud, None)));
                }
                println!("Not reported.");
            }
            // The login screen shows 10 to 99; anything else is a typo, and sending it would
            // deny the request.
            digits if digits.len() == 2 && digits.bytes().all(|b| b.is_ascii_digit()) => {
                match digits.parse::<u32>() {
                    Ok(number) if number >= 10 => {
                        return Some(Some((Decision::Approve, Some(number))));
                    }
                    _ => println!("The login screen shows a number from 10 to 99."),
                }
            }
            _ => println!("Please type the two-digit number from the login screen, `d` or `x`."),
        }
    }
}

/// The dialog of a request that needs no number: yes approves it. Same shape as [`ask`].
async fn ask_yes_no(lines: &mut mpsc::Receiver<String>) -> Option<Option<(Decision, Option<u32>)>> {
    loop {
        print!(
            "Approve this sign-in? Type `y` to approve, `n` to deny, `x` if this wasn't you, or \
             Enter to skip: "
        );
        let _ = std::io::stdout().flush();
        let line = lines.recv().await?;
        match line.trim().to_ascii_lowercase().as_str() {
            "" => return Some(None),
            "y" | "yes" => return Some(Some((Decision::Approve, None))),
            "n" | "no" | "d" | "deny" => return Some(Some((Decision::Deny, None))),
            "x" | "fraud" | "not me" => {
                if confirm_fraud(lines).await? {
                    return Some(Some((Decision::Fraud, None)));
                }
                println!("Not reported.");
            }
            _ => println!("Please type `y`, `n` or `x`."),
        }
    }
}

/// "This wasn't me" locks the account: asked again before it is sent. `None` when standard
/// input closed.
async fn confirm_fraud(lines: &mut mpsc::Receiver<String>) -> Option<bool> {
    print!("Reporting this locks your account and ends every session. Type `yes` to report it: ");
    let _ = std::io::stdout().flush();
    let confirm = lines.recv().await?;
    Some(confirm.trim().eq_ignore_ascii_case("yes"))
}

fn report(device: &PairedAccount, c: &Challenge, status: &str) {
    let what = describe(device, c);
    match status {
        "approved" => println!("Approved {what}."),
        "fraud" => println!(
            "Reported {what} as not yours: the account is locked and every session has ended."
        ),
        _ => println!("Denied {what}."),
    }
}

/// Long-polls one account for ever, handing over what is pending each time that changes.
async fn poll_forever(
    client: Client,
    index: usize,
    device: PairedAccount,
    snapshots: mpsc::Sender<Snapshot>,
) {
    let mut last: Vec<String> = Vec::new();
    let mut backoff = Duration::from_secs(1);
    loop {
        match push::pending(&client, &device, WAIT_SECS).await {
            Ok(list) => {
                backoff = Duration::from_secs(1);
                let ids: Vec<String> = list.iter().map(|c| c.id.clone()).collect();
                let changed = ids != last;
                let pending = !list.is_empty();
                if changed {
                    last = ids;
                    if snapshots.send((index, list)).await.is_err() {
                        return;
                    }
                }
                // The server answers at once while a request is pending; do not spin on it.
                if pending && !changed {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
            Err(e) if e.device_refused() => {
                eprintln!("{}: {e}; no longer watching it.", device.account);
                return;
            }
            Err(e) => {
                eprintln!(
                    "{}: {e} (retrying in {} s)",
                    device.account,
                    backoff.as_secs()
                );
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(60));
            }
        }
    }
}

/// Lines of standard input, read on a thread of their own (reading blocks).
fn stdin_lines() -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel(4);
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if tx.blocking_send(line).is_err() {
                break;
            }
        }
    });
    rx
}
