//! `/api/v1/inspections`.

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::audit;
use crate::auth::Caller;
use crate::db::schema::inspections;
use crate::db::Conn;
use crate::domain::{areas_from_db, areas_to_db, enum_parse, enum_text, LawArea};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::idempotency::{self, Created, IdempotencyKey};
use crate::http::list::{paginate, ts_key, Bind, Cursor, Keyed, ListSql, Page, PageQuery, Sort, SortField};
use crate::http::{etag_response, IfMatch, Json, ValidJson};
use crate::state::AppState;

const RESOURCE: &str = "inspection";

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = inspections, check_for_backend(diesel::pg::Pg))]
pub struct InspectionRow {
    pub id: Uuid,
    pub kind: String,
    pub inspecting_unit_id: Uuid,
    pub unit_path: String,
    pub subject_name: String,
    pub subject_type: String,
    pub subject_unit_id: Option<Uuid>,
    pub subject_address: Option<String>,
    pub decision_number: Option<String>,
    pub decision_on: Option<NaiveDate>,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub areas: Vec<String>,
    pub team_members: Vec<String>,
    pub status: String,
    pub conclusion: Option<String>,
    pub concluded_on: Option<NaiveDate>,
    pub recommendations: Option<String>,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub updated_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i64,
}

impl Keyed for InspectionRow {
    fn id(&self) -> String {
        self.id.to_string()
    }
    fn sort_value(&self, _: &str) -> String {
        ts_key(&self.created_at)
    }
}

const SORTS: &[SortField] = &[SortField {
    name: "created_at",
    column: "i.created_at",
    sql_type: "timestamptz",
}];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InspectionKind {
    /// Kiểm tra: a managing body checks its subordinates.
    Check,
    /// Thanh tra: by an inspection agency, opened by a decision, ended by a conclusion.
    Inspection,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubjectType {
    Unit,
    Employer,
    School,
    HealthFacility,
    Organization,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InspectionStatus {
    Planned,
    InProgress,
    Concluded,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7ea1", "kind": "check", "inspecting_unit_id": "63d3f3d4-c46d-57e3-90b9-de42b6716496",
    "subject_name": "Công ty TNHH Dệt may Nam Định", "subject_type": "employer", "subject_unit_id": null,
    "subject_address": "Phường Lộc Hạ", "decision_number": "15/QĐ-UBND", "decision_on": "2024-09-01",
    "period_from": "2024-09-10", "period_to": "2024-09-20", "areas": ["labour"], "team_members": ["Trần Văn B"],
    "status": "concluded", "conclusion": "Chưa bảo đảm quyền của lao động nữ", "concluded_on": "2024-09-30",
    "recommendations": null, "created_at": "2026-11-29T12:00:00Z", "updated_at": "2026-11-29T12:00:00Z", "version": 3
}))]
pub struct Inspection {
    pub id: Uuid,
    pub kind: InspectionKind,
    pub inspecting_unit_id: Uuid,
    pub subject_name: String,
    pub subject_type: SubjectType,
    /// When the subject is a unit of the tree.
    pub subject_unit_id: Option<Uuid>,
    pub subject_address: Option<String>,
    pub decision_number: Option<String>,
    pub decision_on: Option<NaiveDate>,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub areas: Vec<LawArea>,
    pub team_members: Vec<String>,
    pub status: InspectionStatus,
    pub conclusion: Option<String>,
    pub concluded_on: Option<NaiveDate>,
    pub recommendations: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<InspectionRow> for Inspection {
    fn from(r: InspectionRow) -> Self {
        Inspection {
            id: r.id,
            kind: enum_parse(&r.kind).unwrap_or(InspectionKind::Check),
            inspecting_unit_id: r.inspecting_unit_id,
            subject_name: r.subject_name,
            subject_type: enum_parse(&r.subject_type).unwrap_or(SubjectType::Other),
            subject_unit_id: r.subject_unit_id,
            subject_address: r.subject_address,
            decision_number: r.decision_number,
            decision_on: r.decision_on,
            period_from: r.period_from,
            period_to: r.period_to,
            areas: areas_from_db(&r.areas),
            team_members: r.team_members,
            status: enum_parse(&r.status).unwrap_or(InspectionStatus::Planned),
            conclusion: r.conclusion,
            concluded_on: r.concluded_on,
            recommendations: r.recommendations,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "check", "subject_name": "Công ty TNHH Dệt may Nam Định", "subject_type": "employer",
    "subject_address": "Phường Lộc Hạ", "decision_number": "15/QĐ-UBND", "decision_on": "2024-09-01",
    "period_from": "2024-09-10", "period_to": "2024-09-20", "areas": ["labour"], "team_members": ["Trần Văn B"]
}))]
pub struct NewInspection {
    pub id: Option<Uuid>,
    /// Defaults to the caller's unit.
    pub inspecting_unit_id: Option<Uuid>,
    pub kind: InspectionKind,
    #[validate(length(min = 1, max = 300))]
    pub subject_name: String,
    pub subject_type: SubjectType,
    pub subject_unit_id: Option<Uuid>,
    #[validate(length(max = 500))]
    pub subject_address: Option<String>,
    #[validate(length(min = 1, max = 64))]
    pub decision_number: Option<String>,
    pub decision_on: Option<NaiveDate>,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    #[serde(default)]
    pub areas: Vec<LawArea>,
    #[serde(default)]
    #[validate(custom(function = "crate::trainings::api::valid_names"))]
    pub team_members: Vec<String>,
}

/// Changes to an inspection; `status` moves forward only (planned → in_progress →
/// concluded), and concluding needs `conclusion` and `concluded_on`.
#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "concluded", "conclusion": "Chưa bảo đảm quyền của lao động nữ", "concluded_on": "2024-09-30"}))]
pub struct InspectionPatch {
    pub status: Option<InspectionStatus>,
    #[validate(length(min = 1, max = 50000))]
    pub conclusion: Option<String>,
    pub concluded_on: Option<NaiveDate>,
    #[validate(length(max = 50000))]
    pub recommendations: Option<String>,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub areas: Option<Vec<LawArea>>,
    #[validate(custom(function = "crate::trainings::api::valid_names"))]
    pub team_members: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InspectionFilters {
    pub kind: Option<InspectionKind>,
    pub status: Option<InspectionStatus>,
    pub area: Option<LawArea>,
    /// Inspections made by this unit (and its descendants with `include_descendants=true`).
    pub unit_id: Option<Uuid>,
    #[serde(default)]
    pub include_descendants: bool,
    /// Search in the subject's name and the decision number, ignoring diacritics and case.
    pub q: Option<String>,
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<InspectionRow>> {
    inspections::table
        .filter(inspections::id.eq(id))
        .filter(inspections::deleted_at.is_null())
        .select(InspectionRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn visible(conn: &mut Conn, caller: &Caller, id: Uuid) -> ApiResult<InspectionRow> {
    caller.require_not_partner()?;
    let row = find(conn, id).await?.ok_or(ApiError::NotFound)?;
    caller.require_visible(&row.unit_path)?;
    Ok(row)
}

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
#[get("/inspections")]
pub async fn list_inspections(
    state: web::Data<AppState>,
    caller: Caller,
    f: web::Query<InspectionFilters>,
    page: web::Query<PageQuery>,
) -> ApiResult<web::Json<Page<Inspection>>> {
    caller.require_not_partner()?;
    let sort = match page.sort.as_deref() {
        None | Some("") => Sort {
            field: &SORTS[0],
            desc: true,
        },
        raw => Sort::parse(raw, SORTS)?,
    };
    let cursor = page.cursor.as_deref().map(|c| Cursor::decode(c, &sort)).transpose()?;
    let limit = page.limit();
    let mut conn = state.pool.get().await?;
    let mut sql = ListSql::new("SELECT i.* FROM inspections i", "i.id");
    sql.filter("i.deleted_at IS NULL", [])
        .in_scopes("i.unit_path", &caller.scopes);
    if let Some(id) = f.unit_id {
        match (f.include_descendants, crate::units::queries::find(&mut conn, id).await?) {
            (true, Some(u)) => sql.in_subtree("i.unit_path", &u.path),
            _ => sql.filter("i.inspecting_unit_id = ?", [Bind::Uuid(id)]),
        };
    }
    if let Some(k) = f.kind {
        sql.filter("i.kind = ?", [Bind::Text(enum_text(k))]);
    }
    if let Some(s) = f.status {
        sql.filter("i.status = ?", [Bind::Text(enum_text(s))]);
    }
    if let Some(a) = f.area {
        sql.filter("i.areas @> ARRAY[?]::text[]", [Bind::Text(a.as_str().into())]);
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.trim().is_empty()) {
        sql.search("i.search", q);
    }
    let rows: Vec<InspectionRow> = sql.page(&sort, cursor.as_ref(), limit).load(&mut conn).await?;
    Ok(web::Json(paginate(rows, limit, &sort, Inspection::from)))
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
#[get("/inspections/{id}")]
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
#[post("/inspections")]
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
    let unit = crate::units::queries::find(&mut conn, body.inspecting_unit_id.unwrap_or(caller.unit_id))
        .await?
        .filter(|u| caller.sees(&u.path))
        .ok_or_else(|| {
            ApiError::field(
                "inspecting_unit_id",
                "unknown",
                "no such unit in your scope",
                "không có đơn vị này trong phạm vi của bạn",
            )
        })?;
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
    let now = Utc::now();
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
    let stored = idempotency::create_once(
        &mut conn,
        &caller,
        &key,
        &hash,
        (RESOURCE, unit.id, &unit.path),
        |i: &Inspection| i.id,
        move |conn| {
            Box::pin(async move {
                let inserted: Option<InspectionRow> = crate::insert_new!(conn, inspections, &row, InspectionRow)?;
                inserted
                    .map(|r| Created::New(Inspection::from(r)))
                    .ok_or_else(idempotency::id_taken)
            })
        },
    )
    .await?;
    Ok(stored.respond())
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = inspections)]
struct InspectionChanges {
    status: Option<String>,
    conclusion: Option<String>,
    concluded_on: Option<NaiveDate>,
    recommendations: Option<String>,
    period_from: Option<NaiveDate>,
    period_to: Option<NaiveDate>,
    areas: Option<Vec<String>>,
    team_members: Option<Vec<String>>,
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
#[patch("/inspections/{id}")]
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
    if !if_match.matches(current.version) {
        return Err(ApiError::stale(&Inspection::from(current)));
    }
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
    let before = Inspection::from(current.clone());
    let (rid, version) = (current.id, current.version);
    let updated = audit::update_record(
        &mut conn,
        &caller,
        (RESOURCE, rid, current.inspecting_unit_id, &current.unit_path),
        "update",
        &before,
        move |conn| {
            Box::pin(async move {
                let row: Option<InspectionRow> =
                    crate::versioned_update!(conn, inspections, rid, version, &changes, InspectionRow)?;
                Ok(row.map(Inspection::from))
            })
        },
    )
    .await?;
    match updated {
        Some(i) => Ok(etag_response(StatusCode::OK, i.version, &i)),
        None => Err(ApiError::stale(&Inspection::from(
            visible(&mut conn, &caller, *id).await?,
        ))),
    }
}
