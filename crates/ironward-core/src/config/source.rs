//! Where configuration comes from: the environment variable naming the file, and turning the
//! file's text into a JSON object of keys.
//!
//! pyrasp's older documentation shows files with `//` comment lines, and its management server
//! sends configurations wrapped as `{"config": {...}}`; both are accepted. Syntax errors name the
//! line and column, counted in the original text.

use serde_json::{Map, Value};

/// Environment variables that name the configuration file, in order of precedence: Ironward's,
/// pyrasp's, and pyrasp's older alias.
pub const CONF_ENV_VARS: [&str; 3] = ["IRONWARD_CONF", "PYRASP_CONF", "CONF_FILE"];

/// Which environment variable names the configuration file: `IRONWARD_CONF`, then
/// `PYRASP_CONF`, then `CONF_FILE`. Empty values are skipped. Pure: the caller passes the
/// lookup, e.g. `|k| std::env::var(k).ok()`. Returns the path and the variable's name.
pub fn conf_path_from_env(get: impl Fn(&str) -> Option<String>) -> Option<(String, &'static str)> {
    CONF_ENV_VARS
        .into_iter()
        .find_map(|var| get(var).filter(|v| !v.trim().is_empty()).map(|v| (v, var)))
}

/// `text` with every `//` comment outside strings blanked to the end of its line. Line and
/// column numbers are unchanged, so JSON errors still point at the right place.
pub(crate) fn strip_line_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut in_comment = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_comment {
            if c == '\n' {
                in_comment = false;
                out.push(c);
            }
            continue;
        }
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c == '/' && chars.peek() == Some(&'/') {
            in_comment = true;
            continue;
        }
        out.push(c);
    }
    out
}

/// Parses a file's text into a JSON document (`//` comments and a byte-order mark allowed).
pub(crate) fn parse_document(text: &str) -> Result<Value, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let clean = strip_line_comments(text);
    if clean.trim().is_empty() {
        return Err("the file is empty; expected a JSON object of configuration keys".into());
    }
    serde_json::from_str(&clean).map_err(|e| syntax_error(&e))
}

fn syntax_error(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let reason = full.strip_suffix(&suffix).unwrap_or(&full);
    format!(
        "invalid JSON at line {}, column {}: {reason}",
        e.line(),
        e.column()
    )
}

/// The object of keys of a document: the document itself, or its `"config"` member when the
/// document is wrapped (pyrasp's management-server format). The other members of a wrapped
/// document are listed in `ignored`.
pub(crate) fn config_object<'v>(
    doc: &'v Value,
    ignored: &mut Vec<String>,
) -> Result<&'v Map<String, Value>, String> {
    let Value::Object(map) = doc else {
        return Err(format!(
            "expected a JSON object of configuration keys, got {}",
            kind_of(doc)
        ));
    };
    let Some(inner) = map.get("config") else {
        return Ok(map);
    };
    let Value::Object(inner) = inner else {
        return Err(format!(
            "\"config\" must be an object of configuration keys, got {}",
            kind_of(inner)
        ));
    };
    ignored.extend(map.keys().filter(|k| *k != "config").cloned());
    Ok(inner)
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn env_precedence() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(conf_path_from_env(env(&[])), None);
        assert_eq!(
            conf_path_from_env(env(&[("CONF_FILE", "c.json"), ("PYRASP_CONF", "p.json")])),
            Some(("p.json".into(), "PYRASP_CONF"))
        );
        assert_eq!(
            conf_path_from_env(env(&[
                ("IRONWARD_CONF", "i.json"),
                ("PYRASP_CONF", "p.json")
            ])),
            Some(("i.json".into(), "IRONWARD_CONF"))
        );
        assert_eq!(
            conf_path_from_env(env(&[("IRONWARD_CONF", ""), ("CONF_FILE", "c.json")])),
            Some(("c.json".into(), "CONF_FILE"))
        );
    }

    #[test]
    fn comments_outside_strings_are_removed() {
        let text =
            "{\n  //-- Cloud --//\n  \"URL\": \"http://x//y\", // tail\n  \"Q\": \"a\\\"//b\"\n}";
        let v: Value = serde_json::from_str(&strip_line_comments(text)).unwrap();
        assert_eq!(v, json!({"URL": "http://x//y", "Q": "a\"//b"}));
        assert_eq!(strip_line_comments("a / b"), "a / b");
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let e = parse_document("{\n  \"A\": 1,\n  \"B\" 2\n}").unwrap_err();
        assert!(
            e.starts_with("invalid JSON at line 3, column 7: expected `:`"),
            "{e}"
        );
        let e = parse_document("// only a comment\n").unwrap_err();
        assert!(e.contains("empty"), "{e}");
        let e = config_object(&json!([1]), &mut Vec::new()).unwrap_err();
        assert!(e.ends_with("got an array"), "{e}");
    }

    #[test]
    fn wrapped_documents() {
        let mut ignored = Vec::new();
        let doc = parse_document("{\"config\": {\"VERBOSE\": 10}, \"blacklist\": []}").unwrap();
        let m = config_object(&doc, &mut ignored).unwrap();
        assert_eq!(Value::Object(m.clone()), json!({"VERBOSE": 10}));
        assert_eq!(ignored, vec!["blacklist".to_owned()]);
        assert!(config_object(&json!({"config": 3}), &mut Vec::new()).is_err());
        assert!(
            parse_document("\u{feff}{}")
                .unwrap()
                .as_object()
                .unwrap()
                .is_empty()
        );
    }
}
