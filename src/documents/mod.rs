//! Legal documents: the registry of what plans cite (laws, resolutions, decisions,
//! directives, plans, guidance, circulars, decrees). Everyone signed in reads; admins write.
//! Documents are not owned by a unit: they reach every caller's change feed.

pub mod api;
pub mod handlers;
pub mod model;
pub mod queries;
