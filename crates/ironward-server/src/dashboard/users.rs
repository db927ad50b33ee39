//! `GET /users`: the admin users (the store holds several; `admin` is created at the first
//! start), a form that adds one and a confirmed removal (with their sessions and API tokens).
//! There are no roles: every user may do everything (read-only access is an API token with the
//! `read` scope). A user cannot remove themselves, so the last user always stays.

use super::account::MAX_PASSWORD_LENGTH;
use super::form::{self, FormErrors, Input};
use super::layout::{self, Nav};
use super::manage::CsrfOnly;
use super::{Dash, DashError, Signed, encode, see_other, time};
use crate::api::ApiState;
use crate::auth::{self, password::MIN_PASSWORD_LENGTH};
use crate::store::Store;
use axum::Form;
use axum::extract::{Path, Query};
use axum::response::{Html, IntoResponse, Response};
use maud::html;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct UsersQuery {
    #[serde(default)]
    added: Option<String>,
    #[serde(default)]
    removed: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct NewUserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// User names: 1–64 letters, digits, `.`, `_`, `-` or `@`.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@'))
}

async fn render<S: Store>(
    state: &ApiState<S>,
    signed: &Signed,
    draft: &NewUserForm,
    errors: &FormErrors,
    notice: Option<String>,
) -> Result<Html<String>, DashError> {
    let users = state.store.users().await?;
    let hint = format!("At least {MIN_PASSWORD_LENGTH} characters; give it to them privately.");
    let body = html! {
        (layout::notice(notice.as_deref()))
        p.hint { "Every user is an administrator: there are no roles. For read-only access, create an API token with the read scope." }
        section aria-labelledby="users-h" {
            h2 #users-h { "Users" }
            table.users {
                thead {
                    tr {
                        th scope="col" { "User" }
                        th scope="col" { "Created (UTC)" }
                        th scope="col" { "Password changed (UTC)" }
                        th scope="col" { "Remove" }
                    }
                }
                tbody {
                    @for u in &users {
                        tr {
                            th scope="row" { (u.name) @if u.name == signed.user { " (you)" } }
                            td { (time::utc(u.created_at)) }
                            td { (time::utc(u.updated_at)) }
                            td {
                                @if u.name != signed.user {
                                    a href={"/users/" (encode(&u.name)) "/remove"} { "Remove" span.sr-only { " " (u.name) } }
                                }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="new-user-h" {
            h2 #new-user-h { "New user" }
            (form::summary(errors))
            form.manage method="post" action="/users" {
                input type="hidden" name="csrf" value=(signed.csrf);
                (form::input(&Input::text("user-name", "name", "User name", &draft.name)
                    .hint("1–64 letters, digits, '.', '_', '-' or '@'.").max(64), errors))
                (form::input(&Input::password("user-password", "password", "Password", "new-password").hint(&hint).max(MAX_PASSWORD_LENGTH), errors))
                (form::input(&Input::password("user-confirm", "confirm", "Password again", "new-password").max(MAX_PASSWORD_LENGTH), errors))
                button type="submit" { "Add user" }
            }
        }
    };
    Ok(layout::page("Users", signed, Nav::Users, body))
}

/// `GET /users`.
pub(crate) async fn page<S: Store>(
    dash: Dash<S>,
    Query(q): Query<UsersQuery>,
) -> Result<Response, DashError> {
    dash.page(async |state, signed| {
        let notice = match (q.added, q.removed) {
            (Some(name), _) => Some(format!("User {name} added.")),
            (None, Some(name)) => Some(format!(
                "User {name} removed, with their sessions and API tokens."
            )),
            _ => None,
        };
        let draft = NewUserForm::default();
        let page = render(state, &signed, &draft, &FormErrors::default(), notice).await?;
        Ok(page.into_response())
    })
    .await
}

/// `POST /users`: adds a user.
pub(crate) async fn add<S: Store>(
    dash: Dash<S>,
    Form(f): Form<NewUserForm>,
) -> Result<Response, DashError> {
    dash.form(&f.csrf, async |state, signed| {
        let mut errors = FormErrors::default();
        let name = f.name.trim();
        if !valid_name(name) {
            errors.add(
                "user-name",
                "User name: 1–64 letters, digits, '.', '_', '-' or '@'.",
            );
        } else if state.store.user(name).await?.is_some() {
            errors.add("user-name", format!("User name: {name:?} exists already."));
        }
        let length = f.password.chars().count();
        if !(MIN_PASSWORD_LENGTH..=MAX_PASSWORD_LENGTH).contains(&length) {
            errors.add(
                "user-password",
                format!("Password: {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters."),
            );
        }
        if f.confirm != f.password {
            errors.add(
                "user-confirm",
                "Password again: it differs from the password.",
            );
        }
        if errors.is_empty() && !auth::add_user(&*state.store, name, &f.password).await? {
            errors.add("user-name", format!("User name: {name:?} exists already."));
        }
        if !errors.is_empty() {
            return Ok(form::invalid(
                render(state, &signed, &f, &errors, None).await?,
            ));
        }
        Ok(see_other(&format!("/users?added={}", encode(name))))
    })
    .await
}

/// Whether `name` may be removed by `signed`: `Ok(None)` if so, the users page again with a
/// form error (422) if it is the signed-in user, [`DashError::NotFound`] if there is no such
/// user.
async fn removable<S: Store>(
    state: &ApiState<S>,
    signed: &Signed,
    name: &str,
) -> Result<Option<Response>, DashError> {
    if name == signed.user {
        let mut errors = FormErrors::default();
        errors.add(
            "users-h",
            "You cannot remove yourself: sign in as another user to do it.",
        );
        let draft = NewUserForm::default();
        return Ok(Some(form::invalid(
            render(state, signed, &draft, &errors, None).await?,
        )));
    }
    if state.store.user(name).await?.is_none() {
        return Err(DashError::NotFound(format!("No user {name:?}.")));
    }
    Ok(None)
}

/// `GET /users/{name}/remove`: asks for confirmation.
pub(crate) async fn confirm_remove<S: Store>(
    dash: Dash<S>,
    Path(name): Path<String>,
) -> Result<Response, DashError> {
    dash.page(async |state, signed| {
        if let Some(refused) = removable(state, &signed, &name).await? {
            return Ok(refused);
        }
        let question = html! {
            p { "Remove the user " strong { (name) } "?" }
            p { "Their sessions end and their API tokens are deleted. This cannot be undone." }
        };
        Ok(form::confirm(
            "Remove user",
            &signed,
            Nav::Users,
            question,
            &format!("/users/{}/remove", encode(&name)),
            "Remove user",
            "/users",
        ))
    })
    .await
}

/// `POST /users/{name}/remove`.
pub(crate) async fn remove<S: Store>(
    dash: Dash<S>,
    Path(name): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, DashError> {
    dash.form(&f.csrf, async |state, signed| {
        if let Some(refused) = removable(state, &signed, &name).await? {
            return Ok(refused);
        }
        state.store.delete_user(&name).await?;
        Ok(see_other(&format!("/users?removed={}", encode(&name))))
    })
    .await
}
