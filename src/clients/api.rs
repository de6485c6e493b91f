use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::model::ClientRow;

/// A partner client.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e99",
    "client_id": "pc_4fJ9kQ2mXw8rT1vB6nZ0aL",
    "name": "UN Women data portal",
    "active": true,
    "rate_limit_per_minute": 120,
    "unit_ids": ["a3e0c6ca-ae28-59cb-b57f-593e8d17e313"],
    "owner_unit_id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e80",
    "created_at": "2026-11-29T12:00:00Z",
    "updated_at": "2026-11-29T12:00:00Z",
    "version": 1
}))]
pub struct ApiClient {
    pub id: Uuid,
    /// The public identifier to send with `grant_type=client_credentials`.
    pub client_id: String,
    pub name: String,
    /// A disabled client gets no tokens, and its tokens stop working at once.
    pub active: bool,
    pub rate_limit_per_minute: i32,
    /// The units whose subtrees the partner may read (aggregates and public records only).
    pub unit_ids: Vec<Uuid>,
    /// The unit of the admin who registered the client; admins of it manage the client.
    pub owner_unit_id: Uuid,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<ClientRow> for ApiClient {
    fn from(r: ClientRow) -> Self {
        ApiClient {
            id: r.id,
            client_id: r.client_id,
            name: r.name,
            active: r.active,
            rate_limit_per_minute: r.rate_limit_per_minute,
            unit_ids: r.unit_ids,
            owner_unit_id: r.owner_unit_id,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// A client with its secret: returned once, at creation or rotation. Store the secret now.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiClientWithSecret {
    #[serde(flatten)]
    pub client: ApiClient,
    /// Shown only in this response (never stored in clear, never shown again; an
    /// idempotent replay of the creation returns `null` here: rotate the secret if it was lost).
    #[schema(example = "pcs_Jx0q3xk8a0Vt4QmZp1nBf6yR2cL9dW5sE7uH3gK0tYw")]
    pub client_secret: Option<String>,
}

fn valid_units(ids: &[Uuid]) -> Result<(), validator::ValidationError> {
    if ids.is_empty() || ids.len() > 100 {
        let mut e = validator::ValidationError::new("length");
        e.message = Some("must list 1 to 100 units".into());
        return Err(e);
    }
    Ok(())
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "UN Women data portal", "unit_ids": ["a3e0c6ca-ae28-59cb-b57f-593e8d17e313"], "rate_limit_per_minute": 120}))]
pub struct NewApiClient {
    #[validate(length(min = 1, max = 200))]
    pub name: String,
    /// Units (in the admin's subtree) whose subtrees the partner may read.
    #[validate(custom(function = "valid_units"))]
    pub unit_ids: Vec<Uuid>,
    /// Default 120.
    #[validate(range(min = 1, max = 100000))]
    pub rate_limit_per_minute: Option<i32>,
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct ApiClientPatch {
    #[validate(length(min = 1, max = 200))]
    pub name: Option<String>,
    pub active: Option<bool>,
    #[validate(range(min = 1, max = 100000))]
    pub rate_limit_per_minute: Option<i32>,
    #[validate(custom(function = "valid_units"))]
    pub unit_ids: Option<Vec<Uuid>>,
}

/// OAuth 2.0 client credentials (RFC 6749 §4.4), as a form or as JSON.
#[derive(Debug, Deserialize, Validate, ToSchema)]
// The demo partner client of `serve --demo` (its secret is public: demo data only).
#[schema(example = json!({"grant_type": "client_credentials", "client_id": "demo-ngo", "client_secret": "binhdang-demo-client-secret"}))]
pub struct TokenRequest {
    /// Must be `client_credentials`.
    #[validate(length(min = 1, max = 64))]
    pub grant_type: String,
    #[validate(length(min = 1, max = 128))]
    pub client_id: String,
    #[validate(length(min = 1, max = 256))]
    pub client_secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.e30.c2ln", "token_type": "Bearer", "expires_in": 900}))]
pub struct ClientTokenResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: i64,
}
