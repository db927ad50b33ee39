//! The embedded SQLite store: one file, `ironward.db`, in the data directory, in WAL mode so
//! that `ironward server key create` can run beside a running server.

use super::{Agent, App, BlacklistRow, Store, StoreError, StoreResult};
use ironward_cloud_protocol::{BlacklistEntry, ConfigMap, ConnectRequest, Telemetry};
use sqlx::Row;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
};
use sqlx::{SqlSafeStr, error::BoxDynError};
use std::borrow::Cow;
use std::path::Path;
use std::time::Duration;

/// The schema migrations, embedded in the binary (shared with the future PostgreSQL store).
const MIGRATIONS: [(i64, &str, &str); 1] =
    [(1, "init", include_str!("../../migrations/0001_init.sql"))];

/// The embedded migrations as a `sqlx` migration source.
#[derive(Debug)]
struct Embedded;

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> futures_core_box::BoxFuture<'static, Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async {
            Ok(MIGRATIONS
                .iter()
                .map(|(version, description, sql)| {
                    Migration::new(
                        *version,
                        Cow::Borrowed(*description),
                        MigrationType::Simple,
                        sql.into_sql_str(),
                        false,
                    )
                })
                .collect())
        })
    }
}

mod futures_core_box {
    use std::future::Future;
    use std::pin::Pin;
    /// The boxed future `MigrationSource::resolve` returns.
    pub(super) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
}

/// The file name of the database inside the data directory.
pub const DB_FILE: &str = "ironward.db";

/// Applications, agents and blacklist in an embedded SQLite database.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating it if needed) `ironward.db` in `data_dir` and runs the migrations.
    pub async fn open(data_dir: &Path) -> StoreResult<Self> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.display().to_string(),
            source,
        })?;
        let options = SqliteConnectOptions::new()
            .filename(data_dir.join(DB_FILE))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(2));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(2))
            .connect_with(options)
            .await?;
        Migrator::new(Embedded).await?.run(&pool).await?;
        Ok(Self { pool })
    }
}

fn app_from_row(row: &SqliteRow) -> StoreResult<App> {
    let config: String = row.try_get("config")?;
    Ok(App {
        name: row.try_get("name")?,
        template: row.try_get("template")?,
        config: serde_json::from_str(&config)?,
        config_version: row.try_get("config_version")?,
        blacklist_seq: row.try_get("blacklist_seq")?,
    })
}

fn agent_from_row(row: &SqliteRow) -> StoreResult<Agent> {
    Ok(Agent {
        key_hash: row.try_get("key_hash")?,
        app_name: row.try_get("app_name")?,
        revoked_at: row.try_get("revoked_at")?,
        version: row.try_get("version")?,
        platform: row.try_get("platform")?,
        connected_at: row.try_get("connected_at")?,
        last_beacon_at: row.try_get("last_beacon_at")?,
        cpu: row.try_get("cpu")?,
        memory: row.try_get("memory")?,
        requests: [
            row.try_get("requests_success")?,
            row.try_get("requests_errors")?,
            row.try_get("requests_attacks")?,
        ],
        config_version_sent: row.try_get("config_version_sent")?,
        blacklist_cursor: row.try_get("blacklist_cursor")?,
    })
}

/// Counters arrive as `u64`; the database holds `i64` (saturating, never a panic).
fn counter(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Store for SqliteStore {
    async fn app(&self, name: &str) -> StoreResult<Option<App>> {
        let row = sqlx::query(
            "SELECT name, template, config, config_version, blacklist_seq FROM apps WHERE name = ?",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(app_from_row).transpose()
    }

    async fn ensure_app(
        &self,
        name: &str,
        template: &str,
        config: &ConfigMap,
        now: i64,
    ) -> StoreResult<App> {
        sqlx::query(
            "INSERT INTO apps (name, template, config, config_version, blacklist_seq, created_at) \
             VALUES (?, ?, ?, 1, 0, ?) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(template)
        .bind(serde_json::to_string(config)?)
        .bind(now)
        .execute(&self.pool)
        .await?;
        self.app(name)
            .await?
            .ok_or_else(|| StoreError::NoSuchApp(name.to_owned()))
    }

    async fn set_app_config(
        &self,
        name: &str,
        template: &str,
        config: &ConfigMap,
    ) -> StoreResult<App> {
        let done = sqlx::query(
            "UPDATE apps SET template = ?, config = ?, config_version = config_version + 1 \
             WHERE name = ?",
        )
        .bind(template)
        .bind(serde_json::to_string(config)?)
        .bind(name)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NoSuchApp(name.to_owned()));
        }
        self.app(name)
            .await?
            .ok_or_else(|| StoreError::NoSuchApp(name.to_owned()))
    }

    async fn add_agent(&self, app: &str, key_hash: &str, now: i64) -> StoreResult<()> {
        sqlx::query("INSERT INTO agents (key_hash, app_name, created_at) VALUES (?, ?, ?)")
            .bind(key_hash)
            .bind(app)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn agent(&self, key_hash: &str) -> StoreResult<Option<Agent>> {
        let row = sqlx::query("SELECT * FROM agents WHERE key_hash = ?")
            .bind(key_hash)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(agent_from_row).transpose()
    }

    async fn record_connect(
        &self,
        key_hash: &str,
        request: &ConnectRequest,
        now: i64,
        config_version_sent: i64,
        blacklist_cursor: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE agents SET version = ?, platform = ?, routes = ?, connected_at = ?, \
             config_version_sent = ?, blacklist_cursor = ? WHERE key_hash = ?",
        )
        .bind(&request.version)
        .bind(&request.platform)
        .bind(serde_json::to_string(&request.routes)?)
        .bind(now)
        .bind(config_version_sent)
        .bind(blacklist_cursor)
        .bind(key_hash)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn record_beacon(
        &self,
        key_hash: &str,
        version: &str,
        telemetry: Option<&Telemetry>,
        now: i64,
        config_version_sent: i64,
        blacklist_cursor: i64,
    ) -> StoreResult<()> {
        let counters = telemetry.map(|t| t.requests).unwrap_or_default();
        sqlx::query(
            "UPDATE agents SET version = ?, last_beacon_at = ?, \
             cpu = COALESCE(?, cpu), memory = COALESCE(?, memory), \
             requests_success = requests_success + ?, requests_errors = requests_errors + ?, \
             requests_attacks = requests_attacks + ?, \
             config_version_sent = ?, blacklist_cursor = ? WHERE key_hash = ?",
        )
        .bind(version)
        .bind(now)
        .bind(telemetry.map(|t| t.cpu))
        .bind(telemetry.map(|t| t.memory))
        .bind(counter(counters.success))
        .bind(counter(counters.errors))
        .bind(counter(counters.attacks))
        .bind(config_version_sent)
        .bind(blacklist_cursor)
        .bind(key_hash)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn report_blacklist(
        &self,
        app: &str,
        key_hash: Option<&str>,
        entries: &[BlacklistEntry],
    ) -> StoreResult<usize> {
        let mut tx = self.pool.begin().await?;
        let mut added = 0;
        for entry in entries {
            let exists = sqlx::query("SELECT 1 FROM blacklist WHERE app_name = ? AND ip = ?")
                .bind(app)
                .bind(&entry.ip)
                .fetch_optional(&mut *tx)
                .await?;
            if exists.is_some() {
                continue;
            }
            let seq: i64 = sqlx::query(
                "UPDATE apps SET blacklist_seq = blacklist_seq + 1 WHERE name = ? \
                 RETURNING blacklist_seq",
            )
            .bind(app)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
            sqlx::query(
                "INSERT INTO blacklist (app_name, ip, since, seq, reported_by) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(app)
            .bind(&entry.ip)
            .bind(entry.since)
            .bind(seq)
            .bind(key_hash)
            .execute(&mut *tx)
            .await?;
            added += 1;
        }
        tx.commit().await?;
        Ok(added)
    }

    async fn blacklist_after(&self, app: &str, after: i64) -> StoreResult<Vec<BlacklistRow>> {
        let rows = sqlx::query(
            "SELECT ip, since, seq, reported_by FROM blacklist WHERE app_name = ? AND seq > ? \
             ORDER BY seq",
        )
        .bind(app)
        .bind(after)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(BlacklistRow {
                    ip: row.try_get("ip")?,
                    since: row.try_get("since")?,
                    seq: row.try_get("seq")?,
                    reported_by: row.try_get("reported_by")?,
                })
            })
            .collect()
    }
}
