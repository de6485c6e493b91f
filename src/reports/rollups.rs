//! The live roll-ups' upkeep (migrations `live_rollups`, `more_rollups`, `all_rollups`): the writers'
//! triggers add deltas; this folds them into the facts in the background, checks facts plus
//! deltas against the records (`binhdang verify-rollups`), and rebuilds them from the records.

use std::time::Duration;

use diesel::sql_types::{BigInt, Bool, Text};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

use crate::db::Pool;
use crate::error::ApiError;

/// Deltas folded a round at most (a round is one short transaction).
pub const BATCH: i64 = 20_000;

/// Whoever holds it folds deltas; the other instances' compactors skip the round.
const COMPACTOR_LOCK: i64 = 0x6264_726f_6c6c_7570; // "bdrollup"

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// Folds up to `batch` of the oldest deltas into the facts, in one transaction (deleted as they
/// are added, so they never count twice; a delta whose writer has not committed yet waits for
/// a later round). Returns how many it folded (0 when another instance holds the round).
pub async fn compact(conn: &mut AsyncPgConnection, batch: i64) -> diesel::QueryResult<i64> {
    conn.transaction(async |conn| {
        let lock: Locked = diesel::sql_query("SELECT pg_try_advisory_xact_lock($1) AS locked")
            .bind::<BigInt, _>(COMPACTOR_LOCK)
            .get_result(conn)
            .await?;
        if !lock.locked {
            return Ok(0);
        }
        let folded: Count = diesel::sql_query(
            "WITH moved AS ( \
                 DELETE FROM rollup_deltas WHERE id IN \
                   (SELECT id FROM rollup_deltas ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED) \
                 RETURNING unit_id, month, section, grp, key, bucket, c1, c2, c3, c4, c5, c6, c7, c8), \
             added AS ( \
                 INSERT INTO rollup_facts AS f (unit_id, month, section, grp, key, bucket, c1, c2, c3, c4, c5, c6, c7, c8) \
                 SELECT unit_id, month, section, grp, key, bucket, sum(c1), sum(c2), sum(c3), sum(c4), \
                        sum(c5), sum(c6), sum(c7), sum(c8) \
                   FROM moved GROUP BY unit_id, month, section, grp, key, bucket \
                 ON CONFLICT (unit_id, month, section, grp, key, bucket) DO UPDATE SET \
                   c1 = f.c1 + excluded.c1, c2 = f.c2 + excluded.c2, c3 = f.c3 + excluded.c3, c4 = f.c4 + excluded.c4, \
                   c5 = f.c5 + excluded.c5, c6 = f.c6 + excluded.c6, c7 = f.c7 + excluded.c7, c8 = f.c8 + excluded.c8 \
                 RETURNING 1) \
             SELECT count(*) AS n FROM moved",
        )
        .bind::<BigInt, _>(batch)
        .get_result(conn)
        .await?;
        Ok(folded.n)
    })
    .await
}

/// Folds deltas until none is left (or `rounds` rounds ran); returns how many it folded.
pub async fn compact_all(conn: &mut AsyncPgConnection, rounds: usize) -> diesel::QueryResult<i64> {
    let mut total = 0;
    for _ in 0..rounds {
        let n = compact(conn, BATCH).await?;
        total += n;
        if n < BATCH {
            break;
        }
    }
    Ok(total)
}

/// The background compactor: a round every `every`, more at once while deltas pile up.
pub async fn run(pool: Pool, every: Duration) {
    loop {
        let round = async {
            let mut conn = pool.get().await?;
            compact_all(&mut conn, 50).await.map_err(ApiError::from)
        };
        if let Err(e) = round.await {
            tracing::warn!(error = %e, "roll-up compaction round failed");
        }
        tokio::time::sleep(every).await;
    }
}

/// A unit, month and measure where facts plus deltas differ from the records.
#[derive(Debug, QueryableByName)]
pub struct Mismatch {
    #[diesel(sql_type = Text)]
    pub unit_id: String,
    #[diesel(sql_type = Text)]
    pub month: String,
    #[diesel(sql_type = Text)]
    pub measure: String,
    #[diesel(sql_type = Text)]
    pub stored: String,
    #[diesel(sql_type = Text)]
    pub computed: String,
}

/// Facts plus deltas against the records, computed afresh (`bd_rollup_computed`), in one
/// snapshot: every difference (none when the roll-ups are exact), at most `limit` of them.
pub async fn verify(conn: &mut AsyncPgConnection, limit: i64) -> diesel::QueryResult<Vec<Mismatch>> {
    conn.build_transaction()
        .repeatable_read()
        .read_only()
        .run(async |conn| {
            diesel::sql_query(
                "WITH stored AS ( \
                     SELECT unit_id, month, section, grp, key, bucket, ARRAY[sum(c1), sum(c2), sum(c3), sum(c4), \
                            sum(c5), sum(c6), sum(c7), sum(c8)]::int8[] AS v \
                       FROM (SELECT unit_id, month, section, grp, key, bucket, c1, c2, c3, c4, c5, c6, c7, c8 FROM rollup_facts \
                             UNION ALL \
                             SELECT unit_id, month, section, grp, key, bucket, c1, c2, c3, c4, c5, c6, c7, c8 FROM rollup_deltas) s \
                      GROUP BY unit_id, month, section, grp, key, bucket), \
                 computed AS ( \
                     SELECT unit_id, month, section, grp, key, bucket, ARRAY[c1, c2, c3, c4, c5, c6, c7, c8]::int8[] AS v \
                       FROM bd_rollup_computed()) \
                 SELECT coalesce(s.unit_id, c.unit_id)::text AS unit_id, coalesce(s.month, c.month)::text AS month, \
                        concat_ws('/', coalesce(s.section, c.section), coalesce(s.grp, c.grp), coalesce(s.key, c.key), \
                                  coalesce(s.bucket, c.bucket)) AS measure, \
                        coalesce(s.v, '{0,0,0,0,0,0,0,0}')::text AS stored, coalesce(c.v, '{0,0,0,0,0,0,0,0}')::text AS computed \
                   FROM stored s FULL JOIN computed c USING (unit_id, month, section, grp, key, bucket) \
                  WHERE coalesce(s.v, '{0,0,0,0,0,0,0,0}') IS DISTINCT FROM coalesce(c.v, '{0,0,0,0,0,0,0,0}') \
                  ORDER BY 1, 2, 3 LIMIT $1",
            )
            .bind::<BigInt, _>(limit)
            .load(conn)
            .await
        })
        .await
}

/// Facts computed afresh from the records, deltas emptied.
pub async fn rebuild(conn: &mut AsyncPgConnection) -> diesel::QueryResult<()> {
    conn.transaction(async |conn| conn.batch_execute("SELECT bd_rollup_rebuild()").await)
        .await
}
