//! The user messages of a request body shaped like a common LLM API, read the way the
//! application reads them: the body is parsed as JSON whatever its `Content-Type` says (as
//! Flask's `get_json(force=True)` or a framework that ignores the header would), and a key
//! repeated in an object keeps its last value (Python's `json`, `serde_json`).
//!
//! | API | what is judged |
//! |---|---|
//! | OpenAI chat completions | `messages[]` with `role` `user`: `content` as a string, or its parts `{"type": "text", "text": …}` |
//! | OpenAI Responses | `input` as a string, or its items with `role` `user` (or no role): `content` as a string or parts of type `input_text`/`text` |
//! | Anthropic messages | `messages[]` with `role` `user`: `content` as a string or blocks of type `text` |
//! | Google Gemini | `contents[]` with `role` `user` (or no role): `parts[].text` |
//! | plain | top-level `prompt` or `input` as a string (or an array of strings, as the legacy completions API takes) |
//!
//! `system`/`developer` messages and the top-level `system`/`instructions` fields are **not**
//! judged: in an LLM front end the application writes them, and a client that may set them
//! already controls the model's instructions (judging them would flag every application's
//! own system prompt, which routinely says "ignore…", "you are…"). Assistant and tool messages
//! are not judged either (the model's own earlier output; tool results are for the host-side
//! guard, which calls `check::prompt_text`).

use serde_json::Value;

/// At most this many texts are judged per body (a conversation longer than this is judged
/// on its first and last messages, see [`user_texts`]).
pub(crate) const MAX_TEXTS: usize = 64;

/// Field names that the shapes above need: a body holding none of them is not parsed.
pub(crate) const FIELDS: [&str; 4] = ["\"messages\"", "\"input\"", "\"prompt\"", "\"contents\""];

/// Pushes the text parts of a `content` value (string, or array of typed parts).
fn content<'v>(v: &'v Value, out: &mut Vec<&'v str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(parts) => {
            for p in parts {
                match p {
                    Value::String(s) => out.push(s),
                    Value::Object(o) => {
                        let ty = o.get("type").and_then(Value::as_str).unwrap_or("text");
                        if matches!(ty, "text" | "input_text")
                            && let Some(Value::String(s)) = o.get("text")
                        {
                            out.push(s);
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

fn role(o: &serde_json::Map<String, Value>) -> Option<&str> {
    o.get("role").and_then(Value::as_str)
}

/// The user texts of a parsed body, in order, at most [`MAX_TEXTS`] (the first half and the
/// last half of a longer list: a new message is at the end of a conversation).
pub(crate) fn user_texts(body: &Value) -> Vec<&str> {
    let mut out = Vec::new();
    let Value::Object(top) = body else {
        return out;
    };
    if let Some(Value::Array(messages)) = top.get("messages") {
        for m in messages {
            if let Value::Object(o) = m
                && role(o) == Some("user")
                && let Some(c) = o.get("content")
            {
                content(c, &mut out);
            }
        }
    }
    match top.get("input") {
        Some(Value::String(s)) => out.push(s),
        Some(Value::Array(items)) => {
            for item in items {
                match item {
                    Value::String(s) => out.push(s),
                    Value::Object(o) if role(o).is_none_or(|r| r == "user") => {
                        if let Some(c) = o.get("content") {
                            content(c, &mut out);
                        } else if o.get("type").and_then(Value::as_str) == Some("input_text")
                            && let Some(Value::String(s)) = o.get("text")
                        {
                            out.push(s);
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    if let Some(Value::Array(contents)) = top.get("contents") {
        for c in contents {
            if let Value::Object(o) = c
                && role(o).is_none_or(|r| r == "user")
                && let Some(Value::Array(parts)) = o.get("parts")
            {
                for p in parts {
                    if let Some(Value::String(s)) = p.get("text") {
                        out.push(s);
                    }
                }
            }
        }
    }
    match top.get("prompt") {
        Some(Value::String(s)) => out.push(s),
        Some(Value::Array(items)) => out.extend(items.iter().filter_map(Value::as_str)),
        _ => {}
    }
    if out.len() > MAX_TEXTS {
        let tail = out.split_off(out.len() - MAX_TEXTS / 2);
        out.truncate(MAX_TEXTS / 2);
        out.extend(tail);
    }
    out
}
