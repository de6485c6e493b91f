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
///
/// One branch per way a caller sees an entry (reference records, the subtree of each of its
/// scopes, the survivors' cases it handles), each an ordered range of an index of its own
/// (migration `scoped_list_indexes`), merged: a page reads about `limit` entries a branch, however
/// rare the caller's entries are among the country's, from the start of the feed as at its head.
pub async fn after(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    (txid, seq): (&str, i64),
    limit: i64,
) -> diesel::QueryResult<Vec<Row>> {
    let (types_op, types): (&str, &[&str]) = match caller.role {
        Role::Partner => ("= ANY", PARTNER_TYPES),
        Role::Admin => ("<> ALL", &[]),
        _ => ("<> ALL", ADMIN_TYPES),
    };
    let partner = if caller.role == Role::Partner {
        PARTNER_PUBLIC
    } else {
        ""
    };
    // $1 and $2 the cursor, $3 the resource types, $4 the caller's id, then the scopes.
    let common = format!(
        "(txid, seq) > (CAST($1 AS xid8), $2) AND txid < (SELECT h FROM horizon) AND resource {types_op}($3){partner}"
    );
    let mut branches = vec!["record_unit_path = '/'".to_string()];
    let mut binds: Vec<String> = Vec::new();
    for scope in &caller.scopes {
        let (cond, bind) = crate::http::list::subtree_match("record_unit_path", scope, true);
        binds.push(bind);
        branches.push(cond.replace('?', &format!("${}", binds.len() + 4)));
    }
    // A survivor's case's entries (ids only) reach its current readers, and a tombstone the one
    // user who lost access.
    branches.push(crate::audit::case_entry_for("CAST($4 AS uuid)"));
    let union: Vec<String> = branches
        .iter()
        .map(|b| {
            format!(
                "(SELECT txid, seq, resource, record_id, action, at, after FROM audit_events \
                  WHERE {common} AND {b} ORDER BY txid, seq LIMIT {limit})"
            )
        })
        .collect();
    // UNION, not UNION ALL: an entry may be seen more than one way (a case's, in a scope).
    // The output column `txid` is text; ORDER BY names the xid8 column, or "10" sorts before "9".
    let sql = format!(
        "WITH horizon AS MATERIALIZED (SELECT bd_feed_horizon() AS h) \
         SELECT e.txid::text AS txid, e.seq, e.resource, e.record_id, e.action, e.at, e.after, \
                coalesce((e.after->>'is_public')::boolean, false) AS is_public \
           FROM ({}) e ORDER BY e.txid, e.seq LIMIT {limit}",
        union.join(" UNION ")
    );
    let mut query = diesel::sql_query(sql)
        .into_boxed::<diesel::pg::Pg>()
        .bind::<Text, _>(txid.to_string())
        .bind::<BigInt, _>(seq)
        .bind::<diesel::sql_types::Array<Text>, _>(types.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .bind::<Text, _>(caller.id.to_string());
    for b in binds {
        query = query.bind::<Text, _>(b);
    }
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
