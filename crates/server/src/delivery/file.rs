//! The transport for development, and for any channel without a configured transport: each
//! message becomes one JSON file `<data>/outbox/<channel>/<id>.json`
//! (`{"id","kind","channel","to","subject"?,"body","html"?,"created_at"}`), where a developer, a
//! test or `portcullis outbox` reads it. The files are the delivered messages themselves (links
//! and codes included), so they stay inside the private data folder and are written 0600.

use std::path::{Path, PathBuf};

use portcullis_core::notice::Channel;
use portcullis_core::store::QueuedMessage;
use serde::{Deserialize, Serialize};

use super::render::Rendered;
use crate::http::time::rfc3339;

/// One message as the file transport writes it and `portcullis outbox` reads it.
#[derive(Serialize, Deserialize)]
pub struct MessageFile {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub channel: String,
    pub to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    pub created_at: String,
}

/// Writes messages of one channel into its folder.
#[derive(Debug, Clone)]
pub struct FileTransport {
    folder: PathBuf,
}

impl FileTransport {
    pub fn new(data: &Path, channel: Channel) -> FileTransport {
        FileTransport {
            folder: folder(data, channel),
        }
    }

    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// Writes the message under its id, replacing a file left by an earlier attempt; a reader
    /// never sees half a file because it is written aside and renamed into place.
    pub async fn send(&self, message: &QueuedMessage, rendered: &Rendered) -> Result<(), String> {
        let file = MessageFile {
            id: message.id.as_str().to_owned(),
            kind: message.kind.clone(),
            channel: message.channel.as_str().to_owned(),
            to: message.recipient.clone(),
            subject: rendered.subject.clone(),
            body: rendered.text.clone(),
            html: rendered.html.clone(),
            created_at: rfc3339(message.created_at),
        };
        let bytes = serde_json::to_vec_pretty(&file).map_err(|e| e.to_string())?;
        let folder = self.folder.clone();
        let id = message.id.as_str().to_owned();
        tokio::task::spawn_blocking(move || write_file(&folder, &id, &bytes))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("cannot write to {}: {e}", self.folder.display()))
    }
}

/// `<data>/outbox/<channel>`.
pub fn folder(data: &Path, channel: Channel) -> PathBuf {
    data.join("outbox").join(channel.as_str())
}

fn write_file(folder: &Path, id: &str, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    // Ids are UUIDs made by the server; anything else never becomes a path.
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(std::io::Error::other("unexpected message id"));
    }
    std::fs::create_dir_all(folder)?;
    let aside = folder.join(format!(".{id}.tmp"));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&aside)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&aside, folder.join(format!("{id}.json")))
}

/// Every message file of `channel` (or both), oldest first; unreadable files are skipped.
pub fn read_all(data: &Path, channel: Option<Channel>) -> Vec<MessageFile> {
    let channels = match channel {
        Some(c) => vec![c],
        None => vec![Channel::Email, Channel::Sms],
    };
    let mut found: Vec<MessageFile> = channels
        .into_iter()
        .filter_map(|c| std::fs::read_dir(folder(data, c)).ok())
        .flat_map(|entries| entries.filter_map(|e| e.ok()))
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| std::fs::read(e.path()).ok())
        .filter_map(|bytes| serde_json::from_slice::<MessageFile>(&bytes).ok())
        .collect();
    found.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    found
}
