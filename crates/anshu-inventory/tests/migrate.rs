//! Several processes (here threads, each with its own connection) opening a new catalog at once
//! all succeed: migrations are applied once, under the database's write lock.

use anshu_inventory::Catalog;

/// Opens the catalog at `target` from `n` threads at once and checks that every one of them
/// succeeded and sees the same schema version.
fn open_concurrently(target: &str, n: usize) {
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let t = target.to_owned();
            std::thread::spawn(move || Catalog::open(&t).map(|mut c| c.schema_version()))
        })
        .collect();
    let versions: Vec<i64> = handles
        .into_iter()
        .map(|h| h.join().unwrap().unwrap_or_else(|e| panic!("{e}")).unwrap())
        .collect();
    assert_eq!(versions.len(), n);
    assert!(versions.windows(2).all(|w| w[0] == w[1]), "{versions:?}");
}

#[test]
fn concurrent_first_opens_of_a_sqlite_catalog_all_succeed() {
    for round in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("c{round}.db"));
        open_concurrently(&path.display().to_string(), 6);
    }
}

#[test]
fn concurrent_first_opens_of_a_postgresql_catalog_all_succeed() {
    let schema = format!("anshu_migrate_{}", std::process::id());
    let url = format!("postgres://root@127.0.0.1:5432/test?schema={schema}");
    open_concurrently(&url, 4);
    let mut pg = postgres::Client::connect(
        "host=127.0.0.1 port=5432 user=root dbname=test",
        postgres::NoTls,
    )
    .unwrap();
    pg.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .unwrap();
}
