//! Attachment endpoints: upload and list under their record, then metadata, content and
//! deletion by attachment id.

use actix_multipart::Multipart;
use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, post, web, HttpResponse};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::api::Attachment;
use super::model::AttachmentRow;
use super::queries;
use super::ALLOWED_TYPES;
use crate::auth::Caller;
use crate::db::Conn;
use crate::error::{ApiError, ApiResult, Problem, Text};
use crate::http::list::Page;
use crate::http::JsonBody;
use crate::http::{IdempotencyKey, IfMatch};
use crate::outreach::model::EventRow;
use crate::state::AppState;
use crate::trainings::model::TrainingRow;
use crate::write::{self, Record};

/// The record an attachment hangs on.
pub struct Parent {
    kind: &'static str,
    id: Uuid,
    unit_id: Uuid,
    unit_path: String,
}

/// The record an attachment hangs on, if the caller may see it (partners never see people's
/// records, so never their files).
async fn parent(conn: &mut Conn, caller: &Caller, kind: &str, id: Uuid) -> ApiResult<Parent> {
    caller.require_not_partner()?;
    let (kind, found) = match kind {
        "training" => (
            "training",
            TrainingRow::find(conn, id)
                .await?
                .map(|t| (t.id, t.unit_id, t.unit_path)),
        ),
        _ => (
            "outreach_event",
            EventRow::find(conn, id).await?.map(|e| (e.id, e.unit_id, e.unit_path)),
        ),
    };
    let (id, unit_id, unit_path) = found.ok_or(ApiError::NotFound)?;
    caller.require_visible(&unit_path)?;
    Ok(Parent {
        kind,
        id,
        unit_id,
        unit_path,
    })
}

async fn upload(
    state: &AppState,
    caller: &Caller,
    kind: &str,
    record_id: Uuid,
    payload: Multipart,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let parent = parent(&mut conn, caller, kind, record_id).await?;
    caller.require_recorder_of(parent.unit_id, &parent.unit_path)?;
    let id = Uuid::now_v7();
    // Held in memory (at most `ATTACHMENT_MAX_BYTES`), then stored with its row in one
    // transaction: an upload that fails anywhere leaves nothing.
    let (file_name, content) = crate::http::upload::read_file(
        payload,
        state.settings.body_timeout,
        state.settings.attachment_max_bytes,
    )
    .await?;
    let detected = infer::get(&content[..content.len().min(8192)])
        .map(|t| t.mime_type())
        .filter(|m| ALLOWED_TYPES.contains(m));
    let Some(content_type) = detected else {
        return Err(ApiError::UnsupportedMediaType(Text::new(
            "Only JPEG, PNG, WebP or HEIF images, PDF, DOCX and XLSX files may be attached (checked by content)",
            "Chỉ đính kèm được ảnh JPEG, PNG, WebP, HEIF, tệp PDF, DOCX, XLSX (kiểm tra theo nội dung)",
        )));
    };
    let row = AttachmentRow {
        id,
        record_type: parent.kind.into(),
        record_id: parent.id,
        unit_id: parent.unit_id,
        unit_path: parent.unit_path.clone(),
        file_name,
        content_type: content_type.into(),
        size_bytes: content.len() as i64,
        sha256: hex::encode(Sha256::digest(&content)),
        storage_key: None,
        created_by: caller.id,
        created_at: chrono::Utc::now(),
        version: 1,
    };
    let store = write::then(move |conn, row: &AttachmentRow| {
        let id = row.id;
        Box::pin(async move { Ok(queries::store_content(conn, id, &content).await?) })
    });
    write::create(&mut conn, caller, &IdempotencyKey(None), &[], row, store).await
}

async fn list(
    state: &AppState,
    caller: &Caller,
    kind: &str,
    record_id: Uuid,
) -> ApiResult<web::Json<Page<Attachment>>> {
    let mut conn = state.pool.get().await?;
    let parent = parent(&mut conn, caller, kind, record_id).await?;
    let rows = queries::for_record(&mut conn, parent.id).await?;
    Ok(web::Json(Page {
        data: rows.into_iter().map(Attachment::from).collect(),
        next_cursor: None,
    }))
}

/// An attachment the caller may see: its record must be visible too.
async fn visible(conn: &mut Conn, caller: &Caller, id: Uuid) -> ApiResult<AttachmentRow> {
    caller.require_not_partner()?;
    let row = queries::find(conn, id).await?.ok_or(ApiError::NotFound)?;
    caller.require_visible(&row.unit_path)?;
    parent(conn, caller, &row.record_type, row.record_id).await?;
    Ok(row)
}

/// Attach a photo or document to a training (`multipart/form-data`, field `file`).
///
/// Allowed by content: JPEG, PNG, WebP, HEIF, PDF, DOCX, XLSX; at most `ATTACHMENT_MAX_BYTES`
/// (default 10 MiB).
#[utoipa::path(
    tag = "attachments",
    operation_id = "upload_training_attachment",
    params(("id" = Uuid, Path, description = "Training id")),
    request_body(content = Vec<u8>, content_type = "multipart/form-data", description = "A form with one file field named `file`"),
    responses(
        (status = 201, description = "Stored", body = Attachment),
        (status = 400, description = "Malformed multipart body", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a writer of the record's unit, or a partner", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such training in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart, or a file type that is not allowed (by content)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No `file` field, an empty file, or one over the size limit", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/{id}/attachments")]
pub async fn upload_training(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    payload: Multipart,
) -> ApiResult<HttpResponse> {
    upload(&state, &caller, "training", *id, payload).await
}

/// Attach a photo or document to an outreach event (`multipart/form-data`, field `file`).
#[utoipa::path(
    tag = "attachments",
    operation_id = "upload_outreach_attachment",
    params(("id" = Uuid, Path, description = "Event id")),
    request_body(content = Vec<u8>, content_type = "multipart/form-data", description = "A form with one file field named `file`"),
    responses(
        (status = 201, description = "Stored", body = Attachment),
        (status = 400, description = "Malformed multipart body", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a writer of the record's unit, or a partner", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart, or a file type that is not allowed (by content)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No `file` field, an empty file, or one over the size limit", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/{id}/attachments")]
pub async fn upload_outreach(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    payload: Multipart,
) -> ApiResult<HttpResponse> {
    upload(&state, &caller, "outreach_event", *id, payload).await
}

/// The attachments of a training.
#[utoipa::path(
    tag = "attachments",
    operation_id = "list_training_attachments",
    params(("id" = Uuid, Path, description = "Training id")),
    responses(
        (status = 200, description = "The attachments", body = Page<Attachment>),
        (status = 403, description = "Partners", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such training in the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}/attachments")]
pub async fn list_training(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<Page<Attachment>>> {
    list(&state, &caller, "training", *id).await
}

/// The attachments of an outreach event.
#[utoipa::path(
    tag = "attachments",
    operation_id = "list_outreach_attachments",
    params(("id" = Uuid, Path, description = "Event id")),
    responses(
        (status = 200, description = "The attachments", body = Page<Attachment>),
        (status = 403, description = "Partners", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event in the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}/attachments")]
pub async fn list_outreach(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<Page<Attachment>>> {
    list(&state, &caller, "outreach_event", *id).await
}

/// An attachment's metadata.
#[utoipa::path(
    tag = "attachments",
    operation_id = "get_attachment",
    params(("id" = Uuid, Path, description = "Attachment id")),
    responses(
        (status = 200, description = "The attachment", body = Attachment),
        (status = 403, description = "Partners", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such attachment in the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}")]
pub async fn get_attachment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = visible(&mut conn, &caller, *id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{}\"", row.version)))
        .json_body(&Attachment::from(row)))
}

/// Download an attachment (with its detected content type and SHA-256 as `ETag`).
#[utoipa::path(
    tag = "attachments",
    operation_id = "download_attachment",
    params(("id" = Uuid, Path, description = "Attachment id")),
    responses(
        // The types an upload may have (`ALLOWED_TYPES`, checked by content).
        (status = 200, description = "The file, with its detected type", content(
            (crate::http::export::Binary = "image/jpeg"),
            (crate::http::export::Binary = "image/png"),
            (crate::http::export::Binary = "image/webp"),
            (crate::http::export::Binary = "image/heif"),
            (crate::http::export::Binary = "application/pdf"),
            (crate::http::export::Binary = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (crate::http::export::Binary = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 403, description = "Partners", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such attachment in the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}/content")]
pub async fn download_attachment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = visible(&mut conn, &caller, *id).await?;
    let content = queries::content(&mut conn, row.id)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("attachment {} has no content", row.id)))?;
    let disposition = header::ContentDisposition {
        disposition: header::DispositionType::Attachment,
        parameters: vec![header::DispositionParam::FilenameExt(header::ExtendedValue {
            charset: header::Charset::Ext("UTF-8".into()),
            language_tag: None,
            value: row.file_name.clone().into_bytes(),
        })],
    };
    Ok(HttpResponse::build(StatusCode::OK)
        .content_type(row.content_type.as_str())
        .insert_header((header::ETAG, format!("\"{}\"", row.sha256)))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header(disposition)
        .body(content))
}

/// Delete an attachment (a writer of the record's unit; needs `If-Match`).
#[utoipa::path(
    tag = "attachments",
    operation_id = "delete_attachment",
    params(
        ("id" = Uuid, Path, description = "Attachment id"),
        ("If-Match" = String, Header, description = "The ETag of the metadata, e.g. \"1\""),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not a writer of the record's unit, or a partner", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such attachment in the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[delete("/{id}")]
pub async fn delete_attachment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = visible(&mut conn, &caller, *id).await?;
    caller.require_recorder_of(row.unit_id, &row.unit_path)?;
    write::delete(&mut conn, &caller, row, &if_match).await
}
