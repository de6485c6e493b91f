//! JSON response bodies. Every JSON answer is written here: serde_json into one buffer, with one
//! change to how serde_json writes a value that formats itself (`collect_str`: a timestamp, a
//! date, anything serialized through `Display`). serde_json escapes such a value piece by piece
//! as `Display` writes it, and chrono writes a timestamp one character at a time, so each
//! character cost a call into the escaper; a list of twenty trainings spent a tenth of the
//! service's CPU there. Here the value is formatted into a small buffer first and written as
//! one string: the same bytes, for a fraction of the calls.
//!
//! Timestamps and dates, the most common such values, skip formatting altogether: the response
//! types serialize them with [`timestamp`] and [`date`] (and their `opt_` forms), which write
//! exactly what chrono writes (RFC 3339 with `Z` and the shortest of 0, 3, 6 or 9 fractional
//! digits; `YYYY-MM-DD`) from the numbers, in one step.

use std::fmt::{self, Display, Write as _};

use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, HttpResponseBuilder};
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde::ser::{
    Serialize, SerializeMap, SerializeSeq, SerializeStruct, SerializeStructVariant, SerializeTuple,
    SerializeTupleStruct, SerializeTupleVariant, Serializer,
};

thread_local! {
    /// The size of the last body this worker wrote: the next one's first guess, so a page of
    /// records is written into one allocation instead of one that doubles four times.
    static LAST_SIZE: std::cell::Cell<usize> = const { std::cell::Cell::new(1024) };
}

/// The body of `value` as compact JSON.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    let guess = LAST_SIZE.get().clamp(256, 64 * 1024);
    let mut ser = serde_json::Serializer::new(Vec::with_capacity(guess + guess / 8));
    value.serialize(Formatted(&mut ser))?;
    let body = ser.into_inner();
    LAST_SIZE.set(body.len());
    Ok(body)
}

/// `builder.json_body(&value)`: the response with `value` as its JSON body (what actix's
/// `json` does, through [`to_vec`]).
pub trait JsonBody {
    fn json_body<T: Serialize + ?Sized>(&mut self, value: &T) -> HttpResponse;
}

impl JsonBody for HttpResponseBuilder {
    fn json_body<T: Serialize + ?Sized>(&mut self, value: &T) -> HttpResponse {
        match to_vec(value) {
            Ok(body) => self.insert_header(ContentType::json()).body(body),
            Err(e) => HttpResponse::from_error(actix_web::error::JsonPayloadError::Serialize(e)),
        }
    }
}

/// Writes `v` in decimal into all of `out`, zero-padded on the left.
fn put_digits(out: &mut [u8], mut v: u32) {
    for b in out.iter_mut().rev() {
        *b = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

/// `YYYY-MM-DD` at the head of `out`; `None` for a year outside 0..=9999 (which chrono writes
/// with a sign, left to chrono).
fn put_date(out: &mut [u8], d: NaiveDate) -> Option<usize> {
    let year = u32::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
    put_digits(&mut out[0..4], year);
    out[4] = b'-';
    put_digits(&mut out[5..7], d.month());
    out[7] = b'-';
    put_digits(&mut out[8..10], d.day());
    Some(10)
}

fn ascii(out: &[u8]) -> &str {
    // Only ASCII digits and separators are ever written.
    std::str::from_utf8(out).unwrap_or_default()
}

/// `#[serde(serialize_with = "crate::http::json_body::date")]`: a date as chrono writes it.
pub fn date<S: Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    let mut out = [0u8; 10];
    match put_date(&mut out, *d) {
        Some(n) => s.serialize_str(ascii(&out[..n])),
        None => d.serialize(s),
    }
}

/// `#[serde(serialize_with = "crate::http::json_body::timestamp")]`: a UTC timestamp as chrono
/// writes it (`2024-11-15T07:30:01.123456Z`).
pub fn timestamp<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    let mut out = [0u8; 32];
    let nanos = t.timestamp_subsec_nanos();
    // A leap second (nanoseconds past a whole second) and far years are left to chrono.
    let Some(mut n) = put_date(&mut out, t.date_naive()).filter(|_| nanos < 1_000_000_000) else {
        return t.serialize(s);
    };
    let time = t.time();
    out[n] = b'T';
    put_digits(&mut out[n + 1..n + 3], time.hour());
    out[n + 3] = b':';
    put_digits(&mut out[n + 4..n + 6], time.minute());
    out[n + 6] = b':';
    put_digits(&mut out[n + 7..n + 9], time.second());
    n += 9;
    let (digits, fraction) = match nanos {
        0 => (0, 0),
        v if v % 1_000_000 == 0 => (3, v / 1_000_000),
        v if v % 1_000 == 0 => (6, v / 1_000),
        v => (9, v),
    };
    if digits > 0 {
        out[n] = b'.';
        put_digits(&mut out[n + 1..n + 1 + digits], fraction);
        n += 1 + digits;
    }
    out[n] = b'Z';
    s.serialize_str(ascii(&out[..n + 1]))
}

/// A value [`optional`] writes with one of the functions above.
trait Written: Copy {
    fn write<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error>;
}

impl Written for NaiveDate {
    fn write<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        date(self, s)
    }
}

impl Written for DateTime<Utc> {
    fn write<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        timestamp(self, s)
    }
}

struct AsWritten<V>(V);

impl<V: Written> Serialize for AsWritten<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.write(s)
    }
}

fn optional<V: Written, S: Serializer>(v: &Option<V>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_some(&AsWritten(*v)),
        None => s.serialize_none(),
    }
}

/// [`date`] for an optional date.
pub fn opt_date<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    optional(d, s)
}

/// [`timestamp`] for an optional timestamp.
pub fn opt_timestamp<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    optional(t, s)
}

/// A small buffer on the stack for one formatted value, spilling to the heap past its size.
struct Small {
    buf: [u8; 64],
    len: usize,
    spill: Option<String>,
}

impl Small {
    fn as_str(&self) -> &str {
        match &self.spill {
            Some(s) => s,
            // Only whole `&str`s are ever copied in, so the prefix is UTF-8.
            None => std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default(),
        }
    }
}

impl fmt::Write for Small {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if let Some(spill) = &mut self.spill {
            spill.push_str(s);
        } else if self.len + s.len() <= self.buf.len() {
            self.buf[self.len..self.len + s.len()].copy_from_slice(s.as_bytes());
            self.len += s.len();
        } else {
            let mut spill = String::with_capacity(self.len + s.len() + 64);
            spill.push_str(self.as_str());
            spill.push_str(s);
            self.spill = Some(spill);
        }
        Ok(())
    }
}

/// A serializer that is `S` except for `collect_str` (see the module's note); every value
/// inside a compound is serialized through it too.
struct Formatted<S>(S);

/// A value to be serialized through [`Formatted`].
struct Wrap<'a, T: ?Sized>(&'a T);

impl<T: Serialize + ?Sized> Serialize for Wrap<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(Formatted(s))
    }
}

/// A compound of `S` whose elements go through [`Formatted`].
struct Parts<C>(C);

macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $method(self, $($arg: $ty),*) -> Result<S::Ok, S::Error> {
            self.0.$method($($arg),*)
        })*
    };
}

/// The compounds of `S`, each wrapped in [`Parts`].
macro_rules! compound {
    ($($method:ident($($arg:ident: $ty:ty),*) -> $kind:ident;)*) => {
        $(fn $method(self, $($arg: $ty),*) -> Result<Self::$kind, S::Error> {
            self.0.$method($($arg),*).map(Parts)
        })*
    };
}

impl<S: Serializer> Serializer for Formatted<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Parts<S::SerializeSeq>;
    type SerializeTuple = Parts<S::SerializeTuple>;
    type SerializeTupleStruct = Parts<S::SerializeTupleStruct>;
    type SerializeTupleVariant = Parts<S::SerializeTupleVariant>;
    type SerializeMap = Parts<S::SerializeMap>;
    type SerializeStruct = Parts<S::SerializeStruct>;
    type SerializeStructVariant = Parts<S::SerializeStructVariant>;

    forward! {
        serialize_bool(v: bool);
        serialize_i8(v: i8);
        serialize_i16(v: i16);
        serialize_i32(v: i32);
        serialize_i64(v: i64);
        serialize_i128(v: i128);
        serialize_u8(v: u8);
        serialize_u16(v: u16);
        serialize_u32(v: u32);
        serialize_u64(v: u64);
        serialize_u128(v: u128);
        serialize_f32(v: f32);
        serialize_f64(v: f64);
        serialize_char(v: char);
        serialize_str(v: &str);
        serialize_bytes(v: &[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(name: &'static str);
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
    }

    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<S::Ok, S::Error> {
        self.0.serialize_some(&Wrap(v))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, name: &'static str, v: &T) -> Result<S::Ok, S::Error> {
        self.0.serialize_newtype_struct(name, &Wrap(v))
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_newtype_variant(name, index, variant, &Wrap(v))
    }

    compound! {
        serialize_seq(len: Option<usize>) -> SerializeSeq;
        serialize_tuple(len: usize) -> SerializeTuple;
        serialize_tuple_struct(name: &'static str, len: usize) -> SerializeTupleStruct;
        serialize_tuple_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> SerializeTupleVariant;
        serialize_map(len: Option<usize>) -> SerializeMap;
        serialize_struct(name: &'static str, len: usize) -> SerializeStruct;
        serialize_struct_variant(name: &'static str, index: u32, variant: &'static str, len: usize) -> SerializeStructVariant;
    }

    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        let mut out = Small {
            buf: [0; 64],
            len: 0,
            spill: None,
        };
        // Writing to `Small` never fails; a `Display` that fails is serde_json's error too.
        if write!(out, "{value}").is_err() {
            return Err(serde::ser::Error::custom("a value failed to format itself"));
        }
        self.0.serialize_str(out.as_str())
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

macro_rules! parts {
    ($trait:ident, $method:ident) => {
        impl<C: $trait> $trait for Parts<C> {
            type Ok = C::Ok;
            type Error = C::Error;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), C::Error> {
                self.0.$method(&Wrap(v))
            }
            fn end(self) -> Result<C::Ok, C::Error> {
                self.0.end()
            }
        }
    };
}

parts!(SerializeSeq, serialize_element);
parts!(SerializeTuple, serialize_element);
parts!(SerializeTupleStruct, serialize_field);
parts!(SerializeTupleVariant, serialize_field);

impl<C: SerializeMap> SerializeMap for Parts<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), C::Error> {
        self.0.serialize_key(&Wrap(k))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), C::Error> {
        self.0.serialize_value(&Wrap(v))
    }
    fn serialize_entry<K: Serialize + ?Sized, V: Serialize + ?Sized>(&mut self, k: &K, v: &V) -> Result<(), C::Error> {
        self.0.serialize_entry(&Wrap(k), &Wrap(v))
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.0.end()
    }
}

macro_rules! fields {
    ($trait:ident) => {
        impl<C: $trait> $trait for Parts<C> {
            type Ok = C::Ok;
            type Error = C::Error;
            fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Result<(), C::Error> {
                self.0.serialize_field(key, &Wrap(v))
            }
            fn skip_field(&mut self, key: &'static str) -> Result<(), C::Error> {
                self.0.skip_field(key)
            }
            fn end(self) -> Result<C::Ok, C::Error> {
                self.0.end()
            }
        }
    };
}

fields!(SerializeStruct);
fields!(SerializeStructVariant);

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use std::collections::BTreeMap;

    #[test]
    fn dates_and_timestamps_are_written_as_chrono_writes_them() {
        #[derive(Serialize)]
        struct Ours {
            #[serde(serialize_with = "timestamp")]
            at: DateTime<Utc>,
            #[serde(serialize_with = "date")]
            on: NaiveDate,
            #[serde(serialize_with = "opt_timestamp")]
            maybe_at: Option<DateTime<Utc>>,
            #[serde(serialize_with = "opt_date")]
            maybe_on: Option<NaiveDate>,
        }
        #[derive(Serialize)]
        struct Chrono {
            at: DateTime<Utc>,
            on: NaiveDate,
            maybe_at: Option<DateTime<Utc>>,
            maybe_on: Option<NaiveDate>,
        }
        let base: DateTime<Utc> = "2024-11-15T07:30:01Z".parse().unwrap();
        let mut cases = vec![
            base,
            "0000-01-01T00:00:00Z".parse().unwrap(),
            "9999-12-31T23:59:59.999999999Z".parse().unwrap(),
            "-0001-06-01T12:00:00Z".parse().unwrap(),
            "+10000-01-01T00:00:00.5Z".parse().unwrap(),
            // A leap second.
            chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
                .unwrap()
                .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
                .unwrap()
                .and_utc(),
        ];
        // Every fraction width, and a spread of days and times.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let secs = (x % 4_000_000_000) as i64 - 1_000_000_000;
            let nanos = match x % 4 {
                0 => 0,
                1 => (x % 1000) as u32 * 1_000_000,
                2 => (x % 1_000_000) as u32 * 1000,
                _ => (x % 1_000_000_000) as u32,
            };
            cases.push(DateTime::from_timestamp(secs, nanos).unwrap());
        }
        for at in cases {
            let on = at.date_naive();
            for some in [true, false] {
                let ours = Ours {
                    at,
                    on,
                    maybe_at: some.then_some(at),
                    maybe_on: some.then_some(on),
                };
                let chrono = Chrono {
                    at,
                    on,
                    maybe_at: ours.maybe_at,
                    maybe_on: ours.maybe_on,
                };
                assert_eq!(
                    serde_json::to_string(&ours).unwrap(),
                    serde_json::to_string(&chrono).unwrap()
                );
                assert_eq!(to_vec(&ours).unwrap(), serde_json::to_vec(&chrono).unwrap());
            }
        }
    }

    #[derive(Serialize)]
    #[serde(tag = "kind", rename_all = "snake_case")]
    enum Shape {
        Dated { on: NaiveDate, at: Option<DateTime<Utc>> },
        Plain { text: String },
    }

    #[derive(Serialize)]
    struct Sample {
        at: DateTime<Utc>,
        on: NaiveDate,
        far: NaiveDate,
        none: Option<DateTime<Utc>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<i32>,
        long: String,
        shapes: Vec<Shape>,
        by_date: BTreeMap<NaiveDate, (u8, f64)>,
        id: uuid::Uuid,
        value: serde_json::Value,
    }

    #[test]
    fn writes_what_serde_json_writes() {
        let at: DateTime<Utc> = "2024-11-15T07:30:01.123456Z".parse().unwrap();
        let on = NaiveDate::from_ymd_opt(2024, 12, 15).unwrap();
        let sample = Sample {
            at,
            on,
            far: NaiveDate::from_ymd_opt(-12, 1, 1).unwrap(),
            none: None,
            skipped: None,
            // Longer than the stack buffer, with characters to escape.
            long: "Tháng hành động \"vì bình đẳng giới\"\n".repeat(5),
            shapes: vec![Shape::Dated { on, at: Some(at) }, Shape::Plain { text: "x".into() }],
            by_date: BTreeMap::from([(on, (1, 0.5))]),
            id: uuid::Uuid::nil(),
            value: serde_json::json!({"a": [1, "b", null]}),
        };
        let ours = String::from_utf8(to_vec(&sample).unwrap()).unwrap();
        assert_eq!(ours, serde_json::to_string(&sample).unwrap());
        assert!(ours.contains("\"at\":\"2024-11-15T07:30:01.123456Z\""), "{ours}");

        // A `Display` longer than the stack buffer spills whole.
        struct Long;
        impl Display for Long {
            fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
                for i in 0..40 {
                    write!(f, "{i}é\"")?;
                }
                Ok(())
            }
        }
        struct ViaDisplay;
        impl Serialize for ViaDisplay {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(&Long)
            }
        }
        assert_eq!(to_vec(&ViaDisplay).unwrap(), serde_json::to_vec(&ViaDisplay).unwrap());
    }
}
