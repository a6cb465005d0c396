//! Declarative rules: the TOML rule file format, its validation and the merged [`RuleSet`].
//!
//! The built-in rules are one such file compiled into the binary (`rules/builtin.toml`). A user
//! file given with `--rules` may add types, replace a built-in type by reusing its id, define
//! macros and list values or patterns that are never reported (the allow-list). Every problem is
//! reported with the file name and line so that a compliance engineer can fix it without reading
//! Rust.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::data;
use crate::validate::Validator;
use crate::RuleError;

/// How a match must be delimited in running text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Boundary {
    /// No ASCII letter or digit (or a `.`/`:` joined to one) may touch either end.
    Alnum,
    /// Only the right end is checked (the match starts with a CJK character).
    Right,
    /// The pattern carries its own delimiters.
    None,
}

/// Where the values of a dictionary type come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DictionarySource {
    /// A file path, resolved relative to the rule file by the caller (the core does no I/O).
    File(String),
    /// Values listed in the rule file itself.
    Inline(Vec<String>),
}

/// One detectable data type after validation.
#[derive(Debug, Clone)]
pub struct TypeSpec {
    /// The stable identifier (see `spec/types.md`).
    pub id: String,
    /// Human name, Chinese first.
    pub name: String,
    /// Patterns for spans in running text, with macros expanded. A named group `v` marks the
    /// value inside a larger match (e.g. a name after 收件人：). A type may have several.
    pub patterns: Vec<String>,
    /// Pattern a whole cell value must match; defaults to the first text pattern.
    pub value_pattern: Option<String>,
    /// Values so unambiguous (男/女, 土家族) that a column of them is decided even for a
    /// header-required type when the header says nothing.
    pub strong_value_pattern: Option<String>,
    pub validator: Option<Validator>,
    /// Confidence of a validated match without any hint, in (0, 1].
    pub confidence: f32,
    pub hints: Vec<String>,
    pub negative_hints: Vec<String>,
    /// Whether the type is searched for in free text.
    pub text: bool,
    /// Decided only together with a header hint (e.g. `gender`).
    pub header_required: bool,
    /// Reported only with a hint, in a header or near the span in text.
    pub hint_required: bool,
    pub boundary: Boundary,
    /// Which search group the text patterns join. Patterns in one group are compiled into one
    /// automaton; keeping unlike patterns (digit runs, CJK phrases, e-mail) apart keeps each
    /// automaton small enough to run at full speed. Default `default`.
    pub group: String,
    /// Minimum share of non-empty values that must match when no header hint helps.
    pub min_ratio: Option<f32>,
    pub dictionary: Option<DictionarySource>,
    /// Dictionary values once resolved (inline values, or a file's lines loaded by the caller).
    pub dictionary_values: Vec<String>,
    /// Where the type was defined, for messages: `builtin.toml:42`.
    pub defined_at: String,
}

/// Values and patterns that are never reported, whatever type they match.
#[derive(Debug, Clone, Default)]
pub struct AllowList {
    pub values: Vec<String>,
    /// Regexes a whole value or span must match entirely to be allowed.
    pub patterns: Vec<String>,
}

/// The built-in rules merged with any user rule files.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub types: Vec<TypeSpec>,
    pub allow: AllowList,
    macros: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    macros: BTreeMap<String, String>,
    #[serde(default, rename = "type")]
    types: Vec<Spanned<RawType>>,
    #[serde(default)]
    allow: RawAllow,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawAllow {
    #[serde(default)]
    values: Vec<String>,
    #[serde(default)]
    patterns: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawType {
    id: Spanned<String>,
    name: Option<String>,
    pattern: Option<Spanned<OneOrMany>>,
    value_pattern: Option<Spanned<String>>,
    strong_value_pattern: Option<Spanned<String>>,
    validator: Option<Spanned<String>>,
    confidence: Option<Spanned<f64>>,
    #[serde(default)]
    hints: Vec<String>,
    #[serde(default)]
    negative_hints: Vec<String>,
    text: Option<bool>,
    #[serde(default)]
    header_required: bool,
    #[serde(default)]
    hint_required: bool,
    boundary: Option<Spanned<String>>,
    group: Option<String>,
    min_ratio: Option<Spanned<f64>>,
    dictionary: Option<Spanned<String>>,
    values: Option<Vec<String>>,
}

/// `pattern = '…'` or `pattern = ['…', '…']`.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

const BUILTIN: &str = include_str!("../rules/builtin.toml");
const BUILTIN_NAME: &str = "builtin.toml";

fn line_of(src: &str, offset: usize) -> usize {
    src[..offset.min(src.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// Macros generated from the reference tables.
fn generated_macros() -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    m.insert("surname".to_owned(), data::surnames().join("|"));
    let mut prov: Vec<&str> = Vec::new();
    for (full, short) in data::PROVINCES {
        prov.push(full);
        prov.push(short);
    }
    m.insert("province".to_owned(), prov.join("|"));
    m.insert("city".to_owned(), data::city_names().join("|"));
    m.insert("place".to_owned(), data::place_names().join("|"));
    m.insert("district".to_owned(), data::district_names().join("|"));
    let mut prefix = prov.clone();
    prefix.extend(data::city_names().iter().copied());
    m.insert("region_prefix".to_owned(), prefix.join("|"));
    let ethnic: Vec<&str> = data::ethnic_groups()
        .iter()
        .map(|e| e.strip_suffix('族').unwrap_or(e))
        .collect();
    m.insert("ethnic".to_owned(), ethnic.join("|"));
    m
}

impl RuleSet {
    /// The built-in rules. They are tested, so failing to parse them is a bug, not an input error.
    pub fn builtin() -> RuleSet {
        let mut set = RuleSet {
            types: Vec::new(),
            allow: AllowList::default(),
            macros: generated_macros(),
        };
        if let Err(e) = set.add_file(BUILTIN_NAME, BUILTIN) {
            // The file is a compile-time constant covered by tests; reaching this is a build defect.
            panic!("built-in rules are invalid: {e}");
        }
        set
    }

    /// An empty set with only the generated macros, for tests and for rule authors.
    pub fn empty() -> RuleSet {
        RuleSet {
            types: Vec::new(),
            allow: AllowList::default(),
            macros: generated_macros(),
        }
    }

    /// Parses a rule file and merges it: new ids are appended, a known id replaces the earlier
    /// definition in place (so its priority is kept), allow-lists are concatenated.
    pub fn add_file(&mut self, origin: &str, src: &str) -> Result<(), RuleError> {
        let raw: RawFile = toml::from_str(src).map_err(|e| {
            let line = e.span().map(|s| line_of(src, s.start)).unwrap_or(0);
            RuleError::Syntax {
                origin: origin.to_owned(),
                line,
                message: e.message().to_owned(),
            }
        })?;
        for (k, v) in raw.macros {
            self.macros.insert(k, v);
        }
        let err = |span: std::ops::Range<usize>, message: String| RuleError::Invalid {
            origin: origin.to_owned(),
            line: line_of(src, span.start),
            message,
        };
        for pat in raw.allow.patterns {
            let p = self.expand(pat.get_ref()).map_err(|m| err(pat.span(), m))?;
            check_regex(&p).map_err(|m| err(pat.span(), format!("allow pattern: {m}")))?;
            self.allow.patterns.push(p);
        }
        self.allow.values.extend(raw.allow.values);

        for spanned in raw.types {
            let at = spanned.span();
            let t = spanned.into_inner();
            let id = t.id.get_ref().clone();
            if id.is_empty()
                || !id
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
            {
                return Err(err(
                    t.id.span(),
                    format!("type id {id:?} must be lower-case letters, digits and '_'"),
                ));
            }
            let compile = |p: &Option<Spanned<String>>,
                           what: &str|
             -> Result<Option<String>, RuleError> {
                match p {
                    None => Ok(None),
                    Some(p) => {
                        let e = self.expand(p.get_ref()).map_err(|m| err(p.span(), m))?;
                        check_regex(&e)
                            .map_err(|m| err(p.span(), format!("{what} of type {id:?}: {m}")))?;
                        Ok(Some(e))
                    }
                }
            };
            let mut patterns = Vec::new();
            if let Some(p) = &t.pattern {
                let list = match p.get_ref() {
                    OneOrMany::One(x) => vec![x.clone()],
                    OneOrMany::Many(v) => v.clone(),
                };
                for x in list {
                    let spanned = Spanned::new(p.span(), x);
                    if let Some(e) = compile(&Some(spanned), "pattern")? {
                        patterns.push(e);
                    }
                }
            }
            let value_pattern = compile(&t.value_pattern, "value_pattern")?;
            let strong_value_pattern = compile(&t.strong_value_pattern, "strong_value_pattern")?;
            let validator = match &t.validator {
                None => None,
                Some(v) => Some(Validator::from_name(v.get_ref()).ok_or_else(|| {
                    err(
                        v.span(),
                        format!(
                            "unknown validator {:?}; known validators: {}",
                            v.get_ref(),
                            Validator::NAMES.join(", ")
                        ),
                    )
                })?),
            };
            let confidence = match &t.confidence {
                None => 0.8,
                Some(c) => {
                    let v = *c.get_ref();
                    if !(v > 0.0 && v <= 1.0) {
                        return Err(err(c.span(), format!("confidence {v} must be in (0, 1]")));
                    }
                    v as f32
                }
            };
            let min_ratio = match &t.min_ratio {
                None => None,
                Some(r) => {
                    let v = *r.get_ref();
                    if !(v > 0.0 && v <= 1.0) {
                        return Err(err(r.span(), format!("min_ratio {v} must be in (0, 1]")));
                    }
                    Some(v as f32)
                }
            };
            let boundary = match t
                .boundary
                .as_ref()
                .map(|b| (b.get_ref().as_str(), b.span()))
            {
                None | Some(("alnum", _)) => Boundary::Alnum,
                Some(("right", _)) => Boundary::Right,
                Some(("none", _)) => Boundary::None,
                Some((other, span)) => {
                    return Err(err(
                        span,
                        format!("boundary {other:?} must be one of \"alnum\", \"right\", \"none\""),
                    ))
                }
            };
            let dictionary = match (&t.dictionary, &t.values) {
                (Some(_), Some(_)) => {
                    return Err(err(
                        at.clone(),
                        format!("type {id:?} has both `dictionary` and `values`; use one"),
                    ))
                }
                (Some(d), None) => Some(DictionarySource::File(d.get_ref().clone())),
                (None, Some(v)) => Some(DictionarySource::Inline(v.clone())),
                (None, None) => None,
            };
            if patterns.is_empty() && value_pattern.is_none() && dictionary.is_none() {
                return Err(err(
                    at.clone(),
                    format!("type {id:?} needs a `pattern`, a `value_pattern`, `values` or a `dictionary`"),
                ));
            }
            let dictionary_values = match &dictionary {
                Some(DictionarySource::Inline(v)) => v.clone(),
                _ => Vec::new(),
            };
            let spec = TypeSpec {
                name: t.name.clone().unwrap_or_else(|| id.clone()),
                id: id.clone(),
                text: t
                    .text
                    .unwrap_or(!patterns.is_empty() || dictionary.is_some()),
                patterns,
                value_pattern,
                strong_value_pattern,
                validator,
                confidence,
                hints: t.hints.iter().map(|h| h.to_lowercase()).collect(),
                negative_hints: t.negative_hints.iter().map(|h| h.to_lowercase()).collect(),
                header_required: t.header_required,
                hint_required: t.hint_required,
                boundary,
                group: t.group.clone().unwrap_or_else(|| "default".to_owned()),
                min_ratio,
                dictionary,
                dictionary_values,
                defined_at: format!("{origin}:{}", line_of(src, at.start)),
            };
            match self.types.iter_mut().find(|x| x.id == id) {
                Some(slot) => *slot = spec,
                None => self.types.push(spec),
            }
        }
        Ok(())
    }

    /// Dictionary files still to be loaded, as `(type id, path)`.
    pub fn pending_dictionaries(&self) -> Vec<(String, String)> {
        self.types
            .iter()
            .filter_map(|t| match &t.dictionary {
                Some(DictionarySource::File(p)) if t.dictionary_values.is_empty() => {
                    Some((t.id.clone(), p.clone()))
                }
                _ => None,
            })
            .collect()
    }

    /// Supplies the contents of a dictionary file: one value per line, `#` starts a comment.
    pub fn set_dictionary(&mut self, type_id: &str, contents: &str) {
        if let Some(t) = self.types.iter_mut().find(|t| t.id == type_id) {
            t.dictionary_values = contents
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_owned)
                .collect();
        }
    }

    fn expand(&self, pattern: &str) -> Result<String, String> {
        let mut out = String::with_capacity(pattern.len());
        let mut rest = pattern;
        while let Some(i) = rest.find("{{") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let j = after
                .find("}}")
                .ok_or_else(|| "unclosed macro: '{{' without '}}'".to_owned())?;
            let name = after[..j].trim();
            let body = self.macros.get(name).ok_or_else(|| {
                format!(
                    "unknown macro {{{{{name}}}}}; defined macros: {}",
                    self.macros.keys().cloned().collect::<Vec<_>>().join(", ")
                )
            })?;
            out.push_str(body);
            rest = &after[j + 2..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

fn check_regex(p: &str) -> Result<(), String> {
    regex_syntax::ParserBuilder::new()
        .build()
        .parse(p)
        .map(|_| ())
        .map_err(|e| {
            // The default message spans several lines with a caret diagram; keep the last line,
            // which states the problem, and the pattern so the user can find it.
            let msg = e.to_string();
            let last = msg
                .lines()
                .last()
                .unwrap_or("invalid regex")
                .trim()
                .to_owned();
            last.trim_start_matches("error: ").to_owned()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_parse_and_cover_the_contract() {
        let set = RuleSet::builtin();
        for id in [
            "cn_resident_id",
            "cn_passport",
            "cn_hk_macau_permit",
            "cn_taiwan_permit",
            "cn_mobile",
            "cn_landline",
            "email",
            "person_name",
            "address",
            "bank_card",
            "cn_uscc",
            "cn_license_plate",
            "vin",
            "imei",
            "ipv4",
            "ipv6",
            "mac_address",
            "geo_coordinate",
            "birth_date",
            "gender",
            "ethnicity",
            "company_name",
        ] {
            assert!(set.types.iter().any(|t| t.id == id), "missing {id}");
        }
    }

    #[test]
    fn errors_name_the_line() {
        let mut set = RuleSet::empty();
        let src = "[[type]]\nid = \"x\"\npattern = '\\d{3'\n";
        let e = set.add_file("user.toml", src).unwrap_err().to_string();
        assert!(e.starts_with("user.toml:3:"), "{e}");

        let src = "[[type]]\nid = \"x\"\npattern = 'a'\nvalidator = \"nope\"\n";
        let e = set.add_file("user.toml", src).unwrap_err().to_string();
        assert!(
            e.starts_with("user.toml:4:") && e.contains("unknown validator"),
            "{e}"
        );

        let src = "[[type]]\nid = \"x\"\n\nconfidnce = 0.5\n";
        let e = set.add_file("user.toml", src).unwrap_err().to_string();
        assert!(e.starts_with("user.toml:4:"), "{e}");

        let src = "[[type]]\nid = \"x\"\npattern = '{{nosuch}}'\n";
        let e = set.add_file("user.toml", src).unwrap_err().to_string();
        assert!(e.contains("unknown macro"), "{e}");
    }

    #[test]
    fn user_type_replaces_builtin_in_place() {
        let mut set = RuleSet::builtin();
        let pos = set.types.iter().position(|t| t.id == "email");
        set.add_file("u.toml", "[[type]]\nid = \"email\"\npattern = 'x@y\\.cn'\n")
            .unwrap();
        assert_eq!(set.types.iter().position(|t| t.id == "email"), pos);
        assert_eq!(set.types[pos.unwrap()].patterns, ["x@y\\.cn"]);
    }
}
