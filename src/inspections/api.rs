//! What clients send and see of an inspection or check.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::model::InspectionRow;
use crate::domain::{areas_from_db, enum_parse, LawArea};
use crate::http::json_row::{RowWriter, SortKept, SortRaw, WriteRow};
use crate::json_key;
use diesel::deserialize;
use diesel::pg::Pg;
use diesel::row::Row;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InspectionKind {
    /// Kiểm tra: a managing body checks its subordinates.
    Check,
    /// Thanh tra: by an inspection agency, opened by a decision, ended by a conclusion.
    Inspection,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubjectType {
    Unit,
    Employer,
    School,
    HealthFacility,
    Organization,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InspectionStatus {
    Planned,
    InProgress,
    Concluded,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7ea1", "kind": "check", "inspecting_unit_id": "63d3f3d4-c46d-57e3-90b9-de42b6716496",
    "subject_name": "Công ty TNHH Dệt may Nam Định", "subject_type": "employer", "subject_unit_id": null,
    "subject_address": "Phường Lộc Hạ", "decision_number": "15/QĐ-UBND", "decision_on": "2024-09-01",
    "period_from": "2024-09-10", "period_to": "2024-09-20", "areas": ["labour"], "team_members": ["Trần Văn B"],
    "status": "concluded", "conclusion": "Chưa bảo đảm quyền của lao động nữ", "concluded_on": "2024-09-30",
    "recommendations": null, "created_at": "2026-11-29T12:00:00Z", "updated_at": "2026-11-29T12:00:00Z", "version": 3
}))]
pub struct Inspection {
    pub id: Uuid,
    pub kind: InspectionKind,
    pub inspecting_unit_id: Uuid,
    pub subject_name: String,
    pub subject_type: SubjectType,
    /// When the subject is a unit of the tree.
    pub subject_unit_id: Option<Uuid>,
    pub subject_address: Option<String>,
    pub decision_number: Option<String>,
    #[serde(serialize_with = "crate::http::json_body::opt_date")]
    pub decision_on: Option<NaiveDate>,
    #[serde(serialize_with = "crate::http::json_body::opt_date")]
    pub period_from: Option<NaiveDate>,
    #[serde(serialize_with = "crate::http::json_body::opt_date")]
    pub period_to: Option<NaiveDate>,
    pub areas: Vec<LawArea>,
    pub team_members: Vec<String>,
    pub status: InspectionStatus,
    pub conclusion: Option<String>,
    #[serde(serialize_with = "crate::http::json_body::opt_date")]
    pub concluded_on: Option<NaiveDate>,
    pub recommendations: Option<String>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<InspectionRow> for Inspection {
    fn from(r: InspectionRow) -> Self {
        Inspection {
            id: r.id,
            kind: enum_parse(&r.kind).unwrap_or(InspectionKind::Check),
            inspecting_unit_id: r.inspecting_unit_id,
            subject_name: r.subject_name,
            subject_type: enum_parse(&r.subject_type).unwrap_or(SubjectType::Other),
            subject_unit_id: r.subject_unit_id,
            subject_address: r.subject_address,
            decision_number: r.decision_number,
            decision_on: r.decision_on,
            period_from: r.period_from,
            period_to: r.period_to,
            areas: areas_from_db(&r.areas),
            team_members: r.team_members,
            status: enum_parse(&r.status).unwrap_or(InspectionStatus::Planned),
            conclusion: r.conclusion,
            concluded_on: r.concluded_on,
            recommendations: r.recommendations,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// An inspection of a list page, written from its row (its `COLUMNS` by position) in the shape
/// of [`Inspection`].
pub struct InspectionItem;

impl WriteRow for InspectionItem {
    const COLUMNS: &'static str =
        "i.id, i.kind, i.inspecting_unit_id, i.subject_name, i.subject_type, i.subject_unit_id, \
         i.subject_address, i.decision_number, i.decision_on, i.period_from, i.period_to, i.areas, i.team_members, \
         i.status, i.conclusion, i.concluded_on, i.recommendations, i.created_at, i.updated_at, i.version";
    /// The id and the creation's time (the one sort).
    type Kept = SortKept<Uuid, 1>;

    fn write<'a, R: Row<'a, Pg>>(w: &mut RowWriter<'_, 'a, R>) -> deserialize::Result<Self::Kept> {
        let id = w.uuid(json_key!("id"), 0)?;
        w.text_as(json_key!("kind"), 1, |k| match k {
            "inspection" => "inspection",
            _ => "check",
        })?;
        w.uuid(json_key!("inspecting_unit_id"), 2)?;
        w.text(json_key!("subject_name"), 3)?;
        w.text_as(json_key!("subject_type"), 4, |t| match t {
            "unit" | "employer" | "school" | "health_facility" | "organization" => t,
            _ => "other",
        })?;
        w.uuid(json_key!("subject_unit_id"), 5)?;
        w.text(json_key!("subject_address"), 6)?;
        w.text(json_key!("decision_number"), 7)?;
        w.date(json_key!("decision_on"), 8)?;
        w.date(json_key!("period_from"), 9)?;
        w.date(json_key!("period_to"), 10)?;
        w.text_array(json_key!("areas"), 11, |a| LawArea::parse(a).map(LawArea::as_str))?;
        w.text_list(json_key!("team_members"), 12)?;
        w.text_as(json_key!("status"), 13, |st| match st {
            "in_progress" | "concluded" => st,
            _ => "planned",
        })?;
        w.text(json_key!("conclusion"), 14)?;
        w.date(json_key!("concluded_on"), 15)?;
        w.text(json_key!("recommendations"), 16)?;
        let created_at = w.timestamp(json_key!("created_at"), 17)?;
        w.timestamp(json_key!("updated_at"), 18)?;
        w.int8(json_key!("version"), 19)?;
        SortKept::new(id, &["created_at"], [created_at.map(SortRaw::from)])
    }
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "check", "subject_name": "Công ty TNHH Dệt may Nam Định", "subject_type": "employer",
    "subject_address": "Phường Lộc Hạ", "decision_number": "15/QĐ-UBND", "decision_on": "2024-09-01",
    "period_from": "2024-09-10", "period_to": "2024-09-20", "areas": ["labour"], "team_members": ["Trần Văn B"]
}))]
pub struct NewInspection {
    pub id: Option<Uuid>,
    /// Defaults to the caller's unit.
    pub inspecting_unit_id: Option<Uuid>,
    pub kind: InspectionKind,
    #[validate(length(min = 1, max = 300))]
    pub subject_name: String,
    pub subject_type: SubjectType,
    pub subject_unit_id: Option<Uuid>,
    #[validate(length(max = 500))]
    pub subject_address: Option<String>,
    #[validate(length(min = 1, max = 64))]
    pub decision_number: Option<String>,
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub decision_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub period_from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub period_to: Option<NaiveDate>,
    #[serde(default)]
    pub areas: Vec<LawArea>,
    #[serde(default)]
    #[validate(custom(function = "crate::trainings::api::valid_names"))]
    pub team_members: Vec<String>,
}

/// Changes to an inspection; `status` moves forward only (planned → in_progress →
/// concluded), and concluding needs `conclusion` and `concluded_on`.
#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "concluded", "conclusion": "Chưa bảo đảm quyền của lao động nữ", "concluded_on": "2024-09-30"}))]
pub struct InspectionPatch {
    pub status: Option<InspectionStatus>,
    #[validate(length(min = 1, max = 50000))]
    pub conclusion: Option<String>,
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub concluded_on: Option<NaiveDate>,
    #[validate(length(max = 50000))]
    pub recommendations: Option<String>,
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub period_from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub period_to: Option<NaiveDate>,
    pub areas: Option<Vec<LawArea>>,
    #[validate(custom(function = "crate::trainings::api::valid_names"))]
    pub team_members: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InspectionFilters {
    pub kind: Option<InspectionKind>,
    pub status: Option<InspectionStatus>,
    pub area: Option<LawArea>,
    /// Inspections made by this unit (and its descendants with `include_descendants=true`).
    pub unit_id: Option<Uuid>,
    #[serde(default)]
    pub include_descendants: bool,
    /// Search in the subject's name and the decision number, ignoring diacritics and case.
    pub q: Option<String>,
}
