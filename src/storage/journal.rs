//! The rollback journal `VENTALIBRE.JNL`: the original bytes of everything a commit overwrites.
//!
//! ```text
//! header (64 bytes)
//! 0  8  magic "VLJOURNL"      8  2 version (1)     10 2 reserved    12 4 file count
//! 16 8  nonce (equals the commit state's nonce while the journal is hot)
//! 24 8  change counter before the commit    32 8 Lamport clock before the commit
//! 40 8  body length           48 4 body CRC-32C   52 8 reserved    60 4 CRC-32C of 0..60
//! body, for each file:
//!   16  name (ASCII, zero padded)
//!   8   original length of the file in bytes (0 = the commit creates it)
//!   4   region count
//!   per region: 8 offset, 4 length, then the original bytes
//! ```
//! The journal is never trusted by its size or existence: it is valid only if its header and
//! body checksums match and its nonce equals the one in the hot commit state of `VENTALIBRE.CTL`.

use super::codec::{Dec, Enc};
use super::crc::crc32c;
use super::record::TAG_LEN;

pub const JOURNAL_FILE: &str = "VENTALIBRE.JNL";
pub const JOURNAL_HEADER_SIZE: usize = 64;
const JOURNAL_MAGIC: [u8; 8] = *b"VLJOURNL";
const JOURNAL_VERSION: u16 = 1;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalFile {
    pub name: String,
    pub original_len: u64,
    pub regions: Vec<(u64, Vec<u8>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Journal {
    pub nonce: u64,
    pub counter_before: u64,
    pub lamport_before: u64,
    pub files: Vec<JournalFile>,
}

impl Journal {
    /// The whole journal file: header then body.
    pub fn encode(&self) -> Vec<u8> {
        let body_len: usize = self
            .files
            .iter()
            .map(|f| TAG_LEN + 8 + 4 + f.regions.iter().map(|(_, b)| 12 + b.len()).sum::<usize>())
            .sum();
        let mut out = vec![0u8; JOURNAL_HEADER_SIZE + body_len];
        {
            let mut e = Enc::at(&mut out, JOURNAL_HEADER_SIZE);
            for f in &self.files {
                e.str_lossy(&f.name, TAG_LEN)
                    .u64(f.original_len)
                    .u32(f.regions.len() as u32);
                for (off, bytes) in &f.regions {
                    e.u64(*off).u32(bytes.len() as u32).bytes(bytes);
                }
            }
        }
        let body_crc = crc32c(&out[JOURNAL_HEADER_SIZE..]);
        let mut e = Enc::new(&mut out);
        e.bytes(&JOURNAL_MAGIC)
            .u16(JOURNAL_VERSION)
            .u16(0)
            .u32(self.files.len() as u32);
        e.u64(self.nonce)
            .u64(self.counter_before)
            .u64(self.lamport_before);
        e.u64(body_len as u64).u32(body_crc).zeros(8);
        let crc = crc32c(&out[..JOURNAL_HEADER_SIZE - 4]);
        out[JOURNAL_HEADER_SIZE - 4..JOURNAL_HEADER_SIZE].copy_from_slice(&crc.to_le_bytes());
        out
    }

    /// Decodes the header only: (file count, nonce, counter, lamport, body length, body crc).
    pub fn decode_header(b: &[u8]) -> Result<JournalHeader, String> {
        if b.len() < JOURNAL_HEADER_SIZE || b[..8] != JOURNAL_MAGIC {
            return Err("el diario no tiene una cabecera válida".into());
        }
        let crc = u32::from_le_bytes(b[60..64].try_into().expect("4 bytes"));
        if crc != crc32c(&b[..60]) {
            return Err("la suma de verificación de la cabecera del diario no coincide".into());
        }
        let mut d = Dec::at(b, 8);
        if d.u16() != JOURNAL_VERSION {
            return Err("versión de diario desconocida".into());
        }
        d.skip(2);
        Ok(JournalHeader {
            file_count: d.u32(),
            nonce: d.u64(),
            counter_before: d.u64(),
            lamport_before: d.u64(),
            body_len: d.u64(),
            body_crc: d.u32(),
        })
    }

    /// Decodes a body whose checksum the caller has verified against the header.
    pub fn decode(h: &JournalHeader, body: &[u8]) -> Result<Journal, String> {
        if crc32c(body) != h.body_crc {
            return Err("la suma de verificación del cuerpo del diario no coincide".into());
        }
        let mut files = Vec::with_capacity(h.file_count as usize);
        let mut d = Dec::new(body);
        let need = |d: &Dec, n: usize| {
            if d.position() + n > body.len() {
                Err("el diario termina antes de tiempo".to_string())
            } else {
                Ok(())
            }
        };
        for _ in 0..h.file_count {
            need(&d, TAG_LEN + 12)?;
            let name = d.str(TAG_LEN);
            let original_len = d.u64();
            let n = d.u32();
            let mut regions = Vec::new();
            for _ in 0..n {
                need(&d, 12)?;
                let off = d.u64();
                let len = d.u32() as usize;
                need(&d, len)?;
                regions.push((off, d.bytes(len).to_vec()));
            }
            files.push(JournalFile {
                name,
                original_len,
                regions,
            });
        }
        Ok(Journal {
            nonce: h.nonce,
            counter_before: h.counter_before,
            lamport_before: h.lamport_before,
            files,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JournalHeader {
    pub file_count: u32,
    pub nonce: u64,
    pub counter_before: u64,
    pub lamport_before: u64,
    pub body_len: u64,
    pub body_crc: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_round_trip_and_damage() {
        let j = Journal {
            nonce: 77,
            counter_before: 3,
            lamport_before: 8,
            files: vec![
                JournalFile {
                    name: "VENTAS.DAT".into(),
                    original_len: 512,
                    regions: vec![(0, vec![1; 256]), (300, vec![2; 40])],
                },
                JournalFile {
                    name: "NUEVO.DAT".into(),
                    original_len: 0,
                    regions: vec![],
                },
            ],
        };
        let b = j.encode();
        let h = Journal::decode_header(&b).unwrap();
        assert_eq!(Journal::decode(&h, &b[JOURNAL_HEADER_SIZE..]).unwrap(), j);
        let mut bad = b.clone();
        *bad.last_mut().unwrap() ^= 0xFF;
        assert!(Journal::decode(&h, &bad[JOURNAL_HEADER_SIZE..]).is_err());
        assert!(Journal::decode_header(&[0u8; 64]).is_err());
    }
}
