//! Shared pieces of the fuzz targets: the engines they drive and the invariants every
//! extraction and every verdict must hold, whatever the input.
//!
//! Invariants (asserted by [`check_inputs`] and [`check_verdict`]):
//! - nothing panics (libFuzzer's panic hook aborts before the engine's `catch_unwind` can turn
//!   a panic into an `internal_error`; a verdict with `internal_error` set fails too);
//! - at most `MAX_INPUTS` inputs, parameters and files;
//! - every value at most `MAX_VALUE_LENGTH` bytes, and never empty;
//! - an uploaded file keeps at most `FILE_HEAD_BYTES` of its content;
//! - at most `MAX_FINDINGS` findings, each payload at most `MAX_PAYLOAD_REPORTED` bytes; a
//!   blocking verdict carries a response.

use ironward_core::check::{Check, CheckId, RequestContext};
use ironward_core::config::{BodyLimitAction, Config, Level};
use ironward_core::engine::Engine;
use ironward_core::input::{FILE_HEAD_BYTES, Inputs};
use ironward_core::limits::Limits;
use ironward_core::request::Request;
use ironward_core::verdict::{Finding, MAX_PAYLOAD_REPORTED, Verdict};
use std::sync::LazyLock;

/// A check that extracts the inputs inside the pipeline and asserts the invariants on them,
/// so that every `inspect_request` also checks the extraction the checks saw.
#[derive(Debug)]
struct Probe(Limits);

impl Check for Probe {
    fn id(&self) -> CheckId {
        CheckId::Bots
    }
    fn check_request(&self, ctx: &RequestContext<'_, '_>, _: &mut Vec<Finding>) {
        check_inputs(ctx.inputs(), &self.0);
    }
}

/// The limits the small engines run with: low enough that the fuzzer reaches every cut.
fn small_limits(c: &mut Config) {
    c.max_inputs = 64;
    c.max_value_length = 256;
    c.max_body_bytes = 4096;
    c.max_findings = 8;
    c.dlp_max_body_bytes = 4096;
}

/// Every configurable check at `level`, with the `CHARS_*` and `DLP_*` switches on.
pub fn all_on(level: Level) -> Config {
    let mut c = Config::default();
    for id in CheckId::configurable() {
        c.security_checks.set(id, level);
    }
    c.chars_cyrillic = true;
    c.chars_invisible = true;
    c.chars_nonprintable = true;
    c.set_dlp_families(true);
    // ztaa needs a key to build (an empty ZTAA_KEYS with the check on is a configuration
    // error). Fuzzed requests carry no valid token, so where a finding stops the pipeline it
    // would refuse every request before the other checks ran: it stays on only at level 3,
    // where the token parser sees every fuzzed header value.
    c.ztaa_keys = vec!["fuzz-ztaa-key-".repeat(5)];
    if level != Level::Monitor {
        c.security_checks.set(CheckId::Ztaa, Level::Off);
    }
    c
}

fn build(c: Config) -> Engine {
    let limits = Limits::from_config(&c);
    Engine::builder(c)
        .add_check(Box::new(Probe(limits)))
        .build()
        .expect("engine builds")
}

/// The engines a target drives.
pub struct Engines {
    /// The default configuration (the `default` template), default limits.
    pub default: Engine,
    /// Every check at level 3 (monitor: every check sees every request), small limits, bodies
    /// past `MAX_BODY_BYTES` inspected (`BODY_LIMIT_ACTION` monitor).
    pub monitor: Engine,
    /// Every check at level 1 (stops at the first finding), small limits (the `request`
    /// target only).
    pub strict: Engine,
}

/// The shared engines (built once per process).
pub static ENGINES: LazyLock<Engines> = LazyLock::new(|| Engines {
    default: build(Config::default()),
    monitor: build({
        let mut c = all_on(Level::Monitor);
        small_limits(&mut c);
        c.body_limit_action = BodyLimitAction::Monitor;
        c
    }),
    strict: build({
        let mut c = all_on(Level::Block);
        small_limits(&mut c);
        c
    }),
});

impl Engines {
    /// The three engines, in order.
    pub fn all(&self) -> [&Engine; 3] {
        [&self.default, &self.monitor, &self.strict]
    }
}

/// Asserts the extraction invariants.
pub fn check_inputs(inputs: &Inputs<'_>, l: &Limits) {
    assert!(
        inputs.items.len() <= l.max_inputs,
        "{} inputs > MAX_INPUTS {}",
        inputs.items.len(),
        l.max_inputs
    );
    assert!(inputs.params.len() <= l.max_inputs, "params > MAX_INPUTS");
    assert!(inputs.files.len() <= l.max_inputs, "files > MAX_INPUTS");
    for i in &inputs.items {
        assert!(
            i.value.len() <= l.max_value_length,
            "value of {} bytes > MAX_VALUE_LENGTH {} at {:?}",
            i.value.len(),
            l.max_value_length,
            i.location
        );
        assert!(!i.value.is_empty(), "empty input at {:?}", i.location);
    }
    for f in &inputs.files {
        assert!(f.head.len() <= FILE_HEAD_BYTES, "file head too long");
    }
}

/// Asserts the verdict invariants.
pub fn check_verdict(engine: &Engine, v: &Verdict) {
    assert!(
        v.internal_error.is_none(),
        "internal error: {:?}",
        v.internal_error
    );
    let cap = engine.limits().max_findings.max(1);
    assert!(
        v.findings.len() <= cap,
        "{} findings > MAX_FINDINGS",
        v.findings.len()
    );
    for f in &v.findings {
        assert!(f.payload.len() <= MAX_PAYLOAD_REPORTED, "payload too long");
    }
    if v.is_blocked() {
        assert!(v.response.is_some(), "blocked without a response");
    }
}

/// Inspects `req` with the default and the monitor engines, asserting the invariants; the
/// default engine's extraction is checked explicitly, the monitor engine's inside its pipeline
/// (its probe check). The engines' state (rates, blacklist) is reset after each run so that
/// runs stay independent.
pub fn run_request(req: &Request<'_>) {
    let e = &ENGINES.default;
    check_inputs(&e.extract(req), e.limits());
    for engine in [e, &ENGINES.monitor] {
        let v = engine.inspect_request(req);
        check_verdict(engine, &v);
        engine.reset_state();
    }
}

/// The peer address every fuzzed request comes from.
pub fn peer() -> std::net::IpAddr {
    std::net::IpAddr::from([192, 0, 2, 1])
}

/// Splits `data` at the first `\n`: (the line, lossily as text; the rest).
pub fn first_line(data: &[u8]) -> (String, &[u8]) {
    match data.iter().position(|b| *b == b'\n') {
        Some(i) => (
            String::from_utf8_lossy(&data[..i]).into_owned(),
            &data[i + 1..],
        ),
        None => (String::from_utf8_lossy(data).into_owned(), &[]),
    }
}

/// `Name: value` lines of a header block (`\n`-separated; lines without `:` are skipped).
pub fn header_lines(block: &[u8]) -> Vec<(String, &[u8])> {
    block
        .split(|b| *b == b'\n')
        .filter_map(|l| {
            let i = l.iter().position(|b| *b == b':')?;
            let value = l[i + 1..].strip_prefix(b" ").unwrap_or(&l[i + 1..]);
            Some((String::from_utf8_lossy(&l[..i]).into_owned(), value))
        })
        .collect()
}
