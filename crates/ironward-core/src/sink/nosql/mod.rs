//! The NoSQL sink detector: does a request carry query operators into a MongoDB filter?
//!
//! ## Rule
//!
//! A MongoDB filter is a document, not a string: the injection is an *object* from the request
//! where the code expected a value. `{"user": req.body.user}` with the body
//! `{"user": {"$ne": null}}` matches every user. So this detector compares objects:
//!
//! 1. [`user_objects`] lists the request's objects that carry query operators: every object of
//!    the parsed JSON body holding a key that starts with `$` (nested ones too, each on its
//!    own), every bracket-syntax parameter with a `$` segment (`user[$ne]=x`,
//!    `a[b][$gt]=1`, `a[$in][]=1&a[$in][]=2`), rebuilt from the `$` segment down the way
//!    `qs` (Express), PHP and Rack parse them (`{"$ne": "x"}`, `{"$gt": "1"}`,
//!    `{"$in": ["1", "2"]}`; parameters under the same parent merge into one object), a
//!    top-level parameter named `$…` (`?$where=…`: `{"$where": "…"}`), and a parameter value
//!    that is itself a JSON object or array holding a `$` key (`filter={"age":{"$gt":0}}`,
//!    which applications parse and pass on).
//! 2. [`check`] fires [`Reason::QueryOperator`] when the filter holds, at any depth, an
//!    object that has one of a user object's `$` keys with an equal (deep-equal) value, a
//!    user string also equal to the number or boolean it spells (`"1"` and `1`: ODMs cast
//!    query strings to the field's type): the
//!    user object itself, or the user object's operators merged into the code's own
//!    (`{"age": {"$gt": 18, "$lt": <user's>}}`). `input` is the user object as compact JSON
//!    (cut to [`MAX_INPUT_REPORTED`] bytes), `input_index` its position among the user
//!    objects, `span` `0..0`: a filter has no byte offsets.
//! 3. [`check_with_strings`] also fires when a user string input of at least
//!    [`MIN_INPUT_LEN`] bytes occurs in a string of a `$where`, `$function`, `$accumulator` or
//!    `$expr` value (server-side JavaScript or an aggregation expression built by
//!    concatenation) and holds a byte that can add code: anything but ASCII letters, digits,
//!    `_`, spaces and non-ASCII characters. A name (`alice`), a number (`18`) or plain words
//!    pasted into a `$where` string cannot add an operator, a call or a quote; `' || '1'=='1`,
//!    `1; sleep(5000)` and `this.password` can. The rule is deliberately simple: any such
//!    occurrence fires, even inside a JavaScript string literal the code escaped correctly.
//!    `input_index` is then the string's position among the string inputs.
//!
//! Operators the code writes itself (`{"age": {"$gt": 18}}`) fire only when a user object
//! carries the same operator and value; user *strings* as plain values (`{"name": "$ne"}`)
//! are never operators.
//!
//! ## Bounds
//!
//! Every walk stops at [`MAX_DEPTH`] levels (hostile nesting cannot overflow the stack: a
//! user object deeper than that is not collected) and [`MAX_NODES`] values; at most
//! [`MAX_USER_OBJECTS`] user objects are collected and examined, and at most
//! `MAX_CLONED_NODES` (65,536) values are copied into them. The constants are fixed, not
//! configured.

use super::{MIN_INPUT_LEN, Reason, Sink, SinkFinding, request_values};
use crate::input::Inputs;
use serde_json::{Map, Value};

/// Deepest level any walk (body, filter, user object) descends to.
pub const MAX_DEPTH: usize = 64;
/// Most values visited in one walk of a body or a filter.
pub const MAX_NODES: usize = 100_000;
/// Most user objects collected by [`user_objects`] and examined by [`check`].
pub const MAX_USER_OBJECTS: usize = 64;
/// Longest `input` (the user object as JSON) reported in a finding, in bytes.
pub const MAX_INPUT_REPORTED: usize = 1024;
/// Most values copied into the user objects of one request.
const MAX_CLONED_NODES: usize = 65_536;
/// Most bracket segments read in one parameter name.
const MAX_SEGMENTS: usize = 16;
/// Longest parameter value parsed as JSON.
const MAX_JSON_PARAM: usize = 64 * 1024;
/// Operators whose value is code or an expression that strings are pasted into.
const CODE_OPERATORS: &[&str] = &["$where", "$function", "$accumulator", "$expr"];

/// The request's objects that carry query operators: objects of the JSON body holding a `$`
/// key, and objects rebuilt from bracket-syntax query or form parameters (see the
/// [module documentation](self)), in that order, at most [`MAX_USER_OBJECTS`].
///
/// # Example
/// ```
/// use ironward_core::sink::nosql;
/// use serde_json::json;
///
/// let body = json!({"user": "admin", "password": {"$ne": null}});
/// let objects = nosql::user_objects(Some(&body), [("role[$in][]", "admin"), ("page", "2")]);
/// assert_eq!(objects, vec![json!({"$ne": null}), json!({"$in": ["admin"]})]);
/// ```
pub fn user_objects<'p>(
    json_body: Option<&Value>,
    pairs: impl IntoIterator<Item = (&'p str, &'p str)>,
) -> Vec<Value> {
    let mut c = Collector::default();
    if let Some(body) = json_body {
        c.walk(body, 0);
    }
    // Bracket parameters, merged by the parent of their first `$` segment.
    let mut groups: Vec<(&str, Value)> = Vec::new();
    for (name, value) in pairs {
        if c.full() {
            break;
        }
        if let Some((parent, segs)) = operator_segments(name) {
            let slot = match groups.iter().position(|(p, _)| *p == parent) {
                Some(i) => groups.get_mut(i),
                None if groups.len() < MAX_USER_OBJECTS => {
                    groups.push((parent, Value::Object(Map::new())));
                    groups.last_mut()
                }
                None => None,
            };
            if let Some((_, object)) = slot {
                insert(object, &segs, value);
            }
        }
        let trimmed = value.trim_start();
        if (trimmed.starts_with('{') || trimmed.starts_with('['))
            && value.len() <= MAX_JSON_PARAM
            && value.contains('$')
            && let Ok(parsed) = serde_json::from_str::<Value>(value)
        {
            c.walk(&parsed, 0);
        }
    }
    for (_, object) in &groups {
        c.walk(object, 0);
    }
    c.out
}

/// Checks a MongoDB filter the application is about to send against the request's user
/// objects (from [`user_objects`]). Fires [`Reason::QueryOperator`] when the filter holds, at
/// any depth, an object with one of a user object's `$` keys and an equal value. See the
/// [module documentation](self).
///
/// # Example
/// ```
/// use ironward_core::sink::{Reason, nosql};
/// use serde_json::json;
///
/// // `db.users.findOne({user: body.user, password: body.password})`
/// let body = json!({"user": "admin", "password": {"$ne": null}});
/// let objects = nosql::user_objects(Some(&body), []);
/// let filter = json!({"user": "admin", "password": {"$ne": null}});
/// let f = nosql::check(&filter, &objects).expect("an operator injection");
/// assert_eq!((f.reason, f.input.as_str()), (Reason::QueryOperator, r#"{"$ne":null}"#));
///
/// // Operators written by the code, user strings as values: no finding.
/// let filter = json!({"age": {"$gt": 18}, "name": "$ne"});
/// assert!(nosql::check(&filter, &nosql::user_objects(None, [("name", "$ne")])).is_none());
/// ```
pub fn check<'v>(
    filter: &Value,
    user_objects: impl IntoIterator<Item = &'v Value>,
) -> Option<SinkFinding> {
    check_with_strings(filter, user_objects, std::iter::empty::<&str>())
}

/// [`check`], and also the string rule: a user string input that can add code occurring in a
/// string of a `$where`, `$function`, `$accumulator` or `$expr` value fires (see the
/// [module documentation](self)).
///
/// # Example
/// ```
/// use ironward_core::sink::{Reason, nosql};
/// use serde_json::json;
///
/// let name = "x' || '1'=='1";
/// let filter = json!({"$where": format!("this.name == '{name}'")});
/// let f = nosql::check_with_strings(&filter, [], ["2", name]).expect("code injection");
/// assert_eq!((f.input_index, f.reason), (1, Reason::QueryOperator));
///
/// // A plain name in the same place adds no code.
/// let filter = json!({"$where": "this.name == 'alice'"});
/// assert!(nosql::check_with_strings(&filter, [], ["alice"]).is_none());
/// ```
pub fn check_with_strings<'v, I, S>(
    filter: &Value,
    user_objects: impl IntoIterator<Item = &'v Value>,
    string_inputs: I,
) -> Option<SinkFinding>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let objects: Vec<(usize, &Map<String, Value>)> = user_objects
        .into_iter()
        .enumerate()
        .filter_map(|(i, v)| match v {
            Value::Object(m) if m.keys().any(|k| k.starts_with('$')) => Some((i, m)),
            _ => None,
        })
        .take(MAX_USER_OBJECTS)
        .collect();
    let strings: Vec<(usize, S)> = string_inputs
        .into_iter()
        .enumerate()
        .filter(|(_, s)| {
            let s = s.as_ref();
            s.len() >= MIN_INPUT_LEN && adds_code(s)
        })
        .collect();
    if objects.is_empty() && strings.is_empty() {
        return None;
    }
    let mut search = Search {
        objects: &objects,
        strings: &strings,
        nodes: 0,
    };
    search.walk(filter, 0)
}

/// [`check_with_strings`] with the request's user objects (from the parsed JSON body, when
/// there is one, and the query and form parameters) and its values ([`request_values`]).
pub fn check_request(
    filter: &Value,
    json_body: Option<&Value>,
    inputs: &Inputs<'_>,
) -> Option<SinkFinding> {
    let objects = user_objects(
        json_body,
        inputs
            .params
            .iter()
            .map(|p| (p.name.as_ref(), p.value.as_ref())),
    );
    check_with_strings(filter, &objects, request_values(inputs))
}

/// Collects the objects holding a `$` key, within the bounds.
#[derive(Default)]
struct Collector {
    out: Vec<Value>,
    nodes: usize,
    cloned: usize,
}

impl Collector {
    fn full(&self) -> bool {
        self.out.len() >= MAX_USER_OBJECTS
    }

    /// Pre-order: an object is collected before the objects inside it.
    fn walk(&mut self, v: &Value, depth: usize) {
        if depth > MAX_DEPTH || self.nodes >= MAX_NODES || self.full() {
            return;
        }
        self.nodes += 1;
        match v {
            Value::Object(m) => {
                if m.keys().any(|k| k.starts_with('$')) {
                    let budget = MAX_CLONED_NODES - self.cloned;
                    if let Some(size) = size_within(v, budget, 0)
                        && !self.out.contains(v)
                    {
                        self.cloned += size;
                        self.out.push(v.clone());
                    }
                }
                for child in m.values() {
                    self.walk(child, depth + 1);
                }
            }
            Value::Array(a) => {
                for child in a {
                    self.walk(child, depth + 1);
                }
            }
            _ => {}
        }
    }
}

/// The number of values in `v`, when it is at most `budget` and `v` is at most
/// [`MAX_DEPTH`] levels deep (below `depth`).
fn size_within(v: &Value, budget: usize, depth: usize) -> Option<usize> {
    if budget == 0 || depth > MAX_DEPTH {
        return None;
    }
    let mut size = 1;
    let mut add = |child: &Value| -> Option<()> {
        size += size_within(child, budget.checked_sub(size)?, depth + 1)?;
        Some(())
    };
    match v {
        Value::Object(m) => m.values().try_for_each(&mut add)?,
        Value::Array(a) => a.iter().try_for_each(&mut add)?,
        _ => {}
    }
    (size <= budget).then_some(size)
}

/// The parent (the name up to the first `$` segment, `""` for a top-level `$…` name) and the
/// segments from that `$` segment on, of a bracket-syntax name (`a[b][$gt]`: `a[b]`,
/// `["$gt"]`); `None` when no segment starts with `$` or the name is malformed.
fn operator_segments(name: &str) -> Option<(&str, Vec<&str>)> {
    if !name.contains('$') {
        return None;
    }
    let root_end = name.find('[').unwrap_or(name.len());
    let root = name.get(..root_end)?;
    if root.starts_with('$') {
        let mut segs = vec![root];
        segs.extend(bracket_segments(name.get(root_end..)?)?);
        return Some(("", segs));
    }
    let mut pos = root_end;
    let rest = name.get(root_end..)?;
    let segs = bracket_segments(rest)?;
    for (i, seg) in segs.iter().enumerate() {
        if seg.starts_with('$') {
            return Some((name.get(..pos)?, segs.get(i..)?.to_vec()));
        }
        pos += seg.len() + 2;
    }
    None
}

/// `[a][b][]` → `["a", "b", ""]`; text after the last `]` is ignored (as `qs` keeps it
/// apart); `None` when a bracket is not closed or there are too many segments.
fn bracket_segments(mut rest: &str) -> Option<Vec<&str>> {
    let mut segs = Vec::new();
    while let Some(inner) = rest.strip_prefix('[') {
        let close = inner.find(']')?;
        segs.push(inner.get(..close)?);
        if segs.len() > MAX_SEGMENTS {
            return None;
        }
        rest = inner.get(close + 1..)?;
    }
    Some(segs)
}

/// Puts `leaf` at the path `segs` under `target`, as `qs` does: `[]` and small numbers index
/// arrays, other segments are object keys, a repeated key makes an array.
fn insert(target: &mut Value, segs: &[&str], leaf: &str) {
    let Some((seg, rest)) = segs.split_first() else {
        return;
    };
    let index = array_index(seg);
    if index.is_some() && !target.is_object() {
        if !target.is_array() {
            *target = Value::Array(Vec::new());
        }
        if let Value::Array(items) = target {
            let at = index.filter(|&i| i < items.len() && !rest.is_empty());
            match at.and_then(|i| items.get_mut(i)) {
                Some(existing) => insert(existing, rest, leaf),
                None if rest.is_empty() => items.push(Value::String(leaf.to_owned())),
                None => {
                    let mut child = Value::Null;
                    insert(&mut child, rest, leaf);
                    items.push(child);
                }
            }
        }
        return;
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(map) = target {
        let entry = map.entry((*seg).to_owned()).or_insert(Value::Null);
        if !rest.is_empty() {
            insert(entry, rest, leaf);
            return;
        }
        let new = Value::String(leaf.to_owned());
        match entry {
            Value::Null => *entry = new,
            Value::Array(items) => items.push(new),
            other => {
                let old = std::mem::take(other);
                *other = Value::Array(vec![old, new]);
            }
        }
    }
}

/// `[]` (`""`) or a number up to 20 (`qs`'s array limit) indexes an array.
fn array_index(seg: &str) -> Option<usize> {
    if seg.is_empty() {
        return Some(usize::MAX);
    }
    if seg.len() > 2 || !seg.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    seg.parse::<usize>().ok().filter(|&i| i <= 20)
}

/// True when `s` holds a byte that can add code to JavaScript or an expression: anything but
/// ASCII letters, digits, `_`, spaces and non-ASCII characters.
fn adds_code(s: &str) -> bool {
    s.bytes()
        .any(|b| b.is_ascii() && !(b.is_ascii_alphanumeric() || b == b'_' || b == b' '))
}

/// The filter walk of [`check_with_strings`].
struct Search<'a, 'v, S> {
    objects: &'a [(usize, &'v Map<String, Value>)],
    strings: &'a [(usize, S)],
    nodes: usize,
}

impl<S: AsRef<str>> Search<'_, '_, S> {
    fn walk(&mut self, v: &Value, depth: usize) -> Option<SinkFinding> {
        if depth > MAX_DEPTH || self.nodes >= MAX_NODES {
            return None;
        }
        self.nodes += 1;
        match v {
            Value::Object(m) => {
                if m.keys().any(|k| k.starts_with('$')) {
                    if let Some(found) = self.operators(m) {
                        return Some(found);
                    }
                    if !self.strings.is_empty() {
                        for key in CODE_OPERATORS {
                            if let Some(code) = m.get(*key)
                                && let Some(found) = self.code(code, depth + 1)
                            {
                                return Some(found);
                            }
                        }
                    }
                }
                m.values().find_map(|child| self.walk(child, depth + 1))
            }
            Value::Array(a) => a.iter().find_map(|child| self.walk(child, depth + 1)),
            _ => None,
        }
    }

    /// The first user object one of whose `$` keys `m` holds with an equal value.
    fn operators(&self, m: &Map<String, Value>) -> Option<SinkFinding> {
        let (index, user) = self.objects.iter().find(|(_, user)| {
            user.iter().any(|(k, uv)| {
                k.starts_with('$') && m.get(k).is_some_and(|fv| same_value(uv, fv, 0))
            })
        })?;
        let json = serde_json::to_string(user).unwrap_or_default();
        Some(finding(cut(json, MAX_INPUT_REPORTED), *index))
    }

    /// The first string input that adds code to a string of the code operator value `v`.
    fn code(&mut self, v: &Value, depth: usize) -> Option<SinkFinding> {
        if depth > MAX_DEPTH || self.nodes >= MAX_NODES {
            return None;
        }
        self.nodes += 1;
        match v {
            Value::String(code) => self.strings.iter().find_map(|(index, s)| {
                let s = s.as_ref();
                memchr::memmem::find(code.as_bytes(), s.as_bytes())
                    .map(|_| finding(s.to_owned(), *index))
            }),
            Value::Object(m) => m.values().find_map(|child| self.code(child, depth + 1)),
            Value::Array(a) => a.iter().find_map(|child| self.code(child, depth + 1)),
            _ => None,
        }
    }
}

/// Deep equality of a user value and a filter value, where a user string also equals the
/// number or boolean it spells (`"1"` and `1`, `"true"` and `true`): query and form values
/// are strings, and ODMs such as Mongoose cast them to the field's type before the filter
/// is sent.
fn same_value(user: &Value, filter: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match (user, filter) {
        (Value::String(s), Value::Number(n)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .is_some_and(|u| Some(u) == n.as_f64()),
        (Value::String(s), Value::Bool(b)) => s == if *b { "true" } else { "false" },
        (Value::Array(u), Value::Array(f)) => {
            u.len() == f.len() && u.iter().zip(f).all(|(u, f)| same_value(u, f, depth + 1))
        }
        (Value::Object(u), Value::Object(f)) => {
            u.len() == f.len()
                && u.iter()
                    .all(|(k, u)| f.get(k).is_some_and(|f| same_value(u, f, depth + 1)))
        }
        _ => user == filter,
    }
}

fn finding(input: String, input_index: usize) -> SinkFinding {
    SinkFinding {
        sink: Sink::NoSql,
        input,
        input_index,
        span: 0..0,
        reason: Reason::QueryOperator,
    }
}

/// `s` cut to at most `max` bytes, on a character boundary.
fn cut(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

#[cfg(test)]
mod tests;
