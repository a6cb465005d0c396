//! # anshu-mark
//!
//! Recipient marks for shared copies (数据溯源) and the statistics that trace a leaked fragment
//! back to the share it came from.
//!
//! It owns the scheme: which values carry a mark bit ([`Carrier`]), how a bit is embedded without
//! breaking a value's validity ([`ShareKey::mark`]), and how a fragment's cells become votes and
//! the votes a score, a p-value and a [`Verdict`] ([`Tracer`]). It deliberately does no I/O: it
//! does not read the leaked file, write the copy or keep the share registry (the CLI, anshu-copy
//! and anshu-inventory do), and it does not mask (anshu-mask does).
//!
//! ## The scheme
//!
//! Every carrier value splits into an *anchor* that marking never changes and one free bit. For a
//! share with secret `K` (derived from the key file and the share id; never stored anywhere), the
//! expected bit of a value is `HMAC-SHA-256(K, class ‖ anchor)`'s first bit, and the share's copy
//! is written so that every carrier shows its expected bit:
//!
//! - measures (decimals written with `d` fraction digits, the policy's tolerance): the integer
//!   `q = value × 10^d` splits into the anchor `⌊q / 2⌋` and the bit `q mod 2`, so marking moves
//!   a value by at most one unit in its last place (±0.01 for amounts in yuan and fen);
//! - opaque pseudonyms (tokens and keyed hashes the policy produced): the value is its own
//!   anchor; the copy keeps the pseudonym when its expected bit is 1 and otherwise replaces it by
//!   the first keyed variant (same prefix, alphabet and length) whose bit is 1. A variant is a
//!   fresh 60-bit-or-more pseudorandom string, so pseudonyms stay distinct and joins inside the
//!   copy still work.
//!
//! Tracing reads every cell of a fragment, and for each share counts how many distinct carrier
//! votes agree with that share's expected bits. The anchor never depends on a primary key, row
//! order, column order or column name, so any subset of rows in any order, with columns renamed,
//! reordered or dropped, in any format that keeps the values, still votes. For a fragment that
//! did not come from a share, that share's expected bits are independent fair coins (the key is
//! secret), so its agreement count is Binomial(n, ½) *whatever the fragment holds*, colluders'
//! mixtures included: the p-value is exact, not a fitted model. A recipient is named only when
//! the p-value times the number of shares tried (Bonferroni) is below 10⁻⁶.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

/// The scheme's name and version, recorded with every share.
pub const SCHEME: &str = "anshu-mark-1";

/// A recipient is named only below this family-wise false-accusation probability.
pub const ACCUSE_BELOW: f64 = 1e-6;

/// Distinct votes considered per share; more adds nothing to a decision and bounds the work.
pub const MAX_VOTES: usize = 200_000;

/// The keyed PRF shared with masking: HMAC-SHA-256 over length-prefixed parts.
use anshu_mask::prf as hmac;

/// What a value carries a mark as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Carrier {
    /// A decimal written with exactly `decimals` fraction digits.
    Measure { decimals: u32 },
    /// A pseudonym (token or keyed hash): an optional `PREFIX_` and a body of 12 or more
    /// characters from one alphabet.
    Opaque,
}

/// The parameters of a share's mark, stored in the registry (no secret among them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkParams {
    pub scheme: String,
    /// Fraction digits of the measure columns that carry marks.
    pub measure_decimals: Vec<u32>,
    /// Whether pseudonyms carry marks.
    pub opaque: bool,
}

/// A share's secret marking key: derived, never stored.
#[derive(Clone)]
pub struct ShareKey {
    key: [u8; 32],
}

impl std::fmt::Debug for ShareKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShareKey(..)")
    }
}

const HEX: &[u8] = b"0123456789abcdef";
const BASE32: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A measure's digits as the integer `value × 10^decimals`, when it is written with exactly that
/// many fraction digits.
fn measure_units(text: &str, decimals: u32) -> Option<i128> {
    let (neg, t) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (int, frac) = t.split_once('.')?;
    if int.is_empty()
        || int.len() > 24
        || frac.len() != decimals as usize
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut q: i128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        q = q.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
    }
    Some(if neg { -q } else { q })
}

fn units_text(q: i128, decimals: u32) -> String {
    let digits = q.unsigned_abs().to_string();
    let d = decimals as usize;
    let digits = format!("{digits:0>width$}", width = d + 1);
    let (int, frac) = digits.split_at(digits.len() - d);
    let sign = if q < 0 { "-" } else { "" };
    format!("{sign}{int}.{frac}")
}

/// A pseudonym's prefix (up to and including the last `_`) and body, with the body's alphabet.
fn opaque_parts(text: &str) -> Option<(&str, &str, &'static [u8])> {
    let cut = text.rfind('_').map_or(0, |i| i + 1);
    let (prefix, body) = text.split_at(cut);
    // A body needs a letter: long digit strings (phone numbers, order numbers) are data, not
    // pseudonyms, and would only add noise votes.
    if body.len() < 12
        || !prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        || !body.bytes().any(|b| b.is_ascii_alphabetic())
    {
        return None;
    }
    if body.bytes().all(|b| HEX.contains(&b)) {
        Some((prefix, body, HEX))
    } else if body.bytes().all(|b| BASE32.contains(&b)) {
        Some((prefix, body, BASE32))
    } else {
        None
    }
}

impl ShareKey {
    /// The key of share `share_id` under the key file's secret (`master`, from
    /// `MaskKey::derive("mark")`).
    pub fn new(master: &[u8; 32], share_id: &str) -> ShareKey {
        ShareKey {
            key: hmac(master, &[b"share", share_id.as_bytes()]),
        }
    }

    fn bit(&self, class: &[u8], anchor: &[u8]) -> bool {
        hmac(&self.key, &[b"bit", class, anchor])[0] & 1 == 1
    }

    fn measure_bit(&self, decimals: u32, anchor: i128) -> bool {
        self.bit(&[b'm', decimals as u8], &anchor.to_be_bytes())
    }

    /// The marked form of `text` as a carrier of `carrier`, or `None` when the value does not
    /// have the carrier's shape (it is then copied as it is). The result may equal the input:
    /// half the carriers already show their expected bit.
    pub fn mark(&self, carrier: Carrier, text: &str) -> Option<String> {
        let t = text.trim();
        let (lead, trail) = {
            let start = text.len() - text.trim_start().len();
            (&text[..start], &text[start + t.len()..])
        };
        let marked = match carrier {
            Carrier::Measure { decimals } => {
                let q = measure_units(t, decimals)?;
                let anchor = q.div_euclid(2);
                let bit = i128::from(self.measure_bit(decimals, anchor));
                units_text(2 * anchor + bit, decimals)
            }
            Carrier::Opaque => {
                let (prefix, body, alphabet) = opaque_parts(t)?;
                if self.bit(b"o", t.as_bytes()) {
                    return Some(text.to_owned());
                }
                // The first keyed variant whose bit is 1; each try succeeds with probability ½,
                // so 64 tries fail with probability 2^-64.
                let mut found = None;
                for j in 0u32..64 {
                    let d = hmac(&self.key, &[b"variant", t.as_bytes(), &j.to_be_bytes()]);
                    let mut bits = d.iter().fold(0u128, |a, b| (a << 8) | u128::from(*b));
                    let mut nb = String::with_capacity(body.len());
                    let per = if alphabet.len() == 16 { 4 } else { 5 };
                    for k in 0..body.len() {
                        if k * per >= 128 {
                            // Bodies longer than 128 bits of choice take more digest bytes.
                            let more = hmac(&self.key, &[b"more", &d, &(k as u32).to_be_bytes()]);
                            bits = more.iter().fold(0u128, |a, b| (a << 8) | u128::from(*b));
                        }
                        nb.push(alphabet[(bits as usize) & (alphabet.len() - 1)] as char);
                        bits >>= per;
                    }
                    let candidate = format!("{prefix}{nb}");
                    if self.bit(b"o", candidate.as_bytes()) {
                        found = Some(candidate);
                        break;
                    }
                }
                found?
            }
        };
        Some(format!("{lead}{marked}{trail}"))
    }
}

/// A cell of a fragment as the tracer reads it: every reading of it as a carrier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Vote {
    /// `(decimals, anchor, bit)`.
    Measure(u32, i128, bool),
    Opaque(String),
}

/// A number as any format may have rewritten it (spreadsheets drop trailing zeros, JSON writes
/// floats): its value and the fraction digits written. Integers are left out: a value that lost
/// its fraction digits reads the same as an unmarked count.
fn decimal_reading(t: &str) -> Option<(f64, u32)> {
    if t.len() > 40 || t.contains(['e', 'E']) {
        return None;
    }
    let (_, frac) = t.split_once('.')?;
    let k = frac.len() as u32;
    let v: f64 = t.parse().ok()?;
    (v.is_finite() && v.fract() != 0.0).then_some((v, k))
}

/// The vote of a measure read at `decimals` fraction digits, if the value has that precision.
fn measure_vote(v: f64, decimals: u32) -> Option<Vote> {
    let x = v * 10f64.powi(decimals as i32);
    let q = x.round();
    if (x - q).abs() > 1e-6 * q.abs().max(1.0) || q.abs() > 1e30 {
        return None;
    }
    let q = q as i128;
    Some(Vote::Measure(
        decimals,
        q.div_euclid(2),
        q.rem_euclid(2) == 1,
    ))
}

/// The readings of one cell under the carriers a share used. `precision` is the fraction digits
/// of the cell's column when known; free text reads a number at every precision the share used
/// that could have written it.
fn votes(text: &str, params: &MarkParams, precision: Option<u32>, out: &mut Vec<Vote>) {
    let t = text.trim();
    if t.is_empty() || t.len() > 80 {
        return;
    }
    if params.opaque && opaque_parts(t).is_some() {
        out.push(Vote::Opaque(t.to_owned()));
        return;
    }
    let Some((v, k)) = decimal_reading(t) else {
        return;
    };
    match precision {
        Some(d) => {
            if params.measure_decimals.contains(&d) {
                out.extend(measure_vote(v, d));
            }
        }
        None => {
            for &d in params.measure_decimals.iter().filter(|&&d| d >= k) {
                out.extend(measure_vote(v, d));
            }
        }
    }
}

/// A column of a fragment's table: its decimal values wait until the column's precision is
/// known.
#[derive(Default)]
struct ColumnAcc {
    values: Vec<String>,
    /// How many values were written with 0..=4 fraction digits.
    digits: [usize; 5],
}

impl ColumnAcc {
    /// The column's precision: the most fraction digits that a fifth of its decimals show
    /// (trailing zeros dropped by a spreadsheet make some show fewer).
    fn precision(&self) -> Option<u32> {
        let total: usize = self.digits[1..].iter().sum();
        (1..5)
            .rev()
            .find(|&d| self.digits[d] * 5 >= total && self.digits[d] > 0)
            .map(|d| d as u32)
    }
}

/// One share to test a fragment against.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub share_id: String,
    pub recipient: String,
    pub key: ShareKey,
    pub params: MarkParams,
}

/// How strongly a fragment points at one share.
#[derive(Debug, Clone, Serialize)]
pub struct Score {
    pub share_id: String,
    pub recipient: String,
    /// Distinct carrier votes read from the fragment under this share's parameters.
    pub votes: u64,
    /// Votes that agree with this share's expected bits.
    pub agree: u64,
    /// `agree / votes`: about 1 for the share the fragment came from, ½ for any other.
    pub score: f64,
    /// P(Binomial(votes, ½) ≥ agree): the chance an unrelated fragment agrees this well.
    pub p_raw: f64,
    /// `p_raw` times the number of shares tried, capped at 1: the false-accusation probability.
    pub p_value: f64,
}

/// What a fragment says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// One share explains the fragment beyond doubt.
    Identified,
    /// Several shares do: the fragment mixes copies (collusion or a merged leak).
    Mixed,
    /// Too little evidence either way.
    Inconclusive,
    /// Enough carriers to decide, and no share matches.
    NoMatch,
}

/// The outcome of tracing one fragment.
#[derive(Debug, Clone, Serialize)]
pub struct Trace {
    pub verdict: Verdict,
    /// The recipient named, for `identified`.
    pub recipient: Option<String>,
    /// The recipients whose copies the fragment mixes, for `mixed`.
    pub recipients: Vec<String>,
    /// Every share tried, best first.
    pub candidates: Vec<Score>,
    /// The most votes any share could read: the fragment's evidence.
    pub carriers: u64,
    /// Votes needed (all agreeing) before anyone could be named among this many shares.
    pub carriers_needed: u64,
    /// One sentence for people.
    pub explanation: String,
}

/// ln C(n, k) by summing logarithms (exact enough for p-values down to 1e-300).
fn ln_choose(lf: &[f64], n: usize, k: usize) -> f64 {
    lf[n] - lf[k] - lf[n - k]
}

/// P(Binomial(n, ½) ≥ k).
pub fn binomial_tail_half(n: u64, k: u64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n {
        return 0.0;
    }
    let n = n as usize;
    let k = k as usize;
    let mut lf = vec![0.0f64; n + 1];
    for i in 1..=n {
        lf[i] = lf[i - 1] + (i as f64).ln();
    }
    let base = -(n as f64) * std::f64::consts::LN_2;
    // Log-sum-exp over the tail, anchored at its largest term (the first, as k > n/2 in the
    // cases that matter; otherwise the sum is near 1 and anchoring anywhere is fine).
    let terms: Vec<f64> = (k..=n).map(|i| ln_choose(&lf, n, i) + base).collect();
    let m = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let s: f64 = terms.iter().map(|t| (t - m).exp()).sum();
    (m + s.ln()).exp().min(1.0)
}

/// Collects a fragment's cells and scores them against every candidate share.
pub struct Tracer {
    candidates: Vec<Candidate>,
    seen: Vec<HashSet<Vote>>,
    agree: Vec<u64>,
    buf: Vec<Vote>,
    columns: std::collections::HashMap<(u32, usize), ColumnAcc>,
    table: u32,
    deferred: usize,
}

impl Tracer {
    pub fn new(candidates: Vec<Candidate>) -> Tracer {
        let n = candidates.len();
        Tracer {
            candidates,
            seen: vec![HashSet::new(); n],
            agree: vec![0; n],
            buf: Vec::new(),
            columns: std::collections::HashMap::new(),
            table: 0,
            deferred: 0,
        }
    }

    /// A new table (sheet) of the fragment begins: its columns are not the previous table's.
    pub fn next_table(&mut self) {
        self.table += 1;
    }

    /// A cell of the fragment's table, in column `column` (any order, any name). Numbers wait
    /// for their column's precision; other cells vote at once.
    pub fn cell_in(&mut self, column: usize, text: &str) {
        let t = text.trim();
        if let Some((_, k)) = decimal_reading(t) {
            if self.deferred < MAX_VOTES {
                let acc = self.columns.entry((self.table, column)).or_default();
                acc.digits[(k as usize).min(4)] += 1;
                acc.values.push(t.to_owned());
                self.deferred += 1;
            }
            return;
        }
        self.cell_at(text, None);
    }

    /// One cell of the fragment without a column (free text, headers).
    pub fn cell(&mut self, text: &str) {
        self.cell_at(text, None);
    }

    fn cell_at(&mut self, text: &str, precision: Option<u32>) {
        for (i, c) in self.candidates.iter().enumerate() {
            if self.seen[i].len() >= MAX_VOTES {
                continue;
            }
            self.buf.clear();
            votes(text, &c.params, precision, &mut self.buf);
            for v in self.buf.drain(..) {
                // A repeated value is one piece of evidence, not several.
                if !self.seen[i].insert(v.clone()) {
                    continue;
                }
                let ok = match &v {
                    Vote::Measure(d, anchor, bit) => c.key.measure_bit(*d, *anchor) == *bit,
                    Vote::Opaque(t) => c.key.bit(b"o", t.as_bytes()),
                };
                if ok {
                    self.agree[i] += 1;
                }
            }
        }
    }

    /// Running text: every whitespace-, comma- or bar-separated token is a cell.
    pub fn text(&mut self, text: &str) {
        for tok in text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '|' | ';' | '，')) {
            let tok = tok.trim_matches(|c: char| matches!(c, '"' | '\'' | '(' | ')' | '[' | ']'));
            if !tok.is_empty() {
                self.cell(tok);
            }
        }
    }

    pub fn finish(mut self) -> Trace {
        for (_, acc) in std::mem::take(&mut self.columns) {
            // A column with no usable precision reads as free text would.
            let precision = acc.precision();
            for v in &acc.values {
                self.cell_at(v, precision);
            }
        }
        let shares = self.candidates.len().max(1) as f64;
        let mut scores: Vec<Score> = self
            .candidates
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let n = self.seen[i].len() as u64;
                let a = self.agree[i];
                let p_raw = binomial_tail_half(n, a);
                Score {
                    share_id: c.share_id.clone(),
                    recipient: c.recipient.clone(),
                    votes: n,
                    agree: a,
                    score: if n == 0 { 0.0 } else { a as f64 / n as f64 },
                    p_raw,
                    p_value: (p_raw * shares).min(1.0),
                }
            })
            .collect();
        scores.sort_by(|a, b| {
            a.p_value
                .total_cmp(&b.p_value)
                .then(b.score.total_cmp(&a.score))
                .then(a.recipient.cmp(&b.recipient))
        });
        let carriers = scores.iter().map(|s| s.votes).max().unwrap_or(0);
        // With n votes all agreeing, p = 2^-n: the fewest votes that could name anyone.
        let carriers_needed = ((ACCUSE_BELOW / shares).log2().abs()).ceil() as u64;
        // A recipient counts once even when several of their shares match.
        let mut named: Vec<String> = Vec::new();
        for s in scores.iter().filter(|s| s.p_value < ACCUSE_BELOW) {
            if !named.contains(&s.recipient) {
                named.push(s.recipient.clone());
            }
        }
        let (verdict, recipient, explanation) = match named.len() {
            1 => {
                let s = &scores[0];
                (
                    Verdict::Identified,
                    Some(s.recipient.clone()),
                    format!(
                        "the fragment comes from the copy shared with {} ({} of {} marks agree; an unrelated fragment would agree this well with probability {})",
                        s.recipient,
                        s.agree,
                        s.votes,
                        if s.p_value > 0.0 {
                            format!("{:.1e}", s.p_value)
                        } else {
                            "below 1e-300".to_owned()
                        }
                    ),
                )
            }
            n if n > 1 => (
                Verdict::Mixed,
                None,
                format!(
                    "the fragment mixes the copies shared with {}: each matches beyond doubt",
                    named.join(", ")
                ),
            ),
            _ if carriers < carriers_needed => (
                Verdict::Inconclusive,
                None,
                format!(
                    "too small to decide: {carriers} marked values read, at least {carriers_needed} needed among {} shares (more rows, or columns with measures or pseudonyms)",
                    self.candidates.len()
                ),
            ),
            _ if scores.first().is_some_and(|s| s.p_value < 0.01) => (
                Verdict::Inconclusive,
                None,
                format!(
                    "weak evidence for {} (false-accusation probability {:.1e}, above the 1e-6 needed to name anyone)",
                    scores[0].recipient, scores[0].p_value
                ),
            ),
            _ => (
                Verdict::NoMatch,
                None,
                format!("{carriers} marked values read and no share matches them"),
            ),
        };
        Trace {
            verdict,
            recipient,
            recipients: if verdict == Verdict::Mixed {
                named
            } else {
                Vec::new()
            },
            candidates: scores,
            carriers,
            carriers_needed,
            explanation,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> ShareKey {
        ShareKey::new(&[n; 32], &format!("s-{n}"))
    }

    #[test]
    fn measures_move_by_at_most_one_unit_and_keep_their_format() {
        let k = key(1);
        for v in ["47849.30", "0.05", "-12.00", "3.1", "-0.01", "120000.999"] {
            let d = v.split_once('.').unwrap().1.len() as u32;
            let m = k.mark(Carrier::Measure { decimals: d }, v).unwrap();
            let (a, b) = (
                measure_units(v, d).unwrap(),
                measure_units(&m, d).unwrap_or_else(|| panic!("{m}")),
            );
            assert!((a - b).abs() <= 1, "{v} -> {m}");
            assert_eq!(m.split_once('.').unwrap().1.len(), d as usize);
            // Marking is idempotent: a marked value already shows its bit.
            assert_eq!(k.mark(Carrier::Measure { decimals: d }, &m).unwrap(), m);
        }
        assert_eq!(k.mark(Carrier::Measure { decimals: 2 }, "12.5"), None);
        assert_eq!(k.mark(Carrier::Measure { decimals: 2 }, "abc"), None);
        assert_eq!(units_text(-5, 2), "-0.05");
        assert_eq!(units_text(1234, 2), "12.34");
    }

    #[test]
    fn pseudonyms_keep_prefix_alphabet_and_length() {
        let k = key(2);
        for t in [
            "TEL_K7M3Q9XW2ABC",
            "PID_ABCDEFGHJKLM",
            "0123456789abcdef0123456789abcdef",
        ] {
            let m = k.mark(Carrier::Opaque, t).unwrap();
            assert_eq!(m.len(), t.len());
            assert_eq!(m.rfind('_'), t.rfind('_'));
            assert!(opaque_parts(&m).is_some(), "{m}");
            assert!(k.bit(b"o", m.as_bytes()));
            assert_eq!(k.mark(Carrier::Opaque, &m).unwrap(), m);
        }
        assert_eq!(k.mark(Carrier::Opaque, "张三"), None);
        // Long digit strings are data, not pseudonyms.
        assert_eq!(k.mark(Carrier::Opaque, "158982671918"), None);
    }

    #[test]
    fn binomial_tail_is_exact_on_small_cases() {
        assert!((binomial_tail_half(10, 10) - 1.0 / 1024.0).abs() < 1e-15);
        assert!((binomial_tail_half(10, 9) - 11.0 / 1024.0).abs() < 1e-15);
        assert!((binomial_tail_half(4, 2) - 11.0 / 16.0).abs() < 1e-12);
        assert_eq!(binomial_tail_half(5, 0), 1.0);
        assert_eq!(binomial_tail_half(5, 6), 0.0);
        let p = binomial_tail_half(1000, 1000);
        assert!(p > 0.0 && p < 1e-300);
    }

    fn candidates(n: u8, params: &MarkParams) -> Vec<Candidate> {
        (0..n)
            .map(|i| Candidate {
                share_id: format!("s-{i}"),
                recipient: format!("r{i}"),
                key: key(i),
                params: params.clone(),
            })
            .collect()
    }

    #[test]
    fn a_marked_fragment_names_its_recipient_and_no_one_else() {
        let params = MarkParams {
            scheme: SCHEME.into(),
            measure_decimals: vec![2],
            opaque: true,
        };
        let cands = candidates(20, &params);
        let mut t = Tracer::new(cands.clone());
        for i in 0..60 {
            let v = format!("{}.{:02}", 1000 + i * 37, i % 100);
            let marked = cands[7]
                .key
                .mark(Carrier::Measure { decimals: 2 }, &v)
                .unwrap();
            t.cell(&marked);
        }
        let r = t.finish();
        assert_eq!(r.verdict, Verdict::Identified, "{}", r.explanation);
        assert_eq!(r.recipient.as_deref(), Some("r7"));
        assert!(r.candidates[1..].iter().all(|s| s.p_value > 1e-3));
    }

    #[test]
    fn unmarked_and_tiny_fragments_accuse_no_one() {
        let params = MarkParams {
            scheme: SCHEME.into(),
            measure_decimals: vec![2],
            opaque: false,
        };
        let mut t = Tracer::new(candidates(20, &params));
        for i in 0..5 {
            t.cell(&format!("{i}.25"));
        }
        let r = t.finish();
        assert_eq!(r.verdict, Verdict::Inconclusive, "{}", r.explanation);
        let mut t = Tracer::new(candidates(20, &params));
        for i in 0..2000 {
            t.cell(&format!("{}.{:02}", i * 13, i % 97));
        }
        let r = t.finish();
        assert!(matches!(
            r.verdict,
            Verdict::NoMatch | Verdict::Inconclusive
        ));
        assert!(r.recipient.is_none());
    }
}
