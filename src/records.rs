//! Rules shared by the records of what units did (trainings and outreach events): who writes
//! them, which plan activity they may carry out, sane dates, and the topics vocabulary.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::schema::{plan_activities, plans};
use crate::error::{ApiError, ApiResult, FieldError, Text};
use crate::http::json_row::{PgDate, PgTimestamp, RowWriter, SortKept, SortRaw, TextAt};
use crate::http::list::{ts_key, Keyed, SortField};
use crate::json_key;
use diesel::deserialize;
use diesel::pg::Pg;
use diesel::row::Row;

/// Topics named in the city guidance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// Gender-based violence, especially against women and girls.
    Gbv,
    DomesticViolence,
    SexSelectionAtBirth,
    MarriageToForeigners,
    WomenInLeadership,
    WomenEntrepreneurship,
    GenderEqualityLaw,
    GenderMainstreaming,
    Other,
}

impl Topic {
    pub const ALL: [Topic; 9] = [
        Topic::Gbv,
        Topic::DomesticViolence,
        Topic::SexSelectionAtBirth,
        Topic::MarriageToForeigners,
        Topic::WomenInLeadership,
        Topic::WomenEntrepreneurship,
        Topic::GenderEqualityLaw,
        Topic::GenderMainstreaming,
        Topic::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Gbv => "gbv",
            Topic::DomesticViolence => "domestic_violence",
            Topic::SexSelectionAtBirth => "sex_selection_at_birth",
            Topic::MarriageToForeigners => "marriage_to_foreigners",
            Topic::WomenInLeadership => "women_in_leadership",
            Topic::WomenEntrepreneurship => "women_entrepreneurship",
            Topic::GenderEqualityLaw => "gender_equality_law",
            Topic::GenderMainstreaming => "gender_mainstreaming",
            Topic::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Topic> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Sorted, without duplicates, as stored.
pub fn to_db<T: Copy + Ord>(items: &[T], name: impl Fn(T) -> &'static str) -> Vec<String> {
    let mut v = items.to_vec();
    v.sort();
    v.dedup();
    v.into_iter().map(|t| name(t).to_string()).collect()
}

pub fn topics_from_db(v: &[String]) -> Vec<Topic> {
    v.iter().filter_map(|t| Topic::parse(t)).collect()
}

/// How far ahead a record's dates may lie (records are of what was done, or is about to be).
pub const MAX_DAYS_AHEAD: i64 = 366;

/// `ends_on` not before `starts_on`; neither before 2000 nor more than a year ahead.
pub fn check_dates(starts_on: NaiveDate, ends_on: NaiveDate) -> ApiResult<()> {
    let latest = chrono::Utc::now().date_naive() + chrono::Duration::days(MAX_DAYS_AHEAD);
    let mut errors = Vec::new();
    for (field, d) in [("starts_on", starts_on), ("ends_on", ends_on)] {
        if d.year() < 2000 || d > latest {
            errors.push(FieldError::new(
                field,
                "out_of_range",
                Text::new(
                    format!("must be between 2000-01-01 and {latest}"),
                    format!("phải trong khoảng 2000-01-01 đến {latest}"),
                ),
            ));
        }
    }
    if ends_on < starts_on {
        errors.push(FieldError::new(
            "ends_on",
            "before_start",
            Text::new("must not be before starts_on", "không được trước starts_on"),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// A record may carry out an activity of its own unit's plan, or of a plan above whose
/// activity is assigned to the record's unit or a unit above it. Cancelled plans take none.
pub async fn check_activity(
    conn: &mut AsyncPgConnection,
    activity_id: Option<Uuid>,
    unit_id: Uuid,
    unit_path: &str,
) -> ApiResult<()> {
    let Some(activity_id) = activity_id else { return Ok(()) };
    let found: Option<(Uuid, String, String, String)> = plan_activities::table
        .inner_join(plans::table)
        .filter(plan_activities::id.eq(activity_id))
        .filter(plan_activities::deleted_at.is_null())
        .filter(plans::deleted_at.is_null())
        .filter(plans::status.ne("cancelled"))
        .select((
            plans::unit_id,
            plans::unit_path,
            plan_activities::responsible_unit_path,
            plans::status,
        ))
        .first(conn)
        .await
        .optional()?;
    let ok = match found {
        Some((plan_unit, plan_path, responsible_path, _)) => {
            unit_path.starts_with(&plan_path) && (plan_unit == unit_id || unit_path.starts_with(&responsible_path))
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::field(
            "activity_id",
            "not_assigned",
            "must be an activity of this unit's plan, or of a plan above that assigns it to this unit",
            "phải là hoạt động trong kế hoạch của đơn vị, hoặc của kế hoạch cấp trên giao cho đơn vị",
        ))
    }
}

/// The sorts trainings and outreach events allow (their lists read `table t`).
pub const SORTS: &[SortField] = &[
    SortField {
        name: "starts_on",
        column: "t.starts_on",
        sql_type: "date",
    },
    SortField {
        name: "title",
        column: "t.title",
        sql_type: "text",
    },
    SortField {
        name: "updated_at",
        column: "t.updated_at",
        sql_type: "timestamptz",
    },
];

/// What a page's cursor reads of a training or an outreach event: its id and the value of the
/// sort of [`SORTS`] it is listed by.
pub struct ActivityKey {
    pub id: Uuid,
    pub title: String,
    pub starts_on: NaiveDate,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl ActivityKey {
    /// The key of a record read whole (the serde path: exports, plan activities' results).
    pub fn of(id: Uuid, title: &str, starts_on: NaiveDate, updated_at: chrono::DateTime<chrono::Utc>) -> Self {
        ActivityKey {
            id,
            title: title.to_string(),
            starts_on,
            updated_at,
        }
    }
}

impl Keyed for ActivityKey {
    fn id(&self) -> String {
        self.id.to_string()
    }
    fn sort_value(&self, field: &str) -> String {
        match field {
            "title" => self.title.clone(),
            "updated_at" => ts_key(&self.updated_at),
            _ => self.starts_on.to_string(),
        }
    }
}

/// What writing a list item of a training or an event keeps for its cursor
/// ([`WriteRow::Kept`](crate::http::json_row::WriteRow::Kept)): the id, and the values of the
/// sorts of [`SORTS`] (where the title stands, the start, the last change).
pub type ActivityKept = SortKept<Uuid, 3>;

/// `"participants":{"female":…,"male":…,"other":…,"total":…}` of a list item, from the three
/// count columns at `female`, `female + 1`, `female + 2`.
#[inline(always)]
pub fn write_participants<'a, R: Row<'a, Pg>>(w: &mut RowWriter<'_, 'a, R>, female: usize) -> deserialize::Result<()> {
    w.object(json_key!("participants"), |w| {
        let f = w.int4(json_key!("female"), female)?;
        let m = w.int4(json_key!("male"), female + 1)?;
        let o = w.int4(json_key!("other"), female + 2)?;
        w.raw_number(
            json_key!("total"),
            crate::participation::Counts::new(f, m, o).total.into(),
        );
        Ok(())
    })
}

/// What a training's or an event's writing keeps, from the values it wrote (a row without its
/// id or dates is malformed).
#[inline]
pub fn activity_kept(
    id: Option<Uuid>,
    title: Option<TextAt>,
    starts_on: Option<PgDate>,
    updated_at: Option<PgTimestamp>,
) -> deserialize::Result<ActivityKept> {
    SortKept::new(
        id,
        &["starts_on", "title", "updated_at"],
        [
            starts_on.map(SortRaw::from),
            Some(title.into()),
            updated_at.map(SortRaw::from),
        ],
    )
}

/// The filters trainings and outreach events share.
pub struct CommonFilters<'a> {
    pub unit_id: Option<Uuid>,
    /// The unit's path when its whole subtree is asked for.
    pub subtree: Option<&'a str>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub topic: Option<Topic>,
    pub in_action_month: Option<bool>,
    pub activity_id: Option<Uuid>,
    pub q: Option<&'a str>,
}

/// A list of `table t` with the shared filters applied: live rows in the caller's scopes, the
/// unit (or its subtree), dates overlapping `from`..`to`, topic, Action Month, activity, `q`.
pub fn list_sql(select_from: String, scopes: &[String], f: &CommonFilters<'_>) -> crate::http::list::ListSql {
    use crate::http::list::{Bind, ListSql};
    let mut sql = ListSql::new(select_from, "t.id").prefix_indexed();
    sql.filter("t.deleted_at IS NULL", []).in_scopes("t.unit_path", scopes);
    match (f.unit_id, f.subtree) {
        (Some(_), Some(path)) => {
            sql.in_subtree("t.unit_path", path);
        }
        (Some(id), None) => {
            sql.filter("t.unit_id = ?", [Bind::Uuid(id)]);
        }
        _ => {}
    }
    if let Some(from) = f.from {
        sql.filter("t.ends_on >= ?", [Bind::Date(from)]);
    }
    if let Some(to) = f.to {
        sql.filter("t.starts_on <= ?", [Bind::Date(to)]);
    }
    if let Some(topic) = f.topic {
        sql.filter("t.topics @> ARRAY[?]::text[]", [Bind::Text(topic.as_str().into())]);
    }
    if let Some(am) = f.in_action_month {
        sql.filter("t.in_action_month = ?", [Bind::Bool(am)]);
    }
    if let Some(a) = f.activity_id {
        sql.filter("t.activity_id = ?", [Bind::Uuid(a)]);
    }
    if let Some(q) = f.q.filter(|q| !q.trim().is_empty()) {
        sql.search("t.search", q);
    }
    sql
}

/// What trainings and outreach events share on the write path: a unit, dates, an optional plan
/// activity, and counts by sex that a named participant list may replace.
pub trait ActivityRecord: crate::write::Record + Clone {
    /// What a correction of its own fields sets.
    type Changes: Send + Sync + 'static;

    fn dates(&self) -> (NaiveDate, NaiveDate);

    /// The versioned UPDATE (`None` when the record moved on).
    fn update<'a>(
        conn: &'a mut AsyncPgConnection,
        id: Uuid,
        version: i64,
        changes: &'a Self::Changes,
    ) -> impl std::future::Future<Output = diesel::QueryResult<Option<Self>>> + Send + 'a;
}

/// A training's or an outreach event's row on the write path: [`crate::write::Record`],
/// [`crate::write::NewRecord`] (a resend of the same unit, title and start is the record an
/// offline client created before) and [`ActivityRecord`], found by the `find` of its queries.
#[macro_export]
macro_rules! activity_record {
    ($row:ty, $api:ty, $resource:literal, $table:ident, $changes:ty) => {
        $crate::record!($row, $api, $resource, $table, find);
        $crate::new_record!(
            $row,
            $table,
            same = |n, e| e.unit_id == n.unit_id && e.title == n.title && e.starts_on == n.starts_on
        );

        impl $crate::records::ActivityRecord for $row {
            type Changes = $changes;

            fn dates(&self) -> (chrono::NaiveDate, chrono::NaiveDate) {
                (self.starts_on, self.ends_on)
            }
            async fn update(
                conn: &mut $crate::db::Conn,
                id: uuid::Uuid,
                version: i64,
                c: &$changes,
            ) -> diesel::QueryResult<Option<Self>> {
                $crate::versioned_update!(conn, $table, id, version, c, $row)
            }
        }
    };
}

/// The shared fields of a new record, as sent.
pub struct NewActivity<'a> {
    pub unit_id: Option<Uuid>,
    pub activity_id: Option<Uuid>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub participants: Option<&'a crate::participation::CountsInput>,
    pub participant_list: Option<&'a [crate::participation::Participant]>,
}

/// The shared fields of a request body that creates (`new`) or corrects (`patch`) a training or
/// an outreach event: both carry the same names.
#[macro_export]
macro_rules! activity_fields {
    (new $t:ty) => {
        impl $t {
            pub fn shared(&self) -> $crate::records::NewActivity<'_> {
                $crate::records::NewActivity {
                    unit_id: self.unit_id,
                    activity_id: self.activity_id,
                    starts_on: self.starts_on,
                    ends_on: self.ends_on,
                    participants: self.participants.as_ref(),
                    participant_list: self.participant_list.as_deref(),
                }
            }
        }
    };
    (filters $t:ty) => {
        impl $t {
            /// The shared filters; `unit_path` is the unit's path when its subtree is asked for.
            pub fn common<'a>(&'a self, unit_path: Option<&'a str>) -> $crate::records::CommonFilters<'a> {
                $crate::records::CommonFilters {
                    unit_id: self.unit_id,
                    subtree: unit_path.filter(|_| self.include_descendants),
                    from: self.from,
                    to: self.to,
                    topic: self.topic,
                    in_action_month: self.in_action_month,
                    activity_id: self.activity_id,
                    q: self.q.as_deref(),
                }
            }
        }
    };
    (patch $t:ty) => {
        impl $t {
            pub fn shared(&self) -> $crate::records::ActivityPatch<'_> {
                $crate::records::ActivityPatch {
                    activity_id: self.activity_id,
                    starts_on: self.starts_on,
                    ends_on: self.ends_on,
                    participants: self.participants.as_ref(),
                    participant_list: self.participant_list.as_deref(),
                }
            }
        }
    };
}

/// Checks a new record's shared fields: the unit (the caller's by default) in scope and written
/// by the caller, the dates, the counts against the list, the plan activity. The unit and the
/// counts to store.
pub async fn check_new(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    n: NewActivity<'_>,
) -> ApiResult<(crate::units::model::UnitRow, crate::participation::Counts)> {
    let unit = crate::units::queries::in_scope(conn, caller, n.unit_id, "unit_id").await?;
    caller.require_recorder_of(unit.id, &unit.path)?;
    check_dates(n.starts_on, n.ends_on)?;
    let counts = crate::participation::resolve(n.participants, n.participant_list)?;
    check_activity(conn, n.activity_id, unit.id, &unit.path).await?;
    Ok((unit, counts))
}

/// The shared fields of a correction, as sent.
pub struct ActivityPatch<'a> {
    pub activity_id: Option<Option<Uuid>>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub participants: Option<&'a crate::participation::CountsInput>,
    pub participant_list: Option<&'a [crate::participation::Participant]>,
}

/// Checks a correction's shared fields against the record: the dates after it, the plan
/// activity, the counts. The counts to store, when they change.
pub async fn check_patch<R: ActivityRecord>(
    conn: &mut AsyncPgConnection,
    current: &R,
    p: ActivityPatch<'_>,
) -> ApiResult<Option<crate::participation::Counts>> {
    let (starts_on, ends_on) = current.dates();
    check_dates(p.starts_on.unwrap_or(starts_on), p.ends_on.unwrap_or(ends_on))?;
    if let Some(activity) = p.activity_id {
        check_activity(conn, activity, current.unit_id(), current.unit_path()).await?;
    }
    // The list, when sent, replaces the old one; an empty list removes it.
    let list = p.participant_list.filter(|l| !l.is_empty());
    match (p.participants, p.participant_list) {
        (None, None) => Ok(None),
        (c, _) => Ok(Some(crate::participation::resolve(c, list)?)),
    }
}

/// A record the caller may see, or 404. `partner_may_see` says whether a partner client may
/// (trainings: never; outreach: public events).
pub async fn visible<R: ActivityRecord>(
    conn: &mut impl crate::db::Reader,
    caller: &Caller,
    id: Uuid,
    partner_may_see: fn(&R) -> bool,
) -> ApiResult<R> {
    let row = R::find(conn, id).await?.ok_or(ApiError::NotFound)?;
    caller.require_visible(row.unit_path())?;
    if caller.is_partner() && !partner_may_see(&row) {
        return Err(ApiError::NotFound);
    }
    Ok(row)
}

/// Creates the record, with its participant list when one was sent.
pub async fn create<R: ActivityRecord + crate::write::NewRecord<Row = R>>(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    key: &crate::http::IdempotencyKey,
    request_hash: &[u8],
    row: R,
    list: Option<Vec<crate::participation::Participant>>,
) -> ApiResult<actix_web::HttpResponse> {
    let follow_up = crate::write::then(move |conn, created: &R| {
        Box::pin(async move {
            if let Some(list) = &list {
                crate::participation::replace(conn, crate::write::Record::id(created), list).await?;
            }
            Ok(())
        })
    });
    crate::write::create(conn, caller, key, request_hash, row, follow_up).await
}

/// Corrects the record's own fields (`changes`); a participant list sent replaces the old one.
pub async fn update<R: ActivityRecord>(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    current: R,
    if_match: &crate::http::IfMatch,
    list: Option<Vec<crate::participation::Participant>>,
    changes: R::Changes,
) -> ApiResult<actix_web::HttpResponse> {
    let (id, version) = (current.id(), current.version());
    let apply = crate::write::apply(move |conn| {
        Box::pin(async move {
            let Some(row) = R::update(conn, id, version, &changes).await? else {
                return Ok(None);
            };
            if let Some(l) = &list {
                crate::participation::replace(conn, row.id(), l).await?;
            }
            Ok(Some(row))
        })
    });
    Ok(crate::write::update(conn, caller, current, if_match, "update", apply)
        .await?
        .respond())
}

/// Deletes the record (soft); its attachments go with it (a trigger in the database).
pub async fn delete<R: ActivityRecord>(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    current: R,
    if_match: &crate::http::IfMatch,
) -> ApiResult<actix_web::HttpResponse> {
    crate::write::delete(conn, caller, current, if_match).await
}
