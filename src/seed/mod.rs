//! Reference data (`binhdang seed`) and demo data (`binhdang seed --demo`). Idempotent: every
//! record has a deterministic id (UUID v5 of a stable key) and is inserted with
//! `ON CONFLICT DO NOTHING`, so a second run changes nothing.

pub mod synthetic;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::audit::{self, Actor, Change};
use crate::auth::Role;
use crate::config::Secret;
use crate::db::schema::{unit_lineage, units, users};
use crate::documents::api::DocumentKind;
use crate::documents::model::DocumentRow;
use crate::units::api::Unit;
use crate::units::api::UnitKind;
use crate::units::model::{LineageRow, NewUnitRow, UnitRow};

const NAMESPACE: Uuid = Uuid::from_u128(0x6b1f_5a2e_8d3c_4e7a_9f10_2b3c_4d5e_6f70);

/// The deterministic id of a seeded record.
pub fn seed_id(key: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, key.as_bytes())
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid calendar date literal")
}

/// Nam Định city's 25 commune-level units in 2020, with their official codes.
pub const NAM_DINH_2020: [(UnitKind, &str, &str); 25] = [
    (UnitKind::Ward, "13633", "Phường Hạ Long"),
    (UnitKind::Ward, "13636", "Phường Trần Tế Xương"),
    (UnitKind::Ward, "13639", "Phường Vị Hoàng"),
    (UnitKind::Ward, "13642", "Phường Vị Xuyên"),
    (UnitKind::Ward, "13645", "Phường Quang Trung"),
    (UnitKind::Ward, "13648", "Phường Cửa Bắc"),
    (UnitKind::Ward, "13651", "Phường Nguyễn Du"),
    (UnitKind::Ward, "13654", "Phường Bà Triệu"),
    (UnitKind::Ward, "13657", "Phường Trường Thi"),
    (UnitKind::Ward, "13660", "Phường Phan Đình Phùng"),
    (UnitKind::Ward, "13663", "Phường Ngô Quyền"),
    (UnitKind::Ward, "13666", "Phường Trần Hưng Đạo"),
    (UnitKind::Ward, "13669", "Phường Trần Đăng Ninh"),
    (UnitKind::Ward, "13672", "Phường Năng Tĩnh"),
    (UnitKind::Ward, "13675", "Phường Văn Miếu"),
    (UnitKind::Ward, "13678", "Phường Trần Quang Khải"),
    (UnitKind::Ward, "13681", "Phường Thống Nhất"),
    (UnitKind::Ward, "13684", "Phường Lộc Hạ"),
    (UnitKind::Ward, "13687", "Phường Lộc Vượng"),
    (UnitKind::Ward, "13690", "Phường Cửa Nam"),
    (UnitKind::Ward, "13693", "Phường Lộc Hòa"),
    (UnitKind::Ward, "13699", "Phường Mỹ Xá"),
    (UnitKind::Commune, "13696", "Xã Nam Phong"),
    (UnitKind::Commune, "13702", "Xã Lộc An"),
    (UnitKind::Commune, "13705", "Xã Nam Vân"),
];

/// Wards of the city merged into the new ward Nam Định of Ninh Bình on 1 July 2025.
pub const MERGED_INTO_NAM_DINH_WARD: [&str; 7] = ["13687", "13642", "13666", "13645", "13648", "13672", "13690"];

pub const DISTRICT_ERA_END: (i32, u32, u32) = (2025, 6, 30);

struct Seeder<'a> {
    conn: &'a mut AsyncPgConnection,
    inserted: usize,
}

impl Seeder<'_> {
    /// Inserts a unit unless it exists, with its audit entry (so sync clients receive it).
    #[allow(clippy::too_many_arguments)]
    async fn unit(
        &mut self,
        key: &str,
        parent: Option<(Uuid, &str, i32)>,
        kind: UnitKind,
        code: Option<&str>,
        name: &str,
        valid_from: NaiveDate,
        valid_to: Option<NaiveDate>,
    ) -> anyhow::Result<(Uuid, String, i32)> {
        let id = seed_id(key);
        let (path, depth) = match parent {
            Some((_, p, d)) => (format!("{p}{id}/"), d + 1),
            None => (format!("/{id}/"), 0),
        };
        let row = NewUnitRow {
            id,
            parent_id: parent.map(|p| p.0),
            path: path.clone(),
            depth,
            kind: kind.as_str().into(),
            code: code.map(str::to_string),
            name: name.into(),
            valid_from,
            valid_to,
        };
        let inserted: Option<UnitRow> = diesel::insert_into(units::table)
            .values(&row)
            .on_conflict_do_nothing()
            .returning(UnitRow::as_returning())
            .get_result(self.conn)
            .await
            .optional()?;
        if let Some(unit) = inserted {
            self.inserted += 1;
            let out = Unit::from(unit);
            audit::record(self.conn, Actor::System, Change::created("unit", id, id, &path, &out)).await?;
        }
        Ok((id, path, depth))
    }

    /// Inserts a lineage link unless it exists, with its audit entry.
    async fn lineage(&mut self, from: Uuid, to: Uuid, on: NaiveDate, note: &str) -> anyhow::Result<()> {
        let row = LineageRow {
            predecessor_id: from,
            successor_id: to,
            effective_on: on,
            note: Some(note.into()),
        };
        let n = diesel::insert_into(unit_lineage::table)
            .values(&row)
            .on_conflict_do_nothing()
            .execute(self.conn)
            .await?;
        if n == 1 {
            self.inserted += 1;
            let path: String = units::table.find(to).select(units::path).first(self.conn).await?;
            let change = Change::created("unit_lineage", row.id(), to, &path, &row.record());
            audit::record(self.conn, Actor::System, change).await?;
        }
        Ok(())
    }
}

/// The legal documents of the 2020 city guidance, and the decrees and strategy the later
/// resources rely on: (key, kind, number, issuer, issued, effective, title).
#[allow(clippy::type_complexity)]
pub const DOCUMENTS: [(&str, DocumentKind, &str, &str, (i32, u32, u32), Option<(i32, u32, u32)>, &str); 8] = [
    ("law-73-2006", DocumentKind::Law, "73/2006/QH11", "Quốc hội", (2006, 11, 29), Some((2007, 7, 1)), "Luật Bình đẳng giới"),
    (
        "nq-11-tw",
        DocumentKind::Resolution,
        "11-NQ/TW",
        "Bộ Chính trị",
        (2007, 4, 27),
        None,
        "Nghị quyết về công tác phụ nữ thời kỳ đẩy mạnh công nghiệp hóa, hiện đại hóa đất nước",
    ),
    (
        "qd-178-ttg",
        DocumentKind::Decision,
        "178/QĐ-TTg",
        "Thủ tướng Chính phủ",
        (2016, 1, 28),
        None,
        "Phê duyệt Đề án tăng cường sự tham gia bình đẳng của phụ nữ trong các vị trí lãnh đạo và quản lý ở các cấp hoạch định chính sách giai đoạn 2016 - 2020",
    ),
    (
        "ct-21-tw",
        DocumentKind::Directive,
        "21-CT/TW",
        "Ban Bí thư",
        (2018, 1, 20),
        None,
        "Chỉ thị về tiếp tục đẩy mạnh công tác phụ nữ trong tình hình mới",
    ),
    (
        "kh-35-bvstbpn",
        DocumentKind::Plan,
        "35/KH-BVSTBPN",
        "Ban Vì sự tiến bộ của phụ nữ thành phố Nam Định",
        (2020, 2, 19),
        None,
        "Kế hoạch hoạt động vì sự tiến bộ của phụ nữ và bình đẳng giới năm 2020",
    ),
    (
        "nd-55-2009",
        DocumentKind::Decree,
        "55/2009/NĐ-CP",
        "Chính phủ",
        (2009, 6, 10),
        Some((2009, 8, 1)),
        "Quy định xử phạt vi phạm hành chính về bình đẳng giới",
    ),
    (
        "nd-125-2021",
        DocumentKind::Decree,
        "125/2021/NĐ-CP",
        "Chính phủ",
        (2021, 12, 28),
        Some((2022, 1, 1)),
        "Quy định xử phạt vi phạm hành chính về bình đẳng giới",
    ),
    (
        "nq-28-cp",
        DocumentKind::Resolution,
        "28/NQ-CP",
        "Chính phủ",
        (2021, 3, 3),
        None,
        "Ban hành Chiến lược quốc gia về bình đẳng giới giai đoạn 2021 - 2030",
    ),
];

/// The 2020 guidance's five documents, cited by the demo city plan.
pub const GUIDANCE_2020: [&str; 5] = ["law-73-2006", "nq-11-tw", "qd-178-ttg", "ct-21-tw", "kh-35-bvstbpn"];

/// Indicators of the National Strategy on Gender Equality 2021-2030 (Resolution 28/NQ-CP):
/// (code, English, Vietnamese, unit, direction, 2025, 2030, verified). `verified` is false where
/// the figure still needs checking against the resolution's text.
#[allow(clippy::type_complexity)]
pub const INDICATORS: [(&str, &str, &str, &str, &str, Option<f64>, Option<f64>, bool); 5] = [
    (
        "female_key_leader_share",
        "Share of state bodies and local governments with a woman as a key leader",
        "Tỷ lệ cơ quan quản lý nhà nước, chính quyền địa phương các cấp có lãnh đạo chủ chốt là nữ",
        "%",
        "increase",
        Some(60.0),
        Some(75.0),
        true,
    ),
    (
        "gbv_victims_supported_share",
        "Detected victims of gender-based violence who receive at least one basic support service",
        "Tỷ lệ người bị bạo lực trên cơ sở giới được phát hiện được tiếp cận ít nhất một dịch vụ hỗ trợ cơ bản",
        "%",
        "increase",
        Some(80.0),
        Some(90.0),
        true,
    ),
    (
        "gbv_public_facilities_share",
        "Public social-assistance facilities doing gender-based-violence prevention and response",
        "Tỷ lệ cơ sở trợ giúp xã hội công lập triển khai hoạt động phòng ngừa, ứng phó với bạo lực trên cơ sở giới",
        "%",
        "increase",
        Some(70.0),
        Some(100.0),
        true,
    ),
    (
        "sex_ratio_at_birth",
        "Sex ratio at birth (boys per 100 girls)",
        "Tỷ số giới tính khi sinh (số bé trai trên 100 bé gái)",
        "boys per 100 girls",
        "decrease",
        Some(111.0),
        Some(109.0),
        false,
    ),
    (
        "officials_trained_share",
        "Share of officials and collaborators doing gender-equality work who were trained",
        "Tỷ lệ cán bộ, cộng tác viên làm công tác bình đẳng giới được tập huấn",
        "%",
        "increase",
        None,
        None,
        false,
    ),
];

impl Seeder<'_> {
    async fn documents(&mut self) -> anyhow::Result<()> {
        for (key, kind, number, issuer, issued, effective, title) in DOCUMENTS {
            let row = DocumentRow {
                id: seed_id(&format!("document:{key}")),
                kind: kind.as_str().into(),
                number: number.into(),
                issuer: issuer.into(),
                issued_on: date(issued.0, issued.1, issued.2),
                effective_on: effective.map(|e| date(e.0, e.1, e.2)),
                title: title.into(),
                url: None,
                created_at: chrono::Utc::now(),
                updated_at: chrono::Utc::now(),
                version: 1,
            };
            if crate::write::seed(self.conn, &row).await?.is_some() {
                self.inserted += 1;
            }
        }
        Ok(())
    }

    async fn indicators(&mut self) -> anyhow::Result<()> {
        use crate::db::schema::indicators as ind;
        for (code, en, vi, unit, direction, t25, t30, verified) in INDICATORS {
            self.inserted += diesel::insert_into(ind::table)
                .values((
                    ind::code.eq(code),
                    ind::name_en.eq(en),
                    ind::name_vi.eq(vi),
                    ind::unit_of_measure.eq(unit),
                    ind::direction.eq(direction),
                    ind::target_2025.eq(t25),
                    ind::target_2030.eq(t30),
                    ind::source.eq("Nghị quyết 28/NQ-CP (Chiến lược quốc gia về bình đẳng giới 2021-2030)"),
                    ind::verified.eq(verified),
                ))
                .on_conflict_do_nothing()
                .execute(self.conn)
                .await?;
        }
        Ok(())
    }
}

/// Deadline rules of the Law on Complaints 2011 and the Law on Denunciations 2018:
/// (code, kind, stage, instance, complex, remote, days, day kind, from, basis, verified).
#[allow(clippy::type_complexity)]
pub const DEADLINE_RULES: [(
    &str,
    &str,
    &str,
    Option<i16>,
    Option<bool>,
    Option<bool>,
    i32,
    &str,
    (i32, u32, u32),
    &str,
    bool,
); 12] = [
    (
        "complaint.acceptance",
        "complaint",
        "acceptance",
        None,
        None,
        None,
        10,
        "calendar",
        (2012, 7, 1),
        "Luật Khiếu nại 2011, Điều 27",
        true,
    ),
    (
        "complaint.resolution.first",
        "complaint",
        "resolution",
        Some(1),
        Some(false),
        Some(false),
        30,
        "calendar",
        (2012, 7, 1),
        "Luật Khiếu nại 2011, Điều 28",
        true,
    ),
    (
        "complaint.resolution.first.complex",
        "complaint",
        "resolution",
        Some(1),
        Some(true),
        Some(false),
        45,
        "calendar",
        (2012, 7, 1),
        "Luật Khiếu nại 2011, Điều 28",
        true,
    ),
    (
        "complaint.resolution.first.remote",
        "complaint",
        "resolution",
        Some(1),
        Some(false),
        Some(true),
        45,
        "calendar",
        (2012, 7, 1),
        "Luật Khiếu nại 2011, Điều 28",
        true,
    ),
    (
        "complaint.resolution.first.remote_complex",
        "complaint",
        "resolution",
        Some(1),
        Some(true),
        Some(true),
        60,
        "calendar",
        (2012, 7, 1),
        "Luật Khiếu nại 2011, Điều 28",
        true,
    ),
    (
        "complaint.resolution.second",
        "complaint",
        "resolution",
        Some(2),
        Some(false),
        Some(false),
        45,
        "calendar",
        (2012, 7, 1),
        "Luật Khiếu nại 2011, Điều 37",
        true,
    ),
    (
        "complaint.resolution.second.complex",
        "complaint",
        "resolution",
        Some(2),
        Some(true),
        Some(false),
        60,
        "calendar",
        (2012, 7, 1),
        "Luật Khiếu nại 2011, Điều 37",
        true,
    ),
    (
        "complaint.resolution.second.remote",
        "complaint",
        "resolution",
        Some(2),
        Some(false),
        Some(true),
        60,
        "calendar",
        (2012, 7, 1),
        "Luật Khiếu nại 2011, Điều 37",
        true,
    ),
    (
        "complaint.resolution.second.remote_complex",
        "complaint",
        "resolution",
        Some(2),
        Some(true),
        Some(true),
        70,
        "calendar",
        (2012, 7, 1),
        "Luật Khiếu nại 2011, Điều 37",
        true,
    ),
    (
        "denunciation.acceptance",
        "denunciation",
        "acceptance",
        None,
        None,
        None,
        7,
        "working",
        (2019, 1, 1),
        "Luật Tố cáo 2018, Điều 29 (verify)",
        false,
    ),
    (
        "denunciation.resolution",
        "denunciation",
        "resolution",
        None,
        None,
        None,
        30,
        "calendar",
        (2019, 1, 1),
        "Luật Tố cáo 2018, Điều 30",
        true,
    ),
    (
        "denunciation.extension",
        "denunciation",
        "extension",
        None,
        None,
        None,
        30,
        "calendar",
        (2019, 1, 1),
        "Luật Tố cáo 2018, Điều 30: once for a complex case, twice for an especially complex one",
        true,
    ),
];

/// (year, mùng 1 Tết as (month, day), Hùng Kings' day as (month, day)).
pub type LunarYear = (i32, (u32, u32), (u32, u32));

/// Lunar New Year's Day (mùng 1 Tết) and the Hùng Kings' day (10/3 lunar) in the solar
/// calendar, 2020-2027. The Tết break is seeded as New Year's Eve and the first four days;
/// both are marked unverified (the Government fixes the exact days each year).
pub const LUNAR_HOLIDAYS: [LunarYear; 8] = [
    (2020, (1, 25), (4, 2)),
    (2021, (2, 12), (4, 21)),
    (2022, (2, 1), (4, 10)),
    (2023, (1, 22), (4, 29)),
    (2024, (2, 10), (4, 18)),
    (2025, (1, 29), (4, 7)),
    (2026, (2, 17), (4, 26)),
    (2027, (2, 6), (4, 16)),
];

impl Seeder<'_> {
    async fn deadline_rules(&mut self) -> anyhow::Result<()> {
        use crate::db::schema::deadline_rules as r;
        for (code, kind, stage, instance, complex, remote, days, day_kind, from, basis, verified) in DEADLINE_RULES {
            self.inserted += diesel::insert_into(r::table)
                .values((
                    r::code.eq(code),
                    r::petition_kind.eq(kind),
                    r::stage.eq(stage),
                    r::instance.eq(instance),
                    r::complex.eq(complex),
                    r::remote.eq(remote),
                    r::days.eq(days),
                    r::day_kind.eq(day_kind),
                    r::effective_from.eq(date(from.0, from.1, from.2)),
                    r::legal_basis.eq(basis),
                    r::verified.eq(verified),
                ))
                .on_conflict_do_nothing()
                .execute(self.conn)
                .await?;
        }
        Ok(())
    }

    async fn holidays(&mut self) -> anyhow::Result<()> {
        use crate::db::schema::holidays as h;
        let mut days: Vec<(NaiveDate, String, bool)> = Vec::new();
        for (year, tet, hung) in LUNAR_HOLIDAYS {
            for (m, d, name) in [
                (1, 1, "Tết Dương lịch"),
                (4, 30, "Ngày Chiến thắng"),
                (5, 1, "Ngày Quốc tế Lao động"),
                (9, 2, "Quốc khánh"),
            ] {
                days.push((date(year, m, d), name.to_string(), true));
            }
            let first = date(year, tet.0, tet.1);
            for offset in -1..=3 {
                days.push((
                    first + chrono::Duration::days(offset),
                    "Tết Nguyên đán".to_string(),
                    false,
                ));
            }
            days.push((date(year, hung.0, hung.1), "Giỗ Tổ Hùng Vương".to_string(), false));
        }
        for (day, name, verified) in days {
            self.inserted += diesel::insert_into(h::table)
                .values((h::day.eq(day), h::name.eq(name), h::verified.eq(verified)))
                .on_conflict_do_nothing()
                .execute(self.conn)
                .await?;
        }
        Ok(())
    }
}

pub const DECREE_55: &str = "55/2009/NĐ-CP";
pub const DECREE_125: &str = "125/2021/NĐ-CP";

/// The violations catalogue: (key, decree, article, clause, area, description, individual band,
/// verified). Bands marked verified are those of the programme's legal notes; the article and
/// clause numbers are as established here, and every unverified row says so.
#[allow(clippy::type_complexity)]
pub const VIOLATION_RULES: [(&str, &str, i32, i32, &str, &str, (i64, i64), bool); 10] = [
    (
        "125-politics-1",
        DECREE_125,
        7,
        1,
        "politics",
        "Vi phạm quy định về bình đẳng giới trong lĩnh vực chính trị (khung 1)",
        (2_000_000, 3_000_000),
        true,
    ),
    (
        "125-politics-2",
        DECREE_125,
        7,
        2,
        "politics",
        "Vi phạm quy định về bình đẳng giới trong lĩnh vực chính trị (khung 2)",
        (3_000_000, 5_000_000),
        true,
    ),
    (
        "125-politics-3",
        DECREE_125,
        7,
        3,
        "politics",
        "Vi phạm quy định về bình đẳng giới trong lĩnh vực chính trị (khung 3)",
        (5_000_000, 7_000_000),
        true,
    ),
    (
        "125-politics-4",
        DECREE_125,
        7,
        4,
        "politics",
        "Vi phạm quy định về bình đẳng giới trong lĩnh vực chính trị (khung 4)",
        (7_000_000, 10_000_000),
        true,
    ),
    (
        "125-family-1",
        DECREE_125,
        13,
        1,
        "family",
        "Vi phạm quy định về bình đẳng giới trong gia đình (khung 1)",
        (3_000_000, 5_000_000),
        true,
    ),
    (
        "125-family-2",
        DECREE_125,
        13,
        2,
        "family",
        "Vi phạm quy định về bình đẳng giới trong gia đình (khung 2)",
        (5_000_000, 7_000_000),
        true,
    ),
    (
        "125-family-3",
        DECREE_125,
        13,
        3,
        "family",
        "Vi phạm quy định về bình đẳng giới trong gia đình (khung 3)",
        (7_000_000, 10_000_000),
        true,
    ),
    (
        "125-labour-3",
        DECREE_125,
        9,
        3,
        "labour",
        "Vi phạm quy định về bình đẳng giới trong lĩnh vực lao động (khung cao nhất)",
        (20_000_000, 30_000_000),
        true,
    ),
    (
        "55-politics-1",
        DECREE_55,
        6,
        1,
        "politics",
        "Vi phạm quy định về bình đẳng giới trong lĩnh vực chính trị (chưa kiểm chứng khung)",
        (1_000_000, 3_000_000),
        false,
    ),
    (
        "55-family-1",
        DECREE_55,
        12,
        1,
        "family",
        "Vi phạm quy định về bình đẳng giới trong gia đình (chưa kiểm chứng khung)",
        (500_000, 2_000_000),
        false,
    ),
];

/// Fining powers: (code, position, warning only, percent, fixed VND, from, to, basis, verified).
#[allow(clippy::type_complexity)]
pub const FINING_AUTHORITIES: [(
    &str,
    &str,
    bool,
    Option<i32>,
    Option<i64>,
    (i32, u32, u32),
    Option<(i32, u32, u32)>,
    &str,
    bool,
); 11] = [
    (
        "2025.commune_chairman",
        "commune_chairman",
        false,
        Some(50),
        None,
        (2025, 7, 1),
        None,
        "Luật Xử lý vi phạm hành chính (sửa đổi 2025)",
        true,
    ),
    (
        "2025.province_department_director",
        "province_department_director",
        false,
        Some(80),
        None,
        (2025, 7, 1),
        None,
        "Luật Xử lý vi phạm hành chính (sửa đổi 2025)",
        true,
    ),
    (
        "2025.province_chairman",
        "province_chairman",
        false,
        Some(100),
        None,
        (2025, 7, 1),
        None,
        "Luật Xử lý vi phạm hành chính (sửa đổi 2025)",
        true,
    ),
    (
        "2025.inspector",
        "inspector",
        true,
        None,
        None,
        (2025, 7, 1),
        None,
        "Luật Xử lý vi phạm hành chính (sửa đổi 2025)",
        true,
    ),
    (
        "2009.commune_chairman",
        "commune_chairman",
        false,
        Some(10),
        None,
        (2009, 8, 1),
        Some((2025, 6, 30)),
        "Before 1 July 2025 (verify)",
        false,
    ),
    (
        "2009.district_chairman",
        "district_chairman",
        false,
        Some(50),
        None,
        (2009, 8, 1),
        Some((2025, 6, 30)),
        "Before 1 July 2025 (verify)",
        false,
    ),
    (
        "2009.province_chairman",
        "province_chairman",
        false,
        Some(100),
        None,
        (2009, 8, 1),
        Some((2025, 6, 30)),
        "Before 1 July 2025 (verify)",
        false,
    ),
    (
        "2009.chief_inspector",
        "chief_inspector",
        false,
        Some(50),
        None,
        (2009, 8, 1),
        Some((2025, 6, 30)),
        "Before 1 July 2025 (verify)",
        false,
    ),
    (
        "2009.inspector",
        "inspector",
        false,
        None,
        Some(500_000),
        (2009, 8, 1),
        Some((2025, 6, 30)),
        "Before 1 July 2025 (verify)",
        false,
    ),
    (
        "2009.province_department_director",
        "province_department_director",
        false,
        Some(50),
        None,
        (2009, 8, 1),
        Some((2025, 6, 30)),
        "Before 1 July 2025 (verify)",
        false,
    ),
    (
        "2025.chief_inspector",
        "chief_inspector",
        false,
        Some(50),
        None,
        (2025, 7, 1),
        None,
        "Luật Xử lý vi phạm hành chính (sửa đổi 2025) (verify)",
        false,
    ),
];

impl Seeder<'_> {
    async fn sanctions(&mut self) -> anyhow::Result<()> {
        use crate::db::schema::{decrees as d, fining_authorities as f, violation_rules as r};
        let decrees = [
            (
                DECREE_55,
                "Quy định xử phạt vi phạm hành chính về bình đẳng giới",
                (2009, 8, 1),
                Some((2021, 12, 31)),
                40_000_000_i64,
                12,
                false,
            ),
            (
                DECREE_125,
                "Quy định xử phạt vi phạm hành chính trong lĩnh vực bình đẳng giới, phòng, chống bạo lực gia đình",
                (2022, 1, 1),
                None,
                30_000_000,
                12,
                false,
            ),
        ];
        for (code, title, from, to, max, months, verified) in decrees {
            self.inserted += diesel::insert_into(d::table)
                .values((
                    d::code.eq(code),
                    d::title.eq(title),
                    d::effective_from.eq(date(from.0, from.1, from.2)),
                    d::effective_to.eq(to.map(|t: (i32, u32, u32)| date(t.0, t.1, t.2))),
                    d::individual_max_vnd.eq(max),
                    d::organization_multiplier.eq(2),
                    d::limitation_months.eq(months),
                    d::verified.eq(verified),
                ))
                .on_conflict_do_nothing()
                .execute(self.conn)
                .await?;
        }
        for (key, decree, article, clause, area, description, (min, max), verified) in VIOLATION_RULES {
            self.inserted += diesel::insert_into(r::table)
                .values((
                    r::id.eq(seed_id(&format!("violation-rule:{key}"))),
                    r::decree_code.eq(decree),
                    r::article.eq(article),
                    r::clause.eq(clause),
                    r::area.eq(area),
                    r::description.eq(description),
                    r::min_fine_vnd.eq(min),
                    r::max_fine_vnd.eq(max),
                    r::verified.eq(verified),
                ))
                .on_conflict_do_nothing()
                .execute(self.conn)
                .await?;
        }
        for (code, position, warning_only, percent, fixed, from, to, basis, verified) in FINING_AUTHORITIES {
            self.inserted += diesel::insert_into(f::table)
                .values((
                    f::code.eq(code),
                    f::position.eq(position),
                    f::warning_only.eq(warning_only),
                    f::max_percent.eq(percent),
                    f::max_vnd.eq(fixed),
                    f::effective_from.eq(date(from.0, from.1, from.2)),
                    f::effective_to.eq(to.map(|t| date(t.0, t.1, t.2))),
                    f::legal_basis.eq(basis),
                    f::verified.eq(verified),
                ))
                .on_conflict_do_nothing()
                .execute(self.conn)
                .await?;
        }
        Ok(())
    }
}

/// Loads the reference data; returns how many rows were new.
pub async fn seed_reference(conn: &mut AsyncPgConnection) -> anyhow::Result<usize> {
    conn.transaction::<_, anyhow::Error, _>(async |conn| {
        let mut s = Seeder { conn, inserted: 0 };
        let start = date(2020, 1, 1);
        let end = Some(date(DISTRICT_ERA_END.0, DISTRICT_ERA_END.1, DISTRICT_ERA_END.2));
        let merged_on = date(2025, 7, 1);
        let vn = s
            .unit(
                "country:VN",
                None,
                UnitKind::Country,
                Some("VN"),
                "Việt Nam",
                start,
                None,
            )
            .await?;
        let nd_prov = s
            .unit(
                "province:36",
                Some((vn.0, &vn.1, vn.2)),
                UnitKind::Province,
                Some("36"),
                "Tỉnh Nam Định",
                start,
                end,
            )
            .await?;
        let nb_prov = s
            .unit(
                "province:37",
                Some((vn.0, &vn.1, vn.2)),
                UnitKind::Province,
                Some("37"),
                "Tỉnh Ninh Bình",
                start,
                None,
            )
            .await?;
        let city = s
            .unit(
                "district:356",
                Some((nd_prov.0, &nd_prov.1, nd_prov.2)),
                UnitKind::City,
                Some("356"),
                "Thành phố Nam Định",
                start,
                end,
            )
            .await?;
        let c = Some((city.0, city.1.as_str(), city.2));
        for (kind, code, name) in NAM_DINH_2020 {
            s.unit(&format!("commune:{code}:2020"), c, kind, Some(code), name, start, end)
                .await?;
        }
        let ldtbxh = s
            .unit(
                "dept:356:ldtbxh",
                c,
                UnitKind::Department,
                Some("356.ldtbxh"),
                "Phòng Lao động - Thương binh và Xã hội",
                start,
                Some(date(2025, 2, 28)),
            )
            .await?;
        let noivu = s
            .unit(
                "dept:356:noivu",
                c,
                UnitKind::Department,
                Some("356.noivu"),
                "Phòng Nội vụ",
                start,
                end,
            )
            .await?;
        s.unit(
            "dept:356:vhtt",
            c,
            UnitKind::Department,
            Some("356.vhtt"),
            "Phòng Văn hóa và Thông tin",
            start,
            end,
        )
        .await?;
        s.unit(
            "dept:356:gddt",
            c,
            UnitKind::Department,
            Some("356.gddt"),
            "Phòng Giáo dục và Đào tạo",
            start,
            end,
        )
        .await?;
        s.unit(
            "dept:356:yte",
            c,
            UnitKind::Department,
            Some("356.yte"),
            "Phòng Y tế",
            start,
            end,
        )
        .await?;
        s.unit(
            "dept:356:tuphap",
            c,
            UnitKind::Department,
            Some("356.tuphap"),
            "Phòng Tư pháp",
            start,
            end,
        )
        .await?;
        s.unit(
            "dept:356:thanhtra",
            c,
            UnitKind::Department,
            Some("356.thanhtra"),
            "Thanh tra thành phố",
            start,
            end,
        )
        .await?;
        s.unit(
            "committee:356:bvstbpn",
            c,
            UnitKind::Committee,
            Some("356.bvstbpn"),
            "Ban Vì sự tiến bộ của phụ nữ thành phố",
            start,
            end,
        )
        .await?;
        s.lineage(
            ldtbxh.0,
            noivu.0,
            date(2025, 3, 1),
            "State management of gender equality passed to the Division of Home Affairs",
        )
        .await?;
        let new_ward = s
            .unit(
                "commune:13666:2025",
                Some((nb_prov.0, &nb_prov.1, nb_prov.2)),
                UnitKind::Ward,
                Some("13666"),
                "Phường Nam Định",
                merged_on,
                None,
            )
            .await?;
        for code in MERGED_INTO_NAM_DINH_WARD {
            s.lineage(
                seed_id(&format!("commune:{code}:2020")),
                new_ward.0,
                merged_on,
                "Merged into ward Nam Định (Ninh Bình) on 1 July 2025",
            )
            .await?;
        }
        s.documents().await?;
        s.indicators().await?;
        s.deadline_rules().await?;
        s.holidays().await?;
        s.sanctions().await?;
        Ok(s.inserted)
    })
    .await
}

/// Demo users, one per role: (username, role, unit key).
pub const DEMO_USERS: [(&str, Role, &str); 7] = [
    ("admin", Role::Admin, "district:356"),
    ("manager", Role::Manager, "district:356"),
    ("inspector", Role::Inspector, "district:356"),
    ("viewer", Role::Viewer, "district:356"),
    ("halong.admin", Role::Admin, "commune:13633:2020"),
    ("halong.manager", Role::Manager, "commune:13633:2020"),
    ("halong.officer", Role::Officer, "commune:13633:2020"),
];

/// The password of every demo user. Demo data only: never seed demo users in production.
pub const DEMO_PASSWORD: &str = "binhdang-demo";

/// Adds the demo users (existing ones are left alone); returns (username, role) of each.
pub async fn seed_demo(conn: &mut AsyncPgConnection) -> anyhow::Result<Vec<(String, Role)>> {
    let hash = crate::auth::password::hash(Secret::new(DEMO_PASSWORD)).await?;
    for (username, role, unit) in DEMO_USERS {
        diesel::insert_into(users::table)
            .values((
                users::id.eq(seed_id(&format!("user:{username}"))),
                users::username.eq(username),
                users::password_hash.eq(&hash),
                users::unit_id.eq(seed_id(unit)),
                users::role.eq(role.as_str()),
                users::display_name.eq(format!("Demo {}", role.as_str())),
            ))
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
    }
    seed_demo_plans(conn).await?;
    seed_demo_records(conn).await?;
    seed_demo_leadership(conn).await?;
    Ok(DEMO_USERS.iter().map(|(u, r, _)| (u.to_string(), *r)).collect())
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
    use crate::db::schema::{plan_activities, plan_targets, plan_transitions, plans};
    use crate::plans::api::{Activity, Plan, Target};
    use crate::plans::model::NewPlanRow;
    use crate::plans::model::{ActivityRow, TargetRow};
    use crate::plans::queries as pq;

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
        let Some(created) = pq::insert_new(conn, &city, &documents).await? else {
            return Ok(()); // already seeded
        };
        audit::record(conn, Actor::System, Change::created("plan", city_plan_id, city.unit_id, &city_path, &Plan::from(created))).await?;

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
            let t: TargetRow = diesel::insert_into(plan_targets::table).values(&row).returning(TargetRow::as_returning()).get_result(conn).await?;
            audit::record(conn, Actor::System, Change::created("plan_target", t.id, city.unit_id, &city_path, &Target::from(t))).await?;
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
            let a: ActivityRow = diesel::insert_into(plan_activities::table).values(&row).returning(ActivityRow::as_returning()).get_result(conn).await?;
            audit::record(conn, Actor::System, Change::created("plan_activity", a.id, city.unit_id, &city_path, &Activity::from(a))).await?;
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
        let change = Change::new("plan", (city_plan_id, city.unit_id, &city_path), "approve", None, Some(&Plan::from(approved)));
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
            if let Some(p) = pq::insert_new(conn, &ward, &docs).await? {
                audit::record(conn, Actor::System, Change::created("plan", ward.id, ward.unit_id, &path, &Plan::from(p))).await?;
            }
        }
        Ok(())
    })
    .await
}
