//! Storage of the management server: applications, agent keys (hashed), each application's
//! remote configuration and the shared blacklist, behind the small [`Store`] trait so that the
//! PostgreSQL backend can follow the embedded SQLite one ([`SqliteStore`]) with the same schema
//! (`migrations/`, dialect-neutral SQL).

mod sqlite;

pub use sqlite::{DB_FILE, SqliteStore};

use ironward_cloud_protocol::{BlacklistEntry, ConfigMap, ConnectRequest, Telemetry};
use std::future::Future;

/// An error of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed (I/O, constraint, busy past the timeout…).
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored JSON document does not parse (the database was edited by hand?).
    #[error("stored JSON is invalid: {0}")]
    Json(#[from] serde_json::Error),
    /// The data directory cannot be created.
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// No application of that name.
    #[error("no application named {0:?}")]
    NoSuchApp(String),
}

/// One application (a "security profile" in pyrasp's words): its template and remote
/// configuration layer.
#[derive(Debug, Clone, PartialEq)]
pub struct App {
    /// Unique name, chosen by the operator.
    pub name: String,
    /// The configuration template its agents run (`default`, `audit`, `monitor`, `llm`, `mcp`,
    /// or Ironward's `sink`).
    pub template: String,
    /// The remote configuration layer, validated; `BEACON_URL` is added when it is sent.
    pub config: ConfigMap,
    /// Bumped on every configuration change.
    pub config_version: i64,
    /// Last sequence number given to one of its blacklist entries.
    pub blacklist_seq: i64,
}

/// What the server knows about one agent (one agent key).
#[derive(Debug, Clone, PartialEq)]
pub struct Agent {
    /// SHA-256 (hex) of its key.
    pub key_hash: String,
    /// Its application.
    pub app_name: String,
    /// When a revoked key was revoked (epoch seconds); such a key is answered 403.
    pub revoked_at: Option<i64>,
    /// Package version reported at connect or beacon (`0.10.2` for pyrasp).
    pub version: Option<String>,
    /// Framework reported at connect (`Flask`, …).
    pub platform: Option<String>,
    /// Last connect (epoch seconds).
    pub connected_at: Option<i64>,
    /// Last beacon (epoch seconds).
    pub last_beacon_at: Option<i64>,
    /// Host CPU use in percent, from the last beacon with telemetry.
    pub cpu: Option<f64>,
    /// Host memory use in percent, from the last beacon with telemetry.
    pub memory: Option<f64>,
    /// Sums of the request counters of every beacon: success, errors, attacks.
    pub requests: [i64; 3],
    /// The app's `config_version` this agent last received.
    pub config_version_sent: i64,
    /// The app's `blacklist_seq` up to which this agent received the blacklist.
    pub blacklist_cursor: i64,
}

/// One entry of an application's shared blacklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlacklistRow {
    /// The IP.
    pub ip: String,
    /// When it was blacklisted (epoch seconds).
    pub since: i64,
    /// Its sequence number in the application.
    pub seq: i64,
    /// `key_hash` of the agent that reported it.
    pub reported_by: Option<String>,
}

/// Result alias of the store.
pub type StoreResult<T> = Result<T, StoreError>;

/// The storage operations of the management server. Every method is one short transaction.
pub trait Store: Send + Sync + 'static {
    /// The application named `name`, if any.
    fn app(&self, name: &str) -> impl Future<Output = StoreResult<Option<App>>> + Send;
    /// Creates the application unless it exists; returns it (an existing one is unchanged).
    fn ensure_app(
        &self,
        name: &str,
        template: &str,
        config: &ConfigMap,
        now: i64,
    ) -> impl Future<Output = StoreResult<App>> + Send;
    /// Replaces an application's template and remote configuration and bumps its version.
    fn set_app_config(
        &self,
        name: &str,
        template: &str,
        config: &ConfigMap,
    ) -> impl Future<Output = StoreResult<App>> + Send;
    /// Registers an agent key (by its hash) for an existing application.
    fn add_agent(
        &self,
        app: &str,
        key_hash: &str,
        now: i64,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// The agent with this key hash, if any.
    fn agent(&self, key_hash: &str) -> impl Future<Output = StoreResult<Option<Agent>>> + Send;
    /// Records a connect and what the agent was sent (config version, blacklist cursor).
    fn record_connect(
        &self,
        key_hash: &str,
        request: &ConnectRequest,
        now: i64,
        config_version_sent: i64,
        blacklist_cursor: i64,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Records a beacon: version, telemetry (added to the counters), what the agent was sent.
    fn record_beacon(
        &self,
        key_hash: &str,
        version: &str,
        telemetry: Option<&Telemetry>,
        now: i64,
        config_version_sent: i64,
        blacklist_cursor: i64,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Adds IPs reported by an agent to its application's blacklist (an IP already listed keeps
    /// its entry); returns how many were new.
    fn report_blacklist(
        &self,
        app: &str,
        key_hash: Option<&str>,
        entries: &[BlacklistEntry],
    ) -> impl Future<Output = StoreResult<usize>> + Send;
    /// The application's blacklist entries with a sequence number above `after`, oldest first.
    fn blacklist_after(
        &self,
        app: &str,
        after: i64,
    ) -> impl Future<Output = StoreResult<Vec<BlacklistRow>>> + Send;
}
