use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::model::DocumentRow;
use crate::http::json_row::{RowWriter, SortKept, SortRaw, WriteRow};
use crate::json_key;
use diesel::deserialize;
use diesel::pg::Pg;
use diesel::row::Row;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// Luật.
    Law,
    /// Nghị quyết.
    Resolution,
    /// Quyết định.
    Decision,
    /// Chỉ thị.
    Directive,
    /// Kế hoạch.
    Plan,
    /// Hướng dẫn.
    Guidance,
    /// Thông tư.
    Circular,
    /// Nghị định.
    Decree,
    /// Công văn and other instructions.
    Instruction,
    Other,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 10] = [
        Self::Law,
        Self::Resolution,
        Self::Decision,
        Self::Directive,
        Self::Plan,
        Self::Guidance,
        Self::Circular,
        Self::Decree,
        Self::Instruction,
        Self::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Law => "law",
            Self::Resolution => "resolution",
            Self::Decision => "decision",
            Self::Directive => "directive",
            Self::Plan => "plan",
            Self::Guidance => "guidance",
            Self::Circular => "circular",
            Self::Decree => "decree",
            Self::Instruction => "instruction",
            Self::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "6b1f5a2e-8d3c-5e7a-9f10-2b3c4d5e6f71", "kind": "decision", "number": "178/QĐ-TTg",
    "issuer": "Thủ tướng Chính phủ", "issued_on": "2016-01-28", "effective_on": "2016-01-28",
    "title": "Phê duyệt Đề án tăng cường sự tham gia bình đẳng của phụ nữ trong các vị trí lãnh đạo và quản lý",
    "url": null, "unit_id": null, "created_at": "2026-11-29T12:00:00Z", "updated_at": "2026-11-29T12:00:00Z", "version": 1
}))]
pub struct Document {
    pub id: Uuid,
    pub kind: DocumentKind,
    /// The official number, e.g. `73/2006/QH11` or `178/QĐ-TTg`.
    pub number: String,
    pub issuer: String,
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub issued_on: NaiveDate,
    #[serde(serialize_with = "crate::http::json_body::opt_date")]
    pub effective_on: Option<NaiveDate>,
    pub title: String,
    pub url: Option<String>,
    /// The unit that issued a local document (its admins keep it); `null` for a national
    /// document (kept by province and national admins).
    pub unit_id: Option<Uuid>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<DocumentRow> for Document {
    fn from(r: DocumentRow) -> Self {
        Document {
            id: r.id,
            kind: DocumentKind::parse(&r.kind).unwrap_or(DocumentKind::Other),
            number: r.number,
            issuer: r.issuer,
            issued_on: r.issued_on,
            effective_on: r.effective_on,
            title: r.title,
            url: r.url,
            unit_id: r.unit_id,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// A document of a list page, written from its row (its `COLUMNS` by position) in the shape of
/// [`Document`].
pub struct DocumentItem;

impl WriteRow for DocumentItem {
    const COLUMNS: &'static str = "d.id, d.kind, d.number, d.issuer, d.issued_on, d.effective_on, d.title, d.url, d.unit_id, d.created_at, d.updated_at, d.version";
    /// The id, and the sorts' values: the issue date, where the number stands, the last change.
    type Kept = SortKept<Uuid, 3>;

    fn write<'a, R: Row<'a, Pg>>(w: &mut RowWriter<'_, 'a, R>) -> deserialize::Result<Self::Kept> {
        let id = w.uuid(json_key!("id"), 0)?;
        w.text_as(json_key!("kind"), 1, |k| {
            DocumentKind::parse(k).unwrap_or(DocumentKind::Other).as_str()
        })?;
        let number = w.text(json_key!("number"), 2)?;
        w.text(json_key!("issuer"), 3)?;
        let issued_on = w.date(json_key!("issued_on"), 4)?;
        w.date(json_key!("effective_on"), 5)?;
        w.text(json_key!("title"), 6)?;
        w.text(json_key!("url"), 7)?;
        w.uuid(json_key!("unit_id"), 8)?;
        w.timestamp(json_key!("created_at"), 9)?;
        let updated_at = w.timestamp(json_key!("updated_at"), 10)?;
        w.int8(json_key!("version"), 11)?;
        SortKept::new(
            id,
            &["issued_on", "number", "updated_at"],
            [
                issued_on.map(SortRaw::from),
                Some(number.into()),
                updated_at.map(SortRaw::from),
            ],
        )
    }
}

fn valid_url(url: &str) -> Result<(), validator::ValidationError> {
    if (url.starts_with("http://") || url.starts_with("https://"))
        && url.len() <= 500
        && !url.contains(char::is_whitespace)
    {
        Ok(())
    } else {
        let mut e = validator::ValidationError::new("url");
        e.message = Some("must be an http(s) URL of at most 500 characters".into());
        Err(e)
    }
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "id": "0193a7c0-0000-7000-8000-00000000d0c1",
    "kind": "plan", "number": "12/KH-UBND", "issuer": "Ủy ban nhân dân phường Hạ Long",
    "issued_on": "2021-02-05", "title": "Kế hoạch thực hiện công tác bình đẳng giới năm 2021 của phường Hạ Long",
    "unit_id": "a3e0c6ca-ae28-59cb-b57f-593e8d17e313"
}))]
pub struct NewDocument {
    /// Optional client-chosen id.
    pub id: Option<Uuid>,
    pub kind: DocumentKind,
    #[validate(length(min = 1, max = 64))]
    pub number: String,
    #[validate(length(min = 1, max = 200))]
    pub issuer: String,
    #[serde(deserialize_with = "crate::http::date::strict")]
    pub issued_on: NaiveDate,
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub effective_on: Option<NaiveDate>,
    #[validate(length(min = 1, max = 500))]
    pub title: String,
    #[validate(custom(function = "valid_url"))]
    pub url: Option<String>,
    /// The issuing unit of a local document (the caller must administer it); absent for a
    /// national document (province and national admins only).
    pub unit_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://vanban.chinhphu.vn/?pageid=27160&docid=182442"}))]
pub struct DocumentPatch {
    pub kind: Option<DocumentKind>,
    #[validate(length(min = 1, max = 64))]
    pub number: Option<String>,
    #[validate(length(min = 1, max = 200))]
    pub issuer: Option<String>,
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub issued_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::http::date::strict_double")]
    #[schema(value_type = Option<NaiveDate>)]
    pub effective_on: Option<Option<NaiveDate>>,
    #[validate(length(min = 1, max = 500))]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[validate(custom(function = "valid_url"))]
    #[schema(value_type = Option<String>)]
    pub url: Option<Option<String>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentFilters {
    pub kind: Option<DocumentKind>,
    /// The local documents of this unit only.
    pub unit_id: Option<Uuid>,
    /// Search in number, title and issuer, ignoring diacritics and case.
    #[param(example = "binh dang gioi")]
    pub q: Option<String>,
}
