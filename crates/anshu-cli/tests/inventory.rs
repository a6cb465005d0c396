//! The inventory end to end: re-scans write only what changed, reviews survive re-scans,
//! exports are written, and the same works with a PostgreSQL catalog.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn anshu(catalog: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_anshu"))
        .args(args)
        .env("ANSHU_CATALOG", catalog)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run anshu")
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn tree(root: &Path, files: usize) {
    std::fs::create_dir_all(root).unwrap();
    for i in 0..files {
        let mut s = String::from("id,name,amount\n");
        for r in 0..20 {
            s.push_str(&format!("{r},item{i}-{r},{}.5\n", r * 3));
        }
        std::fs::write(root.join(format!("f{i:03}.csv")), s).unwrap();
    }
}

fn scan(catalog: &str, root: &Path) {
    let out = anshu(
        catalog,
        &[
            "scan",
            root.to_str().unwrap(),
            "--format",
            "json",
            "-o",
            "/dev/null",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn changes(catalog: &str) -> Vec<Value> {
    json(&anshu(catalog, &["inventory", "diff", "--format", "json"]))
        .as_array()
        .unwrap()
        .clone()
}

fn rescan_writes_only_changes(catalog: &str, root: &Path) {
    tree(root, 100);
    scan(catalog, root);
    let first = changes(catalog);
    // 100 assets and 300 columns were added.
    assert_eq!(
        first
            .iter()
            .filter(|c| c["change"] == "asset_added")
            .count(),
        100
    );
    assert_eq!(
        first
            .iter()
            .filter(|c| c["change"] == "column_added")
            .count(),
        300
    );

    // Unchanged tree: no history at all.
    scan(catalog, root);
    assert!(changes(catalog).is_empty(), "{:?}", changes(catalog));

    // One file gains a column of mobile numbers: exactly that file's changes.
    let mut s = String::from("id,name,amount,手机\n");
    for r in 0..20 {
        s.push_str(&format!("{r},item7-{r},{}.5,1380013{r:04}\n", r * 3));
    }
    std::fs::write(root.join("f007.csv"), s).unwrap();
    scan(catalog, root);
    let c = changes(catalog);
    let kinds: Vec<(&str, &str)> = c
        .iter()
        .map(|x| {
            (
                x["change"].as_str().unwrap(),
                x["column"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let asset_changes: Vec<&Value> = c
        .iter()
        .filter(|x| !x["asset"].as_str().unwrap().is_empty())
        .collect();
    assert!(
        asset_changes
            .iter()
            .all(|x| x["asset"].as_str().unwrap().contains("f007.csv")),
        "{kinds:?}"
    );
    assert!(kinds.contains(&("column_added", "手机")), "{kinds:?}");
    assert!(kinds.contains(&("level_up", "")), "{kinds:?}");
    // The source now holds people (by mobile number): one source-level change.
    assert!(kinds.contains(&("people_changed", "")), "{kinds:?}");
    assert_eq!(kinds.len(), 3, "{kinds:?}");

    // Removing a file marks it removed.
    std::fs::remove_file(root.join("f099.csv")).unwrap();
    scan(catalog, root);
    let c = changes(catalog);
    assert_eq!(c.len(), 1, "{c:?}");
    assert_eq!(c[0]["change"], "asset_removed");
}

#[test]
fn sqlite_catalog_records_only_changes() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("cat.db");
    rescan_writes_only_changes(catalog.to_str().unwrap(), &dir.path().join("tree"));
}

#[test]
fn postgres_catalog_records_only_changes() {
    let schema = format!("anshu_test_{}", std::process::id());
    let base = "postgres://root@127.0.0.1:5432/test";
    let mut client = match postgres::Client::connect(base, postgres::NoTls) {
        Ok(c) => c,
        Err(e) => {
            panic!("PostgreSQL must run on 127.0.0.1:5432 (scripts/services.sh starts it): {e}")
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let catalog = format!("{base}?schema={schema}");
    let result =
        std::panic::catch_unwind(|| rescan_writes_only_changes(&catalog, &dir.path().join("tree")));
    client
        .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .unwrap();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

#[test]
fn reviews_survive_rescans_and_exports_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let cat = dir.path().join("cat.db");
    let cat = cat.to_str().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let mut s = String::from("姓名,手机号,备注\n");
    for r in 0..30 {
        s.push_str(&format!(
            "张{},1390013{r:04},测试\n",
            ["伟", "芳", "敏"][r % 3]
        ));
    }
    let file = data.join("people.csv");
    std::fs::write(&file, s).unwrap();
    // A pack that makes 10 people important data, to exercise the catalogue export.
    let pack = dir.path().join("pack.toml");
    std::fs::write(
        &pack,
        "[pack]\nid = \"tiny\"\nextends = \"gbt43697\"\n\n[[threshold]]\nid = \"tiny-personal\"\nscope = \"personal\"\nmin_people = 10\nlevel = \"important\"\nreason = \"test threshold\"\n",
    )
    .unwrap();
    let out = anshu(
        cat,
        &[
            "scan",
            data.to_str().unwrap(),
            "--pack-file",
            pack.to_str().unwrap(),
            "--format",
            "json",
            "-o",
            "/dev/null",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = anshu(
        cat,
        &[
            "inventory",
            "review",
            file.to_str().unwrap(),
            "--column",
            "手机号",
            "--level",
            "general-4",
            "--reason",
            "客户联系方式按敏感处理",
            "--reviewer",
            "dso",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Without a decision, review is refused.
    let out = anshu(
        cat,
        &[
            "inventory",
            "review",
            file.to_str().unwrap(),
            "--column",
            "手机号",
            "--reason",
            "x",
        ],
    );
    assert_eq!(out.status.code(), Some(1));

    let out = anshu(
        cat,
        &[
            "scan",
            data.to_str().unwrap(),
            "--pack-file",
            pack.to_str().unwrap(),
            "--format",
            "json",
            "-o",
            "/dev/null",
        ],
    );
    assert!(out.status.success());
    let cols = json(&anshu(
        cat,
        &["inventory", "list", "--columns", "--format", "json"],
    ));
    let mobile = cols
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "手机号")
        .unwrap();
    assert_eq!(mobile["overridden"], true);
    assert_eq!(mobile["level"], "general-4");
    assert_eq!(mobile["detected_level"], "general-3");
    assert_eq!(mobile["reviewed_by"], "dso");

    let sources = json(&anshu(
        cat,
        &["inventory", "list", "--sources", "--format", "json"],
    ));
    assert_eq!(sources[0]["important"], true, "{sources}");

    for (kind, format) in [
        ("inventory", "csv"),
        ("inventory", "xlsx"),
        ("important", "json"),
        ("important", "xlsx"),
        ("summary", "csv"),
    ] {
        let f = dir.path().join(format!("{kind}.{format}"));
        let out = anshu(
            cat,
            &[
                "inventory",
                "export",
                "--kind",
                kind,
                "--format",
                format,
                "-o",
                f.to_str().unwrap(),
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(std::fs::metadata(&f).unwrap().len() > 0);
    }
    let imp: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("important.json")).unwrap())
            .unwrap();
    let row = &imp["rows"][0];
    assert_eq!(row["数据级别"], "重要数据");
    assert_eq!(row["涉及自然人数量"], "30");
    assert_eq!(row["数据处理目的（待填写）"], "");
    let csv = std::fs::read_to_string(dir.path().join("inventory.csv")).unwrap();
    assert!(
        csv.starts_with('\u{FEFF}') && csv.contains("人工复核"),
        "{csv}"
    );
    // The inventory export is readable back as a workbook by our own reader.
    let show = anshu(cat, &["inventory", "show", "people.csv"]);
    let text = String::from_utf8_lossy(&show.stdout);
    assert!(text.contains("override by dso"), "{text}");
}
