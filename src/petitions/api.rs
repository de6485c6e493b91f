use crate::http::export::{Column, Value};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::model::PetitionRow;
use crate::http::json_row::{PgDate, RowWriter, SortKept, SortRaw, WriteRow};
use crate::json_key;
use diesel::deserialize;
use diesel::pg::Pg;
use diesel::row::Row;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PetitionKind {
    /// Khiếu nại (Luật Khiếu nại 2011).
    Complaint,
    /// Tố cáo (Luật Tố cáo 2018); the denouncer's identity is confidential.
    Denunciation,
}

impl PetitionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Complaint => "complaint",
            Self::Denunciation => "denunciation",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    InPerson,
    Mail,
    Email,
    Online,
    Phone,
    /// Passed on by another body.
    Forwarded,
    Other,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InPerson => "in_person",
            Self::Mail => "mail",
            Self::Email => "email",
            Self::Online => "online",
            Self::Phone => "phone",
            Self::Forwarded => "forwarded",
            Self::Other => "other",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PetitionStatus {
    Received,
    Accepted,
    Rejected,
    Forwarded,
    Verifying,
    Resolved,
    Withdrawn,
}

impl PetitionStatus {
    pub const ALL: [Self; 7] = [
        Self::Received,
        Self::Accepted,
        Self::Rejected,
        Self::Forwarded,
        Self::Verifying,
        Self::Resolved,
        Self::Withdrawn,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Forwarded => "forwarded",
            Self::Verifying => "verifying",
            Self::Resolved => "resolved",
            Self::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
    /// Still running against a deadline.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Received | Self::Accepted | Self::Verifying)
    }
}

/// The person who filed the petition (confidential).
#[derive(Clone, Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Nguyễn Văn A", "contact": "0912 345 678"}))]
pub struct Party {
    #[validate(length(min = 1, max = 200))]
    pub name: String,
    #[validate(length(max = 500))]
    pub contact: Option<String>,
}

/// How complex a case is. Complaints know only "complex" (longer deadlines, Luật Khiếu nại 2011
/// Art. 28, 37); a denunciation's resolution may be extended once when complex and twice when
/// especially complex, never otherwise (Luật Tố cáo 2018 Art. 30).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Complexity {
    #[default]
    Normal,
    Complex,
    EspeciallyComplex,
}

impl Complexity {
    pub fn as_str(self) -> &'static str {
        match self {
            Complexity::Normal => "normal",
            Complexity::Complex => "complex",
            Complexity::EspeciallyComplex => "especially_complex",
        }
    }

    pub fn parse(s: &str) -> Complexity {
        match s {
            "complex" => Complexity::Complex,
            "especially_complex" => Complexity::EspeciallyComplex,
            _ => Complexity::Normal,
        }
    }

    /// The complexity a request sets: `complexity` when sent; otherwise the older `complex` flag
    /// (true: complex). Both sent and disagreeing is 422.
    pub fn from_request(
        complexity: Option<Complexity>,
        complex: Option<bool>,
    ) -> Result<Option<Complexity>, crate::error::ApiError> {
        match (complexity, complex) {
            (Some(c), Some(flag)) if (c != Complexity::Normal) != flag => Err(crate::error::ApiError::field(
                "complex",
                "contradicts_complexity",
                "disagrees with complexity (send one of them)",
                "mâu thuẫn với complexity (chỉ gửi một trong hai)",
            )),
            (Some(c), _) => Ok(Some(c)),
            (None, Some(true)) => Ok(Some(Complexity::Complex)),
            (None, Some(false)) => Ok(Some(Complexity::Normal)),
            (None, None) => Ok(None),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7ea0", "kind": "complaint", "handling_unit_id": "a3e0c6ca-ae28-59cb-b57f-593e8d17e313",
    "received_on": "2024-03-01", "channel": "in_person", "subject": "Khiếu nại quyết định không bổ nhiệm vì lý do giới tính",
    "summary": null, "instance": 1, "complex": false, "complexity": "normal", "remote": false,
    "verification_elsewhere": false, "extension_count": 0, "status": "accepted",
    "accepted_on": "2024-03-08", "decision": null, "decided_on": null, "acceptance_due_on": "2024-03-11",
    "resolution_due_on": "2024-04-07", "due_on": "2024-04-07", "overdue": false, "resolved_on_time": null,
    "created_at": "2026-11-29T12:00:00Z", "updated_at": "2026-11-29T12:00:00Z", "version": 2
}))]
pub struct Petition {
    pub id: Uuid,
    pub kind: PetitionKind,
    pub handling_unit_id: Uuid,
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub received_on: NaiveDate,
    pub channel: String,
    pub subject: String,
    pub summary: Option<String>,
    /// Complaints: first (1) or second (2) instance.
    pub instance: i16,
    /// Derived: `complexity` is not `normal` (a complex case has longer deadlines).
    pub complex: bool,
    pub complexity: Complexity,
    /// Remote, mountainous or hard-to-reach area: longer deadlines for complaints.
    pub remote: bool,
    /// Denunciations: accepting needs verification at several places or by delegation (10
    /// working days instead of 7, Luật Tố cáo 2018 Art. 24(1)).
    pub verification_elsewhere: bool,
    /// Denunciations: times the resolution deadline was extended (a complex case once, an
    /// especially complex one twice).
    pub extension_count: i16,
    pub status: PetitionStatus,
    #[serde(serialize_with = "crate::http::json_body::opt_date")]
    pub accepted_on: Option<NaiveDate>,
    pub decision: Option<String>,
    #[serde(serialize_with = "crate::http::json_body::opt_date")]
    pub decided_on: Option<NaiveDate>,
    /// Computed from the law: accept or refuse by this day.
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub acceptance_due_on: NaiveDate,
    /// Computed from the law once accepted: resolve by this day.
    #[serde(serialize_with = "crate::http::json_body::opt_date")]
    pub resolution_due_on: Option<NaiveDate>,
    /// The deadline running now (acceptance, then resolution); null once closed.
    #[serde(serialize_with = "crate::http::json_body::opt_date")]
    pub due_on: Option<NaiveDate>,
    /// The running deadline has passed (Vietnam's date).
    pub overdue: bool,
    /// For a resolved petition: resolved by its deadline.
    pub resolved_on_time: Option<bool>,
    /// Who filed it: shown only to the handling unit's inspectors and admins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub petitioner: Option<Party>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<PetitionRow> for Petition {
    fn from(r: PetitionRow) -> Self {
        let status = PetitionStatus::parse(&r.status).unwrap_or(PetitionStatus::Received);
        Petition {
            id: r.id,
            kind: if r.kind == "denunciation" {
                PetitionKind::Denunciation
            } else {
                PetitionKind::Complaint
            },
            handling_unit_id: r.handling_unit_id,
            received_on: r.received_on,
            channel: r.channel,
            subject: r.subject,
            summary: r.summary,
            instance: r.instance,
            complex: r.complex,
            complexity: Complexity::parse(&r.complexity),
            remote: r.remote,
            verification_elsewhere: r.verification_elsewhere,
            extension_count: r.extension_count,
            status,
            accepted_on: r.accepted_on,
            decision: r.decision,
            decided_on: r.decided_on,
            acceptance_due_on: r.acceptance_due_on,
            resolution_due_on: r.resolution_due_on,
            due_on: r.due_on,
            overdue: r.due_on.is_some_and(|d| d < crate::calendar::today()),
            resolved_on_time: match (status, r.decided_on, r.resolution_due_on) {
                (PetitionStatus::Resolved, Some(done), Some(due)) => Some(done <= due),
                _ => None,
            },
            petitioner: None,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// A petition of a list page, written from its row (its `COLUMNS` by position) in the shape of
/// [`Petition`] (a list shows no petitioner). `overdue` is measured against today in Vietnam,
/// as for one petition.
pub struct PetitionItem;

impl WriteRow for PetitionItem {
    const COLUMNS: &'static str = "p.id, p.kind, p.handling_unit_id, p.received_on, p.channel, p.subject, p.summary, \
         p.instance, p.complex, p.complexity, p.remote, p.verification_elsewhere, p.extension_count, p.status, \
         p.accepted_on, p.decision, p.decided_on, p.acceptance_due_on, p.resolution_due_on, p.due_on, \
         p.created_at, p.updated_at, p.version";
    /// The id, and the sorts' values: the day received, the last change.
    type Kept = SortKept<Uuid, 2>;

    fn write<'a, R: Row<'a, Pg>>(w: &mut RowWriter<'_, 'a, R>) -> deserialize::Result<Self::Kept> {
        let id = w.uuid(json_key!("id"), 0)?;
        w.text_as(json_key!("kind"), 1, |k| match k {
            "denunciation" => "denunciation",
            _ => "complaint",
        })?;
        w.uuid(json_key!("handling_unit_id"), 2)?;
        let received_on = w.date(json_key!("received_on"), 3)?;
        w.text(json_key!("channel"), 4)?;
        w.text(json_key!("subject"), 5)?;
        w.text(json_key!("summary"), 6)?;
        w.int2(json_key!("instance"), 7)?;
        w.bool(json_key!("complex"), 8)?;
        w.text_as(json_key!("complexity"), 9, |c| Complexity::parse(c).as_str())?;
        w.bool(json_key!("remote"), 10)?;
        w.bool(json_key!("verification_elsewhere"), 11)?;
        w.int2(json_key!("extension_count"), 12)?;
        let resolved = w.peek(13, |st| st == Some(b"resolved"))?;
        w.text_as(json_key!("status"), 13, |st| {
            PetitionStatus::parse(st).unwrap_or(PetitionStatus::Received).as_str()
        })?;
        w.date(json_key!("accepted_on"), 14)?;
        w.text(json_key!("decision"), 15)?;
        let decided_on = w.date(json_key!("decided_on"), 16)?;
        w.date(json_key!("acceptance_due_on"), 17)?;
        let resolution_due_on = w.date(json_key!("resolution_due_on"), 18)?;
        let due_on = w.date(json_key!("due_on"), 19)?;
        let today = PgDate::of(crate::calendar::today());
        w.raw_bool(json_key!("overdue"), due_on.is_some_and(|d| d < today));
        match (resolved, decided_on, resolution_due_on) {
            (true, Some(done), Some(due)) => w.raw_bool(json_key!("resolved_on_time"), done <= due),
            _ => w.null(json_key!("resolved_on_time")),
        }
        w.timestamp(json_key!("created_at"), 20)?;
        let updated_at = w.timestamp(json_key!("updated_at"), 21)?;
        w.int8(json_key!("version"), 22)?;
        SortKept::new(
            id,
            &["received_on", "updated_at"],
            [received_on.map(SortRaw::from), updated_at.map(SortRaw::from)],
        )
    }
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "denunciation", "received_on": "2024-03-01", "channel": "mail",
    "subject": "Tố cáo hành vi phân biệt đối xử về giới trong tuyển dụng",
    "petitioner": {"name": "Nguyễn Văn A", "contact": "0912 345 678"}
}))]
pub struct NewPetition {
    pub id: Option<Uuid>,
    pub kind: PetitionKind,
    /// Defaults to the caller's unit.
    pub handling_unit_id: Option<Uuid>,
    #[serde(deserialize_with = "crate::http::date::strict")]
    pub received_on: NaiveDate,
    pub channel: Channel,
    #[validate(length(min = 1, max = 500))]
    pub subject: String,
    #[validate(length(max = 20000))]
    pub summary: Option<String>,
    /// Complaints: 1 (default) or 2.
    #[validate(range(min = 1, max = 2))]
    pub instance: Option<i16>,
    /// The older flag for `complexity: complex` (kept for clients that send it).
    pub complex: Option<bool>,
    /// Default `normal`.
    pub complexity: Option<Complexity>,
    #[serde(default)]
    pub remote: bool,
    /// Denunciations: accepting needs verification at several places or by delegation.
    #[serde(default)]
    pub verification_elsewhere: bool,
    #[validate(nested)]
    pub petitioner: Option<Party>,
}

/// Changes to the case's facts; the deadlines are computed again.
#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"complex": true}))]
pub struct PetitionPatch {
    #[validate(length(min = 1, max = 500))]
    pub subject: Option<String>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[validate(length(max = 20000))]
    #[schema(value_type = Option<String>)]
    pub summary: Option<Option<String>>,
    pub channel: Option<Channel>,
    #[validate(range(min = 1, max = 2))]
    pub instance: Option<i16>,
    /// The older flag for `complexity: complex`.
    pub complex: Option<bool>,
    pub complexity: Option<Complexity>,
    pub remote: Option<bool>,
    pub verification_elsewhere: Option<bool>,
    /// Denunciations: extensions of the resolution deadline (0 to 2: once for a complex case,
    /// twice for an especially complex one, none otherwise; 90 days at most in all).
    #[validate(range(min = 0, max = 2))]
    pub extension_count: Option<i16>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PetitionAction {
    /// Received → accepted (thụ lý).
    Accept,
    /// Received → rejected (refused, with the reason in `decision`).
    Reject,
    /// Received → forwarded to the competent body (named in `decision`).
    Forward,
    /// Accepted → verifying.
    Verify,
    /// Accepted or verifying → resolved (the decision in `decision`).
    Resolve,
    /// Any open status → withdrawn by the petitioner.
    Withdraw,
}

impl PetitionAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Reject => "reject",
            Self::Forward => "forward",
            Self::Verify => "verify",
            Self::Resolve => "resolve",
            Self::Withdraw => "withdraw",
        }
    }
    pub fn moves(self) -> (&'static [PetitionStatus], PetitionStatus) {
        use PetitionStatus::*;
        match self {
            Self::Accept => (&[Received], Accepted),
            Self::Reject => (&[Received], Rejected),
            Self::Forward => (&[Received], Forwarded),
            Self::Verify => (&[Accepted], Verifying),
            Self::Resolve => (&[Accepted, Verifying], Resolved),
            Self::Withdraw => (&[Received, Accepted, Verifying], Withdrawn),
        }
    }
    /// Needs a written decision (a reason, a forwarding, a resolution).
    pub fn needs_decision(self) -> bool {
        matches!(self, Self::Reject | Self::Forward | Self::Resolve)
    }
}

pub fn allowed(from: PetitionStatus) -> Vec<&'static str> {
    [
        PetitionAction::Accept,
        PetitionAction::Reject,
        PetitionAction::Forward,
        PetitionAction::Verify,
        PetitionAction::Resolve,
        PetitionAction::Withdraw,
    ]
    .into_iter()
    .filter(|a| a.moves().0.contains(&from))
    .map(|a| a.as_str())
    .collect()
}

#[derive(Debug, Default, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"on": "2024-03-08"}))]
pub struct ActionRequest {
    /// The day it happened (default: today in Vietnam); not before receipt, not in the future.
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub on: Option<NaiveDate>,
    /// Required to reject, forward or resolve.
    #[validate(length(min = 1, max = 20000))]
    pub decision: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PetitionFilters {
    pub kind: Option<PetitionKind>,
    pub status: Option<PetitionStatus>,
    /// Petitions handled by this unit (and its descendants with `include_descendants=true`).
    pub handling_unit_id: Option<Uuid>,
    #[serde(default)]
    pub include_descendants: bool,
    /// Only those past their running deadline (or, with `false`, not past it).
    pub overdue: Option<bool>,
    /// Only those whose running deadline falls within this many days from today (0 to 366).
    pub due_within_days: Option<i64>,
    /// Received on or after.
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub from: Option<NaiveDate>,
    /// Received on or before.
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub to: Option<NaiveDate>,
    /// Search in the subject, ignoring diacritics and case.
    pub q: Option<String>,
}

/// The columns of a petitions export (CSV, XLSX): the case, never the petitioner.
pub static EXPORT_COLUMNS: [Column<Petition>; 20] = [
    Column::new("id", "Id", "Mã định danh", |p| Value::Text(p.id.to_string())),
    Column::new("version", "Version", "Phiên bản", |p| Value::Int(p.version)),
    Column::new("kind", "Kind", "Loại đơn", |p| Value::list(&[p.kind])),
    Column::new(
        "handling_unit_id",
        "Handling unit id",
        "Mã định danh đơn vị giải quyết",
        |p| Value::Text(p.handling_unit_id.to_string()),
    ),
    Column::new("received_on", "Received on", "Ngày nhận", |p| {
        Value::Date(p.received_on)
    }),
    Column::new("channel", "Channel", "Hình thức nhận", |p| {
        Value::Codes(vec![p.channel.clone()])
    }),
    Column::new("subject", "Subject", "Nội dung", |p| Value::Text(p.subject.clone())),
    Column::new("instance", "Instance", "Lần giải quyết", |p| {
        Value::Int(p.instance.into())
    }),
    Column::new("complex", "Complex", "Phức tạp", |p| Value::Bool(p.complex)),
    Column::new("remote", "Remote area", "Vùng sâu, vùng xa", |p| {
        Value::Bool(p.remote)
    }),
    Column::new("status", "Status", "Trạng thái", |p| Value::list(&[p.status])),
    Column::new("accepted_on", "Accepted on", "Ngày thụ lý", |p| {
        Value::opt_date(p.accepted_on)
    }),
    Column::new("acceptance_due_on", "Acceptance due", "Hạn thụ lý", |p| {
        Value::Date(p.acceptance_due_on)
    }),
    Column::new("resolution_due_on", "Resolution due", "Hạn giải quyết", |p| {
        Value::opt_date(p.resolution_due_on)
    }),
    Column::new("due_on", "Running deadline", "Hạn hiện tại", |p| {
        Value::opt_date(p.due_on)
    }),
    Column::new("decided_on", "Decided on", "Ngày giải quyết", |p| {
        Value::opt_date(p.decided_on)
    }),
    Column::new("overdue", "Overdue", "Quá hạn", |p| Value::Bool(p.overdue)),
    Column::new(
        "resolved_on_time",
        "Resolved on time",
        "Giải quyết đúng hạn",
        |p| p.resolved_on_time.map(Value::Bool).unwrap_or(Value::Empty),
    ),
    Column::new("created_at", "Created at (UTC)", "Thời điểm tạo (UTC)", |p| {
        Value::DateTime(p.created_at)
    }),
    Column::new("updated_at", "Updated at (UTC)", "Thời điểm sửa (UTC)", |p| {
        Value::DateTime(p.updated_at)
    }),
];

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "day": "2026-09-01", "kind": "day_off", "name": "Quốc khánh (ngày liền kề)",
    "source": "Thông báo lịch nghỉ Quốc khánh 2026 cho cán bộ, công chức, viên chức"
}))]
pub struct Holiday {
    #[serde(deserialize_with = "crate::http::date::strict")]
    pub day: NaiveDate,
    /// `day_off` (a holiday, a compensatory or swapped day off) or `working_day` (a Saturday
    /// worked in exchange for a swapped day). Default `day_off`.
    #[serde(default)]
    pub kind: HolidayKind,
    #[validate(length(min = 1, max = 200))]
    pub name: String,
    /// The notice or article that fixes the day.
    #[validate(length(min = 1, max = 500))]
    pub source: String,
    /// Read only: false where the seeded date still needs checking against the year's notice
    /// (an admin's entry is verified).
    #[serde(default)]
    pub verified: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HolidayKind {
    #[default]
    DayOff,
    WorkingDay,
}

impl HolidayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HolidayKind::DayOff => "day_off",
            HolidayKind::WorkingDay => "working_day",
        }
    }

    pub fn parse(s: &str) -> HolidayKind {
        if s == "working_day" {
            HolidayKind::WorkingDay
        } else {
            HolidayKind::DayOff
        }
    }
}

#[derive(Debug, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct HolidayQuery {
    /// The days of this year only.
    #[validate(range(min = 1900, max = 9999))]
    #[param(minimum = 1900, maximum = 9999, example = 2020)]
    pub year: Option<i32>,
}
