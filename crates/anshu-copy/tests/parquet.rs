//! Parquet copies: schema, nesting, nulls and compression survive; changed values are written
//! back in their own type; values that no longer fit become null or fail the file.

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use anshu_copy::{process, Visitor};
use parquet::basic::Compression;
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::record::Field;
use parquet::schema::parser::parse_message_type;

const SCHEMA: &str = "
message people {
  REQUIRED BYTE_ARRAY name (UTF8);
  OPTIONAL INT64 phone;
  OPTIONAL INT32 birth (DATE);
  OPTIONAL INT64 seen (TIMESTAMP_MILLIS);
  OPTIONAL INT64 amount (DECIMAL(12,2));
  REQUIRED INT32 code;
  OPTIONAL INT32 score;
  REQUIRED BOOLEAN active;
  OPTIONAL group tags (LIST) {
    REPEATED group list {
      OPTIONAL BYTE_ARRAY element (UTF8);
    }
  }
}";

const ROWS: usize = 2_500;

fn name(i: usize) -> String {
    format!("张{i}")
}

/// Writes a file of `ROWS` rows in two row groups, with nulls in the optional columns and lists
/// of zero to two tags.
fn write_sample(path: &Path) {
    let schema = Arc::new(parse_message_type(SCHEMA).unwrap());
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_key_value_metadata(Some(vec![parquet::file::metadata::KeyValue::new(
            "origin".to_owned(),
            "anshu test".to_owned(),
        )]))
        .build();
    let mut w =
        SerializedFileWriter::new(File::create(path).unwrap(), schema, Arc::new(props)).unwrap();
    for (lo, hi) in [(0, 1_000), (1_000, ROWS)] {
        let mut rg = w.next_row_group().unwrap();
        let mut col = 0;
        while let Some(mut c) = rg.next_column().unwrap() {
            let range = lo..hi;
            match col {
                0 => {
                    let v: Vec<ByteArray> = range.map(|i| name(i).as_str().into()).collect();
                    c.typed::<ByteArrayType>()
                        .write_batch(&v, None, None)
                        .unwrap();
                }
                1 | 3 | 4 => {
                    let def: Vec<i16> = range.clone().map(|i| i16::from(i % 7 != 0)).collect();
                    let v: Vec<i64> = range
                        .filter(|i| i % 7 != 0)
                        .map(|i| match col {
                            1 => 13_800_000_000 + i as i64,
                            3 => 1_600_000_000_000 + i as i64 * 1_001,
                            _ => i as i64 * 101 - 5_000,
                        })
                        .collect();
                    c.typed::<Int64Type>()
                        .write_batch(&v, Some(&def), None)
                        .unwrap();
                }
                2 | 6 => {
                    let def: Vec<i16> = range.clone().map(|i| i16::from(i % 5 != 0)).collect();
                    let v: Vec<i32> = range
                        .filter(|i| i % 5 != 0)
                        .map(|i| if col == 2 { 7_000 + i as i32 } else { i as i32 })
                        .collect();
                    c.typed::<Int32Type>()
                        .write_batch(&v, Some(&def), None)
                        .unwrap();
                }
                5 => {
                    let v: Vec<i32> = range.map(|i| i as i32).collect();
                    c.typed::<Int32Type>().write_batch(&v, None, None).unwrap();
                }
                7 => {
                    let v: Vec<bool> = range.map(|i| i % 2 == 0).collect();
                    c.typed::<BoolType>().write_batch(&v, None, None).unwrap();
                }
                _ => {
                    // tags: null list (def 0), empty list (def 1), or 1–2 elements (def 3).
                    let (mut def, mut rep, mut v) = (Vec::new(), Vec::new(), Vec::new());
                    for i in range {
                        match i % 4 {
                            0 => {
                                def.push(0);
                                rep.push(0);
                            }
                            1 => {
                                def.push(1);
                                rep.push(0);
                            }
                            n => {
                                for k in 0..n - 1 {
                                    def.push(3);
                                    rep.push(i16::from(k > 0));
                                    v.push(ByteArray::from(format!("tag{i}-{k}").as_str()));
                                }
                            }
                        }
                    }
                    c.typed::<ByteArrayType>()
                        .write_batch(&v, Some(&def), Some(&rep))
                        .unwrap();
                }
            }
            c.close().unwrap();
            col += 1;
        }
        rg.close().unwrap();
    }
    w.close().unwrap();
}

type Rows = Vec<HashMap<String, String>>;

fn field_text(f: &Field) -> String {
    match f {
        Field::Str(s) => s.clone(),
        Field::ListInternal(l) => l
            .elements()
            .iter()
            .map(field_text)
            .collect::<Vec<_>>()
            .join("|"),
        other => other.to_string(),
    }
}

fn read_rows(path: &Path) -> Rows {
    let r = SerializedFileReader::new(File::open(path).unwrap()).unwrap();
    r.get_row_iter(None)
        .unwrap()
        .map(|row| {
            row.unwrap()
                .get_column_iter()
                .map(|(k, f)| (k.clone(), field_text(f)))
                .collect()
        })
        .collect()
}

/// Rewrites cells by column name with a function; records what it saw.
struct Edit<F: FnMut(&str, &str) -> Option<String>> {
    names: Vec<String>,
    edit: F,
    seen: HashMap<String, usize>,
}

impl<F: FnMut(&str, &str) -> Option<String>> Visitor for Edit<F> {
    fn begin_table(&mut self, _: &str) {}
    fn column(&mut self, index: usize, name: &str) {
        if self.names.len() <= index {
            self.names.resize(index + 1, String::new());
        }
        self.names[index] = name.to_owned();
    }
    fn rows(&mut self, block: &mut [Vec<(usize, String)>]) {
        for row in block {
            for (i, v) in row.iter_mut() {
                let col = self.names[*i].clone();
                *self.seen.entry(col.clone()).or_default() += 1;
                if let Some(new) = (self.edit)(&col, v) {
                    *v = new;
                }
            }
        }
    }
    fn end_table(&mut self) {}
    fn text(&mut self, _: &mut String, _: u64, _: u64) {}
    fn warning(&mut self, _: String) {}
}

fn edit<F: FnMut(&str, &str) -> Option<String>>(f: F) -> Edit<F> {
    Edit {
        names: Vec::new(),
        edit: f,
        seen: HashMap::new(),
    }
}

#[test]
fn unchanged_copy_is_value_identical_and_keeps_schema_and_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.parquet"), dir.path().join("b.parquet"));
    write_sample(&a);
    let mut v = edit(|_, _| None);
    let info = process(&a, Some(&b), None, &mut v).unwrap();
    assert_eq!(info.format, "parquet");
    assert_eq!(read_rows(&a), read_rows(&b));
    // Booleans are never shown; every other column is, the list element once per element.
    assert!(!v.seen.contains_key("active"));
    assert_eq!(v.seen["name"], ROWS);
    assert_eq!(v.seen["phone"], ROWS - ROWS.div_ceil(7));
    assert_eq!(v.seen["tags.list.element"], ROWS / 4 * 3);

    let (ra, rb) = (
        SerializedFileReader::new(File::open(&a).unwrap()).unwrap(),
        SerializedFileReader::new(File::open(&b).unwrap()).unwrap(),
    );
    let (ma, mb) = (ra.metadata(), rb.metadata());
    assert_eq!(
        ma.file_metadata().schema_descr().root_schema(),
        mb.file_metadata().schema_descr().root_schema()
    );
    assert_eq!(mb.file_metadata().num_rows(), ROWS as i64);
    assert_eq!(mb.row_group(0).column(0).compression(), Compression::SNAPPY);
    let kv = mb.file_metadata().key_value_metadata().unwrap();
    assert!(kv
        .iter()
        .any(|k| k.key == "origin" && k.value.as_deref() == Some("anshu test")));
}

#[test]
fn changed_values_are_written_in_their_own_type() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.parquet"), dir.path().join("b.parquet"));
    write_sample(&a);
    let mut v = edit(|col, val| match col {
        "name" => Some(format!("李{}", val.chars().skip(1).collect::<String>())),
        // A phone stored as a number gets another number.
        "phone" => Some(val.chars().rev().collect()),
        // A date shifted by writing another date; a timestamp generalised to its day.
        "birth" => Some(val.replace("19", "20")),
        "seen" => Some(val[..10].to_owned()),
        // A redacted number has no INT32 form: the optional column gets a null.
        "score" => Some("***".to_owned()),
        "amount" => Some(val.replace('-', "")),
        "tags.list.element" => Some(val.to_uppercase()),
        _ => None,
    });
    process(&a, Some(&b), None, &mut v).unwrap();
    let (ra, rb) = (read_rows(&a), read_rows(&b));
    assert_eq!(ra.len(), rb.len());
    for (x, y) in ra.iter().zip(&rb) {
        assert_eq!(y["name"], x["name"].replacen('张', "李", 1));
        assert_eq!(y["code"], x["code"]);
        assert_eq!(y["active"], x["active"]);
        if x["phone"] == "null" {
            assert_eq!(y["phone"], "null");
        } else {
            let rev: String = x["phone"].chars().rev().collect();
            assert_eq!(y["phone"], rev.trim_start_matches('0'));
        }
        assert_eq!(y["score"], "null");
        assert_eq!(y["tags"], x["tags"].to_uppercase().replace("NULL", "null"));
        assert_eq!(y["amount"], x["amount"].replace('-', ""));
        if x["seen"] != "null" {
            assert!(y["seen"].contains("00:00:00"), "{}", y["seen"]);
            assert_eq!(y["seen"][..10], x["seen"][..10]);
        }
        if x["birth"] != "null" {
            assert_eq!(y["birth"], x["birth"].replace("19", "20"));
        }
    }
}

#[test]
fn a_required_number_that_loses_its_form_fails_the_file_naming_the_column() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.parquet"), dir.path().join("b.parquet"));
    write_sample(&a);
    let mut v = edit(|col, _| (col == "code").then(|| "***".to_owned()));
    let err = process(&a, Some(&b), None, &mut v).unwrap_err();
    assert!(err.to_string().contains("code"), "{err}");
}

#[test]
fn truncated_and_garbage_files_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.parquet");
    write_sample(&a);
    let bytes = std::fs::read(&a).unwrap();
    for cut in [8, bytes.len() / 3, bytes.len() / 2, bytes.len() - 9] {
        let p = dir.path().join(format!("cut{cut}.parquet"));
        let mut damaged = bytes[..cut].to_vec();
        damaged.extend_from_slice(b"PAR1");
        std::fs::write(&p, &damaged).unwrap();
        let mut v = edit(|_, _| None);
        assert!(process(&p, Some(&dir.path().join("out.parquet")), None, &mut v).is_err());
    }
    // Flipped bytes inside the pages: an error or a copy, never a panic.
    for pos in (4..bytes.len() - 8).step_by(211) {
        let mut damaged = bytes.clone();
        damaged[pos] ^= 0x5a;
        let p = dir.path().join("flip.parquet");
        std::fs::write(&p, &damaged).unwrap();
        let mut v = edit(|_, _| None);
        let _ = process(&p, Some(&dir.path().join("out.parquet")), None, &mut v);
    }
}
