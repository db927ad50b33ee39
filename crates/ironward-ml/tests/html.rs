//! Measures `html::analyze` on the labelled data (XSS rows, benign rows, the repository's
//! benign corpus, SQL injection rows for information) and checks it never panics.
//!
//! Run `cargo test -p ironward-ml --release --test integration html -- --nocapture` to see
//! the table. Rows where `split::is_dev` is true are reported apart (never tuned on). The
//! tests pass quietly when the data files are absent.

use crate::support::{CORPUS, Tally, texts as jsonl};
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
    let Some(rows) = jsonl("xss.jsonl") else {
        return;
    };
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
    // Floors a little under the measured figures (see the module doc of `html` and the
    // report): raw rates include the label noise counted above.
    let clean_rate = 100.0 * (train.strong + train.weak) as f64 / clean as f64;
    assert!(clean_rate >= 99.0, "noise aside: {clean_rate:.3}%");
    assert!(
        train.pct(train.strong + train.weak) >= 97.0,
        "{}",
        train.line("xss")
    );
    assert!(train.pct(train.strong) >= 94.5, "{}", train.line("xss"));
    assert!(
        dev.pct(dev.strong + dev.weak) >= 97.0,
        "{}",
        dev.line("xss dev")
    );
    assert!(dev.pct(dev.strong) >= 94.0, "{}", dev.line("xss dev"));
}

#[test]
#[allow(clippy::print_stdout)]
fn benign_rows() {
    let mut sets: Vec<(String, Vec<String>)> = Vec::new();
    if let Some(rows) = jsonl("benign.jsonl") {
        sets.push(("benign.jsonl".into(), rows));
    }
    if let Ok(dir) = std::fs::read_dir(CORPUS) {
        let mut files: Vec<_> = dir.filter_map(Result::ok).map(|e| e.path()).collect();
        files.sort();
        for path in files {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            sets.push((
                format!("corpus/{name}"),
                text.lines().map(str::to_owned).collect(),
            ));
        }
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
    if total.0.rows > 0 {
        assert!(
            total.0.pct(total.0.strong) <= 0.02,
            "{}",
            total.0.line("benign")
        );
        assert!(
            total.0.pct(total.0.weak) <= 1.0,
            "{}",
            total.0.line("benign")
        );
    }
}

#[test]
#[allow(clippy::print_stdout)]
fn sqli_rows_for_information() {
    let Some(rows) = jsonl("sqli.jsonl") else {
        return;
    };
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

/// Values of about `len` bytes for the timing test: prose, markup and an attack.
fn timing_inputs(len: usize) -> Vec<(&'static str, String)> {
    let fill = |seed: &str| {
        let mut s = String::new();
        while s.len() < len {
            s.push_str(seed);
        }
        s.truncate(len);
        s
    };
    vec![
        (
            "prose (no trigger)",
            fill("the quick brown fox jumps over the lazy dog "),
        ),
        (
            "prose with punctuation",
            fill("O'Brien said: \"fine (really)\" a=b; "),
        ),
        (
            "benign markup",
            fill("<p>Thanks for <b>your</b> order!</p> "),
        ),
        ("url", fill("https://example.com/a/b?q=shoes&page=2#top/")),
        ("attack at the end", {
            let mut s = fill("the quick brown fox jumps over the lazy dog ");
            s.truncate(len.saturating_sub(30));
            s.push_str("\"><img src=x onerror=alert(1)>");
            s
        }),
    ]
}

/// Best and median time of `analyze` per call, in nanoseconds, on `value` (31 rounds).
fn time_ns(value: &str) -> (f64, f64) {
    let iters = (200_000 / value.len().max(1)).clamp(50, 20_000);
    let mut samples = Vec::with_capacity(31);
    for _ in 0..31 {
        let start = std::time::Instant::now();
        for _ in 0..iters {
            std::hint::black_box(analyze(std::hint::black_box(value)));
        }
        samples.push(start.elapsed().as_nanos() as f64 / iters as f64);
    }
    samples.sort_by(f64::total_cmp);
    (samples[0], samples[samples.len() / 2])
}

/// Prints the best and median time per call; asserts the budget on the best round (robust
/// to other processes on shared machines) in release builds only (debug builds are 10–50×
/// slower). `cargo test -p ironward-ml --release --test integration html::speed --
/// --nocapture`.
#[test]
#[allow(clippy::print_stdout)]
fn speed() {
    let release = !cfg!(debug_assertions);
    for (len, budget_ns) in [(64, 1_000.0), (1024, 5_000.0)] {
        for (name, value) in timing_inputs(len) {
            let (best, median) = time_ns(&value);
            println!("{len:>5} B  {name:<24} best {best:>9.1} ns  median {median:>9.1} ns");
            if release {
                assert!(best <= budget_ns, "{name} {len} B: {best} ns");
            }
        }
    }
    // Linear time on adversarial megabyte values.
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
        if release {
            assert!(ms < 200.0, "{name}: {ms} ms");
        }
    }
}
