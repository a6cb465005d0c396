//! How long a run of word characters, and of digits, a match of a pattern can begin with.
//!
//! Types searched at word starts (IDs, cards, phones, addresses of machines) need a non-word
//! character after the match. A match that starts at a word start therefore either covers the
//! whole run of word characters there, or runs past its end through a separator: either way the
//! match begins with that whole run. A pattern whose matches begin with at most 19 word
//! characters cannot pass its boundary check at a 20-digit order number, a 32-character hash or a
//! long trace id, and the detector does not try it there. Those are most of the attempts that
//! fail after a long walk, and, when the first pattern's match fails its boundary, the retries of
//! every other pattern at the same position.
//!
//! The limits come from the pattern's syntax tree, without an automaton: for each part, the
//! longest match made only of the run's bytes, and the longest run a match can begin with. The
//! figures are upper bounds (a class that admits a digit counts as a digit), so a limit never
//! rules out a match that exists.
//!
//! [`RunShapes`] go one step further for a whole group: which runs (by length, leading digits and
//! whether they hold a letter beyond hexadecimal) a match can begin with, and which bytes can
//! follow each. `GET `, `api/` or a timestamp's `2025-` then a letter are ruled out before any
//! automaton is walked.
//!
//! This module owns no search: the detector asks it where not to look.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Stands for "no limit"; sums saturate at it.
const UNLIMITED: usize = usize::MAX;

/// The longest run of word characters (`[0-9A-Za-z_]`) and of ASCII digits that a match can
/// begin with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RunLimit {
    pub word: usize,
    pub digits: usize,
}

impl RunLimit {
    /// No limit: for patterns that could not be analysed, and those whose reported span is a
    /// group inside the match rather than the match.
    pub(crate) const NONE: RunLimit = RunLimit {
        word: UNLIMITED,
        digits: UNLIMITED,
    };

    /// The limits of `pattern`, in the syntax the detector compiles it with.
    pub(crate) fn of_pattern(pattern: &str) -> RunLimit {
        let Ok(hir) = regex_syntax::ParserBuilder::new().build().parse(pattern) else {
            return RunLimit::NONE;
        };
        RunLimit {
            word: Reach::of(&hir, is_word).prefix,
            digits: Reach::of(&hir, |b| b.is_ascii_digit()).prefix,
        }
    }

    /// The larger of two limits: what a group of patterns can begin with.
    pub(crate) fn max(self, other: RunLimit) -> RunLimit {
        RunLimit {
            word: self.word.max(other.word),
            digits: self.digits.max(other.digits),
        }
    }

    /// Whether a match can begin at a position where `word` word characters, of which the
    /// first `digits` are digits, follow.
    #[inline]
    pub(crate) fn admits(&self, word: usize, digits: usize) -> bool {
        word <= self.word && digits <= self.digits
    }
}

/// A word character, as the detector's boundary check counts them.
pub(crate) fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The two figures for one part of a pattern and one set of bytes.
#[derive(Clone, Copy)]
struct Reach {
    /// The longest match made only of bytes of the set, or `None` when every match holds
    /// another byte.
    whole: Option<usize>,
    /// The longest run of bytes of the set that a match can begin with; never less than
    /// `whole`.
    prefix: usize,
}

impl Reach {
    const EMPTY: Reach = Reach {
        whole: Some(0),
        prefix: 0,
    };

    fn of(hir: &Hir, set: fn(u8) -> bool) -> Reach {
        match hir.kind() {
            HirKind::Empty | HirKind::Look(_) => Reach::EMPTY,
            HirKind::Literal(lit) => {
                let lead = lit.0.iter().take_while(|&&b| set(b)).count();
                Reach {
                    whole: (lead == lit.0.len()).then_some(lead),
                    prefix: lead,
                }
            }
            HirKind::Class(class) => {
                // Members of the set are ASCII bytes, one byte long: a class either admits one
                // (a one-byte match of the set) or not.
                let admits = match class {
                    Class::Unicode(c) => c
                        .ranges()
                        .iter()
                        .any(|r| (r.start()..=r.end().min('\x7f')).any(|ch| set(ch as u8))),
                    Class::Bytes(c) => c
                        .ranges()
                        .iter()
                        .any(|r| (r.start()..=r.end().min(0x7f)).any(set)),
                };
                Reach {
                    whole: admits.then_some(1),
                    prefix: usize::from(admits),
                }
            }
            HirKind::Capture(cap) => Reach::of(&cap.sub, set),
            HirKind::Concat(parts) => parts.iter().fold(Reach::EMPTY, |acc, part| {
                let next = Reach::of(part, set);
                Reach {
                    whole: acc.whole.zip(next.whole).map(|(a, b)| a.saturating_add(b)),
                    prefix: match acc.whole {
                        Some(a) => acc.prefix.max(a.saturating_add(next.prefix)),
                        None => acc.prefix,
                    },
                }
            }),
            HirKind::Alternation(alts) => alts.iter().map(|alt| Reach::of(alt, set)).fold(
                Reach {
                    whole: None,
                    prefix: 0,
                },
                |acc, r| Reach {
                    whole: match (acc.whole, r.whole) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        (a, b) => a.or(b),
                    },
                    prefix: acc.prefix.max(r.prefix),
                },
            ),
            HirKind::Repetition(rep) => {
                let sub = Reach::of(&rep.sub, set);
                let max = rep.max.map_or(UNLIMITED, |m| m as usize);
                if max == 0 {
                    return Reach::EMPTY;
                }
                let optional = rep.min == 0;
                match sub.whole {
                    // All but the last repetition made of the set, then the last one's prefix.
                    Some(k) => Reach {
                        whole: Some(k.saturating_mul(max)),
                        prefix: k.saturating_mul(max - 1).saturating_add(sub.prefix),
                    },
                    // The first repetition already holds another byte.
                    None => Reach {
                        whole: optional.then_some(0),
                        prefix: sub.prefix,
                    },
                }
            }
        }
    }
}

/// Runs at least this long are counted as this long: no built-in pattern begins with a longer
/// one, and the table stays small (a power of two less one, so that a key is two shifts).
const CAP: usize = 31;

/// The number of run keys: [`key`] of the longest, all-digit and all-other run, plus one.
const KEYS: usize = ((CAP << 5 | CAP) << 1 | 1) + 1;

/// What a text's run of word characters is made of, as far as the patterns can tell apart:
/// digits, the letters of hexadecimal numbers, and other word characters.
const DIGIT: u8 = 1;
const HEX_LETTER: u8 = 2;
const OTHER_WORD: u8 = 4;

/// The category of a word byte.
fn category(b: u8) -> u8 {
    if b.is_ascii_digit() {
        DIGIT
    } else if b.is_ascii_hexdigit() {
        HEX_LETTER
    } else {
        OTHER_WORD
    }
}

/// The run of word characters a match has begun with so far: how long it is, how many of its
/// first characters are digits (`None` while all are), and whether it holds a character that is
/// neither a digit nor a hexadecimal letter.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
struct Shape {
    word: u8,
    digits: Option<u8>,
    other: bool,
}

impl Shape {
    const START: Shape = Shape {
        word: 0,
        digits: None,
        other: false,
    };

    /// The shape after one more word character of category `cat`.
    fn step(self, cat: u8) -> Shape {
        Shape {
            word: (self.word + 1).min(CAP as u8),
            digits: match self.digits {
                None if cat != DIGIT => Some(self.word),
                d => d,
            },
            other: self.other || cat == OTHER_WORD,
        }
    }

    /// Where this shape is kept in a [`RunShapes`] table.
    fn key(self) -> usize {
        let word = usize::from(self.word);
        let digits = self.digits.map_or(word, usize::from);
        key(word, digits, self.other)
    }
}

#[inline]
fn key(word: usize, digits: usize, other: bool) -> usize {
    (word.min(CAP) << 5 | digits.min(CAP)) << 1 | usize::from(other)
}

/// A set of bytes.
type ByteSet = [u64; 4];

fn add_byte(set: &mut ByteSet, b: u8) {
    set[usize::from(b >> 6)] |= 1 << (b & 63);
}

/// For the patterns of one word-start group: the runs of word characters a match can begin
/// with, and for each, the bytes that can follow it in the match (or after the match, where it
/// ends with the run).
///
/// [`RunLimit`] rules out a run by its length alone. This also rules out `api/`, `GET `, `200 `
/// and `DEBUG `: short runs that every pattern's match would continue differently. A position
/// whose run and next byte no pattern admits is not tried. Like the limits, the sets are read
/// from the syntax trees and over-approximate: a class that admits a digit and a letter gives
/// both, repetitions are followed to a fixed point, and look-around is ignored, so a set never
/// rules out a match that exists.
pub(crate) struct RunShapes {
    /// For each run key, an index into `sets`, or 0 for "no match begins with such a run".
    /// Two kilobytes: it stays in the first-level cache beside the automaton's tables.
    index: Box<[u8; KEYS]>,
    sets: Vec<ByteSet>,
}

/// The closed records of an analysis: for each run key, the bytes that can follow the run.
type Records = std::collections::BTreeMap<usize, ByteSet>;

impl RunShapes {
    /// The runs the patterns can begin with, or `None` when one of them cannot be analysed
    /// (it does not parse, or repeats something an absurd number of times).
    pub(crate) fn of_patterns<'a>(
        patterns: impl IntoIterator<Item = &'a str>,
    ) -> Option<RunShapes> {
        let mut records = Records::new();
        for p in patterns {
            let hir = regex_syntax::ParserBuilder::new().build().parse(p).ok()?;
            let open = walk(&hir, vec![Shape::START], &mut records)?;
            // The match ends with the run: the boundary check needs a non-word byte after it.
            let mut after = [0u64; 4];
            for b in 0..=255u8 {
                if !is_word(b) {
                    add_byte(&mut after, b);
                }
            }
            for shape in open {
                close(&mut records, shape, &after);
            }
        }
        let mut index = Box::new([0u8; KEYS]);
        let mut sets: Vec<ByteSet> = vec![[0u64; 4]];
        for (k, set) in records {
            // Runs that can be followed by the same bytes share one set.
            let i = match sets.iter().position(|s| *s == set) {
                Some(i) => i,
                None => {
                    sets.push(set);
                    sets.len() - 1
                }
            };
            *index.get_mut(k)? = u8::try_from(i).ok()?;
        }
        Some(RunShapes { index, sets })
    }

    /// Whether a match of one of the patterns can begin with a run of `word` word characters,
    /// the first `digits` of them digits, holding a non-hexadecimal letter or `_` if `other`,
    /// followed by `next` (`None` at the end of the text).
    #[inline]
    pub(crate) fn admits(&self, word: usize, digits: usize, other: bool, next: Option<u8>) -> bool {
        let i = usize::from(self.index[key(word, digits, other)]);
        match (next, self.sets.get(i)) {
            _ if i == 0 => false,
            (Some(b), Some(set)) => set[usize::from(b >> 6)] & (1 << (b & 63)) != 0,
            _ => true,
        }
    }
}

/// The shapes still open after `hir` from each of `open`; runs that `hir` ends with a non-word
/// byte are added to `records`. `None` when the tree repeats a part too many times to follow.
fn walk(hir: &Hir, open: Vec<Shape>, records: &mut Records) -> Option<Vec<Shape>> {
    let next = match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => open,
        HirKind::Literal(lit) => {
            let mut open = open;
            for &b in lit.0.iter() {
                if open.is_empty() {
                    break;
                }
                if is_word(b) {
                    open = open.into_iter().map(|s| s.step(category(b))).collect();
                } else {
                    let mut set = [0u64; 4];
                    add_byte(&mut set, b);
                    for s in open.drain(..) {
                        close(records, s, &set);
                    }
                }
            }
            open
        }
        HirKind::Class(class) => {
            let (cats, set) = class_bytes(class);
            let mut next = Vec::new();
            for s in open {
                for cat in [DIGIT, HEX_LETTER, OTHER_WORD] {
                    if cats & cat != 0 {
                        next.push(s.step(cat));
                    }
                }
                if set != [0; 4] {
                    close(records, s, &set);
                }
            }
            next
        }
        HirKind::Capture(cap) => walk(&cap.sub, open, records)?,
        HirKind::Concat(parts) => {
            let mut open = open;
            for part in parts {
                if open.is_empty() {
                    break;
                }
                open = walk(part, open, records)?;
            }
            open
        }
        HirKind::Alternation(alts) => {
            let mut next = Vec::new();
            for alt in alts {
                next.extend(walk(alt, open.clone(), records)?);
            }
            next
        }
        HirKind::Repetition(rep) => {
            // The shapes after exactly `min` repetitions, then every shape reachable with up to
            // `max - min` more. A shape reached again needs no second visit: what follows from
            // it was followed the first time, with at least as many repetitions to spare.
            if rep.min > 64 {
                return None;
            }
            let mut cur = open;
            for _ in 0..rep.min {
                cur = dedup(walk(&rep.sub, cur, records)?);
            }
            let extra = rep.max.map_or(u32::MAX, |m| m - rep.min);
            let mut all = cur.clone();
            let mut frontier = cur;
            let mut n = 0;
            while n < extra && !frontier.is_empty() {
                let reached = dedup(walk(&rep.sub, frontier, records)?);
                frontier = reached.into_iter().filter(|s| !all.contains(s)).collect();
                all.extend(frontier.iter().copied());
                n += 1;
            }
            all
        }
    };
    Some(dedup(next))
}

/// Records that a run of `shape` can be followed by any of `bytes`.
fn close(records: &mut Records, shape: Shape, bytes: &ByteSet) {
    let set = records.entry(shape.key()).or_default();
    for (s, b) in set.iter_mut().zip(bytes) {
        *s |= b;
    }
}

fn dedup(mut v: Vec<Shape>) -> Vec<Shape> {
    v.sort_unstable();
    v.dedup();
    v
}

/// The categories of word bytes a class admits, and the non-word bytes a match of it can begin
/// with (for a character beyond ASCII: the first byte of its UTF-8 form).
fn class_bytes(class: &Class) -> (u8, ByteSet) {
    let mut cats = 0;
    let mut set = [0u64; 4];
    let mut byte = |b: u8| {
        if is_word(b) {
            cats |= category(b);
        } else {
            add_byte(&mut set, b);
        }
    };
    match class {
        Class::Unicode(c) => {
            for r in c.ranges() {
                let (lo, hi) = (u32::from(r.start()), u32::from(r.end()));
                for b in lo..=hi.min(0x7f) {
                    byte(b as u8);
                }
                if hi >= 0x80 {
                    // UTF-8 lead bytes rise with the code point: every character of the range
                    // begins with a byte between those of its ends.
                    let lead = |c: char| {
                        let mut buf = [0u8; 4];
                        c.encode_utf8(&mut buf);
                        buf[0]
                    };
                    let first = lead(char::from_u32(lo.max(0x80)).unwrap_or('\u{80}'));
                    for b in first..=lead(r.end()) {
                        byte(b);
                    }
                }
            }
        }
        Class::Bytes(c) => {
            for r in c.ranges() {
                for b in r.start()..=r.end() {
                    byte(b);
                }
            }
        }
    }
    (cats, set)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(p: &str) -> (usize, usize) {
        let l = RunLimit::of_pattern(p);
        (l.word, l.digits)
    }

    #[test]
    fn limits_of_the_identifier_shapes() {
        // An 18-character resident ID, or 15 digits.
        assert_eq!(limit(r"[1-9][0-9]{16}[0-9Xx]|[1-9][0-9]{14}"), (18, 18));
        // A card: 19 digits, or groups of four after a separator.
        assert_eq!(
            limit(r"[0-9]{13,19}|[0-9]{4}(?:[ -][0-9]{4}){2,3}(?: ?-?[0-9]{1,3})?"),
            (19, 19)
        );
        // A landline: the extension's "ext" continues the run of word characters, not of
        // digits.
        assert_eq!(
            limit(
                r"(?:\(0[0-9]{2,3}\)|0[0-9]{2,3})[ -]?[2-9][0-9]{6,7}(?:(?:-|转|#|ext\.?)[0-9]{1,6})?"
            ),
            (21, 12)
        );
        // A passport begins with a letter: no run of digits at its start.
        assert_eq!(limit(r"E[0-9]{8}|[DSP][0-9]{7}"), (9, 0));
        // IPv4 and IPv6 groups end at their separators.
        assert_eq!(limit(r"(?:[0-9]{1,3}\.){3}[0-9]{1,3}"), (3, 3));
        assert_eq!(
            limit(r"(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|::[Ff]{4}:.*"),
            (4, 4)
        );
        // Unbounded repetition, look-around and an empty pattern.
        assert_eq!(limit(r"(?-u:\b)[0-9]+"), (UNLIMITED, UNLIMITED));
        assert_eq!(limit(r"(?-u:\b)[a-z]{2,5}-[0-9]"), (5, 0));
        assert_eq!(limit(r""), (0, 0));
        // A pattern that does not parse has no limit.
        assert_eq!(RunLimit::of_pattern("(").word, UNLIMITED);
    }

    /// Every match of a pattern begins with a run no longer than its limit: checked on
    /// generated matches of each shape, against the run measured in the matched text.
    #[test]
    fn no_match_begins_with_a_longer_run() {
        let cases: &[(&str, &[&str])] = &[
            (
                r"[0-9]{4}(?:[ -][0-9]{4}){2,3}",
                &["1234 5678 9012", "1234-5678-9012-3456"],
            ),
            (
                r"(?:\+|00)?86[ -]?1[0-9]{10}",
                &["008613800138000", "+86 13800138000"],
            ),
            (
                r"[A-Z]{2}[0-9]{6}(?:_[a-z]{1,3})?",
                &["AB123456_xyz", "AB123456"],
            ),
            (
                r"(?:0x)?[0-9a-f]{1,8}(?:\.[0-9]+)*",
                &["0xdeadbeef.1.2", "7"],
            ),
        ];
        for (pattern, matches) in cases {
            let l = RunLimit::of_pattern(pattern);
            let re = regex_automata::meta::Regex::new(&format!("^(?:{pattern})$")).unwrap();
            for m in *matches {
                assert!(re.is_match(m), "{m} should match {pattern}");
                let word = m.bytes().take_while(|&b| is_word(b)).count();
                let digits = m.bytes().take_while(u8::is_ascii_digit).count();
                assert!(l.admits(word, digits), "{m}: {word}/{digits} beyond {l:?}");
            }
        }
    }
}

#[cfg(test)]
mod shape_tests {
    use super::*;
    use proptest::prelude::*;

    fn shapes(p: &str) -> RunShapes {
        RunShapes::of_patterns([p]).expect("pattern analyses")
    }

    /// The run at the start of `s`, as the detector measures it, and the byte after it.
    fn run_of(s: &[u8]) -> (usize, usize, bool, Option<u8>) {
        let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
        let word = s.iter().take_while(|&&b| is_word(b)).count();
        let other = s[..word].iter().any(|b| !b.is_ascii_hexdigit());
        (word, digits, other, s.get(word).copied())
    }

    fn admits(sh: &RunShapes, text: &str) -> bool {
        let (w, d, o, next) = run_of(text.as_bytes());
        sh.admits(w, d, o, next)
    }

    #[test]
    fn runs_and_next_bytes_of_the_identifier_shapes() {
        let card = shapes(r"(?-u:\b)(?:[0-9]{13,19}|[0-9]{4}(?:[ -][0-9]{4}){2,3})");
        // Sixteen digits then a space, or four then a separator: a card can begin so.
        assert!(admits(&card, "6222021234567890 "));
        assert!(admits(&card, "6222-"));
        assert!(admits(&card, "6222 "));
        // A timestamp's 01 and a year followed by a dot are not.
        assert!(!admits(&card, "01 "));
        assert!(!admits(&card, "2025."));
        // Sixteen digits followed by a letter: the match could not end there.
        assert!(!admits(&card, "6222021234567890x"));
        assert!(!admits(&card, "GET "));

        let mac = shapes(r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}");
        assert!(admits(&mac, "0a:"));
        assert!(admits(&mac, "00:"));
        // `zz` holds letters that are not hexadecimal; `0a-` has the wrong separator.
        assert!(!admits(&mac, "zz:"));
        assert!(!admits(&mac, "0a-"));
        assert!(!admits(&mac, "api/"));

        // A passport: one letter, then digits.
        let passport = shapes(r"E[0-9]{8}|[DSP][0-9]{7}");
        assert!(admits(&passport, "D1234567 "));
        assert!(admits(&passport, "E12345678,"));
        assert!(!admits(&passport, "E123456 "));
        // The table tells runs apart by length, leading digits and letters beyond `a`–`f`, not
        // by which letters or how many: `E1234567` has the shape of `D1234567`, and `finalise`
        // that of `S1234567`.
        assert!(admits(&passport, "E1234567 "));
        assert!(admits(&passport, "finalise "));

        // Non-ASCII continues a match as a non-word byte: its UTF-8 lead byte follows the run.
        let landline = shapes(r"0[0-9]{2,3}-[2-9][0-9]{6,7}(?:转[0-9]{1,4})?");
        assert!(admits(&landline, "0571-"));
        assert!(!admits(&landline, "0571 "));
        let ext = shapes(r"[0-9]{3,4}转");
        assert!(admits(&ext, "0571转"));
        assert!(!admits(&ext, "0571-"));

        // A pattern that begins with a separator: an empty run followed by it.
        let intl = shapes(r"\+86[0-9]{11}");
        assert!(admits(&intl, "+86"));
        assert!(!admits(&intl, "(86"));

        // At the end of the text any run the patterns can begin with is admitted.
        assert!(admits(&card, "6222"));
        // Unbounded repetition counts its runs as long as the table holds.
        let digits = shapes(r"(?-u:\b)[0-9]+(?:\.[0-9]+)?");
        assert!(admits(&digits, &format!("{}.", "9".repeat(40))));
        assert!(!admits(&digits, "12a"));
        // A pattern that does not parse, or repeats beyond what is followed, has no shapes.
        assert!(RunShapes::of_patterns(["("]).is_none());
        assert!(RunShapes::of_patterns(["(?:a-){100}"]).is_none());
    }

    /// Every match of a pattern, followed by a separator, begins with a run and next byte that
    /// the pattern's shapes admit: checked on matches generated from the patterns themselves.
    #[test]
    fn generated_matches_are_admitted() {
        let patterns = [
            r"[1-9][0-9]{16}[0-9Xx]|[1-9][0-9]{14}",
            r"[0-9]{13,19}|[0-9]{4}(?:[ -][0-9]{4}){2,3}(?: ?-?[0-9]{1,3})?",
            r"(?:(?:\+|00)?86[ -]?)?1[3-9][0-9](?:[0-9]{8}|[ -][0-9]{4}[ -][0-9]{4})",
            r"(?:\(0[0-9]{2,3}\)|0[0-9]{2,3})[ -]?[2-9][0-9]{6,7}(?:(?:-|转|#|ext\.?)[0-9]{1,6})?",
            r"(?:[0-9]{1,3}\.){3}[0-9]{1,3}",
            r"(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){1,6}:[0-9A-Fa-f]{0,4}",
            r"[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}",
            r"[A-HJ-NPR-Z0-9]{17}",
            r"E[0-9]{8}|G[0-9]{8}|[DSP][0-9]{7}|[HM][0-9]{8,10}",
            r"[0-9]{2,3}\.[0-9]{4,8}[,，] ?[0-9]{2,3}\.[0-9]{4,8}",
            r"[a-z_]{1,12}_[0-9]+|x{3,}",
        ];
        for p in patterns {
            let sh = shapes(p);
            let gen = proptest::string::string_regex(p).expect("generator");
            let mut runner = proptest::test_runner::TestRunner::deterministic();
            runner
                .run(
                    &(gen, prop_oneof![Just(" "), Just(","), Just("。"), Just("")]),
                    |(m, sep)| {
                        let text = format!("{m}{sep}");
                        prop_assert!(admits(&sh, &text), "{p}: {text:?} not admitted");
                        Ok(())
                    },
                )
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
}
