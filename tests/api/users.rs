//! Accounts in the API: admins manage their subtree's users, users change their own password,
//! and a deactivation, a new role or unit, a reset or a sign-out everywhere stops the user's
//! tokens within seconds.

use std::time::{Duration, Instant};

use actix_web::http::Method;
use binhdang::auth::Role;
use serde_json::{json, Value};

use crate::harness::*;

async fn login(app: &TestApp, username: &str, password: &str) -> TestResponse {
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"username": username, "password": password}),
    )
    .await
}

async fn sign_in(app: &TestApp, username: &str, password: &str) -> String {
    let res = login(app, username, password).await;
    assert_eq!(res.status, 200, "{username}: {}", res.text());
    res.json()["access_token"].as_str().unwrap().to_string()
}

/// Polls until `token` gets 401, and answers how long that took.
async fn refused_within(app: &TestApp, token: &str, bound: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let res = app.get("/api/v1/auth/me", Some(token)).await;
        if res.status == 401 {
            return start.elapsed();
        }
        assert_eq!(res.status, 200, "{}", res.text());
        assert!(start.elapsed() < bound, "the token still works after {bound:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn create(app: &TestApp, admin: &str, body: Value) -> TestResponse {
    app.post("/api/v1/users", Some(admin), body).await
}

#[actix_web::test]
async fn an_admin_adds_a_ward_officer_who_must_change_the_temporary_password() {
    let app = TestApp::spawn().await;
    app.user("city.admin", "city admin passphrase", Role::Admin, CITY).await;
    let admin = sign_in(&app, "city.admin", "city admin passphrase").await;
    let body =
        json!({"username": "lan.tran", "display_name": "Trần Thị Lan", "unit_id": unit(HA_LONG), "role": "officer"});
    let res = app
        .send(
            actix_web::test::TestRequest::post()
                .uri("/api/v1/users")
                .insert_header(("authorization", format!("Bearer {admin}")))
                .insert_header(("idempotency-key", "add-lan"))
                .set_json(&body),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let created = res.json();
    let temporary = created["temporary_password"].as_str().unwrap().to_string();
    assert!(temporary.len() >= 16);
    assert_eq!(created["must_change_password"], true);
    assert_eq!(created["role"], "officer");
    assert!(created.get("password_hash").is_none());
    // A retry replays the answer, never the password.
    let replay = app
        .send(
            actix_web::test::TestRequest::post()
                .uri("/api/v1/users")
                .insert_header(("authorization", format!("Bearer {admin}")))
                .insert_header(("idempotency-key", "add-lan"))
                .set_json(&body),
        )
        .await;
    assert_eq!(replay.status, 201);
    assert_eq!(replay.json()["id"], created["id"]);
    assert_eq!(replay.json()["temporary_password"], Value::Null);
    // The same username again is a conflict naming it.
    let again = create(
        &app,
        &admin,
        json!({"username": "lan.tran", "unit_id": unit(HA_LONG), "role": "viewer"}),
    )
    .await;
    let p = again.assert_problem(409);
    assert!(p["detail"].as_str().unwrap().contains("username"), "{p}");

    // The temporary password signs in to a token that may only change it.
    let restricted = sign_in(&app, "lan.tran", &temporary).await;
    let p = app.get("/api/v1/plans", Some(&restricted)).await.assert_problem(403);
    assert!(p["detail"].as_str().unwrap().contains("/auth/password"), "{p}");
    assert_eq!(app.get("/api/v1/auth/me", Some(&restricted)).await.status, 200);
    let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    app.post(
        "/api/v1/auth/password",
        Some(&restricted),
        change("not-it", "a fine new passphrase"),
    )
    .await
    .assert_invalid("current_password");
    for weak in ["12345678", "password1", "lan.tran1", "short"] {
        app.post("/api/v1/auth/password", Some(&restricted), change(&temporary, weak))
            .await
            .assert_invalid("new_password");
    }
    let res = app
        .post(
            "/api/v1/auth/password",
            Some(&restricted),
            change(&temporary, "ward seven field notes"),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let fresh = res.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(app.get("/api/v1/plans", Some(&fresh)).await.status, 200);
    // The temporary password is gone, and so is the session it opened.
    login(&app, "lan.tran", &temporary).await.assert_problem(401);
    refused_within(&app, &restricted, Duration::from_secs(5)).await;
    assert!(!sign_in(&app, "lan.tran", "ward seven field notes").await.is_empty());

    // The audit trail has the creation and the change, never a password or hash.
    let audit = app
        .get(
            &format!("/api/v1/audit-events?record_id={}", created["id"].as_str().unwrap()),
            Some(&admin),
        )
        .await;
    assert_eq!(audit.status, 200, "{}", audit.text());
    let text = audit.text();
    assert!(
        text.contains("\"create\"") && text.contains("change_password"),
        "{text}"
    );
    assert!(!text.contains(&temporary) && !text.contains("argon2"), "{text}");
}

#[actix_web::test]
async fn admins_manage_only_their_subtree() {
    let app = TestApp::spawn().await;
    app.user("halong.boss", "ha long admin words", Role::Admin, HA_LONG)
        .await;
    app.user("city.admin", "city admin passphrase", Role::Admin, CITY).await;
    let city_officer = app
        .user("city.officer", "city officer words", Role::Officer, CITY)
        .await;
    let ward = sign_in(&app, "halong.boss", "ha long admin words").await;
    let city = sign_in(&app, "city.admin", "city admin passphrase").await;

    // No token, not an admin, bad input.
    app.get("/api/v1/users", None).await.assert_problem(401);
    let officer = app.token(Role::Officer, HA_LONG).await;
    app.get("/api/v1/users", Some(&officer)).await.assert_problem(403);
    create(
        &app,
        &officer,
        json!({"username": "x.y.z", "unit_id": unit(HA_LONG), "role": "viewer"}),
    )
    .await
    .assert_problem(403);
    create(
        &app,
        &ward,
        json!({"username": "Bad Name", "unit_id": unit(HA_LONG), "role": "viewer"}),
    )
    .await
    .assert_invalid("username");
    create(
        &app,
        &ward,
        json!({"username": "p.one", "unit_id": unit(HA_LONG), "role": "partner"}),
    )
    .await
    .assert_invalid("role");
    // A unit outside the ward admin's subtree, or above it.
    for outside in [TRAN_DANG_NINH, CITY] {
        create(
            &app,
            &ward,
            json!({"username": "o.one", "unit_id": unit(outside), "role": "viewer"}),
        )
        .await
        .assert_invalid("unit_id");
    }

    // The city admin sees the ward's users; the ward admin does not see the city's.
    let all = app.get("/api/v1/users?limit=100", Some(&city)).await.json();
    let names: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"halong.boss") && names.contains(&"city.officer"),
        "{names:?}"
    );
    let mine = app.get("/api/v1/users?limit=100", Some(&ward)).await.json();
    let names: Vec<&str> = mine["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["halong.boss"]);
    app.get(&format!("/api/v1/users/{city_officer}"), Some(&ward))
        .await
        .assert_problem(404);
    app.patch(
        &format!("/api/v1/users/{city_officer}"),
        Some(&ward),
        Some("\"1\""),
        json!({"active": false}),
    )
    .await
    .assert_problem(404);
    app.send(
        actix_web::test::TestRequest::post()
            .uri(&format!("/api/v1/users/{city_officer}/password-reset"))
            .insert_header(("authorization", format!("Bearer {ward}")))
            .insert_header(("if-match", "\"1\"")),
    )
    .await
    .assert_problem(404);
    // Filters and search.
    let found = app
        .get("/api/v1/users?q=OFFICER&role=officer", Some(&city))
        .await
        .json();
    assert_eq!(found["data"].as_array().unwrap().len(), 1, "{found}");
    app.get("/api/v1/users?role=chief", Some(&city))
        .await
        .assert_invalid("role");
    // Moving the city's officer into the ward is the city admin's to do; into another
    // province's unit, nobody's here.
    let res = app
        .patch(
            &format!("/api/v1/users/{city_officer}"),
            Some(&city),
            Some("\"1\""),
            json!({"unit_id": unit(COUNTRY)}),
        )
        .await;
    res.assert_invalid("unit_id");
    let res = app
        .patch(
            &format!("/api/v1/users/{city_officer}"),
            Some(&city),
            Some("\"1\""),
            json!({"unit_id": unit(HA_LONG)}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["version"], 2);
    // A stale version is 412 with the current account.
    let res = app
        .patch(
            &format!("/api/v1/users/{city_officer}"),
            Some(&city),
            Some("\"1\""),
            json!({"display_name": "X"}),
        )
        .await;
    assert_eq!(res.assert_problem(412)["current"]["version"], 2);
}

#[actix_web::test]
async fn deactivation_a_new_role_a_reset_and_logout_everywhere_stop_tokens_within_seconds() {
    let app = TestApp::spawn().await;
    app.user("city.admin", "city admin passphrase", Role::Admin, CITY).await;
    let id = app
        .user("ward.officer", "ward officer words", Role::Officer, HA_LONG)
        .await;
    let admin = sign_in(&app, "city.admin", "city admin passphrase").await;
    let path = format!("/api/v1/users/{id}");

    let token = sign_in(&app, "ward.officer", "ward officer words").await;
    let res = app
        .patch(&path, Some(&admin), Some("\"1\""), json!({"role": "viewer"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let took = refused_within(&app, &token, Duration::from_secs(5)).await;
    eprintln!("a new role stopped the token in {took:?}");

    let token = sign_in(&app, "ward.officer", "ward officer words").await;
    let me = app.get("/api/v1/auth/me", Some(&token)).await.json();
    assert_eq!(me["role"], "viewer");
    let res = app
        .post(&format!("{path}/password-reset"), Some(&admin), json!({}))
        .await;
    res.assert_problem(428);
    let res = app
        .send(
            actix_web::test::TestRequest::post()
                .uri(&format!("{path}/password-reset"))
                .insert_header(("authorization", format!("Bearer {admin}")))
                .insert_header(("if-match", "\"2\"")),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let temporary = res.json()["temporary_password"].as_str().unwrap().to_string();
    refused_within(&app, &token, Duration::from_secs(5)).await;
    login(&app, "ward.officer", "ward officer words")
        .await
        .assert_problem(401);
    let restricted = sign_in(&app, "ward.officer", &temporary).await;
    let res = app
        .post(
            "/api/v1/auth/password",
            Some(&restricted),
            json!({"current_password": temporary, "new_password": "ward officer words again"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());

    // Sign out everywhere: the access token stops too.
    let token = sign_in(&app, "ward.officer", "ward officer words again").await;
    let other = sign_in(&app, "ward.officer", "ward officer words again").await;
    let res = app.call(Method::POST, "/api/v1/auth/logout", Some(&token), None).await;
    assert_eq!(res.status, 204);
    refused_within(&app, &other, Duration::from_secs(5)).await;

    // Deactivation: no token works, no sign-in.
    let token = sign_in(&app, "ward.officer", "ward officer words again").await;
    let version = app.get(&path, Some(&admin)).await.json()["version"].as_i64().unwrap();
    let res = app
        .patch(
            &path,
            Some(&admin),
            Some(&format!("\"{version}\"")),
            json!({"active": false}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["active"], false);
    refused_within(&app, &token, Duration::from_secs(5)).await;
    login(&app, "ward.officer", "ward officer words again")
        .await
        .assert_problem(401);
}

/// An operator's SQL counts as well (the database grows the epoch), and an instance whose
/// revocation set is not current asks the database: it never trusts a stale set.
#[actix_web::test]
async fn an_instance_without_a_current_revocation_set_asks_the_database() {
    let app = TestApp::spawn_without_revocation_listener().await;
    app.user("ward.officer", "ward officer words", Role::Officer, HA_LONG)
        .await;
    let token = sign_in(&app, "ward.officer", "ward officer words").await;
    assert_eq!(app.get("/api/v1/plans", Some(&token)).await.status, 200);
    let mut conn = app.conn().await;
    exec(
        &mut conn,
        "UPDATE users SET active = false WHERE username = 'ward.officer'",
    )
    .await
    .unwrap();
    app.get("/api/v1/plans", Some(&token)).await.assert_problem(401);
    // A token for a user that does not exist is refused as well.
    let ghost = app.token(Role::Officer, HA_LONG).await;
    app.get("/api/v1/plans", Some(&ghost)).await.assert_problem(401);
}

#[actix_web::test]
async fn the_last_admin_of_a_unit_cannot_lock_itself_out() {
    let app = TestApp::spawn().await;
    let me = app
        .user("halong.boss", "ha long admin words", Role::Admin, HA_LONG)
        .await;
    let token = sign_in(&app, "halong.boss", "ha long admin words").await;
    let path = format!("/api/v1/users/{me}");
    // Nor reset its own password (it changes it at /auth/password).
    let res = app
        .send(
            actix_web::test::TestRequest::post()
                .uri(&format!("{path}/password-reset"))
                .insert_header(("authorization", format!("Bearer {token}")))
                .insert_header(("if-match", "\"1\"")),
        )
        .await;
    res.assert_problem(409);
    for change in [json!({"active": false}), json!({"role": "viewer"})] {
        let p = app
            .patch(&path, Some(&token), Some("\"1\""), change)
            .await
            .assert_problem(409);
        assert!(p["detail"].as_str().unwrap().contains("last active admin"), "{p}");
    }
    // With a second admin, it may step down.
    app.user("halong.deputy", "deputy admin words", Role::Admin, HA_LONG)
        .await;
    let res = app
        .patch(&path, Some(&token), Some("\"1\""), json!({"role": "manager"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    refused_within(&app, &token, Duration::from_secs(5)).await;
}

#[actix_web::test]
async fn parallel_wrong_passwords_get_at_most_the_limit_checked() {
    let app = TestApp::spawn().await;
    app.user("ward.officer", "ward officer words", Role::Officer, HA_LONG)
        .await;
    let guesses = (0..40).map(|i| login(&app, "ward.officer", if i % 2 == 0 { "guess-one" } else { "guess-two" }));
    let answers = futures_util::future::join_all(guesses).await;
    let checked = answers.iter().filter(|r| r.status == 401).count();
    let refused = answers.iter().filter(|r| r.status == 429).count();
    assert_eq!(checked, 5, "the limit is 5 checked answers");
    assert_eq!(refused, 35);
}
