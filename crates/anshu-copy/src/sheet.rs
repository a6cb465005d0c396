//! XLSX workbooks: every sheet, cell positions and value types kept (numbers stay numbers,
//! dates stay dates where the new value is still one). Formatting, formulas, merged cells and
//! charts are not carried over: the copy holds values.

use std::io::{Cursor, Read, Write};

use calamine::{Data, Reader};
use rust_xlsxwriter::{Format, Workbook};

use crate::{finish, CopyError, CopyInfo, Visitor, BLOCK_ROWS};

fn malformed(e: impl std::fmt::Display) -> CopyError {
    CopyError::Malformed {
        format: "XLSX",
        message: e.to_string(),
    }
}

fn text_to_serial(s: &str) -> Option<f64> {
    let w = anshu_mask::shape::parse_date(s)?;
    Some((anshu_mask::shape::days(w.date) + 25_569) as f64)
}

/// The text the scanner and the masker see: exactly what `anshu scan` reads from the cell.
fn cell_text(c: &Data) -> String {
    anshu_source::spreadsheet_cell_text(c)
}

pub(crate) fn process(
    mut reader: Box<dyn Read>,
    out: Option<Box<dyn Write>>,
    table: &str,
    v: &mut dyn Visitor,
) -> Result<CopyInfo, CopyError> {
    let mut all = Vec::new();
    reader.read_to_end(&mut all)?;
    let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(all)).map_err(malformed)?;
    let mut book = Workbook::new();
    let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
    let names = wb.sheet_names();
    let many = names.len() > 1;
    for name in names {
        let range = wb.worksheet_range(&name).map_err(malformed)?;
        let ws = book.add_worksheet();
        ws.set_name(&name).map_err(malformed)?;
        let t = if many {
            format!("{table}:{name}")
        } else {
            table.to_owned()
        };
        v.begin_table(&t);
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut header_seen = false;
        let mut width = 0usize;
        let mut block: Vec<Vec<(usize, String)>> = Vec::with_capacity(BLOCK_ROWS);
        let mut origin: Vec<(u32, Vec<Data>)> = Vec::with_capacity(BLOCK_ROWS);
        let write_row = |ws: &mut rust_xlsxwriter::Worksheet,
                         row: u32,
                         orig: &[Data],
                         cells: Option<&Vec<(usize, String)>>|
         -> Result<(), CopyError> {
            for (i, d) in orig.iter().enumerate() {
                let col = (c0 as usize + i) as u16;
                let newtext = cells
                    .and_then(|c| c.iter().find(|(k, _)| *k == i))
                    .map(|(_, s)| s);
                let changed = newtext.filter(|s| **s != cell_text(d));
                let res = match (d, changed) {
                    (Data::Empty, _) => Ok(()),
                    (Data::Int(_) | Data::Float(_), Some(s)) => match s.parse::<f64>() {
                        Ok(f) => ws.write_number(row, col, f).map(|_| ()),
                        Err(_) => ws.write_string(row, col, s).map(|_| ()),
                    },
                    (Data::DateTime(_) | Data::DateTimeIso(_), Some(s)) => {
                        match text_to_serial(s) {
                            Some(f) => ws
                                .write_number_with_format(row, col, f, &date_fmt)
                                .map(|_| ()),
                            None => ws.write_string(row, col, s).map(|_| ()),
                        }
                    }
                    (_, Some(s)) => ws.write_string(row, col, s).map(|_| ()),
                    (Data::Int(i), None) => ws.write_number(row, col, *i as f64).map(|_| ()),
                    (Data::Float(f), None) => ws.write_number(row, col, *f).map(|_| ()),
                    (Data::Bool(b), None) => ws.write_boolean(row, col, *b).map(|_| ()),
                    (Data::DateTime(x), None) => ws
                        .write_number_with_format(row, col, x.as_f64(), &date_fmt)
                        .map(|_| ()),
                    // Error cells read as empty; the copy keeps their code as text.
                    (Data::Error(e), None) => {
                        ws.write_string(row, col, format!("#{e:?}")).map(|_| ())
                    }
                    (other, None) => ws.write_string(row, col, cell_text(other)).map(|_| ()),
                };
                res.map_err(malformed)?;
            }
            Ok(())
        };
        for (k, r) in range.rows().enumerate() {
            let row = (r0 as usize + k) as u32;
            if !header_seen {
                if r.iter().all(|c| matches!(c, Data::Empty)) {
                    continue;
                }
                header_seen = true;
                for (i, c) in r.iter().enumerate() {
                    let h = cell_text(c);
                    let h = if h.trim().is_empty() {
                        format!("column{}", i + 1)
                    } else {
                        h.trim().to_owned()
                    };
                    v.column(i, &h);
                }
                width = r.len();
                if out.is_some() {
                    write_row(ws, row, r, None)?;
                }
                continue;
            }
            while width < r.len() {
                v.column(width, &format!("column{}", width + 1));
                width += 1;
            }
            let cells: Vec<(usize, String)> = r
                .iter()
                .enumerate()
                .map(|(i, c)| (i, cell_text(c)))
                .filter(|(_, s)| !s.is_empty())
                .collect();
            block.push(cells);
            origin.push((row, r.to_vec()));
            if block.len() >= BLOCK_ROWS {
                v.rows(&mut block);
                if out.is_some() {
                    for ((row, orig), cells) in origin.iter().zip(&block) {
                        write_row(ws, *row, orig, Some(cells))?;
                    }
                }
                block.clear();
                origin.clear();
            }
        }
        v.rows(&mut block);
        if out.is_some() {
            for ((row, orig), cells) in origin.iter().zip(&block) {
                write_row(ws, *row, orig, Some(cells))?;
            }
        }
        v.end_table();
    }
    if let Some(mut o) = out {
        let bytes = book.save_to_buffer().map_err(malformed)?;
        o.write_all(&bytes)?;
        finish(o)?;
    }
    Ok(CopyInfo {
        format: "xlsx",
        encoding: None,
    })
}
