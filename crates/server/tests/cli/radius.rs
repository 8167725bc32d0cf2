//! The RADIUS listener as network access servers meet it: the real binary served with
//! `--radius-bind 127.0.0.1:0`, clients made with `portcullis radius-client add`, and RADIUS
//! clients we did not write (FreeRADIUS's `radtest` and `radclient`, pyrad) asking for people
//! whose authenticator codes come from `oathtool` and whose pushes the real `portcullis-app`
//! answers. What they see is asserted: the answer's code, its `Reply-Message` and `State`, a
//! Message-Authenticator on every answer, silence where the server must not answer; and what
//! the operator sees: each decision an audit row naming the client, drops counted in `/metrics`.
//!
//! Each test owns its install, server, clients and people, so they run side by side.

#![cfg(unix)]

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::harness::cli::*;
use crate::radius_kit::*;

/// Where the RADIUS clients send from: radclient cannot choose its source address.
const LOCAL: &str = "127.0.0.1/32";

fn dropped(reason: &str) -> String {
    format!("portcullis_radius_dropped_total{{reason=\"{reason}\"}}")
}

/// `(type, detail.client, the reason or method)` of each RADIUS audit row.
fn decisions(rows: &[Value]) -> Vec<(String, String, String)> {
    rows.iter()
        .map(|r| {
            let d = &r["detail"];
            let why = d["reason"].as_str().or(d["method"].as_str());
            let why = why.or(d["prompt"].as_str()).unwrap_or_default();
            (
                r["type"].as_str().unwrap().to_owned(),
                d["client"].as_str().unwrap_or_default().to_owned(),
                why.to_owned(),
            )
        })
        .collect()
}

fn row(kind: &str, client: &str, why: &str) -> (String, String, String) {
    (kind.to_owned(), client.to_owned(), why.to_owned())
}

#[tokio::test]
async fn radtest_and_radclient_get_accept_for_password_and_code_and_one_reject_for_every_wrong_input()
 {
    if !tools_available("RADIUS password+code") {
        return;
    }
    let (site, secrets) = Site::start(&[("vpn", LOCAL, "password+code", &[])]).await;
    let (secret, addr) = (&secrets[0], site.radius());
    let (ann, eve) = tokio::join!(
        site.person("ann@example.com"),
        site.stranger("eve@example.org")
    );

    // The password with the code typed right after it, as `radtest` sends it.
    let typed = format!("{PASSWORD}{}", ann.code(0));
    let exit = radtest(addr, secret, &ann.email, &typed).await;
    assert_eq!(
        exit.code,
        Some(0),
        "radtest expects an Access-Accept: {exit:#?}"
    );
    let accept = parse_radclient(&exit.stdout).expect("an answer");
    assert_eq!(accept.code, "Access-Accept", "{exit:#?}");
    assert!(accept.message_authenticator, "Blast-RADIUS: {exit:#?}");

    // Everything wrong looks the same: a wrong code, a wrong password, an unknown account, and
    // the right password and code of another contract's account.
    let bad_code = format!("{PASSWORD}{}", ann.wrong_code());
    let bad_password = format!("Wrong-Horse-7{}", ann.code(30));
    let nobody = format!("{PASSWORD}123456");
    let right_for_eve = format!("{PASSWORD}{}", eve.code(0));
    let (wrong_code, wrong_password, unknown, other_contract, replayed) = tokio::join!(
        ask(addr, secret, &ann.email, &bad_code, None),
        ask(addr, secret, &ann.email, &bad_password, None),
        ask(addr, secret, "nobody@example.com", &nobody, None),
        ask(addr, secret, &eve.email, &right_for_eve, None),
        // The accepted code again: a code works once.
        ask(addr, secret, &ann.email, &typed, None),
    );
    let wrong_code = wrong_code.expect("an answer to a wrong code");
    assert_eq!(wrong_code.code, "Access-Reject", "{wrong_code:?}");
    assert!(wrong_code.message_authenticator, "{wrong_code:?}");
    let words = &wrong_code.reply_messages;
    assert!(!words.is_empty() && !words[0].is_empty(), "{wrong_code:?}");
    for other in [wrong_password, unknown, other_contract, replayed] {
        assert_eq!(other.as_ref(), Some(&wrong_code), "one answer for all");
    }

    let rows = decisions(&site.radius_audit(&ann).await);
    assert_eq!(rows[0], row("radius.accept", "vpn", "totp"), "{rows:?}");
    assert_eq!(rows.len(), 4, "one row per decision about ann: {rows:?}");
    for r in &rows[1..] {
        assert_eq!(r.0, "radius.reject", "{rows:?}");
        assert_eq!(r.1, "vpn", "{rows:?}");
    }
    assert!(
        site.radius_audit(&eve).await.is_empty(),
        "another contract's client tells eve's contract nothing"
    );
    let answered = |code: &str| format!("portcullis_radius_responses_total{{code=\"{code}\"}}");
    assert_eq!(site.metric_reaches(&answered("accept"), 1.0).await, 1.0);
    assert_eq!(site.metric_reaches(&answered("reject"), 5.0).await, 5.0);
    assert_eq!(site.metric(&dropped("unknown_client")).await, 0.0);
}

#[tokio::test]
async fn a_challenge_client_asks_for_the_code_in_a_second_packet_whose_state_works_once() {
    if !tools_available("RADIUS challenge") {
        return;
    }
    let (site, secrets) = Site::start(&[("wifi", LOCAL, "challenge", &[])]).await;
    let (secret, addr) = (&secrets[0], site.radius());
    let bob = site.person("bob@example.com").await;

    let wrong = Pyrad::new(secret, &bob.email, "Wrong-Horse-7")
        .send(addr)
        .await;
    assert_eq!(
        wrong[0]["code"], "Access-Reject",
        "no challenge without the password"
    );

    let first = ask(addr, secret, &bob.email, PASSWORD, None)
        .await
        .expect("an answer to the password");
    assert_eq!(first.code, "Access-Challenge", "{first:?}");
    assert!(first.message_authenticator, "{first:?}");
    let prompt = first.reply_messages.join(" ");
    assert!(prompt.to_lowercase().contains("code"), "{first:?}");
    let state = first.state.clone().expect("a State to send back");
    assert!(state.len() >= 32, "an unguessable State: {first:?}");

    let second = ask(addr, secret, &bob.email, &bob.code(0), Some(&state))
        .await
        .expect("an answer to the code");
    assert_eq!(second.code, "Access-Accept", "{second:?}");

    // The same State again, now from pyrad with a fresh code: used up.
    let fresh = bob.code(30);
    let replay = Pyrad::new(secret, &bob.email, &fresh).state(&state);
    let again = replay.send(addr).await;
    assert_eq!(again[0]["code"], "Access-Reject", "{again:?}");
    assert_eq!(again[0]["verified"], true, "signed answer: {again:?}");
    assert_eq!(again[0]["state"], Value::Null, "{again:?}");

    let rows = decisions(&site.radius_audit(&bob).await);
    let expected = [
        row("radius.reject", "wifi", "invalid_credentials"),
        row("radius.challenge", "wifi", "totp"),
        row("radius.accept", "wifi", "totp"),
        row("radius.reject", "wifi", "invalid_state"),
    ];
    assert_eq!(rows, expected);
}

/// `portcullis-app` with a state file of its own, in the install's folder.
struct Phone {
    bin: std::path::PathBuf,
    state: String,
}

impl Phone {
    fn command(&self, args: &[&str]) -> tokio::process::Command {
        let args = [&["--state", self.state.as_str()][..], args].concat();
        let mut cmd = command(self.bin.to_str().unwrap(), &args);
        cmd.env_remove("PORTCULLIS_APP_STATE")
            .env("PORTCULLIS_APP_PASSPHRASE", "correct horse battery staple");
        cmd
    }

    /// Starts `approve` or `deny`, which waits for a request to come.
    fn spawn(&self, args: &[&str]) -> tokio::task::JoinHandle<Exit> {
        let cmd = self.command(args);
        tokio::spawn(finish(cmd, b""))
    }
}

#[tokio::test]
async fn a_push_client_waits_for_the_companion_app_which_approves_without_a_number_or_denies() {
    let test = "RADIUS push";
    if !tools_available(test) {
        return;
    }
    let Some(bin) = companion_app(test) else {
        return;
    };
    // The hasty client sends from another address: pyrad can choose its source.
    let clients: [(&str, &str, &str, &[&str]); 2] = [
        ("ssh", LOCAL, "push", &["--push-timeout", "20"]),
        (
            "ssh-hasty",
            "127.0.0.2/32",
            "push",
            &["--push-timeout", "2"],
        ),
    ];
    let (site, secrets) = Site::start(&clients).await;
    let addr = site.radius();
    let cat = site.person("cat@example.com").await;
    let pairing = json!({ "name": "Cat's phone", "password": PASSWORD });
    let (status, body) = site
        .server
        .call(
            Method::POST,
            "/api/v1/me/push-devices",
            &cat.token,
            Some(pairing),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let phone = Phone {
        bin,
        state: site
            .install
            .root
            .join("phone.state")
            .to_str()
            .unwrap()
            .to_owned(),
    };
    let uri = body["pairing_uri"].as_str().unwrap();
    let paired = finish(phone.command(&["pair", uri]), b"").await;
    assert_eq!(paired.code, Some(0), "{paired:#?}");

    // The NAS waits longer than the client's push timeout (20 s), with no retransmission.
    let attributes = format!(
        "User-Name = \"{}\"\nUser-Password = \"{PASSWORD}\"",
        cat.email
    );
    let deny = phone.spawn(&["deny", "--timeout", "25"]);
    let exit = radclient(addr, &secrets[0], &attributes, 30).await;
    let denied = deny.await.unwrap();
    let answer = parse_radclient(&exit.stdout);
    let said = format!("{exit:#?}\n{denied:#?}");
    assert_eq!(answer.expect("an answer").code, "Access-Reject", "{said}");
    assert_eq!(denied.code, Some(0), "{said}");
    assert!(denied.stdout.contains("via ssh"), "{said}");

    // Nobody answers: the client's own timeout ends the wait, well before the NAS gives up.
    let started = Instant::now();
    let hasty = Pyrad::new(&secrets[1], &cat.email, PASSWORD).from("127.0.0.2");
    let answer = hasty.wait(15.0).send(addr).await;
    assert_eq!(answer[0]["code"], "Access-Reject", "{answer:?}");
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(10), "{waited:?}");

    // `approve` without a number: the NAS has no screen to show one.
    let approve = phone.spawn(&["approve", "--timeout", "25"]);
    let exit = radclient(addr, &secrets[0], &attributes, 30).await;
    let approved = approve.await.unwrap();
    let answer = parse_radclient(&exit.stdout);
    let said = format!("{exit:#?}\n{approved:#?}");
    assert_eq!(answer.expect("an answer").code, "Access-Accept", "{said}");
    assert_eq!(approved.code, Some(0), "{said}");
    let what = format!("Approved the sign-in of {} via ssh", cat.email);
    assert!(
        approved.stdout.contains(&what),
        "the app names the NAS: {said}"
    );

    let rows = decisions(&site.radius_audit(&cat).await);
    let expected = [
        row("radius.reject", "ssh", "push_denied"),
        row("radius.reject", "ssh-hasty", "push_timeout"),
        row("radius.accept", "ssh", "push"),
    ];
    assert_eq!(rows, expected);
}

#[tokio::test]
async fn requests_it_cannot_trust_get_no_answer_and_are_counted_and_a_retransmission_is_answered_once()
 {
    if !tools_available("RADIUS drops") {
        return;
    }
    let (site, secrets) = Site::start(&[("mail", LOCAL, "code-only", &[])]).await;
    let (secret, addr) = (secrets[0].as_str(), site.radius());
    let dan = site.person("dan@example.com").await;

    // The same bytes twice, as a NAS retransmits: the same answer, one decision.
    let code = dan.code(0);
    let answers = Pyrad::new(secret, &dan.email, &code)
        .times(2)
        .send(addr)
        .await;
    assert_eq!(answers[0]["code"], "Access-Accept", "{answers:?}");
    assert_eq!(answers[0]["verified"], true, "{answers:?}");
    assert_eq!(answers[0]["raw"], answers[1]["raw"], "byte for byte");
    let rows = decisions(&site.radius_audit(&dan).await);
    assert_eq!(rows, [row("radius.accept", "mail", "totp")]);
    let retransmissions = "portcullis_radius_retransmissions_total";
    assert_eq!(site.metric_reaches(retransmissions, 1.0).await, 1.0);

    // No answer at all to what the server cannot trust; each counted by its reason.
    let (user, fresh) = (dan.email.as_str(), dan.code(30));
    let silent = |secret| Pyrad::new(secret, user, &fresh).wait(1.5);
    let typed = format!("User-Name = \"{user}\"\nUser-Password = \"{fresh}\"");
    let (a, b, c, d) = tokio::join!(
        silent("not-the-shared-secret").send(addr),
        silent(secret).without_message_authenticator().send(addr),
        silent(secret).from("127.0.0.2").send(addr),
        radclient(addr, "not-the-shared-secret", &typed, 1),
    );
    for answers in [&a, &b, &c] {
        assert_eq!(answers[..], [Value::Null], "no answer");
    }
    assert_eq!(parse_radclient(&d.stdout), None, "no answer: {d:#?}");
    let counts = [
        ("bad_message_authenticator", 2.0),
        ("missing_message_authenticator", 1.0),
        ("unknown_client", 1.0),
    ];
    for (reason, n) in counts {
        assert_eq!(
            site.metric_reaches(&dropped(reason), n).await,
            n,
            "{reason}"
        );
    }
    assert_eq!(
        site.radius_audit(&dan).await.len(),
        1,
        "a dropped request decides nothing"
    );

    // The operator removes the client: the running server drops its requests within seconds.
    let removed = site
        .install
        .run(&["radius-client", "remove", "mail"], "")
        .await;
    assert_eq!(removed.code, Some(0), "{removed:#?}");
    let started = Instant::now();
    while !silent(secret).wait(0.5).send(addr).await[0].is_null() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still answered"
        );
    }
    assert!(site.metric_reaches(&dropped("unknown_client"), 2.0).await >= 2.0);

    // And one added while it runs is answered within seconds, with its own new secret.
    let flags = [
        "--name",
        "mail-again",
        "--address",
        LOCAL,
        "--mode",
        "code-only",
    ];
    let renewed = add_client(&site.install, &flags).await;
    assert_ne!(renewed, secret, "a new secret");
    let started = Instant::now();
    let answer = loop {
        let answer = silent(&renewed).wait(0.5).send(addr).await.remove(0);
        if !answer.is_null() || started.elapsed() > Duration::from_secs(10) {
            break answer;
        }
    };
    assert_eq!(answer["verified"], true, "answered and signed: {answer}");
}
