use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::api::ServiceFilters;
use super::model::{ServiceChanges, ServiceRow};
use crate::http::list::{Bind, Cursor, ListSql, Sort, SortField};

pub const SORTS: &[SortField] = &[
    SortField {
        name: "name",
        column: "s.name",
        sql_type: "text",
    },
    SortField {
        name: "updated_at",
        column: "s.updated_at",
        sql_type: "timestamptz",
    },
];

/// The select list of a list page, in the order [`ServiceRow`] reads it.
static COLUMNS: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| crate::http::list::columns_of::<ServiceRow>("support_services", "s"));

/// A page of the directory: under `subtree` (a unit path) when given; inactive services only
/// for signed-in callers.
pub async fn list(
    conn: &mut impl crate::db::Reader,
    f: &ServiceFilters,
    subtree: Option<&str>,
    include_inactive: bool,
    sort: &Sort,
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<ServiceRow>> {
    let mut sql = ListSql::new(format!("SELECT {} FROM support_services s", *COLUMNS), "s.id");
    sql.filter("s.deleted_at IS NULL", []);
    if !include_inactive {
        sql.filter("s.active", []);
    }
    if let Some(path) = subtree {
        sql.filter(
            "s.unit_path LIKE ? || '%'",
            [Bind::Text(crate::http::list::escape_like(path))],
        );
    }
    if let Some(kind) = f.kind {
        sql.filter("s.kind = ?", [Bind::Text(kind.as_str().into())]);
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.trim().is_empty()) {
        sql.search("s.search", q);
    }
    sql.page(sort, cursor, limit).rows_of::<ServiceRow>().load(conn).await
}

pub async fn find(conn: &mut impl crate::db::Reader, id: Uuid) -> QueryResult<Option<ServiceRow>> {
    crate::find_live!(conn, support_services, id, ServiceRow)
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    version: i64,
    c: &ServiceChanges,
) -> QueryResult<Option<ServiceRow>> {
    crate::versioned_update!(conn, support_services, id, version, c, ServiceRow)
}

// A service belongs to the unit it serves; the same unit, kind and name is the service an
// offline client created before.
crate::record!(
    ServiceRow,
    super::api::SupportService,
    "support_service",
    support_services,
    find
);
crate::new_record!(
    ServiceRow,
    support_services,
    same = |n, e| (e.unit_id, &e.kind, &e.name) == (n.unit_id, &n.kind, &n.name)
);
