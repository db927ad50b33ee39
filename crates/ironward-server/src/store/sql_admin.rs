//! [`SqlStore`]'s admin queries: users (argon2 hashes), API tokens and sessions (SHA-256 of the
//! secret), called by the [`super::Store`] implementation in `sql.rs`.

use super::{SessionRow, SqlStore, StoreResult, TokenRow, User};
use sqlx::Row;
use sqlx::any::AnyRow;

const TOKEN_COLUMNS: &str = "token_hash, id, name, user_name, scope, created_at, expires_at, \
     last_used_at, revoked_at";

fn token_from_row(row: &AnyRow) -> StoreResult<TokenRow> {
    Ok(TokenRow {
        token_hash: row.try_get("token_hash")?,
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        user_name: row.try_get("user_name")?,
        scope: row.try_get("scope")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        last_used_at: row.try_get("last_used_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

/// A token's last use is written at most this often (seconds), not on every request.
const TOUCH_EVERY: i64 = 60;

impl SqlStore {
    pub(super) async fn user_named(&self, name: &str) -> StoreResult<Option<User>> {
        let row = sqlx::query("SELECT name, password_hash FROM users WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(User {
                name: r.try_get("name")?,
                password_hash: r.try_get("password_hash")?,
            })
        })
        .transpose()
    }

    pub(super) async fn count_users(&self) -> StoreResult<i64> {
        Ok(sqlx::query("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }

    pub(super) async fn insert_user(
        &self,
        name: &str,
        password_hash: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO users (name, password_hash, created_at, updated_at) \
             VALUES ($1, $2, $3, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(password_hash)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub(super) async fn update_password(
        &self,
        name: &str,
        password_hash: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let done =
            sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE name = $3")
                .bind(password_hash)
                .bind(now)
                .bind(name)
                .execute(&mut *tx)
                .await?;
        sqlx::query("DELETE FROM sessions WHERE user_name = $1")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    pub(super) async fn insert_token(&self, token: &TokenRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO api_tokens (token_hash, id, name, user_name, scope, created_at, \
             expires_at, last_used_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&token.token_hash)
        .bind(&token.id)
        .bind(&token.name)
        .bind(&token.user_name)
        .bind(&token.scope)
        .bind(token.created_at)
        .bind(token.expires_at)
        .bind(token.last_used_at)
        .bind(token.revoked_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(super) async fn token_by_hash(&self, token_hash: &str) -> StoreResult<Option<TokenRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1"
        )))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(token_from_row).transpose()
    }

    pub(super) async fn token_with_id(&self, id: &str) -> StoreResult<Option<TokenRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(token_from_row).transpose()
    }

    pub(super) async fn all_tokens(&self) -> StoreResult<Vec<TokenRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at DESC, id"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(token_from_row).collect()
    }

    pub(super) async fn revoke_token_id(&self, id: &str, now: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub(super) async fn touch_token_hash(&self, token_hash: &str, now: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 \
             AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(now)
        .bind(token_hash)
        .bind(now.saturating_sub(TOUCH_EVERY))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(super) async fn insert_session(&self, session: &SessionRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (session_hash, user_name, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&session.session_hash)
        .bind(&session.user_name)
        .bind(session.created_at)
        .bind(session.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(super) async fn session_by_hash(
        &self,
        session_hash: &str,
    ) -> StoreResult<Option<SessionRow>> {
        let row = sqlx::query(
            "SELECT session_hash, user_name, created_at, expires_at FROM sessions \
             WHERE session_hash = $1",
        )
        .bind(session_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(SessionRow {
                session_hash: r.try_get("session_hash")?,
                user_name: r.try_get("user_name")?,
                created_at: r.try_get("created_at")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    pub(super) async fn delete_session_hash(&self, session_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE session_hash = $1")
            .bind(session_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(super) async fn delete_expired_sessions(&self, now: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
