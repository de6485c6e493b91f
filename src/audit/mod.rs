//! The audit trail: every create, update, delete and workflow transition, on every resource,
//! recorded by [`record`] in the same transaction as the change (a rolled-back change leaves
//! no entry; an entry never exists without its change). The table is append-only: the database
//! refuses UPDATE, DELETE and TRUNCATE on it. The same rows feed `/api/v1/changes`.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::schema::audit_events;

/// The unit path of records that belong to no unit (legal documents, indicators): every
/// signed-in caller's change feed carries them.
pub const GLOBAL_PATH: &str = "/";

/// The unit path of a survivor's case's entries: no caller's scope matches it, so neither the
/// audit trail nor the change feed shows them by scope; they reach the case's readers only,
/// through `case_id` (see `support_cases`).
pub const CASE_PATH: &str = "#case";

/// The action of the tombstone a user gets when it loses access to a case: the change feed
/// shows it as a deletion, so the device drops the case.
pub const ACCESS_ENDED: &str = "access_ended";

/// The SQL condition on an `audit_events` row: an entry of a survivor's case that `who` (an SQL
/// expression of a user id) may see now: it reads the case, or the entry is addressed to it.
pub fn case_entry_for(who: &str) -> String {
    format!(
        "(case_id IS NOT NULL AND (audience = {who} OR (audience IS NULL AND bd_case_access(case_id, {who}) IS NOT NULL)))"
    )
}

/// One change to one record. `after` is the record's API representation after the change
/// (`None` for a delete), `before` the one before it (`None` for a create).
pub struct Change<'a> {
    pub resource: &'static str,
    pub record_id: Uuid,
    pub unit_id: Uuid,
    pub unit_path: &'a str,
    pub action: &'a str,
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// The survivor's case the entry is about: its readers alone see it.
    pub case_id: Option<Uuid>,
    /// The one user the entry is for (a tombstone telling a device to drop a case).
    pub audience: Option<Uuid>,
}

impl<'a> Change<'a> {
    /// A change with the record's representation before and after it.
    pub fn new<T: Serialize>(
        resource: &'static str,
        (record_id, unit_id, unit_path): (Uuid, Uuid, &'a str),
        action: &'a str,
        before: Option<&T>,
        after: Option<&T>,
    ) -> Self {
        let json = |v: Option<&T>| v.and_then(|v| serde_json::to_value(v).ok());
        Self {
            resource,
            record_id,
            unit_id,
            unit_path,
            action,
            before: json(before),
            after: json(after),
            case_id: None,
            audience: None,
        }
    }

    /// The entry of a change to (a part of) survivor's case `case_id`: ids and version only,
    /// under [`CASE_PATH`], so the audit trail, the change feed and their exports never hold a
    /// case's contents.
    pub fn confidential(mut self, case_id: Uuid) -> Self {
        let ids = |v: &Option<Value>| {
            v.as_ref().map(|v| {
                let mut out = serde_json::Map::new();
                for k in ["id", "version", "case_id"] {
                    if let Some(x) = v.get(k) {
                        out.insert(k.into(), x.clone());
                    }
                }
                Value::Object(out)
            })
        };
        self.before = ids(&self.before);
        self.after = ids(&self.after);
        self.unit_path = CASE_PATH;
        self.case_id = Some(case_id);
        self
    }

    pub fn created<T: Serialize>(
        resource: &'static str,
        id: Uuid,
        unit_id: Uuid,
        unit_path: &'a str,
        after: &T,
    ) -> Self {
        Self::new(resource, (id, unit_id, unit_path), "create", None, Some(after))
    }

    pub fn updated<T: Serialize>(
        resource: &'static str,
        id: Uuid,
        unit_id: Uuid,
        unit_path: &'a str,
        before: &T,
        after: &T,
    ) -> Self {
        Self::new(resource, (id, unit_id, unit_path), "update", Some(before), Some(after))
    }

    pub fn deleted<T: Serialize>(
        resource: &'static str,
        id: Uuid,
        unit_id: Uuid,
        unit_path: &'a str,
        before: &T,
    ) -> Self {
        Self::new(resource, (id, unit_id, unit_path), "delete", Some(before), None)
    }
}

/// Who made a change: the caller, or the system (seed, migrations).
pub enum Actor<'a> {
    Caller(&'a Caller),
    System,
}

pub async fn record(conn: &mut AsyncPgConnection, actor: Actor<'_>, change: Change<'_>) -> QueryResult<()> {
    let (kind, id, name, unit) = match actor {
        Actor::Caller(c) => (c.kind.as_str(), Some(c.id), Some(c.name.clone()), Some(c.unit_id)),
        Actor::System => ("system", None, Some("binhdang".to_string()), None),
    };
    let request_id = crate::error::REQUEST_CONTEXT.try_with(|c| c.request_id.clone()).ok();
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::actor_kind.eq(kind),
            audit_events::actor_id.eq(id),
            audit_events::actor_name.eq(name),
            audit_events::actor_unit_id.eq(unit),
            audit_events::resource.eq(change.resource),
            audit_events::record_id.eq(change.record_id),
            audit_events::record_unit_id.eq(change.unit_id),
            audit_events::record_unit_path.eq(change.unit_path),
            audit_events::action.eq(change.action),
            audit_events::before.eq(change.before),
            audit_events::after.eq(change.after),
            audit_events::request_id.eq(request_id),
            audit_events::case_id.eq(change.case_id),
            audit_events::audience.eq(change.audience),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}
