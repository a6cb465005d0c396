//! Helpers shared by the integration tests: a real `anshu serve` on a free loopback port, and
//! generated identifiers checked by an implementation independent of the product's.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";

pub struct Server {
    child: Child,
    pub addr: String,
    /// The masking key the server uses for masks and shares.
    pub key_file: std::path::PathBuf,
    _keys: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start(catalog: &Path) -> Server {
    start_with(catalog.to_str().unwrap())
}

pub fn start_with(catalog: &str) -> Server {
    let keys = tempfile::tempdir().unwrap();
    let key_file = keys.path().join("mask.key");
    let made = Command::new(env!("CARGO_BIN_EXE_anshu"))
        .args(["key", "new", "-o"])
        .arg(&key_file)
        .output()
        .unwrap();
    assert!(made.status.success());
    let mut child = Command::new(env!("CARGO_BIN_EXE_anshu"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("ANSHU_KEY_FILE", &key_file)
        .env("ANSHU_CATALOG", catalog)
        .env("ANSHU_CONSOLE_KEY", "11".repeat(32))
        .env("ANSHU_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let addr = loop {
        line.clear();
        assert!(err.read_line(&mut line).unwrap() > 0, "server exited");
        if let Some(rest) = line.split("console on http://").nth(1) {
            break rest.split('/').next().unwrap().to_owned();
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sink = String::new();
        let _ = err.read_to_string(&mut sink);
    });
    Server {
        child,
        addr,
        key_file,
        _keys: keys,
    }
}

/// A valid resident ID number for `i`: five regions, birth dates from 1960 to 1999, the GB 11643
/// check character from `anshu_testkit`, independently of `anshu_detect::validate`.
pub fn resident_id(i: u64) -> String {
    let regions = ["110105", "310104", "440305", "510107", "330106"];
    let body = format!(
        "{}{:04}{:02}{:02}{:03}",
        regions[(i % 5) as usize],
        1960 + i % 40,
        1 + i % 12,
        1 + i % 28,
        i % 1000
    );
    anshu_testkit::with_resident_check(&body)
}
