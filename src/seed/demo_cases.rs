//! The demo's casework, so that every "Try it out" in Swagger UI finds a record on
//! `serve --demo`: a complaint in Hạ Long, a city inspection of a garment company and the
//! violation it found, a partner NGO's API client, and a photo attached to Hạ Long's 2020
//! training. Ids are deterministic ([`super::seed_id`]); a second run changes nothing.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::{date, seed_id};
use crate::db::schema::units;

/// A 1×1 PNG: the demo attachment's content (checked by content like any upload).
pub const DEMO_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d,
    0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

async fn path_of(conn: &mut AsyncPgConnection, key: &str) -> anyhow::Result<String> {
    Ok(units::table.find(seed_id(key)).select(units::path).first(conn).await?)
}

pub async fn seed(conn: &mut AsyncPgConnection) -> anyhow::Result<()> {
    use crate::inspections::model::InspectionRow;
    use crate::petitions::deadlines::{self, Case};
    use crate::petitions::model::PetitionRow;
    use crate::violations::model::ViolationRow;

    let now = chrono::Utc::now();
    let (city, ha_long) = ("district:356", "commune:13633:2020");
    let (city_path, ha_long_path) = (path_of(conn, city).await?, path_of(conn, ha_long).await?);

    let received_on = date(2020, 11, 20);
    let case = Case {
        kind: "complaint",
        received_on,
        accepted_on: None,
        instance: 1,
        complexity: "normal",
        remote: false,
        verification_elsewhere: false,
        extension_count: 0,
    };
    let due = deadlines::for_case(conn, &case)
        .await
        .map_err(|e| anyhow::anyhow!("deadlines of the demo complaint: {e}"))?;
    let petition = PetitionRow {
        id: seed_id("petition:13633:2020-11-20"),
        kind: "complaint".into(),
        handling_unit_id: seed_id(ha_long),
        unit_path: ha_long_path.clone(),
        received_on,
        channel: "in_person".into(),
        subject: "Khiếu nại việc không được xét nâng lương vì nghỉ thai sản".into(),
        summary: Some("Người lao động nữ cho rằng bị đối xử bất bình đẳng khi xét nâng lương.".into()),
        instance: 1,
        complex: false,
        complexity: "normal".into(),
        remote: false,
        verification_elsewhere: false,
        extension_count: 0,
        status: "received".into(),
        accepted_on: None,
        decision: None,
        decided_on: None,
        acceptance_due_on: due.acceptance_due_on,
        resolution_due_on: due.resolution_due_on,
        due_on: Some(due.acceptance_due_on),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    crate::write::seed(conn, &petition).await?;

    let inspection = InspectionRow {
        id: seed_id("inspection:356:2020:garment"),
        kind: "check".into(),
        inspecting_unit_id: seed_id(city),
        unit_path: city_path.clone(),
        subject_name: "Công ty TNHH May Thành Nam".into(),
        subject_type: "employer".into(),
        subject_unit_id: None,
        subject_address: Some("Khu công nghiệp Hòa Xá, Nam Định".into()),
        decision_number: Some("125/QĐ-UBND".into()),
        decision_on: Some(date(2020, 11, 2)),
        period_from: Some(date(2020, 11, 16)),
        period_to: Some(date(2020, 11, 18)),
        areas: vec!["labour".into()],
        team_members: vec!["Trần Thị Hoa".into(), "Nguyễn Văn Bình".into()],
        status: "planned".into(),
        conclusion: None,
        concluded_on: None,
        recommendations: None,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    crate::write::seed(conn, &inspection).await?;

    let violation = ViolationRow {
        id: seed_id("violation:356:2020:garment"),
        inspection_id: Some(inspection.id),
        handling_unit_id: seed_id(city),
        unit_path: city_path.clone(),
        offender_kind: "organization".into(),
        organization_name: Some("Công ty TNHH May Thành Nam".into()),
        rule_id: seed_id("violation-rule:125-labour-3"),
        area: "labour".into(),
        // Recent, so that a sanction can still be decided on it (the limitation period runs
        // from the act): the demo's decide example works whenever the demo is started.
        act_on: crate::calendar::today() - chrono::Duration::days(30),
        description: Some(
            "Tuyển dụng chỉ nhận lao động nam cho vị trí không thuộc danh mục nghề cấm lao động nữ.".into(),
        ),
        record_number: Some("01/BB-VPHC".into()),
        recorded_on: Some(crate::calendar::today() - chrono::Duration::days(29)),
        penalty: None,
        fine_vnd: None,
        remedial_measures: Vec::new(),
        status: "recorded".into(),
        decided_on: None,
        decided_by_position: None,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    crate::write::seed(conn, &violation).await?;

    seed_client(conn, &city_path).await?;
    seed_services(conn, &city_path, &ha_long_path).await?;
    seed_attachment(conn, &ha_long_path).await?;
    seed_import(conn, &ha_long_path).await
}

/// A demo support service: its seed key, the unit it serves, what it is.
struct DemoService {
    key: &'static str,
    city: bool,
    kind: &'static str,
    name: &'static str,
    address: Option<&'static str>,
    phone: &'static str,
    invented: bool,
    hours: &'static str,
    offered: &'static [&'static str],
    eligible: &'static str,
}

/// The demo city's support services. The national hotlines' numbers are real (111 for
/// children, 113 for the police); every other number and address is made up, and says so.
const DEMO_SERVICES: [DemoService; 5] = [
    DemoService {
        key: "support-service:356:child-hotline",
        city: true,
        kind: "hotline",
        name: "Tổng đài quốc gia bảo vệ trẻ em",
        address: None,
        phone: "111",
        invented: false,
        hours: "24/7",
        offered: &["tiếp nhận thông tin", "tư vấn", "kết nối hỗ trợ"],
        eligible: "children",
    },
    DemoService {
        key: "support-service:356:shelter",
        city: true,
        kind: "shelter",
        name: "Nhà tạm lánh - Hội Liên hiệp Phụ nữ thành phố (demo)",
        address: Some("Số 1, phố (demo), thành phố Nam Định"),
        phone: "0228 000 0001",
        invented: true,
        hours: "24/7",
        offered: &["chỗ ở tạm thời", "tư vấn tâm lý"],
        eligible: "women",
    },
    DemoService {
        key: "support-service:13633:2020:trusted",
        city: false,
        kind: "trusted_address",
        name: "Địa chỉ tin cậy - tổ dân phố 3 phường Hạ Long (demo)",
        address: Some("Nhà văn hóa tổ dân phố 3 (demo)"),
        phone: "0228 000 0002",
        invented: true,
        hours: "Mọi lúc",
        offered: &["tạm lánh ngắn ngày", "báo tin"],
        eligible: "all",
    },
    DemoService {
        key: "support-service:13633:2020:health",
        city: false,
        kind: "health_facility",
        name: "Trạm Y tế phường Hạ Long (demo)",
        address: Some("Phường Hạ Long, thành phố Nam Định (demo)"),
        phone: "0228 000 0004",
        invented: true,
        hours: "7:00-17:00, thứ Hai đến thứ Sáu",
        offered: &["sơ cứu", "khám và điều trị"],
        eligible: "all",
    },
    DemoService {
        key: "support-service:13633:2020:police",
        city: false,
        kind: "police",
        name: "Công an phường Hạ Long",
        address: None,
        phone: "113",
        invented: false,
        hours: "24/7",
        offered: &["tiếp nhận tin báo", "ngăn chặn bạo lực"],
        eligible: "all",
    },
];

async fn seed_services(conn: &mut AsyncPgConnection, city_path: &str, ha_long_path: &str) -> anyhow::Result<()> {
    use crate::support_services::model::ServiceRow;
    for s in DEMO_SERVICES {
        let (unit_key, path) = if s.city {
            ("district:356", city_path)
        } else {
            ("commune:13633:2020", ha_long_path)
        };
        let row = ServiceRow {
            id: seed_id(s.key),
            unit_id: seed_id(unit_key),
            unit_path: path.to_string(),
            kind: s.kind.into(),
            name: s.name.into(),
            address: s.address.map(str::to_string),
            phone: Some(s.phone.into()),
            phone_invented: s.invented,
            opening_hours: Some(s.hours.into()),
            services: s.offered.iter().map(|o| o.to_string()).collect(),
            eligible: s.eligible.into(),
            active: true,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
            version: 1,
        };
        crate::write::seed(conn, &row).await?;
    }
    Ok(())
}

/// The demo partner client's secret: public, like the demo users' password (demo data only).
pub const DEMO_CLIENT_SECRET: &str = "binhdang-demo-client-secret";

/// A partner NGO's client of Hạ Long's aggregates, signing in with [`DEMO_CLIENT_SECRET`].
async fn seed_client(conn: &mut AsyncPgConnection, city_path: &str) -> anyhow::Result<()> {
    use crate::clients::model::{ClientDraft, NewClient};
    let id = seed_id("client:demo-ngo");
    if crate::clients::queries::find(conn, id).await?.is_some() {
        return Ok(());
    }
    let draft = ClientDraft {
        client: NewClient {
            id,
            client_id: "demo-ngo".into(),
            name: "Trung tâm Hỗ trợ phụ nữ (demo)".into(),
            secret_hash: hex::encode(crate::auth::tokens::sha256(DEMO_CLIENT_SECRET)),
            rate_limit_per_minute: 120,
            owner_unit_id: seed_id("district:356"),
            owner_unit_path: city_path.to_string(),
        },
        unit_ids: vec![seed_id("commune:13633:2020")],
    };
    crate::write::seed(conn, &draft).await?;
    Ok(())
}

/// The demo webhook signing secret: public, like the client's (demo data only).
pub const DEMO_WEBHOOK_SECRET: &str = "whsec_YmluaGRhbmctZGVtby13ZWJob29rLXNlY3JldC0zMmI=";

/// The demo partner client's webhook endpoint, disabled (its URL is an example: point it at a
/// receiver, then enable it), with one test delivery to redeliver.
pub async fn seed_webhook(
    conn: &mut AsyncPgConnection,
    key: &crate::auth::second_factor::DataKey,
) -> anyhow::Result<()> {
    use crate::webhooks::model::{EndpointRow, NewDelivery, NewEndpoint};
    let client = seed_id("client:demo-ngo");
    let Some(owner) = crate::clients::queries::find(conn, client).await? else {
        return Ok(());
    };
    let id = seed_id("webhook:demo-ngo");
    let now = chrono::Utc::now();
    let endpoint = NewEndpoint {
        row: EndpointRow {
            id,
            client_id: client,
            owner_unit_id: owner.owner_unit_id,
            owner_unit_path: owner.owner_unit_path,
            url: "https://partner.example/hooks/binhdang".into(),
            description: "Demo: point it at your receiver, then enable it".into(),
            event_types: crate::webhooks::api::EventType::ALL
                .iter()
                .map(|t| t.as_str().to_string())
                .collect(),
            enabled: false,
            disabled_reason: Some("manual".into()),
            disabled_at: Some(now),
            previous_secret_expires_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        },
        secret_sealed: key.seal(DEMO_WEBHOOK_SECRET.as_bytes()),
    };
    if crate::write::seed(conn, &endpoint).await?.is_none() {
        return Ok(());
    }
    let kind = crate::webhooks::worker::TEST_EVENT;
    let test = NewDelivery {
        id: seed_id("webhook:demo-ngo:test"),
        endpoint_id: id,
        message_id: crate::webhooks::worker::message_id("demo:test"),
        event_type: kind.into(),
        payload: crate::webhooks::worker::body(
            kind,
            now,
            serde_json::json!({"endpoint_id": id, "client_id": client, "message": "A test event from binhdang"}),
        ),
        feed_txid: None,
        feed_seq: None,
    };
    crate::webhooks::queries::enqueue(conn, &[test]).await?;
    // Shown as an attempt that failed, so that nothing is sent to the example URL unless
    // someone redelivers it.
    {
        use crate::db::schema::webhook_deliveries as d;
        use diesel::prelude::*;
        use diesel_async::RunQueryDsl;
        diesel::update(d::table.find(seed_id("webhook:demo-ngo:test")))
            .set((
                d::status.eq("failed"),
                d::attempts.eq(1),
                d::last_attempt_at.eq(diesel::dsl::now),
                d::last_error.eq("demo: the endpoint's URL is an example"),
            ))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// A dry run Hạ Long's officer made of a two-row sheet of trainings: one good row, one with a
/// date that is not one (its stored report, for "Try it out").
pub async fn seed_import(conn: &mut AsyncPgConnection, ha_long_path: &str) -> anyhow::Result<()> {
    use crate::db::schema::imports;
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    let errors = serde_json::json!([{
        "row": 3, "column": "Ngày bắt đầu", "field": "starts_on", "code": "invalid",
        "message": "không phải ngày (YYYY-MM-DD hoặc DD/MM/YYYY)"
    }]);
    diesel::insert_into(imports::table)
        .values((
            imports::id.eq(seed_id("import:13633:demo")),
            imports::principal_id.eq(seed_id("user:halong.officer")),
            imports::caller.eq(serde_json::json!({"name": "halong.officer", "role": "officer"})),
            imports::unit_id.eq(seed_id("commune:13633:2020")),
            imports::unit_path.eq(ha_long_path),
            imports::resource.eq("trainings"),
            imports::mode.eq("validate"),
            imports::atomic.eq("all"),
            imports::lang.eq("vi"),
            imports::file_name.eq("tap-huan-2026.xlsx"),
            imports::file_format.eq("xlsx"),
            imports::file_sha256.eq(hex::encode([0u8; 32])),
            imports::status.eq("completed"),
            imports::rows_total.eq(2),
            imports::rows_processed.eq(2),
            imports::created.eq(1),
            imports::failed.eq(1),
            imports::errors.eq(errors),
            imports::started_at.eq(diesel::dsl::now),
            imports::finished_at.eq(diesel::dsl::now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

/// A photo of Hạ Long's 2020 training: its row, then its file.
async fn seed_attachment(conn: &mut AsyncPgConnection, ha_long_path: &str) -> anyhow::Result<()> {
    use crate::attachments::model::AttachmentRow;
    use sha2::Digest;
    let id = seed_id("attachment:13633:2020:training-photo");
    let row = AttachmentRow {
        id,
        record_type: "training".into(),
        record_id: seed_id("training:commune:13633:2020:2020"),
        unit_id: seed_id("commune:13633:2020"),
        unit_path: ha_long_path.to_string(),
        file_name: "lop-tap-huan-ha-long.png".into(),
        content_type: "image/png".into(),
        size_bytes: DEMO_PNG.len() as i64,
        sha256: hex::encode(sha2::Sha256::digest(DEMO_PNG)),
        storage_key: None,
        created_by: seed_id("user:admin"),
        created_at: chrono::Utc::now(),
        version: 1,
    };
    crate::write::seed(conn, &row).await?;
    crate::attachments::queries::store_content(conn, id, DEMO_PNG).await?;
    Ok(())
}

/// The demo's survivor case in Hạ Long (invented: no real person), handled by the demo case
/// worker under the demo case supervisor, with a sealed identity and consent to statistics.
pub async fn seed_support_case(
    conn: &mut AsyncPgConnection,
    key: &crate::auth::second_factor::DataKey,
) -> anyhow::Result<()> {
    use crate::db::schema::{support_case_assignments as a, support_case_consents as k, support_case_identities as i};
    use crate::support_cases::model::CaseRow;

    let ha_long = "commune:13633:2020";
    let id = seed_id("support-case:13633:demo");
    let worker = seed_id("user:halong.caseworker");
    let supervisor = seed_id("user:halong.supervisor");
    let row = CaseRow {
        id,
        code: "BL-7K3QX9AB".into(),
        unit_id: seed_id(ha_long),
        unit_path: path_of(conn, ha_long).await?,
        status: "assessment".into(),
        survivor_sex: "female".into(),
        survivor_age_band: "30-44".into(),
        priority_groups: vec!["nursing_under_36_months".into()],
        relationship: "spouse".into(),
        acts: vec!["3.1.a".into(), "3.1.b".into()],
        forms: vec!["physical".into(), "psychological".into()],
        incident_on: Some(date(2020, 11, 20)),
        reported_on: date(2020, 11, 21),
        channel: "commune_committee".into(),
        plan: None,
        closure_reason: None,
        created_by: supervisor,
        created_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
        version: 1,
    };
    crate::write::seed(conn, &row).await?;
    diesel::insert_into(a::table)
        .values((a::case_id.eq(id), a::user_id.eq(worker), a::assigned_by.eq(supervisor)))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    diesel::insert_into(k::table)
        .values((
            k::id.eq(seed_id("support-case:13633:demo:consent:statistics")),
            k::case_id.eq(id),
            k::kind.eq("statistics"),
            k::given.eq(true),
            k::recorded_on.eq(date(2020, 11, 21)),
            k::recorded_by.eq(worker),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    // A ban on contact asked for two hours before the demo was seeded: its decision is due
    // within 12 hours of the request, so "Try it out" can still grant it.
    {
        use crate::db::schema::support_case_measures as m;
        let requested_at = chrono::Utc::now() - chrono::Duration::hours(2);
        diesel::insert_into(m::table)
            .values((
                m::id.eq(seed_id("support-case:13633:demo:measure")),
                m::case_id.eq(id),
                m::kind.eq("ban_on_contact"),
                m::authority.eq("commune_chairman"),
                m::rule_code.eq("ban_on_contact.commune_chairman"),
                m::requested_at.eq(requested_at),
                m::requested_by.eq("victim"),
                m::decide_by.eq(requested_at + chrono::Duration::hours(12)),
                m::created_by.eq(worker),
            ))
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
    }
    // Consent to sharing with the city's shelter, and a pending referral there.
    let shelter = seed_id("support-service:356:shelter");
    diesel::insert_into(k::table)
        .values((
            k::id.eq(seed_id("support-case:13633:demo:consent:shelter")),
            k::case_id.eq(id),
            k::kind.eq("sharing"),
            k::given.eq(true),
            k::service_id.eq(shelter),
            k::recorded_on.eq(date(2020, 11, 21)),
            k::recorded_by.eq(worker),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    {
        use crate::db::schema::support_case_referrals as r;
        diesel::insert_into(r::table)
            .values((
                r::id.eq(seed_id("support-case:13633:demo:referral")),
                r::case_id.eq(id),
                r::from_unit_id.eq(seed_id(ha_long)),
                r::to_service_id.eq(shelter),
                r::to_unit_id.eq(seed_id("district:356")),
                r::services_requested.eq(vec!["safety_shelter".to_string()]),
                r::shares.eq(vec![
                    "priority_groups".to_string(),
                    "survivor_age_band".to_string(),
                    "survivor_sex".to_string(),
                ]),
                r::consent_id.eq(seed_id("support-case:13633:demo:consent:shelter")),
                r::created_by.eq(worker),
            ))
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
    }
    let identity = serde_json::json!({
        "name": "Nguyễn Thị A (invented)", "phone": "0900 000 000 (invented)",
        "address": null, "safe_contact": "Weekday mornings, through the women's union"
    });
    diesel::insert_into(i::table)
        .values((
            i::case_id.eq(id),
            i::sealed.eq(key.seal(identity.to_string().as_bytes())),
            i::key_id.eq(key.key_id()),
            i::updated_by.eq(worker),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}
