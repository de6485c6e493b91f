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

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::Pg;
use diesel::row::{Field, Row};
use diesel::sql_types::{self, Untyped};
use serde::Serialize;
use uuid::Uuid;

use super::json_body;
use super::list::{paginate, Keyed, Sort};

/// How a resource writes one item of its list from its row.
pub trait WriteRow: Sized + 'static {
    /// What the writing keeps of a row for the page's cursor: raw values, cheap to keep.
    type Kept;
    /// The row's key (its id and sort values), read from what was kept and the item's JSON.
    type Key: Keyed;
    /// Writes the item's fields (`w.uuid("id", 0)?` and so on, in the response type's order)
    /// and returns what the cursor could need.
    fn write<'a, R: Row<'a, Pg>>(w: &mut RowWriter<'_, 'a, R>) -> deserialize::Result<Self::Kept>;
    /// The key of a row, from what [`write`](Self::write) kept and the item's JSON.
    fn key(kept: &Self::Kept, item: &[u8]) -> Self::Key;
}

/// One row of a list, written: its item's JSON and what its key is read from.
pub struct JsonRow<W: WriteRow> {
    json: Vec<u8>,
    kept: W::Kept,
}

impl<W: WriteRow> Keyed for JsonRow<W> {
    fn id(&self) -> String {
        W::key(&self.kept, &self.json).id()
    }
    fn sort_value(&self, field: &str) -> String {
        W::key(&self.kept, &self.json).sort_value(field)
    }
}

thread_local! {
    /// The size of the last item this worker wrote: the next one's buffer.
    static LAST_ITEM: std::cell::Cell<usize> = const { std::cell::Cell::new(512) };
}

impl<W: WriteRow> FromSqlRow<Untyped, Pg> for JsonRow<W> {
    fn build_from_row<'a>(row: &impl Row<'a, Pg>) -> deserialize::Result<Self> {
        let guess = LAST_ITEM.get().clamp(64, 16 * 1024);
        let mut w = RowWriter {
            row,
            out: Vec::with_capacity(guess + guess / 4),
            first: true,
            _a: std::marker::PhantomData,
        };
        w.out.push(b'{');
        let kept = W::write(&mut w)?;
        w.out.push(b'}');
        LAST_ITEM.set(w.out.len());
        Ok(JsonRow { json: w.out, kept })
    }
}

/// The JSON body of a page of `limit + 1` fetched rows: `{"data":[...],"next_cursor":...}`,
/// exactly what [`Page`](super::list::Page) serializes to.
pub fn page_body<W: WriteRow>(rows: Vec<JsonRow<W>>, limit: i64, sort: &Sort) -> Vec<u8> {
    let page = paginate(rows, limit, sort, |r| r.json);
    let size: usize = page.data.iter().map(|j| j.len() + 1).sum();
    let mut out = Vec::with_capacity(size + 64 + page.next_cursor.as_ref().map_or(0, |c| c.len()));
    out.extend_from_slice(b"{\"data\":[");
    for (i, item) in page.data.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(item);
    }
    out.extend_from_slice(b"],\"next_cursor\":");
    match &page.next_cursor {
        Some(c) => escaped(&mut out, c.as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
    out.push(b'}');
    out
}

/// A list's [`PageWriter`](super::export::PageWriter) body: the page `rows` reads, written.
pub async fn written<W: WriteRow>(
    rows: impl std::future::Future<Output = diesel::QueryResult<Vec<JsonRow<W>>>>,
    limit: i64,
    sort: &Sort,
) -> diesel::QueryResult<Vec<u8>> {
    Ok(page_body(rows.await?, limit, sort))
}

/// What a byte becomes inside a JSON string, as serde_json writes it: `0` itself, `u` as
/// `\u00XX`, any other as a backslash and that letter.
const ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = b'u';
        b += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0a] = b'n';
    t[0x0c] = b'f';
    t[0x0d] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

/// `"<bytes>"`, escaped as serde_json escapes a string (quote, backslash, control characters;
/// everything else, UTF-8 included, as it is). The bytes are UTF-8 (see the module's notes);
/// escaping only ever touches ASCII, so the output is UTF-8 too.
pub fn escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let e = ESCAPE[b as usize];
        if e == 0 {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        if e == b'u' {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[(b >> 4) as usize], HEX[(b & 0xf) as usize]]);
        } else {
            out.extend_from_slice(&[b'\\', e]);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// `"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"` (lower case) of a uuid's 16 bytes, a byte a lookup.
fn quoted_uuid(bytes: &[u8; 16]) -> [u8; 38] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    // Where each byte's two digits go, after the quote and around the four hyphens.
    const AT: [usize; 16] = [1, 3, 5, 7, 10, 12, 15, 17, 20, 22, 25, 27, 29, 31, 33, 35];
    let mut buf = [b'-'; 38];
    buf[0] = b'"';
    buf[37] = b'"';
    for (b, at) in bytes.iter().zip(AT) {
        buf[at] = HEX[(b >> 4) as usize];
        buf[at + 1] = HEX[(b & 0xf) as usize];
    }
    buf
}

fn malformed(column: usize, what: &str) -> Box<dyn std::error::Error + Send + Sync> {
    format!("column {column}: {what}").into()
}

/// A `date` as PostgreSQL sends it (days since 2000-01-01), kept for a cursor.
#[derive(Clone, Copy, Debug)]
pub struct PgDate(i32);

impl PgDate {
    /// The date (a row whose date was written always has one: see [`RowWriter::date`]).
    pub fn date(self) -> chrono::NaiveDate {
        json_body::pg_date(self.0).unwrap_or_default()
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
    out: Vec<u8>,
    first: bool,
    _a: std::marker::PhantomData<&'a ()>,
}

impl<'a, R: Row<'a, Pg>> RowWriter<'_, 'a, R> {
    /// `"name":` (after a comma but for the first); names are plain ASCII, written as they are.
    #[inline(always)]
    fn key(&mut self, name: &str) {
        debug_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        self.out.reserve(name.len() + 4);
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\":");
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
    pub fn uuid(&mut self, name: &str, i: usize) -> deserialize::Result<Option<Uuid>> {
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
    pub fn text(&mut self, name: &str, i: usize) -> deserialize::Result<Option<TextAt>> {
        self.key(name);
        let start = self.out.len();
        let row = self.row;
        let at = match row.get(i).ok_or_else(|| malformed(i, "missing"))?.value() {
            Some(v) => {
                escaped(&mut self.out, v.as_bytes());
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
        name: &str,
        i: usize,
        map: impl for<'s> Fn(&'s str) -> &'s str,
    ) -> deserialize::Result<()> {
        self.key(name);
        let row = self.row;
        match row.get(i).ok_or_else(|| malformed(i, "missing"))?.value() {
            Some(v) => escaped(&mut self.out, map(std::str::from_utf8(v.as_bytes())?).as_bytes()),
            None => self.out.extend_from_slice(b"null"),
        }
        Ok(())
    }

    /// `"name":[...]` of a `text[]` column (NULL as `[]`), each element through `map` (`None`
    /// drops it: a value the response type does not know, as its `parse` would).
    pub fn text_array(
        &mut self,
        name: &str,
        i: usize,
        map: impl for<'s> Fn(&'s str) -> Option<&'s str>,
    ) -> deserialize::Result<()> {
        self.key(name);
        let row = self.row;
        let field = row.get(i).ok_or_else(|| malformed(i, "missing"))?;
        let out = &mut self.out;
        out.push(b'[');
        if let Some(v) = field.value() {
            let mut first = true;
            for element in TextArray::new(v.as_bytes()).ok_or_else(|| malformed(i, "not a text[]"))? {
                let Some(s) = element?.map(std::str::from_utf8).transpose()?.and_then(&map) else {
                    continue;
                };
                if !first {
                    out.push(b',');
                }
                first = false;
                escaped(out, s.as_bytes());
            }
        }
        out.push(b']');
        Ok(())
    }

    /// `"name":<n>` of an `integer` column; returns it.
    #[inline(always)]
    pub fn int4(&mut self, name: &str, i: usize) -> deserialize::Result<i32> {
        let v: i32 = self.required::<sql_types::Integer, i32>(i)?;
        self.raw_number(name, v as i64);
        Ok(v)
    }

    /// `"name":<n>` (or `null`) of an `integer` column that may be NULL.
    #[inline(always)]
    pub fn opt_int4(&mut self, name: &str, i: usize) -> deserialize::Result<()> {
        match self.value::<sql_types::Integer, i32>(i)? {
            Some(v) => self.raw_number(name, v.into()),
            None => {
                self.key(name);
                self.out.extend_from_slice(b"null");
            }
        }
        Ok(())
    }

    /// `"name":<n>` of a `bigint` column.
    #[inline(always)]
    pub fn int8(&mut self, name: &str, i: usize) -> deserialize::Result<i64> {
        let v: i64 = self.required::<sql_types::BigInt, i64>(i)?;
        self.raw_number(name, v);
        Ok(v)
    }

    /// `"name":<n>` of a number the item derives.
    #[inline(always)]
    pub fn raw_number(&mut self, name: &str, v: i64) {
        self.key(name);
        self.out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
    }

    /// `"name":true|false` of a `boolean` column (NULL as `false`).
    #[inline(always)]
    pub fn bool(&mut self, name: &str, i: usize) -> deserialize::Result<()> {
        let v = self.value::<sql_types::Bool, bool>(i)?.unwrap_or(false);
        self.key(name);
        self.out.extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }

    /// `"name":"YYYY-MM-DD"` (or `null`) of a `date` column; returns it, raw.
    #[inline(always)]
    pub fn date(&mut self, name: &str, i: usize) -> deserialize::Result<Option<PgDate>> {
        self.temporal(
            name,
            i,
            |b: [u8; 4], out| {
                let days = i32::from_be_bytes(b);
                (PgDate(days), json_body::pg_date_text(days, out))
            },
            |d| json_body::pg_date(d.0),
        )
    }

    /// `"name":"<RFC 3339>"` (or `null`) of a `timestamptz` column; returns it, raw.
    #[inline(always)]
    pub fn timestamp(&mut self, name: &str, i: usize) -> deserialize::Result<Option<PgTimestamp>> {
        self.temporal(
            name,
            i,
            |b: [u8; 8], out| {
                let micros = i64::from_be_bytes(b);
                (PgTimestamp(micros), json_body::pg_timestamp_text(micros, out))
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
        name: &str,
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
                self.out.reserve(n + 2);
                self.out.push(b'"');
                self.out.extend_from_slice(&text[..n]);
                self.out.push(b'"');
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
    pub fn object<T>(&mut self, name: &str, f: impl FnOnce(&mut Self) -> T) -> T {
        self.key(name);
        self.out.push(b'{');
        self.first = true;
        let v = f(self);
        self.out.push(b'}');
        self.first = false;
        v
    }
}

/// The elements of a one-dimensional array in PostgreSQL's binary format (`None` for NULL).
struct TextArray<'b> {
    rest: &'b [u8],
    left: usize,
}

impl<'b> TextArray<'b> {
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

impl<'b> Iterator for TextArray<'b> {
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
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut all: Vec<String> = (0u8..=0x7f).map(|b| format!("a{}b", b as char)).collect();
        all.extend(["", "Tập huấn \"bình đẳng\"\\ \u{7f}\u{2028}", "\u{1f600}\n\r\t"].map(String::from));
        let mut seed = 7u64;
        for _ in 0..2000 {
            let s: String = (0..(seed % 24))
                .map(|_| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    char::from_u32((seed >> 33) as u32 % 0x3000).unwrap_or('x')
                })
                .collect();
            all.push(s);
        }
        for s in all {
            let mut out = Vec::new();
            escaped(&mut out, s.as_bytes());
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(&s).unwrap(),
                "{s:?}"
            );
        }
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
        let got: Vec<Option<&[u8]>> = TextArray::new(&bytes).unwrap().map(|e| e.unwrap()).collect();
        assert_eq!(got, vec![Some(&b"gbv"[..]), None, Some("Tập huấn".as_bytes())]);
        let empty = 0i32.to_be_bytes().repeat(3);
        assert_eq!(TextArray::new(&empty).unwrap().count(), 0);
    }

    #[test]
    fn a_truncated_or_many_dimensional_array_is_an_error_not_a_panic() {
        let bytes = array(&[Some("gbv"), Some("officials")]);
        let cut = &bytes[..bytes.len() - 3];
        let got: Vec<_> = TextArray::new(cut).unwrap().collect();
        assert!(got.last().unwrap().is_err(), "{got:?}");
        let mut two = bytes.clone();
        two[3] = 2;
        assert!(TextArray::new(&two).is_none());
        assert!(TextArray::new(&bytes[..10]).is_none_or(|a| a.count() == 0));
    }
}
