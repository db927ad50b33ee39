//! The multi-byte shell constructs the byte loop of the lexer hands over to: redirections
//! (`>`, `>>`, `2>&1`, `&>`), `$` forms (`$IFS` used as a space, `$(…)` substitutions,
//! `${…}`, `$name`, `$1`, `$@`) and quoted text (whose body joins the current word; inside
//! double quotes the shell still expands substitutions). Each returns where the byte loop
//! goes on.

use super::{State, find_close, find_paren};

/// A redirection operator starting at `i` (`>`, `>>`, `<`, `<<`, `>&N`, `&>`).
pub(super) fn redirect(st: &mut State<'_>, i: usize) -> usize {
    st.end_word(i);
    let src = st.src;
    let mut j = i + 1;
    while matches!(src.get(j), Some(b'>' | b'<')) {
        j += 1;
    }
    if src.get(j) == Some(&b'&') {
        let digits = src.get(j + 1..).map_or(0, |rest| {
            rest.iter().take_while(|c| c.is_ascii_digit()).count()
        });
        if digits > 0 || src.get(j + 1) == Some(&b'-') {
            if let Some(seg) = st.segment() {
                seg.fd_dup = true;
            }
            return j + 1 + digits.max(1);
        }
        j += 1;
    }
    st.pending_redirect = true;
    j
}

/// A `$` at `i`: `$IFS`, `$(…)`, `${…}`, `$name`, `$1`, `$@`, or a literal dollar.
pub(super) fn dollar(st: &mut State<'_>, i: usize, next: Option<u8>) -> usize {
    let src = st.src;
    let rest = src.get(i + 1..).unwrap_or_default();
    let ifs_len = if rest.starts_with(b"{IFS}") {
        6
    } else if rest.starts_with(b"IFS") && !rest.get(3).is_some_and(|&c| is_ident(c)) {
        4
    } else {
        0
    };
    if ifs_len > 0 {
        st.end_word(i);
        if let Some(seg) = st.segment() {
            seg.ifs = true;
        }
        let mut j = i + ifs_len;
        // `$IFS$9`: an empty positional parameter ends the name.
        if src.get(j) == Some(&b'$') && src.get(j + 1).is_some_and(u8::is_ascii_digit) {
            j += 2;
        }
        return j;
    }
    let had_text = st.cur.as_ref().is_some_and(|w| !w.text.is_empty());
    let end = match next {
        Some(b'(') => match find_paren(src, i + 2) {
            Some(end) => {
                st.subst(i + 2, end, false);
                end + 1
            }
            None => {
                st.end_word(i);
                return i + 2;
            }
        },
        Some(b'{') => match find_close(src, i + 2, b'}') {
            Some(end) => end + 1,
            None => i + 2,
        },
        Some(c) if c.is_ascii_digit() || c == b'@' || c == b'*' => i + 2,
        Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
            i + 1 + rest.iter().take_while(|&&c| is_ident(c)).count()
        }
        _ => {
            st.push_bytes(i, b"$", false);
            return i + 1;
        }
    };
    let w = st.word(i);
    w.expansion = true;
    // An expansion glued inside a word (`c$@at`, `c${u}at`) hides the word from filters.
    w.obfuscated |= had_text && src.get(end).is_some_and(|&c| is_ident(c));
    end
}

/// A quote at `i`: the quoted text joins the current word; a lone quote is punctuation.
pub(super) fn quote(st: &mut State<'_>, i: usize, q: u8) -> usize {
    let src = st.src;
    let close = if q == b'"' {
        find_close(src, i + 1, q)
    } else {
        src.get(i + 1..)
            .and_then(|rest| memchr::memchr(q, rest))
            .map(|p| p + i + 1)
    };
    let Some(end) = close else {
        st.end_word(i);
        return i + 1;
    };
    let body = src.get(i + 1..end).unwrap_or_default();
    if q == b'"' {
        // The shell still expands `` `…` `` and `$(…)` inside double quotes.
        let mut j = 0;
        while let Some(&c) = body.get(j) {
            let at = i + 1 + j;
            if c == b'`'
                && let Some(e) = find_close(src, at + 1, b'`').filter(|&e| e < end)
            {
                st.subst(at + 1, e, false);
                j = e - i;
            } else if c == b'$'
                && body.get(j + 1) == Some(&b'(')
                && let Some(e) = find_paren(src, at + 2).filter(|&e| e < end)
            {
                st.subst(at + 2, e, false);
                j = e - i;
            }
            j += 1;
        }
    }
    st.push_bytes(i, body, true);
    end + 1
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}
