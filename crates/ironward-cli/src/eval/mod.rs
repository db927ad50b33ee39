//! `ironward eval`: runs labelled JSON Lines through the engine and measures it — detection
//! rate per attack label, false-positive rate on `benign`, the confusion matrix, precision,
//! recall and F1, and which checks fired — and, with `--plot`, sweeps the score thresholds
//! (`SQLI_PROBA` = `XSS_PROBA`) to draw detection against false positives.
//!
//! Records are the ones `scan` reads, plus a `label`, and are turned into requests by the same
//! code ([`crate::record::inspect`]). Every record is judged on its own: the engine's state
//! (blacklist, flood and brute-force counters) is reset after each one, as in `scan`, so no
//! verdict depends on the records before it and `flood`/`brute` never fire. A record is
//! *detected* when its verdict has at least one finding, at any level (monitor-only findings
//! count: the check recognised the record); blocked records are counted apart.
//!
//! The files are read and parsed once; each pass (the configuration as given, then one engine
//! per threshold of the grid) judges the records kept in memory. Events are never shipped
//! (`LOG_ENABLED` and `VERBOSE` are not used). Exit codes: 0 when done, 2 on a usage, I/O or
//! configuration error, and 2 — after the full report — when some lines could not be read
//! (each is named `FILE:LINE`).

mod data;
mod metrics;
mod plot;
mod report;
mod sweep;

use crate::Outcome;
use crate::config_file::load_config;
use crate::progress::Progress;
use crate::record;
use anyhow::{Context, Result, bail};
use data::{Dataset, Issue};
use ironward_core::Engine;
use metrics::Tally;
use report::{Report, Thresholds};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use sweep::{chart, sweep};

/// The options of `eval`.
#[derive(Debug)]
pub(crate) struct Options {
    pub(crate) data: Vec<PathBuf>,
    pub(crate) config: Option<PathBuf>,
    pub(crate) template: Option<String>,
    pub(crate) set: Vec<String>,
    pub(crate) json: bool,
    pub(crate) split: Split,
    pub(crate) plot: Option<PathBuf>,
    pub(crate) quiet: bool,
    /// Payloads shown per check and location in the false-positive breakdown.
    pub(crate) examples: usize,
}

/// Which text records `eval` judges (`--split`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Split {
    /// Every record.
    All,
    /// Only the held-back dev split (`ironward_ml::split::is_dev`): the figures to report for
    /// Ironward's own models.
    Dev,
    /// Only the rows outside the dev split.
    Train,
}

impl Split {
    /// Whether a text record with this value is judged.
    pub(crate) fn keeps(self, text: &str) -> bool {
        match self {
            Split::All => true,
            Split::Dev => ironward_ml::split::is_dev(text),
            Split::Train => !ironward_ml::split::is_dev(text),
        }
    }
}

/// Runs the command; errors are printed here so that they exit with 2.
pub(crate) fn run(opts: &Options) -> Outcome {
    match evaluate(opts) {
        Ok(code) => Ok(code),
        // The reader went away (`| head`): stop quietly, as other Unix tools do.
        Err(e) if broken_pipe(&e) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            Ok(ExitCode::from(2))
        }
    }
}

/// Whether the error is a write to a closed pipe.
fn broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        let kind = c
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| {
                c.downcast_ref::<serde_json::Error>()
                    .and_then(serde_json::Error::io_error_kind)
            });
        kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}

fn note(quiet: bool, args: std::fmt::Arguments<'_>) {
    if !quiet {
        let _ = writeln!(std::io::stderr(), "{args}");
    }
}

fn print_issues(kind: &str, kept: &[Issue], total: u64) {
    let mut err = std::io::stderr().lock();
    for i in kept {
        let _ = writeln!(err, "{kind}: {}:{}: {}", i.file, i.line, i.message);
    }
    let more = total.saturating_sub(kept.len() as u64);
    if more > 0 {
        let _ = writeln!(err, "{kind}: … and {more} more");
    }
}

fn evaluate(opts: &Options) -> Result<ExitCode> {
    let loaded = load_config(
        opts.config.as_deref(),
        opts.template.as_deref(),
        &opts.set,
        opts.quiet,
    )?;
    let config = loaded.config;
    let names: Vec<String> = opts.data.iter().map(|p| p.display().to_string()).collect();
    let mut buffers = Vec::with_capacity(opts.data.len());
    for p in &opts.data {
        buffers.push(read_data(p)?);
    }
    let mut ds = Dataset::default();
    for (name, bytes) in names.iter().zip(&buffers) {
        ds.add_file(name, bytes);
    }
    if opts.split != Split::All {
        ds.items.retain(|item| match &item.record {
            crate::record::Record::Text(t) => opts.split.keeps(t),
            _ => true,
        });
        ds.bytes = ds.items.iter().map(|i| i.bytes).sum();
    }
    print_issues("error", &ds.bad_kept, ds.bad);
    if !opts.quiet {
        print_issues(
            "warning: skipped, no label",
            &ds.unlabelled_kept,
            ds.unlabelled,
        );
    }
    if ds.items.is_empty() {
        bail!("no labelled records in {}", names.join(", "));
    }
    let attack = ds.attack_flags();
    if opts.plot.is_some() {
        if !attack.iter().any(|a| !*a) {
            bail!("--plot needs benign records (label \"benign\") for the false-positive rate");
        }
        if !attack.iter().any(|a| *a) {
            bail!("--plot needs attack records (a label other than \"benign\")");
        }
    }

    // Fail now, not after the sweep, when the plot cannot be written.
    let plot_file = match &opts.plot {
        Some(path) => Some(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        ),
        None => None,
    };

    let configured = Thresholds {
        sqli: config.sqli_proba,
        xss: config.xss_proba,
    };
    let engine = Engine::new(config.clone()).context("cannot build the engine")?;
    let started = Instant::now();
    let tally = pass(&engine, &ds, opts.quiet, opts.examples);
    let elapsed = started.elapsed();
    note(
        opts.quiet,
        format_args!(
            "evaluated {} records in {:.2}s ({:.0} records/s)",
            ds.items.len(),
            elapsed.as_secs_f64(),
            ds.items.len() as f64 / elapsed.as_secs_f64().max(1e-9)
        ),
    );

    let grid_rows = match &opts.plot {
        Some(_) => Some(sweep(&config, &ds, &tally, configured, opts.quiet)?),
        None => None,
    };
    let (labels, overall) = report::rows(&tally, &ds.labels, &attack);
    let rep = Report {
        files: names,
        thresholds: configured,
        records: ds.items.len() as u64,
        unlabelled: ds.unlabelled,
        bad_lines: ds.bad,
        internal_errors: tally.internal_errors,
        false_positives: report::false_positives(&tally, &attack),
        labels,
        overall,
        grid: grid_rows,
    };
    if tally.internal_errors > 0 {
        let _ = writeln!(
            std::io::stderr(),
            "warning: {} record(s) hit an internal error of the engine (counted as not detected)",
            tally.internal_errors
        );
    }

    let mut out = std::io::stdout().lock();
    if opts.json {
        serde_json::to_writer_pretty(&mut out, &rep).context("cannot write the report")?;
        writeln!(out).context("cannot write the report")?;
    } else {
        out.write_all(report::render_text(&rep).as_bytes())
            .context("cannot write the report")?;
    }
    out.flush().context("cannot write the report")?;

    if let (Some(path), Some(mut file)) = (&opts.plot, plot_file) {
        let svg = plot::render(&chart(&rep));
        file.write_all(svg.as_bytes())
            .and_then(|()| file.flush())
            .with_context(|| format!("cannot write {}", path.display()))?;
        note(opts.quiet, format_args!("wrote {}", path.display()));
    }
    if ds.bad > 0 {
        let _ = writeln!(
            std::io::stderr(),
            "error: {} bad line(s) skipped; exit code 2",
            ds.bad
        );
    }
    Ok(if ds.bad > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// The bytes of a data file; `-` is standard input.
fn read_data(path: &std::path::Path) -> Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut buf)
            .context("cannot read standard input")?;
        return Ok(buf);
    }
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Judges every record with `engine`, each on its own, and counts the verdicts.
fn pass(engine: &Engine, ds: &Dataset<'_>, quiet: bool, examples: usize) -> Tally {
    let mut progress = Progress::new(Some(ds.bytes), quiet);
    let mut tally = Tally::with_examples(ds.labels.len(), examples);
    let mut bytes = 0u64;
    for (n, item) in ds.items.iter().enumerate() {
        let verdict = record::inspect(engine, &item.record, |_, _| {});
        engine.reset_state();
        tally.add(item.label, &verdict);
        bytes += item.bytes;
        progress.update(bytes, n as u64 + 1);
    }
    progress.finish();
    tally
}
