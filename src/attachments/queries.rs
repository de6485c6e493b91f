use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;
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
    pub storage_key: String,
    pub created_by: Uuid,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i64,
}

/// An attachment's metadata.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e99", "record_type": "outreach_event",
    "record_id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e98", "file_name": "mit-tinh-15-11.jpg",
    "content_type": "image/jpeg", "size_bytes": 482113,
    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "created_at": "2026-11-29T12:00:00Z", "version": 1
}))]
pub struct Attachment {
    pub id: Uuid,
    /// `training` or `outreach_event`.
    pub record_type: String,
    pub record_id: Uuid,
    /// The name the file was uploaded with (for display and download only).
    pub file_name: String,
    /// Detected from the content.
    pub content_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

impl From<AttachmentRow> for Attachment {
    fn from(r: AttachmentRow) -> Self {
        Attachment {
            id: r.id,
            record_type: r.record_type,
            record_id: r.record_id,
            file_name: r.file_name,
            content_type: r.content_type,
            size_bytes: r.size_bytes,
            sha256: r.sha256,
            created_at: r.created_at,
            version: r.version,
        }
    }
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<AttachmentRow>> {
    attachments::table
        .filter(attachments::id.eq(id))
        .filter(attachments::deleted_at.is_null())
        .select(AttachmentRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn for_record(conn: &mut AsyncPgConnection, record_id: Uuid) -> QueryResult<Vec<AttachmentRow>> {
    attachments::table
        .filter(attachments::record_id.eq(record_id))
        .filter(attachments::deleted_at.is_null())
        .order((attachments::created_at, attachments::id))
        .select(AttachmentRow::as_select())
        .load(conn)
        .await
}

pub async fn insert(conn: &mut AsyncPgConnection, row: &AttachmentRow) -> QueryResult<AttachmentRow> {
    diesel::insert_into(attachments::table)
        .values(row)
        .returning(AttachmentRow::as_returning())
        .get_result(conn)
        .await
}

/// With its record: the record's attachments are deleted too (soft; files stay for the audit).
pub async fn delete_for_record(conn: &mut AsyncPgConnection, record_id: Uuid) -> QueryResult<usize> {
    diesel::update(attachments::table)
        .filter(attachments::record_id.eq(record_id))
        .filter(attachments::deleted_at.is_null())
        .set((
            attachments::deleted_at.eq(diesel::dsl::now),
            attachments::version.eq(attachments::version + 1),
        ))
        .execute(conn)
        .await
}
