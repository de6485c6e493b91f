//! The GBV support-services directory: public to read without a token, but never a shelter's
//! or a trusted address's location; kept by the serving unit's managers and admins.

use binhdang::auth::Role;
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

fn by_kind<'a>(page: &'a Value, kind: &str) -> &'a Value {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind}: {page}"))
}

#[actix_web::test]
async fn the_public_reads_the_directory_but_never_where_a_shelter_is() {
    let app = demo().await;
    let public = app.get("/api/v1/support-services", None).await;
    assert_eq!(public.status, 200, "{}", public.text());
    let public = public.json();
    assert_eq!(public["data"].as_array().unwrap().len(), 5);
    for kind in ["shelter", "trusted_address"] {
        let s = by_kind(&public, kind);
        assert_eq!(s["address"], Value::Null, "{s}");
        assert_eq!(s["location_withheld"], true);
        assert!(s["phone"].is_string(), "the phone stays: it is how help is reached");
    }
    let health = by_kind(&public, "health_facility");
    assert!(health["address"].is_string());
    assert_eq!(health["location_withheld"], false);
    assert_eq!(health["phone_invented"], true, "made-up numbers say so");
    assert_eq!(by_kind(&public, "hotline")["phone"], "111");
    assert_eq!(by_kind(&public, "hotline")["phone_invented"], false);
    // One service alone: the same rule.
    let shelter = by_kind(&public, "shelter")["id"].as_str().unwrap().to_string();
    let one = app
        .get(&format!("/api/v1/support-services/{shelter}"), None)
        .await
        .json();
    assert_eq!(one["address"], Value::Null);
    // Searching cannot find a shelter by where it is: the search covers names only.
    let found = app.get("/api/v1/support-services?q=so%201", None).await.json();
    assert!(found["data"].as_array().unwrap().is_empty(), "{found}");
    let found = app.get("/api/v1/support-services?q=tram%20y%20te", None).await.json();
    assert_eq!(
        found["data"].as_array().unwrap().len(),
        1,
        "no diacritics needed: {found}"
    );
    // A unit and its subtree; a kind.
    let ward = app
        .get(&format!("/api/v1/support-services?unit_id={}", unit(HA_LONG)), None)
        .await
        .json();
    assert_eq!(ward["data"].as_array().unwrap().len(), 3);
    let hotlines = app.get("/api/v1/support-services?kind=hotline", None).await.json();
    assert_eq!(hotlines["data"].as_array().unwrap().len(), 1);
    app.get("/api/v1/support-services?kind=weather", None)
        .await
        .assert_invalid("kind");
    app.get(
        &format!("/api/v1/support-services?unit_id={}", uuid::Uuid::new_v4()),
        None,
    )
    .await
    .assert_invalid("unit_id");
    // A token that is not live is refused, not read as the public.
    app.get("/api/v1/support-services", Some("not-a-token"))
        .await
        .assert_problem(401);
    // Signed in, every address shows.
    let officer = app.token(Role::Officer, TRAN_DANG_NINH).await;
    let signed = app.get("/api/v1/support-services", Some(&officer)).await.json();
    let s = by_kind(&signed, "shelter");
    assert!(s["address"].is_string() && s["location_withheld"] == false, "{s}");
}

#[actix_web::test]
async fn the_serving_units_managers_keep_it() {
    let app = demo().await;
    let body = json!({"kind": "counselling", "name": "Tư vấn - Hội Phụ nữ phường Hạ Long", "unit_id": unit(HA_LONG),
                      "phone": "0228 000 0009", "phone_invented": true, "services": ["tư vấn tâm lý"], "eligible": "women"});
    app.post("/api/v1/support-services", None, body.clone())
        .await
        .assert_problem(401);
    app.post(
        "/api/v1/support-services",
        Some(&app.token(Role::Officer, HA_LONG).await),
        body.clone(),
    )
    .await
    .assert_problem(403);
    app.post(
        "/api/v1/support-services",
        Some(&app.token(Role::Manager, TRAN_DANG_NINH).await),
        body.clone(),
    )
    .await
    .assert_invalid("unit_id");
    let mut bad = body.clone();
    bad["name"] = json!("");
    app.post(
        "/api/v1/support-services",
        Some(&app.token(Role::Manager, HA_LONG).await),
        bad,
    )
    .await
    .assert_invalid("name");
    let manager = app.token(Role::Manager, HA_LONG).await;
    let res = app.post("/api/v1/support-services", Some(&manager), body).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let path = format!("/api/v1/support-services/{}", res.json()["id"].as_str().unwrap());
    // Another ward's manager reads it (it is public) but may not change it.
    app.patch(
        &path,
        Some(&app.token(Role::Manager, TRAN_DANG_NINH).await),
        Some("\"1\""),
        json!({"active": false}),
    )
    .await
    .assert_problem(403);
    app.patch(
        &path,
        Some(&app.token(Role::Admin, CITY).await),
        Some("\"1\""),
        json!({"phone": ""}),
    )
    .await
    .assert_invalid("phone");
    let res = app
        .patch(
            &path,
            Some(&app.token(Role::Admin, CITY).await),
            Some("\"1\""),
            json!({"active": false}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    // Off the public screen; still there for signed-in users.
    app.get(&path, None).await.assert_problem(404);
    let public = app.get("/api/v1/support-services?kind=counselling", None).await.json();
    assert!(public["data"].as_array().unwrap().is_empty());
    assert_eq!(app.get(&path, Some(&manager)).await.json()["active"], false);
    // Removed: gone for everyone.
    let del = actix_web::test::TestRequest::delete()
        .uri(&path)
        .insert_header(("authorization", format!("Bearer {manager}")))
        .insert_header(("if-match", "\"2\""));
    assert_eq!(app.send(del).await.status, 204);
    app.get(&path, Some(&manager)).await.assert_problem(404);
}

/// A directory page is written straight from its rows (not by serde, as one service is): every
/// item of every page, in each sort, with a token and without one (a shelter's address
/// withheld), is exactly the service read alone.
#[actix_web::test]
async fn a_listed_service_is_exactly_the_service_read_alone() {
    let app = demo().await;
    let manager = app.token(Role::Manager, HA_LONG).await;
    let body = json!({
        "unit_id": unit(HA_LONG), "kind": "counselling",
        "name": "Tư vấn \"an toàn\"\n\\ 24/7\t</script> \u{1F4DE}", "phone": "0228 000 0010", "phone_invented": true,
        "services": ["tư vấn \"tâm lý\"", "pháp lý\\hỗ trợ"], "eligible": "women"
    });
    let res = app.post("/api/v1/support-services", Some(&manager), body).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let sorts = ["name", "-name", "updated_at", "-updated_at"];
    let viewer = app.token(Role::Viewer, CITY).await;
    for token in [None, Some(viewer.as_str())] {
        app.assert_list_items_are_the_records("/api/v1/support-services", "limit=2", &sorts, token, 6)
            .await;
    }
}
