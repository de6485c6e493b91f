//! The rows of `campaigns`, and the totals of a campaign's events.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use uuid::Uuid;

use crate::db::schema::campaigns;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = campaigns, check_for_backend(diesel::pg::Pg))]
pub struct CampaignRow {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub name: String,
    pub description: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    #[diesel(skip_insertion)]
    pub created_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub updated_at: DateTime<Utc>,
    #[diesel(skip_insertion)]
    pub version: i64,
}

/// Events, participants by sex and reach of a campaign's events that the caller can see.
#[derive(Debug, QueryableByName)]
pub struct Totals {
    #[diesel(sql_type = BigInt)]
    pub events: i64,
    #[diesel(sql_type = BigInt)]
    pub female: i64,
    #[diesel(sql_type = BigInt)]
    pub male: i64,
    #[diesel(sql_type = BigInt)]
    pub other_sex: i64,
    #[diesel(sql_type = BigInt)]
    pub audience_reached: i64,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = campaigns)]
pub struct CampaignChanges {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
}
