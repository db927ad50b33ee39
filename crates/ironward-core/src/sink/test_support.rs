//! Helpers for the sink detectors' unit tests.

/// Prints `sink NAME: benign passed n/total (false positives k)` and fails listing the false
/// positives, if any.
#[allow(clippy::print_stdout)]
pub(crate) fn assert_no_false_positives(name: &str, total: usize, false_positives: &[String]) {
    println!(
        "sink {name}: benign passed {}/{total} (false positives {})",
        total - false_positives.len(),
        false_positives.len()
    );
    assert!(
        false_positives.is_empty(),
        "false positives:\n{}",
        false_positives.join("\n")
    );
}
