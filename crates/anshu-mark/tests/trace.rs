//! The scheme's statistical promises, checked in process on generated tables: fragments of a
//! table that was never shared accuse nobody (1,000 trials), colluders' mixtures point only at
//! colluders, and the tracer never panics on any cell.

use anshu_mark::{Candidate, Carrier, MarkParams, ShareKey, Tracer, Verdict, SCHEME};
use anshu_testkit::Rng;
use proptest::prelude::*;

fn params() -> MarkParams {
    MarkParams {
        scheme: SCHEME.into(),
        measure_decimals: vec![1, 2],
        opaque: true,
    }
}

fn candidates(n: usize) -> Vec<Candidate> {
    (0..n)
        .map(|i| {
            let share_id = format!("s-{i:04}");
            Candidate {
                key: ShareKey::new(&[9u8; 32], &share_id),
                share_id,
                recipient: format!("r{i:02}"),
                params: params(),
            }
        })
        .collect()
}

/// A row: a token, an amount with two decimals, a rating with one, and an integer.
fn row(rng: &mut Rng) -> [String; 4] {
    const B32: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let tok: String = (0..12)
        .map(|_| B32[rng.below(32) as usize] as char)
        .collect();
    [
        format!("PID_{tok}"),
        format!("{}.{:02}", rng.below(50_000), rng.below(100)),
        format!("{}.{}", 1 + rng.below(4), rng.below(10)),
        rng.below(10_000).to_string(),
    ]
}

fn marked(c: &Candidate, r: &[String; 4]) -> [String; 4] {
    [
        c.key.mark(Carrier::Opaque, &r[0]).unwrap(),
        c.key.mark(Carrier::Measure { decimals: 2 }, &r[1]).unwrap(),
        c.key.mark(Carrier::Measure { decimals: 1 }, &r[2]).unwrap(),
        r[3].clone(),
    ]
}

fn feed(t: &mut Tracer, rows: &[[String; 4]]) {
    for r in rows {
        for (i, v) in r.iter().enumerate() {
            t.cell_in(i, v);
        }
    }
}

#[test]
fn a_thousand_fragments_of_a_table_never_shared_accuse_nobody() {
    let cands = candidates(20);
    let mut rng = Rng(11);
    let table: Vec<[String; 4]> = (0..10_000).map(|_| row(&mut rng)).collect();
    let mut smallest_p = 1.0f64;
    let mut below_001 = 0;
    for trial in 0..1_000 {
        let n = 50 + (trial % 5) * 50;
        let rows: Vec<[String; 4]> = (0..n)
            .map(|_| table[rng.below(table.len() as u64) as usize].clone())
            .collect();
        let mut t = Tracer::new(cands.clone());
        feed(&mut t, &rows);
        let r = t.finish();
        assert!(
            r.recipient.is_none() && r.recipients.is_empty(),
            "trial {trial}: {r:?}"
        );
        assert_ne!(r.verdict, Verdict::Identified);
        smallest_p = smallest_p.min(r.candidates[0].p_value);
        if r.candidates[0].p_value < 0.01 {
            below_001 += 1;
        }
    }
    println!(
        "1000 null trials: smallest corrected p {smallest_p:.2e}; {below_001} trials below 0.01"
    );
    // Corrected p-values are valid: about 1 % of trials fall below 0.01, never near 1e-6.
    assert!(smallest_p > 1e-5, "{smallest_p}");
    assert!(below_001 < 40, "{below_001}");
}

#[test]
fn colluders_mixing_two_or_three_copies_never_frame_an_innocent() {
    let cands = candidates(20);
    let mut rng = Rng(5);
    let table: Vec<[String; 4]> = (0..5_000).map(|_| row(&mut rng)).collect();
    for colluders in [vec![2usize, 9], vec![1, 4, 16]] {
        for rows in [150usize, 300, 600] {
            // Row-wise mixture: each row from one colluder's copy.
            let mut frag = Vec::new();
            for k in 0..rows {
                let c = &cands[colluders[k % colluders.len()]];
                frag.push(marked(c, &table[rng.below(5_000) as usize]));
            }
            let mut t = Tracer::new(cands.clone());
            feed(&mut t, &frag);
            let r = t.finish();
            let names: Vec<String> = colluders
                .iter()
                .map(|&i| cands[i].recipient.clone())
                .collect();
            match r.verdict {
                Verdict::Identified => {
                    assert!(names.contains(r.recipient.as_ref().unwrap()), "{r:?}")
                }
                Verdict::Mixed => assert!(r.recipients.iter().all(|x| names.contains(x)), "{r:?}"),
                _ => {}
            }
            for s in &r.candidates {
                if !names.contains(&s.recipient) {
                    assert!(
                        s.p_value > 1e-6,
                        "innocent {} at {}",
                        s.recipient,
                        s.p_value
                    );
                }
            }
            // Cell-wise mixture: each cell from a random colluder (the strongest averaging a
            // colluder can do without the key).
            let mut frag = Vec::new();
            for _ in 0..rows {
                let base = &table[rng.below(5_000) as usize];
                let copies: Vec<[String; 4]> =
                    colluders.iter().map(|&i| marked(&cands[i], base)).collect();
                let mixed: [String; 4] = std::array::from_fn(|j| {
                    copies[rng.below(copies.len() as u64) as usize][j].clone()
                });
                frag.push(mixed);
            }
            let mut t = Tracer::new(cands.clone());
            feed(&mut t, &frag);
            let r = t.finish();
            if let Some(x) = &r.recipient {
                assert!(names.contains(x), "{r:?}");
            }
            assert!(r.recipients.iter().all(|x| names.contains(x)));
            if rows >= 300 {
                // With enough rows a colluder is still found.
                assert!(
                    matches!(r.verdict, Verdict::Identified | Verdict::Mixed),
                    "{} colluders, {rows} rows: {}",
                    colluders.len(),
                    r.explanation
                );
            }
        }
    }
}

proptest! {
    #[test]
    fn any_cell_is_read_without_panic(cells in prop::collection::vec("\\PC{0,30}", 0..40)) {
        let mut t = Tracer::new(candidates(3));
        for (i, c) in cells.iter().enumerate() {
            t.cell_in(i % 4, c);
            t.text(c);
        }
        let r = t.finish();
        prop_assert!(r.recipient.is_none() || r.verdict == Verdict::Identified);
    }

    #[test]
    fn marking_any_text_never_panics_and_keeps_measures_close(s in "-?[0-9]{1,12}\\.[0-9]{1,4}|\\PC{0,20}") {
        let k = ShareKey::new(&[3u8; 32], "s-x");
        for c in [Carrier::Opaque, Carrier::Measure { decimals: 1 }, Carrier::Measure { decimals: 2 }, Carrier::Measure { decimals: 4 }] {
            if let Some(m) = k.mark(c, &s) {
                if let Carrier::Measure { decimals } = c {
                    // At most one unit in the last place (compared in f64, so with its rounding).
                    let (a, b): (f64, f64) = (s.trim().parse().unwrap(), m.trim().parse().unwrap());
                    let unit = 10f64.powi(-(decimals as i32));
                    prop_assert!((a - b).abs() <= unit * 1.0001 + a.abs() * 1e-15, "{} -> {}", s, m);
                }
            }
        }
    }
}
