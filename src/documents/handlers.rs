//! `/api/v1/documents`.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::api::{Document, DocumentFilters, DocumentPatch, NewDocument};
use super::model::{DocumentChanges, DocumentRow};
use super::queries;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::idempotency::{self, IdempotencyKey};
use crate::http::list::{paginate, Cursor, Page, PageQuery, Sort};
use crate::http::{etag_response, IfMatch, Json, ValidJson};
use crate::state::AppState;
use crate::write;

/// The legal documents plans may cite.
///
/// Sort: `issued_on` (default), `number`, `updated_at`; `-` for descending.
#[utoipa::path(
    tag = "documents",
    operation_id = "list_documents",
    params(DocumentFilters, PageQuery),
    responses(
        (status = 200, description = "A page of documents", body = Page<Document>),
        (status = 422, description = "Invalid sort or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/documents")]
pub async fn list_documents(
    state: web::Data<AppState>,
    _caller: Caller,
    filters: crate::http::Query<DocumentFilters>,
    page: crate::http::Query<PageQuery>,
) -> ApiResult<web::Json<Page<Document>>> {
    let sort = Sort::parse(page.sort.as_deref(), queries::SORTS)?;
    let cursor = page.cursor.as_deref().map(|c| Cursor::decode(c, &sort)).transpose()?;
    let limit = page.limit();
    let mut conn = state.pool.get().await?;
    let rows = queries::list(&mut conn, &filters, &sort, cursor.as_ref(), limit).await?;
    Ok(web::Json(paginate(rows, limit, &sort, Document::from)))
}

/// One legal document.
#[utoipa::path(
    tag = "documents",
    operation_id = "get_document",
    params(("id" = Uuid, Path, description = "Document id")),
    responses(
        (status = 200, description = "The document", body = Document, headers(("ETag" = String, description = "The document's version"))),
        (status = 404, description = "No such document", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/documents/{id}")]
pub async fn get_document(state: web::Data<AppState>, _caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let doc = queries::find(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    Ok(etag_response(StatusCode::OK, doc.version, &Document::from(doc)))
}

/// Register a legal document (province and national admins). Unique per number and issuer.
///
/// Try it as `national.admin`.
#[utoipa::path(
    tag = "documents",
    operation_id = "create_document",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first response")),
    request_body = NewDocument,
    responses(
        (status = 201, description = "Registered", body = Document, headers(("ETag" = String, description = "The document's version"))),
        (status = 403, description = "Not a province or national admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Same number and issuer already registered, or the id is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or a reused Idempotency-Key", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/documents")]
pub async fn create_document(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    key: IdempotencyKey,
    body: Json<NewDocument>,
) -> ApiResult<HttpResponse> {
    caller.require_reference_writer()?;
    let body = body.into_valid()?;
    let hash = idempotency::fingerprint(&req, &body);
    let row = DocumentRow {
        id: body.id.unwrap_or_else(Uuid::now_v7),
        kind: body.kind.as_str().into(),
        number: body.number.trim().into(),
        issuer: body.issuer.trim().into(),
        issued_on: body.issued_on,
        effective_on: body.effective_on,
        title: body.title.trim().into(),
        url: body.url.clone(),
        created_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
        version: 1,
    };
    let mut conn = state.pool.get().await?;
    write::create(&mut conn, &caller, &key, &hash, row, write::nothing()).await
}

/// Correct a legal document (province and national admins; needs `If-Match`).
///
/// Try it as `national.admin`.
#[utoipa::path(
    tag = "documents",
    operation_id = "update_document",
    params(
        ("id" = Uuid, Path, description = "Document id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    request_body = DocumentPatch,
    responses(
        (status = 200, description = "Updated", body = Document, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not a province or national admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Same number and issuer as another document", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/documents/{id}")]
pub async fn update_document(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<DocumentPatch>,
) -> ApiResult<HttpResponse> {
    caller.require_reference_writer()?;
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let current = queries::find(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    let changes = DocumentChanges {
        kind: body.kind.map(|k| k.as_str().to_string()),
        number: body.number.map(|n| n.trim().to_string()),
        issuer: body.issuer.map(|n| n.trim().to_string()),
        issued_on: body.issued_on,
        effective_on: body.effective_on,
        title: body.title.map(|n| n.trim().to_string()),
        url: body.url,
    };
    let (id, version) = (current.id, current.version);
    let apply =
        write::apply(move |conn| Box::pin(async move { Ok(queries::update(conn, id, version, &changes).await?) }));
    Ok(write::update(&mut conn, &caller, current, &if_match, "update", apply)
        .await?
        .respond())
}

/// Remove a legal document that no plan cites (province and national admins; needs `If-Match`).
///
/// Try it as `national.admin`.
#[utoipa::path(
    tag = "documents",
    operation_id = "delete_document",
    params(
        ("id" = Uuid, Path, description = "Document id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not a province or national admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A plan cites it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[delete("/documents/{id}")]
pub async fn delete_document(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    caller.require_reference_writer()?;
    let mut conn = state.pool.get().await?;
    let current = queries::find(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    write::delete(&mut conn, &caller, current, &if_match).await
}
