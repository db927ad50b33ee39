//! What the dashboard's management pages need besides the [`super::Store`]
//! ([`ManageQueries`]): the list of users, removing one, and ending every session of a user.
//! No schema change: they read and write the tables of schema 2.

use super::{SqlStore, StoreResult};
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
