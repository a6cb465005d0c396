//! # anshu-mask
//!
//! The de-identification core of Anshu (GB/T 37964-2019 techniques). It owns:
//!
//! - the methods, each a [`Masker`]: partial masking with per-type presets, redaction and
//!   constants, keyed hashes (HMAC-SM3, HMAC-SHA-256), stable tokens, format-preserving
//!   encryption (FF1 over AES and SM4, NIST SP 800-38G), realistic substitution (valid resident
//!   IDs, Luhn cards, mobiles in real segments, plausible names and addresses), generalisation,
//!   per-person date shifts, numeric noise and shuffling within a column;
//! - masking policies ([`Policy`]): rules by type, category, level or table/column, built-in
//!   presets (`default`, `waybill`, `test-data`, `analytics`, `share`);
//! - keys ([`MaskKey`]): one secret per key file with a public id, subkeys per method.
//!
//! Every keyed method is deterministic: the same input, type and key give the same output in
//! every file, table and run, which is what keeps joins working across a masked copy.
//!
//! It deliberately does no I/O: no files, no clock, no randomness. Callers read key and policy
//! files, supply the reference date and fresh randomness for new keys, and stream values in.
//! Reading and writing files and databases lives in `anshu-copy`.

mod cipher;
pub mod ff1;
mod key;
mod methods;
mod policy;
pub mod prp;
pub mod shape;
mod substitute;

pub use cipher::{Block128, CipherName};
pub use key::MaskKey;
pub use methods::{
    canonical, keep_ends, prf, BirthMode, Ctx, DateShift, Fpe, Generalise, HashAlgorithm, Keep,
    KeyedHash, Keys, Level, Masker, Noise, Partial, Redact, Shuffle, Substitute, Token,
};
pub use policy::{ColumnFacts, MethodSpec, Policy, Rule, PRESETS};

/// Why masking could not proceed.
#[derive(Debug, thiserror::Error)]
pub enum MaskError {
    /// A key file or key is wrong. Messages never contain key material.
    #[error("key: {0}")]
    Key(String),
    /// A policy file is wrong; the message names the file, rule or line.
    #[error("policy {0}")]
    Policy(String),
    /// The value is outside what the method accepts (too short for FF1, not a date).
    #[error("domain: {0}")]
    Domain(String),
    /// The value does not fit the method.
    #[error("value: {0}")]
    Value(String),
}

impl MaskError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            MaskError::Key(_) => "mask_bad_key",
            MaskError::Policy(_) => "mask_bad_policy",
            MaskError::Domain(_) => "mask_domain",
            MaskError::Value(_) => "mask_value",
        }
    }
}
