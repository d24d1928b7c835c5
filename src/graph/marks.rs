//! Sweeps down the arena: backward, collection's marking and `zero_grad` visit
//! the nodes a root reaches, highest id first, each once.
//!
//! Ids are a topological order (every input below its node), so a sweep needs
//! no sort and no stack: it walks down the arena, visiting the nodes that are
//! marked, and each visit marks the node's inputs, which lie below it. The mark
//! is a stamp in the node itself (`Node::seen`): a node is marked when its stamp
//! is the sweep's own, a number no earlier sweep used. It is written where the
//! visit writes anyway (backward adds to the input's grad in the same cache
//! line), read where the sweep reads the node anyway, and never cleared: the
//! next sweep has another stamp. A bit per block of [`BLOCK`] nodes says whether
//! the block holds any marked node, so a sweep skips what no root reaches (a
//! training loop's previous step, a REPL's other graphs) a block at a time.
//!
//! Architecture Invariant: between sweeps no block bit is set and no node holds
//! the next sweep's stamp. A sweep clears each block bit as it leaves the block
//! (a sweep that stops early, an error in backward, clears the rest); stamps run
//! from 1 (0 is a new node's) up to `u16::MAX`, after which every node's stamp is
//! reset to 0, once in 65,535 sweeps. So a sweep allocates nothing and starts
//! with nothing to clear.

use std::ops::ControlFlow;

use super::Node;

/// log2 of the nodes per block: 256 nodes, 8 KiB of arena.
const BLOCK_SHIFT: u32 = 8;
const BLOCK: usize = 1 << BLOCK_SHIFT;

/// The stamp of the sweep under way, and a bit per block of the arena: set
/// while the block holds a marked node.
#[derive(Clone, Debug, Default)]
pub(super) struct Blocks {
    words: Vec<u64>,
    pub(super) stamp: u16,
}

impl Blocks {
    /// Starts a sweep of `nodes`: a new stamp, and room for the blocks.
    #[inline]
    pub(super) fn start(&mut self, nodes: &mut [Node]) {
        let words = nodes.len().div_ceil(BLOCK).div_ceil(64);
        if self.words.len() < words {
            self.words.resize(words, 0);
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            for node in nodes.iter_mut() {
                node.seen = 0;
            }
            self.stamp = 1;
        }
    }

    /// The stamp of the last sweep.
    #[cfg(test)]
    pub(super) fn stamp(&self) -> u16 {
        self.stamp
    }

    /// Marks the node at `index` (a root of the sweep about to start).
    #[inline(always)]
    pub(super) fn mark(&mut self, nodes: &mut [Node], index: usize) {
        Marker {
            words: &mut self.words,
            stamp: self.stamp,
        }
        .mark(nodes, index);
    }

    /// Visits every marked node from the highest down: `visit` may mark nodes
    /// below the one it visits (through the [`Marker`] it is given), and they are
    /// visited in turn. Stops at the first visit that breaks, with its value,
    /// after clearing the block bits left.
    #[inline(always)]
    pub(super) fn sweep_down<B>(
        &mut self,
        nodes: &mut [Node],
        mut visit: impl FnMut(&mut [Node], &mut Marker, usize) -> ControlFlow<B>,
    ) -> ControlFlow<B> {
        // The stamp in a local, not read from `self` after every visit's stores.
        let mut marker = Marker {
            words: &mut self.words,
            stamp: self.stamp,
        };
        let stamp = marker.stamp;
        let mut word = marker.words.len();
        while word > 0 {
            word -= 1;
            while marker.words[word] != 0 {
                let bit = 63 - marker.words[word].leading_zeros() as usize;
                let start = (word * 64 + bit) << BLOCK_SHIFT;
                let end = (start + BLOCK).min(nodes.len());
                for index in (start..end).rev() {
                    if nodes[index].seen == stamp
                        && let ControlFlow::Break(value) = visit(nodes, &mut marker, index)
                    {
                        marker.words.fill(0);
                        return ControlFlow::Break(value);
                    }
                }
                marker.words[word] &= !(1 << bit);
            }
        }
        ControlFlow::Continue(())
    }

    /// Whether no block bit is set (the invariant between sweeps).
    #[cfg(test)]
    pub(super) fn is_clear(&self) -> bool {
        self.words.iter().all(|&word| word == 0)
    }
}

/// What a visit of a sweep marks with: the sweep's stamp and its block bits.
pub(super) struct Marker<'a> {
    words: &'a mut [u64],
    stamp: u16,
}

impl Marker<'_> {
    /// The stamp of marked nodes in the sweep under way.
    #[inline(always)]
    pub(super) fn stamp(&self) -> u16 {
        self.stamp
    }

    /// Marks the node at `index`.
    #[inline(always)]
    fn mark(&mut self, nodes: &mut [Node], index: usize) {
        nodes[index].seen = self.stamp;
        self.set(index);
    }

    /// Marks the node at `index`, an input of the node at `visiting`: the block
    /// bit is already set when the input lies in the block being swept, or when
    /// the input was marked before (a parameter used by every neuron). Skipping
    /// those keeps the block bits from being rewritten in a chain.
    #[inline(always)]
    pub(super) fn mark_input(&mut self, nodes: &mut [Node], index: usize, visiting: usize) {
        let node = &mut nodes[index];
        if node.seen != self.stamp {
            node.seen = self.stamp;
            self.note_input(index, visiting);
        }
    }

    /// Marks the inputs of the node at `index`, all of them (leaves too).
    #[inline(always)]
    pub(super) fn mark_inputs(&mut self, nodes: &mut [Node], index: usize) {
        let (op, [lhs, rhs]) = (nodes[index].op, nodes[index].inputs);
        match op.arity() {
            0 => {}
            1 => self.mark_input(nodes, lhs.index(), index),
            _ => {
                self.mark_input(nodes, lhs.index(), index);
                self.mark_input(nodes, rhs.index(), index);
            }
        }
    }

    /// Sets the block bit of a node just marked, an input of the node at `visiting`.
    #[inline(always)]
    pub(super) fn note_input(&mut self, index: usize, visiting: usize) {
        if index >> BLOCK_SHIFT != visiting >> BLOCK_SHIFT {
            self.set(index);
        }
    }

    #[inline(always)]
    fn set(&mut self, index: usize) {
        let block = index >> BLOCK_SHIFT;
        self.words[block / 64] |= 1 << (block % 64);
    }
}
