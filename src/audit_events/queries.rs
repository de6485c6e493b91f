//! The audit trail's list.

use diesel_async::RunQueryDsl;

use super::api::AuditFilters;
use super::model::AuditRow;
use crate::http::list::{ts_key, Bind, Cursor, ListSql, Sort, SortField};

pub const SORTS: &[SortField] = &[SortField {
    name: "at",
    column: "a.seq",
    sql_type: "bigint",
}];

/// Audit events in the caller's scopes (and of no unit) with the list's filters; `subtree` is a
/// unit's path when one is asked for.
pub async fn list(
    conn: &mut impl crate::db::Reader,
    caller: &crate::auth::Caller,
    f: &AuditFilters,
    subtree: Option<&str>,
    sort: &Sort,
    cursor: Option<&Cursor>,
    limit: i64,
) -> diesel::QueryResult<Vec<AuditRow>> {
    let mut sql = ListSql::with_id_type(
        "SELECT a.seq, a.at, a.actor_kind, a.actor_id, a.actor_name, a.actor_unit_id, a.resource, a.record_id, \
         a.record_unit_id, a.action, a.before, a.after, a.request_id FROM audit_events a",
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
    sql.page(sort, cursor, limit).load(conn).await
}
