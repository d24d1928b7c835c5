//! Axis limits and tick positions, chosen as matplotlib's defaults choose them
//! (`axes.xmargin = 0.05`, `MaxNLocator` with steps 1, 2, 2.5, 5, 10).

/// An axis: the visible range, the ticks inside it, and how many decimals their labels take.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
    pub decimals: usize,
}

impl Axis {
    /// The axis for data from `lo` to `hi`: widened by `margin` of the span on each side,
    /// with at most `bins` intervals between ticks.
    pub fn new(lo: f64, hi: f64, margin: f64, bins: usize) -> Axis {
        let (mut lo, mut hi) = if lo.is_finite() && hi.is_finite() {
            (lo, hi)
        } else {
            (0.0, 1.0)
        };
        // Keep the widened span finite (data near ±f64::MAX).
        let limit = f64::MAX / 8.0;
        lo = lo.clamp(-limit, limit);
        hi = hi.clamp(-limit, limit);
        if hi - lo <= f64::EPSILON * hi.abs().max(lo.abs()).max(1e-300) {
            // A constant: widen it as matplotlib's `nonsingular` does.
            if lo == 0.0 {
                lo = -0.05;
                hi = 0.05;
            } else {
                let delta = 0.05 * lo.abs();
                lo -= delta;
                hi += delta;
            }
        }
        let span = hi - lo;
        lo -= margin * span;
        hi += margin * span;
        let step = nice_step((hi - lo) / bins.max(1) as f64);
        let first = (lo / step).ceil() as i64;
        // At most bins + 1 ticks fit; the bound only guards against rounding.
        let last = ((hi / step).floor() as i64).min(first.saturating_add(bins as i64 + 1));
        let ticks: Vec<f64> = (first..=last)
            .map(|k| {
                let tick = k as f64 * step;
                if tick == 0.0 { 0.0 } else { tick }
            })
            .collect();
        Axis {
            lo,
            hi,
            ticks,
            decimals: decimals(step),
        }
    }

    /// A tick's label, e.g. `-0.75`, `100`; in scientific notation (`2.5e-9`) where
    /// fixed decimals would be too many or the numbers too large.
    pub fn label(&self, tick: f64) -> String {
        let largest = self.lo.abs().max(self.hi.abs());
        if self.decimals > 6 || largest >= 1e7 {
            if tick == 0.0 {
                return "0".to_string();
            }
            let text = format!("{tick:.3e}");
            let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
            let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
            return format!("{mantissa}e{exponent}");
        }
        let text = format!("{tick:.*}", self.decimals);
        if text.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
            text.trim_start_matches('-').to_string()
        } else {
            text
        }
    }
}

/// The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let scale = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * scale >= raw * (1.0 - 1e-9) {
            return m * scale;
        }
    }
    10.0 * scale
}

/// How many decimals write every multiple of `step` exactly (2.5 → 1, 0.25 → 2, 20 → 0).
fn decimals(step: f64) -> usize {
    (0..=15)
        .find(|&d| {
            let scaled = step * 10f64.powi(d as i32);
            scaled.round() != 0.0 && (scaled - scaled.round()).abs() <= 1e-6 * scaled.abs()
        })
        .unwrap_or(15)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lectures_plots_get_matplotlibs_ticks() {
        // 3x² - 4x + 5 on -5..5: x ticks -4..4 by 2, y ticks 0..100 by 20.
        let x = Axis::new(-5.0, 5.0, 0.05, 9);
        assert_eq!(x.ticks, vec![-4.0, -2.0, 0.0, 2.0, 4.0]);
        assert_eq!((x.lo, x.hi), (-5.5, 5.5));
        let y = Axis::new(11.0 / 3.0, 100.0, 0.05, 9);
        assert_eq!(y.ticks, vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        // tanh: -1.00 to 1.00 by 0.25.
        let t = Axis::new(-0.9999092, 0.9999092, 0.05, 9);
        assert_eq!(t.ticks.len(), 9);
        assert_eq!(t.label(t.ticks[0]), "-1.00");
        assert_eq!(t.label(0.0), "0.00");
    }

    #[test]
    fn constants_and_tiny_ranges_still_get_ticks() {
        assert!(Axis::new(3.0, 3.0, 0.05, 9).ticks.contains(&3.0));
        assert!(!Axis::new(0.0, 0.0, 0.05, 9).ticks.is_empty());
        let tiny = Axis::new(0.0, 1e-7, 0.0, 5);
        assert_eq!(tiny.decimals, 8);
        assert_eq!(tiny.label(tiny.ticks[1]), "2e-8");
        assert_eq!(tiny.label(0.0), "0");
        let huge = Axis::new(-1e308, 1e308, 0.05, 9);
        assert!(
            huge.ticks.len() <= 10 && huge.ticks.iter().all(|t| t.is_finite()),
            "{huge:?}"
        );
        assert_eq!(huge.label(0.0), "0");
    }
}
