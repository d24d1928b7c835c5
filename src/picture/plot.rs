//! A line plot as SVG, in matplotlib's default look as a notebook shows it: a 6×4 inch
//! figure at 72 dpi, a box of spines, outward ticks, DejaVu Sans at 10 pt, the `tab10`
//! colours, and a legend in the corner where it hides the fewest points.

use svg::Document;
use svg::node::element::{ClipPath, Definitions, Group, Line, Path, Rectangle, Text};

use super::number;
use super::ticks::Axis;
use crate::output::{Plot, Series};

const WIDTH: f64 = 432.0;
const HEIGHT: f64 = 288.0;
const FONT: &str = "DejaVu Sans, Bitstream Vera Sans, Arial, Helvetica, sans-serif";
const FONT_SIZE: f64 = 10.0;
/// The average advance of a digit of DejaVu Sans, as a fraction of the size.
const CHAR_WIDTH: f64 = 0.62 * FONT_SIZE;
const TICK_LENGTH: f64 = 3.5;
const TICK_PAD: f64 = 3.5;
/// matplotlib's `tab10` colour cycle.
pub(super) const COLOURS: [&str; 10] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
];

/// The axes of a plot: x and y ranges with their ticks, over all series' finite points.
pub(super) fn axes(plot: &Plot, x_bins: usize, y_bins: usize) -> (Axis, Axis) {
    let (mut x_lo, mut x_hi, mut y_lo, mut y_hi) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for (x, y) in points(plot) {
        x_lo = x_lo.min(x);
        x_hi = x_hi.max(x);
        y_lo = y_lo.min(y);
        y_hi = y_hi.max(y);
    }
    (Axis::new(x_lo, x_hi, 0.05, x_bins), Axis::new(y_lo, y_hi, 0.05, y_bins))
}

/// Every finite point of every series.
fn points(plot: &Plot) -> impl Iterator<Item = (f64, f64)> + '_ {
    plot.series.iter().flat_map(series_points)
}

pub(super) fn series_points(series: &Series) -> impl Iterator<Item = (f64, f64)> + '_ {
    series
        .x
        .iter()
        .zip(&series.y)
        .map(|(x, y)| (*x, *y))
        .filter(|(x, y)| x.is_finite() && y.is_finite())
}

/// The plot as an SVG document.
pub fn plot_svg(plot: &Plot) -> String {
    // The axes box, as matplotlib's subplot parameters place it (left .125, right .9,
    // bottom .125, top .88), widened on the left if the y labels need it.
    let top = HEIGHT * (1.0 - 0.88);
    let bottom = HEIGHT * (1.0 - 0.125);
    let right = WIDTH * 0.9;
    let x_bins = (((right - WIDTH * 0.125) / (FONT_SIZE * 3.0)) as usize).clamp(1, 9);
    let y_bins = (((bottom - top) / (FONT_SIZE * 2.0)) as usize).clamp(1, 9);
    let (x_axis, y_axis) = axes(plot, x_bins, y_bins);
    let label_width = y_axis
        .ticks
        .iter()
        .map(|t| y_axis.label(*t).chars().count() as f64 * CHAR_WIDTH)
        .fold(0.0, f64::max);
    let left = (WIDTH * 0.125).max(label_width + TICK_LENGTH + TICK_PAD + 6.0);
    // Points beyond the axes' (clamped) range are drawn just outside the picture, where
    // the clip hides them; `x - lo` can overflow to infinity near f64::MAX.
    let outside = |value: f64, size: f64| value.clamp(-size, 2.0 * size);
    let sx = |x: f64| outside(left + (x - x_axis.lo) / (x_axis.hi - x_axis.lo) * (right - left), WIDTH);
    let sy = |y: f64| {
        outside(
            bottom - (y - y_axis.lo) / (y_axis.hi - y_axis.lo) * (bottom - top),
            HEIGHT,
        )
    };

    let clip = ClipPath::new().set("id", "axes").add(
        Rectangle::new()
            .set("x", number(left))
            .set("y", number(top))
            .set("width", number(right - left))
            .set("height", number(bottom - top)),
    );
    let mut document = Document::new()
        .set("width", WIDTH)
        .set("height", HEIGHT)
        .set("viewBox", format!("0 0 {WIDTH} {HEIGHT}"))
        .set("font-family", FONT)
        .set("font-size", FONT_SIZE)
        .add(Definitions::new().add(clip))
        .add(
            Rectangle::new()
                .set("width", "100%")
                .set("height", "100%")
                .set("fill", "#fff"),
        );

    let mut lines = Group::new().set("clip-path", "url(#axes)").set("fill", "none");
    for (index, series) in plot.series.iter().enumerate() {
        let mut d = String::new();
        let mut pen_down = false;
        for (x, y) in series.x.iter().zip(&series.y) {
            if !(x.is_finite() && y.is_finite()) {
                pen_down = false;
                continue;
            }
            d.push_str(if pen_down { " L" } else { " M" });
            d.push_str(&format!("{},{}", number(sx(*x)), number(sy(*y))));
            pen_down = true;
        }
        lines = lines.add(
            Path::new()
                .set("class", "series")
                .set("d", d.trim_start().to_string())
                .set("stroke", COLOURS[index % COLOURS.len()])
                .set("stroke-width", 1.5)
                .set("stroke-linecap", "square")
                .set("stroke-linejoin", "round"),
        );
    }
    document = document.add(lines);

    let mut ticks = Group::new().set("stroke", "#000").set("stroke-width", 0.8);
    let mut labels = Group::new().set("fill", "#000");
    for &tick in &x_axis.ticks {
        let x = number(sx(tick));
        ticks = ticks.add(
            Line::new()
                .set("x1", x.clone())
                .set("y1", number(bottom))
                .set("x2", x.clone())
                .set("y2", number(bottom + TICK_LENGTH)),
        );
        labels = labels.add(
            Text::new(minus(&x_axis.label(tick)))
                .set("x", x)
                .set("y", number(bottom + TICK_LENGTH + TICK_PAD + FONT_SIZE * 0.76))
                .set("text-anchor", "middle"),
        );
    }
    for &tick in &y_axis.ticks {
        let y = number(sy(tick));
        ticks = ticks.add(
            Line::new()
                .set("x1", number(left - TICK_LENGTH))
                .set("y1", y.clone())
                .set("x2", number(left))
                .set("y2", y.clone()),
        );
        labels = labels.add(
            Text::new(minus(&y_axis.label(tick)))
                .set("x", number(left - TICK_LENGTH - TICK_PAD))
                .set("y", number(sy(tick) + FONT_SIZE * 0.36))
                .set("text-anchor", "end"),
        );
    }
    let spines = Rectangle::new()
        .set("x", number(left))
        .set("y", number(top))
        .set("width", number(right - left))
        .set("height", number(bottom - top))
        .set("fill", "none")
        .set("stroke", "#000")
        .set("stroke-width", 0.8);
    document = document.add(spines).add(ticks).add(labels);
    document = document.add(legend(plot, (left, top, right, bottom), &sx, &sy));
    document.to_string() + "\n"
}

/// matplotlib writes negative numbers with a true minus sign.
fn minus(text: &str) -> String {
    text.replace('-', "\u{2212}")
}

/// The legend: a framed box with a line sample and the label of each series, in the
/// corner or edge (matplotlib's "best") that covers the fewest points.
fn legend(
    plot: &Plot,
    (left, top, right, bottom): (f64, f64, f64, f64),
    sx: &dyn Fn(f64) -> f64,
    sy: &dyn Fn(f64) -> f64,
) -> Group {
    let pad = 0.4 * FONT_SIZE;
    let handle = 2.0 * FONT_SIZE;
    let gap = 0.8 * FONT_SIZE;
    let row = FONT_SIZE * 1.5;
    let text_width = plot
        .series
        .iter()
        .map(|s| s.label.chars().count() as f64 * CHAR_WIDTH)
        .fold(0.0, f64::max);
    let width = 2.0 * pad + handle + gap + text_width;
    let height = 2.0 * pad + row * plot.series.len() as f64 - 0.5 * FONT_SIZE + 0.2 * FONT_SIZE;
    let inset = 0.5 * FONT_SIZE;
    let (x_mid, y_mid) = ((left + right - width) / 2.0, (top + bottom - height) / 2.0);
    let (x_left, x_right) = (left + inset, right - inset - width);
    let (y_top, y_bottom) = (top + inset, bottom - inset - height);
    // matplotlib's order of preference: upper right, upper left, lower left, lower
    // right, right, center left, center right, lower center, upper center, center.
    let candidates = [
        (x_right, y_top),
        (x_left, y_top),
        (x_left, y_bottom),
        (x_right, y_bottom),
        (x_right, y_mid),
        (x_left, y_mid),
        (x_right, y_mid),
        (x_mid, y_bottom),
        (x_mid, y_top),
        (x_mid, y_mid),
    ];
    let covered = |(bx, by): (f64, f64)| {
        points(plot)
            .filter(|&(x, y)| {
                let (px, py) = (sx(x), sy(y));
                px >= bx && px <= bx + width && py >= by && py <= by + height
            })
            .count()
    };
    let mut best = candidates[0];
    let mut best_count = covered(best);
    for candidate in &candidates[1..] {
        let count = covered(*candidate);
        if count < best_count {
            best = *candidate;
            best_count = count;
        }
    }
    let (bx, by) = best;
    let mut group = Group::new().set("class", "legend").add(
        Rectangle::new()
            .set("x", number(bx))
            .set("y", number(by))
            .set("width", number(width))
            .set("height", number(height))
            .set("rx", 2)
            .set("fill", "#fff")
            .set("fill-opacity", 0.8)
            .set("stroke", "#ccc")
            .set("stroke-width", 0.8),
    );
    for (index, series) in plot.series.iter().enumerate() {
        let y = by + pad + FONT_SIZE * 0.6 + row * index as f64;
        group = group
            .add(
                Line::new()
                    .set("x1", number(bx + pad))
                    .set("y1", number(y))
                    .set("x2", number(bx + pad + handle))
                    .set("y2", number(y))
                    .set("stroke", COLOURS[index % COLOURS.len()])
                    .set("stroke-width", 1.5),
            )
            .add(
                Text::new(series.label.clone())
                    .set("x", number(bx + pad + handle + gap))
                    .set("y", number(y + FONT_SIZE * 0.36)),
            );
    }
    group
}
