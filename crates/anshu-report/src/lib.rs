//! # anshu-report
//!
//! The scan report: the serializable model that `--format json` writes (documented in
//! `docs/report-schema.md`; the fields in `spec/scan-report.md` are a contract), and renderers for
//! the human table, JSON, JSON Lines and a self-contained HTML page.
//!
//! It owns presentation only. It does not detect, read files or decide what is masked: the
//! report is built with values already masked unless the user asked to see them, so no renderer
//! can leak what the model does not hold.

mod html;
mod table;

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

pub use html::render_html;
pub use table::render_table;

/// The whole report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub tool: ToolInfo,
    pub summary: Summary,
    /// Data sources (each path given on the command line), with people counts and levels.
    pub sources: Vec<Source>,
    pub files: Vec<FileEntry>,
    /// Tables (a file's table, a spreadsheet sheet), graded 就高从严 with combination rules.
    pub tables: Vec<Table>,
    pub columns: Vec<Column>,
    pub text_findings: Vec<TextFinding>,
    pub warnings: Vec<Warning>,
    pub errors: Vec<ErrorEntry>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
    /// RFC 3339 UTC time the scan started.
    pub started_at: String,
    /// Rows sampled per table, or `null` for a full read.
    pub sample_rows: Option<usize>,
    pub values_shown: bool,
    pub rule_files: Vec<String>,
    /// The classification rule pack, e.g. `gbt43697`.
    pub pack: String,
    pub pack_name: String,
}

/// Why a level was given: the rule and a sentence.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Reason {
    pub rule: String,
    pub text: String,
}

/// Classification and grading of a column, table or source.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Grade {
    /// Category id in the pack (e.g. `pi.identity`), `null` when nothing was detected.
    pub category: Option<String>,
    /// Category name (e.g. 个人身份信息).
    pub category_name: Option<String>,
    /// Sensitive personal information (PIPL Art. 28).
    pub sensitive: bool,
    /// Level id: `core`, `important`, `general-1` … `general-4` (packs add their own, e.g. `jr-3`).
    pub level: String,
    /// Level name for people, e.g. 一般数据 4级.
    pub level_name: String,
    /// The level's position in the pack's ladder (0 = lowest), for sorting across packs.
    pub level_rank: usize,
    pub reasons: Vec<Reason>,
}

/// A count of distinct people.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct People {
    pub count: u64,
    pub exact: bool,
    /// Relative error at 95% confidence; 0 when exact.
    pub rel_error_95: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Table {
    pub source: String,
    pub table: String,
    pub rows: u64,
    /// Distinct people, counted by `identifier`; `null` when the table holds no identifier.
    pub people: Option<People>,
    pub identifier: Option<String>,
    pub types: Vec<String>,
    /// Databases: a hash of the table's schema and size figures, for incremental re-scans.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    #[serde(flatten)]
    pub grade: Grade,
}

/// An important-data threshold a source reaches.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportantHit {
    pub threshold: String,
    pub level: String,
    pub people: People,
    pub min_people: u64,
    /// False when only the estimate, not its low end, reaches the threshold: confirm with --full.
    pub certain: bool,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Source {
    pub source: String,
    pub files: u64,
    pub tables: u64,
    /// People whose personal information the source holds.
    pub people: People,
    /// People whose sensitive personal information it holds.
    pub people_sensitive: People,
    /// Whether the source is important data under the pack's thresholds.
    pub important: bool,
    pub important_hits: Vec<ImportantHit>,
    #[serde(flatten)]
    pub grade: Grade,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub files_total: u64,
    pub files_read: u64,
    pub files_failed: u64,
    pub files_skipped: u64,
    /// Database tables not re-read because they had not changed since the last scan.
    pub files_unchanged: u64,
    pub bytes_read: u64,
    pub duration_ms: u64,
    pub tables: u64,
    pub columns: u64,
    pub columns_with_findings: u64,
    pub text_findings: u64,
    /// Per type: how many columns hold it and how many text spans were found.
    pub by_type: BTreeMap<String, TypeTotals>,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct TypeTotals {
    pub columns: u64,
    pub text_findings: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct FileEntry {
    pub source: String,
    /// Databases: the table (`schema.table`) this entry is for; each table is one entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// `read`, `skipped`, `failed`, or `unchanged` (a database table whose schema and size were
    /// the same as at the last scan, not re-read).
    pub status: String,
    pub format: Option<String>,
    pub encoding: Option<String>,
    pub size: u64,
    pub tables: u64,
    pub rows: u64,
    /// Databases: rows actually fetched (the sample, or every row with --full).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_read: Option<u64>,
    pub text_findings: u64,
    /// Findings beyond the per-file limit are counted but not listed.
    pub text_findings_omitted: u64,
    /// All text findings of this file per type, listed or not.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub text_findings_by_type: BTreeMap<String, u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Column {
    pub source: String,
    pub table: String,
    pub column: String,
    /// Rows in the table (all rows read, whether sampled or not).
    pub rows: u64,
    /// Values examined for this column (the sample).
    pub sampled: u64,
    pub non_empty: u64,
    pub types: Vec<ColumnType>,
    /// Databases: the declared column type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_type: Option<String>,
    /// Databases: the column comment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(flatten)]
    pub grade: Grade,
}

#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct ColumnType {
    #[serde(rename = "type")]
    pub type_id: String,
    pub name: String,
    pub confidence: f32,
    pub match_ratio: f32,
    pub matched: u64,
    /// `values` when whole values are of the type, `text` when free text contains it.
    pub evidence: String,
    pub header_hint: bool,
    /// One example, masked unless values are shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct TextFinding {
    pub source: String,
    #[serde(rename = "type")]
    pub type_id: String,
    /// The matched text, masked unless values are shown.
    pub text: String,
    pub masked: bool,
    pub line: u64,
    /// Byte offset into the decoded UTF-8 text.
    pub offset: u64,
    pub length: u64,
    pub confidence: f32,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Warning {
    pub source: String,
    pub message: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ErrorEntry {
    pub source: String,
    /// A stable code: `permission_denied`, `not_found`, `truncated`, `corrupt`, `malformed`,
    /// `bad_encoding`, `io_error`, `cancelled`.
    pub code: String,
    pub error: String,
}

/// How sensitive a type is for ordering a report: 3 for sensitive personal information (PIPL
/// Art. 28), 2 for other personal information, 1 for identifiers of organisations or networks.
/// The classification rule packs give the authoritative level; this only orders the display.
pub fn display_weight(type_id: &str) -> u32 {
    match type_id {
        "cn_resident_id" | "cn_passport" | "cn_hk_macau_permit" | "cn_taiwan_permit"
        | "bank_card" | "geo_coordinate" | "address" => 3,
        "cn_uscc" | "company_name" | "ipv4" | "ipv6" | "mac_address" => 1,
        _ => 2,
    }
}

/// A column's risk for ordering: its level first, then sensitive PI, then the weight and
/// confidence of its types.
pub fn column_risk(c: &Column) -> f32 {
    let types: f32 = c
        .types
        .iter()
        .map(|t| display_weight(&t.type_id) as f32 * t.confidence)
        .sum();
    c.grade.level_rank as f32 * 100.0 + if c.grade.sensitive { 50.0 } else { 0.0 } + types
}

impl Report {
    /// Recomputes the summary's derived counts from the lists.
    pub fn finish_summary(&mut self) {
        let s = &mut self.summary;
        s.files_total = self.files.len() as u64;
        s.files_read = self.files.iter().filter(|f| f.status == "read").count() as u64;
        s.files_failed = self.files.iter().filter(|f| f.status == "failed").count() as u64;
        s.files_skipped = self.files.iter().filter(|f| f.status == "skipped").count() as u64;
        s.files_unchanged = self
            .files
            .iter()
            .filter(|f| f.status == "unchanged")
            .count() as u64;
        s.tables = self.files.iter().map(|f| f.tables).sum();
        s.columns = self.columns.len() as u64;
        s.columns_with_findings =
            self.columns.iter().filter(|c| !c.types.is_empty()).count() as u64;
        s.text_findings = self.files.iter().map(|f| f.text_findings).sum();
        s.by_type.clear();
        for c in &self.columns {
            for t in &c.types {
                s.by_type.entry(t.type_id.clone()).or_default().columns += 1;
            }
        }
        for f in &self.files {
            for (t, n) in &f.text_findings_by_type {
                s.by_type.entry(t.clone()).or_default().text_findings += n;
            }
        }
    }

    /// Writes the report as one pretty-printed JSON object.
    pub fn write_json(&self, w: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *w, self).map_err(io::Error::other)?;
        writeln!(w)
    }
}

/// One line of the JSON Lines stream. Each record carries a `kind` so consumers can dispatch.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StreamRecord<'a> {
    File(&'a FileEntry),
    Table(&'a Table),
    Source(&'a Source),
    Column(&'a Column),
    TextFinding(&'a TextFinding),
    Warning(&'a Warning),
    Error(&'a ErrorEntry),
    Summary(&'a Summary),
}

/// Writes one JSON Lines record.
pub fn write_jsonl(w: &mut dyn Write, rec: &StreamRecord) -> io::Result<()> {
    serde_json::to_writer(&mut *w, rec).map_err(io::Error::other)?;
    writeln!(w)
}

/// Escapes text for HTML element content and attribute values (also used by the console).
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}
