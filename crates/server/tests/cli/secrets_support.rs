//! The secrets-leak test's tools: a list of every secret a scenario created or used (in each
//! form it may take: as shown, normalised, hex, base64, raw bytes), an HTTP client that keeps
//! every answer together with the secrets that answer exists to hand out, and a search of bytes
//! (files, logs, answers, a database dump) that reports each hit with where and what.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use reqwest::{Method, Response, StatusCode};
use serde_json::Value;

/// One secret: a label that says what it is (`session:alice-1`, `recovery-1:3`) and the byte
/// strings to look for.
#[derive(Clone)]
pub struct Secret {
    pub label: String,
    pub forms: Vec<Vec<u8>>,
    /// A short code (six digits, a PIN): matched only as a whole token, not inside a longer run
    /// of digits or letters, nor as the fraction of a timestamp, which any log line has.
    pub short: bool,
}

#[derive(Default)]
pub struct Secrets(Mutex<Vec<Secret>>);

impl Secrets {
    fn push(&self, label: &str, forms: Vec<Vec<u8>>) {
        let short = forms.iter().all(|f| f.len() < 12);
        let mut forms: Vec<Vec<u8>> = forms.into_iter().filter(|f| f.len() >= 5).collect();
        forms.sort();
        forms.dedup();
        assert!(!forms.is_empty(), "{label}: nothing to look for");
        self.0.lock().unwrap().push(Secret {
            label: label.to_owned(),
            forms,
            short,
        });
    }

    /// A secret as typed or shown: passwords, tokens, tickets, PINs, codes.
    pub fn text(&self, label: &str, value: &str) {
        self.push(label, vec![value.as_bytes().to_vec()]);
    }

    /// Random key material: raw, hex, base64 (both alphabets), and base32 when it is a TOTP key.
    pub fn bytes(&self, label: &str, raw: &[u8], base32: Option<String>) {
        let mut forms = vec![
            raw.to_vec(),
            hex::encode(raw).into_bytes(),
            hex::encode_upper(raw).into_bytes(),
            STANDARD.encode(raw).into_bytes(),
            STANDARD_NO_PAD.encode(raw).into_bytes(),
            URL_SAFE.encode(raw).into_bytes(),
            URL_SAFE_NO_PAD.encode(raw).into_bytes(),
        ];
        if let Some(b32) = base32 {
            forms.push(b32.to_ascii_lowercase().into_bytes());
            forms.push(b32.into_bytes());
        }
        self.push(label, forms);
    }

    /// A code shown in groups (`1234-5678-9012-3456`, `abcd-efgh-ijkl-mnop`): as shown, and as
    /// the bare characters a client may send (also upper-case, for app passwords).
    pub fn grouped(&self, label: &str, shown: &str) {
        let bare: String = shown.chars().filter(|c| *c != '-').collect();
        self.push(
            label,
            vec![
                shown.as_bytes().to_vec(),
                bare.as_bytes().to_vec(),
                bare.to_ascii_uppercase().into_bytes(),
            ],
        );
    }

    /// Is `value` noted already (in any form)?
    pub fn has(&self, value: &str) -> bool {
        let secrets = self.0.lock().unwrap();
        secrets
            .iter()
            .any(|s| s.forms.iter().any(|f| f == value.as_bytes()))
    }

    pub fn all(&self) -> Vec<Secret> {
        self.0.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

/// Where a secret was found.
#[derive(Debug, Clone)]
pub struct Hit {
    pub label: String,
    pub place: String,
    pub offset: usize,
    pub context: String,
}

impl std::fmt::Display for Hit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} in {} at byte {}: …{}…",
            self.label, self.place, self.offset, self.context
        )
    }
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Every occurrence of a secret in `hay` whose label `allowed` does not cover (a label is
/// covered by an allowed entry equal to it or ending in `:` and prefixing it).
pub fn scan(place: &str, hay: &[u8], secrets: &[Secret], allowed: &[String]) -> Vec<Hit> {
    let covered = |label: &str| {
        allowed
            .iter()
            .any(|a| a == label || (a.ends_with(':') && label.starts_with(a.as_str())))
    };
    // Every form is at least 5 bytes: index them by their first 4 and walk the haystack once.
    let mut index: HashMap<[u8; 4], Vec<(usize, &[u8])>> = HashMap::new();
    for (i, s) in secrets.iter().enumerate() {
        if covered(&s.label) {
            continue;
        }
        for form in &s.forms {
            let key = [form[0], form[1], form[2], form[3]];
            index.entry(key).or_default().push((i, form));
        }
    }
    let mut hits = Vec::new();
    if hay.len() < 5 {
        return hits;
    }
    for at in 0..=hay.len() - 4 {
        let key = [hay[at], hay[at + 1], hay[at + 2], hay[at + 3]];
        let Some(candidates) = index.get(&key) else {
            continue;
        };
        for (i, form) in candidates {
            if !hay[at..].starts_with(form) {
                continue;
            }
            let secret = &secrets[*i];
            if secret.short {
                let before = at.checked_sub(1).map(|b| hay[b]);
                let after = hay.get(at + form.len()).copied();
                if before.is_some_and(|b| is_word(b) || b == b'.') || after.is_some_and(is_word) {
                    continue;
                }
            }
            let from = at.saturating_sub(40);
            let to = (at + form.len() + 40).min(hay.len());
            hits.push(Hit {
                label: secret.label.clone(),
                place: place.to_owned(),
                offset: at,
                context: String::from_utf8_lossy(&hay[from..to])
                    .escape_debug()
                    .to_string(),
            });
        }
    }
    hits
}

/// One answer as the client saw it, and the secrets it exists to hand out.
pub struct Exchange {
    pub what: String,
    pub status: StatusCode,
    pub headers: String,
    pub body: Vec<u8>,
    pub allowed: Vec<String>,
}

/// An HTTP client that keeps every answer.
pub struct Recorder {
    pub base: String,
    pub http: reqwest::Client,
    pub exchanges: Mutex<Vec<Exchange>>,
}

impl Recorder {
    pub fn new(base: String) -> Recorder {
        Recorder {
            base,
            http: reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(90))
                .redirect(reqwest::redirect::Policy::none())
                .cookie_store(true)
                .build()
                .unwrap(),
            exchanges: Mutex::new(Vec::new()),
        }
    }

    /// Keeps `response` (read to the end) under `what`; `allowed` names the secrets it may carry.
    pub async fn keep(
        &self,
        what: &str,
        response: Response,
        allowed: &[&str],
    ) -> (StatusCode, Vec<u8>) {
        let status = response.status();
        let headers: String = response
            .headers()
            .iter()
            .map(|(k, v)| format!("{k}: {}\n", String::from_utf8_lossy(v.as_bytes())))
            .collect();
        let body = response.bytes().await.expect("a body").to_vec();
        self.exchanges.lock().unwrap().push(Exchange {
            what: what.to_owned(),
            status,
            headers,
            body: body.clone(),
            allowed: allowed.iter().map(|s| (*s).to_owned()).collect(),
        });
        (status, body)
    }

    /// A JSON request (`bearer` as `Authorization: Bearer`), its answer kept.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<&Value>,
        allowed: &[&str],
    ) -> (StatusCode, Value) {
        let what = format!("{method} {}", path.split('?').next().unwrap());
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = bearer {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let response = req.send().await.expect("answered");
        let (status, bytes) = self.keep(&what, response, allowed).await;
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// A raw body (not JSON-encoded by us: malformed or mistyped input).
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        bearer: Option<&str>,
        body: &str,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .header("Content-Type", "application/json")
            .body(body.to_owned());
        if let Some(token) = bearer {
            req = req.bearer_auth(token);
        }
        let response = req.send().await.expect("answered");
        let (status, bytes) = self
            .keep(&format!("{method} {path} (raw)"), response, &[])
            .await;
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// Every answer kept so far, searched; each one's own secrets allowed.
    pub fn hits(&self, secrets: &[Secret]) -> Vec<Hit> {
        let exchanges = self.exchanges.lock().unwrap();
        let mut hits = Vec::new();
        for (n, e) in exchanges.iter().enumerate() {
            let place = format!("answer #{n} to {} ({})", e.what, e.status);
            hits.extend(scan(
                &format!("{place} headers"),
                e.headers.as_bytes(),
                secrets,
                &e.allowed,
            ));
            hits.extend(scan(&format!("{place} body"), &e.body, secrets, &e.allowed));
        }
        hits
    }

    /// The kept answer to `what` (the first), for the test's own checks.
    pub fn body_of(&self, what: &str) -> Vec<u8> {
        let exchanges = self.exchanges.lock().unwrap();
        exchanges
            .iter()
            .find(|e| e.what == what)
            .unwrap_or_else(|| panic!("no answer to {what}"))
            .body
            .clone()
    }
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The delivered messages in `DATA/outbox/<channel>/`, oldest first.
pub use crate::harness::outbox::messages;

/// Waits (up to 20 s) for a message on `channel` to `to` that `pick` takes and whose id is not in
/// `seen` (messages of one second have no order between them); its body. Its id joins `seen`.
pub async fn next_message(
    data: &Path,
    channel: &str,
    to: &str,
    seen: &mut Vec<String>,
    pick: impl Fn(&Value) -> bool,
) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let found = messages(data, channel)
            .into_iter()
            .find(|m| m["to"] == to && pick(m) && !seen.iter().any(|id| m["id"] == id.as_str()));
        if let Some(m) = found {
            seen.push(m["id"].as_str().unwrap_or_default().to_owned());
            return m["body"].as_str().unwrap_or_default().to_owned();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no new message on {channel} to {to}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The value after `marker` in `text`, up to white space, a quote, `<` or `&`.
pub fn after(text: &str, marker: &str) -> Vec<String> {
    text.match_indices(marker)
        .map(|(i, _)| {
            text[i + marker.len()..]
                .split(|c: char| c.is_whitespace() || matches!(c, '"' | '<' | '&' | '\''))
                .next()
                .unwrap()
                .to_owned()
        })
        .filter(|v| !v.is_empty())
        .collect()
}

/// The first run of exactly six digits in `text`.
pub fn six_digits(text: &str) -> String {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(5))
        .find(|&i| {
            b[i..i + 6].iter().all(u8::is_ascii_digit)
                && (i == 0 || !b[i - 1].is_ascii_digit())
                && b.get(i + 6).is_none_or(|c| !c.is_ascii_digit())
        })
        .map(|i| text[i..i + 6].to_owned())
        .unwrap_or_else(|| panic!("no six-digit code in {text:?}"))
}

/// Every row of every table of the PostgreSQL database at `url`, one JSON object per line
/// (`bytea` as `\x…` hex), prefixed with the table's name.
pub async fn postgres_dump(url: &str) -> Vec<u8> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .expect("PostgreSQL answers");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(tables.len() > 5, "the schema has tables: {tables:?}");
    let mut dump = Vec::new();
    for table in tables {
        let sql = format!("SELECT row_to_json(t)::text FROM \"{table}\" t");
        let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut conn)
            .await
            .unwrap();
        for row in rows {
            dump.extend_from_slice(format!("{table}: {row}\n").as_bytes());
        }
    }
    dump
}
