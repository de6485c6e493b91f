//! Each migration's down.sql reverses its up.sql exactly.

use diesel::Connection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::AsyncPgConnection;
use diesel_migrations::MigrationHarness;

use crate::harness::*;

const SNAPSHOT: &str = r#"
SELECT coalesce(string_agg(x, E'\n' ORDER BY x), '') AS schema FROM (
  SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') || ' ' || coalesce(generation_expression, '')
    FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'
  UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '__diesel_schema_migrations'
  UNION ALL SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
    WHERE connamespace = 'public'::regnamespace AND conrelid <> coalesce(to_regclass('__diesel_schema_migrations'), 0)
  UNION ALL SELECT 'function ' || proname || '(' || pg_get_function_identity_arguments(oid) || ') ' || md5(prosrc) FROM pg_proc WHERE pronamespace = 'public'::regnamespace
  UNION ALL SELECT 'trigger ' || c.relname || ' ' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace
  UNION ALL SELECT 'extension ' || extname FROM pg_extension
  UNION ALL SELECT 'type ' || typname FROM pg_type WHERE typnamespace = 'public'::regnamespace AND typtype IN ('e', 'd')
  UNION ALL SELECT 'sequence ' || sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public'
  UNION ALL SELECT 'view ' || table_name FROM information_schema.views WHERE table_schema = 'public'
  UNION ALL SELECT 'rule ' || tablename || ' ' || rulename FROM pg_rules WHERE schemaname = 'public'
) s(x)
"#;

#[derive(diesel::QueryableByName)]
struct Snapshot {
    #[diesel(sql_type = diesel::sql_types::Text)]
    schema: String,
}

fn snapshot(conn: &mut AsyncConnectionWrapper<AsyncPgConnection>) -> String {
    use diesel::RunQueryDsl;
    diesel::sql_query(SNAPSHOT)
        .get_result::<Snapshot>(conn)
        .expect("snapshot")
        .schema
}

#[actix_web::test]
async fn every_down_reverses_its_up() {
    let (url, _guard) = empty_database().await;
    let checked = tokio::task::spawn_blocking(move || {
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url).expect("connect");
        let mut checked = Vec::new();
        loop {
            let pending = conn.pending_migrations(binhdang::db::MIGRATIONS).expect("pending");
            let Some(next) = pending.first() else { break };
            let name = next.name().to_string();
            let before = snapshot(&mut conn);
            conn.run_next_migration(binhdang::db::MIGRATIONS).expect("up");
            let after_up = snapshot(&mut conn);
            assert_ne!(before, after_up, "{name}: up.sql changes the schema");
            conn.revert_last_migration(binhdang::db::MIGRATIONS).expect("down");
            let after_down = snapshot(&mut conn);
            assert_eq!(before, after_down, "{name}: down.sql restores the schema");
            conn.run_next_migration(binhdang::db::MIGRATIONS).expect("up again");
            assert_eq!(
                after_up,
                snapshot(&mut conn),
                "{name}: up.sql is repeatable after down.sql"
            );
            checked.push(name);
        }
        checked
    })
    .await
    .unwrap();
    assert!(!checked.is_empty());
}

/// `src/db/schema.rs` describes the migrated database exactly: the same tables, columns and
/// nullability (a drift check in place of re-running `diesel print-schema`).
#[actix_web::test]
async fn schema_rs_matches_the_migrated_database() {
    use diesel_async::RunQueryDsl;
    let text =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/db/schema.rs")).unwrap();
    let mut declared = std::collections::BTreeSet::new();
    let mut table: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some((name, _)) = line.split_once(" (").filter(|_| line.ends_with(") {")) {
            table = Some(name.to_string());
        } else if line == "}" {
            table = None;
        } else if let (Some(t), Some((col, ty))) = (&table, line.split_once(" -> ")) {
            declared.insert((t.clone(), col.to_string(), ty.starts_with("Nullable<")));
        }
    }
    let (url, _guard) = seeded_database().await;
    let mut conn = <diesel_async::AsyncPgConnection as diesel_async::AsyncConnection>::establish(&url)
        .await
        .unwrap();
    #[derive(diesel::QueryableByName)]
    struct Col {
        #[diesel(sql_type = diesel::sql_types::Text)]
        table_name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        column_name: String,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        nullable: bool,
    }
    let cols: Vec<Col> = diesel::sql_query(
        "SELECT table_name::text, column_name::text, (is_nullable = 'YES') AS nullable FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let actual: std::collections::BTreeSet<_> = cols
        .into_iter()
        .map(|c| (c.table_name, c.column_name, c.nullable))
        .collect();
    assert!(
        declared.len() > 200,
        "parsed only {} columns from schema.rs",
        declared.len()
    );
    let missing: Vec<_> = actual.difference(&declared).collect();
    let extra: Vec<_> = declared.difference(&actual).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "schema.rs drifted:\n in the database only: {missing:?}\n in schema.rs only: {extra:?}"
    );
}
