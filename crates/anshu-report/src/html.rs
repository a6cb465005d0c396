//! A single self-contained HTML page: no scripts or fonts from the network, readable offline by
//! a compliance officer. Charts are inline SVG.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::{column_risk, display_weight, esc, Report};

const CSS: &str = r#"
body{font-family:-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:0;background:#f5f6f8;color:#1d232b}
header{background:#1f3a5f;color:#fff;padding:18px 32px}
header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;opacity:.85;font-size:13px}
main{padding:20px 32px;max-width:1400px}
section{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.08);padding:16px 20px;margin-bottom:18px}
h2{font-size:17px;margin:0 0 12px}
.cards{display:flex;gap:14px;flex-wrap:wrap}
.card{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.08);padding:14px 18px;min-width:150px}
.card b{display:block;font-size:26px}
.card span{font-size:12px;color:#5b6573}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e7eaee;vertical-align:top}
th{background:#f0f2f5;position:sticky;top:0}
.w3{color:#b42318;font-weight:600}.w2{color:#b54708}.w1{color:#175cd3}
.tag{display:inline-block;border-radius:10px;padding:1px 8px;margin:1px 2px;font-size:12px;background:#eef2f6}
.tag.w3{background:#fee4e2}.tag.w2{background:#fef0c7}.tag.w1{background:#d1e9ff}
.err{color:#b42318}
.muted{color:#5b6573;font-size:12px}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
"#;

fn bar_chart(title: &str, rows: &[(String, u64, u32)]) -> String {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(1).max(1) as f64;
    let h = rows.len() * 22 + 10;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg role="img" aria-label="{}" width="100%" height="{h}" viewBox="0 0 640 {h}" preserveAspectRatio="xMinYMin meet">"#,
        esc(title)
    );
    for (i, (label, n, weight)) in rows.iter().enumerate() {
        let y = i * 22 + 4;
        let w = (*n as f64 / max * 380.0).max(1.0);
        let color = match weight {
            3 => "#d92d20",
            2 => "#f79009",
            _ => "#2e90fa",
        };
        let _ = write!(
            s,
            r#"<text x="0" y="{}" font-size="12">{}</text><rect x="200" y="{y}" width="{w:.1}" height="16" rx="3" fill="{color}"/><text x="{:.1}" y="{}" font-size="12">{n}</text>"#,
            y + 13,
            esc(label),
            205.0 + w,
            y + 13
        );
    }
    s.push_str("</svg>");
    s
}

/// Writes the HTML report.
pub fn render_html(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    let s = &r.summary;
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>Anshu 数据发现报告 / scan report</title><style>{CSS}</style></head><body>"
    );
    let _ = write!(
        h,
        "<header><h1>Anshu 安数 · 敏感数据发现报告 / Sensitive data discovery report</h1><p>{} · Anshu {} · {}</p></header><main>",
        esc(&r.tool.started_at),
        esc(&r.tool.version),
        if r.tool.values_shown {
            "值未脱敏 / values shown"
        } else {
            "值已脱敏 / values masked"
        }
    );
    let _ = write!(h, "<div class=\"cards\">");
    for (n, label) in [
        (s.files_read, "文件已扫描 / files read"),
        (s.files_failed, "文件失败 / files failed"),
        (
            s.columns_with_findings,
            "含敏感数据的列 / columns with findings",
        ),
        (s.text_findings, "文本命中 / text findings"),
        (s.by_type.len() as u64, "数据类型 / data types"),
    ] {
        let _ = write!(
            h,
            "<div class=\"card\"><b>{n}</b><span>{label}</span></div>"
        );
    }
    let _ = write!(h, "</div><br>");

    // Sources: level and important-data status.
    if !r.sources.is_empty() {
        let _ = write!(
            h,
            "<section><h2>数据源分级 / Sources</h2><table><tr><th>source</th><th>level</th><th>important data</th><th>people</th><th>sensitive PI people</th><th>why</th></tr>"
        );
        for s in &r.sources {
            let ppl = |p: &crate::People| {
                if p.exact {
                    p.count.to_string()
                } else {
                    format!("≈{} (±{:.0}%)", p.count, p.rel_error_95 * 100.0)
                }
            };
            let why: String = s
                .grade
                .reasons
                .iter()
                .map(|r| format!("<div>{}</div>", esc(&r.text)))
                .collect();
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td class=\"muted\">{why}</td></tr>",
                esc(&s.source),
                esc(&s.grade.level_name),
                if s.important { "w3" } else { "" },
                if s.important { "是 / yes" } else { "否 / no" },
                ppl(&s.people),
                ppl(&s.people_sensitive)
            );
        }
        let _ = write!(h, "</table></section>");
    }

    // Totals by type.
    let mut by_type: Vec<(String, u64, u32)> = s
        .by_type
        .iter()
        .map(|(t, n)| (t.clone(), n.columns + n.text_findings, display_weight(t)))
        .collect();
    by_type.sort_by_key(|x| std::cmp::Reverse(x.1));
    let _ = write!(
        h,
        "<section><h2>按类型统计 / Totals by type</h2>{}<table><tr><th>type</th><th>columns</th><th>text findings</th></tr>",
        bar_chart("findings by type", &by_type)
    );
    for (t, n) in &s.by_type {
        let _ = write!(
            h,
            "<tr><td class=\"w{}\">{}</td><td>{}</td><td>{}</td></tr>",
            display_weight(t),
            esc(t),
            n.columns,
            n.text_findings
        );
    }
    let _ = write!(h, "</table></section>");

    // Totals by file.
    let mut per_file: Vec<(String, u64, u32)> = r
        .files
        .iter()
        .map(|f| {
            let cols = r
                .columns
                .iter()
                .filter(|c| c.source == f.source && !c.types.is_empty())
                .count() as u64;
            (f.source.clone(), cols + f.text_findings, 2)
        })
        .filter(|x| x.1 > 0)
        .collect();
    per_file.sort_by_key(|x| std::cmp::Reverse(x.1));
    per_file.truncate(25);
    let _ = write!(
        h,
        "<section><h2>按文件统计 / Totals by file (top {})</h2>{}</section>",
        per_file.len(),
        bar_chart("findings by file", &per_file)
    );

    // Riskiest columns first.
    let mut cols: Vec<_> = r.columns.iter().filter(|c| !c.types.is_empty()).collect();
    cols.sort_by(|a, b| column_risk(b).total_cmp(&column_risk(a)));
    let _ = write!(
        h,
        "<section><h2>敏感列（风险从高到低）/ Columns, riskiest first</h2><table><tr><th>source</th><th>table</th><th>column</th><th>level</th><th>category</th><th>types</th><th>example</th><th>sampled</th></tr>"
    );
    for c in &cols {
        let tags: String = c
            .types
            .iter()
            .map(|t| {
                format!(
                    "<span class=\"tag w{}\" title=\"{} · confidence {:.2} · {:.0}% of values\">{}</span>",
                    display_weight(&t.type_id),
                    esc(&t.name),
                    t.confidence,
                    t.match_ratio * 100.0,
                    esc(&t.type_id)
                )
            })
            .collect();
        let ex = c
            .types
            .iter()
            .find_map(|t| t.example.clone())
            .unwrap_or_default();
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td title=\"{}\">{}{}</td><td>{}</td><td>{tags}</td><td><code>{}</code></td><td>{}</td></tr>",
            esc(&c.source),
            esc(&c.table),
            esc(&c.column),
            esc(&c.grade.reasons.iter().map(|r| r.text.as_str()).collect::<Vec<_>>().join("\n")),
            esc(&c.grade.level_name),
            if c.grade.sensitive { " · 敏感个人信息" } else { "" },
            esc(c.grade.category_name.as_deref().unwrap_or("")),
            esc(&ex),
            c.sampled
        );
    }
    let _ = write!(h, "</table></section>");

    if !r.text_findings.is_empty() {
        let _ = write!(
            h,
            "<section><h2>文本命中 / Text findings</h2><table><tr><th>source</th><th>line</th><th>type</th><th>text</th><th>confidence</th></tr>"
        );
        for f in r.text_findings.iter().take(2000) {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"w{}\">{}</td><td><code>{}</code></td><td>{:.2}</td></tr>",
                esc(&f.source),
                f.line,
                display_weight(&f.type_id),
                esc(&f.type_id),
                esc(&f.text),
                f.confidence
            );
        }
        let _ = write!(h, "</table>");
        if r.text_findings.len() > 2000 {
            let _ = write!(
                h,
                "<p class=\"muted\">{} more in the JSON report.</p>",
                r.text_findings.len() - 2000
            );
        }
        let _ = write!(h, "</section>");
    }

    if !r.errors.is_empty() {
        let _ = write!(h, "<section><h2 class=\"err\">错误 / Errors</h2><table><tr><th>source</th><th>code</th><th>error</th></tr>");
        for e in &r.errors {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&e.source),
                esc(&e.code),
                esc(&e.error)
            );
        }
        let _ = write!(h, "</table></section>");
    }
    let _ = writeln!(
        h,
        "<p class=\"muted\">Generated by Anshu {}. Levels and categories per GB/T 43697-2024 are assigned by the classification step.</p></main></body></html>",
        esc(&r.tool.version)
    );
    w.write_all(h.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Column, ColumnType, Report};

    #[test]
    fn html_is_self_contained_and_escaped() {
        let mut r = Report::default();
        r.columns.push(Column {
            source: "a<b>.csv".into(),
            table: "a<b>.csv".into(),
            column: "手机".into(),
            types: vec![ColumnType {
                type_id: "cn_mobile".into(),
                example: Some("138****8000".into()),
                ..Default::default()
            }],
            ..Default::default()
        });
        r.finish_summary();
        let mut out = Vec::new();
        render_html(&r, &mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.contains("a&lt;b&gt;.csv"));
        assert!(!s.contains("<script src"));
        assert!(!s.contains("http://") && !s.contains("https://"));
        assert!(s.contains("138****8000"));
    }
}
