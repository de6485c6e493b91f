//! Two `binhdang serve` processes over one PostgreSQL, requests alternating between them: the
//! login throttle, partner rate limits, revocations, idempotency keys and attachment files hold
//! as for one instance (all of them live in the database).

use std::io::{BufRead, Read, Write};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::harness::*;

pub struct Instance {
    pub child: Child,
    pub port: u16,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start(db_url: &str, data_dir: &std::path::Path, demo: bool) -> Instance {
    start_with(db_url, data_dir, demo, &[])
}

/// `binhdang serve` with more environment (`(name, value)`).
pub fn start_with(db_url: &str, data_dir: &std::path::Path, demo: bool, env: &[(&str, &str)]) -> Instance {
    let mut args = vec!["serve", "--port", "0"];
    if demo {
        args.push("--demo");
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_binhdang"))
        .args(&args)
        .env("DATABASE_URL", db_url)
        .env("BINHDANG_DATA_DIR", data_dir)
        .env("JWT_SECRET", "two-instances-share-this-secret-0123456789")
        .env("WORKERS", "1")
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run binhdang serve");
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let port = loop {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "serve ended early");
        if let Some(rest) = line.trim().strip_prefix("binhdang is listening on http://127.0.0.1:") {
            break rest.parse::<u16>().unwrap();
        }
    };
    // Keep draining its output so it never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    Instance { child, port }
}

pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request on a connection of its own (`Connection: close`).
pub fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    conn.write_all(head.as_bytes()).unwrap();
    conn.write_all(body).unwrap();
    let mut raw = Vec::new();
    conn.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a response head");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Answer { status, headers, body }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..end]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.extend_from_slice(&raw[end + 2..end + 2 + size]);
        raw = &raw[end + 4 + size..];
    }
    out
}

pub fn post_json(port: u16, path: &str, token: Option<&str>, extra: &[(&str, &str)], body: &Value) -> Answer {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(a) = &auth {
        headers.push(("Authorization", a.as_str()));
    }
    headers.extend_from_slice(extra);
    http(port, "POST", path, &headers, body.to_string().as_bytes())
}

pub fn get(port: u16, path: &str, token: &str) -> Answer {
    http(port, "GET", path, &[("Authorization", &format!("Bearer {token}"))], b"")
}

pub fn login(port: u16, username: &str, password: &str) -> Answer {
    post_json(
        port,
        "/api/v1/auth/login",
        None,
        &[],
        &json!({"username": username, "password": password}),
    )
}

pub fn token_of(a: &Answer) -> String {
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    a.json()["access_token"].as_str().unwrap().to_string()
}

#[actix_web::test]
async fn two_instances_share_throttles_limits_revocations_keys_and_files() {
    let (url, _guard) = empty_database().await;
    let dir = tempfile::tempdir().unwrap();
    let a = start(&url, &dir.path().join("a"), true);
    let b = start(&url, &dir.path().join("b"), false);
    let ports = [a.port, b.port];
    let password = binhdang::seed::DEMO_PASSWORD;

    // A token from one instance works on the other.
    let admin = token_of(&login(a.port, "admin", password));
    assert_eq!(get(b.port, "/api/v1/auth/me", &admin).status, 200);

    // The login throttle counts across instances: five failures alternating, then 429 on both.
    for i in 0..5 {
        assert_eq!(login(ports[i % 2], "viewer", "wrong-password").status, 401);
    }
    for port in ports {
        let res = login(port, "viewer", password);
        assert_eq!(res.status, 429, "the sixth attempt, on {port}");
        assert!(res.header("retry-after").is_some());
    }

    // An Idempotency-Key claimed on one instance replays on the other.
    let officer = token_of(&login(b.port, "halong.officer", password));
    let training = json!({"title": "Tập huấn hai máy chủ", "topics": ["gbv"], "audiences": ["collaborators"],
        "starts_on": "2020-11-20", "ends_on": "2020-11-21", "participants": {"female": 3, "male": 2}});
    let first = post_json(
        a.port,
        "/api/v1/trainings",
        Some(&officer),
        &[("Idempotency-Key", "two-instances")],
        &training,
    );
    assert_eq!(first.status, 201, "{}", String::from_utf8_lossy(&first.body));
    let retry = post_json(
        b.port,
        "/api/v1/trainings",
        Some(&officer),
        &[("Idempotency-Key", "two-instances")],
        &training,
    );
    assert_eq!(retry.status, 201);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(retry.json()["id"], first.json()["id"]);

    // A file uploaded through one instance downloads from the other.
    let id = first.json()["id"].as_str().unwrap().to_string();
    let mut png = vec![
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
    ];
    png.resize(3000, 9);
    let mut form = b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"anh.png\"\r\nContent-Type: image/png\r\n\r\n".to_vec();
    form.extend_from_slice(&png);
    form.extend_from_slice(b"\r\n--XyZ--\r\n");
    let auth = format!("Bearer {officer}");
    let up = http(
        a.port,
        "POST",
        &format!("/api/v1/trainings/{id}/attachments"),
        &[
            ("Authorization", &auth),
            ("Content-Type", "multipart/form-data; boundary=XyZ"),
        ],
        &form,
    );
    assert_eq!(up.status, 201, "{}", String::from_utf8_lossy(&up.body));
    let file = get(
        b.port,
        &format!("/api/v1/attachments/{}/content", up.json()["id"].as_str().unwrap()),
        &officer,
    );
    assert_eq!(file.status, 200);
    assert_eq!(file.body, png);

    // A partner's per-minute limit holds across instances (not one minute for each).
    let client = post_json(
        a.port,
        "/api/v1/clients",
        Some(&admin),
        &[],
        &json!({"name": "Two-instance partner", "unit_ids": [unit(HA_LONG)], "rate_limit_per_minute": 4}),
    );
    assert_eq!(client.status, 201, "{}", String::from_utf8_lossy(&client.body));
    let (client_id, secret) = (
        client.json()["client_id"].as_str().unwrap().to_string(),
        client.json()["client_secret"].as_str().unwrap().to_string(),
    );
    let partner = post_json(
        b.port,
        "/api/v1/auth/token",
        None,
        &[],
        &json!({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}),
    );
    let partner = token_of(&partner);
    // Not across a minute's boundary (the window is the calendar minute).
    let second = chrono::Utc::now().timestamp() % 60;
    if second > 50 {
        tokio::time::sleep(Duration::from_secs((61 - second) as u64)).await;
    }
    let answers: Vec<u16> = (0..6)
        .map(|i| get(ports[i % 2], "/api/v1/auth/me", &partner).status)
        .collect();
    assert_eq!(answers, [200, 200, 200, 200, 429, 429]);

    // Signing out everywhere on one instance stops the token on the other within seconds.
    let res = http(
        a.port,
        "POST",
        "/api/v1/auth/logout",
        &[("Authorization", &format!("Bearer {admin}"))],
        b"",
    );
    assert_eq!(res.status, 204);
    let start = Instant::now();
    loop {
        let status = get(b.port, "/api/v1/auth/me", &admin).status;
        if status == 401 {
            break;
        }
        assert_eq!(status, 200);
        assert!(start.elapsed() < Duration::from_secs(5), "still accepted after 5 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!("revoked on the other instance after {:?}", start.elapsed());
}
