//! Users: accounts that sign in with a password, each in one unit with one role. Admins manage
//! the accounts of their subtree through `/api/v1/users` (or `binhdang user add` on the server);
//! users change their own password at `POST /api/v1/auth/password`. Passwords are stored only as
//! Argon2id hashes, never logged, never returned; a new account or a reset gets a temporary
//! password, shown once, that must be changed at the next sign-in.

pub mod api;
pub mod handlers;
pub mod model;
pub mod queries;

pub use queries::{add_user, AddUserError};
