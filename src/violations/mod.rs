//! Violations of the Law on Gender Equality and their administrative sanctions.
//!
//! The rules are data with effective dates: the decrees (55/2009/NĐ-CP until 31 December 2021,
//! 125/2021/NĐ-CP from 1 January 2022) with their maximum fine and limitation period, their
//! catalogue of acts with the fine band for an individual (an organisation pays the decree's
//! multiple), and who may fine how much. The decree in force on the day of the act judges it.

pub mod api;
pub mod catalogue;
pub mod handlers;
pub mod model;
pub mod queries;
pub mod sanctions;
