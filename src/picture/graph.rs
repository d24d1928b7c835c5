//! The graph as an SVG picture in micrograd's `draw_dot` look: left to right, a
//! record per value (`label | data 2.0000 | grad 6.0000`), a small circle per op.

use svg::Document;
use svg::node::element::{Circle, Definitions, Group, Line, Marker, Path, Polygon, Rectangle, Text};

use super::layout::{LayoutInput, layout};
use super::number;
use crate::output::{GraphPicture, NodeRow};

/// The font: monospaced, so the width of any text is known without font metrics.
pub(super) const FONT: &str = "DejaVu Sans Mono, Menlo, Consolas, monospace";
const FONT_SIZE: f64 = 14.0;
/// The advance of one character of the font, as a fraction of its size.
const CHAR_WIDTH: f64 = 0.6 * FONT_SIZE;
const CELL_PAD: f64 = 8.0;
const RECORD_HEIGHT: f64 = 30.0;
const MIN_RADIUS: f64 = 15.0;

/// How wide `text` is drawn, in pixels.
fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * CHAR_WIDTH
}

/// The three cells of a value's record, as micrograd writes them.
pub(super) fn record_cells(node: &NodeRow) -> [String; 3] {
    [
        node.label.clone().unwrap_or_default(),
        format!("data {:.4}", node.data),
        format!("grad {:.4}", node.grad),
    ]
}

fn cell_widths(cells: &[String; 3]) -> [f64; 3] {
    cells
        .each_ref()
        .map(|cell| text_width(cell).max(CHAR_WIDTH) + 2.0 * CELL_PAD)
}

fn op_radius(op: &str) -> f64 {
    (text_width(op) / 2.0 + 6.0).max(MIN_RADIUS)
}

/// The graph as an SVG document. Each value is a `<g class="node" id="n{i}">` with its
/// data and grad in `data-data` and `data-grad`; each op a `<g class="op" id="o{i}">`;
/// each edge a `<path class="edge">` with `data-from` and `data-to` (value indexes),
/// so that a page can find and highlight them.
pub fn graph_svg(graph: &GraphPicture) -> String {
    // Vertices: the values first (vertex i is value i), then an op circle per computed value.
    let cells: Vec<[String; 3]> = graph.nodes.iter().map(record_cells).collect();
    let mut sizes: Vec<(f64, f64)> = cells
        .iter()
        .map(|cells| (cell_widths(cells).iter().sum(), RECORD_HEIGHT))
        .collect();
    let mut op_vertex = vec![None; graph.nodes.len()];
    let mut edges = Vec::new();
    for (index, node) in graph.nodes.iter().enumerate() {
        if !node.op.is_empty() {
            let radius = op_radius(&node.op);
            op_vertex[index] = Some(sizes.len());
            edges.push((sizes.len(), index));
            sizes.push((2.0 * radius, 2.0 * radius));
        }
    }
    let value_edges_start = edges.len();
    for edge in &graph.edges {
        let target = op_vertex[edge.to].unwrap_or(edge.to);
        edges.push((edge.from, target));
    }
    let placed = layout(&LayoutInput { sizes, edges });

    let arrow = Marker::new()
        .set("id", "arrow")
        .set("viewBox", "0 0 10 10")
        .set("refX", 10)
        .set("refY", 5)
        .set("markerUnits", "userSpaceOnUse")
        .set("markerWidth", 8)
        .set("markerHeight", 8)
        .set("orient", "auto")
        .add(Polygon::new().set("points", "0,0 10,5 0,10").set("fill", "#000"));
    let mut document = Document::new()
        .set("width", number(placed.width))
        .set("height", number(placed.height))
        .set(
            "viewBox",
            format!("0 0 {} {}", number(placed.width), number(placed.height)),
        )
        .set("font-family", FONT)
        .set("font-size", FONT_SIZE)
        .add(Definitions::new().add(arrow))
        .add(
            Rectangle::new()
                .set("width", "100%")
                .set("height", "100%")
                .set("fill", "#fff"),
        );

    let mut edge_group = Group::new().set("class", "edges");
    for (k, route) in placed.routes.iter().enumerate() {
        let mut path = Path::new()
            .set("d", route_path(route))
            .set("fill", "none")
            .set("stroke", "#000")
            .set("marker-end", "url(#arrow)");
        if k >= value_edges_start {
            let edge = graph.edges[k - value_edges_start];
            path = path
                .set("class", "edge")
                .set("data-from", edge.from)
                .set("data-to", edge.to);
        } else {
            path = path.set("class", "op-edge");
        }
        edge_group = edge_group.add(path);
    }
    document = document.add(edge_group);

    for (index, node) in graph.nodes.iter().enumerate() {
        let (cx, cy) = placed.centers[index];
        let widths = cell_widths(&cells[index]);
        let total: f64 = widths.iter().sum();
        let left = cx - total / 2.0;
        let top = cy - RECORD_HEIGHT / 2.0;
        let mut group = Group::new()
            .set("class", "node")
            .set("id", format!("n{index}"))
            .set("data-data", crate::number::format_number(node.data))
            .set("data-grad", crate::number::format_number(node.grad))
            .add(
                Rectangle::new()
                    .set("x", number(left))
                    .set("y", number(top))
                    .set("width", number(total))
                    .set("height", RECORD_HEIGHT)
                    .set("fill", "#fff")
                    .set("stroke", "#000"),
            );
        let mut x = left;
        for (cell, (text, width)) in cells[index].iter().zip(widths).enumerate() {
            if cell > 0 {
                group = group.add(
                    Line::new()
                        .set("x1", number(x))
                        .set("y1", number(top))
                        .set("x2", number(x))
                        .set("y2", number(top + RECORD_HEIGHT))
                        .set("stroke", "#000"),
                );
            }
            let class = ["label", "data", "grad"][cell];
            group = group.add(centered_text(text, x + width / 2.0, cy).set("class", class));
            x += width;
        }
        document = document.add(group);
        if let Some(vertex) = op_vertex[index] {
            let (ox, oy) = placed.centers[vertex];
            let op = Group::new()
                .set("class", "op")
                .set("id", format!("o{index}"))
                .add(
                    Circle::new()
                        .set("cx", number(ox))
                        .set("cy", number(oy))
                        .set("r", number(op_radius(&node.op)))
                        .set("fill", "#fff")
                        .set("stroke", "#000"),
                )
                .add(centered_text(&node.op, ox, oy));
            document = document.add(op);
        }
    }
    document.to_string() + "\n"
}

/// Text centred on `(x, y)`; the baseline sits a third of the size below the centre.
fn centered_text(text: &str, x: f64, y: f64) -> Text {
    Text::new(text)
        .set("x", number(x))
        .set("y", number(y + FONT_SIZE * 0.35))
        .set("text-anchor", "middle")
}

/// A route as path data: straight along a column, an S-curve across each gap.
fn route_path(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    let Some(&(x0, y0)) = points.first() else { return d };
    d.push_str(&format!("M{},{}", number(x0), number(y0)));
    for pair in points.windows(2) {
        let ((ax, ay), (bx, by)) = (pair[0], pair[1]);
        if ay == by {
            d.push_str(&format!(" L{},{}", number(bx), number(by)));
        } else {
            let mid = (ax + bx) / 2.0;
            d.push_str(&format!(
                " C{},{} {},{} {},{}",
                number(mid),
                number(ay),
                number(mid),
                number(by),
                number(bx),
                number(by)
            ));
        }
    }
    d
}
