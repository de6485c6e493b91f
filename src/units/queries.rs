//! Unit queries. Each takes a connection, so callers can compose them in one transaction.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::api::UnitFilters;
use super::model::{LineageRow, NewUnitRow, UnitChanges, UnitRow, UNIT_COLUMNS};
use crate::db::schema::{unit_lineage, units};
use crate::http::list::{Bind, Cursor, ListSql, Sort, SortField};

/// Sort fields of the unit list; the first is the default.
pub const SORTS: &[SortField] = &[
    SortField {
        name: "name",
        column: "u.name",
        sql_type: "text",
    },
    SortField {
        name: "created_at",
        column: "u.created_at",
        sql_type: "timestamptz",
    },
    SortField {
        name: "updated_at",
        column: "u.updated_at",
        sql_type: "timestamptz",
    },
    SortField {
        name: "valid_from",
        column: "u.valid_from",
        sql_type: "date",
    },
];

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<UnitRow>> {
    units::table
        .filter(units::id.eq(id))
        .filter(units::deleted_at.is_null())
        .select(UnitRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// A unit by its materialized path.
pub async fn find_by_path(conn: &mut AsyncPgConnection, path: &str) -> QueryResult<Option<UnitRow>> {
    units::table
        .filter(units::path.eq(path))
        .filter(units::deleted_at.is_null())
        .select(UnitRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// A unit by id or by official code (the one valid today, else the latest to start).
pub async fn find_by_id_or_code(conn: &mut AsyncPgConnection, key: &str) -> QueryResult<Option<UnitRow>> {
    if let Ok(id) = key.parse::<Uuid>() {
        return find(conn, id).await;
    }
    let today = chrono::Utc::now().date_naive();
    units::table
        .filter(units::code.eq(key))
        .filter(units::deleted_at.is_null())
        .order((
            units::valid_to.is_null().desc(),
            units::valid_to.ge(today).desc(),
            units::valid_from.desc(),
        ))
        .select(UnitRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// One page of the units under `scope_path` that match `f`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    scopes: &[String],
    f: &UnitFilters,
    parent_path: Option<&str>,
    sort: &Sort,
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<UnitRow>> {
    let mut sql = ListSql::new(format!("SELECT {UNIT_COLUMNS} FROM units u"), "u.id");
    sql.filter("u.deleted_at IS NULL", []).in_scopes("u.path", scopes);
    if let (Some(parent_id), Some(parent_path)) = (f.parent_id, parent_path) {
        if f.include_descendants {
            sql.in_subtree("u.path", parent_path)
                .filter("u.id <> ?", [Bind::Uuid(parent_id)]);
        } else {
            sql.filter("u.parent_id = ?", [Bind::Uuid(parent_id)]);
        }
    }
    if let Some(kind) = f.kind {
        sql.filter("u.kind = ?", [Bind::Text(kind.as_str().into())]);
    }
    if let Some(code) = &f.code {
        sql.filter("u.code = ?", [Bind::Text(code.clone())]);
    }
    if let Some(day) = f.valid_on {
        sql.filter(
            "u.valid_from <= ? AND (u.valid_to IS NULL OR u.valid_to >= ?)",
            [Bind::Date(day), Bind::Date(day)],
        );
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.trim().is_empty()) {
        sql.search("u.name_folded", q);
    }
    sql.page(sort, cursor, limit).load(conn).await
}

/// Inserts a unit unless its id is taken (`None` then: a replay or a conflict, for the caller
/// to tell apart). Other unique violations (a code of the same era) are errors as usual.
pub async fn insert_new(conn: &mut AsyncPgConnection, row: &NewUnitRow) -> QueryResult<Option<UnitRow>> {
    crate::insert_new!(conn, units, row, UnitRow)
}

/// Applies `changes` when the unit is at `expected_version`; `None` back means the unit is
/// missing or at another version.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    expected_version: i64,
    changes: &UnitChanges,
) -> QueryResult<Option<UnitRow>> {
    crate::versioned_update!(conn, units, id, expected_version, changes, UnitRow)
}

/// True while the unit has live sub-units or users.
pub async fn has_dependents(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    use crate::db::schema::users;
    let children: i64 = units::table
        .filter(units::parent_id.eq(id))
        .filter(units::deleted_at.is_null())
        .count()
        .get_result(conn)
        .await?;
    let people: i64 = users::table
        .filter(users::unit_id.eq(id))
        .filter(users::active.eq(true))
        .count()
        .get_result(conn)
        .await?;
    Ok(children + people > 0)
}

/// The unit at `path` and all its descendants, parents before children.
pub async fn subtree(
    conn: &mut AsyncPgConnection,
    path: &str,
    valid_on: Option<NaiveDate>,
) -> QueryResult<Vec<UnitRow>> {
    let mut q = units::table
        .filter(units::path.like(format!("{}%", crate::http::list::escape_like(path))))
        .filter(units::deleted_at.is_null())
        .into_boxed();
    if let Some(day) = valid_on {
        q = q
            .filter(units::valid_from.le(day))
            .filter(units::valid_to.is_null().or(units::valid_to.ge(day)));
    }
    q.order((units::depth, units::name, units::id))
        .select(UnitRow::as_select())
        .load(conn)
        .await
}

/// Lineage links touching `id`, each with the unit at the other end: (predecessors, successors).
pub async fn lineage(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<(Vec<(LineageRow, UnitRow)>, Vec<(LineageRow, UnitRow)>)> {
    let preds = unit_lineage::table
        .inner_join(units::table.on(units::id.eq(unit_lineage::predecessor_id)))
        .filter(unit_lineage::successor_id.eq(id))
        .order(units::name)
        .select((LineageRow::as_select(), UnitRow::as_select()))
        .load(conn)
        .await?;
    let succs = unit_lineage::table
        .inner_join(units::table.on(units::id.eq(unit_lineage::successor_id)))
        .filter(unit_lineage::predecessor_id.eq(id))
        .order(units::name)
        .select((LineageRow::as_select(), UnitRow::as_select()))
        .load(conn)
        .await?;
    Ok((preds, succs))
}

pub async fn add_lineage(conn: &mut AsyncPgConnection, row: &LineageRow) -> QueryResult<usize> {
    diesel::insert_into(unit_lineage::table).values(row).execute(conn).await
}
