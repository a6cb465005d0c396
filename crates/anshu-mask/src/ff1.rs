//! FF1 format-preserving encryption (NIST SP 800-38G, revision 1), over any 128-bit block
//! cipher: AES as the standard specifies, and SM4 for deployments that must use the Chinese
//! commercial ciphers (the construction only needs a 128-bit PRF, so SM4 drops in unchanged).
//!
//! Arithmetic is done in `u128`, which bounds the half-length: `radix^ceil(n/2)` must stay below
//! 2^64 (38 decimal digits, 24 base-36 characters). Longer values are encrypted in balanced chunks
//! with the chunk index in the tweak (see [`Ff1::encrypt_long`]); that construction is ours, not
//! NIST's, and is documented as such. Domains below NIST's minimum of one million values are
//! refused.

use crate::cipher::Block128;
use crate::MaskError;

/// NIST SP 800-38G Rev. 1 requires `radix^minlen >= 1_000_000`.
pub const MIN_DOMAIN: u128 = 1_000_000;

/// An FF1 instance: a keyed cipher and a radix.
#[derive(Debug, Clone)]
pub struct Ff1 {
    cipher: Block128,
    radix: u32,
    max_len: usize,
}

impl Ff1 {
    pub fn new(cipher: Block128, radix: u32) -> Result<Ff1, MaskError> {
        if !(2..=65_536).contains(&radix) {
            return Err(MaskError::Domain(format!(
                "radix {radix} is outside 2..=65536"
            )));
        }
        // The largest half-length v with radix^v < 2^64.
        let mut v = 0usize;
        let mut p: u128 = 1;
        while p * u128::from(radix) <= u128::from(u64::MAX) {
            p *= u128::from(radix);
            v += 1;
        }
        Ok(Ff1 {
            cipher,
            radix,
            max_len: 2 * v,
        })
    }

    pub fn radix(&self) -> u32 {
        self.radix
    }

    /// The longest numeral string one FF1 call takes here.
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    fn check_domain(&self, n: usize) -> Result<(), MaskError> {
        if n < 2 {
            return Err(MaskError::Domain(format!(
                "FF1 needs at least 2 numerals, got {n}"
            )));
        }
        if n > self.max_len {
            return Err(MaskError::Domain(format!(
                "FF1 here takes at most {} numerals in radix {}, got {n}",
                self.max_len, self.radix
            )));
        }
        let mut size: u128 = 1;
        for _ in 0..n {
            size = size.saturating_mul(u128::from(self.radix));
            if size >= MIN_DOMAIN {
                return Ok(());
            }
        }
        Err(MaskError::Domain(format!(
            "{n} numerals in radix {} give {size} values, below NIST's minimum of 1,000,000",
            self.radix
        )))
    }

    /// Encrypts numerals `x` (each `< radix`) under `tweak`.
    pub fn encrypt(&self, x: &[u16], tweak: &[u8]) -> Result<Vec<u16>, MaskError> {
        self.crypt(x, tweak, true)
    }

    /// Decrypts numerals `y` under `tweak`.
    pub fn decrypt(&self, y: &[u16], tweak: &[u8]) -> Result<Vec<u16>, MaskError> {
        self.crypt(y, tweak, false)
    }

    /// Encrypts a numeral string of any length ≥ the minimum: strings longer than
    /// [`Ff1::max_len`] are cut into balanced chunks, each encrypted with the chunk index
    /// appended to the tweak.
    pub fn encrypt_long(&self, x: &[u16], tweak: &[u8]) -> Result<Vec<u16>, MaskError> {
        self.long(x, tweak, true)
    }

    /// Inverse of [`Ff1::encrypt_long`].
    pub fn decrypt_long(&self, y: &[u16], tweak: &[u8]) -> Result<Vec<u16>, MaskError> {
        self.long(y, tweak, false)
    }

    fn long(&self, x: &[u16], tweak: &[u8], enc: bool) -> Result<Vec<u16>, MaskError> {
        if x.len() <= self.max_len {
            return self.crypt(x, tweak, enc);
        }
        let chunks = x.len().div_ceil(self.max_len);
        let base = x.len() / chunks;
        let extra = x.len() % chunks;
        let mut out = Vec::with_capacity(x.len());
        let mut start = 0;
        for i in 0..chunks {
            let len = base + usize::from(i < extra);
            let mut t = tweak.to_vec();
            t.extend_from_slice(&(i as u32).to_be_bytes());
            out.extend(self.crypt(&x[start..start + len], &t, enc)?);
            start += len;
        }
        Ok(out)
    }

    fn crypt(&self, x: &[u16], tweak: &[u8], enc: bool) -> Result<Vec<u16>, MaskError> {
        let n = x.len();
        self.check_domain(n)?;
        let radix = u128::from(self.radix);
        if x.iter().any(|&d| u128::from(d) >= radix) {
            return Err(MaskError::Domain(format!(
                "a numeral is not below the radix {radix}"
            )));
        }
        let t = tweak.len();
        let u = n / 2;
        let v = n - u;
        // b = ceil(ceil(v * log2(radix)) / 8): the bytes needed for radix^v - 1.
        let mut bits = 0u32;
        let pv = pow(radix, v);
        while bits < 128 && (1u128 << bits) < pv {
            bits += 1;
        }
        let b = (bits as usize).div_ceil(8);
        let d = 4 * b.div_ceil(4) + 4;
        debug_assert!(b <= 8 && d <= 16);

        let mut p = [0u8; 16];
        p[0] = 1;
        p[1] = 2;
        p[2] = 1;
        p[3..6].copy_from_slice(&self.radix.to_be_bytes()[1..4]);
        p[6] = 10;
        p[7] = (u % 256) as u8;
        p[8..12].copy_from_slice(&(n as u32).to_be_bytes());
        p[12..16].copy_from_slice(&(t as u32).to_be_bytes());
        // PRF(P || ...) starts with the CBC-MAC of P, the same for every round.
        let mut state = p;
        self.cipher.encrypt(&mut state);

        let pad = (16 - ((t + b + 1) % 16)) % 16;
        let mut q = Vec::with_capacity(t + pad + 1 + b);
        let (mut a, mut bb) = (num(&x[..u], radix), num(&x[u..], radix));
        let (mu, mv) = (pow(radix, u), pv);
        let rounds: Vec<u8> = if enc {
            (0..10).collect()
        } else {
            (0..10).rev().collect()
        };
        for i in rounds {
            // In decryption the roles of A and B swap: Q is built from A.
            let src = if enc { bb } else { a };
            q.clear();
            q.extend_from_slice(tweak);
            q.resize(t + pad, 0);
            q.push(i);
            q.extend_from_slice(&src.to_be_bytes()[16 - b..]);
            let mut r = state;
            for block in q.chunks(16) {
                for (ri, qi) in r.iter_mut().zip(block) {
                    *ri ^= qi;
                }
                self.cipher.encrypt(&mut r);
            }
            let mut y: u128 = 0;
            for &byte in &r[..d] {
                y = (y << 8) | u128::from(byte);
            }
            let m = if i % 2 == 0 { mu } else { mv };
            let ym = y % m;
            if enc {
                let c = (a + ym) % m;
                a = bb;
                bb = c;
            } else {
                let c = (bb + m - ym) % m;
                bb = a;
                a = c;
            }
        }
        let mut out = str_radix(a, radix, u);
        out.extend(str_radix(bb, radix, v));
        Ok(out)
    }
}

fn pow(radix: u128, e: usize) -> u128 {
    (0..e).fold(1u128, |acc, _| acc * radix)
}

fn num(x: &[u16], radix: u128) -> u128 {
    x.iter().fold(0u128, |acc, &d| acc * radix + u128::from(d))
}

fn str_radix(mut v: u128, radix: u128, len: usize) -> Vec<u16> {
    let mut out = vec![0u16; len];
    for slot in out.iter_mut().rev() {
        *slot = (v % radix) as u16;
        v /= radix;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or(0))
            .collect()
    }

    fn numerals(s: &str) -> Vec<u16> {
        s.chars()
            .map(|c| c.to_digit(36).unwrap_or(0) as u16)
            .collect()
    }

    fn text(x: &[u16]) -> String {
        x.iter()
            .map(|&d| char::from_digit(u32::from(d), 36).unwrap_or('?'))
            .collect()
    }

    const K128: &str = "2B7E151628AED2A6ABF7158809CF4F3C";
    const K192: &str = "2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F";
    const K256: &str = "2B7E151628AED2A6ABF7158809CF4F3CEF4359D8D580AA4F7F036D6F04FC6A94";
    const T10: &str = "39383736353433323130";
    const T11: &str = "3737373770717273373737";

    /// The nine FF1 samples published with NIST SP 800-38G (AES-128, -192, -256).
    #[test]
    fn nist_sp800_38g_samples() {
        let cases = [
            (K128, 10, "0123456789", "", "2433477484"),
            (K128, 10, "0123456789", T10, "6124200773"),
            (K128, 36, "0123456789abcdefghi", T11, "a9tv40mll9kdu509eum"),
            (K192, 10, "0123456789", "", "2830668132"),
            (K192, 10, "0123456789", T10, "2496655549"),
            (K192, 36, "0123456789abcdefghi", T11, "xbj3kv35jrawxv32ysr"),
            (K256, 10, "0123456789", "", "6657667009"),
            (K256, 10, "0123456789", T10, "1001623463"),
            (K256, 36, "0123456789abcdefghi", T11, "xs8a0azh2avyalyzuwd"),
        ];
        for (key, radix, pt, tweak, ct) in cases {
            let f = Ff1::new(Block128::aes(&hex(key)).unwrap(), radix).unwrap();
            let got = f.encrypt(&numerals(pt), &hex(tweak)).unwrap();
            assert_eq!(text(&got), ct, "key {key} radix {radix} tweak {tweak:?}");
            let back = f.decrypt(&got, &hex(tweak)).unwrap();
            assert_eq!(text(&back), pt);
        }
    }

    #[test]
    fn sm4_round_trips_and_differs_from_aes() {
        let key = hex(K128);
        let sm4 = Ff1::new(Block128::sm4(&key).unwrap(), 10).unwrap();
        let aes = Ff1::new(Block128::aes(&key).unwrap(), 10).unwrap();
        for len in [6usize, 7, 11, 17, 18, 19, 38] {
            let x: Vec<u16> = (0..len).map(|i| ((i * 7 + 3) % 10) as u16).collect();
            let c = sm4.encrypt(&x, b"t").unwrap();
            assert_eq!(c.len(), len);
            assert_ne!(c, x);
            assert_ne!(c, aes.encrypt(&x, b"t").unwrap());
            assert_eq!(sm4.decrypt(&c, b"t").unwrap(), x);
        }
    }

    #[test]
    fn refuses_small_domains_and_bad_numerals() {
        let f = Ff1::new(Block128::aes(&hex(K128)).unwrap(), 10).unwrap();
        assert!(matches!(
            f.encrypt(&[1, 2, 3, 4, 5], b""),
            Err(MaskError::Domain(_))
        ));
        assert!(f.encrypt(&[1, 2, 3, 4, 5, 6], b"").is_ok());
        assert!(f.encrypt(&[1, 2, 3, 4, 5, 10], b"").is_err());
        let bin = Ff1::new(Block128::aes(&hex(K128)).unwrap(), 2).unwrap();
        assert!(bin.encrypt(&[1; 19], b"").is_err());
        assert!(bin.encrypt(&[1; 20], b"").is_ok());
    }

    #[test]
    fn long_values_round_trip_in_chunks() {
        let f = Ff1::new(Block128::sm4(&hex(K128)).unwrap(), 10).unwrap();
        let x: Vec<u16> = (0..100).map(|i| (i % 10) as u16).collect();
        let c = f.encrypt_long(&x, b"k").unwrap();
        assert_eq!(c.len(), 100);
        assert_ne!(c, x);
        assert_eq!(f.decrypt_long(&c, b"k").unwrap(), x);
    }
}
