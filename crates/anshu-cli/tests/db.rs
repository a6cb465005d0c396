//! Database scanning end to end against the real PostgreSQL and MariaDB on this machine (and
//! SQLite on a temp file). Each test creates its own schema, database or file with generated
//! data, Chinese names and comments included, and drops it afterwards.

mod common;
use common::resident_id;

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use mysql::prelude::Queryable;
use serde_json::Value;

const PG: &str = "host=127.0.0.1 port=5432 user=root dbname=test";
const PG_URL: &str = "postgres://root@127.0.0.1:5432/test";
const MY: &str = "mysql://root@127.0.0.1:3306/test";

fn anshu(catalog: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_anshu"))
        .args(args)
        .env("ANSHU_CATALOG", catalog)
        .env_remove("RUST_BACKTRACE")
        .env_remove("ANSHU_DB_PASSWORD")
        .output()
        .expect("run anshu")
}

fn report(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The types decided for `table.column`.
fn types(r: &Value, table: &str, column: &str) -> Vec<String> {
    let c = r["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["table"] == table && c["column"] == column)
        .unwrap_or_else(|| panic!("no column {table}.{column}"));
    c["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["type"].as_str().unwrap().to_owned())
        .collect()
}

fn file<'a>(r: &'a Value, table: &str) -> &'a Value {
    r["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["table"] == table)
        .unwrap_or_else(|| panic!("no file entry for {table}: {}", r["files"]))
}

fn mobile(i: u64) -> u64 {
    13_000_000_000 + (i % 10) * 100_000_000 + (i * 7919) % 100_000_000
}

fn name(i: u64) -> String {
    let s = ["张", "王", "李", "赵", "陈", "刘", "杨", "黄"];
    let g = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军"];
    format!("{}{}", s[(i % 8) as usize], g[((i / 8) % 10) as usize])
}

/// Rows for the customer table: (name, id, mobile, birth date, quantity, remark).
fn customer_values(from: u64, to: u64) -> Vec<String> {
    (from..to)
        .map(|i| {
            format!(
                "('{}', '{}', {}, '{:04}-{:02}-{:02}', {}, '客户来电 {}，已回访')",
                name(i),
                resident_id(i),
                mobile(i),
                1960 + i % 40,
                1 + i % 12,
                1 + i % 28,
                i % 50,
                mobile(i + 7)
            )
        })
        .collect()
}

fn pg() -> postgres::Client {
    postgres::Client::connect(PG, postgres::NoTls).expect("PostgreSQL on 127.0.0.1:5432")
}

/// Sessions of Anshu's whose last statement touched `schema` (other tests run in parallel).
fn anshu_sessions(c: &mut postgres::Client, schema: &str) -> i64 {
    std::thread::sleep(std::time::Duration::from_millis(300));
    c.query_one(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'anshu' AND query LIKE '%' || $1 || '%'",
        &[&schema],
    )
    .unwrap()
    .get(0)
}

#[test]
fn postgres_end_to_end() {
    let mut c = pg();
    let s = format!("anshu_db_{}", std::process::id());
    let ro = format!("anshu_ro_{}", std::process::id());
    c.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {s} CASCADE; DROP ROLE IF EXISTS {ro};
         CREATE SCHEMA {s};
         CREATE TABLE {s}.\"客户\" (id bigserial PRIMARY KEY, \"姓名\" text, c1 varchar(18), f2 bigint, csrq date,
             qty int, \"备注\" text, photo bytea, amount numeric(10,2));
         COMMENT ON COLUMN {s}.\"客户\".c1 IS '身份证号码';
         COMMENT ON COLUMN {s}.\"客户\".f2 IS '手机号';
         COMMENT ON COLUMN {s}.\"客户\".csrq IS '出生日期';
         COMMENT ON TABLE {s}.\"客户\" IS '客户主表';
         CREATE TABLE {s}.orders (order_no text, build text, total int);
         INSERT INTO {s}.orders SELECT 'DD2024' || lpad(g::text, 12, '0'), '2024.' || g, g FROM generate_series(1, 300) g;
         CREATE TABLE {s}.secret (sfzh text);
         CREATE VIEW {s}.v_contacts AS SELECT \"姓名\", f2 FROM {s}.\"客户\";
         CREATE ROLE {ro} LOGIN;
         GRANT USAGE ON SCHEMA {s} TO {ro};
         GRANT SELECT ON {s}.\"客户\", {s}.orders TO {ro};"
    ))
    .unwrap();
    for chunk in customer_values(0, 3000).chunks(500) {
        c.batch_execute(&format!(
            "INSERT INTO {s}.\"客户\" (\"姓名\", c1, f2, csrq, qty, \"备注\") VALUES {}",
            chunk.join(",")
        ))
        .unwrap();
    }
    c.batch_execute(&format!(
        "INSERT INTO {s}.secret SELECT c1 FROM {s}.\"客户\" LIMIT 50; ANALYZE {s}.\"客户\"; ANALYZE {s}.orders;"
    ))
    .unwrap();
    // PostgreSQL publishes a session's tuple counters lazily (up to ten seconds later); publish
    // them now so that the first scan already sees the counters the second one will.
    c.batch_execute("SELECT pg_stat_force_next_flush()")
        .unwrap();
    c.batch_execute("SELECT 1").unwrap();

    let dir = tempfile::tempdir().unwrap();
    let cat = dir.path().join("catalog.db");
    let include = format!("{s}.*");
    let base = [
        "scan",
        PG_URL,
        "--include",
        &include,
        "--views",
        "--format",
        "json",
    ];
    let out = anshu(&cat, &base);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = report(&out);
    let t = format!("{s}.客户");
    assert_eq!(r["columns"][0]["source"], PG_URL);
    assert_eq!(types(&r, &t, "姓名"), ["person_name"]);
    // Opaque column names, decided by values and the comments.
    assert_eq!(types(&r, &t, "c1"), ["cn_resident_id"]);
    assert_eq!(types(&r, &t, "f2"), ["cn_mobile"]);
    assert_eq!(types(&r, &t, "csrq"), ["birth_date"]);
    assert_eq!(types(&r, &t, "备注"), ["cn_mobile"]);
    assert!(types(&r, &t, "qty").is_empty());
    assert!(types(&r, &t, "photo").is_empty());
    assert!(types(&r, &format!("{s}.orders"), "order_no").is_empty());
    assert!(types(&r, &format!("{s}.orders"), "build").is_empty());
    assert_eq!(types(&r, &format!("{s}.v_contacts"), "f2"), ["cn_mobile"]);
    let c1 = r["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["table"] == t.as_str() && c["column"] == "c1")
        .unwrap();
    assert_eq!(c1["comment"], "身份证号码");
    assert_eq!(c1["data_type"], "character varying(18)");
    assert_eq!(c1["level"], "general-4");
    let f = file(&r, &t);
    assert_eq!(f["status"], "read");
    assert_eq!(f["rows"], 3000);
    assert!(f["rows_read"].as_u64().unwrap() <= 1000);
    assert!(r["warnings"]
        .to_string()
        .contains("photo (bytea) is binary and was not read"));
    let tb = r["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["table"] == t.as_str())
        .unwrap();
    assert_eq!(tb["identifier"], "cn_resident_id");
    let people = tb["people"]["count"].as_u64().unwrap();
    assert!((2700..=3000).contains(&people), "{people}");

    // Unchanged tables are not read again, and the inventory records no change.
    let out = anshu(&cat, &base);
    let r2 = report(&out);
    assert_eq!(file(&r2, &t)["status"], "unchanged");
    assert_eq!(types(&r2, &t, "c1"), ["cn_resident_id"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains(", 0 change(s)"));

    // A changed table is read again; the others are not.
    c.batch_execute(&format!("INSERT INTO {s}.orders VALUES ('DD1', '1.0', 1)"))
        .unwrap();
    let r3 = report(&anshu(&cat, &base));
    assert_eq!(file(&r3, &format!("{s}.orders"))["status"], "read");
    assert_eq!(file(&r3, &t)["status"], "unchanged");
    let mut args = base.to_vec();
    args.push("--rescan");
    let r4 = report(&anshu(&cat, &args));
    assert_eq!(file(&r4, &t)["status"], "read");

    // A user without SELECT on one table: that table is an error, the rest is read.
    let ro_url = format!("postgres://{ro}@127.0.0.1:5432/test");
    let out = anshu(
        &cat,
        &["scan", &ro_url, "--include", &include, "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(2));
    let r5 = report(&out);
    let errors = r5["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["code"], "db_permission_denied");
    assert!(errors[0]["error"].as_str().unwrap().contains("secret"));
    assert_eq!(file(&r5, &t)["status"], "read");

    // A table locked by someone else: the scan waits at most the lock timeout, reports it and
    // goes on. The lock holder's transaction is not disturbed.
    let mut holder = pg();
    let mut tx = holder.transaction().unwrap();
    tx.batch_execute(&format!("LOCK TABLE {s}.orders IN ACCESS EXCLUSIVE MODE"))
        .unwrap();
    let mut args = base.to_vec();
    args.extend(["--rescan", "--lock-timeout", "1", "--no-catalog"]);
    let out = anshu(&cat, &args);
    assert_eq!(out.status.code(), Some(2));
    let r6 = report(&out);
    assert_eq!(r6["errors"][0]["code"], "db_timeout", "{}", r6["errors"]);
    assert_eq!(file(&r6, &t)["status"], "read");
    tx.rollback().unwrap();

    // A table dropped between discovery and reading is reported as missing.
    {
        let target = anshu_db::DbTarget::parse(PG_URL).unwrap();
        let mut conn = anshu_db::connect(&target, &Default::default()).unwrap();
        let f = format!("{s}.orders");
        let tables = conn.tables(false, &|q| q == f).unwrap();
        c.batch_execute(&format!("DROP TABLE {s}.orders")).unwrap();
        let plan = anshu_db::ReadPlan {
            columns: vec![0],
            sample_rows: 10,
            full: false,
            method: Default::default(),
            batch_rows: 10,
            seed: 1,
        };
        let e = conn
            .read(&tables[0], &plan, &Default::default(), &mut |_| {})
            .unwrap_err();
        assert_eq!(e.code(), "db_table_missing", "{e}");
    }

    // Nothing is left behind: no session of ours stays open.
    assert_eq!(anshu_sessions(&mut c, &s), 0);
    c.batch_execute(&format!(
        "DROP SCHEMA {s} CASCADE; DROP OWNED BY {ro}; DROP ROLE {ro};"
    ))
    .unwrap();
}

#[test]
fn postgres_full_read_streams_and_stops_on_interrupt() {
    let mut c = pg();
    let s = format!("anshu_full_{}", std::process::id());
    c.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {s} CASCADE; CREATE SCHEMA {s};
         CREATE TABLE {s}.big AS SELECT g AS id, '1' || lpad((3800000000 + g)::text, 10, '0') AS phone,
             md5(g::text) AS hash FROM generate_series(1, 300000) g;
         ANALYZE {s}.big;"
    ))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cat = dir.path().join("c.db");
    let include = format!("{s}.*");
    // A full read counts every distinct person exactly.
    let out = anshu(
        &cat,
        &[
            "scan",
            PG_URL,
            "--include",
            &include,
            "--full",
            "--batch-rows",
            "5000",
            "--format",
            "json",
            "--no-catalog",
        ],
    );
    let r = report(&out);
    let f = file(&r, &format!("{s}.big"));
    assert_eq!(f["rows_read"], 300_000);
    assert_eq!(types(&r, &format!("{s}.big"), "phone"), ["cn_mobile"]);
    assert_eq!(r["tables"][0]["people"]["count"], 300_000);
    assert_eq!(r["tables"][0]["people"]["exact"], true);

    // Ctrl-C during a full read: exit 130, nothing recorded, no session left open.
    let child = Command::new(env!("CARGO_BIN_EXE_anshu"))
        .args([
            "scan",
            PG_URL,
            "--include",
            &include,
            "--full",
            "--batch-rows",
            "1",
            "--format",
            "json",
        ])
        .env("ANSHU_CATALOG", &cat)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt once the full read is under way (one row per fetch keeps it going for minutes),
    // rather than after a fixed delay that a fast machine outruns.
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(30) {
        let reading: i64 = c
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'anshu' AND query LIKE '%' || $1 || '%big%'",
                &[&s],
            )
            .unwrap()
            .get(0);
        if reading > 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(anshu_sessions(&mut c, &s), 0);
    assert!(
        !cat.exists() || {
            let db = rusqlite::Connection::open(&cat).unwrap();
            db.query_row("SELECT count(*) FROM scans", [], |r| r.get::<_, i64>(0))
                .unwrap_or(0)
                == 0
        }
    );
    c.batch_execute(&format!("DROP SCHEMA {s} CASCADE"))
        .unwrap();
}

fn my(url: &str) -> mysql::Conn {
    mysql::Conn::new(mysql::Opts::from_url(url).unwrap()).expect("MariaDB on 127.0.0.1:3306")
}

#[test]
fn mariadb_end_to_end() {
    let mut c = my(MY);
    let d = format!("anshu_db_{}", std::process::id());
    let user = format!("anshu_ro_{}", std::process::id());
    let pw = "Pw_7zq_Secret";
    for stmt in [
        format!("DROP DATABASE IF EXISTS {d}"),
        format!("DROP USER IF EXISTS '{user}'@'%'"),
        format!("CREATE DATABASE {d} CHARACTER SET utf8mb4"),
        format!(
            "CREATE TABLE {d}.`客户` (id BIGINT AUTO_INCREMENT PRIMARY KEY, `姓名` VARCHAR(20),
                c1 CHAR(18) COMMENT '身份证号', f2 BIGINT COMMENT '手机号码', csrq DATE COMMENT '出生日期',
                qty INT, `备注` TEXT, photo BLOB) COMMENT '客户'"
        ),
        format!("CREATE TABLE {d}.secret (sfzh CHAR(18))"),
        format!("CREATE USER '{user}'@'%' IDENTIFIED BY '{pw}'"),
        format!("GRANT SELECT ON {d}.`客户` TO '{user}'@'%'"),
        format!("GRANT INSERT ON {d}.secret TO '{user}'@'%'"),
    ] {
        c.query_drop(&stmt).unwrap();
    }
    for chunk in customer_values(0, 5000).chunks(500) {
        c.query_drop(format!(
            "INSERT INTO {d}.`客户` (`姓名`, c1, f2, csrq, qty, `备注`) VALUES {}",
            chunk.join(",")
        ))
        .unwrap();
    }
    c.query_drop(format!("ANALYZE TABLE {d}.`客户`")).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let cat = dir.path().join("catalog.db");
    let url = format!("mysql://root@127.0.0.1:3306/{d}");
    let out = anshu(&cat, &["scan", &url, "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = report(&out);
    let t = format!("{d}.客户");
    assert_eq!(types(&r, &t, "姓名"), ["person_name"]);
    assert_eq!(types(&r, &t, "c1"), ["cn_resident_id"]);
    assert_eq!(types(&r, &t, "f2"), ["cn_mobile"]);
    assert_eq!(types(&r, &t, "csrq"), ["birth_date"]);
    assert!(types(&r, &t, "qty").is_empty());
    let f = file(&r, &t);
    // 5,000 rows: the sample came from primary-key ranges, not a scan of the table.
    assert!(
        f["note"].as_str().unwrap().contains("key ranges"),
        "{}",
        f["note"]
    );
    assert_eq!(f["rows"], 5000);
    assert!(r["warnings"].to_string().contains("photo (blob)"));

    let out = anshu(&cat, &["scan", &url, "--format", "json"]);
    assert_eq!(file(&report(&out), &t)["status"], "unchanged");

    // Passwords: from the URL, from ANSHU_DB_PASSWORD; never in any output or the inventory.
    let with_pw = format!("mysql://{user}:{pw}@127.0.0.1:3306/{d}");
    let out = anshu(&cat, &["scan", &with_pw, "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "only `secret` is unreadable");
    let r = report(&out);
    assert_eq!(r["errors"][0]["code"], "db_permission_denied");
    assert_eq!(types(&r, &t, "c1"), ["cn_resident_id"]);
    let no_pw = format!("mysql://{user}@127.0.0.1:3306/{d}");
    let env_out = Command::new(env!("CARGO_BIN_EXE_anshu"))
        .args(["scan", &no_pw, "--format", "json", "--no-catalog"])
        .env("ANSHU_DB_PASSWORD", pw)
        .output()
        .unwrap();
    assert_eq!(types(&report(&env_out), &t, "c1"), ["cn_resident_id"]);
    let bad = format!("mysql://{user}:{pw}X@127.0.0.1:3306/{d}");
    let bad_out = anshu(&cat, &["scan", &bad, "--format", "json"]);
    assert_eq!(bad_out.status.code(), Some(2));
    assert_eq!(report(&bad_out)["errors"][0]["code"], "db_auth_failed");
    let down = anshu(
        &cat,
        &[
            "scan",
            "mysql://root:hunter2@127.0.0.1:1/x",
            "--format",
            "json",
        ],
    );
    assert_eq!(report(&down)["errors"][0]["code"], "db_unreachable");
    let catalog_bytes = std::fs::read(&cat).unwrap();
    for o in [&out, &env_out, &bad_out, &down] {
        for stream in [&o.stdout, &o.stderr] {
            let text = String::from_utf8_lossy(stream);
            assert!(!text.contains(pw), "password leaked: {text}");
            assert!(!text.contains("hunter2"), "password leaked: {text}");
        }
    }
    assert!(!catalog_bytes.windows(pw.len()).any(|w| w == pw.as_bytes()));
    // The failed login did not mark the database's tables removed in the inventory.
    let inv = rusqlite::Connection::open(&cat).unwrap();
    let removed: i64 = inv
        .query_row(
            "SELECT count(*) FROM history WHERE change = 'asset_removed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(removed, 0);

    c.query_drop(format!("DROP DATABASE {d}")).unwrap();
    c.query_drop(format!("DROP USER '{user}'@'%'")).unwrap();
}

#[test]
fn sqlite_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crm.db");
    let db = rusqlite::Connection::open(&path).unwrap();
    db.execute_batch(
        "CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            c1 TEXT, -- 身份证号
            f2 INTEGER, -- 联系电话
            photo BLOB,
            note TEXT
         );",
    )
    .unwrap();
    let mut stmt = db
        .prepare("INSERT INTO people (c1, f2, note) VALUES (?1, ?2, ?3)")
        .unwrap();
    for i in 0..2500u64 {
        stmt.execute(rusqlite::params![
            resident_id(i),
            mobile(i) as i64,
            format!("邮箱 user{i}@example.com")
        ])
        .unwrap();
    }
    drop(stmt);
    drop(db);
    let url = format!("sqlite://{}", path.display());
    let cat = dir.path().join("catalog.db");
    let r = report(&anshu(&cat, &["scan", &url, "--format", "json"]));
    assert_eq!(types(&r, "main.people", "c1"), ["cn_resident_id"]);
    assert_eq!(types(&r, "main.people", "f2"), ["cn_mobile"]);
    assert_eq!(types(&r, "main.people", "note"), ["email"]);
    let f = file(&r, "main.people");
    assert!(f["note"].as_str().unwrap().contains("rowid ranges"));
    assert_eq!(f["rows"], 2500);
    let c1 = &r["columns"][1];
    assert_eq!(c1["comment"], "身份证号");
    let r = report(&anshu(&cat, &["scan", &url, "--format", "json"]));
    assert_eq!(file(&r, "main.people")["status"], "unchanged");
    // The file was opened read-only: nothing was written to it.
    assert!(!dir.path().join("crm.db-journal").exists());
    assert!(!dir.path().join("crm.db-wal").exists());

    let missing = anshu(
        &cat,
        &["scan", "sqlite:///nonexistent/x.db", "--format", "json"],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(report(&missing)["errors"][0]["code"], "db_unreachable");
}

/// The tables of ../shared/samples, loaded into a PostgreSQL schema and a MariaDB database as
/// text columns, score the same column F1 as the files.
#[test]
fn shared_samples_in_databases_score_like_files() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/samples");
    if !samples.join("truth.json").exists() {
        eprintln!("../shared/samples not present; skipped");
        return;
    }
    let tables = load_sample_tables(&samples.join("tables"));
    assert!(tables.len() >= 10);
    let id = std::process::id();

    let s = format!("anshu_samples_{id}");
    let mut c = pg();
    c.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {s} CASCADE; CREATE SCHEMA {s};"
    ))
    .unwrap();
    for (name, cols, rows) in &tables {
        let q = |x: &str| format!("\"{}\"", x.replace('"', "\"\""));
        let defs: Vec<String> = cols.iter().map(|c| format!("{} text", q(c))).collect();
        c.batch_execute(&format!(
            "CREATE TABLE {s}.{} ({})",
            q(name),
            defs.join(", ")
        ))
        .unwrap();
        let mut w = c
            .copy_in(&format!("COPY {s}.{} FROM STDIN", q(name)))
            .unwrap();
        for r in rows {
            let line: Vec<String> = r
                .iter()
                .map(|v| match v {
                    None => "\\N".to_owned(),
                    Some(v) => v
                        .replace('\\', "\\\\")
                        .replace('\t', "\\t")
                        .replace('\n', "\\n")
                        .replace('\r', "\\r"),
                })
                .collect();
            writeln!(w, "{}", line.join("\t")).unwrap();
        }
        w.finish().unwrap();
    }
    c.batch_execute("ANALYZE").unwrap();

    let d = format!("anshu_samples_{id}");
    let mut m = my(MY);
    m.query_drop(format!("DROP DATABASE IF EXISTS {d}"))
        .unwrap();
    m.query_drop(format!("CREATE DATABASE {d} CHARACTER SET utf8mb4"))
        .unwrap();
    for (name, cols, rows) in &tables {
        let q = |x: &str| format!("`{}`", x.replace('`', "``"));
        let defs: Vec<String> = cols.iter().map(|c| format!("{} TEXT", q(c))).collect();
        m.query_drop(format!(
            "CREATE TABLE {d}.{} ({})",
            q(name),
            defs.join(", ")
        ))
        .unwrap();
        let placeholders = vec!["?"; cols.len()].join(", ");
        let sql = format!("INSERT INTO {d}.{} VALUES ({placeholders})", q(name));
        m.exec_batch(
            &sql,
            rows.iter().map(|r| {
                r.iter()
                    .map(|v| match v {
                        Some(s) => mysql::Value::from(s.as_str()),
                        None => mysql::Value::NULL,
                    })
                    .collect::<Vec<_>>()
            }),
        )
        .unwrap();
    }

    let dir = tempfile::tempdir().unwrap();
    let cat = dir.path().join("c.db");
    let include = format!("{s}.*");
    let my_url = format!("mysql://root@127.0.0.1:3306/{d}");
    for (label, args) in [
        (
            "postgres",
            vec![
                "scan",
                PG_URL,
                "--include",
                &include,
                "--format",
                "json",
                "--show-values",
            ],
        ),
        (
            "mariadb",
            vec!["scan", &my_url, "--format", "json", "--show-values"],
        ),
    ] {
        let out = anshu(&cat, &args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{label}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rep = dir.path().join(format!("{label}.json"));
        std::fs::write(&rep, &out.stdout).unwrap();
        let score = Command::new("python3")
            .arg(samples.join("../tools/score.py"))
            .arg(samples.join("truth.json"))
            .arg(&rep)
            .args(["--db", "--min-f1", "0.98"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&score.stdout);
        eprintln!("{label}: {}", text.lines().last().unwrap_or(""));
        assert!(score.status.success(), "{label}: {text}");
    }
    c.batch_execute(&format!("DROP SCHEMA {s} CASCADE"))
        .unwrap();
    m.query_drop(format!("DROP DATABASE {d}")).unwrap();
}

/// (table name, columns, rows) for every CSV/TSV/JSONL sample, read by Anshu's own readers.
type SampleTable = (String, Vec<String>, Vec<Vec<Option<String>>>);

fn load_sample_tables(dir: &Path) -> Vec<SampleTable> {
    #[derive(Default)]
    struct Collect {
        cols: Vec<String>,
        rows: Vec<Vec<Option<String>>>,
    }
    impl anshu_source::Sink for Collect {
        fn begin_table(&mut self, _: &str) {}
        fn column(&mut self, i: usize, name: &str) {
            if self.cols.len() <= i {
                self.cols.resize(i + 1, String::new());
            }
            self.cols[i] = name.to_owned();
        }
        fn row(&mut self, cells: &[(usize, &str)]) {
            let mut r = vec![None; self.cols.len()];
            for (i, v) in cells {
                if *i < r.len() {
                    r[*i] = Some((*v).to_owned());
                }
            }
            self.rows.push(r);
        }
        fn end_table(&mut self) {}
        fn text(&mut self, _: &str, _: u64, _: u64) {}
        fn warning(&mut self, _: String) {}
    }
    let mut out = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for p in names {
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !["csv", "tsv", "jsonl"].contains(&ext) {
            continue;
        }
        let mut sink = Collect::default();
        anshu_source::read_path(&p, &Default::default(), &mut sink).unwrap();
        let width = sink.cols.len();
        for r in &mut sink.rows {
            r.resize(width, None);
        }
        // Columns without a header get the reader's positional name.
        for (i, c) in sink.cols.iter_mut().enumerate() {
            if c.is_empty() {
                *c = format!("column_{}", i + 1);
            }
        }
        let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
        out.push((stem, sink.cols, sink.rows));
    }
    out
}
