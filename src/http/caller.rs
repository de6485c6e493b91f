//! The [`Caller`] extractor: the request's Bearer token, verified, with a partner client's live
//! grants and rate limit, or a user's token checked against the revocations.

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::auth::queries::Grants;
use crate::auth::{Caller, PrincipalKind};
use crate::error::ApiError;
use crate::state::AppState;

fn bearer(req: &HttpRequest) -> Option<&str> {
    // As UTF-8 (checked a word at a time), not `to_str`'s byte-by-byte visible-ASCII walk: a
    // token with anything else in it fails its signature check all the same.
    let value = std::str::from_utf8(req.headers().get(header::AUTHORIZATION)?.as_bytes()).ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req).map(str::to_string);
        let path = req.path().to_string();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
            let token = token.ok_or_else(ApiError::unauthorized)?;
            let mut caller = state.jwt.access_caller(&token).ok_or_else(ApiError::unauthorized)?;
            if caller.kind == PrincipalKind::User {
                // Revoked (deactivated, new role, unit or password, signed out everywhere)?
                let current = match state.revocations.known_epoch(caller.id) {
                    Some(epoch) => epoch,
                    // The set is not known to be current: ask the database (fail closed).
                    None => {
                        let mut conn = state.pool.get().await?;
                        match crate::auth::revocation::epoch_of(&mut conn, caller.id).await? {
                            Some((epoch, true)) => epoch,
                            _ => return Err(ApiError::AccessRevoked),
                        }
                    }
                };
                if caller.epoch < current {
                    return Err(ApiError::AccessRevoked);
                }
                if let Some(r) = caller.restriction.filter(|r| !r.allows(&path)) {
                    return Err(r.refusal());
                }
            }
            if caller.kind == PrincipalKind::Client {
                // Partner tokens are checked against the database on every request, so a
                // disabled client stops at once and grant changes apply immediately; the same
                // statement counts the request against the client's per-minute limit.
                let mut conn = state.pool.get().await?;
                let scopes = match crate::auth::queries::live_grants(&mut conn, caller.id).await? {
                    Some(Grants::Live(scopes)) => scopes,
                    Some(Grants::Limited(wait)) => return Err(ApiError::TooManyRequests { retry_after: wait }),
                    None => return Err(ApiError::unauthorized()),
                };
                caller.scopes = scopes;
            }
            Ok(caller)
        })
    }
}

/// For the one public resource (the support-services directory): the caller when the request
/// carries an `Authorization` header (checked as for any operation: 401 when it is not a live
/// token), `None` without one.
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if req.headers().get(header::AUTHORIZATION).is_none() {
            return Box::pin(async { Ok(MaybeCaller(None)) });
        }
        let caller = Caller::from_request(req, payload);
        Box::pin(async move { caller.await.map(|c| MaybeCaller(Some(c))) })
    }
}
