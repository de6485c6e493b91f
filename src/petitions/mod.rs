//! Complaints (Luật Khiếu nại 2011) and denunciations (Luật Tố cáo 2018): received, accepted or
//! refused, verified, resolved, with the deadlines the law sets computed by the service.
//!
//! The identity of the person who filed a petition (a denouncer's above all) is confidential:
//! only the handling unit's inspectors and admins read it; it never enters the audit trail or
//! the change feed.

pub mod api;
pub mod deadlines;
pub mod handlers;
pub mod model;
pub mod queries;
