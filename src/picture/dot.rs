//! The graph as Graphviz DOT text, in micrograd's `draw_dot` style.

use std::fmt::Write as _;

use crate::output::GraphPicture;

/// DOT in micrograd's style: a record per value (`label | data | grad`), an oval per
/// operation, left to right.
pub fn dot_text(graph: &GraphPicture) -> String {
    let mut dot = String::from("digraph {\n  rankdir=LR\n  node [fontname=\"monospace\"]\n");
    for (index, node) in graph.nodes.iter().enumerate() {
        let label = node.label.as_deref().map(escape_record).unwrap_or_default();
        let _ = writeln!(
            dot,
            "  n{index} [shape=record, label=\"{{ {label} | data {:.4} | grad {:.4} }}\"]",
            node.data, node.grad
        );
        if !node.op.is_empty() {
            let _ = writeln!(dot, "  n{index}op [label=\"{}\"]", escape_record(&node.op));
            let _ = writeln!(dot, "  n{index}op -> n{index}");
        }
    }
    for edge in &graph.edges {
        let _ = writeln!(dot, "  n{} -> n{}op", edge.from, edge.to);
    }
    dot.push_str("}\n");
    dot
}

/// Escapes the characters that mean something inside a DOT record label.
fn escape_record(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '{' | '}' | '|' | '<' | '>' | '"' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{GraphEdge, NodeRow};

    #[test]
    fn records_ops_and_edges() {
        let node = |label: &str, op: &str, data: f64| NodeRow {
            label: Some(label.to_string()),
            op: op.to_string(),
            data,
            grad: 0.0,
        };
        let graph = GraphPicture {
            target: "e".to_string(),
            nodes: vec![node("a", "", 2.0), node("b|c", "", -3.0), node("e", "*", -6.0)],
            edges: vec![GraphEdge { from: 0, to: 2 }, GraphEdge { from: 1, to: 2 }],
        };
        assert_eq!(
            dot_text(&graph),
            "digraph {\n  rankdir=LR\n  node [fontname=\"monospace\"]\n\
             \x20 n0 [shape=record, label=\"{ a | data 2.0000 | grad 0.0000 }\"]\n\
             \x20 n1 [shape=record, label=\"{ b\\|c | data -3.0000 | grad 0.0000 }\"]\n\
             \x20 n2 [shape=record, label=\"{ e | data -6.0000 | grad 0.0000 }\"]\n\
             \x20 n2op [label=\"*\"]\n\
             \x20 n2op -> n2\n\
             \x20 n0 -> n2op\n\
             \x20 n1 -> n2op\n\
             }\n"
        );
    }
}
