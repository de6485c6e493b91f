//! `/api/v1/reports`.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{Datelike, NaiveDate};
use validator::Validate;

use super::api::{summary_csv, summary_xlsx, SummaryBody, SummaryQuery};
use super::summary;
use crate::auth::{Caller, PrincipalKind};
use crate::error::{ApiError, ApiResult, Lang, Problem};
use crate::http::export::{self, disposition, Binary, ExportQuery, Format};
use crate::http::JsonBody;
use crate::state::AppState;

/// The longest period a summary covers.
const MAX_YEARS: i64 = 10;

/// The period asked for: `year`, or `from` and `to`, or the current year.
fn period(q: &SummaryQuery) -> ApiResult<(NaiveDate, NaiveDate)> {
    let year_bounds = |y: i32| {
        (
            NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or_default(),
            NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or_default(),
        )
    };
    match (q.year, q.from, q.to) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(ApiError::field(
            "year",
            "conflict",
            "give either year or from and to, not both",
            "chỉ dùng year hoặc from và to, không dùng cả hai",
        )),
        (Some(y), None, None) => Ok(year_bounds(y)),
        (None, Some(from), Some(to)) => {
            if to < from {
                Err(ApiError::field(
                    "to",
                    "before_start",
                    "must not be before from",
                    "không được trước from",
                ))
            } else if (to - from).num_days() > MAX_YEARS * 366 || from.year() < 2000 || to.year() > 2100 {
                Err(ApiError::field(
                    "from",
                    "out_of_range",
                    "the period must lie within 2000-2100 and span at most 10 years",
                    "kỳ báo cáo phải trong khoảng 2000-2100 và không quá 10 năm",
                ))
            } else {
                Ok((from, to))
            }
        }
        (None, None, None) => Ok(year_bounds(crate::calendar::today().year())),
        _ => Err(ApiError::field(
            if q.from.is_none() { "from" } else { "to" },
            "required",
            "from and to go together",
            "from và to phải đi cùng nhau",
        )),
    }
}

/// A unit's summary for a period: plans, trainings, outreach, inspections, violations,
/// complaints and denunciations, by child unit, and the strategy indicators.
///
/// Counts everything recorded by the unit, every unit below it, and every unit merged into one
/// of those (lineage), each record once. A record falls in the period by its start day
/// (trainings, outreach), its receipt (petitions), the act (violations), the decision or
/// creation day (inspections), or its year (plans). Point-in-time figures (leaders in office,
/// overdue cases) are taken on `reference_date`.
///
/// `GET /api/v1/reports/summary/export` gives the same report as a file.
/// `Accept-Language: vi` gives Vietnamese titles.
/// Partner clients get the units they were granted only, with counts from 1 to 4 (and any cell
/// that would give one away) suppressed.
#[utoipa::path(
    tag = "reports",
    operation_id = "report_summary",
    params(SummaryQuery),
    responses(
        (status = 200, description = "The summary", body = SummaryBody),
        (status = 404, description = "No such unit in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid period", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/summary")]
pub async fn report_summary(
    state: web::Data<AppState>,
    caller: Caller,
    q: crate::http::Query<SummaryQuery>,
) -> ApiResult<HttpResponse> {
    respond(state, caller, q.into_inner(), Format::Json).await
}

/// The summary as a file: `format=csv` (the default, or `Accept: text/csv`) gives one long
/// table, `format=xlsx` a workbook with one sheet per section; titles in the request's
/// language. The same scope and suppression as the JSON summary.
#[utoipa::path(
    tag = "reports",
    operation_id = "export_summary",
    params(SummaryQuery, ExportQuery),
    responses(
        (status = 200, description = "The file", content(
            (Binary = "text/csv"),
            (Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ), headers(("Content-Disposition" = String, description = "attachment; filename=\"summary-<code>-<from>-<to>.csv\" (or .xlsx)"))),
        (status = 404, description = "No such unit in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid period", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/summary/export")]
pub async fn export_summary(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    q: crate::http::Query<SummaryQuery>,
    fmt: crate::http::Query<ExportQuery>,
) -> ApiResult<HttpResponse> {
    let format = fmt.negotiate(&req);
    respond(state, caller, q.into_inner(), format).await
}

async fn respond(
    state: web::Data<AppState>,
    caller: Caller,
    q: SummaryQuery,
    format: Format,
) -> ApiResult<HttpResponse> {
    q.validate()?;
    let (from, to) = period(&q)?;
    let unit_id = match (q.unit_id, caller.kind) {
        (Some(id), _) => id,
        (None, PrincipalKind::User) => caller.unit_id,
        (None, PrincipalKind::Client) => {
            return Err(ApiError::field(
                "unit_id",
                "required",
                "partner clients name one of their granted units",
                "ứng dụng đối tác phải chỉ rõ đơn vị được cấp quyền",
            ))
        }
    };
    let lang = Lang::current();
    let mut conn = state.pool.get().await?;
    let unit = crate::units::queries::find(&mut conn, unit_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    caller.require_visible(&unit.path)?;
    // The survivors' section is open to the case supervisors of the report's own unit only.
    let case_supervisor = caller.kind == PrincipalKind::User
        && crate::support_cases::queries::supervised_unit(&mut conn, caller.id).await? == Some(unit.id);
    let report = summary::build(&mut conn, &unit, from, to, (caller.is_partner(), case_supervisor), lang).await?;
    drop(conn);
    let name = format!("summary-{}-{}-{}", unit.code.as_deref().unwrap_or("unit"), from, to);
    match format {
        Format::Json => Ok(HttpResponse::Ok().json_body(&SummaryBody::new(report, lang))),
        Format::Csv => Ok(HttpResponse::Ok()
            .content_type(export::CSV)
            .insert_header(disposition(&name, "csv"))
            .body(summary_csv(&report, lang))),
        Format::Xlsx => {
            let wb = summary_xlsx(&report, lang).map_err(|e| ApiError::Internal(anyhow::anyhow!("xlsx: {e}")))?;
            export::xlsx_response(wb, &name).await
        }
    }
}
