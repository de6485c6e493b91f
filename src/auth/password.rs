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

/// The shortest password accepted (NIST SP 800-63B's minimum; spaces count only between other
/// characters).
pub const MIN_LENGTH: usize = 8;
pub const MAX_LENGTH: usize = 256;

/// Why a new password is refused (the field's error message), or `None` when it is acceptable:
/// at least [`MIN_LENGTH`] characters and not guessable: not one of the common passwords, nor
/// built from the username or display name. The check is zxcvbn's (its lists of common
/// passwords, names and keyboard patterns); a score of 2 ("somewhat guessable", about 10^6
/// guesses or more) is the least accepted.
pub fn weakness(password: &str, user_inputs: &[&str]) -> Option<crate::error::Text> {
    let length = password.trim().chars().count();
    if length < MIN_LENGTH {
        return Some(crate::error::Text::new(
            format!("must be at least {MIN_LENGTH} characters, not counting leading or trailing spaces"),
            format!("phải có ít nhất {MIN_LENGTH} ký tự, không tính dấu cách ở đầu và cuối"),
        ));
    }
    if password.chars().count() > MAX_LENGTH {
        return Some(crate::error::Text::new(
            format!("must be at most {MAX_LENGTH} characters"),
            format!("tối đa {MAX_LENGTH} ký tự"),
        ));
    }
    let score = zxcvbn::zxcvbn(password, user_inputs).score();
    if (score as u8) < 2 {
        return Some(crate::error::Text::new(
            "is too easy to guess (a common password, or built from your name): choose a longer or less common one",
            "quá dễ đoán (mật khẩu phổ biến hoặc dựa trên tên của bạn): hãy chọn mật khẩu dài hơn hoặc ít phổ biến hơn",
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::weakness;

    #[test]
    fn common_short_and_name_based_passwords_are_refused() {
        for weak in [
            "12345678",
            "password",
            "iloveyou",
            "qwertyuiop",
            "        abc",
            "hoa.nguyen1",
        ] {
            assert!(weakness(weak, &["hoa.nguyen"]).is_some(), "{weak} should be refused");
        }
        for fine in ["binhdang-demo", "correct horse battery staple", "Ward-7 field notes!"] {
            assert!(weakness(fine, &["hoa.nguyen"]).is_none(), "{fine} should pass");
        }
    }
}
