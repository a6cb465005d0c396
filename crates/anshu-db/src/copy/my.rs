//! MariaDB and MySQL copies: each table is created from its own `SHOW CREATE TABLE` in the target
//! database, rows are read through the text protocol (keyset batches on an integer primary key,
//! else one streamed statement) and written with multi-row prepared INSERTs, so every value —
//! bytes included — travels as a parameter and nothing needs escaping.
//!
//! **Kept:** everything `SHOW CREATE TABLE` says: column names, exact types, character sets and
//! collations, NOT NULL, defaults, generated columns, AUTO_INCREMENT (with the source's next
//! value), invisible columns, PRIMARY KEY, UNIQUE, CHECK, the engine, table options and
//! partitioning, comments; secondary (plain, FULLTEXT, SPATIAL) indexes and foreign keys between
//! copied tables are taken out of the CREATE statement and added after the load, the indexes
//! right after their table's, the foreign keys once all tables are in.
//!
//! **Not kept:** triggers, grants, foreign keys to tables that are not copied, history rows of
//! system-versioned tables (only current rows are read). Foreign keys are added with
//! `FOREIGN_KEY_CHECKS=0`, as a dump is restored: InnoDB would otherwise rebuild the table to
//! check them, and the rows came from a database that enforced them.
//!
//! Both sessions use UTC (`TIMESTAMP` values read and written in the same zone round-trip
//! exactly); the writing one uses `sql_mode` `STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO` so that
//! a value the map made too long fails instead of being cut, a 0 in an AUTO_INCREMENT column
//! stays 0, and zero dates load as they were read.

use std::sync::atomic::{AtomicBool, Ordering};

use mysql::prelude::Queryable;
use mysql::{Conn, Opts, OptsBuilder, Params, Value};

use super::{
    check_columns, dangling, from_hex, not_hex, same_host, to_hex, ColumnPlan, Coordinator,
    ForeignKey, RowMap, Step, TablePlan, Worker, WorkerOpener,
};
use crate::mysql::{connect_error, kind, query_error, text, MyConnection};
use crate::{
    quote, CopyOptions, CopyTarget, DbError, DbTarget, SessionOptions, TableInfo, ValueKind,
};

fn qi(s: &str) -> String {
    quote('`', s)
}

/// Placeholders in one prepared statement are limited to 65,535 by the protocol.
const MAX_PARAMS: usize = 65_535;
/// Bytes of values per INSERT, well below the default `max_allowed_packet` (16 MiB on MariaDB,
/// 64 MiB on MySQL).
const MAX_STATEMENT_BYTES: usize = 4 << 20;

fn is_mariadb(c: &mut Conn, t: &DbTarget) -> Result<bool, DbError> {
    let v: Option<String> = c
        .query_first("SELECT VERSION()")
        .map_err(|e| query_error(t, "session setup", &e))?;
    Ok(v.unwrap_or_default().contains("MariaDB"))
}

/// A read-only session on the source, as a scan opens it, in UTC and with `SHOW CREATE TABLE`
/// printing backquoted names whatever the server's `sql_mode`.
fn reader(source: &DbTarget, s: &SessionOptions) -> Result<(Conn, Opts, bool), DbError> {
    let c = MyConnection::connect(source, s)?;
    let (mut conn, opts) = (c.conn, c.opts);
    let mariadb = is_mariadb(&mut conn, source)?;
    for stmt in [
        "SET SESSION time_zone = '+00:00'",
        "SET SESSION sql_mode = ''",
        "SET SESSION sql_quote_show_create = 1",
    ] {
        conn.query_drop(stmt)
            .map_err(|e| query_error(source, "session setup", &e))?;
    }
    Ok((conn, opts, mariadb))
}

/// A writing session on the target: the lock timeouts, no statement limit and no client read
/// timeout (an index build on a large table answers only when done).
fn writer(t: &DbTarget, s: &SessionOptions) -> Result<Conn, DbError> {
    let opts: Opts = OptsBuilder::new()
        .ip_or_hostname(Some(t.host.clone()))
        .tcp_port(t.port)
        .user(Some(t.user.clone().unwrap_or_else(|| "root".into())))
        .pass(t.password.as_ref().map(|p| p.expose().to_owned()))
        .tcp_connect_timeout(Some(s.connect_timeout))
        .into();
    let mut conn = Conn::new(opts).map_err(|e| connect_error(t, &e))?;
    let mariadb = is_mariadb(&mut conn, t)?;
    let lock = s.lock_timeout.as_secs().max(1);
    for stmt in [
        "SET NAMES utf8mb4".to_owned(),
        "SET SESSION time_zone = '+00:00'".to_owned(),
        "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'"
            .to_owned(),
        // Tables are created, loaded and linked in any order; keys are added after the load.
        "SET SESSION foreign_key_checks = 0".to_owned(),
        format!("SET SESSION lock_wait_timeout = {lock}"),
        format!("SET SESSION innodb_lock_wait_timeout = {lock}"),
        if mariadb {
            "SET SESSION max_statement_time = 0".to_owned()
        } else {
            "SET SESSION max_execution_time = 0".to_owned()
        },
    ] {
        conn.query_drop(&stmt)
            .map_err(|e| query_error(t, "session setup", &e))?;
    }
    Ok(conn)
}

pub(crate) struct MyCoordinator {
    source: DbTarget,
    dest: DbTarget,
    session: SessionOptions,
    src: Conn,
    dst: Conn,
    /// The target database.
    db: String,
}

impl MyCoordinator {
    pub(crate) fn open(
        source: &DbTarget,
        dest: &CopyTarget,
        tables: &[TableInfo],
        opts: &CopyOptions,
    ) -> Result<Self, DbError> {
        let (mut src, _, _) = reader(source, &opts.session)?;
        let mut dst = writer(&dest.target, &opts.session)?;
        let home = source.database.clone().or_else(|| {
            let first = tables.first()?;
            tables
                .iter()
                .all(|t| t.schema == first.schema)
                .then(|| first.schema.clone())
        });
        let db = match (dest.schema.clone().filter(|s| !s.is_empty()), &home) {
            (Some(s), _) => s,
            (None, Some(h)) => format!("{h}_masked"),
            (None, None) if tables.is_empty() => "masked".into(),
            (None, None) => {
                return Err(DbError::CopyUnsupported {
                    message: "the tables come from several databases; name the target database"
                        .into(),
                })
            }
        };

        // The same server is recognised by what it says about itself as well as by the
        // address, so that `localhost` and a host name of one server are caught.
        let ident = |c: &mut Conn, t: &DbTarget| -> Result<String, DbError> {
            let r: Option<mysql::Row> = c
                .query_first("SELECT CONCAT_WS(' ', @@hostname, @@port, @@datadir)")
                .map_err(|e| query_error(t, "session setup", &e))?;
            Ok(r.and_then(|r| r.as_ref(0).and_then(text))
                .unwrap_or_default())
        };
        let same_server = ident(&mut src, source)? == ident(&mut dst, &dest.target)?
            || (same_host(&source.host, &dest.target.host) && source.port == dest.target.port);
        // Database names compare without case: on a server with lower_case_table_names they
        // are one, and refusing a distinct name that differs only in case costs nothing.
        if same_server && tables.iter().any(|t| t.schema.eq_ignore_ascii_case(&db)) {
            return Err(DbError::CopyOntoSource {
                message: format!(
                    "database {db} on {} holds tables being copied; name another target database",
                    dest.target.display()
                ),
            });
        }

        let exists: Option<u8> = dst
            .exec_first(
                "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
                (db.as_str(),),
            )
            .map_err(|e| query_error(&dest.target, &db, &e))?;
        if exists.is_none() {
            // The source database's character set, so that tables declaring none get the same.
            let charset: Option<(String, String)> = match &home {
                Some(h) => src
                    .exec_first(
                        "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME
                         FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
                        (h.as_str(),),
                    )
                    .map_err(|e| query_error(source, h, &e))?,
                None => None,
            };
            let charset = charset
                .filter(|(c, o)| ident_safe(c) && ident_safe(o))
                .map(|(c, o)| format!(" CHARACTER SET {c} COLLATE {o}"))
                .unwrap_or_default();
            dst.query_drop(format!("CREATE DATABASE {}{charset}", qi(&db)))
                .map_err(|e| query_error(&dest.target, &db, &e))?;
        }
        Ok(MyCoordinator {
            source: source.clone(),
            dest: dest.target.clone(),
            session: opts.session.clone(),
            src,
            dst,
            db,
        })
    }
}

/// A character set or collation name, safe to write unquoted.
fn ident_safe(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

impl Coordinator for MyCoordinator {
    fn name_key(&self, name: &str) -> String {
        name.to_lowercase()
    }

    fn target_name(&self, name: &str) -> String {
        format!("{}.{name}", self.db)
    }

    fn create(
        &mut self,
        t: &TableInfo,
        replace: bool,
        resolve: &dyn Fn(&str, &str) -> Option<usize>,
    ) -> Result<TablePlan, DbError> {
        let q = t.qualified();
        let source = self.source.clone();
        let err = |e: mysql::Error| query_error(&source, &q, &e);
        let key = (t.schema.as_str(), t.name.as_str());
        let ty: Option<String> = self
            .src
            .exec_first(
                "SELECT TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                key,
            )
            .map_err(err)?;
        match ty.as_deref() {
            None => {
                return Err(DbError::Missing {
                    table: q,
                    message: "not found in information_schema".into(),
                })
            }
            Some("BASE TABLE") | Some("SYSTEM VERSIONED") => {}
            Some(other) => {
                return Err(DbError::CopyUnsupported {
                    message: format!(
                        "{q} is a {}; only base tables are copied",
                        other.to_lowercase()
                    ),
                })
            }
        }
        let cols: Vec<(String, String, String, String)> = self
            .src
            .exec(
                "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, EXTRA FROM information_schema.COLUMNS
                 WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
                key,
            )
            .map_err(err)?;
        let columns: Vec<ColumnPlan> = cols
            .iter()
            .map(|(name, data_type, column_type, extra)| {
                let extra = extra.to_ascii_uppercase();
                ColumnPlan {
                    name: name.clone(),
                    binary: kind(data_type, column_type) == ValueKind::Binary,
                    // MySQL marks expression defaults DEFAULT_GENERATED: not a generated column.
                    generated: ["VIRTUAL", "STORED", "PERSISTENT"]
                        .iter()
                        .any(|w| extra.contains(w)),
                    bit: data_type.eq_ignore_ascii_case("bit"),
                }
            })
            .collect();
        check_columns(
            t,
            &columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
        )?;
        let shown: Option<mysql::Row> = self
            .src
            .query_first(format!(
                "SHOW CREATE TABLE {}.{}",
                qi(&t.schema),
                qi(&t.name)
            ))
            .map_err(err)?;
        let Some(create) = shown.and_then(|r| r.as_ref(1).and_then(text)) else {
            return Err(DbError::Missing {
                table: q,
                message: "SHOW CREATE TABLE returned nothing".into(),
            });
        };
        let triggers: Vec<String> = self
            .src
            .exec(
                "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS
                 WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ? ORDER BY 1",
                key,
            )
            .map_err(err)?;

        let tgt = format!("{}.{}", qi(&self.db), qi(&t.name));
        let target_name = format!("{}.{}", self.db, t.name);
        let Some((items, tail)) = split_create(&create) else {
            return Err(DbError::CopyUnsupported {
                message: format!("{q}: SHOW CREATE TABLE printed a statement not understood"),
            });
        };
        let mut kept = Vec::new();
        let mut keys = Vec::new();
        let mut plan = TablePlan {
            target_name: target_name.clone(),
            target_sql: tgt.clone(),
            columns,
            after_load: Vec::new(),
            foreign_keys: Vec::new(),
            notes: triggers
                .iter()
                .map(|n| format!("trigger {n} not copied"))
                .collect(),
        };
        for item in items {
            let s = item.trim_start();
            if ["KEY ", "INDEX ", "FULLTEXT ", "SPATIAL ", "VECTOR "]
                .iter()
                .any(|p| s.starts_with(p))
            {
                keys.push(format!("ADD {s}"));
                continue;
            }
            let Some(fk) = parse_fk(s) else {
                kept.push(item);
                continue;
            };
            let parent_db = fk.db.clone().unwrap_or_else(|| t.schema.clone());
            let name = fk.name.clone().unwrap_or_else(|| "(unnamed)".into());
            match resolve(&parent_db, &fk.table) {
                Some(at) => {
                    let parent = format!("{}.{}", qi(&self.db), qi(&fk.table));
                    plan.foreign_keys.push(ForeignKey {
                        check: dangling_rows(&tgt, &fk.columns, &parent, &fk.references),
                        add: Some(format!(
                            "ALTER TABLE {tgt} ADD {}{parent}{}",
                            fk.before, fk.after
                        )),
                        name,
                        parent: at,
                    })
                }
                None => plan.notes.push(format!(
                    "foreign key {name} not copied: it references {parent_db}.{}, which is not \
                     among the tables copied",
                    fk.table
                )),
            }
        }
        if !keys.is_empty() {
            plan.after_load.push(Step {
                sql: format!("ALTER TABLE {tgt} {}", keys.join(", ")),
            });
        }
        let create = format!("CREATE TABLE {tgt} (\n{}\n{tail}", kept.join(",\n"));

        let dest = self.dest.clone();
        let werr = |e: mysql::Error| query_error(&dest, &target_name, &e);
        let existing: Option<String> = self
            .dst
            .exec_first(
                "SELECT TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                (self.db.as_str(), t.name.as_str()),
            )
            .map_err(werr)?;
        if let Some(ty) = existing {
            if !replace {
                return Err(DbError::CopyExists {
                    table: target_name.clone(),
                    message: "replace it or name another target database".into(),
                });
            }
            let what = if ty == "VIEW" { "VIEW" } else { "TABLE" };
            self.dst
                .query_drop(format!("DROP {what} {tgt}"))
                .map_err(werr)?;
        }
        self.dst.query_drop(&create).map_err(werr)?;
        Ok(plan)
    }

    fn worker_opener(&self) -> Box<WorkerOpener> {
        let (source, dest, session) =
            (self.source.clone(), self.dest.clone(), self.session.clone());
        Box::new(move || {
            let (src, src_opts, mariadb) = reader(&source, &session)?;
            Ok(Box::new(MyWorker {
                src,
                src_opts,
                mariadb,
                dst: writer(&dest, &session)?,
                source: source.clone(),
                dest: dest.clone(),
                session: session.clone(),
            }) as Box<dyn Worker>)
        })
    }

    /// Keys are added with FOREIGN_KEY_CHECKS=0 (no table rebuild); the rows are checked by a
    /// query first, and a key they break is not added.
    fn link(&mut self, fk: &ForeignKey, table: &str) -> Result<(), DbError> {
        let dest = self.dest.clone();
        let err = |e: mysql::Error| query_error(&dest, table, &e);
        if let Some(check) = &fk.check {
            let n: Option<i64> = self.dst.query_first(check).map_err(err)?;
            if let Some(n) = n.filter(|n| *n > 0) {
                return Err(dangling(table, &fk.name, n));
            }
        }
        if let Some(sql) = &fk.add {
            self.dst.query_drop(sql).map_err(err)?;
        }
        Ok(())
    }
}

/// `SHOW CREATE TABLE` output split into its items (columns, keys, constraints; trailing commas
/// removed, each as printed with its indentation) and what follows the closing parenthesis
/// (table options, partitioning). The server prints one item per line, indented by two spaces;
/// a line that does not start an item continues the previous one.
fn split_create(sql: &str) -> Option<(Vec<String>, String)> {
    let mut lines = sql.lines();
    let head = lines.next()?;
    if !head.starts_with("CREATE TABLE ") || !head.trim_end().ends_with('(') {
        return None;
    }
    let mut items: Vec<String> = Vec::new();
    let mut tail = None;
    for line in lines.by_ref() {
        if line.starts_with(')') {
            tail = Some(line.to_owned());
            break;
        }
        match items.last_mut() {
            Some(last) if !starts_item(line) => {
                last.push('\n');
                last.push_str(line);
            }
            _ => items.push(line.to_owned()),
        }
    }
    let mut tail = tail?;
    for line in lines {
        tail.push('\n');
        tail.push_str(line);
    }
    let items = items
        .into_iter()
        .map(|i| match i.strip_suffix(',') {
            Some(s) => s.to_owned(),
            None => i,
        })
        .collect();
    Some((items, tail))
}

fn starts_item(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("  ") else {
        return false;
    };
    rest.starts_with('`')
        || [
            "PRIMARY KEY",
            "UNIQUE KEY",
            "KEY ",
            "INDEX ",
            "FULLTEXT ",
            "SPATIAL ",
            "VECTOR ",
            "CONSTRAINT ",
            "CHECK ",
            "FOREIGN KEY",
            "PERIOD FOR",
        ]
        .iter()
        .any(|p| rest.starts_with(p))
}

/// A foreign key item: `CONSTRAINT `fk` FOREIGN KEY (…) REFERENCES `db`.`t` (…) ON …`.
#[derive(Debug, PartialEq)]
struct Fk {
    name: Option<String>,
    /// The referencing columns.
    columns: Vec<String>,
    db: Option<String>,
    table: String,
    /// The referenced columns.
    references: Vec<String>,
    /// Up to and including `REFERENCES `.
    before: String,
    /// After the referenced table: ` (`id`) ON DELETE CASCADE`.
    after: String,
}

/// A backquoted identifier at the start of `s`, and the rest.
fn ident(s: &str) -> Option<(String, &str)> {
    let rest = s.strip_prefix('`')?;
    let mut out = String::new();
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '`' {
            if let Some((_, '`')) = chars.peek() {
                chars.next();
                out.push('`');
                continue;
            }
            return Some((out, &rest[i + 1..]));
        }
        out.push(c);
    }
    None
}

/// A parenthesised list of backquoted identifiers at the start of `s` (after blanks), and the
/// rest.
fn ident_list(s: &str) -> Option<(Vec<String>, &str)> {
    let mut rest = s.trim_start().strip_prefix('(')?;
    let mut out = Vec::new();
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix(')') {
            return Some((out, r));
        }
        if !out.is_empty() {
            rest = rest.strip_prefix(',')?.trim_start();
        }
        let (id, r) = ident(rest)?;
        out.push(id);
        rest = r;
    }
}

/// A query counting the rows of `child` whose key (all columns non-NULL, as InnoDB matches)
/// has no row in `parent`. `None` when the column lists do not pair up.
fn dangling_rows(child: &str, columns: &[String], parent: &str, refs: &[String]) -> Option<String> {
    if columns.is_empty() || columns.len() != refs.len() {
        return None;
    }
    let present = columns
        .iter()
        .map(|c| format!("c.{} IS NOT NULL", qi(c)))
        .collect::<Vec<_>>()
        .join(" AND ");
    let matches = columns
        .iter()
        .zip(refs)
        .map(|(c, r)| format!("p.{} = c.{}", qi(r), qi(c)))
        .collect::<Vec<_>>()
        .join(" AND ");
    Some(format!(
        "SELECT COUNT(*) FROM {child} c WHERE {present} AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {matches})"
    ))
}

fn parse_fk(item: &str) -> Option<Fk> {
    let (name, body) = match item.strip_prefix("CONSTRAINT ") {
        Some(rest) => {
            let (n, rest) = ident(rest)?;
            (Some(n), rest.trim_start())
        }
        None => (None, item),
    };
    let (columns, _) = ident_list(body.strip_prefix("FOREIGN KEY")?)?;
    // The first ` REFERENCES ` outside backquotes (a column could be called that).
    let mut quoted = false;
    let mut at = None;
    for (i, c) in item.char_indices() {
        if c == '`' {
            quoted = !quoted;
        } else if !quoted && item[i..].starts_with(" REFERENCES ") {
            at = Some(i + " REFERENCES ".len());
            break;
        }
    }
    let at = at?;
    let (first, rest) = ident(&item[at..])?;
    let (db, table, after) = match rest.strip_prefix('.') {
        Some(r) => {
            let (second, rest) = ident(r)?;
            (Some(first), second, rest)
        }
        None => (None, first, rest),
    };
    let (references, _) = ident_list(after)?;
    Some(Fk {
        name,
        columns,
        db,
        table,
        references,
        before: item[..at].to_owned(),
        after: after.to_owned(),
    })
}

struct MyWorker {
    src: Conn,
    src_opts: Opts,
    mariadb: bool,
    dst: Conn,
    source: DbTarget,
    dest: DbTarget,
    session: SessionOptions,
}

/// Rows waiting to be mapped and written, and where they go.
struct Sink<'a> {
    dst: &'a mut Conn,
    dest: &'a DbTarget,
    plan: &'a TablePlan,
    insert_head: String,
    per_statement: usize,
    written: u64,
}

impl Sink<'_> {
    /// Maps and writes `rows`, in as few INSERTs as the limits allow.
    fn write(
        &mut self,
        rows: &mut [Vec<Option<String>>],
        map: &mut dyn RowMap,
    ) -> Result<(), DbError> {
        let plan = self.plan;
        let mut params: Vec<Value> = Vec::new();
        let (mut n, mut bytes) = (0usize, 0usize);
        for row in rows.iter_mut() {
            map.map(row);
            for (v, c) in row.iter_mut().zip(&plan.columns) {
                if c.generated {
                    continue;
                }
                let value = match v.take() {
                    None => Value::NULL,
                    Some(s) if c.binary => Value::Bytes(
                        from_hex(&s).ok_or_else(|| not_hex(&plan.target_name, &c.name))?,
                    ),
                    Some(s) if c.bit => {
                        Value::UInt(s.trim().parse().map_err(|_| DbError::Query {
                            table: plan.target_name.clone(),
                            message: format!(
                                "BIT column {}: the row map returned {s:?}, not a number",
                                c.name
                            ),
                        })?)
                    }
                    Some(s) => Value::Bytes(s.into_bytes()),
                };
                if let Value::Bytes(b) = &value {
                    bytes += b.len();
                }
                params.push(value);
            }
            n += 1;
            if n == self.per_statement || bytes >= MAX_STATEMENT_BYTES {
                self.flush(&mut params, n)?;
                (n, bytes) = (0, 0);
            }
        }
        if n > 0 {
            self.flush(&mut params, n)?;
        }
        Ok(())
    }

    fn flush(&mut self, params: &mut Vec<Value>, rows: usize) -> Result<(), DbError> {
        let width = params.len() / rows.max(1);
        let one = format!("({})", vec!["?"; width].join(", "));
        let sql = format!("{} {}", self.insert_head, vec![one; rows].join(", "));
        self.dst
            .exec_drop(sql, Params::Positional(std::mem::take(params)))
            .map_err(|e| query_error(self.dest, &self.plan.target_name, &e))?;
        self.written += rows as u64;
        Ok(())
    }
}

/// A row read through the text protocol: binary columns as hex, the rest as UTF-8 text.
fn cells(r: &mysql::Row, cols: &[ColumnPlan], table: &str) -> Result<Vec<Option<String>>, DbError> {
    cols.iter()
        .enumerate()
        .map(|(k, c)| match r.as_ref(k) {
            None | Some(Value::NULL) => Ok(None),
            Some(Value::Bytes(b)) if c.binary => Ok(Some(to_hex(b))),
            Some(Value::Bytes(b)) => String::from_utf8(b.clone()).map(Some).map_err(|_| {
                // The session asks for utf8mb4, so only bytes stored wrongly get here; copying
                // them as replacement characters would change data silently.
                DbError::Query {
                    table: table.to_owned(),
                    message: format!("column {} holds a value that is not valid text", c.name),
                }
            }),
            Some(v) => Ok(text(v)),
        })
        .collect()
}

/// Stops the statement running on connection `id` from a second connection, so an abandoned
/// streamed read does not have to be drained.
fn kill_query(opts: &Opts, id: u32) {
    if let Ok(mut c) = Conn::new(opts.clone()) {
        let _ = c.query_drop(format!("KILL QUERY {id}"));
    }
}

impl MyWorker {
    fn read_limit(&self, on: bool) -> String {
        let t = self.session.statement_timeout;
        match (self.mariadb, on) {
            (true, true) => format!("SET SESSION max_statement_time = {}", t.as_secs_f64()),
            (true, false) => "SET SESSION max_statement_time = 0".into(),
            (false, true) => format!("SET SESSION max_execution_time = {}", t.as_millis()),
            (false, false) => "SET SESSION max_execution_time = 0".into(),
        }
    }

    fn load_rows(
        &mut self,
        t: &TableInfo,
        plan: &TablePlan,
        map: &mut dyn RowMap,
        batch: usize,
        cancel: &AtomicBool,
    ) -> Result<u64, DbError> {
        let q = t.qualified();
        let source = self.source.clone();
        let rerr = |e: mysql::Error| query_error(&source, &q, &e);
        let select = plan
            .columns
            .iter()
            .map(|c| {
                if c.bit {
                    format!("CAST({} AS UNSIGNED)", qi(&c.name))
                } else {
                    qi(&c.name)
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let written: Vec<String> = plan
            .columns
            .iter()
            .filter(|c| !c.generated)
            .map(|c| qi(&c.name))
            .collect();
        if written.is_empty() {
            return Ok(0);
        }
        let from = format!("{}.{}", qi(&t.schema), qi(&t.name));
        let (lifted, limited) = (self.read_limit(false), self.read_limit(true));
        let (read_id, read_opts) = (self.src.connection_id(), self.src_opts.clone());
        let mut sink = Sink {
            dst: &mut self.dst,
            dest: &self.dest,
            plan,
            insert_head: format!(
                "INSERT INTO {} ({}) VALUES",
                plan.target_sql,
                written.join(", ")
            ),
            per_statement: (MAX_PARAMS / written.len()).clamp(1, batch),
            written: 0,
        };
        let n = plan.columns.len();
        let key = t
            .int_key
            .as_deref()
            .filter(|k| plan.columns.iter().any(|c| c.name == *k))
            .map(qi);
        // One snapshot for all of the table's batches.
        self.src
            .query_drop("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
            .map_err(rerr)?;
        let mut rows: Vec<Vec<Option<String>>> = Vec::with_capacity(batch.min(65_536));
        match key {
            Some(k) => {
                // Keyset batches: each statement is a short index range scan under the
                // statement limit, and cancelling waits for one batch at most.
                let mut last: Option<i128> = None;
                loop {
                    if cancel.load(Ordering::Relaxed) {
                        return Err(DbError::Cancelled);
                    }
                    let cond = last
                        .map(|l| format!("WHERE {k} > {l} "))
                        .unwrap_or_default();
                    let got: Vec<mysql::Row> = self
                        .src
                        .query(format!(
                            "SELECT {select}, {k} FROM {from} {cond}ORDER BY {k} LIMIT {batch}"
                        ))
                        .map_err(rerr)?;
                    let Some(end) = got.last() else { break };
                    last = Some(
                        end.as_ref(n)
                            .and_then(text)
                            .and_then(|s| s.parse().ok())
                            .ok_or_else(|| DbError::Query {
                                table: q.clone(),
                                message: format!(
                                    "key column {k} returned a value that is not an integer"
                                ),
                            })?,
                    );
                    let full = got.len() == batch;
                    rows.clear();
                    for r in &got {
                        rows.push(cells(r, &plan.columns, &q)?);
                    }
                    drop(got);
                    sink.write(&mut rows, map)?;
                    if !full {
                        break;
                    }
                }
            }
            None => {
                // One streamed statement; it may run as long as the table takes to read, so the
                // statement limit is lifted for it and restored after.
                self.src.query_drop(lifted).map_err(rerr)?;
                let mut outcome: Result<(), DbError> = Ok(());
                let mut stopped = false;
                {
                    let result = self
                        .src
                        .query_iter(format!("SELECT {select} FROM {from}"))
                        .map_err(rerr)?;
                    for r in result {
                        let step = r
                            .map_err(rerr)
                            .and_then(|r| cells(&r, &plan.columns, &q))
                            .and_then(|c| {
                                rows.push(c);
                                if rows.len() >= batch {
                                    let w = sink.write(&mut rows, map);
                                    rows.clear();
                                    w
                                } else {
                                    Ok(())
                                }
                            });
                        if let Err(e) = step {
                            outcome = Err(e);
                            stopped = true;
                            break;
                        }
                        if cancel.load(Ordering::Relaxed) {
                            outcome = Err(DbError::Cancelled);
                            stopped = true;
                            break;
                        }
                    }
                    if stopped {
                        // Before the rest of the result is drained by dropping it.
                        kill_query(&read_opts, read_id);
                    }
                }
                outcome?;
                if !rows.is_empty() {
                    sink.write(&mut rows, map)?;
                }
                self.src.query_drop(limited).map_err(rerr)?;
            }
        }
        let _ = self.src.query_drop("COMMIT");
        Ok(sink.written)
    }
}

impl Worker for MyWorker {
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
            // Leave the target table empty rather than half loaded (each INSERT committed on
            // its own, so the rows of a large table never sit in one transaction).
            let _ = self
                .dst
                .query_drop(format!("TRUNCATE TABLE {}", plan.target_sql));
        }
        r
    }

    fn execute(&mut self, sql: &str, table: &str) -> Result<(), DbError> {
        self.dst
            .query_drop(sql)
            .map_err(|e| query_error(&self.dest, table, &e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHOWN: &str = "CREATE TABLE `orders` (\n  `id` int(11) NOT NULL AUTO_INCREMENT,\n  `cust` int(11) DEFAULT NULL COMMENT 'a, b',\n  `note` varchar(20) DEFAULT 'x\n',\n  PRIMARY KEY (`id`),\n  UNIQUE KEY `u` (`note`),\n  KEY `k` (`cust`),\n  CONSTRAINT `fk` FOREIGN KEY (`cust`) REFERENCES `customers` (`id`) ON DELETE CASCADE,\n  CONSTRAINT `fk2` FOREIGN KEY (`cust`) REFERENCES `other`.`c``x` (`id`),\n  CONSTRAINT `chk` CHECK (`cust` > 0)\n) ENGINE=InnoDB AUTO_INCREMENT=7 DEFAULT CHARSET=utf8mb4\n PARTITION BY HASH (`id`)\nPARTITIONS 2";

    #[test]
    fn show_create_splits_into_items() {
        let (items, tail) = split_create(SHOWN).unwrap();
        assert_eq!(items.len(), 9);
        assert_eq!(items[2], "  `note` varchar(20) DEFAULT 'x\n'");
        assert_eq!(items[5], "  KEY `k` (`cust`)");
        assert!(tail.starts_with(") ENGINE=InnoDB AUTO_INCREMENT=7"));
        assert!(tail.ends_with("PARTITIONS 2"));
        assert!(split_create("CREATE VIEW x AS SELECT 1").is_none());
        assert!(split_create("CREATE TABLE `t` (\n  `a` int").is_none());
    }

    #[test]
    fn dangling_rows_are_counted_per_key() {
        let fk =
            parse_fk("CONSTRAINT `f` FOREIGN KEY (`a`, `b`) REFERENCES `p` (`x`,`y`)").unwrap();
        assert_eq!(fk.columns, ["a", "b"]);
        assert_eq!(fk.references, ["x", "y"]);
        assert_eq!(
            dangling_rows("`d`.`c`", &fk.columns, "`d`.`p`", &fk.references).unwrap(),
            "SELECT COUNT(*) FROM `d`.`c` c WHERE c.`a` IS NOT NULL AND c.`b` IS NOT NULL AND NOT EXISTS \
             (SELECT 1 FROM `d`.`p` p WHERE p.`x` = c.`a` AND p.`y` = c.`b`)"
        );
        assert_eq!(
            dangling_rows("c", &fk.columns, "p", &fk.references[..1]),
            None
        );
    }

    #[test]
    fn foreign_keys_are_parsed() {
        let (items, _) = split_create(SHOWN).unwrap();
        let fk = parse_fk(items[6].trim_start()).unwrap();
        assert_eq!(fk.name.as_deref(), Some("fk"));
        assert_eq!((fk.db, fk.table.as_str()), (None, "customers"));
        assert_eq!(
            (fk.columns, fk.references),
            (vec!["cust".to_owned()], vec!["id".to_owned()])
        );
        assert_eq!(
            fk.before,
            "CONSTRAINT `fk` FOREIGN KEY (`cust`) REFERENCES "
        );
        assert_eq!(fk.after, " (`id`) ON DELETE CASCADE");
        let fk2 = parse_fk(items[7].trim_start()).unwrap();
        assert_eq!(
            (fk2.db.as_deref(), fk2.table.as_str()),
            (Some("other"), "c`x")
        );
        assert_eq!(parse_fk(items[8].trim_start()), None);
        assert_eq!(
            parse_fk("CONSTRAINT `a REFERENCES b` FOREIGN KEY (`x`) REFERENCES `p` (`id`)")
                .map(|f| f.table),
            Some("p".into())
        );
    }
}
