//! binhdang: the REST/JSON API behind a city's gender-equality programme.
//!
//! One crate, a library with a thin binary. Cross-cutting pieces sit in a few files
//! (`config`, `app`, `error`, `openapi`, `telemetry`, `db`, `auth`, `http`); every resource
//! has its own folder (`units`, ...).

pub mod app;
pub mod attachments;
pub mod audit;
pub mod audit_events;
pub mod auth;
pub mod calendar;
pub mod campaigns;
pub mod changes;
pub mod clients;
pub mod config;
pub mod db;
pub mod documents;
pub mod domain;
pub mod error;
pub mod health;
pub mod http;
pub mod imports;
pub mod inspections;
pub mod labels;
pub mod openapi;
pub mod outreach;
pub mod participation;
pub mod petitions;
pub mod plans;
pub mod records;
pub mod reports;
pub mod seed;
pub mod sessions;
pub mod state;
pub mod support_cases;
pub mod support_services;
pub mod telemetry;
pub mod text;
pub mod trainings;
pub mod units;
pub mod users;
pub mod violations;
pub mod webhooks;
pub mod write;
