//! Column decisions: which types a table column holds, from sampled values and the header.

use crate::detector::{Detector, Hint, Span, TypeIdx, ValueMatch};

/// The least share of a column's values a type must hold to be reported as part of a mixture of
/// types, the fewest values, and how much of the column the mixture must account for.
const MIXTURE_MIN_SHARE: f64 = 0.1;
const MIXTURE_MIN_COUNT: u64 = 5;
const MIXTURE_COVERAGE: f32 = 0.9;

/// Running statistics of one column, fed one value at a time.
#[derive(Debug, Clone, Default)]
pub struct ColumnProfile {
    /// Values seen, including empty ones.
    pub observed: u64,
    pub non_empty: u64,
    /// Non-empty values that matched no type as a whole.
    pub unmatched: u64,
    whole: Vec<Stat>,
    /// Values in an unambiguous form, per type.
    strong: Vec<u64>,
    spans: Vec<Stat>,
    /// First value seen per type (raw; the report masks it).
    examples: Vec<(TypeIdx, String)>,
}

/// Examples kept per column.
const EXAMPLES: usize = 16;

#[derive(Debug, Clone, Copy, Default)]
struct Stat {
    count: u64,
    conf_sum: f64,
}

/// Why a type was reported for a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// Whole values match the type.
    Values,
    /// Values are free text that contains the type.
    Spans,
}

/// A type decided for a column.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnType {
    pub ty: TypeIdx,
    pub confidence: f32,
    /// Share of non-empty sampled values that are (or, for free text, contain) the type.
    pub match_ratio: f32,
    pub matched: u64,
    pub evidence: Evidence,
    pub header_hint: bool,
    pub example: Option<String>,
}

/// Scratch buffers reused across values to avoid allocating per cell.
#[derive(Default)]
pub struct Scratch {
    values: Vec<ValueMatch>,
    spans: Vec<Span>,
    seen: Vec<TypeIdx>,
}

impl ColumnProfile {
    pub fn new() -> Self {
        Self::default()
    }

    fn bump(stats: &mut Vec<Stat>, ty: TypeIdx, conf: f32) {
        let i = ty as usize;
        if stats.len() <= i {
            stats.resize(i + 1, Stat::default());
        }
        stats[i].count += 1;
        stats[i].conf_sum += f64::from(conf);
    }

    /// Adds the values `later` observed, which came after this profile's: the result is the
    /// profile of all of them in that order, so a column can be observed in runs on several
    /// threads. Confidences are summed in `f64`, which holds the sum of millions of `f32`
    /// confidences exactly, so the grouping does not change it. Examples stay the first of each
    /// type: if this profile keeps `m` of them, `later`'s first [`EXAMPLES`] include at least
    /// `EXAMPLES - m` new types, in the order a single profile would have met them.
    pub fn merge(&mut self, later: &ColumnProfile) {
        self.observed += later.observed;
        self.non_empty += later.non_empty;
        self.unmatched += later.unmatched;
        for (stats, more) in [
            (&mut self.whole, &later.whole),
            (&mut self.spans, &later.spans),
        ] {
            if stats.len() < more.len() {
                stats.resize(more.len(), Stat::default());
            }
            for (a, b) in stats.iter_mut().zip(more) {
                a.count += b.count;
                a.conf_sum += b.conf_sum;
            }
        }
        if self.strong.len() < later.strong.len() {
            self.strong.resize(later.strong.len(), 0);
        }
        for (a, b) in self.strong.iter_mut().zip(&later.strong) {
            *a += b;
        }
        for (ty, v) in &later.examples {
            self.remember(*ty, v);
        }
    }

    fn remember(&mut self, ty: TypeIdx, value: &str) {
        if self.examples.len() < EXAMPLES && !self.examples.iter().any(|(t, _)| *t == ty) {
            let v: String = value.chars().take(200).collect();
            self.examples.push((ty, v));
        }
    }

    /// Adds one value.
    pub fn observe(&mut self, det: &Detector, value: &str, scratch: &mut Scratch) {
        self.observed += 1;
        let v = value.trim();
        if v.is_empty() {
            return;
        }
        self.non_empty += 1;
        scratch.values.clear();
        det.match_value(v, &mut scratch.values);
        let mut strong_whole = false;
        for i in 0..scratch.values.len() {
            let m = scratch.values[i];
            Self::bump(&mut self.whole, m.ty, m.confidence);
            if m.strong {
                let t = m.ty as usize;
                if self.strong.len() <= t {
                    self.strong.resize(t + 1, 0);
                }
                self.strong[t] += 1;
            }
            self.remember(m.ty, v);
            strong_whole |= !det.type_info(m.ty).header_required;
        }
        if strong_whole {
            return;
        }
        self.unmatched += 1;
        scratch.spans.clear();
        det.scan_text(v, &mut scratch.spans);
        scratch.seen.clear();
        for i in 0..scratch.spans.len() {
            let s = scratch.spans[i];
            if scratch.seen.contains(&s.ty) {
                continue;
            }
            scratch.seen.push(s.ty);
            Self::bump(&mut self.spans, s.ty, s.confidence);
            let text = v[s.start..s.end].to_owned();
            self.remember(s.ty, &text);
        }
    }

    /// Decides the column's types. `header` is the column name as written in the source.
    pub fn decide(&self, det: &Detector, header: &str) -> Vec<ColumnType> {
        let hints = det.header_hints(header);
        let hint_of = |ty: TypeIdx| hints.iter().find(|(t, _)| *t == ty).map(|(_, h)| *h);
        let n = self.non_empty.max(1) as f64;
        let mut cands: Vec<(f64, ColumnType)> = Vec::new();
        // Types with too small a share to stand alone, which may still be part of a mixture.
        let mut minor: Vec<(f64, ColumnType)> = Vec::new();
        for (i, st) in self.whole.iter().enumerate() {
            if st.count == 0 {
                continue;
            }
            let ty = i as TypeIdx;
            let info = det.type_info(ty);
            let hint = hint_of(ty);
            let pos = hint == Some(Hint::Positive);
            let neg = hint == Some(Hint::Negative);
            // Without the header's support, a header-only type needs nearly all values in an
            // unambiguous form (a column of 男/女, of 汉族/土家族…).
            let strong = self.strong.get(i).copied().unwrap_or(0);
            let strong_enough = strong >= 5 && strong as f64 / n >= 0.9;
            if info.hint_required && !pos {
                continue;
            }
            if info.header_required && !pos && !strong_enough {
                continue;
            }
            let ratio = st.count as f64 / n;
            let mean = st.conf_sum / st.count as f64;
            let default_min = if info.checked { 0.6 } else { 0.8 };
            let threshold = if neg {
                0.9
            } else if pos {
                0.3
            } else {
                f64::from(info.min_ratio.unwrap_or(default_min))
            };
            // Weak evidence (an unchecked shape, a romanised name) needs the header's support.
            let mean_floor = if pos { 0.45 } else { 0.7 };
            if mean < mean_floor {
                continue;
            }
            let share = ratio >= MIXTURE_MIN_SHARE && st.count >= MIXTURE_MIN_COUNT && !neg;
            if ratio < threshold && !share {
                continue;
            }
            let mut conf = mean * (0.6 + 0.4 * ratio);
            if pos {
                conf += 0.08;
            }
            if neg {
                conf -= 0.2;
            }
            let conf = conf.clamp(0.0, 0.99);
            if conf < 0.5 {
                continue;
            }
            let score = ratio * mean + if pos { 0.2 } else { 0.0 };
            let list = if ratio < threshold {
                &mut minor
            } else {
                &mut cands
            };
            list.push((
                score,
                ColumnType {
                    ty,
                    confidence: conf as f32,
                    match_ratio: ratio as f32,
                    matched: st.count,
                    evidence: Evidence::Values,
                    header_hint: pos,
                    example: self.example(ty),
                },
            ));
        }
        cands.sort_by(|a, b| b.0.total_cmp(&a.0));
        // A column holds one kind of value; a second type is kept only when the two together
        // still account for at most all values (a 联系电话 column of mobiles and landlines).
        let mut out: Vec<ColumnType> = Vec::new();
        let mut covered = 0.0f32;
        for (_, c) in cands {
            if out.is_empty() || covered + c.match_ratio <= 1.05 {
                covered += c.match_ratio;
                out.push(c);
            }
        }
        // A column of mixed identifiers (证件号码 holding resident IDs, passports and permits;
        // 联系方式 holding mobiles and e-mail addresses): types that each hold a real share of
        // the values are reported together when, between them, they account for nearly all of
        // them. A share that leaves most values unexplained stays noise.
        if covered < MIXTURE_COVERAGE {
            minor.sort_by(|a, b| b.0.total_cmp(&a.0));
            let mut added = Vec::new();
            let mut total = covered;
            for (_, c) in minor {
                if total + c.match_ratio <= 1.05 {
                    total += c.match_ratio;
                    added.push(c);
                }
            }
            if total >= MIXTURE_COVERAGE && out.len() + added.len() >= 2 {
                out.extend(added);
            }
        }
        // Free text: values that are not one type as a whole but contain findings.
        if self.non_empty > 0 && self.unmatched as f64 / n >= 0.2 {
            for (i, st) in self.spans.iter().enumerate() {
                let ty = i as TypeIdx;
                if st.count == 0 || out.iter().any(|c| c.ty == ty) {
                    continue;
                }
                // One hit in a large sample is more likely noise than a pattern of use.
                if st.count < 2 && self.non_empty > 50 {
                    continue;
                }
                let mean = st.conf_sum / st.count as f64;
                out.push(ColumnType {
                    ty,
                    confidence: mean.clamp(0.0, 0.99) as f32,
                    match_ratio: (st.count as f64 / n) as f32,
                    matched: st.count,
                    evidence: Evidence::Spans,
                    header_hint: hint_of(ty) == Some(Hint::Positive),
                    example: self.example(ty),
                });
            }
        }
        out
    }

    fn example(&self, ty: TypeIdx) -> Option<String> {
        self.examples
            .iter()
            .find(|(t, _)| *t == ty)
            .map(|(_, v)| v.clone())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::rules::RuleSet;
    use crate::validate::Date;
    use crate::DetectorOptions;

    /// One detector for every test and property case: compiling it is most of their time.
    fn det() -> &'static Detector {
        static DET: std::sync::OnceLock<Detector> = std::sync::OnceLock::new();
        DET.get_or_init(|| {
            Detector::new(
                &RuleSet::builtin(),
                DetectorOptions {
                    today: Date::new(2026, 11, 22),
                    min_confidence: 0.5,
                },
            )
            .unwrap()
        })
    }

    fn decide(d: &Detector, header: &str, values: &[&str]) -> Vec<String> {
        let mut p = ColumnProfile::new();
        let mut s = Scratch::default();
        for v in values {
            p.observe(d, v, &mut s);
        }
        p.decide(d, header)
            .into_iter()
            .map(|c| d.type_info(c.ty).id.clone())
            .collect()
    }

    #[test]
    fn opaque_header_decided_by_values() {
        let d = det();
        let v = ["13800138000", "13912345678", "", "18612345678"];
        assert_eq!(decide(d, "c7", &v), ["cn_mobile"]);
    }

    #[test]
    fn header_only_types_need_the_header() {
        let d = det();
        let v = ["M", "F", "F", "M", "M", "F"];
        assert_eq!(decide(d, "xb", &v), ["gender"]);
        assert!(decide(d, "flag", &v).is_empty());
        // 男/女 are unambiguous: an opaque header is enough with enough values.
        let v = ["男", "女", "女", "男", "男", "女"];
        assert_eq!(decide(d, "c3", &v), ["gender"]);
        assert!(decide(d, "c3", &v[..3]).is_empty());
        let e = ["汉族", "土家族", "回族"];
        assert_eq!(decide(d, "民族", &e), ["ethnicity"]);
    }

    #[test]
    fn mixed_identifier_columns_report_each_type() {
        let d = det();
        let mut rng = anshu_testkit::Rng(7);
        let mut v: Vec<String> = Vec::new();
        // Half resident IDs, a quarter passports and a quarter mainland travel permits for Hong
        // Kong and Macau: no type alone holds the share a column needs; together they are every
        // value.
        for _ in 0..10 {
            let body = format!(
                "11010519{}0{}{}",
                70 + rng.below(20),
                1 + rng.below(9),
                10 + rng.below(18)
            );
            v.push(anshu_testkit::with_resident_check(&format!(
                "{body}{}",
                rng.digits(3)
            )));
        }
        for _ in 0..5 {
            v.push(format!("E{}", rng.digits(8)));
            v.push(format!("C{}", rng.digits(8)));
        }
        let refs: Vec<&str> = v.iter().map(String::as_str).collect();
        let got = decide(d, "c3", &refs);
        for ty in ["cn_resident_id", "cn_passport", "cn_hk_macau_permit"] {
            assert!(got.iter().any(|t| t == ty), "{ty} missing: {got:?}");
        }
        // A type that explains only a fifth of the values, with the rest unexplained, is noise.
        let mut noise: Vec<&str> = refs[..5].to_vec();
        noise.extend([
            "A-1", "B-2", "C-3", "D-4", "E-5", "F-6", "G-7", "H-8", "I-9", "J-0",
        ]);
        noise.extend(["K-1", "L-2", "M-3", "N-4", "O-5", "P-6"]);
        assert!(
            decide(d, "c3", &noise).is_empty(),
            "{:?}",
            decide(d, "c3", &noise)
        );
    }

    #[test]
    fn random_eleven_digit_numbers_are_not_mobiles() {
        let d = det();
        // Mostly outside mobile segments; a few fall in one by chance.
        let v = [
            "58206130372",
            "19887398861",
            "75082448951",
            "31234567890",
            "42345678901",
            "62345678901",
            "92345678901",
            "22345678901",
            "13345678901",
            "72345678901",
        ];
        assert!(decide(d, "serial", &v).is_empty());
    }

    #[test]
    fn free_text_column_reports_every_type_inside() {
        let d = det();
        let v = [
            "联系人手机13464864045",
            "客户要求周末配送",
            "发票发送至abc123@qq.com",
            "实名认证证件110105194912310021",
            "实名认证证件11010519491231002X",
            "改派至电话19291760212",
        ];
        let mut got = decide(d, "memo", &v);
        got.sort();
        assert_eq!(got, ["cn_mobile", "cn_resident_id", "email"]);
    }

    /// Values of many types, look-alikes, free text and blanks, so that a column can hold more
    /// than [`EXAMPLES`] types and every statistic moves.
    const VALUES: &[&str] = &[
        "13800138000",
        "+86 139-1234-5678",
        "11010519491231002X",
        "110105194912310021",
        "zhang.wei@example.com",
        "6222021234567890128",
        "1HGCM82633A004352",
        "490154203237518",
        "0755-26543210",
        "深圳市腾讯计算机系统有限公司",
        "39.9042,116.4074",
        "C12345678",
        "192.168.1.20",
        "2001:db8::1",
        "00:1A:2B:3C:4D:5E",
        "京A12345",
        "LSVAU2180N2183294",
        "91350100M000100Y43",
        "E12345678",
        "010-12345678",
        "北京市朝阳区建国路88号",
        "张伟",
        "男",
        "汉族",
        "1990-01-02",
        "客户李娜的手机13912345678，邮箱li.na@example.com",
        "订单号20240101000012345678",
        "d41d8cd98f00b204e9800998ecf8427e",
        "",
        "   ",
        "备注：无",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Observing a column in consecutive runs on their own and merging them in order gives
        /// the profile of observing it in one go: counts, confidences, examples, decisions.
        #[test]
        fn merged_runs_equal_one_profile(
            picks in proptest::collection::vec(0..VALUES.len(), 0..120),
            cuts in proptest::collection::vec(0usize..120, 0..4),
        ) {
            let d = det();
            let values: Vec<&str> = picks.iter().map(|&i| VALUES[i]).collect();
            let mut scratch = Scratch::default();
            let mut one = ColumnProfile::new();
            for v in &values {
                one.observe(d, v, &mut scratch);
            }
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(values.len())).collect();
            cuts.push(values.len());
            cuts.sort_unstable();
            let mut merged = ColumnProfile::new();
            let mut start = 0;
            for end in cuts {
                let mut part = ColumnProfile::new();
                for v in &values[start..end] {
                    part.observe(d, v, &mut scratch);
                }
                merged.merge(&part);
                start = end;
            }
            prop_assert_eq!(format!("{one:?}"), format!("{merged:?}"));
            prop_assert_eq!(one.decide(d, "字段"), merged.decide(d, "字段"));
        }
    }

    #[test]
    fn the_values_hold_more_kinds_than_examples_kept() {
        let d = det();
        let mut scratch = Scratch::default();
        let mut kinds: Vec<&str> = Vec::new();
        for v in VALUES {
            let mut p = ColumnProfile::new();
            p.observe(d, v, &mut scratch);
            for (t, _) in &p.examples {
                let id = d.type_info(*t).id.as_str();
                if !kinds.contains(&id) {
                    kinds.push(id);
                }
            }
        }
        // More kinds than a column keeps examples of: the property test above crosses the cap.
        assert!(kinds.len() > EXAMPLES, "{kinds:?}");
    }
}
