//! `portcullis checkpassword REPLY-PROGRAM [ARGS…]`: Dovecot's (and qmail's) checkpassword
//! interface in front of `POST /api/v1/app-auth`, so IMAP, POP3 and SMTP logins accept app
//! passwords. See `docs/dovecot.md`.
//!
//! The protocol: the caller writes `username\0password\0timestamp\0` to file descriptor 3. Good
//! credentials run the reply program with `USER` set (Dovecot's `checkpassword-reply`, which
//! answers Dovecot on descriptor 4); without one the helper exits 0. Exit 1 means wrong
//! credentials (also when the account is throttled: the mail client is refused like a wrong
//! password, and Portcullis has audited why), 2 that the helper was called wrongly, 111 a
//! temporary failure (Portcullis unreachable, a bad service token).
//!
//! The helper talks plain HTTP/1.1 to the URL in `PORTCULLIS_URL` with the service token from
//! `PORTCULLIS_SERVICE_TOKEN` (or the file named by `PORTCULLIS_SERVICE_TOKEN_FILE`): run it
//! against Portcullis on the same host or a private network, or use the Lua passdb described in
//! the document for HTTPS. It never prints the password or the token.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::time::Duration;

use clap::Args;
use portcullis_core::password::Password;
use portcullis_core::secret::Token;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Dovecot sends at most 512 bytes; anything much longer is not the protocol.
const MAX_INPUT: u64 = 4096;
const TIMEOUT: Duration = Duration::from_secs(10);

/// How the helper ends, as checkpassword callers read exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Wrong = 1,
    Misused = 2,
    Temporary = 111,
}

#[derive(Args)]
pub struct CheckpasswordArgs {
    /// Portcullis's base URL, e.g. http://127.0.0.1:8080
    #[arg(long, env = "PORTCULLIS_URL")]
    url: String,
    /// The program to run when the credentials are good (Dovecot's checkpassword-reply), with
    /// its arguments
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "REPLY-PROGRAM"
    )]
    reply: Vec<String>,
}

impl CheckpasswordArgs {
    /// Runs the check; returns only on failure (or success without a reply program), with the
    /// exit code to use.
    pub async fn run(self) -> i32 {
        match self.check().await {
            Ok(username) => {
                let Some((program, args)) = self.reply.split_first() else {
                    return 0;
                };
                let err = std::process::Command::new(program)
                    .args(args)
                    .env("USER", username)
                    .exec();
                eprintln!("portcullis checkpassword: cannot run {program}: {err}");
                Outcome::Temporary as i32
            }
            Err(outcome) => outcome as i32,
        }
    }

    /// The username when the credentials are good.
    async fn check(&self) -> Result<String, Outcome> {
        if std::env::var("AUTHORIZED").as_deref() == Ok("1") {
            return Err(problem(
                Outcome::Temporary,
                "lookups without a password are not supported; use the prefetch or static userdb",
            ));
        }
        let token = service_token()?;
        let (username, password) = read_credentials()?;
        let client_ip = ["TCPREMOTEIP", "REMOTE_IP"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|ip| ip.parse::<std::net::IpAddr>().is_ok());
        let mut body = json!({ "username": username, "password": password.expose() });
        if let Some(ip) = client_ip {
            body["client_ip"] = ip.into();
        }
        // The process ends right after this request, taking the copies of the password with it.
        let body = body.to_string();
        let (status, answer) = tokio::time::timeout(TIMEOUT, post(&self.url, &token, &body))
            .await
            .map_err(|_| problem(Outcome::Temporary, "Portcullis did not answer in time"))??;
        match (status, answer.get("ok").and_then(Value::as_bool)) {
            (200, Some(true)) => Ok(username),
            (200, Some(false)) => Err(Outcome::Wrong),
            (429, _) => Err(problem(
                Outcome::Wrong,
                "too many failed attempts for this account or address; refused",
            )),
            (401, _) => Err(problem(
                Outcome::Temporary,
                "Portcullis refused the service token (unknown or revoked)",
            )),
            (status, _) => Err(problem(
                Outcome::Temporary,
                &format!("unexpected answer from Portcullis: HTTP {status}"),
            )),
        }
    }
}

fn problem(outcome: Outcome, message: &str) -> Outcome {
    eprintln!("portcullis checkpassword: {message}");
    outcome
}

fn service_token() -> Result<Token, Outcome> {
    if let Ok(token) = std::env::var("PORTCULLIS_SERVICE_TOKEN") {
        return Ok(Token::from_client(token.trim()));
    }
    let Ok(path) = std::env::var("PORTCULLIS_SERVICE_TOKEN_FILE") else {
        return Err(problem(
            Outcome::Temporary,
            "set PORTCULLIS_SERVICE_TOKEN or PORTCULLIS_SERVICE_TOKEN_FILE",
        ));
    };
    std::fs::read_to_string(&path)
        .map(|t| Token::from_client(t.trim()))
        .map_err(|e| problem(Outcome::Temporary, &format!("cannot read {path}: {e}")))
}

/// `username\0password\0…` from descriptor 3. Opening `/dev/fd/3` reaches the inherited pipe
/// without unsafe code.
fn read_credentials() -> Result<(String, Password), Outcome> {
    let file = std::fs::File::open("/dev/fd/3")
        .map_err(|_| problem(Outcome::Misused, "nothing to read on file descriptor 3"))?;
    let mut input = Vec::new();
    file.take(MAX_INPUT)
        .read_to_end(&mut input)
        .map_err(|e| problem(Outcome::Misused, &format!("cannot read descriptor 3: {e}")))?;
    let mut fields = input.split(|b| *b == 0);
    let (Some(user), Some(password), Some(_)) = (fields.next(), fields.next(), fields.next())
    else {
        return Err(problem(
            Outcome::Misused,
            "expected username\\0password\\0 on descriptor 3",
        ));
    };
    let text = |bytes: &[u8]| {
        String::from_utf8(bytes.to_vec())
            .map_err(|_| problem(Outcome::Wrong, "the credentials are not UTF-8"))
    };
    Ok((text(user)?, Password::new(text(password)?)))
}

/// `POST {url}/api/v1/app-auth` over plain HTTP/1.1: the status and the JSON body.
async fn post(url: &str, token: &Token, body: &str) -> Result<(u16, Value), Outcome> {
    let rest = url
        .trim_end_matches('/')
        .strip_prefix("http://")
        .ok_or_else(|| {
            problem(
                Outcome::Temporary,
                "PORTCULLIS_URL must start with http:// (for HTTPS use the Lua passdb)",
            )
        })?;
    let (authority, prefix) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    let has_port = authority
        .rsplit_once(':')
        .is_some_and(|(host, port)| !port.contains(']') && !host.is_empty());
    let address = if has_port {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let unreachable = |e: std::io::Error| {
        problem(
            Outcome::Temporary,
            &format!("cannot reach Portcullis at {url}: {e}"),
        )
    };
    let mut stream = tokio::net::TcpStream::connect(&address)
        .await
        .map_err(unreachable)?;
    let path = if prefix.is_empty() {
        "/api/v1/app-auth".to_owned()
    } else {
        format!("/{prefix}/api/v1/app-auth")
    };
    let token = token.expose();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nUser-Agent: portcullis-checkpassword\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(unreachable)?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .await
        .map_err(unreachable)?;
    parse_response(&response).ok_or_else(|| {
        problem(
            Outcome::Temporary,
            "Portcullis sent an answer that is not HTTP",
        )
    })
}

/// The status and JSON body of a complete HTTP/1.1 response (chunked or not).
fn parse_response(raw: &[u8]) -> Option<(u16, Value)> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let chunked = lines.any(|l| {
        l.to_ascii_lowercase().starts_with("transfer-encoding:")
            && l.to_ascii_lowercase().contains("chunked")
    });
    let mut body = raw[split + 4..].to_vec();
    if chunked {
        body = dechunk(&body)?;
    }
    let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
    Some((status, json))
}

fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let end = raw.windows(2).position(|w| w == b"\r\n")?;
        let size_field = std::str::from_utf8(&raw[..end]).ok()?;
        let size = usize::from_str_radix(size_field.split(';').next()?.trim(), 16).ok()?;
        raw = &raw[end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(raw.get(..size)?);
        raw = raw.get(size + 2..)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_plain_and_a_chunked_answer() {
        let plain = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{\"ok\":true}";
        assert_eq!(parse_response(plain), Some((200, json!({ "ok": true }))));
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"ok\"\r\n7\r\n:false}\r\n0\r\n\r\n";
        assert_eq!(parse_response(chunked), Some((200, json!({ "ok": false }))));
        let error = b"HTTP/1.1 429 Too Many Requests\r\nretry-after: 60\r\n\r\n{\"error\":{}}";
        assert_eq!(parse_response(error).map(|r| r.0), Some(429));
        assert_eq!(parse_response(b"garbage"), None);
    }
}
