//! `GET|POST /apps/{app}/config`: the configuration editor of one application. The form holds
//! the template, one level per check (written to the remote layer as `SECURITY_CHECKS.<check>`
//! when it differs from what the template and the other keys give) and the other keys of the
//! layer as a JSON object. A save replaces the layer through [`crate::put_config`], so it is
//! validated as a whole with the same errors as `ironward check-config`, shown above the form
//! (nothing is stored then); a saved change bumps the configuration version and reaches every
//! agent of the application on its next beacon. The form carries the version it was read at: a
//! save over a newer one is refused, so two editors do not overwrite each other silently.

use super::layout::{self, Nav};
use super::{Dash, DashError, Signed, encode, see_other};
use crate::api::ApiState;
use crate::store::{App, Store};
use crate::{ServerError, remote_config};
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ironward_cloud_protocol::ConfigMap;
use ironward_core::check::CheckId;
use ironward_core::config::{ConfigSources, Template, load};
use maud::html;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Prefix of the dotted per-check keys.
const CHECK_PREFIX: &str = "SECURITY_CHECKS.";

/// Check levels (0–3) of `template` with `layer` over it; `None` if that does not load.
fn levels(template: &str, layer: &ConfigMap) -> Option<BTreeMap<CheckId, u8>> {
    let params = Value::Object(layer.clone());
    let sources = ConfigSources {
        template: Some(template),
        params: Some(&params),
        ..ConfigSources::default()
    };
    let loaded = load(&sources).ok()?;
    Some(
        CheckId::configurable()
            .map(|c| (c, loaded.config.security_checks.level(c).as_u8()))
            .collect(),
    )
}

/// The layer without its dotted check keys (the "other keys" of the form).
fn other_keys(layer: &ConfigMap) -> ConfigMap {
    layer
        .iter()
        .filter(|(k, _)| !k.starts_with(CHECK_PREFIX))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// What the form shows.
struct Draft {
    template: String,
    levels: BTreeMap<CheckId, u8>,
    other: String,
    version: i64,
}

fn render(
    app: &App,
    signed: &Signed,
    draft: &Draft,
    errors: &[String],
    saved: Option<i64>,
) -> axum::response::Html<String> {
    let defaults = levels(&draft.template, &ConfigMap::new()).unwrap_or_default();
    let action = format!("/apps/{}/config", encode(&app.name));
    let body = html! {
        p {
            "Version " (app.config_version) " of the remote configuration of " strong { (app.name) }
            ". A saved change reaches every agent of the application on its next beacon ("
            a href={"/apps?app=" (encode(&app.name))} { "see its agents" } ")."
        }
        (layout::notice(saved.map(|v| format!("Saved: version {v}. Agents receive it on their next beacon.")).as_deref()))
        (layout::errors(errors))
        form.config method="post" action=(action) {
            input type="hidden" name="csrf" value=(signed.csrf);
            input type="hidden" name="version" value=(draft.version);
            div.field {
                label for="template" { "Template" }
                select #template name="template" {
                    @for t in Template::ALL {
                        option value=(t.name()) selected[t.name() == draft.template] { (t.name()) }
                    }
                }
            }
            fieldset {
                legend { "Check levels" }
                p.hint { "0 off · 1 block · 2 block and blacklist the IP · 3 report only (monitor)" }
                table.levels {
                    thead {
                        tr {
                            th scope="col" { "Check" }
                            th scope="col" { "Detects" }
                            th scope="col" { "Template default" }
                            th scope="col" { "Level" }
                        }
                    }
                    tbody {
                        @for (check, level) in &draft.levels {
                            @let id = format!("check-{}", check.key());
                            tr {
                                th scope="row" { label for=(id) { (check.key()) } }
                                td { (check.attack_name()) }
                                td.num { (defaults.get(check).copied().unwrap_or(0)) }
                                td {
                                    select id=(id) name={"check." (check.key())} {
                                        @for l in 0u8..=3 {
                                            option value=(l) selected[l == *level] { (l) " — " (layout::level_text(i64::from(l))) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            div.field.wide {
                label for="other" { "Other keys (a JSON object)" }
                textarea #other name="other" rows="12" spellcheck="false" aria-describedby="other-hint" { (draft.other) }
                p.hint #other-hint { "Upper-case keys of pyrasp's configuration, e.g. "
                    code { "\"BEACON_DELAY\": 30" } ". Validated like " code { "ironward check-config" } "." }
            }
            button type="submit" { "Save configuration" }
        }
    };
    layout::page(
        &format!("Configuration of {}", app.name),
        signed,
        Nav::Apps,
        body,
    )
}

async fn existing<S: Store>(state: &ApiState<S>, name: &str) -> Result<App, DashError> {
    state
        .store
        .app(name)
        .await?
        .ok_or_else(|| DashError::NotFound(format!("No application {name:?}.")))
}

fn draft_of(app: &App) -> Draft {
    Draft {
        template: app.template.clone(),
        levels: levels(&app.template, &app.config).unwrap_or_default(),
        other: serde_json::to_string_pretty(&Value::Object(other_keys(&app.config)))
            .unwrap_or_default(),
        version: app.config_version,
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Saved {
    #[serde(default)]
    saved: Option<i64>,
}

/// `GET /apps/{app}/config`.
pub(crate) async fn page<S: Store>(
    dash: Dash<S>,
    Path(name): Path<String>,
    Query(q): Query<Saved>,
) -> Result<Response, DashError> {
    dash.page(async |state, signed| {
        let app = existing(state, &name).await?;
        Ok(render(&app, &signed, &draft_of(&app), &[], q.saved).into_response())
    })
    .await
}

/// `POST /apps/{app}/config`.
pub(crate) async fn save<S: Store>(
    dash: Dash<S>,
    Path(name): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, DashError> {
    dash.page(async |state, signed| {
        let field = |k: &str| {
            fields
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        if !signed.csrf_ok(field("csrf").unwrap_or_default()) {
            return Err(DashError::Csrf);
        }
        let app = existing(state, &name).await?;
        let mut errors = Vec::new();
        let template = field("template").unwrap_or(&app.template).to_owned();
        let other_text = field("other").unwrap_or("{}").to_owned();
        let other: ConfigMap = match serde_json::from_str::<Value>(&other_text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => {
                errors.push("Other keys: must be a JSON object ({…}).".to_owned());
                ConfigMap::new()
            }
            Err(e) => {
                errors.push(format!("Other keys: not JSON: {e}."));
                ConfigMap::new()
            }
        };
        let mut chosen = BTreeMap::new();
        for check in CheckId::configurable() {
            let Some(text) = field(&format!("check.{}", check.key())) else {
                continue;
            };
            match text.parse::<u8>() {
                Ok(level) if level <= 3 => {
                    chosen.insert(check, level);
                }
                _ => errors.push(format!("{}: level {text:?} is not 0 to 3.", check.key())),
            }
        }
        let version: Option<i64> = field("version").and_then(|v| v.parse().ok());
        if version != Some(app.config_version) {
            errors.push(format!(
                "The configuration changed since this form was opened (now version {}): \
                 review the form and save again.",
                app.config_version
            ));
        }
        // A level becomes a dotted key only where it differs from the rest of the layer.
        let base = levels(&template, &other).unwrap_or_default();
        let mut layer = other.clone();
        for (check, level) in &chosen {
            if base.get(check) != Some(level) {
                layer.insert(
                    format!("{CHECK_PREFIX}{}", check.key()),
                    Value::from(*level),
                );
            }
        }
        if errors.is_empty() {
            match crate::put_config(&*state.store, &name, Some(&template), layer).await {
                Ok(saved) => {
                    return Ok(see_other(&format!(
                        "/apps/{}/config?saved={}",
                        encode(&name),
                        saved.config_version
                    )));
                }
                Err(ServerError::InvalidConfig(details)) => errors.extend(details),
                Err(ServerError::NoSuchApp(app)) => {
                    return Err(DashError::NotFound(format!("No application {app:?}.")));
                }
                Err(ServerError::Store(e)) => return Err(e.into()),
                Err(other) => {
                    crate::report(&format!("dashboard: {other}"));
                    return Err(DashError::Internal);
                }
            }
        }
        let mut levels_shown = levels(&template, &ConfigMap::new())
            .or_else(|| {
                levels(
                    &remote_config::check_template("default").unwrap_or_default(),
                    &ConfigMap::new(),
                )
            })
            .unwrap_or_default();
        levels_shown.extend(chosen);
        let draft = Draft {
            template,
            levels: levels_shown,
            other: other_text,
            version: app.config_version,
        };
        Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&app, &signed, &draft, &errors, None),
        )
            .into_response())
    })
    .await
}
