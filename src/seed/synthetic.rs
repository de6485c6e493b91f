//! A country-sized synthetic dataset for measuring reports (`binhdang seed --synthetic N`):
//! 63 provinces, 693 districts, N commune-level units (100 of them formed by merging three
//! others on 1 July 2025, with lineage), and `records` activity records over 2021-2025, plus
//! plans, leaders and yearly figures, and `audit_events` entries of the audit trail (and so of
//! the change feed) that the records' writes would have left. Generated inside PostgreSQL
//! (`synthetic.sql`), in one transaction, deterministically.

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};

const SQL: &str = include_str!("synthetic.sql");
/// The audit trail of those records (divides by `{audit_events}`: written only when above 0).
const TRAIL_SQL: &str = include_str!("synthetic_trail.sql");

pub async fn load(conn: &mut AsyncPgConnection, communes: u32, records: u32, audit_events: u64) -> anyhow::Result<()> {
    anyhow::ensure!(
        (700..=20_000).contains(&communes),
        "--synthetic takes 700 to 20000 communes"
    );
    let sql = SQL
        .replace("{communes}", &communes.to_string())
        .replace("{records}", &records.to_string());
    let trail = (audit_events > 0).then(|| TRAIL_SQL.replace("{audit_events}", &audit_events.to_string()));
    conn.transaction::<_, anyhow::Error, _>(async |conn| {
        // Memory for the audit trail's join (kept in order of the entries, one batch).
        conn.batch_execute("SET LOCAL jit = off; SET LOCAL work_mem = '1GB'")
            .await?;
        // The roll-ups are built once from the records at the end, not a delta per row.
        conn.batch_execute(&insert_triggers("DISABLE")).await?;
        conn.batch_execute(&sql).await?;
        if let Some(trail) = &trail {
            conn.batch_execute(trail).await?;
        }
        conn.batch_execute(&insert_triggers("ENABLE")).await?;
        conn.batch_execute("SELECT bd_rollup_rebuild()").await?;
        Ok(())
    })
    .await?;
    // Statistics for the planner, and the visibility map for index-only scans.
    conn.batch_execute("VACUUM ANALYZE").await?;
    Ok(())
}

/// The roll-ups' triggers on inserts (migrations `live_rollups`, `more_rollups`, `all_rollups`),
/// by table.
const INSERT_TRIGGERS: &[(&str, &str)] = &[
    ("trainings", "trainings_rollup"),
    ("outreach_events", "outreach_events_rollup"),
    ("inspections", "inspections_rollup"),
    ("violations", "violations_rollup"),
    ("plans", "plans_rollup"),
    ("plan_targets", "plan_targets_rollup"),
    ("petitions", "petitions_rollup"),
    ("unit_figures", "unit_figures_rollup"),
    ("unit_leaders", "unit_leaders_rollup_insert"),
    ("units", "units_rollup_insert"),
];

/// `ALTER TABLE … DISABLE|ENABLE TRIGGER …` for each of them.
fn insert_triggers(action: &str) -> String {
    INSERT_TRIGGERS
        .iter()
        .map(|(table, trigger)| format!("ALTER TABLE {table} {action} TRIGGER {trigger};"))
        .collect()
}
