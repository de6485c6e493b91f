//! `/api/v1/auth`: sign-in sessions (login, refresh, logout, me) over the accounts and refresh
//! tokens that `auth` keeps (their rows and queries are `auth::queries`, which the Caller
//! extractor shares, so this folder has API types and handlers only).

pub mod api;
pub mod handlers;
