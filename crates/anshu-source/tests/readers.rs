//! Every reader, end to end through `read_path`, on files written by the test, plus property
//! tests that arbitrary bytes under every supported name never panic.

use std::io::Write;
use std::path::{Path, PathBuf};

use anshu_source::{read_path, HeaderMode, Outcome, ReadOptions, Sink, SourceError};
use proptest::prelude::*;

/// Records everything a reader emits.
#[derive(Default, Debug)]
struct Rec {
    tables: Vec<String>,
    columns: Vec<Vec<String>>,
    rows: Vec<Vec<Vec<(usize, String)>>>,
    text: String,
    warnings: Vec<String>,
}

impl Sink for Rec {
    fn begin_table(&mut self, name: &str) {
        self.tables.push(name.to_owned());
        self.columns.push(Vec::new());
        self.rows.push(Vec::new());
    }
    fn column(&mut self, index: usize, name: &str) {
        let c = self.columns.last_mut().unwrap();
        assert_eq!(index, c.len(), "columns must be announced densely");
        c.push(name.to_owned());
    }
    fn row(&mut self, cells: &[(usize, &str)]) {
        let n = self.columns.last().unwrap().len();
        for (i, _) in cells {
            assert!(*i < n, "cell for unannounced column {i}");
        }
        self.rows
            .last_mut()
            .unwrap()
            .push(cells.iter().map(|(i, v)| (*i, (*v).to_owned())).collect());
    }
    fn end_table(&mut self) {}
    fn text(&mut self, chunk: &str, _line: u64, offset: u64) {
        assert_eq!(
            offset as usize,
            self.text.len(),
            "text chunks must be contiguous"
        );
        self.text.push_str(chunk);
    }
    fn warning(&mut self, m: String) {
        self.warnings.push(m);
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn read(p: &Path) -> (Result<Outcome, SourceError>, Rec) {
    let mut rec = Rec::default();
    let r = read_path(p, &ReadOptions::default(), &mut rec);
    (r, rec)
}

fn cell(rec: &Rec, table: usize, row: usize, col: &str) -> Option<String> {
    let idx = rec.columns[table].iter().position(|c| c == col)?;
    rec.rows[table][row]
        .iter()
        .find(|(i, _)| *i == idx)
        .map(|(_, v)| v.clone())
}

#[test]
fn csv_in_every_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let text = "姓名,手机号,备注\r\n张三,13800138000,\"含,逗号\"\r\n李四,13900139000,无\r\n";
    let (gbk, _, _) = encoding_rs::GB18030.encode(text);
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(text.as_bytes());
    let mut u16 = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        u16.extend_from_slice(&u.to_le_bytes());
    }
    for (name, bytes, enc) in [
        ("utf8.csv", text.as_bytes().to_vec(), "UTF-8"),
        ("bom.csv", bom, "UTF-8"),
        ("gbk.csv", gbk.into_owned(), "gb18030"),
        ("u16.csv", u16, "UTF-16LE"),
    ] {
        let (r, rec) = read(&write(dir.path(), name, &bytes));
        match r.unwrap() {
            Outcome::Read { encoding, .. } => assert_eq!(encoding.as_deref(), Some(enc), "{name}"),
            o => panic!("{name}: {o:?}"),
        }
        assert_eq!(rec.columns[0], ["姓名", "手机号", "备注"], "{name}");
        assert_eq!(rec.rows[0].len(), 2, "{name}");
        assert_eq!(
            cell(&rec, 0, 0, "备注").as_deref(),
            Some("含,逗号"),
            "{name}"
        );
        assert_eq!(cell(&rec, 0, 1, "姓名").as_deref(), Some("李四"), "{name}");
    }
}

#[test]
fn delimiters_and_headers_are_sniffed() {
    let dir = tempfile::tempdir().unwrap();
    let (_, rec) = read(&write(
        dir.path(),
        "a.csv",
        b"id;mobile\n1;13800138000\n2;13900139000\n",
    ));
    assert_eq!(rec.columns[0], ["id", "mobile"]);
    let (_, rec) = read(&write(
        dir.path(),
        "b.csv",
        b"13800138000,zhang\n13900139000,li\n",
    ));
    assert_eq!(rec.columns[0], ["column1", "column2"]);
    assert_eq!(rec.rows[0].len(), 2);
    let mut forced = Rec::default();
    read_path(
        &dir.path().join("b.csv"),
        &ReadOptions {
            header: HeaderMode::Present,
            ..Default::default()
        },
        &mut forced,
    )
    .unwrap();
    assert_eq!(forced.columns[0], ["13800138000", "zhang"]);
    // Export notes above the table are skipped, with a warning.
    let (_, rec) = read(&write(
        dir.path(),
        "export.csv",
        "导出时间：2025-01-01\n姓名,手机,备注\n张三,13800138000,无\n李四,13900139000,无\n王五,13700137000,无\n".as_bytes(),
    ));
    assert_eq!(rec.columns[0], ["姓名", "手机", "备注"]);
    assert_eq!(rec.rows[0].len(), 3);
    assert!(
        rec.warnings.iter().any(|w| w.contains("skipped 1 line")),
        "{:?}",
        rec.warnings
    );
    // Ragged rows and a stray quote do not stop the reader.
    let (r, rec) = read(&write(
        dir.path(),
        "c.tsv",
        b"a\tb\n1\t2\t3\n\"x\ty\n4\t5\n",
    ));
    assert!(r.is_ok());
    assert!(rec.columns[0].len() >= 3);
}

#[test]
fn json_documents_and_lines() {
    let dir = tempfile::tempdir().unwrap();
    let (_, rec) = read(&write(
        dir.path(),
        "a.json",
        r#"[{"user":{"name":"张三","contact":{"mobile":"13800138000"}},"tags":["x","y"],"n":1},{"user":{"name":"李四"},"extra":null}]"#.as_bytes(),
    ));
    assert_eq!(
        rec.columns[0],
        ["user.name", "user.contact.mobile", "tags", "n"]
    );
    assert_eq!(rec.rows[0].len(), 2);
    assert_eq!(rec.rows[0][0].iter().filter(|(i, _)| *i == 2).count(), 2);
    let (_, rec) = read(&write(
        dir.path(),
        "w.json",
        br#"{"data":[{"a":1},{"a":2}],"total":2}"#,
    ));
    assert_eq!(rec.rows[0].len(), 2);
    let (r, rec) = read(&write(
        dir.path(),
        "b.jsonl",
        b"{\"m\":\"13800138000\"}\n{broken\n\n{\"m\":\"13900139000\"}\n",
    ));
    assert!(r.is_ok());
    assert_eq!(rec.rows[0].len(), 2);
    assert!(
        rec.warnings.iter().any(|w| w.starts_with("line 2:")),
        "{:?}",
        rec.warnings
    );
    // A syntax error in a document is an error naming the position; rows before it were seen.
    let (r, rec) = read(&write(dir.path(), "c.json", b"[{\"a\":1},{\"a\":]"));
    let e = r.unwrap_err();
    assert_eq!(e.code(), "malformed");
    assert!(e.to_string().contains("line 1"), "{e}");
    assert_eq!(rec.rows[0].len(), 1);
}

#[test]
fn text_gzip_and_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let body = "第一行\n手机 13800138000\n".repeat(1000);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(body.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    let (r, rec) = read(&write(dir.path(), "app.log.gz", &gz));
    assert!(matches!(r.unwrap(), Outcome::Read { .. }));
    assert_eq!(rec.text, body);
    let (r, _) = read(&write(dir.path(), "cut.csv.gz", &gz[..gz.len() / 2]));
    let e = r.unwrap_err();
    assert!(
        matches!(e.code(), "truncated" | "corrupt" | "io_error"),
        "{e}"
    );
}

#[test]
fn binary_and_corrupt_files() {
    let dir = tempfile::tempdir().unwrap();
    let (r, _) = read(&write(dir.path(), "img.png", b"\x89PNG\r\n\x1a\n\0\0\0"));
    assert!(matches!(r.unwrap(), Outcome::Skipped { .. }));
    let (r, _) = read(&write(
        dir.path(),
        "bad.xlsx",
        b"this is not a workbook at all",
    ));
    assert_eq!(r.unwrap_err().code(), "malformed");
    let (r, _) = read(&write(dir.path(), "bad.parquet", b"PAR1garbagePAR1"));
    assert_eq!(r.unwrap_err().code(), "malformed");
    let (r, _) = read(&dir.path().join("missing.csv"));
    assert_eq!(r.unwrap_err().code(), "not_found");
    // Forced UTF-8 on GBK bytes: mostly undecodable, so an error rather than garbage findings.
    let chinese = "中文内容".repeat(100);
    let (gbk, _, _) = encoding_rs::GB18030.encode(&chinese);
    let p = write(dir.path(), "gbk.txt", &gbk);
    let mut rec = Rec::default();
    let e = read_path(
        &p,
        &ReadOptions {
            encoding: Some(encoding_rs::UTF_8),
            ..Default::default()
        },
        &mut rec,
    )
    .unwrap_err();
    assert_eq!(e.code(), "bad_encoding");
}

fn zip_file(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts: zip::write::SimpleFileOptions = zip::write::SimpleFileOptions::default();
        for (name, body) in parts {
            z.start_file(*name, opts).unwrap();
            z.write_all(body.as_bytes()).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

#[test]
fn xlsx_every_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let sheet = |rows: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
        )
    };
    let s1 = sheet(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>手机</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c><c r="B2"><v>13800138000</v></c></row>"#,
    );
    let s2 = sheet(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>email</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>a@example.com</t></is></c></row>"#,
    );
    let bytes = zip_file(&[
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="客户" sheetId="1" r:id="rId1"/><sheet name="联系" sheetId="2" r:id="rId2"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/></Relationships>"#,
        ),
        ("xl/worksheets/sheet1.xml", &s1),
        ("xl/worksheets/sheet2.xml", &s2),
    ]);
    let (r, rec) = read(&write(dir.path(), "book.xlsx", &bytes));
    r.unwrap();
    assert_eq!(rec.tables, ["book.xlsx:客户", "book.xlsx:联系"]);
    assert_eq!(cell(&rec, 0, 0, "手机").as_deref(), Some("13800138000"));
    assert_eq!(cell(&rec, 1, 0, "email").as_deref(), Some("a@example.com"));
}

#[test]
fn docx_text() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = zip_file(&[(
        "word/document.xml",
        r#"<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>客户张三，手机13800138000</w:t></w:r></w:p></w:body></w:document>"#,
    )]);
    let (r, rec) = read(&write(dir.path(), "memo.docx", &bytes));
    r.unwrap();
    assert_eq!(rec.text, "客户张三，手机13800138000\n");
}

#[test]
fn parquet_rows() {
    use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.parquet");
    let schema = Arc::new(
        parse_message_type(
            "message t { REQUIRED BYTE_ARRAY mobile (UTF8); REQUIRED INT64 amount; }",
        )
        .unwrap(),
    );
    let file = std::fs::File::create(&path).unwrap();
    let mut w =
        SerializedFileWriter::new(file, schema, Arc::new(WriterProperties::builder().build()))
            .unwrap();
    let mut rg = w.next_row_group().unwrap();
    let mobiles: Vec<ByteArray> = ["13800138000", "13900139000"]
        .iter()
        .map(|s| ByteArray::from(*s))
        .collect();
    let mut col = rg.next_column().unwrap().unwrap();
    col.typed::<ByteArrayType>()
        .write_batch(&mobiles, None, None)
        .unwrap();
    col.close().unwrap();
    let mut col = rg.next_column().unwrap().unwrap();
    col.typed::<Int64Type>()
        .write_batch(&[5, 7], None, None)
        .unwrap();
    col.close().unwrap();
    rg.close().unwrap();
    w.close().unwrap();

    let (r, rec) = read(&path);
    r.unwrap();
    assert_eq!(rec.columns[0], ["mobile", "amount"]);
    assert_eq!(cell(&rec, 0, 1, "mobile").as_deref(), Some("13900139000"));
    assert_eq!(cell(&rec, 0, 0, "amount").as_deref(), Some("5"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// No byte sequence, under any supported name, makes a reader panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048),
                                   name in prop::sample::select(vec![
                                       "a.csv", "a.tsv", "a.json", "a.jsonl", "a.parquet", "a.xlsx", "a.xls",
                                       "a.docx", "a.txt", "a.csv.gz", "a.json.gz", "noext"])) {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), name, &bytes);
        let mut rec = Rec::default();
        let _ = read_path(&p, &ReadOptions::default(), &mut rec);
    }

    /// Structured-looking input (quotes, braces, delimiters, CJK) exercises deeper paths.
    #[test]
    fn near_valid_text_never_panics(s in "[\\{\\}\\[\\]\",:;\t\n a-z0-9手机号码\\\\]{0,400}",
                                    name in prop::sample::select(vec!["a.csv", "a.json", "a.jsonl", "a.txt"])) {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), name, s.as_bytes());
        let mut rec = Rec::default();
        let _ = read_path(&p, &ReadOptions::default(), &mut rec);
    }
}

#[test]
fn cancellation_stops_reading() {
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "a.csv", "x,y\n1,2\n".repeat(10_000).as_bytes());
    let mut rec = Rec::default();
    let opts = ReadOptions {
        cancel: Some(Arc::new(AtomicBool::new(true))),
        ..Default::default()
    };
    let e = read_path(&p, &opts, &mut rec).unwrap_err();
    assert_eq!(e.code(), "cancelled");
}
