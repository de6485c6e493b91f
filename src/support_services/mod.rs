//! The directory of services that prevent and respond to gender-based violence (hotlines,
//! shelters, trusted addresses, health facilities, legal aid, police, social assistance,
//! counselling). The one resource readable without a token (the mobile app's public screen);
//! a shelter's or a trusted address's location is shown to signed-in users only. Written by the
//! serving unit's managers and admins.

pub mod api;
pub mod handlers;
pub mod model;
pub mod queries;
