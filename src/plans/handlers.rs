//! `/api/v1/plans`: plans, their workflow actions and history, and the indicator list.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::api::{Indicator, NewPlan, Plan, PlanFilters, PlanPatch, Transition, TransitionRequest};
use super::model::{NewPlanRow, PlanChanges, PlanDraft, PlanRow};
use super::queries::{self, readable_plan};
use super::workflow::{allowed, Action, Party, Status};
use super::{require_editable, require_readable};
use crate::auth::Caller;
use crate::db::Conn;
use crate::domain::areas_to_db;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::idempotency::{self, IdempotencyKey};
use crate::http::json_row::page_response;
use crate::http::list::{Cursor, Page, PageQuery, Sort};
use crate::http::{etag_response, IfMatch, Json, ValidJson};
use crate::state::AppState;
use crate::write;

/// The parent plan must be readable and belong to a unit above the plan's unit.
async fn check_parent(conn: &mut Conn, caller: &Caller, parent: Option<Uuid>, unit_path: &str) -> ApiResult<()> {
    let Some(parent) = parent else { return Ok(()) };
    let found = queries::find(conn, parent)
        .await?
        .filter(|p| require_readable(caller, p).is_ok());
    match found {
        Some(p) if unit_path.starts_with(&p.unit_path) && unit_path != p.unit_path => Ok(()),
        Some(_) => Err(ApiError::field(
            "parent_plan_id",
            "not_above",
            "must be a plan of a unit above this plan's unit",
            "phải là kế hoạch của đơn vị cấp trên",
        )),
        None => Err(ApiError::field(
            "parent_plan_id",
            "unknown",
            "no such plan in your scope",
            "không có kế hoạch này trong phạm vi của bạn",
        )),
    }
}

async fn check_documents(conn: &mut Conn, ids: &[Uuid]) -> ApiResult<()> {
    let found = crate::documents::queries::existing(conn, ids).await?;
    match ids.iter().position(|id| !found.contains(id)) {
        Some(i) => Err(ApiError::field(
            &format!("document_ids[{i}]"),
            "unknown",
            "no such legal document",
            "không có văn bản này",
        )),
        None => Ok(()),
    }
}

/// Plans the caller may see: its subtree's, and the published plans of the units above it.
///
/// Sort: `year` (default), `title`, `updated_at`; `-` for descending.
#[utoipa::path(
    tag = "plans",
    operation_id = "list_plans",
    params(PlanFilters, PageQuery),
    responses(
        (status = 200, description = "A page of plans", body = Page<Plan>),
        (status = 403, description = "Partners read no plans", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid sort or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("")]
pub async fn list_plans(
    state: web::Data<AppState>,
    caller: Caller,
    filters: crate::http::Query<PlanFilters>,
    page: crate::http::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require_not_partner()?;
    let sort = Sort::parse(page.sort.as_deref(), queries::SORTS)?;
    let cursor = page.cursor.as_deref().map(|c| Cursor::decode(c, &sort)).transpose()?;
    let limit = page.limit();
    // Reads only: on the worker's shared connection (see db::SharedReads).
    page_response(&state.reads, async |mut conn| {
        let unit_path = match (filters.unit_id, filters.include_descendants) {
            (Some(id), true) => match crate::units::queries::find(&mut conn, id).await? {
                Some(u) => Some(u.path),
                None => return Ok(crate::http::json_row::empty_page()),
            },
            _ => None,
        };
        Ok(queries::list(
            &mut conn,
            &caller,
            &filters,
            unit_path.as_deref(),
            &sort,
            cursor.as_ref(),
            limit,
        )
        .await?)
    })
    .await
}

/// One plan, with its citations and progress.
#[utoipa::path(
    tag = "plans",
    operation_id = "get_plan",
    params(("id" = Uuid, Path, description = "Plan id")),
    responses(
        (status = 200, description = "The plan", body = Plan, headers(("ETag" = String, description = "The plan's version"))),
        (status = 404, description = "No such plan visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}")]
pub async fn get_plan(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let plan = readable_plan(&mut conn, &caller, *id).await?;
    Ok(etag_response(StatusCode::OK, plan.version, &Plan::from(plan)))
}

/// Create a plan (a draft) for the caller's unit, or, for an admin, a unit in its subtree.
#[utoipa::path(
    tag = "plans",
    operation_id = "create_plan",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first response")),
    request_body = NewPlan,
    responses(
        (status = 201, description = "Created as a draft", body = Plan, headers(("ETag" = String, description = "The plan's version"))),
        (status = 403, description = "Not a manager of the unit or an admin above it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The unit already has a plan of this kind for the year, or the id is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, unknown documents, a parent plan not above the unit, or a reused Idempotency-Key", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("")]
pub async fn create_plan(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    key: IdempotencyKey,
    body: Json<NewPlan>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let hash = idempotency::fingerprint(&req, &body);
    let mut conn = state.pool.get().await?;
    let unit_id = body.unit_id.unwrap_or(caller.unit_id);
    let unit = crate::units::queries::in_scope(&mut conn, &caller, Some(unit_id), "unit_id").await?;
    caller.require_manager_of(unit.id, &unit.path)?;
    check_parent(&mut conn, &caller, body.parent_plan_id, &unit.path).await?;
    check_documents(&mut conn, &body.document_ids).await?;
    let row = NewPlanRow {
        id: body.id.unwrap_or_else(Uuid::now_v7),
        unit_id: unit.id,
        unit_path: unit.path.clone(),
        year: body.year,
        kind: body.kind.as_str().into(),
        title: body.title.trim().into(),
        summary: body.summary.clone(),
        areas: areas_to_db(&body.areas),
        parent_plan_id: body.parent_plan_id,
    };
    let draft = PlanDraft {
        row,
        documents: body.document_ids,
    };
    write::create(&mut conn, &caller, &key, &hash, draft, write::nothing()).await
}

/// Edit a draft or returned plan (its unit's manager or an admin above; needs `If-Match`).
#[utoipa::path(
    tag = "plans",
    operation_id = "update_plan",
    params(
        ("id" = Uuid, Path, description = "Plan id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    request_body = PlanPatch,
    responses(
        (status = 200, description = "Updated", body = Plan, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not a manager of the plan's unit or an admin above it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The plan is not editable in its status (`allowed` lists the actions)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/{id}")]
pub async fn update_plan(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<PlanPatch>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let current = readable_plan(&mut conn, &caller, *id).await?;
    caller.require_manager_of(current.unit_id, &current.unit_path)?;
    write::require_fresh(&current, &if_match)?;
    require_editable(&current)?;
    if let Some(parent) = body.parent_plan_id {
        check_parent(&mut conn, &caller, parent, &current.unit_path).await?;
    }
    if let Some(docs) = &body.document_ids {
        check_documents(&mut conn, docs).await?;
    }
    let changes = PlanChanges {
        title: body.title.map(|t| t.trim().to_string()),
        summary: body.summary,
        areas: body.areas.as_deref().map(areas_to_db),
        parent_plan_id: body.parent_plan_id,
        ..Default::default()
    };
    let (id, version) = (current.id, current.version);
    let documents = body.document_ids;
    let apply = write::apply(move |conn| {
        Box::pin(async move {
            if !queries::update(conn, id, version, &changes, None).await? {
                return Ok(None);
            }
            if let Some(docs) = &documents {
                queries::set_documents(conn, id, docs).await?;
            }
            Ok(queries::find(conn, id).await?)
        })
    });
    Ok(write::update(&mut conn, &caller, current, &if_match, "update", apply)
        .await?
        .respond())
}

/// Delete a draft plan (soft; needs `If-Match`). Other plans are cancelled, not deleted.
#[utoipa::path(
    tag = "plans",
    operation_id = "delete_plan",
    params(
        ("id" = Uuid, Path, description = "Plan id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not a manager of the plan's unit or an admin above it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft, or other plans implement it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[delete("/{id}")]
pub async fn delete_plan(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let current = readable_plan(&mut conn, &caller, *id).await?;
    caller.require_manager_of(current.unit_id, &current.unit_path)?;
    write::require_fresh(&current, &if_match)?;
    if current.status != Status::Draft.as_str() {
        return Err(ApiError::conflict(
            "Only a draft plan can be deleted; cancel it instead",
            "Chỉ xóa được kế hoạch nháp; hãy hủy kế hoạch",
        ));
    }
    write::delete(&mut conn, &caller, current, &if_match).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ActionPath {
    /// Plan id.
    pub id: Uuid,
    /// `submit`, `start`, `complete`, `cancel` (the plan's unit: its manager, or an admin above);
    /// `approve`, `return` (the parent unit's manager, or an admin of a unit above).
    pub action: Action,
}

/// The approver of a plan (see `Caller::require_approver_of`).
async fn require_approver(conn: &mut Conn, caller: &Caller, plan: &PlanRow) -> ApiResult<()> {
    let parent = crate::units::queries::find(conn, plan.unit_id)
        .await?
        .and_then(|u| u.parent_id);
    caller.require_approver_of(plan.unit_id, &plan.unit_path, parent)
}

/// Move a plan through its workflow.
///
/// `draft` → `submit` → `submitted` → `approve` → `approved` → `start` → `in_progress` →
/// `complete` (with `results_report`) → `completed`; `submitted` → `return` (with `reason`) →
/// `returned` (editable, then `submit` again); `cancel` from any open status. An action that is
/// not legal in the plan's status is 409, and `allowed` lists those that are. Every transition
/// is kept in the plan's history.
#[utoipa::path(
    tag = "plans",
    operation_id = "plan_action",
    params(ActionPath),
    request_body(content = TransitionRequest, description = "`reason` (required to return), `results_report` (required to complete)"),
    responses(
        (status = 200, description = "The plan in its new status", body = Plan, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "The caller may not take this action on this plan", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not legal in the plan's status; `allowed` lists the legal actions", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing reason or results report, or invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/{id}/{action}")]
pub async fn plan_action(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<ActionPath>,
    body: Option<Json<TransitionRequest>>,
) -> ApiResult<HttpResponse> {
    let body = match body {
        Some(b) => b.into_valid()?,
        None => TransitionRequest::default(),
    };
    let action = path.action;
    let mut conn = state.pool.get().await?;
    let plan = readable_plan(&mut conn, &caller, path.id).await?;
    match action.party() {
        Party::Owner => caller.require_manager_of(plan.unit_id, &plan.unit_path)?,
        Party::Approver => require_approver(&mut conn, &caller, &plan).await?,
    }
    let from = Status::parse(&plan.status).unwrap_or(Status::Draft);
    let Some(to) = action.apply(from) else {
        return Err(ApiError::Conflict {
            detail: crate::error::Text::new(
                format!(
                    "A {} plan cannot be {}ed",
                    from.as_str(),
                    action.as_str().trim_end_matches('e')
                ),
                format!(
                    "Không thể thực hiện '{}' với kế hoạch ở trạng thái {}",
                    action.as_str(),
                    from.as_str()
                ),
            ),
            allowed: Some(allowed(from).into_iter().map(|a| a.as_str().to_string()).collect()),
        });
    };
    if action == Action::Return && body.reason.is_none() {
        return Err(ApiError::field(
            "reason",
            "required",
            "is required to return a plan",
            "là bắt buộc khi trả lại kế hoạch",
        ));
    }
    if action == Action::Complete && body.results_report.is_none() {
        return Err(ApiError::field(
            "results_report",
            "required",
            "is required to complete a plan",
            "là bắt buộc khi hoàn thành kế hoạch",
        ));
    }
    let changes = PlanChanges {
        status: Some(to.as_str().into()),
        results_report: body.results_report.clone(),
        ..Default::default()
    };
    let (id, version, who, reason) = (plan.id, plan.version, caller.clone(), body.reason);
    let apply = write::apply(move |conn| {
        Box::pin(async move {
            if !queries::update(conn, id, version, &changes, Some(from)).await? {
                return Ok(None);
            }
            queries::record_transition(conn, id, &who, (action.as_str(), from, to), reason.as_deref()).await?;
            Ok(queries::find(conn, id).await?)
        })
    });
    Ok(write::transition(&mut conn, &caller, plan, action.as_str(), apply)
        .await?
        .respond())
}

/// The plan's workflow history, oldest first.
#[utoipa::path(
    tag = "plans",
    operation_id = "plan_history",
    params(("id" = Uuid, Path, description = "Plan id")),
    responses(
        (status = 200, description = "Every transition: who, when, from, to, reason", body = Vec<Transition>),
        (status = 404, description = "No such plan visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}/history")]
pub async fn plan_history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<Vec<Transition>>> {
    let mut conn = state.pool.get().await?;
    let plan = readable_plan(&mut conn, &caller, *id).await?;
    let rows = queries::history(&mut conn, plan.id).await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|r| Transition {
                id: r.id,
                action: r.action,
                from_status: Status::parse(&r.from_status).unwrap_or(Status::Draft),
                to_status: Status::parse(&r.to_status).unwrap_or(Status::Draft),
                reason: r.reason,
                actor_id: r.actor_id,
                actor_name: r.actor_name,
                actor_role: r.actor_role,
                at: r.at,
            })
            .collect(),
    ))
}

/// The shared indicator list (National Strategy on Gender Equality 2021-2030 and others),
/// with national targets for 2025 and 2030.
#[utoipa::path(
    tag = "plans",
    operation_id = "list_indicators",
    responses((status = 200, description = "Every indicator", body = Vec<Indicator>)),
    security(("bearer" = [])),
)]
#[get("")]
pub async fn list_indicators(state: web::Data<AppState>, _caller: Caller) -> ApiResult<web::Json<Vec<Indicator>>> {
    let mut conn = state.pool.get().await?;
    Ok(web::Json(queries::indicators(&mut conn).await?))
}
