//! `chars`: suspicious characters — control characters, invisible characters and
//! Latin/Cyrillic homoglyph spoofing — in the scored inputs.
//!
//! Each class has its own switch; the check does nothing when all three are off. Values that
//! are printable ASCII (plus tab, CR, LF) are skipped after one byte scan. Decoded variants
//! produced by base64 or JWT decoding are not looked at (binary-ish text, not what the client
//! typed); percent, HTML and escape decodings are (`%00`, `&#8203;`, `\u202e`), except that
//! control characters are not looked for in backslash-escape decodings (`C:\Users\bob` would
//! hold a backspace and a form feed). Only the first
//! offending value is reported: location = its input location, payload = the value.
//!
//! - `CHARS_NONPRINTABLE`: C0 controls other than tab, LF and CR, and DEL (U+007F). C1
//!   controls are not flagged: header values are read as Latin-1, where UTF-8 text shows them.
//! - `CHARS_INVISIBLE`: the characters of `chars/invisible.rs` (zero-width, bidi controls and
//!   overrides, fillers, variation selectors, tag characters…), except where text uses them
//!   legitimately: a BOM as the first character of a multi-line value (a text file's
//!   content; on a one-line value like `\u{FEFF}admin` it is an evasion); ZWJ/ZWNJ between
//!   two emoji or between two letters of scripts that join (Arabic, Indic, Southeast Asian…); one
//!   variation selector after a non-ASCII base character (an emoji, a symbol, an ideograph)
//!   or after a keycap base `0-9 # *` followed by U+20E3 — a run of selectors is flagged
//!   (data smuggled in selectors); LRM/RLM/ALM in a value that has right-to-left letters;
//!   tag characters in an emoji flag sequence (U+1F3F4, at most 7 tags).
//! - `CHARS_CYRILLIC`: a *word* (a maximal run of letters and combining marks) mixing Latin
//!   and Cyrillic letters, like `pаypal` with a Cyrillic `а`. Whole Cyrillic words ("Привет
//!   мир") and accented Latin ("Müller", "naïve") pass; pyrasp flagged any Cyrillic letter.
//!   Whole-script confusables (an all-Cyrillic `рау`) are not detected.

mod invisible;

use super::{Check, CheckId, RequestContext};
use crate::config::Config;
use crate::decode::Transforms;
use crate::engine::EngineError;
use crate::verdict::Finding;

/// The `chars` check.
#[derive(Debug)]
pub(crate) struct SuspiciousChars {
    nonprintable: bool,
    invisible: bool,
    cyrillic: bool,
}

impl SuspiciousChars {
    /// The check, with the `CHARS_*` switches.
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        Ok(SuspiciousChars {
            nonprintable: config.chars_nonprintable,
            invisible: config.chars_invisible,
            cyrillic: config.chars_cyrillic,
        })
    }

    /// True when `value` breaks one of the enabled rules; `escaped` when it is a
    /// backslash-escape decoding.
    fn suspicious(&self, value: &str, escaped: bool) -> bool {
        let plain = value
            .bytes()
            .all(|b| (0x20..0x7F).contains(&b) || matches!(b, b'\t' | b'\n' | b'\r'));
        if plain {
            return false;
        }
        (self.nonprintable && !escaped && has_control(value))
            || (self.invisible && invisible::has_hidden(value))
            || (self.cyrillic && has_mixed_word(value))
    }
}

impl Check for SuspiciousChars {
    fn id(&self) -> CheckId {
        CheckId::Chars
    }

    fn check_request(&self, ctx: &RequestContext<'_, '_>, findings: &mut Vec<Finding>) {
        if !(self.nonprintable || self.invisible || self.cyrillic) {
            return;
        }
        for input in ctx.inputs().scored() {
            let t = input.transforms;
            if t.contains(Transforms::BASE64) || t.contains(Transforms::JWT) {
                continue;
            }
            if self.suspicious(&input.value, t.contains(Transforms::ESCAPE)) {
                findings.push(Finding::new(
                    CheckId::Chars,
                    input.location.as_str(),
                    &input.value,
                ));
                return;
            }
        }
    }
}

/// True when `s` holds a C0 control other than tab, LF and CR, or DEL.
fn has_control(s: &str) -> bool {
    s.bytes()
        .any(|b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7F)
}

/// The script of a letter, as far as this check cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Cyrillic,
    Other,
}

fn script(c: char) -> Script {
    match u32::from(c) {
        0x41..=0x5A
        | 0x61..=0x7A
        | 0xC0..=0x24F
        | 0x1E00..=0x1EFF
        | 0x2C60..=0x2C7F
        | 0xA720..=0xA7FF
        | 0xFF21..=0xFF3A
        | 0xFF41..=0xFF5A => Script::Latin,
        0x400..=0x52F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => Script::Cyrillic,
        _ => Script::Other,
    }
}

/// True when a word of `s` mixes Latin and Cyrillic letters.
fn has_mixed_word(s: &str) -> bool {
    let (mut latin, mut cyrillic) = (false, false);
    for c in s.chars() {
        if c.is_alphabetic() || invisible::is_combining(c) {
            match script(c) {
                Script::Latin => latin = true,
                Script::Cyrillic => cyrillic = true,
                Script::Other => {}
            }
            if latin && cyrillic {
                return true;
            }
        } else {
            (latin, cyrillic) = (false, false);
        }
    }
    false
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
