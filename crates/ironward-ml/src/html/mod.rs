//! HTML and JavaScript structural analysis: does a request value, reflected somewhere in a
//! page, open markup or script?
//!
//! The value (one input, as sent, after the engine's percent/entity decoding) is judged in
//! every context an application may reflect it into, each by a linear scanner over its bytes
//! (no allocation, no backtracking; the strongest finding wins, the first Strong one stops):
//!
//! - **HTML text** (`tags.rs`): a tag starts with `<` and an ASCII letter, as in browsers
//!   (`a < b`, `x<3`, `1<2>0`, `<3` are no tags), and is lexed leniently (`<img/src=x`,
//!   `<a"onclick=`, `onerror\0=`, unclosed tags). Strong: an element that is active by itself
//!   (`script`, `iframe`, `frame(set)`, `object`, `embed`, `applet`, `svg`, `math`, `base`,
//!   `link`, `style`, `form`, `isindex`, `xml`, `import`, also namespaced as `html:script`,
//!   `svg:*`), `meta` with `http-equiv`, any tag (known, custom or malformed) carrying an
//!   event handler (`on…=`, also `x:ontimer=`), `srcdoc`, `formaction`, `xlink:href`,
//!   `dataformatas`, an SVG `attributeName` naming a handler or `href`, a `style` running code,
//!   or a value that itself breaks out (`<img src='x onerror="alert(1)">'>`), the end tag
//!   `</script`, and an encoded `<` (UTF-7 `+ADw-`, `\u003c`, `\x3c`) before an active
//!   element (an ordinary one is Weak). An `<svg>` that only draws (shapes, gradients, text;
//!   no script, handler, link, animation or style: `svg.rs`) is no finding. Weak: ordinary HTML elements (`<b>`, `<p>`, `<br>`,
//!   `<a href=…>`, `<img src=… alt=…>`, namespaced XML such as `<xsl:template>`), their end
//!   tags, comments and declarations (`<!--`, `<!DOCTYPE`, `<![CDATA[`, `<?xml`). None: an
//!   unknown name without active attributes (`List<String>`, `Vec<u8>`,
//!   `<john@example.com>`).
//! - **Attribute values** (`breakout.rs`): every `=` is read as an attribute (name before,
//!   value after). Strong: an event handler whose value is code (has `(`, `` ` ``, `=`, `;`,
//!   `[` or `\`), as after a quote that closes the page's value or in an unquoted value
//!   (`" onmouseover="alert(1)`, `' autofocus onfocus=alert(1) x='`, `x onerror=alert(1)`), a
//!   known DOM handler name right after a quote (`" onload=x`) or after `name=value`
//!   attributes that follow one (`" type=image src=null onerror=x`), or a `style` running
//!   code. Weak: a quote followed by `>`. Prose stays None: `onion=3`, `I'm on=call`,
//!   `?display=on&online=1`, `money=onerous`.
//! - **URLs** (`uri.rs`): `javascript:`, `vbscript:`, `livescript:` followed by code (a
//!   call, `` ` ``, `=`, `;`, `[`, `\`, `&`, `{` or `//`) are Strong, with the obfuscations
//!   browsers accept: any case, tabs and newlines (raw or as `&#9;`/`&#x0A`/`&Tab;`) between
//!   the letters and before the colon, `&colon;`/`&#58;` for the colon, leading spaces and
//!   control characters. `data:` with an active media type (`text/html`, `image/svg+xml`,
//!   `application/xhtml+xml`, script types) is Strong, unless it is an SVG image that only
//!   draws (`data:image/svg+xml,%3Csvg …/%3E`, decoded from percent or base64: `svg.rs`).
//!   A no-op script URI (`javascript:void(0)`, `javascript:;`) is no finding. The scheme word followed by `:` and
//!   prose (`JavaScript: the good parts`) is Weak.
//! - **Script** (`script.rs`): a quote closing a JavaScript string, optional `)`/`]`, an
//!   operator or statement end (`;`, `+`, `-`, `||`, `}`…), then a call or assignment
//!   naming a sink (`alert`, `prompt`, `confirm`, `eval`, `Function`, `setTimeout`,
//!   `document`, `window`, `top`, `location`, `cookie`, `innerHTML`, `fromCharCode`,
//!   `constructor`…): `';alert(1)//`, `"-prompt(1)-"`, `\';alert(1)//`, `";a=prompt,a()//`
//!   are Strong; a break-out into another call is Weak (code snippets), into another
//!   assignment None (SQL `SET a = 'x', b = 'y'`). `${…}`, `{{…}}` and `&{…}` around a sink
//!   call or `constructor`, a called computed member of a global (`top['al'+'ert'](1)`), a
//!   sink call after a statement boundary (`x;alert(1)`) or with `document.cookie` or
//!   `fromCharCode` in the value are Strong. A lone sink call (`alert(1)`, `eval(x)`) is Weak.
//! - **Indirect sinks** (`indirect.rs`): a parenthesised sink called (`(alert)(1)`,
//!   `(0,alert)(1)`) or a sink passed as a callback (`[1].find(alert)`) is Weak, like a lone
//!   call (Strong after a statement boundary); a sink assigned to a name then called
//!   (`a=alert,a(1)`) and a call whose name spells a sink with JavaScript escapes
//!   (`al\u0065rt(1)`) are Strong.
//! - **CSS** (`css.rs`): a property value read as old IE read it (comments dropped, CSS
//!   escapes decoded, so `expr/**/ession(` and `expressio\6e(` count) that is `expression(`
//!   with a code-like argument, `url(` for `behavior`/`-moz-binding`, or `url(` of a script
//!   URI written with escapes is Strong; `expression(` in prose is None.
//!
//! - **Inert markup** (`inert.rs`): a value the scanners find only Weak that is a well-formed
//!   fragment of allowlisted rich-text elements and attributes (`<p>`, `<strong>`,
//!   `<a href="https://…">`, `<img src="https://…" alt=…>`, plain `style` and `class`), or the
//!   HTML5 doctype alone, is None: a sanitizer would keep it unchanged, and it runs nothing.
//!
//! - **Percent-encoded markup**: a value with no structure whose `%XX` escapes hide markup or
//!   context-leaving bytes (`%3Cscript%3E`, `<svg%0Aonload=…`, `%22%20onmouseover%3D…`) is
//!   analysed once more decoded, as an application that decodes it again would reflect it.
//!
//! A value with none of the bytes that can open markup or leave a context
//! (`<`, `>`, `"`, `'`, `` ` ``, `:`, `(`, `=`, and `\`, `+` that start an encoded `<`) is
//! None at once. Prose, names, maths,
//! e-mail addresses in angle brackets, generics, markdown, JSON and URLs form no structure.
//! Every scanner does bounded work per anchor byte (`<`, `=`, `:`, `&`, a quote, `(`), so
//! the time is linear in the value and memory constant.

mod attrs;
mod breakout;
mod bytes;
mod css;
mod indirect;
mod inert;
mod names;
mod script;
mod svg;
mod tags;
mod uri;

use crate::{Strength, Structure};

/// Bytes that can open markup or leave an HTML, attribute, URL, script or CSS context. A
/// value holding none of them and no `%` (which may hide one: `%3C`) is never markup:
/// [`analyze`] returns [`Structure::NONE`] for it after one table lookup per byte, and a
/// caller that already knows which bytes a value holds may skip the call.
pub const TRIGGER_BYTES: &[u8] = b"<>\"'`:(=\\+";

const TRIGGERS: [bool; 256] = {
    let mut t = [false; 256];
    let set = TRIGGER_BYTES;
    let mut i = 0;
    while i < set.len() {
        t[set[i] as usize] = true;
        i += 1;
    }
    t
};

/// [`TRIGGERS`] and `%` (which may hide one: `%3C`).
const STOPS: [bool; 256] = {
    let mut t = TRIGGERS;
    t[b'%' as usize] = true;
    t
};

/// Whether `value` opens markup or script in an HTML text, attribute, URL, script or CSS
/// context: Strong for structures benign input practically never forms (a `<script>` tag, an
/// event handler in a tag or after an attribute break-out, a `javascript:` URI running code,
/// a string break-out into `alert(…)`), Weak for markup benign content also carries
/// (`<b>bold</b>`, a comment, `">`), None otherwise. Linear time, no allocation.
pub fn analyze(value: &str) -> Structure {
    let b = value.as_bytes();
    // One pass to the first trigger byte or `%` (the common value, prose or an id, has
    // neither and costs one table lookup per byte).
    let Some(stop) = b.iter().position(|&c| STOPS[usize::from(c)]) else {
        return Structure::NONE;
    };
    let (trigger, percent) = if b[stop] == b'%' {
        let next = b[stop..].iter().position(|&c| TRIGGERS[usize::from(c)]);
        (next.map(|j| stop + j), true)
    } else {
        (Some(stop), false)
    };
    let found = match trigger {
        Some(_) => scan_all(b),
        None => Structure::NONE,
    };
    if found.strength != Strength::None {
        return found;
    }
    let percent = percent || trigger.is_some_and(|i| memchr::memchr(b'%', &b[i..]).is_some());
    if !percent {
        return found;
    }
    percent_decoded(b).map_or(found, |d| analyze_bytes(&d))
}

/// Longest value decoded by [`percent_decoded`].
const MAX_DECODED: usize = 8 * 1024;

/// `b` with its `%XX` escapes decoded, when one of them is a byte that opens markup or leaves
/// a context (`%3C`, `%22`, `%3D`…) or whitespace (`%0A`, `%20`: `<svg%0Aonload=…`): a value
/// the application decodes once more (double encoding) becomes that markup. `None` when
/// there is no such escape or the value is longer than [`MAX_DECODED`].
fn percent_decoded(b: &[u8]) -> Option<Vec<u8>> {
    let hex = |c: u8| (c as char).to_digit(16).and_then(|d| u8::try_from(d).ok());
    let escape = |i: usize| Some((hex(*b.get(i + 1)?)? << 4) | hex(*b.get(i + 2)?)?);
    if b.len() > MAX_DECODED
        || !memchr::memchr_iter(b'%', b)
            .any(|i| escape(i).is_some_and(|c| TRIGGERS[usize::from(c)] || c <= b' '))
    {
        return None;
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (b[i], escape(i)) {
            (b'%', Some(c)) => {
                out.push(c);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(out)
}

/// [`analyze`] on bytes, without the percent-decoding fallback.
fn analyze_bytes(b: &[u8]) -> Structure {
    if !b.iter().any(|&c| TRIGGERS[usize::from(c)]) {
        return Structure::NONE;
    }
    scan_all(b)
}

/// Every scanner on a value that holds a trigger byte, then the inert-markup rule.
fn scan_all(b: &[u8]) -> Structure {
    let mut best = Structure::NONE;
    // A Weak finding of a script, URL or CSS scanner: code, which markup rules cannot clear.
    let mut code = false;
    for (i, scan) in [
        tags::scan,
        uri::scan,
        breakout::scan,
        script::scan,
        css::scan,
    ]
    .into_iter()
    .enumerate()
    {
        let found = scan(b);
        if found.strength == Strength::Strong {
            return found;
        }
        code |= found.strength == Strength::Weak && i != 0 && found.reason != "attribute_close";
        best = best.max(found);
    }
    // Rich text as editors write it (allowlisted elements and attributes, well formed) runs
    // nothing in any context: a Weak markup finding is dropped (`inert.rs`).
    if best.strength == Strength::Weak && !code && inert::is_inert(b) {
        return Structure::NONE;
    }
    best
}

#[cfg(test)]
mod tests;
