//! The rows of `attachments`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::attachments;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = attachments, check_for_backend(diesel::pg::Pg))]
pub struct AttachmentRow {
    pub id: Uuid,
    pub record_type: String,
    pub record_id: Uuid,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    /// Where an earlier version kept the file on disk (imported since); `None` for new files.
    pub storage_key: Option<String>,
    pub created_by: Uuid,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i64,
}
