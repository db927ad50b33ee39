//! Times on the dashboard: epoch seconds shown as UTC (`2026-12-06 03:54:32 UTC`), ages
//! ("3 min ago"), and the `datetime-local` values of the event filters read back as UTC.

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`;
/// also reads pyrasp's event times in [`crate::events`]).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (`civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if month <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        month,
        day,
    )
}

/// `YYYY-MM-DDTHH:MM:SS` of an epoch time (UTC).
fn parts(epoch: i64) -> (i64, i64, i64, i64, i64, i64) {
    let days = epoch.div_euclid(86_400);
    let secs = epoch.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    (y, m, d, secs / 3600, secs % 3600 / 60, secs % 60)
}

/// Epoch seconds as `2026-12-06 03:54:32 UTC` (also `ironward server key list`'s times).
///
/// ```
/// assert_eq!(ironward_server::dashboard::time::utc(0), "1970-01-01 00:00:00 UTC");
/// ```
pub fn utc(epoch: i64) -> String {
    let (y, mo, d, h, mi, s) = parts(epoch);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} UTC")
}

/// `03:54` (the chart's axis labels), with the date when `with_date`.
pub(crate) fn short(epoch: i64, with_date: bool) -> String {
    let (_, mo, d, h, mi, _) = parts(epoch);
    if with_date {
        format!("{mo:02}-{d:02} {h:02}:{mi:02}")
    } else {
        format!("{h:02}:{mi:02}")
    }
}

/// The `datetime-local` value of an epoch time (`2026-12-06T03:54`), UTC.
pub(crate) fn input_value(epoch: i64) -> String {
    let (y, mo, d, h, mi, _) = parts(epoch);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}")
}

/// Reads a `datetime-local` value (`YYYY-MM-DDTHH:MM[:SS]`, a space allowed for the `T`) or
/// epoch seconds, as UTC.
pub(crate) fn parse_input(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(epoch) = text.parse::<i64>() {
        return Some(epoch);
    }
    let (date, clock) = text.split_once(['T', ' '])?;
    let mut date_parts = date.split('-');
    let year: i64 = date_parts.next()?.parse().ok()?;
    let month: i64 = date_parts.next()?.parse().ok()?;
    let day: i64 = date_parts.next()?.parse().ok()?;
    let mut clock_parts = clock.split(':');
    let hour: i64 = clock_parts.next()?.parse().ok()?;
    let minute: i64 = clock_parts.next()?.parse().ok()?;
    let second: i64 = match clock_parts.next() {
        Some(s) => s.split('.').next()?.parse().ok()?,
        None => 0,
    };
    if date_parts.next().is_some()
        || clock_parts.next().is_some()
        || !(1..=9999).contains(&year)
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || !(0..24).contains(&hour)
        || !(0..60).contains(&minute)
        || !(0..61).contains(&second)
    {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// "just now", "42 s ago", "3 min ago", "5 h ago", "2 d ago"; "never" for `None`.
pub(crate) fn ago(epoch: Option<i64>, now: i64) -> String {
    let Some(epoch) = epoch else {
        return "never".to_owned();
    };
    let d = now.saturating_sub(epoch);
    match d {
        i64::MIN..=1 => "just now".to_owned(),
        2..=119 => format!("{d} s ago"),
        120..=7199 => format!("{} min ago", d / 60),
        7200..=172_799 => format!("{} h ago", d / 3600),
        _ => format!("{} d ago", d / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_796_529_272), "2026-12-06 03:54:32 UTC");
        assert_eq!(parse_input("2026-12-06T03:54:32"), Some(1_796_529_272));
        assert_eq!(parse_input("2026-12-06T03:54"), Some(1_796_529_240));
        assert_eq!(input_value(1_796_529_272), "2026-12-06T03:54");
        assert_eq!(parse_input("2024-02-29 12:00"), Some(1_709_208_000));
        assert_eq!(parse_input("1796529272"), Some(1_796_529_272));
        for bad in [
            "",
            "2026-13-01T00:00",
            "2026-12-06",
            "x-y-zT1:2",
            "2026-12-06T25:00",
        ] {
            assert_eq!(parse_input(bad), None, "{bad}");
        }
    }

    #[test]
    fn ages() {
        assert_eq!(ago(None, 100), "never");
        assert_eq!(ago(Some(100), 100), "just now");
        assert_eq!(ago(Some(0), 3 * 60), "3 min ago");
        assert_eq!(ago(Some(0), 3 * 86_400), "3 d ago");
    }
}
