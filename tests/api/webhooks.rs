//! Webhooks against a real receiver: an HTTP server in this test binary that checks every
//! signature with the Standard Webhooks algorithm (written here from the specification, not
//! taken from the service) and answers 2xx, 500, 410, a redirect or nothing on demand.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use base64::Engine;
use binhdang::auth::Role;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::clients::{register, token};
use crate::harness::*;

/// What the receiver answers to one request.
#[derive(Clone, Debug)]
pub enum Reply {
    Status(u16),
    /// A status with `Retry-After: <seconds>`.
    RetryAfter(u16, u64),
    /// No answer for this long (longer than the sender's timeout).
    Silence(Duration),
    /// `302 Found` to this URL.
    Redirect(String),
}

#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: i64,
    pub signatures: Vec<String>,
    /// Which of the receiver's secrets verified a signature (indexes into its list).
    pub verified_by: Vec<usize>,
    pub body: Value,
}

#[derive(Default)]
struct Inner {
    secrets: Vec<String>,
    script: VecDeque<Reply>,
    got: Vec<Received>,
    /// Delay before every answer.
    slow: Duration,
    /// The answer once the script has run out (204 unless set).
    otherwise: Option<Reply>,
}

#[derive(Clone, Default)]
pub struct Receiver {
    inner: Arc<Mutex<Inner>>,
    pub port: u16,
}

/// The Standard Webhooks signature of `id.timestamp.body` under `secret` (`whsec_` + base64).
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = b64.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    b64.encode(mac.finalize().into_bytes())
}

async fn hook(req: HttpRequest, body: web::Bytes, rx: web::Data<Receiver>) -> HttpResponse {
    let h = |n: &str| {
        req.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (id, timestamp) = (h("webhook-id"), h("webhook-timestamp").parse::<i64>().unwrap_or(0));
    let signatures: Vec<String> = h("webhook-signature").split(' ').map(str::to_string).collect();
    let (reply, slow) = {
        let mut inner = rx.inner.lock().unwrap();
        let fresh = (chrono::Utc::now().timestamp() - timestamp).abs() <= 300;
        let verified_by = inner
            .secrets
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                let want = format!("v1,{}", sign(s, &id, timestamp, &body));
                fresh && signatures.contains(&want)
            })
            .map(|(i, _)| i)
            .collect();
        inner.got.push(Received {
            id,
            timestamp,
            signatures,
            verified_by,
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        });
        let otherwise = inner.otherwise.clone().unwrap_or(Reply::Status(204));
        (inner.script.pop_front().unwrap_or(otherwise), inner.slow)
    };
    tokio::time::sleep(slow).await;
    match reply {
        Reply::Status(s) => HttpResponse::build(actix_web::http::StatusCode::from_u16(s).unwrap()).finish(),
        Reply::RetryAfter(s, secs) => HttpResponse::build(actix_web::http::StatusCode::from_u16(s).unwrap())
            .insert_header(("retry-after", secs.to_string()))
            .finish(),
        Reply::Silence(d) => {
            tokio::time::sleep(d).await;
            HttpResponse::NoContent().finish()
        }
        Reply::Redirect(to) => HttpResponse::Found().insert_header(("location", to)).finish(),
    }
}

impl Receiver {
    /// A receiver on 127.0.0.1 (a port of its own), running until the test ends.
    pub fn start() -> Receiver {
        let mut rx = Receiver::default();
        let shared = rx.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(shared.clone()))
                .default_service(web::to(hook))
        })
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .unwrap();
        rx.port = server.addrs()[0].port();
        let running = server.run();
        actix_web::rt::spawn(running);
        rx
    }

    /// A receiver on a thread of its own (its own runtime): it answers while the test blocks.
    pub fn start_threaded() -> Receiver {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let r = Receiver::start();
                tx.send(r).unwrap();
                std::future::pending::<()>().await;
            })
        });
        rx.recv().unwrap()
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }
    pub fn trust(&self, secret: &str) {
        self.inner.lock().unwrap().secrets.push(secret.to_string());
    }
    pub fn script(&self, replies: &[Reply]) {
        self.inner.lock().unwrap().script.extend(replies.iter().cloned());
    }
    pub fn otherwise(&self, reply: Reply) {
        self.inner.lock().unwrap().otherwise = Some(reply);
    }
    pub fn slow(&self, d: Duration) {
        self.inner.lock().unwrap().slow = d;
    }
    pub fn got(&self) -> Vec<Received> {
        self.inner.lock().unwrap().got.clone()
    }
}

/// Runs the delivery worker's rounds until `done` holds for what the receiver got (15 s at most).
async fn deliver_until(app: &TestApp, rx: &Receiver, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
    let started = Instant::now();
    loop {
        binhdang::webhooks::worker::tick(&app.state.pool, &app.state.data_key, &app.state.settings.webhooks)
            .await
            .expect("a worker round");
        let got = rx.got();
        if done(&got) || started.elapsed() > Duration::from_secs(15) {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A partner client of `units`, its token, and an endpoint of it at the receiver for `types`.
async fn endpoint(app: &TestApp, admin: &str, rx: &Receiver, units: &[&str], types: &[&str]) -> (Value, String, Value) {
    let client = register(app, admin, units, 1000).await;
    let partner = token(app, &client).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app
        .post(
            "/api/v1/webhook-endpoints",
            Some(admin),
            json!({"client_id": client["id"], "url": rx.url(), "event_types": types}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let hook = res.json();
    let secret = hook["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{hook}");
    rx.trust(secret);
    (client, partner, hook)
}

fn event(title: &str, public: bool) -> Value {
    json!({"kind": "street_event", "title": title, "starts_on": "2026-11-20", "ends_on": "2026-11-20",
           "participants": {"female": 30, "male": 20, "other": 0}, "is_public": public})
}

async fn deliveries(app: &TestApp, token: &str, hook: &Value) -> Vec<Value> {
    let res = app
        .get(
            &format!(
                "/api/v1/webhook-endpoints/{}/deliveries?limit=500",
                hook["id"].as_str().unwrap()
            ),
            Some(token),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    res.json()["data"].as_array().unwrap().clone()
}

#[actix_web::test]
async fn a_partner_receives_signed_events_of_its_own_view_only() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start();
    let admin = app.token(Role::Admin, CITY).await;
    let types = [
        "outreach.created",
        "outreach.updated",
        "outreach.deleted",
        "summary.changed",
    ];
    let (_, partner, hook) = endpoint(&app, &admin, &rx, &[HA_LONG], &types).await;
    let ha_long = app.token(Role::Officer, HA_LONG).await;
    let tdn = app.token(Role::Officer, TRAN_DANG_NINH).await;
    let public = app
        .post("/api/v1/outreach", Some(&ha_long), event("Mít tinh", true))
        .await
        .json();
    let private = app
        .post("/api/v1/outreach", Some(&ha_long), event("Họp nội bộ", false))
        .await
        .json();
    let elsewhere = app
        .post("/api/v1/outreach", Some(&tdn), event("Phường khác", true))
        .await
        .json();
    let res = app
        .patch(
            &format!("/api/v1/outreach/{}", public["id"].as_str().unwrap()),
            Some(&ha_long),
            Some("\"1\""),
            json!({"is_public": false}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());

    let got = deliver_until(&app, &rx, |got| {
        got.iter().any(|r| r.body["type"] == "outreach.deleted")
            && got.iter().filter(|r| r.body["type"] == "summary.changed").count() >= 1
    })
    .await;
    // Every request is signed with the endpoint's secret, and fresh.
    assert!(got.iter().all(|r| r.verified_by == vec![0]), "{got:?}");
    let kinds: Vec<&str> = got.iter().map(|r| r.body["type"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"outreach.created"), "{kinds:?}");
    assert!(kinds.contains(&"outreach.deleted"), "{kinds:?}");
    // Nothing of the private event or of another ward, but the thin summary of Hạ Long.
    let text = serde_json::to_string(&got.iter().map(|r| &r.body).collect::<Vec<_>>()).unwrap();
    assert!(!text.contains(private["id"].as_str().unwrap()), "{text}");
    assert!(!text.contains(elsewhere["id"].as_str().unwrap()), "{text}");
    assert!(!text.contains("Họp nội bộ"), "{text}");
    for s in got.iter().filter(|r| r.body["type"] == "summary.changed") {
        assert_eq!(s.body["data"]["unit_id"], unit(HA_LONG).to_string());
        assert_eq!(s.body["data"].as_object().unwrap().len(), 3, "ids only: {}", s.body);
    }
    let created = got.iter().find(|r| r.body["type"] == "outreach.created").unwrap();
    assert_eq!(created.body["data"]["data"]["title"], "Mít tinh");
    let deleted = got.iter().find(|r| r.body["type"] == "outreach.deleted").unwrap();
    assert_eq!(deleted.body["data"]["data"], Value::Null, "{}", deleted.body);
    assert_eq!(deleted.body["data"]["deleted"], true);

    // Each event carries the feed's cursor: the partner's feed has the same items at the same
    // positions, so a consumer can order events and resume from the feed.
    let (feed, _) = drain(&app, &partner, None, 500).await;
    for r in got.iter().filter(|r| r.body["type"] != "summary.changed") {
        let item = feed
            .iter()
            .find(|i| i["cursor"] == r.body["data"]["cursor"])
            .unwrap_or_else(|| panic!("no feed item at {}", r.body["data"]["cursor"]));
        assert_eq!(item, &r.body["data"]);
    }

    // The deliveries, as the partner reads them: delivered on the first attempt, with the answer.
    let list = deliveries(&app, &partner, &hook).await;
    assert_eq!(list.len(), got.len());
    for d in &list {
        assert_eq!(d["status"], "delivered", "{d}");
        assert_eq!(d["attempts"], 1);
        assert_eq!(d["last_status_code"], 204);
        assert!(d["last_latency_ms"].as_i64().is_some());
        assert!(got.iter().any(|r| r.id == d["message_id"]));
    }
    // Another partner never reads this endpoint; an officer may not manage one.
    let admin_tdn = app.token(Role::Admin, TRAN_DANG_NINH).await;
    let (_, other, _) = endpoint(&app, &admin_tdn, &Receiver::start(), &[TRAN_DANG_NINH], &types).await;
    let path = format!("/api/v1/webhook-endpoints/{}", hook["id"].as_str().unwrap());
    app.get(&path, Some(&other)).await.assert_problem(404);
    app.get(&path, Some(&admin_tdn)).await.assert_problem(404);
    app.get(&path, Some(&ha_long)).await.assert_problem(404);
    let mine = app.get("/api/v1/webhook-endpoints", Some(&partner)).await.json();
    assert_eq!(mine["data"].as_array().unwrap().len(), 1);
    app.get("/api/v1/webhook-endpoints", Some(&ha_long))
        .await
        .assert_problem(403);
    // The endpoint's secret never reaches the audit trail, the change feed or a read.
    let audit = app
        .get(
            &format!("/api/v1/audit-events?record_id={}", hook["id"].as_str().unwrap()),
            Some(&admin),
        )
        .await;
    assert_eq!(audit.status, 200);
    assert!(!audit.text().contains("whsec_"), "{}", audit.text());
    assert!(!app.get(&path, Some(&admin)).await.text().contains("whsec_"));
}

#[actix_web::test]
async fn failures_are_retried_on_the_schedule_and_410_disables_the_endpoint() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start();
    let admin = app.token(Role::Admin, CITY).await;
    let (_, partner, hook) = endpoint(&app, &admin, &rx, &[HA_LONG], &["outreach.created"]).await;
    let ha_long = app.token(Role::Officer, HA_LONG).await;
    // 500, then no answer within the timeout, then 204: three attempts, one webhook-id.
    rx.script(&[Reply::Status(500), Reply::Silence(Duration::from_secs(3))]);
    app.post("/api/v1/outreach", Some(&ha_long), event("Một", true)).await;
    let got = deliver_until(&app, &rx, |got| got.len() >= 3).await;
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(
        got.iter().all(|r| r.id == got[0].id),
        "the same webhook-id on every attempt"
    );
    assert!(got.iter().all(|r| r.verified_by == vec![0]));
    // Attempts are spaced by the schedule (1 s here), not sent back to back.
    assert!(got[1].timestamp - got[0].timestamp >= 1, "{got:?}");
    let d = &deliveries(&app, &partner, &hook).await[0];
    assert_eq!(d["status"], "delivered", "{d}");
    assert_eq!(d["attempts"], 3);
    assert_eq!(d["last_status_code"], 204);

    // Retry-After is honoured: 503 asking for 30 s leaves the next attempt 30 s away.
    rx.script(&[Reply::RetryAfter(503, 30)]);
    app.post("/api/v1/outreach", Some(&ha_long), event("Hai", true)).await;
    deliver_until(&app, &rx, |got| got.len() >= 4).await;
    let d = &deliveries(&app, &partner, &hook).await[0];
    assert_eq!(d["status"], "pending", "{d}");
    assert_eq!(d["last_status_code"], 503);
    let next = chrono::DateTime::parse_from_rfc3339(d["next_attempt_at"].as_str().unwrap()).unwrap();
    assert!(next > chrono::Utc::now() + chrono::Duration::seconds(25), "{d}");

    // 410 Gone: the delivery fails at once and the endpoint is disabled, visibly.
    rx.script(&[Reply::Status(410)]);
    app.post("/api/v1/outreach", Some(&ha_long), event("Ba", true)).await;
    deliver_until(&app, &rx, |got| got.len() >= 5).await;
    let path = format!("/api/v1/webhook-endpoints/{}", hook["id"].as_str().unwrap());
    let now = app.get(&path, Some(&admin)).await.json();
    assert_eq!(now["enabled"], false, "{now}");
    assert_eq!(now["disabled_reason"], "gone");
    let audit = app
        .get(
            &format!("/api/v1/audit-events?record_id={}", hook["id"].as_str().unwrap()),
            Some(&admin),
        )
        .await
        .json();
    let disable = audit["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "disable")
        .unwrap_or_else(|| panic!("{audit}"));
    assert_eq!(disable["actor"]["kind"], "system");
    // A disabled endpoint is sent nothing more.
    app.post("/api/v1/outreach", Some(&ha_long), event("Bốn", true)).await;
    let got = deliver_until(&app, &rx, |got| got.len() > 5).await;
    assert_eq!(got.len(), 5);

    // Enabled again by an admin, it gets what waited; every attempt failing runs the schedule
    // out (three attempts here) and disables it as failing.
    let res = app
        .patch(
            &path,
            Some(&admin),
            Some(&format!("\"{}\"", now["version"])),
            json!({"enabled": true}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    rx.otherwise(Reply::Status(500));
    app.post("/api/v1/outreach", Some(&ha_long), event("Năm", true)).await;
    let before = app.get(&path, Some(&admin)).await.json();
    assert_eq!(before["enabled"], true);
    let started = Instant::now();
    loop {
        deliver_until(&app, &rx, |_| true).await;
        let now = app.get(&path, Some(&admin)).await.json();
        if now["enabled"] == false || started.elapsed() > Duration::from_secs(20) {
            assert_eq!(now["disabled_reason"], "failing", "{now}");
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let failed: Vec<Value> = deliveries(&app, &partner, &hook)
        .await
        .into_iter()
        .filter(|d| d["status"] == "failed")
        .collect();
    assert!(
        failed
            .iter()
            .any(|d| d["attempts"] == 3 && d["last_status_code"] == 500),
        "{failed:?}"
    );
}

#[actix_web::test]
async fn a_rotation_signs_with_both_secrets_during_its_overlap() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start();
    let admin = app.token(Role::Admin, CITY).await;
    let (_, partner, hook) = endpoint(&app, &admin, &rx, &[HA_LONG], &["outreach.created"]).await;
    let path = format!("/api/v1/webhook-endpoints/{}", hook["id"].as_str().unwrap());
    let res = app
        .post_with(
            &format!("{path}/secret"),
            &admin,
            &[("if-match", "\"1\"")],
            json!({"overlap_hours": 2}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let rotated = res.json();
    let new_secret = rotated["secret"].as_str().unwrap();
    assert_ne!(new_secret, hook["secret"].as_str().unwrap());
    assert!(rotated["previous_secret_expires_at"].is_string());
    rx.trust(new_secret);
    let ha_long = app.token(Role::Officer, HA_LONG).await;
    app.post("/api/v1/outreach", Some(&ha_long), event("Một", true)).await;
    let got = deliver_until(&app, &rx, |got| !got.is_empty()).await;
    assert_eq!(got[0].signatures.len(), 2, "{got:?}");
    assert_eq!(got[0].verified_by, vec![0, 1], "old and new secret both verify");
    // Without overlap, the old secret stops at once.
    let res = app
        .post_with(
            &format!("{path}/secret"),
            &admin,
            &[("if-match", "\"2\"")],
            json!({"overlap_hours": 0}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let third = res.json()["secret"].as_str().unwrap().to_string();
    rx.trust(&third);
    app.post("/api/v1/outreach", Some(&ha_long), event("Hai", true)).await;
    let got = deliver_until(&app, &rx, |got| got.len() >= 2).await;
    assert_eq!(got[1].verified_by, vec![2], "{got:?}");
    // The client reads its endpoint but may not rotate its secret.
    app.post_with(&format!("{path}/secret"), &partner, &[("if-match", "\"3\"")], json!({}))
        .await
        .assert_problem(403);
    // Bad input changes nothing.
    app.post_with(
        &format!("{path}/secret"),
        &admin,
        &[("if-match", "\"3\"")],
        json!({"overlap_hours": 1000}),
    )
    .await
    .assert_invalid("overlap_hours");
}

#[actix_web::test]
async fn tests_redeliveries_and_replays_keep_the_webhook_id_and_workers_never_send_twice() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start();
    let admin = app.token(Role::Admin, CITY).await;
    let (_, partner, hook) = endpoint(&app, &admin, &rx, &[HA_LONG], &["outreach.created"]).await;
    let path = format!("/api/v1/webhook-endpoints/{}", hook["id"].as_str().unwrap());
    // A test event, queued by the partner itself, once per Idempotency-Key.
    for _ in 0..2 {
        let res = app
            .post_with(
                &format!("{path}/test"),
                &partner,
                &[("idempotency-key", "ping-1")],
                json!({}),
            )
            .await;
        assert_eq!(res.status, 202, "{}", res.text());
    }
    let got = deliver_until(&app, &rx, |got| !got.is_empty()).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body["type"], "webhook.test");

    // Twenty events, sent by two workers at once: each exactly once.
    let ha_long = app.token(Role::Officer, HA_LONG).await;
    for i in 0..20 {
        let res = app
            .post("/api/v1/outreach", Some(&ha_long), event(&format!("Sự kiện {i}"), true))
            .await;
        assert_eq!(res.status, 201);
    }
    rx.slow(Duration::from_millis(30));
    let started = Instant::now();
    while rx.got().len() < 21 && started.elapsed() < Duration::from_secs(20) {
        let s = &app.state;
        let (a, b) = futures_util::future::join(
            binhdang::webhooks::worker::tick(&s.pool, &s.data_key, &s.settings.webhooks),
            binhdang::webhooks::worker::tick(&s.pool, &s.data_key, &s.settings.webhooks),
        )
        .await;
        a.unwrap();
        b.unwrap();
    }
    let got = rx.got();
    let mut ids: Vec<&str> = got.iter().map(|r| r.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(got.len(), 21, "no attempt sent twice");
    assert_eq!(ids.len(), 21);

    // Redeliver one: the same webhook-id and body again.
    let list = deliveries(&app, &partner, &hook).await;
    let one = list.iter().find(|d| d["event_type"] == "outreach.created").unwrap();
    let res = app
        .post_with(
            &format!("{path}/deliveries/{}/redeliver", one["id"].as_str().unwrap()),
            &partner,
            &[],
            json!({}),
        )
        .await;
    assert_eq!(res.status, 202, "{}", res.text());
    let got = deliver_until(&app, &rx, |got| got.len() >= 22).await;
    assert_eq!(got[21].id, one["message_id"].as_str().unwrap());
    assert_eq!(got[21].body, one["payload"]);

    // Replay everything after the fifth event's cursor: the fifteen after it, in feed order.
    let mut events: Vec<&Value> = list.iter().filter(|d| d["event_type"] == "outreach.created").collect();
    events.sort_by_key(|d| {
        d["payload"]["data"]["data"]["title"]
            .as_str()
            .unwrap()
            .split(' ')
            .nth(2)
            .unwrap()
            .parse::<u32>()
            .unwrap()
    });
    let since = events[4]["cursor"].as_str().unwrap();
    let res = app
        .post_with(&format!("{path}/replay"), &partner, &[], json!({"since": since}))
        .await;
    assert_eq!(res.status, 202, "{}", res.text());
    assert_eq!(res.json()["queued"], 15, "{}", res.text());
    let got = deliver_until(&app, &rx, |got| got.len() >= 37).await;
    let replayed: Vec<&str> = got[22..].iter().map(|r| r.id.as_str()).collect();
    let want: Vec<&str> = events[5..].iter().map(|d| d["message_id"].as_str().unwrap()).collect();
    let mut sorted = replayed.clone();
    sorted.sort();
    let mut want_sorted = want.clone();
    want_sorted.sort();
    assert_eq!(sorted, want_sorted);
    // Bad input: not a feed cursor.
    app.post_with(
        &format!("{path}/replay"),
        &partner,
        &[],
        json!({"since": "bm90LWEtY3Vyc29y"}),
    )
    .await
    .assert_invalid("since");
}

#[actix_web::test]
async fn targets_must_be_public_https_and_redirects_are_not_followed() {
    let mut settings = test_settings();
    settings.webhooks.allow_http = false;
    settings.webhooks.allow_private = false;
    let app = TestApp::spawn_with(settings).await;
    let admin = app.token(Role::Admin, CITY).await;
    let client = register(&app, &admin, &[HA_LONG], 100).await;
    for url in [
        "http://partner.example/hook",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[fd00::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://100.64.0.1/hook",
        "https://intranet/hook",
        "ftp://partner.example/hook",
        "not a url",
    ] {
        let res = app
            .post(
                "/api/v1/webhook-endpoints",
                Some(&admin),
                json!({"client_id": client["id"], "url": url, "event_types": ["outreach.created"]}),
            )
            .await;
        let p = res.assert_invalid("url");
        assert!(p.to_string().contains("url"), "{url}: {p}");
    }
    // Unknown event types, an empty list, another admin's client: refused, nothing created.
    let bad = [
        (
            json!({"client_id": client["id"], "url": "https://partner.example/h", "event_types": ["support_case.created"]}),
            None,
        ),
        (
            json!({"client_id": client["id"], "url": "https://partner.example/h", "event_types": []}),
            Some("event_types"),
        ),
        (
            json!({"client_id": uuid::Uuid::nil(), "url": "https://partner.example/h", "event_types": ["unit.updated"]}),
            Some("client_id"),
        ),
    ];
    for (body, field) in bad {
        let res = app.post("/api/v1/webhook-endpoints", Some(&admin), body).await;
        match field {
            Some(f) => {
                res.assert_invalid(f);
            }
            None => assert_eq!(res.status, 422, "{}", res.text()),
        }
    }
    let none = app.get("/api/v1/webhook-endpoints", Some(&admin)).await.json();
    assert_eq!(none["data"].as_array().unwrap().len(), 0);
    app.get("/api/v1/webhook-endpoints", None).await.assert_problem(401);

    // A redirect is an answer that failed, and its target gets nothing.
    let app = TestApp::spawn().await;
    let rx = Receiver::start();
    let elsewhere = Receiver::start();
    let admin = app.token(Role::Admin, CITY).await;
    let (_, partner, hook) = endpoint(&app, &admin, &rx, &[HA_LONG], &["outreach.created"]).await;
    rx.script(&[Reply::Redirect(elsewhere.url())]);
    let ha_long = app.token(Role::Officer, HA_LONG).await;
    app.post("/api/v1/outreach", Some(&ha_long), event("Một", true)).await;
    deliver_until(&app, &rx, |got| !got.is_empty()).await;
    let d = &deliveries(&app, &partner, &hook).await[0];
    assert_eq!(d["status"], "pending", "{d}");
    assert_eq!(d["last_status_code"], 302);
    assert!(elsewhere.got().is_empty());
}

/// Two `binhdang serve` processes in turn over one database: the first is killed (SIGKILL)
/// while it is delivering; the second finishes. Every event reaches the receiver at least once.
#[actix_web::test]
async fn a_restart_mid_delivery_loses_no_event() {
    use crate::instances::{post_json, start_with, token_of};
    let (url, _guard) = empty_database().await;
    let dir = tempfile::tempdir().unwrap();
    let rx = Receiver::start_threaded();
    // Each answer takes 300 ms, so the first instance dies with attempts in flight.
    rx.slow(Duration::from_millis(300));
    let env = [
        ("WEBHOOK_ALLOW_HTTP", "1"),
        ("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "1"),
        ("WEBHOOK_POLL_MILLISECONDS", "100"),
        ("WEBHOOK_TIMEOUT_SECONDS", "2"),
        ("WEBHOOK_RETRY_SCHEDULE", "1s,1s,1s,1s,1s,1s"),
    ];
    let first = start_with(&url, dir.path(), true, &env);
    let password = binhdang::seed::DEMO_PASSWORD;
    let admin = token_of(&crate::instances::login(first.port, "admin", password));
    let client = binhdang::seed::seed_id("client:demo-ngo");
    let res = post_json(
        first.port,
        "/api/v1/webhook-endpoints",
        Some(&admin),
        &[],
        &json!({"client_id": client, "url": rx.url(), "event_types": ["outreach.created"]}),
    );
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    rx.trust(res.json()["secret"].as_str().unwrap());
    let officer = token_of(&crate::instances::login(first.port, "halong.officer", password));
    const EVENTS: usize = 30;
    let mut ids = Vec::new();
    for i in 0..EVENTS {
        let res = post_json(
            first.port,
            "/api/v1/outreach",
            Some(&officer),
            &[],
            &event(&format!("Sự kiện {i}"), true),
        );
        assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
        ids.push(res.json()["id"].as_str().unwrap().to_string());
    }
    let started = Instant::now();
    while rx.got().len() < 5 && started.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let before_kill = rx.got().len();
    assert!(
        (5..EVENTS).contains(&before_kill),
        "killed after {before_kill} deliveries"
    );
    drop(first); // SIGKILL, then wait
    let second = start_with(&url, dir.path(), false, &env);
    let delivered = |got: &[Received]| {
        ids.iter()
            .filter(|id| got.iter().any(|r| r.body["data"]["id"] == id.as_str()))
            .count()
    };
    let started = Instant::now();
    while delivered(&rx.got()) < EVENTS && started.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(delivered(&rx.got()), EVENTS, "every event delivered at least once");
    // And the attempts the kill cut short are made again once their lease ends: every delivery
    // ends delivered, none stays claimed by the dead process.
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = <diesel_async::AsyncPgConnection as diesel_async::AsyncConnection>::establish(&url)
        .await
        .unwrap();
    let started = Instant::now();
    let mut done = 0;
    while started.elapsed() < Duration::from_secs(60) {
        use diesel_async::RunQueryDsl;
        let n: N = diesel::sql_query(
            "SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'delivered' AND event_type = 'outreach.created'",
        )
        .get_result(&mut conn)
        .await
        .unwrap();
        done = n.n as usize;
        if done == EVENTS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(done, EVENTS, "every delivery ends delivered");
    let got = rx.got();
    assert!(got.iter().all(|r| r.verified_by == vec![0]));
    let mut unique: Vec<&str> = got.iter().map(|r| r.id.as_str()).collect();
    unique.sort();
    unique.dedup();
    eprintln!(
        "{EVENTS} events: {} requests ({} before the kill), {} duplicates",
        got.len(),
        before_kill,
        got.len() - unique.len()
    );
    drop(second);
}

#[actix_web::test]
async fn a_disabled_client_is_sent_nothing_until_it_is_enabled_again() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start();
    let admin = app.token(Role::Admin, CITY).await;
    let (client, _, hook) = endpoint(&app, &admin, &rx, &[HA_LONG], &["outreach.created"]).await;
    let path = format!("/api/v1/webhook-endpoints/{}", hook["id"].as_str().unwrap());
    let res = app.post_with(&format!("{path}/test"), &admin, &[], json!({})).await;
    assert_eq!(res.status, 202, "{}", res.text());
    let client_path = format!("/api/v1/clients/{}", client["id"].as_str().unwrap());
    let res = app
        .patch(&client_path, Some(&admin), Some("\"1\""), json!({"active": false}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    for _ in 0..5 {
        let s = &app.state;
        binhdang::webhooks::worker::tick(&s.pool, &s.data_key, &s.settings.webhooks)
            .await
            .unwrap();
    }
    assert!(rx.got().is_empty(), "{:?}", rx.got());
    let res = app
        .patch(&client_path, Some(&admin), Some("\"2\""), json!({"active": true}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let got = deliver_until(&app, &rx, |got| !got.is_empty()).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body["type"], "webhook.test");
}
