//! The rows of `users` (with the unit's path, for scope).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::users;
use crate::http::list::Keyed;

#[derive(Debug, Clone, Queryable, QueryableByName)]
pub struct UserRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub username: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub display_name: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub unit_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub unit_path: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub role: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub case_role: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub active: bool,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub two_factor: bool,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub must_change_password: bool,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    pub updated_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub version: i64,
}

impl Keyed for UserRow {
    fn id(&self) -> String {
        self.id.to_string()
    }
    fn sort_value(&self, field: &str) -> String {
        match field {
            "updated_at" => crate::http::list::ts_key(&self.updated_at),
            _ => self.username.clone(),
        }
    }
}

/// 3 to 64 lower-case letters, digits, `.`, `_` or `-` (the database checks it too).
pub fn valid_username(u: &str) -> bool {
    (3..=64).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

/// A new account: its password hash is of the temporary password the response shows once.
pub struct NewUserRow {
    pub id: Uuid,
    pub username: String,
    pub display_name: Option<String>,
    pub unit_id: Uuid,
    pub role: String,
    pub case_role: Option<String>,
    pub password_hash: String,
    pub must_change_password: bool,
    /// Who creates it (named to the case supervisors when it gets a case role).
    pub created_by: (Uuid, String),
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub display_name: Option<Option<String>>,
    pub unit_id: Option<Uuid>,
    pub role: Option<String>,
    pub case_role: Option<Option<String>>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
    pub must_change_password: Option<bool>,
}
