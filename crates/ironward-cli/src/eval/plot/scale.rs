//! The plot's scales: a log10 scale for false-positive rates (with a slot for zero, which a
//! log axis cannot hold) and a linear scale for detection rates, zoomed to the band the data
//! occupies, with their tick positions and labels.

/// A linear map from a domain to pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LinearScale {
    /// Domain start.
    pub(crate) d0: f64,
    /// Domain end.
    pub(crate) d1: f64,
    /// Pixel of `d0`.
    pub(crate) r0: f64,
    /// Pixel of `d1`.
    pub(crate) r1: f64,
}

/// The lower ends the detection axis may start at; it always ends at 100 %.
const DETECTION_FLOORS: [f64; 7] = [0.99, 0.98, 0.95, 0.9, 0.8, 0.5, 0.0];

impl LinearScale {
    /// The pixel of `v` (values outside the domain extrapolate; an empty domain maps to `r0`).
    pub(crate) fn map(&self, v: f64) -> f64 {
        let span = self.d1 - self.d0;
        if span == 0.0 || !span.is_finite() {
            return self.r0;
        }
        self.r0 + (v - self.d0) / span * (self.r1 - self.r0)
    }

    /// A detection axis from the highest of [`DETECTION_FLOORS`] that stays a little under
    /// every value, to 100 %: curves that differ by tenths of a percent stay readable.
    pub(crate) fn detection(values: &[f64], r0: f64, r1: f64) -> LinearScale {
        let min = values
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(1.0f64, f64::min);
        let d0 = DETECTION_FLOORS
            .into_iter()
            .find(|f| *f <= min - 0.002)
            .unwrap_or(0.0);
        LinearScale {
            d0,
            d1: 1.0,
            r0,
            r1,
        }
    }

    /// Five equal steps from `d0` to `d1`, with their labels as percentages.
    pub(crate) fn percent_ticks(&self) -> Vec<(f64, String)> {
        (0..=5)
            .map(|i| {
                let v = self.d0 + (self.d1 - self.d0) * f64::from(i) / 5.0;
                (self.map(v), percent_label(v))
            })
            .collect()
    }
}

/// A rate as a short percentage label: `0.984` → `98.4 %`, `0.01` → `1 %`, `5e-5` →
/// `0.005 %`.
pub(crate) fn percent_label(v: f64) -> String {
    let p = v * 100.0;
    let mut digits = 0usize;
    while digits < 8 && (p * 10f64.powi(digits as i32)).round() == 0.0 && p != 0.0 {
        digits += 1;
    }
    let s = format!("{p:.prec$}", prec = digits + 1);
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    format!("{s} %")
}

/// Pixels left between the `0` tick and the first decade when some value is zero.
pub(crate) const ZERO_GAP: f64 = 36.0;

/// A log10 map from whole decades `10^lo..10^hi` to pixels, with an optional slot at the start
/// for zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LogScale {
    /// Exponent of the first decade.
    pub(crate) lo: i32,
    /// Exponent of the last decade.
    pub(crate) hi: i32,
    /// Pixel of zero (or of `10^lo` when there is no zero slot).
    pub(crate) r0: f64,
    /// Pixel of `10^hi`.
    pub(crate) r1: f64,
    /// Pixels between zero and `10^lo` (0: no zero slot).
    pub(crate) gap: f64,
}

impl LogScale {
    /// The smallest range of whole decades, at most up to `10^0`, that holds every non-zero
    /// value; `floor` (the data's resolution) stands in when no value is above zero. Keeps a
    /// slot for zero when some value is zero.
    pub(crate) fn fit(values: &[f64], floor: f64, r0: f64, r1: f64) -> LogScale {
        let positive = values.iter().copied().filter(|v| *v > 0.0 && v.is_finite());
        let (min, max) = positive.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        let (min, max) = if min.is_finite() {
            (min, max)
        } else {
            let f = if floor > 0.0 && floor.is_finite() {
                floor.min(1.0)
            } else {
                1e-4
            };
            (f, f)
        };
        let hi = (max.log10().ceil() as i32).min(0);
        let lo = (min.log10().floor() as i32).min(hi - 1);
        let zero = values.iter().any(|v| *v <= 0.0);
        LogScale {
            lo,
            hi,
            r0,
            r1,
            gap: if zero { ZERO_GAP } else { 0.0 },
        }
    }

    /// The pixel of `v`: zero (and below) at `r0`, values under `10^lo` at the first decade.
    pub(crate) fn map(&self, v: f64) -> f64 {
        if v <= 0.0 || v.is_nan() {
            return self.r0;
        }
        let start = self.r0 + self.gap;
        let decades = f64::from((self.hi - self.lo).max(1));
        let t = ((v.log10() - f64::from(self.lo)) / decades).clamp(0.0, 1.0);
        start + t * (self.r1 - start)
    }

    /// The labelled ticks, left to right: `0` when there is a zero slot, then each decade as
    /// a percentage, and 2× and 5× each decade when the axis spans at most two decades.
    pub(crate) fn ticks(&self) -> Vec<(f64, String)> {
        let mut out = Vec::new();
        if self.gap > 0.0 {
            out.push((self.r0, "0".to_owned()));
        }
        let between: &[f64] = if self.hi - self.lo <= 2 {
            &[2.0, 5.0]
        } else {
            &[]
        };
        for e in self.lo..=self.hi {
            let decade = 10f64.powi(e);
            out.push((self.map(decade), percent_label(decade)));
            if e < self.hi {
                out.extend(
                    between
                        .iter()
                        .map(|k| (self.map(k * decade), percent_label(k * decade))),
                );
            }
        }
        out
    }

    /// Unlabelled ticks at 2..9 × each decade.
    pub(crate) fn minor_ticks(&self) -> Vec<f64> {
        let mut out = Vec::new();
        for e in self.lo..self.hi {
            for k in 2..10 {
                out.push(self.map(f64::from(k) * 10f64.powi(e)));
            }
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn linear_scale_maps_ends_and_middle_and_survives_an_empty_domain() {
        let y = LinearScale {
            d0: 0.0,
            d1: 1.0,
            r0: 480.0,
            r1: 80.0,
        };
        assert!(close(y.map(0.0), 480.0));
        assert!(close(y.map(1.0), 80.0));
        assert!(close(y.map(0.25), 380.0));
        let flat = LinearScale { d1: 0.0, ..y };
        assert!(close(flat.map(0.5), 480.0));
    }

    #[test]
    fn the_detection_axis_zooms_to_the_data() {
        let y = |v: &[f64]| LinearScale::detection(v, 480.0, 80.0).d0;
        assert_eq!(y(&[0.974, 0.975]), 0.95);
        assert_eq!(y(&[0.999]), 0.99);
        assert_eq!(y(&[0.981]), 0.95); // too close to 98 % to start there
        assert_eq!(y(&[0.6, 1.0]), 0.5);
        assert_eq!(y(&[0.0]), 0.0);
        assert_eq!(y(&[]), 0.99);
        assert_eq!(y(&[f64::NAN, 0.85]), 0.8);
        let ticks: Vec<_> = LinearScale::detection(&[0.93], 480.0, 80.0)
            .percent_ticks()
            .into_iter()
            .map(|t| t.1)
            .collect();
        assert_eq!(ticks, ["90 %", "92 %", "94 %", "96 %", "98 %", "100 %"]);
        let ticks = LinearScale::detection(&[0.995], 480.0, 80.0).percent_ticks();
        assert_eq!(ticks[1].1, "99.2 %");
        assert!(close(ticks[5].0, 80.0));
    }

    #[test]
    fn percent_labels_are_short() {
        assert_eq!(percent_label(1.0), "100 %");
        assert_eq!(percent_label(0.01), "1 %");
        assert_eq!(percent_label(0.984), "98.4 %");
        assert_eq!(percent_label(0.001), "0.1 %");
        assert_eq!(percent_label(5e-5), "0.005 %");
        assert_eq!(percent_label(1e-6), "0.0001 %");
        assert_eq!(percent_label(0.0), "0 %");
    }

    #[test]
    fn log_scale_spreads_decades_evenly() {
        let x = LogScale {
            lo: -4,
            hi: 0,
            r0: 100.0,
            r1: 500.0,
            gap: 0.0,
        };
        assert!(close(x.map(1e-4), 100.0));
        assert!(close(x.map(1e-3), 200.0));
        assert!(close(x.map(1e-2), 300.0));
        assert!(close(x.map(1.0), 500.0));
        // Below the first decade: clamped; zero: the left edge.
        assert!(close(x.map(1e-9), 100.0));
        assert!(close(x.map(0.0), 100.0));
        assert!(close(x.map(f64::NAN), 100.0));
        let ticks: Vec<_> = x.ticks().into_iter().map(|t| t.1).collect();
        assert_eq!(ticks, ["0.01 %", "0.1 %", "1 %", "10 %", "100 %"]);
        assert_eq!(x.minor_ticks().len(), 4 * 8);
    }

    #[test]
    fn a_short_log_axis_labels_2_and_5_too() {
        let x = LogScale {
            lo: -2,
            hi: -1,
            r0: 0.0,
            r1: 100.0,
            gap: 0.0,
        };
        let ticks: Vec<_> = x.ticks().into_iter().map(|t| t.1).collect();
        assert_eq!(ticks, ["1 %", "2 %", "5 %", "10 %"]);
        assert!(x.ticks().windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn log_scale_keeps_a_slot_for_zero() {
        let x = LogScale::fit(&[0.0, 0.003, 0.02], 1e-5, 100.0, 500.0);
        assert_eq!((x.lo, x.hi), (-3, -1));
        assert!(close(x.gap, ZERO_GAP));
        assert!(close(x.map(0.0), 100.0));
        assert!(close(x.map(1e-3), 100.0 + ZERO_GAP));
        assert!(close(x.map(1e-1), 500.0));
        assert_eq!(x.ticks()[0], (100.0, "0".to_owned()));
        assert_eq!(x.ticks()[1].1, "0.1 %");
    }

    #[test]
    fn log_scale_fit_edge_cases() {
        // No value above zero: one decade at the data's resolution.
        let x = LogScale::fit(&[0.0, 0.0], 1.0 / 139_967.0, 0.0, 1.0);
        assert_eq!((x.lo, x.hi), (-6, -5));
        // Nothing at all, no resolution: the decade below 0.01 %, no zero slot.
        let x = LogScale::fit(&[], 0.0, 0.0, 1.0);
        assert_eq!((x.lo, x.hi, x.gap), (-5, -4, 0.0));
        // Everything flagged: the axis ends at 100 % and still spans a decade.
        let x = LogScale::fit(&[1.0], 0.01, 0.0, 1.0);
        assert_eq!((x.lo, x.hi), (-1, 0));
        // An exact decade is not widened.
        let x = LogScale::fit(&[0.001, 0.01], 0.0, 0.0, 1.0);
        assert_eq!((x.lo, x.hi), (-3, -2));
    }
}
