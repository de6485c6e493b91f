//! The query-string extractor: like `web::Query`, but a value that does not fit names its
//! parameter. `?year=abc` is 422 with `errors: [{field: "year", code: "invalid", ...}]`, as a
//! JSON body of the wrong shape is; the message is in the request's language.

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The query string parsed as `T`.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Parses a query string (without the `?`).
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    // `%00` decodes to a NUL, which PostgreSQL text cannot hold: refused by name. (A raw NUL
    // never reaches here: the HTTP parser refuses it in the request line.)
    if query.contains("%00") {
        if let Some((name, _)) =
            form_urlencoded::parse(query.as_bytes()).find(|(k, v)| k.contains('\0') || v.contains('\0'))
        {
            return Err(super::json::nul_error(name.replace('\0', "")));
        }
    }
    // Parsed once as it is; only a query that does not fit is parsed again with its path
    // tracked, to name the parameter (the tracking cost every list request 1-2% of its time).
    if let Ok(value) = serde_urlencoded::from_str::<T>(query) {
        return Ok(value);
    }
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize::<_, T>(de).map_err(|e| {
        let message = e.inner().to_string();
        let field = match e.path().to_string().as_str() {
            "." | "" => "query".to_string(),
            p => p.to_string(),
        };
        super::json::shape_error(&field, &message)
    })
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse(req.query_string()).map(Query))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Filters {
        year: Option<i32>,
        #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
        from: Option<chrono::NaiveDate>,
        status: Option<Status>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Status {
        Open,
    }

    fn field(q: &str) -> (String, String) {
        match parse::<Filters>(q) {
            Err(ApiError::Validation(errors)) => (errors[0].field.clone(), errors[0].code.clone()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_bad_parameter_is_named() {
        assert!(parse::<Filters>("year=2024&from=2024-01-05").is_ok());
        assert_eq!(field("year=abc").0, "year");
        assert_eq!(field("from=2024-1-5"), ("from".into(), "invalid".into()));
        assert_eq!(field("status=zzz"), ("status".into(), "unknown_value".into()));
        assert_eq!(field("year=2024&q=a%00b"), ("q".into(), "nul_character".into()));
        assert_eq!(field("from=1899-12-31").0, "from");
    }
}
