//! The shared API conventions, in one place: JSON bodies with validation, lists (keyset
//! pagination, sorting, filters, diacritic-insensitive search), and versions (ETag/If-Match).
//! Every resource uses these; none re-implements them.

pub mod caller;
pub mod date;
pub mod export;
pub mod idempotency;
pub mod json;
pub mod list;
pub mod query;
pub mod version;

pub use idempotency::IdempotencyKey;
pub use json::Json;
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
