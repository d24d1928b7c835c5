//! The autograd engine: an arena of scalar nodes, the forward value of each op,
//! and reverse-mode differentiation over it (micrograd's `Value`, without the
//! objects).
//!
//! Architecture Invariant: the engine knows nothing of syntax. It has no spans,
//! no source text and no printing beyond its error messages; the interpreter
//! maps names to [`NodeId`]s and renders what the engine returns.
//!
//! Architecture Invariant: nodes are append-only, and an op's inputs always
//! have smaller ids than the op node. So ids are already a topological order,
//! a node can never be its own ancestor, and every walk terminates.
//!
//! Architecture Invariant: nothing here recurses over the graph. Graphs built by
//! loops are long chains (a million nodes is normal), so every walk keeps its
//! own stack on the heap.

mod check;
mod op;
mod set;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

pub use check::{CheckOptions, CheckResult, CheckRow, CheckStatus};
pub use op::{Op, forward};

use op::local_derivatives;
use set::NodeSet;

/// The address of a node in a [`Graph`]. Only meaningful for the graph that
/// handed it out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The id with the given index.
    ///
    /// Panics if `i` does not fit in a `u32`: that is a programmer error, since
    /// a graph never holds that many nodes.
    pub fn from_index(i: usize) -> NodeId {
        match u32::try_from(i) {
            Ok(raw) => NodeId(raw),
            Err(_) => panic!("node index {i} does not fit in a NodeId"),
        }
    }
}

/// Why a node could not be added to the graph.
#[derive(Clone, Debug, PartialEq)]
pub enum GraphError {
    /// The result of `op` on `operands` (1 or 2 values, as the op's arity) is not finite.
    NonFinite { op: Op, operands: Vec<f64>, result: f64 },
    /// The graph already holds `limit` nodes.
    TooManyNodes { limit: usize },
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphError::NonFinite { op, operands, result } => {
                match (op, operands.as_slice()) {
                    (Op::Neg, [x]) => write!(f, "-({x})")?,
                    // A negative left operand is bracketed so that `(-8) ** 0.5`
                    // does not read as `-(8 ** 0.5)`.
                    (op, [x, y]) if op.is_infix() => {
                        write_operand(f, *x)?;
                        write!(f, " {} ", op.symbol())?;
                        write_operand(f, *y)?;
                    }
                    (op, operands) => {
                        write!(f, "{}(", op.symbol())?;
                        for (i, x) in operands.iter().enumerate() {
                            if i > 0 {
                                f.write_str(", ")?;
                            }
                            write!(f, "{x}")?;
                        }
                        f.write_str(")")?;
                    }
                }
                write!(f, " is not a finite number ({result})")
            }
            GraphError::TooManyNodes { limit } => {
                write!(f, "the graph already holds {limit} nodes, the limit")
            }
        }
    }
}

fn write_operand(f: &mut fmt::Formatter<'_>, x: f64) -> fmt::Result {
    if x.is_sign_negative() && !x.is_nan() {
        write!(f, "({x})")
    } else {
        write!(f, "{x}")
    }
}

impl std::error::Error for GraphError {}

/// One node of the arena.
///
/// Architecture Invariant: a node is at most 32 bytes (checked by a test), so
/// that a million-node graph is 32 MB and backward walks memory densely.
#[derive(Clone, Copy, Debug)]
struct Node {
    data: f64,
    grad: f64,
    /// The first `op.arity()` slots are the inputs, lhs then rhs; the rest hold
    /// `NodeId(0)` and mean nothing.
    inputs: [NodeId; 2],
    /// An index into `Graph::labels`, or `NO_LABEL`.
    label: u32,
    op: Op,
}

const NO_LABEL: u32 = u32::MAX;

/// The most nodes a graph can hold: every id must fit in a `u32`.
const MAX_NODES: usize = u32::MAX as usize - 1;

/// One chain-rule step of a backward pass, as handed to the observer of
/// [`Graph::backward_observed`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BackwardStep {
    /// The node whose gradient is being pushed to its inputs.
    pub node: NodeId,
    /// The input receiving it.
    pub input: NodeId,
    /// Which input of `node` this is: 0 for the lhs, 1 for the rhs.
    pub which: usize,
    /// d node / d input at current data.
    pub local: f64,
    /// The grad of `node` when the step ran.
    pub upstream: f64,
    /// `local * upstream`, the amount added to the input's grad.
    pub contribution: f64,
    /// The input's grad after the addition.
    pub input_grad_after: f64,
}

/// An arena of scalar nodes, each with data, a gradient, an op and its inputs.
#[derive(Clone, Debug)]
pub struct Graph {
    nodes: Vec<Node>,
    /// Each distinct label once; nodes refer to them by index.
    labels: Vec<Arc<str>>,
    /// The index of each label in `labels`, sharing its string.
    label_index: HashMap<Arc<str>, u32>,
    limit: usize,
}

impl Default for Graph {
    fn default() -> Graph {
        Graph::new()
    }
}

impl Graph {
    /// An empty graph that may grow to as many nodes as a [`NodeId`] can address.
    pub fn new() -> Graph {
        Graph::with_node_limit(MAX_NODES)
    }

    /// An empty graph that refuses to grow past `limit` nodes. A limit above
    /// what a [`NodeId`] can address is lowered to that.
    pub fn with_node_limit(limit: usize) -> Graph {
        Graph {
            nodes: Vec::new(),
            labels: Vec::new(),
            label_index: HashMap::new(),
            limit: limit.min(MAX_NODES),
        }
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Adds a leaf holding `data`, which may be any value, even NaN; only a
    /// full graph is an error.
    pub fn leaf(&mut self, data: f64) -> Result<NodeId, GraphError> {
        self.push(Node {
            data,
            grad: 0.0,
            inputs: [NodeId(0); 2],
            label: NO_LABEL,
            op: Op::Leaf,
        })
    }

    /// Adds a node computing `op` on `inputs`, with its data computed by
    /// [`forward`]. If the result is not finite, returns
    /// [`GraphError::NonFinite`] and adds nothing.
    ///
    /// Panics if `op` is [`Op::Leaf`], if `inputs.len()` is not `op.arity()`, or
    /// if an input is not a node of this graph: those are programmer errors of
    /// the caller, never the result of a user's input.
    pub fn apply(&mut self, op: Op, inputs: &[NodeId]) -> Result<NodeId, GraphError> {
        assert!(op != Op::Leaf, "Graph::apply called with Op::Leaf; use Graph::leaf");
        assert_eq!(
            inputs.len(),
            op.arity(),
            "Graph::apply: {op:?} takes {} inputs",
            op.arity()
        );
        for input in inputs {
            assert!(
                input.index() < self.nodes.len(),
                "Graph::apply: {input:?} is not a node of this graph"
            );
        }
        let x = self.nodes[inputs[0].index()].data;
        let (y, rhs) = match inputs.get(1) {
            Some(&rhs) => (self.nodes[rhs.index()].data, rhs),
            None => (0.0, NodeId(0)),
        };
        let result = forward(op, x, y);
        if !result.is_finite() {
            let operands = if op.arity() == 2 { vec![x, y] } else { vec![x] };
            return Err(GraphError::NonFinite { op, operands, result });
        }
        self.push(Node {
            data: result,
            grad: 0.0,
            inputs: [inputs[0], rhs],
            label: NO_LABEL,
            op,
        })
    }

    fn push(&mut self, node: Node) -> Result<NodeId, GraphError> {
        if self.nodes.len() >= self.limit {
            return Err(GraphError::TooManyNodes { limit: self.limit });
        }
        // Cannot truncate: `limit` is at most `MAX_NODES`, which fits in a u32.
        let id = NodeId(self.nodes.len() as u32);
        self.nodes.push(node);
        Ok(id)
    }

    // The accessors below panic on an id from another, larger graph: that is a
    // programmer error, as with a slice index.

    pub fn data(&self, id: NodeId) -> f64 {
        self.nodes[id.index()].data
    }

    /// Overwrites a node's data. Nodes computed from it are not updated: like
    /// micrograd's `p.data += ...`, this is for leaves (parameters).
    pub fn set_data(&mut self, id: NodeId, value: f64) {
        self.nodes[id.index()].data = value;
    }

    pub fn grad(&self, id: NodeId) -> f64 {
        self.nodes[id.index()].grad
    }

    pub fn set_grad(&mut self, id: NodeId, value: f64) {
        self.nodes[id.index()].grad = value;
    }

    pub fn op(&self, id: NodeId) -> Op {
        self.nodes[id.index()].op
    }

    /// The inputs of a node, as many as its op's arity, lhs then rhs.
    pub fn inputs(&self, id: NodeId) -> &[NodeId] {
        let node = &self.nodes[id.index()];
        &node.inputs[..node.op.arity()]
    }

    pub fn label(&self, id: NodeId) -> Option<&str> {
        let label = self.nodes[id.index()].label;
        if label == NO_LABEL {
            None
        } else {
            Some(&self.labels[label as usize])
        }
    }

    /// Sets or clears a node's label. Each distinct string is stored once
    /// however many nodes carry it.
    pub fn set_label(&mut self, id: NodeId, label: Option<&str>) {
        let index = match label {
            None => NO_LABEL,
            Some(text) => match self.label_index.get(text) {
                Some(&index) => index,
                None => {
                    // Fewer distinct labels than nodes, and nodes fit in a u32.
                    let index = self.labels.len() as u32;
                    let text: Arc<str> = Arc::from(text);
                    self.labels.push(Arc::clone(&text));
                    self.label_index.insert(text, index);
                    index
                }
            },
        };
        self.nodes[id.index()].label = index;
    }

    /// Every node reachable from `root`, inputs before the nodes that use them
    /// (micrograd's build_topo post-order, visiting inputs in order lhs then
    /// rhs, each node once). `root` is last.
    ///
    /// Iterative, and its cost follows the nodes reachable from `root`, not the
    /// size of the arena.
    pub fn topo(&self, root: NodeId) -> Vec<NodeId> {
        let mut order = Vec::new();
        let mut visited = NodeSet::new();
        // Each frame is a node and how many of its inputs have been visited:
        // the state a recursive build_topo would keep on the call stack.
        let mut stack: Vec<(NodeId, u8)> = Vec::new();
        visited.insert(root);
        stack.push((root, 0));
        while let Some(frame) = stack.last_mut() {
            let (id, next) = *frame;
            let node = &self.nodes[id.index()];
            if usize::from(next) < node.op.arity() {
                frame.1 += 1;
                let input = node.inputs[usize::from(next)];
                if visited.insert(input) {
                    stack.push((input, 0));
                }
            } else {
                stack.pop();
                order.push(id);
            }
        }
        order
    }

    /// micrograd's `L.backward()`: sets the grad of `root` to 1 (assigned, not
    /// added), then walks [`Graph::topo`] in reverse, adding each node's local
    /// derivative times its grad to the grad of each input. Grads accumulate
    /// across calls; nothing is zeroed.
    pub fn backward(&mut self, root: NodeId) {
        self.run_backward(root, |_| {});
    }

    /// [`Graph::backward`], calling `observe` once per (node, input) chain-rule
    /// step, in the order the steps happen.
    pub fn backward_observed(&mut self, root: NodeId, observe: &mut dyn FnMut(&BackwardStep)) {
        self.run_backward(root, observe);
    }

    // Generic so that plain `backward` compiles to the bare loop, with no call
    // per step.
    fn run_backward(&mut self, root: NodeId, mut observe: impl FnMut(&BackwardStep)) {
        let order = self.topo(root);
        self.nodes[root.index()].grad = 1.0;
        for &id in order.iter().rev() {
            let node = self.nodes[id.index()];
            let arity = node.op.arity();
            if arity == 0 {
                continue;
            }
            let locals = self.local_derivatives_of(&node);
            // A node may use one input twice (`a + a`): two separate additions,
            // as micrograd's closure does, so the input collects both.
            for (which, &input) in node.inputs[..arity].iter().enumerate() {
                let local = if which == 0 { locals.0 } else { locals.1 };
                let contribution = local * node.grad;
                let grad = &mut self.nodes[input.index()].grad;
                *grad += contribution;
                observe(&BackwardStep {
                    node: id,
                    input,
                    which,
                    local,
                    upstream: node.grad,
                    contribution,
                    input_grad_after: *grad,
                });
            }
        }
    }

    /// Zeroes the grad of every node reachable from any of `roots`.
    pub fn zero_grad(&mut self, roots: &[NodeId]) {
        let mut visited = NodeSet::new();
        let mut stack = Vec::new();
        for &root in roots {
            if visited.insert(root) {
                stack.push(root);
            }
        }
        while let Some(id) = stack.pop() {
            let node = &mut self.nodes[id.index()];
            node.grad = 0.0;
            for &input in &node.inputs[..node.op.arity()] {
                if visited.insert(input) {
                    stack.push(input);
                }
            }
        }
    }

    /// Zeroes every grad in the arena.
    pub fn zero_all_grads(&mut self) {
        for node in &mut self.nodes {
            node.grad = 0.0;
        }
    }

    /// The local derivative d node / d (input number `which`) at current data.
    ///
    /// Panics if `which` is not below the node's arity (programmer error).
    pub fn local_derivative(&self, node: NodeId, which: usize) -> f64 {
        let n = &self.nodes[node.index()];
        let arity = n.op.arity();
        assert!(
            which < arity,
            "Graph::local_derivative: {:?} has {arity} inputs, asked for input {which}",
            n.op
        );
        let (dx, dy) = self.local_derivatives_of(n);
        if which == 0 { dx } else { dy }
    }

    /// Both local derivatives of a node that is not a leaf, from current data.
    fn local_derivatives_of(&self, node: &Node) -> (f64, f64) {
        let x = self.nodes[node.inputs[0].index()].data;
        let y = if node.op.arity() == 2 {
            self.nodes[node.inputs[1].index()].data
        } else {
            0.0
        };
        local_derivatives(node.op, x, y, node.data)
    }
}
