//! When to reclaim memory, and what is still alive (the roots).

use std::collections::HashSet;
use std::rc::Rc;

use super::{COLLECT_AFTER, Session};
use crate::graph::NodeId;
use crate::value::{Items, Value};

/// Where a collection may happen: a statement boundary outside user functions.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Boundary {
    /// Before a statement of the program or of a top-level block.
    Statement,
    /// Before the body of a loop runs again: in a training loop, where the
    /// previous step's graph has just become garbage and the next one is not
    /// built yet.
    PassStart,
}

/// What the collection policy remembers.
#[derive(Clone, Debug, Default)]
pub(super) struct Collector {
    /// How many collections in a row freed less than a quarter of what they kept.
    barren: u8,
}

impl Session {
    /// Frees the nodes nothing can reach any more, once enough have been created since
    /// the last time. A training loop builds a new graph every step; this keeps its memory flat.
    ///
    /// Invariant: collection happens only between statements and outside user functions
    /// (`frames` empty). There, every value the program can still use is reachable from
    /// `globals` or from `loop_lists`; inside an expression, half-built values would live
    /// only on the Rust stack, where the collector cannot see them.
    ///
    /// The policy: anywhere, once the nodes created since the last collection reach
    /// twice the nodes it kept (so collecting costs O(1) per node even when nearly
    /// everything stays alive, a long chain); and at the start of a loop's pass, once
    /// they reach three quarters of them, unless the last two collections freed little. A
    /// training loop's step leaves the previous step's graph behind just there, so it
    /// runs in an arena of two steps' graphs (moons: 136,000 slots, was 410,000).
    #[inline]
    pub(super) fn collect_garbage_if_due(&mut self, boundary: Boundary) {
        // Nodes alive after the last collection: `live_count` also counts the garbage made since.
        let created = self.graph.created_since_collection();
        if created < COLLECT_AFTER || !self.frames.is_empty() {
            return;
        }
        let kept = self.graph.live_count() - created;
        let due = match boundary {
            Boundary::PassStart if self.collector.barren < 2 => kept - kept / 4,
            _ => 2 * kept,
        };
        if created >= due {
            self.collect_garbage();
        }
    }

    /// Collects now, and remembers whether it was worth it.
    #[cold]
    #[inline(never)]
    fn collect_garbage(&mut self) {
        let roots = self.roots();
        let freed = self.graph.collect_garbage(&roots);
        if freed < self.graph.live_count() / 4 {
            self.collector.barren = self.collector.barren.saturating_add(1);
        } else {
            self.collector.barren = 0;
        }
    }

    /// Every node a name, a list being looped over, a closure or a model still holds.
    pub(super) fn roots(&self) -> Vec<NodeId> {
        let mut roots = Vec::new();
        let mut seen_lists: HashSet<*const Items> = HashSet::new();
        let mut pending: Vec<&Value> = self.globals.values().collect();
        for list in &self.loop_lists {
            if seen_lists.insert(Rc::as_ptr(list)) {
                pending.extend(list.iter());
            }
        }
        // An explicit stack: lists can nest as deep as a program makes them.
        while let Some(value) = pending.pop() {
            match value {
                Value::Node(id) => roots.push(*id),
                Value::List(items) => {
                    if seen_lists.insert(Rc::as_ptr(items)) {
                        pending.extend(items.iter());
                    }
                }
                Value::Model(model) => roots.extend(model.parameters()),
                Value::Function(function) => pending.extend(function.captured.iter().flat_map(|names| names.values())),
                Value::Num(_) | Value::Bool(_) | Value::Str(_) | Value::Builtin(_) | Value::None => {}
            }
        }
        roots
    }
}
