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
