//! Partner clients: registration, client credentials, scope, disabling, rate limits.

use actix_web::test::TestRequest;
use binhdang::auth::Role;
use serde_json::{json, Value};

use crate::harness::*;

pub async fn register(app: &TestApp, admin: &str, units: &[&str], limit: i32) -> Value {
    let ids: Vec<String> = units.iter().map(|u| unit(u).to_string()).collect();
    let res = app
        .post(
            "/api/v1/clients",
            Some(admin),
            json!({"name": "UN Women portal", "unit_ids": ids, "rate_limit_per_minute": limit}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    res.json()
}

pub async fn token(app: &TestApp, client: &Value) -> TestResponse {
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        client["client_id"].as_str().unwrap(),
        client["client_secret"].as_str().unwrap()
    );
    let req = TestRequest::post()
        .uri("/api/v1/auth/token")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload(form);
    app.send(req).await
}

#[actix_web::test]
async fn a_partner_reads_only_its_granted_units() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, CITY).await;
    let client = register(&app, &admin, &[HA_LONG, TRAN_DANG_NINH], 100).await;
    assert!(client["client_secret"].as_str().unwrap().starts_with("pcs_"));
    let t = token(&app, &client).await;
    assert_eq!(t.status, 200, "{}", t.text());
    let access = t.json()["access_token"].as_str().unwrap().to_string();
    let units = app.get("/api/v1/units", Some(&access)).await.json();
    let names: Vec<&str> = units["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Phường Hạ Long", "Phường Trần Đăng Ninh"]);
    app.get(&format!("/api/v1/units/{}", unit(CITY)), Some(&access))
        .await
        .assert_problem(404);
    let me = app.get("/api/v1/auth/me", Some(&access)).await.json();
    assert_eq!(me["role"], "partner");
    // Read-only, and no admin material.
    app.post(
        "/api/v1/units",
        Some(&access),
        json!({"parent_id": unit(HA_LONG), "kind": "organization", "name": "x"}),
    )
    .await
    .assert_problem(403);
    app.get("/api/v1/audit-events", Some(&access)).await.assert_problem(403);
    app.get("/api/v1/clients", Some(&access)).await.assert_problem(403);
    let feed = app.get("/api/v1/changes?limit=500", Some(&access)).await.json();
    let items = feed["data"].as_array().unwrap();
    assert!(
        items
            .iter()
            .all(|i| i["type"] == "unit" || i["type"] == "legal_document"),
        "public reference data only"
    );
    assert_eq!(items.iter().filter(|i| i["type"] == "unit").count(), 2);
    // JSON works too.
    let json_token = app
        .post("/api/v1/auth/token", None, json!({"grant_type": "client_credentials", "client_id": client["client_id"], "client_secret": client["client_secret"]}))
        .await;
    assert_eq!(json_token.status, 200);
}

#[actix_web::test]
async fn the_secret_is_shown_once_and_stored_hashed() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, CITY).await;
    let client = register(&app, &admin, &[HA_LONG], 100).await;
    let secret = client["client_secret"].as_str().unwrap();
    let got = app
        .get(
            &format!("/api/v1/clients/{}", client["id"].as_str().unwrap()),
            Some(&admin),
        )
        .await;
    assert_eq!(got.status, 200);
    assert!(got.json().get("client_secret").is_none());
    assert!(!got.text().contains(secret));
    #[derive(diesel::QueryableByName)]
    struct Hash {
        #[diesel(sql_type = diesel::sql_types::Text)]
        secret_hash: String,
    }
    use diesel_async::RunQueryDsl;
    let mut conn = app.conn().await;
    let h: Hash = diesel::sql_query("SELECT secret_hash FROM api_clients")
        .get_result(&mut conn)
        .await
        .unwrap();
    assert!(!h.secret_hash.contains(secret));
    let audit: Vec<Hash> = diesel::sql_query(
        "SELECT coalesce(after::text, '') AS secret_hash FROM audit_events WHERE resource = 'api_client'",
    )
    .load(&mut conn)
    .await
    .unwrap();
    assert!(audit
        .iter()
        .all(|a| !a.secret_hash.contains(secret) && !a.secret_hash.contains(&h.secret_hash)));
}

#[actix_web::test]
async fn a_disabled_client_stops_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, CITY).await;
    let client = register(&app, &admin, &[HA_LONG], 100).await;
    let access = token(&app, &client).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app.get("/api/v1/units", Some(&access)).await.status, 200);
    let path = format!("/api/v1/clients/{}", client["id"].as_str().unwrap());
    app.patch(&path, Some(&admin), None, json!({"active": false}))
        .await
        .assert_problem(428);
    let off = app
        .patch(&path, Some(&admin), Some("\"1\""), json!({"active": false}))
        .await;
    assert_eq!(off.status, 200, "{}", off.text());
    app.get("/api/v1/units", Some(&access)).await.assert_problem(401);
    token(&app, &client).await.assert_problem(401);
    app.patch(&path, Some(&admin), Some("\"1\""), json!({"active": true}))
        .await
        .assert_problem(412);
}

#[actix_web::test]
async fn rotating_the_secret_retires_the_old_one() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, CITY).await;
    let client = register(&app, &admin, &[HA_LONG], 100).await;
    let req = TestRequest::post()
        .uri(&format!("/api/v1/clients/{}/secret", client["id"].as_str().unwrap()))
        .insert_header(("authorization", format!("Bearer {admin}")))
        .insert_header(("if-match", "\"1\""));
    let rotated = app.send(req).await;
    assert_eq!(rotated.status, 200, "{}", rotated.text());
    let rotated = rotated.json();
    assert_ne!(rotated["client_secret"], client["client_secret"]);
    token(&app, &client).await.assert_problem(401);
    assert_eq!(token(&app, &rotated).await.status, 200);
}

#[actix_web::test]
async fn partners_are_rate_limited() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, CITY).await;
    let client = register(&app, &admin, &[HA_LONG], 3).await;
    let access = token(&app, &client).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(app.get("/api/v1/units", Some(&access)).await);
    }
    assert!(statuses[..3].iter().all(|r| r.status == 200));
    let limited = &statuses[3];
    limited.assert_problem(429);
    let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
}

#[actix_web::test]
async fn registration_rules() {
    let app = TestApp::spawn().await;
    let ward_admin = app.token(Role::Admin, HA_LONG).await;
    let body = |u: &str| json!({"name": "NGO", "unit_ids": [unit(u)]});
    let p = app
        .post("/api/v1/clients", Some(&ward_admin), body(TRAN_DANG_NINH))
        .await
        .assert_problem(422);
    assert_eq!(p["errors"][0]["field"], "unit_ids[0]");
    app.post(
        "/api/v1/clients",
        Some(&app.token(Role::Manager, CITY).await),
        body(HA_LONG),
    )
    .await
    .assert_problem(403);
    app.post("/api/v1/clients", None, body(HA_LONG))
        .await
        .assert_problem(401);
    app.post(
        "/api/v1/clients",
        Some(&ward_admin),
        json!({"name": "", "unit_ids": []}),
    )
    .await
    .assert_problem(422);
    app.post(
        "/api/v1/clients",
        Some(&ward_admin),
        json!({"name": "x", "unit_ids": [unit(HA_LONG)], "rate_limit_per_minute": 0}),
    )
    .await
    .assert_problem(422);
    // Registered by the city: the ward's admin does not see it.
    let city = app.token(Role::Admin, CITY).await;
    let client = register(&app, &city, &[HA_LONG], 10).await;
    app.get(
        &format!("/api/v1/clients/{}", client["id"].as_str().unwrap()),
        Some(&ward_admin),
    )
    .await
    .assert_problem(404);
    let list = app.get("/api/v1/clients", Some(&city)).await.json();
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert!(app.get("/api/v1/clients", Some(&ward_admin)).await.json()["data"]
        .as_array()
        .unwrap()
        .is_empty());
    app.get("/api/v1/clients", None).await.assert_problem(401);
}

#[actix_web::test]
async fn token_exchange_rejects_bad_credentials() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, CITY).await;
    let client = register(&app, &admin, &[HA_LONG], 10).await;
    let mut wrong = client.clone();
    wrong["client_secret"] = json!("pcs_wrong");
    token(&app, &wrong).await.assert_problem(401);
    let mut unknown = client.clone();
    unknown["client_id"] = json!("pc_nobody");
    token(&app, &unknown).await.assert_problem(401);
    let p = app
        .post("/api/v1/auth/token", None, json!({"grant_type": "password", "client_id": client["client_id"], "client_secret": client["client_secret"]}))
        .await
        .assert_problem(422);
    assert_eq!(p["errors"][0]["field"], "grant_type");
    app.post("/api/v1/auth/token", None, json!({"grant_type": "client_credentials"}))
        .await
        .assert_problem(422);
}

/// A partner's change feed carries the public outreach events of its granted units, and a
/// tombstone when one stops being public; never a private event or another unit's.
#[actix_web::test]
async fn a_partner_follows_public_events_and_gets_a_tombstone_when_one_stops_being_public() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, CITY).await;
    let client = register(&app, &admin, &[HA_LONG], 100).await;
    let partner = token(&app, &client).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let ha_long = app.token(Role::Officer, HA_LONG).await;
    let tdn = app.token(Role::Officer, TRAN_DANG_NINH).await;
    let event = |title: &str, public: bool| {
        json!({"kind": "street_event", "title": title, "starts_on": "2026-11-20", "ends_on": "2026-11-20",
               "participants": {"female": 30, "male": 20, "other": 0}, "is_public": public})
    };
    let public = app
        .post("/api/v1/outreach", Some(&ha_long), event("Mít tinh công khai", true))
        .await;
    assert_eq!(public.status, 201, "{}", public.text());
    let public = public.json();
    let private = app
        .post("/api/v1/outreach", Some(&ha_long), event("Họp nội bộ", false))
        .await
        .json();
    let elsewhere = app
        .post("/api/v1/outreach", Some(&tdn), event("Sự kiện phường khác", true))
        .await
        .json();
    let (items, cursor) = feed_until(&app, &partner, None, |items| {
        items.iter().any(|i| i["id"] == public["id"])
    })
    .await;
    let created = items.iter().find(|i| i["id"] == public["id"]).unwrap();
    assert_eq!(created["type"], "outreach_event");
    assert_eq!(created["data"]["title"], "Mít tinh công khai");
    assert!(items
        .iter()
        .all(|i| i["id"] != private["id"] && i["id"] != elsewhere["id"]));

    let res = app
        .patch(
            &format!("/api/v1/outreach/{}", public["id"].as_str().unwrap()),
            Some(&ha_long),
            Some("\"1\""),
            json!({"is_public": false}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let (items, _) = feed_until(&app, &partner, Some(cursor), |items| {
        items.iter().any(|i| i["id"] == public["id"])
    })
    .await;
    let gone = items.iter().find(|i| i["id"] == public["id"]).unwrap();
    assert_eq!(gone["deleted"], true, "{gone}");
    assert_eq!(gone["data"], Value::Null);
    // The ward's own officer still sees the update as an update.
    let (mine, _) = drain(&app, &ha_long, None, 500).await;
    let update = mine.iter().rfind(|i| i["id"] == public["id"]).unwrap();
    assert_eq!(update["deleted"], false);
}
