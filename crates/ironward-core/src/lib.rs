//! Ironward's engine.
#![forbid(unsafe_code)]

pub mod check;
pub mod config;
pub mod decode;
pub mod event;
pub mod input;
pub mod limits;
pub mod pattern;
pub mod request;
pub mod verdict;
