//! [`SqlStore`]'s security-event queries: batch insert, filtered keyset listing (newest first
//! on `(time, id)`, served by the `events_*` indexes), and retention (by age, then by count per
//! application, deleted in chunks so that a large prune never holds the database for long).

use super::{EventQuery, EventRow, NewEvent, SqlStore, StoreResult};
use sqlx::Row;
use sqlx::any::AnyRow;

/// Rows deleted per statement while pruning.
const PRUNE_CHUNK: i64 = 5000;

/// Largest page of an event listing.
pub const MAX_EVENT_PAGE: i64 = 1000;

const EVENT_COLUMNS: &str = "id, app_name, agent_key_hash, time, received_at, check_name, ip, \
     country, action, location, payload, path, engine, score, codes, detail";

fn event_from_row(row: &AnyRow) -> StoreResult<EventRow> {
    let codes: Option<String> = row.try_get("codes")?;
    let agent: Option<String> = row.try_get("agent_key_hash")?;
    Ok(EventRow {
        id: row.try_get("id")?,
        app: row.try_get("app_name")?,
        agent: agent.map(|h| h.get(..16).unwrap_or(&h).to_owned()),
        received_at: row.try_get("received_at")?,
        event: NewEvent {
            time: row.try_get("time")?,
            check: row.try_get("check_name")?,
            ip: row.try_get("ip")?,
            country: row.try_get("country")?,
            action: row.try_get("action")?,
            location: row.try_get("location")?,
            payload: row.try_get("payload")?,
            path: row.try_get("path")?,
            engine: row.try_get("engine")?,
            score: row.try_get("score")?,
            codes: codes
                .as_deref()
                .map(serde_json::from_str)
                .transpose()?
                .unwrap_or_default(),
            detail: row.try_get("detail")?,
        },
    })
}

/// A value bound to a dynamically built query.
enum Param<'a> {
    Text(&'a str),
    Int(i64),
}

/// The SQL of an event listing and its parameters: the filters as `$n` placeholders, newest
/// first on `(time, id)`.
fn listing_sql<'a>(q: &'a EventQuery) -> (String, Vec<Param<'a>>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut params: Vec<Param<'a>> = Vec::new();
    // Each `?` of a clause becomes the next `$n`.
    let mut push = |clause: &str, values: Vec<Param<'a>>| {
        let mut text = clause.to_owned();
        for value in values {
            params.push(value);
            text = text.replacen('?', &format!("${}", params.len()), 1);
        }
        clauses.push(text);
    };
    if let Some(app) = &q.app {
        push("app_name = ?", vec![Param::Text(app)]);
    }
    if let Some(check) = &q.check {
        push("check_name = ?", vec![Param::Text(check)]);
    }
    if let Some(ip) = &q.ip {
        push("ip = ?", vec![Param::Text(ip)]);
    }
    if let Some(since) = q.since {
        push("time >= ?", vec![Param::Int(since)]);
    }
    if let Some(until) = q.until {
        push("time < ?", vec![Param::Int(until)]);
    }
    if let Some((time, id)) = q.before {
        // The leading `time <= ?` lets the index seek to the page instead of walking every
        // newer entry (the OR alone is a scan from the newest: 0.45 s at 860,000 deep).
        push(
            "time <= ? AND (time < ? OR (time = ? AND id < ?))",
            vec![
                Param::Int(time),
                Param::Int(time),
                Param::Int(time),
                Param::Int(id),
            ],
        );
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events {filter} ORDER BY time DESC, id DESC LIMIT {}",
        q.limit.clamp(1, MAX_EVENT_PAGE)
    );
    (sql, params)
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds `params` in order.
fn bind<'q>(mut query: AnyQuery<'q>, params: &[Param<'_>]) -> AnyQuery<'q> {
    for p in params {
        query = match p {
            Param::Text(t) => query.bind(*t),
            Param::Int(n) => query.bind(*n),
        };
    }
    query
}

impl SqlStore {
    pub(super) async fn insert_event_batch(
        &self,
        app: &str,
        key_hash: Option<&str>,
        events: &[NewEvent],
        received_at: i64,
    ) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await?;
        self.relaxed_commit(&mut tx).await?;
        for e in events {
            sqlx::query(
                "INSERT INTO events (app_name, agent_key_hash, time, received_at, check_name, ip, \
                 country, action, location, payload, path, engine, score, codes, detail) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            )
            .bind(app)
            .bind(key_hash)
            .bind(e.time)
            .bind(received_at)
            .bind(&e.check)
            .bind(e.ip.as_deref())
            .bind(e.country.as_deref())
            .bind(e.action)
            .bind(e.location.as_deref())
            .bind(e.payload.as_deref())
            .bind(e.path.as_deref())
            .bind(e.engine.as_deref())
            .bind(e.score)
            .bind(serde_json::to_string(&e.codes)?)
            .bind(e.detail.as_deref())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(u64::try_from(events.len()).unwrap_or(u64::MAX))
    }

    pub(super) async fn query_events(&self, q: &EventQuery) -> StoreResult<Vec<EventRow>> {
        let (sql, params) = listing_sql(q);
        let rows = bind(sqlx::query(sqlx::AssertSqlSafe(sql)), &params)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(event_from_row).collect()
    }

    /// The database's plan for the event listing of `q`, one line per step: SQLite's
    /// `EXPLAIN QUERY PLAN` details, PostgreSQL's `EXPLAIN` lines. On PostgreSQL the plan is
    /// asked with sequential scans and explicit sorts disabled (`SET LOCAL enable_seqscan = off`
    /// and `enable_sort = off`, in a transaction rolled back at once), because on a small table
    /// its planner rightly prefers reading the whole table, or sorting the few rows that match:
    /// the answer says whether an index can serve the listing in order, as it must once the
    /// table is large. For operators and the tests that keep the listing an index walk without
    /// a sort.
    pub async fn event_listing_plan(&self, q: &EventQuery) -> StoreResult<Vec<String>> {
        let (sql, params) = listing_sql(q);
        let mut tx = self.pool.begin().await?;
        let lines = match self.backend() {
            super::Backend::Sqlite => {
                let explain = format!("EXPLAIN QUERY PLAN {sql}");
                let rows = bind(sqlx::query(sqlx::AssertSqlSafe(explain)), &params)
                    .fetch_all(&mut *tx)
                    .await?;
                rows.iter()
                    .map(|r| Ok(r.try_get::<String, _>("detail")?))
                    .collect::<StoreResult<Vec<_>>>()?
            }
            super::Backend::Postgres => {
                for setting in [
                    "SET LOCAL enable_seqscan = off",
                    "SET LOCAL enable_sort = off",
                ] {
                    sqlx::query(setting).execute(&mut *tx).await?;
                }
                let explain = format!("EXPLAIN {sql}");
                let rows = bind(sqlx::query(sqlx::AssertSqlSafe(explain)), &params)
                    .fetch_all(&mut *tx)
                    .await?;
                rows.iter()
                    .map(|r| Ok(r.try_get::<String, _>(0)?))
                    .collect::<StoreResult<Vec<_>>>()?
            }
        };
        tx.rollback().await?;
        Ok(lines)
    }

    pub(super) async fn event_by_id(&self, id: i64) -> StoreResult<Option<EventRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(event_from_row).transpose()
    }

    /// Runs `delete` (a statement deleting at most [`PRUNE_CHUNK`] rows) until it deletes fewer.
    async fn delete_in_chunks(&self, sql: &str, params: &[Param<'_>]) -> StoreResult<u64> {
        let mut total = 0;
        loop {
            let query = bind(sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())), params);
            let done = query.execute(&self.pool).await?.rows_affected();
            total += done;
            if done < u64::try_from(PRUNE_CHUNK).unwrap_or(u64::MAX) {
                return Ok(total);
            }
        }
    }

    pub(super) async fn delete_old_events(
        &self,
        older_than: Option<i64>,
        max_per_app: Option<i64>,
    ) -> StoreResult<u64> {
        let mut deleted = 0;
        if let Some(cutoff) = older_than {
            deleted += self
                .delete_in_chunks(
                    &format!(
                        "DELETE FROM events WHERE id IN \
                         (SELECT id FROM events WHERE time < $1 LIMIT {PRUNE_CHUNK})"
                    ),
                    &[Param::Int(cutoff)],
                )
                .await?;
        }
        if let Some(max) = max_per_app {
            let apps = sqlx::query("SELECT DISTINCT app_name FROM events")
                .fetch_all(&self.pool)
                .await?;
            for row in &apps {
                let app: String = row.try_get(0)?;
                // The newest event past the cap; it and everything older go.
                let edge = sqlx::query(
                    "SELECT time, id FROM events WHERE app_name = $1 \
                     ORDER BY time DESC, id DESC LIMIT 1 OFFSET $2",
                )
                .bind(&app)
                .bind(max.max(0))
                .fetch_optional(&self.pool)
                .await?;
                let Some(edge) = edge else { continue };
                let (time, id): (i64, i64) = (edge.try_get(0)?, edge.try_get(1)?);
                deleted += self
                    .delete_in_chunks(
                        &format!(
                            "DELETE FROM events WHERE id IN (SELECT id FROM events \
                             WHERE app_name = $1 AND (time < $2 OR (time = $2 AND id <= $3)) \
                             LIMIT {PRUNE_CHUNK})"
                        ),
                        &[Param::Text(&app), Param::Int(time), Param::Int(id)],
                    )
                    .await?;
            }
        }
        Ok(deleted)
    }
}
