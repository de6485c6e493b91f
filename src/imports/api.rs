//! What clients send and see of imports.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::model::ImportRow;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportResource {
    /// Trainings, with participant lists on a sheet of their own (XLSX).
    Trainings,
    /// Outreach events, with participant lists on a sheet of their own (XLSX).
    OutreachEvents,
    /// Units' yearly figures (one row a unit and year).
    UnitFigures,
}

impl ImportResource {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportResource::Trainings => "trainings",
            ImportResource::OutreachEvents => "outreach_events",
            ImportResource::UnitFigures => "unit_figures",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Trainings, Self::OutreachEvents, Self::UnitFigures]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// A dry run: every row goes through the write path's checks, and nothing is kept.
    Validate,
    /// Write.
    Commit,
}

impl ImportMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportMode::Validate => "validate",
            ImportMode::Commit => "commit",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Atomicity {
    /// Nothing is written if any row fails.
    All,
    /// The good rows are written; the failing ones are reported.
    Row,
}

impl Atomicity {
    pub fn as_str(self) -> &'static str {
        match self {
            Atomicity::All => "all",
            Atomicity::Row => "row",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// Waiting for a worker (a large file).
    Queued,
    Running,
    /// Every row was processed: see the counts and `errors` (and `committed`).
    Completed,
    /// The job could not run: an unreadable file, or it was interrupted too often (`failure`).
    Failed,
}

impl ImportStatus {
    pub fn parse(s: &str) -> Self {
        match s {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "completed" => Self::Completed,
            _ => Self::Failed,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// What the file holds.
    #[param(example = "trainings")]
    pub resource: ImportResource,
    /// Default `validate` (a dry run).
    pub mode: Option<ImportMode>,
    /// Default `all`.
    pub atomic: Option<Atomicity>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TemplatePath {
    /// The resource the template is for.
    #[param(example = "trainings")]
    pub resource: ImportResource,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TemplateQuery {
    /// `xlsx` (default: data, participants and codes on three sheets) or `csv` (the data sheet).
    pub format: Option<crate::http::export::ExportFormat>,
}

pub use super::model::RowError;

/// An import and its report.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7f01", "resource": "trainings", "mode": "validate", "atomic": "all",
    "status": "completed", "file_name": "tap-huan-2026.xlsx", "rows_total": 12, "rows_processed": 12,
    "created": 10, "updated": 1, "skipped": 0, "failed": 1, "committed": false,
    "errors": [{"row": 3, "column": "Ngày bắt đầu", "field": "starts_on", "code": "invalid", "message": "không phải ngày (YYYY-MM-DD hoặc DD/MM/YYYY)"}],
    "failure": null, "created_at": "2026-12-01T12:00:00Z", "started_at": "2026-12-01T12:00:00Z", "finished_at": "2026-12-01T12:00:01Z"
}))]
pub struct Import {
    pub id: Uuid,
    pub resource: ImportResource,
    pub mode: ImportMode,
    pub atomic: Atomicity,
    pub status: ImportStatus,
    pub file_name: String,
    /// Data rows in the file (empty rows not counted).
    pub rows_total: i32,
    /// Rows processed so far (the progress of a background import).
    pub rows_processed: i32,
    /// Records created (in a dry run: that would be).
    pub created: i32,
    /// Records updated (rows with an `id` whose values changed).
    pub updated: i32,
    /// Rows with an `id` whose values are those of the record already.
    pub skipped: i32,
    /// Rows refused (see `errors`).
    pub failed: i32,
    /// True when the rows were written (`commit`, and with `atomic=all` no row failed).
    pub committed: bool,
    pub errors: Vec<RowError>,
    /// Why the job itself failed.
    pub failure: Option<String>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::http::json_body::opt_timestamp")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(serialize_with = "crate::http::json_body::opt_timestamp")]
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<ImportRow> for Import {
    fn from(r: ImportRow) -> Self {
        Import {
            id: r.id,
            resource: ImportResource::parse(&r.resource).unwrap_or(ImportResource::Trainings),
            mode: if r.mode == "commit" {
                ImportMode::Commit
            } else {
                ImportMode::Validate
            },
            atomic: if r.atomic == "row" {
                Atomicity::Row
            } else {
                Atomicity::All
            },
            status: ImportStatus::parse(&r.status),
            file_name: r.file_name,
            rows_total: r.rows_total,
            rows_processed: r.rows_processed,
            created: r.created,
            updated: r.updated,
            skipped: r.skipped,
            failed: r.failed,
            committed: r.committed,
            errors: serde_json::from_value(r.errors).unwrap_or_default(),
            failure: r.failure,
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
        }
    }
}
