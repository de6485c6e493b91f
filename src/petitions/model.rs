//! The rows of `petitions` (complaints and denunciations).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::petitions;
use crate::http::list::{ts_key, Keyed};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = petitions, check_for_backend(diesel::pg::Pg))]
pub struct PetitionRow {
    pub id: Uuid,
    pub kind: String,
    pub handling_unit_id: Uuid,
    pub unit_path: String,
    pub received_on: NaiveDate,
    pub channel: String,
    pub subject: String,
    pub summary: Option<String>,
    pub instance: i16,
    pub complex: bool,
    pub complexity: String,
    pub remote: bool,
    pub verification_elsewhere: bool,
    pub extension_count: i16,
    pub status: String,
    pub accepted_on: Option<NaiveDate>,
    pub decision: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub acceptance_due_on: NaiveDate,
    pub resolution_due_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub updated_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i64,
}

impl Keyed for PetitionRow {
    fn id(&self) -> String {
        self.id.to_string()
    }
    fn sort_value(&self, field: &str) -> String {
        match field {
            "updated_at" => ts_key(&self.updated_at),
            _ => self.received_on.to_string(),
        }
    }
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = petitions)]
pub struct PetitionChanges {
    pub subject: Option<String>,
    pub summary: Option<Option<String>>,
    pub channel: Option<String>,
    pub instance: Option<i16>,
    pub complex: Option<bool>,
    pub complexity: Option<String>,
    pub remote: Option<bool>,
    pub verification_elsewhere: Option<bool>,
    pub extension_count: Option<i16>,
    pub status: Option<String>,
    pub accepted_on: Option<Option<NaiveDate>>,
    pub decision: Option<Option<String>>,
    pub decided_on: Option<Option<NaiveDate>>,
    pub acceptance_due_on: Option<NaiveDate>,
    pub resolution_due_on: Option<Option<NaiveDate>>,
    pub due_on: Option<Option<NaiveDate>>,
}
