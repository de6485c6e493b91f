//! Two-factor sign-in: enrolment with a provisioning URI, the login's second step, codes good
//! once, recovery codes, the per-role policy, and a password reset that leaves 2FA on.

use binhdang::auth::Role;
use serde_json::{json, Value};

use crate::harness::*;

fn codes_for(secret: &str) -> totp_rs::TOTP {
    let bytes = totp_rs::Secret::Encoded(secret.to_string()).to_bytes().unwrap();
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes, None, String::new()).unwrap()
}

fn now() -> u64 {
    chrono::Utc::now().timestamp() as u64
}

async fn login(app: &TestApp, username: &str, password: &str) -> TestResponse {
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"username": username, "password": password}),
    )
    .await
}

fn access(res: &TestResponse) -> String {
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()["access_token"].as_str().unwrap().to_string()
}

async fn policy_app() -> TestApp {
    let mut settings = test_settings();
    settings.two_factor_roles = vec!["admin".into(), "inspector".into()];
    TestApp::spawn_with(settings).await
}

/// Enrols `username` (whose role requires it) and answers its authenticator and recovery codes.
async fn enrol(app: &TestApp, username: &str, password: &str) -> (totp_rs::TOTP, Vec<String>, String) {
    let restricted = access(&login(app, username, password).await);
    let p = app.get("/api/v1/plans", Some(&restricted)).await.assert_problem(403);
    assert!(p["detail"].as_str().unwrap().contains("two-factor"), "{p}");
    let setup = app.post("/api/v1/auth/two-factor", Some(&restricted), json!({})).await;
    assert_eq!(setup.status, 200, "{}", setup.text());
    let setup = setup.json();
    let uri = setup["otpauth_uri"].as_str().unwrap();
    assert!(
        uri.starts_with(&format!("otpauth://totp/binhdang:{username}?secret=")),
        "{uri}"
    );
    let totp = codes_for(setup["secret"].as_str().unwrap());
    app.post(
        "/api/v1/auth/two-factor/confirm",
        Some(&restricted),
        json!({"code": "000000"}),
    )
    .await
    .assert_invalid("code");
    let res = app
        .post(
            "/api/v1/auth/two-factor/confirm",
            Some(&restricted),
            json!({"code": totp.generate(now())}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let body = res.json();
    let recovery: Vec<String> = body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(recovery.len(), 10);
    let full = body["tokens"]["access_token"].as_str().unwrap().to_string();
    (totp, recovery, full)
}

async fn second_step(app: &TestApp, challenge: &Value, field: &str, code: &str) -> TestResponse {
    app.post(
        "/api/v1/auth/login/second-step",
        None,
        json!({"challenge": challenge, field: code}),
    )
    .await
}

#[actix_web::test]
async fn a_required_second_factor_is_enrolled_then_asked_for_at_every_sign_in() {
    let app = policy_app().await;
    app.user("ward.inspector", "inspector field words", Role::Inspector, HA_LONG)
        .await;
    let (totp, recovery, full) = enrol(&app, "ward.inspector", "inspector field words").await;
    assert_eq!(app.get("/api/v1/plans", Some(&full)).await.status, 200);
    // Enrolled: starting again is a conflict; switching it off is refused for the role.
    app.post("/api/v1/auth/two-factor", Some(&full), json!({}))
        .await
        .assert_problem(409);
    app.post(
        "/api/v1/auth/two-factor/disable",
        Some(&full),
        json!({"code": totp.generate(now() + 30)}),
    )
    .await
    .assert_problem(409);

    // The password alone is not enough any more.
    let res = login(&app, "ward.inspector", "inspector field words").await;
    assert_eq!(res.status, 202, "{}", res.text());
    let challenge = res.json()["challenge"].clone();
    assert!(res.json().get("access_token").is_none());
    // The challenge is no access token.
    app.get("/api/v1/auth/me", challenge.as_str()).await.assert_problem(401);
    second_step(&app, &challenge, "code", "123456")
        .await
        .assert_problem(401);
    second_step(&app, &json!("not-a-challenge"), "code", "123456")
        .await
        .assert_problem(401);
    app.post(
        "/api/v1/auth/login/second-step",
        None,
        json!({"challenge": challenge, "code": "123456", "recovery_code": recovery[0]}),
    )
    .await
    .assert_invalid("code");
    // The code of the next step (one step of skew), once; the same code again is a replay.
    let code = totp.generate(now() + 30);
    let ok = second_step(&app, &challenge, "code", &code).await;
    let token = access(&ok);
    assert_eq!(app.get("/api/v1/plans", Some(&token)).await.status, 200);
    second_step(&app, &challenge, "code", &code).await.assert_problem(401);
    // A recovery code signs in once.
    let ok = second_step(&app, &challenge, "recovery_code", &recovery[3]).await;
    access(&ok);
    second_step(&app, &challenge, "recovery_code", &recovery[3])
        .await
        .assert_problem(401);
}

#[actix_web::test]
async fn a_password_reset_keeps_two_factor_sign_in() {
    let app = policy_app().await;
    app.user("city.admin", "city admin passphrase", Role::Admin, CITY).await;
    let inspector = app
        .user("ward.inspector", "inspector field words", Role::Inspector, HA_LONG)
        .await;
    let (_totp, recovery, _) = enrol(&app, "ward.inspector", "inspector field words").await;
    let (_, _, admin) = enrol(&app, "city.admin", "city admin passphrase").await;
    let version = app
        .get(&format!("/api/v1/users/{inspector}"), Some(&admin))
        .await
        .json()["version"]
        .as_i64()
        .unwrap();
    let res = app
        .send(
            actix_web::test::TestRequest::post()
                .uri(&format!("/api/v1/users/{inspector}/password-reset"))
                .insert_header(("authorization", format!("Bearer {admin}")))
                .insert_header(("if-match", format!("\"{version}\""))),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["two_factor"], true, "the reset leaves 2FA on");
    let temporary = res.json()["temporary_password"].as_str().unwrap().to_string();
    // The temporary password still needs the second factor, then may only change itself.
    let res = login(&app, "ward.inspector", &temporary).await;
    assert_eq!(res.status, 202, "{}", res.text());
    let token = access(&second_step(&app, &res.json()["challenge"], "recovery_code", &recovery[0]).await);
    let p = app.get("/api/v1/plans", Some(&token)).await.assert_problem(403);
    assert!(p["detail"].as_str().unwrap().contains("password"), "{p}");
}

#[actix_web::test]
async fn the_demo_users_are_exempt_and_others_may_opt_in_and_out() {
    let app = policy_app().await;
    {
        let mut conn = app.conn().await;
        binhdang::seed::seed_demo(&mut conn, &app.state.data_key).await.unwrap();
    }
    // The walkthroughs' users sign in with the public password alone.
    let inspector = access(&login(&app, "inspector", binhdang::seed::DEMO_PASSWORD).await);
    assert_eq!(app.get("/api/v1/plans", Some(&inspector)).await.status, 200);
    // An officer (not required) may turn it on, and off again with a code.
    app.user("ward.officer", "ward officer words", Role::Officer, HA_LONG)
        .await;
    let officer = access(&login(&app, "ward.officer", "ward officer words").await);
    assert_eq!(app.get("/api/v1/plans", Some(&officer)).await.status, 200);
    let setup = app
        .post("/api/v1/auth/two-factor", Some(&officer), json!({}))
        .await
        .json();
    let totp = codes_for(setup["secret"].as_str().unwrap());
    let res = app
        .post(
            "/api/v1/auth/two-factor/confirm",
            Some(&officer),
            json!({"code": totp.generate(now())}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(login(&app, "ward.officer", "ward officer words").await.status, 202);
    let res = app
        .post(
            "/api/v1/auth/two-factor/disable",
            Some(&officer),
            json!({"code": totp.generate(now() + 30)}),
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
    assert_eq!(login(&app, "ward.officer", "ward officer words").await.status, 200);
    // No token, a partner: refused.
    app.post("/api/v1/auth/two-factor", None, json!({}))
        .await
        .assert_problem(401);
}
