//! How many imports (uploads, previews, commits) run at once, per user and on the whole
//! server. Each holds a large file and its rows in memory while it runs, so with registration
//! open, one user uploading many files in parallel could otherwise exhaust a small server. A
//! request beyond a cap is answered 429 with `Retry-After` before its file is read.
//!
//! Concurrent commits of one import are decided before the caps: only one of them can win the
//! import's claim, so a second commit of an import this process is already committing answers
//! the 409 the claim would give it, without reading the file, and never a 429 it could retry
//! into the same 409. (Across instances the claim in the database decides, as before.)

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use crate::error::ApiError;

use super::being_committed;

/// Seconds a refused request is told to wait: about what a large import takes.
const RETRY_AFTER_SECONDS: u64 = 5;

#[derive(Clone, Copy, Debug)]
pub struct Caps {
    /// Imports one user may run at once.
    pub per_user: usize,
    /// Imports the server runs at once, all users together.
    pub overall: usize,
}

#[derive(Default)]
struct Running {
    total: usize,
    by_user: HashMap<i64, usize>,
    /// Imports being committed by this process, by (user, import): another user's id must
    /// still answer 404, not tell that the import exists.
    committing: HashSet<(i64, i64)>,
}

#[derive(Clone)]
pub struct Gate {
    caps: Caps,
    running: Arc<Mutex<Running>>,
}

/// A running import's place; given back when dropped (also on an error or a panic).
pub struct Pass {
    user_id: i64,
    commit_of: Option<i64>,
    running: Arc<Mutex<Running>>,
}

impl Gate {
    pub fn new(caps: Caps) -> Self {
        Gate {
            caps,
            running: Arc::default(),
        }
    }

    /// A place for one more import of this user (`commit_of`: the commit of that import), or a
    /// 429 saying which cap is reached, or the 409 of a commit that would lose the claim.
    pub fn enter(&self, user_id: i64, commit_of: Option<i64>) -> Result<Pass, ApiError> {
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        if commit_of.is_some_and(|id| running.committing.contains(&(user_id, id))) {
            return Err(being_committed());
        }
        let mine = running.by_user.get(&user_id).copied().unwrap_or(0);
        let refuse = if mine >= self.caps.per_user {
            Some(format!(
                "you have {mine} imports running already (at most {} at once); try again when one has finished",
                self.caps.per_user
            ))
        } else if running.total >= self.caps.overall {
            Some(format!(
                "the server is running {} imports already (at most {} at once); try again shortly",
                running.total, self.caps.overall
            ))
        } else {
            None
        };
        if let Some(message) = refuse {
            return Err(ApiError::Busy {
                retry_after: RETRY_AFTER_SECONDS,
                message,
            });
        }
        running.total += 1;
        *running.by_user.entry(user_id).or_default() += 1;
        running.committing.extend(commit_of.map(|id| (user_id, id)));
        Ok(Pass {
            user_id,
            commit_of,
            running: Arc::clone(&self.running),
        })
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        running.total = running.total.saturating_sub(1);
        if let Some(id) = self.commit_of {
            running.committing.remove(&(self.user_id, id));
        }
        if let Some(n) = running.by_user.get_mut(&self.user_id) {
            *n -= 1;
            if *n == 0 {
                running.by_user.remove(&self.user_id);
            }
        }
        let last = running.total == 0;
        drop(running);
        // The last import running has freed its file and rows: give that memory back now rather
        // than keep it mapped for the next one (see `memory`).
        if last {
            crate::memory::give_back();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_per_user_and_overall_and_places_come_back() {
        let gate = Gate::new(Caps {
            per_user: 2,
            overall: 3,
        });
        let a1 = gate.enter(1, None).unwrap();
        let _a2 = gate.enter(1, None).unwrap();
        let refused = gate.enter(1, None).err().unwrap();
        assert!(matches!(refused, ApiError::Busy { retry_after: 5, .. }));
        assert!(
            refused.to_string().contains("at most 2 at once"),
            "{refused}"
        );
        let _b1 = gate.enter(2, None).unwrap();
        let refused = gate.enter(3, None).err().unwrap();
        assert!(
            refused.to_string().contains("the server is running 3"),
            "{refused}"
        );
        drop(a1);
        let _c1 = gate.enter(3, None).unwrap();
        assert!(gate.enter(1, None).is_err(), "the server is full again");
    }

    #[test]
    fn a_second_commit_of_one_import_is_a_conflict_before_any_cap() {
        let gate = Gate::new(Caps {
            per_user: 1,
            overall: 1,
        });
        let first = gate.enter(1, Some(7)).unwrap();
        // Full on both caps, yet the second commit of import 7 hears why it cannot win.
        let second = gate.enter(1, Some(7)).err().unwrap();
        assert!(matches!(second, ApiError::Conflict(_)), "{second:?}");
        assert!(second.to_string().contains("being committed"), "{second}");
        // Another import of the same user is held back by the cap as before.
        let other = gate.enter(1, Some(8)).err().unwrap();
        assert!(matches!(other, ApiError::Busy { .. }), "{other:?}");
        // Another user naming the same id is not told it exists (their request goes on to 404).
        let stranger = gate.enter(2, Some(7)).err().unwrap();
        assert!(matches!(stranger, ApiError::Busy { .. }), "{stranger:?}");
        drop(first);
        let _again = gate.enter(1, Some(7)).unwrap();
    }
}
