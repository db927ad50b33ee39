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

/// The names MongoDB gives BSON types (`$type`'s string form).
const BSON_TYPES: &[&str] = &[
    "double",
    "string",
    "object",
    "array",
    "binData",
    "undefined",
    "objectId",
    "bool",
    "date",
    "null",
    "regex",
    "dbPointer",
    "javascript",
    "symbol",
    "javascriptWithScope",
    "int",
    "timestamp",
    "long",
    "decimal",
    "minKey",
    "maxKey",
    "number",
];

/// Whether `name` is the `$type` operator (alone or in brackets).
pub(super) fn is_type(name: &str) -> bool {
    name.trim().eq_ignore_ascii_case("$type")
        || name
            .split(['[', ']'])
            .any(|p| p.trim().eq_ignore_ascii_case("$type"))
}

/// Whether `value` is a BSON type as `$type` takes it: a type number or a type alias.
pub(super) fn is_bson_type(value: &str) -> bool {
    let v = value.trim();
    v.parse::<i32>().is_ok_and(|n| (-1..=255).contains(&n))
        || BSON_TYPES.iter().any(|t| t.eq_ignore_ascii_case(v))
}

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
    use super::{is_bson_type, is_type, operator};

    #[test]
    fn bson_types() {
        for v in ["2", "-1", "127", "string", "objectId", " int "] {
            assert!(is_bson_type(v), "{v}");
        }
        for v in ["win32", "Shop.Cart, Shop", "MUM_ID", "", "2.5", "stringy"] {
            assert!(!is_bson_type(v), "{v}");
        }
        assert!(is_type("$type") && is_type("a[$type]") && !is_type("$types"));
    }

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
