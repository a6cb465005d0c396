//! What the web console keeps in the catalog: accounts (with password hashes made by the
//! server), sessions (stored as hashes of their tokens), and the append-only audit log whose
//! entries are hash-chained so that editing, deleting or reordering any of them is detectable.
//!
//! Hashing passwords and making tokens is the server's business; this module only stores them.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Catalog, InventoryError, Value};

/// An account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    #[serde(skip)]
    pub password_hash: String,
    /// `admin`, `reviewer`, `operator` or `viewer`.
    pub role: String,
    pub created_at: String,
    pub disabled: bool,
}

/// A live session and whose it is.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
    pub expires_at: i64,
}

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub detail: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The outcome of checking the audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditCheck {
    pub entries: u64,
    /// The first entry whose hash or link does not match, if any.
    pub broken_at: Option<i64>,
    pub message: String,
}

/// A data source registered in the console. `uri` never holds a password; `secret_enc` is the
/// password encrypted by the server (never returned by the API).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsoleSource {
    pub id: i64,
    pub name: String,
    pub uri: String,
    /// `directory` or `database`.
    pub kind: String,
    #[serde(skip)]
    pub secret_enc: Option<String>,
    /// Whether a credential is stored (the credential itself never leaves the server).
    pub has_credential: bool,
    pub created_at: String,
    pub created_by: String,
}

/// The hash that starts the chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn entry_hash(
    prev: &str,
    at: &str,
    actor: &str,
    action: &str,
    target: &str,
    detail: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [prev, at, actor, action, target, detail] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn user_of(r: &[Value]) -> User {
    User {
        id: r[0].int().unwrap_or(0),
        username: r[1].string(),
        password_hash: r[2].string(),
        role: r[3].string(),
        created_at: r[4].string(),
        disabled: r[5].int().unwrap_or(0) != 0,
    }
}

fn source_of(r: &[Value]) -> ConsoleSource {
    ConsoleSource {
        id: r[0].int().unwrap_or(0),
        name: r[1].string(),
        uri: r[2].string(),
        kind: r[3].string(),
        secret_enc: r[4].text().map(str::to_owned),
        has_credential: r[4].text().is_some(),
        created_at: r[5].string(),
        created_by: r[6].string(),
    }
}

impl Catalog {
    pub fn add_console_source(
        &mut self,
        name: &str,
        uri: &str,
        kind: &str,
        secret_enc: Option<&str>,
        at: &str,
        by: &str,
    ) -> Result<i64, InventoryError> {
        if self.console_sources()?.iter().any(|s| s.name == name) {
            return Err(InventoryError::Invalid(format!(
                "a source named {name:?} exists"
            )));
        }
        self.db.execute(
            "INSERT INTO console_sources (name, uri, kind, secret_enc, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
            &[name.into(), uri.into(), kind.into(), secret_enc.into(), at.into(), by.into()],
        )?;
        self.console_sources()?
            .into_iter()
            .find(|s| s.name == name)
            .map(|s| s.id)
            .ok_or_else(|| InventoryError::Database("source vanished after insert".into()))
    }

    pub fn console_sources(&mut self) -> Result<Vec<ConsoleSource>, InventoryError> {
        let rows = self.db.query(
            "SELECT id, name, uri, kind, secret_enc, created_at, created_by FROM console_sources ORDER BY id",
            &[],
        )?;
        Ok(rows.iter().map(|r| source_of(r)).collect())
    }

    pub fn console_source(&mut self, id: i64) -> Result<ConsoleSource, InventoryError> {
        self.console_sources()?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| InventoryError::NotFound(format!("source {id}")))
    }

    pub fn user_count(&mut self) -> Result<i64, InventoryError> {
        let rows = self.db.query("SELECT COUNT(*) FROM users", &[])?;
        Ok(rows.first().and_then(|r| r[0].int()).unwrap_or(0))
    }

    pub fn create_user(
        &mut self,
        username: &str,
        password_hash: &str,
        role: &str,
        at: &str,
    ) -> Result<(), InventoryError> {
        if self.user(username)?.is_some() {
            return Err(InventoryError::Invalid(format!("user {username:?} exists")));
        }
        self.db.execute(
            "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
            &[
                username.into(),
                password_hash.into(),
                role.into(),
                at.into(),
            ],
        )?;
        Ok(())
    }

    pub fn user(&mut self, username: &str) -> Result<Option<User>, InventoryError> {
        let rows = self.db.query(
            "SELECT id, username, password_hash, role, created_at, disabled FROM users WHERE username = ?",
            &[username.into()],
        )?;
        Ok(rows.first().map(|r| user_of(r)))
    }

    pub fn users(&mut self) -> Result<Vec<User>, InventoryError> {
        let rows = self.db.query(
            "SELECT id, username, password_hash, role, created_at, disabled FROM users ORDER BY id",
            &[],
        )?;
        Ok(rows.iter().map(|r| user_of(r)).collect())
    }

    pub fn create_session(
        &mut self,
        token_hash: &str,
        user_id: i64,
        csrf: &str,
        at: &str,
        expires_at: i64,
    ) -> Result<(), InventoryError> {
        self.db.execute(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            &[token_hash.into(), user_id.into(), csrf.into(), at.into(), expires_at.into()],
        )?;
        Ok(())
    }

    /// The session with this token hash, if it exists, has not expired at `now` (Unix seconds)
    /// and its account is enabled.
    pub fn session(
        &mut self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<Session>, InventoryError> {
        let rows = self.db.query(
            "SELECT u.id, u.username, u.password_hash, u.role, u.created_at, u.disabled, s.csrf, s.expires_at
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
            &[token_hash.into()],
        )?;
        Ok(rows.first().and_then(|r| {
            let s = Session {
                user: user_of(r),
                csrf: r[6].string(),
                expires_at: r[7].int().unwrap_or(0),
            };
            (s.expires_at > now && !s.user.disabled).then_some(s)
        }))
    }

    pub fn delete_session(&mut self, token_hash: &str) -> Result<(), InventoryError> {
        self.db.execute(
            "DELETE FROM sessions WHERE token_hash = ?",
            &[token_hash.into()],
        )?;
        Ok(())
    }

    /// Appends an entry to the audit log, chained to the previous one. The read of the last
    /// hash and the insert happen in one transaction so that two writers cannot fork the chain.
    pub fn audit(
        &mut self,
        at: &str,
        actor: &str,
        action: &str,
        target: Option<&str>,
        detail: Option<&str>,
    ) -> Result<(), InventoryError> {
        self.begin()?;
        let r = (|| {
            let rows = self
                .db
                .query("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1", &[])?;
            let prev = rows
                .first()
                .map(|r| r[0].string())
                .unwrap_or_else(|| GENESIS.to_owned());
            let hash = entry_hash(
                &prev,
                at,
                actor,
                action,
                target.unwrap_or(""),
                detail.unwrap_or(""),
            );
            self.db.execute(
                "INSERT INTO audit_log (at, actor, action, target, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                &[at.into(), actor.into(), action.into(), target.into(), detail.into(), prev.into(), hash.into()],
            )
        })();
        match r {
            Ok(_) => self.db.batch("COMMIT"),
            Err(e) => {
                let _ = self.db.batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// The newest audit entries first.
    pub fn audit_entries(&mut self, limit: i64) -> Result<Vec<AuditEntry>, InventoryError> {
        let rows = self.db.query(
            "SELECT id, at, actor, action, target, detail, prev_hash, hash FROM audit_log ORDER BY id DESC LIMIT ?",
            &[limit.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| AuditEntry {
                id: r[0].int().unwrap_or(0),
                at: r[1].string(),
                actor: r[2].string(),
                action: r[3].string(),
                target: r[4].text().map(str::to_owned),
                detail: r[5].text().map(str::to_owned),
                prev_hash: r[6].string(),
                hash: r[7].string(),
            })
            .collect())
    }

    /// Recomputes the chain from the start: every entry's hash must match its content and link
    /// to the previous entry's hash.
    pub fn verify_audit(&mut self) -> Result<AuditCheck, InventoryError> {
        let rows = self.db.query(
            "SELECT id, at, actor, action, target, detail, prev_hash, hash FROM audit_log ORDER BY id",
            &[],
        )?;
        let mut prev = GENESIS.to_owned();
        for (n, r) in rows.iter().enumerate() {
            let id = r[0].int().unwrap_or(0);
            let expected = entry_hash(
                &prev,
                &r[1].string(),
                &r[2].string(),
                &r[3].string(),
                &r[4].string(),
                &r[5].string(),
            );
            let problem = if r[6].string() != prev {
                Some("does not link to the entry before it (an entry was removed or inserted)")
            } else if r[7].string() != expected {
                Some("does not match its content (it was edited)")
            } else {
                None
            };
            if let Some(p) = problem {
                return Ok(AuditCheck {
                    entries: rows.len() as u64,
                    broken_at: Some(id),
                    message: format!("entry {id} (#{}) {p}", n + 1),
                });
            }
            prev = r[7].string();
        }
        Ok(AuditCheck {
            entries: rows.len() as u64,
            broken_at: None,
            message: format!("{} entries, chain intact", rows.len()),
        })
    }
}
