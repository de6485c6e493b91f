//! The plan workflow: `draft` → `submitted` → `approved` or `returned` (back to editable) →
//! `in_progress` → `completed`, and `cancelled`. Each move is an explicit action with a rule
//! on who may take it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Submitted,
    Approved,
    Returned,
    InProgress,
    Completed,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Self::Draft,
        Self::Submitted,
        Self::Approved,
        Self::Returned,
        Self::InProgress,
        Self::Completed,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Approved => "approved",
            Self::Returned => "returned",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Content (fields, targets, activities) can change only in these.
    pub fn is_editable(self) -> bool {
        matches!(self, Self::Draft | Self::Returned)
    }

    /// Units below the plan's unit see it in these.
    pub fn is_published(self) -> bool {
        matches!(self, Self::Approved | Self::InProgress | Self::Completed)
    }

    /// Targets' measured values and activities' status are recorded while the plan runs.
    pub fn is_running(self) -> bool {
        matches!(self, Self::Approved | Self::InProgress)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Submit,
    Approve,
    Return,
    Start,
    Complete,
    Cancel,
}

/// Who may take an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party {
    /// The plan's own unit (its manager, or an admin of its subtree).
    Owner,
    /// The unit above (the parent unit's manager, or an admin of an ancestor).
    Approver,
}

impl Action {
    pub const ALL: [Action; 6] = [
        Self::Submit,
        Self::Approve,
        Self::Return,
        Self::Start,
        Self::Complete,
        Self::Cancel,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Approve => "approve",
            Self::Return => "return",
            Self::Start => "start",
            Self::Complete => "complete",
            Self::Cancel => "cancel",
        }
    }

    /// The statuses the action starts from, and where it leads.
    pub fn moves(self) -> (&'static [Status], Status) {
        use Status::*;
        match self {
            Self::Submit => (&[Draft, Returned], Submitted),
            Self::Approve => (&[Submitted], Approved),
            Self::Return => (&[Submitted], Returned),
            Self::Start => (&[Approved], InProgress),
            Self::Complete => (&[InProgress], Completed),
            Self::Cancel => (&[Draft, Submitted, Approved, Returned, InProgress], Cancelled),
        }
    }

    pub fn party(self) -> Party {
        match self {
            Self::Approve | Self::Return => Party::Approver,
            _ => Party::Owner,
        }
    }

    /// The new status when the action is legal from `from`.
    pub fn apply(self, from: Status) -> Option<Status> {
        let (froms, to) = self.moves();
        froms.contains(&from).then_some(to)
    }
}

/// The actions legal in a status (whoever takes them).
pub fn allowed(from: Status) -> Vec<Action> {
    Action::ALL.into_iter().filter(|a| a.apply(from).is_some()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_graph() {
        use Status::*;
        assert_eq!(allowed(Draft), vec![Action::Submit, Action::Cancel]);
        assert_eq!(
            allowed(Submitted),
            vec![Action::Approve, Action::Return, Action::Cancel]
        );
        assert_eq!(allowed(Returned), vec![Action::Submit, Action::Cancel]);
        assert_eq!(allowed(Approved), vec![Action::Start, Action::Cancel]);
        assert_eq!(allowed(InProgress), vec![Action::Complete, Action::Cancel]);
        assert!(allowed(Completed).is_empty());
        assert!(allowed(Cancelled).is_empty());
        assert_eq!(Action::Return.apply(Submitted), Some(Returned));
        assert!(Returned.is_editable() && Draft.is_editable() && !Submitted.is_editable());
    }
}
