//! `bots`: automated clients recognised from the shape of their request headers.
//!
//! The check computes the request's [`iw1` fingerprint](fingerprint) (our own design, not
//! JA4H) in one pass over the headers, then applies the rules below; the first that holds is
//! reported. Location = the rule's name; payload = the fingerprint's readable part
//! (`iw1_ge11nn030000`), or the whole fingerprint with its three hashes when
//! `LOG_JA4H_FINGERPRINT` is on (the cookie-pair hash identifies a session, so logging it is
//! opted into, as pyrasp's key does).
//!
//! | rule | fires when | pyrasp's |
//! |---|---|---|
//! | `http10` | HTTP/1.0 or 0.9, unless the request came through a trusted proxy (the version is then the proxy's hop: nginx speaks 1.0 to its upstream by default) | 4 |
//! | `cookie_malformed` | a Cookie header is present but holds no `name=value` pair (empty, or only nameless crumbs) | 6 (and 7, which our computation cannot produce) |
//! | `too_many_headers` | more than [`MAX_HEADERS`] header fields (Cookie and Referer left out) | 8, at ≥ 20, which flags 3.7 % of real browser requests |
//! | `headless` | the User-Agent names a headless browser (`HeadlessChrome`, `PhantomJS`, `SlimerJS`): Puppeteer's and Playwright's defaults | – |
//! | `no_user_agent` | no User-Agent header, or an empty one: every browser sends one | – |
//! | `scripted` | no Cookie, no Referer, no language (`Accept-Language` absent or `*`), no fetch metadata, and at most [`SCRIPTED_MAX_HEADERS`] headers: the default shape of curl, Wget, python-requests, urllib, Go's and Node's HTTP clients | 1 |
//! | `few_headers` | at most [`FEW_HEADERS`] headers and no fetch metadata | 2 |
//! | `h2_few_headers` | HTTP/2 or 3 with at most [`H2_FEW_HEADERS`] headers and no fetch metadata | 3 |
//!
//! *Fetch metadata* means the three `Sec-Fetch-Site`, `Sec-Fetch-Mode` and `Sec-Fetch-Dest`
//! headers, which every current browser adds (to secure origins) and a page's scripts cannot
//! set; Chrome's own background requests (updates, variations) carry them without a language
//! or cookie, which pyrasp's rule 1 flagged. pyrasp's rule 5 (a POST without cookie and
//! referer) is disabled in pyrasp itself and is not kept.
//!
//! A User-Agent containing one of `BOTS_ALLOWED_AGENTS` (case-insensitive substrings: load
//! balancer and orchestrator health checks, uptime monitors) is never flagged. The list is
//! looked at only once a rule has fired, so it costs nothing on the requests that pass. Like
//! every rule here it trusts what the client says: a client that fakes a browser's headers, or
//! an allowed agent's name, is not caught. The check is aimed at default-setting tools.

mod fingerprint;

pub use fingerprint::{FingerprintText, fingerprint};

use super::{Check, CheckId, RequestContext};
use crate::config::Config;
use crate::verdict::Finding;
use fingerprint::Shape;

/// More header fields than this (Cookie and Referer left out) is flagged. The 100-site browser
/// corpus has at most 37 fields in a request; servers refuse around 100 (hyper 100, actix 96).
pub(crate) const MAX_HEADERS: usize = 48;

/// Largest header count of the `scripted` shape.
pub(crate) const SCRIPTED_MAX_HEADERS: usize = 8;

/// Largest header count of the `few_headers` shape.
pub(crate) const FEW_HEADERS: usize = 4;

/// Largest header count of the `h2_few_headers` shape (HTTP/2 carries the host in
/// `:authority`, not in a header).
pub(crate) const H2_FEW_HEADERS: usize = 6;

/// User-Agent tokens of headless browsers.
const HEADLESS_TOKENS: [&str; 3] = ["headlesschrome", "phantomjs", "slimerjs"];

/// The bot-detection check.
#[derive(Debug)]
pub(crate) struct Bots {
    /// `BOTS_ALLOWED_AGENTS`, lowercased, empty entries dropped.
    allowed: Vec<String>,
    /// `LOG_JA4H_FINGERPRINT`: the whole fingerprint in the payload.
    log_fingerprint: bool,
}

/// Case-insensitive substring test; `needle` is lowercase ASCII (or any lowercase UTF-8).
fn contains_ci(haystack: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    !n.is_empty()
        && haystack.len() >= n.len()
        && haystack.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

impl Bots {
    pub(crate) fn new(config: &Config) -> Self {
        Bots {
            allowed: config
                .bots_allowed_agents
                .iter()
                .map(|a| a.trim().to_lowercase())
                .filter(|a| !a.is_empty())
                .collect(),
            log_fingerprint: config.log_ja4h_fingerprint,
        }
    }

    fn allowed(&self, shape: &Shape<'_>) -> bool {
        shape
            .user_agent
            .is_some_and(|ua| self.allowed.iter().any(|a| contains_ci(ua, a)))
    }
}

/// The first rule that `shape` breaks, by name. `proxied` is true when the request came
/// through a trusted proxy.
pub(crate) fn rule(shape: &Shape<'_>, proxied: bool) -> Option<&'static str> {
    let version = shape.version_tenths();
    let ua = shape.user_agent.unwrap_or_default();
    let browser_like = shape.fetch_metadata;
    if (version == 9 || version == 10) && !proxied {
        Some("http10")
    } else if shape.cookie && shape.cookie_count == 0 {
        Some("cookie_malformed")
    } else if shape.count > MAX_HEADERS {
        Some("too_many_headers")
    } else if HEADLESS_TOKENS.iter().any(|t| contains_ci(ua, t)) {
        Some("headless")
    } else if ua.iter().all(u8::is_ascii_whitespace) {
        Some("no_user_agent")
    } else if !shape.cookie
        && !shape.referer
        && shape.no_language()
        && !browser_like
        && shape.count <= SCRIPTED_MAX_HEADERS
    {
        Some("scripted")
    } else if !browser_like && shape.count <= FEW_HEADERS {
        Some("few_headers")
    } else if !browser_like && version >= 20 && shape.count <= H2_FEW_HEADERS {
        Some("h2_few_headers")
    } else {
        None
    }
}

impl Check for Bots {
    fn id(&self) -> CheckId {
        CheckId::Bots
    }

    fn check_request(&self, ctx: &RequestContext<'_, '_>, findings: &mut Vec<Finding>) {
        let shape = Shape::of(ctx.request);
        // The client address differs from the TCP peer only when a trusted proxy forwarded
        // the request.
        let proxied = ctx.client_ip.is_some() && ctx.client_ip != ctx.request.peer_ip;
        let Some(rule) = rule(&shape, proxied) else {
            return;
        };
        if self.allowed(&shape) {
            return;
        }
        let text = shape.text();
        let payload = if self.log_fingerprint {
            text.as_str()
        } else {
            text.summary()
        };
        findings.push(Finding::new(CheckId::Bots, rule, payload).with_engine("shape"));
    }
}

#[cfg(test)]
mod tests;
