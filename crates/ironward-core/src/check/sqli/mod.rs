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
//! A value that is itself a JSON array or object (analytics payloads serialise arrays such as
//! `[0,0,1,24,"-",1920,"-"]` into strings; SPA state travels as JSON in parameters and
//! cookies) is judged by its parts: it fires only when one of its strings or keys does, read
//! the same way. JSON's own punctuation (`"-",1920`, `[`, `]`) is no SQL a database would
//! receive: an application that reads the value parses it, and the parts are what reach a
//! query. (The engine extracts the parts as inputs of their own too; judging them here keeps
//! the container's verdict right when a limit cut that extraction.)
//!
//! In the `referer` location (the header and the parts of its URL) and the `user_agent` a value
//! must hold a quote: an application keeps the referer, the search words of its query and the
//! user agent as strings (in logs, analytics and session tables), never as numbers or SQL, so
//! only a value that can leave a string reaches SQL there. A search for "union select example"
//! or "drop table if exists" that brought the user here is a phrase, and a browser's
//! `(X11; Linux x86_64; rv:128.0)` is no statement list; `' union select …` in either still
//! fires. (This also spares every request the analysis of its user agent.)
//!
//! **NoSQL** (`nosql.rs`): a JSON key or a form/query parameter name that is a MongoDB query
//! operator (`{"password": {"$ne": null}}`, `user[$regex]=.*`, `$where`) fires. `$type` is
//! also the type hint of JSON.NET and System.Text.Json (`{"$type": "Shop.Cart, Shop"}`) and a
//! tracking-pixel parameter: it fires only where its value is a BSON type, as a MongoDB
//! filter needs (`{"$type": 2}`, `{"$type": "string"}`, `a[$type]=2`).

mod nosql;

use super::{Check, CheckId, RequestContext};
use crate::config::Config;
use crate::engine::EngineError;
use crate::input::{Inputs, Location, Shape, json};
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

    /// The rule and score when `value` is a SQL injection (a JSON array or object is judged by
    /// its parts).
    pub(crate) fn detect(&self, value: &str) -> Option<(&'static str, f32)> {
        self.judge(value, 0)
    }

    fn judge(&self, value: &str, depth: usize) -> Option<(&'static str, f32)> {
        let found = self
            .detector
            .detect(value)
            .map(|d| (d.structure.reason, d.score))?;
        if depth < MAX_CONTAINER_DEPTH
            && json::looks_like_json(value)
            && let Ok(parsed) = serde_json::from_str::<serde_json::Value>(value)
        {
            return self.parts(&parsed, depth + 1);
        }
        Some(found)
    }

    /// The first string or key of a parsed JSON container that fires.
    fn parts(&self, v: &serde_json::Value, depth: usize) -> Option<(&'static str, f32)> {
        use serde_json::Value;
        match v {
            Value::String(s) => self.judge(s, depth),
            Value::Array(items) => items.iter().find_map(|i| self.parts(i, depth)),
            Value::Object(map) => map
                .iter()
                .find_map(|(k, i)| self.judge(k, depth).or_else(|| self.parts(i, depth))),
            _ => None,
        }
    }
}

/// The quotes that let a value leave an SQL string.
const QUOTES: Shape = Shape::of_bytes(b"'\"`");

/// What one SQL word is made of, as the analysis splits words.
const ONE_WORD: Shape = Shape::WORD
    .union(Shape::of_bytes(b"$"))
    .union(Shape::NON_ASCII);

/// True when a value of this shape forms no SQL structure (one word); NoSQL operator names
/// are asked before this.
pub(in crate::check) fn skips(shape: Shape) -> bool {
    shape.within(ONE_WORD)
}

/// JSON found inside JSON strings is judged by its parts this many levels deep; deeper, the
/// string is judged as it is.
const MAX_CONTAINER_DEPTH: usize = 8;

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
            if name_like
                && let Some(op) = nosql::operator(&input.value)
                && (!nosql::is_type(&input.value) || type_is_operator(ctx.inputs(), input))
            {
                findings.push(
                    Finding::new(CheckId::Sqli, input.location.as_str(), &input.value)
                        .with_engine(op),
                );
                return;
            }
            // The referer (another page's URL and the search words of its query) and the user
            // agent are stored and compared as strings: only a value that can leave a string,
            // with a quote, is SQL there. "union select example" searched on a search engine
            // is a phrase.
            if matches!(input.location, Location::Referer | Location::UserAgent)
                && !input.shape.any(QUOTES)
            {
                continue;
            }
            // One word (letters, digits, `_`, `$`, non-ASCII) forms no SQL structure: the
            // analysis's prefilter would say so after splitting it into words.
            if skips(input.shape) {
                continue;
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

/// Whether the `$type` key or parameter `input` holds a BSON type (a number, a type alias or
/// a list of them), as MongoDB's `$type` operator does, rather than a type name of a
/// serializer (`"Shop.Cart, Shop"`, `"win32"`) or a pixel's label. A JSON key whose value is
/// no string (a number, a list, an object) counts as an operator.
fn type_is_operator(inputs: &Inputs<'_>, input: &crate::input::Input<'_>) -> bool {
    if input.location == Location::JsonKeys {
        let mut values = inputs
            .at(Location::JsonValues)
            .filter(|v| v.name.as_deref() == Some(&*input.value))
            .peekable();
        return values.peek().is_none() || values.any(|v| nosql::is_bson_type(&v.value));
    }
    let mut values = inputs
        .params
        .iter()
        .filter(|p| p.name == input.value)
        .peekable();
    values.peek().is_none() || values.any(|p| nosql::is_bson_type(&p.value))
}

#[cfg(test)]
mod tests;
