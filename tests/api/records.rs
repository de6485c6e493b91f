//! Trainings, outreach events, campaigns and attachments: counts by sex, the Action Month,
//! links to plans, scope, offline creation, files.

use actix_web::test::TestRequest;
use binhdang::auth::Role;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::harness::*;

fn training(title: &str) -> Value {
    json!({"title": title, "topics": ["gbv"], "audiences": ["collaborators"], "starts_on": "2020-11-20", "ends_on": "2020-11-21",
           "participants": {"female": 30, "male": 12, "other": 1}})
}

fn event(kind: &str, starts: &str, ends: &str) -> Value {
    json!({"kind": kind, "title": format!("Sự kiện {kind} {starts}"), "topics": ["gbv"], "starts_on": starts, "ends_on": ends,
           "participants": {"female": 10, "male": 5}, "is_public": true})
}

#[actix_web::test]
async fn a_training_derives_its_total_and_its_counts_from_a_list() {
    let app = TestApp::spawn().await;
    let officer = app.token(Role::Officer, HA_LONG).await;
    let res = app
        .post("/api/v1/trainings", Some(&officer), training("Tập huấn 1"))
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let t = res.json();
    assert_eq!(
        t["participants"],
        json!({"female": 30, "male": 12, "other": 1, "total": 43})
    );
    assert_eq!(t["unit_id"], unit(HA_LONG).to_string());
    assert_eq!(t["in_action_month"], true);
    let mut with_list = training("Tập huấn 2");
    with_list["participants"] = Value::Null;
    with_list["participant_list"] = json!([
        {"name": "Nguyễn Thị Lan", "sex": "female", "unit_name": "Tổ dân phố 1", "position": "Cộng tác viên"},
        {"name": "Trần Thị Hoa", "sex": "female"},
        {"name": "Lê Văn Nam", "sex": "male"}
    ]);
    let t2 = app
        .post("/api/v1/trainings", Some(&officer), with_list.clone())
        .await
        .json();
    assert_eq!(
        t2["participants"],
        json!({"female": 2, "male": 1, "other": 0, "total": 3})
    );
    assert_eq!(t2["has_participant_list"], true);
    let people = app
        .get(
            &format!("/api/v1/trainings/{}/participants", t2["id"].as_str().unwrap()),
            Some(&officer),
        )
        .await
        .json();
    assert_eq!(people[0]["name"], "Nguyễn Thị Lan");
    // A list and counts that disagree: 422 that says so.
    with_list["title"] = json!("Tập huấn 3");
    with_list["participants"] = json!({"female": 3, "male": 1, "other": 0});
    let p = app
        .post("/api/v1/trainings", Some(&officer), with_list)
        .await
        .assert_problem(422);
    assert_eq!(p["errors"][0]["code"], "counts_disagree");
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("2 female"));
}

#[actix_web::test]
async fn training_validation() {
    let app = TestApp::spawn().await;
    let officer = app.token(Role::Officer, HA_LONG).await;
    let far = (chrono::Utc::now().date_naive() + chrono::Duration::days(400)).to_string();
    let cases = [
        (json!({"starts_on": "2020-11-21", "ends_on": "2020-11-20"}), "ends_on"),
        (json!({"starts_on": far, "ends_on": far}), "starts_on"),
        (
            json!({"participants": {"female": -1, "male": 0}}),
            "participants.female",
        ),
        (json!({"title": "x".repeat(501)}), "title"),
        (json!({"trainers": ["x".repeat(201)]}), "trainers"),
        (json!({"activity_id": Uuid::new_v4()}), "activity_id"),
        (json!({"unit_id": unit(TRAN_DANG_NINH)}), "unit_id"),
    ];
    for (patch, field) in cases {
        let mut body = training("x");
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let p = app
            .post("/api/v1/trainings", Some(&officer), body.clone())
            .await
            .assert_problem(422);
        assert_eq!(p["errors"][0]["field"], field, "{body}");
    }
    app.post(
        "/api/v1/trainings",
        Some(&officer),
        json!({"title": "x", "starts_on": "2020-01-01", "ends_on": "2020-01-01", "audiences": ["aliens"]}),
    )
    .await
    .assert_problem(422);
    app.post(
        "/api/v1/trainings",
        Some(&app.token(Role::Viewer, HA_LONG).await),
        training("x"),
    )
    .await
    .assert_problem(403);
    app.post("/api/v1/trainings", None, training("x"))
        .await
        .assert_problem(401);
    // Nothing was written by the rejected requests.
    let list = app.get("/api/v1/trainings", Some(&officer)).await.json();
    assert!(list["data"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn a_ward_never_sees_another_wards_trainings() {
    let app = TestApp::spawn().await;
    let a = app.token(Role::Officer, HA_LONG).await;
    let b = app.token(Role::Officer, TRAN_DANG_NINH).await;
    let ta = app
        .post("/api/v1/trainings", Some(&a), training("Hạ Long"))
        .await
        .json();
    app.post("/api/v1/trainings", Some(&b), training("Trần Đăng Ninh"))
        .await;
    let id = ta["id"].as_str().unwrap();
    app.get(&format!("/api/v1/trainings/{id}"), Some(&b))
        .await
        .assert_problem(404);
    app.get(&format!("/api/v1/trainings/{id}/participants"), Some(&b))
        .await
        .assert_problem(404);
    app.patch(
        &format!("/api/v1/trainings/{id}"),
        Some(&b),
        Some("\"1\""),
        json!({"title": "x"}),
    )
    .await
    .assert_problem(404);
    let mine = app.get("/api/v1/trainings", Some(&b)).await.json();
    assert_eq!(mine["data"].as_array().unwrap().len(), 1);
    let city = app
        .get(
            &format!("/api/v1/trainings?unit_id={}&include_descendants=true", unit(CITY)),
            Some(&app.token(Role::Viewer, CITY).await),
        )
        .await
        .json();
    assert_eq!(city["data"].as_array().unwrap().len(), 2);
    // Partners read aggregates, not trainings.
    let admin = app.token(Role::Admin, CITY).await;
    let client = app
        .post(
            "/api/v1/clients",
            Some(&admin),
            json!({"name": "NGO", "unit_ids": [unit(HA_LONG)]}),
        )
        .await
        .json();
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        client["client_id"].as_str().unwrap(),
        client["client_secret"].as_str().unwrap()
    );
    let tok = app
        .send(
            TestRequest::post()
                .uri("/api/v1/auth/token")
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload(form),
        )
        .await
        .json();
    let partner = tok["access_token"].as_str().unwrap();
    app.get("/api/v1/trainings", Some(partner)).await.assert_problem(403);
    app.get(&format!("/api/v1/trainings/{id}"), Some(partner))
        .await
        .assert_problem(403);
}

#[actix_web::test]
async fn trainings_are_created_offline_once_and_corrected_with_if_match() {
    let app = TestApp::spawn().await;
    let officer = app.token(Role::Officer, HA_LONG).await;
    let id = Uuid::new_v4();
    let mut body = training("Tập huấn offline");
    body["id"] = json!(id);
    let req = |b: Value| {
        TestRequest::post()
            .uri("/api/v1/trainings")
            .insert_header(("authorization", format!("Bearer {officer}")))
            .insert_header(("idempotency-key", "phone-7-action-42"))
            .set_json(b)
    };
    let (a, b) = futures_util::future::join(app.send(req(body.clone())), app.send(req(body.clone()))).await;
    assert_eq!((a.status.as_u16(), b.status.as_u16()), (201, 201));
    assert_eq!(a.json(), b.json());
    let list = app.get("/api/v1/trainings", Some(&officer)).await.json();
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    let path = format!("/api/v1/trainings/{id}");
    let fixed = app
        .patch(
            &path,
            Some(&officer),
            Some("\"1\""),
            json!({"participants": {"female": 31, "male": 12, "other": 1}}),
        )
        .await;
    assert_eq!(fixed.status, 200, "{}", fixed.text());
    assert_eq!(fixed.json()["participants"]["total"], 44);
    app.patch(&path, Some(&officer), Some("\"1\""), json!({"title": "lost"}))
        .await
        .assert_problem(412);
    app.patch(&path, Some(&officer), None, json!({"title": "x"}))
        .await
        .assert_problem(428);
    let del = TestRequest::delete()
        .uri(&path)
        .insert_header(("authorization", format!("Bearer {officer}")))
        .insert_header(("if-match", "\"2\""));
    assert_eq!(app.send(del).await.status, 204);
    app.get(&path, Some(&officer)).await.assert_problem(404);
}

#[actix_web::test]
async fn the_action_month_is_derived_from_the_dates() {
    let app = TestApp::spawn().await;
    let officer = app.token(Role::Officer, HA_LONG).await;
    for (starts, ends, expected) in [
        ("2020-11-14", "2020-11-14", false),
        ("2020-11-14", "2020-11-15", true),
        ("2020-12-15", "2020-12-15", true),
        ("2020-12-16", "2021-01-05", false),
        ("2020-06-01", "2020-06-30", false),
    ] {
        let e = app
            .post("/api/v1/outreach", Some(&officer), event("seminar", starts, ends))
            .await;
        assert_eq!(e.status, 201, "{}", e.text());
        assert_eq!(e.json()["in_action_month"], expected, "{starts}..{ends}");
    }
    let am = app
        .get("/api/v1/outreach?in_action_month=true", Some(&officer))
        .await
        .json();
    assert_eq!(am["data"].as_array().unwrap().len(), 2);
    let range = app
        .get("/api/v1/outreach?from=2020-12-01&to=2020-12-31", Some(&officer))
        .await
        .json();
    assert_eq!(range["data"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn outreach_filters_and_partner_view() {
    let app = TestApp::spawn().await;
    let officer = app.token(Role::Officer, HA_LONG).await;
    app.post(
        "/api/v1/outreach",
        Some(&officer),
        event("street_event", "2020-11-15", "2020-11-15"),
    )
    .await;
    let mut private = event("victim_visit", "2020-11-20", "2020-11-20");
    private["is_public"] = json!(false);
    private["topics"] = json!(["domestic_violence"]);
    app.post("/api/v1/outreach", Some(&officer), private).await;
    let mut radio = event("broadcast", "2020-11-16", "2020-12-15");
    radio["channel"] = json!("Loa phát thanh phường");
    radio["audience_reached"] = json!(5000);
    radio["title"] = json!("Phát thanh về bình đẳng giới");
    app.post("/api/v1/outreach", Some(&officer), radio).await;
    let mut talk = event("seminar", "2020-11-25", "2020-11-25");
    talk["title"] = json!("Tọa đàm phòng, chống bạo lực gia đình (khu phố 3)");
    app.post("/api/v1/outreach", Some(&officer), talk).await;
    let count = |q: String| {
        let app = &app;
        let officer = officer.clone();
        async move {
            app.get(&format!("/api/v1/outreach?{q}"), Some(&officer)).await.json()["data"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!(count("kind=broadcast".into()).await, 1);
    assert_eq!(count("topic=domestic_violence".into()).await, 1);
    assert_eq!(count("topic=gbv".into()).await, 3);
    assert_eq!(count("is_public=false".into()).await, 1);
    assert_eq!(count("q=phat%20thanh".into()).await, 1);
    // Punctuation neither blocks nor makes a match; diacritics and case are ignored.
    assert_eq!(count("q=phong%20chong%20bao%20luc".into()).await, 1);
    assert_eq!(count("q=bao%20luc%20gia%20dinh".into()).await, 1);
    assert_eq!(count("q=Ph%C3%B2ng%2C%20ch%E1%BB%91ng".into()).await, 1);
    assert_eq!(count("q=khu%20pho%203".into()).await, 1);
    assert_eq!(count("q=pho%203%29".into()).await, 1);
    assert_eq!(count("sort=-starts_on&limit=2".into()).await, 2);
    app.get("/api/v1/outreach?kind=parade", Some(&officer))
        .await
        .assert_invalid("kind");
    app.post("/api/v1/outreach", Some(&officer), json!({"kind": "seminar", "title": "x", "starts_on": "2020-01-01", "ends_on": "2020-01-01", "audience_reached": -5}))
        .await
        .assert_problem(422);
    // Partners: public events only, never the participants.
    let admin = app.token(Role::Admin, CITY).await;
    let client = app
        .post(
            "/api/v1/clients",
            Some(&admin),
            json!({"name": "NGO", "unit_ids": [unit(HA_LONG)]}),
        )
        .await
        .json();
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        client["client_id"].as_str().unwrap(),
        client["client_secret"].as_str().unwrap()
    );
    let tok = app
        .send(
            TestRequest::post()
                .uri("/api/v1/auth/token")
                .insert_header(("content-type", "application/x-www-form-urlencoded"))
                .set_payload(form),
        )
        .await
        .json();
    let partner = tok["access_token"].as_str().unwrap();
    let seen = app.get("/api/v1/outreach", Some(partner)).await.json();
    assert_eq!(seen["data"].as_array().unwrap().len(), 3, "the three public events");
    assert!(seen["data"].as_array().unwrap().iter().all(|e| e["is_public"] == true));
    let private_id = app.get("/api/v1/outreach?is_public=false", Some(&officer)).await.json()["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.get(&format!("/api/v1/outreach/{private_id}"), Some(partner))
        .await
        .assert_problem(404);
    let public_id = seen["data"][0]["id"].as_str().unwrap();
    app.get(&format!("/api/v1/outreach/{public_id}/participants"), Some(partner))
        .await
        .assert_problem(403);
    app.get(
        &format!("/api/v1/outreach/{public_id}"),
        Some(&app.token(Role::Viewer, TRAN_DANG_NINH).await),
    )
    .await
    .assert_problem(404);
    app.get("/api/v1/outreach", None).await.assert_problem(401);
}

#[actix_web::test]
async fn campaigns_total_what_the_caller_can_see() {
    let app = TestApp::spawn().await;
    let city = app.token(Role::Manager, CITY).await;
    let campaign = app
        .post(
            "/api/v1/campaigns",
            Some(&city),
            json!({"name": "Tháng hành động 2020", "starts_on": "2020-11-15", "ends_on": "2020-12-15"}),
        )
        .await;
    assert_eq!(campaign.status, 201, "{}", campaign.text());
    let cid = campaign.json()["id"].as_str().unwrap().to_string();
    for (ward, female) in [(HA_LONG, 100), (TRAN_DANG_NINH, 40)] {
        let mut e = event("street_event", "2020-11-15", "2020-11-15");
        e["campaign_id"] = json!(cid);
        e["participants"] = json!({"female": female, "male": 10});
        let r = app
            .post("/api/v1/outreach", Some(&app.token(Role::Officer, ward).await), e)
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
    }
    let whole = app.get(&format!("/api/v1/campaigns/{cid}"), Some(&city)).await.json();
    assert_eq!(whole["totals"]["events"], 2);
    assert_eq!(
        whole["totals"]["participants"],
        json!({"female": 140, "male": 20, "other": 0, "total": 160})
    );
    let ward = app
        .get(
            &format!("/api/v1/campaigns/{cid}"),
            Some(&app.token(Role::Viewer, HA_LONG).await),
        )
        .await
        .json();
    assert_eq!(
        ward["totals"]["events"], 1,
        "a ward sees the city's campaign, with its own events only"
    );
    assert_eq!(ward["totals"]["participants"]["female"], 100);
    let listed = app
        .get("/api/v1/campaigns", Some(&app.token(Role::Viewer, HA_LONG).await))
        .await
        .json();
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    // A ward cannot create the city's campaigns, nor tie an event to a sibling's campaign.
    app.post(
        "/api/v1/campaigns",
        Some(&app.token(Role::Manager, HA_LONG).await),
        json!({"unit_id": unit(CITY), "name": "x", "starts_on": "2020-01-01", "ends_on": "2020-01-02"}),
    )
    .await
    .assert_problem(422);
    let sibling = app
        .post(
            "/api/v1/campaigns",
            Some(&app.token(Role::Manager, TRAN_DANG_NINH).await),
            json!({"name": "TĐN", "starts_on": "2020-01-01", "ends_on": "2020-01-02"}),
        )
        .await
        .json();
    let mut e = event("seminar", "2020-01-01", "2020-01-01");
    e["campaign_id"] = sibling["id"].clone();
    let p = app
        .post("/api/v1/outreach", Some(&app.token(Role::Officer, HA_LONG).await), e)
        .await
        .assert_problem(422);
    assert_eq!(p["errors"][0]["field"], "campaign_id");
    app.post(
        "/api/v1/campaigns",
        Some(&city),
        json!({"name": "", "starts_on": "2020-01-02", "ends_on": "2020-01-01"}),
    )
    .await
    .assert_problem(422);
    app.get(
        &format!("/api/v1/campaigns/{}", sibling["id"].as_str().unwrap()),
        Some(&app.token(Role::Viewer, HA_LONG).await),
    )
    .await
    .assert_problem(404);
    let renamed = app
        .patch(
            &format!("/api/v1/campaigns/{cid}"),
            Some(&city),
            Some("\"1\""),
            json!({"name": "Tháng hành động vì bình đẳng giới 2020"}),
        )
        .await;
    assert_eq!(renamed.status, 200);
    app.get("/api/v1/campaigns", None).await.assert_problem(401);
}

#[actix_web::test]
async fn records_link_only_to_activities_assigned_to_their_unit() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, CITY).await;
    let plan = app
        .post(
            "/api/v1/plans",
            Some(&admin),
            json!({"year": 2020, "kind": "yearly", "title": "Kế hoạch thành phố 2020"}),
        )
        .await
        .json();
    let pid = plan["id"].as_str().unwrap();
    let mk = |title: &str, responsible: &str| json!({"kind": "communication", "title": title, "starts_on": "2020-11-15", "ends_on": "2020-12-15", "responsible_unit_id": unit(responsible)});
    let citywide = app
        .post(
            &format!("/api/v1/plans/{pid}/activities"),
            Some(&admin),
            mk("Tháng hành động", CITY),
        )
        .await
        .json();
    let for_dept = app
        .post(
            &format!("/api/v1/plans/{pid}/activities"),
            Some(&admin),
            mk("Phòng LĐTBXH", "dept:356:ldtbxh"),
        )
        .await
        .json();
    let officer = app.token(Role::Officer, HA_LONG).await;
    let mut e = event("street_event", "2020-11-15", "2020-11-15");
    e["activity_id"] = citywide["id"].clone();
    assert_eq!(
        app.post("/api/v1/outreach", Some(&officer), e.clone()).await.status,
        201
    );
    let mut t = training("Tập huấn");
    t["activity_id"] = citywide["id"].clone();
    assert_eq!(app.post("/api/v1/trainings", Some(&officer), t).await.status, 201);
    e["activity_id"] = for_dept["id"].clone();
    let p = app
        .post("/api/v1/outreach", Some(&officer), e.clone())
        .await
        .assert_problem(422);
    assert_eq!(p["errors"][0]["code"], "not_assigned");
    // A sibling ward's own plan: not this ward's.
    let m2 = app.token(Role::Manager, TRAN_DANG_NINH).await;
    let p2 = app
        .post(
            "/api/v1/plans",
            Some(&m2),
            json!({"year": 2020, "kind": "yearly", "title": "TĐN 2020"}),
        )
        .await
        .json();
    let a2 = app
        .post(
            &format!("/api/v1/plans/{}/activities", p2["id"].as_str().unwrap()),
            Some(&m2),
            mk("TĐN", TRAN_DANG_NINH),
        )
        .await
        .json();
    e["activity_id"] = a2["id"].clone();
    app.post("/api/v1/outreach", Some(&officer), e)
        .await
        .assert_problem(422);
    // The activity shows what carried it out.
    let results = app
        .get(
            &format!(
                "/api/v1/plans/{pid}/activities/{}/results",
                citywide["id"].as_str().unwrap()
            ),
            Some(&admin),
        )
        .await;
    assert_eq!(results.status, 200, "{}", results.text());
    let results = results.json();
    assert_eq!(
        (
            results["totals"]["trainings"].as_i64(),
            results["totals"]["events"].as_i64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(
        results["totals"]["participants"],
        json!({"female": 40, "male": 17, "other": 1, "total": 58})
    );
    assert_eq!(results["trainings"][0]["title"], "Tập huấn");
}

pub fn multipart(field: &str, name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----binhdang-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn png(len: usize) -> Vec<u8> {
    let mut v = vec![
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
    ];
    v.resize(len, 7);
    v
}

pub async fn upload(app: &TestApp, token: &str, path: &str, field: &str, name: &str, bytes: &[u8]) -> TestResponse {
    let (ct, body) = multipart(field, name, bytes);
    let req = TestRequest::post()
        .uri(path)
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("content-type", ct))
        .set_payload(body);
    app.send(req).await
}

/// Files stored in the database (each with its attachment's row).
async fn stored_files(app: &TestApp) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.conn().await;
    let r: N = diesel_async::RunQueryDsl::get_result(
        diesel::sql_query("SELECT count(*) AS n FROM attachment_contents"),
        &mut conn,
    )
    .await
    .unwrap();
    r.n
}

#[actix_web::test]
async fn attachments_are_checked_by_content_and_reachable_only_in_scope() {
    let app = TestApp::spawn().await;
    let officer = app.token(Role::Officer, HA_LONG).await;
    let t = app
        .post("/api/v1/trainings", Some(&officer), training("Có ảnh"))
        .await
        .json();
    let base = format!("/api/v1/trainings/{}/attachments", t["id"].as_str().unwrap());
    let bytes = png(2000);
    let res = upload(&app, &officer, &base, "file", "danh-sach.png", &bytes).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let a = res.json();
    assert_eq!(a["content_type"], "image/png");
    assert_eq!(a["size_bytes"], 2000);
    use sha2::Digest;
    assert_eq!(a["sha256"], hex::encode(sha2::Sha256::digest(&bytes)));
    let id = a["id"].as_str().unwrap();
    let listed = app.get(&base, Some(&officer)).await.json();
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    let got = app
        .get(&format!("/api/v1/attachments/{id}/content"), Some(&officer))
        .await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("content-type"), Some("image/png"));
    assert_eq!(got.body.as_ref(), bytes.as_slice());
    // Another ward: nothing; a partner: never.
    let other = app.token(Role::Officer, TRAN_DANG_NINH).await;
    app.get(&format!("/api/v1/attachments/{id}/content"), Some(&other))
        .await
        .assert_problem(404);
    app.get(&format!("/api/v1/attachments/{id}"), Some(&other))
        .await
        .assert_problem(404);
    app.get(&base, Some(&other)).await.assert_problem(404);
    upload(&app, &other, &base, "file", "x.png", &bytes)
        .await
        .assert_problem(404);
    app.get(&format!("/api/v1/attachments/{id}/content"), None)
        .await
        .assert_problem(401);
    // Checked by content: text named .png is refused; so are empty, oversized and misnamed fields.
    upload(
        &app,
        &officer,
        &base,
        "file",
        "fake.png",
        b"just some text, not an image at all",
    )
    .await
    .assert_problem(415);
    upload(&app, &officer, &base, "file", "big.png", &png(100 * 1024))
        .await
        .assert_problem(422);
    upload(&app, &officer, &base, "photo", "x.png", &bytes)
        .await
        .assert_problem(422);
    let req = TestRequest::post()
        .uri(&base)
        .insert_header(("authorization", format!("Bearer {officer}")))
        .set_json(json!({"file": "x"}));
    app.send(req).await.assert_problem(415);
    assert_eq!(stored_files(&app).await, 1, "failed uploads leave nothing behind");
    upload(
        &app,
        &app.token(Role::Viewer, HA_LONG).await,
        &base,
        "file",
        "x.png",
        &bytes,
    )
    .await
    .assert_problem(403);
    // Delete.
    let del = TestRequest::delete()
        .uri(&format!("/api/v1/attachments/{id}"))
        .insert_header(("authorization", format!("Bearer {officer}")))
        .insert_header(("if-match", "\"1\""));
    assert_eq!(app.send(del).await.status, 204);
    app.get(&format!("/api/v1/attachments/{id}/content"), Some(&officer))
        .await
        .assert_problem(404);
}

/// Files an earlier version kept on disk are imported into the database once, at start-up.
#[actix_web::test]
async fn files_on_disk_from_an_earlier_version_are_imported() {
    let app = TestApp::spawn().await;
    let officer = app.token(Role::Officer, HA_LONG).await;
    let t = app
        .post("/api/v1/trainings", Some(&officer), training("Cũ"))
        .await
        .json();
    let base = format!("/api/v1/trainings/{}/attachments", t["id"].as_str().unwrap());
    let bytes = png(1500);
    let a = upload(&app, &officer, &base, "file", "cu.png", &bytes).await.json();
    let id = a["id"].as_str().unwrap().to_string();
    // As an earlier version left it: the file on disk under its storage key, no content row.
    let dir = std::env::temp_dir().join(format!("binhdang-legacy-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(dir.join("ab")).unwrap();
    std::fs::write(dir.join("ab").join(&id), &bytes).unwrap();
    let mut conn = app.conn().await;
    exec(
        &mut conn,
        &format!("DELETE FROM attachment_contents WHERE attachment_id = '{id}'"),
    )
    .await
    .unwrap();
    exec(
        &mut conn,
        &format!("UPDATE attachments SET storage_key = 'ab/{id}' WHERE id = '{id}'"),
    )
    .await
    .unwrap();
    let (imported, missing) = binhdang::attachments::queries::import_files(&mut conn, &dir)
        .await
        .unwrap();
    assert_eq!((imported, missing), (1, 0));
    let again = binhdang::attachments::queries::import_files(&mut conn, &dir)
        .await
        .unwrap();
    assert_eq!(again, (0, 0), "imported once");
    let got = app
        .get(&format!("/api/v1/attachments/{id}/content"), Some(&officer))
        .await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body.as_ref(), bytes.as_slice());
    let _ = std::fs::remove_dir_all(&dir);
}

#[actix_web::test]
async fn the_demo_seed_records_the_2020_action_month_in_wards() {
    let app = TestApp::spawn().await;
    {
        let mut conn = app.conn().await;
        binhdang::seed::seed_demo(&mut conn, &app.state.data_key).await.unwrap();
    }
    let city = app.token(Role::Viewer, CITY).await;
    let events = app
        .get("/api/v1/outreach?in_action_month=true&limit=100", Some(&city))
        .await
        .json();
    assert_eq!(events["data"].as_array().unwrap().len(), 6);
    assert!(events["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["activity_id"] == unit("activity:356:2020:communication").to_string()));
    let trainings = app
        .get("/api/v1/trainings?in_action_month=true", Some(&city))
        .await
        .json();
    assert_eq!(trainings["data"].as_array().unwrap().len(), 3);
    let campaign = app
        .get(
            &format!("/api/v1/campaigns/{}", unit("campaign:356:action-month-2020")),
            Some(&city),
        )
        .await
        .json();
    assert_eq!(campaign["totals"]["events"], 6);
}

/// OWASP "CSV injection": a title that would run as a formula when the file is opened is
/// written as text (a leading apostrophe); the JSON API keeps it as it was sent.
#[actix_web::test]
async fn a_formula_in_a_title_stays_text_in_a_csv_export() {
    let app = TestApp::spawn().await;
    let officer = app.token(Role::Officer, HA_LONG).await;
    let title = "=HYPERLINK(\"http://evil.example\",\"Bấm vào đây\")";
    let created = app.post("/api/v1/trainings", Some(&officer), training(title)).await;
    assert_eq!(created.status, 201, "{}", created.text());
    assert_eq!(created.json()["title"], title);
    let csv = app.get("/api/v1/trainings/export?format=csv", Some(&officer)).await;
    assert_eq!(csv.status, 200);
    let text = csv.text();
    let mut reader = csv::ReaderBuilder::new().from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let cells: Vec<String> = reader
        .records()
        .flat_map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
        .collect();
    assert!(cells.iter().any(|c| c == &format!("'{title}")), "{text}");
    assert!(!cells.iter().any(|c| c.starts_with('=')), "{text}");
}

/// A list page is written straight from its rows (not by serde, as one record is): every item
/// of every page, in each sort, is exactly the record read alone, and the cursors walk them all.
#[actix_web::test]
async fn a_list_item_is_exactly_the_record_read_alone() {
    let app = TestApp::spawn().await;
    let officer = app.token(Role::Officer, HA_LONG).await;
    let mut full = training("Tập huấn \"đặc biệt\"\n\\ tab\t và ký tự </script>");
    full["topics"] = json!(["gbv", "domestic_violence"]);
    full["audiences"] = json!(["officials", "collaborators", "students"]);
    full["location"] = json!("Nhà văn hoá tổ 5, phường Hạ Long");
    full["organiser"] = json!("Hội LHPN \u{1F469}");
    full["trainers"] = json!(["Nguyễn Thị Lan", "Trần \"Văn\" Bình"]);
    let mut bare = training("B");
    bare["topics"] = json!([]);
    bare["audiences"] = json!([]);
    bare["starts_on"] = json!("2021-03-01");
    bare["ends_on"] = json!("2021-03-01");
    let mut listed = training("C");
    listed["participants"] = Value::Null;
    listed["participant_list"] = json!([{"name": "Lê Thị Mai", "sex": "female"}, {"name": "Hà", "sex": "other"}]);
    for body in [full, bare, listed, training("D"), training("E")] {
        let res = app.post("/api/v1/trainings", Some(&officer), body).await;
        assert_eq!(res.status, 201, "{}", res.text());
    }
    app.assert_list_items_are_the_records("/api/v1/trainings", "limit=2", SORTS, Some(&officer), 5)
        .await;
}

/// Every sort of the activity lists, both ways.
const SORTS: &[&str] = &[
    "-starts_on",
    "starts_on",
    "title",
    "-title",
    "updated_at",
    "-updated_at",
];

#[actix_web::test]
async fn an_event_list_item_is_exactly_the_event_read_alone() {
    let app = TestApp::spawn().await;
    let officer = app.token(Role::Officer, HA_LONG).await;
    let mut full = event("broadcast", "2020-11-16", "2020-12-15");
    full["title"] = json!("Phát thanh \"bình đẳng\"\n\\ giới\t</script> \u{1F4FB}");
    full["channel"] = json!("Loa phát thanh phường");
    full["audience_reached"] = json!(5000);
    full["topics"] = json!(["gbv", "gender_equality_law"]);
    full["location"] = json!("Tổ dân phố 5");
    let mut bare = event("other", "2021-03-01", "2021-03-01");
    bare["topics"] = json!([]);
    bare["is_public"] = json!(false);
    let mut listed = event("seminar", "2020-11-25", "2020-11-25");
    listed["participants"] = Value::Null;
    listed["participant_list"] = json!([{"name": "Lê Thị Mai", "sex": "female"}]);
    for body in [
        full,
        bare,
        listed,
        event("contest", "2020-10-20", "2020-10-20"),
        event("exhibition", "2020-03-08", "2020-03-09"),
    ] {
        let res = app.post("/api/v1/outreach", Some(&officer), body).await;
        assert_eq!(res.status, 201, "{}", res.text());
    }
    app.assert_list_items_are_the_records("/api/v1/outreach", "limit=2", SORTS, Some(&officer), 5)
        .await;
}
