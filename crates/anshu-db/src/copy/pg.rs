//! PostgreSQL copies: definitions from `pg_catalog`, rows read as `col::text` through a portal in
//! batches, written with `COPY … FROM STDIN` in text format.
//!
//! **Kept:** column names and order, exact types (`format_type`, typmods included), column
//! collations, NOT NULL, defaults, generated (STORED) columns, identity columns, PRIMARY KEY,
//! UNIQUE, CHECK (NOT VALID ones stay NOT VALID) and exclusion constraints, foreign keys between
//! copied tables (with their MATCH/ON DELETE/ON UPDATE/DEFERRABLE clauses), secondary indexes
//! (partial, expression, INCLUDE), UNLOGGED, table and column comments.
//!
//! **Sequences** are recreated, not shared: a `serial`-style column (a default calling `nextval`
//! on the sequence the column owns) gets a new sequence of the same name and options in the
//! target schema, owned by the target column, and an identity column stays an identity column
//! with the same options; both are set to the source sequence's position after the load, so new
//! rows in the copy draw the numbers the source would have. A `nextval` default on a sequence the
//! column does not own (one shared between tables) is dropped, and a note says so: the copy must
//! not draw numbers from, or depend on, the source's sequences.
//!
//! **Not kept:** triggers, row security policies, grants and ownership, storage parameters and
//! tablespaces, partitioning (a partitioned table becomes one plain table holding all its
//! partitions' rows), foreign keys to tables that are not copied. Types, functions and
//! collations the definitions use are referred to, not copied: a copy into another database
//! needs them there too.
//!
//! All tables are read in one snapshot, exported by the coordinating session and imported by
//! every worker (as `pg_dump -j` does), so foreign keys between them hold in the copy as they
//! did in the source at one moment.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

use postgres::{Client, IsolationLevel, NoTls};

use super::{
    check_columns, is_hex, literal, not_hex, same_host, ColumnPlan, Coordinator, ForeignKey,
    RowMap, Step, TablePlan, Worker, WorkerOpener,
};
use crate::pg::{connect_error, query_error, PgConnection};
use crate::{quote, CopyOptions, CopyTarget, DbError, DbTarget, SessionOptions, TableInfo};

/// Session settings under which every value's text form is exact and reads back the same on the
/// other side, whatever the servers' defaults: UTC, ISO dates, all float digits, hex bytea.
const TEXT_FORMS: &str = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; \
     SET IntervalStyle = 'postgres'; SET extra_float_digits = 3; SET bytea_output = 'hex'; \
     SET standard_conforming_strings = on; SET client_min_messages = warning";

fn qi(s: &str) -> String {
    quote('"', s)
}

/// A read-only session on the source, as a scan opens it, with exact text forms.
fn reader(source: &DbTarget, s: &SessionOptions) -> Result<Client, DbError> {
    let mut c = PgConnection::connect(source, s)?.client;
    c.batch_execute(TEXT_FORMS)
        .map_err(|e| query_error(source, "session setup", &e))?;
    Ok(c)
}

/// A writing session on the target: the lock timeout, no statement timeout (see the module
/// documentation of `copy`).
fn writer(t: &DbTarget, s: &SessionOptions) -> Result<Client, DbError> {
    let mut cfg = postgres::Config::new();
    cfg.host(&t.host)
        .port(t.port)
        .user(t.user.as_deref().unwrap_or("postgres"))
        .dbname(t.database.as_deref().unwrap_or("postgres"))
        .application_name("anshu copy")
        .connect_timeout(s.connect_timeout);
    if let Some(p) = &t.password {
        cfg.password(p.expose());
    }
    let mut c = cfg.connect(NoTls).map_err(|e| connect_error(t, &e))?;
    let setup = format!(
        "SET statement_timeout = 0; SET lock_timeout = {}; SET idle_in_transaction_session_timeout = {}; {TEXT_FORMS}",
        s.lock_timeout.as_millis(),
        s.statement_timeout.as_millis().saturating_mul(4),
    );
    c.batch_execute(&setup)
        .map_err(|e| query_error(t, "session setup", &e))?;
    Ok(c)
}

pub(crate) struct PgCoordinator {
    source: DbTarget,
    dest: DbTarget,
    session: SessionOptions,
    src: Client,
    dst: Client,
    schema: String,
    /// The snapshot every worker reads in, while the coordinating transaction is open.
    snapshot: Option<String>,
    /// PostgreSQL 12 or later (generated columns).
    generated: bool,
}

impl PgCoordinator {
    pub(crate) fn open(
        source: &DbTarget,
        dest: &CopyTarget,
        tables: &[TableInfo],
        opts: &CopyOptions,
    ) -> Result<Self, DbError> {
        let mut src = reader(source, &opts.session)?;
        let mut dst = writer(&dest.target, &opts.session)?;
        let schema = dest
            .schema
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "masked".into());

        // The same server is recognised by its start time and port as well as by the address,
        // so that `localhost` and a host name or a second address of one server are caught.
        let ident = |c: &mut Client, t: &DbTarget| -> Result<(String, String, i32), DbError> {
            let r = c
                .query_one(
                    "SELECT current_database()::text, pg_postmaster_start_time()::text || ' ' || current_setting('port'),
                            current_setting('server_version_num')::int4",
                    &[],
                )
                .map_err(|e| query_error(t, "session setup", &e))?;
            let get = |i: usize| r.try_get::<_, String>(i).unwrap_or_default();
            Ok((get(0), get(1), r.try_get(2).unwrap_or(0)))
        };
        let (sdb, sid, version) = ident(&mut src, source)?;
        let (ddb, did, _) = ident(&mut dst, &dest.target)?;
        let same_server = sid == did
            || (same_host(&source.host, &dest.target.host) && source.port == dest.target.port);
        if same_server && sdb == ddb && tables.iter().any(|t| t.schema == schema) {
            return Err(DbError::CopyOntoSource {
                message: format!(
                    "schema {schema} of {} holds tables being copied; name another target schema",
                    dest.target.display()
                ),
            });
        }
        if version < 100_000 {
            return Err(DbError::CopyUnsupported {
                message: "copies need PostgreSQL 10 or later (identity columns, pg_sequence)"
                    .into(),
            });
        }

        let exists = dst
            .query_opt("SELECT 1 FROM pg_namespace WHERE nspname = $1", &[&schema])
            .map_err(|e| query_error(&dest.target, &schema, &e))?;
        if exists.is_none() {
            dst.batch_execute(&format!("CREATE SCHEMA {}", qi(&schema)))
                .map_err(|e| query_error(&dest.target, &schema, &e))?;
        }

        // One snapshot for all tables. The coordinating transaction must outlive the workers'
        // imports, so it may sit idle for the whole load.
        src.batch_execute(
            "SET idle_in_transaction_session_timeout = 0; \
             BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
        )
        .map_err(|e| query_error(source, "session setup", &e))?;
        let snapshot = match src.query_one("SELECT pg_export_snapshot()", &[]) {
            Ok(r) => r.try_get::<_, String>(0).ok(),
            Err(_) => None,
        };
        if snapshot.is_none() {
            // A server that cannot export one (a standby of an old version): each table is
            // then read in its own snapshot.
            src.batch_execute("ROLLBACK")
                .map_err(|e| query_error(source, "session setup", &e))?;
        }
        Ok(PgCoordinator {
            source: source.clone(),
            dest: dest.target.clone(),
            session: opts.session.clone(),
            src,
            dst,
            schema,
            snapshot,
            generated: version >= 120_000,
        })
    }

    /// Reads the definition of `t` from the source catalog.
    fn definition(
        &mut self,
        t: &TableInfo,
        resolve: &dyn Fn(&str, &str) -> Option<usize>,
    ) -> Result<Definition, DbError> {
        let q = t.qualified();
        let source = self.source.clone();
        let err = |e: postgres::Error| query_error(&source, &q, &e);
        let src = &mut self.src;
        let Some(rel) = src
            .query_opt(
                "SELECT c.oid, c.relkind::text, c.relpersistence::text, c.relrowsecurity,
                        obj_description(c.oid, 'pg_class')
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = $1 AND c.relname = $2",
                &[&t.schema, &t.name],
            )
            .map_err(err)?
        else {
            return Err(DbError::Missing {
                table: q,
                message: "not found in pg_class".into(),
            });
        };
        let oid: u32 = rel.try_get(0).map_err(err)?;
        let relkind: String = rel.try_get(1).map_err(err)?;
        let unlogged = rel.try_get::<_, String>(2).map_err(err)? == "u";
        let rls: bool = rel.try_get(3).map_err(err)?;
        let comment: Option<String> = rel.try_get(4).map_err(err)?;
        let mut notes = Vec::new();
        match relkind.as_str() {
            "r" => {}
            "p" => notes.push(
                "partitioned table: copied as one plain table holding all its partitions' rows"
                    .to_owned(),
            ),
            other => {
                let what = match other {
                    "v" => "a view",
                    "m" => "a materialized view",
                    "f" => "a foreign table",
                    _ => "not a table",
                };
                return Err(DbError::CopyUnsupported {
                    message: format!("{q} is {what}; only base tables are copied"),
                });
            }
        }
        if rls {
            notes.push("row security policies not copied".to_owned());
        }
        // Definitions are printed relative to the search path: with only the source schema on
        // it, its own tables, types and functions come out unqualified and everything else
        // qualified, which is what the rewriting below relies on.
        src.execute(
            "SELECT set_config('search_path', quote_ident($1), false)",
            &[&t.schema],
        )
        .map_err(err)?;

        let gen = if self.generated {
            "a.attgenerated::text"
        } else {
            "''::text"
        };
        let cols = src
            .query(
                &format!(
                    "SELECT a.attnum::int4, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                            pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, {gen},
                            COALESCE(bt.typname, t.typname)::text = 'bytea',
                            CASE WHEN a.attcollation <> t.typcollation THEN
                                (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
                                 FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                                 WHERE co.oid = a.attcollation) END,
                            col_description(a.attrelid, a.attnum)
                     FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                          LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
                          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                     WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
                     ORDER BY a.attnum"
                ),
                &[&oid],
            )
            .map_err(err)?;
        let seqs = src
            .query(
                "SELECT d.refobjsubid::int4, d.deptype::text, quote_ident(s.relname), s.oid::regclass::text,
                        format_type(q.seqtypid, NULL), q.seqstart, q.seqincrement, q.seqmin, q.seqmax,
                        q.seqcache, q.seqcycle,
                        CASE WHEN has_sequence_privilege(s.oid, 'SELECT,USAGE')
                             THEN pg_sequence_last_value(s.oid) END
                 FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
                      JOIN pg_sequence q ON q.seqrelid = s.oid
                 WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
                       AND d.refobjid = $1 AND d.deptype IN ('a', 'i')",
                &[&oid],
            )
            .map_err(err)?;
        let mut sequences = Vec::new();
        for r in &seqs {
            sequences.push(Sequence {
                attnum: r.try_get(0).map_err(err)?,
                identity: r.try_get::<_, String>(1).map_err(err)? == "i",
                name: r.try_get(2).map_err(err)?,
                regclass: r.try_get(3).map_err(err)?,
                type_name: r.try_get(4).map_err(err)?,
                start: r.try_get(5).map_err(err)?,
                increment: r.try_get(6).map_err(err)?,
                min: r.try_get(7).map_err(err)?,
                max: r.try_get(8).map_err(err)?,
                cache: r.try_get(9).map_err(err)?,
                cycle: r.try_get(10).map_err(err)?,
                last: r.try_get(11).map_err(err)?,
            });
        }
        let cons = src
            .query(
                "SELECT k.conname::text, k.contype::text, pg_get_constraintdef(k.oid), k.convalidated,
                        pn.nspname::text, pc.relname::text,
                        CASE WHEN k.confrelid <> 0 THEN k.confrelid::regclass::text END
                 FROM pg_constraint k LEFT JOIN pg_class pc ON pc.oid = k.confrelid
                      LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                 WHERE k.conrelid = $1 AND k.contype IN ('p', 'u', 'c', 'x', 'f')
                 ORDER BY CASE k.contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 ELSE 2 END, k.conname",
                &[&oid],
            )
            .map_err(err)?;
        let idx = src
            .query(
                "SELECT quote_ident(ic.relname), pg_get_indexdef(i.indexrelid),
                        quote_ident(n.nspname) || '.' || quote_ident(c.relname)
                 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                      JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE i.indrelid = $1 AND NOT EXISTS (
                     SELECT 1 FROM pg_constraint k WHERE k.conrelid = i.indrelid
                            AND k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))
                 ORDER BY ic.relname",
                &[&oid],
            )
            .map_err(err)?;
        let triggers = src
            .query(
                "SELECT tgname::text FROM pg_trigger WHERE tgrelid = $1 AND NOT tgisinternal ORDER BY 1",
                &[&oid],
            )
            .map_err(err)?;

        let schema = self.schema.clone();
        let tgt = format!("{}.{}", qi(&schema), qi(&t.name));
        let mut d = Definition {
            plan: TablePlan {
                target_name: format!("{schema}.{}", t.name),
                target_sql: tgt.clone(),
                columns: Vec::new(),
                after_load: Vec::new(),
                foreign_keys: Vec::new(),
                notes,
            },
            before: Vec::new(),
            create: String::new(),
            after: Vec::new(),
        };
        let mut elements = Vec::new();
        let mut names = Vec::new();
        for r in &cols {
            let attnum: i32 = r.try_get(0).map_err(err)?;
            let name: String = r.try_get(1).map_err(err)?;
            let type_name: String = r.try_get(2).map_err(err)?;
            let not_null: bool = r.try_get(3).map_err(err)?;
            let default: Option<String> = r.try_get(4).map_err(err)?;
            let identity: String = r.try_get(5).map_err(err)?;
            let generated: String = r.try_get(6).map_err(err)?;
            let binary: bool = r
                .try_get::<_, Option<bool>>(7)
                .map_err(err)?
                .unwrap_or(false);
            let collation: Option<String> = r.try_get(8).map_err(err)?;
            let col_comment: Option<String> = r.try_get(9).map_err(err)?;

            let mut def = format!("{} {type_name}", qi(&name));
            if let Some(c) = &collation {
                def.push_str(&format!(" COLLATE {c}"));
            }
            let seq = |identity: bool| {
                sequences
                    .iter()
                    .find(|s| s.attnum == attnum && s.identity == identity)
            };
            if generated == "s" {
                def.push_str(&format!(
                    " GENERATED ALWAYS AS ({}) STORED",
                    default.as_deref().unwrap_or("NULL")
                ));
            } else if identity == "a" || identity == "d" {
                let how = if identity == "a" {
                    "ALWAYS"
                } else {
                    "BY DEFAULT"
                };
                def.push_str(&format!(" GENERATED {how} AS IDENTITY"));
                if let Some(s) = seq(true) {
                    def.push_str(&format!(" ({})", s.options()));
                    if let Some(last) = s.last {
                        let target_seq = format!(
                            "pg_get_serial_sequence({}, {})",
                            literal(&tgt),
                            literal(&name)
                        );
                        d.plan.after_load.push(Step {
                            sql: format!("SELECT setval({target_seq}, {last}, true)"),
                        });
                    }
                }
            } else if let Some(expr) = default {
                let own = seq(false).filter(|s| expr.contains(&s.literal()));
                match own {
                    Some(s) => {
                        // The column's own sequence: recreated in the target schema and owned
                        // by the target column, so dropping the copy drops it too.
                        let new_seq = format!("{}.{}", qi(&schema), s.name);
                        d.before.push(format!(
                            "CREATE SEQUENCE {new_seq} AS {} {}",
                            s.type_name,
                            s.options()
                        ));
                        let expr =
                            expr.replace(&s.literal(), &format!("{}::regclass", literal(&new_seq)));
                        def.push_str(&format!(" DEFAULT {expr}"));
                        d.after.push(format!(
                            "ALTER SEQUENCE {new_seq} OWNED BY {tgt}.{}",
                            qi(&name)
                        ));
                        if let Some(last) = s.last {
                            d.plan.after_load.push(Step {
                                sql: format!("SELECT setval({}, {last}, true)", literal(&new_seq)),
                            });
                        }
                    }
                    None if expr.contains("nextval(") => d.plan.notes.push(format!(
                        "default of column {name} dropped: {expr} draws from a sequence the \
                         column does not own"
                    )),
                    None => def.push_str(&format!(" DEFAULT {expr}")),
                }
            }
            if not_null {
                def.push_str(" NOT NULL");
            }
            elements.push(def);
            if let Some(c) = col_comment {
                d.after.push(format!(
                    "COMMENT ON COLUMN {tgt}.{} IS {}",
                    qi(&name),
                    literal(&c)
                ));
            }
            d.plan.columns.push(ColumnPlan {
                name: name.clone(),
                binary,
                generated: generated == "s",
                bit: false,
            });
            names.push(name);
        }
        check_columns(t, &names)?;

        for r in &cons {
            let name: String = r.try_get(0).map_err(err)?;
            let kind: String = r.try_get(1).map_err(err)?;
            let def: String = r.try_get(2).map_err(err)?;
            let valid: bool = r.try_get(3).map_err(err)?;
            let element = format!("CONSTRAINT {} {def}", qi(&name));
            match kind.as_str() {
                "f" => {
                    let parent_schema: Option<String> = r.try_get(4).map_err(err)?;
                    let parent: Option<String> = r.try_get(5).map_err(err)?;
                    let printed: Option<String> = r.try_get(6).map_err(err)?;
                    let (Some(ps), Some(pn), Some(printed)) = (parent_schema, parent, printed)
                    else {
                        continue;
                    };
                    let Some(at) = resolve(&ps, &pn) else {
                        d.plan.notes.push(format!(
                            "foreign key {name} not copied: it references {ps}.{pn}, which is \
                             not among the tables copied"
                        ));
                        continue;
                    };
                    let needle = format!("REFERENCES {printed}(");
                    if !def.contains(&needle) {
                        d.plan.notes.push(format!(
                            "foreign key {name} not copied: its definition could not be read"
                        ));
                        continue;
                    }
                    let def = def.replacen(
                        &needle,
                        &format!("REFERENCES {}.{}(", qi(&schema), qi(&pn)),
                        1,
                    );
                    d.plan.foreign_keys.push(ForeignKey {
                        name: name.clone(),
                        check: None,
                        add: Some(format!(
                            "ALTER TABLE {tgt} ADD CONSTRAINT {} {def}",
                            qi(&name)
                        )),
                        parent: at,
                    });
                }
                // A NOT VALID check is not enforced on the rows already there, so the source
                // may hold rows that break it: it is added after the load, still NOT VALID.
                "c" if !valid => d.plan.after_load.push(Step {
                    sql: format!("ALTER TABLE {tgt} ADD {element}"),
                }),
                _ => elements.push(element),
            }
        }
        for r in &idx {
            let name: String = r.try_get(0).map_err(err)?;
            let def: String = r.try_get(1).map_err(err)?;
            let table: String = r.try_get(2).map_err(err)?;
            match index_on(&def, &table, &tgt) {
                Some(sql) => d.plan.after_load.push(Step { sql }),
                None => d.plan.notes.push(format!(
                    "index {name} not copied: its definition could not be read"
                )),
            }
        }
        for r in &triggers {
            let name: String = r.try_get(0).map_err(err)?;
            d.plan.notes.push(format!("trigger {name} not copied"));
        }
        if let Some(c) = comment {
            d.after
                .push(format!("COMMENT ON TABLE {tgt} IS {}", literal(&c)));
        }
        d.create = format!(
            "CREATE {}TABLE {tgt} (\n  {}\n)",
            if unlogged { "UNLOGGED " } else { "" },
            elements.join(",\n  ")
        );
        Ok(d)
    }
}

/// A table's definition, ready to be written.
struct Definition {
    plan: TablePlan,
    /// Sequences the table's defaults use.
    before: Vec<String>,
    create: String,
    /// Sequence ownership and comments.
    after: Vec<String>,
}

/// A sequence owned by a column (`serial` or identity).
struct Sequence {
    attnum: i32,
    identity: bool,
    /// The sequence's name, quoted.
    name: String,
    /// How the source's definitions print it (`orders_id_seq`, `crm."Seq"`).
    regclass: String,
    type_name: String,
    start: i64,
    increment: i64,
    min: i64,
    max: i64,
    cache: i64,
    cycle: bool,
    /// The last value drawn, when any was and we may read it.
    last: Option<i64>,
}

impl Sequence {
    fn options(&self) -> String {
        format!(
            "INCREMENT BY {} MINVALUE {} MAXVALUE {} START WITH {} CACHE {} {}",
            self.increment,
            self.min,
            self.max,
            self.start,
            self.cache,
            if self.cycle { "CYCLE" } else { "NO CYCLE" }
        )
    }

    /// How a default refers to it: `'orders_id_seq'::regclass`.
    fn literal(&self) -> String {
        format!("{}::regclass", literal(&self.regclass))
    }
}

/// `CREATE INDEX name ON <table> USING …` rewritten to be on `target`. `pg_get_indexdef` always
/// qualifies the table (`ON crm.orders`, `ON ONLY crm.orders` for a partitioned one); `table` is
/// that qualified name.
fn index_on(def: &str, table: &str, target: &str) -> Option<String> {
    for only in ["", "ONLY "] {
        let needle = format!(" ON {only}{table} USING ");
        if let Some(at) = def.find(&needle) {
            return Some(format!(
                "{} ON {target} USING {}",
                &def[..at],
                &def[at + needle.len()..]
            ));
        }
    }
    None
}

impl Coordinator for PgCoordinator {
    fn name_key(&self, name: &str) -> String {
        name.to_owned()
    }

    fn target_name(&self, name: &str) -> String {
        format!("{}.{name}", self.schema)
    }

    fn create(
        &mut self,
        t: &TableInfo,
        replace: bool,
        resolve: &dyn Fn(&str, &str) -> Option<usize>,
    ) -> Result<TablePlan, DbError> {
        // A failed catalog read must not abort the coordinating transaction (and with it the
        // shared snapshot), so each table's reads run under a savepoint.
        let q = t.qualified();
        let in_tx = self.snapshot.is_some();
        let source = self.source.clone();
        if in_tx {
            self.src
                .batch_execute("SAVEPOINT anshu_table")
                .map_err(|e| query_error(&source, &q, &e))?;
        }
        let def = self.definition(t, resolve);
        if in_tx {
            let end = if def.is_ok() {
                "RELEASE SAVEPOINT anshu_table"
            } else {
                "ROLLBACK TO SAVEPOINT anshu_table"
            };
            self.src
                .batch_execute(end)
                .map_err(|e| query_error(&source, &q, &e))?;
        }
        let d = def?;

        let dest = self.dest.clone();
        let name = d.plan.target_name.clone();
        let err = |e: postgres::Error| query_error(&dest, &name, &e);
        // One transaction: with `replace`, the old table stays if the new one cannot be made.
        let mut tx = self.dst.transaction().map_err(err)?;
        let existing = tx
            .query_opt(
                "SELECT c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = $1 AND c.relname = $2",
                &[&self.schema, &t.name],
            )
            .map_err(err)?;
        if let Some(r) = existing {
            let kind: String = r.try_get(0).map_err(err)?;
            if !replace {
                return Err(DbError::CopyExists {
                    table: name.clone(),
                    message: "replace it or name another target schema".into(),
                });
            }
            if kind != "r" && kind != "p" {
                return Err(DbError::CopyExists {
                    table: name.clone(),
                    message: "it is not a table, and only tables are replaced".into(),
                });
            }
            // CASCADE: foreign keys of other target tables that point at the old copy go with
            // it; the copied ones are added again in the link phase.
            tx.batch_execute(&format!("DROP TABLE {} CASCADE", d.plan.target_sql))
                .map_err(err)?;
        }
        tx.batch_execute(&format!(
            "SET LOCAL search_path TO {}, {}",
            qi(&self.schema),
            qi(&t.schema)
        ))
        .map_err(err)?;
        for sql in d.before.iter().chain([&d.create]).chain(&d.after) {
            tx.batch_execute(sql).map_err(err)?;
        }
        tx.commit().map_err(err)?;
        Ok(d.plan)
    }

    fn worker_opener(&self) -> Box<WorkerOpener> {
        let (source, dest, session, snapshot) = (
            self.source.clone(),
            self.dest.clone(),
            self.session.clone(),
            self.snapshot.clone(),
        );
        Box::new(move || {
            Ok(Box::new(PgWorker {
                src: reader(&source, &session)?,
                dst: writer(&dest, &session)?,
                source: source.clone(),
                dest: dest.clone(),
                snapshot: snapshot.clone(),
            }) as Box<dyn Worker>)
        })
    }

    /// PostgreSQL checks the rows when the key is added: a broken key fails the ALTER.
    fn link(&mut self, fk: &ForeignKey, table: &str) -> Result<(), DbError> {
        match &fk.add {
            Some(sql) => self
                .dst
                .batch_execute(sql)
                .map_err(|e| query_error(&self.dest, table, &e)),
            None => Ok(()),
        }
    }

    fn finish(&mut self) {
        if self.snapshot.is_some() {
            // Only reads happened in it; ending it releases the snapshot.
            let _ = self.src.batch_execute("COMMIT");
        }
    }
}

struct PgWorker {
    src: Client,
    dst: Client,
    source: DbTarget,
    dest: DbTarget,
    snapshot: Option<String>,
}

impl Worker for PgWorker {
    fn load(
        &mut self,
        t: &TableInfo,
        plan: &TablePlan,
        map: &mut dyn RowMap,
        batch: usize,
        cancel: &AtomicBool,
    ) -> Result<u64, DbError> {
        if plan.columns.is_empty() {
            return Ok(0);
        }
        let q = t.qualified();
        let (source, dest) = (&self.source, &self.dest);
        let rerr = |e: postgres::Error| query_error(source, &q, &e);
        let werr = |e: postgres::Error| query_error(dest, &plan.target_name, &e);
        let select = plan
            .columns
            .iter()
            .map(|c| {
                if c.binary {
                    format!("encode({}, 'hex')", qi(&c.name))
                } else {
                    format!("{}::text", qi(&c.name))
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let written = plan
            .columns
            .iter()
            .filter(|c| !c.generated)
            .map(|c| qi(&c.name))
            .collect::<Vec<_>>()
            .join(", ");
        let copy = format!("COPY {} ({written}) FROM STDIN", plan.target_sql);
        let from = format!("{}.{}", qi(&t.schema), qi(&t.name));

        let mut rtx = self
            .src
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(rerr)?;
        if let Some(id) = &self.snapshot {
            rtx.batch_execute(&format!("SET TRANSACTION SNAPSHOT {}", literal(id)))
                .map_err(rerr)?;
        }
        let portal = rtx
            .bind(&format!("SELECT {select} FROM {from}"), &[])
            .map_err(rerr)?;
        // Every batch is its own COPY (so each statement stays small), all in one transaction:
        // a table that fails or is cancelled leaves the target table empty.
        let mut wtx = self.dst.transaction().map_err(werr)?;
        let size = batch.clamp(1, i32::MAX as usize);
        let mut total = 0u64;
        let mut row: Vec<Option<String>> = Vec::with_capacity(plan.columns.len());
        let mut line = Vec::new();
        loop {
            if cancel.load(Ordering::Relaxed) {
                return Err(DbError::Cancelled);
            }
            let rows = rtx.query_portal(&portal, size as i32).map_err(rerr)?;
            if rows.is_empty() {
                break;
            }
            let mut w = wtx.copy_in(&copy).map_err(werr)?;
            for r in &rows {
                row.clear();
                for k in 0..plan.columns.len() {
                    row.push(r.try_get::<_, Option<String>>(k).map_err(rerr)?);
                }
                map.map(&mut row);
                line.clear();
                copy_line(&mut line, &row, &plan.columns, &plan.target_name)?;
                w.write_all(&line).map_err(|e| DbError::Query {
                    table: plan.target_name.clone(),
                    message: dest.scrub(&e.to_string()),
                })?;
            }
            w.finish().map_err(werr)?;
            total += rows.len() as u64;
            if rows.len() < size {
                break;
            }
        }
        wtx.commit().map_err(werr)?;
        rtx.commit().map_err(rerr)?;
        Ok(total)
    }

    fn execute(&mut self, sql: &str, table: &str) -> Result<(), DbError> {
        self.dst
            .batch_execute(sql)
            .map_err(|e| query_error(&self.dest, table, &e))
    }
}

/// One row in `COPY` text format: tab-separated, `\N` for NULL, backslash escapes for the
/// characters that would end a field or a line. Binary values arrive as hex and are written as
/// bytea's hex input (`\x…`, its backslash escaped like any other).
fn copy_line(
    out: &mut Vec<u8>,
    row: &[Option<String>],
    cols: &[ColumnPlan],
    table: &str,
) -> Result<(), DbError> {
    let mut first = true;
    for (v, c) in row.iter().zip(cols) {
        if c.generated {
            continue;
        }
        if !first {
            out.push(b'\t');
        }
        first = false;
        match v {
            None => out.extend_from_slice(b"\\N"),
            Some(s) if c.binary => {
                if !is_hex(s) {
                    return Err(not_hex(table, &c.name));
                }
                out.extend_from_slice(b"\\\\x");
                out.extend_from_slice(s.as_bytes());
            }
            Some(s) => {
                for &b in s.as_bytes() {
                    match b {
                        b'\\' => out.extend_from_slice(b"\\\\"),
                        b'\t' => out.extend_from_slice(b"\\t"),
                        b'\n' => out.extend_from_slice(b"\\n"),
                        b'\r' => out.extend_from_slice(b"\\r"),
                        _ => out.push(b),
                    }
                }
            }
        }
    }
    out.push(b'\n');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, binary: bool, generated: bool) -> ColumnPlan {
        ColumnPlan {
            name: name.into(),
            binary,
            generated,
            bit: false,
        }
    }

    #[test]
    fn copy_text_escapes() {
        let cols = [
            col("a", false, false),
            col("b", false, false),
            col("g", false, true),
            col("c", true, false),
        ];
        let row = [
            Some("x\\y\tz\nw\r张".to_owned()),
            None,
            Some("ignored".to_owned()),
            Some("00ff".to_owned()),
        ];
        let mut out = Vec::new();
        copy_line(&mut out, &row, &cols, "t").unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "x\\\\y\\tz\\nw\\r张\t\\N\t\\\\x00ff\n"
        );
        let bad = [None, None, None, Some("xyz".to_owned())];
        let e = copy_line(&mut Vec::new(), &bad, &cols, "t").unwrap_err();
        assert_eq!(e.code(), "db_query_failed");
    }

    #[test]
    fn index_definitions_move_to_the_target() {
        assert_eq!(
            index_on(
                "CREATE INDEX p_a ON crm.p USING btree (a) WHERE (a > 0)",
                "crm.p",
                "\"masked\".\"p\""
            )
            .as_deref(),
            Some("CREATE INDEX p_a ON \"masked\".\"p\" USING btree (a) WHERE (a > 0)")
        );
        assert_eq!(
            index_on(
                "CREATE UNIQUE INDEX \"I\" ON ONLY \"Crm\".p USING btree (a)",
                "\"Crm\".p",
                "m.p"
            )
            .as_deref(),
            Some("CREATE UNIQUE INDEX \"I\" ON m.p USING btree (a)")
        );
        assert_eq!(
            index_on("CREATE INDEX i ON x.q USING btree (a)", "x.p", "m.p"),
            None
        );
    }
}
