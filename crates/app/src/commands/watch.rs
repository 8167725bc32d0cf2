//! `watch`: waits for sign-in requests of every paired account and shows each as a confirmation
//! dialog (account, time, source address, browser); the person types the number the login
//! screen shows to approve, or denies, or reports "this wasn't me".
//!
//! One long-poll per account runs in the background; requests are asked about one at a time, in
//! the order they came. Answers are read line by line from standard input (a terminal, or a pipe
//! for scripts); lines typed while no dialog is open are dropped, so a stray keystroke never
//! answers the next request. Closing standard input ends the watch.

use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::time::Duration;

use anyhow::bail;
use tokio::sync::mpsc;

use super::answer::describe;
use crate::client::{Client, ClientError};
use crate::push::{self, Challenge, Decision, show_time};
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
    let (requests_tx, mut requests) = mpsc::channel::<(PairedAccount, Challenge)>(16);
    for device in &devices {
        tokio::spawn(poll_forever(
            client.clone(),
            device.clone(),
            requests_tx.clone(),
        ));
    }
    drop(requests_tx);
    let mut lines = stdin_lines();
    let names: Vec<&str> = devices.iter().map(|d| d.account.as_str()).collect();
    println!(
        "Waiting for sign-in requests for {} (Ctrl-C to stop)…",
        names.join(", ")
    );
    while let Some((device, challenge)) = requests.recv().await {
        while lines.try_recv().is_ok() {}
        show(&device, &challenge);
        let Some(decision) = ask(&mut lines).await else {
            println!("Standard input closed; stopping.");
            return Ok(());
        };
        let Some((decision, number)) = decision else {
            println!("Left unanswered.");
            continue;
        };
        match push::answer(&client, &device, &challenge.id, decision, number).await {
            Ok(status) => report(&device, &challenge, &status),
            Err(ClientError::Refused { code, .. }) if code == "challenge_closed" => {
                println!("This request was answered elsewhere or has expired.");
            }
            Err(e) => eprintln!("Could not answer: {e}"),
        }
        if args.once {
            return Ok(());
        }
    }
    bail!("every account stopped being watched")
}

fn show(device: &PairedAccount, c: &Challenge) {
    println!();
    println!("Sign-in request for {} ({})", device.account, device.issuer);
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
                print!(
                    "Reporting this locks your account and ends every session. Type `yes` to \
                     report it: "
                );
                let _ = std::io::stdout().flush();
                let confirm = lines.recv().await?;
                if confirm.trim().eq_ignore_ascii_case("yes") {
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

/// Long-polls one account for ever, handing each new request to the dialog once.
async fn poll_forever(
    client: Client,
    device: PairedAccount,
    requests: mpsc::Sender<(PairedAccount, Challenge)>,
) {
    let mut seen = HashSet::new();
    let mut backoff = Duration::from_secs(1);
    loop {
        match push::pending(&client, &device, WAIT_SECS).await {
            Ok(list) => {
                backoff = Duration::from_secs(1);
                let pending = !list.is_empty();
                let mut fresh = false;
                for c in list {
                    if seen.insert(c.id.clone()) {
                        fresh = true;
                        if requests.send((device.clone(), c)).await.is_err() {
                            return;
                        }
                    }
                }
                // The server answers at once while a request is pending; do not spin on it.
                if pending && !fresh {
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
