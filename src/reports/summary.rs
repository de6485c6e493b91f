//! A unit's summary for a period: sections built from the facts of [`super::queries`], the
//! strategy indicators, and (for partners) suppression.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use super::queries::{self, Fact, Scope};
use super::table::{Breakdown, Cell, Metric, MetricKind, Row, Section};
use crate::error::Lang;
use crate::labels::label;
use crate::units::model::UnitRow;

const fn money(key: &'static str, en: &'static str, vi: &'static str, basis: &'static [&'static str]) -> Metric {
    Metric {
        key,
        en,
        vi,
        kind: MetricKind::Money,
        basis,
    }
}

const fn percent(key: &'static str, en: &'static str, vi: &'static str, basis: &'static [&'static str]) -> Metric {
    Metric {
        key,
        en,
        vi,
        kind: MetricKind::Percent,
        basis,
    }
}

static PLAN_METRICS: [Metric; 4] = [
    Metric::count("plans", "Plans", "Kế hoạch"),
    Metric::count("targets", "Targets", "Chỉ tiêu"),
    Metric::count("targets_met", "Targets met", "Chỉ tiêu đạt"),
    percent(
        "targets_met_share",
        "Targets met (%)",
        "Tỷ lệ chỉ tiêu đạt (%)",
        &["targets_met", "targets"],
    ),
];

static TRAINING_METRICS: [Metric; 7] = [
    Metric::count("trainings", "Trainings", "Lớp tập huấn"),
    Metric::count("participants", "Participants", "Lượt người tham gia"),
    Metric::count("female", "Female", "Nữ"),
    Metric::count("male", "Male", "Nam"),
    Metric::count("other", "Other sex", "Giới tính khác"),
    Metric::count("action_month_trainings", "In the Action Month", "Trong Tháng hành động"),
    Metric::count(
        "officials_trained",
        "Officials and collaborators trained",
        "Lượt cán bộ, cộng tác viên được tập huấn",
    ),
];

static OUTREACH_METRICS: [Metric; 10] = [
    Metric::count("events", "Events", "Hoạt động"),
    Metric::count("participants", "Participants", "Lượt người tham gia"),
    Metric::count("female", "Female", "Nữ"),
    Metric::count("male", "Male", "Nam"),
    Metric::count("other", "Other sex", "Giới tính khác"),
    Metric::count("reach", "People reached", "Lượt người được tiếp cận"),
    Metric::count(
        "action_month_events",
        "Events in the Action Month",
        "Hoạt động trong Tháng hành động",
    ),
    Metric::count(
        "action_month_participants",
        "Participants in the Action Month",
        "Người tham gia trong Tháng hành động",
    ),
    Metric::count(
        "action_month_reach",
        "Reached in the Action Month",
        "Tiếp cận trong Tháng hành động",
    ),
    percent(
        "action_month_share",
        "Events in the Action Month (%)",
        "Tỷ lệ hoạt động trong Tháng hành động (%)",
        &["action_month_events", "events"],
    ),
];

static INSPECTION_METRICS: [Metric; 1] = [Metric::count(
    "inspections",
    "Checks and inspections",
    "Kiểm tra, thanh tra",
)];

static VIOLATION_METRICS: [Metric; 3] = [
    Metric::count("violations", "Violations", "Vi phạm"),
    Metric::count("fines", "Fines", "Quyết định phạt tiền"),
    money("fines_vnd", "Fines (VND)", "Tiền phạt (đồng)", &["fines"]),
];

static PETITION_METRICS: [Metric; 5] = [
    Metric::count("received", "Received", "Tiếp nhận"),
    Metric::count("resolved", "Resolved", "Đã giải quyết"),
    Metric::count("resolved_on_time", "Resolved on time", "Giải quyết đúng hạn"),
    Metric::count("overdue", "Overdue", "Quá hạn"),
    percent(
        "resolved_on_time_share",
        "Resolved on time (%)",
        "Tỷ lệ giải quyết đúng hạn (%)",
        &["resolved_on_time", "resolved"],
    ),
];

static UNIT_METRICS: [Metric; 11] = [
    Metric::count("plans", "Plans", "Kế hoạch"),
    Metric::count("trainings", "Trainings", "Lớp tập huấn"),
    Metric::count(
        "training_participants",
        "Training participants",
        "Người tham gia tập huấn",
    ),
    Metric::count("outreach_events", "Outreach events", "Hoạt động truyền thông"),
    Metric::count(
        "outreach_participants",
        "Outreach participants",
        "Người tham gia truyền thông",
    ),
    Metric::count("reach", "People reached", "Lượt người được tiếp cận"),
    Metric::count("inspections", "Checks and inspections", "Kiểm tra, thanh tra"),
    Metric::count("violations", "Violations", "Vi phạm"),
    money("fines_vnd", "Fines (VND)", "Tiền phạt (đồng)", &["violations"]),
    Metric::count(
        "petitions_received",
        "Complaints and denunciations",
        "Đơn khiếu nại, tố cáo",
    ),
    Metric::count("petitions_overdue", "Overdue", "Đơn quá hạn"),
];

static GBV_METRICS: [Metric; 8] = [
    Metric::count(
        "cases",
        "Survivors (cases with consent to statistics)",
        "Người bị bạo lực (vụ việc đồng ý thống kê)",
    ),
    Metric::count("female", "Female", "Nữ"),
    Metric::count("male", "Male", "Nam"),
    Metric::count("other", "Other or unknown sex", "Giới tính khác hoặc chưa rõ"),
    Metric::count("children", "Children (under 16)", "Trẻ em (dưới 16 tuổi)"),
    Metric::count(
        "basic_service",
        "Received at least one basic service",
        "Được hỗ trợ ít nhất một dịch vụ cơ bản",
    ),
    Metric::count(
        "measures",
        "With a protective measure",
        "Có biện pháp ngăn chặn, bảo vệ",
    ),
    percent(
        "basic_service_share",
        "Received a basic service (%)",
        "Tỷ lệ được hỗ trợ dịch vụ cơ bản (%)",
        &["basic_service", "cases"],
    ),
];

const SURVIVORS: &[(&str, &[&str])] = &[("cases", &["female", "male", "other"])];

const PARTICIPANTS: &[(&str, &[&str])] = &[("participants", &["female", "male", "other"])];

/// The unit a summary is about.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UnitRef {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub code: Option<String>,
}

/// A strategy indicator (Resolution 28/NQ-CP) for the unit and period.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ReportIndicator)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    pub unit_of_measure: String,
    /// False when the data to compute it is missing (see `note`).
    pub available: bool,
    /// The value in percent; null when not available or hidden from a partner.
    #[schema(value_type = Option<f64>)]
    pub value: Cell,
    #[schema(value_type = Option<i64>)]
    pub numerator: Cell,
    #[schema(value_type = Option<i64>)]
    pub denominator: Cell,
    pub target_2025: Option<f64>,
    pub target_2030: Option<f64>,
    /// The value the strategy expects by the end of the period: the 2025 target up to 2025,
    /// then a straight line to the 2030 target.
    pub milestone: Option<f64>,
    /// Whether the value reaches the milestone (null when either is unknown).
    pub on_track: Option<bool>,
    pub note: String,
}

pub struct Summary {
    pub unit: UnitRef,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reference_date: NaiveDate,
    pub generated_at: DateTime<Utc>,
    pub suppressed: bool,
    pub sections: Vec<Section>,
    pub indicators: Vec<Indicator>,
}

/// Rows of one breakdown group from the facts, with the metric keys for the value positions.
fn rows_of(facts: &[Fact], section: &str, grp: &str, keys: &[&'static str], lang: Lang) -> Vec<Row> {
    let mut rows: Vec<Row> = facts
        .iter()
        .filter(|f| f.section == section && f.grp == grp)
        .map(|f| {
            let mut r = Row::new(f.key.clone(), label(&f.key, lang));
            for (k, v) in keys.iter().zip(&f.v) {
                r.set(k, *v);
            }
            r
        })
        .collect();
    rows.sort_by(|a, b| a.key.cmp(&b.key));
    rows
}

/// Adds `participants` = female + male + other to each row that has the parts.
fn with_participants(mut rows: Vec<Row>) -> Vec<Row> {
    for r in &mut rows {
        let p = r.int("female") + r.int("male") + r.int("other");
        r.set("participants", p);
    }
    rows
}

/// The total row: the sum of the per-bucket rows.
fn total_of(per_unit: &[Row], metrics: &[Metric]) -> Row {
    let mut total = Row::new("total", "");
    for m in metrics.iter().filter(|m| m.kind != MetricKind::Percent) {
        total.set(m.key, per_unit.iter().map(|r| r.int(m.key)).sum());
    }
    total
}

/// A breakdown: (group in the facts, id, English title, Vietnamese title, additive, value keys).
type BreakdownSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static [&'static str],
);

struct SectionSpec {
    id: &'static str,
    en: &'static str,
    vi: &'static str,
    metrics: &'static [Metric],
    sums: &'static [(&'static str, &'static [&'static str])],
    /// Metric keys of the per-unit fact's values.
    unit_keys: &'static [&'static str],
    breakdowns: &'static [BreakdownSpec],
}

const SPECS: [SectionSpec; 7] = [
    SectionSpec {
        id: "plans",
        en: "Plans",
        vi: "Kế hoạch",
        metrics: &PLAN_METRICS,
        sums: &[],
        unit_keys: &["plans", "targets", "targets_met"],
        breakdowns: &[(
            "status",
            "by_status",
            "By status",
            "Theo trạng thái",
            true,
            &["plans", "targets", "targets_met"],
        )],
    },
    SectionSpec {
        id: "trainings",
        en: "Trainings",
        vi: "Tập huấn",
        metrics: &TRAINING_METRICS,
        sums: PARTICIPANTS,
        unit_keys: &[
            "trainings",
            "female",
            "male",
            "other",
            "action_month_trainings",
            "officials_trained",
        ],
        breakdowns: &[(
            "audience",
            "by_audience",
            "By audience",
            "Theo đối tượng",
            false,
            &["trainings", "female", "male", "other"],
        )],
    },
    SectionSpec {
        id: "outreach",
        en: "Communication and outreach",
        vi: "Truyền thông",
        metrics: &OUTREACH_METRICS,
        sums: PARTICIPANTS,
        unit_keys: &[
            "events",
            "female",
            "male",
            "other",
            "reach",
            "action_month_events",
            "action_month_participants",
            "action_month_reach",
        ],
        breakdowns: &[
            (
                "kind",
                "by_kind",
                "By kind",
                "Theo hình thức",
                true,
                &[
                    "events",
                    "female",
                    "male",
                    "other",
                    "reach",
                    "action_month_events",
                    "action_month_participants",
                    "action_month_reach",
                ],
            ),
            (
                "topic",
                "by_topic",
                "By topic",
                "Theo chủ đề",
                false,
                &["events", "female", "male", "other", "reach"],
            ),
        ],
    },
    SectionSpec {
        id: "inspections",
        en: "Checks and inspections",
        vi: "Kiểm tra, thanh tra",
        metrics: &INSPECTION_METRICS,
        sums: &[],
        unit_keys: &["inspections"],
        breakdowns: &[
            ("kind", "by_kind", "By kind", "Theo loại", true, &["inspections"]),
            (
                "status",
                "by_status",
                "By status",
                "Theo trạng thái",
                true,
                &["inspections"],
            ),
        ],
    },
    SectionSpec {
        id: "violations",
        en: "Violations",
        vi: "Vi phạm hành chính",
        metrics: &VIOLATION_METRICS,
        sums: &[],
        unit_keys: &["violations", "fines", "fines_vnd"],
        breakdowns: &[
            (
                "area",
                "by_area",
                "By area of the law",
                "Theo lĩnh vực",
                true,
                &["violations", "fines", "fines_vnd"],
            ),
            (
                "penalty",
                "by_penalty",
                "By penalty",
                "Theo hình thức xử phạt",
                true,
                &["violations", "fines", "fines_vnd"],
            ),
        ],
    },
    SectionSpec {
        id: "petitions",
        en: "Complaints and denunciations",
        vi: "Khiếu nại, tố cáo",
        metrics: &PETITION_METRICS,
        sums: &[],
        unit_keys: &["received", "resolved", "resolved_on_time", "overdue"],
        breakdowns: &[(
            "kind",
            "by_kind",
            "By kind",
            "Theo loại đơn",
            true,
            &["received", "resolved", "resolved_on_time", "overdue"],
        )],
    },
    GBV,
];

/// The de-identified section on survivors of gender-based violence: its small counts are
/// hidden from everyone but the handling unit's own case supervisors (see [`build`]).
const GBV: SectionSpec = SectionSpec {
    id: "gbv",
    en: "GBV survivors (de-identified)",
    vi: "Bạo lực trên cơ sở giới",
    metrics: &GBV_METRICS,
    sums: SURVIVORS,
    unit_keys: &[
        "cases",
        "female",
        "male",
        "other",
        "children",
        "basic_service",
        "measures",
    ],
    breakdowns: &[
        ("sex", "by_sex", "By sex", "Theo giới tính", true, &["cases"]),
        (
            "age_band",
            "by_age_band",
            "By age band",
            "Theo nhóm tuổi",
            true,
            &["cases"],
        ),
        (
            "relationship",
            "by_relationship",
            "By relationship to the person who used violence",
            "Theo quan hệ với người gây bạo lực",
            true,
            &["cases"],
        ),
        (
            "channel",
            "by_channel",
            "By first report",
            "Theo nơi tiếp nhận",
            true,
            &["cases"],
        ),
        (
            "form",
            "by_form",
            "By form of violence",
            "Theo hình thức bạo lực",
            false,
            &["cases"],
        ),
        (
            "service",
            "by_service",
            "By service received",
            "Theo dịch vụ đã nhận",
            false,
            &["cases"],
        ),
        (
            "measure",
            "by_measure",
            "By protective measure",
            "Theo biện pháp bảo vệ",
            false,
            &["cases"],
        ),
    ],
};

/// What each bucket contributes to the `units` section: (its metric, section, section metric).
const UNIT_COLUMNS: [(&str, &str, &str); 11] = [
    ("plans", "plans", "plans"),
    ("trainings", "trainings", "trainings"),
    ("training_participants", "trainings", "participants"),
    ("outreach_events", "outreach", "events"),
    ("outreach_participants", "outreach", "participants"),
    ("reach", "outreach", "reach"),
    ("inspections", "inspections", "inspections"),
    ("violations", "violations", "violations"),
    ("fines_vnd", "violations", "fines_vnd"),
    ("petitions_received", "petitions", "received"),
    ("petitions_overdue", "petitions", "overdue"),
];

/// `partner`: a partner client (every section's small counts hidden). `case_supervisor`: the
/// caller is a case supervisor of `unit` itself: it sees the survivors' section unsuppressed
/// when every case in it is its own unit's; everyone else (the city's viewers and managers in a
/// drill-down included) gets that section with small counts hidden.
pub async fn build(
    conn: &mut AsyncPgConnection,
    unit: &UnitRow,
    from: NaiveDate,
    to: NaiveDate,
    (partner, case_supervisor): (bool, bool),
    lang: Lang,
) -> diesel::QueryResult<Summary> {
    let reference = to.min(crate::calendar::today());
    let facts = queries::facts(
        conn,
        &Scope {
            unit_id: unit.id,
            path: &unit.path,
            depth: unit.depth,
            from,
            to,
            reference,
            rolled: true,
        },
    )
    .await?;
    let targets = indicator_targets(conn).await?;

    let mut sections = Vec::new();
    // Per-bucket rows of every section, kept for the breakdown by unit.
    let mut per_bucket: HashMap<&'static str, Vec<Row>> = HashMap::new();
    for spec in &SPECS {
        let mut unit_rows = rows_of(&facts, spec.id, "unit", spec.unit_keys, lang);
        if !spec.sums.is_empty() {
            unit_rows = with_participants(unit_rows);
        }
        let total = total_of(&unit_rows, spec.metrics);
        let breakdowns = spec
            .breakdowns
            .iter()
            .map(|(grp, id, en, vi, additive, keys)| {
                let rows = rows_of(&facts, spec.id, grp, keys, lang);
                Breakdown {
                    id,
                    en,
                    vi,
                    additive: *additive,
                    rows: if spec.sums.is_empty() {
                        rows
                    } else {
                        with_participants(rows)
                    },
                }
            })
            .collect();
        let mut breakdowns: Vec<Breakdown> = breakdowns;
        let mut suppressed = partner;
        if spec.id == GBV.id {
            // Its own drill-down by unit (survivors are not in the `units` section), and
            // suppression unless every case is the caller's own unit's.
            let own = unit.id.to_string();
            suppressed |= !(case_supervisor && unit_rows.iter().all(|r| r.key == own));
            breakdowns.push(Breakdown {
                id: "by_unit",
                en: "By unit",
                vi: "Theo đơn vị",
                additive: true,
                rows: labelled_by_unit(&facts, unit, &unit_rows, lang),
            });
        }
        if spec.id != GBV.id {
            per_bucket.insert(spec.id, unit_rows);
        }
        sections.push(Section {
            id: spec.id,
            en: spec.en,
            vi: spec.vi,
            metrics: spec.metrics,
            sums: spec.sums,
            total,
            breakdowns,
            suppressed,
        });
    }
    let by_unit = unit_breakdown(&facts, unit, &per_bucket, lang);
    sections.push(Section {
        id: "units",
        en: "By unit",
        vi: "Theo đơn vị",
        metrics: &UNIT_METRICS,
        sums: &[],
        total: total_of(&by_unit, &UNIT_METRICS),
        breakdowns: vec![Breakdown {
            id: "by_unit",
            en: "Direct subordinate units (and the unit's own records)",
            vi: "Đơn vị trực thuộc (và số liệu của chính đơn vị)",
            additive: true,
            rows: by_unit,
        }],
        suppressed: partner,
    });
    let mut indicators = indicators(&facts, &sections, &targets, to, lang);
    for s in &mut sections {
        s.compute_percents();
        if s.suppressed {
            // Percents are hidden with the counts they come from.
            s.suppress_small_counts();
        }
    }
    for i in &mut indicators {
        // The survivors' indicator comes from case records where units keep them: hidden like
        // the survivors' section.
        let gbv = i.code == "gbv_victims_supported_share";
        if partner || (gbv && sections.iter().any(|s| s.id == GBV.id && s.suppressed)) {
            i.suppress_small_counts();
        }
    }
    Ok(Summary {
        unit: UnitRef {
            id: unit.id,
            name: unit.name.clone(),
            kind: unit.kind.clone(),
            code: unit.code.clone(),
        },
        from,
        to,
        reference_date: reference,
        generated_at: Utc::now(),
        suppressed: partner,
        sections,
        indicators,
    })
}

/// The per-bucket rows of a section, labelled with the unit's or its child's name.
fn labelled_by_unit(facts: &[Fact], unit: &UnitRow, rows: &[Row], lang: Lang) -> Vec<Row> {
    let mut out: Vec<Row> = rows
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.label = if r.key == unit.id.to_string() {
                if lang == Lang::Vi {
                    format!("{} (số liệu của đơn vị)", unit.name)
                } else {
                    format!("{} (own records)", unit.name)
                }
            } else {
                facts
                    .iter()
                    .find(|f| f.section == "units" && f.grp == "child" && f.key == r.key)
                    .map(|f| f.label.clone())
                    .unwrap_or_else(|| r.key.clone())
            };
            r
        })
        .collect();
    out.sort_by(|a, b| a.label.cmp(&b.label));
    out
}

/// One row per direct child that existed during the period (with zeros where nothing was
/// recorded) or has records in it, and one for the unit's own records; children by name.
fn unit_breakdown(
    facts: &[Fact],
    unit: &UnitRow,
    per_bucket: &HashMap<&'static str, Vec<Row>>,
    lang: Lang,
) -> Vec<Row> {
    let own = if lang == Lang::Vi {
        format!("{} (số liệu của đơn vị)", unit.name)
    } else {
        format!("{} (own records)", unit.name)
    };
    let children: Vec<&Fact> = facts
        .iter()
        .filter(|f| f.section == "units" && f.grp == "child")
        .collect();
    let has_records = |key: &str| per_bucket.values().flatten().any(|r| r.key == key);
    let mut rows: Vec<Row> = std::iter::once(Row::new(unit.id.to_string(), own))
        .chain(
            children
                .iter()
                .filter(|c| matches!(c.v[..], [1, ..]) || has_records(&c.key))
                .map(|c| Row::new(c.key.clone(), c.label.clone())),
        )
        .collect();
    rows[1..].sort_by(|a, b| a.label.cmp(&b.label));
    for row in &mut rows {
        for (metric, section, source) in UNIT_COLUMNS {
            let value = per_bucket
                .get(section)
                .into_iter()
                .flatten()
                .filter(|r| r.key == row.key)
                .map(|r| r.int(source))
                .sum();
            row.set(metric, value);
        }
    }
    rows
}

#[derive(Debug, Queryable)]
struct Target {
    code: String,
    name_en: String,
    name_vi: String,
    unit_of_measure: String,
    direction: String,
    target_2025: Option<f64>,
    target_2030: Option<f64>,
}

async fn indicator_targets(conn: &mut AsyncPgConnection) -> diesel::QueryResult<Vec<Target>> {
    use crate::db::schema::indicators as i;
    i::table
        .select((
            i::code,
            i::name_en,
            i::name_vi,
            i::unit_of_measure,
            i::direction,
            i::target_2025,
            i::target_2030,
        ))
        .load(conn)
        .await
}

/// The target the strategy sets for the end of `year`: the 2025 value up to 2025, then a
/// straight line to the 2030 value.
pub fn milestone(year: i32, t2025: Option<f64>, t2030: Option<f64>) -> Option<f64> {
    match (t2025, t2030) {
        (Some(a), _) if year <= 2025 => Some(a),
        (Some(a), Some(b)) if year < 2030 => Some(a + (b - a) * f64::from(year - 2025) / 5.0),
        (_, Some(b)) => Some(b),
        _ => None,
    }
}

fn indicators(facts: &[Fact], sections: &[Section], targets: &[Target], to: NaiveDate, lang: Lang) -> Vec<Indicator> {
    let group = |grp: &str| -> Vec<i64> {
        facts
            .iter()
            .find(|f| f.section == "indicators" && f.grp == grp)
            .map(|f| f.v.clone())
            .unwrap_or_default()
    };
    let at = |v: &[i64], i: usize| v.get(i).copied().unwrap_or(0);
    let leaders = group("leaders");
    let figures = group("figures");
    let trained = sections
        .iter()
        .find(|s| s.id == "trainings")
        .map(|s| s.total.int("officials_trained"))
        .unwrap_or(0);
    let text = |en: &str, vi: &str| {
        if lang == Lang::Vi {
            vi.to_string()
        } else {
            en.to_string()
        }
    };
    let mut out = Vec::new();
    for t in targets {
        let (num, den, available, note) = match t.code.as_str() {
            "female_key_leader_share" => (
                at(&leaders, 1),
                at(&leaders, 0),
                at(&leaders, 2) > 0,
                text(
                    &format!(
                        "Local governments whose People's Committee or Council chair or vice-chair is a woman on {}, of all local governments; {} of {} have leaders on record.",
                        to.min(crate::calendar::today()),
                        at(&leaders, 2),
                        at(&leaders, 0)
                    ),
                    &format!(
                        "Số chính quyền địa phương có Chủ tịch hoặc Phó Chủ tịch UBND, HĐND là nữ tại ngày {} trên tổng số; {} trên {} đơn vị đã nhập lãnh đạo.",
                        to.min(crate::calendar::today()),
                        at(&leaders, 2),
                        at(&leaders, 0)
                    ),
                ),
            ),
            "officials_trained_share" => (
                trained,
                at(&figures, 0),
                at(&figures, 1) > 0,
                text(
                    &format!(
                        "Participants of trainings for officials and collaborators in the period, of the officials and collaborators doing gender-equality work that units reported for {} (capped at 100%).",
                        to.year()
                    ),
                    &format!(
                        "Lượt cán bộ, cộng tác viên được tập huấn trong kỳ trên số cán bộ, cộng tác viên làm công tác bình đẳng giới các đơn vị báo cáo năm {} (tối đa 100%).",
                        to.year()
                    ),
                ),
            ),
            "gbv_victims_supported_share" => (
                at(&figures, 3),
                at(&figures, 2),
                at(&figures, 4) > 0,
                text(
                    &format!(
                        "Detected victims of gender-based violence who received at least one basic support service (health care, psychosocial support or counselling, legal aid, safety or shelter, police and justice). For each unit and year with case records, from those cases (with consent to statistics); otherwise from the yearly figures the unit reported; never both. {} of {} unit-years from case records.",
                        at(&figures, 5),
                        at(&figures, 4)
                    ),
                    &format!(
                        "Số người bị bạo lực trên cơ sở giới được phát hiện đã được hỗ trợ ít nhất một dịch vụ cơ bản (y tế, tâm lý hoặc tư vấn, pháp lý, an toàn hoặc tạm lánh, công an và tư pháp). Với mỗi đơn vị và năm có hồ sơ vụ việc, tính từ các vụ việc (đồng ý thống kê); nếu không, từ số liệu năm đơn vị báo cáo; không cộng cả hai. {} trên {} đơn vị-năm tính từ hồ sơ vụ việc.",
                        at(&figures, 5),
                        at(&figures, 4)
                    ),
                ),
            ),
            _ => continue,
        };
        let value = if available && den > 0 {
            let v = num as f64 * 100.0 / den as f64;
            Cell::Percent(if t.code == "officials_trained_share" {
                v.min(100.0)
            } else {
                v
            })
        } else {
            Cell::Empty
        };
        let milestone = milestone(to.year(), t.target_2025, t.target_2030);
        let on_track = match (value, milestone) {
            (Cell::Percent(v), Some(m)) => Some(if t.direction == "decrease" { v <= m } else { v >= m }),
            _ => None,
        };
        out.push(Indicator {
            code: t.code.clone(),
            name: if lang == Lang::Vi {
                t.name_vi.clone()
            } else {
                t.name_en.clone()
            },
            unit_of_measure: t.unit_of_measure.clone(),
            available,
            value,
            numerator: if available { Cell::Int(num) } else { Cell::Empty },
            denominator: if available { Cell::Int(den) } else { Cell::Empty },
            target_2025: t.target_2025,
            target_2030: t.target_2030,
            milestone,
            on_track,
            note: if available {
                note
            } else {
                text(
                    "Not available: no unit in scope has reported the data it needs for the period.",
                    "Chưa có: chưa đơn vị nào trong phạm vi báo cáo số liệu cần thiết cho kỳ này.",
                )
            },
        });
    }
    out
}

impl Indicator {
    /// Partners' view: a numerator or denominator from 1 to 4 hides both and the value (a share
    /// with one known part gives the other away), and whether it is on track.
    fn suppress_small_counts(&mut self) {
        let small = |c: Cell| matches!(c, Cell::Int(1..=4));
        if small(self.numerator) || small(self.denominator) {
            self.numerator = Cell::Suppressed;
            self.denominator = Cell::Suppressed;
            self.value = Cell::Suppressed;
            self.on_track = None;
        }
    }
}
