use actix_web::{get, web};

use super::api::{ChangeItem, ChangesPage, ChangesQuery};
use super::queries;
use crate::auth::Caller;
use crate::error::{ApiResult, Problem};
use crate::http::list::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::state::AppState;

fn encode(txid: &str, seq: i64) -> String {
    super::api::encode_cursor(txid, seq)
}

fn decode(raw: &str) -> ApiResult<(String, i64)> {
    super::api::decode_cursor(raw, "since")
}

/// Changes to every record the caller may see, after a cursor, oldest first.
///
/// Keep calling with `next_cursor`: you never miss a change and never get one twice. A
/// deletion comes as a tombstone (`deleted: true`, `data: null`). A partner client follows
/// the units, lineage and legal documents of its granted units and their public outreach
/// events; an event that stops being public comes as a tombstone too (its record left the
/// partner's view).
#[utoipa::path(
    tag = "sync",
    operation_id = "list_changes",
    params(ChangesQuery),
    responses(
        (status = 200, description = "Changes after the cursor", body = ChangesPage),
        (status = 400, description = "Malformed parameter", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a cursor of this feed", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Partner rate limit", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = [])),
)]
#[get("")]
pub async fn list_changes(
    state: web::Data<AppState>,
    caller: Caller,
    q: crate::http::Query<ChangesQuery>,
) -> ApiResult<web::Json<ChangesPage>> {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let mut conn = state.pool.get().await?;
    let (txid, seq) = match q.since.as_deref().map(str::trim) {
        None | Some("") => ("0".to_string(), 0),
        Some("now") => {
            let head = queries::horizon(&mut conn).await?;
            return Ok(web::Json(ChangesPage {
                data: vec![],
                next_cursor: encode(&head, 0),
                has_more: false,
            }));
        }
        Some(raw) => decode(raw)?,
    };
    if caller.scopes.is_empty() {
        return Ok(web::Json(ChangesPage {
            data: vec![],
            next_cursor: encode(&txid, seq),
            has_more: false,
        }));
    }
    let mut rows = queries::after(&mut conn, &caller, (&txid, seq), limit + 1).await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = rows
        .last()
        .map(|r| encode(&r.txid, r.seq))
        .unwrap_or_else(|| encode(&txid, seq));
    let partner = caller.is_partner();
    let data = rows.into_iter().map(|r| ChangeItem::from_row(r, partner)).collect();
    Ok(web::Json(ChangesPage {
        data,
        next_cursor,
        has_more,
    }))
}
