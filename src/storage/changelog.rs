//! The change log: which records each of the last commits changed, so that a terminal whose
//! cache is a few commits behind drops only those records instead of every file a commit touched
//! (a purchase elsewhere then costs a refresh of a few reads, not a reread of the catalogue).
//!
//! It lives in `VENTALIBRE.CTL`, after the commit state: a ring of [`ENTRIES`] entries of
//! [`ENTRY_SIZE`] bytes, the entry of the commit that set the change counter to `c` at index
//! `c % ENTRIES`. A commit writes its entry just before its commit point, in the same file, so
//! the commit point's fsync makes it durable too. It is not journaled and never has to be: an
//! entry is trusted only if its checksum holds and its counter is the one the reader expects, and
//! a reader that finds any expected entry missing (a commit undone by recovery, a power cut that
//! kept the commit point but not the entry, a program that does not write entries, a terminal
//! more than [`ENTRIES`] commits behind) falls back to rereading every file a commit touched.
//!
//! ```text
//! entry (512 bytes)
//! 0    4   magic "VLCH"
//! 4    2   item count (0..=61)
//! 6    2   flags: 1 = the catalog changed, 2 = too many changes to list (drop everything)
//! 8    8   the change counter this commit set
//! 16   8×n items: catalog index of the file (high 16 bits) and slot position (low 48 bits);
//!          position 0xFFFF_FFFF_FFFF = every slot of the file, 0xFFFF_FFFF_FFFE = its header only
//! 508  4   CRC-32C of bytes 0..508
//! ```

use super::codec::{Dec, Enc};
use super::crc::crc32c;

/// Where the ring starts in `VENTALIBRE.CTL`.
pub const OFFSET: u64 = 4096;
pub const ENTRY_SIZE: usize = 512;
pub const ENTRIES: u64 = 64;
/// The end of the ring, and so the length of a control file that has one.
pub const END: u64 = OFFSET + ENTRY_SIZE as u64 * ENTRIES;
pub const MAX_ITEMS: usize = (ENTRY_SIZE - 16 - 4) / 8;

const MAGIC: [u8; 4] = *b"VLCH";
const FLAG_CATALOG: u16 = 1;
const FLAG_EVERYTHING: u16 = 2;
const POS_MASK: u64 = (1 << 48) - 1;
/// Every slot of the file.
pub const ALL_SLOTS: u64 = POS_MASK;
/// Only the header of the file (counts, free list, control fields).
pub const HEADER_ONLY: u64 = POS_MASK - 1;

/// What one commit changed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entry {
    pub counter: u64,
    pub catalog_changed: bool,
    /// Too many changes to list: the reader drops everything.
    pub everything: bool,
    /// (catalog index of the file, slot position or [`ALL_SLOTS`] / [`HEADER_ONLY`]).
    pub items: Vec<(u16, u64)>,
}

impl Entry {
    /// The entry of a commit that set `counter`, changing `files`: (catalog index, changed
    /// positions). Lists that do not fit become whole-file items, and then "everything".
    pub fn of(counter: u64, catalog_changed: bool, files: &[(u16, Vec<u64>)]) -> Entry {
        let mut e = Entry {
            counter,
            catalog_changed,
            everything: false,
            items: Vec::new(),
        };
        if files.len() > MAX_ITEMS {
            e.everything = true;
            return e;
        }
        // Every file gets at least its own item; the room left goes to listing positions, file
        // by file, and a file whose list does not fit is marked changed all over.
        let mut spare = MAX_ITEMS - files.len();
        for (idx, positions) in files {
            if positions.is_empty() {
                e.items.push((*idx, HEADER_ONLY));
            } else if positions.len() - 1 <= spare {
                spare -= positions.len() - 1;
                e.items
                    .extend(positions.iter().map(|&p| (*idx, p.min(HEADER_ONLY - 1))));
            } else {
                e.items.push((*idx, ALL_SLOTS));
            }
        }
        e
    }

    /// The slot of the ring where the entry of `counter` goes.
    pub fn offset_of(counter: u64) -> u64 {
        OFFSET + (counter % ENTRIES) * ENTRY_SIZE as u64
    }

    pub fn encode(&self) -> [u8; ENTRY_SIZE] {
        let mut b = [0u8; ENTRY_SIZE];
        let mut flags = 0;
        if self.catalog_changed {
            flags |= FLAG_CATALOG;
        }
        if self.everything {
            flags |= FLAG_EVERYTHING;
        }
        let items = if self.everything {
            &[][..]
        } else {
            &self.items[..]
        };
        let mut e = Enc::new(&mut b);
        e.bytes(&MAGIC)
            .u16(items.len().min(MAX_ITEMS) as u16)
            .u16(flags)
            .u64(self.counter);
        for &(idx, pos) in items.iter().take(MAX_ITEMS) {
            e.u64((idx as u64) << 48 | (pos & POS_MASK));
        }
        let crc = crc32c(&b[..ENTRY_SIZE - 4]);
        b[ENTRY_SIZE - 4..].copy_from_slice(&crc.to_le_bytes());
        b
    }

    /// The entry in `b` if it is whole and is the one of `counter`.
    pub fn decode(b: &[u8], counter: u64) -> Option<Entry> {
        if b.len() < ENTRY_SIZE || b[..4] != MAGIC {
            return None;
        }
        let crc = u32::from_le_bytes(b[ENTRY_SIZE - 4..ENTRY_SIZE].try_into().ok()?);
        if crc != crc32c(&b[..ENTRY_SIZE - 4]) {
            return None;
        }
        let mut d = Dec::at(b, 4);
        let n = d.u16() as usize;
        let flags = d.u16();
        let c = d.u64();
        if c != counter || n > MAX_ITEMS {
            return None;
        }
        let items = (0..n)
            .map(|_| {
                let v = d.u64();
                ((v >> 48) as u16, v & POS_MASK)
            })
            .collect();
        Some(Entry {
            counter: c,
            catalog_changed: flags & FLAG_CATALOG != 0,
            everything: flags & FLAG_EVERYTHING != 0,
            items,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_are_tied_to_their_counter() {
        let e = Entry::of(70, true, &[(0, vec![3, 9]), (4, vec![])]);
        let b = e.encode();
        assert_eq!(Entry::decode(&b, 70), Some(e.clone()));
        assert_eq!(
            Entry::decode(&b, 6),
            None,
            "an old entry in the same ring slot"
        );
        let mut torn = b;
        torn[20] ^= 1;
        assert_eq!(Entry::decode(&torn, 70), None);
        assert_eq!(e.items, vec![(0, 3), (0, 9), (4, HEADER_ONLY)]);
    }

    #[test]
    fn long_lists_become_whole_files_then_everything() {
        let many: Vec<u64> = (0..100).collect();
        let e = Entry::of(1, false, &[(2, many), (3, vec![1])]);
        assert_eq!(e.items, vec![(2, ALL_SLOTS), (3, 1)]);
        let files: Vec<(u16, Vec<u64>)> = (0..70).map(|i| (i, vec![])).collect();
        let e = Entry::of(1, false, &files);
        assert!(e.everything);
        assert!(Entry::decode(&e.encode(), 1).unwrap().everything);
    }
}
