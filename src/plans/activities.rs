//! `/api/v1/plans/{id}/activities`: what a plan will do, by whom, when, with what budget.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{Datelike, NaiveDate};
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::api::{Activity, ActivityPatch, ActivityStatus, NewActivity};
use super::model::{ActivityChanges, ActivityRow, PlanRow};
use super::queries::{find_part, readable_plan, update_part, writable_part, PlanPart, Planned};
use super::require_editable;
use super::workflow::Status;
use crate::auth::Caller;
use crate::db::Conn;
use crate::error::{ApiError, ApiResult, FieldError, Problem, Text};
use crate::http::idempotency::{self, IdempotencyKey};
use crate::http::list::Page;
use crate::http::{IfMatch, Json, ValidJson};
use crate::state::AppState;
use crate::write;

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ActivityPath {
    /// Plan id.
    pub id: Uuid,
    /// Activity id.
    pub activity_id: Uuid,
}

/// Dates inside the plan's year, in order.
fn check_dates(plan: &PlanRow, starts: NaiveDate, ends: NaiveDate) -> ApiResult<()> {
    let mut errors = Vec::new();
    for (field, d) in [("starts_on", starts), ("ends_on", ends)] {
        if d.year() != plan.year {
            errors.push(FieldError::new(
                field,
                "outside_year",
                Text::new(
                    format!("must fall in the plan's year {}", plan.year),
                    format!("phải thuộc năm {} của kế hoạch", plan.year),
                ),
            ));
        }
    }
    if ends < starts {
        errors.push(FieldError::new(
            "ends_on",
            "before_start",
            Text::new("must not be before starts_on", "không được trước starts_on"),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// The responsible unit: the plan's unit or one below it; returns its path.
async fn responsible(conn: &mut Conn, plan: &PlanRow, unit_id: Uuid) -> ApiResult<String> {
    match crate::units::queries::find(conn, unit_id).await? {
        Some(u) if u.path.starts_with(&plan.unit_path) => Ok(u.path),
        _ => Err(ApiError::field(
            "responsible_unit_id",
            "outside_plan_unit",
            "must be the plan's unit or a unit below it",
            "phải là đơn vị của kế hoạch hoặc đơn vị trực thuộc",
        )),
    }
}

/// A plan's activities, by start date.
#[utoipa::path(
    tag = "plans",
    operation_id = "list_plan_activities",
    params(("id" = Uuid, Path, description = "Plan id")),
    responses(
        (status = 200, description = "The activities (one page holds them all)", body = Page<Activity>),
        (status = 404, description = "No such plan visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}/activities")]
pub async fn list_activities(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<Page<Activity>>> {
    let mut conn = state.pool.get().await?;
    let plan = readable_plan(&mut conn, &caller, *id).await?;
    let rows = ActivityRow::of_plan(&mut conn, plan.id).await?;
    Ok(web::Json(Page {
        data: rows.into_iter().map(Activity::from).collect(),
        next_cursor: None,
    }))
}

/// Add an activity to a draft or returned plan.
#[utoipa::path(
    tag = "plans",
    operation_id = "create_plan_activity",
    params(
        ("id" = Uuid, Path, description = "Plan id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first response"),
    ),
    request_body = NewActivity,
    responses(
        (status = 201, description = "Added", body = Activity, headers(("ETag" = String, description = "The activity's version"))),
        (status = 403, description = "Not a manager of the plan's unit or an admin above it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such plan visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The plan is not editable, or the id is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: dates outside the plan's year or out of order, negative amounts, a responsible unit outside the plan's unit", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/{id}/activities")]
pub async fn create_activity(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    key: IdempotencyKey,
    id: web::Path<Uuid>,
    body: Json<NewActivity>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let hash = idempotency::fingerprint(&req, &body);
    let mut conn = state.pool.get().await?;
    let plan = readable_plan(&mut conn, &caller, *id).await?;
    caller.require_manager_of(plan.unit_id, &plan.unit_path)?;
    require_editable(&plan)?;
    check_dates(&plan, body.starts_on, body.ends_on)?;
    let unit_id = body.responsible_unit_id.unwrap_or(plan.unit_id);
    let unit_path = responsible(&mut conn, &plan, unit_id).await?;
    let now = chrono::Utc::now();
    let row = ActivityRow {
        id: body.id.unwrap_or_else(Uuid::now_v7),
        plan_id: plan.id,
        kind: body.kind.as_str().into(),
        title: body.title.trim().into(),
        starts_on: body.starts_on,
        ends_on: body.ends_on,
        responsible_unit_id: unit_id,
        responsible_unit_path: unit_path,
        budget_state_vnd: body.budget_state_vnd.unwrap_or(0),
        budget_mobilized_vnd: body.budget_mobilized_vnd.unwrap_or(0),
        status: ActivityStatus::Planned.as_str().into(),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    write::create(
        &mut conn,
        &caller,
        &key,
        &hash,
        Planned::of(row, &plan),
        write::nothing(),
    )
    .await
}

/// Change an activity (needs `If-Match`). While the plan is a draft or returned, any field;
/// while it runs (approved, in progress), only `status`.
#[utoipa::path(
    tag = "plans",
    operation_id = "update_plan_activity",
    params(
        ActivityPath,
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    request_body = ActivityPatch,
    responses(
        (status = 200, description = "Updated", body = Activity, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not a manager of the plan's unit or an admin above it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activity visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "That change is not allowed in the plan's status", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/{id}/activities/{activity_id}")]
pub async fn update_activity(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<ActivityPath>,
    if_match: IfMatch,
    body: Json<ActivityPatch>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let (plan, current) = writable_part::<ActivityRow>(&mut conn, &caller, path.id, path.activity_id).await?;
    let defines = body.kind.is_some()
        || body.title.is_some()
        || body.starts_on.is_some()
        || body.ends_on.is_some()
        || body.responsible_unit_id.is_some()
        || body.budget_state_vnd.is_some()
        || body.budget_mobilized_vnd.is_some();
    let status = Status::parse(&plan.status).unwrap_or(Status::Draft);
    if defines || !status.is_running() {
        require_editable(&plan)?;
    }
    check_dates(
        &plan,
        body.starts_on.unwrap_or(current.row.starts_on),
        body.ends_on.unwrap_or(current.row.ends_on),
    )?;
    let unit_path = match body.responsible_unit_id {
        Some(u) => Some(responsible(&mut conn, &plan, u).await?),
        None => None,
    };
    let changes = ActivityChanges {
        kind: body.kind.map(|k| k.as_str().to_string()),
        title: body.title.map(|t| t.trim().to_string()),
        starts_on: body.starts_on,
        ends_on: body.ends_on,
        responsible_unit_id: body.responsible_unit_id,
        responsible_unit_path: unit_path,
        budget_state_vnd: body.budget_state_vnd,
        budget_mobilized_vnd: body.budget_mobilized_vnd,
        status: body.status.map(|s| s.as_str().to_string()),
    };
    update_part(&mut conn, &caller, current, &if_match, changes).await
}

/// Remove an activity from a draft or returned plan (needs `If-Match`).
#[utoipa::path(
    tag = "plans",
    operation_id = "delete_plan_activity",
    params(
        ActivityPath,
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "Not a manager of the plan's unit or an admin above it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activity visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The plan is not editable", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[delete("/{id}/activities/{activity_id}")]
pub async fn delete_activity(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<ActivityPath>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let (plan, current) = writable_part::<ActivityRow>(&mut conn, &caller, path.id, path.activity_id).await?;
    require_editable(&plan)?;
    write::delete(&mut conn, &caller, current, &if_match).await
}

/// What carried out an activity, as far as the caller can see.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ActivityResults {
    pub activity_id: Uuid,
    /// Trainings linked to the activity (the first 500 by date).
    pub trainings: Vec<crate::trainings::api::Training>,
    /// Outreach events linked to the activity (the first 500 by date).
    pub events: Vec<crate::outreach::api::OutreachEvent>,
    pub totals: ResultTotals,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ResultTotals {
    pub trainings: i64,
    pub events: i64,
    /// Participants of the trainings and events together, by sex.
    pub participants: crate::participation::Counts,
    /// Estimated audience reached by the events.
    pub audience_reached: i64,
}

#[derive(Debug, diesel::QueryableByName)]
struct Sums {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    female: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    male: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    other_sex: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    reach: i64,
}

/// Sums over a record table's rows linked to the activity, inside the caller's scopes.
async fn sums(conn: &mut Conn, table: &str, reach: &str, scopes: &[String], activity_id: Uuid) -> ApiResult<Sums> {
    let mut sql = format!(
        "SELECT count(*) AS n, coalesce(sum(female), 0)::bigint AS female, coalesce(sum(male), 0)::bigint AS male, \
         coalesce(sum(other_sex), 0)::bigint AS other_sex, {reach}::bigint AS reach FROM {table} \
         WHERE activity_id = $1 AND deleted_at IS NULL AND (false"
    );
    for i in 0..scopes.len() {
        sql.push_str(&format!(" OR unit_path LIKE ${}", i + 2));
    }
    sql.push(')');
    let mut q = diesel::sql_query(sql)
        .into_boxed::<diesel::pg::Pg>()
        .bind::<diesel::sql_types::Uuid, _>(activity_id);
    for s in scopes {
        q = q.bind::<diesel::sql_types::Text, _>(format!("{}%", crate::http::list::escape_like(s)));
    }
    Ok(q.get_result(conn).await?)
}

/// The trainings and outreach events that carried out an activity, with their totals (over
/// the records the caller can see).
#[utoipa::path(
    tag = "plans",
    operation_id = "plan_activity_results",
    params(ActivityPath),
    responses(
        (status = 200, description = "What carried the activity out", body = ActivityResults),
        (status = 404, description = "No such activity visible to the caller", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}/activities/{activity_id}/results")]
pub async fn activity_results(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<ActivityPath>,
) -> ApiResult<web::Json<ActivityResults>> {
    use crate::http::list::Sort;
    let mut conn = state.pool.get().await?;
    let plan = readable_plan(&mut conn, &caller, path.id).await?;
    let activity = find_part::<ActivityRow>(&mut conn, &plan, path.activity_id).await?.row;
    let tf = crate::trainings::api::TrainingFilters {
        unit_id: None,
        include_descendants: false,
        from: None,
        to: None,
        topic: None,
        audience: None,
        in_action_month: None,
        activity_id: Some(activity.id),
        q: None,
    };
    let ef = crate::outreach::api::EventFilters {
        unit_id: None,
        include_descendants: false,
        from: None,
        to: None,
        kind: None,
        topic: None,
        in_action_month: None,
        activity_id: Some(activity.id),
        campaign_id: None,
        is_public: None,
        q: None,
    };
    let ts = Sort::parse(None, crate::trainings::queries::SORTS)?;
    let es = Sort::parse(None, crate::outreach::queries::SORTS)?;
    let ta = crate::http::export::ListArgs {
        scopes: caller.scopes.clone(),
        filters: tf,
        subtree: crate::http::list::SubtreeFilter::None,
        sort: ts,
    };
    let mut trainings = crate::trainings::queries::list(&mut conn, &ta, None, 500).await?;
    let ea = crate::http::export::ListArgs {
        scopes: caller.scopes.clone(),
        filters: (ef, false),
        subtree: crate::http::list::SubtreeFilter::None,
        sort: es,
    };
    let mut events = crate::outreach::queries::list(&mut conn, &ea, None, 500).await?;
    trainings.truncate(500);
    events.truncate(500);
    let t = sums(&mut conn, "trainings", "0", &caller.scopes, activity.id).await?;
    let e = sums(
        &mut conn,
        "outreach_events",
        "coalesce(sum(audience_reached), 0)",
        &caller.scopes,
        activity.id,
    )
    .await?;
    let c = |v: i64| i32::try_from(v).unwrap_or(i32::MAX);
    Ok(web::Json(ActivityResults {
        activity_id: activity.id,
        trainings: trainings.into_iter().map(Into::into).collect(),
        events: events.into_iter().map(Into::into).collect(),
        totals: ResultTotals {
            trainings: t.n,
            events: e.n,
            participants: crate::participation::Counts::new(
                c(t.female + e.female),
                c(t.male + e.male),
                c(t.other_sex + e.other_sex),
            ),
            audience_reached: e.reach,
        },
    }))
}
