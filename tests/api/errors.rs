//! Everything the service answers with an error is a problem document, including what the
//! framework produces on its own.

use actix_web::http::Method;
use actix_web::test::TestRequest;
use binhdang::auth::Role;
use serde_json::{json, Value};

use crate::harness::*;

#[actix_web::test]
async fn unknown_routes_and_wrong_methods() {
    let app = TestApp::spawn().await;
    let p = app.get("/api/v1/nothing-here", None).await.assert_problem(404);
    assert_eq!(p["type"], "/problems/not-found");
    app.call(Method::DELETE, "/api/v1/units", None, None)
        .await
        .assert_problem(405);
    app.call(Method::PUT, "/api/v1/auth/login", None, None)
        .await
        .assert_problem(405);
}

#[actix_web::test]
async fn malformed_json_wrong_type_and_oversized_bodies() {
    let app = TestApp::spawn().await;
    let raw = |body: &'static str, ct: &'static str| {
        TestRequest::post()
            .uri("/api/v1/auth/login")
            .insert_header(("content-type", ct))
            .set_payload(body)
    };
    app.send(raw("{not json", "application/json")).await.assert_problem(400);
    app.send(raw("username=a&password=b", "application/x-www-form-urlencoded"))
        .await
        .assert_problem(415);
    let p = app
        .send(raw("{\"username\": 5, \"password\": \"x\"}", "application/json"))
        .await
        .assert_problem(422);
    // A form can point at the field: its JSON path, a code, a message.
    assert_eq!(
        (p["errors"][0]["field"].as_str(), p["errors"][0]["code"].as_str()),
        (Some("username"), Some("wrong_type"))
    );
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("invalid type"));
    // A nested path, a missing field, an unknown field, a malformed date.
    let token = app.token(Role::Officer, HA_LONG).await;
    let training = |body: Value| {
        TestRequest::post()
            .uri("/api/v1/trainings")
            .insert_header(("authorization", format!("Bearer {token}")))
            .insert_header(("accept-language", "vi"))
            .set_json(body)
    };
    for (body, field, code) in [
        (
            json!({"title": "x", "starts_on": "2020-11-20", "ends_on": "2020-11-21", "participants": {"female": "many"}}),
            "participants.female",
            "wrong_type",
        ),
        (
            json!({"starts_on": "2020-11-20", "ends_on": "2020-11-21"}),
            "title",
            "required",
        ),
        (
            json!({"title": "x", "starts_on": "2020-11-20", "ends_on": "2020-11-21", "colour": "red"}),
            "colour",
            "unknown_field",
        ),
        (
            json!({"title": "x", "starts_on": "2020-02-30", "ends_on": "2020-11-21"}),
            "starts_on",
            "invalid",
        ),
        (
            json!({"title": "x", "starts_on": "2020-11-2", "ends_on": "2020-11-21"}),
            "starts_on",
            "invalid",
        ),
        (
            json!({"title": "x", "starts_on": "2020-11-20", "ends_on": "2020-11-21", "topics": ["weather"]}),
            "topics[0]",
            "unknown_value",
        ),
    ] {
        let p = app.send(training(body.clone())).await.assert_problem(422);
        assert_eq!(
            (p["errors"][0]["field"].as_str(), p["errors"][0]["code"].as_str()),
            (Some(field), Some(code)),
            "{body}"
        );
        assert!(
            p["errors"][0]["message"]
                .as_str()
                .unwrap()
                .starts_with("giá trị không đúng"),
            "{p}"
        );
    }
    let big = format!("{{\"username\": \"{}\", \"password\": \"x\"}}", "a".repeat(100 * 1024));
    let req = TestRequest::post()
        .uri("/api/v1/auth/login")
        .insert_header(("content-type", "application/json"))
        .set_payload(big);
    app.send(req).await.assert_problem(413);
}

/// A bad query parameter is named, whatever its kind; dates are strict; `from` after `to` on a
/// list is 422 as on the report; the title says what went wrong, in the caller's language.
#[actix_web::test]
async fn query_parameters_are_named_and_dates_strict() {
    let app = TestApp::spawn().await;
    let token = app.token(Role::Admin, CITY).await;
    for (query, field) in [
        ("/api/v1/trainings?from=2024-1-5", "from"),
        ("/api/v1/trainings?to=%202024-01-05", "to"),
        ("/api/v1/trainings?in_action_month=perhaps", "in_action_month"),
        ("/api/v1/trainings?unit_id=13633", "unit_id"),
        ("/api/v1/trainings?topic=weather", "topic"),
        ("/api/v1/trainings?limit=ten", "limit"),
        ("/api/v1/trainings?from=2024-12-31&to=2024-01-01", "to"),
        ("/api/v1/outreach?from=2024-12-31&to=2024-01-01", "to"),
        ("/api/v1/petitions?from=2024-12-31&to=2024-01-01", "to"),
        ("/api/v1/violations?from=2024-12-31&to=2024-01-01", "to"),
        (
            "/api/v1/audit-events?from=2024-12-31T00:00:00Z&to=2024-01-01T00:00:00Z",
            "to",
        ),
        ("/api/v1/reports/summary?from=2024-12-31&to=2024-01-01", "to"),
        ("/api/v1/trainings/export?format=pdf", "format"),
    ] {
        let req = TestRequest::get()
            .uri(query)
            .insert_header(("authorization", format!("Bearer {token}")))
            .insert_header(("accept-language", "vi"));
        let p = app.send(req).await.assert_invalid(field);
        assert_eq!(p["title"], "Yêu cầu có trường không hợp lệ", "{query}");
        assert!(!p["detail"].as_str().unwrap().contains("deserialize"), "{query}: {p}");
    }
    let ok = app
        .get("/api/v1/trainings?from=2024-01-01&to=2024-01-01", Some(&token))
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
}

#[actix_web::test]
async fn errors_speak_vietnamese_when_asked() {
    let app = TestApp::spawn().await;
    let req = TestRequest::get()
        .uri("/api/v1/units")
        .insert_header(("accept-language", "vi-VN,vi;q=0.9,en;q=0.5"));
    let p = app.send(req).await.assert_problem(401);
    assert_eq!(p["title"], "Cần đăng nhập");
    let token = app.token(Role::Admin, HA_LONG).await;
    let req = TestRequest::post()
        .uri("/api/v1/units")
        .insert_header(("accept-language", "vi"))
        .insert_header(("authorization", format!("Bearer {token}")))
        .set_json(json!({"parent_id": unit(HA_LONG), "kind": "ward", "name": ""}));
    let p = app.send(req).await.assert_problem(422);
    assert_eq!(p["errors"][0]["message"], "phải dài từ 1 đến 200 ký tự");
    let req = TestRequest::get()
        .uri("/api/v1/units")
        .insert_header(("accept-language", "en;q=0.9,vi;q=0.1"));
    assert_eq!(
        app.send(req).await.assert_problem(401)["title"],
        "Authentication required"
    );
}

#[actix_web::test]
async fn every_response_carries_a_request_id_and_problems_repeat_it() {
    let app = TestApp::spawn().await;
    let req = TestRequest::get()
        .uri("/api/v1/units")
        .insert_header(("x-request-id", "mobile-42"));
    let res = app.send(req).await;
    assert_eq!(res.header("x-request-id"), Some("mobile-42"));
    assert_eq!(res.json()["request_id"], "mobile-42");
    let res = app.get("/health/live", None).await;
    assert_eq!(res.header("x-request-id").map(|v| v.len()), Some(36));
}

#[actix_web::test]
async fn cors_allows_only_configured_origins() {
    let app = TestApp::spawn().await;
    let pre = |origin: &'static str| {
        TestRequest::default()
            .method(Method::OPTIONS)
            .uri("/api/v1/units")
            .insert_header(("origin", origin))
            .insert_header(("access-control-request-method", "GET"))
    };
    let ok = app.send(pre("https://partner.example")).await;
    assert_eq!(ok.status, 200);
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("https://partner.example")
    );
    let no = app.send(pre("https://evil.example")).await;
    assert!(no.header("access-control-allow-origin").is_none());
    assert!(no.status.is_client_error());
    // An allowed page's script may read the headers the API answers with, the request id too.
    let res = app
        .send(
            TestRequest::get()
                .uri("/health/live")
                .insert_header(("origin", "https://partner.example")),
        )
        .await;
    let exposed = res
        .header("access-control-expose-headers")
        .unwrap_or_default()
        .to_string();
    for name in [
        "etag",
        "location",
        "retry-after",
        "x-request-id",
        "idempotent-replayed",
        "content-disposition",
    ] {
        assert!(exposed.split(", ").any(|h| h == name), "{name} in {exposed}");
    }
}

/// Text with a NUL character, a day PostgreSQL cannot store, a hand-made cursor: each a 422
/// naming the field, never a 500. Every API answer says `Cache-Control: no-store`.
#[actix_web::test]
async fn inputs_the_database_would_refuse_are_422() {
    let app = TestApp::spawn().await;
    let token = app.token(Role::Officer, HA_LONG).await;
    let nul = app
        .post(
            "/api/v1/trainings",
            Some(&token),
            json!({"title": "a\u{0}b", "starts_on": "2020-11-20", "ends_on": "2020-11-21"}),
        )
        .await;
    nul.assert_invalid("title");
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "a\u{0}", "password": "x"}),
        )
        .await;
    login.assert_invalid("username");
    for (query, field) in [
        ("/api/v1/trainings?q=a%00b", "q"),
        ("/api/v1/trainings?from=0000-01-01", "from"),
        ("/api/v1/outreach?to=1899-12-31", "to"),
        ("/api/v1/reports/summary?year=-5000", "year"),
        ("/api/v1/holidays?year=-99999", "year"),
    ] {
        app.get(query, Some(&token)).await.assert_invalid(field);
    }
    // A cursor of the right shape whose value is not a day of the sort's column.
    let forged = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        br#"{"s":"starts_on","v":"not-a-date","i":"0190a000-0000-7000-8000-000000000001"}"#,
    );
    app.get(&format!("/api/v1/trainings?cursor={forged}"), Some(&token))
        .await
        .assert_invalid("cursor");
    let page = app.get("/api/v1/trainings", Some(&token)).await;
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let problem = app.get("/api/v1/trainings", None).await;
    assert_eq!(problem.header("cache-control"), Some("no-store"));
}
