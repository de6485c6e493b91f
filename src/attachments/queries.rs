use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::AttachmentRow;
use crate::db::schema::{attachment_contents, attachments};

pub async fn find(conn: &mut impl crate::db::Reader, id: Uuid) -> QueryResult<Option<AttachmentRow>> {
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

crate::record!(AttachmentRow, super::api::Attachment, "attachment", attachments, find);
crate::new_record!(AttachmentRow, attachments);

/// Stores a file's bytes (inside its attachment's create transaction).
pub async fn store_content(conn: &mut AsyncPgConnection, id: Uuid, content: &[u8]) -> QueryResult<()> {
    diesel::insert_into(attachment_contents::table)
        .values((
            attachment_contents::attachment_id.eq(id),
            attachment_contents::content.eq(content),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(|_| ())
}

/// A file's bytes.
pub async fn content(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Vec<u8>>> {
    attachment_contents::table
        .find(id)
        .select(attachment_contents::content)
        .first(conn)
        .await
        .optional()
}

/// Imports the files an earlier version kept under `dir` (the rows that have a `storage_key`
/// and no content yet); answers (imported, missing). Run at start-up, so it is done once.
pub async fn import_files(conn: &mut AsyncPgConnection, dir: &std::path::Path) -> anyhow::Result<(usize, usize)> {
    let pending: Vec<(Uuid, Option<String>)> = attachments::table
        .left_join(attachment_contents::table)
        .filter(attachment_contents::attachment_id.is_null())
        .filter(attachments::storage_key.is_not_null())
        .select((attachments::id, attachments::storage_key))
        .load(conn)
        .await?;
    let (mut imported, mut missing) = (0, 0);
    for (id, key) in pending {
        let Some(key) = key else { continue };
        match tokio::fs::read(dir.join(&key)).await {
            Ok(bytes) => {
                store_content(conn, id, &bytes).await?;
                imported += 1;
            }
            Err(e) => {
                tracing::warn!(attachment = %id, error = %e, "an attachment's file is missing from ATTACHMENTS_DIR");
                missing += 1;
            }
        }
    }
    Ok((imported, missing))
}
