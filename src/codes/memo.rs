//! A map of answers already worked out, shared between threads and bounded.

use rustc_hash::FxHashMap;
use std::hash::Hash;
use std::sync::Mutex;

/// Remembers `make`'s answer per key. It is cleared when it holds `bound` answers, so a
/// document (or a flood of distinct queries) cannot grow it without limit. The lock is not
/// held while an answer is made: two threads may make the same one, never wait on each other.
pub struct Memo<K, V> {
    answers: Mutex<FxHashMap<K, V>>,
    bound: usize,
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    pub fn new(bound: usize) -> Memo<K, V> {
        Memo {
            answers: Mutex::new(FxHashMap::default()),
            bound,
        }
    }

    pub fn get_or_make(&self, key: K, make: impl FnOnce() -> V) -> V {
        if let Some(v) = self.lock().get(&key) {
            return v.clone();
        }
        let v = make();
        let mut answers = self.lock();
        if answers.len() >= self.bound {
            answers.clear();
        }
        answers.insert(key, v.clone());
        v
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FxHashMap<K, V>> {
        // A panic while making an answer leaves the map as it was: still usable.
        self.answers.lock().unwrap_or_else(|p| p.into_inner())
    }
}
