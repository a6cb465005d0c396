//! `anshu mask URL -o URL` end to end against the real PostgreSQL and MariaDB on this machine:
//! a masked copy into another schema (database) keeps row counts, keys and constraints, joins on
//! masked keys, valid masked identifiers, and no input value survives in its row.

mod common;
use common::resident_id;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anshu_detect::{validate, Date};
use mysql::prelude::Queryable;

const PG: &str = "host=127.0.0.1 port=5432 user=root dbname=test";
const PG_URL: &str = "postgres://root@127.0.0.1:5432/test";
const MY_SERVER: &str = "mysql://root@127.0.0.1:3306";

const PEOPLE: u32 = 400;

fn anshu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_anshu"))
        .args(args)
        .env_remove("ANSHU_CATALOG")
        .env_remove("ANSHU_DB_PASSWORD")
        .output()
        .expect("run anshu")
}

fn new_key(dir: &Path) -> PathBuf {
    let key = dir.join("k.key");
    let out = anshu(&["key", "new", "-o", key.to_str().unwrap()]);
    assert!(out.status.success());
    key
}

struct Person {
    id: u32,
    name: String,
    phone: String,
    id_card: String,
    birth: String,
}

fn people() -> Vec<Person> {
    let surnames = ["张", "王", "李", "赵", "陈", "刘"];
    let given = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋"];
    (1..=PEOPLE)
        .map(|i| Person {
            id: i,
            name: format!(
                "{}{}",
                surnames[(i % 6) as usize],
                given[(i / 6 % 8) as usize]
            ),
            phone: format!("139{:08}", 10_000_000 + i * 7919),
            id_card: resident_id(u64::from(i)),
            birth: format!("{:04}-{:02}-{:02}", 1960 + i % 40, 1 + i % 12, 1 + i % 28),
        })
        .collect()
}

/// What the masked copy must show, checked the same way for both engines. `rows` maps
/// table → rows of (column → text) read from the copy; `src` the same for the input.
fn check_copy(
    src: &HashMap<&str, Vec<HashMap<String, String>>>,
    dst: &HashMap<&str, Vec<HashMap<String, String>>>,
) {
    let today = Date::new(2026, 11, 23);
    for table in ["users", "orders"] {
        assert_eq!(src[table].len(), dst[table].len(), "{table}: row counts");
    }
    let by_id = |rows: &Vec<HashMap<String, String>>| -> HashMap<String, HashMap<String, String>> {
        rows.iter().map(|r| (r["id"].clone(), r.clone())).collect()
    };
    let (su, du) = (by_id(&src["users"]), by_id(&dst["users"]));
    let (so, dor) = (by_id(&src["orders"]), by_id(&dst["orders"]));
    for (id, a) in &su {
        let b = &du[id];
        // Keys that are not personal data are kept, so the rows still line up.
        for col in ["phone", "id_card", "name", "birth"] {
            assert_ne!(a[col], b[col], "users {id}.{col} kept verbatim");
        }
        assert!(validate::mobile(&b["phone"]), "masked phone {}", b["phone"]);
        assert!(
            validate::resident_id(&b["id_card"], today).is_some(),
            "masked ID {}",
            b["id_card"]
        );
        assert!(b["birth"].starts_with(['1', '2']) && b["birth"].len() == 10);
    }
    // Joins on the masked phone still pair the same rows.
    let phone_owner: HashMap<&str, &str> = du
        .iter()
        .map(|(id, r)| (r["phone"].as_str(), id.as_str()))
        .collect();
    for (id, o) in &dor {
        assert_eq!(
            phone_owner.get(o["phone"].as_str()).copied(),
            Some(o["user_id"].as_str()),
            "order {id}: masked phone no longer joins its user"
        );
        let orig = &so[id];
        assert!(
            !o["note"].contains(&orig["phone"]),
            "order {id}: the phone in the note survived: {}",
            o["note"]
        );
        assert_eq!(o["total"], orig["total"]);
    }
}

fn run_mask(args: &[&str], key: &Path, dir: &Path) -> serde_json::Value {
    let record = dir.join("rec.json");
    let mut all: Vec<&str> = vec!["mask"];
    all.extend_from_slice(args);
    all.extend_from_slice(&[
        "--key-file",
        key.to_str().unwrap(),
        "--record",
        record.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let out = anshu(&all);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let secret = std::fs::read_to_string(key).unwrap();
    let secret = secret
        .lines()
        .find(|l| l.starts_with("secret"))
        .and_then(|l| l.split('"').nth(1))
        .unwrap()
        .to_owned();
    assert!(!stdout.contains(&secret) && !stderr.contains(&secret));
    assert!(!std::fs::read_to_string(&record).unwrap().contains(&secret));
    serde_json::from_str(&stdout).unwrap()
}

fn pg() -> postgres::Client {
    postgres::Client::connect(PG, postgres::NoTls).expect("PostgreSQL on 127.0.0.1:5432")
}

fn pg_table(c: &mut postgres::Client, sql: &str) -> Vec<HashMap<String, String>> {
    c.query(sql, &[])
        .unwrap()
        .iter()
        .map(|r| {
            r.columns()
                .iter()
                .enumerate()
                .map(|(i, col)| {
                    let v: Option<String> = r.get(i);
                    (col.name().to_owned(), v.unwrap_or_default())
                })
                .collect()
        })
        .collect()
}

#[test]
fn postgres_masked_copy_into_another_schema() {
    let mut c = pg();
    let (s, d) = (
        format!("anshu_msrc_{}", std::process::id()),
        format!("anshu_mdst_{}", std::process::id()),
    );
    c.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {s} CASCADE; DROP SCHEMA IF EXISTS {d} CASCADE; CREATE SCHEMA {s};
         CREATE TABLE {s}.users (id int PRIMARY KEY, name text NOT NULL, phone varchar(11) UNIQUE,
             id_card char(18) NOT NULL, birth date, CHECK (length(phone) = 11));
         CREATE TABLE {s}.orders (id int PRIMARY KEY, user_id int NOT NULL REFERENCES {s}.users(id),
             phone varchar(11), note text, total numeric(10,2));
         CREATE INDEX orders_user ON {s}.orders (user_id);"
    ))
    .unwrap();
    let ps = people();
    let users: Vec<String> = ps
        .iter()
        .map(|p| {
            format!(
                "({}, '{}', '{}', '{}', '{}')",
                p.id, p.name, p.phone, p.id_card, p.birth
            )
        })
        .collect();
    let orders: Vec<String> = ps
        .iter()
        .map(|p| {
            format!(
                "({}, {}, '{}', '请联系{}送货，地址见单', {}.{:02})",
                p.id,
                p.id,
                p.phone,
                p.phone,
                p.id * 3,
                p.id % 100
            )
        })
        .collect();
    c.batch_execute(&format!(
        "INSERT INTO {s}.users VALUES {}; INSERT INTO {s}.orders VALUES {};",
        users.join(","),
        orders.join(",")
    ))
    .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let key = new_key(dir.path());
    let include = format!("{s}.*");
    let record = run_mask(
        &[
            PG_URL,
            "-o",
            PG_URL,
            "--target-schema",
            &d,
            "--include",
            &include,
        ],
        &key,
        dir.path(),
    );
    assert_eq!(record["verification"]["survivors"], 0, "{record}");

    let read = |c: &mut postgres::Client, schema: &str| {
        HashMap::from([
            (
                "users",
                pg_table(
                    c,
                    &format!("SELECT id::text, name, phone, id_card, birth::text FROM {schema}.users"),
                ),
            ),
            (
                "orders",
                pg_table(
                    c,
                    &format!(
                        "SELECT id::text, user_id::text, phone, note, total::text FROM {schema}.orders"
                    ),
                ),
            ),
        ])
    };
    let (src, dst) = (read(&mut c, &s), read(&mut c, &d));
    check_copy(&src, &dst);
    // The schema came along: primary key, UNIQUE, CHECK, NOT NULL, the foreign key and the index.
    let fails = |c: &mut postgres::Client, sql: String| c.batch_execute(&sql).is_err();
    assert!(fails(
        &mut c,
        format!("INSERT INTO {d}.users VALUES (1, 'x', '13900000000', 'x', NULL)")
    ));
    let any_phone = &dst["users"][0]["phone"];
    assert!(fails(
        &mut c,
        format!("INSERT INTO {d}.users VALUES (100000, 'x', '{any_phone}', 'x', NULL)")
    ));
    assert!(fails(
        &mut c,
        format!("INSERT INTO {d}.users VALUES (100001, 'x', '1', 'x', NULL)")
    ));
    assert!(fails(
        &mut c,
        format!("INSERT INTO {d}.users VALUES (100002, NULL, '13900000001', 'x', NULL)")
    ));
    assert!(fails(
        &mut c,
        format!("INSERT INTO {d}.orders VALUES (100000, 999999, NULL, NULL, 1)")
    ));
    let idx: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_indexes WHERE schemaname = $1 AND indexname = 'orders_user'",
            &[&d],
        )
        .unwrap()
        .get(0);
    assert_eq!(idx, 1);
    // A second run without --replace refuses to overwrite the copy.
    let again = anshu(&[
        "mask",
        PG_URL,
        "-o",
        PG_URL,
        "--target-schema",
        &d,
        "--include",
        &include,
        "--key-file",
        key.to_str().unwrap(),
        "--record",
        dir.path().join("r2.json").to_str().unwrap(),
    ]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    c.batch_execute(&format!("DROP SCHEMA {s} CASCADE; DROP SCHEMA {d} CASCADE"))
        .unwrap();
}

fn my_table(c: &mut mysql::Conn, sql: &str) -> Vec<HashMap<String, String>> {
    let rows: Vec<mysql::Row> = c.query(sql).unwrap();
    rows.into_iter()
        .map(|r| {
            let names: Vec<String> = r
                .columns_ref()
                .iter()
                .map(|c| c.name_str().into_owned())
                .collect();
            names
                .into_iter()
                .enumerate()
                .map(|(i, n)| {
                    let v: Option<String> = r.get(i).unwrap_or(None);
                    (n, v.unwrap_or_default())
                })
                .collect()
        })
        .collect()
}

#[test]
fn mariadb_masked_copy_into_another_database() {
    let mut c = mysql::Conn::new(mysql::Opts::from_url(MY_SERVER).unwrap())
        .expect("MariaDB on 127.0.0.1:3306");
    let (s, d) = (
        format!("anshu_msrc_{}", std::process::id()),
        format!("anshu_mdst_{}", std::process::id()),
    );
    for q in [
        format!("DROP DATABASE IF EXISTS {s}"),
        format!("DROP DATABASE IF EXISTS {d}"),
        format!("CREATE DATABASE {s} CHARACTER SET utf8mb4"),
        format!(
            "CREATE TABLE {s}.users (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL,
                 phone VARCHAR(11) UNIQUE, id_card CHAR(18) NOT NULL, birth DATE NULL,
                 CONSTRAINT phone_len CHECK (CHAR_LENGTH(phone) = 11)) ENGINE=InnoDB"
        ),
        format!(
            "CREATE TABLE {s}.orders (id INT PRIMARY KEY, user_id INT NOT NULL, phone VARCHAR(11),
                 note VARCHAR(200), total DECIMAL(10,2), KEY orders_user (user_id),
                 CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)) ENGINE=InnoDB"
        ),
    ] {
        c.query_drop(q).unwrap();
    }
    let ps = people();
    c.exec_batch(
        format!("INSERT INTO {s}.users VALUES (?, ?, ?, ?, ?)"),
        ps.iter()
            .map(|p| (p.id, &p.name, &p.phone, &p.id_card, &p.birth)),
    )
    .unwrap();
    c.exec_batch(
        format!("INSERT INTO {s}.orders VALUES (?, ?, ?, ?, ?)"),
        ps.iter().map(|p| {
            (
                p.id,
                p.id,
                &p.phone,
                format!("请联系{}送货，地址见单", p.phone),
                format!("{}.{:02}", p.id * 3, p.id % 100),
            )
        }),
    )
    .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let key = new_key(dir.path());
    let url = format!("{MY_SERVER}/{s}");
    let record = run_mask(&[&url, "-o", &url, "--target-schema", &d], &key, dir.path());
    assert_eq!(record["verification"]["survivors"], 0, "{record}");

    let read = |c: &mut mysql::Conn, db: &str| {
        HashMap::from([
            (
                "users",
                my_table(
                    c,
                    &format!(
                        "SELECT CAST(id AS CHAR) AS id, name, phone, id_card, CAST(birth AS CHAR) AS birth FROM {db}.users"
                    ),
                ),
            ),
            (
                "orders",
                my_table(
                    c,
                    &format!(
                        "SELECT CAST(id AS CHAR) AS id, CAST(user_id AS CHAR) AS user_id, phone, note, CAST(total AS CHAR) AS total FROM {db}.orders"
                    ),
                ),
            ),
        ])
    };
    let (src, dst) = (read(&mut c, &s), read(&mut c, &d));
    check_copy(&src, &dst);
    let mut fails = |sql: String| c.query_drop(sql).is_err();
    assert!(fails(format!(
        "INSERT INTO {d}.users VALUES (1, 'x', '13900000000', 'x', NULL)"
    )));
    let any_phone = dst["users"][0]["phone"].clone();
    assert!(fails(format!(
        "INSERT INTO {d}.users VALUES (100000, 'x', '{any_phone}', 'x', NULL)"
    )));
    assert!(fails(format!(
        "INSERT INTO {d}.users VALUES (100001, 'x', '1', 'x', NULL)"
    )));
    assert!(fails(format!(
        "INSERT INTO {d}.orders VALUES (100000, 999999, NULL, NULL, 1)"
    )));
    for q in [format!("DROP DATABASE {d}"), format!("DROP DATABASE {s}")] {
        c.query_drop(q).unwrap();
    }
}
