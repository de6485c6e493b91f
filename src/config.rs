//! Settings from the environment. Secrets are kept in [`Secret`], whose `Debug` never prints them.

use std::path::PathBuf;
use std::time::Duration;

/// A value that must never reach a log line or an error message.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(****)")
    }
}

#[derive(Clone, Debug)]
pub struct Settings {
    /// `DATABASE_URL`; `None` means "use the embedded cluster under the data directory".
    pub database_url: Option<Secret>,
    /// `BINHDANG_DATA_DIR` (default `./data`): embedded cluster, generated JWT secret.
    pub data_dir: PathBuf,
    /// `BIND` (default `127.0.0.1`) and `PORT` (default `8080`).
    pub bind: String,
    pub port: u16,
    /// `JWT_SECRET`; with none set, one is generated on first run into the data directory.
    pub jwt_secret: Option<Secret>,
    /// `ACCESS_TOKEN_TTL_SECONDS` (default 900).
    pub access_token_ttl: Duration,
    /// `REFRESH_TOKEN_TTL_DAYS` (default 30).
    pub refresh_token_ttl: Duration,
    /// `WORKERS`: HTTP worker threads (default: one per CPU core).
    pub workers: Option<usize>,
    /// `DB_POOL_SIZE` (default 16).
    pub db_pool_size: usize,
    /// `MAX_BODY_BYTES` (default 1 MiB) for JSON bodies.
    pub max_body_bytes: usize,
    /// `LOGIN_MAX_FAILURES` (default 5) within `LOGIN_WINDOW_SECONDS` (default 300) before 429.
    pub login_max_failures: u32,
    pub login_window: Duration,
    /// `CORS_ALLOWED_ORIGINS`: comma-separated origins allowed to call from a browser (none by default).
    pub cors_allowed_origins: Vec<String>,
    /// `ATTACHMENTS_DIR` (default: `attachments/` in the data directory).
    pub attachments_dir: PathBuf,
    /// `ATTACHMENT_MAX_BYTES` (default 10 MiB).
    pub attachment_max_bytes: usize,
    /// `TRUSTED_PROXIES`: comma-separated addresses of reverse proxies whose `X-Forwarded-For`
    /// names the client (none by default: the peer address is the client).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `BODY_TIMEOUT_SECONDS` (default 30): how long a request body may stall before 408.
    pub body_timeout: Duration,
    /// `ROLLUP_COMPACTION_MILLISECONDS` (default 2000): how often the background compactor folds
    /// the roll-ups' deltas into their facts (reads are exact either way; fewer deltas, faster).
    pub rollup_compaction: Duration,
    /// `LOG_FORMAT=json` for JSON lines, anything else for human-readable text.
    pub log_json: bool,
    /// `DATA_KEY`: the key that seals stored secrets (two-factor secrets); with none set, one
    /// is generated on first run into the data directory. Every instance needs the same one.
    pub data_key: Option<Secret>,
    /// `DATA_KEY_PREVIOUS`: the data key before a rotation; what it sealed still opens until
    /// `binhdang reseal` has sealed it again under `DATA_KEY`.
    pub data_key_previous: Option<Secret>,
    /// `TWO_FACTOR_ROLES`: comma-separated roles and case roles that must sign in with two
    /// factors (default `admin,inspector,case_worker,case_supervisor`: the roles that read
    /// people's identities or survivors' cases; `none` for no role).
    pub two_factor_roles: Vec<String>,
    /// What the webhook delivery worker may send to, and how (see [`WebhookSettings`]).
    pub webhooks: WebhookSettings,
}

/// The webhook delivery worker's settings.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// `WEBHOOK_WORKER`: run the delivery worker inside `serve` (default yes; `binhdang worker`
    /// runs it alone).
    pub worker: bool,
    /// `WEBHOOK_ALLOW_HTTP`: accept plain `http://` targets (for testing; default no).
    pub allow_http: bool,
    /// `WEBHOOK_ALLOW_PRIVATE_ADDRESSES`: send to loopback, private and link-local addresses
    /// (for testing; default no: a target that resolves to one is refused).
    pub allow_private: bool,
    /// `WEBHOOK_TIMEOUT_SECONDS`: how long one attempt may take (default 15).
    pub timeout: Duration,
    /// `WEBHOOK_RETRY_SCHEDULE`: the waits before each retry after a failed attempt, e.g.
    /// `5s,5m,30m,2h,5h,10h,14h,20h,24h` (the default: 10 attempts over about 3 days).
    pub retry_schedule: Vec<Duration>,
    /// `WEBHOOK_POLL_MILLISECONDS`: how often the worker looks for new events and due
    /// attempts (default 1000).
    pub poll: Duration,
}

pub const DEFAULT_RETRY_SCHEDULE: &str = "5s,5m,30m,2h,5h,10h,14h,20h,24h";

/// `5s`, `5m`, `2h`, `1d` (or plain seconds).
fn parse_wait(raw: &str) -> Option<Duration> {
    let raw = raw.trim();
    let (n, unit) = raw.split_at(raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len()));
    let n: u64 = n.parse().ok()?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return None,
    };
    Some(Duration::from_secs(secs))
}

pub fn parse_schedule(raw: &str) -> anyhow::Result<Vec<Duration>> {
    raw.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            parse_wait(s)
                .ok_or_else(|| anyhow::anyhow!("WEBHOOK_RETRY_SCHEDULE: {s:?} is not a wait like 5s, 5m, 2h or 1d"))
        })
        .collect()
}

fn env_flag(name: &str, default: bool) -> bool {
    match env_opt(name) {
        Some(v) => !matches!(v.trim().to_lowercase().as_str(), "0" | "false" | "no" | "off"),
        None => default,
    }
}

impl WebhookSettings {
    pub fn from_env() -> anyhow::Result<Self> {
        Ok(Self {
            worker: env_flag("WEBHOOK_WORKER", true),
            allow_http: env_flag("WEBHOOK_ALLOW_HTTP", false),
            allow_private: env_flag("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", false),
            timeout: Duration::from_secs(env_or("WEBHOOK_TIMEOUT_SECONDS", 15)?),
            retry_schedule: parse_schedule(
                &env_opt("WEBHOOK_RETRY_SCHEDULE").unwrap_or_else(|| DEFAULT_RETRY_SCHEDULE.into()),
            )?,
            poll: Duration::from_millis(env_or("WEBHOOK_POLL_MILLISECONDS", 1000)?),
        })
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("environment variable {name} has an invalid value")),
        _ => Ok(default),
    }
}

fn env_opt(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Settings {
    pub fn from_env() -> anyhow::Result<Self> {
        let data_dir = PathBuf::from(env_opt("BINHDANG_DATA_DIR").unwrap_or_else(|| "data".into()));
        Ok(Self {
            attachments_dir: env_opt("ATTACHMENTS_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| data_dir.join("attachments")),
            attachment_max_bytes: env_or("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)?,
            database_url: env_opt("DATABASE_URL").map(Secret::new),
            data_dir,
            bind: env_opt("BIND").unwrap_or_else(|| "127.0.0.1".into()),
            port: env_or("PORT", 8080)?,
            jwt_secret: env_opt("JWT_SECRET").map(Secret::new),
            access_token_ttl: Duration::from_secs(env_or("ACCESS_TOKEN_TTL_SECONDS", 900)?),
            refresh_token_ttl: Duration::from_secs(env_or::<u64>("REFRESH_TOKEN_TTL_DAYS", 30)? * 86_400),
            db_pool_size: env_or("DB_POOL_SIZE", 16)?,
            workers: env_opt("WORKERS")
                .map(|w| w.parse())
                .transpose()
                .map_err(|_| anyhow::anyhow!("WORKERS must be a number"))?,
            max_body_bytes: env_or("MAX_BODY_BYTES", 1024 * 1024)?,
            login_max_failures: env_or("LOGIN_MAX_FAILURES", 5)?,
            login_window: Duration::from_secs(env_or("LOGIN_WINDOW_SECONDS", 300)?),
            cors_allowed_origins: env_opt("CORS_ALLOWED_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            body_timeout: Duration::from_secs(env_or("BODY_TIMEOUT_SECONDS", 30)?),
            rollup_compaction: Duration::from_millis(env_or("ROLLUP_COMPACTION_MILLISECONDS", 2000)?),
            trusted_proxies: env_opt("TRUSTED_PROXIES")
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| {
                            s.parse()
                                .map_err(|_| anyhow::anyhow!("TRUSTED_PROXIES: {s:?} is not an IP address"))
                        })
                        .collect::<anyhow::Result<Vec<_>>>()
                })
                .transpose()?
                .unwrap_or_default(),
            log_json: env_opt("LOG_FORMAT").is_some_and(|v| v.eq_ignore_ascii_case("json")),
            data_key: env_opt("DATA_KEY").map(Secret::new),
            data_key_previous: env_opt("DATA_KEY_PREVIOUS").map(Secret::new),
            two_factor_roles: env_opt("TWO_FACTOR_ROLES")
                .unwrap_or_else(|| "admin,inspector,case_worker,case_supervisor".into())
                .split(',')
                .map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty() && s != "none")
                .collect(),
            webhooks: WebhookSettings::from_env()?,
        })
    }
}
