use crate::http::export::{Column, Value};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::model::EventRow;
use crate::http::json_row::{RowWriter, WriteRow};
use crate::json_key;
use crate::participation::{Counts, CountsInput, Participant};
use crate::records::{activity_kept, topics_from_db, write_participants, ActivityKept, Topic};
use diesel::deserialize;
use diesel::pg::Pg;
use diesel::row::Row;

/// Forms named in the city guidance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    StreetEvent,
    Campaign,
    Exhibition,
    Contest,
    Performance,
    /// Seminars and talks (tọa đàm).
    Seminar,
    /// Visits to and support of victims.
    VictimVisit,
    /// Loudspeaker and radio broadcasts (loa phát thanh).
    Broadcast,
    Article,
    SocialMedia,
    BannerPoster,
    Other,
}

impl EventKind {
    pub const ALL: [EventKind; 12] = [
        Self::StreetEvent,
        Self::Campaign,
        Self::Exhibition,
        Self::Contest,
        Self::Performance,
        Self::Seminar,
        Self::VictimVisit,
        Self::Broadcast,
        Self::Article,
        Self::SocialMedia,
        Self::BannerPoster,
        Self::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::StreetEvent => "street_event",
            Self::Campaign => "campaign",
            Self::Exhibition => "exhibition",
            Self::Contest => "contest",
            Self::Performance => "performance",
            Self::Seminar => "seminar",
            Self::VictimVisit => "victim_visit",
            Self::Broadcast => "broadcast",
            Self::Article => "article",
            Self::SocialMedia => "social_media",
            Self::BannerPoster => "banner_poster",
            Self::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e98", "unit_id": "a3e0c6ca-ae28-59cb-b57f-593e8d17e313",
    "activity_id": "6b1f5a2e-8d3c-5e7a-9f10-2b3c4d5e6f91", "campaign_id": "6b1f5a2e-8d3c-5e7a-9f10-2b3c4d5e6f92",
    "kind": "street_event", "title": "Mít tinh hưởng ứng Tháng hành động vì bình đẳng giới", "topics": ["gbv"],
    "starts_on": "2020-11-15", "ends_on": "2020-11-15", "location": "Sân UBND phường Hạ Long", "channel": null,
    "audience_reached": 300, "participants": {"female": 180, "male": 70, "other": 0, "total": 250},
    "has_participant_list": false, "is_public": true, "in_action_month": true,
    "created_at": "2026-11-29T12:00:00Z", "updated_at": "2026-11-29T12:00:00Z", "version": 1
}))]
pub struct OutreachEvent {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub activity_id: Option<Uuid>,
    /// The campaign the event belongs to.
    pub campaign_id: Option<Uuid>,
    pub kind: EventKind,
    pub title: String,
    pub topics: Vec<Topic>,
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub starts_on: NaiveDate,
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub ends_on: NaiveDate,
    pub location: Option<String>,
    /// For broadcasts, articles and social media: where it ran.
    pub channel: Option<String>,
    /// Estimated audience reached (broadcasts, social media).
    pub audience_reached: Option<i32>,
    pub participants: Counts,
    pub has_participant_list: bool,
    /// Public events are shown to partners and in the public mobile view.
    pub is_public: bool,
    /// Derived: the dates overlap the Action Month (15 November - 15 December).
    pub in_action_month: bool,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<EventRow> for OutreachEvent {
    fn from(r: EventRow) -> Self {
        OutreachEvent {
            id: r.id,
            unit_id: r.unit_id,
            activity_id: r.activity_id,
            campaign_id: r.campaign_id,
            kind: EventKind::parse(&r.kind).unwrap_or(EventKind::Other),
            title: r.title,
            topics: topics_from_db(&r.topics),
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            location: r.location,
            channel: r.channel,
            audience_reached: r.audience_reached,
            participants: Counts::new(r.female, r.male, r.other_sex),
            has_participant_list: r.has_participant_list,
            is_public: r.is_public,
            in_action_month: r.in_action_month.unwrap_or(false),
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// An outreach event of a list page, written from its row (the list's select list is
/// `EventRow`'s columns, by position) in the shape of [`OutreachEvent`].
pub struct EventItem;

impl WriteRow for EventItem {
    const COLUMNS: &'static str = "t.id, t.unit_id, t.activity_id, t.campaign_id, t.kind, t.title, t.topics, t.starts_on, t.ends_on, t.location, t.channel, t.audience_reached, t.female, t.male, t.other_sex, t.has_participant_list, t.is_public, t.in_action_month, t.created_at, t.updated_at, t.version";
    type Kept = ActivityKept;

    fn write<'a, R: Row<'a, Pg>>(w: &mut RowWriter<'_, 'a, R>) -> deserialize::Result<ActivityKept> {
        let id = w.uuid(json_key!("id"), 0)?;
        w.uuid(json_key!("unit_id"), 1)?;
        w.uuid(json_key!("activity_id"), 2)?;
        w.uuid(json_key!("campaign_id"), 3)?;
        w.text_as(json_key!("kind"), 4, |k| {
            EventKind::parse(k).unwrap_or(EventKind::Other).as_str()
        })?;
        let title = w.text(json_key!("title"), 5)?;
        w.text_array(json_key!("topics"), 6, |t| Topic::parse(t).map(Topic::as_str))?;
        let starts_on = w.date(json_key!("starts_on"), 7)?;
        w.date(json_key!("ends_on"), 8)?;
        w.text(json_key!("location"), 9)?;
        w.text(json_key!("channel"), 10)?;
        w.opt_int4(json_key!("audience_reached"), 11)?;
        write_participants(w, 12)?;
        w.bool(json_key!("has_participant_list"), 15)?;
        w.bool(json_key!("is_public"), 16)?;
        w.bool(json_key!("in_action_month"), 17)?;
        w.timestamp(json_key!("created_at"), 18)?;
        let updated_at = w.timestamp(json_key!("updated_at"), 19)?;
        w.int8(json_key!("version"), 20)?;
        activity_kept(id, title, starts_on, updated_at)
    }
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "street_event", "title": "Mít tinh hưởng ứng Tháng hành động vì bình đẳng giới",
    "topics": ["gbv"], "starts_on": "2020-11-15", "ends_on": "2020-11-15",
    "location": "Sân UBND phường Hạ Long", "audience_reached": 300,
    "participants": {"female": 180, "male": 70, "other": 0}, "is_public": true
}))]
pub struct NewEvent {
    pub id: Option<Uuid>,
    /// Defaults to the caller's unit.
    pub unit_id: Option<Uuid>,
    pub activity_id: Option<Uuid>,
    pub campaign_id: Option<Uuid>,
    pub kind: EventKind,
    #[validate(length(min = 1, max = 500))]
    pub title: String,
    #[serde(default)]
    pub topics: Vec<Topic>,
    #[serde(deserialize_with = "crate::http::date::strict")]
    pub starts_on: NaiveDate,
    #[serde(deserialize_with = "crate::http::date::strict")]
    pub ends_on: NaiveDate,
    #[validate(length(max = 500))]
    pub location: Option<String>,
    #[validate(length(max = 300))]
    pub channel: Option<String>,
    #[validate(range(min = 0, max = 100_000_000))]
    pub audience_reached: Option<i32>,
    #[validate(nested)]
    pub participants: Option<CountsInput>,
    #[validate(length(max = 5000), nested)]
    pub participant_list: Option<Vec<Participant>>,
    #[serde(default)]
    pub is_public: bool,
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"audience_reached": 1200, "is_public": true}))]
pub struct EventPatch {
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub activity_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub campaign_id: Option<Option<Uuid>>,
    pub kind: Option<EventKind>,
    #[validate(length(min = 1, max = 500))]
    pub title: Option<String>,
    pub topics: Option<Vec<Topic>>,
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
    pub channel: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[validate(range(min = 0, max = 100_000_000))]
    #[schema(value_type = Option<i32>)]
    pub audience_reached: Option<Option<i32>>,
    #[validate(nested)]
    pub participants: Option<CountsInput>,
    #[validate(length(max = 5000), nested)]
    pub participant_list: Option<Vec<Participant>>,
    pub is_public: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventFilters {
    /// Events of this unit (and its descendants with `include_descendants=true`).
    pub unit_id: Option<Uuid>,
    #[serde(default)]
    pub include_descendants: bool,
    /// Events that end on or after this date.
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub from: Option<NaiveDate>,
    /// Events that start on or before this date.
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub to: Option<NaiveDate>,
    pub kind: Option<EventKind>,
    pub topic: Option<Topic>,
    pub in_action_month: Option<bool>,
    pub activity_id: Option<Uuid>,
    pub campaign_id: Option<Uuid>,
    pub is_public: Option<bool>,
    /// Search in title, location and channel, ignoring diacritics and case.
    pub q: Option<String>,
}

/// The columns of an outreach export (CSV, XLSX).
pub static EXPORT_COLUMNS: [Column<OutreachEvent>; 22] = [
    Column::new("id", "Id", "Mã định danh", |e| Value::Text(e.id.to_string())),
    Column::new("version", "Version", "Phiên bản", |e| Value::Int(e.version)),
    Column::new("unit_id", "Unit id", "Mã định danh đơn vị", |e| {
        Value::Text(e.unit_id.to_string())
    }),
    Column::new("kind", "Kind", "Hình thức", |e| Value::list(&[e.kind])),
    Column::new("title", "Title", "Tên hoạt động", |e| {
        Value::Text(e.title.clone())
    }),
    Column::new("topics", "Topics", "Chủ đề", |e| Value::list(&e.topics)),
    Column::new("starts_on", "Starts on", "Ngày bắt đầu", |e| {
        Value::Date(e.starts_on)
    }),
    Column::new("ends_on", "Ends on", "Ngày kết thúc", |e| Value::Date(e.ends_on)),
    Column::new("location", "Location", "Địa điểm", |e| {
        Value::opt_text(e.location.as_ref())
    }),
    Column::new("channel", "Channel", "Kênh", |e| Value::opt_text(e.channel.as_ref())),
    Column::new(
        "audience_reached",
        "People reached",
        "Số người được tiếp cận",
        |e| e.audience_reached.map(|v| Value::Int(v.into())).unwrap_or(Value::Empty),
    ),
    Column::new("female", "Female", "Nữ", |e| Value::Int(e.participants.female.into())),
    Column::new("male", "Male", "Nam", |e| Value::Int(e.participants.male.into())),
    Column::new("other", "Other sex", "Giới tính khác", |e| {
        Value::Int(e.participants.other.into())
    }),
    Column::new("participants", "Participants", "Tổng số người", |e| {
        Value::Int(e.participants.total.into())
    }),
    Column::new("is_public", "Public", "Công khai", |e| Value::Bool(e.is_public)),
    Column::new(
        "in_action_month",
        "In the Action Month",
        "Trong Tháng hành động",
        |e| Value::Bool(e.in_action_month),
    ),
    Column::new("campaign_id", "Campaign", "Chiến dịch", |e| {
        Value::opt_text(e.campaign_id)
    }),
    Column::new("activity_id", "Plan activity", "Hoạt động kế hoạch", |e| {
        Value::opt_text(e.activity_id)
    }),
    Column::new(
        "has_participant_list",
        "Named participants",
        "Có danh sách người tham gia",
        |e| Value::Bool(e.has_participant_list),
    ),
    Column::new("created_at", "Created at (UTC)", "Thời điểm tạo (UTC)", |e| {
        Value::DateTime(e.created_at)
    }),
    Column::new("updated_at", "Updated at (UTC)", "Thời điểm sửa (UTC)", |e| {
        Value::DateTime(e.updated_at)
    }),
];

crate::activity_fields!(new NewEvent);
crate::activity_fields!(patch EventPatch);
crate::activity_fields!(filters EventFilters);

/// A partner reads public events only.
pub fn partner_may_see(row: &super::model::EventRow) -> bool {
    row.is_public
}

/// The campaign must be visible to the caller and belong to the event's unit or a unit above.
async fn check_campaign(
    conn: &mut crate::db::Conn,
    caller: &crate::auth::Caller,
    campaign_id: Option<Uuid>,
    unit_path: &str,
) -> crate::error::ApiResult<()> {
    let Some(id) = campaign_id else { return Ok(()) };
    match crate::campaigns::queries::find(conn, id).await? {
        Some(c) if crate::campaigns::readable(caller, &c.unit_path) && unit_path.starts_with(&c.unit_path) => Ok(()),
        _ => Err(crate::error::ApiError::field(
            "campaign_id",
            "unknown",
            "no such campaign of this unit or a unit above it",
            "không có chiến dịch này của đơn vị hoặc đơn vị cấp trên",
        )),
    }
}

/// `POST /outreach` for a valid body: checks, the row, the write (also the importer's path).
pub async fn create(
    conn: &mut crate::db::Conn,
    caller: &crate::auth::Caller,
    key: &crate::http::IdempotencyKey,
    hash: &[u8],
    body: NewEvent,
) -> crate::error::ApiResult<actix_web::HttpResponse> {
    use super::model::EventRow;
    use crate::records;
    let (unit, counts) = records::check_new(conn, caller, body.shared()).await?;
    check_campaign(conn, caller, body.campaign_id, &unit.path).await?;
    let now = chrono::Utc::now();
    let row = EventRow {
        id: body.id.unwrap_or_else(Uuid::now_v7),
        unit_id: unit.id,
        unit_path: unit.path,
        activity_id: body.activity_id,
        campaign_id: body.campaign_id,
        kind: body.kind.as_str().into(),
        title: body.title.trim().into(),
        topics: records::to_db(&body.topics, |t| t.as_str()),
        starts_on: body.starts_on,
        ends_on: body.ends_on,
        location: body.location,
        channel: body.channel,
        audience_reached: body.audience_reached,
        is_public: body.is_public,
        female: counts.female,
        male: counts.male,
        other_sex: counts.other,
        in_action_month: None,
        has_participant_list: body.participant_list.is_some(),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    records::create(conn, caller, key, hash, row, body.participant_list).await
}

/// `PATCH /outreach/{id}` for a valid body (also the importer's path).
pub async fn update(
    conn: &mut crate::db::Conn,
    caller: &crate::auth::Caller,
    id: Uuid,
    if_match: &crate::http::IfMatch,
    body: EventPatch,
) -> crate::error::ApiResult<actix_web::HttpResponse> {
    use super::model::{EventChanges, EventRow};
    use crate::records;
    let current: EventRow = records::visible(conn, caller, id, partner_may_see).await?;
    caller.require_recorder_of(current.unit_id, &current.unit_path)?;
    let counts = records::check_patch(conn, &current, body.shared()).await?;
    if let Some(campaign) = body.campaign_id {
        check_campaign(conn, caller, campaign, &current.unit_path).await?;
    }
    let changes = EventChanges {
        activity_id: body.activity_id,
        campaign_id: body.campaign_id,
        kind: body.kind.map(|k| k.as_str().to_string()),
        title: body.title.map(|t| t.trim().to_string()),
        topics: body.topics.as_deref().map(|t| records::to_db(t, |x| x.as_str())),
        starts_on: body.starts_on,
        ends_on: body.ends_on,
        location: body.location,
        channel: body.channel,
        audience_reached: body.audience_reached,
        is_public: body.is_public,
        female: counts.map(|c| c.female),
        male: counts.map(|c| c.male),
        other_sex: counts.map(|c| c.other),
        has_participant_list: body.participant_list.as_ref().map(|l| !l.is_empty()),
    };
    records::update(conn, caller, current, if_match, body.participant_list, changes).await
}
