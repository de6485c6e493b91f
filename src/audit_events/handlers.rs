//! `GET /api/v1/audit-events`: the audit trail, for admins, within their subtree.

use actix_web::{get, web, HttpResponse};

use super::api::{AuditEvent, AuditFilters};
use super::queries::{self, SORTS};
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::http::json_row::page_response;
use crate::http::list::{Cursor, Page, PageQuery, Sort};
use crate::state::AppState;

/// The audit trail of the caller's subtree (admins only), newest first.
///
/// Sort: `-at` (default, newest first) or `at`.
#[utoipa::path(
    tag = "audit",
    operation_id = "list_audit_events",
    params(AuditFilters, PageQuery),
    responses(
        (status = 200, description = "A page of audit events", body = Page<AuditEvent>),
        (status = 400, description = "Malformed filter", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid sort or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("")]
pub async fn list_audit_events(
    state: web::Data<AppState>,
    caller: Caller,
    f: crate::http::Query<AuditFilters>,
    page: crate::http::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    crate::http::list::check_period(f.from, f.to)?;
    let sort = Sort::parse_newest_first(page.sort.as_deref(), SORTS)?;
    let cursor = page.cursor.as_deref().map(|c| Cursor::decode(c, &sort)).transpose()?;
    // Reads only: on the worker's shared connection (see db::SharedReads).
    page_response(&state.reads, async |mut conn| {
        let subtree = match f.unit_id {
            None => None,
            Some(id) => match crate::db::unit_path(&mut conn, id).await?.filter(|p| caller.sees(p)) {
                Some(path) => Some(path),
                None => return Ok(crate::http::json_row::empty_page()),
            },
        };
        let limit = page.limit();
        Ok(queries::list(
            &mut conn,
            &caller,
            &f,
            subtree.as_deref(),
            &sort,
            cursor.as_ref(),
            limit,
        )
        .await?)
    })
    .await
}
