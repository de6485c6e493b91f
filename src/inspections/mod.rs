//! Inspections: a check (kiểm tra: a managing body checks its subordinates) or a formal
//! inspection (thanh tra: opened by a decision, ended by a conclusion) of a unit or an
//! organisation, by law area. Inspectors of a unit's subtree write them; partners see none.

pub mod api;
pub mod handlers;
pub mod model;
pub mod queries;
