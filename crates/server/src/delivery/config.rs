//! Delivery settings: the product name in messages, SMTP for email, an HTTP gateway for SMS, and
//! the outbox worker's pace. They arrive like every setting (flag, environment, TOML file key)
//! and are checked here once, at start, so a typo stops `serve` with a message instead of
//! failing every delivery later. A channel without a transport writes files.
//!
//! Credentials (the SMTP password, gateway headers and URL, which often carry an API key) are
//! redacted in `Debug`, so a logged config never shows them.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use axum::http::{HeaderName, HeaderValue, Method, Uri, header};
use clap::Args;
use lettre::message::Mailbox;
use portcullis_core::password::Password;
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain text: only for a relay on the same host or network
    None,
    /// Plain connection upgraded with STARTTLS, which is required (port 587)
    Starttls,
    /// TLS from the first byte (port 465)
    Tls,
}

impl SmtpSecurity {
    fn default_port(self) -> u16 {
        match self {
            SmtpSecurity::None => 25,
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Tls => 465,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            SmtpSecurity::None => "none",
            SmtpSecurity::Starttls => "starttls",
            SmtpSecurity::Tls => "tls",
        }
    }
}

/// The delivery flags of `portcullis serve`; in the TOML file the same names in snake case
/// (`sms_header` is an array of strings there).
#[derive(Clone, Default, Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryArgs {
    /// The product name in messages [default: Portcullis]
    #[arg(long, env = "PORTCULLIS_PRODUCT_NAME")]
    pub product_name: Option<String>,
    /// SMTP server for email; without one, email is written to DATA/outbox/email/
    #[arg(long, env = "PORTCULLIS_SMTP_HOST")]
    pub smtp_host: Option<String>,
    /// SMTP port [default: 587 with starttls, 465 with tls, 25 with none]
    #[arg(long, env = "PORTCULLIS_SMTP_PORT")]
    pub smtp_port: Option<u16>,
    /// How the SMTP connection is secured [default: starttls]
    #[arg(long, env = "PORTCULLIS_SMTP_SECURITY", value_enum)]
    pub smtp_security: Option<SmtpSecurity>,
    /// SMTP AUTH user name (with smtp_password)
    #[arg(long, env = "PORTCULLIS_SMTP_USERNAME")]
    pub smtp_username: Option<String>,
    /// SMTP AUTH password; prefer the environment variable, flags show in the process list
    #[arg(long, env = "PORTCULLIS_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    /// The From address, e.g. "Portcullis <noreply@example.com>" (required with smtp_host)
    #[arg(long, env = "PORTCULLIS_SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// A PEM root certificate to trust for the SMTP server (a private CA)
    #[arg(long, env = "PORTCULLIS_SMTP_CA_FILE")]
    pub smtp_ca_file: Option<PathBuf>,
    /// SMS gateway URL ({to} and {text} are replaced, percent-encoded); without one, SMS are written to DATA/outbox/sms/
    #[arg(long, env = "PORTCULLIS_SMS_URL", hide_env_values = true)]
    pub sms_url: Option<String>,
    /// HTTP method of the gateway call [default: POST]
    #[arg(long, env = "PORTCULLIS_SMS_METHOD")]
    pub sms_method: Option<String>,
    /// A header of the gateway call, "Name: value"; repeatable (in the environment, one per line)
    #[arg(
        long,
        env = "PORTCULLIS_SMS_HEADER",
        value_delimiter = '\n',
        hide_env_values = true
    )]
    #[serde(default)]
    pub sms_header: Vec<String>,
    /// Body of the gateway call with {to} and {text}, escaped for the Content-Type header [default: {"to":"{to}","text":"{text}"} as JSON]
    #[arg(long, env = "PORTCULLIS_SMS_BODY")]
    pub sms_body: Option<String>,
    /// How often the outbox is checked for messages to send, in milliseconds [default: 500]
    #[arg(long, env = "PORTCULLIS_OUTBOX_POLL_MS")]
    pub outbox_poll_ms: Option<u64>,
    /// Seconds before the first retry of a failed delivery; each further retry waits twice as long, up to an hour [default: 10]
    #[arg(long, env = "PORTCULLIS_OUTBOX_RETRY_BASE_SECS")]
    pub outbox_retry_base_secs: Option<u64>,
}

impl std::fmt::Debug for DeliveryArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeliveryArgs")
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("sms_configured", &self.sms_url.is_some())
            .finish_non_exhaustive()
    }
}

/// The file keys that belong to delivery.
const FILE_KEYS: [&str; 14] = [
    "product_name",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
    "smtp_password",
    "smtp_from",
    "smtp_ca_file",
    "sms_url",
    "sms_method",
    "sms_header",
    "sms_body",
    "outbox_poll_ms",
    "outbox_retry_base_secs",
];

impl DeliveryArgs {
    /// Takes the delivery keys out of a parsed config file, leaving the others to the caller.
    pub fn take_from_file(table: &mut toml::Table) -> anyhow::Result<DeliveryArgs> {
        let mut mine = toml::Table::new();
        for key in FILE_KEYS {
            if let Some(value) = table.remove(key) {
                mine.insert(key.to_owned(), value);
            }
        }
        Ok(mine.try_into()?)
    }
}

/// The body sent when `sms_body` is not set.
const DEFAULT_SMS_BODY: &str = r#"{"to":"{to}","text":"{text}"}"#;

/// How substituted values are escaped in the gateway's request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyEscape {
    Json,
    Form,
    Raw,
}

#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    pub product_name: String,
    pub smtp: Option<SmtpConfig>,
    pub sms: Option<SmsConfig>,
    pub poll: Duration,
    pub retry_base_secs: i64,
}

#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub auth: Option<SmtpAuth>,
    pub from: Mailbox,
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct SmtpAuth {
    pub username: String,
    pub password: Password,
}

#[derive(Clone)]
pub struct SmsConfig {
    pub url: String,
    pub method: Method,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Option<String>,
    pub escape: BodyEscape,
}

impl SmsConfig {
    /// Scheme and host only: the path or query may hold an API key.
    pub fn endpoint(&self) -> String {
        let uri: Uri = fill_placeholders(&self.url).parse().unwrap_or_default();
        format!(
            "{}://{}",
            uri.scheme_str().unwrap_or("?"),
            uri.authority().map(|a| a.host()).unwrap_or("?")
        )
    }
}

impl std::fmt::Debug for SmsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsConfig")
            .field("endpoint", &self.endpoint())
            .field("method", &self.method)
            .field("headers", &self.headers.len())
            .field("escape", &self.escape)
            .finish_non_exhaustive()
    }
}

/// The URL with sample values in place of `{to}` and `{text}`, to check it parses.
fn fill_placeholders(url: &str) -> String {
    url.replace("{to}", "%2B10000000000")
        .replace("{text}", "text")
}

impl DeliveryConfig {
    /// Merges flags and environment (`args`) over the file's keys and checks the result.
    pub fn resolve(args: DeliveryArgs, file: DeliveryArgs) -> anyhow::Result<DeliveryConfig> {
        let product_name = args
            .product_name
            .or(file.product_name)
            .unwrap_or_else(|| "Portcullis".to_owned());
        if product_name.trim().is_empty() || product_name.chars().any(char::is_control) {
            bail!("product_name must be non-empty and on one line");
        }
        let smtp = resolve_smtp(SmtpInput {
            host: args.smtp_host.or(file.smtp_host).filter(|s| !s.is_empty()),
            port: args.smtp_port.or(file.smtp_port),
            security: args.smtp_security.or(file.smtp_security),
            username: args.smtp_username.or(file.smtp_username),
            password: args.smtp_password.or(file.smtp_password),
            from: args.smtp_from.or(file.smtp_from),
            ca_file: args.smtp_ca_file.or(file.smtp_ca_file),
        })?;
        let headers = if args.sms_header.is_empty() {
            file.sms_header
        } else {
            args.sms_header
        };
        let sms = resolve_sms(
            args.sms_url.or(file.sms_url).filter(|s| !s.is_empty()),
            args.sms_method.or(file.sms_method),
            headers,
            args.sms_body.or(file.sms_body),
        )?;
        let poll_ms = args.outbox_poll_ms.or(file.outbox_poll_ms).unwrap_or(500);
        if !(10..=60_000).contains(&poll_ms) {
            bail!("outbox_poll_ms must be between 10 and 60000");
        }
        let retry_base_secs = args
            .outbox_retry_base_secs
            .or(file.outbox_retry_base_secs)
            .unwrap_or(10);
        if !(1..=3600).contains(&retry_base_secs) {
            bail!("outbox_retry_base_secs must be between 1 and 3600");
        }
        Ok(DeliveryConfig {
            product_name,
            smtp,
            sms,
            poll: Duration::from_millis(poll_ms),
            retry_base_secs: retry_base_secs as i64,
        })
    }
}

struct SmtpInput {
    host: Option<String>,
    port: Option<u16>,
    security: Option<SmtpSecurity>,
    username: Option<String>,
    password: Option<String>,
    from: Option<String>,
    ca_file: Option<PathBuf>,
}

fn resolve_smtp(i: SmtpInput) -> anyhow::Result<Option<SmtpConfig>> {
    let Some(host) = i.host else {
        if i.username.is_some() || i.password.is_some() || i.from.is_some() || i.ca_file.is_some() {
            bail!("smtp_username, smtp_password, smtp_from and smtp_ca_file need smtp_host");
        }
        return Ok(None);
    };
    let security = i.security.unwrap_or(SmtpSecurity::Starttls);
    let auth = match (i.username, i.password) {
        (Some(username), Some(password)) => Some(SmtpAuth {
            username,
            password: Password::new(password),
        }),
        (None, None) => None,
        _ => bail!("smtp_username and smtp_password go together"),
    };
    let Some(from) = i.from else {
        bail!("smtp_from is required with smtp_host, e.g. \"Portcullis <noreply@example.com>\"");
    };
    let from: Mailbox = from
        .parse()
        .with_context(|| format!("smtp_from {from:?} is not a mail address"))?;
    if let Some(path) = &i.ca_file
        && !path.is_file()
    {
        bail!("smtp_ca_file {} does not exist", path.display());
    }
    Ok(Some(SmtpConfig {
        host,
        port: i.port.unwrap_or(security.default_port()),
        security,
        auth,
        from,
        ca_file: i.ca_file,
    }))
}

fn resolve_sms(
    url: Option<String>,
    method: Option<String>,
    headers: Vec<String>,
    body: Option<String>,
) -> anyhow::Result<Option<SmsConfig>> {
    let Some(url) = url else {
        if method.is_some() || !headers.is_empty() || body.is_some() {
            bail!("sms_method, sms_header and sms_body need sms_url");
        }
        return Ok(None);
    };
    let uri: Uri = fill_placeholders(&url)
        .parse()
        .map_err(|_| anyhow::anyhow!("sms_url is not a valid URL"))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.authority().is_none() {
        bail!("sms_url must start with http:// or https://");
    }
    let method = method
        .unwrap_or_else(|| "POST".to_owned())
        .to_ascii_uppercase();
    let method = match method.as_str() {
        "GET" => Method::GET,
        "POST" => Method::POST,
        "PUT" => Method::PUT,
        "PATCH" => Method::PATCH,
        _ => bail!("sms_method must be GET, POST, PUT or PATCH"),
    };
    let mut parsed = Vec::new();
    for line in headers.iter().filter(|h| !h.trim().is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            bail!("sms_header must read \"Name: value\"");
        };
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| anyhow::anyhow!("sms_header has an invalid name {:?}", name.trim()))?;
        let mut value = HeaderValue::from_str(value.trim())
            .map_err(|_| anyhow::anyhow!("sms_header {name} has an invalid value"))?;
        value.set_sensitive(true);
        parsed.push((name, value));
    }
    let content_type = |headers: &[(HeaderName, HeaderValue)]| {
        headers
            .iter()
            .find(|(n, _)| n == header::CONTENT_TYPE)
            .and_then(|(_, v)| v.to_str().ok())
            .map(str::to_ascii_lowercase)
    };
    let body = if method == Method::GET {
        if body.is_some() {
            bail!("a GET has no body: put {{to}} and {{text}} into sms_url instead of sms_body");
        }
        None
    } else {
        match body {
            Some(body) => {
                if content_type(&parsed).is_none() {
                    bail!(
                        "sms_body needs an sms_header \"Content-Type: …\" (application/json or application/x-www-form-urlencoded) so its values are escaped right"
                    );
                }
                Some(body)
            }
            None => {
                if content_type(&parsed).is_none() {
                    parsed.push((
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json"),
                    ));
                }
                Some(DEFAULT_SMS_BODY.to_owned())
            }
        }
    };
    let escape = match content_type(&parsed) {
        Some(t) if t.contains("json") => BodyEscape::Json,
        Some(t) if t.contains("x-www-form-urlencoded") => BodyEscape::Form,
        _ => BodyEscape::Raw,
    };
    Ok(Some(SmsConfig {
        url,
        method,
        headers: parsed,
        body,
        escape,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(args: DeliveryArgs) -> anyhow::Result<DeliveryConfig> {
        DeliveryConfig::resolve(args, DeliveryArgs::default())
    }

    #[test]
    fn without_settings_no_transport_is_configured() {
        let c = resolve(DeliveryArgs::default()).unwrap();
        assert_eq!(c.product_name, "Portcullis");
        assert!(c.smtp.is_none() && c.sms.is_none());
        assert_eq!(c.poll, Duration::from_millis(500));
        assert_eq!(c.retry_base_secs, 10);
    }

    #[test]
    fn smtp_needs_a_from_address_and_both_credentials() {
        let base = DeliveryArgs {
            smtp_host: Some("smtp.example.com".into()),
            ..Default::default()
        };
        assert!(resolve(base.clone()).is_err(), "no smtp_from");
        let with_from = DeliveryArgs {
            smtp_from: Some("Acme <noreply@example.com>".into()),
            ..base
        };
        let c = resolve(with_from.clone()).unwrap().smtp.unwrap();
        assert_eq!((c.port, c.security), (587, SmtpSecurity::Starttls));
        let half = DeliveryArgs {
            smtp_username: Some("mailer".into()),
            ..with_from.clone()
        };
        assert!(resolve(half).is_err());
        let tls = DeliveryArgs {
            smtp_security: Some(SmtpSecurity::Tls),
            smtp_password: Some("hunter2".into()),
            smtp_username: Some("mailer".into()),
            ..with_from
        };
        let c = resolve(tls).unwrap().smtp.unwrap();
        assert_eq!(c.port, 465);
        assert!(!format!("{c:?}").contains("hunter2"));
        let orphan = DeliveryArgs {
            smtp_from: Some("a@example.com".into()),
            ..Default::default()
        };
        assert!(resolve(orphan).is_err(), "smtp_from without smtp_host");
    }

    #[test]
    fn the_sms_gateway_defaults_to_a_json_post_and_checks_its_headers() {
        let c = resolve(DeliveryArgs {
            sms_url: Some("https://sms.example.com/send?key=SECRETKEY".into()),
            sms_header: vec!["Authorization: Bearer SECRETTOKEN".into()],
            ..Default::default()
        })
        .unwrap()
        .sms
        .unwrap();
        assert_eq!(c.method, Method::POST);
        assert_eq!(c.escape, BodyEscape::Json);
        assert_eq!(c.body.as_deref(), Some(DEFAULT_SMS_BODY));
        let shown = format!("{c:?}");
        assert!(shown.contains("https://sms.example.com"), "{shown}");
        assert!(!shown.contains("SECRET"), "{shown}");
        for bad in [
            DeliveryArgs {
                sms_url: Some("ftp://x".into()),
                ..Default::default()
            },
            DeliveryArgs {
                sms_url: Some("https://x".into()),
                sms_header: vec!["no colon".into()],
                ..Default::default()
            },
            DeliveryArgs {
                sms_url: Some("https://x".into()),
                sms_body: Some("to={to}".into()),
                ..Default::default()
            },
            DeliveryArgs {
                sms_url: Some("https://x?to={to}".into()),
                sms_method: Some("GET".into()),
                sms_body: Some("x".into()),
                ..Default::default()
            },
            DeliveryArgs {
                sms_body: Some("x".into()),
                ..Default::default()
            },
        ] {
            assert!(resolve(bad).is_err());
        }
    }

    #[test]
    fn a_form_body_is_percent_encoded_and_get_has_none() {
        let form = resolve(DeliveryArgs {
            sms_url: Some("http://127.0.0.1:9/send".into()),
            sms_header: vec!["Content-Type: application/x-www-form-urlencoded".into()],
            sms_body: Some("to={to}&text={text}".into()),
            ..Default::default()
        })
        .unwrap()
        .sms
        .unwrap();
        assert_eq!(form.escape, BodyEscape::Form);
        let get = resolve(DeliveryArgs {
            sms_url: Some("http://127.0.0.1:9/send?to={to}&text={text}".into()),
            sms_method: Some("get".into()),
            ..Default::default()
        })
        .unwrap()
        .sms
        .unwrap();
        assert!(get.body.is_none() && get.method == Method::GET);
    }

    #[test]
    fn file_keys_are_taken_and_the_rest_left() {
        let mut table: toml::Table =
            toml::from_str("bind = \"127.0.0.1:1\"\nsmtp_host = \"mx\"\nsms_header = [\"A: b\"]\n")
                .unwrap();
        let taken = DeliveryArgs::take_from_file(&mut table).unwrap();
        assert_eq!(taken.smtp_host.as_deref(), Some("mx"));
        assert_eq!(taken.sms_header, ["A: b"]);
        assert_eq!(table.keys().collect::<Vec<_>>(), ["bind"]);
    }
}
