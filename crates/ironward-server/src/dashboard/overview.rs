//! `GET /`: the sign-in form for a signed-out visitor, else the overview of a time window (last
//! hour, 24 hours or 7 days; one application or all): attacks over time, top checks, top source
//! IPs and countries, agents online.
//!
//! Countries: the one the events carry (pyrasp and Ironward agents write it), else derived from
//! the IP with `iptocc`'s tables (compiled into the binary: no lookup service).

use super::layout::{self, Nav};
use super::{DashError, bounded, chart, encode, sign};
use crate::api::ApiState;
use crate::store::{Agent, App, Count, Store, TOP_SAMPLE};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

/// The windows of the overview: (parameter, label, bucket seconds, buckets).
const RANGES: [(&str, &str, i64, usize); 3] = [
    ("1h", "Last hour", 300, 12),
    ("24h", "Last 24 hours", 3600, 24),
    ("7d", "Last 7 days", 6 * 3600, 28),
];

/// Rows of each "top" table.
const TOP: usize = 10;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct OverviewQuery {
    #[serde(default)]
    range: Option<String>,
    #[serde(default)]
    app: Option<String>,
}

/// Whether an agent has been heard from recently: within two beacon periods of its application
/// (`BEACON_DELAY`, 30 s by default) and a 15 s margin.
pub(crate) fn online(agent: &Agent, apps: &[App], now: i64) -> bool {
    let delay = apps
        .iter()
        .find(|a| a.name == agent.app_name)
        .and_then(|a| a.config.get("BEACON_DELAY"))
        .and_then(serde_json::Value::as_i64)
        .unwrap_or(crate::remote_config::DEFAULT_BEACON_DELAY)
        .max(1);
    let seen = agent.last_beacon_at.max(agent.connected_at);
    agent.revoked_at.is_none() && seen.is_some_and(|t| t >= now - 2 * delay - 15)
}

/// The country of an event's IP: the one it carries, else `iptocc`'s, `Private` for
/// non-public addresses, `Unknown` when nothing is known.
pub(crate) fn country(ip: &str, carried: Option<&str>) -> String {
    if let Some(c) = carried
        .map(str::trim)
        .filter(|c| !c.is_empty() && !c.eq_ignore_ascii_case("unknown"))
    {
        return c.to_owned();
    }
    match ip.parse::<IpAddr>() {
        Ok(ip) if !is_public(ip) => "Private".to_owned(),
        Ok(ip) => iptocc::country_code(ip).unwrap_or("Unknown").to_owned(),
        Err(_) => "Unknown".to_owned(),
    }
}

fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || (o[0] == 100 && (64..128).contains(&o[1])))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// `GET /`.
pub(crate) async fn page<S: Store>(
    State(state): State<Arc<ApiState<S>>>,
    headers: HeaderMap,
    Query(q): Query<OverviewQuery>,
) -> Result<Response, DashError> {
    bounded(&state, async {
        let Some(signed) = super::signed_in(&state, &headers).await? else {
            return sign::form(None, axum::http::StatusCode::OK);
        };
        let (range, range_label, bucket, n) = RANGES
            .into_iter()
            .find(|r| Some(r.0) == q.range.as_deref())
            .unwrap_or(RANGES[1]);
        let app = q.app.as_deref().filter(|a| !a.is_empty());
        let now = crate::now();
        let n_i64 = i64::try_from(n).unwrap_or(1);
        let start = (now / bucket) * bucket - (n_i64 - 1) * bucket;
        let store = &*state.store;
        let apps = store.apps().await?;
        let agents = store.agents(app).await?;
        let live: Vec<&Agent> = agents.iter().filter(|a| a.revoked_at.is_none()).collect();
        let online_count = live.iter().filter(|a| online(a, &apps, now)).count();
        let counts = store.event_histogram(start, bucket, n, app).await?;
        let total: i64 = counts.iter().sum();
        let checks = store.top_checks(start, app, 10).await?;
        let ips = store.top_ips(start, app).await?;
        let mut countries: HashMap<String, i64> = HashMap::new();
        for ip in &ips {
            *countries
                .entry(country(&ip.value, ip.country.as_deref()))
                .or_default() += ip.count;
        }
        let mut countries: Vec<(String, i64)> = countries.into_iter().collect();
        countries.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let sampled = total > TOP_SAMPLE;
        let filter = |extra: &str| {
            let mut link = format!("/events?since={start}");
            if let Some(app) = app {
                link.push_str(&format!("&app={}", encode(app)));
            }
            link.push_str(extra);
            link
        };
        let body = html! {
            form.filters method="get" action="/" {
                div.field {
                    label for="range" { "Window" }
                    select #range name="range" {
                        @for (value, label, _, _) in RANGES {
                            option value=(value) selected[value == range] { (label) }
                        }
                    }
                }
                (app_select(&apps, app))
                button type="submit" { "Show" }
            }
            section.cards aria-label="Summary" {
                div.card { p.big { (total) } p { "attacks, " (range_label.to_lowercase()) } }
                div.card {
                    p.big { (online_count) " / " (live.len()) }
                    p { "agents online" }
                }
                div.card { p.big { (apps.len()) } p { "applications" } }
            }
            section aria-labelledby="chart-h" {
                h2 #chart-h { "Attacks over time" }
                (chart::bars(&format!("Attacks per {}, {}: {total} in all", interval(bucket), range_label.to_lowercase()), start, bucket, &counts))
                (chart::table(start, bucket, &counts))
            }
            @if sampled {
                p.hint { "The lists below count the newest " (TOP_SAMPLE) " events of the window." }
            }
            div.columns {
                section aria-labelledby="checks-h" {
                    h2 #checks-h { "Top checks" }
                    (top_table("Check", Some("Attack"), &checks.iter().take(TOP).map(|c| (c.value.clone(), layout::attack_name(&c.value).to_owned(), c.count, filter(&format!("&check={}", encode(&c.value))))).collect::<Vec<_>>()))
                }
                section aria-labelledby="ips-h" {
                    h2 #ips-h { "Top source IPs" }
                    (top_table("IP", Some("Country"), &ips.iter().take(TOP).map(|c: &Count| (c.value.clone(), country(&c.value, c.country.as_deref()), c.count, filter(&format!("&ip={}", encode(&c.value))))).collect::<Vec<_>>()))
                }
                section aria-labelledby="countries-h" {
                    h2 #countries-h { "Top countries" }
                    (top_table("Country", None, &countries.iter().take(TOP).map(|(c, n)| (c.clone(), String::new(), *n, String::new())).collect::<Vec<_>>()))
                }
            }
        };
        Ok(layout::page("Overview", &signed, Nav::Overview, body).into_response())
    })
    .await
}

fn interval(bucket: i64) -> String {
    if bucket >= 3600 {
        format!("{} h", bucket / 3600)
    } else {
        format!("{} min", bucket / 60)
    }
}

/// An application filter (`<select name="app">`, "All applications" first).
pub(crate) fn app_select(apps: &[App], selected: Option<&str>) -> Markup {
    html! {
        div.field {
            label for="app" { "Application" }
            select #app name="app" {
                option value="" { "All applications" }
                @for a in apps {
                    option value=(a.name) selected[Some(a.name.as_str()) == selected] { (a.name) }
                }
            }
        }
    }
}

/// A "top" table: rows of (value, note, count, link to the events).
fn top_table(what: &str, note: Option<&str>, rows: &[(String, String, i64, String)]) -> Markup {
    html! {
        @if rows.is_empty() {
            p.empty { "No events in this window." }
        } @else {
            table {
                thead {
                    tr {
                        th scope="col" { (what) }
                        @if let Some(note) = note { th scope="col" { (note) } }
                        th scope="col" { "Events" }
                    }
                }
                tbody {
                    @for (value, label, count, link) in rows {
                        tr {
                            th scope="row" {
                                @if link.is_empty() { (value) } @else { a href=(link) { (value) } }
                            }
                            @if note.is_some() { td { (label) } }
                            td.num { (count) }
                        }
                    }
                }
            }
        }
    }
}
