//! The compiled [`Detector`]: one multi-pattern automaton for spans in text, one pattern set for
//! whole cell values, dictionaries, hint matchers and the allow-list.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind as AcMatchKind};
use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, MatchKind, PatternSet};

use crate::rules::{Boundary, RuleSet, TypeSpec};
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
    has_value_group: bool,
}

/// Patterns searched together by one automaton.
struct TextGroup {
    re: Regex,
    patterns: Vec<TextPattern>,
    /// For groups of ASCII-led patterns that all need a non-word character before them:
    /// the bytes a match can start with. The group is then searched by anchored attempts at
    /// word starts only, which is several times faster than an unanchored search of a
    /// many-pattern automaton over dense log text.
    word_starts: Option<[bool; 256]>,
}

/// A type reported only next to a hint word (`cn_taiwan_permit`): its hint words are found
/// first, and its pattern is tried just after each, instead of searching all text for a shape
/// as common as eight digits.
struct HintedType {
    ty: TypeIdx,
    re: Regex,
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
    text_hint_ac: AhoCorasick,
    text_hint_words: Vec<(TypeIdx, Hint)>,
    opts: DetectorOptions,
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
        .configure(
            meta::Config::new()
                .match_kind(kind)
                // A large cache keeps the lazy DFA from thrashing on CJK text with many patterns;
                // falling back to the PikeVM would cost an order of magnitude in throughput.
                .hybrid_cache_capacity(64 << 20)
                .nfa_size_limit(Some(256 << 20))
                .dfa_size_limit(Some(32 << 20)),
        )
        .syntax(syntax::Config::new().unicode(true).utf8(true))
        .build_many(patterns)
        .map_err(|e| e.to_string())
}

/// The set of bytes a match of `pattern` can start with, from its literal prefixes. Unknown means
/// every byte: this is only a filter that saves anchored retries.
fn first_bytes(pattern: &str) -> [bool; 256] {
    let mut set = [true; 256];
    let Ok(hir) = regex_syntax::ParserBuilder::new().build().parse(pattern) else {
        return set;
    };
    let mut ex = regex_syntax::hir::literal::Extractor::new();
    ex.kind(regex_syntax::hir::literal::ExtractKind::Prefix)
        .limit_class(300)
        .limit_total(20_000);
    let seq = ex.extract(&hir);
    if let Some(lits) = seq.literals() {
        if lits.iter().all(|l| !l.as_bytes().is_empty()) {
            set = [false; 256];
            for l in lits {
                set[l.as_bytes()[0] as usize] = true;
            }
        }
    }
    set
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
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
        let mut group_src: Vec<(String, Vec<String>, Vec<TextPattern>)> = Vec::new();
        let mut hinted = Vec::new();
        let mut hinted_terms: Vec<String> = Vec::new();
        let mut hinted_words = Vec::new();
        let mut value_src = Vec::new();
        let mut value_types = Vec::new();
        let mut dict_terms: Vec<String> = Vec::new();
        let mut dict_types = Vec::new();
        let mut dict_values: HashMap<String, Vec<TypeIdx>> = HashMap::new();
        let mut hint_words = Vec::new();
        let mut text_hint_words_src = Vec::new();
        let mut text_hint_words = Vec::new();

        for (i, t) in rules.types.iter().enumerate() {
            let idx = i as TypeIdx;
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
            if t.text && t.hint_required && !t.patterns.is_empty() {
                let re = build_regex(&t.patterns, MatchKind::LeftmostFirst)
                    .map_err(RuleError::Compile)?;
                for h in t.hints.iter().filter(|h| !h.is_ascii() || h.len() >= 3) {
                    hinted_terms.push(h.clone());
                    hinted_words.push(hinted.len());
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
                for p in &t.patterns {
                    let fb = first_bytes(p);
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
                    group_src[slot].2.push(TextPattern {
                        ty: idx,
                        first_bytes: fb,
                        has_value_group: p.contains("(?P<v>"),
                    });
                    group_src[slot].1.push(src);
                }
            }
            if let Some(p) = t.value_pattern.as_ref().or(t.patterns.first()) {
                value_src.push(format!("(?:{p})$"));
                value_types.push((idx, false));
            }
            if let Some(p) = &t.strong_value_pattern {
                value_src.push(format!("(?:{p})$"));
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
            for (h, pol) in t
                .hints
                .iter()
                .map(|h| (h, Hint::Positive))
                .chain(t.negative_hints.iter().map(|h| (h, Hint::Negative)))
            {
                if !h.is_ascii() || h.len() >= 3 {
                    text_hint_words_src.push(h.clone());
                    text_hint_words.push((idx, pol));
                }
            }
        }
        let mut groups = Vec::new();
        for (_, src, patterns) in group_src {
            // Patterns without a literal prefix (line-anchored, negated classes) would switch
            // off the literal prefilter for the whole automaton; they get one of their own.
            let (led, free): (Vec<_>, Vec<_>) = src
                .into_iter()
                .zip(patterns)
                .partition(|(_, p)| !p.first_bytes.iter().all(|b| *b));
            for part in [led, free] {
                if part.is_empty() {
                    continue;
                }
                let (src, patterns): (Vec<String>, Vec<TextPattern>) = part.into_iter().unzip();
                let re = build_regex(&src, MatchKind::LeftmostFirst).map_err(RuleError::Compile)?;
                let mut union = [false; 256];
                for p in &patterns {
                    for (b, ok) in p.first_bytes.iter().enumerate() {
                        union[b] |= *ok;
                    }
                }
                let ascii_led = union.iter().enumerate().all(|(b, ok)| !ok || b < 0x80);
                let all_alnum = patterns
                    .iter()
                    .all(|p| types[p.ty as usize].boundary == Boundary::Alnum);
                let word_starts = (ascii_led && all_alnum && patterns.len() >= 3).then_some(union);
                groups.push(TextGroup {
                    re,
                    patterns,
                    word_starts,
                });
            }
        }
        let hinted_ac = if hinted_terms.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
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
        let text_hint_ac = ac(text_hint_words_src.iter().collect())?;
        Ok(Detector {
            types,
            groups,
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
            text_hint_ac,
            text_hint_words,
            opts,
        })
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
        if self.allow_values.contains(value) {
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
        for g in &self.groups {
            self.scan_group(g, text, out);
        }
        self.scan_hinted(text, out);
        resolve_overlaps(out, base);
        self.propagate_names(text, out);
        if let Some(ac) = &self.dict_ac {
            let before = out.len();
            for m in ac.find_iter(hay) {
                let ty = self.dict_types[m.pattern().as_usize()];
                let (s, e) = (m.start(), m.end());
                if !boundary_ok(hay, s, e, self.types[ty as usize].boundary)
                    || self.is_allowed(&text[s..e])
                    || {
                        let i = out[..before].partition_point(|o| o.start < e);
                        i > 0 && out[i - 1].end > s
                    }
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
    /// anchored at the same position when it fails, then on past it.
    fn scan_group(&self, g: &TextGroup, text: &str, out: &mut Vec<Span>) {
        let hay = text.as_bytes();
        let re = &g.re;
        let mut caps = re.create_captures();
        let mut pos = 0;
        while pos < hay.len() {
            let m = match &g.word_starts {
                None => re.search(&Input::new(hay).span(pos..hay.len())),
                Some(first) => {
                    // Next word start that a pattern can begin with.
                    let mut i = pos;
                    while i < hay.len()
                        && (!first[hay[i] as usize] || (i > 0 && is_word_byte(hay[i - 1])))
                    {
                        i += 1;
                    }
                    if i >= hay.len() {
                        break;
                    }
                    match re.search(&Input::new(hay).span(i..hay.len()).anchored(Anchored::Yes)) {
                        Some(m) => Some(m),
                        None => {
                            pos = next_start(hay, i);
                            continue;
                        }
                    }
                }
            };
            let Some(m) = m else {
                break;
            };
            let s = m.start();
            let first = m.pattern().as_usize();
            let mut found = self.accept(g, text, first, s, m.end(), &mut caps);
            if found.is_none() {
                // The leftmost pattern failed its check here; another pattern may still match
                // at the same position (an 18-digit number that is not an ID can be a card).
                for (pid, tp) in g.patterns.iter().enumerate() {
                    if pid == first || !tp.first_bytes[hay[s] as usize] {
                        continue;
                    }
                    let input = Input::new(hay)
                        .span(s..hay.len())
                        .anchored(Anchored::Pattern(regex_automata::PatternID::new_unchecked(
                            pid,
                        )));
                    if let Some(m2) = re.search(&input) {
                        found = self.accept(g, text, pid, s, m2.end(), &mut caps);
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
                    pos = whole_end.max(s + 1);
                }
                None => pos = next_start(hay, s),
            }
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

    /// A name found once in a document (after 收件人 or 客户) is a name wherever else it
    /// appears in it, as long as it stands alone (not inside a longer run of CJK characters
    /// that could be another name or a word).
    fn propagate_names(&self, text: &str, out: &mut Vec<Span>) {
        let Some(ty) = self.person_name else {
            return;
        };
        let mut names: Vec<&str> = out
            .iter()
            .filter(|s| s.ty == ty && s.confidence >= 0.7)
            .filter_map(|s| text.get(s.start..s.end))
            .collect();
        if names.is_empty() {
            return;
        }
        names.sort_unstable();
        names.dedup();
        let Ok(ac) = AhoCorasickBuilder::new()
            .match_kind(AcMatchKind::LeftmostLongest)
            .build(&names)
        else {
            return;
        };
        let conf = self.types[ty as usize].confidence * 0.95;
        let mut extra = Vec::new();
        for m in ac.find_iter(text) {
            let (s, e) = (m.start(), m.end());
            // `out` is sorted and free of overlaps: only the span starting last before `e` can
            // overlap this one.
            let i = out.partition_point(|o| o.start < e);
            if i > 0 && out[i - 1].end > s {
                continue;
            }
            let after = &text[e..];
            let next_han = after.chars().next().is_some_and(crate::validate::is_han);
            let prev_han = text[..s]
                .chars()
                .next_back()
                .is_some_and(crate::validate::is_han);
            let follower = NAME_FOLLOWERS.iter().any(|f| after.starts_with(f));
            // Two-character names occur inside ordinary words, so they must stand alone: before
            // them punctuation, a space or a role word; after them punctuation or a verb. Longer
            // names are distinctive enough to be taken anywhere.
            let short = text[s..e].chars().count() < 3;
            if short && next_han && !follower {
                continue;
            }
            if short && prev_han && !ROLE_TAILS.iter().any(|r| text[..s].ends_with(r)) {
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
        pid: usize,
        s: usize,
        e: usize,
        caps: &mut regex_automata::util::captures::Captures,
    ) -> Option<(Span, usize)> {
        let hay = text.as_bytes();
        let tp = &g.patterns[pid];
        let info = &self.types[tp.ty as usize];
        let (mut vs, mut ve) = (s, e);
        if tp.has_value_group {
            let re = &g.re;
            let input = Input::new(hay)
                .span(s..hay.len())
                .anchored(Anchored::Pattern(regex_automata::PatternID::new_unchecked(
                    pid,
                )));
            re.search_captures(&input, caps);
            if let Some(g) = caps.get_group_by_name("v") {
                vs = g.start;
                ve = g.end;
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
        let (mut last_pos, mut last_neg) = (None, None);
        for m in self.text_hint_ac.find_overlapping_iter(window) {
            let (t, pol) = self.text_hint_words[m.pattern().as_usize()];
            if t != ty {
                continue;
            }
            match pol {
                Hint::Positive => last_pos = Some(m.end()),
                Hint::Negative => last_neg = Some(m.end()),
            }
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

/// Where to resume after a rejected candidate at `s`: past the ASCII word it starts in (nothing
/// that starts inside a word can pass an alphanumeric boundary), or past one character.
fn next_start(hay: &[u8], s: usize) -> usize {
    if is_word_byte(hay[s]) {
        let mut i = s + 1;
        while i < hay.len() && is_word_byte(hay[i]) {
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
            && (is_word_byte(hay[s - 1])
                || hay[s - 1] == b'@'
                || (matches!(hay[s - 1], b'.' | b':')
                    && s > 1
                    && hay[s - 2].is_ascii_alphanumeric()))
    };
    let right_bad = || {
        e < hay.len()
            && (is_word_byte(hay[e])
                || hay[e] == b'@'
                || (matches!(hay[e], b'.' | b':')
                    && e + 1 < hay.len()
                    && hay[e + 1].is_ascii_alphanumeric()))
    };
    match b {
        Boundary::Alnum => !left_bad() && !right_bad(),
        Boundary::Right => !right_bad(),
        Boundary::None => true,
    }
}

/// Words that commonly follow a name in running text (车主田诗驾驶…, 旅客段萍持护照…). A name
/// candidate that is followed by more CJK text is shortened by one character when the rest then
/// begins with one of these.
/// Words that may stand right before a repeated name (和王芳, 给王芳, 联系王芳).
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
];

/// Titles and words that follow a surname without being a given name (王经理, 张老师, 客户来电).
const NOT_GIVEN_NAMES: &[&str] = &[
    "经理", "总监", "老师", "师傅", "医生", "主任", "先生", "女士", "小姐", "同学", "部长", "科长",
    "处长", "局长", "书记", "队长", "警官", "律师", "会计", "总", "工", "某", "姓", "氏", "家",
    "来电", "来访", "来信", "来函", "反映", "要求", "表示", "认为", "投诉", "咨询", "同意", "签字",
    "签收", "本人", "自己", "一直", "已经", "方面", "方式", "方法", "时间", "公司", "门店", "平台",
    "万元", "元整", "安全", "安装", "高速", "高级", "金额", "项目", "文件", "明细", "全部",
];

/// Finds where a name that starts at `vs` ends, or rejects it: a title after the surname is not
/// a given name, and a last character that begins a following word (段萍持护照: 持) is dropped.
fn refine_name_end(text: &str, vs: usize, ve: usize) -> Option<usize> {
    let name = &text[vs..ve];
    let chars: Vec<(usize, char)> = name.char_indices().collect();
    let compound = chars.len() >= 3 && crate::data::is_surname(&name[..chars[2].0]);
    let surname_end = if compound {
        chars[2].0
    } else {
        chars.get(1)?.0
    };
    let after_surname = &text[vs + surname_end..];
    if NOT_GIVEN_NAMES
        .iter()
        .any(|w| after_surname.starts_with(w) || text[vs..].starts_with(w))
    {
        return None;
    }
    let min_len = if compound { 3 } else { 2 };
    if chars.len() > min_len {
        let cut = vs + chars[chars.len() - 1].0;
        if NAME_FOLLOWERS.iter().any(|f| text[cut..].starts_with(f)) {
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
        // Titles and verbs after a surname are not names.
        assert!(!spans(&d, "客户来电13800138000")
            .iter()
            .any(|(t, _)| t == "person_name"));
        assert!(!spans(&d, "联系人王经理，电话13800138000")
            .iter()
            .any(|(t, _)| t == "person_name"));
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
        assert!(!spans(&d, "查勘员：现场已拍照")
            .iter()
            .any(|(t, _)| t == "person_name"));
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
