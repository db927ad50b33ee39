//! The dashboard of `ironward server`: server-rendered HTML pages at `/` (maud templates, which
//! escape every interpolated value: event payloads are attack payloads), a stylesheet, and no
//! script at all, so it works without JavaScript and its Content-Security-Policy allows none.
//!
//! Pages: the overview (attacks over time as an inline SVG chart, top checks, source IPs and
//! countries, agents online), events with filters and keyset pages and a detail view,
//! applications and their agents, each application's configuration editor (validated like
//! `ironward check-config`), and the shared blacklist. Management (what the CLI and the REST
//! API do): applications and agent keys (created, shown once, revoked), API tokens, admin users
//! and the signed-in user's password and sessions.
//!
//! Security: a signed-out visitor gets the sign-in form at `/` and a redirect there from every
//! other page; sign-in goes through [`crate::auth::sign_in`] (argon2, rate-limited) and sets the
//! session cookie (`HttpOnly; SameSite=Strict`, `Secure` over HTTPS). Every form POST carries a
//! CSRF token (the session's [`crate::auth::csrf_token`]; before sign-in, one bound to a
//! short-lived cookie) and is refused with 403 without it. Every answer carries
//! [`security_headers`].

mod account;
mod apps;
mod blacklist;
mod chart;
mod config;
mod events;
mod form;
mod layout;
mod manage;
mod overview;
pub mod shown;
mod sign;
pub mod time;
mod tokens;
mod users;

pub use events::PAGE as EVENTS_PAGE;
pub use sign::LOGIN_COOKIE;

use crate::api::ApiState;
use crate::auth;
use crate::metrics::StoreFailed;
use crate::store::{Store, StoreError};
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use std::sync::Arc;

/// The dashboard's Content-Security-Policy: nothing but this origin's stylesheet, images and
/// form targets; no script, no frames, no plugins.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The dashboard's routes, merged into the server's router.
pub(crate) fn routes<S: Store>() -> Router<Arc<ApiState<S>>> {
    Router::new()
        .route("/", get(overview::page::<S>))
        .route("/signin", post(sign::sign_in::<S>))
        .route("/signout", post(sign::sign_out::<S>))
        .route("/events", get(events::list::<S>))
        .route("/events/{id}", get(events::detail::<S>))
        .route("/apps", get(apps::page::<S>).post(manage::create_app::<S>))
        .route("/apps/{app}/keys", post(manage::create_key::<S>))
        .route("/keys/shown/{slot}", get(shown::agent_key::<S>))
        .route("/tokens/shown/{slot}", get(shown::api_token::<S>))
        .route(
            "/agents/{id}/revoke",
            get(manage::confirm_revoke::<S>).post(manage::revoke::<S>),
        )
        .route("/tokens", get(tokens::page::<S>).post(tokens::create::<S>))
        .route(
            "/tokens/{id}/revoke",
            get(tokens::confirm_revoke::<S>).post(tokens::revoke::<S>),
        )
        .route("/users", get(users::page::<S>).post(users::add::<S>))
        .route(
            "/users/{name}/remove",
            get(users::confirm_remove::<S>).post(users::remove::<S>),
        )
        .route("/account", get(account::page::<S>))
        .route("/account/password", post(account::change_password::<S>))
        .route(
            "/account/signout-everywhere",
            post(account::sign_out_everywhere::<S>),
        )
        .route(
            "/apps/{app}/config",
            get(config::page::<S>).post(config::save::<S>),
        )
        .route(
            "/blacklist",
            get(blacklist::page::<S>).post(blacklist::add::<S>),
        )
        .route("/blacklist/remove", post(blacklist::remove::<S>))
        .route("/static/dashboard.css", get(stylesheet))
        .layer(axum::middleware::map_response(security_headers))
}

/// Adds the dashboard's security headers: CSP without scripts, `X-Frame-Options: DENY`,
/// `nosniff`, `Referrer-Policy: no-referrer`, and `Cache-Control: no-store` on pages.
pub async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("dashboard.css"),
    )
        .into_response()
}

/// The signed-in operator of a page.
#[derive(Debug, Clone)]
pub(crate) struct Signed {
    /// The session id (the cookie's value).
    pub(crate) id: String,
    /// The user.
    pub(crate) user: String,
    /// The CSRF token every form of the page carries.
    pub(crate) csrf: String,
}

impl Signed {
    /// Whether `presented` is this session's CSRF token.
    pub(crate) fn csrf_ok(&self, presented: &str) -> bool {
        auth::verify_csrf(&self.id, presented)
    }
}

/// Why a page is not shown.
#[derive(Debug)]
pub(crate) enum DashError {
    /// Not signed in: back to the sign-in form.
    SignIn,
    /// A form without its CSRF token.
    Csrf,
    /// No such thing.
    NotFound(String),
    /// Storage failure (reported on standard error; counted in the server's
    /// `store_errors_total`).
    Store,
    /// Other internal failure or timeout (reported on standard error).
    Internal,
}

impl From<StoreError> for DashError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NoSuchApp(app) => DashError::NotFound(format!("No application {app:?}.")),
            other => {
                crate::report(&format!("dashboard: storage error: {other}"));
                DashError::Store
            }
        }
    }
}

impl From<auth::AuthError> for DashError {
    fn from(e: auth::AuthError) -> Self {
        crate::report(&format!("dashboard: authentication error: {e}"));
        if matches!(e, auth::AuthError::Store(_)) {
            DashError::Store
        } else {
            DashError::Internal
        }
    }
}

impl IntoResponse for DashError {
    fn into_response(self) -> Response {
        let store_failed = matches!(self, DashError::Store);
        let (status, title, message) = match self {
            DashError::SignIn => return Redirect::to("/").into_response(),
            DashError::Csrf => (
                StatusCode::FORBIDDEN,
                "Form refused",
                "This form has no valid CSRF token (it may have expired with your session). \
                 Go back, reload the page and submit it again."
                    .to_owned(),
            ),
            DashError::NotFound(message) => (StatusCode::NOT_FOUND, "Not found", message),
            DashError::Store | DashError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Server error",
                "The server could not answer; the error is in its log.".to_owned(),
            ),
        };
        let mut response = (status, layout::message_page(title, &message)).into_response();
        if store_failed {
            response.extensions_mut().insert(StoreFailed);
        }
        response
    }
}

/// Runs a page within the request timeout (a slow database answers 500, never hangs).
pub(crate) async fn bounded<S, T>(
    state: &ApiState<S>,
    work: impl Future<Output = Result<T, DashError>>,
) -> Result<T, DashError> {
    tokio::time::timeout(state.request_timeout, work)
        .await
        .unwrap_or_else(|_| {
            crate::report("dashboard: request timed out");
            Err(DashError::Internal)
        })
}

/// The signed-in operator of the request, if any.
pub(crate) async fn signed_in<S: Store>(
    state: &ApiState<S>,
    headers: &HeaderMap,
) -> Result<Option<Signed>, DashError> {
    Ok(auth::session_from_headers(&*state.store, headers)
        .await?
        .map(|(id, row)| Signed {
            csrf: auth::csrf_token(&id),
            id,
            user: row.user_name,
        }))
}

/// The signed-in operator, or [`DashError::SignIn`].
pub(crate) async fn require<S: Store>(
    state: &ApiState<S>,
    headers: &HeaderMap,
) -> Result<Signed, DashError> {
    signed_in(state, headers).await?.ok_or(DashError::SignIn)
}

/// A dashboard request as its handler starts it: the server's state and the request's headers
/// (the session cookie), which [`Dash::page`] and [`Dash::form`] check the same way for every
/// signed-in page and form.
pub(crate) struct Dash<S> {
    pub(crate) state: Arc<ApiState<S>>,
    pub(crate) headers: HeaderMap,
}

impl<S: Send + Sync> FromRequestParts<Arc<ApiState<S>>> for Dash<S> {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<ApiState<S>>,
    ) -> Result<Self, Self::Rejection> {
        Ok(Dash {
            state: Arc::clone(state),
            headers: parts.headers.clone(),
        })
    }
}

impl<S: Store> Dash<S> {
    /// Runs `work` for the signed-in operator within the request timeout ([`bounded`]); a
    /// signed-out visitor gets [`DashError::SignIn`].
    pub(crate) async fn page<T>(
        &self,
        work: impl AsyncFnOnce(&ApiState<S>, Signed) -> Result<T, DashError>,
    ) -> Result<T, DashError> {
        bounded(&self.state, async {
            let signed = require(&self.state, &self.headers).await?;
            work(&self.state, signed).await
        })
        .await
    }

    /// [`Dash::page`] for a form POST whose CSRF token is `csrf`: refused with
    /// [`DashError::Csrf`] when it is missing or wrong.
    pub(crate) async fn form<T>(
        &self,
        csrf: &str,
        work: impl AsyncFnOnce(&ApiState<S>, Signed) -> Result<T, DashError>,
    ) -> Result<T, DashError> {
        self.page(async |state, signed: Signed| {
            if !signed.csrf_ok(csrf) {
                return Err(DashError::Csrf);
            }
            work(state, signed).await
        })
        .await
    }
}

/// Percent-encodes a path segment or query value (everything but unreserved characters).
pub(crate) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A `303 See Other` to `location` (after a form POST).
pub(crate) fn see_other(location: &str) -> Response {
    Redirect::to(location).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_failures_are_flagged_for_the_metrics() {
        let failed = DashError::from(StoreError::Database(sqlx::Error::PoolTimedOut));
        let response = failed.into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(response.extensions().get::<StoreFailed>().is_some());
        let auth = DashError::from(auth::AuthError::Store(StoreError::Database(
            sqlx::Error::PoolTimedOut,
        )));
        assert!(
            auth.into_response()
                .extensions()
                .get::<StoreFailed>()
                .is_some()
        );
        for other in [
            DashError::Internal,
            DashError::from(StoreError::NoSuchApp("shop".to_owned())),
        ] {
            assert!(
                other
                    .into_response()
                    .extensions()
                    .get::<StoreFailed>()
                    .is_none()
            );
        }
    }
}
