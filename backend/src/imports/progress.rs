//! How far a running commit has got, for a progress bar. A commit is one database transaction,
//! so its progress cannot be read from the database before it ends (and SQLite would not take a
//! second writer meanwhile); the instance running it keeps the count here. Other instances see
//! the `committing` status without the percentage.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
pub struct Progress(Arc<Mutex<HashMap<i64, (usize, usize)>>>);

impl Progress {
    pub fn start(&self, import_id: i64, total: usize) {
        self.lock().insert(import_id, (0, total));
    }

    pub fn advance(&self, import_id: i64, done: usize) {
        if let Some(entry) = self.lock().get_mut(&import_id) {
            entry.0 = done;
        }
    }

    pub fn finish(&self, import_id: i64) {
        self.lock().remove(&import_id);
    }

    /// (rows written, rows to write) of a running commit.
    pub fn get(&self, import_id: i64) -> Option<(usize, usize)> {
        self.lock().get(&import_id).copied()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, (usize, usize)>> {
        // A panic while holding the lock cannot leave the counts inconsistent.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}
