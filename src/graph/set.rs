//! A set of node ids for graph walks: one bit per slot of the arena.
//!
//! Clearing it costs `slots / 64` words, which is small next to any walk that
//! matters, because collection keeps the arena within about twice the live
//! nodes; an insert is then a shift and a mask. (An earlier version hashed a
//! page number per insert so that a walk never paid for the arena's size; with
//! reclamation in place the dense set is simpler and several times faster.)

use std::ops::ControlFlow;

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

    /// Visits the members below `end` from the highest down, including any
    /// that `visit` adds below the one it is visiting: a walk down an arena
    /// whose ids are a topological order, marking inputs as it goes.
    #[inline]
    pub(super) fn sweep_down(&mut self, end: usize, mut visit: impl FnMut(&mut DenseSet, usize)) {
        let _ = self.try_sweep_down(end, |set, index| {
            visit(set, index);
            ControlFlow::<()>::Continue(())
        });
    }

    /// [`DenseSet::sweep_down`], stopping at the first visit that breaks, with its value.
    ///
    /// Reads a word at a time, skipping 64 absent ids per read; after each
    /// visit it rereads the current word, where `visit` may have added members.
    #[inline]
    pub(super) fn try_sweep_down<B>(
        &mut self,
        end: usize,
        mut visit: impl FnMut(&mut DenseSet, usize) -> ControlFlow<B>,
    ) -> ControlFlow<B> {
        let Some(last) = end.checked_sub(1) else {
            return ControlFlow::Continue(());
        };
        let mut word = last / 64;
        // The bits at or below `last` in its word.
        let mut bits = self.words[word] & (u64::MAX >> (63 - last % 64));
        loop {
            while bits != 0 {
                let bit = 63 - bits.leading_zeros() as usize;
                visit(self, word * 64 + bit)?;
                bits = self.words[word] & ((1 << bit) - 1);
            }
            if word == 0 {
                return ControlFlow::Continue(());
            }
            word -= 1;
            bits = self.words[word];
        }
    }

    /// The bits, 64 ids per word, lowest id in the lowest bit of the first word.
    pub(super) fn into_words(self) -> Vec<u64> {
        self.words
    }
}

/// The free slots of the arena, lowest first: a bit per slot, and a summary
/// bit per word of them that says whether the word has any free slot, so
/// that finding the lowest free slot at or above a point reads a few words
/// even when a long run of live slots lies in between.
#[derive(Clone, Debug, Default)]
pub(super) struct FreeSlots {
    words: Vec<u64>,
    summary: Vec<u64>,
    count: usize,
    /// No slot below this is free: where a search from 0 can start.
    lowest: usize,
}

impl FreeSlots {
    pub(super) fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The heap bytes the set holds.
    #[cfg(test)]
    pub(super) fn heap_bytes(&self) -> usize {
        (self.words.capacity() + self.summary.capacity()) * std::mem::size_of::<u64>()
    }

    /// Makes the free slots exactly those below `slots` whose bit is clear
    /// in `marked` (a bit per slot, as [`DenseSet::into_words`] gives).
    pub(super) fn set_unmarked(&mut self, marked: &[u64], slots: usize) {
        let word_count = slots.div_ceil(64);
        self.words.clear();
        self.words.extend((0..word_count).map(|word| {
            let in_arena = if (word + 1) * 64 <= slots {
                u64::MAX
            } else {
                u64::MAX >> (64 - slots % 64)
            };
            !marked.get(word).copied().unwrap_or(0) & in_arena
        }));
        self.summary.clear();
        self.summary.resize(word_count.div_ceil(64), 0);
        self.count = 0;
        for (word, bits) in self.words.iter().enumerate() {
            if *bits != 0 {
                self.summary[word / 64] |= 1 << (word % 64);
                self.count += bits.count_ones() as usize;
            }
        }
        self.lowest = 0;
    }

    /// The free slots, lowest first.
    pub(super) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(word, &bits)| {
            let mut rest = bits;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let slot = word * 64 + rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    slot
                })
            })
        })
    }

    /// Removes and returns the lowest free slot at or above `from`, if any.
    #[inline]
    pub(super) fn take_at_or_above(&mut self, from: usize) -> Option<usize> {
        let from = from.max(self.lowest);
        let mut word = from / 64;
        let mut bits = *self.words.get(word)? & (u64::MAX << (from % 64));
        if bits == 0 {
            word = self.next_word_with_a_free_slot(word + 1)?;
            bits = self.words[word];
        }
        let slot = word * 64 + bits.trailing_zeros() as usize;
        self.words[word] &= !(1 << (slot % 64));
        if self.words[word] == 0 {
            self.summary[word / 64] &= !(1 << (word % 64));
        }
        self.count -= 1;
        if from == self.lowest {
            self.lowest = slot + 1;
        }
        Some(slot)
    }

    /// The first word at or after `word` with a free slot, found through the summary.
    fn next_word_with_a_free_slot(&self, word: usize) -> Option<usize> {
        let mut index = word / 64;
        let mut bits = *self.summary.get(index)? & (u64::MAX << (word % 64));
        while bits == 0 {
            index += 1;
            bits = *self.summary.get(index)?;
        }
        Some(index * 64 + bits.trailing_zeros() as usize)
    }
}
