//! What clients send and see of the change feed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// The `next_cursor` of the previous call; absent: from the beginning; `now`: from the
    /// present (returns no changes and a cursor to follow from, e.g. after a full download).
    pub since: Option<String>,
    /// Page size: default 50, at most 500 (clamped).
    pub limit: Option<i64>,
}

/// The resource types of the feed and the schema of their `data` (what `GET` returns);
/// `None` where the record has no endpoint of its own (users, managed on the command line).
/// The OpenAPI document types `ChangeItem` as one of these, told apart by `type`.
pub const FEED_TYPES: &[(&str, Option<&str>)] = &[
    ("unit", Some("Unit")),
    ("unit_lineage", Some("LineageRecord")),
    ("unit_leader", Some("Leader")),
    ("unit_figures", Some("Figures")),
    ("legal_document", Some("Document")),
    ("plan", Some("Plan")),
    ("plan_target", Some("Target")),
    ("plan_activity", Some("Activity")),
    ("training", Some("Training")),
    ("outreach_event", Some("OutreachEvent")),
    ("campaign", Some("Campaign")),
    ("attachment", Some("Attachment")),
    ("inspection", Some("Inspection")),
    ("violation", Some("Violation")),
    ("violation_rule", Some("Rule")),
    ("petition", Some("Petition")),
    ("holiday", Some("Holiday")),
    ("api_client", Some("ApiClient")),
    ("webhook_endpoint", Some("WebhookEndpoint")),
    ("user", Some("User")),
    ("support_service", Some("SupportService")),
    // A survivor's case: ids and version only, to its readers alone (fetch the case).
    ("support_case", Some("CaseRef")),
    ("support_case_identity", Some("IdentityRef")),
];

/// One change: the record's state after it, or a tombstone.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "unit", "id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e81", "action": "update", "deleted": false,
    "changed_at": "2026-11-29T12:00:00Z", "cursor": "MTAwMDox",
    "data": {"id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e81", "name": "Phường Hạ Long", "version": 2}
}))]
pub struct ChangeItem {
    /// The resource type (`unit`, `unit_lineage`, ...).
    #[serde(rename = "type")]
    pub type_: String,
    pub id: Uuid,
    /// `create`, `update`, `delete` or a workflow action.
    pub action: String,
    /// True for a deletion (a tombstone: `data` is null).
    pub deleted: bool,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub changed_at: DateTime<Utc>,
    /// The feed's position just after this change: pass it as `since` to resume from here
    /// (what a consumer stores per item it has applied; webhook events carry it too).
    pub cursor: String,
    /// The record as `GET` returns it, after the change.
    #[schema(value_type = Option<Object>)]
    pub data: Option<Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangesPage {
    /// Oldest first.
    pub data: Vec<ChangeItem>,
    /// Always present: store it and pass it as `since` next time.
    pub next_cursor: String,
    /// True when more changes are ready now (call again at once).
    pub has_more: bool,
}

/// Feed cursors are list cursors whose "sort" is the feed, value the txid, id the sequence.
const FEED: &str = "changes";

/// The cursor of feed position `(txid, seq)`.
pub fn encode_cursor(txid: &str, seq: i64) -> String {
    crate::http::list::Cursor {
        sort: FEED.into(),
        value: txid.into(),
        id: seq.to_string(),
    }
    .encode()
}

/// The feed position of a cursor sent as parameter or field `name`.
pub fn decode_cursor(raw: &str, name: &str) -> crate::error::ApiResult<(String, i64)> {
    let c = crate::http::list::Cursor::decode_as(raw, name)?;
    match (c.sort.as_str(), c.value.parse::<u64>(), c.id.parse::<i64>()) {
        (FEED, Ok(txid), Ok(seq)) => Ok((txid.to_string(), seq)),
        _ => Err(crate::error::ApiError::field(
            name,
            "invalid",
            "is not a cursor of the change feed",
            "không phải con trỏ của nguồn thay đổi",
        )),
    }
}

impl ChangeItem {
    /// A feed row as the caller sees it (`partner`: a partner client, for which an outreach
    /// event that stops being public leaves its view: a tombstone).
    pub fn from_row(r: super::model::Row, partner: bool) -> Self {
        let left_view = partner && r.resource == "outreach_event" && !r.is_public;
        ChangeItem {
            cursor: encode_cursor(&r.txid, r.seq),
            deleted: r.action == "delete" || r.action == crate::audit::ACCESS_ENDED || left_view,
            type_: r.resource,
            id: r.record_id,
            action: r.action,
            changed_at: r.at,
            data: if left_view { None } else { r.after },
        }
    }
}
