//! What the engine counts, and the frozen Prometheus text.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::check::{Check, RequestContext};
use crate::config::{Config, Level};
use crate::engine::Engine;
use crate::mcp::{McpSide, ToolCall};
use crate::request::{Request, Response};
use crate::sink::{Dialect, Operation, SinkRequest};
use crate::verdict::Finding;
use std::sync::Arc;

fn peer(ip: &str) -> std::net::IpAddr {
    ip.parse().unwrap()
}

#[test]
fn enums_index_the_arrays_in_order() {
    for (i, c) in CheckId::ALL.into_iter().enumerate() {
        assert_eq!(c as usize, i, "{c}");
    }
    assert!(
        CheckId::ALL.len() <= 32,
        "the per-verdict check set is a u32"
    );
    for (i, a) in ACTIONS_ALL.into_iter().enumerate() {
        assert_eq!(a as usize, i);
    }
    for (i, p) in Phase::ALL.into_iter().enumerate() {
        assert_eq!(p as usize, i);
    }
    for (i, r) in DropReason::ALL.into_iter().enumerate() {
        assert_eq!(r as usize, i);
    }
    for (i, s) in SKIPPED_ALL.into_iter().enumerate() {
        assert_eq!(s as usize, i);
    }
}

#[test]
fn bucket_bounds_are_inclusive() {
    assert_eq!(bucket(0), 0);
    assert_eq!(bucket(2_500), 0);
    assert_eq!(bucket(2_501), 1);
    assert_eq!(bucket(500_000_000), DURATION_BUCKETS_NS.len() - 1);
    assert_eq!(bucket(500_000_001), DURATION_BUCKETS_NS.len());
    assert_eq!(bucket(u64::MAX), DURATION_BUCKETS_NS.len());
    assert!(DURATION_BUCKETS_NS.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn the_engine_counts_requests_verdicts_and_skips() {
    let engine = Engine::new(Config::default()).unwrap();
    let scanner = peer("203.0.113.9");
    let allow = engine.inspect_request(&Request::new("GET", "/products?page=2"));
    let decoy = engine.inspect_request(&Request::new("GET", "/.env").with_peer(scanner));
    let again = engine.inspect_request(&Request::new("GET", "/").with_peer(scanner));
    let ignored = engine.inspect_request(&Request::new("GET", "/favicon.ico"));
    assert_eq!(allow.action, Action::Allow);
    assert_eq!(decoy.action, Action::BlockAndBlacklist);
    assert_eq!(again.action, Action::BlockAndBlacklist);
    assert!(ignored.skipped.is_some());

    let s = engine.metrics().snapshot();
    assert_eq!(
        (s.requests, s.blocked, s.attacks, s.internal_errors),
        (4, 2, 2, 0)
    );
    assert_eq!(s.inspections(Phase::Request, Action::Allow), 2);
    assert_eq!(s.inspections(Phase::Request, Action::BlockAndBlacklist), 2);
    assert_eq!(s.verdicts(CheckId::Decoy, Action::BlockAndBlacklist), 1);
    assert_eq!(s.verdicts(CheckId::Blacklist, Action::BlockAndBlacklist), 1);
    assert_eq!(s.verdicts(CheckId::Xss, Action::Block), 0);
    assert_eq!(s.skipped(Skipped::IgnoredPath), 1);
    assert_eq!(s.skipped(Skipped::Whitelisted), 0);
    assert_eq!(s.duration(Phase::Request).count(), 4);
    assert!(s.duration(Phase::Request).sum_ns() > 0);
    assert_eq!(s.duration(Phase::Response).count(), 0);
}

#[test]
fn a_monitored_check_counts_as_an_attack_not_a_block() {
    let mut c = Config::default();
    c.security_checks.set(CheckId::Xss, Level::Monitor);
    let engine = Engine::new(c).unwrap();
    let v = engine.inspect_request(&Request::new(
        "GET",
        "/search?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E",
    ));
    assert_eq!(v.action, Action::Monitor, "{v:?}");
    let s = engine.metrics().snapshot();
    assert_eq!((s.requests, s.attacks, s.blocked), (1, 1, 0));
    assert_eq!(s.verdicts(CheckId::Xss, Action::Monitor), 1);
    assert_eq!(s.inspections(Phase::Request, Action::Monitor), 1);
}

/// A check with a bug.
#[derive(Debug)]
struct Panics;

impl Check for Panics {
    fn id(&self) -> CheckId {
        CheckId::Headers
    }
    fn check_request(&self, _: &RequestContext<'_, '_>, _: &mut Vec<Finding>) {
        panic!("a bug");
    }
}

#[test]
fn internal_errors_are_counted_failing_open_or_closed() {
    for (fail_open, action) in [(true, Action::Allow), (false, Action::Block)] {
        let mut c = Config::default();
        c.fail_open = fail_open;
        c.security_checks.set(CheckId::Headers, Level::Block);
        let engine = Engine::builder(c)
            .add_check(Box::new(Panics))
            .build()
            .unwrap();
        let v = engine.inspect_request(&Request::new("GET", "/"));
        assert_eq!(v.action, action);
        let s = engine.metrics().snapshot();
        assert_eq!(s.internal_errors, 1);
        assert_eq!(s.attacks, 0);
        assert_eq!(s.blocked, u64::from(!fail_open));
        assert_eq!(s.inspections(Phase::Request, action), 1);
    }
}

#[test]
fn an_adapter_error_counts_as_an_internal_error_alone() {
    let m = Metrics::new();
    m.record_internal_error();
    let s = m.snapshot();
    assert_eq!(s.internal_errors, 1);
    assert_eq!(s.requests, 0, "no inspection happened");
    assert_eq!(s.blocked, 0);
}

#[test]
fn responses_sinks_and_tool_calls_are_counted_by_phase() {
    let engine = Engine::new(Config::default()).unwrap();
    let req = Request::new("GET", "/");
    let inbound = engine.inspect_request(&req);
    engine.inspect_response(&req, &inbound, &Response::new(200));
    let inputs = SinkRequest::from_values(["' OR 1=1 --"]);
    let op = Operation::Sql {
        query: "SELECT * FROM users WHERE name = '' OR 1=1 --'",
        dialect: Dialect::Sqlite,
    };
    assert!(engine.check_sink(&inputs, &op, None).is_blocked());
    let call = ToolCall::new("read_file", r#"{"path": "../../etc/passwd"}"#);
    assert!(engine.inspect_tool_call(&call, McpSide::Tool).is_blocked());
    engine.inspect_tool_result(&call, "fine", McpSide::Tool);

    let s = engine.metrics().snapshot();
    assert_eq!(s.requests, 1);
    assert_eq!(s.inspections(Phase::Response, Action::Allow), 1);
    let blocks = |phase| {
        s.inspections(phase, Action::Block) + s.inspections(phase, Action::BlockAndBlacklist)
    };
    assert_eq!(blocks(Phase::Sink), 1);
    assert_eq!(blocks(Phase::ToolCall), 1);
    assert_eq!(s.inspections(Phase::ToolResult, Action::Allow), 1);
    // Sinks and injection checks block and blacklist by default (level 2).
    assert_eq!(s.verdicts(CheckId::Sqli, Action::BlockAndBlacklist), 1);
    assert_eq!(
        s.verdicts(CheckId::PathTraversal, Action::BlockAndBlacklist),
        1
    );
    assert_eq!((s.blocked, s.attacks), (2, 2));
    for phase in [
        Phase::Response,
        Phase::Sink,
        Phase::ToolCall,
        Phase::ToolResult,
    ] {
        assert_eq!(s.duration(phase).count(), 1, "{phase:?}");
    }
}

#[test]
fn engines_built_with_the_same_metrics_count_together() {
    let metrics = Arc::new(Metrics::new());
    let a = Engine::builder(Config::default())
        .metrics(Arc::clone(&metrics))
        .build()
        .unwrap();
    let b = Engine::builder(Config::default())
        .metrics(Arc::clone(&metrics))
        .build()
        .unwrap();
    assert!(Arc::ptr_eq(a.metrics(), &metrics));
    a.inspect_request(&Request::new("GET", "/"));
    b.inspect_request(&Request::new("GET", "/"));
    assert_eq!(metrics.snapshot().requests, 2);
    // A default engine has its own.
    let c = Engine::new(Config::default()).unwrap();
    assert_eq!(c.metrics().snapshot().requests, 0);
    assert_eq!(c.metrics().config_version(), 1);
}

#[test]
fn a_reconfigured_engine_keeps_the_counters_and_a_reload_bumps_the_version() {
    let engine = Engine::new(Config::default()).unwrap();
    engine.inspect_request(&Request::new("GET", "/"));
    assert_eq!(engine.metrics().config_version(), 1);
    let mut c = Config::default();
    c.block_status_code = 406;
    // Built (to validate it, say), not in force: same version.
    let next = engine.reconfigure(c.clone()).unwrap();
    assert!(Arc::ptr_eq(next.metrics(), engine.metrics()));
    next.inspect_request(&Request::new("GET", "/"));
    let s = next.metrics().snapshot();
    assert_eq!((s.requests, s.config_version), (2, 1));
    // Swapped in: one more.
    let shared = crate::reload::SharedEngine::new(next);
    shared.reconfigure(c).unwrap();
    assert_eq!(shared.load().metrics().config_version(), 2);
    shared.replace(shared.load().reconfigure(Config::default()).unwrap());
    assert_eq!(shared.load().metrics().config_version(), 3);
    // An application numbering its configurations itself.
    shared.load().metrics().set_config_version(40);
    shared.reconfigure(Config::default()).unwrap();
    assert_eq!(shared.load().metrics().config_version(), 41);
}

#[test]
fn concurrent_inspections_are_all_counted() {
    let engine = Arc::new(Engine::new(Config::default()).unwrap());
    let threads: Vec<_> = (0..12)
        .map(|_| {
            let engine = Arc::clone(&engine);
            std::thread::spawn(move || {
                for _ in 0..200 {
                    engine.inspect_request(&Request::new("GET", "/a?b=c"));
                    engine.metrics().record_response_status(200);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let s = engine.metrics().snapshot();
    assert_eq!(s.requests, 12 * 200);
    assert_eq!(s.duration(Phase::Request).count(), 12 * 200);
    assert_eq!(s.responses(1), 12 * 200);
}

#[test]
fn status_classes_drops_and_version() {
    let m = Metrics::new();
    for status in [101, 200, 204, 302, 404, 429, 500, 99, 600, 0] {
        m.record_response_status(status);
    }
    m.record_events_dropped(DropReason::QueueFull, 3);
    m.record_events_dropped(DropReason::SendFailed, 2);
    m.set_config_version(42);
    let s = m.snapshot();
    let classes: Vec<u64> = (0..STATUS_CLASSES.len()).map(|i| s.responses(i)).collect();
    assert_eq!(classes, [1, 2, 1, 2, 1, 3]);
    assert_eq!(s.responses(99), 0);
    assert_eq!(s.events_dropped, 5);
    assert_eq!(s.events_dropped(DropReason::QueueFull), 3);
    assert_eq!((s.config_version, m.config_version()), (42, 42));
}

/// Fills a [`Metrics`] with values of its own (durations included) for the golden text.
fn golden_metrics() -> Metrics {
    let m = Metrics::new();
    let allow = Verdict::default();
    let mut xss = Verdict {
        action: Action::Block,
        ..Verdict::default()
    };
    let mut f = Finding::new(CheckId::Xss, "qs_values", "<script>");
    f.level = Level::Block;
    xss.findings = vec![f.clone(), f];
    let mut monitored = Verdict {
        action: Action::Monitor,
        ..Verdict::default()
    };
    let mut f = Finding::new(CheckId::Bots, "request", "curl");
    f.level = Level::Monitor;
    monitored.findings.push(f);
    let skipped = Verdict {
        skipped: Some(Skipped::Whitelisted),
        ..Verdict::default()
    };
    let failed = Verdict {
        internal_error: Some("bug".into()),
        ..Verdict::default()
    };
    for v in [&allow, &allow, &xss, &monitored, &skipped, &failed] {
        m.record(Phase::Request, v, None);
    }
    m.record(Phase::Response, &allow, None);
    for ns in [1_000, 2_500, 7_000, 40_000, 2_000_000, 900_000_000] {
        m.observe_ns(Phase::Request, ns);
    }
    m.observe_ns(Phase::Response, 3_000);
    m.record_response_status(200);
    m.record_response_status(403);
    m.record_events_dropped(DropReason::QueueFull, 7);
    m.set_config_version(3);
    m
}

#[test]
fn prometheus_text_is_frozen() {
    let text = golden_metrics()
        .snapshot()
        .to_prometheus()
        .replace(env!("CARGO_PKG_VERSION"), "VERSION");
    let golden = include_str!("golden.prom");
    if text != golden {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/metrics/golden.prom.new");
        let _ = std::fs::write(path, &text);
        panic!("the Prometheus text changed: see {path}");
    }
}

#[test]
fn prometheus_text_is_well_formed() {
    let text = golden_metrics().snapshot().to_prometheus();
    let mut families = std::collections::HashSet::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert!(families.insert(name.to_owned()), "{name} declared twice");
            assert!(["counter", "gauge", "histogram"].contains(&kind));
            if kind == "counter" {
                assert!(name.ends_with("_total"), "{name}");
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap();
        assert!(value.parse::<f64>().is_ok(), "{line}");
        let name = series.split('{').next().unwrap();
        assert!(name.starts_with("ironward_"), "{line}");
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{line}"
        );
    }
    assert!(text.ends_with('\n'));
    // A histogram's buckets are cumulative and end at its count.
    assert!(text.contains(
        "ironward_inspection_duration_seconds_bucket{phase=\"request\",le=\"+Inf\"} 6\n"
    ));
    assert!(text.contains("ironward_inspection_duration_seconds_count{phase=\"request\"} 6\n"));
    assert!(
        text.contains("ironward_inspection_duration_seconds_sum{phase=\"request\"} 0.9020505\n")
    );
}
