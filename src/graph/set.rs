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
    #[cfg(test)]
    pub(super) fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The heap bytes the set holds.
    #[cfg(test)]
    pub(super) fn heap_bytes(&self) -> usize {
        (self.words.capacity() + self.summary.capacity()) * std::mem::size_of::<u64>()
    }

    /// Starts over with every slot below `slots` free; [`FreeSlots::keep`] then
    /// takes out the live ones, and [`FreeSlots::finish`] makes the set usable.
    pub(super) fn reset(&mut self, slots: usize) {
        let word_count = slots.div_ceil(64);
        self.words.clear();
        self.words.resize(word_count, u64::MAX);
        if !slots.is_multiple_of(64) {
            self.words[word_count - 1] = u64::MAX >> (64 - slots % 64);
        }
    }

    /// Takes `slot` (below the `slots` given to `reset`) out of the set.
    #[cfg(test)]
    pub(super) fn keep(&mut self, slot: usize) {
        self.keep_word(slot / 64, 1 << (slot % 64));
    }

    /// Takes the slots of `bits` in word `word` out of the set.
    #[inline(always)]
    pub(super) fn keep_word(&mut self, word: usize, bits: u64) {
        self.words[word] &= !bits;
    }

    /// Counts the free slots and fills the summary, after `reset` and `keep`.
    pub(super) fn finish(&mut self) {
        self.summary.clear();
        self.summary.resize(self.words.len().div_ceil(64), 0);
        self.count = 0;
        for (word, bits) in self.words.iter().enumerate() {
            if *bits != 0 {
                self.summary[word / 64] |= 1 << (word % 64);
                self.count += bits.count_ones() as usize;
            }
        }
        self.lowest = 0;
    }

    /// Whether `slot` is free.
    pub(super) fn contains(&self, slot: usize) -> bool {
        self.words
            .get(slot / 64)
            .is_some_and(|bits| bits & (1 << (slot % 64)) != 0)
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

    /// Removes and returns the lowest free slots, as many as lie one after another
    /// from the lowest free slot on, at most `most`: `start..end`, empty if none is free.
    pub(super) fn take_run(&mut self, most: usize) -> std::ops::Range<usize> {
        let Some(start) = self.take_at_or_above(0) else {
            return 0..0;
        };
        let mut end = start + 1;
        while end - start < most {
            let Some(&bits) = self.words.get(end / 64) else {
                break;
            };
            // The free slots from `end` on that follow each other in its word.
            let free = ((bits >> (end % 64)).trailing_ones() as usize).min(most - (end - start));
            if free == 0 {
                break;
            }
            let mask = if free == 64 {
                u64::MAX
            } else {
                ((1u64 << free) - 1) << (end % 64)
            };
            self.clear_word(end / 64, mask);
            end += free;
        }
        self.lowest = self.lowest.max(end);
        start..end
    }

    /// Takes the slots of `bits` in `word` (all free) out of the set.
    #[inline]
    fn clear_word(&mut self, word: usize, bits: u64) {
        self.words[word] &= !bits;
        self.count -= bits.count_ones() as usize;
        if self.words[word] == 0 {
            self.summary[word / 64] &= !(1 << (word % 64));
        }
    }

    /// Gives back the slots `start..end` (none of them in the set) as free.
    pub(super) fn insert_range(&mut self, start: usize, end: usize) {
        for slot in start..end {
            let word = slot / 64;
            self.words[word] |= 1 << (slot % 64);
            self.summary[word / 64] |= 1 << (word % 64);
        }
        self.count += end.saturating_sub(start);
        self.lowest = self.lowest.min(start);
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
