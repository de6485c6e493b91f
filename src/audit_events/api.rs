//! What admins see of the audit trail, and its filters.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::model::AuditRow;
use crate::http::json_row::{RowWriter, SortKept, WriteRow};
use crate::json_key;
use diesel::deserialize;
use diesel::pg::Pg;
use diesel::row::Row;

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
    /// The record (its API form) before the change (null for a create), its JSON as the
    /// database keeps it: keys in the database's order, not alphabetical.
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    /// The record after the change (null for a delete), as `before`.
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

/// An event read whole, by serde: what each written list item ([`AuditItem`]) is checked
/// against (tests/api/audit.rs).
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

/// An event of a list page, written from its row (its `COLUMNS` by position) in the shape of
/// [`AuditEvent`]. `before` and `after` are the stored JSON as PostgreSQL sends it.
pub struct AuditItem;

impl WriteRow for AuditItem {
    const COLUMNS: &'static str = "a.seq, a.at, a.actor_kind, a.actor_id, a.actor_name, a.actor_unit_id, a.resource, \
         a.record_id, a.record_unit_id, a.action, a.before, a.after, a.request_id";
    /// The sequence number: the id and the one sort's value.
    type Kept = SortKept<i64, 1>;

    fn write<'a, R: Row<'a, Pg>>(w: &mut RowWriter<'_, 'a, R>) -> deserialize::Result<Self::Kept> {
        let seq = w.int8(json_key!("seq"), 0)?;
        w.timestamp(json_key!("at"), 1)?;
        w.object(json_key!("actor"), |w| {
            w.text(json_key!("kind"), 2)?;
            w.uuid(json_key!("id"), 3)?;
            w.text(json_key!("name"), 4)?;
            w.uuid(json_key!("unit_id"), 5)?;
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
        })?;
        w.text(json_key!("resource"), 6)?;
        w.uuid(json_key!("record_id"), 7)?;
        w.uuid(json_key!("unit_id"), 8)?;
        w.text(json_key!("action"), 9)?;
        w.jsonb(json_key!("before"), 10)?;
        w.jsonb(json_key!("after"), 11)?;
        w.text(json_key!("request_id"), 12)?;
        SortKept::new(Some(seq), &["at"], [Some(seq.into())])
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
