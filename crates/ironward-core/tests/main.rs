//! Integration tests of ironward-core: one binary, one module per topic.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod bad_input;
mod detection;
mod pipeline;
mod robustness;
