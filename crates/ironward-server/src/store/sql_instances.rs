//! [`SqlStore`]'s per-instance delivery records (schema 3): what each worker process of an
//! agent key received (configuration version, blacklist cursor), so that several processes
//! sharing one key each get every change; the retention task prunes instances not seen for a
//! while. Also the query of recent blacklist changes that agents without an instance id
//! (pyrasp) are sent again (served by the `blacklist_app_since`/`blacklist_app_removed` indexes).

use super::sql::{BLACKLIST_COLUMNS, blacklist_from_row};
use super::{BlacklistRow, Delivery, SqlStore, StoreResult};
use sqlx::Row;

impl SqlStore {
    pub(super) async fn instance_delivery(
        &self,
        key_hash: &str,
        instance: &str,
    ) -> StoreResult<Option<Delivery>> {
        let row = sqlx::query(
            "SELECT config_version_sent, blacklist_cursor FROM agent_instances \
             WHERE key_hash = $1 AND instance = $2",
        )
        .bind(key_hash)
        .bind(instance)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Delivery {
                config_version_sent: row.try_get(0)?,
                blacklist_cursor: row.try_get(1)?,
            })
        })
        .transpose()
    }

    pub(super) async fn upsert_delivery(
        &self,
        key_hash: &str,
        instance: &str,
        now: i64,
        delivery: Delivery,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        self.relaxed_commit(&mut tx).await?;
        // `ON CONFLICT … DO UPDATE` is spelt the same by SQLite (3.24+) and PostgreSQL.
        sqlx::query(
            "INSERT INTO agent_instances (key_hash, instance, first_seen_at, last_seen_at, \
             config_version_sent, blacklist_cursor) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (key_hash, instance) DO UPDATE SET last_seen_at = excluded.last_seen_at, \
             config_version_sent = excluded.config_version_sent, \
             blacklist_cursor = excluded.blacklist_cursor",
        )
        .bind(key_hash)
        .bind(instance)
        .bind(now)
        .bind(now)
        .bind(delivery.config_version_sent)
        .bind(delivery.blacklist_cursor)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn delete_stale_instances(&self, older_than: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM agent_instances WHERE last_seen_at < $1")
            .bind(older_than)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    pub(super) async fn count_instances(&self, since: i64) -> StoreResult<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT key_hash, COUNT(*) FROM agent_instances WHERE last_seen_at >= $1 \
             GROUP BY key_hash",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect()
    }

    pub(super) async fn blacklist_recent(
        &self,
        app: &str,
        after: i64,
    ) -> StoreResult<Vec<BlacklistRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {BLACKLIST_COLUMNS} FROM blacklist WHERE app_name = $1 AND since > $2 \
             AND removed_at IS NULL \
             UNION ALL SELECT {BLACKLIST_COLUMNS} FROM blacklist WHERE app_name = $3 \
             AND removed_at > $4 ORDER BY seq"
        )))
        .bind(app)
        .bind(after)
        .bind(app)
        .bind(after)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(blacklist_from_row).collect()
    }
}
