//! Measures `html::analyze` on the labelled data (XSS rows, benign rows, the repository's
//! benign corpus, SQL injection rows for information) and checks it never panics.
//!
//! Run `cargo test -p ironward-ml --release --test integration html -- --nocapture` to see
//! the table. Rows where `split::is_dev` is true are reported apart (never tuned on). The
//! shared datasets are required: a missing file fails the test with its path. Floors and
//! ceilings sit just past the measured figures. Speed is measured by `cargo bench -p
//! ironward-ml --bench html`; the tests only guard against super-linear time.

use crate::support::{Tally, corpus_files, texts as jsonl};
use ironward_ml::Strength;
use ironward_ml::html::analyze;
use ironward_ml::split::is_dev;
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Why an XSS row that forms no structure is label noise rather than a miss, if it is one of
/// the mechanical cases: a bare word (`onMouseOver`, `FSCommand`: a name list, not a
/// payload), a lone `<` written as a reference or escape (`&#x3c;`, `\u003c`, `&lt;`: the
/// engine decodes it and a lone `<` opens nothing), or a percent-encoded payload (the engine
/// passes its decoded form separately).
fn noise(text: &str) -> Option<&'static str> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|c| c.is_ascii_alphabetic()) {
        return Some("bare word");
    }
    let lone_lt = t.len() <= 12
        && t.bytes()
            .all(|c| b"&#;\\<xXuUlLtTcC0123456789".contains(&c))
        && ["<", "3c", "3C", "60", "lt"].iter().any(|p| t.contains(p));
    if lone_lt {
        return Some("lone encoded <");
    }
    let lower = t.to_ascii_lowercase();
    if ["%3c", "%3e", "%22", "%3d", "%3b", "%0a"]
        .iter()
        .any(|p| lower.contains(p))
    {
        return Some("percent-encoded");
    }
    None
}

fn show(s: &str) -> String {
    s.chars()
        .take(160)
        .collect::<String>()
        .escape_debug()
        .to_string()
}

#[test]
#[allow(clippy::print_stdout)]
fn xss_rows() {
    let rows = jsonl("xss.jsonl");
    let (mut train, mut dev) = (Tally::default(), Tally::default());
    let mut missed = Vec::new();
    let mut noisy: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut dev_noise = 0;
    let mut weak_only = Vec::new();
    for text in &rows {
        let f = analyze(text);
        if is_dev(text) {
            dev.add(f);
            if f.strength == Strength::None && noise(text).is_some() {
                dev_noise += 1;
            }
            continue;
        }
        train.add(f);
        match f.strength {
            Strength::None => match noise(text) {
                Some(kind) => *noisy.entry(kind).or_default() += 1,
                None => missed.push(text),
            },
            Strength::Weak => weak_only.push((f.reason, text)),
            Strength::Strong => {}
        }
    }
    println!("{}", train.line("xss (non-dev)"));
    println!("{}", dev.line("xss (dev)"));
    println!("reasons (non-dev): {:?}", train.reasons);
    let noise_rows: usize = noisy.values().sum();
    let clean = train.rows - noise_rows;
    println!(
        "xss (non-dev) without {noise_rows} noise rows {noisy:?}: strong {:.3}%  weak-or-strong {:.3}%",
        100.0 * train.strong as f64 / clean as f64,
        100.0 * (train.strong + train.weak) as f64 / clean as f64
    );
    let dev_clean = dev.rows - dev_noise;
    println!(
        "xss (dev) without {dev_noise} noise rows: strong {:.3}%  weak-or-strong {:.3}%",
        100.0 * dev.strong as f64 / dev_clean as f64,
        100.0 * (dev.strong + dev.weak) as f64 / dev_clean as f64
    );
    println!(
        "-- non-dev xss rows that are None, noise aside ({}):",
        missed.len()
    );
    for t in &missed {
        println!("  {}", show(t));
    }
    println!(
        "-- non-dev xss rows that are only Weak ({}):",
        weak_only.len()
    );
    for (r, t) in &weak_only {
        println!("  [{r}] {}", show(t));
    }
    // Floors 0.2–0.3 point under the measured figures (2026-12-05; raw rates include the
    // label noise counted above): non-dev 95.04 % Strong, 97.20 % Weak-or-Strong, 99.16 %
    // noise aside; dev 95.26 %, 97.56 %, 99.11 % noise aside. (Inert `<svg>` drawings moved
    // a few rows from Strong to Weak; percent-encoded payloads and attribute runs before a
    // handler added dev rows.)
    let clean_rate = 100.0 * (train.strong + train.weak) as f64 / clean as f64;
    let dev_clean_rate = 100.0 * (dev.strong + dev.weak) as f64 / dev_clean as f64;
    assert!(clean_rate >= 99.0, "noise aside: {clean_rate:.3}%");
    assert!(
        dev_clean_rate >= 98.8,
        "dev, noise aside: {dev_clean_rate:.3}%"
    );
    assert!(
        train.pct(train.strong + train.weak) >= 97.0,
        "{}",
        train.line("xss")
    );
    assert!(train.pct(train.strong) >= 94.8, "{}", train.line("xss"));
    assert!(
        dev.pct(dev.strong + dev.weak) >= 97.3,
        "{}",
        dev.line("xss dev")
    );
    assert!(dev.pct(dev.strong) >= 95.0, "{}", dev.line("xss dev"));
}

#[test]
#[allow(clippy::print_stdout)]
fn benign_rows() {
    let mut sets: Vec<(String, Vec<String>)> = vec![("benign.jsonl".into(), jsonl("benign.jsonl"))];
    for (name, values) in corpus_files() {
        sets.push((format!("corpus/{name}"), values));
    }
    let mut total = (Tally::default(), Tally::default());
    for (name, rows) in &sets {
        let (mut train, mut dev) = (Tally::default(), Tally::default());
        let mut strong = Vec::new();
        let mut weak = Vec::new();
        for text in rows {
            let f = analyze(text);
            if is_dev(text) {
                dev.add(f);
                total.1.add(f);
            } else {
                train.add(f);
                total.0.add(f);
            }
            match f.strength {
                Strength::Strong => strong.push((f.reason, text)),
                Strength::Weak => weak.push((f.reason, text)),
                Strength::None => {}
            }
        }
        println!("{}", train.line(&format!("{name} (non-dev)")));
        println!("{}", dev.line(&format!("{name} (dev)")));
        for (r, t) in &strong {
            println!("  STRONG [{r}] {}", show(t));
        }
        for (r, t) in weak.iter().take(15) {
            println!("  weak [{r}] {}", show(t));
        }
    }
    println!("{}", total.0.line("all benign (non-dev)"));
    println!("{}", total.1.line("all benign (dev)"));
    // Measured (2026-12-05): 0 Strong on both splits; Weak 0.060 % (71 / 118,198) non-dev,
    // 0.075 % (22 / 29,475) dev. Ceilings just above.
    for (split, t, weak) in [("non-dev", &total.0, 0.08), ("dev", &total.1, 0.1)] {
        let line = t.line(&format!("all benign ({split})"));
        assert!(t.pct(t.strong) <= 0.005, "{line}");
        assert!(t.pct(t.weak) <= weak, "{line}");
    }
}

/// SQL injection rows rarely form HTML structure (the false positives of `xss` on SQL-shaped
/// values).
#[test]
#[allow(clippy::print_stdout)]
fn sqli_rows_are_rarely_html() {
    let rows = jsonl("sqli.jsonl");
    let (mut train, mut dev) = (Tally::default(), Tally::default());
    let mut strong = Vec::new();
    for text in &rows {
        let f = analyze(text);
        if f.strength == Strength::Strong {
            strong.push((f.reason, text));
        }
        if is_dev(text) {
            dev.add(f)
        } else {
            train.add(f)
        }
    }
    println!("{}", train.line("sqli (non-dev)"));
    println!("{}", dev.line("sqli (dev)"));
    println!("reasons (non-dev): {:?}", train.reasons);
    for (r, t) in strong.iter().take(20) {
        println!("  STRONG [{r}] {}", show(t));
    }
    // Measured (2026-12-05): 0 Strong, 1.358 % Weak (318 / 23,416) non-dev, 1.354 % (77 /
    // 5,685) dev. Ceilings just above.
    for (split, t) in [("non-dev", &train), ("dev", &dev)] {
        let line = t.line(&format!("sqli ({split})"));
        assert!(t.pct(t.strong) <= 0.02, "{line}");
        assert!(t.any_pct() <= 1.6, "{line}");
    }
}

proptest! {
    #[test]
    fn never_panics(s in ".{0,300}") {
        let f = analyze(&s);
        prop_assert_eq!(f.reason.is_empty(), f.strength == Strength::None);
    }

    #[test]
    fn never_panics_on_markup_soup(
        s in "([<>\"'`=:(){}\\[\\]/;\\\\+&#x09 \t\n\0-]|on|src|script|javascript|u003c|ADw-|expression|alert){0,80}"
    ) {
        let f = analyze(&s);
        prop_assert_eq!(f.reason.is_empty(), f.strength == Strength::None);
    }

    #[test]
    fn payload_after_prose_stays_strong(
        prose in "[a-zA-Z0-9 .,!?]{0,60}",
        payload in prop::sample::select(vec![
            "<script>alert(1)</script>",
            "\"><img src=x onerror=alert(1)>",
            "';alert(document.cookie)//",
            "<svg/onload=alert(1)>",
            "javascript:alert(1)",
        ]),
    ) {
        let value = format!("{prose} {payload}");
        prop_assert_eq!(analyze(&value).strength, Strength::Strong, "{}", value);
    }
}

/// Linear time on adversarial megabyte values: each is analysed well within a bound that only
/// super-linear work could reach. A hang guard, in every build (measured 2026-12-05: at most
/// 1.4 s in a debug build, 55 ms in release); the time itself is measured by `cargo bench -p
/// ironward-ml --bench html`, group `html_analyze_1MB`.
#[test]
#[allow(clippy::print_stdout)]
fn linear_on_adversarial_megabytes() {
    let big: Vec<(&str, String)> = vec![
        ("1 MB of '<'", "<".repeat(1 << 20)),
        ("1 MB of '<a '", "<a ".repeat(1 << 18)),
        ("1 MB of quotes", "\"'`".repeat(1 << 18)),
        ("1 MB tag soup", "<a \"' onx= `(:{${".repeat(1 << 16)),
        ("1 MB nesting", "<b><i>(((".repeat(1 << 17)),
        ("1 MB 'java\\t'", "java\t".repeat(1 << 18)),
        ("1 MB ':expr'", ":expr/*".repeat(1 << 17)),
    ];
    for (name, value) in &big {
        let start = std::time::Instant::now();
        let found = analyze(value);
        let ms = start.elapsed().as_secs_f64() * 1e3;
        println!("{name:<24} {ms:>8.2} ms  {found:?}");
        assert!(ms < 30_000.0, "{name}: {ms} ms");
    }
}
