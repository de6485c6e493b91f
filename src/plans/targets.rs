//! `/api/v1/plans/{id}/targets`: what a plan aims at, and what was measured.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::api::{Direction, NewTarget, Target, TargetPatch};
use super::model::{TargetChanges, TargetRow};
use super::queries::{self as plan_queries, readable_plan, update_part, writable_part, PlanPart, Planned};
use super::require_editable;
use super::workflow::Status;
use crate::auth::Caller;
use crate::db::Conn;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::idempotency::{self, IdempotencyKey};
use crate::http::list::Page;
use crate::http::{IfMatch, Json, ValidJson};
use crate::state::AppState;
use crate::write;

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TargetPath {
    /// Plan id.
    pub id: Uuid,
    /// Target id.
    pub target_id: Uuid,
}

async fn check_indicator(conn: &mut Conn, code: Option<&str>) -> ApiResult<()> {
    match code {
        Some(c) if !plan_queries::indicator_exists(conn, c).await? => Err(ApiError::field(
            "indicator_code",
            "unknown",
            "no such indicator (see GET /api/v1/indicators)",
            "không có chỉ tiêu này",
        )),
        _ => Ok(()),
    }
}

fn check_measure(actual: Option<f64>, measured_on: Option<chrono::NaiveDate>) -> ApiResult<()> {
    if actual.is_some() != measured_on.is_some() {
        return Err(ApiError::field(
            "measured_on",
            "required_with",
            "actual_value and measured_on go together",
            "actual_value và measured_on phải đi cùng nhau",
        ));
    }
    Ok(())
}

/// A plan's targets, with what has been measured and whether each is met.
#[utoipa::path(
    tag = "plans",
    operation_id = "list_plan_targets",
    params(("id" = Uuid, Path, description = "Plan id")),
    responses(
        (status = 200, description = "The targets (one page holds them all)", body = Page<Target>),
        (status = 404, description = "No such plan visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}/targets")]
pub async fn list_targets(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<Page<Target>>> {
    let mut conn = state.pool.get().await?;
    let plan = readable_plan(&mut conn, &caller, *id).await?;
    let rows = TargetRow::of_plan(&mut conn, plan.id).await?;
    Ok(web::Json(Page {
        data: rows.into_iter().map(Target::from).collect(),
        next_cursor: None,
    }))
}

/// Add a target to a draft or returned plan.
#[utoipa::path(
    tag = "plans",
    operation_id = "create_plan_target",
    params(
        ("id" = Uuid, Path, description = "Plan id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first response"),
    ),
    request_body = NewTarget,
    responses(
        (status = 201, description = "Added", body = Target, headers(("ETag" = String, description = "The target's version"))),
        (status = 403, description = "Not a manager of the plan's unit or an admin above it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The plan is not editable, or the id is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or unknown indicator", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/{id}/targets")]
pub async fn create_target(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    key: IdempotencyKey,
    id: web::Path<Uuid>,
    body: Json<NewTarget>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let hash = idempotency::fingerprint(&req, &body);
    let mut conn = state.pool.get().await?;
    let plan = readable_plan(&mut conn, &caller, *id).await?;
    caller.require_manager_of(plan.unit_id, &plan.unit_path)?;
    require_editable(&plan)?;
    check_indicator(&mut conn, body.indicator_code.as_deref()).await?;
    check_measure(body.actual_value, body.measured_on)?;
    let now = chrono::Utc::now();
    let row = TargetRow {
        id: body.id.unwrap_or_else(Uuid::now_v7),
        plan_id: plan.id,
        indicator: body.indicator.trim().into(),
        indicator_code: body.indicator_code.clone(),
        unit_of_measure: body.unit_of_measure.trim().into(),
        direction: body.direction.unwrap_or(Direction::Increase).as_str().into(),
        baseline: body.baseline,
        target_value: body.target_value,
        actual_value: body.actual_value,
        measured_on: body.measured_on,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let row = Planned::of(row, &plan);
    write::create(&mut conn, &caller, &key, &hash, row, write::nothing()).await
}

/// Change a target (needs `If-Match`). While the plan is a draft or returned, any field; while
/// it runs (approved, in progress), only `actual_value` and `measured_on`.
#[utoipa::path(
    tag = "plans",
    operation_id = "update_plan_target",
    params(
        TargetPath,
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    request_body = TargetPatch,
    responses(
        (status = 200, description = "Updated", body = Target, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not a manager of the plan's unit or an admin above it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such target visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "That change is not allowed in the plan's status", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or unknown indicator", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/{id}/targets/{target_id}")]
pub async fn update_target(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<TargetPath>,
    if_match: IfMatch,
    body: Json<TargetPatch>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let (plan, current) = writable_part::<TargetRow>(&mut conn, &caller, path.id, path.target_id).await?;
    let defines = body.indicator.is_some()
        || body.indicator_code.is_some()
        || body.unit_of_measure.is_some()
        || body.direction.is_some()
        || body.baseline.is_some()
        || body.target_value.is_some();
    let status = Status::parse(&plan.status).unwrap_or(Status::Draft);
    if defines || !status.is_running() {
        require_editable(&plan)?;
    }
    check_indicator(&mut conn, body.indicator_code.as_ref().and_then(|c| c.as_deref())).await?;
    let actual = body.actual_value.unwrap_or(current.row.actual_value);
    let measured = body.measured_on.unwrap_or(current.row.measured_on);
    check_measure(actual, measured)?;
    let changes = TargetChanges {
        indicator: body.indicator.map(|s| s.trim().to_string()),
        indicator_code: body.indicator_code,
        unit_of_measure: body.unit_of_measure.map(|s| s.trim().to_string()),
        direction: body.direction.map(|d| d.as_str().to_string()),
        baseline: body.baseline,
        target_value: body.target_value,
        actual_value: body.actual_value,
        measured_on: body.measured_on,
    };
    update_part(&mut conn, &caller, current, &if_match, changes).await
}

/// Remove a target from a draft or returned plan (needs `If-Match`).
#[utoipa::path(
    tag = "plans",
    operation_id = "delete_plan_target",
    params(
        TargetPath,
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Not a manager of the plan's unit or an admin above it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such target visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The plan is not editable", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[delete("/{id}/targets/{target_id}")]
pub async fn delete_target(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<TargetPath>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let (plan, current) = writable_part::<TargetRow>(&mut conn, &caller, path.id, path.target_id).await?;
    require_editable(&plan)?;
    write::delete(&mut conn, &caller, current, &if_match).await
}
