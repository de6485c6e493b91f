use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::Conn;
use crate::write::{NewRecord, Record};

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

impl Record for AttachmentRow {
    type Api = super::api::Attachment;
    const RESOURCE: &'static str = "attachment";
    const TABLE: &'static str = "attachments";

    fn into_api(self) -> Self::Api {
        self.into()
    }
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn unit_id(&self) -> Uuid {
        self.unit_id
    }
    fn unit_path(&self) -> &str {
        &self.unit_path
    }
    async fn find(conn: &mut Conn, id: Uuid) -> QueryResult<Option<Self>> {
        find(conn, id).await
    }
}

impl NewRecord for AttachmentRow {
    type Row = Self;

    fn id(&self) -> Uuid {
        self.id
    }
    async fn insert(&self, conn: &mut Conn) -> QueryResult<Option<Self>> {
        crate::insert_new!(conn, attachments, self, Self)
    }
}
