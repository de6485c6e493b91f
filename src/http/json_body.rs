//! JSON response bodies. Every JSON answer is written here, by serde_json, into a buffer sized
//! by the worker's last body (a page of records is one allocation instead of one that doubles
//! four times).
//!
//! Timestamps and dates are written from their numbers: the response types serialize them with
//! [`timestamp`] and [`date`] (and their `opt_` forms), which write exactly what chrono writes
//! (RFC 3339 with `Z` and the shortest of 0, 3, 6 or 9 fractional digits; `YYYY-MM-DD`) in one
//! step. chrono's own `Serialize` goes through `Display`, which hands serde_json one character
//! at a time, each escaped on its own: a list of twenty trainings spent 8.5% of the service's
//! CPU on its timestamps.

use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, HttpResponseBuilder};
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use serde::ser::{Serialize, Serializer};

use crate::text::{put_clock, put_ymd};

thread_local! {
    /// The size of the last body this worker wrote: the next one's first guess, so a page of
    /// records is written into one allocation instead of one that doubles four times.
    static LAST_SIZE: std::cell::Cell<usize> = const { std::cell::Cell::new(1024) };
}

/// The body of `value` as compact JSON.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    let guess = LAST_SIZE.get().clamp(256, 64 * 1024);
    let mut ser = serde_json::Serializer::new(Vec::with_capacity(guess + guess / 8));
    value.serialize(&mut ser)?;
    let body = ser.into_inner();
    LAST_SIZE.set(body.len());
    Ok(body)
}

/// `builder.json_body(&value)`: the response with `value` as its JSON body (what actix's
/// `json` does, through [`to_vec`]).
pub trait JsonBody {
    fn json_body<T: Serialize + ?Sized>(&mut self, value: &T) -> HttpResponse;
    /// The response with `json`, already written (a list page written from its rows), as its
    /// JSON body.
    fn json_bytes(&mut self, json: Vec<u8>) -> HttpResponse;
}

impl JsonBody for HttpResponseBuilder {
    fn json_body<T: Serialize + ?Sized>(&mut self, value: &T) -> HttpResponse {
        match to_vec(value) {
            Ok(body) => self.json_bytes(body),
            Err(e) => HttpResponse::from_error(actix_web::error::JsonPayloadError::Serialize(e)),
        }
    }

    fn json_bytes(&mut self, json: Vec<u8>) -> HttpResponse {
        self.insert_header(ContentType::json()).body(json)
    }
}

/// `YYYY-MM-DD` at the head of `out`; its length, or `None` for a year outside 0..=9999.
fn put_date(out: &mut [u8], d: NaiveDate) -> Option<usize> {
    put_ymd(out, 0, d.year().into(), d.month(), d.day()).then_some(10)
}

/// The civil date of a day counted from 1970-01-01, by Neri and Schneider's algorithm
/// ("Euclidean affine functions and their application to calendar algorithms", 2022): 32-bit
/// multiplications and shifts where Hinnant's `civil_from_days` divides 64-bit numbers (a
/// list writes four dates a row). Exact for about ±32,000 years around 1970; outside, a year
/// below 0, which the writers leave to chrono.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    const S: u32 = 82;
    const K: u32 = 719_468 + 146_097 * S;
    const L: u32 = 400 * S;
    if !(-11_000_000..=11_000_000).contains(&days) {
        return (-1, 1, 1);
    }
    let n = (days as i32 as u32).wrapping_add(K);
    let n1 = 4 * n + 3;
    let century = n1 / 146_097;
    let nc = n1 % 146_097 / 4;
    let n2 = 4 * nc + 3;
    let p2 = 2_939_745u64 * u64::from(n2);
    let z = (p2 >> 32) as u32;
    let ny = (p2 as u32) / 2_939_745 / 4;
    let year = 100 * century + z;
    let n3 = 2_141 * ny + 197_913;
    let (month, day) = (n3 >> 16, (n3 & 0xffff) / 2_141 + 1);
    let january_or_february = ny >= 306;
    (
        i64::from(year) - i64::from(L) + i64::from(january_or_february),
        if january_or_february { month - 12 } else { month },
        day,
    )
}

/// Days from 1970-01-01 to 2000-01-01, PostgreSQL's epoch.
const PG_EPOCH_DAYS: i64 = 10_957;

/// A PostgreSQL `date` in its binary form (days since 2000-01-01) as a date.
pub fn pg_date(days: i32) -> Option<NaiveDate> {
    // 2000-01-01 is day 730,120 of the common era (0001-01-01 is day 1).
    NaiveDate::from_num_days_from_ce_opt(days.checked_add(730_120)?)
}

/// A PostgreSQL `timestamptz` in its binary form (microseconds since 2000-01-01 UTC).
pub fn pg_timestamp(micros: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_micros(micros.checked_add(PG_EPOCH_DAYS * 86_400_000_000)?)
}

/// A PostgreSQL `date` in its binary form (days since 2000-01-01) as its JSON string
/// (`"YYYY-MM-DD"`, as [`date`] writes it) at the head of `out`; its length, or `None` outside
/// the years 0..=9999.
#[inline]
pub fn pg_date_quoted(days: i32, out: &mut [u8; 32]) -> Option<usize> {
    let (y, m, d) = civil_from_days(i64::from(days) + PG_EPOCH_DAYS);
    out[0] = b'"';
    out[11] = b'"';
    put_ymd(out, 1, y, m, d).then_some(12)
}

/// A PostgreSQL `timestamptz` in its binary form (microseconds since 2000-01-01 UTC) as its
/// JSON string (as [`timestamp`] writes it) at the head of `out`; its length, or `None` outside
/// the years 0..=9999.
#[inline]
pub fn pg_timestamp_quoted(micros: i64, out: &mut [u8; 32]) -> Option<usize> {
    const DAY: i64 = 86_400_000_000;
    let in_day = micros.rem_euclid(DAY) as u64;
    let (y, m, d) = civil_from_days(micros.div_euclid(DAY) + PG_EPOCH_DAYS);
    out[0] = b'"';
    if !put_ymd(out, 1, y, m, d) {
        return None;
    }
    let n = put_clock(out, 11, (in_day / 1_000_000) as u32, (in_day % 1_000_000) as u32 * 1000);
    out[n] = b'"';
    Some(n + 1)
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
    let Some(n) = put_date(&mut out, t.date_naive()).filter(|_| nanos < 1_000_000_000) else {
        return t.serialize(s);
    };
    let n = put_clock(&mut out, n, t.time().num_seconds_from_midnight(), nanos);
    s.serialize_str(ascii(&out[..n]))
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[test]
    fn every_day_of_the_years_0_to_9999_is_chrono_s_date() {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        let first = (NaiveDate::from_ymd_opt(0, 1, 1).unwrap() - epoch).num_days();
        let last = (NaiveDate::from_ymd_opt(9999, 12, 31).unwrap() - epoch).num_days();
        let mut date = NaiveDate::from_ymd_opt(0, 1, 1).unwrap();
        for days in first..=last {
            let want = (i64::from(date.year()), date.month(), date.day());
            assert_eq!(super::civil_from_days(days), want, "{days}");
            date = date.succ_opt().unwrap();
        }
        // Far out of the range the algorithm holds: a year the writers leave to chrono.
        assert!(super::civil_from_days(i64::from(i32::MAX)).0 < 0);
        assert!(super::civil_from_days(-20_000_000).0 < 0);
    }

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

    #[test]
    fn postgres_binary_dates_and_timestamps_are_written_as_chrono_writes_them() {
        let epoch = NaiveDate::from_ymd_opt(2000, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc();
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut micros: Vec<i64> = vec![0, -1, 1, 86_400_000_000 - 1, -86_400_000_000, 1_000, 999_999];
        // The first and last microseconds of the years 0 and 9999, and a spread between.
        let first = NaiveDate::from_ymd_opt(0, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc();
        let last = NaiveDate::from_ymd_opt(9999, 12, 31)
            .unwrap()
            .and_hms_micro_opt(23, 59, 59, 999_999)
            .unwrap()
            .and_utc();
        micros.push((first - epoch).num_microseconds().unwrap());
        micros.push((last - epoch).num_microseconds().unwrap());
        for _ in 0..5000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = (x % 400_000_000_000_000_000) as i64 - 63_000_000_000_000_000;
            micros.push(match x % 3 {
                0 => v / 1_000_000 * 1_000_000,
                1 => v / 1000 * 1000,
                _ => v,
            });
        }
        for m in micros {
            let at = epoch + chrono::Duration::microseconds(m);
            let mut out = [0u8; 32];
            let want = serde_json::to_string(&at).unwrap();
            assert_eq!(pg_timestamp(m), Some(at), "{m}");
            match pg_timestamp_quoted(m, &mut out) {
                Some(n) => assert_eq!(std::str::from_utf8(&out[..n]).unwrap(), want, "{m}"),
                None => assert!(!(0..=9999).contains(&at.year()), "{m}"),
            }
            let days = (at.date_naive() - epoch.date_naive()).num_days() as i32;
            let mut out = [0u8; 32];
            let want = serde_json::to_string(&at.date_naive()).unwrap();
            assert_eq!(pg_date(days), Some(at.date_naive()), "{days}");
            match pg_date_quoted(days, &mut out) {
                Some(n) => assert_eq!(std::str::from_utf8(&out[..n]).unwrap(), want, "{days}"),
                None => assert!(!(0..=9999).contains(&at.year()), "{days}"),
            }
        }
        assert_eq!(pg_date_quoted(i32::MAX, &mut [0; 32]), None);
        assert_eq!(pg_timestamp_quoted(i64::MAX, &mut [0; 32]), None);
        assert_eq!(pg_timestamp_quoted(i64::MIN, &mut [0; 32]), None);
    }

    #[test]
    fn bodies_are_what_serde_json_writes_whatever_the_last_size() {
        // Growing past the guess, shrinking below it, and an empty one.
        for n in [3usize, 400, 5000, 10, 0, 20_000, 1] {
            let value: Vec<String> = (0..n).map(|i| format!("Tháng hành động \"{i}\"\n")).collect();
            assert_eq!(to_vec(&value).unwrap(), serde_json::to_vec(&value).unwrap());
        }
    }
}
