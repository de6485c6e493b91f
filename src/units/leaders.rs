//! `/api/v1/units/{id}/leaders`: who holds a local government's key positions (People's
//! Committee and People's Council chair and vice-chairs), by sex and term, for the indicator
//! "share of local governments with a female key leader". No names: the indicator needs none.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::model::UnitRow;
use crate::audit;
use crate::auth::Caller;
use crate::db::schema::unit_leaders;
use crate::db::Conn;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::idempotency::{self, Created, IdempotencyKey};
use crate::http::list::Page;
use crate::http::{double_option, etag_response, IfMatch, Json, ValidJson};
use crate::participation::Sex;
use crate::state::AppState;

const RESOURCE: &str = "unit_leader";

/// Unit kinds that are local governments (have a People's Committee and Council).
pub const LOCAL_GOVERNMENTS: [&str; 7] = ["province", "city", "district", "town", "ward", "commune", "township"];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GoverningBody {
    /// Ủy ban nhân dân.
    PeopleCommittee,
    /// Hội đồng nhân dân.
    PeopleCouncil,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    Chair,
    ViceChair,
}

fn parse<T: for<'de> Deserialize<'de>>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.into())).ok()
}

fn text<T: Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = unit_leaders, check_for_backend(diesel::pg::Pg))]
pub struct LeaderRow {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub body: String,
    pub position: String,
    pub holder_sex: String,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A key position of a local government and its holder's term.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190a0b2-7c1e-7a55-9c1e-4b7e1f0a9d10", "unit_id": "6f1c2a7e-3f51-5b0c-9d3e-2a4b5c6d7e8f",
    "body": "people_committee", "position": "vice_chair", "holder_sex": "female",
    "started_on": "2021-07-01", "ended_on": null,
    "created_at": "2026-11-29T08:00:00Z", "updated_at": "2026-11-29T08:00:00Z", "version": 1
}))]
pub struct Leader {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub body: GoverningBody,
    pub position: Position,
    pub holder_sex: Sex,
    pub started_on: NaiveDate,
    /// The term's last day; null while in office.
    pub ended_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<LeaderRow> for Leader {
    fn from(r: LeaderRow) -> Self {
        Leader {
            id: r.id,
            unit_id: r.unit_id,
            body: parse(&r.body).unwrap_or(GoverningBody::PeopleCommittee),
            position: parse(&r.position).unwrap_or(Position::ViceChair),
            holder_sex: parse(&r.holder_sex).unwrap_or(Sex::Other),
            started_on: r.started_on,
            ended_on: r.ended_on,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body": "people_committee", "position": "vice_chair", "holder_sex": "female", "started_on": "2021-07-01"}))]
pub struct NewLeader {
    /// A client-chosen id (UUID), for offline creation; generated when absent.
    pub id: Option<Uuid>,
    pub body: GoverningBody,
    pub position: Position,
    pub holder_sex: Sex,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ended_on": "2026-06-30"}))]
pub struct LeaderPatch {
    pub holder_sex: Option<Sex>,
    pub started_on: Option<NaiveDate>,
    /// The term's last day; `null` to reopen it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub ended_on: Option<Option<NaiveDate>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeaderQuery {
    /// Only the holders in office on this day.
    pub on: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct LeaderPath {
    /// Unit id.
    pub id: Uuid,
    /// Leader record id.
    pub leader_id: Uuid,
}

/// The unit, if the caller may read its leaders (partners may not: people's data).
pub(super) async fn readable_unit(conn: &mut Conn, caller: &Caller, id: Uuid) -> ApiResult<UnitRow> {
    caller.require_not_partner()?;
    let unit = super::queries::find(conn, id).await?.ok_or(ApiError::NotFound)?;
    caller.require_visible(&unit.path)?;
    Ok(unit)
}

fn check_term(started_on: NaiveDate, ended_on: Option<NaiveDate>) -> ApiResult<()> {
    if ended_on.is_some_and(|e| e < started_on) {
        return Err(ApiError::field(
            "ended_on",
            "before_start",
            "must not be before started_on",
            "không được trước started_on",
        ));
    }
    Ok(())
}

async fn find(conn: &mut Conn, unit_id: Uuid, id: Uuid) -> ApiResult<LeaderRow> {
    unit_leaders::table
        .filter(unit_leaders::id.eq(id))
        .filter(unit_leaders::unit_id.eq(unit_id))
        .filter(unit_leaders::deleted_at.is_null())
        .select(LeaderRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or(ApiError::NotFound)
}

fn stale(row: LeaderRow) -> ApiError {
    ApiError::stale(&Leader::from(row))
}

/// A local government's key positions, oldest term first.
#[utoipa::path(
    tag = "units",
    operation_id = "list_unit_leaders",
    params(("id" = Uuid, Path, description = "Unit id"), LeaderQuery),
    responses(
        (status = 200, description = "The positions (one page holds them all)", body = Page<Leader>),
        (status = 403, description = "Partners read aggregates only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such unit in the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/units/{id}/leaders")]
pub async fn list_leaders(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    q: web::Query<LeaderQuery>,
) -> ApiResult<web::Json<Page<Leader>>> {
    let mut conn = state.pool.get().await?;
    let unit = readable_unit(&mut conn, &caller, *id).await?;
    let mut query = unit_leaders::table
        .filter(unit_leaders::unit_id.eq(unit.id))
        .filter(unit_leaders::deleted_at.is_null())
        .into_boxed();
    if let Some(on) = q.on {
        query = query
            .filter(unit_leaders::started_on.le(on))
            .filter(unit_leaders::ended_on.is_null().or(unit_leaders::ended_on.ge(on)));
    }
    let rows: Vec<LeaderRow> = query
        .order((unit_leaders::started_on, unit_leaders::id))
        .select(LeaderRow::as_select())
        .load(&mut conn)
        .await?;
    Ok(web::Json(Page {
        data: rows.into_iter().map(Leader::from).collect(),
        next_cursor: None,
    }))
}

/// Record a key position's holder (the unit's admins, or an admin above).
#[utoipa::path(
    tag = "units",
    operation_id = "create_unit_leader",
    params(
        ("id" = Uuid, Path, description = "Unit id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first response"),
    ),
    request_body = NewLeader,
    responses(
        (status = 201, description = "Recorded", body = Leader, headers(("ETag" = String, description = "The record's version"))),
        (status = 403, description = "Not an admin over the unit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such unit in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The id is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or the unit is not a local government", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/units/{id}/leaders")]
pub async fn create_leader(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    key: IdempotencyKey,
    id: web::Path<Uuid>,
    body: Json<NewLeader>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let hash = idempotency::fingerprint(&req, &body);
    let mut conn = state.pool.get().await?;
    let unit = readable_unit(&mut conn, &caller, *id).await?;
    caller.require_admin_over(&unit.path)?;
    if !LOCAL_GOVERNMENTS.contains(&unit.kind.as_str()) {
        return Err(ApiError::rule(
            "only local governments (province to commune) have People's Committee and Council leaders",
            "chỉ chính quyền địa phương (tỉnh đến xã) mới có lãnh đạo UBND, HĐND",
        ));
    }
    check_term(body.started_on, body.ended_on)?;
    let now = Utc::now();
    let row = LeaderRow {
        id: body.id.unwrap_or_else(Uuid::now_v7),
        unit_id: unit.id,
        unit_path: unit.path.clone(),
        body: text(body.body),
        position: text(body.position),
        holder_sex: body.holder_sex.as_str().into(),
        started_on: body.started_on,
        ended_on: body.ended_on,
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
        |l: &Leader| l.id,
        move |conn| {
            Box::pin(async move {
                let inserted: Option<LeaderRow> = crate::insert_new!(conn, unit_leaders, &row, LeaderRow)?;
                inserted
                    .map(|l| Created::New(Leader::from(l)))
                    .ok_or_else(idempotency::id_taken)
            })
        },
    )
    .await?;
    Ok(stored.respond())
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = unit_leaders)]
struct LeaderChanges {
    holder_sex: Option<String>,
    started_on: Option<NaiveDate>,
    ended_on: Option<Option<NaiveDate>>,
}

/// Correct a holder's sex or term, or close the term (needs `If-Match`).
#[utoipa::path(
    tag = "units",
    operation_id = "update_unit_leader",
    params(LeaderPath, ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\"")),
    request_body = LeaderPatch,
    responses(
        (status = 200, description = "Updated", body = Leader, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not an admin over the unit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such record in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/units/{id}/leaders/{leader_id}")]
pub async fn update_leader(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<LeaderPath>,
    if_match: IfMatch,
    body: Json<LeaderPatch>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let unit = readable_unit(&mut conn, &caller, path.id).await?;
    let current = find(&mut conn, unit.id, path.leader_id).await?;
    caller.require_admin_over(&unit.path)?;
    if !if_match.matches(current.version) {
        return Err(stale(current));
    }
    check_term(
        body.started_on.unwrap_or(current.started_on),
        body.ended_on.unwrap_or(current.ended_on),
    )?;
    let changes = LeaderChanges {
        holder_sex: body.holder_sex.map(|s| s.as_str().to_string()),
        started_on: body.started_on,
        ended_on: body.ended_on,
    };
    let before = Leader::from(current.clone());
    let (current_id, current_version) = (current.id, current.version);
    let updated = audit::update_record(
        &mut conn,
        &caller,
        (RESOURCE, current.id, unit.id, &unit.path),
        "update",
        &before,
        move |conn| {
            Box::pin(async move {
                let row: Option<LeaderRow> =
                    crate::versioned_update!(conn, unit_leaders, current_id, current_version, &changes, LeaderRow)?;
                Ok(row.map(Leader::from))
            })
        },
    )
    .await?;
    match updated {
        Some(l) => Ok(etag_response(StatusCode::OK, l.version, &l)),
        None => Err(stale(find(&mut conn, unit.id, path.leader_id).await?)),
    }
}

/// Remove a record entered by mistake (needs `If-Match`; a term that ended gets `ended_on`).
#[utoipa::path(
    tag = "units",
    operation_id = "delete_unit_leader",
    params(LeaderPath, ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\"")),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Not an admin over the unit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such record in the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[delete("/units/{id}/leaders/{leader_id}")]
pub async fn delete_leader(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<LeaderPath>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let unit = readable_unit(&mut conn, &caller, path.id).await?;
    let current = find(&mut conn, unit.id, path.leader_id).await?;
    caller.require_admin_over(&unit.path)?;
    if !if_match.matches(current.version) {
        return Err(stale(current));
    }
    let before = Leader::from(current.clone());
    audit::delete_record(
        &mut conn,
        &caller,
        "unit_leaders",
        RESOURCE,
        (current.id, current.version, unit.id, &unit.path),
        &before,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
