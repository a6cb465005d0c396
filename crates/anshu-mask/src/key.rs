//! Masking keys: one secret per key file, from which every method derives its own subkey.
//!
//! A key file is small TOML written by `anshu key new`:
//!
//! ```toml
//! # Anshu masking key. Whoever holds this file can reverse FF1 and link pseudonyms.
//! id = "k1-5f0c3a9e21d4b7c8"
//! created = "2026-11-23T09:30:00Z"
//! secret = "<64 hex digits>"
//! ```
//!
//! The id is derived from the secret (a truncated SHA-256 under a fixed label), so records can
//! name the key without revealing it, and a file with a mismatched id is refused. Subkeys are
//! HMAC-SHA-256(secret, "anshu/v1/" + purpose): the FF1-AES key never equals the HMAC key, and
//! so on.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::MaskError;

/// The secret behind every keyed method.
#[derive(Clone)]
pub struct MaskKey {
    id: String,
    created: String,
    secret: [u8; 32],
}

// Never print the secret, whatever derives Debug around it.
impl std::fmt::Debug for MaskKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MaskKey({}, secret redacted)", self.id)
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    id: String,
    #[serde(default)]
    created: String,
    secret: String,
}

impl MaskKey {
    /// A key from 32 random bytes (the caller supplies the randomness and the time).
    pub fn from_secret(secret: [u8; 32], created: &str) -> MaskKey {
        MaskKey {
            id: key_id(&secret),
            created: created.to_owned(),
            secret,
        }
    }

    /// Parses a key file. Errors never quote the secret.
    pub fn parse(text: &str) -> Result<MaskKey, MaskError> {
        let f: KeyFile = toml::from_str(text).map_err(|e| {
            // toml's message can quote the offending line, which may hold the secret.
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1))
                .unwrap_or(0);
            MaskError::Key(format!(
                "not an Anshu key file (line {line}: expected `id`, `created` and `secret`)"
            ))
        })?;
        let hex = f.secret.trim();
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(MaskError::Key(
                "the secret must be 64 hexadecimal digits".into(),
            ));
        }
        let mut secret = [0u8; 32];
        for (i, slot) in secret.iter_mut().enumerate() {
            *slot = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap_or(0);
        }
        let key = MaskKey::from_secret(secret, &f.created);
        if key.id != f.id.trim() {
            return Err(MaskError::Key(format!(
                "the key id {:?} does not match the secret (edited or damaged file)",
                f.id
            )));
        }
        Ok(key)
    }

    /// The key file's text.
    pub fn to_file(&self) -> String {
        let hex: String = self.secret.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "# Anshu masking key. Whoever holds this file can reverse FF1 encryption and link\n\
             # pseudonyms to their inputs: keep it out of version control and away from the copies.\n\
             id = \"{}\"\ncreated = \"{}\"\nsecret = \"{hex}\"\n",
            self.id, self.created
        )
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn created(&self) -> &str {
        &self.created
    }

    /// A 32-byte subkey for one purpose.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(b"anshu/v1/");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

fn key_id(secret: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    h.update(b"anshu key id v1");
    h.update(secret);
    let d = h.finalize();
    let hex: String = d[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("k1-{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_never_prints_the_secret() {
        let k = MaskKey::from_secret([0xab; 32], "2026-11-23T00:00:00Z");
        let text = k.to_file();
        let back = MaskKey::parse(&text).unwrap();
        assert_eq!(back.id(), k.id());
        assert_eq!(back.derive("x"), k.derive("x"));
        assert_ne!(k.derive("x"), k.derive("y"));
        assert!(!format!("{k:?}").contains("abab"));
        let tampered = text.replace("secret = \"ab", "secret = \"cd");
        let err = MaskKey::parse(&tampered).unwrap_err().to_string();
        assert!(err.contains("does not match"), "{err}");
        assert!(!err.contains("abab") && !err.contains("cdab"));
        let bad = MaskKey::parse("id = \"k1\"\nsecret = \"zz\"\n")
            .unwrap_err()
            .to_string();
        assert!(bad.contains("64 hexadecimal"), "{bad}");
    }
}
