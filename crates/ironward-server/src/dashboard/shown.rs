//! Secrets shown once, after a redirect (Post/Redirect/Get). The `POST` that creates an agent
//! key or an API token puts the page showing the secret in a slot of `ShownOnce` (in memory,
//! bound to the session, single use, [`SLOT_TTL`] at most, [`MAX_SLOTS`] at most: both
//! defaults of `ironward server` flags) and answers
//! `303` to `GET /keys/shown/{slot}` or `/tokens/shown/{slot}`. That `GET` takes the slot: the
//! page is shown once, with `Cache-Control: no-store`; reloading it, going back to it or
//! opening it from another session gets "this secret was shown once" (410) and creates
//! nothing, where reloading the `POST`'s own answer used to create another secret.
//!
//! The slots live in the server process: behind a load balancer over several processes, the
//! `GET` must reach the process that served the `POST` (sticky sessions), or it gets the 410.

use super::layout::{self, Nav};
use super::{Dash, DashError, Signed, see_other};
use crate::api::ApiState;
use crate::store::Store;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a secret waits for its `GET` by default (a browser follows the redirect at once;
/// this leaves room for a slow network). `--shown-secret-ttl-secs`.
pub const SLOT_TTL: Duration = Duration::from_secs(300);

/// Most secrets waiting at once by default; the oldest is dropped past it (its `GET` then gets
/// the 410). `--shown-secret-max`.
pub const MAX_SLOTS: usize = 1024;

/// What a secret is: where its page lives in the navigation and where it links back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An agent key (`/keys/shown/{slot}`).
    AgentKey,
    /// An API token (`/tokens/shown/{slot}`).
    ApiToken,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::AgentKey => "/keys/shown/",
            Kind::ApiToken => "/tokens/shown/",
        }
    }

    fn nav(self) -> Nav {
        match self {
            Kind::AgentKey => Nav::Apps,
            Kind::ApiToken => Nav::Tokens,
        }
    }

    fn back(self) -> Markup {
        match self {
            Kind::AgentKey => html! { a href="/apps" { "Back to the applications" } },
            Kind::ApiToken => html! { a href="/tokens" { "Back to the tokens" } },
        }
    }
}

/// The page of a new secret, waiting for its `GET`.
#[derive(Debug)]
pub(crate) struct Shown {
    /// Its `h1`.
    pub(crate) title: &'static str,
    /// Its body (the secret in it).
    pub(crate) body: Markup,
}

#[derive(Debug)]
struct Slot {
    kind: Kind,
    /// SHA-256 of the session id it was made for.
    session: String,
    expires: Instant,
    page: Shown,
}

/// The slots of secrets waiting to be shown (one per server; see the module).
#[derive(Debug)]
pub(crate) struct ShownOnce {
    slots: Mutex<HashMap<String, Slot>>,
    ttl: Duration,
    max: usize,
}

impl Default for ShownOnce {
    fn default() -> Self {
        ShownOnce::new(SLOT_TTL, MAX_SLOTS)
    }
}

impl ShownOnce {
    /// Slots that wait `ttl` at most, `max` (at least 1) at once.
    pub(crate) fn new(ttl: Duration, max: usize) -> ShownOnce {
        ShownOnce {
            slots: Mutex::new(HashMap::new()),
            ttl,
            max: max.max(1),
        }
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, HashMap<String, Slot>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Puts `page` in a new slot for `session`; returns the slot's id (128 random bits, hex).
    pub(crate) fn put(
        &self,
        kind: Kind,
        session: &str,
        page: Shown,
        now: Instant,
    ) -> Result<String, getrandom::Error> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)?;
        let id = hex::encode(bytes);
        let mut slots = self.slots();
        slots.retain(|_, s| s.expires > now);
        while slots.len() >= self.max {
            let oldest = slots
                .iter()
                .min_by_key(|(_, s)| s.expires)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => slots.remove(&k),
                None => break,
            };
        }
        let slot = Slot {
            kind,
            session: crate::keys::hash_key(session),
            expires: now.checked_add(self.ttl).unwrap_or(now),
            page,
        };
        slots.insert(id.clone(), slot);
        Ok(id)
    }

    /// Takes the page of slot `id` if it is `kind`'s, `session`'s and not expired; a slot of
    /// another session stays (only its own session can use it up).
    pub(crate) fn take(&self, kind: Kind, session: &str, id: &str, now: Instant) -> Option<Shown> {
        let mut slots = self.slots();
        let slot = slots.get(id)?;
        if slot.expires <= now {
            slots.remove(id);
            return None;
        }
        if slot.kind != kind || slot.session != crate::keys::hash_key(session) {
            return None;
        }
        slots.remove(id).map(|s| s.page)
    }

    /// How many slots are held (expired ones included until the next `put`).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.slots().len()
    }
}

/// Ends a `POST` that created a secret: its page in a slot for this session, and `303` to the
/// `GET` that shows it.
pub(crate) fn redirect<S>(
    state: &ApiState<S>,
    signed: &Signed,
    kind: Kind,
    page: Shown,
) -> Result<Response, DashError> {
    let slot = state
        .shown
        .put(kind, &signed.id, page, Instant::now())
        .map_err(|e| {
            crate::report(&format!("dashboard: no randomness for a slot: {e}"));
            DashError::Internal
        })?;
    Ok(see_other(&format!("{}{slot}", kind.prefix())))
}

/// `GET /keys/shown/{slot}`.
pub(crate) async fn agent_key<S: Store>(
    dash: Dash<S>,
    Path(slot): Path<String>,
) -> Result<Response, DashError> {
    show(dash, &slot, Kind::AgentKey).await
}

/// `GET /tokens/shown/{slot}`.
pub(crate) async fn api_token<S: Store>(
    dash: Dash<S>,
    Path(slot): Path<String>,
) -> Result<Response, DashError> {
    show(dash, &slot, Kind::ApiToken).await
}

/// The secret's page once (`no-store`), then 410 "this secret was shown once".
async fn show<S: Store>(dash: Dash<S>, slot: &str, kind: Kind) -> Result<Response, DashError> {
    dash.page(async |state, signed| {
        let taken = state.shown.take(kind, &signed.id, slot, Instant::now());
        let mut response = match taken {
            Some(page) => layout::page(page.title, &signed, kind.nav(), page.body).into_response(),
            None => {
                let body = html! {
                    p role="status" { "This secret was shown once and is not shown again: the server keeps only its SHA-256. Nothing new was created." }
                    p { "If it was not copied, create a new one and revoke the old one. " (kind.back()) }
                };
                let page = layout::page("Secret already shown", &signed, kind.nav(), body);
                (StatusCode::GONE, page).into_response()
            }
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        Ok(response)
    })
    .await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn page(text: &str) -> Shown {
        Shown {
            title: "t",
            body: html! { (text) },
        }
    }

    #[test]
    fn a_slot_is_taken_once_by_its_session_and_kind_before_it_expires() {
        let shown = ShownOnce::default();
        let t0 = Instant::now();
        let id = shown.put(Kind::AgentKey, "s1", page("k"), t0).unwrap();
        assert_eq!(id.len(), 32);
        assert!(shown.take(Kind::AgentKey, "s2", &id, t0).is_none());
        assert!(shown.take(Kind::ApiToken, "s1", &id, t0).is_none());
        assert!(shown.take(Kind::AgentKey, "s1", "nope", t0).is_none());
        let got = shown.take(Kind::AgentKey, "s1", &id, t0).unwrap();
        assert_eq!(got.body.into_string(), "k");
        assert!(shown.take(Kind::AgentKey, "s1", &id, t0).is_none(), "once");

        let id = shown.put(Kind::ApiToken, "s1", page("t"), t0).unwrap();
        let late = t0 + SLOT_TTL;
        assert!(shown.take(Kind::ApiToken, "s1", &id, late).is_none());
        assert_eq!(shown.len(), 0, "an expired slot is dropped when met");
    }

    #[test]
    fn slots_are_bounded_oldest_dropped_first() {
        let shown = ShownOnce::default();
        let t0 = Instant::now();
        let first = shown.put(Kind::AgentKey, "s", page("0"), t0).unwrap();
        let mut last = String::new();
        for i in 1..=MAX_SLOTS {
            let at = t0 + Duration::from_millis(u64::try_from(i).unwrap());
            last = shown.put(Kind::AgentKey, "s", page("n"), at).unwrap();
        }
        assert_eq!(shown.len(), MAX_SLOTS);
        let at = t0 + Duration::from_secs(1);
        assert!(shown.take(Kind::AgentKey, "s", &first, at).is_none());
        assert!(shown.take(Kind::AgentKey, "s", &last, at).is_some());
        // Expired slots go at the next put.
        let later = t0 + SLOT_TTL + Duration::from_secs(2);
        shown.put(Kind::AgentKey, "s", page("x"), later).unwrap();
        assert_eq!(shown.len(), 1);
    }

    #[test]
    fn the_limits_are_the_options() {
        let shown = ShownOnce::new(Duration::from_secs(10), 2);
        let t0 = Instant::now();
        let a = shown.put(Kind::AgentKey, "s", page("a"), t0).unwrap();
        let b = shown
            .put(Kind::AgentKey, "s", page("b"), t0 + Duration::from_secs(1))
            .unwrap();
        let c = shown
            .put(Kind::AgentKey, "s", page("c"), t0 + Duration::from_secs(2))
            .unwrap();
        assert_eq!(shown.len(), 2);
        let at = t0 + Duration::from_secs(3);
        assert!(
            shown.take(Kind::AgentKey, "s", &a, at).is_none(),
            "dropped past max"
        );
        assert!(shown.take(Kind::AgentKey, "s", &b, at).is_some());
        let late = t0 + Duration::from_secs(12);
        assert!(
            shown.take(Kind::AgentKey, "s", &c, late).is_none(),
            "expired past ttl"
        );
    }
}
