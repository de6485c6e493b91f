//! Bulk import: templates, dry runs and commits, atomicity, the stored report, idempotency,
//! units by code and era, participant sheets, the XLSX and CSV round trip, background jobs and
//! their recovery, limits, scope.

use std::io::Cursor;

use actix_web::test::TestRequest;
use binhdang::auth::Role;
use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::Workbook;
use serde_json::{json, Value};

use crate::harness::*;
use crate::records::multipart;

const HEAD: &str = "Đơn vị (mã hoặc id),Tên lớp,Ngày bắt đầu,Ngày kết thúc,Chủ đề,Đối tượng,Nữ,Nam\n";

async fn import(
    app: &TestApp,
    token: &str,
    query: &str,
    name: &str,
    bytes: &[u8],
    extra: &[(&str, &str)],
) -> TestResponse {
    let (ct, body) = multipart("file", name, bytes);
    let mut req = TestRequest::post()
        .uri(&format!("/api/v1/imports?{query}"))
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("content-type", ct))
        .set_payload(body);
    for (k, v) in extra {
        req = req.insert_header((*k, *v));
    }
    app.send(req).await
}

async fn trainings(app: &TestApp) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.conn().await;
    let n: N = diesel_async::RunQueryDsl::get_result(
        diesel::sql_query("SELECT count(*) AS n FROM trainings WHERE deleted_at IS NULL"),
        &mut conn,
    )
    .await
    .unwrap();
    n.n
}

fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range(name).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

#[actix_web::test]
async fn templates_have_vietnamese_headers_an_example_participants_and_codes() {
    let app = TestApp::spawn().await;
    let officer = app.token(Role::Officer, HA_LONG).await;
    let res = app.get("/api/v1/imports/templates/trainings", Some(&officer)).await;
    assert_eq!(res.status, 200, "{}", res.text());
    let data = sheet(&res.body, "Dữ liệu");
    assert_eq!(data[0][0], Data::String("Đơn vị (mã hoặc id)".into()));
    assert!(data[0].contains(&Data::String("Ngày bắt đầu".into())));
    assert_eq!(data[1][0], Data::String("13633".into()));
    let people = sheet(&res.body, "Người tham dự");
    assert_eq!(people[0][0], Data::String("Dòng".into()));
    let names = |bytes: &[u8]| {
        let wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
        wb.sheet_names()
    };
    assert_eq!(names(&res.body), vec!["Dữ liệu", "Mã", "Người tham dự"]);
    let figures = app.get("/api/v1/imports/templates/unit_figures", Some(&officer)).await;
    assert_eq!(names(&figures.body), vec!["Dữ liệu", "Mã"]);
    let codes = sheet(&res.body, "Mã");
    assert!(codes
        .iter()
        .any(|r| r[1] == Data::String("domestic_violence".into()) && r[2] == Data::String("Bạo lực gia đình".into())));
    // The template's own example imports as it is (a dry run).
    let res = import(&app, &officer, "resource=trainings", "mau.xlsx", &res.body, &[]).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let report = res.json();
    assert_eq!(
        (report["created"].as_i64(), report["failed"].as_i64()),
        (Some(1), Some(0)),
        "{report}"
    );
    let csv = app
        .get("/api/v1/imports/templates/outreach_events?format=csv", Some(&officer))
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.text().contains("Hình thức"), "{}", csv.text());
    app.get("/api/v1/imports/templates/plans", Some(&officer))
        .await
        .assert_problem(404);
    app.get("/api/v1/imports/templates/trainings", None)
        .await
        .assert_problem(401);
}

#[actix_web::test]
async fn a_dry_run_changes_nothing_and_the_report_names_rows_columns_and_messages() {
    let app = TestApp::spawn().await;
    let officer = app.token(Role::Officer, HA_LONG).await;
    let before = trainings(&app).await;
    let file = format!(
        "{HEAD}13633,Tập huấn A,2024-11-20,2024-11-21,Bạo lực gia đình; gbv,Cộng tác viên,20,5\n\
         13633,Tập huấn B,20/13/2024,2024-11-21,,,3,1\n\
         13633,Tập huấn C,2024-11-20,2024-11-21,Bói toán,,3,1\n\
         13669,Tập huấn D,2024-11-20,2024-11-21,,,3,1\n"
    );
    let vi = [("accept-language", "vi")];
    let res = import(
        &app,
        &officer,
        "resource=trainings&mode=validate",
        "a.csv",
        file.as_bytes(),
        &vi,
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let r = res.json();
    assert_eq!(r["status"], "completed");
    assert_eq!((r["created"].as_i64(), r["failed"].as_i64()), (Some(1), Some(3)), "{r}");
    assert_eq!(r["committed"], false);
    let errors = r["errors"].as_array().unwrap();
    let date = errors.iter().find(|e| e["row"] == 3).unwrap();
    assert_eq!(date["column"], "Ngày bắt đầu");
    assert_eq!(date["field"], "starts_on");
    assert!(date["message"].as_str().unwrap().contains("không phải ngày"), "{date}");
    let topic = errors.iter().find(|e| e["row"] == 4).unwrap();
    assert_eq!(topic["column"], "Chủ đề");
    assert!(topic["message"].as_str().unwrap().contains("Bói toán"), "{topic}");
    // Another ward's code is not in a ward officer's scope.
    let other = errors.iter().find(|e| e["row"] == 5).unwrap();
    assert_eq!(other["code"], "unknown", "{other}");
    assert_eq!(trainings(&app).await, before, "a dry run writes nothing");
    // The report is stored: read later, by its sender, and by an admin over the ward.
    let id = r["id"].as_str().unwrap();
    let again = app.get(&format!("/api/v1/imports/{id}"), Some(&officer)).await.json();
    assert_eq!(again["errors"], r["errors"]);
    let admin = app.token(Role::Admin, CITY).await;
    assert_eq!(
        app.get(&format!("/api/v1/imports/{id}"), Some(&admin)).await.status,
        200
    );
    let tdn = app.token(Role::Officer, TRAN_DANG_NINH).await;
    app.get(&format!("/api/v1/imports/{id}"), Some(&tdn))
        .await
        .assert_problem(404);
    let mine = app.get("/api/v1/imports", Some(&officer)).await.json();
    assert_eq!(mine["data"][0]["id"], id);

    // All or nothing: a failing row and nothing is written, even in commit mode.
    let res = import(
        &app,
        &officer,
        "resource=trainings&mode=commit&atomic=all",
        "a.csv",
        file.as_bytes(),
        &[],
    )
    .await;
    let r = res.json();
    assert_eq!(
        (r["created"].as_i64(), r["committed"].as_bool()),
        (Some(1), Some(false)),
        "{r}"
    );
    assert_eq!(trainings(&app).await, before);
    // Row by row: the good row is written.
    let res = import(
        &app,
        &officer,
        "resource=trainings&mode=commit&atomic=row",
        "a.csv",
        file.as_bytes(),
        &[],
    )
    .await;
    let r = res.json();
    assert_eq!(
        (r["created"].as_i64(), r["committed"].as_bool()),
        (Some(1), Some(true)),
        "{r}"
    );
    assert_eq!(trainings(&app).await, before + 1);
    let list = app
        .get("/api/v1/trainings?q=T%E1%BA%ADp%20hu%E1%BA%A5n%20A", Some(&officer))
        .await
        .json();
    let made = &list["data"][0];
    assert_eq!(made["topics"], json!(["gbv", "domestic_violence"]), "{made}");
    assert_eq!(made["participants"]["female"], 20);
}

#[actix_web::test]
async fn the_same_file_key_and_mode_never_import_twice() {
    let app = TestApp::spawn().await;
    let officer = app.token(Role::Officer, HA_LONG).await;
    let before = trainings(&app).await;
    let file = format!("{HEAD}13633,Tập huấn một lần,2024-11-20,2024-11-21,,,2,2\n");
    let key = [("idempotency-key", "import-1")];
    let q = "resource=trainings&mode=commit";
    let first = import(&app, &officer, q, "a.csv", file.as_bytes(), &key).await;
    assert_eq!(first.status, 201, "{}", first.text());
    let again = import(&app, &officer, q, "a.csv", file.as_bytes(), &key).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.json()["id"], first.json()["id"]);
    assert_eq!(trainings(&app).await, before + 1);
    // A dry run under the same key is another import (and writes nothing).
    let dry = import(
        &app,
        &officer,
        "resource=trainings&mode=validate",
        "a.csv",
        file.as_bytes(),
        &key,
    )
    .await;
    assert_eq!(dry.status, 201);
    assert_ne!(dry.json()["id"], first.json()["id"]);
    // The key with another file is refused.
    let other = format!("{HEAD}13633,Khác,2024-11-20,2024-11-21,,,1,1\n");
    import(&app, &officer, q, "b.csv", other.as_bytes(), &key)
        .await
        .assert_invalid("Idempotency-Key");
    assert_eq!(trainings(&app).await, before + 1);
}

#[actix_web::test]
async fn units_are_named_by_code_as_valid_on_the_rows_date_and_an_ambiguous_code_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, COUNTRY).await;
    // 13666 was Trần Hưng Đạo's until 30 June 2025, then the new ward Nam Định's.
    let file = format!(
        "{HEAD}13666,Trước sắp xếp,2025-06-30,2025-06-30,,,1,1\n13666,Sau sắp xếp,2025-07-01,2025-07-01,,,1,1\n"
    );
    let r = import(
        &app,
        &admin,
        "resource=trainings&mode=commit",
        "a.csv",
        file.as_bytes(),
        &[],
    )
    .await
    .json();
    assert_eq!(r["created"], 2, "{r}");
    let unit_of = |title: &str| {
        let title = title.to_string();
        let app = &app;
        let admin = admin.clone();
        async move {
            let list = app.get("/api/v1/trainings?limit=100", Some(&admin)).await.json();
            list["data"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["title"] == title.as_str())
                .unwrap()["unit_id"]
                .clone()
        }
    };
    assert_eq!(unit_of("Trước sắp xếp").await, unit("commune:13666:2020").to_string());
    assert_eq!(unit_of("Sau sắp xếp").await, unit("commune:13666:2025").to_string());
    // Two units with one code on one day: the row names which by id, or it is refused.
    {
        let mut conn = app.conn().await;
        exec(
            &mut conn,
            &format!(
                "INSERT INTO units (id, parent_id, kind, code, name, path, depth, valid_from) \
                 SELECT gen_random_uuid(), id, 'organization', '13633', 'Đơn vị trùng mã', path || 'dup/', depth + 1, '2020-01-02' \
                 FROM units WHERE id = '{}'",
                unit(CITY)
            ),
        )
        .await
        .unwrap();
    }
    let file = format!("{HEAD}13633,Mã trùng,2024-11-20,2024-11-20,,,1,1\n");
    let r = import(
        &app,
        &admin,
        "resource=trainings&mode=validate",
        "a.csv",
        file.as_bytes(),
        &[],
    )
    .await
    .json();
    assert_eq!(r["errors"][0]["code"], "ambiguous", "{r}");
    assert_eq!(r["errors"][0]["column"], "Đơn vị (mã hoặc id)");
    let file = format!("{HEAD}{},Theo id,2024-11-20,2024-11-20,,,1,1\n", unit(HA_LONG));
    let r = import(
        &app,
        &admin,
        "resource=trainings&mode=validate",
        "a.csv",
        file.as_bytes(),
        &[],
    )
    .await
    .json();
    assert_eq!(r["created"], 1, "{r}");
}

/// A workbook with a data sheet and a participants sheet.
fn workbook(data: &[Vec<&str>], people: &[Vec<&str>]) -> Vec<u8> {
    let mut wb = Workbook::new();
    for (name, rows) in [("Dữ liệu", data), ("Người tham dự", people)] {
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                match v.parse::<f64>() {
                    Ok(n) if !v.contains('-') => ws.write_number(r as u32, c as u16, n).map(|_| ()),
                    _ => ws.write_string(r as u32, c as u16, *v).map(|_| ()),
                }
                .unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

#[actix_web::test]
async fn participant_lists_come_from_their_own_sheet_and_an_export_imports_back() {
    let app = TestApp::spawn().await;
    let officer = app.token(Role::Officer, HA_LONG).await;
    let data = vec![
        vec![
            "Đơn vị (mã hoặc id)",
            "Tên lớp",
            "Ngày bắt đầu",
            "Ngày kết thúc",
            "Chủ đề",
        ],
        vec![
            "13633",
            "Lớp có danh sách",
            "2024-11-20",
            "2024-11-21",
            "Phụ nữ tham chính",
        ],
        vec!["13633", "=Lớp công thức", "2024-11-22", "2024-11-22", ""],
    ];
    let people = vec![
        vec!["Dòng", "Họ và tên", "Giới tính", "Đơn vị công tác", "Chức vụ"],
        vec!["2", "Nguyễn Thị Hoa", "Nữ", "Hội LHPN", "Chi hội trưởng"],
        vec!["2", "Trần Văn Nam", "nam", "", ""],
        vec!["2", "Lê Thị Lan", "female", "", ""],
    ];
    let r = import(
        &app,
        &officer,
        "resource=trainings&mode=commit",
        "a.xlsx",
        &workbook(&data, &people),
        &[],
    )
    .await
    .json();
    assert_eq!((r["created"].as_i64(), r["failed"].as_i64()), (Some(2), Some(0)), "{r}");
    let list = app
        .get("/api/v1/trainings?limit=100&sort=title", Some(&officer))
        .await
        .json();
    let with_list = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"] == "Lớp có danh sách")
        .unwrap()
        .clone();
    assert_eq!(with_list["has_participant_list"], true);
    assert_eq!(
        with_list["participants"],
        json!({"female": 2, "male": 1, "other": 0, "total": 3})
    );
    assert_eq!(with_list["topics"], json!(["women_in_leadership"]));

    // Export the list as XLSX, change one title, import it back: that record is updated at its
    // version, the others are skipped, and the participant list is kept.
    let export = app
        .get("/api/v1/trainings/export?format=xlsx&limit=500", Some(&officer))
        .await;
    assert_eq!(export.status, 200);
    let name = {
        let wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(export.body.to_vec())).unwrap();
        wb.sheet_names()[0].clone()
    };
    let rows = sheet(&export.body, &name);
    let title_col = rows[0].iter().position(|h| *h == Data::String("Title".into())).unwrap();
    let mut edited = Workbook::new();
    let ws = edited.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c16) = (r as u32, c as u16);
            match cell {
                Data::String(s) if c == title_col && s == "Lớp có danh sách" => {
                    ws.write_string(r, c16, "Lớp có danh sách (sửa)").map(|_| ())
                }
                Data::String(s) => ws.write_string(r, c16, s).map(|_| ()),
                Data::Float(f) => ws.write_number(r, c16, *f).map(|_| ()),
                Data::Int(i) => ws.write_number(r, c16, *i as f64).map(|_| ()),
                Data::Bool(b) => ws.write_boolean(r, c16, *b).map(|_| ()),
                Data::DateTime(d) => ws.write_number(r, c16, d.as_f64()).map(|_| ()),
                _ => Ok(()),
            }
            .unwrap();
        }
    }
    let edited = edited.save_to_buffer().unwrap();
    let total = rows.len() as i64 - 1;
    let r = import(
        &app,
        &officer,
        "resource=trainings&mode=commit",
        "export.xlsx",
        &edited,
        &[],
    )
    .await
    .json();
    assert_eq!(r["updated"], 1, "{r}");
    assert_eq!(r["skipped"].as_i64(), Some(total - 1), "{r}");
    assert_eq!(r["failed"], 0, "{r}");
    let id = with_list["id"].as_str().unwrap();
    let now = app.get(&format!("/api/v1/trainings/{id}"), Some(&officer)).await.json();
    assert_eq!(now["title"], "Lớp có danh sách (sửa)");
    assert_eq!(now["version"], 2);
    assert_eq!(
        now["has_participant_list"], true,
        "an update without participants keeps the list"
    );
    let listed = app
        .get(&format!("/api/v1/trainings/{id}/participants"), Some(&officer))
        .await
        .json();
    assert_eq!(listed.as_array().unwrap().len(), 3);
    // The same edited file again: that record changed since the export, a conflict, not
    // overwritten.
    let r = import(
        &app,
        &officer,
        "resource=trainings&mode=commit&atomic=row",
        "export.xlsx",
        &edited,
        &[],
    )
    .await
    .json();
    let conflict = r["errors"].as_array().unwrap().iter().find(|e| e["code"] == "conflict");
    assert!(conflict.is_some(), "{r}");
    assert_eq!(
        app.get(&format!("/api/v1/trainings/{id}"), Some(&officer)).await.json()["version"],
        2
    );

    // CSV: a title an export neutralised against formulas (`'=…`) imports back as it was.
    let csv = app
        .get("/api/v1/trainings/export?format=csv&limit=500", Some(&officer))
        .await;
    assert!(csv.text().contains("'=Lớp công thức"), "{}", csv.text());
    let r = import(
        &app,
        &officer,
        "resource=trainings&mode=commit",
        "export.csv",
        &csv.body,
        &[],
    )
    .await
    .json();
    assert_eq!((r["updated"].as_i64(), r["failed"].as_i64()), (Some(0), Some(0)), "{r}");
}

#[actix_web::test]
async fn a_large_file_runs_in_the_background_and_a_job_left_by_a_dead_worker_is_taken_over() {
    let app = TestApp::spawn().await;
    let officer = app.token(Role::Officer, HA_LONG).await;
    let before = trainings(&app).await;
    let mut file = HEAD.to_string();
    for i in 0..250 {
        file.push_str(&format!("13633,Lớp số {i},2024-11-20,2024-11-21,,,1,1\n"));
    }
    let res = import(
        &app,
        &officer,
        "resource=trainings&mode=commit",
        "big.csv",
        file.as_bytes(),
        &[],
    )
    .await;
    assert_eq!(res.status, 202, "{}", res.text());
    let job = res.json();
    assert_eq!(job["status"], "queued");
    assert_eq!(job["rows_total"], 250);
    let path = res.header("location").unwrap().to_string();
    assert!(binhdang::imports::run::tick(&app.state.pool).await.unwrap());
    let done = app.get(&path, Some(&officer)).await.json();
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(
        (done["created"].as_i64(), done["rows_processed"].as_i64()),
        (Some(250), Some(250))
    );
    assert_eq!(trainings(&app).await, before + 250);

    // A job whose worker died (running, its lease over) is taken over and finished; one that
    // has killed its workers three times is marked failed, never left running.
    let second = import(
        &app,
        &officer,
        "resource=trainings&mode=validate",
        "big.csv",
        file.as_bytes(),
        &[],
    )
    .await
    .json();
    let third_file = file.replace("Lớp số", "Lớp thứ");
    let third = import(
        &app,
        &officer,
        "resource=trainings&mode=validate",
        "c.csv",
        third_file.as_bytes(),
        &[],
    )
    .await
    .json();
    {
        let mut conn = app.conn().await;
        exec(
            &mut conn,
            &format!(
                "UPDATE imports SET status = 'running', attempts = 1, lease_until = now() - interval '1 second' WHERE id = '{}'",
                second["id"].as_str().unwrap()
            ),
        )
        .await
        .unwrap();
        exec(
            &mut conn,
            &format!(
                "UPDATE imports SET status = 'running', attempts = 3, lease_until = now() - interval '1 second' WHERE id = '{}'",
                third["id"].as_str().unwrap()
            ),
        )
        .await
        .unwrap();
    }
    while binhdang::imports::run::tick(&app.state.pool).await.unwrap() {}
    let second = app
        .get(
            &format!("/api/v1/imports/{}", second["id"].as_str().unwrap()),
            Some(&officer),
        )
        .await
        .json();
    assert_eq!(second["status"], "completed", "{second}");
    assert_eq!(second["created"], 250);
    let third = app
        .get(
            &format!("/api/v1/imports/{}", third["id"].as_str().unwrap()),
            Some(&officer),
        )
        .await
        .json();
    assert_eq!(third["status"], "failed", "{third}");
    assert!(third["failure"].as_str().unwrap().contains("interrupted"));
    // Dry runs wrote nothing.
    assert_eq!(trainings(&app).await, before + 250);
}

#[actix_web::test]
async fn bad_files_get_a_clear_4xx_and_change_nothing() {
    let app = TestApp::spawn().await;
    let officer = app.token(Role::Officer, HA_LONG).await;
    let before = trainings(&app).await;
    let q = "resource=trainings&mode=commit";
    let png = [0x89u8, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0xff, 0xfe];
    import(&app, &officer, q, "a.png", &png, &[])
        .await
        .assert_invalid("file");
    import(&app, &officer, q, "a.csv", b"a,b,c\n1,2,3\n", &[])
        .await
        .assert_invalid("file");
    let mut many = HEAD.to_string();
    for i in 0..5001 {
        many.push_str(&format!("13633,L{i},2024-11-20,2024-11-20,,,1,1\n"));
    }
    let p = import(&app, &officer, q, "many.csv", many.as_bytes(), &[])
        .await
        .assert_invalid("file");
    assert!(p.to_string().contains("5000"), "{p}");
    let huge = vec![b'a'; 6 * 1024 * 1024];
    import(&app, &officer, q, "huge.csv", &huge, &[])
        .await
        .assert_problem(413);
    import(&app, &officer, "resource=plans", "a.csv", HEAD.as_bytes(), &[])
        .await
        .assert_invalid("resource");
    let req = TestRequest::post()
        .uri("/api/v1/imports?resource=trainings")
        .insert_header(("authorization", format!("Bearer {officer}")))
        .set_json(json!({"not": "a file"}));
    assert!(app.send(req).await.status.is_client_error());
    import(&app, "", q, "a.csv", HEAD.as_bytes(), &[])
        .await
        .assert_problem(401);
    assert_eq!(trainings(&app).await, before);
    let _ = Value::Null;
}

#[actix_web::test]
async fn outreach_events_import_with_their_kinds_and_publicity() {
    let app = TestApp::spawn().await;
    let officer = app.token(Role::Officer, HA_LONG).await;
    let file = "Đơn vị (mã hoặc id),Hình thức,Tên hoạt động,Ngày bắt đầu,Ngày kết thúc,Nữ,Nam,Công khai\n\
                13633,Sự kiện đường phố,Mít tinh,2024-11-25,2024-11-25,120,80,có\n\
                13633,Hội chợ,Không rõ hình thức,2024-11-25,2024-11-25,1,1,không\n";
    let r = import(
        &app,
        &officer,
        "resource=outreach_events&mode=commit&atomic=row",
        "e.csv",
        file.as_bytes(),
        &[],
    )
    .await
    .json();
    assert_eq!((r["created"].as_i64(), r["failed"].as_i64()), (Some(1), Some(1)), "{r}");
    assert_eq!(r["errors"][0]["column"], "Hình thức");
    let events = app.get("/api/v1/outreach?limit=100", Some(&officer)).await.json();
    let made = events["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["title"] == "Mít tinh")
        .unwrap()
        .clone();
    assert_eq!(made["kind"], "street_event");
    assert_eq!(made["is_public"], true);
    assert_eq!(made["participants"]["female"], 120);
}

#[actix_web::test]
async fn unit_figures_import_by_unit_and_year_and_replace_only_at_their_version() {
    let app = TestApp::spawn().await;
    let manager = app.token(Role::Manager, HA_LONG).await;
    let head = "Đơn vị (mã hoặc id),Năm,Số cán bộ làm công tác bình đẳng giới,Số nạn nhân bạo lực trên cơ sở giới được phát hiện,Số nạn nhân được hỗ trợ";
    let file = format!("{head}\n13633,2024,12,9,8\n13633,2023,3,5,9\n");
    let q = "resource=unit_figures&mode=commit&atomic=row";
    let r = import(&app, &manager, q, "f.csv", file.as_bytes(), &[]).await.json();
    assert_eq!((r["created"].as_i64(), r["failed"].as_i64()), (Some(1), Some(1)), "{r}");
    assert_eq!(
        r["errors"][0]["field"], "gbv_victims_supported",
        "more supported than detected: {r}"
    );
    let figures = app
        .get(&format!("/api/v1/units/{}/figures", unit(HA_LONG)), Some(&manager))
        .await
        .json();
    let y2024 = figures["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["year"] == 2024)
        .unwrap()
        .clone();
    assert_eq!(y2024["ge_officials"], 12);
    // The same again: skipped. Other values without a version: refused; with it: replaced.
    let r = import(
        &app,
        &manager,
        q,
        "f.csv",
        format!("{head}\n13633,2024,12,9,8\n").as_bytes(),
        &[],
    )
    .await
    .json();
    assert_eq!(r["skipped"], 1, "{r}");
    let r = import(
        &app,
        &manager,
        q,
        "f.csv",
        format!("{head}\n13633,2024,13,9,8\n").as_bytes(),
        &[],
    )
    .await
    .json();
    assert_eq!(r["errors"][0]["field"], "version", "{r}");
    let with_version = format!("{head},Phiên bản\n13633,2024,13,9,8,{}\n", y2024["version"]);
    let r = import(&app, &manager, q, "f.csv", with_version.as_bytes(), &[])
        .await
        .json();
    assert_eq!(r["updated"], 1, "{r}");
    // An officer keeps no figures (managers do): refused row by row, nothing written.
    let officer = app.token(Role::Officer, HA_LONG).await;
    let r = import(
        &app,
        &officer,
        q,
        "f.csv",
        format!("{head}\n13633,2022,1,1,1\n").as_bytes(),
        &[],
    )
    .await
    .json();
    assert_eq!(
        (r["failed"].as_i64(), r["errors"][0]["code"].as_str()),
        (Some(1), Some("forbidden")),
        "{r}"
    );
}
