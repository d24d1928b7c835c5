//! Pictures (SPEC §9): pure functions from output data to text.
//!
//! - [`dot_text`]: the graph as Graphviz DOT.
//! - [`graph_svg`]: the graph laid out and drawn by mgrad itself (`layout.rs`), in
//!   micrograd's `draw_dot` look.
//! - [`graph_page`], [`steps_page`], [`plot_page`]: self-contained HTML pages (no
//!   network): the graph with data and grad on hover, backward one step at a time,
//!   a plot.
//! - [`plot_svg`]: a line plot in matplotlib's default look; [`text_chart`]: the same
//!   plot as text for a terminal, in Unicode braille or plain ASCII.
//!
//! Architecture Invariant: nothing here does I/O or reads a clock, and the same data
//! always gives the same bytes (no hashing order, no floating-point text that depends
//! on the platform: numbers are written with a fixed number of decimals).

mod chart;
mod dot;
mod graph;
mod html;
mod layout;
mod plot;
mod ticks;

pub use chart::{Charset, text_chart};
pub use dot::dot_text;
pub use graph::graph_svg;
pub use html::{graph_page, plot_page, steps_page};
pub use plot::plot_svg;

/// The most values a graph picture draws; past this the picture is unreadable (and
/// large), so `dot` and `explain` refuse to draw it and say why.
pub const MAX_DRAWN_NODES: usize = 5000;

/// A coordinate as SVG text: at most two decimals, no trailing zeros, no `-0`.
fn number(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    let text = format!("{rounded:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// Escapes text for XML and HTML content and attribute values.
pub(crate) fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_are_short_and_stable() {
        assert_eq!(number(12.0), "12");
        assert_eq!(number(12.345), "12.35");
        assert_eq!(number(-0.001), "0");
        assert_eq!(number(0.5), "0.5");
    }

    #[test]
    fn markup_is_escaped() {
        assert_eq!(escape_xml("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
