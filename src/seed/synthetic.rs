//! A country-sized synthetic dataset for measuring reports (`binhdang seed --synthetic N`):
//! 63 provinces, 693 districts, N commune-level units (100 of them formed by merging three
//! others on 1 July 2025, with lineage), and `records` activity records over 2021-2025, plus
//! plans, leaders and yearly figures. Generated inside PostgreSQL (`synthetic.sql`), in one
//! transaction, deterministically.

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};

const SQL: &str = include_str!("synthetic.sql");

pub async fn load(conn: &mut AsyncPgConnection, communes: u32, records: u32) -> anyhow::Result<()> {
    anyhow::ensure!(
        (700..=20_000).contains(&communes),
        "--synthetic takes 700 to 20000 communes"
    );
    let sql = SQL
        .replace("{communes}", &communes.to_string())
        .replace("{records}", &records.to_string());
    conn.transaction::<_, anyhow::Error, _>(async |conn| {
        conn.batch_execute("SET LOCAL jit = off").await?;
        conn.batch_execute(&sql).await?;
        Ok(())
    })
    .await?;
    // Statistics for the planner, and the visibility map for index-only scans.
    conn.batch_execute("VACUUM ANALYZE").await?;
    Ok(())
}
