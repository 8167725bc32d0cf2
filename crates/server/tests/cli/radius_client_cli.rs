//! `portcullis radius-client add|list|remove` as an operator runs them: the real executable on a
//! fresh data folder, on SQLite and PostgreSQL. `add` prints the shared secret alone on standard
//! output, `list` one client a line (`NAME  ADDRESS  MODE`, or JSON), `remove` takes it away; a
//! running `serve` on the same database sees each change through its API, without a restart,
//! and each change is an audit row of the operator's. Bad input exits non-zero with the reason
//! on standard error and nothing on standard output.

#![cfg(unix)]

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::harness::cli::*;
use crate::harness::server::TestEnv;

/// The shell of one test: a data folder and, on PostgreSQL, its database.
struct Shell {
    spec: Serve,
}

impl Shell {
    /// A fresh install with an owner.
    async fn with_owner(env: &TestEnv) -> Shell {
        let mut spec = Serve::new(&env.data, env.data.join("node").to_str().unwrap());
        spec.database_url = env.database_url.clone();
        let shell = Shell { spec };
        let owner = ["user", "create-owner", "--email", OWNER, "--password-stdin"];
        shell
            .run(&owner, &format!("{PASSWORD}\n"))
            .await
            .said(OWNER);
        shell
    }

    /// `portcullis ARGS --data DATA [--database-url URL]` with `stdin`.
    async fn run(&self, args: &[&str], stdin: &str) -> Exit {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--data", &self.spec.data]);
        if let Some(url) = &self.spec.database_url {
            all.extend(["--database-url", url]);
        }
        let mut cmd = command(BIN, &all);
        cmd.current_dir(&self.spec.root);
        finish(cmd, stdin.as_bytes()).await
    }

    async fn serve(&self) -> Server {
        Server::start(self.spec.clone()).await
    }

    /// The audit rows of RADIUS clients, oldest first: (type, detail). Operator's acts have no
    /// person whose own trail would show them, so the test reads the table.
    async fn client_audit(&self) -> Vec<(String, Value)> {
        let url = match &self.spec.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}/portcullis.db?mode=ro", self.spec.data),
        };
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&url).await.unwrap();
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT type, detail FROM audit_events WHERE type LIKE 'radius_client.%' ORDER BY id",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        pool.close().await;
        rows.into_iter()
            .map(|(kind, detail)| (kind, serde_json::from_str(&detail).unwrap()))
            .collect()
    }
}

fn add_args<'a>(name: &'a str, address: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "radius-client",
        "add",
        "--contract-of",
        OWNER,
        "--name",
        name,
        "--address",
        address,
    ];
    args.extend_from_slice(extra);
    args
}

/// `add`: the secret, checked to be alone on standard output.
async fn add(install: &Shell, name: &str, address: &str, extra: &[&str]) -> String {
    let exit = install.run(&add_args(name, address, extra), "").await;
    assert_eq!(exit.code, Some(0), "{exit:#?}");
    assert_eq!(
        exit.stdout.lines().count(),
        1,
        "the secret alone: {exit:#?}"
    );
    let secret = exit.stdout.trim_end_matches('\n').to_owned();
    assert_eq!(secret.len(), 32, "{exit:#?}");
    assert!(
        secret.bytes().all(|b| b.is_ascii_alphanumeric()),
        "{exit:#?}"
    );
    assert!(exit.stderr.contains("shown only this once"), "{exit:#?}");
    assert!(!exit.stderr.contains(&secret), "{exit:#?}");
    secret
}

on_both_backends! {
    async fn radius_client_commands_add_list_and_remove_what_the_api_sees(env: TestEnv) {
        let install = Shell::with_owner(&env).await;
        let listed = install.run(&["radius-client", "list"], "").await;
        assert_eq!(listed.code, Some(0), "{listed:#?}");
        assert_eq!(listed.stdout, "", "no client, no line: {listed:#?}");

        let vpn = add(&install, "office-vpn", "192.0.2.10", &[]).await;
        let wifi = add(
            &install,
            "wifi",
            "10.1.2.3/8",
            &["--mode", "push", "--push-timeout", "40"],
        )
        .await;
        assert_ne!(vpn, wifi);
        add(&install, "ssh", "2001:db8::/32", &["--mode", "challenge"]).await;
        add(&install, "pam", "198.51.100.0/24", &["--mode", "code-only"]).await;

        let list = install.run(&["radius-client", "list"], "").await;
        assert_eq!(list.code, Some(0), "{list:#?}");
        let lines: Vec<&str> = list.stdout.lines().collect();
        assert_eq!(
            lines,
            [
                "office-vpn  192.0.2.10/32  password+code",
                "pam  198.51.100.0/24  code-only",
                "ssh  2001:db8::/32  challenge",
                "wifi  10.0.0.0/8  push",
            ],
            "{list:#?}"
        );
        assert!(!list.stdout.contains(&vpn) && !list.stderr.contains(&vpn));

        let json = install
            .run(
                &["radius-client", "list", "--contract-of", OWNER, "--json"],
                "",
            )
            .await;
        let rows: Vec<Value> = json
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(rows.len(), 4, "{json:#?}");
        let wifi_row = rows.iter().find(|r| r["name"] == "wifi").unwrap();
        assert_eq!(wifi_row["address"], "10.0.0.0/8");
        assert_eq!(wifi_row["mode"], "push");
        assert_eq!(wifi_row["push_timeout_secs"], 40);
        let vpn_row = rows.iter().find(|r| r["name"] == "office-vpn").unwrap();
        assert_eq!(vpn_row["push_timeout_secs"], 25, "the default");
        assert!(rows.iter().all(|r| r.get("secret").is_none()));

        let server = install.serve().await;
        let owner = server.token(OWNER, PASSWORD).await;
        let (status, body) = server
            .call(Method::GET, "/api/v1/radius-clients", &owner, None)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["clients"].as_array().unwrap().len(), 4, "{body}");

        install
            .run(&["radius-client", "remove", "wifi"], "")
            .await
            .said("Removed RADIUS client wifi");
        install
            .run(&["radius-client", "remove", "wifi"], "")
            .await
            .refused("no RADIUS client is called wifi");
        let list = install.run(&["radius-client", "list"], "").await;
        assert_eq!(list.stdout.lines().count(), 3, "{list:#?}");
        assert!(!list.stdout.contains("wifi"), "{list:#?}");
        let (_, body) = server
            .call(Method::GET, "/api/v1/radius-clients", &owner, None)
            .await;
        let names: Vec<&str> = body["clients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["office-vpn", "pam", "ssh"],
            "a running server sees the removal"
        );

        let audit = install.client_audit().await;
        let kinds: Vec<&str> = audit.iter().map(|(k, _)| k.as_str()).collect();
        let mut expected = vec!["radius_client.added"; 4];
        expected.push("radius_client.removed");
        assert_eq!(kinds, expected, "{audit:?}");
        let (_, removed) = audit.last().unwrap();
        assert_eq!(removed["by"], "operator", "{removed}");
        assert_eq!(removed["name"], "wifi", "{removed}");
        assert_eq!(removed["network"], "10.0.0.0/8", "{removed}");
        assert_eq!(removed["mode"], "push", "{removed}");
        for (_, detail) in &audit {
            let text = detail.to_string();
            assert!(!text.contains(&vpn) && !text.contains(&wifi), "no secret in the log");
        }
    }

    async fn radius_client_add_refuses_bad_input_and_writes_nothing(env: TestEnv) {
        let install = Shell::with_owner(&env).await;
        for (extra, address, message) in [
            (
                &[][..],
                "10.0.0.0/33",
                "address is an IPv4 or IPv6 address or block",
            ),
            (
                &[][..],
                "vpn.example.com",
                "address is an IPv4 or IPv6 address or block",
            ),
            (
                &["--push-timeout", "0"][..],
                "10.0.0.1",
                "push timeout is 1 to 600 seconds",
            ),
            (&["--mode", "totp"][..], "10.0.0.1", "invalid value"),
            (&["--mode", "Challenge"][..], "10.0.0.1", "invalid value"),
        ] {
            install
                .run(&add_args("vpn", address, extra), "")
                .await
                .refused(message);
        }
        install
            .run(&add_args(" ", "10.0.0.1", &[]), "")
            .await
            .refused("a RADIUS client name has 1 to 64 characters");
        let stranger = [
            "radius-client",
            "add",
            "--contract-of",
            "nobody@example.com",
            "--name",
            "vpn",
            "--address",
            "10.0.0.1",
        ];
        install
            .run(&stranger, "")
            .await
            .refused("no account has the email nobody@example.com");
        install
            .run(
                &[
                    "radius-client",
                    "list",
                    "--contract-of",
                    "nobody@example.com",
                ],
                "",
            )
            .await
            .refused("no account has the email nobody@example.com");

        add(&install, "vpn", "10.0.0.1", &[]).await;
        install
            .run(&add_args("vpn", "10.0.0.2", &[]), "")
            .await
            .refused("a RADIUS client with this name exists");
        let list = install.run(&["radius-client", "list"], "").await;
        assert_eq!(
            list.stdout, "vpn  10.0.0.1/32  password+code\n",
            "{list:#?}"
        );
        install
            .run(&["radius-client", "remove", "nope"], "")
            .await
            .refused("no RADIUS client is called nope");
    }
}
