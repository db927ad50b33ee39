//! The agent endpoints, `POST /api/v1/connect` and `POST /api/v1/beacon`, exactly as
//! `docs/management-protocol.md` describes pyrasp's protocol.
//!
//! Every answer is a JSON envelope with a boolean `status`, a `message` and an object `data`
//! (`{}` on errors: a connect answer without `data` crashes pyrasp's constructor). 403 means an
//! invalid, revoked or missing key, 404 an application that no longer exists, 500 a server error
//! (storage failure or the request timeout), 400/413 a body that is not a protocol message or is
//! too large (pyrasp keeps its configuration on both).

use crate::keys::{hash_key, ingest_token};
use crate::metrics::StoreFailed;
use crate::now;
use crate::remote_config::{AgentKind, blacklist_delay};
use crate::store::{Agent, App, Delivery, Store, StoreError};
use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ironward_cloud_protocol::{
    BeaconData, BeaconRequest, BlacklistEntry, ConnectData, ConnectRequest, Envelope, status,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use super::ApiState;

/// Default most blacklist entries taken from one beacon (`--max-reported-ips`); the rest are
/// ignored (the body limit bounds them too).
pub const MAX_REPORTED_IPS: usize = 1000;

/// Default time (`--legacy-repeat-secs`, 10 minutes) for which agents without an instance id
/// (pyrasp) are sent a configuration change again with every beacon answer after it was made,
/// and blacklist changes of this age again too: several worker processes may share their key,
/// and the server cannot tell them apart.
pub const LEGACY_REPEAT_SECS: i64 = 600;

/// Longest instance id kept; a longer one (or one with other characters than `[A-Za-z0-9_-]`)
/// is ignored, and the agent treated as one without an id. A bound of the protocol extension
/// (`docs/management-protocol.md`, the `agent_instances` column's comment), not a tuning knob:
/// Ironward agents send 32 hex digits, and a server that took longer ids would store rows
/// other servers refuse. Hence a constant rather than a flag.
pub const MAX_INSTANCE_LEN: usize = 64;

/// Ironward agents send an instance id, pyrasp does not: what they may be sent differs.
fn kind_of(instance: Option<&str>) -> AgentKind {
    if instance.is_some() {
        AgentKind::Ironward
    } else {
        AgentKind::Pyrasp
    }
}

/// The request's instance id, if it is a usable one.
fn instance_of(instance: Option<&String>) -> Option<&str> {
    instance.map(String::as_str).filter(|id| {
        !id.is_empty()
            && id.len() <= MAX_INSTANCE_LEN
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// A protocol failure with its status code and message; the last field says it was the store's
/// (counted in the metrics).
struct Failure(StatusCode, String, bool);

impl Failure {
    fn new(code: StatusCode, message: String) -> Self {
        Self(code, message, false)
    }
    fn invalid_key() -> Self {
        Self::new(
            StatusCode::from_u16(status::INVALID_KEY).unwrap_or(StatusCode::FORBIDDEN),
            "invalid or missing agent key".into(),
        )
    }
    fn not_found() -> Self {
        Self::new(
            StatusCode::from_u16(status::PROFILE_NOT_FOUND).unwrap_or(StatusCode::NOT_FOUND),
            "security profile not found".into(),
        )
    }
    fn server_error() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "server error".into())
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        crate::report(&format!("storage error: {e}"));
        Self(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server error".into(),
            true,
        )
    }
}

fn answer<T: Serialize + Default>(result: Result<Envelope<T>, Failure>) -> Response {
    match result {
        Ok(envelope) => (StatusCode::OK, Json(envelope)).into_response(),
        Err(Failure(code, message, store)) => {
            let mut response = (code, Json(Envelope::<T>::error(message))).into_response();
            if store {
                response.extensions_mut().insert(StoreFailed);
            }
            response
        }
    }
}

/// Reads the body within the size limit and parses it as a protocol message.
async fn read<T: DeserializeOwned>(body: Body, limit: usize) -> Result<T, Failure> {
    let bytes = to_bytes(body, limit).await.map_err(|_| {
        Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body larger than {limit} bytes"),
        )
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Failure::new(
            StatusCode::BAD_REQUEST,
            format!("not a protocol message: {e}"),
        )
    })
}

/// Runs a handler within the request timeout (a slow database answers 500, never hangs).
async fn bounded<T, F>(timeout: Duration, work: F) -> Result<T, Failure>
where
    F: Future<Output = Result<T, Failure>>,
{
    match tokio::time::timeout(timeout, work).await {
        Ok(result) => result,
        Err(_) => {
            crate::report("request timed out");
            Err(Failure::server_error())
        }
    }
}

/// Looks the key up: the agent and its application, or 403 / 404.
async fn authenticate<S: Store>(
    store: &S,
    key: Option<&str>,
) -> Result<(crate::store::Agent, crate::store::App), Failure> {
    let key = key
        .filter(|k| !k.is_empty())
        .ok_or_else(Failure::invalid_key)?;
    let agent = store
        .agent(&hash_key(key))
        .await?
        .filter(|a| a.revoked_at.is_none())
        .ok_or_else(Failure::invalid_key)?;
    let app = store
        .app(&agent.app_name)
        .await?
        .ok_or_else(Failure::not_found)?;
    Ok((agent, app))
}

/// `POST /api/v1/connect`.
pub(crate) async fn connect<S: Store>(
    State(state): State<Arc<ApiState<S>>>,
    body: Body,
) -> Response {
    let response = answer(bounded(state.request_timeout, connect_inner(&state, body)).await);
    state.metrics.connect(response.status());
    response
}

async fn connect_inner<S: Store>(
    state: &ApiState<S>,
    body: Body,
) -> Result<Envelope<ConnectData>, Failure> {
    let request: ConnectRequest = read(body, state.max_body_bytes).await?;
    let (agent, app) = authenticate(&*state.store, Some(&request.key)).await?;
    let rows = state.store.blacklist_after(&app.name, 0).await?;
    let cursor = rows.iter().map(|r| r.seq).max().unwrap_or(0);
    // Entries the agent would already have expired are not sent (this bounds the answer too).
    let now = now();
    let oldest = now.saturating_sub(blacklist_delay(&app.template, &app.config));
    let blacklist: BTreeMap<String, i64> = rows
        .into_iter()
        .filter(|r| r.removed_at.is_none() && r.expires_at.is_none_or(|e| e > now))
        .filter(|r| r.since > oldest)
        .map(|r| (r.ip, r.since))
        .collect();
    state
        .store
        .record_connect(&agent.key_hash, &request, now, app.config_version, cursor)
        .await?;
    let instance = instance_of(request.instance.as_ref());
    record_delivery(state, &agent, instance, now, &app, cursor).await?;
    // Keys created before schema 2 get their ingest token here.
    state
        .store
        .set_ingest_hash(&agent.key_hash, &hash_key(&ingest_token(&request.key)))
        .await?;
    Ok(Envelope::ok(
        "connected",
        ConnectData {
            config: Some(state.config_for(
                &app.config,
                &request.key,
                kind_of(instance_of(request.instance.as_ref())),
            )),
            template: Some(app.template),
            blacklist: Some(blacklist),
        },
    ))
}

/// `POST /api/v1/beacon`.
pub(crate) async fn beacon<S: Store>(
    State(state): State<Arc<ApiState<S>>>,
    body: Body,
) -> Response {
    let response = answer(bounded(state.request_timeout, beacon_inner(&state, body)).await);
    state.metrics.beacon(response.status());
    response
}

/// Keeps the first `max` entries whose IP parses (normalised), with a time no later than `now`.
/// Records what the process `instance` of `agent` (when it sent an instance id) was just
/// sent: `app`'s configuration version and the blacklist up to `blacklist_cursor`.
async fn record_delivery<S: Store>(
    state: &ApiState<S>,
    agent: &Agent,
    instance: Option<&str>,
    now: i64,
    app: &App,
    blacklist_cursor: i64,
) -> Result<(), StoreError> {
    let Some(instance) = instance else {
        return Ok(());
    };
    let delivery = Delivery {
        config_version_sent: app.config_version,
        blacklist_cursor,
    };
    state
        .store
        .record_delivery(&agent.key_hash, instance, now, delivery)
        .await
}

fn reported(entries: &[BlacklistEntry], now: i64, max: usize) -> Vec<BlacklistEntry> {
    entries
        .iter()
        .take(max)
        .filter_map(|e| {
            let ip: IpAddr = e.ip.trim().parse().ok()?;
            Some(BlacklistEntry::new(ip.to_string(), e.since.clamp(0, now)))
        })
        .collect()
}

async fn beacon_inner<S: Store>(
    state: &ApiState<S>,
    body: Body,
) -> Result<Envelope<BeaconData>, Failure> {
    let request: BeaconRequest = read(body, state.max_body_bytes).await?;
    let (agent, app) = authenticate(&*state.store, request.key.as_deref()).await?;
    let now = now();
    let reported_now = request
        .blacklist
        .as_deref()
        .map(|entries| reported(entries, now, state.max_reported_ips))
        .unwrap_or_default();
    if !reported_now.is_empty() {
        state
            .store
            .report_blacklist(&app.name, Some(&agent.key_hash), &reported_now)
            .await?;
    }
    let instance = instance_of(request.instance.as_ref());
    // What this process received so far: per instance when it sends an id (`None`: first seen
    // by a beacon, e.g. after the retention forgot it), else per key.
    let sent = match instance {
        Some(id) => state.store.delivery(&agent.key_hash, id).await?,
        None => Some(Delivery {
            config_version_sent: agent.config_version_sent,
            blacklist_cursor: agent.blacklist_cursor,
        }),
    };
    let mut rows = match sent {
        // Nothing was listed or removed since the cursor: no query (the common case). (`app`
        // was read before this beacon's own reports were stored.)
        Some(sent) if app.blacklist_seq <= sent.blacklist_cursor && reported_now.is_empty() => {
            Vec::new()
        }
        Some(sent) => {
            state
                .store
                .blacklist_after(&app.name, sent.blacklist_cursor)
                .await?
        }
        // An instance never seen: the recent entries, as a connect would send them.
        None => {
            let delay = blacklist_delay(&app.template, &app.config);
            state
                .store
                .blacklist_changed_after(&app.name, now.saturating_sub(delay))
                .await?
        }
    };
    let cursor = match sent {
        Some(sent) => rows
            .iter()
            .map(|r| r.seq)
            .max()
            .unwrap_or(sent.blacklist_cursor)
            .max(sent.blacklist_cursor),
        None => rows
            .iter()
            .map(|r| r.seq)
            .max()
            .unwrap_or(0)
            .max(app.blacklist_seq),
    };
    let legacy_since = now.saturating_sub(state.legacy_repeat_secs);
    if instance.is_none() && app.blacklist_seq > 0 && state.legacy_repeat_secs > 0 {
        // Several processes may share this key: the recent changes again, within the agents'
        // BLACKLIST_DELAY (an older entry would be re-listed for a new delay).
        let recent = state
            .store
            .blacklist_changed_after(&app.name, legacy_since)
            .await?;
        if !recent.is_empty() {
            let oldest = now.saturating_sub(blacklist_delay(&app.template, &app.config));
            let seen: HashSet<i64> = rows.iter().map(|r| r.seq).collect();
            rows.extend(
                recent
                    .into_iter()
                    .filter(|r| !seen.contains(&r.seq))
                    .filter(|r| r.removed_at.is_some() || r.since > oldest),
            );
        }
    }
    let mut data = BeaconData::default();
    // Removed entries are sent as removals; live ones to every process but the one that has
    // just reported them in this beacon (several processes may share the reporter's key).
    let reported_now: HashSet<&str> = reported_now.iter().map(|e| e.ip.as_str()).collect();
    let (removed, live): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| r.removed_at.is_some());
    let new: Vec<String> = live
        .into_iter()
        .filter(|r| !reported_now.contains(r.ip.as_str()))
        .map(|r| r.ip)
        .collect();
    let remove: Vec<String> = removed.into_iter().map(|r| r.ip).collect();
    if !new.is_empty() {
        data.blacklist_mut().new = new;
    }
    if !remove.is_empty() {
        data.blacklist_mut().remove = remove;
    }
    let config_sent = sent.map_or(0, |s| s.config_version_sent);
    let recently_changed =
        instance.is_none() && app.config_changed_at.is_some_and(|t| t > legacy_since);
    if config_sent < app.config_version || recently_changed {
        // The complete remote layer with the template: a merge when the agent runs this
        // template already, a switch (that keeps the beacon keys) when it does not. Sent
        // again, it changes nothing (pyrasp rebuilds its configuration, and restarts its log
        // thread only when LOG_* keys change).
        data.config = Some(state.config_for(
            &app.config,
            request.key.as_deref().unwrap_or_default(),
            kind_of(instance),
        ));
        data.template = Some(app.template.clone());
    }
    record_delivery(state, &agent, instance, now, &app, cursor).await?;
    state
        .store
        .record_beacon(
            &agent.key_hash,
            &request.version,
            request.telemetry.as_ref(),
            now,
            app.config_version,
            cursor,
        )
        .await?;
    Ok(Envelope::ok("ok", data))
}
