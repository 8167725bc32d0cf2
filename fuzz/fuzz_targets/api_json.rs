//! JSON bodies of the API, through the real axum router in-process: `portcullis_server::app`
//! over a server built once per fuzz process on a temporary SQLite data folder, with open
//! registration and an owner signed in (re-provisioned if the fuzzer ends its session).
//!
//! The routes are every operation with a request body in the server's own OpenAPI document,
//! so a new endpoint is fuzzed without touching this file. Input: byte 0 picks the route,
//! byte 1 the session (bits 0–1: none, the owner's, a garbage token), the Content-Type (bits
//! 2–3), a source address (bit 4) and the ids put into the path (bits 5–7: known, unknown,
//! malformed; the route byte's top bit picks the owner or the second user); the rest is the body.
//!
//! Beyond "no panic": no answer is a 5xx, and every 4xx carries `{"error":{"code","message"}}`
//! with a snake_case code and a message (principle 5).

#![no_main]

use std::net::SocketAddr;
use std::sync::{Mutex, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use libfuzzer_sys::fuzz_target;
use portcullis_server::config::{Config, ServeArgs};
use serde_json::{Value, json};
use tower::ServiceExt;

const PASSWORD: &str = "Correct-Horse-7";
/// How often (in inputs) the owner's session is checked and, if gone, replaced.
const CHECK_EVERY: u64 = 200;

struct World {
    runtime: tokio::runtime::Runtime,
    app: Router,
    /// (method, path template), sorted: the same byte picks the same route in every run.
    routes: Vec<(Method, String)>,
    owner: Mutex<Owner>,
}

#[derive(Clone)]
struct Owner {
    token: String,
    user_id: String,
    member_id: String,
    group_id: String,
    resource_id: String,
    provisioned: u64,
    inputs: u64,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let data = std::env::temp_dir().join(format!("portcullis-fuzz-api-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        let args = ServeArgs {
            bind: Some("127.0.0.1:0".parse().unwrap()),
            data: Some(data),
            open_registration: Some(true),
            ..Default::default()
        };
        let config = Config::resolve(args, None).expect("a valid config");
        let server = runtime
            .block_on(portcullis_server::Server::build(config))
            .expect("the server builds");
        // The router alone is enough: requests go to it directly, not through the listener.
        let app = portcullis_server::app(server.state().clone());
        drop(server);
        let routes = runtime.block_on(body_routes(&app));
        assert!(routes.len() > 20, "only {} routes found", routes.len());
        // For writing seeds: which first byte picks which route.
        if std::env::var_os("PORTCULLIS_FUZZ_ROUTES").is_some() {
            for (i, (method, path)) in routes.iter().enumerate() {
                eprintln!("{i}\t{method}\t{path}");
            }
        }
        let owner = runtime.block_on(provision(&app, 0));
        World {
            runtime,
            app,
            routes,
            owner: Mutex::new(owner),
        }
    })
}

async fn call(app: &Router, req: Request<Body>) -> (StatusCode, Vec<u8>, Option<String>) {
    let response = app
        .clone()
        .oneshot(req)
        .await
        .expect("the router is infallible");
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = axum::body::to_bytes(response.into_body(), 16 << 20)
        .await
        .expect("a readable body");
    (status, body.to_vec(), content_type)
}

async fn call_json(
    app: &Router,
    method: Method,
    path: &str,
    body: Value,
    token: Option<&str>,
) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let (status, body, _) = call(app, req.body(Body::from(body.to_string())).unwrap()).await;
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// Every (method, path) of the OpenAPI document whose operation takes a request body.
async fn body_routes(app: &Router) -> Vec<(Method, String)> {
    let req = Request::get("/api/openapi.json")
        .body(Body::empty())
        .unwrap();
    let (status, body, _) = call(app, req).await;
    assert_eq!(status, StatusCode::OK);
    let doc: Value = serde_json::from_slice(&body).expect("the OpenAPI document is JSON");
    let mut routes = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            if op.get("requestBody").is_some() {
                let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
                routes.push((method, path.clone()));
            }
        }
    }
    routes.sort_by(|a, b| (a.1.as_str(), a.0.as_str()).cmp(&(b.1.as_str(), b.0.as_str())));
    routes
}

/// A fresh contract: its owner signed in, a second user, a group and a resource.
async fn provision(app: &Router, n: u64) -> Owner {
    let email = format!("fuzz-owner-{n}@example.com");
    let (status, body) = call_json(
        app,
        Method::POST,
        "/api/v1/signup",
        json!({ "email": email, "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "signup: {body}");
    let user_id = body["user_id"].as_str().unwrap().to_owned();
    let (status, body) = call_json(
        app,
        Method::POST,
        "/api/v1/login",
        json!({ "username": email, "password": PASSWORD }),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "login: {body}");
    let token = body["token"].as_str().expect("a token").to_owned();
    let (status, body) = call_json(
        app,
        Method::POST,
        "/api/v1/users",
        json!({ "email": format!("fuzz-member-{n}@example.com"), "password": PASSWORD }),
        Some(&token),
    )
    .await;
    assert!(status.is_success(), "create user: {body}");
    let member_id = body["id"]
        .as_str()
        .or(body["user_id"].as_str())
        .unwrap_or("none")
        .to_owned();
    let (status, body) = call_json(
        app,
        Method::POST,
        "/api/v1/groups",
        json!({ "name": "fuzz" }),
        Some(&token),
    )
    .await;
    assert!(status.is_success(), "create group: {body}");
    let group_id = body["id"].as_str().unwrap_or("none").to_owned();
    let (status, body) = call_json(
        app,
        Method::POST,
        "/api/v1/resources",
        json!({ "kind": "datacenter", "name": "fuzz-dc" }),
        Some(&token),
    )
    .await;
    assert!(status.is_success(), "create resource: {body}");
    let resource_id = body["id"].as_str().unwrap_or("none").to_owned();
    Owner {
        token,
        user_id,
        member_id,
        group_id,
        resource_id,
        provisioned: n,
        inputs: 0,
    }
}

/// Fills the `{…}` of a path template: a known id of the right kind, or something unknown.
fn fill_path(template: &str, owner: &Owner, choice: u8, the_owner: bool) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let end = rest[start..]
            .find('}')
            .map(|e| start + e)
            .unwrap_or(rest.len() - 1);
        out.push_str(&rest[..start]);
        let name = &rest[start + 1..end];
        let known = if name == "user_id" || template.starts_with("/api/v1/users/") {
            if the_owner {
                &owner.user_id
            } else {
                &owner.member_id
            }
        } else if name == "group_id" || template.starts_with("/api/v1/groups/") {
            &owner.group_id
        } else if template.starts_with("/api/v1/resources/") {
            &owner.resource_id
        } else {
            "00000000-0000-4000-8000-000000000000"
        };
        out.push_str(match choice {
            0 | 1 => known,
            2 => "unknown",
            3 => "%FF%FE",
            4 => "..%2F..%2Fetc",
            5 => "%00",
            6 => {
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            }
            _ => "%20",
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fuzz_target!(|data: &[u8]| {
    let [route, flags, body @ ..] = data else {
        return;
    };
    let w = world();
    let (method, template) = &w.routes[usize::from(*route) % w.routes.len()];
    let mut owner = w.owner.lock().unwrap();
    owner.inputs += 1;
    if owner.inputs % CHECK_EVERY == 0 {
        let (status, _) = w.runtime.block_on(call_json(
            &w.app,
            Method::GET,
            "/api/v1/me",
            Value::Null,
            Some(&owner.token),
        ));
        if status != StatusCode::OK {
            let n = owner.provisioned + 1;
            *owner = w.runtime.block_on(provision(&w.app, n));
        }
    }
    let path = fill_path(template, &owner, flags >> 5, *route >= 128);
    let mut req = Request::builder().method(method.clone()).uri(&path);
    match flags & 3 {
        0 => {}
        1 | 2 => req = req.header(header::AUTHORIZATION, format!("Bearer {}", owner.token)),
        _ => req = req.header(header::AUTHORIZATION, "Bearer 0000000000000000"),
    }
    match (flags >> 2) & 3 {
        0 | 1 => req = req.header(header::CONTENT_TYPE, "application/json"),
        2 => req = req.header(header::CONTENT_TYPE, "text/plain"),
        _ => {}
    }
    let mut req = req.body(Body::from(body.to_vec())).expect("a request");
    if flags & 0x10 != 0 {
        let addr: SocketAddr = ([198, 51, 100, *route], 40_000).into();
        req.extensions_mut().insert(ConnectInfo(addr));
    }
    drop(owner);

    let (status, answer, content_type) = w.runtime.block_on(call(&w.app, req));
    let shown = String::from_utf8_lossy(&answer);
    assert!(
        !status.is_server_error(),
        "{method} {path}: {status} {shown}"
    );
    if status.is_client_error() {
        assert!(
            content_type
                .as_deref()
                .is_some_and(|c| c.starts_with("application/json")),
            "{method} {path}: {status} answered as {content_type:?}: {shown}"
        );
        let v: Value = serde_json::from_slice(&answer).unwrap_or_else(|e| {
            panic!("{method} {path}: {status} body is not JSON ({e}): {shown}")
        });
        let code = v["error"]["code"].as_str().unwrap_or_default();
        assert!(
            !code.is_empty()
                && code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "{method} {path}: {status} error code {code:?}: {shown}"
        );
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{method} {path}: {status} without a message: {shown}"
        );
    }
});
