//! Where a group of patterns may begin, by the bytes there: for the word-start group, a byte
//! that can begin one of its patterns after a non-word byte; for the literal group, a byte that
//! begins one of its literals followed by two bytes that follow the first byte of one.
//!
//! The detector's candidate loops used to test every byte with table lookups and branches. On
//! log text those branches follow the bytes (a digit, a letter, a separator), which no branch
//! predictor learns, and the two loops cost about a fifth of all instructions of a scan. Here
//! the test is made for 64 bytes at once and kept as a bit mask, and a loop jumps from one set
//! bit to the next.
//!
//! On x86-64 processors with SSSE3 (all of them since about 2008; detected once, when the
//! filter is built) the classes are found sixteen bytes at a time, for any set of bytes, with
//! two table shuffles indexed by the low half of each byte and one by the high half; with AVX2
//! (since about 2013) the same shuffles take thirty-two bytes at a time. Elsewhere a byte loop
//! without branches gives the same mask, which property tests check against each path.
//!
//! This module owns no search and no policy: it only says where the next candidate position is.

use crate::runs::is_word;

/// The positions where a group is tried (see the module doc).
pub(crate) struct Starts {
    first: [bool; 256],
    /// Whether the previous byte must not be a word character.
    word_start: bool,
    /// Where set, the pairs of bytes that may follow the first byte of a match (bit `b | c << 8`
    /// for `b` then `c` after it; 0 past the end of the text): a candidate must be followed by
    /// one of them. The second and third bytes rather than the first and second: the first two
    /// bytes of a CJK character only name a block of 64 code points, and the first characters
    /// of a few hundred literals (role words, surnames, place names) fill most of the blocks
    /// that text uses, where their last two bytes tell them apart from most text characters.
    leads: Option<Box<[u64; 1024]>>,
    /// The byte classes as shuffle tables (see [`NibbleTable`]), and the widest instructions
    /// the processor has for them, where it has any.
    #[cfg(target_arch = "x86_64")]
    vector: Option<(Box<Classes<NibbleTable>>, Isa)>,
}

/// The vector instructions a block is classified with.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Isa {
    /// Sixteen bytes at a time (x86-64 processors since about 2008).
    Ssse3,
    /// Thirty-two bytes at a time (since about 2013).
    Avx2,
}

#[cfg(target_arch = "x86_64")]
impl Isa {
    /// The widest the processor has, detected once per filter built.
    fn detect() -> Option<Isa> {
        if std::arch::is_x86_feature_detected!("avx2") {
            Some(Isa::Avx2)
        } else if std::arch::is_x86_feature_detected!("ssse3") {
            Some(Isa::Ssse3)
        } else {
            None
        }
    }
}

/// The classes of bytes a block is sorted into. `first` marks candidates; the others describe
/// the run of word characters at a word start (see [`Starts::run`]).
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
struct Classes<T> {
    first: T,
    word: T,
    digit: T,
    /// Word characters that are not hexadecimal digits (`g`–`z`, `G`–`Z`, `_`).
    other: T,
}

/// Whether a word character is not a hexadecimal digit.
fn beyond_hex(b: u8) -> bool {
    is_word(b) && !b.is_ascii_hexdigit()
}

/// A set of bytes as two 16-entry tables indexed by a byte's low four bits: entry `lo` of
/// `low` has bit `j` set when byte `16 * j + lo` is in the set (`j` < 8), and of `high` when
/// byte `16 * (j + 8) + lo` is.
#[derive(Clone, Copy)]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
struct NibbleTable {
    low: [u8; 16],
    high: [u8; 16],
}

impl NibbleTable {
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    fn new(set: impl Fn(u8) -> bool) -> NibbleTable {
        let (mut low, mut high) = ([0u8; 16], [0u8; 16]);
        for b in 0..=255u8 {
            if set(b) {
                let (hi, lo) = (usize::from(b >> 4), usize::from(b & 15));
                if hi < 8 {
                    low[lo] |= 1 << hi;
                } else {
                    high[lo] |= 1 << (hi - 8);
                }
            }
        }
        NibbleTable { low, high }
    }
}

/// The block of 64 bytes whose classes are known: bit `k` of each mask stands for position
/// `base + k`, and `masks.first` holds the candidates.
pub(crate) struct Cursor {
    base: usize,
    masks: Classes<u64>,
    valid: bool,
}

impl Cursor {
    pub(crate) fn new() -> Cursor {
        Cursor {
            base: 0,
            masks: Classes::default(),
            valid: false,
        }
    }
}

impl Starts {
    /// Candidates are the positions of bytes in `first` that follow a non-word byte (or begin
    /// the text).
    pub(crate) fn word_starts(first: [bool; 256]) -> Starts {
        Starts::new(first, true)
    }

    /// Candidates are the positions of bytes in `first` (the tests' plainest case).
    #[cfg(test)]
    pub(crate) fn bytes(first: [bool; 256]) -> Starts {
        Starts::new(first, false)
    }

    /// Candidates are the positions where one of `literals` (of two bytes or more) may begin:
    /// its first byte there, followed by its second and third (any third byte after a literal
    /// of two).
    pub(crate) fn literals<'a>(literals: impl Iterator<Item = &'a [u8]>) -> Starts {
        let mut first = [false; 256];
        let mut leads = Box::new([0u64; 1024]);
        let mut set = |b: u8, c: u8| {
            let pair = usize::from(b) | usize::from(c) << 8;
            leads[pair >> 6] |= 1 << (pair & 63);
        };
        for lit in literals {
            let (Some(&a), Some(&b)) = (lit.first(), lit.get(1)) else {
                continue;
            };
            first[usize::from(a)] = true;
            match lit.get(2) {
                Some(&c) => set(b, c),
                None => (0..=255).for_each(|c| set(b, c)),
            }
        }
        let mut starts = Starts::new(first, false);
        starts.leads = Some(leads);
        starts
    }

    fn new(first: [bool; 256], word_start: bool) -> Starts {
        Starts {
            first,
            word_start,
            leads: None,
            #[cfg(target_arch = "x86_64")]
            vector: Isa::detect().map(|isa| {
                let tables = Classes {
                    first: NibbleTable::new(|b| first[usize::from(b)]),
                    word: NibbleTable::new(is_word),
                    digit: NibbleTable::new(|b| b.is_ascii_digit()),
                    other: NibbleTable::new(beyond_hex),
                };
                (Box::new(tables), isa)
            }),
        }
    }

    /// Whether the vector test is used.
    #[cfg(test)]
    pub(crate) fn vectorised(&self) -> bool {
        #[cfg(target_arch = "x86_64")]
        return self.vector.is_some();
        #[cfg(not(target_arch = "x86_64"))]
        return false;
    }

    /// The first candidate position at or after `from`, if any.
    #[inline]
    pub(crate) fn next(&self, hay: &[u8], mut from: usize, cur: &mut Cursor) -> Option<usize> {
        loop {
            if from >= hay.len() {
                return None;
            }
            if !cur.valid || from < cur.base || from - cur.base >= 64 {
                cur.base = from;
                cur.masks = self.block(hay, from);
                cur.valid = true;
            }
            let m = cur.masks.first & (u64::MAX << (from - cur.base));
            if m != 0 {
                return Some(cur.base + m.trailing_zeros() as usize);
            }
            from = cur.base + 64;
        }
    }

    /// The run of word characters at `i`, a position [`Starts::next`] just gave for a
    /// word-start group: its length, the length of the run of digits it begins with, and
    /// whether it holds a word character that is not a hexadecimal digit. Read off the block's
    /// masks where the run ends inside the block.
    #[inline]
    pub(crate) fn run(&self, hay: &[u8], i: usize, cur: &Cursor) -> (usize, usize, bool) {
        let k = i.wrapping_sub(cur.base);
        if cur.valid && k < 64 {
            let word = (!(cur.masks.word >> k)).trailing_zeros() as usize;
            if word < 64 - k {
                let digits = (!(cur.masks.digit >> k)).trailing_zeros() as usize;
                let other = (cur.masks.other >> k) & ((1u64 << word) - 1) != 0;
                return (word, digits, other);
            }
        }
        word_run(hay, i)
    }

    /// The classes of the up to 64 bytes from `base`, with `first` made the candidates. Not
    /// inlined: it runs once a block, and inlined it made [`Starts::next`], which runs once a
    /// candidate, too large to inline in turn.
    #[inline(never)]
    fn block(&self, hay: &[u8], base: usize) -> Classes<u64> {
        #[cfg(target_arch = "x86_64")]
        if let (Some((tables, isa)), Some(bytes)) = (&self.vector, hay.get(base..base + 64)) {
            let masks = self.classify(bytes, tables, *isa);
            return self.candidates(hay, base, masks);
        }
        self.block_bytes(hay, base)
    }

    /// The classes of 64 bytes with `isa`, which the processor must have.
    #[cfg(target_arch = "x86_64")]
    #[inline]
    fn classify(&self, bytes: &[u8], tables: &Classes<NibbleTable>, isa: Isa) -> Classes<u64> {
        match isa {
            // SAFETY: an `Isa` is only kept after `Isa::detect` found it (or, in tests, after
            // the same check); each `classify` reads nothing but the 64 bytes of `bytes`.
            Isa::Avx2 => unsafe { avx2::classify(bytes, tables, self.word_start) },
            Isa::Ssse3 => unsafe { ssse3::classify(bytes, tables, self.word_start) },
        }
    }

    /// `masks` with `first` cut to word starts, for a word-start group, or to the starts of
    /// pairs, for a pair group.
    fn candidates(&self, hay: &[u8], base: usize, mut masks: Classes<u64>) -> Classes<u64> {
        if self.word_start {
            masks.first &= !((masks.word << 1) | self.prev_word(hay, base));
        }
        if let Some(leads) = &self.leads {
            // Each first byte found is tested with the two bytes after it, without a branch on
            // the outcome: in CJK text most characters begin with a byte that begins some
            // literal, and their other two bytes settle most of them.
            let mut m = masks.first;
            let mut kept = 0u64;
            while m != 0 {
                let k = m.trailing_zeros() as usize;
                m &= m - 1;
                let i = base + k;
                let byte = |j: usize| usize::from(hay.get(j).copied().unwrap_or(0));
                let pair = byte(i + 1) | byte(i + 2) << 8;
                kept |= ((leads[pair >> 6] >> (pair & 63)) & 1) << k;
            }
            masks.first = kept;
        }
        masks
    }

    /// 1 where the byte before `base` is a word character.
    fn prev_word(&self, hay: &[u8], base: usize) -> u64 {
        u64::from(base > 0 && is_word(hay[base - 1]))
    }

    /// [`Starts::block`] a byte at a time, without branches on the bytes.
    fn block_bytes(&self, hay: &[u8], base: usize) -> Classes<u64> {
        let end = hay.len().min(base + 64);
        let mut m = Classes::<u64>::default();
        for (k, &b) in hay[base..end].iter().enumerate() {
            m.first |= u64::from(self.first[usize::from(b)]) << k;
            m.word |= u64::from(is_word(b)) << k;
            m.digit |= u64::from(b.is_ascii_digit()) << k;
            m.other |= u64::from(beyond_hex(b)) << k;
        }
        self.candidates(hay, base, m)
    }
}

/// The run of word characters at `i` (see [`Starts::run`]), a byte at a time.
fn word_run(hay: &[u8], i: usize) -> (usize, usize, bool) {
    let mut j = i;
    while j < hay.len() && hay[j].is_ascii_digit() {
        j += 1;
    }
    let digits = j - i;
    let mut other = false;
    while j < hay.len() && is_word(hay[j]) {
        other |= !hay[j].is_ascii_hexdigit();
        j += 1;
    }
    (j - i, digits, other)
}

/// The vector test's functions for one instruction set: `member` and `classify`, written once
/// for both widths. The module that invokes this names its intrinsics with the short names used
/// here (`V` for the register type, `and`, `or`, `xor`, `shuffle`, `cmpeq`, `set1`,
/// `srli_epi16`, `movemask`, `loadu`) and provides `table`, which loads a 16-byte table into
/// every 128-bit half of a register; `$width` bytes are taken at a time, and `$mask` holds one
/// bit per byte of them.
#[cfg(target_arch = "x86_64")]
macro_rules! nibble_test {
    ($feature:literal, $width:literal, $mask:ty) => {
        /// The bytes of the chunk in the set whose tables are `low` and `high`, given the chunk
        /// masked to its top and low four bits (`idx`, which indexes `low` for bytes below 0x80
        /// and gives 0 for the others, as a shuffle does for an index with its top bit set), the
        /// same with the top bit flipped (`idx_high`, the other way round), and each byte's bit
        /// within its table entry (`bit`).
        #[inline]
        #[target_feature(enable = $feature)]
        fn member(low: V, high: V, idx: V, idx_high: V, bit: V) -> V {
            let row = or(shuffle(low, idx), shuffle(high, idx_high));
            cmpeq(and(row, bit), bit)
        }

        /// The class masks of the 64 bytes: only `first` unless `runs` asks for the others.
        #[target_feature(enable = $feature)]
        pub(super) fn classify(
            bytes: &[u8],
            t: &super::Classes<super::NibbleTable>,
            runs: bool,
        ) -> super::Classes<u64> {
            let tables = |n: &super::NibbleTable| (table(&n.low), table(&n.high));
            let (f_low, f_high) = tables(&t.first);
            let (w_low, w_high) = tables(&t.word);
            let (d_low, d_high) = tables(&t.digit);
            let (o_low, o_high) = tables(&t.other);
            // Entry `k` is bit `k mod 8`: a byte's bit within its table entry, by its top four
            // bits.
            let bits = table(&[1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128]);
            let top_low = set1(0x8F_u8 as i8);
            let nibble = set1(0x0F);
            let flip = set1(i8::MIN);
            let mut m = super::Classes::<u64>::default();
            for (k, chunk) in bytes.chunks_exact($width).enumerate() {
                // SAFETY: `chunk` is as wide as the register; the load has no
                // alignment requirement.
                let v = unsafe { loadu(chunk.as_ptr().cast()) };
                let idx = and(v, top_low);
                let idx_high = xor(idx, flip);
                let bit = shuffle(bits, and(srli_epi16(v, 4), nibble));
                let mask = |low, high| {
                    let hits = member(low, high, idx, idx_high, bit);
                    // Kept opaque: seen through, the mask's bits were taken apart and put
                    // back together byte by byte (four times the instructions), depending on
                    // how the callers happened to be inlined.
                    let bits = core::hint::black_box(movemask(hits));
                    u64::from(bits as $mask) << ($width * k)
                };
                m.first |= mask(f_low, f_high);
                if runs {
                    m.word |= mask(w_low, w_high);
                    m.digit |= mask(d_low, d_high);
                    m.other |= mask(o_low, o_high);
                }
            }
            m
        }
    };
}

/// The vector test on 16 bytes at a time.
#[cfg(target_arch = "x86_64")]
mod ssse3 {
    use core::arch::x86_64::{
        __m128i as V, _mm_and_si128 as and, _mm_cmpeq_epi8 as cmpeq, _mm_loadu_si128 as loadu,
        _mm_movemask_epi8 as movemask, _mm_or_si128 as or, _mm_set1_epi8 as set1,
        _mm_shuffle_epi8 as shuffle, _mm_srli_epi16 as srli_epi16, _mm_xor_si128 as xor,
    };

    fn table(t: &[u8; 16]) -> V {
        // SAFETY: `t` is 16 bytes; the load has no alignment requirement.
        unsafe { loadu(t.as_ptr().cast()) }
    }

    nibble_test!("ssse3", 16, u16);
}

/// The vector test on 32 bytes at a time: each 128-bit half of a register shuffles with its own
/// copy of the tables, so the same tables and steps serve.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use core::arch::x86_64::{
        __m256i as V, _mm256_and_si256 as and, _mm256_broadcastsi128_si256,
        _mm256_cmpeq_epi8 as cmpeq, _mm256_loadu_si256 as loadu, _mm256_movemask_epi8 as movemask,
        _mm256_or_si256 as or, _mm256_set1_epi8 as set1, _mm256_shuffle_epi8 as shuffle,
        _mm256_srli_epi16 as srli_epi16, _mm256_xor_si256 as xor, _mm_loadu_si128,
    };

    /// A 16-byte table in both halves of a register.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn table(t: &[u8; 16]) -> V {
        // SAFETY: `t` is 16 bytes; the load has no alignment requirement.
        _mm256_broadcastsi128_si256(unsafe { _mm_loadu_si128(t.as_ptr().cast()) })
    }

    nibble_test!("avx2", 32, u32);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition: a byte in `first` after a non-word byte or at the start.
    fn reference(first: &[bool; 256], word_start: bool, hay: &[u8]) -> Vec<usize> {
        (0..hay.len())
            .filter(|&i| {
                first[usize::from(hay[i])] && !(word_start && i > 0 && is_word(hay[i - 1]))
            })
            .collect()
    }

    /// The definition for a literal group: the first byte of a literal, followed by the second
    /// and third bytes of one (any third byte after a literal of two bytes; 0 past the end of
    /// the text).
    fn reference_literals(literals: &[Vec<u8>], hay: &[u8]) -> Vec<usize> {
        let at = |j: usize| hay.get(j).copied().unwrap_or(0);
        (0..hay.len())
            .filter(|&i| {
                literals.iter().any(|l| l[0] == hay[i])
                    && literals
                        .iter()
                        .any(|l| l[1] == at(i + 1) && l.get(2).is_none_or(|&c| c == at(i + 2)))
            })
            .collect()
    }

    fn all(ws: &Starts, hay: &[u8]) -> Vec<usize> {
        let mut cur = Cursor::new();
        let mut out = Vec::new();
        let mut i = 0;
        while let Some(s) = ws.next(hay, i, &mut cur) {
            out.push(s);
            i = s + 1;
        }
        out
    }

    /// The digit group's first bytes, as the built-in rules give them.
    fn digit_first() -> [bool; 256] {
        let mut first = [false; 256];
        for b in b"(+-0123456789:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef" {
            first[usize::from(*b)] = true;
        }
        first
    }

    #[test]
    fn nibble_tables_hold_the_set() {
        let t = NibbleTable::new(|b| b == b'0' || b == 0xE4 || b == 0xFF);
        // '0' is 0x30: entry 0 of the low table, bit 3; 0xE4: entry 4 of the high table, bit 6.
        assert_eq!(t.low[0], 1 << 3);
        assert_eq!(t.high[4], 1 << 6);
        assert_eq!(t.high[15], 1 << 7);
        assert_eq!(
            t.low
                .iter()
                .chain(&t.high)
                .map(|b| b.count_ones())
                .sum::<u32>(),
            3
        );
    }

    #[test]
    fn finds_word_starts_across_blocks() {
        let ws = Starts::word_starts(digit_first());
        let line =
            "[2025-01-01 00:00:02] 订单20256287333229034884已支付 ip=10.0.0.1 x9 _7 DEADbeef ";
        let hay = line.repeat(3);
        let got = all(&ws, hay.as_bytes());
        assert_eq!(got, reference(&ws.first, true, hay.as_bytes()));
        // `2025` after `[`, `01` after `-`, `10` after `=`; not `0` inside `2025` nor `9` in `x9`.
        assert!(got.contains(&1) && got.contains(&6));
        assert!(!got.contains(&2));
        let x9 = line.find("x9").unwrap_or_default();
        assert!(!got.contains(&(x9 + 1)));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// A literal group's candidates are what the definition says, whatever the literals
        /// (ASCII, CJK bytes, two bytes long or longer), and include every place where one of
        /// them occurs.
        #[test]
        fn literal_starts_match_the_definition(
            hay in proptest::collection::vec(
                prop_oneof![
                    3 => proptest::sample::select(b"nao \xE4\xB8\xAD\xE5\x90".to_vec()),
                    1 => any::<u8>(),
                ],
                0..300,
            ),
            mut literals in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::sample::select(b"nao\xE4\xE5\xB8\x90\xAD".to_vec()),
                    2..5,
                ),
                0..6,
            ),
            extra in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 2..4), 0..3),
        ) {
            literals.extend(extra);
            let ws = Starts::literals(literals.iter().map(Vec::as_slice));
            let got = all(&ws, &hay);
            prop_assert_eq!(&got, &reference_literals(&literals, &hay));
            for l in &literals {
                for i in 0..hay.len() {
                    if hay[i..].starts_with(l) {
                        prop_assert!(got.contains(&i), "{l:?} at {i}");
                    }
                }
            }
            for base in 0..hay.len() {
                prop_assert_eq!(ws.block(&hay, base).first, ws.block_bytes(&hay, base).first);
            }
        }

        /// Each instruction set this processor has gives the byte loop's masks, whichever the
        /// filter picked: on a machine with AVX2 the SSSE3 path is otherwise never run.
        #[cfg(target_arch = "x86_64")]
        #[test]
        fn every_instruction_set_gives_the_byte_loop_masks(
            block in proptest::collection::vec(any::<u8>(), 64),
            set in proptest::collection::vec(any::<u8>(), 0..40),
            word_start in any::<bool>(),
        ) {
            let mut first = [false; 256];
            for b in set {
                first[usize::from(b)] = true;
            }
            let ws = Starts::new(first, word_start);
            let tables = &ws.vector.as_ref().expect("x86-64 processors have SSSE3").0;
            let want = ws.block_bytes(&block, 0);
            let mut isas = vec![];
            if std::arch::is_x86_feature_detected!("ssse3") {
                isas.push(Isa::Ssse3);
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                isas.push(Isa::Avx2);
            }
            for isa in isas {
                let got = ws.candidates(&block, 0, ws.classify(&block, tables, isa));
                if word_start {
                    prop_assert_eq!(got, want, "{:?}", isa);
                } else {
                    prop_assert_eq!(got.first, want.first, "{:?}", isa);
                }
            }
        }

        /// The cursor gives the definition's positions, from any starting point and for any
        /// first-byte set (ranges, single bytes, bytes of 0x80 and above).
        #[test]
        fn cursor_matches_the_definition(
            hay in proptest::collection::vec(
                prop_oneof![
                    4 => proptest::sample::select(b"09azAZ_ -:.(+\n\x7F".to_vec()),
                    2 => 0u8..0x80,
                    1 => any::<u8>(),
                ],
                0..300,
            ),
            set in proptest::collection::vec(any::<u8>(), 0..12),
            ascii_only in any::<bool>(),
            word_start in any::<bool>(),
            scattered in any::<bool>(),
            high_set in proptest::collection::vec(0x80u8..=0xFF, 0..6),
            jumps in proptest::collection::vec(1usize..90, 0..20),
        ) {
            let mut first = digit_first();
            for b in set {
                let b = if ascii_only { b & 0x7F } else { b };
                first[usize::from(b)] = !first[usize::from(b)];
            }
            if scattered {
                for b in (1..256).step_by(7) {
                    first[b] = true;
                }
            }
            for b in high_set {
                first[usize::from(b)] = true;
            }
            let ws = if word_start {
                Starts::word_starts(first)
            } else {
                Starts::bytes(first)
            };
            let want = reference(&first, word_start, &hay);
            prop_assert_eq!(all(&ws, &hay), want.clone());
            // The vector test and the byte loop agree on every block (on the run classes too,
            // where the group uses them).
            for base in 0..hay.len() {
                let (v, b) = (ws.block(&hay, base), ws.block_bytes(&hay, base));
                if word_start {
                    prop_assert_eq!(v, b, "at {}", base);
                } else {
                    prop_assert_eq!(v.first, b.first, "at {}", base);
                }
            }
            // Runs read off the masks are the runs measured a byte at a time, at every
            // candidate, whichever block the cursor holds.
            if word_start {
                let mut cur = Cursor::new();
                let mut at = 0;
                while let Some(p) = ws.next(&hay, at, &mut cur) {
                    prop_assert_eq!(ws.run(&hay, p, &cur), word_run(&hay, p), "at {}", p);
                    at = p + 1;
                }
            }
            // Jumping ahead by any distance, as the detector does after a match, still finds
            // the first candidate at or after the new position.
            let mut cur = Cursor::new();
            let mut at = 0;
            for j in jumps {
                let got = ws.next(&hay, at, &mut cur);
                prop_assert_eq!(got, want.iter().copied().find(|&p| p >= at));
                at += j;
            }
        }
    }
}
