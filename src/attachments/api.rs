//! What clients see of an attachment.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::model::AttachmentRow;

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
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
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
