//! Units: the city, its departments, committees, wards and communes, with their history
//! (`valid_from`/`valid_to`) and lineage (predecessors and successors, many to many).

pub mod api;
pub mod handlers;
pub mod model;
pub mod queries;
