//! Logging and metrics: one structured line per request (request id, method, path, status,
//! latency), Prometheus counters and latency histograms. Never logs headers or bodies, so
//! tokens, passwords and victims' details cannot reach a log.

use std::sync::Mutex;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use tracing_subscriber::fmt::writer::BoxMakeWriter;
use tracing_subscriber::EnvFilter;

use crate::error::{Lang, RequestContext, REQUEST_CONTEXT};

/// Installs the log subscriber (lines on standard output; colours only on a terminal). With
/// `background` (the server), lines go to a buffer that a writer thread empties every
/// [`FLUSH_EVERY`] in one write, instead of each request's worker making a write of its own (a
/// tenth of a list's cost under load) or waking a writer for every line (a queue's receiver
/// woken per line cost 8% of a one-record read's CPU under load, issue 16); never lossy: a
/// line is in the buffer before the request's answer is sent, and a buffer grown past
/// [`FLUSH_AT`] is written by the logger itself. The guard writes what is left when dropped,
/// so the caller keeps it until it exits.
pub fn init(json: bool, background: bool) -> Option<LogGuard> {
    use std::io::IsTerminal;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let (writer, guard) = if background {
        let buffer = LogBuffer::default();
        let guard = buffer.spawn_flusher();
        (BoxMakeWriter::new(buffer), Some(guard))
    } else {
        (BoxMakeWriter::new(std::io::stdout), None)
    };
    let ansi = std::io::stdout().is_terminal();
    if let (Some(guard), false) = (&guard, ansi) {
        let _ = REQUEST_LINES.set(RequestLines {
            json,
            buffer: guard.buffer.clone(),
        });
    }
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi)
        .with_writer(writer);
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
    guard
}

/// Where the server writes its request lines itself (see [`log_request`]): set by [`init`] for
/// a server whose lines go to the log buffer without colours.
static REQUEST_LINES: std::sync::OnceLock<RequestLines> = std::sync::OnceLock::new();

struct RequestLines {
    json: bool,
    buffer: LogBuffer,
}

impl RequestLines {
    /// The line, in the subscriber's own format (text or JSON), into the log buffer.
    fn write(&self, id: &str, method: &str, path: &str, status: u16, elapsed: std::time::Duration) {
        let mut at = [0u8; 32];
        let now = chrono::Utc::now();
        let at = crate::text::rfc3339_micros(&now, &mut at).map_or(&[][..], |n| &at[..n]);
        let micros = elapsed.as_micros();
        let mut latency = itoa::Buffer::new();
        let ms = latency.format(micros / 1000);
        let fraction = [
            b'.',
            b'0' + (micros / 100 % 10) as u8,
            b'0' + (micros / 10 % 10) as u8,
            b'0' + (micros % 10) as u8,
        ];
        let mut status_text = itoa::Buffer::new();
        let status = status_text.format(status).as_bytes();
        // The two formats differ in the head, how a field is named and its text written, and
        // the end.
        let (head, key, is, text, end): (_, _, _, fn(&mut Vec<u8>, &str), _) = if self.json {
            (
                &b"\",\"level\":\"INFO\",\"message\":\"request\""[..],
                &b",\""[..],
                &b"\":"[..],
                |out, s| crate::text::escaped(out, s.as_bytes()),
                &b"}\n"[..],
            )
        } else {
            (&b"  INFO request"[..], &b" "[..], &b"="[..], terminal_safe, &b"\n"[..])
        };
        let mut lines = self.buffer.lock();
        let out = &mut lines.lines;
        if self.json {
            out.extend_from_slice(b"{\"timestamp\":\"");
        }
        out.extend_from_slice(at);
        out.extend_from_slice(head);
        for (name, value) in [("request_id", id), ("method", method), ("path", path)] {
            out.extend_from_slice(key);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(is);
            text(out, value);
        }
        for (name, value) in [("status", status), ("latency_ms", ms.as_bytes())] {
            out.extend_from_slice(key);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(is);
            out.extend_from_slice(value);
        }
        out.extend_from_slice(&fraction);
        out.extend_from_slice(end);
        if out.len() >= FLUSH_AT {
            // Written under the lock, so lines keep their order.
            let full = std::mem::take(out);
            write_out(&full);
        }
    }
}

/// `s` as the text format writes a field (tracing-subscriber's escaping): the control
/// characters a terminal would act on as `\x1b` and the like, the rest as it is.
fn terminal_safe(out: &mut Vec<u8>, s: &str) {
    if !s.chars().any(|c| c.is_control()) {
        out.extend_from_slice(s.as_bytes());
        return;
    }
    use std::fmt::Write;
    let mut escaped = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\x1b' | '\x07' | '\x08' | '\x0c' | '\x7f' => {
                let _ = write!(escaped, "\\x{:02x}", c as u32);
            }
            c if ('\u{80}'..='\u{9f}').contains(&c) => {
                let _ = write!(escaped, "\\u{{{:x}}}", c as u32);
            }
            c => escaped.push(c),
        }
    }
    out.extend_from_slice(escaped.as_bytes());
}

/// The request's log line. The server writes it into the log buffer itself, in the
/// subscriber's format (the subscriber's event machinery, field by field through `fmt`, cost a
/// tenth of a one-record read's instructions); the level filter (`RUST_LOG`) still decides
/// whether it is written. Elsewhere (a terminal, the tests), and for 5xx answers (a warning),
/// it is an event as any other.
fn log_request(id: &str, method: &str, path: &str, status: u16, elapsed: std::time::Duration) {
    let latency_ms = elapsed.as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::warn!(request_id = %id, %method, %path, status, latency_ms, "request");
        return;
    }
    match REQUEST_LINES.get() {
        Some(lines) => {
            if tracing::enabled!(tracing::Level::INFO) {
                lines.write(id, method, path, status, elapsed);
            }
        }
        None => tracing::info!(request_id = %id, %method, %path, status, latency_ms, "request"),
    }
}

/// How often the writer thread empties the log buffer.
pub const FLUSH_EVERY: std::time::Duration = std::time::Duration::from_millis(50);
/// A buffer this large is written at once by the thread that fills it.
pub const FLUSH_AT: usize = 1 << 20;

/// The server's log lines not yet written to standard output (see [`init`]).
#[derive(Clone, Default)]
pub struct LogBuffer {
    inner: std::sync::Arc<(Mutex<LogState>, std::sync::Condvar)>,
}

#[derive(Default)]
struct LogState {
    lines: Vec<u8>,
    closed: bool,
}

fn write_out(bytes: &[u8]) {
    use std::io::Write;
    if bytes.is_empty() {
        return;
    }
    let mut out = std::io::stdout().lock();
    // A log that cannot be written (a closed pipe) must not stop the service.
    let _ = out.write_all(bytes).and_then(|_| out.flush());
}

impl LogBuffer {
    fn lock(&self) -> std::sync::MutexGuard<'_, LogState> {
        self.inner.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Swaps the buffer out (under the lock) and writes it (outside it).
    fn flush(&self) {
        let lines = std::mem::take(&mut self.lock().lines);
        write_out(&lines);
    }

    fn spawn_flusher(&self) -> LogGuard {
        let buffer = self.clone();
        let thread = std::thread::Builder::new()
            .name("log-writer".into())
            .spawn(move || loop {
                let closed = {
                    let state = buffer.lock();
                    let (state, _) = buffer
                        .inner
                        .1
                        .wait_timeout_while(state, FLUSH_EVERY, |s| !s.closed)
                        .unwrap_or_else(|p| p.into_inner());
                    state.closed
                };
                buffer.flush();
                if closed {
                    break;
                }
            })
            .ok();
        LogGuard {
            buffer: self.clone(),
            thread,
        }
    }
}

impl std::io::Write for &LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut state = self.lock();
        if state.closed {
            drop(state);
            write_out(bytes);
            return Ok(bytes.len());
        }
        state.lines.extend_from_slice(bytes);
        if state.lines.len() >= FLUSH_AT {
            // Written under the lock, so lines keep their order.
            let lines = std::mem::take(&mut state.lines);
            write_out(&lines);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogBuffer {
    type Writer = &'a LogBuffer;

    fn make_writer(&'a self) -> Self::Writer {
        self
    }
}

/// Writes what the log buffer holds when dropped, and stops its writer thread.
pub struct LogGuard {
    buffer: LogBuffer,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        self.buffer.lock().closed = true;
        self.buffer.inner.1.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.buffer.flush();
    }
}

/// Latency buckets in seconds: most requests take a few milliseconds; exports take longer.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// Request counters and latency histograms by route pattern, method and status class; the
/// database pools' connections (the whole process and each worker); process metrics (RSS, CPU,
/// open files, threads). Rendered at `/metrics` in the Prometheus text format by the
/// `prometheus` crate. Labels are bounded: the route is the pattern (`/api/v1/trainings/{id}`),
/// never the path, and anything that matched no route is `unmatched`.
pub struct Metrics {
    registry: prometheus::Registry,
    requests: prometheus::IntCounterVec,
    latency: prometheus::HistogramVec,
    pool: prometheus::IntGaugeVec,
    worker_pool: prometheus::IntGaugeVec,
    pools: Mutex<Vec<crate::db::Pool>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new().expect("metric names and labels are valid")
    }
}

impl Metrics {
    fn new() -> prometheus::Result<Self> {
        use prometheus::{HistogramOpts, IntCounterVec, IntGaugeVec, Opts};
        let registry = prometheus::Registry::new();
        let labels = ["method", "route", "status"];
        let requests = IntCounterVec::new(
            Opts::new(
                "binhdang_http_requests_total",
                "HTTP requests by method, route pattern and status class (2xx, 4xx, ...).",
            ),
            &labels,
        )?;
        let latency = prometheus::HistogramVec::new(
            HistogramOpts::new(
                "binhdang_http_request_duration_seconds",
                "Request latency by method, route pattern and status class.",
            )
            .buckets(BUCKETS.to_vec()),
            &labels,
        )?;
        let pool = IntGaugeVec::new(
            Opts::new(
                "binhdang_db_pool_connections",
                "Database connections of the whole process by state (open, idle, in_use, max, waiting).",
            ),
            &["state"],
        )?;
        let worker_pool = IntGaugeVec::new(
            Opts::new(
                "binhdang_db_pool_worker_connections",
                "Database connections of each HTTP worker's own pool by state.",
            ),
            &["worker", "state"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(pool.clone()))?;
        registry.register(Box::new(worker_pool.clone()))?;
        registry.register(Box::new(prometheus::process_collector::ProcessCollector::for_self()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            pool,
            worker_pool,
            pools: Mutex::default(),
        })
    }

    /// Counts a worker's pool in the pool gauges (each worker calls this once for its own).
    pub fn add_pool(&self, pool: crate::db::Pool) {
        self.pools.lock().unwrap_or_else(|p| p.into_inner()).push(pool);
    }

    pub fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let class = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        let labels = [method, route, class];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(seconds);
    }

    pub fn render(&self) -> String {
        let pools = self.pools.lock().unwrap_or_else(|p| p.into_inner());
        let mut total = [0i64; 5];
        for (worker, pool) in pools.iter().enumerate() {
            let s = pool.status();
            let available = s.available as i64;
            let row = [
                s.size as i64,
                available,
                s.size as i64 - available,
                s.max_size as i64,
                s.waiting as i64,
            ];
            let worker = worker.to_string();
            for (i, state) in POOL_STATES.iter().enumerate() {
                self.worker_pool
                    .with_label_values(&[worker.as_str(), state])
                    .set(row[i]);
                total[i] += row[i];
            }
        }
        drop(pools);
        for (i, state) in POOL_STATES.iter().enumerate() {
            self.pool.with_label_values(&[state]).set(total[i]);
        }
        prometheus::TextEncoder::new()
            .encode_to_string(&self.registry.gather())
            .unwrap_or_else(|e| format!("# metrics could not be encoded: {e}\n"))
    }
}

const POOL_STATES: [&str; 5] = ["open", "idle", "in_use", "max", "waiting"];

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .map(str::to_string)
        // A v4 id from the thread-local generator: no system call per request.
        .unwrap_or_else(|| uuid::Builder::from_random_bytes(rand::random()).into_uuid().to_string())
}

/// Outermost middleware: request id and language for the whole request (errors rendered
/// inside use them), then one log line and the metrics.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let start = Instant::now();
    let id = request_id(&req);
    let lang = Lang::from_accept_language(req.headers().get("accept-language").and_then(|v| v.to_str().ok()));
    let method = req.method().to_string();
    let path = req.path().to_string();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let ctx = RequestContext {
        lang,
        request_id: id.clone(),
    };
    let result = REQUEST_CONTEXT.scope(ctx, next.call(req)).await;
    let elapsed = start.elapsed();
    let (status, route) = match &result {
        Ok(res) => (
            res.status().as_u16(),
            res.request().match_pattern().unwrap_or_else(|| "unmatched".into()),
        ),
        Err(e) => (e.as_response_error().status_code().as_u16(), "unmatched".into()),
    };
    log_request(&id, &method, &path, status, elapsed);
    if let Some(metrics) = metrics {
        metrics.record(&method, &route, status, elapsed.as_secs_f64());
    }
    result.map(|mut res| {
        if let Ok(v) = HeaderValue::from_str(&id) {
            res.headers_mut().insert(REQUEST_ID, v);
        }
        res
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(json: bool, id: &str, path: &str) -> String {
        let lines = RequestLines {
            json,
            buffer: LogBuffer::default(),
        };
        lines.write(id, "GET", path, 200, std::time::Duration::from_micros(1_296_752));
        let bytes = std::mem::take(&mut lines.buffer.lock().lines);
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn request_lines_are_written_in_the_subscriber_s_formats() {
        let text = line(false, "mobile-42", "/api/v1/units");
        let (at, rest) = text.split_once("  ").unwrap();
        assert!(at.parse::<chrono::DateTime<chrono::Utc>>().is_ok(), "{text}");
        assert_eq!(at.len(), "2026-12-07T10:10:18.713677Z".len(), "{text}");
        assert_eq!(
            rest,
            "INFO request request_id=mobile-42 method=GET path=/api/v1/units status=200 latency_ms=1296.752\n"
        );
        let json = line(true, "mobile-42", "/api/v1/\"units\"");
        assert!(json.ends_with("}\n"), "{json}");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["level"], "INFO");
        assert_eq!(v["message"], "request");
        assert_eq!(v["request_id"], "mobile-42");
        assert_eq!(v["method"], "GET");
        assert_eq!(v["path"], "/api/v1/\"units\"");
        assert_eq!(v["status"], 200);
        assert_eq!(v["latency_ms"], 1296.752);
        assert!(v["timestamp"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .is_ok());
    }

    #[test]
    fn control_characters_reach_a_text_line_escaped_as_tracing_escapes_them() {
        let mut out = Vec::new();
        terminal_safe(&mut out, "a\x1b[31mb\x07c\u{9b}d\u{e9}");
        assert_eq!(String::from_utf8(out).unwrap(), "a\\x1b[31mb\\x07c\\u{9b}d\u{e9}");
    }
}
