use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::api::EventFilters;
use super::model::{EventChanges, EventRow};
use crate::db::schema::outreach_events;
use crate::http::list::{Bind, Cursor, Sort, SortField};
use crate::records::{list_sql, CommonFilters};

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

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    version: i64,
    c: &EventChanges,
) -> QueryResult<Option<EventRow>> {
    crate::versioned_update!(conn, outreach_events, id, version, c, EventRow)
}

// The same unit, title and start: the record an offline client created before.
crate::unit_record!(
    EventRow,
    super::api::OutreachEvent,
    "outreach_event",
    outreach_events,
    find,
    same = |n, e| e.unit_id == n.unit_id && e.title == n.title && e.starts_on == n.starts_on
);

impl crate::records::ActivityRecord for EventRow {
    fn dates(&self) -> (NaiveDate, NaiveDate) {
        (self.starts_on, self.ends_on)
    }
}
