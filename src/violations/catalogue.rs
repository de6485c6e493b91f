//! The sanction catalogue: `/api/v1/decrees`, `/api/v1/violation-rules` (admins maintain it),
//! `/api/v1/fining-authorities`.

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::sanctions::{Authority, Decree, Rule};
use crate::audit::{self, Actor, Change, GLOBAL_PATH};
use crate::auth::Caller;
use crate::db::schema::{decrees, fining_authorities, violation_rules};
use crate::domain::LawArea;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::{etag_response, IfMatch, Json, ValidJson};
use crate::state::AppState;

const RESOURCE: &str = "violation_rule";

pub async fn load_decrees(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Decree>> {
    decrees::table
        .order(decrees::effective_from)
        .select(Decree::as_select())
        .load(conn)
        .await
}

pub async fn load_authorities(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Authority>> {
    fining_authorities::table
        .order(fining_authorities::code)
        .select(Authority::as_select())
        .load(conn)
        .await
}

pub async fn find_rule(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Rule>> {
    violation_rules::table
        .find(id)
        .select(Rule::as_select())
        .first(conn)
        .await
        .optional()
}

/// The sanctioning decrees, with their periods, maximum fines and limitation periods.
#[utoipa::path(
    tag = "oversight",
    operation_id = "list_decrees",
    responses((status = 200, description = "The decrees, oldest first", body = Vec<Decree>)),
    security(("bearer" = [])),
)]
#[get("/decrees")]
pub async fn list_decrees(state: web::Data<AppState>, _caller: Caller) -> ApiResult<web::Json<Vec<Decree>>> {
    let mut conn = state.pool.get().await?;
    Ok(web::Json(load_decrees(&mut conn).await?))
}

/// Who may fine how much, by position and period.
#[utoipa::path(
    tag = "oversight",
    operation_id = "list_fining_authorities",
    responses((status = 200, description = "The fining powers", body = Vec<Authority>)),
    security(("bearer" = [])),
)]
#[get("/fining-authorities")]
pub async fn list_authorities(state: web::Data<AppState>, _caller: Caller) -> ApiResult<web::Json<Vec<Authority>>> {
    let mut conn = state.pool.get().await?;
    Ok(web::Json(load_authorities(&mut conn).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RuleFilters {
    /// e.g. `125/2021/NĐ-CP`.
    pub decree: Option<String>,
    pub area: Option<LawArea>,
    /// Only the rules of the decree in force on this day.
    pub on: Option<NaiveDate>,
}

/// The catalogue of acts and their fine bands (for an individual).
#[utoipa::path(
    tag = "oversight",
    operation_id = "list_violation_rules",
    params(RuleFilters),
    responses((status = 200, description = "The rules, by decree, article and clause", body = Vec<Rule>)),
    security(("bearer" = [])),
)]
#[get("/violation-rules")]
pub async fn list_rules(
    state: web::Data<AppState>,
    _caller: Caller,
    f: web::Query<RuleFilters>,
) -> ApiResult<web::Json<Vec<Rule>>> {
    let mut conn = state.pool.get().await?;
    let mut q = violation_rules::table.into_boxed();
    if let Some(d) = &f.decree {
        q = q.filter(violation_rules::decree_code.eq(d.clone()));
    }
    if let Some(a) = f.area {
        q = q.filter(violation_rules::area.eq(a.as_str()));
    }
    if let Some(on) = f.on {
        let all = load_decrees(&mut conn).await?;
        let code = super::sanctions::decree_on(&all, on)
            .map(|d| d.code.clone())
            .unwrap_or_default();
        q = q.filter(violation_rules::decree_code.eq(code));
    }
    let rules = q
        .order((
            violation_rules::decree_code,
            violation_rules::article,
            violation_rules::clause,
            violation_rules::point,
        ))
        .select(Rule::as_select())
        .load(&mut conn)
        .await?;
    Ok(web::Json(rules))
}

#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "decree_code": "125/2021/NĐ-CP", "article": 7, "clause": 1, "point": "a", "area": "politics",
    "description": "Vận động người khác không ứng cử vì lý do giới tính", "min_fine_vnd": 2000000, "max_fine_vnd": 3000000
}))]
pub struct NewRule {
    #[validate(length(min = 1, max = 64))]
    pub decree_code: String,
    #[validate(range(min = 1, max = 500))]
    pub article: i32,
    #[validate(range(min = 1, max = 50))]
    pub clause: i32,
    #[validate(length(min = 1, max = 2))]
    pub point: Option<String>,
    pub area: LawArea,
    #[validate(length(min = 1, max = 2000))]
    pub description: String,
    #[validate(range(min = 0, max = 10_000_000_000_i64))]
    pub min_fine_vnd: i64,
    #[validate(range(min = 0, max = 10_000_000_000_i64))]
    pub max_fine_vnd: i64,
    /// Checked against the decree's text.
    #[serde(default)]
    pub verified: bool,
}

/// Add a rule to the catalogue (admins).
#[utoipa::path(
    tag = "oversight",
    operation_id = "create_violation_rule",
    request_body = NewRule,
    responses(
        (status = 201, description = "Added", body = Rule),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "That article, clause and point is already in the catalogue", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, an unknown decree, or a band upside down", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/violation-rules")]
pub async fn create_rule(state: web::Data<AppState>, caller: Caller, body: Json<NewRule>) -> ApiResult<HttpResponse> {
    caller.require_reference_writer()?;
    let body = body.into_valid()?;
    if body.max_fine_vnd < body.min_fine_vnd {
        return Err(ApiError::field(
            "max_fine_vnd",
            "below_min",
            "must not be below min_fine_vnd",
            "không được nhỏ hơn min_fine_vnd",
        ));
    }
    let mut conn = state.pool.get().await?;
    if !load_decrees(&mut conn)
        .await?
        .iter()
        .any(|d| d.code == body.decree_code)
    {
        return Err(ApiError::field(
            "decree_code",
            "unknown",
            "no such decree (see GET /api/v1/decrees)",
            "không có nghị định này",
        ));
    }
    let now = chrono::Utc::now();
    let row = Rule {
        id: Uuid::now_v7(),
        decree_code: body.decree_code,
        article: body.article,
        clause: body.clause,
        point: body.point,
        area: body.area.as_str().into(),
        description: body.description.trim().into(),
        min_fine_vnd: body.min_fine_vnd,
        max_fine_vnd: body.max_fine_vnd,
        verified: body.verified,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let created = diesel_async::AsyncConnection::transaction::<_, ApiError, _>(&mut conn, async |conn| {
        let r: Rule = diesel::insert_into(violation_rules::table)
            .values(&row)
            .returning(Rule::as_returning())
            .get_result(conn)
            .await?;
        audit::record(
            conn,
            Actor::Caller(&caller),
            Change::created(RESOURCE, r.id, caller.unit_id, GLOBAL_PATH, &r),
        )
        .await?;
        Ok(r)
    })
    .await?;
    Ok(etag_response(StatusCode::CREATED, created.version, &created))
}

#[derive(Debug, Deserialize, Validate, ToSchema, AsChangeset)]
#[diesel(table_name = violation_rules)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"min_fine_vnd": 3000000, "max_fine_vnd": 5000000, "verified": true}))]
pub struct RulePatch {
    #[validate(length(min = 1, max = 2000))]
    pub description: Option<String>,
    #[validate(range(min = 0, max = 10_000_000_000_i64))]
    pub min_fine_vnd: Option<i64>,
    #[validate(range(min = 0, max = 10_000_000_000_i64))]
    pub max_fine_vnd: Option<i64>,
    pub verified: Option<bool>,
}

/// Correct a rule (admins; needs `If-Match`). Decisions already taken keep their amounts.
#[utoipa::path(
    tag = "oversight",
    operation_id = "update_violation_rule",
    params(
        ("id" = Uuid, Path, description = "Rule id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    request_body = RulePatch,
    responses(
        (status = 200, description = "Updated", body = Rule),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such rule", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or a band upside down", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/violation-rules/{id}")]
pub async fn update_rule(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<RulePatch>,
) -> ApiResult<HttpResponse> {
    caller.require_reference_writer()?;
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let current = find_rule(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    if !if_match.matches(current.version) {
        return Err(ApiError::stale(&current));
    }
    if body.max_fine_vnd.unwrap_or(current.max_fine_vnd) < body.min_fine_vnd.unwrap_or(current.min_fine_vnd) {
        return Err(ApiError::field(
            "max_fine_vnd",
            "below_min",
            "must not be below min_fine_vnd",
            "không được nhỏ hơn min_fine_vnd",
        ));
    }
    let (rid, version) = (current.id, current.version);
    let updated = audit::update_record(
        &mut conn,
        &caller,
        (RESOURCE, rid, caller.unit_id, GLOBAL_PATH),
        "update",
        &current,
        move |conn| {
            Box::pin(async move {
                let row: Option<Rule> = crate::versioned_update!(conn, violation_rules, rid, version, &body, Rule)?;
                Ok(row)
            })
        },
    )
    .await?;
    match updated {
        Some(r) => Ok(etag_response(StatusCode::OK, r.version, &r)),
        None => Err(ApiError::stale(
            &find_rule(&mut conn, *id).await?.ok_or(ApiError::NotFound)?,
        )),
    }
}
