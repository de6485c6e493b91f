//! `/api/v1/inspections`.

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::api::{Inspection, InspectionFilters, InspectionPatch, InspectionStatus, NewInspection};
use super::model::{InspectionChanges, InspectionRow};
use super::queries::{self, visible, SORTS};
use crate::auth::Caller;
use crate::domain::{areas_to_db, enum_parse, enum_text};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::idempotency::{self, IdempotencyKey};
use crate::http::json_row::page_response;
use crate::http::list::{Cursor, Page, PageQuery, Sort};
use crate::http::{etag_response, IfMatch, Json, ValidJson};
use crate::state::AppState;
use crate::write;

/// Inspections and checks in the caller's scope, newest first by default.
#[utoipa::path(
    tag = "oversight",
    operation_id = "list_inspections",
    params(InspectionFilters, PageQuery),
    responses(
        (status = 200, description = "A page of inspections", body = Page<Inspection>),
        (status = 403, description = "Partners see none of this", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid sort or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("")]
pub async fn list_inspections(
    state: web::Data<AppState>,
    caller: Caller,
    f: crate::http::Query<InspectionFilters>,
    page: crate::http::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require_not_partner()?;
    let sort = Sort::parse_newest_first(page.sort.as_deref(), SORTS)?;
    let cursor = page.cursor.as_deref().map(|c| Cursor::decode(c, &sort)).transpose()?;
    let limit = page.limit();
    // Reads only: on the worker's shared connection (see db::SharedReads).
    page_response(&state.reads, async |mut conn| {
        let subtree = match (f.unit_id, f.include_descendants) {
            (Some(id), true) => crate::db::unit_path(&mut conn, id).await?,
            _ => None,
        };
        Ok(queries::list(
            &mut conn,
            &caller.scopes,
            &f,
            subtree.as_deref(),
            &sort,
            cursor.as_ref(),
            limit,
        )
        .await?)
    })
    .await
}

/// One inspection.
#[utoipa::path(
    tag = "oversight",
    operation_id = "get_inspection",
    params(("id" = Uuid, Path, description = "Inspection id")),
    responses(
        (status = 200, description = "The inspection", body = Inspection, headers(("ETag" = String, description = "The inspection's version"))),
        (status = 403, description = "Partners see none of this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such inspection in the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}")]
pub async fn get_inspection(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = visible(&mut conn, &caller, *id).await?;
    Ok(etag_response(StatusCode::OK, row.version, &Inspection::from(row)))
}

/// Plan an inspection or check (inspectors and managers of the inspecting unit, or an admin above).
#[utoipa::path(
    tag = "oversight",
    operation_id = "create_inspection",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first response")),
    request_body = NewInspection,
    responses(
        (status = 201, description = "Planned", body = Inspection, headers(("ETag" = String, description = "The inspection's version"))),
        (status = 403, description = "Not an inspector or manager of the unit", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The id belongs to another record", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (a period out of order, a subject unit outside the caller's scope)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("")]
pub async fn create_inspection(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    key: IdempotencyKey,
    body: Json<NewInspection>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let hash = idempotency::fingerprint(&req, &body);
    let mut conn = state.pool.get().await?;
    let unit =
        crate::units::queries::in_scope(&mut conn, &caller, body.inspecting_unit_id, "inspecting_unit_id").await?;
    caller.require_case_handler_of(unit.id, &unit.path)?;
    if let (Some(a), Some(b)) = (body.period_from, body.period_to) {
        if b < a {
            return Err(ApiError::field(
                "period_to",
                "before_start",
                "must not be before period_from",
                "không được trước period_from",
            ));
        }
    }
    if let Some(s) = body.subject_unit_id {
        if crate::units::queries::find(&mut conn, s)
            .await?
            .filter(|u| caller.sees(&u.path))
            .is_none()
        {
            return Err(ApiError::field(
                "subject_unit_id",
                "unknown",
                "no such unit in your scope",
                "không có đơn vị này trong phạm vi của bạn",
            ));
        }
    }
    let now = chrono::Utc::now();
    let row = InspectionRow {
        id: body.id.unwrap_or_else(Uuid::now_v7),
        kind: enum_text(body.kind),
        inspecting_unit_id: unit.id,
        unit_path: unit.path.clone(),
        subject_name: body.subject_name.trim().into(),
        subject_type: enum_text(body.subject_type),
        subject_unit_id: body.subject_unit_id,
        subject_address: body.subject_address.clone(),
        decision_number: body.decision_number.clone(),
        decision_on: body.decision_on,
        period_from: body.period_from,
        period_to: body.period_to,
        areas: areas_to_db(&body.areas),
        team_members: body.team_members.iter().map(|t| t.trim().to_string()).collect(),
        status: "planned".into(),
        conclusion: None,
        concluded_on: None,
        recommendations: None,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    write::create(&mut conn, &caller, &key, &hash, row, write::nothing()).await
}

/// Update an inspection as it proceeds (needs `If-Match`).
#[utoipa::path(
    tag = "oversight",
    operation_id = "update_inspection",
    params(
        ("id" = Uuid, Path, description = "Inspection id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    request_body = InspectionPatch,
    responses(
        (status = 200, description = "Updated", body = Inspection, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not an inspector or manager of the unit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such inspection in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A step backwards, or a change to a concluded inspection", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Concluding without a conclusion and its date, or invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/{id}")]
pub async fn update_inspection(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<InspectionPatch>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let current = visible(&mut conn, &caller, *id).await?;
    caller.require_case_handler_of(current.inspecting_unit_id, &current.unit_path)?;
    write::require_fresh(&current, &if_match)?;
    let order = |s: InspectionStatus| s as u8;
    let from: InspectionStatus = enum_parse(&current.status).unwrap_or(InspectionStatus::Planned);
    if from == InspectionStatus::Concluded {
        return Err(ApiError::conflict(
            "The inspection is concluded",
            "Cuộc thanh tra, kiểm tra đã kết luận",
        ));
    }
    if let Some(to) = body.status {
        if order(to) < order(from) {
            return Err(ApiError::conflict(
                "An inspection's status only moves forward",
                "Trạng thái chỉ đi tiếp, không lùi",
            ));
        }
        if to == InspectionStatus::Concluded && (body.conclusion.is_none() || body.concluded_on.is_none()) {
            return Err(ApiError::field(
                "conclusion",
                "required",
                "concluding needs conclusion and concluded_on",
                "kết luận cần conclusion và concluded_on",
            ));
        }
    }
    let changes = InspectionChanges {
        status: body.status.map(enum_text),
        conclusion: body.conclusion,
        concluded_on: body.concluded_on,
        recommendations: body.recommendations,
        period_from: body.period_from,
        period_to: body.period_to,
        areas: body.areas.as_deref().map(areas_to_db),
        team_members: body.team_members,
    };
    let (id, version) = (current.id, current.version);
    let apply = write::apply(move |conn| {
        Box::pin(async move {
            Ok(crate::versioned_update!(
                conn,
                inspections,
                id,
                version,
                &changes,
                InspectionRow
            )?)
        })
    });
    Ok(write::update(&mut conn, &caller, current, &if_match, "update", apply)
        .await?
        .respond())
}
