//! Security checks and the one trait they implement.
//!
//! A check is one file under `check/` holding a type that implements [`Check`], plus one line
//! in `registry` (in `check/mod.rs`) that places it in the pipeline. The engine owns the control flow: it runs
//! the enabled checks in registry order, stamps each finding with the check's configured level,
//! and stops at the first finding that blocks. A check only looks and reports; it never decides
//! the response, never does I/O, and never fails: a check that cannot decide reports nothing.
//!
//! Stateful checks (flood and brute-force counters) keep their state inside their own value,
//! which lives as long as the [`Engine`](crate::engine::Engine): state is per engine instance,
//! never global, and must be bounded and thread-safe.

mod bots;
mod brute;
mod chars;
mod code_injection;
mod command;
mod decoy;
mod dlp;
mod flood;
mod format;
mod headers;
mod hpp;
mod id;
#[cfg(test)]
mod lookalikes;
mod method;
mod path;
mod path_traversal;
mod prompt;
mod spoofing;
mod sqli;
pub(crate) mod ssrf;
mod upload;
mod xss;
mod ztaa;

#[cfg(test)]
mod shape_gates_tests;

pub use bots::{FingerprintText, fingerprint};
pub use dlp::DlpStream;
pub use id::CheckId;
pub use prompt::{PROMPT_THRESHOLD, prompt_text};
pub(crate) use ztaa::{
    config_errors as ztaa_config_errors, config_warnings as ztaa_config_warnings,
};

use crate::config::{Config, Level};
use crate::engine::EngineError;
use crate::input::{ExtractOptions, Inputs, extract};
use crate::request::{Request, Response};
use crate::verdict::{Finding, Verdict};
use std::cell::OnceCell;
use std::net::IpAddr;

/// What a check sees of a request.
pub struct RequestContext<'r, 'a> {
    /// The request.
    pub request: &'r Request<'a>,
    /// The client IP (after the trusted-proxy rules).
    pub client_ip: Option<IpAddr>,
    /// The configuration.
    pub config: &'r Config,
    /// The time, in milliseconds since the Unix epoch.
    pub now_ms: i64,
    /// The path, percent-decoded once (borrowed when it holds no `%`).
    pub path: &'r str,
    inputs: &'r OnceCell<Inputs<'a>>,
    extract: &'r ExtractOptions<'r>,
}

impl<'r, 'a> RequestContext<'r, 'a> {
    pub(crate) fn new(
        request: &'r Request<'a>,
        client_ip: Option<IpAddr>,
        config: &'r Config,
        now_ms: i64,
        path: &'r str,
        inputs: &'r OnceCell<Inputs<'a>>,
        extract: &'r ExtractOptions<'r>,
    ) -> Self {
        RequestContext {
            request,
            client_ip,
            config,
            now_ms,
            path,
            inputs,
            extract,
        }
    }

    /// The request's inputs, extracted and decoded on first use (so checks that only look at
    /// the path or the IP cost nothing more) and shared by every later check.
    pub fn inputs(&self) -> &'r Inputs<'a> {
        self.inputs
            .get_or_init(|| extract(self.request, self.extract))
    }
}

/// What a check sees of a response.
pub struct ResponseContext<'r, 'a> {
    /// The request the response answers (possibly reduced to its method and path).
    pub request: &'r Request<'a>,
    /// The verdict given to the request.
    pub inbound: &'r Verdict,
    /// The response.
    pub response: &'r Response<'a>,
    /// The client IP.
    pub client_ip: Option<IpAddr>,
    /// The configuration.
    pub config: &'r Config,
    /// The time, in milliseconds since the Unix epoch.
    pub now_ms: i64,
}

/// One security check.
pub trait Check: Send + Sync + std::fmt::Debug {
    /// Which check this is; its level comes from `SECURITY_CHECKS[id.key()]`.
    fn id(&self) -> CheckId;

    /// Inspects a request and pushes what it finds. The default does nothing.
    fn check_request(&self, ctx: &RequestContext<'_, '_>, findings: &mut Vec<Finding>) {
        let _ = (ctx, findings);
    }

    /// Inspects a response and pushes what it finds. The default does nothing.
    fn check_response(&self, ctx: &ResponseContext<'_, '_>, findings: &mut Vec<Finding>) {
        let _ = (ctx, findings);
    }

    /// Forgets any state kept across requests (counters); stateless checks do nothing.
    fn reset(&self) {}
}

/// The checks of the pipeline, in the order they run (pyrasp's order, §1.3 of its reference).
///
/// To add a check: write `check/<name>.rs` with a type implementing [`Check`], declare the
/// module above, and add one `check!` line here at its place in the order. Checks whose level
/// is 0 are never built nor run. `state` holds the counters of `flood` and `brute`.
pub(crate) fn registry(
    config: &Config,
    state: &std::sync::Arc<dyn crate::state::StateStore>,
) -> Result<Vec<Box<dyn Check>>, EngineError> {
    let mut checks: Vec<Box<dyn Check>> = Vec::new();
    // One line per check: it is built (its patterns compiled) only when its level is not 0.
    macro_rules! check {
        ($id:expr, $build:expr) => {
            if config.security_checks.level($id) != Level::Off {
                checks.push(Box::new($build));
            }
        };
    }
    check!(CheckId::Bots, bots::Bots::new(config));
    check!(CheckId::Ztaa, ztaa::Ztaa::new(config)?);
    check!(CheckId::Spoofing, spoofing::Spoofing::new(config));
    check!(CheckId::Decoy, decoy::Decoy::new(config)?);
    check!(CheckId::Path, path::UnknownRoute::new(config)?);
    check!(CheckId::Method, method::MethodNotAllowed::new(config)?);
    check!(CheckId::Flood, flood::Flood::new(config, state.clone())?);
    check!(CheckId::Hpp, hpp::ParameterPollution::new(config)?);
    check!(CheckId::Headers, headers::ForbiddenHeaders::new(config)?);
    check!(CheckId::Chars, chars::SuspiciousChars::new(config)?);
    check!(CheckId::Command, command::CommandInjection::new(config)?);
    check!(
        CheckId::CodeInjection,
        code_injection::CodeInjection::new(config)?
    );
    check!(CheckId::Xss, xss::Xss::new(config)?);
    check!(CheckId::Sqli, sqli::Sqli::new(config)?);
    check!(
        CheckId::PathTraversal,
        path_traversal::PathTraversal::new(config)?
    );
    check!(CheckId::Ssrf, ssrf::Ssrf::new(config)?);
    check!(CheckId::Prompt, prompt::Prompt::new(config)?);
    check!(CheckId::Upload, upload::Upload::new(config)?);
    check!(CheckId::Format, format::Format::new(config)?);
    // Responses.
    check!(CheckId::Brute, brute::Brute::new(config, state.clone())?);
    check!(CheckId::Dlp, dlp::Dlp::new(config)?);
    Ok(checks)
}

/// Helpers for the checks' unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    use super::{Check, RequestContext};
    use crate::config::Config;
    use crate::input::ExtractOptions;
    use crate::limits::Limits;
    use crate::pattern::PatternSet;
    use crate::request::Request;
    use crate::verdict::Finding;
    use std::cell::OnceCell;

    /// Runs one check on a request the way the engine does (inputs extracted with the
    /// configuration's limits, the path decoded once) and returns what it found.
    pub(crate) fn run_request(
        check: &dyn Check,
        config: &Config,
        request: &Request<'_>,
    ) -> Vec<Finding> {
        let none = PatternSet::default();
        let opts = ExtractOptions {
            limits: Limits::from_config(config),
            decode_b64: config.decode_b64,
            whitelist_headers: &none,
            exceptions: &none,
        };
        let path = percent_encoding::percent_decode_str(request.path).decode_utf8_lossy();
        let inputs = OnceCell::new();
        let ctx = RequestContext::new(request, None, config, 0, &path, &inputs, &opts);
        let mut findings = Vec::new();
        check.check_request(&ctx, &mut findings);
        findings
    }

    /// The first finding of one check on `GET <target>` (path and query), default config.
    pub(crate) fn first_finding(check: &dyn Check, target: &str) -> Option<Finding> {
        run_request(check, &Config::default(), &Request::new("GET", target))
            .into_iter()
            .next()
    }

    /// Table test of a value detector: every attack fires, no benign look-alike does (the
    /// panic message lists the misses and the false positives with what fired).
    pub(crate) fn assert_table<R: std::fmt::Debug>(
        detect: impl Fn(&str) -> Option<R>,
        attacks: &[&str],
        benign: &[&str],
    ) {
        let missed: Vec<_> = attacks.iter().filter(|v| detect(v).is_none()).collect();
        let flagged: Vec<_> = benign
            .iter()
            .filter_map(|v| detect(v).map(|r| (v, r)))
            .collect();
        assert!(
            missed.is_empty() && flagged.is_empty(),
            "missed: {missed:?}; flagged: {flagged:?}"
        );
    }

    /// The values `fires` flags; prints `name: flagged / total` and the first 20 of them.
    #[allow(clippy::print_stdout)]
    pub(crate) fn flagged<'v>(
        name: &str,
        values: &'v [String],
        fires: impl Fn(&str) -> bool,
    ) -> Vec<&'v String> {
        let flagged: Vec<&String> = values.iter().filter(|v| fires(v)).collect();
        println!(
            "{name}: {} / {} flagged ({:.3} %)",
            flagged.len(),
            values.len(),
            100.0 * flagged.len() as f64 / values.len() as f64
        );
        for f in flagged.iter().take(20) {
            println!("  flagged: {f:?}");
        }
        flagged
    }

    /// The `text` of each row of a shared training dataset (`shared/datasets/train/NAME`).
    /// Panics, naming the path, when the dataset is absent or holds no row: CI always has the
    /// shared folder, and a measurement without its data must fail, not pass on nothing.
    pub(crate) fn dataset(name: &str) -> Vec<String> {
        let path = format!(
            "{}/../../../shared/datasets/train/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("dataset {path} is missing ({e}): `shared/` must be beside the repository")
        });
        let rows: Vec<String> = text
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_owned))
            .collect();
        assert!(!rows.is_empty(), "dataset {path} has no row with a text");
        rows
    }

    /// The repository's benign corpus (`tests/corpus/benign/*.txt`), one value per line.
    /// Panics, naming the path, when it is absent, unreadable or empty.
    pub(crate) fn corpus() -> Vec<String> {
        let dir = format!("{}/tests/corpus/benign", env!("CARGO_MANIFEST_DIR"));
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("benign corpus {dir} is missing ({e})"));
        let mut out = Vec::new();
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("reading {dir}: {e}"))
                .path();
            if path.extension().is_none_or(|e| e != "txt") {
                continue;
            }
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            out.extend(text.lines().filter(|l| !l.is_empty()).map(str::to_owned));
        }
        assert!(!out.is_empty(), "benign corpus {dir} holds no value");
        out
    }
}
