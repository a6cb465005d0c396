//! # anshu-db
//!
//! Database sources for Anshu: it owns connecting to PostgreSQL, MySQL/MariaDB and SQLite,
//! discovering schemas, tables, views, column types, comments and row estimates through each
//! engine's catalog, and reading rows safely: read-only transactions, a statement timeout, a lock
//! timeout, sampling pushed down to the server (`TABLESAMPLE`, primary-key or rowid ranges) and
//! full reads streamed in batches. Every value is handed out as text.
//!
//! It deliberately knows nothing about what is sensitive (anshu-detect decides that) or which
//! columns are worth reading (the scan pipeline decides from types and header hints). Passwords
//! live in [`Secret`] and never reach a message: errors carry the redacted URL only.
//!
//! It also writes: [`copy_tables`] copies tables into another schema or database of the same
//! engine (keys, constraints and indexes included), passing every row through a caller-supplied
//! [`RowMap`], which is how masked copies are made. The source side of a copy is read exactly
//! as a scan reads it: read-only sessions and transactions.

mod copy;
mod mysql;
mod pg;
mod sqlite;
mod target;

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use sha2::{Digest, Sha256};

pub use copy::{copy_tables, CopyOptions, CopyStats, CopyTarget, RowMap, TableOutcome};
pub use target::{is_database_url, DbTarget, Engine, Secret};

/// Why a database could not be read. Each variant has a stable code (see `docs/errors.md`).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("bad database URL: {0}")]
    Url(String),
    #[error("cannot connect to {target}: {message}")]
    Unreachable { target: String, message: String },
    #[error("login to {target} refused: {message}")]
    Auth { target: String, message: String },
    #[error("no permission to read {table}: {message}")]
    Permission { table: String, message: String },
    #[error("table {table} no longer exists: {message}")]
    Missing { table: String, message: String },
    #[error("statement timeout reading {table} ({message}); raise --statement-timeout or sample fewer rows")]
    Timeout { table: String, message: String },
    #[error("query on {table} failed: {message}")]
    Query { table: String, message: String },
    #[error("cancelled")]
    Cancelled,
    /// A copy that cannot be made: between different engines, of a view, or a definition the
    /// copy cannot reproduce.
    #[error("cannot copy: {message}")]
    CopyUnsupported { message: String },
    /// A copy whose target is where the tables are read from (same server, database and
    /// schema): writing there would overwrite the source.
    #[error("refusing to copy onto the source: {message}")]
    CopyOntoSource { message: String },
    /// The target table exists and replacing it was not asked for.
    #[error("target table {table} already exists: {message}")]
    CopyExists { table: String, message: String },
}

impl DbError {
    /// A stable machine-readable code for reports.
    pub fn code(&self) -> &'static str {
        match self {
            DbError::Url(_) => "db_bad_url",
            DbError::Unreachable { .. } => "db_unreachable",
            DbError::Auth { .. } => "db_auth_failed",
            DbError::Permission { .. } => "db_permission_denied",
            DbError::Missing { .. } => "db_table_missing",
            DbError::Timeout { .. } => "db_timeout",
            DbError::Query { .. } => "db_query_failed",
            DbError::Cancelled => "cancelled",
            DbError::CopyUnsupported { .. } => "db_copy_unsupported",
            DbError::CopyOntoSource { .. } => "db_copy_onto_source",
            DbError::CopyExists { .. } => "db_copy_exists",
        }
    }
}

/// What a column can hold, as far as choosing whether to read it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Character data, JSON, XML, enums, network addresses, arrays: always worth reading.
    Text,
    /// Integers of at most this many decimal digits (a 32-bit INT holds 10, a BIGINT 19).
    Integer {
        digits: u8,
    },
    /// Exact decimals (NUMERIC/DECIMAL) with this many digits, or 0 when unbounded.
    Decimal {
        digits: u8,
    },
    Float,
    Date,
    DateTime,
    Time,
    Bool,
    /// BLOB, BYTEA, BINARY: never read.
    Binary,
    Uuid,
    /// Anything else (spatial types, user types); read as text.
    Other,
}

/// A column as the catalog describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnInfo {
    pub name: String,
    /// The type as the database spells it, e.g. `character varying(32)` or `bigint(20)`.
    pub data_type: String,
    pub kind: ValueKind,
    /// The column comment, a strong hint (`COMMENT '身份证号'`).
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    Table,
    View,
}

/// A table or view as the catalog describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct TableInfo {
    /// The schema (MySQL: the database; SQLite: `main`).
    pub schema: String,
    pub name: String,
    pub kind: TableKind,
    pub comment: Option<String>,
    pub columns: Vec<ColumnInfo>,
    /// The planner's row estimate, when the engine keeps one.
    pub rows_estimate: Option<u64>,
    /// Bytes on disk (data and indexes), when known.
    pub size_bytes: Option<u64>,
    /// A single-column integer primary key (or SQLite's rowid), used for range sampling and
    /// batched full reads.
    pub int_key: Option<String>,
    /// Engine counters that change when rows change (PostgreSQL tuple counters, MySQL's
    /// update time), folded into the fingerprint.
    pub change_marker: Option<String>,
    /// Whether the user may read it; tables without the privilege are reported, not read.
    pub readable: bool,
}

impl TableInfo {
    /// `schema.table`, the name used in reports, globs and the inventory.
    pub fn qualified(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }

    /// A hash of the schema (names, types, comments) and the size figures. Two scans with the
    /// same fingerprint saw the same columns and, as far as the engine can tell cheaply, the
    /// same rows. `exact_rows` is a `COUNT(*)` when the caller took one.
    pub fn fingerprint(&self, exact_rows: Option<u64>) -> String {
        let mut h = Sha256::new();
        for c in &self.columns {
            h.update(c.name.as_bytes());
            h.update([0]);
            h.update(c.data_type.as_bytes());
            h.update([0]);
            h.update(c.comment.as_deref().unwrap_or("").as_bytes());
            h.update([1]);
        }
        h.update(format!(
            "|{:?}|{:?}|{:?}|{:?}",
            self.size_bytes, self.rows_estimate, self.change_marker, exact_rows
        ));
        h.finalize()
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// How sampling is pushed down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SampleMethod {
    /// PostgreSQL: `TABLESAMPLE SYSTEM`, topped up with a plain read when it returns too few;
    /// MySQL and SQLite: random primary-key or rowid ranges, else the first rows.
    #[default]
    Auto,
    /// PostgreSQL `TABLESAMPLE BERNOULLI`: row-level, reads every page (more I/O, less
    /// clustering). Elsewhere the same as `Auto`.
    Bernoulli,
    /// The first rows in storage order: cheapest, least representative.
    Limit,
}

/// How to read one table.
#[derive(Debug, Clone)]
pub struct ReadPlan {
    /// Column positions (into `TableInfo::columns`) to read.
    pub columns: Vec<usize>,
    pub sample_rows: usize,
    /// Read every row, in batches.
    pub full: bool,
    pub method: SampleMethod,
    /// Rows per batch for full reads.
    pub batch_rows: usize,
    /// Seeds the server-side sample, so the same table gives the same sample on every run.
    pub seed: u32,
}

impl ReadPlan {
    /// The sample size, at least one row.
    pub(crate) fn rows(&self) -> usize {
        self.sample_rows.max(1)
    }

    /// Whether sampling on the server is asked for and worth it: the table holds more than twice
    /// the sample (smaller ones are read whole with a plain `LIMIT`).
    pub(crate) fn samples(&self, t: &TableInfo) -> bool {
        self.method != SampleMethod::Limit && t.rows_estimate.unwrap_or(0) > 2 * self.rows() as u64
    }

    /// Range sampling: how many key ranges, and rows per range.
    pub(crate) fn ranges(&self) -> (usize, usize) {
        let chunks = self.rows().clamp(1, 10);
        (chunks, self.rows().div_ceil(chunks))
    }

    /// How a plain `LIMIT` read of `t` is described in the report.
    pub(crate) fn limit_method(&self, t: &TableInfo) -> String {
        if t.rows_estimate.unwrap_or(0) > self.rows() as u64 {
            "first rows".into()
        } else {
            "all rows".into()
        }
    }
}

/// The columns of `plan` that `t` has, and their select list: each name quoted with `q` and
/// followed by `cast` (e.g. `::text`). `None` when there is nothing to read.
pub(crate) fn select_list(
    t: &TableInfo,
    plan: &ReadPlan,
    q: char,
    cast: &str,
) -> Option<(Vec<usize>, String)> {
    let cols: Vec<usize> = plan
        .columns
        .iter()
        .copied()
        .filter(|&c| c < t.columns.len())
        .collect();
    if cols.is_empty() {
        return None;
    }
    let select = cols
        .iter()
        .map(|&c| format!("{}{cast}", quote(q, &t.columns[c].name)))
        .collect::<Vec<_>>()
        .join(", ");
    Some((cols, select))
}

/// What a read amounted to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadStats {
    pub rows: u64,
    /// How the rows were chosen, e.g. `tablesample system 2.5%`, `key ranges`, `first rows`,
    /// `full`.
    pub method: String,
}

impl ReadStats {
    /// A table none of whose columns is worth reading.
    pub(crate) fn nothing() -> Self {
        ReadStats {
            rows: 0,
            method: "no readable columns".into(),
        }
    }
}

/// Session limits that keep a scan from hurting the server.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    pub connect_timeout: Duration,
    /// Longest any one statement may run.
    pub statement_timeout: Duration,
    /// Longest a statement waits for a lock (a plain SELECT only needs the weakest ones).
    pub lock_timeout: Duration,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            connect_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(30),
            lock_timeout: Duration::from_secs(5),
        }
    }
}

/// Receives one row: `(column position in the table, value)` for each non-NULL value read.
pub type RowFn<'a> = dyn FnMut(&[(usize, &str)]) + 'a;

/// One connection to a database. Each scan worker opens its own.
pub trait Connection: Send {
    /// Tables (and views, when asked) the filter keeps, with their columns. `filter` receives
    /// `schema.table`.
    fn tables(
        &mut self,
        views: bool,
        filter: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<TableInfo>, DbError>;

    /// `COUNT(*)`, in a read-only transaction under the statement timeout.
    fn count(&mut self, t: &TableInfo) -> Result<u64, DbError>;

    /// Reads rows of `t` per `plan`, calling `row` with `(position in plan.columns, value)` for
    /// each non-NULL value. Stops with [`DbError::Cancelled`] soon after `cancel` is set.
    fn read(
        &mut self,
        t: &TableInfo,
        plan: &ReadPlan,
        cancel: &AtomicBool,
        row: &mut RowFn<'_>,
    ) -> Result<ReadStats, DbError>;
}

/// Connects, applying the session limits and making the session read-only.
pub fn connect(target: &DbTarget, s: &SessionOptions) -> Result<Box<dyn Connection>, DbError> {
    match target.engine {
        Engine::Postgres => Ok(Box::new(pg::PgConnection::connect(target, s)?)),
        Engine::Mysql => Ok(Box::new(mysql::MyConnection::connect(target, s)?)),
        Engine::Sqlite => Ok(Box::new(sqlite::LiteConnection::connect(target, s)?)),
    }
}

/// Quotes an identifier with `q` (`"` or `` ` ``), doubling it inside.
pub(crate) fn quote(q: char, name: &str) -> String {
    let mut s = String::with_capacity(name.len() + 2);
    s.push(q);
    for c in name.chars() {
        if c == q {
            s.push(q);
        }
        s.push(c);
    }
    s.push(q);
    s
}

/// Evenly spread, seeded starting points for range sampling over `[lo, hi]`.
pub(crate) fn range_starts(lo: i64, hi: i64, n: usize, seed: u32) -> Vec<i64> {
    let span = (i128::from(hi) - i128::from(lo)).max(0) as u128 + 1;
    let mut x = u64::from(seed) ^ 0x9E37_79B9_7F4A_7C15;
    let mut out: Vec<i64> = (0..n)
        .map(|_| {
            // SplitMix64 steps: uniform enough for picking ranges, and reproducible.
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            let off = (u128::from(z) * span) >> 64;
            (i128::from(lo) + off as i128) as i64
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// A glob filter on `schema.table`: kept when it matches an include (or there are none) and no
/// exclude.
pub struct TableFilter {
    include: Option<globset::GlobSet>,
    exclude: globset::GlobSet,
}

impl TableFilter {
    pub fn new(include: &[String], exclude: &[String]) -> Result<TableFilter, String> {
        let build = |pats: &[String]| -> Result<globset::GlobSet, String> {
            let mut b = globset::GlobSetBuilder::new();
            for p in pats {
                let g = globset::GlobBuilder::new(p)
                    .case_insensitive(true)
                    .literal_separator(false)
                    .build()
                    .map_err(|e| format!("bad table glob {p:?}: {e}"))?;
                b.add(g);
            }
            b.build().map_err(|e| e.to_string())
        };
        Ok(TableFilter {
            include: if include.is_empty() {
                None
            } else {
                Some(build(include)?)
            },
            exclude: build(exclude)?,
        })
    }

    pub fn keeps(&self, qualified: &str) -> bool {
        self.include.as_ref().is_none_or(|i| i.is_match(qualified))
            && !self.exclude.is_match(qualified)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_doubles_the_quote() {
        assert_eq!(quote('"', "a\"b"), "\"a\"\"b\"");
        assert_eq!(quote('`', "客户`表"), "`客户``表`");
    }

    #[test]
    fn range_starts_stay_in_range_and_repeat() {
        let a = range_starts(10, 1_000_000, 10, 7);
        assert_eq!(a, range_starts(10, 1_000_000, 10, 7));
        assert!(a.iter().all(|x| (10..=1_000_000).contains(x)));
        assert!(a.len() >= 9);
        assert_eq!(range_starts(5, 5, 3, 1), vec![5]);
        let w = range_starts(i64::MIN, i64::MAX, 4, 3);
        assert!(!w.is_empty());
    }

    #[test]
    fn table_globs() {
        let f = TableFilter::new(&["crm.*".into()], &["*.tmp_*".into()]).unwrap();
        assert!(f.keeps("crm.customers"));
        assert!(!f.keeps("crm.tmp_load"));
        assert!(!f.keeps("hr.staff"));
        assert!(TableFilter::new(&["[".into()], &[]).is_err());
    }
}
