//! Strict calendar dates: exactly `YYYY-MM-DD`, in JSON bodies and query parameters alike.
//! chrono's own parser is lenient (`2024-1-5`, `+2024-01-05`, spaces around the dashes); the
//! contract says `YYYY-MM-DD`, so every date a client sends goes through [`parse`]. Use with
//! `#[serde(deserialize_with = "crate::http::date::strict")]` (or `strict_opt`, with `default`,
//! for an optional date; `strict_double`, with `default`, for a PATCH field that may be null).

use chrono::NaiveDate;
use serde::{de::Error, Deserialize, Deserializer};

/// The days the service stores: from 1900-01-01 (no record of this programme is older) to
/// 9999-12-31 (PostgreSQL has no year 0, and four digits end there).
pub const FIRST_YEAR: i32 = 1900;

/// `YYYY-MM-DD`, a real day, from [`FIRST_YEAR`] on; or `None`.
pub fn parse(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    shaped
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
        .filter(|d| chrono::Datelike::year(d) >= FIRST_YEAR)
}

fn checked<E: Error>(s: &str) -> Result<NaiveDate, E> {
    parse(s).ok_or_else(|| {
        E::custom(format!(
            "invalid date {s:?}: expected a real day from {FIRST_YEAR}-01-01 to 9999-12-31, as YYYY-MM-DD"
        ))
    })
}

pub fn strict<'de, D: Deserializer<'de>>(de: D) -> Result<NaiveDate, D::Error> {
    checked(&String::deserialize(de)?)
}

pub fn strict_opt<'de, D: Deserializer<'de>>(de: D) -> Result<Option<NaiveDate>, D::Error> {
    Option::<String>::deserialize(de)?.map(|s| checked(&s)).transpose()
}

pub fn strict_double<'de, D: Deserializer<'de>>(de: D) -> Result<Option<Option<NaiveDate>>, D::Error> {
    strict_opt(de).map(Some)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn only_days_the_database_can_store() {
        assert_eq!(parse("0000-01-01"), None, "PostgreSQL has no year 0");
        assert_eq!(parse("1899-12-31"), None);
        assert!(parse("1900-01-01").is_some() && parse("9999-12-31").is_some());
    }

    #[test]
    fn only_yyyy_mm_dd_that_names_a_day() {
        assert_eq!(parse("2024-02-29"), chrono::NaiveDate::from_ymd_opt(2024, 2, 29));
        for bad in [
            "2024-1-05",
            "2024-01-5",
            "+2024-01-05",
            " 2024-01-05",
            "2024 -01-05",
            "2023-02-29",
            "2024-13-01",
            "20240105",
            "2024/01/05",
            "",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
