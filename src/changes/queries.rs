//! The change feed's reads: changes after a cursor that the caller may see, in commit order.

use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::model::{Head, Row};
use crate::auth::{Caller, Role};
use crate::http::list::escape_like;

/// Resource types a partner client may follow: public reference data, and outreach events
/// that are public (or were, before the change: the tombstone that tells the partner's copy to
/// go).
const PARTNER_TYPES: &[&str] = &["unit", "unit_lineage", "legal_document", "outreach_event"];

/// An entry a partner may see of its types: an outreach event's only while it is, or was, public.
const PARTNER_PUBLIC: &str = " AND (resource <> 'outreach_event' OR coalesce((after->>'is_public')::boolean, false) \
     OR coalesce((before->>'is_public')::boolean, false))";
/// Resource types only admins may read.
const ADMIN_TYPES: &[&str] = &["api_client", "user", "webhook_endpoint"];

/// The feed's horizon: every change before it is committed (a cursor "now" starts there).
pub async fn horizon(conn: &mut AsyncPgConnection) -> diesel::QueryResult<String> {
    let head: Head = diesel::sql_query("SELECT bd_feed_horizon()::text AS xmin")
        .get_result(conn)
        .await?;
    Ok(head.xmin)
}

/// Up to `limit` changes after `(txid, seq)` in the caller's scopes (and of the resource types
/// its role may follow), oldest first.
pub async fn after(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    (txid, seq): (&str, i64),
    limit: i64,
) -> diesel::QueryResult<Vec<Row>> {
    let mut sql = String::from(
        // The output column `txid` is text; ORDER BY must name the table's xid8 column, or "10" sorts
        // before "9".
        "SELECT txid::text AS txid, seq, resource, record_id, action, at, after, \
                coalesce((after->>'is_public')::boolean, false) AS is_public FROM audit_events \
         WHERE (txid, seq) > (CAST($1 AS xid8), $2) AND txid < bd_feed_horizon() AND (record_unit_path = '/'",
    );
    let mut binds: Vec<String> = Vec::new();
    for (i, _) in caller.scopes.iter().enumerate() {
        sql.push_str(&format!(" OR record_unit_path LIKE ${}", i + 3));
    }
    binds.extend(caller.scopes.iter().map(|p| format!("{}%", escape_like(p))));
    // A survivor's case's entries (ids only) reach its current readers, and a tombstone the one
    // user who lost access.
    binds.push(caller.id.to_string());
    sql.push_str(&format!(
        " OR {})",
        crate::audit::case_entry_for(&format!("CAST(${} AS uuid)", binds.len() + 2))
    ));
    let (types_op, types): (&str, &[&str]) = match caller.role {
        Role::Partner => ("= ANY", PARTNER_TYPES),
        Role::Admin => ("<> ALL", &[]),
        _ => ("<> ALL", ADMIN_TYPES),
    };
    sql.push_str(&format!(" AND resource {types_op}(${})", binds.len() + 3));
    if caller.role == Role::Partner {
        sql.push_str(PARTNER_PUBLIC);
    }
    sql.push_str(&format!(
        " ORDER BY audit_events.txid, audit_events.seq LIMIT {}",
        limit
    ));
    let mut query = diesel::sql_query(sql)
        .into_boxed::<diesel::pg::Pg>()
        .bind::<Text, _>(txid.to_string())
        .bind::<BigInt, _>(seq);
    for b in binds {
        query = query.bind::<Text, _>(b);
    }
    query = query.bind::<diesel::sql_types::Array<Text>, _>(types.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    query.load(conn).await
}

/// A feed row with what a partner's webhook fan-out needs beside it.
#[derive(Debug, diesel::QueryableByName)]
pub struct WindowRow {
    #[diesel(embed)]
    pub change: Row,
    /// The record's unit path (`/` for reference records).
    #[diesel(sql_type = Text)]
    pub record_unit_path: String,
    /// True when the partner's change feed carries this row (see [`after`]).
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub partner_visible: bool,
}

/// The changes after `(txid, seq)` and below `horizon` (from [`horizon`], read before) in a
/// partner's `scopes` whose resource is one the partner follows or one of `also`, oldest first:
/// what a webhook endpoint's fan-out reads. `partner_visible` marks the rows the partner's own
/// change feed carries.
pub async fn partner_window(
    conn: &mut AsyncPgConnection,
    scopes: &[String],
    (txid, seq): (&str, i64),
    horizon: &str,
    also: &[&str],
    limit: i64,
) -> diesel::QueryResult<Vec<WindowRow>> {
    let sql = format!(
        "SELECT txid::text AS txid, seq, resource, record_id, action, at, after, record_unit_path, \
                coalesce((after->>'is_public')::boolean, false) AS is_public, \
                (resource = ANY($5){PARTNER_PUBLIC}) AS partner_visible \
         FROM audit_events \
         WHERE (txid, seq) > (CAST($1 AS xid8), $2) AND txid < CAST($3 AS xid8) \
           AND (record_unit_path = '/' OR record_unit_path LIKE ANY($4)) \
           AND (resource = ANY($5) OR resource = ANY($6)) \
         ORDER BY audit_events.txid, audit_events.seq LIMIT {limit}"
    );
    let patterns: Vec<String> = scopes.iter().map(|p| format!("{}%", escape_like(p))).collect();
    let list = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    diesel::sql_query(sql)
        .bind::<Text, _>(txid)
        .bind::<BigInt, _>(seq)
        .bind::<Text, _>(horizon)
        .bind::<diesel::sql_types::Array<Text>, _>(patterns)
        .bind::<diesel::sql_types::Array<Text>, _>(list(PARTNER_TYPES))
        .bind::<diesel::sql_types::Array<Text>, _>(list(also))
        .load(conn)
        .await
}
