//! What the dashboard's management pages need besides the [`super::Store`]
//! ([`ManageQueries`]): the list of users, removing one, and ending every session of a user;
//! and the query behind [`super::Store::agent_by_id`].
//! No schema change: they read and write the tables of schema 2.

use super::sql::{AGENT_COLUMNS, agent_from_row};
use super::{Agent, SqlStore, StoreResult};
use sqlx::Row;
use std::future::Future;

/// An admin user as the users page lists it (never its password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    /// Unique name.
    pub name: String,
    /// When it was created (epoch seconds).
    pub created_at: i64,
    /// When its password last changed (epoch seconds).
    pub updated_at: i64,
}

/// The management queries of the dashboard.
pub trait ManageQueries: Send + Sync {
    /// Every user, by name.
    fn users(&self) -> impl Future<Output = StoreResult<Vec<UserInfo>>> + Send;
    /// Deletes a user with its sessions and API tokens; false if there was none.
    fn delete_user(&self, name: &str) -> impl Future<Output = StoreResult<bool>> + Send;
    /// Ends every session of `user` (sign out everywhere); returns how many.
    fn end_sessions(&self, user: &str) -> impl Future<Output = StoreResult<u64>> + Send;
}

impl ManageQueries for SqlStore {
    async fn users(&self) -> StoreResult<Vec<UserInfo>> {
        let rows = sqlx::query("SELECT name, created_at, updated_at FROM users ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(UserInfo {
                    name: r.try_get("name")?,
                    created_at: r.try_get("created_at")?,
                    updated_at: r.try_get("updated_at")?,
                })
            })
            .collect()
    }

    async fn delete_user(&self, name: &str) -> StoreResult<bool> {
        // The foreign keys cascade (SQLite connections set `foreign_keys = ON`); the dependants
        // are deleted explicitly anyway, in the same transaction, so that this does not rest on
        // a pragma.
        let mut tx = self.pool.begin().await?;
        for sql in [
            "DELETE FROM sessions WHERE user_name = $1",
            "DELETE FROM api_tokens WHERE user_name = $1",
        ] {
            sqlx::query(sql).bind(name).execute(&mut *tx).await?;
        }
        let done = sqlx::query("DELETE FROM users WHERE name = $1")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    async fn end_sessions(&self, user: &str) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_name = $1")
            .bind(user)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

impl SqlStore {
    /// The agent whose public id (the first 16 hex digits of its key hash) is `id`.
    pub(super) async fn agent_with_id(&self, id: &str) -> StoreResult<Option<Agent>> {
        if id.len() != 16 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {AGENT_COLUMNS} FROM agents WHERE key_hash LIKE $1 \
             ORDER BY revoked_at IS NOT NULL, key_hash LIMIT 1"
        )))
        .bind(format!("{}%", id.to_ascii_lowercase()))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(agent_from_row).transpose()
    }
}
