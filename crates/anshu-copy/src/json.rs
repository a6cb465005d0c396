//! JSON documents and JSON Lines. Leaves become dotted-path columns (arrays repeat their path);
//! values are written back with their JSON types where the new text still fits the type. JSON
//! Lines stream; a JSON document is held in memory while it is rewritten.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};

use serde_json::Value;

use crate::delimited::decode;
use crate::encode::Encoder;
use crate::{finish, CopyError, CopyInfo, Visitor, BLOCK_ROWS};

#[derive(Default)]
struct Columns {
    index: HashMap<String, usize>,
}

impl Columns {
    fn get(&mut self, path: &str, v: &mut dyn Visitor) -> usize {
        if let Some(&i) = self.index.get(path) {
            return i;
        }
        let i = self.index.len();
        self.index.insert(path.to_owned(), i);
        v.column(i, path);
        i
    }
}

fn leaves(
    value: &Value,
    path: &mut String,
    cols: &mut Columns,
    v: &mut dyn Visitor,
    out: &mut Vec<(usize, String)>,
) {
    match value {
        Value::Null => {}
        Value::Bool(b) => out.push((cols.get(path, v), b.to_string())),
        Value::Number(n) => out.push((cols.get(path, v), n.to_string())),
        Value::String(s) => out.push((cols.get(path, v), s.clone())),
        Value::Array(items) => {
            for item in items {
                leaves(item, path, cols, v, out);
            }
        }
        Value::Object(map) => {
            for (k, child) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                leaves(child, path, cols, v, out);
                path.truncate(len);
            }
        }
    }
}

/// Writes the cells back into the leaves, in the same traversal order.
fn write_back(value: &mut Value, cells: &mut std::vec::IntoIter<(usize, String)>) {
    match value {
        Value::Null => {}
        Value::Bool(b) => {
            if let Some((_, s)) = cells.next() {
                match s.as_str() {
                    "true" => *b = true,
                    "false" => *b = false,
                    _ => *value = Value::String(s),
                }
            }
        }
        Value::Number(_) => {
            if let Some((_, s)) = cells.next() {
                *value = match serde_json::from_str::<serde_json::Number>(&s) {
                    Ok(n) => Value::Number(n),
                    Err(_) => Value::String(s),
                };
            }
        }
        Value::String(old) => {
            if let Some((_, s)) = cells.next() {
                *old = s;
            }
        }
        Value::Array(items) => {
            for item in items {
                write_back(item, cells);
            }
        }
        Value::Object(map) => {
            for (_, child) in map.iter_mut() {
                write_back(child, cells);
            }
        }
    }
}

pub(crate) fn process(
    reader: Box<dyn Read>,
    forced: Option<&'static encoding_rs::Encoding>,
    lines: bool,
    mut out: Option<Box<dyn Write>>,
    table: &str,
    v: &mut dyn Visitor,
) -> Result<CopyInfo, CopyError> {
    let (text, enc, bom) = decode(reader, forced)?;
    let mut encoder = Encoder::new(enc, bom);
    let mut cols = Columns::default();
    v.begin_table(table);
    let info = CopyInfo {
        format: if lines { "jsonl" } else { "json" },
        encoding: Some(enc.name().to_owned()),
    };
    if lines {
        let mut r = BufReader::with_capacity(1 << 16, text);
        let mut records: Vec<Option<Value>> = Vec::with_capacity(BLOCK_ROWS);
        let mut raw: Vec<String> = Vec::with_capacity(BLOCK_ROWS);
        let mut line = String::new();
        let mut n = 0u64;
        loop {
            line.clear();
            let read = r.read_line(&mut line)?;
            if read > 0 {
                n += 1;
                let t = line.trim_end_matches(['\r', '\n']);
                match serde_json::from_str::<Value>(t) {
                    Ok(val) => {
                        records.push(Some(val));
                        raw.push(String::new());
                    }
                    Err(e) if !t.trim().is_empty() => {
                        // Not JSON: treated as text, so its sensitive spans are still masked.
                        v.warning(format!("line {n}: not JSON ({e}); masked as text"));
                        records.push(None);
                        raw.push(t.to_owned());
                    }
                    Err(_) => {
                        records.push(None);
                        raw.push(String::new());
                    }
                }
            }
            if records.len() >= BLOCK_ROWS || (read == 0 && !records.is_empty()) {
                emit_lines(&mut records, &mut raw, &mut cols, v, &mut out, &mut encoder)?;
            }
            if read == 0 {
                break;
            }
        }
    } else {
        let mut s = String::new();
        BufReader::new(text).read_to_string(&mut s)?;
        let pretty = s
            .trim_start()
            .get(1..)
            .is_some_and(|r| r.starts_with(['\n', '\r']));
        let mut doc: Value = serde_json::from_str(&s).map_err(|e| CopyError::Malformed {
            format: "JSON",
            message: e.to_string(),
        })?;
        drop(s);
        let records: Vec<&mut Value> = match &mut doc {
            Value::Array(items) => items.iter_mut().collect(),
            other => vec![other],
        };
        let mut block: Vec<Vec<(usize, String)>> = Vec::new();
        let mut targets: Vec<&mut Value> = Vec::new();
        let mut path = String::new();
        for rec in records {
            let mut cells = Vec::new();
            leaves(rec, &mut path, &mut cols, v, &mut cells);
            block.push(cells);
            targets.push(rec);
            if block.len() >= BLOCK_ROWS {
                v.rows(&mut block);
                for (t, cells) in targets.drain(..).zip(block.drain(..)) {
                    write_back(t, &mut cells.into_iter());
                }
            }
        }
        v.rows(&mut block);
        for (t, cells) in targets.drain(..).zip(block.drain(..)) {
            write_back(t, &mut cells.into_iter());
        }
        if let Some(o) = out.as_mut() {
            let text = if pretty {
                serde_json::to_string_pretty(&doc)
            } else {
                serde_json::to_string(&doc)
            }
            .map_err(|e| CopyError::Io(std::io::Error::other(e)))?;
            encoder.write(o.as_mut(), &text)?;
            encoder.write(o.as_mut(), "\n")?;
        }
    }
    v.end_table();
    if let Some(o) = out {
        finish(o)?;
    }
    Ok(info)
}

fn emit_lines(
    records: &mut Vec<Option<Value>>,
    raw: &mut Vec<String>,
    cols: &mut Columns,
    v: &mut dyn Visitor,
    out: &mut Option<Box<dyn Write>>,
    encoder: &mut Encoder,
) -> Result<(), CopyError> {
    let mut block: Vec<Vec<(usize, String)>> = Vec::with_capacity(records.len());
    let mut path = String::new();
    for r in records.iter() {
        let mut cells = Vec::new();
        if let Some(val) = r {
            leaves(val, &mut path, cols, v, &mut cells);
        }
        block.push(cells);
    }
    v.rows(&mut block);
    let mut text = String::new();
    for ((rec, cells), raw_line) in records.iter_mut().zip(block).zip(raw.iter_mut()) {
        match rec {
            Some(val) => {
                write_back(val, &mut cells.into_iter());
                text.push_str(
                    &serde_json::to_string(val)
                        .map_err(|e| CopyError::Io(std::io::Error::other(e)))?,
                );
            }
            None => {
                v.text(raw_line, 0, 0);
                text.push_str(raw_line);
            }
        }
        text.push('\n');
    }
    if let Some(o) = out.as_mut() {
        encoder.write(o.as_mut(), &text)?;
    }
    records.clear();
    raw.clear();
    Ok(())
}
