use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::api::TrainingFilters;
use super::model::{TrainingChanges, TrainingRow};
use crate::http::list::{Bind, Cursor, Sort, SortField};
use crate::records::list_sql;

/// Sorts: `starts_on` (default), `title`, `updated_at`.
pub const SORTS: &[SortField] = crate::records::SORTS;

const COLUMNS: &str =
    "t.id, t.unit_id, t.unit_path, t.activity_id, t.title, t.topics, t.audiences, t.starts_on, t.ends_on, \
    t.location, t.organiser, t.trainers, t.female, t.male, t.other_sex, t.has_participant_list, t.in_action_month, \
    t.created_at, t.updated_at, t.version";

#[allow(clippy::too_many_arguments)]
pub async fn list(
    conn: &mut impl crate::db::Reader,
    scopes: &[String],
    f: &TrainingFilters,
    unit_path: Option<&str>,
    sort: &Sort,
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<TrainingRow>> {
    let mut sql = list_sql(
        format!("SELECT {COLUMNS} FROM trainings t"),
        scopes,
        &f.common(unit_path),
    );
    if let Some(a) = f.audience {
        sql.filter("t.audiences @> ARRAY[?]::text[]", [Bind::Text(a.as_str().into())]);
    }
    sql.page(sort, cursor, limit).load(conn).await
}

pub async fn find(conn: &mut impl crate::db::Reader, id: Uuid) -> QueryResult<Option<TrainingRow>> {
    crate::find_live!(conn, trainings, id, TrainingRow)
}

crate::activity_record!(
    TrainingRow,
    super::api::Training,
    "training",
    trainings,
    TrainingChanges
);
