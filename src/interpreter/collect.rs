//! When to reclaim memory, and what is still alive (the roots).

use std::collections::HashSet;
use std::rc::Rc;

use super::{COLLECT_AFTER, Session};
use crate::graph::NodeId;
use crate::value::{Items, Value};

impl Session {
    /// Frees the nodes nothing can reach any more, once enough have been created since
    /// the last time. A training loop builds a new graph every step; this keeps its memory flat.
    ///
    /// Invariant: collection happens only between statements and outside user functions
    /// (`frames` empty). There, every value the program can still use is reachable from
    /// `globals` or from `loop_lists`; inside an expression, half-built values would live
    /// only on the Rust stack, where the collector cannot see them.
    pub(super) fn collect_garbage_if_due(&mut self) {
        if !self.frames.is_empty() {
            return;
        }
        // Nodes alive after the last collection: `live_count` also counts the garbage made since.
        let created = self.graph.created_since_collection();
        let kept = self.graph.live_count().saturating_sub(created);
        // Waiting for twice what was kept makes collecting cost O(1) per node even
        // when nearly everything stays alive (a long chain), and the arena at most
        // about three times the live nodes.
        if created < COLLECT_AFTER.max(2 * kept) {
            return;
        }
        let roots = self.roots();
        self.graph.collect_garbage(&roots);
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
