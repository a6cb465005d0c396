//! SQLite copies: each table is created in the target file from its own `CREATE TABLE` text in
//! `sqlite_schema`, rows are streamed from a read-only connection and inserted in one transaction
//! per batch, and the `CREATE INDEX` texts are run after the load.
//!
//! **Kept:** the `CREATE TABLE` text as written — column names, declared types, NOT NULL,
//! defaults, generated columns, PRIMARY KEY, UNIQUE, CHECK, COLLATE, FOREIGN KEY clauses,
//! AUTOINCREMENT (with the source's `sqlite_sequence` position), WITHOUT ROWID, STRICT — and
//! every explicit index. Values keep their storage class: a value the map left unchanged is
//! written back as the exact value read (an integer stays an integer in a column without
//! affinity, a REAL keeps all its bits); a changed one is written as text and takes the
//! column's affinity.
//!
//! SQLite cannot add a foreign key to an existing table, so foreign keys come with the table's
//! definition; the load runs with `foreign_keys` off, which makes the load order irrelevant just
//! the same, and the link phase then checks (`foreign_key_check`) each table's keys against the
//! copied tables they reference: rows the map left dangling fail the table.
//!
//! **Not kept:** triggers and views; rowids of tables without an INTEGER PRIMARY KEY are
//! renumbered (nothing can refer to them by a declared key). A foreign key to a table that is not
//! copied stays in the definition (SQLite's text cannot be edited safely), pointing at a table
//! the target does not have; a note says so. The statement timeout does not apply to SQLite
//! reads (a local file has no server to protect); the lock timeout is the busy timeout.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection as Lite, OpenFlags};

use super::{
    check_columns, dangling, from_hex, literal, not_hex, to_hex, ColumnPlan, Coordinator,
    ForeignKey, RowMap, Step, TablePlan, Worker, WorkerOpener,
};
use crate::sqlite::query_error;
use crate::{quote, CopyOptions, CopyTarget, DbError, DbTarget, SessionOptions, TableInfo};

fn qi(s: &str) -> String {
    quote('"', s)
}

fn path_of(t: &DbTarget) -> Result<PathBuf, DbError> {
    t.path
        .clone()
        .filter(|p| !p.as_os_str().is_empty())
        .ok_or_else(|| DbError::Url("sqlite:// needs a file path".into()))
}

/// The source file, read-only as a scan opens it.
fn reader(t: &DbTarget, s: &SessionOptions) -> Result<Lite, DbError> {
    let path = path_of(t)?;
    if !path.is_file() {
        return Err(DbError::Unreachable {
            target: t.display(),
            message: "no such file".into(),
        });
    }
    let db = Lite::open_with_flags(
        &path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| query_error(t, "open", &e))?;
    db.busy_timeout(s.lock_timeout)
        .and_then(|_| db.execute_batch("PRAGMA query_only = 1"))
        .map_err(|e| query_error(t, "open", &e))?;
    Ok(db)
}

/// The target file, created if missing, with foreign keys unenforced while tables are loaded.
fn writer(t: &DbTarget, s: &SessionOptions) -> Result<Lite, DbError> {
    let path = path_of(t)?;
    let db = Lite::open_with_flags(
        &path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| unreachable(t, query_error(t, "open", &e)))?;
    db.busy_timeout(s.lock_timeout)
        .and_then(|_| db.execute_batch("PRAGMA foreign_keys = OFF"))
        // Touching the schema proves the file is a database (opening is lazy).
        .and_then(|_| {
            db.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
                r.get::<_, i64>(0)
            })
        })
        .map_err(|e| unreachable(t, query_error(t, "open", &e)))?;
    Ok(db)
}

fn unreachable(t: &DbTarget, e: DbError) -> DbError {
    match e {
        DbError::Query { message, .. } => DbError::Unreachable {
            target: t.display(),
            message,
        },
        other => other,
    }
}

/// The file a path names, resolved through links, whether it exists yet or not.
fn canonical(p: &Path) -> PathBuf {
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    let parent = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    match (parent.canonicalize(), p.file_name()) {
        (Ok(d), Some(f)) => d.join(f),
        _ => p.to_path_buf(),
    }
}

pub(crate) struct LiteCoordinator {
    source: DbTarget,
    dest: DbTarget,
    session: SessionOptions,
    src: Lite,
    dst: Lite,
}

impl LiteCoordinator {
    pub(crate) fn open(
        source: &DbTarget,
        dest: &CopyTarget,
        _tables: &[TableInfo],
        opts: &CopyOptions,
    ) -> Result<Self, DbError> {
        let (from, to) = (path_of(source)?, path_of(&dest.target)?);
        if canonical(&from) == canonical(&to) {
            return Err(DbError::CopyOntoSource {
                message: format!(
                    "{} is the file being copied; name another target file",
                    dest.target.display()
                ),
            });
        }
        Ok(LiteCoordinator {
            src: reader(source, &opts.session)?,
            dst: writer(&dest.target, &opts.session)?,
            source: source.clone(),
            dest: dest.target.clone(),
            session: opts.session.clone(),
        })
    }
}

impl Coordinator for LiteCoordinator {
    fn name_key(&self, name: &str) -> String {
        name.to_lowercase()
    }

    fn target_name(&self, name: &str) -> String {
        format!("main.{name}")
    }

    fn create(
        &mut self,
        t: &TableInfo,
        replace: bool,
        resolve: &dyn Fn(&str, &str) -> Option<usize>,
    ) -> Result<TablePlan, DbError> {
        let q = t.qualified();
        let source = self.source.clone();
        let err = |e: rusqlite::Error| query_error(&source, &q, &e);
        let objects: Vec<(String, String, String)> = self
            .src
            .prepare(
                "SELECT type, name, sql FROM sqlite_schema WHERE tbl_name = ?1 AND sql IS NOT NULL
                 ORDER BY type <> 'table', name",
            )
            .and_then(|mut s| {
                s.query_map([&t.name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .map_err(err)?;
        let Some((_, _, create)) = objects
            .iter()
            .find(|(ty, n, _)| ty == "table" && *n == t.name)
        else {
            return Err(DbError::Missing {
                table: q,
                message: "not found in sqlite_schema".into(),
            });
        };
        let upper = create.to_ascii_uppercase();
        if upper.starts_with("CREATE VIRTUAL") {
            return Err(DbError::CopyUnsupported {
                message: format!("{q} is a virtual table; only base tables are copied"),
            });
        }
        let cols: Vec<(String, String, i64)> = self
            .src
            .prepare("SELECT name, type, hidden FROM pragma_table_xinfo(?1)")
            .and_then(|mut s| {
                s.query_map([&t.name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .map_err(err)?;
        let columns: Vec<ColumnPlan> = cols
            .into_iter()
            .filter(|(_, _, hidden)| *hidden != 1)
            .map(|(name, decl, hidden)| ColumnPlan {
                name,
                binary: decl.to_ascii_uppercase().contains("BLOB"),
                generated: hidden == 2 || hidden == 3,
                bit: false,
            })
            .collect();
        check_columns(
            t,
            &columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
        )?;
        // Referenced tables, by their names as declared (SQLite names ignore case).
        let parents: Vec<String> = self
            .src
            .prepare(
                "SELECT DISTINCT COALESCE(s.name, f.\"table\") FROM pragma_foreign_key_list(?1) f
                 LEFT JOIN sqlite_schema s ON s.type = 'table' AND s.name = f.\"table\" COLLATE NOCASE",
            )
            .and_then(|mut s| s.query_map([&t.name], |r| r.get(0))?.collect())
            .map_err(err)?;
        let sequence: Option<i64> = if upper.contains("AUTOINCREMENT") {
            // sqlite_sequence exists once any AUTOINCREMENT table had a row; absent is fine.
            self.src
                .query_row(
                    "SELECT seq FROM sqlite_sequence WHERE name = ?1",
                    [&t.name],
                    |r| r.get(0),
                )
                .ok()
        } else {
            None
        };

        let tgt = qi(&t.name);
        let mut plan = TablePlan {
            target_name: self.target_name(&t.name),
            target_sql: tgt.clone(),
            columns,
            after_load: Vec::new(),
            foreign_keys: Vec::new(),
            notes: Vec::new(),
        };
        for (ty, name, sql) in &objects {
            match ty.as_str() {
                "index" => plan.after_load.push(Step { sql: sql.clone() }),
                "trigger" => plan.notes.push(format!("trigger {name} not copied")),
                _ => {}
            }
        }
        for p in parents {
            match resolve("main", &p) {
                Some(at) => plan.foreign_keys.push(ForeignKey {
                    name: format!("to {p}"),
                    check: Some(format!(
                        "SELECT count(*) FROM pragma_foreign_key_check({}) WHERE \"parent\" = {} COLLATE NOCASE",
                        literal(&t.name),
                        literal(&p)
                    )),
                    add: None,
                    parent: at,
                }),
                None => plan.notes.push(format!(
                    "foreign key to {p} kept in the definition, but {p} is not among the tables \
                     copied"
                )),
            }
        }
        if let Some(seq) = sequence {
            let name = literal(&t.name);
            plan.after_load.push(Step {
                sql: format!(
                    "UPDATE sqlite_sequence SET seq = max(seq, {seq}) WHERE name = {name};
                     INSERT INTO sqlite_sequence (name, seq) SELECT {name}, {seq}
                     WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = {name});"
                ),
            });
        }

        let dest = self.dest.clone();
        let werr = |e: rusqlite::Error| query_error(&dest, &plan.target_name, &e);
        let tx = self.dst.transaction().map_err(werr)?;
        let existing: Option<(String, String)> = tx
            .query_row(
                "SELECT type, name FROM sqlite_schema WHERE name = ?1 COLLATE NOCASE AND type IN ('table', 'view')",
                [&t.name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })
            .map_err(werr)?;
        if let Some((ty, name)) = existing {
            if !replace {
                return Err(DbError::CopyExists {
                    table: plan.target_name.clone(),
                    message: "replace it or name another target file".into(),
                });
            }
            let what = if ty == "view" { "VIEW" } else { "TABLE" };
            tx.execute_batch(&format!("DROP {what} {}", qi(&name)))
                .map_err(werr)?;
        }
        tx.execute_batch(create).map_err(werr)?;
        tx.commit().map_err(werr)?;
        Ok(plan)
    }

    /// One file takes one writer at a time; more workers would only wait for each other.
    fn max_workers(&self) -> usize {
        1
    }

    fn worker_opener(&self) -> Box<WorkerOpener> {
        let (source, dest, session) =
            (self.source.clone(), self.dest.clone(), self.session.clone());
        Box::new(move || {
            Ok(Box::new(LiteWorker {
                src: reader(&source, &session)?,
                dst: writer(&dest, &session)?,
                source: source.clone(),
                dest: dest.clone(),
            }) as Box<dyn Worker>)
        })
    }

    fn link(&mut self, fk: &ForeignKey, table: &str) -> Result<(), DbError> {
        let err = |e: rusqlite::Error| query_error(&self.dest, table, &e);
        if let Some(check) = &fk.check {
            let n: i64 = self.dst.query_row(check, [], |r| r.get(0)).map_err(err)?;
            if n > 0 {
                return Err(dangling(table, &fk.name, n));
            }
        }
        if let Some(sql) = &fk.add {
            self.dst.execute_batch(sql).map_err(err)?;
        }
        Ok(())
    }
}

struct LiteWorker {
    src: Lite,
    dst: Lite,
    source: DbTarget,
    dest: DbTarget,
}

/// A value as the [`RowMap`] sees it.
fn shown(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Integer(i) => Some(i.to_string()),
        Value::Real(f) => Some(format!("{f:?}")),
        Value::Text(s) => Some(s.clone()),
        Value::Blob(b) => Some(to_hex(b)),
    }
}

/// What to write for a value read as `orig` that the map returned as `now`.
fn written(
    orig: Value,
    now: Option<String>,
    c: &ColumnPlan,
    table: &str,
) -> Result<Value, DbError> {
    if now == shown(&orig) {
        return Ok(orig);
    }
    match (now, &orig) {
        (None, _) => Ok(Value::Null),
        (Some(s), Value::Blob(_)) => from_hex(&s)
            .map(Value::Blob)
            .ok_or_else(|| not_hex(table, &c.name)),
        (Some(s), Value::Null) if c.binary => from_hex(&s)
            .map(Value::Blob)
            .ok_or_else(|| not_hex(table, &c.name)),
        (Some(s), _) => Ok(Value::Text(s)),
    }
}

impl LiteWorker {
    fn load_rows(
        &mut self,
        t: &TableInfo,
        plan: &TablePlan,
        map: &mut dyn RowMap,
        batch: usize,
        cancel: &AtomicBool,
    ) -> Result<u64, DbError> {
        let q = t.qualified();
        let (source, dest) = (&self.source, &self.dest);
        let rerr = |e: rusqlite::Error| query_error(source, &q, &e);
        let werr = |e: rusqlite::Error| query_error(dest, &plan.target_name, &e);
        let select = plan
            .columns
            .iter()
            .map(|c| qi(&c.name))
            .collect::<Vec<_>>()
            .join(", ");
        let kept: Vec<&ColumnPlan> = plan.columns.iter().filter(|c| !c.generated).collect();
        if kept.is_empty() {
            return Ok(0);
        }
        let insert = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            plan.target_sql,
            kept.iter()
                .map(|c| qi(&c.name))
                .collect::<Vec<_>>()
                .join(", "),
            vec!["?"; kept.len()].join(", ")
        );
        let mut stmt = self
            .src
            .prepare(&format!("SELECT {select} FROM {}", qi(&t.name)))
            .map_err(rerr)?;
        let mut rows = stmt.query([]).map_err(rerr)?;
        let n = plan.columns.len();
        let mut pending: Vec<Vec<Value>> = Vec::with_capacity(batch.min(65_536));
        let mut total = 0u64;
        let mut done = false;
        while !done {
            if cancel.load(Ordering::Relaxed) {
                return Err(DbError::Cancelled);
            }
            pending.clear();
            while pending.len() < batch {
                let Some(r) = rows.next().map_err(rerr)? else {
                    done = true;
                    break;
                };
                let mut vals = Vec::with_capacity(n);
                for k in 0..n {
                    vals.push(Value::from(r.get_ref(k).map_err(rerr)?));
                }
                pending.push(vals);
            }
            if pending.is_empty() {
                break;
            }
            let tx = self.dst.transaction().map_err(werr)?;
            {
                let mut ins = tx.prepare_cached(&insert).map_err(werr)?;
                for vals in pending.drain(..) {
                    let mut texts: Vec<Option<String>> = vals.iter().map(shown).collect();
                    map.map(&mut texts);
                    let mut out = Vec::with_capacity(kept.len());
                    for ((orig, now), c) in vals.into_iter().zip(texts).zip(&plan.columns) {
                        if !c.generated {
                            out.push(written(orig, now, c, &plan.target_name)?);
                        }
                    }
                    ins.execute(params_from_iter(out)).map_err(werr)?;
                    total += 1;
                }
            }
            tx.commit().map_err(werr)?;
        }
        Ok(total)
    }
}

impl Worker for LiteWorker {
    fn load(
        &mut self,
        t: &TableInfo,
        plan: &TablePlan,
        map: &mut dyn RowMap,
        batch: usize,
        cancel: &AtomicBool,
    ) -> Result<u64, DbError> {
        let r = self.load_rows(t, plan, map, batch, cancel);
        if r.is_err() {
            // Each batch committed on its own; a table that did not finish is emptied again.
            let _ = self
                .dst
                .execute_batch(&format!("DELETE FROM {}", plan.target_sql));
        }
        r
    }

    fn execute(&mut self, sql: &str, table: &str) -> Result<(), DbError> {
        self.dst
            .execute_batch(sql)
            .map_err(|e| query_error(&self.dest, table, &e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_values_keep_their_storage_class() {
        let c = ColumnPlan {
            name: "c".into(),
            binary: false,
            generated: false,
            bit: false,
        };
        assert_eq!(
            written(Value::Real(1.0), Some("1.0".into()), &c, "t").unwrap(),
            Value::Real(1.0)
        );
        assert_eq!(
            written(Value::Integer(7), Some("8".into()), &c, "t").unwrap(),
            Value::Text("8".into())
        );
        assert_eq!(
            written(Value::Blob(vec![0, 255]), Some("00ff".into()), &c, "t").unwrap(),
            Value::Blob(vec![0, 255])
        );
        assert_eq!(
            written(Value::Blob(vec![0]), Some("ABCD".into()), &c, "t").unwrap(),
            Value::Blob(vec![0xab, 0xcd])
        );
        assert!(written(Value::Blob(vec![0]), Some("xyz".into()), &c, "t").is_err());
        assert_eq!(
            written(Value::Text("a".into()), None, &c, "t").unwrap(),
            Value::Null
        );
    }
}
