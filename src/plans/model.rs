//! Database rows of plans, targets and activities.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Int4, Int8, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use crate::db::schema::{plan_activities, plan_targets, plans};

/// A plan with its citations and target counts, as one query returns it.
#[derive(Debug, Clone, QueryableByName)]
pub struct PlanRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub unit_id: Uuid,
    #[diesel(sql_type = Text)]
    pub unit_path: String,
    #[diesel(sql_type = Int4)]
    pub year: i32,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub summary: Option<String>,
    #[diesel(sql_type = Array<Text>)]
    pub areas: Vec<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub parent_plan_id: Option<Uuid>,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub results_report: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
    #[diesel(sql_type = Int8)]
    pub version: i64,
    #[diesel(sql_type = Array<SqlUuid>)]
    pub document_ids: Vec<Uuid>,
    #[diesel(sql_type = BigInt)]
    pub targets_total: i64,
    #[diesel(sql_type = BigInt)]
    pub targets_met: i64,
}

/// A plan's citations and target counts, computed in its row's statement (one plan's and a
/// list's).
macro_rules! plan_derived {
    () => {
        "ARRAY(SELECT pd.document_id FROM plan_documents pd WHERE pd.plan_id = p.id ORDER BY pd.document_id) AS document_ids, \
         (SELECT count(*) FROM plan_targets t WHERE t.plan_id = p.id AND t.deleted_at IS NULL) AS targets_total, \
         (SELECT count(*) FROM plan_targets t WHERE t.plan_id = p.id AND t.deleted_at IS NULL AND t.actual_value IS NOT NULL \
           AND CASE t.direction WHEN 'decrease' THEN t.actual_value <= t.target_value ELSE t.actual_value >= t.target_value END) AS targets_met"
    };
}
pub(crate) use plan_derived;

/// The SQL that reads [`PlanRow`]s from `plans p`, in one round trip.
pub const PLAN_SELECT: &str = concat!(
    "SELECT p.id, p.unit_id, p.unit_path, p.year, p.kind, p.title, p.summary, p.areas, \
     p.parent_plan_id, p.status, p.results_report, p.created_at, p.updated_at, p.version, ",
    plan_derived!(),
    " FROM plans p"
);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = plan_targets, check_for_backend(diesel::pg::Pg))]
pub struct TargetRow {
    pub id: Uuid,
    pub plan_id: Uuid,
    pub indicator: String,
    pub indicator_code: Option<String>,
    pub unit_of_measure: String,
    pub direction: String,
    pub baseline: Option<f64>,
    pub target_value: f64,
    pub actual_value: Option<f64>,
    pub measured_on: Option<NaiveDate>,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub updated_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = plan_activities, check_for_backend(diesel::pg::Pg))]
pub struct ActivityRow {
    pub id: Uuid,
    pub plan_id: Uuid,
    pub kind: String,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub responsible_unit_id: Uuid,
    pub responsible_unit_path: String,
    pub budget_state_vnd: i64,
    pub budget_mobilized_vnd: i64,
    pub status: String,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub updated_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i64,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = plan_targets)]
pub struct TargetChanges {
    pub indicator: Option<String>,
    pub indicator_code: Option<Option<String>>,
    pub unit_of_measure: Option<String>,
    pub direction: Option<String>,
    pub baseline: Option<Option<f64>>,
    pub target_value: Option<f64>,
    pub actual_value: Option<Option<f64>>,
    pub measured_on: Option<Option<NaiveDate>>,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = plan_activities)]
pub struct ActivityChanges {
    pub kind: Option<String>,
    pub title: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub responsible_unit_id: Option<Uuid>,
    pub responsible_unit_path: Option<String>,
    pub budget_state_vnd: Option<i64>,
    pub budget_mobilized_vnd: Option<i64>,
    pub status: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = plans)]
pub struct NewPlanRow {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub year: i32,
    pub kind: String,
    pub title: String,
    pub summary: Option<String>,
    pub areas: Vec<String>,
    pub parent_plan_id: Option<Uuid>,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = plans)]
pub struct PlanChanges {
    pub title: Option<String>,
    pub summary: Option<Option<String>>,
    pub areas: Option<Vec<String>>,
    pub parent_plan_id: Option<Option<Uuid>>,
    pub status: Option<String>,
    pub results_report: Option<String>,
}

/// A new plan with the legal documents it cites.
pub struct PlanDraft {
    pub row: NewPlanRow,
    pub documents: Vec<Uuid>,
}
