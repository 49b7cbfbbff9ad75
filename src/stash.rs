//! A small keyed stash: typed values wait here under unique ids while only the id can travel.
//!
//! The pre hook of the generated clients can fail only with a string; it parks the typed
//! authentication error here and puts the id in the string (the whole mechanism is described in
//! [`crate::hooks`]). Ids come from a counter under the stash's lock and are never reused, so a
//! value is taken back by exactly the call that parked it, however many calls run at once.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

/// Values waiting to be taken back by their id. At most [`Stash::CAPACITY`] wait: parking one
/// more drops the oldest, so values that nobody takes back cannot pile up.
#[derive(Debug)]
pub(crate) struct Stash<T> {
    state: Mutex<State<T>>,
}

#[derive(Debug)]
struct State<T> {
    next_id: u64,
    waiting: BTreeMap<u64, T>,
}

impl<T> Stash<T> {
    /// The most values that wait at once. The handwritten layer takes a value back in the same
    /// poll in which the failed call parked it (no `.await` lies between the two), so at most one
    /// value per thread is ever in flight there; values that stay are those parked for callers of
    /// the generated clients themselves, who keep the string and never come back. This bounds
    /// them, far above any number of values in flight.
    pub(crate) const CAPACITY: usize = 1024;

    /// An empty stash.
    pub(crate) fn new() -> Self {
        Stash {
            state: Mutex::new(State {
                next_id: 0,
                waiting: BTreeMap::new(),
            }),
        }
    }

    /// Park `value` and return its id, unique in this stash.
    pub(crate) fn put(&self, value: T) -> u64 {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let id = state.next_id;
        state.next_id += 1;
        state.waiting.insert(id, value);
        while state.waiting.len() > Self::CAPACITY {
            state.waiting.pop_first();
        }
        id
    }

    /// Take back the value parked under `id`; `None` if it was taken already or dropped as the
    /// oldest of too many.
    pub(crate) fn take(&self, id: u64) -> Option<T> {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .waiting
            .remove(&id)
    }

    /// How many values wait.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .waiting
            .len()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn each_value_comes_back_once_by_its_own_id() {
        let stash = Stash::new();
        let a = stash.put("a");
        let b = stash.put("b");
        assert_ne!(a, b);
        assert_eq!(stash.take(b), Some("b"));
        assert_eq!(stash.take(a), Some("a"));
        assert_eq!(stash.take(a), None, "taken already");
        assert_eq!(stash.len(), 0);
    }

    #[test]
    fn values_nobody_takes_are_bounded_and_the_oldest_go_first() {
        let stash = Stash::new();
        let ids: Vec<u64> = (0..Stash::<usize>::CAPACITY + 10)
            .map(|n| stash.put(n))
            .collect();
        assert_eq!(stash.len(), Stash::<usize>::CAPACITY);
        assert_eq!(stash.take(ids[9]), None, "among the oldest, dropped");
        assert_eq!(stash.take(ids[10]), Some(10), "the oldest kept");
        let last = *ids.last().unwrap();
        assert_eq!(stash.take(last), Some(Stash::<usize>::CAPACITY + 9));
        // An id is never given out twice, even after its value left.
        assert!(stash.put(0) > last);
    }

    #[test]
    fn concurrent_threads_each_get_their_own_value_back() {
        let stash = Arc::new(Stash::new());
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let stash = Arc::clone(&stash);
                std::thread::spawn(move || {
                    for n in 0..1_000 {
                        let value = format!("{t}-{n}");
                        let id = stash.put(value.clone());
                        assert_eq!(stash.take(id), Some(value));
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(stash.len(), 0);
    }
}
