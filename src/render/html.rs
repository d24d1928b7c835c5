//! [`Output`] as HTML fragments, for a notebook to show beside the plain text:
//! grad tables, check reports, `show` trees, `topo` lists and `explain` steps.
//!
//! Pure functions, like the text renderer they sit beside: the same numbers (through
//! [`format_number`]), the same words (the check's verdict), the same tree guides.
//! The markup is plain tables with a few inline styles, so it reads the same in
//! JupyterLab, Notebook, VS Code and an exported page; text is escaped.

use super::{check_verdict, node_name, stale_note, status_word, tree_prefixes};
use crate::number::{format_error, format_number};
use crate::output::{CheckReport, CheckStatus, Explanation, GradTable, NodeRow, Output, ShowTree, TopoList};
use crate::picture::escape_xml as escape;

/// The HTML of an output that is a table, or `None` for one that is best as text
/// (printed values, DOT, a file written).
pub fn render_html(output: &Output) -> Option<String> {
    match output {
        Output::Grad(table) => Some(grad_table(table)),
        Output::Check(report) => Some(check_report(report)),
        Output::Show(tree) => Some(show_tree(tree)),
        Output::Topo(list) => Some(topo_list(list)),
        Output::Explain(explanation) => Some(explain(explanation)),
        _ => None,
    }
}

const LEFT: &str = "text-align:left";
const RIGHT: &str = "text-align:right";
/// Numbers and tree guides line up in a fixed-width font.
const MONO: &str = "font-family:monospace";

/// One cell of a table.
struct Cell {
    /// Already escaped.
    html: String,
    style: &'static str,
}

fn text(content: &str) -> Cell {
    Cell {
        html: escape(content),
        style: LEFT,
    }
}

fn number(x: f64) -> Cell {
    Cell {
        html: escape(&format_number(x)),
        style: RIGHT,
    }
}

/// A `<table>` with a header row and body rows, and an optional caption.
fn table(caption: Option<&str>, header: &[(&str, &'static str)], rows: Vec<Vec<Cell>>) -> String {
    let mut out = String::from("<table class=\"mgrad\">");
    if let Some(caption) = caption {
        out.push_str(&format!(
            "<caption style=\"{LEFT};{MONO}\">{}</caption>",
            escape(caption)
        ));
    }
    out.push_str("<thead><tr>");
    for (name, style) in header {
        out.push_str(&format!("<th style=\"{style}\">{}</th>", escape(name)));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str(&format!("<td style=\"{};{MONO}\">{}</td>", cell.style, cell.html));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

fn grad_table(grads: &GradTable) -> String {
    if grads.nodes.is_empty() {
        return paragraph(&format!("no labelled nodes in the graph of {}", grads.target));
    }
    let rows = grads
        .nodes
        .iter()
        .map(|row| vec![text(&row.label), number(row.data), number(row.grad)])
        .collect();
    table(None, &[("node", LEFT), ("data", RIGHT), ("grad", RIGHT)], rows)
}

fn check_report(report: &CheckReport) -> String {
    let caption = format!(
        "check {}: eps={} atol={} rtol={}",
        report.target,
        format_number(report.eps),
        format_number(report.atol),
        format_number(report.rtol)
    );
    let mut out = String::new();
    if let Some(note) = stale_note(report) {
        out.push_str(&paragraph(&note));
    }
    if report.nodes.is_empty() {
        out.push_str(&paragraph(&caption));
    } else {
        let rows = report
            .nodes
            .iter()
            .map(|row| {
                vec![
                    text(&row.label),
                    number(row.autograd),
                    number(row.numeric),
                    Cell {
                        html: escape(&format_error(row.abs_err)),
                        style: RIGHT,
                    },
                    Cell {
                        html: status(row.status),
                        style: LEFT,
                    },
                ]
            })
            .collect();
        let header = [
            ("node", LEFT),
            ("autograd", RIGHT),
            ("numeric", RIGHT),
            ("abs err", RIGHT),
            ("status", LEFT),
        ];
        out.push_str(&table(Some(&caption), &header, rows));
    }
    let verdict = escape(&check_verdict(report));
    let colour = if report.ok { "green" } else { "red" };
    out.push_str(&format!("<p style=\"color:{colour};{MONO}\">{verdict}</p>"));
    out
}

/// A check row's status, coloured: green ok, red mismatch, amber where the comparison
/// could not be made (a kink, an undefined or imprecise difference).
fn status(status: CheckStatus) -> String {
    let colour = match status {
        CheckStatus::Ok => "green",
        CheckStatus::Mismatch => "red",
        CheckStatus::Kink | CheckStatus::Undefined | CheckStatus::Imprecise => "darkorange",
    };
    let weight = if status == CheckStatus::Mismatch {
        ";font-weight:bold"
    } else {
        ""
    };
    format!("<span style=\"color:{colour}{weight}\">{}</span>", status_word(status))
}

/// Cells `data` and `grad` of a node.
fn data_grad(node: &NodeRow) -> [Cell; 2] {
    [number(node.data), number(node.grad)]
}

fn show_tree(tree: &ShowTree) -> String {
    if tree.rows.is_empty() && tree.omitted == 0 {
        return paragraph(&format!("the graph of {} is empty", tree.target));
    }
    let depths: Vec<usize> = tree.rows.iter().map(|row| row.depth).collect();
    let rows = tree
        .rows
        .iter()
        .zip(tree_prefixes(&depths))
        .map(|(row, prefix)| {
            let mut name = escape(&(prefix + &node_name(&row.node))).replace(' ', "&nbsp;");
            if row.repeated {
                name.push_str(" <i>(shown above)</i>");
            }
            let [data, grad] = data_grad(&row.node);
            vec![
                Cell {
                    html: name,
                    style: LEFT,
                },
                data,
                grad,
            ]
        })
        .collect();
    let mut out = table(None, &[("node", LEFT), ("data", RIGHT), ("grad", RIGHT)], rows);
    if tree.omitted > 0 {
        let nodes = if tree.omitted == 1 { "node" } else { "nodes" };
        out.push_str(&paragraph(&format!("… {} more {nodes} not shown", tree.omitted)));
    }
    out
}

fn topo_list(list: &TopoList) -> String {
    let rows = list
        .nodes
        .iter()
        .enumerate()
        .map(|(index, node)| {
            let [data, grad] = data_grad(node);
            vec![
                Cell {
                    html: format!("{}.", index + 1),
                    style: RIGHT,
                },
                text(&node_name(node)),
                data,
                grad,
            ]
        })
        .collect();
    table(
        None,
        &[("", RIGHT), ("node", LEFT), ("data", RIGHT), ("grad", RIGHT)],
        rows,
    )
}

fn explain(explanation: &Explanation) -> String {
    let mut out = String::new();
    if !explanation.steps.is_empty() {
        let rows = explanation
            .steps
            .iter()
            .map(|step| {
                vec![
                    text(&step.equation),
                    text(&step.update),
                    text(&format!(
                        "= {} * {} = {}",
                        format_number(step.local),
                        format_number(step.upstream),
                        format_number(step.contribution)
                    )),
                ]
            })
            .collect();
        let caption = format!("backward through {}, step by step", explanation.target);
        out.push_str(&table(
            Some(&caption),
            &[("node", LEFT), ("chain rule", LEFT), ("", LEFT)],
            rows,
        ));
    }
    out.push_str(&grad_table(&explanation.grads));
    out
}

fn paragraph(content: &str) -> String {
    format!("<p style=\"{MONO}\">{}</p>", escape(content))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{CheckRow, ExplainStep, GradRow, GraphPicture, PrintOut, Shown, TreeRow};

    fn row(label: &str, data: f64, grad: f64) -> GradRow {
        GradRow {
            label: label.to_string(),
            data,
            grad,
        }
    }

    fn node(label: Option<&str>, op: &str, data: f64, grad: f64) -> NodeRow {
        NodeRow {
            label: label.map(String::from),
            op: op.to_string(),
            data,
            grad,
        }
    }

    #[test]
    fn a_grad_table_is_a_table_of_exact_numbers() {
        let grads = GradTable {
            target: "L".to_string(),
            nodes: vec![row("L", -8.0, 1.0), row("a<b", 0.1 + 0.2, 6.0)],
        };
        let html = render_html(&Output::Grad(grads)).expect("a table");
        assert_eq!(
            html,
            "<table class=\"mgrad\"><thead><tr><th style=\"text-align:left\">node</th>\
             <th style=\"text-align:right\">data</th><th style=\"text-align:right\">grad</th></tr></thead><tbody>\
             <tr><td style=\"text-align:left;font-family:monospace\">L</td>\
             <td style=\"text-align:right;font-family:monospace\">-8</td>\
             <td style=\"text-align:right;font-family:monospace\">1</td></tr>\
             <tr><td style=\"text-align:left;font-family:monospace\">a&lt;b</td>\
             <td style=\"text-align:right;font-family:monospace\">0.30000000000000004</td>\
             <td style=\"text-align:right;font-family:monospace\">6</td></tr></tbody></table>"
        );
        let empty = GradTable {
            target: "x".to_string(),
            nodes: Vec::new(),
        };
        assert_eq!(
            render_html(&Output::Grad(empty)).as_deref(),
            Some("<p style=\"font-family:monospace\">no labelled nodes in the graph of x</p>")
        );
    }

    #[test]
    fn a_check_report_colours_each_status_and_the_verdict() {
        let check_row = |label: &str, status: CheckStatus| CheckRow {
            label: label.to_string(),
            autograd: 1.0,
            numeric: 1.5,
            abs_err: 0.5,
            ok: Some(status != CheckStatus::Mismatch),
            status,
            numeric_error: None,
            suggested_eps: None,
        };
        let report = CheckReport {
            target: "L".to_string(),
            eps: 1e-6,
            atol: 1e-5,
            rtol: 1e-3,
            ok: false,
            matched: 1,
            mismatched: 1,
            kinks: 0,
            undefined: 0,
            imprecise: 0,
            value: 2.0,
            stored_value: 1.0,
            stale_nodes: 1,
            nodes: vec![check_row("a", CheckStatus::Ok), check_row("b", CheckStatus::Mismatch)],
        };
        let html = render_html(&Output::Check(report)).expect("a table");
        assert!(html.contains("<caption style=\"text-align:left;font-family:monospace\">check L: eps=1e-6 atol=1e-5 rtol=0.001</caption>"), "{html}");
        assert!(html.contains("<span style=\"color:green\">ok</span>"), "{html}");
        assert!(
            html.starts_with("<p style=\"font-family:monospace\">note: L is stale: it holds 1,"),
            "{html}"
        );
        assert!(
            html.contains("<span style=\"color:red;font-weight:bold\">MISMATCH</span>"),
            "{html}"
        );
        assert!(
            html.ends_with("<p style=\"color:red;font-family:monospace\">check FAILED: 1 of 2 gradients differ</p>"),
            "{html}"
        );
    }

    #[test]
    fn a_tree_keeps_its_guides() {
        let tree = ShowTree {
            target: "e".to_string(),
            rows: vec![
                TreeRow {
                    depth: 0,
                    node: node(Some("e"), "*", -6.0, 1.0),
                    repeated: false,
                },
                TreeRow {
                    depth: 1,
                    node: node(Some("a"), "", 2.0, -3.0),
                    repeated: false,
                },
                TreeRow {
                    depth: 1,
                    node: node(Some("a"), "", 2.0, -3.0),
                    repeated: true,
                },
            ],
            omitted: 2,
        };
        let html = render_html(&Output::Show(tree)).expect("a table");
        assert!(html.contains(">e&nbsp;*</td>"), "{html}");
        assert!(html.contains(">├──&nbsp;a</td>"), "{html}");
        assert!(html.contains(">└──&nbsp;a <i>(shown above)</i></td>"), "{html}");
        assert!(html.ends_with("… 2 more nodes not shown</p>"), "{html}");
    }

    #[test]
    fn explain_lists_the_steps_then_the_grads() {
        let explanation = Explanation {
            target: "e".to_string(),
            steps: vec![ExplainStep {
                equation: "e = a * b".to_string(),
                update: "a.grad += b.data * e.grad".to_string(),
                local: -3.0,
                upstream: 1.0,
                contribution: -3.0,
                grad_after: -3.0,
                node: 0,
                input: 1,
            }],
            grads: GradTable {
                target: "e".to_string(),
                nodes: vec![row("e", -6.0, 1.0)],
            },
            graph: GraphPicture::default(),
        };
        let html = render_html(&Output::Explain(explanation)).expect("tables");
        assert!(html.contains(">e = a * b</td>"), "{html}");
        assert!(html.contains(">= -3 * 1 = -3</td>"), "{html}");
        assert_eq!(html.matches("<table").count(), 2);
    }

    #[test]
    fn topo_numbers_its_rows() {
        let list = TopoList {
            target: "e".to_string(),
            nodes: vec![node(Some("e"), "*", -6.0, 0.0), node(None, "", 3.0, 0.0)],
        };
        let html = render_html(&Output::Topo(list)).expect("a table");
        assert!(html.contains(">1.</td>") && html.contains(">2.</td>"), "{html}");
        assert!(html.contains(">(leaf)</td>"), "{html}");
    }

    #[test]
    fn printed_values_stay_text() {
        let print = Output::Print(PrintOut {
            values: vec![Shown::Number(1.0)],
        });
        assert_eq!(render_html(&print), None);
    }
}
