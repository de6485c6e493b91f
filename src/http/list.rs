//! Lists: keyset pagination with an opaque cursor, an allow-listed `sort`, filters and `q`.
//!
//! A list is built as SQL by [`ListSql`] from fixed fragments that the resource supplies (never
//! from client text) plus bound parameters. Pagination is by key (`(sort column, id) > cursor`),
//! so a page is an index range scan whatever the page number, and rows inserted between two
//! calls neither repeat nor shift the pages.

use base64::Engine;
use diesel::pg::Pg;
use diesel::sql_types;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

/// `limit` and `cursor`, shared by every list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size: default 50, at most 500 (a larger value is clamped, not an error).
    #[param(minimum = 1, example = 50)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page, unchanged.
    pub cursor: Option<String>,
    /// Sort field, `-` prefix for descending (e.g. `-updated_at`); see each list for its fields.
    /// (No example is pre-filled: each list allows its own fields.)
    pub sort: Option<String>,
}

impl PageQuery {
    pub fn limit(&self) -> i64 {
        self.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
    }
}

/// A list's `from` and `to` (either may be absent): `to` before `from` is 422 naming `to`, as
/// on the report, rather than an empty page that looks like "nothing happened".
pub fn check_period<T: PartialOrd>(from: Option<T>, to: Option<T>) -> crate::error::ApiResult<()> {
    match (from, to) {
        (Some(f), Some(t)) if t < f => Err(crate::error::ApiError::field(
            "to",
            "before_start",
            "must not be before from",
            "không được trước from",
        )),
        _ => Ok(()),
    }
}

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// The one page of an empty list.
    pub fn empty() -> Self {
        Page {
            data: Vec::new(),
            next_cursor: None,
        }
    }
}

/// A field a list may be sorted by: its public name, its SQL expression and SQL type.
#[derive(Debug)]
pub struct SortField {
    pub name: &'static str,
    pub column: &'static str,
    pub sql_type: &'static str,
}

#[derive(Debug, Clone, Copy)]
pub struct Sort {
    pub field: &'static SortField,
    pub desc: bool,
}

impl Sort {
    /// Parses `sort` against the allow-list; the first entry, ascending, is the default.
    pub fn parse(raw: Option<&str>, allowed: &'static [SortField]) -> ApiResult<Sort> {
        Self::parse_or(raw, allowed, false)
    }

    /// The same, with the first entry descending by default (newest first).
    pub fn parse_newest_first(raw: Option<&str>, allowed: &'static [SortField]) -> ApiResult<Sort> {
        Self::parse_or(raw, allowed, true)
    }

    fn parse_or(raw: Option<&str>, allowed: &'static [SortField], desc: bool) -> ApiResult<Sort> {
        let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(Sort {
                field: &allowed[0],
                desc,
            });
        };
        let (desc, name) = match raw.strip_prefix('-') {
            Some(n) => (true, n),
            None => (false, raw),
        };
        allowed
            .iter()
            .find(|f| f.name == name)
            .map(|field| Sort { field, desc })
            .ok_or_else(|| {
                let names: Vec<&str> = allowed.iter().map(|f| f.name).collect();
                ApiError::field(
                    "sort",
                    "invalid",
                    format!("must be one of {} (prefix - for descending)", names.join(", ")),
                    format!("phải là một trong {} (thêm - để sắp xếp giảm dần)", names.join(", ")),
                )
            })
    }
}

/// The position after the last row of a page: the sort it belongs to, the row's sort value and id.
#[derive(Debug, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "s")]
    pub sort: String,
    #[serde(rename = "v")]
    pub value: String,
    #[serde(rename = "i")]
    pub id: String,
}

impl Cursor {
    /// `{"s":…,"v":…,"i":…}` in URL-safe base64: the JSON written by hand (serde's writer for
    /// three strings cost a tenth of a list page's SQL building), escaped as serde escapes, so
    /// [`Cursor::decode_as`] reads it back.
    pub fn encode(&self) -> String {
        let mut json = Vec::with_capacity(16 + self.sort.len() + self.value.len() + self.id.len());
        for (key, value) in [
            (&b"{\"s\":"[..], &self.sort),
            (b",\"v\":", &self.value),
            (b",\"i\":", &self.id),
        ] {
            json.extend_from_slice(key);
            crate::text::escaped(&mut json, value.as_bytes());
        }
        json.push(b'}');
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    /// Decodes a cursor of a list sorted by `sort`.
    pub fn decode(raw: &str, sort: &Sort) -> ApiResult<Cursor> {
        let cursor = Self::decode_as(raw, "cursor")?;
        if cursor.sort != sort_key(sort) {
            return Err(ApiError::field(
                "cursor",
                "sort_mismatch",
                "belongs to another sort order; send the same sort as for the first page",
                "thuộc về thứ tự sắp xếp khác; hãy gửi cùng tham số sort như trang đầu",
            ));
        }
        // A cursor is opaque but not signed: one made by hand must still fit the sort's column
        // and the tie-breaker, or the database would refuse the cast (a 500).
        let fits = match sort.field.sql_type {
            "timestamptz" => chrono::DateTime::parse_from_rfc3339(&cursor.value).is_ok(),
            "date" => crate::http::date::parse(&cursor.value).is_some(),
            "integer" => cursor.value.parse::<i32>().is_ok(),
            "bigint" => cursor.value.parse::<i64>().is_ok(),
            _ => !cursor.value.contains('\0'),
        };
        let id_fits = cursor.id.parse::<uuid::Uuid>().is_ok() || cursor.id.parse::<i64>().is_ok();
        if !fits || !id_fits {
            return Err(ApiError::field(
                "cursor",
                "invalid",
                "is not a cursor this list gave out",
                "không phải con trỏ do danh sách này trả về",
            ));
        }
        Ok(cursor)
    }

    /// Decodes any cursor this service gave out; `param` names the parameter in errors.
    pub fn decode_as(raw: &str, param: &str) -> ApiResult<Cursor> {
        let bad = || {
            ApiError::field(
                param,
                "invalid",
                "is not a cursor this list gave out",
                "không phải con trỏ do danh sách này trả về",
            )
        };
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(raw.trim())
            .map_err(|_| bad())?;
        serde_json::from_slice(&bytes).map_err(|_| bad())
    }
}

fn sort_key(sort: &Sort) -> String {
    format!("{}{}", if sort.desc { "-" } else { "" }, sort.field.name)
}

/// A row of a list: its id and the text form of a sort field's value (for the cursor).
pub trait Keyed {
    /// The tie-breaker's value (a UUID or a sequence number) as text.
    fn id(&self) -> String;
    fn sort_value(&self, field: &str) -> String;
}

/// The cursor of the page that follows `row` in `sort` order.
pub fn cursor_after(row: &impl Keyed, sort: &Sort) -> String {
    Cursor {
        sort: sort_key(sort),
        value: row.sort_value(sort.field.name),
        id: row.id(),
    }
    .encode()
}

/// Turns `limit + 1` fetched rows into a page and its cursor.
pub fn paginate<R: Keyed, T>(mut rows: Vec<R>, limit: i64, sort: &Sort, map: impl Fn(R) -> T) -> Page<T> {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|r| cursor_after(r, sort))
    } else {
        None
    };
    Page {
        data: rows.into_iter().map(map).collect(),
        next_cursor,
    }
}

/// A bound parameter of a list query.
#[derive(Debug, Clone)]
pub enum Bind {
    Text(String),
    Uuid(Uuid),
    Int(i64),
    Bool(bool),
    Date(chrono::NaiveDate),
}

/// Escapes `%`, `_` and `\` for use inside a LIKE pattern.
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Builds `SELECT ... WHERE ... ORDER BY ... LIMIT` for one list request.
///
/// The conditions are written as they come into one string, joined by `AND`, with each `?`
/// numbered in place: no string per condition or per placeholder (a list request builds its
/// statement anew each time).
pub struct ListSql {
    select_from: String,
    id_column: &'static str,
    id_type: &'static str,
    /// The conditions so far, joined by ` AND `.
    conds: String,
    binds: Vec<Bind>,
    prefix_indexed: bool,
}

/// The length of a unit path at `depth` (the root is 0): `/` and a uuid and `/` per level.
const fn path_len(depth: usize) -> usize {
    1 + 37 * (depth + 1)
}

/// The path lengths at which the big tables keep an index on `left(path, n)` per sort (the
/// migration `scoped_list_indexes`): a province, a district, a commune.
const PREFIX_INDEXED_LENGTHS: [usize; 3] = [path_len(1), path_len(2), path_len(3)];

/// How "lies under `prefix`" is matched: `Some(n)` for `left(path, n) = prefix` (an indexed
/// table, a unit below the root), `None` for a `LIKE` prefix.
fn prefix_length(prefix: &str, indexed: bool) -> Option<usize> {
    (indexed && PREFIX_INDEXED_LENGTHS.contains(&prefix.len()) && prefix.is_ascii()).then_some(prefix.len())
}

/// The text bound to a subtree condition of that form.
fn subtree_bind(prefix: &str, length: Option<usize>) -> String {
    match length {
        Some(_) => prefix.to_string(),
        None => format!("{}%", escape_like(prefix)),
    }
}

/// Writes the subtree condition on `path_column` of that form, with `placeholder` for its bind.
fn write_subtree(out: &mut String, path_column: &str, length: Option<usize>, placeholder: &str) {
    match length {
        Some(n) => {
            out.push_str("left(");
            out.push_str(path_column);
            out.push_str(", ");
            push_number(out, n);
            out.push_str(") = ");
        }
        None => {
            out.push_str(path_column);
            out.push_str(" LIKE ");
        }
    }
    out.push_str(placeholder);
}

/// Appends `n` in decimal.
fn push_number(out: &mut String, n: usize) {
    use std::fmt::Write;
    // Writing into a String cannot fail.
    let _ = write!(out, "{n}");
}

/// "`path_column` lies under `prefix`" as SQL with one `?` and the text to bind to it: with
/// `indexed` (the table keeps the per-depth prefix indexes of the migration
/// `scoped_list_indexes`), `left(path, n) = prefix` for a unit below the root, an equality those
/// indexes serve in sort order; otherwise (and for the root, which every row is under) a `LIKE`
/// prefix.
pub fn subtree_match(path_column: &str, prefix: &str, indexed: bool) -> (String, String) {
    let length = prefix_length(prefix, indexed);
    let mut cond = String::new();
    write_subtree(&mut cond, path_column, length, "?");
    (cond, subtree_bind(prefix, length))
}

impl ListSql {
    /// `select_from` is `SELECT <columns> FROM <table> [joins]`; `id_column` the unique
    /// tie-breaker (a uuid column).
    pub fn new(select_from: impl Into<String>, id_column: &'static str) -> Self {
        Self::with_id_type(select_from, id_column, "uuid")
    }

    /// As [`ListSql::new`], with a tie-breaker of another SQL type (e.g. `bigint`).
    pub fn with_id_type(select_from: impl Into<String>, id_column: &'static str, id_type: &'static str) -> Self {
        Self {
            select_from: select_from.into(),
            id_column,
            id_type,
            conds: String::with_capacity(256),
            binds: Vec::with_capacity(4),
            prefix_indexed: false,
        }
    }

    /// The table keeps the per-depth prefix indexes of the migration `scoped_list_indexes`:
    /// a subtree below the root is then matched as `left(path, n) = path`, an equality those
    /// indexes serve in sort order, instead of a `LIKE` prefix, which cannot serve a sort.
    pub fn prefix_indexed(mut self) -> Self {
        self.prefix_indexed = true;
        self
    }

    /// Starts a condition: ` AND ` after the ones before it.
    fn next_cond(&mut self) {
        if !self.conds.is_empty() {
            self.conds.push_str(" AND ");
        }
    }

    /// Binds `b` and writes its placeholder (`$n`) at the end of the conditions.
    fn put_bind(&mut self, b: Bind) {
        self.binds.push(b);
        self.conds.push('$');
        push_number(&mut self.conds, self.binds.len());
    }

    /// Writes the subtree condition "`path_column` lies under `prefix`" with its bind.
    fn put_subtree(&mut self, path_column: &str, prefix: &str) {
        let length = prefix_length(prefix, self.prefix_indexed);
        write_subtree(&mut self.conds, path_column, length, "");
        self.put_bind(Bind::Text(subtree_bind(prefix, length)));
    }

    /// Adds a condition; each `?` in `sql` takes the next of `binds`.
    pub fn filter(&mut self, sql: &str, binds: impl IntoIterator<Item = Bind>) -> &mut Self {
        let mut binds = binds.into_iter();
        self.next_cond();
        let mut rest = sql;
        while let Some(at) = rest.find('?') {
            self.conds.push_str(&rest[..at]);
            // The SQL fragments are fixed strings of this crate, each written with its binds:
            // a missing bind is a programming error caught by the tests.
            self.put_bind(binds.next().expect("a bind for every placeholder"));
            rest = &rest[at + 1..];
        }
        self.conds.push_str(rest);
        self
    }

    /// Rows whose materialized path column lies under `prefix` (the unit itself included).
    pub fn in_subtree(&mut self, path_column: &str, prefix: &str) -> &mut Self {
        self.next_cond();
        self.put_subtree(path_column, prefix);
        self
    }

    /// Rows whose path column lies under any of the caller's scopes.
    pub fn in_scopes(&mut self, path_column: &str, scopes: &[String]) -> &mut Self {
        if scopes.is_empty() {
            return self.filter("false", []);
        }
        self.next_cond();
        self.conds.push('(');
        for (i, scope) in scopes.iter().enumerate() {
            if i > 0 {
                self.conds.push_str(" OR ");
            }
            self.put_subtree(path_column, scope);
        }
        self.conds.push(')');
        self
    }

    /// As [`ListSql::in_scopes`], plus the records that belong to no unit (path `/`).
    pub fn in_scopes_or_global(&mut self, path_column: &str, scopes: &[String]) -> &mut Self {
        self.in_scopes_or_global_or(path_column, scopes, "false", [])
    }

    /// As [`ListSql::in_scopes_or_global`], or rows that meet `other` (with its binds).
    pub fn in_scopes_or_global_or(
        &mut self,
        path_column: &str,
        scopes: &[String],
        other: &str,
        other_binds: impl IntoIterator<Item = Bind>,
    ) -> &mut Self {
        let mut ors: Vec<String> = scopes.iter().map(|_| format!("{path_column} LIKE ?")).collect();
        ors.push(format!("{path_column} = '{}'", crate::audit::GLOBAL_PATH));
        ors.push(other.to_string());
        let mut binds: Vec<Bind> = scopes
            .iter()
            .map(|p| Bind::Text(format!("{}%", escape_like(p))))
            .collect();
        binds.extend(other_binds);
        self.filter(&format!("({})", ors.join(" OR ")), binds)
    }

    /// Diacritic- and case-insensitive substring search on a folded column (trigram-indexed).
    pub fn search(&mut self, folded_column: &str, q: &str) -> &mut Self {
        self.filter(
            &format!("{folded_column} LIKE '%' || bd_fold(?) || '%'"),
            [Bind::Text(escape_like(q.trim()))],
        )
    }

    /// A bind of the caller's own for SQL it writes around the list (see
    /// [`ListSql::page_within`]); answers its placeholder.
    pub fn bind(&mut self, b: Bind) -> String {
        self.binds.push(b);
        format!("${}", self.binds.len())
    }

    /// As [`ListSql::page`], with the page's query wrapped by `wrap` (it gets the query's SQL
    /// and the page's `ORDER BY` columns without their table prefix, for a statement that reads
    /// the page from a `WITH` and does more with it, such as log each row read).
    pub fn page_within(
        self,
        sort: &Sort,
        cursor: Option<&Cursor>,
        limit: i64,
        wrap: impl FnOnce(&str, &str) -> String,
    ) -> CachedSql {
        let dir = if sort.desc { "DESC" } else { "ASC" };
        let bare = |c: &str| c.rsplit('.').next().unwrap_or(c).to_string();
        let order = format!("{} {dir}, {} {dir}", bare(sort.field.column), bare(self.id_column));
        let inner = self.page(sort, cursor, limit);
        CachedSql::new(wrap(&inner.sql, &order), inner.binds)
    }

    /// The query for one page: `limit + 1` rows after `cursor` in `sort` order.
    pub fn page(mut self, sort: &Sort, cursor: Option<&Cursor>, limit: i64) -> CachedSql {
        let (op, dir) = if sort.desc { (" < ", " DESC") } else { (" > ", " ASC") };
        let (col, id) = (sort.field.column, self.id_column);
        if let Some(c) = cursor {
            // (col, id) op (CAST($v AS type), CAST($i AS id type))
            self.next_cond();
            for part in ["(", col, ", ", id, ")", op, "(CAST("] {
                self.conds.push_str(part);
            }
            self.put_bind(Bind::Text(c.value.clone()));
            for part in [" AS ", sort.field.sql_type, "), CAST("] {
                self.conds.push_str(part);
            }
            self.put_bind(Bind::Text(c.id.clone()));
            for part in [" AS ", self.id_type, "))"] {
                self.conds.push_str(part);
            }
        }
        let mut sql = self.select_from;
        sql.reserve(self.conds.len() + col.len() + id.len() + 40);
        if !self.conds.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&self.conds);
        }
        self.binds.push(Bind::Int(limit + 1));
        for part in [" ORDER BY ", col, dir, ", ", id, dir, " LIMIT $"] {
            sql.push_str(part);
        }
        push_number(&mut sql, self.binds.len());
        CachedSql::new(sql, self.binds)
    }
}

/// A hand-built query whose server-side prepared statement is cached per connection, keyed by
/// its SQL text (Diesel's `sql_query` is never cached, so each call would be parsed and
/// planned again and cost an extra round trip). The SQL holds `$1`, `$2`, ... in the order of
/// `binds`; it is only ever built from this crate's fixed fragments.
///
/// Untyped (`ST` left as is), its rows are read by column name (`QueryableByName`: each
/// field looks its column up among the row's). [`CachedSql::rows_of`] types it as the rows of
/// a `Selectable` struct, read by position, when the query selects [`columns_of`] that struct.
pub struct CachedSql<ST = sql_types::Untyped> {
    sql: String,
    binds: Vec<Bind>,
    /// Each `$n` of `sql`: where it starts and ends, and `n`; found once here, for the three
    /// walks diesel makes over a query (its SQL, its binds, whether it may be cached).
    placeholders: Vec<(usize, usize, usize)>,
    rows: std::marker::PhantomData<fn() -> ST>,
}

/// The `$n` placeholders of `sql` (a `$` followed by digits), as (start, end, n).
fn placeholders(sql: &str) -> Vec<(usize, usize, usize)> {
    let bytes = sql.as_bytes();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = sql[from..].find('$') {
        let i = from + at;
        let mut j = i + 1;
        while j < bytes.len() && bytes[j].is_ascii_digit() {
            j += 1;
        }
        if j > i + 1 {
            found.push((i, j, sql[i + 1..j].parse().unwrap_or(0)));
        }
        from = j;
    }
    found
}

impl CachedSql {
    pub fn new(sql: String, binds: Vec<Bind>) -> Self {
        Self {
            placeholders: placeholders(&sql),
            sql,
            binds,
            rows: std::marker::PhantomData,
        }
    }

    /// The query as one that returns rows of `T`, decoded by position: its select list must be
    /// [`columns_of::<T>`](columns_of) (what `T` decodes, in `T`'s order).
    pub fn rows_of<T: diesel::Selectable<Pg>>(self) -> CachedSql<diesel::dsl::AsSelect<T, Pg>> {
        CachedSql {
            sql: self.sql,
            binds: self.binds,
            placeholders: self.placeholders,
            rows: std::marker::PhantomData,
        }
    }
}

impl<ST> std::fmt::Debug for CachedSql<ST> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedSql")
            .field("sql", &self.sql)
            .field("binds", &self.binds)
            .finish()
    }
}

/// The select list of `T` (its `Selectable` columns, in the order `T` reads them), each column
/// of `table` written as `alias.column`: the head of a list query that
/// [`CachedSql::rows_of::<T>`](CachedSql::rows_of) reads by position. Built from `T` itself, so
/// the list and the struct cannot disagree on the order.
pub fn columns_of<T>(table: &str, alias: &str) -> String
where
    T: diesel::Selectable<Pg>,
    T::SelectExpression: diesel::query_builder::QueryFragment<Pg>,
{
    use diesel::query_builder::{QueryBuilder, QueryFragment};
    let mut out = diesel::pg::PgQueryBuilder::default();
    // Walking a select list of columns cannot fail (it binds nothing).
    T::construct_selection()
        .to_sql(&mut out, &Pg)
        .expect("a select list of columns");
    out.finish().replace(&format!("\"{table}\"."), &format!("{alias}."))
}

impl<ST> diesel::query_builder::QueryId for CachedSql<ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST: 'static> diesel::query_builder::Query for CachedSql<ST> {
    type SqlType = ST;
}

impl<ST> diesel::query_builder::QueryFragment<Pg> for CachedSql<ST> {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, Pg>) -> diesel::QueryResult<()> {
        // Re-emit the SQL, turning each `$n` into Diesel's own bind placeholder.
        let mut start = 0;
        for &(at, end, n) in &self.placeholders {
            out.push_sql(&self.sql[start..at]);
            let bind = self
                .binds
                .get(n.wrapping_sub(1))
                .ok_or_else(|| diesel::result::Error::QueryBuilderError(format!("no bind for ${n}").into()))?;
            match bind {
                Bind::Text(v) => out.push_bind_param::<sql_types::Text, _>(v)?,
                Bind::Uuid(v) => out.push_bind_param::<sql_types::Uuid, _>(v)?,
                Bind::Int(v) => out.push_bind_param::<sql_types::BigInt, _>(v)?,
                Bind::Bool(v) => out.push_bind_param::<sql_types::Bool, _>(v)?,
                Bind::Date(v) => out.push_bind_param::<sql_types::Date, _>(v)?,
            }
            start = end;
        }
        out.push_sql(&self.sql[start..]);
        Ok(())
    }
}

/// Formats a timestamp for a cursor with full precision, so `CAST(... AS timestamptz)` is exact.
pub fn ts_key(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[SortField] = &[
        SortField {
            name: "name",
            column: "u.name",
            sql_type: "text",
        },
        SortField {
            name: "created_at",
            column: "u.created_at",
            sql_type: "timestamptz",
        },
    ];

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like("100%_a\\b"), "100\\%\\_a\\\\b");
    }

    #[test]
    fn sort_parsing_uses_the_allow_list() {
        let s = Sort::parse(None, FIELDS).unwrap();
        assert_eq!((s.field.name, s.desc), ("name", false));
        let s = Sort::parse(Some("-created_at"), FIELDS).unwrap();
        assert_eq!((s.field.name, s.desc), ("created_at", true));
        assert!(Sort::parse(Some("password_hash"), FIELDS).is_err());
    }

    #[test]
    fn a_cursor_round_trips_and_belongs_to_its_sort() {
        let asc = Sort::parse(Some("name"), FIELDS).unwrap();
        let desc = Sort::parse(Some("-name"), FIELDS).unwrap();
        let c = Cursor {
            sort: "name".into(),
            value: "Hạ Long".into(),
            id: "42".into(),
        };
        let back = Cursor::decode(&c.encode(), &asc).unwrap();
        assert_eq!((back.value.as_str(), back.id.as_str()), ("Hạ Long", "42"));
        assert!(Cursor::decode(&c.encode(), &desc).is_err());
        assert!(Cursor::decode("%%%", &asc).is_err());
        // The hand-written JSON is serde's, quotes, backslashes and control characters included.
        let odd = Cursor {
            sort: "title".into(),
            value: "a\"b\\c\u{1}\nđ".into(),
            id: "7".into(),
        };
        let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(odd.encode())
            .unwrap();
        assert_eq!(json, serde_json::to_vec(&odd).unwrap());
        let back = Cursor::decode_as(&odd.encode(), "cursor").unwrap();
        assert_eq!((back.sort, back.value, back.id), (odd.sort, odd.value, odd.id));
    }

    #[test]
    fn limits_are_clamped() {
        let q = |limit| PageQuery {
            limit,
            cursor: None,
            sort: None,
        };
        assert_eq!(q(None).limit(), 50);
        assert_eq!(q(Some(100_000)).limit(), 500);
        assert_eq!(q(Some(0)).limit(), 1);
    }

    #[test]
    fn a_subtree_below_the_root_is_an_equality_on_its_prefix() {
        let seg = "/a626d2ef-8147-59a6-80b8-c7059862aede";
        let root = format!("{seg}/");
        let commune = format!("{seg}{seg}{seg}{seg}/");
        assert_eq!(commune.len(), path_len(3));
        // Indexed: below the root an equality on the prefix; the root (every row) a LIKE.
        assert_eq!(
            subtree_match("t.unit_path", &commune, true),
            ("left(t.unit_path, 149) = ?".to_string(), commune.clone())
        );
        assert_eq!(
            subtree_match("t.unit_path", &root, true),
            ("t.unit_path LIKE ?".to_string(), format!("{root}%"))
        );
        // A table without the indexes, and a path of another length, keep the LIKE.
        assert_eq!(subtree_match("t.unit_path", &commune, false).0, "t.unit_path LIKE ?");
        assert_eq!(
            subtree_match("p", "/a_b/", true),
            ("p LIKE ?".to_string(), "/a\\_b/%".to_string())
        );
    }

    #[test]
    fn placeholders_are_found_once() {
        assert_eq!(placeholders("a $1 b $$ $x $12 $"), vec![(2, 4, 1), (13, 16, 12)]);
        assert_eq!(placeholders("no binds"), vec![]);
    }

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut sql = ListSql::new("SELECT u.id FROM units u", "u.id");
        sql.filter("u.kind = ?", [Bind::Text("ward".into())])
            .in_scopes("u.path", &["/a/".into(), "/b/".into()]);
        assert_eq!(sql.conds, "u.kind = $1 AND (u.path LIKE $2 OR u.path LIKE $3)");
    }

    #[test]
    fn a_page_statement_is_written_whole() {
        let commune = "/a626d2ef-8147-59a6-80b8-c7059862aede".repeat(4) + "/";
        let mut sql = ListSql::new("SELECT u.id FROM units u", "u.id").prefix_indexed();
        sql.filter("u.deleted_at IS NULL", [])
            .in_scopes("u.path", &[commune.clone(), "/x/".into()])
            .filter("u.a = ? AND u.b = ?", [Bind::Int(1), Bind::Bool(true)]);
        let sort = Sort::parse(Some("-created_at"), FIELDS).unwrap();
        let cursor = Cursor {
            sort: "-created_at".into(),
            value: "2024-01-01T00:00:00Z".into(),
            id: "5f0c6a53-1c4e-4f53-9f4b-4a4f0e8b8c11".into(),
        };
        let page = sql.page(&sort, Some(&cursor), 20);
        assert_eq!(
            page.sql,
            "SELECT u.id FROM units u WHERE u.deleted_at IS NULL AND (left(u.path, 149) = $1 OR \
             u.path LIKE $2) AND u.a = $3 AND u.b = $4 AND (u.created_at, u.id) < (CAST($5 AS \
             timestamptz), CAST($6 AS uuid)) ORDER BY u.created_at DESC, u.id DESC LIMIT $7"
        );
        assert_eq!(page.binds.len(), 7);
        assert!(matches!(&page.binds[0], Bind::Text(p) if *p == commune));
        assert!(matches!(&page.binds[1], Bind::Text(p) if p == "/x/%"));
        assert!(matches!(page.binds[6], Bind::Int(21)));
        // Without conditions or a cursor: no WHERE; ascending.
        let plain = ListSql::new("SELECT u.id FROM units u", "u.id").page(&Sort::parse(None, FIELDS).unwrap(), None, 9);
        assert_eq!(
            plain.sql,
            "SELECT u.id FROM units u ORDER BY u.name ASC, u.id ASC LIMIT $1"
        );
        let mut n = String::new();
        for k in [0, 7, 10, 99, 12345] {
            push_number(&mut n, k);
            n.push(' ');
        }
        assert_eq!(n, "0 7 10 99 12345 ");
    }
}

/// How a list's `unit_id` + `include_descendants` filter resolves.
#[derive(Clone, Debug)]
pub enum SubtreeFilter {
    /// No subtree asked for (the unit alone, or no unit filter).
    None,
    /// The unit's materialized path.
    Path(String),
    /// An unknown unit: its subtree is empty.
    Empty,
}

impl SubtreeFilter {
    pub async fn resolve(
        pool: &crate::db::Pool,
        unit_id: Option<Uuid>,
        include_descendants: bool,
    ) -> ApiResult<SubtreeFilter> {
        let Some(id) = unit_id.filter(|_| include_descendants) else {
            return Ok(SubtreeFilter::None);
        };
        let mut conn = pool.get().await?;
        Ok(match crate::db::unit_path(&mut conn, id).await? {
            Some(path) => SubtreeFilter::Path(path),
            None => SubtreeFilter::Empty,
        })
    }

    pub fn path(&self) -> Option<&str> {
        match self {
            SubtreeFilter::Path(p) => Some(p),
            _ => None,
        }
    }
}
