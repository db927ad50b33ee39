//! The HTTP API: the agent protocol ([`agent`]: connect, beacon), event ingest ([`ingest`]) and
//! the admin REST API ([`admin`]), with the state they share and JSON errors.

pub(crate) mod admin;
pub(crate) mod agent;
pub(crate) mod ingest;
pub(crate) mod metrics_route;
pub(crate) mod session;

use crate::auth::SignInLimiter;
use crate::metrics::{MetricsOptions, ServerMetrics, StoreFailed};
use crate::remote_config::{AgentKind, IngestLimits, IngestTarget, to_send_agent};
use crate::store::StoreError;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ironward_cloud_protocol::ConfigMap;
use std::sync::Arc;
use std::time::Duration;

pub use agent::{LEGACY_REPEAT_SECS, MAX_INSTANCE_LEN, MAX_REPORTED_IPS};

/// What the handlers share.
#[derive(Debug)]
pub(crate) struct ApiState<S> {
    pub(crate) store: Arc<S>,
    pub(crate) beacon_url: String,
    pub(crate) ingest: Option<IngestTarget>,
    pub(crate) max_body_bytes: usize,
    pub(crate) max_events_per_request: usize,
    pub(crate) request_timeout: Duration,
    pub(crate) limiter: Arc<SignInLimiter>,
    /// Whether cookies get `Secure` (the public URL is HTTPS).
    pub(crate) secure_cookies: bool,
    /// The server's own metrics (always counted; served when `metrics_route` is set).
    pub(crate) metrics: Arc<ServerMetrics>,
    /// Who may scrape `GET /metrics`; `None`: the route is off (404).
    pub(crate) metrics_route: Option<MetricsOptions>,
    /// The engine of the protection layer, whose metrics the route serves too.
    pub(crate) protection: Option<Arc<ironward_core::Engine>>,
    /// How long agents without an instance id are sent a change again (`--legacy-repeat-secs`).
    pub(crate) legacy_repeat_secs: i64,
    /// Most blacklist entries taken from one beacon (`--max-reported-ips`).
    pub(crate) max_reported_ips: usize,
    /// New agent keys and API tokens waiting for the `GET` that shows them once.
    pub(crate) shown: crate::dashboard::shown::ShownOnce,
}

impl<S> ApiState<S> {
    /// The configuration sent to the agent with key `key` (batching keys only to Ironward
    /// agents: see [`to_send_agent`]).
    pub(crate) fn config_for(&self, config: &ConfigMap, key: &str, kind: AgentKind) -> ConfigMap {
        let limits = IngestLimits {
            max_events: self.max_events_per_request,
            max_body_bytes: self.max_body_bytes,
        };
        let ingest = self.ingest.as_ref().map(|target| (target, limits));
        to_send_agent(config, &self.beacon_url, ingest, key, kind)
    }
}

/// An admin API error: a status and `{"error": message, "details": [...]}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
    pub(crate) details: Vec<String>,
    pub(crate) retry_after: Option<i64>,
    /// The request failed on the store (counted in the metrics).
    pub(crate) store_error: bool,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            details: Vec::new(),
            retry_after: None,
            store_error: false,
        }
    }
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }
    pub(crate) fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "server error")
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NoSuchApp(app) => Self::not_found(format!("no application named {app:?}")),
            other => {
                crate::report(&format!("storage error: {other}"));
                Self {
                    store_error: true,
                    ..Self::internal()
                }
            }
        }
    }
}

impl From<crate::auth::AuthError> for ApiError {
    fn from(e: crate::auth::AuthError) -> Self {
        use crate::auth::AuthError as A;
        let status = match &e {
            A::Unauthenticated | A::WrongPassword => StatusCode::UNAUTHORIZED,
            A::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            A::ReadOnly | A::Csrf => StatusCode::FORBIDDEN,
            A::Store(_) | A::Internal(_) => {
                crate::report(&format!("authentication error: {e}"));
                return Self {
                    store_error: matches!(e, A::Store(_)),
                    ..Self::internal()
                };
            }
        };
        let mut out = Self::new(status, e.to_string());
        if let A::RateLimited(seconds) = e {
            out.retry_after = Some(seconds);
        }
        out
    }
}

impl From<crate::ServerError> for ApiError {
    fn from(e: crate::ServerError) -> Self {
        use crate::ServerError as E;
        match e {
            E::Store(s) => s.into(),
            E::InvalidConfig(details) => Self {
                details,
                ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid configuration")
            },
            E::TemplateMismatch { .. } => Self::new(StatusCode::CONFLICT, e.to_string()),
            E::NoSuchApp(_) => Self::not_found(e.to_string()),
            E::Random(_) => {
                crate::report(&e.to_string());
                Self::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({ "error": self.message });
        if !self.details.is_empty() {
            body["details"] = serde_json::json!(self.details);
        }
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if self.store_error {
            response.extensions_mut().insert(StoreFailed);
        }
        response
    }
}

/// Runs a handler within the request timeout (a slow database answers 500, never hangs).
pub(crate) async fn bounded<T>(
    timeout: Duration,
    work: impl Future<Output = Result<T, ApiError>>,
) -> Result<T, ApiError> {
    match tokio::time::timeout(timeout, work).await {
        Ok(result) => result,
        Err(_) => {
            crate::report("request timed out");
            Err(ApiError::internal())
        }
    }
}

/// An admin API request as its handler starts it: the server's state and the request's method
/// and headers, which [`Admin::run`] authenticates (the same way for every handler).
pub(crate) struct Admin<S> {
    pub(crate) state: Arc<ApiState<S>>,
    pub(crate) method: axum::http::Method,
    pub(crate) headers: axum::http::HeaderMap,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<Arc<ApiState<S>>> for Admin<S> {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &Arc<ApiState<S>>,
    ) -> Result<Self, Self::Rejection> {
        Ok(Admin {
            state: Arc::clone(state),
            method: parts.method.clone(),
            headers: parts.headers.clone(),
        })
    }
}

impl<S: crate::store::Store> Admin<S> {
    /// Runs `work` for the authenticated principal ([`crate::auth::authenticate`]: 401/403
    /// otherwise) within the request timeout ([`bounded`]).
    pub(crate) async fn run<T>(
        &self,
        work: impl AsyncFnOnce(&ApiState<S>, crate::auth::Principal) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        bounded(self.state.request_timeout, async {
            let principal =
                crate::auth::authenticate(&*self.state.store, &self.headers, &self.method).await?;
            work(&self.state, principal).await
        })
        .await
    }
}

/// Reads a JSON body within the size limit (413 above, 400 when it does not parse).
pub(crate) async fn read_json<T: serde::de::DeserializeOwned>(
    body: axum::body::Body,
    limit: usize,
) -> Result<T, ApiError> {
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body larger than {limit} bytes"),
        )
    })?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))
}
