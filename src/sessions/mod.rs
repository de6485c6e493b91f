//! `/api/v1/auth`: sign-in sessions (login, refresh, logout, me) over the accounts and refresh
//! tokens that `auth` keeps.

pub mod handlers;
