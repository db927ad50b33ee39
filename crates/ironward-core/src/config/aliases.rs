//! Keys of older pyrasp releases that are still accepted, each with a warning naming the key to
//! write instead.
//!
//! pyrasp 0.6 had one block message (`GTFO_MSG`) and one status code (`DENY_STATUS_CODE`) for
//! every block; today there is one pair for blocked requests and one for blacklisted clients, so
//! those aliases set both, unless the new key is also given in the same layer (the new key
//! wins). Its documentation also spelled `RESOLBVE_COUNTRY` and `BRUTE_AND_FLOOD_PATH`.
//! `MIN_XSS_LEN` and `MIN_SQLI_LEN` no longer mean anything: every value is scored whatever its
//! length. They are type-checked and ignored.

/// A key from an older release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alias {
    /// The old key.
    pub old: &'static str,
    /// The current keys it sets; empty when the key is ignored.
    pub targets: &'static [&'static str],
    /// Why it changed, for the warning.
    pub note: &'static str,
}

/// Every deprecated key.
pub const ALIASES: &[Alias] = &[
    Alias {
        old: "GTFO_MSG",
        targets: &["BLOCK_ACTION_CONTENT", "BLACKLIST_ACTION_CONTENT"],
        note: "pyrasp 0.6 had one message for every block",
    },
    Alias {
        old: "DENY_STATUS_CODE",
        targets: &["BLOCK_STATUS_CODE", "BLACKLIST_STATUS_CODE"],
        note: "pyrasp 0.6 had one status code for every block",
    },
    Alias {
        old: "RESOLBVE_COUNTRY",
        targets: &["RESOLVE_COUNTRY"],
        note: "a misspelling in pyrasp 0.6's documentation",
    },
    Alias {
        old: "BRUTE_AND_FLOOD_PATH",
        targets: &["BRUTE_AND_FLOOD_PATHS"],
        note: "the singular name of pyrasp 0.6's documentation",
    },
    Alias {
        old: "MIN_XSS_LEN",
        targets: &[],
        note: "every value is scored whatever its length; XSS_PROBA is the knob",
    },
    Alias {
        old: "MIN_SQLI_LEN",
        targets: &[],
        note: "every value is scored whatever its length; SQLI_PROBA is the knob",
    },
];

/// The alias of that exact name.
pub fn alias(name: &str) -> Option<&'static Alias> {
    ALIASES.iter().find(|a| a.old == name)
}

impl Alias {
    /// The warning for this alias, given the targets that the same layer also sets (and which
    /// therefore win over the alias).
    pub(crate) fn warning(&self, overridden: &[&str]) -> String {
        if self.targets.is_empty() {
            return format!("deprecated and ignored: {}", self.note);
        }
        let mut msg = format!(
            "deprecated; write {} instead ({})",
            self.targets.join(" and "),
            self.note
        );
        if !overridden.is_empty() {
            msg.push_str(&format!(
                "; {} also given here, and wins",
                overridden.join(" and ")
            ));
        }
        msg
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::keys::key_spec;

    #[test]
    fn aliases_point_at_real_keys_and_are_not_keys() {
        for a in ALIASES {
            assert!(key_spec(a.old).is_none(), "{}", a.old);
            for t in a.targets {
                assert!(key_spec(t).is_some(), "{t}");
            }
            assert_eq!(alias(a.old), Some(a));
        }
        let kinds: Vec<_> = alias("GTFO_MSG")
            .map(|a| {
                a.targets
                    .iter()
                    .filter_map(|t| key_spec(t))
                    .map(|s| s.kind)
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(kinds.len(), 2);
        assert_eq!(
            kinds.first(),
            kinds.last(),
            "targets of one alias share a kind"
        );
    }

    #[test]
    fn warnings_name_the_current_keys() {
        let gtfo = alias("GTFO_MSG").copied().unwrap_or(ALIASES[0]);
        assert!(
            gtfo.warning(&[])
                .contains("BLOCK_ACTION_CONTENT and BLACKLIST_ACTION_CONTENT")
        );
        assert!(
            gtfo.warning(&["BLOCK_ACTION_CONTENT"])
                .ends_with("given here, and wins")
        );
        let min = alias("MIN_XSS_LEN").copied().unwrap_or(ALIASES[0]);
        assert!(min.warning(&[]).contains("XSS_PROBA"));
    }
}
