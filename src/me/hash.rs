//! Open hash with collision chains over a record file (spec: "Hash con colisiones - Abierto").
//!
//! ```text
//!   data file (e.g. USUARIOS.DAT)                       control file (e.g. USUARIOS.CON)
//!   pos 0..MAX-1: home buckets   pos >= MAX: overflow   header control fields:
//!   +---------+                  +---------+            [0] records  [1] last internal id
//!   | bucket 0|--next----------->| ovf 91  |--> NIL     [2] MAX (home buckets)
//!   +---------+                  +---------+
//!   | bucket 1| (empty)
//!   +---------+
//! ```
//!
//! A record goes to its home bucket `h(key) mod MAX`; when the bucket is taken it goes to a slot
//! of the overflow area (reused from the free list or appended) linked right after the home
//! record. Deleting a home record moves the first record of its chain into the home slot, so a
//! chain is never headed by an empty bucket.
//!
//! Slot payload: `0 u8 state (0 empty home bucket, 1 record) | 1..8 zero | 8 u64 next |
//! 16 u16 key length | 18.. key (key_cap bytes) | value (value_len bytes)`.

use std::collections::HashSet;

use crate::storage::codec::{Dec, Enc};
use crate::storage::record::{FreeHome, NIL, Slot};
use crate::storage::{Result, StorageError, Tx, WriteTx};

use super::Problems;

/// One bucket's chain: `(position, key)` in chain order.
pub type Chain = Vec<(u64, Vec<u8>)>;
/// What [`OpenHash::salvage`] finds: every readable `(key, value)`, and the positions that
/// could not be read.
pub type Salvaged = (Vec<(Vec<u8>, Vec<u8>)>, Vec<u64>);

const STATE_EMPTY: u8 = 0;
const STATE_USED: u8 = 1;
const KEY_OFFSET: usize = 18;

/// Control fields of the hash's control file.
pub const CON_COUNT: usize = 0;
pub const CON_LAST_ID: usize = 1;
pub const CON_BUCKETS: usize = 2;

/// An open hash in `data`, controlled by `control`. Keys are byte strings of at most
/// `key_cap` bytes (the caller normalises them); values are `value_len` bytes.
#[derive(Debug, Clone)]
pub struct OpenHash {
    pub data: &'static str,
    pub control: &'static str,
    pub key_cap: usize,
    pub value_len: usize,
}

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
    pub buckets: u64,
    pub records: u64,
    /// Records in the chain of each home bucket (home record included).
    pub chain_lengths: Vec<u64>,
    /// `chain_lengths` summed over consecutive blocks of `block_size` buckets.
    pub block_size: u64,
    pub blocks: Vec<u64>,
    pub load_factor: f64,
    pub longest_chain: u64,
    pub empty_buckets: u64,
    /// Pearson's chi-square of the per-bucket counts against a uniform spread.
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

impl OpenHash {
    /// The record files of this structure and their slot payload sizes.
    pub fn files(&self) -> Vec<(&'static str, u32)> {
        vec![(self.control, 8), (self.data, self.slot_size())]
    }

    fn slot_size(&self) -> u32 {
        (KEY_OFFSET + self.key_cap + self.value_len) as u32
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
        let mut d = Dec::new(b);
        let state = d.u8();
        d.skip(7);
        let next = d.u64();
        let klen = d.u16() as usize;
        if state > STATE_USED || klen > self.key_cap {
            return Err(StorageError::corrupt(
                self.data,
                format!("registro {pos} con estado {state} o clave de {klen} bytes"),
            ));
        }
        let key = b[KEY_OFFSET..KEY_OFFSET + klen].to_vec();
        let v0 = KEY_OFFSET + self.key_cap;
        Ok(Rec {
            used: state == STATE_USED,
            next,
            key,
            value: b[v0..v0 + self.value_len].to_vec(),
        })
    }

    fn load(&self, tx: &mut impl Tx, pos: u64) -> Result<Rec> {
        let p = tx.read(self.data, pos)?;
        self.decode(pos, &p)
    }

    fn store(&self, tx: &mut WriteTx, pos: u64, r: &Rec) -> Result<()> {
        tx.write(self.data, pos, &self.encode(r))
    }

    /// Creates both files with `buckets` home buckets (does nothing if they exist).
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
        let empty = self.encode(&Rec {
            used: false,
            next: NIL,
            key: vec![],
            value: vec![0; self.value_len],
        });
        for _ in 0..buckets {
            tx.alloc(self.data, &empty)?;
        }
        tx.set_control(self.control, CON_BUCKETS, buckets)?;
        Ok(())
    }

    /// MAX, the number of home buckets, from the control file: at least 1 and no more than the
    /// data file's slots (values read from disk are untrusted).
    pub fn buckets(&self, tx: &mut impl Tx) -> Result<u64> {
        let b = tx.control(self.control, CON_BUCKETS)?;
        let slots = tx.header(self.data)?.slot_count;
        if b == 0 || b > slots {
            return Err(StorageError::corrupt(
                self.control,
                format!("dice {b} baldes y {} tiene {slots} registros", self.data),
            ));
        }
        Ok(b)
    }

    pub fn len(&self, tx: &mut impl Tx) -> Result<u64> {
        tx.control(self.control, CON_COUNT)
    }

    /// The home bucket of `key`.
    pub fn home(&self, tx: &mut impl Tx, key: &[u8]) -> Result<u64> {
        Ok(fnv1a(key) % self.buckets(tx)?)
    }

    /// Finds `key`: its slot position and value.
    pub fn get(&self, tx: &mut impl Tx, key: &[u8]) -> Result<Option<(u64, Vec<u8>)>> {
        let mut pos = self.home(tx, key)?;
        let mut steps = 0u64;
        loop {
            let r = self.load(tx, pos)?;
            if !r.used {
                return Ok(None);
            }
            if r.key == key {
                return Ok(Some((pos, r.value)));
            }
            if r.next == NIL {
                return Ok(None);
            }
            pos = r.next;
            steps += 1;
            if steps > tx.header(self.data)?.slot_count {
                return Err(StorageError::corrupt(
                    self.data,
                    "cadena de colisiones con un ciclo",
                ));
            }
        }
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
        Ok(())
    }

    /// Inserts `key`. Returns its position, or `None` if the key is already present.
    pub fn insert(&self, tx: &mut WriteTx, key: &[u8], value: &[u8]) -> Result<Option<u64>> {
        self.check_sizes(key, value)?;
        if self.get(tx, key)?.is_some() {
            return Ok(None);
        }
        let home = self.home(tx, key)?;
        let mut h = self.load(tx, home)?;
        let rec = Rec {
            used: true,
            next: NIL,
            key: key.to_vec(),
            value: value.to_vec(),
        };
        let pos = if !h.used {
            self.store(
                tx,
                home,
                &Rec {
                    next: h.next,
                    ..rec
                },
            )?;
            home
        } else {
            let pos = tx.alloc(
                self.data,
                &self.encode(&Rec {
                    next: h.next,
                    ..rec
                }),
            )?;
            h.next = pos;
            self.store(tx, home, &h)?;
            pos
        };
        let n = self.len(tx)?;
        tx.set_control(self.control, CON_COUNT, n + 1)?;
        Ok(Some(pos))
    }

    /// Replaces the value of `key`. Returns false if absent.
    pub fn update(&self, tx: &mut WriteTx, key: &[u8], value: &[u8]) -> Result<bool> {
        self.check_sizes(key, value)?;
        let Some((pos, _)) = self.get(tx, key)? else {
            return Ok(false);
        };
        let mut r = self.load(tx, pos)?;
        r.value = value.to_vec();
        self.store(tx, pos, &r)?;
        Ok(true)
    }

    /// Deletes `key`; returns its value if it was present.
    pub fn remove(&self, tx: &mut WriteTx, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let home = self.home(tx, key)?;
        let limit = tx.header(self.data)?.slot_count;
        let mut prev: Option<(u64, Rec)> = None;
        let mut pos = home;
        let mut steps = 0u64;
        loop {
            steps += 1;
            if steps > limit {
                return Err(StorageError::corrupt(
                    self.data,
                    "cadena de colisiones con un ciclo",
                ));
            }
            let r = self.load(tx, pos)?;
            if !r.used {
                return Ok(None);
            }
            if r.key == key {
                let value = r.value.clone();
                match prev {
                    None if r.next == NIL => {
                        self.store(
                            tx,
                            pos,
                            &Rec {
                                used: false,
                                next: NIL,
                                key: vec![],
                                value: vec![0; self.value_len],
                            },
                        )?;
                    }
                    None => {
                        // Move the first overflow record into the home bucket.
                        let first = self.load(tx, r.next)?;
                        self.store(tx, pos, &first)?;
                        tx.release(self.data, r.next)?;
                    }
                    Some((ppos, mut p)) => {
                        p.next = r.next;
                        self.store(tx, ppos, &p)?;
                        tx.release(self.data, pos)?;
                    }
                }
                let n = self.len(tx)?;
                tx.set_control(self.control, CON_COUNT, n.saturating_sub(1))?;
                return Ok(Some(value));
            }
            if r.next == NIL {
                return Ok(None);
            }
            let next = r.next;
            prev = Some((pos, r));
            pos = next;
        }
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
        let buckets = self.buckets(tx)?;
        let limit = tx.header(self.data)?.slot_count;
        let mut out = Vec::with_capacity(buckets.min(limit) as usize);
        for b in 0..buckets {
            let mut chain = Vec::new();
            let mut pos = b;
            while pos != NIL && (chain.len() as u64) <= limit {
                let r = self.load(tx, pos)?;
                if !r.used {
                    break;
                }
                chain.push((pos, r.key));
                pos = r.next;
            }
            out.push(chain);
        }
        Ok(out)
    }

    /// Every record as (key, value), bucket by bucket.
    pub fn entries(&self, tx: &mut impl Tx) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        tx.prefetch(self.data)?;
        let n = tx.header(self.data)?.slot_count;
        let mut out = Vec::new();
        for pos in 0..n {
            if let Slot::Live(p) = tx.slot(self.data, pos)? {
                let r = self.decode(pos, &p)?;
                if r.used {
                    out.push((r.key, r.value));
                }
            }
        }
        Ok(out)
    }

    /// The dispersion test, with chains also summed in blocks of `block_size` buckets.
    pub fn dispersion(&self, tx: &mut impl Tx, block_size: u64) -> Result<Dispersion> {
        let chains = self.chains(tx)?;
        let lengths: Vec<u64> = chains.iter().map(|c| c.len() as u64).collect();
        Ok(Dispersion::from_lengths(lengths, block_size))
    }

    /// Verifies every invariant; returns the problems found.
    pub fn check(&self, tx: &mut impl Tx) -> Result<Problems> {
        let mut p = Problems::new(self.data);
        tx.prefetch(self.data)?;
        let buckets = self.buckets(tx)?;
        let n = tx.header(self.data)?.slot_count;
        if n < buckets {
            p.push(format!(
                "tiene {n} registros y debería tener al menos {buckets} baldes"
            ));
            return Ok(p);
        }
        let mut reached = vec![false; n as usize];
        let mut count = 0u64;
        let mut keys = HashSet::new();
        for b in 0..buckets {
            let mut pos = b;
            let mut first = true;
            while pos != NIL {
                if pos >= n {
                    p.push(format!("balde {b}: enlace fuera del archivo ({pos})"));
                    break;
                }
                if !first && pos < buckets {
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
                    if !first {
                        p.push(format!(
                            "balde {b}: registro vacío {pos} dentro de la cadena"
                        ));
                    } else if r.next != NIL {
                        p.push(format!("balde {b}: balde vacío con cadena"));
                    }
                    break;
                }
                count += 1;
                if fnv1a(&r.key) % buckets != b {
                    p.push(format!(
                        "posición {pos}: la clave no pertenece al balde {b}"
                    ));
                }
                if !keys.insert(r.key.clone()) {
                    p.push(format!("posición {pos}: clave repetida"));
                }
                first = false;
                pos = r.next;
            }
        }
        for pos in buckets..n {
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
        Ok(p)
    }
}

/// Repair (`ventalibre repair`): the chains are rebuilt from the records themselves.
impl OpenHash {
    /// Every record in a live slot of the data file, reachable from a chain or not, with the
    /// positions of slots that cannot be read.
    pub fn salvage(&self, tx: &mut impl Tx) -> Result<Salvaged> {
        let n = tx.header(self.data)?.slot_count;
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
    /// equal keys wins): every home bucket emptied, every overflow slot freed (unreadable ones
    /// too), the free list relinked, the records inserted again and the key count set.
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
        let empty = self.encode(&Rec {
            used: false,
            next: NIL,
            key: vec![],
            value: vec![0; self.value_len],
        });
        // Every slot freed (unreadable ones too), the free list relinked in position order:
        // the first `buckets` allocations are then the home buckets 0, 1, 2...
        tx.reset_slots(self.data, |_, _| false)?;
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
        tx.set_control(self.control, CON_COUNT, 0)?;
        for (k, v) in records {
            self.insert(tx, k, v)?;
        }
        Ok(())
    }
}

impl Dispersion {
    pub fn from_lengths(chain_lengths: Vec<u64>, block_size: u64) -> Dispersion {
        let buckets = chain_lengths.len() as u64;
        let records: u64 = chain_lengths.iter().sum();
        let block_size = block_size.max(1);
        let blocks = chain_lengths
            .chunks(block_size as usize)
            .map(|c| c.iter().sum())
            .collect();
        let expected = records as f64 / buckets.max(1) as f64;
        let chi_square = if records == 0 {
            0.0
        } else {
            chain_lengths
                .iter()
                .map(|&o| (o as f64 - expected).powi(2) / expected)
                .sum()
        };
        Dispersion {
            buckets,
            records,
            block_size,
            blocks,
            load_factor: expected,
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
}
