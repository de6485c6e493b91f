//! The rows of `violations`.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::violations;
use crate::http::list::Keyed;

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = violations, check_for_backend(diesel::pg::Pg))]
pub struct ViolationRow {
    pub id: Uuid,
    pub inspection_id: Option<Uuid>,
    pub handling_unit_id: Uuid,
    pub unit_path: String,
    pub offender_kind: String,
    pub organization_name: Option<String>,
    pub rule_id: Uuid,
    pub area: String,
    pub act_on: NaiveDate,
    pub description: Option<String>,
    pub record_number: Option<String>,
    pub recorded_on: Option<NaiveDate>,
    pub penalty: Option<String>,
    pub fine_vnd: Option<i64>,
    pub remedial_measures: Vec<String>,
    pub status: String,
    pub decided_on: Option<NaiveDate>,
    pub decided_by_position: Option<String>,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub updated_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i64,
}

impl Keyed for ViolationRow {
    fn id(&self) -> String {
        self.id.to_string()
    }
    fn sort_value(&self, _: &str) -> String {
        self.act_on.to_string()
    }
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = violations)]
pub struct ViolationChanges {
    pub penalty: Option<String>,
    pub fine_vnd: Option<i64>,
    pub remedial_measures: Option<Vec<String>>,
    pub status: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub decided_by_position: Option<String>,
}
