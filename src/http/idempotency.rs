//! Safe retries of `POST`: with an `Idempotency-Key` header, the first request's response
//! (status and body) is stored in the same transaction as the record it created, and a retry
//! with the same key and the same request replays it; the same key with another request is 422.
//! Two identical requests racing each other: the second waits on the key's row until the first
//! commits, then replays it, so exactly one record is created. Keys are kept at least 24 hours.

use std::future::{ready, Ready};

use actix_web::http::StatusCode;
use actix_web::{dev::Payload, FromRequest, HttpRequest, HttpResponse};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::db::schema::idempotency_keys;
use crate::error::{ApiError, ApiResult};
use crate::http::JsonBody;

pub const HEADER: &str = "idempotency-key";
/// Keys older than this are purged; the contract promises at least 24 hours.
pub const RETENTION_HOURS: i64 = 48;

/// The `Idempotency-Key` header, when the request sent one.
#[derive(Clone, Debug)]
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let result = match req.headers().get(HEADER) {
            None => Ok(IdempotencyKey(None)),
            Some(v) => match v.to_str() {
                Ok(k) if !k.trim().is_empty() && k.len() <= 255 => Ok(IdempotencyKey(Some(k.trim().to_string()))),
                _ => Err(ApiError::bad_request(
                    "Idempotency-Key must be 1 to 255 visible ASCII characters",
                    "Idempotency-Key phải gồm 1 đến 255 ký tự ASCII hiển thị được",
                )),
            },
        };
        ready(result)
    }
}

/// A response to store and replay: status, body, and the version for `ETag`.
pub struct Stored {
    pub status: StatusCode,
    pub body: Value,
    pub replayed: bool,
}

impl Stored {
    pub fn new<T: Serialize>(status: StatusCode, body: &T) -> Self {
        Self {
            status,
            body: serde_json::to_value(body).unwrap_or(Value::Null),
            replayed: false,
        }
    }

    /// What the store keeps of a survivor's case's answer: its ids and version only (a replay
    /// reads the case again, through its logged read).
    pub fn ids_only(&self) -> Self {
        let mut out = serde_json::Map::new();
        for k in ["id", "version", "case_id"] {
            if let Some(x) = self.body.get(k) {
                out.insert(k.into(), x.clone());
            }
        }
        Self {
            status: self.status,
            body: Value::Object(out),
            replayed: false,
        }
    }

    /// The HTTP response: JSON body, `ETag` from the body's `version` when it has one, and
    /// `Idempotent-Replayed: true` on a replay.
    pub fn respond(self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        if let Some(v) = self.body.get("version").and_then(Value::as_i64) {
            res.insert_header(("etag", format!("\"{v}\"")));
        }
        if self.replayed {
            res.insert_header(("idempotent-replayed", "true"));
        }
        res.json_body(&self.body)
    }
}

/// A fingerprint of the request: method, path and the parsed body.
pub fn fingerprint<T: Serialize>(req: &HttpRequest, body: &T) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(req.method().as_str().as_bytes());
    h.update(b" ");
    h.update(req.path().as_bytes());
    h.update(b"\n");
    h.update(serde_json::to_vec(body).unwrap_or_default());
    h.finalize().to_vec()
}

/// Claims the key inside the caller's transaction. `Some(stored)` when the request was already
/// answered (replay it); `None` when this request is the first (do the work, then [`save`]).
/// A concurrent first request holding the same key makes this wait until it commits.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    key: &IdempotencyKey,
    hash: &[u8],
) -> ApiResult<Option<Stored>> {
    let Some(k) = &key.0 else { return Ok(None) };
    let claimed = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::principal_id.eq(caller.id),
            idempotency_keys::key.eq(k),
            idempotency_keys::request_hash.eq(hash),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    if claimed == 1 {
        return Ok(None);
    }
    let (stored_hash, status, body): (Vec<u8>, Option<i16>, Option<Value>) = idempotency_keys::table
        .find((caller.id, k))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::status,
            idempotency_keys::response,
        ))
        .first(conn)
        .await?;
    if stored_hash != hash {
        return Err(ApiError::field(
            "Idempotency-Key",
            "reused",
            "this key was already used for a different request",
            "khóa này đã được dùng cho một yêu cầu khác",
        ));
    }
    let status = status
        .and_then(|s| StatusCode::from_u16(s as u16).ok())
        .unwrap_or(StatusCode::OK);
    Ok(Some(Stored {
        status,
        body: body.unwrap_or(Value::Null),
        replayed: true,
    }))
}

/// Stores the response of a request that [`claim`]ed its key, in the same transaction.
pub async fn save(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    key: &IdempotencyKey,
    stored: &Stored,
) -> ApiResult<()> {
    let Some(k) = &key.0 else { return Ok(()) };
    diesel::update(idempotency_keys::table.find((caller.id, k)))
        .set((
            idempotency_keys::status.eq(stored.status.as_u16() as i16),
            idempotency_keys::response.eq(&stored.body),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes keys past their retention.
pub async fn purge_expired(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    let cutoff = chrono::Utc::now() - chrono::Duration::hours(RETENTION_HOURS);
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(cutoff)))
        .execute(conn)
        .await
}

/// The answer to a client-chosen id that another record already has.
pub fn id_taken() -> ApiError {
    ApiError::conflict(
        "id: a different record already has this id",
        "id: đã có bản ghi khác dùng id này",
    )
}
