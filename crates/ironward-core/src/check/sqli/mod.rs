//! `sqli`: SQL injection, and NoSQL operator injection.
//!
//! **SQL.** Every scored input (parameter names and values, JSON keys and values, cookies,
//! headers, user agent, referer, path segments, and their decoded variants) goes through
//! `ironward_ml::sql::analyze` — does the value, inside a quoted string, as a number or as a bare
//! identifier, break out and continue as SQL? — and, when it does, through the SQL injection
//! model; `ironward_ml::detect` says how the two combine. pyrasp scored every value with a linear SVM
//! (≈1.4 ms a value; "select a plan from the menu", "Order by date" and "50% off -- today"
//! blocked); here a value without SQL structure costs a scan and one with structure a few
//! hundred table lookups.
//!
//! **NoSQL** (`nosql.rs`): a JSON key or a form/query parameter name that is a MongoDB query
//! operator (`{"password": {"$ne": null}}`, `user[$regex]=.*`, `$where`) fires.

mod nosql;

use super::{Check, CheckId, RequestContext};
use crate::config::Config;
use crate::engine::EngineError;
use crate::input::Location;
use crate::verdict::Finding;
use ironward_ml::detect::{Detector, Language};

/// The `sqli` check.
#[derive(Debug)]
pub(crate) struct Sqli {
    detector: Detector,
}

impl Sqli {
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let model = ironward_ml::embedded::sqli().map_err(|source| EngineError::Model {
            key: "sqli",
            source,
        })?;
        Ok(Sqli {
            detector: Detector::new(Language::Sql, model, config.sqli_proba as f32),
        })
    }

    /// The rule and score when `value` is a SQL injection.
    pub(crate) fn detect(&self, value: &str) -> Option<(&'static str, f32)> {
        self.detector
            .detect(value)
            .map(|d| (d.structure.reason, d.score))
    }
}

impl Check for Sqli {
    fn id(&self) -> CheckId {
        CheckId::Sqli
    }

    fn check_request(&self, ctx: &RequestContext<'_, '_>, findings: &mut Vec<Finding>) {
        for input in ctx.inputs().scored() {
            let name_like = matches!(
                input.location,
                Location::JsonKeys | Location::QsVariables | Location::PostVariables
            );
            if name_like && let Some(op) = nosql::operator(&input.value) {
                findings.push(
                    Finding::new(CheckId::Sqli, input.location.as_str(), &input.value)
                        .with_engine(op),
                );
                return;
            }
            if let Some((rule, score)) = self.detect(&input.value) {
                findings.push(
                    Finding::new(CheckId::Sqli, input.location.as_str(), &input.value)
                        .with_score(score)
                        .with_engine(rule),
                );
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests;
