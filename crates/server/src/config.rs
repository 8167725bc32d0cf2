//! Configuration: command-line flags win over environment variables, which win over the TOML
//! file given by `--config`, which wins over the defaults. Every setting has all three spellings
//! (`--public-url`, `PORTCULLIS_PUBLIC_URL`, `public_url = "..."`).

use portcullis_core::locale::Language;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use ipnet::IpNet;
use serde::Deserialize;

use portcullis_core::service::sweep::{DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS};

use crate::delivery::config::{DeliveryArgs, DeliveryConfig};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// SQLite's `synchronous` for the writing connection: `normal` loses no committed transaction
/// when the process crashes, only possibly the last ones on a power loss; `full` survives that
/// too, at one fsync per commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSynchronous {
    Normal,
    Full,
}

/// How often a node sweeps expired rows when nothing says otherwise.
const DEFAULT_SWEEP_INTERVAL_SECS: u64 = 300;
/// A day: a longer pause lets the tables grow for no reason.
const MAX_SWEEP_INTERVAL_SECS: u64 = 86_400;

/// Each hashing thread may hold ~20 MiB while it hashes: more threads than this is a typo.
const MAX_HASH_THREADS: usize = 1024;
/// A waiting hash costs little memory, but a queue this long already means seconds of waiting.
const MAX_HASH_QUEUE: usize = 1_000_000;

/// The flags of `portcullis serve`; each also reads its environment variable.
#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "PORTCULLIS_BIND")]
    pub bind: Option<SocketAddr>,
    /// Data folder: SQLite database, master key, outbox [default: ./portcullis-data]
    #[arg(long, env = "PORTCULLIS_DATA")]
    pub data: Option<PathBuf>,
    /// Let anyone sign up and create a contract
    #[arg(long, env = "PORTCULLIS_OPEN_REGISTRATION", num_args = 0..=1, default_missing_value = "true")]
    pub open_registration: Option<bool>,
    /// The URL people reach the server at, used in links and to mark cookies Secure [default: http://BIND]
    #[arg(long, env = "PORTCULLIS_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The language of pages, emails and SMS for a person who chose none and whose browser
    /// asks for neither: `en` or `de` [default: en]
    #[arg(long, env = "PORTCULLIS_DEFAULT_LANGUAGE", value_parser = parse_language)]
    pub default_language: Option<Language>,
    /// Log format [default: text]
    #[arg(long, env = "PORTCULLIS_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,
    /// postgres://... for PostgreSQL; sqlite://PATH or nothing for SQLite in the data folder
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Master key (32 bytes, base64); by default generated into DATA/master.key
    #[arg(long, env = "PORTCULLIS_MASTER_KEY", hide_env_values = true)]
    pub master_key: Option<String>,
    /// The issuer name authenticator apps show beside the account [default: Portcullis]
    #[arg(long, env = "PORTCULLIS_TOTP_ISSUER")]
    pub totp_issuer: Option<String>,
    /// Seconds a session may stay unused [default: 1800]
    #[arg(long, env = "PORTCULLIS_SESSION_IDLE_SECS")]
    pub session_idle_secs: Option<i64>,
    /// Seconds a session lives at most [default: 36000]
    #[arg(long, env = "PORTCULLIS_SESSION_MAX_SECS")]
    pub session_max_secs: Option<i64>,
    #[command(flatten)]
    pub delivery: DeliveryArgs,
    /// Require a verified mobile number before two-factor authentication can be activated
    #[arg(long, env = "PORTCULLIS_REQUIRE_PHONE_FOR_2FA", num_args = 0..=1, default_missing_value = "true")]
    pub require_phone_for_2fa: Option<bool>,
    /// Seconds a push sign-in request waits for an answer in the companion app [default: 120]
    #[arg(long, env = "PORTCULLIS_PUSH_CHALLENGE_SECS")]
    pub push_challenge_secs: Option<i64>,
    /// Let device webhooks reach loopback, private and link-local addresses [default: false]
    #[arg(long, env = "PORTCULLIS_PUSH_WEBHOOK_ALLOW_PRIVATE", num_args = 0..=1, default_missing_value = "true")]
    pub push_webhook_allow_private: Option<bool>,
    /// Threads that hash passwords [default: the number of cores]
    #[arg(long, env = "PORTCULLIS_HASH_THREADS")]
    pub hash_threads: Option<usize>,
    /// Password hashes that may wait for a thread; beyond that requests get 503 [default: 64 per thread]
    #[arg(long, env = "PORTCULLIS_HASH_QUEUE")]
    pub hash_queue: Option<usize>,
    /// SQLite durability: normal, or full to survive a power loss [default: normal]
    #[arg(long, env = "PORTCULLIS_SQLITE_SYNCHRONOUS", value_enum)]
    pub sqlite_synchronous: Option<SqliteSynchronous>,
    /// Proxies whose X-Forwarded-For/-Proto/-Host are believed, as CIDR[,CIDR...] [default: none]
    #[arg(long, env = "PORTCULLIS_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Option<Vec<String>>,
    /// Domain the session cookie is set for, so one sign-in covers its subdomains [default: this host only]
    #[arg(long, env = "PORTCULLIS_COOKIE_DOMAIN")]
    pub cookie_domain: Option<String>,
    /// Days the outbox keeps messages sent or given up before the sweep deletes them [default: 30]
    #[arg(long, env = "PORTCULLIS_RETENTION_DAYS")]
    pub retention_days: Option<u32>,
    /// Seconds between two sweeps of expired rows; 0 turns the sweep off on this node [default: 300]
    #[arg(long, env = "PORTCULLIS_SWEEP_INTERVAL")]
    pub sweep_interval: Option<u64>,
    /// Bearer token that /metrics then requires (Authorization: Bearer TOKEN) [default: none, /metrics is open]
    #[arg(long, env = "PORTCULLIS_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// UDP address of the RADIUS listener, such as 0.0.0.0:1812 [default: none, RADIUS is off]
    #[arg(long, env = "PORTCULLIS_RADIUS_BIND")]
    pub radius_bind: Option<SocketAddr>,
}

/// The same settings as they appear in the TOML file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    bind: Option<SocketAddr>,
    data: Option<PathBuf>,
    open_registration: Option<bool>,
    public_url: Option<String>,
    default_language: Option<Language>,
    log_format: Option<LogFormat>,
    database_url: Option<String>,
    master_key: Option<String>,
    session_idle_secs: Option<i64>,
    session_max_secs: Option<i64>,
    totp_issuer: Option<String>,
    require_phone_for_2fa: Option<bool>,
    push_challenge_secs: Option<i64>,
    push_webhook_allow_private: Option<bool>,
    hash_threads: Option<usize>,
    hash_queue: Option<usize>,
    sqlite_synchronous: Option<SqliteSynchronous>,
    trusted_proxies: Option<Vec<String>>,
    cookie_domain: Option<String>,
    retention_days: Option<u32>,
    sweep_interval: Option<u64>,
    metrics_token: Option<String>,
    radius_bind: Option<SocketAddr>,
}

/// The settings in force, after merging.
/// A configured secret (the master key, the metrics token): `Debug` says it is set, never what it is.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretText(String);

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl std::ops::Deref for SecretText {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Drop for SecretText {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub data: PathBuf,
    pub open_registration: bool,
    pub public_url: String,
    /// The language for a person who chose none and whose browser asks for neither.
    pub default_language: Language,
    /// The OpenID Connect issuer: the public URL exactly as it was given (a trailing slash
    /// kept), since relying parties compare it byte for byte with the `iss` of every token.
    pub issuer: String,
    /// False when the public URL is only the default derived from the bind address; the server
    /// then fills in the address it actually bound (port 0 becomes the real port).
    pub public_url_configured: bool,
    pub log_format: LogFormat,
    pub database_url: Option<String>,
    pub master_key: Option<SecretText>,
    pub session_idle_secs: i64,
    pub session_max_secs: i64,
    pub totp_issuer: String,
    /// Where email and SMS go: SMTP, an SMS gateway, or files in the data folder.
    pub delivery: DeliveryConfig,
    /// 2FA can be activated only with a verified mobile number.
    pub require_phone_for_2fa: bool,
    /// How long a push sign-in request waits for the companion app.
    pub push_challenge_secs: i64,
    /// Device webhooks may reach internal addresses (off: a paired device must not make the
    /// server call hosts inside the operator's network).
    pub push_webhook_allow_private: bool,
    /// Password-hashing threads, and the hashes that may wait for one before requests are
    /// refused with 503 `overloaded`.
    pub hash_threads: usize,
    pub hash_queue: usize,
    pub sqlite_synchronous: SqliteSynchronous,
    /// Only connections from these networks have their `X-Forwarded-*` headers believed.
    pub trusted_proxies: Vec<IpNet>,
    /// The session cookie's `Domain` (lower case, no leading dot); `None` keeps it to this host.
    pub cookie_domain: Option<String>,
    /// How long the outbox keeps messages sent or given up (the sweep's retention).
    pub retention_days: u32,
    /// Seconds between two sweeps on this node; 0: this node never sweeps.
    pub sweep_interval_secs: u64,
    /// When set, `/metrics` answers only requests with `Authorization: Bearer` this token.
    pub metrics_token: Option<SecretText>,
    /// Where the RADIUS listener receives; `None`: no RADIUS.
    pub radius_bind: Option<SocketAddr>,
    /// The file given with `--config`, so that the commands the server suggests find the same
    /// settings.
    pub config_file: Option<PathBuf>,
}

impl Config {
    pub fn resolve(args: ServeArgs, file: Option<&Path>) -> anyhow::Result<Config> {
        let (f, delivery_file) = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the config file {}", path.display()))?;
                let invalid = || format!("invalid config file {}", path.display());
                // The delivery keys are taken out first; the rest must all be known.
                let mut table = toml::from_str::<toml::Table>(&text).with_context(invalid)?;
                let delivery = DeliveryArgs::take_from_file(&mut table).with_context(invalid)?;
                (
                    table.try_into::<FileConfig>().with_context(invalid)?,
                    delivery,
                )
            }
            None => (FileConfig::default(), DeliveryArgs::default()),
        };
        let bind = args
            .bind
            .or(f.bind)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
        let configured_url = args.public_url.or(f.public_url);
        let public_url_configured = configured_url.is_some();
        let issuer = configured_url
            .clone()
            .unwrap_or_else(|| format!("http://{bind}"));
        let public_url = issuer.trim_end_matches('/').to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            bail!("the public URL must start with http:// or https://");
        }
        let hash_threads = args.hash_threads.or(f.hash_threads).unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
        });
        let config = Config {
            bind,
            data: args
                .data
                .or(f.data)
                .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA)),
            open_registration: args
                .open_registration
                .or(f.open_registration)
                .unwrap_or(false),
            public_url,
            default_language: args
                .default_language
                .or(f.default_language)
                .unwrap_or_default(),
            issuer,
            public_url_configured,
            log_format: args.log_format.or(f.log_format).unwrap_or(LogFormat::Text),
            database_url: args
                .database_url
                .or(f.database_url)
                .filter(|s| !s.is_empty()),
            master_key: args
                .master_key
                .or(f.master_key)
                .filter(|s| !s.is_empty())
                .map(SecretText),
            session_idle_secs: args
                .session_idle_secs
                .or(f.session_idle_secs)
                .unwrap_or(30 * 60),
            session_max_secs: args
                .session_max_secs
                .or(f.session_max_secs)
                .unwrap_or(10 * 3600),
            totp_issuer: args
                .totp_issuer
                .or(f.totp_issuer)
                .unwrap_or_else(|| "Portcullis".to_owned()),
            delivery: DeliveryConfig::resolve(args.delivery, delivery_file)?,
            require_phone_for_2fa: args
                .require_phone_for_2fa
                .or(f.require_phone_for_2fa)
                .unwrap_or(false),
            push_challenge_secs: args
                .push_challenge_secs
                .or(f.push_challenge_secs)
                .unwrap_or(120),
            push_webhook_allow_private: args
                .push_webhook_allow_private
                .or(f.push_webhook_allow_private)
                .unwrap_or(false),
            hash_threads,
            hash_queue: args
                .hash_queue
                .or(f.hash_queue)
                .unwrap_or(hash_threads.saturating_mul(64)),
            sqlite_synchronous: args
                .sqlite_synchronous
                .or(f.sqlite_synchronous)
                .unwrap_or(SqliteSynchronous::Normal),
            trusted_proxies: parse_networks(
                args.trusted_proxies
                    .or(f.trusted_proxies)
                    .unwrap_or_default(),
            )?,
            cookie_domain: parse_cookie_domain(args.cookie_domain.or(f.cookie_domain))?,
            retention_days: args
                .retention_days
                .or(f.retention_days)
                .unwrap_or(DEFAULT_RETENTION_DAYS),
            sweep_interval_secs: args
                .sweep_interval
                .or(f.sweep_interval)
                .unwrap_or(DEFAULT_SWEEP_INTERVAL_SECS),
            metrics_token: args
                .metrics_token
                .or(f.metrics_token)
                .filter(|s| !s.is_empty())
                .map(SecretText),
            radius_bind: args.radius_bind.or(f.radius_bind),
            config_file: file.map(Path::to_path_buf),
        };
        if !(1..=MAX_HASH_THREADS).contains(&config.hash_threads) {
            bail!("hash_threads must be between 1 and {MAX_HASH_THREADS}");
        }
        if config.hash_queue > MAX_HASH_QUEUE {
            bail!("hash_queue must be at most {MAX_HASH_QUEUE}");
        }
        if !(1..=3600).contains(&config.push_challenge_secs) {
            bail!("push_challenge_secs must be between 1 and 3600");
        }
        if config.totp_issuer.is_empty() || config.totp_issuer.contains(':') {
            bail!("totp_issuer must be non-empty and must not contain ':'");
        }
        if let Some(domain) = &config.cookie_domain
            && config.public_url_configured
            && !within_domain(&config.public_url, domain)
        {
            // Browsers drop a cookie whose Domain does not cover the host that set it: every
            // sign-in would seem to work and leave the person signed out.
            bail!(
                "cookie_domain {domain} must be the public URL's host or a parent of it ({})",
                config.public_url
            );
        }
        if !(1..=MAX_RETENTION_DAYS).contains(&config.retention_days) {
            bail!("retention_days must be between 1 and {MAX_RETENTION_DAYS}");
        }
        if config.sweep_interval_secs > MAX_SWEEP_INTERVAL_SECS {
            bail!("sweep_interval must be at most {MAX_SWEEP_INTERVAL_SECS} seconds (a day)");
        }
        if let Some(token) = &config.metrics_token
            && (token.len() < 16 || !token.bytes().all(|b| b.is_ascii_graphic()))
        {
            // The token travels in a header: printable ASCII only; and it guards counters that
            // tell how many people sign in, so it must not be guessable.
            bail!("metrics_token must be at least 16 printable ASCII characters without spaces");
        }
        if config.session_idle_secs < 60 || config.session_max_secs < config.session_idle_secs {
            bail!(
                "session_idle_secs must be at least 60 and session_max_secs at least session_idle_secs"
            );
        }
        Ok(config)
    }

    /// `portcullis outbox list` with what finds this server's data folder: `--config` when a
    /// file was given and `--data` unless the folder is the default, so the command printed at
    /// start-up works when pasted into the same shell.
    pub fn outbox_list_command(&self) -> String {
        let mut command = "portcullis outbox list".to_owned();
        if let Some(file) = &self.config_file {
            command.push_str(&format!(" --config {}", shell_word(file)));
        }
        if self.data != Path::new(DEFAULT_DATA) {
            command.push_str(&format!(" --data {}", shell_word(&self.data)));
        }
        command
    }

    /// Cookies get the Secure flag when people reach the server over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The SQLite database in the data folder unless a URL says otherwise.
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data.join("portcullis.db").display()
            ),
        }
    }
}

/// `trusted_proxies` as networks: `10.0.0.0/8`, or a bare address for one host.
fn parse_networks(items: Vec<String>) -> anyhow::Result<Vec<IpNet>> {
    items
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .with_context(|| {
                    format!("trusted_proxies: {s:?} is not an address or CIDR network")
                })
        })
        .collect()
}

/// Whether the host of `url` is `domain` or one of its subdomains.
fn within_domain(url: &str, domain: &str) -> bool {
    let host = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest)
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let host = host
        .rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host, |(name, _)| name)
        .to_ascii_lowercase();
    host == domain || host.ends_with(&format!(".{domain}"))
}

/// `cookie_domain` as a bare lower-case host name: a leading dot is dropped (browsers ignore
/// it), anything with a scheme, port, path or wildcard is refused.
fn parse_cookie_domain(value: Option<String>) -> anyhow::Result<Option<String>> {
    let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    let domain = value.trim().trim_start_matches('.').to_ascii_lowercase();
    let valid = !domain.is_empty()
        && domain.len() <= 253
        && domain
            .split('.')
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    if !valid {
        bail!("cookie_domain must be a host name such as example.com, not {value:?}");
    }
    Ok(Some(domain))
}

/// The data folder when neither a flag, the environment nor the config file names one.
const DEFAULT_DATA: &str = "portcullis-data";

/// `path` as one word of a POSIX shell command: quoted when it holds anything but plain
/// characters.
fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+:@%,=".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

fn parse_language(text: &str) -> Result<Language, String> {
    match text {
        "en" => Ok(Language::En),
        "de" => Ok(Language::De),
        _ => Err("the languages are en and de".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outbox_command_names_the_data_folder_and_config_file_that_were_used() {
        let default = Config::resolve(ServeArgs::default(), None).unwrap();
        assert_eq!(default.outbox_list_command(), "portcullis outbox list");
        let args = ServeArgs {
            data: Some(PathBuf::from("/srv/my data")),
            ..Default::default()
        };
        let custom = Config::resolve(args, None).unwrap();
        assert_eq!(
            custom.outbox_list_command(),
            "portcullis outbox list --data '/srv/my data'"
        );
    }

    #[test]
    fn the_master_key_never_shows_in_debug_output() {
        let key = "q1LZf0Qk9pQx8e4Wb0yC2rJmT5sVhN3aG7dK6uXoYiE=";
        let args = ServeArgs {
            master_key: Some(key.to_owned()),
            ..Default::default()
        };
        let c = Config::resolve(args, None).unwrap();
        assert_eq!(c.master_key.as_deref(), Some(key));
        let shown = format!("{c:?}");
        assert!(
            !shown.contains(key) && shown.contains("<redacted>"),
            "{shown}"
        );
    }

    #[test]
    fn flags_win_over_the_file_and_the_file_over_defaults() {
        let dir = std::env::temp_dir().join(format!("pc-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("portcullis.toml");
        std::fs::write(&path, "bind = \"0.0.0.0:9000\"\npublic_url = \"https://id.example.com/\"\nopen_registration = true\n").unwrap();
        let args = ServeArgs {
            bind: Some("127.0.0.1:7000".parse().unwrap()),
            ..Default::default()
        };
        let c = Config::resolve(args, Some(&path)).unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:7000");
        assert_eq!(c.public_url, "https://id.example.com");
        assert_eq!(c.issuer, "https://id.example.com/");
        assert!(c.open_registration && c.secure_cookies());
        assert_eq!(c.data, PathBuf::from("portcullis-data"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn the_hashing_pool_and_sqlite_durability_come_from_flags_or_the_file() {
        let dir = std::env::temp_dir().join(format!("pc-config-hash-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("portcullis.toml");
        std::fs::write(
            &path,
            "hash_threads = 3\nhash_queue = 5\nsqlite_synchronous = \"full\"\n",
        )
        .unwrap();
        let c = Config::resolve(ServeArgs::default(), Some(&path)).unwrap();
        assert_eq!((c.hash_threads, c.hash_queue), (3, 5));
        assert_eq!(c.sqlite_synchronous, SqliteSynchronous::Full);
        let args = ServeArgs {
            hash_threads: Some(2),
            ..Default::default()
        };
        let c = Config::resolve(args, None).unwrap();
        // The queue follows the threads unless it is set.
        assert_eq!((c.hash_threads, c.hash_queue), (2, 128));
        assert_eq!(c.sqlite_synchronous, SqliteSynchronous::Normal);
        let c = Config::resolve(ServeArgs::default(), None).unwrap();
        assert!(c.hash_threads >= 1);
        assert_eq!(c.hash_queue, c.hash_threads * 64);
        let none = ServeArgs {
            hash_threads: Some(0),
            ..Default::default()
        };
        assert!(Config::resolve(none, None).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn the_cookie_domain_must_cover_the_public_urls_host() {
        let with = |url: &str, domain: &str| {
            Config::resolve(
                ServeArgs {
                    public_url: Some(url.into()),
                    cookie_domain: Some(domain.into()),
                    ..Default::default()
                },
                None,
            )
        };
        assert!(with("https://id.example.com", "example.com").is_ok());
        assert!(with("https://example.com:8443/", "example.com").is_ok());
        assert!(with("https://id.example.com", "id.example.com").is_ok());
        assert!(with("https://id.example.com", "other.com").is_err());
        assert!(with("https://badexample.com", "example.com").is_err());
    }

    #[test]
    fn trusted_proxies_and_the_cookie_domain_are_checked_when_read() {
        let args = ServeArgs {
            trusted_proxies: Some(vec!["10.0.0.0/8".into(), " 192.0.2.7".into()]),
            cookie_domain: Some(".Example.COM".into()),
            ..Default::default()
        };
        let c = Config::resolve(args, None).unwrap();
        let nets: Vec<String> = c.trusted_proxies.iter().map(|n| n.to_string()).collect();
        assert_eq!(nets, ["10.0.0.0/8", "192.0.2.7/32"]);
        assert_eq!(c.cookie_domain.as_deref(), Some("example.com"));
        for bad in ["10.0.0.0/33", "proxy.example.com"] {
            let args = ServeArgs {
                trusted_proxies: Some(vec![bad.into()]),
                ..Default::default()
            };
            assert!(Config::resolve(args, None).is_err(), "{bad}");
        }
        for bad in [
            "https://example.com",
            "example.com:443",
            "*.example.com",
            "a..b",
        ] {
            let args = ServeArgs {
                cookie_domain: Some(bad.into()),
                ..Default::default()
            };
            assert!(Config::resolve(args, None).is_err(), "{bad}");
        }
        let none = Config::resolve(ServeArgs::default(), None).unwrap();
        assert!(none.trusted_proxies.is_empty() && none.cookie_domain.is_none());
    }

    #[test]
    fn the_sweep_and_the_metrics_token_come_from_flags_or_the_file_and_the_token_never_shows() {
        let c = Config::resolve(ServeArgs::default(), None).unwrap();
        assert_eq!((c.retention_days, c.sweep_interval_secs), (30, 300));
        assert!(c.metrics_token.is_none());
        let dir = std::env::temp_dir().join(format!("pc-config-sweep-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("portcullis.toml");
        let token = "Metrics-Token-0123456789";
        std::fs::write(
            &path,
            format!("retention_days = 7\nsweep_interval = 0\nmetrics_token = \"{token}\"\n"),
        )
        .unwrap();
        let c = Config::resolve(ServeArgs::default(), Some(&path)).unwrap();
        assert_eq!((c.retention_days, c.sweep_interval_secs), (7, 0));
        assert_eq!(c.metrics_token.as_deref(), Some(token));
        assert!(!format!("{c:?}").contains(token));
        let args = ServeArgs {
            retention_days: Some(90),
            ..Default::default()
        };
        assert_eq!(
            Config::resolve(args, Some(&path)).unwrap().retention_days,
            90
        );
        std::fs::remove_dir_all(dir).unwrap();
        for bad in [
            ServeArgs {
                retention_days: Some(0),
                ..Default::default()
            },
            ServeArgs {
                sweep_interval: Some(86_401),
                ..Default::default()
            },
            ServeArgs {
                metrics_token: Some("short".into()),
                ..Default::default()
            },
            ServeArgs {
                metrics_token: Some("with a space in it, long enough".into()),
                ..Default::default()
            },
        ] {
            assert!(Config::resolve(bad.clone(), None).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn radius_is_off_unless_an_address_is_given_by_flag_or_file() {
        let c = Config::resolve(ServeArgs::default(), None).unwrap();
        assert_eq!(c.radius_bind, None);
        let dir = std::env::temp_dir().join(format!("pc-config-radius-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("portcullis.toml");
        std::fs::write(&path, "radius_bind = \"0.0.0.0:1812\"\n").unwrap();
        let c = Config::resolve(ServeArgs::default(), Some(&path)).unwrap();
        assert_eq!(c.radius_bind, Some("0.0.0.0:1812".parse().unwrap()));
        let args = ServeArgs {
            radius_bind: Some("127.0.0.1:11812".parse().unwrap()),
            ..Default::default()
        };
        let c = Config::resolve(args, Some(&path)).unwrap();
        assert_eq!(c.radius_bind, Some("127.0.0.1:11812".parse().unwrap()));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        let dir = std::env::temp_dir().join(format!("pc-config-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.toml");
        std::fs::write(&path, "bnid = \"0.0.0.0:9000\"\n").unwrap();
        assert!(Config::resolve(ServeArgs::default(), Some(&path)).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
