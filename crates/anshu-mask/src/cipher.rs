//! The 128-bit block ciphers behind FF1 and the keyed permutations: AES (FIPS 197) and SM4
//! (GB/T 32907-2016), dispatched by an enum so callers pick one by name from a policy.

use aes::cipher::generic_array::GenericArray;
use aes::cipher::{BlockEncrypt, KeyInit};

use crate::MaskError;

/// A block cipher with a 16-byte block, keyed and ready.
#[derive(Clone)]
pub enum Block128 {
    Aes128(Box<aes::Aes128>),
    Aes192(Box<aes::Aes192>),
    Aes256(Box<aes::Aes256>),
    Sm4(Box<sm4::Sm4>),
}

/// Which cipher a policy names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CipherName {
    Aes,
    Sm4,
}

impl CipherName {
    pub fn as_str(self) -> &'static str {
        match self {
            CipherName::Aes => "aes",
            CipherName::Sm4 => "sm4",
        }
    }
}

impl Block128 {
    /// AES with a 16-, 24- or 32-byte key.
    pub fn aes(key: &[u8]) -> Result<Block128, MaskError> {
        Ok(match key.len() {
            16 => Block128::Aes128(Box::new(aes::Aes128::new(GenericArray::from_slice(key)))),
            24 => Block128::Aes192(Box::new(aes::Aes192::new(GenericArray::from_slice(key)))),
            32 => Block128::Aes256(Box::new(aes::Aes256::new(GenericArray::from_slice(key)))),
            n => {
                return Err(MaskError::Key(format!(
                    "an AES key has 16, 24 or 32 bytes, not {n}"
                )))
            }
        })
    }

    /// SM4 with its 16-byte key.
    pub fn sm4(key: &[u8]) -> Result<Block128, MaskError> {
        if key.len() != 16 {
            return Err(MaskError::Key(format!(
                "an SM4 key has 16 bytes, not {}",
                key.len()
            )));
        }
        Ok(Block128::Sm4(Box::new(sm4::Sm4::new(
            GenericArray::from_slice(key),
        ))))
    }

    /// Encrypts one block in place.
    pub fn encrypt(&self, block: &mut [u8; 16]) {
        let b = GenericArray::from_mut_slice(block);
        match self {
            Block128::Aes128(c) => c.encrypt_block(b),
            Block128::Aes192(c) => c.encrypt_block(b),
            Block128::Aes256(c) => c.encrypt_block(b),
            Block128::Sm4(c) => c.encrypt_block(b),
        }
    }
}

// The key schedule is secret material: never print it.
impl std::fmt::Debug for Block128 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            Block128::Aes128(_) => "AES-128",
            Block128::Aes192(_) => "AES-192",
            Block128::Aes256(_) => "AES-256",
            Block128::Sm4(_) => "SM4",
        };
        write!(f, "Block128({name}, key redacted)")
    }
}
