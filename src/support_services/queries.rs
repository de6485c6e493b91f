use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::api::{ServiceFilters, ServiceItem};
use super::model::{ServiceChanges, ServiceRow};
use crate::http::json_row::{load_page, WriteRow};
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

/// A page of the directory (`limit + 1` rows, for the cursor), written as its JSON body
/// (`json_row::load_page`): under `subtree` (a unit path) when given; inactive services and
/// every address only for signed-in callers.
pub async fn list(
    conn: &mut impl crate::db::Reader,
    f: &ServiceFilters,
    subtree: Option<&str>,
    signed_in: bool,
    sort: &Sort,
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<u8>> {
    let mut sql = ListSql::new(
        format!("SELECT {} FROM support_services s", ServiceItem::<true>::COLUMNS),
        "s.id",
    );
    sql.filter("s.deleted_at IS NULL", []);
    if !signed_in {
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
    let page = sql.page(sort, cursor, limit);
    if signed_in {
        load_page::<ServiceItem<true>, _>(conn, page, limit, sort).await
    } else {
        load_page::<ServiceItem<false>, _>(conn, page, limit, sort).await
    }
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
