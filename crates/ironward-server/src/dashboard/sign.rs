//! Sign-in and sign-out of the dashboard.
//!
//! The sign-in form is protected against login CSRF too: showing it sets a short-lived random
//! cookie ([`LOGIN_COOKIE`], `HttpOnly; SameSite=Strict`) and the form carries the HMAC of it
//! ([`crate::auth::csrf_token`] of `login:` + the cookie); a POST without the pair is refused.
//! The password check is [`crate::auth::sign_in`]'s: argon2 on a blocking thread, rate-limited
//! per client IP and per user name.

use super::layout;
use super::{Dash, DashError, bounded, see_other};
use crate::api::ApiState;
use crate::api::session::client_ip;
use crate::auth::{self, AuthError};
use crate::store::Store;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use maud::html;
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;

/// The cookie that binds the sign-in form's CSRF token.
pub const LOGIN_COOKIE: &str = "ironward_login";
/// Lifetime of [`LOGIN_COOKIE`] (seconds).
const LOGIN_TTL: i64 = 3600;

fn login_token(nonce: &str) -> String {
    auth::csrf_token(&format!("login:{nonce}"))
}

/// The sign-in form (with a fresh [`LOGIN_COOKIE`]), `error` above it, answered with `status`.
pub(crate) fn form(error: Option<&str>, status: StatusCode) -> Result<Response, DashError> {
    let nonce = auth::generate_secret("")?;
    let body = html! {
        @if let Some(error) = error {
            div.errors role="alert" { p { (error) } }
        }
        form.signin method="post" action="/signin" {
            input type="hidden" name="csrf" value=(login_token(&nonce));
            div.field {
                label for="user" { "User name" }
                input #user type="text" name="user" value="admin" autocomplete="username" required;
            }
            div.field {
                label for="password" { "Password" }
                input #password type="password" name="password" autocomplete="current-password" required autofocus;
            }
            button type="submit" { "Sign in" }
        }
    };
    let mut response = (status, layout::bare("Sign in", body)).into_response();
    let cookie =
        format!("{LOGIN_COOKIE}={nonce}; Path=/; Max-Age={LOGIN_TTL}; HttpOnly; SameSite=Strict");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub(crate) struct SignInForm {
    #[serde(default)]
    user: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

/// `POST /signin`.
pub(crate) async fn sign_in<S: Store>(
    State(state): State<Arc<ApiState<S>>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(f): Form<SignInForm>,
) -> Result<Response, DashError> {
    bounded(&state, async {
        let bound = auth::cookie(&headers, LOGIN_COOKIE)
            .is_some_and(|nonce| auth::verify_csrf(&format!("login:{nonce}"), &f.csrf));
        if !bound {
            return form(
                Some("The sign-in form expired. Sign in again."),
                StatusCode::FORBIDDEN,
            );
        }
        let ip = client_ip(peer.as_ref());
        let session =
            match auth::sign_in(&*state.store, &state.limiter, &f.user, &f.password, &ip).await {
                Ok(session) => session,
                Err(AuthError::WrongPassword) => {
                    return form(
                        Some("Wrong user name or password."),
                        StatusCode::UNAUTHORIZED,
                    );
                }
                Err(AuthError::RateLimited(seconds)) => {
                    let mut response = form(
                        Some(&format!(
                            "Too many failed sign-ins. Try again in {} minutes.",
                            (seconds + 59) / 60
                        )),
                        StatusCode::TOO_MANY_REQUESTS,
                    )?;
                    if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
                        response.headers_mut().insert(header::RETRY_AFTER, v);
                    }
                    return Ok(response);
                }
                Err(other) => return Err(other.into()),
            };
        let mut response = see_other("/");
        let cookies = [
            auth::session_cookie(&session.id, auth::SESSION_TTL, state.secure_cookies),
            format!("{LOGIN_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"),
        ];
        for cookie in cookies {
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
        }
        Ok(response)
    })
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /signout`.
pub(crate) async fn sign_out<S: Store>(
    dash: Dash<S>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, DashError> {
    dash.form(&f.csrf, async |state, signed| {
        auth::sign_out(&*state.store, &signed.id).await?;
        let mut response = see_other("/");
        if let Ok(v) = HeaderValue::from_str(&auth::clear_session_cookie(state.secure_cookies)) {
            response.headers_mut().insert(header::SET_COOKIE, v);
        }
        Ok(response)
    })
    .await
}
