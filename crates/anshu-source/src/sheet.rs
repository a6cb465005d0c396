//! Parquet files and spreadsheets (XLSX, XLSM, XLSB, XLS, ODS; every sheet).

use std::io::{Cursor, Read};
use std::path::Path;

use calamine::{Data, Reader};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::{Field, Row};

use crate::{ReadOptions, Sink, SourceError};

fn malformed(format: &'static str, e: impl std::fmt::Display) -> SourceError {
    SourceError::Malformed {
        format,
        message: e.to_string(),
    }
}

/// Reads a Parquet file. Plain files are read in place (Parquet needs random access); a
/// compressed one is inflated into memory first.
pub(crate) fn read_parquet(
    mut reader: Box<dyn Read>,
    path: &Path,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    let table = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let gz = table.to_lowercase().ends_with(".gz");
    let file_reader: Box<dyn FileReader> = if gz {
        let mut all = Vec::new();
        reader.read_to_end(&mut all)?;
        Box::new(
            SerializedFileReader::new(bytes::Bytes::from(all))
                .map_err(|e| malformed("Parquet", e))?,
        )
    } else {
        drop(reader);
        let f = std::fs::File::open(path)?;
        if let Some(c) = &opts.bytes_read {
            c.fetch_add(
                f.metadata().map(|m| m.len()).unwrap_or(0),
                std::sync::atomic::Ordering::Relaxed,
            );
        }
        Box::new(SerializedFileReader::new(f).map_err(|e| malformed("Parquet", e))?)
    };
    sink.begin_table(&table);
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let iter = file_reader
        .get_row_iter(None)
        .map_err(|e| malformed("Parquet", e))?;
    let mut flat = Vec::new();
    let result = (|| {
        for row in iter {
            if opts.cancelled() {
                return Err(SourceError::Cancelled);
            }
            let row = row.map_err(|e| malformed("Parquet", e))?;
            flat.clear();
            flatten_row(&row, "", &mut flat);
            let mut cells = Vec::with_capacity(flat.len());
            for (name, value) in &flat {
                let next = index.len();
                let idx = *index.entry(name.clone()).or_insert_with(|| {
                    sink.column(next, name);
                    next
                });
                cells.push((idx, value.as_str()));
            }
            sink.row(&cells);
        }
        Ok(())
    })();
    sink.end_table();
    result
}

fn flatten_row(row: &Row, prefix: &str, out: &mut Vec<(String, String)>) {
    for (name, field) in row.get_column_iter() {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        flatten_field(field, &path, out);
    }
}

fn flatten_field(field: &Field, path: &str, out: &mut Vec<(String, String)>) {
    match field {
        Field::Null => {}
        Field::Str(s) => out.push((path.to_owned(), s.clone())),
        Field::Bytes(b) => {
            if let Ok(s) = std::str::from_utf8(b.data()) {
                out.push((path.to_owned(), s.to_owned()));
            }
        }
        Field::Group(row) => flatten_row(row, path, out),
        Field::ListInternal(list) => {
            for f in list.elements() {
                flatten_field(f, path, out);
            }
        }
        Field::MapInternal(map) => {
            for (k, v) in map.entries() {
                flatten_field(k, &format!("{path}.key"), out);
                flatten_field(v, &format!("{path}.value"), out);
            }
        }
        other => out.push((path.to_owned(), other.to_string())),
    }
}

/// Reads every sheet of a workbook. Each sheet is a table; its first non-empty row is the header.
pub(crate) fn read_workbook(
    mut reader: Box<dyn Read>,
    table: &str,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    let mut all = Vec::new();
    reader.read_to_end(&mut all)?;
    let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(all))
        .map_err(|e| malformed("spreadsheet", e))?;
    let names = wb.sheet_names();
    let many = names.len() > 1;
    for name in names {
        if opts.cancelled() {
            return Err(SourceError::Cancelled);
        }
        let range = match wb.worksheet_range(&name) {
            Ok(r) => r,
            Err(e) => {
                sink.warning(format!("sheet {name:?}: {e}"));
                continue;
            }
        };
        let t = if many {
            format!("{table}:{name}")
        } else {
            table.to_owned()
        };
        sink.begin_table(&t);
        let mut rows = range
            .rows()
            .skip_while(|r| r.iter().all(|c| matches!(c, Data::Empty)));
        let mut width = 0;
        if let Some(header) = rows.next() {
            for (i, c) in header.iter().enumerate() {
                let h = cell_text(c);
                let h = if h.trim().is_empty() {
                    format!("column{}", i + 1)
                } else {
                    h.trim().to_owned()
                };
                sink.column(i, &h);
            }
            width = header.len();
        }
        let mut texts: Vec<String> = Vec::new();
        for r in rows {
            texts.clear();
            texts.extend(r.iter().map(cell_text));
            while width < texts.len() {
                sink.column(width, &format!("column{}", width + 1));
                width += 1;
            }
            let cells: Vec<(usize, &str)> = texts
                .iter()
                .enumerate()
                .filter(|(_, v)| !v.is_empty())
                .map(|(i, v)| (i, v.as_str()))
                .collect();
            sink.row(&cells);
        }
        sink.end_table();
    }
    Ok(())
}

/// A cell as people see it (and as the scanner reads it): integers stored as floats without
/// `.0`, dates as `YYYY-MM-DD[ HH:MM:SS]`, error cells empty.
pub fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        // Spreadsheets store phone and card numbers as floats; print integers without ".0".
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e17 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_date(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(_) => String::new(),
    }
}

/// Formats an Excel serial date (days since 1899-12-30) as `YYYY-MM-DD[ HH:MM:SS]`.
fn excel_date(serial: f64) -> String {
    if !serial.is_finite() {
        return String::new();
    }
    let days = serial.floor() as i64 - 25_569; // to days since 1970-01-01
    let secs = ((serial - serial.floor()) * 86_400.0).round() as i64;
    let (y, m, d) = civil_from_days(days);
    if secs == 0 {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!(
            "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_print_as_people_see_them() {
        assert_eq!(cell_text(&Data::Float(13800138000.0)), "13800138000");
        assert_eq!(cell_text(&Data::Float(1.5)), "1.5");
        assert_eq!(excel_date(32_874.0), "1990-01-01");
    }
}
