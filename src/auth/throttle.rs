//! Slows down password guessing without locking people out. Every attempt is counted before the
//! password is checked, atomically (in PostgreSQL, so every instance shares the counts), so N
//! parallel guesses get at most the limit of checked answers:
//!
//! - per (username, address): `max_failures` attempts that did not succeed within `window`,
//!   then 429 with `Retry-After` — the guesser at one address stops, the same user elsewhere
//!   does not;
//! - per address: `20 × max_failures` (one NAT or proxy holds many users), then 429;
//! - per username, over all addresses: no hard lock; past `max_failures` failures each further
//!   attempt waits a little longer (doubling, at most 4 s) before it is checked, which slows a
//!   guesser spread over many addresses while the real user still signs in.
//!
//! A success clears its (username, address) and username counts. The counting is one statement
//! (`login_throttle_begin`, a function of the `accounts` migration).

use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{Double, Integer, Interval, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::login_throttle;
use crate::error::{ApiError, ApiResult};

pub struct LoginThrottle {
    max_failures: u32,
    window: Duration,
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
pub const MAX_BACKOFF: Duration = Duration::from_secs(4);
/// An address's attempts may be this many times a user's (many users behind one NAT).
const ADDRESS_FACTOR: u32 = 20;

#[derive(QueryableByName)]
struct Begun {
    #[diesel(sql_type = Nullable<Double>)]
    refused_for: Option<f64>,
    #[diesel(sql_type = Integer)]
    user_failures: i32,
}

fn keys(username: &str, addr: &str) -> (String, String, String) {
    let user = username.trim().to_lowercase();
    (
        format!("ua:{user}\u{1}{addr}"),
        format!("a:{addr}"),
        format!("u:{user}"),
    )
}

/// The wait before the attempt after `failures` failures of a username.
fn backoff(failures: u32, max_failures: u32) -> Duration {
    let over = (failures + 1).saturating_sub(max_failures);
    if over == 0 {
        Duration::ZERO
    } else {
        (Duration::from_millis(250) * 2u32.saturating_pow(over.min(8) - 1)).min(MAX_BACKOFF)
    }
}

impl LoginThrottle {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self { max_failures, window }
    }

    /// Counts an attempt (before its password is checked) and says whether it may go on.
    pub async fn begin(&self, conn: &mut AsyncPgConnection, username: &str, addr: &str) -> QueryResult<Attempt> {
        let (pair, address, user) = keys(username, addr);
        let begun: Begun = diesel::sql_query("SELECT * FROM login_throttle_begin($1, $2, $3, $4, $5, $6)")
            .bind::<Text, _>(pair)
            .bind::<Text, _>(address)
            .bind::<Text, _>(user)
            .bind::<Integer, _>(self.max_failures as i32)
            .bind::<Integer, _>((self.max_failures * ADDRESS_FACTOR) as i32)
            .bind::<Interval, _>(diesel::data_types::PgInterval::from_microseconds(
                self.window.as_micros() as i64,
            ))
            .get_result(conn)
            .await?;
        Ok(match begun.refused_for {
            Some(wait) => Attempt::Refused(wait.ceil().max(1.0) as u64),
            None => Attempt::Check(backoff(begun.user_failures.max(0) as u32, self.max_failures)),
        })
    }

    /// The attempt succeeded: it and the user's earlier failures no longer count.
    pub async fn succeeded(&self, conn: &mut AsyncPgConnection, username: &str, addr: &str) -> QueryResult<()> {
        let (pair, address, user) = keys(username, addr);
        diesel::delete(login_throttle::table.filter(login_throttle::key.eq_any([pair, user])))
            .execute(conn)
            .await?;
        diesel::update(login_throttle::table.filter(login_throttle::key.eq(address)))
            .set(login_throttle::count.eq(diesel::dsl::sql::<Integer>("greatest(count - 1, 0)")))
            .execute(conn)
            .await?;
        Ok(())
    }

    /// Counts an attempt and waits its backoff, or refuses it (429): what every password check
    /// (login, a password change) does first.
    pub async fn gate(&self, conn: &mut AsyncPgConnection, username: &str, addr: &str) -> ApiResult<()> {
        match self.begin(conn, username, addr).await? {
            Attempt::Refused(wait) => Err(ApiError::TooManyRequests { retry_after: wait }),
            Attempt::Check(backoff) => {
                if !backoff.is_zero() {
                    tokio::time::sleep(backoff).await;
                }
                Ok(())
            }
        }
    }

    /// Forgets windows that have closed (run with the periodic sweep).
    pub async fn sweep(&self, conn: &mut AsyncPgConnection) -> QueryResult<usize> {
        let cutoff = chrono::Utc::now() - chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::hours(1));
        diesel::delete(login_throttle::table.filter(login_throttle::window_start.lt(cutoff)))
            .execute(conn)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_doubles_past_the_limit_and_stays_bounded() {
        assert_eq!(backoff(0, 5), Duration::ZERO);
        assert_eq!(backoff(4, 5), Duration::ZERO);
        assert_eq!(backoff(5, 5), Duration::from_millis(250));
        assert_eq!(backoff(6, 5), Duration::from_millis(500));
        assert_eq!(backoff(40, 5), MAX_BACKOFF);
    }
}
