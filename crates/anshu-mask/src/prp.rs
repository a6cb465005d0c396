//! Keyed permutations of small integer domains, for substitution.
//!
//! Substitution must be consistent (the same input always gives the same fake), keep distinct
//! inputs distinct (so primary keys and UNIQUE constraints survive) and never give back the
//! input itself (so verification can demand that no value survives). A permutation `P` of
//! `0..N` gives the first two; stepping to the *next* element in `P`'s order, `P⁻¹(P(x) + 1)`,
//! is a single `N`-cycle, which also has no fixed point for `N ≥ 2`.
//!
//! `P` is an unbalanced Feistel network over the smallest bit width covering `N`, with the
//! block cipher as round function, cycle-walked back into `0..N`. This is a pseudonymisation
//! tool, not an encryption mode: use FF1 where a standard cipher is required.

use crate::cipher::Block128;

const ROUNDS: u8 = 8;

/// A keyed permutation of `0..domain`.
#[derive(Debug, Clone)]
pub struct Permutation<'c> {
    cipher: &'c Block128,
    domain: u128,
    left_bits: u32,
    right_bits: u32,
    tag: u64,
    /// The cipher's image of the domain size, mixed into every round's input so permutations of
    /// different domains under one key are unrelated; computed once per permutation.
    domain_block: [u8; 16],
}

impl<'c> Permutation<'c> {
    /// A permutation of `0..domain` (`domain` at most 2^126), separated from permutations with
    /// other tags under the same key.
    pub fn new(cipher: &'c Block128, domain: u128, tag: u64) -> Permutation<'c> {
        let domain = domain.clamp(1, 1u128 << 126);
        let mut bits = 2;
        while bits < 127 && (1u128 << bits) < domain {
            bits += 1;
        }
        let left_bits = bits / 2;
        let mut domain_block = domain.to_be_bytes();
        cipher.encrypt(&mut domain_block);
        Permutation {
            cipher,
            domain,
            left_bits,
            right_bits: bits - left_bits,
            tag,
            domain_block,
        }
    }

    pub fn domain(&self) -> u128 {
        self.domain
    }

    fn round(&self, i: u8, half: u128, bits: u32) -> u128 {
        let mut block = [0u8; 16];
        block[0] = i;
        block[1..8].copy_from_slice(&self.tag.to_be_bytes()[1..8]);
        // The half is at most 64 bits wide (126 / 2 rounded up).
        block[8..16].copy_from_slice(&(half as u64).to_be_bytes());
        block[1] ^= (self.domain.count_ones() as u8).wrapping_mul(31);
        for (b, x) in block.iter_mut().zip(self.domain_block) {
            *b ^= x;
        }
        self.cipher.encrypt(&mut block);
        let v = u128::from_be_bytes(block);
        v & mask(bits)
    }

    fn forward_once(&self, x: u128) -> u128 {
        let (mut l, mut r) = (x >> self.right_bits, x & mask(self.right_bits));
        let (mut lb, mut rb) = (self.left_bits, self.right_bits);
        for i in 0..ROUNDS {
            // Unbalanced Feistel: the new right half is the old left mixed with F(right).
            let nl = r;
            let nr = (l ^ self.round(i, r, lb)) & mask(lb);
            l = nl;
            r = nr;
            std::mem::swap(&mut lb, &mut rb);
        }
        (l << rb) | r
    }

    fn backward_once(&self, y: u128) -> u128 {
        // After an even number of rounds the halves have their original widths.
        let (mut lb, mut rb) = (self.left_bits, self.right_bits);
        if ROUNDS % 2 == 1 {
            std::mem::swap(&mut lb, &mut rb);
        }
        let (mut l, mut r) = (y >> rb, y & mask(rb));
        for i in (0..ROUNDS).rev() {
            std::mem::swap(&mut lb, &mut rb);
            let pr = l;
            let pl = (r ^ self.round(i, pr, lb)) & mask(lb);
            l = pl;
            r = pr;
        }
        (l << rb) | r
    }

    /// `P(x)` for `x < domain`.
    pub fn apply(&self, x: u128) -> u128 {
        let mut y = self.forward_once(x % self.domain);
        while y >= self.domain {
            y = self.forward_once(y);
        }
        y
    }

    /// `P⁻¹(y)` for `y < domain`.
    pub fn invert(&self, y: u128) -> u128 {
        let mut x = self.backward_once(y % self.domain);
        while x >= self.domain {
            x = self.backward_once(x);
        }
        x
    }

    /// The element after `x` in the permutation's cyclic order: a bijection with no fixed point
    /// when the domain has at least two elements.
    pub fn next(&self, x: u128) -> u128 {
        if self.domain < 2 {
            return x;
        }
        self.invert((self.apply(x) + 1) % self.domain)
    }
}

fn mask(bits: u32) -> u128 {
    if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_a_permutation_and_a_single_cycle() {
        let c = Block128::aes(&[7u8; 16]).unwrap();
        for n in [2u128, 3, 10, 97, 500, 1000, 4096] {
            let p = Permutation::new(&c, n, 42);
            let mut seen = vec![false; n as usize];
            for x in 0..n {
                let y = p.apply(x);
                assert!(y < n);
                assert!(!seen[y as usize], "domain {n}: {y} twice");
                seen[y as usize] = true;
                assert_eq!(p.invert(y), x);
            }
            // Following `next` from 0 visits every element once before coming back.
            let mut x = 0;
            for step in 1..=n {
                x = p.next(x);
                if x == 0 {
                    assert_eq!(step, n, "domain {n}: cycle closed early");
                }
                assert!(step == n || x != 0);
            }
            assert_eq!(x, 0);
        }
    }

    #[test]
    fn large_domains_invert() {
        let c = Block128::sm4(&[9u8; 16]).unwrap();
        let n = 10u128.pow(30);
        let p = Permutation::new(&c, n, 1);
        for x in [0u128, 1, 12345, n - 1, 10u128.pow(29) + 7] {
            let y = p.next(x);
            assert!(y < n);
            assert_ne!(y, x);
            assert_eq!(p.invert((p.apply(y) + n - 1) % n), x);
        }
    }
}
