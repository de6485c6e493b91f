use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::Conn;
use crate::error::{ApiError, ApiResult};
use crate::write::NewRecord;

use super::api::{DocumentFilters, DocumentItem};
use super::model::{DocumentChanges, DocumentRow};
use crate::db::schema::{legal_documents, plan_documents};
use crate::http::json_row::{load_page, WriteRow};
use crate::http::list::{Bind, Cursor, ListSql, Sort, SortField};

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

/// A page of documents (`limit + 1` rows, for the cursor), written as its JSON body
/// (`json_row::load_page`).
pub async fn list(
    conn: &mut impl crate::db::Reader,
    f: &DocumentFilters,
    sort: &Sort,
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<u8>> {
    let mut sql = ListSql::new(
        format!("SELECT {} FROM legal_documents d", DocumentItem::COLUMNS),
        "d.id",
    );
    sql.filter("d.deleted_at IS NULL", []);
    if let Some(unit) = f.unit_id {
        sql.filter("d.unit_id = ?", [Bind::Uuid(unit)]);
    }
    if let Some(kind) = f.kind {
        sql.filter("d.kind = ?", [Bind::Text(kind.as_str().into())]);
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.trim().is_empty()) {
        sql.search("d.search", q);
    }
    load_page::<DocumentItem, _>(conn, sql.page(sort, cursor, limit), limit, sort).await
}

pub async fn find(conn: &mut impl crate::db::Reader, id: Uuid) -> QueryResult<Option<DocumentRow>> {
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

// Legal documents belong to no unit: every signed-in caller reads them; one a plan cites stays.
crate::record!(
    DocumentRow,
    super::api::Document,
    "legal_document",
    legal_documents,
    find,
    unit = global,
    before_delete = not_cited
);

impl NewRecord for DocumentRow {
    type Row = Self;

    fn id(&self) -> Uuid {
        self.id
    }
    async fn insert(&self, conn: &mut Conn) -> QueryResult<Option<Self>> {
        crate::insert_new!(conn, legal_documents, self, Self)
    }
    /// Every field the same: the document a client created before.
    fn same_record(&self, b: &Self) -> bool {
        (
            &self.kind,
            &self.number,
            &self.issuer,
            self.issued_on,
            self.effective_on,
            &self.title,
            &self.url,
            self.unit_id,
        ) == (
            &b.kind,
            &b.number,
            &b.issuer,
            b.issued_on,
            b.effective_on,
            &b.title,
            &b.url,
            b.unit_id,
        )
    }
}

async fn not_cited(conn: &mut Conn, id: Uuid) -> ApiResult<()> {
    if is_cited(conn, id).await? {
        return Err(ApiError::conflict(
            "A plan cites this document",
            "Có kế hoạch đang viện dẫn văn bản này",
        ));
    }
    Ok(())
}
