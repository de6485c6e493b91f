use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::api::{TrainingFilters, TrainingItem};
use super::model::{TrainingChanges, TrainingRow};
use crate::http::export::ListArgs;
use crate::http::json_row::{load_page, WriteRow};
use crate::http::list::{columns_of, Bind, CachedSql, Cursor, SortField};
use crate::records::list_sql;

/// Sorts: `starts_on` (default), `title`, `updated_at`.
pub const SORTS: &[SortField] = crate::records::SORTS;

/// The select list of a training, in the order [`TrainingRow`] reads it.
static COLUMNS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| columns_of::<TrainingRow>("trainings", "t"));

/// A page of trainings after `cursor` as a statement selecting `columns` (on `t`).
fn page_sql(a: &ListArgs<TrainingFilters>, columns: &str, cursor: Option<&Cursor>, limit: i64) -> CachedSql {
    let mut sql = list_sql(
        format!("SELECT {columns} FROM trainings t"),
        &a.scopes,
        &a.filters.common(a.subtree.path()),
    );
    if let Some(audience) = a.filters.audience {
        sql.filter(
            "t.audiences @> ARRAY[?]::text[]",
            [Bind::Text(audience.as_str().into())],
        );
    }
    sql.page(&a.sort, cursor, limit)
}

/// A page of trainings (`limit + 1` rows, for the cursor).
pub async fn list(
    conn: &mut impl crate::db::Reader,
    a: &ListArgs<TrainingFilters>,
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<TrainingRow>> {
    page_sql(a, &COLUMNS, cursor, limit)
        .rows_of::<TrainingRow>()
        .load(conn)
        .await
}

/// The same page, written as its JSON body (`json_row::load_page`).
pub async fn list_written(
    conn: &mut impl crate::db::Reader,
    a: &ListArgs<TrainingFilters>,
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<u8>> {
    load_page::<TrainingItem, _>(conn, page_sql(a, TrainingItem::COLUMNS, cursor, limit), limit, &a.sort).await
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
