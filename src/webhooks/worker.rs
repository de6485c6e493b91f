//! The delivery worker: fans the outbox (`audit_events`) out to each endpoint in its partner's
//! view, then sends what is due, signed as Standard Webhooks specifies, and retries on the
//! schedule. Safe to run in many processes at once: fan-outs lock their endpoints and attempts
//! are claimed (`FOR UPDATE SKIP LOCKED`) under a lease, so no attempt is sent twice while its
//! worker lives, and one whose worker died is attempted again once the lease ends.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use base64::Engine;
use diesel_async::AsyncConnection;
use hmac::{Hmac, Mac};
use rand::Rng;
use serde_json::json;
use sha2::Sha256;
use uuid::Uuid;

use super::api::{DisabledReason, EventType};
use super::model::{EndpointChanges, NewDelivery};
use super::queries::{self, Claimed, Outcome};
use crate::auth::second_factor::DataKey;
use crate::changes::api::{encode_cursor, ChangeItem};
use crate::config::WebhookSettings;
use crate::db::{Conn, Pool};
use crate::error::{ApiError, Text};

/// The event type of a test event (sent on request, whatever the endpoint subscribes to).
pub const TEST_EVENT: &str = "webhook.test";

/// Resources whose changes move a unit's aggregates (`GET /reports/summary`): a change to one in
/// a granted unit's subtree is a `summary.changed` for that unit. Survivors' cases are not among
/// them: their entries belong to no unit's scope, and their timing is not a partner's to learn.
const SUMMARY_TYPES: &[&str] = &[
    "training",
    "outreach_event",
    "unit_figures",
    "plan",
    "plan_target",
    "inspection",
    "violation",
    "petition",
    "unit_leader",
    "unit",
];

/// Endpoints one fan-out transaction takes, and feed rows it reads for each.
const FAN_OUT_ENDPOINTS: i64 = 50;
const FAN_OUT_ROWS: i64 = 500;
/// Attempts one worker sends at once.
const CLAIM: i64 = 16;
/// Finished deliveries are kept this long (for the deliveries list and replays).
pub const KEEP_DAYS: i32 = 30;
/// The longest `Retry-After` honoured.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

fn namespace() -> Uuid {
    Uuid::from_u128(0x6b1f5a2e8d3c4e7a9f102b3c4d5e6f71)
}

/// A stable `webhook-id` for an event named by `key`.
pub fn message_id(key: &str) -> String {
    format!("msg_{}", Uuid::new_v5(&namespace(), key.as_bytes()).simple())
}

/// The event type of a feed item a partner sees.
fn event_type(item: &ChangeItem) -> Option<EventType> {
    let prefix = match item.type_.as_str() {
        "outreach_event" => "outreach",
        other => other,
    };
    let verb = match (item.deleted, item.action.as_str()) {
        (true, _) => "deleted",
        (false, "create") => "created",
        _ => "updated",
    };
    EventType::parse(&format!("{prefix}.{verb}"))
}

/// The body of an event.
pub fn body(kind: &str, at: chrono::DateTime<chrono::Utc>, data: serde_json::Value) -> String {
    json!({"type": kind, "timestamp": at, "data": data}).to_string()
}

/// Fans new feed rows out to every enabled endpoint (up to [`FAN_OUT_ENDPOINTS`] a call), each in
/// its partner's view: the deliveries and the endpoint's new feed position in one transaction.
/// The number of deliveries queued.
pub async fn fan_out(conn: &mut Conn) -> Result<usize, ApiError> {
    conn.transaction::<_, ApiError, _>(async |conn| {
        let horizon = crate::changes::queries::horizon(conn).await?;
        let horizon_txid: i64 = horizon.parse().unwrap_or(0);
        let mut queued = 0;
        for target in queries::lock_for_fan_out(conn, FAN_OUT_ENDPOINTS).await? {
            let grants = crate::clients::queries::granted_units(conn, target.client_id).await?;
            let scopes: Vec<String> = grants.iter().map(|(_, p)| p.clone()).collect();
            let from = (target.feed_txid.to_string(), target.feed_seq);
            let rows = match scopes.is_empty() {
                true => Vec::new(),
                false => {
                    crate::changes::queries::partner_window(
                        conn,
                        &scopes,
                        (&from.0, from.1),
                        &horizon,
                        SUMMARY_TYPES,
                        FAN_OUT_ROWS,
                    )
                    .await?
                }
            };
            let full = rows.len() as i64 == FAN_OUT_ROWS;
            let wants = |t: EventType| target.event_types.iter().any(|w| w == t.as_str());
            let mut last = (target.feed_txid, target.feed_seq);
            let mut out = Vec::new();
            let mut summaries: BTreeMap<Uuid, ((i64, i64), chrono::DateTime<chrono::Utc>)> = BTreeMap::new();
            for w in rows {
                let pos = (w.change.txid.parse::<i64>().unwrap_or(0), w.change.seq);
                last = pos;
                if wants(EventType::SummaryChanged) && SUMMARY_TYPES.contains(&w.change.resource.as_str()) {
                    for (unit, path) in &grants {
                        if w.record_unit_path.starts_with(path.as_str()) {
                            summaries.insert(*unit, (pos, w.change.at));
                        }
                    }
                }
                if !w.partner_visible {
                    continue;
                }
                let item = ChangeItem::from_row(w.change, true);
                let Some(kind) = event_type(&item).filter(|k| wants(*k)) else {
                    continue;
                };
                let at = item.changed_at;
                out.push(NewDelivery {
                    id: Uuid::now_v7(),
                    endpoint_id: target.id,
                    message_id: message_id(&format!("{}:{}", pos.0, pos.1)),
                    event_type: kind.as_str().into(),
                    payload: body(kind.as_str(), at, serde_json::to_value(&item).unwrap_or_default()),
                    feed_txid: Some(pos.0),
                    feed_seq: Some(pos.1),
                });
            }
            for (unit, (pos, at)) in summaries {
                let kind = EventType::SummaryChanged.as_str();
                let data =
                    json!({"unit_id": unit, "cursor": encode_cursor(&pos.0.to_string(), pos.1), "changed_at": at});
                out.push(NewDelivery {
                    id: Uuid::now_v7(),
                    endpoint_id: target.id,
                    message_id: message_id(&format!("summary:{unit}:{}:{}", pos.0, pos.1)),
                    event_type: kind.into(),
                    payload: body(kind, at, data),
                    feed_txid: Some(pos.0),
                    feed_seq: Some(pos.1),
                });
            }
            queued += queries::enqueue(conn, &out).await?.len();
            // Every row below the horizon has been read when the window was not full: the
            // position moves to the horizon, so the next read starts there.
            let next = if full { last } else { last.max((horizon_txid, 0)) };
            if next != (target.feed_txid, target.feed_seq) {
                queries::advance(conn, target.id, next).await?;
            }
        }
        Ok(queued)
    })
    .await
}

/// True for an address a webhook may be sent to without `WEBHOOK_ALLOW_PRIVATE_ADDRESSES`:
/// not loopback, private, link-local, shared (CGNAT), documentation, benchmarking, multicast,
/// reserved or unspecified (IPv4-mapped IPv6 addresses are judged as IPv4).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => {
            let o = a.octets();
            !(a.is_private()
                || a.is_loopback()
                || a.is_link_local()
                || a.is_broadcast()
                || a.is_documentation()
                || a.is_unspecified()
                || a.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64)
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                || (o[0] == 198 && (o[1] & 0xfe) == 18)
                || o[0] >= 240)
        }
        IpAddr::V6(a) => {
            if let Some(v4) = a.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = a.segments();
            !(a.is_loopback()
                || a.is_unspecified()
                || a.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] == 0x2001 && s[1] == 0x0db8)
                || (s[0] == 0x0064 && s[1] == 0xff9b)
                || (s[0] == 0x0100 && s[1] == 0 && s[2] == 0 && s[3] == 0)
                || s[..6] == [0, 0, 0, 0, 0, 0])
        }
    }
}

/// Why a target URL is refused (for the API's field error and the worker's `last_error`).
pub fn check_url(raw: &str, settings: &WebhookSettings) -> Result<reqwest::Url, Text> {
    let url = reqwest::Url::parse(raw.trim())
        .map_err(|_| Text::new("is not an absolute URL", "không phải địa chỉ URL đầy đủ"))?;
    match url.scheme() {
        "https" => {}
        "http" if settings.allow_http => {}
        _ => return Err(Text::new("must be an https:// URL", "phải là địa chỉ https://")),
    }
    let private = match url.host() {
        None => return Err(Text::new("has no host", "không có tên máy chủ")),
        Some(url::Host::Ipv4(a)) => !is_public(IpAddr::V4(a)),
        Some(url::Host::Ipv6(a)) => !is_public(IpAddr::V6(a)),
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost") || !d.contains('.')
        }
    };
    if private && !settings.allow_private {
        return Err(Text::new(
            "names a loopback, private or link-local address",
            "trỏ tới địa chỉ nội bộ, loopback hoặc link-local",
        ));
    }
    Ok(url)
}

/// The addresses to send to: every one the host resolves to must be public (unless allowed);
/// the request then goes to exactly these (no second resolution an attacker could change).
async fn resolve(url: &reqwest::Url, settings: &WebhookSettings) -> Result<Vec<SocketAddr>, String> {
    let host = url
        .host_str()
        .ok_or("the URL has no host")?
        .trim_matches(|c| c == '[' || c == ']');
    let port = url.port_or_known_default().unwrap_or(443);
    let found = tokio::time::timeout(Duration::from_secs(5), tokio::net::lookup_host((host, port)))
        .await
        .map_err(|_| "the host name did not resolve in 5 s".to_string())?
        .map_err(|_| "the host name does not resolve".to_string())?;
    let addrs: Vec<SocketAddr> = found.collect();
    if addrs.is_empty() {
        return Err("the host name has no address".into());
    }
    if !settings.allow_private && addrs.iter().any(|a| !is_public(a.ip())) {
        return Err("the host name resolves to a loopback, private or link-local address".into());
    }
    Ok(addrs)
}

/// `webhook-signature`: `v1,` + base64 of HMAC-SHA256 over `id.timestamp.body`, keyed by the
/// base64-decoded part of each `whsec_` secret, space-separated.
pub fn signature(secrets: &[String], id: &str, timestamp: i64, body: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    secrets
        .iter()
        .filter_map(|s| b64.decode(s.strip_prefix("whsec_").unwrap_or(s)).ok())
        .map(|key| {
            let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes any key length");
            mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
            format!("v1,{}", b64.encode(mac.finalize().into_bytes()))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What to do after an attempt.
#[derive(Debug, PartialEq)]
pub enum Decision {
    Delivered,
    Retry(Duration),
    /// No more attempts; disable the endpoint for this reason (none for a test event).
    Failed(Option<DisabledReason>),
}

/// The decision after attempt number `attempt` (1 for the first) answered `code` (none: no
/// answer), with its `Retry-After`: 2xx delivered; 410 gone (the endpoint is disabled); else a
/// retry after the schedule's next wait (±10% jitter; longer when `Retry-After` says so, up to a
/// day), or, when the schedule has run out, failed (the endpoint is disabled). A test event gets
/// one attempt and disables nothing.
pub fn decide(
    attempt: i32,
    code: Option<u16>,
    retry_after: Option<Duration>,
    schedule: &[Duration],
    test: bool,
) -> Decision {
    match code {
        Some(200..=299) => return Decision::Delivered,
        Some(410) => return Decision::Failed((!test).then_some(DisabledReason::Gone)),
        _ => {}
    }
    if test {
        return Decision::Failed(None);
    }
    match schedule.get((attempt.max(1) - 1) as usize) {
        Some(wait) => {
            let jittered = wait.mul_f64(rand::thread_rng().gen_range(0.9..1.1));
            Decision::Retry(jittered.max(retry_after.unwrap_or_default().min(MAX_RETRY_AFTER)))
        }
        None => Decision::Failed(Some(DisabledReason::Failing)),
    }
}

/// `Retry-After` in seconds or as an HTTP date.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    (at.with_timezone(&chrono::Utc) - chrono::Utc::now()).to_std().ok()
}

/// One attempt: the HTTP status (none when there was no answer), `Retry-After`, what went wrong.
async fn send(
    c: &Claimed,
    key: &DataKey,
    settings: &WebhookSettings,
) -> (Option<u16>, Option<Duration>, Option<String>) {
    let url = match check_url(&c.url, settings) {
        Ok(u) => u,
        Err(t) => return (None, None, Some(format!("refused target: {}", t.en))),
    };
    let addrs = match resolve(&url, settings).await {
        Ok(a) => a,
        Err(e) => return (None, None, Some(format!("refused target: {e}"))),
    };
    let secrets: Vec<String> = [Some(&c.secret_sealed), c.previous_secret_sealed.as_ref()]
        .into_iter()
        .flatten()
        .filter_map(|s| key.unseal(s))
        .filter_map(|s| String::from_utf8(s).ok())
        .collect();
    let timestamp = chrono::Utc::now().timestamp();
    let mut client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .no_proxy()
        .user_agent(concat!("binhdang-webhooks/", env!("CARGO_PKG_VERSION")));
    if let Some(host) = url
        .host_str()
        .filter(|_| matches!(url.host(), Some(url::Host::Domain(_))))
    {
        client = client.resolve_to_addrs(host, &addrs);
    }
    let client = match client.build() {
        Ok(c) => c,
        Err(e) => return (None, None, Some(format!("client: {e}"))),
    };
    let sent = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", &c.message_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header(
            "webhook-signature",
            signature(&secrets, &c.message_id, timestamp, &c.payload),
        )
        .body(c.payload.clone())
        .send()
        .await;
    match sent {
        Ok(r) => (Some(r.status().as_u16()), retry_after(r.headers()), None),
        Err(e) if e.is_timeout() => (
            None,
            None,
            Some(format!("no answer in {} s", settings.timeout.as_secs())),
        ),
        Err(e) if e.is_connect() => (None, None, Some("the connection was refused or failed".into())),
        Err(_) => (None, None, Some("the request failed".into())),
    }
}

/// Sends one claimed attempt and records what came of it (and disables its endpoint when it
/// must, with an audit entry naming the system).
async fn attempt(pool: &Pool, c: Claimed, key: &DataKey, settings: &WebhookSettings) -> Result<(), ApiError> {
    let started = Instant::now();
    let (code, wait, error) = send(&c, key, settings).await;
    let latency_ms = started.elapsed().as_millis().min(i32::MAX as u128) as i32;
    let test = c.event_type == TEST_EVENT;
    let decision = decide(c.attempts, code, wait, &settings.retry_schedule, test);
    let (status, retry_in, disable) = match &decision {
        Decision::Delivered => ("delivered", None, None),
        Decision::Retry(d) => ("pending", Some(*d), None),
        Decision::Failed(reason) => ("failed", None, *reason),
    };
    let outcome = Outcome {
        status,
        retry_in,
        status_code: code.map(i32::from),
        latency_ms,
        error: error.or_else(|| {
            code.filter(|c| !(200..300).contains(c))
                .map(|c| format!("answered {c}"))
        }),
    };
    let mut conn = pool.get().await?;
    let (id, attempt_no, endpoint) = (c.id, c.attempts, c.endpoint_id);
    crate::write::change(&mut conn, move |conn| {
        Box::pin(async move {
            if !queries::record_attempt(conn, id, attempt_no, &outcome).await? {
                return Ok(());
            }
            if let Some(reason) = disable {
                disable_endpoint(conn, endpoint, reason).await?;
            }
            Ok(())
        })
    })
    .await
}

/// Disables an endpoint on the system's authority (410, or the retries ran out).
async fn disable_endpoint(conn: &mut Conn, id: Uuid, reason: DisabledReason) -> Result<(), ApiError> {
    let Some(current) = queries::find(conn, id).await?.filter(|e| e.enabled) else {
        return Ok(());
    };
    let version = current.version;
    let changes = EndpointChanges {
        enabled: Some(false),
        disabled_reason: Some(Some(reason.as_str().into())),
        disabled_at: Some(Some(chrono::Utc::now())),
        ..Default::default()
    };
    let apply = crate::write::apply(move |conn| {
        Box::pin(async move { Ok(queries::update(conn, id, version, &changes).await?) })
    });
    crate::write::system_transition(conn, current, "disable", apply).await?;
    tracing::warn!(endpoint = %id, reason = reason.as_str(), "webhook endpoint disabled");
    Ok(())
}

/// One round: fan out, then send what is due. The number of deliveries queued and attempts sent.
pub async fn tick(pool: &Pool, key: &DataKey, settings: &WebhookSettings) -> Result<(usize, usize), ApiError> {
    let claimed = {
        let mut conn = pool.get().await?;
        let queued = fan_out(&mut conn).await?;
        let lease = settings.timeout.as_secs_f64() + 10.0;
        (queued, queries::claim(&mut conn, CLAIM, lease).await?)
    };
    let (queued, claimed) = claimed;
    let sent = claimed.len();
    let results = futures_util::future::join_all(claimed.into_iter().map(|c| attempt(pool, c, key, settings))).await;
    for r in results {
        r?;
    }
    Ok((queued, sent))
}

/// Runs the worker until the process ends: a round whenever there was work, else every
/// `WEBHOOK_POLL_MILLISECONDS`; finished deliveries older than [`KEEP_DAYS`] are dropped hourly.
pub async fn run(pool: Pool, key: DataKey, settings: WebhookSettings) {
    let mut purged = Instant::now();
    loop {
        match tick(&pool, &key, &settings).await {
            Ok((q, s)) if q + s > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "webhook worker round failed"),
        }
        if purged.elapsed() > Duration::from_secs(3600) {
            purged = Instant::now();
            if let Ok(mut conn) = pool.get().await {
                let _ = queries::purge(&mut conn, KEEP_DAYS).await;
            }
        }
        tokio::time::sleep(settings.poll).await;
    }
}

/// Starts [`run`] on the current runtime.
pub fn spawn(pool: Pool, key: DataKey, settings: WebhookSettings) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run(pool, key, settings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_what_standard_webhooks_computes() {
        // Computed with Python's hmac module: base64(HMAC-SHA256(base64decode(secret), id.ts.body)).
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw5X0Bt8hv3jE=".to_string();
        let sig = signature(
            std::slice::from_ref(&secret),
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,mrTFBwieqlxHRGXkx7weWuboHD0GNIPRLxbG9oMqFQo=");
        let two = signature(
            &[secret.clone(), secret],
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(two.split(' ').count(), 2);
    }

    #[test]
    fn only_public_addresses_are_public() {
        for ip in ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "203.113.131.1"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "198.18.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "::127.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    fn settings(allow_private: bool) -> WebhookSettings {
        WebhookSettings {
            worker: false,
            allow_http: true,
            allow_private,
            timeout: Duration::from_secs(1),
            retry_schedule: vec![Duration::from_secs(5)],
            poll: Duration::from_secs(1),
        }
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_is_refused_unless_allowed() {
        // Checked on the resolved addresses, not on the name: the name check lets this through.
        let url = reqwest::Url::parse("http://localhost:9/").unwrap();
        let refused = resolve(&url, &settings(false)).await.unwrap_err();
        assert!(refused.contains("private"), "{refused}");
        assert!(resolve(&url, &settings(true)).await.is_ok());
    }

    #[test]
    fn the_schedule_decides_retries_and_the_end() {
        let schedule = [Duration::from_secs(5), Duration::from_secs(300)];
        assert_eq!(decide(1, Some(204), None, &schedule, false), Decision::Delivered);
        assert_eq!(
            decide(1, Some(410), None, &schedule, false),
            Decision::Failed(Some(DisabledReason::Gone))
        );
        match decide(1, Some(500), None, &schedule, false) {
            Decision::Retry(d) => assert!(
                d >= Duration::from_millis(4500) && d <= Duration::from_millis(5500),
                "{d:?}"
            ),
            other => panic!("{other:?}"),
        }
        match decide(2, None, None, &schedule, false) {
            Decision::Retry(d) => assert!(d >= Duration::from_secs(270), "{d:?}"),
            other => panic!("{other:?}"),
        }
        match decide(1, Some(429), Some(Duration::from_secs(60)), &schedule, false) {
            Decision::Retry(d) => assert_eq!(d, Duration::from_secs(60)),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            decide(3, Some(500), None, &schedule, false),
            Decision::Failed(Some(DisabledReason::Failing))
        );
        assert_eq!(decide(1, Some(500), None, &schedule, true), Decision::Failed(None));
        // The default schedule spans about three days over ten attempts.
        let default = crate::config::parse_schedule(crate::config::DEFAULT_RETRY_SCHEDULE).unwrap();
        let total: u64 = default.iter().map(|d| d.as_secs()).sum();
        assert_eq!(default.len() + 1, 10);
        assert!((70 * 3600..80 * 3600).contains(&total), "{total}");
    }
}
