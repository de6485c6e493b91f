//! Two-factor sign-in: TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of clock
//! skew either way; through the `totp-rs` crate) and ten one-time recovery codes.
//!
//! The TOTP secret is stored sealed (ChaCha20-Poly1305 under the data key, `DATA_KEY` or the
//! data directory's `data-key`); recovery codes only as SHA-256 hashes (each carries 50 random
//! bits). A code is good once: the step it matched is kept, and a code of that step or an
//! earlier one is refused (a replay within its window included).

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rand::Rng;
use uuid::Uuid;

use super::tokens::sha256;
use crate::db::schema::{user_recovery_codes, users};

/// Shown in authenticator apps.
pub const ISSUER: &str = "binhdang";
pub const RECOVERY_CODES: usize = 10;
const STEP: u64 = 30;

/// The key that seals stored secrets (32 bytes from the configured data key), and the one
/// before a rotation (`DATA_KEY_PREVIOUS`), which still opens what it sealed.
#[derive(Clone)]
pub struct DataKey {
    key: [u8; 32],
    previous: Option<[u8; 32]>,
}

fn derive(secret: &crate::config::Secret) -> [u8; 32] {
    let digest = sha256(&format!("binhdang data key\0{}", secret.expose()));
    let mut key = [0u8; 32];
    key.copy_from_slice(&digest);
    key
}

fn open_with(key: &[u8; 32], sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < 12 {
        return None;
    }
    let (nonce, text) = sealed.split_at(12);
    let nonce: [u8; 12] = nonce.try_into().ok()?;
    let cipher = ChaCha20Poly1305::new_from_slice(key).expect("a 32-byte key");
    cipher.decrypt(&Nonce::from(nonce), text).ok()
}

impl DataKey {
    pub fn new(secret: &crate::config::Secret) -> Self {
        DataKey {
            key: derive(secret),
            previous: None,
        }
    }

    /// The data key of these settings (`DATA_KEY`, or the data directory's `data-key`, made on
    /// first run), with `DATA_KEY_PREVIOUS`.
    pub fn from_settings(settings: &crate::config::Settings) -> anyhow::Result<Self> {
        let key =
            super::tokens::load_or_create(settings.data_key.as_ref(), &settings.data_dir, "DATA_KEY", "data-key")?;
        Ok(Self::new(&key).with_previous(settings.data_key_previous.as_ref()))
    }

    pub fn with_previous(mut self, previous: Option<&crate::config::Secret>) -> Self {
        self.previous = previous.map(derive);
        self
    }

    /// A name for the current key (not the key): the first 8 hex digits of its hash, stored
    /// beside what it seals so that a rotation can tell what is left to seal again.
    pub fn key_id(&self) -> String {
        hex::encode(&sha256(&hex::encode(self.key))[..4])
    }

    pub fn seal(&self, plain: &[u8]) -> Vec<u8> {
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let cipher = ChaCha20Poly1305::new_from_slice(&self.key).expect("a 32-byte key");
        let mut out = nonce.to_vec();
        out.extend(cipher.encrypt(&nonce, plain).expect("sealing cannot fail"));
        out
    }

    /// Opens what this key sealed, or the previous key.
    pub fn unseal(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        open_with(&self.key, sealed).or_else(|| self.previous.as_ref().and_then(|p| open_with(p, sealed)))
    }
}

fn totp(secret: Vec<u8>, account: &str) -> Option<totp_rs::TOTP> {
    totp_rs::TOTP::new(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        STEP,
        secret,
        Some(ISSUER.into()),
        account.into(),
    )
    .ok()
}

/// A new secret (160 bits) and its `otpauth://` provisioning URI.
pub fn new_secret(account: &str) -> (Vec<u8>, String, String) {
    let secret = totp_rs::Secret::generate_secret().to_bytes().expect("raw bytes");
    let t = totp(secret.clone(), account).expect("a valid secret");
    (secret, t.get_secret_base32(), t.get_url())
}

/// The time step `code` matches now (within one step either way), if any.
pub fn matching_step(secret: &[u8], code: &str, now: u64) -> Option<i64> {
    let code = code.trim().replace(' ', "");
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret.to_vec(), "")?;
    let current = now / STEP;
    [current.saturating_sub(1), current, current + 1]
        .into_iter()
        .find(|step| constant_time_eq(t.generate(step * STEP).as_bytes(), code.as_bytes()))
        .map(|s| s as i64)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn now() -> u64 {
    chrono::Utc::now().timestamp().max(0) as u64
}

/// Ten recovery codes, `xxxxx-xxxxx` (lower-case letters and digits, no look-alikes).
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut s: String = (0..10)
                .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
                .collect();
            s.insert(5, '-');
            s
        })
        .collect()
}

fn recovery_hash(code: &str) -> Vec<u8> {
    sha256(&code.trim().to_lowercase().replace(' ', ""))
}

/// What a user's second factor is.
pub struct Enrolment {
    pub sealed: Option<Vec<u8>>,
    pub enabled: bool,
}

pub async fn enrolment(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<Enrolment> {
    let (sealed, enabled_at): (Option<Vec<u8>>, Option<chrono::DateTime<chrono::Utc>>) = users::table
        .find(user)
        .select((users::totp_secret_sealed, users::totp_enabled_at))
        .first(conn)
        .await?;
    Ok(Enrolment {
        sealed,
        enabled: enabled_at.is_some(),
    })
}

/// Keeps a new, not yet confirmed secret (replacing an unconfirmed one).
pub async fn store_pending(conn: &mut AsyncPgConnection, user: Uuid, sealed: &[u8]) -> QueryResult<usize> {
    diesel::update(users::table.find(user))
        .filter(users::totp_enabled_at.is_null())
        .set((
            users::totp_secret_sealed.eq(sealed),
            users::totp_last_step.eq(None::<i64>),
        ))
        .execute(conn)
        .await
}

/// Spends the step a code matched: false when that step (or a later one) was used already.
pub async fn spend_step(conn: &mut AsyncPgConnection, user: Uuid, step: i64) -> QueryResult<bool> {
    let n = diesel::update(users::table.find(user))
        .filter(users::totp_last_step.is_null().or(users::totp_last_step.lt(step)))
        .set(users::totp_last_step.eq(step))
        .execute(conn)
        .await?;
    Ok(n == 1)
}

/// Checks `code` against the user's stored secret (pending or on) and spends its time step:
/// true when it was the code of now and not used before. The one place a TOTP code is checked.
pub async fn spend_code(conn: &mut AsyncPgConnection, key: &DataKey, user: Uuid, code: &str) -> QueryResult<bool> {
    let secret = enrolment(conn, user).await?.sealed.and_then(|s| key.unseal(&s));
    match secret.and_then(|s| matching_step(&s, code, now())) {
        Some(step) => spend_step(conn, user, step).await,
        None => Ok(false),
    }
}

/// Turns two-factor sign-in on, with fresh recovery codes (their hashes).
pub async fn enable(conn: &mut AsyncPgConnection, user: Uuid, codes: &[String]) -> QueryResult<()> {
    diesel::update(users::table.find(user))
        .set((
            users::totp_enabled_at.eq(diesel::dsl::now),
            users::version.eq(users::version + 1),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    diesel::delete(user_recovery_codes::table.filter(user_recovery_codes::user_id.eq(user)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = codes
        .iter()
        .map(|c| {
            (
                user_recovery_codes::user_id.eq(user),
                user_recovery_codes::code_hash.eq(recovery_hash(c)),
            )
        })
        .collect();
    diesel::insert_into(user_recovery_codes::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}

/// Turns two-factor sign-in off (the secret and the recovery codes go).
pub async fn disable(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<()> {
    diesel::update(users::table.find(user))
        .set((
            users::totp_enabled_at.eq(None::<chrono::DateTime<chrono::Utc>>),
            users::totp_secret_sealed.eq(None::<Vec<u8>>),
            users::totp_last_step.eq(None::<i64>),
            users::version.eq(users::version + 1),
            users::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    diesel::delete(user_recovery_codes::table.filter(user_recovery_codes::user_id.eq(user)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Spends a recovery code: true when it was one of the user's and unused.
pub async fn spend_recovery_code(conn: &mut AsyncPgConnection, user: Uuid, code: &str) -> QueryResult<bool> {
    let n = diesel::update(user_recovery_codes::table)
        .filter(user_recovery_codes::user_id.eq(user))
        .filter(user_recovery_codes::code_hash.eq(recovery_hash(code)))
        .filter(user_recovery_codes::used_at.is_null())
        .set(user_recovery_codes::used_at.eq(diesel::dsl::now))
        .execute(conn)
        .await?;
    Ok(n == 1)
}

/// Unused recovery codes left.
pub async fn recovery_codes_left(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<i64> {
    user_recovery_codes::table
        .filter(user_recovery_codes::user_id.eq(user))
        .filter(user_recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_matches_its_step_and_neighbours_only() {
        let (secret, base32, uri) = new_secret("lan.tran");
        assert!(uri.starts_with("otpauth://totp/binhdang:lan.tran?secret="), "{uri}");
        assert!(uri.contains(&base32) && uri.contains("issuer=binhdang"));
        let t = totp(secret.clone(), "").unwrap();
        let now = 1_800_000_015;
        let code = t.generate(now);
        assert_eq!(matching_step(&secret, &code, now), Some((now / 30) as i64));
        assert!(matching_step(&secret, &code, now + 30).is_some(), "one step of skew");
        assert_eq!(matching_step(&secret, &code, now + 90), None);
        assert_eq!(matching_step(&secret, "12345", now), None);
        assert_eq!(matching_step(&secret, "abcdef", now), None);
    }

    #[test]
    fn sealed_secrets_open_only_with_their_key() {
        let key = DataKey::new(&crate::config::Secret::new("k".repeat(40)));
        let other = DataKey::new(&crate::config::Secret::new("o".repeat(40)));
        let sealed = key.seal(b"secret");
        assert_eq!(key.unseal(&sealed).as_deref(), Some(&b"secret"[..]));
        assert_eq!(other.unseal(&sealed), None);
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert!(codes.iter().all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'));
    }
}
