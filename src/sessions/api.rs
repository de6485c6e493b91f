//! What clients send and get when they sign in, refresh, sign out and ask who they are.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::auth::Role;
use crate::units;

#[derive(Deserialize, Validate, ToSchema)]
// The demo city admin of `serve --demo` (its password is public: demo data only).
#[schema(example = json!({"username": "admin", "password": "binhdang-demo"}))]
pub struct LoginRequest {
    #[validate(length(min = 1, max = 64))]
    pub username: String,
    #[validate(length(min = 1, max = 256))]
    pub password: String,
}

#[derive(Deserialize, Validate, ToSchema)]
#[schema(example = json!({"refresh_token": "q2x6i0cK3xk0mEoYgBf0u4b2oT1dX5wYp9Z0s1f2g3h"}))]
pub struct RefreshRequest {
    #[validate(length(min = 1, max = 256))]
    pub refresh_token: String,
}

impl TokenResponse {
    /// A new access token for `caller`, with the session's refresh token.
    pub fn new(
        jwt: &crate::auth::tokens::JwtKeys,
        caller: &crate::auth::Caller,
        refresh_token: String,
    ) -> anyhow::Result<Self> {
        Ok(TokenResponse {
            access_token: jwt.issue_access(caller)?,
            token_type: "Bearer".into(),
            expires_in: jwt.access_ttl_seconds,
            refresh_token,
        })
    }
}

#[derive(Deserialize, Validate, ToSchema, Default)]
#[schema(example = json!({"refresh_token": "q2x6i0cK3xk0mEoYgBf0u4b2oT1dX5wYp9Z0s1f2g3h"}))]
pub struct LogoutRequest {
    /// The refresh token to revoke (with its family). Without it, every refresh token of the
    /// user is revoked (logout everywhere).
    #[validate(length(min = 1, max = 256))]
    pub refresh_token: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl",
    "token_type": "Bearer",
    "expires_in": 900,
    "refresh_token": "q2x6i0cK3xk0mEoYgBf0u4b2oT1dX5wYp9Z0s1f2g3h"
}))]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Single use: each refresh returns a new one; presenting a spent one revokes the family.
    pub refresh_token: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    pub id: Uuid,
    #[schema(example = "ward.halong.officer")]
    pub username: String,
    pub role: Role,
    /// The caller's unit; everything the caller sees is this unit and its descendants.
    pub unit: units::api::UnitSummary,
}

/// The password was right and the user signs in with two factors: send a code from the
/// authenticator app (or a recovery code) with this challenge to `POST /auth/login/second-step`.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"challenge": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl", "expires_in": 300, "methods": ["totp", "recovery_code"]}))]
pub struct SecondStep {
    pub challenge: String,
    /// Seconds the challenge stays good.
    pub expires_in: i64,
    /// What may answer it: `totp` (a 6-digit code), `recovery_code`.
    pub methods: Vec<String>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"challenge": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl", "code": "492039"}))]
pub struct SecondStepRequest {
    #[validate(length(min = 1, max = 2048))]
    pub challenge: String,
    /// The 6-digit code the authenticator app shows now.
    #[validate(length(min = 1, max = 16))]
    pub code: Option<String>,
    /// One of the recovery codes given at enrolment (each works once), instead of `code`.
    #[validate(length(min = 1, max = 32))]
    pub recovery_code: Option<String>,
}

/// A new, not yet confirmed second factor: add it to an authenticator app (scan `otpauth_uri`
/// as a QR code, or type `secret`), then confirm with a code it shows.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "otpauth_uri": "otpauth://totp/binhdang:inspector?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=binhdang"}))]
pub struct TwoFactorSetup {
    /// Base32, as authenticator apps take it.
    pub secret: String,
    /// The provisioning URI (`otpauth://totp/...`), for a QR code.
    pub otpauth_uri: String,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "492039"}))]
pub struct TwoFactorCode {
    /// A 6-digit code from the authenticator app.
    #[validate(length(min = 1, max = 16))]
    pub code: String,
}

/// Two-factor sign-in is on. Keep the recovery codes somewhere safe: they are shown only here,
/// and each signs in once when the phone is lost.
#[derive(Serialize, ToSchema)]
pub struct TwoFactorEnabled {
    #[schema(example = json!(["k7m2p-x9q4r", "a3b5c-d7e9f"]))]
    pub recovery_codes: Vec<String>,
    /// A new session: tokens without the enrolment restriction.
    pub tokens: TokenResponse,
}
