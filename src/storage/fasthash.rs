//! The hash maps of the hot read path (the reader cache's slots and files, the redo log's
//! overlay, open handles, the catalogue's memo): keyed by slot positions, record ids and file
//! names, looked up several times per record read. The standard library's SipHash costs more
//! than the lookup itself at these sizes, so they use the multiply-rotate hash rustc uses for
//! its own tables (FxHash): one multiply per 8 bytes of key.
//!
//! SipHash's defence against chosen keys is not needed here: the keys come from this program's
//! own files, and someone able to write the share can do worse than slow a lookup.

use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with [`FxHasher`]; build it with `HashMap::default()`.
pub type HashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A `HashSet` with [`FxHasher`].
pub type HashSet<K> = std::collections::HashSet<K, BuildHasherDefault<FxHasher>>;

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// rustc's FxHash: `hash = (hash.rotl(5) ^ word) * SEED` for each 8-byte word of the key.
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, BuildHasherDefault};

    fn h<T: std::hash::Hash + ?Sized>(v: &T) -> u64 {
        BuildHasherDefault::<FxHasher>::default().hash_one(v)
    }

    #[test]
    fn equal_keys_hash_alike_and_neighbours_spread() {
        assert_eq!(h("USUARIOS.DAT"), h(&"USUARIOS.DAT".to_string()));
        assert_ne!(h("USUARIOS.DAT"), h("USUARIOS.IDS"));
        // Neighbouring slot positions land in different buckets of a small table, and in
        // different control bytes (the top 7 bits hashbrown compares first).
        let low: std::collections::HashSet<u64> = (0..64u64).map(|p| h(&p) & 63).collect();
        let top: std::collections::HashSet<u64> = (0..64u64).map(|p| h(&p) >> 57).collect();
        assert!(
            low.len() > 32 && top.len() > 32,
            "{} {}",
            low.len(),
            top.len()
        );
    }

    #[test]
    fn a_map_with_many_positions_finds_each() {
        let mut m: HashMap<u64, u64> = HashMap::default();
        for p in (0..200_000u64).step_by(7) {
            m.insert(p, p * 2);
        }
        assert!(
            (0..200_000u64)
                .step_by(7)
                .all(|p| m.get(&p) == Some(&(p * 2)))
        );
        assert_eq!(m.get(&1), None);
    }
}
