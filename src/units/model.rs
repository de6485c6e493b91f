//! Database rows of units. Never serialized to clients: see `api.rs` for what leaves the service.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::{unit_figures, unit_leaders, unit_lineage, units};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = units, check_for_backend(diesel::pg::Pg))]
pub struct UnitRow {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub path: String,
    pub depth: i32,
    pub kind: String,
    pub code: Option<String>,
    pub name: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = units)]
pub struct NewUnitRow {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub path: String,
    pub depth: i32,
    pub kind: String,
    pub code: Option<String>,
    pub name: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

impl NewUnitRow {
    /// True when `existing` is this same record (a client resending what it created). The
    /// start date is compared only when the client sent one (otherwise it defaulted to a day).
    pub fn same_as(&self, existing: &UnitRow, compare_valid_from: bool) -> bool {
        self.parent_id == existing.parent_id
            && self.kind == existing.kind
            && self.code == existing.code
            && self.name == existing.name
            && self.valid_to == existing.valid_to
            && (!compare_valid_from || self.valid_from == existing.valid_from)
    }
}

/// A new unit as a create makes it: the row, and whether the client sent its start date (a
/// resend is compared on it only then).
pub struct UnitDraft {
    pub row: NewUnitRow,
    pub compare_valid_from: bool,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = units)]
pub struct UnitChanges {
    pub kind: Option<String>,
    pub code: Option<Option<String>>,
    pub name: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<Option<NaiveDate>>,
}

impl UnitChanges {
    pub fn is_empty(&self) -> bool {
        self.kind.is_none()
            && self.code.is_none()
            && self.name.is_none()
            && self.valid_from.is_none()
            && self.valid_to.is_none()
    }
}

#[derive(Debug, Clone, Insertable, Queryable, Selectable)]
#[diesel(table_name = unit_lineage, check_for_backend(diesel::pg::Pg))]
pub struct LineageRow {
    pub predecessor_id: Uuid,
    pub successor_id: Uuid,
    pub effective_on: NaiveDate,
    pub note: Option<String>,
}

impl LineageRow {
    /// The link's stable id (for the audit trail and the change feed).
    pub fn id(&self) -> Uuid {
        Uuid::new_v5(&self.successor_id, self.predecessor_id.as_bytes())
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = unit_leaders, check_for_backend(diesel::pg::Pg))]
pub struct LeaderRow {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub body: String,
    pub position: String,
    pub holder_sex: String,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = unit_leaders)]
pub struct LeaderChanges {
    pub holder_sex: Option<String>,
    pub started_on: Option<NaiveDate>,
    pub ended_on: Option<Option<NaiveDate>>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = unit_figures, check_for_backend(diesel::pg::Pg))]
pub struct FiguresRow {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub year: i32,
    pub ge_officials: Option<i32>,
    pub gbv_victims_detected: Option<i32>,
    pub gbv_victims_supported: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}
