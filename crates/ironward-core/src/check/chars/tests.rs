//! Tests of the `chars` check: each class on its own, then through the engine.

use super::invisible::has_hidden;
use super::{has_control, has_mixed_word};
use crate::check::CheckId;
use crate::config::{Config, Level, SecurityChecks};
use crate::engine::Engine;
use crate::request::{Headers, Request};

#[test]
fn control_characters() {
    let cases: &[(&str, bool)] = &[
        ("a\tb\r\nc", false),
        ("Müller", false),
        ("a\0b", true),
        ("bell\x07", true),
        ("esc\x1b[31m", true),
        ("del\x7f", true),
        ("c1 \u{85} is not flagged", false),
    ];
    for (s, want) in cases {
        assert_eq!(has_control(s), *want, "{s:?}");
    }
}

#[test]
fn invisible_characters() {
    let cases: &[(&str, bool)] = &[
        ("plain text", false),
        ("naïve café", false),
        // Emoji: ZWJ sequences, variation selectors, skin tones, keycaps, flags.
        ("family 👨\u{200D}👩\u{200D}👧 ok", false),
        ("👩🏽\u{200D}💻", false),
        ("🏳\u{FE0F}\u{200D}🌈", false),
        ("❤\u{FE0F} and ☺\u{FE0E}", false),
        ("press 1\u{FE0F}\u{20E3}", false),
        (
            "🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}",
            false,
        ),
        // A BOM opening a text file's content.
        ("\u{FEFF}line 1\nline 2", false),
        // Persian ZWNJ, Devanagari ZWJ, Hebrew with RLM, braille text.
        ("می\u{200C}خواهم", false),
        ("क्\u{200D}ष", false),
        ("שלום\u{200F} world", false),
        ("⠓\u{2800}⠊", false),
        // Attacks and hidden content.
        ("pass\u{200B}word", true),
        ("admin\u{200D}", true),
        ("a\u{200C}b", true),
        ("invoice\u{202E}fdp.exe", true),
        ("x\u{2066}y\u{2069}", true),
        ("word\u{2060}joiner", true),
        ("he\u{FEFF}llo", true),
        ("\u{FEFF}admin", true),
        ("admin\u{FEFF}", true),
        ("\u{FEFF}\u{FEFF}x", true),
        ("\u{3164}", true),
        ("name\u{115F}", true),
        ("x\u{FE0F}", true),
        ("😀\u{FE0F}\u{FE0E}\u{FE0F}", true),
        ("😀\u{E0100}\u{E0101}", true),
        ("ignore\u{E0041}\u{E0042}", true),
        (
            "🏴\u{E0061}\u{E0062}\u{E0063}\u{E0064}\u{E0065}\u{E0066}\u{E0067}\u{E0068}",
            true,
        ),
        ("\u{2800}", true),
        ("left\u{200E}mark", true),
    ];
    for (s, want) in cases {
        assert_eq!(has_hidden(s), *want, "{s:?}");
    }
}

#[test]
fn mixed_script_words() {
    let cases: &[(&str, bool)] = &[
        ("Привет мир", false),
        ("hello мир", false),
        ("Müller", false),
        ("naïve café", false),
        ("iPhone-ом", false),
        ("Ёлка", false),
        ("p\u{0430}ypal", true),
        ("www.g\u{043E}\u{043E}gle.com", true),
        ("аррlе", true),
        ("Mu\u{0308}ller", false),
    ];
    for (s, want) in cases {
        assert_eq!(has_mixed_word(s), *want, "{s}");
    }
}

fn engine(edit: impl FnOnce(&mut Config)) -> Engine {
    let mut c = Config::default();
    c.security_checks = SecurityChecks::default();
    c.security_checks.set(CheckId::Chars, Level::Block);
    edit(&mut c);
    Engine::new(c).unwrap()
}

fn first(engine: &Engine, req: &Request<'_>) -> Option<(&'static str, String)> {
    let v = engine.inspect_request(req);
    v.findings.first().map(|f| (f.location, f.payload.clone()))
}

#[test]
fn through_the_engine() {
    let all = engine(|c| {
        c.chars_nonprintable = true;
        c.chars_invisible = true;
        c.chars_cyrillic = true;
    });
    let none = engine(|_| {});
    let benign = [
        "/?q=Привет+мир&n=Müller&e=%F0%9F%91%A8%E2%80%8D%F0%9F%91%A9%E2%80%8D%F0%9F%91%A7",
        "/?q=plain&x=%E2%9D%A4%EF%B8%8F",
        "/?p=C:%5CUsers%5Cbob%5Cfrying-pan%5Cbookshelf.txt",
    ];
    for target in benign {
        assert_eq!(first(&all, &Request::new("GET", target)), None, "{target}");
    }
    let cases: &[(&str, &str, &str)] = &[
        ("/?u=p%D0%B0ypal", "qs_values", "pаypal"),
        ("/?u=a%E2%80%8Bb", "qs_values", "a\u{200B}b"),
        ("/?u=a%00b", "qs_values", "a\0b"),
        ("/?u=a%2500b", "qs_values", "a\0b"),
        ("/?u=%EF%BB%BFadmin", "qs_values", "\u{FEFF}admin"),
        ("/f%E2%80%AEexe", "path", "f\u{202E}exe"),
    ];
    for (target, loc, payload) in cases {
        let req = Request::new("GET", target);
        assert_eq!(
            first(&all, &req),
            Some((*loc, (*payload).to_owned())),
            "{target}"
        );
        assert_eq!(first(&none, &req), None, "{target}");
    }
    // Each switch on its own.
    let only_cyr = engine(|c| c.chars_cyrillic = true);
    assert_eq!(first(&only_cyr, &Request::new("GET", "/?u=a%00b")), None);
    let h: Headers<'_> = [("User-Agent", "Mozilla\u{200B}")].into_iter().collect();
    let only_inv = engine(|c| c.chars_invisible = true);
    let req = Request::new("GET", "/").with_headers(h);
    assert_eq!(
        first(&only_inv, &req),
        Some(("user_agent", "Mozilla\u{200B}".to_owned()))
    );
}

proptest::proptest! {
    #[test]
    fn never_panics(s in "\\PC*|[\u{0}-\u{7f}\u{200b}-\u{200f}\u{fe00}-\u{fe0f}\u{e0000}-\u{e007f}\u{1f3f4}\u{1f600}а-яa-z]{0,40}") {
        let _ = (has_control(&s), has_hidden(&s), has_mixed_word(&s));
    }
}
