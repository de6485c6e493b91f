//! Finding and storing inspections.

use diesel::QueryResult;
use uuid::Uuid;

use super::api::{InspectionFilters, InspectionItem};
use super::model::InspectionRow;
use crate::auth::Caller;
use crate::db::Conn;
use crate::domain::enum_text;
use crate::error::{ApiError, ApiResult};
use crate::http::json_row::{load_page, WriteRow};
use crate::http::list::{Bind, Cursor, ListSql, Sort, SortField};

pub const SORTS: &[SortField] = &[SortField {
    name: "created_at",
    column: "i.created_at",
    sql_type: "timestamptz",
}];

pub async fn find(conn: &mut impl crate::db::Reader, id: Uuid) -> QueryResult<Option<InspectionRow>> {
    crate::find_live!(conn, inspections, id, InspectionRow)
}

/// A page of the inspections in the caller's scopes with the list's filters (`limit + 1` rows,
/// for the cursor), written as its JSON body (`json_row::load_page`); `subtree` is the unit's
/// path when its whole subtree is asked for.
pub async fn list(
    conn: &mut impl crate::db::Reader,
    scopes: &[String],
    f: &InspectionFilters,
    subtree: Option<&str>,
    sort: &Sort,
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<u8>> {
    let mut sql =
        ListSql::new(format!("SELECT {} FROM inspections i", InspectionItem::COLUMNS), "i.id").prefix_indexed();
    sql.filter("i.deleted_at IS NULL", []).in_scopes("i.unit_path", scopes);
    if let Some(id) = f.unit_id {
        match subtree {
            Some(path) => sql.in_subtree("i.unit_path", path),
            None => sql.filter("i.inspecting_unit_id = ?", [Bind::Uuid(id)]),
        };
    }
    if let Some(k) = f.kind {
        sql.filter("i.kind = ?", [Bind::Text(enum_text(k))]);
    }
    if let Some(s) = f.status {
        sql.filter("i.status = ?", [Bind::Text(enum_text(s))]);
    }
    if let Some(a) = f.area {
        sql.filter("i.areas @> ARRAY[?]::text[]", [Bind::Text(a.as_str().into())]);
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.trim().is_empty()) {
        sql.search("i.search", q);
    }
    load_page::<InspectionItem, _>(conn, sql.page(sort, cursor, limit), limit, sort).await
}

/// An inspection the caller may see (partners see none), or 404.
pub async fn visible(conn: &mut Conn, caller: &Caller, id: Uuid) -> ApiResult<InspectionRow> {
    caller.require_not_partner()?;
    let row = find(conn, id).await?.ok_or(ApiError::NotFound)?;
    caller.require_visible(&row.unit_path)?;
    Ok(row)
}

// An inspection belongs to the inspecting unit.
crate::record!(
    InspectionRow,
    super::api::Inspection,
    "inspection",
    inspections,
    find,
    unit = (inspecting_unit_id, unit_path)
);

// Inspections are planned online: an id sent again is 409.
crate::new_record!(InspectionRow, inspections);
