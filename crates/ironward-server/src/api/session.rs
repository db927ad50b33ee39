//! Sign-in, sessions and API tokens: `POST /api/v1/sessions` (password → session cookie and CSRF
//! token), `GET /api/v1/session` (who am I), `DELETE /api/v1/sessions` (sign out),
//! `POST /api/v1/tokens` (HTTP Basic password or a session: a token cannot mint tokens),
//! `GET /api/v1/tokens`, `DELETE /api/v1/tokens/{id}`.

use super::{Admin, ApiError, ApiState, bounded, read_json};
use crate::auth::{self, Principal, Scope, Via};
use crate::store::{Store, TokenRow};
use axum::body::Body;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;

/// The client address for rate limiting (the TCP peer: the server does not trust forwarding
/// headers for this).
pub(crate) fn client_ip(peer: Option<&Extension<ConnectInfo<SocketAddr>>>) -> String {
    peer.map_or_else(|| "unknown".to_owned(), |c| c.0.0.ip().to_string())
}

#[derive(Deserialize)]
struct SignIn {
    user: String,
    password: String,
}

/// `POST /api/v1/sessions`.
pub(crate) async fn sign_in<S: Store>(
    State(state): State<Arc<ApiState<S>>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    body: Body,
) -> Result<Response, ApiError> {
    bounded(state.request_timeout, async {
        let form: SignIn = read_json(body, state.max_body_bytes).await?;
        let ip = client_ip(peer.as_ref());
        let session = auth::sign_in(
            &*state.store,
            &state.limiter,
            &form.user,
            &form.password,
            &ip,
        )
        .await?;
        let cookie = auth::session_cookie(&session.id, auth::SESSION_TTL, state.secure_cookies);
        let mut response = (
            StatusCode::CREATED,
            Json(json!({
                "user": session.user,
                "csrf_token": session.csrf_token,
                "expires_at": session.expires_at,
            })),
        )
            .into_response();
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, v);
        }
        Ok(response)
    })
    .await
}

/// `GET /api/v1/session`.
pub(crate) async fn whoami<S: Store>(api: Admin<S>) -> Result<Json<Value>, ApiError> {
    api.run(async |_, p| {
        let (via, token) = match &p.via {
            Via::Token(id) => ("token", Some(id.clone())),
            Via::Session(_) => ("session", None),
        };
        let csrf = auth::session_id(&api.headers)
            .filter(|_| via == "session")
            .map(auth::csrf_token);
        Ok(Json(json!({
            "user": p.user, "scope": p.scope, "via": via, "token": token, "csrf_token": csrf,
        })))
    })
    .await
}

/// `DELETE /api/v1/sessions`.
pub(crate) async fn sign_out<S: Store>(api: Admin<S>) -> Result<Response, ApiError> {
    api.run(async |state, _| {
        if let Some(id) = auth::session_id(&api.headers) {
            auth::sign_out(&*state.store, id).await?;
        }
        let mut response = StatusCode::NO_CONTENT.into_response();
        if let Ok(v) = HeaderValue::from_str(&auth::clear_session_cookie(state.secure_cookies)) {
            response.headers_mut().insert(header::SET_COOKIE, v);
        }
        Ok(response)
    })
    .await
}

#[derive(Deserialize)]
struct NewToken {
    name: String,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    expires_in_days: Option<u32>,
}

/// The user of an HTTP Basic password (rate-limited like sign-in).
async fn basic_user<S: Store>(
    state: &ApiState<S>,
    headers: &HeaderMap,
    ip: &str,
) -> Result<Option<String>, ApiError> {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(None);
    };
    let Some((scheme, encoded)) = value.split_once(' ') else {
        return Ok(None);
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| ApiError::from(auth::AuthError::Unauthenticated))?;
    let (user, password) = decoded
        .split_once(':')
        .ok_or_else(|| ApiError::from(auth::AuthError::Unauthenticated))?;
    auth::check_password(&*state.store, &state.limiter, user, password, ip).await?;
    Ok(Some(user.to_owned()))
}

pub(crate) fn token_json(t: &TokenRow) -> Value {
    json!({
        "id": t.id, "name": t.name, "user": t.user_name, "scope": t.scope,
        "created_at": t.created_at, "expires_at": t.expires_at,
        "last_used_at": t.last_used_at, "revoked_at": t.revoked_at,
    })
}

/// `POST /api/v1/tokens`.
pub(crate) async fn create_token<S: Store>(
    State(state): State<Arc<ApiState<S>>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    bounded(state.request_timeout, async {
        let ip = client_ip(peer.as_ref());
        let user = match basic_user(&state, &headers, &ip).await? {
            Some(user) => user,
            None => {
                let p: Principal = auth::authenticate(&*state.store, &headers, &method).await?;
                if !matches!(p.via, Via::Session(_)) {
                    return Err(ApiError::new(
                        StatusCode::FORBIDDEN,
                        "tokens are created with a password (HTTP Basic) or a session, not a token",
                    ));
                }
                p.user
            }
        };
        let form: NewToken = read_json(body, state.max_body_bytes).await?;
        let scope = match form.scope.as_deref() {
            None => Scope::Read,
            Some(s) => Scope::parse(s).ok_or_else(|| {
                ApiError::bad_request(format!("unknown scope {s:?} (read or write)"))
            })?,
        };
        if form.name.is_empty() || form.name.len() > 100 {
            return Err(ApiError::bad_request("name: 1 to 100 characters"));
        }
        let expires = form
            .expires_in_days
            .map(|d| crate::now() + i64::from(d) * 86_400);
        let (token, row) =
            auth::create_token(&*state.store, &user, &form.name, scope, expires).await?;
        let mut body = token_json(&row);
        body["token"] = Value::String(token);
        Ok((StatusCode::CREATED, Json(body)).into_response())
    })
    .await
}

/// `GET /api/v1/tokens`.
pub(crate) async fn list_tokens<S: Store>(api: Admin<S>) -> Result<Json<Value>, ApiError> {
    api.run(async |state, _| {
        let tokens: Vec<Value> = state.store.tokens().await?.iter().map(token_json).collect();
        Ok(Json(json!({ "tokens": tokens })))
    })
    .await
}

/// `DELETE /api/v1/tokens/{id}`.
pub(crate) async fn revoke_token<S: Store>(
    api: Admin<S>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    api.run(async |state, _| {
        if state.store.revoke_token(&id, crate::now()).await? {
            Ok(StatusCode::NO_CONTENT)
        } else {
            Err(ApiError::not_found(format!("no live token with id {id:?}")))
        }
    })
    .await
}
