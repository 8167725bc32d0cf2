//! `portcullis access-rule add|list|remove` as an operator runs it: refusals say why and print
//! nothing on standard output; `--json` prints the rule as the API shows it.

use serde_json::Value;

use crate::harness::cli::{Install, OWNER};

#[tokio::test]
async fn the_access_rule_commands_refuse_bad_input_and_say_why() {
    let install = Install::with_owner().await;
    let install = &install;
    let add = |rest: &'static [&'static str]| {
        let args = [&["access-rule", "add"][..], rest].concat();
        async move { install.run(&args, "").await }
    };
    add(&[
        "--contract-of",
        "nobody@example.com",
        "--host",
        "a.example",
        "--policy",
        "public",
    ])
    .await
    .refused("no account has the email nobody@example.com");
    add(&[
        "--contract-of",
        OWNER,
        "--host",
        "a.example/x",
        "--policy",
        "public",
    ])
    .await
    .refused("host");
    add(&[
        "--contract-of",
        OWNER,
        "--host",
        "a.example",
        "--policy",
        "public",
        "--group",
        "ops",
    ])
    .await
    .refused("no group named \"ops\"");
    let exit = add(&[
        "--contract-of",
        OWNER,
        "--host",
        "a.example",
        "--policy",
        "anyone",
    ])
    .await;
    assert_ne!(exit.code, Some(0), "{exit:#?}");
    let exit = add(&[
        "--contract-of",
        OWNER,
        "--host",
        "A.example",
        "--path-prefix",
        "/api/",
        "--policy",
        "two-factor",
        "--json",
    ])
    .await;
    assert_eq!(exit.code, Some(0), "{exit:#?}");
    let rule: Value = serde_json::from_str(exit.stdout.trim()).unwrap();
    assert_eq!(rule["host"], "a.example");
    assert_eq!(rule["path_prefix"], "/api");
    assert_eq!(rule["policy"], "two-factor");
    add(&[
        "--contract-of",
        OWNER,
        "--host",
        "a.example",
        "--path-prefix",
        "/api",
        "--policy",
        "public",
    ])
    .await
    .refused("already has a rule");
    install
        .run(&["access-rule", "remove", "no-such-id"], "")
        .await
        .refused("no access rule has the id no-such-id");
    let id = rule["id"].as_str().unwrap();
    install
        .run(&["access-rule", "remove", id], "")
        .await
        .said("Removed access rule");
    install
        .run(&["access-rule", "list"], "")
        .await
        .said("No access rules yet");
}
