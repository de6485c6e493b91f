//! Inspections, violations and sanctions: tests that read like the decrees. Each fine rule is
//! tested at its edges (a band's ends, the day a decree or a power takes effect, the last day
//! of the limitation period).

use binhdang::auth::Role;
use serde_json::{json, Value};

use crate::harness::*;

fn rule(key: &str) -> String {
    unit(&format!("violation-rule:{key}")).to_string()
}

async fn record(app: &TestApp, token: &str, rule_key: &str, act_on: &str, offender: Value) -> TestResponse {
    let mut body =
        json!({"rule_id": rule(rule_key), "act_on": act_on, "record_number": "01/BB", "recorded_on": act_on});
    for (k, v) in offender.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.post("/api/v1/violations", Some(token), body).await
}

fn person() -> Value {
    json!({"offender_kind": "individual", "offender": {"name": "Trần Văn C", "details": "Trưởng phòng nhân sự"}})
}

fn company() -> Value {
    json!({"offender_kind": "organization", "organization_name": "Công ty TNHH Dệt may Nam Định"})
}

async fn decide(app: &TestApp, token: &str, v: &Value, body: Value) -> TestResponse {
    app.post(
        &format!("/api/v1/violations/{}/decide", v["id"].as_str().unwrap()),
        Some(token),
        body,
    )
    .await
}

async fn recorded(app: &TestApp, token: &str, rule_key: &str, act_on: &str, offender: Value) -> Value {
    let res = record(app, token, rule_key, act_on, offender).await;
    assert_eq!(res.status, 201, "{}", res.text());
    res.json()
}

/// Decree 55/2009/NĐ-CP judges acts until 31 December 2021; Decree 125/2021/NĐ-CP from 1 January 2022.
#[actix_web::test]
async fn the_decree_in_force_on_the_day_of_the_act_judges_it() {
    let app = TestApp::spawn().await;
    let i = app.token(Role::Inspector, CITY).await;
    let p = record(&app, &i, "125-politics-1", "2021-12-31", person())
        .await
        .assert_problem(422);
    assert_eq!(p["errors"][0]["code"], "wrong_decree");
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("55/2009/NĐ-CP"));
    assert_eq!(
        record(&app, &i, "55-politics-1", "2021-12-31", person()).await.status,
        201
    );
    record(&app, &i, "55-politics-1", "2022-01-01", person())
        .await
        .assert_problem(422);
    let v = recorded(&app, &i, "125-politics-1", "2022-01-01", person()).await;
    assert_eq!(v["area"], "politics", "the area comes from the rule");
    assert_eq!(v["status"], "recorded");
}

/// Decree 125/2021: a fine inside the act's band for an individual; the message names the band.
#[actix_web::test]
async fn a_fine_must_lie_within_the_band_for_an_individual() {
    let app = TestApp::spawn().await;
    let i = app.token(Role::Inspector, CITY).await;
    let fine = |amount: i64| json!({"penalty": "fine", "fine_vnd": amount, "decided_on": "2025-08-01", "decided_by_position": "province_chairman"});
    for (amount, ok) in [
        (1_999_999, false),
        (2_000_000, true),
        (3_000_000, true),
        (3_000_001, false),
    ] {
        let v = recorded(&app, &i, "125-politics-1", "2025-07-15", person()).await;
        let res = decide(&app, &i, &v, fine(amount)).await;
        if ok {
            assert_eq!(res.status, 200, "{amount}: {}", res.text());
            assert_eq!(res.json()["fine_vnd"], amount);
        } else {
            let p = res.assert_problem(422);
            assert_eq!(p["errors"][0]["code"], "outside_band", "{amount}");
            assert!(
                p["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("2.000.000–3.000.000"),
                "{p}"
            );
        }
    }
}

/// Decree 125/2021: the fines are for individuals; an organisation pays double.
#[actix_web::test]
async fn an_organisation_pays_double_the_band() {
    let app = TestApp::spawn().await;
    let i = app.token(Role::Inspector, CITY).await;
    let fine = |amount: i64| json!({"penalty": "fine", "fine_vnd": amount, "decided_on": "2025-08-01", "decided_by_position": "province_chairman"});
    for (amount, ok) in [
        (3_999_999, false),
        (4_000_000, true),
        (6_000_000, true),
        (6_000_001, false),
    ] {
        let v = recorded(&app, &i, "125-politics-1", "2025-07-15", company()).await;
        let res = decide(&app, &i, &v, fine(amount)).await;
        assert_eq!(
            res.status.as_u16(),
            if ok { 200 } else { 422 },
            "{amount}: {}",
            res.text()
        );
    }
    let v = recorded(&app, &i, "125-politics-1", "2025-07-15", company()).await;
    let p = decide(&app, &i, &v, fine(7_000_000)).await.assert_problem(422);
    assert!(p["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("4.000.000–6.000.000"));
}

/// From 1 July 2025 a commune or ward chairman may fine up to 50% of the field's maximum
/// (15,000,000 for an individual, 30,000,000 for an organisation), a provincial department
/// director up to 80%, the province chairman the maximum.
#[actix_web::test]
async fn officials_fine_within_their_ceiling_from_1_july_2025() {
    let app = TestApp::spawn().await;
    let i = app.token(Role::Inspector, CITY).await;
    let by = |who: &str, amount: i64| json!({"penalty": "fine", "fine_vnd": amount, "decided_on": "2025-07-01", "decided_by_position": who});
    let cases = [
        ("commune_chairman", 10_000_000, person(), "125-family-3", 200),
        ("commune_chairman", 20_000_000, person(), "125-labour-3", 422),
        ("commune_chairman", 20_000_000, company(), "125-family-3", 200),
        (
            "province_department_director",
            24_000_000,
            person(),
            "125-labour-3",
            200,
        ),
        (
            "province_department_director",
            24_000_001,
            person(),
            "125-labour-3",
            422,
        ),
        ("province_chairman", 30_000_000, person(), "125-labour-3", 200),
    ];
    for (who, amount, offender, rule_key, want) in cases {
        let v = recorded(&app, &i, rule_key, "2025-06-01", offender).await;
        let res = decide(&app, &i, &v, by(who, amount)).await;
        assert_eq!(res.status.as_u16(), want, "{who} {amount}: {}", res.text());
        if want == 422 {
            assert_eq!(res.json()["errors"][0]["code"], "above_authority");
        }
    }
}

/// A commune chairman's fining power by period: 2,000,000 VND under the 2002/2008 Ordinance (to
/// 30 June 2013); from 1 July 2013 (Law 15/2012 Art. 38) 10% of the field's maximum, at most
/// 5,000,000 (4,000,000 under Decree 55/2009's 40,000,000; 3,000,000 under Decree 125/2021's
/// 30,000,000); from 1 July 2025 50% (15,000,000).
#[actix_web::test]
async fn law_15_2012_article_38_a_commune_chairmans_ceiling_by_period() {
    let app = TestApp::spawn().await;
    let i = app.token(Role::Inspector, CITY).await;
    let fine = |amount: i64, day: &str| json!({"penalty": "fine", "fine_vnd": amount, "decided_on": day, "decided_by_position": "commune_chairman"});
    let cases = [
        ("55-politics-1", "2013-05-01", "2013-06-01", 2_000_000, 200),
        ("55-politics-1", "2013-05-01", "2013-06-01", 2_500_000, 422),
        ("55-politics-1", "2013-08-01", "2013-09-01", 2_500_000, 200),
        ("55-politics-1", "2021-08-01", "2021-09-01", 3_000_000, 200),
        ("125-politics-2", "2023-03-01", "2023-04-01", 3_000_000, 200),
        ("125-politics-2", "2023-03-01", "2023-04-01", 3_500_000, 422),
        ("125-politics-2", "2025-07-01", "2025-07-02", 5_000_000, 200),
    ];
    for (rule_key, act_on, decided_on, amount, want) in cases {
        let v = recorded(&app, &i, rule_key, act_on, person()).await;
        let res = decide(&app, &i, &v, fine(amount, decided_on)).await;
        assert_eq!(
            res.status.as_u16(),
            want,
            "{rule_key} {decided_on} {amount}: {}",
            res.text()
        );
        if want == 422 {
            assert_eq!(res.json()["errors"][0]["code"], "above_authority");
        }
    }
}

/// Decree 55/2009 Art. 13(1): a family violation before 2022 is a warning or 200,000-500,000 VND.
#[actix_web::test]
async fn decree_55_2009_article_13_1_family_band() {
    let app = TestApp::spawn().await;
    let i = app.token(Role::Inspector, CITY).await;
    let fine = |amount: i64| json!({"penalty": "fine", "fine_vnd": amount, "decided_on": "2021-06-01", "decided_by_position": "province_chairman"});
    let v = recorded(&app, &i, "55-family-1", "2021-05-01", person()).await;
    let p = decide(&app, &i, &v, fine(600_000)).await.assert_problem(422);
    assert!(
        p["errors"][0]["message"].as_str().unwrap().contains("200.000–500.000"),
        "{p}"
    );
    assert_eq!(decide(&app, &i, &v, fine(500_000)).await.status, 200);
    // Under Decree 125/2021 the rule of an act of 2021 is refused.
    let p = app
        .post("/api/v1/violations", Some(&i), json!({"rule_id": binhdang::seed::seed_id("violation-rule:125-family-1"), "act_on": "2021-05-01", "offender_kind": "individual", "offender": {"name": "Nguyễn Văn B"}}))
        .await
        .assert_problem(422);
    assert_eq!(p["errors"][0]["code"], "wrong_decree");
}

/// The day before the 2025 powers took effect, a commune chairman's ceiling was lower.
#[actix_web::test]
async fn powers_are_judged_on_the_day_of_the_decision() {
    let app = TestApp::spawn().await;
    let i = app.token(Role::Inspector, CITY).await;
    let on = |day: &str| json!({"penalty": "fine", "fine_vnd": 7_000_000, "decided_on": day, "decided_by_position": "commune_chairman"});
    let v = recorded(&app, &i, "125-family-3", "2025-06-01", person()).await;
    let p = decide(&app, &i, &v, on("2025-06-30")).await.assert_problem(422);
    assert_eq!(p["errors"][0]["code"], "above_authority");
    assert_eq!(decide(&app, &i, &v, on("2025-07-01")).await.status, 200);
    // A position with no recorded power on that day.
    let w = recorded(&app, &i, "125-family-3", "2025-06-01", person()).await;
    let p = decide(
        &app,
        &i,
        &w,
        json!({"penalty": "warning", "decided_on": "2025-07-02", "decided_by_position": "district_chairman"}),
    )
    .await
    .assert_problem(422);
    assert_eq!(
        p["errors"][0]["code"], "no_power",
        "districts were abolished on 1 July 2025"
    );
}

/// Decree 125/2021: from 1 January 2022 an inspector on duty may only warn; from 1 July 2025
/// (Decree 189/2025) an inspector alone verifies and sanctions nothing.
#[actix_web::test]
async fn decree_125_2021_an_inspector_on_duty_may_only_warn() {
    let app = TestApp::spawn().await;
    let i = app.token(Role::Inspector, CITY).await;
    let v = recorded(&app, &i, "125-politics-1", "2025-03-15", person()).await;
    let p = decide(&app, &i, &v, json!({"penalty": "fine", "fine_vnd": 2_000_000, "decided_on": "2025-04-01", "decided_by_position": "inspector"}))
        .await
        .assert_problem(422);
    assert_eq!(p["errors"][0]["code"], "warning_only");
    let later = recorded(&app, &i, "125-politics-1", "2025-07-15", person()).await;
    let p = decide(
        &app,
        &i,
        &later,
        json!({"penalty": "warning", "decided_on": "2025-08-01", "decided_by_position": "inspector"}),
    )
    .await
    .assert_problem(422);
    assert_eq!(
        p["errors"][0]["code"], "no_power",
        "from 1 July 2025 an inspector verifies only"
    );
    let ok = decide(&app, &i, &v, json!({"penalty": "warning", "decided_on": "2025-04-01", "decided_by_position": "inspector", "remedial_measures": ["Xin lỗi công khai"]})).await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(
        (ok.json()["penalty"].as_str(), ok.json()["fine_vnd"].is_null()),
        (Some("warning"), true)
    );
    let again = decide(
        &app,
        &i,
        &v,
        json!({"penalty": "warning", "decided_on": "2025-04-02", "decided_by_position": "inspector"}),
    )
    .await;
    again.assert_problem(409);
}

/// The limitation period (12 months from the act, as data): the last day is still in time.
#[actix_web::test]
async fn a_decision_after_the_limitation_period_is_barred() {
    let app = TestApp::spawn().await;
    let i = app.token(Role::Inspector, CITY).await;
    let on = |day: &str| json!({"penalty": "warning", "decided_on": day, "decided_by_position": "province_chairman"});
    let v = recorded(&app, &i, "125-politics-1", "2024-03-01", person()).await;
    let p = decide(&app, &i, &v, on("2025-03-02")).await.assert_problem(422);
    assert_eq!(p["errors"][0]["code"], "time_barred");
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("2025-03-01"));
    assert_eq!(decide(&app, &i, &v, on("2025-03-01")).await.status, 200);
    let w = recorded(&app, &i, "125-politics-1", "2024-03-01", person()).await;
    decide(&app, &i, &w, on("2024-02-29")).await.assert_problem(422);
    let x = recorded(&app, &i, "125-politics-1", "2024-03-01", person()).await;
    decide(
        &app,
        &i,
        &x,
        json!({"penalty": "fine", "decided_on": "2024-04-01", "decided_by_position": "province_chairman"}),
    )
    .await
    .assert_problem(422);
}

#[actix_web::test]
async fn what_follows_a_decision_and_who_sees_an_offender() {
    let app = TestApp::spawn().await;
    let i = app.token(Role::Inspector, CITY).await;
    let v = recorded(&app, &i, "125-politics-1", "2025-07-15", person()).await;
    assert!(v.get("offender").is_none(), "not in the creation's response");
    let path = format!("/api/v1/violations/{}", v["id"].as_str().unwrap());
    app.patch(&path, Some(&i), Some("\"1\""), json!({"status": "complied"}))
        .await
        .assert_problem(409);
    let d = decide(
        &app,
        &i,
        &v,
        json!({"penalty": "warning", "decided_on": "2025-08-01", "decided_by_position": "province_chairman"}),
    )
    .await
    .json();
    let etag = format!("\"{}\"", d["version"]);
    let done = app
        .patch(&path, Some(&i), Some(&etag), json!({"status": "complied"}))
        .await;
    assert_eq!(done.status, 200, "{}", done.text());
    app.patch(
        &path,
        Some(&i),
        Some(&format!("\"{}\"", done.json()["version"])),
        json!({"status": "appealed"}),
    )
    .await
    .assert_problem(409);
    assert_eq!(app.get(&path, Some(&i)).await.json()["offender"]["name"], "Trần Văn C");
    for (role, unit_key) in [
        (Role::Manager, CITY),
        (Role::Viewer, CITY),
        (Role::Inspector, "province:36"),
    ] {
        let res = app.get(&path, Some(&app.token(role, unit_key).await)).await;
        assert_eq!(res.status, 200);
        assert!(!res.text().contains("Trần Văn C"), "{role:?} of {unit_key}");
    }
    app.get(&path, Some(&app.token(Role::Inspector, HA_LONG).await))
        .await
        .assert_problem(404);
    app.get(&path, None).await.assert_problem(401);
    let audit = app
        .get(
            &format!("/api/v1/audit-events?record_id={}", v["id"].as_str().unwrap()),
            Some(&app.token(Role::Admin, CITY).await),
        )
        .await;
    assert!(!audit.text().contains("Trần Văn C"));
    let list = app
        .get("/api/v1/violations?penalty=warning&status=complied", Some(&i))
        .await
        .json();
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    app.post(
        "/api/v1/violations",
        Some(&app.token(Role::Officer, CITY).await),
        json!({"rule_id": rule("125-politics-1"), "act_on": "2025-07-15", "offender_kind": "individual"}),
    )
    .await
    .assert_problem(403);
    app.post(
        "/api/v1/violations",
        Some(&i),
        json!({"rule_id": rule("125-politics-1"), "act_on": "2025-07-15", "offender_kind": "organization"}),
    )
    .await
    .assert_problem(422);
}

#[actix_web::test]
async fn inspections_move_forward_to_a_conclusion() {
    let app = TestApp::spawn().await;
    let i = app.token(Role::Inspector, CITY).await;
    let body = json!({"kind": "inspection", "subject_name": "Công ty TNHH Dệt may Nam Định", "subject_type": "employer",
                      "decision_number": "15/QĐ-TTr", "decision_on": "2024-09-01", "period_from": "2024-09-10", "period_to": "2024-09-20",
                      "areas": ["labour"], "team_members": ["Trần Văn B"]});
    let created = app.post("/api/v1/inspections", Some(&i), body.clone()).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let ins = created.json();
    let path = format!("/api/v1/inspections/{}", ins["id"].as_str().unwrap());
    let going = app
        .patch(&path, Some(&i), Some("\"1\""), json!({"status": "in_progress"}))
        .await;
    assert_eq!(going.status, 200, "{}", going.text());
    app.patch(&path, Some(&i), Some("\"2\""), json!({"status": "planned"}))
        .await
        .assert_problem(409);
    app.patch(&path, Some(&i), Some("\"2\""), json!({"status": "concluded"}))
        .await
        .assert_problem(422);
    let done = app.patch(&path, Some(&i), Some("\"2\""), json!({"status": "concluded", "conclusion": "Chưa bảo đảm quyền của lao động nữ", "concluded_on": "2024-09-30"})).await;
    assert_eq!(done.status, 200, "{}", done.text());
    app.patch(&path, Some(&i), Some("\"3\""), json!({"recommendations": "x"}))
        .await
        .assert_problem(409);
    // A violation found in it.
    let v = app
        .post("/api/v1/violations", Some(&i), json!({"inspection_id": ins["id"], "rule_id": rule("125-labour-3"), "act_on": "2024-09-12", "offender_kind": "organization", "organization_name": "Công ty TNHH Dệt may Nam Định"}))
        .await;
    assert_eq!(v.status, 201, "{}", v.text());
    let found = app
        .get(
            &format!("/api/v1/violations?inspection_id={}", ins["id"].as_str().unwrap()),
            Some(&i),
        )
        .await
        .json();
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
    let list = app
        .get("/api/v1/inspections?area=labour&status=concluded&q=det%20may", Some(&i))
        .await
        .json();
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    app.get(&path, Some(&app.token(Role::Viewer, HA_LONG).await))
        .await
        .assert_problem(404);
    app.post(
        "/api/v1/inspections",
        Some(&app.token(Role::Viewer, CITY).await),
        body.clone(),
    )
    .await
    .assert_problem(403);
    let mut bad = body.clone();
    bad["period_to"] = json!("2024-09-01");
    app.post("/api/v1/inspections", Some(&i), bad).await.assert_problem(422);
}

#[actix_web::test]
async fn admins_maintain_the_catalogue() {
    let app = TestApp::spawn().await;
    // The catalogue is national: its admins keep it; a city's admin reads it.
    let admin = app.token(Role::Admin, COUNTRY).await;
    let city_admin = app.token(Role::Admin, CITY).await;
    let rules_2021 = app
        .get("/api/v1/violation-rules?on=2021-06-01", Some(&admin))
        .await
        .json();
    assert!(rules_2021
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["decree_code"] == "55/2009/NĐ-CP"));
    assert_eq!(rules_2021.as_array().unwrap().len(), 2);
    let by_area = |area: &str| {
        rules_2021
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["area"] == area)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_area("politics")["verified"], false, "unverified bands say so");
    assert!(by_area("politics")["source"]
        .as_str()
        .unwrap()
        .contains("chưa đối chiếu"));
    // Decree 55/2009 Art. 13(1): a warning or 200,000-500,000 VND.
    let family_2009 = by_area("family");
    assert_eq!(
        (
            family_2009["article"].as_i64(),
            family_2009["clause"].as_i64(),
            family_2009["verified"].as_bool()
        ),
        (Some(13), Some(1), Some(true))
    );
    assert_eq!(
        (
            family_2009["min_fine_vnd"].as_i64(),
            family_2009["max_fine_vnd"].as_i64()
        ),
        (Some(200_000), Some(500_000))
    );
    let family = app
        .get(
            "/api/v1/violation-rules?decree=125/2021/N%C4%90-CP&area=family",
            Some(&admin),
        )
        .await
        .json();
    assert_eq!(family.as_array().unwrap().len(), 3);
    let body = json!({"decree_code": "125/2021/NĐ-CP", "article": 8, "clause": 1, "area": "economy", "description": "Vi phạm trong lĩnh vực kinh tế", "min_fine_vnd": 5000000, "max_fine_vnd": 10000000, "source": "Nghị định 125/2021/NĐ-CP (thử nghiệm)"});
    let created = app.post("/api/v1/violation-rules", Some(&admin), body.clone()).await;
    assert_eq!(created.status, 201, "{}", created.text());
    app.post("/api/v1/violation-rules", Some(&admin), body.clone())
        .await
        .assert_problem(409);
    let mut upside = body.clone();
    upside["clause"] = json!(2);
    upside["max_fine_vnd"] = json!(1);
    app.post("/api/v1/violation-rules", Some(&admin), upside)
        .await
        .assert_problem(422);
    app.post(
        "/api/v1/violation-rules",
        Some(&app.token(Role::Inspector, CITY).await),
        body.clone(),
    )
    .await
    .assert_problem(403);
    let mut local = body.clone();
    local["clause"] = json!(3);
    app.post("/api/v1/violation-rules", Some(&city_admin), local)
        .await
        .assert_problem(403);
    let id = created.json()["id"].as_str().unwrap().to_string();
    app.patch(
        &format!("/api/v1/violation-rules/{id}"),
        Some(&city_admin),
        Some("\"1\""),
        json!({"min_fine_vnd": 1}),
    )
    .await
    .assert_problem(403);
    let fixed = app
        .patch(
            &format!("/api/v1/violation-rules/{id}"),
            Some(&admin),
            Some("\"1\""),
            json!({"verified": true}),
        )
        .await;
    assert_eq!(fixed.status, 200, "{}", fixed.text());
    let decrees = app.get("/api/v1/decrees", Some(&admin)).await.json();
    assert_eq!(decrees[1]["individual_max_vnd"], 30000000);
    let powers = app.get("/api/v1/fining-authorities", Some(&admin)).await.json();
    assert!(powers
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["position"] == "inspector" && a["warning_only"] == true));
}

/// Partners see none of the oversight records (they get aggregates through reports).
#[actix_web::test]
async fn partners_see_no_oversight_records() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, CITY).await;
    let client = app
        .post(
            "/api/v1/clients",
            Some(&admin),
            json!({"name": "NGO", "unit_ids": [unit(CITY)]}),
        )
        .await
        .json();
    let token = app
        .post("/api/v1/auth/token", None, json!({"grant_type": "client_credentials", "client_id": client["client_id"], "client_secret": client["client_secret"]}))
        .await
        .json();
    let partner = token["access_token"].as_str().unwrap();
    for path in ["/api/v1/petitions", "/api/v1/inspections", "/api/v1/violations"] {
        app.get(path, Some(partner)).await.assert_problem(403);
    }
    let i = app.token(Role::Inspector, CITY).await;
    recorded(&app, &i, "125-politics-1", "2025-07-15", person()).await;
    let feed = app.get("/api/v1/changes?limit=500", Some(partner)).await.json();
    assert!(feed["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["type"] != "violation"));
}

/// An inspector works in its own unit's subtree: a city inspector handles a ward's case, a
/// ward's inspector does not handle the city's.
#[actix_web::test]
async fn an_inspector_works_in_its_units_subtree() {
    let app = TestApp::spawn().await;
    let city = app.token(Role::Inspector, CITY).await;
    let body = json!({"kind": "complaint", "received_on": "2024-03-01", "channel": "mail", "subject": "Khiếu nại", "handling_unit_id": unit(HA_LONG)});
    assert_eq!(
        app.post("/api/v1/petitions", Some(&city), body.clone()).await.status,
        201
    );
    let ward = app.token(Role::Inspector, HA_LONG).await;
    let mut up = body.clone();
    up["handling_unit_id"] = json!(unit(CITY));
    app.post("/api/v1/petitions", Some(&ward), up).await.assert_problem(422);
    let mut v = json!({"rule_id": rule("125-politics-1"), "act_on": "2025-07-15", "handling_unit_id": unit(HA_LONG)});
    for (k, val) in person().as_object().unwrap() {
        v[k] = val.clone();
    }
    assert_eq!(app.post("/api/v1/violations", Some(&city), v).await.status, 201);
}

/// A violation list page is written straight from its rows (not by serde, as one violation
/// is): every item of every page, both ways, is exactly the violation read alone by a caller
/// who sees no offender (a list never shows one).
#[actix_web::test]
async fn a_listed_violation_is_exactly_the_violation_read_alone() {
    let app = TestApp::spawn().await;
    let i = app.token(Role::Inspector, CITY).await;
    let fined = recorded(&app, &i, "125-politics-1", "2025-07-15", person()).await;
    let fine = json!({"penalty": "fine", "fine_vnd": 2_500_000, "decided_on": "2025-08-01", "decided_by_position": "province_chairman"});
    assert_eq!(decide(&app, &i, &fined, fine).await.status, 200);
    let warned = recorded(&app, &i, "125-politics-1", "2025-07-15", company()).await;
    let warning = json!({"penalty": "warning", "decided_on": "2025-08-01", "decided_by_position": "province_chairman"});
    assert_eq!(decide(&app, &i, &warned, warning).await.status, 200);
    let mut odd = company();
    odd["organization_name"] = json!("Công ty \"Dệt\"\n\\ may\t</script> \u{1F3ED}");
    odd["description"] = json!("Không bảo đảm \"quyền\" của lao động nữ");
    recorded(&app, &i, "125-labour-3", "2024-09-12", odd).await;
    recorded(&app, &i, "125-labour-3", "2024-10-01", person()).await;
    let viewer = app.token(Role::Viewer, CITY).await;
    app.assert_list_items_are_the_records(
        "/api/v1/violations",
        "limit=1",
        &["act_on", "-act_on"],
        Some(&viewer),
        4,
    )
    .await;
}

/// An inspection list page is written straight from its rows (not by serde, as one inspection
/// is): every item of every page, both ways, is exactly the inspection read alone.
#[actix_web::test]
async fn a_listed_inspection_is_exactly_the_inspection_read_alone() {
    let app = TestApp::spawn().await;
    let i = app.token(Role::Inspector, CITY).await;
    let full = json!({"kind": "inspection", "subject_name": "Công ty \"Dệt\"\n\\ may\t</script> \u{1F3ED}", "subject_type": "employer",
                      "subject_address": "Phường Lộc Hạ", "decision_number": "15/QĐ-TTr", "decision_on": "2024-09-01",
                      "period_from": "2024-09-10", "period_to": "2024-09-20", "areas": ["labour", "family"],
                      "team_members": ["Trần Văn B", "Lê \"Thị\" C"]});
    let bare = json!({"kind": "check", "subject_name": "Trường THCS Trần Đăng Ninh", "subject_type": "school"});
    let concluded =
        json!({"kind": "check", "subject_name": "Trạm y tế", "subject_type": "health_facility", "areas": ["health"]});
    let mut ids = Vec::new();
    for body in [full, bare, concluded] {
        let res = app.post("/api/v1/inspections", Some(&i), body).await;
        assert_eq!(res.status, 201, "{}", res.text());
        ids.push(res.json()["id"].as_str().unwrap().to_string());
    }
    let path = format!("/api/v1/inspections/{}", ids[2]);
    let going = app
        .patch(&path, Some(&i), Some("\"1\""), json!({"status": "in_progress"}))
        .await;
    assert_eq!(going.status, 200, "{}", going.text());
    let done = app
        .patch(&path, Some(&i), Some("\"2\""), json!({"status": "concluded", "conclusion": "Đạt", "concluded_on": "2024-09-30", "recommendations": "Tiếp tục"}))
        .await;
    assert_eq!(done.status, 200, "{}", done.text());
    app.assert_list_items_are_the_records(
        "/api/v1/inspections",
        "limit=1",
        &["created_at", "-created_at"],
        Some(&i),
        3,
    )
    .await;
}
