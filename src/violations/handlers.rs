//! `/api/v1/violations`.

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use uuid::Uuid;

use super::api::{DecideRequest, NewViolation, Violation, ViolationFilters, ViolationPatch, ViolationStatus};
use super::model::{ViolationChanges, ViolationRow};
use super::queries::{self, find_rule, load_authorities, load_decrees, view, visible, SORTS};
use super::sanctions::{authority_on, check_decision, check_rule_for_act, Decision, OffenderKind};
use crate::auth::Caller;
use crate::calendar::today;
use crate::db::Conn;
use crate::domain::{enum_parse, enum_text};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::idempotency::{self, IdempotencyKey};
use crate::http::json_row::page_response;
use crate::http::list::{Cursor, Page, PageQuery, Sort};
use crate::http::{etag_response, IfMatch, Json, ValidJson};
use crate::state::AppState;
use crate::write;

/// Violations in the caller's scope, by date of the act.
#[utoipa::path(
    tag = "oversight",
    operation_id = "list_violations",
    params(ViolationFilters, PageQuery),
    responses(
        (status = 200, description = "A page of violations (never with an individual's identity)", body = Page<Violation>),
        (status = 403, description = "Partners see none of this", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid sort or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("")]
pub async fn list_violations(
    state: web::Data<AppState>,
    caller: Caller,
    f: crate::http::Query<ViolationFilters>,
    page: crate::http::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require_not_partner()?;
    crate::http::list::check_period(f.from, f.to)?;
    let sort = Sort::parse(page.sort.as_deref(), SORTS)?;
    let cursor = page.cursor.as_deref().map(|c| Cursor::decode(c, &sort)).transpose()?;
    let limit = page.limit();
    // Reads only: on the worker's shared connection (see db::SharedReads).
    page_response(&state.reads, async |mut conn| {
        Ok(queries::list(&mut conn, &caller.scopes, &f, &sort, cursor.as_ref(), limit).await?)
    })
    .await
}

/// One violation; the handling unit's inspectors and admins also see an individual offender.
#[utoipa::path(
    tag = "oversight",
    operation_id = "get_violation",
    params(("id" = Uuid, Path, description = "Violation id")),
    responses(
        (status = 200, description = "The violation", body = Violation, headers(("ETag" = String, description = "The violation's version"))),
        (status = 403, description = "Partners see none of this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such violation in the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}")]
pub async fn get_violation(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = visible(&mut conn, &caller, *id).await?;
    let version = row.version;
    Ok(etag_response(
        StatusCode::OK,
        version,
        &view(&mut conn, &caller, row).await?,
    ))
}

/// Record a violation (the handling unit's inspectors and managers, or an admin above). The
/// rule must belong to the decree in force on the day of the act.
#[utoipa::path(
    tag = "oversight",
    operation_id = "create_violation",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first response")),
    request_body = NewViolation,
    responses(
        (status = 201, description = "Recorded", body = Violation, headers(("ETag" = String, description = "The violation's version"))),
        (status = 403, description = "Not an inspector or manager of the unit", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The id belongs to another record", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A rule of another decree than the one in force on the act's day, an unknown rule or inspection, or invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("")]
pub async fn create_violation(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    key: IdempotencyKey,
    body: Json<NewViolation>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let hash = idempotency::fingerprint(&req, &body);
    let mut conn = state.pool.get().await?;
    let unit = crate::units::queries::in_scope(&mut conn, &caller, body.handling_unit_id, "handling_unit_id").await?;
    caller.require_case_handler_of(unit.id, &unit.path)?;
    if body.act_on > today() {
        return Err(ApiError::field(
            "act_on",
            "future",
            "must not be in the future",
            "không được ở tương lai",
        ));
    }
    match (body.offender_kind, &body.organization_name, &body.offender) {
        (OffenderKind::Organization, None, _) => {
            return Err(ApiError::field(
                "organization_name",
                "required",
                "is required for an organisation",
                "bắt buộc với tổ chức",
            ))
        }
        (OffenderKind::Organization, _, Some(_)) => {
            return Err(ApiError::field(
                "offender",
                "not_applicable",
                "is for an individual offender",
                "chỉ dành cho cá nhân vi phạm",
            ))
        }
        _ => {}
    }
    let rule = find_rule(&mut conn, body.rule_id).await?.ok_or_else(|| {
        ApiError::field(
            "rule_id",
            "unknown",
            "no such rule (see GET /api/v1/violation-rules)",
            "không có quy định này",
        )
    })?;
    check_rule_for_act(&load_decrees(&mut conn).await?, &rule, body.act_on)?;
    if let Some(i) = body.inspection_id {
        crate::inspections::queries::visible(&mut conn, &caller, i)
            .await
            .map_err(|_| {
                ApiError::field(
                    "inspection_id",
                    "unknown",
                    "no such inspection in your scope",
                    "không có cuộc thanh tra này",
                )
            })?;
    }
    let now = Utc::now();
    let row = ViolationRow {
        id: body.id.unwrap_or_else(Uuid::now_v7),
        inspection_id: body.inspection_id,
        handling_unit_id: unit.id,
        unit_path: unit.path.clone(),
        offender_kind: enum_text(body.offender_kind),
        organization_name: body.organization_name.clone(),
        rule_id: rule.id,
        area: rule.area.clone(),
        act_on: body.act_on,
        description: body.description.clone(),
        record_number: body.record_number.clone(),
        recorded_on: body.recorded_on,
        penalty: None,
        fine_vnd: None,
        remedial_measures: body.remedial_measures.clone(),
        status: "recorded".into(),
        decided_on: None,
        decided_by_position: None,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let offender = body.offender;
    let party = write::then(move |conn, v: &ViolationRow| {
        Box::pin(async move {
            if let Some(o) = &offender {
                queries::add_party(conn, v.id, o).await?;
            }
            Ok(())
        })
    });
    write::create(&mut conn, &caller, &key, &hash, row, party).await
}

/// The change, then the violation as the caller may see it (with the offender for those who
/// read identities).
async fn respond(conn: &mut Conn, caller: &Caller, id: Uuid) -> ApiResult<HttpResponse> {
    let row = queries::find(conn, id).await?.ok_or(ApiError::NotFound)?;
    let out = view(conn, caller, row).await?;
    Ok(etag_response(StatusCode::OK, out.version, &out))
}

fn change(id: Uuid, version: i64, changes: ViolationChanges) -> write::Apply<ViolationRow> {
    write::apply(move |conn| {
        Box::pin(async move {
            Ok(crate::versioned_update!(
                conn,
                violations,
                id,
                version,
                &changes,
                ViolationRow
            )?)
        })
    })
}

/// Decide the sanction: a warning, or a fine inside the act's band (an organisation's is the
/// decree's multiple) and within what the deciding official may impose on that day, not later
/// than the limitation period after the act.
#[utoipa::path(
    tag = "oversight",
    operation_id = "decide_violation",
    params(("id" = Uuid, Path, description = "Violation id")),
    request_body = DecideRequest,
    responses(
        (status = 200, description = "Decided", body = Violation, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not an inspector or manager of the unit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such violation in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already decided", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A fine outside the band (the message names it), above the official's ceiling, from a position that may only warn, or past the limitation period", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/{id}/decide")]
pub async fn decide_violation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<DecideRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let current = visible(&mut conn, &caller, *id).await?;
    caller.require_case_handler_of(current.handling_unit_id, &current.unit_path)?;
    if current.status != "recorded" {
        return Err(ApiError::conflict(
            "The violation is already decided",
            "Vi phạm đã có quyết định xử phạt",
        ));
    }
    let decided_on = body.decided_on.unwrap_or_else(today);
    if decided_on > today() {
        return Err(ApiError::field(
            "decided_on",
            "future",
            "must not be in the future",
            "không được ở tương lai",
        ));
    }
    let decrees = load_decrees(&mut conn).await?;
    let rule = find_rule(&mut conn, current.rule_id).await?.ok_or(ApiError::NotFound)?;
    let decree = decrees
        .iter()
        .find(|d| d.code == rule.decree_code)
        .ok_or(ApiError::NotFound)?;
    let authorities = load_authorities(&mut conn).await?;
    check_decision(&Decision {
        decree,
        rule: &rule,
        authority: authority_on(&authorities, &body.decided_by_position, decided_on),
        offender: enum_parse(&current.offender_kind).unwrap_or(OffenderKind::Individual),
        penalty: body.penalty,
        fine_vnd: body.fine_vnd,
        act_on: current.act_on,
        decided_on,
    })?;
    let changes = ViolationChanges {
        penalty: Some(enum_text(body.penalty)),
        fine_vnd: body.fine_vnd,
        remedial_measures: body.remedial_measures,
        status: Some("decided".into()),
        decided_on: Some(decided_on),
        decided_by_position: Some(body.decided_by_position),
    };
    let (id, version) = (current.id, current.version);
    write::transition(&mut conn, &caller, current, "decide", change(id, version, changes)).await?;
    respond(&mut conn, &caller, id).await
}

/// Record what followed the decision: `complied`, `appealed` or `enforced` (needs `If-Match`).
#[utoipa::path(
    tag = "oversight",
    operation_id = "update_violation_status",
    params(
        ("id" = Uuid, Path, description = "Violation id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    request_body = ViolationPatch,
    responses(
        (status = 200, description = "Updated", body = Violation, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not an inspector or manager of the unit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such violation in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not after a decision (or already closed)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/{id}")]
pub async fn update_violation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<ViolationPatch>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let current = visible(&mut conn, &caller, *id).await?;
    caller.require_case_handler_of(current.handling_unit_id, &current.unit_path)?;
    write::require_fresh(&current, &if_match)?;
    let from: ViolationStatus = enum_parse(&current.status).unwrap_or(ViolationStatus::Recorded);
    let legal = matches!(
        (from, body.status),
        (
            ViolationStatus::Decided,
            ViolationStatus::Complied | ViolationStatus::Appealed | ViolationStatus::Enforced
        ) | (
            ViolationStatus::Appealed,
            ViolationStatus::Complied | ViolationStatus::Enforced | ViolationStatus::Decided
        )
    );
    if !legal {
        return Err(ApiError::conflict(
            format!(
                "A {} violation cannot become {}",
                enum_text(from),
                enum_text(body.status)
            ),
            format!(
                "Không thể chuyển vi phạm từ {} sang {}",
                enum_text(from),
                enum_text(body.status)
            ),
        ));
    }
    let changes = ViolationChanges {
        status: Some(enum_text(body.status)),
        ..Default::default()
    };
    let (id, version) = (current.id, current.version);
    write::update(
        &mut conn,
        &caller,
        current,
        &if_match,
        "update",
        change(id, version, changes),
    )
    .await?;
    respond(&mut conn, &caller, id).await
}
