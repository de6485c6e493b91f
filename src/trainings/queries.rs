use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::api::TrainingFilters;
use super::model::{TrainingChanges, TrainingRow};
use crate::db::schema::trainings;
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

const COLUMNS: &str =
    "t.id, t.unit_id, t.unit_path, t.activity_id, t.title, t.topics, t.audiences, t.starts_on, t.ends_on, \
    t.location, t.organiser, t.trainers, t.female, t.male, t.other_sex, t.has_participant_list, t.in_action_month, \
    t.created_at, t.updated_at, t.version";

#[allow(clippy::too_many_arguments)]
pub async fn list(
    conn: &mut AsyncPgConnection,
    scopes: &[String],
    f: &TrainingFilters,
    unit_path: Option<&str>,
    sort: &Sort,
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<TrainingRow>> {
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
    let mut sql = list_sql(format!("SELECT {COLUMNS} FROM trainings t"), scopes, &common);
    if let Some(a) = f.audience {
        sql.filter("t.audiences @> ARRAY[?]::text[]", [Bind::Text(a.as_str().into())]);
    }
    sql.page(sort, cursor, limit).load(conn).await
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<TrainingRow>> {
    trainings::table
        .filter(trainings::id.eq(id))
        .filter(trainings::deleted_at.is_null())
        .select(TrainingRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    version: i64,
    c: &TrainingChanges,
) -> QueryResult<Option<TrainingRow>> {
    crate::versioned_update!(conn, trainings, id, version, c, TrainingRow)
}

// The same unit, title and start: the record an offline client created before.
crate::unit_record!(
    TrainingRow,
    super::api::Training,
    "training",
    trainings,
    find,
    same = |n, e| e.unit_id == n.unit_id && e.title == n.title && e.starts_on == n.starts_on
);

impl crate::records::ActivityRecord for TrainingRow {
    fn dates(&self) -> (NaiveDate, NaiveDate) {
        (self.starts_on, self.ends_on)
    }
}
