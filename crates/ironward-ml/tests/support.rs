//! What the measuring tests share: the labelled data, the repository's benign corpus, and a
//! tally of structural findings.

use ironward_ml::{Strength, Structure};
use std::collections::BTreeMap;
use std::path::Path;

/// The shared training data (`../shared/datasets/train` beside the repository).
pub(crate) const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/datasets/train"
);
/// The repository's benign corpus.
pub(crate) const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../ironward-core/tests/corpus/benign"
);

/// One labelled row: text and subtype.
pub(crate) struct Row {
    pub(crate) text: String,
    pub(crate) subtype: Option<String>,
}

/// Every row of a JSON Lines file of the shared data, or `None` when it is absent.
pub(crate) fn jsonl(name: &str) -> Option<Vec<Row>> {
    let text = std::fs::read_to_string(Path::new(DATA).join(name)).ok()?;
    Some(
        text.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| {
                Some(Row {
                    text: v.get("text")?.as_str()?.to_owned(),
                    subtype: v.get("subtype").and_then(|s| s.as_str()).map(str::to_owned),
                })
            })
            .collect(),
    )
}

/// The `text` of every row of a JSON Lines file of the shared data, or `None`.
pub(crate) fn texts(name: &str) -> Option<Vec<String>> {
    Some(jsonl(name)?.into_iter().map(|r| r.text).collect())
}

/// The repository's benign corpus, one value per line, files in name order.
pub(crate) fn corpus() -> Vec<String> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(CORPUS) else {
        return out;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    paths.sort();
    for p in paths {
        if let Ok(text) = std::fs::read_to_string(&p) {
            out.extend(text.lines().filter(|l| !l.is_empty()).map(str::to_owned));
        }
    }
    out
}

/// Counts of findings over a set of values.
#[derive(Default)]
pub(crate) struct Tally {
    pub(crate) rows: usize,
    pub(crate) strong: usize,
    pub(crate) weak: usize,
    pub(crate) reasons: BTreeMap<&'static str, usize>,
}

impl Tally {
    pub(crate) fn add(&mut self, f: Structure) {
        self.rows += 1;
        match f.strength {
            Strength::Strong => self.strong += 1,
            Strength::Weak => self.weak += 1,
            Strength::None => return,
        }
        *self.reasons.entry(f.reason).or_default() += 1;
    }
    pub(crate) fn pct(&self, n: usize) -> f64 {
        if self.rows == 0 {
            0.0
        } else {
            100.0 * n as f64 / self.rows as f64
        }
    }
    pub(crate) fn strong_pct(&self) -> f64 {
        self.pct(self.strong)
    }
    pub(crate) fn weak_pct(&self) -> f64 {
        self.pct(self.weak)
    }
    pub(crate) fn any_pct(&self) -> f64 {
        self.pct(self.strong + self.weak)
    }
    pub(crate) fn line(&self, name: &str) -> String {
        format!(
            "{name:<34} rows {:>7}  strong {:>7.3}%  weak {:>7.3}%  weak-or-strong {:>7.3}%  {:?}",
            self.rows,
            self.strong_pct(),
            self.weak_pct(),
            self.any_pct(),
            self.reasons
        )
    }
}
