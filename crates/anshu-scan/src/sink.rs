//! The sink that turns reader output into column decisions and text findings.

use std::collections::BTreeMap;

use anshu_detect::mask::mask_for_display;
use anshu_detect::{ColumnProfile, Detector, Evidence, Scratch, Span};
use anshu_report as report;
use anshu_source::Sink;

use crate::{FileOutcome, ScanOptions};

/// A table's columns as decided, before masking (kept for callers that build inventories).
#[derive(Debug, Clone)]
pub struct TableResult {
    pub name: String,
    pub rows: u64,
}

/// A text finding before masking.
#[derive(Debug, Clone)]
pub struct TextHit {
    pub span: Span,
    pub line: u64,
}

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

struct Table {
    name: String,
    columns: Vec<String>,
    rows: u64,
    /// Full mode: profiles fed row by row.
    profiles: Vec<ColumnProfile>,
    /// Sample mode: a uniform reservoir of rows.
    reservoir: Vec<Vec<(usize, String)>>,
    rng: SplitMix,
}

pub(crate) struct ScanSink<'a> {
    det: &'a Detector,
    opts: &'a ScanOptions,
    source: &'a str,
    table: Option<Table>,
    scratch: Scratch,
    spans: Vec<Span>,
    out: FileOutcome,
    by_type: BTreeMap<String, u64>,
}

impl<'a> ScanSink<'a> {
    pub(crate) fn new(det: &'a Detector, opts: &'a ScanOptions, source: &'a str) -> Self {
        ScanSink {
            det,
            opts,
            source,
            table: None,
            scratch: Scratch::default(),
            spans: Vec::new(),
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

    fn close_table(&mut self) {
        let Some(mut t) = self.table.take() else {
            return;
        };
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
        for (i, name) in t.columns.iter().enumerate() {
            let p = t.profiles.get(i).cloned().unwrap_or_default();
            let types = p
                .decide(self.det, name)
                .into_iter()
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
                rows: t.rows,
                sampled: p.observed,
                non_empty: p.non_empty,
                types,
            });
        }
        self.out.file.tables += 1;
        self.out.file.rows += t.rows;
    }

    pub(crate) fn finish(mut self) -> FileOutcome {
        self.close_table();
        self.out.file.text_findings_by_type = std::mem::take(&mut self.by_type);
        self.out
    }
}

fn round2(x: f32) -> f32 {
    (x * 100.0).round() / 100.0
}

impl Sink for ScanSink<'_> {
    fn begin_table(&mut self, name: &str) {
        self.close_table();
        self.table = Some(Table {
            name: name.to_owned(),
            columns: Vec::new(),
            rows: 0,
            profiles: Vec::new(),
            reservoir: Vec::new(),
            rng: SplitMix(seed(name) ^ seed(self.source)),
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
        }
    }

    fn row(&mut self, cells: &[(usize, &str)]) {
        let Some(t) = &mut self.table else {
            return;
        };
        let i = t.rows;
        t.rows += 1;
        if self.opts.full {
            for (c, v) in cells {
                if let Some(p) = t.profiles.get_mut(*c) {
                    p.observe(self.det, v, &mut self.scratch);
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
        self.spans.clear();
        self.det.scan_text(chunk, &mut self.spans);
        let bytes = chunk.as_bytes();
        let mut line = first_line;
        let mut cursor = 0usize;
        for s in &self.spans {
            line += bytes[cursor..s.start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            cursor = s.start;
            let info = self.det.type_info(s.ty);
            *self.by_type.entry(info.id.clone()).or_insert(0) += 1;
            self.out.file.text_findings += 1;
            if self.out.text_findings.len() >= self.opts.max_text_findings {
                self.out.file.text_findings_omitted += 1;
                continue;
            }
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
