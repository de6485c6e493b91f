//! Users: accounts that sign in with a password. Created by `binhdang user add` (and by
//! `seed --demo`); each belongs to one unit with one role.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::{password, Role};
use crate::config::Secret;
use crate::db::schema::{units, users};

#[derive(Debug, thiserror::Error)]
pub enum AddUserError {
    #[error("the username must be 3 to 64 characters: lower-case letters, digits, '.', '_' or '-'")]
    BadUsername,
    #[error("the password must be at least 8 characters, not counting leading or trailing spaces")]
    WeakPassword,
    #[error("the username {0:?} is already taken")]
    Duplicate(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
}

pub fn valid_username(u: &str) -> bool {
    (3..=64).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

/// Creates a user; the password is hashed with Argon2id off the async workers.
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
    // Spaces count only between other characters: "        " is no password.
    if password.expose().trim().chars().count() < 8 {
        return Err(AddUserError::WeakPassword);
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
