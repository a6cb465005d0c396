//! Property tests: the detector never panics on any input, its spans are well-formed, and the
//! validators accept every value built to be valid and reject single-character corruptions.

use anshu_detect::validate::{self, Date};
use anshu_detect::{ColumnProfile, Detector, DetectorOptions, RuleSet, Scratch};
use anshu_testkit::{luhn_check_digit, resident_check_char};
use proptest::prelude::*;
use std::sync::OnceLock;

fn builtin() -> Detector {
    Detector::new(
        &RuleSet::builtin(),
        DetectorOptions {
            today: Date::new(2026, 11, 22),
            min_confidence: 0.0,
        },
    )
    .expect("builtin rules compile")
}

fn det() -> &'static Detector {
    static D: OnceLock<Detector> = OnceLock::new();
    D.get_or_init(builtin)
}

const TODAY: Date = Date::new(2026, 11, 22);

/// Text mixing CJK, ASCII, digits and separators, the alphabet the patterns care about.
fn texty() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("手机".to_owned()),
            Just("客户张三".to_owned()),
            Just("身份证号".to_owned()),
            Just("@".to_owned()),
            Just(".".to_owned()),
            Just(":".to_owned()),
            Just("-".to_owned()),
            Just(" ".to_owned()),
            Just("\n".to_owned()),
            "[0-9]{1,20}",
            "[A-Za-z]{1,8}",
            "[\\u{4e00}-\\u{9fff}]{1,4}",
            any::<char>().prop_map(|c| c.to_string()),
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

fn reference() -> &'static Detector {
    static D: OnceLock<Detector> = OnceLock::new();
    D.get_or_init(|| builtin().reference_search())
}

/// A resident ID or a card number that passes its check, so that candidates succeed next to
/// the runs that make them fail.
fn valid_identifier() -> impl Strategy<Value = String> {
    prop_oneof![
        (
            prop::sample::select(vec!["110101", "440305"]),
            1950u32..2010,
            1u32..13,
            1u32..29,
            0u32..1000
        )
            .prop_map(|(region, y, m, d, seq)| {
                let body = format!("{region}{y:04}{m:02}{d:02}{seq:03}");
                format!("{body}{}", resident_check_char(&body))
            }),
        "62[0-9]{14}".prop_map(|body| format!("{body}{}", luhn_check_digit(&body))),
        // The same card in groups of four: its run is four digits and a separator.
        ("62[0-9]{14}", prop::sample::select(vec![" ", "-"])).prop_map(|(body, sep)| {
            let card = format!("{body}{}", luhn_check_digit(&body));
            card.as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join(sep)
        }),
        // Other shapes whose first run ends at a separator inside the match.
        "1[3-9][0-9][ -][0-9]{4}[ -][0-9]{4}",
        "0[3-9][0-9]{2}-[2-9][0-9]{7}",
        "[0-9a-f]{2}([:-][0-9a-f]{2}){5}",
        "[1-9][0-9]?\\.[0-9]{1,2}\\.[0-9]{1,2}\\.[1-9]",
        "fe80::[0-9a-f]{1,4}:[0-9a-f]{1,4}",
        "E[0-9]{8}",
    ]
}

/// Text built from pieces of the things the rules look for (role words, provinces, key names,
/// separators, line starts, digits in runs of every length), so that candidates, near misses and
/// overlaps are common.
fn rich_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            prop::sample::select(vec![
                "客户",
                "收件人：",
                "车主",
                "联系人",
                "申请人：",
                "他叫",
                "name=",
                "Name: ",
                "\"customer_name\":\"",
                // Key names inside words and after quotes, long ones that end in no shorter
                // one, separators with spaces before and after (one of them U+3000), and the
                // colons of a timestamp.
                "username",
                "\"applicant\": \"",
                "consignee\u{3000}=",
                "To: ",
                "cc:",
                "ſender=",
                "'",
                "=",
                "\u{3000}",
                "00:00:02 ",
                "**",
                "| ",
                "，",
                ",",
                "\t",
                "\n",
                "\n1. ",
                "\n08:22:00 ",
                "先生",
                "女士",
                "您好",
                "浙江省",
                "杭州市",
                "西湖区",
                "文三路",
                "号",
                "栋",
                "单元",
                "室",
                "有限公司",
                "甲方：",
                "京A",
                "粤B",
                "台胞证",
                "tbz ",
                "手机",
                "身份证号",
                "order=",
                "card=",
                "ip=",
                // Hint words of several lengths, positive and negative, so that the window
                // before a value holds both in either order and near or far from it.
                "订单",
                "订单号：",
                "电话",
                "联系电话",
                "Phone ",
                "telephone:",
                "版本",
                "version ",
                "批次",
                "银行卡号",
                "流水",
                "地址",
                "@",
                ".",
                ":",
                "-",
                " ",
                "(",
                ")",
                "+86 ",
                "转",
            ])
            .prop_map(str::to_owned),
            "[0-9]{1,20}",
            "[0-9a-f]{1,4}",
            "[A-Z]{1,3}",
            // Long runs that no pattern can begin with (order numbers, hashes, trace ids),
            // which the word-start search passes over without an attempt, and the runs around
            // the limits: "ext" continues a landline's run of word characters.
            "[0-9]{15,24}",
            "[0-9a-fA-F_]{8,40}",
            prop::sample::select(vec!["ext", "_", "X", "0086", "010-8"]).prop_map(str::to_owned),
            valid_identifier(),
            prop::sample::select(vec!["王", "李", "欧阳", "张", "陈", "禤"])
                .prop_flat_map(|s| "[\u{4e00}-\u{4fff}]{1,2}".prop_map(move |g| format!("{s}{g}"))),
            // Given names with characters outside the BMP (CJK extension B), which the value
            // captures must see as Han like any other.
            prop::sample::select(vec!["王", "李", "欧阳"]).prop_flat_map(|s| {
                "[\u{4e00}-\u{4e0f}\u{20000}-\u{2000f}]{1,2}".prop_map(move |g| format!("{s}{g}"))
            }),
            any::<char>().prop_map(|c| c.to_string()),
        ],
        0..60,
    )
    .prop_map(|v| v.concat())
}

/// Text where a few names recur, after role words and alone, among CJK characters (some of
/// them sharing a name's first bytes), ASCII and punctuation: found names are looked for again.
fn recurring_names() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            3 => prop::sample::select(vec![
                "王小明", "欧阳娜娜", "李雷", "张伟", "王小", "禤文", "𠀀王",
            ])
            .prop_map(str::to_owned),
            2 => prop::sample::select(vec![
                "收件人：", "联系人", "，", "、", "。", "\n", " ", "说", "审核", "的", "了",
                "王", "小明", "name=", "abc", "12",
            ])
            .prop_map(str::to_owned),
            2 => "[\u{4e00}-\u{4e3f}\u{738b}\u{5f20}]{1,3}",
            1 => any::<char>().prop_map(|c| c.to_string()),
        ],
        0..80,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Found names are found again where they recur, with the filter of their first two
    /// characters as without it (the reference tries every character).
    #[test]
    fn recurring_names_match_the_reference_search(text in recurring_names()) {
        let (mut fast, mut slow) = (Vec::new(), Vec::new());
        det().scan_text(&text, &mut fast);
        reference().scan_text(&text, &mut slow);
        prop_assert_eq!(fast, slow);
    }

    /// The fast search paths (anchored attempts at word starts, literal pairs and line
    /// starts) report exactly what one unanchored search of each group reports.
    #[test]
    fn fast_paths_match_the_reference_search(text in prop_oneof![rich_text(), texty()]) {
        let (mut fast, mut slow) = (Vec::new(), Vec::new());
        det().scan_text(&text, &mut fast);
        reference().scan_text(&text, &mut slow);
        prop_assert_eq!(fast, slow);
    }

    #[test]
    fn scan_text_spans_are_well_formed(text in texty()) {
        let mut out = Vec::new();
        det().scan_text(&text, &mut out);
        let mut last_end = 0;
        for s in &out {
            prop_assert!(s.start < s.end && s.end <= text.len());
            prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
            prop_assert!(s.start >= last_end, "overlap or disorder: {:?}", out);
            prop_assert!((0.0..=1.0).contains(&s.confidence));
            last_end = s.end;
        }
    }

    #[test]
    fn arbitrary_strings_never_panic(text in any::<String>()) {
        let mut out = Vec::new();
        det().scan_text(&text, &mut out);
        let mut v = Vec::new();
        det().match_value(&text, &mut v);
        let mut p = ColumnProfile::new();
        p.observe(det(), &text, &mut Scratch::default());
        let _ = p.decide(det(), &text);
        let _ = det().header_hints(&text);
        let _ = anshu_detect::mask::mask_for_display("cn_mobile", &text);
        for name in validate::Validator::NAMES {
            if let Some(v) = validate::Validator::from_name(name) {
                let _ = v.check(&text, TODAY);
            }
        }
    }

    #[test]
    fn generated_resident_ids_validate_and_corruptions_fail(
        region in prop::sample::select(vec!["110101", "310115", "440305", "110103", "510107"]),
        y in 1930u32..2020, m in 1u32..13, d in 1u32..29, seq in 0u32..1000, pos in 0usize..18, delta in 1u8..10,
    ) {
        let body = format!("{region}{y:04}{m:02}{d:02}{seq:03}");
        let id = format!("{body}{}", resident_check_char(&body));
        prop_assert!(validate::resident_id(&id, TODAY).is_some(), "{id}");
        // Found in text and as a whole value.
        let text = format!("身份证号：{id}。");
        let mut out = Vec::new();
        det().scan_text(&text, &mut out);
        prop_assert!(out.iter().any(|s| &text[s.start..s.end] == id.as_str()));
        // Changing one digit breaks the check (the weights are all non-zero mod 11).
        let mut b = id.clone().into_bytes();
        if b[pos].is_ascii_digit() {
            b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
            let bad = String::from_utf8(b).unwrap();
            prop_assert!(validate::resident_id(&bad, TODAY).is_none(), "{bad}");
        }
    }

    #[test]
    fn generated_cards_and_imeis_validate(
        prefix in prop::sample::select(vec!["622202", "622848", "621700", "436742", "512345"]),
        rest in "[0-9]{9}", long in any::<bool>(),
    ) {
        let body = if long && prefix.starts_with('6') { format!("{prefix}{rest}000") } else { format!("{prefix}{rest}") };
        let card = format!("{body}{}", luhn_check_digit(&body));
        prop_assert!(validate::bank_card(&card).is_some(), "{card}");
        let imei_body = format!("86{}", &rest[..9]);
        let imei_body = format!("{imei_body}{}", &rest[..3]);
        let imei = format!("{imei_body}{}", luhn_check_digit(&imei_body));
        prop_assert!(validate::imei(&imei), "{imei}");
    }

    #[test]
    fn mobile_segments(seg in prop::sample::select(vec!["130", "145", "150", "162", "170", "186", "199"]), rest in "[0-9]{8}") {
        let m = format!("{seg}{rest}");
        prop_assert!(validate::mobile(&m));
        let spaced = format!("+86 {} {} {}", &m[..3], &m[3..7], &m[7..]);
        prop_assert!(validate::mobile(&spaced));
        let bad = format!("12{}", &m[2..]);
        prop_assert!(!validate::mobile(&bad));
    }
}

#[test]
fn uscc_generated_codes_validate() {
    // Build codes with both check characters computed, across many bodies.
    const ALPHA: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut built = 0;
    for i in 0..500u32 {
        let org_body = format!("{:08}", (i * 7_919 + 13) % 100_000_000);
        const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
        let s: u32 = org_body
            .bytes()
            .zip(W)
            .map(|(c, w)| u32::from(c - b'0') * w)
            .sum();
        let oc = match 11 - s % 11 {
            10 => 'X',
            11 => '0',
            d => char::from(b'0' + d as u8),
        };
        let first17 = format!(
            "91{}{org_body}{oc}",
            ["110105", "440300", "330106"][i as usize % 3]
        );
        const W2: [u32; 17] = [
            1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
        ];
        let sum: u32 = first17
            .bytes()
            .zip(W2)
            .map(|(c, w)| ALPHA.iter().position(|&a| a == c).unwrap() as u32 * w)
            .sum();
        let code = format!(
            "{first17}{}",
            ALPHA[((31 - sum % 31) % 31) as usize] as char
        );
        assert!(validate::uscc(&code), "{code}");
        let mut bad = code.clone().into_bytes();
        bad[17] = if bad[17] == b'0' { b'1' } else { b'0' };
        assert!(!validate::uscc(std::str::from_utf8(&bad).unwrap()));
        built += 1;
    }
    assert_eq!(built, 500);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The rule-file parser reports errors for any input and never panics.
    #[test]
    fn rule_parser_never_panics(src in "(\\[\\[type\\]\\]|\\[allow\\]|\\[macros\\]|id = |pattern = |'[^']{0,12}'|\"[a-z_{}]{0,8}\"|validator = |confidence = |[0-9.]{1,4}|\\n|=|\\[|\\]| ){0,40}") {
        let mut set = RuleSet::empty();
        if set.add_file("fuzz.toml", &src).is_ok() {
            let _ = Detector::new(&set, DetectorOptions::default());
        }
    }
}
