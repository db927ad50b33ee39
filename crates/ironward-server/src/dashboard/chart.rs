//! The overview's "attacks over time" chart: an inline SVG bar chart rendered on the server (no
//! script, no external asset, no inline style: colours come from the stylesheet's classes), with
//! a `<title>` per bar and a data table beside it for screen readers and text browsers.

use super::time;
use maud::{Markup, html};

/// Chart width and height in SVG user units (the SVG scales to its container).
const WIDTH: i64 = 720;
const HEIGHT: i64 = 200;
/// Room for the axis labels.
const LEFT: i64 = 44;
const BOTTOM: i64 = 22;
const TOP: i64 = 8;

/// A bar chart of `counts` (one per bucket of `bucket` seconds from `start`); `label` is the
/// chart's accessible name.
pub(crate) fn bars(label: &str, start: i64, bucket: i64, counts: &[i64]) -> Markup {
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let n = i64::try_from(counts.len()).unwrap_or(1).max(1);
    let plot_w = WIDTH - LEFT - 4;
    let plot_h = HEIGHT - BOTTOM - TOP;
    let slot = plot_w as f64 / n as f64;
    let bar_w = (slot * 0.8).max(1.0);
    let multi_day = bucket * n > 86_400;
    let ticks = [0, n / 2, n - 1];
    html! {
        svg.chart viewBox={"0 0 " (WIDTH) " " (HEIGHT)} role="img" aria-label=(label)
            xmlns="http://www.w3.org/2000/svg" {
            // Axes and the maximum.
            line.axis x1=(LEFT) y1=(TOP) x2=(LEFT) y2=(HEIGHT - BOTTOM) {}
            line.axis x1=(LEFT) y1=(HEIGHT - BOTTOM) x2=(WIDTH - 4) y2=(HEIGHT - BOTTOM) {}
            text.label x=(LEFT - 6) y=(TOP + 10) text-anchor="end" { (max) }
            text.label x=(LEFT - 6) y=(HEIGHT - BOTTOM) text-anchor="end" { "0" }
            @for (i, count) in counts.iter().enumerate() {
                @let i = i64::try_from(i).unwrap_or(0);
                @let h = (*count as f64 / max as f64 * plot_h as f64).round();
                @let x = LEFT as f64 + 2.0 + i as f64 * slot;
                @let y = (HEIGHT - BOTTOM) as f64 - h;
                rect.bar x=(format!("{x:.1}")) y=(format!("{y:.1}")) width=(format!("{bar_w:.1}"))
                    height=(format!("{h:.1}")) {
                    title { (count) " from " (time::utc(start + i * bucket)) }
                }
            }
            @for i in ticks {
                @let x = LEFT as f64 + 2.0 + i as f64 * slot + bar_w / 2.0;
                text.label x=(format!("{x:.1}")) y=(HEIGHT - 6) text-anchor="middle" {
                    (time::short(start + i * bucket, multi_day))
                }
            }
        }
    }
}

/// The chart's data as a table (inside a `<details>` under the chart).
pub(crate) fn table(start: i64, bucket: i64, counts: &[i64]) -> Markup {
    html! {
        details {
            summary { "Data of the chart" }
            table {
                caption.sr-only { "Attacks per interval" }
                thead { tr { th scope="col" { "From (UTC)" } th scope="col" { "Attacks" } } }
                tbody {
                    @for (i, count) in counts.iter().enumerate() {
                        @let i = i64::try_from(i).unwrap_or(0);
                        tr { td { (time::utc(start + i * bucket)) } td.num { (count) } }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_drawn() {
        let counts = vec![2, 5, 0];
        let svg = bars("Attacks", 3600, 3600, &counts).into_string();
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains("role=\"img\"") && !svg.contains("style="));
    }
}
