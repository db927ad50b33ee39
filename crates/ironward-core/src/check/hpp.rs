//! `hpp`: HTTP parameter pollution — only the repetitions that can change what the
//! application reads. (pyrasp flagged any name seen twice across the query and the form, which
//! blocked every array, multi-select and `tag[]` list.)
//!
//! Names are grouped ASCII case-insensitively (ASP.NET's collections are), over
//! [`Inputs::params`](crate::input::Inputs): query pairs, urlencoded and multipart text
//! fields, in request order, duplicates kept. A group with two or more values is flagged when:
//!
//! 1. **query/body disagreement** — the name is in the query string *and* in the body, with
//!    some query value differing from some body value: a proxy or WAF reading one source and
//!    the application the other (or `Request["x"]` picking the first) see different inputs.
//!    Location `qs_variables`, payload the name.
//! 2. **structure assembled by joining** — frameworks join repeated values (ASP.NET with
//!    commas, some by plain concatenation). The comma-joined and the concatenated values are
//!    scanned for structure that *no single value has* (see `hpp/structure.rs`): an SQL comment
//!    spanning values next to a keyword (`1/*`,`*/union/*`,`*/select…`), `union select` or
//!    `select … from` assembled across values, a dangerous HTML tag, an event handler or a
//!    `javascript:` URL assembled across values (`<scr` + `ipt>`). Location `qs_variables` or
//!    `post_variables` (the first value's source), payload `name=joined` and engine
//!    `structure`.
//!
//! Repeated names with ordinary values — arrays, checkboxes, multi-selects, even values that
//! each carry SQL or script on their own (those are the injection detectors' business) — pass.
//! Only the first finding of a request is reported. The joined value is cut at
//! [`MAX_JOINED`] bytes.

mod structure;

use super::{Check, CheckId, RequestContext};
use crate::config::Config;
use crate::engine::EngineError;
use crate::input::{Param, ParamSource};
use crate::verdict::Finding;

/// Longest joined value scanned, in bytes.
pub(crate) const MAX_JOINED: usize = 64 * 1024;

/// Below this many params, a duplicate is looked for by comparing every pair (no allocation).
const PAIRWISE: usize = 32;

/// The `hpp` check.
#[derive(Debug)]
pub(crate) struct ParameterPollution;

impl ParameterPollution {
    /// The check (it has no configuration).
    pub(crate) fn new(config: &Config) -> Result<Self, EngineError> {
        let _ = config;
        Ok(ParameterPollution)
    }
}

impl Check for ParameterPollution {
    fn id(&self) -> CheckId {
        CheckId::Hpp
    }

    fn check_request(&self, ctx: &RequestContext<'_, '_>, findings: &mut Vec<Finding>) {
        let params = &ctx.inputs().params;
        if params.len() < 2 || (params.len() <= PAIRWISE && !has_duplicate(params)) {
            return;
        }
        let mut order: Vec<usize> = (0..params.len()).collect();
        // Stable: each group keeps the request order.
        order.sort_by(|&a, &b| cmp_names(params, a, b));
        let mut start = 0;
        while start < order.len() {
            let name_of = |i: usize| order.get(i).and_then(|&j| params.get(j)).map(|p| &*p.name);
            let first = name_of(start).unwrap_or("");
            let mut end = start + 1;
            while name_of(end).is_some_and(|n| n.eq_ignore_ascii_case(first)) {
                end += 1;
            }
            if end - start < 2 {
                start = end;
                continue;
            }
            let group: Vec<&Param<'_>> = order
                .get(start..end)
                .unwrap_or_default()
                .iter()
                .filter_map(|&j| params.get(j))
                .collect();
            if let Some(f) = examine(&group) {
                findings.push(f);
                return;
            }
            start = end;
        }
    }
}

/// True when two params share a name (ASCII case-insensitively).
fn has_duplicate(params: &[Param<'_>]) -> bool {
    params.iter().enumerate().any(|(i, a)| {
        params
            .iter()
            .skip(i + 1)
            .any(|b| a.name.eq_ignore_ascii_case(&b.name))
    })
}

/// Orders param indices by name, ASCII case-insensitively.
fn cmp_names(params: &[Param<'_>], a: usize, b: usize) -> std::cmp::Ordering {
    let key = |i: usize| {
        params
            .get(i)
            .map(|p| p.name.bytes().map(|c| c.to_ascii_lowercase()))
    };
    match (key(a), key(b)) {
        (Some(x), Some(y)) => x.cmp(y),
        _ => std::cmp::Ordering::Equal,
    }
}

/// The finding for one group of same-named params, if it is polluted.
fn examine(group: &[&Param<'_>]) -> Option<Finding> {
    if group.len() < 2 {
        return None;
    }
    let first = group.first()?;
    // Some query value differs from some body value unless every value is the same one:
    // a linear test, not a comparison of every pair.
    let query = group.iter().find(|p| p.source == ParamSource::Query);
    let in_body = group.iter().any(|p| p.source != ParamSource::Query);
    let disagree = query.is_some_and(|q| in_body && group.iter().any(|p| p.value != q.value));
    if disagree {
        return Some(Finding::new(CheckId::Hpp, "qs_variables", &first.name));
    }
    let values = || group.iter().map(|p| &*p.value);
    let joined = join(values(), ",");
    let concatenated = join(values(), "");
    let singles = values().fold(0, |acc, v| acc | structure::features(v));
    let assembled = (structure::features(&joined) | structure::features(&concatenated)) & !singles;
    if assembled == 0 {
        return None;
    }
    let location = if first.source == ParamSource::Query {
        "qs_variables"
    } else {
        "post_variables"
    };
    let payload = format!("{}={joined}", first.name);
    Some(Finding::new(CheckId::Hpp, location, &payload).with_engine("structure"))
}

/// The values joined with `sep`, cut at [`MAX_JOINED`] bytes (on a char boundary).
fn join<'v>(values: impl Iterator<Item = &'v str>, sep: &str) -> String {
    let mut out = String::new();
    for (i, v) in values.enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(v);
        if out.len() >= MAX_JOINED {
            let at = out.floor_char_boundary(MAX_JOINED);
            out.truncate(at);
            break;
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
