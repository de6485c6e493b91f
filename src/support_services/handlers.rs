//! `/api/v1/support-services`: the public directory (no token needed to read) and its upkeep
//! by the serving unit's managers and admins.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::api::{Eligible, NewService, ServiceFilters, ServicePatch, SupportService};
use super::model::{ServiceChanges, ServiceRow};
use super::queries;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::caller::MaybeCaller;
use crate::http::idempotency::{self, IdempotencyKey};
use crate::http::json_row::page_response;
use crate::http::list::{Cursor, Page, PageQuery, Sort};
use crate::http::{etag_response, IfMatch, Json, ValidJson};
use crate::state::AppState;
use crate::write;

/// The directory of GBV support services: hotlines, shelters, trusted addresses, health
/// facilities, legal aid, police, social assistance, counselling.
///
/// Public: no token needed (the mobile app's public screen shows the active ones). Without a
/// token, a shelter's or a trusted address's address is withheld (`location_withheld`); with
/// one, every address shows, and inactive services too. Sort: `name` (default), `updated_at`.
#[utoipa::path(
    tag = "support",
    operation_id = "list_support_services",
    params(ServiceFilters, PageQuery),
    responses(
        (status = 200, description = "A page of services", body = Page<SupportService>),
        (status = 401, description = "An Authorization header that is not a live token (send none to read as the public)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter, sort or cursor, or an unknown unit", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = [])),
)]
#[get("")]
pub async fn list_support_services(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    filters: crate::http::Query<ServiceFilters>,
    page: crate::http::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let sort = Sort::parse(page.sort.as_deref(), queries::SORTS)?;
    let cursor = page.cursor.as_deref().map(|c| Cursor::decode(c, &sort)).transpose()?;
    let limit = page.limit();
    // Reads only: on the worker's shared connection (see db::SharedReads).
    page_response(&state.reads, async |mut conn| {
        let subtree = match filters.unit_id {
            Some(id) => Some(
                crate::units::queries::find(&mut conn, id)
                    .await?
                    .ok_or_else(|| ApiError::field("unit_id", "unknown", "no such unit", "không có đơn vị này"))?
                    .path,
            ),
            None => None,
        };
        let signed_in = caller.0.is_some();
        Ok(queries::list(
            &mut conn,
            &filters,
            subtree.as_deref(),
            signed_in,
            &sort,
            cursor.as_ref(),
            limit,
        )
        .await?)
    })
    .await
}

/// One service of the directory (public; without a token, a shelter's or a trusted address's
/// address is withheld, and an inactive service is not found).
#[utoipa::path(
    tag = "support",
    operation_id = "get_support_service",
    params(("id" = Uuid, Path, description = "Service id")),
    responses(
        (status = 200, description = "The service", body = SupportService, headers(("ETag" = String, description = "The service's version"))),
        (status = 401, description = "An Authorization header that is not a live token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service (or an inactive one, without a token)", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = [])),
)]
#[get("/{id}")]
pub async fn get_support_service(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let signed_in = caller.0.is_some();
    let row = queries::find(&mut conn, *id)
        .await?
        .filter(|r| signed_in || r.active)
        .ok_or(ApiError::NotFound)?;
    Ok(etag_response(
        StatusCode::OK,
        row.version,
        &SupportService::seen(row, signed_in),
    ))
}

/// Add a service to the directory (managers and admins of the unit it serves).
#[utoipa::path(
    tag = "support",
    operation_id = "create_support_service",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first response")),
    request_body = NewService,
    responses(
        (status = 201, description = "Added", body = SupportService, headers(("ETag" = String, description = "The service's version"))),
        (status = 403, description = "Not a manager or admin of the unit, or a partner", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The id is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, a unit outside the caller's scope, or a reused Idempotency-Key", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("")]
pub async fn create_support_service(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    key: IdempotencyKey,
    body: Json<NewService>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let hash = idempotency::fingerprint(&req, &body);
    let mut conn = state.pool.get().await?;
    let unit = crate::units::queries::in_scope(&mut conn, &caller, body.unit_id, "unit_id").await?;
    caller.require_manager_of(unit.id, &unit.path)?;
    let row = ServiceRow {
        id: body.id.unwrap_or_else(Uuid::now_v7),
        unit_id: unit.id,
        unit_path: unit.path,
        kind: body.kind.as_str().into(),
        name: body.name.trim().into(),
        address: body.address.map(|a| a.trim().to_string()),
        phone: body.phone.map(|p| p.trim().to_string()),
        phone_invented: body.phone_invented,
        opening_hours: body.opening_hours.map(|h| h.trim().to_string()),
        services: body.services.iter().map(|s| s.trim().to_string()).collect(),
        eligible: body.eligible.unwrap_or(Eligible::All).as_str().into(),
        active: true,
        created_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
        version: 1,
    };
    write::create(&mut conn, &caller, &key, &hash, row, write::nothing()).await
}

/// A service its caller may keep: the serving unit's managers and admins (403 otherwise: the
/// directory is public, so a service is no secret).
async fn kept(conn: &mut crate::db::Conn, caller: &Caller, id: Uuid) -> ApiResult<ServiceRow> {
    caller.require_not_partner()?;
    let row = queries::find(conn, id).await?.ok_or(ApiError::NotFound)?;
    caller.require_manager_of(row.unit_id, &row.unit_path)?;
    Ok(row)
}

/// Correct a service (managers and admins of its unit; needs `If-Match`).
#[utoipa::path(
    tag = "support",
    operation_id = "update_support_service",
    params(
        ("id" = Uuid, Path, description = "Service id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"1\""),
    ),
    request_body = ServicePatch,
    responses(
        (status = 200, description = "Updated", body = SupportService, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not a manager or admin of its unit, or a partner", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/{id}")]
pub async fn update_support_service(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<ServicePatch>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let current = kept(&mut conn, &caller, *id).await?;
    let changes = ServiceChanges {
        kind: body.kind.map(|k| k.as_str().to_string()),
        name: body.name.map(|n| n.trim().to_string()),
        address: body.address.map(|a| a.map(|a| a.trim().to_string())),
        phone: body.phone.map(|p| p.map(|p| p.trim().to_string())),
        phone_invented: body.phone_invented,
        opening_hours: body.opening_hours.map(|h| h.map(|h| h.trim().to_string())),
        services: body.services.map(|l| l.iter().map(|s| s.trim().to_string()).collect()),
        eligible: body.eligible.map(|e| e.as_str().to_string()),
        active: body.active,
    };
    let (id, version) = (current.id, current.version);
    let apply =
        write::apply(move |conn| Box::pin(async move { Ok(queries::update(conn, id, version, &changes).await?) }));
    Ok(write::update(&mut conn, &caller, current, &if_match, "update", apply)
        .await?
        .respond())
}

/// Remove a service from the directory (managers and admins of its unit; needs `If-Match`).
#[utoipa::path(
    tag = "support",
    operation_id = "delete_support_service",
    params(
        ("id" = Uuid, Path, description = "Service id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"1\""),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Not a manager or admin of its unit, or a partner", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[delete("/{id}")]
pub async fn delete_support_service(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let current = kept(&mut conn, &caller, *id).await?;
    write::delete(&mut conn, &caller, current, &if_match).await
}
