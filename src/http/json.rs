//! The JSON body extractor: `application/json` up to `MAX_BODY_BYTES`, parsed with the path of
//! whatever does not fit, so a form can point at the field. Syntactically broken JSON is 400;
//! JSON of the wrong shape (a wrong type, a missing or unknown field, an unknown enum value, a
//! malformed date) is 422 with `errors: [{field, code, message}]`, `field` being the JSON path
//! (`participants.female`, `participant_list[2].sex`).

use std::ops::{Deref, DerefMut};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError, Text};

/// A JSON request body of type `T`.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// The largest body a JSON request may have (set once per application from `MAX_BODY_BYTES`).
#[derive(Clone, Copy, Debug)]
pub struct JsonLimit(pub usize);

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "application/json" || (v.starts_with("application/") && v.ends_with("+json")))
}

/// What serde's message says of a shape error, as a stable code.
fn code_of(message: &str) -> &'static str {
    if message.starts_with("missing field") {
        "required"
    } else if message.starts_with("unknown field") {
        "unknown_field"
    } else if message.starts_with("unknown variant") {
        "unknown_value"
    } else if message.starts_with("invalid type") {
        "wrong_type"
    } else {
        "invalid"
    }
}

/// The field an error names: the path to it, and for a missing or unknown field its own name
/// after the path of the object that holds it.
fn field_of(path: &str, message: &str) -> String {
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|p| message.strip_prefix(p))
        .and_then(|rest| rest.split('`').next());
    match (named, path) {
        (Some(name), "." | "") => name.to_string(),
        (Some(name), p) if message.starts_with("missing") => format!("{p}.{name}"),
        (Some(name), _) if message.starts_with("unknown field") => {
            // serde reports an unknown field at the path of the field itself.
            path.rsplit_once('.')
                .map_or(name.to_string(), |(head, _)| format!("{head}.{name}"))
        }
        (_, "." | "") => "body".to_string(),
        (_, p) => p.to_string(),
    }
}

/// Parses a JSON body: 400 for broken JSON, 422 naming the field for the wrong shape.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let broken = |e: &serde_json::Error| {
        ApiError::BadRequest(Text::new(
            format!("The body is not valid JSON: {e}"),
            format!("Nội dung không phải JSON hợp lệ: {e}"),
        ))
    };
    // PostgreSQL text cannot hold a NUL character: refuse it here, naming the field, rather
    // than let the database refuse it (a 500). A raw NUL is broken JSON already; only the
    // escape `\u0000` can carry one.
    if bytes.windows(6).any(|w| w == b"\\u0000") {
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) {
            if let Some(field) = nul_path(&value, String::new()) {
                return Err(nul_error(field));
            }
        }
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(v) => {
            de.end().map_err(|e| broken(&e))?;
            Ok(v)
        }
        Err(e) => {
            let inner = e.inner();
            if !inner.is_data() {
                return Err(broken(inner));
            }
            let message = inner.to_string();
            // serde's message ends with " at line L column C": the path says where.
            let message = message.split(" at line ").next().unwrap_or(&message).to_string();
            Err(shape_error(&e.path().to_string(), &message))
        }
    }
}

/// The JSON path of the first string (or key) holding a NUL character.
fn nul_path(v: &serde_json::Value, at: String) -> Option<String> {
    use serde_json::Value;
    let here = || if at.is_empty() { "body".to_string() } else { at.clone() };
    match v {
        Value::String(s) if s.contains('\0') => Some(here()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_path(item, format!("{at}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(k, item)| {
            let path = if at.is_empty() { k.clone() } else { format!("{at}.{k}") };
            if k.contains('\0') {
                Some(path)
            } else {
                nul_path(item, path)
            }
        }),
        _ => None,
    }
}

/// 422: text with a NUL character, which no field may hold.
pub(crate) fn nul_error(field: String) -> ApiError {
    ApiError::Validation(vec![FieldError::new(
        field,
        "nul_character",
        Text::new(
            "must not contain a NUL character (U+0000)",
            "không được chứa ký tự NUL (U+0000)",
        ),
    )])
}

/// A 422 naming the field (a JSON path, or a query parameter) that serde could not take.
pub(crate) fn shape_error(path: &str, message: &str) -> ApiError {
    ApiError::Validation(vec![FieldError::new(
        field_of(path, message),
        code_of(message),
        Text::new(
            message.to_string(),
            format!("giá trị không đúng kiểu, định dạng hoặc tên trường ({message})"),
        ),
    )])
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let limit = req.app_data::<JsonLimit>().map_or(1 << 20, |l| l.0);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let body = web::Bytes::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            if !json {
                return Err(ApiError::UnsupportedMediaType(Text::new(
                    "Send the body as application/json",
                    "Hãy gửi nội dung dạng application/json",
                )));
            }
            if declared.is_some_and(|n| n > limit) {
                return Err(ApiError::PayloadTooLarge);
            }
            let bytes = super::within_body_timeout(&req, body).await?.map_err(|e| {
                match e.as_response_error().status_code().as_u16() {
                    413 => ApiError::PayloadTooLarge,
                    _ => ApiError::bad_request("The body could not be read", "Không đọc được nội dung yêu cầu"),
                }
            })?;
            if bytes.len() > limit {
                return Err(ApiError::PayloadTooLarge);
            }
            parse(&bytes).map(Json)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        female: i32,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        title: String,
        on: Option<chrono::NaiveDate>,
        counts: Option<Inner>,
        list: Option<Vec<Inner>>,
    }

    fn field(json: &str) -> (String, String) {
        match parse::<Body>(json.as_bytes()) {
            Err(ApiError::Validation(errors)) => (errors[0].field.clone(), errors[0].code.clone()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_shape_error_names_its_json_path() {
        assert_eq!(field(r#"{"title": 3}"#), ("title".into(), "wrong_type".into()));
        assert_eq!(field(r#"{}"#), ("title".into(), "required".into()));
        assert_eq!(
            field(r#"{"title": "x", "colour": 1}"#),
            ("colour".into(), "unknown_field".into())
        );
        assert_eq!(
            field(r#"{"title": "x", "on": "2024-13-01"}"#),
            ("on".into(), "invalid".into())
        );
        assert_eq!(
            field(r#"{"title": "x", "counts": {"female": "many"}}"#),
            ("counts.female".into(), "wrong_type".into())
        );
        assert_eq!(
            field(r#"{"title": "x", "counts": {}}"#),
            ("counts.female".into(), "required".into())
        );
        assert_eq!(
            field(r#"{"title": "x", "list": [{"female": 1}, {"female": true}]}"#),
            ("list[1].female".into(), "wrong_type".into())
        );
    }

    #[test]
    fn a_nul_character_is_refused_by_name() {
        assert_eq!(
            field(r#"{"title": "x\u0000y"}"#),
            ("title".into(), "nul_character".into())
        );
        assert_eq!(
            field(r#"{"title": "x", "list": [{"female": 1}, {"female": 2, "note": "\u0000"}]}"#),
            ("list[1].note".into(), "nul_character".into())
        );
    }

    #[test]
    fn broken_json_is_a_bad_request() {
        assert!(matches!(parse::<Body>(b"{\"title\": "), Err(ApiError::BadRequest(_))));
        assert!(matches!(
            parse::<Body>(b"{\"title\": \"x\"} trailing"),
            Err(ApiError::BadRequest(_))
        ));
    }
}
