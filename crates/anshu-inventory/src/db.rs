//! The seam between the catalog logic and its two databases: a small SQL interface with one
//! implementation over SQLite (embedded, the default) and one over PostgreSQL (for teams).
//! Statements are written once with `?` placeholders; the PostgreSQL side numbers them.

use crate::InventoryError;

/// A SQL value as the catalog uses them: integers (booleans are 0/1), text and NULL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
}

impl Value {
    pub fn int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Text(t) => t.parse().ok(),
            Value::Null => None,
        }
    }
    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }
    pub fn string(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Int(i) => i.to_string(),
            Value::Text(t) => t.clone(),
        }
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<u64> for Value {
    fn from(v: u64) -> Self {
        Value::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(i64::from(v))
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Value::Null)
    }
}

pub type Row = Vec<Value>;

/// Which SQL dialect a [`Db`] speaks, for the few statements that differ (DDL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A database connection the catalog can use.
pub trait Db: Send {
    fn dialect(&self) -> Dialect;
    /// Runs statements without parameters (DDL, BEGIN/COMMIT).
    fn batch(&mut self, sql: &str) -> Result<(), InventoryError>;
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, InventoryError>;
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, InventoryError>;
}

pub struct Sqlite {
    conn: rusqlite::Connection,
}

impl Sqlite {
    pub fn open(path: &std::path::Path) -> Result<Self, InventoryError> {
        let conn = rusqlite::Connection::open(path).map_err(|e| InventoryError::Open {
            target: path.display().to_string(),
            message: e.to_string(),
        })?;
        // WAL lets a console read while a scan writes; a busy timeout rides out short locks. The
        // timeout comes first: switching to WAL needs a lock another opener may hold.
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(db_err)?;
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;")
            .map_err(db_err)?;
        Ok(Sqlite { conn })
    }
}

fn db_err(e: impl std::fmt::Display) -> InventoryError {
    InventoryError::Database(e.to_string())
}

/// PostgreSQL's errors print as "db error"; the server's message is inside.
fn pg_err(e: postgres::Error) -> InventoryError {
    match e.as_db_error() {
        Some(d) => InventoryError::Database(format!("{}: {}", d.code().code(), d.message())),
        None => InventoryError::Database(e.to_string()),
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
        })
    }
}

impl Db for Sqlite {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }
    fn batch(&mut self, sql: &str) -> Result<(), InventoryError> {
        self.conn.execute_batch(sql).map_err(db_err)
    }
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, InventoryError> {
        let mut st = self.conn.prepare_cached(sql).map_err(db_err)?;
        st.execute(rusqlite::params_from_iter(params.iter()))
            .map(|n| n as u64)
            .map_err(db_err)
    }
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, InventoryError> {
        let mut st = self.conn.prepare_cached(sql).map_err(db_err)?;
        let n = st.column_count();
        let mut rows = st
            .query(rusqlite::params_from_iter(params.iter()))
            .map_err(db_err)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(db_err)? {
            let mut row = Vec::with_capacity(n);
            for i in 0..n {
                use rusqlite::types::ValueRef;
                row.push(match r.get_ref(i).map_err(db_err)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(x) => Value::Int(x),
                    ValueRef::Real(x) => Value::Int(x as i64),
                    ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Value::Text(String::from_utf8_lossy(b).into_owned()),
                });
            }
            out.push(row);
        }
        Ok(out)
    }
}

pub struct Postgres {
    client: postgres::Client,
}

impl Postgres {
    /// Connects; `schema`, when given, is created if needed and put first on the search path
    /// so that several catalogs (or tests) can share one database.
    pub fn connect(url: &str, schema: Option<&str>) -> Result<Self, InventoryError> {
        let mut client =
            postgres::Client::connect(url, postgres::NoTls).map_err(|e| InventoryError::Open {
                target: crate::redact_url(url),
                // The driver's message never contains the password.
                message: e.to_string(),
            })?;
        if let Some(s) = schema {
            if !s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
                return Err(InventoryError::Open {
                    target: crate::redact_url(url),
                    message: format!("schema name {s:?} must be letters, digits and '_'"),
                });
            }
            // Concurrent CREATE … IF NOT EXISTS can still collide in PostgreSQL's catalogs:
            // create the schema and the version table under a session advisory lock.
            // Separate statements: each commits before the lock is released.
            client
                .batch_execute("SELECT pg_advisory_lock(7311424801)")
                .map_err(pg_err)?;
            let made = client
                .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {s}"))
                .and_then(|_| client.batch_execute(&format!("SET search_path TO {s}")))
                .and_then(|_| {
                    client.batch_execute(
                        "CREATE TABLE IF NOT EXISTS anshu_schema (version BIGINT NOT NULL, applied_at TEXT)",
                    )
                });
            client
                .batch_execute("SELECT pg_advisory_unlock(7311424801)")
                .map_err(pg_err)?;
            made.map_err(pg_err)?;
        }
        Ok(Postgres { client })
    }
}

/// Numbers `?` placeholders as `$1, $2…` for PostgreSQL.
fn number_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

impl postgres::types::ToSql for Value {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(postgres::types::IsNull::Yes),
            Value::Int(i) => i.to_sql(ty, out),
            Value::Text(t) => t.to_sql(ty, out),
        }
    }
    fn accepts(ty: &postgres::types::Type) -> bool {
        use postgres::types::Type;
        matches!(*ty, Type::INT8 | Type::TEXT | Type::VARCHAR)
    }
    postgres::types::to_sql_checked!();
}

impl Db for Postgres {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }
    fn batch(&mut self, sql: &str) -> Result<(), InventoryError> {
        self.client.batch_execute(sql).map_err(pg_err)
    }
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, InventoryError> {
        let p: Vec<&(dyn postgres::types::ToSql + Sync)> = params
            .iter()
            .map(|v| v as &(dyn postgres::types::ToSql + Sync))
            .collect();
        self.client
            .execute(number_placeholders(sql).as_str(), &p)
            .map_err(pg_err)
    }
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, InventoryError> {
        use postgres::types::Type;
        let p: Vec<&(dyn postgres::types::ToSql + Sync)> = params
            .iter()
            .map(|v| v as &(dyn postgres::types::ToSql + Sync))
            .collect();
        let rows = self
            .client
            .query(number_placeholders(sql).as_str(), &p)
            .map_err(pg_err)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let mut row = Vec::with_capacity(r.len());
            for (i, col) in r.columns().iter().enumerate() {
                let v = match *col.type_() {
                    Type::INT8 => r
                        .try_get::<_, Option<i64>>(i)
                        .map_err(pg_err)?
                        .map(Value::Int),
                    Type::INT4 => r
                        .try_get::<_, Option<i32>>(i)
                        .map_err(pg_err)?
                        .map(|x| Value::Int(i64::from(x))),
                    Type::BOOL => r
                        .try_get::<_, Option<bool>>(i)
                        .map_err(pg_err)?
                        .map(|x| Value::Int(i64::from(x))),
                    Type::INT2 => r
                        .try_get::<_, Option<i16>>(i)
                        .map_err(pg_err)?
                        .map(|x| Value::Int(i64::from(x))),
                    _ => r
                        .try_get::<_, Option<String>>(i)
                        .map_err(pg_err)?
                        .map(Value::Text),
                };
                row.push(v.unwrap_or(Value::Null));
            }
            out.push(row);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered() {
        assert_eq!(number_placeholders("a = ? AND b = ?"), "a = $1 AND b = $2");
    }
}
