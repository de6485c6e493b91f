//! The rows of `support_services`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::support_services;

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = support_services, check_for_backend(diesel::pg::Pg))]
pub struct ServiceRow {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub kind: String,
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub phone_invented: bool,
    pub opening_hours: Option<String>,
    pub services: Vec<String>,
    pub eligible: String,
    pub active: bool,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub updated_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i64,
}

impl ServiceRow {
    /// A shelter's or a trusted address's location is for signed-in users only.
    pub fn location_is_protected(&self) -> bool {
        matches!(self.kind.as_str(), "shelter" | "trusted_address")
    }
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = support_services)]
pub struct ServiceChanges {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub address: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub phone_invented: Option<bool>,
    pub opening_hours: Option<Option<String>>,
    pub services: Option<Vec<String>>,
    pub eligible: Option<String>,
    pub active: Option<bool>,
}
