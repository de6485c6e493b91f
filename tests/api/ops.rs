//! Health, readiness, metrics, Swagger UI.

use crate::harness::*;

#[actix_web::test]
async fn live_and_ready() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/health/live", None).await.json()["status"], "ok");
    let ready = app.get("/health/ready", None).await;
    assert_eq!(ready.status, 200, "{}", ready.text());
}

#[actix_web::test]
async fn not_ready_while_the_database_is_unreachable() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://postgres@127.0.0.1:{port}/nothing");
    let pool = binhdang::db::build_pool(&url, 1).unwrap();
    let (db_url, guard) = empty_database().await;
    let app = TestApp::with_pool(test_settings(), pool, db_url, guard).await;
    let res = app.get("/health/ready", None).await;
    res.assert_problem(503);
    assert!(res.header("retry-after").is_some());
    assert_eq!(app.get("/health/live", None).await.status, 200);
}

#[actix_web::test]
async fn a_database_not_in_utf8_is_refused() {
    // The lists write text columns' bytes into JSON as they come, which only a UTF-8 database
    // has validated: the pool refuses any other, saying why.
    let (db_url, _guard) =
        empty_database_with("ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0").await;
    let pool = binhdang::db::build_pool(&db_url, 1).unwrap();
    let err = pool
        .get()
        .await
        .err()
        .expect("a SQL_ASCII database is refused")
        .to_string();
    assert!(err.contains("UTF8"), "{err}");
    let (utf8_url, _utf8) = empty_database().await;
    let pool = binhdang::db::build_pool(&utf8_url, 1).unwrap();
    assert!(pool.get().await.is_ok());
}

#[actix_web::test]
async fn not_ready_before_migrations() {
    let (db_url, guard) = empty_database().await;
    let pool = binhdang::db::build_pool(&db_url, 1).unwrap();
    let app = TestApp::with_pool(test_settings(), pool, db_url.clone(), guard).await;
    app.get("/health/ready", None).await.assert_problem(503);
    binhdang::db::run_migrations(&db_url).await.unwrap();
    assert_eq!(app.get("/health/ready", None).await.status, 200);
}

#[actix_web::test]
async fn metrics_count_requests_by_route() {
    let app = TestApp::spawn().await;
    app.get("/health/live", None).await;
    app.get("/api/v1/units", None).await;
    let res = app.get("/metrics", None).await;
    assert_eq!(res.status, 200);
    assert!(res.header("content-type").unwrap().starts_with("text/plain"));
    let text = res.text();
    assert!(
        text.contains("binhdang_http_requests_total{method=\"GET\",route=\"/health/live\",status=\"2xx\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("binhdang_http_requests_total{method=\"GET\",route=\"/api/v1/units\",status=\"4xx\"} 1"),
        "{text}"
    );
    app.get("/api/v1/trainings/0190a000-0000-7000-8000-00000000dead", None)
        .await;
    let text = app.get("/metrics", None).await.text();
    assert!(
        text.contains(
            "binhdang_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/trainings/{id}\",status=\"4xx\"} 1"
        ),
        "the route pattern, not the path: {text}"
    );
    assert!(!text.contains("dead"), "no path in a label");
    assert!(text.contains("binhdang_db_pool_connections{state=\"max\"} 4"), "{text}");
    assert!(
        text.contains("binhdang_db_pool_worker_connections{state=\"max\",worker=\"0\"} 4"),
        "{text}"
    );
    for process in [
        "process_resident_memory_bytes",
        "process_cpu_seconds_total",
        "process_open_fds",
    ] {
        assert!(text.contains(process), "{process}: {text}");
    }
}

#[actix_web::test]
async fn swagger_ui_is_served_locally() {
    let app = TestApp::spawn().await;
    let redirect = app.get("/swagger-ui", None).await;
    assert_eq!(redirect.status, 308);
    assert_eq!(redirect.header("location"), Some("/swagger-ui/"));
    let page = app.get("/swagger-ui/", None).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("swagger-ui"));
    let js = app.get("/swagger-ui/swagger-ui-bundle.js", None).await;
    assert_eq!(js.status, 200);
    assert!(js.body.len() > 100_000, "the bundle is vendored, not fetched");
    let init = app.get("/swagger-ui/swagger-initializer.js", None).await;
    assert!(init.text().contains("/api/openapi.json"));
}
