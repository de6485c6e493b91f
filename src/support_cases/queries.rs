//! The reads and writes of cases. A read of a case's contents is one statement that logs it
//! (`support_case_reads`) and returns it only from the log's own `RETURNING`: a read whose log
//! row cannot be written returns nothing and fails.

use diesel::prelude::*;
use diesel::sql_types::{Bytea, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::api::CaseFilters;
use super::model::{CaseChanges, CaseRow, NoticeRow, ReadCase, ReadRow};
use crate::auth::Caller;
use crate::db::schema::{case_service_kinds, dv_acts, support_case_notices, users};
use crate::http::list::{Bind, Cursor, ListSql, Sort, SortField};

pub const SORTS: &[SortField] = &[
    SortField {
        name: "updated_at",
        column: "c.updated_at",
        sql_type: "timestamptz",
    },
    SortField {
        name: "created_at",
        column: "c.created_at",
        sql_type: "timestamptz",
    },
];

/// A case's parts, as JSON arrays beside its row.
const PARTS: &str = "\
    (SELECT coalesce(jsonb_agg(jsonb_build_object('user_id', a.user_id, 'username', u.username, \
        'assigned_at', a.assigned_at) ORDER BY a.assigned_at), '[]'::jsonb) \
       FROM support_case_assignments a JOIN users u ON u.id = a.user_id \
      WHERE a.case_id = c.id AND a.ended_at IS NULL) AS case_workers, \
    (SELECT coalesce(jsonb_agg(jsonb_build_object('id', k.id, 'kind', k.kind, 'given', k.given, \
        'service_id', k.service_id, 'target_unit_id', k.target_unit_id, 'recorded_on', k.recorded_on, \
        'recorded_by', k.recorded_by) ORDER BY k.created_at), '[]'::jsonb) \
       FROM support_case_consents k WHERE k.case_id = c.id) AS consents, \
    (SELECT coalesce(jsonb_agg(jsonb_build_object('id', s.id, 'kind', s.kind, 'provided_on', s.provided_on, \
        'service_id', s.service_id, 'provider', s.provider, 'recorded_by', s.recorded_by) \
        ORDER BY s.provided_on, s.created_at), '[]'::jsonb) \
       FROM support_case_services s WHERE s.case_id = c.id) AS services";

/// The break-the-glass reason of `$1` (case) for `$2` (user), when that is how it reads.
const GLASS_REASON: &str = "CASE WHEN a.via = 'break_glass' THEN (SELECT g.reason FROM support_case_glass g \
    WHERE g.case_id = $1 AND g.user_id = $2 AND g.expires_at > now() ORDER BY g.id DESC LIMIT 1) END";

fn request_id() -> Option<String> {
    crate::error::REQUEST_CONTEXT.try_with(|c| c.request_id.clone()).ok()
}

/// The condition on `support_cases c` that the user `who` (its first placeholder; `$1` after
/// it) reads the case: the index-friendly candidates (its unit's cases for a supervisor, its
/// assignments, its open glass), then `bd_case_access` itself. One place for lists.
fn readable_by(who: &str) -> String {
    format!(
        "c.id IN (SELECT k.id FROM support_cases k JOIN users u ON u.unit_id = k.unit_id \
                   WHERE u.id = {who} AND u.active AND u.case_role = 'case_supervisor' \
                  UNION SELECT case_id FROM support_case_assignments WHERE user_id = $1 AND ended_at IS NULL \
                  UNION SELECT case_id FROM support_case_glass WHERE user_id = $1 AND expires_at > now()) \
         AND bd_case_access(c.id, $1) IS NOT NULL"
    )
}

/// Reads case `id` as `caller`, logged as `what` (`case`): `None` when the caller may not read
/// it (or there is no such case), which the caller cannot tell apart.
pub async fn read(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    what: &str,
) -> QueryResult<Option<ReadCase>> {
    let sql = format!(
        "WITH a AS (SELECT bd_case_access($1, $2) AS via), \
         logged AS (INSERT INTO support_case_reads (case_id, user_id, user_name, what, via, reason, request_id) \
             SELECT $1, $2, $3, $4, a.via, {GLASS_REASON}, $5 FROM a WHERE a.via IS NOT NULL RETURNING via) \
         SELECT c.*, l.via, {PARTS} FROM support_cases c JOIN logged l ON true \
          WHERE c.id = $1 AND c.deleted_at IS NULL"
    );
    diesel::sql_query(sql)
        .bind::<SqlUuid, _>(id)
        .bind::<SqlUuid, _>(caller.id)
        .bind::<Text, _>(&caller.name)
        .bind::<Text, _>(what)
        .bind::<Nullable<Text>, _>(request_id())
        .get_result(conn)
        .await
        .optional()
}

/// The cases the caller reads (supervisor of their unit, assigned, or an open glass), each
/// logged as a `list` read by the same statement.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    f: &CaseFilters,
    sort: &Sort,
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<ReadCase>> {
    // The caller's id is the first bind ($1): the select list and the log use it too.
    let mut sql = ListSql::new(
        "SELECT c.*, bd_case_access(c.id, $1) AS via FROM support_cases c",
        "c.id",
    );
    sql.filter(
        &format!("{} AND c.deleted_at IS NULL", readable_by("?")),
        [Bind::Uuid(caller.id)],
    );
    if let Some(status) = f.status {
        sql.filter("c.status = ?", [Bind::Text(super::api::wire(&status))]);
    }
    if let Some(code) = f.code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        sql.filter(
            "c.code LIKE ? || '%'",
            [Bind::Text(crate::http::list::escape_like(&code.to_uppercase()))],
        );
    }
    let name = sql.bind(Bind::Text(caller.name.clone()));
    let rid = sql.bind(Bind::Text(request_id().unwrap_or_default()));
    sql.page_within(sort, cursor, limit, |page, order| {
        format!(
            "WITH page AS ({page}), \
             logged AS (INSERT INTO support_case_reads (case_id, user_id, user_name, what, via, request_id) \
                 SELECT id, $1, {name}, 'list', via, nullif({rid}, '') FROM page) \
             SELECT c.*, {PARTS} FROM page c ORDER BY {order}"
        )
    })
    .load(conn)
    .await
}

/// How `user` reads case `id` now (`case_supervisor`, `case_worker`, `break_glass`), not logged:
/// for writes, which answer the case through [`read`].
pub async fn access(conn: &mut AsyncPgConnection, id: Uuid, user: Uuid) -> QueryResult<Option<String>> {
    #[derive(QueryableByName)]
    struct Via {
        #[diesel(sql_type = Nullable<Text>)]
        via: Option<String>,
    }
    let v: Via = diesel::sql_query("SELECT bd_case_access($1, $2) AS via")
        .bind::<SqlUuid, _>(id)
        .bind::<SqlUuid, _>(user)
        .get_result(conn)
        .await?;
    Ok(v.via)
}

pub async fn find(conn: &mut impl crate::db::Reader, id: Uuid) -> QueryResult<Option<CaseRow>> {
    crate::find_live!(conn, support_cases, id, CaseRow)
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    version: i64,
    c: &CaseChanges,
) -> QueryResult<Option<CaseRow>> {
    crate::versioned_update!(conn, support_cases, id, version, c, CaseRow)
}

/// Grows the case's version (a part changed: a consent, a service, an assignment, its identity).
pub async fn touch(conn: &mut AsyncPgConnection, id: Uuid, version: i64) -> QueryResult<Option<CaseRow>> {
    update(conn, id, version, &CaseChanges::default()).await
}

// A case belongs to its handling unit; its audit entries carry ids only (`case = id`).
crate::record!(
    CaseRow,
    super::api::SupportCase,
    "support_case",
    support_cases,
    find,
    case = id
);
crate::new_record!(CaseRow, support_cases);

/// The forms of violence of `acts` (codes of `dv_acts`), or the first code that is not one.
pub async fn forms_of(conn: &mut AsyncPgConnection, acts: &[String]) -> QueryResult<Result<Vec<String>, String>> {
    let known: Vec<(String, String)> = dv_acts::table
        .filter(dv_acts::code.eq_any(acts))
        .select((dv_acts::code, dv_acts::form))
        .load(conn)
        .await?;
    if let Some(unknown) = acts.iter().find(|a| !known.iter().any(|(c, _)| c == *a)) {
        return Ok(Err(unknown.clone()));
    }
    let mut forms: Vec<String> = known.into_iter().map(|(_, f)| f).collect();
    forms.sort();
    forms.dedup();
    Ok(Ok(forms))
}

/// The unit an active user supervises cases of, if it is a case supervisor.
pub async fn supervised_unit(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<Option<Uuid>> {
    Ok(case_role(conn, user)
        .await?
        .and_then(|(role, unit)| (role == "case_supervisor").then_some(unit)))
}

/// The caller's case role and unit (an active user's), if it holds one.
pub async fn case_role(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<Option<(String, Uuid)>> {
    users::table
        .filter(users::id.eq(user))
        .filter(users::active.eq(true))
        .filter(users::case_role.is_not_null())
        .select((users::case_role.assume_not_null(), users::unit_id))
        .first(conn)
        .await
        .optional()
}

/// The case's workers now.
pub async fn assign(conn: &mut AsyncPgConnection, case: Uuid, user: Uuid, by: Uuid) -> QueryResult<bool> {
    diesel::sql_query(
        "INSERT INTO support_case_assignments (case_id, user_id, assigned_by) VALUES ($1, $2, $3) \
         ON CONFLICT (case_id, user_id) DO UPDATE SET ended_at = NULL, assigned_by = $3, assigned_at = now() \
         WHERE support_case_assignments.ended_at IS NOT NULL",
    )
    .bind::<SqlUuid, _>(case)
    .bind::<SqlUuid, _>(user)
    .bind::<SqlUuid, _>(by)
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// Ends an assignment; false when there was none.
pub async fn unassign(conn: &mut AsyncPgConnection, case: Uuid, user: Uuid) -> QueryResult<bool> {
    diesel::sql_query(
        "UPDATE support_case_assignments SET ended_at = now() WHERE case_id = $1 AND user_id = $2 AND ended_at IS NULL",
    )
    .bind::<SqlUuid, _>(case)
    .bind::<SqlUuid, _>(user)
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// A notice for the case supervisors of `unit`.
pub struct Notice<'a> {
    pub unit_id: Uuid,
    pub kind: &'a str,
    pub case_id: Option<Uuid>,
    pub subject: (Uuid, &'a str),
    pub actor: &'a Caller,
    pub reason: Option<&'a str>,
}

pub async fn notify(conn: &mut AsyncPgConnection, n: Notice<'_>) -> QueryResult<()> {
    diesel::insert_into(support_case_notices::table)
        .values((
            support_case_notices::unit_id.eq(n.unit_id),
            support_case_notices::kind.eq(n.kind),
            support_case_notices::case_id.eq(n.case_id),
            support_case_notices::subject_user_id.eq(n.subject.0),
            support_case_notices::subject_name.eq(n.subject.1),
            support_case_notices::actor_id.eq(n.actor.id),
            support_case_notices::actor_name.eq(&n.actor.name),
            support_case_notices::reason.eq(n.reason),
        ))
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn notices(
    conn: &mut AsyncPgConnection,
    unit: Uuid,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<NoticeRow>> {
    let mut q = support_case_notices::table
        .filter(support_case_notices::unit_id.eq(unit))
        .select(NoticeRow::as_select())
        .order(support_case_notices::id.desc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(b) = before {
        q = q.filter(support_case_notices::id.lt(b));
    }
    q.load(conn).await
}

/// The user's username when it may work a case of `unit` (active, of that unit, a case role).
pub async fn case_user_of(conn: &mut AsyncPgConnection, user: Uuid, unit: Uuid) -> QueryResult<Option<String>> {
    users::table
        .filter(users::id.eq(user))
        .filter(users::unit_id.eq(unit))
        .filter(users::active.eq(true))
        .filter(users::case_role.is_not_null())
        .select(users::username)
        .first(conn)
        .await
        .optional()
}

/// The username of any user (for an unassignment's notice).
pub async fn username(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<Option<String>> {
    users::table
        .filter(users::id.eq(user))
        .select(users::username)
        .first(conn)
        .await
        .optional()
}

/// Opens the glass for `hours`; answers when it closes.
pub async fn open_glass(
    conn: &mut AsyncPgConnection,
    case: Uuid,
    user: Uuid,
    reason: &str,
    hours: i64,
) -> QueryResult<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)> {
    use crate::db::schema::support_case_glass as g;
    diesel::insert_into(g::table)
        .values((
            g::case_id.eq(case),
            g::user_id.eq(user),
            g::reason.eq(reason),
            g::expires_at.eq(chrono::Utc::now() + chrono::Duration::hours(hours)),
        ))
        .returning((g::opened_at, g::expires_at))
        .get_result(conn)
        .await
}

/// The case's read log, newest first, with this read of it logged by the same statement.
pub async fn access_log(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    case: Uuid,
    via: &str,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<ReadRow>> {
    diesel::sql_query(
        "WITH logged AS (INSERT INTO support_case_reads (case_id, user_id, user_name, what, via, request_id) \
             VALUES ($1, $2, $3, 'access_log', $4, $5) RETURNING id) \
         SELECT r.id, r.user_id, r.user_name, r.what, r.via, r.reason, r.request_id, r.at \
           FROM support_case_reads r JOIN logged ON true \
          WHERE r.case_id = $1 AND ($6::bigint IS NULL OR r.id < $6) ORDER BY r.id DESC LIMIT $7",
    )
    .bind::<SqlUuid, _>(case)
    .bind::<SqlUuid, _>(caller.id)
    .bind::<Text, _>(&caller.name)
    .bind::<Text, _>(via)
    .bind::<Nullable<Text>, _>(request_id())
    .bind::<Nullable<diesel::sql_types::BigInt>, _>(before)
    .bind::<diesel::sql_types::BigInt, _>(limit + 1)
    .load(conn)
    .await
}

#[derive(QueryableByName)]
pub struct SealedIdentity {
    #[diesel(sql_type = Bytea)]
    pub sealed: Vec<u8>,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub version: i64,
}

/// Reads the sealed identity of case `id` as `caller`, logged as `identity` by the same
/// statement: `Ok(None)` when the caller may not read the case or it has no identity yet.
pub async fn read_identity(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> QueryResult<Option<SealedIdentity>> {
    let sql = format!(
        "WITH a AS (SELECT bd_case_access($1, $2) AS via), \
         logged AS (INSERT INTO support_case_reads (case_id, user_id, user_name, what, via, reason, request_id) \
             SELECT $1, $2, $3, 'identity', a.via, {GLASS_REASON}, $4 FROM a \
              WHERE a.via IS NOT NULL AND EXISTS (SELECT 1 FROM support_case_identities WHERE case_id = $1) \
             RETURNING via) \
         SELECT i.sealed, i.version FROM support_case_identities i JOIN logged ON true WHERE i.case_id = $1"
    );
    diesel::sql_query(sql)
        .bind::<SqlUuid, _>(id)
        .bind::<SqlUuid, _>(caller.id)
        .bind::<Text, _>(&caller.name)
        .bind::<Nullable<Text>, _>(request_id())
        .get_result(conn)
        .await
        .optional()
}

/// The version of the case's identity, if it has one.
pub async fn identity_version(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<i64>> {
    use crate::db::schema::support_case_identities as i;
    i::table
        .filter(i::case_id.eq(id))
        .select(i::version)
        .first(conn)
        .await
        .optional()
}

/// Stores the sealed identity at `version` (0: a first one); the new version, or `None` when it
/// moved on.
pub async fn put_identity(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    version: i64,
    sealed: &[u8],
    key_id: &str,
    by: Uuid,
) -> QueryResult<Option<i64>> {
    #[derive(QueryableByName)]
    struct V {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        version: i64,
    }
    let v: Option<V> = diesel::sql_query(
        "INSERT INTO support_case_identities AS i (case_id, sealed, key_id, updated_by) \
         SELECT $1, $2, $3, $4 WHERE $5 = 0 \
         ON CONFLICT (case_id) DO NOTHING RETURNING version",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Bytea, _>(sealed)
    .bind::<Text, _>(key_id)
    .bind::<SqlUuid, _>(by)
    .bind::<diesel::sql_types::BigInt, _>(version)
    .get_result(conn)
    .await
    .optional()?;
    if let Some(v) = v {
        return Ok(Some(v.version));
    }
    let v: Option<V> = diesel::sql_query(
        "UPDATE support_case_identities SET sealed = $2, key_id = $3, updated_by = $4, updated_at = now(), \
         version = version + 1 WHERE case_id = $1 AND version = $5 RETURNING version",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Bytea, _>(sealed)
    .bind::<Text, _>(key_id)
    .bind::<SqlUuid, _>(by)
    .bind::<diesel::sql_types::BigInt, _>(version)
    .get_result(conn)
    .await
    .optional()?;
    Ok(v.map(|v| v.version))
}

/// Every sealed identity not sealed under `key_id` (for `binhdang reseal`).
pub async fn identities_to_reseal(conn: &mut AsyncPgConnection, key_id: &str) -> QueryResult<Vec<(Uuid, Vec<u8>)>> {
    use crate::db::schema::support_case_identities as i;
    i::table
        .filter(i::key_id.ne(key_id))
        .select((i::case_id, i::sealed))
        .load(conn)
        .await
}

pub async fn reseal_identity(conn: &mut AsyncPgConnection, case: Uuid, sealed: &[u8], key_id: &str) -> QueryResult<()> {
    use crate::db::schema::support_case_identities as i;
    diesel::update(i::table.filter(i::case_id.eq(case)))
        .set((i::sealed.eq(sealed), i::key_id.eq(key_id)))
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn insert_consent(
    conn: &mut AsyncPgConnection,
    case: Uuid,
    c: &super::api::NewConsent,
    by: Uuid,
) -> QueryResult<bool> {
    use crate::db::schema::support_case_consents as k;
    diesel::insert_into(k::table)
        .values((
            k::id.eq(c.id.unwrap_or_else(Uuid::now_v7)),
            k::case_id.eq(case),
            k::kind.eq(super::api::wire(&c.kind)),
            k::given.eq(c.given),
            k::service_id.eq(c.service_id),
            k::target_unit_id.eq(c.target_unit_id),
            k::recorded_on.eq(c.recorded_on),
            k::recorded_by.eq(by),
        ))
        .on_conflict(k::id)
        .do_nothing()
        .execute(conn)
        .await
        .map(|n| n == 1)
}

pub async fn insert_service(
    conn: &mut AsyncPgConnection,
    case: Uuid,
    s: &super::api::NewProvidedService,
    by: Uuid,
) -> QueryResult<bool> {
    use crate::db::schema::support_case_services as k;
    diesel::insert_into(k::table)
        .values((
            k::id.eq(s.id.unwrap_or_else(Uuid::now_v7)),
            k::case_id.eq(case),
            k::kind.eq(super::api::wire(&s.kind)),
            k::provided_on.eq(s.provided_on),
            k::service_id.eq(s.service_id),
            k::provider.eq(s.provider.as_deref().map(str::trim)),
            k::recorded_by.eq(by),
        ))
        .on_conflict(k::id)
        .do_nothing()
        .execute(conn)
        .await
        .map(|n| n == 1)
}

/// The part with this id already belongs to this case (a retry) — `Some(true)` —, to another
/// one (`Some(false)`), or does not exist (`None`).
pub async fn part_owner(
    conn: &mut AsyncPgConnection,
    table: &'static str,
    id: Uuid,
    case: Uuid,
) -> QueryResult<Option<bool>> {
    #[derive(QueryableByName)]
    struct C {
        #[diesel(sql_type = SqlUuid)]
        case_id: Uuid,
    }
    let c: Option<C> = diesel::sql_query(format!("SELECT case_id FROM {table} WHERE id = $1"))
        .bind::<SqlUuid, _>(id)
        .get_result(conn)
        .await
        .optional()?;
    Ok(c.map(|c| c.case_id == case))
}

/// A live unit's id and path.
pub async fn unit_exists(conn: &mut AsyncPgConnection, unit: Uuid) -> QueryResult<bool> {
    Ok(crate::db::unit_path(conn, unit).await?.is_some())
}

/// The directory's service exists.
pub async fn service_exists(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    use crate::db::schema::support_services as s;
    diesel::select(diesel::dsl::exists(
        s::table.filter(s::id.eq(id)).filter(s::deleted_at.is_null()),
    ))
    .get_result(conn)
    .await
}

pub async fn codes(conn: &mut AsyncPgConnection) -> QueryResult<super::api::CaseCodes> {
    let acts = dv_acts::table
        .order(dv_acts::code)
        .select((
            dv_acts::code,
            dv_acts::clause,
            dv_acts::form,
            dv_acts::name_vi,
            dv_acts::name_en,
            dv_acts::legal_basis,
            dv_acts::verified,
        ))
        .load::<(String, String, String, String, String, String, bool)>(conn)
        .await?
        .into_iter()
        .map(
            |(code, clause, form, name_vi, name_en, legal_basis, verified)| super::api::ActCode {
                code,
                clause,
                form,
                name_vi,
                name_en,
                legal_basis,
                verified,
            },
        )
        .collect();
    let support_kinds = case_service_kinds::table
        .order(case_service_kinds::code)
        .select((
            case_service_kinds::code,
            case_service_kinds::basic,
            case_service_kinds::name_vi,
            case_service_kinds::name_en,
            case_service_kinds::legal_basis,
            case_service_kinds::verified,
        ))
        .load::<(String, bool, String, String, String, bool)>(conn)
        .await?
        .into_iter()
        .map(
            |(code, basic, name_vi, name_en, legal_basis, verified)| super::api::SupportKindCode {
                code,
                basic,
                name_vi,
                name_en,
                legal_basis,
                verified,
            },
        )
        .collect();
    Ok(super::api::CaseCodes { acts, support_kinds })
}

/// A new case code: `BL-` and eight characters of Crockford's base32 (40 random bits).
pub fn new_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut rng = rand::thread_rng();
    let tail: String = (0..8).map(|_| ALPHABET[rng.gen_range(0..32)] as char).collect();
    format!("BL-{tail}")
}

/// Seals again under `key` every survivor's identity sealed under another key, and every
/// two-factor secret (`binhdang reseal`, after a rotation; the old key is `DATA_KEY_PREVIOUS`).
/// A value neither key opens stops the run (nothing is lost: it stays as it was).
pub async fn reseal_all(
    conn: &mut AsyncPgConnection,
    key: &crate::auth::second_factor::DataKey,
) -> anyhow::Result<(usize, usize)> {
    let key_id = key.key_id();
    let identities = identities_to_reseal(conn, &key_id).await?;
    for (case, sealed) in &identities {
        let plain = key.unseal(sealed).ok_or_else(|| {
            anyhow::anyhow!("the identity of case {case} opens with neither DATA_KEY nor DATA_KEY_PREVIOUS")
        })?;
        reseal_identity(conn, *case, &key.seal(&plain), &key_id).await?;
    }
    let secrets: Vec<(Uuid, Vec<u8>)> = users::table
        .filter(users::totp_secret_sealed.is_not_null())
        .select((users::id, users::totp_secret_sealed.assume_not_null()))
        .load(conn)
        .await?;
    for (user, sealed) in &secrets {
        let plain = key
            .unseal(sealed)
            .ok_or_else(|| anyhow::anyhow!("the two-factor secret of user {user} opens with neither key"))?;
        diesel::update(users::table.filter(users::id.eq(user)))
            .set(users::totp_secret_sealed.eq(key.seal(&plain)))
            .execute(conn)
            .await?;
    }
    Ok((identities.len(), secrets.len()))
}

/// The rule of `measure` decided by `authority` in force on `on` (a rule for any authority when
/// the measure has no particular one).
pub async fn measure_rule(
    conn: &mut AsyncPgConnection,
    measure: &str,
    authority: &str,
    on: chrono::NaiveDate,
) -> QueryResult<Option<super::model::MeasureRuleRow>> {
    use crate::db::schema::dv_measure_rules as r;
    r::table
        .filter(r::measure.eq(measure))
        .filter(r::authority.eq(authority).or(r::authority.eq("any")))
        .filter(r::effective_from.le(on))
        .filter(r::effective_to.is_null().or(r::effective_to.gt(on)))
        .order(r::authority.eq("any"))
        .select(super::model::MeasureRuleRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Whether any rule of `measure` exists (for any authority, any date).
pub async fn measure_authorities(conn: &mut AsyncPgConnection, measure: &str) -> QueryResult<Vec<String>> {
    use crate::db::schema::dv_measure_rules as r;
    r::table
        .filter(r::measure.eq(measure))
        .select(r::authority)
        .distinct()
        .load(conn)
        .await
}

pub async fn measure_rule_by_code(
    conn: &mut AsyncPgConnection,
    code: &str,
) -> QueryResult<Option<super::model::MeasureRuleRow>> {
    use crate::db::schema::dv_measure_rules as r;
    r::table
        .filter(r::code.eq(code))
        .select(super::model::MeasureRuleRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn measure_rules(conn: &mut AsyncPgConnection) -> QueryResult<Vec<super::model::MeasureRuleRow>> {
    use crate::db::schema::dv_measure_rules as r;
    r::table
        .order((r::measure, r::authority, r::effective_from))
        .select(super::model::MeasureRuleRow::as_select())
        .load(conn)
        .await
}

/// A new measure (unless its id is taken: false).
pub async fn insert_measure(conn: &mut AsyncPgConnection, row: &super::model::MeasureRow) -> QueryResult<bool> {
    use crate::db::schema::support_case_measures as m;
    diesel::insert_into(m::table)
        .values((
            m::id.eq(row.id),
            m::case_id.eq(row.case_id),
            m::kind.eq(&row.kind),
            m::authority.eq(&row.authority),
            m::rule_code.eq(&row.rule_code),
            m::requested_at.eq(row.requested_at),
            m::requested_by.eq(&row.requested_by),
            m::victim_consent.eq(row.victim_consent),
            m::decide_by.eq(row.decide_by),
            m::created_by.eq(row.created_by),
        ))
        .on_conflict(m::id)
        .do_nothing()
        .execute(conn)
        .await
        .map(|n| n == 1)
}

pub async fn measure(
    conn: &mut AsyncPgConnection,
    case: Uuid,
    id: Uuid,
) -> QueryResult<Option<super::model::MeasureRow>> {
    use crate::db::schema::support_case_measures as m;
    m::table
        .filter(m::id.eq(id))
        .filter(m::case_id.eq(case))
        .select(super::model::MeasureRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// A step of a measure from `from` status: the measure's clocks after it (the others as read:
/// they change only with the status, which the update checks); false when it moved on.
pub struct MeasureChange<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
    pub starts_at: Option<chrono::DateTime<chrono::Utc>>,
    pub ends_at: Option<chrono::DateTime<chrono::Utc>>,
    pub max_ends_at: Option<chrono::DateTime<chrono::Utc>>,
    pub reason: Option<&'a str>,
}

pub async fn step_measure(conn: &mut AsyncPgConnection, id: Uuid, c: &MeasureChange<'_>) -> QueryResult<bool> {
    use crate::db::schema::support_case_measures as m;
    let n = diesel::update(m::table.filter(m::id.eq(id)).filter(m::status.eq(c.from)))
        .set((
            m::status.eq(c.to),
            m::decided_at.eq(c.decided_at),
            m::starts_at.eq(c.starts_at),
            m::ends_at.eq(c.ends_at),
            m::max_ends_at.eq(c.max_ends_at),
            m::reason.eq(c.reason),
        ))
        .execute(conn)
        .await?;
    Ok(n == 1)
}

/// The measures of a case (read after its logged read).
pub async fn measures_of(conn: &mut AsyncPgConnection, case: Uuid) -> QueryResult<Vec<super::model::MeasureRow>> {
    use crate::db::schema::support_case_measures as m;
    m::table
        .filter(m::case_id.eq(case))
        .order((m::requested_at, m::id))
        .select(super::model::MeasureRow::as_select())
        .load(conn)
        .await
}

/// The measures of the cases the caller reads that `overdue` / `expiring_within_hours` pick,
/// soonest clock first; each case read is logged by the same statement.
pub async fn measures_due(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    f: &super::api::MeasureFilters,
    limit: i64,
) -> QueryResult<Vec<super::model::CodedMeasure>> {
    let mut conds = Vec::new();
    match f.overdue {
        Some(true) => conds.push("m.status = 'requested' AND m.decide_by < now()".to_string()),
        Some(false) => {
            conds.push("NOT (m.status = 'requested' AND m.decide_by IS NOT NULL AND m.decide_by < now())".to_string())
        }
        None => {}
    }
    if f.expiring_within_hours.is_some() {
        conds.push(
            "m.status = 'granted' AND m.ends_at > now() AND m.ends_at <= now() + make_interval(hours => $4::int)"
                .into(),
        );
    }
    let extra = conds.iter().map(|c| format!(" AND ({c})")).collect::<String>();
    let readable = readable_by("$1");
    let sql = format!(
        "WITH page AS (SELECT m.*, c.code AS case_code FROM support_case_measures m JOIN support_cases c ON c.id = m.case_id \
            WHERE {readable} AND c.deleted_at IS NULL{extra} \
            ORDER BY coalesce(CASE WHEN m.status = 'requested' THEN m.decide_by END, m.ends_at, m.requested_at), m.id LIMIT $5), \
         logged AS (INSERT INTO support_case_reads (case_id, user_id, user_name, what, via, request_id) \
             SELECT d.case_id, $1, $2, 'measures', bd_case_access(d.case_id, $1), $3 FROM (SELECT DISTINCT case_id FROM page) d) \
         SELECT * FROM page ORDER BY coalesce(CASE WHEN status = 'requested' THEN decide_by END, ends_at, requested_at), id"
    );
    diesel::sql_query(sql)
        .bind::<SqlUuid, _>(caller.id)
        .bind::<Text, _>(&caller.name)
        .bind::<Nullable<Text>, _>(request_id())
        .bind::<diesel::sql_types::BigInt, _>(f.expiring_within_hours.unwrap_or(0))
        .bind::<diesel::sql_types::BigInt, _>(limit)
        .load(conn)
        .await
}

/// The unit that runs a live, active service of the directory.
pub async fn service_unit(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Uuid>> {
    use crate::db::schema::support_services as s;
    s::table
        .filter(s::id.eq(id))
        .filter(s::deleted_at.is_null())
        .filter(s::active.eq(true))
        .select(s::unit_id)
        .first(conn)
        .await
        .optional()
}

/// The consent to sharing with this service or unit in force (the latest recorded), if given.
pub async fn sharing_consent(
    conn: &mut AsyncPgConnection,
    case: Uuid,
    service: Option<Uuid>,
    unit: Option<Uuid>,
) -> QueryResult<Option<Uuid>> {
    use crate::db::schema::support_case_consents as k;
    let mut q = k::table
        .filter(k::case_id.eq(case))
        .filter(k::kind.eq("sharing"))
        .into_boxed();
    q = match (service, unit) {
        (Some(s), _) => q.filter(k::service_id.eq(s)),
        (None, Some(u)) => q.filter(k::target_unit_id.eq(u)),
        (None, None) => return Ok(None),
    };
    let latest: Option<(Uuid, bool)> = q
        .order((k::created_at.desc(), k::id.desc()))
        .select((k::id, k::given))
        .first(conn)
        .await
        .optional()?;
    Ok(latest.and_then(|(id, given)| given.then_some(id)))
}

pub async fn insert_referral(conn: &mut AsyncPgConnection, r: &super::model::ReferralRow) -> QueryResult<bool> {
    use crate::db::schema::support_case_referrals as t;
    diesel::insert_into(t::table)
        .values((
            t::id.eq(r.id),
            t::case_id.eq(r.case_id),
            t::from_unit_id.eq(r.from_unit_id),
            t::to_service_id.eq(r.to_service_id),
            t::to_unit_id.eq(r.to_unit_id),
            t::services_requested.eq(&r.services_requested),
            t::shares.eq(&r.shares),
            t::note.eq(&r.note),
            t::consent_id.eq(r.consent_id),
            t::override_reason.eq(&r.override_reason),
            t::created_by.eq(r.created_by),
        ))
        .on_conflict(t::id)
        .do_nothing()
        .execute(conn)
        .await
        .map(|n| n == 1)
}

pub async fn referrals_of(conn: &mut AsyncPgConnection, case: Uuid) -> QueryResult<Vec<super::model::ReferralRow>> {
    use crate::db::schema::support_case_referrals as t;
    t::table
        .filter(t::case_id.eq(case))
        .order((t::created_at, t::id))
        .select(super::model::ReferralRow::as_select())
        .load(conn)
        .await
}

pub async fn referral(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<super::model::ReferralRow>> {
    use crate::db::schema::support_case_referrals as t;
    t::table
        .filter(t::id.eq(id))
        .select(super::model::ReferralRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Moves a referral from one of `from` to `to`; false when it was in none of them.
pub async fn step_referral(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    from: &[&str],
    to: &str,
    by: Uuid,
    reason: Option<&str>,
) -> QueryResult<bool> {
    use crate::db::schema::support_case_referrals as t;
    diesel::update(t::table.filter(t::id.eq(id)).filter(t::status.eq_any(from)))
        .set((
            t::status.eq(to),
            t::responded_by.eq(by),
            t::responded_at.eq(diesel::dsl::now),
            t::reason.eq(reason),
            t::version.eq(t::version + 1),
        ))
        .execute(conn)
        .await
        .map(|n| n == 1)
}

/// Withdrawn consent: the pending referrals it allowed are revoked.
pub async fn revoke_pending(
    conn: &mut AsyncPgConnection,
    case: Uuid,
    service: Option<Uuid>,
    unit: Option<Uuid>,
    by: Uuid,
) -> QueryResult<usize> {
    use crate::db::schema::support_case_referrals as t;
    let q = t::table
        .filter(t::case_id.eq(case))
        .filter(t::status.eq("pending"))
        .filter(t::override_reason.is_null())
        .into_boxed();
    let q = match (service, unit) {
        (Some(s), _) => q.filter(t::to_service_id.eq(s)),
        (None, Some(u)) => q.filter(t::to_unit_id.eq(u).and(t::to_service_id.is_null())),
        (None, None) => return Ok(0),
    };
    let ids: Vec<Uuid> = q.select(t::id).load(conn).await?;
    diesel::update(t::table.filter(t::id.eq_any(&ids)))
        .set((
            t::status.eq("revoked"),
            t::responded_by.eq(by),
            t::responded_at.eq(diesel::dsl::now),
            t::reason.eq("consent withdrawn"),
            t::version.eq(t::version + 1),
        ))
        .execute(conn)
        .await
}

/// The referrals received by `unit`, newest first, each read logged on its case by the same
/// statement (`referral`, as the receiving side).
pub async fn incoming(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    unit: Uuid,
    limit: i64,
) -> QueryResult<Vec<super::model::ReferralRow>> {
    diesel::sql_query(
        "WITH page AS (SELECT * FROM support_case_referrals WHERE to_unit_id = $1 ORDER BY created_at DESC, id DESC LIMIT $5), \
         logged AS (INSERT INTO support_case_reads (case_id, user_id, user_name, what, via, request_id) \
             SELECT case_id, $2, $3, 'referral', 'referral_receiver', $4 FROM page) \
         SELECT * FROM page ORDER BY created_at DESC, id DESC",
    )
    .bind::<SqlUuid, _>(unit)
    .bind::<SqlUuid, _>(caller.id)
    .bind::<Text, _>(&caller.name)
    .bind::<Nullable<Text>, _>(request_id())
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .load(conn)
    .await
}

/// Logs one read of a referral by its receiving side.
pub async fn log_referral_read(conn: &mut AsyncPgConnection, caller: &Caller, case: Uuid) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO support_case_reads (case_id, user_id, user_name, what, via, request_id) \
         VALUES ($1, $2, $3, 'referral', 'referral_receiver', $4)",
    )
    .bind::<SqlUuid, _>(case)
    .bind::<SqlUuid, _>(caller.id)
    .bind::<Text, _>(&caller.name)
    .bind::<Nullable<Text>, _>(request_id())
    .execute(conn)
    .await
    .map(|_| ())
}

/// Cases by id (what referrals share of them).
pub async fn cases_by_ids(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<Vec<CaseRow>> {
    use crate::db::schema::support_cases as c;
    c::table
        .filter(c::id.eq_any(ids))
        .select(CaseRow::as_select())
        .load(conn)
        .await
}
