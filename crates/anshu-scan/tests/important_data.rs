//! Important-data identification at the threshold, on a generated dataset (not committed):
//! 1,000,000 distinct people's resident ID numbers are sensitive personal information of
//! ≥ 1,000,000 people (important data under gbt43697); 999,999 are not. And the estimate used
//! when sampling stays within its stated error.

use std::io::Write;
use std::path::Path;

use anshu_detect::{Date, Detector, DetectorOptions, RuleSet};
use anshu_report::Report;
use anshu_scan::{scan_file, Progress, ReportBuilder, ScanOptions, SKETCH_REL_ERROR_95};
use anshu_source::FileEntry;

/// The n-th distinct valid resident ID: region 110101, a birth date in 1950–2004 and a sequence.
fn resident_id(n: u32) -> String {
    let day = n / 1000;
    let seq = n % 1000;
    // Days since 1950-01-01, mapped to a valid date with 28 days a month to stay simple.
    let (y, m, d) = (1950 + day / (12 * 28), 1 + (day / 28) % 12, 1 + day % 28);
    let body = format!("110101{y:04}{m:02}{d:02}{seq:03}");
    anshu_testkit::with_resident_check(&body)
}

fn write_ids(path: &Path, n: u32) {
    let f = std::fs::File::create(path).unwrap();
    let mut w = std::io::BufWriter::new(f);
    writeln!(w, "身份证号,金额").unwrap();
    for i in 0..n {
        writeln!(w, "{},{}", resident_id(i), i % 977).unwrap();
    }
    // A repeated person does not count twice.
    writeln!(w, "{},1", resident_id(0)).unwrap();
    w.flush().unwrap();
}

fn scan(path: &Path, full: bool) -> Report {
    let det = Detector::new(
        &RuleSet::builtin(),
        DetectorOptions {
            today: Date::new(2026, 11, 22),
            min_confidence: 0.5,
        },
    )
    .unwrap();
    let opts = ScanOptions {
        full,
        ..Default::default()
    };
    let entry = FileEntry {
        path: path.to_path_buf(),
        size: std::fs::metadata(path).unwrap().len(),
        root: 0,
    };
    let b = ReportBuilder::new(Default::default(), opts.pack.clone(), vec!["ids".into()]);
    b.add(0, scan_file(&det, &entry, &opts, &Progress::default()));
    b.finish(0)
}

#[test]
fn one_million_people_is_important_data_and_one_less_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ids.csv");

    write_ids(&p, 1_000_000);
    let r = scan(&p, true);
    let s = &r.sources[0];
    assert_eq!(s.people_sensitive.count, 1_000_000);
    assert!(s.people_sensitive.exact);
    assert!(s.important, "{s:?}");
    assert_eq!(s.grade.level, "important");
    assert!(s
        .important_hits
        .iter()
        .any(|h| h.threshold == "tjftz-sensitive-1m" && h.certain));
    assert_eq!(r.tables[0].identifier.as_deref(), Some("cn_resident_id"));

    write_ids(&p, 999_999);
    let r = scan(&p, true);
    let s = &r.sources[0];
    assert_eq!(s.people_sensitive.count, 999_999);
    assert!(!s.important, "{s:?}");
    assert_eq!(s.grade.level, "general-4");
}

#[test]
fn sampling_estimate_is_within_its_stated_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ids.csv");
    let n = 400_000u32;
    write_ids(&p, n);
    let r = scan(&p, false);
    let people = r.sources[0].people_sensitive;
    assert!(!people.exact);
    assert_eq!(people.rel_error_95, SKETCH_REL_ERROR_95);
    let err = (people.count as f64 - f64::from(n)).abs() / f64::from(n);
    assert!(
        err <= people.rel_error_95,
        "estimate {} for {n}: error {err:.4}",
        people.count
    );
    // The column decision itself came from the 1,000-row sample.
    let col = r.columns.iter().find(|c| c.column == "身份证号").unwrap();
    assert_eq!(col.sampled, 1000);
    assert_eq!(col.grade.level, "general-4");
}
