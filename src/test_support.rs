//! What the library's unit tests share: a scratch folder removed when dropped (empty, or with
//! a new share in it) and a small deterministic generator.

use std::path::PathBuf;

use crate::storage::{Share, ShareConfig};

/// A folder of a test, removed with everything in it when dropped.
pub(crate) struct Scratch(pub(crate) PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A new empty folder under the temporary directory, `ventalibre-{what}-{process}-{ms}`.
pub(crate) fn scratch(what: &str) -> Scratch {
    let d = std::env::temp_dir().join(format!(
        "ventalibre-{what}-{}-{}",
        std::process::id(),
        crate::storage::ident::now_ms()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    Scratch(d)
}

/// [`scratch`] with a new share in it.
pub(crate) fn scratch_share(what: &str) -> (Scratch, Share) {
    let d = scratch(what);
    let share = Share::open_or_create(&d.0, ShareConfig::default()).unwrap();
    (d, share)
}

/// Xorshift64: a seeded stream of numbers (the seed must not be 0).
pub(crate) struct XorShift(pub(crate) u64);

impl XorShift {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
