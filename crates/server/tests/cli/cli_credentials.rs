//! Black-box tests of the operator's `portcullis support-agent …` and `portcullis service-token …`
//! commands: the real executable on a fresh data folder (SQLite) per test, checked where people
//! see the result, in a real `serve` on port 0 (see `harness/cli.rs`).

#![cfg(unix)]

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::cli::*;

#[tokio::test]
async fn support_agent_create_makes_an_agent_who_alone_may_check_pins() {
    let install = Install::with_owner().await;
    let create = ["support-agent", "create", "--email", AGENT];
    install.run(&create, "").await.refused("--password-stdin");
    let with_stdin = [&create[..], &["--password-stdin"]].concat();
    install
        .run(&with_stdin, "short\n")
        .await
        .refused("at least 8 characters");
    let taken = [
        "support-agent",
        "create",
        "--email",
        OWNER,
        "--password-stdin",
    ];
    install
        .run(&taken, &format!("{AGENT_PASSWORD}\n"))
        .await
        .refused("already exists");
    install
        .run(&["support-agent", "list"], "")
        .await
        .said("No support agents yet");

    let made = install
        .run(&with_stdin, &format!("{AGENT_PASSWORD}\n"))
        .await;
    made.said(&format!("Created support agent {AGENT}"));
    assert_eq!(made.stdout.lines().count(), 1);
    let second = [
        "support-agent",
        "create",
        "--email",
        "second@support.example.com",
        "--password-stdin",
    ];
    install
        .run(&second, &format!("{AGENT_PASSWORD}\n"))
        .await
        .said("Created support agent");
    let list = install.run(&["support-agent", "list"], "").await;
    assert_eq!(list.stdout.lines().count(), 2, "{list:#?}");
    assert!(
        list.stdout
            .lines()
            .any(|l| l.starts_with(&format!("{AGENT}  created "))),
        "{list:#?}"
    );
    assert!(list.stdout.contains("last login never"));

    let server = install.serve().await;
    let owner = server.token(OWNER, PASSWORD).await;
    let body = json!({ "pin": "48213", "password": PASSWORD });
    let (status, _) = server
        .call(
            reqwest::Method::PUT,
            "/api/v1/me/support-pin",
            &owner,
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let agent = server.token(AGENT, AGENT_PASSWORD).await;
    let check = json!({ "email": OWNER, "pin": "48213" });
    let (status, answer) = server
        .call(
            reqwest::Method::POST,
            "/api/v1/support/verify-pin",
            &agent,
            Some(check.clone()),
        )
        .await;
    assert_eq!((status, answer), (StatusCode::OK, json!({ "match": true })));
    let (status, _) = server
        .call(
            reqwest::Method::POST,
            "/api/v1/support/verify-pin",
            &owner,
            Some(check),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "an owner is no support agent"
    );
    let (_, audit) = server
        .call(reqwest::Method::GET, "/api/v1/me/audit", &agent, None)
        .await;
    let created = audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "support_agent.created")
        .cloned();
    let created = created.expect("the creation is in the agent's trail");
    assert_eq!(
        (&created["actor_id"], &created["detail"]["by"]),
        (&Value::Null, &json!("operator"))
    );
}

#[tokio::test]
async fn service_token_create_prints_the_token_once_and_revoke_ends_it() {
    let install = Install::with_owner().await;
    install
        .run(&["service-token", "create", "--name", " "], "")
        .await
        .refused("--name");
    install
        .run(&["service-token", "list"], "")
        .await
        .said("No service tokens yet");
    let exit = install
        .run(&["service-token", "create", "--name", "mail"], "")
        .await;
    assert_eq!(exit.code, Some(0), "{exit:#?}");
    let token = exit.stdout.trim().to_owned();
    assert_eq!(token.len(), 43, "256 bits, base64url: {token}");
    assert!(exit.stderr.contains("shown only this once"), "{exit:#?}");

    let list = install.run(&["service-token", "list"], "").await;
    assert_eq!(list.stdout.lines().count(), 1, "{list:#?}");
    let line = list.stdout.lines().next().unwrap().to_owned();
    assert!(
        line.contains("  mail  ") && line.ends_with("active") && line.contains("last used never"),
        "{line}"
    );
    assert!(!list.stdout.contains(&token), "the token is never listed");
    let id = line.split_whitespace().next().unwrap().to_owned();

    let server = install.serve().await;
    assert_eq!(server.app_auth(&token, PASSWORD).await, StatusCode::OK);
    let list = install.run(&["service-token", "list"], "").await;
    assert!(!list.stdout.contains("last used never"), "{list:#?}");

    install
        .run(&["service-token", "revoke", &id], "")
        .await
        .said("Revoked service token \"mail\"");
    assert_eq!(
        server.app_auth(&token, PASSWORD).await,
        StatusCode::UNAUTHORIZED
    );
    install
        .run(&["service-token", "revoke", &id], "")
        .await
        .refused(&format!("no active service token has the id {id}"));
    let list = install.run(&["service-token", "list"], "").await;
    assert!(list.stdout.contains("revoked "), "{list:#?}");
}
