//! `flood`: too many requests from one client IP on `BRUTE_AND_FLOOD_PATHS`.
//!
//! Every request whose path, percent-decoded once, matches one of the `BRUTE_AND_FLOOD_PATHS`
//! regexes counts for its client IP. The check fires when the IP has sent more than
//! `FLOOD_RATIO` such requests in the last `FLOOD_DELAY` seconds, this one included (pyrasp's
//! `count > ratio`). Every request counts, flagged ones too, so a client over the threshold is
//! flagged on each request until its rate falls back (pyrasp flagged it until its window
//! ended); at level 2 the engine blacklists it on the first one anyway. Not counted: requests
//! without a client IP, on other paths (an empty list counts none), or stopped
//! by an earlier check. The finding's location is `request` and its payload
//! `"<n> requests in <FLOOD_DELAY>s"` (the IP is in the event).
//!
//! pyrasp opened a fixed window at an IP's first request and reset it when it ended, so a burst
//! of twice the ratio straddling the reset passed. Ironward counts in a real sliding window,
//! in the engine's [`StateStore`]: by default the bounded, sharded per-IP table of
//! [`LocalState`](crate::state::LocalState) (which the `brute` check uses too), or a store
//! shared by every worker and host (`SHARED_STATE_URL`).

use super::{Check, CheckId, RequestContext};
use crate::config::Config;
use crate::engine::EngineError;
use crate::pattern::compile_regex_set;
use crate::state::{Counter, StateStore};
use crate::verdict::Finding;
use regex::RegexSet;
use std::sync::Arc;

/// Which paths count.
#[derive(Debug)]
enum Paths {
    /// No pattern: none.
    None,
    /// Every pattern is an anchored literal (`^/`, `^/api/`: the usual configurations):
    /// compared with `starts_with`, which is what the regexes would do, for a fraction of
    /// the cost of a regex search on every request.
    Prefixes(Vec<String>),
    /// Any other set of patterns.
    Regex(RegexSet),
}

impl Paths {
    fn is_match(&self, path: &str) -> bool {
        match self {
            Paths::None => false,
            Paths::Prefixes(p) => p.iter().any(|p| path.starts_with(p.as_str())),
            Paths::Regex(set) => set.is_match(path),
        }
    }
}

/// The literal a pattern matches at the start of the text, when it is `^` followed by
/// characters that stand for themselves in a regex (no escape, class, group, repetition…).
fn literal_prefix(pattern: &str) -> Option<&str> {
    let rest = pattern.strip_prefix('^')?;
    rest.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/_-:@%=,;!~".contains(&b))
        .then_some(rest)
}

/// The `flood` check.
#[derive(Debug)]
pub(crate) struct Flood {
    paths: Paths,
    ratio: u64,
    delay: u64,
    state: Arc<dyn StateStore>,
}

impl Flood {
    pub(crate) fn new(config: &Config, state: Arc<dyn StateStore>) -> Result<Self, EngineError> {
        let paths = compile_regex_set(&config.brute_and_flood_paths).map_err(|source| {
            EngineError::Regex {
                key: "BRUTE_AND_FLOOD_PATHS",
                source,
            }
        })?;
        let prefixes: Option<Vec<String>> = config
            .brute_and_flood_paths
            .iter()
            .map(|p| literal_prefix(p).map(str::to_owned))
            .collect();
        let paths = match (paths, prefixes) {
            (None, _) => Paths::None,
            (Some(_), Some(prefixes)) => Paths::Prefixes(prefixes),
            (Some(set), None) => Paths::Regex(set),
        };
        Ok(Flood {
            paths,
            ratio: config.flood_ratio,
            delay: config.flood_delay,
            state,
        })
    }
}

impl Check for Flood {
    fn id(&self) -> CheckId {
        CheckId::Flood
    }

    fn check_request(&self, ctx: &RequestContext<'_, '_>, findings: &mut Vec<Finding>) {
        let Some(ip) = ctx.client_ip else { return };
        if !self.paths.is_match(ctx.path) {
            return;
        }
        let n = self.state.hit(Counter::Flood, ip, ctx.now_ms);
        if n > self.ratio {
            let payload = format!("{n} requests in {}s", self.delay);
            findings.push(Finding::new(CheckId::Flood, "request", &payload));
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
    use crate::request::Request;
    use crate::verdict::{Action, Verdict};
    use std::net::IpAddr;
    use std::sync::Arc;

    const T0: i64 = 1_800_000_000_000;

    fn ip(n: u32) -> IpAddr {
        IpAddr::V4(std::net::Ipv4Addr::from(n))
    }

    /// An engine running only `flood`, at `level`, with `ratio` requests per `delay` seconds.
    fn engine(ratio: u64, delay: u64, level: Level) -> (Engine, Arc<ManualClock>) {
        let mut c = Config::default();
        for id in CheckId::configurable() {
            c.security_checks.set(id, Level::Off);
        }
        c.security_checks.set(CheckId::Flood, level);
        (c.flood_ratio, c.flood_delay) = (ratio, delay);
        c.brute_and_flood_paths = vec!["^/api/".into()];
        let clock = Arc::new(ManualClock::new(T0));
        let e = Engine::builder(c).clock(clock.clone()).build().unwrap();
        (e, clock)
    }

    fn get(e: &Engine, path: &str, from: u32) -> Verdict {
        e.inspect_request(&Request::new("GET", path).with_peer(ip(from)))
    }

    fn flagged(v: &Verdict) -> bool {
        v.findings.iter().any(|f| f.check == CheckId::Flood)
    }

    fn local(c: &Config) -> Arc<dyn StateStore> {
        Arc::new(crate::state::LocalState::new(c))
    }

    #[test]
    fn the_ratio_passes_and_one_more_fires() {
        let (e, _) = engine(5, 10, Level::Monitor);
        for _ in 0..5 {
            assert!(!flagged(&get(&e, "/api/login", 1)));
        }
        let v = get(&e, "/api/login", 1);
        assert_eq!(v.action, Action::Monitor);
        assert_eq!(v.findings[0].location, "request");
        assert_eq!(v.findings[0].payload, "6 requests in 10s");
        assert!(
            flagged(&get(&e, "/api/login", 1)),
            "still over: flagged again"
        );
        // At level 2 the client is blacklisted on the first request over the ratio.
        let (e, _) = engine(5, 10, Level::BlockBlacklist);
        for _ in 0..5 {
            assert!(!flagged(&get(&e, "/api/x", 1)));
        }
        let last = get(&e, "/api/x", 1);
        assert_eq!(last.action, Action::BlockAndBlacklist);
        assert!(e.blacklist().contains(ip(1), e.now_ms()));
    }

    /// pyrasp's counter: a fixed window opened by the first request, reset once it is over.
    fn pyrasp_flags(times: &[i64], ratio: u64, delay_ms: i64) -> usize {
        let (mut start, mut count, mut flags) = (i64::MIN, 0, 0);
        for &t in times {
            if t > start.saturating_add(delay_ms) {
                (start, count) = (t, 0);
            }
            count += 1;
            flags += usize::from(count > ratio);
        }
        flags
    }

    #[test]
    fn a_burst_straddling_fixed_windows_is_caught() {
        // One request opens pyrasp's window; 9 come just before it ends, 10 just after.
        let mut times = vec![T0];
        times.extend([T0 + 59_900; 9]);
        times.extend([T0 + 60_100; 10]);
        assert_eq!(pyrasp_flags(&times, 10, 60_000), 0, "pyrasp missed it");
        let (e, clock) = engine(10, 60, Level::Monitor);
        let flags: Vec<bool> = times
            .iter()
            .map(|t| {
                clock.set(*t);
                flagged(&get(&e, "/api/x", 1))
            })
            .collect();
        // At T0 + 60.1 s the window holds the 9 and the new ones: the 2nd is the 11th.
        assert_eq!(flags.iter().position(|f| *f), Some(11));
        assert!(flags[11..].iter().all(|f| *f));
    }

    #[test]
    fn steady_rates_slide_and_bursts_recover() {
        let (e, clock) = engine(10, 60, Level::Monitor);
        // One request every 7 s is at most 9 per minute: never flagged.
        for _ in 0..100 {
            assert!(!flagged(&get(&e, "/api/x", 1)));
            clock.advance(7_000);
        }
        // One every 5 s is 12 per minute: caught within the first minute.
        let first = (0..30).position(|_| {
            clock.advance(5_000);
            flagged(&get(&e, "/api/x", 1))
        });
        assert!(first.is_some_and(|i| i < 12), "{first:?}");
        // A burst is forgotten one window (plus one eighth) later.
        let (e, clock) = engine(5, 60, Level::Monitor);
        assert!((0..6).map(|_| get(&e, "/api/x", 1)).any(|v| flagged(&v)));
        clock.advance(30_000);
        assert!(flagged(&get(&e, "/api/x", 1)), "still inside the window");
        clock.advance(30_000 + 7_500);
        assert!(!flagged(&get(&e, "/api/x", 1)));
        assert!(!flagged(&get(&e, "/api/x", 1)));
    }

    #[test]
    fn only_matching_paths_and_known_clients_count_per_ip() {
        let (e, _) = engine(5, 60, Level::Monitor);
        for _ in 0..20 {
            assert!(!flagged(&get(&e, "/static/app.js", 1)));
            let anonymous = e.inspect_request(&Request::new("GET", "/api/x"));
            assert!(anonymous.client_ip.is_none() && !flagged(&anonymous));
        }
        // The path is matched once percent-decoded: `/%61pi/` is `/api/`.
        for _ in 0..5 {
            assert!(!flagged(&get(&e, "/%61pi/x", 1)));
        }
        assert!(flagged(&get(&e, "/api/x", 1)));
        assert!(
            !flagged(&get(&e, "/api/x", 2)),
            "another IP has its own count"
        );
    }

    #[test]
    fn reset_forgets_the_counts() {
        let (e, _) = engine(3, 60, Level::Block);
        assert!((0..4).map(|_| get(&e, "/api/x", 1)).any(|v| flagged(&v)));
        e.reset_state();
        assert!(!flagged(&get(&e, "/api/x", 1)));
    }

    #[test]
    fn literal_prefixes_match_as_their_regexes_do() {
        assert_eq!(literal_prefix("^/"), Some("/"));
        assert_eq!(literal_prefix("^/api/v1-x"), Some("/api/v1-x"));
        assert_eq!(literal_prefix("^"), Some(""));
        for not_literal in [
            "/api", "^/a.b", "^/a\\d", "^/(a|b)", "^/a+", "^/a$", "^/[a]",
        ] {
            assert_eq!(literal_prefix(not_literal), None, "{not_literal}");
        }
        let paths = ["/", "/api/x", "/API/x", "/apix", "", "x/api/", "/é/api"];
        for pattern in ["^/", "^/api/", "^/api", "^"] {
            let set = RegexSet::new([pattern]).unwrap();
            let prefix = Paths::Prefixes(vec![literal_prefix(pattern).unwrap().to_owned()]);
            for p in paths {
                assert_eq!(prefix.is_match(p), set.is_match(p), "{pattern} on {p}");
            }
        }
        // A mixed list falls back to the regexes.
        let mut c = Config::default();
        c.brute_and_flood_paths = vec!["^/api/".into(), "/login$".into()];
        assert!(matches!(
            Flood::new(&c, local(&c)).unwrap().paths,
            Paths::Regex(_)
        ));
        c.brute_and_flood_paths = vec!["^/api/".into(), "^/auth".into()];
        assert!(matches!(
            Flood::new(&c, local(&c)).unwrap().paths,
            Paths::Prefixes(_)
        ));
        c.brute_and_flood_paths = Vec::new();
        assert!(matches!(
            Flood::new(&c, local(&c)).unwrap().paths,
            Paths::None
        ));
    }

    #[test]
    fn a_ratio_of_zero_flags_every_request() {
        let (e, _) = engine(0, 0, Level::Block);
        assert!(flagged(&get(&e, "/api/x", 1)));
    }
}
