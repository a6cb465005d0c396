//! JSON documents and JSON Lines. Nested objects become dotted paths (`user.contact.mobile`);
//! arrays contribute each element to the same path. A top-level array is streamed element by
//! element, so a large export does not have to fit in memory.

use std::collections::HashMap;
use std::fmt;
use std::io::{BufRead, BufReader, Read};

use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde_json::Value;

use crate::decode::DecodingReader;
use crate::{DecodeReport, ReadOptions, Sink, SourceError};

/// Maps dotted paths to dense column indexes, announcing new ones to the sink.
struct Columns {
    index: HashMap<String, usize>,
    cells: Vec<(usize, String)>,
}

impl Columns {
    fn new() -> Self {
        Columns {
            index: HashMap::new(),
            cells: Vec::new(),
        }
    }

    fn emit(&mut self, record: &Value, sink: &mut dyn Sink) {
        self.cells.clear();
        let mut path = String::new();
        let mut flat = Vec::new();
        match record {
            Value::Object(_) => flatten(record, &mut path, &mut flat),
            _ => {
                path.push_str("value");
                flatten(record, &mut path, &mut flat);
            }
        }
        for (p, v) in flat {
            let next = self.index.len();
            let idx = *self.index.entry(p).or_insert_with_key(|k| {
                sink.column(next, k);
                next
            });
            self.cells.push((idx, v));
        }
        let cells: Vec<(usize, &str)> = self.cells.iter().map(|(i, v)| (*i, v.as_str())).collect();
        sink.row(&cells);
    }
}

fn flatten(v: &Value, path: &mut String, out: &mut Vec<(String, String)>) {
    match v {
        Value::Null => {}
        Value::Bool(b) => out.push((path.clone(), b.to_string())),
        Value::Number(n) => out.push((path.clone(), n.to_string())),
        Value::String(s) => out.push((path.clone(), s.clone())),
        Value::Array(items) => {
            for item in items {
                flatten(item, path, out);
            }
        }
        Value::Object(map) => {
            for (k, child) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                flatten(child, path, out);
                path.truncate(len);
            }
        }
    }
}

/// Streams the elements of a top-level array.
struct Elements<'a> {
    cols: &'a mut Columns,
    sink: &'a mut dyn Sink,
    opts: &'a ReadOptions,
}

impl<'de> DeserializeSeed<'de> for Elements<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Elements<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(v) = seq.next_element::<Value>()? {
            if self.opts.cancelled() {
                return Err(serde::de::Error::custom("cancelled"));
            }
            self.cols.emit(&v, self.sink);
        }
        Ok(())
    }
}

fn malformed(e: &serde_json::Error) -> SourceError {
    if e.is_io() {
        return SourceError::Io(std::io::Error::other(e.to_string()));
    }
    SourceError::Malformed {
        format: "JSON",
        message: e.to_string(),
    }
}

pub(crate) fn read_json(
    text: DecodingReader,
    lines: bool,
    opts: &ReadOptions,
    table: &str,
    sink: &mut dyn Sink,
) -> Result<DecodeReport, SourceError> {
    let report = text.report();
    let mut r = BufReader::with_capacity(1 << 16, text);
    let mut cols = Columns::new();
    sink.begin_table(table);
    let result = if lines {
        read_lines(&mut r, &mut cols, opts, sink)
    } else {
        read_document(&mut r, &mut cols, opts, sink)
    };
    sink.end_table();
    result?;
    let rep = report.borrow().clone();
    Ok(rep)
}

fn read_document(
    r: &mut BufReader<DecodingReader>,
    cols: &mut Columns,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    let first = loop {
        let buf = r.fill_buf()?;
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => {
                let b = buf[i];
                r.consume(i);
                break Some(b);
            }
            None if buf.is_empty() => break None,
            None => {
                let n = buf.len();
                r.consume(n);
            }
        }
    };
    match first {
        None => Ok(()),
        Some(b'[') => {
            let mut de = serde_json::Deserializer::from_reader(r);
            Elements { cols, sink, opts }
                .deserialize(&mut de)
                .map_err(|e| malformed(&e))?;
            de.end().map_err(|e| malformed(&e))
        }
        Some(_) => {
            let mut all = Vec::new();
            r.read_to_end(&mut all)?;
            match serde_json::from_slice::<Value>(&all) {
                Ok(v) => {
                    emit_document(&v, cols, sink);
                    Ok(())
                }
                // Several objects one after another: JSON Lines under a .json name.
                Err(e) if e.to_string().starts_with("trailing characters") => {
                    read_lines(&mut BufReader::new(&all[..]), cols, opts, sink)
                }
                Err(e) => Err(malformed(&e)),
            }
        }
    }
}

/// A single object is one record, unless it wraps the records in its only array field
/// (`{"data": [...]}`, a common API export).
fn emit_document(v: &Value, cols: &mut Columns, sink: &mut dyn Sink) {
    if let Value::Object(map) = v {
        let arrays: Vec<&Vec<Value>> = map
            .values()
            .filter_map(|x| match x {
                Value::Array(a) if a.iter().all(Value::is_object) && !a.is_empty() => Some(a),
                _ => None,
            })
            .collect();
        if arrays.len() == 1 && map.len() <= 3 {
            for rec in arrays[0] {
                cols.emit(rec, sink);
            }
            return;
        }
    }
    cols.emit(v, sink);
}

fn read_lines<R: BufRead>(
    r: &mut R,
    cols: &mut Columns,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<(), SourceError> {
    let mut line = String::new();
    let mut no = 0u64;
    let mut bad = 0u64;
    loop {
        if opts.cancelled() {
            return Err(SourceError::Cancelled);
        }
        line.clear();
        if r.read_line(&mut line)? == 0 {
            break;
        }
        no += 1;
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(t) {
            Ok(Value::Array(items)) => {
                for it in &items {
                    cols.emit(it, sink);
                }
            }
            Ok(v) => cols.emit(&v, sink),
            Err(e) => {
                bad += 1;
                if bad <= 100 {
                    sink.warning(format!("line {no}: not valid JSON: {e}"));
                }
            }
        }
    }
    if bad > 100 {
        sink.warning(format!("{bad} malformed lines in total"));
    }
    Ok(())
}
