//! Reports: roll-ups over a hand-built set of records with known totals (including a ward that
//! was merged into a new one), partner suppression, scope, exports parsed back, list exports,
//! unit leaders and yearly figures.

use std::io::Cursor as IoCursor;

use actix_web::http::Method;
use actix_web::test::TestRequest;
use binhdang::auth::Role;
use calamine::{Data, DataType, Reader, Xlsx};
use serde_json::{json, Value};

use crate::harness::*;

/// Trần Hưng Đạo (2020-2025), merged into ward Nam Định on 1 July 2025.
const TRAN_HUNG_DAO: &str = "commune:13666:2020";
/// Ward Nam Định (Ninh Bình) since 1 July 2025.
const NAM_DINH_WARD: &str = "commune:13666:2025";
const NINH_BINH: &str = "province:37";

async fn sql(app: &TestApp, statement: &str) {
    let mut conn = app.conn().await;
    exec(&mut conn, statement).await.expect(statement);
}

fn path_of(key: &str) -> String {
    format!("(SELECT path FROM units WHERE id = '{}')", unit(key))
}

async fn training(app: &TestApp, key: &str, title: &str, day: &str, f: i32, m: i32, audiences: &str) {
    sql(
        app,
        &format!(
            "INSERT INTO trainings (id, unit_id, unit_path, title, audiences, starts_on, ends_on, female, male) \
             VALUES (gen_random_uuid(), '{}', {}, '{title}', '{audiences}', '{day}', '{day}', {f}, {m})",
            unit(key),
            path_of(key)
        ),
    )
    .await;
}

/// The fixture: what Hạ Long, Trần Đăng Ninh, Trần Hưng Đạo and ward Nam Định recorded.
async fn fixture(app: &TestApp) {
    training(app, HA_LONG, "T1", "2024-03-01", 10, 5, "{officials}").await;
    training(app, HA_LONG, "T2", "2024-11-20", 3, 1, "{community}").await;
    training(
        app,
        HA_LONG,
        "T0 (2023: outside the period)",
        "2023-12-31",
        50,
        50,
        "{officials}",
    )
    .await;
    training(
        app,
        TRAN_DANG_NINH,
        "T3",
        "2024-05-05",
        7,
        8,
        "{officials,collaborators}",
    )
    .await;
    training(app, TRAN_HUNG_DAO, "T4", "2024-02-02", 2, 2, "{}").await;
    training(app, NAM_DINH_WARD, "T5", "2025-08-01", 6, 0, "{community}").await;
    let ha_long = (unit(HA_LONG), path_of(HA_LONG));
    let tdn = (unit(TRAN_DANG_NINH), path_of(TRAN_DANG_NINH));
    sql(
        app,
        &format!(
            "INSERT INTO outreach_events (id, unit_id, unit_path, kind, title, topics, starts_on, ends_on, audience_reached, female, male) VALUES \
             (gen_random_uuid(), '{0}', {1}, 'street_event', 'E1', '{{gbv}}', '2024-11-16', '2024-11-16', 100, 20, 10), \
             (gen_random_uuid(), '{0}', {1}, 'broadcast', 'E2', '{{gbv,gender_equality_law}}', '2024-06-01', '2024-06-01', 5000, 0, 0)",
            ha_long.0, ha_long.1
        ),
    )
    .await;
    sql(
        app,
        &format!(
            "INSERT INTO petitions (id, kind, handling_unit_id, unit_path, received_on, channel, subject, status, accepted_on, \
                                    decided_on, acceptance_due_on, resolution_due_on, due_on) VALUES \
             (gen_random_uuid(), 'complaint', '{0}', {1}, '2024-01-10', 'in_person', 'P1', 'resolved', '2024-01-12', \
              '2024-02-01', '2024-01-20', '2024-02-20', NULL), \
             (gen_random_uuid(), 'denunciation', '{0}', {1}, '2024-03-01', 'mail', 'P2', 'accepted', '2024-03-02', \
              NULL, '2024-03-11', '2024-04-01', '2024-04-01')",
            ha_long.0, ha_long.1
        ),
    )
    .await;
    sql(
        app,
        &format!(
            "INSERT INTO inspections (id, kind, inspecting_unit_id, unit_path, subject_name, subject_type, decision_on, status) \
             VALUES (gen_random_uuid(), 'check', '{}', {}, 'Trường tiểu học', 'school', '2024-04-04', 'planned')",
            tdn.0, tdn.1
        ),
    )
    .await;
    sql(
        app,
        &format!(
            "INSERT INTO violations (id, handling_unit_id, unit_path, offender_kind, organization_name, rule_id, area, act_on, penalty, fine_vnd) \
             SELECT gen_random_uuid(), '{0}', {1}, 'organization', 'Công ty A', (SELECT id FROM violation_rules LIMIT 1), a, '2024-05-05', p, f \
               FROM (VALUES ('family', 'fine', 5000000::bigint), ('politics', 'warning', NULL)) v(a, p, f)",
            ha_long.0, ha_long.1
        ),
    )
    .await;
    sql(
        app,
        &format!(
            "WITH p AS (INSERT INTO plans (id, unit_id, unit_path, year, kind, title, status) \
                        VALUES (gen_random_uuid(), '{}', {}, 2024, 'yearly', 'Kế hoạch 2024', 'approved') RETURNING id) \
             INSERT INTO plan_targets (id, plan_id, indicator, unit_of_measure, target_value, actual_value, measured_on) \
             SELECT gen_random_uuid(), p.id, t, '%', 80, a, '2024-12-01' FROM p, (VALUES ('met', 85.0), ('missed', 60.0)) v(t, a)",
            ha_long.0, ha_long.1
        ),
    )
    .await;
    sql(
        app,
        &format!(
            "INSERT INTO unit_leaders (id, unit_id, unit_path, body, position, holder_sex, started_on) VALUES \
             (gen_random_uuid(), '{0}', {1}, 'people_committee', 'chair', 'female', '2021-07-01'), \
             (gen_random_uuid(), '{2}', {3}, 'people_committee', 'chair', 'male', '2021-07-01'), \
             (gen_random_uuid(), '{4}', {5}, 'people_council', 'vice_chair', 'female', '2021-07-01')",
            ha_long.0,
            ha_long.1,
            tdn.0,
            tdn.1,
            unit(CITY),
            path_of(CITY)
        ),
    )
    .await;
    sql(
        app,
        &format!(
            "INSERT INTO unit_figures (id, unit_id, unit_path, year, ge_officials, gbv_victims_detected, gbv_victims_supported) VALUES \
             (gen_random_uuid(), '{0}', {1}, 2024, 20, 4, 3), (gen_random_uuid(), '{2}', {3}, 2024, 10, 6, 6)",
            ha_long.0, ha_long.1, tdn.0, tdn.1
        ),
    )
    .await;
}

fn section<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no section {id}"))
}

fn total(report: &Value, id: &str) -> Value {
    section(report, id)["total"]["values"].clone()
}

fn row<'a>(report: &'a Value, id: &str, breakdown: &str, key: &str) -> &'a Value {
    section(report, id)["breakdowns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == breakdown)
        .unwrap()["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .map(|r| &r["values"])
        .unwrap_or_else(|| panic!("no row {key} in {id}.{breakdown}"))
}

fn indicator<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .unwrap()
}

async fn summary(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app.get(&format!("/api/v1/reports/summary?{query}"), Some(token)).await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()
}

#[actix_web::test]
async fn the_city_summary_adds_up_its_wards() {
    let app = TestApp::spawn().await;
    fixture(&app).await;
    let viewer = app.token(Role::Viewer, CITY).await;
    let r = summary(&app, &viewer, "year=2024").await;
    assert_eq!(r["unit"]["id"], unit(CITY).to_string());
    assert_eq!(r["period"], json!({"from": "2024-01-01", "to": "2024-12-31"}));
    assert_eq!(r["suppression"]["applied"], false);

    assert_eq!(
        total(&r, "trainings"),
        json!({"trainings": 4, "participants": 38, "female": 22, "male": 16, "other": 0,
               "action_month_trainings": 1, "officials_trained": 30})
    );
    assert_eq!(row(&r, "trainings", "by_audience", "officials")["trainings"], 2);
    assert_eq!(row(&r, "trainings", "by_audience", "officials")["female"], 17);
    assert_eq!(row(&r, "trainings", "by_audience", "community")["participants"], 4);

    let o = total(&r, "outreach");
    assert_eq!(
        (
            &o["events"],
            &o["participants"],
            &o["reach"],
            &o["action_month_events"],
            &o["action_month_participants"]
        ),
        (&json!(2), &json!(30), &json!(5100), &json!(1), &json!(30))
    );
    assert_eq!(o["action_month_share"], 50.0);
    assert_eq!(row(&r, "outreach", "by_kind", "broadcast")["reach"], 5000);
    assert_eq!(row(&r, "outreach", "by_topic", "gbv")["events"], 2);
    assert_eq!(row(&r, "outreach", "by_topic", "gender_equality_law")["events"], 1);

    assert_eq!(
        total(&r, "plans"),
        json!({"plans": 1, "targets": 2, "targets_met": 1, "targets_met_share": 50.0})
    );
    assert_eq!(row(&r, "plans", "by_status", "approved")["plans"], 1);
    assert_eq!(total(&r, "inspections"), json!({"inspections": 1}));
    assert_eq!(row(&r, "inspections", "by_kind", "check")["inspections"], 1);
    assert_eq!(
        total(&r, "violations"),
        json!({"violations": 2, "fines": 1, "fines_vnd": 5_000_000})
    );
    assert_eq!(row(&r, "violations", "by_area", "family")["fines_vnd"], 5_000_000);
    assert_eq!(row(&r, "violations", "by_penalty", "warning")["violations"], 1);
    assert_eq!(
        total(&r, "petitions"),
        json!({"received": 2, "resolved": 1, "resolved_on_time": 1, "overdue": 1, "resolved_on_time_share": 100.0})
    );
    assert_eq!(row(&r, "petitions", "by_kind", "denunciation")["overdue"], 1);

    // The drill-down: one row per ward (zeros included) and the city's own; rows add up.
    let units = section(&r, "units");
    let rows = units["breakdowns"][0]["rows"].as_array().unwrap();
    assert_eq!(
        rows.len(),
        1 + 25 + 7 + 1,
        "own row, 25 wards and communes, 7 departments, the committee"
    );
    assert_eq!(rows[0]["key"], unit(CITY).to_string());
    let ha_long = row(&r, "units", "by_unit", &unit(HA_LONG).to_string());
    assert_eq!(
        (
            &ha_long["trainings"],
            &ha_long["training_participants"],
            &ha_long["outreach_events"],
            &ha_long["fines_vnd"]
        ),
        (&json!(2), &json!(19), &json!(2), &json!(5_000_000))
    );
    assert_eq!(
        row(&r, "units", "by_unit", &unit(TRAN_HUNG_DAO).to_string())["trainings"],
        1
    );
    for metric in units["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["key"].as_str().unwrap())
    {
        let sum: i64 = rows.iter().map(|r| r["values"][metric].as_i64().unwrap()).sum();
        assert_eq!(json!(sum), units["total"]["values"][metric], "{metric}");
    }
    assert_eq!(units["total"]["values"]["trainings"], 4);

    let leaders = indicator(&r, "female_key_leader_share");
    assert_eq!(
        (&leaders["numerator"], &leaders["denominator"]),
        (&json!(2), &json!(26))
    );
    assert_eq!(leaders["on_track"], false, "2 of 26 is below the 60% milestone");
    let gbv = indicator(&r, "gbv_victims_supported_share");
    assert_eq!(
        (&gbv["value"], &gbv["target_2025"], &gbv["on_track"]),
        (&json!(90.0), &json!(80.0), &json!(true))
    );
    let trained = indicator(&r, "officials_trained_share");
    assert_eq!(
        (&trained["numerator"], &trained["denominator"], &trained["value"]),
        (&json!(30), &json!(30), &json!(100.0))
    );

    // A ward sees only itself; a period that ends before the records sees none of them.
    let ward = app.token(Role::Officer, HA_LONG).await;
    let w = summary(&app, &ward, "year=2024").await;
    assert_eq!(total(&w, "trainings")["trainings"], 2);
    let early = summary(&app, &viewer, "from=2024-01-01&to=2024-02-29").await;
    assert_eq!(total(&early, "trainings")["trainings"], 1, "T4 only (2 February)");
    assert_eq!(total(&early, "petitions")["received"], 1);
}

#[actix_web::test]
async fn records_of_a_merged_ward_roll_up_into_its_successor() {
    let app = TestApp::spawn().await;
    fixture(&app).await;
    let admin = app.token(Role::Admin, COUNTRY).await;
    let q = |u: &str| format!("unit_id={}&from=2024-01-01&to=2025-12-31", unit(u));
    let ward = summary(&app, &admin, &q(NAM_DINH_WARD)).await;
    // T4 of Trần Hưng Đạo (2024) and the new ward's own T5 (2025).
    assert_eq!(
        (
            total(&ward, "trainings")["trainings"].clone(),
            total(&ward, "trainings")["female"].clone()
        ),
        (json!(2), json!(8))
    );
    let own = row(&ward, "units", "by_unit", &unit(NAM_DINH_WARD).to_string());
    assert_eq!(own["trainings"], 2);
    // The province counts them once, under the new ward.
    let province = summary(&app, &admin, &q(NINH_BINH)).await;
    assert_eq!(total(&province, "trainings")["trainings"], 2);
    assert_eq!(
        row(&province, "units", "by_unit", &unit(NAM_DINH_WARD).to_string())["trainings"],
        2
    );
    // The old city keeps its history: T4 stays counted there too (and the new ward's T5 not).
    let city = summary(&app, &admin, &q(CITY)).await;
    assert_eq!(
        total(&city, "trainings")["trainings"],
        4,
        "T1-T4: T0 is outside the period, T5 is not the city's"
    );
    // The country counts every record once.
    let country = summary(&app, &admin, "from=2023-01-01&to=2025-12-31").await;
    assert_eq!(total(&country, "trainings")["trainings"], 6);
}

async fn partner(app: &TestApp, units: &[&str]) -> String {
    let admin = app.token(Role::Admin, COUNTRY).await;
    let ids: Vec<String> = units.iter().map(|u| unit(u).to_string()).collect();
    let client = app
        .post("/api/v1/clients", Some(&admin), json!({"name": "NGO", "unit_ids": ids}))
        .await
        .json();
    app.post(
        "/api/v1/auth/token",
        None,
        json!({"grant_type": "client_credentials", "client_id": client["client_id"], "client_secret": client["client_secret"]}),
    )
    .await
    .json()["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Every count cell (and the groups that add up) of a partner's report.
fn assert_no_small_counts_and_no_lone_gaps(r: &Value) {
    for s in r["sections"].as_array().unwrap() {
        let counts: Vec<&str> = s["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["kind"] == "count")
            .map(|m| m["key"].as_str().unwrap())
            .collect();
        let mut rows = vec![&s["total"]];
        for b in s["breakdowns"].as_array().unwrap() {
            rows.extend(b["rows"].as_array().unwrap());
        }
        for r in &rows {
            for k in &counts {
                if let Some(v) = r["values"][k].as_i64() {
                    assert!(!(1..=4).contains(&v), "{} {} {k} = {v} shown", s["id"], r["key"]);
                }
            }
            if r["values"].get("participants").is_some() {
                let hidden = ["participants", "female", "male", "other"]
                    .iter()
                    .filter(|k| r["values"][**k].is_null())
                    .count();
                assert_ne!(hidden, 1, "{} row {}: one hidden cell of a sum", s["id"], r["key"]);
            }
        }
        for b in s["breakdowns"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["additive"] == true)
        {
            for k in &counts {
                let hidden = b["rows"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|r| r["values"][k].is_null())
                    .count()
                    + usize::from(s["total"]["values"][k].is_null());
                assert_ne!(hidden, 1, "{}.{} column {k}: one hidden cell", s["id"], b["id"]);
            }
        }
    }
}

#[actix_web::test]
async fn partners_get_aggregates_of_their_units_with_small_counts_suppressed() {
    let app = TestApp::spawn().await;
    fixture(&app).await;
    let token = partner(&app, &[CITY]).await;
    let r = summary(&app, &token, &format!("unit_id={}&year=2024", unit(CITY))).await;
    assert_eq!(r["suppression"], json!({"applied": true, "threshold": 5}));
    let t = total(&r, "trainings");
    assert_eq!(t["trainings"], Value::Null, "4 trainings is a small count");
    assert_eq!(
        (&t["female"], &t["male"], &t["participants"]),
        (&json!(22), &json!(16), &json!(38))
    );
    // Hạ Long's 2 trainings are hidden in the drill-down, and so is a second cell of the column.
    let ha_long = row(&r, "units", "by_unit", &unit(HA_LONG).to_string());
    assert_eq!(ha_long["trainings"], Value::Null);
    // 2 of 26 units with a female leader: the share would give the 2 away.
    let leaders = indicator(&r, "female_key_leader_share");
    assert_eq!((&leaders["value"], &leaders["numerator"]), (&Value::Null, &Value::Null));
    assert_no_small_counts_and_no_lone_gaps(&r);
    // The CSV shows what is hidden as <5.
    let csv = app
        .get(
            &format!(
                "/api/v1/reports/summary/export?unit_id={}&year=2024&format=csv",
                unit(CITY)
            ),
            Some(&token),
        )
        .await;
    let lines = parse_csv(&csv.body);
    assert!(lines
        .iter()
        .any(|l| l[0] == "trainings" && l[1] == "total" && l[4] == "trainings" && l[5] == "<5"));
    // Outside its grants a unit does not exist; without a unit the request is incomplete.
    let other = summary_status(&app, &token, &format!("unit_id={}", unit(NINH_BINH))).await;
    assert_eq!(other, 404);
    app.get("/api/v1/reports/summary?year=2024", Some(&token))
        .await
        .assert_problem(422);
    // And no lists of records.
    app.get("/api/v1/trainings/export?format=csv", Some(&token))
        .await
        .assert_problem(403);
}

async fn summary_status(app: &TestApp, token: &str, query: &str) -> u16 {
    app.get(&format!("/api/v1/reports/summary?{query}"), Some(token))
        .await
        .status
        .as_u16()
}

#[actix_web::test]
async fn summaries_are_scoped_and_validated() {
    let app = TestApp::spawn().await;
    let ward = app.token(Role::Manager, HA_LONG).await;
    app.get("/api/v1/reports/summary", None).await.assert_problem(401);
    for other in [CITY, TRAN_DANG_NINH] {
        app.get(&format!("/api/v1/reports/summary?unit_id={}", unit(other)), Some(&ward))
            .await
            .assert_problem(404);
    }
    app.get(
        &format!("/api/v1/reports/summary?unit_id={}", uuid::Uuid::new_v4()),
        Some(&ward),
    )
    .await
    .assert_problem(404);
    for bad in [
        "year=1999",
        "from=2024-01-01",
        "from=2024-05-01&to=2024-04-01",
        "year=2024&from=2024-01-01&to=2024-02-01",
        "from=2001-01-01&to=2024-01-01",
    ] {
        let p = app
            .get(&format!("/api/v1/reports/summary?{bad}"), Some(&ward))
            .await
            .assert_problem(422);
        assert!(p["errors"].is_array(), "{bad}: {p}");
    }
    app.get("/api/v1/reports/summary/export?format=pdf", Some(&ward))
        .await
        .assert_invalid("format");
    // The default: the caller's unit, this year.
    let r = summary(&app, &ward, "").await;
    assert_eq!(r["unit"]["id"], unit(HA_LONG).to_string());
}

fn parse_csv(body: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(body).expect("UTF-8");
    let text = text
        .strip_prefix('\u{feff}')
        .expect("a byte-order mark for spreadsheet programs");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("a CSV record").iter().map(str::to_string).collect())
        .collect()
}

fn parse_xlsx(body: &[u8]) -> Xlsx<IoCursor<Vec<u8>>> {
    Xlsx::new(IoCursor::new(body.to_vec())).expect("an XLSX workbook")
}

#[actix_web::test]
async fn the_summary_exports_as_csv_and_xlsx_with_the_same_numbers() {
    let app = TestApp::spawn().await;
    fixture(&app).await;
    let viewer = app.token(Role::Viewer, CITY).await;
    let json = summary(&app, &viewer, "year=2024").await;

    let csv = app
        .get("/api/v1/reports/summary/export?year=2024&format=csv", Some(&viewer))
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(csv.header("content-disposition").unwrap().contains(".csv"));
    let lines = parse_csv(&csv.body);
    assert_eq!(lines[0], ["section", "breakdown", "key", "label", "metric", "value"]);
    // Every number of the JSON is in the CSV, and nothing else.
    let mut from_json = Vec::new();
    for s in json["sections"].as_array().unwrap() {
        let mut rows = vec![("total", &s["total"])];
        for b in s["breakdowns"].as_array().unwrap() {
            rows.extend(
                b["rows"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| (b["id"].as_str().unwrap(), r)),
            );
        }
        for (b, r) in rows {
            for m in s["metrics"].as_array().unwrap() {
                let v = &r["values"][m["key"].as_str().unwrap()];
                let text = match v {
                    Value::Null => String::new(),
                    Value::Number(n) if n.is_f64() => format!("{:.1}", n.as_f64().unwrap()),
                    other => other.to_string(),
                };
                from_json.push(vec![
                    s["id"].as_str().unwrap().to_string(),
                    b.to_string(),
                    r["key"].as_str().unwrap().to_string(),
                    m["key"].as_str().unwrap().to_string(),
                    text,
                ]);
            }
        }
    }
    let from_csv: Vec<Vec<String>> = lines[1..]
        .iter()
        .filter(|l| l[0] != "report" && l[0] != "indicators")
        .map(|l| vec![l[0].clone(), l[1].clone(), l[2].clone(), l[4].clone(), l[5].clone()])
        .collect();
    assert_eq!(from_csv, from_json);
    assert!(lines
        .iter()
        .any(|l| l[0] == "report" && l[4] == "from" && l[5] == "2024-01-01"));
    assert!(lines
        .iter()
        .any(|l| l[0] == "indicators" && l[1] == "gbv_victims_supported_share" && l[4] == "value" && l[5] == "90.0"));

    // Vietnamese: headers, titles and sheet names; numbers as numbers, dates as dates.
    let req = TestRequest::get()
        .uri("/api/v1/reports/summary/export?year=2024")
        .insert_header(("authorization", format!("Bearer {viewer}")))
        .insert_header((
            "accept",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ))
        .insert_header(("accept-language", "vi"));
    let xlsx = app.send(req).await;
    assert_eq!(xlsx.status, 200, "{}", xlsx.text());
    let mut wb = parse_xlsx(&xlsx.body);
    assert_eq!(
        wb.sheet_names(),
        [
            "Báo cáo",
            "Kế hoạch",
            "Tập huấn",
            "Truyền thông",
            "Kiểm tra, thanh tra",
            "Vi phạm hành chính",
            "Khiếu nại, tố cáo",
            "Bạo lực trên cơ sở giới",
            "Theo đơn vị",
            "Chỉ tiêu"
        ]
    );
    let cover = wb.worksheet_range("Báo cáo").unwrap();
    assert_eq!(cover.get((0, 0)), Some(&Data::String("Đơn vị".into())));
    match cover.get((3, 1)) {
        Some(Data::DateTime(d)) => assert_eq!(d.as_f64(), 45292.0, "2024-01-01 as an Excel date"),
        other => panic!("the period's start is not a date: {other:?}"),
    }
    let trainings = wb.worksheet_range("Tập huấn").unwrap();
    let header: Vec<String> = trainings.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(
        &header[..5],
        ["Phân tổ", "Mã", "Tên", "Lớp tập huấn", "Lượt người tham gia"]
    );
    let total_row = trainings.rows().nth(1).unwrap();
    assert_eq!(total_row[0], Data::String("Tổng số".into()));
    assert_eq!((&total_row[3], &total_row[4]), (&Data::Float(4.0), &Data::Float(38.0)));
    let officials = trainings
        .rows()
        .find(|r| r[1] == Data::String("officials".into()))
        .unwrap();
    assert_eq!(officials[2], Data::String("Cán bộ, công chức".into()));
    assert_eq!(officials[3], Data::Float(2.0));
    let units = wb.worksheet_range("Theo đơn vị").unwrap();
    let fines_col = units
        .rows()
        .next()
        .unwrap()
        .iter()
        .position(|c| *c == Data::String("Tiền phạt (đồng)".into()))
        .unwrap();
    assert_eq!(units.rows().nth(1).unwrap()[fines_col], Data::Float(5_000_000.0));
}

#[actix_web::test]
async fn lists_export_with_their_filters_as_csv_and_xlsx() {
    let app = TestApp::spawn().await;
    fixture(&app).await;
    // Enough rows for several export pages.
    sql(
        &app,
        &format!(
            "INSERT INTO trainings (id, unit_id, unit_path, title, starts_on, ends_on, female, male) \
             SELECT gen_random_uuid(), '{}', {}, 'Lớp ' || g, date '2022-01-01' + g % 300, date '2022-01-01' + g % 300, g % 7, 1 \
               FROM generate_series(1, 1234) g",
            unit(TRAN_DANG_NINH),
            path_of(TRAN_DANG_NINH)
        ),
    )
    .await;
    let viewer = app.token(Role::Viewer, CITY).await;
    let filters = format!(
        "unit_id={}&include_descendants=true&from=2024-01-01&to=2024-12-31",
        unit(CITY)
    );
    let page = app
        .get(&format!("/api/v1/trainings?{filters}"), Some(&viewer))
        .await
        .json();
    let csv = app
        .get(&format!("/api/v1/trainings/export?{filters}&format=csv"), Some(&viewer))
        .await;
    assert_eq!(csv.status, 200);
    let lines = parse_csv(&csv.body);
    assert_eq!(lines[0][0], "Id");
    let female = lines[0].iter().position(|h| h == "Female").unwrap();
    let from_csv: Vec<(String, String)> = lines[1..].iter().map(|l| (l[0].clone(), l[female].clone())).collect();
    let from_json: Vec<(String, String)> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_string(),
                t["participants"]["female"].to_string(),
            )
        })
        .collect();
    assert_eq!(from_csv, from_json);
    assert_eq!(from_csv.len(), 4);

    // The whole list, past one export page, in the list's order.
    let all = app
        .get(
            &format!(
                "/api/v1/trainings/export?unit_id={}&format=csv&sort=-starts_on",
                unit(TRAN_DANG_NINH)
            ),
            Some(&viewer),
        )
        .await;
    let lines = parse_csv(&all.body);
    assert_eq!(lines.len(), 1 + 1234 + 1);
    let starts = lines[0].iter().position(|h| h == "Starts on").unwrap();
    let days: Vec<&str> = lines[1..].iter().map(|l| l[starts].as_str()).collect();
    assert!(days.windows(2).all(|w| w[0] >= w[1]), "sorted by -starts_on");

    // Outreach as XLSX, Vietnamese headers, dates as dates.
    let req = TestRequest::get()
        .uri(&format!("/api/v1/outreach/export?{filters}&format=xlsx"))
        .insert_header(("authorization", format!("Bearer {viewer}")))
        .insert_header(("accept-language", "vi"));
    let xlsx = app.send(req).await;
    assert_eq!(xlsx.status, 200, "{}", xlsx.text());
    let mut wb = parse_xlsx(&xlsx.body);
    let sheet = wb.worksheet_range("outreach").unwrap();
    let rows: Vec<_> = sheet.rows().collect();
    assert_eq!(rows.len(), 3);
    let col = |title: &str| {
        rows[0]
            .iter()
            .position(|c| *c == Data::String(title.into()))
            .unwrap_or_else(|| panic!("no column {title:?}: {:?}", rows[0]))
    };
    assert!(matches!(rows[1][col("Tên hoạt động")], Data::String(_)));
    let starts = col("Ngày bắt đầu");
    assert!(
        matches!(rows[1][starts], Data::DateTime(_)),
        "starts_on is a date: {:?}",
        rows[1][starts]
    );
    // Each row can be matched back to its record: id and version.
    assert!(matches!(rows[1][col("Mã định danh")], Data::String(_)));
    assert_eq!(rows[1][col("Phiên bản")], Data::Float(1.0));
    // The unit by name and official code beside its id; kinds by their Vietnamese names; times
    // in Vietnam time, as the header says.
    assert_eq!(col("Tên đơn vị"), col("Mã định danh đơn vị") + 1);
    assert!(rows[1..].iter().all(|r| matches!(&r[col("Tên đơn vị")], Data::String(n) if n.starts_with("Phường") || n.starts_with("Thành phố") || n.starts_with("Xã"))), "{rows:?}");
    assert!(rows[1..].iter().all(|r| r[col("Mã đơn vị hành chính")] != Data::Empty));
    let kinds: Vec<String> = rows[1..].iter().map(|r| r[col("Hình thức")].to_string()).collect();
    assert!(kinds.iter().all(|k| !k.contains('_')), "labels, not codes: {kinds:?}");
    assert!(
        rows[0].iter().any(|c| c.to_string().contains("(giờ Việt Nam, UTC+7)")),
        "{:?}",
        rows[0]
    );
    let reach = rows[0]
        .iter()
        .position(|c| *c == Data::String("Số người được tiếp cận".into()))
        .unwrap();
    let mut reached: Vec<f64> = rows[1..].iter().map(|r| r[reach].get_float().unwrap()).collect();
    reached.sort_by(f64::total_cmp);
    assert_eq!(reached, [100.0, 5000.0]);

    // Petitions: the cases, never who filed them; the list's own validation still applies.
    let inspector = app.token(Role::Inspector, HA_LONG).await;
    let res = app.get("/api/v1/petitions/export?format=csv", Some(&inspector)).await;
    let lines = parse_csv(&res.body);
    assert_eq!(lines.len(), 3);
    assert!(!lines[0].iter().any(|h| h.contains("etitioner") || h == "name"));
    app.get(
        "/api/v1/petitions/export?format=csv&due_within_days=999",
        Some(&inspector),
    )
    .await
    .assert_problem(422);
    app.get("/api/v1/trainings/export?format=csv", None)
        .await
        .assert_problem(401);
    // Another ward's records are not in a ward's export.
    let ward = app.token(Role::Viewer, HA_LONG).await;
    let mine = parse_csv(&app.get("/api/v1/trainings/export?format=csv", Some(&ward)).await.body);
    assert_eq!(mine.len(), 1 + 3, "T0, T1, T2 of Hạ Long only");
}

#[actix_web::test]
async fn leaders_are_kept_by_position_sex_and_term() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, CITY).await;
    let path = format!("/api/v1/units/{}/leaders", unit(HA_LONG));
    let body = json!({"body": "people_committee", "position": "vice_chair", "holder_sex": "female", "started_on": "2021-07-01"});
    let created = app.post(&path, Some(&admin), body.clone()).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_string();
    app.post(&path, None, body.clone()).await.assert_problem(401);
    app.post(&path, Some(&app.token(Role::Manager, HA_LONG).await), body.clone())
        .await
        .assert_problem(403);
    app.post(&path, Some(&app.token(Role::Admin, TRAN_DANG_NINH).await), body.clone())
        .await
        .assert_problem(404);
    let mut bad = body.clone();
    bad["ended_on"] = json!("2020-01-01");
    app.post(&path, Some(&admin), bad).await.assert_problem(422);
    let department = app
        .get("/api/v1/units?kind=department&limit=1", Some(&admin))
        .await
        .json()["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.post(
        &format!("/api/v1/units/{department}/leaders"),
        Some(&admin),
        body.clone(),
    )
    .await
    .assert_problem(422);

    let one = format!("{path}/{id}");
    app.patch(&one, Some(&admin), None, json!({"ended_on": "2026-06-30"}))
        .await
        .assert_problem(428);
    app.patch(&one, Some(&admin), Some("\"9\""), json!({"ended_on": "2026-06-30"}))
        .await
        .assert_problem(412);
    let ended = app
        .patch(&one, Some(&admin), Some("\"1\""), json!({"ended_on": "2026-06-30"}))
        .await;
    assert_eq!(ended.status, 200, "{}", ended.text());
    assert_eq!(ended.json()["version"], 2);
    let viewer = app.token(Role::Viewer, HA_LONG).await;
    let on = |d: &str| format!("{path}?on={d}");
    assert_eq!(
        app.get(&on("2025-01-01"), Some(&viewer)).await.json()["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.get(&on("2026-07-01"), Some(&viewer)).await.json()["data"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    app.get(&path, Some(&app.token(Role::Viewer, TRAN_DANG_NINH).await))
        .await
        .assert_problem(404);
    app.get(&format!("{path}?on=not-a-date"), Some(&viewer))
        .await
        .assert_invalid("on");
    // Another ward's admin, a bad term, a field that does not exist.
    let other_admin = app.token(Role::Admin, TRAN_DANG_NINH).await;
    app.patch(&one, Some(&other_admin), Some("\"2\""), json!({"holder_sex": "male"}))
        .await
        .assert_problem(404);
    app.patch(&one, Some(&admin), Some("\"2\""), json!({"started_on": "2027-01-01"}))
        .await
        .assert_problem(422);
    app.patch(&one, Some(&admin), Some("\"2\""), json!({"name": "Nguyễn Thị A"}))
        .await
        .assert_problem(422);
    app.patch(&one, None, Some("\"2\""), json!({"holder_sex": "male"}))
        .await
        .assert_problem(401);
    let other_del = TestRequest::delete()
        .uri(&one)
        .insert_header(("authorization", format!("Bearer {other_admin}")))
        .insert_header(("if-match", "\"2\""));
    app.send(other_del).await.assert_problem(404);
    let del = TestRequest::delete()
        .uri(&one)
        .insert_header(("authorization", format!("Bearer {admin}")))
        .insert_header(("if-match", "\"2\""));
    assert_eq!(app.send(del).await.status, 204);
    assert_eq!(app.get(&path, Some(&viewer)).await.json()["data"], json!([]));
    app.call(Method::DELETE, &one, None, None).await.assert_problem(401);
}

#[actix_web::test]
async fn yearly_figures_are_created_then_replaced_with_if_match() {
    let app = TestApp::spawn().await;
    let manager = app.token(Role::Manager, HA_LONG).await;
    let path = format!("/api/v1/units/{}/figures/2024", unit(HA_LONG));
    let put = |token: Option<String>, if_match: Option<&'static str>, body: Value| {
        let mut req = TestRequest::put().uri(&path).set_json(body);
        if let Some(t) = token {
            req = req.insert_header(("authorization", format!("Bearer {t}")));
        }
        if let Some(m) = if_match {
            req = req.insert_header(("if-match", m));
        }
        app.send(req)
    };
    let body = json!({"ge_officials": 12, "gbv_victims_detected": 9, "gbv_victims_supported": 8});
    let created = put(Some(manager.clone()), None, body.clone()).await;
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(created.header("etag"), Some("\"1\""));
    put(Some(manager.clone()), None, body.clone()).await.assert_problem(428);
    put(Some(manager.clone()), Some("\"5\""), body.clone())
        .await
        .assert_problem(412);
    let replaced = put(Some(manager.clone()), Some("\"1\""), json!({"ge_officials": 13})).await;
    assert_eq!(replaced.status, 200, "{}", replaced.text());
    assert_eq!(
        replaced.json()["gbv_victims_detected"],
        Value::Null,
        "a PUT replaces the whole year"
    );
    put(None, None, body.clone()).await.assert_problem(401);
    put(
        Some(app.token(Role::Viewer, HA_LONG).await),
        Some("\"2\""),
        body.clone(),
    )
    .await
    .assert_problem(403);
    put(
        Some(app.token(Role::Manager, TRAN_DANG_NINH).await),
        Some("\"2\""),
        body.clone(),
    )
    .await
    .assert_problem(404);
    put(
        Some(manager.clone()),
        Some("\"2\""),
        json!({"gbv_victims_detected": 3, "gbv_victims_supported": 4}),
    )
    .await
    .assert_problem(422);
    put(Some(manager.clone()), Some("\"2\""), json!({"ge_officials": -1}))
        .await
        .assert_problem(422);
    let list = app
        .get(&format!("/api/v1/units/{}/figures", unit(HA_LONG)), Some(&manager))
        .await
        .json();
    assert_eq!(list["data"][0]["ge_officials"], 13);
    app.get(&format!("/api/v1/units/{}/figures", unit(HA_LONG)), None)
        .await
        .assert_problem(401);
    app.get(
        &format!("/api/v1/units/{}/figures", unit(HA_LONG)),
        Some(&app.token(Role::Viewer, TRAN_DANG_NINH).await),
    )
    .await
    .assert_problem(404);
    assert_eq!(list["data"][0]["version"], 2);
    let far = format!("/api/v1/units/{}/figures/2199", unit(HA_LONG));
    let req = TestRequest::put()
        .uri(&far)
        .set_json(body)
        .insert_header(("authorization", format!("Bearer {manager}")));
    app.send(req).await.assert_problem(422);
}
