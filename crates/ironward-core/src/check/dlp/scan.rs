//! The body scanner: the digit scanner for phones and cards, then one Aho-Corasick pass over
//! the anchors of the enabled rules, then each rule's regex on the windows around its anchors'
//! hits (merged when they overlap, so no byte is searched twice by the same regex).
//! Families are tried in pyrasp's order; the first one that matches wins.
//!
//! The compiled rules and the automata (one per set of enabled anchored families, at most 32)
//! are built once per process and shared: they depend on no configuration value but the
//! family flags, and building them per stream would cost more than scanning a chunk.

use super::patterns::{ANCHORED, FAMILIES, Family, NUMERIC, Rule, Rules};
use super::rules::Kind;
use super::{digits, hexkey};
use aho_corasick::{AhoCorasick, MatchKind};
use memchr::memmem;
use std::sync::OnceLock;

/// A leak found: its family and where it is in the scanned bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Leak {
    pub(crate) family: Family,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// How far a window is widened to reach the start or end of a token, at most.
const WIDEN: usize = 128;

static RULES: OnceLock<Result<Rules, regex::Error>> = OnceLock::new();
static AUTOMATA: [OnceLock<Option<Automaton>>; 32] = [const { OnceLock::new() }; 32];

/// The anchors of the rules of a set of families, compiled: anchors of three bytes or more in
/// one automaton (so that its SIMD searcher can use 3-byte fingerprints), two-byte anchors
/// (`::`, `Q~`) each with its own `memmem` finder.
#[derive(Debug)]
struct Automaton {
    ac: Option<AhoCorasick>,
    /// By pattern id: the rules (bit per rule) the anchor announces.
    rules: Vec<u64>,
    short: Vec<(memmem::Finder<'static>, u64)>,
}

fn automaton(rules: &Rules, mask: u8) -> Option<&'static Automaton> {
    let slot = AUTOMATA.get(usize::from((mask & ANCHORED) >> 2))?;
    slot.get_or_init(|| {
        let enabled = rules.enabled(mask);
        let on = |(_, bits): &&(&str, u64)| bits & enabled != 0;
        let long: Vec<&(&str, u64)> = rules
            .anchors
            .iter()
            .filter(on)
            .filter(|a| a.0.len() > 2)
            .collect();
        let short = rules
            .anchors
            .iter()
            .filter(on)
            .filter(|a| a.0.len() <= 2)
            .map(|(lit, bits)| (memmem::Finder::new(lit.as_bytes()), bits & enabled))
            .collect();
        let ac = if long.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(long.iter().map(|(lit, _)| lit))
                    .ok()?,
            )
        };
        Some(Automaton {
            ac,
            rules: long.iter().map(|(_, bits)| bits & enabled).collect(),
            short,
        })
    })
    .as_ref()
}

/// The DLP scanner for one set of enabled families. Cheap to create and to copy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scanner {
    mask: u8,
    rules: &'static Rules,
    automaton: Option<&'static Automaton>,
}

/// True for bytes that can be part of a secret token (windows are widened over them).
pub(crate) fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b'/' | b'=' | b'.' | b'$' | b'~')
}

/// What the anchor pass found, by rule index: windows to search, or a hand-matched leak.
struct Hits {
    windows: Vec<Vec<(usize, usize)>>,
    found: Vec<Option<(usize, usize)>>,
}

impl Scanner {
    /// The scanner of the families in `mask` (bits of [`Family::bit`]).
    pub(crate) fn new(mask: u8) -> Result<Scanner, regex::Error> {
        let rules = RULES
            .get_or_init(Rules::compile)
            .as_ref()
            .map_err(Clone::clone)?;
        let automaton = if mask & ANCHORED != 0 {
            automaton(rules, mask)
        } else {
            None
        };
        Ok(Scanner {
            mask,
            rules,
            automaton,
        })
    }

    /// Scans `body`. With `open_start`/`open_end` the bytes are a window of a stream (see
    /// [`digits::scan`]): matches at the very start or touching the end are not reported.
    pub(crate) fn scan(&self, body: &[u8], open_start: bool, open_end: bool) -> Option<Leak> {
        let accept =
            |s: usize, e: usize| !((open_start && s == 0) || (open_end && e >= body.len()));
        if self.mask & NUMERIC != 0 {
            let phones = self.mask & Family::Phone.bit() != 0;
            let cards = self.mask & Family::Card.bit() != 0;
            let n = digits::scan(body, phones, cards, open_start, open_end);
            if let Some((start, end)) = n.phone {
                return Some(Leak {
                    family: Family::Phone,
                    start,
                    end,
                });
            }
            if let Some((start, end)) = n.card {
                return Some(Leak {
                    family: Family::Card,
                    start,
                    end,
                });
            }
        }
        if self.mask & ANCHORED == 0 {
            return None;
        }
        let hits = self.hits(body, &accept);
        for family in FAMILIES {
            if self.mask & family.bit() & ANCHORED == 0 {
                continue;
            }
            for (i, rule) in self.rules.rules.iter().enumerate() {
                if rule.def.family != family {
                    continue;
                }
                if let Some(Some((start, end))) = hits.found.get(i) {
                    return Some(Leak {
                        family,
                        start: *start,
                        end: *end,
                    });
                }
                for &(wa, wb) in hits.windows.get(i).map_or(&[][..], Vec::as_slice) {
                    let Some(win) = body.get(wa..wb) else {
                        continue;
                    };
                    if let Some((s, e)) = find_rule(rule, win, |s, e| accept(wa + s, wa + e)) {
                        return Some(Leak {
                            family,
                            start: wa + s,
                            end: wa + e,
                        });
                    }
                }
            }
        }
        None
    }

    /// One pass of the automaton: for each rule, the windows around its anchors' hits, merged
    /// when they overlap (without an automaton, the whole body is one window).
    fn hits(&self, body: &[u8], accept: &impl Fn(usize, usize) -> bool) -> Hits {
        let n = self.rules.rules.len();
        let mut hits = Hits {
            windows: vec![Vec::new(); n],
            found: vec![None; n],
        };
        let Some(auto) = self.automaton else {
            let enabled = self.rules.enabled(self.mask);
            for (i, w) in hits.windows.iter_mut().enumerate() {
                if enabled & (1 << i) != 0 {
                    w.push((0, body.len()));
                }
            }
            return hits;
        };
        let events = auto.ac.iter().flat_map(|ac| ac.find_iter(body)).map(|m| {
            let bits = auto.rules.get(m.pattern().as_usize()).copied().unwrap_or(0);
            (m.start(), m.end(), bits)
        });
        let short = auto.short.iter().flat_map(|(f, bits)| {
            f.find_iter(body)
                .map(move |s| (s, s + f.needle().len(), *bits))
        });
        for (start, end, mut bits) in events.chain(short) {
            while bits != 0 {
                let i = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let Some(rule) = self.rules.rules.get(i) else {
                    continue;
                };
                if rule.def.kind == Kind::HexKey {
                    if let Some(slot) = hits.found.get_mut(i).filter(|s| s.is_none()) {
                        *slot = hexkey::find(body, start, end).filter(|(s, e)| accept(*s, *e));
                    }
                    continue;
                }
                let (a, b) = widen(body, start, end, rule);
                if let Some(list) = hits.windows.get_mut(i) {
                    match list.last_mut() {
                        Some(last) if a <= last.1 => last.1 = last.1.max(b),
                        _ => list.push((a, b)),
                    }
                }
            }
        }
        hits
    }
}

/// The window of a rule around an anchor hit, widened to the edges of the tokens it cuts.
fn widen(body: &[u8], start: usize, end: usize, rule: &Rule) -> (usize, usize) {
    let mut a = start.saturating_sub(usize::from(rule.def.before));
    let mut b = end
        .saturating_add(usize::from(rule.def.after))
        .min(body.len());
    let (la, lb) = (a.saturating_sub(WIDEN), b.saturating_add(WIDEN));
    while a > la && body.get(a - 1).is_some_and(|c| is_token(*c)) {
        a -= 1;
    }
    while b < lb && body.get(b).is_some_and(|c| is_token(*c)) {
        b += 1;
    }
    (a, b)
}

/// The first match of a rule in a window that passes its extra test and `accept`.
fn find_rule(
    rule: &Rule,
    win: &[u8],
    accept: impl Fn(usize, usize) -> bool,
) -> Option<(usize, usize)> {
    let re = rule.re.as_ref()?;
    re.find_iter(win).find_map(|m| {
        let ok = match rule.def.kind {
            Kind::ReNotExample(_) => !m.as_bytes().ends_with(b"EXAMPLE"),
            Kind::ReServiceAccount(_) => service_account_key(win.get(m.end()..)?),
            Kind::Re(_) | Kind::HexKey => true,
        };
        (ok && accept(m.start(), m.end())).then_some((m.start(), m.end()))
    })
}

/// True when a `"private_key"` holding a PEM private key follows in the service account JSON.
fn service_account_key(rest: &[u8]) -> bool {
    let Some(at) = memmem::find(rest, b"\"private_key\"") else {
        return false;
    };
    let after = rest.get(at..).unwrap_or_default();
    let near = after.get(..after.len().min(48)).unwrap_or_default();
    memmem::find(near, b"-----BEGIN").is_some()
}

/// The matched bytes without the delimiters some rules take around a secret.
pub(crate) fn trim(leak: &[u8]) -> &[u8] {
    let junk = |b: &u8| b" \t\r\n\"'`,;<>()[]{}".contains(b);
    let start = leak.iter().position(|b| !junk(b)).unwrap_or(leak.len());
    let end = leak.iter().rposition(|b| !junk(b)).map_or(start, |e| e + 1);
    leak.get(start..end.max(start)).unwrap_or_default()
}
