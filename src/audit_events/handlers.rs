//! `GET /api/v1/audit-events`: the audit trail, for admins, within their subtree.

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::{Caller, PrincipalKind, Role};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::list::{paginate, ts_key, Bind, Cursor, Keyed, ListSql, Page, PageQuery, Sort, SortField};
use crate::state::AppState;

const SORTS: &[SortField] = &[SortField {
    name: "at",
    column: "a.seq",
    sql_type: "bigint",
}];

#[derive(Debug, diesel::QueryableByName)]
struct AuditRow {
    #[diesel(sql_type = BigInt)]
    seq: i64,
    #[diesel(sql_type = Timestamptz)]
    at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    actor_kind: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    actor_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    actor_name: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    actor_unit_id: Option<Uuid>,
    #[diesel(sql_type = Text)]
    resource: String,
    #[diesel(sql_type = SqlUuid)]
    record_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    record_unit_id: Uuid,
    #[diesel(sql_type = Text)]
    action: String,
    #[diesel(sql_type = Nullable<Jsonb>)]
    before: Option<Value>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    after: Option<Value>,
    #[diesel(sql_type = Nullable<Text>)]
    request_id: Option<String>,
}

impl Keyed for AuditRow {
    fn id(&self) -> String {
        self.seq.to_string()
    }
    fn sort_value(&self, _: &str) -> String {
        self.seq.to_string()
    }
}

/// One recorded change.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "seq": 42, "at": "2026-11-29T12:00:00Z",
    "actor": {"kind": "user", "id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e90", "name": "admin", "unit_id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e80"},
    "resource": "unit", "record_id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e81", "unit_id": "0193a7c0-5a8e-7c1e-9d7e-3f4b5c6d7e81",
    "action": "update", "before": {"name": "Phường Hạ Long", "version": 1}, "after": {"name": "Phường Hạ Long (cũ)", "version": 2},
    "request_id": "b1946ac9-2d1c-4d4a-9a55-0b3f5d8f4e21"
}))]
pub struct AuditEvent {
    /// Increases with every event.
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    /// The resource type (`unit`, `unit_lineage`, `api_client`, ...).
    pub resource: String,
    pub record_id: Uuid,
    /// The unit the record belongs to.
    pub unit_id: Uuid,
    /// `create`, `update`, `delete`, or a workflow action.
    pub action: String,
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<Value>,
    pub request_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Actor {
    /// `user`, `client` or `system`.
    pub kind: String,
    pub id: Option<Uuid>,
    pub name: Option<String>,
    pub unit_id: Option<Uuid>,
}

impl From<AuditRow> for AuditEvent {
    fn from(r: AuditRow) -> Self {
        AuditEvent {
            seq: r.seq,
            at: r.at,
            actor: Actor {
                kind: r.actor_kind,
                id: r.actor_id,
                name: r.actor_name,
                unit_id: r.actor_unit_id,
            },
            resource: r.resource,
            record_id: r.record_id,
            unit_id: r.record_unit_id,
            action: r.action,
            before: r.before,
            after: r.after,
            request_id: r.request_id,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilters {
    /// Resource type, e.g. `unit`.
    pub resource: Option<String>,
    /// One record's history.
    pub record_id: Option<Uuid>,
    /// Events by this user or client.
    pub actor_id: Option<Uuid>,
    /// Events on records of this unit and its descendants.
    pub unit_id: Option<Uuid>,
    /// From this time (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Up to this time (exclusive).
    pub to: Option<DateTime<Utc>>,
}

/// The audit trail of the caller's subtree (admins only), newest first.
///
/// Sort: `-at` (default, newest first) or `at`.
#[utoipa::path(
    tag = "audit",
    operation_id = "list_audit_events",
    params(AuditFilters, PageQuery),
    responses(
        (status = 200, description = "A page of audit events", body = Page<AuditEvent>),
        (status = 400, description = "Malformed filter", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid sort or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    state: web::Data<AppState>,
    caller: Caller,
    f: web::Query<AuditFilters>,
    page: web::Query<PageQuery>,
) -> ApiResult<web::Json<Page<AuditEvent>>> {
    caller.require_role(&[Role::Admin])?;
    if caller.kind != PrincipalKind::User {
        return Err(ApiError::forbidden());
    }
    let sort = match page.sort.as_deref() {
        None | Some("") => Sort {
            field: &SORTS[0],
            desc: true,
        },
        raw => Sort::parse(raw, SORTS)?,
    };
    let cursor = page.cursor.as_deref().map(|c| Cursor::decode(c, &sort)).transpose()?;
    let mut conn = state.pool.get().await?;
    let mut sql = ListSql::with_id_type(
        "SELECT a.seq, a.at, a.actor_kind, a.actor_id, a.actor_name, a.actor_unit_id, a.resource, a.record_id, \
         a.record_unit_id, a.action, a.before, a.after, a.request_id FROM audit_events a",
        "a.seq",
        "bigint",
    );
    sql.in_scopes_or_global("a.record_unit_path", &caller.scopes);
    if let Some(unit_id) = f.unit_id {
        let Some(unit) = crate::units::queries::find(&mut conn, unit_id)
            .await?
            .filter(|u| caller.sees(&u.path))
        else {
            return Ok(web::Json(Page {
                data: vec![],
                next_cursor: None,
            }));
        };
        sql.in_subtree("a.record_unit_path", &unit.path);
    }
    if let Some(r) = &f.resource {
        sql.filter("a.resource = ?", [Bind::Text(r.clone())]);
    }
    if let Some(id) = f.record_id {
        sql.filter("a.record_id = ?", [Bind::Uuid(id)]);
    }
    if let Some(id) = f.actor_id {
        sql.filter("a.actor_id = ?", [Bind::Uuid(id)]);
    }
    if let Some(t) = f.from {
        sql.filter("a.at >= CAST(? AS timestamptz)", [Bind::Text(ts_key(&t))]);
    }
    if let Some(t) = f.to {
        sql.filter("a.at < CAST(? AS timestamptz)", [Bind::Text(ts_key(&t))]);
    }
    let limit = page.limit();
    let rows: Vec<AuditRow> = sql.page(&sort, cursor.as_ref(), limit).load(&mut conn).await?;
    Ok(web::Json(paginate(rows, limit, &sort, AuditEvent::from)))
}
