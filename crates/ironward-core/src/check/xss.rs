//! `xss`: cross-site scripting.
//!
//! Every scored input (parameter names and values, JSON keys and values, cookies, headers, user
//! agent, referer, path segments, and their decoded variants — HTML entities and percent
//! escapes already resolved by extraction) goes through `ironward_ml::html::analyze` and, when
//! that finds markup or script structure, through the XSS model; `ironward_ml::detect` says how
//! the two combine. pyrasp scored every value with a 100-tree random forest (6–12 ms a value,
//! `<b>bold</b>` blocked); here a value without structure costs a byte scan, and one with
//! structure a few hundred table lookups.

use super::{Check, CheckId, RequestContext};
use crate::config::Config;
use crate::engine::EngineError;
use crate::input::Shape;
use crate::verdict::Finding;
use ironward_ml::detect::{Detector, Language};

/// The bytes without which a value is never markup (the analysis's triggers and `%`, which may
/// hide one): a value holding none of them is skipped without a call.
const MARKUP: Shape =
    Shape::of_bytes(ironward_ml::html::TRIGGER_BYTES).union(Shape::of_bytes(b"%"));

/// True when a value of this shape is never markup: the analysis would say so after its scan.
pub(super) fn skips(shape: Shape) -> bool {
    !shape.any(MARKUP)
}

/// The `xss` check.
#[derive(Debug)]
pub(crate) struct Xss {
    detector: Detector,
}

impl Xss {
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let model = ironward_ml::embedded::xss()
            .map_err(|source| EngineError::Model { key: "xss", source })?;
        Ok(Xss {
            detector: Detector::new(Language::Html, model, config.xss_proba as f32),
        })
    }

    /// The rule and score when `value` is an XSS payload.
    pub(crate) fn detect(&self, value: &str) -> Option<(&'static str, f32)> {
        self.detector
            .detect(value)
            .map(|d| (d.structure.reason, d.score))
    }
}

impl Check for Xss {
    fn id(&self) -> CheckId {
        CheckId::Xss
    }

    fn check_request(&self, ctx: &RequestContext<'_, '_>, findings: &mut Vec<Finding>) {
        for input in ctx.inputs().scored() {
            if skips(input.shape) {
                continue;
            }
            if let Some((rule, score)) = self.detect(&input.value) {
                findings.push(
                    Finding::new(CheckId::Xss, input.location.as_str(), &input.value)
                        .with_score(score)
                        .with_engine(rule),
                );
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::Xss;
    use crate::check::test_support::run_request;
    use crate::config::Config;
    use crate::request::Request;

    fn detector() -> Xss {
        Xss::new(&Config::default()).unwrap()
    }

    /// Hand-written attacks in each context: HTML text, attribute break-outs, URL attributes,
    /// script strings.
    const ATTACKS: &[&str] = &[
        "<script>alert(1)</script>",
        "<ScRiPt src=//evil.example/x.js></script>",
        "<img src=x onerror=alert(document.cookie)>",
        "<svg/onload=alert(1)>",
        "<body onload=prompt(1)>",
        "\"><script>alert(1)</script>",
        "\" onmouseover=\"alert(1)",
        "' autofocus onfocus=alert(1) x='",
        "<a href=\"javascript:alert(1)\">x</a>",
        "javascript:alert(document.domain)",
        "<iframe src=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">",
        "';alert(String.fromCharCode(88,83,83))//",
        "</script><script>alert(1)</script>",
        "<details open ontoggle=alert(1)>",
    ];

    /// Benign look-alikes: small formatting markup, maths, generics, emails, markdown.
    const BENIGN: &[&str] = &[
        "<b>bold</b>",
        "<i>italic</i> and <strong>strong</strong>",
        "line one<br>line two",
        "<a href=\"https://example.com/docs\">the docs</a>",
        "a < b and c > d",
        "x<3",
        "<3 love it",
        "John Smith <john@example.com>",
        "List<String>",
        "**bold** and [a link](https://example.com)",
        "O'Brien",
        "Tom & Jerry",
        "javascript tutorial for beginners",
        "display=on&online=1",
        "Ondrej",
        "One second",
        "=> next",
    ];

    #[test]
    fn attacks_fire_and_benign_look_alikes_pass() {
        let d = detector();
        crate::check::test_support::assert_table(|v| d.detect(v), ATTACKS, BENIGN);
    }

    #[test]
    fn entity_and_percent_encoded_attacks_fire_through_extraction() {
        let config = Config::default();
        let d = detector();
        for target in [
            "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            "/search?q=%253Cimg%2520src%253Dx%2520onerror%253Dalert(1)%253E",
            "/search?q=%26lt%3Bscript%26gt%3Balert(1)%26lt%3B%2Fscript%26gt%3B",
        ] {
            let found = run_request(&d, &config, &Request::new("GET", target));
            assert_eq!(found.len(), 1, "{target}");
        }
    }
}
