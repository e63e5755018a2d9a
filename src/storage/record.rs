//! The fixed-slot record file: a 256-byte header followed by slots of one size.
//!
//! ```text
//! offset  size  field
//! 0       8     magic "VLRECORD"
//! 8       2     format version (1)
//! 10      2     header size (256)
//! 12      4     slot payload size in bytes
//! 16      8     slot count (positions 0..count exist)
//! 24      8     free-list head (NIL = u64::MAX)      \ unused (NIL / 0) when the free list
//! 32      8     free-list length                    / lives in another file's control area
//! 40      8     live slot count
//! 48      8     change counter: the share counter of the last commit that changed the file
//! 56      8     Lamport time of that commit
//! 64      8     created, Unix milliseconds (i64)
//! 72      16    tag: the file's own name, ASCII, zero padded (a misplaced file is detected)
//! 88      16    free-list home: name of the file whose control area holds the free-list head
//!               (empty = this header)
//! 104     2     free-list home field: index of the head in that control area (length at +1)
//! 106     6     reserved, zero
//! 112     128   control area: 16 little-endian u64 fields, meaning given by the ME layer
//! 240     12    reserved, zero
//! 252     4     CRC-32C of bytes 0..252
//! ```
//!
//! Slot `p` starts at `256 + p * (8 + slot_size)`:
//!
//! ```text
//! 0   4   CRC-32C of (p as u64 LE) followed by bytes 4..stride of the slot
//! 4   1   state: 1 = live, 2 = free (0 = never written: corrupt if inside the count)
//! 5   3   reserved, zero
//! 8   n   payload; in a free slot the first 8 bytes are the next free position (NIL ends)
//! ```

use super::codec::{Dec, Enc};
use super::crc::{crc32c, crc32c_append};

pub const MAGIC: [u8; 8] = *b"VLRECORD";
pub const FORMAT_VERSION: u16 = 1;
pub const HEADER_SIZE: usize = 256;
pub const SLOT_PREFIX: usize = 8;
pub const CONTROL_FIELDS: usize = 16;
pub const TAG_LEN: usize = 16;
/// "No position": end of a free list, empty child pointer, and so on.
pub const NIL: u64 = u64::MAX;

pub const VERSION_OFFSET: usize = MAGIC.len();
pub const HEADER_SIZE_OFFSET: usize = VERSION_OFFSET + 2;
pub const SLOT_SIZE_OFFSET: usize = HEADER_SIZE_OFFSET + 2;
pub const SLOT_COUNT_OFFSET: usize = SLOT_SIZE_OFFSET + 4;
pub const FREE_HEAD_OFFSET: usize = SLOT_COUNT_OFFSET + 8;
pub const FREE_COUNT_OFFSET: usize = FREE_HEAD_OFFSET + 8;
pub const LIVE_COUNT_OFFSET: usize = FREE_COUNT_OFFSET + 8;
pub const CHANGE_COUNTER_OFFSET: usize = LIVE_COUNT_OFFSET + 8;
pub const LAMPORT_OFFSET: usize = CHANGE_COUNTER_OFFSET + 8;
pub const CREATED_OFFSET: usize = LAMPORT_OFFSET + 8;
pub const TAG_OFFSET: usize = CREATED_OFFSET + 8;
pub const FREE_HOME_TAG_OFFSET: usize = TAG_OFFSET + TAG_LEN;
pub const FREE_HOME_FIELD_OFFSET: usize = FREE_HOME_TAG_OFFSET + TAG_LEN;
pub const CONTROL_OFFSET: usize = FREE_HOME_FIELD_OFFSET + 8;
pub const HEADER_CRC_OFFSET: usize = HEADER_SIZE - 4;
const _: () = assert!(CONTROL_OFFSET == 112);
const _: () = assert!(CONTROL_OFFSET + CONTROL_FIELDS * 8 <= HEADER_CRC_OFFSET);

pub const SLOT_LIVE: u8 = 1;
pub const SLOT_FREE: u8 = 2;

/// Where a file's free list is anchored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FreeHome {
    /// In the file's own header (`free-list head` / `free-list length`).
    Own,
    /// In field `field` (head) and `field + 1` (length) of another file's control area, as
    /// the spec's PUBLICADOS.CON keeps "Borrados Índice 1/2".
    Control { file: String, field: u16 },
}

/// The decoded header of a record file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub slot_size: u32,
    pub slot_count: u64,
    pub free_head: u64,
    pub free_count: u64,
    pub live_count: u64,
    pub change_counter: u64,
    pub lamport: u64,
    pub created_ms: i64,
    pub tag: String,
    pub free_home: FreeHome,
    pub control: [u64; CONTROL_FIELDS],
}

impl Header {
    pub fn new(tag: &str, slot_size: u32, free_home: FreeHome, created_ms: i64) -> Header {
        Header {
            slot_size,
            slot_count: 0,
            free_head: NIL,
            free_count: 0,
            live_count: 0,
            change_counter: 0,
            lamport: 0,
            created_ms,
            tag: tag.to_string(),
            free_home,
            control: [0; CONTROL_FIELDS],
        }
    }

    /// Bytes per slot on disk (prefix + payload).
    pub fn stride(&self) -> u64 {
        SLOT_PREFIX as u64 + self.slot_size as u64
    }

    /// Offset of slot `pos`.
    pub fn slot_offset(&self, pos: u64) -> u64 {
        HEADER_SIZE as u64 + pos * self.stride()
    }

    /// Length in bytes of the file as the header describes it.
    pub fn file_len(&self) -> u64 {
        self.slot_offset(self.slot_count)
    }

    pub fn encode(&self) -> [u8; HEADER_SIZE] {
        let mut b = [0u8; HEADER_SIZE];
        let mut e = Enc::new(&mut b);
        e.bytes(&MAGIC)
            .u16(FORMAT_VERSION)
            .u16(HEADER_SIZE as u16)
            .u32(self.slot_size);
        e.u64(self.slot_count)
            .u64(self.free_head)
            .u64(self.free_count)
            .u64(self.live_count);
        e.u64(self.change_counter)
            .u64(self.lamport)
            .i64(self.created_ms);
        e.str_lossy(&self.tag, TAG_LEN);
        match &self.free_home {
            FreeHome::Own => {
                e.zeros(TAG_LEN).u16(0);
            }
            FreeHome::Control { file, field } => {
                e.str_lossy(file, TAG_LEN).u16(*field);
            }
        }
        e.zeros(6);
        for v in self.control {
            e.u64(v);
        }
        let crc = crc32c(&b[..HEADER_CRC_OFFSET]);
        b[HEADER_CRC_OFFSET..].copy_from_slice(&crc.to_le_bytes());
        b
    }

    /// Decodes and verifies a header; the error text says what is wrong.
    pub fn decode(b: &[u8]) -> Result<Header, String> {
        if b.len() < HEADER_SIZE {
            return Err(format!(
                "cabecera truncada ({} de {HEADER_SIZE} bytes)",
                b.len()
            ));
        }
        if b[..8] != MAGIC {
            return Err(
                "no es un archivo de registros de VentaLibre (número mágico incorrecto)".into(),
            );
        }
        let mut d = Dec::at(b, VERSION_OFFSET);
        let version = d.u16();
        if version != FORMAT_VERSION {
            return Err(format!(
                "versión de formato {version} desconocida (se espera {FORMAT_VERSION})"
            ));
        }
        let stored = u32::from_le_bytes(
            b[HEADER_CRC_OFFSET..HEADER_SIZE]
                .try_into()
                .expect("4 bytes"),
        );
        if stored != crc32c(&b[..HEADER_CRC_OFFSET]) {
            return Err("la suma de verificación de la cabecera no coincide".into());
        }
        let header_size = d.u16();
        if header_size as usize != HEADER_SIZE {
            return Err(format!("tamaño de cabecera {header_size} inválido"));
        }
        let slot_size = d.u32();
        let slot_count = d.u64();
        let free_head = d.u64();
        let free_count = d.u64();
        let live_count = d.u64();
        let change_counter = d.u64();
        let lamport = d.u64();
        let created_ms = d.i64();
        let tag = d.str(TAG_LEN);
        let home = d.str(TAG_LEN);
        let field = d.u16();
        d.skip(6);
        let mut control = [0u64; CONTROL_FIELDS];
        for c in control.iter_mut() {
            *c = d.u64();
        }
        if !home.is_empty() && field as usize + 1 >= CONTROL_FIELDS {
            return Err(format!(
                "la lista de libres apunta al campo de control {field} (fuera de rango)"
            ));
        }
        let free_home = if home.is_empty() {
            FreeHome::Own
        } else {
            FreeHome::Control { file: home, field }
        };
        if slot_size == 0 && slot_count > 0 {
            return Err("archivo sin tamaño de registro pero con registros".into());
        }
        Ok(Header {
            slot_size,
            slot_count,
            free_head,
            free_count,
            live_count,
            change_counter,
            lamport,
            created_ms,
            tag,
            free_home,
            control,
        })
    }
}

/// What one slot holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    Live(std::sync::Arc<[u8]>),
    Free { next: u64 },
}

/// Encodes slot `pos` of a file whose payload size is `slot_size`.
pub fn encode_slot(pos: u64, slot_size: u32, slot: &Slot) -> Vec<u8> {
    let mut b = vec![0u8; SLOT_PREFIX + slot_size as usize];
    match slot {
        Slot::Live(p) => {
            b[4] = SLOT_LIVE;
            b[SLOT_PREFIX..SLOT_PREFIX + p.len()].copy_from_slice(p);
        }
        Slot::Free { next } => {
            b[4] = SLOT_FREE;
            b[SLOT_PREFIX..SLOT_PREFIX + 8].copy_from_slice(&next.to_le_bytes());
        }
    }
    let crc = crc32c_append(crc32c(&pos.to_le_bytes()), &b[4..]);
    b[..4].copy_from_slice(&crc.to_le_bytes());
    b
}

/// Decodes and verifies slot `pos`; the error text says what is wrong.
pub fn decode_slot(pos: u64, raw: &[u8]) -> Result<Slot, String> {
    let stored = u32::from_le_bytes(raw[..4].try_into().expect("4 bytes"));
    let crc = crc32c_append(crc32c(&pos.to_le_bytes()), &raw[4..]);
    if stored != crc {
        return Err(format!(
            "la suma de verificación del registro {pos} no coincide (escritura incompleta o daño)"
        ));
    }
    match raw[4] {
        SLOT_LIVE => Ok(Slot::Live(raw[SLOT_PREFIX..].into())),
        SLOT_FREE => {
            let next = u64::from_le_bytes(
                raw[SLOT_PREFIX..SLOT_PREFIX + 8]
                    .try_into()
                    .expect("8 bytes"),
            );
            Ok(Slot::Free { next })
        }
        s => Err(format!("estado {s} inválido en el registro {pos}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trip_and_crc() {
        let mut h = Header::new(
            "PUBLICADOS.NTX_1",
            40,
            FreeHome::Control {
                file: "PUBLICADOS.CON".into(),
                field: 4,
            },
            1234,
        );
        h.slot_count = 9;
        h.control[3] = 77;
        let b = h.encode();
        assert_eq!(Header::decode(&b).unwrap(), h);
        for i in [0usize, 9, 20, 100, 251] {
            let mut bad = b;
            bad[i] ^= 0x01;
            assert!(
                Header::decode(&bad).is_err(),
                "flip at byte {i} must be detected"
            );
        }
    }

    #[test]
    fn slot_crc_covers_position() {
        let s = Slot::Live(vec![1u8, 2, 3].into());
        let raw = encode_slot(5, 3, &s);
        assert_eq!(decode_slot(5, &raw).unwrap(), s);
        // The same bytes found at another position (a misdirected write) are rejected.
        assert!(decode_slot(6, &raw).is_err());
        let f = encode_slot(2, 16, &Slot::Free { next: 9 });
        assert_eq!(decode_slot(2, &f).unwrap(), Slot::Free { next: 9 });
    }
}
