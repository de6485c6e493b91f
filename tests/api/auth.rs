//! Authentication: login, refresh rotation, logout, me, token validation, throttling.

use actix_web::http::Method;
use base64::Engine;
use binhdang::auth::Role;
use serde_json::json;

use crate::harness::*;

async fn login(app: &TestApp, username: &str, password: &str) -> TestResponse {
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"username": username, "password": password}),
    )
    .await
}

#[actix_web::test]
async fn login_returns_tokens_that_work() {
    let app = TestApp::spawn().await;
    app.user("ward.officer", "s3cret-pass", Role::Officer, HA_LONG).await;
    let res = login(&app, "ward.officer", "s3cret-pass").await;
    assert_eq!(res.status, 200, "{}", res.text());
    let body = res.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body["refresh_token"].as_str().unwrap().len() >= 40);
    let me = app.get("/api/v1/auth/me", body["access_token"].as_str()).await;
    assert_eq!(me.status, 200);
    let me = me.json();
    assert_eq!(me["username"], "ward.officer");
    assert_eq!(me["role"], "officer");
    assert_eq!(me["unit"]["code"], "13633");
    assert_eq!(me["unit"]["name"], "Phường Hạ Long");
}

#[actix_web::test]
async fn login_failure_is_the_same_for_unknown_users_and_wrong_passwords() {
    let app = TestApp::spawn().await;
    app.user("ward.officer", "s3cret-pass", Role::Officer, HA_LONG).await;
    let wrong = login(&app, "ward.officer", "not-the-password").await;
    let unknown = login(&app, "nobody.here", "not-the-password").await;
    let a = wrong.assert_problem(401);
    let b = unknown.assert_problem(401);
    assert_eq!(a["detail"], b["detail"]);
    assert_eq!(a["title"], b["title"]);
    assert_eq!(wrong.header("www-authenticate"), Some("Bearer realm=\"binhdang\""));
    assert_eq!(unknown.header("www-authenticate"), Some("Bearer realm=\"binhdang\""));
}

#[actix_web::test]
async fn login_validates_its_input() {
    let app = TestApp::spawn().await;
    let res = app
        .post("/api/v1/auth/login", None, json!({"username": "", "password": "x"}))
        .await;
    let p = res.assert_problem(422);
    assert_eq!(p["errors"][0]["field"], "username");
    assert_eq!(p["errors"][0]["code"], "length");
    let res = app.post("/api/v1/auth/login", None, json!({"username": "a"})).await;
    res.assert_problem(422);
}

#[actix_web::test]
async fn repeated_failures_are_slowed_down_with_retry_after() {
    let app = TestApp::spawn().await;
    app.user("ward.officer", "s3cret-pass", Role::Officer, HA_LONG).await;
    for _ in 0..5 {
        login(&app, "ward.officer", "wrong-password").await.assert_problem(401);
    }
    let res = login(&app, "ward.officer", "s3cret-pass").await;
    res.assert_problem(429);
    let wait: u64 = res.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!(wait > 0 && wait <= 300);
}

/// Behind a trusted proxy, the client is the address the proxy appends to `X-Forwarded-For`:
/// a guesser at one address is stopped there, and the real user at another still signs in.
#[actix_web::test]
async fn a_guesser_does_not_lock_the_user_out_elsewhere() {
    let mut settings = test_settings();
    // The harness's requests come from 10.0.0.1: here, a reverse proxy.
    settings.trusted_proxies = vec!["10.0.0.1".parse().unwrap()];
    let app = TestApp::spawn_with(settings).await;
    app.user("ward.officer", "s3cret-pass", Role::Officer, HA_LONG).await;
    let from = |client: &str, password: &str| {
        actix_web::test::TestRequest::post()
            .uri("/api/v1/auth/login")
            // A forged first hop, then what the proxy appended: only the latter counts.
            .insert_header(("x-forwarded-for", format!("6.6.6.6, {client}")))
            .set_json(json!({"username": "ward.officer", "password": password}))
    };
    for _ in 0..5 {
        app.send(from("203.0.113.7", "wrong-password"))
            .await
            .assert_problem(401);
    }
    app.send(from("203.0.113.7", "s3cret-pass")).await.assert_problem(429);
    let elsewhere = app.send(from("198.51.100.20", "s3cret-pass")).await;
    assert_eq!(
        elsewhere.status,
        200,
        "the user at another address: {}",
        elsewhere.text()
    );
}

#[actix_web::test]
async fn refresh_tokens_rotate_and_reuse_revokes_the_family() {
    let app = TestApp::spawn().await;
    app.user("ward.officer", "s3cret-pass", Role::Officer, HA_LONG).await;
    let first = login(&app, "ward.officer", "s3cret-pass").await.json();
    let r1 = first["refresh_token"].as_str().unwrap();

    let second = app
        .post("/api/v1/auth/refresh", None, json!({"refresh_token": r1}))
        .await;
    assert_eq!(second.status, 200);
    let second = second.json();
    let r2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(r1, r2);
    assert_eq!(
        app.get("/api/v1/auth/me", second["access_token"].as_str()).await.status,
        200
    );

    // The spent token again within the grace window (a retry whose answer was lost, another
    // tab): the same successor, nothing revoked.
    let retry = app
        .post("/api/v1/auth/refresh", None, json!({"refresh_token": r1}))
        .await;
    assert_eq!(retry.status, 200, "{}", retry.text());
    assert_eq!(retry.json()["refresh_token"], r2, "the same successor");
    // The successor is kept sealed, never as text.
    {
        use diesel::QueryDsl;
        use diesel_async::RunQueryDsl;
        let mut conn = app.conn().await;
        let sealed: Vec<Option<Vec<u8>>> = binhdang::db::schema::refresh_tokens::table
            .select(binhdang::db::schema::refresh_tokens::successor_sealed)
            .load(&mut conn)
            .await
            .unwrap();
        let sealed: Vec<Vec<u8>> = sealed.into_iter().flatten().collect();
        assert_eq!(sealed.len(), 1);
        assert!(
            !String::from_utf8_lossy(&sealed[0]).contains(r2),
            "sealed, not in plaintext"
        );
        // The window closes.
        diesel::sql_query(
            "UPDATE refresh_tokens SET used_at = used_at - interval '31 seconds' WHERE used_at IS NOT NULL",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        assert_eq!(
            binhdang::auth::queries::forget_spent_successors(&mut conn)
                .await
                .unwrap(),
            1
        );
    }
    // After the window, the spent token again: refused, and the whole family (r2 included) is
    // revoked.
    app.post("/api/v1/auth/refresh", None, json!({"refresh_token": r1}))
        .await
        .assert_problem(401);
    app.post("/api/v1/auth/refresh", None, json!({"refresh_token": r2}))
        .await
        .assert_problem(401);
    // Another login starts a new family that works.
    let other = login(&app, "ward.officer", "s3cret-pass").await.json();
    let ok = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": other["refresh_token"]}),
        )
        .await;
    assert_eq!(ok.status, 200);
}

#[actix_web::test]
async fn refresh_rejects_unknown_tokens_and_bad_input() {
    let app = TestApp::spawn().await;
    app.post("/api/v1/auth/refresh", None, json!({"refresh_token": "made-up"}))
        .await
        .assert_problem(401);
    app.post("/api/v1/auth/refresh", None, json!({"refresh_token": ""}))
        .await
        .assert_problem(422);
    app.post("/api/v1/auth/refresh", None, json!({}))
        .await
        .assert_problem(422);
}

#[actix_web::test]
async fn logout_revokes_the_refresh_family() {
    let app = TestApp::spawn().await;
    app.user("ward.officer", "s3cret-pass", Role::Officer, HA_LONG).await;
    let t = login(&app, "ward.officer", "s3cret-pass").await.json();
    let access = t["access_token"].as_str().unwrap();
    let res = app
        .post(
            "/api/v1/auth/logout",
            Some(access),
            json!({"refresh_token": t["refresh_token"]}),
        )
        .await;
    assert_eq!(res.status, 204);
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": t["refresh_token"]}),
    )
    .await
    .assert_problem(401);
    // Without a token: 401; with a bad body: 422.
    app.post("/api/v1/auth/logout", None, json!({}))
        .await
        .assert_problem(401);
    app.post("/api/v1/auth/logout", Some(access), json!({"refresh_token": ""}))
        .await
        .assert_problem(422);
}

#[actix_web::test]
async fn logout_without_a_body_revokes_every_session() {
    let app = TestApp::spawn().await;
    app.user("ward.officer", "s3cret-pass", Role::Officer, HA_LONG).await;
    let a = login(&app, "ward.officer", "s3cret-pass").await.json();
    let b = login(&app, "ward.officer", "s3cret-pass").await.json();
    let res = app
        .call(Method::POST, "/api/v1/auth/logout", a["access_token"].as_str(), None)
        .await;
    assert_eq!(res.status, 204);
    for t in [&a, &b] {
        app.post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": t["refresh_token"]}),
        )
        .await
        .assert_problem(401);
    }
}

#[actix_web::test]
async fn inactive_users_cannot_sign_in() {
    let app = TestApp::spawn().await;
    app.user("ward.officer", "s3cret-pass", Role::Officer, HA_LONG).await;
    let mut conn = app.conn().await;
    exec(
        &mut conn,
        "UPDATE users SET active = false WHERE username = 'ward.officer'",
    )
    .await
    .unwrap();
    login(&app, "ward.officer", "s3cret-pass").await.assert_problem(401);
}

fn b64(v: &serde_json::Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

fn sign(_header: &serde_json::Value, claims: &serde_json::Value, key: &[u8]) -> String {
    let key = jsonwebtoken::EncodingKey::from_secret(key).unwrap();
    jsonwebtoken::encode(&jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256), claims, &key).unwrap()
}

#[actix_web::test]
async fn bad_tokens_get_401_with_www_authenticate() {
    let app = TestApp::spawn().await;
    let good = app.token(Role::Admin, CITY).await;
    let parts: Vec<&str> = good.split('.').collect();
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[1])
            .unwrap(),
    )
    .unwrap();
    let key = test_settings().jwt_secret.unwrap().expose().as_bytes().to_vec();
    let hs256 = json!({"alg": "HS256", "typ": "JWT"});
    let now = chrono::Utc::now().timestamp();

    let mut expired = claims.clone();
    expired["exp"] = json!(now - 3600);
    let mut wrong_aud = claims.clone();
    wrong_aud["aud"] = json!("someone-else");
    let mut wrong_iss = claims.clone();
    wrong_iss["iss"] = json!("someone-else");
    let mut elevated = claims.clone();
    elevated["unit_path"] = json!("/");

    let tampered = format!("{}.{}.{}", parts[0], b64(&elevated), parts[2]);
    let alg_none = format!("{}.{}.", b64(&json!({"alg": "none", "typ": "JWT"})), parts[1]);
    let cases = [
        ("expired", sign(&hs256, &expired, &key)),
        ("wrong audience", sign(&hs256, &wrong_aud, &key)),
        ("wrong issuer", sign(&hs256, &wrong_iss, &key)),
        (
            "other key",
            sign(&hs256, &claims, b"another-secret-another-secret-another-secret"),
        ),
        ("tampered", tampered),
        ("alg none", alg_none),
        ("garbage", "not-a-jwt".to_string()),
    ];
    for (what, token) in cases {
        let res = app.get("/api/v1/auth/me", Some(&token)).await;
        assert_eq!(res.status, 401, "{what}");
        res.assert_problem(401);
        assert!(res.header("www-authenticate").is_some(), "{what}");
    }
    let res = app.get("/api/v1/auth/me", None).await;
    res.assert_problem(401);
    // The control: the untouched token works.
    assert_eq!(app.get("/api/v1/units", Some(&good)).await.status, 200);
}
