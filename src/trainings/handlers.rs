//! `/api/v1/trainings`.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::api::{NewTraining, Training, TrainingFilters, TrainingPatch, EXPORT_COLUMNS};
use super::queries::{self, TrainingChanges, TrainingRow};
use crate::app::AppState;
use crate::audit::{self};
use crate::auth::Caller;
use crate::db::Conn;
use crate::db::SoftDeletable;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::export::{self, FormatQuery, ListArgs};
use crate::http::idempotency::{self, Created, IdempotencyKey};
use crate::http::list::{Cursor, Page, PageQuery, Sort, SubtreeFilter};
use crate::http::{etag_response, IfMatch, Json, ValidJson};
use crate::participation::{self, Participant};
use crate::records::{self, check_activity, check_dates, require_writer};

const RESOURCE: &str = "training";

pub async fn visible(conn: &mut Conn, caller: &Caller, id: Uuid) -> ApiResult<TrainingRow> {
    caller.require_not_partner()?;
    let row = queries::find(conn, id).await?.ok_or(ApiError::NotFound)?;
    caller.require_visible(&row.unit_path)?;
    Ok(row)
}

fn stale(row: TrainingRow) -> ApiError {
    ApiError::stale(&Training::from(row))
}

/// Trainings in the caller's scope.
///
/// Sort: `starts_on` (default), `title`, `updated_at`; `-` for descending. With `format=csv` or
/// `format=xlsx` (or the matching `Accept`), the whole list with these filters and this sort
/// is exported, streamed, instead of one page.
#[utoipa::path(
    tag = "trainings",
    operation_id = "list_trainings",
    params(TrainingFilters, PageQuery, FormatQuery),
    responses(
        (status = 200, description = "A page of trainings, or all of them as CSV or XLSX", content(
            (Page<Training> = "application/json"),
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 403, description = "Partners read aggregates, not trainings", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid sort or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/trainings")]
pub async fn list_trainings(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    filters: web::Query<TrainingFilters>,
    page: web::Query<PageQuery>,
    format: web::Query<FormatQuery>,
) -> ApiResult<HttpResponse> {
    caller.require_not_partner()?;
    let sort = Sort::parse(page.sort.as_deref(), queries::SORTS)?;
    let cursor = page.cursor.as_deref().map(|c| Cursor::decode(c, &sort)).transpose()?;
    let subtree = SubtreeFilter::resolve(&state.pool, filters.unit_id, filters.include_descendants).await?;
    let args = ListArgs {
        scopes: caller.scopes,
        filters: filters.into_inner(),
        subtree,
        sort,
    };
    export::respond_list(
        &req,
        &format,
        "trainings",
        &EXPORT_COLUMNS,
        state.pool.clone(),
        args,
        (cursor, page.limit()),
        |conn, a, cursor, limit| {
            Box::pin(queries::list(
                conn,
                &a.scopes,
                &a.filters,
                a.subtree.path(),
                &a.sort,
                cursor,
                limit,
            ))
        },
    )
    .await
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
#[get("/trainings/{id}")]
pub async fn get_training(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = visible(&mut conn, &caller, *id).await?;
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
#[get("/trainings/{id}/participants")]
pub async fn training_participants(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<Vec<Participant>>> {
    let mut conn = state.pool.get().await?;
    let row = visible(&mut conn, &caller, *id).await?;
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
#[post("/trainings")]
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
    let unit = records::record_unit(&mut conn, &caller, body.unit_id).await?;
    require_writer(&caller, unit.id, &unit.path)?;
    check_dates(body.starts_on, body.ends_on)?;
    let counts = participation::resolve(body.participants.as_ref(), body.participant_list.as_deref())?;
    check_activity(&mut conn, body.activity_id, unit.id, &unit.path).await?;
    let now = chrono::Utc::now();
    let row = TrainingRow {
        id: body.id.unwrap_or_else(Uuid::now_v7),
        unit_id: unit.id,
        unit_path: unit.path.clone(),
        activity_id: body.activity_id,
        title: body.title.trim().into(),
        topics: records::to_db(&body.topics, |t| t.as_str()),
        audiences: records::to_db(&body.audiences, |a| a.as_str()),
        starts_on: body.starts_on,
        ends_on: body.ends_on,
        location: body.location.clone(),
        organiser: body.organiser.clone(),
        trainers: body.trainers.iter().map(|t| t.trim().to_string()).collect(),
        female: counts.female,
        male: counts.male,
        other_sex: counts.other,
        has_participant_list: body.participant_list.is_some(),
        in_action_month: None,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let list = body.participant_list.clone();
    let who = caller.clone();
    let stored = idempotency::create_once(
        &mut conn,
        &caller,
        &key,
        &hash,
        (RESOURCE, unit.id, &unit.path),
        |r: &Training| r.id,
        move |conn| {
            Box::pin(async move {
                match queries::insert_new(conn, &row).await? {
                    Some(created) => {
                        if let Some(list) = &list {
                            participation::replace(conn, created.id, list).await?;
                        }
                        Ok(Created::New(Training::from(created)))
                    }
                    None => match queries::find(conn, row.id).await? {
                        Some(e)
                            if who.sees(&e.unit_path)
                                && e.unit_id == row.unit_id
                                && e.title == row.title
                                && e.starts_on == row.starts_on =>
                        {
                            Ok(Created::Existing(Training::from(e)))
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
#[patch("/trainings/{id}")]
pub async fn update_training(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<TrainingPatch>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let current = visible(&mut conn, &caller, *id).await?;
    require_writer(&caller, current.unit_id, &current.unit_path)?;
    if !if_match.matches(current.version) {
        return Err(stale(current));
    }
    check_dates(
        body.starts_on.unwrap_or(current.starts_on),
        body.ends_on.unwrap_or(current.ends_on),
    )?;
    if let Some(activity) = body.activity_id {
        check_activity(&mut conn, activity, current.unit_id, &current.unit_path).await?;
    }
    // The list, when sent, replaces the old one; an empty list removes it.
    let list = body.participant_list.as_deref().filter(|l| !l.is_empty());
    let counts = match (&body.participants, &body.participant_list) {
        (None, None) => None,
        (c, _) => Some(participation::resolve(c.as_ref(), list)?),
    };
    let changes = TrainingChanges {
        activity_id: body.activity_id,
        title: body.title.map(|t| t.trim().to_string()),
        topics: body.topics.as_deref().map(|t| records::to_db(t, |x| x.as_str())),
        audiences: body.audiences.as_deref().map(|a| records::to_db(a, |x| x.as_str())),
        starts_on: body.starts_on,
        ends_on: body.ends_on,
        location: body.location,
        organiser: body.organiser,
        trainers: body.trainers.map(|t| t.iter().map(|x| x.trim().to_string()).collect()),
        female: counts.map(|c| c.female),
        male: counts.map(|c| c.male),
        other_sex: counts.map(|c| c.other),
        has_participant_list: body.participant_list.as_ref().map(|l| !l.is_empty()),
    };
    let before = Training::from(current.clone());
    let (current_id, current_version) = (current.id, current.version);
    let list = body.participant_list.clone();
    let updated = audit::update_record(
        &mut conn,
        &caller,
        (RESOURCE, current.id, current.unit_id, &current.unit_path),
        "update",
        &before,
        move |conn| {
            Box::pin(async move {
                let Some(row) = queries::update(conn, current_id, current_version, &changes).await? else {
                    return Ok(None);
                };
                if let Some(l) = &list {
                    participation::replace(conn, row.id, l).await?;
                }
                Ok(Some(Training::from(row)))
            })
        },
    )
    .await?;
    match updated {
        Some(t) => Ok(etag_response(StatusCode::OK, t.version, &t)),
        None => Err(stale(visible(&mut conn, &caller, *id).await?)),
    }
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
#[delete("/trainings/{id}")]
pub async fn delete_training(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let current = visible(&mut conn, &caller, *id).await?;
    require_writer(&caller, current.unit_id, &current.unit_path)?;
    if !if_match.matches(current.version) {
        return Err(stale(current));
    }
    let before = Training::from(current.clone());
    audit::delete_record(
        &mut conn,
        &caller,
        SoftDeletable::Trainings,
        RESOURCE,
        (current.id, current.version, current.unit_id, &current.unit_path),
        &before,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
