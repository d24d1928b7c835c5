//! The autograd engine: an arena of scalar nodes, the forward value of each op,
//! and reverse-mode differentiation over it (micrograd's `Value`, without the
//! objects).
//!
//! Architecture Invariant: the engine knows nothing of syntax. It has no spans,
//! no source text and no printing beyond its error messages; the interpreter
//! maps names to [`NodeId`]s and renders what the engine returns.
//!
//! Architecture Invariant: a node's inputs are created before it and its edges
//! never change (`set_data` changes data, never structure), so a node can never
//! be its own ancestor and every walk terminates. Ids are a topological order
//! too: every input of a node has a smaller id than the node. A new node goes
//! to the lowest slot that [`Graph::collect_garbage`] freed *above all its
//! inputs* (a leaf, to the lowest free slot), or to the end of the arena. So
//! backward and collection's marking are one sweep down the ids, with no sort
//! and no stack (see [`Graph::backward`]).
//!
//! Architecture Invariant: the inputs of a live node are live. Collection frees
//! only what no root reaches through inputs, so it can never free an input of a
//! node it keeps.
//!
//! Architecture Invariant: nothing here recurses over the graph. Graphs built by
//! loops are long chains (a million nodes is normal), so every walk keeps its
//! own stack on the heap.

mod check;
mod op;
mod set;
#[cfg(test)]
mod tests;

use rustc_hash::FxHashMap;
use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

pub use check::{CheckOptions, CheckResult, CheckRow, CheckStatus};
pub use op::{Op, forward};

use op::local_derivatives;
use set::{DenseSet, FreeSlots};

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

/// Why a node could not be added to the graph, or a backward pass could not finish.
#[derive(Clone, Debug, PartialEq)]
pub enum GraphError {
    /// The result of `op` on `operands` (1 or 2 values, as the op's arity) is not finite.
    NonFinite { op: Op, operands: Vec<f64>, result: f64 },
    /// A backward step would have made a gradient that is not finite.
    /// Boxed: it is large, and `GraphError` is the error of every `apply`.
    NonFiniteGradient(Box<NonFiniteStep>),
    /// The graph already holds `limit` nodes.
    TooManyNodes { limit: usize },
    /// Growing the arena would pass the graph's memory cap of `limit` bytes, or the
    /// allocator refused it.
    OutOfMemory { limit: usize },
}

/// A backward step through a node of `op` on `operands` that would have
/// given its input `input` (position `which`: 0 the lhs, 1 the rhs) a
/// gradient that is not finite: `grad_before + local * upstream`.
#[derive(Clone, Debug, PartialEq)]
pub struct NonFiniteStep {
    pub op: Op,
    pub operands: Vec<f64>,
    pub which: usize,
    pub input: NodeId,
    /// d node / d input at the data backward read.
    pub local: f64,
    /// The node's own gradient.
    pub upstream: f64,
    /// The input's gradient before this step.
    pub grad_before: f64,
}

impl fmt::Display for GraphError {
    /// A terse sentence with Rust's shortest round-trip numbers (`1`, `1e308`,
    /// `NaN`); the interpreter words these errors for people itself.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let number = |x: f64| {
            let text = format!("{x:?}");
            text.strip_suffix(".0").map_or_else(|| text.clone(), str::to_string)
        };
        match self {
            GraphError::NonFinite { op, operands, result } => write!(
                f,
                "{} is not a finite number ({})",
                describe_operation(*op, operands, &number),
                number(*result)
            ),
            GraphError::NonFiniteGradient(step) => write!(
                f,
                "backward through {} into input {}: {} + {} * {} is not a finite number",
                describe_operation(step.op, &step.operands, &number),
                step.which,
                number(step.grad_before),
                number(step.local),
                number(step.upstream)
            ),
            GraphError::TooManyNodes { limit } => {
                write!(f, "the graph already holds {limit} nodes, the limit")
            }
            GraphError::OutOfMemory { limit } => {
                write!(f, "the graph cannot grow past its memory cap of {limit} bytes")
            }
        }
    }
}

/// `op` applied to `operands` as a person would write it: `1 / 0`, `log(-1)`,
/// `(-8) ** 0.5`, `-(3)`, with every number written by `number`.
pub fn describe_operation(op: Op, operands: &[f64], number: &dyn Fn(f64) -> String) -> String {
    // A negative left operand is bracketed so that `(-8) ** 0.5` does not read
    // as `-(8 ** 0.5)`; so is a negative right one, so that `2 - (-3)` reads well.
    let operand = |x: f64| {
        if x.is_sign_negative() && !x.is_nan() {
            format!("({})", number(x))
        } else {
            number(x)
        }
    };
    match (op, operands) {
        (Op::Neg, [x]) => format!("-({})", number(*x)),
        (op, [x, y]) if op.is_infix() => format!("{} {} {}", operand(*x), op.symbol(), operand(*y)),
        (op, operands) => {
            let arguments: Vec<String> = operands.iter().map(|x| number(*x)).collect();
            format!("{}({})", op.symbol(), arguments.join(", "))
        }
    }
}

/// The error of an op whose result is not finite: out of line, as it
/// allocates and is rare.
#[cold]
#[inline(never)]
fn non_finite(op: Op, operands: &[f64], result: f64) -> GraphError {
    GraphError::NonFinite {
        op,
        operands: operands.to_vec(),
        result,
    }
}

/// The panic of `Graph::apply` given `given` inputs for `op`.
#[cold]
#[inline(never)]
#[track_caller]
fn wrong_arity(op: Op, given: usize) -> ! {
    panic!("Graph::apply: {op:?} takes {} inputs, given {given}", op.arity())
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
    /// An index into `Graph::labels`, `NO_LABEL`, or `FREED` for a freed slot.
    label: u32,
    op: Op,
    /// A leaf made by [`Graph::constant`]: it needs no gradient, so one that
    /// is not finite is no error (the exponent of a negative base has none).
    constant: bool,
}

impl Node {
    /// A freed slot: a leaf, so that no walk could follow edges out of it,
    /// with NaN data and grad, so that a stale id read in a release build
    /// shows up as NaN rather than as a plausible number.
    const FREED: Node = Node {
        data: f64::NAN,
        grad: f64::NAN,
        inputs: [NodeId(0); 2],
        label: FREED,
        op: Op::Leaf,
        constant: false,
    };

    /// The lowest slot this node may go in: above all its inputs (0 for a leaf).
    #[inline(always)]
    fn lowest_slot(&self) -> usize {
        match self.op.arity() {
            0 => 0,
            1 => self.inputs[0].index() + 1,
            _ => self.inputs[0].index().max(self.inputs[1].index()) + 1,
        }
    }

    fn is_freed(&self) -> bool {
        self.label == FREED
    }
}

const NO_LABEL: u32 = u32::MAX;

/// The label of a freed slot. Label indexes stay below it: there are never more
/// distinct labels than `MAX_NODES`.
const FREED: u32 = u32::MAX - 1;

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
    /// The slots: live nodes and freed slots waiting for reuse.
    nodes: Vec<Node>,
    /// The slots freed by the last collection and not reused yet.
    free: FreeSlots,
    /// How many slots hold live nodes.
    live: usize,
    /// How many nodes the last collection kept (0 before any): nodes are freed
    /// only by collection, so `live - kept` were created since.
    kept: usize,
    /// Each distinct label once; nodes refer to them by index.
    labels: Vec<Arc<str>>,
    /// The index of each label in `labels`, sharing its string.
    label_index: FxHashMap<Arc<str>, u32>,
    /// The label set last: loops label a new node with the same name every step.
    last_label: u32,
    /// Approximately the bytes the labels take (text and bookkeeping).
    label_bytes: usize,
    limit: usize,
    /// The most bytes [`Graph::memory_bytes`] may reach when the arena grows.
    memory_cap: usize,
}

/// What one distinct label costs besides its text: its `Arc` (header and the
/// allocator's rounding), its entries in `labels` and in `label_index` (with the
/// hash table's spare room), measured approximately with a model of 49 million
/// parameters, each with a label of its own.
const LABEL_OVERHEAD: usize = 112;

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
            free: FreeSlots::default(),
            live: 0,
            kept: 0,
            labels: Vec::new(),
            label_index: FxHashMap::default(),
            last_label: NO_LABEL,
            label_bytes: 0,
            limit: limit.min(MAX_NODES),
            memory_cap: usize::MAX,
        }
    }

    /// Caps the memory the graph may hold ([`Graph::memory_bytes`]): the arena grows
    /// only while it stays under `bytes`, and past it node creation fails with
    /// [`GraphError::OutOfMemory`] rather than the allocator aborting the process.
    pub fn set_memory_cap(&mut self, bytes: usize) {
        self.memory_cap = bytes;
    }

    /// Approximately the bytes the graph holds: its arena (a node is 32 bytes, and
    /// each slot has a bit in the free set) and its labels.
    pub fn memory_bytes(&self) -> usize {
        self.nodes.capacity() * (std::mem::size_of::<Node>() + 1) + self.label_bytes
    }

    /// The number of live nodes: created and not freed by
    /// [`Graph::collect_garbage`]. The same as [`Graph::live_count`]; ids can
    /// be larger, up to [`Graph::slot_count`].
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Nodes currently alive (allocated and not freed).
    pub fn live_count(&self) -> usize {
        self.live
    }

    /// The number of slots in the arena, live or freed: every id handed out
    /// that is still live is below it. Memory follows this, not the live count.
    pub fn slot_count(&self) -> usize {
        self.nodes.len()
    }

    /// Nodes created since the last collection, so that a caller can decide
    /// when another collection is worth its O(slots) sweep.
    pub fn created_since_collection(&self) -> usize {
        self.live - self.kept
    }

    /// Whether `id` names a live node of this graph (not freed, not past the
    /// end). A freed id whose slot has been reused names the new node: ids
    /// carry no generation.
    pub fn contains(&self, id: NodeId) -> bool {
        self.nodes.get(id.index()).is_some_and(|node| !node.is_freed())
    }

    /// Adds a leaf holding `data`, which may be any value, even NaN; only a
    /// full graph is an error. A leaf is a variable: backward stops with an
    /// error rather than give it a gradient that is not finite.
    #[inline]
    pub fn leaf(&mut self, data: f64) -> Result<NodeId, GraphError> {
        self.push_leaf(data, false)
    }

    /// Adds a constant: a leaf for a number written in the program (the `2`
    /// of `x * 2`). It collects a gradient like any leaf, but nobody asks for
    /// it, so one that is not finite is kept without error: `x ** 2` at
    /// `x = -1` has no derivative in its exponent (NaN), and `grad` of it must
    /// still work.
    #[inline]
    pub fn constant(&mut self, data: f64) -> Result<NodeId, GraphError> {
        self.push_leaf(data, true)
    }

    #[inline(always)]
    fn push_leaf(&mut self, data: f64, constant: bool) -> Result<NodeId, GraphError> {
        self.push(Node {
            data,
            grad: 0.0,
            inputs: [NodeId(0); 2],
            label: NO_LABEL,
            op: Op::Leaf,
            constant,
        })
    }

    /// Whether `id` was made by [`Graph::constant`].
    pub fn is_constant(&self, id: NodeId) -> bool {
        self.node(id).constant
    }

    /// Adds a node computing `op` on `inputs`, with its data computed by
    /// [`forward`]. If the result is not finite, returns
    /// [`GraphError::NonFinite`] and adds nothing.
    ///
    /// Panics if `op` is [`Op::Leaf`], if `inputs.len()` is not `op.arity()`, or
    /// if an input is not a node of this graph: those are programmer errors of
    /// the caller, never the result of a user's input.
    ///
    /// [`Graph::apply1`] and [`Graph::apply2`] do the same for a known number
    /// of inputs, without the slice.
    #[inline]
    pub fn apply(&mut self, op: Op, inputs: &[NodeId]) -> Result<NodeId, GraphError> {
        assert!(op != Op::Leaf, "Graph::apply called with Op::Leaf; use Graph::leaf");
        match *inputs {
            [x] if op.arity() == 1 => self.apply1(op, x),
            [lhs, rhs] if op.arity() == 2 => self.apply2(op, lhs, rhs),
            _ => wrong_arity(op, inputs.len()),
        }
    }

    /// [`Graph::apply`] for an op of one input: adds a node computing `op` on
    /// `x`, or returns [`GraphError::NonFinite`] and adds nothing.
    ///
    /// Panics if `op` does not take exactly one input or if `x` is not a node
    /// of this graph (programmer errors).
    #[inline]
    pub fn apply1(&mut self, op: Op, x: NodeId) -> Result<NodeId, GraphError> {
        if op.arity() != 1 {
            wrong_arity(op, 1);
        }
        // A freed input is a programmer error (the interpreter's roots were incomplete);
        // debug builds catch it here, release builds would compute with its NaN data.
        debug_assert!(self.contains(x), "Graph::apply: {x:?} is not a live node of this graph");
        let data = self.nodes[x.index()].data;
        let result = forward(op, data, 0.0);
        if !result.is_finite() {
            return Err(non_finite(op, &[data], result));
        }
        self.push(Node {
            data: result,
            grad: 0.0,
            inputs: [x, NodeId(0)],
            label: NO_LABEL,
            op,
            constant: false,
        })
    }

    /// [`Graph::apply`] for an op of two inputs: adds a node computing `op` on
    /// `lhs` and `rhs`, or returns [`GraphError::NonFinite`] and adds nothing.
    ///
    /// Panics if `op` does not take exactly two inputs or if an input is not a
    /// node of this graph (programmer errors).
    #[inline]
    pub fn apply2(&mut self, op: Op, lhs: NodeId, rhs: NodeId) -> Result<NodeId, GraphError> {
        if op.arity() != 2 {
            wrong_arity(op, 2);
        }
        // As in `apply1`.
        debug_assert!(
            self.contains(lhs),
            "Graph::apply: {lhs:?} is not a live node of this graph"
        );
        debug_assert!(
            self.contains(rhs),
            "Graph::apply: {rhs:?} is not a live node of this graph"
        );
        let x = self.nodes[lhs.index()].data;
        let y = self.nodes[rhs.index()].data;
        let result = forward(op, x, y);
        if !result.is_finite() {
            return Err(non_finite(op, &[x, y], result));
        }
        self.push(Node {
            data: result,
            grad: 0.0,
            inputs: [lhs, rhs],
            label: NO_LABEL,
            op,
            constant: false,
        })
    }

    /// Puts `node` in the lowest free slot above its inputs, or in a new slot
    /// at the end when there is none, so that ids stay a topological order.
    /// The limit counts live nodes; slots are bounded by `MAX_NODES`, so every
    /// id fits in a `u32`.
    #[inline]
    fn push(&mut self, node: Node) -> Result<NodeId, GraphError> {
        if self.live >= self.limit {
            return Err(GraphError::TooManyNodes { limit: self.limit });
        }
        let index = if self.free.is_empty() {
            self.nodes.len()
        } else {
            self.free_slot_for(&node)
        };
        if index == self.nodes.len() {
            if index >= MAX_NODES {
                return Err(GraphError::TooManyNodes { limit: self.limit });
            }
            if index == self.nodes.capacity() {
                self.grow()?;
            }
            self.nodes.push(node);
        } else {
            let slot = &mut self.nodes[index];
            debug_assert!(slot.is_freed(), "free slot {index} holds a live node");
            *slot = node;
        }
        self.live += 1;
        // Cannot truncate: slot indexes are below `MAX_NODES`.
        Ok(NodeId(index as u32))
    }

    /// Makes room for more nodes in the arena: twice as many, or as many as the node
    /// limit and the memory cap allow, without ever asking the allocator for more than
    /// it can give (a refusal is an error, not an abort).
    #[cold]
    #[inline(never)]
    fn grow(&mut self) -> Result<(), GraphError> {
        let len = self.nodes.len();
        let per_node = std::mem::size_of::<Node>() + 1;
        let others = self.label_bytes;
        let fits = self.memory_cap.saturating_sub(others) / per_node;
        // Slots can outnumber live nodes (free slots below a new node's inputs), so
        // the node limit bounds growth only loosely.
        let wanted = (2 * len).max(64).min(self.limit.max(len + 64)).min(fits);
        if wanted <= len {
            return Err(GraphError::OutOfMemory { limit: self.memory_cap });
        }
        self.nodes
            .try_reserve_exact(wanted - len)
            .map_err(|_| GraphError::OutOfMemory { limit: self.memory_cap })
    }

    /// The lowest free slot above `node`'s inputs, taken off the free set, or
    /// the end of the arena if there is none.
    #[inline(never)]
    fn free_slot_for(&mut self, node: &Node) -> usize {
        self.free
            .take_at_or_above(node.lowest_slot())
            .unwrap_or(self.nodes.len())
    }

    // The accessors below panic on an id from another, larger graph: that is a
    // programmer error, as with a slice index. An id freed by a collection is
    // the same error; debug builds catch it (release builds read NaN).

    fn node(&self, id: NodeId) -> &Node {
        let node = &self.nodes[id.index()];
        debug_assert!(!node.is_freed(), "{id:?} was freed by collect_garbage");
        node
    }

    fn node_mut(&mut self, id: NodeId) -> &mut Node {
        let node = &mut self.nodes[id.index()];
        debug_assert!(!node.is_freed(), "{id:?} was freed by collect_garbage");
        node
    }

    pub fn data(&self, id: NodeId) -> f64 {
        self.node(id).data
    }

    /// Overwrites a node's data. Nodes computed from it are not updated: like
    /// micrograd's `p.data += ...`, this is for leaves (parameters).
    pub fn set_data(&mut self, id: NodeId, value: f64) {
        self.node_mut(id).data = value;
    }

    pub fn grad(&self, id: NodeId) -> f64 {
        self.node(id).grad
    }

    pub fn set_grad(&mut self, id: NodeId, value: f64) {
        self.node_mut(id).grad = value;
    }

    pub fn op(&self, id: NodeId) -> Op {
        self.node(id).op
    }

    /// The inputs of a node, as many as its op's arity, lhs then rhs. They may
    /// have larger ids than the node (see the module's invariants).
    pub fn inputs(&self, id: NodeId) -> &[NodeId] {
        let node = self.node(id);
        &node.inputs[..node.op.arity()]
    }

    pub fn label(&self, id: NodeId) -> Option<&str> {
        let label = self.node(id).label;
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
            Some(text) if self.last_label != NO_LABEL && *self.labels[self.last_label as usize] == *text => {
                self.last_label
            }
            Some(text) => match self.label_index.get(text) {
                Some(&index) => index,
                None => {
                    // Fewer distinct labels than nodes, and nodes fit in a u32.
                    let index = self.labels.len() as u32;
                    self.label_bytes += text.len() + LABEL_OVERHEAD;
                    let text: Arc<str> = Arc::from(text);
                    self.labels.push(Arc::clone(&text));
                    self.label_index.insert(text, index);
                    index
                }
            },
        };
        self.node_mut(id).label = index;
        if index != NO_LABEL {
            self.last_label = index;
        }
    }

    /// Every node reachable from `root`, inputs before the nodes that use them
    /// (micrograd's build_topo post-order, visiting inputs in order lhs then
    /// rhs, each node once). `root` is last.
    ///
    /// Iterative; its cost is the nodes reachable from `root` plus a bit per slot
    /// of the arena (which collection keeps near the live count).
    pub fn topo(&self, root: NodeId) -> Vec<NodeId> {
        let mut order = Vec::new();
        let mut visited = DenseSet::new(self.nodes.len());
        // Each frame is a node and how many of its inputs have been visited:
        // the state a recursive build_topo would keep on the call stack.
        let mut stack: Vec<(NodeId, u8)> = Vec::new();
        visited.insert(root);
        stack.push((root, 0));
        while let Some(frame) = stack.last_mut() {
            let (id, next) = *frame;
            let node = self.node(id);
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
    /// added), then visits every node reachable from `root`, each after all the
    /// nodes that use it, adding its local derivative times its grad to the
    /// grad of each input. Grads accumulate across calls; nothing is zeroed.
    ///
    /// The visiting order is descending ids, a reverse topological order (one
    /// sweep down the arena, marking inputs as it goes, with no sort and no
    /// stack). micrograd's own order is that of a Python set, so no order is
    /// more faithful than another; orders differ only in how three or more
    /// contributions to one grad are summed.
    ///
    /// A step that would make a grad non-finite (`sqrt(0)`'s derivative is
    /// inf; a product of large numbers overflows) stops the pass with
    /// [`GraphError::NonFiniteGradient`], except into a [`Graph::constant`].
    /// The steps before it have been applied and the failing one has not, so
    /// every grad other than a constant's stays finite; the caller decides
    /// whether to restore them (the REPL undoes the whole statement).
    pub fn backward(&mut self, root: NodeId) -> Result<(), GraphError> {
        self.run_backward(root, |_| {})
    }

    /// [`Graph::backward`], calling `observe` once per (node, input) chain-rule
    /// step, in the order the steps happen.
    pub fn backward_observed(
        &mut self,
        root: NodeId,
        observe: &mut dyn FnMut(&BackwardStep),
    ) -> Result<(), GraphError> {
        self.run_backward(root, observe)
    }

    // Generic so that plain `backward` compiles to the bare loop, with no call
    // per step.
    fn run_backward(&mut self, root: NodeId, mut observe: impl FnMut(&BackwardStep)) -> Result<(), GraphError> {
        self.node_mut(root).grad = 1.0;
        // Inputs have smaller ids: a node is reached from every node that uses
        // it before the sweep gets down to it. Every node the sweep visits is
        // at or below the root, and so are its inputs. Only the root and
        // inputs that are not leaves are marked: a leaf has no steps to run.
        let end = root.index() + 1;
        let nodes = &mut self.nodes[..end];
        let mut reached = DenseSet::new(end);
        reached.insert(root);
        let stopped = reached.try_sweep_down(end, |reached, index| {
            propagate(nodes, index, &mut observe, |input| {
                reached.insert(input);
            })
        });
        match stopped {
            ControlFlow::Continue(()) => Ok(()),
            ControlFlow::Break(error) => Err(*error),
        }
    }

    /// Zeroes the grad of every node reachable from any of `roots`.
    pub fn zero_grad(&mut self, roots: &[NodeId]) {
        let mut visited = DenseSet::new(self.nodes.len());
        let mut stack = Vec::new();
        for &root in roots {
            if visited.insert(root) {
                stack.push(root);
            }
        }
        while let Some(id) = stack.pop() {
            let node = self.node_mut(id);
            node.grad = 0.0;
            for &input in &node.inputs[..node.op.arity()] {
                if visited.insert(input) {
                    stack.push(input);
                }
            }
        }
    }

    /// Zeroes the grad of every live node.
    pub fn zero_all_grads(&mut self) {
        for node in &mut self.nodes {
            if !node.is_freed() {
                node.grad = 0.0;
            }
        }
    }

    /// Frees every node not reachable from `roots` (following inputs), so that
    /// later [`Graph::leaf`] and [`Graph::apply`] calls reuse their slots.
    /// Returns how many nodes were freed. Live nodes keep their ids, data,
    /// grads and labels; a freed node's label index is simply dropped (the
    /// interned string stays, as labels come from the program's text).
    ///
    /// `roots` must hold every node the caller can still name: any other id is
    /// dangling afterwards. Repeated roots are fine.
    ///
    /// Marks with a bit per slot in one sweep down the arena (ids are a
    /// topological order, so no stack is needed), then frees every unmarked
    /// slot: O(slots) time. Freed slots at the end of the arena are dropped
    /// rather than kept free, and the arena gives memory back when it is
    /// mostly empty. New nodes fill the lowest free slots above their inputs.
    ///
    /// Panics if a root is not a live node of this graph (programmer error).
    pub fn collect_garbage(&mut self, roots: &[NodeId]) -> usize {
        let mut marked = DenseSet::new(self.nodes.len());
        for &root in roots {
            assert!(
                self.contains(root),
                "Graph::collect_garbage: root {root:?} is not a live node of this graph"
            );
            marked.insert(root);
        }
        // Inputs have smaller ids: one sweep down marks everything reachable.
        let mut kept = 0;
        marked.sweep_down(self.nodes.len(), |marked, index| {
            kept += 1;
            let node = &self.nodes[index];
            for &input in &node.inputs[..node.op.arity()] {
                marked.insert(input);
            }
        });
        let marked = marked.into_words();
        let slots = match marked.iter().rposition(|&word| word != 0) {
            Some(word) => word * 64 + 64 - marked[word].leading_zeros() as usize,
            None => 0,
        };
        self.nodes.truncate(slots);
        if self.nodes.capacity() > 4 * slots.max(1024) {
            self.nodes.shrink_to(2 * slots);
        }
        self.free.set_unmarked(&marked, slots);
        for index in self.free.iter() {
            self.nodes[index] = Node::FREED;
        }
        let freed = self.live - kept;
        self.live = kept;
        self.kept = kept;
        freed
    }

    /// The local derivative d node / d (input number `which`) at current data.
    ///
    /// Panics if `which` is not below the node's arity (programmer error).
    pub fn local_derivative(&self, node: NodeId, which: usize) -> f64 {
        let n = self.node(node);
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
        let x = self.node(node.inputs[0]).data;
        let y = if node.op.arity() == 2 {
            self.node(node.inputs[1]).data
        } else {
            0.0
        };
        local_derivatives(node.op, x, y, node.data)
    }
}

/// One node's chain-rule steps: adds its local derivative times its grad to
/// the grad of each input, lhs then rhs, and tells `reach` about each input
/// that is not a leaf (a leaf has no steps of its own, so a sweep need not
/// visit it). A node may use one input twice (`a + a`): two separate
/// additions, as micrograd's closure does, so the input collects both.
/// Breaks, adding nothing, at a step that would make a grad not finite (see
/// [`Graph::backward`]); the error is boxed so that the loop's value stays small.
#[inline(always)]
fn propagate(
    nodes: &mut [Node],
    index: usize,
    observe: &mut impl FnMut(&BackwardStep),
    mut reach: impl FnMut(NodeId),
) -> ControlFlow<Box<GraphError>> {
    let node = &nodes[index];
    debug_assert!(!node.is_freed(), "backward reached freed slot {index}");
    let (op, [lhs, rhs], out, upstream) = (node.op, node.inputs, node.data, node.grad);
    // Cannot truncate: slot indexes are below `MAX_NODES`.
    let id = NodeId(index as u32);
    let mut step = |nodes: &mut [Node], which: usize, input: NodeId, local: f64| {
        let target = &mut nodes[input.index()];
        let contribution = local * upstream;
        let grad = target.grad + contribution;
        if !grad.is_finite() && !target.constant {
            return ControlFlow::Break(non_finite_gradient(nodes, index, which, local));
        }
        target.grad = grad;
        let is_leaf = target.op == Op::Leaf;
        observe(&BackwardStep {
            node: id,
            input,
            which,
            local,
            upstream,
            contribution,
            input_grad_after: grad,
        });
        if !is_leaf {
            reach(input);
        }
        ControlFlow::Continue(())
    };
    let data = |nodes: &[Node], input: NodeId| nodes[input.index()].data;
    // Add, Sub and Mul are matched with the op spelled out so that, with
    // `local_derivatives` inlined, their derivatives fold to constants or the
    // other input's data, each with its own copy of the steps.
    match op {
        Op::Leaf => ControlFlow::Continue(()),
        Op::Add => {
            let (dx, dy) = local_derivatives(Op::Add, data(nodes, lhs), data(nodes, rhs), out);
            step(nodes, 0, lhs, dx)?;
            step(nodes, 1, rhs, dy)
        }
        Op::Sub => {
            let (dx, dy) = local_derivatives(Op::Sub, data(nodes, lhs), data(nodes, rhs), out);
            step(nodes, 0, lhs, dx)?;
            step(nodes, 1, rhs, dy)
        }
        Op::Mul => {
            let (dx, dy) = local_derivatives(Op::Mul, data(nodes, lhs), data(nodes, rhs), out);
            step(nodes, 0, lhs, dx)?;
            step(nodes, 1, rhs, dy)
        }
        op if op.arity() == 2 => {
            let (dx, dy) = local_derivatives(op, data(nodes, lhs), data(nodes, rhs), out);
            step(nodes, 0, lhs, dx)?;
            step(nodes, 1, rhs, dy)
        }
        op => {
            let (dx, _) = local_derivatives(op, data(nodes, lhs), 0.0, out);
            step(nodes, 0, lhs, dx)
        }
    }
}

/// The error of a backward step through the node at `index` into its input
/// `which` whose result is not finite. Out of line: it allocates and is rare.
#[cold]
#[inline(never)]
fn non_finite_gradient(nodes: &[Node], index: usize, which: usize, local: f64) -> Box<GraphError> {
    let node = &nodes[index];
    let arity = node.op.arity();
    let input = node.inputs[which];
    Box::new(GraphError::NonFiniteGradient(Box::new(NonFiniteStep {
        op: node.op,
        operands: node.inputs[..arity].iter().map(|i| nodes[i.index()].data).collect(),
        which,
        input,
        local,
        upstream: node.grad,
        grad_before: nodes[input.index()].grad,
    })))
}
