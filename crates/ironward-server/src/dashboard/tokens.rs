//! `GET /tokens`: the REST API's bearer tokens (name, owner, scope, created, expiry, last use —
//! never the secret, which is stored as SHA-256), a form that creates one (its secret shown
//! once, after a redirect: see [`super::shown`]) and a confirmed revoke. Tokens are made by [`crate::auth::create_token`]
//! as with `ironward server token create` and `POST /api/v1/tokens`.

use super::form::{self, FormErrors, Input};
use super::layout::{self, Nav};
use super::manage::CsrfOnly;
use super::shown::{self, Kind, Shown};
use super::{Dash, DashError, Signed, encode, see_other, time};
use crate::api::ApiState;
use crate::auth::{self, Scope};
use crate::store::{Store, TokenRow};
use axum::Form;
use axum::extract::{Path, Query};
use axum::response::{Html, IntoResponse, Response};
use maud::html;
use serde::Deserialize;

/// Longest token name (bytes), as the REST API.
const MAX_NAME: usize = 100;

/// The expiries offered: (days, label); 0 is "never". Any number of days up to 3650 is
/// accepted.
const EXPIRIES: [(&str, &str); 5] = [
    ("0", "Never"),
    ("7", "7 days"),
    ("30", "30 days"),
    ("90", "90 days"),
    ("365", "1 year"),
];

const SCOPES: [(&str, &str); 2] = [("read", "read: GET only"), ("write", "write: everything")];

#[derive(Debug, Default, Deserialize)]
pub(crate) struct TokensQuery {
    #[serde(default)]
    revoked: Option<String>,
}

/// What the new-token form held (shown again with its errors).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct NewTokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    expires: String,
}

fn status(t: &TokenRow, now: i64) -> &'static str {
    if t.revoked_at.is_some() {
        "revoked"
    } else if t.expires_at.is_some_and(|e| e <= now) {
        "expired"
    } else {
        "active"
    }
}

async fn render<S: Store>(
    state: &ApiState<S>,
    signed: &Signed,
    draft: &NewTokenForm,
    errors: &FormErrors,
    notice: Option<String>,
) -> Result<Html<String>, DashError> {
    let tokens = state.store.tokens().await?;
    let now = crate::now();
    let scope = if draft.scope.is_empty() {
        "read"
    } else {
        &draft.scope
    };
    let expires = if draft.expires.is_empty() {
        "90"
    } else {
        &draft.expires
    };
    let body = html! {
        (layout::notice(notice.as_deref()))
        p.hint { "Bearer tokens of the REST API ("
            code { "Authorization: Bearer iwt_…" } "). Only a hash of each is stored." }
        section aria-labelledby="tokens-h" {
            h2 #tokens-h { "Tokens" }
            @if tokens.is_empty() {
                p.empty { "No token yet." }
            } @else {
                table.tokens {
                    thead {
                        tr {
                            th scope="col" { "Name" }
                            th scope="col" { "Id" }
                            th scope="col" { "User" }
                            th scope="col" { "Scope" }
                            th scope="col" { "Created (UTC)" }
                            th scope="col" { "Expires (UTC)" }
                            th scope="col" { "Last used" }
                            th scope="col" { "Status" }
                            th scope="col" { "Revoke" }
                        }
                    }
                    tbody {
                        @for t in &tokens {
                            tr {
                                th scope="row" { (t.name) }
                                td { code { (t.id) } }
                                td { (t.user_name) }
                                td { (t.scope) }
                                td { (time::utc(t.created_at)) }
                                td { (t.expires_at.map_or_else(|| "never".to_owned(), time::utc)) }
                                td { (time::ago(t.last_used_at, now)) }
                                td { (status(t, now)) }
                                td {
                                    @if t.revoked_at.is_none() {
                                        a href={"/tokens/" (encode(&t.id)) "/revoke"} { "Revoke" span.sr-only { " " (t.name) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="new-token-h" {
            h2 #new-token-h { "New token" }
            (form::summary(errors))
            form.manage method="post" action="/tokens" {
                input type="hidden" name="csrf" value=(signed.csrf);
                (form::input(&Input::text("token-name", "name", "Name", &draft.name)
                    .hint("What uses it, e.g. \"deploy pipeline\".").max(MAX_NAME), errors))
                (form::select("token-scope", "scope", "Scope", &SCOPES, scope,
                    Some("A read token cannot change anything."), errors))
                (form::select("token-expires", "expires", "Expires after", &EXPIRIES, expires,
                    None, errors))
                button type="submit" { "Create token" }
            }
        }
    };
    Ok(layout::page("API tokens", signed, Nav::Tokens, body))
}

/// `GET /tokens`.
pub(crate) async fn page<S: Store>(
    dash: Dash<S>,
    Query(q): Query<TokensQuery>,
) -> Result<Response, DashError> {
    dash.page(async |state, signed| {
        let notice = q
            .revoked
            .map(|id| format!("Token {id} revoked: it is refused (401) from now on."));
        let draft = NewTokenForm::default();
        let page = render(state, &signed, &draft, &FormErrors::default(), notice).await?;
        Ok(page.into_response())
    })
    .await
}

/// `POST /tokens`: creates a token for the signed-in user and shows it once, on the page it
/// redirects to ([`shown`]).
pub(crate) async fn create<S: Store>(
    dash: Dash<S>,
    Form(f): Form<NewTokenForm>,
) -> Result<Response, DashError> {
    dash.form(&f.csrf, async |state, signed| {
        let mut errors = FormErrors::default();
        let name = f.name.trim();
        if name.is_empty() || name.len() > MAX_NAME {
            errors.add("token-name", format!("Name: 1 to {MAX_NAME} characters."));
        }
        let scope = Scope::parse(&f.scope);
        if scope.is_none() {
            errors.add("token-scope", "Scope: choose read or write.");
        }
        let days = f.expires.parse::<u32>().ok().filter(|d| *d <= 3650);
        if days.is_none() {
            errors.add("token-expires", "Expires after: choose one of the durations.");
        }
        let (Some(scope), Some(days), true) = (scope, days, errors.is_empty()) else {
            return Ok(form::invalid(render(state, &signed, &f, &errors, None).await?));
        };
        let expires = (days > 0).then(|| crate::now() + i64::from(days) * 86_400);
        let (token, row) =
            auth::create_token(&*state.store, &signed.user, name, scope, expires).await?;
        let usage = html! {
            p { "Use it as a bearer token of the REST API, e.g.:" }
            pre { code { "curl -H 'Authorization: Bearer " (token) "' …/api/v1/apps" } }
        };
        let body = html! {
            p { (row.scope) " token " strong { (row.name) } " (id " code { (row.id) } ") was created"
                @if let Some(e) = row.expires_at { "; it expires on " (time::utc(e)) } "." }
            (form::secret("API token", &token, usage))
            p { a href="/tokens" { "Back to the tokens" } }
        };
        let page = Shown {
            title: "New API token",
            body,
        };
        shown::redirect(state, &signed, Kind::ApiToken, page)
    })
    .await
}

async fn live_token<S: Store>(state: &ApiState<S>, id: &str) -> Result<TokenRow, DashError> {
    state
        .store
        .token_by_id(id)
        .await?
        .filter(|t| t.revoked_at.is_none())
        .ok_or_else(|| DashError::NotFound(format!("No live token {id:?}.")))
}

/// `GET /tokens/{id}/revoke`: asks for confirmation.
pub(crate) async fn confirm_revoke<S: Store>(
    dash: Dash<S>,
    Path(id): Path<String>,
) -> Result<Response, DashError> {
    dash.page(async |state, signed| {
        let token = live_token(state, &id).await?;
        let question = html! {
            p { "Revoke the " (token.scope) " token " strong { (token.name) } " (id " code { (token.id) } ") of " (token.user_name) "?" }
            p { "Whatever uses it is refused (401) from now on. This cannot be undone." }
        };
        Ok(form::confirm(
            "Revoke API token",
            &signed,
            Nav::Tokens,
            question,
            &format!("/tokens/{}/revoke", encode(&id)),
            "Revoke token",
            "/tokens",
        ))
    })
    .await
}

/// `POST /tokens/{id}/revoke`.
pub(crate) async fn revoke<S: Store>(
    dash: Dash<S>,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, DashError> {
    dash.form(&f.csrf, async |state, _| {
        if !state.store.revoke_token(&id, crate::now()).await? {
            return Err(DashError::NotFound(format!("No live token {id:?}.")));
        }
        Ok(see_other(&format!("/tokens?revoked={}", encode(&id))))
    })
    .await
}
