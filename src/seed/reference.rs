//! Reference data as data: the CSV files under `src/seed/data/`, each row with its legal source
//! and a `verified` flag, loaded by `binhdang seed` (and at every start-up).
//!
//! The seed owns a row only while the row is as the seed last wrote it. For every row of a file:
//! - missing from the database: inserted;
//! - as the file says already: nothing to do;
//! - as the seed last wrote it (`seed_state`), or never written by anyone but the seed: updated
//!   to the file;
//! - otherwise (an admin changed it through the API): left alone, and reported.
//!
//! Values are compared as PostgreSQL reads them (`jsonb_populate_record` of the table's own row
//! type), so "30000000", 30000000 and a `bigint` column compare equal.

use diesel::sql_types::{Jsonb, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::{Map, Value};
use uuid::Uuid;

/// A data row: column name to value (a string, or null for an empty cell).
pub type Row = Map<String, Value>;

/// How a row's audit record id is derived from it.
pub type AuditId = fn(&Row) -> Option<Uuid>;

/// What a file's rows did: the rows changed (with their outcome) and those left alone.
pub type Applied = (Vec<(Row, Outcome)>, Vec<Difference>);

/// One reference table: its key columns and the columns the seed writes.
pub struct Table {
    pub name: &'static str,
    pub key: &'static [&'static str],
    pub columns: &'static [&'static str],
    /// Grows `version` and stamps `updated_at` on an update (sync clients see the change).
    pub versioned: bool,
    /// The audit resource of rows the API also writes, and how a row's audit record id is
    /// derived: a row an admin has changed is never the seed's again.
    pub audited: Option<(&'static str, AuditId)>,
}

/// What the seed did with one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Inserted,
    Updated,
    Unchanged,
    /// Changed by someone else: left alone. The fields whose values differ from the file.
    Kept(Vec<String>),
}

/// A row the seed left alone because an admin had changed it.
#[derive(Debug, Clone)]
pub struct Difference {
    pub table: &'static str,
    pub key: String,
    pub fields: Vec<String>,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: changed since the seed wrote it ({}); left as it is",
            self.table,
            self.key,
            self.fields.join(", ")
        )
    }
}

/// Reads a data file: a header row, then one row per record; `#` starts a comment line; an
/// empty cell is null. Every row must name its source and say whether it is verified.
pub fn read_csv(name: &str, text: &str) -> anyhow::Result<Vec<Map<String, Value>>> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader.headers()?.clone();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record?;
        let mut row = Map::new();
        for (h, v) in headers.iter().zip(record.iter()) {
            let value = if v.is_empty() {
                Value::Null
            } else {
                Value::String(v.to_string())
            };
            row.insert(h.to_string(), value);
        }
        let source = row
            .get("source")
            .or_else(|| row.get("legal_basis"))
            .and_then(Value::as_str)
            .unwrap_or("");
        anyhow::ensure!(!source.trim().is_empty(), "{name}, row {}: no source", i + 1);
        anyhow::ensure!(
            matches!(row.get("verified").and_then(Value::as_str), Some("true" | "false")),
            "{name}, row {}: `verified` must be true or false",
            i + 1
        );
        rows.push(row);
    }
    Ok(rows)
}

#[derive(diesel::QueryableByName)]
struct State {
    #[diesel(sql_type = Nullable<Jsonb>)]
    want: Option<Value>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    current: Option<Value>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    last: Option<Value>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    touched: bool,
}

/// The row's key as kept in `seed_state`.
fn key_of(t: &Table, row: &Map<String, Value>) -> String {
    t.key
        .iter()
        .map(|k| {
            row.get(*k)
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Applies one row of a file to its table, as the module's rules say.
pub async fn apply(conn: &mut AsyncPgConnection, t: &Table, row: &Map<String, Value>) -> anyhow::Result<Outcome> {
    // Names below are the tables' own constants, never input.
    let cols = t.columns.join(", ");
    let key_match = t
        .key
        .iter()
        .map(|k| format!("t.{k} = w.{k}"))
        .collect::<Vec<_>>()
        .join(" AND ");
    let current_cols = t
        .columns
        .iter()
        .map(|c| format!("t.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let json = Value::Object(row.clone());
    let key = key_of(t, row);
    let (resource, record) = match t.audited {
        Some((resource, id)) => (Some(resource), id(row)),
        None => (None, None),
    };
    let state: State = diesel::sql_query(format!(
        "WITH w AS (SELECT {cols} FROM jsonb_populate_record(NULL::{table}, $1)) \
         SELECT (SELECT to_jsonb(w) FROM w) AS want, \
                (SELECT to_jsonb(c) FROM (SELECT {current_cols} FROM {table} t, w WHERE {key_match}) c) AS current, \
                (SELECT written FROM seed_state WHERE table_name = $2 AND key = $3) AS last, \
                EXISTS (SELECT 1 FROM audit_events a WHERE a.resource = $4 AND a.record_id = $5 \
                        AND a.actor_kind <> 'system') AS touched",
        table = t.name
    ))
    .bind::<Jsonb, _>(&json)
    .bind::<Text, _>(t.name)
    .bind::<Text, _>(&key)
    .bind::<Nullable<Text>, _>(resource)
    .bind::<Nullable<diesel::sql_types::Uuid>, _>(record)
    .get_result(conn)
    .await?;
    let want = state.want.unwrap_or(Value::Null);
    let outcome = match &state.current {
        None => {
            diesel::sql_query(format!(
                "INSERT INTO {table} ({cols}) SELECT {cols} FROM jsonb_populate_record(NULL::{table}, $1)",
                table = t.name
            ))
            .bind::<Jsonb, _>(&json)
            .execute(conn)
            .await?;
            Outcome::Inserted
        }
        Some(current) if *current == want => Outcome::Unchanged,
        Some(current) if state.last.as_ref() == Some(current) || (state.last.is_none() && !state.touched) => {
            let stamp = if t.versioned {
                ", version = t.version + 1, updated_at = now()"
            } else {
                ""
            };
            diesel::sql_query(format!(
                "UPDATE {table} t SET ({cols}) = (SELECT {cols} FROM jsonb_populate_record(NULL::{table}, $1)){stamp} \
                 FROM (SELECT * FROM jsonb_populate_record(NULL::{table}, $1)) w WHERE {key_match}",
                table = t.name
            ))
            .bind::<Jsonb, _>(&json)
            .execute(conn)
            .await?;
            Outcome::Updated
        }
        Some(current) => {
            let fields = t
                .columns
                .iter()
                .filter(|c| current.get(**c) != want.get(**c))
                .map(|c| c.to_string())
                .collect();
            return Ok(Outcome::Kept(fields));
        }
    };
    if state.last.as_ref() != Some(&want) {
        diesel::sql_query(
            "INSERT INTO seed_state (table_name, key, written) VALUES ($1, $2, $3) \
             ON CONFLICT (table_name, key) DO UPDATE SET written = EXCLUDED.written, written_at = now()",
        )
        .bind::<Text, _>(t.name)
        .bind::<Text, _>(&key)
        .bind::<Jsonb, _>(&want)
        .execute(conn)
        .await?;
    }
    Ok(outcome)
}

/// Applies every row of a file; the rows changed (with their outcome) and those left alone.
pub async fn apply_all(conn: &mut AsyncPgConnection, t: &Table, rows: &[Row]) -> anyhow::Result<Applied> {
    let mut changed = Vec::new();
    let mut kept = Vec::new();
    for row in rows {
        match apply(conn, t, row).await? {
            Outcome::Unchanged => {}
            Outcome::Kept(fields) => kept.push(Difference {
                table: t.name,
                key: key_of(t, row),
                fields,
            }),
            o => changed.push((row.clone(), o)),
        }
    }
    Ok((changed, kept))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_without_a_source_is_refused() {
        let err = read_csv("x.csv", "day,name,source,verified\n2024-01-01,Tết,,true\n").unwrap_err();
        assert!(err.to_string().contains("no source"), "{err}");
        let err = read_csv("x.csv", "day,name,source,verified\n2024-01-01,Tết,BLLĐ,yes\n").unwrap_err();
        assert!(err.to_string().contains("verified"), "{err}");
    }

    #[test]
    fn comments_and_empty_cells() {
        let rows = read_csv("x.csv", "# a comment\na,b,source,verified\n1,,s,false\n").unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["a"], "1");
        assert!(rows[0]["b"].is_null());
    }

    /// Every data file: every row has a source and a verified flag (the loader refuses one that
    /// does not), and the keys are unique.
    #[test]
    fn every_reference_row_names_its_source() {
        for (name, text) in super::super::DATA_FILES {
            let rows = read_csv(name, text).unwrap_or_else(|e| panic!("{e}"));
            assert!(!rows.is_empty(), "{name} is empty");
            // A file's key is its first column (with the successor, for lineage).
            let first = text
                .lines()
                .find(|l| !l.starts_with('#'))
                .and_then(|h| h.split(',').next())
                .unwrap_or_default();
            let mut keys: Vec<String> = rows
                .iter()
                .map(|r| format!("{:?}{:?}", r.get(first), r.get("successor")))
                .collect();
            let n = keys.len();
            keys.sort();
            keys.dedup();
            assert_eq!(keys.len(), n, "{name}: a key appears twice");
        }
    }
}
