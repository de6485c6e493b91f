//! What each importable resource's sheet holds: its columns (the template's, in Vietnamese and
//! English, and the titles of the list's own export, so an exported file imports back), and how
//! a row becomes the JSON body the API's own create or update takes.

use chrono::NaiveDate;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::api::{ImportResource, RowError};
use super::sheet::Cell;
use crate::error::{Lang, Text};
use crate::http::export::Column;

/// How a column's cells are read.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// The record's id: the row updates that record.
    Id,
    /// The version the row was exported at (required with an id).
    Version,
    /// The unit: its id, or its official code as valid on the row's start date.
    Unit,
    /// An export's unit id column.
    UnitId,
    /// An export's official code column.
    UnitCode,
    Text,
    Date,
    Count,
    Uuid,
    Bool,
    /// Codes (or their labels), separated by `;` or `,`.
    Codes(fn() -> Vec<&'static str>),
    /// One code (or its label).
    Code(fn() -> Vec<&'static str>),
    /// Read by nobody (an export's derived column: totals, times, the unit's name).
    Ignore,
}

/// A column of an import sheet.
#[derive(Clone, Copy, Debug)]
pub struct Col {
    /// The API field it fills.
    pub key: &'static str,
    pub vi: &'static str,
    pub en: &'static str,
    pub kind: Kind,
    /// The template's example cell (a code's example is its label).
    pub example: &'static str,
}

const fn col(key: &'static str, vi: &'static str, en: &'static str, kind: Kind, example: &'static str) -> Col {
    Col {
        key,
        vi,
        en,
        kind,
        example,
    }
}

fn topics() -> Vec<&'static str> {
    crate::records::Topic::ALL.iter().map(|t| t.as_str()).collect()
}
fn audiences() -> Vec<&'static str> {
    crate::trainings::api::Audience::ALL
        .iter()
        .map(|a| a.as_str())
        .collect()
}
fn kinds() -> Vec<&'static str> {
    crate::outreach::api::EventKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect()
}
pub fn sexes() -> Vec<&'static str> {
    vec!["female", "male", "other"]
}

const UNIT: Col = col("unit", "Đơn vị (mã hoặc id)", "Unit (code or id)", Kind::Unit, "13633");

/// The template's columns of a resource, in order.
pub fn template(resource: ImportResource) -> &'static [Col] {
    const TRAININGS: &[Col] = &[
        UNIT,
        col(
            "title",
            "Tên lớp",
            "Title",
            Kind::Text,
            "Tập huấn kỹ năng phòng, chống bạo lực gia đình",
        ),
        col("starts_on", "Ngày bắt đầu", "Starts on", Kind::Date, "2025-03-06"),
        col("ends_on", "Ngày kết thúc", "Ends on", Kind::Date, "2025-03-07"),
        col("topics", "Chủ đề", "Topics", Kind::Codes(topics), "domestic_violence"),
        col(
            "audiences",
            "Đối tượng",
            "Audiences",
            Kind::Codes(audiences),
            "collaborators",
        ),
        col("location", "Địa điểm", "Location", Kind::Text, "Hội trường UBND phường"),
        col(
            "organiser",
            "Đơn vị tổ chức",
            "Organiser",
            Kind::Text,
            "Hội Liên hiệp Phụ nữ phường",
        ),
        // Empty in the example: its participant list (on the participants sheet) counts them.
        col("female", "Nữ", "Female", Kind::Count, ""),
        col("male", "Nam", "Male", Kind::Count, ""),
        col("other", "Giới tính khác", "Other sex", Kind::Count, ""),
        col("activity_id", "Hoạt động kế hoạch", "Plan activity", Kind::Uuid, ""),
    ];
    const EVENTS: &[Col] = &[
        UNIT,
        col("kind", "Hình thức", "Kind", Kind::Code(kinds), "street_event"),
        col(
            "title",
            "Tên hoạt động",
            "Title",
            Kind::Text,
            "Mít tinh hưởng ứng Tháng hành động vì bình đẳng giới",
        ),
        col("topics", "Chủ đề", "Topics", Kind::Codes(topics), "gbv"),
        col("starts_on", "Ngày bắt đầu", "Starts on", Kind::Date, "2024-11-25"),
        col("ends_on", "Ngày kết thúc", "Ends on", Kind::Date, "2024-11-25"),
        col("location", "Địa điểm", "Location", Kind::Text, "Quảng trường phường"),
        col("channel", "Kênh", "Channel", Kind::Text, ""),
        col(
            "audience_reached",
            "Số người được tiếp cận",
            "People reached",
            Kind::Count,
            "300",
        ),
        col("female", "Nữ", "Female", Kind::Count, ""),
        col("male", "Nam", "Male", Kind::Count, ""),
        col("other", "Giới tính khác", "Other sex", Kind::Count, ""),
        col("is_public", "Công khai", "Public", Kind::Bool, "có"),
        col("campaign_id", "Chiến dịch", "Campaign", Kind::Uuid, ""),
        col("activity_id", "Hoạt động kế hoạch", "Plan activity", Kind::Uuid, ""),
    ];
    const FIGURES: &[Col] = &[
        UNIT,
        col("year", "Năm", "Year", Kind::Count, "2024"),
        col(
            "ge_officials",
            "Số cán bộ làm công tác bình đẳng giới",
            "Gender-equality officials",
            Kind::Count,
            "12",
        ),
        col(
            "gbv_victims_detected",
            "Số nạn nhân bạo lực trên cơ sở giới được phát hiện",
            "GBV victims detected",
            Kind::Count,
            "9",
        ),
        col(
            "gbv_victims_supported",
            "Số nạn nhân được hỗ trợ",
            "GBV victims supported",
            Kind::Count,
            "8",
        ),
    ];
    match resource {
        ImportResource::Trainings => TRAININGS,
        ImportResource::OutreachEvents => EVENTS,
        ImportResource::UnitFigures => FIGURES,
    }
}

/// Every column a sheet of `resource` may have: the template's, and the list export's (whose
/// id, version and unit columns make a row an update, and whose derived columns are ignored).
pub fn recognised(resource: ImportResource) -> Vec<Col> {
    let mut cols = template(resource).to_vec();
    let mut add = |key: &'static str, en: &'static str, vi: &'static str| {
        let kind = match key {
            "id" => Kind::Id,
            "version" => Kind::Version,
            "unit_id" => Kind::UnitId,
            _ => match cols.iter().find(|c| c.key == key) {
                Some(c) => c.kind,
                None => Kind::Ignore,
            },
        };
        cols.push(col(key, vi, en, kind, ""));
    };
    fn titles<T>(c: &[Column<T>]) -> Vec<(&'static str, &'static str, &'static str)> {
        c.iter().map(|c| (c.key, c.en, c.vi)).collect()
    }
    let export = match resource {
        ImportResource::Trainings => titles(&crate::trainings::api::EXPORT_COLUMNS),
        ImportResource::OutreachEvents => titles(&crate::outreach::api::EXPORT_COLUMNS),
        // No list export: a year's figures are replaced at the version a row names.
        ImportResource::UnitFigures => vec![("version", "Version", "Phiên bản")],
    };
    for (key, en, vi) in export {
        add(key, en, vi);
    }
    // What an export writes beside each unit id.
    cols.push(col("unit_name", "Tên đơn vị", "Unit name", Kind::Ignore, ""));
    cols.push(col(
        "unit_code",
        "Mã đơn vị hành chính",
        "Unit official code",
        Kind::UnitCode,
        "",
    ));
    cols
}

fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}

/// The column each header names (`None`: a column this import does not know, ignored). An
/// export's time columns carry the time zone after their title.
pub fn map_headers(headers: &[String], cols: &[Col]) -> Vec<Option<Col>> {
    headers
        .iter()
        .map(|h| {
            let h = fold(h);
            cols.iter()
                .find(|c| h == fold(c.vi) || h == fold(c.en) || h == c.key)
                .or_else(|| {
                    cols.iter().find(|c| {
                        matches!(c.kind, Kind::Ignore) && (h.starts_with(&fold(c.vi)) || h.starts_with(&fold(c.en)))
                    })
                })
                .copied()
        })
        .collect()
}

/// The participants sheet's columns.
pub const PARTICIPANT_COLS: &[Col] = &[
    col("row", "Dòng", "Row", Kind::Count, "2"),
    col("name", "Họ và tên", "Name", Kind::Text, "Nguyễn Thị Hoa"),
    col("sex", "Giới tính", "Sex", Kind::Code(sexes), "female"),
    col(
        "unit_name",
        "Đơn vị công tác",
        "Organisation",
        Kind::Text,
        "Hội LHPN phường Hạ Long",
    ),
    col("position", "Chức vụ", "Position", Kind::Text, "Chi hội trưởng"),
];

/// A reference to the row's unit, resolved against the database later.
#[derive(Clone, Debug)]
pub enum UnitRef {
    Id(Uuid),
    Code(String),
}

/// A data row read into the API's JSON, with what is resolved later.
#[derive(Debug, Default)]
pub struct Parsed {
    pub row: u32,
    pub body: Map<String, Value>,
    pub id: Option<Uuid>,
    pub version: Option<i64>,
    /// With the header of the column it came from.
    pub unit: Option<(UnitRef, String)>,
    pub errors: Vec<RowError>,
}

pub fn error(row: u32, column: Option<&str>, field: Option<&str>, code: &str, t: Text, lang: Lang) -> RowError {
    RowError {
        row,
        column: column.map(str::to_string),
        field: field.map(str::to_string),
        code: code.to_string(),
        message: t.get(lang).to_string(),
    }
}

fn as_text(c: &Cell) -> Option<String> {
    match c {
        Cell::Empty => None,
        Cell::Text(t) => Some(t.clone()),
        Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some(format!("{}", *n as i64)),
        Cell::Number(n) => Some(n.to_string()),
        Cell::Date(d) => Some(d.to_string()),
        Cell::Bool(b) => Some(b.to_string()),
    }
}

fn date(c: &Cell) -> Option<NaiveDate> {
    match c {
        Cell::Date(d) => Some(*d),
        // A date typed where the cell is not formatted as one: Excel's serial day number.
        Cell::Number(n) if n.fract() == 0.0 && (20_000.0..80_000.0).contains(n) => {
            NaiveDate::from_ymd_opt(1899, 12, 30).and_then(|d| d.checked_add_days(chrono::Days::new(*n as u64)))
        }
        Cell::Text(t) => ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]
            .iter()
            .find_map(|f| NaiveDate::parse_from_str(t.trim(), f).ok()),
        _ => None,
    }
}

fn count(c: &Cell) -> Option<i64> {
    match c {
        Cell::Number(n) if n.fract() == 0.0 && *n >= 0.0 && *n < 1e12 => Some(*n as i64),
        Cell::Text(t) => t.trim().replace(['.', ','], "").parse::<i64>().ok().filter(|n| *n >= 0),
        _ => None,
    }
}

fn boolean(c: &Cell) -> Option<bool> {
    match c {
        Cell::Bool(b) => Some(*b),
        Cell::Number(n) => Some(*n != 0.0),
        Cell::Text(t) => match fold(t).as_str() {
            "true" | "có" | "co" | "yes" | "x" | "1" | "đúng" => Some(true),
            "false" | "không" | "khong" | "no" | "0" | "sai" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A code named by itself or by its label in either language.
pub fn code_of(token: &str, codes: &[&'static str]) -> Option<&'static str> {
    let t = fold(token);
    codes.iter().copied().find(|c| {
        t == *c || t == fold(&crate::labels::label(c, Lang::Vi)) || t == fold(&crate::labels::label(c, Lang::En))
    })
}

fn allowed(codes: &[&'static str], lang: Lang) -> String {
    codes
        .iter()
        .map(|c| crate::labels::label(c, lang))
        .collect::<Vec<_>>()
        .join("; ")
}

/// One cell into `body` (or an error naming its column).
fn put(p: &mut Parsed, c: &Col, header: &str, cell: &Cell, lang: Lang) {
    if cell.is_empty() && !matches!(c.kind, Kind::Codes(_)) {
        return;
    }
    let bad = |en: String, vi: String| error(p.row, Some(header), Some(c.key), "invalid", Text::new(en, vi), lang);
    let value = match c.kind {
        Kind::Ignore => return,
        Kind::Id => match as_text(cell).and_then(|t| t.parse::<Uuid>().ok()) {
            Some(id) => {
                p.id = Some(id);
                return;
            }
            None => Err(bad(
                "is not a record id".into(),
                "không phải mã định danh bản ghi".into(),
            )),
        },
        Kind::Version => match count(cell) {
            Some(v) => {
                p.version = Some(v);
                return;
            }
            None => Err(bad("is not a version number".into(), "không phải số phiên bản".into())),
        },
        Kind::Unit | Kind::UnitId | Kind::UnitCode => {
            let text = as_text(cell).unwrap_or_default();
            let r = match (c.kind, text.parse::<Uuid>()) {
                (Kind::UnitCode, _) | (_, Err(_)) => UnitRef::Code(text),
                (_, Ok(id)) => UnitRef::Id(id),
            };
            // An id wins over a code when a sheet has both (an export does).
            if !matches!(p.unit, Some((UnitRef::Id(_), _))) {
                p.unit = Some((r, header.to_string()));
            }
            return;
        }
        Kind::Text => Ok(Value::String(as_text(cell).unwrap_or_default())),
        Kind::Date => date(cell).map(|d| json!(d.to_string())).ok_or_else(|| {
            bad(
                "is not a date (YYYY-MM-DD or DD/MM/YYYY)".into(),
                "không phải ngày (YYYY-MM-DD hoặc DD/MM/YYYY)".into(),
            )
        }),
        Kind::Count => count(cell).map(|n| json!(n)).ok_or_else(|| {
            bad(
                "is not a whole number of 0 or more".into(),
                "không phải số nguyên không âm".into(),
            )
        }),
        Kind::Uuid => as_text(cell)
            .and_then(|t| t.parse::<Uuid>().ok())
            .map(|u| json!(u))
            .ok_or_else(|| bad("is not an id".into(), "không phải mã định danh".into())),
        Kind::Bool => boolean(cell).map(Value::Bool).ok_or_else(|| {
            bad(
                "is not yes or no (có / không)".into(),
                "không phải có hoặc không".into(),
            )
        }),
        Kind::Codes(list) => {
            let codes = list();
            let text = as_text(cell).unwrap_or_default();
            let mut out = Vec::new();
            let mut unknown = Vec::new();
            for token in text.split([';', ',']).map(str::trim).filter(|t| !t.is_empty()) {
                match code_of(token, &codes) {
                    Some(code) => out.push(json!(code)),
                    None => unknown.push(token.to_string()),
                }
            }
            if unknown.is_empty() {
                Ok(Value::Array(out))
            } else {
                Err(bad(
                    format!(
                        "unknown: {}; allowed: {}",
                        unknown.join(", "),
                        allowed(&codes, Lang::En)
                    ),
                    format!(
                        "không có trong danh mục: {}; được dùng: {}",
                        unknown.join(", "),
                        allowed(&codes, Lang::Vi)
                    ),
                ))
            }
        }
        Kind::Code(list) => {
            let codes = list();
            let text = as_text(cell).unwrap_or_default();
            code_of(&text, &codes).map(|c| json!(c)).ok_or_else(|| {
                bad(
                    format!("unknown: {text}; allowed: {}", allowed(&codes, Lang::En)),
                    format!(
                        "không có trong danh mục: {text}; được dùng: {}",
                        allowed(&codes, Lang::Vi)
                    ),
                )
            })
        }
    };
    match value {
        Ok(v) => match c.key {
            "female" | "male" | "other" => {
                let counts = p.body.entry("participants").or_insert_with(|| json!({}));
                counts[c.key] = v;
            }
            key => {
                p.body.insert(key.to_string(), v);
            }
        },
        Err(e) => p.errors.push(e),
    }
}

/// A data row read through the header map.
pub fn parse_row(row: u32, cells: &[Cell], headers: &[String], map: &[Option<Col>], lang: Lang) -> Parsed {
    let mut p = Parsed {
        row,
        ..Default::default()
    };
    for (i, c) in map.iter().enumerate() {
        if let Some(c) = c {
            put(&mut p, c, &headers[i], cells.get(i).unwrap_or(&Cell::Empty), lang);
        }
    }
    // Counts missing beside the others are zero.
    if let Some(Value::Object(counts)) = p.body.get_mut("participants") {
        for k in ["female", "male", "other"] {
            counts.entry(k).or_insert(json!(0));
        }
    }
    p
}

/// The participants sheet: each data row's list (by the `Dòng` it names), and its errors.
pub fn participants(
    table: &super::sheet::Table,
    lang: Lang,
) -> (std::collections::HashMap<u32, Vec<Value>>, Vec<RowError>) {
    let map = map_headers(&table.headers, PARTICIPANT_COLS);
    let mut lists: std::collections::HashMap<u32, Vec<Value>> = std::collections::HashMap::new();
    let mut errors = Vec::new();
    let sheet = |h: &str| format!("{}: {h}", super::sheet::PARTICIPANT_SHEET.0);
    for (n, cells) in &table.rows {
        let mut p = Parsed {
            row: *n,
            ..Default::default()
        };
        for (i, c) in map.iter().enumerate() {
            if let Some(c) = c {
                put(
                    &mut p,
                    c,
                    &sheet(&table.headers[i]),
                    cells.get(i).unwrap_or(&Cell::Empty),
                    lang,
                );
            }
        }
        if !p.errors.is_empty() {
            errors.append(&mut p.errors);
            continue;
        }
        let Some(row) = p.body.remove("row").and_then(|v| v.as_u64()) else {
            errors.push(error(
                *n,
                Some(&sheet(PARTICIPANT_COLS[0].vi)),
                None,
                "required",
                Text::new(
                    "must name the row of the data sheet",
                    "phải ghi số dòng ở trang dữ liệu",
                ),
                lang,
            ));
            continue;
        };
        lists.entry(row as u32).or_default().push(Value::Object(p.body));
    }
    (lists, errors)
}

/// The header a field's errors are reported under (its column in the file, or its template title).
pub fn column_of(field: &str, headers: &[String], map: &[Option<Col>]) -> Option<String> {
    let root = field.split(['.', '[']).next().unwrap_or(field);
    let root = match root {
        "unit_id" => "unit",
        other => other,
    };
    let single = [root];
    let wanted: &[&str] = match root {
        "participants" => &["female", "male", "other"],
        "unit" => &["unit", "unit_id", "unit_code"],
        _ => &single,
    };
    map.iter()
        .enumerate()
        .find(|(_, c)| c.is_some_and(|c| wanted.contains(&c.key)))
        .map(|(i, _)| headers[i].clone())
        .or_else(|| (root == "participant_list").then(|| super::sheet::PARTICIPANT_SHEET.0.to_string()))
}
