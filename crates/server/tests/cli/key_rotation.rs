//! `portcullis rotate-key`, `backup` and `restore` through the real binary: a rotation while the
//! server serves sign-ins and enrolments, a rotation killed (`kill -9`) at two points and
//! resumed, a rotation with the keys in `PORTCULLIS_MASTER_KEY` on PostgreSQL, and a backup
//! taken online and restored.
//!
//! Every secret is checked afterwards where it matters: the authenticator key opens (a sign-in
//! with a code computed from it), the recovery codes' digest key survived (a sign-in with a
//! recovery code), and the database holds nothing sealed by another key.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use portcullis_core::totp::{TotpParams, TotpSecret, base32_decode, code_at};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::harness::cli::{BIN, PASSWORD, PATIENCE, Serve, Server, command, finish};
use crate::harness::server::{self, Backend, TestEnv};
use crate::harness::totp::current_step;

/// The tables that hold sealed secrets and their ciphertext's column
/// (crates/store/src/sealed.rs). A delivered message keeps its key id but no longer its content.
const SEALED: [(&str, &str); 6] = [
    ("totp_pending", "secret"),
    ("totp_factors", "secret"),
    ("emergency_kits", "sealed"),
    ("held", "sealed"),
    ("outbox", "sealed"),
    ("key_material", "sealed"),
];

/// A person with an active authenticator: what they know.
struct Person {
    email: String,
    secret: TotpSecret,
    recovery: Vec<String>,
    /// The last time step a code was used for (the replay guard refuses it and older ones).
    step: i64,
}

impl Person {
    /// A code the server accepts now: the current step's, or the next one's (within the window)
    /// when the current step was used already.
    fn next_code(&mut self) -> String {
        self.step = current_step().max(self.step + 1);
        code_at(&self.secret, &TotpParams::default(), self.step)
    }
}

async fn call(node: &Server, method: Method, path: &str, token: &str, body: Value) -> Value {
    let (status, body) = node.call(method, path, token, Some(body)).await;
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

/// Signs up, enrols an authenticator and activates it.
async fn enrolled(node: &Server, email: &str) -> Person {
    let signup = json!({ "email": email, "password": PASSWORD });
    call(node, Method::POST, "/api/v1/signup", "", signup).await;
    let token = node.token(email, PASSWORD).await;
    let started = call(node, Method::POST, "/api/v1/me/totp", &token, json!({})).await;
    let secret =
        TotpSecret::from_bytes(base32_decode(started["secret"].as_str().unwrap()).unwrap());
    let mut person = Person {
        email: email.to_owned(),
        secret,
        recovery: Vec::new(),
        step: current_step() - 1,
    };
    let activate = json!({ "password": PASSWORD, "code": person.next_code() });
    let body = call(
        node,
        Method::POST,
        "/api/v1/me/totp/activate",
        &token,
        activate,
    )
    .await;
    person.recovery = body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(person.recovery.len(), 10);
    person
}

/// Password, then `kind` ("totp" or "recovery") with `code`: the second step's status.
async fn sign_in(node: &Server, email: &str, kind: &str, code: &str) -> StatusCode {
    let login = json!({ "username": email, "password": PASSWORD });
    let ticket = call(node, Method::POST, "/api/v1/login", "", login).await;
    let ticket = ticket["login_ticket"].as_str().expect("a second step");
    let step = json!({ "login_ticket": ticket, "code": code });
    let path = format!("/api/v1/login/{kind}");
    node.call(Method::POST, &path, "", Some(step)).await.0
}

async fn sign_in_with_totp(node: &Server, person: &mut Person) {
    let code = person.next_code();
    let status = sign_in(node, &person.email, "totp", &code).await;
    assert_eq!(status, StatusCode::OK, "{} with a code", person.email);
}

async fn sign_in_with_recovery(node: &Server, person: &mut Person) {
    let code = person.recovery.pop().unwrap();
    let status = sign_in(node, &person.email, "recovery", &code).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{} with a recovery code",
        person.email
    );
}

fn key_lines(data: &Path) -> Vec<String> {
    std::fs::read_to_string(data.join("master.key"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Every (table, key id) pair of the sealed secrets in the database.
async fn sealed_key_ids(url: &str) -> Vec<(String, String)> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let mut found = Vec::new();
    for (table, data) in SEALED {
        let sql = format!("SELECT key_id FROM {table} WHERE {data} IS NOT NULL");
        let ids: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_all(&pool)
            .await
            .unwrap();
        found.extend(ids.into_iter().map(|id| (table.to_owned(), id)));
    }
    pool.close().await;
    found
}

fn sqlite_url(data: &Path) -> String {
    format!("sqlite://{}?mode=ro", data.join("portcullis.db").display())
}

/// `portcullis ARGS` on `spec`'s data and database, with its key setting.
fn cli(spec: &Serve, args: &[&str]) -> tokio::process::Command {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--data", &spec.data]);
    if let Some(url) = &spec.database_url {
        all.extend(["--database-url", url]);
    }
    let mut cmd = command(BIN, &all);
    cmd.current_dir(&spec.root);
    if let Some(key) = &spec.master_key {
        cmd.env("PORTCULLIS_MASTER_KEY", key);
    }
    cmd
}

fn spec_in(env: &TestEnv) -> Serve {
    let mut spec = Serve::new(&env.data, env.data.join("node").to_str().unwrap());
    spec.database_url = env.database_url.clone();
    spec.arg("--open-registration")
}

fn new_key() -> String {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).unwrap();
    STANDARD.encode(key)
}

/// The SealingKey id of a base64 master key, as rotate-key prints and the database stores it.
fn key_id(key: &str) -> String {
    portcullis_server::keys::MasterKey::from_bytes(
        STANDARD.decode(key).unwrap().try_into().unwrap(),
    )
    .current_id()
}

#[tokio::test]
async fn a_rotation_runs_while_the_server_serves_and_every_secret_follows_it() {
    server::run(Backend::Sqlite, |env| async move {
        let spec = spec_in(&env);
        let data = PathBuf::from(&spec.data);
        let node = Server::start(spec.clone()).await;
        let mut people = Vec::new();
        for i in 0..6 {
            people.push(enrolled(&node, &format!("p{i}@example.com")).await);
        }
        // An enrolment started before the rotation and finished after it.
        let late_token = {
            let signup = json!({ "email": "late@example.com", "password": PASSWORD });
            call(&node, Method::POST, "/api/v1/signup", "", signup).await;
            node.token("late@example.com", PASSWORD).await
        };
        let late = call(
            &node,
            Method::POST,
            "/api/v1/me/totp",
            &late_token,
            json!({}),
        )
        .await;
        let old = key_lines(&data);
        assert_eq!(old.len(), 1);

        // The rotation runs beside sign-ins and new enrolments.
        let rotation = {
            let cmd = cli(&spec, &["rotate-key", "--batch", "1", "--settle-secs", "2"]);
            tokio::spawn(finish(cmd, b""))
        };
        // Each person enrolled meanwhile signs in once (a code may be used once per time step).
        let mut during = Vec::new();
        while !rotation.is_finished() {
            let mut person = enrolled(&node, &format!("during{}@example.com", during.len())).await;
            sign_in_with_totp(&node, &mut person).await;
            during.push(person);
        }
        let exit = rotation.await.unwrap();
        assert_eq!(exit.code, Some(0), "{exit:#?}");
        assert!(
            !during.is_empty(),
            "the server served while the key rotated"
        );
        let new = key_lines(&data);
        assert_eq!(new.len(), 1, "the old key is gone from the file");
        assert_ne!(new, old);
        let new_id = key_id(&new[0]);
        assert!(exit.stdout.contains(&new_id), "{exit:#?}");
        let sealed = sealed_key_ids(&sqlite_url(&data)).await;
        assert!(sealed.iter().any(|(t, _)| t == "totp_factors"));
        assert!(sealed.iter().any(|(t, _)| t == "key_material"));
        assert!(
            sealed.iter().all(|(_, id)| *id == new_id),
            "everything is sealed with the new key: {sealed:?}"
        );

        // The running server took the new key: an enrolment started under the old key finishes.
        let secret =
            TotpSecret::from_bytes(base32_decode(late["secret"].as_str().unwrap()).unwrap());
        let code = code_at(&secret, &TotpParams::default(), current_step());
        let activate = json!({ "password": PASSWORD, "code": code });
        call(
            &node,
            Method::POST,
            "/api/v1/me/totp/activate",
            &late_token,
            activate,
        )
        .await;

        // After a restart with the new key alone, every authenticator and recovery code works.
        let (spec, status) = node.terminate().await;
        assert!(status.success());
        let node = Server::start(spec).await;
        for person in &mut people {
            sign_in_with_totp(&node, person).await;
            sign_in_with_recovery(&node, person).await;
        }
        for person in &mut during {
            sign_in_with_recovery(&node, person).await;
        }
    })
    .await;
}

/// Reads `child`'s standard output until a line contains `needle`, then kills it.
async fn kill_when_it_says(mut cmd: tokio::process::Command, needle: &str) -> String {
    let mut child = cmd.spawn().unwrap();
    drop(child.stdin.take());
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut said = String::new();
    loop {
        let line = tokio::time::timeout(PATIENCE, lines.next_line())
            .await
            .expect("the rotation goes on")
            .unwrap()
            .unwrap_or_else(|| panic!("the rotation ended before saying {needle:?}: {said}"));
        said.push_str(&line);
        said.push('\n');
        if line.contains(needle) {
            child.start_kill().unwrap();
            child.wait().await.unwrap();
            return said;
        }
    }
}

#[tokio::test]
async fn a_rotation_killed_at_any_point_resumes_where_it_stopped() {
    server::run(Backend::Sqlite, |env| async move {
        let spec = spec_in(&env);
        let data = PathBuf::from(&spec.data);
        let node = Server::start(spec.clone()).await;
        let mut people = Vec::new();
        for i in 0..8 {
            people.push(enrolled(&node, &format!("p{i}@example.com")).await);
        }
        let (spec, _) = node.terminate().await;
        let old = key_lines(&data);

        // Killed while it waits for the servers, with the new key written and nothing resealed.
        let args = ["rotate-key", "--batch", "1", "--settle-secs", "30"];
        kill_when_it_says(cli(&spec, &args), "Waiting").await;
        let during = key_lines(&data);
        assert_eq!(during.len(), 2, "the new key and the old one");
        assert_eq!(during[1], old[0]);
        // A server started now opens both: sign-ins work in the middle of a rotation.
        let node = Server::start(spec.clone()).await;
        sign_in_with_totp(&node, &mut people[0]).await;

        // Killed again half-way through resealing.
        let args = ["rotate-key", "--batch", "1", "--settle-secs", "1"];
        let said = kill_when_it_says(cli(&spec, &args), "resealed 1").await;
        assert!(said.contains("Resuming"), "{said}");
        assert_eq!(key_lines(&data), during, "no new key on resuming");

        let exit = finish(cli(&spec, &args), b"").await;
        assert_eq!(exit.code, Some(0), "{exit:#?}");
        assert!(exit.stdout.contains("Resuming"), "{exit:#?}");
        assert_eq!(key_lines(&data), vec![during[0].clone()]);
        let new_id = key_id(&during[0]);
        let sealed = sealed_key_ids(&sqlite_url(&data)).await;
        assert!(sealed.iter().all(|(_, id)| *id == new_id), "{sealed:?}");

        node.terminate().await;
        let node = Server::start(spec).await;
        // The first one used this time step's code already.
        sign_in_with_recovery(&node, &mut people[0]).await;
        for person in &mut people[1..] {
            sign_in_with_totp(&node, person).await;
            sign_in_with_recovery(&node, person).await;
        }
    })
    .await;
}

#[tokio::test]
async fn with_the_keys_in_the_environment_the_operator_swaps_them_and_the_command_reseals() {
    server::run(Backend::Postgres, |env| async move {
        let old = new_key();
        let new = new_key();
        let mut spec = spec_in(&env);
        spec.master_key = Some(old.clone());
        let node = Server::start(spec.clone()).await;
        let mut people = Vec::new();
        for i in 0..3 {
            people.push(enrolled(&node, &format!("p{i}@example.com")).await);
        }
        // A rolling restart with NEW,OLD; the command reseals; a restart with NEW alone.
        let (mut spec, _) = node.terminate().await;
        spec.master_key = Some(format!("{new},{old}"));
        let node = Server::start(spec.clone()).await;
        let exit = finish(cli(&spec, &["rotate-key", "--settle-secs", "0"]), b"").await;
        assert_eq!(exit.code, Some(0), "{exit:#?}");
        assert!(exit.stdout.contains("remove the older keys"), "{exit:#?}");
        let sealed = sealed_key_ids(env.database_url.as_deref().unwrap()).await;
        assert!(
            sealed.iter().all(|(_, id)| *id == key_id(&new)),
            "{sealed:?}"
        );

        let (mut spec, _) = node.terminate().await;
        spec.master_key = Some(new.clone());
        let node = Server::start(spec.clone()).await;
        for person in &mut people {
            sign_in_with_totp(&node, person).await;
            sign_in_with_recovery(&node, person).await;
        }
        // On PostgreSQL, backups are pg_dump's job; the commands say so.
        let exit = finish(cli(&spec, &["backup", "--to", "x.db"]), b"").await;
        assert_ne!(exit.code, Some(0));
        assert!(exit.stderr.contains("pg_dump"), "{exit:#?}");
        let exit = finish(cli(&spec, &["restore", "--from", "x.db"]), b"").await;
        assert!(exit.stderr.contains("pg_restore"), "{exit:#?}");
    })
    .await;
}

#[tokio::test]
async fn a_backup_taken_online_restores_with_its_key_and_only_with_it() {
    server::run(Backend::Sqlite, |env| async move {
        let spec = spec_in(&env);
        let data = PathBuf::from(&spec.data);
        let node = Server::start(spec.clone()).await;
        let mut kept = enrolled(&node, "kept@example.com").await;
        // Signs in only from the copy in a new folder (a code may be used once per time step).
        let mut elsewhere = enrolled(&node, "elsewhere@example.com").await;
        let backup = env.data.join("backup.db");
        let backup_arg = backup.to_str().unwrap();

        // Taken while sign-ups go on.
        let taking = tokio::spawn(finish(cli(&spec, &["backup", "--to", backup_arg]), b""));
        let mut n = 0;
        while !taking.is_finished() || n == 0 {
            let signup = json!({ "email": format!("busy{n}@example.com"), "password": PASSWORD });
            call(&node, Method::POST, "/api/v1/signup", "", signup).await;
            n += 1;
        }
        let exit = taking.await.unwrap();
        assert_eq!(exit.code, Some(0), "{exit:#?}");
        assert!(exit.stdout.contains("master key"), "{exit:#?}");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the backup is private: {mode:o}");
        let again = finish(cli(&spec, &["backup", "--to", backup_arg]), b"").await;
        assert!(again.stderr.contains("exists already"), "{again:#?}");

        // After the backup: someone new, and a recovery code used.
        enrolled(&node, "after@example.com").await;
        let used = kept.recovery.last().unwrap().clone();
        sign_in_with_recovery(&node, &mut kept).await;

        let busy = finish(cli(&spec, &["restore", "--from", backup_arg]), b"").await;
        assert!(busy.stderr.contains("a server is running"), "{busy:#?}");
        let (spec, _) = node.terminate().await;
        let exit = finish(cli(&spec, &["restore", "--from", backup_arg]), b"").await;
        assert_eq!(exit.code, Some(0), "{exit:#?}");
        assert!(exit.stdout.contains("kept as"), "{exit:#?}");

        let node = Server::start(spec.clone()).await;
        sign_in_with_totp(&node, &mut kept).await;
        // The database is the backup's: the code used after it is unused again there, and
        // whoever signed up after it is unknown.
        assert_eq!(
            sign_in(&node, &kept.email, "recovery", &used).await,
            StatusCode::OK
        );
        let login = json!({ "username": "after@example.com", "password": PASSWORD });
        let (status, _) = node
            .call(Method::POST, "/api/v1/login", "", Some(login))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        node.terminate().await;

        // Into a new folder: refused without the key, and with another key; works with it.
        let fresh = Serve::new(&env.data, env.data.join("fresh").to_str().unwrap())
            .arg("--open-registration");
        let exit = finish(cli(&fresh, &["restore", "--from", backup_arg]), b"").await;
        assert!(exit.stderr.contains("no master key"), "{exit:#?}");
        let mut other = fresh.clone();
        other.master_key = Some(new_key());
        let exit = finish(cli(&other, &["restore", "--from", backup_arg]), b"").await;
        assert!(exit.stderr.contains("restore with the key"), "{exit:#?}");
        let mut right = fresh.clone();
        right.master_key = Some(key_lines(&data)[0].clone());
        let exit = finish(cli(&right, &["restore", "--from", backup_arg]), b"").await;
        assert_eq!(exit.code, Some(0), "{exit:#?}");
        let node = Server::start(right).await;
        sign_in_with_totp(&node, &mut elsewhere).await;
        sign_in_with_recovery(&node, &mut elsewhere).await;

        // Something that is not a backup is refused before anything is touched.
        let junk = env.data.join("junk.db");
        std::fs::write(&junk, b"not a database").unwrap();
        let exit = finish(
            cli(&fresh, &["restore", "--from", junk.to_str().unwrap()]),
            b"",
        )
        .await;
        assert!(exit.stderr.contains("not a usable backup"), "{exit:#?}");
    })
    .await;
}

#[tokio::test]
async fn a_key_file_others_can_read_stops_the_server() {
    server::run(Backend::Sqlite, |env| async move {
        let spec = spec_in(&env);
        let data = PathBuf::from(&spec.data);
        let (spec, _) = Server::start(spec).await.terminate().await;
        use std::os::unix::fs::PermissionsExt;
        let key = data.join("master.key");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut args = vec!["serve", "--bind", "127.0.0.1:0"];
        args.extend(spec.args.iter().map(String::as_str));
        let exit = finish(cli(&spec, &args), b"").await;
        assert_ne!(exit.code, Some(0), "{exit:#?}");
        assert!(exit.stderr.contains("readable by others"), "{exit:#?}");
        // The same check guards the commands that read the key.
        let exit = finish(cli(&spec, &["rotate-key"]), b"").await;
        assert!(exit.stderr.contains("readable by others"), "{exit:#?}");
        assert_eq!(key_lines(&data).len(), 1, "nothing was rotated");
    })
    .await;
}

#[tokio::test]
async fn on_postgresql_a_key_file_rotates_only_when_the_operator_says_it_is_the_only_node() {
    server::run(Backend::Postgres, |env| async move {
        let spec = spec_in(&env);
        let data = PathBuf::from(&spec.data);
        let node = Server::start(spec.clone()).await;
        let mut person = enrolled(&node, "only@example.com").await;
        let old = key_lines(&data);

        let exit = finish(cli(&spec, &["rotate-key", "--settle-secs", "1"]), b"").await;
        assert_ne!(exit.code, Some(0), "{exit:#?}");
        assert!(exit.stderr.contains("--single-node"), "{exit:#?}");
        assert_eq!(key_lines(&data), old, "nothing was written");

        let args = ["rotate-key", "--settle-secs", "1", "--single-node"];
        let exit = finish(cli(&spec, &args), b"").await;
        assert_eq!(exit.code, Some(0), "{exit:#?}");
        let new = key_lines(&data);
        assert_eq!(new.len(), 1);
        assert_ne!(new, old);
        let sealed = sealed_key_ids(env.database_url.as_deref().unwrap()).await;
        assert!(
            sealed.iter().all(|(_, id)| *id == key_id(&new[0])),
            "{sealed:?}"
        );
        // The running node took the new key from its file.
        sign_in_with_totp(&node, &mut person).await;
        sign_in_with_recovery(&node, &mut person).await;
    })
    .await;
}
