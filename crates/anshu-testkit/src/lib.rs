//! Helpers shared by Anshu's tests and benchmarks, and by nothing else: this crate is only ever a
//! dev-dependency.
//!
//! It owns a seeded pseudo-random generator, so that generated fixtures (tables to mark, corpora
//! to scan) are the same on every run and every machine, and the check characters fixtures need
//! to be valid (GB 11643 for resident IDs, Luhn for cards). These are written here again on
//! purpose, independently of `anshu_detect::validate`: a fixture made with the validator's own
//! arithmetic could not catch a mistake in it. The crate deliberately has no dependencies and no
//! cryptographic pretensions: the product's own randomness (keys, nonces) comes from the
//! operating system, never from here.

/// xorshift64* (Vigna, 2016): a few operations per number, and a full period over the non-zero
/// 64-bit states. Seed it with any value but zero, which it never leaves.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 pseudo-random bits.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0). The modulo bias is far below what a fixture can notice.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// An index into a slice of `len` elements (`len` > 0).
    pub fn index(&mut self, len: usize) -> usize {
        (self.next() % len as u64) as usize
    }

    /// One element of a non-empty slice.
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.index(xs.len())]
    }

    /// `n` decimal digits.
    pub fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }

    /// Shuffles a slice in place (Fisher-Yates).
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.index(i + 1);
            v.swap(i, j);
        }
    }
}

/// The GB 11643 check character of the first 17 digits of a resident ID number.
pub fn resident_check_char(body: &str) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(W)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    char::from(b"10X98765432"[(sum % 11) as usize])
}

/// A resident ID number: `body` (17 digits) and its check character.
pub fn with_resident_check(body: &str) -> String {
    format!("{body}{}", resident_check_char(body))
}

/// The Luhn check digit that completes `body` (decimal digits).
pub fn luhn_check_digit(body: &str) -> char {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, c)| {
            let v = u32::from(c - b'0');
            match (i % 2 == 0, v * 2) {
                (true, d) if d > 9 => d - 9,
                (true, d) => d,
                (false, _) => v,
            }
        })
        .sum();
    char::from(b'0' + ((10 - sum % 10) % 10) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_characters_known_answers() {
        // GB 11643's own example, and the textbook Luhn example (79927398713).
        assert_eq!(
            with_resident_check("11010519491231002"),
            "11010519491231002X"
        );
        assert_eq!(resident_check_char("44052418800101001"), '4');
        assert_eq!(luhn_check_digit("7992739871"), '3');
        assert_eq!(luhn_check_digit("0"), '0');
    }

    #[test]
    fn same_seed_same_sequence_and_values_in_range() {
        let (mut a, mut b) = (Rng(42), Rng(42));
        let xs: Vec<u64> = (0..100).map(|_| a.below(7)).collect();
        let ys: Vec<u64> = (0..100).map(|_| b.below(7)).collect();
        assert_eq!(xs, ys);
        assert!(xs.iter().all(|&x| x < 7));
        // All seven values occur in a hundred draws: the generator is not stuck.
        assert!((0..7).all(|v| xs.contains(&v)));
        let mut v: Vec<u32> = (0..50).collect();
        Rng(3).shuffle(&mut v);
        assert_ne!(v, (0..50).collect::<Vec<_>>());
        v.sort_unstable();
        assert_eq!(v, (0..50).collect::<Vec<_>>());
        assert_eq!(Rng(9).digits(12).len(), 12);
    }
}
