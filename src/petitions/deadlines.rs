//! The deadlines of a petition, from the dated rules in `deadline_rules` and the calendar.

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;

use crate::calendar::{add_days, calendar_between, Calendar, DayKind};
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
    /// Denunciations: verification at several places or by delegation (Luật Tố cáo Art. 24(1)).
    pub elsewhere: Option<bool>,
    /// Extensions: the complexity they are for (`complex`, `especially_complex`).
    pub complexity: Option<String>,
    /// Extensions: how many times a case of that complexity may be extended.
    pub max_times: Option<i16>,
    pub days: i32,
    /// `calendar` or `working` days.
    pub day_kind: String,
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub effective_from: NaiveDate,
    #[serde(serialize_with = "crate::http::json_body::opt_date")]
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
    /// `normal`, `complex` or `especially_complex`; a complaint's rules know only "complex".
    pub complexity: &'static str,
    pub remote: bool,
    pub verification_elsewhere: bool,
    pub extension_count: i16,
}

impl Case {
    pub fn complex(&self) -> bool {
        self.complexity != "normal"
    }
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
        .filter(|r| r.complex.is_none_or(|c| c == case.complex()))
        .filter(|r| r.remote.is_none_or(|x| x == case.remote))
        .filter(|r| r.elsewhere.is_none_or(|x| x == case.verification_elsewhere))
        .filter(|r| r.complexity.as_deref().is_none_or(|c| c == case.complexity))
        .max_by_key(|r| {
            [
                r.instance.is_some(),
                r.complex.is_some(),
                r.remote.is_some(),
                r.elsewhere.is_some(),
                r.complexity.is_some(),
            ]
            .iter()
            .filter(|x| **x)
            .count()
        })
}

fn missing(stage: &str) -> ApiError {
    ApiError::rule(
        format!("No deadline rule for this case's {stage} is in force on its date; an admin must add one"),
        format!("Chưa có quy định thời hạn {stage} áp dụng cho trường hợp này"),
    )
}

/// A denunciation's extensions must be allowed by its complexity (Luật Tố cáo 2018 Art. 30): a
/// complex case once, an especially complex one twice, any other never. The counts are data
/// (the extension rules' `max_times`).
pub fn check_extensions(rules: &[DeadlineRule], case: &Case, on: NaiveDate) -> ApiResult<()> {
    if case.extension_count == 0 {
        return Ok(());
    }
    let allowed = pick(rules, case, "extension", on)
        .and_then(|r| r.max_times)
        .unwrap_or(0);
    if case.extension_count > allowed {
        let basis =
            pick(rules, case, "extension", on).map_or("Luật Tố cáo 2018, Điều 30", |r| r.legal_basis.as_str());
        return Err(ApiError::field(
            "extension_count",
            "not_allowed",
            format!(
                "a {} case may be extended {allowed} time(s) ({basis})",
                case.complexity.replace('_', " ")
            ),
            format!(
                "vụ việc mức độ {} được gia hạn tối đa {allowed} lần ({basis})",
                case.complexity
            ),
        ));
    }
    Ok(())
}

/// Computes the deadlines of a case (pure, given the rules and the calendar).
pub fn compute(rules: &[DeadlineRule], holidays: &Calendar, case: &Case) -> ApiResult<Deadlines> {
    check_extensions(rules, case, case.accepted_on.unwrap_or(case.received_on))?;
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
    let holidays = calendar_between(conn, from, to).await?;
    compute(&rules, &holidays, case)
}
