//! Loading labelled values: the shared datasets (JSON Lines with `text` and `label`), the
//! repository's benign corpus (one value per line), and the synthetic generators.

use anyhow::{Context, Result};
use std::collections::HashMap;
use std::path::Path;

/// One labelled value.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) text: String,
    /// `benign`, `sqli`, `xss`, …
    pub(crate) label: String,
    /// Where it came from (file and source), for per-source weights and reports.
    pub(crate) source: String,
}

/// Which part of the data a row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// Fits the weights.
    Train,
    /// Picks the operating threshold (never fits weights).
    Calibrate,
    /// Held back: reported only.
    Dev,
}

/// The part of a row: the shared dev split first, then one non-dev row in five calibrates.
pub(crate) fn part(text: &str) -> Part {
    if ironward_ml::split::is_dev(text) {
        return Part::Dev;
    }
    // A second, independent hash (FNV-1a with another basis) picks the calibration fold.
    let mut h: u64 = 0x84222325cbf29ce4;
    for &b in text.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    if h.is_multiple_of(5) {
        Part::Calibrate
    } else {
        Part::Train
    }
}

/// Reads `name` (a JSON Lines file) from the datasets directory. Rows whose `subtype` is
/// `sql_statement` are dropped: the source labels whole SQL statements benign, which is
/// label noise for a detector of SQL in request values.
pub(crate) fn read_dataset(dir: &Path, name: &str) -> Result<(Vec<Row>, usize)> {
    let path = dir.join(name);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut rows = Vec::new();
    let mut dropped = 0;
    for (n, line) in text.lines().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not JSON", path.display(), n + 1))?;
        let field = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default();
        if field("subtype") == "sql_statement" {
            dropped += 1;
            continue;
        }
        rows.push(Row {
            text: field("text").to_owned(),
            label: field("label").to_owned(),
            source: format!("{name}:{}", field("source")),
        });
    }
    Ok((rows, dropped))
}

/// Reads the benign corpus (`*.txt`, one value per line) of the repository.
pub(crate) fn read_corpus(dir: &Path) -> Result<Vec<Row>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut rows = Vec::new();
    for f in files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text =
            std::fs::read_to_string(&f).with_context(|| format!("reading {}", f.display()))?;
        rows.extend(text.lines().filter(|l| !l.is_empty()).map(|l| Row {
            text: l.to_owned(),
            label: "benign".to_owned(),
            source: format!("corpus:{name}"),
        }));
    }
    Ok(rows)
}

/// Drops duplicate texts (the first row wins) and texts labelled both ways; returns how many
/// conflicting texts were dropped.
pub(crate) fn dedup(rows: &mut Vec<Row>) -> usize {
    let mut labels: HashMap<&str, &str> = HashMap::new();
    let mut conflict: std::collections::HashSet<String> = Default::default();
    for r in rows.iter() {
        match labels.get(r.text.as_str()) {
            Some(l) if *l != r.label => {
                conflict.insert(r.text.clone());
            }
            _ => {
                labels.insert(&r.text, &r.label);
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    rows.retain(|r| !conflict.contains(&r.text) && seen.insert(r.text.clone()));
    conflict.len()
}
