//! Schemathesis (a property-based API fuzzer, PyPI `schemathesis`) against the real `portcullis`
//! binary's own OpenAPI document: once signed in and once not, every response must be a non-5xx
//! answer whose status, content type and body match what `/api/openapi.json` documents for it.
//!
//! The signed-in run gives every operation the credential it is made for (an owner's session,
//! a support agent's, a service token for `/validate` and `/app-auth`), and the ids of a real
//! user, group and resource of the owner's contract, so the admin operations get past 404 to
//! their logic. The session and logout operations get a second account of their own: they may
//! end the session they run with, and it must not be the one every other operation uses.
//!
//! Bounded for CI: a fixed seed, a fixed number of examples per operation, one worker; both runs
//! together take about two minutes here. Many wrong logins from 127.0.0.1 lock the address out
//! (429, documented); that is a correct answer, not a failure.
//!
//! Without `schemathesis` on `PATH` (or named by `PORTCULLIS_SCHEMATHESIS`) the test says
//! SKIPPED, unless `PORTCULLIS_REQUIRE_TOOLS=1` (as in CI). Install it with
//! `python3 -m pip install schemathesis` (4.x).

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::cli::{self, AGENT, AGENT_PASSWORD, Install, OWNER, PASSWORD, Serve, Server};

/// Fixed, so a failure can be replayed; `PORTCULLIS_SCHEMATHESIS_SEED` tries another.
const SEED: &str = "20261122";
/// Test cases per operation and phase.
const EXAMPLES: &str = "20";
/// One run may take this long before the test gives up on it.
const RUN_LIMIT: Duration = Duration::from_secs(240);
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_schema_conformance";

fn schemathesis() -> Option<String> {
    let program =
        std::env::var("PORTCULLIS_SCHEMATHESIS").unwrap_or_else(|_| "schemathesis".to_owned());
    let found = std::process::Command::new(&program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return Some(program);
    }
    if std::env::var("PORTCULLIS_REQUIRE_TOOLS").as_deref() == Ok("1") {
        panic!("PORTCULLIS_REQUIRE_TOOLS=1 but {program} is not available");
    }
    eprintln!(
        "SKIPPED schemathesis test: {program} not found (python3 -m pip install schemathesis)"
    );
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_answers_every_generated_request_as_its_openapi_document_says() {
    let Some(program) = schemathesis() else {
        return;
    };
    let install = Install::with_owner().await;
    // The agent and the service token are made by the operator's shell, as in production.
    let agent = [
        "support-agent",
        "create",
        "--email",
        AGENT,
        "--password-stdin",
    ];
    install
        .run(&agent, &format!("{AGENT_PASSWORD}\n"))
        .await
        .said(AGENT);
    let service = install.service_token("schemathesis").await;
    let spec = Serve::new(&install.root, &install.data).arg("--open-registration");
    let server = Server::start(spec).await;

    let owner = server.token(OWNER, PASSWORD).await;
    let agent = server.token(AGENT, AGENT_PASSWORD).await;
    let bob = "bob@example.com";
    let (status, body) = server
        .call(
            Method::POST,
            "/api/v1/signup",
            "",
            Some(json!({ "email": bob, "password": PASSWORD })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let bob = server.token(bob, PASSWORD).await;
    let member = create(&server, &owner, "/api/v1/users", member_body("member")).await;
    let victim = create(&server, &owner, "/api/v1/users", member_body("victim")).await;
    let group = create(&server, &owner, "/api/v1/groups", json!({ "name": "ops" })).await;
    let resource = json!({ "kind": "datacenter", "name": "Frankfurt" });
    let kept = create(&server, &owner, "/api/v1/resources", resource.clone()).await;
    let doomed = create(&server, &owner, "/api/v1/resources", resource).await;

    let signed_in = format!(
        r#"headers = {{ Authorization = "Bearer {owner}" }}

[[operations]]
include-path-regex = "^/api/v1/(validate|app-auth)$"
headers = {{ Authorization = "Bearer {service}" }}

[[operations]]
include-path = "/api/v1/support/verify-pin"
headers = {{ Authorization = "Bearer {agent}" }}

[[operations]]
include-path-regex = "^/api/v1/(logout|me/sessions)"
headers = {{ Authorization = "Bearer {bob}" }}

[[operations]]
include-path = "/api/v1/users/{{id}}"
include-method = "DELETE"
parameters = {{ "path.id" = "{victim}" }}

[[operations]]
include-path-regex = "^/api/v1/users/\\{{id\\}}"
parameters = {{ "path.id" = "{member}" }}

[[operations]]
include-path-regex = "^/api/v1/groups/\\{{id\\}}"
parameters = {{ "path.id" = "{group}", "path.user_id" = "{member}" }}

[[operations]]
include-path = "/api/v1/resources/{{id}}"
include-method = "DELETE"
parameters = {{ "path.id" = "{doomed}" }}

[[operations]]
include-path-regex = "^/api/v1/resources/\\{{id\\}}"
parameters = {{ "path.id" = "{kept}", "path.group_id" = "{group}" }}
"#
    );
    let operations = documented_operations(&server).await;

    let started = Instant::now();
    let run = Run::new(&program, &install.root, &server);
    run.expect_success("signed-in", &signed_in, operations)
        .await;
    // The owner's session took part in the whole run: operations that need it were answered
    // as the owner, not only with 401.
    assert_eq!(
        server.call(Method::GET, "/api/v1/me", &owner, None).await.0,
        StatusCode::OK,
        "the owner's session survived the run"
    );
    run.expect_success("anonymous", "", operations).await;
    eprintln!("both runs took {:?}", started.elapsed());

    // The server's own count agrees: no 5xx at all, and the signed-in operations succeeded.
    let metrics = text(&server, "/metrics").await;
    let server_errors: Vec<&str> = metrics
        .lines()
        .filter(|l| l.starts_with("portcullis_http_requests_total") && l.contains("status=\"5"))
        .collect();
    assert!(server_errors.is_empty(), "5xx answers: {server_errors:#?}");
    for route in [
        r#"route="/api/v1/me",method="GET",status="200""#,
        r#"route="/api/v1/users/{id}",method="GET",status="200""#,
        r#"route="/api/v1/resources/{id}",method="GET",status="200""#,
    ] {
        assert!(
            metrics.lines().any(|l| l.contains(route)),
            "no {route} in the run:\n{metrics}"
        );
    }
}

fn member_body(name: &str) -> Value {
    json!({ "email": format!("{name}@example.com"), "password": PASSWORD })
}

/// `POST path body` as `token`: the new object's id.
async fn create(server: &Server, token: &str, path: &str, body: Value) -> String {
    let (status, answer) = server.call(Method::POST, path, token, Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{path}: {answer}");
    answer["id"].as_str().expect("an id").to_owned()
}

/// How many operations the document lists: each run must test every one of them.
async fn documented_operations(server: &Server) -> usize {
    let (status, doc) = server
        .call(Method::GET, "/api/openapi.json", "", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|ops| ops.as_object().unwrap().len())
        .sum()
}

struct Run<'a> {
    program: &'a str,
    root: &'a Path,
    schema: String,
}

impl<'a> Run<'a> {
    fn new(program: &'a str, root: &'a Path, server: &Server) -> Run<'a> {
        Run {
            program,
            root,
            schema: format!("{}/api/openapi.json", server.url()),
        }
    }

    /// Runs schemathesis with `config` (a `schemathesis.toml`) and fails the test, showing its
    /// report, unless it found nothing and tested all `operations`.
    async fn expect_success(&self, name: &str, config: &str, operations: usize) {
        let config_file = self.root.join(format!("schemathesis-{name}.toml"));
        std::fs::write(&config_file, config).unwrap();
        let seed =
            std::env::var("PORTCULLIS_SCHEMATHESIS_SEED").unwrap_or_else(|_| SEED.to_owned());
        let args = [
            "--no-color",
            "--config-file",
            config_file.to_str().unwrap(),
            "run",
            &self.schema,
            "--checks",
            CHECKS,
            "--max-examples",
            EXAMPLES,
            "--seed",
            &seed,
            "--workers",
            "1",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--generation-database",
            "none",
            "--request-timeout",
            "30",
        ];
        let mut cmd = cli::command(self.program, &args);
        // Loopback only: no proxy may stand between the fuzzer and the server, and no hook
        // module from the developer's environment may change what is generated or checked.
        for var in [
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "http_proxy",
            "https_proxy",
            "all_proxy",
            "SCHEMATHESIS_HOOKS",
        ] {
            cmd.env_remove(var);
        }
        cmd.current_dir(self.root).stdin(Stdio::null());
        let child = cmd.spawn().expect("schemathesis starts");
        let out = tokio::time::timeout(RUN_LIMIT, child.wait_with_output())
            .await
            .unwrap_or_else(|_| panic!("the {name} run did not finish within {RUN_LIMIT:?}"))
            .unwrap();
        let report = format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.status.success(),
            "schemathesis ({name}, seed {seed}) found failures:\n{report}"
        );
        // What was covered, and the warnings (operations that only met 401, 404 or 429), for
        // the CI log.
        let summary = report.find("WARNINGS").map_or("", |at| &report[at..]);
        eprintln!("schemathesis ({name}, seed {seed}):\n{summary}");
        let selected = format!("Selected: {operations}/{operations}");
        let tested = format!("Tested: {operations}");
        assert!(
            report.contains(&selected) && report.contains(&tested),
            "the {name} run did not test all {operations} operations:\n{report}"
        );
    }
}

async fn text(server: &Server, path: &str) -> String {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!("{}{path}", server.url()))
        .send()
        .await
        .expect("answered")
        .text()
        .await
        .unwrap()
}
