//! The dashboard's read queries ([`DashboardQueries`]): attacks over time, and the top checks
//! and source IPs of a time window. They stay cheap with millions of events: the histogram and
//! the count are index-only range scans of `events_time (time, id)`, and the "top" lists read
//! at most [`TOP_SAMPLE`] events (the newest of the window, through the same index), so a page
//! never reads more than that many rows whatever the table holds.

use super::{SqlStore, StoreResult};
use sqlx::Row;
use std::future::Future;

/// Most events the "top" lists of the overview read (the newest of the window).
pub const TOP_SAMPLE: i64 = 20_000;

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
    /// Events at or after `since` (of `app`, or all), by bucket of `bucket` seconds: pairs of
    /// (bucket start, count), oldest first; empty buckets are left out.
    fn event_histogram(
        &self,
        since: i64,
        bucket: i64,
        app: Option<&str>,
    ) -> impl Future<Output = StoreResult<Vec<(i64, i64)>>> + Send;
    /// How many events at or after `since` (of `app`, or all).
    fn event_count(
        &self,
        since: i64,
        app: Option<&str>,
    ) -> impl Future<Output = StoreResult<i64>> + Send;
    /// The most frequent checks among the newest [`TOP_SAMPLE`] events at or after `since`.
    fn top_checks(
        &self,
        since: i64,
        app: Option<&str>,
        limit: i64,
    ) -> impl Future<Output = StoreResult<Vec<Count>>> + Send;
    /// Every source IP among the newest [`TOP_SAMPLE`] events at or after `since`, with its
    /// count and a country its events carry, most frequent first (at most [`TOP_SAMPLE`]).
    fn top_ips(
        &self,
        since: i64,
        app: Option<&str>,
    ) -> impl Future<Output = StoreResult<Vec<Count>>> + Send;
}

/// `WHERE time >= $1 [AND app_name = $2]`.
fn window(app: Option<&str>) -> &'static str {
    if app.is_some() {
        "time >= $1 AND app_name = $2"
    } else {
        "time >= $1"
    }
}

impl DashboardQueries for SqlStore {
    async fn event_histogram(
        &self,
        since: i64,
        bucket: i64,
        app: Option<&str>,
    ) -> StoreResult<Vec<(i64, i64)>> {
        let bucket = bucket.max(1);
        let sql = format!(
            "SELECT (time / {bucket}) * {bucket} AS bucket, COUNT(*) AS n FROM events \
             WHERE {} GROUP BY bucket ORDER BY bucket",
            window(app)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(since);
        if let Some(app) = app {
            query = query.bind(app);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok((r.try_get("bucket")?, r.try_get("n")?)))
            .collect()
    }

    async fn event_count(&self, since: i64, app: Option<&str>) -> StoreResult<i64> {
        let sql = format!("SELECT COUNT(*) AS n FROM events WHERE {}", window(app));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(since);
        if let Some(app) = app {
            query = query.bind(app);
        }
        Ok(query.fetch_one(&self.pool).await?.try_get("n")?)
    }

    async fn top_checks(
        &self,
        since: i64,
        app: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<Count>> {
        let sql = format!(
            "SELECT check_name, COUNT(*) AS n FROM (SELECT check_name FROM events WHERE {} \
             ORDER BY time DESC, id DESC LIMIT {TOP_SAMPLE}) AS recent \
             GROUP BY check_name ORDER BY n DESC, check_name LIMIT {}",
            window(app),
            limit.clamp(1, 1000)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(since);
        if let Some(app) = app {
            query = query.bind(app);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(Count {
                    value: r.try_get("check_name")?,
                    country: None,
                    count: r.try_get("n")?,
                })
            })
            .collect()
    }

    async fn top_ips(&self, since: i64, app: Option<&str>) -> StoreResult<Vec<Count>> {
        let sql = format!(
            "SELECT ip, MAX(country) AS country, COUNT(*) AS n FROM (SELECT ip, country \
             FROM events WHERE {} ORDER BY time DESC, id DESC LIMIT {TOP_SAMPLE}) AS recent \
             WHERE ip IS NOT NULL GROUP BY ip ORDER BY n DESC, ip",
            window(app)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(since);
        if let Some(app) = app {
            query = query.bind(app);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(Count {
                    value: r.try_get("ip")?,
                    country: r.try_get("country")?,
                    count: r.try_get("n")?,
                })
            })
            .collect()
    }
}
