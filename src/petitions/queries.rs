use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::api::{Party, PetitionFilters};
use crate::db::schema::{petition_parties, petitions};
use crate::http::list::{ts_key, Bind, Cursor, Keyed, ListSql, Sort, SortField};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = petitions, check_for_backend(diesel::pg::Pg))]
pub struct PetitionRow {
    pub id: Uuid,
    pub kind: String,
    pub handling_unit_id: Uuid,
    pub unit_path: String,
    pub received_on: NaiveDate,
    pub channel: String,
    pub subject: String,
    pub summary: Option<String>,
    pub instance: i16,
    pub complex: bool,
    pub remote: bool,
    pub extension_count: i16,
    pub status: String,
    pub accepted_on: Option<NaiveDate>,
    pub decision: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub acceptance_due_on: NaiveDate,
    pub resolution_due_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub updated_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i64,
}

impl Keyed for PetitionRow {
    fn id(&self) -> String {
        self.id.to_string()
    }
    fn sort_value(&self, field: &str) -> String {
        match field {
            "updated_at" => ts_key(&self.updated_at),
            _ => self.received_on.to_string(),
        }
    }
}

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

const COLUMNS: &str = "p.id, p.kind, p.handling_unit_id, p.unit_path, p.received_on, p.channel, p.subject, p.summary, \
    p.instance, p.complex, p.remote, p.extension_count, p.status, p.accepted_on, p.decision, p.decided_on, \
    p.acceptance_due_on, p.resolution_due_on, p.due_on, p.created_at, p.updated_at, p.version";

#[allow(clippy::too_many_arguments)]
pub async fn list(
    conn: &mut AsyncPgConnection,
    scopes: &[String],
    f: &PetitionFilters,
    unit_path: Option<&str>,
    today: NaiveDate,
    sort: &Sort,
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<PetitionRow>> {
    let mut sql = ListSql::new(format!("SELECT {COLUMNS} FROM petitions p"), "p.id");
    sql.filter("p.deleted_at IS NULL", []).in_scopes("p.unit_path", scopes);
    match (f.handling_unit_id, f.include_descendants, unit_path) {
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
    sql.page(sort, cursor, limit).load(conn).await
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<PetitionRow>> {
    petitions::table
        .filter(petitions::id.eq(id))
        .filter(petitions::deleted_at.is_null())
        .select(PetitionRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn insert_new(
    conn: &mut AsyncPgConnection,
    row: &PetitionRow,
    party: Option<&Party>,
) -> QueryResult<Option<PetitionRow>> {
    let inserted = crate::insert_new!(conn, petitions, row, PetitionRow)?;
    if let (Some(_), Some(p)) = (&inserted, party) {
        diesel::insert_into(petition_parties::table)
            .values((
                petition_parties::petition_id.eq(row.id),
                petition_parties::name.eq(p.name.trim()),
                petition_parties::contact.eq(p.contact.as_deref()),
            ))
            .execute(conn)
            .await?;
    }
    Ok(inserted)
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

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = petitions)]
pub struct PetitionChanges {
    pub subject: Option<String>,
    pub summary: Option<Option<String>>,
    pub channel: Option<String>,
    pub instance: Option<i16>,
    pub complex: Option<bool>,
    pub remote: Option<bool>,
    pub extension_count: Option<i16>,
    pub status: Option<String>,
    pub accepted_on: Option<Option<NaiveDate>>,
    pub decision: Option<Option<String>>,
    pub decided_on: Option<Option<NaiveDate>>,
    pub acceptance_due_on: Option<NaiveDate>,
    pub resolution_due_on: Option<Option<NaiveDate>>,
    pub due_on: Option<Option<NaiveDate>>,
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    version: i64,
    c: &PetitionChanges,
) -> QueryResult<Option<PetitionRow>> {
    crate::versioned_update!(conn, petitions, id, version, c, PetitionRow)
}
