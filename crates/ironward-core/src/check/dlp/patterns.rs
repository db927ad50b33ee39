//! The DLP families and the compiled rules.
//!
//! Every family except phone and card numbers is found in two steps: one Aho-Corasick
//! automaton over the literal anchors of the enabled rules ([`super::rules`]), then each rule's
//! regex on a small window around its anchors' hits. Phone and card numbers have no literal
//! anchor: they are found by the digit scanner ([`super::digits`]).
//!
//! All regexes are `regex::bytes` with Unicode off: every pattern is ASCII, so UTF-8 and
//! Latin-1 bodies scan the same, and invalid UTF-8 never needs decoding. They are linear-time,
//! compiled once per process, with size limits.

use super::rules::{Kind, RULES, RuleDef};
use regex::bytes::{Regex, RegexBuilder};

/// A DLP family, in the order they are checked (the first family that matches wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    Phone = 0,
    Card = 1,
    PrivateKey = 2,
    Hash = 3,
    Windows = 4,
    Linux = 5,
    Api = 6,
}

/// Every family, in checking order.
pub(crate) const FAMILIES: [Family; 7] = [
    Family::Phone,
    Family::Card,
    Family::PrivateKey,
    Family::Hash,
    Family::Windows,
    Family::Linux,
    Family::Api,
];

impl Family {
    /// The label reported as the finding's payload (pyrasp's names).
    pub(crate) const fn label(self) -> &'static str {
        match self {
            Family::Phone => "Phone Number",
            Family::Card => "Credit Card",
            Family::PrivateKey => "Private Key",
            Family::Hash => "Password Hash",
            Family::Windows => "Windows Credentials",
            Family::Linux => "Linux Credentials",
            Family::Api => "API Key",
        }
    }

    /// The family's bit in a family mask.
    pub(crate) const fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// Bits of the families found from literal anchors.
pub(crate) const ANCHORED: u8 = 0b111_1100;
/// Bits of the families found by the digit scanner.
pub(crate) const NUMERIC: u8 = 0b000_0011;

/// A compiled rule.
#[derive(Debug)]
pub(crate) struct Rule {
    pub(crate) def: &'static RuleDef,
    /// The regex (None for [`Kind::HexKey`]).
    pub(crate) re: Option<Regex>,
}

/// Every rule, compiled, and the distinct anchors with the rules (bit per rule) they announce.
#[derive(Debug)]
pub(crate) struct Rules {
    pub(crate) rules: Vec<Rule>,
    pub(crate) anchors: Vec<(&'static str, u64)>,
}

impl Rules {
    /// Compiles every rule. Fails only if a built-in pattern is wrong (a bug, caught by tests).
    pub(crate) fn compile() -> Result<Rules, regex::Error> {
        let mut rules = Vec::with_capacity(RULES.len());
        let mut anchors: Vec<(&'static str, u64)> = Vec::new();
        for (i, def) in RULES.iter().enumerate().take(64) {
            let src = match def.kind {
                Kind::Re(s) | Kind::ReNotExample(s) | Kind::ReServiceAccount(s) => Some(s),
                Kind::HexKey => None,
            };
            let re = match src {
                Some(s) => Some(
                    RegexBuilder::new(s)
                        .unicode(false)
                        .size_limit(1 << 20)
                        .dfa_size_limit(1 << 20)
                        .build()?,
                ),
                None => None,
            };
            rules.push(Rule { def, re });
            for lit in def.anchors {
                match anchors.iter_mut().find(|(l, _)| l == lit) {
                    Some((_, bits)) => *bits |= 1 << i,
                    None => anchors.push((lit, 1 << i)),
                }
            }
        }
        Ok(Rules { rules, anchors })
    }

    /// The bits of the rules of the families in `mask`.
    pub(crate) fn enabled(&self, mask: u8) -> u64 {
        self.rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.def.family.bit() & mask != 0)
            .fold(0, |m, (i, _)| m | 1 << i)
    }
}
