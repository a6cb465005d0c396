//! A fast hash for short keys (FxHash, the multiply-rotate hash used by rustc).
//!
//! The detector looks up short strings (a two-character surname, a candidate name, a place name)
//! at tens of thousands of positions per megabyte of text, where SipHash's set-up costs more than
//! the lookup itself. The keys come from fixed word lists or from the text being scanned; a
//! writer who could choose colliding keys would only slow the scan of their own text, so the
//! denial-of-service resistance SipHash buys is not needed here.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// A hash set of short keys hashed with [`FxHasher`].
pub(crate) type FxHashSet<T> = HashSet<T, BuildHasherDefault<FxHasher>>;

/// The multiply-rotate hash used by rustc (FxHash), eight bytes at a time.
#[derive(Default)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys that differ in any byte, or only in length, land in different sets entries: the set
    /// answers membership exactly whatever the hash does, but a hash that ignored the tail
    /// after eight bytes would put every long key in one bucket.
    #[test]
    fn distinct_keys_hash_apart() {
        let hash = |s: &str| {
            let mut h = FxHasher::default();
            h.write(s.as_bytes());
            h.finish()
        };
        let keys = [
            "欧阳",
            "欧",
            "欧阳修",
            "司马",
            "司马光",
            "12345678",
            "123456789",
            "",
        ];
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(hash(a), hash(b), "{a} and {b}");
            }
        }
        let set: FxHashSet<&str> = keys[..3].iter().copied().collect();
        assert!(set.contains("欧阳") && set.contains("欧") && !set.contains("司马"));
    }
}
