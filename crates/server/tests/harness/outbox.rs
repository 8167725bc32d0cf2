//! The outbox as the tests read it: without an SMTP server or SMS gateway configured, the server's
//! file transport writes each message to `<data>/outbox/<channel>/<id>.json` as
//! `{"channel","to","kind","subject"?,"body","created_at"}`. This module only reads those files;
//! waiting for a message is the caller's business, since each test waits for something else.

#![allow(dead_code)]

use std::path::Path;

use serde_json::Value;

/// Every message written on `channel` (`email` or `sms`) under the data folder `data`, oldest
/// first (messages of the same second by body, so the order is stable).
pub fn messages(data: &Path, channel: &str) -> Vec<Value> {
    let Ok(entries) = std::fs::read_dir(data.join("outbox").join(channel)) else {
        return Vec::new();
    };
    let mut found: Vec<Value> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| std::fs::read(e.path()).ok())
        .filter_map(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .collect();
    found.sort_by(|a, b| {
        a["created_at"]
            .as_str()
            .cmp(&b["created_at"].as_str())
            .then(a["body"].as_str().cmp(&b["body"].as_str()))
    });
    found
}

/// The messages to `to` on `channel`, oldest first.
pub fn messages_to(data: &Path, channel: &str, to: &str) -> Vec<Value> {
    messages(data, channel)
        .into_iter()
        .filter(|m| m["to"] == to)
        .collect()
}
