//! Lenient deserialisation helpers: malformed optional parts read as absent instead of failing the
//! whole message, as pyrasp ignores them.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::messages::{ConfigMap, Route};
use std::collections::BTreeMap;

/// `null` reads as `T::default()`.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// A JSON object reads as `Some(map)`; anything else (`null`, a list, a string) as `None`, as
/// pyrasp treats a non-dict `config` as empty.
pub(crate) fn object_or_none<'de, D>(deserializer: D) -> Result<Option<ConfigMap>, D::Error>
where
    D: Deserializer<'de>,
{
    Ok(match Value::deserialize(deserializer)? {
        Value::Object(map) => Some(map),
        _ => None,
    })
}

/// The route map: an object of endpoint → route. pyrasp adapters without routes send `{}` or, for
/// the serverless ones, `[]`; anything that is not an object reads as no routes. Entries that do
/// not look like a route are skipped.
pub(crate) fn routes<'de, D>(deserializer: D) -> Result<BTreeMap<String, Route>, D::Error>
where
    D: Deserializer<'de>,
{
    let Value::Object(map) = Value::deserialize(deserializer)? else {
        return Ok(BTreeMap::new());
    };
    Ok(map
        .into_iter()
        .filter_map(|(name, value)| Some((name, serde_json::from_value(value).ok()?)))
        .collect())
}

/// Epoch seconds sent as an integer or a float (a float is truncated, as pyrasp's `int()` does).
pub(crate) fn epoch_seconds<'de, D>(deserializer: D) -> Result<i64, D::Error>
where
    D: Deserializer<'de>,
{
    let number = serde_json::Number::deserialize(deserializer)?;
    if let Some(value) = number.as_i64() {
        return Ok(value);
    }
    match number.as_f64() {
        // `as` saturates out-of-range floats, which is fine for a timestamp.
        Some(value) if value.is_finite() => Ok(value.trunc() as i64),
        _ => Err(serde::de::Error::custom("epoch seconds out of range")),
    }
}

/// A map of IP → epoch seconds; entries whose value is not a number are skipped.
pub(crate) fn epoch_map<'de, D>(deserializer: D) -> Result<Option<BTreeMap<String, i64>>, D::Error>
where
    D: Deserializer<'de>,
{
    #[derive(Deserialize)]
    struct Epoch(#[serde(deserialize_with = "epoch_seconds")] i64);
    let Value::Object(map) = Value::deserialize(deserializer)? else {
        return Ok(None);
    };
    Ok(Some(
        map.into_iter()
            .filter_map(|(ip, value)| Some((ip, serde_json::from_value::<Epoch>(value).ok()?.0)))
            .collect(),
    ))
}

/// Any value that deserialises as `T` reads as `Some`, anything else (including `null`) as `None`.
pub(crate) fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    Ok(serde_json::from_value(Value::deserialize(deserializer)?).ok())
}
