use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::api::{EventFilters, EventItem};
use super::model::{EventChanges, EventRow};
use crate::http::export::ListArgs;
use crate::http::json_row::{load_page, WriteRow};
use crate::http::list::{Bind, CachedSql, Cursor, SortField};
use crate::records::list_sql;

/// Sorts: `starts_on` (default), `title`, `updated_at`.
pub const SORTS: &[SortField] = crate::records::SORTS;

/// The select list of a list page, in the order [`EventRow`] reads it.
static COLUMNS: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| crate::http::list::columns_of::<EventRow>("outreach_events", "t"));

/// A list request's page of events after `cursor` as a statement selecting `columns` (on `t`):
/// its filters, and whether the caller sees public events only.
fn page_sql(a: &ListArgs<(EventFilters, bool)>, columns: &str, cursor: Option<&Cursor>, limit: i64) -> CachedSql {
    let (f, public_only) = &a.filters;
    let mut sql = list_sql(
        format!("SELECT {columns} FROM outreach_events t"),
        &a.scopes,
        &f.common(a.subtree.path()),
    );
    if let Some(kind) = f.kind {
        sql.filter("t.kind = ?", [Bind::Text(kind.as_str().into())]);
    }
    if let Some(c) = f.campaign_id {
        sql.filter("t.campaign_id = ?", [Bind::Uuid(c)]);
    }
    if *public_only {
        sql.filter("t.is_public", []);
    } else if let Some(p) = f.is_public {
        sql.filter("t.is_public = ?", [Bind::Bool(p)]);
    }
    sql.page(&a.sort, cursor, limit)
}

/// A page of events (`limit + 1` rows, for the cursor).
pub async fn list(
    conn: &mut impl crate::db::Reader,
    a: &ListArgs<(EventFilters, bool)>,
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<EventRow>> {
    page_sql(a, &COLUMNS, cursor, limit)
        .rows_of::<EventRow>()
        .load(conn)
        .await
}

/// The same page, written as its JSON body (`json_row::load_page`).
pub async fn list_written(
    conn: &mut impl crate::db::Reader,
    a: &ListArgs<(EventFilters, bool)>,
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<u8>> {
    load_page::<EventItem, _>(conn, page_sql(a, EventItem::COLUMNS, cursor, limit), limit, &a.sort).await
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
