//! The figures `eval` prints, gathered in one [`Report`] so that the aligned text table
//! ([`text`]) and the `--json` document always say the same thing.
//!
//! In JSON every rate is a fraction from 0 to 1 and an undefined one (a zero denominator) is
//! `null`.

mod text;

pub(crate) use text::{group, percent, render_text};

use super::metrics::{LabelTally, Tally, ratio};
use ironward_core::check::CheckId;
use serde::Serialize;
use std::collections::BTreeMap;

/// The score thresholds of a pass.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct Thresholds {
    /// `SQLI_PROBA`.
    #[serde(rename = "SQLI_PROBA")]
    pub(crate) sqli: f64,
    /// `XSS_PROBA`.
    #[serde(rename = "XSS_PROBA")]
    pub(crate) xss: f64,
}

/// How often one check fired on the records of a label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CheckRow {
    /// The check's `SECURITY_CHECKS` key.
    pub(crate) check: &'static str,
    /// Records of the label on which it fired.
    pub(crate) records: u64,
    /// `records` over the label's records.
    pub(crate) rate: Option<f64>,
}

/// Where false positives happened: one check at one location, over the benign records.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PlaceRow {
    /// The check's `SECURITY_CHECKS` key.
    pub(crate) check: &'static str,
    /// The location (`qs_values`, `cookies`, `path`…).
    pub(crate) location: &'static str,
    /// Benign records on which the check fired there.
    pub(crate) records: u64,
    /// `records` over all benign records.
    pub(crate) rate: Option<f64>,
    /// The first payloads flagged there (`--examples N`).
    pub(crate) examples: Vec<String>,
}

/// The false positives of a pass by check and location, most frequent first: the benign
/// labels' places, merged.
pub(crate) fn false_positives(tally: &Tally, attack: &[bool]) -> Vec<PlaceRow> {
    let mut merged: BTreeMap<(CheckId, &'static str), (u64, Vec<String>)> = BTreeMap::new();
    let mut benign = 0;
    for (t, is_attack) in tally.labels.iter().zip(attack) {
        if *is_attack {
            continue;
        }
        benign += t.records;
        for (key, place) in &t.places {
            let e = merged.entry(*key).or_default();
            e.0 += place.records;
            for x in &place.examples {
                if e.1.len() < tally.examples && !e.1.contains(x) {
                    e.1.push(x.clone());
                }
            }
        }
    }
    let mut rows: Vec<PlaceRow> = merged
        .into_iter()
        .map(|((check, location), (records, examples))| PlaceRow {
            check: check.key(),
            location,
            records,
            rate: ratio(records, benign),
            examples,
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.records));
    rows
}

/// The figures of one label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct LabelRow {
    /// The label.
    pub(crate) label: String,
    /// Whether it is an attack label (anything but `benign`).
    pub(crate) attack: bool,
    /// Records judged.
    pub(crate) records: u64,
    /// Records with at least one finding, at any level.
    pub(crate) detected: u64,
    /// Records whose verdict blocks.
    pub(crate) blocked: u64,
    /// `detected / records`: the detection rate of an attack label, the false-positive rate of
    /// `benign`.
    pub(crate) rate: Option<f64>,
    /// The checks that fired, most frequent first.
    pub(crate) checks: Vec<CheckRow>,
}

impl LabelRow {
    fn new(label: &str, attack: bool, t: &LabelTally) -> LabelRow {
        LabelRow {
            label: label.to_owned(),
            attack,
            records: t.records,
            detected: t.detected,
            blocked: t.blocked,
            rate: t.rate(),
            checks: t
                .checks_by_count()
                .into_iter()
                .map(|(c, n)| CheckRow {
                    check: c.key(),
                    records: n,
                    rate: ratio(n, t.records),
                })
                .collect(),
        }
    }
}

/// All labels together.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct Overall {
    /// Attack records detected.
    pub(crate) tp: u64,
    /// Benign records detected.
    pub(crate) fp: u64,
    /// Benign records not detected.
    pub(crate) tn: u64,
    /// Attack records not detected.
    #[serde(rename = "fn")]
    pub(crate) fn_: u64,
    /// TP / (TP + FP).
    pub(crate) precision: Option<f64>,
    /// TP / (TP + FN).
    pub(crate) recall: Option<f64>,
    /// Harmonic mean of precision and recall.
    pub(crate) f1: Option<f64>,
    /// FP / (FP + TN).
    pub(crate) fp_rate: Option<f64>,
}

impl Overall {
    /// The overall figures of a pass.
    pub(crate) fn of(tally: &Tally, attack: &[bool]) -> Overall {
        let c = tally.confusion(attack);
        Overall {
            tp: c.tp,
            fp: c.fp,
            tn: c.tn,
            fn_: c.fn_,
            precision: c.precision(),
            recall: c.recall(),
            f1: c.f1(),
            fp_rate: c.fp_rate(),
        }
    }
}

/// One pass of the threshold sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct GridRow {
    /// The thresholds of the pass (equal, except on the configured row).
    #[serde(flatten)]
    pub(crate) thresholds: Thresholds,
    /// Whether this is the configuration as given.
    pub(crate) configured: bool,
    /// Attack records detected over attack records.
    pub(crate) detection: Option<f64>,
    /// Benign records detected over benign records.
    pub(crate) fp_rate: Option<f64>,
    /// The detection rate of each attack label.
    pub(crate) labels: BTreeMap<String, Option<f64>>,
}

/// Everything `eval` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Report {
    /// The data files, as given.
    pub(crate) files: Vec<String>,
    /// The configured thresholds.
    pub(crate) thresholds: Thresholds,
    /// Labelled records judged.
    pub(crate) records: u64,
    /// Lines skipped for want of a label.
    pub(crate) unlabelled: u64,
    /// Lines skipped because they could not be read.
    pub(crate) bad_lines: u64,
    /// Verdicts that carried an internal error of the engine.
    pub(crate) internal_errors: u64,
    /// Attack labels (by name), then `benign`.
    pub(crate) labels: Vec<LabelRow>,
    /// All labels together.
    pub(crate) overall: Overall,
    /// False positives by check and location (benign records), most frequent first.
    pub(crate) false_positives: Vec<PlaceRow>,
    /// The threshold sweep, with `--plot`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) grid: Option<Vec<GridRow>>,
}

/// Label indices in report order: attack labels by name, then the benign ones.
pub(crate) fn label_order(labels: &[String], attack: &[bool]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by(|a, b| {
        attack[*b]
            .cmp(&attack[*a])
            .then(labels[*a].cmp(&labels[*b]))
    });
    order
}

/// The per-label rows and overall figures of a pass.
pub(crate) fn rows(tally: &Tally, labels: &[String], attack: &[bool]) -> (Vec<LabelRow>, Overall) {
    let rows = label_order(labels, attack)
        .into_iter()
        .filter_map(|i| {
            Some(LabelRow::new(
                labels.get(i)?,
                attack[i],
                tally.labels.get(i)?,
            ))
        })
        .collect();
    (rows, Overall::of(tally, attack))
}

/// The sweep row of a pass.
pub(crate) fn grid_row(
    thresholds: Thresholds,
    configured: bool,
    tally: &Tally,
    labels: &[String],
    attack: &[bool],
) -> GridRow {
    let overall = Overall::of(tally, attack);
    GridRow {
        thresholds,
        configured,
        detection: overall.recall,
        fp_rate: overall.fp_rate,
        labels: labels
            .iter()
            .zip(&tally.labels)
            .zip(attack)
            .filter(|(_, a)| **a)
            .map(|((l, t), _)| (l.clone(), t.rate()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_ordered_attacks_first_by_name() {
        let labels = vec!["xss".to_owned(), "benign".to_owned(), "cmdi".to_owned()];
        assert_eq!(label_order(&labels, &[true, false, true]), vec![2, 0, 1]);
    }
}
