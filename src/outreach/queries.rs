use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::api::{EventFilters, EventItem};
use super::model::{EventChanges, EventRow};
use crate::http::export::ListArgs;
use crate::http::json_row::JsonRow;
use crate::http::list::{Bind, CachedSql, Cursor, Sort, SortField};
use crate::records::list_sql;

/// Sorts: `starts_on` (default), `title`, `updated_at`.
pub const SORTS: &[SortField] = crate::records::SORTS;

/// The select list of a list page, in the order [`EventRow`] reads it.
static COLUMNS: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| crate::http::list::columns_of::<EventRow>("outreach_events", "t"));

/// A page of events after `cursor` as a statement (its rows in [`COLUMNS`]' order).
#[allow(clippy::too_many_arguments)]
fn page_sql(
    scopes: &[String],
    f: &EventFilters,
    public_only: bool,
    unit_path: Option<&str>,
    sort: &Sort,
    cursor: Option<&Cursor>,
    limit: i64,
) -> CachedSql {
    let mut sql = list_sql(
        format!("SELECT {} FROM outreach_events t", *COLUMNS),
        scopes,
        &f.common(unit_path),
    );
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
    sql.page(sort, cursor, limit)
}

/// A page of events (`limit + 1` rows, for the cursor).
#[allow(clippy::too_many_arguments)]
pub async fn list(
    conn: &mut impl crate::db::Reader,
    scopes: &[String],
    f: &EventFilters,
    public_only: bool,
    unit_path: Option<&str>,
    sort: &Sort,
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<EventRow>> {
    page_sql(scopes, f, public_only, unit_path, sort, cursor, limit)
        .rows_of::<EventRow>()
        .load(conn)
        .await
}

/// The same page for a list request (its filters and whether the caller sees public events
/// only), each row written as its list item's JSON.
pub async fn list_written(
    conn: &mut impl crate::db::Reader,
    a: &ListArgs<(EventFilters, bool)>,
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<JsonRow<EventItem>>> {
    let (filters, public_only) = &a.filters;
    page_sql(
        &a.scopes,
        filters,
        *public_only,
        a.subtree.path(),
        &a.sort,
        cursor,
        limit,
    )
    .load(conn)
    .await
}

pub async fn find(conn: &mut impl crate::db::Reader, id: Uuid) -> QueryResult<Option<EventRow>> {
    crate::find_live!(conn, outreach_events, id, EventRow)
}

crate::activity_record!(
    EventRow,
    super::api::OutreachEvent,
    "outreach_event",
    outreach_events,
    EventChanges
);
