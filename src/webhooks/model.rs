//! The rows of `webhook_endpoints` and `webhook_deliveries`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::{webhook_deliveries, webhook_endpoints};

/// An endpoint as read (without its sealed secrets; see `queries::signing_secrets`).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints, check_for_backend(diesel::pg::Pg))]
pub struct EndpointRow {
    pub id: Uuid,
    pub client_id: Uuid,
    pub owner_unit_id: Uuid,
    pub owner_unit_path: String,
    pub url: String,
    pub description: String,
    pub event_types: Vec<String>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A new endpoint: its row and its sealed secret, fanning out from the feed's present.
pub struct NewEndpoint {
    pub row: EndpointRow,
    pub secret_sealed: Vec<u8>,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = webhook_endpoints)]
pub struct EndpointChanges {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub enabled: Option<bool>,
    #[allow(clippy::option_option)]
    pub disabled_reason: Option<Option<String>>,
    #[allow(clippy::option_option)]
    pub disabled_at: Option<Option<DateTime<Utc>>>,
    pub secret_sealed: Option<Vec<u8>>,
    #[allow(clippy::option_option)]
    pub previous_secret_sealed: Option<Option<Vec<u8>>>,
    #[allow(clippy::option_option)]
    pub previous_secret_expires_at: Option<Option<DateTime<Utc>>>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries, check_for_backend(diesel::pg::Pg))]
pub struct DeliveryRow {
    pub id: Uuid,
    pub endpoint_id: Uuid,
    pub message_id: String,
    pub event_type: String,
    pub payload: String,
    pub feed_txid: Option<i64>,
    pub feed_seq: Option<i64>,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_status_code: Option<i32>,
    pub last_latency_ms: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// A message to queue for an endpoint.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct NewDelivery {
    pub id: Uuid,
    pub endpoint_id: Uuid,
    pub message_id: String,
    pub event_type: String,
    pub payload: String,
    pub feed_txid: Option<i64>,
    pub feed_seq: Option<i64>,
}
