//! The compiled [`Detector`]: one multi-pattern automaton for spans in text, one pattern set for
//! whole cell values, dictionaries, hint matchers and the allow-list.

use std::collections::HashMap;

use aho_corasick::automaton::Automaton;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind as AcMatchKind};
use regex_automata::hybrid::dfa::{Cache as DfaCache, DFA};
use regex_automata::hybrid::LazyStateID;
use regex_automata::meta::{self, Regex};
use regex_automata::nfa::thompson;
use regex_automata::util::pool::Pool;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, MatchKind, PatternID, PatternSet};
use regex_syntax::hir::{Class, Hir, HirKind};

use crate::rules::{Boundary, RuleSet, TypeSpec};
use crate::runs::{is_word, RunLimit, RunShapes};
use crate::starts::{Cursor, Starts};
use crate::validate::{Date, Validator};
use crate::RuleError;

/// Index of a type in the detector's type table.
pub type TypeIdx = u16;

/// A finding in running text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub ty: TypeIdx,
    /// Byte offsets into the scanned text.
    pub start: usize,
    pub end: usize,
    pub confidence: f32,
}

/// Polarity of a header or context hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    Positive,
    Negative,
}

/// Public facts about a type, as the detector knows it.
#[derive(Debug, Clone)]
pub struct TypeInfo {
    pub id: String,
    pub name: String,
    pub confidence: f32,
    pub validator: Option<Validator>,
    pub header_required: bool,
    pub hint_required: bool,
    pub min_ratio: Option<f32>,
    /// True for types whose values have a checksum or a closed format, which makes a match
    /// strong evidence on its own.
    pub checked: bool,
    boundary: Boundary,
}

struct TextPattern {
    ty: TypeIdx,
    first_bytes: [bool; 256],
    /// For a pattern with a `v` group: the pattern alone, compiled to find that group. Alone,
    /// because capturing with the whole group's engine costs a pass over its many thousands of
    /// NFA states per candidate.
    value: Option<ValueCapture>,
    /// The longest runs of word characters and digits its match can begin with, where they
    /// decide its boundary check (see [`RunLimit`]); no limit elsewhere.
    run_limit: RunLimit,
}

/// Finds the `v` group of one pattern inside a match already found.
///
/// Capturing runs a bounded backtracker whose set-up clears a bitmap of NFA states times span
/// bytes, and a class such as `\p{Han}` takes most of its states for the characters outside
/// the Basic Multilingual Plane (four UTF-8 bytes each). So the pattern is compiled twice: as
/// written, and with every Unicode class cut to the BMP. The two agree on any span without a
/// four-byte character, because such a span holds no character the cut removed; look-around
/// is left as written in both. Spans with one (rare: CJK extension B names) use the first.
struct ValueCapture {
    full: Regex,
    /// The BMP-only compilation, when it kept the group at the same slot.
    bmp: Option<Regex>,
    /// The slot of the group's start; its end is the next one.
    slot: usize,
    /// Lazy DFAs that find the group without the backtracker, when the group is an item of
    /// the pattern's top-level sequence (see [`SplitDfas`]).
    split: Option<SplitDfas>,
}

/// Finds the bounds of a value group that is an item of its pattern's top-level sequence with
/// lazy DFAs, instead of the backtracker.
///
/// The match `s..e` is known. The group can begin at `p` exactly when the items before it
/// (`pre`, run forward from `s`) can match `s..p` and the group with the items after it
/// (`rest`, run backward from `e`) can match `p..e`: both automata report every such `p` on
/// one walk each. When exactly one `p` is reported, every parse of the match begins the group
/// there, the backtracker's included. The group's end is found the same way from its start
/// (`value` forward, `post` backward). Look-around needs no care: both walks read the real
/// bytes on either side. Where two splits exist (a role word that is the start of a longer
/// one, followed by a surname), a walk quits (a Unicode word boundary) or the match is long,
/// the backtracker decides.
#[derive(Clone)]
struct SplitDfas {
    /// The items before the group; `None` where the group begins the pattern.
    pre: Option<DFA>,
    /// The group and the items after it, reversed.
    rest: DFA,
    /// The group alone and the items after it, reversed; `None` where the group ends the
    /// pattern (then it ends where the match does).
    end: Option<(DFA, DFA)>,
}

/// The lazy-DFA caches of one [`SplitDfas`].
struct SplitCache {
    pre: Option<DfaCache>,
    rest: DfaCache,
    end: Option<(DfaCache, DfaCache)>,
}

impl SplitDfas {
    /// The automata for the value group named `v` of the pattern whose tree is `hir`, if it is
    /// an item of the top-level sequence.
    fn new(hir: &Hir) -> Result<Option<SplitDfas>, String> {
        let HirKind::Concat(items) = hir.kind() else {
            return Ok(None);
        };
        let Some(k) = items.iter().position(
            |h| matches!(h.kind(), HirKind::Capture(c) if c.name.as_deref() == Some("v")),
        ) else {
            return Ok(None);
        };
        let seq = |r: std::ops::Range<usize>| Hir::concat(items[r].to_vec());
        let pre = if k == 0 {
            None
        } else {
            Some(split_dfa(&seq(0..k), false)?)
        };
        let rest = split_dfa(&seq(k..items.len()), true)?;
        let end = if k + 1 == items.len() {
            None
        } else {
            Some((
                split_dfa(&items[k], false)?,
                split_dfa(&seq(k + 1..items.len()), true)?,
            ))
        };
        Ok(Some(SplitDfas { pre, rest, end }))
    }

    fn cache(&self) -> SplitCache {
        SplitCache {
            pre: self.pre.as_ref().map(DFA::create_cache),
            rest: self.rest.create_cache(),
            end: self
                .end
                .as_ref()
                .map(|(v, p)| (v.create_cache(), p.create_cache())),
        }
    }

    /// The group's bounds in the match `s..e`, or `None` where the backtracker must decide.
    fn find(&self, c: &mut SplitCache, hay: &[u8], s: usize, e: usize) -> Option<(usize, usize)> {
        // Splits are kept as bits of a word, offsets from `s`.
        if e - s >= 127 {
            return None;
        }
        let pre = match (&self.pre, &mut c.pre) {
            (Some(d), Some(dc)) => ends_from(d, dc, hay, s, e).ok()?,
            _ => 1,
        };
        let vs = only_position(
            pre & begins_before(&self.rest, &mut c.rest, hay, s, e).ok()?,
            s,
        )?;
        let ve = match (&self.end, &mut c.end) {
            (Some((v, post)), Some((vc, pc))) => only_position(
                ends_from(v, vc, hay, vs, e).ok()? & begins_before(post, pc, hay, vs, e).ok()?,
                vs,
            )?,
            _ => e,
        };
        Some((vs, ve))
    }
}

/// An anchored lazy DFA of `hir` that reports every match (forward, or `reverse`).
fn split_dfa(hir: &Hir, reverse: bool) -> Result<DFA, String> {
    let nfa = thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .reverse(reverse)
                .which_captures(thompson::WhichCaptures::None)
                .nfa_size_limit(Some(64 << 20)),
        )
        .build_from_hir(hir)
        .map_err(|e| e.to_string())?;
    DFA::builder()
        .configure(
            DFA::config()
                .match_kind(MatchKind::All)
                .cache_capacity(2 << 20)
                .unicode_word_boundary(true)
                .minimum_cache_clear_count(None),
        )
        .build_from_nfa(nfa)
        .map_err(|e| e.to_string())
}

/// Where the matches of the forward `dfa` anchored at `s` end, up to `e` (`e - s < 127`): bit
/// `p - s` for an end at `p`. `Err` when the DFA quits.
fn ends_from(dfa: &DFA, cache: &mut DfaCache, hay: &[u8], s: usize, e: usize) -> Result<u128, ()> {
    let input = Input::new(hay).span(s..e).anchored(Anchored::Yes);
    let sid = dfa.start_state_forward(cache, &input).map_err(|_| ())?;
    // The byte at `at` (none past the end of the text) tells whether a match ends at `at`.
    let steps = (s..=e).map(|at| (at, hay.get(at).copied()));
    match_positions(dfa, cache, sid, s, steps)
}

/// Where the matches of the reverse `dfa` anchored at `e` begin, down to `s` (`e - s < 127`):
/// bit `p - s` for a beginning at `p`. `Err` when the DFA quits.
fn begins_before(
    dfa: &DFA,
    cache: &mut DfaCache,
    hay: &[u8],
    s: usize,
    e: usize,
) -> Result<u128, ()> {
    let input = Input::new(hay).span(s..e).anchored(Anchored::Yes);
    let sid = dfa.start_state_reverse(cache, &input).map_err(|_| ())?;
    // The byte before `at` (none at the start of the text) tells whether a match begins there.
    let steps = (s..=e)
        .rev()
        .map(|at| (at, at.checked_sub(1).map(|i| hay[i])));
    match_positions(dfa, cache, sid, s, steps)
}

/// Walks `dfa` from `sid` over `steps`: each a position and the byte that settles it (`None`
/// for the edge of the text, where the end-of-input transition does). Matches are reported one
/// byte late, so the state after a step tells whether a match stops at its position: those
/// positions are the bits returned, offsets from `s`. Stops at the dead state; `Err` when the
/// DFA quits.
fn match_positions(
    dfa: &DFA,
    cache: &mut DfaCache,
    mut sid: LazyStateID,
    s: usize,
    steps: impl Iterator<Item = (usize, Option<u8>)>,
) -> Result<u128, ()> {
    let mut bits = 0u128;
    for (at, byte) in steps {
        sid = match byte {
            Some(b) => dfa.next_state(cache, sid, b),
            None => dfa.next_eoi_state(cache, sid),
        }
        .map_err(|_| ())?;
        if sid.is_tagged() {
            if sid.is_match() {
                bits |= 1 << (at - s);
            } else if sid.is_dead() {
                break;
            } else if sid.is_quit() {
                return Err(());
            }
        }
    }
    Ok(bits)
}

/// The one position set in `bits` (offsets from `s`), or `None` when there are none or several.
fn only_position(bits: u128, s: usize) -> Option<usize> {
    (bits.count_ones() == 1).then(|| s + bits.trailing_zeros() as usize)
}

impl ValueCapture {
    /// Both compilations of the pattern whose syntax tree is `hir` (see [`parse`]).
    fn new(hir: &regex_syntax::hir::Hir) -> Result<Option<ValueCapture>, RuleError> {
        let full = capture_builder()
            .build_from_hir(hir)
            .map_err(|e| RuleError::Compile(e.to_string()))?;
        let slot_of = |re: &Regex| {
            re.group_info()
                .to_index(PatternID::ZERO, "v")
                .and_then(|g| re.group_info().slot(PatternID::ZERO, g))
        };
        let Some(slot) = slot_of(&full) else {
            return Ok(None);
        };
        let bmp = capture_builder()
            .build_from_hir(&within_bmp(hir))
            .ok()
            .filter(|re| {
                slot_of(re) == Some(slot)
                    && re.group_info().slot_len() == full.group_info().slot_len()
            });
        let split = SplitDfas::new(hir).map_err(RuleError::Compile)?;
        Ok(Some(ValueCapture {
            full,
            bmp,
            slot,
            split,
        }))
    }

    /// The group's span in the match `s..e` of `hay`, if it took part in it. `cut` allows the
    /// BMP-only compilation where it agrees (the reference search does without it).
    fn find(&self, hay: &[u8], s: usize, e: usize, cut: bool) -> Option<(usize, usize)> {
        let re = match &self.bmp {
            Some(bmp) if cut && hay[s..e].iter().all(|&b| b < 0xF0) => bmp,
            _ => &self.full,
        };
        // The match is known to end at `e`: the search is limited to it. Look-around still sees
        // the whole text, so this finds the same match and the same group.
        let input = Input::new(hay).span(s..e).anchored(Anchored::Yes);
        let mut fixed = [None; 16];
        let mut heap = Vec::new();
        let len = re.group_info().slot_len();
        let slots = match fixed.get_mut(..len) {
            Some(fixed) => fixed,
            None => {
                heap.resize(len, None);
                &mut heap[..]
            }
        };
        re.search_slots(&input, slots)?;
        match (slots.get(self.slot), slots.get(self.slot + 1)) {
            (Some(Some(a)), Some(Some(b))) => Some((a.get(), b.get())),
            _ => None,
        }
    }
}

/// `hir` with every Unicode class cut to the Basic Multilingual Plane (see [`ValueCapture`]).
fn within_bmp(hir: &regex_syntax::hir::Hir) -> regex_syntax::hir::Hir {
    use regex_syntax::hir::{
        Capture, Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Repetition,
    };
    match hir.kind() {
        HirKind::Class(Class::Unicode(c)) => {
            let mut c = c.clone();
            c.intersect(&ClassUnicode::new([ClassUnicodeRange::new(
                '\0', '\u{FFFF}',
            )]));
            Hir::class(Class::Unicode(c))
        }
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            min: r.min,
            max: r.max,
            greedy: r.greedy,
            sub: Box::new(within_bmp(&r.sub)),
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            index: c.index,
            name: c.name.clone(),
            sub: Box::new(within_bmp(&c.sub)),
        }),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(within_bmp).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(within_bmp).collect()),
        _ => hir.clone(),
    }
}

/// Patterns searched together by one automaton.
struct TextGroup {
    /// The full engine, for captures and as the fallback when the lazy DFA gives up.
    re: Regex,
    /// A forward lazy DFA of the same patterns, driven directly for anchored attempts: a
    /// candidate position costs a few table lookups instead of a trip through the meta engine.
    dfa: DFA,
    patterns: Vec<TextPattern>,
    entry: Entry,
}

/// Where a group's matches can begin, which decides how the group is searched.
enum Entry {
    /// ASCII-led patterns that all need a non-word character before them: the bytes a match can
    /// start with. The group is tried, anchored, at word starts with one of these bytes only.
    ///
    /// Where the run of word characters there is longer than any of the group's patterns can
    /// begin with (a 20-digit order number, a hash), the position is not tried at all.
    ///
    /// Where no pattern's match can begin with that run followed by the byte after it (`GET `,
    /// `api/`), the position is not tried either (see [`RunShapes`]).
    WordStart {
        starts: Box<Starts>,
        limit: RunLimit,
        shapes: Option<RunShapes>,
    },
    /// Every match begins with a literal of two or more characters (role words, province
    /// names, key names): the group is tried, anchored, where the first two characters of one
    /// of them occur. A bitmap test per character replaces an unanchored search by an
    /// automaton of thousands of states, whose literal prefilter gives up on so many literals.
    Pairs(Box<PairFilter>),
    /// Patterns that begin at a line start: tried, anchored, at line starts only.
    LineStart,
    /// No usable prefix, but every match ends with one of a few literals of two characters or
    /// more and has a bounded length (a name before 先生 or 您好): the literals are found, and
    /// the group is tried, anchored, at the positions up to `reach` bytes before each, where a
    /// match ending with it can begin.
    Suffix { literals: AhoCorasick, reach: usize },
    /// Led by key names (`name`, `customer_name`, `to`), whose letters begin most words of a
    /// log, but holding a separator byte (`:` or `=`) at most `reach` bytes after the start,
    /// which the key part never holds: the separators are found with `memchr`, the rest of the
    /// pattern from there on (`tail`, anchored) must match at one, and only then is the group
    /// tried at the positions up to `reach` bytes before it (see [`Infix`]).
    Infix {
        bytes: Vec<u8>,
        reach: usize,
        /// The bytes that can follow a separator in a match: most separators in a log (the
        /// colons of a timestamp) are passed over on this test alone.
        follow: Box<[bool; 256]>,
        tail: Box<DFA>,
    },
    /// No usable prefix (negated-class patterns): an unanchored search.
    Anywhere,
}

impl TextGroup {
    /// The match of the group's patterns anchored at `s`: the pattern and where it ends.
    ///
    /// This walks the lazy DFA byte by byte itself. Most attempts die after a byte or two
    /// (a timestamp, a word), and the general search routine's set-up costs more than that walk.
    fn anchored(
        &self,
        cache: &mut GroupCache,
        hay: &[u8],
        s: usize,
        anchored: Anchored,
    ) -> Option<(usize, usize)> {
        match self.walk(cache, hay, s, anchored) {
            Ok(m) => m,
            // The DFA quit (a Unicode word boundary before non-ASCII text): the meta engine
            // answers instead.
            Err(()) => {
                let input = Input::new(hay).span(s..hay.len()).anchored(anchored);
                self.re
                    .search(&input)
                    .map(|m| (m.pattern().as_usize(), m.end()))
            }
        }
    }

    #[inline(always)]
    fn walk(
        &self,
        cache: &mut GroupCache,
        hay: &[u8],
        s: usize,
        anchored: Anchored,
    ) -> Result<Option<(usize, usize)>, ()> {
        walk(&self.dfa, cache, hay, s, anchored)
    }
}

/// The match of `dfa`'s patterns at `s` (anchored as asked): the pattern and where it ends;
/// `Err` when the DFA quits. The DFA is walked byte by byte here (see [`TextGroup::anchored`]).
/// Always inlined: it runs once a candidate, and most walks end after a byte or two.
#[inline(always)]
fn walk(
    dfa: &DFA,
    cache: &mut GroupCache,
    hay: &[u8],
    s: usize,
    anchored: Anchored,
) -> Result<Option<(usize, usize)>, ()> {
    let look_behind = s.checked_sub(1).map(|i| hay[i]);
    let mut sid = if anchored == Anchored::Yes {
        cache.start(dfa, look_behind)?
    } else {
        let cfg = regex_automata::util::start::Config::new()
            .anchored(anchored)
            .look_behind(look_behind);
        dfa.start_state(&mut cache.dfa, &cfg).map_err(|_| ())?
    };
    let cache = &mut cache.dfa;
    let mut found = None;
    // Matches are reported one byte late: entering a match state on the byte at `at` means a
    // match ended at `at`.
    let mut at = s;
    'walk: while at < hay.len() {
        if sid.is_tagged() {
            // From a tagged state (a match) a step takes the checked path.
            sid = dfa.next_state(cache, sid, hay[at]).map_err(|_| ())?;
        } else {
            // From an untagged state a step is one table lookup, and most steps lead to
            // another untagged state: those are taken here with one test each.
            loop {
                let next = dfa.next_state_untagged(cache, sid, hay[at]);
                if next.is_tagged() {
                    // A transition not computed yet, a match, the dead or the quit state.
                    sid = if next.is_unknown() {
                        dfa.next_state(cache, sid, hay[at]).map_err(|_| ())?
                    } else {
                        next
                    };
                    break;
                }
                sid = next;
                at += 1;
                if at == hay.len() {
                    break 'walk;
                }
            }
        }
        if sid.is_tagged() {
            if sid.is_match() {
                found = Some((dfa.match_pattern(cache, sid, 0).as_usize(), at));
            } else if sid.is_dead() {
                return Ok(found);
            } else if sid.is_quit() {
                return Err(());
            }
        }
        at += 1;
    }
    sid = dfa.next_eoi_state(cache, sid).map_err(|_| ())?;
    if sid.is_match() {
        found = Some((dfa.match_pattern(cache, sid, 0).as_usize(), hay.len()));
    }
    Ok(found)
}

/// A bitmap of `2^bits` entries.
struct Bits(Vec<u64>);

impl Bits {
    fn new(bits: u32) -> Bits {
        Bits(vec![0; 1 << (bits - 6)])
    }

    fn set(&mut self, i: usize) {
        self.0[i >> 6] |= 1 << (i & 63);
    }

    fn get(&self, i: usize) -> bool {
        self.0[i >> 6] & (1 << (i & 63)) != 0
    }
}

/// A set of characters, folded to 16 bits: a character outside it is certainly not in the set,
/// one inside it may be (the few characters beyond the BMP share slots with others).
struct CharSet(Bits);

impl CharSet {
    const BITS: u32 = 16;

    fn new() -> CharSet {
        CharSet(Bits::new(Self::BITS))
    }

    fn insert(&mut self, c: u32) {
        self.0.set(Self::slot(c));
    }

    fn may_contain(&self, c: u32) -> bool {
        self.0.get(Self::slot(c))
    }

    fn slot(c: u32) -> usize {
        (c & ((1 << Self::BITS) - 1)) as usize
    }
}

/// A filter for positions where one of a set of literals can begin, by its first character, its
/// first two characters and its first four bytes. Each test is a bitmap, so a position costs a
/// UTF-8 decode and a few bit tests; false positives only cost an anchored attempt that fails.
/// Where the text has two three-byte characters (most CJK text), their six bytes are tested in
/// one bitmap instead, without decoding.
///
/// The four-byte test matters for ASCII-led literals (`name=`, `owner:`): their first two
/// characters (`na`, `ow`) begin a word in every line of English text, their first four bytes
/// seldom do.
struct PairFilter {
    /// Where a literal's first byte is followed by the second and third bytes of one: most
    /// positions of a log line begin none, and for a CJK character the last two of its three
    /// bytes set it apart from most characters (its first two only name a block of 64 code
    /// points, which the literals' first characters mostly fill).
    starts: Starts,
    first: CharSet,
    pairs: Bits,
    /// The first four bytes of literals of four bytes or more.
    quads: Bits,
    /// Literals of fewer than four bytes (`xm`), whole, and the lengths they come in.
    short: Bits,
    short_lens: u8,
    /// The first six bytes of literals that begin with two three-byte characters (nearly every
    /// CJK literal): where the text has two such characters, this one test settles the position
    /// without decoding either.
    cjk: Bits,
}

const PAIR_BITS: u32 = 20;
const QUAD_BITS: u32 = 18;
/// 32 KiB, which stays in the first-level cache: this bitmap is read at most CJK characters.
const CJK_BITS: u32 = 18;

impl PairFilter {
    /// The filter of literals of two characters or more (see `selective_literal`).
    fn new<'a>(literals: impl Iterator<Item = &'a [u8]>) -> PairFilter {
        let literals: Vec<&[u8]> = literals.collect();
        let mut filter = PairFilter {
            starts: Starts::literals(literals.iter().copied()),
            first: CharSet::new(),
            pairs: Bits::new(PAIR_BITS),
            quads: Bits::new(QUAD_BITS),
            short: Bits::new(QUAD_BITS),
            short_lens: 0,
            cjk: Bits::new(CJK_BITS),
        };
        for lit in literals {
            filter.insert(lit);
        }
        filter
    }

    fn pair_slot(a: u32, b: u32) -> usize {
        (pair_hash(a, b) >> (32 - PAIR_BITS)) as usize
    }

    /// The slot of up to four bytes, read as a little-endian number.
    fn quad_slot(bytes: &[u8]) -> usize {
        let mut word = [0u8; 4];
        let n = bytes.len().min(4);
        word[..n].copy_from_slice(&bytes[..n]);
        let h = (u32::from_le_bytes(word) ^ (n as u32) << 29).wrapping_mul(0x9E37_79B1);
        (h >> (32 - QUAD_BITS)) as usize
    }

    /// Adds a literal of two characters or more.
    fn insert(&mut self, lit: &[u8]) {
        if let Some(w) = two_cjk(lit, 0) {
            self.cjk.set(six_slot(w));
        }
        let (a, n) = decode(lit, 0);
        self.first.insert(a);
        let (b, _) = decode(lit, n);
        self.pairs.set(Self::pair_slot(a, b));
        if lit.len() >= 4 {
            self.quads.set(Self::quad_slot(&lit[..4]));
        } else {
            self.short.set(Self::quad_slot(lit));
            self.short_lens |= 1 << lit.len();
        }
    }

    /// Whether a literal may begin at `i`, where a character starts, and that character's
    /// length in bytes.
    #[inline]
    fn may_start(&self, hay: &[u8], i: usize) -> (bool, usize) {
        // A literal that begins here begins with these two characters, so it is one of those
        // whose first six bytes went into `cjk`.
        if let Some(w) = two_cjk(hay, i) {
            return (self.cjk.get(six_slot(w)), 3);
        }
        let (c, n) = decode(hay, i);
        (self.may_start_decoded(hay, i, c, n), n)
    }

    /// Whether a literal may begin at `i`, where character `c` of `n` bytes starts.
    #[inline]
    fn may_start_decoded(&self, hay: &[u8], i: usize, c: u32, n: usize) -> bool {
        if !self.first.may_contain(c) || i + n >= hay.len() {
            return false;
        }
        let (d, _) = decode(hay, i + n);
        if !self.pairs.get(Self::pair_slot(c, d)) {
            return false;
        }
        if let Some(quad) = hay.get(i..i + 4) {
            if self.quads.get(Self::quad_slot(quad)) {
                return true;
            }
        }
        (2..4).any(|k| {
            self.short_lens & (1 << k) != 0
                && hay
                    .get(i..i + k)
                    .is_some_and(|lit| self.short.get(Self::quad_slot(lit)))
        })
    }
}

/// The names found in one text. They are short strings looked up a few at a time at many
/// positions, where SipHash's set-up costs more than the lookup; the keys come from the text
/// being scanned, not from an adversary who could choose collisions.
type NameSet<'a> = crate::fxhash::FxHashSet<&'a str>;

/// The first six bytes at `i` when they are two three-byte characters, as nearly all CJK
/// characters are.
#[inline]
fn two_cjk(hay: &[u8], i: usize) -> Option<&[u8]> {
    hay.get(i..i + 6)
        .filter(|w| w[0] & 0xF0 == 0xE0 && w[3] & 0xF0 == 0xE0)
}

/// The slot of six bytes in the bitmap of [`CJK_BITS`] bits.
#[inline]
fn six_slot(w: &[u8]) -> usize {
    let word = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], 0, 0]);
    (word.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - CJK_BITS)) as usize
}

/// A hash of a pair of characters; its top bits index the pair bitmaps.
fn pair_hash(a: u32, b: u32) -> u32 {
    (a.wrapping_mul(0x9E37_79B1) ^ b).wrapping_mul(0x85EB_CA6B)
}

/// A 16-bit slot for a pair of characters.
fn name_pair_slot(a: u32, b: u32) -> usize {
    (pair_hash(a, b) >> 16) as usize
}

/// The first byte at or after `i` that is not ASCII (or the end), eight bytes at a time: names
/// and most literals are CJK, and a log line is mostly ASCII.
#[inline]
fn skip_ascii(hay: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = hay.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let high = u64::from_le_bytes(word) & 0x8080_8080_8080_8080;
        if high != 0 {
            return i + (high.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < hay.len() && hay[i] < 0x80 {
        i += 1;
    }
    i
}

/// The code point of the three-byte UTF-8 sequence `a b c`.
#[inline(always)]
fn bmp_char(a: u8, b: u8, c: u8) -> u32 {
    (u32::from(a & 0x0F) << 12) | (u32::from(b & 0x3F) << 6) | u32::from(c & 0x3F)
}

/// The character starting at byte `i` of valid UTF-8, as a code point, and its length. A byte
/// that cannot start a sequence is read as if it did (a continuation byte as the first of two),
/// which only matters for the filter above: literals and texts are valid UTF-8.
#[inline]
fn decode(s: &[u8], i: usize) -> (u32, usize) {
    let b = s[i] as u32;
    let cont = |k: usize| s.get(i + k).map_or(0, |&x| (x & 0x3F) as u32);
    if b < 0x80 {
        (b, 1)
    } else if b < 0xE0 {
        (((b & 0x1F) << 6) | cont(1), 2)
    } else if b < 0xF0 {
        (((b & 0x0F) << 12) | (cont(1) << 6) | cont(2), 3)
    } else {
        (
            ((b & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3),
            4,
        )
    }
}

/// A hint word as written, in lower case, in upper case and capitalised: the forms it takes in
/// text (`tbz`, `TBZ`, `Tbz`). Searching for these few forms instead of ignoring ASCII case lets
/// the literal search use its SIMD prefilter.
fn case_variants(word: &str) -> Vec<String> {
    let lower = word.to_ascii_lowercase();
    let mut title = lower.clone();
    if let Some(f) = title.get_mut(..1) {
        f.make_ascii_uppercase();
    }
    let mut out = vec![word.to_owned(), lower, word.to_ascii_uppercase(), title];
    out.sort();
    out.dedup();
    out
}

/// The end of the longest of `names` that starts at byte `s` of `text`.
fn longest_name(
    text: &str,
    s: usize,
    names: &NameSet,
    min_chars: usize,
    max_chars: usize,
) -> Option<usize> {
    let mut ends: [usize; 8] = [0; 8];
    let mut k = 0;
    for (off, c) in text[s..].char_indices().take(max_chars.min(7)) {
        ends[k] = s + off + c.len_utf8();
        k += 1;
    }
    (min_chars.max(1)..=k)
        .rev()
        .map(|n| ends[n - 1])
        .find(|&e| names.contains(&text[s..e]))
}

/// The suffix literals of patterns that can be searched from the end ([`Entry::Suffix`]), and
/// how far before a literal a match can begin: every match ends with one of a few selective
/// literals and has a bounded length. `None` when one of them does not.
fn suffix_entry(patterns: &[String]) -> Option<(AhoCorasick, usize)> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let mut literals: Vec<Vec<u8>> = Vec::new();
    let mut max_len = 0;
    for p in patterns {
        let hir = regex_syntax::ParserBuilder::new().build().parse(p).ok()?;
        max_len = max_len.max(hir.properties().maximum_len()?);
        let mut ex = Extractor::new();
        ex.kind(ExtractKind::Suffix);
        let seq = ex.extract(&hir);
        let lits = seq.literals()?;
        if lits.is_empty()
            || lits.len() > 64
            || !lits.iter().all(|l| selective_literal(l.as_bytes()))
        {
            return None;
        }
        literals.extend(lits.iter().map(|l| l.as_bytes().to_vec()));
    }
    literals.sort();
    literals.dedup();
    let shortest = literals.iter().map(Vec::len).min()?;
    let ac = AhoCorasickBuilder::new()
        .match_kind(AcMatchKind::LeftmostFirst)
        .build(&literals)
        .ok()?;
    // A match of length at most `max_len` ending with a literal of at least `shortest` bytes
    // begins at most this far before the literal does.
    Some((ac, max_len.saturating_sub(shortest)))
}

/// The first position in `hay` of one of `bytes` (one to three of them).
fn find_byte(bytes: &[u8], hay: &[u8]) -> Option<usize> {
    match *bytes {
        [a] => memchr::memchr(a, hay),
        [a, b] => memchr::memchr2(a, b, hay),
        [a, b, c] => memchr::memchr3(a, b, c, hay),
        _ => None,
    }
}

/// How a pattern led by key names is looked for from inside ([`Entry::Infix`]): a required
/// item of its top-level sequence that matches one of at most three ASCII bytes (`[:=]`), where
/// the items before it (the head: the key names, a quote, a space) never match one of them and
/// span at most `reach` bytes; and the sequence from that item on (the tail).
struct Infix {
    bytes: Vec<u8>,
    /// The ASCII bytes the head can match.
    head: [bool; 128],
    reach: usize,
    /// The bytes the rest of the tail can begin with (all of them where it can be empty).
    follow: [bool; 256],
    tail: Hir,
}

impl Infix {
    /// The infix of the pattern whose tree is `hir`: at the first item that qualifies.
    fn of(hir: &Hir) -> Option<Infix> {
        let HirKind::Concat(items) = hir.kind() else {
            return None;
        };
        for (i, item) in items.iter().enumerate().skip(1) {
            let Some(bytes) = few_ascii_bytes(item) else {
                continue;
            };
            let mut head = [false; 128];
            for h in &items[..i] {
                ascii_bytes_of(h, &mut head);
            }
            if bytes.iter().any(|&b| head[usize::from(b)]) {
                continue;
            }
            let reach = Hir::concat(items[..i].to_vec())
                .properties()
                .maximum_len()?;
            // A long head would make the windows before separators long.
            if reach > 64 {
                return None;
            }
            let mut follow = [false; 256];
            if first_bytes_of(&Hir::concat(items[i + 1..].to_vec()), &mut follow) {
                follow = [true; 256];
            }
            return Some(Infix {
                bytes,
                head,
                reach,
                follow,
                tail: Hir::concat(items[i..].to_vec()),
            });
        }
        None
    }

    /// Whether this infix can join `others` in one group: all their bytes together are at most
    /// three, and no head, this one's or theirs, can match one of them.
    fn agrees_with(&self, others: &[Infix]) -> bool {
        let mut all: Vec<u8> = others
            .iter()
            .flat_map(|x| x.bytes.iter().copied())
            .chain(self.bytes.iter().copied())
            .collect();
        all.sort_unstable();
        all.dedup();
        all.len() <= 3
            && std::iter::once(self)
                .chain(others)
                .all(|x| all.iter().all(|&b| !x.head[usize::from(b)]))
    }

    /// The entry of a group of patterns with these infixes (which agree).
    fn entry(infixes: Vec<Infix>) -> Result<Entry, String> {
        let mut bytes: Vec<u8> = infixes.iter().flat_map(|x| x.bytes.clone()).collect();
        bytes.sort_unstable();
        bytes.dedup();
        let reach = infixes.iter().map(|x| x.reach).max().unwrap_or(0);
        let mut follow = Box::new([false; 256]);
        for x in &infixes {
            for (f, &g) in follow.iter_mut().zip(x.follow.iter()) {
                *f |= g;
            }
        }
        let tails: Vec<Hir> = infixes.into_iter().map(|x| x.tail).collect();
        let nfa = thompson::Compiler::new()
            .configure(thompson::Config::new().nfa_size_limit(Some(256 << 20)))
            .build_many_from_hir(&tails)
            .map_err(|e| e.to_string())?;
        let tail = DFA::builder()
            .configure(
                DFA::config()
                    .match_kind(MatchKind::LeftmostFirst)
                    .cache_capacity(8 << 20)
                    .unicode_word_boundary(true)
                    .minimum_cache_clear_count(None),
            )
            .build_from_nfa(nfa)
            .map_err(|e| e.to_string())?;
        Ok(Entry::Infix {
            bytes,
            reach,
            follow,
            tail: Box::new(tail),
        })
    }
}

/// The bytes `hir` matches when it matches one of at most three ASCII bytes and nothing else.
fn few_ascii_bytes(hir: &Hir) -> Option<Vec<u8>> {
    let ascii = match hir.kind() {
        HirKind::Literal(lit) => lit.0.len() == 1 && lit.0[0] < 0x80,
        HirKind::Class(Class::Unicode(c)) => c.ranges().iter().all(|r| r.end().is_ascii()),
        HirKind::Class(Class::Bytes(c)) => c.ranges().iter().all(|r| r.end() < 0x80),
        _ => false,
    };
    if !ascii {
        return None;
    }
    let mut set = [false; 128];
    ascii_bytes_of(hir, &mut set);
    let bytes: Vec<u8> = (0..128u8).filter(|&b| set[usize::from(b)]).collect();
    (!bytes.is_empty() && bytes.len() <= 3).then_some(bytes)
}

/// Marks in `set` every byte a match of `hir` can begin with; returns whether it can be empty.
/// A class of characters outside ASCII marks the lead bytes from its first character's to its
/// last's (lead bytes grow with the code point), a superset.
fn first_bytes_of(hir: &Hir, set: &mut [bool; 256]) -> bool {
    let lead = |c: char| {
        let mut buf = [0u8; 4];
        c.encode_utf8(&mut buf);
        usize::from(buf[0])
    };
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(lit) => match lit.0.first() {
            Some(&b) => {
                set[usize::from(b)] = true;
                false
            }
            None => true,
        },
        HirKind::Class(Class::Unicode(c)) => {
            for r in c.ranges() {
                set[lead(r.start())..=lead(r.end())].fill(true);
            }
            false
        }
        HirKind::Class(Class::Bytes(c)) => {
            for r in c.ranges() {
                for b in r.start()..=r.end() {
                    set[usize::from(b)] = true;
                }
            }
            false
        }
        HirKind::Repetition(r) => first_bytes_of(&r.sub, set) || r.min == 0,
        HirKind::Capture(c) => first_bytes_of(&c.sub, set),
        HirKind::Concat(v) => v.iter().all(|h| first_bytes_of(h, set)),
        HirKind::Alternation(v) => v
            .iter()
            .fold(false, |empty, h| first_bytes_of(h, set) | empty),
    }
}

/// Marks in `set` every ASCII byte a match of `hir` can hold. (Bytes of non-ASCII characters
/// are all 0x80 or above and cannot be one.)
fn ascii_bytes_of(hir: &Hir, set: &mut [bool; 128]) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => {
            for &b in lit.0.iter().filter(|&&b| b < 0x80) {
                set[usize::from(b)] = true;
            }
        }
        HirKind::Class(Class::Unicode(c)) => {
            for r in c.ranges() {
                for b in u32::from(r.start())..=u32::from(r.end()).min(0x7F) {
                    set[b as usize] = true;
                }
            }
        }
        HirKind::Class(Class::Bytes(c)) => {
            for r in c.ranges() {
                for b in r.start()..=r.end().min(0x7F) {
                    set[usize::from(b)] = true;
                }
            }
        }
        HirKind::Repetition(r) => ascii_bytes_of(&r.sub, set),
        HirKind::Capture(c) => ascii_bytes_of(&c.sub, set),
        HirKind::Concat(v) | HirKind::Alternation(v) => {
            for h in v {
                ascii_bytes_of(h, set);
            }
        }
    }
}

/// Whether a literal is rare enough to find candidates by: two characters or more. (Single
/// characters, a surname or a comma, occur everywhere.)
fn selective_literal(lit: &[u8]) -> bool {
    lit.iter().filter(|&&b| (b & 0xC0) != 0x80).count() >= 2
}

/// Whether every match of the pattern whose tree is `hir` begins at the start of a line (or of
/// the text).
fn line_led(hir: &Hir) -> bool {
    use regex_syntax::hir::Look;
    match hir.kind() {
        HirKind::Look(l) => matches!(l, Look::Start | Look::StartLF),
        HirKind::Concat(v) => v.first().is_some_and(line_led),
        HirKind::Capture(c) => line_led(&c.sub),
        HirKind::Alternation(v) => v.iter().all(line_led),
        _ => false,
    }
}

/// Per-thread search state: one lazy-DFA cache per group.
struct Scratch {
    caches: Vec<GroupCache>,
}

/// A group's lazy-DFA cache and its anchored start states by look-behind byte (256 for the
/// start of the text). Looking a start state up is the larger part of an attempt that dies
/// after a byte or two; the cached ones are dropped whenever the DFA cache is cleared.
struct GroupCache {
    dfa: DfaCache,
    starts: Box<[Option<LazyStateID>; 257]>,
    clears: usize,
    /// The same for the tail automaton of an infix group ([`Entry::Infix`]).
    tail: Option<Box<GroupCache>>,
    /// Per pattern, the caches of its value group's automata ([`SplitDfas`]).
    splits: Vec<Option<SplitCache>>,
}

impl GroupCache {
    fn new(dfa: &DFA, tail: Option<&DFA>, splits: &[Option<SplitDfas>]) -> GroupCache {
        GroupCache {
            dfa: dfa.create_cache(),
            starts: Box::new([None; 257]),
            clears: 0,
            tail: tail.map(|t| Box::new(GroupCache::new(t, None, &[]))),
            splits: splits
                .iter()
                .map(|x| x.as_ref().map(SplitDfas::cache))
                .collect(),
        }
    }

    /// Forgets the cached start states if the DFA cache was cleared since they were found.
    fn sync(&mut self) {
        if self.dfa.clear_count() != self.clears {
            self.starts.fill(None);
            self.clears = self.dfa.clear_count();
        }
    }

    #[inline(always)]
    fn start(&mut self, dfa: &DFA, look_behind: Option<u8>) -> Result<LazyStateID, ()> {
        self.sync();
        let k = look_behind.map_or(256, usize::from);
        if let Some(sid) = self.starts[k] {
            return Ok(sid);
        }
        let cfg = regex_automata::util::start::Config::new()
            .anchored(Anchored::Yes)
            .look_behind(look_behind);
        let sid = dfa.start_state(&mut self.dfa, &cfg).map_err(|_| ())?;
        self.sync();
        self.starts[k] = Some(sid);
        Ok(sid)
    }
}

type ScratchPool = Pool<Scratch, Box<dyn Fn() -> Scratch + Send + Sync>>;

/// A type reported only next to a hint word (`cn_taiwan_permit`): its hint words are found
/// first, and its pattern is tried just after each, instead of searching all text for a shape
/// as common as eight digits.
struct HintedType {
    ty: TypeIdx,
    re: Regex,
}

/// The hint words of one type in running text, as one automaton. The window before a candidate
/// is walked with its type's automaton alone: one automaton for the words of all types was
/// several times larger, and its table lookups, one a byte, missed the first-level cache about
/// one time in four.
struct TextHints {
    /// Overlapping (standard) matches: every word that ends at a position is seen there. A DFA
    /// walks a window with one table lookup a byte, where an NFA follows failure links.
    dfa: aho_corasick::dfa::DFA,
    /// By pattern id, whether the word is a positive or a negative hint.
    polarity: Vec<Hint>,
}

impl TextHints {
    fn new(words: &[String], polarity: Vec<Hint>) -> Result<Option<TextHints>, RuleError> {
        if words.is_empty() {
            return Ok(None);
        }
        let dfa = aho_corasick::dfa::DFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(AcMatchKind::Standard)
            .start_kind(aho_corasick::StartKind::Unanchored)
            .build(words)
            .map_err(|e| RuleError::Compile(e.to_string()))?;
        Ok(Some(TextHints { dfa, polarity }))
    }
}

/// Options that do not come from the rule files.
#[derive(Debug, Clone, Copy)]
pub struct DetectorOptions {
    /// The reference date for "not in the future" checks; the caller reads the clock.
    pub today: Date,
    /// Spans below this confidence are not reported.
    pub min_confidence: f32,
}

impl Default for DetectorOptions {
    fn default() -> Self {
        DetectorOptions {
            today: Date::new(2026, 1, 1),
            min_confidence: 0.5,
        }
    }
}

/// The compiled rule set. Cheap to share between threads (`&Detector` is all a scan needs).
pub struct Detector {
    types: Vec<TypeInfo>,
    groups: Vec<TextGroup>,
    scratch: ScratchPool,
    hinted: Vec<HintedType>,
    /// Positive hint words of hinted types; the pattern id indexes `hinted_words`.
    hinted_ac: Option<AhoCorasick>,
    hinted_words: Vec<usize>,
    value_re: Option<Regex>,
    /// Per value pattern: its type and whether it is a strong (header-free) form.
    value_types: Vec<(TypeIdx, bool)>,
    dict_ac: Option<AhoCorasick>,
    dict_types: Vec<TypeIdx>,
    dict_values: HashMap<String, Vec<TypeIdx>>,
    allow_values: std::collections::HashSet<String>,
    allow_re: Option<Regex>,
    hint_ac: AhoCorasick,
    hint_words: Vec<(TypeIdx, Hint, String)>,
    /// The `person_name` type, whose spans are propagated through a document.
    person_name: Option<TypeIdx>,
    /// Per type, the hint words looked for before its candidates in running text (see
    /// [`TextHints`]); `None` for a type without any.
    text_hints: Vec<Option<TextHints>>,
    opts: DetectorOptions,
    /// Search every group with the meta engine's unanchored search (see `reference_search`).
    reference: bool,
}

/// A type found for a whole value, with the value's confidence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValueMatch {
    pub ty: TypeIdx,
    pub confidence: f32,
    /// The value is an unambiguous form of the type (see `strong_value_pattern`).
    pub strong: bool,
}

const MAX_TYPES: usize = 1024;

fn build_regex(patterns: &[String], kind: MatchKind) -> Result<Regex, String> {
    Regex::builder()
        .configure(meta_config().match_kind(kind))
        .syntax(syntax::Config::new().unicode(true).utf8(true))
        .build_many(patterns)
        .map_err(|e| e.to_string())
}

/// The engine limits every regex here shares.
fn meta_config() -> meta::Config {
    meta::Config::new()
        // A large cache keeps the lazy DFA from thrashing on CJK text with many patterns;
        // falling back to the PikeVM would cost an order of magnitude in throughput.
        .hybrid_cache_capacity(64 << 20)
        .nfa_size_limit(Some(256 << 20))
        .dfa_size_limit(Some(32 << 20))
}

/// A builder for the leftmost-first regexes that capture value groups, compiled from a syntax
/// tree (the syntax options of `build_regex` are the parser's defaults). Without the DFAs: a
/// capture search would first run one to find the match's bounds and then the backtracker
/// within them, but the bounds are known before a capture is asked for (see
/// `ValueCapture::find`).
fn capture_builder() -> meta::Builder {
    let mut b = Regex::builder();
    b.configure(
        meta_config()
            .match_kind(MatchKind::LeftmostFirst)
            .hybrid(false)
            .dfa(false),
    );
    b
}

/// The forward lazy DFA of a group, with a start state per pattern for retries.
fn build_dfa(patterns: &[String]) -> Result<DFA, String> {
    DFA::builder()
        .configure(
            DFA::config()
                .match_kind(MatchKind::LeftmostFirst)
                .starts_for_each_pattern(true)
                .cache_capacity(32 << 20)
                // A Unicode word boundary makes the DFA quit on non-ASCII bytes; the search then
                // falls back to the meta engine rather than failing.
                .unicode_word_boundary(true)
                .minimum_cache_clear_count(None),
        )
        .syntax(syntax::Config::new().unicode(true).utf8(true))
        .thompson(thompson::Config::new().nfa_size_limit(Some(256 << 20)))
        .build_many(patterns)
        .map_err(|e| e.to_string())
}

/// Rewrites `\d` as `[0-9]`. Identifiers are written in ASCII digits and every validator checks
/// ASCII digits; Unicode `\d` (some 700 characters) only made automata larger and hid the
/// first bytes of digit-led patterns. Write `[０-９]` where full-width digits are meant.
pub(crate) fn ascii_digits(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut depth = 0usize;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('d') if depth > 0 => out.push_str("0-9"),
                Some('d') => out.push_str("[0-9]"),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            },
            '[' => {
                depth += 1;
                out.push('[');
                // A `]` first in a class (after an optional `^`) is a literal.
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push(']');
                    chars.next();
                }
            }
            ']' if depth > 0 => {
                depth -= 1;
                out.push(']');
            }
            _ => out.push(c),
        }
    }
    out
}

/// The syntax tree of `pattern`, in the syntax `build_regex` compiles with (the parser's
/// defaults). A pattern is parsed once for its literals and its value group: the built-in ones
/// hold alternations of thousands of names.
fn parse(pattern: &str) -> Result<regex_syntax::hir::Hir, String> {
    regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .map_err(|e| e.to_string())
}

/// The literals every match of the pattern whose tree is `hir` starts with, or `None` when they
/// cannot be listed (a pattern that can start with any character, or with too many).
fn prefix_literals(hir: &regex_syntax::hir::Hir) -> Option<Vec<Vec<u8>>> {
    let mut ex = regex_syntax::hir::literal::Extractor::new();
    // Eight bytes hold the first two characters of any literal, which is all the filters read
    // (`PairFilter`, `first_bytes`, `selective_literal`); longer prefixes only multiplied the
    // literals crossed through alternations, and the extraction took half of compile time.
    ex.kind(regex_syntax::hir::literal::ExtractKind::Prefix)
        .limit_class(300)
        .limit_literal_len(8)
        .limit_total(20_000);
    let seq = ex.extract(hir);
    let lits = seq.literals()?;
    if lits.is_empty() || lits.iter().any(|l| l.as_bytes().is_empty()) {
        return None;
    }
    Some(lits.iter().map(|l| l.as_bytes().to_vec()).collect())
}

/// The set of bytes a match of `pattern` can start with, from its literal prefixes. Unknown means
/// every byte: this is only a filter that saves anchored retries.
fn first_bytes(literals: Option<&[Vec<u8>]>) -> [bool; 256] {
    match literals {
        Some(lits) => {
            let mut set = [false; 256];
            for l in lits {
                set[l[0] as usize] = true;
            }
            set
        }
        None => [true; 256],
    }
}

impl Detector {
    /// Compiles a rule set. Fails only on limits (too many types) or on a pattern the regex
    /// engine rejects that the rule parser accepted.
    pub fn new(rules: &RuleSet, opts: DetectorOptions) -> Result<Detector, RuleError> {
        if rules.types.len() > MAX_TYPES {
            return Err(RuleError::Compile(format!(
                "{} types defined; at most {MAX_TYPES} are supported",
                rules.types.len()
            )));
        }
        let mut types = Vec::new();
        #[allow(clippy::type_complexity)]
        let mut group_src: Vec<(
            String,
            Vec<String>,
            Vec<(TextPattern, Option<Vec<Vec<u8>>>, Option<Hir>)>,
        )> = Vec::new();
        let mut hinted = Vec::new();
        let mut hinted_terms: Vec<String> = Vec::new();
        let mut hinted_words = Vec::new();
        let mut value_src = Vec::new();
        let mut value_types = Vec::new();
        let mut dict_terms: Vec<String> = Vec::new();
        let mut dict_types = Vec::new();
        let mut dict_values: HashMap<String, Vec<TypeIdx>> = HashMap::new();
        let mut hint_words = Vec::new();
        let mut text_hint_words: Vec<(Vec<String>, Vec<Hint>)> = Vec::new();

        for (i, t) in rules.types.iter().enumerate() {
            let idx = i as TypeIdx;
            let patterns: Vec<String> = t.patterns.iter().map(|p| ascii_digits(p)).collect();
            types.push(TypeInfo {
                id: t.id.clone(),
                name: t.name.clone(),
                confidence: t.confidence,
                validator: t.validator,
                header_required: t.header_required,
                hint_required: t.hint_required,
                min_ratio: t.min_ratio,
                checked: is_checked(t),
                boundary: t.boundary,
            });
            if t.text && t.hint_required && !patterns.is_empty() {
                let re =
                    build_regex(&patterns, MatchKind::LeftmostFirst).map_err(RuleError::Compile)?;
                for h in t.hints.iter().filter(|h| !h.is_ascii() || h.len() >= 3) {
                    for v in case_variants(h) {
                        hinted_terms.push(v);
                        hinted_words.push(hinted.len());
                    }
                }
                hinted.push(HintedType { ty: idx, re });
            } else if t.text {
                let slot = match group_src.iter().position(|(g, _, _)| *g == t.group) {
                    Some(i) => i,
                    None => {
                        group_src.push((t.group.clone(), Vec::new(), Vec::new()));
                        group_src.len() - 1
                    }
                };
                for p in &patterns {
                    let hir = parse(p);
                    let lits = hir.as_ref().ok().and_then(prefix_literals);
                    let fb = first_bytes(lits.as_deref());
                    // A pattern that can only start with a word character, for a type that needs
                    // a non-word character before it, gets an ASCII word boundary: the automaton
                    // then never starts a match inside a word, which keeps it small and fast.
                    let word_led = fb.iter().enumerate().all(|(b, ok)| {
                        !ok || (b as u8).is_ascii_alphanumeric() || b == usize::from(b'_')
                    });
                    let src = if t.boundary == Boundary::Alnum && word_led {
                        format!("(?-u:\\b)(?:{p})")
                    } else {
                        p.clone()
                    };
                    let value = if p.contains("(?P<v>") {
                        let own;
                        let tree = if src == *p {
                            &hir
                        } else {
                            own = parse(&src);
                            &own
                        };
                        let tree = tree.as_ref().map_err(|e| RuleError::Compile(e.clone()))?;
                        ValueCapture::new(tree)?
                    } else {
                        None
                    };
                    // The limit holds only where the match itself must end before a non-word
                    // character: not for a value group inside it.
                    let run_limit = if t.boundary == Boundary::Alnum && value.is_none() {
                        RunLimit::of_pattern(&src)
                    } else {
                        RunLimit::NONE
                    };
                    // The tree is kept for sorting the pattern into its part, which looks at
                    // patterns as written (those with a boundary added are word-led and searched
                    // otherwise).
                    let tree = if src == *p { hir.ok() } else { None };
                    group_src[slot].2.push((
                        TextPattern {
                            ty: idx,
                            first_bytes: fb,
                            value,
                            run_limit,
                        },
                        lits,
                        tree,
                    ));
                    group_src[slot].1.push(src);
                }
            }
            if let Some(p) = t.value_pattern.as_ref().or(t.patterns.first()) {
                value_src.push(format!("(?:{})$", ascii_digits(p)));
                value_types.push((idx, false));
            }
            if let Some(p) = &t.strong_value_pattern {
                value_src.push(format!("(?:{})$", ascii_digits(p)));
                value_types.push((idx, true));
            }
            for v in &t.dictionary_values {
                if t.text {
                    dict_terms.push(v.clone());
                    dict_types.push(idx);
                }
                dict_values.entry(v.clone()).or_default().push(idx);
            }
            for h in &t.hints {
                hint_words.push((idx, Hint::Positive, h.clone()));
            }
            for h in &t.negative_hints {
                hint_words.push((idx, Hint::Negative, h.clone()));
            }
            // In running text, short ASCII hints ("ip", "xm") occur inside unrelated words, so
            // only hints of three ASCII letters or more, or with CJK characters, are used there.
            let (mut words, mut polarity) = (Vec::new(), Vec::new());
            for (h, pol) in t
                .hints
                .iter()
                .map(|h| (h, Hint::Positive))
                .chain(t.negative_hints.iter().map(|h| (h, Hint::Negative)))
            {
                if !h.is_ascii() || h.len() >= 3 {
                    words.push(h.clone());
                    polarity.push(pol);
                }
            }
            text_hint_words.push((words, polarity));
        }
        let mut groups = Vec::new();
        for (_, src, patterns) in group_src {
            // Each rule group is split by how its matches can be found: ASCII-led patterns that
            // need a word boundary, patterns led by known literals, line-anchored patterns, and
            // the rest (negated classes), which would otherwise switch off the literal filter
            // for the whole automaton.
            #[allow(clippy::type_complexity)]
            let mut parts: [Vec<(String, TextPattern, Option<Vec<Vec<u8>>>)>; 5] =
                Default::default();
            // The infixes of the patterns in the infix part (slot 4), which must agree: their
            // bytes together are at most three, and none of their heads holds one of them.
            let mut infixes: Vec<Infix> = Vec::new();
            for (src, (p, lits, tree)) in src.into_iter().zip(patterns) {
                let word = lits.is_some()
                    && p.first_bytes
                        .iter()
                        .enumerate()
                        .all(|(b, ok)| !ok || b < 0x80)
                    && types[p.ty as usize].boundary == Boundary::Alnum;
                let pairs = lits
                    .as_ref()
                    .is_some_and(|ls| ls.iter().all(|l| selective_literal(l)));
                // Key names (`name=`, `"customer_name":`) begin with letters, which begin most
                // words of a log: such a pattern is looked for from its separator instead,
                // where it has one (see `Entry::Infix`). (Some of their literals begin with
                // other characters: `(?i:s)` also matches the long s, `ſ`.)
                let letter_led = lits.as_ref().is_some_and(|ls| {
                    ls.iter()
                        .any(|l| l.first().is_some_and(u8::is_ascii_alphanumeric))
                });
                // Only word-led patterns lack a tree (a boundary was added to them), and those
                // are decided before this is asked.
                let line = !word && tree.as_ref().is_some_and(line_led);
                let infix = if !word && letter_led && !line {
                    tree.as_ref()
                        .and_then(Infix::of)
                        .filter(|x| x.agrees_with(&infixes))
                } else {
                    None
                };
                let slot = if word {
                    0
                } else if line {
                    2
                } else if let Some(x) = infix {
                    infixes.push(x);
                    4
                } else if pairs {
                    1
                } else {
                    3
                };
                parts[slot].push((src, p, lits));
            }
            for (slot, part) in parts.into_iter().enumerate() {
                if part.is_empty() {
                    continue;
                }
                let src: Vec<String> = part.iter().map(|(s, _, _)| s.clone()).collect();
                let re = build_regex(&src, MatchKind::LeftmostFirst).map_err(RuleError::Compile)?;
                let dfa = build_dfa(&src).map_err(RuleError::Compile)?;
                // One or two patterns are searched fastest by the meta engine itself, which
                // finds a rare inner literal (the `@` of an e-mail address) with SIMD.
                let entry = if slot == 4 {
                    Infix::entry(std::mem::take(&mut infixes)).map_err(RuleError::Compile)?
                } else if slot == 2 {
                    Entry::LineStart
                } else if let Some((literals, reach)) =
                    (slot == 3).then(|| suffix_entry(&src)).flatten()
                {
                    Entry::Suffix { literals, reach }
                } else if part.len() < 3 || slot == 3 {
                    Entry::Anywhere
                } else if slot == 0 {
                    let mut union = [false; 256];
                    let mut limit = RunLimit { word: 0, digits: 0 };
                    for (_, p, _) in &part {
                        for (b, ok) in p.first_bytes.iter().enumerate() {
                            union[b] |= *ok;
                        }
                        limit = limit.max(p.run_limit);
                    }
                    // Like the limits, the shapes hold only where the match must end before a
                    // non-word character: not with a value group inside it.
                    let shapes = part
                        .iter()
                        .all(|(_, p, _)| p.value.is_none())
                        .then(|| RunShapes::of_patterns(part.iter().map(|(s, _, _)| s.as_str())))
                        .flatten();
                    Entry::WordStart {
                        starts: Box::new(Starts::word_starts(union)),
                        limit,
                        shapes,
                    }
                } else {
                    let literals = part
                        .iter()
                        .filter_map(|(_, _, l)| l.as_ref())
                        .flatten()
                        .map(Vec::as_slice);
                    Entry::Pairs(Box::new(PairFilter::new(literals)))
                };
                groups.push(TextGroup {
                    re,
                    dfa,
                    patterns: part.into_iter().map(|(_, p, _)| p).collect(),
                    entry,
                });
            }
        }
        type GroupDfas = (DFA, Option<DFA>, Vec<Option<SplitDfas>>);
        let dfas: Vec<GroupDfas> = groups
            .iter()
            .map(|g| {
                let tail = match &g.entry {
                    Entry::Infix { tail, .. } => Some(DFA::clone(tail)),
                    _ => None,
                };
                let splits = g
                    .patterns
                    .iter()
                    .map(|p| p.value.as_ref().and_then(|v| v.split.clone()))
                    .collect();
                (g.dfa.clone(), tail, splits)
            })
            .collect();
        let scratch: ScratchPool = Pool::new(Box::new(move || Scratch {
            caches: dfas
                .iter()
                .map(|(d, t, x)| GroupCache::new(d, t.as_ref(), x))
                .collect(),
        }));
        let hinted_ac = if hinted_terms.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(AcMatchKind::LeftmostLongest)
                    .build(&hinted_terms)
                    .map_err(|e| RuleError::Compile(e.to_string()))?,
            )
        };
        let value_re = if value_src.is_empty() {
            None
        } else {
            Some(build_regex(&value_src, MatchKind::All).map_err(RuleError::Compile)?)
        };
        let dict_ac = if dict_terms.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(AcMatchKind::LeftmostLongest)
                    .build(&dict_terms)
                    .map_err(|e| RuleError::Compile(e.to_string()))?,
            )
        };
        let allow_re = if rules.allow.patterns.is_empty() {
            None
        } else {
            let p: Vec<String> = rules
                .allow
                .patterns
                .iter()
                .map(|p| format!("(?:{p})$"))
                .collect();
            Some(build_regex(&p, MatchKind::All).map_err(RuleError::Compile)?)
        };
        let ac = |words: Vec<&String>| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(AcMatchKind::Standard)
                .build(words)
                .map_err(|e| RuleError::Compile(e.to_string()))
        };
        let hint_ac = ac(hint_words.iter().map(|(_, _, w)| w).collect())?;
        let text_hints = text_hint_words
            .into_iter()
            .map(|(words, polarity)| TextHints::new(&words, polarity))
            .collect::<Result<_, _>>()?;
        Ok(Detector {
            types,
            groups,
            scratch,
            hinted,
            hinted_ac,
            hinted_words,
            value_re,
            value_types,
            dict_ac,
            dict_types,
            dict_values,
            allow_values: rules.allow.values.iter().cloned().collect(),
            allow_re,
            hint_ac,
            hint_words,
            person_name: rules
                .types
                .iter()
                .position(|t| t.validator == Some(Validator::PersonName))
                .map(|i| i as TypeIdx),
            text_hints,
            opts,
            reference: false,
        })
    }

    /// The same detector, searching every group with one unanchored search of the meta regex
    /// engine instead of anchored attempts at candidate positions, and capturing value groups
    /// with each pattern as written (no BMP-only compilation, see `ValueCapture`). Its spans are
    /// the definition the fast paths must reproduce; tests compare the two. It is several times
    /// slower.
    #[doc(hidden)]
    pub fn reference_search(mut self) -> Detector {
        self.reference = true;
        self
    }

    /// The built-in rules compiled with default options.
    pub fn builtin() -> Result<Detector, RuleError> {
        Detector::new(&RuleSet::builtin(), DetectorOptions::default())
    }

    pub fn types(&self) -> &[TypeInfo] {
        &self.types
    }

    pub fn type_info(&self, ty: TypeIdx) -> &TypeInfo {
        &self.types[ty as usize]
    }

    pub fn type_index(&self, id: &str) -> Option<TypeIdx> {
        self.types
            .iter()
            .position(|t| t.id == id)
            .map(|i| i as TypeIdx)
    }

    pub fn options(&self) -> &DetectorOptions {
        &self.opts
    }

    /// Whether a value is on the allow-list and must never be reported.
    pub fn is_allowed(&self, value: &str) -> bool {
        // Most rule sets allow nothing by value; hashing every candidate would cost more than
        // the rest of its check.
        if !self.allow_values.is_empty() && self.allow_values.contains(value) {
            return true;
        }
        match &self.allow_re {
            Some(re) => re.is_match(Input::new(value).anchored(Anchored::Yes)),
            None => false,
        }
    }

    /// Finds every span in `text` and appends it to `out`, ordered by start. Overlaps are
    /// resolved as the text is scanned: at each position the first pattern (in rule order) whose
    /// match passes its boundary and validator check wins, and scanning resumes after it.
    pub fn scan_text(&self, text: &str, out: &mut Vec<Span>) {
        let hay = text.as_bytes();
        let base = out.len();
        let mut scratch = self.scratch.get();
        for (g, cache) in self.groups.iter().zip(scratch.caches.iter_mut()) {
            self.scan_group(g, text, cache, out);
        }
        drop(scratch);
        self.scan_hinted(text, out);
        resolve_overlaps(out, base);
        self.extend_name_lists(text, out);
        self.propagate_names(text, out);
        if let Some(ac) = &self.dict_ac {
            let before = out.len();
            for m in ac.find_iter(hay) {
                let ty = self.dict_types[m.pattern().as_usize()];
                let (s, e) = (m.start(), m.end());
                if !boundary_ok(hay, s, e, self.types[ty as usize].boundary)
                    || self.is_allowed(&text[s..e])
                    || overlaps_any(&out[..before], s, e)
                {
                    continue;
                }
                let conf = self.types[ty as usize].confidence;
                if conf >= self.opts.min_confidence {
                    out.push(Span {
                        ty,
                        start: s,
                        end: e,
                        confidence: conf,
                    });
                }
            }
            if out.len() > before {
                out.sort_by_key(|sp| sp.start);
            }
        }
    }

    /// Searches one group: the leftmost candidate, its validator, other patterns of the group
    /// anchored at the same position when it fails, then on past it. The three ways of finding
    /// candidates (see [`Entry`]) give the same spans; they differ only in speed.
    fn scan_group(&self, g: &TextGroup, text: &str, cache: &mut GroupCache, out: &mut Vec<Span>) {
        let hay = text.as_bytes();
        let mut pos = 0;
        let entry = if self.reference {
            &Entry::Anywhere
        } else {
            &g.entry
        };
        match entry {
            Entry::WordStart {
                starts,
                limit,
                shapes,
            } => {
                let mut cursor = Cursor::new();
                let mut i = 0;
                // Each word start that a pattern can begin with, in order.
                while let Some(at) = starts.next(hay, i, &mut cursor) {
                    i = at;
                    let (word, digits, other) = starts.run(hay, i, &cursor);
                    let run = (word, digits);
                    // The next word start: past the run, or past the one separator byte that
                    // begins a match here (`+86`, `(010)`, `::1`). This is `next_start`
                    // without measuring the run again.
                    let past = i + word.max(1);
                    if !limit.admits(word, digits)
                        || shapes.as_ref().is_some_and(|sh| {
                            !sh.admits(word, digits, other, hay.get(i + word).copied())
                        })
                    {
                        i = past;
                        continue;
                    }
                    match g.anchored(cache, hay, i, Anchored::Yes) {
                        Some((pid, e)) => {
                            pos = self.candidate(g, text, cache, pid, i, e, run, out);
                        }
                        None => pos = past,
                    }
                    i = pos;
                }
            }
            Entry::Pairs(filter) => {
                let mut cursor = Cursor::new();
                let mut i = 0;
                // Each character whose first three bytes may begin a literal, in order: in
                // valid UTF-8 a literal's first byte only ever begins a character.
                while let Some(at) = filter.starts.next(hay, i, &mut cursor) {
                    i = at;
                    let (may, n) = filter.may_start(hay, i);
                    if may {
                        if let Some((pid, e)) = g.anchored(cache, hay, i, Anchored::Yes) {
                            pos = self.candidate(g, text, cache, pid, i, e, (0, 0), out);
                        }
                    }
                    i = (i + n).max(pos);
                }
            }
            Entry::LineStart => {
                let mut at = Some(0);
                while let Some(i) = at {
                    if i >= pos && i < hay.len() {
                        if let Some((pid, e)) = g.anchored(cache, hay, i, Anchored::Yes) {
                            pos = self.candidate(g, text, cache, pid, i, e, (0, 0), out);
                        }
                    }
                    let from = i.max(pos.saturating_sub(1));
                    at = memchr::memchr(b'\n', hay.get(from..).unwrap_or_default())
                        .map(|k| from + k + 1);
                }
            }
            Entry::Suffix { literals, reach } => {
                // Every occurrence of a literal is found, in the order of their starts (a
                // search resumes one byte after the last start, so overlapping ones are not
                // missed), and the positions up to `reach` bytes before each are tried. The
                // windows and `tried` only move forward, so the first match found is the
                // leftmost one, as in an unanchored search.
                let mut tried = 0;
                let mut from = 0;
                while let Some(occ) =
                    literals.find(aho_corasick::Input::new(hay).span(from..hay.len()))
                {
                    let lo = occ.start().saturating_sub(*reach).max(tried);
                    tried = self.try_window(g, text, cache, lo, occ.start(), &mut pos, out);
                    from = occ.start() + 1;
                }
            }
            Entry::Infix {
                bytes,
                reach,
                follow,
                tail,
            } => {
                // As for `Suffix`: the separators are taken in order and the windows before
                // them, and `tried`, only move forward. A match's first separator byte is the
                // one its tail begins with (its head holds none), so a match beginning after
                // one separator has its own separator after that one, and is tried there.
                let mut tried = 0;
                let mut from = 0;
                while let Some(k) = find_byte(bytes, hay.get(from..).unwrap_or_default()) {
                    let o = from + k;
                    from = o + 1;
                    // (At the end of the text the tail decides.)
                    if o < pos || !hay.get(o + 1).is_none_or(|&b| follow[usize::from(b)]) {
                        continue;
                    }
                    if let Some(tc) = cache.tail.as_deref_mut() {
                        // A quit (a Unicode word boundary) leaves the window to be tried.
                        if let Ok(None) = walk(tail, tc, hay, o, Anchored::Yes) {
                            continue;
                        }
                    }
                    let lo = o.saturating_sub(*reach).max(tried);
                    tried = self.try_window(g, text, cache, lo, o, &mut pos, out);
                }
            }
            Entry::Anywhere => {
                while pos < hay.len() {
                    let Some(m) = g.re.search(&Input::new(hay).span(pos..hay.len())) else {
                        break;
                    };
                    let pid = m.pattern().as_usize();
                    pos = self.candidate(g, text, cache, pid, m.start(), m.end(), (0, 0), out);
                }
            }
        }
    }

    /// Tries the group, anchored, at the character boundaries from `lo` to `hi` (both included)
    /// not before `pos`, resuming past each candidate as `pos` says (see `Entry::Suffix` and
    /// `Entry::Infix`). Returns the first position not tried.
    #[allow(clippy::too_many_arguments)]
    fn try_window(
        &self,
        g: &TextGroup,
        text: &str,
        cache: &mut GroupCache,
        lo: usize,
        hi: usize,
        pos: &mut usize,
        out: &mut Vec<Span>,
    ) -> usize {
        let hay = text.as_bytes();
        let mut p = lo.max(*pos);
        while p <= hi {
            if p >= *pos && text.is_char_boundary(p) {
                if let Some((pid, e)) = g.anchored(cache, hay, p, Anchored::Yes) {
                    *pos = self.candidate(g, text, cache, pid, p, e, (0, 0), out);
                    p = p.max(*pos);
                    continue;
                }
            }
            p += 1;
        }
        p
    }

    /// Checks the match of pattern `first` at `s..e` and, when it fails, the group's other
    /// patterns anchored at `s`, except those that cannot begin with `run` (the run of word
    /// characters at `s` and of digits at its start; `(0, 0)` where runs do not matter); pushes
    /// the span found, if any. Returns where scanning resumes.
    #[allow(clippy::too_many_arguments)]
    fn candidate(
        &self,
        g: &TextGroup,
        text: &str,
        cache: &mut GroupCache,
        first: usize,
        s: usize,
        e: usize,
        run: (usize, usize),
        out: &mut Vec<Span>,
    ) -> usize {
        let hay = text.as_bytes();
        let mut found = self.accept(g, text, cache, first, s, e);
        if found.is_none() {
            // The leftmost pattern failed its check here; another pattern may still match
            // at the same position (an 18-digit number that is not an ID can be a card).
            for (pid, tp) in g.patterns.iter().enumerate() {
                if pid == first
                    || !tp.first_bytes[hay[s] as usize]
                    || !tp.run_limit.admits(run.0, run.1)
                {
                    continue;
                }
                let anchored = Anchored::Pattern(PatternID::new_unchecked(pid));
                if let Some((_, e2)) = g.anchored(cache, hay, s, anchored) {
                    found = self.accept(g, text, cache, pid, s, e2);
                    if found.is_some() {
                        break;
                    }
                }
            }
        }
        match found {
            Some((span, whole_end)) => {
                if span.confidence >= self.opts.min_confidence {
                    out.push(span);
                }
                whole_end.max(s + 1)
            }
            None => next_start(hay, s),
        }
    }

    /// Finds hint-required types just after their hint words.
    fn scan_hinted(&self, text: &str, out: &mut Vec<Span>) {
        let Some(ac) = &self.hinted_ac else {
            return;
        };
        let hay = text.as_bytes();
        for m in ac.find_iter(hay) {
            let h = &self.hinted[self.hinted_words[m.pattern().as_usize()]];
            let mut end = (m.end() + 40).min(hay.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let Some(found) = h.re.search(&Input::new(hay).span(m.end()..end)) else {
                continue;
            };
            let (s, e) = (found.start(), found.end());
            let info = &self.types[h.ty as usize];
            if !boundary_ok(hay, s, e, info.boundary) {
                continue;
            }
            let Some(value) = text.get(s..e) else {
                continue;
            };
            let weight = match info.validator {
                Some(v) => match v.check(value, self.opts.today) {
                    Some(w) => w,
                    None => continue,
                },
                None => 1.0,
            };
            let conf = (info.confidence * weight + 0.05).min(0.99);
            if !self.is_allowed(value) && conf >= self.opts.min_confidence {
                out.push(Span {
                    ty: h.ty,
                    start: s,
                    end: e,
                    confidence: conf,
                });
            }
        }
    }

    /// Names listed after a found one: 抄送：曹永世、王刚、邹新明, 参会人员：宋鹏（法务部）、江曦欣.
    /// An enumeration comma after a name, past an optional note in brackets, leads to the next
    /// name, which must stand alone: a run of two to four CJK characters that passes the name
    /// validator, followed by punctuation, a space or the end of the text.
    fn extend_name_lists(&self, text: &str, out: &mut Vec<Span>) {
        let Some(ty) = self.person_name else {
            return;
        };
        let conf = self.types[ty as usize].confidence * 0.95;
        if conf < self.opts.min_confidence {
            return;
        }
        let mut extra = Vec::new();
        for sp in out.iter().filter(|s| s.ty == ty && s.confidence >= 0.7) {
            let mut at = sp.end;
            while let Some(s) = after_list_comma(text, at) {
                let Some(e) = listed_name(text, s) else {
                    break;
                };
                if self.is_allowed(&text[s..e]) {
                    break;
                }
                extra.push(Span {
                    ty,
                    start: s,
                    end: e,
                    confidence: conf,
                });
                at = e;
            }
        }
        if extra.is_empty() {
            return;
        }
        extra.retain(|x| !overlaps_any(out, x.start, x.end));
        out.extend(extra);
        out.sort_by_key(|sp| sp.start);
        // Two names of one list (both found by rules) lead to the same later names.
        out.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.ty == b.ty);
    }

    /// A name found once in a document (after 收件人 or 客户) is a name wherever else it
    /// appears in it, as long as it stands alone (not inside a longer run of CJK characters
    /// that could be another name or a word).
    fn propagate_names(&self, text: &str, out: &mut Vec<Span>) {
        let Some(ty) = self.person_name else {
            return;
        };
        let names: NameSet = out
            .iter()
            .filter(|s| s.ty == ty && s.confidence >= 0.7)
            .filter_map(|s| text.get(s.start..s.end))
            .collect();
        if names.is_empty() {
            return;
        }
        // Names are looked up where their first character occurs (a bitmap of first
        // characters), longest first, left to right: the same occurrences a leftmost-longest
        // search for all of them finds, without building an automaton per text.
        let mut firsts = CharSet::new();
        // And, when every name has two characters or more, of their first two characters:
        // surnames are among the commonest characters in Chinese text.
        let mut pairs = Bits::new(16);
        let (mut min_chars, mut max_chars) = (usize::MAX, 0);
        for n in &names {
            let (c, len) = decode(n.as_bytes(), 0);
            firsts.insert(c);
            if len < n.len() {
                let (d, _) = decode(n.as_bytes(), len);
                pairs.set(name_pair_slot(c, d));
            }
            let k = n.chars().count();
            min_chars = min_chars.min(k);
            max_chars = max_chars.max(k);
        }
        let conf = self.types[ty as usize].confidence * 0.95;
        let words = name_words();
        let hay = text.as_bytes();
        let mut extra = Vec::new();
        let filtered = !self.reference;
        let mut i = 0;
        loop {
            // Names begin with a CJK character. Most characters here are one, so ASCII is
            // looked for first and only then passed over eight bytes at a time.
            if hay.get(i).is_some_and(|&b| b < 0x80) {
                i = skip_ascii(hay, i);
            }
            // A run of three-byte characters (CJK text) is passed over on the same tests
            // without the general decode: most characters end here. What the loop cannot
            // settle this way is left to the general path below.
            // (The reference search looks names up at every character instead.)
            while let Some(&[a, b, c]) = hay.get(i..i + 3).filter(|_| filtered) {
                if a & 0xF0 != 0xE0 {
                    break;
                }
                let c = bmp_char(a, b, c);
                if firsts.may_contain(c) {
                    match hay.get(i + 3..i + 6) {
                        Some(&[d, e, f]) if min_chars >= 2 && d & 0xF0 == 0xE0 => {
                            if pairs.get(name_pair_slot(c, bmp_char(d, e, f))) {
                                break;
                            }
                        }
                        _ => break,
                    }
                }
                i += 3;
            }
            if i >= hay.len() {
                break;
            }
            let (c, n) = decode(hay, i);
            if filtered
                && (!firsts.may_contain(c)
                    || (min_chars >= 2
                        && (i + n >= hay.len()
                            || !pairs.get(name_pair_slot(c, decode(hay, i + n).0)))))
            {
                i += n;
                continue;
            }
            let Some(e) = longest_name(text, i, &names, min_chars, max_chars) else {
                i += n;
                continue;
            };
            let s = i;
            i = e;
            if overlaps_any(out, s, e) {
                continue;
            }
            let after = &text[e..];
            let next_han = after.chars().next().is_some_and(crate::validate::is_han);
            let prev_han = text[..s]
                .chars()
                .next_back()
                .is_some_and(crate::validate::is_han);
            // Two-character names occur inside ordinary words, so they must stand alone: before
            // them punctuation, a space or a role word; after them punctuation or a verb. Longer
            // names are distinctive enough to be taken anywhere.
            let short = text[s..e].chars().count() < 3;
            if short && next_han && !words.followers.starts(after) {
                continue;
            }
            if short && prev_han && !words.role_tails.ends(&text[..s]) {
                continue;
            }
            if self.is_allowed(&text[s..e]) {
                continue;
            }
            extra.push(Span {
                ty,
                start: s,
                end: e,
                confidence: conf,
            });
        }
        if !extra.is_empty() && conf >= self.opts.min_confidence {
            out.extend(extra);
            out.sort_by_key(|sp| sp.start);
        }
    }

    /// Checks one candidate; returns the span and where the whole match (including any context
    /// before the value group) ends.
    fn accept(
        &self,
        g: &TextGroup,
        text: &str,
        cache: &mut GroupCache,
        pid: usize,
        s: usize,
        e: usize,
    ) -> Option<(Span, usize)> {
        let hay = text.as_bytes();
        let tp = &g.patterns[pid];
        let info = &self.types[tp.ty as usize];
        let (mut vs, mut ve) = (s, e);
        if let Some(v) = &tp.value {
            // The reference search always asks the backtracker.
            let split = match (&v.split, cache.splits.get_mut(pid)) {
                (Some(d), Some(Some(c))) if !self.reference => d.find(c, hay, s, e),
                _ => None,
            };
            if let Some((a, b)) = split.or_else(|| v.find(hay, s, e, !self.reference)) {
                (vs, ve) = (a, b);
            }
        }
        if !boundary_ok(hay, vs, ve, info.boundary) {
            return None;
        }
        // A name candidate is first cut back to where the name ends (田诗驾驶 → 田诗), then
        // validated: the character after a name is often one a name cannot contain.
        if info.validator == Some(Validator::PersonName) {
            ve = refine_name_end(text, vs, ve)?;
        }
        let value = text.get(vs..ve)?;
        let weight = match info.validator {
            Some(v) => v.check(value, self.opts.today)?,
            None => 1.0,
        };
        // Checked only for names that passed their validator, and only when more CJK text
        // follows: otherwise the run ends with the name.
        if info.validator == Some(Validator::PersonName)
            && text[ve..]
                .chars()
                .next()
                .is_some_and(crate::validate::is_han)
            && begins_organisation(&text[vs..])
        {
            return None;
        }
        if self.is_allowed(value) {
            return None;
        }
        let (pos, neg) = self.context_hints(text, s.min(vs), tp.ty);
        if info.hint_required && !pos {
            return None;
        }
        let mut conf = info.confidence * weight;
        if pos {
            conf = (conf + 0.05).min(0.99);
        }
        if neg {
            conf *= 0.5;
        }
        Some((
            Span {
                ty: tp.ty,
                start: vs,
                end: ve,
                confidence: conf,
            },
            e.max(ve),
        ))
    }

    /// Looks for hint words of `ty` in the 40 bytes before `start` (about a dozen CJK characters
    /// or a `key=` prefix). A negative hint wins only when it is nearer than any positive one.
    fn context_hints(&self, text: &str, start: usize, ty: TypeIdx) -> (bool, bool) {
        let mut from = start.saturating_sub(40);
        while !text.is_char_boundary(from) {
            from += 1;
        }
        let window = &text.as_bytes()[from..start];
        let Some(Some(hints)) = self.text_hints.get(usize::from(ty)) else {
            return (false, false);
        };
        let (mut last_pos, mut last_neg) = (None, None);
        // The automaton is walked byte by byte here: the window is short and the general
        // iterator's set-up (prefilter, state checks) cost more than the walk.
        let dfa = &hints.dfa;
        let Ok(mut sid) = dfa.start_state(aho_corasick::Anchored::No) else {
            return (false, false);
        };
        for (i, &b) in window.iter().enumerate() {
            sid = dfa.next_state(aho_corasick::Anchored::No, sid, b);
            if !dfa.is_special(sid) || !dfa.is_match(sid) {
                continue;
            }
            for k in 0..dfa.match_len(sid) {
                match hints.polarity[dfa.match_pattern(sid, k).as_usize()] {
                    Hint::Positive => last_pos = Some(i + 1),
                    Hint::Negative => last_neg = Some(i + 1),
                }
            }
        }
        // A negative hint counts only where it labels this value: between them no other number
        // and no clause or line break (订单号：6228… is an order number; 版本 5.5.1，地址
        // 120.243.203.118 and 公司，联系人张伟 are not a version and a company).
        if last_neg.is_some_and(|n| !labels(&window[n..])) {
            last_neg = None;
        }
        let neg = match (last_pos, last_neg) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(p), Some(n)) => n > p,
        };
        (last_pos.is_some() && !neg, neg)
    }

    /// Every type a whole value is, with the value's confidence. Leading and trailing whitespace
    /// is ignored. Header hints are not considered here; see [`Detector::header_hints`].
    pub fn match_value(&self, value: &str, out: &mut Vec<ValueMatch>) {
        let v = value.trim();
        if v.is_empty() || v.len() > 512 || self.is_allowed(v) {
            return;
        }
        if let Some(re) = &self.value_re {
            let mut set = PatternSet::new(re.pattern_len());
            re.which_overlapping_matches(&Input::new(v).anchored(Anchored::Yes), &mut set);
            for pid in set.iter() {
                let (ty, strong) = self.value_types[pid.as_usize()];
                if let Some(m) = out.iter_mut().find(|m| m.ty == ty) {
                    m.strong |= strong;
                    continue;
                }
                let info = &self.types[ty as usize];
                let w = match info.validator {
                    Some(val) => match val.check(v, self.opts.today) {
                        Some(w) => w,
                        None => continue,
                    },
                    None => 1.0,
                };
                out.push(ValueMatch {
                    ty,
                    confidence: info.confidence * w,
                    strong,
                });
            }
        }
        if let Some(tys) = self.dict_values.get(v) {
            for &ty in tys {
                if !out.iter().any(|m| m.ty == ty) {
                    out.push(ValueMatch {
                        ty,
                        confidence: self.types[ty as usize].confidence,
                        strong: false,
                    });
                }
            }
        }
    }

    /// Hints a column header gives, per type. A header matches a hint when, lower-cased, it
    /// equals the hint, one of its words equals it, or it contains a hint of four or more
    /// characters. A negative hint cancels a positive one for the same type.
    pub fn header_hints(&self, header: &str) -> Vec<(TypeIdx, Hint)> {
        let h = header.trim().to_lowercase();
        let compact: String = h.chars().filter(|c| c.is_alphanumeric()).collect();
        let words = header_words(header);
        let mut out: Vec<(TypeIdx, Hint)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for m in self.hint_ac.find_overlapping_iter(&h) {
            seen.insert(m.pattern().as_usize());
        }
        for (i, (ty, pol, word)) in self.hint_words.iter().enumerate() {
            let hit = compact == *word
                || h == *word
                || words.iter().any(|w| w == word)
                || (seen.contains(&i) && (word.chars().count() >= 4 || !word.is_ascii()));
            if !hit {
                continue;
            }
            match out.iter_mut().find(|(t, _)| t == ty) {
                Some(slot) => {
                    if *pol == Hint::Negative {
                        slot.1 = Hint::Negative;
                    }
                }
                None => out.push((*ty, *pol)),
            }
        }
        out
    }
}

/// Splits a header into lower-case words: ASCII runs split at `_`, `-`, spaces, dots and
/// camelCase humps, and CJK runs kept whole.
pub fn header_words(header: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    let mut prev_ascii = true;
    for c in header.chars() {
        let ascii = c.is_ascii_alphanumeric();
        let cjk = !c.is_ascii() && c.is_alphanumeric();
        if !(ascii || cjk) {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        let hump = ascii && c.is_ascii_uppercase() && prev_lower;
        if !cur.is_empty() && (hump || ascii != prev_ascii) {
            words.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        prev_ascii = ascii;
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

fn is_checked(t: &TypeSpec) -> bool {
    use Validator::*;
    matches!(
        t.validator,
        Some(
            ResidentId
                | Uscc
                | OrgCode
                | Luhn
                | BankCard
                | Imei
                | Vin
                | Mobile
                | Email
                | Ipv4
                | Ipv6
                | MacAddress
                | GeoCoordinate
                | Landline
                | LicensePlate
        )
    )
}

/// Sorts spans added after `base` by start and drops overlaps, keeping the longer span (found
/// by different groups, an overlap means two readings of the same text).
fn resolve_overlaps(out: &mut Vec<Span>, base: usize) {
    out[base..].sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut kept: Vec<Span> = Vec::with_capacity(out.len() - base);
    for s in out.drain(base..) {
        match kept.last_mut() {
            Some(last) if s.start < last.end => {
                if s.end - s.start > last.end - last.start {
                    *last = s;
                }
            }
            _ => kept.push(s),
        }
    }
    out.extend(kept);
}

/// Whether `s..e` overlaps a span of `spans`, which are sorted by start and free of overlaps:
/// only the span starting last before `e` can overlap it.
fn overlaps_any(spans: &[Span], s: usize, e: usize) -> bool {
    let k = spans.partition_point(|o| o.start < e);
    k > 0 && spans[k - 1].end > s
}

/// Whether the text between a hint word and a value leaves the hint labelling the value: it holds
/// no digit, no line break and no clause punctuation.
fn labels(gap: &[u8]) -> bool {
    const BREAKS: [&str; 6] = ["，", "。", "；", "！", "？", "、"];
    !gap.iter()
        .any(|&b| b.is_ascii_digit() || matches!(b, b'\n' | b'\r' | b',' | b';' | b'!' | b'?'))
        && !BREAKS
            .iter()
            .any(|p| gap.windows(p.len()).any(|w| w == p.as_bytes()))
}

/// Where to resume after a rejected candidate at `s`: past the ASCII word it starts in (nothing
/// that starts inside a word can pass an alphanumeric boundary), or past one character.
fn next_start(hay: &[u8], s: usize) -> usize {
    if is_word(hay[s]) {
        let mut i = s + 1;
        while i < hay.len() && is_word(hay[i]) {
            i += 1;
        }
        i
    } else {
        let mut i = s + 1;
        while i < hay.len() && (hay[i] & 0xC0) == 0x80 {
            i += 1;
        }
        i
    }
}

fn boundary_ok(hay: &[u8], s: usize, e: usize, b: Boundary) -> bool {
    // '@' next to a value makes it part of an e-mail address (19973614664@139.com).
    let left_bad = || {
        s > 0
            && (is_word(hay[s - 1])
                || hay[s - 1] == b'@'
                || (matches!(hay[s - 1], b'.' | b':')
                    && s > 1
                    && hay[s - 2].is_ascii_alphanumeric()))
    };
    let right_bad = || {
        e < hay.len()
            && (is_word(hay[e])
                || hay[e] == b'@'
                || (matches!(hay[e], b'.' | b':')
                    && e + 1 < hay.len()
                    && hay[e + 1].is_ascii_alphanumeric()
                    && !port_follows(hay, e)))
    };
    match b {
        Boundary::Alnum => !left_bad() && !right_bad(),
        Boundary::Right => !right_bad(),
        Boundary::None => true,
    }
}

/// Whether a port number follows at `e` (`10.1.2.3:8080`): a colon, one to five digits, then
/// the end of the token. A colon before other text (an IPv6 group, a time) extends the token.
fn port_follows(hay: &[u8], e: usize) -> bool {
    if hay.get(e) != Some(&b':') {
        return false;
    }
    let digits = hay[e + 1..]
        .iter()
        .take(6)
        .take_while(|b| b.is_ascii_digit())
        .count();
    (1..=5).contains(&digits)
        && hay
            .get(e + 1 + digits)
            .is_none_or(|&b| !is_word(b) && !matches!(b, b'.' | b':'))
}

/// Words that commonly follow a name in running text (车主田诗驾驶…, 旅客段萍持护照…). A name
/// candidate that is followed by more CJK text is shortened by one character when the rest then
/// begins with one of these.
/// Words that may stand right before a repeated name (和王芳, 给王芳, 联系王芳).
/// A short list of words, tested at a position by its first (or last) character before any
/// comparison: nearly every position fails that bit test, and comparing each word there cost
/// more than the rest of a name's check.
struct WordList {
    words: &'static [&'static str],
    firsts: CharSet,
    lasts: CharSet,
}

impl WordList {
    fn new(words: &'static [&'static str]) -> WordList {
        let (mut firsts, mut lasts) = (CharSet::new(), CharSet::new());
        for w in words {
            if let (Some(f), Some(l)) = (w.chars().next(), w.chars().next_back()) {
                firsts.insert(f as u32);
                lasts.insert(l as u32);
            }
        }
        WordList {
            words,
            firsts,
            lasts,
        }
    }

    /// Whether `s` starts with one of the words.
    fn starts(&self, s: &str) -> bool {
        s.chars()
            .next()
            .is_some_and(|c| self.firsts.may_contain(c as u32))
            && self.words.iter().any(|w| s.starts_with(w))
    }

    /// Whether `s` ends with one of the words.
    fn ends(&self, s: &str) -> bool {
        s.chars()
            .next_back()
            .is_some_and(|c| self.lasts.may_contain(c as u32))
            && self.words.iter().any(|w| s.ends_with(w))
    }
}

/// The word lists that decide where a name ends and whether it stands alone.
struct NameWords {
    role_tails: WordList,
    followers: WordList,
    not_given: WordList,
}

fn name_words() -> &'static NameWords {
    static WORDS: std::sync::OnceLock<NameWords> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| NameWords {
        role_tails: WordList::new(ROLE_TAILS),
        followers: WordList::new(NAME_FOLLOWERS),
        not_given: WordList::new(NOT_GIVEN_NAMES),
    })
}

const ROLE_TAILS: &[&str] = &[
    "和", "与", "跟", "给", "向", "对", "让", "叫", "是", "把", "被", "请", "找", "问", "联系",
    "通知", "告诉", "转告", "客户", "先生", "女士", "用户", "同事", "人",
];

const NAME_FOLLOWERS: &[&str] = &[
    "家",
    "驾驶",
    "驾车",
    "持",
    "于",
    "在",
    "的",
    "已",
    "先生",
    "女士",
    "小姐",
    "来电",
    "反映",
    "称",
    "说",
    "表示",
    "购买",
    "办理",
    "申请",
    "签收",
    "提交",
    "联系",
    "电话",
    "手机",
    "身份证",
    "证件",
    "住",
    "家住",
    "现住",
    "年龄",
    "性别",
    "等",
    "和",
    "与",
    "及",
    "向",
    "对",
    "从",
    "因",
    "是",
    "为",
    "被",
    "将",
    "把",
    "通过",
    "使用",
    "预约",
    "入住",
    "到",
    "去",
    "乘坐",
    "登机",
    "投诉",
    "咨询",
    "要求",
    "同志",
    "本人",
    "签字",
    "确认",
    "领取",
    "收到",
    "寄出",
    "退款",
    "支付",
    "转账",
    "名下",
    "账户",
    "今年",
    "现年",
    "岁",
    "男",
    "女",
    "护照",
    "通行证",
    "工号",
    "邮箱",
    "地址",
    "座机",
    "昨日",
    "今日",
    // A title after the name: 孙桂总，您好 is 孙桂.
    "总",
    "经理",
    "总监",
    "老师",
    "主任",
    "律师",
    "医生",
    "师傅",
    "同学",
];

/// Titles and words that follow a surname without being a given name (王经理, 张老师, 客户来电).
const NOT_GIVEN_NAMES: &[&str] = &[
    "经理", "总监", "老师", "师傅", "医生", "主任", "先生", "女士", "小姐", "同学", "部长", "科长",
    "处长", "局长", "书记", "队长", "警官", "律师", "会计", "总", "工", "某", "姓", "氏", "家",
    "来电", "来访", "来信", "来函", "反映", "要求", "表示", "认为", "投诉", "咨询", "同意", "签字",
    "签收", "本人", "自己", "一直", "已经", "方面", "方式", "方法", "时间", "公司", "门店", "平台",
    "万元", "元整", "安全", "安装", "高速", "高级", "金额", "项目", "文件", "明细", "全部",
];

/// Where the next item of a list begins after an item ending at `at`: past an optional note in
/// brackets of up to eight characters and an enumeration comma (、).
fn after_list_comma(text: &str, at: usize) -> Option<usize> {
    let mut rest = text.get(at..)?;
    for (open, close) in [("（", "）"), ("(", ")")] {
        if let Some(r) = rest.strip_prefix(open) {
            let end = r
                .char_indices()
                .take(9)
                .find(|(_, c)| close.starts_with(*c))?
                .0;
            rest = &r[end + close.len()..];
            break;
        }
    }
    let r = rest.strip_prefix('、')?;
    Some(text.len() - r.len())
}

/// The end of a name standing alone at `s`: two to four CJK characters that pass the name
/// validator, then punctuation, a space or the end of the text.
fn listed_name(text: &str, s: usize) -> Option<usize> {
    let rest = &text[s..];
    let run = rest
        .char_indices()
        .find(|(_, c)| !crate::validate::is_han(*c))
        .map_or(rest.len(), |(i, _)| i);
    let next = rest[run..].chars().next();
    let alone = next.is_none_or(|c| "、，,。；;：:（() \t\r\n".contains(c));
    let chars = rest[..run].chars().count();
    ((2..=4).contains(&chars) && alone && crate::validate::person_name(&rest[..run]).is_some())
        .then_some(s + run)
}

/// Whether the run of CJK characters at the start of `text` names an organisation (户名：苏州博远
/// 文化传媒有限公司 is a company, not 苏州博): the run holds an organisation suffix.
fn begins_organisation(text: &str) -> bool {
    const SUFFIXES: [&str; 7] = [
        "公司",
        "集团",
        "研究院",
        "研究所",
        "事务所",
        "合作社",
        "设计院",
    ];
    let run = text
        .char_indices()
        .take(30)
        .find(|(_, c)| !crate::validate::is_han(*c))
        .map_or(text.len().min(90), |(i, _)| i);
    let mut run_end = run;
    while !text.is_char_boundary(run_end) {
        run_end -= 1;
    }
    let run = &text[..run_end];
    SUFFIXES.iter().any(|s| run.contains(s))
}

/// Finds where a name that starts at `vs` ends, or rejects it: a title after the surname is not
/// a given name, and a last character that begins a following word (段萍持护照: 持) is dropped.
fn refine_name_end(text: &str, vs: usize, ve: usize) -> Option<usize> {
    let words = name_words();
    let name = &text[vs..ve];
    // The offsets of the first three characters and of the last, without collecting them: this
    // runs for every name candidate.
    let mut first = [0usize; 3];
    let mut count = 0;
    for (i, _) in name.char_indices() {
        if count < 3 {
            first[count] = i;
        }
        count += 1;
    }
    let compound = count >= 3 && crate::data::is_surname(&name[..first[2]]);
    let surname_end = if compound {
        first[2]
    } else if count >= 2 {
        first[1]
    } else {
        return None;
    };
    let after_surname = &text[vs + surname_end..];
    if words.not_given.starts(after_surname) || words.not_given.starts(&text[vs..]) {
        return None;
    }
    let min_len = if compound { 3 } else { 2 };
    if count > min_len {
        let last = name.char_indices().next_back().map_or(0, |(i, _)| i);
        let cut = vs + last;
        if words.followers.starts(&text[cut..]) {
            return Some(cut);
        }
    }
    Some(ve)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det() -> Detector {
        Detector::new(
            &RuleSet::builtin(),
            DetectorOptions {
                today: Date::new(2026, 11, 22),
                min_confidence: 0.5,
            },
        )
        .expect("builtin rules compile")
    }

    fn spans(d: &Detector, text: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        d.scan_text(text, &mut out);
        out.iter()
            .map(|s| {
                (
                    d.type_info(s.ty).id.clone(),
                    text[s.start..s.end].to_owned(),
                )
            })
            .collect()
    }

    /// The built-in groups searched at word starts and at literal pairs find their candidate
    /// positions with the vector test, not the byte loop (see `starts.rs`), on a processor with
    /// SSSE3 (every x86-64 machine this runs on in CI).
    #[test]
    fn builtin_groups_take_the_vector_test() {
        let d = det();
        let mut kinds = Vec::new();
        for g in &d.groups {
            match &g.entry {
                Entry::WordStart { starts, .. } => kinds.push(("word", starts.vectorised())),
                Entry::Pairs(f) => kinds.push(("pairs", f.starts.vectorised())),
                _ => {}
            }
        }
        assert!(kinds.iter().any(|k| k.0 == "word") && kinds.iter().any(|k| k.0 == "pairs"));
        assert!(kinds.iter().all(|k| k.1), "{kinds:?}");
    }

    /// Key names (`name=`) are looked for from their separators, in a group of their own.
    #[test]
    fn key_names_are_searched_from_their_separators() {
        let d = det();
        let infix: Vec<(&[u8], usize, usize)> = d
            .groups
            .iter()
            .filter_map(|g| match &g.entry {
                Entry::Infix { bytes, reach, .. } => Some((&bytes[..], *reach, g.patterns.len())),
                _ => None,
            })
            .collect();
        assert_eq!(infix.len(), 1, "{infix:?}");
        // `customer_name` (with a long s, `ſ`, of two bytes), a quote and a three-byte space
        // (U+3000) come before the separator.
        assert_eq!(infix[0], (&b":="[..], 14 + 1 + 3, 1));
        assert_eq!(
            names(
                &d,
                "ts=2025-01-01 00:00:02 customer_name\u{3000}=王小明 to: 李雷"
            ),
            ["王小明", "李雷"]
        );
        // Keys that end in no shorter key, as far before the separator as they can be.
        assert_eq!(
            names(
                &d,
                "x\"cuſtomer_name\"\u{3000}:王小明; \"conſignee\"\u{3000}=李雷"
            ),
            ["王小明", "李雷"]
        );
    }

    /// The infix is the first required item of at most three ASCII bytes that the items before
    /// it never match; the bytes after it are those the rest can begin with.
    #[test]
    fn infix_of_a_pattern() {
        let of = |p: &str| Infix::of(&parse(p).unwrap());
        let x = of(r#"(?i:name|to)["']?\s?[:=]\s?(?:王|李)\p{Han}"#).unwrap();
        assert_eq!((x.bytes.as_slice(), x.reach), (&b":="[..], 4 + 1 + 3));
        // Spaces (U+3000 begins with 0xE3) and the surnames' lead bytes.
        for b in [b' ', b'\t', 0xE3, 0xE6, 0xE7] {
            assert!(x.follow[usize::from(b)], "{b:#x}");
        }
        for b in [b'0', b'a', b':', b'"', 0xE4, 0xF0] {
            assert!(!x.follow[usize::from(b)], "{b:#x}");
        }
        // A head that can hold the separator: the next qualifying item is taken instead
        // (here the single byte after it).
        let y = of(r"(?:a:b|name)[:=]x[;,]y").unwrap();
        assert_eq!((y.bytes.as_slice(), y.reach), (&b"x"[..], 5));
        // A head without a bounded length, or no qualifying item.
        assert!(of(r"name\w*[:=]x").is_none());
        assert!(of(r"name\s?[a-z]x").is_none());
        // A rest that can be empty lets every byte follow.
        assert!(of(r"name[:=]x?").unwrap().follow.iter().all(|&f| f));
    }

    /// The value group's bounds from the two walks agree with the backtracker's where the split
    /// is unique, and are left to it where it is not, where a walk quits, or where the match is
    /// too long for the bit set.
    #[test]
    fn value_groups_found_by_walks() {
        // The match is the leftmost-first one of the whole pattern, as the scan finds it.
        let check = |pattern: &str, text: &str, want: Option<&str>| {
            let hir = parse(pattern).unwrap();
            let vc = ValueCapture::new(&hir).unwrap().unwrap();
            let split = vc.split.as_ref().expect("a top-level group");
            let m = build_regex(&[pattern.to_owned()], MatchKind::LeftmostFirst)
                .unwrap()
                .find(text)
                .unwrap();
            let hay = text.as_bytes();
            let (s, e) = (m.start(), m.end());
            let walked = split.find(&mut split.cache(), hay, s, e);
            assert_eq!(
                walked.map(|(a, b)| &text[a..b]),
                want,
                "{pattern} on {text:?}"
            );
            if let Some(w) = walked {
                assert_eq!(Some(w), vc.find(hay, s, e, false), "{pattern} on {text:?}");
            }
        };
        // Unique splits, with look-around on both sides of the match and the group at either
        // end of the pattern.
        check(r"x+(?P<v>\d+)y", "--xx12y--", Some("12"));
        check(r"(?m:^)(?P<v>[a-z]+)(?:,|$)", "1\nabc", Some("abc"));
        check(
            r"(?:客户|收件人)[:：]?(?P<v>(?:王|欧阳)\p{Han}{1,2})",
            "收件人：欧阳小明。",
            Some("欧阳小明"),
        );
        check(
            r"(?P<v>(?:王|李)\p{Han}{1,2}?)(?:先生|女士)",
            "找王明先生",
            Some("王明"),
        );
        check(r"@(?P<v>[a-z]+)(?:[\s,]|$)", "cc @li", Some("li"));
        // Two splits (`a|bc` and `ab|c`): the backtracker decides.
        check(r"(?:ab|a)(?P<v>b?c)", "abc", None);
        // Two ends of the group (`1|2x` and `12|x`).
        check(r"(?P<v>12|1)(?:2?x)", "12x", None);
        // A Unicode word boundary next to non-ASCII text makes the walk quit.
        check(r"(?P<v>\w+)\b", "名字", None);
        // Too long for the bit set.
        check(r"(?P<v>a+)b", &format!("{}b", "a".repeat(200)), None);
    }

    /// The person names found in `text`.
    fn names(d: &Detector, text: &str) -> Vec<String> {
        spans(d, text)
            .into_iter()
            .filter(|(t, _)| t == "person_name")
            .map(|(_, v)| v)
            .collect()
    }

    /// A name found once is found again, past filler that shares its first character (王府井)
    /// or its first bytes (玉 begins with the same two as 王); the filter of first characters
    /// lets those pass by and keeps the name.
    #[test]
    fn recurring_names_are_found_again() {
        let d = det();
        let filler = "本季度玉石营业收入同比增长，王府井门店客流稳定。".repeat(20);
        let text = format!("收件人：王小明。{filler}今天王小明说他会到，王小说不是。");
        assert_eq!(names(&d, &text), ["王小明", "王小明"]);
        // The bare name alone in its line is still taken (it stands alone).
        let text = format!("联系人：欧阳娜娜\n{filler}\n欧阳娜娜\n");
        assert_eq!(names(&d, &text), ["欧阳娜娜", "欧阳娜娜"]);
    }

    #[test]
    fn finds_spans_in_mixed_text() {
        let d = det();
        let got = spans(
            &d,
            "客户武晓（身份证号500228194606201960，手机13213510063）于2022年10月22日在云南省昆明市宜良县幸福路96号16栋2单元794室办理了开户业务。",
        );
        assert!(
            got.contains(&("person_name".into(), "武晓".into())),
            "{got:?}"
        );
        assert!(
            got.contains(&("cn_resident_id".into(), "500228194606201960".into())),
            "{got:?}"
        );
        assert!(
            got.contains(&("cn_mobile".into(), "13213510063".into())),
            "{got:?}"
        );
        assert!(
            got.contains(&(
                "address".into(),
                "云南省昆明市宜良县幸福路96号16栋2单元794室".into()
            )),
            "{got:?}"
        );
    }

    #[test]
    fn name_followed_by_verb_is_trimmed() {
        let d = det();
        let got = spans(&d, "车主田诗驾驶湘G5N410（车架号LGBE0WGE36FZEPX3L）");
        assert!(
            got.contains(&("person_name".into(), "田诗".into())),
            "{got:?}"
        );
        assert!(
            got.contains(&("cn_license_plate".into(), "湘G5N410".into())),
            "{got:?}"
        );
        assert!(
            got.contains(&("vin".into(), "LGBE0WGE36FZEPX3L".into())),
            "{got:?}"
        );
        let got = spans(&d, "旅客段萍持护照EY8926050办理登机");
        assert!(
            got.contains(&("person_name".into(), "段萍".into())),
            "{got:?}"
        );
        assert!(
            got.contains(&("cn_passport".into(), "EY8926050".into())),
            "{got:?}"
        );
    }

    #[test]
    fn look_alikes_are_not_reported() {
        let d = det();
        // Order number that fails the ID check, a version, a hash, a long digit run.
        let got = spans(
            &d,
            "订单号202402053088034515已归档，版本3.10.56，sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08，编号123456789012345678901234",
        );
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn card_after_failed_id_and_log_fields() {
        let d = det();
        let got = spans(
            &d,
            "[2025-01-26 06:24:32] WARN payment failed card=62828810565114891 uid=48213 phone=18443129633 user=tuht9910@corp.com.cn ip=64.214.76.39 device=012087326405753",
        );
        let ids: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            ids,
            ["bank_card", "cn_mobile", "email", "ipv4", "imei"],
            "{got:?}"
        );
    }

    #[test]
    fn harder_text_cases() {
        let d = det();
        let has = |text: &str, ty: &str, val: &str| {
            let got = spans(&d, text);
            assert!(got.contains(&(ty.into(), val.into())), "{text}: {got:?}");
        };
        // An e-mail whose local part is a mobile number is an e-mail, not a mobile.
        has("邮箱19973614664@139.com。", "email", "19973614664@139.com");
        assert!(!spans(&d, "邮箱19973614664@139.com")
            .iter()
            .any(|(t, _)| t == "cn_mobile"));
        // Names after more kinds of context, and again later in the same document.
        has("08:22:00 杨东一：您好，我要退货", "person_name", "杨东一");
        has("log name=鞠诺 uid=7", "person_name", "鞠诺");
        has(r#"{"name":"卢艳轩","age":3}"#, "person_name", "卢艳轩");
        has("甲方代表（签字）：张伟", "person_name", "张伟");
        // Names before a sign-off verb, and a speaker with a title in brackets.
        has("本报告由熊佳泽审核，韩晨才复核。", "person_name", "熊佳泽");
        has(
            "本报告由宇文元涛审核，夏侯杰复核。",
            "person_name",
            "夏侯杰",
        );
        has(
            "通知\n丁佳馨（项目经理）说，下周一开始联调。",
            "person_name",
            "丁佳馨",
        );
        has("夏侯宏(技术总监)表示同意。", "person_name", "夏侯宏");
        // Words that begin with a surname before the same verbs are not names.
        for text in [
            "由于审核流程较长，请耐心等待。",
            "，由于审核未通过，订单取消。",
            "本文件由系统审核，人工复核。",
            "由财务部审核，总经理审批。",
            "由此审核的结果有效。",
            "由管理员审核，用户确认。",
        ] {
            let names = names(&d, text);
            assert!(names.is_empty(), "{text}: {names:?}");
        }
        // A role word at a line start before a colon has a speaker's shape; only the name
        // after it is one.
        for text in [
            "申请人：张三\n",
            "申请人: 王芳，电话13800138000\n",
            "车主：田诗\n",
        ] {
            let names = names(&d, text);
            assert_eq!(names.len(), 1, "{text}: {names:?}");
            assert!(
                !names[0].contains('人') && !names[0].contains('主'),
                "{text}: {names:?}"
            );
        }
        let got = spans(
            &d,
            "收件人：禤芳琪，电话13800138000。
后来禤芳琪又来电。",
        );
        assert_eq!(
            got.iter()
                .filter(|(t, v)| t == "person_name" && v == "禤芳琪")
                .count(),
            2,
            "{got:?}"
        );
        // Names listed after a found one, past notes in brackets.
        for name in ["宋鹏", "石刚波", "江曦欣"] {
            has(
                "**参会人员**：宋鹏、石刚波（法务部）、江曦欣\n",
                "person_name",
                name,
            );
        }
        for name in ["曹永世", "王刚", "邹新明"] {
            has("抄送：曹永世、王刚、邹新明", "person_name", name);
        }
        // A list of things after a name is not a list of names.
        assert_eq!(names(&d, "联系人王刚、电话、地址均已登记").len(), 1);
        has("乙方（劳动者）：欧阳涵", "person_name", "欧阳涵");
        has("@秦敏萱 请今天下班前处理这个工单", "person_name", "秦敏萱");
        has("To: 孙桂 <sun.gui@example.com>", "person_name", "孙桂");
        assert!(names(&d, "mail tuht9910@corp.com 已发").is_empty());
        has("客户王元（手机13510730164）", "person_name", "王元");
        has("孙桂总，您好：", "person_name", "孙桂");
        // A negative hint labels only the value right after it: here the company and the
        // version number are other values, before a clause break.
        has("公司，联系人张伟，电话13510730164。", "person_name", "张伟");
        has(
            "版本 5.5.11210.43，地址 120.243.203.118",
            "ipv4",
            "120.243.203.118",
        );
        has(
            "Build/TKQ1.220829.002)\"\n10.171.113.36 - -",
            "ipv4",
            "10.171.113.36",
        );
        assert!(spans(&d, "订单号：6228480402564890018").is_empty());
        // A role word before a company: the company, not a name cut from it.
        let got = spans(&d, "户名：苏州博远金桥文化传媒有限公司");
        assert_eq!(
            got,
            [("company_name".into(), "苏州博远金桥文化传媒有限公司".into())]
        );
        has("IPv6 ::ffff:99.126.158.75", "ipv6", "::ffff:99.126.158.75");
        // Addresses written from the district down, for local readers.
        has("住址：南山区人民路675号。", "address", "南山区人民路675号");
        has(
            "在滨江区金水路690号与另一车辆发生碰撞",
            "address",
            "滨江区金水路690号",
        );
        assert!(!spans(&d, "朝阳区的同事说和平区很好，新华区道路宽")
            .iter()
            .any(|(t, _)| t == "address"));
        // A port after an address ends it; other text after a colon extends the token.
        has("from 10.116.38.240:51234 port 22", "ipv4", "10.116.38.240");
        has("访问 10.1.2.3:8080，成功", "ipv4", "10.1.2.3");
        assert!(!spans(&d, "v 10.1.2.3:8080.5")
            .iter()
            .any(|(t, _)| t == "ipv4"));
        // Posts and sign-offs are not names.
        for text in ["签收人：门卫。", "此致\n敬礼\n", "祝好\n"] {
            assert!(names(&d, text).is_empty(), "{text}: {:?}", spans(&d, text));
        }
        // Titles and verbs after a surname are not names.
        assert!(names(&d, "客户来电13800138000").is_empty());
        assert!(names(&d, "联系人王经理，电话13800138000").is_empty());
        // City-led, village and estate addresses.
        has(
            "住在合肥市蜀山区科苑路865号22栋2506室。",
            "address",
            "合肥市蜀山区科苑路865号22栋2506室",
        );
        has(
            "地址：四川省成都市武侯区天府大道北段159号3栋2单元",
            "address",
            "四川省成都市武侯区天府大道北段159号3栋2单元",
        );
        has(
            "江苏省苏州市吴中区白马镇王家庄村四组98号",
            "address",
            "江苏省苏州市吴中区白马镇王家庄村四组98号",
        );
        // Organisations after a lead-in word, with a branch.
        has(
            "甲方：蓝海生物医药股份有限公司",
            "company_name",
            "蓝海生物医药股份有限公司",
        );
        has(
            "义乌市城南街道文三路788号院28号楼6单元904。",
            "address",
            "义乌市城南街道文三路788号院28号楼6单元904",
        );
        has(
            "青海省西宁市城东区和平里东街562-3号保利中心A座1704，",
            "address",
            "青海省西宁市城东区和平里东街562-3号保利中心A座1704",
        );
        has("【物业】聂国业主您好", "person_name", "聂国");
        has("名单：\n1. 尉迟华晨，身份证", "person_name", "尉迟华晨");
        has("Reporter: 邹若轩 (zhao)", "person_name", "邹若轩");
        has("问：你和曾平是什么关系？", "person_name", "曾平");
        has("答：在朋友郇淑家，他的电话", "person_name", "郇淑");
        assert!(names(&d, "查勘员：现场已拍照").is_empty());
        has(
            "由广东华信科技有限公司深圳分公司承办",
            "company_name",
            "广东华信科技有限公司深圳分公司",
        );
    }

    #[test]
    fn whole_values_and_headers() {
        let d = det();
        let mut out = Vec::new();
        d.match_value(" 13800138000 ", &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(d.type_info(out[0].ty).id, "cn_mobile");
        let hints = d.header_hints("手机号");
        let mobile = d.type_index("cn_mobile").unwrap();
        assert!(hints.contains(&(mobile, Hint::Positive)));
        let addr = d.type_index("address").unwrap();
        assert!(d.header_hints("MAC地址").contains(&(addr, Hint::Negative)));
        assert!(d
            .header_hints("home_addr_s2")
            .contains(&(addr, Hint::Positive)));
        assert_eq!(header_words("customerName_s2"), ["customer", "name", "s2"]);
    }

    #[test]
    fn allow_list_suppresses() {
        let mut rules = RuleSet::builtin();
        rules
            .add_file(
                "u.toml",
                "[allow]\nvalues = [\"13800138000\"]\npatterns = ['test\\d+@example\\.com']\n",
            )
            .unwrap();
        let d = Detector::new(&rules, DetectorOptions::default()).unwrap();
        assert!(spans(&d, "call 13800138000 or test1@example.com").is_empty());
        assert_eq!(spans(&d, "call 13900139000").len(), 1);
    }

    #[test]
    fn user_types_with_dictionary() {
        let mut rules = RuleSet::builtin();
        rules
            .add_file(
                "u.toml",
                "[[type]]\nid = \"project_code\"\npattern = 'PRJ-\\d{4}'\nhints=[\"项目\"]\n\n[[type]]\nid = \"drug\"\nvalues = [\"阿司匹林\", \"布洛芬\"]\n",
            )
            .unwrap();
        let d = Detector::new(&rules, DetectorOptions::default()).unwrap();
        let got = spans(&d, "项目PRJ-2024 用药 布洛芬");
        assert_eq!(
            got,
            [
                ("project_code".into(), "PRJ-2024".into()),
                ("drug".into(), "布洛芬".into())
            ]
        );
    }
}

#[cfg(test)]
mod filter_tests {
    use super::*;
    use proptest::prelude::*;

    /// A literal of two to five characters: CJK ones of several lead bytes, ASCII, full-width
    /// punctuation, a two-byte `·` and a four-byte character, as the rules' literals have.
    fn literal() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                4 => "[\u{4e00}-\u{9fa5}\u{738b}\u{7701}\u{5e02}\u{533a}]",
                2 => "[a-zA-Z=:_]",
                1 => "[：（）·\u{20000}]",
            ],
            2..6,
        )
        .prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        /// The literal filter passes every position where one of its literals begins, whatever
        /// comes before and after it, by its own test and by the cursor.
        #[test]
        fn literal_filter_passes_every_literal(
            literals in proptest::collection::vec(literal(), 1..30),
            pick in any::<proptest::sample::Index>(),
            before in "[a-z \u{4e00}-\u{4e3f}：]{0,3}",
            after in "(?s).{0,4}",
        ) {
            let filter = PairFilter::new(literals.iter().map(|l| l.as_bytes()));
            let lit = pick.get(&literals);
            let text = format!("{before}{lit}{after}");
            let hay = text.as_bytes();
            let at = before.len();
            prop_assert!(filter.may_start(hay, at).0, "{:?} at {}", text, at);
            let mut cursor = Cursor::new();
            let mut i = 0;
            let mut seen = false;
            while let Some(p) = filter.starts.next(hay, i, &mut cursor) {
                seen |= p == at;
                i = p + 1;
            }
            prop_assert!(seen, "{:?}: the cursor skipped {}", text, at);
        }
    }
}
