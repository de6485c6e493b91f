//! `/api/v1/auth`: login, refresh, logout, me.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use diesel_async::AsyncConnection;

use super::api::{
    LoginRequest, LogoutRequest, MeResponse, RefreshRequest, SecondStep, SecondStepRequest, TokenResponse,
    TwoFactorCode, TwoFactorEnabled, TwoFactorSetup,
};
use crate::auth::queries::{self, Rotation};
use crate::auth::second_factor;
use crate::auth::{password, Caller, PrincipalKind};
use crate::config::Secret;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::JsonBody;
use crate::http::{Json, ValidJson};
use crate::state::AppState;
use crate::units;
use crate::users::api::PasswordChange;

async fn token_response(state: &AppState, caller: &Caller, refresh_token: String) -> ApiResult<TokenResponse> {
    Ok(TokenResponse::new(&state.jwt, caller, refresh_token)?)
}

/// A new session for a signed-in account (a new refresh-token family and an access token, limited
/// as [`AppState::session_caller`] says); `what` goes to the log with the user's id.
async fn new_session(
    state: &AppState,
    conn: &mut crate::db::Conn,
    account: &queries::Account,
    what: &str,
) -> ApiResult<TokenResponse> {
    let caller = state.session_caller(account).ok_or_else(ApiError::unauthorized)?;
    let refresh_token =
        queries::issue_refresh(conn, caller.id, Uuid::now_v7(), state.settings.refresh_token_ttl).await?;
    tracing::info!(user_id = %caller.id, "{what}");
    token_response(state, &caller, refresh_token).await
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
/// A user with two-factor sign-in gets 202 and a challenge for `POST /auth/login/second-step`.
/// A user whose password is temporary, or whose role requires two factors not yet set up, gets
/// tokens that only change the password (`POST /auth/password`) or enrol
/// (`POST /auth/two-factor`); everything else answers 403 until then.
#[utoipa::path(
    tag = "auth",
    operation_id = "login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 202, description = "The password was right; the second factor is next", body = SecondStep),
        (status = 401, description = "Invalid username or password", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(()),
)]
#[post("/login")]
pub async fn login(state: web::Data<AppState>, req: HttpRequest, body: Json<LoginRequest>) -> ApiResult<HttpResponse> {
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
    let Some(account) = account.filter(|a| ok && a.active) else {
        return Err(bad_credentials());
    };
    state.throttle.succeeded(&mut conn, &body.username, &addr).await?;
    if account.two_factor {
        return Ok(HttpResponse::Accepted().json_body(&SecondStep {
            challenge: state.jwt.issue_challenge(account.id, account.token_epoch)?,
            expires_in: crate::auth::tokens::SECOND_STEP_SECONDS,
            methods: vec!["totp".into(), "recovery_code".into()],
        }));
    }
    Ok(HttpResponse::Ok().json_body(&new_session(&state, &mut conn, &account, "login").await?))
}

fn wrong_code() -> ApiError {
    ApiError::Unauthorized(crate::error::Text::new(
        "Wrong, used or expired code, or an expired challenge: sign in again",
        "Mã sai, đã dùng hoặc hết hạn, hoặc lượt đăng nhập đã hết hạn: hãy đăng nhập lại",
    ))
}

/// The second step of a sign-in: the challenge of the 202 with a code from the authenticator
/// app (each code works once) or a recovery code (each works once).
#[utoipa::path(
    tag = "auth",
    operation_id = "login_second_step",
    request_body = SecondStepRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Wrong, used or expired code, or an expired challenge", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Neither or both of code and recovery_code", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong codes", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(()),
)]
#[post("/login/second-step")]
pub async fn login_second_step(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<SecondStepRequest>,
) -> ApiResult<web::Json<TokenResponse>> {
    let body = body.into_valid()?;
    if body.code.is_some() == body.recovery_code.is_some() {
        return Err(ApiError::field(
            "code",
            "required",
            "send either code or recovery_code",
            "gửi code hoặc recovery_code",
        ));
    }
    let challenge = state.jwt.verify_challenge(&body.challenge).ok_or_else(wrong_code)?;
    let user: Uuid = challenge.sub.parse().map_err(|_| wrong_code())?;
    let addr = crate::http::client_addr(&req, &state.settings.trusted_proxies);
    let mut conn = state.pool.get().await?;
    let account = queries::account_by_id(&mut conn, user)
        .await?
        .filter(|a| a.active && a.two_factor && a.token_epoch == challenge.gen)
        .ok_or_else(wrong_code)?;
    // Codes are guessed like passwords: counted first, under the same limits.
    state.throttle.gate(&mut conn, &account.username, &addr).await?;
    let ok = match (&body.code, &body.recovery_code) {
        (Some(code), _) => second_factor::spend_code(&mut conn, &state.data_key, user, code).await?,
        (_, Some(recovery)) => second_factor::spend_recovery_code(&mut conn, user, recovery).await?,
        _ => false,
    };
    if !ok {
        return Err(wrong_code());
    }
    state.throttle.succeeded(&mut conn, &account.username, &addr).await?;
    Ok(web::Json(
        new_session(&state, &mut conn, &account, "login (two factors)").await?,
    ))
}

fn users_only(caller: &Caller) -> ApiResult<()> {
    if caller.kind == PrincipalKind::User {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// Start two-factor sign-in (TOTP): a new secret to add to an authenticator app, on until
/// confirmed with a code (`POST /auth/two-factor/confirm`). Starting again replaces an
/// unconfirmed secret.
///
/// Try it as `inspector`.
#[utoipa::path(
    tag = "auth",
    operation_id = "start_two_factor",
    responses(
        (status = 200, description = "The secret and its provisioning URI", body = TwoFactorSetup),
        (status = 403, description = "Partners (API clients have no second factor)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Two-factor sign-in is on already", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/two-factor")]
pub async fn start_two_factor(state: web::Data<AppState>, caller: Caller) -> ApiResult<web::Json<TwoFactorSetup>> {
    users_only(&caller)?;
    let mut conn = state.pool.get().await?;
    if second_factor::enrolment(&mut conn, caller.id).await?.enabled {
        return Err(already_on());
    }
    let (secret, base32, uri) = second_factor::new_secret(&caller.name);
    if second_factor::store_pending(&mut conn, caller.id, &state.data_key.seal(&secret)).await? == 0 {
        return Err(already_on());
    }
    Ok(web::Json(TwoFactorSetup {
        secret: base32,
        otpauth_uri: uri,
    }))
}

/// 422 on `code`: not the code of now, or one used already.
fn wrong_code_field() -> ApiError {
    ApiError::field(
        "code",
        "wrong",
        "not the code the authenticator app shows now (or used already)",
        "không phải mã ứng dụng xác thực đang hiển thị (hoặc đã dùng)",
    )
}

/// The audit entry of a two-factor change: the account as it is now (never its secret).
async fn audit_two_factor(conn: &mut crate::db::Conn, caller: &Caller, action: &str) -> ApiResult<()> {
    let after = crate::users::queries::find(conn, caller.id)
        .await?
        .map(crate::users::api::User::from);
    let path = caller.scopes.first().map_or("", String::as_str);
    let change = crate::audit::Change::new("user", (caller.id, caller.unit_id, path), action, None, after.as_ref());
    crate::audit::record(conn, crate::audit::Actor::Caller(caller), change).await?;
    Ok(())
}

fn already_on() -> ApiError {
    ApiError::conflict("Two-factor sign-in is on already", "Xác thực hai bước đã được bật")
}

/// Confirm two-factor sign-in with a code the authenticator app shows: it is on from now, and
/// the answer holds ten recovery codes (shown only here) and a new session's tokens.
///
/// Try it as `inspector`.
#[utoipa::path(
    tag = "auth",
    operation_id = "confirm_two_factor",
    request_body = TwoFactorCode,
    responses(
        (status = 200, description = "On; store the recovery codes now", body = TwoFactorEnabled),
        (status = 403, description = "Partners", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Nothing to confirm (start first), or on already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A wrong or used code", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/two-factor/confirm")]
pub async fn confirm_two_factor(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<TwoFactorCode>,
) -> ApiResult<web::Json<TwoFactorEnabled>> {
    users_only(&caller)?;
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let enrolment = second_factor::enrolment(&mut conn, caller.id).await?;
    if enrolment.enabled {
        return Err(already_on());
    }
    if enrolment.sealed.is_none() {
        return Err(ApiError::conflict(
            "Start two-factor sign-in first (POST /api/v1/auth/two-factor)",
            "Hãy bắt đầu đăng ký xác thực hai bước trước (POST /api/v1/auth/two-factor)",
        ));
    }
    let codes = second_factor::new_recovery_codes();
    let user = caller.id;
    let code = body.code;
    let key = state.data_key.clone();
    let confirmed = conn
        .transaction::<_, ApiError, _>(async |conn| {
            if !second_factor::spend_code(conn, &key, user, &code).await? {
                return Ok(false);
            }
            second_factor::enable(conn, user, &codes).await?;
            audit_two_factor(conn, &caller, "enable_two_factor").await?;
            Ok(true)
        })
        .await?;
    if !confirmed {
        return Err(wrong_code_field());
    }
    let account = queries::account_by_id(&mut conn, user)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    Ok(web::Json(TwoFactorEnabled {
        recovery_codes: codes,
        tokens: new_session(&state, &mut conn, &account, "two-factor sign-in on").await?,
    }))
}

/// Turn two-factor sign-in off (a current code required). Refused while the caller's role
/// requires it.
///
/// Try it as `inspector`.
#[utoipa::path(
    tag = "auth",
    operation_id = "disable_two_factor",
    request_body = TwoFactorCode,
    responses(
        (status = 204, description = "Off"),
        (status = 403, description = "Partners", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Off already, or required for the caller's role", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A wrong or used code", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/two-factor/disable")]
pub async fn disable_two_factor(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<TwoFactorCode>,
) -> ApiResult<HttpResponse> {
    users_only(&caller)?;
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let account = queries::account_by_id(&mut conn, caller.id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    if !account.two_factor {
        return Err(ApiError::conflict(
            "Two-factor sign-in is off already",
            "Xác thực hai bước đang tắt",
        ));
    }
    if state.two_factor_required(&account) {
        return Err(ApiError::conflict(
            "Your role requires two-factor sign-in",
            "Vai trò của bạn bắt buộc xác thực hai bước",
        ));
    }
    if !second_factor::spend_code(&mut conn, &state.data_key, caller.id, &body.code).await? {
        return Err(wrong_code_field());
    }
    let user = caller.id;
    conn.transaction::<_, ApiError, _>(async |conn| {
        second_factor::disable(conn, user).await?;
        audit_two_factor(conn, &caller, "disable_two_factor").await
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
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
#[post("/refresh")]
pub async fn refresh(state: web::Data<AppState>, body: Json<RefreshRequest>) -> ApiResult<web::Json<TokenResponse>> {
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    match queries::rotate_refresh(&mut conn, &body.refresh_token, state.settings.refresh_token_ttl).await? {
        Rotation::Rotated(account, next) => {
            let caller = state.session_caller(&account).ok_or_else(ApiError::unauthorized)?;
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
#[post("/logout")]
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
#[get("/me")]
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

/// The one place a signed-in user's own password changes: the current one checked (and
/// throttled like a login), the new one against the policy.
async fn change_own_password(
    state: &AppState,
    caller: &Caller,
    addr: &str,
    current_password: String,
    new_password: String,
) -> ApiResult<()> {
    let mut conn = state.pool.get().await?;
    let account = queries::account_by_id(&mut conn, caller.id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    state.throttle.gate(&mut conn, &account.username, addr).await?;
    if !password::verify(Secret::new(current_password), Some(account.password_hash.clone())).await {
        return Err(ApiError::field(
            "current_password",
            "wrong",
            "is not your current password",
            "không phải mật khẩu hiện tại của bạn",
        ));
    }
    state.throttle.succeeded(&mut conn, &account.username, addr).await?;
    let display = crate::users::queries::find(&mut conn, caller.id)
        .await?
        .and_then(|u| u.display_name);
    let mut inputs = vec![account.username.as_str()];
    inputs.extend(display.as_deref());
    if let Some(why) = password::weakness(&new_password, &inputs) {
        return Err(ApiError::Validation(vec![crate::error::FieldError::new(
            "new_password",
            "weak",
            why,
        )]));
    }
    let hash = password::hash(Secret::new(new_password)).await?;
    crate::users::queries::set_own_password(&mut conn, caller, hash).await
}

/// Change your own password: the current one is required, the new one must meet the policy (at
/// least 8 characters, not a common password, not built from your name).
///
/// Every other session of yours ends (its tokens stop within seconds); this answer carries the
/// new session's tokens. A temporary password (new account, reset) must be changed here before
/// anything else can be done.
///
/// Try it as `halong.manager`.
#[utoipa::path(
    tag = "auth",
    operation_id = "change_password",
    request_body = PasswordChange,
    responses(
        (status = 200, description = "Changed; the new session's tokens", body = TokenResponse),
        (status = 422, description = "Wrong current password, or a new password that is too weak", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong current passwords", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = [])),
)]
#[post("/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    body: Json<PasswordChange>,
) -> ApiResult<web::Json<TokenResponse>> {
    if caller.kind != PrincipalKind::User {
        return Err(ApiError::forbidden());
    }
    let body = body.into_valid()?;
    let addr = crate::http::client_addr(&req, &state.settings.trusted_proxies);
    change_own_password(&state, &caller, &addr, body.current_password, body.new_password).await?;
    let mut conn = state.pool.get().await?;
    let account = queries::account_by_id(&mut conn, caller.id)
        .await?
        .ok_or_else(ApiError::unauthorized)?;
    Ok(web::Json(
        new_session(&state, &mut conn, &account, "password changed").await?,
    ))
}
