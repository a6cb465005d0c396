//! Reading and rewriting the shapes values come in: dates in their many spellings and addresses
//! cut at an administrative level. Check characters of identifiers come from
//! `anshu_detect::validate`, the same code that validates them.

use anshu_detect::Date;

/// A date as written: where its parts are, so a changed date is written the same way.
#[derive(Debug, Clone)]
pub struct WrittenDate {
    pub date: Date,
    /// `YYYY-MM-DD` style with separators, `YYYYMMDD`, or `YYYY年M月D日`.
    sep: DateStyle,
    /// Anything after the date (a time of day), kept as written.
    rest: String,
    pad: bool,
}

#[derive(Debug, Clone)]
enum DateStyle {
    Sep(char),
    Compact,
    Chinese,
}

/// Parses a date at the start of `s`: `1990-01-02`, `1990/1/2`, `1990.01.02`, `19900102`,
/// `1990年1月2日`, optionally followed by a time.
pub fn parse_date(s: &str) -> Option<WrittenDate> {
    let t = s.trim();
    let b = t.as_bytes();
    if b.len() >= 8
        && b[..8].iter().all(u8::is_ascii_digit)
        && (b.len() == 8 || !b[8].is_ascii_digit())
    {
        let n = |r: std::ops::Range<usize>| t[r].parse::<u32>().ok();
        let date = Date::checked(n(0..4)?, n(4..6)?, n(6..8)?)?;
        return Some(WrittenDate {
            date,
            sep: DateStyle::Compact,
            rest: t[8..].to_owned(),
            pad: true,
        });
    }
    if b.len() < 6 || !b[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let year: u32 = t[..4].parse().ok()?;
    let rest = &t[4..];
    let (sep, after_year) = if let Some(r) = rest.strip_prefix('年') {
        (DateStyle::Chinese, r)
    } else {
        let c = rest.chars().next()?;
        if !matches!(c, '-' | '/' | '.') {
            return None;
        }
        (DateStyle::Sep(c), &rest[1..])
    };
    let mdigits = after_year.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&mdigits) {
        return None;
    }
    let month: u32 = after_year[..mdigits].parse().ok()?;
    let after_month = &after_year[mdigits..];
    let after_sep = match &sep {
        DateStyle::Chinese => after_month.strip_prefix('月')?,
        DateStyle::Sep(c) => after_month.strip_prefix(*c)?,
        DateStyle::Compact => after_month,
    };
    let ddigits = after_sep.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&ddigits) {
        return None;
    }
    let day: u32 = after_sep[..ddigits].parse().ok()?;
    let mut tail = &after_sep[ddigits..];
    if matches!(sep, DateStyle::Chinese) {
        tail = tail.strip_prefix('日').unwrap_or(tail);
    }
    let date = Date::checked(year, month, day)?;
    Some(WrittenDate {
        date,
        sep,
        rest: tail.to_owned(),
        pad: mdigits == 2 && ddigits == 2,
    })
}

impl WrittenDate {
    /// The same spelling with another date.
    pub fn with(&self, d: Date) -> String {
        let (y, m, dd) = (d.year, d.month, d.day);
        let body = match (&self.sep, self.pad) {
            (DateStyle::Compact, _) => format!("{y:04}{m:02}{dd:02}"),
            (DateStyle::Chinese, true) => format!("{y:04}年{m:02}月{dd:02}日"),
            (DateStyle::Chinese, false) => format!("{y:04}年{m}月{dd}日"),
            (DateStyle::Sep(c), true) => format!("{y:04}{c}{m:02}{c}{dd:02}"),
            (DateStyle::Sep(c), false) => format!("{y:04}{c}{m}{c}{dd}"),
        };
        format!("{body}{}", self.rest)
    }
}

/// Days since 1970-01-01.
pub fn days(d: Date) -> i64 {
    let (y, m, dd) = (i64::from(d.year), i64::from(d.month), i64::from(d.day));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + dd - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

const STREET: [&str; 14] = [
    "路", "街", "道", "巷", "弄", "号", "村", "镇", "乡", "栋", "幢", "室", "楼", "小区",
];

/// The leading part of an address up to its county level (区/县/旗/县级市), or `None` when no
/// such boundary comes before the street part.
pub fn cut_to_district(addr: &str) -> Option<&str> {
    cut_at(addr, &['区', '县', '旗', '市'], false)
}

/// The leading part of an address up to its prefecture level (市/州/盟/地区), or the province
/// when only that is written.
pub fn cut_to_city(addr: &str) -> Option<&str> {
    cut_at(addr, &['市', '州', '盟'], true).or_else(|| {
        addr.find("自治区")
            .map(|i| &addr[..i + "自治区".len()])
            .or_else(|| addr.find('省').map(|i| &addr[..i + '省'.len_utf8()]))
    })
}

fn cut_at<'a>(addr: &'a str, ends: &[char], first: bool) -> Option<&'a str> {
    let mut best = None;
    // One pass: stop at the first character after a street-level marker, or after 18
    // characters (administrative names are never longer).
    let (mut street, mut count, mut prev) = (false, 0usize, '\0');
    for (i, c) in addr.char_indices() {
        if street || count > 18 {
            break;
        }
        if ends.contains(&c) {
            // 市辖区 and similar are part of a name, not a boundary.
            let end = i + c.len_utf8();
            if !(c == '区' && addr[end..].starts_with('域')) {
                best = Some(&addr[..end]);
                if first {
                    break;
                }
            }
        }
        let mut buf = [0u8; 4];
        let ch: &str = c.encode_utf8(&mut buf);
        street = STREET.contains(&ch) || (prev == '小' && c == '区');
        count += 1;
        prev = c;
    }
    best.filter(|b| b.chars().count() >= 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_keep_their_spelling() {
        for (s, shifted) in [
            ("1990-01-02", "1990-01-12"),
            ("1990/1/2", "1990/1/12"),
            ("19900102", "19900112"),
            ("1990年1月2日", "1990年1月12日"),
            ("1990-01-02 08:30:00", "1990-01-12 08:30:00"),
        ] {
            let w = parse_date(s).unwrap();
            let d = Date::from_days_since_epoch(days(w.date) + 10);
            assert_eq!(w.with(d), shifted);
        }
        assert!(parse_date("1990-13-01").is_none());
        assert!(parse_date("hello").is_none());
        assert!(parse_date("2024").is_none());
    }

    #[test]
    fn addresses_cut_at_levels() {
        let a = "广东省深圳市南山区科技园路1号";
        assert_eq!(cut_to_district(a), Some("广东省深圳市南山区"));
        assert_eq!(cut_to_city(a), Some("广东省深圳市"));
        assert_eq!(
            cut_to_district("北京市朝阳区建国路88号"),
            Some("北京市朝阳区")
        );
        assert_eq!(cut_to_city("北京市朝阳区建国路88号"), Some("北京市"));
        assert_eq!(
            cut_to_district("江苏省苏州市昆山市玉山镇1号"),
            Some("江苏省苏州市昆山市")
        );
    }
}
