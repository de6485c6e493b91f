//! `/api/v1/auth`: login, refresh, logout, me.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::api::{LoginRequest, LogoutRequest, MeResponse, RefreshRequest, TokenResponse};
use crate::auth::queries::{self, Rotation};
use crate::auth::{password, Caller, PrincipalKind};
use crate::config::Secret;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::{Json, ValidJson};
use crate::state::AppState;
use crate::units;

async fn token_response(state: &AppState, caller: &Caller, refresh_token: String) -> ApiResult<TokenResponse> {
    Ok(TokenResponse::new(&state.jwt, caller, refresh_token)?)
}

fn bad_credentials() -> ApiError {
    ApiError::Unauthorized(crate::error::Text::new(
        "Invalid username or password",
        "Tên đăng nhập hoặc mật khẩu không đúng",
    ))
}

/// Sign in with a username and password.
///
/// A failed login answers the same, in about the same time, whether or not the username exists.
/// After repeated failures for one username or one address, attempts get 429 with `Retry-After`.
#[utoipa::path(
    tag = "auth",
    operation_id = "login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Invalid username or password", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(()),
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<LoginRequest>,
) -> ApiResult<web::Json<TokenResponse>> {
    let body = body.into_valid()?;
    let addr = crate::http::client_addr(&req, &state.settings.trusted_proxies);
    let mut conn = state.pool.get().await?;
    // Counted before the password is checked: parallel guesses cannot outrun the limit.
    state.throttle.gate(&mut conn, &body.username, &addr).await?;
    let account = queries::account_by_username(&mut conn, &body.username).await?;
    let ok = password::verify(
        Secret::new(body.password),
        account.as_ref().map(|a| a.password_hash.clone()),
    )
    .await;
    let caller = match account {
        Some(a) if ok && a.active => a.caller(),
        _ => None,
    };
    let Some(caller) = caller else {
        return Err(bad_credentials());
    };
    state.throttle.succeeded(&mut conn, &body.username, &addr).await?;
    let refresh_token =
        queries::issue_refresh(&mut conn, caller.id, Uuid::now_v7(), state.settings.refresh_token_ttl).await?;
    tracing::info!(user_id = %caller.id, "login");
    Ok(web::Json(token_response(&state, &caller, refresh_token).await?))
}

/// Exchange a refresh token for a new access token and a new refresh token.
///
/// Refresh tokens rotate: each is good once. The same token again within 30 seconds (a retry
/// whose answer was lost, two tabs at once) answers with the same successor; presenting a spent
/// token after that revokes its whole family, so a stolen token stops working for the thief and
/// the owner alike.
#[utoipa::path(
    tag = "auth",
    operation_id = "refresh_token",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = TokenResponse),
        (status = 401, description = "Unknown, expired, revoked or reused refresh token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(()),
)]
#[post("/auth/refresh")]
pub async fn refresh(state: web::Data<AppState>, body: Json<RefreshRequest>) -> ApiResult<web::Json<TokenResponse>> {
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    match queries::rotate_refresh(&mut conn, &body.refresh_token, state.settings.refresh_token_ttl).await? {
        Rotation::Rotated(account, next) => {
            let caller = account.caller().ok_or_else(ApiError::unauthorized)?;
            Ok(web::Json(token_response(&state, &caller, next).await?))
        }
        Rotation::Reused => {
            tracing::warn!("a spent refresh token was presented again; its family is revoked");
            Err(ApiError::unauthorized())
        }
        Rotation::Invalid => Err(ApiError::unauthorized()),
    }
}

/// Sign out: revoke a refresh token's family, or sign out everywhere.
///
/// With a `refresh_token`, that session ends (its access tokens run out within `expires_in`).
/// Without one, every session of the user ends: all its refresh tokens are revoked and every
/// access token issued before stops working within seconds, on every instance.
#[utoipa::path(
    tag = "auth",
    operation_id = "logout",
    request_body(content = LogoutRequest, description = "Optional: the refresh token to revoke"),
    responses(
        (status = 204, description = "Signed out"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    caller: Caller,
    body: Option<Json<LogoutRequest>>,
) -> ApiResult<HttpResponse> {
    let body = match body {
        Some(b) => b.into_valid()?,
        None => LogoutRequest::default(),
    };
    let mut conn = state.pool.get().await?;
    match (&body.refresh_token, caller.kind) {
        (Some(token), _) => {
            queries::revoke_for_logout(&mut conn, caller.id, Some(token)).await?;
        }
        (None, PrincipalKind::User) => {
            crate::auth::revocation::revoke_everywhere(&mut conn, caller.id).await?;
        }
        (None, PrincipalKind::Client) => {}
    }
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in caller: user (or partner client), role and unit.
#[utoipa::path(
    tag = "auth",
    operation_id = "me",
    responses(
        (status = 200, description = "The caller", body = MeResponse),
    ),
    security(("bearer" = [])),
)]
#[get("/auth/me")]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> ApiResult<web::Json<MeResponse>> {
    let mut conn = state.pool.get().await?;
    // A partner client's unit is the first unit it was granted.
    let unit = match caller.kind {
        PrincipalKind::User => units::queries::find(&mut conn, caller.unit_id).await?,
        PrincipalKind::Client => match caller.scopes.first() {
            Some(path) => units::queries::find_by_path(&mut conn, path).await?,
            None => None,
        },
    };
    let unit = unit.ok_or(ApiError::NotFound)?;
    Ok(web::Json(MeResponse {
        id: caller.id,
        username: caller.name.clone(),
        role: caller.role,
        unit: unit.into(),
    }))
}
