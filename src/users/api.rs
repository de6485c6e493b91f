//! What admins send and get when they manage accounts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::model::UserRow;
use crate::auth::{CaseRole, Role};

/// A user account (never its password or second-factor secret).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "fef4ba63-5810-5be6-860c-23e0960eb74a", "username": "viewer", "display_name": "Demo viewer",
    "unit_id": "63d3f3d4-c46d-57e3-90b9-de42b6716496", "role": "viewer", "case_role": null, "active": true,
    "two_factor": false, "must_change_password": false,
    "created_at": "2026-11-29T12:00:00Z", "updated_at": "2026-11-29T12:00:00Z", "version": 1
}))]
pub struct User {
    pub id: Uuid,
    /// Unique; 3 to 64 lower-case letters, digits, `.`, `_` or `-`.
    pub username: String,
    pub display_name: Option<String>,
    /// The unit the user belongs to; it sees that unit's subtree.
    pub unit_id: Uuid,
    pub role: Role,
    /// A case role (survivors' cases of gender-based violence), if any.
    pub case_role: Option<CaseRole>,
    /// An inactive user cannot sign in, and its tokens stop working within seconds.
    pub active: bool,
    /// Two-factor sign-in (TOTP) is on.
    pub two_factor: bool,
    /// The password is temporary (new account or reset): the user must change it at sign-in.
    pub must_change_password: bool,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            unit_id: r.unit_id,
            role: Role::parse(&r.role).unwrap_or(Role::Viewer),
            case_role: r.case_role.as_deref().and_then(CaseRole::parse),
            active: r.active,
            two_factor: r.two_factor,
            must_change_password: r.must_change_password,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// A user with a temporary password: returned once, when the account is created or its password
/// reset. Hand it to the user over a trusted channel; it must be changed at the first sign-in.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserWithPassword {
    #[serde(flatten)]
    pub user: User,
    /// Shown only in this response (stored only as an Argon2id hash; an idempotent replay of
    /// the creation returns `null` here: reset the password if it was lost).
    #[schema(example = "tam-7Qx2-Lm9v-Rk4p")]
    pub temporary_password: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "username": "lan.tran", "display_name": "Trần Thị Lan",
    "unit_id": "a3e0c6ca-ae28-59cb-b57f-593e8d17e313", "role": "officer"
}))]
pub struct NewUser {
    /// A client-chosen id (UUID) makes an offline create safe to send again.
    pub id: Option<Uuid>,
    #[validate(length(min = 3, max = 64), custom(function = "valid_username"))]
    pub username: String,
    #[validate(length(min = 1, max = 200))]
    pub display_name: Option<String>,
    /// A unit in the admin's subtree.
    pub unit_id: Uuid,
    /// `admin`, `manager`, `officer`, `inspector` or `viewer` (partners are API clients).
    pub role: Role,
    /// `case_worker` or `case_supervisor`: handles survivors' cases (shown to the unit's case
    /// supervisors; the two-factor policy applies).
    pub case_role: Option<CaseRole>,
}

fn valid_username(u: &str) -> Result<(), validator::ValidationError> {
    if super::model::valid_username(u) {
        Ok(())
    } else {
        let mut e = validator::ValidationError::new("username");
        e.message = Some("lower-case letters, digits, '.', '_' or '-' only".into());
        Err(e)
    }
}

/// What an admin may change; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "Demo viewer (Culture and Information Division)"}))]
pub struct UserPatch {
    #[validate(length(min = 1, max = 200))]
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<String>)]
    pub display_name: Option<Option<String>>,
    /// A unit in the admin's subtree; its tokens stop working (it signs in again).
    pub unit_id: Option<Uuid>,
    pub role: Option<Role>,
    /// A case role, or `null` to take it away (shown to the unit's case supervisors; the
    /// user's tokens stop working: it signs in again, with two factors where the policy says).
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<CaseRole>)]
    pub case_role: Option<Option<CaseRole>>,
    /// `false` switches the account off: no sign-in, and its tokens stop within seconds.
    pub active: Option<bool>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilters {
    /// Users of this unit only (a unit in the caller's subtree).
    pub unit_id: Option<Uuid>,
    pub role: Option<Role>,
    pub case_role: Option<CaseRole>,
    pub active: Option<bool>,
    /// Part of the username or display name (accents and case ignored).
    pub q: Option<String>,
}

/// A signed-in user changes its own password.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "binhdang-demo", "new_password": "ward seven field notes"}))]
pub struct PasswordChange {
    #[validate(length(min = 1, max = 256))]
    pub current_password: String,
    /// At least 8 characters, not a common password, not built from the username.
    #[validate(length(min = 1, max = 256))]
    pub new_password: String,
}
