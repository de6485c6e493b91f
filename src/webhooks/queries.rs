//! Endpoints and deliveries in PostgreSQL; the fan-out from the outbox (`audit_events`) and
//! the worker's claims.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bytea, Integer, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{DeliveryRow, EndpointChanges, EndpointRow, NewDelivery, NewEndpoint};
use crate::db::schema::{webhook_deliveries, webhook_endpoints};
use crate::db::Conn;
use crate::write::NewRecord;

pub async fn find(conn: &mut impl crate::db::Reader, id: Uuid) -> QueryResult<Option<EndpointRow>> {
    crate::find_live!(conn, webhook_endpoints, id, EndpointRow)
}

/// The live endpoints of client `client`, or (`None`) of every client owned under one of
/// `owner_prefixes`, oldest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    client: Option<Uuid>,
    owner_prefixes: Option<&[String]>,
) -> QueryResult<Vec<EndpointRow>> {
    let mut q = webhook_endpoints::table
        .filter(webhook_endpoints::deleted_at.is_null())
        .into_boxed();
    if let Some(c) = client {
        q = q.filter(webhook_endpoints::client_id.eq(c));
    }
    if let Some(prefixes) = owner_prefixes {
        let mut any: Box<
            dyn BoxableExpression<webhook_endpoints::table, diesel::pg::Pg, SqlType = diesel::sql_types::Bool>,
        > = Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>("false"));
        for p in prefixes {
            any = Box::new(
                any.or(webhook_endpoints::owner_unit_path.like(format!("{}%", crate::http::list::escape_like(p)))),
            );
        }
        q = q.filter(any);
    }
    q.order((webhook_endpoints::created_at, webhook_endpoints::id))
        .select(EndpointRow::as_select())
        .load(conn)
        .await
}

/// Inserts the endpoint at the change feed's present: it receives the changes after its creation.
async fn insert(conn: &mut AsyncPgConnection, e: &NewEndpoint) -> QueryResult<Option<EndpointRow>> {
    let r = &e.row;
    diesel::insert_into(webhook_endpoints::table)
        .values((
            webhook_endpoints::id.eq(r.id),
            webhook_endpoints::client_id.eq(r.client_id),
            webhook_endpoints::owner_unit_id.eq(r.owner_unit_id),
            webhook_endpoints::owner_unit_path.eq(&r.owner_unit_path),
            webhook_endpoints::url.eq(&r.url),
            webhook_endpoints::description.eq(&r.description),
            webhook_endpoints::event_types.eq(&r.event_types),
            webhook_endpoints::enabled.eq(r.enabled),
            webhook_endpoints::disabled_reason.eq(&r.disabled_reason),
            webhook_endpoints::disabled_at.eq(r.disabled_at),
            webhook_endpoints::secret_sealed.eq(&e.secret_sealed),
            webhook_endpoints::feed_txid.eq(diesel::dsl::sql::<BigInt>("bd_feed_horizon()::text::bigint")),
        ))
        .on_conflict(webhook_endpoints::id)
        .do_nothing()
        .returning(EndpointRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// Applies the changes at `expected_version`; `None` when the version moved on.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    expected_version: i64,
    changes: &EndpointChanges,
) -> QueryResult<Option<EndpointRow>> {
    crate::versioned_update!(conn, webhook_endpoints, id, expected_version, changes, EndpointRow)
}

crate::record!(
    EndpointRow,
    super::api::WebhookEndpoint,
    "webhook_endpoint",
    webhook_endpoints,
    find,
    unit = (owner_unit_id, owner_unit_path)
);

impl NewRecord for NewEndpoint {
    type Row = EndpointRow;

    fn id(&self) -> Uuid {
        self.row.id
    }
    async fn insert(&self, conn: &mut Conn) -> QueryResult<Option<EndpointRow>> {
        insert(conn, self).await
    }
}

/// A page of an endpoint's deliveries, newest first, after `(created_at, id)`.
pub async fn deliveries(
    conn: &mut AsyncPgConnection,
    endpoint: Uuid,
    status: Option<&str>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<DeliveryRow>> {
    let mut q = webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(endpoint))
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(webhook_deliveries::status.eq(s.to_string()));
    }
    if let Some((at, id)) = after {
        q = q.filter(
            webhook_deliveries::created_at
                .lt(at)
                .or(webhook_deliveries::created_at.eq(at).and(webhook_deliveries::id.lt(id))),
        );
    }
    q.order((webhook_deliveries::created_at.desc(), webhook_deliveries::id.desc()))
        .limit(limit)
        .select(DeliveryRow::as_select())
        .load(conn)
        .await
}

pub async fn find_delivery(conn: &mut AsyncPgConnection, endpoint: Uuid, id: Uuid) -> QueryResult<Option<DeliveryRow>> {
    webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq(endpoint))
        .filter(webhook_deliveries::id.eq(id))
        .select(DeliveryRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Queues messages (a test event, a fan-out's events).
pub async fn enqueue(conn: &mut AsyncPgConnection, rows: &[NewDelivery]) -> QueryResult<Vec<DeliveryRow>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    diesel::insert_into(webhook_deliveries::table)
        .values(rows)
        .returning(DeliveryRow::as_returning())
        .get_results(conn)
        .await
}

/// Queues `d`'s message again, as a new delivery with the same `webhook-id` and body.
pub async fn redeliver(conn: &mut AsyncPgConnection, d: &DeliveryRow) -> QueryResult<DeliveryRow> {
    let again = NewDelivery {
        id: Uuid::now_v7(),
        endpoint_id: d.endpoint_id,
        message_id: d.message_id.clone(),
        event_type: d.event_type.clone(),
        payload: d.payload.clone(),
        feed_txid: d.feed_txid,
        feed_seq: d.feed_seq,
    };
    Ok(enqueue(conn, &[again]).await?.remove(0))
}

#[derive(QueryableByName)]
struct Replayed {
    #[diesel(sql_type = BigInt)]
    queued: i64,
    #[diesel(sql_type = BigInt)]
    seen: i64,
}

/// Queues again, oldest first, each event of the endpoint after feed position `(txid, seq)`
/// (once per message, however often it was sent), at most `limit`; the count and whether
/// more followed.
pub async fn replay(
    conn: &mut AsyncPgConnection,
    endpoint: Uuid,
    (txid, seq): (i64, i64),
    limit: i64,
) -> QueryResult<(i64, bool)> {
    let c: Replayed = diesel::sql_query(
        "WITH events AS ( \
            SELECT DISTINCT ON (feed_txid, feed_seq, message_id) message_id, event_type, payload, feed_txid, feed_seq \
            FROM webhook_deliveries \
            WHERE endpoint_id = $1 AND feed_txid IS NOT NULL AND (feed_txid, feed_seq) > ($2, $3) \
            ORDER BY feed_txid, feed_seq, message_id, created_at LIMIT $4 + 1), \
         queued AS ( \
            INSERT INTO webhook_deliveries (id, endpoint_id, message_id, event_type, payload, feed_txid, feed_seq) \
            SELECT gen_random_uuid(), $1, message_id, event_type, payload, feed_txid, feed_seq \
            FROM (SELECT * FROM events ORDER BY feed_txid, feed_seq, message_id LIMIT $4) e RETURNING 1) \
         SELECT (SELECT count(*) FROM queued) AS queued, (SELECT count(*) FROM events) AS seen",
    )
    .bind::<SqlUuid, _>(endpoint)
    .bind::<BigInt, _>(txid)
    .bind::<BigInt, _>(seq)
    .bind::<BigInt, _>(limit)
    .get_result(conn)
    .await?;
    Ok((c.queued, c.seen > limit))
}

/// An enabled endpoint locked for its fan-out.
#[derive(QueryableByName)]
pub struct FanOutTarget {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub client_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Array<Text>)]
    pub event_types: Vec<String>,
    #[diesel(sql_type = BigInt)]
    pub feed_txid: i64,
    #[diesel(sql_type = BigInt)]
    pub feed_seq: i64,
}

/// Up to `limit` enabled endpoints of active clients, locked (`FOR UPDATE SKIP LOCKED`: another
/// instance fanning out at the same time takes other endpoints) until the transaction ends.
pub async fn lock_for_fan_out(conn: &mut AsyncPgConnection, limit: i64) -> QueryResult<Vec<FanOutTarget>> {
    diesel::sql_query(
        "SELECT e.id, e.client_id, e.event_types, e.feed_txid, e.feed_seq \
         FROM webhook_endpoints e JOIN api_clients c ON c.id = e.client_id \
         WHERE e.enabled AND e.deleted_at IS NULL AND c.active \
         ORDER BY e.id LIMIT $1 FOR UPDATE OF e SKIP LOCKED",
    )
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

/// Moves an endpoint's fan-out position on.
pub async fn advance(conn: &mut AsyncPgConnection, endpoint: Uuid, (txid, seq): (i64, i64)) -> QueryResult<()> {
    diesel::update(webhook_endpoints::table.find(endpoint))
        .set((
            webhook_endpoints::feed_txid.eq(txid),
            webhook_endpoints::feed_seq.eq(seq),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// One attempt the worker has claimed: the message and where and how to send it.
#[derive(Debug, QueryableByName)]
pub struct Claimed {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub endpoint_id: Uuid,
    #[diesel(sql_type = Text)]
    pub message_id: String,
    #[diesel(sql_type = Text)]
    pub event_type: String,
    #[diesel(sql_type = Text)]
    pub payload: String,
    /// This attempt's number (1 for the first).
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Text)]
    pub url: String,
    #[diesel(sql_type = Bytea)]
    pub secret_sealed: Vec<u8>,
    #[diesel(sql_type = Nullable<Bytea>)]
    pub previous_secret_sealed: Option<Vec<u8>>,
}

/// Claims up to `limit` due attempts (of enabled endpoints of active clients: a disabled client
/// is sent nothing; a test event whatever the endpoint's state), each leased for `lease_seconds`: its `next_attempt_at` moves past the lease, so no
/// other worker takes it unless this one dies. `FOR UPDATE SKIP LOCKED`: concurrent workers claim
/// different rows.
pub async fn claim(conn: &mut AsyncPgConnection, limit: i64, lease_seconds: f64) -> QueryResult<Vec<Claimed>> {
    diesel::sql_query(
        "WITH due AS ( \
            SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id \
              JOIN api_clients c ON c.id = e.client_id AND c.active \
            WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND e.deleted_at IS NULL \
              AND (e.enabled OR d.event_type = 'webhook.test') \
            ORDER BY d.next_attempt_at, d.feed_txid, d.feed_seq LIMIT $1 FOR UPDATE OF d SKIP LOCKED) \
         UPDATE webhook_deliveries d \
         SET next_attempt_at = now() + make_interval(secs => $2), attempts = d.attempts + 1, last_attempt_at = now() \
         FROM due, webhook_endpoints e WHERE d.id = due.id AND e.id = d.endpoint_id \
         RETURNING d.id, d.endpoint_id, d.message_id, d.event_type, d.payload, d.attempts, e.url, e.secret_sealed, \
            CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret_sealed END AS previous_secret_sealed",
    )
    .bind::<BigInt, _>(limit)
    .bind::<diesel::sql_types::Double, _>(lease_seconds)
    .load(conn)
    .await
}

/// What an attempt came to.
pub struct Outcome<'a> {
    /// `delivered`, `pending` (a retry after `retry_in`) or `failed`.
    pub status: &'a str,
    pub retry_in: Option<std::time::Duration>,
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    pub error: Option<String>,
}

/// Records attempt number `attempt` of delivery `id`; false when a later claim of it owns the row
/// (this attempt outlived its lease).
pub async fn record_attempt(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    attempt: i32,
    o: &Outcome<'_>,
) -> QueryResult<bool> {
    let n = diesel::sql_query(
        "UPDATE webhook_deliveries SET status = $3, \
            next_attempt_at = now() + make_interval(secs => $4), \
            delivered_at = CASE WHEN $3 = 'delivered' THEN now() END, \
            last_status_code = $5, last_latency_ms = $6, last_error = $7 \
         WHERE id = $1 AND attempts = $2 AND status = 'pending'",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Integer, _>(attempt)
    .bind::<Text, _>(o.status)
    .bind::<diesel::sql_types::Double, _>(o.retry_in.map_or(0.0, |d| d.as_secs_f64()))
    .bind::<Nullable<Integer>, _>(o.status_code)
    .bind::<Integer, _>(o.latency_ms)
    .bind::<Nullable<Text>, _>(o.error.as_deref())
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// Drops finished deliveries older than `days`.
pub async fn purge(conn: &mut AsyncPgConnection, days: i32) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < now() - make_interval(days => $1)",
    )
    .bind::<Integer, _>(days)
    .execute(conn)
    .await
}

/// The sealed secrets not sealed under the current key, for `binhdang reseal`.
pub async fn reseal_secrets(
    conn: &mut AsyncPgConnection,
    key: &crate::auth::second_factor::DataKey,
) -> anyhow::Result<usize> {
    let rows: Vec<(Uuid, Vec<u8>, Option<Vec<u8>>)> = webhook_endpoints::table
        .select((
            webhook_endpoints::id,
            webhook_endpoints::secret_sealed,
            webhook_endpoints::previous_secret_sealed,
        ))
        .load(conn)
        .await?;
    let open = |id: Uuid, s: &[u8]| {
        key.unseal(s)
            .ok_or_else(|| anyhow::anyhow!("the secret of webhook endpoint {id} opens with neither key"))
    };
    for (id, secret, previous) in &rows {
        let secret = key.seal(&open(*id, secret)?);
        let previous = match previous {
            Some(p) => Some(key.seal(&open(*id, p)?)),
            None => None,
        };
        diesel::update(webhook_endpoints::table.find(id))
            .set((
                webhook_endpoints::secret_sealed.eq(secret),
                webhook_endpoints::previous_secret_sealed.eq(previous),
            ))
            .execute(conn)
            .await?;
    }
    Ok(rows.len())
}

/// The endpoint's current sealed secret (kept as the previous one during a rotation's overlap).
pub async fn sealed_secret(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Vec<u8>> {
    webhook_endpoints::table
        .find(id)
        .select(webhook_endpoints::secret_sealed)
        .first(conn)
        .await
}
