//! The models built into the binary (`models/*.iwm`, written by `ironward-train`), parsed once
//! on first use.

use crate::model::{LinearModel, ModelError};
use std::sync::LazyLock;

static SQLI: LazyLock<Result<LinearModel, ModelError>> =
    LazyLock::new(|| LinearModel::from_bytes(include_bytes!("../models/sqli.iwm")));
static XSS: LazyLock<Result<LinearModel, ModelError>> =
    LazyLock::new(|| LinearModel::from_bytes(include_bytes!("../models/xss.iwm")));

/// The SQL injection model.
pub fn sqli() -> Result<&'static LinearModel, ModelError> {
    SQLI.as_ref().map_err(Clone::clone)
}

/// The XSS model.
pub fn xss() -> Result<&'static LinearModel, ModelError> {
    XSS.as_ref().map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]

    use super::*;

    #[test]
    fn embedded_models_load_and_fit_the_budget() {
        for m in [sqli(), xss()] {
            let m = m.expect("the committed model parses");
            assert!(m.to_bytes().len() <= 2 * 1024 * 1024);
        }
    }

    #[test]
    fn embedded_models_separate_the_obvious() {
        let (s, x) = (sqli().expect("sqli"), xss().expect("xss"));
        assert!(s.score("1' or '1'='1' --") > 0.9);
        assert!(s.score("1 union all select null,null,concat(user(),version())--") > 0.9);
        assert!(x.score("<script>alert(document.cookie)</script>") > 0.9);
        assert!(x.score("<img src=x onerror=alert(1)>") > 0.9);
        for benign in ["John Smith", "blue running shoes", "Paris"] {
            assert!(s.score(benign) < 0.5, "{benign}");
            assert!(x.score(benign) < 0.5, "{benign}");
        }
    }
}
