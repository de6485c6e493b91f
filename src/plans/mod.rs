//! Plans: each unit's yearly gender-equality implementation plan (and its Action Month and
//! thematic plans), citing legal documents, covering law areas, with targets, activities, and
//! an approval workflow whose every transition is kept.
//!
//! Who sees a plan: its unit's subtree, and the units below it once it is published
//! (approved, in progress or completed), so a ward sees the city plan that its own implements.

pub mod activities;
pub mod api;
pub mod handlers;
pub mod model;
pub mod queries;
pub mod targets;
pub mod workflow;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use model::PlanRow;
use workflow::{allowed, Status};

/// Read access: the plan's subtree, or below it once published. Partners read no plans.
pub fn require_readable(caller: &Caller, plan: &PlanRow) -> ApiResult<()> {
    let published = Status::parse(&plan.status).is_some_and(Status::is_published);
    if !caller.is_partner() && (caller.sees(&plan.unit_path) || (published && caller.is_below(&plan.unit_path))) {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// 409 unless the plan's content may change (draft or returned).
pub fn require_editable(plan: &PlanRow) -> ApiResult<Status> {
    let status = Status::parse(&plan.status).unwrap_or(Status::Draft);
    if status.is_editable() {
        Ok(status)
    } else {
        Err(ApiError::Conflict {
            detail: crate::error::Text::new(
                format!(
                    "The plan is {}; only a draft or returned plan can be edited",
                    status.as_str()
                ),
                format!(
                    "Kế hoạch đang ở trạng thái {}; chỉ sửa được khi là bản nháp hoặc bị trả lại",
                    status.as_str()
                ),
            ),
            allowed: Some(allowed(status).into_iter().map(|a| a.as_str().to_string()).collect()),
        })
    }
}
