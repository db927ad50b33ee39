//! Event ingest: `POST /api/v1/events` with the agent key as a bearer token
//! (`Authorization: Bearer iwk_…`), and `POST /api/v1/ingest/{token}` with the agent's ingest
//! token in the path (what the `LOG_PATH` sent at connect holds, for pyrasp's HTTP log transport,
//! which sends no header). Bodies are parsed by [`crate::events`]; the answer is
//! `{"accepted": n}`, or a JSON error: 401 unknown or revoked key, 400 not events, 413 too large.

use super::{ApiError, ApiState, bounded};
use crate::keys::{INGEST_PREFIX, KEY_PREFIX, hash_key};
use crate::store::{Agent, Store};
use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;

fn unauthorized() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "invalid or missing agent key")
}

/// `POST /api/v1/events`.
pub(crate) async fn events_by_key<S: Store>(
    State(state): State<Arc<ApiState<S>>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let result = bounded(state.request_timeout, async {
        let key = crate::auth::bearer(&headers)
            .filter(|k| k.starts_with(KEY_PREFIX))
            .ok_or_else(unauthorized)?;
        let agent = state.store.agent(&hash_key(key)).await?;
        store_events(&state, agent, body).await
    })
    .await;
    counted(&state, result)
}

/// Counts a refused ingest request in the metrics.
fn counted<S>(
    state: &ApiState<S>,
    result: Result<Json<Value>, ApiError>,
) -> Result<Json<Value>, ApiError> {
    if let Err(e) = &result {
        state.metrics.ingest_refused(e.status);
    }
    result
}

/// `POST /api/v1/ingest/{token}`.
pub(crate) async fn events_by_token<S: Store>(
    State(state): State<Arc<ApiState<S>>>,
    Path(token): Path<String>,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let result = bounded(state.request_timeout, async {
        if !token.starts_with(INGEST_PREFIX) {
            return Err(unauthorized());
        }
        let agent = state.store.agent_by_ingest(&hash_key(&token)).await?;
        store_events(&state, agent, body).await
    })
    .await;
    counted(&state, result)
}

async fn store_events<S: Store>(
    state: &ApiState<S>,
    agent: Option<Agent>,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let agent = agent
        .filter(|a| a.revoked_at.is_none())
        .ok_or_else(unauthorized)?;
    let bytes = to_bytes(body, state.max_body_bytes).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body larger than {} bytes", state.max_body_bytes),
        )
    })?;
    let now = crate::now();
    let events = crate::events::parse_body(&bytes, state.max_events_per_request, now)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let accepted = if events.is_empty() {
        0
    } else {
        state
            .store
            .insert_events(&agent.app_name, Some(&agent.key_hash), &events, now)
            .await?
    };
    state.metrics.events_ingested(accepted);
    Ok(Json(json!({ "accepted": accepted })))
}
