//! End-to-end tests of the `anshu` binary: real files in a temporary directory, real process,
//! real exit codes and output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anshu_testkit::with_resident_check;
use serde_json::Value;

fn anshu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_anshu"))
        .args(args)
        // Keep test scans out of the user's own inventory.
        .env(
            "ANSHU_CATALOG",
            std::env::temp_dir().join(format!("anshu-cli-test-{}.db", std::process::id())),
        )
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run anshu")
}

/// A small tree with good files, a truncated gzip, a corrupt workbook and a binary file.
fn fixture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("data");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    let mut csv = String::from("姓名,手机号,证件号码,订单号\n");
    for i in 0..40u32 {
        let id = with_resident_check(&format!(
            "11010519{:02}0{}1{:04}",
            60 + i % 30,
            1 + i % 9,
            100 + i
        ));
        csv.push_str(&format!(
            "张{},1380013{:04},{id},2024{:014}\n",
            ["三", "伟", "芳", "娜"][i as usize % 4],
            i,
            i
        ));
    }
    std::fs::write(root.join("customers.csv"), csv).unwrap();
    std::fs::write(
        root.join("sub/app.log"),
        "2025-01-01 INFO user=alice@example.com ip=10.1.2.3\n2025-01-02 WARN 客户李四来电，手机13912345678\n",
    )
    .unwrap();
    std::fs::write(root.join("broken.xlsx"), b"not a workbook").unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, "a,b\n1,2\n".repeat(5000).as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    std::fs::write(root.join("cut.csv.gz"), &gz[..gz.len() / 3]).unwrap();
    std::fs::write(root.join("logo.png"), b"\x89PNG\r\n\x1a\n\0\0").unwrap();
    (dir, root)
}

fn json_report(args: &[&str]) -> (Output, Value) {
    let out = anshu(args);
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (out, v)
}

/// A scan of `path` with `-j threads` and `args` that must succeed, as a JSON report.
fn scan_on_threads(path: &Path, threads: &str, args: &[&str]) -> Value {
    let mut all = vec![
        "scan",
        path.to_str().unwrap(),
        "--format",
        "json",
        "--no-catalog",
    ];
    all.extend_from_slice(&["-j", threads]);
    all.extend_from_slice(args);
    let (out, r) = json_report(&all);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    r
}

fn types_of(report: &Value, column: &str) -> Vec<String> {
    report["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == column)
        .map(|c| {
            c["types"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["type"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn scan_reports_columns_spans_and_errors_and_goes_on() {
    let (_d, root) = fixture();
    let (out, r) = json_report(&["scan", root.to_str().unwrap(), "--format", "json"]);
    // Some files failed, so the exit code is 2, and each failure is named on stderr.
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.xlsx"), "{stderr}");
    assert!(stderr.contains("cut.csv.gz"), "{stderr}");

    assert_eq!(types_of(&r, "姓名"), ["person_name"]);
    assert_eq!(types_of(&r, "手机号"), ["cn_mobile"]);
    assert_eq!(types_of(&r, "证件号码"), ["cn_resident_id"]);
    assert!(types_of(&r, "订单号").is_empty());

    let spans: Vec<(&str, &str)> = r["text_findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["type"].as_str().unwrap(), f["text"].as_str().unwrap()))
        .collect();
    assert!(spans.contains(&("cn_mobile", "139****5678")), "{spans:?}");
    assert!(spans.iter().any(|(t, _)| *t == "email"));
    assert!(spans.iter().any(|(t, _)| *t == "person_name"));
    // Masked by default: no raw value anywhere in the report.
    let raw = serde_json::to_string(&r).unwrap();
    assert!(!raw.contains("13912345678") && !raw.contains("alice@example.com"));

    let errors: Vec<(String, String)> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["source"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        errors
            .iter()
            .any(|(s, c)| s.ends_with("broken.xlsx") && c == "malformed"),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|(s, _)| s.ends_with("cut.csv.gz")),
        "{errors:?}"
    );
    let skipped = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["source"].as_str().unwrap().ends_with("logo.png"))
        .unwrap();
    assert_eq!(skipped["status"], "skipped");
    assert_eq!(r["summary"]["files_failed"], 2);
}

#[test]
fn show_values_and_line_offsets() {
    let (_d, root) = fixture();
    let log = root.join("sub/app.log");
    let (out, r) = json_report(&[
        "scan",
        log.to_str().unwrap(),
        "--format",
        "json",
        "--show-values",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let f = r["text_findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["type"] == "cn_mobile")
        .unwrap()
        .clone();
    assert_eq!(f["text"], "13912345678");
    assert_eq!(f["line"], 2);
    let text = std::fs::read_to_string(&log).unwrap();
    let off = f["offset"].as_u64().unwrap() as usize;
    assert_eq!(&text[off..off + 11], "13912345678");
}

#[test]
fn output_formats() {
    let (_d, root) = fixture();
    let dir = root.parent().unwrap();
    let html = dir.join("r.html");
    let out = anshu(&[
        "scan",
        root.to_str().unwrap(),
        "--format",
        "html",
        "-o",
        html.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stderr.is_empty(),
        "--quiet: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.starts_with("<!doctype html>")
            && page.contains("<svg")
            && page.contains("cn_resident_id")
    );
    assert!(!page.contains("<script src") && !page.contains("<link"));

    let out = anshu(&["scan", root.to_str().unwrap(), "--format", "jsonl", "-q"]);
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines
        .iter()
        .any(|l| l["kind"] == "column" && l["column"] == "手机号"));
    assert!(lines.iter().any(|l| l["kind"] == "error"));
    assert_eq!(lines.last().unwrap()["kind"], "summary");

    let out = anshu(&["scan", root.to_str().unwrap(), "--color", "never"]);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("cn_resident_id") && table.contains("Errors") && !table.contains('\x1b')
    );
}

#[test]
fn usage_errors_exit_1() {
    assert_eq!(anshu(&["scan"]).status.code(), Some(1));
    assert_eq!(
        anshu(&["scan", ".", "--format", "xml"]).status.code(),
        Some(1)
    );
    assert_eq!(
        anshu(&["scan", ".", "--delimiter", "ab"]).status.code(),
        Some(1)
    );
    assert_eq!(
        anshu(&["scan", ".", "--encoding", "klingon"]).status.code(),
        Some(1)
    );
    assert_eq!(anshu(&["--version"]).status.code(), Some(0));
}

#[test]
fn user_rules_add_types_and_allow_lists() {
    let (_d, root) = fixture();
    let rules = root.parent().unwrap().join("rules.toml");
    std::fs::write(
        &rules,
        "[[type]]\nid = \"employee_no\"\nname = \"工号\"\npattern = 'EMP-\\d{6}'\nhints = [\"工号\"]\n\n[allow]\nvalues = [\"13912345678\"]\n",
    )
    .unwrap();
    let log = root.join("sub/app.log");
    std::fs::write(&log, "工号 EMP-123456 手机13912345678 备用13812345678\n").unwrap();
    let (_, r) = json_report(&[
        "scan",
        log.to_str().unwrap(),
        "--format",
        "json",
        "--show-values",
        "--rules",
        rules.to_str().unwrap(),
    ]);
    let got: Vec<(&str, &str)> = r["text_findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["type"].as_str().unwrap(), f["text"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [("employee_no", "EMP-123456"), ("cn_mobile", "13812345678")]
    );

    // A bad rule file names the line and stops before scanning.
    std::fs::write(
        &rules,
        "[[type]]\nid = \"x\"\npattern = 'a'\nvalidator = \"nope\"\n",
    )
    .unwrap();
    let out = anshu(&[
        "scan",
        log.to_str().unwrap(),
        "--rules",
        rules.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("rules.toml:4:") && err.contains("unknown validator"),
        "{err}"
    );
    let out = anshu(&["rules", "check", rules.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn include_exclude_and_ignore_files() {
    let (_d, root) = fixture();
    std::fs::write(root.join(".anshuignore"), "*.xlsx\n*.gz\n").unwrap();
    let (out, r) = json_report(&[
        "scan",
        root.to_str().unwrap(),
        "--format",
        "json",
        "--exclude",
        "*.png",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files: Vec<&str> = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["source"].as_str().unwrap())
        .collect();
    assert!(
        files
            .iter()
            .all(|f| !f.ends_with(".xlsx") && !f.ends_with(".png")),
        "{files:?}"
    );
    let (_, r) = json_report(&[
        "scan",
        root.to_str().unwrap(),
        "--format",
        "json",
        "--include",
        "*.log",
    ]);
    assert_eq!(r["files"].as_array().unwrap().len(), 1);
}

/// Scans the labelled set `set` (with its `truth.json`) into the JSON report `report` and scores
/// it with `score_py`, which must find column F1 ≥ `min_columns` and span F1 ≥ `min_docs`.
fn scan_and_score(set: &Path, score_py: &Path, report: &Path, min_columns: &str, min_docs: &str) {
    let out = anshu(&[
        "scan",
        set.to_str().unwrap(),
        "--format",
        "json",
        "--show-values",
        "-q",
        "-o",
        report.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let score = Command::new("python3")
        .arg(score_py)
        .arg(set.join("truth.json"))
        .arg(report)
        .args(["--min-f1", min_columns, "--docs-min-f1", min_docs])
        .output()
        .expect("python3");
    let text = String::from_utf8_lossy(&score.stdout);
    assert!(score.status.success(), "{text}");
    eprintln!("{}", text.lines().last().unwrap_or(""));
}

/// A held-out set made by the project's own generator (`eval/gen_heldout.py`, written from the
/// type spec and sharing no code with the scanner), with the harder cases the samples lack:
/// GBK files, misleading headers, mixed columns, names in lists. Scored with the samples'
/// scorer; skipped (with a note) where ../shared is absent.
#[test]
fn heldout_set_meets_the_bar() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let score_py = root.join("../shared/tools/score.py");
    if !score_py.exists() {
        eprintln!(
            "note: {} not found; held-out scoring skipped",
            score_py.display()
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("heldout");
    let made = Command::new("python3")
        .arg(root.join("eval/gen_heldout.py"))
        .args(["--seed", "7", "--no-faker", "--out"])
        .arg(&set)
        .output()
        .expect("python3");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    scan_and_score(&set, &score_py, &dir.path().join("r.json"), "0.98", "0.95");
}

/// The labelled sample beside the project, scored with its own scorer: column F1 ≥ 0.98 and
/// span F1 ≥ 0.97. Skipped (with a note) where ../shared is absent.
#[test]
fn shared_samples_meet_the_bar() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    let samples = root.join("samples");
    if !samples.join("truth.json").exists() {
        eprintln!(
            "note: {} not found; sample scoring skipped",
            samples.display()
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.json");
    scan_and_score(
        &samples,
        &root.join("tools/score.py"),
        &report,
        "0.98",
        "0.97",
    );

    // Grading bar: every column whose truth holds a resident ID or a bank card is sensitive
    // personal information at general level 4 or above; columns with no findings are ≤ 2.
    let truth: Value =
        serde_json::from_str(&std::fs::read_to_string(samples.join("truth.json")).unwrap())
            .unwrap();
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let mut checked = 0;
    for c in r["columns"].as_array().unwrap() {
        let file = c["source"].as_str().unwrap().rsplit('/').next().unwrap();
        let Some(want) = truth["tables"][file]["columns"][c["column"].as_str().unwrap()].as_array()
        else {
            continue;
        };
        let want: Vec<&str> = want.iter().filter_map(Value::as_str).collect();
        let level = c["level"].as_str().unwrap();
        if want.contains(&"cn_resident_id") || want.contains(&"bank_card") {
            assert_eq!(c["sensitive"], true, "{c}");
            assert!(matches!(level, "general-4" | "important" | "core"), "{c}");
            checked += 1;
        }
        if want.is_empty() {
            assert!(matches!(level, "general-1" | "general-2"), "{c}");
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked}");
}

/// A log of several text chunks is scanned in parallel chunk by chunk; the report must be the
/// one a single thread gives, with lines and offsets that point at the values.
#[test]
fn a_large_log_scans_the_same_on_one_thread_and_many() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("big.log");
    let mut text = String::with_capacity(11 << 20);
    let mut i = 0u64;
    // Over two 4 MB chunks, so that three workers each get one.
    while text.len() < 10 << 20 {
        if i % 50 == 7 {
            text.push_str(&format!(
                "2025-03-01 12:00:{:02} WARN 客户来电，手机139{:08}，邮箱u{i}@example.com\n",
                i % 60,
                (i * 7919) % 100_000_000
            ));
        } else {
            text.push_str(&format!(
                "2025-03-01 12:00:{:02} INFO GET /api/v1/items?page={i} status=200 bytes={}\n",
                i % 60,
                i * 31 % 9973
            ));
        }
        i += 1;
    }
    std::fs::write(&log, &text).unwrap();
    let run = |threads: &str| {
        let r = scan_on_threads(
            &log,
            threads,
            &["--show-values", "--max-findings-per-file", "100000"],
        );
        r["text_findings"].as_array().unwrap().clone()
    };
    let one = run("1");
    let many = run("3");
    let lines = text.lines().filter(|l| l.contains("WARN")).count();
    assert_eq!(
        one.len(),
        2 * lines,
        "a mobile and an e-mail on every WARN line"
    );
    assert_eq!(one, many);
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(k, _)| k + 1))
        .collect();
    for f in &one {
        let off = f["offset"].as_u64().unwrap() as usize;
        let value = f["text"].as_str().unwrap();
        assert_eq!(&text[off..off + value.len()], value);
        let line = f["line"].as_u64().unwrap() as usize;
        assert!(starts[line - 1] <= off && off < starts[line], "{f}");
    }
}

/// `--full` observes a table's cells in parallel runs merged in order: the columns, their types,
/// ratios, confidences and examples must be the ones a single thread finds.
#[test]
fn a_full_table_scan_is_the_same_on_one_thread_and_many() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("people.csv");
    let mut text = String::from("编号,姓名,手机,证件,邮箱,备注\n");
    // More cells than one batch (65,536), so that batches and runs within them both split.
    for i in 0..12_000u32 {
        let id = with_resident_check(&format!(
            "3301061{:03}{:02}{:02}{:03}",
            950 + i % 50,
            1 + i % 12,
            1 + i % 28,
            i % 1000
        ));
        let memo = match i % 7 {
            0 => format!("备用电话139{:08}", i * 13),
            3 => format!("寄到杭州市西湖区文三路{}号", i % 500),
            _ => "无".to_owned(),
        };
        text.push_str(&format!(
            "{i},{}{},138{:08},{id},user{i}@example.com,{memo}\n",
            ["王", "李", "张", "刘"][i as usize % 4],
            ["伟", "芳", "娜", "敏", "静"][i as usize % 5],
            i * 7
        ));
    }
    std::fs::write(&csv, &text).unwrap();
    let run = |threads: &str| {
        let mut r = scan_on_threads(&csv, threads, &["--full", "--show-values"]);
        r["columns"].take()
    };
    let one = run("1");
    let many = run("3");
    assert_eq!(one, many);
    let types = |c: &str| types_of(&serde_json::json!({ "columns": one.clone() }), c);
    assert_eq!(types("手机"), ["cn_mobile"]);
    assert_eq!(types("证件"), ["cn_resident_id"]);
    assert_eq!(types("邮箱"), ["email"]);
    assert!(types("备注").contains(&"cn_mobile".to_owned()), "{one}");
}
