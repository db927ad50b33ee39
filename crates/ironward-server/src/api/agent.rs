//! The agent endpoints, `POST /api/v1/connect` and `POST /api/v1/beacon`, exactly as
//! `docs/management-protocol.md` describes pyrasp's protocol.
//!
//! Every answer is a JSON envelope with a boolean `status`, a `message` and an object `data`
//! (`{}` on errors: a connect answer without `data` crashes pyrasp's constructor). 403 means an
//! invalid, revoked or missing key, 404 an application that no longer exists, 500 a server error
//! (storage failure or the request timeout), 400/413 a body that is not a protocol message or is
//! too large (pyrasp keeps its configuration on both).

use crate::keys::{hash_key, ingest_token};
use crate::now;
use crate::remote_config::blacklist_delay;
use crate::store::{Store, StoreError};
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
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use super::ApiState;

/// Most blacklist entries taken from one beacon; the rest are ignored (the body limit bounds
/// them too).
pub const MAX_REPORTED_IPS: usize = 1000;

/// A protocol failure with its status code and message.
struct Failure(StatusCode, String);

impl Failure {
    fn invalid_key() -> Self {
        Self(
            StatusCode::from_u16(status::INVALID_KEY).unwrap_or(StatusCode::FORBIDDEN),
            "invalid or missing agent key".into(),
        )
    }
    fn not_found() -> Self {
        Self(
            StatusCode::from_u16(status::PROFILE_NOT_FOUND).unwrap_or(StatusCode::NOT_FOUND),
            "security profile not found".into(),
        )
    }
    fn server_error() -> Self {
        Self(StatusCode::INTERNAL_SERVER_ERROR, "server error".into())
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        crate::report(&format!("storage error: {e}"));
        Self::server_error()
    }
}

fn answer<T: Serialize + Default>(result: Result<Envelope<T>, Failure>) -> Response {
    match result {
        Ok(envelope) => (StatusCode::OK, Json(envelope)).into_response(),
        Err(Failure(code, message)) => (code, Json(Envelope::<T>::error(message))).into_response(),
    }
}

/// Reads the body within the size limit and parses it as a protocol message.
async fn read<T: DeserializeOwned>(body: Body, limit: usize) -> Result<T, Failure> {
    let bytes = to_bytes(body, limit).await.map_err(|_| {
        Failure(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body larger than {limit} bytes"),
        )
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Failure(
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
    answer(bounded(state.request_timeout, connect_inner(&state, body)).await)
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
    // Keys created before schema 2 get their ingest token here.
    state
        .store
        .set_ingest_hash(&agent.key_hash, &hash_key(&ingest_token(&request.key)))
        .await?;
    Ok(Envelope::ok(
        "connected",
        ConnectData {
            config: Some(state.config_for(&app.config, &request.key)),
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
    answer(bounded(state.request_timeout, beacon_inner(&state, body)).await)
}

/// Keeps the entries whose IP parses (normalised), with a time no later than `now`.
fn reported(entries: &[BlacklistEntry], now: i64) -> Vec<BlacklistEntry> {
    entries
        .iter()
        .take(MAX_REPORTED_IPS)
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
    if let Some(entries) = &request.blacklist {
        let entries = reported(entries, now);
        if !entries.is_empty() {
            state
                .store
                .report_blacklist(&app.name, Some(&agent.key_hash), &entries)
                .await?;
        }
    }
    let mut data = BeaconData::default();
    // Nothing was listed or removed since this agent's cursor: no query (the common case).
    let rows = if app.blacklist_seq > agent.blacklist_cursor {
        state
            .store
            .blacklist_after(&app.name, agent.blacklist_cursor)
            .await?
    } else {
        Vec::new()
    };
    let cursor = rows
        .iter()
        .map(|r| r.seq)
        .max()
        .unwrap_or(agent.blacklist_cursor);
    // Removed entries are sent as removals to every agent (the reporter included); live ones
    // to every agent but the one that reported them.
    let (removed, live): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| r.removed_at.is_some());
    let new: Vec<String> = live
        .into_iter()
        .filter(|r| r.reported_by.as_deref() != Some(agent.key_hash.as_str()))
        .map(|r| r.ip)
        .collect();
    let remove: Vec<String> = removed.into_iter().map(|r| r.ip).collect();
    if !new.is_empty() {
        data.blacklist_mut().new = new;
    }
    if !remove.is_empty() {
        data.blacklist_mut().remove = remove;
    }
    if agent.config_version_sent < app.config_version {
        // The complete remote layer with the template: a merge when the agent runs this
        // template already, a switch (that keeps the beacon keys) when it does not.
        data.config =
            Some(state.config_for(&app.config, request.key.as_deref().unwrap_or_default()));
        data.template = Some(app.template.clone());
    }
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
