//! Exports of the inventory: the full inventory, the important-data catalogue in a filing
//! layout (重要数据目录), and a summary by level; as CSV (UTF-8 with BOM, so spreadsheet
//! programs read Chinese correctly), XLSX or JSON.

use std::collections::BTreeMap;
use std::path::Path;

use crate::{Catalog, Filter, InventoryError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    /// Every column with its classification.
    Inventory,
    /// Important-data sources in the filing layout, with fields for the handler to complete.
    Important,
    /// Counts by level.
    Summary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
    Json,
}

struct Sheet {
    title: &'static str,
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

fn build(cat: &mut Catalog, kind: ExportKind) -> Result<Sheet, InventoryError> {
    let all = Filter::default();
    Ok(match kind {
        ExportKind::Inventory => {
            let assets: BTreeMap<i64, crate::AssetRow> =
                cat.assets(&all)?.into_iter().map(|a| (a.id, a)).collect();
            let rows = cat
                .columns(&all, None)?
                .into_iter()
                .map(|c| {
                    let a = assets.get(&c.asset_id);
                    vec![
                        c.source.clone(),
                        c.path.clone(),
                        c.table.clone(),
                        c.column.clone(),
                        c.types.join(";"),
                        c.category.clone().unwrap_or_default(),
                        if c.sensitive {
                            "是".into()
                        } else {
                            "否".into()
                        },
                        c.level.clone(),
                        c.level_name.clone(),
                        if c.overridden {
                            "人工复核".into()
                        } else {
                            String::new()
                        },
                        c.review_reason.clone().unwrap_or_default(),
                        a.and_then(|a| a.rows)
                            .map(|n| n.to_string())
                            .unwrap_or_default(),
                        a.and_then(|a| a.people)
                            .map(|n| n.to_string())
                            .unwrap_or_default(),
                        c.first_seen.clone(),
                        c.last_seen.clone(),
                    ]
                })
                .collect();
            Sheet {
                title: "数据资产清单",
                headers: vec![
                    "数据源 source",
                    "文件/表 path",
                    "表 table",
                    "字段 column",
                    "数据类型 types",
                    "类别 category",
                    "敏感个人信息 sensitive",
                    "级别 level",
                    "级别名称 level name",
                    "复核 review",
                    "复核理由 reason",
                    "行数 rows",
                    "涉及人数 people",
                    "首次发现 first seen",
                    "最近发现 last seen",
                ],
                rows,
            }
        }
        ExportKind::Important => {
            let mut rows = Vec::new();
            for s in cat.sources(&all)?.into_iter().filter(|s| s.important) {
                let basis: Vec<String> = s
                    .reasons
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter(|r| {
                                r["rule"]
                                    .as_str()
                                    .is_some_and(|x| x.starts_with("threshold:"))
                            })
                            .filter_map(|r| r["text"].as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                rows.push(vec![
                    s.uri.rsplit('/').next().unwrap_or(&s.uri).to_owned(),
                    s.category.clone().unwrap_or_default(),
                    s.level_name.clone(),
                    s.rows.to_string(),
                    format!("{:.2}", s.size as f64 / 1_048_576.0),
                    s.people.map(|p| p.to_string()).unwrap_or_default(),
                    if s.people_exact {
                        "精确".into()
                    } else {
                        "估算".into()
                    },
                    s.uri.clone(),
                    basis.join("；"),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    s.last_seen.clone(),
                ]);
            }
            Sheet {
                title: "重要数据目录",
                headers: vec![
                    "数据名称",
                    "数据类别",
                    "数据级别",
                    "数据规模（条）",
                    "数据规模（MB）",
                    "涉及自然人数量",
                    "人数口径",
                    "存储位置",
                    "识别依据",
                    "数据处理目的（待填写）",
                    "数据处理者（待填写）",
                    "责任部门（待填写）",
                    "安全负责人及联系方式（待填写）",
                    "共享/出境情况（待填写）",
                    "识别日期",
                ],
                rows,
            }
        }
        ExportKind::Summary => {
            let mut by: BTreeMap<(i64, String, String), (u64, u64, i64)> = BTreeMap::new();
            let assets = cat.assets(&all)?;
            for a in &assets {
                let e = by
                    .entry((a.level_rank, a.level.clone(), a.level_name.clone()))
                    .or_default();
                e.0 += 1;
                e.2 += a.rows.unwrap_or(0);
            }
            for c in cat.columns(&all, None)? {
                by.entry((c.level_rank, c.level.clone(), c.level_name.clone()))
                    .or_default()
                    .1 += 1;
            }
            let rows = by
                .into_iter()
                .rev()
                .map(|((_, id, name), (a, c, r))| {
                    vec![id, name, a.to_string(), c.to_string(), r.to_string()]
                })
                .collect();
            Sheet {
                title: "分级汇总",
                headers: vec![
                    "级别 level",
                    "级别名称 level name",
                    "资产数 assets",
                    "字段数 columns",
                    "行数 rows",
                ],
                rows,
            }
        }
    })
}

/// Writes an export to `path`.
pub fn export(
    cat: &mut Catalog,
    kind: ExportKind,
    format: ExportFormat,
    path: &Path,
) -> Result<usize, InventoryError> {
    let sheet = build(cat, kind)?;
    let err = |e: &dyn std::fmt::Display| InventoryError::Export {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    match format {
        ExportFormat::Csv => {
            let mut out = Vec::new();
            out.extend_from_slice("\u{FEFF}".as_bytes());
            {
                let mut w = csv::Writer::from_writer(&mut out);
                w.write_record(&sheet.headers).map_err(|e| err(&e))?;
                for r in &sheet.rows {
                    w.write_record(r).map_err(|e| err(&e))?;
                }
                w.flush().map_err(|e| err(&e))?;
            }
            std::fs::write(path, out).map_err(|e| err(&e))?;
        }
        ExportFormat::Json => {
            let rows: Vec<serde_json::Map<String, serde_json::Value>> = sheet
                .rows
                .iter()
                .map(|r| {
                    sheet
                        .headers
                        .iter()
                        .zip(r)
                        .map(|(h, v)| ((*h).to_owned(), serde_json::Value::String(v.clone())))
                        .collect()
                })
                .collect();
            let doc = serde_json::json!({ "title": sheet.title, "rows": rows });
            let text = serde_json::to_string_pretty(&doc).map_err(|e| err(&e))?;
            std::fs::write(path, text).map_err(|e| err(&e))?;
        }
        ExportFormat::Xlsx => {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet();
            ws.set_name(sheet.title).map_err(|e| err(&e))?;
            let bold = rust_xlsxwriter::Format::new().set_bold();
            for (i, h) in sheet.headers.iter().enumerate() {
                ws.write_string_with_format(0, i as u16, *h, &bold)
                    .map_err(|e| err(&e))?;
                ws.set_column_width(i as u16, 18).map_err(|e| err(&e))?;
            }
            for (r, row) in sheet.rows.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    ws.write_string(r as u32 + 1, c as u16, v)
                        .map_err(|e| err(&e))?;
                }
            }
            wb.save(path).map_err(|e| err(&e))?;
        }
    }
    Ok(sheet.rows.len())
}
