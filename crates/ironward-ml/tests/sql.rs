//! Measures `sql::analyze` on the labelled data (SQL injection rows; benign rows without the
//! whole-statement label noise; the repository's benign corpus; XSS rows), checks floors and
//! ceilings just past the measured figures, and checks it never panics and stays linear on
//! hostile megabyte values (speed itself is measured by `cargo bench -p ironward-ml --bench
//! sql`).
//!
//! Run `cargo test -p ironward-ml --release --test integration sql -- --nocapture --test-threads 1`
//! to see the table, the benign values found Strong (all), a sample of the Weak ones and the
//! SQL injection rows found None. Set `SQL_EVAL_ALL=1` to list every row instead of a sample.
//! Rows where `split::is_dev` is true are reported apart (never tuned on). The shared datasets
//! are required: a missing file fails the test with its path.

// These tests exist to print the measured table (run with `--nocapture`).
#![allow(clippy::print_stdout)]

use std::time::Instant;

use crate::support::{Tally, corpus, jsonl};
use ironward_ml::split::is_dev;
use ironward_ml::sql::analyze;
use ironward_ml::{Strength, Structure};
use proptest::prelude::*;

fn all() -> bool {
    std::env::var_os("SQL_EVAL_ALL").is_some()
}

fn show(title: &str, values: &[(String, Structure)], sample: usize) {
    let n = if all() {
        values.len()
    } else {
        sample.min(values.len())
    };
    println!("--- {title}: {} (showing {n})", values.len());
    for (v, f) in values.iter().take(n) {
        let short: String = v.chars().take(160).collect();
        println!("  {:<20} {short:?}", f.reason);
    }
}

#[test]
fn sqli_detection() {
    let rows = jsonl("sqli.jsonl");
    let (mut train, mut dev) = (Tally::default(), Tally::default());
    let (mut none_train, mut none_dev, mut weak_train) = (Vec::new(), Vec::new(), Vec::new());
    for r in rows
        .iter()
        .filter(|r| r.subtype.as_deref() != Some("nosql"))
    {
        let f = analyze(&r.text);
        let (tally, none) = if is_dev(&r.text) {
            (&mut dev, &mut none_dev)
        } else {
            (&mut train, &mut none_train)
        };
        tally.add(f);
        match f.strength {
            Strength::None => none.push((r.text.clone(), f)),
            Strength::Weak if !is_dev(&r.text) => weak_train.push((r.text.clone(), f)),
            _ => {}
        }
    }
    println!("{}", train.line("sqli non-dev"));
    println!("{}", dev.line("sqli dev"));
    show("sqli non-dev rows found None", &none_train, 400);
    show("sqli non-dev rows found Weak", &weak_train, 60);
    show("sqli dev rows found None (count only)", &none_dev, 0);
    // Measured (2026-12-05): non-dev 97.12 % Strong, 99.48 % Weak-or-Strong; dev 96.61 %,
    // 99.33 %. Floors 0.2–0.3 point under. The remaining None rows are mostly label noise (see the
    // module report).
    assert!(train.any_pct() >= 99.3, "{}", train.line("sqli non-dev"));
    assert!(dev.any_pct() >= 99.03, "{}", dev.line("sqli dev"));
    assert!(
        train.strong_pct() >= 96.82,
        "{}",
        train.line("sqli non-dev")
    );
    assert!(dev.strong_pct() >= 96.3, "{}", dev.line("sqli dev"));
}

#[test]
fn benign_false_positives() {
    let mut strong = Vec::new();
    let mut weak = Vec::new();
    let mut totals = Tally::default();
    let rows = jsonl("benign.jsonl");
    let (mut train, mut dev, mut statements) =
        (Tally::default(), Tally::default(), Tally::default());
    for r in &rows {
        let f = analyze(&r.text);
        if r.subtype.as_deref() == Some("sql_statement") {
            statements.add(f);
            continue;
        }
        totals.add(f);
        if is_dev(&r.text) {
            dev.add(f);
        } else {
            train.add(f);
        }
        match f.strength {
            Strength::Strong => strong.push((r.text.clone(), f)),
            Strength::Weak => weak.push((r.text.clone(), f)),
            Strength::None => {}
        }
    }
    println!("{}", train.line("benign non-dev"));
    println!("{}", dev.line("benign dev"));
    println!("{}", statements.line("benign sql_statement (label noise)"));
    let mut t = Tally::default();
    for v in &corpus() {
        let f = analyze(v);
        t.add(f);
        totals.add(f);
        match f.strength {
            Strength::Strong => strong.push((v.clone(), f)),
            Strength::Weak => weak.push((v.clone(), f)),
            Strength::None => {}
        }
    }
    println!("{}", t.line("repository benign corpus"));
    println!("{}", totals.line("all benign"));
    show("benign values found Strong", &strong, usize::MAX);
    // A spread-out sample of the Weak ones.
    let step = (weak.len() / 80).max(1);
    let sample: Vec<_> = weak.iter().step_by(step).cloned().collect();
    show("benign values found Weak (sample)", &sample, 80);
    // Measured (2026-12-05): corpus 0 Strong, 0.662 % Weak (51 / 7,706); all benign 0 Strong,
    // 0.124 % Weak (169 / 136,216). Ceilings just above.
    assert!(t.strong == 0, "{}", t.line("repository benign corpus"));
    assert!(
        t.weak_pct() <= 0.75,
        "{}",
        t.line("repository benign corpus")
    );
    assert!(
        totals.strong_pct() <= 0.005,
        "{}",
        totals.line("all benign")
    );
    assert!(totals.weak_pct() <= 0.15, "{}", totals.line("all benign"));
}

#[test]
fn xss_rows_are_rarely_sql() {
    let rows = jsonl("xss.jsonl");
    let mut t = Tally::default();
    let mut strong = Vec::new();
    for r in &rows {
        let f = analyze(&r.text);
        t.add(f);
        if f.strength == Strength::Strong {
            strong.push((r.text.clone(), f));
        }
    }
    println!("{}", t.line("xss"));
    show("xss rows found Strong", &strong, 30);
    // Measured (2026-12-05): 0 Strong, 0.958 % Weak (99 / 10,337).
    assert!(t.strong_pct() <= 0.02, "{}", t.line("xss"));
    assert!(t.any_pct() <= 1.2, "{}", t.line("xss"));
}

/// Linear time on hostile megabyte values (quotes, parentheses, token soup).
#[test]
fn linear_on_hostile_input() {
    let big: Vec<String> = vec![
        "'".repeat(100_000),
        "x'".repeat(100_000),
        "(".repeat(1 << 20),
        "1 or ".repeat(200_000),
        "/**/".repeat(250_000),
        "' or '".repeat(100_000),
        "a".repeat(1 << 20),
    ];
    for v in &big {
        let start = Instant::now();
        let _ = analyze(v);
        let ms = start.elapsed().as_secs_f64() * 1e3;
        // A hang guard, not a speed test: these take at most 0.6 s in a debug build and 0.1 s
        // in release (2026-12-05); super-linear work on a megabyte would take minutes. The
        // time itself is measured by `cargo bench -p ironward-ml --bench sql`.
        assert!(ms < 30_000.0, "{} bytes took {ms:.0} ms", v.len());
    }
}

proptest! {
    #[test]
    fn never_panics(s in "\\PC*") {
        let _ = analyze(&s);
    }

    #[test]
    fn never_panics_on_sql_soup(parts in proptest::collection::vec(
        prop_oneof![
            Just("'"), Just("\""), Just("`"), Just("--"), Just("#"), Just("/*"), Just("*/"),
            Just("/*!"), Just("("), Just(")"), Just(";"), Just("@@"), Just("@"), Just("0x"),
            Just(" or "), Just("1=1"), Just("union"), Just("select"), Just("sleep("), Just("é"),
            Just("\u{fffd}"), Just("\u{a0}"), Just("\\"), Just("."), Just("e5"), Just(" "),
        ],
        0..40,
    )) {
        let s: String = parts.concat();
        let _ = analyze(&s);
    }
}

/// Prints the finding for each line of `SQL_PROBE` (a debugging aid:
/// `SQL_PROBE="1' or 1=1 --" cargo test -p ironward-ml --test integration sql::probe -- --ignored --nocapture`).
#[test]
#[ignore = "debugging aid"]
fn probe() {
    if let Ok(n) = std::env::var("SQL_SCALE") {
        let n: usize = n.parse().unwrap_or(65536);
        for (name, unit) in [
            ("quotes", "x'"),
            ("parens", "("),
            ("words", "ab "),
            ("aq", "'a"),
        ] {
            for k in [1, 4] {
                let v = unit.repeat(n * k / unit.len());
                let t = Instant::now();
                let f = analyze(&v);
                println!("{name} {} bytes: {:?} {f:?}", v.len(), t.elapsed());
            }
        }
    }
    let values = std::env::var("SQL_PROBE").unwrap_or_default();
    for v in values.lines() {
        println!("{:?} -> {:?}", v, analyze(v));
    }
}
