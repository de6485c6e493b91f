use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::api::TrainingFilters;
use crate::db::schema::trainings;
use crate::http::list::{ts_key, Bind, Cursor, Keyed, Sort, SortField};
use crate::records::{list_sql, CommonFilters};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = trainings, check_for_backend(diesel::pg::Pg))]
pub struct TrainingRow {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub activity_id: Option<Uuid>,
    pub title: String,
    pub topics: Vec<String>,
    pub audiences: Vec<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub location: Option<String>,
    pub organiser: Option<String>,
    pub trainers: Vec<String>,
    pub female: i32,
    pub male: i32,
    pub other_sex: i32,
    pub has_participant_list: bool,
    #[diesel(skip_insertion)]
    pub in_action_month: Option<bool>,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub updated_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i64,
}

impl Keyed for TrainingRow {
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

pub async fn insert_new(conn: &mut AsyncPgConnection, row: &TrainingRow) -> QueryResult<Option<TrainingRow>> {
    crate::insert_new!(conn, trainings, row, TrainingRow)
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = trainings)]
pub struct TrainingChanges {
    pub activity_id: Option<Option<Uuid>>,
    pub title: Option<String>,
    pub topics: Option<Vec<String>>,
    pub audiences: Option<Vec<String>>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub location: Option<Option<String>>,
    pub organiser: Option<Option<String>>,
    pub trainers: Option<Vec<String>>,
    pub female: Option<i32>,
    pub male: Option<i32>,
    pub other_sex: Option<i32>,
    pub has_participant_list: Option<bool>,
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    version: i64,
    c: &TrainingChanges,
) -> QueryResult<Option<TrainingRow>> {
    crate::versioned_update!(conn, trainings, id, version, c, TrainingRow)
}
