//! # anshu-scan
//!
//! The scan pipeline: it owns the flow from discovered files through the readers, row sampling
//! (a uniform reservoir over the whole table, or every row with `--full`) and the detector to the
//! report model, in parallel over files, with progress counters and cancellation.
//!
//! It does not parse formats (anshu-source), decide what a value is (anshu-detect) or render
//! output (anshu-report). It is also where raw values stop: everything it hands to the report is
//! masked unless the caller asked for values.

mod sink;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anshu_detect::Detector;
use anshu_report as report;
use anshu_source::{FileEntry, HeaderMode, Outcome, ReadOptions};
use rayon::prelude::*;

pub use sink::{TableResult, TextHit};

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
        }
    }
}

/// Counters a progress display reads, and a flag that stops the scan.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub bytes: Arc<AtomicU64>,
    pub files_done: Arc<AtomicU64>,
    pub cancel: Arc<AtomicBool>,
}

/// Everything one file produced.
#[derive(Debug, Clone, Default)]
pub struct FileOutcome {
    pub file: report::FileEntry,
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

/// Collects outcomes into a report in a stable order (the order files were discovered).
pub struct ReportBuilder {
    outcomes: Mutex<Vec<(usize, FileOutcome)>>,
    started: Instant,
    tool: report::ToolInfo,
    extra_errors: Vec<report::ErrorEntry>,
}

impl ReportBuilder {
    pub fn new(tool: report::ToolInfo) -> Self {
        ReportBuilder {
            outcomes: Mutex::new(Vec::new()),
            started: Instant::now(),
            tool,
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
        for (_, o) in outcomes {
            r.files.push(o.file);
            r.columns.extend(o.columns);
            r.text_findings.extend(o.text_findings);
            r.warnings.extend(o.warnings);
            r.errors.extend(o.error);
        }
        r.summary.bytes_read = bytes_read;
        r.summary.duration_ms = self.started.elapsed().as_millis() as u64;
        r.finish_summary();
        r
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
