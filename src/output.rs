//! What statements print, as data.
//!
//! The interpreter hands each [`Output`] to its host; `render.rs` turns it
//! into text, and serde turns it into one JSON object (`--format json`).
//! Architecture Invariant: nothing here knows about terminals or colours.
//!
//! Architecture Invariant: every `f64` field is serialised with [`number`],
//! so that JSON never writes `null` for a number (serde_json writes NaN and
//! ±inf as `null`, which a reader cannot tell from a missing value).

use serde::{Serialize, Serializer};

/// [`number`] for an optional field (skipped when `None`).
fn optional_number<S: Serializer>(x: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(x) => number(x, serializer),
        None => serializer.serialize_none(),
    }
}

/// A number for JSON: a finite number as itself, and the others as the
/// strings `"NaN"`, `"Infinity"` and `"-Infinity"`, as the JSON mapping of
/// Protocol Buffers writes them; JavaScript's `Number(…)` and Python's
/// `float(…)` read them back.
pub fn number<S: Serializer>(x: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    if x.is_finite() {
        serializer.serialize_f64(*x)
    } else if x.is_nan() {
        serializer.serialize_str("NaN")
    } else if *x > 0.0 {
        serializer.serialize_str("Infinity")
    } else {
        serializer.serialize_str("-Infinity")
    }
}

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
    #[serde(serialize_with = "number")]
    pub data: f64,
    #[serde(serialize_with = "number")]
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
    #[serde(serialize_with = "number")]
    pub data: f64,
    #[serde(serialize_with = "number")]
    pub grad: f64,
}

/// `check L`: a row per labelled leaf, the counts of each status, and where
/// the check was taken (the leaves' current data; see `stale_nodes`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckReport {
    pub target: String,
    #[serde(serialize_with = "number")]
    pub eps: f64,
    #[serde(serialize_with = "number")]
    pub atol: f64,
    #[serde(serialize_with = "number")]
    pub rtol: f64,
    /// True when no row is a mismatch or undefined (a kink is not compared, so it does not fail).
    pub ok: bool,
    /// Rows whose gradients agree.
    pub matched: usize,
    /// Rows whose gradients differ.
    pub mismatched: usize,
    /// Rows at a kink, not compared.
    pub kinks: usize,
    /// Rows where nudging the leaf made the graph non-finite (these fail, like mismatches).
    pub undefined: usize,
    /// Rows whose finite difference is too imprecise at this eps to compare, not compared.
    pub imprecise: usize,
    /// The target recomputed from its leaves' current data: where both sides were taken.
    #[serde(serialize_with = "number")]
    pub value: f64,
    /// The target's stored data, which differs from `value` when it is stale.
    #[serde(serialize_with = "number")]
    pub stored_value: f64,
    /// How many nodes of the target's graph hold data computed from other leaf
    /// data than the current (0 for a graph that is up to date).
    pub stale_nodes: usize,
    pub nodes: Vec<CheckRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckRow {
    pub label: String,
    #[serde(serialize_with = "number")]
    pub autograd: f64,
    #[serde(serialize_with = "number")]
    pub numeric: f64,
    #[serde(serialize_with = "number")]
    pub abs_err: f64,
    /// Whether the gradients agree: true for `ok`, false for `mismatch` and
    /// `undefined`, and `null` for a `kink` or `imprecise` row, where nothing
    /// could be compared.
    pub ok: Option<bool>,
    pub status: CheckStatus,
    /// For a row that disagrees beyond the tolerance: the estimated error of
    /// the finite difference itself (rounding plus truncation).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "optional_number")]
    pub numeric_error: Option<f64>,
    /// For an `imprecise` row: an eps at which the difference should be precise enough.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "optional_number")]
    pub suggested_eps: Option<f64>,
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
    /// The finite difference's own error at this eps (rounding or truncation)
    /// is as large as the disagreement: it cannot tell.
    Imprecise,
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
    #[serde(serialize_with = "number")]
    Number(f64),
    Bool(bool),
    Str(String),
    List(Vec<Shown>),
    /// A function or a model, described in words (`<fn f(x)>`).
    Other(String),
    /// A node with its fields, as the REPL echoes a bare expression:
    /// `Value(data=-6, grad=0, label=e, op=*)` (micrograd's `Value` repr, and more).
    Node {
        data: f64,
        grad: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        /// The operation that made it; none for a leaf.
        #[serde(skip_serializing_if = "Option::is_none")]
        op: Option<String>,
    },
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
    #[serde(serialize_with = "number")]
    pub local: f64,
    #[serde(serialize_with = "number")]
    pub upstream: f64,
    #[serde(serialize_with = "number")]
    pub contribution: f64,
    /// The input's grad after the step.
    #[serde(serialize_with = "number")]
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
