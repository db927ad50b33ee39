//! Retention and periodic clean-ups, run by a background task of the server every
//! [`Retention::interval`]: events older than `max_age` are deleted, then each application keeps
//! its newest `max_events_per_app`; blacklist entries past their expiry are removed (so that the
//! agents are told on their next beacon); expired sessions are deleted; agent instances (worker
//! processes) not seen for [`Retention::instance_max_age`] (default [`INSTANCE_RETENTION`]) are
//! forgotten. Failures are reported and retried on the next round; every round is counted in
//! the server's metrics.

use crate::metrics::ServerMetrics;
use crate::store::Store;
use std::sync::Arc;
use std::time::Duration;

/// Default `--retention-days`.
pub const DEFAULT_RETENTION_DAYS: u32 = 30;
/// Default `--retention-max-events` (per application).
pub const DEFAULT_MAX_EVENTS_PER_APP: i64 = 1_000_000;

/// Default `--instance-retention-hours`: an agent instance not seen for this long is forgotten
/// (a day: an instance that comes back after that is sent the configuration and the recent
/// blacklist again, which is harmless).
pub const INSTANCE_RETENTION: Duration = Duration::from_secs(86_400);
/// Default `--retention-interval-secs`.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);

/// What the clean-up keeps and how often it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retention {
    /// Events older than this are deleted (`None`: no age limit).
    pub max_age: Option<Duration>,
    /// Each application keeps at most this many events (`None`: no count limit).
    pub max_events_per_app: Option<i64>,
    /// Time between rounds (the first runs at start; at least a second).
    pub interval: Duration,
    /// Agent instances not seen for this long are forgotten.
    pub instance_max_age: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            max_age: Some(Duration::from_secs(
                u64::from(DEFAULT_RETENTION_DAYS) * 86_400,
            )),
            max_events_per_app: Some(DEFAULT_MAX_EVENTS_PER_APP),
            interval: DEFAULT_INTERVAL,
            instance_max_age: INSTANCE_RETENTION,
        }
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Events deleted.
    pub events: u64,
    /// Blacklist entries removed because they expired.
    pub blacklist: u64,
    /// Expired sessions deleted.
    pub sessions: u64,
    /// Agent instances forgotten.
    pub instances: u64,
}

/// Runs one round at time `now` (epoch seconds).
pub async fn prune_once<S: Store>(
    store: &S,
    retention: &Retention,
    now: i64,
) -> Result<Pruned, crate::StoreError> {
    let older_than = retention
        .max_age
        .map(|age| now.saturating_sub(i64::try_from(age.as_secs()).unwrap_or(i64::MAX)));
    Ok(Pruned {
        events: store
            .prune_events(older_than, retention.max_events_per_app)
            .await?,
        blacklist: store.expire_blacklist(now).await?,
        sessions: store.prune_sessions(now).await?,
        instances: store
            .prune_instances(now.saturating_sub(
                i64::try_from(retention.instance_max_age.as_secs()).unwrap_or(i64::MAX),
            ))
            .await?,
    })
}

/// Runs rounds forever (the server aborts the task when it stops), counting them in `metrics`.
pub async fn run<S: Store>(store: Arc<S>, retention: Retention, metrics: Arc<ServerMetrics>) {
    let mut ticker = tokio::time::interval(retention.interval.max(Duration::from_secs(1)));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut failing = false;
    loop {
        ticker.tick().await;
        let round = prune_once(&*store, &retention, crate::now()).await;
        metrics.retention(round.as_ref().map_err(|_| ()));
        match round {
            Ok(_) => failing = false,
            Err(e) => {
                if !failing {
                    crate::report(&format!("retention failed (retried every round): {e}"));
                }
                failing = true;
            }
        }
    }
}
