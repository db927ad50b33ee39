//! Security checks.
mod id;
pub use id::CheckId;
