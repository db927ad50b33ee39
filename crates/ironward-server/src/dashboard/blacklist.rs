//! `GET /blacklist`: each application's shared blacklist (IP, since, expiry, note, who reported
//! it), a form to add an entry (with an optional expiry) and a remove button per entry. Both go
//! through the store like the REST API's, so every agent of the application receives the change
//! on its next beacon.

use super::layout::{self, Nav};
use super::{Dash, DashError, Signed, encode, see_other, time};
use crate::api::ApiState;
use crate::store::{App, BlacklistRow, Store};
use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;
use std::net::IpAddr;

/// The expiries offered by the form: (seconds, label); 0 is "never".
const EXPIRIES: [(i64, &str); 5] = [
    (0, "Never"),
    (3600, "1 hour"),
    (86_400, "24 hours"),
    (7 * 86_400, "7 days"),
    (30 * 86_400, "30 days"),
];

/// Longest note (bytes), as the REST API.
const MAX_NOTE: usize = 500;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct BlacklistQuery {
    #[serde(default)]
    app: Option<String>,
    #[serde(default)]
    added: Option<String>,
    #[serde(default)]
    removed: Option<String>,
}

/// What the add form held (shown again with its errors).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AddForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    app: String,
    #[serde(default)]
    ip: String,
    #[serde(default)]
    expires: Option<String>,
    #[serde(default)]
    note: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RemoveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    app: String,
    #[serde(default)]
    ip: String,
}

async fn render<S: Store>(
    state: &ApiState<S>,
    signed: &Signed,
    selected: Option<&str>,
    draft: &AddForm,
    errors: &[String],
    notice: Option<String>,
) -> Result<axum::response::Html<String>, DashError> {
    let apps = state.store.apps().await?;
    let shown: Vec<&App> = apps
        .iter()
        .filter(|a| selected.is_none_or(|s| s == a.name))
        .collect();
    let mut lists = Vec::new();
    for app in &shown {
        lists.push((*app, state.store.blacklist(&app.name).await?));
    }
    let now = crate::now();
    let chosen_app = if draft.app.is_empty() {
        selected.unwrap_or_default()
    } else {
        draft.app.as_str()
    };
    let body = html! {
        (layout::notice(notice.as_deref()))
        section aria-labelledby="add-h" {
            h2 #add-h { "Add an entry" }
            (layout::errors(errors))
            form.filters method="post" action="/blacklist" {
                input type="hidden" name="csrf" value=(signed.csrf);
                div.field {
                    label for="bl-app" { "Application" }
                    select #bl-app name="app" required {
                        @for a in &apps {
                            option value=(a.name) selected[a.name == chosen_app] { (a.name) }
                        }
                    }
                }
                div.field {
                    label for="bl-ip" { "IP address" }
                    input #bl-ip type="text" name="ip" value=(draft.ip) required size="20";
                }
                div.field {
                    label for="bl-expires" { "Expires after" }
                    select #bl-expires name="expires" {
                        @for (seconds, label) in EXPIRIES {
                            option value=(seconds) selected[draft.expires.as_deref() == Some(seconds.to_string().as_str())] { (label) }
                        }
                    }
                }
                div.field {
                    label for="bl-note" { "Note" }
                    input #bl-note type="text" name="note" value=(draft.note) maxlength="500" size="30";
                }
                button type="submit" { "Blacklist" }
            }
        }
        @for (app, rows) in &lists {
            @let live: Vec<&BlacklistRow> = rows.iter().filter(|r| r.expires_at.is_none_or(|e| e > now)).collect();
            section {
                h2 { (app.name) " (" (live.len()) ")" }
                @if live.is_empty() {
                    p.empty { "No blacklisted IP." }
                } @else {
                    table {
                        thead {
                            tr {
                                th scope="col" { "IP" }
                                th scope="col" { "Since (UTC)" }
                                th scope="col" { "Expires (UTC)" }
                                th scope="col" { "Reported by" }
                                th scope="col" { "Note" }
                                th scope="col" { "Remove" }
                            }
                        }
                        tbody {
                            @for r in live {
                                tr {
                                    th scope="row" { a href={"/events?ip=" (encode(&r.ip))} { (r.ip) } }
                                    td { (time::utc(r.since)) }
                                    td { (r.expires_at.map_or_else(|| "never".to_owned(), time::utc)) }
                                    td { (r.reported_by.as_deref().map_or("operator", |h| h.get(..16).unwrap_or(h))) }
                                    td { (r.note.as_deref().unwrap_or("")) }
                                    td {
                                        form.inline method="post" action="/blacklist/remove" {
                                            input type="hidden" name="csrf" value=(signed.csrf);
                                            input type="hidden" name="app" value=(app.name);
                                            input type="hidden" name="ip" value=(r.ip);
                                            button type="submit" { "Remove" span.sr-only { " " (r.ip) " from " (app.name) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page("Blacklist", signed, Nav::Blacklist, body))
}

/// `GET /blacklist[?app=]`.
pub(crate) async fn page<S: Store>(
    dash: Dash<S>,
    Query(q): Query<BlacklistQuery>,
) -> Result<Response, DashError> {
    dash.page(async |state, signed| {
        let notice = match (&q.added, &q.removed) {
            (Some(ip), _) => Some(format!(
                "{ip} blacklisted; agents receive it on their next beacon."
            )),
            (None, Some(ip)) => Some(format!(
                "{ip} removed; agents unlist it on their next beacon."
            )),
            _ => None,
        };
        let selected = q.app.as_deref().filter(|a| !a.is_empty());
        let draft = AddForm::default();
        Ok(render(state, &signed, selected, &draft, &[], notice)
            .await?
            .into_response())
    })
    .await
}

fn back(app: &str, what: &str, ip: &str) -> String {
    format!("/blacklist?app={}&{what}={}", encode(app), encode(ip))
}

/// `POST /blacklist`: adds an entry.
pub(crate) async fn add<S: Store>(
    dash: Dash<S>,
    Form(f): Form<AddForm>,
) -> Result<Response, DashError> {
    dash.form(&f.csrf, async |state, signed| {
        let mut errors = Vec::new();
        let ip = f.ip.trim().parse::<IpAddr>().map_err(|_| {
            errors.push(format!("IP address: {:?} is not an IP address.", f.ip));
        });
        let seconds = match f
            .expires
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Ok(0),
            Some(text) => text.parse::<i64>().ok().filter(|s| *s >= 0).ok_or_else(|| {
                errors.push(format!(
                    "Expires after: {text:?} is not a number of seconds."
                ));
            }),
        };
        if f.note.len() > MAX_NOTE {
            errors.push(format!("Note: at most {MAX_NOTE} bytes."));
        }
        let app = state.store.app(&f.app).await?;
        if app.is_none() {
            errors.push(format!("Application: no application {:?}.", f.app));
        }
        if let (Ok(ip), Ok(seconds), true) = (ip, seconds, errors.is_empty()) {
            let now = crate::now();
            let note = Some(f.note.trim()).filter(|n| !n.is_empty());
            let expires = (seconds > 0).then(|| now.saturating_add(seconds));
            state
                .store
                .add_blacklist(&f.app, &ip.to_string(), now, expires, note)
                .await?;
            return Ok(see_other(&back(&f.app, "added", &ip.to_string())));
        }
        let selected = app.as_ref().map(|a| a.name.clone());
        let page = render(state, &signed, selected.as_deref(), &f, &errors, None).await?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    })
    .await
}

/// `POST /blacklist/remove`: removes an entry.
pub(crate) async fn remove<S: Store>(
    dash: Dash<S>,
    Form(f): Form<RemoveForm>,
) -> Result<Response, DashError> {
    dash.form(&f.csrf, async |state, _signed| {
        let ip: IpAddr =
            f.ip.trim()
                .parse()
                .map_err(|_| DashError::NotFound(format!("{:?} is not an IP address.", f.ip)))?;
        if state.store.app(&f.app).await?.is_none() {
            return Err(DashError::NotFound(format!("No application {:?}.", f.app)));
        }
        if !state
            .store
            .remove_blacklist(&f.app, &ip.to_string(), crate::now())
            .await?
        {
            return Err(DashError::NotFound(format!(
                "{ip} is not blacklisted in {}.",
                f.app
            )));
        }
        Ok(see_other(&back(&f.app, "removed", &ip.to_string())))
    })
    .await
}
