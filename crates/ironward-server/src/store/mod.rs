//! Storage of the management server: applications, agent keys (hashed), each application's
//! remote configuration, the shared blacklist, admin users, API tokens, sessions and security
//! events, behind the [`Store`] trait. [`SqlStore`] implements it on the embedded SQLite
//! database or on PostgreSQL with the same migrations (`migrations/`, dialect-neutral SQL with
//! `$n` parameters, which both drivers read).

mod sql;
mod sql_admin;
mod sql_dashboard;
mod sql_events;
mod sql_instances;
mod sql_manage;

pub use sql::{
    Backend, DB_FILE, DEFAULT_ACQUIRE_TIMEOUT, DEFAULT_PG_POOL_SIZE, PoolSettings,
    SQLITE_POOL_SIZE, SqlStore, SqliteStore,
};
pub use sql_dashboard::{Count, DashboardQueries, TOP_IPS, TOP_SAMPLE};
pub use sql_events::MAX_EVENT_PAGE;
pub use sql_manage::{ManageQueries, UserInfo};

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
    /// When it was created (epoch seconds).
    pub created_at: i64,
    /// When its configuration last changed (epoch seconds; `None` before schema 3 or never).
    pub config_changed_at: Option<i64>,
}

/// What was delivered to one agent instance (a worker process sending an instance id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Delivery {
    /// The app's `config_version` it last received.
    pub config_version_sent: i64,
    /// The app's `blacklist_seq` up to which it received the blacklist.
    pub blacklist_cursor: i64,
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
    /// When the key was created (epoch seconds).
    pub created_at: i64,
}

impl Agent {
    /// The agent's public identifier: the first 16 hex digits of its key hash.
    pub fn id(&self) -> &str {
        self.key_hash.get(..16).unwrap_or(&self.key_hash)
    }
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
    /// `key_hash` of the agent that reported it (`None`: added by an operator).
    pub reported_by: Option<String>,
    /// When an operator entry expires (epoch seconds); agents are told to remove it then.
    pub expires_at: Option<i64>,
    /// When it was removed (epoch seconds); a removed entry is sent as a removal.
    pub removed_at: Option<i64>,
    /// The operator's note.
    pub note: Option<String>,
}

/// An admin user of the dashboard and the REST API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Unique name (`admin` for the first one).
    pub name: String,
    /// argon2id PHC string.
    pub password_hash: String,
}

/// A REST API bearer token (stored by hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    /// SHA-256 (hex) of the token.
    pub token_hash: String,
    /// Public identifier to list and revoke it.
    pub id: String,
    /// The operator's label.
    pub name: String,
    /// Its owner.
    pub user_name: String,
    /// `read` or `write`.
    pub scope: String,
    /// Creation time (epoch seconds).
    pub created_at: i64,
    /// Expiry (epoch seconds), if any.
    pub expires_at: Option<i64>,
    /// Last use, updated at most once a minute.
    pub last_used_at: Option<i64>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<i64>,
}

/// A dashboard session (stored by hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// SHA-256 (hex) of the session id.
    pub session_hash: String,
    /// The signed-in user.
    pub user_name: String,
    /// Creation time (epoch seconds).
    pub created_at: i64,
    /// Expiry (epoch seconds).
    pub expires_at: i64,
}

/// A security event to store (parsed from an agent's log record).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct NewEvent {
    /// When it happened (epoch seconds).
    pub time: i64,
    /// The check's key (`sqli`, `xss`, …).
    pub check: String,
    /// Source IP, if known.
    pub ip: Option<String>,
    /// Country as the agent wrote it.
    pub country: Option<String>,
    /// pyrasp's numeric level (0–3).
    pub action: Option<i64>,
    /// Where the payload was found (`qs_values`, …).
    pub location: Option<String>,
    /// The payload (decoded from base64 when it was).
    pub payload: Option<String>,
    /// Request path.
    pub path: Option<String>,
    /// Detection engine, if any.
    pub engine: Option<String>,
    /// Detector score, if any.
    pub score: Option<f64>,
    /// MITRE/PCB/IW codes.
    pub codes: Vec<String>,
    /// The details object as received (JSON text).
    pub detail: Option<String>,
}

/// A stored security event.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EventRow {
    /// Its identifier (increasing).
    pub id: i64,
    /// Its application.
    pub app: String,
    /// Public id of the agent that sent it.
    pub agent: Option<String>,
    /// When the server stored it (epoch seconds).
    pub received_at: i64,
    /// The event.
    #[serde(flatten)]
    pub event: NewEvent,
}

/// Filters and page of an event listing: newest first, keyset pagination on `(time, id)`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventQuery {
    /// Only this application.
    pub app: Option<String>,
    /// Only this check.
    pub check: Option<String>,
    /// Only this source IP.
    pub ip: Option<String>,
    /// Only events at or after this time (epoch seconds).
    pub since: Option<i64>,
    /// Only events before this time (epoch seconds).
    pub until: Option<i64>,
    /// Only events older than this `(time, id)` (the previous page's last event).
    pub before: Option<(i64, i64)>,
    /// Page size.
    pub limit: i64,
}

/// Result alias of the store.
pub type StoreResult<T> = Result<T, StoreError>;

/// The storage operations of the management server. Every method is one short transaction.
/// The dashboard's aggregate reads are [`DashboardQueries`], its management queries
/// [`ManageQueries`].
pub trait Store: DashboardQueries + ManageQueries + Send + Sync + 'static {
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

    /// What was delivered to the instance `instance` of the agent `key_hash`, if it was seen.
    fn delivery(
        &self,
        key_hash: &str,
        instance: &str,
    ) -> impl Future<Output = StoreResult<Option<Delivery>>> + Send;
    /// Records what was delivered to an instance (creating its row on first sight) and when it
    /// was seen.
    fn record_delivery(
        &self,
        key_hash: &str,
        instance: &str,
        now: i64,
        delivery: Delivery,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Deletes the instances not seen since `older_than` (epoch seconds); returns how many.
    fn prune_instances(&self, older_than: i64) -> impl Future<Output = StoreResult<u64>> + Send;
    /// How many instances of each agent (by key hash) were seen since `since`.
    fn instance_counts(
        &self,
        since: i64,
    ) -> impl Future<Output = StoreResult<Vec<(String, i64)>>> + Send;
    /// The application's blacklist entries listed (live, `since` after `after`) or removed
    /// (`removed_at` after `after`) recently, oldest first: what agents without an instance id
    /// are sent again.
    fn blacklist_changed_after(
        &self,
        app: &str,
        after: i64,
    ) -> impl Future<Output = StoreResult<Vec<BlacklistRow>>> + Send;

    /// Every application, by name.
    fn apps(&self) -> impl Future<Output = StoreResult<Vec<App>>> + Send;
    /// Agents, of one application or all, by application then creation.
    fn agents(&self, app: Option<&str>) -> impl Future<Output = StoreResult<Vec<Agent>>> + Send;
    /// The agent whose public id ([`Agent::id`]) is `id` (revoked or not).
    fn agent_by_id(&self, id: &str) -> impl Future<Output = StoreResult<Option<Agent>>> + Send;
    /// Revokes the agent whose public id ([`Agent::id`]) is `id`; false if none (or revoked).
    fn revoke_agent(&self, id: &str, now: i64) -> impl Future<Output = StoreResult<bool>> + Send;
    /// Records the hash of an agent's ingest token (at key creation and at connect).
    fn set_ingest_hash(
        &self,
        key_hash: &str,
        ingest_hash: &str,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// The agent whose ingest token hashes to `ingest_hash`.
    fn agent_by_ingest(
        &self,
        ingest_hash: &str,
    ) -> impl Future<Output = StoreResult<Option<Agent>>> + Send;

    /// The application's blacklist entries that are not removed, oldest first.
    fn blacklist(&self, app: &str) -> impl Future<Output = StoreResult<Vec<BlacklistRow>>> + Send;
    /// Adds (or re-adds, or updates the expiry of) an operator entry; it gets a new sequence
    /// number so that every agent receives it on its next beacon.
    fn add_blacklist(
        &self,
        app: &str,
        ip: &str,
        since: i64,
        expires_at: Option<i64>,
        note: Option<&str>,
    ) -> impl Future<Output = StoreResult<BlacklistRow>> + Send;
    /// Marks an entry removed with a new sequence number (agents are told on their next
    /// beacon); false if it is not listed.
    fn remove_blacklist(
        &self,
        app: &str,
        ip: &str,
        now: i64,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    /// Removes (as [`Store::remove_blacklist`]) every entry whose expiry has passed; returns how
    /// many.
    fn expire_blacklist(&self, now: i64) -> impl Future<Output = StoreResult<u64>> + Send;

    /// The user named `name`.
    fn user(&self, name: &str) -> impl Future<Output = StoreResult<Option<User>>> + Send;
    /// How many users exist.
    fn user_count(&self) -> impl Future<Output = StoreResult<i64>> + Send;
    /// Creates a user unless one of that name exists; true if created.
    fn create_user(
        &self,
        name: &str,
        password_hash: &str,
        now: i64,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    /// Replaces a user's password hash and ends their sessions; false if no such user.
    fn set_password(
        &self,
        name: &str,
        password_hash: &str,
        now: i64,
    ) -> impl Future<Output = StoreResult<bool>> + Send;

    /// Stores a new API token.
    fn add_token(&self, token: &TokenRow) -> impl Future<Output = StoreResult<()>> + Send;
    /// The token with this hash.
    fn token(&self, token_hash: &str)
    -> impl Future<Output = StoreResult<Option<TokenRow>>> + Send;
    /// Every token (revoked ones included), newest first.
    fn tokens(&self) -> impl Future<Output = StoreResult<Vec<TokenRow>>> + Send;
    /// The token with public id `id` (revoked or not).
    fn token_by_id(&self, id: &str) -> impl Future<Output = StoreResult<Option<TokenRow>>> + Send;
    /// Revokes the token with public id `id`; false if none (or already revoked).
    fn revoke_token(&self, id: &str, now: i64) -> impl Future<Output = StoreResult<bool>> + Send;
    /// Records a use of the token.
    fn touch_token(
        &self,
        token_hash: &str,
        now: i64,
    ) -> impl Future<Output = StoreResult<()>> + Send;

    /// Stores a new session.
    fn add_session(&self, session: &SessionRow) -> impl Future<Output = StoreResult<()>> + Send;
    /// The session with this hash (expired ones included: the caller checks).
    fn session(
        &self,
        session_hash: &str,
    ) -> impl Future<Output = StoreResult<Option<SessionRow>>> + Send;
    /// Deletes a session (sign-out).
    fn delete_session(&self, session_hash: &str) -> impl Future<Output = StoreResult<()>> + Send;
    /// Deletes expired sessions; returns how many.
    fn prune_sessions(&self, now: i64) -> impl Future<Output = StoreResult<u64>> + Send;

    /// Stores events of `app` sent by the agent `key_hash`, in one transaction; returns how many.
    fn insert_events(
        &self,
        app: &str,
        key_hash: Option<&str>,
        events: &[NewEvent],
        received_at: i64,
    ) -> impl Future<Output = StoreResult<u64>> + Send;
    /// Events matching the query, newest first.
    fn events(&self, query: &EventQuery)
    -> impl Future<Output = StoreResult<Vec<EventRow>>> + Send;
    /// The event with this id.
    fn event(&self, id: i64) -> impl Future<Output = StoreResult<Option<EventRow>>> + Send;
    /// Deletes events older than `older_than` (epoch seconds), then, per application, all but
    /// the newest `max_per_app`; returns how many were deleted.
    fn prune_events(
        &self,
        older_than: Option<i64>,
        max_per_app: Option<i64>,
    ) -> impl Future<Output = StoreResult<u64>> + Send;
}
