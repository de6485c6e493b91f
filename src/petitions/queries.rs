use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::api::{Holiday, HolidayKind, Party, PetitionFilters, PetitionItem};
use super::model::{PetitionChanges, PetitionRow};
use crate::auth::Caller;
use crate::calendar::today;
use crate::db::schema::petition_parties;
use crate::db::Conn;
use crate::error::{ApiError, ApiResult};
use crate::http::export::ListArgs;
use crate::http::json_row::{load_page, WriteRow};
use crate::http::list::{Bind, CachedSql, Cursor, ListSql, SortField};

pub const SORTS: &[SortField] = &[
    SortField {
        name: "received_on",
        column: "p.received_on",
        sql_type: "date",
    },
    SortField {
        name: "updated_at",
        column: "p.updated_at",
        sql_type: "timestamptz",
    },
];

/// The select list of a petition read whole, in the order [`PetitionRow`] reads it.
static COLUMNS: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| crate::http::list::columns_of::<PetitionRow>("petitions", "p"));

/// A page of petitions in the list's scope and filters, selecting `columns` (on `p`).
fn page_sql(
    a: &ListArgs<PetitionFilters>,
    columns: &str,
    today: NaiveDate,
    cursor: Option<&Cursor>,
    limit: i64,
) -> CachedSql {
    let f = &a.filters;
    let mut sql = ListSql::new(format!("SELECT {columns} FROM petitions p"), "p.id").prefix_indexed();
    sql.filter("p.deleted_at IS NULL", [])
        .in_scopes("p.unit_path", &a.scopes);
    match (f.handling_unit_id, f.include_descendants, a.subtree.path()) {
        (Some(_), true, Some(path)) => {
            sql.in_subtree("p.unit_path", path);
        }
        (Some(id), _, _) => {
            sql.filter("p.handling_unit_id = ?", [Bind::Uuid(id)]);
        }
        _ => {}
    }
    if let Some(k) = f.kind {
        sql.filter("p.kind = ?", [Bind::Text(k.as_str().into())]);
    }
    if let Some(s) = f.status {
        sql.filter("p.status = ?", [Bind::Text(s.as_str().into())]);
    }
    match f.overdue {
        Some(true) => {
            sql.filter("p.due_on < ?", [Bind::Date(today)]);
        }
        Some(false) => {
            sql.filter("(p.due_on IS NULL OR p.due_on >= ?)", [Bind::Date(today)]);
        }
        None => {}
    }
    if let Some(n) = f.due_within_days {
        sql.filter(
            "p.due_on BETWEEN ? AND ?",
            [Bind::Date(today), Bind::Date(today + chrono::Duration::days(n))],
        );
    }
    if let Some(from) = f.from {
        sql.filter("p.received_on >= ?", [Bind::Date(from)]);
    }
    if let Some(to) = f.to {
        sql.filter("p.received_on <= ?", [Bind::Date(to)]);
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.trim().is_empty()) {
        sql.search("p.search", q);
    }
    sql.page(&a.sort, cursor, limit)
}

/// A page of petitions (`limit + 1` rows, for the cursor), read whole (an export's).
pub async fn list(
    conn: &mut impl crate::db::Reader,
    a: &ListArgs<PetitionFilters>,
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<PetitionRow>> {
    page_sql(a, &COLUMNS, today(), cursor, limit)
        .rows_of::<PetitionRow>()
        .load(conn)
        .await
}

/// The same page, written as its JSON body (`json_row::load_page`).
pub async fn list_written(
    conn: &mut impl crate::db::Reader,
    a: &ListArgs<PetitionFilters>,
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<u8>> {
    let sql = page_sql(a, PetitionItem::COLUMNS, today(), cursor, limit);
    load_page::<PetitionItem, _>(conn, sql, limit, &a.sort).await
}

pub async fn find(conn: &mut impl crate::db::Reader, id: Uuid) -> QueryResult<Option<PetitionRow>> {
    crate::find_live!(conn, petitions, id, PetitionRow)
}

/// A petitioner's identity, kept apart from the petition.
pub async fn add_party(conn: &mut AsyncPgConnection, petition_id: Uuid, p: &Party) -> QueryResult<()> {
    diesel::insert_into(petition_parties::table)
        .values((
            petition_parties::petition_id.eq(petition_id),
            petition_parties::name.eq(p.name.trim()),
            petition_parties::contact.eq(p.contact.as_deref()),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn party(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Party>> {
    let row: Option<(String, Option<String>)> = petition_parties::table
        .find(id)
        .select((petition_parties::name, petition_parties::contact))
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(|(name, contact)| Party { name, contact }))
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    version: i64,
    c: &PetitionChanges,
) -> QueryResult<Option<PetitionRow>> {
    crate::versioned_update!(conn, petitions, id, version, c, PetitionRow)
}

/// A petition the caller may see (partners see none), or 404.
pub async fn visible(conn: &mut Conn, caller: &Caller, id: Uuid) -> ApiResult<PetitionRow> {
    caller.require_not_partner()?;
    let row = find(conn, id).await?.ok_or(ApiError::NotFound)?;
    caller.require_visible(&row.unit_path)?;
    Ok(row)
}

// A petition belongs to the handling unit.
crate::record!(
    PetitionRow,
    super::api::Petition,
    "petition",
    petitions,
    find,
    unit = (handling_unit_id, unit_path)
);

// The same kind, subject and day of receipt: the petition an offline client recorded before.
crate::new_record!(
    PetitionRow,
    petitions,
    same = |n, e| e.kind == n.kind && e.subject == n.subject && e.received_on == n.received_on
);

/// The calendar's days (of one year, when given), by date.
pub async fn holidays(conn: &mut Conn, year: Option<i32>) -> QueryResult<Vec<Holiday>> {
    use crate::db::schema::holidays as h;
    let mut query = h::table
        .order(h::day)
        .select((h::day, h::kind, h::name, h::source, h::verified))
        .into_boxed();
    if let Some(y) = year {
        if let (Some(from), Some(to)) = (NaiveDate::from_ymd_opt(y, 1, 1), NaiveDate::from_ymd_opt(y, 12, 31)) {
            query = query.filter(h::day.ge(from)).filter(h::day.le(to));
        }
    }
    let rows: Vec<(NaiveDate, String, String, String, bool)> = query.load(conn).await?;
    Ok(rows
        .into_iter()
        .map(|(day, kind, name, source, verified)| Holiday {
            day,
            kind: HolidayKind::parse(&kind),
            name,
            source,
            verified,
        })
        .collect())
}

/// Stores a day of the calendar (replacing what the day was).
pub async fn put_holiday(conn: &mut Conn, d: &Holiday) -> QueryResult<()> {
    use crate::db::schema::holidays as h;
    let values = (
        h::day.eq(d.day),
        h::kind.eq(d.kind.as_str()),
        h::name.eq(&d.name),
        h::source.eq(&d.source),
        h::verified.eq(d.verified),
    );
    diesel::insert_into(h::table)
        .values(values)
        .on_conflict(h::day)
        .do_update()
        .set(values)
        .execute(conn)
        .await
        .map(|_| ())
}
