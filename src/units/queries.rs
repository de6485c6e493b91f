//! Unit queries. Each takes a connection, so callers can compose them in one transaction.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::api::{UnitFilters, UnitItem};
use super::model::{FiguresRow, LeaderRow, LineageRow, NewUnitRow, UnitChanges, UnitDraft, UnitRow};
use crate::db::schema::{unit_figures, unit_leaders, unit_lineage, units};
use crate::db::Conn;
use crate::http::json_row::{load_page, WriteRow};
use crate::http::list::{Bind, Cursor, ListSql, Sort, SortField};
use crate::write::{NewRecord, Record};

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

pub async fn find(conn: &mut impl crate::db::Reader, id: Uuid) -> QueryResult<Option<UnitRow>> {
    crate::find_live!(conn, units, id, UnitRow)
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

/// The live units with official code `code` valid at some time from `from` to `to` (codes are
/// reused across eras, so more than one may answer, or none).
pub async fn with_code_between(
    conn: &mut AsyncPgConnection,
    code: &str,
    (from, to): (NaiveDate, NaiveDate),
) -> QueryResult<Vec<UnitRow>> {
    units::table
        .filter(units::code.eq(code))
        .filter(units::deleted_at.is_null())
        .filter(units::valid_from.le(to))
        .filter(units::valid_to.is_null().or(units::valid_to.ge(from)))
        .order(units::path)
        .select(UnitRow::as_select())
        .load(conn)
        .await
}

/// One page of the units under `scope_path` that match `f`, written as its JSON body
/// (`json_row::load_page`).
pub async fn list(
    conn: &mut impl crate::db::Reader,
    scopes: &[String],
    f: &UnitFilters,
    parent_path: Option<&str>,
    sort: &Sort,
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<u8>> {
    let mut sql = ListSql::new(format!("SELECT {} FROM units u", UnitItem::COLUMNS), "u.id").prefix_indexed();
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
    load_page::<UnitItem, _>(conn, sql.page(sort, cursor, limit), limit, sort).await
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

/// The day a link between these two units took effect, if there is one.
pub async fn link_effective_on(
    conn: &mut AsyncPgConnection,
    predecessor: Uuid,
    successor: Uuid,
) -> QueryResult<Option<chrono::NaiveDate>> {
    unit_lineage::table
        .find((predecessor, successor))
        .select(unit_lineage::effective_on)
        .first(conn)
        .await
        .optional()
}

pub async fn add_lineage(conn: &mut AsyncPgConnection, row: &LineageRow) -> QueryResult<usize> {
    diesel::insert_into(unit_lineage::table).values(row).execute(conn).await
}

// A unit belongs to itself; one with live sub-units or users stays.
crate::record!(
    UnitRow,
    super::api::Unit,
    "unit",
    units,
    find,
    unit = (id, path),
    before_delete = no_dependents
);

impl NewRecord for UnitDraft {
    type Row = UnitRow;

    fn id(&self) -> Uuid {
        self.row.id
    }
    async fn insert(&self, conn: &mut Conn) -> QueryResult<Option<UnitRow>> {
        insert_new(conn, &self.row).await
    }
    fn same_record(&self, existing: &UnitRow) -> bool {
        self.row.same_as(existing, self.compare_valid_from)
    }
}

/// A unit whose records (leaders, figures) the caller may read, or 404. Partners read none.
pub async fn readable_unit(
    conn: &mut Conn,
    caller: &crate::auth::Caller,
    id: Uuid,
) -> crate::error::ApiResult<UnitRow> {
    caller.require_not_partner()?;
    let unit = find(conn, id).await?.ok_or(crate::error::ApiError::NotFound)?;
    caller.require_visible(&unit.path)?;
    Ok(unit)
}

/// A live leadership position.
pub async fn find_leader(conn: &mut impl crate::db::Reader, id: Uuid) -> QueryResult<Option<LeaderRow>> {
    unit_leaders::table
        .filter(unit_leaders::id.eq(id))
        .filter(unit_leaders::deleted_at.is_null())
        .select(LeaderRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// A unit's leadership positions (those in office on `on`, when given), by start.
pub async fn leaders_of(conn: &mut Conn, unit_id: Uuid, on: Option<NaiveDate>) -> QueryResult<Vec<LeaderRow>> {
    let mut query = unit_leaders::table
        .filter(unit_leaders::unit_id.eq(unit_id))
        .filter(unit_leaders::deleted_at.is_null())
        .into_boxed();
    if let Some(on) = on {
        query = query
            .filter(unit_leaders::started_on.le(on))
            .filter(unit_leaders::ended_on.is_null().or(unit_leaders::ended_on.ge(on)));
    }
    query
        .order((unit_leaders::started_on, unit_leaders::id))
        .select(LeaderRow::as_select())
        .load(conn)
        .await
}

crate::record!(LeaderRow, super::api::Leader, "unit_leader", unit_leaders, find_leader);
crate::new_record!(LeaderRow, unit_leaders);

/// A unit's figures of one year.
pub async fn figures_of_year(conn: &mut Conn, unit_id: Uuid, year: i32) -> QueryResult<Option<FiguresRow>> {
    unit_figures::table
        .filter(unit_figures::unit_id.eq(unit_id))
        .filter(unit_figures::year.eq(year))
        .select(FiguresRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// A unit's figures, oldest year first.
pub async fn figures_of(conn: &mut Conn, unit_id: Uuid) -> QueryResult<Vec<FiguresRow>> {
    unit_figures::table
        .filter(unit_figures::unit_id.eq(unit_id))
        .order(unit_figures::year)
        .select(FiguresRow::as_select())
        .load(conn)
        .await
}

async fn find_figures(conn: &mut impl crate::db::Reader, id: Uuid) -> QueryResult<Option<FiguresRow>> {
    unit_figures::table
        .find(id)
        .select(FiguresRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// A year's figures are one record per unit and year: the write path's record, created by the
/// first `PUT` of the year.
impl Record for FiguresRow {
    type Api = super::api::Figures;
    const RESOURCE: &'static str = "unit_figures";
    const TABLE: &'static str = "unit_figures";

    fn into_api(self) -> Self::Api {
        self.into()
    }
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn unit_id(&self) -> Uuid {
        self.unit_id
    }
    fn unit_path(&self) -> &str {
        &self.unit_path
    }
    async fn find(conn: &mut impl crate::db::Reader, id: Uuid) -> QueryResult<Option<Self>> {
        find_figures(conn, id).await
    }
}

impl NewRecord for FiguresRow {
    type Row = Self;

    fn id(&self) -> Uuid {
        self.id
    }
    /// Unless the unit has the year's figures already.
    async fn insert(&self, conn: &mut Conn) -> QueryResult<Option<Self>> {
        diesel::insert_into(unit_figures::table)
            .values(self)
            .on_conflict((unit_figures::unit_id, unit_figures::year))
            .do_nothing()
            .returning(FiguresRow::as_returning())
            .get_result(conn)
            .await
            .optional()
    }
    /// Someone created the year meanwhile: this write would replace theirs unseen.
    fn taken(&self) -> crate::error::ApiError {
        crate::error::ApiError::PreconditionRequired
    }
}

async fn no_dependents(conn: &mut Conn, id: Uuid) -> crate::error::ApiResult<()> {
    if has_dependents(conn, id).await? {
        return Err(crate::error::ApiError::conflict(
            "The unit still has sub-units or users; delete or move them first",
            "Đơn vị vẫn còn đơn vị trực thuộc hoặc người dùng; hãy xử lý trước",
        ));
    }
    Ok(())
}

/// The unit a new record belongs to: `id`, or the caller's own unit when none is sent; 422 on
/// `field` when it is not a unit of the caller's scope (indistinguishable from a missing one).
/// Partners create no records: 403 before anything else.
pub async fn in_scope(
    conn: &mut Conn,
    caller: &crate::auth::Caller,
    id: Option<Uuid>,
    field: &str,
) -> crate::error::ApiResult<UnitRow> {
    caller.require_not_partner()?;
    find(conn, id.unwrap_or(caller.unit_id))
        .await?
        .filter(|u| caller.sees(&u.path))
        .ok_or_else(|| {
            crate::error::ApiError::field(
                field,
                "unknown",
                "no such unit in your scope",
                "không có đơn vị này trong phạm vi của bạn",
            )
        })
}
