//! The report as aligned text: the per-label table, the overall figures, the checks that
//! fired and the threshold sweep. Rates are percentages with enough digits that a non-zero
//! rate never reads as `0` and a rate below 100 % never reads as `100`; an undefined one is
//! `n/a`. Counts have thousands separators.

use super::{GridRow, Report, Thresholds};
use std::fmt::Write;

/// A count with thousands separators: `139967` → `139,967`.
pub(crate) fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A rate as a percentage: one decimal from 1 %, more below so that two significant digits
/// show, and more near 100 % so that a rate below 100 % never rounds to it; `n/a` when
/// undefined.
pub(crate) fn percent(rate: Option<f64>) -> String {
    let Some(r) = rate.filter(|r| r.is_finite()) else {
        return "n/a".to_owned();
    };
    let p = r * 100.0;
    if p <= 0.0 {
        return "0.0 %".to_owned();
    }
    let mut digits: usize = if p >= 1.0 {
        1
    } else {
        // Two significant digits: 0.0086 → 4 decimals.
        let d = (-p.log10()).ceil() as i64 + 1;
        usize::try_from(d.clamp(1, 8)).unwrap_or(8)
    };
    while p < 100.0 && digits < 6 && format!("{p:.digits$}").starts_with("100") {
        digits += 1;
    }
    format!("{p:.digits$} %")
}

fn threshold_cell(t: &Thresholds) -> String {
    if t.sqli == t.xss {
        format!("{:.2}", t.sqli)
    } else {
        format!("{:.2}/{:.2}", t.sqli, t.xss)
    }
}

/// The report as aligned text tables.
pub(crate) fn render_text(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} labelled records from {} file(s); SQLI_PROBA {}, XSS_PROBA {}",
        group(r.records),
        r.files.len(),
        r.thresholds.sqli,
        r.thresholds.xss
    );
    let mut skipped = Vec::new();
    if r.unlabelled > 0 {
        skipped.push(format!("{} without a label", group(r.unlabelled)));
    }
    if r.bad_lines > 0 {
        skipped.push(format!("{} bad line(s)", group(r.bad_lines)));
    }
    if !skipped.is_empty() {
        let _ = writeln!(s, "skipped: {}", skipped.join(", "));
    }
    if r.internal_errors > 0 {
        let _ = writeln!(
            s,
            "internal errors: {} (counted as not detected)",
            group(r.internal_errors)
        );
    }
    s.push('\n');
    let name_w = r
        .labels
        .iter()
        .map(|l| l.label.chars().count())
        .chain([5])
        .max()
        .unwrap_or(5);
    let num_w = r
        .labels
        .iter()
        .map(|l| group(l.records).len())
        .chain([8])
        .max()
        .unwrap_or(8);
    let _ = writeln!(
        s,
        "{:<name_w$}  {:>num_w$}  {:>num_w$}  {:>num_w$}  rate",
        "label", "records", "detected", "blocked"
    );
    for l in &r.labels {
        let what = if l.attack {
            "detected"
        } else {
            "false positives"
        };
        let _ = writeln!(
            s,
            "{:<name_w$}  {:>num_w$}  {:>num_w$}  {:>num_w$}  {} {what}",
            l.label,
            group(l.records),
            group(l.detected),
            group(l.blocked),
            percent(l.rate)
        );
    }
    let o = &r.overall;
    let _ = writeln!(
        s,
        "\noverall    TP {}   FN {}   FP {}   TN {}",
        group(o.tp),
        group(o.fn_),
        group(o.fp),
        group(o.tn)
    );
    let _ = writeln!(
        s,
        "           precision {}   recall {}   F1 {}   FP rate {}",
        percent(o.precision),
        percent(o.recall),
        percent(o.f1),
        percent(o.fp_rate)
    );
    let _ = writeln!(s, "\nchecks fired (share of the label's records):");
    for l in &r.labels {
        let fired = if l.checks.is_empty() {
            "none".to_owned()
        } else {
            l.checks
                .iter()
                .map(|c| format!("{} {}", c.check, percent(c.rate)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(s, "  {:<name_w$}  {fired}", l.label);
    }
    if !r.false_positives.is_empty() {
        let _ = writeln!(
            s,
            "\nfalse positives by check and location (benign records):"
        );
        for p in &r.false_positives {
            let _ = writeln!(
                s,
                "  {:<16} {:<16} {:>8}  {}",
                p.check,
                p.location,
                group(p.records),
                percent(p.rate)
            );
            for e in &p.examples {
                let shown: String = e.chars().take(120).collect();
                let more = if shown.len() < e.len() { "…" } else { "" };
                let _ = writeln!(s, "      {shown:?}{more}");
            }
        }
    }
    if let Some(grid) = &r.grid {
        render_grid(&mut s, grid);
    }
    s
}

fn render_grid(s: &mut String, grid: &[GridRow]) {
    let names: Vec<&String> = grid
        .first()
        .map(|g| g.labels.keys().collect())
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "\nthreshold sweep (SQLI_PROBA = XSS_PROBA; * the configured values):"
    );
    let cells: Vec<Vec<String>> = grid
        .iter()
        .map(|g| {
            let mut row = vec![
                format!(
                    "{}{}",
                    threshold_cell(&g.thresholds),
                    if g.configured { "*" } else { "" }
                ),
                percent(g.detection),
                percent(g.fp_rate),
            ];
            row.extend(
                names
                    .iter()
                    .map(|n| percent(g.labels.get(*n).copied().flatten())),
            );
            row
        })
        .collect();
    let mut header: Vec<&str> = vec!["threshold", "detection", "FP rate"];
    header.extend(names.iter().map(|n| n.as_str()));
    let widths: Vec<usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            cells
                .iter()
                .filter_map(|row| row.get(i).map(|c| c.chars().count()))
                .chain([h.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cols: Vec<&str>| {
        cols.iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:>w$}"))
            .collect::<Vec<_>>()
            .join("  ")
    };
    let _ = writeln!(s, "{}", line(header.clone()));
    for row in &cells {
        let _ = writeln!(s, "{}", line(row.iter().map(String::as_str).collect()));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::eval::metrics::Tally;
    use crate::eval::report::{Report, Thresholds, grid_row, rows};
    use ironward_core::check::CheckId;
    use ironward_core::config::Level;
    use ironward_core::verdict::{Finding, Verdict};

    #[test]
    fn groups_thousands() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1000), "1,000");
        assert_eq!(group(139_967), "139,967");
        assert_eq!(group(1_234_567), "1,234,567");
    }

    #[test]
    fn percentages_keep_small_and_near_total_rates_visible() {
        assert_eq!(percent(None), "n/a");
        assert_eq!(percent(Some(f64::NAN)), "n/a");
        assert_eq!(percent(Some(0.0)), "0.0 %");
        assert_eq!(percent(Some(1.0)), "100.0 %");
        assert_eq!(percent(Some(0.971)), "97.1 %");
        assert_eq!(percent(Some(2.0 / 3.0)), "66.7 %");
        assert_eq!(percent(Some(0.01)), "1.0 %");
        assert_eq!(percent(Some(0.003)), "0.30 %");
        assert_eq!(percent(Some(12.0 / 139_967.0)), "0.0086 %");
        assert_eq!(percent(Some(0.9996)), "99.96 %");
        assert_eq!(percent(Some(0.999_999_9)), "99.99999 %");
    }

    #[test]
    fn the_table_and_grid_show_every_figure() {
        let mut tally = Tally::new(2);
        let mut hit = Verdict::default();
        let mut f = Finding::new(CheckId::Sqli, "qs_values", "x");
        f.level = Level::Monitor;
        hit.findings.push(f);
        tally.add(0, &hit);
        tally.add(0, &Verdict::default());
        tally.add(1, &Verdict::default());
        let labels = vec!["sqli".to_owned(), "benign".to_owned()];
        let attack = [true, false];
        let (rows, overall) = rows(&tally, &labels, &attack);
        let t = Thresholds {
            sqli: 0.7,
            xss: 0.8,
        };
        let report = Report {
            files: vec!["a.jsonl".to_owned()],
            thresholds: t,
            records: 3,
            unlabelled: 1,
            bad_lines: 0,
            internal_errors: 0,
            false_positives: crate::eval::report::false_positives(&tally, &attack),
            labels: rows,
            overall,
            grid: Some(vec![grid_row(t, true, &tally, &labels, &attack)]),
        };
        let text = render_text(&report);
        assert!(
            text.contains("sqli           2         1         0  50.0 % detected"),
            "{text}"
        );
        assert!(
            text.contains("benign         1         0         0  0.0 % false positives"),
            "{text}"
        );
        assert!(text.contains("TP 1   FN 1   FP 0   TN 1"), "{text}");
        assert!(text.contains("precision 100.0 %   recall 50.0 %   F1 66.7 %   FP rate 0.0 %"));
        assert!(text.contains("  sqli    sqli 50.0 %"), "{text}");
        assert!(text.contains("  benign  none"), "{text}");
        assert!(text.contains("0.70/0.80*"), "{text}");
        assert!(text.contains("1 without a label"), "{text}");
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["overall"]["fn"], 1);
        assert_eq!(json["grid"][0]["SQLI_PROBA"], 0.7);
        assert_eq!(json["grid"][0]["labels"]["sqli"], 0.5);
        assert_eq!(json["labels"][0]["checks"][0]["check"], "sqli");
    }
}
