//! The masking methods, each a [`Masker`], and the keys they derive.

use std::sync::Arc;

use anshu_detect::{validate, Date};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::cipher::{Block128, CipherName};
use crate::ff1::Ff1;
use crate::key::MaskKey;
use crate::shape;
use crate::substitute;
use crate::MaskError;

/// What a value is, as far as the masker needs to know.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// The detected type (`cn_mobile`…), or `""` when unknown.
    pub type_id: &'a str,
    /// A value identifying the person the row is about (for date shifts per person).
    pub person: Option<&'a str>,
}

/// A de-identification method.
pub trait Masker: Send + Sync {
    /// The method's name as policies and records write it.
    fn method(&self) -> &'static str;
    /// Masks one value. Errors mean the value does not fit the method (not a date, too short
    /// for FF1); callers fall back to redaction and count it.
    fn mask(&self, value: &str, ctx: &Ctx) -> Result<String, MaskError>;
    /// A column-level step over a block of values already masked (shuffling); most methods have
    /// none.
    fn block(&self, _values: &mut [&mut String], _block_index: u64) {}
    /// Whether the method by design leaves input values readable (`keep`, `shuffle`):
    /// verification lists these instead of failing on them.
    fn keeps_values(&self) -> bool {
        false
    }
}

/// The keyed material of every method, derived once from a [`MaskKey`].
pub struct Keys {
    pub(crate) key_id: String,
    pub(crate) substitute: Block128,
    pub(crate) ff1_aes: Block128,
    pub(crate) ff1_sm4: Block128,
    pub(crate) hmac_sha256: [u8; 32],
    pub(crate) hmac_sm3: [u8; 32],
    pub(crate) token: [u8; 32],
    pub(crate) pick: [u8; 32],
    pub(crate) shift: [u8; 32],
    pub(crate) noise: [u8; 32],
    pub(crate) shuffle: [u8; 32],
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keys({}, redacted)", self.key_id)
    }
}

impl Keys {
    pub fn new(key: &MaskKey) -> Result<Keys, MaskError> {
        Ok(Keys {
            key_id: key.id().to_owned(),
            substitute: Block128::aes(&key.derive("substitute")[..16])?,
            ff1_aes: Block128::aes(&key.derive("ff1-aes"))?,
            ff1_sm4: Block128::sm4(&key.derive("ff1-sm4")[..16])?,
            hmac_sha256: key.derive("hmac-sha256"),
            hmac_sm3: key.derive("hmac-sm3"),
            token: key.derive("token"),
            pick: key.derive("pick"),
            shift: key.derive("date-shift"),
            noise: key.derive("noise"),
            shuffle: key.derive("shuffle"),
        })
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }
}

/// HMAC-SHA-256 of the parts, each length-prefixed so that ("ab","c") ≠ ("a","bc"). Every keyed
/// derivation in Anshu (masking subkeys' uses, recipient marks) goes through this one function.
pub fn prf(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    for p in parts {
        mac.update(&(p.len() as u32).to_be_bytes());
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

pub(crate) fn prf_u64(key: &[u8; 32], parts: &[&[u8]]) -> u64 {
    let d = prf(key, parts);
    u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

/// The canonical form of a value for keyed methods, so `138 0013 8000` and `+86 13800138000`
/// hash, tokenise and substitute alike and joins survive formatting differences.
pub fn canonical(type_id: &str, value: &str) -> String {
    let v = value.trim();
    match type_id {
        "cn_mobile" => {
            let d: String = v.chars().filter(char::is_ascii_digit).collect();
            d.get(d.len().saturating_sub(11)..).unwrap_or(&d).to_owned()
        }
        "bank_card" | "imei" => v.chars().filter(char::is_ascii_digit).collect(),
        "cn_resident_id" | "vin" | "cn_uscc" | "cn_passport" | "cn_hk_macau_permit"
        | "cn_taiwan_permit" | "cn_license_plate" | "mac_address" => v
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | ':' | '·'))
            .collect::<String>()
            .to_uppercase(),
        "email" => v.to_lowercase(),
        _ => v.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------------

/// Leaves values as they are.
pub struct Keep;

impl Masker for Keep {
    fn method(&self) -> &'static str {
        "keep"
    }
    fn mask(&self, value: &str, _: &Ctx) -> Result<String, MaskError> {
        Ok(value.to_owned())
    }
    fn keeps_values(&self) -> bool {
        true
    }
}

/// Keeps the first and last characters and masks the rest; without explicit counts, the
/// per-type presets (`110101********1234`, `138****8000`, `张*`, `6222 **** **** 1234`, an
/// address cut to its district).
pub struct Partial {
    pub keep_first: Option<usize>,
    pub keep_last: Option<usize>,
    pub mask_char: char,
}

impl Masker for Partial {
    fn method(&self) -> &'static str {
        "partial"
    }
    fn mask(&self, value: &str, ctx: &Ctx) -> Result<String, MaskError> {
        let m = self.mask_char;
        if self.keep_first.is_some() || self.keep_last.is_some() {
            return Ok(keep_ends(
                value,
                self.keep_first.unwrap_or(0),
                self.keep_last.unwrap_or(0),
                m,
            ));
        }
        Ok(match ctx.type_id {
            "cn_resident_id" => keep_ends(value, 6, 4, m),
            "cn_mobile" => mask_digits(value, 3, 4, m),
            "cn_landline" => {
                let n = value.chars().count();
                keep_ends(value, n.saturating_sub(4).min(4), 2, m)
            }
            "person_name" => {
                let mut it = value.chars();
                let first: String = it.next().into_iter().collect();
                let rest = it.count().max(1);
                format!("{first}{}", m.to_string().repeat(rest))
            }
            "bank_card" => {
                let d: Vec<char> = value.chars().filter(char::is_ascii_digit).collect();
                let n = d.len();
                let mut out = String::new();
                for (i, c) in d.iter().enumerate() {
                    if i > 0 && i % 4 == 0 {
                        out.push(' ');
                    }
                    out.push(if i < 4 || i + 4 >= n { *c } else { m });
                }
                out
            }
            "address" => match shape::cut_to_district(value) {
                Some(head) if head.len() < value.len() => {
                    format!("{head}{}", m.to_string().repeat(4))
                }
                _ => keep_ends(value, value.chars().count().min(12) / 2, 0, m),
            },
            "email" => match value.split_once('@') {
                Some((local, domain)) => {
                    let first: String = local.chars().take(1).collect();
                    format!("{first}{}@{domain}", m.to_string().repeat(3))
                }
                None => keep_ends(value, 1, 0, m),
            },
            "ipv4" => match value.split_once('.') {
                Some((a, rest)) => {
                    let dots = rest.matches('.').count();
                    format!("{a}{}", format!(".{m}").repeat(dots + 1))
                }
                None => keep_ends(value, 2, 0, m),
            },
            "birth_date" => keep_ends(value, 4, 0, m),
            _ => {
                let n = value.chars().count();
                keep_ends(value, (n / 4).min(4), (n / 4).min(4), m)
            }
        })
    }
}

/// Keeps `head` and `tail` characters; separators in between stay as written.
pub fn keep_ends(value: &str, head: usize, tail: usize, m: char) -> String {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    if n <= head + tail {
        return m.to_string().repeat(n.max(1));
    }
    let mut s: String = chars[..head].iter().collect();
    for c in &chars[head..n - tail] {
        s.push(if matches!(c, ' ' | '-' | '.' | '@' | ':' | '/') {
            *c
        } else {
            m
        });
    }
    s.extend(&chars[n - tail..]);
    s
}

/// Masks the digits of a mobile number except `head` and `tail` of its last 11 digits; a
/// `+86` prefix and separators stay.
fn mask_digits(value: &str, head: usize, tail: usize, m: char) -> String {
    let total = value.chars().filter(char::is_ascii_digit).count();
    let start = total.saturating_sub(11);
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if !c.is_ascii_digit() {
                return c;
            }
            let i = seen;
            seen += 1;
            if i < start || i - start < head || i + tail >= total {
                c
            } else {
                m
            }
        })
        .collect()
}

/// Replaces every character with the mask character (length kept) or with a constant.
pub struct Redact {
    pub constant: Option<String>,
    pub mask_char: char,
}

impl Masker for Redact {
    fn method(&self) -> &'static str {
        if self.constant.is_some() {
            "constant"
        } else {
            "redact"
        }
    }
    fn mask(&self, value: &str, _: &Ctx) -> Result<String, MaskError> {
        Ok(match &self.constant {
            Some(c) => c.clone(),
            None => self
                .mask_char
                .to_string()
                .repeat(value.chars().count().max(1)),
        })
    }
}

/// Which keyed hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub enum HashAlgorithm {
    #[serde(rename = "hmac-sm3")]
    HmacSm3,
    #[serde(rename = "hmac-sha256")]
    HmacSha256,
}

/// A keyed hash in lowercase hex, truncated to `length` digits. Never unkeyed: a plain hash of a
/// phone number is reversed by enumerating 10^8 numbers.
pub struct KeyedHash {
    pub keys: Arc<Keys>,
    pub algorithm: HashAlgorithm,
    pub length: usize,
}

impl Masker for KeyedHash {
    fn method(&self) -> &'static str {
        match self.algorithm {
            HashAlgorithm::HmacSm3 => "hash-hmac-sm3",
            HashAlgorithm::HmacSha256 => "hash-hmac-sha256",
        }
    }
    fn mask(&self, value: &str, ctx: &Ctx) -> Result<String, MaskError> {
        let v = canonical(ctx.type_id, value);
        let digest: Vec<u8> = match self.algorithm {
            HashAlgorithm::HmacSm3 => {
                let mut mac = <Hmac<sm3::Sm3> as Mac>::new_from_slice(&self.keys.hmac_sm3)
                    .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
                mac.update(v.as_bytes());
                mac.finalize().into_bytes().to_vec()
            }
            HashAlgorithm::HmacSha256 => {
                let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.keys.hmac_sha256)
                    .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
                mac.update(v.as_bytes());
                mac.finalize().into_bytes().to_vec()
            }
        };
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        Ok(hex[..self.length.min(hex.len())].to_owned())
    }
}

/// A stable pseudonym: a prefix and 12 base-32 characters of a keyed hash (60 bits).
pub struct Token {
    pub keys: Arc<Keys>,
    pub prefix: Option<String>,
}

const BASE32: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

impl Masker for Token {
    fn method(&self) -> &'static str {
        "token"
    }
    fn mask(&self, value: &str, ctx: &Ctx) -> Result<String, MaskError> {
        let v = canonical(ctx.type_id, value);
        let d = prf(&self.keys.token, &[v.as_bytes()]);
        let mut bits = u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]);
        let mut body = String::with_capacity(12);
        for _ in 0..12 {
            body.push(BASE32[(bits & 31) as usize] as char);
            bits >>= 5;
        }
        let prefix = self.prefix.clone().unwrap_or_else(|| {
            match ctx.type_id {
                "person_name" => "NAME",
                "cn_mobile" | "cn_landline" => "TEL",
                "cn_resident_id" => "PID",
                "bank_card" => "CARD",
                "email" => "MAIL",
                "address" => "ADDR",
                _ => "TKN",
            }
            .to_owned()
                + "_"
        });
        Ok(format!("{prefix}{body}"))
    }
}

/// FF1 over AES or SM4: digits stay digits, letters stay letters of the same case, everything
/// else stays in place; resident IDs and Luhn-checked numbers get a recomputed check character
/// so the result still passes format checks. Reversible with the key ([`Fpe::reveal`]).
pub struct Fpe {
    pub keys: Arc<Keys>,
    pub cipher: CipherName,
}

#[derive(Clone, Copy)]
enum CheckKind {
    Resident,
    Luhn,
}

const DIGITS: &[u8] = b"0123456789";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";

impl Fpe {
    fn ff1(&self, radix: u32) -> Result<Ff1, MaskError> {
        let c = match self.cipher {
            CipherName::Aes => self.keys.ff1_aes.clone(),
            CipherName::Sm4 => self.keys.ff1_sm4.clone(),
        };
        Ff1::new(c, radix)
    }

    /// Digits, upper-case and lower-case letters are encrypted as three numeral strings, each in
    /// its own alphabet, so every position keeps its class. A class too small for NIST's minimum
    /// domain (fewer than 6 digits, 5 letters) stays as written; a value where no class is large
    /// enough is refused.
    fn run(&self, value: &str, ctx: &Ctx, encrypt: bool) -> Result<String, MaskError> {
        let mut chars: Vec<char> = value.chars().collect();
        let alnum: Vec<usize> = (0..chars.len())
            .filter(|&i| chars[i].is_ascii_alphanumeric())
            .collect();
        let all_digits = alnum.iter().all(|&i| chars[i].is_ascii_digit());
        let check = match ctx.type_id {
            "cn_resident_id" if alnum.len() == 18 => Some(CheckKind::Resident),
            "bank_card" | "imei" if all_digits && alnum.len() >= 7 => Some(CheckKind::Luhn),
            _ => None,
        };
        let check_at = if check.is_some() {
            alnum.last().copied()
        } else {
            None
        };
        let mut done = 0;
        let mut last_err = None;
        for (tag, alphabet) in [(b'd', DIGITS), (b'u', UPPER), (b'l', LOWER)] {
            let pos: Vec<usize> = alnum
                .iter()
                .copied()
                .filter(|&i| Some(i) != check_at && alphabet.contains(&(chars[i] as u8)))
                .collect();
            if pos.is_empty() {
                continue;
            }
            let x: Vec<u16> = pos
                .iter()
                .map(|&i| {
                    alphabet
                        .iter()
                        .position(|&a| a as char == chars[i])
                        .unwrap_or(0) as u16
                })
                .collect();
            let f = self.ff1(alphabet.len() as u32)?;
            let y = if encrypt {
                f.encrypt_long(&x, &[tag])
            } else {
                f.decrypt_long(&x, &[tag])
            };
            match y {
                Ok(y) => {
                    for (&i, d) in pos.iter().zip(y) {
                        chars[i] = alphabet[usize::from(d)] as char;
                    }
                    done += 1;
                }
                Err(e) => last_err = Some(e),
            }
        }
        if done == 0 {
            return Err(last_err
                .unwrap_or_else(|| MaskError::Domain("no letters or digits to encrypt".into())));
        }
        if let (Some(kind), Some(at)) = (check, check_at) {
            let body: Vec<u8> = chars[..at]
                .iter()
                .filter(|c| c.is_ascii_digit())
                .map(|c| *c as u8)
                .collect();
            chars[at] = match kind {
                CheckKind::Resident => validate::resident_check_char(&body) as char,
                CheckKind::Luhn => validate::luhn_check_digit(&body) as char,
            };
        }
        Ok(chars.into_iter().collect())
    }

    /// Decrypts a value this masker produced, with the same type.
    pub fn reveal(&self, value: &str, ctx: &Ctx) -> Result<String, MaskError> {
        self.run(value, ctx, false)
    }
}

impl Masker for Fpe {
    fn method(&self) -> &'static str {
        match self.cipher {
            CipherName::Aes => "fpe-ff1-aes",
            CipherName::Sm4 => "fpe-ff1-sm4",
        }
    }
    fn mask(&self, value: &str, ctx: &Ctx) -> Result<String, MaskError> {
        self.run(value, ctx, true)
    }
}

/// How substitution treats the birth date inside a resident ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BirthMode {
    /// Keep the birth date; only the sequence number changes (distinct IDs stay distinct).
    #[default]
    Keep,
    /// Move the birth date by a keyed number of days within `shift_days`.
    Shift,
}

/// A fake but valid value of the same type, the same for the same input.
pub struct Substitute {
    pub keys: Arc<Keys>,
    pub keep_region: bool,
    pub birth: BirthMode,
    pub shift_days: u32,
}

impl Masker for Substitute {
    fn method(&self) -> &'static str {
        "substitute"
    }
    fn mask(&self, value: &str, ctx: &Ctx) -> Result<String, MaskError> {
        substitute::substitute(self, value, ctx.type_id)
    }
}

/// What generalisation keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// A date becomes its year.
    Year,
    /// A date becomes an age band (`30-39`) as of the run's reference date.
    AgeBand,
    /// An address becomes its city (prefecture level).
    City,
    /// An address becomes its district (county level).
    District,
    /// Numbers keep `decimals` decimal places (coordinates: 2 decimals ≈ 1 km).
    Decimals,
    /// A number becomes the bucket of `width` it falls in (`30-39`).
    Bucket,
}

/// Generalisation: less precision, same meaning.
pub struct Generalise {
    pub level: Level,
    pub decimals: usize,
    pub width: f64,
    pub today: Date,
}

impl Masker for Generalise {
    fn method(&self) -> &'static str {
        "generalise"
    }
    fn mask(&self, value: &str, ctx: &Ctx) -> Result<String, MaskError> {
        let not = |what: &str| MaskError::Value(format!("not {what}"));
        match self.level {
            Level::Year => birth_of(value, ctx)
                .map(|d| format!("{:04}", d.year))
                .ok_or_else(|| not("a date")),
            Level::AgeBand => {
                let d = birth_of(value, ctx).ok_or_else(|| not("a date"))?;
                let mut age = i64::from(self.today.year) - i64::from(d.year);
                if (self.today.month, self.today.day) < (d.month, d.day) {
                    age -= 1;
                }
                let w = (self.width.max(1.0)) as i64;
                let lo = age.max(0) / w * w;
                Ok(format!("{lo}-{}", lo + w - 1))
            }
            Level::City => shape::cut_to_city(value)
                .map(str::to_owned)
                .ok_or_else(|| not("an address with a city")),
            Level::District => shape::cut_to_district(value)
                .map(str::to_owned)
                .ok_or_else(|| not("an address with a district")),
            Level::Decimals => {
                let out = map_numbers(value, |int, frac| {
                    let keep = &frac[..frac.len().min(self.decimals)];
                    if keep.is_empty() {
                        int.to_owned()
                    } else {
                        format!("{int}.{keep}")
                    }
                });
                if out == value {
                    Err(not("a number with more decimals"))
                } else {
                    Ok(out)
                }
            }
            Level::Bucket => {
                let x: f64 = value.trim().parse().map_err(|_| not("a number"))?;
                let w = if self.width > 0.0 { self.width } else { 10.0 };
                let lo = (x / w).floor() * w;
                if w.fract() == 0.0 && lo.fract() == 0.0 {
                    Ok(format!("{}-{}", lo as i64, (lo + w) as i64 - 1))
                } else {
                    Ok(format!("{lo}-{}", lo + w))
                }
            }
        }
    }
}

/// The birth date in a value: a date, or the one inside a resident ID.
fn birth_of(value: &str, ctx: &Ctx) -> Option<Date> {
    let v = value.trim();
    if ctx.type_id == "cn_resident_id" && v.len() == 18 {
        // `get`: eighteen bytes need not be eighteen characters.
        return shape::parse_date(v.get(6..14)?).map(|w| w.date);
    }
    shape::parse_date(v).map(|w| w.date)
}

/// Rewrites each decimal number `int.frac` in `s`.
fn map_numbers(s: &str, f: impl Fn(&str, &str) -> String) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
                let int_end = i;
                i += 1;
                let fs = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                out.push_str(&f(&s[start..int_end], &s[fs..i]));
            } else {
                out.push_str(&s[start..i]);
            }
        } else {
            let c = s[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8().max(1);
        }
    }
    out
}

/// Moves dates by a keyed number of days (never zero) within `max_days`, the same for every date
/// of one person, so intervals between a person's dates survive.
pub struct DateShift {
    pub keys: Arc<Keys>,
    pub max_days: u32,
}

impl DateShift {
    pub(crate) fn offset(keys: &Keys, who: &str, max_days: u32) -> i64 {
        let max = i64::from(max_days.max(1));
        let r = prf_u64(&keys.shift, &[who.as_bytes()]);
        // 2·max non-zero offsets: −max..=−1 and 1..=max.
        let k = (r % (2 * max as u64)) as i64;
        if k < max {
            k - max
        } else {
            k - max + 1
        }
    }
}

impl Masker for DateShift {
    fn method(&self) -> &'static str {
        "date_shift"
    }
    fn mask(&self, value: &str, ctx: &Ctx) -> Result<String, MaskError> {
        let w = shape::parse_date(value).ok_or_else(|| MaskError::Value("not a date".into()))?;
        let who = ctx.person.unwrap_or(value);
        let d = shape::days(w.date) + Self::offset(&self.keys, who, self.max_days);
        Ok(w.with(Date::from_days_since_epoch(d)))
    }
}

/// Multiplies numbers by a keyed factor within ±`relative`, keeping their decimals; the factor
/// depends on the value, so the same input gets the same noise and averages stay close.
pub struct Noise {
    pub keys: Arc<Keys>,
    pub relative: f64,
}

impl Masker for Noise {
    fn method(&self) -> &'static str {
        "noise"
    }
    fn mask(&self, value: &str, _: &Ctx) -> Result<String, MaskError> {
        let t = value.trim();
        let x: f64 = t
            .parse()
            .map_err(|_| MaskError::Value("not a number".into()))?;
        if !x.is_finite() {
            return Err(MaskError::Value("not a finite number".into()));
        }
        let decimals = t.split_once('.').map(|(_, f)| f.len()).unwrap_or(0);
        let r = prf_u64(&self.keys.noise, &[t.as_bytes()]);
        let u = (r >> 11) as f64 / (1u64 << 53) as f64; // uniform in [0, 1)
        let eps = (2.0 * u - 1.0) * self.relative.abs();
        let unit = 10f64.powi(-(decimals as i32));
        let mut y = x * (1.0 + eps);
        y = (y / unit).round() * unit;
        if (y - x).abs() < unit / 2.0 {
            // Noise smaller than the last digit would leave the value as it was.
            y = x + if eps < 0.0 { -unit } else { unit };
        }
        Ok(format!("{y:.decimals$}"))
    }
}

/// Shuffles a column within blocks of rows: the values stay, their rows change. It breaks the
/// link between a value and the rest of its row, not the value itself.
pub struct Shuffle {
    pub keys: Arc<Keys>,
}

impl Masker for Shuffle {
    fn method(&self) -> &'static str {
        "shuffle"
    }
    fn mask(&self, value: &str, _: &Ctx) -> Result<String, MaskError> {
        Ok(value.to_owned())
    }
    fn block(&self, values: &mut [&mut String], block_index: u64) {
        // Fisher–Yates with a keyed stream: the same block of the same column shuffles alike.
        let n = values.len();
        for i in (1..n).rev() {
            let r = prf_u64(
                &self.keys.shuffle,
                &[&block_index.to_be_bytes(), &(i as u64).to_be_bytes()],
            );
            let j = (r % (i as u64 + 1)) as usize;
            if i != j {
                let (a, b) = values.split_at_mut(i);
                std::mem::swap(a[j], b[0]);
            }
        }
    }
    fn keeps_values(&self) -> bool {
        true
    }
}
