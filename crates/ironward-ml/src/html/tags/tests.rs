//! Unit tests of the tag scanner: tags that are Strong, tags that are Weak or harmless
//! formatting, and text with a `<` that is no tag.

use super::*;

fn s(v: &str) -> (Strength, &'static str) {
    let f = scan(v.as_bytes());
    (f.strength, f.reason)
}

#[test]
fn strong_tags() {
    assert_eq!(
        s("<script>alert(1)</script>"),
        (Strength::Strong, "script_tag")
    );
    assert_eq!(s("<ScRiPt src=//x>"), (Strength::Strong, "script_tag"));
    assert_eq!(
        s("<img/src=x onerror=alert(1)>"),
        (Strength::Strong, "event_handler")
    );
    assert_eq!(s("<svg/onload=alert(1)>"), (Strength::Strong, "svg_tag"));
    assert_eq!(
        s("<a\"onmouseover=\"alert(1)\">x</a>"),
        (Strength::Strong, "event_handler")
    );
    assert_eq!(
        s("<xss onclick=alert(1)>"),
        (Strength::Strong, "event_handler")
    );
    assert_eq!(
        s("<img src=x onerror=alert(1)//"),
        (Strength::Strong, "event_handler")
    );
    assert_eq!(s("<iframe srcdoc=x>"), (Strength::Strong, "frame_tag"));
    assert_eq!(
        s("<x srcdoc=\"&lt;script&gt;\">"),
        (Strength::Strong, "dangerous_attribute")
    );
    assert_eq!(
        s("<div style=\"width:expression(alert(1))\">"),
        (Strength::Strong, "css_expression")
    );
    assert_eq!(
        s("<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=x\">"),
        (Strength::Strong, "meta_refresh")
    );
    assert_eq!(s("x</script><b>"), (Strength::Strong, "script_breakout"));
    assert_eq!(
        s("<img src='x onerror=\"alert(1)\">'>"),
        (Strength::Strong, "attribute_breakout")
    );
    assert_eq!(
        s("<set attributeName=onmouseover to=alert(1)>"),
        (Strength::Strong, "event_handler")
    );
    assert_eq!(
        s("<x:template x:ontimer=\"x\">"),
        (Strength::Strong, "event_handler")
    );
    assert_eq!(
        s("<--`<img/src=` onerror=alert(1)>"),
        (Strength::Strong, "event_handler")
    );
    assert_eq!(
        s("+ADw-script+AD4-alert(1)"),
        (Strength::Strong, "script_tag")
    );
}

#[test]
fn weak_tags() {
    assert_eq!(s("<b>bold</b>"), (Strength::None, ""));
    assert_eq!(s("<br/>"), (Strength::None, ""));
    assert_eq!(s("<sup>2</sup>"), (Strength::None, ""));
    assert_eq!(s("<b class=x>bold</b>"), (Strength::Weak, "html_tag"));
    assert_eq!(
        s("<a href=\"https://x.org\">link</a>"),
        (Strength::Weak, "html_tag")
    );
    assert_eq!(
        s("<img src=\"https://x/x.png\" alt=\"x\">"),
        (Strength::Weak, "html_tag")
    );
    assert_eq!(s("</p>"), (Strength::None, ""));
    assert_eq!(s("</a>"), (Strength::Weak, "closing_tag"));
    assert_eq!(s("<!-- hi -->"), (Strength::Weak, "html_comment"));
    assert_eq!(s("<!DOCTYPE html>"), (Strength::Weak, "html_declaration"));
    assert_eq!(s("<meta charset=utf-8>"), (Strength::Weak, "html_tag"));
    assert_eq!(
        s("+ADw-p+AD4-Welcome+ADw-/p+AD4-"),
        (Strength::Weak, "encoded_markup")
    );
    assert_eq!(s("\\u003cb\\u003ebold"), (Strength::Weak, "encoded_markup"));
}

#[test]
fn not_tags() {
    for v in [
        "a < b",
        "x<3",
        "1<2>0",
        "<3 love",
        "<- back",
        "John <john@example.com>",
        "List<String> x = new ArrayList<>();",
        "Vec<u8>",
        "<",
        "<!",
        "</",
        "<insert name here>",
        "\\u003c",
        "\\x3c3 love",
        "a+b+ADw",
    ] {
        assert_eq!(s(v).0, Strength::None, "{v}");
    }
}
