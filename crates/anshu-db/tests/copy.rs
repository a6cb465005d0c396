//! Masked copies against the real PostgreSQL and MariaDB on this machine (and SQLite files).
//! Each test builds its own source schema, database or file — two tables with a primary key, a
//! UNIQUE, a CHECK, a foreign key between them, an index, NULLs, binary, date and numeric
//! columns and Chinese text — copies it with a map that upper-cases one column, and checks the
//! copy value by value and constraint by constraint. Names are unique per test so tests run in
//! parallel; each drops what it made first, and again when it passes.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use anshu_db::{
    copy_tables, CopyOptions, CopyTarget, DbError, DbTarget, RowMap, TableInfo, TableOutcome,
};
use mysql::prelude::Queryable;

const PG: &str = "host=127.0.0.1 port=5432 user=root dbname=test";
const PG_URL: &str = "postgres://root@127.0.0.1:5432/test";
const MY_URL: &str = "mysql://root@127.0.0.1:3306";

/// Upper-cases the `email` column and records the `photo` values it was shown.
struct Upper {
    email: Option<usize>,
    photo: Option<usize>,
    seen: Arc<Mutex<Vec<Option<String>>>>,
}

impl RowMap for Upper {
    fn map(&mut self, row: &mut [Option<String>]) {
        if let Some(Some(v)) = self.email.and_then(|i| row.get_mut(i)) {
            *v = v.to_uppercase();
        }
        if let Some(v) = self.photo.and_then(|i| row.get(i)) {
            self.seen.lock().unwrap().push(v.clone());
        }
    }
}

type MakeMap = Box<dyn Fn(&TableInfo) -> Box<dyn RowMap> + Sync>;

fn upper(seen: &Arc<Mutex<Vec<Option<String>>>>) -> MakeMap {
    let seen = Arc::clone(seen);
    Box::new(move |t: &TableInfo| {
        let at = |n: &str| t.columns.iter().position(|c| c.name == n);
        Box::new(Upper {
            email: at("email"),
            photo: at("photo"),
            seen: Arc::clone(&seen),
        }) as Box<dyn RowMap>
    })
}

/// Sets the cancel flag once it has seen `left` rows of `orders`.
struct CancelAfter {
    left: Option<usize>,
    cancel: Arc<AtomicBool>,
}

impl RowMap for CancelAfter {
    fn map(&mut self, _row: &mut [Option<String>]) {
        match &mut self.left {
            Some(0) => self
                .cancel
                .store(true, std::sync::atomic::Ordering::Relaxed),
            Some(n) => *n -= 1,
            None => {}
        }
    }
}

/// Replaces the copy, cancelling it 250 rows into `orders` (one worker, so `customers` is
/// done first): `customers` is complete, `orders` is cancelled and left empty.
fn cancel_midway(
    source: &DbTarget,
    dest: &CopyTarget,
    tables: &[TableInfo],
    batch_rows: usize,
) -> Vec<(String, Result<u64, String>)> {
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&cancel);
    let make = move |t: &TableInfo| -> Box<dyn RowMap> {
        Box::new(CancelAfter {
            left: (t.name == "orders").then_some(250),
            cancel: Arc::clone(&flag),
        })
    };
    let o = CopyOptions {
        concurrency: 1,
        ..opts(batch_rows, true)
    };
    outcomes(&copy_tables(source, dest, tables, &o, &make, &cancel).unwrap())
}

/// Points every `orders` row at a customer that does not exist.
struct BreakKeys(Option<usize>);

impl RowMap for BreakKeys {
    fn map(&mut self, row: &mut [Option<String>]) {
        if let Some(v) = self.0.and_then(|i| row.get_mut(i)) {
            *v = Some("99999".into());
        }
    }
}

/// Replaces the copy with one whose map breaks the foreign key: `orders` fails, `customers`
/// is copied.
fn break_keys(
    source: &DbTarget,
    dest: &CopyTarget,
    tables: &[TableInfo],
) -> Vec<(String, Result<u64, String>)> {
    let make = |t: &TableInfo| -> Box<dyn RowMap> {
        Box::new(BreakKeys(
            t.columns.iter().position(|c| c.name == "customer_id"),
        ))
    };
    outcomes(
        &copy_tables(
            source,
            dest,
            tables,
            &opts(100, true),
            &make,
            &AtomicBool::new(false),
        )
        .unwrap(),
    )
}

fn assert_broken(o: &[(String, Result<u64, String>)]) {
    assert_eq!(o[0].1, Ok(5), "{o:?}");
    let e = o[1].1.as_ref().unwrap_err();
    assert!(
        e.starts_with("db_query_failed") && e.contains("foreign key"),
        "{e}"
    );
}

fn discover(source: &DbTarget, prefix: &str) -> Vec<TableInfo> {
    let mut c = anshu_db::connect(source, &Default::default()).expect("connect to the source");
    c.tables(true, &|q| q.starts_with(prefix))
        .expect("list the source tables")
}

fn opts(batch_rows: usize, replace: bool) -> CopyOptions {
    CopyOptions {
        batch_rows,
        replace,
        ..CopyOptions::default()
    }
}

fn copy(
    source: &DbTarget,
    dest: &CopyTarget,
    tables: &[TableInfo],
    o: &CopyOptions,
    map: &MakeMap,
) -> Result<Vec<TableOutcome>, DbError> {
    copy_tables(
        source,
        dest,
        tables,
        o,
        map.as_ref(),
        &AtomicBool::new(false),
    )
}

/// The outcome of each table by its qualified name, `Ok(rows)` or `Err(code)`.
fn outcomes(r: &[TableOutcome]) -> Vec<(String, Result<u64, String>)> {
    r.iter()
        .map(|(t, r)| {
            (
                t.clone(),
                match r {
                    Ok(s) => Ok(s.rows),
                    Err(e) => Err(format!("{}: {e}", e.code())),
                },
            )
        })
        .collect()
}

fn code_of(r: &[TableOutcome], table: &str) -> &'static str {
    match &r
        .iter()
        .find(|(t, _)| t == table)
        .expect("table in results")
        .1
    {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

/// The bytes of customer `i`'s photo (NULL for customer 2).
fn photo(i: usize) -> Option<Vec<u8>> {
    match i {
        1 => Some(vec![0, 255, 16, 128, b'\\', b'\t', b'\n', b'\'']),
        2 => None,
        3 => Some(Vec::new()),
        4 => Some((0..=255u8).collect()),
        _ => Some(vec![0]),
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

struct Customer {
    email: &'static str,
    name: &'static str,
    balance: &'static str,
    born: Option<&'static str>,
    note: Option<&'static str>,
}

const CUSTOMERS: [Customer; 5] = [
    Customer {
        email: "zhang.san@example.com",
        name: "张三",
        balance: "100.50",
        born: Some("1990-01-02"),
        note: Some("VIP 客户"),
    },
    Customer {
        email: "li.si@example.com",
        name: "李四",
        balance: "0.00",
        born: None,
        note: None,
    },
    Customer {
        email: "wang.wu@example.cn",
        name: "王五",
        balance: "99999.99",
        born: Some("1985-12-31"),
        note: Some("tab\there\nnewline \\ backslash \r cr \\N not null"),
    },
    Customer {
        email: "zhao.liu@example.com",
        name: "赵六 Zhao",
        balance: "1.00",
        born: Some("2000-02-29"),
        note: Some("' quote \" double ` back"),
    },
    Customer {
        email: "qian.qi@example.com",
        name: "钱七",
        balance: "5.50",
        born: Some("1970-01-01"),
        note: Some(""),
    },
];

const ORDERS: usize = 1200;

struct Order {
    no: String,
    customer: i64,
    amount: String,
    placed: String,
    memo: Option<String>,
    data: Option<Vec<u8>>,
}

fn order(i: usize) -> Order {
    let day = 1 + i % 28;
    Order {
        no: format!("ORD-{i:05}"),
        customer: 1 + (i % 5) as i64,
        amount: format!("{}.25", i % 997 + 1),
        placed: format!("2024-{:02}-{day:02}", 1 + i % 12),
        memo: (!i.is_multiple_of(7)).then(|| format!("订单{i} 备注\t{i}")),
        data: (!i.is_multiple_of(3)).then(|| vec![i as u8, (i >> 8) as u8, 0, 0xff]),
    }
}

/// The source rows as the target should hold them: the email upper-cased, all else equal.
fn masked(rows: &[Vec<Option<String>>], email: usize) -> Vec<Vec<Option<String>>> {
    rows.iter()
        .map(|r| {
            let mut r = r.clone();
            if let Some(Some(v)) = r.get_mut(email) {
                *v = v.to_uppercase();
            }
            r
        })
        .collect()
}

fn seen_photos(seen: &Arc<Mutex<Vec<Option<String>>>>) -> Vec<Option<String>> {
    let mut v = seen.lock().unwrap().clone();
    v.sort();
    v.dedup();
    v
}

fn expected_photos() -> Vec<Option<String>> {
    let mut v: Vec<Option<String>> = (1..=5).map(|i| photo(i).map(|b| hex(&b))).collect();
    v.sort();
    v
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

fn pg() -> postgres::Client {
    postgres::Client::connect(PG, postgres::NoTls).expect("PostgreSQL on 127.0.0.1:5432")
}

fn pg_setup(c: &mut postgres::Client, src: &str, dst: &str) {
    c.batch_execute(&format!(
        "DROP SCHEMA IF EXISTS {src} CASCADE; DROP SCHEMA IF EXISTS {dst} CASCADE;
         CREATE SCHEMA {src};
         CREATE TABLE {src}.customers (
             id serial PRIMARY KEY,
             email varchar(100) NOT NULL UNIQUE,
             name text NOT NULL,
             balance numeric(12,2) NOT NULL DEFAULT 0 CHECK (balance >= 0),
             born date,
             photo bytea,
             note text,
             tags text[] DEFAULT '{{}}',
             created timestamptz NOT NULL DEFAULT '2024-05-06 07:08:09.123456+08'
         );
         COMMENT ON TABLE {src}.customers IS '客户';
         COMMENT ON COLUMN {src}.customers.name IS '姓名';
         CREATE TABLE {src}.orders (
             order_no varchar(20) PRIMARY KEY,
             customer_id integer NOT NULL REFERENCES {src}.customers (id) ON DELETE CASCADE,
             amount numeric(10,2) NOT NULL CHECK (amount > 0),
             placed date NOT NULL,
             memo text,
             data bytea,
             doubled numeric GENERATED ALWAYS AS (amount * 2) STORED
         );
         CREATE INDEX orders_customer_idx ON {src}.orders (customer_id, placed DESC);
         CREATE VIEW {src}.big_orders AS SELECT * FROM {src}.orders WHERE amount > 500;"
    ))
    .unwrap();
    let mut tx = c.transaction().unwrap();
    for (i, k) in CUSTOMERS.iter().enumerate() {
        // Without ids: the sequence hands out 1..5, so its position is worth copying.
        tx.execute(
            &format!(
                "INSERT INTO {src}.customers (email, name, balance, born, photo, note, tags)
                 VALUES ($1, $2, $3::text::numeric, $4::text::date, $5, $6, $7)"
            ),
            &[
                &k.email,
                &k.name,
                &k.balance,
                &k.born,
                &photo(i + 1),
                &k.note,
                &vec!["甲", "b,c"],
            ],
        )
        .unwrap();
    }
    let ins = tx
        .prepare(&format!(
            "INSERT INTO {src}.orders (order_no, customer_id, amount, placed, memo, data)
             VALUES ($1, $2::int8::int4, $3::text::numeric, $4::text::date, $5, $6)"
        ))
        .unwrap();
    for i in 1..=ORDERS {
        let o = order(i);
        tx.execute(
            &ins,
            &[&o.no, &o.customer, &o.amount, &o.placed, &o.memo, &o.data],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    c.batch_execute(&format!("ANALYZE {src}.customers; ANALYZE {src}.orders"))
        .unwrap();
}

fn pg_rows(c: &mut postgres::Client, table: &str, cols: &str) -> Vec<Vec<Option<String>>> {
    pg_query(c, &format!("SELECT {cols} FROM {table} ORDER BY 1"))
}

fn pg_query(c: &mut postgres::Client, sql: &str) -> Vec<Vec<Option<String>>> {
    c.query(sql, &[])
        .unwrap()
        .iter()
        .map(|r| {
            (0..r.len())
                .map(|i| r.get::<_, Option<String>>(i))
                .collect()
        })
        .collect()
}

const PG_CUSTOMERS: &str = "id::text, email, name, balance::text, born::text, encode(photo, 'hex'), note, tags::text, created::text";
const PG_ORDERS: &str =
    "order_no, customer_id::text, amount::text, placed::text, memo, encode(data, 'hex'), doubled::text";

fn pg_fails(c: &mut postgres::Client, sql: &str) -> bool {
    c.batch_execute(sql).is_err()
}

#[test]
fn postgres_copy_keeps_rows_keys_and_constraints() {
    let (src, dst) = ("anshu_copy_pg_src", "anshu_copy_pg_dst");
    let mut c = pg();
    pg_setup(&mut c, src, dst);
    let source = DbTarget::parse(PG_URL).unwrap();
    let tables = discover(&source, &format!("{src}."));
    assert_eq!(tables.len(), 3, "customers, orders and the view");
    let dest = CopyTarget {
        target: source.clone(),
        schema: Some(dst.into()),
    };
    let seen = Arc::new(Mutex::new(Vec::new()));
    let map = upper(&seen);

    let r = copy(&source, &dest, &tables, &opts(100, false), &map).unwrap();
    let o = outcomes(&r);
    assert_eq!(o[0], (format!("{src}.big_orders"), o[0].1.clone()));
    assert_eq!(
        code_of(&r, &format!("{src}.big_orders")),
        "db_copy_unsupported"
    );
    assert_eq!(o[1], (format!("{src}.customers"), Ok(5)), "{o:?}");
    assert_eq!(o[2], (format!("{src}.orders"), Ok(ORDERS as u64)), "{o:?}");
    for (t, r) in &r[1..] {
        assert_eq!(r.as_ref().unwrap().notes, Vec::<String>::new(), "{t}");
    }
    assert_eq!(
        seen_photos(&seen),
        expected_photos(),
        "binary values reach the map as hex"
    );

    // Values: the email upper-cased, everything else (NULLs, bytes, dates, numbers) equal.
    let before = pg_rows(&mut c, &format!("{src}.customers"), PG_CUSTOMERS);
    let after = pg_rows(&mut c, &format!("{dst}.customers"), PG_CUSTOMERS);
    assert_eq!(after, masked(&before, 1));
    assert_eq!(after[0][1].as_deref(), Some("ZHANG.SAN@EXAMPLE.COM"));
    assert_eq!(after[1][5], None);
    assert_eq!(after[2][5].as_deref(), Some(""));
    assert_eq!(after[3][5], Some(hex(&photo(4).unwrap())));
    assert_eq!(
        pg_rows(&mut c, &format!("{src}.orders"), PG_ORDERS),
        pg_rows(&mut c, &format!("{dst}.orders"), PG_ORDERS)
    );

    // Schema: exact types, defaults, comments.
    let cols = |c: &mut postgres::Client, s: &str| -> Vec<Vec<Option<String>>> {
        pg_query(
            c,
            &format!(
                "SELECT table_name::text, column_name::text, data_type::text, character_maximum_length::text,
                        numeric_precision::text, numeric_scale::text, is_nullable::text,
                        regexp_replace(column_default, '{s}', 'S')::text, is_generated::text,
                        generation_expression::text
                 FROM information_schema.columns
                 WHERE table_schema = '{s}' AND table_name IN ('customers', 'orders')
                 ORDER BY table_name, ordinal_position"
            ),
        )
    };
    assert_eq!(cols(&mut c, src), cols(&mut c, dst));
    let comment: Option<String> = c
        .query_one(
            &format!("SELECT col_description('{dst}.customers'::regclass, 3)"),
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(comment.as_deref(), Some("姓名"));

    // The sequence was recreated (before failed INSERTs draw numbers from it) in the copy and continues where the source's stands.
    let id: i32 = c
        .query_one(
            &format!(
                "INSERT INTO {dst}.customers (email, name) VALUES ('next@x', 'n') RETURNING id"
            ),
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(id, 6);
    // Keys and constraints hold on the target.
    assert!(
        pg_fails(
            &mut c,
            &format!("INSERT INTO {dst}.customers (id, email, name) VALUES (1, 'new@x', 'n')")
        ),
        "primary key"
    );
    assert!(
        pg_fails(
            &mut c,
            &format!("INSERT INTO {dst}.customers (email, name) VALUES ('LI.SI@EXAMPLE.COM', 'n')")
        ),
        "unique"
    );
    assert!(
        pg_fails(
            &mut c,
            &format!(
                "INSERT INTO {dst}.customers (email, name, balance) VALUES ('neg@x', 'n', -1)"
            )
        ),
        "check"
    );
    assert!(pg_fails(&mut c, &format!("INSERT INTO {dst}.orders (order_no, customer_id, amount, placed) VALUES ('X', 99999, 1, '2024-01-01')")), "foreign key");
    assert!(pg_fails(&mut c, &format!("INSERT INTO {dst}.orders (order_no, customer_id, amount, placed) VALUES ('Y', 1, 0, '2024-01-01')")), "check");
    let fk_target: String = c
        .query_one(
            &format!("SELECT confrelid::regclass::text FROM pg_constraint WHERE conrelid = '{dst}.orders'::regclass AND contype = 'f'"),
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(
        fk_target,
        format!("{dst}.customers"),
        "the key points into the copy"
    );
    let index: String = c
        .query_one(
            &format!("SELECT indexdef FROM pg_indexes WHERE schemaname = '{dst}' AND indexname = 'orders_customer_idx'"),
            &[],
        )
        .unwrap()
        .get(0);
    assert!(index.ends_with("(customer_id, placed DESC)"), "{index}");
    let default: String = c
        .query_one(
            &format!("SELECT column_default FROM information_schema.columns WHERE table_schema = '{dst}' AND table_name = 'customers' AND column_name = 'id'"),
            &[],
        )
        .unwrap()
        .get(0);
    assert!(default.contains(dst), "{default}");

    // Again: the tables exist. With replace: dropped and copied anew.
    let again = copy(&source, &dest, &tables[1..], &opts(100, false), &map).unwrap();
    assert_eq!(
        code_of(&again, &format!("{src}.customers")),
        "db_copy_exists"
    );
    assert_eq!(code_of(&again, &format!("{src}.orders")), "db_copy_exists");
    let replaced = copy(&source, &dest, &tables[1..], &opts(1000, true), &map).unwrap();
    assert_eq!(
        outcomes(&replaced),
        vec![
            (format!("{src}.customers"), Ok(5)),
            (format!("{src}.orders"), Ok(ORDERS as u64))
        ]
    );
    assert_eq!(
        pg_rows(&mut c, &format!("{dst}.customers"), PG_CUSTOMERS),
        after
    );

    let o = cancel_midway(&source, &dest, &tables[1..], 100);
    assert_eq!(o[0], (format!("{src}.customers"), Ok(5)));
    assert_eq!(o[1].1, Err("cancelled: cancelled".into()));
    assert_eq!(
        pg_rows(&mut c, &format!("{dst}.orders"), PG_ORDERS),
        Vec::<Vec<_>>::new()
    );
    assert_broken(&break_keys(&source, &dest, &tables[1..]));

    // Onto itself: refused before anything is written.
    let onto = CopyTarget {
        target: source.clone(),
        schema: Some(src.into()),
    };
    let e = copy(&source, &onto, &tables, &opts(100, true), &map).unwrap_err();
    assert_eq!(e.code(), "db_copy_onto_source", "{e}");
    assert_eq!(
        pg_rows(&mut c, &format!("{src}.customers"), PG_CUSTOMERS),
        before
    );

    c.batch_execute(&format!(
        "DROP SCHEMA {src} CASCADE; DROP SCHEMA {dst} CASCADE"
    ))
    .unwrap();
}

#[test]
fn postgres_copy_to_another_engine_is_refused() {
    let source = DbTarget::parse(PG_URL).unwrap();
    let dest = CopyTarget {
        target: DbTarget::parse("sqlite:///tmp/anshu-copy-never.db").unwrap(),
        schema: None,
    };
    let map = upper(&Arc::new(Mutex::new(Vec::new())));
    let e = copy(&source, &dest, &[], &opts(10, false), &map).unwrap_err();
    assert_eq!(e.code(), "db_copy_unsupported");
    assert!(
        e.to_string().contains("postgres") && e.to_string().contains("sqlite"),
        "{e}"
    );
    assert!(!std::path::Path::new("/tmp/anshu-copy-never.db").exists());
}

#[test]
fn errors_never_show_the_password() {
    let source = DbTarget::parse("postgres://root:Pa55-word-xyz@127.0.0.1:1/test").unwrap();
    let dest = CopyTarget {
        target: source.clone(),
        schema: None,
    };
    let map = upper(&Arc::new(Mutex::new(Vec::new())));
    let e = copy(&source, &dest, &[], &opts(10, false), &map).unwrap_err();
    assert_eq!(e.code(), "db_unreachable");
    assert!(!e.to_string().contains("Pa55-word-xyz"), "{e}");
    assert!(!format!("{e:?}").contains("Pa55-word-xyz"), "{e:?}");
}

// ---------------------------------------------------------------------------------------------
// MariaDB

fn my() -> mysql::Conn {
    mysql::Conn::new(mysql::Opts::from_url(MY_URL).unwrap()).expect("MariaDB on 127.0.0.1:3306")
}

fn my_setup(c: &mut mysql::Conn, src: &str, dst: &str) {
    for s in [
        format!("DROP DATABASE IF EXISTS {src}"),
        format!("DROP DATABASE IF EXISTS {dst}"),
        format!("CREATE DATABASE {src} CHARACTER SET utf8mb4"),
        format!(
            "CREATE TABLE {src}.customers (
                id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
                email VARCHAR(100) NOT NULL,
                name VARCHAR(50) NOT NULL COMMENT '姓名',
                balance DECIMAL(12,2) NOT NULL DEFAULT 0,
                born DATE NULL,
                photo BLOB NULL,
                note TEXT NULL,
                active BIT(1) NOT NULL DEFAULT b'1',
                created TIMESTAMP(6) NOT NULL DEFAULT '2024-05-06 07:08:09.123456',
                UNIQUE KEY customers_email (email),
                CONSTRAINT balance_positive CHECK (balance >= 0)
            ) ENGINE=InnoDB COMMENT='客户'"
        ),
        // No integer key: read in one streamed statement rather than keyset batches.
        format!(
            "CREATE TABLE {src}.orders (
                order_no VARCHAR(20) NOT NULL PRIMARY KEY,
                customer_id INT NOT NULL,
                amount DECIMAL(10,2) NOT NULL,
                placed DATE NOT NULL,
                memo VARCHAR(200) NULL,
                data VARBINARY(16) NULL,
                doubled DECIMAL(12,2) AS (amount * 2) VIRTUAL,
                KEY orders_customer_idx (customer_id, placed),
                CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE,
                CONSTRAINT amount_positive CHECK (amount > 0)
            ) ENGINE=InnoDB"
        ),
    ] {
        c.query_drop(&s).unwrap();
    }
    for (i, k) in CUSTOMERS.iter().enumerate() {
        c.exec_drop(
            format!(
                "INSERT INTO {src}.customers (email, name, balance, born, photo, note, active)
                 VALUES (?, ?, ?, ?, ?, ?, ?)"
            ),
            (
                k.email,
                k.name,
                k.balance,
                k.born,
                photo(i + 1),
                k.note,
                i % 2,
            ),
        )
        .unwrap();
    }
    let rows: Vec<_> = (1..=ORDERS).map(order).collect();
    c.exec_batch(
        format!(
            "INSERT INTO {src}.orders (order_no, customer_id, amount, placed, memo, data)
             VALUES (?, ?, ?, ?, ?, ?)"
        ),
        rows.iter()
            .map(|o| (&o.no, o.customer, &o.amount, &o.placed, &o.memo, &o.data)),
    )
    .unwrap();
}

fn my_rows(c: &mut mysql::Conn, table: &str, cols: &str, order: &str) -> Vec<Vec<Option<String>>> {
    let rows: Vec<mysql::Row> = c
        .query(format!("SELECT {cols} FROM {table} ORDER BY {order}"))
        .unwrap();
    rows.iter()
        .map(|r| {
            (0..r.len())
                .map(|i| match r.as_ref(i) {
                    Some(mysql::Value::Bytes(b)) => Some(String::from_utf8(b.clone()).unwrap()),
                    Some(mysql::Value::NULL) | None => None,
                    Some(v) => Some(format!("{v:?}")),
                })
                .collect()
        })
        .collect()
}

const MY_CUSTOMERS: &str =
    "id, email, name, balance, born, LOWER(HEX(photo)), photo IS NULL, note, active + 0, created";
const MY_ORDERS: &str =
    "order_no, customer_id, amount, placed, memo, LOWER(HEX(data)), data IS NULL, doubled";

#[test]
fn mariadb_copy_keeps_rows_keys_and_constraints() {
    let (src, dst) = ("anshu_copy_my_src", "anshu_copy_my_dst");
    let mut c = my();
    my_setup(&mut c, src, dst);
    let source = DbTarget::parse(&format!("{MY_URL}/{src}")).unwrap();
    let tables = discover(&source, &format!("{src}."));
    assert_eq!(tables.len(), 2);
    let dest = CopyTarget {
        target: source.clone(),
        schema: Some(dst.into()),
    };
    let seen = Arc::new(Mutex::new(Vec::new()));
    let map = upper(&seen);

    // Three rows a batch: several keyset batches for customers, many INSERTs for orders.
    let r = copy(&source, &dest, &tables, &opts(3, false), &map).unwrap();
    assert_eq!(
        outcomes(&r),
        vec![
            (format!("{src}.customers"), Ok(5)),
            (format!("{src}.orders"), Ok(ORDERS as u64))
        ]
    );
    for (t, r) in &r {
        assert_eq!(r.as_ref().unwrap().notes, Vec::<String>::new(), "{t}");
    }
    assert_eq!(
        seen_photos(&seen),
        expected_photos(),
        "binary values reach the map as hex"
    );

    let before = my_rows(&mut c, &format!("{src}.customers"), MY_CUSTOMERS, "id");
    let after = my_rows(&mut c, &format!("{dst}.customers"), MY_CUSTOMERS, "id");
    assert_eq!(after, masked(&before, 1));
    assert_eq!(after[0][1].as_deref(), Some("ZHANG.SAN@EXAMPLE.COM"));
    assert_eq!(after[0][2].as_deref(), Some("张三"));
    assert_eq!(after[1][4], None);
    assert_eq!(after[1][6].as_deref(), Some("1"), "a NULL photo stays NULL");
    assert_eq!(after[2][5].as_deref(), Some(""));
    assert_eq!(
        after[2][6].as_deref(),
        Some("0"),
        "an empty photo stays empty"
    );
    assert_eq!(after[3][5], Some(hex(&photo(4).unwrap())));
    assert_eq!(
        my_rows(&mut c, &format!("{src}.orders"), MY_ORDERS, "order_no"),
        my_rows(&mut c, &format!("{dst}.orders"), MY_ORDERS, "order_no")
    );

    // The definitions match, keys and constraints included (SHOW CREATE TABLE names no
    // database for keys within it).
    for t in ["customers", "orders"] {
        let show = |c: &mut mysql::Conn, db: &str| -> String {
            let r: mysql::Row = c
                .query_first(format!("SHOW CREATE TABLE {db}.{t}"))
                .unwrap()
                .unwrap();
            let s: String = r.get(1).unwrap();
            // Loading and the ALTER for keys bump the counters; the definition is the same.
            s.split('\n')
                .map(|l| {
                    l.split(' ')
                        .filter(|w| !w.starts_with("AUTO_INCREMENT="))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        let (a, b) = (show(&mut c, src), show(&mut c, dst));
        let mut la: Vec<&str> = a.lines().map(|l| l.trim_end_matches(',')).collect();
        let mut lb: Vec<&str> = b.lines().map(|l| l.trim_end_matches(',')).collect();
        la.sort_unstable();
        lb.sort_unstable();
        assert_eq!(la, lb, "{t}:\n{a}\n---\n{b}");
    }
    c.query_drop(format!(
        "INSERT INTO {dst}.customers (email, name) VALUES ('next@x', 'n')"
    ))
    .unwrap();
    assert_eq!(
        c.last_insert_id(),
        6,
        "AUTO_INCREMENT continues as in the source"
    );
    let fails = |c: &mut mysql::Conn, sql: String| c.query_drop(sql).is_err();
    assert!(
        fails(
            &mut c,
            format!("INSERT INTO {dst}.customers (id, email, name) VALUES (1, 'new@x', 'n')")
        ),
        "primary key"
    );
    assert!(
        fails(
            &mut c,
            format!("INSERT INTO {dst}.customers (email, name) VALUES ('LI.SI@EXAMPLE.COM', 'n')")
        ),
        "unique"
    );
    assert!(
        fails(
            &mut c,
            format!("INSERT INTO {dst}.customers (email, name, balance) VALUES ('neg@x', 'n', -1)")
        ),
        "check"
    );
    assert!(fails(&mut c, format!("INSERT INTO {dst}.orders (order_no, customer_id, amount, placed) VALUES ('X', 99999, 1, '2024-01-01')")), "foreign key");
    assert!(fails(&mut c, format!("INSERT INTO {dst}.orders (order_no, customer_id, amount, placed) VALUES ('Y', 1, 0, '2024-01-01')")), "check");

    let again = copy(&source, &dest, &tables, &opts(100, false), &map).unwrap();
    assert_eq!(
        code_of(&again, &format!("{src}.customers")),
        "db_copy_exists"
    );
    assert_eq!(code_of(&again, &format!("{src}.orders")), "db_copy_exists");
    let replaced = copy(&source, &dest, &tables, &opts(1000, true), &map).unwrap();
    assert_eq!(
        outcomes(&replaced),
        vec![
            (format!("{src}.customers"), Ok(5)),
            (format!("{src}.orders"), Ok(ORDERS as u64))
        ]
    );
    assert_eq!(
        my_rows(&mut c, &format!("{dst}.customers"), MY_CUSTOMERS, "id"),
        after
    );

    // `orders` is read in one streamed statement, stopped on the server when cancelled.
    let o = cancel_midway(&source, &dest, &tables, 100);
    assert_eq!(o[0], (format!("{src}.customers"), Ok(5)));
    assert_eq!(o[1].1, Err("cancelled: cancelled".into()));
    assert_eq!(
        my_rows(&mut c, &format!("{dst}.orders"), MY_ORDERS, "order_no"),
        Vec::<Vec<_>>::new()
    );
    assert_broken(&break_keys(&source, &dest, &tables));

    let onto = CopyTarget {
        target: source.clone(),
        schema: Some(src.into()),
    };
    let e = copy(&source, &onto, &tables, &opts(100, true), &map).unwrap_err();
    assert_eq!(e.code(), "db_copy_onto_source", "{e}");
    // The default target is `<source db>_masked`, and the same server under another name is
    // still the same server.
    let by_name = DbTarget::parse(&format!("mysql://root@localhost:3306/{src}")).unwrap();
    let e = copy(
        &by_name,
        &CopyTarget {
            target: source.clone(),
            schema: Some(src.to_uppercase()),
        },
        &tables,
        &opts(100, true),
        &map,
    )
    .unwrap_err();
    assert_eq!(e.code(), "db_copy_onto_source", "{e}");
    assert_eq!(
        my_rows(&mut c, &format!("{src}.customers"), MY_CUSTOMERS, "id"),
        before
    );

    c.query_drop(format!("DROP DATABASE {src}")).unwrap();
    c.query_drop(format!("DROP DATABASE {dst}")).unwrap();
}

// ---------------------------------------------------------------------------------------------
// SQLite

fn temp(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("anshu-copy-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&p);
    p
}

fn lite_setup(path: &PathBuf) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(
        "CREATE TABLE customers (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            email TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL, -- 姓名
            balance NUMERIC(12,2) NOT NULL DEFAULT 0 CHECK (balance >= 0),
            born DATE,
            photo BLOB,
            note TEXT,
            score REAL
        );
        CREATE TABLE orders (
            order_no TEXT PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
            amount NUMERIC(10,2) NOT NULL CHECK (amount > 0),
            placed DATE NOT NULL,
            memo TEXT,
            data BLOB,
            doubled NUMERIC GENERATED ALWAYS AS (amount * 2) VIRTUAL
        ) WITHOUT ROWID;
        CREATE INDEX orders_customer_idx ON orders (customer_id, placed DESC);
        CREATE VIEW big_orders AS SELECT * FROM orders WHERE amount > 500;
        CREATE TRIGGER orders_touch AFTER INSERT ON orders BEGIN SELECT 1; END;",
    )
    .unwrap();
    for (i, k) in CUSTOMERS.iter().enumerate() {
        c.execute(
            "INSERT INTO customers (email, name, balance, born, photo, note, score) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![k.email, k.name, k.balance, k.born, photo(i + 1), k.note, 1.0 + i as f64 / 3.0],
        )
        .unwrap();
    }
    // A stored 7 in a REAL column, and one deleted customer: sqlite_sequence is ahead of max(id).
    c.execute_batch(
        "UPDATE customers SET score = 7 WHERE id = 5;
         INSERT INTO customers (email, name) VALUES ('gone@x', 'x'); DELETE FROM customers WHERE id = 6;",
    )
    .unwrap();
    let tx = c.unchecked_transaction().unwrap();
    for i in 1..=ORDERS {
        let o = order(i);
        tx.execute(
            "INSERT INTO orders (order_no, customer_id, amount, placed, memo, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![o.no, o.customer, o.amount, o.placed, o.memo, o.data],
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

/// Every value as a SQL literal: `quote()` tells storage classes apart (1 vs '1' vs 1.0).
fn lite_rows(path: &PathBuf, table: &str, cols: &[&str]) -> Vec<Vec<Option<String>>> {
    let c = rusqlite::Connection::open(path).unwrap();
    let select = cols
        .iter()
        .map(|c| format!("quote({c})"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut s = c
        .prepare(&format!("SELECT {select} FROM {table} ORDER BY 1"))
        .unwrap();
    let rows = s
        .query_map([], |r| {
            (0..cols.len())
                .map(|i| r.get::<_, Option<String>>(i))
                .collect()
        })
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    rows
}

const LITE_CUSTOMERS: [&str; 8] = [
    "id", "email", "name", "balance", "born", "photo", "note", "score",
];
const LITE_ORDERS: [&str; 7] = [
    "order_no",
    "customer_id",
    "amount",
    "placed",
    "memo",
    "data",
    "doubled",
];

#[test]
fn sqlite_copy_keeps_rows_keys_and_constraints() {
    let (from, to) = (temp("src.db"), temp("dst.db"));
    lite_setup(&from);
    let source = DbTarget::parse(&format!("sqlite://{}", from.display())).unwrap();
    let tables = discover(&source, "main.");
    assert_eq!(tables.len(), 3, "customers, orders and the view");
    let dest = CopyTarget {
        target: DbTarget::parse(&format!("sqlite://{}", to.display())).unwrap(),
        schema: None,
    };
    let seen = Arc::new(Mutex::new(Vec::new()));
    let map = upper(&seen);

    let r = copy(&source, &dest, &tables, &opts(7, false), &map).unwrap();
    let o = outcomes(&r);
    assert_eq!(code_of(&r, "main.big_orders"), "db_copy_unsupported");
    assert_eq!(o[1], ("main.customers".into(), Ok(5)), "{o:?}");
    assert_eq!(o[2], ("main.orders".into(), Ok(ORDERS as u64)), "{o:?}");
    assert_eq!(
        r[2].1.as_ref().unwrap().notes,
        vec!["trigger orders_touch not copied".to_owned()]
    );
    assert_eq!(
        seen_photos(&seen),
        expected_photos(),
        "binary values reach the map as hex"
    );

    let before = lite_rows(&from, "customers", &LITE_CUSTOMERS);
    let after = lite_rows(&to, "customers", &LITE_CUSTOMERS);
    // quote() wraps text in quotes; the upper-cased email is the only change.
    assert_eq!(after, masked(&before, 1));
    assert_eq!(after[0][1].as_deref(), Some("'ZHANG.SAN@EXAMPLE.COM'"));
    assert_eq!(after[0][2].as_deref(), Some("'张三'"));
    assert_eq!(after[1][5].as_deref(), Some("NULL"));
    assert_eq!(after[2][5].as_deref(), Some("X''"));
    assert_eq!(after[4][7].as_deref(), Some("7.0"), "REAL storage kept");
    assert_eq!(
        lite_rows(&from, "orders", &LITE_ORDERS),
        lite_rows(&to, "orders", &LITE_ORDERS)
    );

    let c = rusqlite::Connection::open(&to).unwrap();
    c.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    let defs: Vec<String> = c
        .prepare("SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(defs.len(), 3, "{defs:?}");
    assert!(defs
        .iter()
        .any(|d| d.starts_with("CREATE INDEX orders_customer_idx")));
    let fails = |sql: &str| c.execute_batch(sql).is_err();
    assert!(
        fails("INSERT INTO customers (id, email, name) VALUES (1, 'new@x', 'n')"),
        "primary key"
    );
    assert!(
        fails("INSERT INTO customers (email, name) VALUES ('LI.SI@EXAMPLE.COM', 'n')"),
        "unique"
    );
    assert!(
        fails("INSERT INTO customers (email, name, balance) VALUES ('neg@x', 'n', -1)"),
        "check"
    );
    assert!(fails("INSERT INTO orders (order_no, customer_id, amount, placed) VALUES ('X', 99999, 1, '2024-01-01')"), "foreign key");
    assert!(fails("INSERT INTO orders (order_no, customer_id, amount, placed) VALUES ('Y', 1, 0, '2024-01-01')"), "check");
    c.execute_batch("INSERT INTO customers (email, name) VALUES ('next@x', 'n')")
        .unwrap();
    assert_eq!(
        c.last_insert_rowid(),
        7,
        "AUTOINCREMENT continues after the deleted 6"
    );
    drop(c);

    let again = copy(&source, &dest, &tables[1..], &opts(100, false), &map).unwrap();
    assert_eq!(code_of(&again, "main.customers"), "db_copy_exists");
    assert_eq!(code_of(&again, "main.orders"), "db_copy_exists");
    let replaced = copy(&source, &dest, &tables[1..], &opts(1000, true), &map).unwrap();
    assert_eq!(
        outcomes(&replaced),
        vec![
            ("main.customers".into(), Ok(5)),
            ("main.orders".into(), Ok(ORDERS as u64))
        ]
    );
    assert_eq!(lite_rows(&to, "customers", &LITE_CUSTOMERS), after);
    assert_broken(&break_keys(&source, &dest, &tables[1..]));

    // Onto itself, even spelled differently.
    let same = from
        .parent()
        .unwrap()
        .join(".")
        .join(from.file_name().unwrap());
    let onto = CopyTarget {
        target: DbTarget::parse(&format!("sqlite://{}", same.display())).unwrap(),
        schema: None,
    };
    let e = copy(&source, &onto, &tables, &opts(100, true), &map).unwrap_err();
    assert_eq!(e.code(), "db_copy_onto_source", "{e}");
    assert_eq!(lite_rows(&from, "customers", &LITE_CUSTOMERS), before);

    // A cancelled copy leaves every table unfinished.
    let third = temp("cancelled.db");
    let cancelled = copy_tables(
        &source,
        &CopyTarget {
            target: DbTarget::parse(&format!("sqlite://{}", third.display())).unwrap(),
            schema: None,
        },
        &tables[1..],
        &opts(100, false),
        map.as_ref(),
        &AtomicBool::new(true),
    )
    .unwrap();
    assert!(cancelled
        .iter()
        .all(|(_, r)| matches!(r, Err(DbError::Cancelled))));

    for p in [from, to, third] {
        let _ = std::fs::remove_file(p);
    }
}
