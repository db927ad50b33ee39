//! How structural analysis and the model score combine into a decision, for SQL injection and
//! XSS alike. Ironward's `sqli` and `xss` checks and the trainer's report use this one rule.
//!
//! Each value gets two signals: a [`Structure`] (does the value, placed where an application
//! would put it, form the language's syntax? `None`, `Weak` or `Strong`) and a probability from
//! the language's linear model. The rule:
//!
//! | structure | fires when |
//! |---|---|
//! | `None` | never — the model is not even run (this is the prefilter: prose, names, ids and numbers cost one cheap scan) |
//! | `Weak` | the score reaches the threshold (`SQLI_PROBA` / `XSS_PROBA`) |
//! | `Strong` | the score reaches [`STRONG_FLOOR`] × the threshold |
//!
//! So the model alone never blocks a value that forms no structure ("select a plan from the
//! menu", "Ondrej", both scored high by n-grams), and a clear structural injection needs only a
//! modest score, which keeps unusual but well-formed attacks from slipping under the threshold.

use crate::model::LinearModel;
use crate::{Strength, Structure};

/// A strong structure needs this fraction of the threshold.
pub const STRONG_FLOOR: f32 = 0.25;

/// Which language a detector judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// SQL (`sql::analyze`, the `sqli` model).
    Sql,
    /// HTML and JavaScript (`html::analyze`, the `xss` model).
    Html,
}

/// What fired, and why.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    /// The structure found.
    pub structure: Structure,
    /// The model's probability.
    pub score: f32,
}

/// A detector: structural analysis, a model, and a threshold.
#[derive(Debug, Clone, Copy)]
pub struct Detector {
    language: Language,
    model: &'static LinearModel,
    threshold: f32,
}

impl Detector {
    /// A detector of `language` with `model`, firing at `threshold` (0..=1).
    pub fn new(language: Language, model: &'static LinearModel, threshold: f32) -> Self {
        Detector {
            language,
            model,
            threshold,
        }
    }

    /// The structure of `value` in this detector's language.
    pub fn structure(&self, value: &str) -> Structure {
        match self.language {
            Language::Sql => crate::sql::analyze(value),
            Language::Html => crate::html::analyze(value),
        }
    }

    /// The decision for one value: `Some` when it fires.
    pub fn detect(&self, value: &str) -> Option<Detection> {
        let structure = self.structure(value);
        let needed = match structure.strength {
            Strength::None => return None,
            Strength::Weak => self.threshold,
            Strength::Strong => self.threshold * STRONG_FLOOR,
        };
        let score = self.model.score(value);
        (score >= needed).then_some(Detection { structure, score })
    }
}
