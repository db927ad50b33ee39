//! The invisible characters of the `chars` check, and where text uses them legitimately.
//!
//! Flagged: U+034F (combining grapheme joiner), U+061C (Arabic letter mark), U+115F/U+1160
//! and U+3164/U+FFA0 (Hangul fillers), U+17B4/U+17B5 (Khmer inherent vowels), U+180E
//! (Mongolian vowel separator), U+200B–U+200F (zero-width space, non-joiner, joiner, LRM,
//! RLM), U+202A–U+202E (bidi embeddings and overrides), U+2060–U+206F (word joiner,
//! invisible operators, bidi isolates, deprecated format controls), U+2800 (braille blank),
//! U+FE00–U+FE0F and U+E0100–U+E01EF (variation selectors), U+FEFF (BOM / zero-width
//! no-break space), U+FFF9–U+FFFB (interlinear annotation), U+1BCA0–U+1BCA3 (shorthand
//! format controls), U+1D173–U+1D17A (musical formatting), U+E0000–U+E007F (tag characters).
//! The exceptions are listed in `chars.rs`.

/// True for the characters this check treats as invisible.
pub(super) fn is_invisible(c: char) -> bool {
    matches!(u32::from(c),
        0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x206F | 0x2800 | 0x3164 | 0xFE00..=0xFE0F | 0xFEFF
        | 0xFFA0 | 0xFFF9..=0xFFFB | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0000..=0xE007F | 0xE0100..=0xE01EF)
}

/// True for combining marks (they belong to the word of their base letter).
pub(super) fn is_combining(c: char) -> bool {
    matches!(u32::from(c),
        0x0300..=0x036F | 0x0483..=0x0489 | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF
        | 0xFE20..=0xFE2F)
}

/// Emoji and the symbols that take emoji presentation.
fn is_emoji(c: char) -> bool {
    matches!(u32::from(c),
        0xA9 | 0xAE | 0x203C | 0x2049 | 0x2122 | 0x2139 | 0x2194..=0x21AA | 0x231A..=0x23FF
        | 0x24C2 | 0x25AA..=0x25FE | 0x2600..=0x27BF | 0x2934 | 0x2935 | 0x2B05..=0x2B55
        | 0x3030 | 0x303D | 0x3297 | 0x3299 | 0x1F000..=0x1FAFF)
}

/// Letters and marks of scripts whose text uses ZWJ/ZWNJ (Arabic, Syriac, N'Ko, the Indic
/// scripts, Thai to Tibetan, Myanmar, Khmer, Mongolian, Arabic presentation forms).
fn is_joining_script(c: char) -> bool {
    matches!(u32::from(c),
        0x0600..=0x06FF | 0x0700..=0x07FF | 0x0860..=0x08FF | 0x0900..=0x0DFF | 0x0E00..=0x0FFF
        | 0x1000..=0x109F | 0x1780..=0x17FF | 0x1800..=0x18AF | 0xA8E0..=0xA8FF
        | 0xFB50..=0xFDFF | 0xFE70..=0xFEFC)
}

/// Right-to-left letters (Hebrew, Arabic, Syriac, Thaana, N'Ko… and their presentation forms).
fn is_rtl(c: char) -> bool {
    matches!(u32::from(c), 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFC)
}

fn is_variation_selector(c: char) -> bool {
    matches!(u32::from(c), 0xFE00..=0xFE0F | 0xE0100..=0xE01EF)
}

fn is_tag(c: char) -> bool {
    matches!(u32::from(c), 0xE0020..=0xE007F)
}

/// Longest run of tag characters in an emoji flag (`gbsct` plus the cancel tag, with room).
const MAX_FLAG_TAGS: u32 = 7;

/// True when `s` holds an invisible character outside the legitimate uses.
pub(super) fn has_hidden(s: &str) -> bool {
    let mut prev: Option<char> = None;
    let mut chars = s.chars().peekable();
    // Tag characters seen since the flag's U+1F3F4 (0 when not in a flag sequence).
    let mut tags = 0_u32;
    let mut rtl: Option<bool> = None;
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        if is_tag(c) {
            let in_flag = prev == Some('\u{1F3F4}') || tags > 0;
            if !in_flag || tags >= MAX_FLAG_TAGS {
                return true;
            }
            tags = if c == '\u{E007F}' { 0 } else { tags + 1 };
        } else {
            tags = 0;
            if is_invisible(c) && !allowed(c, prev, next, &mut rtl, s) {
                return true;
            }
        }
        prev = Some(c);
    }
    false
}

/// True when the invisible character `c`, between `prev` and `next`, is a legitimate use.
fn allowed(
    c: char,
    prev: Option<char>,
    next: Option<char>,
    rtl: &mut Option<bool>,
    s: &str,
) -> bool {
    let emoji_before = prev.is_some_and(|p| is_emoji(p) || p == '\u{FE0F}');
    match c {
        '\u{FEFF}' => prev.is_none() && s.contains('\n'),
        '\u{200D}' if emoji_before && next.is_some_and(is_emoji) => true,
        '\u{200C}' | '\u{200D}' => {
            prev.is_some_and(is_joining_script) && next.is_some_and(is_joining_script)
        }
        '\u{200E}' | '\u{200F}' | '\u{061C}' => *rtl.get_or_insert_with(|| s.chars().any(is_rtl)),
        '\u{2800}' => [prev, next]
            .into_iter()
            .flatten()
            .any(|x| ('\u{2801}'..='\u{28FF}').contains(&x)),
        c if is_variation_selector(c) => match prev {
            Some('0'..='9' | '#' | '*') => {
                matches!(c, '\u{FE0E}' | '\u{FE0F}') && next == Some('\u{20E3}')
            }
            Some(p) => !p.is_ascii() && !p.is_whitespace() && !is_invisible(p),
            None => false,
        },
        _ => false,
    }
}
