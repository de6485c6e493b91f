//! Argon2id password hashing, always off the async workers (it takes tens of milliseconds).

use std::sync::OnceLock;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::config::Secret;

pub async fn hash(password: Secret) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(password.expose())).await?
}

pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// A hash to verify against when the username does not exist, so that a failed login takes
/// about the same time whether or not the user exists.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("binhdang-timing-equaliser").unwrap_or_default())
}

/// Verifies `password` against `stored` (or against a dummy hash when there is no user).
pub async fn verify(password: Secret, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let has_user = stored.is_some();
        let stored = stored.unwrap_or_else(|| dummy_hash().to_string());
        let matches = PasswordHash::new(&stored)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.expose().as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        matches && has_user
    })
    .await
    .unwrap_or(false)
}
