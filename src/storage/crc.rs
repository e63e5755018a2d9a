//! CRC-32C (Castagnoli), the checksum of every header, slot, journal and lease record.
//!
//! Reflected polynomial 0x82F63B78 — the same CRC as iSCSI, ext4 and Btrfs use: the CPU's
//! instruction on x86-64 with SSE 4.2, slicing-by-8 tables elsewhere, both checked against
//! the byte-at-a-time table in the tests.

const POLY: u32 = 0x82F6_3B78;

const TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ POLY
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

/// Slicing-by-8 tables: `TABLES[k][b]` is the CRC of byte `b` followed by `k` zero bytes, so
/// eight bytes are folded with eight lookups instead of eight dependent steps.
const TABLES: [[u32; 256]; 8] = {
    let mut t = [[0u32; 256]; 8];
    t[0] = TABLE;
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ TABLE[(prev & 0xFF) as usize];
            i += 1;
        }
        k += 1;
    }
    t
};

/// The raw (not inverted) CRC register after `data`, one byte at a time: the reference.
fn bytewise(mut c: u32, data: &[u8]) -> u32 {
    for &b in data {
        c = TABLE[((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8);
    }
    c
}

/// The same register, eight bytes a step (portable).
fn sliced(mut c: u32, data: &[u8]) -> u32 {
    let mut chunks = data.chunks_exact(8);
    for w in &mut chunks {
        let lo = u32::from_le_bytes([w[0], w[1], w[2], w[3]]) ^ c;
        let hi = u32::from_le_bytes([w[4], w[5], w[6], w[7]]);
        c = TABLES[7][(lo & 0xFF) as usize]
            ^ TABLES[6][((lo >> 8) & 0xFF) as usize]
            ^ TABLES[5][((lo >> 16) & 0xFF) as usize]
            ^ TABLES[4][(lo >> 24) as usize]
            ^ TABLES[3][(hi & 0xFF) as usize]
            ^ TABLES[2][((hi >> 8) & 0xFF) as usize]
            ^ TABLES[1][((hi >> 16) & 0xFF) as usize]
            ^ TABLES[0][(hi >> 24) as usize];
    }
    bytewise(c, chunks.remainder())
}

/// The same register with the CPU's CRC-32C instruction (SSE 4.2), eight bytes an instruction.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse4.2")]
fn hardware(c: u32, data: &[u8]) -> u32 {
    use std::arch::x86_64::{_mm_crc32_u8, _mm_crc32_u64};
    let mut c = c as u64;
    let mut chunks = data.chunks_exact(8);
    for w in &mut chunks {
        c = _mm_crc32_u64(c, u64::from_le_bytes(w.try_into().expect("8 bytes")));
    }
    let mut c = c as u32;
    for &b in chunks.remainder() {
        c = _mm_crc32_u8(c, b);
    }
    c
}

/// Continues a CRC-32C over `data`; start with `0`. Every slot read and every redo-log frame
/// a terminal loads is checked with it, so it uses the CPU's instruction where there is one.
pub fn crc32c_append(crc: u32, data: &[u8]) -> u32 {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("sse4.2") {
        // SAFETY: the CPU supports SSE 4.2, checked just above.
        return !unsafe { hardware(!crc, data) };
    }
    !sliced(!crc, data)
}

/// CRC-32C of `data`.
pub fn crc32c(data: &[u8]) -> u32 {
    crc32c_append(0, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        // RFC 3720 (iSCSI) test vectors.
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
        assert_eq!(crc32c(&[0u8; 32]), 0x8A91_36AA);
        assert_eq!(crc32c(&[0xFFu8; 32]), 0x62A8_AB43);
    }

    #[test]
    fn every_implementation_agrees() {
        // Lengths around the 8-byte steps, several starting registers, varied bytes.
        let data: Vec<u8> = (0..1000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for len in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 255, 1000] {
            for start in [0u32, 1, 0xFFFF_FFFF, 0x1234_5678] {
                let want = bytewise(start, &data[..len]);
                assert_eq!(sliced(start, &data[..len]), want, "sliced, len {len}");
                #[cfg(target_arch = "x86_64")]
                if std::is_x86_feature_detected!("sse4.2") {
                    // SAFETY: checked just above.
                    assert_eq!(
                        unsafe { hardware(start, &data[..len]) },
                        want,
                        "sse4.2, len {len}"
                    );
                }
                assert_eq!(!crc32c_append(!start, &data[..len]), want);
            }
        }
    }

    #[test]
    fn append_equals_whole() {
        let data = b"VentaLibre compra y venta";
        let split = crc32c_append(crc32c(&data[..7]), &data[7..]);
        assert_eq!(split, crc32c(data));
    }
}
