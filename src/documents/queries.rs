use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::api::DocumentFilters;
use crate::db::schema::{legal_documents, plan_documents};
use crate::http::list::{ts_key, Bind, Cursor, Keyed, ListSql, Sort, SortField};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = legal_documents, check_for_backend(diesel::pg::Pg))]
pub struct DocumentRow {
    pub id: Uuid,
    pub kind: String,
    pub number: String,
    pub issuer: String,
    pub issued_on: NaiveDate,
    pub effective_on: Option<NaiveDate>,
    pub title: String,
    pub url: Option<String>,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub updated_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i64,
}

impl Keyed for DocumentRow {
    fn id(&self) -> String {
        self.id.to_string()
    }
    fn sort_value(&self, field: &str) -> String {
        match field {
            "number" => self.number.clone(),
            "updated_at" => ts_key(&self.updated_at),
            _ => self.issued_on.to_string(),
        }
    }
}

pub const SORTS: &[SortField] = &[
    SortField {
        name: "issued_on",
        column: "d.issued_on",
        sql_type: "date",
    },
    SortField {
        name: "number",
        column: "d.number",
        sql_type: "text",
    },
    SortField {
        name: "updated_at",
        column: "d.updated_at",
        sql_type: "timestamptz",
    },
];

const COLUMNS: &str = "d.id, d.kind, d.number, d.issuer, d.issued_on, d.effective_on, d.title, d.url, d.created_at, d.updated_at, d.version";

pub async fn list(
    conn: &mut AsyncPgConnection,
    f: &DocumentFilters,
    sort: &Sort,
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<DocumentRow>> {
    let mut sql = ListSql::new(format!("SELECT {COLUMNS} FROM legal_documents d"), "d.id");
    sql.filter("d.deleted_at IS NULL", []);
    if let Some(kind) = f.kind {
        sql.filter("d.kind = ?", [Bind::Text(kind.as_str().into())]);
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.trim().is_empty()) {
        sql.search("d.search", q);
    }
    sql.page(sort, cursor, limit).load(conn).await
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<DocumentRow>> {
    legal_documents::table
        .filter(legal_documents::id.eq(id))
        .filter(legal_documents::deleted_at.is_null())
        .select(DocumentRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The live documents among `ids` (for validating a plan's citations).
pub async fn existing(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    legal_documents::table
        .filter(legal_documents::id.eq_any(ids))
        .filter(legal_documents::deleted_at.is_null())
        .select(legal_documents::id)
        .load(conn)
        .await
}

pub async fn insert_new(conn: &mut AsyncPgConnection, row: &DocumentRow) -> QueryResult<Option<DocumentRow>> {
    crate::insert_new!(conn, legal_documents, row, DocumentRow)
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = legal_documents)]
pub struct DocumentChanges {
    pub kind: Option<String>,
    pub number: Option<String>,
    pub issuer: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub effective_on: Option<Option<NaiveDate>>,
    pub title: Option<String>,
    pub url: Option<Option<String>>,
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    version: i64,
    c: &DocumentChanges,
) -> QueryResult<Option<DocumentRow>> {
    crate::versioned_update!(conn, legal_documents, id, version, c, DocumentRow)
}

/// True when a plan cites the document.
pub async fn is_cited(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        plan_documents::table.filter(plan_documents::document_id.eq(id)),
    ))
    .get_result(conn)
    .await
}
