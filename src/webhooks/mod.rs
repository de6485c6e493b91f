//! Webhooks for partner clients, as Standard Webhooks specifies.
//!
//! The outbox is the audit trail (`audit_events`): each change writes its entry in its own
//! transaction, so there is no event without its change and no change without its event. The
//! delivery [`worker`] reads the entries after each endpoint's feed position *in the partner's
//! view* (the same query and rule as the partner's change feed: its granted units, public
//! outreach events and a tombstone when one stops being public, units, lineage, legal
//! documents; plus a thin `summary.changed`), writes one delivery per event and moves the
//! position on, in one transaction; then it sends what is due, signed, with retries on a
//! schedule. Every event carries the feed cursor just after it, so a consumer can order events
//! and fall back on `GET /changes` after an outage.

pub mod api;
pub mod handlers;
pub mod model;
pub mod queries;
pub mod worker;
