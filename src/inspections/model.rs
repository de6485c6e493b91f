//! The rows of `inspections`.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::inspections;

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = inspections, check_for_backend(diesel::pg::Pg))]
pub struct InspectionRow {
    pub id: Uuid,
    pub kind: String,
    pub inspecting_unit_id: Uuid,
    pub unit_path: String,
    pub subject_name: String,
    pub subject_type: String,
    pub subject_unit_id: Option<Uuid>,
    pub subject_address: Option<String>,
    pub decision_number: Option<String>,
    pub decision_on: Option<NaiveDate>,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub areas: Vec<String>,
    pub team_members: Vec<String>,
    pub status: String,
    pub conclusion: Option<String>,
    pub concluded_on: Option<NaiveDate>,
    pub recommendations: Option<String>,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub updated_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i64,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = inspections)]
pub struct InspectionChanges {
    pub status: Option<String>,
    pub conclusion: Option<String>,
    pub concluded_on: Option<NaiveDate>,
    pub recommendations: Option<String>,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub areas: Option<Vec<String>>,
    pub team_members: Option<Vec<String>>,
}
