//! What clients send and receive for units, with validation and OpenAPI schemas.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::model::{FiguresRow, LeaderRow, UnitRow};
use crate::http::json_row::{RowWriter, SortKept, SortRaw, WriteRow};
use crate::json_key;
use crate::participation::Sex;
use diesel::deserialize;
use diesel::pg::Pg;
use diesel::row::Row;

/// The kind of a unit. Before 1 July 2025: province → district level (`district`, `town`,
/// `city`) → commune level (`ward`, `commune`, `township`); since then province → commune level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Country,
    Province,
    /// A provincial city (thành phố thuộc tỉnh), e.g. Nam Định city.
    City,
    /// An urban or rural district (quận, huyện).
    District,
    /// A district-level town (thị xã).
    Town,
    /// Phường.
    Ward,
    /// Xã.
    Commune,
    /// Thị trấn.
    Township,
    /// A department or division of a People's Committee (phòng, ban).
    Department,
    /// A committee, e.g. the Committee for the Advancement of Women (Ban Vì sự tiến bộ của phụ nữ).
    Committee,
    /// Any other body (a mass organisation, a social-assistance facility).
    Organization,
}

impl UnitKind {
    pub const ALL: [UnitKind; 11] = [
        UnitKind::Country,
        UnitKind::Province,
        UnitKind::City,
        UnitKind::District,
        UnitKind::Town,
        UnitKind::Ward,
        UnitKind::Commune,
        UnitKind::Township,
        UnitKind::Department,
        UnitKind::Committee,
        UnitKind::Organization,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Country => "country",
            UnitKind::Province => "province",
            UnitKind::City => "city",
            UnitKind::District => "district",
            UnitKind::Town => "town",
            UnitKind::Ward => "ward",
            UnitKind::Commune => "commune",
            UnitKind::Township => "township",
            UnitKind::Department => "department",
            UnitKind::Committee => "committee",
            UnitKind::Organization => "organization",
        }
    }

    pub fn parse(s: &str) -> Option<UnitKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A unit.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e81",
    "parent_id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e80",
    "kind": "ward",
    "code": "13633",
    "name": "Phường Hạ Long",
    "depth": 1,
    "valid_from": "2020-01-01",
    "valid_to": "2025-06-30",
    "created_at": "2026-11-29T12:00:00Z",
    "updated_at": "2026-11-29T12:00:00Z",
    "version": 1
}))]
pub struct Unit {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub kind: UnitKind,
    /// The official administrative code, reused across eras (so never a key on its own).
    pub code: Option<String>,
    pub name: String,
    /// Depth in the unit tree (0 for a root).
    pub depth: i32,
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub valid_from: NaiveDate,
    /// Last day the unit existed; `null` while it still does.
    #[serde(serialize_with = "crate::http::json_body::opt_date")]
    pub valid_to: Option<NaiveDate>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub updated_at: DateTime<Utc>,
    /// Grows on every change; the `ETag` of the record.
    pub version: i64,
}

impl From<UnitRow> for Unit {
    fn from(r: UnitRow) -> Self {
        Unit {
            id: r.id,
            parent_id: r.parent_id,
            kind: UnitKind::parse(&r.kind).unwrap_or(UnitKind::Organization),
            code: r.code,
            name: r.name,
            depth: r.depth,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// A unit of a list page, written from its row (its `COLUMNS` by position) in the shape of
/// [`Unit`].
pub struct UnitItem;

impl WriteRow for UnitItem {
    const COLUMNS: &'static str =
        "u.id, u.parent_id, u.depth, u.kind, u.code, u.name, u.valid_from, u.valid_to, u.created_at, u.updated_at, u.version";
    /// The id, and the sorts' values: where the name stands, the start and the two stamps.
    type Kept = SortKept<Uuid, 4>;

    fn write<'a, R: Row<'a, Pg>>(w: &mut RowWriter<'_, 'a, R>) -> deserialize::Result<Self::Kept> {
        let id = w.uuid(json_key!("id"), 0)?;
        w.uuid(json_key!("parent_id"), 1)?;
        w.text_as(json_key!("kind"), 3, |k| {
            UnitKind::parse(k).unwrap_or(UnitKind::Organization).as_str()
        })?;
        w.text(json_key!("code"), 4)?;
        let name = w.text(json_key!("name"), 5)?;
        w.int4(json_key!("depth"), 2)?;
        let valid_from = w.date(json_key!("valid_from"), 6)?;
        w.date(json_key!("valid_to"), 7)?;
        let created_at = w.timestamp(json_key!("created_at"), 8)?;
        let updated_at = w.timestamp(json_key!("updated_at"), 9)?;
        w.int8(json_key!("version"), 10)?;
        SortKept::new(
            id,
            &["name", "valid_from", "created_at", "updated_at"],
            [
                Some(name.into()),
                valid_from.map(SortRaw::from),
                created_at.map(SortRaw::from),
                updated_at.map(SortRaw::from),
            ],
        )
    }
}

/// A short reference to a unit.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitSummary {
    pub id: Uuid,
    pub kind: UnitKind,
    #[schema(example = "13633")]
    pub code: Option<String>,
    #[schema(example = "Phường Hạ Long")]
    pub name: String,
}

impl From<UnitRow> for UnitSummary {
    fn from(r: UnitRow) -> Self {
        UnitSummary {
            id: r.id,
            kind: UnitKind::parse(&r.kind).unwrap_or(UnitKind::Organization),
            code: r.code,
            name: r.name,
        }
    }
}

fn valid_code(code: &str) -> Result<(), validator::ValidationError> {
    if !code.is_empty()
        && code.len() <= 32
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        Ok(())
    } else {
        let mut e = validator::ValidationError::new("format");
        e.message = Some("must be 1 to 32 letters, digits, '.', '_' or '-'".into());
        Err(e)
    }
}

/// A new unit, created under an existing one.
#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "id": "0193a7c0-0000-7000-8000-00000000c001",
    "parent_id": "a3e0c6ca-ae28-59cb-b57f-593e8d17e313",
    "kind": "organization",
    "name": "Chi hội Phụ nữ tổ dân phố 3",
    "valid_from": "2020-01-01"
}))]
pub struct NewUnit {
    /// Optional client-chosen id (records created offline keep their id).
    pub id: Option<Uuid>,
    pub parent_id: Uuid,
    pub kind: UnitKind,
    #[validate(custom(function = "valid_code"))]
    pub code: Option<String>,
    #[validate(length(min = 1, max = 200))]
    pub name: String,
    /// Defaults to today.
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub valid_from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub valid_to: Option<NaiveDate>,
}

/// Changes to a unit; absent fields stay as they are, `null` clears an optional field.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Phường Hạ Long", "valid_to": "2025-06-30"}))]
pub struct UnitPatch {
    pub kind: Option<UnitKind>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[validate(custom(function = "valid_code"))]
    #[schema(value_type = Option<String>)]
    pub code: Option<Option<String>>,
    #[validate(length(min = 1, max = 200))]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub valid_from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::http::date::strict_double")]
    #[schema(value_type = Option<NaiveDate>)]
    pub valid_to: Option<Option<NaiveDate>>,
}

/// Filters of the unit list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitFilters {
    /// Only the children of this unit (its whole subtree with `include_descendants=true`).
    pub parent_id: Option<Uuid>,
    /// With `parent_id`: every descendant, not only the direct children.
    #[serde(default)]
    pub include_descendants: bool,
    pub kind: Option<UnitKind>,
    /// Official code, exact (e.g. `13633`).
    pub code: Option<String>,
    /// Units that existed on this date.
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub valid_on: Option<NaiveDate>,
    /// Text search in the name, ignoring diacritics and case ("ha long" finds "Hạ Long").
    pub q: Option<String>,
}

/// A unit and its descendants.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitNode {
    pub id: Uuid,
    pub kind: UnitKind,
    pub code: Option<String>,
    pub name: String,
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub valid_from: NaiveDate,
    #[serde(serialize_with = "crate::http::json_body::opt_date")]
    pub valid_to: Option<NaiveDate>,
    #[schema(no_recursion)]
    pub children: Vec<UnitNode>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TreeQuery {
    /// Only units that existed on this date.
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub valid_on: Option<NaiveDate>,
}

/// A lineage link as the change feed carries it (`type` = `unit_lineage`).
#[derive(Debug, Serialize, ToSchema)]
pub struct LineageRecord {
    /// Derived from the two units (UUID v5), so the same link always has the same id.
    pub id: Uuid,
    pub predecessor_id: Uuid,
    pub successor_id: Uuid,
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub effective_on: NaiveDate,
    pub note: Option<String>,
}

impl From<&super::model::LineageRow> for LineageRecord {
    fn from(link: &super::model::LineageRow) -> Self {
        Self {
            id: link.id(),
            predecessor_id: link.predecessor_id,
            successor_id: link.successor_id,
            effective_on: link.effective_on,
            note: link.note.clone(),
        }
    }
}

/// A lineage link as seen from one unit.
#[derive(Debug, Serialize, ToSchema)]
pub struct LineageLink {
    pub unit: UnitSummary,
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub effective_on: NaiveDate,
    pub note: Option<String>,
}

/// Where a unit came from and what it became (only units in the caller's scope are listed).
#[derive(Debug, Serialize, ToSchema)]
pub struct Lineage {
    pub predecessors: Vec<LineageLink>,
    pub successors: Vec<LineageLink>,
}

/// Records that `predecessor_id` merged or split into this unit on `effective_on`.
#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "predecessor_id": "82351e3b-b898-505c-bdfb-04e299887761",
    "effective_on": "2025-03-01",
    "note": "State management of gender equality passed to the Division of Home Affairs"
}))]
pub struct NewLineage {
    pub predecessor_id: Uuid,
    #[serde(deserialize_with = "crate::http::date::strict")]
    pub effective_on: NaiveDate,
    #[validate(length(max = 1000))]
    pub note: Option<String>,
}

/// Unit kinds that are local governments (have a People's Committee and Council).
pub const LOCAL_GOVERNMENTS: [&str; 7] = ["province", "city", "district", "town", "ward", "commune", "township"];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GoverningBody {
    /// Ủy ban nhân dân.
    PeopleCommittee,
    /// Hội đồng nhân dân.
    PeopleCouncil,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    Chair,
    ViceChair,
}

pub fn parse<T: for<'de> Deserialize<'de>>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.into())).ok()
}

pub fn text<T: Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A key position of a local government and its holder's term.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190a0b2-7c1e-7a55-9c1e-4b7e1f0a9d10", "unit_id": "6f1c2a7e-3f51-5b0c-9d3e-2a4b5c6d7e8f",
    "body": "people_committee", "position": "vice_chair", "holder_sex": "female",
    "started_on": "2021-07-01", "ended_on": null,
    "created_at": "2026-11-29T08:00:00Z", "updated_at": "2026-11-29T08:00:00Z", "version": 1
}))]
pub struct Leader {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub body: GoverningBody,
    pub position: Position,
    pub holder_sex: Sex,
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub started_on: NaiveDate,
    /// The term's last day; null while in office.
    #[serde(serialize_with = "crate::http::json_body::opt_date")]
    pub ended_on: Option<NaiveDate>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<LeaderRow> for Leader {
    fn from(r: LeaderRow) -> Self {
        Leader {
            id: r.id,
            unit_id: r.unit_id,
            body: parse(&r.body).unwrap_or(GoverningBody::PeopleCommittee),
            position: parse(&r.position).unwrap_or(Position::ViceChair),
            holder_sex: parse(&r.holder_sex).unwrap_or(Sex::Other),
            started_on: r.started_on,
            ended_on: r.ended_on,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"body": "people_committee", "position": "vice_chair", "holder_sex": "female", "started_on": "2021-07-01"}))]
pub struct NewLeader {
    /// A client-chosen id (UUID), for offline creation; generated when absent.
    pub id: Option<Uuid>,
    pub body: GoverningBody,
    pub position: Position,
    pub holder_sex: Sex,
    #[serde(deserialize_with = "crate::http::date::strict")]
    pub started_on: NaiveDate,
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub ended_on: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ended_on": "2026-06-30"}))]
pub struct LeaderPatch {
    pub holder_sex: Option<Sex>,
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub started_on: Option<NaiveDate>,
    /// The term's last day; `null` to reopen it.
    #[serde(default, deserialize_with = "crate::http::date::strict_double")]
    #[schema(value_type = Option<NaiveDate>)]
    pub ended_on: Option<Option<NaiveDate>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeaderQuery {
    /// Only the holders in office on this day.
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub on: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct LeaderPath {
    /// Unit id.
    pub id: Uuid,
    /// Leader record id.
    pub leader_id: Uuid,
}

/// A unit's figures for a year.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "unit_id": "6f1c2a7e-3f51-5b0c-9d3e-2a4b5c6d7e8f", "year": 2024, "ge_officials": 12,
    "gbv_victims_detected": 9, "gbv_victims_supported": 8,
    "created_at": "2026-11-29T08:00:00Z", "updated_at": "2026-11-29T08:00:00Z", "version": 1
}))]
pub struct Figures {
    pub unit_id: Uuid,
    pub year: i32,
    /// Officials and collaborators doing gender-equality work.
    pub ge_officials: Option<i32>,
    /// Victims of gender-based violence detected in the year.
    pub gbv_victims_detected: Option<i32>,
    /// Of those, victims who received at least one basic support service.
    pub gbv_victims_supported: Option<i32>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<FiguresRow> for Figures {
    fn from(r: FiguresRow) -> Self {
        Figures {
            unit_id: r.unit_id,
            year: r.year,
            ge_officials: r.ge_officials,
            gbv_victims_detected: r.gbv_victims_detected,
            gbv_victims_supported: r.gbv_victims_supported,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// The whole year's figures (a `PUT` replaces them all; a missing field is unknown).
#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ge_officials": 12, "gbv_victims_detected": 9, "gbv_victims_supported": 8}))]
pub struct FiguresInput {
    #[validate(range(min = 0, max = 1000000))]
    pub ge_officials: Option<i32>,
    #[validate(range(min = 0, max = 1000000))]
    pub gbv_victims_detected: Option<i32>,
    #[validate(range(min = 0, max = 1000000))]
    pub gbv_victims_supported: Option<i32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct FiguresPath {
    /// Unit id.
    pub id: Uuid,
    /// The year the figures are for.
    pub year: i32,
}
