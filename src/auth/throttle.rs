//! Slows down password guessing without locking people out. Every attempt is counted before the
//! password is checked, atomically, so N parallel guesses get at most the limit of checked
//! answers:
//!
//! - per (username, address): `max_failures` attempts that did not succeed within `window`,
//!   then 429 with `Retry-After` — the guesser at one address stops, the same user elsewhere
//!   does not;
//! - per address: `20 × max_failures` (one NAT or proxy holds many users), then 429;
//! - per username, over all addresses: no hard lock; past `max_failures` failures each further
//!   attempt waits a little longer (doubling, at most 4 s) before it is checked, which slows a
//!   guesser spread over many addresses while the real user still signs in.
//!
//! A success clears its (username, address) and username counts. In memory, per process (the
//! README says so).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct LoginThrottle {
    max_failures: u32,
    window: Duration,
    counts: Mutex<HashMap<String, (u32, Instant)>>,
}

/// What an attempt may do.
#[derive(Debug, PartialEq, Eq)]
pub enum Attempt {
    /// Check the password, after waiting this long (the per-username backoff; often zero).
    Check(Duration),
    /// 429: wait this many seconds.
    Refused(u64),
}

/// The longest per-username backoff.
const MAX_BACKOFF: Duration = Duration::from_secs(4);
/// An address's attempts may be this many times a user's (many users behind one NAT).
const ADDRESS_FACTOR: u32 = 20;

impl LoginThrottle {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures,
            window,
            counts: Mutex::new(HashMap::new()),
        }
    }

    fn keys(username: &str, addr: &str) -> (String, String, String) {
        let user = username.trim().to_lowercase();
        (
            format!("ua:{user}\u{0}{addr}"),
            format!("a:{addr}"),
            format!("u:{user}"),
        )
    }

    /// Counts an attempt (before its password is checked) and says whether it may go on.
    pub fn begin(&self, username: &str, addr: &str) -> Attempt {
        let (pair, address, user) = Self::keys(username, addr);
        let mut map = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            let window = self.window;
            map.retain(|_, (_, first)| first.elapsed() < window);
        }
        let window = self.window;
        let live = |map: &mut HashMap<String, (u32, Instant)>, key: &str| -> (u32, Instant) {
            let e = map.entry(key.to_string()).or_insert((0, Instant::now()));
            if e.1.elapsed() >= window {
                *e = (0, Instant::now());
            }
            *e
        };
        let limits = [
            (pair.as_str(), self.max_failures),
            (address.as_str(), self.max_failures * ADDRESS_FACTOR),
        ];
        for (key, limit) in limits {
            let (n, first) = live(&mut map, key);
            if n >= limit {
                return Attempt::Refused((window.saturating_sub(first.elapsed())).as_secs().max(1));
            }
        }
        for (key, _) in limits {
            if let Some(e) = map.get_mut(key) {
                e.0 += 1;
            }
        }
        let (failures, _) = live(&mut map, &user);
        if let Some(e) = map.get_mut(&user) {
            e.0 += 1;
        }
        let over = (failures + 1).saturating_sub(self.max_failures);
        let backoff = if over == 0 {
            Duration::ZERO
        } else {
            (Duration::from_millis(250) * 2u32.saturating_pow(over.min(8) - 1)).min(MAX_BACKOFF)
        };
        Attempt::Check(backoff)
    }

    /// The attempt succeeded: it and the user's earlier failures no longer count.
    pub fn succeeded(&self, username: &str, addr: &str) {
        let (pair, address, user) = Self::keys(username, addr);
        let mut map = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&pair);
        map.remove(&user);
        if let Some(e) = map.get_mut(&address) {
            e.0 = e.0.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_guesses_get_at_most_the_limit_checked() {
        let t = std::sync::Arc::new(LoginThrottle::new(5, Duration::from_secs(300)));
        let checked = std::sync::atomic::AtomicU32::new(0);
        std::thread::scope(|s| {
            for _ in 0..40 {
                s.spawn(|| {
                    if matches!(t.begin("halong.officer", "10.0.0.1"), Attempt::Check(_)) {
                        checked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                });
            }
        });
        assert_eq!(checked.into_inner(), 5);
    }

    #[test]
    fn another_address_is_not_locked_out_and_the_user_is_only_slowed() {
        let t = LoginThrottle::new(5, Duration::from_secs(300));
        for _ in 0..5 {
            assert!(matches!(t.begin("hoa", "10.0.0.1"), Attempt::Check(_)));
        }
        assert!(matches!(t.begin("hoa", "10.0.0.1"), Attempt::Refused(_)));
        // The real user, elsewhere: checked, after a short backoff, never refused.
        match t.begin("hoa", "10.0.0.2") {
            Attempt::Check(wait) => assert!(wait > Duration::ZERO && wait <= MAX_BACKOFF),
            other => panic!("{other:?}"),
        }
        t.succeeded("hoa", "10.0.0.2");
        assert_eq!(t.begin("hoa", "10.0.0.2"), Attempt::Check(Duration::ZERO));
        // Others behind the guesser's address still sign in.
        assert_eq!(t.begin("lan", "10.0.0.1"), Attempt::Check(Duration::ZERO));
    }
}
