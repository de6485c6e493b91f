//! Users and refresh tokens in the database.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::tokens::{random_token, sha256};
use super::{Caller, PrincipalKind, Role};
use crate::db::schema::{api_client_units, api_clients, refresh_tokens, units, users};

/// A user with what a token needs from its unit.
#[derive(Debug, Queryable)]
pub struct Account {
    pub id: Uuid,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub active: bool,
    pub unit_id: Uuid,
    pub unit_path: String,
}

impl Account {
    pub fn caller(&self) -> Option<Caller> {
        Some(Caller {
            kind: PrincipalKind::User,
            id: self.id,
            name: self.username.clone(),
            unit_id: self.unit_id,
            scopes: vec![self.unit_path.clone()],
            role: Role::parse(&self.role).filter(|r| *r != Role::Partner)?,
        })
    }
}

type AccountColumns = (
    users::id,
    users::username,
    users::password_hash,
    users::role,
    users::active,
    units::id,
    units::path,
);
const ACCOUNT_COLUMNS: AccountColumns = (
    users::id,
    users::username,
    users::password_hash,
    users::role,
    users::active,
    units::id,
    units::path,
);

fn accounts() -> diesel::dsl::IntoBoxed<'static, diesel::dsl::InnerJoin<users::table, units::table>, diesel::pg::Pg> {
    users::table.inner_join(units::table).into_boxed()
}

pub async fn account_by_username(conn: &mut AsyncPgConnection, username: &str) -> QueryResult<Option<Account>> {
    accounts()
        .filter(users::username.eq(username.to_lowercase()))
        .select(ACCOUNT_COLUMNS)
        .first(conn)
        .await
        .optional()
}

pub async fn account_by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Account>> {
    accounts()
        .filter(users::id.eq(id))
        .select(ACCOUNT_COLUMNS)
        .first(conn)
        .await
        .optional()
}

/// Creates a refresh token in `family` (a new family at login) and returns its plain value.
pub async fn issue_refresh(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    family: Uuid,
    ttl: std::time::Duration,
) -> QueryResult<String> {
    let token = random_token(32);
    let expires_at: DateTime<Utc> = Utc::now() + chrono::Duration::seconds(ttl.as_secs() as i64);
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(Uuid::now_v7()),
            refresh_tokens::family_id.eq(family),
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::token_hash.eq(sha256(&token)),
            refresh_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .await?;
    Ok(token)
}

pub enum Rotation {
    /// The token was live: here are the account and the replacement token.
    Rotated(Box<Account>, String),
    /// Unknown, expired or revoked token.
    Invalid,
    /// A spent token was presented again: its whole family has been revoked.
    Reused,
}

/// Spends a refresh token and issues its successor in one transaction. Presenting a token that
/// was already spent revokes every token of its family (a stolen token is then useless too).
pub async fn rotate_refresh(
    conn: &mut AsyncPgConnection,
    token: &str,
    ttl: std::time::Duration,
) -> QueryResult<Rotation> {
    let hash = sha256(token);
    conn.transaction::<_, diesel::result::Error, _>(async |conn| {
        let spent: Option<(Uuid, Uuid)> = diesel::update(refresh_tokens::table)
            .filter(refresh_tokens::token_hash.eq(&hash))
            .filter(refresh_tokens::used_at.is_null())
            .filter(refresh_tokens::revoked_at.is_null())
            .filter(refresh_tokens::expires_at.gt(diesel::dsl::now))
            .set(refresh_tokens::used_at.eq(diesel::dsl::now))
            .returning((refresh_tokens::family_id, refresh_tokens::user_id))
            .get_result(conn)
            .await
            .optional()?;
        let Some((family, user_id)) = spent else {
            let known: Option<(Uuid, Option<DateTime<Utc>>)> = refresh_tokens::table
                .filter(refresh_tokens::token_hash.eq(&hash))
                .select((refresh_tokens::family_id, refresh_tokens::used_at))
                .first(conn)
                .await
                .optional()?;
            return match known {
                Some((family, Some(_))) => {
                    revoke_family(conn, family).await?;
                    Ok(Rotation::Reused)
                }
                _ => Ok(Rotation::Invalid),
            };
        };
        let Some(account) = account_by_id(conn, user_id).await?.filter(|a| a.active) else {
            return Ok(Rotation::Invalid);
        };
        let next = issue_refresh(conn, user_id, family, ttl).await?;
        Ok(Rotation::Rotated(Box::new(account), next))
    })
    .await
}

pub async fn revoke_family(conn: &mut AsyncPgConnection, family: Uuid) -> QueryResult<usize> {
    diesel::update(refresh_tokens::table)
        .filter(refresh_tokens::family_id.eq(family))
        .filter(refresh_tokens::revoked_at.is_null())
        .set(refresh_tokens::revoked_at.eq(diesel::dsl::now))
        .execute(conn)
        .await
}

/// Logout: revokes the family of `token` when it belongs to `user_id`, or every refresh token of
/// the user when no token is given.
pub async fn revoke_for_logout(conn: &mut AsyncPgConnection, user_id: Uuid, token: Option<&str>) -> QueryResult<usize> {
    let families: Vec<Uuid> = match token {
        Some(t) => {
            refresh_tokens::table
                .filter(refresh_tokens::token_hash.eq(sha256(t)))
                .filter(refresh_tokens::user_id.eq(user_id))
                .select(refresh_tokens::family_id)
                .load(conn)
                .await?
        }
        None => {
            refresh_tokens::table
                .filter(refresh_tokens::user_id.eq(user_id))
                .select(refresh_tokens::family_id)
                .distinct()
                .load(conn)
                .await?
        }
    };
    diesel::update(refresh_tokens::table)
        .filter(refresh_tokens::family_id.eq_any(families))
        .filter(refresh_tokens::revoked_at.is_null())
        .set(refresh_tokens::revoked_at.eq(diesel::dsl::now))
        .execute(conn)
        .await
}

/// For every partner request: the rate limit and granted subtree paths of an active client.
pub async fn live_grants(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<(i32, Vec<String>)>> {
    let rows: Vec<(i32, Option<String>)> = api_clients::table
        .left_join(api_client_units::table.inner_join(units::table))
        .filter(api_clients::id.eq(id))
        .filter(api_clients::active.eq(true))
        .select((api_clients::rate_limit_per_minute, units::path.nullable()))
        .load(conn)
        .await?;
    let Some(limit) = rows.iter().map(|(l, _)| *l).next() else {
        return Ok(None);
    };
    Ok(Some((limit, rows.into_iter().filter_map(|(_, p)| p).collect())))
}
