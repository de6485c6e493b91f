//! Imports in PostgreSQL: the job row, its claim by a worker, its progress and its report.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{ImportRow, NewImport, Report};
use crate::db::schema::imports;

pub async fn find(conn: &mut impl crate::db::Reader, id: Uuid) -> QueryResult<Option<ImportRow>> {
    imports::table
        .find(id)
        .select(ImportRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The import `principal` sent before with this key and mode.
pub async fn by_key(
    conn: &mut AsyncPgConnection,
    principal: Uuid,
    key: &str,
    mode: &str,
) -> QueryResult<Option<ImportRow>> {
    imports::table
        .filter(imports::principal_id.eq(principal))
        .filter(imports::idempotency_key.eq(key))
        .filter(imports::mode.eq(mode))
        .select(ImportRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Inserts the job; `None` when its idempotency key (and mode) was taken meanwhile.
pub async fn insert(conn: &mut AsyncPgConnection, row: &NewImport) -> QueryResult<Option<ImportRow>> {
    diesel::insert_into(imports::table)
        .values(row)
        .on_conflict_do_nothing()
        .returning(ImportRow::as_returning())
        .get_result(conn)
        .await
        .optional()
}

/// The caller's imports, newest first.
pub async fn of_principal(conn: &mut AsyncPgConnection, principal: Uuid, limit: i64) -> QueryResult<Vec<ImportRow>> {
    imports::table
        .filter(imports::principal_id.eq(principal))
        .order((imports::created_at.desc(), imports::id.desc()))
        .limit(limit)
        .select(ImportRow::as_select())
        .load(conn)
        .await
}

/// A job a worker took: its row and its file.
pub struct Claimed {
    pub row: ImportRow,
    pub content: Vec<u8>,
}

/// Takes the oldest queued job, or a running one whose worker's lease ran out (it died), for
/// `lease_seconds` (`FOR UPDATE SKIP LOCKED`: one instance takes a job). A job taken
/// `max_attempts` times already is marked failed instead (it keeps killing its workers).
pub async fn claim(
    conn: &mut AsyncPgConnection,
    lease_seconds: f64,
    max_attempts: i32,
) -> QueryResult<Option<Claimed>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: Uuid,
        #[diesel(sql_type = diesel::sql_types::Integer)]
        attempts: i32,
    }
    loop {
        let taken: Option<Id> = diesel::sql_query(
            "UPDATE imports SET status = 'running', attempts = attempts + 1, \
                lease_until = now() + make_interval(secs => $1), started_at = coalesce(started_at, now()) \
             WHERE id = (SELECT id FROM imports \
                WHERE status = 'queued' OR (status = 'running' AND lease_until < now()) \
                ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED) \
             RETURNING id, attempts",
        )
        .bind::<diesel::sql_types::Double, _>(lease_seconds)
        .get_result(conn)
        .await
        .optional()?;
        let Some(t) = taken else { return Ok(None) };
        if t.attempts > max_attempts {
            fail(
                conn,
                t.id,
                &format!("interrupted {max_attempts} times (the instance running it stopped); send the file again"),
            )
            .await?;
            continue;
        }
        let (row, content): (ImportRow, Option<Vec<u8>>) = imports::table
            .find(t.id)
            .select((ImportRow::as_select(), imports::content))
            .first(conn)
            .await?;
        return Ok(Some(Claimed {
            row,
            content: content.unwrap_or_default(),
        }));
    }
}

/// Progress of a running job, and its lease extended.
pub async fn progress(conn: &mut AsyncPgConnection, id: Uuid, processed: i32, lease_seconds: f64) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE imports SET rows_processed = $2, lease_until = now() + make_interval(secs => $3) \
         WHERE id = $1 AND status = 'running'",
    )
    .bind::<diesel::sql_types::Uuid, _>(id)
    .bind::<diesel::sql_types::Integer, _>(processed)
    .bind::<diesel::sql_types::Double, _>(lease_seconds)
    .execute(conn)
    .await
    .map(|_| ())
}

/// The report of a finished job; its file is dropped.
pub async fn finish(conn: &mut AsyncPgConnection, id: Uuid, r: &Report) -> QueryResult<ImportRow> {
    diesel::update(imports::table.find(id))
        .set((
            imports::status.eq("completed"),
            imports::rows_total.eq(r.rows_total),
            imports::rows_processed.eq(r.rows_total),
            imports::created.eq(r.created),
            imports::updated.eq(r.updated),
            imports::skipped.eq(r.skipped),
            imports::failed.eq(r.failed),
            imports::committed.eq(r.committed),
            imports::errors.eq(serde_json::to_value(&r.errors).unwrap_or_default()),
            imports::content.eq(None::<Vec<u8>>),
            imports::lease_until.eq(None::<chrono::DateTime<chrono::Utc>>),
            imports::finished_at.eq(diesel::dsl::now),
        ))
        .returning(ImportRow::as_returning())
        .get_result(conn)
        .await
}

/// A job that could not run; its file is dropped.
pub async fn fail(conn: &mut AsyncPgConnection, id: Uuid, why: &str) -> QueryResult<()> {
    diesel::update(imports::table.find(id))
        .set((
            imports::status.eq("failed"),
            imports::failure.eq(why),
            imports::content.eq(None::<Vec<u8>>),
            imports::lease_until.eq(None::<chrono::DateTime<chrono::Utc>>),
            imports::finished_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Holds a job for `lease_seconds` (an import processed while its request waits).
pub async fn lease(conn: &mut AsyncPgConnection, id: Uuid, lease_seconds: f64) -> QueryResult<()> {
    progress(conn, id, 0, lease_seconds).await
}
