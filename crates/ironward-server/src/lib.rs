//! `ironward server`: the self-hosted management server of Ironward and pyrasp 0.10.2 agents
//! (issue 14). This first slice stores applications, hashed agent keys, each application's
//! remote configuration and the shared blacklist in an embedded SQLite database, and speaks
//! pyrasp's connect/beacon protocol (`docs/management-protocol.md`, `docs/management.md`).
//!
//! ```
//! use ironward_server::{SqliteStore, create_key, keys::hash_key, store::Store};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
//! let dir = std::env::temp_dir().join(format!("ironward-doc-{}", std::process::id()));
//! let store = SqliteStore::open(&dir).await?;
//! // A key for a new application "shop" running the `monitor` template.
//! let key = create_key(&store, "shop", Some("monitor")).await?;
//! let agent = store.agent(&hash_key(&key)).await?.expect("stored");
//! assert_eq!(agent.app_name, "shop");
//! assert_eq!(store.app("shop").await?.expect("created").template, "monitor");
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod api;
pub mod auth;
pub mod dashboard;
pub mod events;
mod http;
pub mod keys;
pub mod metrics;
pub mod protection;
pub mod remote_config;
pub mod retention;
pub mod store;

pub use api::{LEGACY_REPEAT_SECS, MAX_INSTANCE_LEN, MAX_REPORTED_IPS};
pub use store::{Backend, SqlStore, SqliteStore, Store, StoreError};

use axum::Router;
use axum::routing::post;
use ironward_cloud_protocol::{BEACON_PATH, CONNECT_PATH, ConfigMap};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// Default `--listen` address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8700";
/// Default `--data-dir`.
pub const DEFAULT_DATA_DIR: &str = "./ironward-data";
/// Default request body limit (`--max-body-bytes`): a connect with a few thousand routes fits.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// Default time a request may take, database included (`--request-timeout-ms`); pyrasp gives up
/// after 5 s and its connect blocks the host's start-up.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(3);

/// Default time a client has to send its request headers (`--header-timeout-ms`).
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Default cap on open connections (`--max-connections`).
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// Default most events in one ingest request (`--max-events-per-request`).
pub const DEFAULT_MAX_EVENTS_PER_REQUEST: usize = 1000;

/// An error of a server operation.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The configuration (or template) was refused; every problem is listed.
    #[error("invalid configuration: {}", .0.join("; "))]
    InvalidConfig(Vec<String>),
    /// The application exists with another template.
    #[error(
        "application {app:?} exists with template {existing:?}; change it with `ironward server config`"
    )]
    TemplateMismatch {
        /// The application.
        app: String,
        /// Its template.
        existing: String,
    },
    /// No application of that name.
    #[error("no application named {0:?}")]
    NoSuchApp(String),
    /// The operating system's random source failed.
    #[error("cannot generate a key: {0}")]
    Random(getrandom::Error),
}

/// How the server listens and answers.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// The URL agents reach this server at, without a trailing slash (e.g.
    /// `https://rasp.example.com`); `BEACON_URL` is built from it. `None`: `http://` + the bound
    /// address (right on loopback, wrong behind a proxy or on `0.0.0.0`).
    pub public_url: Option<String>,
    /// Largest request body accepted (413 above).
    pub max_body_bytes: usize,
    /// Longest a request may take (500 after).
    pub request_timeout: Duration,
    /// Longest a client may take to send its request headers (the connection is closed after).
    pub header_read_timeout: Duration,
    /// Most connections open at once; more are closed as soon as they are accepted.
    pub max_connections: usize,
    /// The Ironward engine that protects the server itself (its tower layer wraps every
    /// route); `None` serves unprotected. See [`protection`].
    pub protection: Option<Arc<ironward_core::Engine>>,
    /// Send agents the `LOG_*` keys that ship their events to this server's ingest endpoint
    /// (unless an application's layer sets `LOG_*` keys itself).
    pub ship_events: bool,
    /// Most events accepted in one ingest request (400 above).
    pub max_events_per_request: usize,
    /// Sign-in rate limits.
    pub sign_in_limits: auth::Limits,
    /// Event retention and the other periodic clean-ups; `None`: no background task.
    pub retention: Option<retention::Retention>,
    /// Serve the server's own metrics on `GET /metrics` to these clients; `None`: no route.
    pub metrics: Option<metrics::MetricsOptions>,
    /// How long agents without an instance id (pyrasp) are sent a configuration change and
    /// recent blacklist changes again with every beacon answer (0: never again).
    pub legacy_repeat: Duration,
    /// Most blacklist entries taken from one beacon (the rest are ignored).
    pub max_reported_ips: usize,
    /// How long a new key's or token's page waits for its one `GET` after the dashboard's
    /// redirect.
    pub shown_secret_ttl: Duration,
    /// Most such pages waiting at once (the oldest is dropped past it).
    pub shown_secret_max: usize,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            public_url: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            protection: None,
            ship_events: true,
            max_events_per_request: DEFAULT_MAX_EVENTS_PER_REQUEST,
            sign_in_limits: auth::Limits::default(),
            retention: Some(retention::Retention::default()),
            metrics: None,
            legacy_repeat: Duration::from_secs(LEGACY_REPEAT_SECS.unsigned_abs()),
            max_reported_ips: MAX_REPORTED_IPS,
            shown_secret_ttl: dashboard::shown::SLOT_TTL,
            shown_secret_max: dashboard::shown::MAX_SLOTS,
        }
    }
}

/// Current time in epoch seconds (0 if the clock is before 1970).
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Reports an internal error on standard error (the server's log).
pub(crate) fn report(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "ironward server: {message}");
}

/// The `BEACON_URL` agents are sent for a server reachable at `public_url`.
pub fn beacon_url(public_url: &str) -> String {
    format!("{}{BEACON_PATH}", public_url.trim_end_matches('/'))
}

/// The server's routes over `store`; `public_url` is where agents reach it (their `BEACON_URL`
/// and event-ingest `LOG_*` keys are built from it). Counts in a metrics registry of its own.
pub fn router<S: Store>(store: Arc<S>, public_url: &str, options: &ServerOptions) -> Router {
    router_with_metrics(
        store,
        public_url,
        options,
        Arc::new(metrics::ServerMetrics::new()),
    )
}

/// [`router`], counting in `metrics` (which the retention task of [`serve`] shares).
pub fn router_with_metrics<S: Store>(
    store: Arc<S>,
    public_url: &str,
    options: &ServerOptions,
    metrics: Arc<metrics::ServerMetrics>,
) -> Router {
    use api::{admin, agent, ingest, metrics_route, session};
    use axum::routing::{delete, get};
    let state = Arc::new(api::ApiState {
        store,
        beacon_url: beacon_url(public_url),
        ingest: options
            .ship_events
            .then(|| remote_config::IngestTarget::from_public_url(public_url))
            .flatten(),
        max_body_bytes: options.max_body_bytes,
        max_events_per_request: options.max_events_per_request.max(1),
        request_timeout: options.request_timeout,
        limiter: Arc::new(auth::SignInLimiter::new(options.sign_in_limits)),
        secure_cookies: public_url.starts_with("https://"),
        metrics: Arc::clone(&metrics),
        metrics_route: options.metrics.clone(),
        protection: options.protection.clone(),
        legacy_repeat_secs: i64::try_from(options.legacy_repeat.as_secs()).unwrap_or(i64::MAX),
        max_reported_ips: options.max_reported_ips,
        shown: dashboard::shown::ShownOnce::new(options.shown_secret_ttl, options.shown_secret_max),
    });
    Router::new()
        .route(CONNECT_PATH, post(agent::connect::<S>))
        .route(BEACON_PATH, post(agent::beacon::<S>))
        .route(
            "/api/v1/events",
            post(ingest::events_by_key::<S>).get(admin::list_events::<S>),
        )
        .route("/api/v1/events/{id}", get(admin::get_event::<S>))
        .route(
            &format!("{}/{{token}}", remote_config::INGEST_PATH),
            post(ingest::events_by_token::<S>),
        )
        .route(
            "/api/v1/sessions",
            post(session::sign_in::<S>).delete(session::sign_out::<S>),
        )
        .route("/api/v1/session", get(session::whoami::<S>))
        .route(
            "/api/v1/tokens",
            post(session::create_token::<S>).get(session::list_tokens::<S>),
        )
        .route("/api/v1/tokens/{id}", delete(session::revoke_token::<S>))
        .route(
            "/api/v1/apps",
            get(admin::list_apps::<S>).post(admin::create_app::<S>),
        )
        .route("/api/v1/apps/{app}", get(admin::get_app::<S>))
        .route(
            "/api/v1/apps/{app}/config",
            get(admin::get_config::<S>)
                .put(admin::put_config::<S>)
                .patch(admin::patch_config::<S>),
        )
        .route("/api/v1/apps/{app}/keys", post(admin::create_key::<S>))
        .route(
            "/api/v1/apps/{app}/blacklist",
            get(admin::list_blacklist::<S>).post(admin::add_blacklist::<S>),
        )
        .route(
            "/api/v1/apps/{app}/blacklist/{ip}",
            delete(admin::remove_blacklist::<S>),
        )
        .route("/api/v1/agents", get(admin::list_agents::<S>))
        .route("/api/v1/agents/{id}", delete(admin::revoke_agent::<S>))
        .route(metrics::METRICS_PATH, get(metrics_route::metrics::<S>))
        .merge(dashboard::routes::<S>())
        // Last, so that every route above is counted (by its template).
        .layer(axum::middleware::from_fn_with_state(
            metrics,
            metrics::track,
        ))
        .with_state(state)
}

/// Serves the API on `listener` (HTTP/1.1) until `shutdown` resolves, with the retention task
/// when `options.retention` is set. Fails only if the listener's address cannot be read.
pub async fn serve<S: Store>(
    listener: TcpListener,
    store: Arc<S>,
    options: &ServerOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr: SocketAddr = listener.local_addr()?;
    let public = options
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let metrics = Arc::new(metrics::ServerMetrics::new());
    let cleaner = options
        .retention
        .clone()
        .map(|r| tokio::spawn(retention::run(Arc::clone(&store), r, Arc::clone(&metrics))));
    let mut app = router_with_metrics(store, public.trim_end_matches('/'), options, metrics);
    if let Some(engine) = &options.protection {
        app = app.layer(protection::layer(Arc::clone(engine)));
    }
    http::serve(
        listener,
        app,
        options.header_read_timeout,
        options.max_connections,
        shutdown,
    )
    .await;
    if let Some(task) = cleaner {
        task.abort();
    }
    Ok(())
}

/// Creates an agent key for `app` (creating the application with `template`, default
/// `default`, if it does not exist) and returns the key; only its hash is stored.
pub async fn create_key<S: Store>(
    store: &S,
    app: &str,
    template: Option<&str>,
) -> Result<String, ServerError> {
    let existing = store.app(app).await?;
    let app = match existing {
        Some(found) => {
            if let Some(t) = template {
                let t = remote_config::check_template(t)
                    .map_err(|e| ServerError::InvalidConfig(vec![e]))?;
                if t != found.template {
                    return Err(ServerError::TemplateMismatch {
                        app: found.name,
                        existing: found.template,
                    });
                }
            }
            found
        }
        None => {
            check_app_name(app)?;
            let template = remote_config::check_template(template.unwrap_or("default"))
                .map_err(|e| ServerError::InvalidConfig(vec![e]))?;
            let config = remote_config::initial_config();
            remote_config::validate(&template, &config, &beacon_url("http://localhost"))
                .map_err(ServerError::InvalidConfig)?;
            store.ensure_app(app, &template, &config, now()).await?
        }
    };
    let key = keys::generate_key().map_err(ServerError::Random)?;
    let key_hash = keys::hash_key(&key);
    store.add_agent(&app.name, &key_hash, now()).await?;
    store
        .set_ingest_hash(&key_hash, &keys::hash_key(&keys::ingest_token(&key)))
        .await?;
    Ok(key)
}

/// Changes an application's remote configuration: sets `KEY=VALUE` pairs, removes `unset` keys,
/// optionally switches the template; validated as a whole with the engine's loader before it is
/// stored. Every agent of the application receives the new layer on its next beacon.
pub async fn set_config<S: Store>(
    store: &S,
    app: &str,
    template: Option<&str>,
    sets: &[String],
    unset: &[String],
) -> Result<store::App, ServerError> {
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for set in sets {
        match remote_config::parse_set(set) {
            Ok(pair) => parsed.push(pair),
            Err(e) => errors.push(e),
        }
    }
    change_config(store, app, template, errors, |config| {
        for key in unset {
            config.remove(key);
        }
        config.extend(parsed);
    })
    .await
}

/// Replaces an application's remote configuration with `config` (and optionally its template),
/// validated like [`set_config`].
pub async fn put_config<S: Store>(
    store: &S,
    app: &str,
    template: Option<&str>,
    config: ConfigMap,
) -> Result<store::App, ServerError> {
    change_config(store, app, template, Vec::new(), |current| {
        *current = config
    })
    .await
}

/// Sets the keys of `set` and removes the keys of `unset` (validated like [`set_config`]).
pub async fn patch_config<S: Store>(
    store: &S,
    app: &str,
    template: Option<&str>,
    set: ConfigMap,
    unset: &[String],
) -> Result<store::App, ServerError> {
    change_config(store, app, template, Vec::new(), |config| {
        for key in unset {
            config.remove(key);
        }
        config.extend(set);
    })
    .await
}

async fn change_config<S: Store>(
    store: &S,
    app: &str,
    template: Option<&str>,
    mut errors: Vec<String>,
    change: impl FnOnce(&mut ConfigMap),
) -> Result<store::App, ServerError> {
    let found = store
        .app(app)
        .await?
        .ok_or_else(|| ServerError::NoSuchApp(app.to_owned()))?;
    let mut config = found.config.clone();
    change(&mut config);
    let template = match template {
        Some(t) => remote_config::check_template(t).unwrap_or_else(|e| {
            errors.push(e);
            found.template.clone()
        }),
        None => found.template.clone(),
    };
    if let Err(e) = remote_config::validate(&template, &config, &beacon_url("http://localhost")) {
        errors.extend(e);
    }
    if !errors.is_empty() {
        return Err(ServerError::InvalidConfig(errors));
    }
    Ok(store.set_app_config(app, &template, &config).await?)
}

/// Application names: 1–64 letters, digits, `.`, `_` or `-` (they appear in URLs).
fn check_app_name(name: &str) -> Result<(), ServerError> {
    if name.is_empty()
        || name.len() > 64
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        return Err(ServerError::InvalidConfig(vec![format!(
            "invalid application name {name:?} (1-64 letters, digits, '.', '_' or '-')"
        )]));
    }
    Ok(())
}

/// Creates an application with `template` (default `default`) and the initial remote layer;
/// `Ok(None)` if one of that name exists. Names are 1–64 letters, digits, `.`, `_` or `-`.
pub async fn create_app<S: Store>(
    store: &S,
    name: &str,
    template: Option<&str>,
) -> Result<Option<store::App>, ServerError> {
    check_app_name(name)?;
    if store.app(name).await?.is_some() {
        return Ok(None);
    }
    let template = remote_config::check_template(template.unwrap_or("default"))
        .map_err(|e| ServerError::InvalidConfig(vec![e]))?;
    Ok(Some(
        store
            .ensure_app(name, &template, &remote_config::initial_config(), now())
            .await?,
    ))
}
