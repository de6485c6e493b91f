//! Trainings: who was trained, on what, when and by whom, counted by sex; optionally with the
//! named participant list from which the counts are derived.

pub mod api;
pub mod handlers;
pub mod model;
pub mod queries;
