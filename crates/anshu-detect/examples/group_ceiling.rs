//! Times the bare search of each pattern group over a corpus (no validation), to show the
//! ceiling that `scan_text` works under. `cargo run --release -p anshu-detect --example
//! group_ceiling -- FILE`
use std::time::Instant;

use anshu_detect::RuleSet;
use regex_automata::meta::Regex;
use regex_automata::Input;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: group_ceiling FILE");
        return;
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            return;
        }
    };
    let rules = RuleSet::builtin();
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for t in rules.types.iter().filter(|t| t.text && !t.hint_required) {
        match groups.iter_mut().find(|(g, _)| *g == t.group) {
            Some((_, v)) => v.extend(t.patterns.iter().cloned()),
            None => groups.push((t.group.clone(), t.patterns.clone())),
        }
    }
    let mb = text.len() as f64 / 1e6;
    for (g, pats) in &groups {
        let re = Regex::builder()
            .configure(Regex::config().hybrid_cache_capacity(64 << 20))
            .build_many(pats)
            .expect("builtin patterns compile");
        let t0 = Instant::now();
        let mut n = 0usize;
        let mut pos = 0;
        let hay = text.as_bytes();
        while let Some(m) = re.search(&Input::new(hay).span(pos..hay.len())) {
            n += 1;
            pos = m.end().max(m.start() + 1);
        }
        let s = t0.elapsed().as_secs_f64();
        println!(
            "{g:<8} {:>3} patterns  {:>8.1} MB/s  {:>8} matches ({:.0}/MB)",
            pats.len(),
            mb / s,
            n,
            n as f64 / mb
        );
        if std::env::var_os("ANCHORED").is_some() {
            let mut first = [false; 256];
            for (b, slot) in first.iter_mut().enumerate() {
                let c = b as u8;
                *slot = c.is_ascii_alphanumeric() || matches!(c, b'+' | b'(' | b'-' | b':');
            }
            let t0 = Instant::now();
            let n = anchored_at_word_starts(&re, hay, &first);
            let s = t0.elapsed().as_secs_f64();
            println!(
                "    anchored at word starts: {:>8.1} MB/s {:>8} matches",
                mb / s,
                n
            );
        }
        if std::env::var_os("EACH").is_some() {
            for (i, p) in pats.iter().enumerate() {
                let re = Regex::new(p).expect("compiles");
                let t0 = Instant::now();
                let n = re.find_iter(hay).count();
                let s = t0.elapsed().as_secs_f64();
                println!(
                    "    #{i:<2} {:>8.1} MB/s {:>7} matches  {}",
                    mb / s,
                    n,
                    &p.chars().take(60).collect::<String>()
                );
            }
        }
    }
}

/// Prototype: anchored searches at ASCII word starts only.
#[allow(dead_code)]
pub fn anchored_at_word_starts(re: &Regex, hay: &[u8], first: &[bool; 256]) -> usize {
    use regex_automata::Anchored;
    let mut n = 0;
    let mut i = 0;
    let len = hay.len();
    while i < len {
        let b = hay[i];
        if !first[b as usize] {
            i += 1;
            continue;
        }
        let prev_word = i > 0 && (hay[i - 1].is_ascii_alphanumeric() || hay[i - 1] == b'_');
        if prev_word {
            i += 1;
            continue;
        }
        if let Some(m) = re.search(&Input::new(hay).span(i..len).anchored(Anchored::Yes)) {
            n += 1;
            i = m.end().max(i + 1);
        } else {
            i += 1;
            while i < len && (hay[i].is_ascii_alphanumeric() || hay[i] == b'_') {
                i += 1;
            }
        }
    }
    n
}
