//! # anshu-detect
//!
//! The detection core of Anshu: it owns the type recognizers (patterns plus validators such as
//! the GB 11643 resident-ID check, GB 32100 credit codes, Luhn, VIN check digits), the
//! declarative rule format (`rules/builtin.toml` compiled in, user files merged at run time), the
//! reference tables (GB/T 2260 region codes including abolished ones, surnames, ethnic groups),
//! span detection in text, column decisions from sampled values and headers, and masking of
//! values for display.
//!
//! It deliberately does no I/O: no files, no clock, no environment. Callers pass text and values
//! in, supply the reference date, and load any dictionary files a rule names. Readers, sampling
//! strategy, reports and the command line live in other crates.

mod column;
pub mod data;
mod detector;
mod fxhash;
pub mod mask;
mod rules;
mod runs;
mod starts;
pub mod validate;

pub use column::{ColumnProfile, ColumnType, Evidence, Scratch};
pub use detector::{
    header_words, Detector, DetectorOptions, Hint, Span, TypeIdx, TypeInfo, ValueMatch,
};
pub use rules::{AllowList, Boundary, DictionarySource, RuleSet, TypeSpec};
pub use validate::{Date, Validator};

/// A problem with a rule file or with compiling the rules.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    /// The file is not valid TOML or has an unknown field.
    #[error("{origin}:{line}: {message}")]
    Syntax {
        origin: String,
        line: usize,
        message: String,
    },
    /// The TOML is well formed but a rule is wrong (bad regex, unknown validator…).
    #[error("{origin}:{line}: {message}")]
    Invalid {
        origin: String,
        line: usize,
        message: String,
    },
    /// The rules could not be compiled together.
    #[error("cannot compile rules: {0}")]
    Compile(String),
}
