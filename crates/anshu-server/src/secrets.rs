//! Credentials at rest: AES-256-GCM under the console's own key, kept in a file readable by its
//! owner only (or given in `ANSHU_CONSOLE_KEY`). The catalog holds only ciphertext; the API never
//! returns a credential, encrypted or not.

use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};

pub struct SecretBox {
    cipher: Aes256Gcm,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

impl SecretBox {
    /// The key from `ANSHU_CONSOLE_KEY` (64 hex digits), else from `path`, created on first use.
    pub fn open(path: &Path) -> Result<SecretBox, String> {
        let text = match std::env::var("ANSHU_CONSOLE_KEY") {
            Ok(k) => k,
            Err(_) if path.exists() => std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the console key {}: {e}", path.display()))?,
            Err(_) => {
                let mut k = [0u8; 32];
                getrandom::fill(&mut k).map_err(|e| format!("no system randomness: {e}"))?;
                let text = hex(&k);
                if let Some(d) = path.parent() {
                    std::fs::create_dir_all(d).map_err(|e| e.to_string())?;
                }
                let mut o = std::fs::OpenOptions::new();
                o.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    o.mode(0o600);
                }
                use std::io::Write;
                o.open(path)
                    .and_then(|mut f| f.write_all(text.as_bytes()))
                    .map_err(|e| {
                        format!("cannot create the console key {}: {e}", path.display())
                    })?;
                text
            }
        };
        let key = unhex(text.trim())
            .filter(|k| k.len() == 32)
            .ok_or("the console key must be 64 hex digits")?;
        let cipher = Aes256Gcm::new_from_slice(&key).map_err(|e| e.to_string())?;
        Ok(SecretBox { cipher })
    }

    pub fn seal(&self, plain: &str) -> Result<String, String> {
        let mut n = [0u8; 12];
        getrandom::fill(&mut n).map_err(|e| e.to_string())?;
        let ct = self
            .cipher
            .encrypt(Nonce::from_slice(&n), plain.as_bytes())
            .map_err(|_| "encryption failed".to_owned())?;
        Ok(format!("{}{}", hex(&n), hex(&ct)))
    }

    pub fn open_sealed(&self, sealed: &str) -> Result<String, String> {
        let b = unhex(sealed)
            .filter(|b| b.len() > 12)
            .ok_or("not a sealed credential")?;
        let (n, ct) = b.split_at(12);
        let pt = self
            .cipher
            .decrypt(Nonce::from_slice(n), ct)
            .map_err(|_| "the credential does not open with this console key".to_owned())?;
        String::from_utf8(pt).map_err(|_| "the credential is not text".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open() {
        let dir = tempfile::tempdir().unwrap();
        let b = SecretBox::open(&dir.path().join("k")).unwrap();
        let s = b.seal("p@ss word").unwrap();
        assert!(!s.contains("p@ss"));
        assert_eq!(b.open_sealed(&s).unwrap(), "p@ss word");
        let mut bad = s.clone();
        bad.replace_range(30..32, if &s[30..32] == "00" { "11" } else { "00" });
        assert!(b.open_sealed(&bad).is_err());
        // The same key file opens it again.
        let b2 = SecretBox::open(&dir.path().join("k")).unwrap();
        assert_eq!(b2.open_sealed(&s).unwrap(), "p@ss word");
    }
}
