//! Bytes of text as JSON and the logs want them, shared by the list writer
//! ([`crate::http::json_row`]), the body writer ([`crate::http::json_body`]) and the request log
//! lines ([`crate::telemetry`]): JSON strings escaped as serde_json escapes them, and dates and
//! times written two digits a lookup at fixed places.

use chrono::{DateTime, Datelike, Timelike, Utc};

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

/// Whether any of the eight bytes of `x` needs escaping in a JSON string (below 0x20, a quote
/// or a backslash): the word tests of "Bit Twiddling Hacks" (`hasless`, `haszero`), exact for
/// the word as a whole (bytes of 0x80 and above, UTF-8's, never match).
#[inline(always)]
fn any_to_escape(x: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
    (below_space | zero_byte(x ^ (ONES * u64::from(b'"'))) | zero_byte(x ^ (ONES * u64::from(b'\\')))) != 0
}

/// Whether none of `bytes` needs escaping: eight bytes a test, the tail's padded with a letter.
#[inline(always)]
fn nothing_to_escape(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    let mut any = false;
    for word in words.by_ref() {
        any |= any_to_escape(u64::from_le_bytes(word.try_into().unwrap_or_default()));
    }
    let tail = words.remainder();
    let mut last = [b'a'; 8];
    last[..tail.len()].copy_from_slice(tail);
    !(any || any_to_escape(u64::from_le_bytes(last)))
}

/// `"<bytes>"`, escaped as serde_json escapes a string (quote, backslash, control characters;
/// everything else, UTF-8 included, as it is). The bytes are UTF-8 (see the module's notes);
/// escaping only ever touches ASCII, so the output is UTF-8 too. A text with nothing to escape
/// (almost every one) is found so eight bytes at a time and copied whole.
pub fn escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    if nothing_to_escape(bytes) {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
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

/// "00" to "99": two digits a lookup (dates and times are mostly pairs of digits).
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The two digits of `v` (below 100) at `out[at..at + 2]`.
#[inline(always)]
pub fn put2(out: &mut [u8], at: usize, v: u32) {
    let i = v as usize * 2;
    out[at..at + 2].copy_from_slice(&PAIRS[i..i + 2]);
}

/// `v` in decimal: below 100 (most counts) from the table of pairs, otherwise by itoa.
#[inline(always)]
pub fn put_int(out: &mut Vec<u8>, v: i64) {
    match v {
        0..=9 => out.push(b'0' + v as u8),
        10..=99 => {
            let i = v as usize * 2;
            out.extend_from_slice(&PAIRS[i..i + 2]);
        }
        _ => out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
    }
}

/// `YYYY-MM-DD` at `out[at..at + 10]`; false for a year outside 0..=9999 (which chrono writes
/// with a sign, left to chrono).
#[inline(always)]
pub fn put_ymd(out: &mut [u8], at: usize, year: i64, month: u32, day: u32) -> bool {
    let Some(year) = u32::try_from(year).ok().filter(|y| *y <= 9999) else {
        return false;
    };
    put2(out, at, year / 100);
    put2(out, at + 2, year % 100);
    out[at + 4] = b'-';
    put2(out, at + 5, month);
    out[at + 7] = b'-';
    put2(out, at + 8, day);
    true
}

/// After a date ending at `out[at]`: `THH:MM:SS`, the shortest of 0, 3, 6 or 9 fractional
/// digits that holds `nanos` (below 10^9), and `Z`, as chrono writes them. Returns where the
/// text ends.
#[inline(always)]
pub fn put_clock(out: &mut [u8], at: usize, seconds_of_day: u32, nanos: u32) -> usize {
    out[at] = b'T';
    put2(out, at + 1, seconds_of_day / 3600);
    out[at + 3] = b':';
    put2(out, at + 4, seconds_of_day / 60 % 60);
    out[at + 6] = b':';
    put2(out, at + 7, seconds_of_day % 60);
    let mut n = at + 9;
    if nanos != 0 {
        out[n] = b'.';
        // Milliseconds, then micro-, then nanoseconds, each while the rest is not zero.
        let ms = nanos / 1_000_000;
        out[n + 1] = b'0' + (ms / 100) as u8;
        put2(out, n + 2, ms % 100);
        n += 4;
        let rest = nanos % 1_000_000;
        if rest != 0 {
            let us = rest / 1000;
            out[n] = b'0' + (us / 100) as u8;
            put2(out, n + 1, us % 100);
            n += 3;
            let ns = rest % 1000;
            if ns != 0 {
                out[n] = b'0' + (ns / 100) as u8;
                put2(out, n + 1, ns % 100);
                n += 3;
            }
        }
    }
    out[n] = b'Z';
    n + 1
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ` (always six fractional digits, as log lines' timestamps are
/// written) at the head of `out`; its length, or `None` outside the years 0..=9999.
pub fn rfc3339_micros(t: &DateTime<Utc>, out: &mut [u8; 32]) -> Option<usize> {
    if !put_ymd(out, 0, t.year().into(), t.month(), t.day()) {
        return None;
    }
    let n = put_clock(out, 10, t.num_seconds_from_midnight(), 0) - 1;
    // A leap second's nanoseconds run past a second: its micro-seconds are capped.
    let micros = (t.timestamp_subsec_micros()).min(999_999);
    out[n] = b'.';
    out[n + 1] = b'0' + (micros / 100_000) as u8;
    put2(out, n + 2, micros / 1000 % 100);
    put2(out, n + 4, micros / 10 % 100);
    out[n + 6] = b'0' + (micros % 10) as u8;
    out[n + 7] = b'Z';
    Some(n + 8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_written_as_rust_writes_them() {
        let mut cases: Vec<i64> = (-1000..1000).collect();
        cases.extend([i64::MIN, i64::MAX, 10_000_000, -10_000_000, 2_147_483_647]);
        for v in cases {
            let mut out = Vec::new();
            put_int(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), v.to_string());
        }
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
        // Each ASCII byte at each place of a longer text (the eight-byte steps and the tail),
        // and runs of UTF-8.
        for b in 0u8..=0x7f {
            for at in 0..21 {
                let mut t = "Tháng hành động x".to_string();
                if t.is_char_boundary(at) {
                    t.insert(at, b as char);
                    all.push(t);
                }
                let mut t = "x".repeat(20);
                t.insert(at, b as char);
                all.push(t);
            }
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
    fn log_timestamps_have_six_fractional_digits() {
        let mut out = [0u8; 32];
        for (at, want) in [
            ("2026-12-07T10:10:18.713677Z", "2026-12-07T10:10:18.713677Z"),
            ("2026-01-02T03:04:05Z", "2026-01-02T03:04:05.000000Z"),
            ("1999-12-31T23:59:59.000001999Z", "1999-12-31T23:59:59.000001Z"),
            ("0000-01-01T00:00:00.5Z", "0000-01-01T00:00:00.500000Z"),
        ] {
            let t: DateTime<Utc> = at.parse().unwrap();
            let n = rfc3339_micros(&t, &mut out).unwrap();
            assert_eq!(std::str::from_utf8(&out[..n]).unwrap(), want);
            assert_eq!(want, t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string());
        }
        let far: DateTime<Utc> = "+10000-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(rfc3339_micros(&far, &mut out), None);
    }
}
