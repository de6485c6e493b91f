//! The `binhdang` command: a contract that scripts and operators rely on.

use std::process::{Command, Output};

use crate::harness::*;

fn binhdang(db_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_binhdang"))
        .args(args)
        .env("DATABASE_URL", db_url)
        .env("BINHDANG_DATA_DIR", std::env::temp_dir().join("binhdang-cli-test"))
        .env("RUST_LOG", "warn")
        .output()
        .expect("run binhdang")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[actix_web::test]
async fn migrate_and_seed_are_idempotent() {
    let (url, _guard) = empty_database().await;
    let out = binhdang(&url, &["migrate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let first = binhdang(&url, &["seed"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("Reference data loaded (210 new rows, 0 updated)"),
        "{}",
        stdout(&first)
    );
    let second = binhdang(&url, &["seed"]);
    assert!(
        stdout(&second).contains("(0 new rows, 0 updated)"),
        "{}",
        stdout(&second)
    );
    let demo = binhdang(&url, &["seed", "--demo"]);
    assert!(demo.status.success());
    let text = stdout(&demo);
    for user in ["admin", "manager", "inspector", "viewer", "halong.officer"] {
        assert!(text.contains(user), "{text}");
    }
    assert!(text.contains(binhdang::seed::DEMO_PASSWORD));
    assert!(binhdang(&url, &["seed", "--demo"]).status.success(), "demo users twice");
}

/// `user add` with the password on standard input.
fn user_add(db_url: &str, username: &str, password: &str, unit: &str, role: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_binhdang"))
        .args([
            "user",
            "add",
            "--password-stdin",
            "--username",
            username,
            "--unit",
            unit,
            "--role",
            role,
        ])
        .env("DATABASE_URL", db_url)
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run binhdang");
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    child.wait_with_output().unwrap()
}

#[actix_web::test]
async fn user_add_reports_every_mistake() {
    let (url, _guard) = seeded_database().await;
    let ok = user_add(&url, "ward.chair", "long-enough", "13633", "manager");
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(stdout(&ok).contains("Phường Hạ Long"));
    let by_id = user_add(&url, "city.admin2", "long-enough", &unit(CITY).to_string(), "Admin");
    assert!(
        by_id.status.success(),
        "role names are case-insensitive: {}",
        stderr(&by_id)
    );
    assert!(stdout(&by_id).contains("(admin)"), "{}", stdout(&by_id));

    let dup = user_add(&url, "ward.chair", "long-enough", "13633", "manager");
    assert!(!dup.status.success());
    assert!(stderr(&dup).contains("already taken"), "{}", stderr(&dup));
    let unit_missing = user_add(&url, "x.y", "long-enough", "99999", "manager");
    assert!(!unit_missing.status.success());
    assert!(stderr(&unit_missing).contains("unknown unit"));
    let role = user_add(&url, "x.y", "long-enough", "13633", "boss");
    assert!(!role.status.success());
    assert!(stderr(&role).contains("unknown role"));
    let weak = user_add(&url, "x.y", "short", "13633", "viewer");
    assert!(!weak.status.success());
    assert!(stderr(&weak).contains("at least 8"));
    assert!(!stderr(&weak).contains("short"), "the password is never echoed");
    for blank in ["", "        ", "   pass   "] {
        let out = user_add(&url, "x.y", blank, "13633", "viewer");
        assert!(!out.status.success(), "{blank:?} accepted");
        assert!(stderr(&out).contains("password"), "{}", stderr(&out));
    }
    let old_flag = binhdang(
        &url,
        &[
            "user",
            "add",
            "--username",
            "x.z",
            "--password",
            "long-enough",
            "--unit",
            "13633",
            "--role",
            "viewer",
        ],
    );
    assert!(!old_flag.status.success(), "no password on the command line");
}

#[actix_web::test]
async fn user_add_elsewhere_creates_no_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_binhdang"))
        .args([
            "user",
            "add",
            "--password-stdin",
            "--username",
            "a.b",
            "--unit",
            "13633",
            "--role",
            "viewer",
        ])
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("BINHDANG_DATA_DIR")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("password is empty"), "{err}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_binhdang"))
        .args([
            "user",
            "add",
            "--password-stdin",
            "--username",
            "a.b",
            "--unit",
            "13633",
            "--role",
            "viewer",
        ])
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("BINHDANG_DATA_DIR")
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    writeln!(child.stdin.take().unwrap(), "long-enough").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("no database") && err.contains("BINHDANG_DATA_DIR") && err.contains("DATABASE_URL"),
        "{err}"
    );
    assert!(
        err.contains(&dir.path().join("data").join("postgres").display().to_string()),
        "{err}"
    );
    assert!(!dir.path().join("data").exists(), "nothing was created");
}

#[actix_web::test]
async fn openapi_prints_the_document() {
    let out = Command::new(env!("CARGO_BIN_EXE_binhdang"))
        .arg("openapi")
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc, serde_json::to_value(binhdang::app::api_document()).unwrap());
}

/// `binhdang serve` on a free port (one worker) over `db_url`, standard output piped.
fn serve(db_url: &str, data_dir: &std::path::Path, env: &[(&str, &str)]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_binhdang"))
        .args(["serve", "--port", "0"])
        .env("DATABASE_URL", db_url)
        .env("BINHDANG_DATA_DIR", data_dir)
        .env("WORKERS", "1")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run binhdang serve")
}

/// `serve` with `LOG_FORMAT=json`: every line on standard output is one JSON object; SIGINT
/// lets a request already on the wire finish before the process exits 0.
#[actix_web::test]
async fn serve_logs_json_and_stops_gracefully() {
    use std::io::{BufRead, Read, Write};
    let (url, _guard) = empty_database().await;
    let dir = tempfile::tempdir().unwrap();
    let mut child = serve(&url, dir.path(), &[("LOG_FORMAT", "json"), ("RUST_LOG", "info")]);
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    let port = loop {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "serve ended early: {lines:?}");
        let event: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not one JSON object ({e}): {line:?}"));
        lines.push(line);
        let message = event["message"].as_str().unwrap_or_default().to_string();
        if let Some(rest) = message.strip_prefix("binhdang is listening on http://127.0.0.1:") {
            break rest.trim().parse::<u16>().unwrap();
        }
    };
    // A request in flight when the signal arrives: readiness reads the migrations table, which
    // this test holds locked until after the signal.
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
    let mut lock = AsyncPgConnection::establish(&url).await.unwrap();
    diesel::sql_query("BEGIN").execute(&mut lock).await.unwrap();
    diesel::sql_query("LOCK TABLE __diesel_schema_migrations IN ACCESS EXCLUSIVE MODE")
        .execute(&mut lock)
        .await
        .unwrap();
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    conn.write_all(b"GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .unwrap();
    // Signal only once the request waits on the lock (a loaded machine may take a while to get
    // it there; a signal before the request is read would find nothing in flight).
    let mut watch = AsyncPgConnection::establish(&url).await.unwrap();
    let mut waiting = false;
    for _ in 0..200 {
        #[derive(diesel::QueryableByName)]
        struct Waiting {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let w: Waiting = diesel::sql_query(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .get_result(&mut watch)
        .await
        .unwrap();
        if w.n > 0 {
            waiting = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(waiting, "the readiness request never reached the lock");
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "no new connections after the signal"
    );
    assert!(child.try_wait().unwrap().is_none(), "still finishing the request");
    diesel::sql_query("COMMIT").execute(&mut lock).await.unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "the in-flight request finished: {answer:?}"
    );
    let status = child.wait().unwrap();
    assert!(status.success(), "exit status {status}");
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    for line in rest.lines().chain(lines.iter().map(|l| l.trim_end())) {
        let event: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not one JSON object ({e}): {line:?}"));
        assert!(event["level"].is_string(), "{line}");
    }
    assert!(rest.contains("SIGINT"), "the shutdown is logged: {rest}");
}

/// A database that does not answer: the command says where it looked (never the password) and
/// how to point it elsewhere.
#[actix_web::test]
async fn an_unreachable_database_is_named_without_its_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://someone:hunter2-secret@127.0.0.1:{port}/nothing");
    let out = binhdang(&url, &["migrate"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains(&format!("127.0.0.1:{port}/nothing")) && err.contains("DATABASE_URL"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "no password in the message: {err}");
}

/// A body that stops arriving is a 408 problem after `BODY_TIMEOUT_SECONDS`, not a connection
/// held open for ever.
#[actix_web::test]
async fn a_stalled_body_is_408() {
    use std::io::{BufRead, Read, Write};
    let (url, _guard) = empty_database().await;
    let dir = tempfile::tempdir().unwrap();
    let mut child = serve(&url, dir.path(), &[("BODY_TIMEOUT_SECONDS", "1"), ("RUST_LOG", "warn")]);
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let port = loop {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "serve ended early");
        if let Some(rest) = line.trim().strip_prefix("binhdang is listening on http://127.0.0.1:") {
            break rest.parse::<u16>().unwrap();
        }
    };
    for path in ["/api/v1/auth/login", "/api/v1/auth/token"] {
        let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        conn.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        write!(
            conn,
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{{\"user"
        )
        .unwrap();
        let started = std::time::Instant::now();
        let mut answer = String::new();
        let _ = conn.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 408"), "{path}: {answer:?}");
        assert!(
            answer.contains("application/problem+json") && answer.contains("request-timeout"),
            "{answer}"
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{path} answered in time"
        );
    }
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let _ = child.wait();
}

/// Every table's row count and every attachment file's hash: what a restore must bring back.
async fn inventory(db_url: &str) -> (String, String) {
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
    #[derive(diesel::QueryableByName)]
    struct Inv {
        #[diesel(sql_type = diesel::sql_types::Text)]
        counts: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        files: String,
    }
    let mut conn = AsyncPgConnection::establish(db_url).await.unwrap();
    let inv: Inv = diesel::sql_query(
        "SELECT (SELECT string_agg(t || '=' || c, ',' ORDER BY t) FROM ( \
            SELECT table_name AS t, (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I', table_name), false, true, '')))[1]::text AS c \
            FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE') s) AS counts, \
         (SELECT coalesce(string_agg(encode(sha256(content), 'hex'), ',' ORDER BY attachment_id), '') FROM attachment_contents) AS files",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    (inv.counts, inv.files)
}

/// `backup` then `restore` into a fresh database: every record and every file comes back; a
/// database that holds data is refused unless `--replace`.
#[actix_web::test]
async fn a_backup_restores_into_a_fresh_database_with_every_record_and_file() {
    let (source, _g1) = empty_database().await;
    let out = binhdang(&source, &["seed", "--demo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let before = inventory(&source).await;
    assert!(before.0.contains("attachment_contents=1"), "{}", before.0);
    assert!(
        before.0.contains("users=11") && before.0.contains("audit_events="),
        "{}",
        before.0
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("binhdang.backup");
    let file_arg = file.to_str().unwrap();
    let out = binhdang(&source, &["backup", file_arg]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Backed up"), "{}", stdout(&out));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let (target, _g2) = empty_database().await;
    let out = binhdang(&target, &["restore", file_arg]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(inventory(&target).await, before, "every record and file restored");
    // Not over data, unless asked; then whole.
    let out = binhdang(&target, &["restore", file_arg]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--replace"), "{}", stderr(&out));
    {
        use diesel_async::AsyncConnection;
        let mut conn = diesel_async::AsyncPgConnection::establish(&target).await.unwrap();
        exec(&mut conn, "DELETE FROM attachment_contents").await.unwrap();
    }
    assert_ne!(inventory(&target).await, before);
    let out = binhdang(&target, &["restore", "--replace", file_arg]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(inventory(&target).await, before);
    // The restored database serves: a demo user signs in.
    let settings = test_settings();
    let pool = binhdang::db::build_pool(&target, 2).unwrap();
    let state = binhdang::state::AppState::new(settings, pool).unwrap();
    let mut conn = state.pool.get().await.unwrap();
    let account = binhdang::auth::queries::account_by_username(&mut conn, "halong.officer")
        .await
        .unwrap()
        .expect("the demo officer is back");
    assert!(account.active);
}

/// `reseal` after a rotation: what the old key sealed (the demo survivor's identity) is sealed
/// again under the new one, and then opens without the old key.
#[actix_web::test]
async fn reseal_moves_sealed_identities_to_the_new_data_key() {
    let (url, _guard) = empty_database().await;
    let run = |args: &[&str], key: &str, previous: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_binhdang"));
        c.args(args)
            .env("DATABASE_URL", &url)
            .env("BINHDANG_DATA_DIR", std::env::temp_dir().join("binhdang-cli-test"))
            .env("RUST_LOG", "warn")
            .env("DATA_KEY", key);
        if let Some(p) = previous {
            c.env("DATA_KEY_PREVIOUS", p);
        }
        c.output().expect("run binhdang")
    };
    let (old, new) = (
        "old-data-key-old-data-key-0123456789",
        "new-data-key-new-data-key-0123456789",
    );
    let out = run(&["seed", "--demo"], old, None);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&["reseal"], new, Some(old));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("1 identities"), "{}", stdout(&out));
    // Sealed under the new key: it opens with that key alone.
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
    let mut conn = AsyncPgConnection::establish(&url).await.unwrap();
    #[derive(diesel::QueryableByName)]
    struct S {
        #[diesel(sql_type = diesel::sql_types::Bytea)]
        sealed: Vec<u8>,
    }
    let s: S = diesel::sql_query("SELECT sealed FROM support_case_identities")
        .get_result(&mut conn)
        .await
        .unwrap();
    let only_new = binhdang::auth::second_factor::DataKey::new(&binhdang::config::Secret::new(new));
    let plain = only_new.unseal(&s.sealed).expect("opens with the new key");
    assert!(String::from_utf8(plain).unwrap().contains("invented"));
    let only_old = binhdang::auth::second_factor::DataKey::new(&binhdang::config::Secret::new(old));
    assert!(only_old.unseal(&s.sealed).is_none());
    // Again: nothing left to do.
    let out = run(&["reseal"], new, Some(old));
    assert!(stdout(&out).contains("0 identities"), "{}", stdout(&out));
}
