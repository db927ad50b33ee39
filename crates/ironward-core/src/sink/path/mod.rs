//! The path sink detector: does a request input take a file path outside the directory the
//! application joined it to?
//!
//! ## Rule
//!
//! The same rule serves every file operation (read, write, delete, rename: check each path
//! of a rename or copy). An input of at least [`MIN_INPUT_LEN`] bytes that does not occur in
//! the path (exact bytes) is skipped. For each occurrence, the *base* is the directory the code
//! joined the input to: the `base` argument when the caller knows it, otherwise the part of the
//! path before the occurrence, up to its last separator. The path and the base are normalised
//! **lexically** (no filesystem access: `.` and empty segments dropped, `..` removes the
//! previous segment, or stays at the root, or is kept at the start of a relative path). The
//! occurrence is an injection when the normalised path is not inside the normalised base and:
//!
//! - the input holds a NUL byte ([`Reason::NulByte`]; reported wherever it occurs: C APIs cut
//!   the path there);
//! - the input starts the path with an absolute form ([`Reason::Absolute`]): `/`, `\` (a UNC
//!   `\\host\share` included), a drive letter `C:` / `C:\`, or `~` (home expansion);
//! - otherwise, the path would stay inside the base with the input replaced by a neutral name
//!   of the same length ([`Reason::Climb`]): the input's `..` segments climb out. A path the
//!   application itself put outside its base is not the input's doing and is not reported.
//!
//! Windows forms are always read, whatever the platform: `\` is a separator as well as `/`,
//! and a segment made of two or more dots followed by dots or spaces (`...`, `.. `) counts as
//! `..`, since Windows drops trailing dots and spaces from names. `a..b.txt`, `..hidden` and
//! `./x` are names or no-ops: they stay inside.
//!
//! When `base` is given and the path is relative, the path is read relative to `base`.
//!
//! **Several occurrences:** each is checked (the first [`MAX_OCCURRENCES`] per input, which
//! keeps the check linear in the path's length), and one escaping occurrence is enough.
//! **Percent-encoding:** the application decoded the input before joining it, and the extracted
//! inputs include the decoded forms, so the path is matched literally. **A broken `../`
//! filter:** when an input holds `../` or `..\`, its form with each of them removed once (what a
//! non-recursive `replace("../", "")` leaves: `....//` becomes `../`) is looked up as well.
//! Symlinks are not resolved: this check is pure.

use super::{MIN_INPUT_LEN, Reason, Sink, SinkFinding, request_values};
use crate::input::Inputs;
use memchr::memmem;
use std::ops::Range;

/// At most this many (non-overlapping) occurrences of each input, and of its `../`-stripped
/// form, are examined. Each costs one pass over the path, so the check stays linear in the
/// path's length times the number of inputs, however often an input repeats.
pub const MAX_OCCURRENCES: usize = 16;

/// Checks a file path the application is about to open, write, delete or rename against the
/// request's user inputs.
///
/// `base` is the directory the code joined the input to, when the caller knows it; with
/// `None`, it is the part of the path before each occurrence of the input. Returns the first
/// occurrence of an input that takes the path outside its base, or `None`. Pure (the
/// filesystem is never touched) and panic-free; see the [module documentation](self).
///
/// # Example
/// ```
/// use ironward_core::sink::{Reason, path};
///
/// // A vulnerable application joins the user's file name to its upload directory.
/// let name = "../../etc/passwd";
/// let file = format!("/var/app/uploads/{name}");
/// let finding = path::check(None, &file, ["irrelevant", name]).expect("a traversal");
/// assert_eq!(finding.input_index, 1);
/// assert_eq!(finding.reason, Reason::Climb);
/// assert_eq!(&file[finding.span.clone()], name);
///
/// // An absolute path where a relative one was expected (what `os.path.join` returns).
/// let finding = path::check(Some("/var/app/uploads"), "/etc/passwd", ["/etc/passwd"]);
/// assert_eq!(finding.map(|f| f.reason), Some(Reason::Absolute));
///
/// // Names with dots, subfolders inside the base: no finding.
/// let file = "/var/app/uploads/reports/2024/q1..final.pdf";
/// assert!(path::check(None, file, ["reports/2024/q1..final.pdf"]).is_none());
/// ```
pub fn check<I, S>(base: Option<&str>, path: &str, inputs: I) -> Option<SinkFinding>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let p = path.as_bytes();
    let mut seen: Vec<S> = Vec::new();
    // The normalised path, computed once when some input needs it.
    let mut real: Option<Norm<'_>> = None;
    for (index, input) in inputs.into_iter().enumerate() {
        let needle = input.as_ref().as_bytes();
        if needle.len() < MIN_INPUT_LEN || needle.len() > p.len() || !can_escape(needle) {
            continue;
        }
        if seen.iter().any(|s| s.as_ref().as_bytes() == needle) {
            continue;
        }
        let stripped = stripped_form(needle);
        let forms = std::iter::once(needle).chain(
            stripped
                .as_deref()
                .filter(|s| s.len() >= MIN_INPUT_LEN && *s != needle),
        );
        for form in forms {
            if !occurs(p, form) {
                continue;
            }
            for s in memmem::find_iter(p, form).take(MAX_OCCURRENCES) {
                let span = s..s + form.len();
                if let Some(reason) = escapes(base, p, span.clone(), form, &mut real) {
                    return Some(SinkFinding {
                        sink: Sink::Path,
                        input: input.as_ref().to_owned(),
                        input_index: index,
                        span,
                        reason,
                    });
                }
            }
        }
        seen.push(input);
    }
    None
}

/// Candidates verified one by one before handing over to `memmem` (linear in the worst case).
const MAX_CANDIDATES: usize = 16;

/// True when `needle` occurs in `p`: a `memchr` scan for its last byte (usually a name's
/// rarer end, an extension letter) with each hit verified in place, cheaper on short paths
/// than building a `memmem` searcher per input.
fn occurs(p: &[u8], needle: &[u8]) -> bool {
    let Some(&last) = needle.last() else {
        return true;
    };
    let back = needle.len() - 1;
    for (n, at) in memchr::memchr_iter(last, p).enumerate() {
        if n == MAX_CANDIDATES {
            return memmem::find(p, needle).is_some();
        }
        if at >= back && p.get(at - back..=at) == Some(needle) {
            return true;
        }
    }
    false
}

/// [`check`] with the values of an extracted request ([`request_values`]).
pub fn check_request(base: Option<&str>, path: &str, inputs: &Inputs<'_>) -> Option<SinkFinding> {
    check(base, path, request_values(inputs))
}

/// False when the input cannot move a path anywhere: without dots, separators, spaces, `~`,
/// `:` or NUL it only adds name characters to a segment, which goes deeper, never up.
fn can_escape(input: &[u8]) -> bool {
    input
        .iter()
        .any(|b| matches!(b, b'.' | b'/' | b'\\' | b'~' | b':' | b' ' | 0))
}

/// The input with each `../` and then each `..\` removed once, left to right (a non-recursive
/// filter), or `None` when it holds neither.
fn stripped_form(input: &[u8]) -> Option<Vec<u8>> {
    if !input.windows(3).any(|w| w == b"../" || w == b"..\\") {
        return None;
    }
    Some(remove_all(&remove_all(input, b"../"), b"..\\"))
}

/// `hay` with every non-overlapping occurrence of `pat` removed, left to right.
fn remove_all(hay: &[u8], pat: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len());
    let mut last = 0;
    for at in memmem::find_iter(hay, pat) {
        out.extend_from_slice(hay.get(last..at).unwrap_or_default());
        last = at + pat.len();
    }
    out.extend_from_slice(hay.get(last..).unwrap_or_default());
    out
}

/// Why the occurrence `span` of `input` in `p` takes the path outside its base, if it does.
fn escapes<'p>(
    base: Option<&'p str>,
    p: &'p [u8],
    span: Range<usize>,
    input: &[u8],
    real: &mut Option<Norm<'p>>,
) -> Option<Reason> {
    if input.contains(&0) {
        return Some(Reason::NulByte);
    }
    let base_bytes: &[u8] = match base {
        Some(b) => b.as_bytes(),
        None => dir_part(p.get(..span.start).unwrap_or_default()),
    };
    let base_norm = Norm::of(None, base_bytes);
    let joined = base.map(str::as_bytes);
    let real = real.get_or_insert_with(|| Norm::of(joined, p));
    if real.inside(&base_norm) {
        return None;
    }
    if span.start == 0 && root_len(input) > 0 {
        return Some(Reason::Absolute);
    }
    let mut neutral = p.to_vec();
    if let Some(part) = neutral.get_mut(span) {
        part.fill(b'a');
    }
    Norm::of(joined, &neutral)
        .inside(&base_norm)
        .then_some(Reason::Climb)
}

/// The directory part of a path prefix: up to and including its last separator.
fn dir_part(prefix: &[u8]) -> &[u8] {
    match prefix.iter().rposition(|&b| is_sep(b)) {
        Some(i) => prefix.get(..=i).unwrap_or_default(),
        None => prefix.get(..root_len(prefix)).unwrap_or_default(),
    }
}

fn is_sep(b: u8) -> bool {
    b == b'/' || b == b'\\'
}

/// The root a path starts with, lexically.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Root<'a> {
    /// A relative path.
    None,
    /// `/` or `\` (a UNC `\\host\share` too: its host and share are segments).
    Sep,
    /// A drive letter (`C:` or `C:\`), upper-cased.
    Drive(u8),
    /// `~` or `~user`.
    Home(&'a [u8]),
}

/// The length of the root a path starts with (0 for a relative path).
fn root_len(p: &[u8]) -> usize {
    match p {
        [a, ..] if is_sep(*a) => 1,
        [d, b':', ..] if d.is_ascii_alphabetic() => 2,
        [b'~', rest @ ..] => 1 + rest.iter().take_while(|&&b| !is_sep(b)).count(),
        _ => 0,
    }
}

fn root_of(p: &[u8]) -> (Root<'_>, &[u8]) {
    let n = root_len(p);
    let (head, rest) = p.split_at(n.min(p.len()));
    let root = match head {
        [] => Root::None,
        [d, b':'] => Root::Drive(d.to_ascii_uppercase()),
        [b'~', ..] => Root::Home(head),
        _ => Root::Sep,
    };
    (root, rest)
}

/// A lexically normalised path: its root and its segments.
#[derive(Debug)]
struct Norm<'a> {
    root: Root<'a>,
    segs: Vec<&'a [u8]>,
}

/// What a segment means once Windows' trailing dots and spaces are dropped.
enum Seg {
    /// `.`, an empty segment, or `.` followed by spaces.
    Here,
    /// `..`, or a segment of dots and spaces starting with `.` and holding two dots or more.
    Up,
    /// A name.
    Name,
}

fn classify(seg: &[u8]) -> Seg {
    if seg.is_empty() {
        return Seg::Here;
    }
    if seg.first() != Some(&b'.') || !seg.iter().all(|&b| b == b'.' || b == b' ') {
        return Seg::Name;
    }
    if seg.iter().filter(|&&b| b == b'.').count() >= 2 {
        Seg::Up
    } else {
        Seg::Here
    }
}

impl<'a> Norm<'a> {
    /// `path`, read relative to `base` when it is relative and a base is given.
    fn of(base: Option<&'a [u8]>, path: &'a [u8]) -> Self {
        let (root, rest) = root_of(path);
        let mut n = match (root, base) {
            (Root::None, Some(b)) => {
                let (root, brest) = root_of(b);
                let mut n = Norm {
                    root,
                    segs: Vec::new(),
                };
                n.push_all(brest);
                n
            }
            (root, _) => Norm {
                root,
                segs: Vec::new(),
            },
        };
        n.push_all(rest);
        n
    }

    fn push_all(&mut self, rest: &'a [u8]) {
        for seg in rest.split(|&b| is_sep(b)) {
            match classify(seg) {
                Seg::Here => {}
                Seg::Name => self.segs.push(seg),
                Seg::Up => match self.segs.last() {
                    Some(last) if !matches!(classify(last), Seg::Up) => {
                        self.segs.pop();
                    }
                    // Above a root there is nothing: `/..` is `/`.
                    _ if self.root != Root::None => {}
                    _ => self.segs.push(b".."),
                },
            }
        }
    }

    /// True when this path is `dir` or lies below it.
    fn inside(&self, dir: &Norm<'_>) -> bool {
        self.root == dir.root
            && self.segs.len() >= dir.segs.len()
            && self.segs.iter().zip(&dir.segs).all(|(a, b)| a == b)
            && self
                .segs
                .get(dir.segs.len()..)
                .is_some_and(|rest| rest.iter().all(|s| !matches!(classify(s), Seg::Up)))
    }
}

#[cfg(test)]
mod tests;
