//! Reference data (`binhdang seed`: the files under `data/`, see [`reference`]) and demo data
//! (`binhdang seed --demo`). Idempotent: every record has a deterministic id (UUID v5 of a stable
//! key), so a second run changes nothing.

pub mod demo_cases;
pub mod reference;
pub mod synthetic;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use serde_json::{Map, Value};

use crate::audit::{self, Actor, Change};
use crate::auth::Role;
use crate::config::Secret;
use crate::db::schema::{units, users};
use crate::documents::api::Document;
use crate::units::api::Unit;
use crate::units::model::LineageRow;
use reference::{Difference, Outcome, Table};

const NAMESPACE: Uuid = Uuid::from_u128(0x6b1f_5a2e_8d3c_4e7a_9f10_2b3c_4d5e_6f70);

/// The deterministic id of a seeded record.
pub fn seed_id(key: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, key.as_bytes())
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid calendar date literal")
}

/// The reference data files, in load order (a row's references come first).
pub const DATA_FILES: [(&str, &str); 9] = [
    ("units.csv", include_str!("data/units.csv")),
    ("lineage.csv", include_str!("data/lineage.csv")),
    ("documents.csv", include_str!("data/documents.csv")),
    ("indicators.csv", include_str!("data/indicators.csv")),
    ("deadline_rules.csv", include_str!("data/deadline_rules.csv")),
    ("holidays.csv", include_str!("data/holidays.csv")),
    ("decrees.csv", include_str!("data/decrees.csv")),
    ("violation_rules.csv", include_str!("data/violation_rules.csv")),
    ("fining_authorities.csv", include_str!("data/fining_authorities.csv")),
];

fn id_column(row: &Map<String, Value>) -> Option<Uuid> {
    row.get("id").and_then(Value::as_str).and_then(|s| s.parse().ok())
}

fn holiday_id(row: &Map<String, Value>) -> Option<Uuid> {
    let day = row.get("day")?.as_str()?;
    Some(Uuid::new_v5(&Uuid::NAMESPACE_OID, format!("holiday:{day}").as_bytes()))
}

const UNITS: Table = Table {
    name: "units",
    key: &["id"],
    columns: &[
        "id",
        "parent_id",
        "path",
        "depth",
        "kind",
        "code",
        "name",
        "valid_from",
        "valid_to",
    ],
    versioned: true,
    audited: Some(("unit", id_column)),
};
const LINEAGE: Table = Table {
    name: "unit_lineage",
    key: &["predecessor_id", "successor_id"],
    columns: &["predecessor_id", "successor_id", "effective_on", "note"],
    versioned: false,
    audited: None,
};
const DOCUMENTS: Table = Table {
    name: "legal_documents",
    key: &["id"],
    columns: &[
        "id",
        "kind",
        "number",
        "issuer",
        "issued_on",
        "effective_on",
        "title",
        "unit_id",
    ],
    versioned: true,
    audited: Some(("legal_document", id_column)),
};

/// The plain reference tables: (file, table).
const PLAIN: [(&str, Table); 6] = [
    (
        "indicators.csv",
        Table {
            name: "indicators",
            key: &["code"],
            columns: &[
                "code",
                "name_en",
                "name_vi",
                "unit_of_measure",
                "direction",
                "target_2025",
                "target_2030",
                "source",
                "verified",
            ],
            versioned: false,
            audited: None,
        },
    ),
    (
        "deadline_rules.csv",
        Table {
            name: "deadline_rules",
            key: &["code"],
            columns: &[
                "code",
                "petition_kind",
                "stage",
                "instance",
                "complex",
                "remote",
                "elsewhere",
                "complexity",
                "max_times",
                "days",
                "day_kind",
                "effective_from",
                "effective_to",
                "legal_basis",
                "verified",
            ],
            versioned: false,
            audited: None,
        },
    ),
    (
        "holidays.csv",
        Table {
            name: "holidays",
            key: &["day"],
            columns: &["day", "kind", "name", "source", "verified"],
            versioned: false,
            audited: Some(("holiday", holiday_id)),
        },
    ),
    (
        "decrees.csv",
        Table {
            name: "decrees",
            key: &["code"],
            columns: &[
                "code",
                "title",
                "effective_from",
                "effective_to",
                "individual_max_vnd",
                "organization_multiplier",
                "limitation_months",
                "source",
                "verified",
            ],
            versioned: false,
            audited: None,
        },
    ),
    (
        "violation_rules.csv",
        Table {
            name: "violation_rules",
            key: &["id"],
            columns: &[
                "id",
                "decree_code",
                "article",
                "clause",
                "point",
                "area",
                "description",
                "min_fine_vnd",
                "max_fine_vnd",
                "source",
                "verified",
            ],
            versioned: true,
            audited: Some(("violation_rule", id_column)),
        },
    ),
    (
        "fining_authorities.csv",
        Table {
            name: "fining_authorities",
            key: &["code"],
            columns: &[
                "code",
                "position",
                "warning_only",
                "may_sanction",
                "max_percent",
                "max_vnd",
                "effective_from",
                "effective_to",
                "legal_basis",
                "verified",
            ],
            versioned: false,
            audited: None,
        },
    ),
];

fn file(name: &str) -> anyhow::Result<Vec<Map<String, Value>>> {
    let (name, text) = DATA_FILES
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| anyhow::anyhow!("no data file {name}"))?;
    reference::read_csv(name, text)
}

fn text<'a>(row: &'a Map<String, Value>, field: &str) -> &'a str {
    row.get(field).and_then(Value::as_str).unwrap_or("")
}

/// What a seed did: rows inserted and updated, and the rows it left alone because an admin had
/// changed them (with the fields that differ from the file).
#[derive(Debug, Default)]
pub struct SeedReport {
    pub inserted: usize,
    pub updated: usize,
    pub kept: Vec<Difference>,
}

impl SeedReport {
    fn add(&mut self, (changed, kept): reference::Applied) -> Vec<(Map<String, Value>, Outcome)> {
        self.inserted += changed.iter().filter(|(_, o)| *o == Outcome::Inserted).count();
        self.updated += changed.iter().filter(|(_, o)| *o == Outcome::Updated).count();
        self.kept.extend(kept);
        changed
    }
}

/// The audit entry of a seeded change (the change feed carries units, lineage and documents).
async fn feed<T: serde::Serialize>(
    conn: &mut AsyncPgConnection,
    resource: &'static str,
    (id, unit_id, path): (Uuid, Uuid, &str),
    outcome: &Outcome,
    after: &T,
) -> anyhow::Result<()> {
    let action = if *outcome == Outcome::Inserted {
        "create"
    } else {
        "update"
    };
    let change = Change::new(resource, (id, unit_id, path), action, None, Some(after));
    audit::record(conn, Actor::System, change).await?;
    Ok(())
}

/// The units (with ids, paths and depths derived from their keys) and their lineage.
async fn seed_units(conn: &mut AsyncPgConnection, report: &mut SeedReport) -> anyhow::Result<()> {
    let mut paths: std::collections::HashMap<String, (Uuid, String, i32)> = Default::default();
    let mut rows = Vec::new();
    for u in file("units.csv")? {
        let key = text(&u, "key").to_string();
        let id = seed_id(&key);
        let parent = match text(&u, "parent") {
            "" => None,
            p => Some(
                paths
                    .get(p)
                    .cloned()
                    .ok_or_else(|| anyhow::anyhow!("units.csv: {key} before its parent {p}"))?,
            ),
        };
        let (path, depth) = match &parent {
            Some((_, p, d)) => (format!("{p}{id}/"), d + 1),
            None => (format!("/{id}/"), 0),
        };
        paths.insert(key, (id, path.clone(), depth));
        let mut row = u.clone();
        row.insert("id".into(), Value::String(id.to_string()));
        row.insert(
            "parent_id".into(),
            parent.map_or(Value::Null, |p| Value::String(p.0.to_string())),
        );
        row.insert("path".into(), Value::String(path));
        row.insert("depth".into(), Value::from(depth));
        rows.push(row);
    }
    for (row, outcome) in report.add(reference::apply_all(conn, &UNITS, &rows).await?) {
        let Some(unit) = id_column(&row) else { continue };
        if let Some(u) = crate::units::queries::find(conn, unit).await? {
            let path = u.path.clone();
            feed(conn, "unit", (unit, unit, &path), &outcome, &Unit::from(u)).await?;
        }
    }
    let mut links = Vec::new();
    for l in file("lineage.csv")? {
        let mut row = l.clone();
        for (field, column) in [("predecessor", "predecessor_id"), ("successor", "successor_id")] {
            row.insert(column.into(), Value::String(seed_id(text(&l, field)).to_string()));
        }
        links.push(row);
    }
    for (row, outcome) in report.add(reference::apply_all(conn, &LINEAGE, &links).await?) {
        let link = LineageRow {
            predecessor_id: seed_id(text(&row, "predecessor")),
            successor_id: seed_id(text(&row, "successor")),
            effective_on: text(&row, "effective_on").parse()?,
            note: row.get("note").and_then(Value::as_str).map(str::to_string),
        };
        let path = paths
            .values()
            .find(|(id, _, _)| *id == link.successor_id)
            .map(|(_, p, _)| p.clone())
            .unwrap_or_default();
        feed(
            conn,
            "unit_lineage",
            (link.id(), link.successor_id, &path),
            &outcome,
            &crate::units::api::LineageRecord::from(&link),
        )
        .await?;
    }
    Ok(())
}

/// Loads the reference data files (idempotent): inserts what is missing, updates what is still as
/// the seed last wrote it, and reports what an admin changed.
pub async fn seed_reference(conn: &mut AsyncPgConnection) -> anyhow::Result<SeedReport> {
    conn.transaction::<_, anyhow::Error, _>(async |conn| {
        let mut report = SeedReport::default();
        seed_units(conn, &mut report).await?;
        let mut docs = Vec::new();
        for d in file("documents.csv")? {
            let mut row = d.clone();
            row.insert(
                "id".into(),
                Value::String(seed_id(&format!("document:{}", text(&d, "key"))).to_string()),
            );
            // A local document names its issuing unit by its key; a national one leaves it empty.
            let unit = d.get("unit").and_then(Value::as_str).filter(|u| !u.is_empty());
            row.insert(
                "unit_id".into(),
                unit.map_or(Value::Null, |u| Value::String(seed_id(u).to_string())),
            );
            docs.push(row);
        }
        for (row, outcome) in report.add(reference::apply_all(conn, &DOCUMENTS, &docs).await?) {
            let Some(id) = id_column(&row) else { continue };
            if let Some(doc) = crate::documents::queries::find(conn, id).await? {
                let out = Document::from(doc);
                feed(
                    conn,
                    "legal_document",
                    (id, Uuid::nil(), audit::GLOBAL_PATH),
                    &outcome,
                    &out,
                )
                .await?;
            }
        }
        for (name, table) in &PLAIN {
            let mut rows = file(name)?;
            if table.name == "violation_rules" {
                for r in &mut rows {
                    let id = seed_id(&format!("violation-rule:{}", text(r, "key")));
                    r.insert("id".into(), Value::String(id.to_string()));
                }
            }
            report.add(reference::apply_all(conn, table, &rows).await?);
        }
        Ok(report)
    })
    .await
}

/// The 2020 guidance's five documents, cited by the demo city plan.
pub const GUIDANCE_2020: [&str; 5] = ["law-73-2006", "nq-11-tw", "qd-178-ttg", "ct-21-tw", "kh-35-bvstbpn"];

/// Demo users, one per role: (username, role, unit key). `national.admin` keeps the reference
/// data (holidays, the violation catalogue, national legal documents).
pub const DEMO_USERS: [(&str, Role, &str); 8] = [
    ("national.admin", Role::Admin, "country:VN"),
    ("admin", Role::Admin, "district:356"),
    ("manager", Role::Manager, "district:356"),
    ("inspector", Role::Inspector, "district:356"),
    ("viewer", Role::Viewer, "district:356"),
    ("halong.admin", Role::Admin, "commune:13633:2020"),
    ("halong.manager", Role::Manager, "commune:13633:2020"),
    ("halong.officer", Role::Officer, "commune:13633:2020"),
];

/// Demo users with a case role in Hạ Long (survivors' cases): (username, role, case role).
pub const DEMO_CASE_USERS: [(&str, Role, &str, &str); 3] = [
    ("halong.caseworker", Role::Officer, "case_worker", "commune:13633:2020"),
    (
        "halong.supervisor",
        Role::Officer,
        "case_supervisor",
        "commune:13633:2020",
    ),
    // Receives referrals to the city's services (its shelter).
    ("city.supervisor", Role::Officer, "case_supervisor", "district:356"),
];

/// The password of every demo user. Demo data only: never seed demo users in production.
pub const DEMO_PASSWORD: &str = "binhdang-demo";

/// Adds the demo users (existing ones are left alone) and the demo records (plans, trainings,
/// outreach, leaders, casework, an attachment); returns
/// (username, role) of each user.
pub async fn seed_demo(
    conn: &mut AsyncPgConnection,
    key: &crate::auth::second_factor::DataKey,
) -> anyhow::Result<Vec<(String, Role)>> {
    let hash = crate::auth::password::hash(Secret::new(DEMO_PASSWORD)).await?;
    let case_users = DEMO_CASE_USERS.map(|(u, r, _, unit)| (u, r, unit));
    for (username, role, unit) in DEMO_USERS.into_iter().chain(case_users) {
        let case_role = DEMO_CASE_USERS.iter().find(|c| c.0 == username).map(|c| c.2);
        diesel::insert_into(users::table)
            .values((
                users::id.eq(seed_id(&format!("user:{username}"))),
                users::username.eq(username),
                users::password_hash.eq(&hash),
                users::unit_id.eq(seed_id(unit)),
                users::role.eq(role.as_str()),
                users::display_name.eq(format!("Demo {}", role.as_str())),
                // Their password is public: the two-factor policy would only lock the
                // walkthroughs out, never an attacker.
                users::two_factor_exempt.eq(true),
                users::case_role.eq(case_role),
            ))
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
    }
    seed_demo_plans(conn).await?;
    seed_demo_records(conn).await?;
    seed_demo_leadership(conn).await?;
    demo_cases::seed(conn).await?;
    demo_cases::seed_support_case(conn, key).await?;
    demo_cases::seed_webhook(conn, key).await?;
    Ok(DEMO_USERS
        .iter()
        .map(|(u, r, _)| (u.to_string(), *r))
        .chain(DEMO_CASE_USERS.iter().map(|(u, r, _, _)| (u.to_string(), *r)))
        .collect())
}

/// Who led the city and three wards in 2020 (the 2016-2021 term), and their 2020 figures, so the
/// demo's indicators have data.
async fn seed_demo_leadership(conn: &mut AsyncPgConnection) -> anyhow::Result<()> {
    use crate::units::model::{FiguresRow, LeaderRow};

    let leaders = [
        ("district:356", "people_committee", "chair", "male"),
        ("district:356", "people_council", "vice_chair", "female"),
        ("commune:13633:2020", "people_committee", "vice_chair", "female"),
        ("commune:13639:2020", "people_committee", "chair", "male"),
        ("commune:13666:2020", "people_council", "chair", "female"),
    ];
    let figures = [
        ("district:356", 14, 3, 3),
        ("commune:13633:2020", 6, 4, 3),
        ("commune:13639:2020", 5, 2, 2),
        ("commune:13666:2020", 7, 5, 4),
    ];
    conn.transaction::<_, anyhow::Error, _>(async |conn| {
        let now = chrono::Utc::now();
        for (key, body, position, sex) in leaders {
            let unit_id = seed_id(key);
            let path: String = units::table.find(unit_id).select(units::path).first(conn).await?;
            let row = LeaderRow {
                id: seed_id(&format!("leader:{key}:{body}:{position}:2016")),
                unit_id,
                unit_path: path.clone(),
                body: body.into(),
                position: position.into(),
                holder_sex: sex.into(),
                started_on: date(2016, 7, 1),
                ended_on: Some(date(2021, 6, 30)),
                created_at: now,
                updated_at: now,
                version: 1,
            };
            crate::write::seed(conn, &row).await?;
        }
        for (key, officials, detected, supported) in figures {
            let unit_id = seed_id(key);
            let path: String = units::table.find(unit_id).select(units::path).first(conn).await?;
            let row = FiguresRow {
                id: seed_id(&format!("figures:{key}:2020")),
                unit_id,
                unit_path: path.clone(),
                year: 2020,
                ge_officials: Some(officials),
                gbv_victims_detected: Some(detected),
                gbv_victims_supported: Some(supported),
                created_at: now,
                updated_at: now,
                version: 1,
            };
            crate::write::seed(conn, &row).await?;
        }
        Ok(())
    })
    .await
}

/// The 2020 Action Month in several wards: a city campaign, outreach events and trainings
/// linked to the demo city plan's activities.
async fn seed_demo_records(conn: &mut AsyncPgConnection) -> anyhow::Result<()> {
    use crate::campaigns::model::CampaignRow;
    use crate::outreach::model::EventRow;
    use crate::trainings::model::TrainingRow;

    conn.transaction::<_, anyhow::Error, _>(async |conn| {
        let city_id = seed_id("district:356");
        let city_path: String = units::table.find(city_id).select(units::path).first(conn).await?;
        let campaign = CampaignRow {
            id: seed_id("campaign:356:action-month-2020"),
            unit_id: city_id,
            unit_path: city_path.clone(),
            name: "Tháng hành động vì bình đẳng giới và phòng ngừa, ứng phó với bạo lực trên cơ sở giới năm 2020"
                .into(),
            description: Some("Chủ đề: Chung tay chấm dứt bạo lực đối với phụ nữ và trẻ em gái".into()),
            starts_on: date(2020, 11, 15),
            ends_on: date(2020, 12, 15),
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
            version: 1,
        };
        if crate::write::seed(conn, &campaign).await?.is_none() {
            return Ok(()); // already seeded
        }
        let communication = seed_id("activity:356:2020:communication");
        let training = seed_id("activity:356:2020:training");
        let wards = [
            ("commune:13633:2020", "Hạ Long", 180, 70),
            ("commune:13639:2020", "Vị Hoàng", 140, 55),
            ("commune:13666:2020", "Trần Hưng Đạo", 210, 90),
        ];
        for (i, (key, name, female, male)) in wards.into_iter().enumerate() {
            let unit_id = seed_id(key);
            let path: String = units::table.find(unit_id).select(units::path).first(conn).await?;
            let now = chrono::Utc::now();
            let event = EventRow {
                id: seed_id(&format!("event:{key}:2020-11-15")),
                unit_id,
                unit_path: path.clone(),
                activity_id: Some(communication),
                campaign_id: Some(campaign.id),
                kind: "street_event".into(),
                title: format!("Mít tinh hưởng ứng Tháng hành động vì bình đẳng giới tại phường {name}"),
                topics: vec!["gbv".into(), "gender_equality_law".into()],
                starts_on: date(2020, 11, 15 + i as u32),
                ends_on: date(2020, 11, 15 + i as u32),
                location: Some(format!("Sân UBND phường {name}")),
                channel: None,
                audience_reached: Some(female + male + 100),
                female,
                male,
                other_sex: 0,
                has_participant_list: false,
                is_public: true,
                in_action_month: None,
                created_at: now,
                updated_at: now,
                version: 1,
            };
            crate::write::seed(conn, &event).await?;
            let broadcast = EventRow {
                id: seed_id(&format!("event:{key}:broadcast-2020")),
                kind: "broadcast".into(),
                title: format!("Tuyên truyền trên hệ thống loa phát thanh phường {name}"),
                topics: vec!["gbv".into(), "sex_selection_at_birth".into()],
                starts_on: date(2020, 11, 16),
                ends_on: date(2020, 12, 15),
                location: None,
                channel: Some("Loa phát thanh phường".into()),
                audience_reached: Some(5000),
                female: 0,
                male: 0,
                ..event
            };
            crate::write::seed(conn, &broadcast).await?;
            let course = TrainingRow {
                id: seed_id(&format!("training:{key}:2020")),
                unit_id,
                unit_path: path.clone(),
                activity_id: Some(training),
                title: format!("Tập huấn kiến thức về bình đẳng giới cho cán bộ, cộng tác viên phường {name}"),
                topics: vec!["gbv".into(), "gender_equality_law".into()],
                audiences: vec!["collaborators".into(), "officials".into()],
                starts_on: date(2020, 11, 20 + i as u32),
                ends_on: date(2020, 11, 20 + i as u32),
                location: Some(format!("Hội trường UBND phường {name}")),
                organiser: Some(format!("UBND phường {name}")),
                trainers: vec!["Phòng Lao động - Thương binh và Xã hội".into()],
                female: 25 + i as i32,
                male: 10,
                other_sex: 0,
                has_participant_list: false,
                in_action_month: None,
                created_at: now,
                updated_at: now,
                version: 1,
            };
            crate::write::seed(conn, &course).await?;
        }
        Ok(())
    })
    .await
}

/// The 2020 city guidance as a real example: the city's approved 2020 plan citing the
/// guidance's five documents, with targets and activities (Action Month communication,
/// training, GBV support, inspection), and draft ward plans implementing it.
async fn seed_demo_plans(conn: &mut AsyncPgConnection) -> anyhow::Result<()> {
    use crate::db::schema::{plan_transitions, plans};
    use crate::plans::api::Plan;
    use crate::plans::model::{ActivityRow, NewPlanRow, PlanDraft, TargetRow};
    use crate::plans::queries::{self as pq, Planned};

    conn.transaction::<_, anyhow::Error, _>(async |conn| {
        let city_path: String = units::table.find(seed_id("district:356")).select(units::path).first(conn).await?;
        let city_plan_id = seed_id("plan:356:2020:yearly");
        let city = NewPlanRow {
            id: city_plan_id,
            unit_id: seed_id("district:356"),
            unit_path: city_path.clone(),
            year: 2020,
            kind: "yearly".into(),
            title: "Kế hoạch thực hiện công tác bình đẳng giới và vì sự tiến bộ của phụ nữ năm 2020".into(),
            summary: Some(
                "Triển khai Luật Bình đẳng giới; tổ chức Tháng hành động vì bình đẳng giới và phòng ngừa, ứng phó với bạo lực \
                 trên cơ sở giới (15/11 - 15/12); tập huấn cán bộ, cộng tác viên; hỗ trợ nạn nhân bạo lực; kiểm tra việc \
                 thực hiện pháp luật về bình đẳng giới tại các phường, xã."
                    .into(),
            ),
            areas: crate::domain::areas_to_db(&crate::domain::LawArea::ALL),
            parent_plan_id: None,
        };
        let documents: Vec<Uuid> = GUIDANCE_2020.iter().map(|k| seed_id(&format!("document:{k}"))).collect();
        let city_unit = city.unit_id;
        let Some(plan) = crate::write::seed(conn, &PlanDraft { row: city, documents }).await? else {
            return Ok(()); // already seeded
        };
        let owner = pq::find(conn, plan.id).await?.ok_or_else(|| anyhow::anyhow!("the city plan vanished"))?;

        let targets = [
            ("Tỷ lệ cơ quan, đơn vị có lãnh đạo chủ chốt là nữ", Some("female_key_leader_share"), "%", "increase", 40.0, 60.0),
            ("Tỷ số giới tính khi sinh", Some("sex_ratio_at_birth"), "bé trai/100 bé gái", "decrease", 113.0, 111.0),
            ("Tỷ lệ cán bộ, cộng tác viên được tập huấn về bình đẳng giới", Some("officials_trained_share"), "%", "increase", 70.0, 100.0),
        ];
        for (i, (indicator, code, unit, direction, baseline, target)) in targets.into_iter().enumerate() {
            let row = TargetRow {
                id: seed_id(&format!("target:356:2020:{i}")),
                plan_id: city_plan_id,
                indicator: indicator.into(),
                indicator_code: code.map(str::to_string),
                unit_of_measure: unit.into(),
                direction: direction.into(),
                baseline: Some(baseline),
                target_value: target,
                actual_value: None,
                measured_on: None,
                created_at: chrono::Utc::now(),
                updated_at: chrono::Utc::now(),
                version: 1,
            };
            crate::write::seed(conn, &Planned::of(row, &owner)).await?;
        }

        let activities = [
            (
                "communication",
                "Tháng hành động vì bình đẳng giới và phòng ngừa, ứng phó với bạo lực trên cơ sở giới năm 2020",
                (11, 15),
                (12, 15),
                "district:356",
                30_000_000,
                10_000_000,
            ),
            ("training", "Tập huấn nâng cao năng lực cho cán bộ, cộng tác viên làm công tác bình đẳng giới", (9, 1), (12, 15), "district:356", 20_000_000, 0),
            ("support_service", "Tư vấn, hỗ trợ nạn nhân bạo lực trên cơ sở giới", (1, 1), (12, 31), "dept:356:ldtbxh", 15_000_000, 5_000_000),
            ("inspection", "Kiểm tra việc thực hiện pháp luật về bình đẳng giới tại các phường, xã", (10, 1), (11, 30), "dept:356:thanhtra", 5_000_000, 0),
        ];
        for (kind, title, start, end, unit_key, state_vnd, mobilized_vnd) in activities {
            let unit_path: String = units::table.find(seed_id(unit_key)).select(units::path).first(conn).await?;
            let row = ActivityRow {
                id: seed_id(&format!("activity:356:2020:{kind}")),
                plan_id: city_plan_id,
                kind: kind.into(),
                title: title.into(),
                starts_on: date(2020, start.0, start.1),
                ends_on: date(2020, end.0, end.1),
                responsible_unit_id: seed_id(unit_key),
                responsible_unit_path: unit_path,
                budget_state_vnd: state_vnd,
                budget_mobilized_vnd: mobilized_vnd,
                status: "planned".into(),
                created_at: chrono::Utc::now(),
                updated_at: chrono::Utc::now(),
                version: 1,
            };
            crate::write::seed(conn, &Planned::of(row, &owner)).await?;
        }

        // Submitted by the city and approved above it, as the province would have done.
        for (action, from, to) in [("submit", "draft", "submitted"), ("approve", "submitted", "approved")] {
            diesel::insert_into(plan_transitions::table)
                .values((
                    plan_transitions::plan_id.eq(city_plan_id),
                    plan_transitions::action.eq(action),
                    plan_transitions::from_status.eq(from),
                    plan_transitions::to_status.eq(to),
                    plan_transitions::actor_id.eq(Uuid::nil()),
                    plan_transitions::actor_name.eq("binhdang seed"),
                    plan_transitions::actor_role.eq("system"),
                ))
                .execute(conn)
                .await?;
        }
        diesel::update(plans::table.find(city_plan_id))
            .set((plans::status.eq("approved"), plans::version.eq(3)))
            .execute(conn)
            .await?;
        let approved = pq::find(conn, city_plan_id).await?.ok_or_else(|| anyhow::anyhow!("the city plan vanished"))?;
        let change = Change::new("plan", (city_plan_id, city_unit, &city_path), "approve", None, Some(&Plan::from(approved)));
        audit::record(conn, Actor::System, change).await?;

        for (key, name) in [("commune:13633:2020", "Hạ Long"), ("commune:13639:2020", "Vị Hoàng"), ("commune:13666:2020", "Trần Hưng Đạo")] {
            let path: String = units::table.find(seed_id(key)).select(units::path).first(conn).await?;
            let ward = NewPlanRow {
                id: seed_id(&format!("plan:{key}:yearly")),
                unit_id: seed_id(key),
                unit_path: path.clone(),
                year: 2020,
                kind: "yearly".into(),
                title: format!("Kế hoạch thực hiện công tác bình đẳng giới năm 2020 của phường {name}"),
                summary: None,
                areas: crate::domain::areas_to_db(&[crate::domain::LawArea::Family, crate::domain::LawArea::Politics]),
                parent_plan_id: Some(city_plan_id),
            };
            let docs = [seed_id("document:law-73-2006"), seed_id("document:kh-35-bvstbpn")];
            let docs = docs.to_vec();
            crate::write::seed(conn, &PlanDraft { row: ward, documents: docs }).await?;
        }
        Ok(())
    })
    .await
}
