use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::api::EventFilters;
use crate::db::schema::outreach_events;
use crate::http::list::{ts_key, Bind, Cursor, Keyed, Sort, SortField};
use crate::records::{list_sql, CommonFilters};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = outreach_events, check_for_backend(diesel::pg::Pg))]
pub struct EventRow {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub activity_id: Option<Uuid>,
    pub campaign_id: Option<Uuid>,
    pub kind: String,
    pub title: String,
    pub topics: Vec<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub location: Option<String>,
    pub channel: Option<String>,
    pub audience_reached: Option<i32>,
    pub female: i32,
    pub male: i32,
    pub other_sex: i32,
    pub has_participant_list: bool,
    pub is_public: bool,
    #[diesel(skip_insertion)]
    pub in_action_month: Option<bool>,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub updated_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i64,
}

impl Keyed for EventRow {
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

const COLUMNS: &str = "t.id, t.unit_id, t.unit_path, t.activity_id, t.campaign_id, t.kind, t.title, t.topics, t.starts_on, \
    t.ends_on, t.location, t.channel, t.audience_reached, t.female, t.male, t.other_sex, t.has_participant_list, t.is_public, \
    t.in_action_month, t.created_at, t.updated_at, t.version";

#[allow(clippy::too_many_arguments)]
pub async fn list(
    conn: &mut AsyncPgConnection,
    scopes: &[String],
    f: &EventFilters,
    public_only: bool,
    unit_path: Option<&str>,
    sort: &Sort,
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<EventRow>> {
    let common = CommonFilters {
        unit_id: f.unit_id,
        subtree: unit_path.filter(|_| f.include_descendants),
        from: f.from,
        to: f.to,
        topic: f.topic,
        in_action_month: f.in_action_month,
        activity_id: f.activity_id,
        q: f.q.as_deref(),
    };
    let mut sql = list_sql(format!("SELECT {COLUMNS} FROM outreach_events t"), scopes, &common);
    if let Some(kind) = f.kind {
        sql.filter("t.kind = ?", [Bind::Text(kind.as_str().into())]);
    }
    if let Some(c) = f.campaign_id {
        sql.filter("t.campaign_id = ?", [Bind::Uuid(c)]);
    }
    if public_only {
        sql.filter("t.is_public", []);
    } else if let Some(p) = f.is_public {
        sql.filter("t.is_public = ?", [Bind::Bool(p)]);
    }
    sql.page(sort, cursor, limit).load(conn).await
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<EventRow>> {
    outreach_events::table
        .filter(outreach_events::id.eq(id))
        .filter(outreach_events::deleted_at.is_null())
        .select(EventRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn insert_new(conn: &mut AsyncPgConnection, row: &EventRow) -> QueryResult<Option<EventRow>> {
    crate::insert_new!(conn, outreach_events, row, EventRow)
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = outreach_events)]
pub struct EventChanges {
    pub activity_id: Option<Option<Uuid>>,
    pub campaign_id: Option<Option<Uuid>>,
    pub kind: Option<String>,
    pub title: Option<String>,
    pub topics: Option<Vec<String>>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub location: Option<Option<String>>,
    pub channel: Option<Option<String>>,
    pub audience_reached: Option<Option<i32>>,
    pub is_public: Option<bool>,
    pub female: Option<i32>,
    pub male: Option<i32>,
    pub other_sex: Option<i32>,
    pub has_participant_list: Option<bool>,
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    version: i64,
    c: &EventChanges,
) -> QueryResult<Option<EventRow>> {
    crate::versioned_update!(conn, outreach_events, id, version, c, EventRow)
}
