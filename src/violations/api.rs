//! What clients send and see of a violation.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::model::ViolationRow;
use super::sanctions::{OffenderKind, Penalty};
use crate::db::schema::violation_rules;
use crate::domain::{enum_parse, LawArea};
use crate::http::json_row::{RowWriter, SortKept, SortRaw, WriteRow};
use crate::json_key;
use diesel::deserialize;
use diesel::pg::Pg;
use diesel::row::Row;
use diesel::AsChangeset;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ViolationStatus {
    Recorded,
    Decided,
    Complied,
    Appealed,
    Enforced,
}

/// An individual offender (confidential).
#[derive(Clone, Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Trần Văn C", "details": "Trưởng phòng nhân sự"}))]
pub struct Offender {
    #[validate(length(min = 1, max = 200))]
    pub name: String,
    #[validate(length(max = 1000))]
    pub details: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7ea2", "inspection_id": null, "handling_unit_id": "63d3f3d4-c46d-57e3-90b9-de42b6716496",
    "offender_kind": "organization", "organization_name": "Công ty TNHH Dệt may Nam Định",
    "rule_id": "6b1f5a2e-8d3c-5e7a-9f10-2b3c4d5e6fa0", "area": "labour", "act_on": "2024-09-12",
    "description": null, "record_number": "01/BB-VPHC", "recorded_on": "2024-09-20", "penalty": "fine", "fine_vnd": 40000000,
    "remedial_measures": [], "status": "decided", "decided_on": "2024-10-01", "decided_by_position": "province_chairman",
    "created_at": "2026-11-29T12:00:00Z", "updated_at": "2026-11-29T12:00:00Z", "version": 2
}))]
pub struct Violation {
    pub id: Uuid,
    /// The inspection that found it, if any.
    pub inspection_id: Option<Uuid>,
    pub handling_unit_id: Uuid,
    pub offender_kind: OffenderKind,
    /// For an organisation, its name (not a person's data).
    pub organization_name: Option<String>,
    /// The catalogue rule the act breaks.
    pub rule_id: Uuid,
    pub area: LawArea,
    /// The day of the act: the decree in force then judges it.
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub act_on: NaiveDate,
    pub description: Option<String>,
    /// The record (biên bản) number and date.
    pub record_number: Option<String>,
    #[serde(serialize_with = "crate::http::json_body::opt_date")]
    pub recorded_on: Option<NaiveDate>,
    pub penalty: Option<Penalty>,
    pub fine_vnd: Option<i64>,
    pub remedial_measures: Vec<String>,
    pub status: ViolationStatus,
    #[serde(serialize_with = "crate::http::json_body::opt_date")]
    pub decided_on: Option<NaiveDate>,
    pub decided_by_position: Option<String>,
    /// An individual offender: shown only to the handling unit's inspectors and admins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offender: Option<Offender>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<ViolationRow> for Violation {
    fn from(r: ViolationRow) -> Self {
        Violation {
            id: r.id,
            inspection_id: r.inspection_id,
            handling_unit_id: r.handling_unit_id,
            offender_kind: enum_parse(&r.offender_kind).unwrap_or(OffenderKind::Individual),
            organization_name: r.organization_name,
            rule_id: r.rule_id,
            area: LawArea::parse(&r.area).unwrap_or(LawArea::Family),
            act_on: r.act_on,
            description: r.description,
            record_number: r.record_number,
            recorded_on: r.recorded_on,
            penalty: r.penalty.as_deref().and_then(enum_parse),
            fine_vnd: r.fine_vnd,
            remedial_measures: r.remedial_measures,
            status: enum_parse(&r.status).unwrap_or(ViolationStatus::Recorded),
            decided_on: r.decided_on,
            decided_by_position: r.decided_by_position,
            offender: None,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// A violation of a list page, written from its row (its `COLUMNS` by position) in the shape of
/// [`Violation`] (a list shows no offender).
pub struct ViolationItem;

impl WriteRow for ViolationItem {
    const COLUMNS: &'static str = "v.id, v.inspection_id, v.handling_unit_id, v.offender_kind, v.organization_name, \
         v.rule_id, v.area, v.act_on, v.description, v.record_number, v.recorded_on, v.penalty, v.fine_vnd, \
         v.remedial_measures, v.status, v.decided_on, v.decided_by_position, v.created_at, v.updated_at, v.version";
    /// The id and the day of the act (the one sort).
    type Kept = SortKept<Uuid, 1>;

    fn write<'a, R: Row<'a, Pg>>(w: &mut RowWriter<'_, 'a, R>) -> deserialize::Result<Self::Kept> {
        let id = w.uuid(json_key!("id"), 0)?;
        w.uuid(json_key!("inspection_id"), 1)?;
        w.uuid(json_key!("handling_unit_id"), 2)?;
        w.text_as(json_key!("offender_kind"), 3, |k| match k {
            "organization" => "organization",
            _ => "individual",
        })?;
        w.text(json_key!("organization_name"), 4)?;
        w.uuid(json_key!("rule_id"), 5)?;
        w.text_as(json_key!("area"), 6, |a| {
            LawArea::parse(a).unwrap_or(LawArea::Family).as_str()
        })?;
        let act_on = w.date(json_key!("act_on"), 7)?;
        w.text(json_key!("description"), 8)?;
        w.text(json_key!("record_number"), 9)?;
        w.date(json_key!("recorded_on"), 10)?;
        w.text_known(json_key!("penalty"), 11, |p| {
            matches!(p, "warning" | "fine").then_some(p)
        })?;
        w.opt_int8(json_key!("fine_vnd"), 12)?;
        w.text_list(json_key!("remedial_measures"), 13)?;
        w.text_as(json_key!("status"), 14, |st| match st {
            "recorded" | "decided" | "complied" | "appealed" | "enforced" => st,
            _ => "recorded",
        })?;
        w.date(json_key!("decided_on"), 15)?;
        w.text(json_key!("decided_by_position"), 16)?;
        w.timestamp(json_key!("created_at"), 17)?;
        w.timestamp(json_key!("updated_at"), 18)?;
        w.int8(json_key!("version"), 19)?;
        SortKept::new(id, &["act_on"], [act_on.map(SortRaw::from)])
    }
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "offender_kind": "organization", "organization_name": "Công ty TNHH Dệt may Nam Định",
    "id": "0193a7c0-0000-7000-8000-00000000b001",
    "rule_id": "a6b5b6c1-d796-515b-a061-12a8d6b681e2", "act_on": "2024-09-12",
    "record_number": "01/BB-VPHC", "recorded_on": "2024-09-20"
}))]
pub struct NewViolation {
    pub id: Option<Uuid>,
    /// Defaults to the caller's unit.
    pub handling_unit_id: Option<Uuid>,
    pub inspection_id: Option<Uuid>,
    pub offender_kind: OffenderKind,
    #[validate(length(min = 1, max = 300))]
    pub organization_name: Option<String>,
    /// An individual offender's identity (confidential).
    #[validate(nested)]
    pub offender: Option<Offender>,
    pub rule_id: Uuid,
    #[serde(deserialize_with = "crate::http::date::strict")]
    pub act_on: NaiveDate,
    #[validate(length(max = 20000))]
    pub description: Option<String>,
    #[validate(length(min = 1, max = 64))]
    pub record_number: Option<String>,
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub recorded_on: Option<NaiveDate>,
    #[serde(default)]
    #[validate(custom(function = "crate::trainings::api::valid_names"))]
    pub remedial_measures: Vec<String>,
}

/// The sanction decision.
#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"penalty": "fine", "fine_vnd": 40000000, "decided_by_position": "province_chairman",
                          "remedial_measures": ["Xin lỗi công khai"]}))]
pub struct DecideRequest {
    pub penalty: Penalty,
    pub fine_vnd: Option<i64>,
    /// The decision's day; defaults to today (Vietnam's date).
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub decided_on: Option<NaiveDate>,
    /// `commune_chairman`, `district_chairman`, `province_department_director`,
    /// `province_chairman`, `chief_inspector`, `inspector`.
    #[validate(length(min = 1, max = 64))]
    pub decided_by_position: String,
    /// Remedial measures (e.g. a public apology unless the victim declines in writing).
    #[validate(custom(function = "crate::trainings::api::valid_names"))]
    pub remedial_measures: Option<Vec<String>>,
}

/// After the decision: complied, appealed, or enforced.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "complied"}))]
pub struct ViolationPatch {
    pub status: ViolationStatus,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ViolationFilters {
    pub area: Option<LawArea>,
    pub status: Option<ViolationStatus>,
    pub penalty: Option<Penalty>,
    pub inspection_id: Option<Uuid>,
    /// Acts on or after.
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub from: Option<NaiveDate>,
    /// Acts on or before.
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RuleFilters {
    /// e.g. `125/2021/NĐ-CP`.
    pub decree: Option<String>,
    pub area: Option<LawArea>,
    /// Only the rules of the decree in force on this day.
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub on: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "id": "0193a7c0-0000-7000-8000-00000000e001",
    "decree_code": "125/2021/NĐ-CP", "article": 6, "clause": 1, "point": "a", "area": "politics",
    "description": "Vận động người khác không ứng cử vì lý do giới tính", "min_fine_vnd": 2000000, "max_fine_vnd": 3000000,
    "source": "Nghị định 125/2021/NĐ-CP, Điều 6 khoản 1 điểm a"
}))]
pub struct NewRule {
    /// Optional client-chosen id (a retry with the same id and body replays the first answer).
    pub id: Option<Uuid>,
    #[validate(length(min = 1, max = 64))]
    pub decree_code: String,
    #[validate(range(min = 1, max = 500))]
    pub article: i32,
    #[validate(range(min = 1, max = 50))]
    pub clause: i32,
    #[validate(length(min = 1, max = 2))]
    pub point: Option<String>,
    pub area: LawArea,
    #[validate(length(min = 1, max = 2000))]
    pub description: String,
    #[validate(range(min = 0, max = 10_000_000_000_i64))]
    pub min_fine_vnd: i64,
    #[validate(range(min = 0, max = 10_000_000_000_i64))]
    pub max_fine_vnd: i64,
    /// Checked against the decree's text.
    #[serde(default)]
    pub verified: bool,
    /// The article and clause of the decree the row comes from.
    #[validate(length(min = 1, max = 500))]
    pub source: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema, AsChangeset)]
#[diesel(table_name = violation_rules)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"min_fine_vnd": 3000000, "max_fine_vnd": 5000000, "verified": true}))]
pub struct RulePatch {
    #[validate(length(min = 1, max = 2000))]
    pub description: Option<String>,
    #[validate(range(min = 0, max = 10_000_000_000_i64))]
    pub min_fine_vnd: Option<i64>,
    #[validate(range(min = 0, max = 10_000_000_000_i64))]
    pub max_fine_vnd: Option<i64>,
    pub verified: Option<bool>,
    #[validate(length(min = 1, max = 500))]
    pub source: Option<String>,
}
