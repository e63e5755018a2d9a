//! `VENTALIBRE.CTL`, the share's control file: identity, catalog of files, and commit state.
//!
//! ```text
//! offset  size  region
//! 0       64    identity (written once, when the share is created)
//! 64      1024  catalog: which record files exist and their slot sizes (journaled)
//! 1536    64    commit state: change counter, Lamport clock, and where the redo log
//!               (`VENTALIBRE.LOG`) ends; written at the commit point of every commit and at
//!               each checkpoint (a *hot* state is left only by version-1 programs' rollback
//!               journal, `VENTALIBRE.JNL`, still rolled back on open)
//! ```
//! The catalog makes the existence of a file a fact read under the lock, not a directory
//! lookup: an SMB or NFS client may cache "file not found" for seconds.

use super::codec::{Dec, Enc};
use super::crc::crc32c;
use super::record::TAG_LEN;

pub const CTL_FILE: &str = "VENTALIBRE.CTL";
pub const IDENTITY_OFFSET: u64 = 0;
pub const IDENTITY_SIZE: usize = 64;
pub const CATALOG_OFFSET: u64 = 64;
pub const CATALOG_SIZE: usize = 1024;
pub const STATE_OFFSET: u64 = 1536;
pub const STATE_SIZE: usize = 64;
pub const CTL_SIZE: u64 = STATE_OFFSET + STATE_SIZE as u64;
pub const CATALOG_ENTRY_SIZE: usize = TAG_LEN + 8;
pub const CATALOG_MAX: usize = (CATALOG_SIZE - 8 - 4) / CATALOG_ENTRY_SIZE;

const IDENTITY_MAGIC: [u8; 8] = *b"VLSHARE\0";
const STATE_MAGIC: [u8; 8] = *b"VLSTATE\0";
/// 2: commits go through the redo log `VENTALIBRE.LOG` (the record files may lag behind it);
/// 1: every commit wrote the record files (a share of version 1 is taken as version 2 with an
/// empty log, and marked 2 by its first commit, so that older programs do not open it).
pub const SHARE_FORMAT_VERSION: u16 = 2;

/// Identity of a share (bytes 0..64).
///
/// ```text
/// 0  8  magic "VLSHARE\0"    8  2  format version   10 6 reserved
/// 16 8  share id (random)    24 8  created, Unix ms  32 28 reserved   60 4 CRC-32C of 0..60
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub share_id: u64,
    pub created_ms: i64,
}

impl Identity {
    pub fn encode(&self) -> [u8; IDENTITY_SIZE] {
        let mut b = [0u8; IDENTITY_SIZE];
        let mut e = Enc::new(&mut b);
        e.bytes(&IDENTITY_MAGIC)
            .u16(SHARE_FORMAT_VERSION)
            .zeros(6)
            .u64(self.share_id)
            .i64(self.created_ms);
        seal(&mut b);
        b
    }
    pub fn decode(b: &[u8]) -> Result<Identity, String> {
        Identity::decode_versioned(b).map(|(id, _)| id)
    }
    /// The identity and the format version it records (1 or 2).
    pub fn decode_versioned(b: &[u8]) -> Result<(Identity, u16), String> {
        if b[..8] != IDENTITY_MAGIC {
            return Err(
                "no es una carpeta de VentaLibre (número mágico incorrecto en la identidad)".into(),
            );
        }
        let version = u16::from_le_bytes([b[8], b[9]]);
        if !(1..=SHARE_FORMAT_VERSION).contains(&version) {
            return Err(format!(
                "versión de formato {version} desconocida (se espera {SHARE_FORMAT_VERSION})"
            ));
        }
        if !sealed(b) {
            return Err("la suma de verificación de la identidad no coincide".into());
        }
        let mut d = Dec::at(b, 16);
        Ok((
            Identity {
                share_id: d.u64(),
                created_ms: d.i64(),
            },
            version,
        ))
    }
}

/// One record file of the share.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CatalogEntry {
    pub name: String,
    pub slot_size: u32,
}

/// The list of record files (bytes 64..1088).
///
/// ```text
/// 0  4  entry count   4 4 reserved
/// 8  24 × 42 entries: name (16 bytes ASCII, zero padded), slot size u32, reserved u32
/// 1020 4 CRC-32C of bytes 0..1020 of the region
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    pub entries: Vec<CatalogEntry>,
}

impl Catalog {
    pub fn get(&self, name: &str) -> Option<&CatalogEntry> {
        self.entries.iter().find(|e| e.name == name)
    }
    pub fn encode(&self) -> Vec<u8> {
        let mut b = vec![0u8; CATALOG_SIZE];
        let mut e = Enc::new(&mut b);
        e.u32(self.entries.len() as u32).u32(0);
        for entry in &self.entries {
            e.str_lossy(&entry.name, TAG_LEN)
                .u32(entry.slot_size)
                .u32(0);
        }
        seal(&mut b);
        b
    }
    pub fn decode(b: &[u8]) -> Result<Catalog, String> {
        if !sealed(b) {
            return Err("la suma de verificación del catálogo de archivos no coincide".into());
        }
        let mut d = Dec::new(b);
        let n = d.u32() as usize;
        d.skip(4);
        if n > CATALOG_MAX {
            return Err(format!(
                "el catálogo dice tener {n} archivos (máximo {CATALOG_MAX})"
            ));
        }
        let entries = (0..n)
            .map(|_| {
                let name = d.str(TAG_LEN);
                let slot_size = d.u32();
                d.skip(4);
                CatalogEntry { name, slot_size }
            })
            .collect();
        Ok(Catalog { entries })
    }
}

/// Whether a commit is in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Idle,
    /// The journal holds the original bytes of a commit that has not reached its commit point.
    Hot,
}

/// The commit state (bytes 1536..1600).
///
/// ```text
/// 0  8 magic "VLSTATE\0"   8 4 phase (0 idle, 1 hot)   12 4 reserved
/// 16 8 change counter      24 8 Lamport clock
/// 32 8 log generation (idle; 0 = empty log) or journal nonce (hot)
/// 40 8 end of the log's valid frames (idle) or journal length (hot)
/// 48 4 body CRC-32C of the log's last frame (idle) or of the journal (hot)
/// 52 8 reserved            60 4 CRC-32C of bytes 0..60
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitState {
    pub phase: Phase,
    pub counter: u64,
    pub lamport: u64,
    pub nonce: u64,
    pub journal_len: u64,
    pub journal_crc: u32,
}

impl CommitState {
    pub fn idle(counter: u64, lamport: u64) -> CommitState {
        CommitState {
            phase: Phase::Idle,
            counter,
            lamport,
            nonce: 0,
            journal_len: 0,
            journal_crc: 0,
        }
    }
    /// The idle state after a commit through the redo log: the log of `generation` holds valid
    /// frames up to `log_end`, the last with body checksum `last_crc`.
    pub fn logged(
        counter: u64,
        lamport: u64,
        generation: u64,
        log_end: u64,
        last_crc: u32,
    ) -> CommitState {
        CommitState {
            phase: Phase::Idle,
            counter,
            lamport,
            nonce: generation,
            journal_len: log_end,
            journal_crc: last_crc,
        }
    }
    pub fn encode(&self) -> [u8; STATE_SIZE] {
        let mut b = [0u8; STATE_SIZE];
        let mut e = Enc::new(&mut b);
        e.bytes(&STATE_MAGIC)
            .u32(if self.phase == Phase::Hot { 1 } else { 0 })
            .u32(0);
        e.u64(self.counter)
            .u64(self.lamport)
            .u64(self.nonce)
            .u64(self.journal_len)
            .u32(self.journal_crc);
        seal(&mut b);
        b
    }
    /// `None` when the record is torn or damaged.
    pub fn decode(b: &[u8]) -> Option<CommitState> {
        if b[..8] != STATE_MAGIC || !sealed(b) {
            return None;
        }
        let mut d = Dec::at(b, 8);
        let phase = match d.u32() {
            0 => Phase::Idle,
            1 => Phase::Hot,
            _ => return None,
        };
        d.skip(4);
        Some(CommitState {
            phase,
            counter: d.u64(),
            lamport: d.u64(),
            nonce: d.u64(),
            journal_len: d.u64(),
            journal_crc: d.u32(),
        })
    }
}

/// Writes the CRC-32C of all but the last 4 bytes into the last 4 bytes.
fn seal(b: &mut [u8]) {
    let n = b.len() - 4;
    let crc = crc32c(&b[..n]);
    b[n..].copy_from_slice(&crc.to_le_bytes());
}

fn sealed(b: &[u8]) -> bool {
    let n = b.len() - 4;
    u32::from_le_bytes(b[n..].try_into().expect("4 bytes")) == crc32c(&b[..n])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_round_trip() {
        let id = Identity {
            share_id: 42,
            created_ms: 7,
        };
        assert_eq!(Identity::decode(&id.encode()).unwrap(), id);
        let cat = Catalog {
            entries: vec![CatalogEntry {
                name: "USUARIOS.DAT".into(),
                slot_size: 300,
            }],
        };
        assert_eq!(Catalog::decode(&cat.encode()).unwrap(), cat);
        let st = CommitState {
            phase: Phase::Hot,
            counter: 9,
            lamport: 11,
            nonce: 5,
            journal_len: 99,
            journal_crc: 3,
        };
        assert_eq!(CommitState::decode(&st.encode()), Some(st));
        let mut torn = st.encode();
        torn[20] ^= 1;
        assert_eq!(CommitState::decode(&torn), None);
        assert!(CATALOG_MAX >= 40);
    }
}
