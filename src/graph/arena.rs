//! Where nodes go in the arena, how it grows, and collection (which frees the
//! slots no root reaches, for new nodes to reuse).
//!
//! A new node goes to the lowest free slot above all its inputs (a leaf: the
//! lowest free slot), or to the end of the arena, so that ids stay a
//! topological order. The free slots are kept in two parts: `run`, a stretch of
//! free slots one after another, which new nodes take in order (filling a freed
//! region costs what appending does), and `free`, every other free slot, all of
//! them above the run. Taken together they give exactly the lowest free slot
//! above a node's inputs (see [`Graph::free_slot_at_or_above`]).

use std::ops::ControlFlow;

use super::{FREED, Graph, GraphError, MAX_NODES, NO_LABEL, Node, NodeId, Op, lowest_slot};

/// The most slots a run takes out of the free set at once, so that splitting one
/// (a node whose inputs lie inside the run) gives back a bounded number of slots.
const RUN_MAX: usize = 4096;

impl Graph {
    /// Puts `node` in the lowest free slot above its inputs, or in a new slot
    /// at the end when there is none, so that ids stay a topological order.
    /// The limit counts live nodes; slots are bounded by `MAX_NODES` (the arena
    /// never grows past it), so every id fits in a `u32`.
    ///
    /// The common case is handled here, in line: the next slot of the run lies
    /// above the node's inputs. The run is a stretch of free slots, or, when none
    /// is free, the room at the end of the arena's allocation; either way it is
    /// never longer than the node limit allows, so that only the slow path needs
    /// to check the limit.
    ///
    /// The node is given as its fields and built where it is stored: a node
    /// built first and copied into the arena is stored piecewise and then read
    /// whole, which the processor cannot forward from store to load.
    #[inline(always)]
    pub(super) fn push(
        &mut self,
        data: f64,
        op: Op,
        inputs: [NodeId; 2],
        constant: bool,
    ) -> Result<NodeId, GraphError> {
        let index = self.run.start;
        if index < self.run.end && lowest_slot(op, inputs) <= index {
            self.run.start = index + 1;
            self.live += 1;
            match self.nodes.get_mut(index) {
                Some(slot) => {
                    debug_assert!(slot.is_freed(), "free slot {index} holds a live node");
                    slot.data = data;
                    slot.grad = 0.0;
                    slot.inputs = inputs;
                    slot.label = NO_LABEL;
                    slot.op = op;
                    slot.constant = constant;
                }
                // The end of the arena: the run lies within its capacity.
                None => self.nodes.push(Node::new(data, op, inputs, constant)),
            }
            // Cannot truncate: slot indexes are below `MAX_NODES`.
            return Ok(NodeId(index as u32));
        }
        self.push_elsewhere(data, op, inputs, constant)
    }

    /// [`Graph::push`] when the run cannot take the node: it is used up, or the
    /// node's inputs lie at or above its next slot.
    #[inline(never)]
    fn push_elsewhere(&mut self, data: f64, op: Op, inputs: [NodeId; 2], constant: bool) -> Result<NodeId, GraphError> {
        if self.live >= self.limit {
            return Err(GraphError::TooManyNodes { limit: self.limit });
        }
        let lowest = lowest_slot(op, inputs);
        if self.run.is_empty() {
            self.new_run()?;
            if lowest <= self.run.start {
                return self.push(data, op, inputs, constant);
            }
        }
        // The run is a stretch of free slots (the room at the end takes any node)
        // whose next slot lies below an input.
        let node = Node::new(data, op, inputs, constant);
        let index = match self.free_slot_at_or_above(lowest) {
            Some(index) => {
                let slot = &mut self.nodes[index];
                debug_assert!(slot.is_freed(), "free slot {index} holds a live node");
                *slot = node;
                index
            }
            None => {
                let index = self.nodes.len();
                if index == self.nodes.capacity() {
                    self.grow()?;
                }
                self.nodes.push(node);
                index
            }
        };
        self.live += 1;
        // A node placed outside the run leaves the run one fewer under the limit.
        let allowed_end = self.run.start + (self.limit - self.live);
        if self.run.end > allowed_end {
            self.free.insert_range(allowed_end, self.run.end);
            self.run.end = allowed_end;
        }
        Ok(NodeId(index as u32))
    }

    /// Starts a new run, the old one being used up: the lowest free slots one after
    /// another, or else the room at the end of the arena (which grows first if it is
    /// full), at most as many as the node limit still allows (at least one).
    pub(super) fn new_run(&mut self) -> Result<(), GraphError> {
        let allowed = self.limit - self.live;
        self.run = self.free.take_run(RUN_MAX.min(allowed));
        if self.run.is_empty() {
            if self.nodes.len() == self.nodes.capacity() {
                self.grow()?;
            }
            let start = self.nodes.len();
            self.run = start..self.nodes.capacity().min(start + allowed);
        }
        Ok(())
    }

    /// Takes the lowest free slot at or above `lowest` (which lies above the
    /// run's next slot), if there is one.
    ///
    /// Every free slot outside the run lies above it, and the run's slots are
    /// free from `run.start` on: so that slot is `lowest` itself when it lies
    /// inside the run (which is then cut there, its upper part given back to
    /// `free`), and otherwise the lowest one in `free` at or above `lowest`.
    fn free_slot_at_or_above(&mut self, lowest: usize) -> Option<usize> {
        if lowest < self.run.end {
            self.free.insert_range(lowest + 1, self.run.end);
            self.run.end = lowest;
            return Some(lowest);
        }
        self.free.take_at_or_above(lowest)
    }

    /// Makes room for more nodes in the arena: twice as many, or as many as the node
    /// limit, the memory cap and `MAX_NODES` allow, without ever asking the allocator
    /// for more than it can give (a refusal is an error, not an abort).
    #[cold]
    #[inline(never)]
    pub(super) fn grow(&mut self) -> Result<(), GraphError> {
        let len = self.nodes.len();
        let per_node = std::mem::size_of::<Node>() + 1;
        let others = self.label_bytes;
        let fits = self.memory_cap.saturating_sub(others) / per_node;
        // Slots can outnumber live nodes (free slots below a new node's inputs), so
        // the node limit bounds growth only loosely.
        let wanted = (2 * len).max(64).min(self.limit.max(len + 64)).min(fits).min(MAX_NODES);
        if wanted <= len {
            return Err(if len >= MAX_NODES {
                GraphError::TooManyNodes { limit: self.limit }
            } else {
                GraphError::OutOfMemory { limit: self.memory_cap }
            });
        }
        self.nodes
            .try_reserve_exact(wanted - len)
            .map_err(|_| GraphError::OutOfMemory { limit: self.memory_cap })
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
    /// Marks in one sweep down the arena (ids are a topological order, so no
    /// stack is needed; see `marks.rs`), then frees every unmarked slot:
    /// O(slots) time. Freed slots at the end of the arena are dropped rather
    /// than kept free; the arena keeps its capacity unless even the high-water
    /// mark since the last collection used less than a quarter of it. New nodes
    /// fill the lowest free slots above their inputs.
    ///
    /// Panics if a root is not a live node of this graph (programmer error).
    pub fn collect_garbage(&mut self, roots: &[NodeId]) -> usize {
        self.blocks.start(&mut self.nodes);
        for &root in roots {
            assert!(
                self.contains(root),
                "Graph::collect_garbage: root {root:?} is not a live node of this graph"
            );
            self.blocks.mark(&mut self.nodes, root.index());
        }
        // Inputs have smaller ids: one sweep down marks everything reachable, and
        // the highest live node is the highest root: the arena ends above it.
        let slots = roots.iter().map(|root| root.index() + 1).max().unwrap_or(0);
        let mut kept = 0;
        let free = &mut self.free;
        free.reset(slots);
        // The live slots of one word of the free set at a time, gathered in a
        // register: a store per node into the same word would wait on the last.
        let (mut word, mut live) = (usize::MAX, 0u64);
        let _ = self.blocks.sweep_down(&mut self.nodes, |nodes, marker, index| {
            kept += 1;
            if index / 64 != word {
                if live != 0 {
                    free.keep_word(word, live);
                }
                (word, live) = (index / 64, 0);
            }
            live |= 1 << (index % 64);
            marker.mark_inputs(nodes, index);
            ControlFlow::<()>::Continue(())
        });
        if live != 0 {
            free.keep_word(word, live);
        }
        free.finish();
        // The arena keeps its capacity while the program still uses it: a training
        // loop fills it again every step, and handing the pages back only to fault
        // them in again cost more than the step's own work. It shrinks only when even
        // the high-water mark since the last collection used a quarter of it.
        let high_water = self.nodes.len();
        self.nodes.truncate(slots);
        if self.nodes.capacity() > 4 * high_water.max(1024) {
            self.nodes.shrink_to(2 * high_water);
        }
        self.run = 0..0;
        // Debug builds mark every freed slot (NaN data, the FREED label), so that a
        // stale id is caught by the accessors' checks; release builds leave freed
        // slots as they were, untouched until reused: writing them all costs a
        // pass over memory as large as the garbage.
        if cfg!(debug_assertions) {
            for index in self.free.iter() {
                self.nodes[index] = Node::FREED;
            }
        }
        let freed = self.live - kept;
        self.live = kept;
        self.kept = kept;
        freed
    }
}

impl Clone for Graph {
    /// A copy (a REPL statement's snapshot). The copy's arena has no room at its
    /// end, so a run that was that room ends where the copy's allocation does:
    /// the arena grows only through [`Graph::grow`], under the memory cap.
    fn clone(&self) -> Graph {
        let nodes = self.nodes.clone();
        let mut run = self.run.clone();
        if run.start >= self.nodes.len() {
            run.end = run.end.min(nodes.capacity()).max(run.start);
        }
        Graph {
            nodes,
            free: self.free.clone(),
            run,
            blocks: self.blocks.clone(),
            live: self.live,
            kept: self.kept,
            labels: self.labels.clone(),
            label_index: self.label_index.clone(),
            last_label: self.last_label,
            labels_id: super::new_labels_id(),
            label_bytes: self.label_bytes,
            limit: self.limit,
            memory_cap: self.memory_cap,
        }
    }
}

impl Node {
    #[inline(always)]
    pub(super) fn new(data: f64, op: Op, inputs: [NodeId; 2], constant: bool) -> Node {
        Node {
            data,
            grad: 0.0,
            inputs,
            label: NO_LABEL,
            op,
            constant,
            seen: 0,
        }
    }

    /// A freed slot, in debug builds: a leaf, so that no walk could follow edges
    /// out of it, with NaN data and grad, so that a stale id read shows up as NaN
    /// rather than as a plausible number.
    pub(super) const FREED: Node = Node {
        data: f64::NAN,
        grad: f64::NAN,
        inputs: [NodeId(0); 2],
        label: FREED,
        op: Op::Leaf,
        constant: false,
        seen: 0,
    };
}
