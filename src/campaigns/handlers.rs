//! `/api/v1/campaigns`.

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::api::{Campaign, CampaignPatch, NewCampaign};
use super::model::{CampaignChanges, CampaignRow};
use super::queries;
use super::readable;
use crate::auth::Caller;
use crate::db::Conn;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::idempotency::{self, IdempotencyKey};
use crate::http::list::Page;
use crate::http::{etag_response, IfMatch, Json, ValidJson};
use crate::state::AppState;
use crate::write;

async fn readable_campaign(conn: &mut Conn, caller: &Caller, id: Uuid) -> ApiResult<CampaignRow> {
    match queries::find(conn, id).await? {
        Some(c) if readable(caller, &c.unit_path) => Ok(c),
        _ => Err(ApiError::NotFound),
    }
}

/// Campaigns of the caller's units and of the units above them, newest first.
#[utoipa::path(
    tag = "outreach",
    operation_id = "list_campaigns",
    responses((status = 200, description = "The campaigns (one page holds them all)", body = Page<Campaign>)),
    security(("bearer" = [])),
)]
#[get("")]
pub async fn list_campaigns(state: web::Data<AppState>, caller: Caller) -> ApiResult<web::Json<Page<Campaign>>> {
    let mut conn = state.pool.get().await?;
    let rows = queries::list(&mut conn, &caller).await?;
    Ok(web::Json(Page {
        data: rows.into_iter().map(Campaign::from).collect(),
        next_cursor: None,
    }))
}

/// One campaign with the totals of its events that the caller can see.
#[utoipa::path(
    tag = "outreach",
    operation_id = "get_campaign",
    params(("id" = Uuid, Path, description = "Campaign id")),
    responses(
        (status = 200, description = "The campaign and its totals", body = Campaign, headers(("ETag" = String, description = "The campaign's version"))),
        (status = 404, description = "No such campaign visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}")]
pub async fn get_campaign(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = readable_campaign(&mut conn, &caller, *id).await?;
    let totals = queries::totals(&mut conn, &caller, row.id).await?;
    let version = row.version;
    let mut out = Campaign::from(row);
    out.totals = Some(totals.into());
    Ok(etag_response(StatusCode::OK, version, &out))
}

/// Create a campaign for the caller's unit (its manager, or an admin above).
#[utoipa::path(
    tag = "outreach",
    operation_id = "create_campaign",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first response")),
    request_body = NewCampaign,
    responses(
        (status = 201, description = "Created", body = Campaign, headers(("ETag" = String, description = "The campaign's version"))),
        (status = 403, description = "Not a manager of the unit or an admin above it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The id belongs to another record", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("")]
pub async fn create_campaign(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    key: IdempotencyKey,
    body: Json<NewCampaign>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let hash = idempotency::fingerprint(&req, &body);
    let mut conn = state.pool.get().await?;
    let unit = crate::units::queries::in_scope(&mut conn, &caller, body.unit_id, "unit_id").await?;
    caller.require_manager_of(unit.id, &unit.path)?;
    crate::records::check_dates(body.starts_on, body.ends_on)?;
    let now = chrono::Utc::now();
    let row = CampaignRow {
        id: body.id.unwrap_or_else(Uuid::now_v7),
        unit_id: unit.id,
        unit_path: unit.path.clone(),
        name: body.name.trim().into(),
        description: body.description.clone(),
        starts_on: body.starts_on,
        ends_on: body.ends_on,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    write::create(&mut conn, &caller, &key, &hash, row, write::nothing()).await
}

/// Change a campaign (its unit's manager, or an admin above; needs `If-Match`).
#[utoipa::path(
    tag = "outreach",
    operation_id = "update_campaign",
    params(
        ("id" = Uuid, Path, description = "Campaign id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    request_body = CampaignPatch,
    responses(
        (status = 200, description = "Updated", body = Campaign, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not a manager of the campaign's unit or an admin above it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such campaign visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/{id}")]
pub async fn update_campaign(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<CampaignPatch>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let current = readable_campaign(&mut conn, &caller, *id).await?;
    caller.require_manager_of(current.unit_id, &current.unit_path)?;
    crate::records::check_dates(
        body.starts_on.unwrap_or(current.starts_on),
        body.ends_on.unwrap_or(current.ends_on),
    )?;
    let changes = CampaignChanges {
        name: body.name.map(|n| n.trim().to_string()),
        description: body.description,
        starts_on: body.starts_on,
        ends_on: body.ends_on,
    };
    let (id, version) = (current.id, current.version);
    let apply =
        write::apply(move |conn| Box::pin(async move { Ok(queries::update(conn, id, version, &changes).await?) }));
    Ok(write::update(&mut conn, &caller, current, &if_match, "update", apply)
        .await?
        .respond())
}
