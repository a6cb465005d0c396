//! CSV, TSV and other delimited text: same delimiter, line endings, header and encoding out as
//! in. Fields are re-quoted only where needed.

use std::io::{self, BufRead, BufReader, Read, Write};

use crate::encode::{has_bom, Encoder};
use crate::{finish, CopyError, CopyInfo, Visitor, BLOCK_ROWS};

pub(crate) fn decode(
    mut reader: Box<dyn Read>,
    forced: Option<&'static encoding_rs::Encoding>,
) -> Result<
    (
        anshu_source::DecodingReader,
        &'static encoding_rs::Encoding,
        bool,
    ),
    CopyError,
> {
    let mut head = Vec::with_capacity(4);
    (&mut reader).take(4).read_to_end(&mut head)?;
    let bom = has_bom(&head);
    let chained: Box<dyn Read> = Box::new(io::Cursor::new(head).chain(reader));
    let (text, name) = anshu_source::decoding_reader(chained, forced)?;
    let enc = forced
        .or_else(|| encoding_rs::Encoding::for_label(name.as_bytes()))
        .unwrap_or(encoding_rs::UTF_8);
    Ok((text, enc, bom))
}

pub(crate) fn process(
    reader: Box<dyn Read>,
    forced: Option<&'static encoding_rs::Encoding>,
    delimiter: Option<u8>,
    mut out: Option<Box<dyn Write>>,
    table: &str,
    v: &mut dyn Visitor,
) -> Result<CopyInfo, CopyError> {
    let (text, enc, bom) = decode(reader, forced)?;
    let mut buffered = BufReader::with_capacity(1 << 16, text);
    let sample = buffered.fill_buf()?.to_vec();
    let delim = delimiter.unwrap_or_else(|| anshu_source::sniff_delimiter(&sample));
    let crlf = sample
        .iter()
        .position(|&b| b == b'\n')
        .is_some_and(|i| i > 0 && sample[i - 1] == b'\r');
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(buffered);
    let mut encoder = Encoder::new(enc, bom);
    let mut builder = csv::WriterBuilder::new();
    builder.delimiter(delim).flexible(true).terminator(if crlf {
        csv::Terminator::CRLF
    } else {
        csv::Terminator::Any(b'\n')
    });

    let mut lead: Vec<Vec<String>> = Vec::new();
    let mut rec = csv::StringRecord::new();
    while lead.len() < 20 {
        match rdr.read_record(&mut rec) {
            Ok(true) => lead.push(rec.iter().map(str::to_owned).collect()),
            Ok(false) => break,
            Err(e) => {
                v.warning(format!("row {}: {e}", lead.len() + 1));
            }
        }
    }
    v.begin_table(table);
    let header = lead
        .first()
        .is_some_and(|first| anshu_source::looks_like_header(first, &lead[1..]));
    let mut width = 0usize;
    let mut block: Vec<Vec<(usize, String)>> = Vec::with_capacity(BLOCK_ROWS);
    let mut pending = lead.into_iter();
    if header {
        if let Some(h) = pending.next() {
            for (i, name) in h.iter().enumerate() {
                let n = if name.trim().is_empty() {
                    format!("column{}", i + 1)
                } else {
                    name.trim().to_owned()
                };
                v.column(i, &n);
            }
            width = h.len();
            if let Some(o) = out.as_mut() {
                let mut w = builder.from_writer(Vec::new());
                w.write_record(&h).map_err(csv_io)?;
                let bytes = w
                    .into_inner()
                    .map_err(|e| CopyError::Io(io::Error::other(e.to_string())))?;
                encoder.write(o.as_mut(), &String::from_utf8_lossy(&bytes))?;
            }
        }
    }
    let emit = |block: &mut Vec<Vec<(usize, String)>>,
                v: &mut dyn Visitor,
                builder: &csv::WriterBuilder,
                encoder: &mut Encoder,
                out: &mut Option<Box<dyn Write>>|
     -> Result<(), CopyError> {
        v.rows(block);
        if let Some(o) = out.as_mut() {
            let mut w = builder.from_writer(Vec::with_capacity(1 << 16));
            for r in block.iter() {
                w.write_record(r.iter().map(|(_, s)| s.as_str()))
                    .map_err(csv_io)?;
            }
            let bytes = w
                .into_inner()
                .map_err(|e| CopyError::Io(io::Error::other(e.to_string())))?;
            // The csv writer only writes whole records, so the buffer holds whole characters.
            let s = String::from_utf8_lossy(&bytes);
            encoder.write(o.as_mut(), &s)?;
        }
        block.clear();
        Ok(())
    };
    let push = |fields: Vec<String>, v: &mut dyn Visitor, width: &mut usize| {
        while *width < fields.len() {
            v.column(*width, &format!("column{}", *width + 1));
            *width += 1;
        }
        fields.into_iter().enumerate().collect::<Vec<_>>()
    };
    for r in pending {
        block.push(push(r, v, &mut width));
    }
    loop {
        if block.len() >= BLOCK_ROWS {
            emit(&mut block, v, &builder, &mut encoder, &mut out)?;
        }
        match rdr.read_record(&mut rec) {
            Ok(true) => {
                let fields: Vec<String> = rec.iter().map(str::to_owned).collect();
                block.push(push(fields, v, &mut width));
            }
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                v.warning(format!(
                    "line {line}: {e}; the record is left out of the copy"
                ));
            }
        }
    }
    emit(&mut block, v, &builder, &mut encoder, &mut out)?;
    v.end_table();
    if let Some(o) = out {
        finish(o)?;
    }
    Ok(CopyInfo {
        format: if delim == b'\t' { "tsv" } else { "csv" },
        encoding: Some(enc.name().to_owned()),
    })
}

fn csv_io(e: csv::Error) -> CopyError {
    CopyError::Io(io::Error::other(e.to_string()))
}
