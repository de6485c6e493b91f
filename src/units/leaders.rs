//! `/api/v1/units/{id}/leaders`: who holds a local government's key positions (People's
//! Committee and People's Council chair and vice-chairs), by sex and term, for the indicator
//! "share of local governments with a female key leader". No names: the indicator needs none.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use super::api::{text, Leader, LeaderPatch, LeaderPath, LeaderQuery, NewLeader, LOCAL_GOVERNMENTS};
use super::model::{LeaderChanges, LeaderRow};
use super::queries::{self, readable_unit};
use crate::auth::Caller;
use crate::db::Conn;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::idempotency::{self, IdempotencyKey};
use crate::http::list::Page;
use crate::http::{IfMatch, Json, ValidJson};
use crate::state::AppState;
use crate::write::{self, Record};

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

/// The unit and its leader for a write: the unit readable, the leader the unit's, the caller an
/// admin over the unit.
async fn writable(conn: &mut Conn, caller: &Caller, path: &LeaderPath) -> ApiResult<LeaderRow> {
    let unit = readable_unit(conn, caller, path.id).await?;
    let leader = LeaderRow::find(conn, path.leader_id)
        .await?
        .filter(|l| l.unit_id == unit.id)
        .ok_or(ApiError::NotFound)?;
    caller.require_admin_over(&unit.path)?;
    Ok(leader)
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
#[get("/{id}/leaders")]
pub async fn list_leaders(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    q: crate::http::Query<LeaderQuery>,
) -> ApiResult<web::Json<Page<Leader>>> {
    let mut conn = state.pool.get().await?;
    let unit = readable_unit(&mut conn, &caller, *id).await?;
    let rows = queries::leaders_of(&mut conn, unit.id, q.on).await?;
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
#[post("/{id}/leaders")]
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
    write::create(&mut conn, &caller, &key, &hash, row, write::nothing()).await
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
#[patch("/{id}/leaders/{leader_id}")]
pub async fn update_leader(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<LeaderPath>,
    if_match: IfMatch,
    body: Json<LeaderPatch>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let current = writable(&mut conn, &caller, &path).await?;
    check_term(
        body.started_on.unwrap_or(current.started_on),
        body.ended_on.unwrap_or(current.ended_on),
    )?;
    let changes = LeaderChanges {
        holder_sex: body.holder_sex.map(|s| s.as_str().to_string()),
        started_on: body.started_on,
        ended_on: body.ended_on,
    };
    let (id, version) = (current.id, current.version);
    let apply = write::apply(move |conn| {
        Box::pin(async move {
            Ok(crate::versioned_update!(
                conn,
                unit_leaders,
                id,
                version,
                &changes,
                LeaderRow
            )?)
        })
    });
    Ok(write::update(&mut conn, &caller, current, &if_match, "update", apply)
        .await?
        .respond())
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
#[delete("/{id}/leaders/{leader_id}")]
pub async fn delete_leader(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<LeaderPath>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let current = writable(&mut conn, &caller, &path).await?;
    write::delete(&mut conn, &caller, current, &if_match).await
}
