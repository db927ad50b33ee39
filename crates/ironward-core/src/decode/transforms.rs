//! A small bit set naming the decodings that produced a value, for reports and tests.

use serde::{Serialize, Serializer};

/// The decodings applied to reach a value (empty for the value as extracted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Transforms(u16);

impl Transforms {
    /// No decoding.
    pub const NONE: Transforms = Transforms(0);
    /// Percent-decoding beyond the first round.
    pub const PERCENT: Transforms = Transforms(1);
    /// HTML character references.
    pub const HTML: Transforms = Transforms(1 << 1);
    /// Backslash escapes (`\uXXXX`, `\xXX`, `\n`…).
    pub const ESCAPE: Transforms = Transforms(1 << 2);
    /// Base64 or base64url.
    pub const BASE64: Transforms = Transforms(1 << 3);
    /// A JWT segment (base64url).
    pub const JWT: Transforms = Transforms(1 << 4);
    /// JSON found inside a value.
    pub const JSON: Transforms = Transforms(1 << 5);
    /// The value was cut at `MAX_VALUE_LENGTH`.
    pub const TRUNCATED: Transforms = Transforms(1 << 6);
    /// A quoted string unquoted and unescaped, as Python's cookie parsers read one.
    pub const UNQUOTED: Transforms = Transforms(1 << 7);
    /// Bytes decoded from a declared charset or content transfer encoding (UTF-7, UTF-16,
    /// quoted-printable…).
    pub const CHARSET: Transforms = Transforms(1 << 8);

    const NAMES: [(Transforms, &'static str); 9] = [
        (Transforms::PERCENT, "percent"),
        (Transforms::HTML, "html"),
        (Transforms::ESCAPE, "escape"),
        (Transforms::BASE64, "base64"),
        (Transforms::JWT, "jwt"),
        (Transforms::JSON, "json"),
        (Transforms::TRUNCATED, "truncated"),
        (Transforms::UNQUOTED, "unquoted"),
        (Transforms::CHARSET, "charset"),
    ];

    /// True when every bit of `other` is set.
    pub const fn contains(self, other: Transforms) -> bool {
        self.0 & other.0 == other.0
    }

    /// True when no bit is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The union of two sets.
    #[must_use]
    pub const fn union(self, other: Transforms) -> Transforms {
        Transforms(self.0 | other.0)
    }

    /// The names of the set bits, in a fixed order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::NAMES
            .into_iter()
            .filter(move |(t, _)| self.contains(*t))
            .map(|(_, n)| n)
    }
}

impl std::ops::BitOr for Transforms {
    type Output = Transforms;
    fn bitor(self, rhs: Transforms) -> Transforms {
        self.union(rhs)
    }
}

impl std::ops::BitOrAssign for Transforms {
    fn bitor_assign(&mut self, rhs: Transforms) {
        *self = self.union(rhs);
    }
}

impl Serialize for Transforms {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.names())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations() {
        let t = Transforms::PERCENT | Transforms::BASE64;
        assert!(t.contains(Transforms::BASE64));
        assert!(!t.contains(Transforms::HTML));
        assert_eq!(t.names().collect::<Vec<_>>(), ["percent", "base64"]);
        assert!(Transforms::NONE.is_empty());
    }
}
