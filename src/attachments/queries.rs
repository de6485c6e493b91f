use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::AttachmentRow;
use crate::db::schema::attachments;

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

crate::record!(AttachmentRow, super::api::Attachment, "attachment", attachments, find);
crate::new_record!(AttachmentRow, attachments);
