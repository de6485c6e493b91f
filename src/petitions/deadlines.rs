//! The deadlines of a petition, from the dated rules in `deadline_rules` and the calendar.

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;

use crate::calendar::{add_days, holidays_between, DayKind};
use crate::db::schema::deadline_rules;
use crate::error::{ApiError, ApiResult};

#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = deadline_rules, check_for_backend(diesel::pg::Pg))]
pub struct DeadlineRule {
    #[schema(example = "complaint.resolution.first.complex")]
    pub code: String,
    /// `complaint` or `denunciation`.
    pub petition_kind: String,
    /// `acceptance` (counted from receipt), `resolution` (from acceptance) or `extension`.
    pub stage: String,
    /// For complaints: first (1) or second (2) instance; null when any.
    pub instance: Option<i16>,
    /// Null when it does not matter.
    pub complex: Option<bool>,
    pub remote: Option<bool>,
    pub days: i32,
    /// `calendar` or `working` days.
    pub day_kind: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub legal_basis: String,
    pub verified: bool,
}

/// What the deadlines depend on.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    pub kind: &'static str,
    pub received_on: NaiveDate,
    pub accepted_on: Option<NaiveDate>,
    pub instance: i16,
    pub complex: bool,
    pub remote: bool,
    pub extension_count: i16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    pub acceptance_due_on: NaiveDate,
    pub resolution_due_on: Option<NaiveDate>,
}

pub async fn rules(conn: &mut AsyncPgConnection) -> QueryResult<Vec<DeadlineRule>> {
    deadline_rules::table
        .order(deadline_rules::code)
        .select(DeadlineRule::as_select())
        .load(conn)
        .await
}

/// The rule of `stage` that applies to the case on `on` (the most specific one in force).
fn pick<'a>(rules: &'a [DeadlineRule], case: &Case, stage: &str, on: NaiveDate) -> Option<&'a DeadlineRule> {
    rules
        .iter()
        .filter(|r| r.petition_kind == case.kind && r.stage == stage)
        .filter(|r| r.effective_from <= on && r.effective_to.is_none_or(|t| on <= t))
        .filter(|r| r.instance.is_none_or(|i| i == case.instance))
        .filter(|r| r.complex.is_none_or(|c| c == case.complex))
        .filter(|r| r.remote.is_none_or(|x| x == case.remote))
        .max_by_key(|r| (r.instance.is_some() as u8) + (r.complex.is_some() as u8) + (r.remote.is_some() as u8))
}

fn missing(stage: &str) -> ApiError {
    ApiError::rule(
        format!("No deadline rule for this case's {stage} is in force on its date; an admin must add one"),
        format!("Chưa có quy định thời hạn {stage} áp dụng cho trường hợp này"),
    )
}

/// Computes the deadlines of a case (pure, given the rules and the holidays).
pub fn compute(
    rules: &[DeadlineRule],
    holidays: &std::collections::HashSet<NaiveDate>,
    case: &Case,
) -> ApiResult<Deadlines> {
    let acceptance = pick(rules, case, "acceptance", case.received_on).ok_or_else(|| missing("acceptance"))?;
    let acceptance_due_on = add_days(
        case.received_on,
        acceptance.days,
        DayKind::parse(&acceptance.day_kind),
        holidays,
    );
    let resolution_due_on = match case.accepted_on {
        None => None,
        Some(accepted) => {
            let rule = pick(rules, case, "resolution", accepted).ok_or_else(|| missing("resolution"))?;
            let mut days = rule.days;
            if case.extension_count > 0 {
                let ext = pick(rules, case, "extension", accepted).ok_or_else(|| missing("extension"))?;
                days += ext.days * case.extension_count as i32;
            }
            Some(add_days(accepted, days, DayKind::parse(&rule.day_kind), holidays))
        }
    };
    Ok(Deadlines {
        acceptance_due_on,
        resolution_due_on,
    })
}

/// Loads the rules and the holidays the case can touch, then computes.
pub async fn for_case(conn: &mut AsyncPgConnection, case: &Case) -> ApiResult<Deadlines> {
    let rules = rules(conn).await?;
    let from = case.received_on;
    // Long enough for any rule (at most 90 days plus weekends and holidays).
    let to = case.accepted_on.unwrap_or(from).max(from) + Duration::days(200);
    let holidays = holidays_between(conn, from, to).await?;
    compute(&rules, &holidays, case)
}
