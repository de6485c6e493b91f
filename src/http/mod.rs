//! The shared API conventions, in one place: JSON bodies with validation, lists (keyset
//! pagination, sorting, filters, diacritic-insensitive search), and versions (ETag/If-Match).
//! Every resource uses these; none re-implements them.

pub mod caller;
pub mod date;
pub mod export;
pub mod idempotency;
pub mod json;
pub mod json_body;
pub mod json_row;
pub mod list;
pub mod query;
pub mod upload;
pub mod version;

pub use idempotency::IdempotencyKey;
pub use json::Json;
pub use json_body::JsonBody;
pub use list::{Cursor, ListSql, Page, PageQuery, Sort, SortField};
pub use query::Query;
pub use version::{etag_response, IfMatch};

use crate::error::ApiResult;

/// Validation at the edge: `body.into_valid()?` runs the `validator` rules of a JSON body and
/// turns failures into a 422 problem with one entry per field.
pub trait ValidJson<T> {
    fn into_valid(self) -> ApiResult<T>;
}

impl<T: validator::Validate> ValidJson<T> for Json<T> {
    fn into_valid(self) -> ApiResult<T> {
        let value = self.into_inner();
        value.validate()?;
        Ok(value)
    }
}

/// For PATCH bodies: tells "absent" (`None`) from "set to null" (`Some(None)`).
/// Use with `#[serde(default, deserialize_with = "crate::http::double_option")]`.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    serde::Deserialize::deserialize(de).map(Some)
}

/// The client's address: the peer's, or, when the peer is one of `trusted` proxies, the
/// right-most address of `X-Forwarded-For` that is not itself a trusted proxy (a client cannot
/// forge what its own proxy appends).
pub fn client_addr(req: &actix_web::HttpRequest, trusted: &[std::net::IpAddr]) -> String {
    let peer = req.peer_addr().map(|a| a.ip());
    let Some(peer) = peer else { return String::new() };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    let forwarded: Vec<std::net::IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|a| !trusted.contains(a))
        .copied()
        .unwrap_or(peer)
        .to_string()
}

/// How long a request body may stall (`BODY_TIMEOUT_SECONDS`, default 30): reading a JSON body
/// takes at most this long, and so does each chunk of an upload; then 408.
#[derive(Clone, Copy, Debug)]
pub struct BodyTimeout(pub std::time::Duration);

/// `f` (a read of the body) within the application's [`BodyTimeout`], or 408.
pub async fn within_body_timeout<F: std::future::Future>(req: &actix_web::HttpRequest, f: F) -> ApiResult<F::Output> {
    let limit = req
        .app_data::<BodyTimeout>()
        .map_or(std::time::Duration::from_secs(30), |t| t.0);
    within(limit, f).await
}

/// `f` within `limit`, or 408 (a body that stopped arriving).
pub async fn within<F: std::future::Future>(limit: std::time::Duration, f: F) -> ApiResult<F::Output> {
    tokio::time::timeout(limit, f)
        .await
        .map_err(|_| crate::error::ApiError::RequestTimeout)
}

/// A whole small body (a form or JSON, at most `MAX_BODY_BYTES`), read within the
/// [`BodyTimeout`]: 413 past the limit, 408 when it stalls.
pub async fn read_body(
    req: &actix_web::HttpRequest,
    mut payload: actix_web::web::Payload,
) -> ApiResult<actix_web::web::Bytes> {
    use futures_util::StreamExt;
    let limit = req.app_data::<json::JsonLimit>().map_or(1 << 20, |l| l.0);
    let read = async {
        let mut body = actix_web::web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|_| {
                crate::error::ApiError::bad_request("The body could not be read", "Không đọc được nội dung yêu cầu")
            })?;
            if body.len() + chunk.len() > limit {
                return Err(crate::error::ApiError::PayloadTooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    };
    within_body_timeout(req, read).await?
}

/// Middleware: every answer under `/api/` carries `Cache-Control: no-store` (tokens, people's
/// data and attachments must not sit in a shared cache or a browser's history).
pub async fn no_store(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    use actix_web::http::header::{HeaderValue, CACHE_CONTROL};
    let api = req.path().starts_with("/api/");
    let mut res = next.call(req).await?;
    if api {
        res.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}
