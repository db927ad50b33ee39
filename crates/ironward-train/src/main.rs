//! `ironward-train`: trains Ironward's SQL injection and XSS models.
//!
//! ```text
//! cargo run --release -p ironward-train -- [--data ../shared/datasets/train] [--seed N]
//! ```
//!
//! Reads the labelled shared datasets, the repository's benign corpus and the synthetic
//! generators; splits every row by a hash of its text into train / calibrate / dev (see
//! `data::part`); fits a logistic regression on the train part; picks the operating threshold
//! on the calibrate part (the highest detection with at most `--target-fp` of benign values
//! flagged) and moves the bias so that this threshold is the configured default
//! (`SQLI_PROBA` 0.7, `XSS_PROBA` 0.8, pyrasp's values); then reports on the dev part, which
//! nothing was fitted or tuned on. Writes `crates/ironward-ml/models/{sqli,xss}.iwm` and
//! `REPORT.md`. Deterministic for a given seed and data.

// Progress and the report go to the terminal: this is a command-line tool.
#![allow(clippy::print_stderr)]

mod data;
mod prompt;
mod prompt_synthetic;
mod synthetic;

use anyhow::{Result, bail};
use clap::Parser;
use data::{Part, Row};
use ironward_ml::Strength;
use ironward_ml::detect::{Detector, Language};
use ironward_ml::embedded;
use ironward_ml::model::LinearModel;
use ironward_ml::train::{Sample, TrainOptions, featurize, train};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

/// Trains the SQL injection and XSS models.
#[derive(Debug, Parser)]
struct Args {
    /// The labelled datasets (`sqli.jsonl`, `xss.jsonl`, `benign.jsonl`).
    #[arg(long, default_value = "../shared/datasets/train")]
    data: PathBuf,
    /// The repository's benign corpus.
    #[arg(long, default_value = "crates/ironward-core/tests/corpus/benign")]
    corpus: PathBuf,
    /// Where the models and the report go.
    #[arg(long, default_value = "crates/ironward-ml/models")]
    out: PathBuf,
    /// Seed of the synthetic generators and the training order.
    #[arg(long, default_value_t = 20261124)]
    seed: u64,
    /// How many synthetic benign values to generate.
    #[arg(long, default_value_t = 20_000)]
    synthetic: usize,
    /// Buckets: 2^bits.
    #[arg(long, default_value_t = 16)]
    bits: u8,
    /// Passes over the data.
    #[arg(long, default_value_t = 6)]
    epochs: usize,
    /// The largest share of benign calibration values the chosen threshold may flag.
    #[arg(long, default_value_t = 0.0005)]
    target_fp: f64,
    /// How many synthetic benign user prompts the `prompt` model sees.
    #[arg(long, default_value_t = 30_000)]
    prompt_benign: usize,
    /// How many attack paraphrases the `prompt` model trains on.
    #[arg(long, default_value_t = 3_000)]
    prompt_attacks: usize,
    /// The largest share of benign calibration values the `prompt` threshold may flag.
    #[arg(long, default_value_t = 0.0005)]
    prompt_target_fp: f64,
    /// Train only this model (`sqli`, `xss` or `prompt`).
    #[arg(long)]
    only: Option<String>,
    /// Do not train: report on the models built into this binary.
    #[arg(long)]
    eval_only: bool,
}

/// The models: their label and the default threshold the bias is shifted to.
const MODELS: [(&str, f32); 2] = [("sqli", 0.7), ("xss", 0.8)];

/// The heading of the `prompt` section of the report.
const PROMPT_SECTION: &str = "\n## `prompt`";

fn logit(p: f32) -> f32 {
    (p / (1.0 - p)).ln()
}

fn main() -> Result<()> {
    let args = Args::parse();
    let mut report = String::from(
        "# Model training report\n\nWritten by `cargo run --release -p ironward-train`; \
         figures are on the dev split (rows where `ironward_ml::split::is_dev` holds), \
         which nothing was fitted or tuned on.\n",
    );
    let (benign, dropped) = data::read_dataset(&args.data, "benign.jsonl")?;
    let corpus = data::read_corpus(&args.corpus)?;
    let synthetic = synthetic::benign(args.seed, args.synthetic);
    eprintln!(
        "benign: {} dataset rows ({dropped} sql_statement rows dropped), {} corpus, {} synthetic",
        benign.len(),
        corpus.len(),
        synthetic.len()
    );
    for (kind, default) in MODELS {
        if args.only.as_deref() == Some("prompt") {
            break;
        }
        if args.only.as_deref().is_some_and(|o| o != kind) {
            continue;
        }
        let (attacks, _) = data::read_dataset(&args.data, &format!("{kind}.jsonl"))?;
        let mut rows: Vec<Row> = attacks
            .into_iter()
            .chain(benign.iter().cloned())
            .chain(corpus.iter().cloned())
            .chain(synthetic.iter().cloned())
            .collect();
        let conflicts = data::dedup(&mut rows);
        eprintln!(
            "[{kind}] {} rows after dedup ({conflicts} texts with both labels dropped)",
            rows.len()
        );
        if args.eval_only {
            let model = if kind == "sqli" {
                embedded::sqli()?
            } else {
                embedded::xss()?
            };
            evaluate(kind, default, &rows, model, conflicts, &mut report);
            continue;
        }
        let model = fit(kind, default, &rows, &args, conflicts, &mut report)?;
        let path = args.out.join(format!("{kind}.iwm"));
        std::fs::write(&path, model.to_bytes())?;
        eprintln!("[{kind}] wrote {}", path.display());
    }
    if args.only.as_deref().is_none_or(|o| o == "prompt") {
        let settings = prompt::Settings {
            data: &args.data,
            corpus: &args.corpus,
            seed: args.seed,
            bits: args.bits,
            epochs: args.epochs,
            benign: args.prompt_benign,
            attacks: args.prompt_attacks,
            target_fp: args.prompt_target_fp,
            eval_only: args.eval_only,
        };
        let (model, section) = prompt::run(&settings)?;
        report.push_str(&section);
        if !args.eval_only {
            let path = args.out.join("prompt.iwm");
            std::fs::write(&path, model.to_bytes())?;
            eprintln!("[prompt] wrote {}", path.display());
            if args.only.is_some() {
                // Replace the `prompt` section of the existing report (it is the last one).
                let path = args.out.join("REPORT.md");
                let old = std::fs::read_to_string(&path).unwrap_or_default();
                let keep = old.find(PROMPT_SECTION).map_or(old.as_str(), |i| &old[..i]);
                std::fs::write(&path, format!("{}{section}", keep.trim_end_matches('\n')))?;
            }
        }
    }
    if args.only.is_none() && !args.eval_only {
        std::fs::write(args.out.join("REPORT.md"), &report)?;
    }
    std::io::stdout().write_all(report.as_bytes())?;
    Ok(())
}

/// Trains, calibrates and evaluates one model, appending its section to `report`.
fn fit(
    kind: &str,
    default: f32,
    rows: &[Row],
    args: &Args,
    conflicts: usize,
    report: &mut String,
) -> Result<LinearModel> {
    let opts = TrainOptions {
        bits: args.bits,
        epochs: args.epochs,
        seed: args.seed,
        ..TrainOptions::default()
    };
    let attack = |r: &Row| r.label == kind;
    // Per-source weights: a source of n rows weighs √n in total, so 97k surnames do not
    // drown the rest; then each class weighs the same in total.
    let train_rows: Vec<&Row> = rows
        .iter()
        .filter(|r| data::part(&r.text) == Part::Train)
        .collect();
    let mut per_source: HashMap<&str, usize> = HashMap::new();
    for r in &train_rows {
        *per_source.entry(r.source.as_str()).or_default() += 1;
    }
    let raw = |r: &Row| 1.0 / (per_source[r.source.as_str()] as f32).sqrt();
    let (mut pos_w, mut neg_w) = (0f32, 0f32);
    for r in &train_rows {
        if attack(r) {
            pos_w += raw(r)
        } else {
            neg_w += raw(r)
        }
    }
    if pos_w == 0.0 || neg_w == 0.0 {
        bail!("[{kind}] no training rows of one class");
    }
    let half = train_rows.len() as f32 / 2.0;
    let samples: Vec<Sample> = train_rows
        .iter()
        .map(|r| Sample {
            features: featurize(&r.text, opts.bits, opts.max_bytes),
            attack: attack(r),
            weight: raw(r) * half / if attack(r) { pos_w } else { neg_w },
        })
        .collect();
    eprintln!(
        "[{kind}] training on {} values, {} epochs",
        samples.len(),
        opts.epochs
    );
    let mut model = train(&samples, &opts, |epoch, loss| {
        eprintln!("[{kind}]   epoch {epoch}: loss {loss:.5}");
    });

    // Calibrate: the lowest margin threshold that keeps benign calibration values under the
    // target false-positive share.
    let margins = |part: Part, want_attack: bool| -> Vec<f32> {
        rows.iter()
            .filter(|r| data::part(&r.text) == part && attack(r) == want_attack)
            .map(|r| logit(model.score(&r.text).clamp(1e-7, 1.0 - 1e-7)))
            .collect()
    };
    let mut neg = margins(Part::Calibrate, false);
    let pos = margins(Part::Calibrate, true);
    neg.sort_by(|a, b| b.total_cmp(a));
    let allowed = (neg.len() as f64 * args.target_fp).floor() as usize;
    let threshold = neg.get(allowed).copied().unwrap_or(0.0) + 1e-4;
    let cal_detect =
        pos.iter().filter(|&&m| m >= threshold).count() as f64 / pos.len().max(1) as f64;
    eprintln!(
        "[{kind}] calibration: threshold margin {threshold:.3}, detection {:.2} % on {} attacks, {} of {} benign allowed",
        cal_detect * 100.0,
        pos.len(),
        allowed,
        neg.len()
    );
    // Move the bias so that the chosen margin is the default threshold.
    let shift = logit(default) - threshold;
    let bytes = model.to_bytes();
    let mut shifted = bytes.clone();
    let bias = f32::from_le_bytes([bytes[12], bytes[13], bytes[14], bytes[15]]) + shift;
    shifted[12..16].copy_from_slice(&bias.to_le_bytes());
    model = LinearModel::from_bytes(&shifted)?;

    let leaked: &'static LinearModel = Box::leak(Box::new(model.clone()));
    evaluate(kind, default, rows, leaked, conflicts, report);
    Ok(model)
}

/// Appends the dev-split figures of `model` to `report` and prints misses and false alarms.
fn evaluate(
    kind: &str,
    default: f32,
    rows: &[Row],
    model: &'static LinearModel,
    conflicts: usize,
    report: &mut String,
) {
    combined(kind, default, rows, model, report);
    let dev: Vec<(&Row, f32)> = rows
        .iter()
        .filter(|r| data::part(&r.text) == Part::Dev)
        .map(|r| (r, model.score(&r.text)))
        .collect();
    let _ = writeln!(
        report,
        "\n### `{kind}`: the model alone (threshold {default})\n"
    );
    let _ = writeln!(
        report,
        "{conflicts} texts labelled both ways were dropped.\n"
    );
    let _ = writeln!(
        report,
        "| threshold | attacks detected | benign flagged |\n|---|---|---|"
    );
    for t in [0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95] {
        let (mut tp, mut p, mut fp, mut n) = (0, 0, 0, 0);
        for (r, s) in &dev {
            if r.label == kind {
                p += 1;
                tp += usize::from(*s >= t);
            } else {
                n += 1;
                fp += usize::from(*s >= t);
            }
        }
        threshold_row(report, t, default, (tp, p), (fp, n));
    }
    let mut by_source: HashMap<&str, (usize, usize)> = HashMap::new();
    for (r, s) in &dev {
        let e = by_source.entry(r.source.as_str()).or_default();
        e.0 += 1;
        e.1 += usize::from(*s >= default);
    }
    let mut sources: Vec<_> = by_source.into_iter().collect();
    sources.sort();
    let _ = writeln!(
        report,
        "\nPer source at the default threshold (dev rows, flagged):\n"
    );
    let _ = writeln!(report, "| source | rows | flagged |\n|---|---|---|");
    for (s, (n, f)) in sources {
        let _ = writeln!(report, "| {s} | {n} | {f} |");
    }
    // Misses and false alarms go to stderr only: the datasets' licences forbid shipping rows.
    let mut shown = 0;
    for (r, s) in &dev {
        let wrong = (r.label == kind) != (*s >= default);
        if wrong && shown < 60 {
            shown += 1;
            eprintln!(
                "[{kind}] {} {s:.3} {:?}",
                if r.label == kind { "MISS" } else { "FP  " },
                truncate(&r.text)
            );
        }
    }
}

fn truncate(s: &str) -> &str {
    match s.char_indices().nth(100) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Appends the figures of the whole detector (structure + model, `ironward_ml::detect`) on the
/// dev split: detection and false positives by threshold, and how often each strength occurs.
fn combined(
    kind: &str,
    default: f32,
    rows: &[Row],
    model: &'static LinearModel,
    report: &mut String,
) {
    let language = if kind == "sqli" {
        Language::Sql
    } else {
        Language::Html
    };
    let dev: Vec<&Row> = rows
        .iter()
        .filter(|r| data::part(&r.text) == Part::Dev)
        .collect();
    let _ = writeln!(report, "\n## `{kind}`\n");
    let _ = writeln!(
        report,
        "The detector as the engine runs it (structure, then the model; see `ironward_ml::detect`), on the dev split:\n"
    );
    let _ = writeln!(
        report,
        "| threshold | attacks detected | benign flagged |\n|---|---|---|"
    );
    for t in [0.5, 0.6, 0.7, 0.8, 0.9] {
        let d = Detector::new(language, model, t);
        let (mut tp, mut p, mut fp, mut n) = (0, 0, 0, 0);
        for r in &dev {
            let hit = d.detect(&r.text).is_some();
            if r.label == kind {
                p += 1;
                tp += usize::from(hit);
            } else {
                n += 1;
                fp += usize::from(hit);
                if hit && (t - default).abs() < 1e-6 {
                    eprintln!("[{kind}] COMBINED FP {:?}", truncate(&r.text));
                }
            }
            if !hit && r.label == kind && (t - default).abs() < 1e-6 {
                eprintln!("[{kind}] COMBINED MISS {:?}", truncate(&r.text));
            }
        }
        threshold_row(report, t, default, (tp, p), (fp, n));
    }
    let d = Detector::new(language, model, default);
    let mut strengths: HashMap<(bool, Strength), usize> = HashMap::new();
    for r in &dev {
        *strengths
            .entry((r.label == kind, d.structure(&r.text).strength))
            .or_default() += 1;
    }
    let _ = writeln!(
        report,
        "\nStructure alone (dev split):\n\n| | None | Weak | Strong |\n|---|---|---|---|"
    );
    for (attack, name) in [(true, "attacks"), (false, "benign")] {
        let get = |s| strengths.get(&(attack, s)).copied().unwrap_or(0);
        let _ = writeln!(
            report,
            "| {name} | {} | {} | {} |",
            get(Strength::None),
            get(Strength::Weak),
            get(Strength::Strong)
        );
    }
}

/// One row of a threshold table: detected of attacks, flagged of benign values.
fn threshold_row(
    report: &mut String,
    t: f32,
    default: f32,
    (tp, p): (usize, usize),
    (fp, n): (usize, usize),
) {
    let mark = if (t - default).abs() < 1e-6 {
        " **(default)**"
    } else {
        ""
    };
    let _ = writeln!(
        report,
        "| {t}{mark} | {tp}/{p} ({:.2} %) | {fp}/{n} ({:.3} %) |",
        100.0 * tp as f64 / p.max(1) as f64,
        100.0 * fp as f64 / n.max(1) as f64
    );
}
