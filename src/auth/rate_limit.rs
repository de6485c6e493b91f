//! Per-client request limits for partner integrations: a fixed one-minute window per client,
//! in memory (per process; documented in the README).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use uuid::Uuid;

#[derive(Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<Uuid, (u64, u32)>>,
}

impl RateLimiter {
    /// Counts a request; `Some(seconds)` until the window resets when over `per_minute`.
    pub fn check(&self, client: Uuid, per_minute: i32) -> Option<u64> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let window = now / 60;
        let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map.entry(client).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 >= per_minute.max(0) as u32 {
            return Some((60 - now % 60).max(1));
        }
        entry.1 += 1;
        None
    }
}
