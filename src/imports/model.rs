//! The rows of `imports`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::imports;

/// An import as read (without its file).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = imports, check_for_backend(diesel::pg::Pg))]
pub struct ImportRow {
    pub id: Uuid,
    pub principal_id: Uuid,
    pub caller: serde_json::Value,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub resource: String,
    pub mode: String,
    pub atomic: String,
    pub lang: String,
    pub file_name: String,
    pub file_format: String,
    pub file_sha256: String,
    pub idempotency_key: Option<String>,
    pub status: String,
    pub rows_total: i32,
    pub rows_processed: i32,
    pub created: i32,
    pub updated: i32,
    pub skipped: i32,
    pub failed: i32,
    pub committed: bool,
    pub errors: serde_json::Value,
    pub failure: Option<String>,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = imports)]
pub struct NewImport {
    pub id: Uuid,
    pub principal_id: Uuid,
    pub caller: serde_json::Value,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub resource: String,
    pub mode: String,
    pub atomic: String,
    pub lang: String,
    pub file_name: String,
    pub file_format: String,
    pub file_sha256: String,
    pub content: Option<Vec<u8>>,
    pub idempotency_key: Option<String>,
    pub status: String,
    pub rows_total: i32,
}

/// One failing cell or row.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"row": 3, "column": "Ngày bắt đầu", "field": "starts_on", "code": "invalid", "message": "không phải ngày (YYYY-MM-DD hoặc DD/MM/YYYY)"}))]
pub struct RowError {
    /// The row number as the spreadsheet shows it (the header is row 1).
    pub row: u32,
    /// The column's header as in the file (null for the row as a whole).
    pub column: Option<String>,
    /// The API field the column fills, when there is one.
    pub field: Option<String>,
    pub code: String,
    /// In the language of the request that sent the file.
    pub message: String,
}

/// What processing a file came to.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub rows_total: i32,
    pub created: i32,
    pub updated: i32,
    pub skipped: i32,
    pub failed: i32,
    pub committed: bool,
    pub errors: Vec<RowError>,
}
