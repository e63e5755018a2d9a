//! Explicit little-endian encoding of fixed-size records.
//!
//! Every on-disk structure of VentaLibre is written through [`Enc`] and read through [`Dec`]:
//! integers are little-endian, strings are UTF-8 in a fixed field padded with zero bytes.
//! Nothing here depends on the platform's `usize` or on a serialisation crate, so the format is
//! the same on every machine of the LAN (see `docs/FORMAT.md`).

use thiserror::Error;

/// A value that does not fit its fixed field.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("el campo «{field}» admite hasta {max} bytes y recibió {got}")]
pub struct FieldTooLong {
    pub field: &'static str,
    pub max: usize,
    pub got: usize,
}

/// Writes fields one after another into a fixed buffer.
pub struct Enc<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl<'a> Enc<'a> {
    pub fn new(buf: &'a mut [u8]) -> Self {
        Enc { buf, pos: 0 }
    }
    pub fn at(buf: &'a mut [u8], pos: usize) -> Self {
        Enc { buf, pos }
    }
    pub fn position(&self) -> usize {
        self.pos
    }
    fn put(&mut self, bytes: &[u8]) -> &mut Self {
        self.buf[self.pos..self.pos + bytes.len()].copy_from_slice(bytes);
        self.pos += bytes.len();
        self
    }
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.put(&[v])
    }
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.put(&v.to_le_bytes())
    }
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.put(&v.to_le_bytes())
    }
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.put(&v.to_le_bytes())
    }
    pub fn i64(&mut self, v: i64) -> &mut Self {
        self.put(&v.to_le_bytes())
    }
    pub fn bytes(&mut self, v: &[u8]) -> &mut Self {
        self.put(v)
    }
    pub fn zeros(&mut self, n: usize) -> &mut Self {
        self.buf[self.pos..self.pos + n].fill(0);
        self.pos += n;
        self
    }
    /// A UTF-8 string in a field of exactly `len` bytes, zero padded.
    pub fn str(
        &mut self,
        field: &'static str,
        v: &str,
        len: usize,
    ) -> Result<&mut Self, FieldTooLong> {
        let b = v.as_bytes();
        if b.len() > len {
            return Err(FieldTooLong {
                field,
                max: len,
                got: b.len(),
            });
        }
        self.put(b);
        Ok(self.zeros(len - b.len()))
    }
    /// Like [`Enc::str`] but cuts the string at a character boundary instead of failing.
    pub fn str_lossy(&mut self, v: &str, len: usize) -> &mut Self {
        let cut = floor_char_boundary(v, len);
        let b = &v.as_bytes()[..cut];
        self.put(b);
        self.zeros(len - b.len())
    }
}

/// The largest index `<= max` that is a character boundary of `s`.
pub fn floor_char_boundary(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Reads fields one after another from a fixed buffer.
pub struct Dec<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Dec<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Dec { buf, pos: 0 }
    }
    pub fn at(buf: &'a [u8], pos: usize) -> Self {
        Dec { buf, pos }
    }
    pub fn position(&self) -> usize {
        self.pos
    }
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut a = [0u8; N];
        a.copy_from_slice(&self.buf[self.pos..self.pos + N]);
        self.pos += N;
        a
    }
    pub fn u8(&mut self) -> u8 {
        self.take::<1>()[0]
    }
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.take())
    }
    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take())
    }
    pub fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.take())
    }
    pub fn i64(&mut self) -> i64 {
        i64::from_le_bytes(self.take())
    }
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        s
    }
    pub fn skip(&mut self, n: usize) -> &mut Self {
        self.pos += n;
        self
    }
    /// A zero-padded UTF-8 string field of `len` bytes (invalid UTF-8 is replaced, never panics).
    pub fn str(&mut self, len: usize) -> String {
        self.text(len).into_owned()
    }
    /// [`Dec::str`] as a shared string (one allocation; its copies cost none), for the text
    /// fields that pages hand on to views.
    pub fn shared_str(&mut self, len: usize) -> std::sync::Arc<str> {
        self.text(len).into()
    }
    fn text(&mut self, len: usize) -> std::borrow::Cow<'a, str> {
        let raw = self.bytes(len);
        // The padding's first zero through the word-at-a-time search `CStr` uses, then the
        // plain validation (the common case); invalid bytes take the replacing path.
        let text = std::ffi::CStr::from_bytes_until_nul(raw).map_or(raw, |c| c.to_bytes());
        match std::str::from_utf8(text) {
            Ok(t) => std::borrow::Cow::Borrowed(t),
            Err(_) => String::from_utf8_lossy(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_all_field_kinds() {
        let mut buf = [0xAAu8; 64];
        let mut e = Enc::new(&mut buf);
        e.u8(7)
            .u16(0x1234)
            .u32(0xDEADBEEF)
            .u64(u64::MAX - 1)
            .i64(-5);
        e.str("nombre", "Córdoba", 12).unwrap();
        let end = e.position();
        assert_eq!(end, 1 + 2 + 4 + 8 + 8 + 12);
        let mut d = Dec::new(&buf);
        assert_eq!(d.u8(), 7);
        assert_eq!(d.u16(), 0x1234);
        assert_eq!(d.u32(), 0xDEADBEEF);
        assert_eq!(d.u64(), u64::MAX - 1);
        assert_eq!(d.i64(), -5);
        assert_eq!(d.str(12), "Córdoba");
        // Little-endian on every platform.
        assert_eq!(&buf[1..3], &[0x34, 0x12]);
    }

    #[test]
    fn too_long_strings_are_refused_or_cut_at_char_boundary() {
        let mut buf = [0u8; 8];
        let err = Enc::new(&mut buf)
            .str("x", "ñandúes", 4)
            .map(|_| ())
            .unwrap_err();
        assert_eq!(err.max, 4);
        Enc::new(&mut buf).str_lossy("ñandú", 4);
        assert_eq!(Dec::new(&buf).str(4), "ñan");
    }

    #[test]
    fn strings_end_at_the_first_zero_and_bad_bytes_are_replaced() {
        let mut d = Dec::new(b"abc\0def\0wxyz");
        assert_eq!(d.str(8), "abc");
        // No zero at all: the whole field.
        assert_eq!(d.str(4), "wxyz");
        let raw = [b'o', 0xFF, b'k', 0, 0];
        assert_eq!(Dec::new(&raw).str(5), "o\u{FFFD}k");
        assert_eq!(Dec::new(&[0u8; 4]).str(4), "");
    }
}
