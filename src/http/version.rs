//! Optimistic concurrency: every record has a `version` that grows on each change. `GET` one
//! returns it as `ETag: "<version>"`; `PATCH`/`PUT`/`DELETE` need `If-Match` (428 without it),
//! and a stale one gets 412 with the current record.

use std::future::{ready, Ready};

use actix_web::http::header;
use actix_web::{dev::Payload, FromRequest, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::error::ApiError;
use crate::http::JsonBody;

/// The `If-Match` precondition of a write: `Some(version)`, or `None` for `*` (any version).
#[derive(Clone, Copy, Debug)]
pub struct IfMatch(pub Option<i64>);

impl IfMatch {
    /// `*`: any version (a workflow action, which its own rules guard).
    pub const ANY: IfMatch = IfMatch(None);

    /// True when a record at `version` satisfies the precondition.
    pub fn matches(&self, version: i64) -> bool {
        self.0.is_none_or(|v| v == version)
    }
}

pub fn parse_if_match(value: &str) -> Option<IfMatch> {
    let value = value.trim();
    if value == "*" {
        return Some(IfMatch(None));
    }
    let tag = value.strip_prefix("W/").unwrap_or(value);
    let tag = tag.strip_prefix('"')?.strip_suffix('"')?;
    tag.parse::<i64>().ok().map(|v| IfMatch(Some(v)))
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let result = match req.headers().get(header::IF_MATCH) {
            None => Err(ApiError::PreconditionRequired),
            Some(v) => v.to_str().ok().and_then(parse_if_match).ok_or_else(|| {
                ApiError::bad_request(
                    "If-Match must be an ETag such as \"3\" (with the quotes) or *",
                    "If-Match phải là một ETag như \"3\" (kèm dấu nháy) hoặc *",
                )
            }),
        };
        ready(result)
    }
}

/// A 200 (or `status`) JSON response carrying `ETag: "<version>"`.
pub fn etag_response<T: Serialize>(status: actix_web::http::StatusCode, version: i64, body: &T) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, format!("\"{version}\"")))
        .json_body(&body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_strong_weak_and_star_etags() {
        assert_eq!(parse_if_match("\"3\"").map(|m| m.0), Some(Some(3)));
        assert_eq!(parse_if_match("W/\"12\"").map(|m| m.0), Some(Some(12)));
        assert_eq!(parse_if_match(" * ").map(|m| m.0), Some(None));
        assert!(parse_if_match("3").is_none(), "quotes are required");
        assert!(parse_if_match("\"abc\"").is_none());
        assert!(IfMatch(None).matches(7));
        assert!(IfMatch(Some(7)).matches(7));
        assert!(!IfMatch(Some(6)).matches(7));
    }
}
