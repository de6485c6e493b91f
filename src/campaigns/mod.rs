//! Campaigns: a named group of outreach events that spans units (e.g. the 2020 Action Month in
//! the city). A campaign shows its events' totals across the units the caller can see.

pub mod api;
pub mod handlers;
pub mod model;
pub mod queries;

use crate::auth::Caller;

/// Campaigns of the caller's subtree, and of the units above it (campaigns span units).
pub fn readable(caller: &Caller, unit_path: &str) -> bool {
    caller.sees(unit_path) || caller.is_below(unit_path)
}
