//! The sink checks' entry points on the engine: the request's inputs kept for the sinks, and
//! the verdict on one operation at a sink (`SINK_CHECKS` levels, blacklisting, events).
//!
//! The detectors themselves are pure (`crate::sink`); this file only decides what their
//! finding means under the configuration, the same way the request pipeline does for its
//! checks: level 1 blocks, level 2 blocks and blacklists the client, level 3 reports.

use super::Engine;
use crate::config::Level;
use crate::input::{BodyKind, Inputs};
use crate::metrics::Phase;
use crate::request::Request;
use crate::sink::{self, Operation, SinkDetail, SinkFinding, SinkRequest};
use crate::verdict::{Finding, Verdict};
use std::cell::OnceCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

/// Longest `caller` kept in a sink finding, in bytes.
const MAX_CALLER_REPORTED: usize = 512;

impl Engine {
    /// True when at least one sink check is on (`SINK_CHECKS`): adapters then keep the
    /// request's inputs for the sinks ([`inspect_request_for_sinks`](Self::inspect_request_for_sinks)).
    pub fn sinks_on(&self) -> bool {
        self.config.sink_checks.any_on()
    }

    /// Inspects a request like [`inspect_request`](Self::inspect_request) and, when a sink
    /// check is on and the request goes on to the application (not blocked, not skipped), also
    /// returns its inputs for the sink checks, extracted once for both.
    pub fn inspect_request_for_sinks(
        &self,
        request: &Request<'_>,
    ) -> (Verdict, Option<SinkRequest>) {
        let started = Instant::now();
        let now = self.clock.now_ms();
        let ip = self.client_ip(request);
        let inputs = OnceCell::new();
        let run = catch_unwind(AssertUnwindSafe(|| {
            let verdict = self.run_request(request, ip, now, &inputs);
            let sinks = (self.sinks_on() && !verdict.is_blocked() && verdict.skipped.is_none())
                .then(|| {
                    let inputs = inputs.get_or_init(|| self.extract(request));
                    SinkRequest::from_inputs(
                        inputs,
                        &verdict.findings,
                        verdict.client_ip,
                        request.method,
                        request.path,
                    )
                    .with_user_objects(operator_objects(request, inputs))
                });
            (verdict, sinks)
        }));
        let out = match run {
            Ok(out) => out,
            Err(panic) => (self.internal_error(ip, panic.as_ref()), None),
        };
        self.metrics.record(Phase::Request, &out.0, Some(started));
        out
    }

    /// The verdict on one operation at a sink, for the request whose inputs `request` holds.
    ///
    /// Runs the sink's detector when its `SINK_CHECKS` level is not 0. A finding at level 1 or
    /// 2 blocks (the adapter stops the operation and answers with `verdict.response`); level 2
    /// also blacklists the client; level 3 reports only. `caller` is where the application
    /// called the sink (`file:line`), for the event. Never panics: an internal error follows
    /// `FAIL_OPEN` like the request pipeline.
    ///
    /// # Example
    /// ```
    /// use ironward_core::sink::{Dialect, Operation, SinkRequest};
    /// use ironward_core::{Config, Engine};
    ///
    /// let engine = Engine::new(Config::default()).expect("engine");
    /// let inputs = SinkRequest::from_values(["' OR 1=1 --"]);
    /// let query = "SELECT * FROM users WHERE name = '' OR 1=1 --'";
    /// let op = Operation::Sql { query, dialect: Dialect::Sqlite };
    /// let verdict = engine.check_sink(&inputs, &op, Some("app.py:12"));
    /// assert!(verdict.is_blocked());
    /// let detail = verdict.findings[0].sink.as_ref().expect("a sink finding");
    /// assert_eq!(detail.caller.as_deref(), Some("app.py:12"));
    /// ```
    pub fn check_sink(
        &self,
        request: &SinkRequest,
        op: &Operation<'_>,
        caller: Option<&str>,
    ) -> Verdict {
        let level = self.config.sink_checks.level(op.sink());
        let mut verdict = Verdict {
            client_ip: request.client_ip,
            ..Verdict::default()
        };
        if level == Level::Off || request.is_empty() {
            return verdict;
        }
        let started = Instant::now();
        let found = catch_unwind(AssertUnwindSafe(|| detect(request, op)));
        let finding = match found {
            Ok(Some(f)) => f,
            Ok(None) => {
                self.metrics.record(Phase::Sink, &verdict, Some(started));
                return verdict;
            }
            Err(panic) => {
                let verdict = self.internal_error(request.client_ip, panic.as_ref());
                self.metrics.record(Phase::Sink, &verdict, Some(started));
                return verdict;
            }
        };
        let location = request.location(finding.input_index).unwrap_or("input");
        let mut f = Finding::new(op.sink().check(), location, &finding.input);
        f.level = level;
        f.engine = Some("sink");
        f.sink = Some(Box::new(SinkDetail {
            sink: op.sink(),
            operation: op.text(),
            reason: finding.reason,
            caller: caller.map(|c| sink::operation_cut_to(c, MAX_CALLER_REPORTED).to_owned()),
            request_check: request.flagged_by(finding.input_index),
        }));
        verdict.findings.push(f);
        self.conclude(&mut verdict, self.clock.now_ms());
        self.metrics.record(Phase::Sink, &verdict, Some(started));
        verdict
    }
}

/// The user-supplied objects carrying query operators (`{"$ne": …}`) of a request, for the
/// NoSQL sink: from a JSON body and from bracket parameters (`user[$ne]=`). Only a request
/// holding a `$` somewhere pays for it (the JSON body is parsed a second time then).
fn operator_objects(request: &Request<'_>, inputs: &Inputs<'_>) -> Vec<serde_json::Value> {
    let in_body =
        inputs.body_kind == BodyKind::Json && memchr::memchr(b'$', request.body).is_some();
    let in_params = inputs
        .params
        .iter()
        .any(|p| p.name.contains('$') || p.value.contains('$'));
    if !in_body && !in_params {
        return Vec::new();
    }
    let body = in_body
        .then(|| serde_json::from_slice::<serde_json::Value>(request.body).ok())
        .flatten();
    sink::nosql::user_objects(
        body.as_ref(),
        inputs
            .params
            .iter()
            .map(|p| (p.name.as_ref(), p.value.as_ref())),
    )
}

/// The detector of the operation's sink, on the request's inputs.
fn detect(request: &SinkRequest, op: &Operation<'_>) -> Option<SinkFinding> {
    let values = request.values();
    match *op {
        Operation::Sql { query, dialect } => sink::sql::check(query, dialect, values),
        Operation::Path { base, path } => sink::path::check(base, path, values),
        Operation::Command { command } => sink::shell::check_command(command, values),
        Operation::Argv { args } => sink::shell::check_argv(args, values),
        Operation::Url { target, resolved } => sink::ssrf::check(target, resolved, values),
        Operation::NoSql { filter } => {
            sink::nosql::check_with_strings(filter, request.user_objects(), values)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::CheckId;
    use crate::config::{Config, SinkChecks};
    use crate::sink::{Dialect, Reason, Sink};
    use crate::verdict::Action;

    fn engine(levels: SinkChecks) -> Engine {
        let mut c = Config::default();
        c.sink_checks = levels;
        Engine::new(c).unwrap_or_else(|e| panic!("{e}"))
    }

    const ATTACK: &str = "' OR 1=1 --";

    fn sql(query: &str) -> Operation<'_> {
        Operation::Sql {
            query,
            dialect: Dialect::Sqlite,
        }
    }

    #[test]
    fn levels_decide_the_action() {
        let q = format!("SELECT 1 FROM t WHERE a = '{ATTACK}'");
        let inputs = SinkRequest::from_values([ATTACK]);
        for (level, action) in [
            (Level::Off, Action::Allow),
            (Level::Block, Action::Block),
            (Level::BlockBlacklist, Action::BlockAndBlacklist),
            (Level::Monitor, Action::Monitor),
        ] {
            let v = engine(SinkChecks::all(level)).check_sink(&inputs, &sql(&q), None);
            assert_eq!(v.action, action, "{level:?}");
            assert_eq!(v.response.is_some(), action.is_block());
        }
    }

    #[test]
    fn level_2_blacklists_the_client() {
        let e = engine(SinkChecks::default());
        let mut inputs = SinkRequest::from_values([ATTACK]);
        inputs.client_ip = "198.51.100.9".parse().ok();
        let q = format!("SELECT 1 FROM t WHERE a = '{ATTACK}'");
        let v = e.check_sink(&inputs, &sql(&q), Some("app.py:3"));
        assert_eq!(v.action, Action::BlockAndBlacklist);
        let ip = "198.51.100.9".parse().unwrap_or_else(|e| panic!("{e}"));
        assert!(e.blacklist().contains(ip, e.now_ms()));
        let f = &v.findings[0];
        assert_eq!(
            (f.check, f.location, f.payload.as_str()),
            (CheckId::Sqli, "input", ATTACK)
        );
        let d = f
            .sink
            .as_deref()
            .unwrap_or_else(|| panic!("no sink detail"));
        assert_eq!((d.sink, d.reason), (Sink::Sql, Reason::Quote));
        assert_eq!(d.operation, q);
        let events = e.events(&crate::request::Request::new("GET", "/s"), &v);
        assert_eq!(events[0].sink.as_ref().map(|s| s.sink), Some(Sink::Sql));
    }

    #[test]
    fn safe_operations_and_off_sinks_pass() {
        let e = engine(SinkChecks::default());
        let inputs = SinkRequest::from_values([ATTACK]);
        let escaped = "SELECT 1 FROM t WHERE a = ''' OR 1=1 --'";
        assert_eq!(
            e.check_sink(&inputs, &sql(escaped), None).action,
            Action::Allow
        );
        let mut levels = SinkChecks::default();
        levels.set(Sink::Path, Level::Off);
        let e = engine(levels);
        let inputs = SinkRequest::from_values(["../../etc/passwd"]);
        let op = Operation::Path {
            base: Some("/srv/files"),
            path: "/srv/files/../../etc/passwd",
        };
        assert_eq!(e.check_sink(&inputs, &op, None).action, Action::Allow);
    }

    #[test]
    fn shell_operations() {
        let e = engine(SinkChecks::default());
        let inputs = SinkRequest::from_values(["8.8.8.8; id", "--output=/tmp/x"]);
        let cmd = "ping -c 1 8.8.8.8; id";
        let v = e.check_sink(&inputs, &Operation::Command { command: cmd }, None);
        assert!(v.is_blocked());
        let d = v.findings[0]
            .sink
            .as_deref()
            .unwrap_or_else(|| panic!("no detail"));
        assert_eq!((d.sink, d.reason), (Sink::Shell, Reason::Separator));
        assert_eq!(v.findings[0].check, CheckId::Command);
        let args = ["curl", "--output=/tmp/x", "https://example.com/"];
        let v = e.check_sink(&inputs, &Operation::Argv { args: &args }, None);
        assert!(v.is_blocked());
        let quoted = "ping -c 1 '8.8.8.8; id'";
        let v = e.check_sink(&inputs, &Operation::Command { command: quoted }, None);
        assert_eq!(v.action, Action::Allow);
    }

    #[test]
    fn ssrf_operations() {
        let e = engine(SinkChecks::default());
        let inputs = SinkRequest::from_values(["http://rebind.example:8080/admin"]);
        let target = "http://rebind.example:8080/admin";
        let local = ["127.0.0.1".parse().unwrap_or_else(|e| panic!("{e}"))];
        let public = ["93.184.215.14".parse().unwrap_or_else(|e| panic!("{e}"))];
        let op = Operation::Url {
            target,
            resolved: &local,
        };
        let v = e.check_sink(&inputs, &op, None);
        assert!(v.is_blocked(), "{v:?}");
        assert_eq!(v.findings[0].check, CheckId::Ssrf);
        let op = Operation::Url {
            target,
            resolved: &public,
        };
        assert_eq!(e.check_sink(&inputs, &op, None).action, Action::Allow);
        // The application's own internal call, no input in the host.
        let op = Operation::Url {
            target: "http://10.0.0.5/internal",
            resolved: &[],
        };
        assert_eq!(e.check_sink(&inputs, &op, None).action, Action::Allow);
    }

    #[test]
    fn nosql_operations_from_a_json_body() {
        // The `sink` template: the request-side sqli check (which knows `$ne` keys) monitors.
        let e = Engine::new(Config::template(crate::config::Template::Sink))
            .unwrap_or_else(|e| panic!("{e}"));
        let body = br#"{"user": "admin", "password": {"$ne": null}}"#;
        let req = Request::new("POST", "/signin")
            .with_headers([("content-type", "application/json")].into_iter().collect());
        let req = Request { body, ..req };
        let (v, inputs) = e.inspect_request_for_sinks(&req);
        assert!(!v.is_blocked(), "{v:?}");
        let inputs = inputs.unwrap_or_else(|| panic!("no sink inputs"));
        assert_eq!(inputs.user_objects().len(), 1);
        let filter = serde_json::json!({"user": "admin", "password": {"$ne": null}});
        let v = e.check_sink(&inputs, &Operation::NoSql { filter: &filter }, None);
        assert!(v.is_blocked(), "{v:?}");
        let d = v.findings[0]
            .sink
            .as_deref()
            .unwrap_or_else(|| panic!("no detail"));
        assert_eq!((d.sink, d.reason), (Sink::NoSql, Reason::QueryOperator));
        // The application's own operator, no user object behind it.
        let own = serde_json::json!({"user": "admin", "age": {"$gt": 18}});
        let v = e.check_sink(&inputs, &Operation::NoSql { filter: &own }, None);
        assert_eq!(v.action, Action::Allow);
        // Bracket parameters, as qs and PHP read them.
        let req = Request::new("GET", "/users?name[$ne]=x");
        let (_, inputs) = e.inspect_request_for_sinks(&req);
        let inputs = inputs.unwrap_or_else(|| panic!("no sink inputs"));
        let filter = serde_json::json!({"name": {"$ne": "x"}});
        assert!(
            e.check_sink(&inputs, &Operation::NoSql { filter: &filter }, None)
                .is_blocked()
        );
    }

    #[test]
    fn the_request_pipeline_keeps_inputs_for_the_sinks() {
        let mut c = Config::template(crate::config::Template::Sink);
        c.flood_ratio = 1_000_000;
        let e = Engine::new(c).unwrap_or_else(|e| panic!("{e}"));
        let req = Request::new("GET", "/search?q=%27+OR+1%3D1+--&page=2");
        let (v, inputs) = e.inspect_request_for_sinks(&req);
        assert!(!v.is_blocked(), "the sink template monitors: {v:?}");
        let inputs = inputs.unwrap_or_else(|| panic!("no sink inputs"));
        let q = "SELECT * FROM posts WHERE title LIKE '%' OR 1=1 --%'";
        let sv = e.check_sink(&inputs, &sql(q), None);
        assert!(sv.is_blocked());
        let d = sv.findings[0]
            .sink
            .as_deref()
            .unwrap_or_else(|| panic!("no detail"));
        assert_eq!(d.request_check, Some(CheckId::Sqli));
        assert_eq!(sv.findings[0].location, "qs_values");

        // Sinks off: nothing kept.
        let mut c = Config::default();
        c.sink_checks = SinkChecks::all(Level::Off);
        let e = Engine::new(c).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            e.inspect_request_for_sinks(&Request::new("GET", "/?q=ab"))
                .1
                .is_none()
        );
        // A blocked request never reaches the application: nothing kept.
        let e = Engine::new(Config::default()).unwrap_or_else(|e| panic!("{e}"));
        let (v, inputs) = e.inspect_request_for_sinks(&req);
        assert!(v.is_blocked() && inputs.is_none());
    }
}
