//! Units: the city, its departments, committees, wards and communes, with their history
//! (`valid_from`/`valid_to`) and lineage (predecessors and successors, many to many).

pub mod api;
pub mod figures;
pub mod handlers;
pub mod leaders;
pub mod model;
pub mod queries;
