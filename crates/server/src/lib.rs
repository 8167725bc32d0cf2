//! The Portcullis server: configuration, the JSON API, the web pages, the OpenAPI document and the
//! command line. It holds no rules of its own: every handler calls one use case of
//! `portcullis-core` and maps its result.
//!
//! Module map:
//! - [`config`]: flags, environment and TOML file merged into one [`config::Config`].
//! - [`keys`]: the master key, from the environment or a 0600 file in the data folder.
//! - [`http`]: what the API and the pages share and nothing of either's format: request metadata,
//!   the body limit and request deadline, time formatting, security headers, and the one table
//!   from a domain failure to status, error code and `Retry-After`. It imports neither.
//! - [`api`]: `/api/v1` handlers, one file per resource, their OpenAPI annotations, and the JSON
//!   error body.
//! - [`web`]: server-rendered pages with cookie sessions and CSRF protection: the router,
//!   `web::kit` (page plumbing) and the pages grouped by what a person does. `api` and `web`
//!   never import each other; `delivery` and `cli` import neither.
//! - [`metrics`]: Prometheus counters and the middleware that feeds them.
//! - [`delivery`]: the outbox worker that renders queued notices and sends them by SMTP, an SMS
//!   gateway, or into files; started and stopped with the server.
//! - [`sweep`]: the periodic sweep of expired rows (one node at a time, by a lease); started and
//!   stopped with the server.
//! - [`cli`]: the operator's `portcullis user …` commands (list, create, set-role, force-2fa,
//!   reset-2fa, delete), audited as done by the operator; `support-agent …`, `service-token …`,
//!   and `checkpassword`, Dovecot's helper for mail clients' app passwords.
//! - [`push_wake`]: wakes push long-polls on this node and, on PostgreSQL, on every node
//!   (LISTEN/NOTIFY); calls device webhooks.
//! - [`radius`]: the RADIUS listener (`--radius-bind`, UDP): Access-Requests from VPNs, Wi-Fi
//!   and `pam_radius`, checked (Message-Authenticator, duplicates) and decided by
//!   `portcullis_core::service::radius`; started and stopped with the server.
//! - [`drain`]: on shutdown, closes the listener and lets open connections finish with
//!   `Connection: close`, so a load balancer loses no request to a restart.
//! - [`hashing`]: the pool of low-priority threads that runs password hashes, with a bounded
//!   queue that refuses work when full.
//! - [`qr`]: QR codes (SVG, PNG) for key URIs; [`kit`]: the emergency kit PDF (not to be
//!   confused with `web::kit`, the pages' plumbing).
//! - [`Server`]: builds everything from a config and runs it until shut down; tests bind port 0.

pub mod api;
pub mod cli;
pub mod config;
pub mod delivery;
pub mod drain;
pub mod hashing;
pub mod http;
pub mod i18n;
pub mod keys;
pub mod kit;
pub mod metrics;
pub mod oauth2;
pub mod push_wake;
pub mod push_webhook;
pub mod qr;
pub mod radius;
pub mod state;
pub mod sweep;
pub mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use portcullis_core::Clock;
use portcullis_core::SystemClock;
use portcullis_core::model::SessionPolicy;
use portcullis_core::service::{ServiceKeys, Services, Settings, key_rotation};
use portcullis_store::{Backend, ConnectOptions, SqlStore, Synchronous};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::trace::TraceLayer;

use crate::config::{Config, SqliteSynchronous};
use crate::keys::MasterKey;
use crate::metrics::Metrics;
use crate::state::AppState;

pub use http::limits::BODY_LIMIT;

/// How long `serve` keeps answering on connections already open once SIGTERM arrives: a load
/// balancer's idle keep-alive timeout below it means no request is ever lost to a restart.
pub const DRAIN_GRACE: Duration = Duration::from_secs(2);

/// A server that is bound and migrated, ready to run.
pub struct Server {
    listener: TcpListener,
    /// Shared with other servers on the same folder; `portcullis restore` waits for none.
    _data_lock: cli::backup::DataLock,
    state: AppState,
    setup_link: Option<String>,
    delivery: delivery::Delivery,
    sweep: sweep::SweepTask,
    radius: Option<radius::RadiusListener>,
}

impl Server {
    /// Creates the data folder, loads or creates the master key, connects and migrates the
    /// database, and binds the listener.
    pub async fn build(mut config: Config) -> anyhow::Result<Server> {
        let data_lock = cli::backup::DataLock::shared(&config.data_folder()?)?;
        let master_key =
            MasterKey::load_or_create(config.master_key.as_deref(), &config.data_folder()?)?;
        let mut services = open_services(&config, &master_key).await?;

        let listener = TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        let radius = match config.radius_bind {
            Some(addr) => Some(radius::RadiusListener::bind(addr, &services).await?),
            None => None,
        };
        if !config.public_url_configured {
            config.public_url = format!("http://{}", listener.local_addr()?);
            config.issuer = config.public_url.clone();
        } else if let Some(host) = config.public_url.strip_suffix(":0") {
            // A public URL with port 0 (`http://localhost:0`) takes the port bound: a host name
            // for a server on a port chosen at start (tests; browsers refuse passkeys on a
            // bare IP address).
            config.public_url = format!("{host}:{}", listener.local_addr()?.port());
            // The OIDC issuer too, or discovery would name a port nobody listens on.
            let slash = if config.issuer.ends_with('/') {
                "/"
            } else {
                ""
            };
            config.issuer = format!("{}{slash}", config.public_url);
        }
        services.settings.public_url = config.public_url.clone();
        services.settings.oidc_issuer = config.issuer.clone();
        let setup_link = services
            .issue_setup_link_if_needed()
            .await?
            .map(|token| format!("{}/setup?token={}", config.public_url, token.expose()));
        let metrics = Arc::new(Metrics::default());
        let delivery = delivery::Delivery::new(
            &config.delivery,
            &config.data,
            &config.outbox_list_command(),
            services.clone(),
            metrics.clone(),
        )?;
        let sweep = sweep::SweepTask::new(
            services.clone(),
            metrics.clone(),
            config.retention_days,
            config.sweep_interval_secs,
        );
        let push = push_wake::PushWake::new(config.push_webhook_allow_private);
        let state = AppState {
            services,
            config: Arc::new(config),
            metrics,
            master_key: Arc::new(master_key),
            push: Arc::new(push),
        };
        Ok(Server {
            listener,
            _data_lock: data_lock,
            state,
            setup_link,
            delivery,
            sweep,
            radius,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The RADIUS listener's bound address, when `--radius-bind` asked for one.
    pub fn radius_addr(&self) -> Option<SocketAddr> {
        self.radius.as_ref().map(radius::RadiusListener::local_addr)
    }

    /// The one-time link for registering the first owner, when one was issued at start.
    pub fn setup_link(&self) -> Option<&str> {
        self.setup_link.as_deref()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Replaces the clock the pages and the API read, before the server runs: a test moves a
    /// [`portcullis_core::FixedClock`] through a sign-in's lifetimes instead of sleeping.
    pub fn set_clock(&mut self, clock: Arc<dyn Clock>) {
        self.state.services.clock = clock.clone();
        self.sweep.set_clock(clock);
    }

    /// Where email and SMS go, one line per channel.
    pub fn delivery_summary(&self) -> &[String] {
        self.delivery.summary()
    }

    /// Serves, and delivers the outbox, until `shutdown` completes; then finishes in-flight
    /// requests and sends and closes the database.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        self.run_draining(shutdown, Duration::ZERO).await
    }

    /// As [`Server::run`], but when shutdown begins the listener closes at once and connections
    /// already open are served on, each answer closing its connection, until their clients have
    /// closed them or `grace` has passed ([`drain`]); `serve` uses [`DRAIN_GRACE`].
    pub async fn run_draining(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
        grace: Duration,
    ) -> anyhow::Result<()> {
        let drain = drain::Drain::default();
        let app = app(self.state.clone()).layer(axum::middleware::from_fn_with_state(
            drain.watch(),
            drain::close_when_draining,
        ));
        // A key rotation rewrites the key file; this node then seals with the new key.
        let key_watch = tokio::spawn(keys::watch(
            self.state.master_key.as_ref().clone(),
            self.state.services.keys.clone(),
        ));
        let (worker, stop_worker) = self.delivery.start();
        let (sweeper, stop_sweeper) = self.sweep.start();
        let (radius, stop_radius) = match self.radius {
            Some(r) => {
                let (handle, stop) = r.start(self.state.clone());
                (Some(handle), Some(stop))
            }
            None => (None, None),
        };
        let push = self.state.push.clone();
        let url = self.state.config.effective_database_url();
        let listener = matches!(Backend::from_url(&url), Some(Backend::Postgres))
            .then(|| push_wake::spawn_listener(url, push.clone()));
        // The worker stops claiming as soon as shutdown begins, while requests still drain;
        // push long-polls answer at once instead of holding the drain up.
        // `tap_io` only lends the wrapped listener axum's `SocketAddr` connect info.
        let connections = axum::serve::ListenerExt::tap_io(drain.listener(self.listener), |_| {});
        let shutdown = async move {
            shutdown.await;
            stop_worker.stop();
            stop_sweeper.stop();
            if let Some(stop) = &stop_radius {
                stop.stop();
            }
            // Also ends the RADIUS push waits: those requests get no answer from this node.
            push.shut_down();
            drain.begin(grace).await;
        };
        let served = axum::serve(
            connections,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        worker.finished().await;
        sweeper.finished().await;
        if let Some(radius) = radius {
            radius.finished().await;
        }
        key_watch.abort();
        if let Some(listener) = listener {
            let _ = listener.await;
        }
        self.state.services.store.close().await;
        Ok(served?)
    }
}

/// Prepares the data folder, connects to and migrates the database, and assembles the use cases.
pub async fn open_services(
    config: &Config,
    master_key: &MasterKey,
) -> anyhow::Result<Services<SqlStore>> {
    config.data_folder()?;
    let url = config.effective_database_url();
    let backend = Backend::from_url(&url).ok_or(portcullis_store::StoreError::UnsupportedUrl)?;
    let options = ConnectOptions {
        synchronous: match config.sqlite_synchronous {
            SqliteSynchronous::Normal => Synchronous::Normal,
            SqliteSynchronous::Full => Synchronous::Full,
        },
        ..ConnectOptions::for_backend(backend)
    };
    let store = SqlStore::connect_with(&url, options).await?;
    store.migrate().await?;
    let settings = Settings {
        open_registration: config.open_registration,
        sessions: SessionPolicy {
            idle_secs: config.session_idle_secs,
            absolute_secs: config.session_max_secs,
        },
        totp_issuer: config.totp_issuer.clone(),
        public_url: config.public_url.clone(),
        oidc_issuer: config.issuer.clone(),
        require_phone_for_2fa: config.require_phone_for_2fa,
        push_challenge_secs: config.push_challenge_secs,
        default_language: config.default_language,
        ..Settings::default()
    };
    let hasher = hashing::password_hasher(config.hash_threads, config.hash_queue)?;
    let sealing = master_key.keyring();
    let clock = Arc::new(SystemClock);
    // The recovery codes' digest key outlives master key rotations: the database keeps it.
    let recovery = key_rotation::settle_digest_key(
        &store,
        &sealing,
        master_key.derived_digest_key(),
        clock.now(),
    )
    .await?;
    let services = Services::new(
        store,
        clock,
        hasher,
        ServiceKeys { sealing, recovery },
        settings,
    );
    // The OIDC signing keys: made at the first start (by whichever node stores first), sealed.
    services.ensure_oidc_signing_keys().await?;
    Ok(services)
}

/// The full router: API, OpenAPI document, operations endpoints, web pages, and the layers
/// every response passes through.
pub fn app(state: AppState) -> Router {
    let (api, openapi) = api::router().split_for_parts();
    let openapi = Arc::new(openapi);
    let api = api
        .route(
            "/api/openapi.json",
            get(move || async move { axum::Json(openapi.as_ref().clone()) }),
        )
        .route("/api/{*rest}", axum::routing::any(api::not_found))
        .method_not_allowed_fallback(api::method_not_allowed);
    let metrics = state.metrics.clone();
    let router = Router::new()
        .merge(api)
        .merge(web::router())
        .merge(oauth2::router())
        .fallback(web::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            i18n::layer,
        ))
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(
            metrics,
            metrics::track,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT));
    http::headers::with_security_headers(router)
        .layer(axum::middleware::from_fn(http::limits::request_deadline))
        .layer(CatchPanicLayer::custom(panic_response))
        // The span names the path, never the query: `/login/push/{id}?login_ticket=…` carries
        // a secret there.
        .layer(TraceLayer::new_for_http().make_span_with(
            |req: &axum::http::Request<axum::body::Body>| {
                // tower-http's own target, so `RUST_LOG=tower_http=debug` still shows it.
                tracing::debug_span!(
                    target: "tower_http::trace::make_span",
                    "request",
                    method = %req.method(),
                    path = %req.uri().path(),
                    version = ?req.version(),
                )
            },
        ))
        .layer(PropagateRequestIdLayer::new(HeaderName::from_static(
            "x-request-id",
        )))
        .layer(SetRequestIdLayer::new(
            HeaderName::from_static("x-request-id"),
            MakeRequestUuid,
        ))
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
            header::COOKIE,
        ]))
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    api::error::ApiError::Core(portcullis_core::Error::internal_msg("panic")).into_response()
}

impl Config {
    /// Creates the data folder with its outbox, readable only by the server's user.
    pub fn data_folder(&self) -> anyhow::Result<std::path::PathBuf> {
        std::fs::create_dir_all(self.data.join("outbox"))
            .with_context(|| format!("cannot create the data folder {}", self.data.display()))?;
        restrict_folder(&self.data)?;
        Ok(self.data.clone())
    }
}

/// The data folder holds the master key and the database: only the server's user may enter it.
#[cfg(unix)]
fn restrict_folder(path: &std::path::Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
        .with_context(|| format!("cannot restrict {}", path.display()))
}

#[cfg(not(unix))]
fn restrict_folder(_path: &std::path::Path) -> anyhow::Result<()> {
    Ok(())
}

/// Installs the SIGINT (Ctrl-C) and SIGTERM handlers at once and returns a future that completes
/// on either. Installing them before the server announces itself means a supervisor that stops
/// the server right after start gets a graceful stop, not the default kill.
pub fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    let stop = {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
        let mut terminate = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
        async move {
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
        }
    };
    #[cfg(not(unix))]
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    Ok(async move {
        stop.await;
        tracing::info!("shutting down: finishing in-flight requests");
    })
}
