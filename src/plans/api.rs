//! What clients send and receive for plans, targets and activities.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::model::{ActivityRow, PlanRow, TargetRow};
use super::workflow::Status;
use crate::domain::{areas_from_db, LawArea};
use crate::http::json_row::{RowWriter, SortKept, SortRaw, WriteRow};
use crate::json_key;
use diesel::deserialize;
use diesel::pg::Pg;
use diesel::row::Row;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    /// The unit's yearly implementation plan.
    Yearly,
    /// The plan for the Action Month (15 November - 15 December).
    ActionMonth,
    /// A plan on one theme.
    Thematic,
}

impl PlanKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Yearly => "yearly",
            Self::ActionMonth => "action_month",
            Self::Thematic => "thematic",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Yearly, Self::ActionMonth, Self::Thematic]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// How far a plan's targets are met, computed from the targets (never typed in).
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanProgress {
    pub targets: i64,
    /// Targets whose measured value reaches the target value.
    pub targets_met: i64,
    /// `targets_met / targets` (0 to 1); null without targets.
    pub share_met: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "6b1f5a2e-8d3c-5e7a-9f10-2b3c4d5e6f80", "unit_id": "63d3f3d4-c46d-57e3-90b9-de42b6716496", "year": 2020,
    "kind": "yearly", "title": "Kế hoạch thực hiện công tác bình đẳng giới năm 2020", "summary": null,
    "areas": ["politics", "family"], "parent_plan_id": null, "status": "approved", "results_report": null,
    "document_ids": ["6b1f5a2e-8d3c-5e7a-9f10-2b3c4d5e6f71"],
    "progress": {"targets": 2, "targets_met": 1, "share_met": 0.5},
    "created_at": "2026-11-29T12:00:00Z", "updated_at": "2026-11-29T12:00:00Z", "version": 3
}))]
pub struct Plan {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub year: i32,
    pub kind: PlanKind,
    pub title: String,
    pub summary: Option<String>,
    /// Areas of the Law on Gender Equality the plan covers.
    pub areas: Vec<LawArea>,
    /// The plan this one implements (e.g. a ward plan implementing the city plan).
    pub parent_plan_id: Option<Uuid>,
    pub status: Status,
    /// The results report given on completion.
    pub results_report: Option<String>,
    /// The legal documents the plan cites.
    pub document_ids: Vec<Uuid>,
    pub progress: PlanProgress,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<PlanRow> for Plan {
    fn from(r: PlanRow) -> Self {
        Plan {
            id: r.id,
            unit_id: r.unit_id,
            year: r.year,
            kind: PlanKind::parse(&r.kind).unwrap_or(PlanKind::Thematic),
            title: r.title,
            summary: r.summary,
            areas: areas_from_db(&r.areas),
            parent_plan_id: r.parent_plan_id,
            status: Status::parse(&r.status).unwrap_or(Status::Draft),
            results_report: r.results_report,
            document_ids: r.document_ids,
            progress: PlanProgress {
                targets: r.targets_total,
                targets_met: r.targets_met,
                share_met: (r.targets_total > 0).then(|| r.targets_met as f64 / r.targets_total as f64),
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// A plan of a list page, written from its row (its `COLUMNS` by position) in the shape of
/// [`Plan`].
pub struct PlanItem;

impl WriteRow for PlanItem {
    const COLUMNS: &'static str = concat!(
        "p.id, p.unit_id, p.year, p.kind, p.title, p.summary, p.areas, p.parent_plan_id, p.status, \
         p.results_report, p.created_at, p.updated_at, p.version, ",
        super::model::plan_derived!()
    );
    /// The id, and the sorts' values: the year, where the title stands, the last change.
    type Kept = SortKept<Uuid, 3>;

    fn write<'a, R: Row<'a, Pg>>(w: &mut RowWriter<'_, 'a, R>) -> deserialize::Result<Self::Kept> {
        let id = w.uuid(json_key!("id"), 0)?;
        w.uuid(json_key!("unit_id"), 1)?;
        let year = w.int4(json_key!("year"), 2)?;
        w.text_as(json_key!("kind"), 3, |k| {
            PlanKind::parse(k).unwrap_or(PlanKind::Thematic).as_str()
        })?;
        let title = w.text(json_key!("title"), 4)?;
        w.text(json_key!("summary"), 5)?;
        w.text_array(json_key!("areas"), 6, |a| LawArea::parse(a).map(LawArea::as_str))?;
        w.uuid(json_key!("parent_plan_id"), 7)?;
        w.text_as(json_key!("status"), 8, |st| {
            Status::parse(st).unwrap_or(Status::Draft).as_str()
        })?;
        w.text(json_key!("results_report"), 9)?;
        w.uuid_array(json_key!("document_ids"), 13)?;
        w.object(json_key!("progress"), |w| {
            let total = w.int8(json_key!("targets"), 14)?;
            let met = w.int8(json_key!("targets_met"), 15)?;
            w.raw_float(json_key!("share_met"), (total > 0).then(|| met as f64 / total as f64))
        })?;
        w.timestamp(json_key!("created_at"), 10)?;
        let updated_at = w.timestamp(json_key!("updated_at"), 11)?;
        w.int8(json_key!("version"), 12)?;
        SortKept::new(
            id,
            &["year", "title", "updated_at"],
            [Some(year.into()), Some(title.into()), updated_at.map(SortRaw::from)],
        )
    }
}

fn valid_year(year: i32) -> Result<(), validator::ValidationError> {
    let next = chrono::Utc::now().year() + 1;
    if (2000..=next).contains(&year) {
        Ok(())
    } else {
        let mut e = validator::ValidationError::new("range");
        e.add_param("min".into(), &2000);
        e.add_param("max".into(), &next);
        Err(e)
    }
}

fn max_documents(ids: &[Uuid]) -> Result<(), validator::ValidationError> {
    if ids.len() <= 50 {
        Ok(())
    } else {
        let mut e = validator::ValidationError::new("length");
        e.message = Some("at most 50 documents".into());
        Err(e)
    }
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "id": "0193a7c0-0000-7000-8000-0000000091a1",
    "unit_id": "a3e0c6ca-ae28-59cb-b57f-593e8d17e313", "year": 2021, "kind": "yearly",
    "title": "Kế hoạch bình đẳng giới năm 2021 của phường Hạ Long", "areas": ["family", "politics"],
    "document_ids": ["4e732994-039a-5724-93cb-bb6db94e46e6"]
}))]
pub struct NewPlan {
    /// Optional client-chosen id.
    pub id: Option<Uuid>,
    /// The plan's unit; defaults to the caller's.
    pub unit_id: Option<Uuid>,
    /// From 2000 to next year.
    #[validate(custom(function = "valid_year"))]
    pub year: i32,
    pub kind: PlanKind,
    #[validate(length(min = 1, max = 500))]
    pub title: String,
    #[validate(length(max = 20000))]
    pub summary: Option<String>,
    #[serde(default)]
    pub areas: Vec<LawArea>,
    pub parent_plan_id: Option<Uuid>,
    #[serde(default)]
    #[validate(custom(function = "max_documents"))]
    pub document_ids: Vec<Uuid>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Kế hoạch bình đẳng giới năm 2020 (sửa đổi)", "areas": ["family", "labour"]}))]
pub struct PlanPatch {
    #[validate(length(min = 1, max = 500))]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[validate(length(max = 20000))]
    #[schema(value_type = Option<String>)]
    pub summary: Option<Option<String>>,
    pub areas: Option<Vec<LawArea>>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub parent_plan_id: Option<Option<Uuid>>,
    #[validate(custom(function = "max_documents"))]
    pub document_ids: Option<Vec<Uuid>>,
}

/// The body of a workflow action.
#[derive(Debug, Default, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Bổ sung chỉ tiêu về tỷ lệ nữ lãnh đạo chủ chốt"}))]
pub struct TransitionRequest {
    /// Required to `return` a plan; optional otherwise.
    #[validate(length(min = 1, max = 5000))]
    pub reason: Option<String>,
    /// Required to `complete` a plan.
    #[validate(length(min = 1, max = 50000))]
    pub results_report: Option<String>,
}

/// One transition in a plan's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct Transition {
    pub id: i64,
    pub action: String,
    pub from_status: Status,
    pub to_status: Status,
    pub reason: Option<String>,
    pub actor_id: Uuid,
    pub actor_name: String,
    pub actor_role: String,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanFilters {
    /// Plans of this unit (and its descendants with `include_descendants=true`).
    pub unit_id: Option<Uuid>,
    #[serde(default)]
    pub include_descendants: bool,
    pub year: Option<i32>,
    pub status: Option<Status>,
    pub kind: Option<PlanKind>,
    /// Plans covering this area.
    pub area: Option<LawArea>,
    /// Search in title and summary, ignoring diacritics and case.
    pub q: Option<String>,
}

// ---- targets ----

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// More is better: met when actual >= target.
    Increase,
    /// Less is better (e.g. sex ratio at birth): met when actual <= target.
    Decrease,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Increase => "increase",
            Self::Decrease => "decrease",
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e95", "plan_id": "6b1f5a2e-8d3c-5e7a-9f10-2b3c4d5e6f80",
    "indicator": "Tỷ lệ cơ quan có lãnh đạo chủ chốt là nữ", "indicator_code": "female_key_leader_share",
    "unit_of_measure": "%", "direction": "increase", "baseline": 40.0, "target_value": 60.0,
    "actual_value": 50.0, "measured_on": "2020-12-31", "met": false, "progress": 0.5,
    "created_at": "2026-11-29T12:00:00Z", "updated_at": "2026-11-29T12:00:00Z", "version": 2
}))]
pub struct Target {
    pub id: Uuid,
    pub plan_id: Uuid,
    pub indicator: String,
    /// A code from `GET /api/v1/indicators`, when the target tracks a shared indicator.
    pub indicator_code: Option<String>,
    pub unit_of_measure: String,
    pub direction: Direction,
    pub baseline: Option<f64>,
    pub target_value: f64,
    pub actual_value: Option<f64>,
    #[serde(serialize_with = "crate::http::json_body::opt_date")]
    pub measured_on: Option<NaiveDate>,
    /// Computed: the measured value reaches the target (null until measured).
    pub met: Option<bool>,
    /// Computed: share of the way from baseline to target (0 to 1; null until measured or
    /// without a baseline).
    pub progress: Option<f64>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<TargetRow> for Target {
    fn from(r: TargetRow) -> Self {
        let direction = if r.direction == "decrease" {
            Direction::Decrease
        } else {
            Direction::Increase
        };
        let met = r.actual_value.map(|a| match direction {
            Direction::Increase => a >= r.target_value,
            Direction::Decrease => a <= r.target_value,
        });
        let progress = match (r.baseline, r.actual_value) {
            (Some(b), Some(a)) if (r.target_value - b).abs() > f64::EPSILON => {
                Some(((a - b) / (r.target_value - b)).clamp(0.0, 1.0))
            }
            (_, Some(_)) => met.map(|m| if m { 1.0 } else { 0.0 }),
            _ => None,
        };
        Target {
            id: r.id,
            plan_id: r.plan_id,
            indicator: r.indicator,
            indicator_code: r.indicator_code,
            unit_of_measure: r.unit_of_measure,
            direction,
            baseline: r.baseline,
            target_value: r.target_value,
            actual_value: r.actual_value,
            measured_on: r.measured_on,
            met,
            progress,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "indicator": "Tỷ lệ cơ quan có lãnh đạo chủ chốt là nữ", "indicator_code": "female_key_leader_share",
    "unit_of_measure": "%", "baseline": 40.0, "target_value": 60.0
}))]
pub struct NewTarget {
    pub id: Option<Uuid>,
    #[validate(length(min = 1, max = 500))]
    pub indicator: String,
    #[validate(length(min = 1, max = 64))]
    pub indicator_code: Option<String>,
    #[validate(length(min = 1, max = 64))]
    pub unit_of_measure: String,
    /// Default `increase`.
    pub direction: Option<Direction>,
    pub baseline: Option<f64>,
    pub target_value: f64,
    pub actual_value: Option<f64>,
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub measured_on: Option<NaiveDate>,
}

/// Changes to a target. While the plan is editable every field may change; while it runs
/// (approved, in progress) only the measured value and its date.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"actual_value": 55.0, "measured_on": "2020-12-31"}))]
pub struct TargetPatch {
    #[validate(length(min = 1, max = 500))]
    pub indicator: Option<String>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<String>)]
    pub indicator_code: Option<Option<String>>,
    #[validate(length(min = 1, max = 64))]
    pub unit_of_measure: Option<String>,
    pub direction: Option<Direction>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<f64>)]
    pub baseline: Option<Option<f64>>,
    pub target_value: Option<f64>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<f64>)]
    pub actual_value: Option<Option<f64>>,
    #[serde(default, deserialize_with = "crate::http::date::strict_double")]
    #[schema(value_type = Option<NaiveDate>)]
    pub measured_on: Option<Option<NaiveDate>>,
}

// ---- activities ----

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Communication,
    Training,
    Inspection,
    SupportService,
    CapacityBuilding,
    ResourceMobilization,
    Other,
}

impl ActivityKind {
    pub const ALL: [Self; 7] = [
        Self::Communication,
        Self::Training,
        Self::Inspection,
        Self::SupportService,
        Self::CapacityBuilding,
        Self::ResourceMobilization,
        Self::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Communication => "communication",
            Self::Training => "training",
            Self::Inspection => "inspection",
            Self::SupportService => "support_service",
            Self::CapacityBuilding => "capacity_building",
            Self::ResourceMobilization => "resource_mobilization",
            Self::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityStatus {
    Planned,
    InProgress,
    Done,
    Cancelled,
}

impl ActivityStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::InProgress => "in_progress",
            Self::Done => "done",
            Self::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Planned, Self::InProgress, Self::Done, Self::Cancelled]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e96", "plan_id": "6b1f5a2e-8d3c-5e7a-9f10-2b3c4d5e6f80",
    "kind": "communication", "title": "Tháng hành động vì bình đẳng giới và phòng ngừa, ứng phó với bạo lực trên cơ sở giới",
    "starts_on": "2020-11-15", "ends_on": "2020-12-15", "responsible_unit_id": "63d3f3d4-c46d-57e3-90b9-de42b6716496",
    "budget_state_vnd": 30000000, "budget_mobilized_vnd": 10000000, "budget_total_vnd": 40000000, "status": "planned",
    "created_at": "2026-11-29T12:00:00Z", "updated_at": "2026-11-29T12:00:00Z", "version": 1
}))]
pub struct Activity {
    pub id: Uuid,
    pub plan_id: Uuid,
    pub kind: ActivityKind,
    pub title: String,
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub starts_on: NaiveDate,
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub ends_on: NaiveDate,
    /// The plan's unit or one below it.
    pub responsible_unit_id: Uuid,
    /// From the state budget, VND.
    pub budget_state_vnd: i64,
    /// Mobilised from other sources, VND.
    pub budget_mobilized_vnd: i64,
    /// Computed.
    pub budget_total_vnd: i64,
    pub status: ActivityStatus,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<ActivityRow> for Activity {
    fn from(r: ActivityRow) -> Self {
        Activity {
            id: r.id,
            plan_id: r.plan_id,
            kind: ActivityKind::parse(&r.kind).unwrap_or(ActivityKind::Other),
            title: r.title,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            responsible_unit_id: r.responsible_unit_id,
            budget_state_vnd: r.budget_state_vnd,
            budget_mobilized_vnd: r.budget_mobilized_vnd,
            budget_total_vnd: r.budget_state_vnd.saturating_add(r.budget_mobilized_vnd),
            status: ActivityStatus::parse(&r.status).unwrap_or(ActivityStatus::Planned),
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "training", "title": "Tập huấn cho cán bộ, cộng tác viên làm công tác bình đẳng giới",
    "starts_on": "2020-09-10", "ends_on": "2020-09-11", "budget_state_vnd": 15000000
}))]
pub struct NewActivity {
    pub id: Option<Uuid>,
    pub kind: ActivityKind,
    #[validate(length(min = 1, max = 500))]
    pub title: String,
    #[serde(deserialize_with = "crate::http::date::strict")]
    pub starts_on: NaiveDate,
    #[serde(deserialize_with = "crate::http::date::strict")]
    pub ends_on: NaiveDate,
    /// Defaults to the plan's unit.
    pub responsible_unit_id: Option<Uuid>,
    #[validate(range(min = 0, max = 1_000_000_000_000_i64))]
    pub budget_state_vnd: Option<i64>,
    #[validate(range(min = 0, max = 1_000_000_000_000_i64))]
    pub budget_mobilized_vnd: Option<i64>,
}

/// Changes to an activity. While the plan is editable every field may change; while it runs
/// only `status`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "done"}))]
pub struct ActivityPatch {
    pub kind: Option<ActivityKind>,
    #[validate(length(min = 1, max = 500))]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub starts_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub ends_on: Option<NaiveDate>,
    pub responsible_unit_id: Option<Uuid>,
    #[validate(range(min = 0, max = 1_000_000_000_000_i64))]
    pub budget_state_vnd: Option<i64>,
    #[validate(range(min = 0, max = 1_000_000_000_000_i64))]
    pub budget_mobilized_vnd: Option<i64>,
    pub status: Option<ActivityStatus>,
}

/// A shared indicator with its national targets.
#[derive(Debug, Serialize, ToSchema)]
pub struct Indicator {
    #[schema(example = "female_key_leader_share")]
    pub code: String,
    pub name_en: String,
    pub name_vi: String,
    pub unit_of_measure: String,
    pub direction: Direction,
    pub target_2025: Option<f64>,
    pub target_2030: Option<f64>,
    pub source: Option<String>,
    /// False where the value still needs checking against the source (see the README).
    pub verified: bool,
}
