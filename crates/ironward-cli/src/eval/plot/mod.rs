//! The `--plot` chart: detection rate against false-positive rate over the score threshold,
//! written as a self-contained SVG by hand (no plotting dependency).
//!
//! x is the false-positive rate on a log scale (false-positive rates are tiny and span
//! decades); a rate of exactly 0 cannot sit on a log axis, so it gets its own tick `0` at the
//! left edge, before the first decade. y is the detection rate, linear up to 100 % from a
//! round lower end just under the lowest point (see [`scale`]). There
//! is one polyline per series (each attack label, and all attacks together, drawn thicker),
//! one point per threshold of the grid, and a diamond on each series at the configured
//! thresholds. Hovering a point shows its threshold and rates (SVG `<title>`).

mod scale;

use scale::{LinearScale, LogScale};
use std::fmt::Write;

/// One point of a curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Point {
    /// The score threshold (`SQLI_PROBA` = `XSS_PROBA`).
    pub(crate) threshold: f64,
    /// The false-positive rate, 0..1.
    pub(crate) fp_rate: f64,
    /// The detection rate, 0..1.
    pub(crate) detection: f64,
}

/// One curve.
#[derive(Debug, Clone)]
pub(crate) struct Series {
    /// Its name in the legend.
    pub(crate) name: String,
    /// The grid points, in threshold order.
    pub(crate) points: Vec<Point>,
    /// The point of the configured thresholds.
    pub(crate) configured: Option<Point>,
    /// Drawn thicker and in black (the overall curve).
    pub(crate) emphasis: bool,
}

/// Everything drawn.
#[derive(Debug, Clone)]
pub(crate) struct Plot {
    /// The first title line.
    pub(crate) title: String,
    /// The second title line (files, counts).
    pub(crate) subtitle: String,
    /// The legend entry of the configured marker.
    pub(crate) configured_label: String,
    /// The smallest non-zero false-positive rate the data can show (1 / benign records); sets
    /// the axis when no point has a non-zero rate.
    pub(crate) fp_resolution: f64,
    /// The curves.
    pub(crate) series: Vec<Series>,
}

/// Escapes text for SVG content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Colours of the attack series, in order (the overall curve is black).
const PALETTE: [&str; 10] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f",
];

const WIDTH: f64 = 900.0;
const HEIGHT: f64 = 560.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 650.0;
const TOP: f64 = 70.0;
const BOTTOM: f64 = 480.0;

fn color(series: &Series, i: usize) -> &'static str {
    if series.emphasis {
        "black"
    } else {
        PALETTE[i % PALETTE.len()]
    }
}

fn pct(v: f64) -> String {
    format!("{:.4} %", v * 100.0)
}

/// Draws the plot.
pub(crate) fn render(plot: &Plot) -> String {
    let mut fps: Vec<f64> = Vec::new();
    for s in &plot.series {
        fps.extend(s.points.iter().chain(&s.configured).map(|p| p.fp_rate));
    }
    let x = LogScale::fit(&fps, plot.fp_resolution, LEFT, RIGHT);
    let detections: Vec<f64> = plot
        .series
        .iter()
        .flat_map(|s| s.points.iter().chain(&s.configured).map(|p| p.detection))
        .collect();
    let y = LinearScale::detection(&detections, BOTTOM, TOP);
    let mut s = String::with_capacity(16 * 1024);
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(
        s,
        r#"<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="white"/>"#
    );
    let _ = writeln!(
        s,
        r#"<text x="{LEFT}" y="26" font-size="16" font-weight="bold">{}</text>"#,
        escape(&plot.title)
    );
    let _ = writeln!(
        s,
        r##"<text x="{LEFT}" y="46" fill="#555">{}</text>"##,
        escape(&plot.subtitle)
    );
    axes(&mut s, &x, &y);
    // The overall curve first, so that a label's curve on top of it stays visible.
    let mut order: Vec<usize> = (0..plot.series.len()).collect();
    order.sort_by_key(|i| !plot.series[*i].emphasis);
    for i in order {
        let series = &plot.series[i];
        curve(&mut s, series, color(series, i), &x, &y);
    }
    legend(&mut s, plot);
    s.push_str("</svg>\n");
    s
}

fn axes(s: &mut String, x: &LogScale, y: &LinearScale) {
    s.push_str(r##"<g stroke="#e4e4e4" stroke-width="1">"##);
    s.push('\n');
    for (py, _) in y.percent_ticks() {
        let _ = writeln!(
            s,
            r#"<line x1="{LEFT}" y1="{py:.1}" x2="{RIGHT}" y2="{py:.1}"/>"#
        );
    }
    for (px, _) in x.ticks() {
        let _ = writeln!(
            s,
            r#"<line x1="{px:.1}" y1="{TOP}" x2="{px:.1}" y2="{BOTTOM}"/>"#
        );
    }
    s.push_str("</g>\n");
    s.push_str(r#"<g stroke="black" stroke-width="1">"#);
    s.push('\n');
    let _ = writeln!(
        s,
        r#"<line x1="{LEFT}" y1="{BOTTOM}" x2="{RIGHT}" y2="{BOTTOM}"/>"#
    );
    let _ = writeln!(
        s,
        r#"<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{BOTTOM}"/>"#
    );
    for (px, _) in x.ticks() {
        let _ = writeln!(
            s,
            r#"<line x1="{px:.1}" y1="{BOTTOM}" x2="{px:.1}" y2="{:.1}"/>"#,
            BOTTOM + 6.0
        );
    }
    for px in x.minor_ticks() {
        let _ = writeln!(
            s,
            r#"<line x1="{px:.1}" y1="{BOTTOM}" x2="{px:.1}" y2="{:.1}"/>"#,
            BOTTOM + 3.0
        );
    }
    for (py, _) in y.percent_ticks() {
        let _ = writeln!(
            s,
            r#"<line x1="{:.1}" y1="{py:.1}" x2="{LEFT}" y2="{py:.1}"/>"#,
            LEFT - 6.0
        );
    }
    s.push_str("</g>\n");
    for (px, label) in x.ticks() {
        let _ = writeln!(
            s,
            r#"<text x="{px:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            BOTTOM + 20.0,
            escape(&label)
        );
    }
    if x.gap > 0.0 {
        // Marks the break between the zero slot and the first decade.
        let bx = x.r0 + x.gap / 2.0;
        let _ = writeln!(
            s,
            r#"<text x="{bx:.1}" y="{:.1}" text-anchor="middle">//</text>"#,
            BOTTOM + 4.0
        );
    }
    for (py, label) in y.percent_ticks() {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{label}</text>"#,
            LEFT - 10.0,
            py + 4.0
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">false-positive rate: benign records flagged (log scale)</text>"#,
        (LEFT + RIGHT) / 2.0,
        BOTTOM + 45.0
    );
    let _ = writeln!(
        s,
        r#"<text transform="translate(24 {:.1}) rotate(-90)" text-anchor="middle">detection rate: attack records flagged</text>"#,
        (TOP + BOTTOM) / 2.0
    );
}

fn point_title(name: &str, p: &Point) -> String {
    escape(&format!(
        "{name}: threshold {:.2}, detection {}, false positives {}",
        p.threshold,
        pct(p.detection),
        pct(p.fp_rate)
    ))
}

fn curve(s: &mut String, series: &Series, color: &str, x: &LogScale, y: &LinearScale) {
    let width = if series.emphasis { 3.0 } else { 1.8 };
    let mut points = String::new();
    for p in &series.points {
        let _ = write!(points, "{:.1},{:.1} ", x.map(p.fp_rate), y.map(p.detection));
    }
    let _ = writeln!(
        s,
        r#"<polyline fill="none" stroke="{color}" stroke-width="{width}" stroke-linejoin="round" points="{}"><title>{}</title></polyline>"#,
        points.trim_end(),
        escape(&series.name)
    );
    for p in &series.points {
        let _ = writeln!(
            s,
            r#"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="{color}"><title>{}</title></circle>"#,
            x.map(p.fp_rate),
            y.map(p.detection),
            point_title(&series.name, p)
        );
    }
    if series.emphasis {
        // Threshold values along the overall curve, where they do not overlap.
        let mut last: Option<(f64, f64)> = None;
        for p in &series.points {
            let (px, py) = (x.map(p.fp_rate), y.map(p.detection));
            if last.is_some_and(|(lx, ly)| (px - lx).hypot(py - ly) < 28.0) {
                continue;
            }
            last = Some((px, py));
            let _ = writeln!(
                s,
                r##"<text x="{:.1}" y="{:.1}" font-size="10" fill="#333">{:.2}</text>"##,
                px + 5.0,
                py - 5.0,
                p.threshold
            );
        }
    }
    if let Some(p) = &series.configured {
        let (px, py) = (x.map(p.fp_rate), y.map(p.detection));
        let _ = writeln!(
            s,
            r#"<path d="{}" fill="{color}" stroke="black" stroke-width="1"><title>{} (configured)</title></path>"#,
            diamond(px, py, 6.0),
            point_title(&series.name, p)
        );
    }
}

fn diamond(x: f64, y: f64, r: f64) -> String {
    format!(
        "M {x:.1} {:.1} L {:.1} {y:.1} L {x:.1} {:.1} L {:.1} {y:.1} Z",
        y - r,
        x + r,
        y + r,
        x - r
    )
}

fn legend(s: &mut String, plot: &Plot) {
    let lx = RIGHT + 24.0;
    let mut ly = TOP + 6.0;
    for (i, series) in plot.series.iter().enumerate() {
        let (color, width) = (color(series, i), if series.emphasis { 3.0 } else { 1.8 });
        let _ = writeln!(
            s,
            r#"<line x1="{lx:.1}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="{color}" stroke-width="{width}"/>"#,
            lx + 24.0
        );
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}">{}</text>"#,
            lx + 30.0,
            ly + 4.0,
            escape(&series.name)
        );
        ly += 20.0;
    }
    ly += 6.0;
    let _ = writeln!(
        s,
        r#"<path d="{}" fill="white" stroke="black" stroke-width="1"/>"#,
        diamond(lx + 12.0, ly, 6.0)
    );
    for (k, line) in plot.configured_label.split('\n').enumerate() {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}">{}</text>"#,
            lx + 30.0,
            ly + 4.0 + 15.0 * k as f64,
            escape(line)
        );
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a<b & \"c\"\n"), "a&lt;b &amp; &quot;c&quot; ");
    }

    #[test]
    fn renders_a_complete_document() {
        let p = |t: f64, fp: f64, d: f64| Point {
            threshold: t,
            fp_rate: fp,
            detection: d,
        };
        let plot = Plot {
            title: "t".to_owned(),
            subtitle: "a & b".to_owned(),
            configured_label: "configured\nSQLI_PROBA 0.70".to_owned(),
            fp_resolution: 1e-3,
            series: vec![
                Series {
                    name: "sqli".to_owned(),
                    points: vec![p(0.1, 0.01, 0.9), p(0.5, 0.0, 0.5)],
                    configured: Some(p(0.7, 0.0, 0.4)),
                    emphasis: false,
                },
                Series {
                    name: "<all>".to_owned(),
                    points: vec![p(0.1, 0.01, 0.8), p(0.5, 0.0, 0.4)],
                    configured: None,
                    emphasis: true,
                },
            ],
        };
        let svg = render(&plot);
        assert!(svg.starts_with("<svg "));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 4);
        assert!(svg.contains("&lt;all&gt;"));
        assert!(svg.contains("a &amp; b"));
        assert!(svg.contains("(configured)"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        // Every element opened is closed.
        for tag in ["text", "polyline", "circle", "g", "title"] {
            let open =
                svg.matches(&format!("<{tag} ")).count() + svg.matches(&format!("<{tag}>")).count();
            assert_eq!(open, svg.matches(&format!("</{tag}>")).count(), "{tag}");
        }
    }
}
