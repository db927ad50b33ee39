//! Name lists of the HTML analyzer: which elements run script or change the page's
//! behaviour by themselves, which are ordinary markup that user content also carries, and the
//! DOM event-handler attribute names (used where the tag context is only presumed).
//!
//! The lists were written from the HTML, SVG and DOM specifications; lookups are linear over
//! short static slices of lowercase names, compared without allocation.

use super::bytes::eq_ci;

/// Longest name looked up; longer names are in no list.
const MAX_NAME: usize = 24;

/// `name` lowercased into `buf`, or `None` when it is longer than any listed name.
fn lower<'a>(name: &[u8], buf: &'a mut [u8; MAX_NAME]) -> Option<&'a [u8]> {
    let out = buf.get_mut(..name.len())?;
    for (o, c) in out.iter_mut().zip(name) {
        *o = c.to_ascii_lowercase();
    }
    Some(out)
}

/// Longest element name packed into a key.
const KEY_BYTES: usize = 16;

/// A name packed into an integer key (bytes big-endian, zero-padded; names never hold NUL).
const fn pack(name: &[u8]) -> u128 {
    let mut key = 0u128;
    let mut i = 0;
    while i < KEY_BYTES {
        key <<= 8;
        if i < name.len() {
            key |= name[i].to_ascii_lowercase() as u128;
        }
        i += 1;
    }
    key
}

/// The key of a name of any case (as [`pack`]), or `None` when it is too long to be listed.
fn key_of(name: &[u8]) -> Option<u128> {
    if name.len() > KEY_BYTES {
        return None;
    }
    let mut key = 0u128;
    for &c in name {
        key = (key << 8) | u128::from(c.to_ascii_lowercase());
    }
    // Shifting a u128 by 128 (the empty name) overflows: the key of "" is 0.
    let pad = u32::try_from(8 * (KEY_BYTES - name.len())).unwrap_or(0);
    Some(key.checked_shl(pad).unwrap_or(0))
}

/// The keys of `list`, sorted (for binary search).
const fn sorted_keys<const N: usize>(list: &[&[u8]]) -> [u128; N] {
    let mut keys = [0u128; N];
    let mut i = 0;
    while i < N {
        keys[i] = pack(list[i]);
        let mut j = i;
        while j > 0 && keys[j - 1] > keys[j] {
            let t = keys[j];
            keys[j] = keys[j - 1];
            keys[j - 1] = t;
            j -= 1;
        }
        i += 1;
    }
    keys
}

/// [`DANGEROUS`] with keys, in the same (sorted) order: keys compare as the names do.
const DANGEROUS_KEYS: [(u128, &str); DANGEROUS.len()] = {
    let mut out = [(0u128, ""); DANGEROUS.len()];
    let mut i = 0;
    while i < DANGEROUS.len() {
        out[i] = (pack(DANGEROUS[i].0), DANGEROUS[i].1);
        i += 1;
    }
    out
};

/// [`KNOWN`] as sorted keys.
const KNOWN_KEYS: [u128; KNOWN.len()] = sorted_keys(KNOWN);

/// Whether `name` (any case) is in the sorted lowercase `list`.
fn listed(list: &[&[u8]], name: &[u8]) -> bool {
    let mut buf = [0; MAX_NAME];
    lower(name, &mut buf).is_some_and(|n| list.binary_search(&n).is_ok())
}

/// What an element name means for the analyzer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TagKind {
    /// Runs script, loads active content or rewrites the page (`script`, `iframe`, `svg`…).
    Dangerous(&'static str),
    /// `<meta>`: dangerous with `http-equiv` (refresh, cookies), else ordinary.
    Meta,
    /// Ordinary markup that benign content also contains (`b`, `p`, `a`, `img`…).
    Known,
    /// Any other name (custom elements, generics such as `List<String>`, typos).
    Unknown,
}

/// Elements that are Strong by themselves, with the reason reported for them.
const DANGEROUS: &[(&[u8], &str)] = &[
    (b"applet", "object_tag"),
    (b"base", "base_tag"),
    (b"embed", "object_tag"),
    (b"form", "form_tag"),
    (b"frame", "frame_tag"),
    (b"frameset", "frame_tag"),
    (b"iframe", "frame_tag"),
    (b"import", "xml_tag"),
    (b"isindex", "form_tag"),
    (b"link", "link_tag"),
    (b"math", "svg_tag"),
    (b"object", "object_tag"),
    (b"script", "script_tag"),
    (b"scriptlet", "script_tag"),
    (b"style", "style_tag"),
    (b"svg", "svg_tag"),
    (b"vmlframe", "object_tag"),
    (b"xml", "xml_tag"),
];

/// Ordinary HTML elements (current and legacy) that benign markup may contain.
#[rustfmt::skip]
const KNOWN: &[&[u8]] = &[
    b"a", b"abbr", b"acronym", b"address", b"animate", b"animatemotion", b"animatetransform",
    b"area", b"article", b"aside", b"audio", b"b", b"basefont", b"bdi", b"bdo", b"bgsound", b"big",
    b"blink", b"blockquote", b"body", b"br", b"button", b"canvas", b"caption", b"center",
    b"circle", b"cite", b"clippath", b"code", b"col", b"colgroup", b"command", b"content", b"data",
    b"datalist", b"dd", b"del", b"details", b"dfn", b"dialog", b"dir", b"div", b"dl", b"dt",
    b"element", b"ellipse", b"em", b"feimage", b"fieldset", b"figcaption", b"figure", b"font",
    b"footer", b"foreignobject", b"h1", b"h2", b"h3", b"h4", b"h5", b"h6", b"handler", b"head",
    b"header", b"hgroup", b"hr", b"html", b"i", b"ilayer", b"image", b"img", b"input", b"ins",
    b"kbd", b"keygen", b"label", b"layer", b"legend", b"li", b"lineargradient", b"listener",
    b"listing", b"maction", b"main", b"map", b"mark", b"marquee", b"menu", b"menuitem", b"meter",
    b"mpath", b"multicol", b"nav", b"nextid", b"nobr", b"noembed", b"noframes", b"noscript", b"ol",
    b"optgroup", b"option", b"output", b"p", b"param", b"picture", b"plaintext", b"polygon",
    b"polyline", b"pre", b"progress", b"q", b"radialgradient", b"rb", b"rect", b"rp", b"rt",
    b"rtc", b"ruby", b"s", b"samp", b"section", b"select", b"set", b"shadow", b"slot", b"small",
    b"source", b"spacer", b"span", b"strike", b"strong", b"sub", b"summary", b"sup", b"table",
    b"tbody", b"td", b"template", b"textarea", b"tfoot", b"th", b"thead", b"time", b"title", b"tr",
    b"track", b"tspan", b"tt", b"u", b"ul", b"var", b"video", b"wbr", b"xmp",
];

/// Classify an element name (case-insensitive; a namespace prefix such as `html:` or `svg:`
/// is ignored).
pub(super) fn tag_kind(name: &[u8]) -> TagKind {
    let local = match name.iter().rposition(|&c| c == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    };
    let Some(key) = key_of(local) else {
        return TagKind::Unknown;
    };
    if let Ok(i) = DANGEROUS_KEYS.binary_search_by(|(k, _)| k.cmp(&key)) {
        return TagKind::Dangerous(DANGEROUS_KEYS[i].1);
    }
    // A namespaced `svg:…` element is SVG whatever its local name.
    if name.len() > local.len() && eq_ci(&name[..name.len() - local.len()], b"svg:") {
        return TagKind::Dangerous("svg_tag");
    }
    if key == const { pack(b"meta") } {
        return TagKind::Meta;
    }
    // Other namespaced elements (`xss:xss`, `xsl:template`) are XML markup.
    let prefix = &name[..name.len() - local.len()];
    let namespaced = prefix.len() > 1
        && prefix[..prefix.len() - 1]
            .iter()
            .all(u8::is_ascii_alphanumeric)
        && !local.is_empty()
        && local
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'-');
    if namespaced || KNOWN_KEYS.binary_search(&key).is_ok() {
        TagKind::Known
    } else {
        TagKind::Unknown
    }
}

/// Event-handler names without their `on` prefix (DOM, HTML, SVG, legacy IE).
#[rustfmt::skip]
const EVENTS: &[&[u8]] = &[
    b"abort", b"activate", b"afterprint", b"afterscriptexecute", b"animationcancel",
    b"animationend", b"animationiteration", b"animationstart", b"auxclick", b"beforeactivate",
    b"beforecopy", b"beforecut", b"beforedeactivate", b"beforeinput", b"beforepaste",
    b"beforeprint", b"beforescriptexecute", b"beforetoggle", b"beforeunload", b"begin", b"blur",
    b"bounce", b"cancel", b"canplay", b"canplaythrough", b"change", b"click", b"close",
    b"contextmenu", b"copy", b"cuechange", b"cut", b"dblclick", b"deactivate", b"drag", b"dragend",
    b"dragenter", b"dragleave", b"dragover", b"dragstart", b"drop", b"durationchange", b"emptied",
    b"end", b"ended", b"error", b"finish", b"focus", b"focusin", b"focusout", b"formdata",
    b"fullscreenchange", b"hashchange", b"help", b"input", b"invalid", b"keydown", b"keypress",
    b"keyup", b"load", b"loadeddata", b"loadedmetadata", b"loadend", b"loadstart", b"message",
    b"mousedown", b"mouseenter", b"mouseleave", b"mousemove", b"mouseout", b"mouseover",
    b"mouseup", b"mousewheel", b"move", b"offline", b"online", b"pagehide", b"pageshow", b"paste",
    b"pause", b"play", b"playing", b"pointercancel", b"pointerdown", b"pointerenter",
    b"pointerleave", b"pointermove", b"pointerout", b"pointerover", b"pointerrawupdate",
    b"pointerup", b"popstate", b"progress", b"propertychange", b"ratechange", b"readystatechange",
    b"repeat", b"reset", b"resize", b"scroll", b"scrollend", b"search", b"seeked", b"seeking",
    b"select", b"selectionchange", b"selectstart", b"show", b"stalled", b"start", b"storage",
    b"submit", b"suspend", b"timeupdate", b"toggle", b"touchcancel", b"touchend", b"touchmove",
    b"touchstart", b"transitioncancel", b"transitionend", b"transitionrun", b"transitionstart",
    b"unload", b"volumechange", b"waiting", b"wheel",
];

/// Whether `name` has the shape of an event-handler attribute: `on` and at least one more
/// ASCII letter.
pub(super) fn is_handler_shape(name: &[u8]) -> bool {
    name.len() >= 3 && eq_ci(&name[..2], b"on") && name[2..].iter().all(|b| b.is_ascii_alphabetic())
}

/// Whether `name` is a known DOM event-handler attribute (`onload`, `onMouseOver`…).
pub(super) fn is_known_handler(name: &[u8]) -> bool {
    is_handler_shape(name) && listed(EVENTS, &name[2..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        assert_eq!(tag_kind(b"SCRIPT"), TagKind::Dangerous("script_tag"));
        assert_eq!(tag_kind(b"html:script"), TagKind::Dangerous("script_tag"));
        assert_eq!(tag_kind(b"svg:rect"), TagKind::Dangerous("svg_tag"));
        assert_eq!(tag_kind(b"Meta"), TagKind::Meta);
        assert_eq!(tag_kind(b"b"), TagKind::Known);
        assert_eq!(tag_kind(b"String"), TagKind::Unknown);
        assert_eq!(tag_kind(b"u8"), TagKind::Unknown);
        assert_eq!(tag_kind(b"xss:xss"), TagKind::Known);
        assert_eq!(key_of(b"Body"), Some(pack(b"body")));
        assert_eq!(key_of(b"animatetransform"), Some(pack(b"animatetransform")));
        assert_eq!(key_of(b"animatetransforms"), None);
        assert_eq!(key_of(b""), Some(0));
        assert_eq!(tag_kind(b""), TagKind::Unknown);
        assert_eq!(tag_kind(b"https:"), TagKind::Unknown);
        assert_eq!(tag_kind(b"mailto:a@b.c"), TagKind::Unknown);
    }

    #[test]
    fn lists_are_sorted_lowercase() {
        for list in [KNOWN, EVENTS] {
            assert!(list.windows(2).all(|w| w[0] < w[1]));
            assert!(
                list.iter()
                    .all(|n| n.len() <= MAX_NAME && n.to_ascii_lowercase() == *n)
            );
        }
        assert!(DANGEROUS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn handlers() {
        assert!(is_known_handler(b"onMouseOver"));
        assert!(!is_known_handler(b"onion"));
        assert!(is_handler_shape(b"onion"));
        assert!(!is_handler_shape(b"on"));
        assert!(!is_handler_shape(b"on-x"));
    }
}
