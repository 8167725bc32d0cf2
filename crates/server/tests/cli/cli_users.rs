//! Black-box tests of the operator's `portcullis user …` commands: the real executable on a fresh
//! data folder (SQLite) per test, with none of the developer's `PORTCULLIS_*` settings. What a
//! command changed is checked where a person would see it: in `user list`, at `POST /login` of a
//! real `serve` on port 0, and in the affected user's own audit trail, where every change must
//! read as done by the operator.
//!
//! Every wait is bounded by [`PATIENCE`]; a child still running when a test fails is killed.

#![cfg(unix)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, Command};

use crate::harness::cli::{BIN, command};
use crate::harness::outbox;

const OWNER: &str = "owner@example.com";
const MEMBER: &str = "member@example.com";
const UNKNOWN: &str = "nobody@example.com";
const PASSWORD: &str = "Correct-Horse-7";
const MEMBER_PASSWORD: &str = "Battery-Staple-9";
/// The longest any one wait may take: a command, a start, a request.
const PATIENCE: Duration = Duration::from_secs(30);

/// `portcullis ARGS` with no `PORTCULLIS_*` setting of the developer's.
fn portcullis(args: &[&str]) -> Command {
    command(BIN, args)
}

/// How a command ended and everything it wrote.
#[derive(Debug)]
struct Exit {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Exit {
    /// The command succeeded and said so in one line.
    #[track_caller]
    fn confirmed(&self, needle: &str) -> &Exit {
        assert!(self.status.success(), "{self:#?}");
        assert_eq!(self.stdout.lines().count(), 1, "{self:#?}");
        assert!(self.stdout.contains(needle), "{self:#?}");
        self
    }

    /// The command failed, said why on standard error, and reported nothing done.
    #[track_caller]
    fn refused(&self, message: &str) -> &Exit {
        assert!(!self.status.success(), "{self:#?}");
        assert!(self.stderr.contains(message), "{self:#?}");
        assert_eq!(self.stdout, "", "{self:#?}");
        self
    }
}

/// A fresh data folder for one test, removed when the test ends, also when it fails.
struct Install {
    root: PathBuf,
    data: String,
}

impl Install {
    fn new() -> Install {
        let name = format!("portcullis-cli-{}", uuid::Uuid::new_v4().simple());
        let root = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&root).unwrap();
        let data = root.join("data").to_str().unwrap().to_owned();
        Install { root, data }
    }

    /// `portcullis user ARGS --data DATA`, with `stdin` as its input, run to its end.
    async fn user(&self, args: &[&str], stdin: &str) -> Exit {
        let args = [&["user"], args, &["--data", &self.data]].concat();
        let mut child = portcullis(&args)
            .current_dir(&self.root)
            .spawn()
            .expect("the binary starts");
        let mut input = child.stdin.take().unwrap();
        // A process that fails before reading its input closes the pipe; that is not our failure.
        let _ = input.write_all(stdin.as_bytes()).await;
        drop(input);
        let out = tokio::time::timeout(PATIENCE, child.wait_with_output())
            .await
            .unwrap_or_else(|_| panic!("{args:?} did not exit within {PATIENCE:?}"))
            .unwrap();
        Exit {
            status: out.status,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// A contract whose owner is [`OWNER`], and in it [`MEMBER`], a user with a password.
    async fn with_owner_and_member() -> Install {
        let install = Install::new();
        let owner = ["create-owner", "--email", OWNER, "--password-stdin"];
        let stdin = format!("{PASSWORD}\n");
        install.user(&owner, &stdin).await.confirmed(OWNER);
        let exit = install.create_member(&[]).await;
        exit.confirmed(&format!("Created user {MEMBER}"));
        install
    }

    async fn create_member(&self, extra: &[&str]) -> Exit {
        let create = ["create", "--email", MEMBER, "--in-contract-of", OWNER];
        let args = [&create[..], &["--password-stdin"], extra].concat();
        self.user(&args, &format!("{MEMBER_PASSWORD}\n")).await
    }

    /// `user list --json`, one object per user.
    async fn list(&self) -> Vec<Value> {
        let exit = self
            .user(&["list", "--contract-of", OWNER, "--json"], "")
            .await;
        assert!(exit.status.success(), "{exit:#?}");
        exit.stdout
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
            .collect()
    }

    async fn listed(&self, email: &str) -> Option<Value> {
        self.list().await.into_iter().find(|u| u["email"] == email)
    }

    async fn serve(&self) -> Server {
        Server::start(self).await
    }
}

impl Drop for Install {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// A running `portcullis serve` on the test's data folder, killed when the test ends.
struct Server {
    _child: Child,
    addr: SocketAddr,
    http: reqwest::Client,
}

impl Server {
    async fn start(install: &Install) -> Server {
        let args = ["serve", "--bind", "127.0.0.1:0", "--data", &install.data];
        let mut child = portcullis(&args)
            .current_dir(&install.root)
            .stdin(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let stderr = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = tokio::time::timeout(PATIENCE, stdout.next_line())
            .await
            .expect("serve announces itself")
            .unwrap()
            .expect("serve exited before listening");
        let addr = first
            .strip_prefix("Portcullis is listening on http://")
            .and_then(|rest| rest.split_once(' '))
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .0
            .to_owned();
        // A closed pipe would kill the server at its next line of output: keep reading both.
        tokio::spawn(drain(stdout));
        tokio::spawn(drain(stderr));
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(PATIENCE)
            .build()
            .unwrap();
        Server {
            _child: child,
            addr: addr.parse().expect("a socket address"),
            http,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// `POST /api/v1/login`: the status and the body.
    async fn login(&self, email: &str, password: &str) -> (StatusCode, Value) {
        let body = json!({ "username": email, "password": password });
        let r = self.http.post(self.url("/api/v1/login")).json(&body);
        let r = r.send().await.expect("answered");
        (r.status(), r.json().await.unwrap_or(Value::Null))
    }

    /// Logs in with the password alone and returns the session token.
    async fn token(&self, email: &str, password: &str) -> String {
        let (status, body) = self.login(email, password).await;
        assert_eq!(
            (status, &body["status"]),
            (StatusCode::OK, &json!("ok")),
            "{body}"
        );
        body["token"].as_str().unwrap().to_owned()
    }

    async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        let r = self.http.get(self.url(path)).bearer_auth(token);
        let r = r.send().await.expect("answered");
        (r.status(), r.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        let r = self.http.post(self.url(path)).bearer_auth(token).json(body);
        let r = r.send().await.expect("answered");
        (r.status(), r.json().await.unwrap_or(Value::Null))
    }

    /// The events of this user's own audit trail of `kind`, newest first.
    async fn audit(&self, token: &str, kind: &str) -> Vec<Value> {
        let (status, body) = self.get(token, "/api/v1/me/audit").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let events = body["events"].as_array().expect("events").iter();
        events.filter(|e| e["type"] == kind).cloned().collect()
    }

    /// Turns on an authenticator app for the signed-in user; returns nothing the test needs.
    async fn enable_totp(&self, token: &str, password: &str) {
        let (status, started) = self.post(token, "/api/v1/me/totp", &json!({})).await;
        assert!(status.is_success(), "{status}: {started}");
        let code = crate::harness::totp::code_now(started["secret"].as_str().unwrap());
        let body = json!({ "password": password, "code": code });
        let (status, activated) = self.post(token, "/api/v1/me/totp/activate", &body).await;
        assert!(status.is_success(), "{status}: {activated}");
    }
}

async fn drain(mut lines: Lines<BufReader<impl AsyncRead + Unpin>>) {
    while let Ok(Some(_)) = lines.next_line().await {}
}

/// An audit event recorded as the operator's act: no person as actor, `by: operator` in detail.
#[track_caller]
fn by_operator(event: &Value) {
    assert_eq!(event["actor_id"], Value::Null, "{event}");
    assert_eq!(event["detail"]["by"], "operator", "{event}");
    assert_eq!(event["outcome"], "success", "{event}");
}

#[tokio::test]
async fn a_member_created_from_the_shell_is_listed_beside_the_owner_and_can_log_in() {
    let install = Install::with_owner_and_member().await;

    let table = install.user(&["list", "--contract-of", MEMBER], "").await;
    assert!(table.status.success(), "{table:#?}");
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert!(lines[0].starts_with("Contract ") && lines[0].ends_with(": 2 users"));
    let header = ["EMAIL", "ROLE", "2FA", "FORCED", "LAST LOGIN"];
    assert_eq!(lines[1].split_whitespace().count(), 6, "{}", lines[1]);
    assert!(header.iter().all(|h| lines[1].contains(h)), "{}", lines[1]);
    let owner_row = lines.iter().find(|l| l.starts_with(OWNER)).unwrap();
    let member_row = lines.iter().find(|l| l.starts_with(MEMBER)).unwrap();
    let cells = |row: &str| {
        row.split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(cells(owner_row), [OWNER, "owner", "off", "no", "never"]);
    assert_eq!(cells(member_row), [MEMBER, "user", "off", "no", "never"]);

    let users = install.list().await;
    assert_eq!(users.len(), 2);
    let (owner, member) = (&users[0], &users[1]);
    let (owner, member) = if owner["email"] == OWNER {
        (owner, member)
    } else {
        (member, owner)
    };
    assert_eq!(
        (&owner["email"], &member["email"]),
        (&json!(OWNER), &json!(MEMBER))
    );
    assert_eq!(
        (&owner["role"], &member["role"]),
        (&json!("owner"), &json!("user"))
    );
    assert_eq!(owner["contract_id"], member["contract_id"]);
    assert!(owner["contract_id"].as_str().is_some_and(|c| !c.is_empty()));
    assert_eq!(member["two_factor"]["enabled"], false);
    assert_eq!(member["two_factor"]["forced"], false);

    // The operator's shell works beside a running server on the same database.
    let server = install.serve().await;
    let token = server.token(MEMBER, MEMBER_PASSWORD).await;
    let (_, me) = server.get(&token, "/api/v1/me").await;
    assert_eq!(
        (&me["role"], &me["contract_id"]),
        (&json!("user"), &users[0]["contract_id"])
    );
    let member = install.listed(MEMBER).await.unwrap();
    assert!(member["last_login_at"].is_string(), "{member}");
    assert_eq!(
        install.listed(OWNER).await.unwrap()["last_login_at"],
        Value::Null
    );

    let created = server.audit(&token, "user.created").await;
    assert_eq!(created.len(), 1, "{created:?}");
    by_operator(&created[0]);
    assert_eq!(created[0]["detail"]["role"], "user");
}

#[tokio::test]
async fn force_2fa_sends_the_user_to_the_setup_wizard_at_the_next_login_and_is_audited_as_the_operator()
 {
    let install = Install::with_owner_and_member().await;
    let server = install.serve().await;

    let forced = install.user(&["force-2fa", "--email", MEMBER], "").await;
    forced.confirmed(&format!("Force 2-Factor Auth is now on for {MEMBER}"));
    let (status, body) = server.login(MEMBER, MEMBER_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "enrollment_required", "{body}");
    assert!(body["login_ticket"].is_string() && body.get("token").is_none());
    assert_eq!(
        install.listed(MEMBER).await.unwrap()["two_factor"]["forced"],
        true
    );

    // The forced user cannot reach their audit trail before enrolling; lifting the flag lets
    // them in, and both changes must appear there as the operator's.
    let lifted = install
        .user(&["force-2fa", "--email", MEMBER, "--off"], "")
        .await;
    lifted.confirmed(&format!("Force 2-Factor Auth is now off for {MEMBER}"));
    let token = server.token(MEMBER, MEMBER_PASSWORD).await;
    for kind in ["two_factor.forced", "two_factor.unforced"] {
        let events = server.audit(&token, kind).await;
        assert_eq!(events.len(), 1, "{kind}: {events:?}");
        by_operator(&events[0]);
    }
}

#[tokio::test]
async fn reset_2fa_rescues_an_owner_who_lost_their_authenticator() {
    let install = Install::with_owner_and_member().await;
    let server = install.serve().await;
    let old_token = server.token(OWNER, PASSWORD).await;
    server.enable_totp(&old_token, PASSWORD).await;
    let (_, locked) = server.login(OWNER, PASSWORD).await;
    assert_eq!(locked["status"], "second_factor", "{locked}");
    assert_eq!(
        install.listed(OWNER).await.unwrap()["two_factor"]["enabled"],
        true
    );

    let reset = install.user(&["reset-2fa", "--email", OWNER], "").await;
    reset.confirmed(&format!("Reset the two-factor authentication of {OWNER}"));

    let (status, _) = server.get(&old_token, "/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "signed out everywhere");
    let token = server.token(OWNER, PASSWORD).await;
    let (_, me) = server.get(&token, "/api/v1/me").await;
    assert_eq!(me["two_factor"]["enabled"], false, "{me}");
    assert_eq!(me["two_factor"]["recovery_codes_left"], 0, "{me}");
    assert_eq!(me["role"], "owner");
    let events = server.audit(&token, "two_factor.reset_by_admin").await;
    assert_eq!(events.len(), 1, "{events:?}");
    by_operator(&events[0]);
    assert!(events[0]["detail"]["sessions_revoked"].as_u64() >= Some(1));
}

#[tokio::test]
async fn set_role_promotes_a_user_to_administrator_and_is_audited_as_the_operator() {
    let install = Install::with_owner_and_member().await;
    let promote = ["set-role", "--email", MEMBER, "--role", "administrator"];
    let exit = install.user(&promote, "").await;
    exit.confirmed(&format!("{MEMBER} is now administrator (was user)"));
    assert_eq!(
        install.listed(MEMBER).await.unwrap()["role"],
        "administrator"
    );
    let again = install.user(&promote, "").await;
    again.confirmed("already has the role administrator");

    let server = install.serve().await;
    let token = server.token(MEMBER, MEMBER_PASSWORD).await;
    let (_, me) = server.get(&token, "/api/v1/me").await;
    assert_eq!(me["role"], "administrator");
    let changes = server.audit(&token, "user.role_changed").await;
    assert_eq!(changes.len(), 1, "once, not for the repeat: {changes:?}");
    by_operator(&changes[0]);
    assert_eq!(changes[0]["detail"]["from"], "user");
    assert_eq!(changes[0]["detail"]["to"], "administrator");
}

#[tokio::test]
async fn delete_removes_the_user_who_can_then_no_longer_log_in() {
    let install = Install::with_owner_and_member().await;
    let exit = install.user(&["delete", "--email", MEMBER], "").await;
    exit.confirmed(&format!("Deleted user {MEMBER}"));

    let users = install.list().await;
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["email"], OWNER);
    let server = install.serve().await;
    let (status, _) = server.login(MEMBER, MEMBER_PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let again = install.user(&["delete", "--email", MEMBER], "").await;
    again.refused(&format!("no account has the email {MEMBER}"));
}

#[tokio::test]
async fn the_owner_can_be_neither_deleted_nor_demoted_nor_made_twice() {
    let install = Install::with_owner_and_member().await;

    let delete = install.user(&["delete", "--email", OWNER], "").await;
    delete.refused("the owner cannot be deleted");
    let demote = ["set-role", "--email", OWNER, "--role", "user"];
    install
        .user(&demote, "")
        .await
        .refused("the owner cannot have another role");
    let promote = ["set-role", "--email", MEMBER, "--role", "owner"];
    install
        .user(&promote, "")
        .await
        .refused("invalid value 'owner'");
    let second = [
        "create",
        "--email",
        "second@example.com",
        "--in-contract-of",
        OWNER,
    ];
    let second = install
        .user(&[&second[..], &["--role", "owner"]].concat(), "")
        .await;
    second.refused("possible values: user, administrator");

    let users = install.list().await;
    let mut roles: Vec<(&str, &str)> = users
        .iter()
        .map(|u| (u["email"].as_str().unwrap(), u["role"].as_str().unwrap()))
        .collect();
    roles.sort();
    assert_eq!(roles, [(MEMBER, "user"), (OWNER, "owner")]);
}

#[tokio::test]
async fn every_command_names_an_unknown_email_and_changes_nothing() {
    let install = Install::with_owner_and_member().await;
    let before = install.list().await;
    let commands: [&[&str]; 6] = [
        &["list", "--contract-of", UNKNOWN],
        &[
            "create",
            "--email",
            "new@example.com",
            "--in-contract-of",
            UNKNOWN,
        ],
        &["set-role", "--email", UNKNOWN, "--role", "administrator"],
        &["force-2fa", "--email", UNKNOWN],
        &["reset-2fa", "--email", UNKNOWN],
        &["delete", "--email", UNKNOWN],
    ];
    for args in commands {
        let exit = install.user(args, "").await;
        exit.refused(&format!("no account has the email {UNKNOWN}"));
    }
    assert_eq!(install.list().await, before);
}

#[tokio::test]
async fn create_refuses_a_weak_password_and_a_taken_email_and_invites_without_a_password() {
    let install = Install::with_owner_and_member().await;
    let weak = [
        "create",
        "--email",
        "weak@example.com",
        "--in-contract-of",
        OWNER,
    ];
    let weak = install
        .user(&[&weak[..], &["--password-stdin"]].concat(), "Short1!\n")
        .await;
    weak.refused("The password must be at least 8 characters long.");
    let taken = install.create_member(&[]).await;
    taken.refused("an account with this email already exists");
    let invalid = [
        "create",
        "--email",
        "not-an-email",
        "--in-contract-of",
        OWNER,
    ];
    let invalid = install.user(&invalid, "").await;
    invalid.refused("email must look like name@example.com");
    assert_eq!(install.list().await.len(), 2, "nothing was created");

    let invite = [
        "create",
        "--email",
        "invited@example.com",
        "--in-contract-of",
        MEMBER,
        "--role",
        "administrator",
        "--force-2fa",
    ];
    let exit = install.user(&invite, "").await;
    exit.confirmed("Invited administrator invited@example.com");
    let invited = install.listed("invited@example.com").await.unwrap();
    assert_eq!(invited["role"], "administrator");
    assert_eq!(invited["two_factor"]["forced"], true);
    assert_eq!(
        invited["contract_id"],
        install.listed(OWNER).await.unwrap()["contract_id"]
    );
}

#[tokio::test]
async fn list_without_a_contract_shows_every_contract_in_its_own_table() {
    let install = Install::with_owner_and_member().await;
    let second = [
        "create-owner",
        "--email",
        "other-owner@example.com",
        "--password-stdin",
    ];
    install
        .user(&second, &format!("{PASSWORD}\n"))
        .await
        .confirmed("other-owner@example.com");

    let table = install.user(&["list"], "").await;
    assert!(table.status.success(), "{table:#?}");
    let headings: Vec<&str> = table
        .stdout
        .lines()
        .filter(|l| l.starts_with("Contract "))
        .collect();
    assert_eq!(headings.len(), 2, "{}", table.stdout);
    let mut counts: Vec<&str> = headings
        .iter()
        .map(|h| h.rsplit(": ").next().unwrap())
        .collect();
    counts.sort();
    assert_eq!(counts, ["1 user", "2 users"]);

    let json = install.user(&["list", "--json"], "").await;
    let emails: Vec<String> = json
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["email"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(emails.len(), 3);
    assert!(emails.contains(&"other-owner@example.com".to_owned()));
}

/// The token of the "this wasn't me" link in the newest security notice mailed to `email` by the
/// server's file transport (no SMTP configured), waiting for the outbox worker to write it.
async fn lock_token_for(install: &Install, email: &str) -> String {
    let data = PathBuf::from(&install.data);
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let found = outbox::messages_to(&data, "email", email)
            .into_iter()
            .rev()
            .find_map(|m| {
                let body = m["body"].as_str()?.to_owned();
                let start = body.find("/lock?token=")? + "/lock?token=".len();
                Some(
                    body[start..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                        .collect::<String>(),
                )
            });
        if let Some(token) = found {
            return token;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no security notice to {email} in {}/outbox/email",
            data.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn unlock_lifts_a_lock_set_with_this_wasnt_me() {
    let install = Install::with_owner_and_member().await;
    let not_locked = install.user(&["unlock", "--email", MEMBER], "").await;
    not_locked.confirmed("is not locked");

    let server = install.serve().await;
    let token = server.token(MEMBER, MEMBER_PASSWORD).await;
    let change = json!({ "old_password": MEMBER_PASSWORD, "new_password": "Fresh-Staple-10" });
    let (status, _) = server.post(&token, "/api/v1/me/password", &change).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let lock = lock_token_for(&install, MEMBER).await;
    let r = server
        .http
        .post(server.url("/api/v1/lock"))
        .json(&json!({ "token": lock }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (status, body) = server.login(MEMBER, "Fresh-Staple-10").await;
    assert_eq!(status, StatusCode::LOCKED, "{body}");
    assert!(install.listed(MEMBER).await.unwrap()["locked_at"].is_string());

    let exit = install.user(&["unlock", "--email", MEMBER], "").await;
    exit.confirmed(&format!("Unlocked {MEMBER}"));
    assert!(install.listed(MEMBER).await.unwrap()["locked_at"].is_null());
    let token = server.token(MEMBER, "Fresh-Staple-10").await;
    let unlocked = server.audit(&token, "account.unlocked").await;
    assert_eq!(unlocked.len(), 1, "{unlocked:?}");
    by_operator(&unlocked[0]);
}
