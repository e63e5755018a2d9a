//! Open hash with collision chains over a record file (spec: "Hash con colisiones - Abierto"),
//! growing by linear hashing, with an optional index by a dense id stored in the values.
//!
//! ```text
//!   data file (e.g. USUARIOS.DAT)                       control file (e.g. USUARIOS.CON)
//!   pos 0..MAX-1: home buckets   pos >= MAX: overflow   header control fields:
//!   +---------+                  +---------+            [0] records  [1] last internal id
//!   | bucket 0|--next----------->| ovf 91  |--> NIL     [2] MAX (home buckets, the spec's 80)
//!   +---------+                  +---------+            [3] level  [4] next to split
//!   | bucket 1| (empty)                                 [5] buckets now (0: MAX, never split)
//!   +---------+                                         slots: bucket directory, slot j =
//!                 +---------+                           first position of bucket MAX + j
//!   dir slot 0 -->| ovf 130 |--> ovf 97 --> NIL         (NIL: empty bucket)
//!                 +---------+
//! ```
//!
//! **Addressing.** A key's hash is FNV-1a; with `round = MAX << level`, its bucket is
//! `b = h mod round`, or `h mod 2·round` when `b < next` (that bucket was already split in this
//! round). Buckets `0..MAX` are the spec's home slots, positions `0..MAX` of the data file;
//! buckets `MAX..` have no home slot: their chains start at the directory slot `b - MAX` of the
//! control file and live in the overflow area like every colliding record.
//!
//! **Growth** (linear hashing, W. Litwin 1980). When an insertion leaves more than
//! [`SPLIT_LOAD`] records per bucket on average, bucket `next` is split: its chain is rehashed
//! with the doubled modulus, the records that now belong to bucket `next + round` are relinked
//! into that new bucket's chain (one directory slot appended), and `next` advances; when it
//! reaches `round`, `level` goes up by one and `next` starts again at 0. One bucket per split,
//! inside the caller's write transaction, so a crash undoes a half-done split with the rest of
//! the transaction and a batch of insertions splits as it goes. The table never shrinks: a share
//! that lost many users keeps its buckets (the rebuild of `repair` sizes it afresh). A file
//! written before growth existed has zeros in fields 3–5: level 0, next 0, MAX buckets.
//!
//! A record goes into its bucket's chain: in an empty home slot, else in a slot of the overflow
//! area (reused from the free list or appended) linked right after the chain's first record
//! (or at the head of a directory bucket). Deleting a home record moves the next record of its
//! chain into the home slot, so a home chain is never headed by an empty bucket. Records move
//! between slots only there and when a split empties a home slot or swaps a staying record into
//! it; the id index follows every move.
//!
//! **Id index** ([`IdIndex`]): when the values carry a dense id (1, 2, 3… as [`OpenHash::next_id`]
//! hands them out), slot `id - 1` of the index file holds the data position of that record
//! (NIL: no record with that id), maintained by every insertion, deletion and move, so a record
//! is found by id in two reads.
//!
//! Slot payload: `0 u8 state (0 empty home bucket, 1 record) | 1..8 zero | 8 u64 next |
//! 16 u16 key length | 18.. key (key_cap bytes) | value (value_len bytes)`. Directory and
//! id-index slots: `0 u64 position (NIL = none)`.

use std::collections::{HashMap, HashSet};

use crate::storage::codec::{Dec, Enc};
use crate::storage::record::{FreeHome, NIL, Slot};
use crate::storage::{Result, StorageError, Tx, WriteTx};

use super::Problems;

/// One bucket's chain: `(position, key)` in chain order.
pub type Chain = Vec<(u64, Vec<u8>)>;
/// What [`OpenHash::salvage`] finds: every readable `(key, value)`, and the positions that
/// could not be read.
pub type Salvaged = (Vec<(Vec<u8>, Vec<u8>)>, Vec<u64>);
/// A record with its place: `(position, key, value)`.
pub type Placed = (u64, Vec<u8>, Vec<u8>);

const STATE_EMPTY: u8 = 0;
const STATE_USED: u8 = 1;
const KEY_OFFSET: usize = 18;

/// Control fields of the hash's control file.
pub const CON_COUNT: usize = 0;
pub const CON_LAST_ID: usize = 1;
/// MAX: the home buckets of the data file (the spec's 80 for USUARIOS), never changed by growth.
pub const CON_BUCKETS: usize = 2;
/// Linear hashing: the number of times the table has doubled.
pub const CON_LEVEL: usize = 3;
/// Linear hashing: the next bucket to split.
pub const CON_NEXT: usize = 4;
/// The number of buckets now, `MAX · 2^level + next` (0 in a file from before growth: MAX).
pub const CON_TOTAL: usize = 5;

/// The growth bound: a bucket is split when the records exceed this many per bucket.
pub const SPLIT_LOAD: u64 = 2;
/// Doublings a table may have (80 · 2^40 buckets is far beyond any file): a larger level read
/// from disk is damage.
const MAX_LEVEL: u64 = 40;
/// Splits one insertion may make: one keeps the load bounded; the second catches up after a
/// count that grew faster (a damaged count cannot make an insertion split forever).
const SPLITS_PER_INSERT: usize = 2;
/// The most empty slots one insertion may add to an id index (ids are handed out one by one;
/// a bigger jump is a wrong id, which must not grow the file by gigabytes).
const MAX_ID_GAP: u64 = 1 << 20;

/// An index by a dense id carried in the values: slot `id - 1` of `file` holds the data
/// position of the record with that id.
#[derive(Debug, Clone)]
pub struct IdIndex {
    pub file: &'static str,
    /// Where the id (u64, little endian) is in a value.
    pub id_offset: usize,
}

/// An open hash in `data`, controlled by `control`. Keys are byte strings of at most
/// `key_cap` bytes (the caller normalises them); values are `value_len` bytes.
#[derive(Debug, Clone)]
pub struct OpenHash {
    pub data: &'static str,
    pub control: &'static str,
    pub key_cap: usize,
    pub value_len: usize,
    /// The index by id, if the values carry one.
    pub ids: Option<IdIndex>,
}

/// The shape of the table now (linear hashing state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Geometry {
    /// MAX, the home buckets (the table's size before any split).
    pub home: u64,
    pub level: u32,
    /// The next bucket to split, `0..round`.
    pub next: u64,
}

impl Geometry {
    /// Buckets at the start of this round: `MAX · 2^level`.
    pub fn round(&self) -> u64 {
        self.home << self.level
    }
    /// Buckets now.
    pub fn buckets(&self) -> u64 {
        self.round() + self.next
    }
    /// The bucket of a key whose hash is `h`.
    pub fn bucket(&self, h: u64) -> u64 {
        let b = h % self.round();
        if b < self.next {
            h % (2 * self.round())
        } else {
            b
        }
    }
    /// Whether bucket `b` already uses the doubled modulus of this round (split, or new).
    pub fn is_split(&self, b: u64) -> bool {
        b < self.next || b >= self.round()
    }
    fn after_split(&self) -> Geometry {
        if self.next + 1 == self.round() {
            Geometry {
                home: self.home,
                level: self.level + 1,
                next: 0,
            }
        } else {
            Geometry {
                next: self.next + 1,
                ..*self
            }
        }
    }
}

/// What [`OpenHash::find`] finds: the position, the predecessor in the chain, the record.
type Found = (u64, Option<(u64, Rec)>, Rec);

#[derive(Debug, Clone)]
struct Rec {
    used: bool,
    next: u64,
    key: Vec<u8>,
    value: Vec<u8>,
}

/// Dispersion figures for the hash (the spec's "test de dispersión").
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Dispersion {
    /// Buckets now (MAX at first; more once the table grew).
    pub buckets: u64,
    /// MAX: the home buckets the table started with (the spec's 80).
    pub home_buckets: u64,
    /// Linear hashing: doublings so far, and the next bucket to split.
    pub level: u32,
    pub next_split: u64,
    /// The growth bound: records per bucket above which a bucket is split.
    pub split_load: u64,
    pub records: u64,
    /// Records in the chain of each bucket (home record included).
    pub chain_lengths: Vec<u64>,
    /// `chain_lengths` summed over consecutive blocks of `block_size` buckets.
    pub block_size: u64,
    pub blocks: Vec<u64>,
    pub load_factor: f64,
    pub longest_chain: u64,
    pub empty_buckets: u64,
    /// Pearson's chi-square of the per-bucket counts against what a uniform hash gives: the
    /// same count in every bucket of a table that never split; in a growing table, half as
    /// many in the buckets already split this round (and the new ones) as in the others.
    pub chi_square: f64,
    /// Degrees of freedom of `chi_square` (buckets - 1); a uniform hash gives about this value.
    pub degrees_of_freedom: u64,
}

/// The hash of a key: FNV-1a, 64 bits.
pub fn fnv1a(key: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in key {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

impl OpenHash {
    /// The record files of this structure and their slot payload sizes.
    pub fn files(&self) -> Vec<(&'static str, u32)> {
        let mut v = vec![(self.control, 8), (self.data, self.slot_size())];
        if let Some(ix) = &self.ids {
            v.push((ix.file, 8));
        }
        v
    }

    fn slot_size(&self) -> u32 {
        (KEY_OFFSET + self.key_cap + self.value_len) as u32
    }

    fn empty(&self) -> Rec {
        Rec {
            used: false,
            next: NIL,
            key: vec![],
            value: vec![0; self.value_len],
        }
    }

    fn encode(&self, r: &Rec) -> Vec<u8> {
        let mut b = vec![0u8; self.slot_size() as usize];
        let mut e = Enc::new(&mut b);
        e.u8(if r.used { STATE_USED } else { STATE_EMPTY })
            .zeros(7)
            .u64(r.next)
            .u16(r.key.len() as u16);
        e.bytes(&r.key)
            .zeros(self.key_cap - r.key.len())
            .bytes(&r.value);
        b
    }

    fn decode(&self, pos: u64, b: &[u8]) -> Result<Rec> {
        let (used, next, key, value) = self.parts(pos, b)?;
        Ok(Rec {
            used,
            next,
            key: key.to_vec(),
            value: value.to_vec(),
        })
    }

    /// A record's fields, checked, borrowed from its slot: (used, next, key, value).
    fn parts<'a>(&self, pos: u64, b: &'a [u8]) -> Result<(bool, u64, &'a [u8], &'a [u8])> {
        let mut d = Dec::new(b);
        let state = d.u8();
        d.skip(7);
        let next = d.u64();
        let klen = d.u16() as usize;
        let v0 = KEY_OFFSET + self.key_cap;
        if state > STATE_USED || klen > self.key_cap || b.len() < v0 + self.value_len {
            return Err(StorageError::corrupt(
                self.data,
                format!("registro {pos} con estado {state} o clave de {klen} bytes"),
            ));
        }
        Ok((
            state == STATE_USED,
            next,
            &b[KEY_OFFSET..KEY_OFFSET + klen],
            &b[v0..v0 + self.value_len],
        ))
    }

    fn load(&self, tx: &mut impl Tx, pos: u64) -> Result<Rec> {
        let p = tx.read(self.data, pos)?;
        self.decode(pos, &p)
    }

    fn store(&self, tx: &mut WriteTx, pos: u64, r: &Rec) -> Result<()> {
        tx.write(self.data, pos, &self.encode(r))
    }

    /// Creates the files with `buckets` home buckets (does nothing if they exist; an id index
    /// missing beside an existing hash is made by [`build_ids`](Self::build_ids)).
    pub fn create(&self, tx: &mut WriteTx, buckets: u64) -> Result<()> {
        if tx.exists(self.data)? {
            return Ok(());
        }
        if buckets == 0 {
            return Err(StorageError::Misuse(
                "un hash necesita al menos un balde".into(),
            ));
        }
        tx.create_file(self.control, 8, FreeHome::Own)?;
        tx.create_file(self.data, self.slot_size(), FreeHome::Own)?;
        if let Some(ix) = &self.ids {
            tx.create_file(ix.file, 8, FreeHome::Own)?;
        }
        let empty = self.encode(&self.empty());
        for _ in 0..buckets {
            tx.alloc(self.data, &empty)?;
        }
        tx.set_control(self.control, CON_BUCKETS, buckets)?;
        tx.set_control(self.control, CON_TOTAL, buckets)?;
        Ok(())
    }

    /// The table's shape from the control file, checked against the files (values read from
    /// disk are untrusted): MAX at least 1 and no more than the data file's slots, a level and
    /// a split pointer that make sense, a directory slot for every bucket past MAX.
    pub fn geometry(&self, tx: &mut impl Tx) -> Result<Geometry> {
        let h = tx.header(self.control)?;
        let c = h.control;
        let home = c[CON_BUCKETS];
        let slots = tx.slot_count(self.data)?;
        let bad = |d: String| Err(StorageError::corrupt(self.control, d));
        if home == 0 || home > slots {
            return bad(format!(
                "dice {home} baldes y {} tiene {slots} registros",
                self.data
            ));
        }
        let (level, next, total) = (c[CON_LEVEL], c[CON_NEXT], c[CON_TOTAL]);
        if level > MAX_LEVEL || home.checked_mul(2u64 << level).is_none() {
            return bad(format!("nivel de crecimiento {level} imposible"));
        }
        let g = Geometry {
            home,
            level: level as u32,
            next,
        };
        if next >= g.round() {
            return bad(format!(
                "el próximo balde a dividir ({next}) está fuera de la ronda de {} baldes",
                g.round()
            ));
        }
        if (total == 0 && (level != 0 || next != 0)) || (total != 0 && total != g.buckets()) {
            return bad(format!(
                "dice {total} baldes y su nivel {level} y próximo {next} dan {}",
                g.buckets()
            ));
        }
        if h.slot_count < g.buckets() - home {
            return bad(format!(
                "tiene {} baldes y su directorio solo {} registros",
                g.buckets(),
                h.slot_count
            ));
        }
        Ok(g)
    }

    /// The number of buckets now (MAX before any split).
    pub fn buckets(&self, tx: &mut impl Tx) -> Result<u64> {
        Ok(self.geometry(tx)?.buckets())
    }

    pub fn len(&self, tx: &mut impl Tx) -> Result<u64> {
        tx.control(self.control, CON_COUNT)
    }

    /// The bucket of `key` now.
    pub fn home(&self, tx: &mut impl Tx, key: &[u8]) -> Result<u64> {
        Ok(self.geometry(tx)?.bucket(fnv1a(key)))
    }

    /// The head of directory bucket `b` (`b >= MAX`).
    fn dir_head(&self, tx: &mut impl Tx, g: &Geometry, b: u64) -> Result<u64> {
        let p = tx.read(self.control, b - g.home)?;
        let head = u64_at(&p, 0);
        if head != NIL && head < g.home {
            return Err(StorageError::corrupt(
                self.control,
                format!("el balde {b} empieza en la posición {head}, del área de baldes"),
            ));
        }
        Ok(head)
    }

    /// Sets the head of directory bucket `b`, appending its directory slot when it is new.
    fn set_dir_head(&self, tx: &mut WriteTx, g: &Geometry, b: u64, head: u64) -> Result<()> {
        let j = b - g.home;
        let n = tx.slot_count(self.control)?;
        if j < n && matches!(tx.slot(self.control, j)?, Slot::Live(_)) {
            return tx.write(self.control, j, &head.to_le_bytes());
        }
        let got = tx.alloc(self.control, &head.to_le_bytes())?;
        if got != j {
            return Err(StorageError::corrupt(
                self.control,
                format!("el directorio del balde {b} quedó en la posición {got} y no en la {j}"),
            ));
        }
        Ok(())
    }

    /// The first position of bucket `b`'s chain holding a record (None: empty bucket).
    fn first(&self, tx: &mut impl Tx, g: &Geometry, b: u64) -> Result<Option<u64>> {
        if b < g.home {
            Ok(self.load(tx, b)?.used.then_some(b))
        } else {
            let h = self.dir_head(tx, g, b)?;
            Ok((h != NIL).then_some(h))
        }
    }

    /// The position after `pos` in a chain, checked: inside the file, past the home buckets,
    /// and no longer than the file (a cycle).
    fn step(&self, g: &Geometry, next: u64, steps: &mut u64, limit: u64) -> Result<Option<u64>> {
        if next == NIL {
            return Ok(None);
        }
        *steps += 1;
        if *steps > limit {
            return Err(StorageError::corrupt(
                self.data,
                "cadena de colisiones con un ciclo",
            ));
        }
        if next < g.home || next >= limit {
            return Err(StorageError::corrupt(
                self.data,
                format!("enlace de una cadena a la posición {next}"),
            ));
        }
        Ok(Some(next))
    }

    /// Bucket `b`'s chain: `(position, record)` in order, every record in use.
    fn chain_of(&self, tx: &mut impl Tx, g: &Geometry, b: u64) -> Result<Vec<(u64, Rec)>> {
        let limit = tx.slot_count(self.data)?;
        let mut out = Vec::new();
        let mut cur = self.first(tx, g, b)?;
        let mut steps = 0;
        while let Some(pos) = cur {
            let r = self.load(tx, pos)?;
            if !r.used {
                return Err(StorageError::corrupt(
                    self.data,
                    format!("registro vacío {pos} dentro de la cadena del balde {b}"),
                ));
            }
            cur = self.step(g, r.next, &mut steps, limit)?;
            out.push((pos, r));
        }
        Ok(out)
    }

    /// Finds `key` under geometry `g`: its position, its predecessor's, and its record.
    fn find(&self, tx: &mut impl Tx, g: &Geometry, key: &[u8]) -> Result<Option<Found>> {
        let b = g.bucket(fnv1a(key));
        let limit = tx.slot_count(self.data)?;
        let mut prev: Option<(u64, Rec)> = None;
        let mut cur = self.first(tx, g, b)?;
        let mut steps = 0;
        while let Some(pos) = cur {
            let r = self.load(tx, pos)?;
            if !r.used {
                return Err(StorageError::corrupt(
                    self.data,
                    format!("registro vacío {pos} dentro de la cadena del balde {b}"),
                ));
            }
            if r.key == key {
                return Ok(Some((pos, prev, r)));
            }
            cur = self.step(g, r.next, &mut steps, limit)?;
            prev = Some((pos, r));
        }
        Ok(None)
    }

    /// Finds `key`: its slot position and value.
    pub fn get(&self, tx: &mut impl Tx, key: &[u8]) -> Result<Option<(u64, Vec<u8>)>> {
        let g = self.geometry(tx)?;
        Ok(self.find(tx, &g, key)?.map(|(pos, _, r)| (pos, r.value)))
    }

    fn check_sizes(&self, key: &[u8], value: &[u8]) -> Result<()> {
        if key.is_empty() || key.len() > self.key_cap {
            return Err(StorageError::Misuse(format!(
                "clave de {} bytes (máximo {})",
                key.len(),
                self.key_cap
            )));
        }
        if value.len() != self.value_len {
            return Err(StorageError::Misuse(format!(
                "valor de {} bytes, se esperaban {}",
                value.len(),
                self.value_len
            )));
        }
        if let Some(ix) = &self.ids
            && ix.id_offset + 8 > self.value_len
        {
            return Err(StorageError::Misuse("el id no cabe en el valor".into()));
        }
        Ok(())
    }

    /// Inserts `key`. Returns its position, or `None` if the key is already present. May split
    /// a bucket (see the module's "Growth").
    pub fn insert(&self, tx: &mut WriteTx, key: &[u8], value: &[u8]) -> Result<Option<u64>> {
        self.check_sizes(key, value)?;
        let g = self.geometry(tx)?;
        if self.find(tx, &g, key)?.is_some() {
            return Ok(None);
        }
        self.refuse_taken_id(tx, value)?;
        let pos = self.link(tx, &g, key, value)?;
        self.index_set(tx, value, pos)?;
        if self.grow(tx)? {
            // The split may have moved it.
            let g = self.geometry(tx)?;
            return Ok(self.find(tx, &g, key)?.map(|(p, _, _)| p));
        }
        Ok(Some(pos))
    }

    /// Links a new record into its bucket's chain and counts it; returns its position.
    fn link(&self, tx: &mut WriteTx, g: &Geometry, key: &[u8], value: &[u8]) -> Result<u64> {
        let b = g.bucket(fnv1a(key));
        let rec = Rec {
            used: true,
            next: NIL,
            key: key.to_vec(),
            value: value.to_vec(),
        };
        let pos = if b < g.home {
            let mut h = self.load(tx, b)?;
            if !h.used {
                self.store(
                    tx,
                    b,
                    &Rec {
                        next: h.next,
                        ..rec
                    },
                )?;
                b
            } else {
                let pos = self.alloc(
                    tx,
                    g,
                    &Rec {
                        next: h.next,
                        ..rec
                    },
                )?;
                h.next = pos;
                self.store(tx, b, &h)?;
                pos
            }
        } else {
            let head = self.dir_head(tx, g, b)?;
            let pos = self.alloc(tx, g, &Rec { next: head, ..rec })?;
            self.set_dir_head(tx, g, b, pos)?;
            pos
        };
        let n = self.len(tx)?;
        tx.set_control(self.control, CON_COUNT, n + 1)?;
        Ok(pos)
    }

    /// A slot of the overflow area for `r`.
    fn alloc(&self, tx: &mut WriteTx, g: &Geometry, r: &Rec) -> Result<u64> {
        let pos = tx.alloc(self.data, &self.encode(r))?;
        if pos < g.home {
            return Err(StorageError::corrupt(
                self.data,
                format!("la lista de libres da la posición {pos}, del área de baldes"),
            ));
        }
        Ok(pos)
    }

    /// Splits buckets while the load is above the bound (at most [`SPLITS_PER_INSERT`]).
    fn grow(&self, tx: &mut WriteTx) -> Result<bool> {
        let mut split = false;
        for _ in 0..SPLITS_PER_INSERT {
            let g = self.geometry(tx)?;
            if self.len(tx)? <= SPLIT_LOAD.saturating_mul(g.buckets()) {
                break;
            }
            self.split(tx, &g)?;
            split = true;
        }
        Ok(split)
    }

    /// Splits bucket `g.next`: its records that the doubled modulus sends to the new bucket
    /// `next + round` are relinked there; a home slot keeps (or receives) a staying record.
    fn split(&self, tx: &mut WriteTx, g: &Geometry) -> Result<()> {
        let s = g.next;
        let nb = s + g.round();
        let g2 = g.after_split();
        let chain = self.chain_of(tx, g, s)?;
        let orig: HashMap<u64, u64> = chain.iter().map(|(p, r)| (*p, r.next)).collect();
        let mut stay: Vec<(u64, Rec)> = Vec::new();
        let mut go: Vec<(u64, Rec)> = Vec::new();
        for (p, r) in chain {
            let b = g2.bucket(fnv1a(&r.key));
            if b == s {
                stay.push((p, r));
            } else if b == nb {
                go.push((p, r));
            } else {
                return Err(StorageError::corrupt(
                    self.data,
                    format!("posición {p}: la clave no pertenece al balde {s}"),
                ));
            }
        }
        // Positions whose record changed (moved in, or the home slot emptied).
        let mut moved: Vec<(u64, Rec)> = Vec::new();
        if s < g.home
            && let Some(i) = go.iter().position(|(p, _)| *p == s)
        {
            // The home slot must hold a staying record, or be emptied. (The home record is
            // the chain's first, so when it stays it already heads `stay`.)
            if let Some(first) = stay.first_mut() {
                // Swap: the leaving home record takes the first staying record's slot.
                let p = first.0;
                first.0 = s;
                go[i].0 = p;
                moved.push(first.clone());
                moved.push(go[i].clone());
            } else {
                let p = self.alloc(tx, g, &go[i].1)?;
                go[i].0 = p;
                moved.push(go[i].clone());
                self.store(tx, s, &self.empty())?;
            }
        }
        let changed: HashSet<u64> = moved.iter().map(|(p, _)| *p).collect();
        self.relink(tx, &mut stay, &orig, &changed)?;
        self.relink(tx, &mut go, &orig, &changed)?;
        if s >= g.home {
            self.set_dir_head(tx, g, s, stay.first().map_or(NIL, |(p, _)| *p))?;
        }
        self.set_dir_head(tx, &g2, nb, go.first().map_or(NIL, |(p, _)| *p))?;
        tx.set_control(self.control, CON_LEVEL, g2.level as u64)?;
        tx.set_control(self.control, CON_NEXT, g2.next)?;
        tx.set_control(self.control, CON_TOTAL, g2.buckets())?;
        for (p, r) in &moved {
            self.index_set(tx, &r.value, *p)?;
        }
        Ok(())
    }

    /// Writes `chain` as one chain in its order: each record that moved or whose link changed.
    fn relink(
        &self,
        tx: &mut WriteTx,
        chain: &mut [(u64, Rec)],
        orig: &HashMap<u64, u64>,
        changed: &HashSet<u64>,
    ) -> Result<()> {
        for i in 0..chain.len() {
            let next = chain.get(i + 1).map_or(NIL, |(p, _)| *p);
            let (p, r) = &mut chain[i];
            r.next = next;
            if changed.contains(p) || orig.get(p) != Some(&next) {
                self.store(tx, *p, r)?;
            }
        }
        Ok(())
    }

    /// Replaces the value of `key`. Returns false if absent.
    pub fn update(&self, tx: &mut WriteTx, key: &[u8], value: &[u8]) -> Result<bool> {
        self.check_sizes(key, value)?;
        let g = self.geometry(tx)?;
        let Some((pos, _, mut r)) = self.find(tx, &g, key)? else {
            return Ok(false);
        };
        if let Some(ix) = &self.ids
            && u64_at(&r.value, ix.id_offset) != u64_at(value, ix.id_offset)
        {
            self.index_clear(tx, &r.value, pos)?;
            self.index_set(tx, value, pos)?;
        }
        r.value = value.to_vec();
        self.store(tx, pos, &r)?;
        Ok(true)
    }

    /// Deletes `key`; returns its value if it was present.
    pub fn remove(&self, tx: &mut WriteTx, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let g = self.geometry(tx)?;
        let Some((pos, prev, r)) = self.find(tx, &g, key)? else {
            return Ok(None);
        };
        let b = g.bucket(fnv1a(key));
        match prev {
            None if b < g.home && r.next == NIL => self.store(tx, pos, &self.empty())?,
            None if b < g.home => {
                // Move the next record of the chain into the home bucket.
                let first = self.load(tx, r.next)?;
                self.store(tx, pos, &first)?;
                tx.release(self.data, r.next)?;
                self.index_set(tx, &first.value, pos)?;
            }
            None => {
                self.set_dir_head(tx, &g, b, r.next)?;
                tx.release(self.data, pos)?;
            }
            Some((ppos, mut p)) => {
                p.next = r.next;
                self.store(tx, ppos, &p)?;
                tx.release(self.data, pos)?;
            }
        }
        self.index_clear(tx, &r.value, pos)?;
        let n = self.len(tx)?;
        tx.set_control(self.control, CON_COUNT, n.saturating_sub(1))?;
        Ok(Some(r.value))
    }

    /// Hands out the next internal id (the control file's "last internal id" + 1).
    pub fn next_id(&self, tx: &mut WriteTx) -> Result<u64> {
        let id = tx.control(self.control, CON_LAST_ID)? + 1;
        tx.set_control(self.control, CON_LAST_ID, id)?;
        Ok(id)
    }

    /// Every chain, bucket by bucket: `(position, key)` in chain order.
    pub fn chains(&self, tx: &mut impl Tx) -> Result<Vec<Chain>> {
        tx.prefetch(self.data)?;
        tx.prefetch(self.control)?;
        let g = self.geometry(tx)?;
        let mut out = Vec::with_capacity(g.buckets() as usize);
        for b in 0..g.buckets() {
            let chain = self.chain_of(tx, &g, b)?;
            out.push(chain.into_iter().map(|(p, r)| (p, r.key)).collect());
        }
        Ok(out)
    }

    /// Every record as (position, key, value), in position order.
    fn records(&self, tx: &mut impl Tx) -> Result<Vec<Placed>> {
        // A damaged slot fails the bulk read; inside a repair it is already replaced (the
        // transaction's own slots come first), so read on slot by slot.
        match tx.prefetch(self.data) {
            Err(e) if e.is_damaged() => {}
            r => r?,
        }
        let n = tx.slot_count(self.data)?;
        let mut out = Vec::new();
        for pos in 0..n {
            if let Slot::Live(p) = tx.slot(self.data, pos)? {
                let r = self.decode(pos, &p)?;
                if r.used {
                    out.push((pos, r.key, r.value));
                }
            }
        }
        Ok(out)
    }

    /// Every record as (key, value), in position order.
    pub fn entries(&self, tx: &mut impl Tx) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        Ok(self
            .records(tx)?
            .into_iter()
            .map(|(_, k, v)| (k, v))
            .collect())
    }

    /// The dispersion test, with chains also summed in blocks of `block_size` buckets.
    pub fn dispersion(&self, tx: &mut impl Tx, block_size: u64) -> Result<Dispersion> {
        let chains = self.chains(tx)?;
        let g = self.geometry(tx)?;
        let lengths: Vec<u64> = chains.iter().map(|c| c.len() as u64).collect();
        Ok(Dispersion::of(g, lengths, block_size))
    }
}

/// The index by id.
impl OpenHash {
    fn index(&self) -> Result<&IdIndex> {
        self.ids
            .as_ref()
            .ok_or_else(|| StorageError::Misuse(format!("{} no tiene índice por id", self.data)))
    }

    /// Whether the index by id exists on this share (a share from before it has none until
    /// [`build_ids`](Self::build_ids) makes it).
    pub fn has_ids(&self, tx: &mut impl Tx) -> Result<bool> {
        match &self.ids {
            Some(ix) => tx.exists(ix.file),
            None => Ok(false),
        }
    }

    /// Records that the record with `value`'s id is at `pos`.
    fn index_set(&self, tx: &mut WriteTx, value: &[u8], pos: u64) -> Result<()> {
        let Some(ix) = &self.ids else {
            return Ok(());
        };
        if !tx.exists(ix.file)? {
            return Ok(());
        }
        let id = u64_at(value, ix.id_offset);
        if id == 0 {
            return Err(StorageError::Misuse(format!(
                "{}: registro con id 0",
                self.data
            )));
        }
        let n = tx.slot_count(ix.file)?;
        if id - 1 < n {
            return tx.write(ix.file, id - 1, &pos.to_le_bytes());
        }
        if id - 1 - n > MAX_ID_GAP {
            return Err(StorageError::Misuse(format!(
                "{}: el id {id} salta más de {MAX_ID_GAP} ids (el índice tiene {n})",
                self.data
            )));
        }
        for j in n..id {
            let v = if j == id - 1 { pos } else { NIL };
            let got = tx.alloc(ix.file, &v.to_le_bytes())?;
            if got != j {
                return Err(StorageError::corrupt(
                    ix.file,
                    format!("el id {} quedó en la posición {got}", j + 1),
                ));
            }
        }
        Ok(())
    }

    /// A new record must not take the id of another (a "last id" behind the ids in use, from
    /// damage, would hand out one again): refused as damage, nothing written.
    fn refuse_taken_id(&self, tx: &mut impl Tx, value: &[u8]) -> Result<()> {
        let Some(ix) = &self.ids else {
            return Ok(());
        };
        let id = u64_at(value, ix.id_offset);
        if !tx.exists(ix.file)? || id == 0 || id > tx.slot_count(ix.file)? {
            return Ok(());
        }
        let pos = u64_at(&tx.read(ix.file, id - 1)?, 0);
        if pos != NIL {
            return Err(StorageError::corrupt(
                self.control,
                format!(
                    "el id {id} ya es del registro en la posición {pos} de {}: el último id \
                     dado está detrás de los ids en uso",
                    self.data
                ),
            ));
        }
        Ok(())
    }

    /// Forgets the record with `value`'s id, if the index has it at `pos`.
    fn index_clear(&self, tx: &mut WriteTx, value: &[u8], pos: u64) -> Result<()> {
        let Some(ix) = &self.ids else {
            return Ok(());
        };
        if !tx.exists(ix.file)? {
            return Ok(());
        }
        let id = u64_at(value, ix.id_offset);
        if id == 0 || id > tx.slot_count(ix.file)? {
            return Ok(());
        }
        if u64_at(&tx.read(ix.file, id - 1)?, 0) == pos {
            tx.write(ix.file, id - 1, &NIL.to_le_bytes())?;
        }
        Ok(())
    }

    /// The record with id `id`: `(position, key, value)`. Two reads through the index (one
    /// slot of the index, one of the data); on a share without the index (before an upgrade)
    /// a scan of the data file.
    pub fn get_by_id(&self, tx: &mut impl Tx, id: u64) -> Result<Option<Placed>> {
        let ix = self.index()?;
        if id == 0 {
            return Ok(None);
        }
        if !tx.exists(ix.file)? {
            return Ok(self
                .records(tx)?
                .into_iter()
                .find(|(_, _, v)| u64_at(v, ix.id_offset) == id));
        }
        let bounds = (tx.slot_count(ix.file)?, tx.slot_count(self.data)?);
        self.placed_by_id(tx, id, bounds, |pos, k, v| (pos, k.to_vec(), v.to_vec()))
    }

    /// [`get_by_id`](Self::get_by_id) for each of `ids` (a page's sellers), in that order,
    /// after [`prefetch_ids`](Self::prefetch_ids) brought their slots in with few reads; the
    /// two files' headers are asked once for all. Each record's position, key and value,
    /// borrowed from its cached slot, go to `f` (which decodes them) rather than being copied.
    pub fn get_many_by_id<T>(
        &self,
        tx: &mut impl Tx,
        ids: &[u64],
        mut f: impl FnMut(u64, &[u8], &[u8]) -> T,
    ) -> Result<Vec<Option<T>>> {
        let ix = self.index()?;
        if !tx.exists(ix.file)? {
            return ids
                .iter()
                .map(|&id| Ok(self.get_by_id(tx, id)?.map(|(p, k, v)| f(p, &k, &v))))
                .collect();
        }
        self.prefetch_ids(tx, ids)?;
        let bounds = (tx.slot_count(ix.file)?, tx.slot_count(self.data)?);
        ids.iter()
            .map(|&id| match id {
                0 => Ok(None),
                _ => self.placed_by_id(tx, id, bounds, &mut f),
            })
            .collect()
    }

    /// The record with id `id` through the index, whose slot count and the data file's are
    /// `(ids, data)`: None past the index or at a free entry; an entry that points outside the
    /// data file or at a record without that id is damage.
    fn placed_by_id<T>(
        &self,
        tx: &mut impl Tx,
        id: u64,
        (ids, data): (u64, u64),
        f: impl FnOnce(u64, &[u8], &[u8]) -> T,
    ) -> Result<Option<T>> {
        let ix = self.index()?;
        if id > ids {
            return Ok(None);
        }
        let pos = u64_at(&tx.read(ix.file, id - 1)?, 0);
        if pos == NIL {
            return Ok(None);
        }
        let stale = || {
            StorageError::corrupt(
                ix.file,
                format!(
                    "el id {id} apunta a la posición {pos} de {}, que no lo tiene",
                    self.data
                ),
            )
        };
        if pos >= data {
            return Err(stale());
        }
        let b = match tx.slot(self.data, pos)? {
            Slot::Live(b) => b,
            Slot::Free { .. } => return Err(stale()),
        };
        let (used, _, key, value) = self.parts(pos, &b)?;
        if !used || u64_at(value, ix.id_offset) != id {
            return Err(stale());
        }
        Ok(Some(f(pos, key, value)))
    }

    /// Brings the records of `ids` into the reader cache with few reads (a page of listings
    /// names its ~50 sellers): the index slots, then the data slots, each in runs of
    /// neighbours. A gap of up to [`PREFETCH_GAP_BYTES`] is read through rather than paid as
    /// another round trip; only the wanted slots are checked and kept.
    pub fn prefetch_ids(&self, tx: &mut impl Tx, ids: &[u64]) -> Result<()> {
        let ix = self.index()?;
        if !tx.exists(ix.file)? {
            return Ok(());
        }
        let n = tx.slot_count(ix.file)?;
        let mut slots: Vec<u64> = ids
            .iter()
            .filter(|&&i| i >= 1 && i <= n)
            .map(|i| i - 1)
            .collect();
        slots.sort_unstable();
        slots.dedup();
        tx.prefetch_slots(ix.file, &slots, PREFETCH_GAP_BYTES)?;
        let data_n = tx.slot_count(self.data)?;
        let mut pos = Vec::with_capacity(slots.len());
        for j in slots {
            let p = u64_at(&tx.read(ix.file, j)?, 0);
            if p < data_n {
                pos.push(p);
            }
        }
        pos.sort_unstable();
        pos.dedup();
        tx.prefetch_slots(self.data, &pos, PREFETCH_GAP_BYTES)
    }

    /// Makes the index by id from the records (creating its file if missing): the upgrade of a
    /// share from before it, and the last step of [`rebuild`](Self::rebuild).
    pub fn build_ids(&self, tx: &mut WriteTx) -> Result<()> {
        let ix = self.index()?;
        let records = self.records(tx)?;
        let max = records
            .iter()
            .map(|(_, _, v)| u64_at(v, ix.id_offset))
            .max()
            .unwrap_or(0);
        let last = tx.control(self.control, CON_LAST_ID)?;
        if max > last.max(records.len() as u64).saturating_add(MAX_ID_GAP) {
            return Err(StorageError::corrupt(
                self.data,
                format!("un registro tiene el id {max} y el último dado es {last}"),
            ));
        }
        let mut slots = vec![NIL; max as usize];
        for (pos, _, v) in &records {
            let id = u64_at(v, ix.id_offset);
            if id == 0 {
                return Err(StorageError::corrupt(
                    self.data,
                    format!("posición {pos}: registro con id 0"),
                ));
            }
            if slots[id as usize - 1] != NIL {
                return Err(StorageError::corrupt(
                    self.data,
                    format!(
                        "el id {id} está en las posiciones {} y {pos}",
                        slots[id as usize - 1]
                    ),
                ));
            }
            slots[id as usize - 1] = *pos;
        }
        let as_slots = |v: &[u64]| -> Vec<Slot> {
            v.iter()
                .map(|p| Slot::Live(p.to_le_bytes().to_vec().into()))
                .collect()
        };
        if !tx.exists(ix.file)? {
            tx.create_file(ix.file, 8, FreeHome::Own)?;
            for p in &slots {
                tx.alloc(ix.file, &p.to_le_bytes())?;
            }
            return Ok(());
        }
        let mut h = tx.header(ix.file)?;
        if h.slot_count == 0 && slots.is_empty() {
            return Ok(());
        }
        h.slot_count = slots.len() as u64;
        h.free_head = NIL;
        h.free_count = 0;
        h.live_count = slots.len() as u64;
        tx.overwrite_file(ix.file, h, as_slots(&slots))
    }
}

/// The largest gap between two wanted slots that a prefetch reads through rather than paying
/// another read (one page; on a LAN share a round trip costs what ~50 KB of transfer does,
/// but every byte read is copied and a terminal's page is a few scattered records).
pub const PREFETCH_GAP_BYTES: u64 = 4096;

/// The checks.
impl OpenHash {
    /// Verifies every invariant; returns the problems found.
    pub fn check(&self, tx: &mut impl Tx) -> Result<Problems> {
        let mut p = Problems::new(self.data);
        tx.prefetch(self.data)?;
        tx.prefetch(self.control)?;
        let g = match self.geometry(tx) {
            Ok(g) => g,
            Err(e) if e.is_damaged() => {
                p.push(e.to_string());
                return Ok(p);
            }
            Err(e) => return Err(e),
        };
        let n = tx.slot_count(self.data)?;
        let dir_n = tx.slot_count(self.control)?;
        let mut reached = vec![false; n as usize];
        let mut count = 0u64;
        let mut keys = HashSet::new();
        // Live records by position, for the id index below.
        let mut live: Vec<(u64, Vec<u8>)> = Vec::new();
        for b in 0..g.buckets() {
            let mut pos = if b < g.home {
                b
            } else {
                match tx.slot(self.control, b - g.home)? {
                    Slot::Live(d) => u64_at(&d, 0),
                    Slot::Free { .. } => {
                        p.push(format!(
                            "{}: el directorio del balde {b} está libre",
                            self.control
                        ));
                        continue;
                    }
                }
            };
            let mut first = true;
            while pos != NIL {
                if pos >= n {
                    p.push(format!("balde {b}: enlace fuera del archivo ({pos})"));
                    break;
                }
                if (!first || b >= g.home) && pos < g.home {
                    p.push(format!(
                        "balde {b}: la cadena entra en el área de baldes ({pos})"
                    ));
                    break;
                }
                if reached[pos as usize] {
                    p.push(format!(
                        "balde {b}: la posición {pos} está en dos cadenas o en un ciclo"
                    ));
                    break;
                }
                reached[pos as usize] = true;
                let r = match tx.slot(self.data, pos)? {
                    Slot::Live(bytes) => self.decode(pos, &bytes)?,
                    Slot::Free { .. } => {
                        p.push(format!(
                            "balde {b}: la cadena pasa por la posición libre {pos}"
                        ));
                        break;
                    }
                };
                if !r.used {
                    if !first || b >= g.home {
                        p.push(format!(
                            "balde {b}: registro vacío {pos} dentro de la cadena"
                        ));
                    } else if r.next != NIL {
                        p.push(format!("balde {b}: balde vacío con cadena"));
                    }
                    break;
                }
                count += 1;
                if g.bucket(fnv1a(&r.key)) != b {
                    p.push(format!(
                        "posición {pos}: la clave no pertenece al balde {b}"
                    ));
                }
                if !keys.insert(r.key.clone()) {
                    p.push(format!("posición {pos}: clave repetida"));
                }
                live.push((pos, r.value));
                first = false;
                pos = r.next;
            }
        }
        for j in (g.buckets() - g.home)..dir_n {
            if let Slot::Live(d) = tx.slot(self.control, j)?
                && u64_at(&d, 0) != NIL
            {
                p.push(format!(
                    "{}: el directorio {j} apunta a una cadena y el balde {} no existe",
                    self.control,
                    g.home + j
                ));
            }
        }
        for pos in g.home..n {
            if matches!(tx.slot(self.data, pos)?, Slot::Live(_)) && !reached[pos as usize] {
                p.push(format!(
                    "posición {pos}: registro de desborde que ninguna cadena alcanza"
                ));
            }
        }
        let recorded = self.len(tx)?;
        if recorded != count {
            p.push(format!(
                "el control dice {recorded} claves y las cadenas tienen {count}"
            ));
        }
        if let Some(ix) = &self.ids
            && tx.exists(ix.file)?
        {
            self.check_ids(tx, ix, &live, &mut p)?;
        }
        Ok(p)
    }

    fn check_ids(
        &self,
        tx: &mut impl Tx,
        ix: &IdIndex,
        live: &[(u64, Vec<u8>)],
        p: &mut Problems,
    ) -> Result<()> {
        tx.prefetch(ix.file)?;
        let n = tx.slot_count(ix.file)?;
        let mut pointed = 0u64;
        for j in 0..n {
            match tx.slot(ix.file, j)? {
                Slot::Live(d) if u64_at(&d, 0) != NIL => pointed += 1,
                Slot::Live(_) => {}
                Slot::Free { .. } => p.push(format!("{}: la posición {j} está libre", ix.file)),
            }
        }
        let mut seen = HashSet::new();
        for (pos, v) in live {
            let id = u64_at(v, ix.id_offset);
            if id == 0 || id > n {
                p.push(format!("{}: no tiene el id {id} (posición {pos})", ix.file));
                continue;
            }
            if !seen.insert(id) {
                p.push(format!("posición {pos}: el id {id} está repetido"));
                continue;
            }
            match tx.slot(ix.file, id - 1)? {
                Slot::Live(d) if u64_at(&d, 0) == *pos => {}
                Slot::Live(d) => p.push(format!(
                    "{}: el id {id} apunta a la posición {} y está en la {pos}",
                    ix.file,
                    u64_at(&d, 0)
                )),
                Slot::Free { .. } => {}
            }
        }
        if pointed != seen.len() as u64 {
            p.push(format!(
                "{}: {pointed} ids apuntan a registros y el hash tiene {}",
                ix.file,
                seen.len()
            ));
        }
        Ok(())
    }
}

/// Repair (`ventalibre repair`): the chains are rebuilt from the records themselves.
impl OpenHash {
    /// Every record in a live slot of the data file, reachable from a chain or not, with the
    /// positions of slots that cannot be read.
    pub fn salvage(&self, tx: &mut impl Tx) -> Result<Salvaged> {
        let n = tx.slot_count(self.data)?;
        let mut out = Vec::new();
        let mut bad = Vec::new();
        for pos in 0..n {
            match tx.slot(self.data, pos) {
                Ok(Slot::Live(b)) => match self.decode(pos, &b) {
                    Ok(r) if r.used && !r.key.is_empty() => out.push((r.key, r.value)),
                    Ok(_) => {}
                    Err(_) => bad.push(pos),
                },
                Ok(Slot::Free { .. }) => {}
                Err(e) if e.is_damaged() => bad.push(pos),
                Err(e) => return Err(e),
            }
        }
        Ok((out, bad))
    }

    /// Rebuilds the hash with `buckets` home buckets holding exactly `records` (the first of
    /// equal keys wins): every home bucket emptied, every overflow slot and every directory
    /// slot freed (unreadable ones too), the free lists relinked, the table back to its first
    /// round, the records inserted again (the table grows as they go in) and the key count
    /// set; then the id index is made again from where the records ended up.
    pub fn rebuild(
        &self,
        tx: &mut WriteTx,
        buckets: u64,
        records: &[(Vec<u8>, Vec<u8>)],
    ) -> Result<()> {
        if buckets == 0 {
            return Err(StorageError::Misuse(
                "un hash necesita al menos un balde".into(),
            ));
        }
        let empty = self.encode(&self.empty());
        // Every slot freed (unreadable ones too), the free list relinked in position order:
        // the first `buckets` allocations are then the home buckets 0, 1, 2..., and the
        // directory's slots come back in order as buckets are split.
        tx.reset_slots(self.data, |_, _| false)?;
        tx.reset_slots(self.control, |_, _| false)?;
        for want in 0..buckets {
            let got = tx.alloc(self.data, &empty)?;
            if got != want {
                return Err(StorageError::Misuse(format!(
                    "{}: el balde {want} quedó en la posición {got}",
                    self.data
                )));
            }
        }
        tx.set_control(self.control, CON_BUCKETS, buckets)?;
        tx.set_control(self.control, CON_LEVEL, 0)?;
        tx.set_control(self.control, CON_NEXT, 0)?;
        tx.set_control(self.control, CON_TOTAL, buckets)?;
        tx.set_control(self.control, CON_COUNT, 0)?;
        for (k, v) in records {
            self.check_sizes(k, v)?;
            let g = self.geometry(tx)?;
            if self.find(tx, &g, k)?.is_some() {
                continue;
            }
            self.link(tx, &g, k, v)?;
            self.grow(tx)?;
        }
        if self.ids.is_some() {
            self.build_ids(tx)?;
        }
        Ok(())
    }
}

impl Dispersion {
    /// The figures of a table that never grew (every bucket expects the same share).
    pub fn from_lengths(chain_lengths: Vec<u64>, block_size: u64) -> Dispersion {
        let home = (chain_lengths.len() as u64).max(1);
        Dispersion::of(
            Geometry {
                home,
                level: 0,
                next: 0,
            },
            chain_lengths,
            block_size,
        )
    }

    /// The figures of the table `g` whose buckets hold `chain_lengths` records.
    pub fn of(g: Geometry, chain_lengths: Vec<u64>, block_size: u64) -> Dispersion {
        let buckets = chain_lengths.len() as u64;
        let records: u64 = chain_lengths.iter().sum();
        let block_size = block_size.max(1);
        let blocks = chain_lengths
            .chunks(block_size as usize)
            .map(|c| c.iter().sum())
            .collect();
        // A uniform hash sends to a bucket of this round's doubled modulus half the keys it
        // sends to one not split yet: weights 1 and 2.
        let weight = |b: u64| if g.is_split(b) { 1.0 } else { 2.0 };
        let total_weight: f64 = (0..buckets).map(weight).sum();
        let chi_square = if records == 0 {
            0.0
        } else {
            chain_lengths
                .iter()
                .enumerate()
                .map(|(b, &o)| {
                    let e = records as f64 * weight(b as u64) / total_weight;
                    (o as f64 - e).powi(2) / e
                })
                .sum()
        };
        Dispersion {
            buckets,
            home_buckets: g.home,
            level: g.level,
            next_split: g.next,
            split_load: SPLIT_LOAD,
            records,
            block_size,
            blocks,
            load_factor: records as f64 / buckets.max(1) as f64,
            longest_chain: chain_lengths.iter().copied().max().unwrap_or(0),
            empty_buckets: chain_lengths.iter().filter(|&&l| l == 0).count() as u64,
            chi_square,
            degrees_of_freedom: buckets.saturating_sub(1),
            chain_lengths,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chi_square_is_zero_for_a_perfect_spread_and_grows_with_clumping() {
        let even = Dispersion::from_lengths(vec![2; 10], 3);
        assert_eq!(even.chi_square, 0.0);
        assert_eq!(even.blocks, vec![6, 6, 6, 2]);
        assert_eq!(even.load_factor, 2.0);
        let clumped = Dispersion::from_lengths(vec![20, 0, 0, 0, 0, 0, 0, 0, 0, 0], 5);
        assert_eq!(clumped.chi_square, 180.0);
        assert_eq!(clumped.longest_chain, 20);
        assert_eq!(clumped.empty_buckets, 9);
    }

    #[test]
    fn a_growing_table_expects_half_as_many_in_split_buckets() {
        // MAX 4, level 0, next 1: bucket 0 split into 0 and 4; buckets 1..3 not yet.
        let g = Geometry {
            home: 4,
            level: 0,
            next: 1,
        };
        let d = Dispersion::of(g, vec![1, 2, 2, 2, 1], 2);
        assert_eq!(d.chi_square, 0.0);
        assert_eq!(d.buckets, 5);
        assert_eq!(d.next_split, 1);
    }

    #[test]
    fn addressing_follows_level_and_next() {
        let g = Geometry {
            home: 80,
            level: 1,
            next: 3,
        };
        assert_eq!(g.round(), 160);
        assert_eq!(g.buckets(), 163);
        // Not split yet this round: modulus 160.
        assert_eq!(g.bucket(160 * 7 + 5), 5);
        // Split: modulus 320, so 2 or 162.
        assert_eq!(g.bucket(320 * 7 + 2), 2);
        assert_eq!(g.bucket(320 * 7 + 162), 162);
        assert_eq!(g.after_split().next, 4);
        let end = Geometry {
            home: 80,
            level: 1,
            next: 159,
        };
        assert_eq!(
            end.after_split(),
            Geometry {
                home: 80,
                level: 2,
                next: 0
            }
        );
    }
}
