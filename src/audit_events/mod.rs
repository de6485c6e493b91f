//! `/api/v1/audit-events`: the audit trail that `audit` records, read by admins.

pub mod api;
pub mod handlers;
pub mod model;
pub mod queries;
