//! The console in headless Chromium (tests/browser/console.mjs, playwright-core): login, adding
//! a directory source, a scan to completion, a column override, the catalogue export, logout.
//! Screenshots are kept under the test's target directory (`browser-artifacts/`).
//!
//! Needs Debian's `chromium` and `tests/browser/node_modules` (`scripts/browser-deps.sh`
//! installs both; `.ci/run` calls it). Without them the test says so and stops, unless
//! `ANSHU_BROWSER_TESTS=required` (set by `.ci/run`), where their absence fails it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn console_in_a_real_browser() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let script = root.join("tests/browser/console.mjs");
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let ready = chromium.exists()
        && root
            .join("tests/browser/node_modules/playwright-core")
            .exists()
        && Command::new("node").arg("--version").output().is_ok();
    if !ready {
        let msg = "browser tests need chromium, node and tests/browser/node_modules: run scripts/browser-deps.sh";
        if std::env::var("ANSHU_BROWSER_TESTS").as_deref() == Ok("required") {
            panic!("{msg}");
        }
        eprintln!("note: {msg}; skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let srv = common::start(&dir.path().join("catalog.db"));
    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-artifacts");
    let _ = std::fs::remove_dir_all(&artifacts);
    let out = Command::new("node")
        .arg(&script)
        .arg(format!("http://{}", srv.addr))
        .arg("admin")
        .arg(common::ADMIN_PASSWORD)
        .arg(root.join("examples/demo").canonicalize().unwrap())
        .arg(&artifacts)
        .env("CHROMIUM", &chromium)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "{stdout}\n{}\nscreenshots in {}",
        String::from_utf8_lossy(&out.stderr),
        artifacts.display()
    );
    for shot in [
        "01-login",
        "03-scan-done",
        "05-column-overridden",
        "06-exports",
    ] {
        let p = artifacts.join(format!("{shot}.png"));
        assert!(
            std::fs::metadata(&p)
                .map(|m| m.len() > 1000)
                .unwrap_or(false),
            "{}",
            p.display()
        );
    }
    println!("screenshots in {}", artifacts.display());
}
