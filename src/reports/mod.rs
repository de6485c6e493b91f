//! Reports: roll-ups of everything done in a unit's subtree (and in units merged into it) over a
//! period, the strategy indicators, and their CSV and XLSX exports.

pub mod api;
pub mod handlers;
pub mod queries;
pub mod rollups;
pub mod summary;
pub mod table;
