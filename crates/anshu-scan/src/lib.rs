//! # anshu-scan
//!
//! The scan pipeline: it owns the flow from discovered files through the readers, row sampling
//! (a uniform reservoir over the whole table, or every row with `--full`) and the detector to the
//! report model, in parallel over files, with progress counters and cancellation.
//!
//! It does not parse formats (anshu-source), decide what a value is (anshu-detect) or render
//! output (anshu-report). It is also where raw values stop: everything it hands to the report is
//! masked unless the caller asked for values.

mod db;
mod people;
mod sink;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anshu_classify::{Decision, PeopleCount, PeopleCounts, RulePack};
use anshu_detect::Detector;
use anshu_report as report;
use anshu_source::{FileEntry, HeaderMode, Outcome, ReadOptions};
use rayon::prelude::*;

pub use anshu_db::{
    is_database_url, DbError, DbTarget, Engine, SampleMethod, Secret, SessionOptions,
};

/// Checks `--include`/`--exclude` globs as table globs.
pub fn validate_table_globs(include: &[String], exclude: &[String]) -> Result<(), String> {
    anshu_db::TableFilter::new(include, exclude).map(|_| ())
}
pub use db::{scan_database, DbScanOptions, PreviousTable};
pub use people::{
    normalize_identifier, scale_sample, Distinct, Hll, IDENTIFIERS, SKETCH_REL_ERROR_95,
};
pub use sink::ScanSink;

/// How to scan.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Rows sampled per table when not reading everything.
    pub sample_rows: usize,
    /// Read and examine every row.
    pub full: bool,
    pub encoding: Option<&'static anshu_source::EncodingRef>,
    pub delimiter: Option<u8>,
    pub header: HeaderMode,
    /// Text findings listed per file; more are counted but not listed.
    pub max_text_findings: usize,
    /// Show raw values in the report instead of masked ones.
    pub show_values: bool,
    /// The classification and grading rule pack.
    pub pack: Arc<RulePack>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            sample_rows: 1000,
            full: false,
            encoding: None,
            delimiter: None,
            header: HeaderMode::Auto,
            max_text_findings: 10_000,
            show_values: false,
            // The built-in pack is compiled in and covered by tests; failing to parse it is a
            // build defect, not an input error.
            pack: Arc::new(RulePack::builtin("gbt43697").expect("built-in gbt43697 pack parses")),
        }
    }
}

/// Counters a progress display reads, and a flag that stops the scan.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub bytes: Arc<AtomicU64>,
    pub files_done: Arc<AtomicU64>,
    /// Database tables found so far (files are known before the scan starts; tables are not).
    pub units_total: Arc<AtomicU64>,
    pub cancel: Arc<AtomicBool>,
}

/// People found in one table, kept for counting people per source.
#[derive(Debug, Clone)]
pub struct TablePeople {
    /// The identifier type people were counted by.
    pub identifier: String,
    pub distinct: Distinct,
    /// A count that cannot be merged as a set: scaled from a database sample, or carried over
    /// from the inventory for a table that was not re-read. Sources take it as a lower bound.
    pub estimate: Option<PeopleCount>,
    pub personal: bool,
    pub sensitive: bool,
    pub types: BTreeSet<String>,
}

/// Everything one file produced.
#[derive(Debug, Clone, Default)]
pub struct FileOutcome {
    /// The data source (command-line path) the file belongs to.
    pub root: usize,
    pub file: report::FileEntry,
    pub tables: Vec<report::Table>,
    pub people: Vec<TablePeople>,
    /// Table decisions, for grading the source.
    pub decisions: Vec<Decision>,
    pub columns: Vec<report::Column>,
    pub text_findings: Vec<report::TextFinding>,
    pub warnings: Vec<report::Warning>,
    pub error: Option<report::ErrorEntry>,
}

/// Scans one file.
pub fn scan_file(
    det: &Detector,
    entry: &FileEntry,
    opts: &ScanOptions,
    progress: &Progress,
) -> FileOutcome {
    let source = anshu_source::display_path(&entry.path);
    let read_opts = ReadOptions {
        encoding: opts.encoding,
        delimiter: opts.delimiter,
        header: opts.header,
        bytes_read: Some(Arc::clone(&progress.bytes)),
        cancel: Some(Arc::clone(&progress.cancel)),
    };
    let mut sink = sink::ScanSink::new(det, opts, &source);
    let result = anshu_source::read_path(&entry.path, &read_opts, &mut sink);
    let mut out = sink.finish();
    out.root = entry.root;
    out.file.source = source.clone();
    out.file.size = entry.size;
    match result {
        Ok(Outcome::Read { format, encoding }) => {
            out.file.status = "read".into();
            out.file.format = Some(format.name().into());
            out.file.encoding = encoding;
        }
        Ok(Outcome::Skipped { reason }) => {
            out.file.status = "skipped".into();
            out.file.note = Some(reason);
        }
        Err(e) => {
            out.file.status = "failed".into();
            out.file.note = Some(e.to_string());
            out.error = Some(report::ErrorEntry {
                source: source.clone(),
                code: e.code().into(),
                error: e.to_string(),
            });
        }
    }
    progress.files_done.fetch_add(1, Ordering::Relaxed);
    out
}

/// Scans files in parallel, calling `on_file` as each one finishes (in completion order).
pub fn scan_files<F>(
    det: &Detector,
    files: &[FileEntry],
    opts: &ScanOptions,
    progress: &Progress,
    on_file: F,
) where
    F: Fn(usize, FileOutcome) + Sync + Send,
{
    files.par_iter().enumerate().for_each(|(i, f)| {
        if progress.cancel.load(Ordering::Relaxed) {
            return;
        }
        on_file(i, scan_file(det, f, opts, progress));
    });
}

/// Collects outcomes into a report in a stable order (the order files were discovered), and
/// grades each data source from its tables and people counts.
pub struct ReportBuilder {
    outcomes: Mutex<Vec<(usize, FileOutcome)>>,
    started: Instant,
    tool: report::ToolInfo,
    pack: Arc<RulePack>,
    roots: Vec<String>,
    extra_errors: Vec<report::ErrorEntry>,
}

fn people(c: PeopleCount) -> report::People {
    report::People {
        count: c.value,
        exact: c.exact,
        rel_error_95: c.rel_error_95,
    }
}

impl ReportBuilder {
    /// `roots` names the data sources, in the order of `FileEntry::root`.
    pub fn new(tool: report::ToolInfo, pack: Arc<RulePack>, roots: Vec<String>) -> Self {
        ReportBuilder {
            outcomes: Mutex::new(Vec::new()),
            started: Instant::now(),
            tool,
            pack,
            roots,
            extra_errors: Vec::new(),
        }
    }

    /// Records a problem that is not tied to reading one file (a path that does not exist).
    pub fn error(&mut self, source: String, code: &str, message: String) {
        self.extra_errors.push(report::ErrorEntry {
            source,
            code: code.into(),
            error: message,
        });
    }

    pub fn add(&self, index: usize, outcome: FileOutcome) {
        if let Ok(mut v) = self.outcomes.lock() {
            v.push((index, outcome));
        }
    }

    pub fn finish(self, bytes_read: u64) -> report::Report {
        let mut outcomes = self.outcomes.into_inner().unwrap_or_default();
        outcomes.sort_by_key(|(i, _)| *i);
        let mut r = report::Report {
            tool: self.tool,
            ..Default::default()
        };
        r.errors.extend(self.extra_errors);
        let mut per_root: Vec<SourceAcc> = (0..self.roots.len())
            .map(|_| SourceAcc::default())
            .collect();
        for (_, o) in outcomes {
            if let Some(acc) = per_root.get_mut(o.root) {
                acc.files += 1;
                acc.tables += o.tables.len() as u64;
                acc.decisions.extend(o.decisions);
                for p in o.people {
                    acc.add(p);
                }
            }
            r.files.push(o.file);
            r.tables.extend(o.tables);
            r.columns.extend(o.columns);
            r.text_findings.extend(o.text_findings);
            r.warnings.extend(o.warnings);
            r.errors.extend(o.error);
        }
        for (name, acc) in self.roots.iter().zip(per_root) {
            let counts = acc.counts();
            let (d, hits) = self.pack.classify_source(&acc.decisions, &counts);
            r.sources.push(report::Source {
                source: name.clone(),
                files: acc.files,
                tables: acc.tables,
                people: people(counts.personal),
                people_sensitive: people(counts.sensitive),
                important: !hits.is_empty(),
                important_hits: hits
                    .into_iter()
                    .map(|h| report::ImportantHit {
                        threshold: h.threshold,
                        level: h.level,
                        people: people(h.people),
                        min_people: h.min_people,
                        certain: h.certain,
                        reason: h.reason,
                    })
                    .collect(),
                grade: sink::grade(&self.pack, &d),
            });
        }
        r.summary.bytes_read = bytes_read;
        r.summary.duration_ms = self.started.elapsed().as_millis() as u64;
        r.finish_summary();
        r
    }
}

/// People of one source, merged per scope and identifier type: people counted by resident ID
/// and people counted by mobile number cannot be added up, so each scope takes the largest.
#[derive(Default)]
struct SourceAcc {
    files: u64,
    tables: u64,
    decisions: Vec<Decision>,
    /// scope ("personal", "sensitive" or a type id) → identifier type → people.
    scopes: BTreeMap<String, BTreeMap<String, Distinct>>,
    /// scope → the largest count that could not be merged as a set.
    floors: BTreeMap<String, PeopleCount>,
}

impl SourceAcc {
    fn add(&mut self, p: TablePeople) {
        let mut keys: Vec<String> = p.types.iter().cloned().collect();
        if p.personal {
            keys.push("personal".into());
        }
        if p.sensitive {
            keys.push("sensitive".into());
        }
        if let Some(e) = p.estimate {
            for k in keys {
                let slot = self.floors.entry(k).or_default();
                if e.value > slot.value {
                    *slot = e;
                }
            }
            return;
        }
        for k in keys {
            let by_id = self.scopes.entry(k).or_default();
            match by_id.get_mut(&p.identifier) {
                Some(d) => d.merge(&p.distinct),
                None => {
                    by_id.insert(p.identifier.clone(), p.distinct.clone());
                }
            }
        }
    }

    fn counts(&self) -> PeopleCounts {
        let best = |k: &str| -> PeopleCount {
            let merged = self
                .scopes
                .get(k)
                .and_then(|m| m.values().map(Distinct::count).max_by_key(|c| c.value))
                .unwrap_or_default();
            match self.floors.get(k) {
                Some(f) if f.value > merged.value => *f,
                _ => merged,
            }
        };
        PeopleCounts {
            personal: best("personal"),
            sensitive: best("sensitive"),
            by_type: self
                .scopes
                .keys()
                .chain(self.floors.keys())
                .filter(|k| *k != "personal" && *k != "sensitive")
                .map(|k| (k.clone(), best(k)))
                .collect(),
        }
    }
}

/// Per-type counts of a list of findings.
pub fn count_by_type(findings: &[report::TextFinding]) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for f in findings {
        *m.entry(f.type_id.clone()).or_insert(0) += 1;
    }
    m
}

/// Sets the number of worker threads for scans. Must be called before the first scan.
pub fn set_threads(n: usize) -> Result<(), String> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n.max(1))
        .build_global()
        .map_err(|e| e.to_string())
}
