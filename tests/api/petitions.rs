//! Complaints and denunciations: each deadline rule of the law, with its boundaries, the
//! workflow, and the confidentiality of the person who filed.

use actix_web::test::TestRequest;
use binhdang::auth::Role;
use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};

use crate::harness::*;

fn vn_today() -> NaiveDate {
    (chrono::Utc::now() + Duration::hours(7)).date_naive()
}

async fn file(app: &TestApp, token: &str, kind: &str, received_on: &str) -> Value {
    let body = json!({"kind": kind, "received_on": received_on, "channel": "mail", "subject": format!("Đơn {kind} {received_on}"),
                      "petitioner": {"name": "Nguyễn Văn A", "contact": "0912 345 678"}});
    let res = app.post("/api/v1/petitions", Some(token), body).await;
    assert_eq!(res.status, 201, "{}", res.text());
    res.json()
}

async fn act(app: &TestApp, token: &str, id: &str, action: &str, body: Value) -> TestResponse {
    app.post(&format!("/api/v1/petitions/{id}/{action}"), Some(token), body)
        .await
}

async fn patch(app: &TestApp, token: &str, p: &Value, body: Value) -> Value {
    let res = app
        .patch(
            &format!("/api/v1/petitions/{}", p["id"].as_str().unwrap()),
            Some(token),
            Some(&format!("\"{}\"", p["version"])),
            body,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()
}

/// Luật Khiếu nại 2011, Điều 27: accept or refuse within 10 days of receipt.
#[actix_web::test]
async fn complaint_acceptance_within_10_days_of_receipt_article_27() {
    let app = TestApp::spawn().await;
    let inspector = app.token(Role::Inspector, HA_LONG).await;
    let p = file(&app, &inspector, "complaint", "2024-03-01").await;
    assert_eq!(p["acceptance_due_on"], "2024-03-11");
    assert_eq!(p["due_on"], "2024-03-11");
    // Boundaries against today: due tomorrow, due today (not yet overdue), due yesterday (overdue).
    let t = vn_today();
    for (received, overdue) in [
        (t - Duration::days(9), false),
        (t - Duration::days(10), false),
        (t - Duration::days(11), true),
    ] {
        let p = file(&app, &inspector, "complaint", &received.to_string()).await;
        assert_eq!(p["overdue"], overdue, "received {received}");
    }
    let overdue = app.get("/api/v1/petitions?overdue=true", Some(&inspector)).await.json();
    assert_eq!(
        overdue["data"].as_array().unwrap().len(),
        2,
        "the 2024 case and the one due yesterday"
    );
    let soon = app
        .get("/api/v1/petitions?due_within_days=1", Some(&inspector))
        .await
        .json();
    assert_eq!(soon["data"].as_array().unwrap().len(), 2, "due today and due tomorrow");
    app.get("/api/v1/petitions?due_within_days=400", Some(&inspector))
        .await
        .assert_problem(422);
}

/// Luật Khiếu nại 2011, Điều 28: first instance within 30 days of acceptance; 45 if complex;
/// in remote areas 45, or 60 if complex.
#[actix_web::test]
async fn complaint_first_instance_resolution_30_45_60_days_article_28() {
    let app = TestApp::spawn().await;
    let inspector = app.token(Role::Inspector, HA_LONG).await;
    let p = file(&app, &inspector, "complaint", "2024-03-01").await;
    let accepted = act(
        &app,
        &inspector,
        p["id"].as_str().unwrap(),
        "accept",
        json!({"on": "2024-03-05"}),
    )
    .await
    .json();
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["resolution_due_on"], "2024-04-04", "30 days");
    assert_eq!(accepted["due_on"], "2024-04-04");
    let complex = patch(&app, &inspector, &accepted, json!({"complex": true})).await;
    assert_eq!(complex["resolution_due_on"], "2024-04-19", "45 days if complex");
    let remote = patch(&app, &inspector, &complex, json!({"complex": false, "remote": true})).await;
    assert_eq!(remote["resolution_due_on"], "2024-04-19", "45 days in a remote area");
    let both = patch(&app, &inspector, &remote, json!({"complex": true})).await;
    assert_eq!(both["resolution_due_on"], "2024-05-04", "60 days, remote and complex");
}

/// Luật Khiếu nại 2011, Điều 37: second instance within 45 days; 60 if complex; remote 60 or 70.
#[actix_web::test]
async fn complaint_second_instance_resolution_45_60_70_days_article_37() {
    let app = TestApp::spawn().await;
    let inspector = app.token(Role::Inspector, HA_LONG).await;
    let body = json!({"kind": "complaint", "received_on": "2024-03-01", "channel": "in_person", "subject": "Khiếu nại lần hai", "instance": 2});
    let p = app.post("/api/v1/petitions", Some(&inspector), body).await.json();
    let a = act(
        &app,
        &inspector,
        p["id"].as_str().unwrap(),
        "accept",
        json!({"on": "2024-03-05"}),
    )
    .await
    .json();
    assert_eq!(a["resolution_due_on"], "2024-04-19", "45 days");
    let c = patch(&app, &inspector, &a, json!({"complex": true})).await;
    assert_eq!(c["resolution_due_on"], "2024-05-04", "60 days if complex");
    let r = patch(&app, &inspector, &c, json!({"complex": false, "remote": true})).await;
    assert_eq!(r["resolution_due_on"], "2024-05-04", "60 days in a remote area");
    let rc = patch(&app, &inspector, &r, json!({"complex": true})).await;
    assert_eq!(rc["resolution_due_on"], "2024-05-14", "70 days, remote and complex");
}

/// Luật Tố cáo 2018, Điều 24 khoản 1: accept within 7 working days of receipt (weekends and
/// days off skipped, make-up working days counted).
#[actix_web::test]
async fn denunciation_acceptance_within_7_working_days_article_24_1() {
    let app = TestApp::spawn().await;
    let inspector = app.token(Role::Inspector, HA_LONG).await;
    // Friday 26 April 2024: [Mon 29 swapped off, 30 April, 1 May], Thu 2, Fri 3, Sat 4 (made up),
    // Mon 6, Tue 7, Wed 8, Thu 9.
    let p = file(&app, &inspector, "denunciation", "2024-04-26").await;
    assert_eq!(p["acceptance_due_on"], "2024-05-09");
    // A national admin adds a day off: deadlines computed from then on skip it. A city's admin
    // may not: the calendar moves every unit's deadlines.
    app.post(
        "/api/v1/holidays",
        Some(&app.token(Role::Admin, CITY).await),
        json!({"day": "2024-05-06", "name": "Ngày nghỉ bù", "source": "x"}),
    )
    .await
    .assert_problem(403);
    let admin = app.token(Role::Admin, COUNTRY).await;
    let h = app
        .post(
            "/api/v1/holidays",
            Some(&admin),
            json!({"day": "2024-05-06", "name": "Ngày nghỉ bù", "source": "Thông báo của UBND thành phố (thử nghiệm)"}),
        )
        .await;
    assert_eq!(h.status, 200, "{}", h.text());
    let q = file(&app, &inspector, "denunciation", "2024-04-26").await;
    assert_eq!(q["acceptance_due_on"], "2024-05-10");
    app.post(
        "/api/v1/holidays",
        Some(&inspector),
        json!({"day": "2024-05-07", "name": "x", "source": "x"}),
    )
    .await
    .assert_problem(403);
    // A day of the calendar names its source.
    app.post(
        "/api/v1/holidays",
        Some(&admin),
        json!({"day": "2024-05-07", "name": "x"}),
    )
    .await
    .assert_problem(422);
    let list = app.get("/api/v1/holidays?year=2024", Some(&inspector)).await.json();
    let day = |d: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|x| x["day"] == d)
            .cloned()
            .unwrap()
    };
    assert_eq!(day("2024-04-30")["kind"], "day_off");
    assert_eq!(day("2024-05-04")["kind"], "working_day");
    assert!(day("2024-05-04")["source"].as_str().unwrap().contains("hoán đổi"));
}

/// Luật Tố cáo 2018, Điều 24 khoản 1: 10 working days where verification at several places or
/// by delegation is needed.
#[actix_web::test]
async fn denunciation_acceptance_10_working_days_when_verified_elsewhere_article_24_1() {
    let app = TestApp::spawn().await;
    let inspector = app.token(Role::Inspector, HA_LONG).await;
    let body = json!({"kind": "denunciation", "received_on": "2024-03-01", "channel": "mail", "subject": "Tố cáo",
                      "verification_elsewhere": true});
    let res = app.post("/api/v1/petitions", Some(&inspector), body).await;
    assert_eq!(res.status, 201, "{}", res.text());
    // Friday 1 March 2024 + 10 working days: Mon 4 ... Fri 15 March.
    assert_eq!(res.json()["acceptance_due_on"], "2024-03-15");
    assert_eq!(res.json()["verification_elsewhere"], true);
    let plain = file(&app, &inspector, "denunciation", "2024-03-01").await;
    assert_eq!(plain["acceptance_due_on"], "2024-03-12", "7 working days otherwise");
    // Marking it later moves the deadline.
    let later = patch(&app, &inspector, &plain, json!({"verification_elsewhere": true})).await;
    assert_eq!(later["acceptance_due_on"], "2024-03-15");
}

/// Labour Code 45/2019/QH14 Art. 112 (Tết as the notice fixes it, National Day's second day) and
/// Art. 111(3) (a compensatory day): 7 working days that cross them.
#[actix_web::test]
async fn working_days_cross_tet_national_day_and_compensatory_days_labour_code_articles_111_112() {
    let app = TestApp::spawn().await;
    let inspector = app.token(Role::Inspector, HA_LONG).await;
    // Tết 2024, off Thu 8 - Wed 14 February: received Tue 6 Feb, then Wed 7 (1), Thu 15 (2),
    // Fri 16 (3), Mon 19 (4), Tue 20 (5), Wed 21 (6), Thu 22 (7). The old calendar (New Year's Eve
    // and four days) said the 20th.
    let tet = file(&app, &inspector, "denunciation", "2024-02-06").await;
    assert_eq!(tet["acceptance_due_on"], "2024-02-22");
    // National Day 2024 on Mon 2 and Tue 3 September: received Fri 30 August, due Thu 12 September
    // (11 September with the 2nd alone).
    let national = file(&app, &inspector, "denunciation", "2024-08-30").await;
    assert_eq!(national["acceptance_due_on"], "2024-09-12");
    // Hùng Kings' day 2022 on Sunday 10 April, Monday 11 off in compensation: received Fri 8
    // April, due Wed 20 April.
    let compensatory = file(&app, &inspector, "denunciation", "2022-04-08").await;
    assert_eq!(compensatory["acceptance_due_on"], "2022-04-20");
    // Tết 2026, off 16-20 February: received Fri 13 Feb, due Tue 3 March.
    let tet_2026 = file(&app, &inspector, "denunciation", "2026-02-13").await;
    assert_eq!(tet_2026["acceptance_due_on"], "2026-03-03");
}

/// Luật Tố cáo 2018, Điều 30: an extension on a case not marked complex is refused.
#[actix_web::test]
async fn an_extension_of_a_case_not_marked_complex_is_refused_article_30() {
    let app = TestApp::spawn().await;
    let inspector = app.token(Role::Inspector, HA_LONG).await;
    let p = file(&app, &inspector, "denunciation", "2024-04-26").await;
    let a = act(
        &app,
        &inspector,
        p["id"].as_str().unwrap(),
        "accept",
        json!({"on": "2024-05-09"}),
    )
    .await
    .json();
    let res = app
        .patch(
            &format!("/api/v1/petitions/{}", p["id"].as_str().unwrap()),
            Some(&inspector),
            Some(&format!("\"{}\"", a["version"])),
            json!({"extension_count": 1}),
        )
        .await
        .assert_problem(422);
    assert_eq!(res["errors"][0]["field"], "extension_count");
    assert!(res["errors"][0]["message"].as_str().unwrap().contains("Điều 30"));
    let fresh = app
        .get(
            &format!("/api/v1/petitions/{}", p["id"].as_str().unwrap()),
            Some(&inspector),
        )
        .await
        .json();
    assert_eq!(fresh["extension_count"], 0, "nothing changed");
}

/// Luật Tố cáo 2018, Điều 30: resolve within 30 days of acceptance; a complex case extended
/// once by up to 30 days, an especially complex one twice (90 days at most), any other never.
#[actix_web::test]
async fn denunciation_resolution_30_days_extended_once_or_twice_article_30() {
    let app = TestApp::spawn().await;
    let inspector = app.token(Role::Inspector, HA_LONG).await;
    let p = file(&app, &inspector, "denunciation", "2024-04-26").await;
    let p = patch(&app, &inspector, &p, json!({"complexity": "especially_complex"})).await;
    assert_eq!(
        (p["complexity"].as_str(), p["complex"].as_bool()),
        (Some("especially_complex"), Some(true))
    );
    let a = act(
        &app,
        &inspector,
        p["id"].as_str().unwrap(),
        "accept",
        json!({"on": "2024-05-09"}),
    )
    .await
    .json();
    assert_eq!(a["resolution_due_on"], "2024-06-08", "30 days");
    let once = patch(&app, &inspector, &a, json!({"extension_count": 1})).await;
    assert_eq!(once["resolution_due_on"], "2024-07-08", "60 days with one extension");
    let twice = patch(&app, &inspector, &once, json!({"extension_count": 2})).await;
    assert_eq!(twice["resolution_due_on"], "2024-08-07", "90 days with two");
    let path = format!("/api/v1/petitions/{}", p["id"].as_str().unwrap());
    let etag = format!("\"{}\"", twice["version"]);
    app.patch(&path, Some(&inspector), Some(&etag), json!({"extension_count": 3}))
        .await
        .assert_problem(422);
    app.patch(&path, Some(&inspector), Some(&etag), json!({"instance": 2}))
        .await
        .assert_problem(422);
    // A complex case only once.
    let complex = patch(
        &app,
        &inspector,
        &twice,
        json!({"complexity": "complex", "extension_count": 1}),
    )
    .await;
    assert_eq!(complex["resolution_due_on"], "2024-07-08");
    let etag = format!("\"{}\"", complex["version"]);
    let p = app
        .patch(&path, Some(&inspector), Some(&etag), json!({"extension_count": 2}))
        .await
        .assert_problem(422);
    assert_eq!(p["errors"][0]["code"], "not_allowed");
    // `complex` and `complexity` must agree when both are sent.
    app.patch(
        &path,
        Some(&inspector),
        Some(&etag),
        json!({"complex": false, "complexity": "complex"}),
    )
    .await
    .assert_problem(422);
    // A complaint is not extended.
    let c = file(&app, &inspector, "complaint", "2024-03-01").await;
    let p = app
        .patch(
            &format!("/api/v1/petitions/{}", c["id"].as_str().unwrap()),
            Some(&inspector),
            Some("\"1\""),
            json!({"extension_count": 1}),
        )
        .await
        .assert_problem(422);
    assert_eq!(p["errors"][0]["field"], "extension_count");
}

#[actix_web::test]
async fn the_workflow_and_resolution_on_time() {
    let app = TestApp::spawn().await;
    let inspector = app.token(Role::Inspector, HA_LONG).await;
    let p = file(&app, &inspector, "complaint", "2024-03-01").await;
    let id = p["id"].as_str().unwrap();
    let bad = act(
        &app,
        &inspector,
        id,
        "resolve",
        json!({"decision": "x", "on": "2024-03-02"}),
    )
    .await
    .assert_problem(409);
    assert_eq!(bad["allowed"], json!(["accept", "reject", "forward", "withdraw"]));
    act(&app, &inspector, id, "accept", json!({"on": "2024-02-28"}))
        .await
        .assert_problem(422);
    let future = (vn_today() + Duration::days(1)).to_string();
    act(&app, &inspector, id, "accept", json!({"on": future}))
        .await
        .assert_problem(422);
    assert_eq!(
        act(&app, &inspector, id, "accept", json!({"on": "2024-03-05"}))
            .await
            .status,
        200
    );
    assert_eq!(
        act(&app, &inspector, id, "verify", json!({"on": "2024-03-10"}))
            .await
            .status,
        200
    );
    act(&app, &inspector, id, "resolve", json!({"on": "2024-04-01"}))
        .await
        .assert_problem(422);
    let done = act(
        &app,
        &inspector,
        id,
        "resolve",
        json!({"on": "2024-04-04", "decision": "Giữ nguyên quyết định"}),
    )
    .await
    .json();
    assert_eq!(
        (
            done["status"].as_str(),
            done["resolved_on_time"].as_bool(),
            done["due_on"].is_null()
        ),
        (Some("resolved"), Some(true), true)
    );
    let late = file(&app, &inspector, "complaint", "2024-03-01").await;
    let lid = late["id"].as_str().unwrap();
    act(&app, &inspector, lid, "accept", json!({"on": "2024-03-05"})).await;
    let late = act(
        &app,
        &inspector,
        lid,
        "resolve",
        json!({"on": "2024-04-05", "decision": "Muộn"}),
    )
    .await
    .json();
    assert_eq!(late["resolved_on_time"], false, "a day after the deadline");
    // Closed: no more changes.
    app.patch(
        &format!("/api/v1/petitions/{lid}"),
        Some(&inspector),
        Some(&format!("\"{}\"", late["version"])),
        json!({"complex": true}),
    )
    .await
    .assert_problem(409);
    let refused = file(&app, &inspector, "denunciation", "2024-03-01").await;
    act(&app, &inspector, refused["id"].as_str().unwrap(), "reject", json!({}))
        .await
        .assert_problem(422);
    let r = act(
        &app,
        &inspector,
        refused["id"].as_str().unwrap(),
        "reject",
        json!({"decision": "Không đủ điều kiện thụ lý", "on": "2024-03-04"}),
    )
    .await
    .json();
    assert_eq!(r["status"], "rejected");
}

#[actix_web::test]
async fn only_the_handling_units_inspectors_and_admins_know_who_filed() {
    let app = TestApp::spawn().await;
    let inspector = app.token(Role::Inspector, HA_LONG).await;
    let p = file(&app, &inspector, "denunciation", "2024-03-01").await;
    assert!(p.get("petitioner").is_none(), "not even in the creation's response");
    let path = format!("/api/v1/petitions/{}", p["id"].as_str().unwrap());
    let seen = app.get(&path, Some(&inspector)).await.json();
    assert_eq!(seen["petitioner"]["name"], "Nguyễn Văn A");
    assert_eq!(
        app.get(&path, Some(&app.token(Role::Admin, HA_LONG).await))
            .await
            .json()["petitioner"]["name"],
        "Nguyễn Văn A"
    );
    for (role, unit_key) in [
        (Role::Manager, HA_LONG),
        (Role::Viewer, HA_LONG),
        (Role::Admin, CITY),
        (Role::Inspector, CITY),
    ] {
        let other = app.get(&path, Some(&app.token(role, unit_key).await)).await;
        assert_eq!(other.status, 200);
        assert!(other.json().get("petitioner").is_none(), "{role:?} of {unit_key}");
        assert!(!other.text().contains("Nguyễn Văn A"));
    }
    let listed = app.get("/api/v1/petitions", Some(&inspector)).await;
    assert!(!listed.text().contains("Nguyễn Văn A"), "lists never carry identities");
    let feed = app
        .get("/api/v1/changes?limit=500", Some(&app.token(Role::Admin, CITY).await))
        .await;
    assert!(!feed.text().contains("Nguyễn Văn A"), "nor the change feed");
    let audit = app
        .get(
            "/api/v1/audit-events?resource=petition",
            Some(&app.token(Role::Admin, CITY).await),
        )
        .await;
    assert_eq!(audit.json()["data"].as_array().unwrap().len(), 1);
    assert!(!audit.text().contains("Nguyễn Văn A"), "nor the audit trail");
}

#[actix_web::test]
async fn petitions_are_scoped_and_validated() {
    let app = TestApp::spawn().await;
    let inspector = app.token(Role::Inspector, HA_LONG).await;
    let p = file(&app, &inspector, "complaint", "2024-03-01").await;
    let path = format!("/api/v1/petitions/{}", p["id"].as_str().unwrap());
    app.get(&path, Some(&app.token(Role::Inspector, TRAN_DANG_NINH).await))
        .await
        .assert_problem(404);
    app.get(&path, None).await.assert_problem(401);
    assert!(app
        .get(
            "/api/v1/petitions",
            Some(&app.token(Role::Viewer, TRAN_DANG_NINH).await)
        )
        .await
        .json()["data"]
        .as_array()
        .unwrap()
        .is_empty());
    let city = app
        .get(
            &format!(
                "/api/v1/petitions?handling_unit_id={}&include_descendants=true",
                unit(CITY)
            ),
            Some(&app.token(Role::Viewer, CITY).await),
        )
        .await
        .json();
    assert_eq!(city["data"].as_array().unwrap().len(), 1);
    // Writers: the unit's inspectors and managers, or an admin above; not officers or viewers.
    let body = json!({"kind": "complaint", "received_on": "2024-03-01", "channel": "mail", "subject": "x"});
    app.post(
        "/api/v1/petitions",
        Some(&app.token(Role::Officer, HA_LONG).await),
        body.clone(),
    )
    .await
    .assert_problem(403);
    assert_eq!(
        app.post(
            "/api/v1/petitions",
            Some(&app.token(Role::Manager, HA_LONG).await),
            body.clone()
        )
        .await
        .status,
        201
    );
    let future = (vn_today() + Duration::days(1)).to_string();
    for (patch, field) in [
        (json!({"received_on": future}), "received_on"),
        (json!({"subject": ""}), "subject"),
        (json!({"instance": 3}), "instance"),
        (json!({"handling_unit_id": unit(TRAN_DANG_NINH)}), "handling_unit_id"),
    ] {
        let mut b = body.clone();
        for (k, v) in patch.as_object().unwrap() {
            b[k] = v.clone();
        }
        let p = app
            .post("/api/v1/petitions", Some(&inspector), b.clone())
            .await
            .assert_problem(422);
        assert_eq!(p["errors"][0]["field"], field, "{b}");
    }
    app.post(
        "/api/v1/petitions",
        Some(&inspector),
        json!({"kind": "praise", "received_on": "2024-03-01", "channel": "mail", "subject": "x"}),
    )
    .await
    .assert_problem(422);
    let rules = app.get("/api/v1/deadline-rules", Some(&inspector)).await.json();
    assert_eq!(
        rules.as_array().unwrap().len(),
        14,
        "with Art. 24(1)'s 10-day case and two extension rules"
    );
    let req = TestRequest::get()
        .uri("/api/v1/petitions?overdue=maybe")
        .insert_header(("authorization", format!("Bearer {inspector}")));
    app.send(req).await.assert_invalid("overdue");
}

/// A petition list page is written straight from its rows (not by serde, as one petition is):
/// every item of every page, in each sort, is exactly the petition read alone by a caller who
/// does not know who filed (a list never shows it): overdue, on time and late, open and closed.
#[actix_web::test]
async fn a_listed_petition_is_exactly_the_petition_read_alone() {
    let app = TestApp::spawn().await;
    let inspector = app.token(Role::Inspector, HA_LONG).await;
    let t = vn_today();
    let overdue = file(&app, &inspector, "complaint", &(t - Duration::days(11)).to_string()).await;
    assert_eq!(overdue["overdue"], true);
    let due_today = file(&app, &inspector, "complaint", &(t - Duration::days(10)).to_string()).await;
    assert_eq!(due_today["overdue"], false);
    // Accepted on 5 March 2024, resolved by its deadline (4 April) or a day after it.
    for (on, decision, on_time) in [
        ("2024-04-04", "Giữ nguyên \"quyết định\"\n\\ số 1", true),
        ("2024-04-05", "Muộn", false),
    ] {
        let p = file(&app, &inspector, "complaint", "2024-03-01").await;
        let id = p["id"].as_str().unwrap();
        let accepted = act(&app, &inspector, id, "accept", json!({"on": "2024-03-05"})).await;
        assert_eq!(accepted.status, 200, "{}", accepted.text());
        let done = act(&app, &inspector, id, "resolve", json!({"on": on, "decision": decision})).await;
        assert_eq!(done.json()["resolved_on_time"], on_time, "resolved on {on}");
    }
    let body = json!({"kind": "denunciation", "received_on": "2024-05-02", "channel": "in_person",
                      "subject": "Tố cáo \"phân biệt\"\t</script> \u{1F4E8}", "summary": "Nhiều\r\ndòng", "complexity": "complex",
                      "remote": true, "verification_elsewhere": true});
    let res = app.post("/api/v1/petitions", Some(&inspector), body).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let viewer = app.token(Role::Viewer, HA_LONG).await;
    let sorts = ["received_on", "-received_on", "updated_at", "-updated_at"];
    app.assert_list_items_are_the_records("/api/v1/petitions", "limit=2", &sorts, Some(&viewer), 5)
        .await;
}
