//! Masking files: plan columns from a scan and a policy, rewrite with maskers, verify, record.
//!
//! A file is read twice with the same reader (so column names agree): first into the scanner to
//! decide each column's types, then through a [`MaskVisitor`] that masks while the copy is
//! written. Columns holding one type are masked value by value; free-text columns and documents
//! span by span. Every masked cell is compared with its input: a sensitive value that comes out
//! unchanged (other than by a `keep` or `shuffle` rule) counts as a survivor and fails
//! verification. The written copy is then scanned again and what the scanner still finds is
//! reported as residual findings (substituted values are valid by design, so a residual ID column
//! after substitution is expected).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anshu_classify::RulePack;
use anshu_detect::{Date, Detector, Span};
use anshu_mark::Carrier;
use anshu_mask::{ColumnFacts, Ctx, Keys, Masker, Policy};
use anshu_report as report;
use anshu_scan::{FileOutcome, ScanOptions, ScanSink};
use serde::Serialize;

use crate::{CopyError, Visitor};

/// Everything masking needs besides the data.
pub struct MaskSetup {
    pub det: Arc<Detector>,
    pub policy: Arc<Policy>,
    pub keys: Option<Arc<Keys>>,
    pub pack: Arc<RulePack>,
    pub today: Date,
    pub scan: ScanOptions,
    /// A recipient mark to embed after masking (`anshu share`), or none.
    pub mark: Option<MarkSetup>,
}

/// Which values carry a share's mark, and its key.
pub struct MarkSetup {
    pub key: anshu_mark::ShareKey,
    /// Mark decimal measures (non-sensitive columns of decimals) within one unit of their last
    /// place.
    pub measures: bool,
    /// Mark pseudonyms (token and hash columns) by choosing among keyed variants.
    pub opaque: bool,
}

/// How one column (or one type inside free text) is masked.
#[derive(Clone)]
pub struct ColumnPlan {
    pub type_id: String,
    pub masker: Arc<dyn Masker>,
    /// Which policy rule chose the method.
    pub rule: String,
}

/// How a column is treated.
#[derive(Clone)]
enum Treatment {
    Values(ColumnPlan),
    Spans,
}

/// Types that identify the person a row is about, in order of preference, for per-person date
/// shifts.
const PERSON_TYPES: &[&str] = &[
    "cn_resident_id",
    "cn_passport",
    "cn_mobile",
    "email",
    "person_name",
];

/// Plans for every table in a file, from its scan.
pub struct FilePlan {
    tables: HashMap<String, HashMap<String, Treatment>>,
}

impl MaskSetup {
    /// The plan for a value of `type_id` in `table.column`; `None` when the policy keeps it.
    pub fn plan_for(
        &self,
        table: &str,
        column: &str,
        type_id: &str,
    ) -> Result<Option<ColumnPlan>, anshu_mask::MaskError> {
        let d = self.pack.classify_column(&[type_id]);
        let level = self.pack.level(d.level).id.clone();
        let facts = ColumnFacts {
            table,
            column,
            type_id,
            category: d.category.as_deref(),
            level: Some(&level),
            level_rank: Some(d.level),
        };
        match self.policy.choose(&facts) {
            None => Ok(None),
            Some((rule, spec)) => Ok(Some(ColumnPlan {
                type_id: type_id.to_owned(),
                masker: spec.build(self.keys.as_ref(), self.today)?,
                rule,
            })),
        }
    }

    /// Plans a file's tables from its scan outcome.
    pub fn plan(&self, outcome: &FileOutcome) -> Result<FilePlan, anshu_mask::MaskError> {
        let mut tables: HashMap<String, HashMap<String, Treatment>> = HashMap::new();
        for c in &outcome.columns {
            let t = match c.types.as_slice() {
                [] => continue,
                [one] if one.evidence != "text" => {
                    match self.plan_for(&c.table, &c.column, &one.type_id)? {
                        Some(p) => Treatment::Values(p),
                        None => continue,
                    }
                }
                _ => Treatment::Spans,
            };
            tables
                .entry(c.table.clone())
                .or_default()
                .insert(c.column.clone(), t);
        }
        Ok(FilePlan { tables })
    }
}

/// Counts of what masking did, per file and in total.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MaskStats {
    pub rows: u64,
    /// Values masked whole (column values).
    pub values_masked: u64,
    /// Spans masked inside free text and documents.
    pub spans_masked: u64,
    pub by_method: BTreeMap<String, u64>,
    pub by_type: BTreeMap<String, u64>,
    /// Values the method could not take (not a date, too short for FF1), redacted instead.
    pub fallbacks: u64,
    /// Values left readable on purpose by a `keep` or `shuffle` rule.
    pub kept_by_policy: u64,
    /// Sensitive input values found verbatim in the output: verification fails if non-zero.
    pub survivors: u64,
    /// Where survivors are, with their value masked for display.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub survivor_examples: Vec<String>,
    /// Values that carry a recipient mark (`anshu share`), and how many of them marking changed.
    #[serde(skip_serializing_if = "is_zero")]
    pub marked: u64,
    #[serde(skip_serializing_if = "is_zero")]
    pub mark_changed: u64,
    /// The carriers used: fraction digits of marked measures, and whether pseudonyms carry marks.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub mark_decimals: BTreeSet<u32>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub mark_opaque: bool,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl MaskStats {
    pub fn add(&mut self, o: &MaskStats) {
        self.rows += o.rows;
        self.values_masked += o.values_masked;
        self.spans_masked += o.spans_masked;
        for (k, v) in &o.by_method {
            *self.by_method.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &o.by_type {
            *self.by_type.entry(k.clone()).or_default() += v;
        }
        self.fallbacks += o.fallbacks;
        self.kept_by_policy += o.kept_by_policy;
        self.survivors += o.survivors;
        for e in &o.survivor_examples {
            if self.survivor_examples.len() < 20 {
                self.survivor_examples.push(e.clone());
            }
        }
        self.marked += o.marked;
        self.mark_changed += o.mark_changed;
        self.mark_decimals.extend(&o.mark_decimals);
        self.mark_opaque |= o.mark_opaque;
    }
}

/// Masks one value with a plan, counting what happened. Returns the new value.
fn mask_one(
    plan: &ColumnPlan,
    value: &str,
    person: Option<&str>,
    stats: &mut MaskStats,
    warnings: &mut Vec<String>,
    where_: &dyn Fn() -> String,
) -> String {
    let ctx = Ctx {
        type_id: &plan.type_id,
        person,
    };
    let out = match plan.masker.mask(value, &ctx) {
        Ok(o) => {
            *stats
                .by_method
                .entry(plan.masker.method().to_owned())
                .or_default() += 1;
            o
        }
        Err(e) => {
            stats.fallbacks += 1;
            *stats.by_method.entry("redact".into()).or_default() += 1;
            if warnings.len() < 50 {
                warnings.push(format!(
                    "{}: {} ({e}); redacted instead",
                    where_(),
                    plan.masker.method()
                ));
            }
            "*".repeat(value.chars().count().max(1))
        }
    };
    *stats.by_type.entry(plan.type_id.clone()).or_default() += 1;
    if plan.masker.keeps_values() {
        stats.kept_by_policy += 1;
    } else if out.trim() == value.trim() {
        stats.survivors += 1;
        if stats.survivor_examples.len() < 20 {
            stats.survivor_examples.push(format!(
                "{}: {}",
                where_(),
                anshu_detect::mask::mask_for_display(&plan.type_id, value)
            ));
        }
    }
    out
}

/// Rewrites the visited data by a plan.
pub struct MaskVisitor {
    setup: Arc<MaskSetup>,
    plan: Arc<FilePlan>,
    source: String,
    table: String,
    columns: Vec<Option<Treatment>>,
    names: Vec<String>,
    span_plans: HashMap<String, Option<ColumnPlan>>,
    spans: Vec<Span>,
    block_index: u64,
    /// Per column, once decided from the table's first block: the mark carrier, if any.
    carriers: Vec<Option<Option<Carrier>>>,
    declared: Option<Vec<u32>>,
    pub stats: MaskStats,
    pub warnings: Vec<String>,
    pub errors: Vec<String>,
}

impl MaskVisitor {
    pub fn new(setup: Arc<MaskSetup>, plan: Arc<FilePlan>, source: &str) -> Self {
        MaskVisitor {
            setup,
            plan,
            source: source.to_owned(),
            table: String::new(),
            columns: Vec::new(),
            names: Vec::new(),
            span_plans: HashMap::new(),
            spans: Vec::new(),
            block_index: 0,
            carriers: Vec::new(),
            declared: None,
            stats: MaskStats::default(),
            warnings: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn span_plan(&mut self, column: &str, type_id: &str) -> Option<ColumnPlan> {
        let key = format!("{column}\u{0}{type_id}");
        if let Some(p) = self.span_plans.get(&key) {
            return p.clone();
        }
        let p = match self.setup.plan_for(&self.table, column, type_id) {
            Ok(p) => p,
            Err(e) => {
                self.errors.push(e.to_string());
                None
            }
        };
        self.span_plans.insert(key, p.clone());
        p
    }

    /// Masks every finding in `text`, from the end so offsets stay valid.
    fn mask_spans(&mut self, text: &mut String, column: &str, line: u64) {
        self.spans.clear();
        self.setup.det.scan_text(text, &mut self.spans);
        if self.spans.is_empty() {
            return;
        }
        let mut spans = std::mem::take(&mut self.spans);
        spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
        // Keep outermost, non-overlapping spans.
        let mut kept: Vec<Span> = Vec::with_capacity(spans.len());
        for s in spans.drain(..) {
            if kept.last().is_none_or(|k| s.start >= k.end) {
                kept.push(s);
            }
        }
        let originals: Vec<(String, String)> = kept
            .iter()
            .map(|s| {
                (
                    self.setup.det.type_info(s.ty).id.clone(),
                    text.get(s.start..s.end).unwrap_or("").to_owned(),
                )
            })
            .collect();
        for (s, (type_id, value)) in kept.iter().zip(&originals).rev() {
            let Some(plan) = self.span_plan(column, type_id) else {
                continue;
            };
            let src = self.source.clone();
            let table = self.table.clone();
            let col = column.to_owned();
            let where_ = move || {
                if col.is_empty() {
                    format!("{src} line {line}")
                } else {
                    format!("{src} {table}.{col}")
                }
            };
            let mut w = std::mem::take(&mut self.warnings);
            let out = mask_one(&plan, value, None, &mut self.stats, &mut w, &where_);
            self.warnings = w;
            self.stats.spans_masked += 1;
            text.replace_range(s.start..s.end, &out);
        }
        self.spans = spans;
    }
}

/// The fraction digits shared by nearly all of a column's values, when they are decimals.
fn measure_decimals<'a>(values: impl Iterator<Item = &'a str>) -> Option<u32> {
    let mut counts = [0usize; 5];
    let mut total = 0usize;
    for v in values {
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        total += 1;
        let body = v.strip_prefix('-').unwrap_or(v);
        if let Some((int, frac)) = body.split_once('.') {
            if !int.is_empty()
                && (1..=4).contains(&frac.len())
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
            {
                counts[frac.len()] += 1;
            }
        }
    }
    let (d, n) = counts.iter().enumerate().max_by_key(|(_, n)| **n)?;
    // Nine in ten values, and enough of them to be a column of measures rather than a few
    // numbers in a text column.
    (*n > 0 && *n * 10 >= total * 9).then_some(d as u32)
}

impl MaskVisitor {
    /// Declares the columns' fraction digits up front (a database column's `NUMERIC(p, s)` type
    /// says it before any row is seen; 0 for anything else), instead of guessing from values.
    pub fn declare_measures(&mut self, scales: Vec<u32>) {
        self.declared = Some(scales);
    }

    /// Embeds the share's mark in a masked block: decides each column's carrier from the first
    /// block it sees, then marks every carrier value.
    fn mark_block(&mut self, block: &mut [Vec<(usize, String)>]) {
        let Some(mark) = self.setup.mark.as_ref() else {
            return;
        };
        for ci in 0..self.carriers.len() {
            if self.carriers[ci].is_some() {
                continue;
            }
            let carrier = match self.columns.get(ci).cloned().flatten() {
                Some(Treatment::Values(p)) if mark.opaque => {
                    matches!(p.masker.method(), "token" | "hash").then_some(Carrier::Opaque)
                }
                Some(_) => None,
                None if mark.measures && self.declared.is_some() => self
                    .declared
                    .as_ref()
                    .and_then(|d| d.get(ci).copied())
                    .filter(|d| *d > 0)
                    .map(|decimals| Carrier::Measure { decimals }),
                None if mark.measures => measure_decimals(
                    block
                        .iter()
                        .flat_map(|r| r.iter().filter(|(i, _)| *i == ci).map(|(_, v)| v.as_str())),
                )
                .map(|decimals| Carrier::Measure { decimals }),
                None => None,
            };
            self.carriers[ci] = Some(carrier);
        }
        for row in block.iter_mut() {
            for (i, value) in row.iter_mut() {
                let Some(c) = self.carriers.get(*i).copied().flatten().flatten() else {
                    continue;
                };
                if let Some(m) = mark.key.mark(c, value) {
                    self.stats.marked += 1;
                    match c {
                        Carrier::Measure { decimals } => {
                            self.stats.mark_decimals.insert(decimals);
                        }
                        Carrier::Opaque => self.stats.mark_opaque = true,
                    }
                    if m != *value {
                        self.stats.mark_changed += 1;
                        *value = m;
                    }
                }
            }
        }
    }
}

impl Visitor for MaskVisitor {
    fn begin_table(&mut self, name: &str) {
        self.table = name.to_owned();
        self.columns.clear();
        self.names.clear();
        self.carriers.clear();
        self.declared = None;
        self.span_plans.clear();
    }

    fn column(&mut self, index: usize, name: &str) {
        if self.columns.len() <= index {
            self.columns.resize(index + 1, None);
            self.names.resize(index + 1, String::new());
            self.carriers.resize(index + 1, None);
        }
        self.names[index] = name.to_owned();
        self.columns[index] = self
            .plan
            .tables
            .get(&self.table)
            .and_then(|t| t.get(name))
            .cloned();
    }

    fn rows(&mut self, block: &mut [Vec<(usize, String)>]) {
        self.stats.rows += block.len() as u64;
        // The person a row is about: the first column of a person-identifying type.
        let person_col = PERSON_TYPES.iter().find_map(|t| {
            self.columns
                .iter()
                .position(|c| matches!(c, Some(Treatment::Values(p)) if p.type_id == *t))
        });
        let mut warnings = std::mem::take(&mut self.warnings);
        for row in block.iter_mut() {
            let person: Option<String> = person_col
                .and_then(|pc| row.iter().find(|(i, _)| *i == pc))
                .map(|(_, v)| v.clone());
            for (i, value) in row.iter_mut() {
                if value.trim().is_empty() {
                    continue;
                }
                match self.columns.get(*i).cloned().flatten() {
                    Some(Treatment::Values(plan)) => {
                        let (src, table, col) = (&self.source, &self.table, &self.names[*i]);
                        let where_ = || format!("{src} {table}.{col}");
                        let out = mask_one(
                            &plan,
                            value,
                            person.as_deref(),
                            &mut self.stats,
                            &mut warnings,
                            &where_,
                        );
                        self.stats.values_masked += 1;
                        *value = out;
                    }
                    Some(Treatment::Spans) => {
                        let col = self.names[*i].clone();
                        let mut v = std::mem::take(value);
                        self.warnings = std::mem::take(&mut warnings);
                        self.mask_spans(&mut v, &col, 0);
                        warnings = std::mem::take(&mut self.warnings);
                        *value = v;
                    }
                    None => {}
                }
            }
        }
        self.warnings = warnings;
        // Column-level steps (shuffling) over the block.
        for (ci, t) in self.columns.iter().enumerate() {
            if let Some(Treatment::Values(plan)) = t {
                if plan.masker.method() == "shuffle" {
                    let mut vals: Vec<&mut String> = block
                        .iter_mut()
                        .filter_map(|r| r.iter_mut().find(|(i, _)| *i == ci).map(|(_, v)| v))
                        .collect();
                    plan.masker.block(&mut vals, self.block_index);
                }
            }
        }
        self.block_index += 1;
        if self.setup.mark.is_some() {
            self.mark_block(block);
        }
    }

    fn end_table(&mut self) {}

    fn text(&mut self, chunk: &mut String, first_line: u64, _offset: u64) {
        self.mask_spans(chunk, "", first_line);
    }

    fn warning(&mut self, message: String) {
        if self.warnings.len() < 50 {
            self.warnings.push(message);
        }
    }
}

/// Feeds what a file holds into the scanner, for planning.
pub struct ScanVisitor<'s, 'a> {
    pub sink: &'s mut ScanSink<'a>,
}

impl Visitor for ScanVisitor<'_, '_> {
    fn begin_table(&mut self, name: &str) {
        anshu_source::Sink::begin_table(self.sink, name);
    }
    fn column(&mut self, index: usize, name: &str) {
        anshu_source::Sink::column(self.sink, index, name);
    }
    fn rows(&mut self, block: &mut [Vec<(usize, String)>]) {
        let mut cells: Vec<(usize, &str)> = Vec::new();
        for r in block.iter() {
            cells.clear();
            cells.extend(
                r.iter()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(i, v)| (*i, v.as_str())),
            );
            anshu_source::Sink::row(self.sink, &cells);
        }
    }
    fn end_table(&mut self) {
        anshu_source::Sink::end_table(self.sink);
    }
    fn text(&mut self, chunk: &mut String, first_line: u64, offset: u64) {
        anshu_source::Sink::text(self.sink, chunk, first_line, offset);
    }
    fn warning(&mut self, message: String) {
        anshu_source::Sink::warning(self.sink, message);
    }
}

/// What happened to one file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FileRecord {
    pub source: String,
    pub output: String,
    /// `masked`, `failed`, or `skipped`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// The columns masked and how: `table.column → type by method (rule)`.
    pub columns: Vec<ColumnRecord>,
    #[serde(flatten)]
    pub stats: MaskStats,
    /// What a scan of the written copy still finds, by type (values masked for display).
    pub residual: Vec<Residual>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<report::ErrorEntry>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ColumnRecord {
    pub table: String,
    pub column: String,
    pub types: Vec<String>,
    pub method: String,
    pub rule: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Residual {
    pub table: String,
    pub column: String,
    #[serde(rename = "type")]
    pub type_id: String,
    /// `values` or `text`.
    pub evidence: String,
    pub example: Option<String>,
}

/// What the record says about each column with findings: its types and how the plan masks it.
fn column_records(columns: &[report::Column], plan: &FilePlan) -> Vec<ColumnRecord> {
    columns
        .iter()
        .filter(|c| !c.types.is_empty())
        .map(|c| {
            let (method, rule) = match plan.tables.get(&c.table).and_then(|t| t.get(&c.column)) {
                Some(Treatment::Values(p)) => (p.masker.method().to_owned(), p.rule.clone()),
                Some(Treatment::Spans) => {
                    ("spans".to_owned(), "per type found in the text".to_owned())
                }
                None => ("none".to_owned(), "the policy leaves it".to_owned()),
            };
            ColumnRecord {
                table: c.table.clone(),
                column: c.column.clone(),
                types: c.types.iter().map(|t| t.type_id.clone()).collect(),
                method,
                rule,
            }
        })
        .collect()
}

/// Masks one file into `output`, then re-scans the copy.
pub fn mask_file(setup: &Arc<MaskSetup>, input: &Path, output: &Path, source: &str) -> FileRecord {
    let mut rec = FileRecord {
        source: source.to_owned(),
        output: anshu_source::display_path(output),
        ..FileRecord::default()
    };
    let fail = |rec: &mut FileRecord, code: &str, e: String| {
        rec.status = "failed".into();
        rec.error = Some(report::ErrorEntry {
            source: source.to_owned(),
            code: code.to_owned(),
            error: e,
        });
    };
    // Planning pass.
    let mut sink = ScanSink::new(&setup.det, &setup.scan, source);
    let planned = crate::process(
        input,
        None,
        setup.scan.encoding,
        &mut ScanVisitor { sink: &mut sink },
    );
    let outcome = sink.finish();
    if let Err(e) = planned {
        if matches!(e, CopyError::Unsupported(_)) {
            rec.status = "skipped".into();
            rec.warnings.push(format!("{e}; not copied"));
        } else {
            fail(&mut rec, e.code(), e.to_string());
        }
        return rec;
    }
    let plan = match setup.plan(&outcome) {
        Ok(p) => p,
        Err(e) => {
            fail(&mut rec, e.code(), e.to_string());
            return rec;
        }
    };
    rec.columns = column_records(&outcome.columns, &plan);
    // Masking pass.
    let plan = Arc::new(plan);
    let mut v = MaskVisitor::new(Arc::clone(setup), Arc::clone(&plan), source);
    let result = crate::process(input, Some(output), setup.scan.encoding, &mut v);
    rec.stats = std::mem::take(&mut v.stats);
    rec.warnings.extend(std::mem::take(&mut v.warnings));
    if let Some(e) = v.errors.first() {
        fail(&mut rec, "mask_bad_key", e.clone());
        let _ = std::fs::remove_file(output);
        return rec;
    }
    match result {
        Ok(info) => {
            rec.status = "masked".into();
            rec.format = Some(info.format.to_owned());
            rec.encoding = info.encoding;
        }
        Err(e) => {
            // A half-written copy is worse than none: remove it.
            let _ = std::fs::remove_file(output);
            fail(&mut rec, e.code(), e.to_string());
            return rec;
        }
    }
    // Verification pass: scan the copy as a user would.
    let entry = anshu_source::FileEntry {
        path: output.to_path_buf(),
        root: 0,
        size: std::fs::metadata(output).map(|m| m.len()).unwrap_or(0),
    };
    let progress = anshu_scan::Progress::default();
    let after = anshu_scan::scan_file(&setup.det, &entry, &setup.scan, &progress);
    for c in &after.columns {
        for t in &c.types {
            rec.residual.push(Residual {
                table: c.table.clone(),
                column: c.column.clone(),
                type_id: t.type_id.clone(),
                evidence: t.evidence.clone(),
                example: t.example.clone(),
            });
        }
    }
    for (t, n) in &after.file.text_findings_by_type {
        rec.residual.push(Residual {
            table: String::new(),
            column: String::new(),
            type_id: t.clone(),
            evidence: format!("{n} text findings"),
            example: None,
        });
    }
    rec
}

/// Where a masked copy of `path` goes: its path relative to the root it was found under, below
/// `out_dir`.
pub fn output_path(out_dir: &Path, root: &Path, path: &Path) -> PathBuf {
    let rel = if root.is_dir() {
        path.strip_prefix(root).map(Path::to_path_buf).ok()
    } else {
        None
    };
    let rel = rel.unwrap_or_else(|| path.file_name().map(PathBuf::from).unwrap_or_default());
    out_dir.join(rel)
}

/// A database table's rows through the same masking as files.
struct DbRowMap {
    visitor: MaskVisitor,
    width: usize,
    sink: Arc<std::sync::Mutex<(MaskStats, Vec<String>)>>,
}

impl anshu_db::RowMap for DbRowMap {
    fn map(&mut self, row: &mut [Option<String>]) {
        let mut block = vec![row
            .iter_mut()
            .enumerate()
            .filter_map(|(i, v)| v.take().map(|s| (i, s)))
            .collect::<Vec<_>>()];
        self.visitor.rows(&mut block);
        for (i, s) in block.pop().unwrap_or_default() {
            if i < self.width {
                row[i] = Some(s);
            }
        }
    }
}

impl Drop for DbRowMap {
    fn drop(&mut self) {
        if let Ok(mut g) = self.sink.lock() {
            g.0.add(&self.visitor.stats);
            g.1.append(&mut self.visitor.warnings);
        }
    }
}

/// The scale of a `NUMERIC(p, s)` / `DECIMAL(p, s)` column type.
fn numeric_scale(data_type: &str) -> Option<u32> {
    let t = data_type.to_ascii_lowercase();
    if !(t.starts_with("numeric") || t.starts_with("decimal")) {
        return None;
    }
    let inner = t.split_once('(')?.1.split_once(')')?.0;
    inner.split_once(',')?.1.trim().parse().ok()
}

/// What masking a database amounted to.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DbRecord {
    pub source: String,
    pub target: String,
    pub tables: Vec<DbTableRecord>,
    pub columns: Vec<ColumnRecord>,
    #[serde(flatten)]
    pub stats: MaskStats,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DbTableRecord {
    pub table: String,
    pub status: String,
    pub rows: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<report::ErrorEntry>,
}

/// Scans `source` to plan its columns, then copies it into `dest` with every row masked.
pub fn mask_database(
    setup: &Arc<MaskSetup>,
    source: &anshu_db::DbTarget,
    dest: &anshu_db::CopyTarget,
    db: &anshu_scan::DbScanOptions,
    copy: &anshu_db::CopyOptions,
    cancel: &std::sync::atomic::AtomicBool,
) -> Result<DbRecord, anshu_db::DbError> {
    let outcomes = std::sync::Mutex::new(Vec::new());
    let progress = anshu_scan::Progress::default();
    anshu_scan::scan_database(
        &setup.det,
        &setup.scan,
        db,
        source,
        0,
        &|_| None,
        &progress,
        &|_, o| {
            if let Ok(mut v) = outcomes.lock() {
                v.push(o);
            }
        },
    )?;
    let outcomes = outcomes.into_inner().unwrap_or_default();
    let mut merged = FilePlan {
        tables: HashMap::new(),
    };
    let mut rec = DbRecord {
        source: source.display(),
        target: dest.target.display(),
        ..DbRecord::default()
    };
    for o in &outcomes {
        let p = setup
            .plan(o)
            .map_err(|e| anshu_db::DbError::Url(e.to_string()))?;
        for (t, cols) in p.tables {
            merged.tables.entry(t).or_default().extend(cols);
        }
    }
    for o in &outcomes {
        rec.columns.extend(column_records(&o.columns, &merged));
    }
    let filter =
        anshu_db::TableFilter::new(&db.include, &db.exclude).map_err(anshu_db::DbError::Url)?;
    let mut conn = anshu_db::connect(source, &db.session)?;
    let tables = conn.tables(false, &|q| filter.keeps(q))?;
    drop(conn);
    let plan = Arc::new(merged);
    let sink = Arc::new(std::sync::Mutex::new((MaskStats::default(), Vec::new())));
    let src_name = source.display();
    let make = |t: &anshu_db::TableInfo| -> Box<dyn anshu_db::RowMap> {
        let mut v = MaskVisitor::new(Arc::clone(setup), Arc::clone(&plan), &src_name);
        v.begin_table(&t.qualified());
        for (i, c) in t.columns.iter().enumerate() {
            v.column(i, &c.name);
        }
        // Database rows come one at a time: a measure is known by its declared scale.
        v.declare_measures(
            t.columns
                .iter()
                .map(|c| numeric_scale(&c.data_type).unwrap_or(0))
                .collect(),
        );
        Box::new(DbRowMap {
            visitor: v,
            width: t.columns.len(),
            sink: Arc::clone(&sink),
        })
    };
    let results = anshu_db::copy_tables(source, dest, &tables, copy, &make, cancel)?;
    for (table, r) in results {
        rec.tables.push(match r {
            Ok(s) => DbTableRecord {
                table,
                status: "masked".into(),
                rows: s.rows,
                notes: s.notes,
                error: None,
            },
            Err(e) => DbTableRecord {
                error: Some(report::ErrorEntry {
                    source: format!("{} {table}", rec.source),
                    code: e.code().into(),
                    error: source.scrub(&dest.target.scrub(&e.to_string())),
                }),
                table,
                status: "failed".into(),
                rows: 0,
                notes: Vec::new(),
            },
        });
    }
    if let Ok(mut g) = sink.lock() {
        rec.stats = std::mem::take(&mut g.0);
        rec.warnings = std::mem::take(&mut g.1);
    }
    Ok(rec)
}
