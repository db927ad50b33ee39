//! The admin REST API under `/api/v1/` (JSON; a bearer API token or a session, see
//! [`crate::auth::authenticate`]): applications and their remote configuration, agent keys and
//! agents, events (filtered, keyset-paginated), and each application's shared blacklist.

use super::{Admin, ApiError, ApiState, read_json};

use crate::store::{Agent, App, BlacklistRow, EventQuery, EventRow, MAX_EVENT_PAGE, Store};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ironward_cloud_protocol::ConfigMap;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::IpAddr;

/// Default page size of `GET /api/v1/events`.
pub(crate) const DEFAULT_EVENT_PAGE: i64 = 100;

fn app_json(app: &App, with_config: bool) -> Value {
    let mut v = json!({
        "name": app.name, "template": app.template, "config_version": app.config_version,
        "created_at": app.created_at,
    });
    if with_config {
        v["config"] = Value::Object(app.config.clone());
    }
    v
}

/// An agent process counts in an agent's `instances` when it was seen this recently (seconds).
const INSTANCE_ACTIVE_SECS: i64 = 600;

fn agent_json(a: &Agent, instances: &HashMap<String, i64>) -> Value {
    json!({
        "id": a.id(), "app": a.app_name, "created_at": a.created_at, "revoked_at": a.revoked_at,
        "version": a.version, "platform": a.platform, "connected_at": a.connected_at,
        "last_beacon_at": a.last_beacon_at,
        "telemetry": {"cpu": a.cpu, "memory": a.memory,
            "requests": {"success": a.requests[0], "errors": a.requests[1], "attacks": a.requests[2]}},
        "config_version_sent": a.config_version_sent,
        "instances": instances.get(&a.key_hash).copied().unwrap_or(0),
    })
}

fn blacklist_json(b: &BlacklistRow) -> Value {
    json!({
        "ip": b.ip, "since": b.since, "expires_at": b.expires_at, "note": b.note,
        "reported_by": b.reported_by.as_deref().map(|h| h.get(..16).unwrap_or(h)),
    })
}

fn event_json(e: &EventRow) -> Value {
    serde_json::to_value(e).unwrap_or(Value::Null)
}

async fn existing_app<S: Store>(state: &ApiState<S>, name: &str) -> Result<App, ApiError> {
    state
        .store
        .app(name)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no application named {name:?}")))
}

/// `GET /api/v1/apps`.
pub(crate) async fn list_apps<S: Store>(api: Admin<S>) -> Result<Json<Value>, ApiError> {
    api.run(async |state, _| {
        let apps: Vec<Value> = state
            .store
            .apps()
            .await?
            .iter()
            .map(|a| app_json(a, false))
            .collect();
        Ok(Json(json!({ "apps": apps })))
    })
    .await
}

#[derive(Deserialize)]
struct NewApp {
    name: String,
    #[serde(default)]
    template: Option<String>,
}

/// `POST /api/v1/apps`.
pub(crate) async fn create_app<S: Store>(api: Admin<S>, body: Body) -> Result<Response, ApiError> {
    api.run(async |state, _| {
        let form: NewApp = read_json(body, state.max_body_bytes).await?;
        match crate::create_app(&*state.store, &form.name, form.template.as_deref()).await? {
            Some(app) => Ok((StatusCode::CREATED, Json(app_json(&app, true))).into_response()),
            None => Err(ApiError::new(
                StatusCode::CONFLICT,
                format!("application {:?} exists", form.name),
            )),
        }
    })
    .await
}

/// `GET /api/v1/apps/{app}`.
pub(crate) async fn get_app<S: Store>(
    api: Admin<S>,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    api.run(async |state, _| Ok(Json(app_json(&existing_app(state, &name).await?, true))))
        .await
}

/// `GET /api/v1/apps/{app}/config`.
pub(crate) async fn get_config<S: Store>(
    api: Admin<S>,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    api.run(async |state, _| {
        let app = existing_app(state, &name).await?;
        Ok(Json(json!({
            "template": app.template, "config": app.config, "config_version": app.config_version,
        })))
    })
    .await
}

#[derive(Deserialize)]
struct PutConfig {
    #[serde(default)]
    template: Option<String>,
    config: ConfigMap,
}

#[derive(Deserialize)]
struct PatchConfig {
    #[serde(default)]
    template: Option<String>,
    #[serde(default)]
    set: ConfigMap,
    #[serde(default)]
    unset: Vec<String>,
}

fn config_answer(app: &App) -> Json<Value> {
    Json(json!({
        "template": app.template, "config": app.config, "config_version": app.config_version,
    }))
}

/// `PUT /api/v1/apps/{app}/config`: replaces the remote layer (validated as `check-config`).
pub(crate) async fn put_config<S: Store>(
    api: Admin<S>,
    Path(name): Path<String>,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    api.run(async |state, _| {
        let form: PutConfig = read_json(body, state.max_body_bytes).await?;
        let app =
            crate::put_config(&*state.store, &name, form.template.as_deref(), form.config).await?;
        Ok(config_answer(&app))
    })
    .await
}

/// `PATCH /api/v1/apps/{app}/config`: sets and removes keys (validated as `check-config`).
pub(crate) async fn patch_config<S: Store>(
    api: Admin<S>,
    Path(name): Path<String>,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    api.run(async |state, _| {
        let form: PatchConfig = read_json(body, state.max_body_bytes).await?;
        let app = crate::patch_config(
            &*state.store,
            &name,
            form.template.as_deref(),
            form.set,
            &form.unset,
        )
        .await?;
        Ok(config_answer(&app))
    })
    .await
}

/// `POST /api/v1/apps/{app}/keys`: a new agent key (shown once).
pub(crate) async fn create_key<S: Store>(
    api: Admin<S>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    api.run(async |state, _| {
        existing_app(state, &name).await?;
        let key = crate::create_key(&*state.store, &name, None).await?;
        let id = crate::keys::hash_key(&key)
            .get(..16)
            .unwrap_or_default()
            .to_owned();
        Ok((
            StatusCode::CREATED,
            Json(json!({"key": key, "id": id, "app": name})),
        )
            .into_response())
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct AgentFilter {
    #[serde(default)]
    app: Option<String>,
}

/// `GET /api/v1/agents[?app=]`.
pub(crate) async fn list_agents<S: Store>(
    api: Admin<S>,
    Query(filter): Query<AgentFilter>,
) -> Result<Json<Value>, ApiError> {
    api.run(async |state, _| {
        let since = crate::now().saturating_sub(INSTANCE_ACTIVE_SECS);
        let instances: HashMap<String, i64> = state
            .store
            .instance_counts(since)
            .await?
            .into_iter()
            .collect();
        let agents: Vec<Value> = state
            .store
            .agents(filter.app.as_deref())
            .await?
            .iter()
            .map(|a| agent_json(a, &instances))
            .collect();
        Ok(Json(json!({ "agents": agents })))
    })
    .await
}

/// `DELETE /api/v1/agents/{id}`: revokes the key (its connects and beacons get 403).
pub(crate) async fn revoke_agent<S: Store>(
    api: Admin<S>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    api.run(async |state, _| {
        if state.store.revoke_agent(&id, crate::now()).await? {
            Ok(StatusCode::NO_CONTENT)
        } else {
            Err(ApiError::not_found(format!("no live agent with id {id:?}")))
        }
    })
    .await
}

#[derive(Deserialize)]
pub(crate) struct EventFilter {
    #[serde(default)]
    app: Option<String>,
    #[serde(default)]
    check: Option<String>,
    #[serde(default)]
    ip: Option<String>,
    #[serde(default)]
    since: Option<i64>,
    #[serde(default)]
    until: Option<i64>,
    #[serde(default)]
    limit: Option<i64>,
    #[serde(default)]
    cursor: Option<String>,
}

/// A page cursor: `TIME.ID` of the last event of the previous page.
fn parse_cursor(cursor: &str) -> Option<(i64, i64)> {
    let (t, id) = cursor.split_once('.')?;
    Some((t.parse().ok()?, id.parse().ok()?))
}

/// `GET /api/v1/events?app=&check=&ip=&since=&until=&limit=&cursor=`: newest first; `next` is
/// the cursor of the next page (`null` at the end).
pub(crate) async fn list_events<S: Store>(
    api: Admin<S>,
    Query(f): Query<EventFilter>,
) -> Result<Json<Value>, ApiError> {
    api.run(async |state, _| {
        let limit = f.limit.unwrap_or(DEFAULT_EVENT_PAGE);
        if !(1..=MAX_EVENT_PAGE).contains(&limit) {
            return Err(ApiError::bad_request(format!(
                "limit: 1 to {MAX_EVENT_PAGE}"
            )));
        }
        let before = match f.cursor.as_deref() {
            Some(c) => {
                Some(parse_cursor(c).ok_or_else(|| ApiError::bad_request("invalid cursor"))?)
            }
            None => None,
        };
        let ip = match f.ip.as_deref() {
            Some(ip) => Some(
                ip.trim()
                    .parse::<IpAddr>()
                    .map_err(|_| ApiError::bad_request(format!("invalid ip {ip:?}")))?
                    .to_string(),
            ),
            None => None,
        };
        let query = EventQuery {
            app: f.app,
            check: f.check,
            ip,
            since: f.since,
            until: f.until,
            before,
            limit,
        };
        let events = state.store.events(&query).await?;
        let next = (i64::try_from(events.len()).unwrap_or(i64::MAX) == limit)
            .then(|| events.last().map(|e| format!("{}.{}", e.event.time, e.id)))
            .flatten();
        let events: Vec<Value> = events.iter().map(event_json).collect();
        Ok(Json(json!({ "events": events, "next": next })))
    })
    .await
}

/// `GET /api/v1/events/{id}`.
pub(crate) async fn get_event<S: Store>(
    api: Admin<S>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    api.run(async |state, _| {
        let event = state
            .store
            .event(id)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("no event {id}")))?;
        Ok(Json(event_json(&event)))
    })
    .await
}

/// `GET /api/v1/apps/{app}/blacklist`.
pub(crate) async fn list_blacklist<S: Store>(
    api: Admin<S>,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    api.run(async |state, _| {
        existing_app(state, &name).await?;
        let entries: Vec<Value> = state
            .store
            .blacklist(&name)
            .await?
            .iter()
            .map(blacklist_json)
            .collect();
        Ok(Json(json!({ "blacklist": entries })))
    })
    .await
}

#[derive(Deserialize)]
struct NewEntry {
    ip: String,
    /// Seconds from now.
    #[serde(default)]
    expires_in: Option<i64>,
    /// Epoch seconds.
    #[serde(default)]
    expires_at: Option<i64>,
    #[serde(default)]
    note: Option<String>,
}

/// `POST /api/v1/apps/{app}/blacklist`: blacklists an IP on every agent of the application
/// (on their next beacon), until `expires_in`/`expires_at` if given.
pub(crate) async fn add_blacklist<S: Store>(
    api: Admin<S>,
    Path(name): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    api.run(async |state, _| {
        let form: NewEntry = read_json(body, state.max_body_bytes).await?;
        let ip: IpAddr = form
            .ip
            .trim()
            .parse()
            .map_err(|_| ApiError::bad_request(format!("invalid ip {:?}", form.ip)))?;
        let now = crate::now();
        let expires_at = match (form.expires_in, form.expires_at) {
            (Some(_), Some(_)) => {
                return Err(ApiError::bad_request(
                    "give expires_in or expires_at, not both",
                ));
            }
            (Some(s), None) if s > 0 => Some(now.saturating_add(s)),
            (None, Some(at)) if at > now => Some(at),
            (None, None) => None,
            _ => return Err(ApiError::bad_request("the expiry must be in the future")),
        };
        if form.note.as_ref().is_some_and(|n| n.len() > 500) {
            return Err(ApiError::bad_request("note: at most 500 bytes"));
        }
        existing_app(state, &name).await?;
        let row = state
            .store
            .add_blacklist(
                &name,
                &ip.to_string(),
                now,
                expires_at,
                form.note.as_deref(),
            )
            .await?;
        Ok((StatusCode::CREATED, Json(blacklist_json(&row))).into_response())
    })
    .await
}

/// `DELETE /api/v1/apps/{app}/blacklist/{ip}`: every agent unlists it on its next beacon.
pub(crate) async fn remove_blacklist<S: Store>(
    api: Admin<S>,
    Path((name, ip)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    api.run(async |state, _| {
        let ip: IpAddr = ip
            .trim()
            .parse()
            .map_err(|_| ApiError::bad_request(format!("invalid ip {ip:?}")))?;
        existing_app(state, &name).await?;
        if state
            .store
            .remove_blacklist(&name, &ip.to_string(), crate::now())
            .await?
        {
            Ok(StatusCode::NO_CONTENT)
        } else {
            Err(ApiError::not_found(format!("{ip} is not blacklisted")))
        }
    })
    .await
}
