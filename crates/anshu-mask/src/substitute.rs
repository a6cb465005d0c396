//! Realistic substitution: a fake but valid value of the same type, consistent per input.
//!
//! Identifiers go through a keyed cyclic permutation ([`crate::prp`]) of the part that may
//! change, so distinct inputs stay distinct and no input maps to itself; check characters are
//! recomputed. What stays is what the type's users need to keep working: the region and birth
//! date of a resident ID (by default), the segment of a mobile number, the issuer prefix of a
//! card, the manufacturer code of a VIN, the area code of a landline, the OUI of a MAC address,
//! the first octet of an IPv4 address, the domain of an email address.

use crate::methods::{canonical, prf, prf_u64, BirthMode, DateShift, Substitute};
use crate::prp::Permutation;
use crate::shape;
use crate::MaskError;
use anshu_detect::{validate, Date};

/// Substitutes `value` of type `type_id`.
pub fn substitute(s: &Substitute, value: &str, type_id: &str) -> Result<String, MaskError> {
    let out = match type_id {
        "cn_resident_id" => resident_id(s, value),
        "cn_mobile" => digits_after(s, value, 3, "mobile", 11),
        "bank_card" => card(s, value),
        "imei" => {
            let d: String = value.chars().filter(char::is_ascii_digit).collect();
            if d.len() == 15 {
                let mut body = cycle_digits(s, &d[..14], 8, "imei");
                let c = validate::luhn_check_digit(body.as_bytes()) as char;
                body.push(c);
                Some(body)
            } else {
                None
            }
        }
        "cn_landline" => landline(s, value),
        "vin" => vin(s, value),
        "cn_uscc" => uscc(s, value),
        "person_name" => Some(name(s, value)),
        "address" => Some(address(s, value)),
        "email" => Some(email(s, value)),
        "company_name" => Some(company(s, value)),
        "birth_date" => shape::parse_date(value).map(|w| {
            let off = DateShift::offset(&s.keys, &canonical(type_id, value), s.shift_days.max(1));
            w.with(Date::from_days_since_epoch(shape::days(w.date) + off))
        }),
        "gender" => Some(value.to_owned()),
        "ethnicity" => ethnicity(s, value),
        "ipv4" => ipv4(s, value),
        "mac_address" => Some(hex(s, value, 6, "mac")),
        "ipv6" => Some(hex(s, value, 4, "ipv6")),
        "cn_passport" | "cn_hk_macau_permit" | "cn_taiwan_permit" | "cn_license_plate" => {
            Some(classes(s, value, 1, type_id))
        }
        "geo_coordinate" => Some(geo(s, value)),
        _ => None,
    };
    match out {
        Some(o) if o != value || type_id == "gender" => Ok(o),
        _ => generic(s, value, type_id),
    }
}

/// Any other value: letters and digits cycle within their classes, Chinese characters are
/// replaced by keyed picks; separators stay.
fn generic(s: &Substitute, value: &str, type_id: &str) -> Result<String, MaskError> {
    let out = classes(s, value, 0, type_id);
    let out = if out == value { han(s, value) } else { out };
    if out == value {
        return Err(MaskError::Value(
            "nothing in the value can be substituted".into(),
        ));
    }
    Ok(out)
}

fn perm<'a>(s: &'a Substitute, domain: u128, context: &[&[u8]]) -> Permutation<'a> {
    Permutation::new(&s.keys.substitute, domain, prf_u64(&s.keys.pick, context))
}

/// Cycles the digits of `d` after the first `keep`.
fn cycle_digits(s: &Substitute, d: &str, keep: usize, tag: &str) -> String {
    let keep = keep.min(d.len());
    let (head, tail) = d.split_at(keep);
    if tail.is_empty() {
        return d.to_owned();
    }
    // Long tails cycle in pieces of 30 digits, each without a fixed point.
    let mut out = head.to_owned();
    let bytes = tail.as_bytes();
    for (i, piece) in bytes.chunks(30).enumerate() {
        let n: u128 = piece
            .iter()
            .fold(0u128, |a, c| a * 10 + u128::from(c - b'0'));
        let domain = 10u128.pow(piece.len() as u32);
        let p = perm(
            s,
            domain,
            &[tag.as_bytes(), head.as_bytes(), &(i as u32).to_be_bytes()],
        );
        out.push_str(&format!("{:0width$}", p.next(n), width = piece.len()));
    }
    out
}

/// Replaces the digits of `value` (after an optional country prefix), keeping the first `keep`
/// and the separators, when it has `len` digits.
fn digits_after(s: &Substitute, value: &str, keep: usize, tag: &str, len: usize) -> Option<String> {
    let digits: Vec<usize> = value
        .char_indices()
        .filter(|(_, c)| c.is_ascii_digit())
        .map(|(i, _)| i)
        .collect();
    if digits.len() < len {
        return None;
    }
    let start = digits.len() - len;
    let d: String = digits[start..].iter().map(|&i| &value[i..i + 1]).collect();
    let new = cycle_digits(s, &d, keep, tag);
    let mut out = value.to_owned().into_bytes();
    for (k, &i) in digits[start..].iter().enumerate() {
        out[i] = new.as_bytes()[k];
    }
    String::from_utf8(out).ok()
}

fn resident_id(s: &Substitute, value: &str) -> Option<String> {
    let v = value.trim();
    let b = v.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return digits_after(s, v, 6, "resident15", b.len()).filter(|_| b.len() == 15);
    }
    let mut region = v[..6].to_owned();
    if !s.keep_region {
        region = other_region(s, &region);
    }
    let mut birth = v[6..14].to_owned();
    if s.birth == BirthMode::Shift {
        if let Some(w) = shape::parse_date(&birth) {
            let off = DateShift::offset(
                &s.keys,
                &canonical("cn_resident_id", v),
                s.shift_days.max(1),
            );
            birth = w.with(Date::from_days_since_epoch(shape::days(w.date) + off));
        }
    }
    // The sequence number keeps its parity (odd = male): cycle within the 500 of that parity,
    // in a permutation of its own for every region and birth date, so distinct IDs stay distinct.
    let seq: u32 = v[14..17].parse().ok()?;
    let p = perm(
        s,
        500,
        &[b"resident-seq", region.as_bytes(), birth.as_bytes()],
    );
    let new_seq = p.next(u128::from(seq / 2)) as u32 * 2 + seq % 2;
    let mut body = format!("{region}{birth}{new_seq:03}");
    let c = validate::resident_check_char(body.as_bytes()) as char;
    body.push(if b[17] == b'x' && c == 'X' { 'x' } else { c });
    Some(body)
}

fn other_region(s: &Substitute, region: &str) -> String {
    use anshu_detect::data::{regions, RegionStatus};
    let current: Vec<u32> = regions()
        .iter()
        .filter(|r| r.status == RegionStatus::Current && r.code % 100 != 0)
        .map(|r| r.code)
        .collect();
    let code: u32 = region.parse().unwrap_or(0);
    match current.iter().position(|&c| c == code) {
        Some(i) if current.len() > 1 => {
            let p = perm(s, current.len() as u128, &[b"region"]);
            format!("{:06}", current[p.next(i as u128) as usize])
        }
        _ => region.to_owned(),
    }
}

fn card(s: &Substitute, value: &str) -> Option<String> {
    let pos: Vec<usize> = value
        .char_indices()
        .filter(|(_, c)| c.is_ascii_digit())
        .map(|(i, _)| i)
        .collect();
    if !(13..=19).contains(&pos.len()) {
        return None;
    }
    let d: String = pos.iter().map(|&i| &value[i..i + 1]).collect();
    let mut body = cycle_digits(s, &d[..d.len() - 1], 6, "card");
    body.push(validate::luhn_check_digit(body.as_bytes()) as char);
    let mut out = value.to_owned().into_bytes();
    for (k, &i) in pos.iter().enumerate() {
        out[i] = body.as_bytes()[k];
    }
    String::from_utf8(out).ok()
}

fn landline(s: &Substitute, value: &str) -> Option<String> {
    // Keep the area code (everything before the first separator, or 3–4 leading digits) and
    // the first digit of the local number, which may not be 0 or 1.
    let digits: Vec<usize> = value
        .char_indices()
        .filter(|(_, c)| c.is_ascii_digit())
        .map(|(i, _)| i)
        .collect();
    if digits.len() < 9 {
        return None;
    }
    let area = if value.starts_with("010") || value.starts_with("02") {
        3
    } else {
        4
    };
    let d: String = digits.iter().map(|&i| &value[i..i + 1]).collect();
    let new = cycle_digits(s, &d, area + 1, "landline");
    let mut out = value.to_owned().into_bytes();
    for (k, &i) in digits.iter().enumerate() {
        out[i] = new.as_bytes()[k];
    }
    String::from_utf8(out).ok()
}

const VIN_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPRSTUVWXYZ";

fn vin(s: &Substitute, value: &str) -> Option<String> {
    let v = value.trim().to_ascii_uppercase();
    let b = v.as_bytes();
    if b.len() != 17 || !b.iter().all(|c| VIN_CHARS.contains(c)) {
        return None;
    }
    // Positions 4–8 and 10–17 change within the VIN alphabet; the WMI stays, position 9 is the
    // check digit.
    let var: Vec<usize> = (3..8).chain(9..17).collect();
    let mut out = b.to_vec();
    for (part, range) in [(0u32, &var[..7]), (1, &var[7..])] {
        let radix = VIN_CHARS.len() as u128;
        let n = range.iter().fold(0u128, |a, &i| {
            a * radix + VIN_CHARS.iter().position(|c| *c == b[i]).unwrap_or(0) as u128
        });
        let p = perm(
            s,
            radix.pow(range.len() as u32),
            &[b"vin", &b[..3], &part.to_be_bytes()],
        );
        let mut m = p.next(n);
        for &i in range.iter().rev() {
            out[i] = VIN_CHARS[(m % radix) as usize];
            m /= radix;
        }
    }
    out[8] = validate::vin_check_char(&out);
    String::from_utf8(out).ok()
}

fn uscc(s: &Substitute, value: &str) -> Option<String> {
    let v = value.trim().to_ascii_uppercase();
    let b = v.as_bytes();
    if b.len() != 18 {
        return None;
    }
    // The organisation code body (positions 9–16) cycles over digits and letters; both check
    // characters are recomputed.
    const ORG: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    if !b[8..16].iter().all(|c| ORG.contains(c)) {
        return None;
    }
    let radix = ORG.len() as u128;
    let n = b[8..16].iter().fold(0u128, |a, c| {
        a * radix + ORG.iter().position(|x| x == c).unwrap_or(0) as u128
    });
    let p = perm(s, radix.pow(8), &[b"uscc", &b[..8]]);
    let mut m = p.next(n);
    let mut out = b.to_vec();
    for i in (8..16).rev() {
        out[i] = ORG[(m % radix) as usize];
        m /= radix;
    }
    out[16] = validate::org_code_check_char(&out[8..16]);
    if !validate::USCC_ALPHABET.contains(&out[16]) {
        // GB 11714 allows 'X' as a check character; GB 32100's alphabet has it too.
        return None;
    }
    out[17] = validate::uscc_check_char(&out[..17]);
    String::from_utf8(out).ok()
}

/// Letters and digits after the first `keep` alphanumerics cycle within their classes (digit,
/// upper, lower); everything else stays.
fn classes(s: &Substitute, value: &str, keep: usize, tag: &str) -> String {
    let mut chars: Vec<char> = value.chars().collect();
    let var: Vec<usize> = chars
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is_ascii_alphanumeric())
        .map(|(i, _)| i)
        .skip(keep)
        .collect();
    let radix_of = |c: char| -> u128 {
        if c.is_ascii_digit() {
            10
        } else {
            26
        }
    };
    // Pieces whose mixed-radix domain stays below 2^100.
    let mut piece: Vec<usize> = Vec::new();
    let mut domain: u128 = 1;
    let mut pieces: Vec<(Vec<usize>, u128)> = Vec::new();
    for &i in &var {
        let r = radix_of(chars[i]);
        if domain.saturating_mul(r) > 1u128 << 100 {
            pieces.push((std::mem::take(&mut piece), domain));
            domain = 1;
        }
        piece.push(i);
        domain *= r;
    }
    if !piece.is_empty() {
        pieces.push((piece, domain));
    }
    let head: String = chars
        .iter()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(keep)
        .collect();
    for (k, (positions, domain)) in pieces.iter().enumerate() {
        let digit_of = |c: char| -> u128 {
            if c.is_ascii_digit() {
                u128::from(c as u8 - b'0')
            } else {
                u128::from(c.to_ascii_lowercase() as u8 - b'a')
            }
        };
        let n = positions
            .iter()
            .fold(0u128, |a, &i| a * radix_of(chars[i]) + digit_of(chars[i]));
        let shape_key: String = positions
            .iter()
            .map(|&i| if chars[i].is_ascii_digit() { '9' } else { 'a' })
            .collect();
        let p = perm(
            s,
            *domain,
            &[
                tag.as_bytes(),
                head.as_bytes(),
                shape_key.as_bytes(),
                &(k as u32).to_be_bytes(),
            ],
        );
        let mut m = p.next(n);
        for &i in positions.iter().rev() {
            let c = chars[i];
            let r = radix_of(c);
            let d = (m % r) as u8;
            m /= r;
            chars[i] = if c.is_ascii_digit() {
                (b'0' + d) as char
            } else if c.is_ascii_uppercase() {
                (b'A' + d) as char
            } else {
                (b'a' + d) as char
            };
        }
    }
    chars.into_iter().collect()
}

fn pick<'a>(s: &Substitute, list: &[&'a str], parts: &[&[u8]]) -> &'a str {
    let r = prf_u64(&s.keys.pick, parts);
    list.get((r % list.len().max(1) as u64) as usize)
        .copied()
        .unwrap_or("")
}

const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "萍", "红", "鹏", "辉", "建", "文", "斌",
    "宇", "浩", "凯", "婷", "雪", "琳", "晨", "欣", "博", "佳", "昊", "然", "子", "涵", "梓", "轩",
    "思", "雨", "俊", "嘉", "怡", "瑶", "晓", "倩", "彤", "悦", "宁", "志", "国", "海", "林", "峰",
];

const PINYIN: &[&str] = &[
    "Wei", "Fang", "Na", "Min", "Jing", "Li", "Qiang", "Lei", "Jun", "Yang", "Yong", "Yan", "Jie",
    "Tao", "Ming", "Chao", "Xia", "Ping", "Gang", "Hua", "Yu", "Hui", "Jian", "Wen", "Bin", "Hao",
    "Kai", "Ting", "Xue", "Lin", "Chen", "Xin", "Bo", "Jia", "Zhang", "Wang", "Liu", "Zhao",
    "Zhou",
];

fn name(s: &Substitute, value: &str) -> String {
    let v = value.trim();
    let key = canonical("person_name", v);
    for attempt in 0u32..8 {
        let a = attempt.to_be_bytes();
        let out = if v.is_ascii() {
            let words = v.split_whitespace().count().max(1);
            (0..words)
                .map(|i| {
                    pick(
                        s,
                        PINYIN,
                        &[b"pinyin", key.as_bytes(), &a, &(i as u32).to_be_bytes()],
                    )
                })
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            let n = v.chars().count();
            let surnames = anshu_detect::data::surnames();
            let single: Vec<&str> = surnames
                .iter()
                .copied()
                .filter(|x| x.chars().count() == 1)
                .take(100)
                .collect();
            let sur = pick(s, &single, &[b"surname", key.as_bytes(), &a]);
            let given_len = n.saturating_sub(1).clamp(1, 2);
            let mut out = sur.to_owned();
            for i in 0..given_len {
                out.push_str(pick(
                    s,
                    GIVEN,
                    &[b"given", key.as_bytes(), &a, &(i as u32).to_be_bytes()],
                ));
            }
            out
        };
        if out != v {
            return out;
        }
    }
    format!("{v}某")
}

const ROADS: &[&str] = &[
    "建设路",
    "人民路",
    "解放路",
    "中山路",
    "和平街",
    "新华路",
    "文化路",
    "胜利街",
    "光明路",
    "青年路",
    "幸福街",
    "朝阳路",
    "长江路",
    "黄河路",
    "友谊路",
    "团结街",
    "东风路",
    "花园路",
];

fn address(s: &Substitute, value: &str) -> String {
    let key = canonical("address", value);
    let head = shape::cut_to_district(value).unwrap_or("");
    let road = pick(s, ROADS, &[b"road", key.as_bytes()]);
    let r = prf_u64(&s.keys.pick, &[b"house", key.as_bytes()]);
    let out = format!(
        "{head}{road}{}号{}栋{}室",
        r % 300 + 1,
        (r >> 16) % 30 + 1,
        (r >> 32) % 25 * 100 + 101 + (r >> 48) % 4
    );
    if out == value {
        format!("{head}{road}{}号", r % 300 + 301)
    } else {
        out
    }
}

fn email(s: &Substitute, value: &str) -> String {
    let key = canonical("email", value);
    let domain = value
        .rsplit_once('@')
        .map(|(_, d)| d)
        .unwrap_or("example.com");
    let d = prf(&s.keys.pick, &[b"email", key.as_bytes()]);
    let a = PINYIN[usize::from(d[0]) % PINYIN.len()].to_lowercase();
    let b = PINYIN[usize::from(d[1]) % PINYIN.len()].to_lowercase();
    let n = u16::from_be_bytes([d[2], d[3]]) % 10_000;
    format!("{a}{b}{n:04}@{domain}")
}

const WORDS: &[&str] = &[
    "华信", "宏达", "恒远", "博通", "嘉禾", "瑞丰", "鑫源", "天成", "永泰", "中联", "新锐", "安达",
    "盛世", "卓越", "汇通", "明德", "金桥", "远航", "启明", "东方",
];

fn company(s: &Substitute, value: &str) -> String {
    let key = canonical("company_name", value);
    const SUFFIXES: &[&str] = &[
        "股份有限公司",
        "有限责任公司",
        "有限公司",
        "集团",
        "公司",
        "研究院",
        "研究所",
        "中心",
    ];
    let suffix = SUFFIXES
        .iter()
        .find(|x| value.ends_with(*x))
        .copied()
        .unwrap_or("有限公司");
    let city = shape::cut_to_city(value).unwrap_or("");
    let w1 = pick(s, WORDS, &[b"co1", key.as_bytes()]);
    let w2 = pick(s, WORDS, &[b"co2", key.as_bytes()]);
    format!("{city}{w1}{w2}科技{suffix}")
}

fn ethnicity(s: &Substitute, value: &str) -> Option<String> {
    let groups = anshu_detect::data::ethnic_groups();
    let v = value.trim();
    let (i, suffix) = groups
        .iter()
        .position(|g| *g == v)
        .map(|i| (i, ""))
        .or_else(|| {
            groups
                .iter()
                .position(|g| format!("{g}族") == v || v.strip_suffix('族') == Some(g))
                .map(|i| (i, "族"))
        })?;
    let p = perm(s, groups.len() as u128, &[b"ethnicity"]);
    let g = groups[p.next(i as u128) as usize];
    Some(if suffix.is_empty() || g.ends_with('族') {
        g.to_owned()
    } else {
        format!("{g}{suffix}")
    })
}

fn ipv4(s: &Substitute, value: &str) -> Option<String> {
    let parts: Vec<u32> = value
        .trim()
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<Vec<u32>>>()?;
    if parts.len() != 4 || parts.iter().any(|&p| p > 255) {
        return None;
    }
    let n = u128::from((parts[1] << 16) | (parts[2] << 8) | parts[3]);
    let p = perm(s, 1 << 24, &[b"ipv4", &parts[0].to_be_bytes()]);
    let m = p.next(n) as u32;
    Some(format!(
        "{}.{}.{}.{}",
        parts[0],
        (m >> 16) & 255,
        (m >> 8) & 255,
        m & 255
    ))
}

fn geo(s: &Substitute, value: &str) -> String {
    // Keep each coordinate's degrees and first two decimals (≈ 1 km); the finer digits cycle.
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    let mut k = 0u32;
    while let Some(dot) = rest.find('.') {
        out.push_str(&rest[..=dot]);
        let after = &rest[dot + 1..];
        let n = after.bytes().take_while(u8::is_ascii_digit).count();
        let frac = &after[..n];
        if n > 2 {
            out.push_str(&cycle_digits(s, frac, 2, &format!("geo{k}")));
        } else {
            out.push_str(frac);
        }
        rest = &after[n..];
        k += 1;
    }
    out.push_str(rest);
    out
}

/// Chinese characters replaced by keyed picks from common given-name characters.
fn han(s: &Substitute, value: &str) -> String {
    value
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if anshu_detect::validate::is_han(c) {
                let mut buf = [0u8; 4];
                pick(
                    s,
                    GIVEN,
                    &[
                        b"han",
                        c.encode_utf8(&mut buf).as_bytes(),
                        &(i as u32).to_be_bytes(),
                    ],
                )
                .chars()
                .next()
                .unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

/// Hexadecimal digits after the first `keep` cycle as base-16 numerals, keeping the case and
/// the separators: MAC addresses keep their OUI, IPv6 addresses their first group.
fn hex(s: &Substitute, value: &str, keep: usize, tag: &str) -> String {
    let mut chars: Vec<char> = value.chars().collect();
    let pos: Vec<usize> = (0..chars.len())
        .filter(|&i| chars[i].is_ascii_hexdigit())
        .skip(keep)
        .collect();
    let upper = chars.iter().any(|c| c.is_ascii_uppercase());
    let head: String = chars
        .iter()
        .filter(|c| c.is_ascii_hexdigit())
        .take(keep)
        .collect();
    for (k, piece) in pos.chunks(30).enumerate() {
        let n = piece.iter().fold(0u128, |a, &i| {
            a * 16 + u128::from(chars[i].to_digit(16).unwrap_or(0))
        });
        let p = perm(
            s,
            16u128.pow(piece.len() as u32),
            &[tag.as_bytes(), head.as_bytes(), &(k as u32).to_be_bytes()],
        );
        let mut m = p.next(n);
        for &i in piece.iter().rev() {
            let d = (m % 16) as u32;
            m /= 16;
            let c = char::from_digit(d, 16).unwrap_or('0');
            chars[i] = if upper { c.to_ascii_uppercase() } else { c };
        }
    }
    chars.into_iter().collect()
}
