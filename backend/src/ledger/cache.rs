//! A per-process cache of what is computed from a user's ledger, keyed by the user's ledger
//! version (`ledger_versions`, changed by triggers in the same transaction as every write to
//! the user's transactions or accounts). A read first asks the database for the version, so a
//! write made through any server process is seen by the next read in every process; an entry
//! of another version is never answered. Memory is bounded by a total weight (the loader says
//! what an entry weighs, e.g. its ledger lines); the least recently used entries go first.
//!
//! Only what the ledger alone decides is kept under a user's version alone: inputs such as
//! budgets, categories or the user's choices about series are read afresh by the callers, or
//! made part of the entry's key (`K`) so that an entry computed from other choices is never
//! answered.

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::schema::ledger_versions;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::with_conn;

/// The version of a user's ledger; 0 for a user who never wrote one (an empty ledger).
pub fn version(conn: &mut DbConn, user_id: i64) -> Result<i64, ApiError> {
    let found: Option<i64> = with_conn!(conn, c => ledger_versions::table
        .find(user_id)
        .select(ledger_versions::version)
        .first(c)
        .optional())?;
    Ok(found.unwrap_or(0))
}

struct Entry<V, K> {
    user_id: i64,
    version: i64,
    key: K,
    value: Arc<V>,
    weight: usize,
    used: u64,
}

struct Entries<V, K> {
    list: Vec<Entry<V, K>>,
    weight: usize,
    clock: u64,
}

/// Values computed from one user's ledger and a key (by default the day the computations look
/// back from), at most `max_weight` in total.
pub struct LedgerCache<V, K = NaiveDate> {
    max_weight: usize,
    entries: Mutex<Entries<V, K>>,
}

impl<V, K: PartialEq> LedgerCache<V, K> {
    pub fn new(max_weight: usize) -> Self {
        LedgerCache {
            max_weight,
            entries: Mutex::new(Entries {
                list: Vec::new(),
                weight: 0,
                clock: 0,
            }),
        }
    }

    /// The value for the user's ledger as it is now, from the cache or from `load` (which
    /// returns it with its weight). Two requests missing at once both load; the later insert
    /// wins. The version is read before `load` reads the ledger, so a write between the two
    /// can only make the stored value newer than its version, never older.
    pub fn get_or_load(
        &self,
        conn: &mut DbConn,
        user_id: i64,
        key: K,
        load: impl FnOnce(&mut DbConn) -> Result<(V, usize), ApiError>,
    ) -> Result<Arc<V>, ApiError> {
        let version = version(conn, user_id)?;
        self.get_or_load_at(user_id, version, key, || load(conn))
    }

    /// `get_or_load` for a `version` the caller read itself, before anything `load` computes
    /// from was read (so that the stored value is never older than its version).
    pub fn get_or_load_at(
        &self,
        user_id: i64,
        version: i64,
        key: K,
        load: impl FnOnce() -> Result<(V, usize), ApiError>,
    ) -> Result<Arc<V>, ApiError> {
        if let Some(found) = self.get(user_id, version, &key) {
            return Ok(found);
        }
        let (value, weight) = load()?;
        let value = Arc::new(value);
        self.put(user_id, version, key, value.clone(), weight);
        Ok(value)
    }

    fn get(&self, user_id: i64, version: i64, key: &K) -> Option<Arc<V>> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.clock += 1;
        let now = entries.clock;
        let entry = entries
            .list
            .iter_mut()
            .find(|e| e.user_id == user_id && e.version == version && e.key == *key)?;
        entry.used = now;
        Some(entry.value.clone())
    }

    fn put(&self, user_id: i64, version: i64, key: K, value: Arc<V>, weight: usize) {
        if weight > self.max_weight {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        // The user's entries of other versions can never be answered again; the same key
        // loaded twice keeps the later value.
        entries
            .list
            .retain(|e| e.user_id != user_id || (e.version == version && e.key != key));
        entries.weight = entries.list.iter().map(|e| e.weight).sum();
        while entries.weight + weight > self.max_weight {
            let oldest = entries
                .list
                .iter()
                .enumerate()
                .min_by_key(|(_, e)| e.used)
                .map(|(i, _)| i)
                .expect("a positive weight is in some entry");
            let gone = entries.list.swap_remove(oldest);
            entries.weight -= gone.weight;
        }
        entries.clock += 1;
        let used = entries.clock;
        entries.weight += weight;
        entries.list.push(Entry {
            user_id,
            version,
            key,
            value,
            weight,
            used,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::period::day;

    fn cached(cache: &LedgerCache<&'static str>, user: i64, version: i64) -> Option<&'static str> {
        cache.get(user, version, &day(2026, 1, 1)).map(|v| *v)
    }

    #[test]
    fn answers_only_its_own_user_version_and_day() {
        let cache = LedgerCache::new(10);
        cache.put(1, 7, day(2026, 1, 1), Arc::new("one at 7"), 1);
        cache.put(2, 7, day(2026, 1, 1), Arc::new("two at 7"), 1);
        assert_eq!(cached(&cache, 1, 7), Some("one at 7"));
        assert_eq!(cached(&cache, 2, 7), Some("two at 7"));
        assert_eq!(cached(&cache, 1, 8), None);
        assert_eq!(cache.get(1, 7, &day(2026, 1, 2)), None);
        // A newer version replaces the user's older ones and leaves others alone.
        cache.put(1, 8, day(2026, 1, 1), Arc::new("one at 8"), 1);
        assert_eq!(cached(&cache, 1, 7), None);
        assert_eq!(cached(&cache, 1, 8), Some("one at 8"));
        assert_eq!(cached(&cache, 2, 7), Some("two at 7"));
    }

    #[test]
    fn the_least_recently_used_go_first_and_the_weight_stays_bounded() {
        let cache = LedgerCache::new(10);
        cache.put(1, 1, day(2026, 1, 1), Arc::new("a"), 4);
        cache.put(2, 1, day(2026, 1, 1), Arc::new("b"), 4);
        assert_eq!(cached(&cache, 1, 1), Some("a"));
        // 4 + 4 + 4 > 10: the least recently used (user 2) goes.
        cache.put(3, 1, day(2026, 1, 1), Arc::new("c"), 4);
        assert_eq!(cached(&cache, 2, 1), None);
        assert_eq!(cached(&cache, 1, 1), Some("a"));
        assert_eq!(cached(&cache, 3, 1), Some("c"));
        assert_eq!(cache.entries.lock().unwrap().weight, 8);
        // Heavier than the whole cache: not kept, nothing else lost.
        cache.put(4, 1, day(2026, 1, 1), Arc::new("d"), 11);
        assert_eq!(cached(&cache, 4, 1), None);
        assert_eq!(cached(&cache, 1, 1), Some("a"));
        // The same key again keeps the later value once.
        cache.put(1, 1, day(2026, 1, 1), Arc::new("a2"), 4);
        assert_eq!(cached(&cache, 1, 1), Some("a2"));
        assert_eq!(cache.entries.lock().unwrap().list.len(), 2);
    }
}
