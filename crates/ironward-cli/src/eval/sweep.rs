//! The threshold sweep of `eval --plot`: one pass over the records per threshold of the grid
//! (`SQLI_PROBA` = `XSS_PROBA` = 0.05 … 0.95), each with its own engine, and the chart of
//! detection against false positives drawn from the resulting rows.

use super::data::Dataset;
use super::metrics::Tally;
use super::report::{self, GridRow, Report, Thresholds};
use super::{note, pass, plot};
use anyhow::{Context, Result};
use ironward_core::{Config, Engine};
use std::time::Instant;

/// The thresholds of the sweep: 0.05, 0.10, … 0.95.
fn grid() -> impl Iterator<Item = f64> {
    (1..=19).map(|i| f64::from(i) / 20.0)
}

/// One pass per grid threshold, each with its own engine built from the configuration with
/// both thresholds set; the configured pass joins the curve when its two thresholds are equal
/// (replacing the grid pass of the same value, which would give the same figures).
pub(super) fn sweep(
    config: &Config,
    ds: &Dataset<'_>,
    configured_tally: &Tally,
    configured: Thresholds,
    quiet: bool,
) -> Result<Vec<GridRow>> {
    let attack = ds.attack_flags();
    let on_curve = configured.sqli == configured.xss;
    let mut rows = Vec::new();
    let started = Instant::now();
    let mut passes = 0u32;
    for t in grid() {
        if on_curve && (t - configured.sqli).abs() < 1e-9 {
            continue;
        }
        let mut c = config.clone();
        c.sqli_proba = t;
        c.xss_proba = t;
        let engine = Engine::new(c).context("cannot build the engine")?;
        let pass_started = Instant::now();
        let tally = pass(&engine, ds, quiet, 0);
        passes += 1;
        let thresholds = Thresholds { sqli: t, xss: t };
        let row = report::grid_row(thresholds, false, &tally, &ds.labels, &attack);
        note(
            quiet,
            format_args!(
                "threshold {t:.2}: detection {}, FP rate {} ({:.2}s)",
                report::percent(row.detection),
                report::percent(row.fp_rate),
                pass_started.elapsed().as_secs_f64()
            ),
        );
        rows.push(row);
    }
    rows.push(report::grid_row(
        configured,
        true,
        configured_tally,
        &ds.labels,
        &attack,
    ));
    // Grid order; the configured row sits at its place when on the curve, else last.
    if on_curve {
        rows.sort_by(|a, b| a.thresholds.sqli.total_cmp(&b.thresholds.sqli));
    }
    note(
        quiet,
        format_args!(
            "threshold sweep: {passes} passes in {:.2}s",
            started.elapsed().as_secs_f64()
        ),
    );
    Ok(rows)
}

/// The plot of a report's sweep.
pub(super) fn chart(rep: &Report) -> plot::Plot {
    let grid = rep.grid.as_deref().unwrap_or_default();
    let on_curve = rep.thresholds.sqli == rep.thresholds.xss;
    let curve_rows: Vec<&GridRow> = grid.iter().filter(|g| !g.configured || on_curve).collect();
    let configured_row = grid.iter().find(|g| g.configured);
    let point = |g: &GridRow, detection: Option<f64>| plot::Point {
        threshold: g.thresholds.sqli,
        fp_rate: g.fp_rate.unwrap_or(0.0),
        detection: detection.unwrap_or(0.0),
    };
    let mut series: Vec<plot::Series> = rep
        .labels
        .iter()
        .filter(|l| l.attack)
        .map(|l| plot::Series {
            name: l.label.clone(),
            points: curve_rows
                .iter()
                .map(|g| point(g, g.labels.get(&l.label).copied().flatten()))
                .collect(),
            configured: configured_row.map(|g| point(g, g.labels.get(&l.label).copied().flatten())),
            emphasis: false,
        })
        .collect();
    series.push(plot::Series {
        name: "all attacks".to_owned(),
        points: curve_rows.iter().map(|g| point(g, g.detection)).collect(),
        configured: configured_row.map(|g| point(g, g.detection)),
        emphasis: true,
    });
    let benign: u64 = rep
        .labels
        .iter()
        .filter(|l| !l.attack)
        .map(|l| l.records)
        .sum();
    let attacks: u64 = rep
        .labels
        .iter()
        .filter(|l| l.attack)
        .map(|l| l.records)
        .sum();
    let files: Vec<String> = rep
        .files
        .iter()
        .map(|f| {
            std::path::Path::new(f)
                .file_name()
                .map_or_else(|| f.clone(), |n| n.to_string_lossy().into_owned())
        })
        .collect();
    plot::Plot {
        title: "Detection vs false positives over the score threshold (SQLI_PROBA = XSS_PROBA)"
            .to_owned(),
        subtitle: format!(
            "{}: {} attack and {} benign records",
            if files.join(", ").len() <= 70 {
                files.join(", ")
            } else {
                format!("{} files", files.len())
            },
            report::group(attacks),
            report::group(benign)
        ),
        configured_label: format!(
            "configured:\nSQLI_PROBA {}\nXSS_PROBA {}",
            rep.thresholds.sqli, rep.thresholds.xss
        ),
        fp_resolution: if benign > 0 { 1.0 / benign as f64 } else { 0.0 },
        series,
    }
}
