//! What the audit trail's list reads of `audit_events`.

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use serde_json::Value;
use uuid::Uuid;

/// An event as diesel reads it, by name (the columns of [`AuditItem`](super::api::AuditItem)).
#[derive(Debug, diesel::QueryableByName)]
pub struct AuditRow {
    #[diesel(sql_type = BigInt)]
    pub seq: i64,
    #[diesel(sql_type = Timestamptz)]
    pub at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    pub actor_kind: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub actor_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub actor_name: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub actor_unit_id: Option<Uuid>,
    #[diesel(sql_type = Text)]
    pub resource: String,
    #[diesel(sql_type = SqlUuid)]
    pub record_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub record_unit_id: Uuid,
    #[diesel(sql_type = Text)]
    pub action: String,
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub before: Option<Value>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub after: Option<Value>,
    #[diesel(sql_type = Nullable<Text>)]
    pub request_id: Option<String>,
}
