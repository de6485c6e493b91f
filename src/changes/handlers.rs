use actix_web::{get, web};
use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{Caller, Role};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::list::{escape_like, Cursor, DEFAULT_LIMIT, MAX_LIMIT};
use crate::state::AppState;

/// Resource types a partner client may follow (public reference data only).
const PARTNER_TYPES: &[&str] = &["unit", "unit_lineage", "legal_document"];
/// Resource types only admins may read.
const ADMIN_TYPES: &[&str] = &["api_client", "user"];

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// The `next_cursor` of the previous call; absent: from the beginning; `now`: from the
    /// present (returns no changes and a cursor to follow from, e.g. after a full download).
    pub since: Option<String>,
    /// Page size: default 50, at most 500 (clamped).
    pub limit: Option<i64>,
}

/// One change: the record's state after it, or a tombstone.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "unit", "id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e81", "action": "update", "deleted": false,
    "changed_at": "2026-11-29T12:00:00Z",
    "data": {"id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e81", "name": "Phường Hạ Long", "version": 2}
}))]
pub struct ChangeItem {
    /// The resource type (`unit`, `unit_lineage`, ...).
    #[serde(rename = "type")]
    pub type_: String,
    pub id: Uuid,
    /// `create`, `update`, `delete` or a workflow action.
    pub action: String,
    /// True for a deletion (a tombstone: `data` is null).
    pub deleted: bool,
    pub changed_at: DateTime<Utc>,
    /// The record as `GET` returns it, after the change.
    #[schema(value_type = Option<Object>)]
    pub data: Option<Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangesPage {
    /// Oldest first.
    pub data: Vec<ChangeItem>,
    /// Always present: store it and pass it as `since` next time.
    pub next_cursor: String,
    /// True when more changes are ready now (call again at once).
    pub has_more: bool,
}

#[derive(Debug, diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    txid: String,
    #[diesel(sql_type = BigInt)]
    seq: i64,
    #[diesel(sql_type = Text)]
    resource: String,
    #[diesel(sql_type = SqlUuid)]
    record_id: Uuid,
    #[diesel(sql_type = Text)]
    action: String,
    #[diesel(sql_type = Timestamptz)]
    at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    after: Option<Value>,
}

#[derive(Debug, diesel::QueryableByName)]
struct Head {
    #[diesel(sql_type = Text)]
    xmin: String,
}

/// Feed cursors are list cursors whose "sort" is the feed, value the txid, id the sequence.
const FEED: &str = "changes";

fn encode(txid: &str, seq: i64) -> String {
    Cursor {
        sort: FEED.into(),
        value: txid.into(),
        id: seq.to_string(),
    }
    .encode()
}

fn decode(raw: &str) -> ApiResult<(String, i64)> {
    let c = Cursor::decode_as(raw, "since")?;
    match (c.sort.as_str(), c.value.parse::<u64>(), c.id.parse::<i64>()) {
        (FEED, Ok(txid), Ok(seq)) => Ok((txid.to_string(), seq)),
        _ => Err(ApiError::field(
            "since",
            "invalid",
            "is not a cursor of the change feed",
            "không phải con trỏ của nguồn thay đổi",
        )),
    }
}

/// Changes to every record the caller may see, after a cursor, oldest first.
///
/// Keep calling with `next_cursor`: you never miss a change and never get one twice. A
/// deletion comes as a tombstone (`deleted: true`, `data: null`).
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
#[get("/changes")]
pub async fn list_changes(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<ChangesQuery>,
) -> ApiResult<web::Json<ChangesPage>> {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let mut conn = state.pool.get().await?;
    let (txid, seq) = match q.since.as_deref().map(str::trim) {
        None | Some("") => ("0".to_string(), 0),
        Some("now") => {
            let head: Head = diesel::sql_query("SELECT bd_feed_horizon()::text AS xmin")
                .get_result(&mut conn)
                .await?;
            return Ok(web::Json(ChangesPage {
                data: vec![],
                next_cursor: encode(&head.xmin, 0),
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
    let mut sql = String::from(
        // The output column `txid` is text; ORDER BY must name the table's xid8 column, or "10" sorts
        // before "9".
        "SELECT txid::text AS txid, seq, resource, record_id, action, at, after FROM audit_events \
         WHERE (txid, seq) > (CAST($1 AS xid8), $2) AND txid < bd_feed_horizon() AND (record_unit_path = '/'",
    );
    let mut binds: Vec<String> = Vec::new();
    for (i, _) in caller.scopes.iter().enumerate() {
        sql.push_str(&format!(" OR record_unit_path LIKE ${}", i + 3));
    }
    sql.push(')');
    binds.extend(caller.scopes.iter().map(|p| format!("{}%", escape_like(p))));
    let (types_op, types): (&str, &[&str]) = match caller.role {
        Role::Partner => ("= ANY", PARTNER_TYPES),
        Role::Admin => ("<> ALL", &[]),
        _ => ("<> ALL", ADMIN_TYPES),
    };
    sql.push_str(&format!(" AND resource {types_op}(${})", binds.len() + 3));
    sql.push_str(&format!(
        " ORDER BY audit_events.txid, audit_events.seq LIMIT {}",
        limit + 1
    ));
    let mut query = diesel::sql_query(sql)
        .into_boxed::<diesel::pg::Pg>()
        .bind::<Text, _>(txid.clone())
        .bind::<BigInt, _>(seq);
    for b in binds {
        query = query.bind::<Text, _>(b);
    }
    query = query.bind::<diesel::sql_types::Array<Text>, _>(types.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    let mut rows: Vec<Row> = query.load(&mut conn).await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = rows
        .last()
        .map(|r| encode(&r.txid, r.seq))
        .unwrap_or_else(|| encode(&txid, seq));
    let data = rows
        .into_iter()
        .map(|r| ChangeItem {
            deleted: r.action == "delete",
            type_: r.resource,
            id: r.record_id,
            action: r.action,
            changed_at: r.at,
            data: r.after,
        })
        .collect();
    Ok(web::Json(ChangesPage {
        data,
        next_cursor,
        has_more,
    }))
}
