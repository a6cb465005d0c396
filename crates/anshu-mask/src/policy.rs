//! Masking policies: which method applies to which data.
//!
//! A policy is TOML. Rules match by detected type, by category or level from the rule pack, or
//! by table and column (globs); the most specific matching rule wins (column, then type, then
//! category, then level), and among equally specific rules the first in the file. `[fallback]`
//! applies to any sensitive value no rule matches.
//!
//! ```toml
//! name = "my-policy"
//! [[rule]]
//! types = ["cn_mobile"]
//! method = "partial"            # 138****8000
//! [[rule]]
//! table = "orders*"
//! column = "receiver_*"
//! method = "substitute"
//! [[rule]]
//! min_level = "general-4"
//! method = "hash"
//! algorithm = "hmac-sm3"
//! [fallback]
//! method = "redact"
//! ```

use std::sync::Arc;

use anshu_detect::Date;
use globset::{Glob, GlobMatcher};

use crate::cipher::CipherName;
use crate::methods::{
    BirthMode, DateShift, Fpe, Generalise, HashAlgorithm, Keep, KeyedHash, Keys, Level, Masker,
    Noise, Partial, Redact, Shuffle, Substitute, Token,
};
use crate::MaskError;

fn star() -> char {
    '*'
}
fn sm3() -> HashAlgorithm {
    HashAlgorithm::HmacSm3
}
fn hash_len() -> usize {
    32
}
fn aes() -> CipherName {
    CipherName::Aes
}
fn yes() -> bool {
    true
}
fn d180() -> u32 {
    180
}
fn d30() -> u32 {
    30
}
fn two() -> usize {
    2
}
fn ten() -> f64 {
    10.0
}
fn five_pct() -> f64 {
    0.05
}

/// A method and its parameters, as a policy writes it.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum MethodSpec {
    Keep,
    Partial {
        #[serde(default)]
        keep_first: Option<usize>,
        #[serde(default)]
        keep_last: Option<usize>,
        #[serde(default = "star")]
        mask_char: char,
    },
    Redact {
        #[serde(default = "star")]
        mask_char: char,
    },
    Constant {
        #[serde(default)]
        value: String,
    },
    Hash {
        #[serde(default = "sm3")]
        algorithm: HashAlgorithm,
        #[serde(default = "hash_len")]
        length: usize,
    },
    Token {
        #[serde(default)]
        prefix: Option<String>,
    },
    Fpe {
        #[serde(default = "aes")]
        cipher: CipherName,
    },
    Substitute {
        #[serde(default = "yes")]
        keep_region: bool,
        #[serde(default)]
        birth: BirthMode,
        #[serde(default = "d180")]
        shift_days: u32,
    },
    #[serde(alias = "generalize")]
    Generalise {
        to: Level,
        #[serde(default = "two")]
        decimals: usize,
        #[serde(default = "ten")]
        width: f64,
    },
    DateShift {
        #[serde(default = "d30")]
        max_days: u32,
    },
    Noise {
        #[serde(default = "five_pct")]
        relative: f64,
    },
    Shuffle,
}

impl MethodSpec {
    /// The method family, for records and benchmarks.
    pub fn name(&self) -> &'static str {
        match self {
            MethodSpec::Keep => "keep",
            MethodSpec::Partial { .. } => "partial",
            MethodSpec::Redact { .. } => "redact",
            MethodSpec::Constant { .. } => "constant",
            MethodSpec::Hash { .. } => "hash",
            MethodSpec::Token { .. } => "token",
            MethodSpec::Fpe { .. } => "fpe",
            MethodSpec::Substitute { .. } => "substitute",
            MethodSpec::Generalise { .. } => "generalise",
            MethodSpec::DateShift { .. } => "date_shift",
            MethodSpec::Noise { .. } => "noise",
            MethodSpec::Shuffle => "shuffle",
        }
    }

    /// Checks parameters that TOML types alone don't bound.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            MethodSpec::Hash { length, .. } if !(16..=64).contains(length) => Err(format!(
                "hash length must be 16 to 64 hex digits (64 to 256 bits), not {length}"
            )),
            MethodSpec::Noise { relative } if !(*relative > 0.0 && *relative <= 1.0) => {
                Err(format!("noise relative must be in (0, 1], not {relative}"))
            }
            MethodSpec::Generalise { width, .. } if width.is_nan() || *width <= 0.0 => {
                Err("generalise width must be positive".into())
            }
            _ => Ok(()),
        }
    }

    /// Whether the method needs the key file.
    pub fn keyed(&self) -> bool {
        matches!(
            self,
            MethodSpec::Hash { .. }
                | MethodSpec::Token { .. }
                | MethodSpec::Fpe { .. }
                | MethodSpec::Substitute { .. }
                | MethodSpec::DateShift { .. }
                | MethodSpec::Noise { .. }
                | MethodSpec::Shuffle
        )
    }

    /// Builds the masker. `today` is the reference date for age bands.
    pub fn build(
        &self,
        keys: Option<&Arc<Keys>>,
        today: Date,
    ) -> Result<Arc<dyn Masker>, MaskError> {
        let need = || {
            keys.cloned().ok_or_else(|| {
                MaskError::Key(format!("method `{}` needs a key (--key-file)", self.name()))
            })
        };
        Ok(match self.clone() {
            MethodSpec::Keep => Arc::new(Keep),
            MethodSpec::Partial {
                keep_first,
                keep_last,
                mask_char,
            } => Arc::new(Partial {
                keep_first,
                keep_last,
                mask_char,
            }),
            MethodSpec::Redact { mask_char } => Arc::new(Redact {
                constant: None,
                mask_char,
            }),
            MethodSpec::Constant { value } => Arc::new(Redact {
                constant: Some(value),
                mask_char: '*',
            }),
            MethodSpec::Hash { algorithm, length } => Arc::new(KeyedHash {
                keys: need()?,
                algorithm,
                length,
            }),
            MethodSpec::Token { prefix } => Arc::new(Token {
                keys: need()?,
                prefix,
            }),
            MethodSpec::Fpe { cipher } => Arc::new(Fpe {
                keys: need()?,
                cipher,
            }),
            MethodSpec::Substitute {
                keep_region,
                birth,
                shift_days,
            } => Arc::new(Substitute {
                keys: need()?,
                keep_region,
                birth,
                shift_days,
            }),
            MethodSpec::Generalise {
                to,
                decimals,
                width,
            } => Arc::new(Generalise {
                level: to,
                decimals,
                width,
                today,
            }),
            MethodSpec::DateShift { max_days } => Arc::new(DateShift {
                keys: need()?,
                max_days,
            }),
            MethodSpec::Noise { relative } => Arc::new(Noise {
                keys: need()?,
                relative,
            }),
            MethodSpec::Shuffle => Arc::new(Shuffle { keys: need()? }),
        })
    }
}

/// What a policy knows about a column when choosing its method.
#[derive(Debug, Clone, Default)]
pub struct ColumnFacts<'a> {
    /// The table (for files, the file or sheet name).
    pub table: &'a str,
    pub column: &'a str,
    /// The detected type.
    pub type_id: &'a str,
    /// Category id from the rule pack.
    pub category: Option<&'a str>,
    /// Level id from the rule pack and its rank (higher is stricter).
    pub level: Option<&'a str>,
    pub level_rank: Option<usize>,
}

#[derive(Debug, Clone)]
struct Matcher {
    types: Vec<String>,
    categories: Vec<String>,
    levels: Vec<String>,
    min_rank: Option<usize>,
    table: Option<GlobMatcher>,
    column: Option<GlobMatcher>,
}

impl Matcher {
    /// 4 for column rules, 3 type, 2 category, 1 level.
    fn specificity(&self) -> u8 {
        if self.column.is_some() || self.table.is_some() {
            4
        } else if !self.types.is_empty() {
            3
        } else if !self.categories.is_empty() {
            2
        } else {
            1
        }
    }

    fn matches(&self, f: &ColumnFacts) -> bool {
        (self.types.is_empty() || self.types.iter().any(|t| t == f.type_id))
            && (self.categories.is_empty()
                || f.category
                    .is_some_and(|c| self.categories.iter().any(|x| x == c)))
            && (self.levels.is_empty()
                || f.level.is_some_and(|l| self.levels.iter().any(|x| x == l)))
            && self
                .min_rank
                .is_none_or(|m| f.level_rank.is_some_and(|r| r >= m))
            && self.table.as_ref().is_none_or(|g| g.is_match(f.table))
            && self.column.as_ref().is_none_or(|g| g.is_match(f.column))
    }
}

/// One rule of a policy.
#[derive(Debug, Clone)]
pub struct Rule {
    /// 1-based position in the file, for records and messages.
    pub number: usize,
    matcher: Matcher,
    pub method: MethodSpec,
}

impl Rule {
    /// A short description: `rule 3 (type cn_mobile)`.
    pub fn describe(&self) -> String {
        let m = &self.matcher;
        let what = match m.specificity() {
            4 => "column",
            3 => "type",
            2 => "category",
            _ => "level",
        };
        format!("rule {} ({what})", self.number)
    }
}

/// A masking policy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub name: String,
    pub description: String,
    pub rules: Vec<Rule>,
    pub fallback: Option<MethodSpec>,
    /// Where it came from: `builtin:default` or a file path.
    pub origin: String,
}

/// The built-in policies: `default` (by level and type), `waybill` (express waybills),
/// `test-data`, `analytics`, `share`.
pub const PRESETS: &[(&str, &str)] = &[
    ("default", include_str!("../policies/default.toml")),
    ("waybill", include_str!("../policies/waybill.toml")),
    ("test-data", include_str!("../policies/test-data.toml")),
    ("analytics", include_str!("../policies/analytics.toml")),
    ("share", include_str!("../policies/share.toml")),
];

impl Policy {
    /// A built-in policy by name.
    pub fn preset(name: &str, levels: &[&str]) -> Result<Policy, MaskError> {
        let (_, text) = PRESETS.iter().find(|(n, _)| *n == name).ok_or_else(|| {
            MaskError::Policy(format!(
                "no built-in policy {name:?}; built in: {}",
                PRESETS
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        Policy::parse(&format!("builtin:{name}"), text, levels)
    }

    /// Parses a policy. `levels` are the rule pack's level ids from least to most strict, so
    /// that `level` and `min_level` can be checked and compared.
    pub fn parse(origin: &str, text: &str, levels: &[&str]) -> Result<Policy, MaskError> {
        let err = |m: String| MaskError::Policy(format!("{origin}: {m}"));
        let doc: toml::Table = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1))
                .unwrap_or(0);
            err(format!("line {line}: {}", e.message()))
        })?;
        let mut name = origin.to_owned();
        let mut description = String::new();
        let mut rules = Vec::new();
        let mut fallback = None;
        for (k, v) in doc {
            match (k.as_str(), v) {
                ("name", toml::Value::String(s)) => name = s,
                ("description", toml::Value::String(s)) => description = s,
                ("rule", toml::Value::Array(items)) => {
                    for (i, item) in items.into_iter().enumerate() {
                        let toml::Value::Table(t) = item else {
                            return Err(err(format!("rule {} is not a table", i + 1)));
                        };
                        rules.push(parse_rule(i + 1, t, levels).map_err(&err)?);
                    }
                }
                ("fallback", toml::Value::Table(t)) => {
                    let m = method(t).map_err(|e| err(format!("fallback: {e}")))?;
                    fallback = Some(m);
                }
                (other, _) => {
                    return Err(err(format!(
                        "unknown or mistyped key `{other}` (expected name, description, [[rule]], [fallback])"
                    )))
                }
            }
        }
        Ok(Policy {
            name,
            description,
            rules,
            fallback,
            origin: origin.to_owned(),
        })
    }

    /// The method for a column: the most specific matching rule, else the fallback. `None`
    /// means the policy leaves the column alone.
    pub fn choose(&self, f: &ColumnFacts) -> Option<(String, &MethodSpec)> {
        let best = self
            .rules
            .iter()
            .filter(|r| r.matcher.matches(f))
            .max_by_key(|r| (r.matcher.specificity(), std::cmp::Reverse(r.number)));
        match best {
            Some(r) => Some((r.describe(), &r.method)),
            None => self.fallback.as_ref().map(|m| ("fallback".to_owned(), m)),
        }
    }

    /// Whether any rule or the fallback needs the key file.
    pub fn keyed(&self) -> bool {
        self.rules.iter().any(|r| r.method.keyed())
            || self.fallback.as_ref().is_some_and(MethodSpec::keyed)
    }
}

fn strings(v: toml::Value, key: &str) -> Result<Vec<String>, String> {
    match v {
        toml::Value::String(s) => Ok(vec![s]),
        toml::Value::Array(a) => a
            .into_iter()
            .map(|x| match x {
                toml::Value::String(s) => Ok(s),
                _ => Err(format!("`{key}` must list strings")),
            })
            .collect(),
        _ => Err(format!("`{key}` must be a string or a list of strings")),
    }
}

fn glob(v: toml::Value, key: &str) -> Result<GlobMatcher, String> {
    let s = match v {
        toml::Value::String(s) => s,
        _ => return Err(format!("`{key}` must be a glob string")),
    };
    Glob::new(&s)
        .map(|g| g.compile_matcher())
        .map_err(|e| format!("`{key}` {s:?}: {e}"))
}

fn parse_rule(number: usize, mut t: toml::Table, levels: &[&str]) -> Result<Rule, String> {
    let at = |m: String| format!("rule {number}: {m}");
    let mut m = Matcher {
        types: Vec::new(),
        categories: Vec::new(),
        levels: Vec::new(),
        min_rank: None,
        table: None,
        column: None,
    };
    for key in ["type", "types"] {
        if let Some(v) = t.remove(key) {
            m.types.extend(strings(v, key).map_err(at)?);
        }
    }
    for key in ["category", "categories"] {
        if let Some(v) = t.remove(key) {
            m.categories.extend(strings(v, key).map_err(at)?);
        }
    }
    for key in ["level", "levels"] {
        if let Some(v) = t.remove(key) {
            for l in strings(v, key).map_err(at)? {
                if !levels.is_empty() && !levels.contains(&l.as_str()) {
                    return Err(at(format!(
                        "unknown level {l:?} (the rule pack has {})",
                        levels.join(", ")
                    )));
                }
                m.levels.push(l);
            }
        }
    }
    if let Some(v) = t.remove("min_level") {
        let l = strings(v, "min_level").map_err(at)?.join("");
        m.min_rank = Some(levels.iter().position(|x| *x == l).ok_or_else(|| {
            at(format!(
                "unknown min_level {l:?} (the rule pack has {})",
                levels.join(", ")
            ))
        })?);
    }
    if let Some(v) = t.remove("table") {
        m.table = Some(glob(v, "table").map_err(at)?);
    }
    if let Some(v) = t.remove("column") {
        m.column = Some(glob(v, "column").map_err(at)?);
    }
    if m.types.is_empty()
        && m.categories.is_empty()
        && m.levels.is_empty()
        && m.min_rank.is_none()
        && m.table.is_none()
        && m.column.is_none()
    {
        return Err(at(
            "matches nothing: give type(s), category, level, min_level, table or column".into(),
        ));
    }
    let method = method(t).map_err(at)?;
    Ok(Rule {
        number,
        matcher: m,
        method,
    })
}

fn method(t: toml::Table) -> Result<MethodSpec, String> {
    if !t.contains_key("method") {
        return Err("no `method`".into());
    }
    let spec: MethodSpec = toml::Value::Table(t)
        .try_into()
        .map_err(|e: toml::de::Error| e.message().to_owned())?;
    spec.validate()?;
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEVELS: &[&str] = &[
        "general-1",
        "general-2",
        "general-3",
        "general-4",
        "important",
        "core",
    ];

    fn facts<'a>(table: &'a str, column: &'a str, t: &'a str, level: &'a str) -> ColumnFacts<'a> {
        ColumnFacts {
            table,
            column,
            type_id: t,
            category: None,
            level: Some(level),
            level_rank: LEVELS.iter().position(|l| *l == level),
        }
    }

    #[test]
    fn presets_parse() {
        for (name, _) in PRESETS {
            let p = Policy::preset(name, LEVELS).unwrap();
            assert!(!p.rules.is_empty(), "{name}");
        }
    }

    #[test]
    fn most_specific_rule_wins() {
        let p = Policy::parse(
            "t",
            r#"
            [[rule]]
            min_level = "general-3"
            method = "redact"
            [[rule]]
            type = "cn_mobile"
            method = "partial"
            [[rule]]
            table = "orders*"
            column = "phone"
            method = "hash"
            [fallback]
            method = "constant"
            value = "-"
            "#,
            LEVELS,
        )
        .unwrap();
        let name = |f: ColumnFacts| p.choose(&f).map(|(_, m)| m.name());
        assert_eq!(
            name(facts("orders.csv", "phone", "cn_mobile", "general-2")),
            Some("hash")
        );
        assert_eq!(
            name(facts("users.csv", "phone", "cn_mobile", "general-2")),
            Some("partial")
        );
        assert_eq!(
            name(facts("users.csv", "id", "cn_resident_id", "general-4")),
            Some("redact")
        );
        assert_eq!(
            name(facts("users.csv", "x", "email", "general-2")),
            Some("constant")
        );
    }

    #[test]
    fn errors_name_the_rule_and_problem() {
        let e = Policy::parse(
            "p.toml",
            "[[rule]]\ntype = \"x\"\nmethod = \"nope\"\n",
            LEVELS,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("p.toml") && e.contains("rule 1") && e.contains("nope"),
            "{e}"
        );
        let e = Policy::parse(
            "p.toml",
            "[[rule]]\ntype = \"x\"\nmethod = \"hash\"\nlenght = 8\n",
            LEVELS,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("lenght"), "{e}");
        let e = Policy::parse(
            "p.toml",
            "[[rule]]\nmin_level = \"L9\"\nmethod = \"keep\"\n",
            LEVELS,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("L9"), "{e}");
        let e = Policy::parse("p.toml", "[[rule]]\nmethod = \"keep\"\n", LEVELS)
            .unwrap_err()
            .to_string();
        assert!(e.contains("matches nothing"), "{e}");
        let e = Policy::parse("p.toml", "[[rule]\n", LEVELS)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 1"), "{e}");
    }
}
