//! `/api/v1/clients` (admins) and `POST /api/v1/auth/token` (partners).

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::api::{ApiClient, ApiClientPatch, ApiClientWithSecret, ClientTokenResponse, NewApiClient, TokenRequest};
use super::model::{ClientChanges, ClientDraft, ClientRow, NewClient};
use super::queries;
use crate::auth::tokens::{random_token, sha256};
use crate::auth::{Caller, PrincipalKind, Role};
use crate::error::{ApiError, ApiResult, Problem, Text};
use crate::http::idempotency::{self};
use crate::http::{etag_response, IdempotencyKey, IfMatch, Json, Page, ValidJson};
use crate::state::AppState;
use crate::write;

pub const DEFAULT_RATE_LIMIT: i32 = 120;

fn new_secret() -> (String, String) {
    let secret = format!("pcs_{}", random_token(32));
    let hash = hex::encode(sha256(&secret));
    (secret, hash)
}

/// Admin of the client's owner unit, else 404 (not visible) or 403.
async fn managed_client(conn: &mut crate::db::Conn, caller: &Caller, id: Uuid) -> ApiResult<ClientRow> {
    let client = queries::find(conn, id).await?.ok_or(ApiError::NotFound)?;
    caller.require_visible(&client.owner_unit_path)?;
    caller.require_admin_over(&client.owner_unit_path)?;
    Ok(client)
}

/// Every granted unit must be one the admin administers.
async fn check_grants(conn: &mut crate::db::Conn, caller: &Caller, unit_ids: &[Uuid]) -> ApiResult<()> {
    for (i, id) in unit_ids.iter().enumerate() {
        match crate::units::queries::find(conn, *id).await? {
            Some(u) if caller.sees(&u.path) => {}
            _ => {
                return Err(ApiError::field(
                    &format!("unit_ids[{i}]"),
                    "unknown",
                    "no such unit in your scope",
                    "không có đơn vị này trong phạm vi của bạn",
                ))
            }
        }
    }
    Ok(())
}

/// Register a partner client (admins). The secret is in this response only.
#[utoipa::path(
    tag = "clients",
    operation_id = "create_client",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first response (with `client_secret` null)")),
    request_body = NewApiClient,
    responses(
        (status = 201, description = "Registered; store the secret now", body = ApiClientWithSecret),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, a unit outside the caller's scope, or a reused Idempotency-Key", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("")]
pub async fn create_client(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    key: IdempotencyKey,
    body: Json<NewApiClient>,
) -> ApiResult<HttpResponse> {
    caller.require_admin()?;
    let body = body.into_valid()?;
    let hash = idempotency::fingerprint(&req, &body);
    let mut conn = state.pool.get().await?;
    let owner = crate::units::queries::find(&mut conn, caller.unit_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    caller.require_admin_over(&owner.path)?;
    check_grants(&mut conn, &caller, &body.unit_ids).await?;
    let (secret, secret_hash) = new_secret();
    let draft = ClientDraft {
        client: NewClient {
            id: Uuid::now_v7(),
            client_id: format!("pc_{}", &random_token(16)),
            name: body.name.trim().into(),
            secret_hash,
            rate_limit_per_minute: body.rate_limit_per_minute.unwrap_or(DEFAULT_RATE_LIMIT),
            owner_unit_id: owner.id,
            owner_unit_path: owner.path,
        },
        unit_ids: body.unit_ids,
    };
    // What is stored for replays never holds the secret: a replay answers `null`.
    let mut stored = write::create_stored(&mut conn, &caller, &key, &hash, draft, write::nothing()).await?;
    stored.body["client_secret"] = match stored.replayed {
        true => serde_json::Value::Null,
        false => serde_json::Value::String(secret),
    };
    Ok(stored.respond())
}

/// The partner clients registered in the caller's subtree (admins).
#[utoipa::path(
    tag = "clients",
    operation_id = "list_clients",
    responses(
        (status = 200, description = "The clients, by name", body = Page<ApiClient>),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("")]
pub async fn list_clients(state: web::Data<AppState>, caller: Caller) -> ApiResult<web::Json<Page<ApiClient>>> {
    caller.require_admin()?;
    let mut conn = state.pool.get().await?;
    let mut data = Vec::new();
    for scope in &caller.scopes {
        data.extend(queries::list(&mut conn, scope).await?.into_iter().map(ApiClient::from));
    }
    Ok(web::Json(Page {
        data,
        next_cursor: None,
    }))
}

/// One partner client (admins of its owner unit).
#[utoipa::path(
    tag = "clients",
    operation_id = "get_client",
    params(("id" = Uuid, Path, description = "Client id (the UUID, not client_id)")),
    responses(
        (status = 200, description = "The client", body = ApiClient, headers(("ETag" = String, description = "The client's version"))),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such client in the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}")]
pub async fn get_client(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let client = managed_client(&mut conn, &caller, *id).await?;
    Ok(etag_response(StatusCode::OK, client.version, &ApiClient::from(client)))
}

/// Change a client: disable it (its tokens stop at once), rename, re-grant, change its limit.
#[utoipa::path(
    tag = "clients",
    operation_id = "update_client",
    params(
        ("id" = Uuid, Path, description = "Client id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    request_body = ApiClientPatch,
    responses(
        (status = 200, description = "Updated", body = ApiClient, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed JSON or If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such client in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/{id}")]
pub async fn update_client(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<ApiClientPatch>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let current = managed_client(&mut conn, &caller, *id).await?;
    if let Some(units) = &body.unit_ids {
        check_grants(&mut conn, &caller, units).await?;
    }
    let changes = ClientChanges {
        name: body.name.map(|n| n.trim().to_string()),
        active: body.active,
        rate_limit_per_minute: body.rate_limit_per_minute,
        secret_hash: None,
    };
    Ok(
        change(&mut conn, &caller, current, &if_match, changes, body.unit_ids, "update")
            .await?
            .respond(),
    )
}

/// Changes a client at the version the caller read (and its grants, when sent).
async fn change(
    conn: &mut crate::db::Conn,
    caller: &Caller,
    current: ClientRow,
    if_match: &IfMatch,
    changes: ClientChanges,
    unit_ids: Option<Vec<Uuid>>,
    action: &str,
) -> ApiResult<write::Saved<ApiClient>> {
    let (id, version) = (current.id, current.version);
    let apply = write::apply(move |conn| {
        Box::pin(async move { Ok(queries::update(conn, id, version, &changes, unit_ids.as_deref()).await?) })
    });
    write::update(conn, caller, current, if_match, action, apply).await
}

/// Issue a new secret (the old one stops working). The secret is in this response only.
#[utoipa::path(
    tag = "clients",
    operation_id = "rotate_client_secret",
    params(
        ("id" = Uuid, Path, description = "Client id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    responses(
        (status = 200, description = "The client and its new secret", body = ApiClientWithSecret),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such client in the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/{id}/secret")]
pub async fn rotate_secret(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let current = managed_client(&mut conn, &caller, *id).await?;
    let (secret, secret_hash) = new_secret();
    let changes = ClientChanges {
        secret_hash: Some(secret_hash),
        ..Default::default()
    };
    let saved = change(&mut conn, &caller, current, &if_match, changes, None, "rotate_secret").await?;
    Ok(etag_response(
        StatusCode::OK,
        saved.version,
        &ApiClientWithSecret {
            client: saved.value,
            client_secret: Some(secret),
        },
    ))
}

/// The token request as a form (OAuth 2.0's encoding) or as JSON.
fn parse_token_request(req: &HttpRequest, raw: &[u8]) -> ApiResult<TokenRequest> {
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let text = std::str::from_utf8(raw)
            .map_err(|_| ApiError::bad_request("The form is not UTF-8", "Biểu mẫu không phải UTF-8"))?;
        crate::http::query::parse(text)
    } else if content_type.starts_with("application/json") {
        crate::http::json::parse(raw)
    } else {
        Err(ApiError::UnsupportedMediaType(Text::new(
            "Send application/x-www-form-urlencoded or application/json",
            "Hãy gửi application/x-www-form-urlencoded hoặc application/json",
        )))
    }
}

fn invalid_client() -> ApiError {
    ApiError::Unauthorized(Text::new(
        "Unknown client or wrong secret",
        "Ứng dụng không tồn tại hoặc sai mã bí mật",
    ))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Exchange client credentials for a `partner` access token (OAuth 2.0 client credentials).
///
/// Send `grant_type=client_credentials`, `client_id` and `client_secret` as a form
/// (`application/x-www-form-urlencoded`) or as JSON. There is no refresh token: ask again.
#[utoipa::path(
    tag = "auth",
    operation_id = "client_token",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "An access token with role partner", body = ClientTokenResponse),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown client, wrong secret, or disabled client", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither a form nor JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing fields or an unsupported grant_type", body = Problem, content_type = "application/problem+json"),
    ),
    security(()),
)]
#[post("/token")]
pub async fn client_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<web::Json<ClientTokenResponse>> {
    let raw = crate::http::read_body(&req, payload).await?;
    let body = parse_token_request(&req, &raw)?;
    validator::Validate::validate(&body)?;
    if body.grant_type != "client_credentials" {
        return Err(ApiError::field(
            "grant_type",
            "unsupported",
            "only client_credentials is supported here (users sign in at /api/v1/auth/login)",
            "chỉ hỗ trợ client_credentials (người dùng đăng nhập tại /api/v1/auth/login)",
        ));
    }
    let mut conn = state.pool.get().await?;
    let found = queries::by_client_id(&mut conn, &body.client_id).await?;
    let presented = hex::encode(sha256(&body.client_secret));
    let Some((id, stored, active, owner)) = found else {
        return Err(invalid_client());
    };
    if !active || !constant_time_eq(stored.as_bytes(), presented.as_bytes()) {
        return Err(invalid_client());
    }
    let caller = Caller {
        kind: PrincipalKind::Client,
        id,
        name: body.client_id,
        unit_id: owner,
        scopes: Vec::new(),
        role: Role::Partner,
        epoch: 0,
        restriction: None,
    };
    Ok(web::Json(ClientTokenResponse {
        access_token: state.jwt.issue_access(&caller)?,
        token_type: "Bearer".into(),
        expires_in: state.jwt.access_ttl_seconds,
    }))
}
