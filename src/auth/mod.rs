//! Authentication (tokens, passwords, throttles) and authorization (the [`Caller`] and its scope
//! checks). The HTTP side (reading a Bearer token into a `Caller`) is `http::caller`; the
//! `/auth` endpoints are the `sessions` resource.
//!
//! A token carries the caller's unit, the unit's materialized path and the role. A caller sees
//! its own unit and everything below it; scope checks are explicit calls at the top of each
//! handler (`caller.require_admin_over(&unit.path)?`), so a reader sees who may do what.

pub mod password;
pub mod queries;
pub mod revocation;
pub mod second_factor;
pub mod throttle;
pub mod tokens;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

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

/// A case role, beside the account's role: who handles survivors' cases of gender-based
/// violence (see the README's "Roles" and "Data protection"). Any account of a unit may hold one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseRole {
    /// Reads and works the cases it is assigned to.
    CaseWorker,
    /// Reads every case of its own unit; assigns case workers; approves case plans and closures;
    /// is shown every grant of a case role, every reset of a case user's password, every
    /// assignment and every break of the glass in its unit.
    CaseSupervisor,
}

impl CaseRole {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseRole::CaseWorker => "case_worker",
            CaseRole::CaseSupervisor => "case_supervisor",
        }
    }

    pub fn parse(s: &str) -> Option<CaseRole> {
        [CaseRole::CaseWorker, CaseRole::CaseSupervisor]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// Who is calling: a user (password login) or a partner API client (client credentials).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrincipalKind {
    User,
    Client,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::Client => "client",
        }
    }
}

/// The authenticated caller of a request, taken from its Bearer token.
#[derive(Clone, Debug)]
pub struct Caller {
    pub kind: PrincipalKind,
    /// The user's id, or the API client's id.
    pub id: Uuid,
    /// The username, or the client's `client_id`.
    pub name: String,
    /// The user's unit; for an API client, the unit of the admin who registered it.
    pub unit_id: Uuid,
    /// Materialized paths (`/<root>/.../<unit>/`) of the subtrees the caller may read: the
    /// user's unit, or the units granted to an API client. A record is in scope when its unit's
    /// path starts with one of them.
    pub scopes: Vec<String>,
    pub role: Role,
    /// The user's token epoch the token was issued at: a token older than the user's current
    /// epoch is revoked (see [`revocation`]). 0 for API clients.
    pub epoch: i64,
    /// Set when the token may only be used to finish signing in: change a temporary password,
    /// or enrol in two-factor sign-in where the role requires it.
    pub restriction: Option<Restriction>,
}

/// What a restricted token is for; every other operation answers 403 until it is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restriction {
    /// The password is temporary (set by an admin): change it at `POST /auth/password`.
    PasswordChange,
    /// The role requires two-factor sign-in: enrol at `/auth/two-factor`.
    TwoFactorEnrolment,
}

impl Restriction {
    pub fn as_str(self) -> &'static str {
        match self {
            Restriction::PasswordChange => "password_change",
            Restriction::TwoFactorEnrolment => "two_factor_enrolment",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Restriction::PasswordChange, Restriction::TwoFactorEnrolment]
            .into_iter()
            .find(|r| r.as_str() == s)
    }

    /// The operations (paths under `/api/v1`) a restricted token may still call.
    pub fn allows(self, path: &str) -> bool {
        let path = path.trim_start_matches("/api/v1");
        matches!(path, "/auth/me" | "/auth/logout")
            || match self {
                Restriction::PasswordChange => path == "/auth/password",
                Restriction::TwoFactorEnrolment => path.starts_with("/auth/two-factor"),
            }
    }

    pub fn refusal(self) -> ApiError {
        match self {
            Restriction::PasswordChange => ApiError::Forbidden(crate::error::Text::new(
                "Your password is temporary: change it first (POST /api/v1/auth/password)",
                "Mật khẩu của bạn là tạm thời: hãy đổi mật khẩu trước (POST /api/v1/auth/password)",
            )),
            Restriction::TwoFactorEnrolment => ApiError::Forbidden(crate::error::Text::new(
                "Your role requires two-factor sign-in: enrol first (POST /api/v1/auth/two-factor)",
                "Vai trò của bạn yêu cầu xác thực hai bước: hãy đăng ký trước (POST /api/v1/auth/two-factor)",
            )),
        }
    }
}

impl Caller {
    /// True when a unit with this path is inside one of the caller's subtrees.
    pub fn sees(&self, unit_path: &str) -> bool {
        self.scopes.iter().any(|s| unit_path.starts_with(s.as_str()))
    }

    /// True when the caller's subtree lies inside (or is) the unit with this path: what a unit
    /// above publishes for the units below it (published plans, campaigns) is "readable from
    /// below". The one place that rule is written.
    pub fn is_below(&self, unit_path: &str) -> bool {
        self.scopes.iter().any(|s| s.starts_with(unit_path))
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
        if self.role == Role::Admin && self.kind == PrincipalKind::User && self.sees(unit_path) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    /// A unit's managerial writes (plans, campaigns): the unit's manager, or an admin of a
    /// subtree that holds it.
    pub fn require_manager_of(&self, unit_id: Uuid, unit_path: &str) -> ApiResult<()> {
        self.require_any_of(unit_id, unit_path, &[Role::Manager])
    }

    /// Approving or returning a unit's plan: the parent unit's manager, or an admin of a unit above
    /// the plan's (never the plan's own unit).
    pub fn require_approver_of(&self, unit_id: Uuid, unit_path: &str, parent_id: Option<Uuid>) -> ApiResult<()> {
        let ok = self.kind == PrincipalKind::User
            && match self.role {
                Role::Manager => parent_id == Some(self.unit_id),
                Role::Admin => self.sees(unit_path) && self.unit_id != unit_id,
                _ => false,
            };
        if ok {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    /// A unit's activity records (trainings, outreach): its officers and managers, or an admin
    /// of a subtree that holds it.
    pub fn require_recorder_of(&self, unit_id: Uuid, unit_path: &str) -> ApiResult<()> {
        self.require_any_of(unit_id, unit_path, &[Role::Officer, Role::Manager])
    }

    /// A unit's oversight records (inspections, violations, complaints, denunciations): an
    /// inspector of its subtree, its manager, or an admin of a subtree that holds it.
    pub fn require_case_handler_of(&self, unit_id: Uuid, unit_path: &str) -> ApiResult<()> {
        // An inspector works anywhere in its own unit's subtree.
        if self.kind == PrincipalKind::User && self.role == Role::Inspector && self.sees(unit_path) {
            return Ok(());
        }
        self.require_any_of(unit_id, unit_path, &[Role::Manager])
    }

    /// People's identities in oversight cases: only the handling unit's own inspectors and
    /// admins.
    pub fn reads_identities_of(&self, unit_id: Uuid) -> bool {
        self.kind == PrincipalKind::User
            && self.unit_id == unit_id
            && matches!(self.role, Role::Inspector | Role::Admin)
    }

    /// A user of the unit itself with one of `roles`, or an admin above it.
    fn require_any_of(&self, unit_id: Uuid, unit_path: &str, roles: &[Role]) -> ApiResult<()> {
        let ok = self.kind == PrincipalKind::User
            && ((roles.contains(&self.role) && self.unit_id == unit_id)
                || (self.role == Role::Admin && self.sees(unit_path)));
        if ok {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    /// A partner client (reads aggregates and public events of its granted units only).
    pub fn is_partner(&self) -> bool {
        self.role == Role::Partner
    }

    /// Records of people and cases are not for partner clients (they read aggregates and public
    /// events only). The one partner check: every handler that refuses partners calls it.
    pub fn require_not_partner(&self) -> ApiResult<()> {
        if self.is_partner() {
            Err(ApiError::forbidden())
        } else {
            Ok(())
        }
    }

    /// A signed-in admin user (of any unit: what it may touch is its subtree).
    pub fn require_admin(&self) -> ApiResult<()> {
        if self.kind == PrincipalKind::User && self.role == Role::Admin {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    /// How deep the caller's own unit sits in the tree: 0 the country, 1 a province, 2 a city or
    /// district, 3 a ward or commune.
    pub fn unit_depth(&self) -> usize {
        self.scopes.first().map_or(usize::MAX, |p| {
            p.split('/').filter(|s| !s.is_empty()).count().saturating_sub(1)
        })
    }

    /// Reference data every unit in the country relies on (national legal documents, holidays,
    /// the violation catalogue): written by admins of a province or of the country only; a
    /// city's or a ward's admin reads it (403 on a write).
    pub fn require_reference_writer(&self) -> ApiResult<()> {
        self.require_admin()?;
        if self.unit_depth() <= 1 {
            Ok(())
        } else {
            Err(ApiError::Forbidden(crate::error::Text::new(
                "Reference data every unit relies on is kept by province or national admins",
                "Dữ liệu dùng chung cho mọi đơn vị do quản trị viên cấp tỉnh hoặc trung ương cập nhật",
            )))
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
