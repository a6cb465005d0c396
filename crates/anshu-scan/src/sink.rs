//! The sink that turns reader output into column decisions, people counts and text findings.

use std::collections::{BTreeMap, BTreeSet};

use anshu_classify::{Decision, RulePack};
use anshu_detect::mask::mask_for_display;
use anshu_detect::{ColumnProfile, Detector, Evidence, Scratch, Span, ValueMatch};
use anshu_report as report;
use anshu_source::{Sink, TextChunk};
use rayon::prelude::*;

use crate::people::{Distinct, IDENTIFIERS};
use crate::{FileOutcome, ScanOptions, TablePeople};

/// Rows looked at before deciding which columns to count people by.
const PROBE_ROWS: usize = 256;

/// A small, fast, deterministic generator (SplitMix64) for reservoir sampling, seeded from the
/// table name so that the same file gives the same sample on every run.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0), by Lemire's multiply-shift; the bias is below 2^-32 for the
    /// row counts a sample draws from.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
}

fn seed(s: &str) -> u64 {
    // FNV-1a: stable across runs and platforms, unlike the std hasher.
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Cells read ahead in full mode before they are observed in parallel: enough that each worker
/// gets tens of thousands of values, and at most about 8 MB of text however long the values.
const FULL_BATCH_CELLS: usize = 1 << 16;
const FULL_BATCH_BYTES: usize = 8 << 20;

struct Table {
    name: String,
    columns: Vec<String>,
    rows: u64,
    /// Full mode: profiles fed row by row.
    profiles: Vec<ColumnProfile>,
    /// Full mode: cells waiting to be observed, a batch at a time on all workers, as
    /// (column, start, end) in `pending_text`: one buffer, so that holding a cell allocates
    /// nothing.
    pending: Vec<(usize, usize, usize)>,
    pending_text: String,
    /// Sample mode: a uniform reservoir of rows.
    reservoir: Vec<Vec<(usize, String)>>,
    rng: SplitMix,
    /// The first rows, kept until the identifier columns are chosen.
    probe: Vec<Vec<(usize, String)>>,
    /// People counters for identifier-like columns, once chosen.
    counters: Option<Vec<Option<Distinct>>>,
    /// Database columns: the declared type and comment of each column.
    meta: Vec<(Option<String>, Option<String>)>,
    /// Rows in the whole table when the reader saw only a sample of them (a database sample
    /// pushed down to the server); people counts are then scaled up from the sample.
    total_rows: Option<u64>,
}

pub struct ScanSink<'a> {
    det: &'a Detector,
    opts: &'a ScanOptions,
    source: &'a str,
    table: Option<Table>,
    scratch: Scratch,
    spans: Vec<Span>,
    values: Vec<ValueMatch>,
    out: FileOutcome,
    by_type: BTreeMap<String, u64>,
}

pub(crate) fn grade(pack: &RulePack, d: &Decision) -> report::Grade {
    let level = pack.level(d.level);
    report::Grade {
        category: d.category.clone(),
        category_name: d
            .category
            .as_deref()
            .and_then(|c| pack.category_name(c))
            .map(str::to_owned),
        sensitive: d.sensitive,
        level: level.id.clone(),
        level_name: level.name.clone(),
        level_rank: d.level,
        reasons: d
            .reasons
            .iter()
            .map(|r| report::Reason {
                rule: r.rule.clone(),
                text: r.text.clone(),
            })
            .collect(),
    }
}

impl<'a> ScanSink<'a> {
    pub fn new(det: &'a Detector, opts: &'a ScanOptions, source: &'a str) -> Self {
        ScanSink {
            det,
            opts,
            source,
            table: None,
            scratch: Scratch::default(),
            spans: Vec::new(),
            values: Vec::new(),
            out: FileOutcome::default(),
            by_type: BTreeMap::new(),
        }
    }

    fn show(&self, type_id: &str, value: &str) -> String {
        if self.opts.show_values {
            value.to_owned()
        } else {
            mask_for_display(type_id, value)
        }
    }

    /// Chooses the columns whose values look like person identifiers in the probe rows, starts
    /// a counter for each, and feeds it the probe rows.
    fn choose_counters(det: &Detector, values: &mut Vec<ValueMatch>, t: &mut Table, exact: bool) {
        let width = t.columns.len();
        let mut hits = vec![0usize; width];
        let mut seen = vec![0usize; width];
        for row in &t.probe {
            for (c, v) in row {
                if *c >= width || v.trim().is_empty() {
                    continue;
                }
                seen[*c] += 1;
                values.clear();
                det.match_value(v, values);
                if values
                    .iter()
                    .any(|m| IDENTIFIERS.contains(&det.type_info(m.ty).id.as_str()))
                {
                    hits[*c] += 1;
                }
            }
        }
        let mut counters: Vec<Option<Distinct>> = (0..width)
            .map(|c| (seen[c] > 0 && hits[c] * 10 >= seen[c] * 3).then(|| Distinct::new(exact)))
            .collect();
        for row in std::mem::take(&mut t.probe) {
            for (c, v) in row {
                if let Some(Some(d)) = counters.get_mut(c) {
                    if !v.trim().is_empty() {
                        d.add(&v);
                    }
                }
            }
        }
        t.counters = Some(counters);
    }

    /// Observes the rows waiting in full mode: consecutive runs of them on each worker, each
    /// into profiles of its own, merged in row order, so that the profiles are the ones a
    /// single thread builds.
    fn observe_pending(det: &Detector, t: &mut Table) {
        if t.pending.is_empty() {
            return;
        }
        let columns = t.profiles.len();
        let per = t
            .pending
            .len()
            .div_ceil(rayon::current_num_threads().max(1));
        let text = t.pending_text.as_str();
        // Each column's values keep their order within a run and runs are merged in order, so
        // a run may end anywhere, even inside a row.
        let parts: Vec<Vec<ColumnProfile>> = t
            .pending
            .par_chunks(per.max(1))
            .map(|cells| {
                let mut profiles = vec![ColumnProfile::new(); columns];
                let mut scratch = Scratch::default();
                for &(c, start, end) in cells {
                    if let (Some(p), Some(v)) = (profiles.get_mut(c), text.get(start..end)) {
                        p.observe(det, v, &mut scratch);
                    }
                }
                profiles
            })
            .collect();
        for part in &parts {
            for (p, q) in t.profiles.iter_mut().zip(part) {
                p.merge(q);
            }
        }
        t.pending.clear();
        t.pending_text.clear();
    }

    fn close_table(&mut self) {
        let Some(mut t) = self.table.take() else {
            return;
        };
        Self::observe_pending(self.det, &mut t);
        if t.counters.is_none() {
            Self::choose_counters(self.det, &mut self.values, &mut t, self.opts.full);
        }
        if !self.opts.full {
            t.profiles = vec![ColumnProfile::new(); t.columns.len()];
            for row in &t.reservoir {
                for (i, v) in row {
                    if let Some(p) = t.profiles.get_mut(*i) {
                        p.observe(self.det, v, &mut self.scratch);
                    }
                }
            }
        }
        let pack = &self.opts.pack;
        let mut decisions = Vec::new();
        let mut table_types: BTreeSet<String> = BTreeSet::new();
        let mut identifier: Option<(usize, usize)> = None; // (priority, column)
        let rows = t.total_rows.unwrap_or(t.rows);
        for (i, name) in t.columns.iter().enumerate() {
            let p = t.profiles.get(i).cloned().unwrap_or_default();
            let (data_type, comment) = t.meta.get(i).cloned().unwrap_or_default();
            // A column comment is a header written for people: its hint words count as much as
            // the column name's. The separator keeps words of the two from running together.
            let header = match &comment {
                Some(c) => format!("{name} / {c}"),
                None => name.clone(),
            };
            let decided = p.decide(self.det, &header);
            let ids: Vec<&str> = decided
                .iter()
                .map(|c| self.det.type_info(c.ty).id.as_str())
                .collect();
            for (c, id) in decided.iter().zip(&ids) {
                table_types.insert((*id).to_owned());
                if c.evidence == Evidence::Values {
                    if let Some(pri) = IDENTIFIERS.iter().position(|x| x == id) {
                        let counted = t
                            .counters
                            .as_ref()
                            .and_then(|cs| cs.get(i))
                            .is_some_and(Option::is_some);
                        if counted && identifier.is_none_or(|(bp, _)| pri < bp) {
                            identifier = Some((pri, i));
                        }
                    }
                }
            }
            let d = pack.classify_column(&ids);
            let types = decided
                .iter()
                .map(|c| {
                    let info = self.det.type_info(c.ty);
                    report::ColumnType {
                        type_id: info.id.clone(),
                        name: info.name.clone(),
                        confidence: round2(c.confidence),
                        match_ratio: round2(c.match_ratio),
                        matched: c.matched,
                        evidence: match c.evidence {
                            Evidence::Values => "values".into(),
                            Evidence::Spans => "text".into(),
                        },
                        header_hint: c.header_hint,
                        example: c.example.as_deref().map(|v| self.show(&info.id, v)),
                    }
                })
                .collect();
            self.out.columns.push(report::Column {
                source: self.source.to_owned(),
                table: t.name.clone(),
                column: name.clone(),
                rows,
                sampled: p.observed,
                non_empty: p.non_empty,
                types,
                data_type,
                comment,
                grade: grade(pack, &d),
            });
            decisions.push(d);
        }
        let td = pack.classify_table(&decisions, &table_types);
        let people = identifier.and_then(|(pri, col)| {
            let d = t.counters.as_mut()?.get_mut(col)?.take()?;
            Some((IDENTIFIERS[pri], d))
        });
        // With a pushed-down sample, distinct identifiers in the sample are scaled to the table.
        let scaled = match (t.total_rows, &people) {
            (Some(total), Some((_, d))) if total > t.rows && t.rows > 0 => {
                Some(crate::people::scale_sample(d.count().value, t.rows, total))
            }
            _ => None,
        };
        let count = scaled.or_else(|| people.as_ref().map(|(_, d)| d.count()));
        self.out.tables.push(report::Table {
            source: self.source.to_owned(),
            table: t.name.clone(),
            rows,
            fingerprint: None,
            people: count.map(|c| report::People {
                count: c.value,
                exact: c.exact,
                rel_error_95: c.rel_error_95,
            }),
            identifier: people.as_ref().map(|(k, _)| (*k).to_owned()),
            types: table_types.iter().cloned().collect(),
            grade: grade(pack, &td),
        });
        if let Some((kind, distinct)) = people {
            self.out.people.push(TablePeople {
                identifier: kind.to_owned(),
                distinct,
                estimate: scaled,
                personal: td.personal,
                sensitive: td.sensitive,
                types: table_types,
            });
        }
        self.out.decisions.push(td);
        self.out.file.tables += 1;
        self.out.file.rows += rows;
    }

    /// Records a database column's declared type and comment (call after `column`).
    pub(crate) fn column_meta(&mut self, index: usize, data_type: &str, comment: Option<&str>) {
        if let Some(t) = &mut self.table {
            if t.meta.len() <= index {
                t.meta.resize(index + 1, (None, None));
            }
            t.meta[index] = (Some(data_type.to_owned()), comment.map(str::to_owned));
        }
    }

    /// Declares how many rows the whole table holds when the reader hands over only a sample.
    pub(crate) fn total_rows(&mut self, rows: u64) {
        if let Some(t) = &mut self.table {
            t.total_rows = Some(rows);
        }
    }

    pub fn finish(mut self) -> FileOutcome {
        self.close_table();
        self.out.file.text_findings_by_type = std::mem::take(&mut self.by_type);
        // Text findings grade the file like a table with those types.
        if !self.out.file.text_findings_by_type.is_empty() {
            let pack = &self.opts.pack;
            let ids: Vec<&str> = self
                .out
                .file
                .text_findings_by_type
                .keys()
                .map(String::as_str)
                .collect();
            let d = pack.classify_column(&ids);
            let types: BTreeSet<String> = ids.iter().map(|s| (*s).to_owned()).collect();
            let td = pack.classify_table(std::slice::from_ref(&d), &types);
            self.out.tables.push(report::Table {
                source: self.source.to_owned(),
                table: self
                    .source
                    .rsplit('/')
                    .next()
                    .unwrap_or(self.source)
                    .to_owned(),
                rows: 0,
                fingerprint: None,
                people: None,
                identifier: None,
                types: types.into_iter().collect(),
                grade: grade(pack, &td),
            });
            self.out.decisions.push(td);
        }
        self.out
    }
}

fn round2(x: f32) -> f32 {
    (x * 100.0).round() / 100.0
}

impl ScanSink<'_> {
    /// Turns one chunk's spans into findings: line numbers, masking, per-type counts.
    fn record_spans(&mut self, chunk: &str, first_line: u64, offset: u64, spans: &[Span]) {
        let bytes = chunk.as_bytes();
        let mut line = first_line;
        let mut cursor = 0usize;
        for s in spans {
            let info = self.det.type_info(s.ty);
            // Counted by reference: most findings are of a type already seen.
            match self.by_type.get_mut(&info.id) {
                Some(n) => *n += 1,
                None => {
                    self.by_type.insert(info.id.clone(), 1);
                }
            }
            self.out.file.text_findings += 1;
            if self.out.text_findings.len() >= self.opts.max_text_findings {
                self.out.file.text_findings_omitted += 1;
                continue;
            }
            // Lines are counted only up to findings that are kept: once the cap is reached no
            // later finding needs one.
            line += memchr::memchr_iter(b'\n', &bytes[cursor..s.start]).count() as u64;
            cursor = s.start;
            let raw = &chunk[s.start..s.end];
            let text = if self.opts.show_values {
                raw.to_owned()
            } else {
                mask_for_display(&info.id, raw)
            };
            self.out.text_findings.push(report::TextFinding {
                source: self.source.to_owned(),
                type_id: info.id.clone(),
                text,
                masked: !self.opts.show_values,
                line,
                offset: offset + s.start as u64,
                length: (s.end - s.start) as u64,
                confidence: round2(s.confidence),
            });
        }
    }
}

impl Sink for ScanSink<'_> {
    fn begin_table(&mut self, name: &str) {
        self.close_table();
        self.table = Some(Table {
            name: name.to_owned(),
            columns: Vec::new(),
            rows: 0,
            profiles: Vec::new(),
            pending: Vec::new(),
            pending_text: String::new(),
            reservoir: Vec::new(),
            rng: SplitMix(seed(name) ^ seed(self.source)),
            probe: Vec::new(),
            counters: None,
            meta: Vec::new(),
            total_rows: None,
        });
    }

    fn column(&mut self, index: usize, name: &str) {
        if let Some(t) = &mut self.table {
            if t.columns.len() <= index {
                t.columns.resize(index + 1, String::new());
            }
            t.columns[index] = name.to_owned();
            if self.opts.full && t.profiles.len() <= index {
                t.profiles.resize(index + 1, ColumnProfile::new());
            }
            if let Some(cs) = &mut t.counters {
                // A column that appears late (JSON) is not counted; its values were not probed.
                if cs.len() <= index {
                    cs.resize_with(index + 1, || None);
                }
            }
        }
    }

    fn row(&mut self, cells: &[(usize, &str)]) {
        let Some(t) = &mut self.table else {
            return;
        };
        let i = t.rows;
        t.rows += 1;
        match &mut t.counters {
            Some(cs) => {
                for (c, v) in cells {
                    if let Some(Some(d)) = cs.get_mut(*c) {
                        if !v.trim().is_empty() {
                            d.add(v);
                        }
                    }
                }
            }
            None => {
                t.probe
                    .push(cells.iter().map(|(c, v)| (*c, (*v).to_owned())).collect());
                if t.probe.len() >= PROBE_ROWS {
                    Self::choose_counters(self.det, &mut self.values, t, self.opts.full);
                }
            }
        }
        if self.opts.full {
            if rayon::current_num_threads() < 2 {
                for (c, v) in cells {
                    if let Some(p) = t.profiles.get_mut(*c) {
                        p.observe(self.det, v, &mut self.scratch);
                    }
                }
            } else {
                for (c, v) in cells {
                    let start = t.pending_text.len();
                    t.pending_text.push_str(v);
                    t.pending.push((*c, start, t.pending_text.len()));
                }
                if t.pending.len() >= FULL_BATCH_CELLS || t.pending_text.len() >= FULL_BATCH_BYTES {
                    Self::observe_pending(self.det, t);
                }
            }
            return;
        }
        let k = self.opts.sample_rows as u64;
        if k == 0 {
            return;
        }
        let owned = || {
            cells
                .iter()
                .map(|(c, v)| (*c, (*v).to_owned()))
                .collect::<Vec<_>>()
        };
        if i < k {
            t.reservoir.push(owned());
        } else {
            let j = t.rng.below(i + 1);
            if j < k {
                t.reservoir[j as usize] = owned();
            }
        }
    }

    fn end_table(&mut self) {
        self.close_table();
    }

    fn text(&mut self, chunk: &str, first_line: u64, offset: u64) {
        let mut spans = std::mem::take(&mut self.spans);
        spans.clear();
        self.det.scan_text(chunk, &mut spans);
        self.record_spans(chunk, first_line, offset, &spans);
        self.spans = spans;
    }

    fn text_batch(&self) -> usize {
        rayon::current_num_threads()
    }

    fn texts(&mut self, chunks: &[TextChunk<'_>]) {
        if chunks.len() < 2 {
            for c in chunks {
                self.text(c.text, c.first_line, c.offset);
            }
            return;
        }
        // Chunks are scanned in parallel and recorded in order, so the report is the same as a
        // scan on one thread.
        let det = self.det;
        let found: Vec<Vec<Span>> = chunks
            .par_iter()
            .map(|c| {
                let mut spans = Vec::new();
                det.scan_text(c.text, &mut spans);
                spans
            })
            .collect();
        for (c, spans) in chunks.iter().zip(&found) {
            self.record_spans(c.text, c.first_line, c.offset, spans);
        }
    }

    fn warning(&mut self, message: String) {
        self.out.warnings.push(report::Warning {
            source: self.source.to_owned(),
            message,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservoir_is_uniform_enough() {
        // Every row of 10,000 should have about a 10% chance of being in a 1,000-row sample;
        // check that the first and last tenths are both represented near 10%.
        let mut rng = SplitMix(seed("t"));
        let k = 1000u64;
        let mut res: Vec<u64> = Vec::new();
        for i in 0..10_000u64 {
            if i < k {
                res.push(i);
            } else {
                let j = rng.below(i + 1);
                if j < k {
                    res[j as usize] = i;
                }
            }
        }
        let first = res.iter().filter(|&&r| r < 1000).count();
        let last = res.iter().filter(|&&r| r >= 9000).count();
        assert!((60..=140).contains(&first), "{first}");
        assert!((60..=140).contains(&last), "{last}");
    }
}
