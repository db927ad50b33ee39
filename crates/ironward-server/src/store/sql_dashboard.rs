//! The dashboard's read queries ([`DashboardQueries`]): attacks over time, and the top checks
//! and source IPs of a time window. They stay cheap with millions of events: the histogram is
//! index-only range counts on `events_time (time, id)` (or `events_app_time`), and the "top" lists read
//! at most [`TOP_SAMPLE`] events (the newest of the window, through the same index), so a page
//! never reads more than that many rows whatever the table holds.

use super::{SqlStore, StoreResult};
use sqlx::Row;
use std::future::Future;

/// Most events the "top" lists of the overview read (the newest of the window).
pub const TOP_SAMPLE: i64 = 10_000;

/// Most IPs [`DashboardQueries::top_ips`] returns (the most frequent of the sample).
pub const TOP_IPS: i64 = 1_000;

/// Most intervals of one histogram.
const MAX_BUCKETS: usize = 200;

/// Counts of one value in a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count {
    /// The value (a check, an IP…).
    pub value: String,
    /// Its country as the events carry it (IP lists only; `None` when no event of it had one).
    pub country: Option<String>,
    /// How many events.
    pub count: i64,
}

/// What the dashboard's overview reads, besides the [`super::Store`].
pub trait DashboardQueries: Send + Sync {
    /// How many events (of `app`, or all) fall in each of `buckets` consecutive intervals of
    /// `bucket` seconds from `start`: one index-only range count per interval, in one query
    /// (a `GROUP BY time / bucket` would sort every row of the window).
    fn event_histogram(
        &self,
        start: i64,
        bucket: i64,
        buckets: usize,
        app: Option<&str>,
    ) -> impl Future<Output = StoreResult<Vec<i64>>> + Send;
    /// The most frequent checks among the newest [`TOP_SAMPLE`] events at or after `since`.
    fn top_checks(
        &self,
        since: i64,
        app: Option<&str>,
        limit: i64,
    ) -> impl Future<Output = StoreResult<Vec<Count>>> + Send;
    /// The most frequent source IPs (at most [`TOP_IPS`]) among the newest [`TOP_SAMPLE`]
    /// events at or after `since`, with their counts and a country their events carry.
    fn top_ips(
        &self,
        since: i64,
        app: Option<&str>,
    ) -> impl Future<Output = StoreResult<Vec<Count>>> + Send;
    /// How many agent keys (not revoked) connected or beaconed at or after `since`, and how many
    /// agent instances were seen since then (the metrics route's gauges; one query).
    fn active_agents(&self, since: i64) -> impl Future<Output = StoreResult<(i64, i64)>> + Send;
}

/// `WHERE time >= $1 [AND app_name = $2]`.
fn window(app: Option<&str>) -> &'static str {
    if app.is_some() {
        "time >= $1 AND app_name = $2"
    } else {
        "time >= $1"
    }
}

impl SqlStore {
    /// The rows of a top list over the window `sql` filters on (`since`, then `app` when
    /// given): `value` and `n`, and `country` when `with_country`.
    async fn top_counts(
        &self,
        sql: String,
        since: i64,
        app: Option<&str>,
        with_country: bool,
    ) -> StoreResult<Vec<Count>> {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(since);
        if let Some(app) = app {
            query = query.bind(app);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(Count {
                    value: r.try_get("value")?,
                    country: if with_country {
                        r.try_get("country")?
                    } else {
                        None
                    },
                    count: r.try_get("n")?,
                })
            })
            .collect()
    }
}

impl DashboardQueries for SqlStore {
    async fn event_histogram(
        &self,
        start: i64,
        bucket: i64,
        buckets: usize,
        app: Option<&str>,
    ) -> StoreResult<Vec<i64>> {
        let bucket = bucket.max(1);
        let buckets = buckets.clamp(1, MAX_BUCKETS);
        // Integers computed here, never text from the request: safe to write into the SQL.
        let app_clause = if app.is_some() {
            " AND app_name = $1"
        } else {
            ""
        };
        let columns: Vec<String> = (0..buckets)
            .map(|i| {
                let from = start.saturating_add(bucket.saturating_mul(i64::try_from(i).unwrap_or(0)));
                let to = from.saturating_add(bucket);
                format!(
                    "(SELECT COUNT(*) FROM events WHERE time >= {from} AND time < {to}{app_clause}) AS c{i}"
                )
            })
            .collect();
        let sql = format!("SELECT {}", columns.join(", "));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(app) = app {
            query = query.bind(app);
        }
        let row = query.fetch_one(&self.pool).await?;
        (0..buckets)
            .map(|i| Ok(row.try_get::<i64, _>(i)?))
            .collect()
    }

    async fn top_checks(
        &self,
        since: i64,
        app: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<Count>> {
        let sql = format!(
            "SELECT check_name AS value, COUNT(*) AS n FROM (SELECT check_name FROM events \
             WHERE {} ORDER BY time DESC, id DESC LIMIT {TOP_SAMPLE}) AS recent \
             GROUP BY check_name ORDER BY n DESC, check_name LIMIT {}",
            window(app),
            limit.clamp(1, 1000)
        );
        self.top_counts(sql, since, app, false).await
    }

    async fn active_agents(&self, since: i64) -> StoreResult<(i64, i64)> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM agents WHERE revoked_at IS NULL \
             AND (last_beacon_at >= $1 OR connected_at >= $1)), \
             (SELECT COUNT(*) FROM agent_instances WHERE last_seen_at >= $1)",
        )
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    async fn top_ips(&self, since: i64, app: Option<&str>) -> StoreResult<Vec<Count>> {
        let sql = format!(
            "SELECT ip AS value, MAX(country) AS country, COUNT(*) AS n FROM (SELECT ip, \
             country FROM events WHERE {} ORDER BY time DESC, id DESC LIMIT {TOP_SAMPLE}) \
             AS recent WHERE ip IS NOT NULL GROUP BY ip ORDER BY n DESC, ip LIMIT {TOP_IPS}",
            window(app)
        );
        self.top_counts(sql, since, app, true).await
    }
}
