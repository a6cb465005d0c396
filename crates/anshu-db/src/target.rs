//! Database URLs: parsing, the password as a secret, and the redacted form shown to people.

use std::fmt;
use std::path::PathBuf;

use crate::DbError;

/// The database engines Anshu reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Postgres,
    /// MySQL and MariaDB (one wire protocol; the dialect differences are handled per server).
    Mysql,
    Sqlite,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Postgres => "postgres",
            Engine::Mysql => "mysql",
            Engine::Sqlite => "sqlite",
        }
    }
}

/// A password. It is never printed: `Debug` and `Display` show `***`, and the only way to the
/// text is [`Secret::expose`], called where a driver needs it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Where a database is and how to log in.
#[derive(Debug, Clone)]
pub struct DbTarget {
    pub engine: Engine,
    pub user: Option<String>,
    pub password: Option<Secret>,
    pub host: String,
    pub port: u16,
    /// The database to connect to. For MySQL it also limits the scan to that database (MySQL's
    /// schema); without it every database the user can see is scanned.
    pub database: Option<String>,
    /// The SQLite file.
    pub path: Option<PathBuf>,
}

/// Whether `s` names a database rather than a file.
pub fn is_database_url(s: &str) -> bool {
    [
        "postgres://",
        "postgresql://",
        "mysql://",
        "mariadb://",
        "sqlite://",
    ]
    .iter()
    .any(|p| s.starts_with(p))
}

fn percent_decode(s: &str) -> Result<String, DbError> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| {
                    DbError::Url("a `%` escape is not followed by two hex digits".into())
                })?;
            out.push(hex);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| DbError::Url("an escaped part is not UTF-8".into()))
}

impl DbTarget {
    /// Parses `postgres://user:pass@host:port/db`, `mysql://…` (`mariadb://` is the same),
    /// or `sqlite://path` (`sqlite:///abs/path` for an absolute path). Error messages never
    /// repeat the URL, which may hold a password.
    pub fn parse(url: &str) -> Result<DbTarget, DbError> {
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| DbError::Url("expected scheme://…".into()))?;
        let engine = match scheme {
            "postgres" | "postgresql" => Engine::Postgres,
            "mysql" | "mariadb" => Engine::Mysql,
            "sqlite" => Engine::Sqlite,
            other => {
                return Err(DbError::Url(format!(
                    "unknown scheme {other:?} (postgres, mysql, mariadb or sqlite)"
                )))
            }
        };
        if engine == Engine::Sqlite {
            let path = rest.split('?').next().unwrap_or(rest);
            if path.is_empty() {
                return Err(DbError::Url("sqlite:// needs a file path".into()));
            }
            return Ok(DbTarget {
                engine,
                user: None,
                password: None,
                host: String::new(),
                port: 0,
                database: None,
                path: Some(PathBuf::from(percent_decode(path)?)),
            });
        }
        let rest = rest.split(['?', '#']).next().unwrap_or(rest);
        let (auth, hostpart) = match rest.rsplit_once('@') {
            Some((a, h)) => (Some(a), h),
            None => (None, rest),
        };
        let (user, password) = match auth {
            Some(a) => match a.split_once(':') {
                Some((u, p)) => (Some(percent_decode(u)?), Some(Secret(percent_decode(p)?))),
                None => (Some(percent_decode(a)?), None),
            },
            None => (None, None),
        };
        let (hostport, database) = match hostpart.split_once('/') {
            Some((h, d)) if !d.is_empty() => (h, Some(percent_decode(d.trim_end_matches('/'))?)),
            Some((h, _)) => (h, None),
            None => (hostpart, None),
        };
        let default_port = if engine == Engine::Postgres {
            5432
        } else {
            3306
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || hostport.starts_with('[') => {
                let port = p
                    .parse::<u16>()
                    .map_err(|_| DbError::Url(format!("port {p:?} is not a number")))?;
                (h.to_owned(), port)
            }
            _ => (hostport.to_owned(), default_port),
        };
        let host = if host.is_empty() {
            "127.0.0.1".to_owned()
        } else {
            host.trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned()
        };
        Ok(DbTarget {
            engine,
            user,
            password,
            host,
            port,
            database,
            path: None,
        })
    }

    /// The URL without the password, as shown in reports, the inventory and errors.
    pub fn display(&self) -> String {
        match self.engine {
            Engine::Sqlite => {
                let p = self.path.as_ref().map(|p| p.display().to_string());
                format!("sqlite://{}", p.unwrap_or_default())
            }
            _ => {
                let user = self
                    .user
                    .as_deref()
                    .map(|u| format!("{u}@"))
                    .unwrap_or_default();
                let host = if self.host.contains(':') {
                    format!("[{}]", self.host)
                } else {
                    self.host.clone()
                };
                let db = self
                    .database
                    .as_deref()
                    .map(|d| format!("/{d}"))
                    .unwrap_or_default();
                format!("{}://{user}{host}:{}{db}", self.engine.name(), self.port)
            }
        }
    }

    /// Removes the password from a message (a driver's error text), in case a driver ever
    /// echoes it.
    pub fn scrub(&self, msg: &str) -> String {
        match &self.password {
            Some(p) if !p.0.is_empty() => msg.replace(&p.0, "***"),
            _ => msg.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_redacts() {
        let t = DbTarget::parse("postgres://ann:s%40cret@db.example:6543/crm").unwrap();
        assert_eq!(t.engine, Engine::Postgres);
        assert_eq!(t.user.as_deref(), Some("ann"));
        assert_eq!(t.password.as_ref().map(Secret::expose), Some("s@cret"));
        assert_eq!(t.port, 6543);
        assert_eq!(t.database.as_deref(), Some("crm"));
        assert_eq!(t.display(), "postgres://ann@db.example:6543/crm");
        assert!(!format!("{t:?}").contains("s@cret"));
        assert_eq!(t.scrub("login s@cret failed"), "login *** failed");

        let m = DbTarget::parse("mariadb://root@127.0.0.1/test").unwrap();
        assert_eq!((m.engine, m.port), (Engine::Mysql, 3306));
        assert_eq!(m.display(), "mysql://root@127.0.0.1:3306/test");

        let s = DbTarget::parse("sqlite:///tmp/a.db").unwrap();
        assert_eq!(s.path, Some(PathBuf::from("/tmp/a.db")));
        assert!(DbTarget::parse("oracle://x").is_err());
        assert!(DbTarget::parse("postgres://h:port/x").is_err());
        assert!(DbTarget::parse("postgres://u:%zz@h/x").is_err());
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics_nor_leaks(s in "\\PC{0,60}", pw in "[a-zA-Z0-9]{6,12}") {
            let _ = DbTarget::parse(&s);
            let url = format!("postgres://u:{pw}@{s}");
            if let Ok(t) = DbTarget::parse(&url) {
                let needle = format!(":{pw}@");
                proptest::prop_assert!(!t.display().contains(&needle));
            }
            if let Err(e) = DbTarget::parse(&url) {
                proptest::prop_assert!(!e.to_string().contains(&pw));
            }
        }
    }
}
