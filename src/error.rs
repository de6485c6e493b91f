//! The one error type, [`ApiError`], and its `application/problem+json` (RFC 9457) rendering.
//!
//! Client errors carry what the client needs, in English or (with `Accept-Language: vi`)
//! Vietnamese. Internal errors are logged with the request id and leave as an opaque 500 that
//! carries the same id. Database constraint violations map to 409/422 by constraint name.

use std::borrow::Cow;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// The language and request id of the request being served (set by the request middleware).
#[derive(Clone, Debug)]
pub struct RequestContext {
    pub lang: Lang,
    pub request_id: String,
}

tokio::task_local! {
    pub static REQUEST_CONTEXT: RequestContext;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Vi,
}

impl Lang {
    /// Vietnamese when the `Accept-Language` header prefers it, English otherwise.
    pub fn from_accept_language(value: Option<&str>) -> Lang {
        let Some(value) = value else { return Lang::En };
        let mut best = (Lang::En, -1.0_f32);
        for part in value.split(',') {
            let mut it = part.trim().split(';');
            let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = it
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
                .unwrap_or(1.0);
            let lang = if tag == "vi" || tag.starts_with("vi-") {
                Some(Lang::Vi)
            } else if tag == "en" || tag.starts_with("en-") || tag == "*" {
                Some(Lang::En)
            } else {
                None
            };
            if let Some(lang) = lang {
                if q > best.1 {
                    best = (lang, q);
                }
            }
        }
        best.0
    }

    pub fn current() -> Lang {
        REQUEST_CONTEXT.try_with(|c| c.lang).unwrap_or(Lang::En)
    }
}

fn current_request_id() -> Option<String> {
    REQUEST_CONTEXT.try_with(|c| c.request_id.clone()).ok()
}

/// A message in both languages of the service.
#[derive(Clone, Debug)]
pub struct Text {
    pub en: Cow<'static, str>,
    pub vi: Cow<'static, str>,
}

impl Text {
    pub fn new(en: impl Into<Cow<'static, str>>, vi: impl Into<Cow<'static, str>>) -> Self {
        Self {
            en: en.into(),
            vi: vi.into(),
        }
    }
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Vi => &self.vi,
        }
    }
}

/// One failed rule of a validation error.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FieldError {
    /// The request field, as a JSON path (`name`, `participants[2].sex`).
    #[schema(example = "name")]
    pub field: String,
    /// A stable machine-readable code (`required`, `length`, `range`, `invalid`, ...).
    #[schema(example = "length")]
    pub code: String,
    /// A human-readable message in the request's language.
    #[schema(example = "must be between 1 and 200 characters")]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, message: Text) -> Self {
        Self {
            field: field.into(),
            code: code.to_string(),
            message: message.get(Lang::current()).to_string(),
        }
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/validation",
    "title": "Your request has invalid fields",
    "status": 422,
    "detail": "1 field is invalid",
    "errors": [{"field": "name", "code": "length", "message": "must be between 1 and 200 characters"}]
}))]
pub struct Problem {
    /// A URI reference naming the problem type (`/problems/<slug>`).
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Validation failures, one per field and rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// The id of the request, as in the `X-Request-Id` header and the service's logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// With 412: the current state of the record, so the client can merge and retry. Not in
    /// this schema: each 412 documents its own `Stale<Record>`, with `current` of the record's
    /// type, so a generated client tells the two apart and reads `current` typed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(ignore)]
    pub current: Option<Value>,
    /// With a 409 on a workflow action: the actions allowed in the current state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("bad request: {}", .0.en)]
    BadRequest(Text),
    #[error("unauthorized: {}", .0.en)]
    Unauthorized(Text),
    /// 401 for a token that was live and is revoked (the account deactivated, its role, case
    /// role, unit or password changed, or signed out everywhere): the app drops what it keeps
    /// of survivors' cases before it signs in again.
    #[error("access revoked")]
    AccessRevoked,
    #[error("forbidden: {}", .0.en)]
    Forbidden(Text),
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict: {}", .detail.en)]
    Conflict { detail: Text, allowed: Option<Vec<String>> },
    #[error("precondition failed")]
    PreconditionFailed { current: Value },
    #[error("payload too large")]
    PayloadTooLarge,
    /// The body stopped arriving (408).
    #[error("request timeout")]
    RequestTimeout,
    #[error("unsupported media type")]
    UnsupportedMediaType(Text),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// Valid JSON that breaks a business rule (422).
    #[error("rule broken: {}", .0.en)]
    Rule(Text),
    #[error("precondition required")]
    PreconditionRequired,
    #[error("too many requests")]
    TooManyRequests { retry_after: u64 },
    #[error("database unavailable")]
    Unavailable,
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn bad_request(en: impl Into<Cow<'static, str>>, vi: impl Into<Cow<'static, str>>) -> Self {
        Self::BadRequest(Text::new(en, vi))
    }
    pub fn forbidden() -> Self {
        Self::Forbidden(Text::new(
            "You are not allowed to do this for this unit",
            "Bạn không có quyền thực hiện thao tác này với đơn vị này",
        ))
    }
    pub fn rule(en: impl Into<Cow<'static, str>>, vi: impl Into<Cow<'static, str>>) -> Self {
        Self::Rule(Text::new(en, vi))
    }
    pub fn field(field: &str, code: &str, en: impl Into<Cow<'static, str>>, vi: impl Into<Cow<'static, str>>) -> Self {
        Self::Validation(vec![FieldError::new(field, code, Text::new(en, vi))])
    }
    pub fn conflict(en: impl Into<Cow<'static, str>>, vi: impl Into<Cow<'static, str>>) -> Self {
        Self::Conflict {
            detail: Text::new(en, vi),
            allowed: None,
        }
    }
    /// 412 with the record as it is now (`current`).
    pub fn stale<T: Serialize>(current: &T) -> Self {
        Self::PreconditionFailed {
            current: serde_json::to_value(current).unwrap_or_default(),
        }
    }

    pub fn unauthorized() -> Self {
        Self::Unauthorized(Text::new(
            "Missing, invalid or expired access token",
            "Thiếu mã truy cập, hoặc mã không hợp lệ hay đã hết hạn",
        ))
    }

    fn parts(&self) -> (&'static str, Text) {
        match self {
            Self::BadRequest(_) => (
                "bad-request",
                Text::new("Malformed request", "Yêu cầu không đúng định dạng"),
            ),
            Self::Unauthorized(_) => ("unauthorized", Text::new("Authentication required", "Cần đăng nhập")),
            Self::AccessRevoked => (
                "access-revoked",
                Text::new(
                    "Access revoked: delete the survivors' case data kept on this device, then sign in again",
                    "Quyền truy cập đã bị thu hồi: hãy xóa dữ liệu vụ việc lưu trên thiết bị, rồi đăng nhập lại",
                ),
            ),
            Self::Forbidden(_) => ("forbidden", Text::new("Not allowed", "Không được phép")),
            Self::NotFound => ("not-found", Text::new("Not found", "Không tìm thấy")),
            Self::MethodNotAllowed => (
                "method-not-allowed",
                Text::new("Method not allowed", "Phương thức không được hỗ trợ"),
            ),
            Self::Conflict { .. } => ("conflict", Text::new("Conflict", "Xung đột")),
            Self::PreconditionFailed { .. } => ("stale", Text::new("The record has changed", "Bản ghi đã bị thay đổi")),
            Self::RequestTimeout => (
                "request-timeout",
                Text::new("The request body did not arrive", "Nội dung yêu cầu không đến kịp"),
            ),
            Self::PayloadTooLarge => (
                "payload-too-large",
                Text::new("Request body too large", "Nội dung yêu cầu quá lớn"),
            ),
            Self::UnsupportedMediaType(_) => (
                "unsupported-media-type",
                Text::new("Unsupported media type", "Kiểu nội dung không được hỗ trợ"),
            ),
            Self::Validation(_) => (
                "validation",
                Text::new("Your request has invalid fields", "Yêu cầu có trường không hợp lệ"),
            ),
            Self::Rule(_) => (
                "rule",
                Text::new("The request breaks a rule", "Yêu cầu vi phạm quy tắc nghiệp vụ"),
            ),
            Self::PreconditionRequired => (
                "if-match-required",
                Text::new("If-Match required", "Cần tiêu đề If-Match"),
            ),
            Self::TooManyRequests { .. } => ("rate-limited", Text::new("Too many requests", "Quá nhiều yêu cầu")),
            Self::Unavailable => (
                "unavailable",
                Text::new("Service unavailable", "Dịch vụ tạm thời không khả dụng"),
            ),
            Self::Internal(_) => ("internal", Text::new("Internal error", "Lỗi hệ thống")),
        }
    }

    fn detail(&self, lang: Lang) -> String {
        let t = |en: &str, vi: &str| match lang {
            Lang::En => en.to_string(),
            Lang::Vi => vi.to_string(),
        };
        match self {
            Self::BadRequest(m)
            | Self::Unauthorized(m)
            | Self::Forbidden(m)
            | Self::UnsupportedMediaType(m)
            | Self::Rule(m) => m.get(lang).to_string(),
            Self::Conflict { detail, .. } => detail.get(lang).to_string(),
            Self::AccessRevoked => t(
                "This token was revoked (the account was switched off, its role or password changed, or it signed out everywhere)",
                "Mã truy cập đã bị thu hồi (tài khoản bị khóa, đổi vai trò hoặc mật khẩu, hoặc đã đăng xuất mọi nơi)",
            ),
            Self::NotFound => t(
                "No such resource, or it is outside your scope",
                "Không có tài nguyên này, hoặc nằm ngoài phạm vi của bạn",
            ),
            Self::MethodNotAllowed => t(
                "This resource does not support that method",
                "Tài nguyên này không hỗ trợ phương thức đó",
            ),
            Self::PreconditionFailed { .. } => t(
                "The record was changed since you read it; `current` holds its present state",
                "Bản ghi đã thay đổi kể từ khi bạn đọc; trường `current` chứa trạng thái hiện tại",
            ),
            Self::RequestTimeout => t(
                "The body stopped arriving before it was complete; send the request again",
                "Nội dung yêu cầu ngừng gửi trước khi đủ; hãy gửi lại yêu cầu",
            ),
            Self::PayloadTooLarge => t(
                "The request body is larger than the service accepts",
                "Nội dung yêu cầu lớn hơn mức cho phép",
            ),
            Self::Validation(errors) => match lang {
                Lang::En => format!("{} field(s) invalid", errors.len()),
                Lang::Vi => format!("{} trường không hợp lệ", errors.len()),
            },
            Self::PreconditionRequired => t(
                "Send If-Match with the ETag you last read to change this record",
                "Gửi tiêu đề If-Match với ETag đã đọc để sửa bản ghi này",
            ),
            Self::TooManyRequests { retry_after } => match lang {
                Lang::En => format!("Too many requests; try again in {retry_after} seconds"),
                Lang::Vi => format!("Quá nhiều yêu cầu; thử lại sau {retry_after} giây"),
            },
            Self::Unavailable => t(
                "The database is unavailable; try again shortly",
                "Cơ sở dữ liệu không khả dụng; vui lòng thử lại sau",
            ),
            Self::Internal(_) => t(
                "An internal error occurred; quote the request_id when reporting it",
                "Đã xảy ra lỗi hệ thống; hãy nêu request_id khi báo lỗi",
            ),
        }
    }

    pub fn to_problem(&self) -> Problem {
        let lang = Lang::current();
        let (slug, title) = self.parts();
        Problem {
            type_: format!("/problems/{slug}"),
            title: title.get(lang).to_string(),
            status: self.status_code().as_u16(),
            detail: self.detail(lang),
            errors: match self {
                Self::Validation(e) => Some(e.clone()),
                _ => None,
            },
            request_id: current_request_id(),
            current: match self {
                Self::PreconditionFailed { current } => Some(current.clone()),
                _ => None,
            },
            allowed: match self {
                Self::Conflict { allowed, .. } => allowed.clone(),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) | Self::AccessRevoked => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation(_) | Self::Rule(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(e) = self {
            // The cause goes to the log with the request id; the client gets only the id.
            tracing::error!(request_id = current_request_id().as_deref().unwrap_or("-"), error = %format!("{e:#}"), "internal error");
        }
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            Self::Unauthorized(_) | Self::AccessRevoked => {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"binhdang\""));
            }
            Self::TooManyRequests { retry_after } => {
                res.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            Self::Unavailable => {
                res.insert_header((header::RETRY_AFTER, "5"));
            }
            _ => {}
        }
        res.body(serde_json::to_vec(&self.to_problem()).unwrap_or_default())
    }
}

/// Constraint name -> (status, field, English, Vietnamese). Unique and foreign-key violations are
/// mapped by the constraint's name, never by matching the database's message text.
const CONSTRAINTS: &[(&str, u16, &str, &str, &str)] = &[
    (
        "users_username_key",
        409,
        "username",
        "this username is already taken",
        "tên đăng nhập này đã được dùng",
    ),
    (
        "users_pkey",
        409,
        "id",
        "a user with this id already exists",
        "đã có người dùng với id này",
    ),
    (
        "units_pkey",
        409,
        "id",
        "a unit with this id already exists",
        "đã có đơn vị với id này",
    ),
    (
        "units_code_era",
        409,
        "code",
        "another unit with this code starts on the same date",
        "đã có đơn vị khác cùng mã bắt đầu cùng ngày",
    ),
    (
        "units_validity_order",
        422,
        "valid_to",
        "must not be before valid_from",
        "không được trước valid_from",
    ),
    (
        "unit_lineage_pkey",
        409,
        "predecessor_id",
        "this lineage link already exists",
        "liên kết kế thừa này đã tồn tại",
    ),
    (
        "users_username_key",
        409,
        "username",
        "this username is already taken",
        "tên đăng nhập này đã có người dùng",
    ),
    (
        "unit_lineage_not_self",
        422,
        "predecessor_id",
        "a unit cannot succeed itself",
        "một đơn vị không thể kế thừa chính nó",
    ),
];

impl From<DieselError> for ApiError {
    fn from(e: DieselError) -> Self {
        match &e {
            DieselError::NotFound => ApiError::NotFound,
            DieselError::DatabaseError(kind, info) => {
                if let Some(name) = info.constraint_name() {
                    if let Some((_, status, field, en, vi)) = CONSTRAINTS.iter().find(|c| c.0 == name) {
                        let fe = FieldError::new(*field, "conflict", Text::new(*en, *vi));
                        return if *status == 409 {
                            ApiError::Conflict {
                                detail: Text::new(format!("{field}: {en}"), format!("{field}: {vi}")),
                                allowed: None,
                            }
                        } else {
                            ApiError::Validation(vec![fe])
                        };
                    }
                }
                match kind {
                    DatabaseErrorKind::UniqueViolation => ApiError::conflict(
                        "The record conflicts with an existing one",
                        "Bản ghi trùng với một bản ghi đã có",
                    ),
                    DatabaseErrorKind::ForeignKeyViolation => ApiError::rule(
                        "The request refers to a record that does not exist",
                        "Yêu cầu tham chiếu tới bản ghi không tồn tại",
                    ),
                    DatabaseErrorKind::CheckViolation => {
                        ApiError::rule("The request breaks a data rule", "Yêu cầu vi phạm ràng buộc dữ liệu")
                    }
                    DatabaseErrorKind::ClosedConnection => ApiError::Unavailable,
                    _ => ApiError::Internal(anyhow::Error::new(e)),
                }
            }
            _ => ApiError::Internal(anyhow::Error::new(e)),
        }
    }
}

/// An internal error (a broken connection is one) or the database unavailable: a shared read
/// connection that answered so is retired.
impl crate::db::AtConnection for ApiError {
    fn at_connection(&self) -> bool {
        matches!(self, ApiError::Internal(_) | ApiError::Unavailable)
    }
}

impl From<crate::db::PoolError> for ApiError {
    fn from(e: crate::db::PoolError) -> Self {
        tracing::warn!(error = %e, "database pool error");
        ApiError::Unavailable
    }
}

/// Turns `validator` failures into field errors with bilingual messages.
impl From<validator::ValidationErrors> for ApiError {
    fn from(errs: validator::ValidationErrors) -> Self {
        let mut out = Vec::new();
        collect_validation(&errs, "", &mut out);
        out.sort_by(|a, b| a.field.cmp(&b.field));
        ApiError::Validation(out)
    }
}

fn collect_validation(errs: &validator::ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    use validator::ValidationErrorsKind as K;
    for (field, kind) in errs.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            K::Field(list) => {
                for e in list {
                    out.push(FieldError::new(path.clone(), &e.code, validation_message(e)));
                }
            }
            K::Struct(inner) => collect_validation(inner, &path, out),
            K::List(items) => {
                for (i, inner) in items {
                    collect_validation(inner, &format!("{path}[{i}]"), out);
                }
            }
        }
    }
}

fn validation_message(e: &validator::ValidationError) -> Text {
    let p = |k: &str| e.params.get(k).map(|v| v.to_string());
    match e.code.as_ref() {
        "length" => match (p("min"), p("max")) {
            (Some(min), Some(max)) => Text::new(
                format!("must be between {min} and {max} characters long"),
                format!("phải dài từ {min} đến {max} ký tự"),
            ),
            (None, Some(max)) => Text::new(
                format!("must be at most {max} characters long"),
                format!("tối đa {max} ký tự"),
            ),
            (Some(min), None) => Text::new(
                format!("must be at least {min} characters long"),
                format!("tối thiểu {min} ký tự"),
            ),
            _ => Text::new("has an invalid length", "độ dài không hợp lệ"),
        },
        "range" => match (p("min"), p("max")) {
            (Some(min), Some(max)) => Text::new(
                format!("must be between {min} and {max}"),
                format!("phải nằm trong khoảng {min} đến {max}"),
            ),
            (Some(min), None) => Text::new(
                format!("must be at least {min}"),
                format!("phải lớn hơn hoặc bằng {min}"),
            ),
            (None, Some(max)) => Text::new(
                format!("must be at most {max}"),
                format!("phải nhỏ hơn hoặc bằng {max}"),
            ),
            _ => Text::new("is out of range", "nằm ngoài khoảng cho phép"),
        },
        "required" => Text::new("is required", "là bắt buộc"),
        _ => match &e.message {
            Some(m) => Text::new(m.to_string(), m.to_string()),
            None => Text::new("is invalid", "không hợp lệ"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_supported_language() {
        assert_eq!(Lang::from_accept_language(None), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("vi")), Lang::Vi);
        assert_eq!(Lang::from_accept_language(Some("vi-VN,vi;q=0.9,en;q=0.8")), Lang::Vi);
        assert_eq!(Lang::from_accept_language(Some("en;q=0.9,vi;q=0.1")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("fr, vi;q=0.5")), Lang::Vi);
        assert_eq!(Lang::from_accept_language(Some("fr")), Lang::En);
    }

    #[test]
    fn an_internal_error_is_opaque() {
        let e = ApiError::Internal(anyhow::anyhow!("password=hunter2 in a query"));
        let p = e.to_problem();
        assert_eq!(p.status, 500);
        assert!(!p.detail.contains("hunter2"));
    }
}
