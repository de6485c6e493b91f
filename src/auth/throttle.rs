//! Slows down password guessing: after `max_failures` failed logins within `window` for one
//! username or one client address, further attempts get 429 with `Retry-After` until the
//! window has passed. In memory, per process (documented in the README).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct LoginThrottle {
    max_failures: u32,
    window: Duration,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginThrottle {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(username: &str, addr: &str) -> [String; 2] {
        [format!("u:{}", username.to_lowercase()), format!("a:{addr}")]
    }

    /// `Some(seconds)` to wait when either key is locked out.
    pub fn retry_after(&self, username: &str, addr: &str) -> Option<u64> {
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        Self::keys(username, addr)
            .iter()
            .filter_map(|k| map.get(k))
            .filter(|(n, first)| *n >= self.max_failures && first.elapsed() < self.window)
            .map(|(_, first)| (self.window - first.elapsed()).as_secs().max(1))
            .max()
    }

    pub fn record_failure(&self, username: &str, addr: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            let window = self.window;
            map.retain(|_, (_, first)| first.elapsed() < window);
        }
        for k in Self::keys(username, addr) {
            let e = map.entry(k).or_insert((0, Instant::now()));
            if e.1.elapsed() >= self.window {
                *e = (0, Instant::now());
            }
            e.0 += 1;
        }
    }

    pub fn record_success(&self, username: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&format!("u:{}", username.to_lowercase()));
    }
}
