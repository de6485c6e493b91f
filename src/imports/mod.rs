//! Bulk import from CSV or XLSX (trainings with their participant lists, outreach events), the
//! way DHIS2 imports (a dry run or a commit; all or nothing, or row by row; a report of every
//! failing row), but with the report stored in PostgreSQL, readable later, and large files run
//! by a background worker that survives restarts.
//!
//! Every row goes through the resource's own create or update (`trainings::api::create`, ...):
//! the API's parsing, validation, scope checks, write path and audit entry. The whole file runs
//! in one transaction, each row in a savepoint: a dry run rolls everything back, `atomic=all`
//! rolls back when a row failed, `atomic=row` keeps the good rows.

pub mod api;
pub mod columns;
pub mod handlers;
pub mod model;
pub mod queries;
pub mod run;
pub mod sheet;
