//! What clients send and see of webhook endpoints and their deliveries.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::model::{DeliveryRow, EndpointRow};

/// The event types a partner may subscribe to: what its change feed carries (public outreach
/// events, units and their lineage, legal documents) and a thin `summary.changed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum EventType {
    /// A public outreach event was recorded.
    #[serde(rename = "outreach.created")]
    OutreachCreated,
    /// A public outreach event changed.
    #[serde(rename = "outreach.updated")]
    OutreachUpdated,
    /// A public outreach event was deleted, or stopped being public.
    #[serde(rename = "outreach.deleted")]
    OutreachDeleted,
    #[serde(rename = "unit.created")]
    UnitCreated,
    #[serde(rename = "unit.updated")]
    UnitUpdated,
    #[serde(rename = "unit.deleted")]
    UnitDeleted,
    #[serde(rename = "unit_lineage.created")]
    UnitLineageCreated,
    #[serde(rename = "unit_lineage.updated")]
    UnitLineageUpdated,
    #[serde(rename = "unit_lineage.deleted")]
    UnitLineageDeleted,
    #[serde(rename = "legal_document.created")]
    LegalDocumentCreated,
    #[serde(rename = "legal_document.updated")]
    LegalDocumentUpdated,
    #[serde(rename = "legal_document.deleted")]
    LegalDocumentDeleted,
    /// The aggregates of a granted unit changed: fetch `GET /reports/summary` (no figures in
    /// the event).
    #[serde(rename = "summary.changed")]
    SummaryChanged,
}

impl EventType {
    pub const ALL: [EventType; 13] = [
        EventType::OutreachCreated,
        EventType::OutreachUpdated,
        EventType::OutreachDeleted,
        EventType::UnitCreated,
        EventType::UnitUpdated,
        EventType::UnitDeleted,
        EventType::UnitLineageCreated,
        EventType::UnitLineageUpdated,
        EventType::UnitLineageDeleted,
        EventType::LegalDocumentCreated,
        EventType::LegalDocumentUpdated,
        EventType::LegalDocumentDeleted,
        EventType::SummaryChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::OutreachCreated => "outreach.created",
            EventType::OutreachUpdated => "outreach.updated",
            EventType::OutreachDeleted => "outreach.deleted",
            EventType::UnitCreated => "unit.created",
            EventType::UnitUpdated => "unit.updated",
            EventType::UnitDeleted => "unit.deleted",
            EventType::UnitLineageCreated => "unit_lineage.created",
            EventType::UnitLineageUpdated => "unit_lineage.updated",
            EventType::UnitLineageDeleted => "unit_lineage.deleted",
            EventType::LegalDocumentCreated => "legal_document.created",
            EventType::LegalDocumentUpdated => "legal_document.updated",
            EventType::LegalDocumentDeleted => "legal_document.deleted",
            EventType::SummaryChanged => "summary.changed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Why an endpoint is disabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisabledReason {
    /// An admin disabled it.
    Manual,
    /// The target answered `410 Gone`.
    Gone,
    /// An event failed its last attempt (the retry schedule ran out).
    Failing,
}

impl DisabledReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DisabledReason::Manual => "manual",
            DisabledReason::Gone => "gone",
            DisabledReason::Failing => "failing",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Manual, Self::Gone, Self::Failing]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// A partner client's webhook endpoint.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7eaa",
    "client_id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e99",
    "url": "https://partner.example/hooks/binhdang",
    "description": "Outreach map",
    "event_types": ["outreach.created", "outreach.updated", "outreach.deleted"],
    "enabled": true,
    "disabled_reason": null,
    "disabled_at": null,
    "previous_secret_expires_at": null,
    "owner_unit_id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e80",
    "created_at": "2026-12-01T12:00:00Z",
    "updated_at": "2026-12-01T12:00:00Z",
    "version": 1
}))]
pub struct WebhookEndpoint {
    pub id: Uuid,
    /// The partner client (its `id`, not its `client_id`) the events are for: they obey what
    /// that client may read.
    pub client_id: Uuid,
    pub url: String,
    pub description: String,
    pub event_types: Vec<EventType>,
    /// A disabled endpoint receives nothing; its events wait (and are sent once it is enabled
    /// again, if their retries have not run out).
    pub enabled: bool,
    pub disabled_reason: Option<DisabledReason>,
    #[serde(serialize_with = "crate::http::json_body::opt_timestamp")]
    pub disabled_at: Option<DateTime<Utc>>,
    /// While a rotation overlaps, every event is signed with both the new and the old secret
    /// until this moment.
    #[serde(serialize_with = "crate::http::json_body::opt_timestamp")]
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    /// The client's owner unit: its admins manage the endpoint.
    pub owner_unit_id: Uuid,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<EndpointRow> for WebhookEndpoint {
    fn from(r: EndpointRow) -> Self {
        WebhookEndpoint {
            id: r.id,
            client_id: r.client_id,
            url: r.url,
            description: r.description,
            event_types: r.event_types.iter().filter_map(|t| EventType::parse(t)).collect(),
            enabled: r.enabled,
            disabled_reason: r.disabled_reason.as_deref().and_then(DisabledReason::parse),
            disabled_at: r.disabled_at,
            previous_secret_expires_at: r.previous_secret_expires_at.filter(|t| *t > Utc::now()),
            owner_unit_id: r.owner_unit_id,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// An endpoint with its signing secret: returned once, at creation or rotation.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEndpointWithSecret {
    #[serde(flatten)]
    pub endpoint: WebhookEndpoint,
    /// The Standard Webhooks signing secret (`whsec_` + base64 of 32 random bytes), for
    /// `Webhook(secret).verify(...)`. Shown only in this response (an idempotent replay of the
    /// creation answers `null`: rotate it if it was lost).
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw5X0Bt8hv3jE=")]
    pub secret: Option<String>,
}

fn valid_event_types(types: &[EventType]) -> Result<(), validator::ValidationError> {
    if types.is_empty() {
        let mut e = validator::ValidationError::new("length");
        e.message = Some("must list at least one event type".into());
        return Err(e);
    }
    Ok(())
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
// The demo partner client of `serve --demo`.
#[schema(example = json!({
    "client_id": "928a214e-dc69-517b-8750-954d7c9b6ee6",
    "url": "https://partner.example/hooks/binhdang",
    "description": "Outreach map",
    "event_types": ["outreach.created", "outreach.updated", "outreach.deleted", "summary.changed"]
}))]
pub struct NewWebhookEndpoint {
    /// The partner client's `id`.
    pub client_id: Uuid,
    /// `https://` (plain `http://` only where `WEBHOOK_ALLOW_HTTP` is set); no private,
    /// loopback or link-local address unless `WEBHOOK_ALLOW_PRIVATE_ADDRESSES` is set.
    #[validate(length(min = 1, max = 2000))]
    pub url: String,
    #[validate(length(max = 500))]
    pub description: Option<String>,
    #[validate(custom(function = "valid_event_types"))]
    pub event_types: Vec<EventType>,
    /// Default true.
    pub enabled: Option<bool>,
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"enabled": true}))]
pub struct WebhookEndpointPatch {
    #[validate(length(min = 1, max = 2000))]
    pub url: Option<String>,
    #[validate(length(max = 500))]
    pub description: Option<String>,
    #[validate(custom(function = "valid_event_types"))]
    pub event_types: Option<Vec<EventType>>,
    /// `false` disables it (`disabled_reason: manual`); `true` enables it again, whatever
    /// disabled it.
    pub enabled: Option<bool>,
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"overlap_hours": 24}))]
pub struct RotateWebhookSecret {
    /// How long the old secret keeps signing beside the new one (0 to 168 hours; default 24).
    #[validate(range(min = 0, max = 168))]
    pub overlap_hours: Option<i64>,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// The target answered 2xx.
    Delivered,
    /// The last attempt failed, or the target answered 410.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Delivered, Self::Failed]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// One event on its way to one endpoint.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7ebb",
    "message_id": "msg_2b7f0c1e5d3a4e8f9a1b2c3d4e5f6a7b",
    "event_type": "outreach.created",
    "status": "delivered",
    "attempts": 1,
    "next_attempt_at": null,
    "last_attempt_at": "2026-12-01T12:00:01Z",
    "last_status_code": 204,
    "last_latency_ms": 38,
    "last_error": null,
    "cursor": "Y2hhbmdlczoxMDQ1OjM",
    "created_at": "2026-12-01T12:00:00Z",
    "delivered_at": "2026-12-01T12:00:01Z",
    "payload": {"type": "outreach.created", "timestamp": "2026-12-01T12:00:00Z", "data": {}}
}))]
pub struct Delivery {
    pub id: Uuid,
    /// The `webhook-id` header: the same on every attempt, redelivery and replay of the event
    /// (deduplicate by it).
    pub message_id: String,
    /// An event type, or `webhook.test`.
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// When a pending delivery's next attempt is due.
    #[serde(serialize_with = "crate::http::json_body::opt_timestamp")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::http::json_body::opt_timestamp")]
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The HTTP status of the last answer (null when there was none: a timeout, a refused
    /// connection, a refused address).
    pub last_status_code: Option<i32>,
    pub last_latency_ms: Option<i32>,
    /// What went wrong on the last attempt, when no HTTP answer says it.
    pub last_error: Option<String>,
    /// The event's change-feed position (null for a test event): `POST .../replay` from it.
    pub cursor: Option<String>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::http::json_body::opt_timestamp")]
    pub delivered_at: Option<DateTime<Utc>>,
    /// The body as sent and signed.
    #[schema(value_type = Object)]
    pub payload: Value,
}

impl From<DeliveryRow> for Delivery {
    fn from(r: DeliveryRow) -> Self {
        let status = DeliveryStatus::parse(&r.status).unwrap_or(DeliveryStatus::Failed);
        Delivery {
            id: r.id,
            message_id: r.message_id,
            event_type: r.event_type,
            next_attempt_at: (status == DeliveryStatus::Pending).then_some(r.next_attempt_at),
            status,
            attempts: r.attempts,
            last_attempt_at: r.last_attempt_at,
            last_status_code: r.last_status_code,
            last_latency_ms: r.last_latency_ms,
            last_error: r.last_error,
            cursor: r
                .feed_txid
                .zip(r.feed_seq)
                .map(|(t, s)| crate::changes::api::encode_cursor(&t.to_string(), s)),
            created_at: r.created_at,
            delivered_at: r.delivered_at,
            payload: serde_json::from_str(&r.payload).unwrap_or(Value::Null),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesQuery {
    /// Only deliveries in this state.
    pub status: Option<DeliveryStatus>,
    /// Page size: default 50, at most 500.
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EndpointsQuery {
    /// Only the endpoints of this partner client (its `id`).
    pub client_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"since": "now"}))]
pub struct ReplayRequest {
    /// A change-feed cursor (an event's `cursor`, or a `next_cursor` of `GET /changes`): every
    /// event of this endpoint after it is sent again, oldest first, with its `webhook-id`.
    /// `now` replays nothing (a way to check the call).
    #[validate(length(min = 1, max = 200))]
    pub since: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"queued": 12, "has_more": false}))]
pub struct ReplayResult {
    /// Events queued again (at most 1,000 a call).
    pub queued: i64,
    /// True when more events follow the last one queued: call again with the `cursor` of the
    /// last delivery.
    pub has_more: bool,
}
