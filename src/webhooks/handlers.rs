//! `/api/v1/webhook-endpoints`: admins manage a partner client's endpoints; the client reads
//! them and their deliveries, and may test, redeliver and replay.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use base64::Engine;
use chrono::Utc;
use uuid::Uuid;

use super::api::{
    DeliveriesQuery, Delivery, DisabledReason, EndpointsQuery, NewWebhookEndpoint, ReplayRequest, ReplayResult,
    RotateWebhookSecret, WebhookEndpoint, WebhookEndpointPatch, WebhookEndpointWithSecret,
};
use super::model::{EndpointChanges, EndpointRow, NewDelivery, NewEndpoint};
use super::{queries, worker};
use crate::auth::Caller;
use crate::db::Conn;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::idempotency::{self, IdempotencyKey};
use crate::http::list::{Cursor, Page, DEFAULT_LIMIT, MAX_LIMIT};
use crate::http::{etag_response, IfMatch, Json, ValidJson};
use crate::state::AppState;
use crate::write;

/// A new signing secret: the Standard Webhooks form, and what is stored (sealed).
fn new_secret(state: &AppState) -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    let secret = format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(bytes));
    let sealed = state.data_key.seal(secret.as_bytes());
    (secret, sealed)
}

/// The endpoint if the caller may read it: its own partner client, or an admin over the
/// client's owner unit (403 for others in that subtree); 404 for everyone else.
async fn readable(conn: &mut Conn, caller: &Caller, id: Uuid) -> ApiResult<EndpointRow> {
    let e = queries::find(conn, id).await?.ok_or(ApiError::NotFound)?;
    if caller.is_partner() {
        return match e.client_id == caller.id {
            true => Ok(e),
            false => Err(ApiError::NotFound),
        };
    }
    caller.require_visible(&e.owner_unit_path)?;
    caller.require_admin_over(&e.owner_unit_path)?;
    Ok(e)
}

/// The endpoint if the caller may change it: an admin over the client's owner unit (the
/// client itself reads only: 403).
async fn managed(conn: &mut Conn, caller: &Caller, id: Uuid) -> ApiResult<EndpointRow> {
    let e = readable(conn, caller, id).await?;
    caller.require_admin()?;
    Ok(e)
}

fn url_error(t: crate::error::Text) -> ApiError {
    ApiError::field("url", "invalid", t.en, t.vi)
}

fn event_types(types: &[super::api::EventType]) -> Vec<String> {
    let mut out: Vec<String> = types.iter().map(|t| t.as_str().to_string()).collect();
    out.sort();
    out.dedup();
    out
}

/// Register a webhook endpoint for a partner client (admins over the client's owner unit).
///
/// The endpoint receives, from now on, the events of the types it lists that the client may
/// read (its granted units; public outreach events only; `summary.changed` without figures),
/// signed as Standard Webhooks specifies with the secret in this response, which is shown only
/// here.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "create_webhook_endpoint",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first response (with `secret` null)")),
    request_body = NewWebhookEndpoint,
    responses(
        (status = 201, description = "Registered; store the secret now", body = WebhookEndpointWithSecret, headers(("ETag" = String, description = "The endpoint's version"))),
        (status = 403, description = "Not an admin over the client's owner unit", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: an unknown client, a URL that is not https or names a private address", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("")]
pub async fn create_webhook_endpoint(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    key: IdempotencyKey,
    body: Json<NewWebhookEndpoint>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let body = body.into_valid()?;
    let hash = idempotency::fingerprint(&req, &body);
    let url = worker::check_url(&body.url, &state.settings.webhooks).map_err(url_error)?;
    let mut conn = state.pool.get().await?;
    let client = match crate::clients::queries::find(&mut conn, body.client_id).await? {
        Some(c) if caller.sees(&c.owner_unit_path) => c,
        _ => {
            return Err(ApiError::field(
                "client_id",
                "unknown",
                "no such partner client in your scope",
                "không có ứng dụng đối tác này trong phạm vi của bạn",
            ))
        }
    };
    caller.require_admin_over(&client.owner_unit_path)?;
    let (secret, secret_sealed) = new_secret(&state);
    let enabled = body.enabled.unwrap_or(true);
    let now = Utc::now();
    let row = NewEndpoint {
        row: EndpointRow {
            id: Uuid::now_v7(),
            client_id: client.id,
            owner_unit_id: client.owner_unit_id,
            owner_unit_path: client.owner_unit_path,
            url: url.to_string(),
            description: body.description.as_deref().unwrap_or("").trim().to_string(),
            event_types: event_types(&body.event_types),
            enabled,
            disabled_reason: (!enabled).then(|| DisabledReason::Manual.as_str().to_string()),
            disabled_at: (!enabled).then_some(now),
            previous_secret_expires_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        },
        secret_sealed,
    };
    // What is stored for replays never holds the secret: a replay answers `null`.
    let mut stored = write::create_stored(&mut conn, &caller, &key, &hash, row, write::nothing()).await?;
    stored.body["secret"] = match stored.replayed {
        true => serde_json::Value::Null,
        false => serde_json::Value::String(secret),
    };
    Ok(stored.respond())
}

/// The webhook endpoints the caller may read: a partner client's own, or those of the clients
/// an admin manages, oldest first.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhook_endpoints",
    params(EndpointsQuery),
    responses(
        (status = 200, description = "The endpoints (one page holds them all)", body = Page<WebhookEndpoint>),
        (status = 403, description = "Neither an admin nor a partner client", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("")]
pub async fn list_webhook_endpoints(
    state: web::Data<AppState>,
    caller: Caller,
    q: crate::http::Query<EndpointsQuery>,
) -> ApiResult<web::Json<Page<WebhookEndpoint>>> {
    let mut conn = state.pool.get().await?;
    let rows = if caller.is_partner() {
        match q.client_id {
            Some(c) if c != caller.id => Vec::new(),
            _ => queries::list(&mut conn, Some(caller.id), None).await?,
        }
    } else {
        caller.require_admin()?;
        queries::list(&mut conn, q.client_id, Some(&caller.scopes)).await?
    };
    Ok(web::Json(Page {
        data: rows.into_iter().map(WebhookEndpoint::from).collect(),
        next_cursor: None,
    }))
}

/// One webhook endpoint.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "get_webhook_endpoint",
    params(("id" = Uuid, Path, description = "Endpoint id")),
    responses(
        (status = 200, description = "The endpoint", body = WebhookEndpoint, headers(("ETag" = String, description = "The endpoint's version"))),
        (status = 403, description = "Not an admin over the client's owner unit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}")]
pub async fn get_webhook_endpoint(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let e = readable(&mut conn, &caller, *id).await?;
    Ok(etag_response(StatusCode::OK, e.version, &WebhookEndpoint::from(e)))
}

/// Change an endpoint: its URL, event types, description; disable it, or enable it again
/// (whatever disabled it: an admin, a `410`, or retries that ran out).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "update_webhook_endpoint",
    params(
        ("id" = Uuid, Path, description = "Endpoint id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    request_body = WebhookEndpointPatch,
    responses(
        (status = 200, description = "Updated", body = WebhookEndpoint, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed JSON or If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin over the client's owner unit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The endpoint changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/{id}")]
pub async fn update_webhook_endpoint(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<WebhookEndpointPatch>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let url = match &body.url {
        Some(u) => Some(
            worker::check_url(u, &state.settings.webhooks)
                .map_err(url_error)?
                .to_string(),
        ),
        None => None,
    };
    let mut conn = state.pool.get().await?;
    let current = managed(&mut conn, &caller, *id).await?;
    let mut changes = EndpointChanges {
        url,
        description: body.description.map(|d| d.trim().to_string()),
        event_types: body.event_types.as_deref().map(event_types),
        ..Default::default()
    };
    match body.enabled {
        Some(true) if !current.enabled => {
            changes.enabled = Some(true);
            changes.disabled_reason = Some(None);
            changes.disabled_at = Some(None);
        }
        Some(false) if current.enabled => {
            changes.enabled = Some(false);
            changes.disabled_reason = Some(Some(DisabledReason::Manual.as_str().into()));
            changes.disabled_at = Some(Some(Utc::now()));
        }
        _ => {}
    }
    Ok(change(&mut conn, &caller, current, &if_match, changes, "update")
        .await?
        .respond())
}

async fn change(
    conn: &mut Conn,
    caller: &Caller,
    current: EndpointRow,
    if_match: &IfMatch,
    changes: EndpointChanges,
    action: &str,
) -> ApiResult<write::Saved<WebhookEndpoint>> {
    let (id, version) = (current.id, current.version);
    let apply =
        write::apply(move |conn| Box::pin(async move { Ok(queries::update(conn, id, version, &changes).await?) }));
    write::update(conn, caller, current, if_match, action, apply).await
}

/// Delete an endpoint (soft; needs `If-Match`): nothing more is sent to it.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "delete_webhook_endpoint",
    params(
        ("id" = Uuid, Path, description = "Endpoint id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not an admin over the client's owner unit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The endpoint changed since it was read", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[delete("/{id}")]
pub async fn delete_webhook_endpoint(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let current = managed(&mut conn, &caller, *id).await?;
    write::delete(&mut conn, &caller, current, &if_match).await
}

/// Issue a new signing secret, shown only in this response. For `overlap_hours` (default 24)
/// every event is signed with both the new and the old secret (two `v1,` signatures), so the
/// receiver can switch without losing an event.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "rotate_webhook_secret",
    params(
        ("id" = Uuid, Path, description = "Endpoint id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    request_body = RotateWebhookSecret,
    responses(
        (status = 200, description = "The endpoint and its new secret", body = WebhookEndpointWithSecret, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not an admin over the client's owner unit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The endpoint changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid overlap", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/{id}/secret")]
pub async fn rotate_webhook_secret(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<RotateWebhookSecret>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let current = managed(&mut conn, &caller, *id).await?;
    let hours = body.overlap_hours.unwrap_or(24);
    let old = queries::sealed_secret(&mut conn, current.id).await?;
    let (secret, secret_sealed) = new_secret(&state);
    let changes = EndpointChanges {
        secret_sealed: Some(secret_sealed),
        previous_secret_sealed: Some((hours > 0).then_some(old)),
        previous_secret_expires_at: Some((hours > 0).then(|| Utc::now() + chrono::Duration::hours(hours))),
        ..Default::default()
    };
    let saved = change(&mut conn, &caller, current, &if_match, changes, "rotate_secret").await?;
    Ok(etag_response(
        StatusCode::OK,
        saved.version,
        &WebhookEndpointWithSecret {
            endpoint: saved.value,
            secret: Some(secret),
        },
    ))
}

/// Send a test event (`webhook.test`) now, whatever the endpoint subscribes to and even while
/// it is disabled: one attempt, and its delivery tells how the target answered.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "send_webhook_test",
    params(
        ("id" = Uuid, Path, description = "Endpoint id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key queues one test"),
    ),
    responses(
        (status = 202, description = "Queued: follow it in the deliveries", body = Delivery),
        (status = 403, description = "Not an admin over the client's owner unit (nor the client)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/{id}/test")]
pub async fn send_webhook_test(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    key: IdempotencyKey,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let e = readable(&mut conn, &caller, *id).await?;
    let hash = idempotency::fingerprint(&req, &());
    let now = Utc::now();
    let test = NewDelivery {
        id: Uuid::now_v7(),
        endpoint_id: e.id,
        message_id: worker::message_id(&format!("test:{}", Uuid::new_v4())),
        event_type: worker::TEST_EVENT.into(),
        payload: worker::body(
            worker::TEST_EVENT,
            now,
            serde_json::json!({"endpoint_id": e.id, "client_id": e.client_id, "message": "A test event from binhdang"}),
        ),
        feed_txid: None,
        feed_seq: None,
    };
    write::once(&mut conn, &caller, (&key, &hash), StatusCode::ACCEPTED, move |conn| {
        Box::pin(async move {
            let mut rows = queries::enqueue(conn, &[test]).await?;
            Ok(Delivery::from(rows.remove(0)))
        })
    })
    .await
}

/// The endpoint's deliveries, newest first: status, attempts, the last answer's code and latency.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhook_deliveries",
    params(("id" = Uuid, Path, description = "Endpoint id"), DeliveriesQuery),
    responses(
        (status = 200, description = "A page of deliveries (kept 30 days once finished)", body = Page<Delivery>),
        (status = 403, description = "Not an admin over the client's owner unit (nor the client)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A cursor this list did not give out", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    q: crate::http::Query<DeliveriesQuery>,
) -> ApiResult<web::Json<Page<Delivery>>> {
    const SORT: &str = "deliveries";
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let after = match q.cursor.as_deref() {
        None => None,
        Some(raw) => {
            let c = Cursor::decode_as(raw, "cursor")?;
            match (
                c.sort.as_str(),
                chrono::DateTime::parse_from_rfc3339(&c.value),
                c.id.parse::<Uuid>(),
            ) {
                (SORT, Ok(at), Ok(id)) => Some((at.with_timezone(&Utc), id)),
                _ => {
                    return Err(ApiError::field(
                        "cursor",
                        "invalid",
                        "is not a cursor this list gave out",
                        "không phải con trỏ do danh sách này trả về",
                    ))
                }
            }
        }
    };
    let mut conn = state.pool.get().await?;
    let e = readable(&mut conn, &caller, *id).await?;
    let mut rows = queries::deliveries(&mut conn, e.id, q.status.map(|s| s.as_str()), after, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = rows.last().filter(|_| more).map(|r| {
        Cursor {
            sort: SORT.into(),
            value: crate::http::list::ts_key(&r.created_at),
            id: r.id.to_string(),
        }
        .encode()
    });
    Ok(web::Json(Page {
        data: rows.into_iter().map(Delivery::from).collect(),
        next_cursor,
    }))
}

/// Send one delivery's event again, now (a new delivery with the same `webhook-id` and body).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "redeliver_webhook",
    params(
        ("id" = Uuid, Path, description = "Endpoint id"),
        ("delivery_id" = Uuid, Path, description = "Delivery id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key queues one redelivery"),
    ),
    responses(
        (status = 202, description = "Queued", body = Delivery),
        (status = 403, description = "Not an admin over the client's owner unit (nor the client)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint or delivery visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    key: IdempotencyKey,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (id, delivery_id) = path.into_inner();
    let mut conn = state.pool.get().await?;
    let e = readable(&mut conn, &caller, id).await?;
    let d = queries::find_delivery(&mut conn, e.id, delivery_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let hash = idempotency::fingerprint(&req, &());
    write::once(&mut conn, &caller, (&key, &hash), StatusCode::ACCEPTED, move |conn| {
        Box::pin(async move { Ok(Delivery::from(queries::redeliver(conn, &d).await?)) })
    })
    .await
}

/// Send again every event of this endpoint after a change-feed cursor, oldest first, each with
/// its `webhook-id` (at most 1,000 a call; events older than 30 days are gone: read the change
/// feed for those).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "replay_webhooks",
    params(
        ("id" = Uuid, Path, description = "Endpoint id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays once"),
    ),
    request_body = ReplayRequest,
    responses(
        (status = 202, description = "Queued", body = ReplayResult),
        (status = 403, description = "Not an admin over the client's owner unit (nor the client)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a cursor of the change feed", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/{id}/replay")]
pub async fn replay_webhooks(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    key: IdempotencyKey,
    id: web::Path<Uuid>,
    body: Json<ReplayRequest>,
) -> ApiResult<HttpResponse> {
    const LIMIT: i64 = 1000;
    let body = body.into_valid()?;
    let since = match body.since.trim() {
        "now" => None,
        raw => {
            let (txid, seq) = crate::changes::api::decode_cursor(raw, "since")?;
            Some((txid.parse::<i64>().unwrap_or(i64::MAX), seq))
        }
    };
    let mut conn = state.pool.get().await?;
    let e = readable(&mut conn, &caller, *id).await?;
    let hash = idempotency::fingerprint(&req, &body);
    write::once(&mut conn, &caller, (&key, &hash), StatusCode::ACCEPTED, move |conn| {
        Box::pin(async move {
            let (queued, has_more) = match since {
                Some(from) => queries::replay(conn, e.id, from, LIMIT).await?,
                None => (0, false),
            };
            Ok(ReplayResult { queued, has_more })
        })
    })
    .await
}
