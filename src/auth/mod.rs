//! Authentication (tokens, passwords, the [`Caller`] extractor) and authorization (scope checks).
//!
//! A token carries the caller's unit, the unit's materialized path and the role. A caller sees
//! its own unit and everything below it; scope checks are explicit calls at the top of each
//! handler (`caller.require_admin_over(&unit.path)?`), so a reader sees who may do what.

pub mod handlers;
pub mod password;
pub mod queries;
pub mod throttle;
pub mod tokens;

use std::future::{ready, Ready};

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};

/// What a caller may do; see the README's "Roles".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything in its subtree, including users and units.
    Admin,
    /// Reads its subtree; writes its own unit's records; approves plans of child units.
    Manager,
    /// Reads its subtree; writes its own unit's activity records (trainings, outreach).
    Officer,
    /// Reads its subtree; writes inspections, violations, complaints and denunciations.
    Inspector,
    /// Partner integrations: aggregates and public events of granted units only.
    Partner,
    /// Reads its subtree.
    Viewer,
}

impl Role {
    pub const USER_ROLES: [Role; 5] = [Role::Admin, Role::Manager, Role::Officer, Role::Inspector, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Officer => "officer",
            Role::Inspector => "inspector",
            Role::Partner => "partner",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [
            Role::Admin,
            Role::Manager,
            Role::Officer,
            Role::Inspector,
            Role::Partner,
            Role::Viewer,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// The authenticated caller of a request, taken from its Bearer token.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user_id: Uuid,
    pub username: String,
    pub unit_id: Uuid,
    /// Materialized path of the caller's unit (`/<root>/.../<unit>/`); a record is in scope
    /// when its unit's path starts with this.
    pub unit_path: String,
    pub role: Role,
}

impl Caller {
    /// True when a unit with this path is the caller's unit or one of its descendants.
    pub fn sees(&self, unit_path: &str) -> bool {
        unit_path.starts_with(&self.unit_path)
    }

    /// Read access to a record of the unit with this path; outside the scope it does not exist.
    pub fn require_visible(&self, unit_path: &str) -> ApiResult<()> {
        if self.sees(unit_path) {
            Ok(())
        } else {
            Err(ApiError::NotFound)
        }
    }

    /// Admin rights over the unit with this path (the caller's own unit or one below it).
    pub fn require_admin_over(&self, unit_path: &str) -> ApiResult<()> {
        if self.role == Role::Admin && self.sees(unit_path) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    /// The caller's role must be one of these.
    pub fn require_role(&self, roles: &[Role]) -> ApiResult<()> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }
}

fn bearer(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let result = (|| {
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
            let token = bearer(req).ok_or_else(ApiError::unauthorized)?;
            let claims = state.jwt.verify_access(token).map_err(|_| ApiError::unauthorized())?;
            claims.into_caller().ok_or_else(ApiError::unauthorized)
        })();
        ready(result)
    }
}
