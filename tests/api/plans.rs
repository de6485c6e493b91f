//! Plans: legal documents, plans, the workflow (each role trying each transition), targets,
//! activities, scope, and the demo seed.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use binhdang::auth::Role;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::harness::*;

fn doc(key: &str) -> String {
    unit(&format!("document:{key}")).to_string()
}

async fn new_plan(app: &TestApp, token: &str, unit_key: &str, year: i32) -> Value {
    let body = json!({
        "unit_id": unit(unit_key), "year": year, "kind": "yearly",
        "title": format!("Kế hoạch bình đẳng giới {year}"), "areas": ["family", "politics"],
        "document_ids": [doc("law-73-2006")]
    });
    let res = app.post("/api/v1/plans", Some(token), body).await;
    assert_eq!(res.status, 201, "{}", res.text());
    res.json()
}

async fn act(app: &TestApp, token: &str, plan: &str, action: &str, body: Value) -> TestResponse {
    app.post(&format!("/api/v1/plans/{plan}/{action}"), Some(token), body)
        .await
}

/// A Hạ Long plan brought to `status` by the right people.
async fn plan_in(app: &TestApp, status: &str) -> String {
    let owner = app.token(Role::Manager, HA_LONG).await;
    let approver = app.token(Role::Manager, CITY).await;
    // A distinct (year, kind) for every plan of the run: one plan per unit, year and kind.
    static NEXT: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let kind = ["yearly", "action_month", "thematic"][(n % 3) as usize];
    let body = json!({"unit_id": unit(HA_LONG), "year": 2000 + n / 3, "kind": kind, "title": format!("Kế hoạch {n}")});
    let created = app.post("/api/v1/plans", Some(&owner), body).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_string();
    let steps: &[(&str, &str, Value)] = match status {
        "draft" => &[],
        "submitted" => &[("owner", "submit", json!({}))],
        "returned" => &[
            ("owner", "submit", json!({})),
            ("approver", "return", json!({"reason": "thiếu chỉ tiêu"})),
        ],
        "approved" => &[("owner", "submit", json!({})), ("approver", "approve", json!({}))],
        "in_progress" => &[
            ("owner", "submit", json!({})),
            ("approver", "approve", json!({})),
            ("owner", "start", json!({})),
        ],
        "completed" => &[
            ("owner", "submit", json!({})),
            ("approver", "approve", json!({})),
            ("owner", "start", json!({})),
            ("owner", "complete", json!({"results_report": "Hoàn thành"})),
        ],
        "cancelled" => &[("owner", "cancel", json!({}))],
        other => panic!("unknown status {other}"),
    };
    for (who, action, body) in steps {
        let token = if *who == "owner" { &owner } else { &approver };
        let res = act(app, token, &id, action, body.clone()).await;
        assert_eq!(res.status, 200, "{action}: {}", res.text());
    }
    id
}

#[actix_web::test]
async fn the_reference_documents_and_indicators_are_seeded() {
    let app = TestApp::spawn().await;
    let viewer = app.token(Role::Viewer, HA_LONG).await;
    let docs = app.get("/api/v1/documents?limit=100", Some(&viewer)).await.json();
    let numbers: Vec<&str> = docs["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["number"].as_str().unwrap())
        .collect();
    for n in ["73/2006/QH11", "11-NQ/TW", "178/QĐ-TTg", "21-CT/TW", "35/KH-BVSTBPN"] {
        assert!(numbers.contains(&n), "{n} in {numbers:?}");
    }
    let found = app
        .get("/api/v1/documents?q=binh%20dang%20gioi&kind=law", Some(&viewer))
        .await
        .json();
    assert_eq!(found["data"][0]["number"], "73/2006/QH11");
    let law = app
        .get(&format!("/api/v1/documents/{}", doc("law-73-2006")), Some(&viewer))
        .await;
    assert_eq!(law.json()["effective_on"], "2007-07-01");
    assert_eq!(law.header("etag"), Some("\"1\""));
    let indicators = app.get("/api/v1/indicators", Some(&viewer)).await.json();
    let leader = indicators
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "female_key_leader_share")
        .unwrap();
    assert_eq!(
        (leader["target_2025"].as_f64(), leader["target_2030"].as_f64()),
        (Some(60.0), Some(75.0))
    );
    let srb = indicators
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "sex_ratio_at_birth")
        .unwrap();
    assert_eq!(srb["direction"], "decrease");
    assert_eq!(srb["verified"], true, "≤111 in 2025 and ≤109 in 2030 are confirmed");
    assert_eq!(
        (srb["target_2025"].as_f64(), srb["target_2030"].as_f64()),
        (Some(111.0), Some(109.0))
    );
    app.get("/api/v1/documents", None).await.assert_problem(401);
    app.get("/api/v1/indicators", None).await.assert_problem(401);
    app.get(&format!("/api/v1/documents/{}", Uuid::new_v4()), Some(&viewer))
        .await
        .assert_problem(404);
}

/// A local document belongs to the unit that issued it: the city's own plan 35/KH-BVSTBPN is
/// the city admins' (and those above) to correct, never a ward's; a ward's admin registers its
/// own ward's documents only.
#[actix_web::test]
async fn local_documents_belong_to_their_issuing_unit() {
    let app = TestApp::spawn().await;
    let plan35 = format!("/api/v1/documents/{}", doc("kh-35-bvstbpn"));
    let seeded = app
        .get(&plan35, Some(&app.token(Role::Viewer, HA_LONG).await))
        .await
        .json();
    assert_eq!(
        seeded["unit_id"],
        unit(CITY).to_string(),
        "the seed names the issuing unit"
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/documents/{}", doc("law-73-2006")),
            Some(&app.token(Role::Viewer, HA_LONG).await)
        )
        .await
        .json()["unit_id"],
        Value::Null
    );
    let ward_admin = app.token(Role::Admin, HA_LONG).await;
    let city_admin = app.token(Role::Admin, CITY).await;
    app.patch(
        &plan35,
        Some(&ward_admin),
        Some("\"1\""),
        json!({"url": "https://example.org/35"}),
    )
    .await
    .assert_problem(403);
    app.patch(
        &plan35,
        Some(&app.token(Role::Manager, CITY).await),
        Some("\"1\""),
        json!({"url": "https://example.org/35"}),
    )
    .await
    .assert_problem(403);
    let ok = app
        .patch(
            &plan35,
            Some(&city_admin),
            Some("\"1\""),
            json!({"url": "https://example.org/35"}),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    let ok = app
        .patch(
            &plan35,
            Some(&app.token(Role::Admin, COUNTRY).await),
            Some("\"2\""),
            json!({"url": "https://example.org/35b"}),
        )
        .await;
    assert_eq!(ok.status, 200, "an admin above the city: {}", ok.text());
    // A ward's own plan: its admin registers it; another ward's, or a national one, it may not.
    let local = |unit_key: Option<&str>, number: &str| {
        let mut b = json!({"kind": "plan", "number": number, "issuer": "UBND phường", "issued_on": "2021-02-05", "title": "Kế hoạch BĐG 2021"});
        if let Some(k) = unit_key {
            b["unit_id"] = json!(unit(k));
        }
        b
    };
    let res = app
        .post(
            "/api/v1/documents",
            Some(&ward_admin),
            local(Some(HA_LONG), "12/KH-UBND"),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["unit_id"], unit(HA_LONG).to_string());
    app.post(
        "/api/v1/documents",
        Some(&ward_admin),
        local(Some(TRAN_DANG_NINH), "13/KH-UBND"),
    )
    .await
    .assert_invalid("unit_id");
    app.post("/api/v1/documents", Some(&ward_admin), local(None, "14/KH-UBND"))
        .await
        .assert_problem(403);
    app.post(
        "/api/v1/documents",
        Some(&app.token(Role::Officer, HA_LONG).await),
        local(Some(HA_LONG), "15/KH-UBND"),
    )
    .await
    .assert_problem(403);
    // Every write is in the audit trail.
    let audit = app
        .get(
            &format!("/api/v1/audit-events?record_id={}", doc("kh-35-bvstbpn")),
            Some(&city_admin),
        )
        .await
        .json();
    assert!(audit["data"].as_array().unwrap().len() >= 2, "{audit}");
}

#[actix_web::test]
async fn admins_maintain_documents() {
    let app = TestApp::spawn().await;
    // National documents are kept by national (or province) admins; a city's admin reads them.
    let admin = app.token(Role::Admin, COUNTRY).await;
    let body = json!({"kind": "guidance", "number": "13/HD-UBND", "issuer": "UBND thành phố Nam Định", "issued_on": "2020-03-02", "title": "x"});
    app.post("/api/v1/documents", Some(&app.token(Role::Admin, CITY).await), body)
        .await
        .assert_problem(403);
    let body = json!({"kind": "guidance", "number": "12/HD-UBND", "issuer": "UBND thành phố Nam Định", "issued_on": "2020-03-02", "title": "Hướng dẫn tổ chức Tháng hành động"});
    let created = app.post("/api/v1/documents", Some(&admin), body.clone()).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_string();
    let p = app
        .post("/api/v1/documents", Some(&admin), body.clone())
        .await
        .assert_problem(409);
    assert!(p["detail"].as_str().is_some());
    app.post(
        "/api/v1/documents",
        Some(&app.token(Role::Manager, CITY).await),
        body.clone(),
    )
    .await
    .assert_problem(403);
    app.post("/api/v1/documents", None, body.clone())
        .await
        .assert_problem(401);
    app.post("/api/v1/documents", Some(&admin), json!({"kind": "guidance", "number": "", "issuer": "x", "issued_on": "2020-01-01", "title": "x", "url": "ftp://x"}))
        .await
        .assert_problem(422);
    let path = format!("/api/v1/documents/{id}");
    let ok = app
        .patch(
            &path,
            Some(&admin),
            Some("\"1\""),
            json!({"url": "https://example.org/12-hd"}),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    app.patch(&path, Some(&admin), Some("\"1\""), json!({"title": "x"}))
        .await
        .assert_problem(412);
    // A cited document cannot be deleted; an uncited one can.
    let cited = format!("/api/v1/documents/{}", doc("law-73-2006"));
    let manager = app.token(Role::Manager, HA_LONG).await;
    new_plan(&app, &manager, HA_LONG, 2021).await;
    let del = |p: String, m: &'static str| {
        TestRequest::delete()
            .uri(&p)
            .insert_header(("authorization", format!("Bearer {admin}")))
            .insert_header(("if-match", m))
    };
    app.send(del(cited, "*")).await.assert_problem(409);
    assert_eq!(app.send(del(path.clone(), "\"2\"")).await.status, 204);
    app.get(&path, Some(&admin)).await.assert_problem(404);
    // Every signed-in caller's feed carries documents.
    let mine = |items: &[Value]| {
        items
            .iter()
            .filter(|i| i["type"] == "legal_document" && i["id"] == id.as_str())
            .count()
    };
    let (items, _) = feed_until(&app, &app.token(Role::Viewer, HA_LONG).await, None, |items| {
        mine(items) >= 3
    })
    .await;
    let doc_events = mine(&items);
    assert_eq!(doc_events, 3, "create, update, delete");
}

#[actix_web::test]
async fn plans_are_created_as_drafts_by_their_units() {
    let app = TestApp::spawn().await;
    let manager = app.token(Role::Manager, HA_LONG).await;
    let plan = new_plan(&app, &manager, HA_LONG, 2020).await;
    assert_eq!(plan["status"], "draft");
    assert_eq!(plan["areas"], json!(["politics", "family"]));
    assert_eq!(plan["document_ids"], json!([doc("law-73-2006")]));
    assert_eq!(
        plan["progress"],
        json!({"targets": 0, "targets_met": 0, "share_met": null})
    );
    // One plan per unit, year and kind.
    let dup = json!({"unit_id": unit(HA_LONG), "year": 2020, "kind": "yearly", "title": "x"});
    app.post("/api/v1/plans", Some(&manager), dup).await.assert_problem(409);
    let action_month = json!({"year": 2020, "kind": "action_month", "title": "Tháng hành động 2020"});
    assert_eq!(
        app.post("/api/v1/plans", Some(&manager), action_month).await.status,
        201,
        "defaults to the caller's unit"
    );
    // Who may create: the unit's manager or an admin above; not another unit's manager.
    let other = json!({"unit_id": unit(HA_LONG), "year": 2021, "kind": "yearly", "title": "x"});
    app.post(
        "/api/v1/plans",
        Some(&app.token(Role::Officer, HA_LONG).await),
        other.clone(),
    )
    .await
    .assert_problem(403);
    app.post(
        "/api/v1/plans",
        Some(&app.token(Role::Manager, CITY).await),
        other.clone(),
    )
    .await
    .assert_problem(403);
    app.post(
        "/api/v1/plans",
        Some(&app.token(Role::Manager, TRAN_DANG_NINH).await),
        other.clone(),
    )
    .await
    .assert_problem(422);
    assert_eq!(
        app.post(
            "/api/v1/plans",
            Some(&app.token(Role::Admin, CITY).await),
            other.clone()
        )
        .await
        .status,
        201
    );
    app.post("/api/v1/plans", None, other).await.assert_problem(401);
}

#[actix_web::test]
async fn plan_validation() {
    let app = TestApp::spawn().await;
    let m = app.token(Role::Manager, HA_LONG).await;
    let next_year = chrono::Datelike::year(&chrono::Utc::now()) + 1;
    for (body, field) in [
        (json!({"year": 1999, "kind": "yearly", "title": "x"}), "year"),
        (json!({"year": next_year + 1, "kind": "yearly", "title": "x"}), "year"),
        (json!({"year": 2020, "kind": "yearly", "title": ""}), "title"),
        (
            json!({"year": 2020, "kind": "yearly", "title": "x", "document_ids": [Uuid::new_v4()]}),
            "document_ids[0]",
        ),
        (
            json!({"year": 2020, "kind": "yearly", "title": "x", "parent_plan_id": Uuid::new_v4()}),
            "parent_plan_id",
        ),
    ] {
        let p = app
            .post("/api/v1/plans", Some(&m), body.clone())
            .await
            .assert_problem(422);
        assert_eq!(p["errors"][0]["field"], field, "{body}");
    }
    app.post(
        "/api/v1/plans",
        Some(&m),
        json!({"year": 2020, "kind": "yearly", "title": "x", "areas": ["sport"]}),
    )
    .await
    .assert_problem(422);
    app.post(
        "/api/v1/plans",
        Some(&m),
        json!({"year": 2020, "kind": "weekly", "title": "x"}),
    )
    .await
    .assert_problem(422);
    // A parent plan must belong to a unit above.
    let sibling = new_plan(
        &app,
        &app.token(Role::Manager, TRAN_DANG_NINH).await,
        TRAN_DANG_NINH,
        2020,
    )
    .await;
    let city_admin = app.token(Role::Admin, CITY).await;
    let body = json!({"unit_id": unit(HA_LONG), "year": 2020, "kind": "thematic", "title": "x", "parent_plan_id": sibling["id"]});
    let p = app
        .post("/api/v1/plans", Some(&city_admin), body)
        .await
        .assert_problem(422);
    assert_eq!(p["errors"][0]["code"], "not_above");
}

/// Each role trying each transition on a Hạ Long plan in the state where it is legal.
#[actix_web::test]
async fn each_role_trying_each_transition() {
    let app = TestApp::spawn().await;
    let callers = [
        ("halong manager", Role::Manager, HA_LONG),
        ("halong admin", Role::Admin, HA_LONG),
        ("halong officer", Role::Officer, HA_LONG),
        ("halong viewer", Role::Viewer, HA_LONG),
        ("city manager", Role::Manager, CITY),
        ("city admin", Role::Admin, CITY),
        ("city viewer", Role::Viewer, CITY),
        ("other ward manager", Role::Manager, TRAN_DANG_NINH),
    ];
    // (action, from status, body, expected status per caller in the order above)
    let cases: [(&str, &str, Value, [u16; 8]); 6] = [
        ("submit", "draft", json!({}), [200, 200, 403, 403, 403, 200, 403, 404]),
        (
            "approve",
            "submitted",
            json!({}),
            [403, 403, 403, 403, 200, 200, 403, 404],
        ),
        (
            "return",
            "submitted",
            json!({"reason": "bổ sung"}),
            [403, 403, 403, 403, 200, 200, 403, 404],
        ),
        ("start", "approved", json!({}), [200, 200, 403, 403, 403, 200, 403, 404]),
        (
            "complete",
            "in_progress",
            json!({"results_report": "Đạt"}),
            [200, 200, 403, 403, 403, 200, 403, 404],
        ),
        (
            "cancel",
            "submitted",
            json!({"reason": "không cần"}),
            [200, 200, 403, 403, 403, 200, 403, 404],
        ),
    ];
    for (action, from, body, expected) in cases {
        for ((who, role, unit_key), want) in callers.iter().zip(expected) {
            let id = plan_in(&app, from).await;
            let token = app.token(*role, unit_key).await;
            let res = act(&app, &token, &id, action, body.clone()).await;
            assert_eq!(
                res.status.as_u16(),
                want,
                "{who} {action} a {from} plan: {}",
                res.text()
            );
        }
    }
}

#[actix_web::test]
async fn illegal_transitions_say_what_is_allowed() {
    let app = TestApp::spawn().await;
    let manager = app.token(Role::Manager, HA_LONG).await;
    let approver = app.token(Role::Manager, CITY).await;
    let draft = plan_in(&app, "draft").await;
    let p = act(&app, &manager, &draft, "start", json!({}))
        .await
        .assert_problem(409);
    assert_eq!(p["allowed"], json!(["submit", "cancel"]));
    let done = plan_in(&app, "completed").await;
    let p = act(&app, &manager, &done, "cancel", json!({}))
        .await
        .assert_problem(409);
    assert_eq!(p["allowed"], json!([]));
    let cancelled = plan_in(&app, "cancelled").await;
    act(&app, &manager, &cancelled, "submit", json!({}))
        .await
        .assert_problem(409);
    // A return needs a reason; a completion a results report.
    let submitted = plan_in(&app, "submitted").await;
    let p = act(&app, &approver, &submitted, "return", json!({}))
        .await
        .assert_problem(422);
    assert_eq!(p["errors"][0]["field"], "reason");
    let running = plan_in(&app, "in_progress").await;
    act(&app, &manager, &running, "complete", json!({}))
        .await
        .assert_problem(422);
    act(&app, &manager, &running, "publish", json!({}))
        .await
        .assert_problem(404);
    act(&app, &manager, &running, "complete", json!({"results_report": ""}))
        .await
        .assert_problem(422);
    app.call(Method::POST, &format!("/api/v1/plans/{running}/start"), None, None)
        .await
        .assert_problem(401);
}

#[actix_web::test]
async fn a_returned_plan_is_edited_and_resubmitted_and_the_history_keeps_everything() {
    let app = TestApp::spawn().await;
    let manager = app.token(Role::Manager, HA_LONG).await;
    let approver = app.token(Role::Manager, CITY).await;
    let id = plan_in(&app, "returned").await;
    let path = format!("/api/v1/plans/{id}");
    let current = app.get(&path, Some(&manager)).await;
    assert_eq!(current.json()["status"], "returned");
    let etag = current.header("etag").unwrap().to_string();
    let edited = app
        .patch(
            &path,
            Some(&manager),
            Some(&etag),
            json!({"title": "Kế hoạch (sửa)", "areas": ["labour"]}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text());
    assert_eq!(act(&app, &manager, &id, "submit", json!({})).await.status, 200);
    // Submitted: not editable.
    let etag = app.get(&path, Some(&manager)).await.header("etag").unwrap().to_string();
    let p = app
        .patch(&path, Some(&manager), Some(&etag), json!({"title": "again"}))
        .await
        .assert_problem(409);
    assert_eq!(p["allowed"], json!(["approve", "return", "cancel"]));
    assert_eq!(act(&app, &approver, &id, "approve", json!({})).await.status, 200);
    let history = app.get(&format!("{path}/history"), Some(&manager)).await.json();
    let moves: Vec<(&str, &str, &str)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["action"].as_str().unwrap(),
                h["from_status"].as_str().unwrap(),
                h["to_status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        moves,
        vec![
            ("submit", "draft", "submitted"),
            ("return", "submitted", "returned"),
            ("submit", "returned", "submitted"),
            ("approve", "submitted", "approved")
        ]
    );
    assert_eq!(history[1]["reason"], "thiếu chỉ tiêu");
    assert_eq!(history[1]["actor_role"], "manager");
    app.get(&format!("{path}/history"), None).await.assert_problem(401);
    app.get(
        &format!("{path}/history"),
        Some(&app.token(Role::Viewer, TRAN_DANG_NINH).await),
    )
    .await
    .assert_problem(404);
}

#[actix_web::test]
async fn a_ward_sees_its_plans_and_the_published_plans_above_it_only() {
    let app = TestApp::spawn().await;
    let city_manager = app.token(Role::Manager, CITY).await;
    let city_plan = new_plan(&app, &city_manager, CITY, 2020).await;
    let city_id = city_plan["id"].as_str().unwrap().to_string();
    let ward = app.token(Role::Viewer, HA_LONG).await;
    let other = new_plan(
        &app,
        &app.token(Role::Manager, TRAN_DANG_NINH).await,
        TRAN_DANG_NINH,
        2020,
    )
    .await;
    // Unpublished city plan: invisible to the ward.
    app.get(&format!("/api/v1/plans/{city_id}"), Some(&ward))
        .await
        .assert_problem(404);
    // Approved above (by the province's admin), it is visible below.
    let province_admin = app.token(Role::Admin, "province:36").await;
    assert_eq!(
        act(&app, &city_manager, &city_id, "submit", json!({})).await.status,
        200
    );
    assert_eq!(
        act(&app, &province_admin, &city_id, "approve", json!({})).await.status,
        200
    );
    assert_eq!(
        app.get(&format!("/api/v1/plans/{city_id}"), Some(&ward)).await.status,
        200
    );
    let list = app.get("/api/v1/plans", Some(&ward)).await.json();
    let ids: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![city_id.as_str()]);
    // Never a sibling's.
    app.get(&format!("/api/v1/plans/{}", other["id"].as_str().unwrap()), Some(&ward))
        .await
        .assert_problem(404);
    // A ward plan may implement the published city plan.
    let manager = app.token(Role::Manager, HA_LONG).await;
    let body = json!({"year": 2020, "kind": "yearly", "title": "Phường Hạ Long 2020", "parent_plan_id": city_id});
    assert_eq!(app.post("/api/v1/plans", Some(&manager), body).await.status, 201);
    // The city sees everything below it.
    let all = app
        .get(
            &format!("/api/v1/plans?unit_id={}&include_descendants=true", unit(CITY)),
            Some(&city_manager),
        )
        .await
        .json();
    assert_eq!(all["data"].as_array().unwrap().len(), 3);
    // Partners read no plans.
    app.get("/api/v1/plans", None).await.assert_problem(401);
}

#[actix_web::test]
async fn plan_filters() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, CITY).await;
    let m = app.token(Role::Manager, HA_LONG).await;
    new_plan(&app, &m, HA_LONG, 2020).await;
    new_plan(&app, &m, HA_LONG, 2021).await;
    app.post("/api/v1/plans", Some(&m), json!({"year": 2021, "kind": "action_month", "title": "Tháng hành động vì bình đẳng giới", "areas": ["health"]})).await;
    let count = |q: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            app.get(&format!("/api/v1/plans?{q}"), Some(&admin)).await.json()["data"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!(count("year=2021").await, 2);
    assert_eq!(count("kind=action_month").await, 1);
    assert_eq!(count("area=health").await, 1);
    assert_eq!(count("area=family").await, 2);
    assert_eq!(count("status=draft").await, 3);
    assert_eq!(count("q=thang%20hanh%20dong").await, 1);
    assert_eq!(count("sort=-year&limit=1").await, 1);
    app.get("/api/v1/plans?status=flying", Some(&admin))
        .await
        .assert_invalid("status");
    app.get("/api/v1/plans?sort=budget", Some(&admin))
        .await
        .assert_problem(422);
}

#[actix_web::test]
async fn targets_compute_progress() {
    let app = TestApp::spawn().await;
    let m = app.token(Role::Manager, HA_LONG).await;
    let plan = new_plan(&app, &m, HA_LONG, 2020).await;
    let pid = plan["id"].as_str().unwrap();
    let targets = format!("/api/v1/plans/{pid}/targets");
    let up = app.post(&targets, Some(&m), json!({"indicator": "Tỷ lệ nữ lãnh đạo", "indicator_code": "female_key_leader_share", "unit_of_measure": "%", "baseline": 40.0, "target_value": 60.0})).await;
    assert_eq!(up.status, 201, "{}", up.text());
    let down = app.post(&targets, Some(&m), json!({"indicator": "Tỷ số giới tính khi sinh", "unit_of_measure": "bé trai/100 bé gái", "direction": "decrease", "baseline": 115.0, "target_value": 111.0})).await;
    assert_eq!(down.status, 201);
    app.post(
        &targets,
        Some(&m),
        json!({"indicator": "x", "indicator_code": "nope", "unit_of_measure": "%", "target_value": 1.0}),
    )
    .await
    .assert_problem(422);
    app.post(
        &targets,
        Some(&m),
        json!({"indicator": "x", "unit_of_measure": "%", "target_value": 1.0, "actual_value": 2.0}),
    )
    .await
    .assert_problem(422);
    app.post(
        &targets,
        Some(&app.token(Role::Officer, HA_LONG).await),
        json!({"indicator": "x", "unit_of_measure": "%", "target_value": 1.0}),
    )
    .await
    .assert_problem(403);
    // Running: only measurements may change.
    let approver = app.token(Role::Manager, CITY).await;
    act(&app, &m, pid, "submit", json!({})).await;
    act(&app, &approver, pid, "approve", json!({})).await;
    let up_id = up.json()["id"].as_str().unwrap().to_string();
    let down_id = down.json()["id"].as_str().unwrap().to_string();
    let p = app
        .patch(
            &format!("{targets}/{up_id}"),
            Some(&m),
            Some("\"1\""),
            json!({"target_value": 50.0}),
        )
        .await
        .assert_problem(409);
    assert!(p["detail"].as_str().unwrap().contains("approved"));
    let measured = app
        .patch(
            &format!("{targets}/{up_id}"),
            Some(&m),
            Some("\"1\""),
            json!({"actual_value": 50.0, "measured_on": "2020-12-31"}),
        )
        .await;
    assert_eq!(measured.status, 200, "{}", measured.text());
    let measured = measured.json();
    assert_eq!(
        (measured["met"].as_bool(), measured["progress"].as_f64()),
        (Some(false), Some(0.5))
    );
    let met = app
        .patch(
            &format!("{targets}/{down_id}"),
            Some(&m),
            Some("\"1\""),
            json!({"actual_value": 110.5, "measured_on": "2020-12-31"}),
        )
        .await
        .json();
    assert_eq!(
        (met["met"].as_bool(), met["progress"].as_f64()),
        (Some(true), Some(1.0))
    );
    app.patch(
        &format!("{targets}/{down_id}"),
        Some(&m),
        Some("\"2\""),
        json!({"measured_on": null}),
    )
    .await
    .assert_problem(422);
    let plan = app.get(&format!("/api/v1/plans/{pid}"), Some(&m)).await.json();
    assert_eq!(
        plan["progress"],
        json!({"targets": 2, "targets_met": 1, "share_met": 0.5})
    );
    let listed = app
        .get(&targets, Some(&app.token(Role::Viewer, CITY).await))
        .await
        .json();
    assert_eq!(listed["data"].as_array().unwrap().len(), 2);
    app.get(&targets, Some(&app.token(Role::Viewer, TRAN_DANG_NINH).await))
        .await
        .assert_problem(404);
    app.get(&targets, None).await.assert_problem(401);
    let del = TestRequest::delete()
        .uri(&format!("{targets}/{up_id}"))
        .insert_header(("authorization", format!("Bearer {m}")))
        .insert_header(("if-match", "*"));
    app.send(del).await.assert_problem(409);
}

#[actix_web::test]
async fn activities_stay_inside_the_plan_year_and_unit() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, CITY).await;
    let plan = new_plan(&app, &admin, CITY, 2020).await;
    let pid = plan["id"].as_str().unwrap();
    let path = format!("/api/v1/plans/{pid}/activities");
    let ok = app
        .post(&path, Some(&admin), json!({"kind": "communication", "title": "Tháng hành động", "starts_on": "2020-11-15", "ends_on": "2020-12-15", "responsible_unit_id": unit(HA_LONG), "budget_state_vnd": 30000000, "budget_mobilized_vnd": 5000000}))
        .await;
    assert_eq!(ok.status, 201, "{}", ok.text());
    assert_eq!(ok.json()["budget_total_vnd"], 35000000);
    for (body, field) in [
        (
            json!({"kind": "training", "title": "x", "starts_on": "2019-12-31", "ends_on": "2020-01-02"}),
            "starts_on",
        ),
        (
            json!({"kind": "training", "title": "x", "starts_on": "2020-05-02", "ends_on": "2020-05-01"}),
            "ends_on",
        ),
        (
            json!({"kind": "training", "title": "x", "starts_on": "2020-05-01", "ends_on": "2020-05-01", "budget_state_vnd": -1}),
            "budget_state_vnd",
        ),
        (
            json!({"kind": "training", "title": "x", "starts_on": "2020-05-01", "ends_on": "2020-05-01", "responsible_unit_id": unit("province:36")}),
            "responsible_unit_id",
        ),
    ] {
        let p = app.post(&path, Some(&admin), body.clone()).await.assert_problem(422);
        assert_eq!(p["errors"][0]["field"], field, "{body}");
    }
    app.post(
        &path,
        Some(&app.token(Role::Manager, HA_LONG).await),
        json!({"kind": "training", "title": "x", "starts_on": "2020-05-01", "ends_on": "2020-05-01"}),
    )
    .await
    .assert_problem(404);
    let listed = app.get(&path, Some(&admin)).await.json();
    assert_eq!(listed["data"][0]["responsible_unit_id"], unit(HA_LONG).to_string());
    // Once the plan runs, only the status of an activity changes.
    let aid = ok.json()["id"].as_str().unwrap().to_string();
    act(&app, &admin, pid, "submit", json!({})).await;
    act(
        &app,
        &app.token(Role::Admin, "province:36").await,
        pid,
        "approve",
        json!({}),
    )
    .await;
    app.patch(
        &format!("{path}/{aid}"),
        Some(&admin),
        Some("\"1\""),
        json!({"title": "y"}),
    )
    .await
    .assert_problem(409);
    let done = app
        .patch(
            &format!("{path}/{aid}"),
            Some(&admin),
            Some("\"1\""),
            json!({"status": "done"}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text());
    assert_eq!(done.json()["status"], "done");
}

#[actix_web::test]
async fn plans_reach_the_feed_and_the_audit_trail() {
    let app = TestApp::spawn().await;
    let m = app.token(Role::Manager, HA_LONG).await;
    let plan = new_plan(&app, &m, HA_LONG, 2020).await;
    let pid = plan["id"].as_str().unwrap();
    act(&app, &m, pid, "submit", json!({})).await;
    let viewer = app.token(Role::Viewer, HA_LONG).await;
    let (items, _) = feed_until(&app, &viewer, None, |items| {
        items.iter().filter(|i| i["id"] == pid).count() >= 2
    })
    .await;
    let actions: Vec<&str> = items
        .iter()
        .filter(|i| i["id"] == pid)
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["create", "submit"]);
    let audit = app
        .get(
            &format!("/api/v1/audit-events?record_id={pid}"),
            Some(&app.token(Role::Admin, HA_LONG).await),
        )
        .await
        .json();
    assert_eq!(audit["data"][0]["before"]["status"], "draft");
    assert_eq!(audit["data"][0]["after"]["status"], "submitted");
}

#[actix_web::test]
async fn the_demo_seed_holds_the_2020_guidance() {
    let app = TestApp::spawn().await;
    {
        let mut conn = app.conn().await;
        binhdang::seed::seed_demo(&mut conn, &app.state.data_key).await.unwrap();
    }
    let ward = app.token(Role::Viewer, HA_LONG).await;
    let plans = app.get("/api/v1/plans", Some(&ward)).await.json();
    let data = plans["data"].as_array().unwrap();
    assert_eq!(data.len(), 2, "the city plan and the ward's own draft");
    let city = data.iter().find(|p| p["unit_id"] == unit(CITY).to_string()).unwrap();
    assert_eq!(city["status"], "approved");
    assert_eq!(city["document_ids"].as_array().unwrap().len(), 5);
    let ward_plan = data.iter().find(|p| p["unit_id"] == unit(HA_LONG).to_string()).unwrap();
    assert_eq!(
        (ward_plan["status"].as_str(), ward_plan["parent_plan_id"].as_str()),
        (Some("draft"), city["id"].as_str())
    );
    let acts = app
        .get(
            &format!("/api/v1/plans/{}/activities", city["id"].as_str().unwrap()),
            Some(&ward),
        )
        .await
        .json();
    let kinds: Vec<&str> = acts["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec!["support_service", "training", "inspection", "communication"]
    );
    let history = app
        .get(
            &format!("/api/v1/plans/{}/history", city["id"].as_str().unwrap()),
            Some(&ward),
        )
        .await
        .json();
    assert_eq!(history.as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn only_drafts_are_deleted() {
    let app = TestApp::spawn().await;
    let manager = app.token(Role::Manager, HA_LONG).await;
    let del = |id: &str, token: &str, m: &'static str| {
        TestRequest::delete()
            .uri(&format!("/api/v1/plans/{id}"))
            .insert_header(("authorization", format!("Bearer {token}")))
            .insert_header(("if-match", m))
    };
    let submitted = plan_in(&app, "submitted").await;
    app.send(del(&submitted, &manager, "*")).await.assert_problem(409);
    let draft = plan_in(&app, "draft").await;
    app.send(del(&draft, &app.token(Role::Manager, TRAN_DANG_NINH).await, "*"))
        .await
        .assert_problem(404);
    app.send(del(&draft, &app.token(Role::Officer, HA_LONG).await, "*"))
        .await
        .assert_problem(403);
    app.send(del(&draft, &manager, "\"9\"")).await.assert_problem(412);
    assert_eq!(app.send(del(&draft, &manager, "\"1\"")).await.status, 204);
    app.get(&format!("/api/v1/plans/{draft}"), Some(&manager))
        .await
        .assert_problem(404);
}

#[actix_web::test]
async fn activity_results_are_scoped() {
    let app = TestApp::spawn().await;
    let m = app.token(Role::Manager, HA_LONG).await;
    let plan = new_plan(&app, &m, HA_LONG, 2020).await;
    let pid = plan["id"].as_str().unwrap();
    let a = app
        .post(
            &format!("/api/v1/plans/{pid}/activities"),
            Some(&m),
            json!({"kind": "training", "title": "Tập huấn", "starts_on": "2020-05-01", "ends_on": "2020-05-02"}),
        )
        .await
        .json();
    let path = format!("/api/v1/plans/{pid}/activities/{}/results", a["id"].as_str().unwrap());
    let empty = app.get(&path, Some(&m)).await.json();
    assert_eq!(empty["totals"]["trainings"], 0);
    app.get(&path, Some(&app.token(Role::Viewer, TRAN_DANG_NINH).await))
        .await
        .assert_problem(404);
    app.get(
        &format!("/api/v1/plans/{pid}/activities/{}/results", Uuid::new_v4()),
        Some(&m),
    )
    .await
    .assert_problem(404);
    app.get(&path, None).await.assert_problem(401);
}

/// A plan list page is written straight from its rows (not by serde, as one plan is): every
/// item of every page, in each sort, is exactly the plan read alone (citations, progress with
/// its fraction, text that needs escaping), and the cursors walk them all.
#[actix_web::test]
async fn a_plan_list_item_is_exactly_the_plan_read_alone() {
    let app = TestApp::spawn().await;
    let m = app.token(Role::Manager, HA_LONG).await;
    let approver = app.token(Role::Manager, CITY).await;
    let full = json!({
        "unit_id": unit(HA_LONG), "year": 2021, "kind": "yearly",
        "title": "Kế hoạch \"BĐG\"\n\\ 2021\t</script> \u{1F4CB}", "summary": "Tóm tắt: \"một\"\r\nhai",
        "areas": ["family", "politics", "health"],
        "document_ids": [doc("law-73-2006"), doc("kh-35-bvstbpn")]
    });
    let bare = json!({"unit_id": unit(HA_LONG), "year": 2021, "kind": "thematic", "title": "B"});
    let measured = json!({"unit_id": unit(HA_LONG), "year": 2022, "kind": "yearly", "title": "C"});
    let unmeasured = json!({"unit_id": unit(HA_LONG), "year": 2020, "kind": "action_month", "title": "D"});
    let mut ids = Vec::new();
    for body in [full, bare, measured, unmeasured] {
        let res = app.post("/api/v1/plans", Some(&m), body).await;
        assert_eq!(res.status, 201, "{}", res.text());
        ids.push(res.json()["id"].as_str().unwrap().to_string());
    }
    // Three targets, one of them met (a third), and one target not measured (none of one).
    let targets = format!("/api/v1/plans/{}/targets", ids[2]);
    let mut target_ids = Vec::new();
    for (baseline, goal) in [(40.0, 60.0), (10.0, 20.0), (1.0, 2.0)] {
        let res = app
            .post(
                &targets,
                Some(&m),
                json!({"indicator": "Chỉ tiêu", "unit_of_measure": "%", "baseline": baseline, "target_value": goal}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
        target_ids.push(res.json()["id"].as_str().unwrap().to_string());
    }
    let res = app
        .post(
            &format!("/api/v1/plans/{}/targets", ids[3]),
            Some(&m),
            json!({"indicator": "Chỉ tiêu", "unit_of_measure": "%", "target_value": 5.0}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(act(&app, &m, &ids[2], "submit", json!({})).await.status, 200);
    assert_eq!(act(&app, &approver, &ids[2], "approve", json!({})).await.status, 200);
    let res = app
        .patch(
            &format!("{targets}/{}", target_ids[0]),
            Some(&m),
            Some("\"1\""),
            json!({"actual_value": 70.0, "measured_on": "2022-12-31"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let progress = app.get(&format!("/api/v1/plans/{}", ids[2]), Some(&m)).await.json()["progress"].clone();
    assert_eq!(progress["targets_met"], 1, "{progress}");
    let sorts = ["year", "-year", "title", "-title", "updated_at", "-updated_at"];
    let query = format!("limit=2&unit_id={}", unit(HA_LONG));
    app.assert_list_items_are_the_records("/api/v1/plans", &query, &sorts, Some(&m), 4)
        .await;
}

/// A document list page is written straight from its rows (not by serde, as one document is):
/// every item of every page, in each sort, is exactly the document read alone.
#[actix_web::test]
async fn a_document_list_item_is_exactly_the_document_read_alone() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, HA_LONG).await;
    let issuer = "UBND phường Hạ Long";
    for body in [
        json!({"kind": "plan", "number": "12/KH-UBND", "issuer": issuer, "issued_on": "2021-02-05",
               "effective_on": "2021-02-06", "url": "https://example.org/kh?a=1&b=\"2\"",
               "title": "Kế hoạch \"bình đẳng giới\"\n\\ năm 2021\t</script> \u{1F4C4}"}),
        json!({"kind": "decision", "number": "3/QĐ-UBND", "issuer": issuer, "issued_on": "2020-11-10", "title": "B"}),
        json!({"kind": "instruction", "number": "7/CV-UBND", "issuer": issuer, "issued_on": "2020-11-10", "title": "C"}),
        json!({"kind": "guidance", "number": "1/HD-UBND", "issuer": issuer, "issued_on": "2019-01-02", "title": "D"}),
    ] {
        let mut body = body;
        body["unit_id"] = json!(unit(HA_LONG));
        let res = app.post("/api/v1/documents", Some(&admin), body).await;
        assert_eq!(res.status, 201, "{}", res.text());
    }
    let sorts = [
        "issued_on",
        "-issued_on",
        "number",
        "-number",
        "updated_at",
        "-updated_at",
    ];
    let query = format!("limit=2&unit_id={}", unit(HA_LONG));
    app.assert_list_items_are_the_records("/api/v1/documents", &query, &sorts, Some(&admin), 4)
        .await;
}
