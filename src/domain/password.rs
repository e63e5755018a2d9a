//! Passwords are stored as PBKDF2-HMAC-SHA256 with a 16-byte random salt and a per-record
//! iteration count: never the password or anything reversible. See docs/DESIGN.md.

use sha2::{Digest, Sha256};

thread_local! {
    /// Key derivations run by this thread (tests check that every log-in refusal costs one;
    /// per thread, so tests running at the same time do not count each other's).
    static DERIVATIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Key derivations run so far by the calling thread.
pub fn derivations() -> u64 {
    DERIVATIONS.with(|d| d.get())
}

pub const DEFAULT_ROUNDS: u32 = 210_000;

/// The iteration count for new hashes: `VENTALIBRE_KDF_ROUNDS` (tests lower it to stay fast;
/// never below 1000), else [`DEFAULT_ROUNDS`]. Each record stores its own count.
pub fn rounds() -> u32 {
    std::env::var("VENTALIBRE_KDF_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(DEFAULT_ROUNDS, |r: u32| r.max(1000))
}

pub fn salt() -> [u8; 16] {
    let a = crate::storage::ident::random_u64();
    let b = crate::storage::ident::random_u64();
    let mut s = [0u8; 16];
    s[..8].copy_from_slice(&a.to_le_bytes());
    s[8..].copy_from_slice(&b.to_le_bytes());
    s
}

pub fn hash(password: &str, salt: &[u8; 16], rounds: u32) -> [u8; 32] {
    DERIVATIONS.with(|d| d.set(d.get() + 1));
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt, rounds, &mut out);
    out
}

/// Compares in constant time.
pub fn verify(password: &str, salt: &[u8; 16], rounds: u32, expected: &[u8; 32]) -> bool {
    let got = hash(password, salt, rounds);
    got.iter()
        .zip(expected)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

/// The work of a verification for an email that has no account: the same derivation, on a
/// fixed salt, with the iteration count new records get, so that a refusal takes as long
/// whether the email exists or not.
pub fn dummy_verify(password: &str) {
    let _ = verify(password, b"ventalibre-nadie", rounds(), &[0; 32]);
}

/// SHA-256 of some bytes (photo names).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector_and_verify() {
        // RFC 7914 §11 test vector for PBKDF2-HMAC-SHA256 (first 32 bytes).
        let mut out = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<Sha256>(b"passwd", b"salt", 1, &mut out);
        assert_eq!(out[..4], [0x55, 0xac, 0x04, 0x6e]);
        let s = salt();
        let h = hash("newton", &s, 1000);
        assert!(verify("newton", &s, 1000, &h));
        assert!(!verify("Newton", &s, 1000, &h));
        assert_ne!(salt(), s);
    }
}
