//! Users and refresh tokens in the database.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::tokens::{random_token, sha256};
use super::{Caller, PrincipalKind, Role};
use crate::db::schema::{refresh_tokens, units, users};

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
    pub token_epoch: i64,
    pub must_change_password: bool,
    /// Two-factor sign-in is on (enrolled and confirmed).
    pub two_factor: bool,
    /// Not bound by the two-factor policy (the `--demo` users).
    pub two_factor_exempt: bool,
    /// `case_worker` or `case_supervisor`, if any.
    pub case_role: Option<String>,
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
            epoch: self.token_epoch,
            restriction: self.must_change_password.then_some(super::Restriction::PasswordChange),
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
    users::token_epoch,
    users::must_change_password,
    diesel::dsl::IsNotNull<users::totp_enabled_at>,
    users::two_factor_exempt,
    users::case_role,
);
fn account_columns() -> AccountColumns {
    (
        users::id,
        users::username,
        users::password_hash,
        users::role,
        users::active,
        units::id,
        units::path,
        users::token_epoch,
        users::must_change_password,
        users::totp_enabled_at.is_not_null(),
        users::two_factor_exempt,
        users::case_role,
    )
}

fn accounts() -> diesel::dsl::IntoBoxed<'static, diesel::dsl::InnerJoin<users::table, units::table>, diesel::pg::Pg> {
    users::table.inner_join(units::table).into_boxed()
}

pub async fn account_by_username(conn: &mut AsyncPgConnection, username: &str) -> QueryResult<Option<Account>> {
    accounts()
        .filter(users::username.eq(username.to_lowercase()))
        .select(account_columns())
        .first(conn)
        .await
        .optional()
}

pub async fn account_by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Account>> {
    accounts()
        .filter(users::id.eq(id))
        .select(account_columns())
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

/// How long after a refresh token is spent it may be presented again and answer with the same
/// successor (a retry whose answer was lost, two tabs refreshing at once).
pub const REFRESH_GRACE: chrono::Duration = chrono::Duration::seconds(30);

/// The cipher keyed by a spent token (SHA-256 of it, in a context of its own).
fn grace_cipher(spent: &str) -> chacha20poly1305::ChaCha20Poly1305 {
    use chacha20poly1305::aead::KeyInit;
    let key = sha256(&format!("binhdang refresh grace\0{spent}"));
    chacha20poly1305::ChaCha20Poly1305::new_from_slice(&key).expect("a 32-byte key")
}

/// The successor sealed under a key only the spent token's holder can derive (the server keeps
/// only the token's hash): ChaCha20-Poly1305, a random nonce first.
fn seal(spent: &str, successor: &str) -> Vec<u8> {
    use chacha20poly1305::aead::{Aead, AeadCore, OsRng};
    use chacha20poly1305::ChaCha20Poly1305;
    let cipher = grace_cipher(spent);
    let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
    let mut out = nonce.to_vec();
    out.extend(
        cipher
            .encrypt(&nonce, successor.as_bytes())
            .expect("sealing a short token cannot fail"),
    );
    out
}

fn unseal(spent: &str, sealed: &[u8]) -> Option<String> {
    use chacha20poly1305::aead::Aead;
    use chacha20poly1305::Nonce;
    if sealed.len() < 12 {
        return None;
    }
    let (nonce, text) = sealed.split_at(12);
    let nonce: [u8; 12] = nonce.try_into().ok()?;
    let plain = grace_cipher(spent).decrypt(&Nonce::from(nonce), text).ok()?;
    String::from_utf8(plain).ok()
}

/// Spends a refresh token and issues its successor in one transaction. The same token again
/// within [`REFRESH_GRACE`] answers with the same successor; after that, presenting a spent
/// token revokes every token of its family (a stolen token is then useless too).
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
            type Known = (
                Uuid,
                Uuid,
                Option<DateTime<Utc>>,
                Option<DateTime<Utc>>,
                Option<Vec<u8>>,
            );
            let known: Option<Known> = refresh_tokens::table
                .filter(refresh_tokens::token_hash.eq(&hash))
                .select((
                    refresh_tokens::family_id,
                    refresh_tokens::user_id,
                    refresh_tokens::used_at,
                    refresh_tokens::revoked_at,
                    refresh_tokens::successor_sealed,
                ))
                .first(conn)
                .await
                .optional()?;
            return match known {
                // Within the grace window: the same successor, as long as the family stands.
                Some((_, user_id, Some(used), None, Some(sealed))) if Utc::now() - used <= REFRESH_GRACE => {
                    match (
                        unseal(token, &sealed),
                        account_by_id(conn, user_id).await?.filter(|a| a.active),
                    ) {
                        (Some(next), Some(account)) => Ok(Rotation::Rotated(Box::new(account), next)),
                        _ => Ok(Rotation::Invalid),
                    }
                }
                Some((family, _, Some(_), _, _)) => {
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
        diesel::update(refresh_tokens::table)
            .filter(refresh_tokens::token_hash.eq(&hash))
            .set(refresh_tokens::successor_sealed.eq(Some(seal(token, &next))))
            .execute(conn)
            .await?;
        Ok(Rotation::Rotated(Box::new(account), next))
    })
    .await
}

/// Forgets the sealed successors whose grace window has passed (run with the hourly purge).
pub async fn forget_spent_successors(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    diesel::update(refresh_tokens::table)
        .filter(refresh_tokens::successor_sealed.is_not_null())
        .filter(refresh_tokens::used_at.lt(Utc::now() - REFRESH_GRACE))
        .set(refresh_tokens::successor_sealed.eq(None::<Vec<u8>>))
        .execute(conn)
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

/// What a partner request may do, from one statement that also counts it.
pub enum Grants {
    /// Within its limit: the granted subtree paths.
    Live(Vec<String>),
    /// Over its per-minute limit: 429 for this many seconds.
    Limited(u64),
}

#[derive(diesel::QueryableByName)]
struct LiveRow {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    rate_limit: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    used: i32,
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Text>)]
    paths: Vec<String>,
}

/// For every partner request, in one round trip: counts the request in the client's current
/// minute (in `partner_rate`, so every instance shares the limit) and reads the granted subtree
/// paths of the client, if it is active (`None` otherwise).
pub async fn live_grants(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Grants>> {
    let now = Utc::now().timestamp();
    let row: Option<LiveRow> = diesel::sql_query(
        "WITH hit AS ( \
            INSERT INTO partner_rate AS r (client_id, minute, count) \
            SELECT c.id, $2, 1 FROM api_clients c WHERE c.id = $1 AND c.active \
            ON CONFLICT (client_id) DO UPDATE SET \
                count = CASE WHEN r.minute = EXCLUDED.minute THEN r.count + 1 ELSE 1 END, \
                minute = EXCLUDED.minute \
            RETURNING count) \
         SELECT c.rate_limit_per_minute AS rate_limit, (SELECT count FROM hit) AS used, \
            coalesce(array_agg(u.path ORDER BY u.path) FILTER (WHERE u.path IS NOT NULL), '{}') AS paths \
         FROM api_clients c \
         LEFT JOIN api_client_units g ON g.client_id = c.id \
         LEFT JOIN units u ON u.id = g.unit_id \
         WHERE c.id = $1 AND c.active \
         GROUP BY c.rate_limit_per_minute",
    )
    .bind::<diesel::sql_types::Uuid, _>(id)
    .bind::<diesel::sql_types::BigInt, _>(now / 60)
    .get_result(conn)
    .await
    .optional()?;
    Ok(row.map(|r| {
        if r.used > r.rate_limit.max(0) {
            Grants::Limited((60 - now % 60).max(1) as u64)
        } else {
            Grants::Live(r.paths)
        }
    }))
}
