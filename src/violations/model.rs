//! The rows of `violations` and of the sanction catalogue (decrees, rules, fining powers: these
//! reference rows are read by clients as they are).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::{decrees, fining_authorities, violation_rules, violations};

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

#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = decrees, check_for_backend(diesel::pg::Pg))]
pub struct Decree {
    #[schema(example = "125/2021/NĐ-CP")]
    pub code: String,
    pub title: String,
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub effective_from: NaiveDate,
    #[serde(serialize_with = "crate::http::json_body::opt_date")]
    pub effective_to: Option<NaiveDate>,
    /// The highest fine for an individual in the field of gender equality, VND.
    pub individual_max_vnd: i64,
    /// An organisation's fine is this multiple of an individual's.
    pub organization_multiplier: i32,
    /// A decision later than this many months after the act is barred.
    pub limitation_months: i32,
    pub verified: bool,
    /// The text the values come from.
    pub source: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, ToSchema)]
#[diesel(table_name = violation_rules, check_for_backend(diesel::pg::Pg))]
pub struct Rule {
    pub id: Uuid,
    pub decree_code: String,
    pub article: i32,
    pub clause: i32,
    pub point: Option<String>,
    /// One of the law's eight areas.
    pub area: String,
    pub description: String,
    /// The band for an individual, VND.
    pub min_fine_vnd: i64,
    pub max_fine_vnd: i64,
    /// False where the article, clause or band still needs checking against the decree.
    pub verified: bool,
    /// The decree's article and clause the row comes from.
    pub source: String,
    #[diesel(skip_insertion)]
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[diesel(skip_insertion)]
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
    #[diesel(skip_insertion)]
    pub version: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = fining_authorities, check_for_backend(diesel::pg::Pg))]
pub struct Authority {
    pub code: String,
    pub position: String,
    /// May only warn.
    pub warning_only: bool,
    /// The ceiling as a share of the decree's maximum for the offender.
    pub max_percent: Option<i32>,
    /// Or as a fixed amount, VND.
    pub max_vnd: Option<i64>,
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub effective_from: NaiveDate,
    #[serde(serialize_with = "crate::http::json_body::opt_date")]
    pub effective_to: Option<NaiveDate>,
    pub legal_basis: String,
    pub verified: bool,
    /// False when the position has no sanctioning power at all on those days (from 1 July 2025
    /// an inspector alone verifies, and sanctions nothing).
    pub may_sanction: bool,
}
