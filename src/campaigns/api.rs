//! What clients send and see of a campaign.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::model::{CampaignRow, Totals};
use crate::participation::Counts;

#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignTotals {
    /// Events of the campaign that the caller can see.
    pub events: i64,
    pub participants: Counts,
    pub audience_reached: i64,
}

impl From<Totals> for CampaignTotals {
    fn from(t: Totals) -> Self {
        let c = |v: i64| i32::try_from(v).unwrap_or(i32::MAX);
        CampaignTotals {
            events: t.events,
            participants: Counts::new(c(t.female), c(t.male), c(t.other_sex)),
            audience_reached: t.audience_reached,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "6b1f5a2e-8d3c-5e7a-9f10-2b3c4d5e6f92", "unit_id": "63d3f3d4-c46d-57e3-90b9-de42b6716496",
    "name": "Tháng hành động vì bình đẳng giới năm 2020", "description": null,
    "starts_on": "2020-11-15", "ends_on": "2020-12-15",
    "totals": {"events": 12, "participants": {"female": 900, "male": 400, "other": 0, "total": 1300}, "audience_reached": 15000},
    "created_at": "2026-11-29T12:00:00Z", "updated_at": "2026-11-29T12:00:00Z", "version": 1
}))]
pub struct Campaign {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub starts_on: NaiveDate,
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub ends_on: NaiveDate,
    /// On `GET` of one campaign: totals over its events the caller can see.
    pub totals: Option<CampaignTotals>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<CampaignRow> for Campaign {
    fn from(r: CampaignRow) -> Self {
        Campaign {
            id: r.id,
            unit_id: r.unit_id,
            name: r.name,
            description: r.description,
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            totals: None,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Tháng hành động vì bình đẳng giới năm 2020", "starts_on": "2020-11-15", "ends_on": "2020-12-15"}))]
pub struct NewCampaign {
    pub id: Option<Uuid>,
    /// Defaults to the caller's unit.
    pub unit_id: Option<Uuid>,
    #[validate(length(min = 1, max = 300))]
    pub name: String,
    #[validate(length(max = 5000))]
    pub description: Option<String>,
    #[serde(deserialize_with = "crate::http::date::strict")]
    pub starts_on: NaiveDate,
    #[serde(deserialize_with = "crate::http::date::strict")]
    pub ends_on: NaiveDate,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ends_on": "2020-12-20"}))]
pub struct CampaignPatch {
    #[validate(length(min = 1, max = 300))]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[validate(length(max = 5000))]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub starts_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub ends_on: Option<NaiveDate>,
}
