//! The rows of `outreach_events`.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::outreach_events;
use crate::http::list::Keyed;
use crate::records::ActivityKey;

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = outreach_events, check_for_backend(diesel::pg::Pg))]
pub struct EventRow {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub activity_id: Option<Uuid>,
    pub campaign_id: Option<Uuid>,
    pub kind: String,
    pub title: String,
    pub topics: Vec<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub location: Option<String>,
    pub channel: Option<String>,
    pub audience_reached: Option<i32>,
    pub female: i32,
    pub male: i32,
    pub other_sex: i32,
    pub has_participant_list: bool,
    pub is_public: bool,
    #[diesel(skip_insertion)]
    pub in_action_month: Option<bool>,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub updated_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i64,
}

impl Keyed for EventRow {
    fn id(&self) -> String {
        self.id.to_string()
    }
    fn sort_value(&self, field: &str) -> String {
        ActivityKey::of(self.id, &self.title, self.starts_on, self.updated_at).sort_value(field)
    }
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = outreach_events)]
pub struct EventChanges {
    pub activity_id: Option<Option<Uuid>>,
    pub campaign_id: Option<Option<Uuid>>,
    pub kind: Option<String>,
    pub title: Option<String>,
    pub topics: Option<Vec<String>>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub location: Option<Option<String>>,
    pub channel: Option<Option<String>>,
    pub audience_reached: Option<Option<i32>>,
    pub is_public: Option<bool>,
    pub female: Option<i32>,
    pub male: Option<i32>,
    pub other_sex: Option<i32>,
    pub has_participant_list: Option<bool>,
}
