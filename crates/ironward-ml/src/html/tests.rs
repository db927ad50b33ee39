//! Table-driven tests of [`super::analyze`]: one row per context and rule of the module doc.

use super::analyze;
use crate::Strength::{self, None as N, Strong as S, Weak as W};

fn check(rows: &[(&str, Strength)]) {
    let mut failures = Vec::new();
    for &(value, want) in rows {
        let got = analyze(value);
        if got.strength != want {
            failures.push(format!("{value:?}: want {want:?}, got {got:?}"));
        }
        assert_eq!(
            got.reason.is_empty(),
            got.strength == N,
            "{value:?}: {got:?}"
        );
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn html_text_context() {
    check(&[
        ("<script>alert(1)</script>", S),
        ("<SCRIPT SRC=//evil.example/x.js></SCRIPT>", S),
        ("<iframe src=//evil>", S),
        ("<object data=x>", S),
        ("<embed src=x.swf>", S),
        ("<svg><animate onbegin=alert(1)>", S),
        ("<math><mtext>", S),
        ("<base href=//evil/>", S),
        ("<meta http-equiv=refresh content=0;url=//evil>", S),
        ("<link rel=import href=//evil>", S),
        ("<style>@import 'x';</style>", S),
        ("<form action=//evil><button>x", S),
        ("<isindex type=image src=1 onerror=alert(1)>", S),
        ("<img src=x onerror=alert(1)>", S),
        ("<img/src=x onerror=alert(1)>", S),
        ("<svg/onload=alert(1)>", S),
        ("<a\"onmouseover=\"alert(1)\">x</a>", S),
        ("<body onload=alert(1)>", S),
        ("<custom-el onfocus=alert(1) autofocus>", S),
        ("<xss onpointerenter=alert(1)>XSS</xss>", S),
        ("<b onmouseover=alert(1)>x</b>", S),
        ("<iframe srcdoc=\"x\">", S),
        ("<x srcdoc=\"&lt;script&gt;alert(1)\">", S),
        ("<button formaction=javascript:alert(1)>x", S),
        ("<a xlink:href=\"javascript:alert(1)\">", S),
        ("<div style=\"width: expression(alert(1))\">", S),
        (
            "exp/*<A STYLE='no\\xss:noxss(\"*//*\");xss:ex/*XSS*//*/*/pression(alert(\"XSS\"))'>",
            S,
        ),
        (
            "<t:set attributeName=\"innerHTML\" to=\"&lt;img src=x onerror=alert(1)&gt;\">",
            S,
        ),
        (
            "<DIV STYLE=\"background-image:\\0075\\0072\\006C\\0028'\\006a\\0061\\0076\\0061\\0073\\0063\\0072\\0069\\0070\\0074\\003a\\0061\\006c\\0065\\0072\\0074\\0028\\0031\\0029'\\0029\">",
            S,
        ),
        ("<a href=\"j\0avascript:alert(1)\">", S),
        ("\"><script>alert(1)</script>", S),
        ("--><img src=x onerror=alert(1)>", S),
        ("<b>bold</b>", N),
        ("<i>italic</i> text", N),
        ("Line one<br>Line two", N),
        ("<p>Thanks for your order!</p>", N),
        // Rich text with links and images to ordinary hosts is inert (`inert.rs`); the same
        // elements with an obfuscated host, a handler or odd markup are not.
        ("<a href=\"https://example.com/a\">link</a>", N),
        ("<img src=\"https://example.com/x.png\" alt=\"a photo\">", N),
        ("<a href=\"http://1113982867/\">link</a>", W),
        ("<a href=//example.com/a>link", W),
        ("<p class=\"x\"><!-- c --></p>", W),
        ("<!DOCTYPE html>", N),
        (
            "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\">",
            W,
        ),
        ("<!-- note -->", W),
        ("<meta charset=utf-8>", W),
    ]);
}

#[test]
fn attribute_context() {
    check(&[
        ("\" onmouseover=\"alert(1)", S),
        ("' autofocus onfocus=alert(1) x='", S),
        ("\" onfocus=alert(document.cookie) autofocus=\"", S),
        ("x onerror=alert(1)", S),
        ("\" style=\"background:url(javascript:alert(1))", S),
        ("\">", W),
        ("x'>", W),
    ]);
}

#[test]
fn url_context() {
    check(&[
        ("javascript:alert(1)", S),
        ("JaVaScRiPt:alert(document.domain)", S),
        ("  \u{1}javascript:alert(1)", S),
        ("java\tscript:alert(1)", S),
        ("java\nscript:alert(1)", S),
        ("jav&#x09;ascript:alert(1)", S),
        ("vbscript:msgbox(1)", S),
        ("data:text/html,<script>alert(1)</script>", S),
        (
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            S,
        ),
        ("javascript: a language tutorial", W),
        ("Learn javascript: variables", W),
    ]);
}

#[test]
fn script_context() {
    check(&[
        ("';alert(document.cookie)//", S),
        ("\"-prompt(1)-\"", S),
        ("\\';alert(1)//", S),
        ("'-alert(1)-'", S),
        ("</script><script>alert(1)</script>", S),
        ("</script>", S),
        ("`;alert`1`//", S),
        ("${alert(1)}", S),
        ("';window.location='//evil'//", S),
        ("\";eval(atob('YWxlcnQoMSk='))//", S),
        ("'+String.fromCharCode(88,83,83)+'", S),
        ("alert(1)", W),
        ("\\u003cscript\\u003e", S),
        ("+ADw-script+AD4-", S),
        ("\"autofocus onfocus=alert(1)//", S),
        ("onerror=alert;throw 1", S),
        (
            "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=alert() )//",
            S,
        ),
        (
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
            S,
        ),
        ("<svg><animate onbegin=alert(1) attributeName=x dur=1s>", S),
        ("<details open ontoggle=alert(1)>", S),
        ("';}alert(1);{'", S),
        ("<img src=x:alert(alt) onerror=eval(src) alt=0>", S),
    ]);
}

#[test]
fn css_context() {
    check(&[
        ("width:expression(alert(1))", S),
        ("background:url(javascript:alert(1))", S),
        ("behavior: url(xss.htc)", S),
    ]);
}

#[test]
fn benign_values() {
    check(&[
        ("", N),
        ("Hello world", N),
        ("a < b", N),
        ("x<3", N),
        ("1<2>0", N),
        ("<3 love", N),
        ("<- back", N),
        ("a => b", N),
        ("10 > 9", N),
        (">_< broken again", N),
        ("John <john@example.com>", N),
        ("List<String> data = new ArrayList<>();", N),
        ("Vec<u8>", N),
        ("HashMap<String, Vec<u8>>", N),
        ("**bold**", N),
        ("[link](https://x.example)", N),
        ("`inline code`", N),
        ("{\"item\":\"shoes\",\"qty\":2}", N),
        ("https://example.com/search?q=shoes&page=2#top", N),
        ("O'Brien", N),
        ("Tom & Jerry", N),
        ("onion=3", N),
        ("I'm on=call", N),
        ("?display=on&online=1", N),
        ("money=onerous", N),
        ("javascript tutorial", N),
        ("click here:", N),
        ("Note: shipping is free; returns are not.", N),
        ("It's 50% cheaper (really)", N),
        ("a regular expression(s)", N),
        ("He said \"hi\" (twice)", N),
        ("¯\\_(ツ)_/¯", N),
        ("Hello!!! :) :-) ;-) :D", N),
        ("x = (a + b) * c", N),
        ("if (a < b && c > d) { return x; }", N),
        ("<T>(x: T) => x", N),
        ("Array<number>", N),
        ("print(\"Hello, world!\")", N),
        ("SELECT * FROM t WHERE a = 'b' AND c = 'd'", N),
        ("=SUM(A1:A3)", N),
        ("10:30 AM, ratio 16:9, C:\\Users\\x", N),
        ("mailto:john@example.com", N),
        ("data: {\"a\": 1}", N),
        ("He said \"hi\"; then left (quickly)", N),
        ("onSubmit={handleSubmit}", N),
        ("<3<3<3", N),
        (":-) (: =)", N),
        ("^[a-z]+(?:-[a-z]+)*$", N),
        ("${HOME}/bin:${PATH}", N),
        ("{{ user.name }} {{ price | currency }}", N),
        ("email=\"a@b.com\"", N),
        ("x = \"it's\"", N),
        ("window.location = \"/home\"", N),
        ("Q: what's 2+2? A: 4", N),
        ("style: modern; color: blue", N),
        ("expression: (a + b)", N),
        ("background: url(/img/x.png)", N),
        ("<div class=\"row\">", W),
        ("{\"html\": \"<b>hi</b>\"}", N),
        ("a<b>c", N),
        ("<item id=\"7\">drone</item>", W),
    ]);
}

#[test]
fn adversarial_sizes_do_not_panic() {
    let many_lt = "<".repeat(100_000);
    let soup = "<a \"' onx= `(:".repeat(20_000);
    let nested = "<b id=x>".repeat(50_000);
    let ent = "java&#x09;&#x09;".repeat(10_000);
    for v in [
        many_lt.as_str(),
        soup.as_str(),
        nested.as_str(),
        ent.as_str(),
    ] {
        let _ = analyze(v);
    }
    assert_eq!(analyze(&nested).strength, W);
}

/// Time of each scanner on 1 KB values (best of 41 rounds), to see where time goes:
/// `cargo test -p ironward-ml --release --lib html::tests::scanner_timing -- --ignored
/// --nocapture`.
#[test]
#[ignore = "profiling aid: prints timings, asserts nothing (the benches measure speed)"]
#[allow(clippy::print_stdout)]
fn scanner_timing() {
    let fill = |seed: &str| {
        let mut s = String::new();
        while s.len() < 1024 {
            s.push_str(seed);
        }
        s
    };
    type Scan = fn(&[u8]) -> crate::Structure;
    let scans: [(&str, Scan); 5] = [
        ("tags", super::tags::scan),
        ("uri", super::uri::scan),
        ("breakout", super::breakout::scan),
        ("script", super::script::scan),
        ("css", super::css::scan),
    ];
    for v in [
        fill("O'Brien said: \"fine (really)\" a=b; "),
        fill("<p>Thanks for <b>your</b> order!</p> "),
        fill("https://example.com/a/b?q=shoes&page=2#top/"),
    ] {
        let b = v.as_bytes();
        for (name, f) in scans {
            let mut best = f64::MAX;
            for _ in 0..41 {
                let t = std::time::Instant::now();
                for _ in 0..200 {
                    std::hint::black_box(f(std::hint::black_box(b)));
                }
                best = best.min(t.elapsed().as_nanos() as f64 / 200.0);
            }
            println!("{name:<10} {best:>8.1} ns");
        }
    }
}

/// Regression: slicing past the CSS window panicked.
#[test]
fn css_comment_start_just_past_the_window() {
    // Found by the `analyze` fuzz target: a `/` at the window's end followed by `*` beyond it.
    let v = "\u{2f}\u{0}\u{0}\u{0}\u{0}\u{0}\u{3a}\u{3a}\u{2f}\u{2a}\u{7f}\u{2a}\u{2f}\u{2e}\u{2f}\u{3a}\u{2f}\u{2a}\u{2a}\u{2f}\u{7f}\u{2f}\u{2a}\u{2a}\u{2f}\u{7f}\u{2e}\u{2f}\u{3a}\u{2f}\u{2a}\u{2a}\u{2f}\u{7f}\u{2f}\u{7f}\u{2f}\u{7f}\u{2e}\u{2f}\u{2a}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{16}\u{2e}\u{2f}\u{3a}\u{2f}\u{2a}\u{2a}\u{2f}\u{7f}\u{2f}\u{7f}\u{2f}\u{7f}\u{2e}\u{2f}\u{2a}\u{0}\u{0}\u{2a}\u{2f}\u{2a}";
    let s = crate::sql::analyze(v);
    assert_eq!(
        s.strength == crate::Strength::None,
        s.reason.is_empty(),
        "sql {s:?}"
    );
    let h = crate::html::analyze(v);
    assert_eq!(
        h.strength == crate::Strength::None,
        h.reason.is_empty(),
        "html {h:?}"
    );
}

#[test]
fn percent_encoded_markup() {
    check(&[
        ("%3Cscript%3Ealert(1)%3C%2Fscript%3E", S),
        ("<svg%0Aonload=%09((pro\\u006dpt))()//", S),
        ("%f6%22%20onmouseover%3dprompt(941634)%20", S),
        ("%3Cb%3Ebold%3C%2Fb%3E", N),
        ("50%25 off, 100% sure", N),
        ("https://example.com/?q=shoes%20red&page=2", N),
        ("%E2%82%AC5", N),
    ]);
}
