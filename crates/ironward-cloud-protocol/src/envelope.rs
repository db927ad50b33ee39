//! The response envelope that wraps every connect and beacon answer.

use serde::{Deserialize, Serialize};

/// `{"status": bool, "message": str, "data": {...}}`: the body of every connect and beacon answer.
///
/// pyrasp requires all three fields: a connect answer without `data` (or with `"data": null`)
/// raises out of pyrasp's constructor and crashes the host application at start-up, so servers
/// must always send `data`, an empty object on errors. On input the envelope is tolerant: a
/// missing `message` reads as empty and a missing or `null` `data` as `T::default()`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// `true` when the request succeeded. pyrasp tests truthiness, so servers must send a JSON
    /// boolean (the string `"false"` is truthy to pyrasp).
    pub status: bool,
    /// Human-readable message; pyrasp prints it as `[!] Error: <message>` when `status` is false.
    #[serde(default)]
    pub message: String,
    /// The payload: [`crate::ConnectData`] or [`crate::BeaconData`].
    #[serde(
        default,
        deserialize_with = "crate::de::null_as_default",
        bound(deserialize = "T: Deserialize<'de> + Default")
    )]
    pub data: T,
}

impl<T> Envelope<T> {
    /// A successful answer carrying `data`.
    pub fn ok(message: impl Into<String>, data: T) -> Self {
        Self {
            status: true,
            message: message.into(),
            data,
        }
    }
}

impl<T: Default> Envelope<T> {
    /// A failed answer: `status` false and an empty `data` object (never absent, see the type doc).
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            status: false,
            message: message.into(),
            data: T::default(),
        }
    }
}
