//! `GET /account`: the signed-in user changes their own password and signs out everywhere.
//!
//! A password change needs the current password (checked by [`crate::auth::check_password`]:
//! argon2, rate-limited like sign-in), a new one of at least
//! [`crate::auth::password::MIN_PASSWORD_LENGTH`] characters typed twice; it is stored by
//! [`crate::auth::set_password`] (argon2id, as `ironward server admin reset-password`), which
//! ends every session of the user. The browser that made the change gets a new session, so
//! only the other sessions are signed out. "Sign out everywhere" ends every session of the user,
//! this one included. API tokens are not touched by either (they are revoked on the tokens
//! page).

use super::form::{self, FormErrors, Input};
use super::layout::{self, Nav};
use super::{Dash, DashError, Signed, see_other};
use crate::api::session::client_ip;
use crate::auth::{self, AuthError, password::MIN_PASSWORD_LENGTH};
use crate::store::Store;
use axum::extract::{ConnectInfo, Query};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Form};
use maud::html;
use serde::Deserialize;
use std::net::SocketAddr;

/// Longest password accepted (characters): argon2 takes any length, the form does not need to.
pub(crate) const MAX_PASSWORD_LENGTH: usize = 1024;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct AccountQuery {
    #[serde(default)]
    changed: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

fn render(signed: &Signed, errors: &FormErrors, notice: Option<&str>) -> Html<String> {
    let hint = format!("At least {MIN_PASSWORD_LENGTH} characters.");
    let body = html! {
        (layout::notice(notice))
        p { "Signed in as " strong { (signed.user) } "." }
        section aria-labelledby="password-h" {
            h2 #password-h { "Change your password" }
            (form::summary(errors))
            form.manage method="post" action="/account/password" {
                input type="hidden" name="csrf" value=(signed.csrf);
                input type="text" name="user" value=(signed.user) autocomplete="username" hidden;
                (form::input(&Input::password("pw-current", "current", "Current password", "current-password"), errors))
                (form::input(&Input::password("pw-new", "new", "New password", "new-password").hint(&hint).max(MAX_PASSWORD_LENGTH), errors))
                (form::input(&Input::password("pw-confirm", "confirm", "New password again", "new-password").max(MAX_PASSWORD_LENGTH), errors))
                button type="submit" { "Change password" }
            }
            p.hint { "Your other sessions are signed out; this browser stays signed in. API tokens keep working." }
        }
        section aria-labelledby="everywhere-h" {
            h2 #everywhere-h { "Sign out everywhere" }
            p { "Ends every session of " (signed.user) ", in every browser, this one included." }
            form.inline method="post" action="/account/signout-everywhere" {
                input type="hidden" name="csrf" value=(signed.csrf);
                button.danger type="submit" { "Sign out everywhere" }
            }
        }
    };
    layout::page("Account", signed, Nav::Account, body)
}

/// `GET /account`.
pub(crate) async fn page<S: Store>(
    dash: Dash<S>,
    Query(q): Query<AccountQuery>,
) -> Result<Response, DashError> {
    dash.page(async |_, signed| {
        let notice = q
            .changed
            .map(|_| "Password changed; your other sessions were signed out.");
        Ok(render(&signed, &FormErrors::default(), notice).into_response())
    })
    .await
}

fn set_cookie(response: &mut Response, cookie: &str) {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// `POST /account/password`.
pub(crate) async fn change_password<S: Store>(
    dash: Dash<S>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Form(f): Form<PasswordForm>,
) -> Result<Response, DashError> {
    dash.form(&f.csrf, async |state, signed| {
        let mut errors = FormErrors::default();
        let ip = client_ip(peer.as_ref());
        let mut status = StatusCode::UNPROCESSABLE_ENTITY;
        match auth::check_password(&*state.store, &state.limiter, &signed.user, &f.current, &ip)
            .await
        {
            Ok(()) => {}
            Err(AuthError::WrongPassword) => {
                errors.add("pw-current", "Current password: wrong password.");
            }
            Err(AuthError::RateLimited(seconds)) => {
                status = StatusCode::TOO_MANY_REQUESTS;
                errors.add(
                    "pw-current",
                    format!(
                        "Current password: too many failed attempts; try again in {} minutes.",
                        (seconds + 59) / 60
                    ),
                );
            }
            Err(other) => return Err(other.into()),
        }
        let length = f.new.chars().count();
        if length < MIN_PASSWORD_LENGTH {
            errors.add(
                "pw-new",
                format!("New password: at least {MIN_PASSWORD_LENGTH} characters."),
            );
        } else if length > MAX_PASSWORD_LENGTH {
            errors.add(
                "pw-new",
                format!("New password: at most {MAX_PASSWORD_LENGTH} characters."),
            );
        } else if f.new == f.current {
            errors.add(
                "pw-new",
                "New password: it is the current one; choose another.",
            );
        }
        if f.confirm != f.new {
            errors.add(
                "pw-confirm",
                "New password again: it differs from the new password.",
            );
        }
        if !errors.is_empty() {
            return Ok((status, render(&signed, &errors, None)).into_response());
        }
        if !auth::set_password(&*state.store, &signed.user, &f.new).await? {
            return Err(DashError::SignIn);
        }
        // set_password ended every session of the user, this one too: open a new one here.
        let session = auth::open_session(&*state.store, &signed.user).await?;
        let mut response = see_other("/account?changed=1");
        set_cookie(
            &mut response,
            &auth::session_cookie(&session.id, auth::SESSION_TTL, state.secure_cookies),
        );
        Ok(response)
    })
    .await
}

/// `POST /account/signout-everywhere`.
pub(crate) async fn sign_out_everywhere<S: Store>(
    dash: Dash<S>,
    Form(f): Form<super::manage::CsrfOnly>,
) -> Result<Response, DashError> {
    dash.form(&f.csrf, async |state, signed| {
        state.store.end_sessions(&signed.user).await?;
        let mut response = see_other("/");
        set_cookie(
            &mut response,
            &auth::clear_session_cookie(state.secure_cookies),
        );
        Ok(response)
    })
    .await
}
