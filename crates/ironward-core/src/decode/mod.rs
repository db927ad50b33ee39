//! Decoders that undo the encodings attackers hide payloads behind.
//!
//! Each decoder is bounded and never panics. [`variants`] runs them together over one value
//! and reports every distinct decoded form; extraction turns those into extra inputs.
//!
//! One decoder per module: [`percent`] (`%XX`, `%uXXXX`, overlong UTF-8), [`html`] (character
//! references), [`escape`] (backslash escapes), [`base64`] (base64, base64url, `data:` URIs)
//! and [`jwt`] (JSON Web Tokens).
//!
//! # What [`variants`] emits
//!
//! For a value `v` (already form-decoded once by extraction), at most:
//!
//! 1. the **markup form**: `v` after percent-decoding and HTML references, applied in rounds
//!    (one percent pass, then one HTML pass) until nothing changes or `max_rounds` rounds;
//! 2. the **full form**: the markup form after backslash escapes, again in rounds (escape,
//!    percent, HTML) until nothing changes. It is computed only when the markup form holds a
//!    `\`. Both forms are kept because unescaping can destroy evidence as well as reveal it:
//!    `..%5c..%5cnew` is `..\..\new` (a traversal) before escapes and
//!    `..\..` + newline + `ew` after;
//! 3. for each of `v`, the markup form and the full form that is a plausible base64 or JWT
//!    candidate, the decoded text (for a JWT, its header and its payload), followed by the
//!    variants of that text, found the same way one level deeper, down to `max_depth` levels.
//!
//! A form equal to `v` or to one emitted before is skipped, so an ordinary encoded value yields
//! one or two variants. Emitted forms are cut to `max_len` bytes (at a character boundary, with
//! [`Transforms::TRUNCATED`]), and one value yields at most [`MAX_VARIANTS`].
//!
//! # Cost
//!
//! A value without `%`, `&` or `\` that is not shaped like base64 or a JWT (checked by one scan
//! of its bytes) returns at once without allocating: that is nearly every value of a benign
//! request. Otherwise the work is `O(len × max_rounds)` per form, for a bounded number of forms.

pub mod base64;
pub mod escape;
pub mod html;
pub mod jwt;
pub mod percent;
mod rewrite;
mod transforms;

use std::borrow::Cow;

pub use transforms::Transforms;

/// Most variants emitted for one value, whatever the options: bounds the fan-out of nested
/// base64 and JWT decoding.
pub const MAX_VARIANTS: usize = 16;

/// Bounds and switches for [`variants`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Rounds of decoding (each round must change the value to count). A round is one pass of
    /// percent-decoding and one of HTML references (and, for the full form, one of backslash
    /// escapes), so `%25253C` needs three.
    pub max_rounds: usize,
    /// Nesting depth of decodings that may reveal new encodings (base64, JWT).
    pub max_depth: usize,
    /// Try base64/base64url on plausible candidates (`DECODE_B64`).
    pub base64: bool,
    /// Longest decoded variant kept, in bytes.
    pub max_len: usize,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            max_rounds: 3,
            max_depth: 2,
            base64: true,
            max_len: 16 * 1024,
        }
    }
}

/// What decoding had to give up on because of a bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DecodeStats {
    /// Values still changing after `max_rounds` rounds of decoding.
    pub rounds_capped: u32,
    /// Decodings not attempted because `max_depth` was reached.
    pub depth_capped: u32,
    /// Variants not emitted because one value already produced [`MAX_VARIANTS`].
    pub variants_capped: u32,
}

/// Calls `emit` once for each decoded form of `value` that differs from `value` and from every
/// form emitted before, with the decodings that produced it. The value itself is not emitted.
///
/// See the [module documentation](self) for the forms emitted and their cost.
pub fn variants(
    value: &str,
    opts: &DecodeOptions,
    stats: &mut DecodeStats,
    emit: &mut dyn FnMut(String, Transforms),
) {
    if !might_be_encoded(value, opts) {
        return;
    }
    let mut found = Found {
        original: value,
        max_len: opts.max_len,
        items: Vec::new(),
    };
    expand(value, Transforms::NONE, 0, opts, stats, &mut found);
    for (text, transforms) in found.items {
        emit(text, transforms);
    }
}

/// The cheap test of the fast path: could any decoder change `value`?
fn might_be_encoded(value: &str, opts: &DecodeOptions) -> bool {
    memchr::memchr3(b'%', b'&', b'\\', value.as_bytes()).is_some()
        || (opts.base64 && (base64::is_candidate(value) || jwt::is_candidate(value)))
}

/// The variants found so far for one value.
struct Found<'a> {
    /// The value as extracted, never emitted.
    original: &'a str,
    max_len: usize,
    items: Vec<(String, Transforms)>,
}

impl Found<'_> {
    /// Records `text` unless it is the original, empty or already recorded; cuts it to
    /// `max_len`. Returns the recorded text.
    fn record(
        &mut self,
        mut text: String,
        mut transforms: Transforms,
        stats: &mut DecodeStats,
    ) -> Option<&str> {
        if text.len() > self.max_len {
            text.truncate(text.floor_char_boundary(self.max_len));
            transforms |= Transforms::TRUNCATED;
        }
        if text.is_empty() || text == self.original || self.items.iter().any(|(t, _)| *t == text) {
            return None;
        }
        if self.items.len() >= MAX_VARIANTS {
            stats.variants_capped += 1;
            return None;
        }
        self.items.push((text, transforms));
        self.items.last().map(|(text, _)| text.as_str())
    }
}

/// One decoding step applied in the rounds of [`decode_rounds`].
#[derive(Debug, Clone, Copy)]
enum Step {
    Percent,
    Html,
    Escape,
}

impl Step {
    /// The value after one pass, borrowed when the pass changed nothing.
    fn apply(self, value: &str) -> Cow<'_, str> {
        match self {
            Step::Percent => percent::decode(value),
            Step::Html => html::unescape(value),
            Step::Escape => escape::unescape(value),
        }
    }

    fn transform(self) -> Transforms {
        match self {
            Step::Percent => Transforms::PERCENT,
            Step::Html => Transforms::HTML,
            Step::Escape => Transforms::ESCAPE,
        }
    }
}

/// A value after rounds of decoding.
struct Decoded<'a> {
    text: Cow<'a, str>,
    /// The steps that changed it.
    transforms: Transforms,
    /// True when one more round would still have changed it.
    capped: bool,
}

/// Applies `steps` in order, round after round, until a round changes nothing or `max_rounds`
/// rounds have run.
fn decode_rounds<'a>(value: &'a str, steps: &[Step], max_rounds: usize) -> Decoded<'a> {
    let mut text = Cow::Borrowed(value);
    let mut transforms = Transforms::NONE;
    for _ in 0..max_rounds {
        let mut changed = false;
        for &step in steps {
            if let Cow::Owned(next) = step.apply(&text) {
                text = Cow::Owned(next);
                transforms |= step.transform();
                changed = true;
            }
        }
        if !changed {
            return Decoded {
                text,
                transforms,
                capped: false,
            };
        }
    }
    let capped = steps
        .iter()
        .any(|step| matches!(step.apply(&text), Cow::Owned(_)));
    Decoded {
        text,
        transforms,
        capped,
    }
}

/// Records the variants of `value` (reached through `reached_by` at nesting `depth`). Callers
/// check [`might_be_encoded`] first.
fn expand(
    value: &str,
    reached_by: Transforms,
    depth: usize,
    opts: &DecodeOptions,
    stats: &mut DecodeStats,
    found: &mut Found<'_>,
) {
    let markup = decode_rounds(value, &[Step::Percent, Step::Html], opts.max_rounds);
    let markup_transforms = reached_by | markup.transforms;
    let full = if markup.text.contains('\\') {
        let full = decode_rounds(
            &markup.text,
            &[Step::Escape, Step::Percent, Step::Html],
            opts.max_rounds,
        );
        match full.text {
            Cow::Owned(text) => Some((text, full.transforms, full.capped)),
            Cow::Borrowed(_) => None,
        }
    } else {
        None
    };
    if markup.capped || full.as_ref().is_some_and(|(_, _, capped)| *capped) {
        stats.rounds_capped += 1;
    }

    let markup_text = match &markup.text {
        Cow::Owned(text) => {
            found.record(text.clone(), markup_transforms, stats);
            Some(text.as_str())
        }
        Cow::Borrowed(_) => None,
    };
    let full = full.map(|(text, transforms, _)| {
        let transforms = markup_transforms | transforms;
        found.record(text.clone(), transforms, stats);
        (text, transforms)
    });

    if !opts.base64 {
        return;
    }
    expand_binary(value, reached_by, depth, opts, stats, found);
    if let Some(text) = markup_text {
        expand_binary(text, markup_transforms, depth, opts, stats, found);
    }
    if let Some((text, transforms)) = &full {
        expand_binary(text, *transforms, depth, opts, stats, found);
    }
}

/// Records the JWT segments or base64 text of `form`, and their own variants one level deeper.
fn expand_binary(
    form: &str,
    reached_by: Transforms,
    depth: usize,
    opts: &DecodeOptions,
    stats: &mut DecodeStats,
    found: &mut Found<'_>,
) {
    let at_depth_limit = depth >= opts.max_depth;
    if jwt::is_candidate(form) {
        let Some(segments) = jwt::jwt_segments(form) else {
            return;
        };
        if at_depth_limit {
            stats.depth_capped += 1;
            return;
        }
        let transforms = reached_by | Transforms::JWT;
        for segment in segments {
            if let Some(recorded) = found.record(segment, transforms, stats)
                && might_be_encoded(recorded, opts)
            {
                let recorded = recorded.to_owned();
                expand(&recorded, transforms, depth + 1, opts, stats, found);
            }
        }
    } else if let Some((text, truncated)) = base64::decode_candidate_bounded(form, opts.max_len) {
        if at_depth_limit {
            stats.depth_capped += 1;
            return;
        }
        let mut transforms = reached_by | Transforms::BASE64;
        if truncated {
            transforms |= Transforms::TRUNCATED;
        }
        if let Some(recorded) = found.record(text, transforms, stats)
            && might_be_encoded(recorded, opts)
        {
            let recorded = recorded.to_owned();
            expand(&recorded, transforms, depth + 1, opts, stats, found);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ::base64::Engine as _;
    use ::base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use proptest::prelude::*;

    const P: Transforms = Transforms::PERCENT;
    const H: Transforms = Transforms::HTML;
    const E: Transforms = Transforms::ESCAPE;
    const B: Transforms = Transforms::BASE64;
    const J: Transforms = Transforms::JWT;
    const T: Transforms = Transforms::TRUNCATED;

    fn collect_with(value: &str, opts: &DecodeOptions) -> (Vec<(String, Transforms)>, DecodeStats) {
        let mut stats = DecodeStats::default();
        let mut out = Vec::new();
        variants(value, opts, &mut stats, &mut |text, transforms| {
            out.push((text, transforms))
        });
        (out, stats)
    }

    fn collect(value: &str) -> Vec<(String, Transforms)> {
        let (out, stats) = collect_with(value, &DecodeOptions::default());
        assert_eq!(stats, DecodeStats::default(), "{value:?}");
        out
    }

    fn owned(expected: &[(&str, Transforms)]) -> Vec<(String, Transforms)> {
        expected
            .iter()
            .map(|(text, t)| ((*text).to_owned(), *t))
            .collect()
    }

    #[test]
    fn encoded_attacks_come_out_in_clear() {
        let jwt = format!(
            "{}.{}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(r#"{"user":"' or 1=1--"}"#)
        );
        let b64 = |s: &str| STANDARD.encode(s);
        let cases: Vec<(String, Vec<(String, Transforms)>)> = vec![
            ("%2527".into(), owned(&[("'", P)])),
            ("%252e%252e%252f".into(), owned(&[("../", P)])),
            ("%c0%ae%c0%ae%c0%af".into(), owned(&[("../", P)])),
            (
                "..%c0%af..%c0%afetc/passwd".into(),
                owned(&[("../../etc/passwd", P)]),
            ),
            ("%u003cscript%u003e".into(), owned(&[("<script>", P)])),
            ("&lt;script&gt;".into(), owned(&[("<script>", H)])),
            (
                "&#x3c;svg/onload=alert(1)&#62;".into(),
                owned(&[("<svg/onload=alert(1)>", H)]),
            ),
            (
                "%26lt%3Bscript%26gt%3B".into(),
                owned(&[("<script>", P | H)]),
            ),
            ("&#37;3Cscript&#37;3E".into(), owned(&[("<script>", P | H)])),
            (
                r"\u003cimg src=x onerror=alert(1)\u003e".into(),
                owned(&[("<img src=x onerror=alert(1)>", E)]),
            ),
            (r"\x3c".into(), owned(&[("<", E)])),
            (
                "%5Cu003cscript%5Cu003e".into(),
                owned(&[(r"\u003cscript\u003e", P), ("<script>", P | E)]),
            ),
            (r"\u0025\u0033\u0043".into(), owned(&[("<", E | P)])),
            (
                "..%5c..%5cnew".into(),
                owned(&[(r"..\..\new", P), ("..\\..\new", P | E)]),
            ),
            (b64("' OR 1=1 --"), owned(&[("' OR 1=1 --", B)])),
            (
                b64("<script>alert(1)</script>"),
                owned(&[("<script>alert(1)</script>", B)]),
            ),
            (
                URL_SAFE_NO_PAD.encode("<a href=?>x</a>"),
                owned(&[("<a href=?>x</a>", B)]),
            ),
            (
                "JyBPUiAxPTEgLS0%3D".into(),
                owned(&[("JyBPUiAxPTEgLS0=", P), ("' OR 1=1 --", P | B)]),
            ),
            (
                b64("%27%20OR%201%3D1"),
                owned(&[("%27%20OR%201%3D1", B), ("' OR 1=1", B | P)]),
            ),
            (
                b64(&b64("<script>alert(1)</script>")),
                owned(&[
                    ("PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", B),
                    ("<script>alert(1)</script>", B),
                ]),
            ),
            (
                jwt,
                owned(&[
                    (r#"{"alg":"HS256","typ":"JWT"}"#, J),
                    (r#"{"user":"' or 1=1--"}"#, J),
                ]),
            ),
            (
                "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==".into(),
                owned(&[("<script>alert(1)</script>", B)]),
            ),
            ("100%25".into(), owned(&[("100%", P)])),
            (r"C:\temp".into(), owned(&[("C:\temp", E)])),
        ];
        for (value, expected) in cases {
            assert_eq!(collect(&value), expected, "variants({value:?})");
        }
    }

    #[test]
    fn benign_values_produce_nothing_and_take_the_fast_path() {
        let fast = [
            "hello world",
            "O'Brien",
            "Administrator",
            "password",
            "Password1",
            "test1234",
            "John Smith",
            "550e8400-e29b-41d4-a716-446655440000",
            "d41d8cd98f00b204e9800998ecf8427e",
            "2024-01-01",
            "user@example.com",
            "1234567890",
            "application/json",
            "keep-alive",
            "gzip, deflate, br",
            "en-US,en;q=0.5",
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            "www.example.com",
            "",
        ];
        let opts = DecodeOptions::default();
        for value in fast {
            assert!(
                !might_be_encoded(value, &opts),
                "{value:?} misses the fast path"
            );
            assert_eq!(collect(value), [], "{value:?}");
        }
        // These need a closer look but still produce nothing.
        for value in [
            "50% off",
            "AT&T",
            "Q&A",
            r"C:\Users",
            "HelloWorld",
            "getUserById",
            "q3RkT8m2xWbH0e_VfPz9yL4nJc1aGs7uKd6oIhEtB5Y",
            "eyJhbGciOiJIUzI1NiJ9.e30.sig.extra",
        ] {
            assert_eq!(collect(value), [], "{value:?}");
        }
    }

    #[test]
    fn rounds_are_capped_and_counted() {
        let (out, stats) = collect_with("%2525252527", &DecodeOptions::default());
        assert_eq!(out, owned(&[("%2527", P)]));
        assert_eq!(stats.rounds_capped, 1);
        let opts = DecodeOptions {
            max_rounds: 0,
            ..DecodeOptions::default()
        };
        let (out, stats) = collect_with("%27", &opts);
        assert_eq!(out, []);
        assert_eq!(stats.rounds_capped, 1);
    }

    #[test]
    fn depth_is_capped_and_counted() {
        let nested = STANDARD.encode(STANDARD.encode(STANDARD.encode("<script>alert(1)</script>")));
        let (out, stats) = collect_with(&nested, &DecodeOptions::default());
        assert_eq!(out.len(), 2);
        assert!(out.iter().all(|(_, t)| *t == B));
        assert_eq!(stats.depth_capped, 1);
        let opts = DecodeOptions {
            max_depth: 3,
            ..DecodeOptions::default()
        };
        let (out, stats) = collect_with(&nested, &opts);
        assert_eq!(out.last().unwrap().0, "<script>alert(1)</script>");
        assert_eq!(stats.depth_capped, 0);
        let opts = DecodeOptions {
            base64: false,
            ..DecodeOptions::default()
        };
        assert_eq!(
            collect_with(&nested, &opts),
            (vec![], DecodeStats::default())
        );
    }

    #[test]
    fn variants_are_truncated_to_max_len() {
        let opts = DecodeOptions {
            max_len: 4,
            ..DecodeOptions::default()
        };
        let (out, _) = collect_with("&lt;script&gt;", &opts);
        assert_eq!(out, owned(&[("<scr", H | T)]));
        let (out, _) = collect_with("%C3%A9%C3%A9%C3%A9", &opts);
        assert_eq!(out, owned(&[("éé", P | T)]));
        let opts = DecodeOptions {
            max_len: 10,
            ..DecodeOptions::default()
        };
        let (out, _) = collect_with(&STANDARD.encode("<script>alert(1)</script>"), &opts);
        assert_eq!(out, owned(&[("<script>al", B | T)]));
    }

    #[test]
    fn fan_out_is_bounded() {
        // A JWT whose header and payload are themselves JWTs, many levels deep.
        let mut value = String::from("<script>alert(1)</script>");
        for _ in 0..6 {
            let header = format!(r#"{{"alg":"none","kid":"{value}"}}"#);
            value = format!(
                "{}.{}.",
                URL_SAFE_NO_PAD.encode(&header),
                URL_SAFE_NO_PAD.encode(STANDARD.encode(&header))
            );
        }
        let opts = DecodeOptions {
            max_depth: 64,
            ..DecodeOptions::default()
        };
        let (out, _) = collect_with(&value, &opts);
        assert!(out.len() <= MAX_VARIANTS);
    }

    /// Strings dense in the sequences the decoders act on.
    const SOUP: &str =
        r"([%&#;\\ux{}0-9a-fA-F<>'=+/._-]|lt|gt|amp|%25|%5C|\\u00|ey|data:;base64,){0,30}";

    proptest! {
        #[test]
        fn variants_are_bounded_and_distinct(
            value in any::<String>(),
            max_len in 1usize..64,
            max_depth in 0usize..4,
            max_rounds in 0usize..4,
        ) {
            let opts = DecodeOptions { max_rounds, max_depth, base64: true, max_len };
            check_invariants(&value, &opts);
        }

        #[test]
        fn variants_of_encoding_soup_are_bounded_and_distinct(
            value in SOUP,
            max_len in 1usize..64,
            max_depth in 0usize..4,
        ) {
            let opts = DecodeOptions { max_depth, max_len, ..DecodeOptions::default() };
            check_invariants(&value, &opts);
        }

        #[test]
        fn double_percent_encoding_is_undone(payload in r"[ -$'-\[\]-~]{1,40}") {
            use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
            let once = utf8_percent_encode(&payload, NON_ALPHANUMERIC).to_string();
            let twice = utf8_percent_encode(&once, NON_ALPHANUMERIC).to_string();
            prop_assume!(twice != payload);
            let opts = DecodeOptions { base64: false, ..DecodeOptions::default() };
            let out = collect_with(&twice, &opts).0;
            prop_assert!(out.iter().any(|(text, _)| *text == payload), "{twice:?} -> {out:?}");
        }

        #[test]
        fn base64_of_attack_text_is_undone(payload in "<[a-z]{1,8} [a-z]{2,8}=[ -~]{4,30}") {
            let encoded = STANDARD.encode(&payload);
            let out = collect_with(&encoded, &DecodeOptions::default()).0;
            prop_assert!(out.iter().any(|(text, _)| *text == payload), "{encoded:?} -> {out:?}");
        }
    }

    fn check_invariants(value: &str, opts: &DecodeOptions) {
        let (out, _) = collect_with(value, opts);
        assert!(out.len() <= MAX_VARIANTS);
        for (index, (text, _)) in out.iter().enumerate() {
            assert!(
                text.len() <= opts.max_len,
                "{text:?} longer than {}",
                opts.max_len
            );
            assert!(!text.is_empty());
            assert_ne!(text, value);
            assert!(
                out.iter().skip(index + 1).all(|(other, _)| other != text),
                "duplicate {text:?}"
            );
        }
    }
}
