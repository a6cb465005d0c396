//! # anshu-classify
//!
//! Classification and grading by rule packs. It owns the pack format (declarative TOML; the
//! built-in packs `gbt43697`, `jrt0197` and `miit-industry` are compiled in, users extend or
//! replace them), and the decisions: a column's category, sensitive-PI flag and level from its
//! detected types; a table's level by 就高从严 plus combination rules; a source's level and its
//! important-data status from distinct-people counts against threshold rules. Every decision
//! carries the reasons that produced it.
//!
//! It deliberately does no I/O and no counting: callers pass detected type ids and people
//! counts (exact or estimated, with their error), and persist or render the decisions.

mod pack;

pub use pack::{Category, Combination, Level, PackError, RulePack, Scope, Threshold, TypeRule};

/// Why a decision came out as it did: the rule that fired and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reason {
    /// `type:cn_resident_id`, `combination:name-and-contact`, `max-of-parts`, `threshold:…`,
    /// `default`.
    pub rule: String,
    pub text: String,
}

/// A classification and grading decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Category id in the pack, `None` when nothing was detected.
    pub category: Option<String>,
    /// Sensitive personal information (PIPL Art. 28).
    pub sensitive: bool,
    /// Whether any personal information was detected.
    pub personal: bool,
    /// Index into the pack's levels (higher is stricter).
    pub level: usize,
    pub reasons: Vec<Reason>,
}

/// A count of distinct people, exact or estimated.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct PeopleCount {
    pub value: u64,
    pub exact: bool,
    /// Relative error at 95% confidence (0 when exact).
    pub rel_error_95: f64,
}

impl PeopleCount {
    pub fn exact(value: u64) -> Self {
        PeopleCount {
            value,
            exact: true,
            rel_error_95: 0.0,
        }
    }
    /// The lower end of the 95% interval.
    pub fn low(&self) -> u64 {
        ((self.value as f64) * (1.0 - self.rel_error_95))
            .floor()
            .max(0.0) as u64
    }
    /// The upper end of the 95% interval.
    pub fn high(&self) -> u64 {
        ((self.value as f64) * (1.0 + self.rel_error_95)).ceil() as u64
    }
}

/// People counts for one source, by what their data includes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeopleCounts {
    /// People whose personal information the source holds.
    pub personal: PeopleCount,
    /// People whose sensitive personal information it holds.
    pub sensitive: PeopleCount,
    /// People per detected type (e.g. how many have a bank card in the data).
    pub by_type: std::collections::BTreeMap<String, PeopleCount>,
}

/// An important-data threshold that a source reaches.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ImportantHit {
    pub threshold: String,
    pub level: String,
    pub people: PeopleCount,
    pub min_people: u64,
    /// True when even the low end of the estimate reaches the threshold (always, when exact).
    pub certain: bool,
    pub reason: String,
}
