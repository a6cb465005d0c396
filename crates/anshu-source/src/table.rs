//! Delimited text (CSV, TSV, `;` and `|` separated) with delimiter and header sniffing.

use std::io::Read;

use crate::decode::DecodingReader;
use crate::{DecodeReport, HeaderMode, ReadOptions, Sink, SourceError};

const CANDIDATES: [u8; 4] = [b',', b'\t', b';', b'|'];

/// Picks the delimiter whose field count is most consistent (and largest) over the first lines.
pub fn sniff_delimiter(sample: &[u8]) -> u8 {
    let mut best = (b',', 0.0f64, 0usize);
    for &d in &CANDIDATES {
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(d)
            .has_headers(false)
            .flexible(true)
            .from_reader(sample);
        let mut counts = Vec::new();
        for rec in rdr.records().take(50) {
            match rec {
                Ok(r) => counts.push(r.len()),
                Err(_) => break,
            }
        }
        // The last line of a sample may be cut; ignore it.
        if counts.len() > 2 {
            counts.pop();
        }
        if counts.is_empty() {
            continue;
        }
        let mut freq = std::collections::HashMap::new();
        for c in &counts {
            *freq.entry(*c).or_insert(0usize) += 1;
        }
        let (mode, n) = freq
            .into_iter()
            .max_by_key(|(c, n)| (*n, *c))
            .unwrap_or((1, 0));
        if mode < 2 {
            continue;
        }
        let consistency = n as f64 / counts.len() as f64;
        if consistency > best.1 + 1e-9 || (consistency >= best.1 - 1e-9 && mode > best.2) {
            best = (d, consistency, mode);
        }
    }
    best.0
}

fn numeric_like(s: &str) -> bool {
    let t = s.trim();
    t.len() >= 3
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b':' | b'/' | b' '))
        && t.bytes().any(|b| b.is_ascii_digit())
}

/// Decides whether `first` is a header from the rows that follow it.
pub fn looks_like_header(first: &[String], rest: &[Vec<String>]) -> bool {
    if first.is_empty() || first.iter().all(|f| f.trim().is_empty()) {
        return false;
    }
    let mut seen = std::collections::HashSet::new();
    if !first.iter().all(|f| seen.insert(f.trim())) {
        return false;
    }
    if first
        .iter()
        .any(|f| numeric_like(f) || f.contains('@') || f.chars().count() > 64)
    {
        return false;
    }
    if rest.is_empty() {
        return true;
    }
    // A header value does not repeat below it, while data values often do.
    for (i, h) in first.iter().enumerate() {
        if rest
            .iter()
            .filter(|r| r.get(i).is_some_and(|v| v == h))
            .count()
            * 2
            > rest.len()
        {
            return false;
        }
    }
    true
}

pub(crate) fn read_delimited(
    text: DecodingReader,
    delimiter: Option<u8>,
    opts: &ReadOptions,
    table: &str,
    sink: &mut dyn Sink,
) -> Result<DecodeReport, SourceError> {
    let report = text.report();
    let mut buffered = std::io::BufReader::with_capacity(1 << 16, text);
    let mut sample = Vec::with_capacity(1 << 16);
    (&mut buffered).take(1 << 16).read_to_end(&mut sample)?;
    let delim = delimiter.unwrap_or_else(|| sniff_delimiter(&sample));
    let reader = std::io::Cursor::new(sample).chain(buffered);
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(reader);

    // Read a few records to decide on the header before streaming the rest.
    let mut lead: Vec<Vec<String>> = Vec::new();
    let mut rec = csv::StringRecord::new();
    let mut errors = 0u64;
    let mut quote_warned = false;
    while lead.len() < 20 {
        match rdr.read_record(&mut rec) {
            Ok(true) => lead.push(rec.iter().map(str::to_owned).collect()),
            Ok(false) => break,
            Err(e) => {
                errors += 1;
                sink.warning(row_error(&e));
            }
        }
    }
    // Title or export lines above the table ("导出时间：2025-01-01") have fewer fields than the
    // rows below them; skip leading lines until the first one of the usual width.
    if lead.len() >= 3 {
        let mut freq = std::collections::HashMap::new();
        for r in &lead {
            *freq.entry(r.len()).or_insert(0usize) += 1;
        }
        let mode = freq
            .iter()
            .max_by_key(|(w, n)| (**n, **w))
            .map(|(w, _)| *w)
            .unwrap_or(0);
        let skip = lead
            .iter()
            .take_while(|r| r.len() < mode && r.len() <= 2)
            .count();
        if skip > 0 && skip < lead.len() && mode >= 2 {
            sink.warning(format!(
                "skipped {skip} line(s) above the table (title or export notes)"
            ));
            lead.drain(..skip);
        }
    }
    sink.begin_table(table);
    let has_header = match opts.header {
        HeaderMode::Present => true,
        HeaderMode::Absent => false,
        HeaderMode::Auto => lead
            .first()
            .is_some_and(|f| looks_like_header(f, &lead[1..])),
    };
    let mut width = 0usize;
    let announce = |sink: &mut dyn Sink, upto: usize, width: &mut usize| {
        while *width < upto {
            sink.column(*width, &format!("column{}", *width + 1));
            *width += 1;
        }
    };
    let mut lead_iter = lead.into_iter();
    if has_header {
        if let Some(h) = lead_iter.next() {
            for (i, name) in h.iter().enumerate() {
                let name = name.trim().trim_start_matches('\u{FEFF}');
                let name = if name.is_empty() {
                    format!("column{}", i + 1)
                } else {
                    name.to_owned()
                };
                sink.column(i, &name);
            }
            width = h.len();
        }
    }
    for r in lead_iter {
        announce(sink, r.len(), &mut width);
        let cells: Vec<(usize, &str)> =
            r.iter().enumerate().map(|(i, v)| (i, v.as_str())).collect();
        sink.row(&cells);
    }
    loop {
        if opts.cancelled() {
            return Err(SourceError::Cancelled);
        }
        match rdr.read_record(&mut rec) {
            Ok(true) => {
                announce(sink, rec.len(), &mut width);
                let cells: Vec<(usize, &str)> = rec.iter().enumerate().collect();
                if !quote_warned {
                    if let Some((i, v)) = cells
                        .iter()
                        .find(|(_, v)| v.len() > 2000 && v.matches('\n').count() >= 20)
                    {
                        quote_warned = true;
                        sink.warning(format!(
                            "row {}: field {} spans {} lines; a quote may be unbalanced",
                            rec.position().map(|p| p.record() + 1).unwrap_or(0),
                            i + 1,
                            v.matches('\n').count() + 1
                        ));
                    }
                }
                sink.row(&cells);
            }
            Ok(false) => break,
            Err(e) => {
                if e.is_io_error() {
                    if let csv::ErrorKind::Io(io) = e.into_kind() {
                        return Err(SourceError::Io(io));
                    }
                    continue;
                }
                errors += 1;
                if errors <= 100 {
                    sink.warning(row_error(&e));
                }
            }
        }
    }
    if errors > 100 {
        sink.warning(format!("{errors} malformed rows in total"));
    }
    sink.end_table();
    let r = report.borrow().clone();
    Ok(r)
}

fn row_error(e: &csv::Error) -> String {
    match e.position() {
        Some(p) => format!("row {}: {}", p.record() + 1, e),
        None => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3\n4,5,6\n"), b',');
        assert_eq!(sniff_delimiter(b"a\tb\tc\n1\t2,5\t3\n4\t5\t6\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a;b\n1;2\n3;4\n"), b';');
        assert_eq!(sniff_delimiter(b"\"x,y\"|b\n1|2\n3|4\n"), b'|');
    }

    #[test]
    fn header_sniffing() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(looks_like_header(
            &s(&["姓名", "手机"]),
            &[s(&["张三", "13800138000"])]
        ));
        assert!(!looks_like_header(
            &s(&["张三", "13800138000"]),
            &[s(&["李四", "13900139000"])]
        ));
        assert!(!looks_like_header(&s(&["a", "a"]), &[]));
    }
}
