//! Attachments: photos and documents of trainings and outreach events (attendance sheets,
//! photos of the event). Stored on disk under `ATTACHMENTS_DIR` (default: the data directory's
//! `attachments/`), named by id, never by the client's file name. Type checked by content (magic
//! bytes), size limited, SHA-256 recorded. An upload is written to a temporary file first and
//! only takes its place when the database row commits: a failure halfway leaves nothing. Only
//! callers who may see the record reach its files; partners never do.

pub mod api;
pub mod handlers;
pub mod model;
pub mod queries;

/// What may be attached, by detected content type.
pub const ALLOWED_TYPES: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/heif",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
];
