//! Card numbers: the Luhn checksum and the issuer ranges (IIN) of the major networks.
//!
//! A digit sequence is a card number only if its length fits a network whose IIN range it
//! starts with, and its Luhn checksum is valid: a random 16-digit order id passes the Luhn test
//! once in ten, and an IIN range too, so together they cut false positives by far.

/// True when the digits (ASCII `0`–`9` only) pass the Luhn checksum.
pub(crate) fn luhn_valid(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d.wrapping_sub(b'0'));
        if v > 9 {
            return false;
        }
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// The value of the first `n` digits.
fn prefix(digits: &[u8], n: usize) -> u32 {
    digits
        .iter()
        .take(n)
        .fold(0, |acc, d| acc * 10 + u32::from(d.wrapping_sub(b'0')))
}

/// The card network whose IIN range and lengths fit these digits, if any.
pub(crate) fn network(digits: &[u8]) -> Option<&'static str> {
    let len = digits.len();
    if !(13..=19).contains(&len) || digits.len() < 6 {
        return None;
    }
    let p1 = prefix(digits, 1);
    let p2 = prefix(digits, 2);
    let p3 = prefix(digits, 3);
    let p4 = prefix(digits, 4);
    let p6 = prefix(digits, 6);
    let name = if p1 == 4 && matches!(len, 13 | 16 | 19) {
        "visa"
    } else if ((51..=55).contains(&p2) || (2221..=2720).contains(&p4)) && len == 16 {
        "mastercard"
    } else if matches!(p2, 34 | 37) && len == 15 {
        "amex"
    } else if (p4 == 6011
        || (644..=649).contains(&p3)
        || p2 == 65
        || (622_126..=622_925).contains(&p6))
        && len >= 16
    {
        "discover"
    } else if (3528..=3589).contains(&p4) && len >= 16 {
        "jcb"
    } else if (p2 == 36 && len >= 14)
        || (((300..=305).contains(&p3) || matches!(p2, 38 | 39)) && len >= 16)
    {
        "diners"
    } else if p2 == 62 && len >= 16 {
        "unionpay"
    } else if (2200..=2204).contains(&p4) && len >= 16 {
        "mir"
    } else if matches!(p4, 5018 | 5020 | 5038 | 5893 | 6304 | 6759 | 6761..=6763) && len >= 16 {
        "maestro"
    } else {
        return None;
    };
    Some(name)
}

/// True when the digits are a plausible card number: a known network and a valid checksum.
pub(crate) fn is_card(digits: &[u8]) -> bool {
    network(digits).is_some() && luhn_valid(digits)
}
