//! What statements print, as data.
//!
//! The interpreter hands each [`Output`] to its host; `render.rs` turns it
//! into text, and serde turns it into one JSON object (`--format json`).
//! Architecture Invariant: nothing here knows about terminals or colours.

use serde::Serialize;

/// One printed result of one statement.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum Output {
    /// `grad L` and `grad L wrt …`
    Grad(GradTable),
    /// `check L`
    Check(CheckReport),
    /// `print …` and bare expressions.
    Print(PrintOut),
    /// `show L`
    Show(ShowTree),
    /// `topo L`
    Topo(TopoList),
    /// `dot L`: the graph as data; `picture` turns it into DOT text, SVG or a page.
    Dot(GraphPicture),
    /// `explain L`
    Explain(Explanation),
    /// `plot f`, `plot xs, ys`, …: the series as data; `picture` draws them.
    Plot(Plot),
    /// A command whose output went to a file (`dot L > "l.dot"`).
    Wrote(WroteFile),
}

/// A node as displays show it. `label` is the display label: a node's own label,
/// with `#1`, `#2`, … appended where two nodes of one display share it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeRow {
    pub label: Option<String>,
    /// The operation that made the node (`"+"`, `"tanh"`, …); empty for a leaf.
    pub op: String,
    pub data: f64,
    pub grad: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GradTable {
    /// The target as written (`"L"`).
    pub target: String,
    /// Labelled nodes, the target first, in reverse topological order.
    pub nodes: Vec<GradRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GradRow {
    pub label: String,
    pub data: f64,
    pub grad: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckReport {
    pub target: String,
    pub eps: f64,
    pub atol: f64,
    pub rtol: f64,
    /// True when no row failed (kinks do not fail).
    pub ok: bool,
    pub nodes: Vec<CheckRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckRow {
    pub label: String,
    pub autograd: f64,
    pub numeric: f64,
    pub abs_err: f64,
    /// False only for a mismatch or an undefined difference; a kink counts as ok.
    pub ok: bool,
    pub status: CheckStatus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// Autograd and the central difference agree within tolerance.
    Ok,
    /// They disagree.
    Mismatch,
    /// The leaf sits on a kink (`relu` or `abs` at 0, `max`/`min` at a tie): no derivative to compare.
    Kink,
    /// Nudging the leaf made some value of the graph non-finite.
    Undefined,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrintOut {
    pub values: Vec<Shown>,
}

/// A value as `print` shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Shown {
    /// A scalar: its data.
    Number(f64),
    Bool(bool),
    Str(String),
    List(Vec<Shown>),
    /// A function or a model, described in words (`<fn f(x)>`).
    Other(String),
}

/// `show L`: the graph as an indented tree, one row per line, depth-first from the target.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShowTree {
    pub target: String,
    pub rows: Vec<TreeRow>,
    /// Rows left out because the tree was too large to show.
    pub omitted: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TreeRow {
    pub depth: usize,
    pub node: NodeRow,
    /// The node was already shown above; its inputs are not repeated.
    pub repeated: bool,
}

/// `topo L`: the nodes in the order backward visits them (the target first).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopoList {
    pub target: String,
    pub nodes: Vec<NodeRow>,
}

/// `dot L`: every node of L's graph and the edges between them.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GraphPicture {
    pub target: String,
    /// A topological order: every node comes after its inputs, so L is last.
    pub nodes: Vec<NodeRow>,
    /// From an input to the node computed from it, as indexes into `nodes`; one
    /// edge per distinct input, in the order of the node's inputs.
    pub edges: Vec<GraphEdge>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct GraphEdge {
    pub from: usize,
    pub to: usize,
}

/// `plot …`: one or more series of points, each drawn as a line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plot {
    pub series: Vec<Series>,
}

/// One line of a plot: its name in the legend (the argument as written) and its points.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Series {
    pub label: String,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

/// `explain L`: every chain-rule step of backward, in order, then the final grads.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    pub target: String,
    pub steps: Vec<ExplainStep>,
    pub grads: GradTable,
    /// The graph the steps walk, with its grads after backward; the step-by-step
    /// page draws it. Not part of the JSON, whose steps stand alone.
    #[serde(skip)]
    pub graph: GraphPicture,
}

/// One step, read as `{equation}: {update} = {local} * {upstream} = {contribution}`,
/// e.g. `e = a * b: a.grad += b.data * e.grad = -3 * -2 = 6`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExplainStep {
    /// `e = a * b`
    pub equation: String,
    /// `a.grad += b.data * e.grad`
    pub update: String,
    pub local: f64,
    pub upstream: f64,
    pub contribution: f64,
    /// The input's grad after the step.
    pub grad_after: f64,
    /// The node whose grad flows back, as an index into `Explanation::graph`'s nodes.
    #[serde(skip)]
    pub node: usize,
    /// The input that receives it, likewise.
    #[serde(skip)]
    pub input: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WroteFile {
    pub path: String,
    /// What was written: `"dot"`, `"grad"`, `"the graph as SVG"`, …
    pub what: String,
}
