//! The audit trail's list.

use super::api::{AuditFilters, AuditItem};
use crate::http::json_row::{load_page, WriteRow};
use crate::http::list::{ts_key, Bind, Cursor, ListSql, Sort, SortField};

pub const SORTS: &[SortField] = &[SortField {
    name: "at",
    column: "a.seq",
    sql_type: "bigint",
}];

/// A page of the audit events in the caller's scopes (and of no unit) with the list's filters
/// (`limit + 1` rows, for the cursor), written as its JSON body (`json_row::load_page`);
/// `subtree` is a unit's path when one is asked for.
pub async fn list(
    conn: &mut impl crate::db::Reader,
    caller: &crate::auth::Caller,
    f: &AuditFilters,
    subtree: Option<&str>,
    sort: &Sort,
    cursor: Option<&Cursor>,
    limit: i64,
) -> diesel::QueryResult<Vec<u8>> {
    let mut sql = ListSql::with_id_type(
        format!("SELECT {} FROM audit_events a", AuditItem::COLUMNS),
        "a.seq",
        "bigint",
    );
    // A survivor's case's entries (ids only) reach its readers alone.
    sql.in_scopes_or_global_or(
        "a.record_unit_path",
        &caller.scopes,
        &crate::audit::case_entry_for("?"),
        [Bind::Uuid(caller.id), Bind::Uuid(caller.id)],
    );
    if let Some(path) = subtree {
        sql.in_subtree("a.record_unit_path", path);
    }
    if let Some(r) = &f.resource {
        sql.filter("a.resource = ?", [Bind::Text(r.clone())]);
    }
    if let Some(id) = f.record_id {
        sql.filter("a.record_id = ?", [Bind::Uuid(id)]);
    }
    if let Some(id) = f.actor_id {
        sql.filter("a.actor_id = ?", [Bind::Uuid(id)]);
    }
    if let Some(t) = f.from {
        sql.filter("a.at >= CAST(? AS timestamptz)", [Bind::Text(ts_key(&t))]);
    }
    if let Some(t) = f.to {
        sql.filter("a.at < CAST(? AS timestamptz)", [Bind::Text(ts_key(&t))]);
    }
    load_page::<AuditItem, _>(conn, sql.page(sort, cursor, limit), limit, sort).await
}
