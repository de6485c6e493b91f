//! `/api/v1/campaigns`.

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::queries::{self, CampaignChanges, CampaignRow, Totals};
use super::readable;
use crate::audit::{self};
use crate::auth::Caller;
use crate::db::Conn;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::idempotency::{self, Created, IdempotencyKey};
use crate::http::list::Page;
use crate::http::{etag_response, IfMatch, Json, ValidJson};
use crate::participation::Counts;
use crate::state::AppState;

const RESOURCE: &str = "campaign";

#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignTotals {
    /// Events of the campaign that the caller can see.
    pub events: i64,
    pub participants: Counts,
    pub audience_reached: i64,
}

impl From<Totals> for CampaignTotals {
    fn from(t: Totals) -> Self {
        let c = |v: i64| i32::try_from(v).unwrap_or(i32::MAX);
        CampaignTotals {
            events: t.events,
            participants: Counts::new(c(t.female), c(t.male), c(t.other_sex)),
            audience_reached: t.audience_reached,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "6b1f5a2e-8d3c-5e7a-9f10-2b3c4d5e6f92", "unit_id": "63d3f3d4-c46d-57e3-90b9-de42b6716496",
    "name": "Tháng hành động vì bình đẳng giới năm 2020", "description": null,
    "starts_on": "2020-11-15", "ends_on": "2020-12-15",
    "totals": {"events": 12, "participants": {"female": 900, "male": 400, "other": 0, "total": 1300}, "audience_reached": 15000},
    "created_at": "2026-11-29T12:00:00Z", "updated_at": "2026-11-29T12:00:00Z", "version": 1
}))]
pub struct Campaign {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// On `GET` of one campaign: totals over its events the caller can see.
    pub totals: Option<CampaignTotals>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<CampaignRow> for Campaign {
    fn from(r: CampaignRow) -> Self {
        Campaign {
            id: r.id,
            unit_id: r.unit_id,
            name: r.name,
            description: r.description,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            totals: None,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Tháng hành động vì bình đẳng giới năm 2020", "starts_on": "2020-11-15", "ends_on": "2020-12-15"}))]
pub struct NewCampaign {
    pub id: Option<Uuid>,
    /// Defaults to the caller's unit.
    pub unit_id: Option<Uuid>,
    #[validate(length(min = 1, max = 300))]
    pub name: String,
    #[validate(length(max = 5000))]
    pub description: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ends_on": "2020-12-20"}))]
pub struct CampaignPatch {
    #[validate(length(min = 1, max = 300))]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[validate(length(max = 5000))]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
}

async fn readable_campaign(conn: &mut Conn, caller: &Caller, id: Uuid) -> ApiResult<CampaignRow> {
    match queries::find(conn, id).await? {
        Some(c) if readable(caller, &c.unit_path) => Ok(c),
        _ => Err(ApiError::NotFound),
    }
}

fn stale(row: CampaignRow) -> ApiError {
    ApiError::stale(&Campaign::from(row))
}

/// Campaigns of the caller's units and of the units above them, newest first.
#[utoipa::path(
    tag = "outreach",
    operation_id = "list_campaigns",
    responses((status = 200, description = "The campaigns (one page holds them all)", body = Page<Campaign>)),
    security(("bearer" = [])),
)]
#[get("/campaigns")]
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
#[get("/campaigns/{id}")]
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
#[post("/campaigns")]
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
    let unit = crate::records::record_unit(&mut conn, &caller, body.unit_id).await?;
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
    let who = caller.clone();
    let stored = idempotency::create_once(
        &mut conn,
        &caller,
        &key,
        &hash,
        (RESOURCE, unit.id, &unit.path),
        |r: &Campaign| r.id,
        move |conn| {
            Box::pin(async move {
                match queries::insert_new(conn, &row).await? {
                    Some(created) => Ok(Created::New(Campaign::from(created))),
                    None => match queries::find(conn, row.id).await? {
                        Some(e) if who.sees(&e.unit_path) && e.unit_id == row.unit_id && e.name == row.name => {
                            Ok(Created::Existing(Campaign::from(e)))
                        }
                        _ => Err(idempotency::id_taken()),
                    },
                }
            })
        },
    )
    .await?;
    Ok(stored.respond())
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
#[patch("/campaigns/{id}")]
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
    if !if_match.matches(current.version) {
        return Err(stale(current));
    }
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
    let before = Campaign::from(current.clone());
    let (current_id, current_version) = (current.id, current.version);
    let updated = audit::update_record(
        &mut conn,
        &caller,
        (RESOURCE, current.id, current.unit_id, &current.unit_path),
        "update",
        &before,
        move |conn| {
            Box::pin(async move {
                Ok(queries::update(conn, current_id, current_version, &changes)
                    .await?
                    .map(Campaign::from))
            })
        },
    )
    .await?;
    match updated {
        Some(c) => Ok(etag_response(StatusCode::OK, c.version, &c)),
        None => Err(stale(readable_campaign(&mut conn, &caller, *id).await?)),
    }
}
