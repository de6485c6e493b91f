//! The rows of `legal_documents`.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::legal_documents;

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
    /// The issuing unit of a local document; `None` for a national one.
    pub unit_id: Option<Uuid>,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub updated_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i64,
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
