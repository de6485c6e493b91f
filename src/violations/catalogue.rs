//! The sanction catalogue: `/api/v1/decrees`, `/api/v1/violation-rules` (admins maintain it),
//! `/api/v1/fining-authorities`.

use actix_web::{get, patch, post, web, HttpResponse};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::api::{NewRule, RuleFilters, RulePatch};
use super::model::{Authority, Decree, Rule};
use super::queries::{find_rule, load_authorities, load_decrees};
use crate::auth::Caller;
use crate::db::schema::violation_rules;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::{IdempotencyKey, IfMatch, Json, ValidJson};
use crate::state::AppState;
use crate::write;

/// The sanctioning decrees, with their periods, maximum fines and limitation periods.
#[utoipa::path(
    tag = "oversight",
    operation_id = "list_decrees",
    responses((status = 200, description = "The decrees, oldest first", body = Vec<Decree>)),
    security(("bearer" = [])),
)]
#[get("")]
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
#[get("")]
pub async fn list_authorities(state: web::Data<AppState>, _caller: Caller) -> ApiResult<web::Json<Vec<Authority>>> {
    let mut conn = state.pool.get().await?;
    Ok(web::Json(load_authorities(&mut conn).await?))
}

/// The catalogue of acts and their fine bands (for an individual).
#[utoipa::path(
    tag = "oversight",
    operation_id = "list_violation_rules",
    params(RuleFilters),
    responses((status = 200, description = "The rules, by decree, article and clause", body = Vec<Rule>)),
    security(("bearer" = [])),
)]
#[get("")]
pub async fn list_rules(
    state: web::Data<AppState>,
    _caller: Caller,
    f: crate::http::Query<RuleFilters>,
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

/// Add a rule to the catalogue (province and national admins).
///
/// Try it as `national.admin`.
#[utoipa::path(
    tag = "oversight",
    operation_id = "create_violation_rule",
    request_body = NewRule,
    responses(
        (status = 201, description = "Added", body = Rule),
        (status = 403, description = "Not a province or national admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "That article, clause and point is already in the catalogue", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, an unknown decree, or a band upside down", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("")]
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
        id: body.id.unwrap_or_else(Uuid::now_v7),
        decree_code: body.decree_code,
        article: body.article,
        clause: body.clause,
        point: body.point,
        area: body.area.as_str().into(),
        description: body.description.trim().into(),
        min_fine_vnd: body.min_fine_vnd,
        max_fine_vnd: body.max_fine_vnd,
        verified: body.verified,
        source: body.source.trim().into(),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    write::create(&mut conn, &caller, &IdempotencyKey(None), &[], row, write::nothing()).await
}

/// Correct a rule (province and national admins; needs `If-Match`). Decisions already taken keep their amounts.
///
/// Try it as `national.admin`.
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
        (status = 403, description = "Not a province or national admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such rule", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or a band upside down", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/{id}")]
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
    write::require_fresh(&current, &if_match)?;
    if body.max_fine_vnd.unwrap_or(current.max_fine_vnd) < body.min_fine_vnd.unwrap_or(current.min_fine_vnd) {
        return Err(ApiError::field(
            "max_fine_vnd",
            "below_min",
            "must not be below min_fine_vnd",
            "không được nhỏ hơn min_fine_vnd",
        ));
    }
    let (rid, version) = (current.id, current.version);
    let apply = write::apply(move |conn| {
        Box::pin(async move {
            Ok(crate::versioned_update!(
                conn,
                violation_rules,
                rid,
                version,
                &body,
                Rule
            )?)
        })
    });
    Ok(write::update(&mut conn, &caller, current, &if_match, "update", apply)
        .await?
        .respond())
}
