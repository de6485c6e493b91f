//! Counting days for legal deadlines: calendar days, or working days that skip Saturdays,
//! Sundays and Vietnam's days off (public holidays, compensatory days, swapped days), and count
//! the make-up working days a year's notice sets on a Saturday. The calendar is data
//! (`holidays`, seeded from `src/seed/data/holidays.csv`, which an admin extends).
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

/// The days that differ from the usual week: days off on weekdays (holidays, compensatory and
/// swapped days) and make-up working days on weekends.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    pub days_off: HashSet<NaiveDate>,
    pub working_days: HashSet<NaiveDate>,
}

impl Calendar {
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.working_days.contains(&day) {
            return true;
        }
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.days_off.contains(&day)
    }
}

/// The last day of a period of `days` days counted from the day after `from`.
pub fn add_days(from: NaiveDate, days: i32, kind: DayKind, calendar: &Calendar) -> NaiveDate {
    match kind {
        DayKind::Calendar => from + Duration::days(days as i64),
        DayKind::Working => {
            let mut day = from;
            let mut left = days;
            while left > 0 {
                day += Duration::days(1);
                if calendar.is_working_day(day) {
                    left -= 1;
                }
            }
            day
        }
    }
}

/// The calendar between two dates (inclusive), for one computation.
pub async fn calendar_between(conn: &mut AsyncPgConnection, from: NaiveDate, to: NaiveDate) -> QueryResult<Calendar> {
    let days: Vec<(NaiveDate, String)> = holidays::table
        .filter(holidays::day.ge(from))
        .filter(holidays::day.le(to))
        .select((holidays::day, holidays::kind))
        .load(conn)
        .await?;
    let mut calendar = Calendar::default();
    for (day, kind) in days {
        if kind == "working_day" {
            calendar.working_days.insert(day);
        } else {
            calendar.days_off.insert(day);
        }
    }
    Ok(calendar)
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

    fn off(days: &[NaiveDate]) -> Calendar {
        Calendar {
            days_off: days.iter().copied().collect(),
            ..Default::default()
        }
    }

    #[test]
    fn calendar_days_count_every_day() {
        assert_eq!(
            add_days(d(2024, 1, 31), 30, DayKind::Calendar, &off(&[])),
            d(2024, 3, 1)
        );
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        // Friday 26 April 2024 + 3 working days: Mon 29, (30 April and 1 May are holidays), Thu 2 May, Fri 3 May.
        let hol = off(&[d(2024, 4, 30), d(2024, 5, 1)]);
        assert_eq!(add_days(d(2024, 4, 26), 3, DayKind::Working, &hol), d(2024, 5, 3));
        assert_eq!(add_days(d(2024, 4, 26), 1, DayKind::Working, &hol), d(2024, 4, 29));
        assert!(!hol.is_working_day(d(2024, 4, 27)));
    }

    #[test]
    fn a_make_up_saturday_counts_and_a_swapped_monday_does_not() {
        // 2024: Monday 29 April off in exchange for working Saturday 4 May.
        let mut cal = off(&[d(2024, 4, 29), d(2024, 4, 30), d(2024, 5, 1)]);
        cal.working_days.insert(d(2024, 5, 4));
        assert!(cal.is_working_day(d(2024, 5, 4)));
        assert!(!cal.is_working_day(d(2024, 4, 29)));
        // Friday 26 April + 3 working days: Thu 2, Fri 3, Sat 4 May.
        assert_eq!(add_days(d(2024, 4, 26), 3, DayKind::Working, &cal), d(2024, 5, 4));
    }
}
