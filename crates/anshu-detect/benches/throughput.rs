//! Single-thread throughput of `Detector::scan_text` with the built-in rules.
//!
//!     cargo bench -p anshu-detect --bench throughput
//!
//! Environment:
//! - `ANSHU_BENCH_CORPUS`: a UTF-8 text file to scan (see `bench/gen_corpus.py`). Without it,
//!   about 64 MB are generated in memory from a small template.
//! - `ANSHU_BENCH_ITERS`: passes over the corpus (default 3).
//! - `ANSHU_BENCH_TYPES`: comma-separated type ids to keep (e.g. `email,ipv4,ipv6,bank_card,
//!   cn_mobile,cn_landline`); all built-in types by default.
//! - `ANSHU_BENCH_KEEP`: `type:i,j` keeps only patterns i and j of one type (e.g.
//!   `person_name:0`), to show what each pattern costs.
//! - `ANSHU_BENCH_PROFILE=1`: also time the bare multi-pattern regex search (no validation, no
//!   retries) and each text pattern on its own, to show where `scan_text` spends its time.
//!
//! The corpus is cut into 4 MB chunks at line ends, as the text reader does, and scanned on one
//! thread. The last line printed starts with `RESULT` and is meant for scripts.

use std::time::{Duration, Instant};

use anshu_detect::{Boundary, Detector, DetectorOptions, RuleSet, Span};
use anshu_testkit::{luhn_check_digit, with_resident_check, Rng};
use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_automata::{Input, MatchKind};

const CHUNK: usize = 4 << 20;

fn main() {
    let iters: usize = std::env::var("ANSHU_BENCH_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);
    let (corpus, origin) = match std::env::var("ANSHU_BENCH_CORPUS") {
        Ok(p) if !p.is_empty() => {
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {p}: {e}"));
            let text = String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            (text, p)
        }
        _ => (generate(64 << 20), "generated in memory".to_owned()),
    };
    let chunks = split_lines(&corpus, CHUNK);
    let mb = corpus.len() as f64 / 1e6;

    let mut rules = RuleSet::builtin();
    let wanted: Option<Vec<String>> = std::env::var("ANSHU_BENCH_TYPES")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.split(',').map(|t| t.trim().to_owned()).collect());
    if let Some(w) = &wanted {
        rules.types.retain(|t| w.contains(&t.id));
        assert!(
            !rules.types.is_empty(),
            "ANSHU_BENCH_TYPES matched no built-in type"
        );
    }
    // `type:i,j`: keep only those patterns of one type, to see what each costs.
    if let Ok(keep) = std::env::var("ANSHU_BENCH_KEEP") {
        let (id, idx) = keep.split_once(':').unwrap_or((keep.as_str(), ""));
        let idx: Vec<usize> = idx.split(',').filter_map(|k| k.parse().ok()).collect();
        for t in rules.types.iter_mut().filter(|t| t.id == id) {
            t.patterns = t
                .patterns
                .iter()
                .enumerate()
                .filter(|(i, _)| idx.contains(i))
                .map(|(_, p)| p.clone())
                .collect();
        }
    }
    let t0 = Instant::now();
    let det = Detector::new(&rules, DetectorOptions::default()).expect("built-in rules compile");
    let compile = t0.elapsed();
    let text_types: Vec<&str> = rules
        .types
        .iter()
        .filter(|t| t.text && !t.patterns.is_empty())
        .map(|t| t.id.as_str())
        .collect();

    println!("corpus: {origin}: {mb:.1} MB in {} chunks", chunks.len());
    println!(
        "types: {} with text patterns ({}); compile {:.0} ms",
        text_types.len(),
        if wanted.is_some() {
            text_types.join(",")
        } else {
            "all built-in".to_owned()
        },
        compile.as_secs_f64() * 1e3
    );

    let mut spans: Vec<Span> = Vec::new();
    let mut times = Vec::new();
    let mut cpu_times: Vec<Duration> = Vec::new();
    let mut findings = 0usize;
    let mut by_type = vec![0usize; det.types().len()];
    for i in 0..iters {
        let t = Instant::now();
        let cpu0 = thread_cpu();
        let mut n = 0;
        for c in &chunks {
            spans.clear();
            det.scan_text(c, &mut spans);
            n += spans.len();
            if i == 0 {
                for s in &spans {
                    by_type[s.ty as usize] += 1;
                }
            }
        }
        let el = t.elapsed();
        let cpu = thread_cpu().zip(cpu0).map(|(b, a)| b.saturating_sub(a));
        findings = n;
        let on_cpu = cpu.map_or(String::new(), |c| {
            format!(
                "  (on-CPU {:.3} s, {:.1} MB/s)",
                c.as_secs_f64(),
                mb / c.as_secs_f64()
            )
        });
        println!(
            "  pass {}: {:.3} s  {:.1} MB/s{on_cpu}",
            i + 1,
            el.as_secs_f64(),
            mb / el.as_secs_f64()
        );
        times.push(el);
        cpu_times.extend(cpu);
    }
    times.sort();
    let best = mb / times[0].as_secs_f64();
    let median = mb / times[times.len() / 2].as_secs_f64();
    let per_mb = findings as f64 / mb;
    let mut counts: Vec<(usize, &str)> = by_type
        .iter()
        .enumerate()
        .filter(|(_, &n)| n > 0)
        .map(|(i, &n)| (n, det.types()[i].id.as_str()))
        .collect();
    counts.sort_by(|a, b| b.cmp(a));
    println!(
        "findings: {findings} ({per_mb:.0}/MB): {}",
        counts
            .iter()
            .map(|(n, id)| format!("{id}={n}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    cpu_times.sort();
    let cpu_median = cpu_times
        .get(cpu_times.len() / 2)
        .map_or(0.0, |c: &Duration| mb / c.as_secs_f64());
    println!(
        "scan_text, one thread: best {best:.1} MB/s, median {median:.1} MB/s (wall); median {cpu_median:.1} MB/s of on-CPU time"
    );

    if std::env::var("ANSHU_BENCH_PROFILE").is_ok_and(|v| v == "1") {
        profile(&rules, &chunks, mb, median);
    }
    println!(
        "RESULT mbps_best={best:.2} mbps_median={median:.2} mbps_cpu_median={cpu_median:.2} findings_per_mb={per_mb:.1} mb={mb:.2} iters={iters}"
    );
}

/// Time this thread has spent on a CPU, from the scheduler's statistics (Linux); `None`
/// elsewhere. Unlike wall time it does not count time lost to other processes on a busy machine.
fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Splits `text` into pieces of at most about `size` bytes that end after a newline.
fn split_lines(text: &str, size: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        if rest.len() <= size {
            out.push(rest);
            break;
        }
        let cut = match rest.as_bytes()[..size].iter().rposition(|&b| b == b'\n') {
            Some(i) => i + 1,
            None => {
                let mut i = size;
                while !rest.is_char_boundary(i) {
                    i -= 1;
                }
                i
            }
        };
        out.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    out
}

/// The detector's regex configuration (see `build_regex` in detector.rs), for the bare-search
/// comparison.
fn regex(patterns: &[&str]) -> Regex {
    Regex::builder()
        .configure(
            meta::Config::new()
                .match_kind(MatchKind::LeftmostFirst)
                .hybrid_cache_capacity(64 << 20)
                .nfa_size_limit(Some(256 << 20))
                .dfa_size_limit(Some(32 << 20)),
        )
        .syntax(syntax::Config::new().unicode(true).utf8(true))
        .build_many(patterns)
        .expect("patterns compile")
}

fn time_search(re: &Regex, chunks: &[&str]) -> (Duration, usize) {
    let t = Instant::now();
    let mut n = 0;
    for c in chunks {
        n += re.find_iter(Input::new(c.as_bytes())).count();
    }
    (t.elapsed(), n)
}

fn hybrid_stats(label: &str, patterns: &[&str], chunks: &[&str], mb: f64) {
    use regex_automata::hybrid::{dfa, regex::Regex as HRegex};
    use regex_automata::nfa::thompson;
    let re = HRegex::builder()
        .syntax(syntax::Config::new().unicode(true).utf8(true))
        .thompson(thompson::Config::new().nfa_size_limit(Some(256 << 20)))
        .dfa(
            dfa::Config::new()
                .match_kind(MatchKind::LeftmostFirst)
                .cache_capacity(64 << 20),
        )
        .build_many(patterns)
        .expect("patterns compile");
    let mut cache = re.create_cache();
    for pass in 1..=2 {
        let t = Instant::now();
        let n = chunks
            .iter()
            .map(|c| re.find_iter(&mut cache, Input::new(c.as_bytes())).count())
            .sum::<usize>();
        let el = t.elapsed();
        let (f, r) = cache.as_parts();
        println!(
            "profile: lazy DFA, {label}, pass {pass}: {:.1} MB/s, {n} matches; forward cache {:.1} MB, cleared {} times; reverse cache {:.1} MB, cleared {} times",
            mb / el.as_secs_f64(),
            f.memory_usage() as f64 / 1e6,
            f.clear_count(),
            r.memory_usage() as f64 / 1e6,
            r.clear_count()
        );
    }
}

/// Times a second pass, after a first one has filled the lazy DFA's cache.
fn warm_search(re: &Regex, chunks: &[&str]) -> (Duration, usize) {
    let _ = time_search(re, chunks);
    time_search(re, chunks)
}

/// Rewrites `\d` as `[0-9]` (`0-9` inside a class): with Unicode on, `\d` is any of ~700
/// decimal digits in 60-odd scripts, which the validators reject anyway.
fn ascii_digits(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut in_class = false;
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('d') => out.push_str(if in_class { "0-9" } else { "[0-9]" }),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            },
            '[' => {
                in_class = true;
                out.push(c);
            }
            ']' => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Where the time goes: the multi-pattern search without validation or retries, which patterns
/// the leftmost-first candidates come from, each pattern alone, the marginal cost of each pattern,
/// and two cheaper formulations of the same search.
fn profile(rules: &RuleSet, chunks: &[&str], mb: f64, scan_median: f64) {
    let pats: Vec<(&str, &str)> = rules
        .types
        .iter()
        .filter(|t| t.text)
        .flat_map(|t| t.patterns.iter().map(move |p| (t.id.as_str(), p.as_str())))
        .collect();
    let all: Vec<&str> = pats.iter().map(|(_, p)| *p).collect();
    let re = regex(&all);
    let (cold, _) = time_search(&re, chunks);
    let t = Instant::now();
    let mut winners = vec![0usize; pats.len()];
    for c in chunks {
        for m in re.find_iter(Input::new(c.as_bytes())) {
            winners[m.pattern().as_usize()] += 1;
        }
    }
    let warm = t.elapsed();
    let n: usize = winners.iter().sum();
    let bare = mb / warm.as_secs_f64();
    println!(
        "profile: bare find_iter, all {} patterns, new regex: first pass {:.1} MB/s, second {bare:.1} MB/s; {n} leftmost candidates ({:.0}/MB); scan_text takes {:.1}x the bare search time",
        all.len(),
        mb / cold.as_secs_f64(),
        n as f64 / mb,
        bare / scan_median
    );
    let mut w: Vec<(usize, &str)> = winners
        .iter()
        .zip(&pats)
        .map(|(n, (id, _))| (*n, *id))
        .collect();
    w.sort_by(|a, b| b.cmp(a));
    println!(
        "profile: candidates by pattern: {}",
        w.iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, id)| format!("{id}={n}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!("profile: pattern                 alone MB/s   matches  | all but this one: MB/s");
    for (i, (id, p)) in pats.iter().enumerate() {
        let (el, n) = warm_search(&regex(&[p]), chunks);
        let rest: Vec<&str> = all
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, p)| *p)
            .collect();
        let (el2, _) = warm_search(&regex(&rest), chunks);
        println!(
            "profile:   {id:<20} {:>10.1} {:>9}  | {:>8.1}",
            mb / el.as_secs_f64(),
            n,
            mb / el2.as_secs_f64()
        );
    }
    let ascii: Vec<String> = all.iter().map(|p| ascii_digits(p)).collect();
    let (el, n) = warm_search(
        &regex(&ascii.iter().map(String::as_str).collect::<Vec<_>>()),
        chunks,
    );
    println!(
        "profile: bare find_iter, all patterns with \\d as [0-9]: {:.1} MB/s, {n} candidates",
        mb / el.as_secs_f64()
    );
    // Splits: patterns that begin with a CJK literal, and email (whose '@' is a literal the
    // engine can look for), get their own regex and so their own literal prefilter.
    let cjk = ["address", "company_name", "person_name", "cn_license_plate"];
    let group = |keep: &dyn Fn(&str) -> bool| -> Vec<&str> {
        pats.iter()
            .zip(&ascii)
            .filter(|((id, _), _)| keep(id))
            .map(|(_, p)| p.as_str())
            .collect()
    };
    let splits: [(&str, Vec<Vec<&str>>); 2] = [
        (
            "non-CJK | CJK-prefixed",
            vec![
                group(&|id| !cjk.contains(&id)),
                group(&|id| cjk.contains(&id)),
            ],
        ),
        (
            "non-CJK without email | email | CJK-prefixed",
            vec![
                group(&|id| !cjk.contains(&id) && id != "email"),
                group(&|id| id == "email"),
                group(&|id| cjk.contains(&id)),
            ],
        ),
    ];
    for (label, groups) in splits {
        let mut total = Duration::ZERO;
        let mut parts = Vec::new();
        for g in &groups {
            let (el, n) = warm_search(&regex(g), chunks);
            total += el;
            parts.push(format!("{:.1} MB/s ({n})", mb / el.as_secs_f64()));
        }
        println!(
            "profile: split with [0-9], {label}: {}; all passes {:.1} MB/s",
            parts.join(" | "),
            mb / total.as_secs_f64()
        );
    }
    // Word boundaries: every type with the default `alnum` boundary is rejected by boundary_ok
    // when it starts inside an ASCII word, so an ASCII `\\b` in front (and, in the second
    // variant, behind) lets the DFA drop threads that start mid-word (hashes, long IDs). Types
    // whose match can start with a non-word byte (+86…, (010)…, -12.3…, ::1) are left alone.
    let non_word_start = ["cn_mobile", "cn_landline", "geo_coordinate", "ipv6"];
    let mut bounded: Vec<(&str, Vec<String>)> = Vec::new();
    for trail in [false, true] {
        let ps: Vec<String> = rules
            .types
            .iter()
            .filter(|t| t.text)
            .flat_map(|t| t.patterns.iter().map(move |p| (t, p.as_str())))
            .map(|(t, p)| {
                if t.boundary != Boundary::Alnum {
                    return p.to_owned();
                }
                let lead = if non_word_start.contains(&t.id.as_str()) {
                    ""
                } else {
                    "(?-u:\\b)"
                };
                let tail = if trail && t.id != "ipv6" {
                    "(?-u:\\b)"
                } else {
                    ""
                };
                format!("{lead}(?:{p}){tail}")
            })
            .collect();
        let label = if trail {
            "leading and trailing"
        } else {
            "leading"
        };
        let (el, n) = warm_search(
            &regex(&ps.iter().map(String::as_str).collect::<Vec<_>>()),
            chunks,
        );
        println!(
            "profile: bare find_iter, {label} (?-u:\\b) on alnum-bounded types: {:.1} MB/s, {n} candidates",
            mb / el.as_secs_f64()
        );
        bounded.push((label, ps));
    }
    // The lazy DFA itself, to see how big it gets and whether its cache is ever cleared.
    let without_tw: Vec<&str> = pats
        .iter()
        .filter(|(id, _)| *id != "cn_taiwan_permit")
        .map(|(_, p)| *p)
        .collect();
    for (label, ps) in [
        ("all patterns", all.clone()),
        ("all with [0-9]", ascii.iter().map(String::as_str).collect()),
        ("all but cn_taiwan_permit", without_tw),
    ] {
        hybrid_stats(label, &ps, chunks, mb);
    }
    for (label, ps) in &bounded {
        let ps: Vec<&str> = ps.iter().map(String::as_str).collect();
        hybrid_stats(&format!("{label} \\b"), &ps, chunks, mb);
    }
}

// ---- in-memory corpus -------------------------------------------------------------------------

fn luhn_complete(body: &str) -> String {
    format!("{body}{}", luhn_check_digit(body))
}

fn resident_id(r: &mut Rng) -> String {
    let region = r.pick(&[
        "110105", "310104", "440305", "330106", "510107", "500228", "420106",
    ]);
    let body = format!(
        "{region}{}{:02}{:02}{}",
        1950 + r.below(55),
        1 + r.below(12),
        1 + r.below(28),
        r.digits(3)
    );
    with_resident_check(&body)
}

/// About `size` bytes of mixed Chinese and English log lines and prose from a small template;
/// roughly a third of the lines carry sensitive values. For a realistic corpus use
/// `bench/gen_corpus.py`.
fn generate(size: usize) -> String {
    const PROSE: &[&str] = &[
        "系统将于今晚二十三点进行例行维护，届时部分服务可能短暂不可用。",
        "本季度营业收入同比增长百分之十二，主要得益于线上渠道的持续拓展。",
        "根据相关规定，个人信息的收集和使用应当遵循合法、正当、必要的原则。",
        "深圳研发中心新招聘了二十名工程师，主要负责平台的性能优化。",
        "The nightly batch finished without errors and all checksums matched the source tables.",
        "Latency at the 99th percentile improved after the cache was moved closer to the workers.",
    ];
    const NAMES: &[&str] = &["武晓", "张伟", "李娜", "王秀英", "欧阳明", "陈静", "刘洋"];
    const ROLES: &[&str] = &["客户", "收件人", "联系人", "持卡人", "车主"];
    const ADDR: &[&str] = &[
        "云南省昆明市宜良县幸福路96号16栋2单元794室",
        "广东省深圳市南山区科技大道12号3栋1单元1201室",
        "浙江省杭州市西湖区文化路288号",
    ];
    const MAIL: &[&str] = &["qq.com", "163.com", "corp.com.cn", "example.org"];
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let mut s = String::with_capacity(size + 512);
    let mut t = 0u64;
    while s.len() < size {
        t += r.below(3);
        let ts = format!(
            "2025-01-{:02} {:02}:{:02}:{:02}",
            1 + t / 86_400 % 28,
            t / 3600 % 24,
            t / 60 % 60,
            t % 60
        );
        let line = match r.below(10) {
            0..=2 => format!(
                "{ts}.{:03} INFO [order-svc] GET /api/v1/orders/{} status=200 latency={}ms trace={:016x}{:016x}\n",
                r.below(1000),
                r.below(1_000_000),
                r.below(900),
                r.next(),
                r.next()
            ),
            3 => format!("[{ts}] 订单2025{}已支付，金额¥{}.{:02}，版本3.{}.{}\n", r.digits(14), r.below(20000), r.below(100), r.below(20), r.below(100)),
            4 | 5 => format!("{}{}\n", r.pick(PROSE), r.pick(PROSE)),
            6 => format!(
                "[{ts}] WARN payment failed card={} uid={} phone=1{}{} user={}{}@{} ip={}.{}.{}.{}\n",
                luhn_complete(&format!("622848{}", r.digits(9))),
                r.below(100_000),
                r.pick(&["38", "39", "86", "59", "77"]),
                r.digits(8),
                r.pick(&["zhang", "li", "wang", "james.chen"]),
                r.below(9999),
                r.pick(MAIL),
                1 + r.below(223),
                r.below(256),
                r.below(256),
                1 + r.below(254)
            ),
            7 => format!(
                "{}{}（身份证号{}，手机13{}）于2022年10月22日在{}办理了开户业务。\n",
                r.pick(ROLES),
                r.pick(NAMES),
                resident_id(&mut r),
                r.digits(9),
                r.pick(ADDR)
            ),
            8 => format!(
                "{ts} INFO dhcp mac={:02X}:{:02X}:{:02X}:{:02X}:{:02X}:{:02X} ipv6=2408:{:x}:{:x}::{:x}\n",
                r.below(256), r.below(256), r.below(256), r.below(256), r.below(256), r.below(256),
                r.below(65536), r.below(65536), r.below(65536)
            ),
            _ => format!("{} 联系电话010-{}{}，供应商：北京华信科技有限公司。\n", r.pick(PROSE), 2 + r.below(8), r.digits(7)),
        };
        s.push_str(&line);
    }
    s
}
