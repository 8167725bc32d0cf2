//! `portcullis checkpassword`, Dovecot's helper, through the real executable: the credentials
//! arrive on file descriptor 3 as Dovecot writes them, and the reply program answers on
//! descriptor 4, both wired up by `sh`; a real `serve` on port 0 answers (see `harness/cli.rs`).

#![cfg(unix)]

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::cli::*;

/// `portcullis checkpassword` as Dovecot runs it: `input` on descriptor 3, and a reply program
/// that writes `USER` to descriptor 4, which is the test's standard output here.
async fn checkpassword(env: &[(&str, &str)], input: &[u8]) -> Exit {
    let script = "exec \"$0\" checkpassword \"$@\" 3<&0 4>&1";
    let reply = "printf 'user=%s' \"$USER\" >&4";
    let mut cmd = command("sh", &["-c", script, BIN, "/bin/sh", "-c", reply]);
    cmd.envs(env.iter().copied());
    finish(cmd, input).await
}

#[tokio::test]
async fn checkpassword_lets_dovecot_sign_in_with_an_app_password() {
    let install = Install::with_owner().await;
    let token = install.service_token("mail").await;
    let server = install.serve().await;
    let owner = server.token(OWNER, PASSWORD).await;
    let body = json!({ "name": "Thunderbird", "password": PASSWORD });
    let (status, made) = server
        .call(
            reqwest::Method::POST,
            "/api/v1/me/app-passwords",
            &owner,
            Some(body),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let app_password = made["password"].as_str().unwrap().to_owned();
    let url = server.url();
    let env = [
        ("PORTCULLIS_URL", url.as_str()),
        ("PORTCULLIS_SERVICE_TOKEN", token.as_str()),
        ("TCPREMOTEIP", "198.51.100.9"),
    ];
    let input = |password: &str| format!("{OWNER}\0{password}\0\0").into_bytes();

    // Good credentials run the reply program with USER set.
    let exit = checkpassword(&env, &input(&app_password)).await;
    assert_eq!(
        (exit.code, exit.stdout.as_str()),
        (Some(0), format!("user={OWNER}").as_str()),
        "{exit:#?}"
    );
    let (_, list) = server
        .call(
            reqwest::Method::GET,
            "/api/v1/me/app-passwords",
            &owner,
            None,
        )
        .await;
    assert_eq!(
        list["app_passwords"][0]["last_used_ip"], "198.51.100.9",
        "Dovecot's client address"
    );

    // Wrong credentials: 1, and the reply program does not run.
    let exit = checkpassword(&env, &input("Wrong-Password-1")).await;
    assert_eq!(
        (exit.code, exit.stdout.as_str()),
        (Some(1), ""),
        "{exit:#?}"
    );
    assert!(
        !exit.stderr.contains("Wrong-Password-1"),
        "the password is never printed"
    );

    // Temporary failures: 111. A revoked or unknown token, an unreachable server.
    let bad_token = [env[0], ("PORTCULLIS_SERVICE_TOKEN", "not-a-token")];
    let exit = checkpassword(&bad_token, &input(&app_password)).await;
    assert_eq!(exit.code, Some(111), "{exit:#?}");
    assert!(
        exit.stderr.contains("refused the service token"),
        "{exit:#?}"
    );
    let unreachable = [("PORTCULLIS_URL", "http://127.0.0.1:9"), env[1]];
    let exit = checkpassword(&unreachable, &input(&app_password)).await;
    assert_eq!(
        (exit.code, exit.stdout.as_str()),
        (Some(111), ""),
        "{exit:#?}"
    );
    let lookup = [env[0], env[1], ("AUTHORIZED", "1")];
    assert_eq!(checkpassword(&lookup, &input("")).await.code, Some(111));

    // Called without the protocol's input: 2.
    let mut cmd = command(
        "sh",
        &["-c", "exec \"$0\" checkpassword /bin/true 3<&-", BIN],
    );
    cmd.envs(env.iter().copied());
    let exit = finish(cmd, b"").await;
    assert_eq!(exit.code, Some(2), "{exit:#?}");
    let exit = checkpassword(&env, b"only-a-name").await;
    assert_eq!(exit.code, Some(2), "{exit:#?}");

    // The token may come from a file instead, as Dovecot's environment is usually bare.
    let token_file = install.root.join("mail.token");
    std::fs::write(&token_file, format!("{token}\n")).unwrap();
    let from_file = [
        env[0],
        (
            "PORTCULLIS_SERVICE_TOKEN_FILE",
            token_file.to_str().unwrap(),
        ),
    ];
    let exit = checkpassword(&from_file, &input(&app_password.replace('-', ""))).await;
    assert_eq!(exit.code, Some(0), "{exit:#?}");
}
