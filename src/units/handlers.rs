//! `/api/v1/units`: thin handlers (extract, check scope, call a query, map to the API type).
//! Every write runs in one transaction with its audit entry (which is also the change feed).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::api::{Lineage, LineageLink, NewLineage, NewUnit, TreeQuery, Unit, UnitFilters, UnitNode, UnitPatch};
use super::model::{LineageRow, NewUnitRow, UnitChanges, UnitDraft, UnitRow};
use super::queries;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::idempotency::{self, IdempotencyKey};
use crate::http::list::{Cursor, Page, PageQuery, Sort};
use crate::http::JsonBody;
use crate::http::{etag_response, IfMatch, Json, ValidJson};
use crate::state::AppState;
use crate::write;

/// A unit the caller may see, or 404 (whether it is missing or outside the scope).
async fn visible_unit(conn: &mut impl crate::db::Reader, caller: &Caller, id: Uuid) -> ApiResult<UnitRow> {
    let unit = queries::find(conn, id).await?.ok_or(ApiError::NotFound)?;
    caller.require_visible(&unit.path)?;
    Ok(unit)
}

fn unknown_unit(field: &str) -> ApiError {
    ApiError::field(
        field,
        "unknown",
        "no such unit in your scope",
        "không có đơn vị này trong phạm vi của bạn",
    )
}

/// List units in the caller's scope.
///
/// Sort fields: `name` (default), `created_at`, `updated_at`, `valid_from`; `-` for descending.
#[utoipa::path(
    tag = "units",
    operation_id = "list_units",
    params(UnitFilters, PageQuery),
    responses(
        (status = 200, description = "A page of units", body = Page<Unit>),
        (status = 422, description = "Invalid filter, sort or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("")]
pub async fn list_units(
    state: web::Data<AppState>,
    caller: Caller,
    filters: crate::http::Query<UnitFilters>,
    page: crate::http::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let sort = Sort::parse(page.sort.as_deref(), queries::SORTS)?;
    let cursor = page.cursor.as_deref().map(|c| Cursor::decode(c, &sort)).transpose()?;
    // Reads only: on the worker's shared connection (see db::SharedReads).
    state
        .reads
        .read(async |mut conn| {
            // A parent outside the scope lists nothing, exactly like a parent that does not exist.
            let parent_path = match filters.parent_id {
                Some(id) => match queries::find(&mut conn, id).await? {
                    Some(p) if caller.sees(&p.path) => Some(p.path),
                    _ => return Ok(HttpResponse::Ok().json_body(&Page::<Unit>::empty())),
                },
                None => None,
            };
            let limit = page.limit();
            let body = queries::list(
                &mut conn,
                &caller.scopes,
                &filters,
                parent_path.as_deref(),
                &sort,
                cursor.as_ref(),
                limit,
            )
            .await?;
            Ok(HttpResponse::Ok().json_bytes(body))
        })
        .await
}

/// Get one unit.
#[utoipa::path(
    tag = "units",
    operation_id = "get_unit",
    params(("id" = Uuid, Path, description = "Unit id")),
    responses(
        (status = 200, description = "The unit", body = Unit, headers(("ETag" = String, description = "The unit's version, for If-Match"))),
        (status = 404, description = "No such unit in the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}")]
pub async fn get_unit(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let reads = state.reads.get().await?;
    let unit = reads.settle(visible_unit(&mut reads.conn(), &caller, *id).await)?;
    Ok(etag_response(StatusCode::OK, unit.version, &Unit::from(unit)))
}

/// Create a unit under a parent in the caller's subtree (admins only).
///
/// Offline clients may choose the `id`: sending the same record again is answered as the first
/// time (201, same body); a different record with a taken id is 409.
#[utoipa::path(
    tag = "units",
    operation_id = "create_unit",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first response")),
    request_body = NewUnit,
    responses(
        (status = 201, description = "Created", body = Unit, headers(("ETag" = String, description = "The unit's version"))),
        (status = 403, description = "Not an admin of the parent unit", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The id belongs to a different record, or the code is used by a unit starting the same day", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, unknown parent, or a reused Idempotency-Key", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("")]
pub async fn create_unit(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    key: IdempotencyKey,
    body: Json<NewUnit>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let body = body.into_valid()?;
    let hash = idempotency::fingerprint(&req, &body);
    let mut conn = state.pool.get().await?;
    let parent = queries::find(&mut conn, body.parent_id)
        .await?
        .filter(|p| caller.sees(&p.path))
        .ok_or_else(|| unknown_unit("parent_id"))?;
    caller.require_admin_over(&parent.path)?;
    let id = body.id.unwrap_or_else(Uuid::now_v7);
    let row = NewUnitRow {
        id,
        parent_id: Some(parent.id),
        path: format!("{}{}/", parent.path, id),
        depth: parent.depth + 1,
        kind: body.kind.as_str().into(),
        code: body.code.clone(),
        name: body.name.trim().to_string(),
        valid_from: body.valid_from.unwrap_or_else(|| chrono::Utc::now().date_naive()),
        valid_to: body.valid_to,
    };
    let draft = UnitDraft {
        row,
        compare_valid_from: body.valid_from.is_some(),
    };
    write::create(&mut conn, &caller, &key, &hash, draft, write::nothing()).await
}

/// Change a unit (admins of the unit's subtree; needs `If-Match`).
#[utoipa::path(
    tag = "units",
    operation_id = "update_unit",
    params(
        ("id" = Uuid, Path, description = "Unit id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    request_body = UnitPatch,
    responses(
        (status = 200, description = "Updated", body = Unit, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed JSON or If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin of this unit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such unit in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Code already used by a unit starting the same day", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/{id}")]
pub async fn update_unit(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UnitPatch>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let current = visible_unit(&mut conn, &caller, *id).await?;
    caller.require_admin_over(&current.path)?;
    write::require_fresh(&current, &if_match)?;
    let changes = UnitChanges {
        kind: body.kind.map(|k| k.as_str().to_string()),
        code: body.code,
        name: body.name.map(|n| n.trim().to_string()),
        valid_from: body.valid_from,
        valid_to: body.valid_to,
    };
    if changes.is_empty() {
        return Ok(etag_response(StatusCode::OK, current.version, &Unit::from(current)));
    }
    let (id, version) = (current.id, current.version);
    let apply =
        write::apply(move |conn| Box::pin(async move { Ok(queries::update(conn, id, version, &changes).await?) }));
    Ok(write::update(&mut conn, &caller, current, &if_match, "update", apply)
        .await?
        .respond())
}

/// Delete a unit (admins above it; needs `If-Match`).
///
/// A soft delete: the unit leaves lists and `GET` (404) and reaches sync clients as a tombstone.
/// A unit with live sub-units or users, or the caller's own unit, cannot be deleted (409).
#[utoipa::path(
    tag = "units",
    operation_id = "delete_unit",
    params(
        ("id" = Uuid, Path, description = "Unit id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Malformed If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin of this unit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such unit in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The unit has sub-units or users, or is the caller's own", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[delete("/{id}")]
pub async fn delete_unit(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let current = visible_unit(&mut conn, &caller, *id).await?;
    caller.require_admin_over(&current.path)?;
    if current.id == caller.unit_id {
        return Err(ApiError::conflict(
            "You cannot delete your own unit",
            "Không thể xóa đơn vị của chính bạn",
        ));
    }
    write::delete(&mut conn, &caller, current, &if_match).await
}

/// A unit and all its descendants as a tree.
#[utoipa::path(
    tag = "units",
    operation_id = "unit_tree",
    params(("id" = Uuid, Path, description = "Unit id"), TreeQuery),
    responses(
        (status = 200, description = "The subtree", body = UnitNode),
        (status = 404, description = "No such unit in the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}/tree")]
pub async fn unit_tree(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    q: crate::http::Query<TreeQuery>,
) -> ApiResult<web::Json<UnitNode>> {
    let mut conn = state.pool.get().await?;
    let root = visible_unit(&mut conn, &caller, *id).await?;
    let rows = queries::subtree(&mut conn, &root.path, q.valid_on).await?;
    Ok(web::Json(build_tree(root, rows)))
}

fn build_tree(root: UnitRow, rows: Vec<UnitRow>) -> UnitNode {
    let mut children: HashMap<Uuid, Vec<UnitRow>> = HashMap::new();
    for r in rows {
        if let Some(p) = r.parent_id {
            if r.id != root.id {
                children.entry(p).or_default().push(r);
            }
        }
    }
    fn node(row: UnitRow, children: &mut HashMap<Uuid, Vec<UnitRow>>) -> UnitNode {
        let kids = children.remove(&row.id).unwrap_or_default();
        let unit = Unit::from(row);
        UnitNode {
            id: unit.id,
            kind: unit.kind,
            code: unit.code,
            name: unit.name,
            valid_from: unit.valid_from,
            valid_to: unit.valid_to,
            children: kids.into_iter().map(|k| node(k, children)).collect(),
        }
    }
    node(root, &mut children)
}

/// The lineage links whose other end the caller may see.
fn lineage_view(caller: &Caller, preds: Vec<(LineageRow, UnitRow)>, succs: Vec<(LineageRow, UnitRow)>) -> Lineage {
    let links = |v: Vec<(LineageRow, UnitRow)>| -> Vec<LineageLink> {
        v.into_iter()
            .filter(|(_, u)| caller.sees(&u.path))
            .map(|(l, u)| LineageLink {
                unit: u.into(),
                effective_on: l.effective_on,
                note: l.note,
            })
            .collect()
    };
    Lineage {
        predecessors: links(preds),
        successors: links(succs),
    }
}

/// A unit's predecessors and successors (merges and splits).
#[utoipa::path(
    tag = "units",
    operation_id = "unit_lineage",
    params(("id" = Uuid, Path, description = "Unit id")),
    responses(
        (status = 200, description = "Predecessors and successors in the caller's scope", body = Lineage),
        (status = 404, description = "No such unit in the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}/lineage")]
pub async fn unit_lineage(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<Lineage>> {
    let mut conn = state.pool.get().await?;
    let unit = visible_unit(&mut conn, &caller, *id).await?;
    let (preds, succs) = queries::lineage(&mut conn, unit.id).await?;
    Ok(web::Json(lineage_view(&caller, preds, succs)))
}

/// Record that a unit was merged or split into this one (admins of both units).
#[utoipa::path(
    tag = "units",
    operation_id = "add_unit_predecessor",
    params(
        ("id" = Uuid, Path, description = "The successor unit's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first response"),
    ),
    request_body = NewLineage,
    responses(
        (status = 201, description = "Linked; the successor's lineage", body = Lineage),
        (status = 200, description = "The same link was already recorded (a retry): the successor's lineage", body = Lineage),
        (status = 403, description = "Not an admin of both units", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such unit in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "These units are already linked, on another day", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, unknown predecessor, a unit succeeding itself, or a reused Idempotency-Key", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/{id}/predecessors")]
pub async fn add_predecessor(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    key: IdempotencyKey,
    id: web::Path<Uuid>,
    body: Json<NewLineage>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let hash = idempotency::fingerprint(&req, &body);
    let mut conn = state.pool.get().await?;
    let successor = visible_unit(&mut conn, &caller, *id).await?;
    caller.require_admin_over(&successor.path)?;
    let predecessor = queries::find(&mut conn, body.predecessor_id)
        .await?
        .filter(|p| caller.sees(&p.path))
        .ok_or_else(|| unknown_unit("predecessor_id"))?;
    caller.require_admin_over(&predecessor.path)?;
    let row = LineageRow {
        predecessor_id: predecessor.id,
        successor_id: successor.id,
        effective_on: body.effective_on,
        note: body.note.clone(),
    };
    let (successor_id, successor_path) = (successor.id, successor.path.clone());
    // The same link again (a retry, or a second click): answered as the lineage stands, 200,
    // doubling nothing. The same units on another day is a conflict (409).
    if queries::link_effective_on(&mut conn, predecessor.id, successor.id).await? == Some(body.effective_on) {
        let (preds, succs) = queries::lineage(&mut conn, successor_id).await?;
        return Ok(HttpResponse::Ok().json_body(&lineage_view(&caller, preds, succs)));
    }
    let (link, record) = (row.clone(), crate::units::api::LineageRecord::from(&row));
    let who = caller.clone();
    write::create_link(
        &mut conn,
        &caller,
        &key,
        &hash,
        "unit_lineage",
        (row.id(), successor_id, &successor_path),
        &record,
        move |conn| Box::pin(async move { Ok(queries::add_lineage(conn, &link).await.map(|_| ())?) }),
        move |conn| {
            Box::pin(async move {
                let (preds, succs) = queries::lineage(conn, successor_id).await?;
                Ok(lineage_view(&who, preds, succs))
            })
        },
    )
    .await
}
