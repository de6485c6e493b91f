//! What a summary looks like on the wire: JSON, and the rows of its CSV and XLSX forms.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_xlsxwriter::Workbook;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::summary::{Indicator, Summary, UnitRef};
use super::table::{Cell, MetricKind, Row, Section};
use crate::error::Lang;
use crate::http::export::{csv_rows, Styles, Value};

/// The unit and period of a summary.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// The unit (default: the caller's own; required for partner clients).
    pub unit_id: Option<Uuid>,
    /// First day of the period (with `to`), inclusive.
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub from: Option<NaiveDate>,
    /// Last day of the period, inclusive.
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    pub to: Option<NaiveDate>,
    /// A calendar year instead of `from`/`to` (default: the current year).
    #[validate(range(min = 2000, max = 2100))]
    #[param(minimum = 2000, maximum = 2100, example = 2020)]
    pub year: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Period {
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub from: NaiveDate,
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub to: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Suppression {
    /// True for partner clients: counts from 1 to 4, and cells that would give them away, are
    /// `null` (`<5` in CSV and XLSX).
    pub applied: bool,
    /// The smallest count shown.
    pub threshold: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MetricInfo {
    pub key: &'static str,
    pub title: &'static str,
    pub kind: MetricKind,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RowBody {
    /// The code (status, kind, topic...) or unit id the row is about; `total` for the total.
    pub key: String,
    pub label: String,
    /// Values by metric key; `null` when suppressed or not computable.
    #[schema(value_type = BTreeMap<String, Option<f64>>)]
    pub values: BTreeMap<&'static str, Cell>,
    /// Metric keys hidden from a partner in this row.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<&'static str>,
}

impl RowBody {
    fn from(row: &Row) -> Self {
        RowBody {
            key: row.key.clone(),
            label: row.label.clone(),
            values: row.values.clone(),
            suppressed: row
                .values
                .iter()
                .filter(|(_, c)| **c == Cell::Suppressed)
                .map(|(k, _)| *k)
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BreakdownBody {
    pub id: &'static str,
    pub title: &'static str,
    /// True when the rows add up to the total.
    pub additive: bool,
    pub rows: Vec<RowBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SectionBody {
    /// `plans`, `trainings`, `outreach`, `inspections`, `violations`, `petitions`, `gbv`,
    /// `units`.
    pub id: &'static str,
    pub title: &'static str,
    pub metrics: Vec<MetricInfo>,
    pub total: RowBody,
    pub breakdowns: Vec<BreakdownBody>,
    /// Counts from 1 to 4 (and cells that would give them away) are `null` here: every
    /// section of a partner's report, and the survivors' section (`gbv`) for everyone but the
    /// case supervisors of the report's own unit.
    pub suppressed: bool,
}

/// Everything done in a unit and below it (and in units merged into it) in a period.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "unit": {"id": "6f1c2a7e-3f51-5b0c-9d3e-2a4b5c6d7e8f", "name": "Thành phố Nam Định", "kind": "city", "code": "356"},
    "period": {"from": "2020-01-01", "to": "2020-12-31"}, "reference_date": "2020-12-31",
    "generated_at": "2026-11-29T08:00:00Z", "suppression": {"applied": false, "threshold": 5},
    "sections": [{"id": "trainings", "title": "Trainings",
        "metrics": [{"key": "trainings", "title": "Trainings", "kind": "count"}, {"key": "female", "title": "Female", "kind": "count"}],
        "total": {"key": "total", "label": "", "values": {"trainings": 3, "participants": 120, "female": 80, "male": 40, "other": 0}},
        "breakdowns": [{"id": "by_audience", "title": "By audience", "additive": false,
            "rows": [{"key": "officials", "label": "Officials", "values": {"trainings": 2, "participants": 70, "female": 50, "male": 20, "other": 0}}]}]}],
    "indicators": [{"code": "female_key_leader_share", "name": "Share of state bodies and local governments with a woman as a key leader",
        "unit_of_measure": "%", "available": true, "value": 64.0, "numerator": 16, "denominator": 25,
        "target_2025": 60.0, "target_2030": 75.0, "milestone": 60.0, "on_track": true, "note": "..."}]
}))]
pub struct SummaryBody {
    pub unit: UnitRef,
    pub period: Period,
    /// The day point-in-time figures (leaders, overdue cases) are taken on: the period's end,
    /// or today if earlier.
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub reference_date: NaiveDate,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub generated_at: DateTime<Utc>,
    pub suppression: Suppression,
    pub sections: Vec<SectionBody>,
    pub indicators: Vec<Indicator>,
}

impl SummaryBody {
    pub fn new(s: Summary, lang: Lang) -> Self {
        SummaryBody {
            period: Period { from: s.from, to: s.to },
            reference_date: s.reference_date,
            generated_at: s.generated_at,
            suppression: Suppression {
                applied: s.suppressed,
                threshold: 5,
            },
            sections: s
                .sections
                .iter()
                .map(|sec| SectionBody {
                    id: sec.id,
                    title: sec.title(lang),
                    metrics: sec
                        .metrics
                        .iter()
                        .map(|m| MetricInfo {
                            key: m.key,
                            title: m.title(lang),
                            kind: m.kind,
                        })
                        .collect(),
                    total: RowBody::from(&sec.total),
                    breakdowns: sec
                        .breakdowns
                        .iter()
                        .map(|b| BreakdownBody {
                            id: b.id,
                            title: if lang == Lang::Vi { b.vi } else { b.en },
                            additive: b.additive,
                            rows: b.rows.iter().map(RowBody::from).collect(),
                        })
                        .collect(),
                    suppressed: sec.suppressed,
                })
                .collect(),
            unit: s.unit,
            indicators: s.indicators,
        }
    }
}

fn cell_value(cell: Option<Cell>, kind: MetricKind) -> Value {
    match (cell, kind) {
        (Some(Cell::Int(v)), MetricKind::Money) => Value::Money(v),
        (Some(Cell::Int(v)), _) => Value::Int(v),
        (Some(Cell::Percent(p)), _) => Value::Percent(p),
        (Some(Cell::Suppressed), _) => Value::Suppressed,
        _ => Value::Empty,
    }
}

fn t(lang: Lang, en: &'static str, vi: &'static str) -> &'static str {
    if lang == Lang::Vi {
        vi
    } else {
        en
    }
}

fn opt_f64(v: Option<f64>) -> Value {
    v.map(Value::Percent).unwrap_or(Value::Empty)
}

fn indicator_values(i: &Indicator) -> Vec<Value> {
    let cell = |c: Cell| cell_value(Some(c), MetricKind::Count);
    vec![
        Value::Text(i.code.clone()),
        Value::Text(i.name.clone()),
        cell(i.value),
        cell(i.numerator),
        cell(i.denominator),
        opt_f64(i.target_2025),
        opt_f64(i.target_2030),
        opt_f64(i.milestone),
        i.on_track.map(Value::Bool).unwrap_or(Value::Empty),
        Value::Text(i.note.clone()),
    ]
}

fn indicator_titles(lang: Lang) -> Vec<&'static str> {
    vec![
        t(lang, "Code", "Mã"),
        t(lang, "Indicator", "Chỉ tiêu"),
        t(lang, "Value (%)", "Giá trị (%)"),
        t(lang, "Numerator", "Tử số"),
        t(lang, "Denominator", "Mẫu số"),
        t(lang, "Target 2025", "Mục tiêu 2025"),
        t(lang, "Target 2030", "Mục tiêu 2030"),
        t(lang, "Milestone", "Mốc cần đạt"),
        t(lang, "On track", "Đúng tiến độ"),
        t(lang, "Note", "Ghi chú"),
    ]
}

/// The summary as one long CSV table: one line per (section, breakdown, row, metric), then the
/// indicators. Machine-friendly (a pivot table rebuilds any view) and parseable as one table.
pub fn summary_csv(s: &Summary, lang: Lang) -> Vec<u8> {
    let head = [
        t(lang, "section", "Mục"),
        t(lang, "breakdown", "Phân tổ"),
        t(lang, "key", "Mã"),
        t(lang, "label", "Tên"),
        t(lang, "metric", "Chỉ tiêu"),
        t(lang, "value", "Giá trị"),
    ];
    let mut lines: Vec<Vec<Value>> = vec![head.iter().map(|h| Value::Text((*h).into())).collect()];
    let text = |s: &str| Value::Text(s.to_string());
    for (k, v) in [
        ("unit_id", Value::Text(s.unit.id.to_string())),
        ("unit_name", text(&s.unit.name)),
        ("from", Value::Date(s.from)),
        ("to", Value::Date(s.to)),
        ("reference_date", Value::Date(s.reference_date)),
        ("suppressed", Value::Bool(s.suppressed)),
    ] {
        lines.push(vec![
            text("report"),
            Value::Empty,
            Value::Empty,
            Value::Empty,
            text(k),
            v,
        ]);
    }
    for sec in &s.sections {
        for (breakdown, row) in sec.rows() {
            for m in sec.metrics {
                lines.push(vec![
                    text(sec.id),
                    text(breakdown),
                    text(&row.key),
                    text(&row.label),
                    text(m.key),
                    cell_value(row.get(m.key), m.kind),
                ]);
            }
        }
    }
    let keys = [
        "value",
        "numerator",
        "denominator",
        "target_2025",
        "target_2030",
        "milestone",
        "on_track",
    ];
    for i in &s.indicators {
        let values = indicator_values(i);
        for (k, v) in keys.iter().zip(values[2..9].iter()) {
            lines.push(vec![
                text("indicators"),
                text(&i.code),
                text(&i.code),
                text(&i.name),
                text(k),
                v.clone(),
            ]);
        }
    }
    let mut out = "\u{feff}".as_bytes().to_vec();
    out.extend(csv_rows(lang, lines));
    out
}

/// The summary as a workbook: a cover sheet, one sheet per section (the total, then each
/// breakdown's rows), and the indicators.
pub fn summary_xlsx(s: &Summary, lang: Lang) -> Result<Workbook, rust_xlsxwriter::XlsxError> {
    let mut wb = Workbook::new();
    let st = Styles::new();
    let ws = wb.add_worksheet();
    ws.set_name(t(lang, "Report", "Báo cáo"))?;
    let cover = [
        (t(lang, "Unit", "Đơn vị"), Value::Text(s.unit.name.clone())),
        (t(lang, "Unit id", "Mã định danh"), Value::Text(s.unit.id.to_string())),
        (t(lang, "Code", "Mã đơn vị"), Value::opt_text(s.unit.code.as_ref())),
        (t(lang, "From", "Từ ngày"), Value::Date(s.from)),
        (t(lang, "To", "Đến ngày"), Value::Date(s.to)),
        (
            t(lang, "Reference date", "Ngày chốt số liệu"),
            Value::Date(s.reference_date),
        ),
        (
            t(lang, "Generated at (UTC)", "Thời điểm lập (UTC)"),
            Value::DateTime(s.generated_at),
        ),
        (
            t(lang, "Small counts suppressed", "Ẩn số nhỏ hơn 5"),
            Value::Bool(s.suppressed),
        ),
    ];
    for (r, (k, v)) in cover.into_iter().enumerate() {
        st.write(ws, r as u32, &[Value::Text(k.into()), v], lang)?;
    }
    ws.set_column_width(0, 28)?;
    ws.set_column_width(1, 40)?;
    for sec in &s.sections {
        write_section(&mut wb, &st, sec, lang)?;
    }
    let ws = wb.add_worksheet();
    ws.set_name(t(lang, "Indicators", "Chỉ tiêu"))?;
    st.header(ws, 0, &indicator_titles(lang))?;
    for (r, i) in s.indicators.iter().enumerate() {
        st.write(ws, r as u32 + 1, &indicator_values(i), lang)?;
    }
    ws.set_column_width(1, 50)?;
    Ok(wb)
}

fn write_section(wb: &mut Workbook, st: &Styles, sec: &Section, lang: Lang) -> Result<(), rust_xlsxwriter::XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(sec.title(lang).chars().take(31).collect::<String>())?;
    let mut titles = vec![
        t(lang, "Breakdown", "Phân tổ"),
        t(lang, "Key", "Mã"),
        t(lang, "Label", "Tên"),
    ];
    titles.extend(sec.metrics.iter().map(|m| m.title(lang)));
    st.header(ws, 0, &titles)?;
    let breakdown_title = |id: &str| -> String {
        if id == "total" {
            return t(lang, "Total", "Tổng số").to_string();
        }
        sec.breakdowns
            .iter()
            .find(|b| b.id == id)
            .map(|b| if lang == Lang::Vi { b.vi } else { b.en })
            .unwrap_or(id)
            .to_string()
    };
    for (r, (breakdown, row)) in sec.rows().enumerate() {
        let mut values = vec![
            Value::Text(breakdown_title(breakdown)),
            Value::Text(row.key.clone()),
            Value::Text(row.label.clone()),
        ];
        values.extend(
            sec.metrics
                .iter()
                .map(|m| cell_value(row.get(m.key), sec.kind_of(m.key))),
        );
        st.write(ws, r as u32 + 1, &values, lang)?;
    }
    ws.set_column_width(0, 24)?;
    ws.set_column_width(2, 36)?;
    Ok(())
}
