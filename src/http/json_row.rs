//! A list's page written straight from the database's rows into its JSON body.
//!
//! A resource's list reads its rows by position ([`columns_of`](super::list::columns_of)) and,
//! for the JSON page, hands each row to its [`WriteRow`]: it writes the item's JSON from the
//! row's bytes (PostgreSQL's binary format) and keeps only what the page's cursor could need,
//! as raw values ([`PgDate`], [`PgTimestamp`], a [`TextAt`] into the item's JSON). Those are
//! read into the resource's key only for the one row the cursor is made from. No row struct, no
//! `String`, `Vec` or chrono value per column, and the field names are written as the constant
//! bytes they are. A page of twenty trainings spent 40% of the service's CPU decoding rows into
//! structs and serializing those; writing them this way, 28%, of which a third went to
//! validating text PostgreSQL had already validated and to dates read into chrono values that
//! only the last row's cursor would use.
//!
//! Text columns are escaped as they come: the pool refuses a database whose encoding is not
//! UTF-8 ([`crate::db::build_pool`]), and PostgreSQL validates every text it stores in a UTF-8
//! database, so their bytes are UTF-8 already.
//!
//! The shape is the resource's response type's: each resource's test compares every item of a
//! page with the same record read alone (`GET /things/{id}`, written by serde).

use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::row::{Field, Row};
use diesel::sql_types;
use diesel::QueryResult;
use serde::Serialize;
use uuid::Uuid;

use super::json_body;
use super::list::{cursor_after, ts_key, CachedSql, Keyed, Sort};
use crate::text::escaped;

/// A field's key as [`RowWriter`]'s methods take it: `json_key!("unit_id")` is `,"unit_id":`,
/// written in one piece (the comma is left out for an object's first field).
#[macro_export]
macro_rules! json_key {
    ($name:literal) => {
        concat!(",\"", $name, "\":")
    };
}

/// How a resource writes one item of its list from its row.
pub trait WriteRow: Sized + 'static {
    /// The list's select list on its table's alias (`u.id, u.name, ...`): the columns
    /// [`write`](Self::write) reads, by position, and nothing it does not (a path column no item
    /// shows would be sent by the database and read by the service for nothing).
    const COLUMNS: &'static str;
    /// What the writing keeps of a row for the page's cursor: raw values, cheap to keep
    /// (most lists keep a [`SortKept`]).
    type Kept: KeptKey;
    /// Writes the item's fields (`w.uuid(json_key!("id"), 0)?` and so on, in the response
    /// type's order)
    /// and returns what the cursor could need.
    fn write<'a, R: Row<'a, Pg>>(w: &mut RowWriter<'_, 'a, R>) -> deserialize::Result<Self::Kept>;
}

/// What a written row kept for the page's cursor, read into the row's key (its id and sort
/// values) from the page's JSON (a kept [`TextAt`] is a place in it).
pub trait KeptKey {
    fn key<'k>(&'k self, page: &'k [u8]) -> impl Keyed + 'k;
}

/// A sort value of a written row, kept raw for the page's cursor.
#[derive(Clone, Copy, Debug)]
pub enum SortRaw {
    Date(PgDate),
    Timestamp(PgTimestamp),
    /// A text, where it stands in the page (`None`: it was null).
    Text(Option<TextAt>),
    Int(i64),
}

impl SortRaw {
    /// The value as a cursor holds it (as [`Keyed::sort_value`] of the row read whole).
    fn cursor_text(self, page: &[u8]) -> String {
        match self {
            SortRaw::Date(d) => d.date().to_string(),
            SortRaw::Timestamp(t) => ts_key(&t.instant()),
            SortRaw::Text(t) => t.map(|t| t.read(page)).unwrap_or_default(),
            SortRaw::Int(n) => n.to_string(),
        }
    }
}

impl From<PgDate> for SortRaw {
    fn from(d: PgDate) -> Self {
        SortRaw::Date(d)
    }
}

impl From<PgTimestamp> for SortRaw {
    fn from(t: PgTimestamp) -> Self {
        SortRaw::Timestamp(t)
    }
}

impl From<Option<TextAt>> for SortRaw {
    fn from(t: Option<TextAt>) -> Self {
        SortRaw::Text(t)
    }
}

impl From<i64> for SortRaw {
    fn from(n: i64) -> Self {
        SortRaw::Int(n)
    }
}

impl From<i32> for SortRaw {
    fn from(n: i32) -> Self {
        SortRaw::Int(n.into())
    }
}

/// What most lists keep of a written row: its id (a uuid, or a sequence number) and the value
/// of each sort it allows, named by the sorts' names (the first is the default sort's).
#[derive(Clone, Copy, Debug)]
pub struct SortKept<I, const N: usize> {
    id: I,
    names: &'static [&'static str; N],
    values: [SortRaw; N],
}

impl<I, const N: usize> SortKept<I, N> {
    /// The row's id and its sorts' values, in the order of `names` (a row without its id, or
    /// without a value a sort needs (a date or a timestamp), is malformed). Called for every
    /// row (only the last one's is used), so it only copies.
    #[inline(always)]
    pub fn new(
        id: Option<I>,
        names: &'static [&'static str; N],
        values: [Option<SortRaw>; N],
    ) -> deserialize::Result<Self> {
        match id {
            Some(id) if values.iter().all(Option::is_some) => Ok(SortKept {
                id,
                names,
                values: values.map(|v| v.unwrap_or(SortRaw::Int(0))),
            }),
            _ => Err("a row without its id or sort values".into()),
        }
    }
}

impl<I: std::fmt::Display, const N: usize> KeptKey for SortKept<I, N> {
    fn key<'k>(&'k self, page: &'k [u8]) -> impl Keyed + 'k {
        SortKey { kept: self, page }
    }
}

/// A [`SortKept`] with its page: the row's key, each value read only when the cursor asks for
/// it.
struct SortKey<'k, I, const N: usize> {
    kept: &'k SortKept<I, N>,
    page: &'k [u8],
}

impl<I: std::fmt::Display, const N: usize> Keyed for SortKey<'_, I, N> {
    fn id(&self) -> String {
        self.kept.id.to_string()
    }
    fn sort_value(&self, field: &str) -> String {
        let kept = self.kept;
        let at = kept.names.iter().position(|name| *name == field).unwrap_or(0);
        kept.values
            .get(at)
            .map(|raw| raw.cursor_text(self.page))
            .unwrap_or_default()
    }
}

thread_local! {
    /// The size of the last item this worker wrote: how much room the next page needs.
    static LAST_ITEM: std::cell::Cell<usize> = const { std::cell::Cell::new(512) };
}

/// Runs a list's page query (`limit + 1` rows after the cursor, each row [`W::COLUMNS`]
/// (WriteRow::COLUMNS)) and writes the page's JSON body as the rows come:
/// `{"data":[...],"next_cursor":...}`, exactly what [`Page`](super::list::Page) serializes to.
/// The items are written one after another into the one body (no buffer, struct or `String`
/// per row); the row past the page is not written, it only says that a next page exists, whose
/// cursor is read from the last item's kept values.
pub async fn load_page<W: WriteRow, C: crate::db::Reader>(
    conn: &mut C,
    query: CachedSql,
    limit: i64,
    sort: &Sort,
) -> QueryResult<Vec<u8>> {
    use futures_util::TryStreamExt;
    // The connection's own `load`, which diesel-async's `load` and `load_stream` are built on,
    // hands out the rows as they come (those would decode each into a value first). It is
    // hidden from diesel-async's documentation, so an upgrade may change it: Cargo.lock pins
    // the version, and the build would tell.
    let rows = conn.load(query).await?;
    let mut rows = std::pin::pin!(rows);
    let limit = usize::try_from(limit).unwrap_or(0);
    let item = LAST_ITEM.get().clamp(64, 16 * 1024);
    // Room for the page as the last items were (up to 64 of them; a longer page grows).
    let mut out = Vec::with_capacity(64 + (limit + 1).min(64) * (item + item / 4));
    out.extend_from_slice(b"{\"data\":[");
    let (mut written, mut more) = (0usize, false);
    let mut last = None;
    while let Some(row) = rows.try_next().await? {
        if written == limit {
            more = true;
            continue;
        }
        if written > 0 {
            out.push(b',');
        }
        let start = out.len();
        out.push(b'{');
        let mut w = RowWriter {
            row: &row,
            out: &mut out,
            first: true,
            _a: std::marker::PhantomData,
        };
        last = Some(W::write(&mut w).map_err(diesel::result::Error::DeserializationError)?);
        out.push(b'}');
        LAST_ITEM.set(out.len() - start);
        written += 1;
    }
    out.extend_from_slice(b"],\"next_cursor\":");
    match last.filter(|_| more) {
        Some(kept) => {
            let cursor = cursor_after(&kept.key(&out), sort);
            escaped(&mut out, cursor.as_bytes());
        }
        None => out.extend_from_slice(b"null"),
    }
    out.push(b'}');
    Ok(out)
}

/// A list's JSON page as the response: `read` runs on the worker's shared connection
/// ([`SharedReads::read`](crate::db::SharedReads::read)) and gives the body [`load_page`] wrote.
pub async fn page_response(
    reads: &crate::db::SharedReads,
    read: impl AsyncFnOnce(&crate::db::Conn) -> crate::error::ApiResult<Vec<u8>>,
) -> crate::error::ApiResult<actix_web::HttpResponse> {
    use super::JsonBody;
    let body = reads.read(read).await?;
    Ok(actix_web::HttpResponse::Ok().json_bytes(body))
}

/// The JSON body of an empty page (a subtree asked for that holds nothing), as
/// [`Page::empty`](super::list::Page::empty) serializes.
pub fn empty_page() -> Vec<u8> {
    b"{\"data\":[],\"next_cursor\":null}".to_vec()
}

/// A byte's two lower-case hex digits, a lookup.
const HEX_PAIRS: [[u8; 2]; 256] = {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut t = [[0u8; 2]; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = [HEX[b >> 4], HEX[b & 0xf]];
        b += 1;
    }
    t
};

/// `"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"` (lower case) of a uuid's 16 bytes, a byte a lookup.
#[inline(always)]
fn quoted_uuid(bytes: &[u8; 16]) -> [u8; 38] {
    // Where each byte's two digits go, after the quote and around the four hyphens.
    const AT: [usize; 16] = [1, 3, 5, 7, 10, 12, 15, 17, 20, 22, 25, 27, 29, 31, 33, 35];
    let mut buf = [b'-'; 38];
    buf[0] = b'"';
    buf[37] = b'"';
    for (b, at) in bytes.iter().zip(AT) {
        buf[at..at + 2].copy_from_slice(&HEX_PAIRS[*b as usize]);
    }
    buf
}

fn malformed(column: usize, what: &str) -> Box<dyn std::error::Error + Send + Sync> {
    format!("column {column}: {what}").into()
}

/// A `date` as PostgreSQL sends it (days since 2000-01-01), kept for a cursor or compared
/// with another (a deadline with today, say).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PgDate(i32);

impl PgDate {
    /// The date (a row whose date was written always has one: see [`RowWriter::date`]).
    pub fn date(self) -> chrono::NaiveDate {
        json_body::pg_date(self.0).unwrap_or_default()
    }

    /// A date as PostgreSQL would send it.
    pub fn of(date: chrono::NaiveDate) -> Self {
        // 2000-01-01 is day 730,120 of the common era (see json_body::pg_date).
        PgDate(chrono::Datelike::num_days_from_ce(&date) - 730_120)
    }
}

/// A `timestamptz` as PostgreSQL sends it (microseconds since 2000-01-01 UTC), kept for a
/// cursor.
#[derive(Clone, Copy, Debug)]
pub struct PgTimestamp(i64);

impl PgTimestamp {
    /// The instant (a row whose timestamp was written always has one).
    pub fn instant(self) -> chrono::DateTime<chrono::Utc> {
        json_body::pg_timestamp(self.0).unwrap_or_default()
    }
}

/// Where a text field's JSON string (quotes included) stands in its item, kept for a cursor.
#[derive(Clone, Copy, Debug)]
pub struct TextAt(u32, u32);

impl TextAt {
    /// The text, unescaped, from the item's JSON.
    pub fn read(self, item: &[u8]) -> String {
        item.get(self.0 as usize..self.1 as usize)
            .and_then(|s| serde_json::from_slice(s).ok())
            .unwrap_or_default()
    }
}

/// Writes an item's fields from its row, each from the column at a position of the select list.
pub struct RowWriter<'w, 'a, R: Row<'a, Pg>> {
    row: &'w R,
    out: &'w mut Vec<u8>,
    first: bool,
    _a: std::marker::PhantomData<&'a ()>,
}

impl<'a, R: Row<'a, Pg>> RowWriter<'_, 'a, R> {
    /// A field's key, `,"name":` ([`json_key!`](crate::json_key)), in one piece: without its
    /// comma for an object's first field.
    #[inline(always)]
    fn key(&mut self, key: &'static str) {
        debug_assert!(
            key.len() > 4 && key.starts_with(",\"") && key.ends_with("\":"),
            "{key}: a key is json_key!(\"name\")"
        );
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        // A constant slice once inlined: copied in place, not by a call to memcpy.
        self.out.extend_from_slice(&key.as_bytes()[1..]);
    }

    /// A column decoded by Diesel (`FromSql` of its SQL type): copies of fixed-size values.
    #[inline(always)]
    pub fn value<ST, T: FromSql<ST, Pg>>(&self, i: usize) -> deserialize::Result<Option<T>> {
        let field = self.row.get(i).ok_or_else(|| malformed(i, "missing"))?;
        field.value().map(T::from_sql).transpose()
    }

    #[inline(always)]
    fn required<ST, T: FromSql<ST, Pg>>(&self, i: usize) -> deserialize::Result<T> {
        self.value::<ST, T>(i)?.ok_or_else(|| malformed(i, "null"))
    }

    /// `"name":"<uuid>"` (or `null`).
    #[inline(always)]
    pub fn uuid(&mut self, name: &'static str, i: usize) -> deserialize::Result<Option<Uuid>> {
        self.key(name);
        let v = self.value::<sql_types::Uuid, Uuid>(i)?;
        match v {
            Some(id) => self.out.extend_from_slice(&quoted_uuid(id.as_bytes())),
            None => self.out.extend_from_slice(b"null"),
        }
        Ok(v)
    }

    /// `"name":"<text>"` (or `null`), escaped; where it stands, for a cursor (`None` for null).
    #[inline(always)]
    pub fn text(&mut self, name: &'static str, i: usize) -> deserialize::Result<Option<TextAt>> {
        self.key(name);
        let start = self.out.len();
        let row = self.row;
        let at = match row.get(i).ok_or_else(|| malformed(i, "missing"))?.value() {
            Some(v) => {
                escaped(self.out, v.as_bytes());
                Some(TextAt(start as u32, self.out.len() as u32))
            }
            None => {
                self.out.extend_from_slice(b"null");
                None
            }
        };
        Ok(at)
    }

    /// `"name":"<text>"` of what `map` makes of the column's text (an enum's name for a stored
    /// value, say), or `null`.
    #[inline(always)]
    pub fn text_as(
        &mut self,
        name: &'static str,
        i: usize,
        map: impl for<'s> Fn(&'s str) -> &'s str,
    ) -> deserialize::Result<()> {
        self.text_known(name, i, |s| Some(map(s)))
    }

    /// `"name":"<text>"` of what `map` makes of the column's text, or `null` (for NULL, or
    /// where `map` gives `None`: a stored value the response type does not know).
    #[inline(always)]
    pub fn text_known(
        &mut self,
        name: &'static str,
        i: usize,
        map: impl for<'s> Fn(&'s str) -> Option<&'s str>,
    ) -> deserialize::Result<()> {
        self.key(name);
        let row = self.row;
        let field = row.get(i).ok_or_else(|| malformed(i, "missing"))?;
        match field
            .value()
            .map(|v| std::str::from_utf8(v.as_bytes()))
            .transpose()?
            .and_then(map)
        {
            Some(v) => escaped(self.out, v.as_bytes()),
            None => self.out.extend_from_slice(b"null"),
        }
        Ok(())
    }

    /// `"name":[...]` of a `text[]` column (NULL as `[]`), each element through `map` (`None`
    /// drops it: a value the response type does not know, as its `parse` would).
    #[inline(always)]
    pub fn text_array(
        &mut self,
        name: &'static str,
        i: usize,
        map: impl for<'s> Fn(&'s str) -> Option<&'s str>,
    ) -> deserialize::Result<()> {
        self.elements(name, i, |b| Ok(map(std::str::from_utf8(b)?).map(str::as_bytes)))
    }

    /// `"name":[...]` of a `text[]` column of free text (NULL as `[]`), each element as it is
    /// (escaped, not validated again: see the module's notes).
    #[inline(always)]
    pub fn text_list(&mut self, name: &'static str, i: usize) -> deserialize::Result<()> {
        self.elements(name, i, |b| Ok(Some(b)))
    }

    /// `"name":[...]` of a `uuid[]` column (NULL as `[]`; a NULL element as `null`).
    #[inline(always)]
    pub fn uuid_array(&mut self, name: &'static str, i: usize) -> deserialize::Result<()> {
        self.array(name, i, |element, out| {
            match element {
                Some(b) => {
                    let b: &[u8; 16] = b.try_into().map_err(|_| malformed(i, "not a uuid[]"))?;
                    out.extend_from_slice(&quoted_uuid(b));
                }
                None => out.extend_from_slice(b"null"),
            }
            Ok(true)
        })
    }

    /// `"name":[...]` of a `text[]` column, each element as `each` makes it (`None`, or a NULL
    /// element, drops it).
    fn elements(
        &mut self,
        name: &'static str,
        i: usize,
        each: impl for<'s> Fn(&'s [u8]) -> deserialize::Result<Option<&'s [u8]>>,
    ) -> deserialize::Result<()> {
        self.array(name, i, |element, out| {
            match element.map(&each).transpose()?.flatten() {
                Some(s) => escaped(out, s),
                None => return Ok(false),
            }
            Ok(true)
        })
    }

    /// `"name":[...]` of a one-dimensional array column (NULL as `[]`): `put` writes each
    /// element's JSON (given its bytes, `None` for NULL) and says whether it wrote one.
    #[inline(always)]
    fn array(
        &mut self,
        name: &'static str,
        i: usize,
        mut put: impl FnMut(Option<&[u8]>, &mut Vec<u8>) -> deserialize::Result<bool>,
    ) -> deserialize::Result<()> {
        self.key(name);
        let row = self.row;
        let field = row.get(i).ok_or_else(|| malformed(i, "missing"))?;
        let out = &mut self.out;
        out.push(b'[');
        if let Some(v) = field.value() {
            let mut first = true;
            for element in Elements::new(v.as_bytes()).ok_or_else(|| malformed(i, "not a one-dimensional array"))? {
                let mark = out.len();
                if !first {
                    out.push(b',');
                }
                if put(element?, out)? {
                    first = false;
                } else {
                    out.truncate(mark);
                }
            }
        }
        out.push(b']');
        Ok(())
    }

    /// `"name":<n>` of an `integer` column; returns it.
    #[inline(always)]
    pub fn int4(&mut self, name: &'static str, i: usize) -> deserialize::Result<i32> {
        let v: i32 = self.required::<sql_types::Integer, i32>(i)?;
        self.raw_number(name, v as i64);
        Ok(v)
    }

    /// `"name":<n>` of a `smallint` column; returns it.
    #[inline(always)]
    pub fn int2(&mut self, name: &'static str, i: usize) -> deserialize::Result<i16> {
        let v: i16 = self.required::<sql_types::SmallInt, i16>(i)?;
        self.raw_number(name, v.into());
        Ok(v)
    }

    /// `"name":<n>` (or `null`) of an `integer` column that may be NULL.
    #[inline(always)]
    pub fn opt_int4(&mut self, name: &'static str, i: usize) -> deserialize::Result<()> {
        match self.value::<sql_types::Integer, i32>(i)? {
            Some(v) => self.raw_number(name, v.into()),
            None => self.null(name),
        }
        Ok(())
    }

    /// `"name":<n>` (or `null`) of a `bigint` column that may be NULL.
    #[inline(always)]
    pub fn opt_int8(&mut self, name: &'static str, i: usize) -> deserialize::Result<()> {
        match self.value::<sql_types::BigInt, i64>(i)? {
            Some(v) => self.raw_number(name, v),
            None => self.null(name),
        }
        Ok(())
    }

    /// `"name":<n>` of a `bigint` column.
    #[inline(always)]
    pub fn int8(&mut self, name: &'static str, i: usize) -> deserialize::Result<i64> {
        let v: i64 = self.required::<sql_types::BigInt, i64>(i)?;
        self.raw_number(name, v);
        Ok(v)
    }

    /// `"name":<n>` of a number the item derives.
    #[inline(always)]
    pub fn raw_number(&mut self, name: &'static str, v: i64) {
        self.key(name);
        crate::text::put_int(self.out, v);
    }

    /// `"name":<json>` (or `null`) of a `jsonb` column: the JSON text PostgreSQL sends after
    /// its format's version byte, as it is (valid JSON, its keys in jsonb's order, with a space
    /// after each `:` and `,`; not parsed and written again).
    #[inline]
    pub fn jsonb(&mut self, name: &'static str, i: usize) -> deserialize::Result<()> {
        self.key(name);
        let row = self.row;
        match row.get(i).ok_or_else(|| malformed(i, "missing"))?.value() {
            Some(v) => match v.as_bytes().split_first() {
                Some((1, json)) => self.out.extend_from_slice(json),
                _ => return Err(malformed(i, "not jsonb of version 1")),
            },
            None => self.out.extend_from_slice(b"null"),
        }
        Ok(())
    }

    /// `"name":<x>` (or `null`) of a fraction the item derives, as serde_json writes an `f64`
    /// (`0.5`, `1.0`).
    #[inline]
    pub fn raw_float(&mut self, name: &'static str, v: Option<f64>) -> deserialize::Result<()> {
        self.key(name);
        serde_json::to_writer(&mut *self.out, &v)?;
        Ok(())
    }

    /// `"name":true|false` of a `boolean` column (NULL as `false`).
    #[inline(always)]
    pub fn bool(&mut self, name: &'static str, i: usize) -> deserialize::Result<()> {
        let v = self.value::<sql_types::Bool, bool>(i)?.unwrap_or(false);
        self.raw_bool(name, v);
        Ok(())
    }

    /// `"name":true|false` of a flag the item derives.
    #[inline(always)]
    pub fn raw_bool(&mut self, name: &'static str, v: bool) {
        self.key(name);
        self.out.extend_from_slice(if v { b"true" } else { b"false" });
    }

    /// `"name":null`: a field the caller may not see.
    #[inline(always)]
    pub fn null(&mut self, name: &'static str) {
        self.key(name);
        self.out.extend_from_slice(b"null");
    }

    /// What `f` makes of a column's bytes as PostgreSQL sent them (`None` for NULL): how to
    /// write another field, say.
    #[inline(always)]
    pub fn peek<T>(&self, i: usize, f: impl FnOnce(Option<&[u8]>) -> T) -> deserialize::Result<T> {
        let field = self.row.get(i).ok_or_else(|| malformed(i, "missing"))?;
        Ok(f(field.value().map(|v| v.as_bytes())))
    }

    /// `"name":"YYYY-MM-DD"` (or `null`) of a `date` column; returns it, raw.
    #[inline(always)]
    pub fn date(&mut self, name: &'static str, i: usize) -> deserialize::Result<Option<PgDate>> {
        self.temporal(
            name,
            i,
            |b: [u8; 4], out| {
                let days = i32::from_be_bytes(b);
                (PgDate(days), json_body::pg_date_quoted(days, out))
            },
            |d| json_body::pg_date(d.0),
        )
    }

    /// `"name":"<RFC 3339>"` (or `null`) of a `timestamptz` column; returns it, raw.
    #[inline(always)]
    pub fn timestamp(&mut self, name: &'static str, i: usize) -> deserialize::Result<Option<PgTimestamp>> {
        self.temporal(
            name,
            i,
            |b: [u8; 8], out| {
                let micros = i64::from_be_bytes(b);
                (PgTimestamp(micros), json_body::pg_timestamp_quoted(micros, out))
            },
            |t| json_body::pg_timestamp(t.0),
        )
    }

    /// A date or a timestamp from its `N` bytes: `read` gives the raw value and the length of
    /// its text, written into the buffer; where it cannot (far years), `value` gives the chrono
    /// value, which writes it as for one record (its absence, as for `infinity`, is an error,
    /// as Diesel's decoding would be).
    #[inline(always)]
    fn temporal<const N: usize, K: Copy, T: Serialize>(
        &mut self,
        name: &'static str,
        i: usize,
        read: impl FnOnce([u8; N], &mut [u8; 32]) -> (K, Option<usize>),
        value: impl FnOnce(K) -> Option<T>,
    ) -> deserialize::Result<Option<K>> {
        self.key(name);
        let row = self.row;
        let field = row.get(i).ok_or_else(|| malformed(i, "missing"))?;
        let Some(v) = field.value() else {
            self.out.extend_from_slice(b"null");
            return Ok(None);
        };
        let b: [u8; N] = v
            .as_bytes()
            .try_into()
            .map_err(|_| malformed(i, "not a date or timestamp"))?;
        let mut text = [0u8; 32];
        let (raw, n) = read(b, &mut text);
        match n {
            Some(n) => {
                // All 32 bytes, then back to the text's end: a copy of a constant size, in
                // place, where one of `n` bytes would be a call to memcpy.
                let end = self.out.len() + n;
                self.out.extend_from_slice(&text);
                self.out.truncate(end);
            }
            None => {
                let value = value(raw).ok_or_else(|| malformed(i, "out of range"))?;
                value.serialize(&mut serde_json::Serializer::new(&mut self.out))?;
            }
        }
        Ok(Some(raw))
    }

    /// A nested object: `"name":{...}` with the fields `f` writes.
    #[inline(always)]
    pub fn object<T>(&mut self, name: &'static str, f: impl FnOnce(&mut Self) -> T) -> T {
        self.key(name);
        self.out.push(b'{');
        self.first = true;
        let v = f(self);
        self.out.push(b'}');
        self.first = false;
        v
    }
}

/// The elements of a one-dimensional array in PostgreSQL's binary format (`None` for NULL),
/// each as its bytes (a `text[]`'s UTF-8, a `uuid[]`'s 16 bytes).
struct Elements<'b> {
    rest: &'b [u8],
    left: usize,
}

impl<'b> Elements<'b> {
    fn new(bytes: &'b [u8]) -> Option<Self> {
        let word = |at: usize| {
            bytes
                .get(at..at + 4)
                .map(|b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        };
        match word(0)? {
            0 => Some(Self { rest: &[], left: 0 }),
            1 => Some(Self {
                rest: bytes.get(20..)?,
                left: usize::try_from(word(12)?).ok()?,
            }),
            _ => None,
        }
    }
}

impl<'b> Iterator for Elements<'b> {
    type Item = deserialize::Result<Option<&'b [u8]>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let Some(len) = self.rest.get(..4).map(|b| i32::from_be_bytes([b[0], b[1], b[2], b[3]])) else {
            self.left = 0;
            return Some(Err("a truncated array".into()));
        };
        self.rest = &self.rest[4..];
        if len < 0 {
            return Some(Ok(None));
        }
        let len = len as usize;
        let Some(element) = self.rest.get(..len) else {
            self.left = 0;
            return Some(Err("a truncated array".into()));
        };
        self.rest = &self.rest[len..];
        Some(Ok(Some(element)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn array(elements: &[Option<&str>]) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&1i32.to_be_bytes());
        b.extend_from_slice(&(elements.iter().any(|e| e.is_none()) as i32).to_be_bytes());
        b.extend_from_slice(&25u32.to_be_bytes());
        b.extend_from_slice(&(elements.len() as i32).to_be_bytes());
        b.extend_from_slice(&1i32.to_be_bytes());
        for e in elements {
            match e {
                Some(s) => {
                    b.extend_from_slice(&(s.len() as i32).to_be_bytes());
                    b.extend_from_slice(s.as_bytes());
                }
                None => b.extend_from_slice(&(-1i32).to_be_bytes()),
            }
        }
        b
    }

    #[test]
    fn the_empty_page_is_what_serde_writes() {
        let serde = serde_json::to_vec(&super::super::list::Page::<()>::empty()).unwrap();
        assert_eq!(empty_page(), serde);
    }

    #[test]
    fn uuids_are_written_as_the_uuid_crate_writes_them() {
        let mut seed = 11u64;
        for _ in 0..1000 {
            let mut b = [0u8; 16];
            for x in b.iter_mut() {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                *x = (seed >> 56) as u8;
            }
            let id = Uuid::from_bytes(b);
            assert_eq!(quoted_uuid(&b).as_slice(), format!("\"{id}\"").as_bytes());
        }
    }

    #[test]
    fn a_date_is_kept_as_postgresql_sends_it() {
        for (y, m, d) in [(2000, 1, 1), (1999, 12, 31), (2026, 12, 7), (1, 1, 1), (9999, 12, 31)] {
            let date = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(PgDate::of(date).date(), date);
        }
        assert_eq!(
            PgDate::of(chrono::NaiveDate::from_ymd_opt(2000, 1, 2).unwrap()),
            PgDate(1)
        );
    }

    #[test]
    fn a_kept_text_reads_back_unescaped() {
        let mut out = b"{\"t\":".to_vec();
        let start = out.len() as u32;
        escaped(&mut out, "a \"b\" \\ c\n".as_bytes());
        let at = TextAt(start, out.len() as u32);
        assert_eq!(at.read(&out), "a \"b\" \\ c\n");
    }

    #[test]
    fn text_arrays_are_read_element_by_element() {
        let bytes = array(&[Some("gbv"), None, Some("Tập huấn")]);
        let got: Vec<Option<&[u8]>> = Elements::new(&bytes).unwrap().map(|e| e.unwrap()).collect();
        assert_eq!(got, vec![Some(&b"gbv"[..]), None, Some("Tập huấn".as_bytes())]);
        let empty = 0i32.to_be_bytes().repeat(3);
        assert_eq!(Elements::new(&empty).unwrap().count(), 0);
    }

    #[test]
    fn a_truncated_or_many_dimensional_array_is_an_error_not_a_panic() {
        let bytes = array(&[Some("gbv"), Some("officials")]);
        let cut = &bytes[..bytes.len() - 3];
        let got: Vec<_> = Elements::new(cut).unwrap().collect();
        assert!(got.last().unwrap().is_err(), "{got:?}");
        let mut two = bytes.clone();
        two[3] = 2;
        assert!(Elements::new(&two).is_none());
        assert!(Elements::new(&bytes[..10]).is_none_or(|a| a.count() == 0));
    }
}
