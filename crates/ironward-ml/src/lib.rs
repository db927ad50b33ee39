//! # Ironward ML
//!
//! SQL injection and cross-site scripting detection for Ironward: two signals per language,
//! computed on one input value at a time.
//!
//! - **Structural analysis** ([`sql`], [`html`]): a small tokenizer tells whether the value,
//!   placed where an application would put it (inside a quoted string, as a number, as a bare
//!   identifier; as HTML text, inside an attribute, inside a script), forms the language's
//!   structure — keywords in syntactic position, operators, comments, stacked statements; tags,
//!   event handlers, script URIs. It explains a finding and vetoes a score on plain prose.
//! - **A score**: a linear model over hashed features of the normalised value.
//!
//! The crate is pure: no I/O, no threads, no allocation on the scoring path beyond small
//! buffers.
//!
//! ## Example
//! ```
//! use ironward_ml::detect::{Detector, Language};
//! use ironward_ml::{Strength, embedded, sql};
//!
//! // Structure alone: a break-out with a tautology is strong; a name with an apostrophe is not SQL.
//! assert_eq!(sql::analyze("1' or '1'='1' --").strength, Strength::Strong);
//! assert_eq!(sql::analyze("O'Brien").strength, Strength::None);
//!
//! // The detector the `sqli` check runs: structure, then the model, at pyrasp's threshold.
//! let sqli = Detector::new(Language::Sql, embedded::sqli()?, 0.7);
//! let hit = sqli.detect("-1 UNION ALL SELECT username, password FROM users-- -").expect("an injection");
//! assert_eq!(hit.structure.reason, "union_select");
//! assert!(sqli.detect("select a plan from the menu").is_none());
//!
//! let xss = Detector::new(Language::Html, embedded::xss()?, 0.8);
//! assert!(xss.detect("<img src=x onerror=alert(1)>").is_some());
//! assert!(xss.detect("<b>bold</b>").is_none());
//! # Ok::<(), ironward_ml::model::ModelError>(())
//! ```

#![forbid(unsafe_code)]

pub mod detect;
pub mod embedded;
pub mod features;
pub mod html;
pub mod model;
pub mod prompt;
pub mod split;
pub mod sql;
pub mod train;

/// How strongly a value forms a language's structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Strength {
    /// The value forms no structure in any context (prose, names, numbers).
    #[default]
    None,
    /// It forms some structure that benign input also forms at times (`<b>bold</b>`,
    /// `a -- b`, `50% off`): the score decides.
    Weak,
    /// It forms a structure benign input practically never does (a quote that closes a
    /// string and continues with `OR 1=1 --`, `UNION SELECT`, a stacked `DROP`, `sleep(5)`;
    /// a `<script>` tag, an event handler in a tag, a `javascript:` URI).
    Strong,
}

/// What structural analysis found in a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Structure {
    /// How strongly the value forms the structure.
    pub strength: Strength,
    /// A short stable name for the strongest rule that matched (`"tautology"`,
    /// `"union_select"`, `"event_handler"`…); empty when `strength` is `None`.
    pub reason: &'static str,
}

impl Structure {
    /// No structure.
    pub const NONE: Structure = Structure {
        strength: Strength::None,
        reason: "",
    };

    /// A structure of this strength, found by this rule.
    pub const fn new(strength: Strength, reason: &'static str) -> Self {
        Structure { strength, reason }
    }

    /// The stronger of two findings (the first one on a tie).
    pub fn max(self, other: Structure) -> Structure {
        if other.strength > self.strength {
            other
        } else {
            self
        }
    }
}
