use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::api::TrainingFilters;
use super::model::{TrainingChanges, TrainingRow};
use crate::http::list::{columns_of, Bind, Cursor, Sort, SortField};
use crate::records::list_sql;

/// Sorts: `starts_on` (default), `title`, `updated_at`.
pub const SORTS: &[SortField] = crate::records::SORTS;

/// The select list of a training, in the order [`TrainingRow`] reads it.
static COLUMNS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| columns_of::<TrainingRow>("trainings", "t"));

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
        format!("SELECT {} FROM trainings t", *COLUMNS),
        scopes,
        &f.common(unit_path),
    );
    if let Some(a) = f.audience {
        sql.filter("t.audiences @> ARRAY[?]::text[]", [Bind::Text(a.as_str().into())]);
    }
    sql.page(sort, cursor, limit).rows_of::<TrainingRow>().load(conn).await
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_select_list_is_the_rows_own_order_on_the_alias() {
        let cols = super::COLUMNS.as_str();
        assert!(cols.starts_with("t.\"id\", t.\"unit_id\", t.\"unit_path\""), "{cols}");
        assert!(cols.ends_with("t.\"updated_at\", t.\"version\""), "{cols}");
        assert!(!cols.contains("trainings"), "{cols}");
    }
}
