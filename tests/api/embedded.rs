//! The embedded default the README's run command uses: durable (fsync and full-page writes
//! on) and password-protected, and a cluster made the old way (trust, fsync off) is converted
//! on its next start.

use std::os::unix::fs::PermissionsExt;

use binhdang::db::embedded::{EmbeddedPostgres, PASSWORD_FILE};
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

#[derive(diesel::QueryableByName)]
struct Setting {
    #[diesel(sql_type = Text)]
    value: String,
}

async fn show(url: &str, name: &str) -> String {
    let mut conn = AsyncPgConnection::establish(url).await.expect("connect");
    let row: Setting = diesel::sql_query(format!("SELECT current_setting('{name}') AS value"))
        .get_result(&mut conn)
        .await
        .unwrap();
    row.value
}

#[actix_web::test]
async fn the_embedded_default_is_durable_and_asks_for_a_password() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let cluster = dir.path().join("postgres");
    // Made the old way: trust and fsync off (as the test suite's own throwaway cluster is).
    let old = EmbeddedPostgres::start(&cluster, "binhdang", false).await.unwrap();
    assert_eq!(show(&old.url(), "fsync").await, "off");
    old.stop().await.unwrap();

    let pg = EmbeddedPostgres::start(&cluster, "binhdang", true).await.unwrap();
    let url = pg.url();
    assert_eq!(show(&url, "fsync").await, "on");
    assert_eq!(show(&url, "full_page_writes").await, "on");
    let file = cluster.join(PASSWORD_FILE);
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the password file is the owner's only");
    let password = std::fs::read_to_string(&file).unwrap();
    assert!(password.trim().len() >= 24);
    assert!(url.contains(password.trim()));
    let port = url.rsplit(':').next().unwrap().split('/').next().unwrap().to_string();
    let without = format!("postgres://postgres@127.0.0.1:{port}/binhdang");
    assert!(
        AsyncPgConnection::establish(&without).await.is_err(),
        "no password, no connection"
    );
    let wrong = format!("postgres://postgres:wrong@127.0.0.1:{port}/binhdang");
    assert!(AsyncPgConnection::establish(&wrong).await.is_err());
    pg.stop().await.unwrap();

    // The next start reads the same password.
    let again = EmbeddedPostgres::start(&cluster, "binhdang", true).await.unwrap();
    assert!(again.url().contains(password.trim()), "the same password");
    assert_eq!(show(&again.url(), "fsync").await, "on");
    again.stop().await.unwrap();
}

/// `backup` and `restore` on the embedded default (no DATABASE_URL): the password comes from
/// the cluster's file, never from the command line.
#[actix_web::test]
async fn backup_and_restore_work_on_the_embedded_default() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_binhdang"))
            .args(args)
            .env_remove("DATABASE_URL")
            .env("BINHDANG_DATA_DIR", dir.path())
            .env("RUST_LOG", "warn")
            .output()
            .expect("run binhdang")
    };
    let out = run(&["seed", "--demo"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let file = dir.path().join("nightly.backup");
    let out = run(&["backup", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::metadata(&file).unwrap().len() > 10_000);
    let out = run(&["restore", "--replace", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pg = EmbeddedPostgres::start(&dir.path().join("postgres"), "binhdang", true)
        .await
        .unwrap();
    let mut conn = AsyncPgConnection::establish(&pg.url()).await.unwrap();
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let users: N = diesel::sql_query("SELECT count(*) AS n FROM users")
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        users.n,
        (binhdang::seed::DEMO_USERS.len() + binhdang::seed::DEMO_CASE_USERS.len()) as i64
    );
    let files: N = diesel::sql_query("SELECT count(*) AS n FROM attachment_contents")
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(files.n, 1);
    drop(conn);
    pg.stop().await.unwrap();
}
