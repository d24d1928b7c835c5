//! A set of node ids whose cost follows the number of ids inserted, not the
//! size of the arena.
//!
//! A training loop leaves many dead steps in the arena, so a walk from one root
//! must not allocate or clear a flag per arena node. A plain hash set of ids
//! would do, but hashing scatters neighbouring ids across memory; the ids a walk
//! meets come in runs (one step's nodes, the parameters), so this set keeps a
//! bitmap per page of 512 ids and hashes only the page number.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::NodeId;

const PAGE_BITS: u32 = 512;
const WORDS_PER_PAGE: usize = PAGE_BITS as usize / 64;

#[derive(Default)]
pub(super) struct NodeSet {
    /// Page number to its index in `bits`.
    pages: HashMap<u32, u32, BuildHasherDefault<PageHasher>>,
    bits: Vec<[u64; WORDS_PER_PAGE]>,
    /// The page last looked up and its index, so that runs of nearby ids skip
    /// the hash table. Only valid while `bits` is not empty.
    last: (u32, u32),
}

impl NodeSet {
    pub(super) fn new() -> NodeSet {
        NodeSet::default()
    }

    /// Adds `id`; returns whether it was new.
    pub(super) fn insert(&mut self, id: NodeId) -> bool {
        let raw = id.index() as u32;
        let page = raw / PAGE_BITS;
        let bit = (raw % PAGE_BITS) as usize;
        let slot = if self.last.0 == page && !self.bits.is_empty() {
            self.last.1
        } else {
            let bits = &mut self.bits;
            let slot = *self.pages.entry(page).or_insert_with(|| {
                bits.push([0; WORDS_PER_PAGE]);
                (bits.len() - 1) as u32
            });
            self.last = (page, slot);
            slot
        };
        let word = &mut self.bits[slot as usize][bit / 64];
        let mask = 1u64 << (bit % 64);
        let new = *word & mask == 0;
        *word |= mask;
        new
    }
}

/// A multiplicative hash for the `u32` page numbers: cheap, and it spreads
/// consecutive numbers over the high bits that the hash table looks at.
#[derive(Default)]
struct PageHasher(u64);

impl Hasher for PageHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0 ^ u64::from(n)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}
