//! `anshu mask` end to end: the bar on the labelled samples, joins across tables,
//! formats and encodings kept, keys never printed, and a masked SQLite copy.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anshu_detect::{validate, Date};
use calamine::Reader;

fn anshu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_anshu"))
        .args(args)
        .env_remove("ANSHU_CATALOG")
        .output()
        .expect("run anshu")
}

fn new_key(dir: &Path) -> PathBuf {
    let key = dir.join("k.key");
    let out = anshu(&["key", "new", "-o", key.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    key
}

type Table = (Vec<String>, Vec<HashMap<String, String>>);

fn flatten(v: &serde_json::Value, path: &str, out: &mut HashMap<String, String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, c) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                flatten(c, &p, out);
            }
        }
        serde_json::Value::Null => {}
        serde_json::Value::String(s) => {
            out.insert(path.to_owned(), s.clone());
        }
        other => {
            out.insert(path.to_owned(), other.to_string());
        }
    }
}

/// Reads a sample table independently of Anshu's readers.
/// Every row of a Parquet file as text: strings as they are, other values as Parquet prints them.
fn read_parquet(bytes: Vec<u8>) -> Table {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;
    let reader = SerializedFileReader::new(bytes::Bytes::from(bytes)).unwrap();
    let header: Vec<String> = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.path().string())
        .collect();
    let rows = reader
        .get_row_iter(None)
        .unwrap()
        .map(|row| {
            row.unwrap()
                .get_column_iter()
                .filter(|(_, f)| !matches!(f, Field::Null))
                .map(|(k, f)| {
                    let v = match f {
                        Field::Str(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.clone(), v)
                })
                .collect()
        })
        .collect();
    (header, rows)
}

fn read_table(path: &Path) -> Table {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let mut bytes = std::fs::read(path).unwrap();
    if name.ends_with(".gz") {
        let mut d = flate2::read::GzDecoder::new(&bytes[..]);
        let mut v = Vec::new();
        d.read_to_end(&mut v).unwrap();
        bytes = v;
    }
    let inner = name.trim_end_matches(".gz");
    if inner.ends_with(".parquet") {
        return read_parquet(bytes);
    }
    if inner.ends_with(".xlsx") {
        let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let sheet = wb.sheet_names()[0].clone();
        let range = wb.worksheet_range(&sheet).unwrap();
        let mut rows = range.rows();
        let header: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
        let rows = rows
            .map(|r| {
                header
                    .iter()
                    .cloned()
                    .zip(r.iter().map(|c| c.to_string()))
                    .collect()
            })
            .collect();
        return (header, rows);
    }
    let text = if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let (enc, _) = encoding_rs::Encoding::for_bom(&bytes).unwrap();
        enc.decode(&bytes).0.into_owned()
    } else {
        match String::from_utf8(bytes.clone()) {
            Ok(s) => s.trim_start_matches('\u{feff}').to_owned(),
            Err(_) => encoding_rs::GB18030.decode(&bytes).0.into_owned(),
        }
    };
    if inner.ends_with(".jsonl") || inner.ends_with(".json") {
        let docs: Vec<serde_json::Value> = if inner.ends_with(".json") {
            match serde_json::from_str(&text).unwrap() {
                serde_json::Value::Array(a) => a,
                other => vec![other],
            }
        } else {
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        };
        let mut header = Vec::new();
        let rows = docs
            .iter()
            .map(|d| {
                let mut m = HashMap::new();
                flatten(d, "", &mut m);
                for k in m.keys() {
                    if !header.contains(k) {
                        header.push(k.clone());
                    }
                }
                m
            })
            .collect();
        return (header, rows);
    }
    let delim = if inner.ends_with(".tsv") { b'\t' } else { b',' };
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_owned))
                .collect()
        })
        .collect();
    (header, rows)
}

/// Letter-digit runs of at least 6 characters: the shape of every structured identifier.
fn tokens(s: &str) -> Vec<String> {
    s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '@' || c == '.' || c == '-'))
        .filter(|t| t.len() >= 6)
        .map(str::to_owned)
        .collect()
}

/// The bar on ../shared/samples with the default policy.
#[test]
fn default_policy_meets_the_bar_on_the_samples() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/samples");
    if !samples.join("truth.json").exists() {
        eprintln!("note: {} not found; skipped", samples.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = new_key(dir.path());
    let out_dir = dir.path().join("masked");
    let out = anshu(&[
        "mask",
        samples.to_str().unwrap(),
        "--output",
        out_dir.to_str().unwrap(),
        "--key-file",
        key.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let record: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(record["verification"]["passed"], true);
    assert_eq!(record["verification"]["survivors"], 0);
    let key_text = std::fs::read_to_string(&key).unwrap();
    let secret = key_text.lines().find(|l| l.starts_with("secret")).unwrap();
    let secret = secret.split('"').nth(1).unwrap();
    assert!(!stdout.contains(secret));
    assert!(!std::fs::read_to_string(out_dir.join("mask-record.json"))
        .unwrap()
        .contains(secret));
    assert!(record["key_id"].as_str().unwrap().starts_with("k1-"));

    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(samples.join("truth.json")).unwrap())
            .unwrap();
    let today = Date::new(2026, 11, 23);
    let mut sensitive: HashSet<String> = HashSet::new();
    let mut outputs: Vec<(String, String, HashMap<String, String>)> = Vec::new();
    let mut checked = BTreeMap::<&str, usize>::new();
    // Columns Anshu treats as free text are masked span by span: text around the spans stays,
    // and the token check below covers them.
    let mut free_text: HashSet<(String, String)> = HashSet::new();
    for f in record["files"].as_array().unwrap() {
        for c in f["columns"].as_array().unwrap() {
            if c["method"] == "spans" {
                free_text.insert((
                    c["table"].as_str().unwrap().to_owned(),
                    c["column"].as_str().unwrap().to_owned(),
                ));
            }
        }
    }
    // Every file is masked: none skipped, none failed.
    let not_masked: Vec<&str> = record["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] != "masked")
        .map(|f| f["source"].as_str().unwrap())
        .collect();
    assert!(not_masked.is_empty(), "{not_masked:?}");
    for (table, spec) in truth["tables"].as_object().unwrap() {
        let (_, rin) = read_table(&samples.join("tables").join(table));
        let (_, rout) = read_table(&out_dir.join("tables").join(table));
        assert_eq!(rin.len(), rout.len(), "{table}: row counts differ");
        for (col, types) in spec["columns"].as_object().unwrap() {
            let types: Vec<&str> = types
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
                .collect();
            if types.len() != 1 || free_text.contains(&(table.clone(), col.clone())) {
                continue;
            }
            let t = types[0];
            for (a, b) in rin.iter().zip(&rout) {
                let (Some(a), Some(b)) = (a.get(col), b.get(col)) else {
                    continue;
                };
                if a.trim().is_empty() {
                    continue;
                }
                assert_ne!(
                    a.trim(),
                    b.trim(),
                    "{table}.{col} ({t}): value kept verbatim"
                );
                // Dates are low-entropy: a shifted date equal to someone else's is no leak.
                if a.len() >= 6 && t != "birth_date" {
                    sensitive.insert(a.trim().to_owned());
                }
                let digits: String = a.chars().filter(char::is_ascii_digit).collect();
                match t {
                    "cn_mobile" if validate::mobile(a) => {
                        let d: String = b.chars().filter(char::is_ascii_digit).collect();
                        assert!(validate::mobile(b) && d.len() >= 11, "{table}.{col}: {b}");
                        *checked.entry("mobile").or_default() += 1;
                    }
                    "cn_resident_id"
                        if a.len() == 18 && validate::resident_id(a, today).is_some() =>
                    {
                        assert!(
                            validate::resident_id(b, today).is_some(),
                            "{table}.{col}: {b}"
                        );
                        *checked.entry("resident_id").or_default() += 1;
                    }
                    "bank_card" if validate::luhn_digits(a) && digits.len() >= 13 => {
                        assert!(validate::luhn_digits(b), "{table}.{col}: {b}");
                        *checked.entry("bank_card").or_default() += 1;
                    }
                    _ => {}
                }
                outputs.push((
                    t.to_owned(),
                    a.trim().to_owned(),
                    HashMap::from([(table.clone(), b.trim().to_owned())]),
                ));
            }
        }
    }
    assert!(checked.values().all(|&n| n > 50), "{checked:?}");
    // No sensitive input value appears anywhere in the output, free text and documents included.
    let images: HashMap<String, String> = outputs
        .iter()
        .flat_map(|(_, a, m)| m.values().map(move |b| (b.clone(), a.clone())))
        .collect();
    let mut leaks = Vec::new();
    for f in walk(&out_dir) {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        if name == "mask-record.json"
            || name == "truth.json"
            || name.ends_with(".xlsx")
            || name.ends_with(".gz")
        {
            continue;
        }
        // Parquet pages are compressed: read their values instead of their bytes.
        let text = if name.ends_with(".parquet") {
            let (_, rows) = read_table(&f);
            rows.iter()
                .flat_map(|r| r.values().cloned())
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned()
        };
        for tok in tokens(&text) {
            // A masked value may by chance equal another person's real value (substitution
            // draws from the same space): that is the image of a different input, not a leak.
            let coincidence = images.get(&tok).is_some_and(|from| *from != tok);
            if sensitive.contains(&tok) && !coincidence {
                leaks.push(format!("{}: {tok}", f.display()));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "{} leaks, e.g. {:?}",
        leaks.len(),
        &leaks[..leaks.len().min(5)]
    );
    // Consistency: the same input value of the same type gives the same output everywhere.
    let mut seen: HashMap<(String, String), String> = HashMap::new();
    for (t, a, m) in outputs {
        for (_, b) in m {
            if let Some(prev) = seen.insert((t.clone(), a.clone()), b.clone()) {
                if !matches!(t.as_str(), "birth_date" | "geo_coordinate") {
                    assert_eq!(prev, b, "{t} {a} masked two ways");
                }
            }
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Two tables sharing people: after masking, joins on the masked keys give the same pairs.
#[test]
fn joins_survive_and_formats_and_encodings_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let key = new_key(dir.path());
    let input = dir.path().join("in");
    std::fs::create_dir_all(input.join("sub")).unwrap();
    let people = [
        ("张伟", "110101199003072316", "13800138000"),
        ("李娜", "440305198512120021", "13912345678"),
        ("王芳", "310115200001011234", "18611112222"),
    ];
    let mut users = String::from("姓名,身份证号,手机号\r\n");
    let mut orders = String::from("order_id\tphone\tamount\n");
    for (i, (n, id, m)) in people.iter().enumerate() {
        let c = anshu_mask_check(id);
        users.push_str(&format!("{n},{c},{m}\r\n"));
        orders.push_str(&format!("A{i:05}\t{m}\t{}.50\n", 100 + i));
        orders.push_str(&format!("B{i:05}\t{m}\t{}.25\n", 200 + i));
    }
    // GBK CSV with CRLF line endings, UTF-8 TSV with LF, and a log.
    let (gbk, _, _) = encoding_rs::GBK.encode(&users);
    std::fs::write(input.join("users.csv"), &gbk).unwrap();
    std::fs::write(input.join("sub/orders.tsv"), &orders).unwrap();
    std::fs::write(
        input.join("app.log"),
        "2024-01-02 login ok user=13800138000 from 10.1.2.3\n",
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let out = anshu(&[
        "mask",
        input.to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
        "--key-file",
        key.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let u = std::fs::read(out_dir.join("users.csv")).unwrap();
    // Still GBK (not valid UTF-8) and still CRLF.
    assert!(std::str::from_utf8(&u).is_err());
    let u = encoding_rs::GBK.decode(&u).0.into_owned();
    assert!(u.starts_with("姓名,身份证号,手机号\r\n"), "{u}");
    let o = std::fs::read_to_string(out_dir.join("sub/orders.tsv")).unwrap();
    assert!(o.starts_with("order_id\tphone\tamount\n"));
    let mut user_phone: HashSet<String> = HashSet::new();
    for line in u.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        assert!(!people.iter().any(|p| p.0 == f[0] || p.2 == f[2]), "{line}");
        assert!(
            validate::resident_id(f[1], Date::new(2026, 11, 23)).is_some(),
            "{line}"
        );
        user_phone.insert(f[2].to_owned());
    }
    let order_phones: HashSet<String> = o
        .lines()
        .skip(1)
        .map(|l| l.split('\t').nth(1).unwrap().to_owned())
        .collect();
    assert_eq!(user_phone, order_phones, "masked phones no longer join");
    let log = std::fs::read_to_string(out_dir.join("app.log")).unwrap();
    assert!(
        log.starts_with("2024-01-02 login ok user=") && !log.contains("13800138000"),
        "{log}"
    );
    // The same run again gives the same bytes: deterministic with the key.
    let out2 = dir.path().join("out2");
    anshu(&[
        "mask",
        input.to_str().unwrap(),
        "-o",
        out2.to_str().unwrap(),
        "--key-file",
        key.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read(out2.join("sub/orders.tsv")).unwrap(),
        o.as_bytes()
    );
    // Keyed policies refuse to run without a key, and the output may not sit inside the input.
    let e = anshu(&[
        "mask",
        input.to_str().unwrap(),
        "-o",
        dir.path().join("x").to_str().unwrap(),
    ]);
    assert_eq!(e.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&e.stderr).contains("--key-file"));
    let e = anshu(&[
        "mask",
        input.to_str().unwrap(),
        "-o",
        input.join("m").to_str().unwrap(),
        "--key-file",
        key.to_str().unwrap(),
    ]);
    assert_eq!(e.status.code(), Some(1));
    // The waybill preset needs no key and gives the regulator's partial masks.
    let wb = dir.path().join("wb");
    let out = anshu(&[
        "mask",
        input.join("users.csv").to_str().unwrap(),
        "-o",
        wb.to_str().unwrap(),
        "--preset",
        "waybill",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let w = encoding_rs::GBK
        .decode(&std::fs::read(wb.join("users.csv")).unwrap())
        .0
        .into_owned();
    assert!(
        w.contains("张*,110101********") && w.contains("138****8000"),
        "{w}"
    );
}

fn anshu_mask_check(id17_or_18: &str) -> String {
    let body = &id17_or_18[..17];
    format!(
        "{body}{}",
        validate::resident_check_char(body.as_bytes()) as char
    )
}

/// A SQLite database masked into another file keeps its schema and keys, and joins.
#[test]
fn sqlite_database_masked_copy() {
    let dir = tempfile::tempdir().unwrap();
    let key = new_key(dir.path());
    let src = dir.path().join("src.db");
    let dst = dir.path().join("dst.db");
    {
        let c = rusqlite::Connection::open(&src).unwrap();
        c.execute_batch(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, phone TEXT UNIQUE, id_card TEXT);
             CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), phone TEXT, note TEXT);",
        )
        .unwrap();
        for i in 0..300u32 {
            let phone = format!("139{:08}", 10_000_000 + i * 7919);
            let id = anshu_mask_check(&format!("11010119{:02}0101{:03}0", 70 + i % 30, i % 1000));
            c.execute(
                "INSERT INTO users VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![
                    i,
                    format!("张{}", ["伟", "芳", "娜", "敏"][i as usize % 4]),
                    phone,
                    id
                ],
            )
            .unwrap();
            c.execute(
                "INSERT INTO orders VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![i, i, phone, format!("请联系{phone}送货")],
            )
            .unwrap();
        }
    }
    let out = anshu(&[
        "mask",
        &format!("sqlite://{}", src.display()),
        "-o",
        &format!("sqlite://{}", dst.display()),
        "--key-file",
        key.to_str().unwrap(),
        "--record",
        dir.path().join("rec.json").to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let c = rusqlite::Connection::open(&dst).unwrap();
    let n: i64 = c
        .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 300);
    let joined: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM users u JOIN orders o ON o.phone = u.phone",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(joined, 300, "masked phones still join");
    let kept: i64 = c
        .query_row("SELECT COUNT(*) FROM users WHERE phone LIKE '13910%' AND phone IN (SELECT phone FROM orders)", [], |r| r.get(0))
        .unwrap();
    assert!(kept < 300);
    c.execute(&format!("ATTACH '{}' AS s", src.display()), [])
        .unwrap();
    let same: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM users u JOIN s.users v ON u.id = v.id AND u.phone = v.phone",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // Row by row: a substituted phone may by chance equal another person's real one.
    assert_eq!(same, 0, "a phone survived verbatim");
    // The phone inside each free-text note was masked span by span.
    let in_note: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM orders o JOIN s.orders v ON o.id = v.id WHERE instr(o.note, v.phone) > 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(in_note, 0, "a phone survived inside a note");
    // The schema came along: the primary key and UNIQUE constraint still hold.
    assert!(c
        .execute("INSERT INTO users (id, name) VALUES (1, 'x')", [])
        .is_err());
}
