//! Turns [`Output`] data into the text the CLI prints, or one JSON line.
//!
//! Architecture Invariant: these are pure functions of the output; they do no
//! I/O and know nothing of terminals or colours, so the REPL, scripts and tests
//! all see the same text. Every number goes through [`format_number`].
//! [`html`] renders the same outputs as HTML fragments, for notebooks.

pub mod html;

use crate::number::{format_error, format_number};
use crate::output::{
    CheckReport, CheckStatus, ExplainStep, Explanation, GradTable, NodeRow, Output, PrintOut, ShowTree, Shown,
    TopoList, WroteFile,
};
use crate::picture::{Charset, dot_text, text_chart};

/// The text of one output as the CLI prints it, ending with a newline. Plots are
/// drawn in Unicode; [`render_text_with`] chooses.
pub fn render_text(output: &Output) -> String {
    render_text_with(output, Charset::Unicode)
}

/// The text of one output, with plots drawn in the given characters.
pub fn render_text_with(output: &Output, charset: Charset) -> String {
    if let Output::Plot(plot) = output {
        return text_chart(plot, charset);
    }
    let text = match output {
        Output::Grad(table) => grad_table(table),
        Output::Check(report) => check_report(report),
        Output::Print(print) => print_values(print),
        Output::Show(tree) => show_tree(tree),
        Output::Topo(list) => topo_list(list),
        Output::Dot(graph) => dot_text(graph),
        Output::Plot(plot) => text_chart(plot, Charset::Unicode),
        Output::Explain(explanation) => explain(explanation),
        Output::Wrote(WroteFile { path, what }) => format!("wrote {what} to {path}"),
    };
    if text.ends_with('\n') { text } else { text + "\n" }
}

/// A value as `print` writes it: strings as text, lists bracketed.
pub fn render_shown(value: &Shown) -> String {
    shown(value, true)
}

/// One output as one line of JSON (no trailing newline). A number that is not
/// finite is the string `"NaN"`, `"Infinity"` or `"-Infinity"` (see [`crate::output::number`]).
pub fn render_json(output: &Output) -> String {
    // Serialising these plain structs cannot fail; the fallback only keeps the
    // stream well-formed if that ever changes.
    serde_json::to_string(output).unwrap_or_else(|error| {
        serde_json::json!({"cmd": "error", "kind": "runtime", "message": error.to_string()}).to_string()
    })
}

/// How a column lines up its cells.
#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Right,
}

/// Lays out rows of cells in columns two spaces apart, without trailing spaces.
fn table(aligns: &[Align], rows: &[Vec<String>]) -> String {
    table_capped(aligns, rows, usize::MAX)
}

/// [`table`], where the first column is as wide as its widest cell of at most
/// `cap` characters: a longer cell (a row deep in a `show` tree) pushes its own
/// row's other cells right instead of padding every row to its width.
fn table_capped(aligns: &[Align], rows: &[Vec<String>], cap: usize) -> String {
    let mut widths = vec![0; aligns.len()];
    for row in rows {
        for (column, (width, cell)) in widths.iter_mut().zip(row).enumerate() {
            let chars = cell.chars().count();
            if column > 0 || chars <= cap {
                *width = (*width).max(chars);
            }
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (index, ((cell, width), align)) in row.iter().zip(&widths).zip(aligns).enumerate() {
            if index > 0 {
                line.push_str("  ");
            }
            let pad = width.saturating_sub(cell.chars().count());
            match align {
                Align::Left => {
                    line.push_str(cell);
                    line.extend(std::iter::repeat_n(' ', pad));
                }
                Align::Right => {
                    line.extend(std::iter::repeat_n(' ', pad));
                    line.push_str(cell);
                }
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn grad_table(table_data: &GradTable) -> String {
    if table_data.nodes.is_empty() {
        return format!("no labelled nodes in the graph of {}\n", table_data.target);
    }
    let mut rows = vec![vec!["node".to_string(), "data".to_string(), "grad".to_string()]];
    rows.extend(
        table_data
            .nodes
            .iter()
            .map(|row| vec![row.label.clone(), format_number(row.data), format_number(row.grad)]),
    );
    table(&[Align::Left, Align::Right, Align::Right], &rows)
}

fn status_word(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Ok => "ok",
        CheckStatus::Mismatch => "MISMATCH",
        CheckStatus::Kink => "kink",
        CheckStatus::Undefined => "undefined",
        CheckStatus::Imprecise => "imprecise",
    }
}

fn check_report(report: &CheckReport) -> String {
    let mut out = format!(
        "check {}: eps={} atol={} rtol={}\n",
        report.target,
        format_number(report.eps),
        format_number(report.atol),
        format_number(report.rtol)
    );
    if let Some(note) = stale_note(report) {
        out.push_str(&note);
        out.push('\n');
    }
    if !report.nodes.is_empty() {
        let mut rows = vec![
            ["node", "autograd", "numeric", "abs err", "status"]
                .map(String::from)
                .to_vec(),
        ];
        rows.extend(report.nodes.iter().map(|row| {
            vec![
                row.label.clone(),
                format_number(row.autograd),
                format_number(row.numeric),
                format_error(row.abs_err),
                status_word(row.status).to_string(),
            ]
        }));
        let right = Align::Right;
        out.push_str(&table(&[Align::Left, right, right, right, Align::Left], &rows));
    }
    out.push_str(&check_verdict(report));
    out.push('\n');
    out
}

/// Where the target's stored data is not that of its leaves' current data (a
/// leaf changed after it was computed, as after a training step): says so,
/// and that the check was taken at the current data.
fn stale_note(report: &CheckReport) -> Option<String> {
    let target = &report.target;
    if report.stale_nodes == 0 {
        return None;
    }
    Some(if report.stored_value != report.value {
        format!(
            "note: {target} is stale: it holds {}, but its leaves' current data give {}; \
             both sides are computed at the current data",
            format_number(report.stored_value),
            format_number(report.value)
        )
    } else {
        let values = match report.stale_nodes {
            1 => "1 stored value is".to_string(),
            n => format!("{n} stored values are"),
        };
        format!(
            "note: {target}'s graph is stale: {values} out of date; \
             both sides are computed from its leaves' current data"
        )
    })
}

/// `check passed: 3 of 3 gradients match`, `check FAILED: 1 of 3 gradients differ`,
/// with a note on leaves at a kink, which are not compared.
fn check_verdict(report: &CheckReport) -> String {
    let kinks = report.kinks;
    let undefined = report.undefined;
    let compared = report.matched + report.mismatched + undefined;
    let kinks_or_imprecise = kinks + report.imprecise;
    let failed = report.mismatched + undefined;
    let noun = if compared == 1 { "gradient" } else { "gradients" };
    let mut verdict = if report.ok {
        let verb = if compared == 1 { "matches" } else { "match" };
        if compared == 0 && kinks_or_imprecise == 0 {
            "check passed: there are no leaves to check".to_string()
        } else {
            format!("check passed: {} of {compared} {noun} {verb}", report.matched)
        }
    } else {
        let verb = if compared == 1 { "differs" } else { "differ" };
        let mut text = format!("check FAILED: {failed} of {compared} {noun} {verb}");
        if undefined > 0 {
            text.push_str(&format!(" ({undefined} undefined)"));
        }
        text
    };
    if kinks > 0 {
        let leaves = if kinks == 1 { "leaf sits" } else { "leaves sit" };
        verdict.push_str(&format!(
            "; {kinks} {leaves} on a kink and {} not compared",
            if kinks == 1 { "is" } else { "are" }
        ));
    }
    if report.imprecise > 0 {
        let (leaves, differences) = if report.imprecise == 1 {
            ("leaf is", "its finite difference is")
        } else {
            ("leaves are", "their finite differences are")
        };
        verdict.push_str(&format!(
            "; {} {leaves} not compared: {differences} too imprecise at eps={}",
            report.imprecise,
            format_number(report.eps)
        ));
        let suggested = report.nodes.iter().find_map(|row| row.suggested_eps);
        if let Some(eps) = suggested {
            verdict.push_str(&format!(" (try eps={})", format_number(eps)));
        }
    }
    verdict
}

fn print_values(print: &PrintOut) -> String {
    let parts: Vec<String> = print.values.iter().map(|value| shown(value, true)).collect();
    parts.join(" ")
}

/// A value as `print` shows it; strings are bare text only at the top level.
fn shown(value: &Shown, top_level: bool) -> String {
    match value {
        Shown::Number(x) => format_number(*x),
        Shown::Bool(b) => b.to_string(),
        Shown::Str(text) if top_level => text.clone(),
        Shown::Str(text) => quoted(text),
        Shown::List(items) => {
            let items: Vec<String> = items.iter().map(|item| shown(item, false)).collect();
            format!("[{}]", items.join(", "))
        }
        Shown::Other(text) => text.clone(),
        Shown::Node { data, grad, label, op } => {
            let mut text = format!("Value(data={}, grad={}", format_number(*data), format_number(*grad));
            if let Some(label) = label {
                text.push_str(&format!(", label={label}"));
            }
            if let Some(op) = op {
                text.push_str(&format!(", op={op}"));
            }
            text.push(')');
            text
        }
    }
}

/// A string as mg source would write it.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// How a node is named in `show` and `topo`: `L *` (label and op), `a` (a labelled
/// leaf), `*` (an unlabelled node), `(leaf)` (an unlabelled leaf, e.g. a constant).
fn node_name(node: &NodeRow) -> String {
    match (&node.label, node.op.as_str()) {
        (Some(label), "") => label.clone(),
        (Some(label), op) => format!("{label} {op}"),
        (None, "") => "(leaf)".to_string(),
        (None, op) => op.to_string(),
    }
}

/// Cells `data`, value, `grad`, value for a node, so that tables align the numbers.
fn data_grad_cells(node: &NodeRow) -> [String; 4] {
    [
        "data".to_string(),
        format_number(node.data),
        "grad".to_string(),
        format_number(node.grad),
    ]
}

/// Rows of a `show` tree whose guides and name are wider than this do not
/// widen the name column: a chain 250 levels deep would pad every row to 1,000
/// characters.
const MAX_ALIGNED_TREE_WIDTH: usize = 48;

/// The guides drawn before each row of a depth-first tree listing (`├── `, `│   └── `),
/// given the rows' depths.
fn tree_prefixes(depths: &[usize]) -> Vec<String> {
    let last = last_among_siblings(depths);
    // `open[k]` is true while the ancestor at depth k + 1 has siblings still to come,
    // so its column carries a `│` guide.
    let mut open: Vec<bool> = Vec::new();
    let mut prefixes = Vec::with_capacity(depths.len());
    for (index, &depth) in depths.iter().enumerate() {
        let mut prefix = String::new();
        if depth > 0 {
            open.truncate(depth - 1);
            while open.len() < depth - 1 {
                // A gap in depths (malformed input): draw no guide for the missing level.
                open.push(false);
            }
            for &is_open in &open {
                prefix.push_str(if is_open { "│   " } else { "    " });
            }
            prefix.push_str(if last[index] { "└── " } else { "├── " });
            open.push(!last[index]);
        } else {
            open.clear();
        }
        prefixes.push(prefix);
    }
    prefixes
}

fn show_tree(tree: &ShowTree) -> String {
    let depths: Vec<usize> = tree.rows.iter().map(|row| row.depth).collect();
    let mut rows = Vec::new();
    for (row, prefix) in tree.rows.iter().zip(tree_prefixes(&depths)) {
        let [data, data_value, grad, grad_value] = data_grad_cells(&row.node);
        let mark = if row.repeated {
            "(shown above)".to_string()
        } else {
            String::new()
        };
        rows.push(vec![
            prefix + &node_name(&row.node),
            data,
            data_value,
            grad,
            grad_value,
            mark,
        ]);
    }
    let right = Align::Right;
    let left = Align::Left;
    let mut out = table_capped(&[left, left, right, left, right, left], &rows, MAX_ALIGNED_TREE_WIDTH);
    if tree.omitted > 0 {
        let nodes = if tree.omitted == 1 { "node" } else { "nodes" };
        out.push_str(&format!("… {} more {nodes} not shown\n", tree.omitted));
    }
    if tree.rows.is_empty() && tree.omitted == 0 {
        out.push_str(&format!("the graph of {} is empty\n", tree.target));
    }
    out
}

/// For a depth-first listing given by its depths, whether each row is the last child of
/// its parent: no later row has the same depth before one that is shallower.
fn last_among_siblings(depths: &[usize]) -> Vec<bool> {
    let mut last = vec![true; depths.len()];
    for (index, &depth) in depths.iter().enumerate() {
        for &later in &depths[index + 1..] {
            if later < depth {
                break;
            }
            if later == depth {
                last[index] = false;
                break;
            }
        }
    }
    last
}

fn topo_list(list: &TopoList) -> String {
    let rows: Vec<Vec<String>> = list
        .nodes
        .iter()
        .enumerate()
        .map(|(index, node)| {
            let [data, data_value, grad, grad_value] = data_grad_cells(node);
            vec![
                format!("{}.", index + 1),
                node_name(node),
                data,
                data_value,
                grad,
                grad_value,
            ]
        })
        .collect();
    let (left, right) = (Align::Left, Align::Right);
    table(&[right, left, left, right, left, right], &rows)
}

/// One step of `explain`: `e = a * b: a.grad += b.data * e.grad = -3 * -2 = 6`.
pub fn explain_line(step: &ExplainStep) -> String {
    format!(
        "{}: {} = {} * {} = {}",
        step.equation,
        step.update,
        format_number(step.local),
        format_number(step.upstream),
        format_number(step.contribution)
    )
}

fn explain(explanation: &Explanation) -> String {
    let mut out = String::new();
    for step in &explanation.steps {
        out.push_str(&explain_line(step));
        out.push('\n');
    }
    if !explanation.steps.is_empty() {
        out.push('\n');
    }
    out.push_str(&grad_table(&explanation.grads));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{CheckRow, ExplainStep, GradRow, GraphPicture, TreeRow};

    fn grad_row(label: &str, data: f64, grad: f64) -> GradRow {
        GradRow {
            label: label.to_string(),
            data,
            grad,
        }
    }

    fn lecture_grads() -> GradTable {
        GradTable {
            target: "L".to_string(),
            nodes: vec![
                grad_row("L", -8.0, 1.0),
                grad_row("b", -3.0, -4.0),
                grad_row("a", 2.0, 6.0),
            ],
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

    fn check_row(label: &str, autograd: f64, numeric: f64, status: CheckStatus) -> CheckRow {
        let ok = match status {
            CheckStatus::Ok => Some(true),
            CheckStatus::Kink | CheckStatus::Imprecise => None,
            CheckStatus::Mismatch | CheckStatus::Undefined => Some(false),
        };
        CheckRow {
            label: label.to_string(),
            autograd,
            numeric,
            abs_err: (autograd - numeric).abs(),
            ok,
            status,
            numeric_error: None,
            suggested_eps: None,
        }
    }

    fn report(nodes: Vec<CheckRow>) -> Output {
        let count = |status: CheckStatus| nodes.iter().filter(|row| row.status == status).count();
        Output::Check(CheckReport {
            target: "L".to_string(),
            eps: 1e-6,
            atol: 1e-5,
            rtol: 1e-3,
            ok: nodes.iter().all(|row| row.ok != Some(false)),
            matched: count(CheckStatus::Ok),
            mismatched: count(CheckStatus::Mismatch),
            kinks: count(CheckStatus::Kink),
            undefined: count(CheckStatus::Undefined),
            imprecise: count(CheckStatus::Imprecise),
            value: -8.0,
            stored_value: -8.0,
            stale_nodes: 0,
            nodes,
        })
    }

    #[test]
    fn grad_tables_align_numbers_right() {
        let text = render_text(&Output::Grad(lecture_grads()));
        assert_eq!(
            text,
            "node  data  grad\nL       -8     1\nb       -3    -4\na        2     6\n"
        );
    }

    #[test]
    fn grad_tables_widen_for_long_labels_and_numbers() {
        let table = GradTable {
            target: "loss".to_string(),
            nodes: vec![grad_row("loss", 0.5, 1.0), grad_row("w1", 0.8807970779778823, -0.25)],
        };
        let text = render_text(&Output::Grad(table));
        assert_eq!(
            text,
            "node                data   grad\n\
             loss                 0.5      1\n\
             w1    0.8807970779778823  -0.25\n"
        );
    }

    #[test]
    fn empty_grad_tables_say_so() {
        let table = GradTable {
            target: "x".to_string(),
            nodes: vec![],
        };
        assert_eq!(
            render_text(&Output::Grad(table)),
            "no labelled nodes in the graph of x\n"
        );
    }

    #[test]
    fn passing_checks_print_rows_and_a_verdict() {
        let text = render_text(&report(vec![
            check_row("a", 6.0, 6.0000000005, CheckStatus::Ok),
            check_row("b", -4.0, -4.0, CheckStatus::Ok),
        ]));
        assert_eq!(
            text,
            "check L: eps=1e-6 atol=1e-5 rtol=0.001\n\
             node  autograd       numeric  abs err  status\n\
             a            6  6.0000000005    5e-10  ok\n\
             b           -4            -4        0  ok\n\
             check passed: 2 of 2 gradients match\n"
        );
    }

    #[test]
    fn failing_checks_count_the_differences() {
        let text = render_text(&report(vec![
            check_row("a", 6.0, 6.0, CheckStatus::Ok),
            check_row("b", 1.0, -4.0, CheckStatus::Mismatch),
            check_row("c", 0.0, f64::NAN, CheckStatus::Undefined),
        ]));
        assert_eq!(
            text,
            "check L: eps=1e-6 atol=1e-5 rtol=0.001\n\
             node  autograd  numeric  abs err  status\n\
             a            6        6        0  ok\n\
             b            1       -4        5  MISMATCH\n\
             c            0      nan      nan  undefined\n\
             check FAILED: 2 of 3 gradients differ (1 undefined)\n"
        );
    }

    #[test]
    fn kinks_are_named_in_the_verdict() {
        let text = render_text(&report(vec![
            check_row("x", 1.0, 1.0, CheckStatus::Ok),
            check_row("y", 0.0, 0.5, CheckStatus::Kink),
        ]));
        assert!(text.contains("   0.5  kink\n"), "{text}");
        assert!(
            text.ends_with("check passed: 1 of 1 gradient matches; 1 leaf sits on a kink and is not compared\n"),
            "{text}"
        );
        let failed = render_text(&report(vec![
            check_row("x", 2.0, 1.0, CheckStatus::Mismatch),
            check_row("y", 0.0, 0.5, CheckStatus::Kink),
            check_row("z", 0.0, 0.5, CheckStatus::Kink),
        ]));
        assert!(
            failed.ends_with("check FAILED: 1 of 1 gradient differs; 2 leaves sit on a kink and are not compared\n"),
            "{failed}"
        );
    }

    #[test]
    fn imprecise_rows_are_named_in_the_verdict_with_a_better_eps() {
        let mut row = check_row("x", 1.0, 1.907348632863532, CheckStatus::Imprecise);
        row.suggested_eps = Some(0.01);
        let text = render_text(&report(vec![row, check_row("y", 2.0, 2.0, CheckStatus::Ok)]));
        assert!(text.contains("  imprecise\n"), "{text}");
        assert!(
            text.ends_with(
                "check passed: 1 of 1 gradient matches; 1 leaf is not compared: \
                 its finite difference is too imprecise at eps=1e-6 (try eps=0.01)\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn prints_join_values_and_quote_strings_only_inside_lists() {
        let print = PrintOut {
            values: vec![
                Shown::Str("loss:".to_string()),
                Shown::Number(0.5),
                Shown::List(vec![
                    Shown::Number(1.0),
                    Shown::Str("a \"b\"".to_string()),
                    Shown::List(vec![Shown::Number(3.0), Shown::Number(-4.0)]),
                    Shown::Bool(false),
                ]),
                Shown::Bool(true),
                Shown::Other("<fn f(x)>".to_string()),
            ],
        };
        assert_eq!(
            render_text(&Output::Print(print)),
            "loss: 0.5 [1, \"a \\\"b\\\"\", [3, -4], false] true <fn f(x)>\n"
        );
        assert_eq!(render_text(&Output::Print(PrintOut { values: vec![] })), "\n");
    }

    fn tree_row(depth: usize, node: NodeRow) -> TreeRow {
        TreeRow {
            depth,
            node,
            repeated: false,
        }
    }

    #[test]
    fn trees_draw_guides_from_depths() {
        let mut rows = vec![
            tree_row(0, node(Some("L"), "*", -8.0, 1.0)),
            tree_row(1, node(Some("d"), "+", 4.0, -2.0)),
            tree_row(2, node(Some("e"), "*", -6.0, -2.0)),
            tree_row(3, node(Some("a"), "", 2.0, 6.0)),
            tree_row(3, node(Some("b"), "", -3.0, -4.0)),
            tree_row(2, node(Some("c"), "", 10.0, -2.0)),
            tree_row(1, node(None, "*", -2.0, 4.0)),
            tree_row(2, node(None, "", -2.0, 0.0)),
            tree_row(2, node(Some("a"), "", 2.0, 6.0)),
        ];
        rows[8].repeated = true;
        let tree = ShowTree {
            target: "L".to_string(),
            rows,
            omitted: 0,
        };
        let text = render_text(&Output::Show(tree));
        assert_eq!(
            text,
            "L *             data  -8  grad   1\n\
             ├── d +         data   4  grad  -2\n\
             │   ├── e *     data  -6  grad  -2\n\
             │   │   ├── a   data   2  grad   6\n\
             │   │   └── b   data  -3  grad  -4\n\
             │   └── c       data  10  grad  -2\n\
             └── *           data  -2  grad   4\n\
             \x20   ├── (leaf)  data  -2  grad   0\n\
             \x20   └── a       data   2  grad   6  (shown above)\n"
        );
    }

    #[test]
    fn deep_trees_do_not_pad_every_row_to_the_deepest() {
        // A chain 30 levels deep: its deepest name is 4 * 29 + 8 characters wide.
        let rows: Vec<TreeRow> = (0..30)
            .map(|depth| tree_row(depth, node(Some("x"), "*", 1.0, 0.0)))
            .collect();
        let tree = ShowTree {
            target: "x".to_string(),
            rows,
            omitted: 0,
        };
        let text = render_text(&Output::Show(tree));
        // The name column is as wide as the widest name of at most 48 characters:
        // depth 11's, 4 * 11 + 3 = 47. Deeper rows push their own numbers right.
        for (depth, line) in text.lines().enumerate() {
            let name = 4 * depth + 3;
            let data_at = line.chars().position(|c| c == 'd').unwrap();
            assert_eq!(data_at, name.max(47) + 2, "{line}");
        }
    }

    #[test]
    fn trees_count_what_they_leave_out() {
        let tree = ShowTree {
            target: "x".to_string(),
            rows: vec![
                tree_row(0, node(Some("x"), "tanh", 0.5, 1.0)),
                tree_row(1, node(Some("n"), "+", 0.6, 0.75)),
            ],
            omitted: 12,
        };
        assert_eq!(
            render_text(&Output::Show(tree)),
            "x tanh   data  0.5  grad     1\n\
             └── n +  data  0.6  grad  0.75\n\
             … 12 more nodes not shown\n"
        );
    }

    #[test]
    fn siblings_are_found_from_depths() {
        assert_eq!(
            last_among_siblings(&[0, 1, 2, 2, 1, 2]),
            [true, false, false, true, true, true]
        );
        assert_eq!(last_among_siblings(&[0, 1, 1, 1]), [true, false, false, true]);
    }

    #[test]
    fn topo_lists_are_numbered() {
        let list = TopoList {
            target: "e".to_string(),
            nodes: vec![
                node(Some("e"), "*", -6.0, 1.0),
                node(Some("b"), "", -3.0, 2.0),
                node(Some("a"), "", 2.0, -3.0),
            ],
        };
        assert_eq!(
            render_text(&Output::Topo(list)),
            "1.  e *  data  -6  grad   1\n\
             2.  b    data  -3  grad   2\n\
             3.  a    data   2  grad  -3\n"
        );
    }

    #[test]
    fn graphs_print_as_dot() {
        let graph = crate::output::GraphPicture {
            target: "a".to_string(),
            nodes: vec![node(Some("a"), "", 2.0, 0.0)],
            edges: vec![],
        };
        assert_eq!(
            render_text(&Output::Dot(graph)),
            "digraph {\n  rankdir=LR\n  node [fontname=\"monospace\"]\n  \
             n0 [shape=record, label=\"{ a | data 2.0000 | grad 0.0000 }\"]\n}\n"
        );
    }

    #[test]
    fn explanations_narrate_each_step_then_list_grads() {
        let step = ExplainStep {
            equation: "e = a * b".to_string(),
            update: "a.grad += b.data * e.grad".to_string(),
            local: -3.0,
            upstream: -2.0,
            contribution: 6.0,
            grad_after: 6.0,
            node: 0,
            input: 0,
        };
        let explanation = Explanation {
            target: "L".to_string(),
            steps: vec![step],
            grads: lecture_grads(),
            graph: Default::default(),
        };
        assert_eq!(
            render_text(&Output::Explain(explanation)),
            "e = a * b: a.grad += b.data * e.grad = -3 * -2 = 6\n\
             \n\
             node  data  grad\n\
             L       -8     1\n\
             b       -3    -4\n\
             a        2     6\n"
        );
    }

    #[test]
    fn written_files_are_named() {
        let wrote = WroteFile {
            path: "l.dot".to_string(),
            what: "dot".to_string(),
        };
        assert_eq!(render_text(&Output::Wrote(wrote)), "wrote dot to l.dot\n");
    }

    #[test]
    fn json_is_one_line_with_the_command_name() {
        assert_eq!(
            render_json(&Output::Grad(lecture_grads())),
            r#"{"cmd":"grad","target":"L","nodes":[{"label":"L","data":-8.0,"grad":1.0},{"label":"b","data":-3.0,"grad":-4.0},{"label":"a","data":2.0,"grad":6.0}]}"#
        );
        let print = PrintOut {
            values: vec![
                Shown::Number(f64::NAN),
                Shown::Number(f64::INFINITY),
                Shown::Str("a\nb".to_string()),
            ],
        };
        assert_eq!(
            render_json(&Output::Print(print)),
            r#"{"cmd":"print","values":["NaN","Infinity","a\nb"]}"#
        );
    }

    #[test]
    fn json_never_writes_a_number_as_null() {
        // Every number field of every output, non-finite: none may become null.
        let x = f64::NEG_INFINITY;
        let nan_node = node(Some("c"), "", f64::NAN, x);
        let mut check = report(vec![check_row("a", f64::NAN, x, CheckStatus::Undefined)]);
        if let Output::Check(report) = &mut check {
            (report.eps, report.atol, report.rtol, report.value, report.stored_value) = (x, x, x, x, x);
        }
        let outputs = [
            Output::Grad(GradTable {
                target: "L".to_string(),
                nodes: vec![grad_row("a", f64::NAN, x)],
            }),
            check,
            Output::Print(PrintOut {
                values: vec![Shown::List(vec![Shown::Number(f64::NAN)])],
            }),
            Output::Show(ShowTree {
                target: "c".to_string(),
                rows: vec![tree_row(0, nan_node.clone())],
                omitted: 0,
            }),
            Output::Topo(TopoList {
                target: "c".to_string(),
                nodes: vec![nan_node],
            }),
            Output::Explain(Explanation {
                target: "L".to_string(),
                steps: vec![ExplainStep {
                    equation: String::new(),
                    update: String::new(),
                    local: x,
                    upstream: x,
                    contribution: x,
                    grad_after: x,
                    node: 0,
                    input: 0,
                }],
                grads: lecture_grads(),
                graph: GraphPicture::default(),
            }),
        ];
        for output in outputs {
            let json = render_json(&output);
            assert!(!json.contains("null"), "{json}");
            assert!(json.contains("\"NaN\"") || json.contains("\"-Infinity\""), "{json}");
        }
    }

    #[test]
    fn json_checks_carry_status_words() {
        let json = render_json(&report(vec![check_row("a", 1.0, 1.0, CheckStatus::Ok)]));
        assert_eq!(
            json,
            r#"{"cmd":"check","target":"L","eps":1e-6,"atol":0.00001,"rtol":0.001,"ok":true,"matched":1,"mismatched":0,"kinks":0,"undefined":0,"imprecise":0,"value":-8.0,"stored_value":-8.0,"stale_nodes":0,"nodes":[{"label":"a","autograd":1.0,"numeric":1.0,"abs_err":0.0,"ok":true,"status":"ok"}]}"#
        );
    }
}
