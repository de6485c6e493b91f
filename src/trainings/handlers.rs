//! `/api/v1/trainings`.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::api::{NewTraining, Training, TrainingFilters, TrainingPatch, EXPORT_COLUMNS};
use super::model::TrainingRow;
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

/// Partners read aggregates, never a training.
use super::api::partner_may_see;

/// The list's filters, sort and scope, answered as one JSON page or exported whole.
async fn respond(
    state: web::Data<AppState>,
    caller: Caller,
    filters: TrainingFilters,
    page: PageQuery,
    format: Format,
) -> ApiResult<HttpResponse> {
    caller.require_not_partner()?;
    crate::http::list::check_period(filters.from, filters.to)?;
    let sort = Sort::parse(page.sort.as_deref(), queries::SORTS)?;
    let cursor = page.cursor.as_deref().map(|c| Cursor::decode(c, &sort)).transpose()?;
    let subtree = SubtreeFilter::resolve(&state.pool, filters.unit_id, filters.include_descendants).await?;
    let args = ListArgs {
        scopes: caller.scopes,
        filters,
        subtree,
        sort,
    };
    export::respond_list(
        format,
        "trainings",
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
    tag: "trainings", filters: TrainingFilters, item: Training, respond: respond,
    problems: [
        (403, "Partners read aggregates, not trainings"),
        (422, "Invalid sort or cursor"),
    ],
    list: {
        /// Trainings in the caller's scope.
        ///
        /// Sort: `starts_on` (default), `title`, `updated_at`; `-` for descending.
        /// `GET /api/v1/trainings/export` gives the whole list as a file.
        fn list_trainings = "list_trainings" at ""
    },
    export: {
        /// Trainings as a file.
        fn export_trainings = "export_trainings" at "/export", file "attachment; filename=\"trainings.csv\" (or .xlsx)"
    },
}

/// One training.
#[utoipa::path(
    tag = "trainings",
    operation_id = "get_training",
    params(("id" = Uuid, Path, description = "Training id")),
    responses(
        (status = 200, description = "The training", body = Training, headers(("ETag" = String, description = "The training's version"))),
        (status = 403, description = "Partners read aggregates, not trainings", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such training in the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}")]
pub async fn get_training(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    caller.require_not_partner()?;
    let reads = state.reads.get().await?;
    let row = reads.settle(records::visible(&mut reads.conn(), &caller, *id, partner_may_see).await)?;
    Ok(etag_response(StatusCode::OK, row.version, &Training::from(row)))
}

/// The named participants of a training (people's data: the unit's users only).
#[utoipa::path(
    tag = "trainings",
    operation_id = "list_training_participants",
    params(("id" = Uuid, Path, description = "Training id")),
    responses(
        (status = 200, description = "The participants, in the order given", body = Vec<Participant>),
        (status = 403, description = "Partners read aggregates, not trainings", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such training in the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}/participants")]
pub async fn training_participants(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<Vec<Participant>>> {
    caller.require_not_partner()?;
    let mut conn = state.pool.get().await?;
    let row: TrainingRow = records::visible(&mut conn, &caller, *id, partner_may_see).await?;
    Ok(web::Json(participation::list(&mut conn, row.id).await?))
}

/// Record a training (the unit's officers and managers, or an admin above).
///
/// Send counts by sex, or the participant list (the counts are then derived from it; typed
/// counts that disagree with the list are 422). Offline clients may choose the `id`.
#[utoipa::path(
    tag = "trainings",
    operation_id = "create_training",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first response")),
    request_body = NewTraining,
    responses(
        (status = 201, description = "Recorded", body = Training, headers(("ETag" = String, description = "The training's version"))),
        (status = 403, description = "Not a writer of the unit's records", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The id belongs to a different record", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: dates out of order or too far ahead, negative counts, a list that disagrees with the counts, an activity not assigned to the unit", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("")]
pub async fn create_training(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    key: IdempotencyKey,
    body: Json<NewTraining>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let hash = idempotency::fingerprint(&req, &body);
    let mut conn = state.pool.get().await?;
    super::api::create(&mut conn, &caller, &key, &hash, body).await
}

/// Correct a training (needs `If-Match`).
#[utoipa::path(
    tag = "trainings",
    operation_id = "update_training",
    params(
        ("id" = Uuid, Path, description = "Training id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    request_body = TrainingPatch,
    responses(
        (status = 200, description = "Updated", body = Training, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not a writer of the unit's records", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such training in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/{id}")]
pub async fn update_training(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<TrainingPatch>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    super::api::update(&mut conn, &caller, *id, &if_match, body).await
}

/// Delete a training (soft; needs `If-Match`). Its attachments go with it.
#[utoipa::path(
    tag = "trainings",
    operation_id = "delete_training",
    params(
        ("id" = Uuid, Path, description = "Training id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not a writer of the unit's records", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such training in the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[delete("/{id}")]
pub async fn delete_training(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    caller.require_not_partner()?;
    let mut conn = state.pool.get().await?;
    let current: TrainingRow = records::visible(&mut conn, &caller, *id, partner_may_see).await?;
    caller.require_recorder_of(current.unit_id, &current.unit_path)?;
    records::delete(&mut conn, &caller, current, &if_match).await
}
