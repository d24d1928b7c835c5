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

mod arena;
mod backward;
mod check;
mod marks;
mod neuron;
mod op;
mod set;
#[cfg(test)]
mod tests;

use rustc_hash::FxHashMap;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

pub use check::{CheckOptions, CheckResult, CheckRow, CheckStatus};
pub use neuron::Operand;
pub use op::{Op, forward};

use marks::Blocks;
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
    /// The stamp of the last sweep that marked this node (`marks.rs`); 0 for none.
    seen: u16,
}

impl Node {
    fn is_freed(&self) -> bool {
        self.label == FREED
    }
}

/// The lowest slot a node of `op` on `inputs` may go in: above all its inputs
/// (0 for a leaf).
#[inline(always)]
fn lowest_slot(op: Op, inputs: [NodeId; 2]) -> usize {
    match op.arity() {
        0 => 0,
        1 => inputs[0].index() + 1,
        _ => inputs[0].index().max(inputs[1].index()) + 1,
    }
}

const NO_LABEL: u32 = u32::MAX;

/// A label interned in one graph's table ([`Graph::intern_label`]): setting it
/// needs no lookup of its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LabelId {
    table: u64,
    index: u32,
}

/// A number no other table of labels has.
fn new_labels_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

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
#[derive(Debug)]
pub struct Graph {
    /// The slots: live nodes and freed slots waiting for reuse.
    nodes: Vec<Node>,
    /// The slots freed by the last collection and not reused yet, but for `run`.
    free: FreeSlots,
    /// Free slots one after another, taken out of `free`, which new nodes take in
    /// order from `run.start` (see `arena.rs`). Every slot in `free` lies above it.
    run: Range<usize>,
    /// Which blocks of the arena hold marked nodes (`marks.rs`); clear between sweeps.
    blocks: Blocks,
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
    /// Which table of labels this is: a copy of the graph has another, so that a
    /// [`LabelId`] handed out by one is never taken for one of the other.
    labels_id: u64,
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
            run: 0..0,
            blocks: Blocks::default(),
            live: 0,
            kept: 0,
            labels: Vec::new(),
            label_index: FxHashMap::default(),
            last_label: NO_LABEL,
            labels_id: new_labels_id(),
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
        let index = id.index();
        index < self.nodes.len() && !self.run.contains(&index) && !self.free.contains(index)
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
    #[inline(always)]
    pub fn constant(&mut self, data: f64) -> Result<NodeId, GraphError> {
        self.push_leaf(data, true)
    }

    #[inline(always)]
    fn push_leaf(&mut self, data: f64, constant: bool) -> Result<NodeId, GraphError> {
        self.push(data, Op::Leaf, [NodeId(0); 2], constant)
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
        self.unary(op, x)
    }

    /// [`Graph::apply`] for an op of two inputs: adds a node computing `op` on
    /// `lhs` and `rhs`, or returns [`GraphError::NonFinite`] and adds nothing.
    ///
    /// Panics if `op` does not take exactly two inputs or if an input is not a
    /// node of this graph (programmer errors).
    #[inline(always)]
    pub fn apply2(&mut self, op: Op, lhs: NodeId, rhs: NodeId) -> Result<NodeId, GraphError> {
        self.binary(op, lhs, rhs)
    }

    /// [`Graph::apply1`], always in line (for the engine's own loops).
    #[inline(always)]
    fn unary(&mut self, op: Op, x: NodeId) -> Result<NodeId, GraphError> {
        if op.arity() != 1 {
            wrong_arity(op, 1);
        }
        // A freed input is a programmer error (the interpreter's roots were incomplete);
        // debug builds catch it here, release builds would compute with stale data.
        debug_assert!(self.contains(x), "Graph::apply: {x:?} is not a live node of this graph");
        let data = self.nodes[x.index()].data;
        let result = forward(op, data, 0.0);
        if !result.is_finite() {
            return Err(non_finite(op, &[data], result));
        }
        self.push(result, op, [x, NodeId(0)], false)
    }

    /// [`Graph::apply2`], always in line (for the engine's own loops).
    #[inline(always)]
    fn binary(&mut self, op: Op, lhs: NodeId, rhs: NodeId) -> Result<NodeId, GraphError> {
        if op.arity() != 2 {
            wrong_arity(op, 2);
        }
        // As in `unary`.
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
        self.push(result, op, [lhs, rhs], false)
    }

    // The accessors below panic on an id from another, larger graph: that is a
    // programmer error, as with a slice index. An id freed by a collection is
    // the same error; debug builds catch it (release builds read what the slot
    // last held).

    fn node(&self, id: NodeId) -> &Node {
        debug_assert!(self.contains(id), "{id:?} was freed by collect_garbage");
        &self.nodes[id.index()]
    }

    fn node_mut(&mut self, id: NodeId) -> &mut Node {
        debug_assert!(self.contains(id), "{id:?} was freed by collect_garbage");
        &mut self.nodes[id.index()]
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
            Some(text) => self.label_index_of(text),
        };
        self.node_mut(id).label = index;
        if index != NO_LABEL {
            self.last_label = index;
        }
    }

    /// The index of `text` in the table of labels, added if it is new.
    fn label_index_of(&mut self, text: &str) -> u32 {
        if self.last_label != NO_LABEL && *self.labels[self.last_label as usize] == *text {
            return self.last_label;
        }
        match self.label_index.get(text) {
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
        }
    }

    /// The label `text` interned in this graph's table, for [`Graph::label_if_unlabelled_as`].
    pub fn intern_label(&mut self, text: &str) -> LabelId {
        let index = self.label_index_of(text);
        LabelId {
            table: self.labels_id,
            index,
        }
    }

    /// Whether `label` was interned by this graph (a copy of it, restored after
    /// a failed statement, has a table of its own).
    #[inline]
    pub fn owns_label(&self, label: LabelId) -> bool {
        label.table == self.labels_id
    }

    /// [`Graph::label_if_unlabelled`] with a label this graph interned.
    ///
    /// Panics if it did not (programmer error: ask [`Graph::owns_label`]).
    #[inline]
    pub fn label_if_unlabelled_as(&mut self, id: NodeId, label: LabelId) {
        assert!(
            self.owns_label(label),
            "Graph::label_if_unlabelled_as: a label of another graph"
        );
        debug_assert!(self.contains(id), "{id:?} was freed by collect_garbage");
        let node = &mut self.nodes[id.index()];
        if node.label == NO_LABEL {
            node.label = label.index;
            self.last_label = label.index;
        }
    }

    /// Gives `id` the label `text` if it has none (what `name = node` does).
    #[inline]
    pub fn label_if_unlabelled(&mut self, id: NodeId, text: &str) {
        debug_assert!(self.contains(id), "{id:?} was freed by collect_garbage");
        if self.nodes[id.index()].label == NO_LABEL {
            self.set_label(id, Some(text));
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

    /// Zeroes the grad of every live node.
    pub fn zero_all_grads(&mut self) {
        // A freed slot's grad is never read, so it may be zeroed too.
        for node in &mut self.nodes {
            node.grad = 0.0;
        }
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
