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
use crate::http::json_row::page_response;
use crate::http::list::{Cursor, Page, PageQuery, Sort};
use crate::http::{etag_response, IfMatch, Json, ValidJson};
use crate::state::AppState;
use crate::write;

/// Who keeps a document: a local one, the admins of its issuing unit (and above); a national
/// one, province and national admins. On a create, a unit the caller cannot see is a 422 naming
/// `unit_id`; on a change, any document not the caller's to keep is 403 (every caller reads
/// documents).
async fn require_keeper(
    conn: &mut crate::db::Conn,
    caller: &Caller,
    unit_id: Option<Uuid>,
    creating: bool,
) -> ApiResult<()> {
    let Some(unit_id) = unit_id else {
        return caller.require_reference_writer();
    };
    match crate::units::queries::find(conn, unit_id).await? {
        Some(unit) if caller.sees(&unit.path) || !creating => caller.require_admin_over(&unit.path),
        _ => Err(ApiError::field(
            "unit_id",
            "unknown",
            "no such unit in your scope",
            "không có đơn vị này trong phạm vi của bạn",
        )),
    }
}

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
#[get("")]
pub async fn list_documents(
    state: web::Data<AppState>,
    _caller: Caller,
    filters: crate::http::Query<DocumentFilters>,
    page: crate::http::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let sort = Sort::parse(page.sort.as_deref(), queries::SORTS)?;
    let cursor = page.cursor.as_deref().map(|c| Cursor::decode(c, &sort)).transpose()?;
    let limit = page.limit();
    // Reads only: on the worker's shared connection (see db::SharedReads).
    page_response(&state.reads, async |mut conn| {
        Ok(queries::list(&mut conn, &filters, &sort, cursor.as_ref(), limit).await?)
    })
    .await
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
#[get("/{id}")]
pub async fn get_document(state: web::Data<AppState>, _caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let doc = queries::find(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    Ok(etag_response(StatusCode::OK, doc.version, &Document::from(doc)))
}

/// Register a legal document. Unique per number and issuer.
///
/// A local document (with `unit_id`: a city's own plan, a ward's decision) is registered by an
/// admin of that unit or above; a national one (no `unit_id`) by province and national admins.
#[utoipa::path(
    tag = "documents",
    operation_id = "create_document",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first response")),
    request_body = NewDocument,
    responses(
        (status = 201, description = "Registered", body = Document, headers(("ETag" = String, description = "The document's version"))),
        (status = 403, description = "Not an admin of the issuing unit (local), or not a province or national admin (national)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Same number and issuer already registered, or the id is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, a unit outside the caller's scope, or a reused Idempotency-Key", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("")]
pub async fn create_document(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    key: IdempotencyKey,
    body: Json<NewDocument>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let body = body.into_valid()?;
    let hash = idempotency::fingerprint(&req, &body);
    let mut conn = state.pool.get().await?;
    require_keeper(&mut conn, &caller, body.unit_id, true).await?;
    let row = DocumentRow {
        id: body.id.unwrap_or_else(Uuid::now_v7),
        kind: body.kind.as_str().into(),
        number: body.number.trim().into(),
        issuer: body.issuer.trim().into(),
        issued_on: body.issued_on,
        effective_on: body.effective_on,
        title: body.title.trim().into(),
        url: body.url.clone(),
        unit_id: body.unit_id,
        created_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
        version: 1,
    };
    write::create(&mut conn, &caller, &key, &hash, row, write::nothing()).await
}

/// Correct a legal document (needs `If-Match`): a local one by its unit's admins, a national
/// one by province and national admins.
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
        (status = 403, description = "Not a keeper of the document (its unit's admins, or province and national admins for a national one)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Same number and issuer as another document", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/{id}")]
pub async fn update_document(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<DocumentPatch>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let current = queries::find(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    require_keeper(&mut conn, &caller, current.unit_id, false).await?;
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

/// Remove a legal document that no plan cites (needs `If-Match`): a local one by its unit's
/// admins, a national one by province and national admins.
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
        (status = 403, description = "Not a keeper of the document (its unit's admins, or province and national admins for a national one)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A plan cites it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[delete("/{id}")]
pub async fn delete_document(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let mut conn = state.pool.get().await?;
    let current = queries::find(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    require_keeper(&mut conn, &caller, current.unit_id, false).await?;
    write::delete(&mut conn, &caller, current, &if_match).await
}
