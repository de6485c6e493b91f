//! `/api/v1/outreach`.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::api::{EventFilters, EventPatch, NewEvent, OutreachEvent, EXPORT_COLUMNS};
use super::model::EventRow;
use super::queries;
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::http::export::{self, Binary, ExportQuery, Format, ListArgs, SortQuery};
use crate::http::idempotency::{self, IdempotencyKey};
use crate::http::list::{Cursor, Page, PageQuery, Sort, SubtreeFilter};
use crate::http::{etag_response, IfMatch, Json, ValidJson};
use crate::participation::{self, Participant};
use crate::records;
use crate::state::AppState;

/// Partners see public events only.
use super::api::partner_may_see;

/// The list's filters, sort and scope, answered as one JSON page or exported whole.
async fn respond(
    state: web::Data<AppState>,
    caller: Caller,
    filters: EventFilters,
    page: PageQuery,
    format: Format,
) -> ApiResult<HttpResponse> {
    crate::http::list::check_period(filters.from, filters.to)?;
    let sort = Sort::parse(page.sort.as_deref(), queries::SORTS)?;
    let cursor = page.cursor.as_deref().map(|c| Cursor::decode(c, &sort)).transpose()?;
    let subtree = SubtreeFilter::resolve(&state.pool, filters.unit_id, filters.include_descendants).await?;
    let args = ListArgs {
        filters: (filters, caller.is_partner()),
        scopes: caller.scopes,
        subtree,
        sort,
    };
    export::respond_list(
        format,
        "outreach",
        &EXPORT_COLUMNS,
        state.reads.clone(),
        args,
        (cursor, page.limit()),
        |conn, a, cursor, limit| Box::pin(queries::list(conn, a, cursor, limit)),
        Some(|conn, a, cursor, limit| Box::pin(queries::list_written(conn, a, cursor, limit))),
    )
    .await
}

crate::list_and_export! {
    tag: "outreach", filters: EventFilters, item: OutreachEvent, respond: respond,
    problems: [
        (422, "Invalid sort or cursor"),
    ],
    list: {
        /// Outreach events in the caller's scope (partners: public events of their granted units).
        ///
        /// Sort: `starts_on` (default), `title`, `updated_at`; `-` for descending.
        /// `GET /api/v1/outreach/export` gives the whole list as a file.
        fn list_events = "list_outreach_events" at ""
    },
    export: {
        /// Outreach events as a file.
        fn export_outreach_events = "export_outreach_events" at "/export", file "attachment; filename=\"outreach.csv\" (or .xlsx)"
    },
}

/// One outreach event.
#[utoipa::path(
    tag = "outreach",
    operation_id = "get_outreach_event",
    params(("id" = Uuid, Path, description = "Event id")),
    responses(
        (status = 200, description = "The event", body = OutreachEvent, headers(("ETag" = String, description = "The event's version"))),
        (status = 404, description = "No such event in the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}")]
pub async fn get_event(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = records::visible(&mut conn, &caller, *id, partner_may_see).await?;
    Ok(etag_response(StatusCode::OK, row.version, &OutreachEvent::from(row)))
}

/// The named participants of an event (people's data: never for partners).
#[utoipa::path(
    tag = "outreach",
    operation_id = "list_outreach_participants",
    params(("id" = Uuid, Path, description = "Event id")),
    responses(
        (status = 200, description = "The participants, in the order given", body = Vec<Participant>),
        (status = 403, description = "Partners never see people's data", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event in the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}/participants")]
pub async fn event_participants(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<Vec<Participant>>> {
    caller.require_not_partner()?;
    let mut conn = state.pool.get().await?;
    let row: EventRow = records::visible(&mut conn, &caller, *id, partner_may_see).await?;
    Ok(web::Json(participation::list(&mut conn, row.id).await?))
}

/// Record an outreach event (the unit's officers and managers, or an admin above).
///
/// Send counts by sex, or the participant list (the counts are then derived from it; typed
/// counts that disagree with the list are 422). Offline clients may choose the `id`.
#[utoipa::path(
    tag = "outreach",
    operation_id = "create_outreach_event",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first response")),
    request_body = NewEvent,
    responses(
        (status = 201, description = "Recorded", body = OutreachEvent, headers(("ETag" = String, description = "The event's version"))),
        (status = 403, description = "Not a writer of the unit's records", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The id belongs to a different record", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: dates out of order or too far ahead, negative counts, a list that disagrees with the counts, an activity not assigned to the unit", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("")]
pub async fn create_event(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    key: IdempotencyKey,
    body: Json<NewEvent>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let hash = idempotency::fingerprint(&req, &body);
    let mut conn = state.pool.get().await?;
    super::api::create(&mut conn, &caller, &key, &hash, body).await
}

/// Correct an outreach event (needs `If-Match`).
#[utoipa::path(
    tag = "outreach",
    operation_id = "update_outreach_event",
    params(
        ("id" = Uuid, Path, description = "Event id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    request_body = EventPatch,
    responses(
        (status = 200, description = "Updated", body = OutreachEvent, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not a writer of the unit's records", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/{id}")]
pub async fn update_event(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<EventPatch>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    super::api::update(&mut conn, &caller, *id, &if_match, body).await
}

/// Delete an outreach event (soft; needs `If-Match`). Its attachments go with it.
#[utoipa::path(
    tag = "outreach",
    operation_id = "delete_outreach_event",
    params(
        ("id" = Uuid, Path, description = "Event id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not a writer of the unit's records", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event in the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[delete("/{id}")]
pub async fn delete_event(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let current: EventRow = records::visible(&mut conn, &caller, *id, partner_may_see).await?;
    caller.require_recorder_of(current.unit_id, &current.unit_path)?;
    records::delete(&mut conn, &caller, current, &if_match).await
}
