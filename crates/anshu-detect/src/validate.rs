//! Format validators: the checks that turn a pattern match into a finding.
//!
//! Each validator receives the matched text and returns `None` when the value is not of the type,
//! or `Some(weight)` with a weight in (0, 1] that scales the type's base confidence (a diplomatic
//! passport number is a weaker signal than an ordinary one, for example). Validators are pure
//! functions of their input and of the reference date: the core does no I/O and reads no clock.

use crate::data;
use crate::fxhash::FxHashSet;

/// A calendar date used as "today" when checking that a birth date is not in the future.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub const fn new(year: u16, month: u8, day: u8) -> Self {
        Date { year, month, day }
    }

    /// Returns the date if it exists in the proleptic Gregorian calendar.
    pub fn checked(year: u32, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || year > 9999 {
            return None;
        }
        let leap =
            (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let dim = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        (day <= dim).then(|| Date::new(year as u16, month as u8, day as u8))
    }

    /// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Date::new(y.clamp(0, 9999) as u16, m as u8, d as u8)
    }
}

/// The validators a rule may name with `validator = "…"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validator {
    ResidentId,
    Uscc,
    OrgCode,
    Luhn,
    BankCard,
    Imei,
    Vin,
    Mobile,
    Landline,
    Passport,
    HkMacauPermit,
    Email,
    MacAddress,
    Ipv4,
    Ipv6,
    GeoCoordinate,
    LicensePlate,
    Address,
    CompanyName,
    PersonName,
    BirthDate,
    Ethnicity,
}

impl Validator {
    /// All validator names, for error messages and documentation.
    pub const NAMES: &'static [&'static str] = &[
        "cn_resident_id",
        "cn_uscc",
        "gb11714",
        "luhn",
        "bank_card",
        "imei",
        "vin",
        "cn_mobile",
        "cn_landline",
        "cn_passport",
        "cn_hk_macau_permit",
        "email",
        "mac_address",
        "ipv4",
        "ipv6",
        "geo_coordinate",
        "cn_license_plate",
        "address",
        "company_name",
        "person_name",
        "birth_date",
        "ethnicity",
    ];

    pub fn from_name(name: &str) -> Option<Validator> {
        use Validator::*;
        Some(match name {
            "cn_resident_id" => ResidentId,
            "cn_uscc" => Uscc,
            "gb11714" => OrgCode,
            "luhn" => Luhn,
            "bank_card" => BankCard,
            "imei" => Imei,
            "vin" => Vin,
            "cn_mobile" => Mobile,
            "cn_landline" => Landline,
            "cn_passport" => Passport,
            "cn_hk_macau_permit" => HkMacauPermit,
            "email" => Email,
            "mac_address" => MacAddress,
            "ipv4" => Ipv4,
            "ipv6" => Ipv6,
            "geo_coordinate" => GeoCoordinate,
            "cn_license_plate" => LicensePlate,
            "address" => Address,
            "company_name" => CompanyName,
            "person_name" => PersonName,
            "birth_date" => BirthDate,
            "ethnicity" => Ethnicity,
            _ => return None,
        })
    }

    /// Checks `s`; `None` means "not this type".
    pub fn check(self, s: &str, today: Date) -> Option<f32> {
        use Validator::*;
        let ok = |b: bool| b.then_some(1.0);
        match self {
            ResidentId => resident_id(s, today),
            Uscc => ok(uscc(s)),
            OrgCode => ok(org_code(s.as_bytes())),
            Luhn => ok(luhn_digits(s)),
            BankCard => bank_card(s),
            Imei => ok(imei(s)),
            Vin => ok(vin(s)),
            Mobile => ok(mobile(s)),
            Landline => ok(landline(s)),
            Passport => passport(s),
            HkMacauPermit => ok(!s.is_empty()),
            Email => ok(email(s)),
            MacAddress => ok(mac(s)),
            Ipv4 => ok(ipv4(s)),
            Ipv6 => ok(ipv6(s)),
            GeoCoordinate => ok(geo(s)),
            LicensePlate => ok(license_plate(s)),
            Address => ok(address(s)),
            CompanyName => ok(company(s)),
            PersonName => person_name(s),
            BirthDate => ok(birth_date(s, today)),
            Ethnicity => ok(!s.is_empty()),
        }
    }
}

/// Up to 32 ASCII digits of a value, in a fixed buffer. Validators run on tens of thousands of
/// candidates per megabyte; a heap string per candidate cost more than the checks themselves.
struct Digits {
    buf: [u8; 32],
    len: usize,
}

impl Digits {
    /// The digits of `s`, ignoring every other character; `None` when there are more than 32
    /// (longer than any identifier these validators accept).
    fn of(s: &str) -> Option<Digits> {
        let mut d = Digits {
            buf: [0; 32],
            len: 0,
        };
        for c in s.bytes().filter(u8::is_ascii_digit) {
            *d.buf.get_mut(d.len)? = c;
            d.len += 1;
        }
        Some(d)
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// The number the first `n` digits spell (`n` at most 9).
    fn prefix(&self, n: usize) -> u32 {
        self.as_bytes()
            .iter()
            .take(n)
            .fold(0, |a, d| a * 10 + u32::from(d - b'0'))
    }
}

/// GB 11643-1999: 18-character resident ID with region, birth date and check character, or the
/// legacy 15-digit form (region + YYMMDD + sequence, no check character).
/// The GB 11643 check character (`0`–`9` or `X`) for the first 17 digits of a resident ID.
pub fn resident_check_char(d17: &[u8]) -> u8 {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = d17
        .iter()
        .zip(W)
        .map(|(d, w)| u32::from(d.saturating_sub(b'0')) * w)
        .sum();
    b"10X98765432"[(sum % 11) as usize]
}

pub fn resident_id(s: &str, today: Date) -> Option<f32> {
    let b = s.as_bytes();
    let region_ok = |b: &[u8]| {
        let code: u32 = std::str::from_utf8(&b[..6]).ok()?.parse().ok()?;
        data::region(code).map(|_| ())
    };
    match b.len() {
        18 => {
            if !b[..17].iter().all(u8::is_ascii_digit) {
                return None;
            }
            if b[17].to_ascii_uppercase() != resident_check_char(&b[..17]) {
                return None;
            }
            region_ok(b)?;
            let n = |r: std::ops::Range<usize>| -> u32 {
                b[r].iter().fold(0, |a, d| a * 10 + u32::from(d - b'0'))
            };
            let birth = Date::checked(n(6..10), n(10..12), n(12..14))?;
            (birth.year >= 1880 && birth <= today).then_some(1.0)
        }
        15 => {
            if !b.iter().all(u8::is_ascii_digit) {
                return None;
            }
            region_ok(b)?;
            let n = |r: std::ops::Range<usize>| -> u32 {
                b[r].iter().fold(0, |a, d| a * 10 + u32::from(d - b'0'))
            };
            Date::checked(1900 + n(6..8), n(8..10), n(10..12))?;
            // The legacy form has no check character, so it is a weaker signal.
            Some(0.8)
        }
        _ => None,
    }
}

/// The 31 characters a unified social credit code may use (no I, O, S, V, Z).
pub const USCC_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

fn uscc_value(c: u8) -> Option<u32> {
    USCC_ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// GB 11714-1997 organisation code: 8 body characters and a check character.
pub fn org_code(b: &[u8]) -> bool {
    if b.len() != 9 {
        return false;
    }
    b[..8]
        .iter()
        .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        && b[8] == org_code_check_char(&b[..8])
}

/// The GB 11714 check character for the 8-character body of an organisation code (characters
/// outside `0-9A-Z` count as 0; callers check the alphabet).
pub fn org_code_check_char(body: &[u8]) -> u8 {
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .iter()
        .zip(W)
        .map(|(c, w)| {
            let v = match c {
                b'0'..=b'9' => u32::from(c - b'0'),
                b'A'..=b'Z' => u32::from(c - b'A') + 10,
                _ => 0,
            };
            v * w
        })
        .sum();
    match 11 - sum % 11 {
        10 => b'X',
        11 => b'0',
        d => b'0' + d as u8,
    }
}

/// GB 32100-2015 unified social credit code, including the embedded GB 11714 check.
pub fn uscc(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 18 || !b[2..8].iter().all(u8::is_ascii_digit) {
        return false;
    }
    if !data::known_province(u32::from(b[2] - b'0') * 10 + u32::from(b[3] - b'0')) {
        return false;
    }
    b[..18].iter().all(|&c| uscc_value(c).is_some())
        && b[17] == uscc_check_char(&b[..17])
        && org_code(&b[8..17])
}

/// The GB 32100 check character for the first 17 characters of a credit code (characters
/// outside [`USCC_ALPHABET`] count as 0; callers check the alphabet).
pub fn uscc_check_char(b17: &[u8]) -> u8 {
    const W: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let sum: u32 = b17
        .iter()
        .zip(W)
        .map(|(c, w)| uscc_value(*c).unwrap_or(0) * w)
        .sum();
    USCC_ALPHABET[((31 - sum % 31) % 31) as usize]
}

/// The Luhn (ISO/IEC 7812) check over the digits of `s`; separators are ignored.
pub fn luhn_digits(s: &str) -> bool {
    // Walked from the end over the digits only, so that a value of any length is checked
    // without copying its digits out.
    let mut rev = s.bytes().rev().filter(u8::is_ascii_digit);
    let Some(check) = rev.next() else {
        return false;
    };
    let (len, sum) = luhn_sum(rev);
    len >= 1 && check == luhn_digit(sum)
}

/// Whether the ASCII digits `b` end with their Luhn check digit.
fn luhn(b: &[u8]) -> bool {
    b.len() >= 2 && b[b.len() - 1] == luhn_check_digit(&b[..b.len() - 1])
}

/// The count and Luhn sum of body digits given last to first.
fn luhn_sum(rev_body: impl Iterator<Item = u8>) -> (usize, u32) {
    let mut sum = 0u32;
    let mut len = 0;
    for (i, c) in rev_body.enumerate() {
        let mut v = u32::from(c.saturating_sub(b'0'));
        if i % 2 == 0 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
        len = i + 1;
    }
    (len, sum)
}

/// The Luhn (ISO/IEC 7812) check digit that completes `body` (ASCII digits).
pub fn luhn_check_digit(body: &[u8]) -> u8 {
    let (_, sum) = luhn_sum(body.iter().rev().copied());
    luhn_digit(sum)
}

/// The check digit that brings a Luhn sum to a multiple of ten.
fn luhn_digit(sum: u32) -> u8 {
    b'0' + ((10 - sum % 10) % 10) as u8
}

/// Bank card: 13–19 digits, Luhn-valid, with an issuer prefix and a length that scheme uses.
pub fn bank_card(s: &str) -> Option<f32> {
    if s.bytes()
        .any(|c| !(c.is_ascii_digit() || c == b' ' || c == b'-'))
    {
        return None;
    }
    let d = Digits::of(s)?;
    let n = d.len;
    if !(13..=19).contains(&n) || !luhn(d.as_bytes()) {
        return None;
    }
    let p2 = d.prefix(2);
    let p4 = d.prefix(4);
    let ok = match p2 {
        62 | 81 => (16..=19).contains(&n), // UnionPay
        // Domestic debit (e.g. 601382 Bank of China); 6011 is Discover, below.
        60 if p4 != 6011 => (16..=19).contains(&n),
        40..=49 => n == 13 || n == 16 || n == 19, // Visa
        51..=55 => n == 16,                       // Mastercard
        22..=27 => (2221..=2720).contains(&p4) && n == 16,
        34 | 37 => n == 15, // American Express
        35 => (3528..=3589).contains(&p4) && (16..=19).contains(&n), // JCB
        30 | 36 | 38 => (14..=16).contains(&n), // Diners
        60 | 64 | 65 => p4 == 6011 || p2 == 65 || p4 >= 6440 && (16..=19).contains(&n),
        // Older domestic debit BINs (e.g. 9558 ICBC, 95599 ABC).
        90..=99 => (16..=19).contains(&n) && p2 == 95,
        _ => false,
    };
    ok.then_some(1.0)
}

/// IMEI: 15 digits, Luhn-valid, with a reporting-body prefix that GSMA allocates.
pub fn imei(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 15 || !b.iter().all(u8::is_ascii_digit) || !luhn(b) {
        return false;
    }
    matches!(
        &s[..2],
        "00" | "01"
            | "10"
            | "30"
            | "31"
            | "33"
            | "35"
            | "44"
            | "45"
            | "49"
            | "50"
            | "51"
            | "52"
            | "53"
            | "54"
            | "86"
            | "91"
            | "98"
            | "99"
    )
}

/// The value of a VIN character for its check digit; `None` outside the VIN alphabet (I, O and
/// Q are never used).
fn vin_value(c: u8) -> Option<u32> {
    Some(match c {
        b'0'..=b'9' => u32::from(c - b'0'),
        b'A'..=b'H' => u32::from(c - b'A') + 1,
        b'J'..=b'N' => u32::from(c - b'J') + 1,
        b'P' => 7,
        b'R' => 9,
        b'S'..=b'Z' => u32::from(c - b'S') + 2,
        _ => return None,
    })
}

/// The check digit (position 9) of a 17-character VIN (characters outside the alphabet count as
/// 0; callers check the alphabet).
pub fn vin_check_char(b: &[u8]) -> u8 {
    const W: [u32; 17] = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
    let sum: u32 = b
        .iter()
        .zip(W)
        .map(|(c, w)| vin_value(*c).unwrap_or(0) * w)
        .sum();
    match sum % 11 {
        10 => b'X',
        d => b'0' + d as u8,
    }
}

/// ISO 3779 / GB 16735 vehicle identification number with its position-9 check digit.
pub fn vin(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 17 || !b.iter().all(|&c| vin_value(c).is_some()) {
        return false;
    }
    let letters = b.iter().filter(|c| c.is_ascii_alphabetic()).count();
    // A real VIN has a manufacturer code with letters; a pure number is an ID of something else.
    // The descriptor and serial sections carry letters too; a courier waybill such as SF + 15
    // digits, which can pass the check digit by chance, has letters only in front.
    b[8] == vin_check_char(b)
        && letters >= 2
        && b[..3].iter().any(u8::is_ascii_alphabetic)
        && b[3..].iter().any(u8::is_ascii_alphabetic)
}

/// Mainland mobile number: a segment in use, optional country prefix, 3-4-4 grouping.
pub fn mobile(s: &str) -> bool {
    let mut rest = s;
    for p in ["+86", "0086", "86"] {
        if let Some(r) = rest.strip_prefix(p) {
            rest = r.trim_start_matches([' ', '-']);
            break;
        }
    }
    let Some(d) = Digits::of(rest) else {
        return false;
    };
    if d.len != 11 {
        return false;
    }
    // Separators, if any, must follow the 3-4-4 grouping: none, or exactly at 3 and 8.
    let mut seps = rest
        .bytes()
        .enumerate()
        .filter(|(_, c)| !c.is_ascii_digit())
        .map(|(i, _)| i);
    match seps.next() {
        None => {}
        Some(3) if seps.next() == Some(8) && seps.next().is_none() => {}
        Some(_) => return false,
    }
    let seg = d.prefix(3);
    matches!(seg,
        130..=139 | 145..=149 | 150..=153 | 155..=159 | 162 | 165..=167 | 170..=173 | 175..=178
        | 180..=189 | 190..=193 | 195..=199)
}

/// Landline: area code (010 and 02x have three digits, all others four), a 7–8 digit local number
/// that does not start with 0 or 1, and an optional extension.
pub fn landline(s: &str) -> bool {
    let main = s
        .split(['转', '#'])
        .next()
        .unwrap_or(s)
        .split("ext")
        .next()
        .unwrap_or(s);
    // An extension written with '-' follows the local number; keep the first two groups only.
    // Only the first three groups and whether there are more are needed.
    let mut split = main.split(['-', ' ', '(', ')']).filter(|g| !g.is_empty());
    let mut groups = [""; 3];
    let mut n = 0;
    for g in split.by_ref().take(3) {
        groups[n] = g;
        n += 1;
    }
    let more = split.next().is_some();
    let groups = if more { &groups[..] } else { &groups[..n] };
    let (area, local) = match groups {
        // No separator between area code and number; anything after is an extension.
        [one, ..] if one.len() >= 10 && one.bytes().all(|c| c.is_ascii_digit()) => {
            let n = if one.starts_with("01") || one.starts_with("02") {
                3
            } else {
                4
            };
            one.split_at(n)
        }
        [a, l] | [a, l, _] if !more => (*a, *l),
        _ => return false,
    };
    let area_ok = match area.len() {
        3 => area == "010" || (area.starts_with("02") && area != "026"),
        4 => area.starts_with('0') && !area.starts_with("01") && !area.starts_with("02"),
        _ => false,
    };
    area_ok
        && area.bytes().all(|c| c.is_ascii_digit())
        && (7..=8).contains(&local.len())
        && local.bytes().all(|c| c.is_ascii_digit())
        && !local.starts_with(['0', '1'])
}

/// Passport: ordinary (`E`), older (`G`) and diplomatic/service/official (`D`/`S`/`P`).
pub fn passport(s: &str) -> Option<f32> {
    match s.as_bytes().first()? {
        b'E' | b'G' => Some(1.0),
        // Seven digits after one letter is a common shape for other codes too.
        _ => Some(0.6),
    }
}

/// Practical e-mail address: local part, domain labels, alphabetic top-level domain.
pub fn email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    if local.is_empty() || local.len() > 64 || local.starts_with('.') || local.contains("..") {
        return false;
    }
    let mut count = 0;
    let mut last = "";
    for l in domain.split('.') {
        if l.is_empty() || l.starts_with('-') || l.ends_with('-') {
            return false;
        }
        count += 1;
        last = l;
    }
    count >= 2 && last.len() >= 2 && last.bytes().all(|c| c.is_ascii_alphabetic())
}

/// MAC address; the all-zero and broadcast addresses are placeholders, not device identifiers.
pub fn mac(s: &str) -> bool {
    let hex = || s.bytes().filter(u8::is_ascii_hexdigit);
    hex().count() == 12
        && !hex().all(|c| c == b'0')
        && !hex().all(|c| c.eq_ignore_ascii_case(&b'f'))
}

/// Dotted-quad IPv4 address with octets 0–255 and no leading zeros.
pub fn ipv4(s: &str) -> bool {
    // Byte by byte: a split on `.` and an integer parse per part cost ten times as much, and
    // every IPv4 candidate in a log comes through here.
    let mut count = 0;
    let mut all_zero = true;
    for p in s.as_bytes().split(|&b| b == b'.') {
        let ok = matches!(p.len(), 1..=3)
            && p.iter().all(u8::is_ascii_digit)
            && !(p.len() > 1 && p[0] == b'0')
            && p.iter().fold(0u16, |v, &d| v * 10 + u16::from(d - b'0')) <= 255;
        if !ok {
            return false;
        }
        count += 1;
        all_zero &= p == b"0";
    }
    count == 4 && !all_zero
}

/// IPv6 text forms (RFC 4291), requiring either all eight groups or the `::` compression and at
/// least three groups, so that times like `12:30` are not taken for addresses.
pub fn ipv6(s: &str) -> bool {
    if s.parse::<std::net::Ipv6Addr>().is_err() {
        return false;
    }
    let groups = s.split(':').filter(|g| !g.is_empty()).count();
    groups >= 3 || (s.contains("::") && groups >= 2 && s.len() >= 6)
}

/// Latitude/longitude pair (either order) with at least four decimals, in range.
pub fn geo(s: &str) -> bool {
    let Some((a, b)) = s.split_once([',', '，']) else {
        return false;
    };
    let (Ok(a), Ok(b)) = (a.trim().parse::<f64>(), b.trim().parse::<f64>()) else {
        return false;
    };
    let lat_lng = a.abs() <= 90.0 && b.abs() <= 180.0;
    let lng_lat = b.abs() <= 90.0 && a.abs() <= 180.0;
    (lat_lng || lng_lat) && !(a == 0.0 && b == 0.0)
}

/// Vehicle plate: province abbreviation, issuing-authority letter, five characters (ordinary) or
/// six with D/F at the start or end (new energy).
pub fn license_plate(s: &str) -> bool {
    // The body is at most six characters: a seventh makes it no plate at all.
    let mut body = [0u8; 6];
    let mut len = 0;
    for c in s.chars().skip(2).filter(char::is_ascii_alphanumeric) {
        let Some(slot) = body.get_mut(len) else {
            return false;
        };
        *slot = c as u8;
        len += 1;
    }
    let b = &body[..len];
    let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
    match len {
        5 => digits >= 2,
        6 => (matches!(b[0], b'D' | b'F') || matches!(b[5], b'D' | b'F')) && digits >= 4,
        _ => false,
    }
}

/// An address must carry a street-level element: a road or street with a number, a building or
/// room, or a named road under a district or county (浙江省杭州市西湖区文一西路). A bare district
/// name is not a detailed address.
pub fn address(s: &str) -> bool {
    // One pass over the characters for the single-character tests.
    let (mut n, mut numbered, mut street, mut district, mut cities) = (0, false, false, false, 0);
    for c in s.chars() {
        n += 1;
        match c {
            '0'..='9' | '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十' => {
                numbered = true
            }
            '路' | '街' | '道' | '巷' | '弄' | '村' | '号' | '镇' | '乡' | '里' => {
                street = true
            }
            '区' | '县' | '旗' => district = true,
            '市' => cities += 1,
            _ => {}
        }
    }
    let street = street || s.contains("胡同") || s.contains("社区");
    // Without a number, the value must end with the road and name the district or county (or
    // a county-level city under a city) before it.
    let district = district || cities >= 2;
    let ends_on_road = ["路", "街", "道", "巷", "胡同"]
        .iter()
        .any(|k| s.ends_with(k));
    (6..=80).contains(&n)
        && street
        && (numbered || (district && ends_on_road && !s.ends_with("街道")))
}

/// Organisation name: a name body of at least two characters before the suffix.
pub fn company(s: &str) -> bool {
    let n = s.chars().count();
    (4..=60).contains(&n) && !s.chars().all(|c| c.is_ascii_digit())
}

/// Characters that do not occur in given names but do in common words that follow a surname-like
/// character (本公司, 王府井, 张家口…); their presence rejects a name candidate. (元 is not one
/// of them: 王元 and 元嘉 are common names, and amounts in 元 do not follow a surname.)
const NOT_IN_NAMES: &str = "省市区县路街号楼室栋单公司店厂部处科局院村镇乡府的了是在与及或等个们这那无不已未被把对从向于所者也都就还而但并且如果因此所以件次份码箱证卡机电话";

/// Role words that begin with a surname character (查勘员, 司机, 万元…): never names themselves.
const NOT_NAMES: &[&str] = &[
    "查勘员",
    "司机",
    "骑手",
    "业主",
    "会员",
    "员工",
    "经理",
    "老师",
    "医生",
    "护士",
    "律师",
    "主任",
    "同事",
    "朋友",
    "家属",
    "代表",
    "联系人",
    "收件人",
    "寄件人",
    "负责人",
    "经办人",
    "法人",
    "买家",
    "卖家",
    "房东",
    "租客",
    "学生",
    "家长",
    "司法",
    "管理员",
    "客服",
    "文员",
    "于是",
    "万元",
    "高速",
    // Role words of the built-in `role` list that begin with a surname character. At a line
    // start before a colon (申请人：张三) they have the shape of a chat speaker's name.
    "申请人",
    "申请方",
    "申报人",
    "申诉人",
    "付款人",
    "付款方",
    "来访人",
    "法人代表",
    "车主",
    "原告",
    "爱人",
    "母亲",
    "通知",
    "居民",
    // People named by their post, not by name (签收人：门卫).
    "门卫",
    "保安",
    "保洁",
    "前台",
    "游客",
    "司仪",
    // Common words that begin with a surname character and stand alone on a line or in a cell:
    // a letter's sign-off (此致 / 敬礼), a one-word table cell or reply.
    "敬礼",
    "祝好",
    "谢谢",
    "安好",
    "商祺",
    "平安",
    "顺利",
    "高兴",
    "万一",
    "马上",
    "方案",
    "方法",
    "方式",
    "方面",
    "白天",
    "程序",
    "常规",
    "常见",
    "常用",
    "石油",
    "宋体",
    "华为",
    "韩国",
    "杨梅",
    "钟表",
    "时间",
    "明天",
    "明细",
    "全部",
    "全体",
    "金额",
    "余额",
    "费用",
    "周末",
    "周一",
    "周二",
    "周三",
    "周四",
    "周五",
    "周六",
    "周日",
    "项目",
    "文件",
    "单位",
    "成功",
    "和平",
];

/// [`NOT_NAMES`] as a set: every name candidate is looked up in it.
fn not_names() -> &'static FxHashSet<&'static str> {
    static SET: std::sync::OnceLock<FxHashSet<&'static str>> = std::sync::OnceLock::new();
    SET.get_or_init(|| NOT_NAMES.iter().copied().collect())
}

/// Whether `c` is one of [`NOT_IN_NAMES`]. A search of the string for a CJK character stops at
/// every third byte (its last byte is a continuation byte, like every third byte there); a
/// binary search of the sorted characters takes seven comparisons.
fn not_in_names(c: char) -> bool {
    static SORTED: std::sync::OnceLock<Vec<char>> = std::sync::OnceLock::new();
    SORTED
        .get_or_init(|| {
            let mut v: Vec<char> = NOT_IN_NAMES.chars().collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .binary_search(&c)
        .is_ok()
}

/// Chinese personal name (surname + one or two characters, or a compound surname + one or two),
/// or a romanised name. Romanised names are a weak signal on their own.
pub fn person_name(s: &str) -> Option<f32> {
    let s = s.trim();
    if s.is_ascii() {
        let words = s.split([' ', '·']).filter(|w| !w.is_empty()).count();
        return (2..=3).contains(&words).then_some(0.55);
    }
    // The byte offsets of the first characters: a name has two to four, all Han.
    let mut ends = [0usize; 4];
    let mut count = 0;
    for (i, c) in s.char_indices() {
        if count == 4 || !is_han(c) {
            return None;
        }
        ends[count] = i + c.len_utf8();
        count += 1;
    }
    if count < 2 || data::is_place_name(s) || not_names().contains(s) {
        return None;
    }
    // The surname's length in characters, and the weight of the reading.
    let (sur, weight) = if count >= 3 && data::is_surname(&s[..ends[1]]) {
        (2, 1.0)
    } else if data::is_surname(&s[..ends[0]]) {
        (1, if count == 4 { 0.5 } else { 1.0 })
    } else {
        return None;
    };
    let given = &s[ends[sur - 1]..];
    let given_len = count - sur;
    if given_len == 0 || given_len > 2 || given.chars().any(not_in_names) {
        return None;
    }
    Some(weight)
}

/// Whether `c` is a CJK ideograph (the common and extension-A blocks).
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// A birth date that exists, is not in the future and is no more than 130 years ago.
pub fn birth_date(s: &str, today: Date) -> bool {
    let nums: Vec<u32> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    let (y, m, d) = match nums.as_slice() {
        [ymd] if *ymd >= 10_000_000 => (ymd / 10_000, ymd / 100 % 100, ymd % 100),
        [y, m, d, ..] => (*y, *m, *d),
        _ => return false,
    };
    Date::checked(y, m, d)
        .is_some_and(|date| date <= today && u32::from(today.year).saturating_sub(y) <= 130)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: Date = Date::new(2026, 11, 22);

    #[test]
    fn check_characters() {
        assert_eq!(resident_check_char(b"11010519491231002"), b'X');
        assert_eq!(luhn_check_digit(b"7992739871"), b'3');
        assert_eq!(vin_check_char(b"1M8GDM9AXKP042788"), b'X');
        assert_eq!(uscc_check_char(b"91350100M000100Y4"), b'3');
        assert_eq!(org_code_check_char(b"M000100Y"), b'4');
    }

    #[test]
    fn addresses_need_a_street_level_element() {
        assert!(address("广东省深圳市宝安区金水路12号"));
        // A named road under a district or a county-level city needs no number.
        assert!(address("浙江省杭州市西湖区文一西路"));
        assert!(address("福建省泉州市石狮市科技园南路"));
        // A district, a road alone or a sub-district office is not a detailed address.
        assert!(!address("北京市朝阳区"));
        assert!(!address("广东省深圳市金水路"));
        assert!(!address("北京市朝阳区建国门街道"));
        assert!(!address("北京市朝阳区建国路上的那家店"));
    }

    #[test]
    fn resident_id_checks_char_date_and_region() {
        let id = anshu_testkit::with_resident_check("11010519491231002");
        assert_eq!(id, "11010519491231002X");
        assert!(resident_id(&id, TODAY).is_some());
        assert!(resident_id(&id.to_lowercase(), TODAY).is_some());
        // Wrong check character.
        assert!(resident_id("110105194912310021", TODAY).is_none());
        // Abolished region code (崇文区) is still valid.
        assert!(resident_id(
            &anshu_testkit::with_resident_check("11010319800101001"),
            TODAY
        )
        .is_some());
        // Unknown region code.
        assert!(resident_id(
            &anshu_testkit::with_resident_check("99010119800101001"),
            TODAY
        )
        .is_none());
        // February 30th does not exist.
        assert!(resident_id(
            &anshu_testkit::with_resident_check("11010519800230001"),
            TODAY
        )
        .is_none());
        // Born in the future.
        assert!(resident_id(
            &anshu_testkit::with_resident_check("11010520300101001"),
            TODAY
        )
        .is_none());
        // Legacy 15-digit form.
        assert!(resident_id("110105491231002", TODAY).is_some());
        assert!(resident_id("110105491331002", TODAY).is_none());
    }

    #[test]
    fn uscc_and_org_code() {
        // Published example codes with valid GB 32100 and GB 11714 checks.
        assert!(uscc("91350100M000100Y43"));
        assert!(uscc("91110108551385082Q"));
        assert!(!uscc("91350100M000100Y44"));
        assert!(!uscc("91990100M000100Y43"));
        assert!(org_code(b"M000100Y4"));
    }

    #[test]
    fn cards_imei_vin() {
        assert!(bank_card("6222021234567890128").is_some() || !luhn_digits("6222021234567890128"));
        assert!(bank_card("4111111111111111").is_some());
        assert!(bank_card("4111 1111 1111 1111").is_some());
        assert!(bank_card("4111111111111112").is_none());
        // Luhn-valid but no issuer uses the 50 prefix at this length.
        assert!(bank_card("5032821856527670").is_none() || luhn_digits("5032821856527670"));
        assert!(imei("490154203237518"));
        assert!(!imei("490154203237519"));
        assert!(vin("1M8GDM9AXKP042788"));
        // An SF waybill number that happens to pass the check digit has an impossible year.
        assert!(!vin("SF901998617997537"));
        assert!(bank_card("6013825604404553074").is_some() || !luhn_digits("6013825604404553074"));
        assert!(!vin("1M8GDM9A1KP042788"));
        assert!(!vin("11111111111111111"));
    }

    #[test]
    fn phones() {
        assert!(mobile("13800138000"));
        assert!(mobile("+86 138 0013 8000"));
        assert!(mobile("138-0013-8000"));
        assert!(!mobile("12800138000"));
        assert!(!mobile("1380-013-8000"));
        assert!(landline("010-82803238"));
        assert!(landline("02727203130"));
        assert!(landline("08716622688"));
        assert!(landline("0755-82168275"));
        assert!(landline("075549395267"));
        assert!(!landline("0755-02168275"));
        assert!(!landline("01012345678"));
        assert!(landline("076978618323-9888"));
    }

    #[test]
    fn network_and_geo() {
        assert!(ipv4("64.214.76.39"));
        assert!(!ipv4("0.0.0.0"));
        assert!(!ipv4("1.2.3"));
        assert!(!ipv4("1.2.3.4.5"));
        assert!(!ipv4("1..2.3"));
        assert!(!ipv4("1.2.3.1000"));
        assert!(!ipv4("1.2.3.-4"));
        assert!(ipv4("255.255.255.255"));
        assert!(ipv4("0.0.0.1"));
        assert!(!ipv4("256.1.1.1"));
        assert!(!ipv4("01.2.3.4"));
        assert!(ipv6("1da5:64c6:69d:3837:7097:fca0:ec44:8052"));
        assert!(ipv6("fe80::1:2"));
        assert!(!ipv6("12:30"));
        assert!(mac("AE-5D-9E-9B-D2-AC"));
        assert!(!mac("00:00:00:00:00:00"));
        assert!(geo("22.832063,93.888352"));
        assert!(geo("116.397128,39.916527"));
        assert!(!geo("95.1234,200.1234"));
        assert!(email("tuht9910@corp.com.cn"));
        assert!(!email("a@b"));
    }

    #[test]
    fn names_plates_dates() {
        assert!(person_name("张三").is_some());
        assert!(person_name("欧阳艳怡").is_some());
        assert!(person_name("江西省").is_none());
        assert!(person_name("已支付").is_none());
        assert!(license_plate("湘G5N410"));
        assert!(license_plate("粤BD12345"));
        assert!(!license_plate("京ABCDE"));
        assert!(birth_date("1990-03-07", TODAY));
        assert!(birth_date("19900307", TODAY));
        assert!(!birth_date("2030-01-01", TODAY));
        assert!(!birth_date("1990-02-30", TODAY));
        assert_eq!(Date::from_days_since_epoch(0), Date::new(1970, 1, 1));
        assert_eq!(Date::from_days_since_epoch(20_414), Date::new(2025, 11, 22));
    }

    #[test]
    fn not_in_names_holds_exactly_the_listed_characters() {
        for c in NOT_IN_NAMES.chars() {
            assert!(not_in_names(c), "{c}");
        }
        for c in ['伟', '芳', '明', 'a', '0', '\u{20000}'] {
            assert!(!not_in_names(c), "{c}");
        }
        assert_eq!(person_name("王公"), None);
        assert_eq!(person_name("王伟"), Some(1.0));
    }

    /// The IPv4 check as it was first written, on `split` and `parse`: the definition the
    /// byte loop must keep.
    fn ipv4_by_parts(s: &str) -> bool {
        let mut count = 0;
        let mut all_zero = true;
        for p in s.split('.') {
            let ok = !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|c| c.is_ascii_digit())
                && !(p.len() > 1 && p.starts_with('0'))
                && p.parse::<u16>().is_ok_and(|v| v <= 255);
            if !ok {
                return false;
            }
            count += 1;
            all_zero &= p == "0";
        }
        count == 4 && !all_zero
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]
        #[test]
        fn ipv4_agrees_with_its_definition(s in "[0-9.]{0,18}|[0-9]{1,4}(\\.[0-9+\\-a ]{0,4}){2,4}|.{0,12}") {
            proptest::prop_assert_eq!(ipv4(&s), ipv4_by_parts(&s), "{:?}", s);
        }

        /// Dotted numbers near the limits: parts around 255, with leading zeros, three to
        /// five of them.
        #[test]
        fn ipv4_agrees_on_dotted_numbers(
            parts in proptest::collection::vec((0u32..300, proptest::bool::weighted(0.1)), 3..6),
        ) {
            let s = parts
                .iter()
                .map(|(v, zero)| if *zero { format!("0{v}") } else { v.to_string() })
                .collect::<Vec<_>>()
                .join(".");
            proptest::prop_assert_eq!(ipv4(&s), ipv4_by_parts(&s), "{:?}", s);
        }
    }
}
