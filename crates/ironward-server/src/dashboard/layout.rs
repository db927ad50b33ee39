//! The page shell of the dashboard (head, skip link, navigation, sign-out form, main landmark)
//! and small shared pieces: error lists, the levels of a check, a check's attack name.
//! Everything interpolated goes through maud, which escapes it.

use super::Signed;
use axum::response::Html;
use ironward_core::check::CheckId;
use maud::{DOCTYPE, Markup, html};

/// The sections of the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nav {
    Overview,
    Events,
    Apps,
    Blacklist,
    Tokens,
    Users,
    Account,
}

const NAV: [(Nav, &str, &str); 7] = [
    (Nav::Overview, "/", "Overview"),
    (Nav::Events, "/events", "Events"),
    (Nav::Apps, "/apps", "Applications"),
    (Nav::Blacklist, "/blacklist", "Blacklist"),
    (Nav::Tokens, "/tokens", "API tokens"),
    (Nav::Users, "/users", "Users"),
    (Nav::Account, "/account", "Account"),
];

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="referrer" content="no-referrer";
            title { (title) " · Ironward" }
            link rel="stylesheet" href="/static/dashboard.css";
        }
    }
}

/// A page of the signed-in dashboard: `title` is its `h1`.
pub(crate) fn page(title: &str, signed: &Signed, active: Nav, body: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                (head(title))
                body {
                    a.skip href="#main" { "Skip to content" }
                    header.top {
                        span.brand { "Ironward" }
                        nav aria-label="Main" {
                            ul {
                                @for (nav, href, label) in NAV {
                                    li {
                                        @if nav == active {
                                            a href=(href) aria-current="page" { (label) }
                                        } @else {
                                            a href=(href) { (label) }
                                        }
                                    }
                                }
                            }
                        }
                        form.signout method="post" action="/signout" {
                            input type="hidden" name="csrf" value=(signed.csrf);
                            button type="submit" { "Sign out " span.user { "(" (signed.user) ")" } }
                        }
                    }
                    main #main tabindex="-1" {
                        h1 { (title) }
                        (body)
                    }
                }
            }
        }
        .into_string(),
    )
}

/// A page without navigation (sign-in, errors).
pub(crate) fn bare(title: &str, body: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                (head(title))
                body.bare {
                    main #main {
                        p.brand { "Ironward" }
                        h1 { (title) }
                        (body)
                    }
                }
            }
        }
        .into_string(),
    )
}

/// A page that only says something (errors).
pub(crate) fn message_page(title: &str, message: &str) -> Html<String> {
    bare(
        title,
        html! {
            p { (message) }
            p { a href="/" { "Back to the dashboard" } }
        },
    )
}

/// Errors shown above a form (announced to screen readers).
pub(crate) fn errors(list: &[String]) -> Markup {
    html! {
        @if !list.is_empty() {
            div.errors role="alert" {
                p { strong { "Not saved:" } }
                ul { @for e in list { li { (e) } } }
            }
        }
    }
}

/// A confirmation shown above a page (after a successful form).
pub(crate) fn notice(text: Option<&str>) -> Markup {
    html! {
        @if let Some(text) = text {
            p.notice role="status" { (text) }
        }
    }
}

/// The meaning of a check level.
pub(crate) fn level_text(level: i64) -> String {
    match level {
        0 => "off".to_owned(),
        1 => "blocked".to_owned(),
        2 => "blocked, IP blacklisted".to_owned(),
        3 => "reported (monitor)".to_owned(),
        other => format!("level {other}"),
    }
}

/// The attack name of a check key (`sqli` → "SQL Injection"), or the key itself.
pub(crate) fn attack_name(check: &str) -> &str {
    match CheckId::from_key(check) {
        Some(c) => c.attack_name(),
        None => check,
    }
}

/// `text` cut to `max` characters with an ellipsis.
pub(crate) fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}
