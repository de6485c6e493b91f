//! The one integration-test binary: every test gets its own database, cloned from a migrated
//! and seeded template, on a real PostgreSQL (`TEST_DATABASE_URL`/`DATABASE_URL`, or the
//! embedded cluster), and talks to the real application.

mod harness;

mod imports;

mod audit;
mod auth;
mod authz;
mod cases;
mod cli;
mod clients;
mod docs;
mod embedded;
mod errors;
mod instances;
mod migrations;
mod ops;
mod oversight;
mod petitions;
mod plans;
mod records;
mod reference;
mod reports;
mod rollups;
mod support;
mod sync;
mod try_it;
mod two_factor;
mod units;
mod users;
mod webhooks;
