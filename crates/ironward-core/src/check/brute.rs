//! `brute`: too many error responses (and inbound route, host, header, format and method hits)
//! for one client IP.
//!
//! ## Rule
//! Each response counts once for its client IP when its status is 400 or more (on any path,
//! not only `BRUTE_AND_FLOOD_PATHS`), or when the request's inbound verdict holds a `path`,
//! `spoofing`, `headers`, `format` or `method` finding (pyrasp's `BRUTE_FORCE_ATTACKS`, plus
//! `method`, which pyrasp never implemented) at any level — so a probe the application answers
//! 200 to while those checks only monitor still counts. The check fires when the IP has more
//! than `ERROR_FLOOD_RATIO` such responses in the last `ERROR_FLOOD_DELAY` seconds, this one
//! included. Its finding's location is `response` and its payload
//! `"<n> errors in <ERROR_FLOOD_DELAY>s"`.
//!
//! The check runs only on the response side, so a request is counted once however many
//! reasons it has: a request the engine blocked comes back through `inspect_response` with the
//! block response's status and is counted then, once. Not counted: responses without a client
//! IP, whitelisted clients and ignored paths (the engine skips them), and requests refused
//! because the client is already blacklisted — those are not new errors, and counting them
//! would let `brute` extend a blacklist entry, which the engine promises never happens.
//!
//! Counting uses the same sliding window as `flood`, in the engine's [`StateStore`] (see
//! `state/rate.rs` for the algorithm, its accuracy and its memory bound): a separate counter,
//! in this process (sized by `RATE_TABLE_MAX_SIZE`) or shared (`SHARED_STATE_URL`).
//! [`Engine::reset_state`](crate::Engine::reset_state) forgets every IP.

use super::{Check, CheckId, ResponseContext};
use crate::config::Config;
use crate::engine::EngineError;
use crate::state::{Counter, StateStore};
use crate::verdict::Finding;
use std::sync::Arc;

/// Inbound findings that count as a failed attempt, whatever the response status.
const BRUTE_FORCE_ATTACKS: [CheckId; 5] = [
    CheckId::Path,
    CheckId::Spoofing,
    CheckId::Headers,
    CheckId::Format,
    CheckId::Method,
];

/// The `brute` check.
#[derive(Debug)]
pub(crate) struct Brute {
    ratio: u64,
    delay: u64,
    state: Arc<dyn StateStore>,
}

impl Brute {
    pub(crate) fn new(config: &Config, state: Arc<dyn StateStore>) -> Result<Self, EngineError> {
        Ok(Brute {
            ratio: config.error_flood_ratio,
            delay: config.error_flood_delay,
            state,
        })
    }
}

/// True when the response counts as a failed attempt.
fn counts(ctx: &ResponseContext<'_, '_>) -> bool {
    let inbound = &ctx.inbound.findings;
    if inbound.iter().any(|f| f.check == CheckId::Blacklist) {
        return false;
    }
    ctx.response.status >= 400
        || inbound
            .iter()
            .any(|f| BRUTE_FORCE_ATTACKS.contains(&f.check))
}

impl Check for Brute {
    fn id(&self) -> CheckId {
        CheckId::Brute
    }

    fn check_response(&self, ctx: &ResponseContext<'_, '_>, findings: &mut Vec<Finding>) {
        let Some(ip) = ctx.client_ip else { return };
        if !counts(ctx) {
            return;
        }
        let n = self.state.hit(Counter::Brute, ip, ctx.now_ms);
        if n > self.ratio {
            let payload = format!("{n} errors in {}s", self.delay);
            findings.push(Finding::new(CheckId::Brute, "response", &payload));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::config::Level;
    use crate::engine::Engine;
    use crate::request::{Request, Response};
    use crate::verdict::{Action, Verdict};
    use std::net::IpAddr;
    use std::sync::Arc;

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, n])
    }

    /// An engine running only `brute` (at `level`) and `flood`, with `ratio` errors per 10 s.
    fn engine(ratio: u64, level: Level) -> (Engine, Arc<ManualClock>) {
        let mut c = Config::default();
        for id in CheckId::configurable() {
            c.security_checks.set(id, Level::Off);
        }
        c.security_checks.set(CheckId::Brute, level);
        c.security_checks.set(CheckId::Flood, Level::Block);
        (c.error_flood_ratio, c.error_flood_delay) = (ratio, 10);
        (c.flood_ratio, c.flood_delay) = (2, 60);
        let clock = Arc::new(ManualClock::new(1_800_000_000_000));
        let e = Engine::builder(c).clock(clock.clone()).build().unwrap();
        (e, clock)
    }

    /// A request from `from` and its response with `status`; the outbound verdict.
    fn exchange(e: &Engine, from: u8, status: u16) -> Verdict {
        let req = Request::new("GET", "/login").with_peer(ip(from));
        let inbound = e.inspect_request(&req);
        e.inspect_response(&req, &inbound, &Response::new(status))
    }

    /// A response to a request whose inbound verdict holds `findings`.
    fn after(e: &Engine, findings: &[CheckId], status: u16) -> Verdict {
        let inbound = Verdict {
            client_ip: Some(ip(1)),
            findings: findings.iter().map(|c| Finding::new(*c, "x", "")).collect(),
            ..Verdict::default()
        };
        e.inspect_response(&Request::new("GET", "/"), &inbound, &Response::new(status))
    }

    fn flagged(v: &Verdict) -> bool {
        v.findings.iter().any(|f| f.check == CheckId::Brute)
    }

    #[test]
    fn response_needed_says_when_a_response_can_matter() {
        let clean = Verdict::default();
        let hit = Verdict {
            findings: vec![Finding::new(CheckId::Path, "x", "")],
            ..Verdict::default()
        };
        let (e, _) = engine(3, Level::Monitor);
        assert!(!e.response_needed(&clean, 200));
        assert!(!e.response_needed(&clean, 399));
        assert!(e.response_needed(&clean, 400));
        assert!(e.response_needed(&hit, 200), "inbound findings count");
        let skipped = Verdict {
            skipped: Some(crate::verdict::Skipped::Whitelisted),
            ..Verdict::default()
        };
        assert!(!e.response_needed(&skipped, 500));
        let (off, _) = engine(3, Level::Off);
        assert!(!off.response_needed(&hit, 500), "brute and dlp off");
        let mut c = Config::default();
        c.security_checks.set(CheckId::Dlp, Level::Block);
        assert!(Engine::new(c).unwrap().response_needed(&clean, 200));
    }

    #[test]
    fn errors_count_and_successes_do_not() {
        let (e, _) = engine(3, Level::Monitor);
        for status in [200, 204, 301, 302, 304, 399] {
            assert!(!flagged(&exchange(&e, 1, status)));
        }
        for status in [400, 404, 401] {
            assert!(!flagged(&exchange(&e, 1, status)), "{status}");
        }
        let v = exchange(&e, 1, 500);
        assert_eq!(v.action, Action::Monitor);
        assert_eq!(v.findings[0].location, "response");
        assert_eq!(v.findings[0].payload, "4 errors in 10s");
        assert!(
            !flagged(&exchange(&e, 2, 404)),
            "another IP has its own count"
        );
    }

    #[test]
    fn inbound_hits_count_once_even_with_an_error_status() {
        let (e, _) = engine(2, Level::Monitor);
        // A route miss answered 404 and a host mismatch answered 200 (monitored): one each.
        assert!(!flagged(&after(&e, &[CheckId::Path], 404)));
        assert!(!flagged(&after(
            &e,
            &[CheckId::Spoofing, CheckId::Headers],
            200
        )));
        assert!(flagged(&after(&e, &[CheckId::Method], 200)));
        let (e, _) = engine(2, Level::Monitor);
        for c in [CheckId::Format, CheckId::Headers] {
            assert!(!flagged(&after(&e, &[c], 200)));
        }
        // Other inbound findings need an error status.
        assert!(!flagged(&after(&e, &[CheckId::Sqli], 200)));
        assert!(flagged(&after(&e, &[CheckId::Sqli], 403)));
    }

    #[test]
    fn blocked_requests_count_once_and_blacklisted_ones_not_at_all() {
        let (e, _) = engine(3, Level::BlockBlacklist);
        // Flood blocks the 3rd request (403 response); each exchange is one error.
        for n in 1..=4 {
            let v = exchange(&e, 1, if n < 3 { 404 } else { 403 });
            assert_eq!(flagged(&v), n == 4, "{n}");
        }
        assert!(e.blacklist().contains(ip(1), e.now_ms()));
        let (e, _) = engine(1, Level::BlockBlacklist);
        assert!(!flagged(&after(&e, &[CheckId::Blacklist], 403)));
        assert!(!flagged(&after(&e, &[CheckId::Blacklist], 403)));
        assert!(!flagged(&after(&e, &[], 403)));
        assert!(flagged(&after(&e, &[], 403)));
    }

    #[test]
    fn the_window_slides_and_reset_forgets() {
        let (e, clock) = engine(3, Level::Monitor);
        for _ in 0..3 {
            assert!(!flagged(&exchange(&e, 1, 404)));
        }
        clock.advance(10_000 + 1_250);
        for _ in 0..3 {
            assert!(!flagged(&exchange(&e, 1, 404)), "the first three have left");
        }
        assert!(flagged(&exchange(&e, 1, 404)));
        e.reset_state();
        assert!(!flagged(&exchange(&e, 1, 404)));
        // No client IP, no count.
        let (e, _) = engine(0, Level::Monitor);
        let req = Request::new("GET", "/");
        let inbound = e.inspect_request(&req);
        assert!(!flagged(&e.inspect_response(
            &req,
            &inbound,
            &Response::new(500)
        )));
    }
}
