//! Table-driven tests of the SQL analyser: attacks and their benign look-alikes.

use super::analyze;
use crate::Strength::{self, None as N, Strong as S, Weak as W};

/// Attacks that must be Strong, with the expected reason.
const STRONG: &[(&str, &str)] = &[
    ("' or 1=1 --", "tautology"),
    ("' OR 1=1#", "tautology"),
    ("1 or 1=1", "tautology"),
    ("' or 'a'='a", "tautology"),
    ("anything' or 'x' = 'x", "tautology"),
    ("\" or \"x\"=\"x", "tautology"),
    ("') or ('x'='x", "tautology"),
    ("1) or (1=1", "tautology"),
    ("' or ''='", "tautology"),
    ("' or true--", "tautology"),
    ("' or 1 -- -", "tautology"),
    ("x' or x=x--", "tautology"),
    ("1 and 1=2", "boolean_probe"),
    ("' and 1=0 --", "boolean_probe"),
    ("id having 1=1", "tautology"),
    ("admin'--", "comment_breakout"),
    ("admin' #", "comment_breakout"),
    ("admin')-- ", "comment_breakout"),
    ("admin' or username like '%", "boolean_breakout"),
    ("1 union select 1,2,3", "union_select"),
    ("-1' UNION ALL SELECT null,null--", "union_select"),
    ("1 union (select 1)", "union_select"),
    ("x' union distinct select 1 -- ", "union_select"),
    ("1'; drop table users--", "stacked"),
    ("1; DROP TABLE users", "stacked"),
    ("'; exec xp_cmdshell 'dir'--", "catalog"),
    ("1; exec master..xp_cmdshell 'dir'", "stacked"),
    ("'; waitfor delay '0:0:5'--", "time_function"),
    ("1;waitfor delay '0:0:5'", "time_function"),
    ("'; shutdown;--", "stacked"),
    ("1'; declare @s varchar(10)--", "stacked"),
    ("1' and sleep(5)#", "time_function"),
    ("1 and sleep ( 5 )", "time_function"),
    ("1 and benchmark(5000000,md5(1))", "time_function"),
    ("1; select pg_sleep(5)--", "stacked"),
    ("1 and pg_sleep(5)--", "time_function"),
    ("1 or 1=dbms_pipe.receive_message('a',5)", "catalog"),
    (
        "1 and extractvalue(1,concat(0x7e,version()))",
        "error_function",
    ),
    ("1 and updatexml(1,concat(0x7e,user()),1)", "error_function"),
    ("1' and 1=(select count(*) from users)--", "subselect"),
    ("1 and (select 1 from dual)", "subselect"),
    ("-81 order by 10--", "order_by_probe"),
    ("1' order by 3-- -", "order_by_probe"),
    ("1' into outfile '/tmp/x'--", "into_outfile"),
    ("1 union select load_file('/etc/passwd')", "union_select"),
    ("x' and load_file('/etc/passwd')--", "file_function"),
    (
        "1 and 1 in (select table_name from information_schema.tables)",
        "subselect",
    ),
    ("select * from information_schema.tables", "catalog"),
    ("1 un/**/ion sel/**/ect 1", "comment_obfuscation"),
    ("1 /*!union*/ /*!select*/ 1", "versioned_comment"),
    ("1 /*!50000union*/ select 1", "versioned_comment"),
    ("1/**/union/**/select/**/1", "union_select"),
    ("@@version", "system_variable"),
    ("a' or 1 = 1; --", "tautology"),
    ("1'or'1'='1", "tautology"),
    ("O'Brien' or 'x'='x", "tautology"),
    ("it's me' or 1=1--", "tautology"),
    // Statement context, leading operators, other dialect features.
    (
        "select case when 1574 = 5523 then 1 else null end--",
        "const_comparison",
    ),
    ("iif ( 7889 = 5114,1,1/0 )", "const_comparison"),
    (
        "declare @s varchar(200) select @s = 0x77 exec(@s)",
        "dynamic_sql",
    ),
    ("or 1=1 --", "tautology"),
    ("or 2 between 1 and 3", "tautology"),
    ("1 and substring(version(),1,1)=5", "info_function"),
    ("1 and ascii(substring(user(),1,1))>64", "blind_extraction"),
    ("( 1 OR @a ) --", "comment_truncation"),
    ("1union select 1", "union_select"),
    (
        "1 AND 5650=CONVERT(INT,(UNION ALL SELECTCHAR(88)))",
        "union_select",
    ),
    ("username'DECLARE @find varchar(30)", "stacked"),
    (
        "load data infile '/etc/passwd' into table x",
        "file_function",
    ),
    ("(select top 1 password from users)--", "subselect"),
    (
        "1' in boolean mode ) or 8421 = (select count(*) from x)#",
        "subselect",
    ),
    ("1 and generate_series(1,5000000)", "time_function"),
    ("1; shutdown", "stacked"),
    ("'; shutdown --", "stacked"),
    ("; drop table users", "stacked"),
    ("waitfor delay '0:0:5'", "time_function"),
    ("x' and @@datadir like '%", "system_variable"),
    ("1 union select 1 from all_users", "union_select"),
    ("-1 order by 1,2,3,4--", "order_by_probe"),
];

/// Benign values that must be None (or at worst Weak when `weak_ok`).
const BENIGN: &[(&str, bool)] = &[
    ("O'Brien", false),
    ("D'Angelo", false),
    ("it's", false),
    ("don't stop", false),
    ("Rock 'n' roll", false),
    ("select a plan from the menu", false),
    ("Select a plan from the menu below", false),
    ("Order by date", false),
    ("order by price, then by rating", false),
    ("Select the larger size", false),
    ("50% off -- today", true),
    ("Union Station", false),
    ("union station", false),
    ("drop me a line", false),
    ("update your profile", false),
    ("Meeting moved; update your profile", false),
    ("1-2", false),
    ("10/20", false),
    ("a=b", true),
    ("a=b or c", true),
    ("Tom & Jerry", true),
    ("She said 'hi' -- then left", true),
    ("SELECT", false),
    ("user@example.com", false),
    (
        "https://example.com/search?q=shoes&page=2&sort=price",
        false,
    ),
    ("5' 9\"", false),
    ("rock'n'roll; jazz", false),
    ("# Title\n\n- item one\n- item two", false),
    ("$5.99 (20% off)", false),
    ("Where are you from? I'm from Dublin.", false),
    ("top 10 | less", true),
    ("students' and teachers' views", true),
    ("students' or teachers", true),
    ("Choose a size (select one from the list)", false),
    ("time.sleep(5)", false),
    ("/*! normalize.css v8 | MIT */", false),
    ("I need sleep (at least 8h)", false),
    ("1 or 2", true),
    ("git diff @@ -1,3 +1,4 @@", false),
    ("KNICKIN' AND KNACKIN' SEE WHAT", true),
    ("{\"a\": 1, \"b\": [1, 2]}", false),
    ("SELECT_68 = 29  # constant", true),
    ("The 90's or 80's", false),
    ("Guns N' Roses", false),
    ("(1 = 100%)", false),
    ("Credit union", false),
    ("Set of 12: blue air fryers", false),
    (
        "Delete this review if it's not allowed, but: great kettle!",
        false,
    ),
    ("and 1=1 is arithmetic", true),
    ("O'connors UNION selected a few friends", false),
    ("WHERE Country IN (SELECT Country FROM Suppliers);", true),
    ("I'd like 'this' or 'that'", true),
    ("price>=10 and price<=20", true),
    ("Tom's and Jerry's", false),
    ("5' or 6'", false),
    ("We sell union jacks; select your size", false),
    ("Dear Sir; Drop table reservation for 4", true),
    ("Thread.sleep(1000)", false),
    ("#fff", false),
    ("ORDER BY name ASC", false),
    ("; drop me a line", false),
    ("I need sleep(8h)", false),
    ("benchmark (5 runs)", false),
    ("user@@example.com", true),
    ("filter=all_users", true),
    ("5'11\" -- tall", true),
    ("order by 1", true),
    ("sleep (8 hours)", false),
    ("foo(bar) -- baz", true),
    ("@john and @jane -- see you", true),
    ("set @alice as admin", true),
];

#[test]
fn attacks_are_strong_with_their_reason() {
    let mut failures = Vec::new();
    for (value, reason) in STRONG {
        let got = analyze(value);
        if got.strength != S || got.reason != *reason {
            failures.push(format!("{value:?}: got {got:?}, want Strong {reason:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn look_alikes_are_not_strong() {
    let mut failures = Vec::new();
    for (value, weak_ok) in BENIGN {
        let got = analyze(value);
        let ok: &[Strength] = if *weak_ok { &[N, W] } else { &[N] };
        if !ok.contains(&got.strength) {
            failures.push(format!("{value:?}: got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn weak_structures() {
    for value in [
        "A' * 'B",
        "A '<>' B",
        "a=b or c",
        "417652--",
        "admin'",
        "1' )",
        "2)",
        "SELECT * FROM users",
        "'; --",
    ] {
        assert_eq!(analyze(value).strength, W, "{value:?}");
    }
    assert_eq!(analyze("").strength, N);
    assert_eq!(analyze("").reason, "");
}

#[test]
fn long_benign_prefix_does_not_hide_an_attack() {
    let mut v = "word ".repeat(10_000);
    v.push_str("1 union select 1,2");
    assert_eq!(analyze(&v).strength, S);
    let mut v = "a".repeat(100_000);
    v.push_str("' or 1=1 --");
    assert_eq!(analyze(&v).reason, "tautology");
    let mut v = "O'Brien ".repeat(1000);
    v.push_str("' or 1=1 --");
    assert_eq!(analyze(&v).reason, "tautology");
}

#[test]
fn pathological_inputs_finish() {
    let inputs = [
        "'".repeat(100_001),
        "(".repeat(100_000),
        ")".repeat(100_000),
        "/*".repeat(50_000),
        "'a".repeat(50_000),
        "\"'".repeat(50_000),
        "-- \n".repeat(25_000),
        "or 1=".repeat(20_000),
        "x".repeat(1 << 20),
    ];
    for v in &inputs {
        let _ = analyze(v);
    }
}

/// The rules added for statement keywords after `;` (`WHILE`), a tautology after a stray
/// `;`, DDL modifiers, string
/// concatenation run by `EXEC`, MySQL's account tables, nested information functions, an
/// ordering expression after a number, and doubled quotes: (value, expected strength, reason
/// when not None). Positive and negative examples side by side.
const ADDED: &[(&str, Strength, &str)] = &[
    ("'; while 1=1 shutdown-- -a", S, "stacked"),
    ("1; while 1=1 waitfor delay '0:0:5'", S, "time_function"),
    ("while you wait; update your profile", N, ""),
    ("'; exec  ( 'sel' + 'ect us' + 'er' )", S, "dynamic_sql"),
    ("1;exec('dr'+'op table t')", S, "dynamic_sql"),
    ("exec summary -- sales + marketing", N, ""),
    (
        "1; create or replace function f() returns int",
        S,
        "stacked",
    ),
    (
        "create or replace function sleep(int) returns int as 'x' language 'c'",
        W,
        "statement",
    ),
    ("create or replace table names", N, ""),
    ("Create or replace a view", N, ""),
    ("select host from mysql.user", S, "catalog"),
    (
        "-229 uni0n select 1 from mysql.user limit 0,1/*",
        W,
        "catalog",
    ),
    ("see the mysql.user table", N, ""),
    ("mysql.users_list", N, ""),
    ("SELECT grantee FROM dba_role_privs", S, "catalog"),
    ("select banner from v$version", S, "catalog"),
    ("1 union select 1 from rdb$database", S, "union_select"),
    ("sort=pg_tables", W, "catalog"),
    ("COERCIBILITY(USER())", S, "info_function"),
    ("length(database())", S, "info_function"),
    ("user()", W, "info_function"),
    ("user ( )", W, "info_function"),
    ("1 order by ifnull(null,userid)", W, "order_by"),
    ("1 order by date(created)", W, "order_by"),
    ("5 order by price desc", N, ""),
    ("Order by date(newest first)", N, ""),
    ("Sort by name(asc)", N, ""),
    ("; or '1' = '1'", S, "tautology"),
    ("1; or 1=1", S, "tautology"),
    ("Table for 2; or 1 = 2 maybe", N, ""),
    ("see you; or not", N, ""),
    ("\" or \"\"a\"\"=\"\"a\"", S, "tautology"),
    ("hi\"\" ) or ( \"\"a\"\" = \"\"a\"", S, "tautology"),
    ("''italic'' and '''bold'''", N, ""),
    ("name,\"O\"\"Brien\",42", N, ""),
    // A number with a foot, minute or prime mark is a quantity; a word then a quote, or a
    // number with anything after its quote, is still the probe.
    ("5'", N, ""),
    ("90'", N, ""),
    ("21128'", N, ""),
    ("1.5'", N, ""),
    ("admin'", W, "quote_probe"),
    ("1%'", W, "quote_probe"),
    ("1' )", W, "quote_probe"),
    ("1' or '1'='1", S, "tautology"),
    // A run of three dashes or more is a rule or a placeholder, `--` a comment.
    ("1---", N, ""),
    ("1 ----", N, ""),
    ("abc---", N, ""),
    ("1--", W, "comment"),
    ("1-- -", W, "comment"),
    ("1 --", W, "comment"),
    ("admin'--", S, "comment_breakout"),
    ("1---\nunion select 1,2", S, "union_select"),
];

#[test]
fn added_rules() {
    let mut failures = Vec::new();
    for (value, strength, reason) in ADDED {
        let got = analyze(value);
        if got.strength != *strength || got.reason != *reason {
            failures.push(format!(
                "{value:?}: got {got:?}, want {strength:?} {reason:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
