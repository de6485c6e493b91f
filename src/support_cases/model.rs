//! The rows of `support_cases` and what a logged read returns.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use serde_json::Value;
use uuid::Uuid;

use crate::db::schema::support_cases;
use crate::http::list::{ts_key, Keyed};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = support_cases, check_for_backend(diesel::pg::Pg))]
pub struct CaseRow {
    pub id: Uuid,
    pub code: String,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub status: String,
    pub survivor_sex: String,
    pub survivor_age_band: String,
    pub priority_groups: Vec<String>,
    pub relationship: String,
    pub acts: Vec<String>,
    pub forms: Vec<String>,
    pub incident_on: Option<NaiveDate>,
    pub reported_on: NaiveDate,
    pub channel: String,
    pub plan: Option<String>,
    pub closure_reason: Option<String>,
    pub created_by: Uuid,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub updated_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i64,
}

/// A case as a logged read returns it: the row, how the caller reads it, and its parts.
#[derive(Debug, QueryableByName)]
pub struct ReadCase {
    #[diesel(embed)]
    pub case: CaseRow,
    #[diesel(sql_type = Text)]
    pub via: String,
    #[diesel(sql_type = Jsonb)]
    pub case_workers: Value,
    #[diesel(sql_type = Jsonb)]
    pub consents: Value,
    #[diesel(sql_type = Jsonb)]
    pub services: Value,
}

impl Keyed for ReadCase {
    fn id(&self) -> String {
        self.case.id.to_string()
    }
    fn sort_value(&self, field: &str) -> String {
        match field {
            "created_at" => ts_key(&self.case.created_at),
            _ => ts_key(&self.case.updated_at),
        }
    }
}

#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = support_cases)]
pub struct CaseChanges {
    pub status: Option<String>,
    pub survivor_sex: Option<String>,
    pub survivor_age_band: Option<String>,
    pub priority_groups: Option<Vec<String>>,
    pub relationship: Option<String>,
    pub acts: Option<Vec<String>>,
    pub forms: Option<Vec<String>>,
    pub incident_on: Option<Option<NaiveDate>>,
    pub reported_on: Option<NaiveDate>,
    pub channel: Option<String>,
    pub plan: Option<Option<String>>,
    pub closure_reason: Option<Option<String>>,
}

#[derive(Debug, QueryableByName)]
pub struct ReadRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = SqlUuid)]
    pub user_id: Uuid,
    #[diesel(sql_type = Text)]
    pub user_name: String,
    #[diesel(sql_type = Text)]
    pub what: String,
    #[diesel(sql_type = Text)]
    pub via: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub reason: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub request_id: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub at: DateTime<Utc>,
}

impl Keyed for ReadRow {
    fn id(&self) -> String {
        self.id.to_string()
    }
    fn sort_value(&self, _field: &str) -> String {
        self.id.to_string()
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::support_case_notices, check_for_backend(diesel::pg::Pg))]
pub struct NoticeRow {
    pub id: i64,
    pub kind: String,
    pub case_id: Option<Uuid>,
    pub subject_user_id: Uuid,
    pub subject_name: String,
    pub detail: Option<String>,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = crate::db::schema::support_case_measures, check_for_backend(diesel::pg::Pg))]
pub struct MeasureRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub kind: String,
    pub authority: String,
    pub rule_code: String,
    pub requested_at: DateTime<Utc>,
    pub requested_by: String,
    pub victim_consent: bool,
    pub status: String,
    pub decide_by: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub max_ends_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// A measure with its case's code.
#[derive(Debug, QueryableByName)]
pub struct CodedMeasure {
    #[diesel(embed)]
    pub measure: MeasureRow,
    #[diesel(sql_type = Text)]
    pub case_code: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::dv_measure_rules, check_for_backend(diesel::pg::Pg))]
pub struct MeasureRuleRow {
    pub code: String,
    pub measure: String,
    pub authority: String,
    pub decide_within_hours: Option<i32>,
    pub max_hours: Option<i32>,
    pub max_months: Option<i32>,
    pub consent_required_for: Vec<String>,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub legal_basis: String,
    pub verified: bool,
}

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = crate::db::schema::support_case_referrals, check_for_backend(diesel::pg::Pg))]
pub struct ReferralRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub from_unit_id: Uuid,
    pub to_service_id: Option<Uuid>,
    pub to_unit_id: Uuid,
    pub services_requested: Vec<String>,
    pub shares: Vec<String>,
    pub note: Option<String>,
    pub consent_id: Option<Uuid>,
    pub override_reason: Option<String>,
    pub status: String,
    pub reason: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub responded_by: Option<Uuid>,
    pub responded_at: Option<DateTime<Utc>>,
    pub version: i64,
}
