//! Copying tables into another schema or database of the same engine, every row passing through
//! a caller-supplied [`RowMap`] on the way (the caller masks with it).
//!
//! A copy runs in three phases, so that the order tables are loaded in does not matter:
//!
//! 1. **Create** (one coordinating connection to each side, table by table): the target schema
//!    or database is created if missing; each table is created with its columns (names, exact
//!    types, NOT NULL, defaults), primary key, UNIQUE and CHECK constraints. An existing target
//!    table fails with `db_copy_exists` unless `replace` is set, which drops and recreates it.
//! 2. **Load** (a pool of `concurrency` workers, each with a read-only connection to the source
//!    and a writing connection to the target): rows are streamed in batches of `batch_rows`,
//!    mapped, and written; then the table's secondary indexes are built. Memory is bounded by
//!    one batch per worker, whatever the table's size.
//! 3. **Link** (the coordinating connection): foreign keys between copied tables are added once
//!    every table is loaded.
//!
//! The source side is read the way a scan reads it: read-only sessions and transactions, under
//! the statement and lock timeouts of [`SessionOptions`]. Writing sessions keep the lock timeout
//! (a copy should not queue behind someone else's lock on the target) but not the statement
//! timeout: building an index or validating a foreign key on a large target table legitimately
//! takes longer than any one read, and the data itself is written in bounded batches anyway.
//!
//! A table that fails is reported with its error and the others go on; a table whose load failed
//! or was cancelled is left empty in the target (its rows are written in one transaction on
//! PostgreSQL, and deleted again on MariaDB/MySQL and SQLite). Engine details — what is kept and
//! what is not — are in the engine modules (`copy/pg.rs`, `copy/my.rs`, `copy/lite.rs`).

mod lite;
mod my;
mod pg;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::{DbError, DbTarget, Engine, SessionOptions, TableInfo, TableKind};

/// Where a copy goes.
///
/// - PostgreSQL: `schema` in the target database (created if missing; default `masked`).
/// - MariaDB/MySQL: `schema` is the target database name (created if missing; default
///   `<source db>_masked`, where the source database is the URL's, or the one database all the
///   tables come from).
/// - SQLite: the target file is `target.path` (created if missing); `schema` is ignored.
#[derive(Debug, Clone)]
pub struct CopyTarget {
    /// The server (and, for PostgreSQL, the database) to write to; it must be the source's
    /// engine.
    pub target: DbTarget,
    pub schema: Option<String>,
}

/// How to copy.
#[derive(Debug, Clone)]
pub struct CopyOptions {
    /// Rows read, mapped and written at a time; bounds the memory a worker holds (at least 1).
    pub batch_rows: usize,
    /// Connection and statement limits. The statement timeout bounds each read of the source;
    /// the lock timeout bounds every statement on either side.
    pub session: SessionOptions,
    /// Drop and recreate target tables that already exist, instead of failing them with
    /// `db_copy_exists`.
    pub replace: bool,
    /// Tables copied at the same time, each by a worker with its own pair of connections
    /// (SQLite targets take one writer at a time, so a copy into SQLite uses one worker).
    pub concurrency: usize,
}

impl Default for CopyOptions {
    fn default() -> Self {
        CopyOptions {
            batch_rows: 1000,
            session: SessionOptions::default(),
            replace: false,
            concurrency: 2,
        }
    }
}

/// Changes rows on their way to the target: the caller's masking.
///
/// `map` receives each row as one value per column, in the order of [`TableInfo::columns`]
/// (`None` is SQL NULL), and may change the values in place; NULLs may be set and values
/// cleared. The text forms are the engine's own (PostgreSQL's `::text` output, MariaDB's text
/// protocol, SQLite's value as text), so what comes out is written back through the column's
/// input conversion and must stay valid for its type (a masked date must still be a date).
///
/// Binary columns (PostgreSQL `bytea`, MariaDB `BINARY`/`VARBINARY`/`BLOB`/spatial, SQLite
/// BLOB values) are given as lowercase hex without a prefix (`48656c6c6f`) rather than as
/// garbled text; the copy decodes the hex again when writing, so a map that does not know a
/// column leaves it alone and its bytes arrive unchanged, and a map that does change it must
/// write hex. Generated columns are given as read, but the target computes them again from
/// the (mapped) other columns, so changes to them are ignored.
pub trait RowMap: Send {
    fn map(&mut self, row: &mut [Option<String>]);
}

/// What copying one table amounted to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyStats {
    /// Rows written to the target table.
    pub rows: u64,
    /// What the copy left out or adjusted, one sentence each: a foreign key to a table that was
    /// not copied, a sequence default that was dropped, a trigger that was not copied…
    pub notes: Vec<String>,
}

/// One table's outcome in [`copy_tables`]: its qualified source name ([`TableInfo::qualified`])
/// and its statistics or why it was not copied.
pub type TableOutcome = (String, Result<CopyStats, DbError>);

/// Copies `tables` (as discovered on `source` by [`crate::Connection::tables`]) into `dest`,
/// passing every row through the [`RowMap`] that `make_map` returns for its table.
///
/// Returns one entry per table, in the order given, keyed by [`TableInfo::qualified`]: the
/// table's statistics or why it was not copied (views fail with `db_copy_unsupported`, existing
/// target tables with `db_copy_exists` unless `opts.replace`, unfinished tables with
/// [`DbError::Cancelled`] once `cancel` is set). The whole call fails when nothing can be
/// copied: different engines (`db_copy_unsupported`), a target that is the source itself
/// (`db_copy_onto_source`), or a side that cannot be reached or the target schema not created.
pub fn copy_tables(
    source: &DbTarget,
    dest: &CopyTarget,
    tables: &[TableInfo],
    opts: &CopyOptions,
    make_map: &(dyn Fn(&TableInfo) -> Box<dyn RowMap> + Sync),
    cancel: &AtomicBool,
) -> Result<Vec<TableOutcome>, DbError> {
    if source.engine != dest.target.engine {
        return Err(DbError::CopyUnsupported {
            message: format!(
                "from {} to {}: a copy is made within one engine, since types, defaults and \
                 constraints are carried over as the engine writes them",
                source.engine.name(),
                dest.target.engine.name()
            ),
        });
    }
    let mut coord: Box<dyn Coordinator> = match source.engine {
        Engine::Postgres => Box::new(pg::PgCoordinator::open(source, dest, tables, opts)?),
        Engine::Mysql => Box::new(my::MyCoordinator::open(source, dest, tables, opts)?),
        Engine::Sqlite => Box::new(lite::LiteCoordinator::open(source, dest, tables, opts)?),
    };

    let n = tables.len();
    let mut results: Vec<Option<Result<CopyStats, DbError>>> = (0..n).map(|_| None).collect();

    // Which tables are copied: base tables, each target name once (tables of several source
    // schemas land in one target schema, where two of the same name cannot both go).
    let mut copied = vec![false; n];
    let mut names: HashMap<String, usize> = HashMap::new();
    for (i, t) in tables.iter().enumerate() {
        if t.kind == TableKind::View {
            results[i] = Some(Err(DbError::CopyUnsupported {
                message: format!("{} is a view; only base tables are copied", t.qualified()),
            }));
            continue;
        }
        match names.get(&coord.name_key(&t.name)) {
            Some(&j) => {
                results[i] = Some(Err(DbError::CopyExists {
                    table: coord.target_name(&t.name),
                    message: format!(
                        "{} is copied to the same target name; copy the schemas separately",
                        tables[j].qualified()
                    ),
                }))
            }
            None => {
                names.insert(coord.name_key(&t.name), i);
                copied[i] = true;
            }
        }
    }
    let resolve = |schema: &str, name: &str| -> Option<usize> {
        tables
            .iter()
            .enumerate()
            .find(|(i, t)| copied[*i] && t.schema == schema && t.name == name)
            .map(|(i, _)| i)
    };

    // Phase 1: create.
    let mut plans: Vec<Option<TablePlan>> = (0..n).map(|_| None).collect();
    for (i, t) in tables.iter().enumerate() {
        if !copied[i] {
            continue;
        }
        if cancel.load(Ordering::Relaxed) {
            results[i] = Some(Err(DbError::Cancelled));
            continue;
        }
        match coord.create(t, opts.replace, &resolve) {
            Ok(p) => plans[i] = Some(p),
            Err(e) => results[i] = Some(Err(e)),
        }
    }

    // Phase 2: load, in parallel.
    let todo: Vec<usize> = (0..n).filter(|&i| plans[i].is_some()).collect();
    let loaded: Vec<Mutex<Option<Result<u64, DbError>>>> =
        (0..n).map(|_| Mutex::new(None)).collect();
    let workers = opts
        .concurrency
        .clamp(1, 64)
        .min(coord.max_workers())
        .min(todo.len());
    let next = AtomicUsize::new(0);
    let batch = opts.batch_rows.max(1);
    let open = coord.worker_opener();
    std::thread::scope(|s| {
        for _ in 0..workers {
            let (next, todo, plans, loaded, open) = (&next, &todo, &plans, &loaded, &open);
            s.spawn(move || {
                let mut worker: Option<Box<dyn Worker>> = None;
                while let Some(&i) = todo.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let (t, Some(plan)) = (&tables[i], &plans[i]) else {
                        continue;
                    };
                    let r = if cancel.load(Ordering::Relaxed) {
                        Err(DbError::Cancelled)
                    } else {
                        if worker.is_none() {
                            // Opened for the first table, and again after a failed one, so a
                            // dropped connection or a half-finished transaction never carries
                            // over to the next table.
                            match open() {
                                Ok(w) => worker = Some(w),
                                Err(e) => {
                                    set(&loaded[i], Err(e));
                                    continue;
                                }
                            }
                        }
                        match worker.as_mut() {
                            Some(w) => load_one(w.as_mut(), t, plan, make_map, batch, cancel),
                            None => continue,
                        }
                    };
                    if r.is_err() {
                        worker = None;
                    }
                    set(&loaded[i], r);
                }
            });
        }
    });

    // Phase 3: link. A table whose foreign keys were not all attempted before a cancel is
    // unfinished.
    let ok: Vec<bool> = loaded
        .iter()
        .map(|m| matches!(*lock(m), Some(Ok(_))))
        .collect();
    for i in 0..n {
        let Some(plan) = plans[i].take() else {
            continue;
        };
        let rows = match lock(&loaded[i]).take() {
            Some(Ok(rows)) => rows,
            Some(Err(e)) => {
                results[i] = Some(Err(e));
                continue;
            }
            None => {
                results[i] = Some(Err(DbError::Cancelled));
                continue;
            }
        };
        let mut stats = CopyStats {
            rows,
            notes: plan.notes,
        };
        let mut failed = None;
        for fk in &plan.foreign_keys {
            if cancel.load(Ordering::Relaxed) {
                failed = Some(DbError::Cancelled);
                break;
            }
            if !ok[fk.parent] {
                stats.notes.push(format!(
                    "foreign key {} not created: the table it references, {}, was not copied \
                     in full",
                    fk.name,
                    tables[fk.parent].qualified()
                ));
                continue;
            }
            if let Err(e) = coord.link(fk, &plan.target_name) {
                failed = Some(e);
                break;
            }
        }
        results[i] = Some(match failed {
            Some(e) => Err(e),
            None => Ok(stats),
        });
    }
    coord.finish();

    Ok(tables
        .iter()
        .zip(results)
        .map(|(t, r)| (t.qualified(), r.unwrap_or(Err(DbError::Cancelled))))
        .collect())
}

/// Loads one table and runs its after-load steps.
fn load_one(
    w: &mut dyn Worker,
    t: &TableInfo,
    plan: &TablePlan,
    make_map: &(dyn Fn(&TableInfo) -> Box<dyn RowMap> + Sync),
    batch: usize,
    cancel: &AtomicBool,
) -> Result<u64, DbError> {
    let mut map = make_map(t);
    let rows = w.load(t, plan, map.as_mut(), batch, cancel)?;
    for step in &plan.after_load {
        if cancel.load(Ordering::Relaxed) {
            return Err(DbError::Cancelled);
        }
        w.execute(&step.sql, &plan.target_name)?;
    }
    Ok(rows)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A worker that panicked has left a complete value or none; either is safe to read.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn set<T>(m: &Mutex<Option<T>>, v: T) {
    *lock(m) = Some(v);
}

/// What the create phase prepared for one table: enough for a worker to load it and for the
/// link phase to add its foreign keys.
pub(crate) struct TablePlan {
    /// The target table as shown in messages, e.g. `masked.customers`.
    pub(crate) target_name: String,
    /// The target table, quoted and qualified for the engine's SQL.
    pub(crate) target_sql: String,
    /// One per column of [`TableInfo::columns`], in that order.
    pub(crate) columns: Vec<ColumnPlan>,
    /// Statements run right after the load: secondary indexes, NOT VALID checks, sequence
    /// positions.
    pub(crate) after_load: Vec<Step>,
    /// Added once every table is loaded.
    pub(crate) foreign_keys: Vec<ForeignKey>,
    pub(crate) notes: Vec<String>,
}

/// How one column is read and written.
#[derive(Debug, Clone)]
pub(crate) struct ColumnPlan {
    pub(crate) name: String,
    /// Bytes, handed to the [`RowMap`] as hex.
    pub(crate) binary: bool,
    /// Computed by the target: read (the map sees it) but not written.
    pub(crate) generated: bool,
    /// MariaDB/MySQL `BIT`: read as a number, written as one.
    pub(crate) bit: bool,
}

pub(crate) struct Step {
    pub(crate) sql: String,
}

pub(crate) struct ForeignKey {
    pub(crate) name: String,
    /// A query counting the rows that break it, run first: where the engine adds a key without
    /// checking the rows (MariaDB with FOREIGN_KEY_CHECKS=0) or declares it with the table
    /// (SQLite), rows the map left dangling are found this way. A key that is broken is not
    /// added.
    pub(crate) check: Option<String>,
    /// The statement that adds it (none on SQLite, where it came with the table).
    pub(crate) add: Option<String>,
    /// The referenced table, by position in the tables copied.
    pub(crate) parent: usize,
}

/// The error for a foreign key that `n` rows of `table` break.
pub(crate) fn dangling(table: &str, key: &str, n: i64) -> DbError {
    DbError::Query {
        table: table.to_owned(),
        message: format!(
            "foreign key {key}: {n} rows reference rows that are not in the copy (did the row \
             map change a key column?)"
        ),
    }
}

/// The coordinating side of one engine: connections to both servers used for the create and
/// link phases.
pub(crate) trait Coordinator {
    /// How target names compare (SQLite and MariaDB compare table names case-insensitively).
    fn name_key(&self, name: &str) -> String;
    /// The target table as shown in messages.
    fn target_name(&self, name: &str) -> String;
    /// Creates `t` in the target (dropping an existing one first when `replace`). `resolve`
    /// finds a copied table by source schema and name, for foreign keys.
    fn create(
        &mut self,
        t: &TableInfo,
        replace: bool,
        resolve: &dyn Fn(&str, &str) -> Option<usize>,
    ) -> Result<TablePlan, DbError>;
    /// The most workers worth running.
    fn max_workers(&self) -> usize {
        usize::MAX
    }
    /// Opens a worker (its own connections); called from the worker threads.
    fn worker_opener(&self) -> Box<WorkerOpener>;
    /// Adds a foreign key of `table`.
    fn link(&mut self, fk: &ForeignKey, table: &str) -> Result<(), DbError>;
    /// Ends the coordinating sessions (PostgreSQL: the transaction whose snapshot the workers
    /// shared).
    fn finish(&mut self) {}
}

pub(crate) type WorkerOpener = dyn Fn() -> Result<Box<dyn Worker>, DbError> + Send + Sync;

/// One loading worker: a read-only connection to the source and a writing one to the target.
pub(crate) trait Worker: Send {
    /// Streams the rows of `t` into the target table through `map`; returns the rows written.
    fn load(
        &mut self,
        t: &TableInfo,
        plan: &TablePlan,
        map: &mut dyn RowMap,
        batch: usize,
        cancel: &AtomicBool,
    ) -> Result<u64, DbError>;
    /// Runs one statement on the target.
    fn execute(&mut self, sql: &str, table: &str) -> Result<(), DbError>;
}

/// The columns of the plan must be those of the table as listed; a table altered in between
/// would otherwise be copied with values in the wrong columns.
pub(crate) fn check_columns(t: &TableInfo, names: &[String]) -> Result<(), DbError> {
    let listed: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    let now: Vec<&str> = names.iter().map(String::as_str).collect();
    if listed == now {
        Ok(())
    } else {
        Err(DbError::Missing {
            table: t.qualified(),
            message: "its columns changed since the tables were listed; list them again".into(),
        })
    }
}

/// Lowercase hex, the form binary values take in a [`RowMap`].
pub(crate) fn to_hex(b: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for &x in b {
        s.push(DIGITS[usize::from(x >> 4)] as char);
        s.push(DIGITS[usize::from(x & 15)] as char);
    }
    s
}

/// Whether `s` is an even run of hex digits (either case).
pub(crate) fn is_hex(s: &str) -> bool {
    let b = s.as_bytes();
    b.chunks_exact(2).remainder().is_empty() && b.iter().all(u8::is_ascii_hexdigit)
}

/// Bytes from hex (either case); `None` when it is not an even run of hex digits.
pub(crate) fn from_hex(s: &str) -> Option<Vec<u8>> {
    if !is_hex(s) {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    s.as_bytes()
        .chunks_exact(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

/// The error for a binary value the map left as something other than hex.
pub(crate) fn not_hex(table: &str, column: &str) -> DbError {
    DbError::Query {
        table: table.to_owned(),
        message: format!(
            "binary column {column}: the row map returned a value that is not hex; binary values \
             are given and taken as hex"
        ),
    }
}

/// Host names that denote this machine compare equal; others compare case-insensitively.
pub(crate) fn same_host(a: &str, b: &str) -> bool {
    let norm = |h: &str| {
        let h = h.trim().to_ascii_lowercase();
        if h.is_empty()
            || h == "localhost"
            || h == "::1"
            || h.starts_with("127.")
            || h.starts_with('/')
        {
            "localhost".to_owned()
        } else {
            h
        }
    };
    norm(a) == norm(b)
}

/// A SQL string literal (standard quoting: a quote is doubled).
pub(crate) fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        let b = [0u8, 1, 0x7f, 0x80, 0xff, b'A'];
        assert_eq!(to_hex(&b), "00017f80ff41");
        assert_eq!(from_hex("00017F80ff41").as_deref(), Some(&b[..]));
        assert_eq!(from_hex(""), Some(Vec::new()));
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex("zz"), None);
        assert_eq!(from_hex("é1"), None);
    }

    #[test]
    fn local_hosts_are_one() {
        assert!(same_host("127.0.0.1", "localhost"));
        assert!(same_host("", "::1"));
        assert!(same_host("DB.example", "db.example"));
        assert!(!same_host("db1", "db2"));
    }
}
