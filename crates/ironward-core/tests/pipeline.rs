//! The engine pipeline end to end: IP policy, blacklist, ignored paths, exceptions, levels,
//! monitor mode, fail-open, events.

use ironward_core::check::{Check, CheckId, RequestContext, ResponseContext};
use ironward_core::clock::ManualClock;
use ironward_core::config::{Config, Level, MatchKind, PatternRule};
use ironward_core::engine::Engine;
use ironward_core::request::{Headers, Request, Response};
use ironward_core::verdict::{Action, Finding, Skipped};
use std::net::IpAddr;
use std::sync::Arc;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn engine_with(config: Config) -> (Engine, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(1_800_000_000_000));
    let engine = Engine::builder(config)
        .clock(clock.clone())
        .build()
        .unwrap();
    (engine, clock)
}

/// A test check that flags any query value containing "EVIL" (as SQLi, for its level).
#[derive(Debug)]
struct Evil(CheckId);

impl Check for Evil {
    fn id(&self) -> CheckId {
        self.0
    }
    fn check_request(&self, ctx: &RequestContext<'_, '_>, findings: &mut Vec<Finding>) {
        if ctx.request.query.contains("EVIL") {
            findings.push(Finding::new(self.0, "qs_values", "EVIL"));
        }
    }
}

/// A test check with a bug.
#[derive(Debug)]
struct Buggy;

impl Check for Buggy {
    fn id(&self) -> CheckId {
        CheckId::Xss
    }
    fn check_request(&self, _: &RequestContext<'_, '_>, _: &mut Vec<Finding>) {
        panic!("detector bug");
    }
}

/// Flags every response with status 500.
#[derive(Debug)]
struct Oops;

impl Check for Oops {
    fn id(&self) -> CheckId {
        CheckId::Dlp
    }
    fn check_response(&self, ctx: &ResponseContext<'_, '_>, findings: &mut Vec<Finding>) {
        if ctx.response.status == 500 {
            findings.push(Finding::new(CheckId::Dlp, "response", "stack trace"));
        }
    }
}

#[test]
fn benign_request_is_allowed_without_findings() {
    let (engine, _) = engine_with(Config::default());
    let h: Headers<'_> = [("Host", "example.com"), ("User-Agent", "Mozilla/5.0")]
        .into_iter()
        .collect();
    let req = Request::new("GET", "/products?page=2&sort=price")
        .with_headers(h)
        .with_peer(ip("198.51.100.7"));
    let v = engine.inspect_request(&req);
    assert_eq!(v.action, Action::Allow);
    assert!(v.findings.is_empty());
    assert!(v.response.is_none());
    assert_eq!(v.client_ip, Some(ip("198.51.100.7")));
}

#[test]
fn decoy_blacklists_then_blacklist_expires() {
    let (engine, clock) = engine_with(Config::default());
    let attacker = ip("203.0.113.5");
    let v = engine.inspect_request(&Request::new("GET", "/.git/config").with_peer(attacker));
    assert_eq!(v.action, Action::BlockAndBlacklist);
    assert_eq!(v.blocking_finding().map(|f| f.check), Some(CheckId::Decoy));

    let next = engine.inspect_request(&Request::new("GET", "/").with_peer(attacker));
    assert!(next.is_blocked());
    assert_eq!(next.findings[0].check, CheckId::Blacklist);
    assert_eq!(next.findings[0].location, "source_ip");

    clock.advance(3_600 * 1000 - 1);
    assert!(
        engine
            .inspect_request(&Request::new("GET", "/").with_peer(attacker))
            .is_blocked()
    );
    clock.advance(1);
    assert_eq!(
        engine
            .inspect_request(&Request::new("GET", "/").with_peer(attacker))
            .action,
        Action::Allow
    );
}

#[test]
fn level_one_blocks_without_blacklisting() {
    let mut c = Config::default();
    c.security_checks.set(CheckId::Decoy, Level::Block);
    let (engine, _) = engine_with(c);
    let a = ip("203.0.113.5");
    assert_eq!(
        engine
            .inspect_request(&Request::new("GET", "/.env").with_peer(a))
            .action,
        Action::Block
    );
    assert_eq!(
        engine
            .inspect_request(&Request::new("GET", "/").with_peer(a))
            .action,
        Action::Allow
    );
    assert!(engine.blacklist().is_empty());
}

#[test]
fn blacklist_override_and_response_content() {
    let mut c = Config::default();
    c.blacklist_status_code = 429;
    c.blacklist_action_content = "Go away".into();
    let (engine, _) = engine_with(c.clone());
    let v = engine.inspect_request(&Request::new("GET", "/.env").with_peer(ip("203.0.113.5")));
    let r = v.response.unwrap();
    assert_eq!((r.status, r.content.as_str()), (429, "Go away"));

    c.blacklist_override = true;
    let (engine, _) = engine_with(c);
    let v = engine.inspect_request(&Request::new("GET", "/.env").with_peer(ip("203.0.113.5")));
    assert!(v.is_blocked());
    assert_eq!(
        v.response.unwrap().status,
        403,
        "override uses the BLOCK_* response"
    );
    assert!(engine.blacklist().is_empty());
}

#[test]
fn whitelist_is_cidr_and_skips_everything() {
    let mut c = Config::default();
    c.whitelist = vec!["10.1.0.0/16".parse().unwrap()];
    let (engine, _) = engine_with(c);
    let v = engine.inspect_request(&Request::new("GET", "/.env").with_peer(ip("10.1.2.3")));
    assert_eq!(v.skipped, Some(Skipped::Whitelisted));
    assert_eq!(v.action, Action::Allow);
    // A string prefix match would have let 10.10.x.x through.
    let v = engine.inspect_request(&Request::new("GET", "/.env").with_peer(ip("10.10.2.3")));
    assert!(v.is_blocked());
}

#[test]
fn ignore_paths_skip_the_checks_but_not_the_blacklist() {
    let mut c = Config::default();
    c.decoy_routes.push(PatternRule {
        pattern: "/robots.txt".into(),
        kind: MatchKind::Match,
    });
    let (engine, _) = engine_with(c);
    let a = ip("203.0.113.9");
    let v = engine.inspect_request(&Request::new("GET", "/robots.txt").with_peer(a));
    assert_eq!(v.skipped, Some(Skipped::IgnoredPath));
    assert!(!v.is_blocked());
    engine.inspect_request(&Request::new("GET", "/.env").with_peer(a));
    assert!(
        engine
            .inspect_request(&Request::new("GET", "/robots.txt").with_peer(a))
            .is_blocked()
    );
}

#[test]
fn forwarded_headers_only_count_from_trusted_proxies() {
    let mut c = Config::default();
    c.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()];
    let (engine, _) = engine_with(c);
    let h: Headers<'_> = [("X-Forwarded-For", "198.51.100.23")].into_iter().collect();
    // Through our proxy: the forwarded client is blacklisted, not the proxy.
    let v = engine.inspect_request(
        &Request::new("GET", "/.env")
            .with_peer(ip("10.0.0.1"))
            .with_headers(h.clone()),
    );
    assert_eq!(v.client_ip, Some(ip("198.51.100.23")));
    assert!(
        engine
            .blacklist()
            .contains(ip("198.51.100.23"), engine.now_ms())
    );
    assert!(!engine.blacklist().contains(ip("10.0.0.1"), engine.now_ms()));
    // Directly from the internet: the header is ignored, so rotating it does not help.
    let v = engine.inspect_request(
        &Request::new("GET", "/")
            .with_peer(ip("203.0.113.80"))
            .with_headers(h),
    );
    assert_eq!(v.client_ip, Some(ip("203.0.113.80")));
}

#[test]
fn monitor_findings_do_not_stop_the_pipeline() {
    let mut c = Config::default();
    c.security_checks.set(CheckId::Decoy, Level::Monitor);
    c.security_checks.set(CheckId::Sqli, Level::Block);
    let engine = Engine::builder(c)
        .add_check(Box::new(Evil(CheckId::Sqli)))
        .build()
        .unwrap();
    let v =
        engine.inspect_request(&Request::new("GET", "/.env?x=EVIL").with_peer(ip("203.0.113.1")));
    assert_eq!(v.findings.len(), 2, "{:?}", v.findings);
    assert_eq!(v.findings[0].action(), Action::Monitor);
    assert_eq!(v.findings[1].check, CheckId::Sqli);
    assert_eq!(v.action, Action::Block);

    let v = engine.inspect_request(&Request::new("GET", "/.env").with_peer(ip("203.0.113.1")));
    assert_eq!(v.action, Action::Monitor);
    assert!(v.response.is_none());
}

#[test]
fn disabled_checks_never_run() {
    let mut c = Config::default();
    c.security_checks.set(CheckId::Xss, Level::Off);
    let engine = Engine::builder(c)
        .add_check(Box::new(Buggy))
        .build()
        .unwrap();
    assert!(!engine.checks().any(|id| id == CheckId::Xss));
    assert_eq!(
        engine.inspect_request(&Request::new("GET", "/")).action,
        Action::Allow
    );
}

#[test]
fn a_panicking_check_fails_open_or_closed() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let engine = Engine::builder(Config::default())
        .add_check(Box::new(Buggy))
        .build()
        .unwrap();
    let open = engine.inspect_request(&Request::new("GET", "/"));
    let mut c = Config::default();
    c.fail_open = false;
    let engine = Engine::builder(c)
        .add_check(Box::new(Buggy))
        .build()
        .unwrap();
    let closed = engine.inspect_request(&Request::new("GET", "/"));
    std::panic::set_hook(prev);

    assert_eq!(open.action, Action::Allow);
    assert_eq!(open.internal_error.as_deref(), Some("detector bug"));
    assert!(closed.is_blocked());
    assert_eq!(closed.response.unwrap().status, 403);
}

#[test]
fn responses_are_inspected_and_level_two_blacklists() {
    let mut c = Config::default();
    c.security_checks.set(CheckId::Dlp, Level::BlockBlacklist);
    let engine = Engine::builder(c)
        .add_check(Box::new(Oops))
        .build()
        .unwrap();
    let req = Request::new("GET", "/report").with_peer(ip("198.51.100.3"));
    let inbound = engine.inspect_request(&req);
    let ok = engine.inspect_response(&req, &inbound, &Response::new(200));
    assert_eq!(ok.action, Action::Allow);
    let leak = engine.inspect_response(&req, &inbound, &Response::new(500));
    assert_eq!(leak.action, Action::BlockAndBlacklist);
    assert!(engine.inspect_request(&req).is_blocked());
}

#[test]
fn whitelisted_requests_skip_response_checks_too() {
    let mut c = Config::default();
    c.security_checks.set(CheckId::Dlp, Level::Block);
    c.whitelist = vec!["198.51.100.0/24".parse().unwrap()];
    let engine = Engine::builder(c)
        .add_check(Box::new(Oops))
        .build()
        .unwrap();
    let req = Request::new("GET", "/").with_peer(ip("198.51.100.3"));
    let inbound = engine.inspect_request(&req);
    let v = engine.inspect_response(&req, &inbound, &Response::new(500));
    assert_eq!(v.action, Action::Allow);
    assert_eq!(v.skipped, Some(Skipped::Whitelisted));
}

#[test]
fn spoofing_and_forbidden_headers() {
    let mut c = Config::default();
    c.hosts = vec!["shop.example".into()];
    c.security_checks.set(CheckId::Spoofing, Level::Block);
    c.forbidden_headers = vec!["x-original-url".into()];
    c.security_checks.set(CheckId::Headers, Level::Block);
    let (engine, _) = engine_with(c);
    let ok: Headers<'_> = [("Host", "shop.example:443")].into_iter().collect();
    assert_eq!(
        engine
            .inspect_request(&Request::new("GET", "/").with_headers(ok))
            .action,
        Action::Allow
    );
    let bad: Headers<'_> = [("Host", "evil.example")].into_iter().collect();
    let v = engine.inspect_request(&Request::new("GET", "/").with_headers(bad));
    assert_eq!(
        v.blocking_finding().map(|f| (f.check, f.payload.as_str())),
        Some((CheckId::Spoofing, "evil.example"))
    );
    let fh: Headers<'_> = [("Host", "shop.example"), ("X-Original-URL", "/admin")]
        .into_iter()
        .collect();
    let v = engine.inspect_request(&Request::new("GET", "/").with_headers(fh));
    assert_eq!(
        v.blocking_finding().map(|f| f.check),
        Some(CheckId::Headers)
    );
}

#[test]
fn events_carry_codes_and_context() {
    let (engine, _) = engine_with(Config::default());
    let req = Request::new("GET", "/.env").with_peer(ip("203.0.113.5"));
    let v = engine.inspect_request(&req);
    let events = engine.events(&req, &v);
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e.check, CheckId::Decoy);
    assert_eq!(e.codes, ["T1595.003", "PCB004", "IW004"]);
    assert_eq!(e.level, 2);
    assert_eq!(e.path, "/.env");
    assert_eq!(e.time, "2027-01-15T08:00:00.000Z");
}

#[test]
fn engine_is_shared_across_threads() {
    let engine = Arc::new(Engine::new(Config::default()).unwrap());
    let handles: Vec<_> = (0..4u8)
        .map(|t| {
            let e = engine.clone();
            std::thread::spawn(move || {
                for n in 0..200u8 {
                    let peer = IpAddr::from([198, 51, t, n]);
                    let path = if n % 10 == 0 { "/.env" } else { "/ok" };
                    let v = e.inspect_request(&Request::new("GET", path).with_peer(peer));
                    assert_eq!(v.is_blocked(), n % 10 == 0);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(engine.blacklist().len(), 80);
}

#[test]
fn server_header_follows_change_server() {
    let (engine, _) = engine_with(Config::default());
    assert_eq!(engine.server_header(), Some("Apache"));
    let mut c = Config::default();
    c.change_server = false;
    let (engine, _) = engine_with(c);
    assert_eq!(engine.server_header(), None);
}

#[test]
fn streamed_responses_are_scanned_across_chunks() {
    let mut c = Config::default();
    c.dlp_cc_numbers = true;
    c.security_checks.set(CheckId::Dlp, Level::BlockBlacklist);
    let (engine, _) = engine_with(c);
    let req = Request::new("GET", "/export").with_peer(ip("198.51.100.77"));
    let inbound = engine.inspect_request(&req);
    let headers: Headers<'_> = [("Content-Type", "text/event-stream; charset=utf-8")]
        .into_iter()
        .collect();
    let resp = Response::new(200).with_headers(headers);
    // text/event-stream is text/*: inspected.
    let mut stream = engine.dlp_stream(&inbound, &resp).expect("DLP applies");
    let mut found = None;
    for chunk in [
        "data: order 12 paid with 4111 1111",
        " 1111 1111 ok\n\n",
        "data: done\n\n",
    ] {
        if let Some(f) = stream.push(chunk.as_bytes()) {
            found = Some(f);
            break;
        }
    }
    let finding = found
        .or_else(|| stream.finish())
        .expect("the card split across chunks is found");
    assert_eq!(finding.check, CheckId::Dlp);
    assert_eq!(
        finding.payload, "Credit Card",
        "the label, not the number, by default"
    );
    let v = engine.stream_verdict(&inbound, finding);
    assert_eq!(v.action, Action::BlockAndBlacklist);
    assert!(
        engine.inspect_request(&req).is_blocked(),
        "the receiving client is blacklisted"
    );

    // Off, or for a skipped request: no scanner.
    let (engine, _) = engine_with(Config::default());
    assert!(engine.dlp_stream(&inbound, &resp).is_none());
}
