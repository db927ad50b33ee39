//! Managing applications and agent keys from the dashboard (what `ironward server key create`
//! and the REST API do): `POST /apps` creates an application (name, template), `POST
//! /apps/{app}/keys` creates an agent key and shows it once (after a redirect, see
//! [`super::shown`]), `GET`/`POST /agents/{id}/revoke`
//! asks for confirmation and revokes a key. They call the same functions as the CLI and the
//! API ([`crate::create_app`], [`crate::create_key`], [`crate::store::Store::revoke_agent`]):
//! same validation, keys stored as SHA-256 only.

use super::apps::{self, AppsQuery};
use super::form::{self, FormErrors, Input};
use super::layout::Nav;
use super::shown::{self, Kind, Shown};
use super::{Dash, DashError, Signed, encode, see_other};
use crate::ServerError;
use crate::api::ApiState;
use crate::store::Store;
use axum::Form;
use axum::extract::Path;
use axum::response::Response;
use ironward_cloud_protocol::{BEACON_PATH, CONNECT_PATH};
use ironward_core::config::Template;
use maud::{Markup, html};
use serde::Deserialize;

/// What the new-application form held (shown again with its errors).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct NewAppForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    template: String,
}

/// A form that carries only its CSRF token.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CsrfOnly {
    #[serde(default)]
    pub(crate) csrf: String,
}

/// The "New application" section of the applications page.
pub(crate) fn new_app_section(signed: &Signed, draft: &NewAppForm, errors: &FormErrors) -> Markup {
    let templates: Vec<(&str, &str)> = Template::ALL.iter().map(|t| (t.name(), t.name())).collect();
    let chosen = if draft.template.is_empty() {
        "default"
    } else {
        draft.template.as_str()
    };
    html! {
        section aria-labelledby="new-app-h" {
            h2 #new-app-h { "New application" }
            (form::summary(errors))
            form.filters method="post" action="/apps" {
                input type="hidden" name="csrf" value=(signed.csrf);
                (form::input(&Input::text("app-name", "name", "Name", &draft.name)
                    .hint("1–64 letters, digits, '.', '_' or '-'.").max(64), errors))
                (form::select("app-template", "template", "Template", &templates, chosen,
                    Some("The configuration its agents start from."), errors))
                button type="submit" { "Create application" }
            }
        }
    }
}

/// `POST /apps`: creates an application.
pub(crate) async fn create_app<S: Store>(
    dash: Dash<S>,
    Form(f): Form<NewAppForm>,
) -> Result<Response, DashError> {
    dash.form(&f.csrf, async |state, signed| {
        let name = f.name.trim();
        let template = Some(f.template.trim()).filter(|t| !t.is_empty());
        let mut errors = FormErrors::default();
        let mut template_error = template
            .map(crate::remote_config::check_template)
            .and_then(Result::err);
        match crate::create_app(&*state.store, name, template).await {
            Ok(Some(app)) => {
                return Ok(see_other(&format!(
                    "/apps?app={0}&created={0}",
                    encode(&app.name)
                )));
            }
            Ok(None) => errors.add("app-name", format!("Name: {name:?} exists already.")),
            Err(ServerError::InvalidConfig(list)) => {
                for e in list {
                    if template_error.as_ref() != Some(&e) {
                        errors.add("app-name", format!("Name: {e}."));
                    }
                }
            }
            Err(ServerError::Store(e)) => return Err(e.into()),
            Err(other) => errors.add("app-name", format!("Name: {other}.")),
        }
        if let Some(e) = template_error.take() {
            errors.add("app-template", format!("Template: {e}."));
        }
        let query = AppsQuery::default();
        Ok(form::invalid(
            apps::render(state, &signed, &query, &f, &errors).await?,
        ))
    })
    .await
}

/// The URL agents connect to (`cloud_url`), from the server's `BEACON_URL`.
pub(crate) fn connect_url<S>(state: &ApiState<S>) -> String {
    let base = state
        .beacon_url
        .strip_suffix(BEACON_PATH)
        .unwrap_or(&state.beacon_url);
    format!("{base}{CONNECT_PATH}")
}

/// `POST /apps/{app}/keys`: a new agent key, shown once on the page it redirects to
/// ([`shown`]).
pub(crate) async fn create_key<S: Store>(
    dash: Dash<S>,
    Path(app): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, DashError> {
    dash.form(&f.csrf, async |state, signed| {
        if state.store.app(&app).await?.is_none() {
            return Err(DashError::NotFound(format!("No application {app:?}.")));
        }
        let key = match crate::create_key(&*state.store, &app, None).await {
            Ok(key) => key,
            Err(ServerError::Store(e)) => return Err(e.into()),
            Err(other) => {
                crate::report(&format!("dashboard: cannot create a key: {other}"));
                return Err(DashError::Internal);
            }
        };
        let id = crate::keys::hash_key(&key)
            .get(..16)
            .unwrap_or_default()
            .to_owned();
        let connect = connect_url(state);
        let usage = html! {
            p { "Give it to the application's agents, e.g. in their environment:" }
            pre { code { "IRONWARD_CLOUD_URL=" (connect) "\nIRONWARD_KEY=" (key) } }
            p.hint { "pyrasp agents take it as " code { "PYRASP_CLOUD_URL" } " / " code { "PYRASP_KEY" }
                " or as " code { "cloud_url" } " and " code { "key" } "." }
        };
        let body = html! {
            p { "Agent " code.agent-id { (id) } " of application " strong { (app) } " was created." }
            (form::secret("Agent key", &key, usage))
            p { a href={"/apps?app=" (encode(&app))} { "Back to " (app) } }
        };
        let page = Shown {
            title: "New agent key",
            body,
        };
        shown::redirect(state, &signed, Kind::AgentKey, page)
    })
    .await
}

/// `GET /agents/{id}/revoke`: asks for confirmation.
pub(crate) async fn confirm_revoke<S: Store>(
    dash: Dash<S>,
    Path(id): Path<String>,
) -> Result<Response, DashError> {
    dash.page(async |state, signed| {
        let agent = live_agent(state, &id).await?;
        let question = html! {
            p { "Revoke the agent key " code { (id) } " of application " strong { (agent.app_name) } "?" }
            p { "Its agents are refused (403) from their next connect or beacon and keep running on the last configuration they received. This cannot be undone: give them a new key." }
        };
        Ok(form::confirm(
            "Revoke agent key",
            &signed,
            Nav::Apps,
            question,
            &format!("/agents/{}/revoke", encode(&id)),
            "Revoke key",
            &format!("/apps?app={}", encode(&agent.app_name)),
        ))
    })
    .await
}

async fn live_agent<S: Store>(
    state: &ApiState<S>,
    id: &str,
) -> Result<crate::store::Agent, DashError> {
    state
        .store
        .agent_by_id(id)
        .await?
        .filter(|a| a.id() == id && a.revoked_at.is_none())
        .ok_or_else(|| DashError::NotFound(format!("No live agent key {id:?}.")))
}

/// `POST /agents/{id}/revoke`: revokes the key.
pub(crate) async fn revoke<S: Store>(
    dash: Dash<S>,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, DashError> {
    dash.form(&f.csrf, async |state, _| {
        let agent = live_agent(state, &id).await?;
        if !state.store.revoke_agent(&id, crate::now()).await? {
            return Err(DashError::NotFound(format!("No live agent key {id:?}.")));
        }
        Ok(see_other(&format!(
            "/apps?app={}&revoked={}",
            encode(&agent.app_name),
            encode(&id)
        )))
    })
    .await
}
