//! A bounded map whose entries expire: the emulator's nonces, metadata tokens and issued
//! credentials. The emulator must survive its own users (a test that floods it with unique
//! nonces or token requests), so every store is capped and pruned.
//!
//! Entries are also indexed by expiry, so pruning pops expired entries from the front of
//! that index: each request pays for what expired since the last one, never a scan of
//! the whole map. Past the cap, the entries closest to expiry go first.

use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;

/// A map from keys to values that expire, holding at most `cap` entries.
#[derive(Debug)]
pub struct Expiring<V> {
    cap: usize,
    seq: u64,
    entries: HashMap<String, (V, OffsetDateTime, u64)>,
    by_expiry: BTreeMap<(OffsetDateTime, u64), String>,
}

impl<V> Expiring<V> {
    /// An empty map holding at most `cap` entries.
    pub fn new(cap: usize) -> Expiring<V> {
        Expiring {
            cap: cap.max(1),
            seq: 0,
            entries: HashMap::new(),
            by_expiry: BTreeMap::new(),
        }
    }

    /// Drops what expired by `now`.
    pub fn prune(&mut self, now: OffsetDateTime) {
        while let Some(entry) = self.by_expiry.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let key = entry.remove();
            self.entries.remove(&key);
        }
    }

    /// Stores `value` under `key` until `expires`, replacing an earlier entry.
    pub fn insert(&mut self, key: String, value: V, expires: OffsetDateTime, now: OffsetDateTime) {
        self.prune(now);
        self.seq += 1;
        if let Some((_, old_expiry, old_seq)) = self.entries.remove(&key) {
            self.by_expiry.remove(&(old_expiry, old_seq));
        }
        while self.entries.len() >= self.cap {
            let Some((_, oldest)) = self.by_expiry.pop_first() else {
                break;
            };
            self.entries.remove(&oldest);
        }
        self.by_expiry.insert((expires, self.seq), key.clone());
        self.entries.insert(key, (value, expires, self.seq));
    }

    /// The live value under `key` at `now`.
    pub fn get(&mut self, key: &str, now: OffsetDateTime) -> Option<&V> {
        self.prune(now);
        self.entries.get(key).map(|(v, _, _)| v)
    }

    /// How many entries are held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(s).unwrap()
    }

    #[test]
    fn entries_expire_and_are_dropped() {
        let mut m = Expiring::new(10);
        m.insert("a".into(), 1, at(10), at(0));
        m.insert("b".into(), 2, at(20), at(0));
        assert_eq!(m.get("a", at(5)), Some(&1));
        assert_eq!(m.get("a", at(10)), None);
        assert_eq!(m.len(), 1, "the expired entry is gone, not just hidden");
        assert_eq!(m.get("b", at(19)), Some(&2));
    }

    #[test]
    fn the_cap_evicts_the_entries_closest_to_expiry() {
        let mut m = Expiring::new(3);
        for i in 0..100 {
            m.insert(format!("k{i}"), i, at(1000 + i), at(0));
        }
        assert_eq!(m.len(), 3);
        assert_eq!(m.get("k99", at(0)), Some(&99));
        assert_eq!(m.get("k0", at(0)), None);
    }

    #[test]
    fn replacing_a_key_keeps_one_entry_with_the_new_expiry() {
        let mut m = Expiring::new(10);
        m.insert("a".into(), 1, at(10), at(0));
        m.insert("a".into(), 2, at(30), at(0));
        assert_eq!(m.len(), 1);
        assert_eq!(m.get("a", at(20)), Some(&2));
    }
}
