//! The counts `eval` keeps per label while records are judged, and the figures derived from
//! them: detection and false-positive rates, the confusion matrix, precision, recall and F1.
//!
//! A record is *detected* when its verdict holds at least one finding, whatever its level:
//! a finding at monitor level (3) counts like a blocking one, because the check did recognise
//! the record; the number of records actually blocked is kept apart. Every ratio is an
//! `Option`: `None` when its denominator is zero (no benign rows, nothing detected…), so that
//! an undefined figure is never shown as 0 or 100 %.

use ironward_core::check::CheckId;
use ironward_core::verdict::Verdict;
use std::collections::BTreeMap;

/// `n / d`, or `None` when `d` is zero.
pub(crate) fn ratio(n: u64, d: u64) -> Option<f64> {
    (d != 0).then(|| n as f64 / d as f64)
}

/// What happened to the records of one label.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LabelTally {
    /// Records judged.
    pub(crate) records: u64,
    /// Records with at least one finding (any level).
    pub(crate) detected: u64,
    /// Records whose verdict blocks.
    pub(crate) blocked: u64,
    /// For each check, the records on which it fired at least once.
    pub(crate) checks: BTreeMap<CheckId, u64>,
    /// For each check and location, the records on which it fired there, with the first
    /// payloads it flagged (at most the tally's example count).
    pub(crate) places: BTreeMap<(CheckId, &'static str), Place>,
}

/// Where a check fired on the records of a label: how often, and on what.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Place {
    /// Records on which the check fired at this location.
    pub(crate) records: u64,
    /// The first payloads flagged there (distinct).
    pub(crate) examples: Vec<String>,
}

impl LabelTally {
    /// Counts where the checks of one verdict fired, keeping up to `examples` payloads per
    /// check and location.
    pub(crate) fn add_places(&mut self, verdict: &Verdict, examples: usize) {
        for (i, f) in verdict.findings.iter().enumerate() {
            let first = verdict.findings[..i]
                .iter()
                .all(|g| g.check != f.check || g.location != f.location);
            let place = self.places.entry((f.check, f.location)).or_default();
            if first {
                place.records += 1;
            }
            if place.examples.len() < examples && !place.examples.contains(&f.payload) {
                place.examples.push(f.payload.clone());
            }
        }
    }

    /// Counts one verdict.
    pub(crate) fn add(&mut self, verdict: &Verdict) {
        self.records += 1;
        if verdict.is_blocked() {
            self.blocked += 1;
        }
        if verdict.findings.is_empty() {
            return;
        }
        self.detected += 1;
        for (i, f) in verdict.findings.iter().enumerate() {
            // Count each check once per record, however many values it flagged.
            if verdict.findings[..i].iter().all(|g| g.check != f.check) {
                *self.checks.entry(f.check).or_insert(0) += 1;
            }
        }
    }

    /// Detected records over records: the detection rate of an attack label, the
    /// false-positive rate of the benign one.
    pub(crate) fn rate(&self) -> Option<f64> {
        ratio(self.detected, self.records)
    }

    /// The checks that fired, most frequent first (ties in check order), with their counts.
    pub(crate) fn checks_by_count(&self) -> Vec<(CheckId, u64)> {
        let mut v: Vec<_> = self.checks.iter().map(|(c, n)| (*c, *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }
}

/// The counts of one pass over the data: one tally per label (indexed like the dataset's
/// labels) and the verdicts that carried an internal error.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tally {
    /// One tally per label.
    pub(crate) labels: Vec<LabelTally>,
    /// Verdicts that report an internal error of the engine (a bug).
    pub(crate) internal_errors: u64,
    /// Payloads kept per check and location (`--examples`).
    pub(crate) examples: usize,
}

impl Tally {
    /// An empty tally for `labels` labels.
    pub(crate) fn new(labels: usize) -> Tally {
        Tally {
            labels: vec![LabelTally::default(); labels],
            internal_errors: 0,
            examples: 0,
        }
    }

    /// An empty tally that keeps `examples` payloads per check and location.
    pub(crate) fn with_examples(labels: usize, examples: usize) -> Tally {
        Tally {
            examples,
            ..Tally::new(labels)
        }
    }

    /// Counts the verdict of a record of label `label`.
    pub(crate) fn add(&mut self, label: usize, verdict: &Verdict) {
        if verdict.internal_error.is_some() {
            self.internal_errors += 1;
        }
        if let Some(t) = self.labels.get_mut(label) {
            t.add(verdict);
            t.add_places(verdict, self.examples);
        }
    }

    /// The confusion matrix: `attack[i]` says whether label `i` is an attack label.
    pub(crate) fn confusion(&self, attack: &[bool]) -> Confusion {
        let mut c = Confusion::default();
        for (t, is_attack) in self.labels.iter().zip(attack) {
            let missed = t.records - t.detected;
            if *is_attack {
                c.tp += t.detected;
                c.fn_ += missed;
            } else {
                c.fp += t.detected;
                c.tn += missed;
            }
        }
        c
    }
}

/// The confusion matrix of a pass: attacks are positives, benign records negatives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Confusion {
    /// Attack records detected.
    pub(crate) tp: u64,
    /// Benign records detected.
    pub(crate) fp: u64,
    /// Benign records not detected.
    pub(crate) tn: u64,
    /// Attack records not detected.
    pub(crate) fn_: u64,
}

impl Confusion {
    /// TP / (TP + FP): how many detections are attacks.
    pub(crate) fn precision(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fp)
    }

    /// TP / (TP + FN): how many attacks are detected (the overall detection rate).
    pub(crate) fn recall(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// The harmonic mean of precision and recall; 0 when both are 0, `None` when either is
    /// undefined.
    pub(crate) fn f1(&self) -> Option<f64> {
        let (p, r) = (self.precision()?, self.recall()?);
        Some(if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        })
    }

    /// FP / (FP + TN): how many benign records are detected.
    pub(crate) fn fp_rate(&self) -> Option<f64> {
        ratio(self.fp, self.fp + self.tn)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ironward_core::config::Level;
    use ironward_core::verdict::{Action, Finding};

    fn verdict(checks: &[(CheckId, Level)]) -> Verdict {
        let mut v = Verdict::default();
        for (c, level) in checks {
            let mut f = Finding::new(*c, "qs_values", "x");
            f.level = *level;
            v.findings.push(f);
        }
        v.action = v
            .findings
            .iter()
            .map(Finding::action)
            .max()
            .unwrap_or_default();
        v
    }

    #[test]
    fn places_count_records_once_and_keep_examples() {
        let mut t = LabelTally::default();
        let mut v = verdict(&[(CheckId::Sqli, Level::Block), (CheckId::Sqli, Level::Block)]);
        v.findings[1].payload = "y".into();
        t.add_places(&v, 1);
        t.add_places(&verdict(&[(CheckId::Sqli, Level::Block)]), 1);
        assert_eq!(t.places.len(), 1);
        let place = &t.places[&(CheckId::Sqli, "qs_values")];
        assert_eq!(place.records, 2);
        assert_eq!(place.examples, ["x"]);
    }

    #[test]
    fn ratio_of_nothing_is_undefined() {
        assert_eq!(ratio(0, 0), None);
        assert_eq!(ratio(0, 4), Some(0.0));
        assert_eq!(ratio(1, 4), Some(0.25));
    }

    #[test]
    fn a_label_counts_records_detections_blocks_and_checks_once_each() {
        let mut t = LabelTally::default();
        t.add(&verdict(&[]));
        t.add(&verdict(&[
            (CheckId::Sqli, Level::BlockBlacklist),
            (CheckId::Sqli, Level::BlockBlacklist),
        ]));
        // Monitor-only: detected, not blocked.
        t.add(&verdict(&[(CheckId::Command, Level::Monitor)]));
        t.add(&verdict(&[
            (CheckId::Command, Level::Monitor),
            (CheckId::Sqli, Level::Block),
        ]));
        assert_eq!((t.records, t.detected, t.blocked), (4, 3, 2));
        assert_eq!(
            t.checks_by_count(),
            vec![(CheckId::Sqli, 2), (CheckId::Command, 2)]
        );
        assert_eq!(t.rate(), Some(0.75));
        assert_eq!(LabelTally::default().rate(), None);
    }

    #[test]
    fn internal_errors_are_counted_and_not_detections() {
        let mut tally = Tally::new(1);
        let v = Verdict {
            action: Action::Block,
            internal_error: Some("boom".to_owned()),
            ..Verdict::default()
        };
        tally.add(0, &v);
        tally.add(5, &v); // an unknown label is ignored, not a panic
        assert_eq!(tally.internal_errors, 2);
        assert_eq!(tally.labels[0].detected, 0);
        assert_eq!(tally.labels[0].blocked, 1);
    }

    #[test]
    fn confusion_and_scores() {
        let mut tally = Tally::new(3);
        let hit = verdict(&[(CheckId::Sqli, Level::Block)]);
        let miss = verdict(&[]);
        // label 0 attack: 3 hits 1 miss; label 1 attack: 1 hit; label 2 benign: 1 hit 4 misses.
        for v in [&hit, &hit, &hit, &miss] {
            tally.add(0, v);
        }
        tally.add(1, &hit);
        tally.add(2, &hit);
        for _ in 0..4 {
            tally.add(2, &miss);
        }
        let c = tally.confusion(&[true, true, false]);
        assert_eq!(
            c,
            Confusion {
                tp: 4,
                fp: 1,
                tn: 4,
                fn_: 1
            }
        );
        assert_eq!(c.precision(), Some(0.8));
        assert_eq!(c.recall(), Some(0.8));
        assert!((c.f1().unwrap() - 0.8).abs() < 1e-12);
        assert_eq!(c.fp_rate(), Some(0.2));
    }

    #[test]
    fn zero_divisions_are_undefined_not_zero() {
        let none = Confusion::default();
        assert_eq!(none.precision(), None);
        assert_eq!(none.recall(), None);
        assert_eq!(none.f1(), None);
        assert_eq!(none.fp_rate(), None);
        // Attacks only, none detected: recall 0, precision undefined (nothing flagged).
        let missed = Confusion {
            fn_: 3,
            ..Confusion::default()
        };
        assert_eq!(missed.recall(), Some(0.0));
        assert_eq!(missed.precision(), None);
        assert_eq!(missed.f1(), None);
        // Everything flagged wrongly: precision 0 and recall 0 make F1 0, not NaN.
        let wrong = Confusion {
            fp: 2,
            fn_: 2,
            ..Confusion::default()
        };
        assert_eq!(wrong.precision(), Some(0.0));
        assert_eq!(wrong.recall(), Some(0.0));
        assert_eq!(wrong.f1(), Some(0.0));
        assert_eq!(wrong.fp_rate(), Some(1.0));
        // Benign only, nothing flagged.
        let clean = Confusion {
            tn: 5,
            ..Confusion::default()
        };
        assert_eq!(clean.fp_rate(), Some(0.0));
        assert_eq!(clean.recall(), None);
    }
}
