//! Counting days for legal deadlines: calendar days, or working days that skip Saturdays,
//! Sundays and Vietnam's public holidays (kept as data in `holidays`, which an admin extends).
//!
//! "Within N days of D" ends on the Nth day after D (D itself is not counted). In working days,
//! only working days count, so a deadline never falls on a weekend or a holiday.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::holidays;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Calendar,
    Working,
}

impl DayKind {
    pub fn parse(s: &str) -> DayKind {
        if s == "working" {
            DayKind::Working
        } else {
            DayKind::Calendar
        }
    }
}

pub fn is_working_day(day: NaiveDate, holidays: &HashSet<NaiveDate>) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&day)
}

/// The last day of a period of `days` days counted from the day after `from`.
pub fn add_days(from: NaiveDate, days: i32, kind: DayKind, holidays: &HashSet<NaiveDate>) -> NaiveDate {
    match kind {
        DayKind::Calendar => from + Duration::days(days as i64),
        DayKind::Working => {
            let mut day = from;
            let mut left = days;
            while left > 0 {
                day += Duration::days(1);
                if is_working_day(day, holidays) {
                    left -= 1;
                }
            }
            day
        }
    }
}

/// The holidays between two dates (inclusive), for one computation.
pub async fn holidays_between(
    conn: &mut AsyncPgConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<HashSet<NaiveDate>> {
    let days: Vec<NaiveDate> = holidays::table
        .filter(holidays::day.ge(from))
        .filter(holidays::day.le(to))
        .select(holidays::day)
        .load(conn)
        .await?;
    Ok(days.into_iter().collect())
}

/// Today in Vietnam (UTC+7, no daylight saving): the day legal deadlines are measured against.
pub fn today() -> NaiveDate {
    (chrono::Utc::now() + Duration::hours(7)).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn calendar_days_count_every_day() {
        let none = HashSet::new();
        assert_eq!(add_days(d(2024, 1, 31), 30, DayKind::Calendar, &none), d(2024, 3, 1));
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        // Friday 26 April 2024 + 3 working days: Mon 29, (30 April and 1 May are holidays), Thu 2 May, Fri 3 May.
        let hol: HashSet<_> = [d(2024, 4, 30), d(2024, 5, 1)].into_iter().collect();
        assert_eq!(add_days(d(2024, 4, 26), 3, DayKind::Working, &hol), d(2024, 5, 3));
        assert_eq!(add_days(d(2024, 4, 26), 1, DayKind::Working, &hol), d(2024, 4, 29));
        assert!(!is_working_day(d(2024, 4, 27), &hol));
    }
}
