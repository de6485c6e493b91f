//! Revocation within seconds, on every instance, without a database round trip per request.
//!
//! Each user's access tokens carry its `token_epoch` (claim `gen`); the database grows the epoch
//! whenever a token's content stops being true (deactivation, a new role, unit or password) or
//! the user signs out everywhere (a trigger, so every writer counts). Each instance keeps the
//! epochs above zero in memory, current through a connection of its own that `LISTEN`s on
//! `binhdang_revocations` (sent at commit) and catches up every second from `epoch_changed_at`.
//!
//! It fails closed: the set counts as current only while the last catch-up on the listening
//! connection is younger than [`FRESH_FOR`]. Past that (the connection dropped, the database is
//! away), each user request reads its user's epoch from the database instead, and answers 503
//! when it cannot. So a revoked token stops within about a second, at most 5.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use uuid::Uuid;

use crate::db::schema::users;

/// The channel the database notifies on.
pub const CHANNEL: &str = "binhdang_revocations";
/// How old the last catch-up may be for the set to be trusted.
pub const FRESH_FOR: Duration = Duration::from_secs(3);
/// How often the listening connection catches up (which also proves it alive).
const CATCH_UP_EVERY: Duration = Duration::from_secs(1);

#[derive(Default)]
pub struct Revocations {
    epochs: RwLock<HashMap<Uuid, i64>>,
    synced: Mutex<Option<Instant>>,
}

impl Revocations {
    /// The user's current epoch when the set is current (0 when it never grew), else `None`:
    /// the caller must ask the database.
    pub fn known_epoch(&self, user: Uuid) -> Option<i64> {
        let synced = *self.synced.lock().unwrap_or_else(|p| p.into_inner());
        if synced.is_none_or(|at| at.elapsed() >= FRESH_FOR) {
            return None;
        }
        let epochs = self.epochs.read().unwrap_or_else(|p| p.into_inner());
        Some(epochs.get(&user).copied().unwrap_or(0))
    }

    fn apply(&self, rows: impl IntoIterator<Item = (Uuid, i64)>) {
        let mut epochs = self.epochs.write().unwrap_or_else(|p| p.into_inner());
        for (id, epoch) in rows {
            let e = epochs.entry(id).or_insert(0);
            *e = (*e).max(epoch);
        }
    }

    fn mark_synced(&self) {
        *self.synced.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
    }

    /// Keeps the set current for as long as the process runs: connects, listens, loads every
    /// epoch above zero, then applies notifications as they come and catches up every second;
    /// reconnects (after a pause) when the connection fails.
    pub fn spawn_listener(self: &Arc<Self>, db_url: String) {
        let me = self.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = me.listen(&db_url).await {
                    tracing::warn!(error = %e, "revocation listener: connection lost; requests check the database meanwhile");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    async fn listen(&self, db_url: &str) -> anyhow::Result<()> {
        let mut conn = AsyncPgConnection::establish(db_url).await?;
        diesel::sql_query(format!("LISTEN {CHANNEL}"))
            .execute(&mut conn)
            .await?;
        // Everything since the beginning, once; then what changed lately.
        let all: Vec<(Uuid, i64)> = users::table
            .filter(users::token_epoch.gt(0))
            .select((users::id, users::token_epoch))
            .load(&mut conn)
            .await?;
        self.apply(all);
        self.mark_synced();
        let mut tick = tokio::time::interval(CATCH_UP_EVERY);
        loop {
            {
                let notifications = conn.notifications_stream();
                tokio::pin!(notifications);
                tokio::select! {
                    n = notifications.next() => match n {
                        Some(Ok(n)) => {
                            if let Some(row) = parse(&n.payload) {
                                self.apply([row]);
                            }
                            continue;
                        }
                        Some(Err(e)) => return Err(e.into()),
                        None => anyhow::bail!("the listening connection closed"),
                    },
                    _ = tick.tick() => {}
                }
            }
            // Commits within the last minute: a notification lost in between costs a second.
            let recent: Vec<(Uuid, i64)> = users::table
                .filter(users::epoch_changed_at.gt(chrono::Utc::now() - chrono::Duration::seconds(60)))
                .filter(users::token_epoch.gt(0))
                .select((users::id, users::token_epoch))
                .load(&mut conn)
                .await?;
            self.apply(recent);
            self.mark_synced();
        }
    }
}

fn parse(payload: &str) -> Option<(Uuid, i64)> {
    let (id, epoch) = payload.split_once(' ')?;
    Some((id.parse().ok()?, epoch.parse().ok()?))
}

/// A user's epoch and whether it is active, from the database (when the set is not current).
pub async fn epoch_of(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<Option<(i64, bool)>> {
    users::table
        .find(user)
        .select((users::token_epoch, users::active))
        .first(conn)
        .await
        .optional()
}

/// Signs a user out everywhere: every access token issued before now stops within seconds (the
/// trigger revokes the refresh tokens too).
pub async fn revoke_everywhere(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<usize> {
    diesel::update(users::table.find(user))
        .set(users::token_epoch.eq(users::token_epoch + 1))
        .execute(conn)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_until_synced_and_epochs_only_grow() {
        let r = Revocations::default();
        let id = Uuid::now_v7();
        assert_eq!(r.known_epoch(id), None, "never synced: ask the database");
        r.mark_synced();
        assert_eq!(r.known_epoch(id), Some(0));
        r.apply([(id, 3), (id, 2)]);
        assert_eq!(r.known_epoch(id), Some(3));
        assert_eq!(parse(&format!("{id} 7")), Some((id, 7)));
        assert_eq!(parse("junk"), None);
    }
}
