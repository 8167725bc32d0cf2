//! `portcullis oidc-client …` and `portcullis oidc rotate-signing-key` as an operator runs them:
//! the real executable on a fresh data folder (SQLite), checked where the result is seen, in a
//! real `serve` on port 0: the API lists what the shell made, and JWKS shows a rotated key
//! beside the new one within seconds, without a restart.

#![cfg(unix)]

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::harness::cli::*;

const URI: &str = "https://grafana.example.com/login/generic_oauth";

fn create_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "oidc-client",
        "create",
        "--contract-of",
        OWNER,
        "--name",
        "Grafana",
        "--redirect-uri",
        URI,
    ];
    args.extend_from_slice(extra);
    args
}

async fn jwks_kids(server: &Server) -> Vec<(String, String)> {
    let (status, body) = server.call(Method::GET, "/oauth2/jwks", "", None).await;
    assert_eq!(status, StatusCode::OK);
    body["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["alg"].as_str().unwrap().to_owned(),
                k["kid"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn oidc_client_commands_create_list_rotate_and_delete_what_the_api_sees() {
    let install = Install::with_owner().await;
    install
        .run(
            &create_args(&["--redirect-uri", "http://app.example.com/cb"]),
            "",
        )
        .await
        .refused("https://");
    install
        .run(&create_args(&["--group", "nobody"]), "")
        .await
        .refused("there is no group called \"nobody\"");
    install
        .run(&["oidc-client", "list"], "")
        .await
        .said("No OIDC clients yet");

    let made = install.run(&create_args(&["--json"]), "").await;
    assert_eq!(made.code, Some(0), "{made:#?}");
    let created: Value = serde_json::from_str(made.stdout.trim()).expect("one JSON object");
    let client_id = created["client_id"].as_str().unwrap().to_owned();
    let secret = created["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 43);

    let public = install
        .run(
            &create_args(&["--public", "--first-party", "--require-2fa"]),
            "",
        )
        .await;
    public.said("client_id: ");
    assert!(!public.stdout.contains("client_secret"), "{public:#?}");

    let list = install.run(&["oidc-client", "list"], "").await;
    list.said(&client_id);
    assert_eq!(list.stdout.lines().count(), 2, "{list:#?}");
    assert!(
        list.stdout.contains("public  first-party  2FA"),
        "{list:#?}"
    );
    assert!(!list.stdout.contains(&secret), "the secret is never listed");
    let json = install
        .run(
            &["oidc-client", "list", "--contract-of", OWNER, "--json"],
            "",
        )
        .await;
    let rows: Vec<Value> = json
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .any(|r| r["client_id"] == client_id.as_str() && r["public"] == false)
    );

    let server = install.serve().await;
    let owner = server.token(OWNER, PASSWORD).await;
    let (status, body) = server
        .call(
            Method::GET,
            &format!("/api/v1/oidc/clients/{client_id}"),
            &owner,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["redirect_uris"][0], URI);
    assert_eq!(body["id_token_signed_response_alg"], "RS256", "the default");

    let rotated = install
        .run(&["oidc-client", "rotate-secret", &client_id, "--json"], "")
        .await;
    assert_eq!(rotated.code, Some(0), "{rotated:#?}");
    let again: Value = serde_json::from_str(rotated.stdout.trim()).unwrap();
    assert_eq!(again["client_id"], client_id.as_str());
    assert_ne!(again["client_secret"], secret.as_str());

    install
        .run(&["oidc-client", "delete", &client_id], "")
        .await
        .said("Deleted OIDC client");
    install
        .run(&["oidc-client", "delete", &client_id], "")
        .await
        .refused("no OIDC client has the id");
    let (status, _) = server
        .call(
            Method::GET,
            &format!("/api/v1/oidc/clients/{client_id}"),
            &owner,
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a running server sees the deletion"
    );
}

#[tokio::test]
async fn oidc_client_create_takes_the_id_token_algorithm_and_list_shows_it() {
    let install = Install::with_owner().await;
    install
        .run(&create_args(&["--id-token-alg", "eddsa"]), "")
        .await
        .refused("invalid value");
    install
        .run(&create_args(&["--id-token-alg", "HS256"]), "")
        .await
        .refused("invalid value");
    let made = install
        .run(&create_args(&["--id-token-alg", "EdDSA", "--json"]), "")
        .await;
    assert_eq!(made.code, Some(0), "{made:#?}");
    let created: Value = serde_json::from_str(made.stdout.trim()).unwrap();
    let plain = install.run(&create_args(&["--json"]), "").await;
    let plain: Value = serde_json::from_str(plain.stdout.trim()).unwrap();

    let json = install.run(&["oidc-client", "list", "--json"], "").await;
    let rows: Vec<Value> = json
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let alg_of = |id: &Value| {
        rows.iter()
            .find(|r| r["client_id"] == *id)
            .map(|r| r["id_token_signed_response_alg"].clone())
    };
    assert_eq!(rows.len(), 2, "only the two accepted clients: {json:#?}");
    assert_eq!(alg_of(&created["client_id"]), Some("EdDSA".into()));
    assert_eq!(alg_of(&plain["client_id"]), Some("RS256".into()));
    let table = install.run(&["oidc-client", "list"], "").await;
    assert!(
        table
            .stdout
            .lines()
            .any(|l| l.contains(created["client_id"].as_str().unwrap()) && l.contains("  EdDSA  ")),
        "{table:#?}"
    );
}

#[tokio::test]
async fn rotate_signing_key_shows_both_kids_in_a_running_servers_jwks_within_seconds() {
    let install = Install::with_owner().await;
    let server = install.serve().await;
    let before = jwks_kids(&server).await;
    assert_eq!(before.len(), 3, "one key per algorithm: {before:?}");
    let old = before
        .iter()
        .find(|(alg, _)| alg == "RS256")
        .unwrap()
        .1
        .clone();

    let exit = install
        .run(&["oidc", "rotate-signing-key", "--alg", "RS256"], "")
        .await;
    exit.said("New RS256 signing key");
    assert!(exit.stdout.contains("stays in JWKS until"), "{exit:#?}");
    let new = exit
        .stdout
        .split_whitespace()
        .nth(4)
        .unwrap()
        .trim_end_matches(';')
        .to_owned();
    assert_ne!(new, old);

    // The server reads keys through a cache of a few seconds: no restart needed.
    let started = Instant::now();
    let after = loop {
        let kids = jwks_kids(&server).await;
        if kids.len() == 4 || started.elapsed() > Duration::from_secs(15) {
            break kids;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let rs: Vec<&String> = after
        .iter()
        .filter(|(a, _)| a == "RS256")
        .map(|(_, k)| k)
        .collect();
    assert_eq!(rs.len(), 2, "{after:?}");
    assert!(rs.contains(&&old) && rs.contains(&&new), "{after:?}");

    install
        .run(&["oidc", "rotate-signing-key", "--alg", "rs256"], "")
        .await
        .refused("invalid value");
    let all = install.run(&["oidc", "rotate-signing-key"], "").await;
    assert_eq!(all.stdout.lines().count(), 3, "{all:#?}");
}
