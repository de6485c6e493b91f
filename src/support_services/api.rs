//! What the directory answers and takes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::model::ServiceRow;
use crate::http::json_row::{RowWriter, SortKept, SortRaw, WriteRow};
use crate::json_key;
use diesel::deserialize;
use diesel::pg::Pg;
use diesel::row::Row;

/// What a service is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    Hotline,
    /// Nơi tạm lánh: its address is shown to signed-in users only.
    Shelter,
    /// Địa chỉ tin cậy (a trusted address in the community): its address is shown to signed-in
    /// users only.
    TrustedAddress,
    HealthFacility,
    LegalAid,
    Police,
    SocialAssistance,
    Counselling,
    Other,
}

impl ServiceKind {
    pub const ALL: [ServiceKind; 9] = [
        ServiceKind::Hotline,
        ServiceKind::Shelter,
        ServiceKind::TrustedAddress,
        ServiceKind::HealthFacility,
        ServiceKind::LegalAid,
        ServiceKind::Police,
        ServiceKind::SocialAssistance,
        ServiceKind::Counselling,
        ServiceKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ServiceKind::Hotline => "hotline",
            ServiceKind::Shelter => "shelter",
            ServiceKind::TrustedAddress => "trusted_address",
            ServiceKind::HealthFacility => "health_facility",
            ServiceKind::LegalAid => "legal_aid",
            ServiceKind::Police => "police",
            ServiceKind::SocialAssistance => "social_assistance",
            ServiceKind::Counselling => "counselling",
            ServiceKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Who may use a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Eligible {
    Women,
    Children,
    All,
}

impl Eligible {
    pub fn as_str(self) -> &'static str {
        match self {
            Eligible::Women => "women",
            Eligible::Children => "children",
            Eligible::All => "all",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "women" => Eligible::Women,
            "children" => Eligible::Children,
            _ => Eligible::All,
        }
    }
}

/// A service of the directory.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "2b8c7a51-3f1d-5c4e-9a0b-1c2d3e4f5a6b", "unit_id": "a3e0c6ca-ae28-59cb-b57f-593e8d17e313",
    "kind": "health_facility", "name": "Trạm Y tế phường Hạ Long (demo)",
    "address": "Phường Hạ Long, thành phố Nam Định (demo)", "location_withheld": false,
    "phone": "0228 000 0004", "phone_invented": true, "opening_hours": "7:00-17:00, thứ Hai đến thứ Sáu",
    "services": ["sơ cứu", "khám và điều trị"], "eligible": "all", "active": true,
    "created_at": "2026-11-29T12:00:00Z", "updated_at": "2026-11-29T12:00:00Z", "version": 1
}))]
pub struct SupportService {
    pub id: Uuid,
    /// The unit it serves (and whose managers keep it).
    pub unit_id: Uuid,
    pub kind: ServiceKind,
    pub name: String,
    /// `null` without a token for a shelter or a trusted address (see `location_withheld`).
    pub address: Option<String>,
    /// True when the address is withheld from this caller (a shelter's or a trusted address's,
    /// without a token): do no harm, a perpetrator can read a public page too.
    pub location_withheld: bool,
    pub phone: Option<String>,
    /// The number is made up (demo data): do not call it.
    pub phone_invented: bool,
    pub opening_hours: Option<String>,
    /// What it offers, in its own words.
    pub services: Vec<String>,
    pub eligible: Eligible,
    pub active: bool,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl SupportService {
    /// The service as a caller sees it: `signed_in` callers see every address.
    pub fn seen(r: ServiceRow, signed_in: bool) -> Self {
        let withheld = !signed_in && r.location_is_protected() && r.address.is_some();
        SupportService {
            id: r.id,
            unit_id: r.unit_id,
            kind: ServiceKind::parse(&r.kind).unwrap_or(ServiceKind::Other),
            name: r.name,
            address: if withheld { None } else { r.address },
            location_withheld: withheld,
            phone: r.phone,
            phone_invented: r.phone_invented,
            opening_hours: r.opening_hours,
            services: r.services,
            eligible: Eligible::parse(&r.eligible),
            active: r.active,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// The write path's form (audit trail, change feed, 412's `current`): for signed-in readers.
impl From<ServiceRow> for SupportService {
    fn from(r: ServiceRow) -> Self {
        SupportService::seen(r, true)
    }
}

/// A service of a list page, written from its row (its `COLUMNS` by position) in the shape of
/// [`SupportService`] as [`SupportService::seen`] makes it: `SIGNED_IN` callers see every
/// address.
pub struct ServiceItem<const SIGNED_IN: bool>;

impl<const SIGNED_IN: bool> WriteRow for ServiceItem<SIGNED_IN> {
    const COLUMNS: &'static str = "s.id, s.unit_id, s.kind, s.name, s.address, s.phone, s.phone_invented, s.opening_hours, s.services, s.eligible, s.active, s.created_at, s.updated_at, s.version";
    /// The id, and the sorts' values: where the name stands, the last change.
    type Kept = SortKept<Uuid, 2>;

    fn write<'a, R: Row<'a, Pg>>(w: &mut RowWriter<'_, 'a, R>) -> deserialize::Result<Self::Kept> {
        let id = w.uuid(json_key!("id"), 0)?;
        w.uuid(json_key!("unit_id"), 1)?;
        let protected = w.peek(2, |k| matches!(k, Some(b"shelter" | b"trusted_address")))?;
        w.text_as(json_key!("kind"), 2, |k| {
            ServiceKind::parse(k).unwrap_or(ServiceKind::Other).as_str()
        })?;
        let name = w.text(json_key!("name"), 3)?;
        let withheld = !SIGNED_IN && protected && w.peek(4, |a| a.is_some())?;
        if withheld {
            w.null(json_key!("address"));
        } else {
            w.text(json_key!("address"), 4)?;
        }
        w.raw_bool(json_key!("location_withheld"), withheld);
        w.text(json_key!("phone"), 5)?;
        w.bool(json_key!("phone_invented"), 6)?;
        w.text(json_key!("opening_hours"), 7)?;
        w.text_list(json_key!("services"), 8)?;
        w.text_as(json_key!("eligible"), 9, |e| Eligible::parse(e).as_str())?;
        w.bool(json_key!("active"), 10)?;
        w.timestamp(json_key!("created_at"), 11)?;
        let updated_at = w.timestamp(json_key!("updated_at"), 12)?;
        w.int8(json_key!("version"), 13)?;
        SortKept::new(
            id,
            &["name", "updated_at"],
            [Some(name.into()), updated_at.map(SortRaw::from)],
        )
    }
}

fn valid_services(list: &[String]) -> Result<(), validator::ValidationError> {
    if list.len() > 30 || list.iter().any(|s| s.trim().is_empty() || s.chars().count() > 200) {
        let mut e = validator::ValidationError::new("services");
        e.message = Some("at most 30 entries, each 1 to 200 characters".into());
        return Err(e);
    }
    Ok(())
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "id": "0193a7c0-0000-7000-8000-00000000f001", "unit_id": "a3e0c6ca-ae28-59cb-b57f-593e8d17e313",
    "kind": "counselling", "name": "Tư vấn tâm lý - Hội Phụ nữ phường Hạ Long (demo)",
    "phone": "0228 000 0009", "phone_invented": true, "opening_hours": "Thứ Bảy 8:00-11:00",
    "services": ["tư vấn tâm lý", "tư vấn pháp luật"], "eligible": "women"
}))]
pub struct NewService {
    /// Optional client-chosen id.
    pub id: Option<Uuid>,
    /// The unit it serves (the caller's own when absent); its managers and admins keep it.
    pub unit_id: Option<Uuid>,
    pub kind: ServiceKind,
    #[validate(length(min = 1, max = 300))]
    pub name: String,
    #[validate(length(min = 1, max = 500))]
    pub address: Option<String>,
    #[validate(length(min = 1, max = 50))]
    pub phone: Option<String>,
    #[serde(default)]
    pub phone_invented: bool,
    #[validate(length(min = 1, max = 200))]
    pub opening_hours: Option<String>,
    #[serde(default)]
    #[validate(custom(function = "valid_services"))]
    pub services: Vec<String>,
    pub eligible: Option<Eligible>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"opening_hours": "7:00-17:00, thứ Hai đến thứ Bảy"}))]
pub struct ServicePatch {
    pub kind: Option<ServiceKind>,
    #[validate(length(min = 1, max = 300))]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[validate(length(min = 1, max = 500))]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[validate(length(min = 1, max = 50))]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    pub phone_invented: Option<bool>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[validate(length(min = 1, max = 200))]
    #[schema(value_type = Option<String>)]
    pub opening_hours: Option<Option<String>>,
    #[validate(custom(function = "valid_services"))]
    pub services: Option<Vec<String>>,
    pub eligible: Option<Eligible>,
    /// `false` takes it off the public screen (signed-in users still see it, marked inactive).
    pub active: Option<bool>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceFilters {
    pub kind: Option<ServiceKind>,
    /// Services of this unit and the units below it.
    pub unit_id: Option<Uuid>,
    /// Part of the name, ignoring diacritics and case.
    #[param(example = "y te")]
    pub q: Option<String>,
}
