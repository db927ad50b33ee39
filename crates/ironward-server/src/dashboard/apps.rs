//! `GET /apps`: the applications (template, configuration version, agents online) and their
//! agents (version, platform, last connect and beacon, telemetry, the configuration version each
//! one last received: "pending" until its next beacon after a change), and how many processes
//! (instances with an id: worker processes sharing a key) each key had in the last 10 minutes.
//! The forms that create applications and keys and revoke keys post to [`super::manage`].

use super::form::FormErrors;
use super::layout::{self, Nav};
use super::manage::{self, NewAppForm};
use super::{Dash, DashError, Signed, encode, overview, time};
use crate::api::ApiState;
use crate::store::Store;
use axum::extract::Query;
use axum::response::{Html, IntoResponse, Response};
use maud::html;
use serde::Deserialize;
use std::collections::HashMap;

/// A process counts for its key when it was seen this recently (seconds), as in the REST API.
const INSTANCE_ACTIVE_SECS: i64 = 600;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct AppsQuery {
    #[serde(default)]
    app: Option<String>,
    /// An application just created (shown in a notice).
    #[serde(default)]
    created: Option<String>,
    /// An agent key just revoked (shown in a notice).
    #[serde(default)]
    revoked: Option<String>,
}

fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| format!("{v:.1} %"))
}

/// `GET /apps[?app=]` (`created`, `revoked`: the notice after a form).
pub(crate) async fn page<S: Store>(
    dash: Dash<S>,
    Query(q): Query<AppsQuery>,
) -> Result<Response, DashError> {
    dash.page(async |state, signed| {
        let draft = NewAppForm::default();
        Ok(render(state, &signed, &q, &draft, &FormErrors::default())
            .await?
            .into_response())
    })
    .await
}

/// The page, with the new-application form's `draft` and `errors` (after a refused POST).
pub(crate) async fn render<S: Store>(
    state: &ApiState<S>,
    signed: &Signed,
    q: &AppsQuery,
    draft: &NewAppForm,
    errors: &FormErrors,
) -> Result<Html<String>, DashError> {
    let app = q.app.as_deref().filter(|a| !a.is_empty());
    let apps = state.store.apps().await?;
    let agents = state.store.agents(app).await?;
    let now = crate::now();
    let instances: HashMap<String, i64> = state
        .store
        .instance_counts(now.saturating_sub(INSTANCE_ACTIVE_SECS))
        .await?
        .into_iter()
        .collect();
    let notice = match (&q.created, &q.revoked) {
        (Some(name), _) => Some(format!(
            "Application {name} created. Create an agent key for it below."
        )),
        (None, Some(id)) => Some(format!(
            "Agent key {id} revoked: its agents are refused from their next connect or beacon."
        )),
        _ => None,
    };
    let body = html! {
        (layout::notice(notice.as_deref()))
        section aria-labelledby="apps-h" {
            h2 #apps-h { "Applications" }
            @if apps.is_empty() {
                p.empty { "No application yet: create one below (or with "
                    code { "ironward server key create --app NAME" } ")." }
            } @else {
                table {
                    thead {
                        tr {
                            th scope="col" { "Application" }
                            th scope="col" { "Template" }
                            th scope="col" { "Configuration" }
                            th scope="col" { "Agents online" }
                            th scope="col" { "Actions" }
                        }
                    }
                    tbody {
                        @for a in &apps {
                            @let mine: Vec<_> = agents.iter().filter(|g| g.app_name == a.name && g.revoked_at.is_none()).collect();
                            tr {
                                th scope="row" { a href={"/apps?app=" (encode(&a.name))} { (a.name) } }
                                td { (a.template) }
                                td { "version " (a.config_version) }
                                td.num { (mine.iter().filter(|g| overview::online(g, &apps, now)).count()) " / " (mine.len()) }
                                td {
                                    a href={"/apps/" (encode(&a.name)) "/config"} { "Edit configuration" span.sr-only { " of " (a.name) } }
                                    " · "
                                    a href={"/blacklist?app=" (encode(&a.name))} { "Blacklist" span.sr-only { " of " (a.name) } }
                                    " · "
                                    a href={"/events?app=" (encode(&a.name))} { "Events" span.sr-only { " of " (a.name) } }
                                    form.inline method="post" action={"/apps/" (encode(&a.name)) "/keys"} {
                                        input type="hidden" name="csrf" value=(signed.csrf);
                                        " · "
                                        button type="submit" { "New agent key" span.sr-only { " for " (a.name) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        (manage::new_app_section(signed, draft, errors))
        section aria-labelledby="agents-h" {
            h2 #agents-h { "Agents" @if let Some(app) = app { " of " (app) } }
            @if agents.is_empty() {
                p.empty { "No agent." }
            } @else {
                table.agents {
                    thead {
                        tr {
                            th scope="col" { "Agent" }
                            th scope="col" { "Application" }
                            th scope="col" { "Status" }
                            th scope="col" { "Version" }
                            th scope="col" { "Platform" }
                            th scope="col" { "Processes" }
                            th scope="col" { "Connected" }
                            th scope="col" { "Last beacon" }
                            th scope="col" { "CPU" }
                            th scope="col" { "Memory" }
                            th scope="col" { "Requests" }
                            th scope="col" { "Errors" }
                            th scope="col" { "Attacks" }
                            th scope="col" { "Configuration" }
                            th scope="col" { "Key" }
                        }
                    }
                    tbody {
                        @for g in &agents {
                            @let current = apps.iter().find(|a| a.name == g.app_name).map_or(0, |a| a.config_version);
                            tr {
                                th scope="row" { code { (g.id()) } }
                                td { (g.app_name) }
                                td {
                                    @if g.revoked_at.is_some() { "revoked" }
                                    @else if overview::online(g, &apps, now) { "online" }
                                    @else { "offline" }
                                }
                                td { (g.version.as_deref().unwrap_or("—")) }
                                td { (g.platform.as_deref().unwrap_or("—")) }
                                td.num { (instances.get(&g.key_hash).copied().unwrap_or(0)) }
                                td { (time::ago(g.connected_at, now)) }
                                td { (time::ago(g.last_beacon_at, now)) }
                                td.num { (percent(g.cpu)) }
                                td.num { (percent(g.memory)) }
                                td.num { (g.requests[0]) }
                                td.num { (g.requests[1]) }
                                td.num { (g.requests[2]) }
                                td.config-version {
                                    "version " (g.config_version_sent)
                                    @if g.config_version_sent < current && g.revoked_at.is_none() {
                                        " (pending: version " (current) " on the next beacon)"
                                    } @else if g.config_version_sent == current {
                                        " (up to date)"
                                    }
                                }
                                td {
                                    @if g.revoked_at.is_none() {
                                        a href={"/agents/" (g.id()) "/revoke"} { "Revoke" span.sr-only { " key " (g.id()) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(layout::page(
        "Applications and agents",
        signed,
        Nav::Apps,
        body,
    ))
}
