//! A set of node ids for graph walks: one bit per slot of the arena.
//!
//! Clearing it costs `slots / 64` words, which is small next to any walk that
//! matters, because collection keeps the arena within about twice the live
//! nodes; an insert is then a shift and a mask. (An earlier version hashed a
//! page number per insert so that a walk never paid for the arena's size; with
//! reclamation in place the dense set is simpler and several times faster.)

use super::NodeId;

pub(super) struct DenseSet {
    words: Vec<u64>,
}

impl DenseSet {
    /// A set for ids below `slots`.
    pub(super) fn new(slots: usize) -> DenseSet {
        DenseSet {
            words: vec![0; slots.div_ceil(64)],
        }
    }

    /// Adds `id` (below the slot count given to `new`); returns whether it was new.
    #[inline]
    pub(super) fn insert(&mut self, id: NodeId) -> bool {
        let index = id.index();
        let word = &mut self.words[index / 64];
        let mask = 1u64 << (index % 64);
        let new = *word & mask == 0;
        *word |= mask;
        new
    }

    /// The largest member at or below `index` (below the slot count), if any:
    /// a backward sweep's next node, skipping 64 absent ids per word read.
    #[inline]
    pub(super) fn last_at_or_below(&self, index: usize) -> Option<usize> {
        let mut word = index / 64;
        // Keep the bits at or below `index` in its word.
        let mut bits = self.words[word] & (u64::MAX >> (63 - index % 64));
        loop {
            if bits != 0 {
                return Some(word * 64 + 63 - bits.leading_zeros() as usize);
            }
            word = word.checked_sub(1)?;
            bits = self.words[word];
        }
    }

    /// Visits the members below `end` from the highest down, including any
    /// that `visit` adds below the one it is visiting: a walk down an arena
    /// whose ids are a topological order, marking inputs as it goes.
    #[inline]
    pub(super) fn sweep_down(&mut self, end: usize, mut visit: impl FnMut(&mut DenseSet, usize)) {
        let mut next = end.checked_sub(1);
        while let Some(index) = next.and_then(|below| self.last_at_or_below(below)) {
            visit(self, index);
            next = index.checked_sub(1);
        }
    }

    /// The bits, 64 ids per word, lowest id in the lowest bit of the first word.
    pub(super) fn into_words(self) -> Vec<u64> {
        self.words
    }
}
