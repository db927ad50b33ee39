//! SQL injection attacks that must fire and benign look-alikes that must not, judged the way
//! the engine does (structure, then the model), plus NoSQL operators in JSON and forms.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::Sqli;
use crate::check::test_support::run_request;
use crate::config::Config;
use crate::request::{Headers, Request};

fn detector() -> Sqli {
    Sqli::new(&Config::default()).unwrap()
}

/// Hand-written attacks: break-outs from strings and numbers, unions, stacked statements,
/// time and error functions, comment obfuscation.
const ATTACKS: &[&str] = &[
    "' or 1=1 --",
    "1' or '1'='1",
    "admin'--",
    "admin' #",
    "') or ('a'='a",
    "1 or 1=1",
    "1 OR 1=1-- -",
    "\" or \"\"=\"",
    "1 union select null,null,null--",
    "-1' UNION ALL SELECT username, password FROM users-- -",
    "1; DROP TABLE users",
    "'; exec master..xp_cmdshell 'dir'--",
    "1 AND SLEEP(5)",
    "1' AND (SELECT 1 FROM (SELECT SLEEP(5))a)-- x",
    "1; WAITFOR DELAY '0:0:5'--",
    "1 and extractvalue(1,concat(0x7e,version()))",
    "1 ORDER BY 10--",
    "1/**/UnIoN/**/SeLeCt/**/1,2,3",
    "' AND 1=CONVERT(int,(SELECT @@version))--",
    "1' AND benchmark(5000000,md5('a'))#",
    "' having 1=1 --",
];

/// Benign look-alikes: pyrasp's known false positives, names with apostrophes, SQL-ish
/// English, prices, percentages, markdown, small markup.
const BENIGN: &[&str] = &[
    "select a plan from the menu",
    "Order by date",
    "50% off -- today",
    "O'Brien",
    "D'Angelo",
    "Sean O'Neill-Smith",
    "it's",
    "don't stop",
    "Rock 'n' roll",
    "Select the larger size from the drop-down menu, it runs small.",
    "Union Station",
    "drop me a line",
    "update your profile",
    "She said 'hi' -- then left",
    "5'9\"",
    "1-2",
    "a=b",
    "Tom & Jerry",
    "$5.99 (20% off)",
    "**bold** and _italic_",
    "<b>bold</b>",
    "user@example.com",
    "https://shop.example/search?q=shoes&page=2",
    "where is my order?",
    "rating >= 4 stars",
    "true or false",
];

#[test]
fn attacks_fire_and_benign_look_alikes_pass() {
    let d = detector();
    crate::check::test_support::assert_table(|v| d.detect(v), ATTACKS, BENIGN);
}

fn json_post(body: &str) -> Request<'_> {
    let headers: Headers<'_> = [("Content-Type", "application/json")].into_iter().collect();
    Request::new("POST", "/login")
        .with_headers(headers)
        .with_body(body.as_bytes())
}

#[test]
fn nosql_operators_in_json_and_forms_fire() {
    let config = Config::default();
    let d = detector();
    for body in [
        r#"{"user": "admin", "password": {"$ne": null}}"#,
        r#"{"user": {"$regex": ".*"}, "password": {"$gt": ""}}"#,
        r#"{"$where": "sleep(1000)"}"#,
    ] {
        let found = run_request(&d, &config, &json_post(body));
        assert_eq!(found.len(), 1, "{body}");
        assert_eq!(found[0].engine, Some("nosql_operator"));
    }
    let form = Request::new("GET", "/login?user=admin&password[$ne]=x");
    assert_eq!(run_request(&d, &config, &form).len(), 1);
    // JSON Schema keywords are not operators.
    let schema =
        r#"{"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "x", "price": "$5"}"#;
    assert!(run_request(&d, &config, &json_post(schema)).is_empty());
}

#[test]
fn findings_carry_the_rule_and_the_score() {
    let config = Config::default();
    let d = detector();
    let req = Request::new(
        "GET",
        "/items?id=1%20union%20select%20password%20from%20users--",
    );
    let found = run_request(&d, &config, &req);
    assert_eq!(found.len(), 1);
    assert!(found[0].engine.is_some_and(|e| !e.is_empty()));
    assert!(found[0].score.is_some_and(|s| s > 0.0));
}

/// A JSON array or object inside a value is judged by its parts: analytics arrays of numbers
/// and dashes pass, an injection in any string or key still fires.
#[test]
fn json_containers_are_judged_by_their_parts() {
    let d = detector();
    crate::check::test_support::assert_table(
        |v| d.detect(v),
        &[
            r#"["1' or '1'='1"]"#,
            r#"{"q": "1 union select password from users--"}"#,
            r#"{"' or 1=1--": 1}"#,
            r#"["[\"' or 1=1 --\"]"]"#,
            r#"[1) or 1=1--"#,
        ],
        &[
            r#"[0,0,0,0,0,0,1,24,24,"-",1920,1040,1920,1080,1920,1040,1920,969,0,0,0,0,"-","-"]"#,
            r#"[["pageview",{"id":"1---","ref":"-"}],["t",1700000000000]]"#,
            r#"{"a":"-","b":[1,2,"--"],"c":"n/a"}"#,
        ],
    );
    // A container whose whole text forms no SQL is not judged further here; its parts are
    // inputs of their own in the engine, and the injected one fires there.
    let body = r#"{"ev": "[0, \"-\", {\"a\": [\"1; drop table users\"]}]"}"#;
    let found = run_request(&d, &Config::default(), &json_post(body));
    assert_eq!(found.len(), 1, "{body}");
}

/// `$type` is MongoDB's type operator only with a BSON type for value; JSON.NET type hints and
/// pixel parameters named `$type` pass.
#[test]
fn type_hints_are_not_operators() {
    let config = Config::default();
    let d = detector();
    for body in [
        r#"{"application": {"$type": "win32", "path": "C:\\app.exe"}}"#,
        r#"{"cart": {"$type": "Shop.Models.Cart, Shop", "items": 2}}"#,
    ] {
        assert!(
            run_request(&d, &config, &json_post(body)).is_empty(),
            "{body}"
        );
    }
    for body in [
        r#"{"password": {"$type": 2}}"#,
        r#"{"password": {"$type": "string"}}"#,
        r#"{"password": {"$type": ["string", "int"]}}"#,
    ] {
        let found = run_request(&d, &config, &json_post(body));
        assert_eq!(found.len(), 1, "{body}");
        assert_eq!(found[0].engine, Some("nosql_operator"));
    }
    let pixel = Request::new("POST", "/v1/pixel?%24type=MUM_ID&%24value=vec%3A1");
    assert!(run_request(&d, &config, &pixel).is_empty());
    let form = Request::new("GET", "/login?user=admin&password[$type]=2");
    assert_eq!(run_request(&d, &config, &form).len(), 1);
}

/// Search phrases that read like SQL in the referer are phrases; a quote break-out there still
/// fires.
#[test]
fn sql_like_searches_in_the_referer_pass() {
    let config = Config::default();
    let d = detector();
    let with_referer = |referer: &'static str| {
        let headers: Headers<'_> = [("Referer", referer)].into_iter().collect();
        Request::new("GET", "/blog").with_headers(headers)
    };
    for r in [
        "https://www.search.example/search?q=union+select+example&oq=union+select",
        "https://www.search.example/search?q=drop+table+if+exists",
        "https://www.search.example/?q=select+*+from+users+where+id+%3D+1",
        "https://www.search.example/?q=1+or+1%3D1",
    ] {
        assert!(run_request(&d, &config, &with_referer(r)).is_empty(), "{r}");
    }
    for r in [
        "https://x.example/?q=%27+union+select+password+from+users--",
        "' or 1=1--",
        "https://x.example/?id=1%27%20and%20sleep(5)--",
    ] {
        assert_eq!(run_request(&d, &config, &with_referer(r)).len(), 1, "{r}");
    }
}
