//! Accounts, sessions, roles, CSRF and login rate limiting.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use sha2::{Digest, Sha256};

use anshu_inventory::console::{Session, User};

use crate::{ApiError, App};

pub const COOKIE: &str = "anshu_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Sessions last a working day.
pub const SESSION_SECONDS: i64 = 8 * 3600;
/// Failed logins allowed per user name and per client address in [`WINDOW`].
const MAX_FAILURES: usize = 5;
const WINDOW: Duration = Duration::from_secs(300);

/// What a role may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Reviewer,
    Operator,
    Viewer,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "reviewer" => Some(Role::Reviewer),
            "operator" => Some(Role::Operator),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }
    /// Reviewing classifications (overrides).
    pub fn can_review(self) -> bool {
        matches!(self, Role::Admin | Role::Reviewer)
    }
    /// Running jobs: sources, scans, masking and shares.
    pub fn can_operate(self) -> bool {
        matches!(self, Role::Admin | Role::Operator)
    }
    /// Accounts and the audit log.
    pub fn can_administer(self) -> bool {
        self == Role::Admin
    }
}

/// Random bytes as lowercase hex (`n` bytes → `2n` characters).
pub fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    // Without system randomness no session could be safe: refuse to run rather than degrade.
    if getrandom::fill(&mut b).is_err() {
        panic!("no system randomness available");
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A random password of `n` characters from an alphabet without look-alikes.
pub fn random_token(n: usize) -> String {
    const A: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut b = vec![0u8; n];
    if getrandom::fill(&mut b).is_err() {
        panic!("no system randomness available");
    }
    b.iter().map(|x| A[*x as usize % A.len()] as char).collect()
}

pub fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub fn now_rfc3339() -> String {
    let t = now_unix();
    let (days, sod) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

/// An argon2id hash in PHC format.
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Failed logins per key (a user name, a client address) within the window.
#[derive(Default)]
pub struct Limiter {
    failures: HashMap<String, Vec<Instant>>,
}

impl Limiter {
    /// `Err(seconds)` while `key` is locked out.
    pub fn check(&mut self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let list = self.failures.entry(key.to_owned()).or_default();
        list.retain(|t| now.duration_since(*t) < WINDOW);
        if list.len() >= MAX_FAILURES {
            let oldest = list.iter().min().copied().unwrap_or(now);
            let wait = WINDOW.saturating_sub(now.duration_since(oldest));
            return Err(wait.as_secs().max(1));
        }
        Ok(())
    }
    pub fn fail(&mut self, key: &str) {
        self.failures
            .entry(key.to_owned())
            .or_default()
            .push(Instant::now());
        // Bound memory under a flood of distinct keys.
        if self.failures.len() > 10_000 {
            let now = Instant::now();
            self.failures
                .retain(|_, v| v.iter().any(|t| now.duration_since(*t) < WINDOW));
        }
    }
    pub fn clear(&mut self, key: &str) {
        self.failures.remove(key);
    }
}

/// The session token from the `Cookie` header.
pub fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
}

/// The `Set-Cookie` value starting a session.
pub fn session_cookie(token: &str, secure: bool) -> String {
    format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECONDS}{}",
        if secure { "; Secure" } else { "" }
    )
}

pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

pub fn lock_catalog(
    app: &App,
) -> Result<std::sync::MutexGuard<'_, anshu_inventory::Catalog>, ApiError> {
    app.catalog.lock().map_err(|_| {
        ApiError::Catalog("the catalog lock was poisoned by an earlier failure".into())
    })
}

/// The session behind a request's cookie.
pub fn session(app: &App, headers: &HeaderMap) -> Result<(Session, String), ApiError> {
    let token = cookie_token(headers).ok_or(ApiError::Unauthenticated)?;
    let hash = sha256_hex(&token);
    let s = lock_catalog(app)?
        .session(&hash, now_unix())?
        .ok_or(ApiError::Unauthenticated)?;
    Ok((s, hash))
}

/// A logged-in API caller. Requests that change state must carry the session's CSRF token in
/// the `X-CSRF-Token` header.
pub struct Authed {
    pub user: User,
    pub role: Role,
    pub csrf: String,
    pub token_hash: String,
}

impl Authed {
    pub fn require(&self, ok: bool) -> Result<(), ApiError> {
        if ok {
            Ok(())
        } else {
            Err(ApiError::Forbidden(self.user.role.clone()))
        }
    }
}

impl FromRequestParts<App> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let (s, token_hash) = session(app, &parts.headers)?;
        let role = Role::parse(&s.user.role).unwrap_or(Role::Viewer);
        if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !constant_time_eq(sent.as_bytes(), s.csrf.as_bytes()) {
                return Err(ApiError::Csrf);
            }
        }
        Ok(Authed {
            user: s.user,
            role,
            csrf: s.csrf,
            token_hash,
        })
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks a user name and password, with rate limiting by name and by client address, and
/// starts a session. Returns the session token, its CSRF token and the user.
pub fn login(
    app: &App,
    username: &str,
    password: &str,
    client: &str,
) -> Result<(String, String, User), ApiError> {
    let keys = [format!("user:{username}"), format!("addr:{client}")];
    {
        let mut l = app
            .limiter
            .lock()
            .map_err(|_| ApiError::Catalog("limiter lock poisoned".into()))?;
        for k in &keys {
            l.check(k).map_err(ApiError::RateLimited)?;
        }
    }
    let user = lock_catalog(app)?.user(username)?;
    // Verify against a fixed hash when the user does not exist, so timing does not reveal
    // which names exist.
    let ok = match &user {
        Some(u) if !u.disabled => verify_password(password, &u.password_hash),
        _ => {
            let _ = verify_password(password, DUMMY_HASH);
            false
        }
    };
    let now = now_rfc3339();
    if !ok {
        if let Ok(mut l) = app.limiter.lock() {
            for k in &keys {
                l.fail(k);
            }
        }
        lock_catalog(app)?.audit(&now, username, "login_failed", None, Some(client))?;
        return Err(ApiError::BadLogin);
    }
    let user = user.ok_or(ApiError::BadLogin)?;
    if let Ok(mut l) = app.limiter.lock() {
        l.clear(&keys[0]);
    }
    let token = random_hex(32);
    let csrf = random_hex(16);
    let mut c = lock_catalog(app)?;
    c.create_session(
        &sha256_hex(&token),
        user.id,
        &csrf,
        &now,
        now_unix() + SESSION_SECONDS,
    )?;
    c.audit(&now, &user.username, "login", None, Some(client))?;
    Ok((token, csrf, user))
}

/// An argon2id hash of a random password nobody knows, for constant-time failures.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$5Lq3dRnXr4m8o2y0Yl8lq9nQ0yqkM5oBqv3Hk7w3Zb8";

pub fn logout(app: &App, a: &Authed) -> Result<(), ApiError> {
    let mut c = lock_catalog(app)?;
    c.delete_session(&a.token_hash)?;
    c.audit(&now_rfc3339(), &a.user.username, "logout", None, None)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn the_limiter_locks_after_five_failures() {
        let mut l = Limiter::default();
        for _ in 0..5 {
            assert!(l.check("k").is_ok());
            l.fail("k");
        }
        assert!(l.check("k").is_err());
        assert!(l.check("other").is_ok());
        l.clear("k");
        assert!(l.check("k").is_ok());
    }

    #[test]
    fn rfc3339_has_the_right_shape() {
        let s = now_rfc3339();
        assert_eq!(s.len(), 20);
        assert!(s.starts_with("20") && s.ends_with('Z'));
    }
}
