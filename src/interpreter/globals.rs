//! Global names, found by slot.
//!
//! Every top-level name gets a slot the first time it is bound; an identifier
//! in the syntax tree remembers the slot it was found in (its `SlotCache`), so
//! a loop that reads `s`, `a` and `b` a million times hashes each name once.
//!
//! A cached slot is stamped with the epoch of the `Globals` that filled it.
//! Slots are only ever added, except when a failed REPL statement is rolled back:
//! that restores an older `Globals`, whose epoch is new, so every cache filled
//! since then is ignored. Epochs come from one process-wide counter, so a cache
//! can never be mistaken for one filled by another session.

use std::sync::atomic::{AtomicU32, Ordering};

use rustc_hash::FxHashMap;

use crate::ast::Ident;
use crate::value::Value;

static NEXT_EPOCH: AtomicU32 = AtomicU32::new(1);

#[derive(Clone, Debug)]
pub(super) struct Globals {
    names: Vec<String>,
    values: Vec<Value>,
    slots: FxHashMap<String, u32>,
    epoch: u32,
}

impl Default for Globals {
    fn default() -> Self {
        Globals {
            names: Vec::new(),
            values: Vec::new(),
            slots: FxHashMap::default(),
            epoch: new_epoch(),
        }
    }
}

fn new_epoch() -> u32 {
    NEXT_EPOCH.fetch_add(1, Ordering::Relaxed)
}

impl Globals {
    /// Makes every slot cache filled so far stale (after restoring an older copy).
    pub(super) fn renew_epoch(&mut self) {
        self.epoch = new_epoch();
    }

    /// The slot of `ident`, from its cache when that is current, else by hashing its name.
    #[inline]
    fn slot(&self, ident: &Ident) -> Option<usize> {
        let cached = ident.slot.get();
        if (cached >> 32) as u32 == self.epoch {
            return Some((cached & 0xFFFF_FFFF) as usize);
        }
        self.find_slot(ident)
    }

    #[inline(never)]
    fn find_slot(&self, ident: &Ident) -> Option<usize> {
        let slot = *self.slots.get(&ident.name)?;
        ident.slot.set((u64::from(self.epoch) << 32) | u64::from(slot));
        Some(slot as usize)
    }

    #[inline]
    pub(super) fn lookup(&self, ident: &Ident) -> Option<&Value> {
        self.slot(ident).map(|slot| &self.values[slot])
    }

    pub(super) fn lookup_mut(&mut self, ident: &Ident) -> Option<&mut Value> {
        self.slot(ident).map(|slot| &mut self.values[slot])
    }

    pub(super) fn get(&self, name: &str) -> Option<&Value> {
        self.slots.get(name).map(|slot| &self.values[*slot as usize])
    }

    #[inline]
    pub(super) fn set(&mut self, ident: &Ident, value: Value) {
        match self.slot(ident) {
            Some(slot) => self.values[slot].replace(value),
            None => self.add(ident, value),
        }
    }

    #[inline(never)]
    fn add(&mut self, ident: &Ident, value: Value) {
        // A session holds far fewer names than u32::MAX.
        let slot = self.values.len() as u32;
        self.names.push(ident.name.clone());
        self.values.push(value);
        self.slots.insert(ident.name.clone(), slot);
        ident.slot.set((u64::from(self.epoch) << 32) | u64::from(slot));
    }

    pub(super) fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    pub(super) fn values(&self) -> impl Iterator<Item = &Value> {
        self.values.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;

    #[test]
    fn caches_are_used_within_an_epoch_and_ignored_after_a_rollback() {
        let mut globals = Globals::default();
        let a = Ident::new("a", Span::default());
        let b = Ident::new("b", Span::default());
        globals.set(&a, Value::Num(1.0));
        let before_b = globals.clone();
        globals.set(&b, Value::Num(2.0));
        assert!(matches!(globals.lookup(&b), Some(Value::Num(x)) if *x == 2.0));
        // Roll back to before 'b' existed: b's cached slot must not be trusted.
        globals = before_b;
        globals.renew_epoch();
        assert!(globals.lookup(&b).is_none());
        let c = Ident::new("c", Span::default());
        globals.set(&c, Value::Num(3.0));
        assert!(globals.lookup(&b).is_none(), "b's old slot now belongs to c");
        assert!(matches!(globals.lookup(&a), Some(Value::Num(x)) if *x == 1.0));
    }
}
