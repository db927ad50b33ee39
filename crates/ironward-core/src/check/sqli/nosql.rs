//! NoSQL operator injection: MongoDB-style query operators smuggled in as object keys.
//!
//! An application that passes a parsed JSON body or a PHP/Express-style nested form
//! (`user[$ne]=x` parses to `{"user": {"$ne": "x"}}`) straight into a MongoDB query lets the
//! client turn an equality into `$ne`, `$gt`, `$regex` or a JavaScript `$where`. Request keys
//! that are query operators therefore fire. Keys of JSON Schema and JSON-LD (`$schema`, `$ref`,
//! `$id`, `$defs`, `$comment`) and other `$`-names are not operators and pass.

/// MongoDB query and aggregation operators an attacker uses to rewrite a filter.
const OPERATORS: &[&str] = &[
    "$ne",
    "$eq",
    "$gt",
    "$gte",
    "$lt",
    "$lte",
    "$in",
    "$nin",
    "$regex",
    "$options",
    "$where",
    "$expr",
    "$function",
    "$accumulator",
    "$exists",
    "$or",
    "$and",
    "$nor",
    "$not",
    "$elemmatch",
    "$all",
    "$size",
    "$type",
    "$mod",
    "$text",
    "$jsonschema",
    "$lookup",
];

/// The operator `name` is or holds in brackets (`$ne`, `user[$ne]`, `a[b][$gt]`), if any.
pub(super) fn operator(name: &str) -> Option<&'static str> {
    if !name.contains('$') {
        return None;
    }
    let is_op = |s: &str| OPERATORS.iter().any(|op| op.eq_ignore_ascii_case(s.trim()));
    if is_op(name) {
        return Some("nosql_operator");
    }
    name.split(['[', ']'])
        .any(|part| part.starts_with('$') && is_op(part))
        .then_some("nosql_operator")
}

#[cfg(test)]
mod tests {
    use super::operator;

    #[test]
    fn operators_fire_and_schema_keys_pass() {
        for name in [
            "$ne",
            "$where",
            "$REGEX",
            "user[$ne]",
            "a[b][$gt]",
            "password[$exists]",
        ] {
            assert_eq!(operator(name), Some("nosql_operator"), "{name}");
        }
        for name in [
            "$schema",
            "$ref",
            "$id",
            "price$",
            "user[name]",
            "total",
            "$",
            "a[$]",
        ] {
            assert_eq!(operator(name), None, "{name}");
        }
    }
}
