//! A list's page written straight from the database's rows into its JSON body.
//!
//! A resource's list reads its rows by position ([`columns_of`](super::list::columns_of)) and,
//! for the JSON page, hands each row to its [`WriteRow`]: it writes the item's JSON from the
//! row's bytes (PostgreSQL's binary format) and keeps only what the page's cursor needs. No row
//! struct, no `String` or `Vec` per column, and the field names are written as the constant
//! bytes they are (serde escapes every key of every item, one character class at a time). A
//! page of twenty trainings spent 40% of the service's CPU decoding rows into structs and
//! serializing those.
//!
//! The shape is the resource's response type's: each resource's test compares every item of a
//! page with the same record read alone (`GET /things/{id}`, written by serde).

use chrono::{DateTime, NaiveDate, Utc};
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
    /// What the page's cursor reads of the row (its id and sort values).
    type Key: Keyed;
    /// Writes the item's fields (`w.uuid("id", 0)?` and so on, in the response type's order)
    /// and returns its key.
    fn write<'a, R: Row<'a, Pg>>(w: &mut RowWriter<'_, 'a, R>) -> deserialize::Result<Self::Key>;
}

/// One row of a list, written: its item's JSON and its key.
pub struct JsonRow<W: WriteRow> {
    json: Vec<u8>,
    key: W::Key,
}

impl<W: WriteRow> Keyed for JsonRow<W> {
    fn id(&self) -> String {
        self.key.id()
    }
    fn sort_value(&self, field: &str) -> String {
        self.key.sort_value(field)
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
        let key = W::write(&mut w)?;
        w.out.push(b'}');
        LAST_ITEM.set(w.out.len());
        Ok(JsonRow { json: w.out, key })
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
        Some(c) => string(&mut out, c),
        None => out.extend_from_slice(b"null"),
    }
    out.push(b'}');
    out
}

/// A JSON string, escaped as serde_json escapes it.
fn string(out: &mut Vec<u8>, s: &str) {
    // Writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

fn malformed(column: usize, what: &str) -> Box<dyn std::error::Error + Send + Sync> {
    format!("column {column}: {what}").into()
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
    fn key(&mut self, name: &str) {
        debug_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\":");
    }

    /// The column's bytes (`None` for NULL) handed to `f`.
    fn with<T>(&self, i: usize, f: impl FnOnce(Option<&[u8]>) -> deserialize::Result<T>) -> deserialize::Result<T> {
        let field = self.row.get(i).ok_or_else(|| malformed(i, "missing"))?;
        let value = field.value();
        f(value.as_ref().map(|v| v.as_bytes()))
    }

    /// A column decoded by Diesel (`FromSql` of its SQL type): copies of fixed-size values.
    pub fn value<ST, T: FromSql<ST, Pg>>(&self, i: usize) -> deserialize::Result<Option<T>> {
        let field = self.row.get(i).ok_or_else(|| malformed(i, "missing"))?;
        field.value().map(T::from_sql).transpose()
    }

    fn required<ST, T: FromSql<ST, Pg>>(&self, i: usize) -> deserialize::Result<T> {
        self.value::<ST, T>(i)?.ok_or_else(|| malformed(i, "null"))
    }

    /// `"name":"<uuid>"` (or `null`).
    pub fn uuid(&mut self, name: &str, i: usize) -> deserialize::Result<Option<Uuid>> {
        self.key(name);
        let v = self.value::<sql_types::Uuid, Uuid>(i)?;
        match v {
            Some(id) => {
                let mut buf = [0u8; 38];
                buf[0] = b'"';
                id.hyphenated().encode_lower(&mut buf[1..37]);
                buf[37] = b'"';
                self.out.extend_from_slice(&buf);
            }
            None => self.out.extend_from_slice(b"null"),
        }
        Ok(v)
    }

    /// `"name":"<text>"` (or `null`), escaped.
    pub fn text(&mut self, name: &str, i: usize) -> deserialize::Result<()> {
        self.text_as(name, i, |s| s)
    }

    /// [`text`](Self::text) of what `map` makes of the column's text (an enum's name for a
    /// stored value, say).
    pub fn text_as(
        &mut self,
        name: &str,
        i: usize,
        map: impl for<'s> Fn(&'s str) -> &'s str,
    ) -> deserialize::Result<()> {
        self.key(name);
        let out = &mut self.out;
        let field = self.row.get(i).ok_or_else(|| malformed(i, "missing"))?;
        match field.value() {
            Some(v) => string(out, map(std::str::from_utf8(v.as_bytes())?)),
            None => out.extend_from_slice(b"null"),
        }
        Ok(())
    }

    /// The column's text, owned (for a key: a cursor's sort value).
    pub fn owned_text(&self, i: usize) -> deserialize::Result<String> {
        self.with(i, |b| {
            Ok(std::str::from_utf8(b.ok_or_else(|| malformed(i, "null"))?)?.to_owned())
        })
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
        let out = &mut self.out;
        let field = self.row.get(i).ok_or_else(|| malformed(i, "missing"))?;
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
                string(out, s);
            }
        }
        out.push(b']');
        Ok(())
    }

    /// `"name":<n>` of an `integer` column; returns it.
    pub fn int4(&mut self, name: &str, i: usize) -> deserialize::Result<i32> {
        let v: i32 = self.required::<sql_types::Integer, i32>(i)?;
        self.raw_number(name, v as i64);
        Ok(v)
    }

    /// `"name":<n>` of a `bigint` column.
    pub fn int8(&mut self, name: &str, i: usize) -> deserialize::Result<i64> {
        let v: i64 = self.required::<sql_types::BigInt, i64>(i)?;
        self.raw_number(name, v);
        Ok(v)
    }

    /// `"name":<n>` of a number the item derives.
    pub fn raw_number(&mut self, name: &str, v: i64) {
        self.key(name);
        self.out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
    }

    /// `"name":true|false` of a `boolean` column (NULL as `false`).
    pub fn bool(&mut self, name: &str, i: usize) -> deserialize::Result<()> {
        let v = self.value::<sql_types::Bool, bool>(i)?.unwrap_or(false);
        self.key(name);
        self.out.extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }

    /// `"name":"YYYY-MM-DD"` (or `null`) of a `date` column; returns it.
    pub fn date(&mut self, name: &str, i: usize) -> deserialize::Result<Option<NaiveDate>> {
        self.temporal::<sql_types::Date, _>(name, i, |b, out| {
            let days = i32::from_be_bytes(b.try_into().ok()?);
            Some((json_body::pg_date(days)?, json_body::pg_date_text(days, out)?.len()))
        })
    }

    /// `"name":"<RFC 3339>"` (or `null`) of a `timestamptz` column; returns it.
    pub fn timestamp(&mut self, name: &str, i: usize) -> deserialize::Result<Option<DateTime<Utc>>> {
        self.temporal::<sql_types::Timestamptz, _>(name, i, |b, out| {
            let micros = i64::from_be_bytes(b.try_into().ok()?);
            Some((
                json_body::pg_timestamp(micros)?,
                json_body::pg_timestamp_text(micros, out)?.len(),
            ))
        })
    }

    /// A date or a timestamp: `fast` reads the column's bytes into the value and writes its text
    /// into the buffer (returning its length); where it cannot (far years, infinity), Diesel
    /// and chrono do, as they do for one record.
    fn temporal<ST, T>(
        &mut self,
        name: &str,
        i: usize,
        fast: impl FnOnce(&[u8], &mut [u8; 32]) -> Option<(T, usize)>,
    ) -> deserialize::Result<Option<T>>
    where
        T: FromSql<ST, Pg> + Serialize,
    {
        self.key(name);
        let mut text = [0u8; 32];
        match self.with(i, |b| Ok(b.map(|b| fast(b, &mut text))))? {
            None => {
                self.out.extend_from_slice(b"null");
                Ok(None)
            }
            Some(Some((value, n))) => {
                self.out.push(b'"');
                self.out.extend_from_slice(&text[..n]);
                self.out.push(b'"');
                Ok(Some(value))
            }
            Some(None) => {
                let value = self.value::<ST, T>(i)?;
                self.formatted(|s| value.serialize(s))?;
                Ok(value)
            }
        }
    }

    /// A nested object: `"name":{...}` with the fields `f` writes.
    pub fn object<T>(&mut self, name: &str, f: impl FnOnce(&mut Self) -> T) -> T {
        self.key(name);
        self.out.push(b'{');
        self.first = true;
        let v = f(self);
        self.out.push(b'}');
        self.first = false;
        v
    }

    /// A value written by one of `json_body`'s serializer functions (the response types' own).
    fn formatted(
        &mut self,
        f: impl FnOnce(&mut serde_json::Serializer<&mut Vec<u8>>) -> serde_json::Result<()>,
    ) -> deserialize::Result<()> {
        let mut ser = serde_json::Serializer::new(&mut self.out);
        Ok(f(&mut ser)?)
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
