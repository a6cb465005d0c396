//! PostgreSQL: discovery through `pg_catalog`, sampling with `TABLESAMPLE`, full reads through a
//! portal fetched in batches. Every session is read-only with statement and lock timeouts.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use postgres::error::SqlState;
use postgres::{Client, NoTls};

use crate::{
    quote, select_list, ColumnInfo, Connection, DbError, DbTarget, ReadPlan, ReadStats, RowFn,
    SampleMethod, SessionOptions, TableInfo, TableKind, ValueKind,
};

pub(crate) struct PgConnection {
    pub(crate) client: Client,
    target: DbTarget,
}

const SYSTEM_SCHEMAS: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'";

impl PgConnection {
    pub(crate) fn connect(t: &DbTarget, s: &SessionOptions) -> Result<Self, DbError> {
        let mut cfg = postgres::Config::new();
        cfg.host(&t.host)
            .port(t.port)
            .user(t.user.as_deref().unwrap_or("postgres"))
            .dbname(t.database.as_deref().unwrap_or("postgres"))
            .application_name("anshu")
            .connect_timeout(s.connect_timeout);
        if let Some(p) = &t.password {
            cfg.password(p.expose());
        }
        let mut client = cfg.connect(NoTls).map_err(|e| connect_error(t, &e))?;
        // Read-only for the whole session, so no statement of ours can write even by mistake;
        // the timeouts bound what any one statement can cost the server.
        let setup = format!(
            "SET default_transaction_read_only = on; SET statement_timeout = {}; SET lock_timeout = {}; SET idle_in_transaction_session_timeout = {}",
            s.statement_timeout.as_millis(),
            s.lock_timeout.as_millis(),
            s.statement_timeout.as_millis().saturating_mul(4),
        );
        client
            .batch_execute(&setup)
            .map_err(|e| query_error(t, "session setup", &e))?;
        Ok(PgConnection {
            client,
            target: t.clone(),
        })
    }
}

pub(crate) fn message(t: &DbTarget, e: &postgres::Error) -> String {
    let m = match e.as_db_error() {
        Some(d) => format!("{} ({})", d.message(), d.code().code()),
        None => {
            let mut s = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(x) = src {
                s = format!("{s}: {x}");
                src = x.source();
            }
            s
        }
    };
    t.scrub(&m)
}

pub(crate) fn connect_error(t: &DbTarget, e: &postgres::Error) -> DbError {
    let code = e.code();
    let msg = message(t, e);
    if code == Some(&SqlState::INVALID_PASSWORD)
        || code == Some(&SqlState::INVALID_AUTHORIZATION_SPECIFICATION)
    {
        DbError::Auth {
            target: t.display(),
            message: msg,
        }
    } else {
        DbError::Unreachable {
            target: t.display(),
            message: msg,
        }
    }
}

pub(crate) fn query_error(t: &DbTarget, table: &str, e: &postgres::Error) -> DbError {
    let msg = message(t, e);
    let table = table.to_owned();
    match e.code() {
        Some(c) if *c == SqlState::INSUFFICIENT_PRIVILEGE => DbError::Permission {
            table,
            message: msg,
        },
        Some(c) if *c == SqlState::UNDEFINED_TABLE || *c == SqlState::UNDEFINED_COLUMN => {
            DbError::Missing {
                table,
                message: msg,
            }
        }
        Some(c) if *c == SqlState::QUERY_CANCELED || *c == SqlState::LOCK_NOT_AVAILABLE => {
            DbError::Timeout {
                table,
                message: msg,
            }
        }
        _ if e.is_closed() => DbError::Unreachable {
            target: t.display(),
            message: msg,
        },
        _ => DbError::Query {
            table,
            message: msg,
        },
    }
}

/// A transaction that can only read; each read runs in one, on top of the read-only session.
fn read_only(client: &mut Client) -> Result<postgres::Transaction<'_>, postgres::Error> {
    client.build_transaction().read_only(true).start()
}

/// `"schema"."table"`.
fn relation(t: &TableInfo) -> String {
    format!("{}.{}", quote('"', &t.schema), quote('"', &t.name))
}

fn kind(typname: &str, category: &str, formatted: &str) -> ValueKind {
    match typname {
        "int2" => ValueKind::Integer { digits: 5 },
        "int4" | "oid" => ValueKind::Integer { digits: 10 },
        "int8" => ValueKind::Integer { digits: 19 },
        "numeric" => ValueKind::Decimal {
            digits: formatted
                .split(['(', ','])
                .nth(1)
                .and_then(|p| p.trim_end_matches(')').trim().parse().ok())
                .unwrap_or(0),
        },
        "float4" | "float8" => ValueKind::Float,
        "date" => ValueKind::Date,
        "timestamp" | "timestamptz" => ValueKind::DateTime,
        "time" | "timetz" | "interval" => ValueKind::Time,
        "bool" => ValueKind::Bool,
        "bytea" => ValueKind::Binary,
        "uuid" => ValueKind::Uuid,
        "json" | "jsonb" | "xml" | "macaddr" | "macaddr8" => ValueKind::Text,
        _ => match category {
            "S" | "E" | "A" | "I" => ValueKind::Text,
            _ => ValueKind::Other,
        },
    }
}

impl PgConnection {
    fn emit(
        rows: &[postgres::Row],
        cols: &[usize],
        row: &mut RowFn<'_>,
    ) -> Result<(), postgres::Error> {
        let mut cells: Vec<(usize, String)> = Vec::with_capacity(cols.len());
        for r in rows {
            cells.clear();
            for (k, &c) in cols.iter().enumerate() {
                if let Some(v) = r.try_get::<_, Option<String>>(k)? {
                    cells.push((c, v));
                }
            }
            let refs: Vec<(usize, &str)> = cells.iter().map(|(c, v)| (*c, v.as_str())).collect();
            row(&refs);
        }
        Ok(())
    }
}

impl Connection for PgConnection {
    fn tables(
        &mut self,
        views: bool,
        filter: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<TableInfo>, DbError> {
        let kinds = if views {
            "'r', 'p', 'm', 'f', 'v'"
        } else {
            "'r', 'p', 'm', 'f'"
        };
        let sql = format!(
            "SELECT c.oid::int8, n.nspname::text, c.relname::text, c.relkind::text, obj_description(c.oid, 'pg_class'),
                    c.reltuples::float8, CASE WHEN c.relkind IN ('r', 'm') THEN c.relpages::int8 * current_setting('block_size')::int8 END,
                    has_table_privilege(c.oid, 'SELECT'),
                    (SELECT s.n_tup_ins || '/' || s.n_tup_upd || '/' || s.n_tup_del FROM pg_stat_all_tables s WHERE s.relid = c.oid)
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ({kinds}) AND NOT c.relispartition AND {SYSTEM_SCHEMAS}
             -- Sizes come from pg_class, not pg_relation_size(): the latter takes a lock on
             -- the table and would wait behind anyone holding an exclusive one.
             ORDER BY 2, 3"
        );
        let t = self.target.clone();
        let rows = self
            .client
            .query(&sql, &[])
            .map_err(|e| query_error(&t, "pg_catalog", &e))?;
        let mut out: Vec<TableInfo> = Vec::new();
        let mut by_oid: HashMap<i64, usize> = HashMap::new();
        for r in rows {
            let get = |i: usize| r.try_get::<_, Option<String>>(i).ok().flatten();
            let oid: i64 = r.try_get(0).unwrap_or(0);
            let schema = get(1).unwrap_or_default();
            let name = get(2).unwrap_or_default();
            if !filter(&format!("{schema}.{name}")) {
                continue;
            }
            let relkind = get(3).unwrap_or_default();
            let est: Option<f64> = r.try_get(5).ok().flatten();
            let size: Option<i64> = r.try_get(6).ok().flatten();
            by_oid.insert(oid, out.len());
            out.push(TableInfo {
                schema,
                name,
                kind: if relkind == "v" {
                    TableKind::View
                } else {
                    TableKind::Table
                },
                comment: get(4),
                columns: Vec::new(),
                rows_estimate: est.filter(|x| *x >= 0.0).map(|x| x as u64),
                size_bytes: size.map(|x| x.max(0) as u64),
                int_key: None,
                change_marker: get(8),
                readable: r.try_get(7).unwrap_or(true),
            });
        }
        let cols = self
            .client
            .query(
                &format!(
                    "SELECT a.attrelid::int8, a.attname::text, format_type(a.atttypid, a.atttypmod), t.typname::text,
                            t.typcategory::text, col_description(a.attrelid, a.attnum)
                     FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                          JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ({kinds}) AND {SYSTEM_SCHEMAS}
                     ORDER BY a.attrelid, a.attnum"
                ),
                &[],
            )
            .map_err(|e| query_error(&t, "pg_catalog", &e))?;
        for r in cols {
            let oid: i64 = r.try_get(0).unwrap_or(0);
            let Some(&i) = by_oid.get(&oid) else { continue };
            let get = |i: usize| r.try_get::<_, Option<String>>(i).ok().flatten();
            let formatted = get(2).unwrap_or_default();
            out[i].columns.push(ColumnInfo {
                name: get(1).unwrap_or_default(),
                kind: kind(
                    &get(3).unwrap_or_default(),
                    &get(4).unwrap_or_default(),
                    &formatted,
                ),
                data_type: formatted,
                comment: get(5).filter(|c| !c.trim().is_empty()),
            });
        }
        Ok(out)
    }

    fn count(&mut self, t: &TableInfo) -> Result<u64, DbError> {
        let q = t.qualified();
        let from = relation(t);
        let target = self.target.clone();
        let mut tx = read_only(&mut self.client).map_err(|e| query_error(&target, &q, &e))?;
        let n: i64 = tx
            .query_one(&format!("SELECT count(*) FROM {from}"), &[])
            .and_then(|r| r.try_get(0))
            .map_err(|e| query_error(&target, &q, &e))?;
        tx.commit().map_err(|e| query_error(&target, &q, &e))?;
        Ok(n.max(0) as u64)
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
        let err = |e: postgres::Error| query_error(&target, &q, &e);
        let Some((cols, select)) = select_list(t, plan, '"', "::text") else {
            return Ok(ReadStats::nothing());
        };
        let from = relation(t);
        let mut stats = ReadStats::default();
        let mut counted = |rows: &[postgres::Row], stats: &mut ReadStats| {
            stats.rows += rows.len() as u64;
            Self::emit(rows, &cols, row)
        };

        if plan.full {
            let mut tx = read_only(&mut self.client).map_err(err)?;
            let portal = tx
                .bind(&format!("SELECT {select} FROM {from}"), &[])
                .map_err(err)?;
            let batch = plan.batch_rows.clamp(1, i32::MAX as usize) as i32;
            loop {
                if cancel.load(Ordering::Relaxed) {
                    return Err(DbError::Cancelled);
                }
                let rows = tx.query_portal(&portal, batch).map_err(err)?;
                counted(&rows, &mut stats).map_err(err)?;
                if rows.len() < batch as usize {
                    break;
                }
            }
            tx.commit().map_err(err)?;
            stats.method = "full".into();
            return Ok(stats);
        }

        let n = plan.rows();
        if t.kind == TableKind::Table && plan.samples(t) {
            let est = t.rows_estimate.unwrap_or(0);
            // Ask for three times the rows wanted: SYSTEM picks whole pages, so the yield varies.
            let pct = (300.0 * n as f64 / est as f64).clamp(0.0001, 100.0);
            let how = if plan.method == SampleMethod::Bernoulli {
                "BERNOULLI"
            } else {
                "SYSTEM"
            };
            let sql = format!(
                "SELECT {select} FROM {from} TABLESAMPLE {how} ({pct}) REPEATABLE ({}) LIMIT {n}",
                plan.seed
            );
            let mut tx = read_only(&mut self.client).map_err(err)?;
            match tx.query(&sql, &[]) {
                Ok(rows) => {
                    counted(&rows, &mut stats).map_err(err)?;
                    stats.method = format!("tablesample {} {pct:.3}%", how.to_lowercase());
                    // Stale statistics or clustered free space can leave the sample short; the
                    // first rows top it up rather than leaving the column decisions thin.
                    if rows.len() < n / 2 {
                        let more = tx
                            .query(
                                &format!("SELECT {select} FROM {from} LIMIT {}", n - rows.len()),
                                &[],
                            )
                            .map_err(err)?;
                        counted(&more, &mut stats).map_err(err)?;
                        stats.method.push_str(" + first rows");
                    }
                    tx.commit().map_err(err)?;
                    return Ok(stats);
                }
                Err(e) if e.code() == Some(&SqlState::FEATURE_NOT_SUPPORTED) => {
                    // A foreign table or another relation TABLESAMPLE cannot read: fall back.
                    drop(tx);
                }
                Err(e) => return Err(err(e)),
            }
        }
        let mut tx = read_only(&mut self.client).map_err(err)?;
        let rows = tx
            .query(&format!("SELECT {select} FROM {from} LIMIT {n}"), &[])
            .map_err(err)?;
        counted(&rows, &mut stats).map_err(err)?;
        tx.commit().map_err(err)?;
        stats.method = plan.limit_method(t);
        Ok(stats)
    }
}
