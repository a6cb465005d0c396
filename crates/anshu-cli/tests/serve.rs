//! `anshu serve` over real HTTP: authentication on every API route, roles, CSRF, login rate
//! limiting, reviews through the API and the pages, and the hash-chained audit log.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;

use common::{start, start_with};

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// One HTTP/1.1 request on a fresh connection.
fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
    let mut s = TcpStream::connect(addr).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Resp {
        status,
        headers,
        body: body.to_owned(),
    }
}

struct Client {
    addr: String,
    cookie: String,
    csrf: String,
}

fn login(addr: &str, user: &str, password: &str) -> Client {
    let r = http(
        addr,
        "POST",
        "/api/login",
        &[("Content-Type", "application/json")],
        &serde_json::json!({"username": user, "password": password}).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let cookie = r.header("set-cookie").unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && cookie.contains("Secure")
    );
    let cookie = cookie.split(';').next().unwrap().to_owned();
    Client {
        addr: addr.to_owned(),
        cookie,
        csrf: r.json()["csrf"].as_str().unwrap().to_owned(),
    }
}

impl Client {
    fn get(&self, path: &str) -> Resp {
        http(&self.addr, "GET", path, &[("Cookie", &self.cookie)], "")
    }
    fn post(&self, path: &str, body: &serde_json::Value) -> Resp {
        http(
            &self.addr,
            "POST",
            path,
            &[
                ("Cookie", &self.cookie),
                ("X-CSRF-Token", &self.csrf),
                ("Content-Type", "application/json"),
            ],
            &body.to_string(),
        )
    }
}

const API_GETS: &[&str] = &[
    "/api/me",
    "/api/openapi.json",
    "/api/inventory/summary",
    "/api/inventory/sources",
    "/api/inventory/assets",
    "/api/inventory/columns",
    "/api/inventory/columns/1",
    "/api/inventory/changes",
    "/api/shares",
    "/api/users",
    "/api/audit",
    "/api/audit/verify",
    "/api/no/such/route",
];

#[test]
fn console_api_roles_csrf_audit() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.db");
    // Something in the inventory to review.
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo");
    let scan = Command::new(env!("CARGO_BIN_EXE_anshu"))
        .args([
            "scan",
            demo.to_str().unwrap(),
            "--quiet",
            "--format",
            "json",
            "-o",
        ])
        .arg(dir.path().join("r.json"))
        .env("ANSHU_CATALOG", &catalog)
        .output()
        .unwrap();
    assert!(
        scan.status.success(),
        "{}",
        String::from_utf8_lossy(&scan.stderr)
    );
    let srv = start(&catalog);
    let a = &srv.addr;

    // Unauthenticated: every API route but login is 401, with the error shape.
    for p in API_GETS {
        let r = http(a, "GET", p, &[], "");
        assert_eq!(r.status, 401, "GET {p}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "unauthenticated");
    }
    for p in [
        "/api/logout",
        "/api/users",
        "/api/inventory/columns/1/review",
    ] {
        assert_eq!(http(a, "POST", p, &[], "{}").status, 401, "POST {p}");
    }
    // Pages redirect to the login page.
    let r = http(a, "GET", "/", &[], "");
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/login"));

    // Wrong passwords: 401, then locked out with 429 and Retry-After.
    for _ in 0..5 {
        let r = http(
            a,
            "POST",
            "/api/login",
            &[("Content-Type", "application/json")],
            r#"{"username":"admin","password":"nope"}"#,
        );
        assert_eq!(r.status, 401);
    }
    let r = http(
        a,
        "POST",
        "/api/login",
        &[("Content-Type", "application/json")],
        r#"{"username":"admin","password":"admin-password-for-tests"}"#,
    );
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.header("retry-after").is_some());
    drop(srv);

    // A restart clears the in-memory limiter (the accounts and audit log persist).
    let srv = start(&catalog);
    let a = &srv.addr;
    let admin = login(a, "admin", "admin-password-for-tests");
    for p in API_GETS.iter().filter(|p| !p.contains("no/such")) {
        let r = admin.get(p);
        assert_eq!(r.status, 200, "GET {p}: {}", r.body);
    }
    let openapi = admin.get("/api/openapi.json").json();
    assert_eq!(openapi["openapi"], "3.1.0");
    // Every API route is documented.
    for route in [
        "/api/login",
        "/api/logout",
        "/api/me",
        "/api/openapi.json",
        "/api/inventory/summary",
        "/api/inventory/sources",
        "/api/inventory/assets",
        "/api/inventory/columns",
        "/api/inventory/columns/{id}",
        "/api/inventory/columns/{id}/review",
        "/api/inventory/changes",
        "/api/shares",
        "/api/sources",
        "/api/sources/{id}/test",
        "/api/scans",
        "/api/scans/{id}",
        "/api/scans/{id}/cancel",
        "/api/jobs",
        "/api/jobs/{id}",
        "/api/jobs/{id}/cancel",
        "/api/masks",
        "/api/exports/{kind}",
        "/api/users",
        "/api/audit",
        "/api/audit/verify",
    ] {
        assert!(
            openapi["paths"][route].is_object(),
            "{route} missing from the OpenAPI document"
        );
    }
    assert!(openapi["paths"]["/api/shares"]["post"].is_object());
    // Writes need the CSRF header.
    let no_csrf = http(
        a,
        "POST",
        "/api/users",
        &[
            ("Cookie", &admin.cookie),
            ("Content-Type", "application/json"),
        ],
        r#"{"username":"v","password":"viewer-password-1","role":"viewer"}"#,
    );
    assert_eq!(no_csrf.status, 403);
    assert_eq!(no_csrf.json()["error"]["code"], "csrf");
    for (u, role) in [
        ("vera", "viewer"),
        ("rui", "reviewer"),
        ("otto", "operator"),
    ] {
        let r = admin.post(
            "/api/users",
            &serde_json::json!({"username": u, "password": format!("{u}-password-123"), "role": role}),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        assert!(
            !r.body.contains("argon2"),
            "password hashes are never returned"
        );
    }
    let short = admin.post(
        "/api/users",
        &serde_json::json!({"username": "x", "password": "short", "role": "viewer"}),
    );
    assert_eq!(short.status, 400);

    // A column to review.
    let cols = admin.get("/api/inventory/columns").json();
    // Listings are paged, with the total in a header.
    let page = admin.get("/api/inventory/columns?limit=2&offset=1");
    assert_eq!(page.json().as_array().unwrap().len(), 2);
    let total: usize = page.header("x-total-count").unwrap().parse().unwrap();
    assert_eq!(total, cols.as_array().unwrap().len());
    assert_eq!(page.json()[0]["id"], cols[1]["id"]);
    let col = cols
        .as_array()
        .unwrap()
        .iter()
        .find(|c| !c["types"].as_array().unwrap().is_empty())
        .unwrap()
        .clone();
    let id = col["id"].as_i64().unwrap();
    let review_path = format!("/api/inventory/columns/{id}/review");
    let body = serde_json::json!({"types": [], "reason": "test data, not personal information"});

    // The viewer reads but gets 403 on every write; the operator may not review.
    let viewer = login(a, "vera", "vera-password-123");
    assert_eq!(viewer.get("/api/inventory/columns").status, 200);
    assert_eq!(viewer.get("/api/users").status, 403);
    for (p, b) in [
        (review_path.as_str(), body.clone()),
        (
            "/api/users",
            serde_json::json!({"username": "z", "password": "zzzzzzzzzzzzzz", "role": "admin"}),
        ),
    ] {
        let r = viewer.post(p, &b);
        assert_eq!(r.status, 403, "viewer POST {p}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "forbidden");
    }
    let operator = login(a, "otto", "otto-password-123");
    assert_eq!(operator.post(&review_path, &body).status, 403);

    // The reviewer overrides the column; the override shows in the API and on the page.
    let reviewer = login(a, "rui", "rui-password-123");
    let r = reviewer.post(&review_path, &body);
    assert_eq!(r.status, 200, "{}", r.body);
    let d = r.json();
    assert_eq!(d["column"]["overridden"], true);
    assert!(d["column"]["types"].as_array().unwrap().is_empty());
    assert_eq!(d["column"]["reviewed_by"], "rui");
    let page = reviewer.get(&format!("/inventory/columns/{id}"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("test data, not personal information"));
    // The page's form carries the CSRF token; a form post without it is refused.
    let form = http(
        a,
        "POST",
        &format!("/inventory/columns/{id}/review"),
        &[
            ("Cookie", &reviewer.cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        "csrf=wrong&types=cn_mobile&level=&reason=x",
    );
    assert_eq!(form.status, 403);
    let dash = reviewer.get("/");
    assert_eq!(dash.status, 200);
    assert!(dash.body.contains("概览 Dashboard"));

    // Logout ends the session.
    assert_eq!(
        viewer.post("/api/logout", &serde_json::json!({})).status,
        204
    );
    assert_eq!(viewer.get("/api/me").status, 401);

    // The audit log has every state change, and its chain verifies.
    let log = admin.get("/api/audit").json();
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for want in [
        "user_created",
        "login",
        "login_failed",
        "column_reviewed",
        "logout",
    ] {
        assert!(actions.contains(&want), "{want} missing from {actions:?}");
    }
    assert!(admin.get("/api/audit/verify").json()["broken_at"].is_null());
    drop(srv);
    let verify = audit_verify(&catalog);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    assert!(String::from_utf8_lossy(&verify.stdout).contains("chain intact"));

    // Tampering with one entry is detected and named.
    let c = rusqlite::Connection::open(&catalog).unwrap();
    c.execute(
        "UPDATE audit_log SET actor = 'someone-else' WHERE action = 'column_reviewed'",
        [],
    )
    .unwrap();
    let verify = audit_verify(&catalog);
    assert_eq!(verify.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&verify.stdout).contains("was edited"));
    // So is removing one.
    c.execute(
        "UPDATE audit_log SET actor = 'rui' WHERE action = 'column_reviewed'",
        [],
    )
    .unwrap();
    c.execute("DELETE FROM audit_log WHERE action = 'login' AND id = (SELECT MIN(id) FROM audit_log WHERE action = 'login')", [])
        .unwrap();
    let verify = audit_verify(&catalog);
    assert_eq!(verify.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&verify.stdout).contains("removed"));
}

/// `anshu audit verify` on a catalog.
fn audit_verify(catalog: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_anshu"))
        .args(["audit", "verify"])
        .env("ANSHU_CATALOG", catalog)
        .output()
        .unwrap()
}

#[test]
fn console_sources_scans_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.db");
    let srv = start(&catalog);
    let a = &srv.addr;
    let admin = login(a, "admin", "admin-password-for-tests");
    let r = admin.post(
        "/api/users",
        &serde_json::json!({"username": "otto", "password": "otto-password-123", "role": "operator"}),
    );
    assert_eq!(r.status, 201);
    let op = login(a, "otto", "otto-password-123");

    // A directory source: added, tested, scanned to completion with progress.
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo");
    let r = op.post(
        "/api/sources",
        &serde_json::json!({"name": "demo", "uri": demo.to_str().unwrap()}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let src = r.json();
    let sid = src["id"].as_i64().unwrap();
    let t = op.post(&format!("/api/sources/{sid}/test"), &serde_json::json!({}));
    assert_eq!(t.json()["ok"], true, "{}", t.body);
    let r = op.post("/api/scans", &serde_json::json!({"source_id": sid}));
    assert_eq!(r.status, 202, "{}", r.body);
    let job = r.json()["id"].as_u64().unwrap();
    let mut last = serde_json::Value::Null;
    for _ in 0..300 {
        last = op.get(&format!("/api/scans/{job}")).json();
        if last["status"] != "running" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(last["status"], "done", "{last}");
    assert_eq!(last["done"], last["total"]);
    assert!(last["total"].as_u64().unwrap() >= 5);
    assert!(last["found"]["cn_mobile"].as_u64().unwrap() >= 1, "{last}");
    // The scan recorded itself in the catalog the console reads.
    let cols = op.get("/api/inventory/columns?type=cn_resident_id").json();
    assert!(
        !cols.as_array().unwrap().is_empty(),
        "{last} {}",
        op.get("/api/inventory/columns").body
    );
    // The progress page renders for it.
    let p = op.get(&format!("/scans/{job}"));
    assert_eq!(p.status, 200);
    assert!(p.body.contains("/api/scans/"));

    // A database source: the password leaves the URL, is stored encrypted, never returned.
    let url = "postgres://root:pw-never-shown@127.0.0.1:5432/test";
    let r = op.post(
        "/api/sources",
        &serde_json::json!({"name": "pg", "uri": url}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(!r.body.contains("pw-never-shown"));
    assert_eq!(r.json()["has_credential"], true);
    let pid = r.json()["id"].as_i64().unwrap();
    let list = op.get("/api/sources");
    assert!(!list.body.contains("pw-never-shown"));
    let t = op.post(&format!("/api/sources/{pid}/test"), &serde_json::json!({}));
    assert_eq!(t.json()["ok"], true, "{}", t.body);
    let raw = std::fs::read(&catalog).unwrap();
    assert!(
        !String::from_utf8_lossy(&raw).contains("pw-never-shown"),
        "plaintext credential in the catalog"
    );

    // Cancelling a scan.
    let r = op.post("/api/scans", &serde_json::json!({"source_id": sid}));
    let job2 = r.json()["id"].as_u64().unwrap();
    let c = op.post(&format!("/api/scans/{job2}/cancel"), &serde_json::json!({}));
    assert_eq!(c.status, 200);
    assert!(
        matches!(c.json()["status"].as_str(), Some("cancelled" | "done")),
        "{}",
        c.body
    );

    // Exports: the important-data catalogue as XLSX, the inventory as CSV.
    let x = op.get("/api/exports/important?format=xlsx");
    assert_eq!(x.status, 200);
    assert!(x
        .header("content-disposition")
        .unwrap()
        .contains("anshu-important.xlsx"));
    let csv = op.get("/api/exports/inventory?format=csv");
    assert_eq!(csv.status, 200);
    assert!(csv.body.contains("cn_resident_id"));
    assert_eq!(op.get("/api/exports/nothing").status, 404);

    // A masked copy of the source, and a marked share of one of its files, as console jobs.
    let wait = |job: u64| -> serde_json::Value {
        for _ in 0..600 {
            let j = op.get(&format!("/api/jobs/{job}")).json();
            if j["status"] != "running" {
                return j;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("job {job} did not finish");
    };
    let masked = dir.path().join("masked");
    let r = op.post(
        "/api/masks",
        &serde_json::json!({"source_id": sid, "output": masked.to_str().unwrap(), "preset": "default"}),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let j = wait(r.json()["id"].as_u64().unwrap());
    assert_eq!(j["status"], "done", "{j}");
    assert_eq!(j["kind"], "mask");
    assert_eq!(j["result"]["verification"]["passed"], true, "{j}");
    assert!(masked.join("mask-record.json").exists());
    assert!(masked.join("customers_gbk.csv").exists());
    let out = dir.path().join("shared.csv");
    let r = op.post(
        "/api/shares",
        &serde_json::json!({"source_id": sid, "file": "customers_gbk.csv", "recipient": "甲公司",
                            "output": out.to_str().unwrap(), "preset": "share", "purpose": "对账"}),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let j = wait(r.json()["id"].as_u64().unwrap());
    assert_eq!(j["status"], "done", "{j}");
    let share_id = j["result"]["share"]["share_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let registry = op.get("/api/shares").json();
    assert!(registry
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["share_id"] == share_id && s["recipient"] == "甲公司"));
    // The copy traces back to its recipient with the console's key.
    let t = Command::new(env!("CARGO_BIN_EXE_anshu"))
        .args([
            "trace",
            out.to_str().unwrap(),
            "--key-file",
            srv.key_file.to_str().unwrap(),
            "--format",
            "json",
        ])
        .env("ANSHU_CATALOG", &catalog)
        .output()
        .unwrap();
    let t: serde_json::Value = serde_json::from_slice(&t.stdout).unwrap();
    assert_eq!(t["recipient"], "甲公司", "{t}");
    // Files outside the source are refused.
    let r = op.post(
        "/api/shares",
        &serde_json::json!({"source_id": sid, "file": "../../Cargo.toml", "recipient": "x", "output": "/tmp/x.toml"}),
    );
    assert_eq!(r.status, 400, "{}", r.body);

    // Viewers may not add sources or start scans.
    let r = admin.post(
        "/api/users",
        &serde_json::json!({"username": "vera", "password": "vera-password-123", "role": "viewer"}),
    );
    assert_eq!(r.status, 201);
    let v = login(a, "vera", "vera-password-123");
    assert_eq!(
        v.post(
            "/api/sources",
            &serde_json::json!({"name": "x", "uri": "/tmp"})
        )
        .status,
        403
    );
    assert_eq!(
        v.post("/api/scans", &serde_json::json!({"source_id": sid}))
            .status,
        403
    );
    assert_eq!(
        v.post(&format!("/api/scans/{job}/cancel"), &serde_json::json!({}))
            .status,
        403
    );
    // And the audit log saw it all.
    let log = admin.get("/api/audit?limit=100").body;
    for want in [
        "source_added",
        "scan_started",
        "scan_cancelled",
        "exported",
        "mask_started",
        "share_started",
    ] {
        assert!(log.contains(want), "{want}");
    }
    assert!(!log.contains("pw-never-shown"));
}

/// The catalog in PostgreSQL (a team's shared catalog): accounts, sessions and the audit chain
/// live there too.
#[test]
fn console_on_a_postgresql_catalog() {
    let schema = format!("anshu_console_{}", std::process::id());
    let url = format!("postgres://root@127.0.0.1:5432/test?schema={schema}");
    let mut pg = postgres::Client::connect(
        "host=127.0.0.1 port=5432 user=root dbname=test",
        postgres::NoTls,
    )
    .unwrap();
    pg.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .unwrap();
    {
        let srv = start_with(&url);
        let admin = login(&srv.addr, "admin", "admin-password-for-tests");
        assert_eq!(admin.get("/api/inventory/columns").status, 200);
        let r = admin.post(
            "/api/users",
            &serde_json::json!({"username": "vera", "password": "vera-password-123", "role": "viewer"}),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        assert!(admin.get("/api/audit/verify").json()["broken_at"].is_null());
    }
    let n: i64 = pg
        .query_one(&format!("SELECT count(*) FROM {schema}.audit_log"), &[])
        .unwrap()
        .get(0);
    assert!(n >= 3, "{n}");
    pg.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
        .unwrap();
}
