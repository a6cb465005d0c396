//! SQLite: the file is opened read-only (`query_only` as well), discovery reads `sqlite_schema`
//! and `pragma_table_xinfo`, sampling picks random rowid ranges, and a progress handler stops any
//! statement that outlives the statement timeout. Column comments are taken from `--` comments in
//! the `CREATE TABLE` text, where people write them.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use rusqlite::types::ValueRef;
use rusqlite::{Connection as Lite, OpenFlags};

use crate::{
    quote, range_starts, select_list, ColumnInfo, Connection, DbError, DbTarget, ReadPlan,
    ReadStats, RowFn, SessionOptions, TableInfo, TableKind, ValueKind,
};

pub(crate) struct LiteConnection {
    db: Lite,
    target: DbTarget,
    base: Instant,
    /// When the current statement started (milliseconds since `base`) and how long it may run,
    /// read by the progress handler.
    started: Arc<AtomicU64>,
    limit: Arc<AtomicU64>,
    timeout_ms: u64,
}

pub(crate) fn query_error(t: &DbTarget, table: &str, e: &rusqlite::Error) -> DbError {
    let msg = t.scrub(&e.to_string());
    let table = table.to_owned();
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::OperationInterrupted) => DbError::Timeout {
            table,
            message: msg,
        },
        Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => {
            DbError::Timeout {
                table,
                message: msg,
            }
        }
        Some(rusqlite::ErrorCode::NotADatabase) | Some(rusqlite::ErrorCode::CannotOpen) => {
            DbError::Unreachable {
                target: t.display(),
                message: msg,
            }
        }
        _ if msg.contains("no such table") || msg.contains("no such column") => DbError::Missing {
            table,
            message: msg,
        },
        _ => DbError::Query {
            table,
            message: msg,
        },
    }
}

fn kind(decl: &str) -> ValueKind {
    // SQLite's affinity rules (section 3.1 of its datatype page), with dates and booleans
    // recognised by name since SQLite stores them as text or numbers.
    let d = decl.to_ascii_uppercase();
    if d.contains("INT") {
        ValueKind::Integer { digits: 19 }
    } else if d.contains("CHAR") || d.contains("CLOB") || d.contains("TEXT") {
        ValueKind::Text
    } else if d.contains("BLOB") {
        ValueKind::Binary
    } else if d.contains("REAL") || d.contains("FLOA") || d.contains("DOUB") {
        ValueKind::Float
    } else if d.contains("DATETIME") || d.contains("TIMESTAMP") {
        ValueKind::DateTime
    } else if d.contains("DATE") {
        ValueKind::Date
    } else if d.contains("BOOL") {
        ValueKind::Bool
    } else if d.contains("NUM") || d.contains("DEC") {
        ValueKind::Decimal { digits: 0 }
    } else {
        ValueKind::Other
    }
}

/// Column comments written as `name TYPE, -- comment` lines in a `CREATE TABLE` statement.
fn comments(sql: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in sql.lines() {
        let Some((def, comment)) = line.split_once("--") else {
            continue;
        };
        let def = def.trim().trim_start_matches(['(', ',']).trim();
        let name: String = if let Some(rest) = def.strip_prefix(['"', '`', '[']) {
            rest.chars()
                .take_while(|c| !matches!(c, '"' | '`' | ']'))
                .collect()
        } else {
            def.chars()
                .take_while(|c| !c.is_whitespace() && *c != ',')
                .collect()
        };
        let comment = comment.trim();
        if !name.is_empty() && !comment.is_empty() {
            out.push((name, comment.to_owned()));
        }
    }
    out
}

impl LiteConnection {
    pub(crate) fn connect(t: &DbTarget, s: &SessionOptions) -> Result<Self, DbError> {
        let path = t.path.clone().unwrap_or_default();
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
        let base = Instant::now();
        let timeout_ms = s.statement_timeout.as_millis().min(u128::from(u64::MAX)) as u64;
        let started = Arc::new(AtomicU64::new(0));
        let limit = Arc::new(AtomicU64::new(timeout_ms));
        let (st, li) = (Arc::clone(&started), Arc::clone(&limit));
        // Checked every 10,000 virtual-machine steps: cheap, and a runaway statement stops
        // within milliseconds of the limit.
        db.progress_handler(
            10_000,
            Some(move || {
                let now = base.elapsed().as_millis() as u64;
                now.saturating_sub(st.load(Ordering::Relaxed)) > li.load(Ordering::Relaxed)
            }),
        );
        db.busy_timeout(s.lock_timeout)
            .and_then(|_| db.execute_batch("PRAGMA query_only = 1"))
            .and_then(|_| {
                db.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
                    r.get::<_, i64>(0)
                })
            })
            .map_err(|e| match query_error(t, "open", &e) {
                DbError::Query { message, .. } => DbError::Unreachable {
                    target: t.display(),
                    message,
                },
                other => other,
            })?;
        Ok(LiteConnection {
            db,
            target: t.clone(),
            base,
            started,
            limit,
            timeout_ms,
        })
    }

    fn start(&self) {
        self.started
            .store(self.base.elapsed().as_millis() as u64, Ordering::Relaxed);
    }

    fn run(
        &self,
        sql: &str,
        cols: &[usize],
        cancel: &AtomicBool,
        row: &mut RowFn<'_>,
    ) -> Result<u64, rusqlite::Error> {
        self.start();
        let mut stmt = self.db.prepare(sql)?;
        let mut rows = stmt.query([])?;
        let mut n = 0u64;
        let mut cells: Vec<(usize, String)> = Vec::with_capacity(cols.len());
        while let Some(r) = rows.next()? {
            if cancel.load(Ordering::Relaxed) {
                break;
            }
            cells.clear();
            for (k, &c) in cols.iter().enumerate() {
                let v = match r.get_ref(k)? {
                    ValueRef::Null | ValueRef::Blob(_) => continue,
                    ValueRef::Integer(i) => i.to_string(),
                    ValueRef::Real(f) => f.to_string(),
                    ValueRef::Text(b) => String::from_utf8_lossy(b).into_owned(),
                };
                cells.push((c, v));
            }
            let refs: Vec<(usize, &str)> = cells.iter().map(|(c, v)| (*c, v.as_str())).collect();
            row(&refs);
            n += 1;
        }
        Ok(n)
    }
}

impl Connection for LiteConnection {
    fn tables(
        &mut self,
        views: bool,
        filter: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<TableInfo>, DbError> {
        let t = self.target.clone();
        let err = |e: rusqlite::Error| query_error(&t, "sqlite_schema", &e);
        self.start();
        let mut stmt = self
            .db
            .prepare(
                "SELECT name, type, COALESCE(sql, '') FROM sqlite_schema
                 WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
            )
            .map_err(err)?;
        let listed: Vec<(String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(|rows| rows.collect())
            .map_err(err)?;
        drop(stmt);
        let mut out = Vec::new();
        for (name, ty, sql) in listed {
            let view = ty == "view";
            if (view && !views) || !filter(&format!("main.{name}")) {
                continue;
            }
            // Virtual tables (full-text indexes and the like) cannot be read without their
            // module; they are listed in sqlite_schema with `CREATE VIRTUAL TABLE`.
            if sql.to_ascii_uppercase().starts_with("CREATE VIRTUAL") {
                continue;
            }
            let notes = comments(&sql);
            let mut stmt = self
                .db
                .prepare("SELECT name, type, hidden FROM pragma_table_xinfo(?1)")
                .map_err(err)?;
            let cols: Vec<(String, String, i64)> = stmt
                .query_map([&name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .and_then(|rows| rows.collect())
                .map_err(err)?;
            drop(stmt);
            let columns = cols
                .into_iter()
                .filter(|(_, _, hidden)| *hidden != 1)
                .map(|(cname, decl, _)| ColumnInfo {
                    comment: notes
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case(&cname))
                        .map(|(_, c)| c.clone()),
                    kind: kind(&decl),
                    data_type: decl,
                    name: cname,
                })
                .collect();
            let rowid = !view && !sql.to_ascii_uppercase().contains("WITHOUT ROWID");
            let max_rowid: Option<i64> = if rowid {
                self.start();
                self.db
                    .query_row(
                        &format!("SELECT max(rowid) FROM {}", quote('"', &name)),
                        [],
                        |r| r.get(0),
                    )
                    .map_err(err)?
            } else {
                None
            };
            out.push(TableInfo {
                schema: "main".into(),
                name,
                kind: if view {
                    TableKind::View
                } else {
                    TableKind::Table
                },
                comment: None,
                columns,
                rows_estimate: max_rowid.map(|m| m.max(0) as u64),
                size_bytes: None,
                int_key: rowid.then(|| "rowid".to_owned()),
                change_marker: max_rowid.map(|m| m.to_string()),
                readable: true,
            });
        }
        Ok(out)
    }

    fn count(&mut self, t: &TableInfo) -> Result<u64, DbError> {
        self.start();
        self.db
            .query_row(
                &format!("SELECT count(*) FROM {}", quote('"', &t.name)),
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n.max(0) as u64)
            .map_err(|e| query_error(&self.target, &t.qualified(), &e))
    }

    fn read(
        &mut self,
        t: &TableInfo,
        plan: &ReadPlan,
        cancel: &AtomicBool,
        row: &mut RowFn<'_>,
    ) -> Result<ReadStats, DbError> {
        let q = t.qualified();
        let target = self.target.clone();
        let err = |e: rusqlite::Error| query_error(&target, &q, &e);
        let Some((cols, select)) = select_list(t, plan, '"', "") else {
            return Ok(ReadStats::nothing());
        };
        let from = quote('"', &t.name);
        let mut stats = ReadStats::default();
        if plan.full {
            // One streaming statement: SQLite reads pages as the rows are stepped through, so
            // memory stays flat; the timeout is per statement and generous files need more.
            self.limit.store(u64::MAX, Ordering::Relaxed);
            let r = self.run(&format!("SELECT {select} FROM {from}"), &cols, cancel, row);
            self.limit.store(self.timeout_ms, Ordering::Relaxed);
            stats.rows = r.map_err(err)?;
            stats.method = "full".into();
        } else {
            let n = plan.rows();
            if t.int_key.is_some() && plan.samples(t) {
                let est = t.rows_estimate.unwrap_or(0);
                let (chunks, per) = plan.ranges();
                self.start();
                let lo: Option<i64> = self
                    .db
                    .query_row(&format!("SELECT min(rowid) FROM {from}"), [], |r| r.get(0))
                    .map_err(err)?;
                for s in range_starts(lo.unwrap_or(1), est as i64, chunks, plan.seed) {
                    stats.rows += self
                        .run(
                            &format!("SELECT {select} FROM {from} WHERE rowid >= {s} ORDER BY rowid LIMIT {per}"),
                            &cols,
                            cancel,
                            row,
                        )
                        .map_err(err)?;
                }
                stats.method = format!("rowid ranges ({chunks} × {per})");
            } else {
                stats.rows = self
                    .run(
                        &format!("SELECT {select} FROM {from} LIMIT {n}"),
                        &cols,
                        cancel,
                        row,
                    )
                    .map_err(err)?;
                stats.method = plan.limit_method(t);
            }
        }
        if cancel.load(Ordering::Relaxed) {
            return Err(DbError::Cancelled);
        }
        Ok(stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_from_create_text() {
        let sql = "CREATE TABLE t (\n  id INTEGER PRIMARY KEY, -- 编号\n  \"sfzh\" TEXT, -- 身份证号\n  xm TEXT -- 姓名\n)";
        let c = comments(sql);
        assert_eq!(
            c,
            vec![
                ("id".to_owned(), "编号".to_owned()),
                ("sfzh".to_owned(), "身份证号".to_owned()),
                ("xm".to_owned(), "姓名".to_owned())
            ]
        );
    }

    #[test]
    fn affinity() {
        assert_eq!(kind("BIGINT"), ValueKind::Integer { digits: 19 });
        assert_eq!(kind("varchar(20)"), ValueKind::Text);
        assert_eq!(kind("DATE"), ValueKind::Date);
        assert_eq!(kind(""), ValueKind::Other);
    }
}
