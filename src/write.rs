//! The one write path. Every record type implements [`Record`] (in its `model.rs`), and every
//! change of a record goes through one of these functions, each in one transaction with its
//! audit entry (so with its change-feed item):
//!
//! - [`create`]: a client-chosen id and an `Idempotency-Key` make a retry safe: the key replays
//!   the first answer; an id sent again for the same record answers that record; an id another
//!   record has is 409.
//! - [`update`] (and workflow transitions, with their action's name): `If-Match` against the
//!   version read, the change, the audit entry; 412 with the record's `current` state when the
//!   version moved on.
//! - [`delete`]: a soft delete (tombstone: `deleted_at` set, `version` grown) at the version
//!   read, once [`Record::before_delete`] allows it; what goes with the record (a training's
//!   attachments) is a trigger in the database.
//!
//! Handlers keep only extract → check → build the change → respond.

use std::future::Future;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use diesel::result::DatabaseErrorKind;
use diesel::QueryResult;
use diesel_async::AsyncConnection;
use futures_util::future::BoxFuture;
use serde::Serialize;
use uuid::Uuid;

use crate::audit::{self, Actor, Change};
use crate::auth::Caller;
use crate::db::Conn;
use crate::error::{ApiError, ApiResult};
use crate::http::idempotency::{self, IdempotencyKey, Stored};
use crate::http::{etag_response, IfMatch};

/// A record type on the write path: its row, how to find and insert it, and its API form.
pub trait Record: Sized + Send + Sync + 'static {
    /// What clients see of it: responses, the audit trail and change feed, a 412's `current`.
    type Api: Serialize + Send + Sync;
    /// The resource's name in the audit trail and the change feed (`training`, `plan`, ...).
    const RESOURCE: &'static str;
    /// Its table, for soft deletes.
    const TABLE: &'static str;

    /// Its API form.
    fn into_api(self) -> Self::Api;
    fn id(&self) -> Uuid;
    fn version(&self) -> i64;
    /// The unit the record belongs to (scope, audit); a unit's own for a unit.
    fn unit_id(&self) -> Uuid;
    fn unit_path(&self) -> &str;

    /// For (a part of) a survivor's case, the case's id: its audit entry then carries ids only
    /// and reaches the case's readers alone ([`Change::confidential`]), and the idempotency
    /// store keeps ids only (a replay reads the case again, logged).
    fn case_id(&self) -> Option<Uuid> {
        None
    }

    /// The live record with this id.
    fn find(conn: &mut impl crate::db::Reader, id: Uuid) -> impl Future<Output = QueryResult<Option<Self>>> + Send;

    /// What must hold before the record may be deleted (no plan cites a document, ...), checked
    /// inside the delete's transaction; an error refuses the delete. What goes with a deleted
    /// record (a training's attachments) is a trigger in the database.
    fn before_delete(_conn: &mut Conn, _id: Uuid) -> impl Future<Output = ApiResult<()>> + Send {
        async { Ok(()) }
    }
}

/// What a create inserts: most records insert their own row (`Row = Self`); some insert a
/// narrower row and read the record back (a plan with its citations).
pub trait NewRecord: Send + Sync {
    type Row: Record;

    fn id(&self) -> Uuid;

    /// Inserts the record unless its id is taken (`None` then).
    fn insert<'a>(&'a self, conn: &'a mut Conn) -> impl Future<Output = QueryResult<Option<Self::Row>>> + Send + 'a;

    /// True when `existing`, found at this record's id, is the record this create would make
    /// (an offline client sending again what it created): the create answers it instead of 409.
    fn same_record(&self, _existing: &Self::Row) -> bool {
        false
    }

    /// The answer when the insert found its place taken by another record (409 by default).
    fn taken(&self) -> ApiError {
        idempotency::id_taken()
    }
}

/// A case's entry carries ids only ([`Change::confidential`]).
fn confidential(change: Change<'_>, case: Option<Uuid>) -> Change<'_> {
    match case {
        Some(case) => change.confidential(case),
        None => change,
    }
}

/// A changed record in its API form, with the version for `ETag`.
pub struct Saved<T> {
    pub version: i64,
    pub value: T,
}

impl<T: Serialize> Saved<T> {
    /// `200 OK` with the record and its `ETag`.
    pub fn respond(self) -> HttpResponse {
        etag_response(StatusCode::OK, self.version, &self.value)
    }
}

/// 412: the record moved on; `current` is what it is now.
pub fn stale<R: Record>(current: R) -> ApiError {
    ApiError::stale(&current.into_api())
}

/// 412 now, before the checks that follow it, unless `If-Match` names the version read (where
/// a stale version should win over a state rule's 409). The write checks again in any case.
pub fn require_fresh<R: Record + Clone>(current: &R, if_match: &IfMatch) -> ApiResult<()> {
    if if_match.matches(current.version()) {
        Ok(())
    } else {
        Err(stale(current.clone()))
    }
}

/// What a create does after inserting a new record, inside its transaction (a participant list,
/// linked documents, ...). [`nothing`] when there is nothing more.
pub type FollowUp<R> = Box<dyn for<'c> FnOnce(&'c mut Conn, &'c R) -> BoxFuture<'c, ApiResult<()>> + Send>;

/// No follow-up.
pub fn nothing<R: Record>() -> FollowUp<R> {
    Box::new(|_, _| Box::pin(async { Ok(()) }))
}

/// A follow-up step.
pub fn then<R: Record>(
    step: impl for<'c> FnOnce(&'c mut Conn, &'c R) -> BoxFuture<'c, ApiResult<()>> + Send + 'static,
) -> FollowUp<R> {
    Box::new(step)
}

/// Creates `row` exactly once: claims the `Idempotency-Key` (a retry replays the first answer),
/// inserts the row and runs `follow_up`, records the audit entry, and stores the answer for later
/// retries, all in one transaction. `201 Created` with the record and its `ETag`.
pub async fn create<N: NewRecord>(
    conn: &mut Conn,
    caller: &Caller,
    key: &IdempotencyKey,
    request_hash: &[u8],
    row: N,
    follow_up: FollowUp<N::Row>,
) -> ApiResult<HttpResponse> {
    Ok(create_stored(conn, caller, key, request_hash, row, follow_up)
        .await?
        .respond())
}

/// [`create`], answering the stored response (status, body, whether it is a replay) for a
/// handler that adds what is never stored (a client's secret, shown once).
pub async fn create_stored<N: NewRecord>(
    conn: &mut Conn,
    caller: &Caller,
    key: &IdempotencyKey,
    request_hash: &[u8],
    row: N,
    follow_up: FollowUp<N::Row>,
) -> ApiResult<Stored> {
    // Two identical creates with a client-chosen id that race: the second's insert waits for
    // the first's and, when the first's row reached another unique index (a unit's path holds
    // its id) before the id's, fails there instead of finding the id taken. Its transaction is
    // then tried once more, where the id is seen taken and the first's record answered.
    let mut follow_up = Some(follow_up);
    let mut raced = false;
    let result = create_once(conn, caller, key, request_hash, &row, &mut follow_up, Some(&mut raced)).await;
    if raced {
        return create_once(conn, caller, key, request_hash, &row, &mut follow_up, None).await;
    }
    result
}

async fn create_once<N: NewRecord>(
    conn: &mut Conn,
    caller: &Caller,
    key: &IdempotencyKey,
    request_hash: &[u8],
    row: &N,
    follow_up: &mut Option<FollowUp<N::Row>>,
    raced: Option<&mut bool>,
) -> ApiResult<Stored> {
    type R<N> = <N as NewRecord>::Row;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if let Some(replay) = idempotency::claim(conn, caller, key, request_hash).await? {
            return Ok(replay);
        }
        let inserted = row.insert(conn).await;
        if let (Err(diesel::result::Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)), Some(raced)) =
            (&inserted, raced)
        {
            *raced = true;
        }
        let stored = match inserted? {
            Some(created) => {
                let follow_up = follow_up
                    .take()
                    .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("follow-up run twice")))?;
                follow_up(conn, &created).await?;
                let (id, unit_id, path) = (created.id(), created.unit_id(), created.unit_path().to_string());
                let case = created.case_id();
                let out = created.into_api();
                let change = Change::created(R::<N>::RESOURCE, id, unit_id, &path, &out);
                audit::record(conn, Actor::Caller(caller), confidential(change, case)).await?;
                let stored = Stored::new(StatusCode::CREATED, &out);
                if case.is_some() {
                    idempotency::save(conn, caller, key, &stored.ids_only()).await?;
                    return Ok(stored);
                }
                stored
            }
            None => match R::<N>::find(conn, row.id()).await? {
                // Reference rows (the global path) are everyone's to see.
                Some(existing)
                    if (existing.unit_path() == audit::GLOBAL_PATH || caller.sees(existing.unit_path()))
                        && row.same_record(&existing) =>
                {
                    Stored {
                        replayed: true,
                        ..Stored::new(StatusCode::CREATED, &existing.into_api())
                    }
                }
                _ => return Err(row.taken()),
            },
        };
        idempotency::save(conn, caller, key, &stored).await?;
        Ok(stored)
    })
    .await
}

/// The change an update makes, inside its transaction: the row after it, or `None` when the
/// record moved on meanwhile (the versioned `UPDATE` matched nothing).
pub type Apply<R> = Box<dyn for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, ApiResult<Option<R>>> + Send>;

/// An update step.
pub fn apply<R: Record>(
    step: impl for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, ApiResult<Option<R>>> + Send + 'static,
) -> Apply<R> {
    Box::new(step)
}

/// Changes `current` (as the caller read it) if `If-Match` still names its version: `apply`
/// and the audit entry (`action`: `update`, or a workflow transition's name) in one
/// transaction; 412 with the record as it is now when it moved on.
pub async fn update<R: Record>(
    conn: &mut Conn,
    caller: &Caller,
    current: R,
    if_match: &IfMatch,
    action: &str,
    apply: Apply<R>,
) -> ApiResult<Saved<R::Api>> {
    if !if_match.matches(current.version()) {
        return Err(stale(current));
    }
    let id = current.id();
    match save(conn, Actor::Caller(caller), current, action, apply).await? {
        Some(saved) => Ok(saved),
        None => Err(R::find(conn, id).await?.map_or(ApiError::NotFound, stale)),
    }
}

/// A workflow transition of `current` (as the caller read it; no `If-Match`: the transition's
/// own rules decide): `apply` and the audit entry named after `action`, in one transaction.
/// 409 when another change won the race meanwhile.
pub async fn transition<R: Record>(
    conn: &mut Conn,
    caller: &Caller,
    current: R,
    action: &str,
    apply: Apply<R>,
) -> ApiResult<Saved<R::Api>> {
    save(conn, Actor::Caller(caller), current, action, apply)
        .await?
        .ok_or_else(|| ApiError::Conflict {
            detail: crate::error::Text::new(
                "The record changed meanwhile; read it again",
                "Bản ghi vừa thay đổi; hãy tải lại",
            ),
            allowed: None,
        })
}

/// A transition the system makes on its own (the webhook worker disabling an endpoint that
/// stopped answering): `apply` and the audit entry naming the system as actor, in one
/// transaction; `None` when the record moved on meanwhile.
pub async fn system_transition<R: Record>(
    conn: &mut Conn,
    current: R,
    action: &str,
    apply: Apply<R>,
) -> ApiResult<Option<Saved<R::Api>>> {
    save(conn, Actor::System, current, action, apply).await
}

/// The change and its audit entry in one transaction; `None` when the record moved on.
async fn save<R: Record>(
    conn: &mut Conn,
    actor: Actor<'_>,
    current: R,
    action: &str,
    apply: Apply<R>,
) -> ApiResult<Option<Saved<R::Api>>> {
    let (id, unit_id, path) = (current.id(), current.unit_id(), current.unit_path().to_string());
    let case = current.case_id();
    let before = current.into_api();
    conn.transaction::<_, ApiError, _>(async |conn| {
        let Some(after) = apply(conn).await? else {
            return Ok(None);
        };
        let version = after.version();
        let after = after.into_api();
        let mut change = Change::updated(R::RESOURCE, id, unit_id, &path, &before, &after);
        change.action = action;
        audit::record(conn, actor, confidential(change, case)).await?;
        Ok(Some(Saved { version, value: after }))
    })
    .await
}

/// Deletes `current` softly if `If-Match` still names its version, with its audit entry, in one
/// transaction. `204 No Content`.
pub async fn delete<R: Record>(
    conn: &mut Conn,
    caller: &Caller,
    current: R,
    if_match: &IfMatch,
) -> ApiResult<HttpResponse> {
    if !if_match.matches(current.version()) {
        return Err(stale(current));
    }
    let (id, version, unit_id, path) = (
        current.id(),
        current.version(),
        current.unit_id(),
        current.unit_path().to_string(),
    );
    let case = current.case_id();
    let before = current.into_api();
    conn.transaction::<_, ApiError, _>(async |conn| {
        R::before_delete(conn, id).await?;
        if !crate::db::soft_delete(conn, R::TABLE, id, version).await? {
            return Err(ApiError::stale(&before));
        }
        audit::record(
            conn,
            Actor::Caller(caller),
            confidential(Change::deleted(R::RESOURCE, id, unit_id, &path, &before), case),
        )
        .await?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The seed's create (reference and demo data): inserts `row` unless its id is taken, with an
/// audit entry whose actor is the system. The record in its API form when it was new.
pub async fn seed<N: NewRecord>(conn: &mut Conn, row: &N) -> QueryResult<Option<<N::Row as Record>::Api>> {
    let Some(created) = row.insert(conn).await? else {
        return Ok(None);
    };
    let (id, unit_id, path) = (created.id(), created.unit_id(), created.unit_path().to_string());
    let case = created.case_id();
    let out = created.into_api();
    let change = Change::created(<N::Row as Record>::RESOURCE, id, unit_id, &path, &out);
    audit::record(conn, Actor::System, confidential(change, case)).await?;
    Ok(Some(out))
}

/// [`Record`] for a row found by `$find(conn, id)` (a function of its `queries.rs`) that carries
/// `id` and `version`. Its unit is `unit = (id_field, path_field)` (default `unit_id`,
/// `unit_path`), or `unit = global` for reference rows that belong to no unit;
/// `before_delete = f` names what must hold before a delete (see [`Record::before_delete`]);
/// `case = field` marks (a part of) a survivor's case (see [`Record::case_id`]).
#[macro_export]
macro_rules! record {
    ($row:ty, $api:ty, $resource:literal, $table:ident, $find:path
        $(, unit = ($uid:ident, $upath:ident))? $(, unit = $global:ident)? $(, before_delete = $before:path)?
        $(, case = $case:ident)?) => {
        impl $crate::write::Record for $row {
            type Api = $api;
            const RESOURCE: &'static str = $resource;
            const TABLE: &'static str = stringify!($table);

            fn into_api(self) -> Self::Api {
                self.into()
            }
            fn id(&self) -> uuid::Uuid {
                self.id
            }
            fn version(&self) -> i64 {
                self.version
            }
            fn unit_id(&self) -> uuid::Uuid {
                $crate::record!(@unit_id self $(, ($uid, $upath))? $(, $global)?)
            }
            fn unit_path(&self) -> &str {
                $crate::record!(@unit_path self $(, ($uid, $upath))? $(, $global)?)
            }
            async fn find(conn: &mut impl $crate::db::Reader, id: uuid::Uuid) -> diesel::QueryResult<Option<Self>> {
                $find(conn, id).await
            }
            $(
                fn case_id(&self) -> Option<uuid::Uuid> {
                    Some(self.$case)
                }
            )?
            $(
                async fn before_delete(conn: &mut $crate::db::Conn, id: uuid::Uuid) -> $crate::error::ApiResult<()> {
                    $before(conn, id).await
                }
            )?
        }
    };
    (@unit_id $s:ident) => { $s.unit_id };
    (@unit_id $s:ident, ($uid:ident, $upath:ident)) => { $s.$uid };
    (@unit_id $s:ident, global) => { uuid::Uuid::nil() };
    (@unit_path $s:ident) => { &$s.unit_path };
    (@unit_path $s:ident, ($uid:ident, $upath:ident)) => { &$s.$upath };
    (@unit_path $s:ident, global) => { $crate::audit::GLOBAL_PATH };
}

/// [`NewRecord`] for a row that inserts itself into `$table` (unless its id is taken).
/// `same = |new, existing| …` says when a create finds the record an offline client created
/// before (without it, an id sent again is 409).
#[macro_export]
macro_rules! new_record {
    ($row:ty, $table:ident $(, same = |$a:ident, $e:ident| $same:expr)?) => {
        impl $crate::write::NewRecord for $row {
            type Row = Self;

            fn id(&self) -> uuid::Uuid {
                self.id
            }
            async fn insert(&self, conn: &mut $crate::db::Conn) -> diesel::QueryResult<Option<Self>> {
                $crate::insert_new!(conn, $table, self, Self)
            }
            $(
                fn same_record(&self, existing: &Self) -> bool {
                    let ($a, $e) = (self, existing);
                    $same
                }
            )?
        }
    };
}

/// A write that is not one record's (a break of the glass, a survivor's sealed identity):
/// `apply` makes it and records its audit entry, in one transaction.
pub async fn change<T: Send>(
    conn: &mut Conn,
    apply: impl for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, ApiResult<T>> + Send,
) -> ApiResult<T> {
    conn.transaction::<_, ApiError, _>(async |conn| apply(conn).await).await
}

/// An action that changes no record (queue a webhook's test event, a redelivery), exactly once
/// per `Idempotency-Key`: claims the key, runs `apply`, stores its answer (`status`) for
/// retries, in one transaction.
pub async fn once<T: Serialize>(
    conn: &mut Conn,
    caller: &Caller,
    (key, request_hash): (&IdempotencyKey, &[u8]),
    status: StatusCode,
    apply: impl for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, ApiResult<T>> + Send,
) -> ApiResult<HttpResponse> {
    let stored = conn
        .transaction::<_, ApiError, _>(async |conn| {
            if let Some(replay) = idempotency::claim(conn, caller, key, request_hash).await? {
                return Ok(replay);
            }
            let stored = Stored::new(status, &apply(conn).await?);
            idempotency::save(conn, caller, key, &stored).await?;
            Ok(stored)
        })
        .await?;
    Ok(stored.respond())
}

/// The write of an unversioned reference row keyed by its content (a calendar day, a lineage
/// link): `apply` stores it (insert or replace), and the audit entry names `action`, in one
/// transaction. `id` is the row's stable audit id.
pub async fn put<T: Serialize + Sync>(
    conn: &mut Conn,
    caller: &Caller,
    resource: &'static str,
    (id, unit_id, unit_path): (Uuid, Uuid, &str),
    action: &str,
    after: &T,
    apply: impl for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, ApiResult<()>> + Send,
) -> ApiResult<()> {
    conn.transaction::<_, ApiError, _>(async |conn| {
        apply(conn).await?;
        let change = Change::new(resource, (id, unit_id, unit_path), action, None, Some(after));
        audit::record(conn, Actor::Caller(caller), change).await?;
        Ok(())
    })
    .await
}

/// The create of an unversioned link (a unit's predecessor), exactly once: claims the
/// `Idempotency-Key`, stores the link (`apply`), records its audit entry, and answers `respond`'s
/// view (`201 Created`), stored for retries, in one transaction.
#[allow(clippy::too_many_arguments)]
pub async fn create_link<T, V, A, F>(
    conn: &mut Conn,
    caller: &Caller,
    key: &IdempotencyKey,
    request_hash: &[u8],
    resource: &'static str,
    (id, unit_id, unit_path): (Uuid, Uuid, &str),
    link: &T,
    apply: A,
    respond: F,
) -> ApiResult<HttpResponse>
where
    T: Serialize + Sync,
    V: Serialize,
    A: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, ApiResult<()>> + Send,
    F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, ApiResult<V>> + Send,
{
    let stored = conn
        .transaction::<_, ApiError, _>(async |conn| {
            if let Some(replay) = idempotency::claim(conn, caller, key, request_hash).await? {
                return Ok(replay);
            }
            apply(conn).await?;
            let change = Change::created(resource, id, unit_id, unit_path, link);
            audit::record(conn, Actor::Caller(caller), change).await?;
            let stored = Stored::new(StatusCode::CREATED, &respond(conn).await?);
            idempotency::save(conn, caller, key, &stored).await?;
            Ok(stored)
        })
        .await?;
    Ok(stored.respond())
}
