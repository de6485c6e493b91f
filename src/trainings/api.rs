use crate::http::export::{Column, Value};
use crate::http::json_row::{RowWriter, WriteRow};
use crate::json_key;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::deserialize;
use diesel::pg::Pg;
use diesel::row::Row;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::model::TrainingRow;
use crate::participation::{Counts, CountsInput, Participant};
use crate::records::{activity_kept, topics_from_db, write_participants, ActivityKept, Topic};

/// Audiences named in the city guidance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Officials doing gender-equality work.
    Officials,
    /// Collaborators (cộng tác viên).
    Collaborators,
    /// Members of the Committee for the Advancement of Women.
    CommitteeMembers,
    /// Media agencies.
    Media,
    /// Rapporteurs (báo cáo viên).
    Rapporteurs,
    /// Grassroots information officers.
    GrassrootsInformationOfficers,
    /// Residents.
    Community,
    Students,
    Other,
}

impl Audience {
    pub const ALL: [Audience; 9] = [
        Self::Officials,
        Self::Collaborators,
        Self::CommitteeMembers,
        Self::Media,
        Self::Rapporteurs,
        Self::GrassrootsInformationOfficers,
        Self::Community,
        Self::Students,
        Self::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Officials => "officials",
            Self::Collaborators => "collaborators",
            Self::CommitteeMembers => "committee_members",
            Self::Media => "media",
            Self::Rapporteurs => "rapporteurs",
            Self::GrassrootsInformationOfficers => "grassroots_information_officers",
            Self::Community => "community",
            Self::Students => "students",
            Self::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e97", "unit_id": "a3e0c6ca-ae28-59cb-b57f-593e8d17e313",
    "activity_id": "6b1f5a2e-8d3c-5e7a-9f10-2b3c4d5e6f90", "title": "Tập huấn kiến thức về bình đẳng giới",
    "topics": ["gender_equality_law", "gbv"], "audiences": ["officials", "collaborators"],
    "starts_on": "2020-11-20", "ends_on": "2020-11-21", "location": "Hội trường UBND phường Hạ Long",
    "organiser": "UBND phường Hạ Long", "trainers": ["Trần Văn Minh"],
    "participants": {"female": 32, "male": 11, "other": 0, "total": 43}, "has_participant_list": false,
    "in_action_month": true, "created_at": "2026-11-29T12:00:00Z", "updated_at": "2026-11-29T12:00:00Z", "version": 1
}))]
pub struct Training {
    pub id: Uuid,
    pub unit_id: Uuid,
    /// The plan activity this training carries out.
    pub activity_id: Option<Uuid>,
    pub title: String,
    pub topics: Vec<Topic>,
    pub audiences: Vec<Audience>,
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub starts_on: NaiveDate,
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub ends_on: NaiveDate,
    pub location: Option<String>,
    pub organiser: Option<String>,
    pub trainers: Vec<String>,
    /// By sex; derived from the participant list when there is one.
    pub participants: Counts,
    /// True when the counts come from a named list (`GET .../participants`).
    pub has_participant_list: bool,
    /// Derived: the dates overlap the Action Month (15 November - 15 December).
    pub in_action_month: bool,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<TrainingRow> for Training {
    fn from(r: TrainingRow) -> Self {
        Training {
            id: r.id,
            unit_id: r.unit_id,
            activity_id: r.activity_id,
            title: r.title,
            topics: topics_from_db(&r.topics),
            audiences: r.audiences.iter().filter_map(|a| Audience::parse(a)).collect(),
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            location: r.location,
            organiser: r.organiser,
            trainers: r.trainers,
            participants: Counts::new(r.female, r.male, r.other_sex),
            has_participant_list: r.has_participant_list,
            in_action_month: r.in_action_month.unwrap_or(false),
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// A training of a list page, written from its row ([`columns_of::<TrainingRow>`] by position)
/// in the shape of [`Training`].
///
/// [`columns_of::<TrainingRow>`]: crate::http::list::columns_of
pub struct TrainingItem;

impl WriteRow for TrainingItem {
    const COLUMNS: &'static str = "t.id, t.unit_id, t.activity_id, t.title, t.topics, t.audiences, t.starts_on, t.ends_on, t.location, t.organiser, t.trainers, t.female, t.male, t.other_sex, t.has_participant_list, t.in_action_month, t.created_at, t.updated_at, t.version";
    type Kept = ActivityKept;

    fn write<'a, R: Row<'a, Pg>>(w: &mut RowWriter<'_, 'a, R>) -> deserialize::Result<Self::Kept> {
        let id = w.uuid(json_key!("id"), 0)?;
        w.uuid(json_key!("unit_id"), 1)?;
        w.uuid(json_key!("activity_id"), 2)?;
        let title = w.text(json_key!("title"), 3)?;
        w.text_array(json_key!("topics"), 4, |t| Topic::parse(t).map(Topic::as_str))?;
        w.text_array(json_key!("audiences"), 5, |a| Audience::parse(a).map(Audience::as_str))?;
        let starts_on = w.date(json_key!("starts_on"), 6)?;
        w.date(json_key!("ends_on"), 7)?;
        w.text(json_key!("location"), 8)?;
        w.text(json_key!("organiser"), 9)?;
        w.text_list(json_key!("trainers"), 10)?;
        write_participants(w, 11)?;
        w.bool(json_key!("has_participant_list"), 14)?;
        w.bool(json_key!("in_action_month"), 15)?;
        w.timestamp(json_key!("created_at"), 16)?;
        let updated_at = w.timestamp(json_key!("updated_at"), 17)?;
        w.int8(json_key!("version"), 18)?;
        activity_kept(id, title, starts_on, updated_at)
    }
}

pub fn valid_names(names: &[String]) -> Result<(), validator::ValidationError> {
    if names.len() <= 50 && names.iter().all(|n| !n.trim().is_empty() && n.chars().count() <= 200) {
        Ok(())
    } else {
        let mut e = validator::ValidationError::new("length");
        e.message = Some("at most 50 names of 1 to 200 characters".into());
        Err(e)
    }
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Tập huấn kiến thức về bình đẳng giới cho cán bộ, cộng tác viên",
    "id": "0193a7c0-0000-7000-8000-00000000a001",
    "topics": ["gender_equality_law"], "audiences": ["officials", "collaborators"],
    "starts_on": "2020-11-20", "ends_on": "2020-11-21", "location": "Hội trường UBND phường Hạ Long",
    "organiser": "UBND phường Hạ Long", "trainers": ["Trần Văn Minh"],
    "participants": {"female": 32, "male": 11, "other": 0}
}))]
pub struct NewTraining {
    /// Optional client-chosen id (records made offline keep their id).
    pub id: Option<Uuid>,
    /// Defaults to the caller's unit.
    pub unit_id: Option<Uuid>,
    pub activity_id: Option<Uuid>,
    #[validate(length(min = 1, max = 500))]
    pub title: String,
    #[serde(default)]
    pub topics: Vec<Topic>,
    #[serde(default)]
    pub audiences: Vec<Audience>,
    #[serde(deserialize_with = "crate::http::date::strict")]
    pub starts_on: NaiveDate,
    #[serde(deserialize_with = "crate::http::date::strict")]
    pub ends_on: NaiveDate,
    #[validate(length(max = 500))]
    pub location: Option<String>,
    #[validate(length(max = 300))]
    pub organiser: Option<String>,
    #[serde(default)]
    #[validate(custom(function = "valid_names"))]
    pub trainers: Vec<String>,
    /// Typed counts; with a participant list they must agree with it.
    #[validate(nested)]
    pub participants: Option<CountsInput>,
    /// Named participants; the counts are derived from them.
    #[validate(length(max = 5000), nested)]
    pub participant_list: Option<Vec<Participant>>,
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"participants": {"female": 35, "male": 11, "other": 0}}))]
pub struct TrainingPatch {
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub activity_id: Option<Option<Uuid>>,
    #[validate(length(min = 1, max = 500))]
    pub title: Option<String>,
    pub topics: Option<Vec<Topic>>,
    pub audiences: Option<Vec<Audience>>,
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub starts_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub ends_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[validate(length(max = 500))]
    #[schema(value_type = Option<String>)]
    pub location: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[validate(length(max = 300))]
    #[schema(value_type = Option<String>)]
    pub organiser: Option<Option<String>>,
    #[validate(custom(function = "valid_names"))]
    pub trainers: Option<Vec<String>>,
    #[validate(nested)]
    pub participants: Option<CountsInput>,
    /// Replaces the list (an empty list removes it; counts then come from `participants`).
    #[validate(length(max = 5000), nested)]
    pub participant_list: Option<Vec<Participant>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrainingFilters {
    /// Trainings of this unit (and its descendants with `include_descendants=true`).
    pub unit_id: Option<Uuid>,
    #[serde(default)]
    pub include_descendants: bool,
    /// Trainings that end on or after this date.
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub from: Option<NaiveDate>,
    /// Trainings that start on or before this date.
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub to: Option<NaiveDate>,
    pub topic: Option<Topic>,
    pub audience: Option<Audience>,
    pub in_action_month: Option<bool>,
    /// Trainings carrying out this plan activity.
    pub activity_id: Option<Uuid>,
    /// Search in title, location and organiser, ignoring diacritics and case.
    pub q: Option<String>,
}

/// The columns of a trainings export (CSV, XLSX).
pub static EXPORT_COLUMNS: [Column<Training>; 18] = [
    Column::new("id", "Id", "Mã định danh", |t| Value::Text(t.id.to_string())),
    Column::new("version", "Version", "Phiên bản", |t| Value::Int(t.version)),
    Column::new("unit_id", "Unit id", "Mã định danh đơn vị", |t| {
        Value::Text(t.unit_id.to_string())
    }),
    Column::new("title", "Title", "Tên lớp", |t| Value::Text(t.title.clone())),
    Column::new("starts_on", "Starts on", "Ngày bắt đầu", |t| {
        Value::Date(t.starts_on)
    }),
    Column::new("ends_on", "Ends on", "Ngày kết thúc", |t| Value::Date(t.ends_on)),
    Column::new("topics", "Topics", "Chủ đề", |t| Value::list(&t.topics)),
    Column::new("audiences", "Audiences", "Đối tượng", |t| {
        Value::list(&t.audiences)
    }),
    Column::new("location", "Location", "Địa điểm", |t| {
        Value::opt_text(t.location.as_ref())
    }),
    Column::new("organiser", "Organiser", "Đơn vị tổ chức", |t| {
        Value::opt_text(t.organiser.as_ref())
    }),
    Column::new("female", "Female", "Nữ", |t| Value::Int(t.participants.female.into())),
    Column::new("male", "Male", "Nam", |t| Value::Int(t.participants.male.into())),
    Column::new("other", "Other sex", "Giới tính khác", |t| {
        Value::Int(t.participants.other.into())
    }),
    Column::new("participants", "Participants", "Tổng số người", |t| {
        Value::Int(t.participants.total.into())
    }),
    Column::new(
        "in_action_month",
        "In the Action Month",
        "Trong Tháng hành động",
        |t| Value::Bool(t.in_action_month),
    ),
    Column::new("activity_id", "Plan activity", "Hoạt động kế hoạch", |t| {
        Value::opt_text(t.activity_id)
    }),
    Column::new("created_at", "Created at (UTC)", "Thời điểm tạo (UTC)", |t| {
        Value::DateTime(t.created_at)
    }),
    Column::new("updated_at", "Updated at (UTC)", "Thời điểm sửa (UTC)", |t| {
        Value::DateTime(t.updated_at)
    }),
];

crate::activity_fields!(new NewTraining);
crate::activity_fields!(patch TrainingPatch);
crate::activity_fields!(filters TrainingFilters);

/// Partners read aggregates, never a training.
pub fn partner_may_see(_: &super::model::TrainingRow) -> bool {
    false
}

/// `POST /trainings` for a valid body: checks, the row, the write (also the importer's path).
pub async fn create(
    conn: &mut crate::db::Conn,
    caller: &crate::auth::Caller,
    key: &crate::http::IdempotencyKey,
    hash: &[u8],
    body: NewTraining,
) -> crate::error::ApiResult<actix_web::HttpResponse> {
    use super::model::TrainingRow;
    use crate::records;
    let (unit, counts) = records::check_new(conn, caller, body.shared()).await?;
    let now = chrono::Utc::now();
    let row = TrainingRow {
        id: body.id.unwrap_or_else(Uuid::now_v7),
        unit_id: unit.id,
        unit_path: unit.path,
        activity_id: body.activity_id,
        title: body.title.trim().into(),
        topics: records::to_db(&body.topics, |t| t.as_str()),
        audiences: records::to_db(&body.audiences, |a| a.as_str()),
        starts_on: body.starts_on,
        ends_on: body.ends_on,
        location: body.location,
        organiser: body.organiser,
        trainers: body.trainers.iter().map(|t| t.trim().to_string()).collect(),
        female: counts.female,
        male: counts.male,
        other_sex: counts.other,
        has_participant_list: body.participant_list.is_some(),
        in_action_month: None,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    records::create(conn, caller, key, hash, row, body.participant_list).await
}

/// `PATCH /trainings/{id}` for a valid body (also the importer's path).
pub async fn update(
    conn: &mut crate::db::Conn,
    caller: &crate::auth::Caller,
    id: Uuid,
    if_match: &crate::http::IfMatch,
    body: TrainingPatch,
) -> crate::error::ApiResult<actix_web::HttpResponse> {
    use super::model::{TrainingChanges, TrainingRow};
    use crate::records;
    caller.require_not_partner()?;
    let current: TrainingRow = records::visible(conn, caller, id, partner_may_see).await?;
    caller.require_recorder_of(current.unit_id, &current.unit_path)?;
    let counts = records::check_patch(conn, &current, body.shared()).await?;
    let changes = TrainingChanges {
        activity_id: body.activity_id,
        title: body.title.map(|t| t.trim().to_string()),
        topics: body.topics.as_deref().map(|t| records::to_db(t, |x| x.as_str())),
        audiences: body.audiences.as_deref().map(|a| records::to_db(a, |x| x.as_str())),
        starts_on: body.starts_on,
        ends_on: body.ends_on,
        location: body.location,
        organiser: body.organiser,
        trainers: body.trainers.map(|t| t.iter().map(|x| x.trim().to_string()).collect()),
        female: counts.map(|c| c.female),
        male: counts.map(|c| c.male),
        other_sex: counts.map(|c| c.other),
        has_participant_list: body.participant_list.as_ref().map(|l| !l.is_empty()),
    };
    records::update(conn, caller, current, if_match, body.participant_list, changes).await
}
