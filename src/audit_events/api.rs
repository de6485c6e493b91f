//! What admins see of the audit trail, and its filters.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::model::AuditRow;

/// One recorded change.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "seq": 42, "at": "2026-11-29T12:00:00Z",
    "actor": {"kind": "user", "id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e90", "name": "admin", "unit_id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e80"},
    "resource": "unit", "record_id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e81", "unit_id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e81",
    "action": "update", "before": {"name": "Phường Hạ Long", "version": 1}, "after": {"name": "Phường Hạ Long (cũ)", "version": 2},
    "request_id": "b1946ac9-2d1c-4d4a-9a55-0b3f5d8f4e21"
}))]
pub struct AuditEvent {
    /// Increases with every event.
    pub seq: i64,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub at: DateTime<Utc>,
    pub actor: Actor,
    /// The resource type (`unit`, `unit_lineage`, `api_client`, ...).
    pub resource: String,
    pub record_id: Uuid,
    /// The unit the record belongs to.
    pub unit_id: Uuid,
    /// `create`, `update`, `delete`, or a workflow action.
    pub action: String,
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<Value>,
    pub request_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Actor {
    /// `user`, `client` or `system`.
    pub kind: String,
    pub id: Option<Uuid>,
    pub name: Option<String>,
    pub unit_id: Option<Uuid>,
}

impl From<AuditRow> for AuditEvent {
    fn from(r: AuditRow) -> Self {
        AuditEvent {
            seq: r.seq,
            at: r.at,
            actor: Actor {
                kind: r.actor_kind,
                id: r.actor_id,
                name: r.actor_name,
                unit_id: r.actor_unit_id,
            },
            resource: r.resource,
            record_id: r.record_id,
            unit_id: r.record_unit_id,
            action: r.action,
            before: r.before,
            after: r.after,
            request_id: r.request_id,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilters {
    /// Resource type, e.g. `unit`.
    pub resource: Option<String>,
    /// One record's history.
    pub record_id: Option<Uuid>,
    /// Events by this user or client.
    pub actor_id: Option<Uuid>,
    /// Events on records of this unit and its descendants.
    pub unit_id: Option<Uuid>,
    /// From this time (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Up to this time (exclusive).
    pub to: Option<DateTime<Utc>>,
}
