//! Integration tests of ironward-ml: one binary, one module per area.

mod html;
mod sql;
mod support;
