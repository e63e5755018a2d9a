//! The redo log `VENTALIBRE.LOG`: the new bytes of every commit since the last checkpoint.
//!
//! A commit appends one *frame* (the new header and changed slots of every file it changes,
//! and the new catalog when that changed), fsyncs the log, then writes the commit state of
//! `VENTALIBRE.CTL` (log generation and the end of the last frame) and fsyncs that: two fsyncs
//! whatever the number of files. The record files are not written at commit; every terminal
//! reads the frames between the end it knows and the end the commit state gives (one read of
//! the new bytes) and keeps them as an overlay in front of the files ([`LogOverlay`]). Now and
//! then a writer *checkpoints*: writes the overlay into the files, fsyncs them, and starts a
//! new generation (commit state with generation 0: the log is empty).
//!
//! ```text
//! frame header (64 bytes)
//! 0  8  magic "VLFRAME\0"   8 2 version (1)   10 2 flags (bit 0: a catalog follows)
//! 12 4  file count
//! 16 8  log generation      24 8 change counter this commit makes   32 8 Lamport clock
//! 40 8  body length         48 4 body CRC-32C   52 8 reserved        60 4 CRC-32C of 0..60
//! body
//!   [1024  the new catalog, if flag bit 0]
//!   per file: 16 name (ASCII, zero padded), 4 flags (bit 0: the commit creates the file),
//!             256 new header, 4 slot count, then per slot: 8 position, the slot as on disk
//! ```
//! Frames are trusted only by checksum, generation and position: the commit state says where
//! the valid frames end, and a frame past that end (a commit cut off before its commit point)
//! is ignored and overwritten by the next commit.

use std::collections::BTreeMap;

use crate::storage::fasthash::HashMap;

use super::codec::{Dec, Enc};
use super::crc::crc32c;
use super::ctl::{CATALOG_SIZE, Catalog};
use super::record::{HEADER_SIZE, Header, Slot, TAG_LEN, decode_slot, encode_slot};

pub const LOG_FILE: &str = "VENTALIBRE.LOG";
pub const FRAME_HEADER_SIZE: usize = 64;
const FRAME_MAGIC: [u8; 8] = *b"VLFRAME\0";
const FRAME_VERSION: u16 = 1;
/// A writer checkpoints once the log passes this size (and after a catalog change).
pub const CHECKPOINT_BYTES: u64 = 512 << 10;
/// No log is read whole past this size (a damaged commit state could claim anything).
pub const MAX_LOG_BYTES: u64 = 1 << 31;

/// What one commit changed in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub name: String,
    /// The commit creates the file (it starts empty, whatever is on disk under that name).
    pub created: bool,
    pub header: Header,
    pub slots: BTreeMap<u64, Slot>,
}

/// One commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub generation: u64,
    pub counter: u64,
    pub lamport: u64,
    pub catalog: Option<Catalog>,
    pub files: Vec<FileChange>,
}

impl Frame {
    pub fn encode(&self) -> Vec<u8> {
        let mut body_len = if self.catalog.is_some() {
            CATALOG_SIZE
        } else {
            0
        };
        for f in &self.files {
            body_len += TAG_LEN + 4 + HEADER_SIZE + 4;
            body_len += f.slots.len() * (8 + f.header.stride() as usize);
        }
        let mut out = vec![0u8; FRAME_HEADER_SIZE + body_len];
        let mut at = FRAME_HEADER_SIZE;
        if let Some(c) = &self.catalog {
            out[at..at + CATALOG_SIZE].copy_from_slice(&c.encode());
            at += CATALOG_SIZE;
        }
        for f in &self.files {
            {
                let mut e = Enc::at(&mut out, at);
                e.str_lossy(&f.name, TAG_LEN).u32(u32::from(f.created));
            }
            at += TAG_LEN + 4;
            out[at..at + HEADER_SIZE].copy_from_slice(&f.header.encode());
            at += HEADER_SIZE;
            out[at..at + 4].copy_from_slice(&(f.slots.len() as u32).to_le_bytes());
            at += 4;
            for (&pos, slot) in &f.slots {
                out[at..at + 8].copy_from_slice(&pos.to_le_bytes());
                at += 8;
                let raw = encode_slot(pos, f.header.slot_size, slot);
                out[at..at + raw.len()].copy_from_slice(&raw);
                at += raw.len();
            }
        }
        debug_assert_eq!(at, out.len());
        let body_crc = crc32c(&out[FRAME_HEADER_SIZE..]);
        let mut e = Enc::new(&mut out);
        e.bytes(&FRAME_MAGIC)
            .u16(FRAME_VERSION)
            .u16(u16::from(self.catalog.is_some()))
            .u32(self.files.len() as u32);
        e.u64(self.generation).u64(self.counter).u64(self.lamport);
        e.u64(body_len as u64).u32(body_crc).zeros(8);
        let crc = crc32c(&out[..FRAME_HEADER_SIZE - 4]);
        out[FRAME_HEADER_SIZE - 4..FRAME_HEADER_SIZE].copy_from_slice(&crc.to_le_bytes());
        out
    }

    /// Decodes the frame at the start of `b`: the frame and its length in bytes, or why the
    /// bytes there are not a whole, valid frame.
    pub fn decode(b: &[u8]) -> Result<(Frame, usize), String> {
        if b.len() < FRAME_HEADER_SIZE || b[..8] != FRAME_MAGIC {
            return Err("no hay una cabecera de confirmación válida".into());
        }
        let crc = u32::from_le_bytes(b[60..64].try_into().expect("4 bytes"));
        if crc != crc32c(&b[..60]) {
            return Err("la suma de verificación de una cabecera no coincide".into());
        }
        let mut d = Dec::at(b, 8);
        if d.u16() != FRAME_VERSION {
            return Err("versión de confirmación desconocida".into());
        }
        let flags = d.u16();
        let file_count = d.u32() as usize;
        let (generation, counter, lamport) = (d.u64(), d.u64(), d.u64());
        let body_len = d.u64();
        let body_crc = d.u32();
        if body_len > (b.len() - FRAME_HEADER_SIZE) as u64 {
            return Err("una confirmación termina antes de tiempo".into());
        }
        let body = &b[FRAME_HEADER_SIZE..FRAME_HEADER_SIZE + body_len as usize];
        if crc32c(body) != body_crc {
            return Err("la suma de verificación de una confirmación no coincide".into());
        }
        let short = || "una confirmación termina antes de tiempo".to_string();
        let mut at = 0usize;
        let take = |at: &mut usize, n: usize| -> Result<&[u8], String> {
            let s = body.get(*at..*at + n).ok_or_else(short)?;
            *at += n;
            Ok(s)
        };
        let catalog = if flags & 1 != 0 {
            Some(Catalog::decode(take(&mut at, CATALOG_SIZE)?)?)
        } else {
            None
        };
        let mut files = Vec::with_capacity(file_count.min(1024));
        for _ in 0..file_count {
            let mut d = Dec::new(take(&mut at, TAG_LEN + 4)?);
            let name = d.str(TAG_LEN);
            let created = d.u32() & 1 != 0;
            let header = Header::decode(take(&mut at, HEADER_SIZE)?)?;
            let n = u32::from_le_bytes(take(&mut at, 4)?.try_into().expect("4 bytes")) as usize;
            let stride = header.stride() as usize;
            let mut slots = BTreeMap::new();
            for _ in 0..n {
                let pos = u64::from_le_bytes(take(&mut at, 8)?.try_into().expect("8 bytes"));
                if pos >= header.slot_count {
                    return Err(format!("{name}: registro {pos} fuera del archivo"));
                }
                let slot = decode_slot(pos, take(&mut at, stride)?)?;
                slots.insert(pos, slot);
            }
            files.push(FileChange {
                name,
                created,
                header,
                slots,
            });
        }
        if at != body.len() {
            return Err("una confirmación tiene bytes de más".into());
        }
        Ok((
            Frame {
                generation,
                counter,
                lamport,
                catalog,
                files,
            },
            FRAME_HEADER_SIZE + body_len as usize,
        ))
    }
}

/// The body checksum a frame's header records (the commit state keeps the last one's).
pub fn body_crc_of(frame_bytes: &[u8]) -> u32 {
    u32::from_le_bytes(frame_bytes[48..52].try_into().expect("4 bytes"))
}

/// The frames of generation `generation` that tile `b` exactly (the bytes between two ends the
/// commit state gave), each with where it ends in `b` and its body checksum; or why they do not.
pub fn frames_in(b: &[u8], generation: u64) -> Result<Vec<(Frame, usize, u32)>, String> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while at < b.len() {
        let (f, len) = Frame::decode(&b[at..])?;
        if f.generation != generation {
            return Err("una confirmación de otra generación del registro".into());
        }
        let crc = body_crc_of(&b[at..]);
        at += len;
        out.push((f, at, crc));
    }
    Ok(out)
}

/// The chain of frames a log holds from its start when the commit state that says where it
/// ends is lost: the frames of the first frame's generation with consecutive counters, up to
/// the first that is not whole (a later commit of the same generation never leaves an earlier
/// one behind it, and a new generation starts at the beginning of the file).
pub fn chain_from_start(b: &[u8]) -> Vec<Frame> {
    let mut out: Vec<Frame> = Vec::new();
    let mut at = 0usize;
    while at < b.len() {
        let Ok((f, len)) = Frame::decode(&b[at..]) else {
            break;
        };
        if let Some(last) = out.last()
            && (f.generation != last.generation || f.counter != last.counter + 1)
        {
            break;
        }
        out.push(f);
        at += len;
    }
    out
}

/// The newest bytes of every file changed since the last checkpoint, as the log says: read in
/// front of the record files.
#[derive(Debug, Default, Clone)]
pub struct LogOverlay {
    /// 0: no log (the files hold everything).
    pub generation: u64,
    /// Where the frames applied so far end.
    pub end: u64,
    pub frames: u64,
    pub catalog: Option<Catalog>,
    pub files: HashMap<String, LoggedFile>,
}

#[derive(Debug, Clone)]
pub struct LoggedFile {
    /// Created in this generation: nothing of it is on disk to read.
    pub created: bool,
    pub header: Header,
    pub slots: HashMap<u64, Slot>,
}

impl LogOverlay {
    /// Lays `frame` over the overlay. Its cost is the frame's size: the slots move in, and the
    /// overlay's older slots of a file are only walked when the frame shrinks that file.
    pub fn apply(&mut self, frame: Frame, end: u64) {
        self.generation = frame.generation;
        self.end = end;
        self.frames += 1;
        if let Some(c) = frame.catalog {
            self.catalog = Some(c);
        }
        for f in frame.files {
            let lf = self.files.entry(f.name).or_insert_with(|| LoggedFile {
                created: f.created,
                header: f.header.clone(),
                slots: HashMap::default(),
            });
            if f.created {
                lf.created = true;
                lf.slots.clear();
            }
            let count = f.header.slot_count;
            if count < lf.header.slot_count {
                lf.slots.retain(|&p, _| p < count);
            }
            lf.header = f.header;
            lf.slots.extend(f.slots);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.generation == 0
    }

    pub fn slot(&self, file: &str, pos: u64) -> Option<&Slot> {
        self.files.get(file)?.slots.get(&pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::ctl::CatalogEntry;
    use crate::storage::record::FreeHome;

    fn frame(generation: u64, counter: u64) -> Frame {
        let mut h = Header::new("A.DAT", 8, FreeHome::Own, 5);
        h.slot_count = 3;
        let mut slots = BTreeMap::new();
        slots.insert(0, Slot::Live(vec![1u8; 8].into()));
        slots.insert(2, Slot::Free { next: 7 });
        Frame {
            generation,
            counter,
            lamport: counter * 2,
            catalog: Some(Catalog {
                entries: vec![CatalogEntry {
                    name: "A.DAT".into(),
                    slot_size: 8,
                }],
            }),
            files: vec![FileChange {
                name: "A.DAT".into(),
                created: counter == 1,
                header: h,
                slots,
            }],
        }
    }

    #[test]
    fn frames_round_trip_and_refuse_damage() {
        let a = frame(9, 1);
        let b = frame(9, 2);
        let mut log = a.encode();
        log.extend(b.encode());
        let got: Vec<Frame> = frames_in(&log, 9)
            .unwrap()
            .into_iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(got, vec![a.clone(), b.clone()]);
        assert!(frames_in(&log, 8).is_err(), "another generation");
        assert!(frames_in(&log[..log.len() - 1], 9).is_err(), "cut short");
        for i in [3usize, 20, 64, 70, log.len() - 3] {
            let mut bad = log.clone();
            bad[i] ^= 0x10;
            assert!(frames_in(&bad, 9).is_err(), "byte {i} flipped");
        }
        // Recovery without a commit state: the chain stops at a stale or torn frame.
        let mut stale = log.clone();
        stale.extend(frame(9, 1).encode());
        assert_eq!(chain_from_start(&stale).len(), 2);
        let mut torn = log.clone();
        torn.extend(&frame(9, 3).encode()[..50]);
        assert_eq!(chain_from_start(&torn).len(), 2);
        let mut other = log.clone();
        other.extend(frame(4, 3).encode());
        assert_eq!(chain_from_start(&other).len(), 2);
    }

    #[test]
    fn the_overlay_keeps_the_newest_bytes_and_forgets_cut_off_slots() {
        let mut o = LogOverlay::default();
        o.apply(frame(9, 1), 10);
        let mut f2 = frame(9, 2);
        f2.files[0].header.slot_count = 1;
        f2.files[0].slots.clear();
        f2.catalog = None;
        o.apply(f2, 20);
        assert_eq!(o.end, 20);
        assert!(o.catalog.is_some());
        let lf = &o.files["A.DAT"];
        assert!(lf.created);
        assert_eq!(lf.header.slot_count, 1);
        assert!(o.slot("A.DAT", 2).is_none(), "cut off by the shrink");
        assert!(o.slot("A.DAT", 0).is_some());
    }
}
