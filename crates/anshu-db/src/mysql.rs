//! MySQL and MariaDB: discovery through `information_schema`, sampling by random primary-key
//! ranges (index range scans, never a full scan), full reads in key-ordered batches. Sessions
//! are read-only with the server's own statement limit (`max_statement_time` on MariaDB,
//! `max_execution_time` on MySQL) and short lock waits.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use mysql::prelude::Queryable;
use mysql::{Conn, Opts, OptsBuilder, Value};

use crate::{
    quote, range_starts, select_list, ColumnInfo, Connection, DbError, DbTarget, ReadPlan,
    ReadStats, RowFn, SessionOptions, TableInfo, TableKind, ValueKind,
};

pub(crate) struct MyConnection {
    pub(crate) conn: Conn,
    pub(crate) opts: Opts,
    target: DbTarget,
}

const SYSTEM_SCHEMAS: &str = "('mysql', 'information_schema', 'performance_schema', 'sys')";

fn message(t: &DbTarget, e: &mysql::Error) -> String {
    let m = match e {
        mysql::Error::MySqlError(m) => format!("{} (error {})", m.message, m.code),
        mysql::Error::DriverError(d) => d.to_string(),
        mysql::Error::IoError(io) => io.to_string(),
        other => other.to_string(),
    };
    t.scrub(&m)
}

fn server_code(e: &mysql::Error) -> Option<u16> {
    match e {
        mysql::Error::MySqlError(m) => Some(m.code),
        _ => None,
    }
}

pub(crate) fn connect_error(t: &DbTarget, e: &mysql::Error) -> DbError {
    match server_code(e) {
        // Access denied for user / to database.
        Some(1045) | Some(1044) | Some(1698) => DbError::Auth {
            target: t.display(),
            message: message(t, e),
        },
        _ => DbError::Unreachable {
            target: t.display(),
            message: message(t, e),
        },
    }
}

pub(crate) fn query_error(t: &DbTarget, table: &str, e: &mysql::Error) -> DbError {
    let msg = message(t, e);
    let table = table.to_owned();
    match server_code(e) {
        Some(1142) | Some(1143) | Some(1044) => DbError::Permission {
            table,
            message: msg,
        },
        Some(1146) | Some(1054) => DbError::Missing {
            table,
            message: msg,
        },
        // MySQL's max_execution_time, MariaDB's max_statement_time, interrupted, lock waits.
        Some(3024) | Some(1969) | Some(1317) | Some(1205) => DbError::Timeout {
            table,
            message: msg,
        },
        Some(_) => DbError::Query {
            table,
            message: msg,
        },
        None => DbError::Unreachable {
            target: t.display(),
            message: msg,
        },
    }
}

/// A value as text; `None` for NULL. The text protocol returns everything as bytes.
pub(crate) fn text(v: &Value) -> Option<String> {
    match v {
        Value::NULL => None,
        Value::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::Int(i) => Some(i.to_string()),
        Value::UInt(u) => Some(u.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Double(f) => Some(f.to_string()),
        Value::Date(y, m, d, h, mi, s, us) => Some(if (*h, *mi, *s, *us) == (0, 0, 0, 0) {
            format!("{y:04}-{m:02}-{d:02}")
        } else {
            format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}")
        }),
        Value::Time(neg, d, h, m, s, _) => Some(format!(
            "{}{:02}:{m:02}:{s:02}",
            if *neg { "-" } else { "" },
            u32::from(*h) + d * 24
        )),
    }
}

pub(crate) fn kind(data_type: &str, column_type: &str) -> ValueKind {
    let digits = || {
        column_type
            .split(['(', ','])
            .nth(1)
            .and_then(|p| p.trim_end_matches(')').trim().parse().ok())
            .unwrap_or(0)
    };
    match data_type.to_ascii_lowercase().as_str() {
        "tinyint" => ValueKind::Integer { digits: 3 },
        "smallint" => ValueKind::Integer { digits: 5 },
        "mediumint" => ValueKind::Integer { digits: 8 },
        "int" | "integer" => ValueKind::Integer { digits: 10 },
        "bigint" => ValueKind::Integer { digits: 20 },
        "decimal" | "numeric" => ValueKind::Decimal { digits: digits() },
        "float" | "double" | "real" => ValueKind::Float,
        "date" => ValueKind::Date,
        "datetime" | "timestamp" => ValueKind::DateTime,
        "time" | "year" => ValueKind::Time,
        "bit" | "bool" | "boolean" => ValueKind::Bool,
        "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob" | "geometry"
        | "point" | "linestring" | "polygon" | "multipoint" | "multilinestring"
        | "multipolygon" | "geometrycollection" => ValueKind::Binary,
        "char" | "varchar" | "tinytext" | "text" | "mediumtext" | "longtext" | "enum" | "set"
        | "json" => ValueKind::Text,
        _ => ValueKind::Other,
    }
}

fn is_integer(k: ValueKind) -> bool {
    matches!(k, ValueKind::Integer { .. })
}

impl MyConnection {
    pub(crate) fn connect(t: &DbTarget, s: &SessionOptions) -> Result<Self, DbError> {
        let opts: Opts = OptsBuilder::new()
            .ip_or_hostname(Some(t.host.clone()))
            .tcp_port(t.port)
            .user(Some(t.user.clone().unwrap_or_else(|| "root".into())))
            .pass(t.password.as_ref().map(|p| p.expose().to_owned()))
            .db_name(t.database.clone())
            .tcp_connect_timeout(Some(s.connect_timeout))
            .read_timeout(Some(s.statement_timeout * 2))
            .into();
        let mut conn = Conn::new(opts.clone()).map_err(|e| connect_error(t, &e))?;
        let version: Option<String> = conn
            .query_first("SELECT VERSION()")
            .map_err(|e| query_error(t, "session setup", &e))?;
        let mariadb = version.unwrap_or_default().contains("MariaDB");
        let limit = if mariadb {
            format!(
                "SET SESSION max_statement_time = {}",
                s.statement_timeout.as_secs_f64()
            )
        } else {
            format!(
                "SET SESSION max_execution_time = {}",
                s.statement_timeout.as_millis()
            )
        };
        let lock = s.lock_timeout.as_secs().max(1);
        for stmt in [
            "SET NAMES utf8mb4".to_owned(),
            "SET SESSION TRANSACTION READ ONLY".to_owned(),
            format!("SET SESSION lock_wait_timeout = {lock}"),
            format!("SET SESSION innodb_lock_wait_timeout = {lock}"),
            limit,
        ] {
            conn.query_drop(&stmt)
                .map_err(|e| query_error(t, "session setup", &e))?;
        }
        Ok(MyConnection {
            conn,
            opts,
            target: t.clone(),
        })
    }

    /// Stops the statement running on this connection from a second connection, so a cancelled
    /// read does not have to drain the rest of a large result.
    fn kill_running(&self) {
        let id = self.conn.connection_id();
        if let Ok(mut c) = Conn::new(self.opts.clone()) {
            let _ = c.query_drop(format!("KILL QUERY {id}"));
        }
    }

    fn schema_clause(&self) -> (String, Vec<Value>) {
        match &self.target.database {
            Some(db) => (
                "TABLE_SCHEMA = ?".into(),
                vec![Value::Bytes(db.as_bytes().to_vec())],
            ),
            None => (format!("TABLE_SCHEMA NOT IN {SYSTEM_SCHEMAS}"), Vec::new()),
        }
    }

    /// Runs a query and feeds its rows; returns the rows seen and the last value of column
    /// `key_at` (for keyset batches).
    fn run(
        &mut self,
        sql: &str,
        cols: &[usize],
        key_at: Option<usize>,
        cancel: &AtomicBool,
        row: &mut RowFn<'_>,
    ) -> Result<(u64, Option<i64>), mysql::Error> {
        let mut n = 0u64;
        let mut last = None;
        let mut cancelled = false;
        {
            let result = self.conn.query_iter(sql)?;
            let mut cells: Vec<(usize, String)> = Vec::with_capacity(cols.len());
            for r in result {
                let r = r?;
                if cancel.load(Ordering::Relaxed) {
                    cancelled = true;
                    break;
                }
                cells.clear();
                for (k, &c) in cols.iter().enumerate() {
                    if let Some(v) = r.as_ref(k).and_then(text) {
                        cells.push((c, v));
                    }
                }
                if let Some(k) = key_at {
                    last = r.as_ref(k).and_then(text).and_then(|s| s.parse().ok());
                }
                let refs: Vec<(usize, &str)> =
                    cells.iter().map(|(c, v)| (*c, v.as_str())).collect();
                row(&refs);
                n += 1;
            }
        }
        if cancelled {
            self.kill_running();
        }
        Ok((n, last))
    }
}

impl Connection for MyConnection {
    fn tables(
        &mut self,
        views: bool,
        filter: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<TableInfo>, DbError> {
        let t = self.target.clone();
        let (clause, params) = self.schema_clause();
        let kinds = if views {
            "('BASE TABLE', 'VIEW', 'SYSTEM VERSIONED')"
        } else {
            "('BASE TABLE', 'SYSTEM VERSIONED')"
        };
        let rows: Vec<mysql::Row> = self
            .conn
            .exec(
                format!(
                    "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, TABLE_COMMENT, TABLE_ROWS, DATA_LENGTH + INDEX_LENGTH,
                            CONCAT(COALESCE(DATA_LENGTH, ''), '/', COALESCE(UPDATE_TIME, ''))
                     FROM information_schema.TABLES WHERE {clause} AND TABLE_TYPE IN {kinds}
                     ORDER BY TABLE_SCHEMA, TABLE_NAME"
                ),
                params.clone(),
            )
            .map_err(|e| query_error(&t, "information_schema", &e))?;
        let mut out = Vec::new();
        let mut index: HashMap<(String, String), usize> = HashMap::new();
        for r in rows {
            let get = |i: usize| r.as_ref(i).and_then(text);
            let schema = get(0).unwrap_or_default();
            let name = get(1).unwrap_or_default();
            if !filter(&format!("{schema}.{name}")) {
                continue;
            }
            let view = get(2).as_deref() == Some("VIEW");
            index.insert((schema.clone(), name.clone()), out.len());
            out.push(TableInfo {
                schema,
                name,
                kind: if view {
                    TableKind::View
                } else {
                    TableKind::Table
                },
                comment: get(3).filter(|c| !(c.is_empty() || view && c == "VIEW")),
                columns: Vec::new(),
                rows_estimate: get(4).and_then(|s| s.parse().ok()),
                size_bytes: get(5).and_then(|s| s.parse().ok()),
                int_key: None,
                change_marker: get(6),
                readable: true,
            });
        }
        let cols: Vec<mysql::Row> = self
            .conn
            .exec(
                format!(
                    "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, COLUMN_COMMENT, COLUMN_KEY
                     FROM information_schema.COLUMNS WHERE {clause}
                     ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION"
                ),
                params,
            )
            .map_err(|e| query_error(&t, "information_schema", &e))?;
        let mut keys: HashMap<usize, Vec<(String, ValueKind)>> = HashMap::new();
        for r in cols {
            let get = |i: usize| r.as_ref(i).and_then(text);
            let key = (get(0).unwrap_or_default(), get(1).unwrap_or_default());
            let Some(&i) = index.get(&key) else { continue };
            let data_type = get(3).unwrap_or_default();
            let column_type = get(4).unwrap_or_default();
            let k = kind(&data_type, &column_type);
            let name = get(2).unwrap_or_default();
            if get(6).as_deref() == Some("PRI") {
                keys.entry(i).or_default().push((name.clone(), k));
            }
            out[i].columns.push(ColumnInfo {
                name,
                data_type: column_type,
                kind: k,
                comment: get(5).filter(|c| !c.trim().is_empty()),
            });
        }
        for (i, k) in keys {
            if let [(name, kind)] = k.as_slice() {
                if is_integer(*kind) {
                    out[i].int_key = Some(name.clone());
                }
            }
        }
        Ok(out)
    }

    fn count(&mut self, t: &TableInfo) -> Result<u64, DbError> {
        let target = self.target.clone();
        let q = t.qualified();
        let from = format!("{}.{}", quote('`', &t.schema), quote('`', &t.name));
        let n: Option<u64> = self
            .conn
            .query_first(format!("SELECT COUNT(*) FROM {from}"))
            .map_err(|e| query_error(&target, &q, &e))?;
        Ok(n.unwrap_or(0))
    }

    fn read(
        &mut self,
        t: &TableInfo,
        plan: &ReadPlan,
        cancel: &AtomicBool,
        row: &mut RowFn<'_>,
    ) -> Result<ReadStats, DbError> {
        let target = self.target.clone();
        let q = t.qualified();
        let err = |e: mysql::Error| query_error(&target, &q, &e);
        let Some((cols, mut select)) = select_list(t, plan, '`', "") else {
            return Ok(ReadStats::nothing());
        };
        let from = format!("{}.{}", quote('`', &t.schema), quote('`', &t.name));
        let key = t.int_key.as_deref().map(|k| quote('`', k));
        let mut stats = ReadStats::default();
        self.conn
            .query_drop("START TRANSACTION READ ONLY")
            .map_err(err)?;
        let result = (|| -> Result<(), DbError> {
            if plan.full {
                match &key {
                    Some(k) => {
                        // Keyset batches: each statement is a short index range scan, so the
                        // statement limit applies per batch and cancellation is prompt.
                        select.push_str(&format!(", {k}"));
                        let mut last: Option<i64> = None;
                        loop {
                            if cancel.load(Ordering::Relaxed) {
                                return Err(DbError::Cancelled);
                            }
                            let cond = last
                                .map(|l| format!("WHERE {k} > {l} "))
                                .unwrap_or_default();
                            let sql = format!(
                                "SELECT {select} FROM {from} {cond}ORDER BY {k} LIMIT {}",
                                plan.batch_rows.max(1)
                            );
                            let (n, l) = self
                                .run(&sql, &cols, Some(cols.len()), cancel, row)
                                .map_err(err)?;
                            stats.rows += n;
                            if (n as usize) < plan.batch_rows.max(1) || l.is_none() {
                                break;
                            }
                            last = l;
                        }
                        stats.method = "full (key batches)".into();
                    }
                    None => {
                        let (n, _) = self
                            .run(
                                &format!("SELECT {select} FROM {from}"),
                                &cols,
                                None,
                                cancel,
                                row,
                            )
                            .map_err(err)?;
                        stats.rows = n;
                        stats.method = "full (streamed)".into();
                    }
                }
                if cancel.load(Ordering::Relaxed) {
                    return Err(DbError::Cancelled);
                }
                return Ok(());
            }
            let n = plan.rows();
            if let (Some(k), true) = (&key, plan.samples(t)) {
                let bounds: Option<(Option<i64>, Option<i64>)> = self
                    .conn
                    .query_first(format!("SELECT MIN({k}), MAX({k}) FROM {from}"))
                    .map_err(err)?;
                if let Some((Some(lo), Some(hi))) = bounds {
                    let (chunks, per) = plan.ranges();
                    for s in range_starts(lo, hi, chunks, plan.seed) {
                        if cancel.load(Ordering::Relaxed) {
                            return Err(DbError::Cancelled);
                        }
                        let sql = format!(
                            "SELECT {select} FROM {from} WHERE {k} >= {s} ORDER BY {k} LIMIT {per}"
                        );
                        stats.rows += self.run(&sql, &cols, None, cancel, row).map_err(err)?.0;
                    }
                    stats.method = format!("key ranges ({chunks} × {per})");
                    return Ok(());
                }
            }
            let (got, _) = self
                .run(
                    &format!("SELECT {select} FROM {from} LIMIT {n}"),
                    &cols,
                    None,
                    cancel,
                    row,
                )
                .map_err(err)?;
            stats.rows = got;
            stats.method = plan.limit_method(t);
            Ok(())
        })();
        // Ending the read-only transaction releases the snapshot; nothing was written.
        let _ = self.conn.query_drop("COMMIT");
        result.map(|_| stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(
            kind("bigint", "bigint(20)"),
            ValueKind::Integer { digits: 20 }
        );
        assert_eq!(
            kind("decimal", "decimal(18,0)"),
            ValueKind::Decimal { digits: 18 }
        );
        assert_eq!(kind("LONGBLOB", "longblob"), ValueKind::Binary);
        assert_eq!(kind("varchar", "varchar(32)"), ValueKind::Text);
    }

    #[test]
    fn text_forms() {
        assert_eq!(
            text(&Value::Date(1990, 1, 2, 0, 0, 0, 0)).as_deref(),
            Some("1990-01-02")
        );
        assert_eq!(text(&Value::NULL), None);
        assert_eq!(
            text(&Value::Bytes("张三".as_bytes().to_vec())).as_deref(),
            Some("张三")
        );
    }
}
