//! Rule packs: parsing, validation and the decisions.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use toml::Spanned;

use crate::{Decision, ImportantHit, PeopleCounts, Reason};

/// A level of a pack's ladder, lowest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    pub id: String,
    pub name: String,
    pub name_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub id: String,
    pub name: String,
}

/// How one detected type is classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeRule {
    pub type_id: String,
    pub category: String,
    pub sensitive: bool,
    pub level: usize,
    pub reason: String,
}

/// Types that, found together in one table, raise its level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Combination {
    pub id: String,
    pub types: Vec<String>,
    pub level: usize,
    pub sensitive: bool,
    pub reason: String,
}

/// Whose people a threshold counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Anyone whose personal information the source holds.
    Personal,
    /// Anyone whose sensitive personal information it holds.
    Sensitive,
    /// Anyone with one of these types in the data.
    Types(Vec<String>),
}

/// An important-data threshold: at least `min_people` people in scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Threshold {
    pub id: String,
    pub scope: Scope,
    pub min_people: u64,
    pub level: usize,
    pub reason: String,
}

/// A compiled rule pack.
#[derive(Debug, Clone)]
pub struct RulePack {
    pub id: String,
    pub name: String,
    pub levels: Vec<Level>,
    pub categories: Vec<Category>,
    pub types: BTreeMap<String, TypeRule>,
    pub combinations: Vec<Combination>,
    pub thresholds: Vec<Threshold>,
    pub default_level: usize,
    pub unknown_type_level: usize,
}

/// A problem in a pack file, with its line.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("{origin}:{line}: {message}")]
    Invalid {
        origin: String,
        line: usize,
        message: String,
    },
    #[error("unknown rule pack {0:?}; built-in packs: gbt43697, jrt0197, miit-industry")]
    Unknown(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    pack: RawHeader,
    #[serde(default)]
    level: Vec<RawLevel>,
    #[serde(default)]
    category: Vec<RawCategory>,
    #[serde(default, rename = "type")]
    types: Vec<Spanned<RawType>>,
    #[serde(default)]
    combination: Vec<Spanned<RawCombination>>,
    #[serde(default)]
    threshold: Vec<Spanned<RawThreshold>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    id: String,
    name: Option<String>,
    extends: Option<Spanned<String>>,
    default_level: Option<Spanned<String>>,
    unknown_type_level: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    id: String,
    name: String,
    #[serde(default)]
    name_en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    id: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawType {
    #[serde(rename = "type")]
    type_id: String,
    category: String,
    #[serde(default)]
    sensitive: bool,
    level: String,
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCombination {
    id: String,
    types: Vec<String>,
    level: String,
    #[serde(default)]
    sensitive: bool,
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThreshold {
    id: String,
    scope: String,
    #[serde(default)]
    types: Vec<String>,
    min_people: u64,
    level: String,
    #[serde(default)]
    reason: String,
}

const BUILTIN: &[(&str, &str)] = &[
    ("gbt43697", include_str!("../packs/gbt43697.toml")),
    ("jrt0197", include_str!("../packs/jrt0197.toml")),
    ("miit-industry", include_str!("../packs/miit-industry.toml")),
];

fn line_of(src: &str, offset: usize) -> usize {
    src[..offset.min(src.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// Replaces the entry `same` as `item` in place (keeping its position), or appends it: how a
/// pack file that extends another overrides entries by id.
fn upsert<T>(v: &mut Vec<T>, item: T, same: impl Fn(&T, &T) -> bool) {
    match v.iter().position(|x| same(x, &item)) {
        Some(i) => v[i] = item,
        None => v.push(item),
    }
}

impl RulePack {
    /// Ids of the packs compiled into the binary.
    pub fn builtin_ids() -> Vec<&'static str> {
        BUILTIN.iter().map(|(id, _)| *id).collect()
    }

    /// A built-in pack by id.
    pub fn builtin(id: &str) -> Result<RulePack, PackError> {
        let (_, src) = BUILTIN
            .iter()
            .find(|(i, _)| *i == id)
            .ok_or_else(|| PackError::Unknown(id.to_owned()))?;
        RulePack::parse(&format!("{id}.toml"), src)
    }

    /// Parses a pack file. A file whose `[pack]` says `extends = "gbt43697"` starts from that
    /// built-in pack: its levels, categories, types, combinations and thresholds are kept unless
    /// the file redefines them (by id, or by type for type rules).
    pub fn parse(origin: &str, src: &str) -> Result<RulePack, PackError> {
        let err = |offset: usize, message: String| PackError::Invalid {
            origin: origin.to_owned(),
            line: line_of(src, offset),
            message,
        };
        let raw: RawPack = toml::from_str(src).map_err(|e| {
            err(
                e.span().map(|s| s.start).unwrap_or(0),
                e.message().to_owned(),
            )
        })?;
        let mut pack = match &raw.pack.extends {
            Some(base) => {
                let mut b = RulePack::builtin(base.get_ref())
                    .map_err(|e| err(base.span().start, e.to_string()))?;
                b.id = raw.pack.id.clone();
                b
            }
            None => RulePack {
                id: raw.pack.id.clone(),
                name: String::new(),
                levels: Vec::new(),
                categories: Vec::new(),
                types: BTreeMap::new(),
                combinations: Vec::new(),
                thresholds: Vec::new(),
                default_level: 0,
                unknown_type_level: 0,
            },
        };
        pack.name = raw.pack.name.clone().unwrap_or_else(|| raw.pack.id.clone());
        for l in raw.level {
            match pack.levels.iter_mut().find(|x| x.id == l.id) {
                Some(x) => {
                    x.name = l.name;
                    x.name_en = l.name_en;
                }
                None => pack.levels.push(Level {
                    id: l.id,
                    name: l.name,
                    name_en: l.name_en,
                }),
            }
        }
        if pack.levels.is_empty() {
            return Err(err(0, "a pack needs at least one [[level]]".into()));
        }
        for c in raw.category {
            match pack.categories.iter_mut().find(|x| x.id == c.id) {
                Some(x) => x.name = c.name,
                None => pack.categories.push(Category {
                    id: c.id,
                    name: c.name,
                }),
            }
        }
        let level_of = |pack: &RulePack, id: &str, at: usize| -> Result<usize, PackError> {
            pack.levels.iter().position(|l| l.id == id).ok_or_else(|| {
                err(
                    at,
                    format!(
                        "unknown level {id:?}; levels of this pack: {}",
                        pack.levels
                            .iter()
                            .map(|l| l.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })
        };
        if let Some(d) = &raw.pack.default_level {
            pack.default_level = level_of(&pack, d.get_ref(), d.span().start)?;
        }
        if let Some(d) = &raw.pack.unknown_type_level {
            pack.unknown_type_level = level_of(&pack, d.get_ref(), d.span().start)?;
        }
        for t in raw.types {
            let at = t.span().start;
            let t = t.into_inner();
            if !pack.categories.iter().any(|c| c.id == t.category) {
                return Err(err(
                    at,
                    format!("type {:?}: unknown category {:?}", t.type_id, t.category),
                ));
            }
            let level = level_of(&pack, &t.level, at)?;
            pack.types.insert(
                t.type_id.clone(),
                TypeRule {
                    type_id: t.type_id,
                    category: t.category,
                    sensitive: t.sensitive,
                    level,
                    reason: t.reason,
                },
            );
        }
        for c in raw.combination {
            let at = c.span().start;
            let c = c.into_inner();
            if c.types.len() < 2 {
                return Err(err(
                    at,
                    format!("combination {:?} needs at least two types", c.id),
                ));
            }
            let level = level_of(&pack, &c.level, at)?;
            let comb = Combination {
                id: c.id,
                types: c.types,
                level,
                sensitive: c.sensitive,
                reason: c.reason,
            };
            upsert(&mut pack.combinations, comb, |a, b| a.id == b.id);
        }
        for t in raw.threshold {
            let at = t.span().start;
            let t = t.into_inner();
            let scope = match t.scope.as_str() {
                "personal" => Scope::Personal,
                "sensitive" => Scope::Sensitive,
                "types" if !t.types.is_empty() => Scope::Types(t.types.clone()),
                "types" => return Err(err(at, format!("threshold {:?}: scope \"types\" needs `types`", t.id))),
                other => {
                    return Err(err(
                        at,
                        format!("threshold {:?}: scope {other:?} must be \"personal\", \"sensitive\" or \"types\"", t.id),
                    ))
                }
            };
            let level = level_of(&pack, &t.level, at)?;
            let th = Threshold {
                id: t.id,
                scope,
                min_people: t.min_people,
                level,
                reason: t.reason,
            };
            upsert(&mut pack.thresholds, th, |a, b| a.id == b.id);
        }
        Ok(pack)
    }

    pub fn level(&self, i: usize) -> &Level {
        &self.levels[i.min(self.levels.len() - 1)]
    }

    pub fn level_index(&self, id: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.id == id)
    }

    pub fn category_name(&self, id: &str) -> Option<&str> {
        self.categories
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.as_str())
    }

    /// Classifies a column from the types detected in it. Several types (a free-text column)
    /// take the highest level; the category is that of the strictest type.
    pub fn classify_column(&self, types: &[&str]) -> Decision {
        if types.is_empty() {
            return Decision {
                category: None,
                sensitive: false,
                personal: false,
                level: self.default_level,
                reasons: vec![Reason {
                    rule: "default".into(),
                    text: format!(
                        "no personal or sensitive data detected; {} until reviewed",
                        self.level(self.default_level).name
                    ),
                }],
            };
        }
        let mut d = Decision {
            category: None,
            sensitive: false,
            personal: true,
            level: 0,
            reasons: Vec::new(),
        };
        let mut best: Option<usize> = None;
        for t in types {
            match self.types.get(*t) {
                Some(r) => {
                    d.sensitive |= r.sensitive;
                    if best.is_none_or(|b| r.level > b) {
                        best = Some(r.level);
                        d.category = Some(r.category.clone());
                    }
                    d.reasons.push(Reason {
                        rule: format!("type:{t}"),
                        text: format!("{} → {}: {}", t, self.level(r.level).name, r.reason),
                    });
                }
                None => {
                    if best.is_none_or(|b| self.unknown_type_level > b) {
                        best = Some(self.unknown_type_level);
                        d.category = Some("pi.other".into());
                    }
                    d.reasons.push(Reason {
                        rule: format!("type:{t}"),
                        text: format!(
                            "{t} has no rule in pack {}; graded {} as other personal information",
                            self.id,
                            self.level(self.unknown_type_level).name
                        ),
                    });
                }
            }
        }
        d.level = best.unwrap_or(self.default_level);
        // Organisation identifiers and public business data are not personal information.
        d.personal = types.iter().any(|t| {
            self.types.get(*t).is_none_or(|r| {
                !r.category.starts_with("org.") && !r.category.starts_with("business.")
            })
        });
        d
    }

    /// Classifies a table from its columns' decisions and the set of types it holds: the
    /// highest column level (就高从严), raised by any combination rule whose types are all present.
    pub fn classify_table(&self, columns: &[Decision], types: &BTreeSet<String>) -> Decision {
        let mut d = self.max_of(columns, "column");
        for c in &self.combinations {
            if c.types.iter().all(|t| types.contains(t)) {
                d.sensitive |= c.sensitive;
                if c.level > d.level {
                    d.level = c.level;
                }
                d.reasons.push(Reason {
                    rule: format!("combination:{}", c.id),
                    text: format!(
                        "{} → {}: {}",
                        c.types.join(" + "),
                        self.level(c.level).name,
                        c.reason
                    ),
                });
            }
        }
        d
    }

    /// Classifies a source from its tables and people counts. Returns the decision and the
    /// important-data thresholds it reaches (an estimate reaching one counts, with `certain`
    /// telling whether its low end does too).
    pub fn classify_source(
        &self,
        tables: &[Decision],
        people: &PeopleCounts,
    ) -> (Decision, Vec<ImportantHit>) {
        let mut d = self.max_of(tables, "table");
        let mut hits = Vec::new();
        for t in &self.thresholds {
            let count = match &t.scope {
                crate::pack::Scope::Personal => people.personal,
                crate::pack::Scope::Sensitive => people.sensitive,
                crate::pack::Scope::Types(ts) => ts
                    .iter()
                    .filter_map(|x| people.by_type.get(x))
                    .max_by_key(|c| c.value)
                    .copied()
                    .unwrap_or_default(),
            };
            if count.value >= t.min_people {
                if t.level > d.level {
                    d.level = t.level;
                }
                d.reasons.push(Reason {
                    rule: format!("threshold:{}", t.id),
                    text: format!(
                        "{} people (≥ {}) → {}: {}",
                        count.value,
                        t.min_people,
                        self.level(t.level).name,
                        t.reason
                    ),
                });
                hits.push(ImportantHit {
                    threshold: t.id.clone(),
                    level: self.level(t.level).id.clone(),
                    people: count,
                    min_people: t.min_people,
                    certain: count.low() >= t.min_people,
                    reason: t.reason.clone(),
                });
            }
        }
        (d, hits)
    }

    fn max_of(&self, parts: &[Decision], what: &str) -> Decision {
        let mut d = Decision {
            category: None,
            sensitive: false,
            personal: false,
            level: self.default_level,
            reasons: Vec::new(),
        };
        let mut top: Option<&Decision> = None;
        for p in parts {
            d.sensitive |= p.sensitive;
            d.personal |= p.personal;
            if top.is_none_or(|t| p.level > t.level) {
                top = Some(p);
            }
        }
        match top {
            Some(t) => {
                d.level = t.level;
                d.category = t.category.clone();
                d.reasons.push(Reason {
                    rule: "max-of-parts".into(),
                    text: format!(
                        "就高从严: the highest {what} level is {}",
                        self.level(t.level).name
                    ),
                });
            }
            None => d.reasons.push(Reason {
                rule: "default".into(),
                text: format!("no {what}s; {}", self.level(self.default_level).name),
            }),
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PeopleCount, PeopleCounts};

    #[test]
    fn builtin_packs_parse() {
        for id in RulePack::builtin_ids() {
            let p = RulePack::builtin(id).unwrap();
            assert!(p.levels.len() >= 3, "{id}");
            assert!(p.types.contains_key("cn_resident_id"), "{id}");
        }
        assert!(RulePack::builtin("nope").is_err());
    }

    #[test]
    fn gbt43697_levels() {
        let p = RulePack::builtin("gbt43697").unwrap();
        let id = p.classify_column(&["cn_resident_id"]);
        assert!(id.sensitive);
        assert_eq!(p.level(id.level).id, "general-4");
        assert_eq!(id.category.as_deref(), Some("pi.identity"));
        let name = p.classify_column(&["person_name"]);
        assert_eq!(p.level(name.level).id, "general-2");
        assert!(!name.sensitive);
        let none = p.classify_column(&[]);
        assert!(none.level <= p.level_index("general-2").unwrap());
        // Free text with a mobile and an ID takes the ID's level and category.
        let memo = p.classify_column(&["cn_mobile", "cn_resident_id"]);
        assert_eq!(p.level(memo.level).id, "general-4");
        assert_eq!(memo.category.as_deref(), Some("pi.identity"));
    }

    #[test]
    fn tables_take_the_max_and_combinations_raise() {
        let p = RulePack::builtin("gbt43697").unwrap();
        let cols = [
            p.classify_column(&["person_name"]),
            p.classify_column(&["cn_mobile"]),
        ];
        let types: BTreeSet<String> = ["person_name", "cn_mobile"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let t = p.classify_table(&cols, &types);
        assert_eq!(p.level(t.level).id, "general-4");
        assert!(t.level > cols[0].level && t.level > cols[1].level);
        assert!(t
            .reasons
            .iter()
            .any(|r| r.rule == "combination:name-and-contact"));
        let only_mobile: BTreeSet<String> = ["cn_mobile".to_string()].into();
        let t = p.classify_table(&cols[1..], &only_mobile);
        assert_eq!(p.level(t.level).id, "general-3");
    }

    #[test]
    fn thresholds_make_important_data() {
        let p = RulePack::builtin("gbt43697").unwrap();
        let table = p.classify_column(&["cn_resident_id"]);
        let mut people = PeopleCounts {
            sensitive: PeopleCount::exact(1_000_000),
            personal: PeopleCount::exact(1_000_000),
            ..Default::default()
        };
        let (d, hits) = p.classify_source(std::slice::from_ref(&table), &people);
        assert_eq!(p.level(d.level).id, "important");
        assert_eq!(hits.len(), 1);
        assert!(hits[0].certain);
        people.sensitive = PeopleCount::exact(999_999);
        people.personal = PeopleCount::exact(999_999);
        let (d, hits) = p.classify_source(&[table], &people);
        assert_eq!(p.level(d.level).id, "general-4");
        assert!(hits.is_empty());
    }

    #[test]
    fn user_packs_extend_and_report_lines() {
        let src = "[pack]\nid = \"tj\"\nextends = \"gbt43697\"\n\n[[threshold]]\nid = \"tjftz-sensitive-1m\"\nscope = \"sensitive\"\nmin_people = 500000\nlevel = \"important\"\n";
        let p = RulePack::parse("tj.toml", src).unwrap();
        let t = p
            .thresholds
            .iter()
            .find(|t| t.id == "tjftz-sensitive-1m")
            .unwrap();
        assert_eq!(t.min_people, 500_000);
        assert_eq!(
            p.thresholds.len(),
            RulePack::builtin("gbt43697").unwrap().thresholds.len()
        );
        let bad = "[pack]\nid = \"x\"\nextends = \"gbt43697\"\n\n[[type]]\ntype = \"a\"\ncategory = \"pi.basic\"\nlevel = \"general-9\"\n";
        let e = RulePack::parse("x.toml", bad).unwrap_err().to_string();
        assert!(
            e.starts_with("x.toml:5:") && e.contains("unknown level"),
            "{e}"
        );
    }

    #[test]
    fn finance_pack() {
        let p = RulePack::builtin("jrt0197").unwrap();
        assert_eq!(p.level(p.classify_column(&["bank_card"]).level).id, "jr-3");
        let types: BTreeSet<String> = ["bank_card", "cn_resident_id", "person_name"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let cols: Vec<_> = types
            .iter()
            .map(|t| p.classify_column(&[t.as_str()]))
            .collect();
        assert_eq!(p.level(p.classify_table(&cols, &types).level).id, "jr-4");
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;

    /// Arbitrary and near-valid pack files produce errors, never panics.
    #[test]
    fn pack_parser_never_panics() {
        let pieces = [
            "[pack]\n",
            "id = \"x\"\n",
            "extends = \"gbt43697\"\n",
            "extends = \"nope\"\n",
            "[[level]]\n",
            "id = \"l1\"\n",
            "name = \"n\"\n",
            "[[type]]\n",
            "type = \"t\"\n",
            "category = \"pi.basic\"\n",
            "level = \"general-4\"\n",
            "level = \"zz\"\n",
            "[[threshold]]\n",
            "scope = \"types\"\n",
            "scope = \"personal\"\n",
            "min_people = 5\n",
            "types = []\n",
            "[[combination]]\n",
            "types = [\"a\"]\n",
            "=\n",
            "[[\n",
            "\"\n",
        ];
        // A deterministic walk over many combinations of the pieces.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..3000 {
            let mut src = String::new();
            for _ in 0..(state % 12) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                src.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            let _ = RulePack::parse("fuzz.toml", &src);
        }
    }
}
