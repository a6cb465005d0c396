//! # anshu-inventory
//!
//! The data-asset inventory (数据资产清单): a catalog of sources, assets (a file's table, a sheet,
//! a text file; later database tables), columns with their detected types, category, level and
//! reasons, people counts, first and last seen, and the history of what changed between scans.
//! People review columns and their overrides survive re-scans. Exports give the full inventory,
//! the important-data catalogue in a filing layout and a summary by level.
//!
//! It owns persistence and the meaning of "changed". It does not scan or classify: it records
//! scan reports and asks the rule pack (anshu-classify) to regrade a table when a person
//! overrides one of its columns. Storage is behind the [`db::Db`] seam: SQLite by default,
//! PostgreSQL when given a URL; schema changes are versioned migrations.

pub mod console;
pub mod db;
mod export;

use std::collections::{BTreeMap, BTreeSet};

use anshu_classify::RulePack;
use anshu_report::Report;
use serde::Serialize;

pub use db::{Db, Dialect, Value};
pub use export::{export, ExportFormat, ExportKind};

/// Errors with a stable code for the error table (`docs/errors.md`).
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("cannot open catalog {target}: {message}")]
    Open { target: String, message: String },
    #[error("catalog database error: {0}")]
    Database(String),
    #[error("catalog schema version {found} is newer than this anshu understands ({known}); upgrade anshu")]
    TooNew { found: i64, known: i64 },
    #[error("not in the inventory: {0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("cannot write {path}: {message}")]
    Export { path: String, message: String },
}

impl InventoryError {
    pub fn code(&self) -> &'static str {
        match self {
            InventoryError::Open { .. } => "catalog_open",
            InventoryError::Database(_) => "catalog_database",
            InventoryError::TooNew { .. } => "catalog_too_new",
            InventoryError::NotFound(_) => "not_found",
            InventoryError::Invalid(_) => "invalid_argument",
            InventoryError::Export { .. } => "export_failed",
        }
    }
}

/// A URL with any password replaced by `***`, for messages and listings.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (auth, host) = match rest.rsplit_once('@') {
        Some((a, h)) => (a, h),
        None => return url.to_owned(),
    };
    let user = auth.split(':').next().unwrap_or("");
    let redacted = if auth.contains(':') {
        format!("{user}:***")
    } else {
        user.to_owned()
    };
    let host = host.split('?').next().unwrap_or(host);
    format!("{scheme}://{redacted}@{host}")
}

/// Versioned migrations. Each runs once, in order, inside a transaction; `{pk}` and `{int}`
/// are the dialect's auto-increment key and 64-bit integer.
const MIGRATIONS: &[&str] = &[
    // 1: the inventory.
    "CREATE TABLE scans (id {pk}, started_at TEXT NOT NULL, pack TEXT NOT NULL, tool_version TEXT, sample_rows {int}, files {int}, changes {int});
     CREATE TABLE sources (id {pk}, uri TEXT NOT NULL UNIQUE, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, last_scan {int},
        people {int}, people_exact {int}, people_sensitive {int}, category TEXT, sensitive {int}, level TEXT, level_name TEXT, level_rank {int},
        important {int} NOT NULL DEFAULT 0, reasons TEXT);
     CREATE TABLE assets (id {pk}, source_id {int} NOT NULL REFERENCES sources(id), path TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
        format TEXT, size {int}, rows {int}, people {int}, people_exact {int}, identifier TEXT, types TEXT, text_findings TEXT,
        category TEXT, sensitive {int}, level TEXT, level_name TEXT, level_rank {int}, reasons TEXT, pack TEXT,
        first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, last_scan {int}, present {int} NOT NULL DEFAULT 1, UNIQUE (source_id, path, name));
     CREATE TABLE columns (id {pk}, asset_id {int} NOT NULL REFERENCES assets(id), name TEXT NOT NULL, position {int}, types TEXT NOT NULL,
        detail TEXT, category TEXT, sensitive {int}, level TEXT, level_name TEXT, level_rank {int}, reasons TEXT,
        first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, present {int} NOT NULL DEFAULT 1,
        override_types TEXT, override_category TEXT, override_sensitive {int}, override_level TEXT, override_level_name TEXT,
        override_level_rank {int}, override_reason TEXT, reviewed_by TEXT, reviewed_at TEXT, review TEXT, UNIQUE (asset_id, name));
     CREATE TABLE history (id {pk}, scan_id {int}, at TEXT NOT NULL, source_id {int}, asset_id {int}, column_id {int},
        change TEXT NOT NULL, old_value TEXT, new_value TEXT);
     CREATE TABLE reviews (id {pk}, column_id {int} NOT NULL REFERENCES columns(id), at TEXT NOT NULL, reviewer TEXT NOT NULL,
        action TEXT NOT NULL, types TEXT, category TEXT, sensitive {int}, level TEXT, reason TEXT NOT NULL);
     CREATE INDEX history_scan ON history (scan_id);
     CREATE INDEX columns_asset ON columns (asset_id);",
    // 2: databases: a table's fingerprint for incremental re-scans, column types and comments.
    "ALTER TABLE assets ADD COLUMN fingerprint TEXT;
     ALTER TABLE columns ADD COLUMN data_type TEXT;
     ALTER TABLE columns ADD COLUMN comment TEXT;",
    // 3: the share registry (anshu share / anshu trace): who received which copy, and the mark
    // parameters needed to trace it. No secret is stored: the marking key is derived from the
    // key file and the share id.
    "CREATE TABLE shares (id {pk}, share_id TEXT NOT NULL UNIQUE, recipient TEXT NOT NULL, purpose TEXT,
        created_at TEXT NOT NULL, source TEXT NOT NULL, output TEXT NOT NULL, tables TEXT, columns TEXT,
        rows {int}, policy TEXT, key_id TEXT NOT NULL, scheme TEXT NOT NULL, params TEXT NOT NULL, marked {int});
     CREATE INDEX shares_recipient ON shares (recipient);",
    // 4: the web console: accounts, sessions (token hashes) and the hash-chained audit log.
    "CREATE TABLE users (id {pk}, username TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL, role TEXT NOT NULL,
        created_at TEXT NOT NULL, disabled {int} NOT NULL DEFAULT 0);
     CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, user_id {int} NOT NULL REFERENCES users(id), csrf TEXT NOT NULL,
        created_at TEXT NOT NULL, expires_at {int} NOT NULL);
     CREATE TABLE audit_log (id {pk}, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT,
        detail TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);",
    // 5: data sources registered in the console; credentials only encrypted (by the server's key).
    "CREATE TABLE console_sources (id {pk}, name TEXT NOT NULL UNIQUE, uri TEXT NOT NULL, kind TEXT NOT NULL,
        secret_enc TEXT, created_at TEXT NOT NULL, created_by TEXT NOT NULL);",
];

/// One copy handed out with `anshu share`, as the registry keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Share {
    pub share_id: String,
    pub recipient: String,
    pub purpose: Option<String>,
    pub created_at: String,
    /// What was shared: a canonical path or a redacted database URL.
    pub source: String,
    /// Where the copy was written (path or redacted URL).
    pub output: String,
    /// The tables copied.
    pub tables: Vec<String>,
    /// The columns copied, `table.column`, and how each was treated.
    pub columns: Vec<String>,
    pub rows: u64,
    /// The masking policy applied (`unmasked` when none).
    pub policy: String,
    /// The id of the key file the mark was derived from (never the key).
    pub key_id: String,
    pub scheme: String,
    /// The mark parameters as JSON (carriers used).
    pub params: String,
    /// Values carrying the mark.
    pub marked: u64,
}

/// A table as the last scan left it (see [`Catalog::previous_tables`]).
#[derive(Debug, Clone, Default)]
pub struct PreviousAsset {
    pub name: String,
    pub fingerprint: String,
    pub rows: u64,
    pub people: Option<u64>,
    pub people_exact: bool,
    pub identifier: Option<String>,
    pub columns: Vec<(String, Vec<anshu_report::ColumnType>)>,
}

/// One change between scans (or a review), as stored in `history`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub id: i64,
    pub scan_id: Option<i64>,
    pub at: String,
    pub source: String,
    pub asset: String,
    pub column: Option<String>,
    /// `asset_added`, `asset_removed`, `column_added`, `column_removed`, `type_added`,
    /// `type_removed`, `level_up`, `level_down`, `rows_changed`, `people_changed`, `reviewed`,
    /// `important_added`, `important_removed`.
    pub change: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// An asset as listed.
#[derive(Debug, Clone, Serialize)]
pub struct AssetRow {
    pub id: i64,
    pub source: String,
    pub path: String,
    pub name: String,
    pub kind: String,
    pub rows: Option<i64>,
    pub people: Option<i64>,
    pub people_exact: bool,
    pub identifier: Option<String>,
    pub types: Vec<String>,
    pub category: Option<String>,
    pub sensitive: bool,
    pub level: String,
    pub level_name: String,
    pub level_rank: i64,
    pub reasons: serde_json::Value,
    pub first_seen: String,
    pub last_seen: String,
    pub present: bool,
    /// The rule pack the asset was graded with.
    pub pack: Option<String>,
}

/// A column as listed: detected values, and the effective ones after any review.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnRow {
    pub id: i64,
    pub asset_id: i64,
    pub source: String,
    pub path: String,
    pub table: String,
    pub column: String,
    pub types: Vec<String>,
    pub category: Option<String>,
    pub sensitive: bool,
    pub level: String,
    pub level_name: String,
    pub level_rank: i64,
    pub reasons: serde_json::Value,
    /// True when a person overrode the detection; the fields above are then the override.
    pub overridden: bool,
    pub detected_types: Vec<String>,
    pub detected_level: String,
    pub review: Option<String>,
    pub review_reason: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub first_seen: String,
    pub last_seen: String,
    pub present: bool,
    /// What detection found, per type: confidence, share of values, evidence and an example
    /// (masked when the scan stored it).
    pub findings: serde_json::Value,
}

/// A source as listed.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRow {
    pub id: i64,
    pub uri: String,
    pub people: Option<i64>,
    pub people_exact: bool,
    pub people_sensitive: Option<i64>,
    pub category: Option<String>,
    pub level: String,
    pub level_name: String,
    pub important: bool,
    pub reasons: serde_json::Value,
    pub first_seen: String,
    pub last_seen: String,
    pub assets: i64,
    pub rows: i64,
    pub size: i64,
}

/// Filters for listings.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Exact level id (effective level).
    pub level: Option<String>,
    pub type_id: Option<String>,
    /// Substring of the source URI.
    pub source: Option<String>,
    /// Include assets and columns no longer present.
    pub include_removed: bool,
}

impl Filter {
    /// Whether a listed asset or column passes the filter.
    fn keeps(
        &self,
        source: &str,
        path: &str,
        level: &str,
        types: &[String],
        present: bool,
    ) -> bool {
        (self.include_removed || present)
            && self
                .source
                .as_ref()
                .is_none_or(|x| source.contains(x.as_str()) || path.contains(x.as_str()))
            && self.level.as_ref().is_none_or(|l| level == l)
            && self.type_id.as_ref().is_none_or(|t| types.contains(t))
    }
}

/// What a reviewer decides about a column.
#[derive(Debug, Clone, Default)]
pub struct Review {
    pub reviewer: String,
    pub reason: String,
    /// `None` keeps the detected types.
    pub types: Option<Vec<String>>,
    pub category: Option<String>,
    pub level: Option<String>,
    pub sensitive: Option<bool>,
    /// Confirm the detection as it is (no override).
    pub confirm: bool,
    /// Remove a previous override.
    pub clear: bool,
    pub at: String,
}

/// The result of recording a scan.
#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    pub scan_id: i64,
    pub changes: Vec<Change>,
}

/// The catalog.
pub struct Catalog {
    db: Box<dyn Db>,
    target: String,
}

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn parse_list(v: &Value) -> Vec<String> {
    v.text()
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or_default()
}

fn parse_json(v: &Value) -> serde_json::Value {
    v.text()
        .and_then(|t| serde_json::from_str(t).ok())
        .unwrap_or(serde_json::Value::Null)
}

impl Catalog {
    /// Opens (creating on first use) a catalog: a `postgres://` or `postgresql://` URL, with an
    /// optional `schema=` query parameter, or a SQLite file path.
    pub fn open(target: &str) -> Result<Catalog, InventoryError> {
        // Several processes opening a new SQLite catalog at once can meet SQLite's immediate
        // "locked" answers (switching to WAL, upgrading a lock): they retry, briefly.
        let mut attempt = 0u64;
        loop {
            match Self::open_once(target) {
                Err(InventoryError::Database(m) | InventoryError::Open { message: m, .. })
                    if m.contains("locked") && attempt < 20 =>
                {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20 * attempt));
                }
                other => return other,
            }
        }
    }

    fn open_once(target: &str) -> Result<Catalog, InventoryError> {
        let db: Box<dyn Db> =
            if target.starts_with("postgres://") || target.starts_with("postgresql://") {
                let (url, schema) = split_schema(target);
                Box::new(db::Postgres::connect(&url, schema.as_deref())?)
            } else {
                let path = std::path::Path::new(target.strip_prefix("sqlite://").unwrap_or(target));
                if let Some(dir) = path.parent() {
                    if !dir.as_os_str().is_empty() {
                        std::fs::create_dir_all(dir).map_err(|e| InventoryError::Open {
                            target: target.to_owned(),
                            message: e.to_string(),
                        })?;
                    }
                }
                Box::new(db::Sqlite::open(path)?)
            };
        let mut c = Catalog {
            db,
            target: redact_url(target),
        };
        c.migrate()?;
        Ok(c)
    }

    /// Where the catalog lives, with any password redacted.
    pub fn target(&self) -> &str {
        &self.target
    }

    pub fn schema_version(&mut self) -> Result<i64, InventoryError> {
        let rows = self
            .db
            .query("SELECT MAX(version) FROM anshu_schema", &[])?;
        Ok(rows.first().and_then(|r| r[0].int()).unwrap_or(0))
    }

    fn migrate(&mut self) -> Result<(), InventoryError> {
        self.db.batch(
            "CREATE TABLE IF NOT EXISTS anshu_schema (version BIGINT NOT NULL, applied_at TEXT)",
        )?;
        let current = self.schema_version()?;
        let known = MIGRATIONS.len() as i64;
        if current > known {
            return Err(InventoryError::TooNew {
                found: current,
                known,
            });
        }
        let (pk, int) = match self.db.dialect() {
            Dialect::Sqlite => ("INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER"),
            Dialect::Postgres => ("BIGSERIAL PRIMARY KEY", "BIGINT"),
        };
        for (i, m) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            let sql = m.replace("{pk}", pk).replace("{int}", int);
            self.begin()?;
            // PostgreSQL's BEGIN takes no lock: serialise migrations with an advisory lock held
            // until the transaction ends (SQLite's BEGIN IMMEDIATE already holds the write lock).
            if self.db.dialect() == Dialect::Postgres {
                if let Err(e) = self.db.batch("SELECT pg_advisory_xact_lock(7311424801)") {
                    let _ = self.db.batch("ROLLBACK");
                    return Err(e);
                }
            }
            // Another process may have applied this migration between our first look and the
            // write lock we now hold: look again under the lock.
            let applied = match self.schema_version() {
                Ok(v) => v,
                Err(e) => {
                    let _ = self.db.batch("ROLLBACK");
                    return Err(e);
                }
            };
            if applied > i as i64 {
                self.db.batch("COMMIT")?;
                continue;
            }
            let r = self.db.batch(&sql).and_then(|_| {
                self.db.execute(
                    "INSERT INTO anshu_schema (version, applied_at) VALUES (?, ?)",
                    &[Value::Int(i as i64 + 1), Value::Null],
                )
            });
            match r {
                Ok(_) => self.db.batch("COMMIT")?,
                Err(e) => {
                    let _ = self.db.batch("ROLLBACK");
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// Records `level_up` or `level_down` when a grade's level moved from `old` (rank, id).
    fn level_change(
        &mut self,
        scan_id: i64,
        at: &str,
        ids: (i64, Option<i64>, Option<i64>),
        old: (i64, String),
        new: &anshu_report::Grade,
    ) -> Result<(), InventoryError> {
        let new_rank = new.level_rank as i64;
        if old.0 == new_rank {
            return Ok(());
        }
        let change = if new_rank > old.0 {
            "level_up"
        } else {
            "level_down"
        };
        self.history(
            Some(scan_id),
            at,
            ids,
            change,
            Some(old.1),
            Some(new.level.clone()),
        )
    }

    /// Starts a write transaction. SQLite takes the write lock at once (`IMMEDIATE`), so two
    /// processes recording scans wait for each other instead of failing on a lock upgrade.
    fn begin(&mut self) -> Result<(), InventoryError> {
        match self.db.dialect() {
            Dialect::Sqlite => self.db.batch("BEGIN IMMEDIATE"),
            Dialect::Postgres => self.db.batch("BEGIN"),
        }
    }

    fn history(
        &mut self,
        scan: Option<i64>,
        at: &str,
        ids: (i64, Option<i64>, Option<i64>),
        change: &str,
        old: Option<String>,
        new: Option<String>,
    ) -> Result<(), InventoryError> {
        self.db.execute(
            "INSERT INTO history (scan_id, at, source_id, asset_id, column_id, change, old_value, new_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            &[scan.into(), at.into(), ids.0.into(), ids.1.into(), ids.2.into(), change.into(), old.into(), new.into()],
        )?;
        Ok(())
    }

    /// Records a scan report. `source_uris` gives, in the order of `report.sources`, the stable
    /// identity of each source (an absolute path or a redacted URL). Unchanged data writes no
    /// history; each difference writes exactly one history row.
    ///
    /// `asset_key` maps a file path as it appears in the report to the stable path stored for
    /// the asset (the CLI passes the canonical absolute path, so scanning from another working
    /// directory finds the same assets).
    pub fn record_scan(
        &mut self,
        report: &Report,
        source_uris: &[String],
        pack: &RulePack,
        asset_key: &dyn Fn(&str) -> String,
    ) -> Result<Recorded, InventoryError> {
        self.begin()?;
        match self.record_inner(report, source_uris, pack, asset_key) {
            Ok(r) => {
                self.db.batch("COMMIT")?;
                Ok(r)
            }
            Err(e) => {
                let _ = self.db.batch("ROLLBACK");
                Err(e)
            }
        }
    }

    fn record_inner(
        &mut self,
        report: &Report,
        source_uris: &[String],
        pack: &RulePack,
        asset_key: &dyn Fn(&str) -> String,
    ) -> Result<Recorded, InventoryError> {
        let at = report.tool.started_at.clone();
        let rows = self.db.query(
            "INSERT INTO scans (started_at, pack, tool_version, sample_rows, files, changes) VALUES (?, ?, ?, ?, ?, 0) RETURNING id",
            &[
                at.as_str().into(),
                report.tool.pack.as_str().into(),
                report.tool.version.as_str().into(),
                report.tool.sample_rows.map(|n| n as i64).into(),
                (report.files.len() as i64).into(),
            ],
        )?;
        let scan_id = rows
            .first()
            .and_then(|r| r[0].int())
            .ok_or_else(|| InventoryError::Database("no scan id".into()))?;
        let first_history = self.max_history_id()?;

        for (si, src) in report.sources.iter().enumerate() {
            // A database that could not be reached at all (an error for the source itself and
            // no table read) is left as the inventory knew it: recording it would mark every
            // one of its tables removed.
            let unreachable = report
                .errors
                .iter()
                .any(|e| e.source == src.source && e.code.starts_with("db_"))
                && !report.files.iter().any(|f| f.source == src.source);
            if unreachable {
                continue;
            }
            let uri = source_uris
                .get(si)
                .cloned()
                .unwrap_or_else(|| src.source.clone());
            let existing = self.db.query(
                "SELECT id, important, people FROM sources WHERE uri = ?",
                &[uri.as_str().into()],
            )?;
            let reasons = serde_json::to_string(&src.grade.reasons).unwrap_or_default();
            let source_id = match existing.first() {
                Some(r) => {
                    let id = r[0].int().unwrap_or(0);
                    let was_important = r[1].int().unwrap_or(0) != 0;
                    if was_important != src.important {
                        let change = if src.important {
                            "important_added"
                        } else {
                            "important_removed"
                        };
                        self.history(
                            Some(scan_id),
                            &at,
                            (id, None, None),
                            change,
                            None,
                            Some(src.grade.level.clone()),
                        )?;
                    }
                    if r[2].int() != Some(src.people.count as i64) {
                        self.history(
                            Some(scan_id),
                            &at,
                            (id, None, None),
                            "people_changed",
                            r[2].int().map(|x| x.to_string()),
                            Some(src.people.count.to_string()),
                        )?;
                    }
                    self.db.execute(
                        "UPDATE sources SET last_seen = ?, last_scan = ?, people = ?, people_exact = ?, people_sensitive = ?, category = ?, sensitive = ?, level = ?, level_name = ?, level_rank = ?, important = ?, reasons = ? WHERE id = ?",
                        &[at.as_str().into(), scan_id.into(), src.people.count.into(), src.people.exact.into(), src.people_sensitive.count.into(),
                          src.grade.category.clone().into(), src.grade.sensitive.into(), src.grade.level.as_str().into(), src.grade.level_name.as_str().into(),
                          (src.grade.level_rank as i64).into(), src.important.into(), reasons.as_str().into(), id.into()],
                    )?;
                    id
                }
                None => {
                    let r = self.db.query(
                        "INSERT INTO sources (uri, first_seen, last_seen, last_scan, people, people_exact, people_sensitive, category, sensitive, level, level_name, level_rank, important, reasons) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        &[uri.as_str().into(), at.as_str().into(), at.as_str().into(), scan_id.into(), src.people.count.into(), src.people.exact.into(),
                          src.people_sensitive.count.into(), src.grade.category.clone().into(), src.grade.sensitive.into(), src.grade.level.as_str().into(),
                          src.grade.level_name.as_str().into(), (src.grade.level_rank as i64).into(), src.important.into(), reasons.as_str().into()],
                    )?;
                    let id = r.first().and_then(|x| x[0].int()).unwrap_or(0);
                    if src.important {
                        self.history(
                            Some(scan_id),
                            &at,
                            (id, None, None),
                            "important_added",
                            None,
                            Some(src.grade.level.clone()),
                        )?;
                    }
                    id
                }
            };

            // Assets of this source, keyed by (path, name).
            let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
            let tables: Vec<&anshu_report::Table> = report
                .tables
                .iter()
                .filter(|t| report_source_index(report, &t.source) == Some(si))
                .collect();
            for t in tables {
                let file = report.files.iter().find(|f| {
                    f.source == t.source && f.table.as_ref().is_none_or(|x| *x == t.table)
                });
                let kind = if t.rows == 0
                    && !report
                        .columns
                        .iter()
                        .any(|c| c.source == t.source && c.table == t.table)
                {
                    "text"
                } else {
                    "table"
                };
                let path = asset_key(&t.source);
                seen.insert((path.clone(), t.table.clone()));
                let asset_id =
                    self.upsert_asset(scan_id, &at, source_id, &path, t, file, kind, pack)?;
                let cols: Vec<&anshu_report::Column> = report
                    .columns
                    .iter()
                    .filter(|c| c.source == t.source && c.table == t.table)
                    .collect();
                self.record_columns(scan_id, &at, source_id, asset_id, &cols)?;
                self.regrade(asset_id, pack, false)?;
            }
            // Assets that were present and are gone.
            let present = self.db.query(
                "SELECT id, path, name FROM assets WHERE source_id = ? AND present = 1",
                &[source_id.into()],
            )?;
            // A file or table that could not be read this time keeps what was known of it.
            let failed: Vec<(String, Option<&String>)> = report
                .files
                .iter()
                .filter(|f| f.status == "failed")
                .map(|f| (asset_key(&f.source), f.table.as_ref()))
                .collect();
            for r in present {
                let key = (r[1].string(), r[2].string());
                let unreadable = failed
                    .iter()
                    .any(|(p, t)| *p == key.0 && t.is_none_or(|t| *t == key.1));
                if !seen.contains(&key) && !unreadable {
                    let id = r[0].int().unwrap_or(0);
                    self.db
                        .execute("UPDATE assets SET present = 0 WHERE id = ?", &[id.into()])?;
                    self.history(
                        Some(scan_id),
                        &at,
                        (source_id, Some(id), None),
                        "asset_removed",
                        Some(format!("{}:{}", key.0, key.1)),
                        None,
                    )?;
                }
            }
        }
        let changes = self.changes_since(first_history)?;
        self.db.execute(
            "UPDATE scans SET changes = ? WHERE id = ?",
            &[(changes.len() as i64).into(), scan_id.into()],
        )?;
        Ok(Recorded { scan_id, changes })
    }

    fn max_history_id(&mut self) -> Result<i64, InventoryError> {
        let r = self.db.query("SELECT MAX(id) FROM history", &[])?;
        Ok(r.first().and_then(|x| x[0].int()).unwrap_or(0))
    }

    #[allow(clippy::too_many_arguments)]
    fn upsert_asset(
        &mut self,
        scan_id: i64,
        at: &str,
        source_id: i64,
        path: &str,
        t: &anshu_report::Table,
        file: Option<&anshu_report::FileEntry>,
        kind: &str,
        pack: &RulePack,
    ) -> Result<i64, InventoryError> {
        let existing = self.db.query(
            "SELECT id, level, level_rank, rows, types, present FROM assets WHERE source_id = ? AND path = ? AND name = ?",
            &[source_id.into(), path.into(), t.table.as_str().into()],
        )?;
        let types = json_list(&t.types);
        let reasons = serde_json::to_string(&t.grade.reasons).unwrap_or_default();
        let text_findings =
            file.map(|f| serde_json::to_string(&f.text_findings_by_type).unwrap_or_default());
        let people = t.people.map(|p| p.count);
        let people_exact = t.people.map(|p| p.exact);
        let params: Vec<Value> = vec![
            file.and_then(|f| f.format.clone()).into(),
            file.map(|f| f.size).into(),
            t.rows.into(),
            people.into(),
            people_exact.into(),
            t.identifier.clone().into(),
            types.as_str().into(),
            text_findings.into(),
            t.grade.category.clone().into(),
            t.grade.sensitive.into(),
            t.grade.level.as_str().into(),
            t.grade.level_name.as_str().into(),
            (t.grade.level_rank as i64).into(),
            reasons.as_str().into(),
            pack.id.as_str().into(),
            t.fingerprint.clone().into(),
            at.into(),
            scan_id.into(),
        ];
        match existing.first() {
            Some(r) => {
                let id = r[0].int().unwrap_or(0);
                let ids = (source_id, Some(id), None);
                if r[5].int() == Some(0) {
                    self.history(
                        Some(scan_id),
                        at,
                        ids,
                        "asset_added",
                        None,
                        Some(format!("{path}:{}", t.table)),
                    )?;
                }
                let old = (r[2].int().unwrap_or(0), r[1].string());
                self.level_change(scan_id, at, ids, old, &t.grade)?;
                if r[3].int() != Some(t.rows as i64) {
                    self.history(
                        Some(scan_id),
                        at,
                        ids,
                        "rows_changed",
                        r[3].int().map(|x| x.to_string()),
                        Some(t.rows.to_string()),
                    )?;
                }
                let mut p = params;
                p.push(id.into());
                self.db.execute(
                    "UPDATE assets SET format = ?, size = ?, rows = ?, people = ?, people_exact = ?, identifier = ?, types = ?, text_findings = ?, category = ?, sensitive = ?, level = ?, level_name = ?, level_rank = ?, reasons = ?, pack = ?, fingerprint = ?, last_seen = ?, last_scan = ?, present = 1 WHERE id = ?",
                    &p,
                )?;
                Ok(id)
            }
            None => {
                let mut p: Vec<Value> = vec![
                    source_id.into(),
                    path.into(),
                    t.table.as_str().into(),
                    kind.into(),
                ];
                p.extend(params);
                p.push(at.into());
                let r = self.db.query(
                    "INSERT INTO assets (source_id, path, name, kind, format, size, rows, people, people_exact, identifier, types, text_findings, category, sensitive, level, level_name, level_rank, reasons, pack, fingerprint, last_seen, last_scan, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    &p,
                )?;
                let id = r.first().and_then(|x| x[0].int()).unwrap_or(0);
                self.history(
                    Some(scan_id),
                    at,
                    (source_id, Some(id), None),
                    "asset_added",
                    None,
                    Some(format!("{path}:{}", t.table)),
                )?;
                Ok(id)
            }
        }
    }

    fn record_columns(
        &mut self,
        scan_id: i64,
        at: &str,
        source_id: i64,
        asset_id: i64,
        cols: &[&anshu_report::Column],
    ) -> Result<(), InventoryError> {
        let existing = self.db.query(
            "SELECT id, name, types, level, level_rank, present FROM columns WHERE asset_id = ?",
            &[asset_id.into()],
        )?;
        let mut by_name: BTreeMap<String, Vec<Value>> =
            existing.into_iter().map(|r| (r[1].string(), r)).collect();
        for (pos, c) in cols.iter().enumerate() {
            let types: Vec<String> = c.types.iter().map(|t| t.type_id.clone()).collect();
            let detail = serde_json::to_string(&c.types).unwrap_or_default();
            let reasons = serde_json::to_string(&c.grade.reasons).unwrap_or_default();
            let g = &c.grade;
            match by_name.remove(&c.column) {
                Some(r) => {
                    let id = r[0].int().unwrap_or(0);
                    let ids = (source_id, Some(asset_id), Some(id));
                    if r[5].int() == Some(0) {
                        self.history(
                            Some(scan_id),
                            at,
                            ids,
                            "column_added",
                            None,
                            Some(c.column.clone()),
                        )?;
                    }
                    let old: BTreeSet<String> = parse_list(&r[2]).into_iter().collect();
                    let new: BTreeSet<String> = types.iter().cloned().collect();
                    for t in new.difference(&old) {
                        self.history(Some(scan_id), at, ids, "type_added", None, Some(t.clone()))?;
                    }
                    for t in old.difference(&new) {
                        self.history(
                            Some(scan_id),
                            at,
                            ids,
                            "type_removed",
                            Some(t.clone()),
                            None,
                        )?;
                    }
                    let old = (r[4].int().unwrap_or(0), r[3].string());
                    self.level_change(scan_id, at, ids, old, g)?;
                    self.db.execute(
                        "UPDATE columns SET position = ?, types = ?, detail = ?, category = ?, sensitive = ?, level = ?, level_name = ?, level_rank = ?, reasons = ?, data_type = ?, comment = ?, last_seen = ?, present = 1 WHERE id = ?",
                        &[(pos as i64).into(), json_list(&types).into(), detail.into(), g.category.clone().into(), g.sensitive.into(), g.level.as_str().into(),
                          g.level_name.as_str().into(), (g.level_rank as i64).into(), reasons.into(), c.data_type.clone().into(), c.comment.clone().into(), at.into(), id.into()],
                    )?;
                }
                None => {
                    let r = self.db.query(
                        "INSERT INTO columns (asset_id, name, position, types, detail, category, sensitive, level, level_name, level_rank, reasons, data_type, comment, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        &[asset_id.into(), c.column.as_str().into(), (pos as i64).into(), json_list(&types).into(), detail.into(), g.category.clone().into(),
                          g.sensitive.into(), g.level.as_str().into(), g.level_name.as_str().into(), (g.level_rank as i64).into(), reasons.into(),
                          c.data_type.clone().into(), c.comment.clone().into(), at.into(), at.into()],
                    )?;
                    let id = r.first().and_then(|x| x[0].int()).unwrap_or(0);
                    self.history(
                        Some(scan_id),
                        at,
                        (source_id, Some(asset_id), Some(id)),
                        "column_added",
                        None,
                        Some(c.column.clone()),
                    )?;
                }
            }
        }
        for (name, r) in by_name {
            if r[5].int() == Some(1) {
                let id = r[0].int().unwrap_or(0);
                self.db
                    .execute("UPDATE columns SET present = 0 WHERE id = ?", &[id.into()])?;
                self.history(
                    Some(scan_id),
                    at,
                    (source_id, Some(asset_id), Some(id)),
                    "column_removed",
                    Some(name),
                    None,
                )?;
            }
        }
        Ok(())
    }

    /// When a person overrode a column, the table's level is recomputed from the effective
    /// column types and levels (就高从严 and combinations), so the override carries upward.
    fn regrade(
        &mut self,
        asset_id: i64,
        pack: &RulePack,
        force: bool,
    ) -> Result<(), InventoryError> {
        let cols = self.db.query(
            "SELECT COALESCE(override_types, types), COALESCE(override_level, level), override_types IS NOT NULL OR override_level IS NOT NULL, COALESCE(override_sensitive, sensitive), COALESCE(override_category, category) FROM columns WHERE asset_id = ? AND present = 1",
            &[asset_id.into()],
        )?;
        let overridden = cols.iter().any(|r| r[2].int() == Some(1));
        if !overridden && !force {
            return Ok(());
        }
        if cols.is_empty() {
            return Ok(());
        }
        let mut decisions = Vec::new();
        let mut all_types = BTreeSet::new();
        for r in &cols {
            let types = parse_list(&r[0]);
            let mut d = pack.classify_column(&types.iter().map(String::as_str).collect::<Vec<_>>());
            if let Some(l) = r[1].text().and_then(|l| pack.level_index(l)) {
                d.level = l;
            }
            d.sensitive = r[3].int() == Some(1);
            if let Some(c) = r[4].text() {
                d.category = Some(c.to_owned());
            }
            all_types.extend(types);
            decisions.push(d);
        }
        let td = pack.classify_table(&decisions, &all_types);
        let level = pack.level(td.level);
        let mut reasons: Vec<anshu_classify::Reason> = td.reasons.clone();
        if overridden {
            reasons.push(anshu_classify::Reason {
                rule: "review".into(),
                text: "regraded after a reviewer's override of one or more columns".into(),
            });
        }
        self.db.execute(
            "UPDATE assets SET level = ?, level_name = ?, level_rank = ?, sensitive = ?, category = ?, types = ?, reasons = ? WHERE id = ?",
            &[level.id.as_str().into(), level.name.as_str().into(), (td.level as i64).into(), td.sensitive.into(), td.category.clone().into(),
              json_list(&all_types.into_iter().collect::<Vec<_>>()).into(), serde_json::to_string(&reasons).unwrap_or_default().into(), asset_id.into()],
        )?;
        Ok(())
    }

    /// What the last scan recorded of each present table of a database source (`uri` as
    /// recorded, the redacted URL), for incremental re-scans: name → fingerprint, rows, people,
    /// identifier and the detected types of each column (before any review override, since the
    /// inventory applies overrides itself).
    pub fn previous_tables(&mut self, uri: &str) -> Result<Vec<PreviousAsset>, InventoryError> {
        let assets = self.db.query(
            "SELECT a.id, a.name, a.fingerprint, a.rows, a.people, a.people_exact, a.identifier FROM assets a JOIN sources s ON s.id = a.source_id
             WHERE s.uri = ? AND a.present = 1 AND a.fingerprint IS NOT NULL",
            &[uri.into()],
        )?;
        let mut out = Vec::new();
        for a in assets {
            let cols = self.db.query(
                "SELECT name, detail FROM columns WHERE asset_id = ? AND present = 1 ORDER BY position",
                &[a[0].clone()],
            )?;
            out.push(PreviousAsset {
                name: a[1].string(),
                fingerprint: a[2].string(),
                rows: a[3].int().unwrap_or(0).max(0) as u64,
                people: a[4].int().map(|p| p.max(0) as u64),
                people_exact: a[5].int() == Some(1),
                identifier: a[6].text().map(str::to_owned),
                columns: cols
                    .into_iter()
                    .map(|c| {
                        let detail = c[1]
                            .text()
                            .and_then(|d| serde_json::from_str(d).ok())
                            .unwrap_or_default();
                        (c[0].string(), detail)
                    })
                    .collect(),
            });
        }
        Ok(out)
    }

    /// Finds a column by `path` (as scanned), optional table name and column name.
    pub fn find_column(
        &mut self,
        path: &str,
        table: Option<&str>,
        column: &str,
    ) -> Result<i64, InventoryError> {
        let rows = self.db.query(
            "SELECT c.id, a.name FROM columns c JOIN assets a ON a.id = c.asset_id WHERE (a.path = ? OR a.path LIKE ?) AND c.name = ?",
            &[path.into(), format!("%/{path}").into(), column.into()],
        )?;
        let rows: Vec<&Vec<Value>> = rows
            .iter()
            .filter(|r| table.is_none_or(|t| r[1].text() == Some(t)))
            .collect();
        match rows.as_slice() {
            [one] => Ok(one[0].int().unwrap_or(0)),
            [] => Err(InventoryError::NotFound(format!(
                "column {column:?} of {path}{}",
                table.map(|t| format!(" [{t}]")).unwrap_or_default()
            ))),
            _ => Err(InventoryError::Invalid(format!(
                "{column:?} matches {} columns; give --table",
                rows.len()
            ))),
        }
    }

    /// Applies a review to a column. Overrides survive re-scans; the table is regraded.
    pub fn review(
        &mut self,
        column_id: i64,
        r: &Review,
        pack: &RulePack,
    ) -> Result<(), InventoryError> {
        if r.reason.trim().is_empty() {
            return Err(InventoryError::Invalid(
                "a review needs a reason (--reason)".into(),
            ));
        }
        if let Some(l) = &r.level {
            if pack.level_index(l).is_none() {
                return Err(InventoryError::Invalid(format!(
                    "unknown level {l:?} for pack {}; levels: {}",
                    pack.id,
                    pack.levels
                        .iter()
                        .map(|x| x.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        let rows = self.db.query(
            "SELECT c.asset_id, a.source_id, c.types, c.level FROM columns c JOIN assets a ON a.id = c.asset_id WHERE c.id = ?",
            &[column_id.into()],
        )?;
        let row = rows
            .first()
            .ok_or_else(|| InventoryError::NotFound(format!("column id {column_id}")))?
            .clone();
        let (asset_id, source_id) = (row[0].int().unwrap_or(0), row[1].int().unwrap_or(0));
        self.begin()?;
        let result = (|| {
            let action = if r.clear {
                "clear"
            } else if r.confirm
                && r.types.is_none()
                && r.level.is_none()
                && r.category.is_none()
                && r.sensitive.is_none()
            {
                "confirm"
            } else {
                "override"
            };
            if r.clear {
                self.db.execute(
                    "UPDATE columns SET override_types = NULL, override_category = NULL, override_sensitive = NULL, override_level = NULL, override_level_name = NULL, override_level_rank = NULL, override_reason = NULL, reviewed_by = ?, reviewed_at = ?, review = 'cleared' WHERE id = ?",
                    &[r.reviewer.as_str().into(), r.at.as_str().into(), column_id.into()],
                )?;
            } else if action == "confirm" {
                self.db.execute(
                    "UPDATE columns SET reviewed_by = ?, reviewed_at = ?, review = 'confirmed', override_reason = ? WHERE id = ?",
                    &[r.reviewer.as_str().into(), r.at.as_str().into(), r.reason.as_str().into(), column_id.into()],
                )?;
            } else {
                // Types given without a level: the pack grades the new types.
                let (level, sensitive, category) = match &r.types {
                    Some(t) => {
                        let d =
                            pack.classify_column(&t.iter().map(String::as_str).collect::<Vec<_>>());
                        (
                            Some(pack.level(d.level).id.clone()),
                            Some(d.sensitive),
                            d.category,
                        )
                    }
                    None => (None, None, None),
                };
                let level = r.level.clone().or(level);
                let level_name = level
                    .as_deref()
                    .and_then(|l| pack.level_index(l))
                    .map(|i| pack.level(i).name.clone());
                let level_rank = level
                    .as_deref()
                    .and_then(|l| pack.level_index(l))
                    .map(|i| i as i64);
                self.db.execute(
                    "UPDATE columns SET override_types = ?, override_category = ?, override_sensitive = ?, override_level = ?, override_level_name = ?, override_level_rank = ?, override_reason = ?, reviewed_by = ?, reviewed_at = ?, review = 'overridden' WHERE id = ?",
                    &[r.types.as_ref().map(|t| json_list(t)).into(), r.category.clone().or(category).into(), r.sensitive.or(sensitive).into(),
                      level.clone().into(), level_name.into(), level_rank.into(), r.reason.as_str().into(), r.reviewer.as_str().into(), r.at.as_str().into(), column_id.into()],
                )?;
            }
            self.db.execute(
                "INSERT INTO reviews (column_id, at, reviewer, action, types, category, sensitive, level, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                &[column_id.into(), r.at.as_str().into(), r.reviewer.as_str().into(), action.into(), r.types.as_ref().map(|t| json_list(t)).into(),
                  r.category.clone().into(), r.sensitive.into(), r.level.clone().into(), r.reason.as_str().into()],
            )?;
            self.history(
                None,
                &r.at,
                (source_id, Some(asset_id), Some(column_id)),
                "reviewed",
                Some(row[3].string()),
                Some(format!("{action}: {}", r.reason)),
            )?;
            self.regrade(asset_id, pack, true)
        })();
        match result {
            Ok(()) => self.db.batch("COMMIT"),
            Err(e) => {
                let _ = self.db.batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// History rows after `after_id`, newest last.
    pub fn changes_since(&mut self, after_id: i64) -> Result<Vec<Change>, InventoryError> {
        self.changes_where("h.id > ?", &[after_id.into()])
    }

    /// History of one scan, or of every scan after `since_scan`.
    pub fn diff(
        &mut self,
        scan: Option<i64>,
        since_scan: Option<i64>,
    ) -> Result<Vec<Change>, InventoryError> {
        match (scan, since_scan) {
            (Some(s), _) => self.changes_where("h.scan_id = ?", &[s.into()]),
            (None, Some(s)) => {
                self.changes_where("(h.scan_id > ? OR h.scan_id IS NULL)", &[s.into()])
            }
            (None, None) => {
                let last = self.db.query("SELECT MAX(id) FROM scans", &[])?;
                let last = last.first().and_then(|r| r[0].int()).unwrap_or(0);
                self.changes_where("h.scan_id = ?", &[last.into()])
            }
        }
    }

    fn changes_where(
        &mut self,
        cond: &str,
        params: &[Value],
    ) -> Result<Vec<Change>, InventoryError> {
        let sql = format!(
            "SELECT h.id, h.scan_id, h.at, s.uri, a.path, a.name, c.name, h.change, h.old_value, h.new_value FROM history h LEFT JOIN sources s ON s.id = h.source_id LEFT JOIN assets a ON a.id = h.asset_id LEFT JOIN columns c ON c.id = h.column_id WHERE {cond} ORDER BY h.id"
        );
        let rows = self.db.query(&sql, params)?;
        Ok(rows
            .into_iter()
            .map(|r| Change {
                id: r[0].int().unwrap_or(0),
                scan_id: r[1].int(),
                at: r[2].string(),
                source: r[3].string(),
                asset: if r[4] == Value::Null {
                    String::new()
                } else {
                    format!("{} [{}]", r[4].string(), r[5].string())
                },
                column: r[6].text().map(str::to_owned),
                change: r[7].string(),
                old: r[8].text().map(str::to_owned),
                new: r[9].text().map(str::to_owned),
            })
            .collect())
    }

    /// Number of history rows in all (for tests and diagnostics).
    pub fn history_len(&mut self) -> Result<i64, InventoryError> {
        let r = self.db.query("SELECT COUNT(*) FROM history", &[])?;
        Ok(r.first().and_then(|x| x[0].int()).unwrap_or(0))
    }

    pub fn sources(&mut self, f: &Filter) -> Result<Vec<SourceRow>, InventoryError> {
        let rows = self.db.query(
            "SELECT s.id, s.uri, s.people, s.people_exact, s.people_sensitive, s.category, s.level, s.level_name, s.important, s.reasons, s.first_seen, s.last_seen,
                    (SELECT COUNT(*) FROM assets a WHERE a.source_id = s.id AND a.present = 1),
                    (SELECT COALESCE(SUM(a.rows), 0) FROM assets a WHERE a.source_id = s.id AND a.present = 1),
                    (SELECT COALESCE(SUM(a.size), 0) FROM assets a WHERE a.source_id = s.id AND a.present = 1)
             FROM sources s ORDER BY s.uri",
            &[],
        )?;
        Ok(rows
            .into_iter()
            .map(|r| SourceRow {
                id: r[0].int().unwrap_or(0),
                uri: r[1].string(),
                people: r[2].int(),
                people_exact: r[3].int() == Some(1),
                people_sensitive: r[4].int(),
                category: r[5].text().map(str::to_owned),
                level: r[6].string(),
                level_name: r[7].string(),
                important: r[8].int() == Some(1),
                reasons: parse_json(&r[9]),
                first_seen: r[10].string(),
                last_seen: r[11].string(),
                assets: r[12].int().unwrap_or(0),
                rows: r[13].int().unwrap_or(0),
                size: r[14].int().unwrap_or(0),
            })
            .filter(|s| f.source.as_ref().is_none_or(|x| s.uri.contains(x.as_str())))
            .filter(|s| f.level.as_ref().is_none_or(|l| &s.level == l))
            .collect())
    }

    pub fn assets(&mut self, f: &Filter) -> Result<Vec<AssetRow>, InventoryError> {
        let rows = self.db.query(
            "SELECT a.id, s.uri, a.path, a.name, a.kind, a.rows, a.people, a.people_exact, a.identifier, a.types, a.category, a.sensitive, a.level, a.level_name, a.level_rank, a.reasons, a.first_seen, a.last_seen, a.present, a.pack
             FROM assets a JOIN sources s ON s.id = a.source_id ORDER BY a.level_rank DESC, a.path, a.name",
            &[],
        )?;
        Ok(rows
            .into_iter()
            .map(|r| AssetRow {
                id: r[0].int().unwrap_or(0),
                source: r[1].string(),
                path: r[2].string(),
                name: r[3].string(),
                kind: r[4].string(),
                rows: r[5].int(),
                people: r[6].int(),
                people_exact: r[7].int() == Some(1),
                identifier: r[8].text().map(str::to_owned),
                types: parse_list(&r[9]),
                category: r[10].text().map(str::to_owned),
                sensitive: r[11].int() == Some(1),
                level: r[12].string(),
                level_name: r[13].string(),
                level_rank: r[14].int().unwrap_or(0),
                reasons: parse_json(&r[15]),
                first_seen: r[16].string(),
                last_seen: r[17].string(),
                present: r[18].int() == Some(1),
                pack: r[19].text().map(str::to_owned),
            })
            .filter(|a| f.keeps(&a.source, &a.path, &a.level, &a.types, a.present))
            .collect())
    }

    pub fn columns(
        &mut self,
        f: &Filter,
        asset_id: Option<i64>,
    ) -> Result<Vec<ColumnRow>, InventoryError> {
        let rows = self.db.query(
            "SELECT c.id, c.asset_id, s.uri, a.path, a.name, c.name,
                    COALESCE(c.override_types, c.types), COALESCE(c.override_category, c.category), COALESCE(c.override_sensitive, c.sensitive),
                    COALESCE(c.override_level, c.level), COALESCE(c.override_level_name, c.level_name), COALESCE(c.override_level_rank, c.level_rank),
                    c.reasons, c.override_types IS NOT NULL OR c.override_level IS NOT NULL OR c.override_category IS NOT NULL OR c.override_sensitive IS NOT NULL,
                    c.types, c.level, c.review, c.override_reason, c.reviewed_by, c.reviewed_at, c.first_seen, c.last_seen, c.present, c.detail
             FROM columns c JOIN assets a ON a.id = c.asset_id JOIN sources s ON s.id = a.source_id
             ORDER BY a.path, a.name, c.position",
            &[],
        )?;
        Ok(rows
            .into_iter()
            .map(|r| ColumnRow {
                id: r[0].int().unwrap_or(0),
                asset_id: r[1].int().unwrap_or(0),
                source: r[2].string(),
                path: r[3].string(),
                table: r[4].string(),
                column: r[5].string(),
                types: parse_list(&r[6]),
                category: r[7].text().map(str::to_owned),
                sensitive: r[8].int() == Some(1),
                level: r[9].string(),
                level_name: r[10].string(),
                level_rank: r[11].int().unwrap_or(0),
                reasons: parse_json(&r[12]),
                overridden: r[13].int() == Some(1),
                detected_types: parse_list(&r[14]),
                detected_level: r[15].string(),
                review: r[16].text().map(str::to_owned),
                review_reason: r[17].text().map(str::to_owned),
                reviewed_by: r[18].text().map(str::to_owned),
                reviewed_at: r[19].text().map(str::to_owned),
                first_seen: r[20].string(),
                last_seen: r[21].string(),
                present: r[22].int() == Some(1),
                findings: parse_json(&r[23]),
            })
            .filter(|c| asset_id.is_none_or(|a| c.asset_id == a))
            .filter(|c| f.keeps(&c.source, &c.path, &c.level, &c.types, c.present))
            .collect())
    }

    /// The asset with this id, or whose path ends with `key` (and table, if given).
    pub fn find_asset(
        &mut self,
        key: &str,
        table: Option<&str>,
    ) -> Result<AssetRow, InventoryError> {
        let all = self.assets(&Filter {
            include_removed: true,
            ..Default::default()
        })?;
        if let Ok(id) = key.parse::<i64>() {
            if let Some(a) = all.iter().find(|a| a.id == id) {
                return Ok(a.clone());
            }
        }
        let hits: Vec<&AssetRow> = all
            .iter()
            .filter(|a| a.path == key || a.path.ends_with(&format!("/{key}")))
            .filter(|a| table.is_none_or(|t| a.name == t))
            .collect();
        match hits.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(InventoryError::NotFound(key.to_owned())),
            _ => Err(InventoryError::Invalid(format!(
                "{key:?} matches {} assets; give --table or the id",
                hits.len()
            ))),
        }
    }

    /// History of one asset.
    /// Records a share in the registry.
    pub fn record_share(&mut self, s: &Share) -> Result<(), InventoryError> {
        let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
        self.db.execute(
            "INSERT INTO shares (share_id, recipient, purpose, created_at, source, output, tables, columns, rows, policy, key_id, scheme, params, marked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            &[
                s.share_id.as_str().into(),
                s.recipient.as_str().into(),
                s.purpose.clone().into(),
                s.created_at.as_str().into(),
                s.source.as_str().into(),
                s.output.as_str().into(),
                json(&s.tables).into(),
                json(&s.columns).into(),
                s.rows.into(),
                s.policy.as_str().into(),
                s.key_id.as_str().into(),
                s.scheme.as_str().into(),
                s.params.as_str().into(),
                s.marked.into(),
            ],
        )?;
        Ok(())
    }

    /// Every share in the registry, oldest first.
    pub fn shares(&mut self) -> Result<Vec<Share>, InventoryError> {
        let rows = self.db.query(
            "SELECT share_id, recipient, purpose, created_at, source, output, tables, columns, rows, policy, key_id, scheme, params, marked FROM shares ORDER BY id",
            &[],
        )?;
        let list = |v: &Value| -> Vec<String> {
            v.text()
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or_default()
        };
        Ok(rows
            .iter()
            .map(|r| Share {
                share_id: r[0].string(),
                recipient: r[1].string(),
                purpose: r[2].text().map(str::to_owned),
                created_at: r[3].string(),
                source: r[4].string(),
                output: r[5].string(),
                tables: list(&r[6]),
                columns: list(&r[7]),
                rows: r[8].int().unwrap_or(0).max(0) as u64,
                policy: r[9].string(),
                key_id: r[10].string(),
                scheme: r[11].string(),
                params: r[12].string(),
                marked: r[13].int().unwrap_or(0).max(0) as u64,
            })
            .collect())
    }

    pub fn asset_history(&mut self, asset_id: i64) -> Result<Vec<Change>, InventoryError> {
        self.changes_where("h.asset_id = ?", &[asset_id.into()])
    }
}

/// Finds which report source a file path belongs to (the longest matching source prefix).
fn report_source_index(report: &Report, path: &str) -> Option<usize> {
    report
        .sources
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            path == s.source
                || path.starts_with(&format!("{}/", s.source.trim_end_matches('/')))
                || s.source == "."
        })
        .max_by_key(|(_, s)| s.source.len())
        .map(|(i, _)| i)
}

/// Splits a `schema=` query parameter off a PostgreSQL URL.
fn split_schema(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), None);
    };
    let mut schema = None;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|kv| match kv.strip_prefix("schema=") {
            Some(s) => {
                schema = Some(s.to_owned());
                false
            }
            None => true,
        })
        .collect();
    let url = if rest.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    (url, schema)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://u:secret@h:5432/db?schema=x"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("/tmp/x.db"), "/tmp/x.db");
        assert_eq!(
            split_schema("postgres://h/db?schema=s1&sslmode=disable"),
            ("postgres://h/db?sslmode=disable".into(), Some("s1".into()))
        );
    }
}
