//! Partner API clients: registered by an admin for a set of units, they obtain `partner`
//! tokens with client credentials (`POST /api/v1/auth/token`). Secrets are shown once and
//! stored only as SHA-256 hashes (they are 256-bit random values, so a fast hash suffices).
//! A disabled client's tokens stop working at once: partner tokens are checked against this
//! table on every request, which also applies the per-client rate limit.

pub mod api;
pub mod handlers;
pub mod model;
pub mod queries;
