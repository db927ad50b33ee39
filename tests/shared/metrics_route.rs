//! What the metrics route tests of `ironward-tower` and `ironward-actix` share (included with
//! `#[path]`): the configuration that serves the route, and reading a series from the text.

use ironward_core::Config;

/// The value of one series in a Prometheus text (`name` with its labels, as written).
pub(crate) fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("{series} missing from:\n{text}"))
}

/// The defaults with the route on `/metrics`, for clients in these networks only.
pub(crate) fn config(allow: &[&str]) -> Config {
    let mut c = Config::default();
    c.metrics_path = "/metrics".to_owned();
    c.metrics_allow = allow.iter().map(|n| n.parse().unwrap()).collect();
    c
}
