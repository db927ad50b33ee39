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
mod http;
pub mod keys;
pub mod protection;
pub mod remote_config;
pub mod store;

pub use api::MAX_REPORTED_IPS;
pub use store::{SqliteStore, Store, StoreError};

use axum::Router;
use axum::routing::post;
use ironward_cloud_protocol::{BEACON_PATH, CONNECT_PATH};
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
        }
    }
}

/// Current time in epoch seconds (0 if the clock is before 1970).
pub(crate) fn now() -> i64 {
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

/// The server's routes over `store`; `beacon_url` is what agents are told to beacon to.
pub fn router<S: Store>(store: Arc<S>, beacon_url: String, options: &ServerOptions) -> Router {
    let state = Arc::new(api::ApiState {
        store,
        beacon_url,
        max_body_bytes: options.max_body_bytes,
        request_timeout: options.request_timeout,
    });
    Router::new()
        .route(CONNECT_PATH, post(api::connect::<S>))
        .route(BEACON_PATH, post(api::beacon::<S>))
        .with_state(state)
}

/// Serves the API on `listener` (HTTP/1.1) until `shutdown` resolves. Fails only if the
/// listener's address cannot be read.
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
    let mut app = router(store, beacon_url(&public), options);
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
            let template = remote_config::check_template(template.unwrap_or("default"))
                .map_err(|e| ServerError::InvalidConfig(vec![e]))?;
            let config = remote_config::initial_config();
            remote_config::validate(&template, &config, &beacon_url("http://localhost"))
                .map_err(ServerError::InvalidConfig)?;
            store.ensure_app(app, &template, &config, now()).await?
        }
    };
    let key = keys::generate_key().map_err(ServerError::Random)?;
    store
        .add_agent(&app.name, &keys::hash_key(&key), now())
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
    let found = store
        .app(app)
        .await?
        .ok_or_else(|| ServerError::NoSuchApp(app.to_owned()))?;
    let mut config = found.config.clone();
    let mut errors = Vec::new();
    for key in unset {
        config.remove(key);
    }
    for set in sets {
        match remote_config::parse_set(set) {
            Ok((key, value)) => {
                config.insert(key, value);
            }
            Err(e) => errors.push(e),
        }
    }
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
