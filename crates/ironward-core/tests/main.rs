//! Integration tests of ironward-core: one binary, one module per topic.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod pipeline;
mod robustness;
