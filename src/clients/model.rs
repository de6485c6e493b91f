//! The rows of `api_clients` (with their granted units).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::api_clients;

#[derive(Debug, Clone)]
pub struct ClientRow {
    pub id: Uuid,
    pub client_id: String,
    pub name: String,
    pub active: bool,
    pub rate_limit_per_minute: i32,
    pub owner_unit_id: Uuid,
    pub owner_unit_path: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    pub unit_ids: Vec<Uuid>,
}

pub struct NewClient {
    pub id: Uuid,
    pub client_id: String,
    pub name: String,
    pub secret_hash: String,
    pub rate_limit_per_minute: i32,
    pub owner_unit_id: Uuid,
    pub owner_unit_path: String,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = api_clients)]
pub struct ClientChanges {
    pub name: Option<String>,
    pub active: Option<bool>,
    pub rate_limit_per_minute: Option<i32>,
    pub secret_hash: Option<String>,
}

/// A new client with the units it is granted.
pub struct ClientDraft {
    pub client: NewClient,
    pub unit_ids: Vec<Uuid>,
}
