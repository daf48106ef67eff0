//! A bounded map whose entries expire: the emulator's nonces, metadata tokens and issued
//! credentials. The emulator must survive its own users (a test that floods it with unique
//! nonces or token requests), so every store is capped and pruned.
//!
//! Entries are also indexed by expiry, so pruning pops expired entries from the front of
//! that index: each request pays for what expired since the last one, never a scan of
//! the whole map. Past the cap, the entries closest to expiry go first.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher as _, Hash};
use time::OffsetDateTime;

/// A map from keys to values that expire, holding at most `cap` entries.
#[derive(Debug)]
pub struct Expiring<V, K = String> {
    cap: usize,
    seq: u64,
    entries: HashMap<K, (V, OffsetDateTime, u64)>,
    by_expiry: BTreeMap<(OffsetDateTime, u64), K>,
}

/// Where only presence matters (nonces, session tokens), a keyed 64-bit digest of the
/// value stands in for it: 8 bytes an entry instead of the value, however long.
#[derive(Debug)]
pub struct Digests {
    hasher: std::collections::hash_map::RandomState,
    seen: Expiring<(), u64>,
}

impl Digests {
    /// An empty set holding at most `cap` digests.
    pub fn new(cap: usize) -> Digests {
        Digests {
            hasher: std::collections::hash_map::RandomState::new(),
            seen: Expiring::new(cap),
        }
    }

    fn digest(&self, parts: &[&str]) -> u64 {
        self.hasher.hash_one(parts)
    }

    /// Whether `parts` are held and live at `now`.
    pub fn contains(&mut self, parts: &[&str], now: OffsetDateTime) -> bool {
        let d = self.digest(parts);
        self.seen.get(&d, now).is_some()
    }

    /// Holds `parts` until `expires`.
    pub fn insert(&mut self, parts: &[&str], expires: OffsetDateTime, now: OffsetDateTime) {
        let d = self.digest(parts);
        self.seen.insert(d, (), expires, now);
    }

    /// How many are held.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether none are held.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

impl<V, K: Hash + Eq + Clone> Expiring<V, K> {
    /// An empty map holding at most `cap` entries.
    pub fn new(cap: usize) -> Expiring<V, K> {
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
    pub fn insert(&mut self, key: K, value: V, expires: OffsetDateTime, now: OffsetDateTime) {
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
    pub fn get(&mut self, key: &K, now: OffsetDateTime) -> Option<&V> {
        self.prune(now);
        self.entries.get(key).map(|(v, _, _)| v)
    }

    /// Every value held, expired or not (a scan: for the rare lookup by value).
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.values().map(|(v, _, _)| v)
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
        let mut m: Expiring<i32> = Expiring::new(10);
        m.insert("a".into(), 1, at(10), at(0));
        m.insert("b".into(), 2, at(20), at(0));
        assert_eq!(m.get(&"a".into(), at(5)), Some(&1));
        assert_eq!(m.get(&"a".into(), at(10)), None);
        assert_eq!(m.len(), 1, "the expired entry is gone, not just hidden");
        assert_eq!(m.get(&"b".into(), at(19)), Some(&2));
    }

    #[test]
    fn the_cap_evicts_the_entries_closest_to_expiry() {
        let mut m: Expiring<i64> = Expiring::new(3);
        for i in 0..100 {
            m.insert(format!("k{i}"), i, at(1000 + i), at(0));
        }
        assert_eq!(m.len(), 3);
        assert_eq!(m.get(&"k99".into(), at(0)), Some(&99));
        assert_eq!(m.get(&"k0".into(), at(0)), None);
    }

    #[test]
    fn digests_hold_presence_until_expiry() {
        let mut d = Digests::new(10);
        d.insert(&["LTAI", "n1"], at(10), at(0));
        assert!(d.contains(&["LTAI", "n1"], at(5)));
        assert!(!d.contains(&["LTAI", "n2"], at(5)));
        assert!(!d.contains(&["LTAI", "n1"], at(10)));
        assert!(d.is_empty());
    }

    #[test]
    fn replacing_a_key_keeps_one_entry_with_the_new_expiry() {
        let mut m: Expiring<i32> = Expiring::new(10);
        m.insert("a".into(), 1, at(10), at(0));
        m.insert("a".into(), 2, at(30), at(0));
        assert_eq!(m.len(), 1);
        assert_eq!(m.get(&"a".into(), at(20)), Some(&2));
    }
}
