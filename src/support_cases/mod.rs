//! Case records of survivors of gender-based violence (Law 13/2022/QH15 on Domestic Violence
//! Prevention and Control; Decree 76/2023/NĐ-CP), built on "do no harm": a survivor is a
//! generated code; a case is seen only by the case workers assigned to it, the case supervisors
//! of its handling unit, and (with a written reason, for a few hours) a user who breaks the
//! glass; anyone else gets 404. Every read is logged by the statement that reads it. The
//! survivor's identity is a separate record, sealed (AEAD) before it reaches the database and
//! returned by its own endpoint only. Audit entries, the change feed and the idempotency store
//! hold a case's ids, never its contents.

pub mod api;
pub mod handlers;
pub mod model;
pub mod queries;
