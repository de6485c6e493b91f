//! Logging and metrics: one structured line per request (request id, method, path, status,
//! latency), Prometheus counters and a latency histogram. Never logs headers or bodies, so
//! tokens, passwords and victims' details cannot reach a log.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use tracing_subscriber::EnvFilter;

use crate::error::{Lang, RequestContext, REQUEST_CONTEXT};

pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

#[derive(Default)]
struct Inner {
    requests: HashMap<(String, String, u16), u64>,
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Request counters and a latency histogram, rendered at `/metrics`.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Metrics {
    pub fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        *m.requests
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
        for (i, le) in BUCKETS.iter().enumerate() {
            if seconds <= *le {
                m.buckets[i] += 1;
            }
        }
        m.count += 1;
        m.sum += seconds;
    }

    pub fn render(&self, pool: &crate::db::Pool) -> String {
        use std::fmt::Write;
        let m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        out.push_str("# HELP binhdang_http_requests_total HTTP requests by method, route and status.\n");
        out.push_str("# TYPE binhdang_http_requests_total counter\n");
        let mut rows: Vec<_> = m.requests.iter().collect();
        rows.sort();
        for ((method, route, status), n) in rows {
            let _ = writeln!(
                out,
                "binhdang_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        out.push_str("# HELP binhdang_http_request_duration_seconds Request latency.\n");
        out.push_str("# TYPE binhdang_http_request_duration_seconds histogram\n");
        for (i, le) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "binhdang_http_request_duration_seconds_bucket{{le=\"{le}\"}} {}",
                m.buckets[i]
            );
        }
        let _ = writeln!(
            out,
            "binhdang_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}",
            m.count
        );
        let _ = writeln!(out, "binhdang_http_request_duration_seconds_sum {}", m.sum);
        let _ = writeln!(out, "binhdang_http_request_duration_seconds_count {}", m.count);
        let status = pool.status();
        out.push_str("# HELP binhdang_db_pool_connections Database pool connections by state.\n");
        out.push_str("# TYPE binhdang_db_pool_connections gauge\n");
        let _ = writeln!(out, "binhdang_db_pool_connections{{state=\"open\"}} {}", status.size);
        let _ = writeln!(
            out,
            "binhdang_db_pool_connections{{state=\"idle\"}} {}",
            status.available
        );
        let _ = writeln!(out, "binhdang_db_pool_connections{{state=\"max\"}} {}", status.max_size);
        out
    }
}

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
    let latency_ms = elapsed.as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::warn!(request_id = %id, %method, %path, status, latency_ms, "request");
    } else {
        tracing::info!(request_id = %id, %method, %path, status, latency_ms, "request");
    }
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
