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
