//! The human-readable table, optionally coloured for a terminal.

use std::io::{self, Write};

use crate::{column_risk, display_weight, Report};

/// How many text findings the table lists before pointing to the JSON output.
const MAX_TEXT_ROWS: usize = 200;

fn width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

fn cut(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = width(c.encode_utf8(&mut [0; 4]));
        if w + cw + 1 > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

fn pad(s: &str, w: usize) -> String {
    let mut o = s.to_owned();
    for _ in width(s)..w {
        o.push(' ');
    }
    o
}

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    fn weight(&self, type_id: &str, s: &str) -> String {
        match display_weight(type_id) {
            3 => self.paint("31", s),
            2 => self.paint("33", s),
            _ => self.paint("36", s),
        }
    }
}

fn human_bytes(n: u64) -> String {
    const U: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1024.0 && i < U.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", U[i])
    }
}

/// Writes the report as aligned text. `color` adds ANSI colours (for a terminal).
pub fn render_table(r: &Report, w: &mut dyn Write, color: bool) -> io::Result<()> {
    let st = Style { on: color };
    let s = &r.summary;
    let tables = r.files.iter().filter(|f| f.table.is_some()).count() as u64;
    let what = match (s.files_total - tables, tables) {
        (_, 0) => format!("{} files", s.files_total),
        (0, t) => format!("{t} database tables"),
        (f, t) => format!("{f} files and {t} database tables"),
    };
    let unchanged = if s.files_unchanged > 0 {
        format!(", {} unchanged", s.files_unchanged)
    } else {
        String::new()
    };
    writeln!(
        w,
        "{} {what} ({} read{unchanged}, {} skipped, {} failed), {} in {:.2} s; {} of {} columns and {} text spans hold personal or sensitive data",
        st.bold("Anshu scan:"),
        s.files_read,
        s.files_skipped,
        s.files_failed,
        human_bytes(s.bytes_read),
        s.duration_ms as f64 / 1000.0,
        s.columns_with_findings,
        s.columns,
        s.text_findings,
    )?;
    if !r.tool.values_shown {
        writeln!(w, "Values are masked; use --show-values to see them.")?;
    }

    let mut cols: Vec<_> = r.columns.iter().filter(|c| !c.types.is_empty()).collect();
    cols.sort_by(|a, b| column_risk(b).total_cmp(&column_risk(a)));
    if !cols.is_empty() {
        writeln!(w, "\n{}", st.bold("Columns (riskiest first)"))?;
        let rows: Vec<[String; 5]> = cols
            .iter()
            .map(|c| {
                let types = c
                    .types
                    .iter()
                    .map(|t| {
                        format!(
                            "{} {:.2} {:.0}%",
                            t.type_id,
                            t.confidence,
                            t.match_ratio * 100.0
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let ex = c
                    .types
                    .iter()
                    .find_map(|t| t.example.clone())
                    .unwrap_or_default();
                let src = if c.source.contains("://") {
                    // A database: its name and the table say more in 40 columns than the URL.
                    format!("{}:{}", file_name(&c.source), c.table)
                } else if c.table == file_name(&c.source) {
                    c.source.clone()
                } else {
                    format!("{} [{}]", c.source, c.table)
                };
                let level = if c.grade.sensitive {
                    format!("{} 敏感", c.grade.level_name)
                } else {
                    c.grade.level_name.clone()
                };
                [
                    cut(&src, 40),
                    cut(&c.column, 20),
                    level,
                    types,
                    cut(&ex, 28),
                ]
            })
            .collect();
        let heads = [
            "SOURCE",
            "COLUMN",
            "LEVEL",
            "TYPES (confidence, share)",
            "EXAMPLE",
        ];
        let mut wid = heads.map(width);
        for row in &rows {
            for (i, v) in row.iter().enumerate() {
                wid[i] = wid[i].max(width(v)).min(60);
            }
        }
        writeln!(
            w,
            "  {}",
            st.bold(
                &heads
                    .iter()
                    .enumerate()
                    .map(|(i, h)| pad(h, wid[i]))
                    .collect::<Vec<_>>()
                    .join("  ")
            )
        )?;
        for (row, c) in rows.iter().zip(&cols) {
            let first = c.types.first().map(|t| t.type_id.as_str()).unwrap_or("");
            writeln!(
                w,
                "  {}  {}  {}  {}  {}",
                pad(&row[0], wid[0]),
                pad(&row[1], wid[1]),
                pad(&row[2], wid[2]),
                st.weight(first, &pad(&row[3], wid[3])),
                row[4]
            )?;
        }
    }

    if !r.sources.is_empty() {
        writeln!(w, "\n{}", st.bold("Sources"))?;
        for s in &r.sources {
            let people = |p: &crate::People| {
                if p.exact {
                    format!("{}", p.count)
                } else {
                    format!("≈{} (±{:.0}%)", p.count, p.rel_error_95 * 100.0)
                }
            };
            writeln!(
                w,
                "  {}  {}{}  people: {} (sensitive PI: {})",
                s.source,
                s.grade.level_name,
                if s.important {
                    st.paint("1;31", " 重要数据 important data")
                } else {
                    String::new()
                },
                people(&s.people),
                people(&s.people_sensitive)
            )?;
            for h in &s.important_hits {
                writeln!(
                    w,
                    "    {} {}: {}{}",
                    st.paint("31", "▲"),
                    h.threshold,
                    h.reason,
                    if h.certain {
                        ""
                    } else {
                        " (estimate; confirm with --full)"
                    }
                )?;
            }
        }
    }

    if !r.text_findings.is_empty() {
        writeln!(w, "\n{}", st.bold("Text findings"))?;
        for f in r.text_findings.iter().take(MAX_TEXT_ROWS) {
            writeln!(
                w,
                "  {}:{}  {}  {}  ({:.2})",
                f.source,
                f.line,
                st.weight(&f.type_id, &pad(&f.type_id, 18)),
                f.text,
                f.confidence
            )?;
        }
        let total: u64 = r.summary.text_findings;
        if total as usize > MAX_TEXT_ROWS {
            writeln!(
                w,
                "  … {} more; --format json or jsonl lists them all",
                total as usize - MAX_TEXT_ROWS
            )?;
        }
    }

    if !s.by_type.is_empty() {
        writeln!(w, "\n{}", st.bold("By type"))?;
        for (t, n) in &s.by_type {
            writeln!(
                w,
                "  {}  {:>5} columns  {:>7} text spans",
                st.weight(t, &pad(t, 20)),
                n.columns,
                n.text_findings
            )?;
        }
    }

    let skipped: Vec<_> = r.files.iter().filter(|f| f.status == "skipped").collect();
    if !skipped.is_empty() {
        writeln!(w, "\n{}", st.bold("Skipped"))?;
        for f in skipped {
            writeln!(w, "  {}: {}", f.source, f.note.as_deref().unwrap_or(""))?;
        }
    }
    if !r.warnings.is_empty() {
        writeln!(w, "\n{}", st.bold("Warnings"))?;
        for x in r.warnings.iter().take(50) {
            writeln!(w, "  {}: {}", x.source, x.message)?;
        }
        if r.warnings.len() > 50 {
            writeln!(w, "  … {} more", r.warnings.len() - 50)?;
        }
    }
    if !r.errors.is_empty() {
        writeln!(w, "\n{}", st.paint("1;31", "Errors"))?;
        for e in &r.errors {
            writeln!(w, "  {}: {} [{}]", e.source, e.error, e.code)?;
        }
    }
    Ok(())
}

fn file_name(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_width_alignment() {
        assert_eq!(width("手机号"), 6);
        assert_eq!(pad("手机", 6), "手机  ");
        assert_eq!(cut("abcdefghij", 5), "abcd…");
    }
}
