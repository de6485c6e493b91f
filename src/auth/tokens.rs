//! Access tokens (short-lived HS256 JWTs; algorithm pinned, `exp`, `iss`, `aud` checked) and
//! refresh tokens (random, stored only as a SHA-256 hash).

use std::path::Path;

use anyhow::Context;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Caller, PrincipalKind, Role};
use crate::config::Secret;

pub const ISSUER: &str = "binhdang";
pub const AUDIENCE: &str = "binhdang-api";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub name: String,
    pub unit_id: Uuid,
    /// `user` or `client`.
    pub typ: String,
    /// The subtree paths a user may read; empty for clients (their grants are read live).
    pub scopes: Vec<String>,
    pub role: String,
    /// The user's token epoch when the token was issued (see `auth::revocation`); 0 for clients.
    #[serde(default)]
    pub gen: i64,
    /// What the token is limited to until its user acts (`password_change`,
    /// `two_factor_enrolment`); absent for a full token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restrict: Option<String>,
}

impl Claims {
    pub fn into_caller(self) -> Option<Caller> {
        let kind = match self.typ.as_str() {
            "user" => PrincipalKind::User,
            "client" => PrincipalKind::Client,
            _ => return None,
        };
        let role = Role::parse(&self.role)?;
        // A client token is only ever a partner; a user token never is.
        if (kind == PrincipalKind::Client) != (role == Role::Partner) {
            return None;
        }
        Some(Caller {
            kind,
            id: self.sub.parse().ok()?,
            name: self.name,
            unit_id: self.unit_id,
            scopes: self.scopes,
            role,
            epoch: self.gen,
            restriction: match self.restrict.as_deref() {
                None => None,
                Some(r) => Some(super::Restriction::parse(r)?),
            },
        })
    }
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    second_step: Validation,
    pub access_ttl_seconds: i64,
    /// This key set's identity in each worker's cache of verified tokens ([`VERIFIED`]).
    cache_id: u64,
}

/// Tokens each worker thread has verified, keyed by the key set that verified them and the
/// token's text, with the caller they name and their `exp`: a token seen again (a client's
/// every request for 15 minutes) is not decoded and its signature not checked again (6% of a
/// one-record read under load). Only a token these keys accepted gets in, and it is taken from
/// the cache only before its `exp`; the revocation check is not cached (the caller's extractor
/// makes it on every request). Bounded: emptied when it holds [`VERIFIED_MAX`] tokens.
///
/// Keyed by the token's last [`TOKEN_TAIL`] bytes, which lie in its signature (random to anyone
/// without the key), and then compared whole: hashing all of a 660-byte token cost 2% of a
/// list request. Two tokens that share a tail only take each other's place.
type VerifiedTokens = std::collections::HashMap<[u8; TOKEN_TAIL], VerifiedToken>;
struct VerifiedToken {
    token: Box<str>,
    keys: u64,
    caller: Caller,
    exp: i64,
}
const TOKEN_TAIL: usize = 24;

/// A token's last [`TOKEN_TAIL`] bytes (zero-padded in front when it is shorter).
fn token_tail(token: &str) -> [u8; TOKEN_TAIL] {
    let b = token.as_bytes();
    let n = b.len().min(TOKEN_TAIL);
    let mut tail = [0u8; TOKEN_TAIL];
    tail[TOKEN_TAIL - n..].copy_from_slice(&b[b.len() - n..]);
    tail
}
thread_local! {
    static VERIFIED: std::cell::RefCell<VerifiedTokens> = std::cell::RefCell::new(VerifiedTokens::new());
}
const VERIFIED_MAX: usize = 4096;
static NEXT_CACHE_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The audience of a second-step challenge: never accepted as an access token.
pub const SECOND_STEP_AUDIENCE: &str = "binhdang-second-step";
/// How long a second-step challenge lasts.
pub const SECOND_STEP_SECONDS: i64 = 300;

/// What a second-step challenge says: this user gave the right password, at this epoch.
#[derive(Debug, Serialize, Deserialize)]
pub struct ChallengeClaims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    pub gen: i64,
}

impl JwtKeys {
    pub fn new(secret: &Secret, access_ttl_seconds: i64) -> anyhow::Result<Self> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        let mut second_step = validation.clone();
        second_step.set_audience(&[SECOND_STEP_AUDIENCE]);
        Ok(Self {
            second_step,
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()).context("JWT signing key")?,
            decoding: DecodingKey::from_secret(secret.expose().as_bytes()).context("JWT verification key")?,
            validation,
            access_ttl_seconds,
            cache_id: NEXT_CACHE_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        })
    }

    pub fn issue_access(&self, caller: &Caller) -> anyhow::Result<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: caller.id.to_string(),
            exp: now + self.access_ttl_seconds,
            iat: now,
            jti: Uuid::new_v4().to_string(),
            name: caller.name.clone(),
            unit_id: caller.unit_id,
            typ: caller.kind.as_str().into(),
            scopes: match caller.kind {
                PrincipalKind::User => caller.scopes.clone(),
                PrincipalKind::Client => Vec::new(),
            },
            role: caller.role.as_str().into(),
            gen: caller.epoch,
            restrict: caller.restriction.map(|r| r.as_str().to_string()),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).context("signing a token")
    }

    /// A challenge for the second step of a sign-in (after the password was right).
    pub fn issue_challenge(&self, user: Uuid, epoch: i64) -> anyhow::Result<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = ChallengeClaims {
            iss: ISSUER.into(),
            aud: SECOND_STEP_AUDIENCE.into(),
            sub: user.to_string(),
            exp: now + SECOND_STEP_SECONDS,
            iat: now,
            gen: epoch,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).context("signing a challenge")
    }

    pub fn verify_challenge(&self, token: &str) -> Option<ChallengeClaims> {
        jsonwebtoken::decode::<ChallengeClaims>(token, &self.decoding, &self.second_step)
            .ok()
            .map(|d| d.claims)
    }

    pub fn verify_access(&self, token: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).map(|d| d.claims)
    }

    /// The caller an access token names, when it is valid (signature, issuer, audience, `exp`,
    /// well-formed claims); from this worker's cache when the token was verified before and has
    /// not expired. Revocation is the caller's to check.
    pub fn access_caller(&self, token: &str) -> Option<Caller> {
        let now = chrono::Utc::now().timestamp();
        let tail = token_tail(token);
        let hit = VERIFIED.with(|v| match v.borrow().get(&tail) {
            Some(t) if t.keys == self.cache_id && now < t.exp && *t.token == *token => Some(t.caller.clone()),
            _ => None,
        });
        if hit.is_some() {
            return hit;
        }
        let claims = self.verify_access(token).ok()?;
        let exp = claims.exp;
        let caller = claims.into_caller()?;
        VERIFIED.with(|v| {
            let mut v = v.borrow_mut();
            if v.len() >= VERIFIED_MAX {
                v.clear();
            }
            let verified = VerifiedToken {
                token: token.into(),
                keys: self.cache_id,
                caller: caller.clone(),
                exp,
            };
            v.insert(tail, verified);
        });
        Some(caller)
    }
}

/// The signing secret: `JWT_SECRET`, or one generated on first run and kept (mode 0600) in the
/// data directory, so tokens survive a restart and no secret lives in the repository.
pub fn load_or_create_secret(configured: Option<&Secret>, data_dir: &Path) -> anyhow::Result<Secret> {
    load_or_create(configured, data_dir, "JWT_SECRET", "jwt-secret")
}

/// A secret from the environment variable `env` (at least 32 characters), or kept in
/// `data_dir/file` (mode 0600), generated on first run.
pub fn load_or_create(configured: Option<&Secret>, data_dir: &Path, env: &str, file: &str) -> anyhow::Result<Secret> {
    if let Some(s) = configured {
        anyhow::ensure!(s.expose().len() >= 32, "{env} must be at least 32 characters");
        return Ok(s.clone());
    }
    let path = data_dir.join(file);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        if existing.trim().len() >= 32 {
            return Ok(Secret::new(existing.trim()));
        }
    }
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let secret = random_token(48);
    std::fs::write(&path, &secret).with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(Secret::new(secret))
}

/// A URL-safe random string carrying `bytes` bytes of entropy.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

pub fn sha256(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn officer() -> Caller {
        Caller {
            kind: PrincipalKind::User,
            id: Uuid::new_v4(),
            name: "halong.officer".into(),
            unit_id: Uuid::new_v4(),
            scopes: vec!["/a/b/".into()],
            role: Role::Officer,
            epoch: 3,
            restriction: None,
        }
    }

    #[test]
    fn a_cached_token_is_only_accepted_by_the_keys_that_verified_it() {
        let ours = JwtKeys::new(&Secret::new("s".repeat(40)), 900).unwrap();
        let theirs = JwtKeys::new(&Secret::new("t".repeat(40)), 900).unwrap();
        let token = ours.issue_access(&officer()).unwrap();
        // Verified, then taken from this thread's cache: the same caller both times.
        let first = ours.access_caller(&token).expect("a valid token");
        let again = ours.access_caller(&token).expect("the cached token");
        assert_eq!(
            (first.id, first.epoch, &first.scopes),
            (again.id, again.epoch, &again.scopes)
        );
        // Other keys never take the cached entry for their own.
        assert!(theirs.access_caller(&token).is_none());
        assert!(ours.access_caller(&format!("{token}x")).is_none());
        // A token with the cached one's tail (its signature's end) but other claims is not it.
        let mut forged = token.clone().into_bytes();
        let at = token.find('.').unwrap() + 10;
        forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
        let forged = String::from_utf8(forged).unwrap();
        assert_eq!(token_tail(&forged), token_tail(&token));
        assert!(ours.access_caller(&forged).is_none());
        assert!(ours.access_caller(&token).is_some());
        assert_eq!(token_tail("ab"), {
            let mut t = [0u8; TOKEN_TAIL];
            t[TOKEN_TAIL - 2..].copy_from_slice(b"ab");
            t
        });
    }

    #[test]
    fn an_expired_token_is_refused_even_when_cached() {
        let keys = JwtKeys::new(&Secret::new("s".repeat(40)), -60).unwrap();
        let token = keys.issue_access(&officer()).unwrap();
        assert!(keys.access_caller(&token).is_none());
        VERIFIED.with(|v| assert!(!v.borrow().contains_key(&token_tail(&token))));
    }
}
