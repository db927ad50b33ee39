//! `ironward scan`: JSON Lines in, one verdict per line out, in order.
//!
//! A `{"text": …}` record becomes `GET /?q=<value>` with a `Host` header set to the first of
//! `HOSTS` (or `localhost`), so that only the value is judged (see [`record::inspect`]).
//!
//! With `VERBOSE` ≥ 10 the startup banner and one line per attack go to standard error (not
//! with `--quiet`); with `LOG_ENABLED` every finding is shipped as a security event by the
//! agent (syslog, JSON, webhooks, files), and the summary counts what was shipped.
//!
//! Each record is judged on its own: the engine's state (blacklist, counters) is reset after
//! every record, so no flood, brute-force or blacklist state carries over. A line that cannot
//! be parsed produces `{"error": "..."}` and scanning goes on; the exit code is then 2.

use crate::Outcome;
use crate::config_file::load_config;
use crate::progress::Progress;
use crate::record::{self, Record};
use anyhow::Context;
use ironward_agent::agent::{Agent, AgentStats};
use ironward_agent::console;
use ironward_core::Engine;
use ironward_core::input::LimitReport;
use ironward_core::request::Request;
use ironward_core::verdict::{Action, Verdict};
use serde::Serialize;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// The options of `scan`.
#[derive(Debug)]
pub(crate) struct Options {
    pub(crate) config: Option<PathBuf>,
    pub(crate) template: Option<String>,
    pub(crate) set: Vec<String>,
    pub(crate) input: Option<PathBuf>,
    pub(crate) output: Option<PathBuf>,
    pub(crate) quiet: bool,
}

#[derive(Serialize)]
struct OutFinding<'v> {
    check: &'v str,
    location: &'v str,
    payload: &'v str,
    score: Option<f32>,
}

#[derive(Serialize)]
struct Out<'v> {
    blocked: bool,
    action: Action,
    findings: Vec<OutFinding<'v>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limits: Option<LimitReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    internal_error: Option<&'v str>,
}

#[derive(Serialize)]
struct OutError<'e> {
    error: &'e str,
}

/// Counts for the summary line.
#[derive(Debug, Default)]
struct Totals {
    records: u64,
    blocked: u64,
    monitored: u64,
    errors: u64,
}

/// Runs the command.
pub(crate) fn run(opts: &Options) -> Outcome {
    let loaded = load_config(
        opts.config.as_deref(),
        opts.template.as_deref(),
        &opts.set,
        opts.quiet,
    )?;
    let agent = Agent::start(&loaded.config).context("cannot start the event shipper")?;
    let engine = Engine::new(loaded.config).context("cannot build the engine")?;
    let reporter = Reporter {
        agent,
        verbose: engine.config().verbose,
        console: !opts.quiet,
    };
    if !opts.quiet {
        let checks: Vec<_> = engine
            .checks()
            .map(|id| (id, engine.config().security_checks.level(id)))
            .collect();
        let source = opts.config.as_ref().map(|p| p.display().to_string());
        let banner = console::banner(
            engine.config(),
            env!("CARGO_PKG_VERSION"),
            &checks,
            source.as_deref(),
        );
        if !banner.is_empty() {
            write!(std::io::stderr(), "{banner}")?;
            if !banner.ends_with('\n') {
                writeln!(std::io::stderr())?;
            }
        }
    }

    let (reader, total): (Box<dyn Read>, Option<u64>) = match &opts.input {
        Some(p) if p.as_os_str() != "-" => {
            let f =
                std::fs::File::open(p).with_context(|| format!("cannot open {}", p.display()))?;
            let len = f.metadata().ok().map(|m| m.len());
            (Box::new(f), len)
        }
        _ => (Box::new(std::io::stdin().lock()), None),
    };
    let writer: Box<dyn Write> = match &opts.output {
        Some(p) => Box::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let mut out = BufWriter::with_capacity(1 << 16, writer);
    let mut progress = Progress::new(total, opts.quiet);
    let mut totals = Totals::default();
    let mut line = String::new();
    let mut bytes = 0u64;
    loop {
        line.clear();
        let n = reader
            .read_line(&mut line)
            .context("cannot read the input")?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        let text = line.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() {
            continue;
        }
        totals.records += 1;
        scan_line(&engine, &reporter, text, &mut out, &mut totals)?;
        progress.update(bytes, totals.records);
    }
    out.flush().context("cannot write the output")?;
    let elapsed = progress.finish();
    let shipped = reporter.finish();
    if !opts.quiet {
        let secs = elapsed.as_secs_f64().max(1e-9);
        writeln!(
            std::io::stderr(),
            "scanned {} records in {:.2}s ({:.0} records/s): {} blocked, {} monitored, {} errors",
            totals.records,
            secs,
            totals.records as f64 / secs,
            totals.blocked,
            totals.monitored,
            totals.errors
        )?;
        if let Some(stats) = shipped {
            writeln!(
                std::io::stderr(),
                "events: {} submitted, {} shipped, {} dropped (queue full), {} failed",
                stats.submitted,
                stats.sent,
                stats.dropped_queue_full,
                stats.failed
            )?;
        }
    }
    Ok(if totals.errors > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn scan_line(
    engine: &Engine,
    reporter: &Reporter,
    text: &str,
    out: &mut impl Write,
    totals: &mut Totals,
) -> anyhow::Result<()> {
    let verdict = match record::parse(text) {
        Ok(rec) => judge(engine, reporter, &rec),
        Err(e) => {
            totals.errors += 1;
            serde_json::to_writer(&mut *out, &OutError { error: &e })?;
            out.write_all(b"\n")?;
            return Ok(());
        }
    };
    engine.reset_state();
    match verdict.action {
        a if a.is_block() => totals.blocked += 1,
        Action::Monitor => totals.monitored += 1,
        _ => {}
    }
    let o = Out {
        blocked: verdict.is_blocked(),
        action: verdict.action,
        findings: verdict
            .findings
            .iter()
            .map(|f| OutFinding {
                check: f.check.key(),
                location: f.location,
                payload: &f.payload,
                score: f.score,
            })
            .collect(),
        limits: (!verdict.limits.is_clean()).then_some(verdict.limits),
        internal_error: verdict.internal_error.as_deref(),
    };
    serde_json::to_writer(&mut *out, &o)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Where the events of each verdict go: attack lines on standard error (at `VERBOSE` ≥ 10,
/// unless `--quiet`) and the event shipper (when `LOG_ENABLED`).
struct Reporter {
    agent: Agent,
    verbose: u32,
    console: bool,
}

impl Reporter {
    fn report(&self, engine: &Engine, request: &Request<'_>, verdict: &Verdict) {
        if verdict.findings.is_empty() {
            return;
        }
        for event in engine.events(request, verdict) {
            if self.console
                && let Some(line) = console::attack_line(&event, self.verbose)
            {
                let _ = writeln!(std::io::stderr(), "{line}");
            }
            self.agent.submit(event);
        }
    }

    /// Waits (a bounded time) for queued events to be shipped; their counts when enabled.
    fn finish(&self) -> Option<AgentStats> {
        if !self.agent.is_enabled() {
            return None;
        }
        self.agent.flush(Duration::from_secs(10));
        Some(self.agent.stats())
    }
}

/// The verdict for one record; its events go to the reporter.
fn judge(engine: &Engine, reporter: &Reporter, rec: &Record<'_>) -> Verdict {
    record::inspect(engine, rec, |req, verdict| {
        reporter.report(engine, req, verdict)
    })
}
