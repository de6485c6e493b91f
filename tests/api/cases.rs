//! Survivors' cases: need-to-know access (the case's workers and its unit's supervisors, break
//! the glass with a reason for a limited time; 404 to everyone else), every read logged by the
//! statement that reads, the sealed identity, the workflow's approvals, ids only in the audit
//! trail, the change feed and the idempotency store, and the tombstone of a lost assignment.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use binhdang::seed::{seed_id, DEMO_PASSWORD};
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use serde_json::{json, Value};

use crate::harness::*;

async fn demo() -> TestApp {
    let app = TestApp::spawn().await;
    {
        let mut conn = app.conn().await;
        binhdang::seed::seed_demo(&mut conn, &app.state.data_key).await.unwrap();
    }
    app
}

async fn login(app: &TestApp, username: &str) -> String {
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": username, "password": DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(res.status, 200, "{username}: {}", res.text());
    res.json()["access_token"].as_str().unwrap().to_string()
}

fn new_case() -> Value {
    json!({
        "survivor_sex": "female", "survivor_age_band": "12-15", "priority_groups": ["child"],
        "relationship": "parent", "acts": ["3.1.b", "3.1.a", "3.1.m"], "incident_on": "2026-11-20",
        "reported_on": "2026-11-21", "channel": "child_hotline_111"
    })
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let mut conn = app.conn().await;
    diesel::sql_query(sql).get_result::<Count>(&mut conn).await.unwrap().n
}

#[derive(diesel::QueryableByName)]
struct Texts {
    #[diesel(sql_type = Text)]
    t: String,
}

async fn text_of(app: &TestApp, sql: &str) -> String {
    let mut conn = app.conn().await;
    diesel::sql_query(sql)
        .load::<Texts>(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.t)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The caller's change feed, checked against the OpenAPI document's `ChangeItem` types.
async fn feed_matches_the_document(app: &TestApp, token: &str) {
    let doc = serde_json::to_value(binhdang::app::api_document()).unwrap();
    let op = &doc["paths"]["/api/v1/changes"]["get"];
    let res = app.get("/api/v1/changes?limit=500", Some(token)).await;
    assert_eq!(res.status, 200);
    if let Some(problem) = crate::try_it::off_schema(&doc, op, 200, &res) {
        panic!("the feed is off its schema: {problem}");
    }
}

async fn put_identity(app: &TestApp, token: &str, case: &str, if_match: &str, body: Value) -> TestResponse {
    let req = TestRequest::default()
        .method(Method::PUT)
        .uri(&format!("/api/v1/support-cases/{case}/identity"))
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("if-match", if_match))
        .set_json(body);
    app.send(req).await
}

#[actix_web::test]
async fn a_case_is_read_by_its_handlers_only_and_everyone_else_gets_404() {
    let app = demo().await;
    let worker = login(&app, "halong.caseworker").await;
    let supervisor = login(&app, "halong.supervisor").await;
    let officer = login(&app, "halong.officer").await;
    let ward_admin = login(&app, "halong.admin").await;
    let city_admin = login(&app, "admin").await;

    let created = app.post("/api/v1/support-cases", Some(&worker), new_case()).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let case = created.json();
    let id = case["id"].as_str().unwrap().to_string();
    let code = case["code"].as_str().unwrap();
    assert!(code.starts_with("BL-") && code.len() == 11, "{code}");
    assert_eq!(
        case["forms"],
        json!(["economic", "physical", "psychological"]),
        "derived from the acts"
    );
    assert_eq!(case["acts"], json!(["3.1.a", "3.1.b", "3.1.m"]));
    assert_eq!(case["status"], "new");
    assert_eq!(case["your_access"], "case_worker");
    assert_eq!(
        case["case_workers"][0]["username"], "halong.caseworker",
        "the opener is assigned"
    );

    let path = format!("/api/v1/support-cases/{id}");
    for (who, token, want) in [
        ("its case worker", &worker, 200),
        ("its unit's supervisor", &supervisor, 200),
        ("another officer of the ward", &officer, 404),
        ("the ward's admin", &ward_admin, 404),
        ("the city's admin", &city_admin, 404),
    ] {
        let res = app.get(&path, Some(token)).await;
        assert_eq!(res.status, want, "{who}: {}", res.text());
        if want == 404 {
            assert!(!res.text().contains(code), "{who} learns nothing of it");
        }
    }
    assert_eq!(app.get(&path, None).await.status, 401);
    assert_eq!(
        app.get(&format!("{path}/identity"), Some(&ward_admin)).await.status,
        404
    );
    // Lists: the handlers see it, the rest an empty page.
    let listed = |t: &str| {
        let t = t.to_string();
        let app = &app;
        async move {
            let page = app.get("/api/v1/support-cases", Some(&t)).await;
            assert_eq!(page.status, 200, "{}", page.text());
            page.json()["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["code"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert!(listed(&supervisor).await.contains(&code.to_string()));
    assert!(listed(&worker).await.contains(&code.to_string()));
    assert!(listed(&officer).await.is_empty());
    assert!(listed(&city_admin).await.is_empty());
    // Writes by others: 404 as well (nothing to learn from the answer).
    let res = app
        .patch(&path, Some(&ward_admin), Some("*"), json!({"plan": "x"}))
        .await;
    assert_eq!(res.status, 404);
    let res = app
        .post(
            &format!("{path}/consents"),
            Some(&officer),
            json!({"kind": "statistics", "given": true, "recorded_on": "2026-11-21"}),
        )
        .await;
    assert_eq!(res.status, 404);
    // Opening a case needs a case role.
    let res = app.post("/api/v1/support-cases", Some(&officer), new_case()).await;
    assert_eq!(res.status, 403, "{}", res.text());
}

#[actix_web::test]
async fn bad_input_names_its_field_and_changes_nothing() {
    let app = demo().await;
    let worker = login(&app, "halong.caseworker").await;
    let before = count(&app, "SELECT count(*) AS n FROM support_cases").await;
    let mut bad = new_case();
    bad["acts"] = json!(["3.1.z"]);
    app.post("/api/v1/support-cases", Some(&worker), bad)
        .await
        .assert_invalid("acts");
    let mut bad = new_case();
    bad["reported_on"] = json!("2999-01-01");
    app.post("/api/v1/support-cases", Some(&worker), bad)
        .await
        .assert_invalid("reported_on");
    let mut bad = new_case();
    bad["incident_on"] = json!("2026-11-25");
    app.post("/api/v1/support-cases", Some(&worker), bad)
        .await
        .assert_invalid("incident_on");
    let mut bad = new_case();
    bad["relationship"] = json!("neighbour");
    app.post("/api/v1/support-cases", Some(&worker), bad)
        .await
        .assert_invalid("relationship");
    assert_eq!(count(&app, "SELECT count(*) AS n FROM support_cases").await, before);

    let demo_case = seed_id("support-case:13633:demo");
    let res = app
        .post(
            &format!("/api/v1/support-cases/{demo_case}/consents"),
            Some(&worker),
            json!({"kind": "sharing", "given": true, "recorded_on": "2026-11-21"}),
        )
        .await;
    res.assert_invalid("service_id");
    let res = app
        .post(
            &format!("/api/v1/support-cases/{demo_case}/consents"),
            Some(&worker),
            json!({"kind": "sharing", "given": true, "recorded_on": "2026-11-21", "target_unit_id": seed_id("nowhere")}),
        )
        .await;
    res.assert_invalid("target_unit_id");
    // A retry of a consent with its id records it once.
    let consent = json!({"id": "0193a7c0-0000-7000-8000-00000000c0a5", "kind": "services", "given": true, "recorded_on": "2026-11-21"});
    for _ in 0..2 {
        let res = app
            .post(
                &format!("/api/v1/support-cases/{demo_case}/consents"),
                Some(&worker),
                consent.clone(),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
    }
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM support_case_consents WHERE id = '0193a7c0-0000-7000-8000-00000000c0a5'"
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn every_read_is_logged_by_the_statement_that_reads_it() {
    let app = demo().await;
    let supervisor = login(&app, "halong.supervisor").await;
    let ward_admin = login(&app, "halong.admin").await;
    let city_admin = login(&app, "admin").await;
    let case = seed_id("support-case:13633:demo");
    let reads = format!("SELECT count(*) AS n FROM support_case_reads WHERE case_id = '{case}'");
    let before = count(&app, &reads).await;
    assert_eq!(
        app.get(&format!("/api/v1/support-cases/{case}"), Some(&supervisor))
            .await
            .status,
        200
    );
    assert_eq!(
        app.get(&format!("/api/v1/support-cases/{case}/identity"), Some(&supervisor))
            .await
            .status,
        200
    );
    assert_eq!(app.get("/api/v1/support-cases", Some(&supervisor)).await.status, 200);
    assert_eq!(count(&app, &reads).await, before + 3, "a case, its identity, a list");
    // A refused read logs nothing (and reads nothing).
    assert_eq!(
        app.get(&format!("/api/v1/support-cases/{case}"), Some(&city_admin))
            .await
            .status,
        404
    );
    assert_eq!(count(&app, &reads).await, before + 3);

    // The log cannot be written: the read fails, and nothing of the case leaves.
    {
        let mut conn = app.conn().await;
        exec(
            &mut conn,
            "CREATE FUNCTION refuse_reads() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'log unavailable'; END $$",
        )
        .await
        .unwrap();
        exec(
            &mut conn,
            "CREATE TRIGGER refuse_reads BEFORE INSERT ON support_case_reads FOR EACH ROW EXECUTE FUNCTION refuse_reads()",
        )
        .await
        .unwrap();
    }
    for path in [
        format!("/api/v1/support-cases/{case}"),
        format!("/api/v1/support-cases/{case}/identity"),
        "/api/v1/support-cases".to_string(),
    ] {
        let res = app.get(&path, Some(&supervisor)).await;
        assert!(res.status.is_server_error(), "{path}: {} {}", res.status, res.text());
        assert!(
            !res.text().contains("BL-7K3QX9AB") && !res.text().contains("Nguyễn"),
            "{}",
            res.text()
        );
    }
    {
        let mut conn = app.conn().await;
        exec(&mut conn, "DROP TRIGGER refuse_reads ON support_case_reads")
            .await
            .unwrap();
    }
    // The log itself: the unit's supervisor and admins; the city's admin does not see it.
    let log = app
        .get(&format!("/api/v1/support-cases/{case}/access-log"), Some(&supervisor))
        .await;
    assert_eq!(log.status, 200, "{}", log.text());
    let _ = log.json();
    // That read is logged too (the statement's own row shows from the next read on).
    let entries = app
        .get(&format!("/api/v1/support-cases/{case}/access-log"), Some(&supervisor))
        .await
        .json();
    let whats: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["what"].as_str().unwrap())
        .collect();
    assert_eq!(whats[0], "access_log", "{whats:?}");
    assert!(whats.contains(&"identity") && whats.contains(&"case") && whats.contains(&"list"));
    assert_eq!(entries[0]["username"], "halong.supervisor");
    assert_eq!(
        app.get(&format!("/api/v1/support-cases/{case}/access-log"), Some(&ward_admin))
            .await
            .status,
        200
    );
    assert_eq!(
        app.get(&format!("/api/v1/support-cases/{case}/access-log"), Some(&city_admin))
            .await
            .status,
        404
    );
    // The log is append-only.
    let mut conn = app.conn().await;
    assert!(exec(&mut conn, "DELETE FROM support_case_reads").await.is_err());
}

#[actix_web::test]
async fn breaking_the_glass_takes_a_reason_is_read_only_logged_shown_and_ends() {
    let app = demo().await;
    let supervisor = login(&app, "halong.supervisor").await;
    let officer = login(&app, "halong.officer").await;
    let city_admin = login(&app, "admin").await;
    let case = seed_id("support-case:13633:demo");
    let glass = format!("/api/v1/support-cases/{case}/break-glass");
    app.post(&glass, Some(&city_admin), json!({})).await.assert_problem(422);
    app.post(&glass, Some(&city_admin), json!({"reason": "   short  "}))
        .await
        .assert_invalid("reason");
    // Not a documented role: an officer cannot even tell the case exists.
    assert_eq!(
        app.post(
            &glass,
            Some(&officer),
            json!({"reason": "I would like to read this case please"})
        )
        .await
        .status,
        404
    );
    let reason = "Police request at 23:00: the survivor is at risk and the case worker cannot be reached";
    let res = app.post(&glass, Some(&city_admin), json!({ "reason": reason })).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let grant = res.json();
    let opened = chrono::DateTime::parse_from_rfc3339(grant["opened_at"].as_str().unwrap()).unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(grant["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!((expires - opened).num_minutes(), 180, "three hours");

    let read = app
        .get(&format!("/api/v1/support-cases/{case}"), Some(&city_admin))
        .await;
    assert_eq!(read.status, 200, "{}", read.text());
    assert_eq!(read.json()["your_access"], "break_glass");
    feed_matches_the_document(&app, &city_admin).await;
    let write = app
        .patch(
            &format!("/api/v1/support-cases/{case}"),
            Some(&city_admin),
            Some("*"),
            json!({"plan": "x"}),
        )
        .await;
    assert_eq!(write.status, 403, "read only: {}", write.text());
    // Logged with its reason, and shown to the supervisor.
    let log = app
        .get(&format!("/api/v1/support-cases/{case}/access-log"), Some(&supervisor))
        .await
        .json();
    let glass_read = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["via"] == "break_glass")
        .expect("the read by glass");
    assert_eq!(glass_read["reason"], reason);
    assert_eq!(glass_read["username"], "admin");
    let notices = app.get("/api/v1/support-case-notices", Some(&supervisor)).await;
    assert_eq!(notices.status, 200, "{}", notices.text());
    let notices = notices.json();
    let n = notices
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "break_glass")
        .expect("a break_glass notice");
    assert_eq!(n["reason"], reason);
    assert_eq!(n["subject_name"], "admin");
    assert_eq!(
        app.get("/api/v1/support-case-notices", Some(&city_admin)).await.status,
        403
    );
    // When the time is up, the case is gone again.
    {
        let mut conn = app.conn().await;
        exec(
            &mut conn,
            "UPDATE support_case_glass SET expires_at = now() - interval '1 second'",
        )
        .await
        .unwrap();
    }
    assert_eq!(
        app.get(&format!("/api/v1/support-cases/{case}"), Some(&city_admin))
            .await
            .status,
        404
    );
}

#[actix_web::test]
async fn the_identity_is_sealed_apart_and_nothing_else_holds_a_case_s_contents() {
    let app = demo().await;
    let worker = login(&app, "halong.caseworker").await;
    let supervisor = login(&app, "halong.supervisor").await;
    let created = app
        .call(Method::POST, "/api/v1/support-cases", Some(&worker), Some(new_case()))
        .await;
    assert_eq!(created.status, 201);
    let id = created.json()["id"].as_str().unwrap().to_string();
    let name = "Trần Thị Bích Ngọc";
    let identity = json!({"name": name, "phone": "0912 345 678", "address": "Ngõ 12, phường Hạ Long"});
    let res = put_identity(&app, &worker, &id, "\"1\"", identity.clone()).await;
    assert_eq!(res.status, 412, "the first identity takes If-Match: *");
    let res = put_identity(&app, &worker, &id, "*", identity.clone()).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.header("etag"), Some("\"1\""));
    let got = app
        .get(&format!("/api/v1/support-cases/{id}/identity"), Some(&supervisor))
        .await;
    assert_eq!(got.json()["name"], name);
    let res = put_identity(
        &app,
        &worker,
        &id,
        "\"1\"",
        json!({"name": name, "phone": "0900 111 222"}),
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("etag"), Some("\"2\""));

    // The column holds no plaintext.
    let sealed = text_of(
        &app,
        &format!("SELECT encode(sealed, 'escape') AS t FROM support_case_identities WHERE case_id = '{id}'"),
    )
    .await;
    assert!(!sealed.contains("Ngọc") && !sealed.contains("0900") && !sealed.is_empty());
    // The case, its list, the audit trail, the change feed, the idempotency store: no name, and
    // no case contents outside the case's own reads.
    let case = app
        .get(&format!("/api/v1/support-cases/{id}"), Some(&worker))
        .await
        .text();
    assert!(!case.contains("Ngọc"));
    let audit = text_of(
        &app,
        &format!("SELECT coalesce(before::text, '') || coalesce(after::text, '') || record_unit_path AS t FROM audit_events WHERE case_id = '{id}'"),
    )
    .await;
    assert!(!audit.is_empty());
    for secret in ["Ngọc", "0900", "parent", "child_hotline_111", "3.1.a", "12-15"] {
        assert!(!audit.contains(secret), "audit holds {secret}: {audit}");
    }
    assert!(!audit.contains("/1/"), "no unit path: {audit}");
    let (items, _) = feed_until(&app, &supervisor, None, |items| {
        items
            .iter()
            .any(|i| i["type"] == "support_case" && i["id"] == id.as_str())
    })
    .await;
    let ours: Vec<&Value> = items.iter().filter(|i| i["id"] == id.as_str()).collect();
    assert!(!ours.is_empty());
    for item in &ours {
        let text = item.to_string();
        assert!(!text.contains("parent") && !text.contains("3.1.a"), "{text}");
    }
    feed_matches_the_document(&app, &supervisor).await;
    // The ward's admin follows the feed of its whole ward and never meets the case.
    let ward_admin = login(&app, "halong.admin").await;
    let (items, _) = drain(&app, &ward_admin, None, 500).await;
    assert!(
        items.iter().all(|i| i["id"] != id.as_str()),
        "the ward admin's feed carries the case"
    );
    let audit_api = app
        .get("/api/v1/audit-events?limit=500", Some(&ward_admin))
        .await
        .text();
    assert!(!audit_api.contains(&id));

    // An idempotent create keeps ids only, and its replay is a logged read.
    let req = TestRequest::default()
        .method(Method::POST)
        .uri("/api/v1/support-cases")
        .insert_header(("authorization", format!("Bearer {worker}")))
        .insert_header(("idempotency-key", "case-key-1"))
        .set_json(new_case());
    let first = app.send(req).await;
    assert_eq!(first.status, 201);
    let stored = text_of(
        &app,
        "SELECT response::text AS t FROM idempotency_keys WHERE key = 'case-key-1'",
    )
    .await;
    assert!(
        !stored.contains("parent") && !stored.contains("3.1.a") && stored.contains("\"id\""),
        "{stored}"
    );
    let req = TestRequest::default()
        .method(Method::POST)
        .uri("/api/v1/support-cases")
        .insert_header(("authorization", format!("Bearer {worker}")))
        .insert_header(("idempotency-key", "case-key-1"))
        .set_json(new_case());
    let replay = app.send(req).await;
    assert_eq!(replay.status, 201);
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(replay.json()["id"], first.json()["id"]);
    assert_eq!(
        replay.json()["relationship"],
        "parent",
        "the replay reads the case again"
    );
}

#[actix_web::test]
async fn the_workflow_needs_the_supervisor_for_the_plan_and_the_closure() {
    let app = demo().await;
    let worker = login(&app, "halong.caseworker").await;
    let supervisor = login(&app, "halong.supervisor").await;
    let id = app
        .post("/api/v1/support-cases", Some(&worker), new_case())
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let step = |who: &str, action: &str, body: Value| {
        let (who, path) = (who.to_string(), format!("/api/v1/support-cases/{id}/{action}"));
        let app = &app;
        async move { app.post(&path, Some(&who), body).await }
    };
    assert_eq!(
        step(&supervisor, "approve_plan", json!({})).await.status,
        409,
        "not in case_plan"
    );
    let res = step(&worker, "start_assessment", json!({})).await;
    assert_eq!(res.json()["status"], "assessment", "{}", res.text());
    step(&worker, "submit_plan", json!({})).await.assert_invalid("plan");
    let res = app
        .patch(
            &format!("/api/v1/support-cases/{id}"),
            Some(&worker),
            Some("\"2\""),
            json!({"plan": "Health check; legal aid for a ban on contact"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        step(&worker, "submit_plan", json!({})).await.json()["status"],
        "case_plan"
    );
    assert_eq!(
        step(&worker, "approve_plan", json!({})).await.status,
        403,
        "the supervisor approves"
    );
    assert_eq!(
        step(&supervisor, "approve_plan", json!({})).await.json()["status"],
        "services"
    );
    let service = app
        .post(
            &format!("/api/v1/support-cases/{id}/services"),
            Some(&worker),
            json!({"kind": "health_care", "provided_on": "2026-11-22", "provider": "Trạm y tế phường"}),
        )
        .await;
    assert_eq!(
        service.json()["services"][0]["kind"],
        "health_care",
        "{}",
        service.text()
    );
    step(&worker, "request_closure", json!({}))
        .await
        .assert_invalid("closure_reason");
    let res = step(&worker, "request_closure", json!({"closure_reason": "needs_met"})).await;
    assert_eq!(res.json()["status"], "closure_requested");
    assert_eq!(step(&worker, "approve_closure", json!({})).await.status, 403);
    assert_eq!(
        step(&supervisor, "approve_closure", json!({})).await.json()["status"],
        "closed"
    );
    let res = app
        .patch(
            &format!("/api/v1/support-cases/{id}"),
            Some(&worker),
            Some("*"),
            json!({"plan": "more"}),
        )
        .await;
    assert_eq!(res.status, 409, "closed: {}", res.text());
    assert_eq!(step(&worker, "reopen", json!({})).await.status, 403);
    assert_eq!(
        step(&supervisor, "reopen", json!({})).await.json()["status"],
        "reopened"
    );
    assert_eq!(step(&supervisor, "frobnicate", json!({})).await.status, 404);
}

#[actix_web::test]
async fn an_unassigned_worker_s_device_is_told_to_drop_the_case_and_the_supervisor_is_told() {
    let app = demo().await;
    let supervisor = login(&app, "halong.supervisor").await;
    let case = seed_id("support-case:13633:demo");
    // A second case worker: granted by SQL, shown to the supervisor all the same.
    app.user(
        "lan.worker",
        "field notes of ward seven",
        binhdang::auth::Role::Officer,
        HA_LONG,
    )
    .await;
    {
        let mut conn = app.conn().await;
        exec(
            &mut conn,
            "UPDATE users SET case_role = 'case_worker' WHERE username = 'lan.worker'",
        )
        .await
        .unwrap();
    }
    let res = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "lan.worker", "password": "field notes of ward seven"}),
        )
        .await;
    let lan = res.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(
        app.get(&format!("/api/v1/support-cases/{case}"), Some(&lan))
            .await
            .status,
        404
    );
    let lan_uuid = text_of(&app, "SELECT id::text AS t FROM users WHERE username = 'lan.worker'").await;
    let res = app
        .post(
            &format!("/api/v1/support-cases/{case}/assignments"),
            Some(&supervisor),
            json!({"user_id": lan_uuid}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        app.get(&format!("/api/v1/support-cases/{case}"), Some(&lan))
            .await
            .status,
        200
    );
    let (items, cursor) = feed_until(&app, &lan, None, |items| {
        items.iter().any(|i| i["id"] == case.to_string())
    })
    .await;
    assert!(items
        .iter()
        .any(|i| i["id"] == case.to_string() && i["deleted"] == false));

    let req = TestRequest::default()
        .method(Method::DELETE)
        .uri(&format!("/api/v1/support-cases/{case}/assignments/{lan_uuid}"))
        .insert_header(("authorization", format!("Bearer {supervisor}")));
    assert_eq!(app.send(req).await.status, 204);
    assert_eq!(
        app.get(&format!("/api/v1/support-cases/{case}"), Some(&lan))
            .await
            .status,
        404
    );
    let (items, _) = feed_until(&app, &lan, Some(cursor), |items| {
        items
            .iter()
            .any(|i| i["id"] == case.to_string() && i["deleted"] == true)
    })
    .await;
    let tombstone = items
        .iter()
        .find(|i| i["id"] == case.to_string() && i["deleted"] == true)
        .expect("a tombstone for the unassigned worker");
    assert_eq!(tombstone["action"], "access_ended");
    feed_matches_the_document(&app, &lan).await;
    // Only that worker gets it.
    let (items, _) = drain(&app, &supervisor, None, 500).await;
    assert!(items.iter().all(|i| i["action"] != "access_ended"));

    let notices = app.get("/api/v1/support-case-notices", Some(&supervisor)).await.json();
    let kinds: Vec<&str> = notices
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["subject_name"] == "lan.worker")
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["unassigned", "assigned", "case_role_granted"], "newest first");
    // A case worker cannot assign; a user without a case role cannot be assigned.
    let worker = login(&app, "halong.caseworker").await;
    let res = app
        .post(
            &format!("/api/v1/support-cases/{case}/assignments"),
            Some(&worker),
            json!({"user_id": lan_uuid}),
        )
        .await;
    assert_eq!(res.status, 403);
    let officer = seed_id("user:halong.officer");
    app.post(
        &format!("/api/v1/support-cases/{case}/assignments"),
        Some(&supervisor),
        json!({"user_id": officer}),
    )
    .await
    .assert_invalid("user_id");
}

#[actix_web::test]
async fn a_switched_off_account_is_told_to_wipe_its_case_data() {
    let app = demo().await;
    let worker = login(&app, "halong.caseworker").await;
    assert_eq!(app.get("/api/v1/support-cases", Some(&worker)).await.status, 200);
    {
        let mut conn = app.conn().await;
        exec(
            &mut conn,
            "UPDATE users SET active = false WHERE username = 'halong.caseworker'",
        )
        .await
        .unwrap();
    }
    let mut last = None;
    for _ in 0..100 {
        let res = app.get("/api/v1/support-cases", Some(&worker)).await;
        if res.status == 401 {
            last = Some(res.json());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let problem = last.expect("a 401 within seconds");
    assert!(
        problem["type"].as_str().unwrap().ends_with("/access-revoked"),
        "{problem}"
    );
}

#[actix_web::test]
async fn case_roles_fall_under_the_two_factor_policy() {
    let mut settings = test_settings();
    settings.two_factor_roles = vec!["case_supervisor".into()];
    let app = TestApp::spawn_with(settings).await;
    app.user(
        "minh.supervisor",
        "field notes of ward seven",
        binhdang::auth::Role::Officer,
        HA_LONG,
    )
    .await;
    let body = json!({"username": "minh.supervisor", "password": "field notes of ward seven"});
    let token = app.post("/api/v1/auth/login", None, body.clone()).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        app.get("/api/v1/support-cases", Some(&token)).await.status,
        200,
        "no case role yet"
    );
    {
        let mut conn = app.conn().await;
        exec(
            &mut conn,
            "UPDATE users SET case_role = 'case_supervisor' WHERE username = 'minh.supervisor'",
        )
        .await
        .unwrap();
    }
    let token = app.post("/api/v1/auth/login", None, body).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app.get("/api/v1/support-cases", Some(&token)).await;
    assert_eq!(res.status, 403, "enrol first: {}", res.text());
    assert!(res.text().contains("two-factor"));
}

fn ts(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap())
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

fn at(v: &Value) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("a time: {v}")))
        .unwrap()
        .with_timezone(&chrono::Utc)
}

#[actix_web::test]
async fn protective_measures_run_on_the_law_s_clocks_at_their_boundaries() {
    let app = demo().await;
    let supervisor = login(&app, "halong.supervisor").await;
    let officer = login(&app, "halong.officer").await;
    let case = seed_id("support-case:13633:demo");
    let measures = format!("/api/v1/support-cases/{case}/measures");
    let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 0);
    let ban = |requested_at: chrono::DateTime<chrono::Utc>, by: &str| json!({"kind": "ban_on_contact", "authority": "commune_chairman", "requested_at": ts(requested_at), "requested_by": by});
    // The 12th hour: a request 11 h 59 min old is not yet overdue; one 12 h 1 min old is.
    let fresh = app
        .post(
            &measures,
            Some(&supervisor),
            ban(now - chrono::Duration::minutes(719), "victim"),
        )
        .await;
    assert_eq!(fresh.status, 201, "{}", fresh.text());
    let fresh = fresh.json();
    assert_eq!(fresh["overdue"], false);
    assert_eq!(
        at(&fresh["decide_by"]) - at(&fresh["requested_at"]),
        chrono::Duration::hours(12)
    );
    assert!(
        fresh["decide_by"].as_str().unwrap().ends_with("+07:00"),
        "Vietnam time: {fresh}"
    );
    let late = app
        .post(
            &measures,
            Some(&supervisor),
            ban(now - chrono::Duration::minutes(721), "victim"),
        )
        .await
        .json();
    assert_eq!(late["overdue"], true, "{late}");
    let overdue = app
        .get("/api/v1/support-measures?overdue=true", Some(&supervisor))
        .await;
    assert_eq!(overdue.status, 200, "{}", overdue.text());
    let ids: Vec<Value> = overdue
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].clone())
        .collect();
    assert!(ids.contains(&late["id"]) && !ids.contains(&fresh["id"]), "{ids:?}");
    assert!(app
        .get("/api/v1/support-measures?overdue=true", Some(&officer))
        .await
        .json()
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(app.get(&measures, Some(&officer)).await.status, 404);

    // Consent, authority, the law's date.
    app.post(&measures, Some(&supervisor), ban(now, "agency"))
        .await
        .assert_invalid("victim_consent");
    let mut with_consent = ban(now, "agency");
    with_consent["victim_consent"] = json!(true);
    assert_eq!(app.post(&measures, Some(&supervisor), with_consent).await.status, 201);
    let mut police = ban(now, "victim");
    police["authority"] = json!("police");
    app.post(&measures, Some(&supervisor), police)
        .await
        .assert_invalid("authority");
    let before_law = chrono::DateTime::parse_from_rfc3339("2023-06-30T09:00:00+07:00")
        .unwrap()
        .with_timezone(&chrono::Utc);
    app.post(&measures, Some(&supervisor), ban(before_law, "victim"))
        .await
        .assert_invalid("requested_at");

    // The 3rd day: granted at T, the ban lasts to T + 72 h at most.
    let step = |m: &Value, s: &str| format!("{measures}/{}/{s}", m["id"].as_str().unwrap());
    let decided = now - chrono::Duration::minutes(10);
    let res = app
        .post(&step(&fresh, "grant"), Some(&supervisor), json!({"at": ts(decided), "ends_at": ts(decided + chrono::Duration::hours(72) + chrono::Duration::minutes(1))}))
        .await;
    res.assert_invalid("ends_at");
    let res = app
        .post(
            &step(&fresh, "grant"),
            Some(&supervisor),
            json!({"at": ts(decided), "ends_at": ts(decided + chrono::Duration::hours(72))}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let granted = res.json();
    assert_eq!(granted["status"], "granted");
    assert_eq!(granted["in_force"], true);
    assert_eq!(granted["decided_late"], false);
    assert_eq!(at(&granted["max_ends_at"]), decided + chrono::Duration::hours(72));
    assert_eq!(at(&granted["ends_at"]), decided + chrono::Duration::hours(72));
    let within = |h: i64| {
        let app = &app;
        let supervisor = supervisor.clone();
        async move {
            app.get(
                &format!("/api/v1/support-measures?expiring_within_hours={h}"),
                Some(&supervisor),
            )
            .await
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].clone())
            .collect::<Vec<_>>()
        }
    };
    assert!(within(72).await.contains(&granted["id"]));
    assert!(!within(71).await.contains(&granted["id"]), "ends 71 h 50 min from now");
    app.get("/api/v1/support-measures?expiring_within_hours=0", Some(&supervisor))
        .await
        .assert_invalid("expiring_within_hours");
    // Decided after the 12th hour: late, and said so.
    let res = app
        .post(&step(&late, "grant"), Some(&supervisor), json!({}))
        .await
        .json();
    assert_eq!(res["decided_late"], true, "{res}");
    assert_eq!(
        at(&res["max_ends_at"]) - at(&res["decided_at"]),
        chrono::Duration::hours(72),
        "defaults to the maximum"
    );
    // Cancelled on request; a refusal is in writing.
    assert_eq!(
        app.post(&step(&res, "cancel"), Some(&supervisor), json!({}))
            .await
            .json()["status"],
        "cancelled"
    );
    assert_eq!(
        app.post(&step(&res, "cancel"), Some(&supervisor), json!({}))
            .await
            .status,
        409
    );
    let another = app
        .post(&measures, Some(&supervisor), ban(now, "guardian"))
        .await
        .json();
    app.post(&step(&another, "refuse"), Some(&supervisor), json!({}))
        .await
        .assert_invalid("reason");
    let refused = app
        .post(
            &step(&another, "refuse"),
            Some(&supervisor),
            json!({"reason": "No risk found at the visit"}),
        )
        .await
        .json();
    assert_eq!(refused["status"], "refused");

    // A court's ban: at most four calendar months, in Vietnam time.
    let court = app
        .post(
            &measures,
            Some(&supervisor),
            json!({"kind": "ban_on_contact", "authority": "court", "requested_at": "2026-11-20T09:00:00+07:00", "requested_by": "victim"}),
        )
        .await;
    assert_eq!(court.status, 201, "{}", court.text());
    let court = court.json();
    assert_eq!(court["decide_by"], Value::Null, "no hour limit for a court here");
    let res = app
        .post(
            &step(&court, "grant"),
            Some(&supervisor),
            json!({"at": "2026-11-30T10:00:00+07:00"}),
        )
        .await
        .json();
    assert_eq!(res["max_ends_at"], "2027-03-30T10:00:00+07:00", "{res}");
    let rules = app.get("/api/v1/measure-rules", Some(&officer)).await.json();
    let commune = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "ban_on_contact.commune_chairman")
        .unwrap();
    assert_eq!(
        (commune["decide_within_hours"].as_i64(), commune["max_hours"].as_i64()),
        (Some(12), Some(72))
    );
}

#[actix_web::test]
async fn referrals_need_consent_or_an_override_and_the_receiver_sees_only_what_they_share() {
    let app = demo().await;
    let worker = login(&app, "halong.caseworker").await;
    let supervisor = login(&app, "halong.supervisor").await;
    let receiver = login(&app, "city.supervisor").await;
    let ward_admin = login(&app, "halong.admin").await;
    let case = seed_id("support-case:13633:demo");
    let shelter = seed_id("support-service:356:shelter");
    let tdn = unit(TRAN_DANG_NINH);
    let refer = format!("/api/v1/support-cases/{case}/referrals");

    // No consent to sharing with Trần Đăng Ninh: refused, saying why; a worker cannot override.
    let res = app
        .post(
            &refer,
            Some(&worker),
            json!({"to_unit_id": tdn, "shares": ["survivor_sex"]}),
        )
        .await;
    let problem = res.assert_invalid("consent");
    assert!(problem.to_string().contains("consent"), "{problem}");
    let res = app
        .post(
            &refer,
            Some(&worker),
            json!({"to_unit_id": tdn, "override_reason": "The survivor is moving there tonight"}),
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.text());
    let res = app
        .post(
            &refer,
            Some(&supervisor),
            json!({"to_unit_id": tdn, "override_reason": "The survivor is moving there tonight"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["override_reason"], "The survivor is moving there tonight");
    let notices = app.get("/api/v1/support-case-notices", Some(&supervisor)).await.json();
    assert!(
        notices
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "consent_override"),
        "{notices}"
    );
    app.post(&refer, Some(&worker), json!({"to_unit_id": unit(HA_LONG)}))
        .await
        .assert_invalid("to_unit_id");
    app.post(&refer, Some(&worker), json!({}))
        .await
        .assert_invalid("to_service_id");

    // With consent (seeded for the city's shelter): pending, to the shelter's unit.
    let res = app
        .post(
            &refer,
            Some(&worker),
            json!({"to_service_id": shelter, "services_requested": ["safety_shelter"], "shares": ["survivor_age_band", "forms"]}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let referral = res.json();
    assert_eq!(referral["status"], "pending");
    assert_eq!(referral["to_unit_id"], json!(unit(CITY)));

    // The receiving side: what the referral shares, nothing else; its reads are logged.
    let incoming = app.get("/api/v1/referrals", Some(&receiver)).await;
    assert_eq!(incoming.status, 200, "{}", incoming.text());
    let incoming = incoming.json();
    let mine = incoming
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == referral["id"])
        .expect("received")
        .clone();
    assert_eq!(
        mine["shared"],
        json!({"forms": ["physical", "psychological"], "survivor_age_band": "30-44"})
    );
    assert_eq!(mine["case_id"], Value::Null);
    for hidden in ["spouse", "3.1.a", "commune_committee", "Nguyễn"] {
        assert!(!mine.to_string().contains(hidden), "{hidden} in {mine}");
    }
    assert_eq!(
        app.get(&format!("/api/v1/support-cases/{case}"), Some(&receiver))
            .await
            .status,
        404
    );
    assert_eq!(app.get("/api/v1/referrals", Some(&ward_admin)).await.status, 403);
    let log = app
        .get(&format!("/api/v1/support-cases/{case}/access-log"), Some(&supervisor))
        .await
        .json();
    assert!(log
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["via"] == "referral_receiver" && e["username"] == "city.supervisor"));

    let step = |id: &Value, s: &str| format!("/api/v1/referrals/{}/{s}", id.as_str().unwrap());
    app.post(&step(&referral["id"], "reject"), Some(&receiver), json!({}))
        .await
        .assert_invalid("reason");
    assert_eq!(
        app.post(&step(&referral["id"], "accept"), Some(&supervisor), json!({}))
            .await
            .status,
        404,
        "not the receiver"
    );
    let res = app
        .post(&step(&referral["id"], "accept"), Some(&receiver), json!({}))
        .await;
    assert_eq!(res.json()["status"], "accepted", "{}", res.text());
    assert_eq!(
        app.post(&step(&referral["id"], "done"), Some(&receiver), json!({}))
            .await
            .json()["status"],
        "done"
    );
    assert_eq!(
        app.post(
            &step(&referral["id"], "reject"),
            Some(&receiver),
            json!({"reason": "x"})
        )
        .await
        .status,
        409
    );

    // Withdrawing the consent revokes the pending referrals it allowed (not the override's).
    let pending = app
        .post(&refer, Some(&worker), json!({"to_service_id": shelter}))
        .await
        .json();
    let res = app
        .post(
            &format!("/api/v1/support-cases/{case}/consents"),
            Some(&worker),
            json!({"kind": "sharing", "given": false, "service_id": shelter, "recorded_on": "2026-11-30"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let all = app.get(&refer, Some(&supervisor)).await.json();
    let status_of = |id: &Value| all.as_array().unwrap().iter().find(|r| r["id"] == *id).unwrap()["status"].clone();
    assert_eq!(status_of(&pending["id"]), "revoked");
    assert_eq!(status_of(&referral["id"]), "done");
    assert!(all
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["to_unit_id"] == json!(tdn) && r["status"] == "pending"));
    app.post(&refer, Some(&worker), json!({"to_service_id": shelter}))
        .await
        .assert_invalid("consent");
}

async fn put_figures(app: &TestApp, token: &str, unit_key: &str, year: i32, detected: i32, supported: i32) {
    let req = TestRequest::default()
        .method(Method::PUT)
        .uri(&format!("/api/v1/units/{}/figures/{year}", unit(unit_key)))
        .insert_header(("authorization", format!("Bearer {token}")))
        .set_json(json!({"gbv_victims_detected": detected, "gbv_victims_supported": supported}));
    let res = app.send(req).await;
    assert_eq!(res.status, 201, "{}", res.text());
}

fn section<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no section {id}"))
}

fn indicator<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .unwrap()
}

#[actix_web::test]
async fn statistics_count_consenting_cases_without_names_and_hide_small_counts_from_all_but_the_handlers() {
    let app = demo().await;
    let worker = login(&app, "halong.caseworker").await;
    let supervisor = login(&app, "halong.supervisor").await;
    let manager = login(&app, "halong.manager").await;
    let city_admin = login(&app, "admin").await;
    // Seven cases in 2026; six consent to statistics; four of those received a basic service.
    for i in 0..7 {
        let mut body = new_case();
        body["survivor_sex"] = json!(if i < 5 { "female" } else { "male" });
        let id = app.post("/api/v1/support-cases", Some(&worker), body).await.json()["id"]
            .as_str()
            .unwrap()
            .to_string();
        if i < 6 {
            let res = app
                .post(
                    &format!("/api/v1/support-cases/{id}/consents"),
                    Some(&worker),
                    json!({"kind": "statistics", "given": true, "recorded_on": "2026-11-21"}),
                )
                .await;
            assert_eq!(res.status, 200);
        }
        if i < 4 {
            app.post(
                &format!("/api/v1/support-cases/{id}/services"),
                Some(&worker),
                json!({"kind": "psychosocial", "provided_on": "2026-11-22"}),
            )
            .await;
        }
    }
    // Typed yearly figures: Hạ Long's 2026 ones are ignored (it keeps case records: never
    // both); Trần Đăng Ninh's count.
    put_figures(&app, &city_admin, HA_LONG, 2026, 100, 50).await;
    put_figures(&app, &city_admin, TRAN_DANG_NINH, 2026, 20, 18).await;

    let report = |token: &str, unit_key: &str| {
        let url = format!("/api/v1/reports/summary?year=2026&unit_id={}", unit(unit_key));
        let token = token.to_string();
        let app = &app;
        async move {
            let res = app.get(&url, Some(&token)).await;
            assert_eq!(res.status, 200, "{}", res.text());
            res.json()
        }
    };
    // The handling unit's case supervisor: exact counts.
    let own = report(&supervisor, HA_LONG).await;
    let gbv = section(&own, "gbv");
    assert_eq!(gbv["suppressed"], false);
    assert_eq!(
        gbv["total"]["values"]["cases"], 6,
        "the case without consent is not counted: {gbv}"
    );
    assert_eq!(gbv["total"]["values"]["female"], 5);
    assert_eq!(gbv["total"]["values"]["male"], 1);
    assert_eq!(gbv["total"]["values"]["children"], 6);
    assert_eq!(gbv["total"]["values"]["basic_service"], 4);
    let forms = gbv["breakdowns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == "by_form")
        .unwrap();
    assert!(forms["rows"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["key"] == "economic" && r["values"]["cases"] == 6));
    let ind = indicator(&own, "gbv_victims_supported_share");
    assert_eq!(
        (ind["numerator"].as_i64(), ind["denominator"].as_i64()),
        (Some(4), Some(6)),
        "from the cases: {ind}"
    );
    // Nothing that names anyone.
    let text = own.to_string();
    assert!(!text.contains("BL-") && !text.contains("Nguyễn"));

    // The ward's manager (no case role): the same report with small counts hidden.
    let managers = report(&manager, HA_LONG).await;
    let gbv = section(&managers, "gbv");
    assert_eq!(gbv["suppressed"], true);
    let total = &gbv["total"]["values"];
    assert_eq!(total["male"], Value::Null, "one man would identify him: {gbv}");
    assert_eq!(total["basic_service"], Value::Null, "four is a small count");
    assert_eq!(
        total["basic_service_share"],
        Value::Null,
        "a share is hidden with its count"
    );
    assert!(
        total["cases"].is_null() || total["female"].is_null(),
        "cases - female - other would give the hidden count away: {total}"
    );
    let ind = indicator(&managers, "gbv_victims_supported_share");
    assert_eq!(ind["numerator"], Value::Null, "{ind}");

    // The city: Hạ Long's cases and Trần Đăng Ninh's figures, each unit-year from one source.
    let city = report(&city_admin, CITY).await;
    assert_eq!(section(&city, "gbv")["suppressed"], true);
    let ind = indicator(&city, "gbv_victims_supported_share");
    assert_eq!(
        (ind["numerator"].as_i64(), ind["denominator"].as_i64()),
        (Some(4 + 18), Some(6 + 20)),
        "{ind}"
    );
    assert!(
        ind["note"]
            .as_str()
            .unwrap()
            .contains("1 of 2 unit-years from case records"),
        "{ind}"
    );
    let by_unit = section(&city, "gbv")["breakdowns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == "by_unit")
        .unwrap()
        .clone();
    let ha_long = by_unit["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == unit(HA_LONG).to_string())
        .unwrap();
    assert_eq!(
        ha_long["values"]["male"],
        Value::Null,
        "the drill-down hides it too: {ha_long}"
    );
    // The export carries the same section.
    let req = TestRequest::get()
        .uri(&format!(
            "/api/v1/reports/summary/export?year=2026&unit_id={}&format=csv",
            unit(HA_LONG)
        ))
        .insert_header(("authorization", format!("Bearer {manager}")));
    let csv = app.send(req).await;
    assert_eq!(csv.status, 200);
    let csv = csv.text();
    assert!(csv.lines().any(|l| l.starts_with("gbv,")), "{csv}");
    assert!(!csv.contains("BL-"));
}

#[actix_web::test]
async fn an_admin_cannot_quietly_reset_a_case_worker_s_password_or_grant_itself_a_case_role() {
    let app = demo().await;
    let supervisor = login(&app, "halong.supervisor").await;
    let ward_admin = login(&app, "halong.admin").await;
    let worker_id = seed_id("user:halong.caseworker");
    let req = TestRequest::default()
        .method(Method::POST)
        .uri(&format!("/api/v1/users/{worker_id}/password-reset"))
        .insert_header(("authorization", format!("Bearer {ward_admin}")))
        .insert_header(("if-match", "*"));
    let res = app.send(req).await;
    assert_eq!(res.status, 200, "{}", res.text());
    // The admin grants itself a case role through the API: shown too (and it signs the admin out).
    let admin_id = seed_id("user:halong.admin");
    let res = app
        .patch(
            &format!("/api/v1/users/{admin_id}"),
            Some(&ward_admin),
            Some("*"),
            json!({"case_role": "case_supervisor"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["case_role"], "case_supervisor");
    let notices = app.get("/api/v1/support-case-notices", Some(&supervisor)).await.json();
    let seen: Vec<(String, String, String)> = notices
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["kind"].as_str().unwrap().to_string(),
                n["subject_name"].as_str().unwrap().to_string(),
                n["actor_name"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(
        seen.contains(&(
            "password_reset".into(),
            "halong.caseworker".into(),
            "halong.admin".into()
        )),
        "{seen:?}"
    );
    assert!(
        seen.contains(&("case_role_granted".into(), "halong.admin".into(), "halong.admin".into())),
        "{seen:?}"
    );
    // Its old token is revoked: the app is told to wipe what it keeps of cases.
    let mut status = 0;
    for _ in 0..100 {
        let res = app.get("/api/v1/support-cases", Some(&ward_admin)).await;
        status = res.status.as_u16();
        if status == 401 {
            assert!(res.json()["type"].as_str().unwrap().ends_with("/access-revoked"));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status, 401);
}
