use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::api::UserFilters;
use super::model::{valid_username, NewUserRow, UserChanges, UserRow};
use crate::auth::{password, Role};
use crate::config::Secret;
use crate::db::schema::{units, users};
use crate::db::Conn;
use crate::http::list::{Bind, Cursor, ListSql, Sort, SortField};
use crate::write::NewRecord;

pub const SORTS: &[SortField] = &[
    SortField {
        name: "username",
        column: "u.username",
        sql_type: "text",
    },
    SortField {
        name: "updated_at",
        column: "u.updated_at",
        sql_type: "timestamptz",
    },
];

const COLUMNS: &str =
    "u.id, u.username, u.display_name, u.unit_id, n.path AS unit_path, u.role, u.case_role, u.active, \
    (u.totp_enabled_at IS NOT NULL) AS two_factor, u.must_change_password, u.created_at, u.updated_at, u.version";

/// The users of the subtree `scope` (a unit path), filtered and paged.
pub async fn list(
    conn: &mut impl crate::db::Reader,
    scope: &str,
    f: &UserFilters,
    sort: &Sort,
    cursor: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<UserRow>> {
    let mut sql = ListSql::new(
        format!("SELECT {COLUMNS} FROM users u JOIN units n ON n.id = u.unit_id"),
        "u.id",
    );
    sql.filter(
        "n.path LIKE ? || '%'",
        [Bind::Text(crate::http::list::escape_like(scope))],
    );
    if let Some(unit) = f.unit_id {
        sql.filter("u.unit_id = ?", [Bind::Uuid(unit)]);
    }
    if let Some(role) = f.role {
        sql.filter("u.role = ?", [Bind::Text(role.as_str().into())]);
    }
    if let Some(case_role) = f.case_role {
        sql.filter("u.case_role = ?", [Bind::Text(case_role.as_str().into())]);
    }
    if let Some(active) = f.active {
        sql.filter(if active { "u.active" } else { "NOT u.active" }, []);
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.trim().is_empty()) {
        sql.search("bd_fold(u.username || ' ' || coalesce(u.display_name, ''))", q);
    }
    sql.page(sort, cursor, limit).load(conn).await
}

pub async fn find(conn: &mut impl crate::db::Reader, id: Uuid) -> QueryResult<Option<UserRow>> {
    diesel::sql_query(format!(
        "SELECT {COLUMNS} FROM users u JOIN units n ON n.id = u.unit_id WHERE u.id = $1"
    ))
    .bind::<diesel::sql_types::Uuid, _>(id)
    .get_result(conn)
    .await
    .optional()
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    version: i64,
    c: &UserChanges,
) -> QueryResult<Option<UserRow>> {
    let updated = diesel::update(users::table)
        .filter(users::id.eq(id))
        .filter(users::version.eq(version))
        .set((
            c,
            users::version.eq(users::version + 1),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    if updated == 0 {
        return Ok(None);
    }
    find(conn, id).await
}

/// True when another active admin of `unit_id` than `except` remains (rows locked, so two
/// admins cannot remove each other at once).
pub async fn another_admin(conn: &mut AsyncPgConnection, unit_id: Uuid, except: Uuid) -> QueryResult<bool> {
    let others: Vec<Uuid> = users::table
        .filter(users::unit_id.eq(unit_id))
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::active.eq(true))
        .filter(users::id.ne(except))
        .select(users::id)
        .for_update()
        .load(conn)
        .await?;
    Ok(!others.is_empty())
}

// A user belongs to its unit: admins of a subtree that holds it manage it.
crate::record!(
    UserRow,
    super::api::User,
    "user",
    users,
    find,
    unit = (unit_id, unit_path)
);

impl NewRecord for NewUserRow {
    type Row = UserRow;

    fn id(&self) -> Uuid {
        self.id
    }
    async fn insert(&self, conn: &mut Conn) -> QueryResult<Option<UserRow>> {
        crate::db::act_as(conn, self.created_by.0, &self.created_by.1).await?;
        let inserted = diesel::insert_into(users::table)
            .values((
                users::id.eq(self.id),
                users::username.eq(&self.username),
                users::display_name.eq(&self.display_name),
                users::unit_id.eq(self.unit_id),
                users::role.eq(&self.role),
                users::case_role.eq(&self.case_role),
                users::password_hash.eq(&self.password_hash),
                users::must_change_password.eq(self.must_change_password),
            ))
            .on_conflict(users::id)
            .do_nothing()
            .execute(conn)
            .await?;
        if inserted == 0 {
            return Ok(None);
        }
        find(conn, self.id).await
    }
    /// The same username, unit and role: the account a client created before.
    fn same_record(&self, e: &UserRow) -> bool {
        (&self.username, self.unit_id, &self.role) == (&e.username, e.unit_id, &e.role)
    }
}

/// A temporary password: 96 random bits in four groups, easy to read out over the phone.
pub fn temporary_password() -> String {
    let raw = crate::auth::tokens::random_token(12).replace(['-', '_'], "x");
    format!("tam-{}-{}-{}-{}", &raw[0..4], &raw[4..8], &raw[8..12], &raw[12..16])
}

#[derive(Debug, thiserror::Error)]
pub enum AddUserError {
    #[error("the username must be 3 to 64 characters: lower-case letters, digits, '.', '_' or '-'")]
    BadUsername,
    #[error("the password {0}")]
    WeakPassword(String),
    #[error("the username {0:?} is already taken")]
    Duplicate(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
}

/// Creates a user from the command line (`binhdang user add`); the password is hashed with
/// Argon2id off the async workers. The API's `POST /users` is the other way in.
pub async fn add_user(
    conn: &mut AsyncPgConnection,
    username: &str,
    password: Secret,
    unit_id: Uuid,
    role: Role,
) -> Result<Uuid, AddUserError> {
    let username = username.trim().to_lowercase();
    if !valid_username(&username) {
        return Err(AddUserError::BadUsername);
    }
    if let Some(why) = password::weakness(password.expose(), &[&username]) {
        return Err(AddUserError::WeakPassword(why.en.to_string()));
    }
    if role == Role::Partner {
        return Err(AddUserError::Other(anyhow::anyhow!(
            "partners sign in as API clients, not users"
        )));
    }
    let hash = password::hash(password).await?;
    let id = Uuid::now_v7();
    // The user and its audit entry in one transaction; the audited record never holds the hash.
    conn.transaction::<_, AddUserError, _>(async |conn| {
        let inserted = diesel::insert_into(users::table)
            .values((
                users::id.eq(id),
                users::username.eq(&username),
                users::password_hash.eq(&hash),
                users::unit_id.eq(unit_id),
                users::role.eq(role.as_str()),
            ))
            .on_conflict(users::username)
            .do_nothing()
            .execute(conn)
            .await?;
        if inserted == 0 {
            return Err(AddUserError::Duplicate(username.clone()));
        }
        let unit_path: String = units::table.find(unit_id).select(units::path).first(conn).await?;
        let after = serde_json::json!({"id": id, "username": username, "unit_id": unit_id, "role": role.as_str(), "active": true});
        let change = crate::audit::Change::new("user", (id, unit_id, &unit_path), "create", None, Some(&after));
        crate::audit::record(conn, crate::audit::Actor::System, change).await?;
        Ok(id)
    })
    .await
}

/// A signed-in user's own new password (already checked), on the write path (audited as
/// `change_password`); the temporary flag goes with it.
pub async fn set_own_password(
    conn: &mut Conn,
    caller: &crate::auth::Caller,
    hash: String,
) -> crate::error::ApiResult<()> {
    let current = find(conn, caller.id)
        .await?
        .ok_or_else(crate::error::ApiError::unauthorized)?;
    let changes = UserChanges {
        password_hash: Some(hash),
        must_change_password: Some(false),
        ..Default::default()
    };
    let (id, version) = (current.id, current.version);
    let apply =
        crate::write::apply(move |conn| Box::pin(async move { Ok(update(conn, id, version, &changes).await?) }));
    crate::write::update(
        conn,
        caller,
        current,
        &crate::http::IfMatch(Some(version)),
        "change_password",
        apply,
    )
    .await?;
    Ok(())
}
