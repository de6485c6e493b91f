//! What the change feed reads of `audit_events`.

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, diesel::QueryableByName)]
pub struct Row {
    #[diesel(sql_type = Text)]
    pub txid: String,
    #[diesel(sql_type = BigInt)]
    pub seq: i64,
    #[diesel(sql_type = Text)]
    pub resource: String,
    #[diesel(sql_type = SqlUuid)]
    pub record_id: Uuid,
    #[diesel(sql_type = Text)]
    pub action: String,
    #[diesel(sql_type = Timestamptz)]
    pub at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub after: Option<Value>,
    /// For an outreach event: public after the change.
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub is_public: bool,
}

#[derive(Debug, diesel::QueryableByName)]
pub struct Head {
    #[diesel(sql_type = Text)]
    pub xmin: String,
}
