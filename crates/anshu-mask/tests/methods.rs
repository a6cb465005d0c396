//! Behaviour of every method on real formats, with property tests over generated values.

use std::sync::Arc;

use anshu_detect::{validate, Date};
use anshu_mask::{Ctx, Fpe, Keys, MaskKey, Masker, MethodSpec, Policy};
use proptest::prelude::*;

const TODAY: Date = Date::new(2026, 11, 23);

fn keys(byte: u8) -> Arc<Keys> {
    Arc::new(Keys::new(&MaskKey::from_secret([byte; 32], "test")).unwrap())
}

fn build(toml_method: &str) -> Arc<dyn Masker> {
    let spec: MethodSpec = toml::from_str(toml_method).unwrap();
    spec.build(Some(&keys(1)), TODAY).unwrap()
}

fn mask(m: &Arc<dyn Masker>, t: &str, v: &str) -> String {
    m.mask(
        v,
        &Ctx {
            type_id: t,
            person: None,
        },
    )
    .unwrap()
}

fn resident_id(region: u32, y: u32, mo: u32, d: u32, seq: u32) -> String {
    let body = format!("{region:06}{y:04}{mo:02}{d:02}{seq:03}");
    let c = validate::resident_check_char(body.as_bytes()) as char;
    format!("{body}{c}")
}

fn luhn_card(prefix: &str, middle: u64, len: usize) -> String {
    let body = format!("{prefix}{middle:0w$}", w = len - 1 - prefix.len());
    let body = &body[..len - 1];
    let c = validate::luhn_check_digit(body.as_bytes()) as char;
    format!("{body}{c}")
}

#[test]
fn partial_presets() {
    let p = build("method = \"partial\"");
    assert_eq!(
        mask(&p, "cn_resident_id", "110101199003071234"),
        "110101********1234"
    );
    assert_eq!(mask(&p, "cn_mobile", "13800138000"), "138****8000");
    assert_eq!(
        mask(&p, "cn_mobile", "+86 138-0013-8000"),
        "+86 138-****-8000"
    );
    assert_eq!(mask(&p, "person_name", "张三"), "张*");
    assert_eq!(
        mask(&p, "bank_card", "6222021234567890"),
        "6222 **** **** 7890"
    );
    assert_eq!(
        mask(&p, "address", "北京市朝阳区建国路88号院3号楼"),
        "北京市朝阳区****"
    );
    assert_eq!(
        mask(&p, "email", "zhangsan@example.com"),
        "z***@example.com"
    );
    let custom = build("method = \"partial\"\nkeep_first = 2\nkeep_last = 1\nmask_char = \"#\"");
    assert_eq!(mask(&custom, "", "ABCDEFG"), "AB####G");
}

#[test]
fn keyed_hashes_are_keyed_and_canonical() {
    let sm3 = build("method = \"hash\"");
    let sha = build("method = \"hash\"\nalgorithm = \"hmac-sha256\"\nlength = 64");
    let a = mask(&sm3, "cn_mobile", "13800138000");
    assert_eq!(a.len(), 32);
    assert_eq!(a, mask(&sm3, "cn_mobile", "+86 138 0013 8000"));
    assert_ne!(a, mask(&sm3, "cn_mobile", "13800138001"));
    assert_eq!(mask(&sha, "", "x").len(), 64);
    // A different key gives unrelated output.
    let other: MethodSpec = toml::from_str("method = \"hash\"").unwrap();
    let other = other.build(Some(&keys(2)), TODAY).unwrap();
    assert_ne!(a, mask(&other, "cn_mobile", "13800138000"));
    // Never unkeyed: without a key the method is refused.
    let spec: MethodSpec = toml::from_str("method = \"hash\"").unwrap();
    assert!(spec.build(None, TODAY).is_err());
}

#[test]
fn tokens_are_stable_pseudonyms() {
    let t = build("method = \"token\"");
    let a = mask(&t, "person_name", "张三");
    assert!(a.starts_with("NAME_") && a.len() == 17, "{a}");
    assert_eq!(a, mask(&t, "person_name", "张三"));
    assert_ne!(a, mask(&t, "person_name", "李四"));
}

#[test]
fn fpe_keeps_format_and_reverses() {
    for cipher in ["aes", "sm4"] {
        let spec: MethodSpec =
            toml::from_str(&format!("method = \"fpe\"\ncipher = \"{cipher}\"")).unwrap();
        let m = spec.build(Some(&keys(3)), TODAY).unwrap();
        let fpe = Fpe {
            keys: keys(3),
            cipher: if cipher == "aes" {
                anshu_mask::CipherName::Aes
            } else {
                anshu_mask::CipherName::Sm4
            },
        };
        let id = resident_id(110101, 1990, 3, 7, 123);
        let card = luhn_card("622202", 1234567890, 19);
        let spaced = format!(
            "{} {} {} {} {}",
            &card[..4],
            &card[4..8],
            &card[8..12],
            &card[12..16],
            &card[16..]
        );
        for (t, v) in [
            ("cn_resident_id", id.as_str()),
            ("bank_card", spaced.as_str()),
            ("cn_mobile", "138-0013-8000"),
            ("cn_passport", "E12345678"),
            ("", "AB-123456-cd"),
        ] {
            let ctx = Ctx {
                type_id: t,
                person: None,
            };
            let c = m.mask(v, &ctx).unwrap();
            assert_ne!(c, v);
            assert_eq!(c.len(), v.len());
            for (a, b) in c.chars().zip(v.chars()) {
                assert_eq!(a.is_ascii_digit(), b.is_ascii_digit(), "{v} -> {c}");
                if !b.is_ascii_alphanumeric() {
                    assert_eq!(a, b);
                }
            }
            assert_eq!(fpe.reveal(&c, &ctx).unwrap(), v, "{cipher} {t}");
            if t == "cn_resident_id" {
                // The check character is recomputed, so the result passes the GB 11643 check.
                let b = c.as_bytes();
                assert_eq!(validate::resident_check_char(&b[..17]), b[17]);
            }
        }
        // Three digits are below NIST's minimum domain: refused, not weakly encrypted.
        assert!(m
            .mask(
                "123",
                &Ctx {
                    type_id: "",
                    person: None
                }
            )
            .is_err());
        assert!(m
            .mask(
                "AB-12cd-34",
                &Ctx {
                    type_id: "",
                    person: None
                }
            )
            .is_err());
    }
}

#[test]
fn generalisation() {
    let year = build("method = \"generalise\"\nto = \"year\"");
    assert_eq!(mask(&year, "birth_date", "1990-03-07"), "1990");
    let band = build("method = \"generalise\"\nto = \"age_band\"");
    assert_eq!(mask(&band, "birth_date", "1990-12-31"), "30-39");
    assert_eq!(mask(&band, "cn_resident_id", "110101199003071234"), "30-39");
    let city = build("method = \"generalise\"\nto = \"city\"");
    assert_eq!(
        mask(&city, "address", "广东省深圳市南山区科技园路1号"),
        "广东省深圳市"
    );
    let dec = build("method = \"generalise\"\nto = \"decimals\"\ndecimals = 2");
    assert_eq!(
        mask(&dec, "geo_coordinate", "39.908823,116.397470"),
        "39.90,116.39"
    );
    let bucket = build("method = \"generalise\"\nto = \"bucket\"\nwidth = 10");
    assert_eq!(mask(&bucket, "", "37"), "30-39");
}

#[test]
fn date_shift_is_per_person() {
    let m = build("method = \"date_shift\"\nmax_days = 30");
    let p = |person: &str, v: &str| {
        m.mask(
            v,
            &Ctx {
                type_id: "birth_date",
                person: Some(person),
            },
        )
        .unwrap()
    };
    let a1 = p("110101199003071234", "2024-01-10");
    let a2 = p("110101199003071234", "2024-01-20");
    let d = |s: &str| {
        let w = anshu_mask::shape::parse_date(s).unwrap();
        anshu_mask::shape::days(w.date)
    };
    // The same person's dates move together, so the interval survives.
    assert_eq!(d(&a2) - d(&a1), 10);
    let off = d(&a1) - d("2024-01-10");
    assert!(off != 0 && off.abs() <= 30);
}

#[test]
fn noise_stays_close_and_changes() {
    let m = build("method = \"noise\"\nrelative = 0.05");
    let mut sum = 0.0;
    for i in 1..=2000 {
        let v = format!("{}.50", 100 + i % 50);
        let out: f64 = mask(&m, "", &v).parse().unwrap();
        let x: f64 = v.parse().unwrap();
        assert!((out - x).abs() <= x * 0.05 + 0.01);
        assert_ne!(out, x);
        sum += out - x;
    }
    // Mean error near zero: noise is symmetric.
    assert!((sum / 2000.0).abs() < 1.0, "{sum}");
}

#[test]
fn shuffle_permutes_within_block() {
    let m = build("method = \"shuffle\"");
    let mut vals: Vec<String> = (0..100).map(|i| i.to_string()).collect();
    let mut refs: Vec<&mut String> = vals.iter_mut().collect();
    m.block(&mut refs, 0);
    let mut sorted: Vec<u32> = vals.iter().map(|v| v.parse().unwrap()).collect();
    assert_ne!(sorted, (0..100).collect::<Vec<_>>());
    sorted.sort();
    assert_eq!(sorted, (0..100).collect::<Vec<_>>());
}

#[test]
fn substitution_keeps_the_regions_and_names_plausible() {
    let m = build("method = \"substitute\"");
    let n = mask(&m, "person_name", "张三丰");
    assert_eq!(n.chars().count(), 3);
    assert!(
        anshu_detect::data::is_surname(&n.chars().take(1).collect::<String>()),
        "{n}"
    );
    let a = mask(&m, "address", "北京市朝阳区建国路88号院3号楼");
    assert!(
        a.starts_with("北京市朝阳区") && a != "北京市朝阳区建国路88号院3号楼",
        "{a}"
    );
    let e = mask(&m, "email", "zhangsan@example.com");
    assert!(e.ends_with("@example.com") && validate::email(&e), "{e}");
    let v = mask(&m, "vin", "1M8GDM9AXKP042788");
    assert!(validate::vin(&v) || v.len() == 17, "{v}");
    let u = mask(&m, "cn_uscc", "91350100M000100Y43");
    assert!(validate::uscc(&u), "{u}");
    let mac = mask(&m, "mac_address", "AA:BB:CC:DD:EE:FF");
    assert!(
        mac.starts_with("AA:BB:CC:") && validate::mac(&mac) && mac != "AA:BB:CC:DD:EE:FF",
        "{mac}"
    );
    let v6 = mask(&m, "ipv6", "2001:db8::8a2e:370:7334");
    assert!(
        validate::ipv6(&v6) && v6 != "2001:db8::8a2e:370:7334",
        "{v6}"
    );
    let ip = mask(&m, "ipv4", "10.1.2.3");
    assert!(ip.starts_with("10.") && validate::ipv4(&ip), "{ip}");
    let shifted: MethodSpec =
        toml::from_str("method = \"substitute\"\nkeep_region = false\nbirth = \"shift\"").unwrap();
    let s = shifted.build(Some(&keys(1)), TODAY).unwrap();
    let id = "110101199003071234";
    let out = mask(&s, "cn_resident_id", id);
    assert!(validate::resident_id(&out, TODAY).is_some(), "{out}");
    assert_ne!(&out[..6], &id[..6]);
}

#[test]
fn policy_presets_build_with_a_key() {
    let levels = [
        "general-1",
        "general-2",
        "general-3",
        "general-4",
        "important",
        "core",
    ];
    for (name, _) in anshu_mask::PRESETS {
        let p = Policy::preset(name, &levels).unwrap();
        for r in &p.rules {
            r.method.build(Some(&keys(1)), TODAY).unwrap();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn substituted_ids_are_valid_distinct_and_never_the_input(
        seq in 0u32..1000, days in 0i64..30_000, region in prop::sample::select(vec![110101u32, 440305, 310115, 510104, 130102])
    ) {
        let m = build("method = \"substitute\"");
        let d = Date::from_days_since_epoch(-20_000 + days);
        let id = resident_id(region, u32::from(d.year), u32::from(d.month), u32::from(d.day), seq);
        let out = mask(&m, "cn_resident_id", &id);
        prop_assert!(validate::resident_id(&out, TODAY).is_some(), "{} -> {}", id, out);
        prop_assert_ne!(&out, &id);
        prop_assert_eq!(&out[..14], &id[..14]);
        // Gender (sequence parity) is kept.
        prop_assert_eq!(out.as_bytes()[16] % 2, id.as_bytes()[16] % 2);
        // Neighbours stay distinct: the substitution is a bijection.
        let seq2 = (seq + 2) % 1000;
        let id2 = resident_id(region, u32::from(d.year), u32::from(d.month), u32::from(d.day), seq2);
        prop_assert_ne!(mask(&m, "cn_resident_id", &id2), out);
    }

    #[test]
    fn substituted_mobiles_keep_segment(n in 0u64..100_000_000, seg in prop::sample::select(vec!["138", "159", "186", "199", "176"])) {
        let m = build("method = \"substitute\"");
        let v = format!("{seg}{n:08}");
        let out = mask(&m, "cn_mobile", &v);
        prop_assert_eq!(out.len(), 11);
        prop_assert!(validate::mobile(&out));
        prop_assert_eq!(&out[..3], seg);
        prop_assert_ne!(&out, &v);
    }

    #[test]
    fn substituted_cards_pass_luhn(middle in 0u64..1_000_000_000_000, len in 16usize..=19, prefix in prop::sample::select(vec!["622202", "621700", "436742", "955880"])) {
        let m = build("method = \"substitute\"");
        let v = luhn_card(prefix, middle, len);
        let out = mask(&m, "bank_card", &v);
        prop_assert!(validate::luhn_digits(&out), "{} -> {}", v, out);
        prop_assert_eq!(&out[..6], prefix);
        prop_assert_eq!(out.len(), v.len());
        prop_assert_ne!(&out, &v);
    }

    #[test]
    fn no_method_panics_on_any_input(s in "\\PC{0,40}", t in prop::sample::select(TYPES.to_vec())) {
        every_method_on(&s, t)?;
    }

    /// Values shaped like identifiers (digit runs around a few arbitrary characters) reach the
    /// positional code paths that random strings rarely do: byte offsets inside a character.
    #[test]
    fn id_shaped_garbage_never_panics(
        head in "[0-9]{0,10}", mid in "\\PC{0,3}", tail in "[0-9X]{0,10}",
        t in prop::sample::select(TYPES.to_vec())
    ) {
        every_method_on(&format!("{head}{mid}{tail}"), t)?;
    }
}

const TYPES: [&str; 15] = [
    "cn_resident_id",
    "cn_mobile",
    "bank_card",
    "person_name",
    "address",
    "email",
    "birth_date",
    "ipv4",
    "vin",
    "cn_uscc",
    "geo_coordinate",
    "ethnicity",
    "imei",
    "cn_landline",
    "",
];

fn every_method_on(s: &str, t: &str) -> Result<(), TestCaseError> {
    for spec in [
        "method = \"partial\"",
        "method = \"redact\"",
        "method = \"hash\"",
        "method = \"token\"",
        "method = \"fpe\"",
        "method = \"fpe\"\ncipher = \"sm4\"",
        "method = \"substitute\"",
        "method = \"generalise\"\nto = \"city\"",
        "method = \"generalise\"\nto = \"age_band\"",
        "method = \"generalise\"\nto = \"decimals\"",
        "method = \"generalise\"\nto = \"bucket\"",
        "method = \"date_shift\"",
        "method = \"noise\"",
    ] {
        let m = build(spec);
        if let Ok(out) = m.mask(
            s,
            &Ctx {
                type_id: t,
                person: None,
            },
        ) {
            // Keyed replacements never hand the input back.
            if spec.contains("substitute") && !s.trim().is_empty() && t != "gender" {
                prop_assert_ne!(out.trim(), s.trim(), "{} {}", spec, t);
            }
        }
    }
    Ok(())
}
