//! `GET /events`: security events, newest first, filtered by application, check, source IP and
//! time, [`PAGE`] at a time with keyset pagination (the cursor is the last row's `(time, id)`,
//! so every page is one index range scan, however deep); `GET /events/{id}`: one event with its
//! payload, location, check, verdict, an explanation and the details as received. Payloads are
//! attack payloads: maud escapes them, and the CSP forbids scripts anyway.

use super::layout::{self, Nav};
use super::{Dash, DashError, encode, overview, time};
use crate::store::{EventQuery, EventRow, Store};
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Response};
use ironward_core::check::CheckId;
use maud::{Markup, html};
use serde::Deserialize;
use std::net::IpAddr;

/// Events per page.
pub const PAGE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Filters {
    #[serde(default)]
    app: Option<String>,
    #[serde(default)]
    check: Option<String>,
    #[serde(default)]
    ip: Option<String>,
    #[serde(default)]
    since: Option<String>,
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    cursor: Option<String>,
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// `GET /events`.
pub(crate) async fn list<S: Store>(
    dash: Dash<S>,
    Query(f): Query<Filters>,
) -> Result<Response, DashError> {
    dash.page(async |state, signed| {
        let mut errors = Vec::new();
        let ip = nonempty(&f.ip).and_then(|ip| match ip.parse::<IpAddr>() {
            Ok(ip) => Some(ip.to_string()),
            Err(_) => {
                errors.push(format!("IP: {ip:?} is not an IP address."));
                None
            }
        });
        let mut time_of = |label: &str, v: &Option<String>| {
            nonempty(v).and_then(|t| {
                let parsed = time::parse_input(t);
                if parsed.is_none() {
                    errors.push(format!("{label}: {t:?} is not a date and time."));
                }
                parsed
            })
        };
        let since = time_of("From", &f.since);
        let until = time_of("Until", &f.until);
        let before = nonempty(&f.cursor).and_then(|c| {
            let (t, id) = c.split_once('.')?;
            Some((t.parse().ok()?, id.parse().ok()?))
        });
        let query = EventQuery {
            app: nonempty(&f.app).map(str::to_owned),
            check: nonempty(&f.check).map(str::to_owned),
            ip,
            since,
            until,
            before,
            limit: PAGE,
        };
        let apps = state.store.apps().await?;
        let events = if errors.is_empty() {
            state.store.events(&query).await?
        } else {
            Vec::new()
        };
        // Links keep the filters; the next page adds the cursor of the last row.
        let mut base = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("app", &query.app),
            ("check", &query.check),
            ("ip", &query.ip),
        ] {
            if let Some(v) = v {
                base.append_pair(k, v);
            }
        }
        for (k, v) in [("since", since), ("until", until)] {
            if let Some(v) = v {
                base.append_pair(k, &v.to_string());
            }
        }
        let base = base.finish();
        let next = (i64::try_from(events.len()).unwrap_or(0) == PAGE)
            .then(|| events.last())
            .flatten()
            .map(|e| format!("/events?{base}&cursor={}.{}", e.event.time, e.id));
        let body = html! {
            form.filters method="get" action="/events" {
                (overview::app_select(&apps, query.app.as_deref()))
                div.field {
                    label for="check" { "Check" }
                    select #check name="check" {
                        option value="" { "All checks" }
                        @for c in CheckId::ALL {
                            option value=(c.key()) selected[query.check.as_deref() == Some(c.key())] { (c.key()) }
                        }
                    }
                }
                div.field {
                    label for="ip" { "Source IP" }
                    input #ip type="text" name="ip" value=[nonempty(&f.ip)] inputmode="text" size="20";
                }
                div.field {
                    label for="since" { "From (UTC)" }
                    input #since type="datetime-local" name="since" value=[since.map(time::input_value)];
                }
                div.field {
                    label for="until" { "Until (UTC)" }
                    input #until type="datetime-local" name="until" value=[until.map(time::input_value)];
                }
                button type="submit" { "Filter" }
                a href="/events" { "Clear" }
            }
            (layout::errors(&errors))
            @if events.is_empty() {
                p.empty { "No events match." }
            } @else {
                (table(&events))
            }
            nav.pager aria-label="Pages" {
                @if before.is_some() { a href={"/events?" (base)} { "Newest" } }
                @if let Some(next) = next { a href=(next) rel="next" { "Older events" } }
            }
        };
        Ok(layout::page("Events", &signed, Nav::Events, body).into_response())
    })
    .await
}

fn table(events: &[EventRow]) -> Markup {
    html! {
        table.events {
            caption.sr-only { "Security events, newest first" }
            thead {
                tr {
                    th scope="col" { "Time (UTC)" }
                    th scope="col" { "Application" }
                    th scope="col" { "Check" }
                    th scope="col" { "Verdict" }
                    th scope="col" { "Source IP" }
                    th scope="col" { "Location" }
                    th scope="col" { "Payload" }
                }
            }
            tbody {
                @for e in events {
                    tr {
                        td { a href={"/events/" (e.id)} { (time::utc(e.event.time)) } }
                        td { (e.app) }
                        td { (e.event.check) }
                        td { (e.event.action.map_or_else(|| "—".to_owned(), layout::level_text)) }
                        td { (e.event.ip.as_deref().unwrap_or("—")) }
                        td { (e.event.location.as_deref().unwrap_or("—")) }
                        td { code { (layout::cut(e.event.payload.as_deref().unwrap_or(""), 80)) } }
                    }
                }
            }
        }
    }
}

/// What happened, in a sentence.
fn explanation(e: &EventRow) -> String {
    let ev = &e.event;
    let mut text = format!("{} detected", layout::attack_name(&ev.check));
    if let Some(location) = &ev.location {
        text.push_str(&format!(" in {location}"));
    }
    if let Some(path) = &ev.path {
        text.push_str(&format!(" of a request to {path}"));
    }
    if let Some(ip) = &ev.ip {
        text.push_str(&format!(" from {ip}"));
    }
    if let Some(engine) = &ev.engine {
        text.push_str(&format!(" by the {engine} detector"));
        if let Some(score) = ev.score {
            text.push_str(&format!(" (score {score:.2})"));
        }
    }
    text.push_str(match ev.action {
        Some(1) => ": the request was blocked.",
        Some(2) => ": the request was blocked and the IP blacklisted.",
        Some(3) => ": reported only (monitor level), the request went through.",
        _ => ".",
    });
    text
}

/// `GET /events/{id}`.
pub(crate) async fn detail<S: Store>(
    dash: Dash<S>,
    Path(id): Path<String>,
) -> Result<Response, DashError> {
    dash.page(async |state, signed| {
        let not_found = || DashError::NotFound(format!("No event {id:?}."));
        let number: i64 = id.parse().map_err(|_| not_found())?;
        let e = state.store.event(number).await?.ok_or_else(not_found)?;
        let ev = &e.event;
        let detail = ev.detail.as_deref().map(|d| {
            serde_json::from_str::<serde_json::Value>(d)
                .and_then(|v| serde_json::to_string_pretty(&v))
                .unwrap_or_else(|_| d.to_owned())
        });
        let body = html! {
            p.explanation { (explanation(&e)) }
            dl.detail {
                dt { "Time" } dd { (time::utc(ev.time)) " (received " (time::utc(e.received_at)) ")" }
                dt { "Application" } dd { (e.app) }
                dt { "Agent" } dd { (e.agent.as_deref().unwrap_or("—")) }
                dt { "Check" } dd { (ev.check) " — " (layout::attack_name(&ev.check)) }
                dt { "Verdict" } dd { (ev.action.map_or_else(|| "—".to_owned(), |a| format!("{a}: {}", layout::level_text(a)))) }
                dt { "Source IP" } dd {
                    @if let Some(ip) = &ev.ip {
                        a href={"/events?ip=" (encode(ip))} { (ip) }
                        " (" (overview::country(ip, ev.country.as_deref())) ")"
                    } @else { "—" }
                }
                dt { "Location" } dd { (ev.location.as_deref().unwrap_or("—")) }
                dt { "Path" } dd { code { (ev.path.as_deref().unwrap_or("—")) } }
                dt { "Engine" } dd {
                    (ev.engine.as_deref().unwrap_or("—"))
                    @if let Some(score) = ev.score { " (score " (format!("{score:.3}")) ")" }
                }
                dt { "Codes" } dd { (if ev.codes.is_empty() { "—".to_owned() } else { ev.codes.join(", ") }) }
            }
            h2 { "Payload" }
            pre.payload { code { (ev.payload.as_deref().unwrap_or("")) } }
            @if let Some(detail) = detail {
                h2 { "Details as received" }
                pre.payload { code { (detail) } }
            }
            @if let Some(ip) = &ev.ip {
                form.inline method="post" action="/blacklist" {
                    input type="hidden" name="csrf" value=(signed.csrf);
                    input type="hidden" name="app" value=(e.app);
                    input type="hidden" name="ip" value=(ip);
                    input type="hidden" name="expires" value="86400";
                    input type="hidden" name="note" value={"event " (e.id)};
                    button type="submit" { "Blacklist " (ip) " for 24 hours" }
                }
            }
            p { a href="/events" { "All events" } }
        };
        Ok(layout::page(&format!("Event {}", e.id), &signed, Nav::Events, body).into_response())
    })
    .await
}
