//! `GET /api/v1/changes`: the change feed for offline clients, read from the audit trail.
//!
//! Ordering is by the writing transaction's id (`txid`) and then the event's sequence number,
//! and a page only includes transactions below the feed's horizon (`bd_feed_horizon()`, the
//! smallest transaction id of this database still in progress in the reading snapshot): every
//! transaction below it has finished, so no change can later appear behind a cursor that was
//! handed out, even when transactions commit in the opposite order to the one in which they
//! started (which a plain sequence or timestamp gets wrong). A long-running transaction holds
//! the feed back until it ends; nothing is lost or repeated.

pub mod api;
pub mod handlers;
pub mod model;
pub mod queries;
