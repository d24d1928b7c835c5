//! A plot as text, for a terminal: a chart with axes, tick labels and a legend.
//!
//! One series is drawn in Unicode braille (2×4 dots a character), which gives a
//! smooth curve; several series are drawn a character a point, each with its own
//! mark, so they can be told apart without colour. [`Charset::Ascii`] draws with
//! plain ASCII for terminals that cannot show Unicode.

use super::plot::{axes, series_points};
use super::ticks::Axis;
use crate::output::Plot;

/// Which characters a text chart may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Charset {
    /// Braille and box-drawing characters.
    Unicode,
    /// Only ASCII.
    Ascii,
}

/// The plot area, in characters.
const COLUMNS: usize = 60;
const ROWS: usize = 16;

struct Glyphs {
    vertical: char,
    tick_y: char,
    corner: char,
    horizontal: char,
    tick_x: char,
    marks: &'static [char],
}

const UNICODE: Glyphs = Glyphs {
    vertical: '│',
    tick_y: '┤',
    corner: '└',
    horizontal: '─',
    tick_x: '┬',
    marks: &['•', '×', '∘', '+', '◆', '#'],
};

const ASCII: Glyphs = Glyphs {
    vertical: '|',
    tick_y: '+',
    corner: '+',
    horizontal: '-',
    tick_x: '+',
    marks: &['*', '+', 'o', 'x', '#', '@'],
};

/// The chart as lines of text, ending with a newline.
pub fn text_chart(plot: &Plot, charset: Charset) -> String {
    let glyphs = match charset {
        Charset::Unicode => &UNICODE,
        Charset::Ascii => &ASCII,
    };
    let (x_axis, y_axis) = axes(plot, 6, 5);
    let braille = charset == Charset::Unicode && plot.series.len() == 1;
    let cells = if braille {
        braille_cells(plot, &x_axis, &y_axis)
    } else {
        mark_cells(plot, &x_axis, &y_axis, glyphs)
    };

    let row_of = |y: f64| ((y_axis.hi - y) / (y_axis.hi - y_axis.lo) * (ROWS - 1) as f64).round() as usize;
    let column_of = |x: f64| ((x - x_axis.lo) / (x_axis.hi - x_axis.lo) * (COLUMNS - 1) as f64).round() as usize;
    let mut y_labels: Vec<Option<String>> = vec![None; ROWS];
    for &tick in &y_axis.ticks {
        y_labels[row_of(tick).min(ROWS - 1)] = Some(y_axis.label(tick));
    }
    let margin = y_labels.iter().flatten().map(|l| l.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for (row, line) in cells.iter().enumerate() {
        let (label, axis) = match &y_labels[row] {
            Some(label) => (label.as_str(), glyphs.tick_y),
            None => ("", glyphs.vertical),
        };
        let text: String = line.iter().collect();
        out.push_str(format!("{label:>margin$} {axis}{text}").trim_end());
        out.push('\n');
    }
    let mut axis_line = vec![glyphs.horizontal; COLUMNS];
    let mut x_labels = vec![' '; COLUMNS + 8];
    let mut free_from = 0;
    for &tick in &x_axis.ticks {
        let column = column_of(tick).min(COLUMNS - 1);
        axis_line[column] = glyphs.tick_x;
        let label: Vec<char> = x_axis.label(tick).chars().collect();
        let start = (column + 1).saturating_sub(label.len().div_ceil(2));
        if start >= free_from && start + label.len() <= x_labels.len() {
            x_labels[start..start + label.len()].copy_from_slice(&label);
            free_from = start + label.len() + 1;
        }
    }
    let pad = " ".repeat(margin + 1);
    out.push_str(&format!(
        "{pad}{}{}\n",
        glyphs.corner,
        axis_line.iter().collect::<String>()
    ));
    out.push_str(format!("{pad} {}", x_labels.iter().collect::<String>()).trim_end());
    out.push('\n');
    let legend: Vec<String> = plot
        .series
        .iter()
        .enumerate()
        .map(|(index, series)| {
            let mark = if braille {
                "⠤⠤".to_string()
            } else {
                glyphs.marks[index % glyphs.marks.len()].to_string()
            };
            format!("{mark} {}", series.label)
        })
        .collect();
    out.push_str(&format!("{pad} {}\n", legend.join("   ")));
    out
}

/// Scales a point to a grid of `width` × `height` cells (row 0 at the top). Points far
/// outside (beyond the axes' clamped range) are pulled to within a grid's size of it,
/// so tracing a line to them stays short.
fn to_grid(x: f64, y: f64, x_axis: &Axis, y_axis: &Axis, width: usize, height: usize) -> (i64, i64) {
    let column = (x - x_axis.lo) / (x_axis.hi - x_axis.lo) * (width - 1) as f64;
    let row = (y_axis.hi - y) / (y_axis.hi - y_axis.lo) * (height - 1) as f64;
    let near = |value: f64, size: usize| value.clamp(-(size as f64), 2.0 * size as f64).round() as i64;
    (near(column, width), near(row, height))
}

/// Calls `plot` on every grid point of the segments between consecutive points of
/// each series (Bresenham), so a curve has no gaps.
fn trace(
    plot: &Plot,
    x_axis: &Axis,
    y_axis: &Axis,
    (width, height): (usize, usize),
    mut mark: impl FnMut(usize, usize, usize),
) {
    for (index, series) in plot.series.iter().enumerate() {
        let mut previous: Option<(i64, i64)> = None;
        for (x, y) in series_points(series) {
            let point = to_grid(x, y, x_axis, y_axis, width, height);
            let (mut x0, mut y0) = previous.unwrap_or(point);
            let (x1, y1) = point;
            let (dx, dy) = ((x1 - x0).abs(), -(y1 - y0).abs());
            let (step_x, step_y) = (if x0 < x1 { 1 } else { -1 }, if y0 < y1 { 1 } else { -1 });
            let mut error = dx + dy;
            loop {
                if (0..width as i64).contains(&x0) && (0..height as i64).contains(&y0) {
                    mark(index, x0 as usize, y0 as usize);
                }
                if x0 == x1 && y0 == y1 {
                    break;
                }
                let doubled = 2 * error;
                if doubled >= dy {
                    error += dy;
                    x0 += step_x;
                }
                if doubled <= dx {
                    error += dx;
                    y0 += step_y;
                }
            }
            previous = Some(point);
        }
    }
}

/// One series in braille: each character holds 2 × 4 dots.
fn braille_cells(plot: &Plot, x_axis: &Axis, y_axis: &Axis) -> Vec<Vec<char>> {
    let mut bits = vec![vec![0u8; COLUMNS]; ROWS];
    // The bit of each dot of a braille cell, by (column, row) inside the cell.
    const DOTS: [[u8; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];
    trace(plot, x_axis, y_axis, (COLUMNS * 2, ROWS * 4), |_, x, y| {
        bits[y / 4][x / 2] |= DOTS[x % 2][y % 4];
    });
    bits.iter()
        .map(|row| {
            row.iter()
                .map(|&b| {
                    if b == 0 {
                        ' '
                    } else {
                        char::from_u32(0x2800 + u32::from(b)).unwrap_or('•')
                    }
                })
                .collect()
        })
        .collect()
}

/// Each series with its own mark, one point a character; later series draw on top.
fn mark_cells(plot: &Plot, x_axis: &Axis, y_axis: &Axis, glyphs: &Glyphs) -> Vec<Vec<char>> {
    let mut cells = vec![vec![' '; COLUMNS]; ROWS];
    trace(plot, x_axis, y_axis, (COLUMNS, ROWS), |series, x, y| {
        cells[y][x] = glyphs.marks[series % glyphs.marks.len()];
    });
    cells
}
