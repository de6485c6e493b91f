//! `/api/v1/violations`.

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::catalogue::{find_rule, load_authorities, load_decrees};
use super::sanctions::{authority_on, check_decision, check_rule_for_act, Decision, OffenderKind, Penalty};
use crate::audit;
use crate::auth::Caller;
use crate::calendar::today;
use crate::db::schema::{violation_parties, violations};
use crate::db::Conn;
use crate::domain::{enum_parse, enum_text, LawArea};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::idempotency::{self, Created, IdempotencyKey};
use crate::http::list::{paginate, Bind, Cursor, Keyed, ListSql, Page, PageQuery, Sort, SortField};
use crate::http::{etag_response, IfMatch, Json, ValidJson};
use crate::state::AppState;

const RESOURCE: &str = "violation";

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = violations, check_for_backend(diesel::pg::Pg))]
pub struct ViolationRow {
    pub id: Uuid,
    pub inspection_id: Option<Uuid>,
    pub handling_unit_id: Uuid,
    pub unit_path: String,
    pub offender_kind: String,
    pub organization_name: Option<String>,
    pub rule_id: Uuid,
    pub area: String,
    pub act_on: NaiveDate,
    pub description: Option<String>,
    pub record_number: Option<String>,
    pub recorded_on: Option<NaiveDate>,
    pub penalty: Option<String>,
    pub fine_vnd: Option<i64>,
    pub remedial_measures: Vec<String>,
    pub status: String,
    pub decided_on: Option<NaiveDate>,
    pub decided_by_position: Option<String>,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub updated_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i64,
}

impl Keyed for ViolationRow {
    fn id(&self) -> String {
        self.id.to_string()
    }
    fn sort_value(&self, _: &str) -> String {
        self.act_on.to_string()
    }
}

const SORTS: &[SortField] = &[SortField {
    name: "act_on",
    column: "v.act_on",
    sql_type: "date",
}];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ViolationStatus {
    Recorded,
    Decided,
    Complied,
    Appealed,
    Enforced,
}

/// An individual offender (confidential).
#[derive(Clone, Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Trần Văn C", "details": "Trưởng phòng nhân sự"}))]
pub struct Offender {
    #[validate(length(min = 1, max = 200))]
    pub name: String,
    #[validate(length(max = 1000))]
    pub details: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7ea2", "inspection_id": null, "handling_unit_id": "63d3f3d4-c46d-57e3-90b9-de42b6716496",
    "offender_kind": "organization", "organization_name": "Công ty TNHH Dệt may Nam Định",
    "rule_id": "6b1f5a2e-8d3c-5e7a-9f10-2b3c4d5e6fa0", "area": "labour", "act_on": "2024-09-12",
    "description": null, "record_number": "01/BB-VPHC", "recorded_on": "2024-09-20", "penalty": "fine", "fine_vnd": 40000000,
    "remedial_measures": [], "status": "decided", "decided_on": "2024-10-01", "decided_by_position": "province_chairman",
    "created_at": "2026-11-29T12:00:00Z", "updated_at": "2026-11-29T12:00:00Z", "version": 2
}))]
pub struct Violation {
    pub id: Uuid,
    /// The inspection that found it, if any.
    pub inspection_id: Option<Uuid>,
    pub handling_unit_id: Uuid,
    pub offender_kind: OffenderKind,
    /// For an organisation, its name (not a person's data).
    pub organization_name: Option<String>,
    /// The catalogue rule the act breaks.
    pub rule_id: Uuid,
    pub area: LawArea,
    /// The day of the act: the decree in force then judges it.
    pub act_on: NaiveDate,
    pub description: Option<String>,
    /// The record (biên bản) number and date.
    pub record_number: Option<String>,
    pub recorded_on: Option<NaiveDate>,
    pub penalty: Option<Penalty>,
    pub fine_vnd: Option<i64>,
    pub remedial_measures: Vec<String>,
    pub status: ViolationStatus,
    pub decided_on: Option<NaiveDate>,
    pub decided_by_position: Option<String>,
    /// An individual offender: shown only to the handling unit's inspectors and admins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offender: Option<Offender>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<ViolationRow> for Violation {
    fn from(r: ViolationRow) -> Self {
        Violation {
            id: r.id,
            inspection_id: r.inspection_id,
            handling_unit_id: r.handling_unit_id,
            offender_kind: enum_parse(&r.offender_kind).unwrap_or(OffenderKind::Individual),
            organization_name: r.organization_name,
            rule_id: r.rule_id,
            area: LawArea::parse(&r.area).unwrap_or(LawArea::Family),
            act_on: r.act_on,
            description: r.description,
            record_number: r.record_number,
            recorded_on: r.recorded_on,
            penalty: r.penalty.as_deref().and_then(enum_parse),
            fine_vnd: r.fine_vnd,
            remedial_measures: r.remedial_measures,
            status: enum_parse(&r.status).unwrap_or(ViolationStatus::Recorded),
            decided_on: r.decided_on,
            decided_by_position: r.decided_by_position,
            offender: None,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "offender_kind": "organization", "organization_name": "Công ty TNHH Dệt may Nam Định",
    "rule_id": "6b1f5a2e-8d3c-5e7a-9f10-2b3c4d5e6fa0", "act_on": "2024-09-12",
    "record_number": "01/BB-VPHC", "recorded_on": "2024-09-20"
}))]
pub struct NewViolation {
    pub id: Option<Uuid>,
    /// Defaults to the caller's unit.
    pub handling_unit_id: Option<Uuid>,
    pub inspection_id: Option<Uuid>,
    pub offender_kind: OffenderKind,
    #[validate(length(min = 1, max = 300))]
    pub organization_name: Option<String>,
    /// An individual offender's identity (confidential).
    #[validate(nested)]
    pub offender: Option<Offender>,
    pub rule_id: Uuid,
    pub act_on: NaiveDate,
    #[validate(length(max = 20000))]
    pub description: Option<String>,
    #[validate(length(min = 1, max = 64))]
    pub record_number: Option<String>,
    pub recorded_on: Option<NaiveDate>,
    #[serde(default)]
    #[validate(custom(function = "crate::trainings::api::valid_names"))]
    pub remedial_measures: Vec<String>,
}

/// The sanction decision.
#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"penalty": "fine", "fine_vnd": 15000000, "decided_on": "2025-08-01", "decided_by_position": "commune_chairman",
                          "remedial_measures": ["Xin lỗi công khai"]}))]
pub struct DecideRequest {
    pub penalty: Penalty,
    pub fine_vnd: Option<i64>,
    pub decided_on: NaiveDate,
    /// `commune_chairman`, `district_chairman`, `province_department_director`,
    /// `province_chairman`, `chief_inspector`, `inspector`.
    #[validate(length(min = 1, max = 64))]
    pub decided_by_position: String,
    /// Remedial measures (e.g. a public apology unless the victim declines in writing).
    #[validate(custom(function = "crate::trainings::api::valid_names"))]
    pub remedial_measures: Option<Vec<String>>,
}

/// After the decision: complied, appealed, or enforced.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "complied"}))]
pub struct ViolationPatch {
    pub status: ViolationStatus,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ViolationFilters {
    pub area: Option<LawArea>,
    pub status: Option<ViolationStatus>,
    pub penalty: Option<Penalty>,
    pub inspection_id: Option<Uuid>,
    /// Acts on or after.
    pub from: Option<NaiveDate>,
    /// Acts on or before.
    pub to: Option<NaiveDate>,
}

async fn find(conn: &mut Conn, id: Uuid) -> QueryResult<Option<ViolationRow>> {
    violations::table
        .filter(violations::id.eq(id))
        .filter(violations::deleted_at.is_null())
        .select(ViolationRow::as_select())
        .first(conn)
        .await
        .optional()
}

async fn visible(conn: &mut Conn, caller: &Caller, id: Uuid) -> ApiResult<ViolationRow> {
    caller.require_not_partner()?;
    let row = find(conn, id).await?.ok_or(ApiError::NotFound)?;
    caller.require_visible(&row.unit_path)?;
    Ok(row)
}

async fn view(conn: &mut Conn, caller: &Caller, row: ViolationRow) -> ApiResult<Violation> {
    let reads = caller.reads_identities_of(row.handling_unit_id);
    let id = row.id;
    let mut out = Violation::from(row);
    if reads {
        let party: Option<(String, Option<String>)> = violation_parties::table
            .find(id)
            .select((violation_parties::name, violation_parties::details))
            .first(conn)
            .await
            .optional()?;
        out.offender = party.map(|(name, details)| Offender { name, details });
    }
    Ok(out)
}

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
#[get("/violations")]
pub async fn list_violations(
    state: web::Data<AppState>,
    caller: Caller,
    f: web::Query<ViolationFilters>,
    page: web::Query<PageQuery>,
) -> ApiResult<web::Json<Page<Violation>>> {
    caller.require_not_partner()?;
    let sort = Sort::parse(page.sort.as_deref(), SORTS)?;
    let cursor = page.cursor.as_deref().map(|c| Cursor::decode(c, &sort)).transpose()?;
    let limit = page.limit();
    let mut conn = state.pool.get().await?;
    let mut sql = ListSql::new("SELECT v.* FROM violations v", "v.id");
    sql.filter("v.deleted_at IS NULL", [])
        .in_scopes("v.unit_path", &caller.scopes);
    if let Some(a) = f.area {
        sql.filter("v.area = ?", [Bind::Text(a.as_str().into())]);
    }
    if let Some(s) = f.status {
        sql.filter("v.status = ?", [Bind::Text(enum_text(s))]);
    }
    if let Some(p) = f.penalty {
        sql.filter("v.penalty = ?", [Bind::Text(enum_text(p))]);
    }
    if let Some(i) = f.inspection_id {
        sql.filter("v.inspection_id = ?", [Bind::Uuid(i)]);
    }
    if let Some(d) = f.from {
        sql.filter("v.act_on >= ?", [Bind::Date(d)]);
    }
    if let Some(d) = f.to {
        sql.filter("v.act_on <= ?", [Bind::Date(d)]);
    }
    let rows: Vec<ViolationRow> = sql.page(&sort, cursor.as_ref(), limit).load(&mut conn).await?;
    Ok(web::Json(paginate(rows, limit, &sort, Violation::from)))
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
#[get("/violations/{id}")]
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
#[post("/violations")]
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
    let unit = crate::units::queries::find(&mut conn, body.handling_unit_id.unwrap_or(caller.unit_id))
        .await?
        .filter(|u| caller.sees(&u.path))
        .ok_or_else(|| {
            ApiError::field(
                "handling_unit_id",
                "unknown",
                "no such unit in your scope",
                "không có đơn vị này trong phạm vi của bạn",
            )
        })?;
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
        crate::inspections::handlers::visible(&mut conn, &caller, i)
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
    let offender = body.offender.clone();
    let stored = idempotency::create_once(
        &mut conn,
        &caller,
        &key,
        &hash,
        (RESOURCE, unit.id, &unit.path),
        |v: &Violation| v.id,
        move |conn| {
            Box::pin(async move {
                let inserted: Option<ViolationRow> = crate::insert_new!(conn, violations, &row, ViolationRow)?;
                let Some(v) = inserted else {
                    return Err(idempotency::id_taken());
                };
                if let Some(o) = &offender {
                    diesel::insert_into(violation_parties::table)
                        .values((
                            violation_parties::violation_id.eq(v.id),
                            violation_parties::name.eq(o.name.trim()),
                            violation_parties::details.eq(o.details.as_deref()),
                        ))
                        .execute(conn)
                        .await?;
                }
                Ok(Created::New(Violation::from(v)))
            })
        },
    )
    .await?;
    Ok(stored.respond())
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = violations)]
struct ViolationChanges {
    penalty: Option<String>,
    fine_vnd: Option<i64>,
    remedial_measures: Option<Vec<String>>,
    status: Option<String>,
    decided_on: Option<NaiveDate>,
    decided_by_position: Option<String>,
}

async fn apply(
    conn: &mut Conn,
    caller: &Caller,
    current: ViolationRow,
    changes: ViolationChanges,
    action: &str,
) -> ApiResult<HttpResponse> {
    let before = Violation::from(current.clone());
    let (id, version) = (current.id, current.version);
    let updated = audit::update_record(
        conn,
        caller,
        (RESOURCE, id, current.handling_unit_id, &current.unit_path),
        action,
        &before,
        move |conn| {
            Box::pin(async move {
                let row: Option<ViolationRow> =
                    crate::versioned_update!(conn, violations, id, version, &changes, ViolationRow)?;
                Ok(row.map(Violation::from))
            })
        },
    )
    .await?;
    if updated.is_none() {
        return Err(ApiError::stale(&Violation::from(
            find(conn, id).await?.ok_or(ApiError::NotFound)?,
        )));
    }
    let row = find(conn, id).await?.ok_or(ApiError::NotFound)?;
    let out = view(conn, caller, row).await?;
    Ok(etag_response(StatusCode::OK, out.version, &out))
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
#[post("/violations/{id}/decide")]
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
    if body.decided_on > today() {
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
        authority: authority_on(&authorities, &body.decided_by_position, body.decided_on),
        offender: enum_parse(&current.offender_kind).unwrap_or(OffenderKind::Individual),
        penalty: body.penalty,
        fine_vnd: body.fine_vnd,
        act_on: current.act_on,
        decided_on: body.decided_on,
    })?;
    let changes = ViolationChanges {
        penalty: Some(enum_text(body.penalty)),
        fine_vnd: body.fine_vnd,
        remedial_measures: body.remedial_measures,
        status: Some("decided".into()),
        decided_on: Some(body.decided_on),
        decided_by_position: Some(body.decided_by_position),
    };
    apply(&mut conn, &caller, current, changes, "decide").await
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
#[patch("/violations/{id}")]
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
    if !if_match.matches(current.version) {
        return Err(ApiError::stale(&Violation::from(current)));
    }
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
    apply(&mut conn, &caller, current, changes, "update").await
}
