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

/// Every row of a JSON Lines file of the shared data. Panics, naming the path, when the file
/// is absent or holds no row: CI always has the shared folder beside the repository, and a
/// measurement without its data must fail, not pass on nothing.
pub(crate) fn jsonl(name: &str) -> Vec<Row> {
    let path = Path::new(DATA).join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "dataset {} is missing ({e}): `shared/` must be beside the repository",
            path.display()
        )
    });
    let rows: Vec<Row> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| {
            Some(Row {
                text: v.get("text")?.as_str()?.to_owned(),
                subtype: v.get("subtype").and_then(|s| s.as_str()).map(str::to_owned),
            })
        })
        .collect();
    assert!(!rows.is_empty(), "dataset {} has no row", path.display());
    rows
}

/// The `text` of every row of a JSON Lines file of the shared data (panics as [`jsonl`]).
pub(crate) fn texts(name: &str) -> Vec<String> {
    jsonl(name).into_iter().map(|r| r.text).collect()
}

/// The repository's benign corpus files (`*.txt`), in name order, with their values (one per
/// line, empty lines left out). Panics, naming the path, when the corpus is absent or empty.
pub(crate) fn corpus_files() -> Vec<(String, Vec<String>)> {
    let entries = std::fs::read_dir(CORPUS)
        .unwrap_or_else(|e| panic!("benign corpus {CORPUS} is missing ({e})"));
    let mut paths: Vec<_> = entries
        .map(|e| e.unwrap_or_else(|e| panic!("reading {CORPUS}: {e}")).path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "benign corpus {CORPUS} holds no file");
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p)
                .unwrap_or_else(|e| panic!("reading {}: {e}", p.display()));
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let values = text
                .lines()
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect();
            (name, values)
        })
        .collect()
}

/// The repository's benign corpus, one value per line, files in name order.
pub(crate) fn corpus() -> Vec<String> {
    corpus_files().into_iter().flat_map(|(_, v)| v).collect()
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
