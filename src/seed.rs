//! Reference data (`binhdang seed`) and demo data (`binhdang seed --demo`). Idempotent: every
//! record has a deterministic id (UUID v5 of a stable key) and is inserted with
//! `ON CONFLICT DO NOTHING`, so a second run changes nothing.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::audit::{self, Actor, Change};
use crate::auth::Role;
use crate::config::Secret;
use crate::db::schema::{unit_lineage, units, users};
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
        Ok(s.inserted)
    })
    .await
}

/// Demo users, one per role: (username, role, unit key).
pub const DEMO_USERS: [(&str, Role, &str); 7] = [
    ("admin", Role::Admin, "district:356"),
    ("manager", Role::Manager, "district:356"),
    ("inspector", Role::Inspector, "dept:356:thanhtra"),
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
    Ok(DEMO_USERS.iter().map(|(u, r, _)| (u.to_string(), *r)).collect())
}
