//! [`Loaded`]: what a screen shows, read on a worker thread and read again whenever the share
//! changed (here or at another terminal) or what it was read for changed (a filter, an id).

use super::jobs::Job;
use crate::domain::DResult;

/// A value read from the share for `key` at some generation of the share.
pub struct Loaded<T, K = ()> {
    value: Option<T>,
    /// The last read's error (the previous value stays shown if it answers the same key).
    pub error: Option<String>,
    /// What `value` answers: (generation, key).
    shown: Option<(u64, K)>,
    /// What the running read answers.
    asked: Option<(u64, K)>,
    job: Job<(K, DResult<T>)>,
}

impl<T, K> Default for Loaded<T, K> {
    fn default() -> Self {
        Loaded {
            value: None,
            error: None,
            shown: None,
            asked: None,
            job: Job::default(),
        }
    }
}

impl<T: Send + 'static, K: Clone + PartialEq + Send + 'static> Loaded<T, K> {
    /// Takes a finished read (call every frame). Returns true when a new value arrived.
    pub fn poll(&mut self) -> bool {
        let Some((key, r)) = self.job.poll() else {
            return false;
        };
        let generation = self.asked.take().map_or(0, |(g, _)| g);
        let same_key = self.shown.as_ref().is_some_and(|(_, k)| *k == key);
        self.shown = Some((generation, key));
        match r {
            Ok(v) => {
                self.value = Some(v);
                self.error = None;
                true
            }
            Err(e) => {
                // The value of another key is not shown as this one's.
                if !same_key {
                    self.value = None;
                }
                self.error = Some(e.to_string());
                false
            }
        }
    }

    /// Starts a read when the value shown (or being read) is not for `generation` and `key`.
    /// `make` builds the read (run on a worker thread) only when one is needed.
    pub fn keep_fresh<F>(
        &mut self,
        ctx: &egui::Context,
        generation: u64,
        key: K,
        make: impl FnOnce(K) -> F,
    ) where
        F: FnOnce() -> DResult<T> + Send + 'static,
    {
        let want = (generation, key);
        let current = self.asked.as_ref().or(self.shown.as_ref());
        if current == Some(&want) {
            return;
        }
        let read = make(want.1.clone());
        let key = want.1.clone();
        self.asked = Some(want);
        self.job.start(ctx, move || (key, read()));
    }

    /// The value last read, if any.
    pub fn get(&self) -> Option<&T> {
        self.value.as_ref()
    }

    pub fn get_mut(&mut self) -> Option<&mut T> {
        self.value.as_mut()
    }

    /// The key the value shown answers.
    pub fn key(&self) -> Option<&K> {
        self.shown.as_ref().map(|(_, k)| k)
    }

    /// A read is running.
    pub fn loading(&self) -> bool {
        self.job.running()
    }

    /// The value shown answers `generation` and `key`, and nothing is being read.
    pub fn fresh(&self, generation: u64, key: &K) -> bool {
        !self.loading()
            && self
                .shown
                .as_ref()
                .is_some_and(|(g, k)| *g == generation && k == key)
    }

    /// Reads again at the next [`Loaded::keep_fresh`].
    pub fn invalidate(&mut self) {
        self.shown = None;
        self.asked = None;
        self.job.forget();
    }
}
