//! `/api/v1/units/{id}/figures`: the yearly figures a unit reports that no record carries
//! (aggregate data entry, as in DHIS2): officials and collaborators doing gender-equality work,
//! and GBV victims detected and supported. Counts only; never a victim's identity.

use actix_web::{get, put, web, HttpRequest, HttpResponse};
use chrono::{Datelike, Utc};
use diesel::ExpressionMethods;
use uuid::Uuid;

use super::api::{Figures, FiguresInput, FiguresPath};
use super::model::FiguresRow;
use super::queries::{self, readable_unit};
use crate::auth::Caller;
use crate::db::schema::unit_figures;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::list::Page;
use crate::http::version::parse_if_match;
use crate::http::{IdempotencyKey, Json, ValidJson};
use crate::state::AppState;
use crate::write;

/// A unit's yearly figures, oldest year first.
#[utoipa::path(
    tag = "units",
    operation_id = "list_unit_figures",
    params(("id" = Uuid, Path, description = "Unit id")),
    responses(
        (status = 200, description = "The figures (one page holds them all)", body = Page<Figures>),
        (status = 403, description = "Partners read aggregates through reports only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such unit in the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}/figures")]
pub async fn list_figures(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<Page<Figures>>> {
    let mut conn = state.pool.get().await?;
    let unit = readable_unit(&mut conn, &caller, *id).await?;
    let rows = queries::figures_of(&mut conn, unit.id).await?;
    Ok(web::Json(Page {
        data: rows.into_iter().map(Figures::from).collect(),
        next_cursor: None,
    }))
}

/// Set a unit's figures for a year (its managers, or an admin above). The first `PUT` of a
/// year creates them (201); replacing them needs `If-Match` with the current ETag (428
/// without, 412 when stale).
#[utoipa::path(
    tag = "units",
    operation_id = "put_unit_figures",
    params(FiguresPath, ("If-Match" = Option<String>, Header, description = "The ETag from the last read; required when the year's figures exist")),
    request_body = FiguresInput,
    responses(
        (status = 200, description = "Replaced", body = Figures, headers(("ETag" = String, description = "The new version"))),
        (status = 201, description = "Created", body = Figures, headers(("ETag" = String, description = "The version"))),
        (status = 403, description = "Not a manager of the unit or an admin above it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such unit in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid figures or year", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[put("/{id}/figures/{year}")]
pub async fn put_figures(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<FiguresPath>,
    body: Json<FiguresInput>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let if_match = match req.headers().get(actix_web::http::header::IF_MATCH) {
        None => None,
        Some(v) => Some(v.to_str().ok().and_then(parse_if_match).ok_or_else(|| {
            ApiError::bad_request(
                "If-Match must be an ETag such as \"3\" (with the quotes) or *",
                "If-Match phải là một ETag như \"3\" (kèm dấu nháy) hoặc *",
            )
        })?),
    };
    let mut conn = state.pool.get().await?;
    put(&mut conn, &caller, path.id, path.year, body, if_match).await
}

/// `PUT /units/{id}/figures/{year}` for a valid body (also the importer's path): a year's first
/// figures are created; replacing them needs `if_match`.
pub async fn put(
    conn: &mut crate::db::Conn,
    caller: &Caller,
    unit_id: Uuid,
    year: i32,
    body: FiguresInput,
    if_match: Option<crate::http::IfMatch>,
) -> ApiResult<HttpResponse> {
    let latest = crate::calendar::today().year();
    if !(2000..=latest).contains(&year) {
        return Err(ApiError::field(
            "year",
            "out_of_range",
            format!("must be between 2000 and {latest}"),
            format!("phải từ 2000 đến {latest}"),
        ));
    }
    if let (Some(d), Some(s)) = (body.gbv_victims_detected, body.gbv_victims_supported) {
        if s > d {
            return Err(ApiError::field(
                "gbv_victims_supported",
                "exceeds_detected",
                "must not exceed gbv_victims_detected",
                "không được lớn hơn gbv_victims_detected",
            ));
        }
    }
    let unit = readable_unit(conn, caller, unit_id).await?;
    caller.require_manager_of(unit.id, &unit.path)?;
    let current = queries::figures_of_year(conn, unit.id, year).await?;
    match current {
        None => {
            let row = FiguresRow {
                id: Uuid::now_v7(),
                unit_id: unit.id,
                unit_path: unit.path.clone(),
                year,
                ge_officials: body.ge_officials,
                gbv_victims_detected: body.gbv_victims_detected,
                gbv_victims_supported: body.gbv_victims_supported,
                created_at: Utc::now(),
                updated_at: Utc::now(),
                version: 1,
            };
            write::create(conn, caller, &IdempotencyKey(None), &[], row, write::nothing()).await
        }
        Some(current) => {
            let Some(if_match) = if_match else {
                return Err(ApiError::PreconditionRequired);
            };
            let (id, version) = (current.id, current.version);
            let apply = write::apply(move |conn| {
                Box::pin(async move {
                    let changes = (
                        unit_figures::ge_officials.eq(body.ge_officials),
                        unit_figures::gbv_victims_detected.eq(body.gbv_victims_detected),
                        unit_figures::gbv_victims_supported.eq(body.gbv_victims_supported),
                    );
                    Ok(crate::versioned_update!(
                        conn,
                        unit_figures,
                        id,
                        version,
                        changes,
                        FiguresRow
                    )?)
                })
            });
            Ok(write::update(conn, caller, current, &if_match, "update", apply)
                .await?
                .respond())
        }
    }
}
