//! Table tests of the path sink detector: traversals built the way a vulnerable application
//! joins a user's file name to its directory (must fire), user file names that stay inside
//! (must not), and property tests (safe names never fire; nothing panics; linear time).
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use super::{MAX_OCCURRENCES, check};
use crate::sink::Reason;
use crate::sink::test_support::assert_no_false_positives;
use proptest::prelude::*;
use std::time::{Duration, Instant};

/// Exploits: (base given to the check, final path the application uses, input, reason).
const EXPLOITS: &[(Option<&str>, &str, &str, Reason)] = &[
    (
        None,
        "/var/app/uploads/../../etc/passwd",
        "../../etc/passwd",
        Reason::Climb,
    ),
    (
        Some("/var/app/uploads"),
        "/var/app/uploads/../../etc/passwd",
        "../../etc/passwd",
        Reason::Climb,
    ),
    (
        None,
        "/var/app/uploads/../../../../../../../../etc/passwd",
        "../../../../../../../../etc/passwd",
        Reason::Climb,
    ),
    (
        None,
        "C:\\app\\files\\..\\..\\windows\\win.ini",
        "..\\..\\windows\\win.ini",
        Reason::Climb,
    ),
    (
        None,
        "/var/app/uploads/..\\..\\etc/passwd",
        "..\\..\\etc/passwd",
        Reason::Climb,
    ),
    // `os.path.join("/var/app/uploads/", "/etc/passwd")` is `/etc/passwd`.
    (
        Some("/var/app/uploads/"),
        "/etc/passwd",
        "/etc/passwd",
        Reason::Absolute,
    ),
    (None, "/etc/passwd", "/etc/passwd", Reason::Absolute),
    (
        Some("/var/app/uploads"),
        "/var/app/../../etc/shadow",
        "/var/app/../../etc/shadow",
        Reason::Absolute,
    ),
    (
        Some("C:\\app\\files"),
        "C:\\Windows\\win.ini",
        "C:\\Windows\\win.ini",
        Reason::Absolute,
    ),
    (None, "c:/boot.ini", "c:/boot.ini", Reason::Absolute),
    (
        Some("D:\\data"),
        "C:secret.txt",
        "C:secret.txt",
        Reason::Absolute,
    ),
    (
        None,
        "\\\\evil\\share\\x",
        "\\\\evil\\share\\x",
        Reason::Absolute,
    ),
    (None, "~/.ssh/id_rsa", "~/.ssh/id_rsa", Reason::Absolute),
    (
        Some("/var/app"),
        "~root/.bashrc",
        "~root/.bashrc",
        Reason::Absolute,
    ),
    (None, "/var/app/uploads/x\0.png", "x\0.png", Reason::NulByte),
    (
        None,
        "/var/app/uploads/../../etc/passwd\0.png",
        "../../etc/passwd\0",
        Reason::NulByte,
    ),
    // The application stripped `../` once: it uses the stripped form.
    (
        None,
        "/var/app/uploads/../../etc/passwd",
        "....//....//etc/passwd",
        Reason::Climb,
    ),
    (
        None,
        "C:\\app\\files\\..\\..\\win.ini",
        "....\\\\....\\\\win.ini",
        Reason::Climb,
    ),
    // … or did not strip it: Windows reads `....` as `..`.
    (
        None,
        "/var/app/uploads/....//....//etc/passwd",
        "....//....//etc/passwd",
        Reason::Climb,
    ),
    (
        None,
        "/var/app/data/uploads/../../secret",
        "uploads/../../secret",
        Reason::Climb,
    ),
    (
        None,
        "C:\\app\\files\\.. \\.. \\boot.ini",
        ".. \\.. \\boot.ini",
        Reason::Climb,
    ),
    (
        None,
        "C:\\app\\files\\...\\...\\boot.ini",
        "...\\...\\boot.ini",
        Reason::Climb,
    ),
    (None, "/var/app/uploads/..", "..", Reason::Climb),
    (None, "/var/app/uploads/../.env", "../.env", Reason::Climb),
    // The application appends an extension.
    (
        None,
        "/var/app/uploads/../../etc/passwd.png",
        "../../etc/passwd",
        Reason::Climb,
    ),
    // Relative paths: to the working directory, or to a known base.
    (
        None,
        "static/../../config.py",
        "../../config.py",
        Reason::Climb,
    ),
    (None, "../secret.txt", "../secret.txt", Reason::Climb),
    (
        Some("/srv/files"),
        "../../etc/shadow",
        "../../etc/shadow",
        Reason::Climb,
    ),
    (
        None,
        "/srv/www/a/b/./../../../etc/passwd",
        "a/b/./../../../etc/passwd",
        Reason::Climb,
    ),
];

/// Benign: (base, final path, inputs).
fn benign() -> Vec<(Option<&'static str>, String, Vec<&'static str>)> {
    let names = [
        "report.final.v2.pdf",
        "my file (1).txt",
        "résumé 2024.docx",
        "日本語のファイル.txt",
        "a..b.txt",
        "..hidden",
        ".hidden",
        "./x",
        "x/./y",
        "reports/2024/q1.pdf",
        "reports/2024/../2023/q4.pdf",
        "notes...txt",
        "file.",
        "x..",
        "...txt",
        ".. x",
        "name with  spaces .txt",
        "tar -czvf backup.tar.gz",
        "C-3PO.png",
        "a~b.txt",
        "12:30 meeting.txt",
        "dir/sub dir/deep/file.tar.gz",
        "emoji 🎉.png",
    ];
    let mut cases = Vec::new();
    for name in names {
        for dir in ["/var/app/uploads/", "C:\\app\\files\\", "data/", ""] {
            cases.push((None, format!("{dir}{name}"), vec![name, "irrelevant"]));
        }
        cases.push((
            Some("/var/app/uploads"),
            format!("/var/app/uploads/{name}"),
            vec![name],
        ));
        cases.push((Some("/var/app/uploads"), name.to_owned(), vec![name]));
    }
    // Inputs absent from the path, and 1-byte inputs.
    cases.push((
        None,
        "/var/app/uploads/photo.png".to_owned(),
        vec!["../../etc/passwd", "/etc/passwd", "x\0.png", "C:\\x"],
    ));
    cases.push((
        None,
        "/var/app/uploads/../shared/x".to_owned(),
        vec!["/", ".", "~", "\\", ":"],
    ));
    cases.push((
        Some("/var/app/uploads"),
        "/var/app/uploads/2024/./q1/../q2.pdf".to_owned(),
        vec!["2024/./q1/../q2.pdf", "q1/..", "/.", "./"],
    ));
    // The application's own `..`, outside the input.
    cases.push((
        None,
        "/var/app/bin/../uploads/photo.png".to_owned(),
        vec!["photo.png", "uploads"],
    ));
    cases.push((
        None,
        "../shared/uploads/photo.png".to_owned(),
        vec!["photo.png"],
    ));
    // A plain concatenation with an absolute input stays inside (`//` is `/`).
    cases.push((
        None,
        "/var/app/uploads//etc/passwd".to_owned(),
        vec!["/etc/passwd"],
    ));
    cases.push((
        None,
        "/var/app/uploads/\\\\evil\\share".to_owned(),
        vec!["\\\\evil\\share"],
    ));
    cases.push((
        None,
        "/var/app/uploads/~/.bashrc".to_owned(),
        vec!["~/.bashrc"],
    ));
    // A name that climbs but comes back inside.
    cases.push((
        None,
        "/var/app/uploads/a/../b.txt".to_owned(),
        vec!["a/../b.txt"],
    ));
    cases
}

#[test]
fn exploits_fire() {
    let mut missed = Vec::new();
    let mut fired = 0;
    for &(base, path, input, reason) in EXPLOITS {
        match check(base, path, ["irrelevant", input, "x"]) {
            Some(f) => {
                fired += 1;
                assert_eq!(f.input, input);
                assert_eq!(f.input_index, 1);
                assert_eq!(f.reason, reason, "{path} <- {input:?}");
                assert!(path.get(f.span.clone()).is_some(), "{path}: {:?}", f.span);
            }
            None => missed.push(format!("{base:?} {path:?} <- {input:?}")),
        }
    }
    println!("sink path: exploits fired {fired}/{}", EXPLOITS.len());
    assert!(missed.is_empty(), "missed exploits:\n{}", missed.join("\n"));
}

#[test]
fn benign_paths_never_fire() {
    let list = benign();
    let mut false_positives = Vec::new();
    for (base, path, inputs) in &list {
        if let Some(f) = check(*base, path, inputs) {
            false_positives.push(format!("{base:?} {path:?} <- {:?} ({})", f.input, f.reason));
        }
    }
    assert_no_false_positives("path", list.len(), &false_positives);
}

#[test]
fn several_occurrences_one_escaping_is_enough() {
    // `..` first occurs inside a name (`..x`: stays inside), then as a segment that climbs.
    let path = "/srv/up/..x/..";
    let f = check(None, path, [".."]).unwrap();
    assert_eq!(f.reason, Reason::Climb);
    assert_eq!(f.span, 12..14);
    // With a known base, the path must leave it.
    let input = "x/../..";
    assert_eq!(check(Some("/srv/up"), "/srv/up/x/x/../..", [input]), None);
    let f = check(Some("/srv/up"), "/srv/up/x/../..", [input]).unwrap();
    assert_eq!(f.reason, Reason::Climb);
}

#[test]
fn many_occurrences_stay_linear() {
    // 40,000 occurrences of the input in a 200 kB path: only MAX_OCCURRENCES are examined.
    let path = format!("/var/up/{}", "x/../".repeat(40_000));
    let inputs: Vec<String> = (0..20)
        .map(|i| format!("x/../{}", "x/../".repeat(i % 3)))
        .collect();
    let start = Instant::now();
    assert!(check(None, &path, &inputs).is_none());
    let took = start.elapsed();
    println!("sink path: 20 inputs, 40,000 occurrences each, 200 kB path: {took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    const { assert!(MAX_OCCURRENCES <= 64) };
}

fn safe_name() -> impl Strategy<Value = String> {
    // A first byte that is not a dot or a space, then any safe name characters: a segment
    // never made of dots and spaces only.
    proptest::string::string_regex("[a-zA-Z0-9_éü日-][a-zA-Z0-9 _.éü日()~:-]{0,12}").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn safe_names_never_fire(segs in proptest::collection::vec(safe_name(), 1..4), sep in 0usize..2) {
        let input = segs.join(["/", "\\"][sep]);
        for dir in ["/var/app/uploads/", "C:\\app\\files\\", "data/", "../shared/"] {
            let path = format!("{dir}{input}");
            prop_assert_eq!(check(None, &path, [input.as_str()]), None, "{}", path);
            prop_assert_eq!(check(Some(dir), &path, [input.as_str()]), None, "{}", path);
        }
    }

    #[test]
    fn never_panics(base in proptest::option::of(any::<String>()), path in any::<String>(), inputs in proptest::collection::vec(any::<String>(), 0..6)) {
        let _ = check(base.as_deref(), &path, &inputs);
        let cuts: Vec<&str> = inputs
            .iter()
            .filter_map(|i| {
                let a = i.len() % (path.len() + 1);
                let b = (a + i.len() % 17).min(path.len());
                path.get(a..b)
            })
            .collect();
        let _ = check(base.as_deref(), &path, &cuts);
    }

    #[test]
    fn never_panics_pathish(path in "[a./\\\\~:C \\x00]{0,40}", start in 0usize..40, len in 2usize..12, base in proptest::option::of("[a./\\\\C:]{0,8}")) {
        let end = (start + len).min(path.len());
        if let Some(input) = path.get(start.min(end)..end)
            && let Some(f) = check(base.as_deref(), &path, [input])
        {
            prop_assert!(path.get(f.span.clone()).is_some());
        }
    }
}
