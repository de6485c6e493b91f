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

#[actix_web::test]
async fn user_add_reports_every_mistake() {
    let (url, _guard) = seeded_database().await;
    let ok = binhdang(
        &url,
        &[
            "user",
            "add",
            "--username",
            "ward.chair",
            "--password",
            "long-enough",
            "--unit",
            "13633",
            "--role",
            "manager",
        ],
    );
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(stdout(&ok).contains("Phường Hạ Long"));
    let by_id = binhdang(
        &url,
        &[
            "user",
            "add",
            "--username",
            "city.admin2",
            "--password",
            "long-enough",
            "--unit",
            &unit(CITY).to_string(),
            "--role",
            "admin",
        ],
    );
    assert!(by_id.status.success(), "{}", stderr(&by_id));

    let dup = binhdang(
        &url,
        &[
            "user",
            "add",
            "--username",
            "ward.chair",
            "--password",
            "long-enough",
            "--unit",
            "13633",
            "--role",
            "manager",
        ],
    );
    assert!(!dup.status.success());
    assert!(stderr(&dup).contains("already taken"), "{}", stderr(&dup));
    let unit_missing = binhdang(
        &url,
        &[
            "user",
            "add",
            "--username",
            "x.y",
            "--password",
            "long-enough",
            "--unit",
            "99999",
            "--role",
            "manager",
        ],
    );
    assert!(!unit_missing.status.success());
    assert!(stderr(&unit_missing).contains("unknown unit"));
    let role = binhdang(
        &url,
        &[
            "user",
            "add",
            "--username",
            "x.y",
            "--password",
            "long-enough",
            "--unit",
            "13633",
            "--role",
            "boss",
        ],
    );
    assert!(!role.status.success());
    assert!(stderr(&role).contains("unknown role"));
    let weak = binhdang(
        &url,
        &[
            "user",
            "add",
            "--username",
            "x.y",
            "--password",
            "short",
            "--unit",
            "13633",
            "--role",
            "viewer",
        ],
    );
    assert!(!weak.status.success());
    assert!(stderr(&weak).contains("at least 8"));
    assert!(!stderr(&weak).contains("short"), "the password is never echoed");
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
