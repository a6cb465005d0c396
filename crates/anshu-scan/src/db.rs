//! Scanning a database: tables are read by a small pool of workers, each with its own
//! connection, through the same sink (sampling, detection, people counting, grading) as files.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use anshu_classify::PeopleCount;
use anshu_db::{
    Connection, DbError, DbTarget, ReadPlan, SampleMethod, SessionOptions, TableFilter, TableInfo,
    ValueKind,
};
use anshu_detect::{Detector, Hint};
use anshu_report as report;
use anshu_source::Sink;

use crate::{sink, FileOutcome, Progress, ScanOptions, TablePeople};

/// Tables with at most this many estimated rows are counted exactly (`COUNT(*)`) for the
/// fingerprint, so a small change is noticed even when the engine's counters lag.
const COUNT_EXACT_UNTIL: u64 = 100_000;

/// How to scan a database.
#[derive(Debug, Clone)]
pub struct DbScanOptions {
    /// Globs on `schema.table`.
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// Scan views as well as tables.
    pub views: bool,
    /// Tables read at the same time (one connection each).
    pub concurrency: usize,
    pub method: SampleMethod,
    /// Rows per batch for `--full` reads.
    pub batch_rows: usize,
    pub session: SessionOptions,
    /// Re-read tables even when their fingerprint is unchanged.
    pub rescan: bool,
}

impl Default for DbScanOptions {
    fn default() -> Self {
        DbScanOptions {
            include: Vec::new(),
            exclude: Vec::new(),
            views: false,
            concurrency: 2,
            method: SampleMethod::Auto,
            batch_rows: 10_000,
            session: SessionOptions::default(),
            rescan: false,
        }
    }
}

/// What the inventory remembers of a table from the last scan.
#[derive(Debug, Clone, Default)]
pub struct PreviousTable {
    pub fingerprint: String,
    pub rows: u64,
    pub people: Option<report::People>,
    pub identifier: Option<String>,
    /// Column name → the types decided last time.
    pub columns: Vec<(String, Vec<report::ColumnType>)>,
}

/// Why a column is not read, or `None` when it is. Columns that cannot hold a finding are not
/// fetched at all: a 32-bit integer cannot hold a mobile number, a date is a birth date only
/// under a birth-date header, and binary data is never pulled over the wire.
fn skip_reason(det: &Detector, c: &anshu_db::ColumnInfo) -> Option<&'static str> {
    let hinted = || {
        let header = match &c.comment {
            Some(m) => format!("{} / {m}", c.name),
            None => c.name.clone(),
        };
        det.header_hints(&header)
            .iter()
            .any(|(_, h)| *h == Hint::Positive)
    };
    match c.kind {
        ValueKind::Text | ValueKind::Other => None,
        ValueKind::Binary => Some("binary"),
        ValueKind::Uuid | ValueKind::Bool | ValueKind::Time => Some("cannot hold findings"),
        ValueKind::Integer { digits } | ValueKind::Decimal { digits }
            if digits == 0 || digits >= 11 =>
        {
            None
        }
        _ if hinted() => None,
        _ => Some("no header hint"),
    }
}

fn seed(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

fn failed(source: &str, table: &str, e: &DbError) -> FileOutcome {
    let mut o = FileOutcome::default();
    o.file.source = source.to_owned();
    o.file.table = Some(table.to_owned());
    o.file.status = "failed".into();
    o.file.note = Some(e.to_string());
    let text = e.to_string();
    o.error = Some(report::ErrorEntry {
        source: source.to_owned(),
        code: e.code().into(),
        error: if text.contains(table) {
            text
        } else {
            format!("{table}: {text}")
        },
    });
    o
}

/// Builds a table's outcome from what the inventory remembers, without reading it.
fn from_previous(
    opts: &ScanOptions,
    source: &str,
    t: &TableInfo,
    prev: &PreviousTable,
    fingerprint: String,
) -> FileOutcome {
    let pack = &opts.pack;
    let q = t.qualified();
    let mut o = FileOutcome::default();
    let mut decisions = Vec::new();
    let mut all = std::collections::BTreeSet::new();
    for c in &t.columns {
        let types = prev
            .columns
            .iter()
            .find(|(n, _)| *n == c.name)
            .map(|(_, t)| t.clone())
            .unwrap_or_default();
        let ids: Vec<&str> = types.iter().map(|t| t.type_id.as_str()).collect();
        all.extend(ids.iter().map(|s| (*s).to_owned()));
        let d = pack.classify_column(&ids);
        o.columns.push(report::Column {
            source: source.to_owned(),
            table: q.clone(),
            column: c.name.clone(),
            rows: prev.rows,
            sampled: 0,
            non_empty: 0,
            types,
            data_type: Some(c.data_type.clone()),
            comment: c.comment.clone(),
            grade: sink::grade(pack, &d),
        });
        decisions.push(d);
    }
    let td = pack.classify_table(&decisions, &all);
    o.tables.push(report::Table {
        source: source.to_owned(),
        table: q.clone(),
        rows: prev.rows,
        people: prev.people,
        identifier: prev.identifier.clone(),
        types: all.iter().cloned().collect(),
        fingerprint: Some(fingerprint),
        grade: sink::grade(pack, &td),
    });
    if let (Some(p), Some(id)) = (prev.people, &prev.identifier) {
        o.people.push(TablePeople {
            identifier: id.clone(),
            distinct: crate::Distinct::new(false),
            estimate: Some(PeopleCount {
                value: p.count,
                exact: p.exact,
                rel_error_95: p.rel_error_95,
            }),
            personal: td.personal,
            sensitive: td.sensitive,
            types: all,
        });
    }
    o.decisions.push(td);
    o.file = report::FileEntry {
        source: source.to_owned(),
        table: Some(q),
        status: "unchanged".into(),
        format: None,
        size: t.size_bytes.unwrap_or(0),
        tables: 1,
        rows: prev.rows,
        note: Some("unchanged since the last scan; not re-read (--rescan reads it)".into()),
        ..Default::default()
    };
    o
}

/// Reads and classifies one table.
#[allow(clippy::too_many_arguments)]
fn scan_table(
    det: &Detector,
    opts: &ScanOptions,
    db: &DbScanOptions,
    conn: &mut dyn Connection,
    source: &str,
    t: &TableInfo,
    previous: &(dyn Fn(&str) -> Option<PreviousTable> + Sync),
    progress: &Progress,
) -> Result<FileOutcome, DbError> {
    let q = t.qualified();
    let exact = match t.rows_estimate {
        Some(e) if e > COUNT_EXACT_UNTIL => None,
        _ => Some(conn.count(t)?),
    };
    let fingerprint = t.fingerprint(exact);
    if !db.rescan {
        if let Some(prev) = previous(&q).filter(|p| p.fingerprint == fingerprint) {
            return Ok(from_previous(opts, source, t, &prev, fingerprint));
        }
    }
    let mut sink = sink::ScanSink::new(det, opts, source);
    sink.begin_table(&q);
    let mut read = Vec::new();
    for (i, c) in t.columns.iter().enumerate() {
        sink.column(i, &c.name);
        sink.column_meta(i, &c.data_type, c.comment.as_deref());
        match skip_reason(det, c) {
            None => read.push(i),
            Some("binary") => sink.warning(format!(
                "{q}: column {} ({}) is binary and was not read",
                c.name, c.data_type
            )),
            Some(_) => {}
        }
    }
    let plan = ReadPlan {
        columns: read,
        sample_rows: opts.sample_rows,
        full: opts.full,
        method: db.method,
        batch_rows: db.batch_rows,
        seed: seed(&q),
    };
    let stats = conn.read(t, &plan, &progress.cancel, &mut |cells| sink.row(cells))?;
    let total = exact.or(t.rows_estimate).unwrap_or(stats.rows);
    if !opts.full && total > stats.rows {
        sink.total_rows(total);
    }
    let mut o = sink.finish();
    if let Some(tb) = o.tables.first_mut() {
        tb.fingerprint = Some(fingerprint);
    }
    o.file.source = source.to_owned();
    o.file.table = Some(q);
    o.file.status = "read".into();
    o.file.size = t.size_bytes.unwrap_or(0);
    o.file.rows_read = Some(stats.rows);
    o.file.note = Some(format!("{} rows read: {}", stats.rows, stats.method));
    Ok(o)
}

/// Scans the tables of one database. Connection problems that stop the whole database (the
/// server is down, the password is wrong) are returned; a problem with one table becomes that
/// table's error and the scan goes on. `on_table` receives `(position, outcome)` in completion
/// order; positions follow the catalog's table order.
#[allow(clippy::too_many_arguments)]
pub fn scan_database(
    det: &Detector,
    opts: &ScanOptions,
    db: &DbScanOptions,
    target: &DbTarget,
    root: usize,
    previous: &(dyn Fn(&str) -> Option<PreviousTable> + Sync),
    progress: &Progress,
    on_table: &(dyn Fn(usize, FileOutcome) + Sync),
) -> Result<usize, DbError> {
    let filter = TableFilter::new(&db.include, &db.exclude).map_err(DbError::Url)?;
    let mut first = anshu_db::connect(target, &db.session)?;
    let tables = first.tables(db.views, &|q| filter.keeps(q))?;
    progress
        .units_total
        .fetch_add(tables.len() as u64, Ordering::Relaxed);
    let source = target.display();
    let next = AtomicUsize::new(0);
    let first = Mutex::new(Some(first));
    let workers = db.concurrency.clamp(1, 64).min(tables.len().max(1));
    std::thread::scope(|s| {
        for w in 0..workers {
            let (next, first, tables, source) = (&next, &first, &tables, &source);
            s.spawn(move || {
                let mut conn: Option<Box<dyn Connection>> = if w == 0 {
                    first.lock().ok().and_then(|mut f| f.take())
                } else {
                    None
                };
                loop {
                    if progress.cancel.load(Ordering::Relaxed) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(t) = tables.get(i) else { break };
                    let q = t.qualified();
                    let outcome = if !t.readable {
                        failed(
                            source,
                            &q,
                            &DbError::Permission {
                                table: q.clone(),
                                message: "the user has no SELECT privilege on it".into(),
                            },
                        )
                    } else {
                        if conn.is_none() {
                            match anshu_db::connect(target, &db.session) {
                                Ok(c) => conn = Some(c),
                                Err(e) => {
                                    on_table(i, failed(source, &q, &e));
                                    progress.files_done.fetch_add(1, Ordering::Relaxed);
                                    continue;
                                }
                            }
                        }
                        let Some(c) = conn.as_mut() else { break };
                        match scan_table(det, opts, db, c.as_mut(), source, t, previous, progress) {
                            Ok(o) => o,
                            Err(DbError::Cancelled) => break,
                            Err(e) => {
                                // A lost connection is reopened for the next table.
                                if matches!(e, DbError::Unreachable { .. }) {
                                    conn = None;
                                }
                                failed(source, &q, &e)
                            }
                        }
                    };
                    let mut outcome = outcome;
                    outcome.root = root;
                    outcome.file.format = Some(target.engine.name().into());
                    progress.files_done.fetch_add(1, Ordering::Relaxed);
                    on_table(i, outcome);
                }
            });
        }
    });
    Ok(tables.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_columns_are_read() {
        let det = Detector::builtin().unwrap();
        let col = |name: &str, kind: ValueKind, comment: Option<&str>| anshu_db::ColumnInfo {
            name: name.into(),
            data_type: String::new(),
            kind,
            comment: comment.map(str::to_owned),
        };
        assert_eq!(
            skip_reason(&det, &col("remark", ValueKind::Text, None)),
            None
        );
        assert_eq!(
            skip_reason(&det, &col("phone", ValueKind::Integer { digits: 20 }, None)),
            None
        );
        assert!(skip_reason(&det, &col("qty", ValueKind::Integer { digits: 10 }, None)).is_some());
        assert!(skip_reason(&det, &col("created", ValueKind::Date, None)).is_some());
        assert_eq!(
            skip_reason(&det, &col("csrq", ValueKind::Date, Some("出生日期"))),
            None
        );
        assert_eq!(
            skip_reason(&det, &col("photo", ValueKind::Binary, None)),
            Some("binary")
        );
    }

    #[test]
    fn seeds_are_stable() {
        assert_eq!(seed("crm.customers"), seed("crm.customers"));
        assert_ne!(seed("crm.customers"), seed("crm.orders"));
    }
}
