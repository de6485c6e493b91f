//! Test harness: a database per test and the real app in front of it.

#![allow(dead_code)]

use std::rc::Rc;
use std::time::Duration;

use actix_web::http::header::HeaderMap;
use actix_web::http::{Method, StatusCode};
use actix_web::test::{self, TestRequest};
use actix_web::web;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::future::LocalBoxFuture;
use serde_json::Value;
use sha2::Digest;
use tokio::sync::OnceCell;
use uuid::Uuid;

use binhdang::app::build_app;
use binhdang::auth::{Caller, PrincipalKind, Role};
use binhdang::config::{Secret, Settings};
use binhdang::db;
use binhdang::state::AppState;

struct Server {
    /// `postgres://user@host:port` (no database).
    base: String,
    template: String,
}

static SERVER: OnceCell<Server> = OnceCell::const_new();

fn split_url(url: &str) -> (String, String) {
    let no_query = url.split('?').next().unwrap_or(url);
    match no_query.rsplit_once('/') {
        Some((base, db)) if base.contains("://") && !base.ends_with('/') => (base.to_string(), db.to_string()),
        _ => (no_query.trim_end_matches('/').to_string(), "postgres".to_string()),
    }
}

pub async fn admin_conn(base: &str) -> AsyncPgConnection {
    AsyncPgConnection::establish(&format!("{base}/postgres"))
        .await
        .expect("connect to the postgres database")
}

pub async fn exec(conn: &mut AsyncPgConnection, sql: &str) -> diesel::QueryResult<usize> {
    diesel::sql_query(sql).execute(conn).await
}

async fn db_exists(conn: &mut AsyncPgConnection, name: &str) -> bool {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let r: N = diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(name)
        .get_result(conn)
        .await
        .expect("query pg_database");
    r.n > 0
}

/// A name that changes whenever a migration or a seed file (code or data) changes, so a template
/// is reused only while it is exactly what this code would build.
fn template_name() -> String {
    let mut h = sha2::Sha256::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = walk(&root.join("migrations"));
    files.extend(walk(&root.join("src/seed")));
    assert!(
        files.iter().any(|f| f.ends_with("data/holidays.csv")),
        "the seed's data files are hashed"
    );
    files.sort();
    for f in files {
        h.update(f.to_string_lossy().as_bytes());
        h.update(std::fs::read(&f).expect("a migration or seed file"));
    }
    format!("bd_tpl_{}", &hex::encode(h.finalize())[..16])
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// The server URL (without a database) used by the tests.
pub async fn server_base() -> String {
    server().await.base.clone()
}

async fn server() -> &'static Server {
    SERVER
        .get_or_init(|| async {
            let base = match std::env::var("TEST_DATABASE_URL").or_else(|_| std::env::var("DATABASE_URL")) {
                Ok(url) if !url.trim().is_empty() => split_url(url.trim()).0,
                _ => {
                    let dir = std::env::temp_dir().join("binhdang-test-pg");
                    // A throwaway cluster: fsync off and trust, for speed.
                    let pg = db::embedded::EmbeddedPostgres::start(&dir, "postgres", false)
                        .await
                        .expect("embedded PostgreSQL for tests");
                    split_url(&pg.url()).0
                }
            };
            let template = template_name();
            let mut admin = admin_conn(&base).await;
            exec(&mut admin, "SELECT pg_advisory_lock(4242001)")
                .await
                .expect("advisory lock");
            if !db_exists(&mut admin, &template).await {
                let building = format!("{template}_building");
                exec(&mut admin, &format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
                    .await
                    .expect("drop stale template");
                exec(&mut admin, &format!("CREATE DATABASE {building}"))
                    .await
                    .expect("create template");
                let url = format!("{base}/{building}");
                db::run_migrations(&url).await.expect("migrate template");
                {
                    let mut conn = AsyncPgConnection::establish(&url).await.expect("connect template");
                    binhdang::seed::seed_reference(&mut conn).await.expect("seed template");
                }
                let mut renamed = false;
                for _ in 0..50 {
                    if exec(&mut admin, &format!("ALTER DATABASE {building} RENAME TO {template}"))
                        .await
                        .is_ok()
                    {
                        renamed = true;
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                assert!(renamed, "could not rename the template database");
            }
            exec(&mut admin, "SELECT pg_advisory_unlock(4242001)")
                .await
                .expect("advisory unlock");
            Server { base, template }
        })
        .await
}

/// Drops the test's database when the test ends, pass or fail.
pub struct DbGuard {
    base: String,
    name: String,
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        let (base, name) = (self.base.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let mut admin = admin_conn(&base).await;
                let _ = exec(&mut admin, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
            })
        })
        .join();
    }
}

/// A fresh, empty database (no migrations), dropped when the guard goes.
pub async fn empty_database() -> (String, DbGuard) {
    empty_database_with("").await
}

/// An empty database created with these options (`ENCODING 'SQL_ASCII' ...`).
pub async fn empty_database_with(options: &str) -> (String, DbGuard) {
    let s = server().await;
    let name = format!("bd_t_{}", Uuid::new_v4().simple());
    let mut admin = admin_conn(&s.base).await;
    exec(&mut admin, &format!("CREATE DATABASE {name} {options}"))
        .await
        .expect("create database");
    (
        format!("{}/{}", s.base, name),
        DbGuard {
            base: s.base.clone(),
            name,
        },
    )
}

/// A database cloned from the migrated, seeded template.
pub async fn seeded_database() -> (String, DbGuard) {
    let template = server().await.template.clone();
    database_from(&template).await
}

/// A database cloned from another one of the test server (`template`, a database name with no
/// open connection).
pub async fn database_from(template: &str) -> (String, DbGuard) {
    let s = server().await;
    let name = format!("bd_t_{}", Uuid::new_v4().simple());
    let mut admin = admin_conn(&s.base).await;
    let sql = format!("CREATE DATABASE {name} TEMPLATE {template}");
    let mut tries = 0;
    while let Err(e) = exec(&mut admin, &sql).await {
        tries += 1;
        assert!(tries < 50, "create test database: {e}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (
        format!("{}/{}", s.base, name),
        DbGuard {
            base: s.base.clone(),
            name,
        },
    )
}

impl DbGuard {
    pub fn name(&self) -> &str {
        &self.name
    }
}

pub fn test_settings() -> Settings {
    Settings {
        body_timeout: Duration::from_secs(2),
        rollup_compaction: Duration::from_secs(2),
        trusted_proxies: Vec::new(),
        database_url: None,
        data_dir: std::env::temp_dir().join("binhdang-test-data"),
        bind: "127.0.0.1".into(),
        port: 0,
        jwt_secret: Some(Secret::new("test-secret-test-secret-test-secret-0123456789")),
        access_token_ttl: Duration::from_secs(900),
        refresh_token_ttl: Duration::from_secs(86_400),
        db_pool_size: 4,
        workers: None,
        max_body_bytes: 64 * 1024,
        login_max_failures: 5,
        login_window: Duration::from_secs(300),
        cors_allowed_origins: vec!["https://partner.example".into()],
        log_json: false,
        attachments_dir: std::env::temp_dir().join(format!("binhdang-test-attachments-{}", std::process::id())),
        attachment_max_bytes: 64 * 1024,
        data_key: Some(Secret::new("test-data-key-test-data-key-0123456789")),
        data_key_previous: None,
        // Off unless a test turns it on (its own tests do).
        two_factor_roles: Vec::new(),
        // The worker runs only where a test runs it; targets are the tests' own receivers.
        webhooks: binhdang::config::WebhookSettings {
            worker: false,
            allow_http: true,
            allow_private: true,
            timeout: Duration::from_secs(2),
            retry_schedule: vec![Duration::from_secs(1), Duration::from_secs(1)],
            poll: Duration::from_millis(100),
        },
    }
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: web::Bytes,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON ({}): {:?}", self.status, String::from_utf8_lossy(&self.body)))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// Asserts a 422 whose `errors` name `field` (a JSON path or a query parameter).
    pub fn assert_invalid(&self, field: &str) -> Value {
        let p = self.assert_problem(422);
        let errors = p["errors"].as_array().unwrap_or_else(|| panic!("no errors[]: {p}"));
        assert!(
            errors
                .iter()
                .any(|e| e["field"] == field && e["message"].as_str().is_some_and(|m| !m.is_empty())),
            "no error names {field:?}: {p}"
        );
        p
    }
    /// Asserts the status and that the body is a problem document with that status.
    pub fn assert_problem(&self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text());
        assert!(
            self.header("content-type")
                .is_some_and(|c| c.starts_with("application/problem+json")),
            "content-type {:?}",
            self.header("content-type")
        );
        let p = self.json();
        assert_eq!(p["status"], status);
        assert!(p["type"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(p["title"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(p["detail"].as_str().is_some());
        p
    }
}

type CallFn = Rc<dyn Fn(actix_http::Request) -> LocalBoxFuture<'static, TestResponse>>;

pub struct TestApp {
    pub state: web::Data<AppState>,
    pub db_url: String,
    call: CallFn,
    _db: DbGuard,
}

impl TestApp {
    /// The app on a new seeded database.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(test_settings()).await
    }

    pub async fn spawn_with(settings: Settings) -> TestApp {
        let (db_url, guard) = seeded_database().await;
        let pool = db::build_pool(&db_url, settings.db_pool_size).expect("pool");
        Self::with_pool(settings, pool, db_url, guard).await
    }

    pub async fn with_pool(settings: Settings, pool: db::Pool, db_url: String, guard: DbGuard) -> TestApp {
        Self::build(settings, pool, db_url, guard, true).await
    }

    /// The app without its revocation listener: the set is never current, so every user request
    /// asks the database (what an instance does when its listening connection is lost).
    pub async fn spawn_without_revocation_listener() -> TestApp {
        let settings = test_settings();
        let (db_url, guard) = seeded_database().await;
        let pool = db::build_pool(&db_url, settings.db_pool_size).expect("pool");
        Self::build(settings, pool, db_url, guard, false).await
    }

    async fn build(settings: Settings, pool: db::Pool, db_url: String, guard: DbGuard, listen: bool) -> TestApp {
        let state = web::Data::new(AppState::new(settings, pool).expect("state"));
        // As `serve` does: the revocation set kept current by its listener (until it is, every
        // user request asks the database).
        if listen {
            state.revocations.spawn_listener(db_url.clone());
        }
        for _ in 0..(if listen { 200 } else { 0 }) {
            if state.revocations.known_epoch(Uuid::nil()).is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let svc = Rc::new(test::init_service(build_app(state.clone())).await);
        let call: CallFn = Rc::new(move |req| {
            let svc = svc.clone();
            Box::pin(async move {
                let res = test::call_service(&*svc, req).await;
                let status = res.status();
                let headers = res.headers().clone();
                let body = actix_web::body::to_bytes(res.into_body()).await.unwrap_or_default();
                TestResponse { status, headers, body }
            })
        });
        TestApp {
            state,
            db_url,
            call,
            _db: guard,
        }
    }

    pub async fn send(&self, req: TestRequest) -> TestResponse {
        let req = req.peer_addr("10.0.0.1:5000".parse().expect("addr")).to_request();
        // Compressed bodies are not requested (no Accept-Encoding), so bodies are plain.
        (self.call)(req).await
    }

    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> TestResponse {
        let mut req = TestRequest::default().method(method).uri(path);
        if let Some(t) = token {
            req = req.insert_header(("authorization", format!("Bearer {t}")));
        }
        if let Some(b) = body {
            req = req.set_json(b);
        }
        self.send(req).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> TestResponse {
        self.call(Method::GET, path, token, None).await
    }

    /// Every item of a list, page after page by its `next_cursor` (`url` carries its query).
    pub async fn walk_pages(&self, url: &str, token: Option<&str>) -> Vec<Value> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let after = cursor.as_ref().map(|c| format!("&cursor={c}")).unwrap_or_default();
            let page = self.get(&format!("{url}{after}"), token).await;
            assert_eq!(page.status, 200, "{url}: {}", page.text());
            let page = page.json();
            items.extend(page["data"].as_array().unwrap().iter().cloned());
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => return items,
            }
        }
    }

    /// Walks a list in each sort ([`walk_pages`](Self::walk_pages)) and checks that every item
    /// is exactly the record read alone (`{base}/{id}`) and that the walk saw `total` records,
    /// each once: a list written straight from its rows against the same record written by
    /// serde. `token` is `None` for a public list.
    pub async fn assert_list_items_are_the_records(
        &self,
        base: &str,
        query: &str,
        sorts: &[&str],
        token: Option<&str>,
        total: usize,
    ) {
        for sort in sorts {
            let items = self.walk_pages(&format!("{base}?{query}&sort={sort}"), token).await;
            let mut ids = std::collections::HashSet::new();
            for item in &items {
                let id = item["id"].as_str().unwrap();
                let alone = self.get(&format!("{base}/{id}"), token).await.json();
                assert_eq!(item, &alone, "sort {sort}");
                ids.insert(id.to_string());
            }
            assert_eq!((items.len(), ids.len()), (total, total), "sort {sort}");
        }
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> TestResponse {
        self.call(Method::POST, path, token, Some(body)).await
    }

    /// A POST with headers of its own (`If-Match`, `Idempotency-Key`).
    pub async fn post_with(&self, path: &str, token: &str, headers: &[(&str, &str)], body: Value) -> TestResponse {
        let mut req = TestRequest::post()
            .uri(path)
            .set_json(body)
            .insert_header(("authorization", format!("Bearer {token}")));
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        self.send(req).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, if_match: Option<&str>, body: Value) -> TestResponse {
        let mut req = TestRequest::patch().uri(path).set_json(body);
        if let Some(t) = token {
            req = req.insert_header(("authorization", format!("Bearer {t}")));
        }
        if let Some(m) = if_match {
            req = req.insert_header(("if-match", m));
        }
        self.send(req).await
    }

    /// An access token for a caller with `role` in the seeded unit `unit_key`, signed by the
    /// app's real key (the user need not exist: the token is what the API checks).
    pub async fn token(&self, role: Role, unit_key: &str) -> String {
        let unit_id = unit(unit_key);
        let mut conn = self.conn().await;
        let unit = binhdang::units::queries::find(&mut conn, unit_id)
            .await
            .expect("query")
            .expect("seeded unit");
        let caller = Caller {
            kind: PrincipalKind::User,
            id: Uuid::new_v4(),
            name: format!("test.{}", role.as_str()),
            unit_id,
            scopes: vec![unit.path],
            role,
            epoch: 0,
            restriction: None,
        };
        self.state.jwt.issue_access(&caller).expect("token")
    }

    /// Creates a real user with a password and signs in; returns the login response body.
    pub async fn user(&self, username: &str, password: &str, role: Role, unit_key: &str) -> Uuid {
        let mut conn = self.conn().await;
        binhdang::users::add_user(&mut conn, username, Secret::new(password), unit(unit_key), role)
            .await
            .expect("add user")
    }

    pub async fn conn(&self) -> db::PooledConn {
        self.state.pool.get().await.expect("connection")
    }
}

/// The id of a seeded unit by its seed key (`district:356`, `commune:13633:2020`, ...).
pub fn unit(key: &str) -> Uuid {
    binhdang::seed::seed_id(key)
}

pub const CITY: &str = "district:356";
pub const HA_LONG: &str = "commune:13633:2020";
pub const TRAN_DANG_NINH: &str = "commune:13669:2020";
pub const COUNTRY: &str = "country:VN";

/// Pages through the change feed from `since` to what is ready now; returns the items and the
/// cursor to continue from.
pub async fn drain(app: &TestApp, token: &str, since: Option<String>, limit: usize) -> (Vec<Value>, String) {
    let mut items = Vec::new();
    let mut cursor = since;
    loop {
        let url = match &cursor {
            Some(c) => format!("/api/v1/changes?limit={limit}&since={c}"),
            None => format!("/api/v1/changes?limit={limit}"),
        };
        let res = app.get(&url, Some(token)).await;
        assert_eq!(res.status, 200, "{}", res.text());
        let page = res.json();
        items.extend(page["data"].as_array().unwrap().iter().cloned());
        cursor = Some(page["next_cursor"].as_str().unwrap().to_string());
        if !page["has_more"].as_bool().unwrap() {
            return (items, cursor.unwrap());
        }
    }
}

/// Follows the feed like a client until `done` holds for what arrived (for up to 5 seconds).
/// The feed holds back changes while an older transaction anywhere in the cluster may still
/// commit (parallel tests run other transactions), so a test waits the way a client polls.
pub async fn feed_until(
    app: &TestApp,
    token: &str,
    since: Option<String>,
    done: impl Fn(&[Value]) -> bool,
) -> (Vec<Value>, String) {
    let mut items = Vec::new();
    let mut cursor = since;
    for _ in 0..250 {
        let (more, next) = drain(app, token, cursor.clone(), 500).await;
        items.extend(more);
        cursor = Some(next);
        if done(&items) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (items, cursor.unwrap_or_default())
}
