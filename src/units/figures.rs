//! `/api/v1/units/{id}/figures`: the yearly figures a unit reports that no record carries
//! (aggregate data entry, as in DHIS2): officials and collaborators doing gender-equality work,
//! and GBV victims detected and supported. Counts only; never a victim's identity.

use actix_web::http::StatusCode;
use actix_web::{get, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Datelike, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::leaders::readable_unit;
use crate::audit::{self, Actor, Change};
use crate::auth::Caller;
use crate::db::schema::unit_figures;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::list::Page;
use crate::http::version::parse_if_match;
use crate::http::{etag_response, Json, ValidJson};
use crate::state::AppState;

const RESOURCE: &str = "unit_figures";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = unit_figures, check_for_backend(diesel::pg::Pg))]
pub struct FiguresRow {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub unit_path: String,
    pub year: i32,
    pub ge_officials: Option<i32>,
    pub gbv_victims_detected: Option<i32>,
    pub gbv_victims_supported: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A unit's figures for a year.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "unit_id": "6f1c2a7e-3f51-5b0c-9d3e-2a4b5c6d7e8f", "year": 2024, "ge_officials": 12,
    "gbv_victims_detected": 9, "gbv_victims_supported": 8,
    "created_at": "2026-11-29T08:00:00Z", "updated_at": "2026-11-29T08:00:00Z", "version": 1
}))]
pub struct Figures {
    pub unit_id: Uuid,
    pub year: i32,
    /// Officials and collaborators doing gender-equality work.
    pub ge_officials: Option<i32>,
    /// Victims of gender-based violence detected in the year.
    pub gbv_victims_detected: Option<i32>,
    /// Of those, victims who received at least one basic support service.
    pub gbv_victims_supported: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<FiguresRow> for Figures {
    fn from(r: FiguresRow) -> Self {
        Figures {
            unit_id: r.unit_id,
            year: r.year,
            ge_officials: r.ge_officials,
            gbv_victims_detected: r.gbv_victims_detected,
            gbv_victims_supported: r.gbv_victims_supported,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// The whole year's figures (a `PUT` replaces them all; a missing field is unknown).
#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ge_officials": 12, "gbv_victims_detected": 9, "gbv_victims_supported": 8}))]
pub struct FiguresInput {
    #[validate(range(min = 0, max = 1000000))]
    pub ge_officials: Option<i32>,
    #[validate(range(min = 0, max = 1000000))]
    pub gbv_victims_detected: Option<i32>,
    #[validate(range(min = 0, max = 1000000))]
    pub gbv_victims_supported: Option<i32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct FiguresPath {
    /// Unit id.
    pub id: Uuid,
    /// The year the figures are for.
    pub year: i32,
}

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
#[get("/units/{id}/figures")]
pub async fn list_figures(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<Page<Figures>>> {
    let mut conn = state.pool.get().await?;
    let unit = readable_unit(&mut conn, &caller, *id).await?;
    let rows: Vec<FiguresRow> = unit_figures::table
        .filter(unit_figures::unit_id.eq(unit.id))
        .order(unit_figures::year)
        .select(FiguresRow::as_select())
        .load(&mut conn)
        .await?;
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
#[put("/units/{id}/figures/{year}")]
pub async fn put_figures(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<FiguresPath>,
    body: Json<FiguresInput>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let latest = crate::calendar::today().year();
    if !(2000..=latest).contains(&path.year) {
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
    let unit = readable_unit(&mut conn, &caller, path.id).await?;
    caller.require_manager_of(unit.id, &unit.path)?;
    let year = path.year;
    let current: Option<FiguresRow> = unit_figures::table
        .filter(unit_figures::unit_id.eq(unit.id))
        .filter(unit_figures::year.eq(year))
        .select(FiguresRow::as_select())
        .first(&mut conn)
        .await
        .optional()?;
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
            let (unit_id, unit_path) = (unit.id, unit.path.clone());
            use diesel_async::AsyncConnection;
            let created = conn
                .transaction::<_, ApiError, _>(async |conn| {
                    let inserted: Option<FiguresRow> = diesel::insert_into(unit_figures::table)
                        .values(&row)
                        .on_conflict((unit_figures::unit_id, unit_figures::year))
                        .do_nothing()
                        .returning(FiguresRow::as_returning())
                        .get_result(conn)
                        .await
                        .optional()?;
                    // Someone created the year meanwhile: this write would replace theirs unseen.
                    let Some(inserted) = inserted else {
                        return Err(ApiError::PreconditionRequired);
                    };
                    let out = Figures::from(inserted.clone());
                    let change = Change::created(RESOURCE, inserted.id, unit_id, &unit_path, &out);
                    audit::record(conn, Actor::Caller(&caller), change).await?;
                    Ok(out)
                })
                .await?;
            Ok(etag_response(StatusCode::CREATED, created.version, &created))
        }
        Some(current) => {
            let Some(if_match) = if_match else {
                return Err(ApiError::PreconditionRequired);
            };
            if !if_match.matches(current.version) {
                return Err(ApiError::stale(&Figures::from(current)));
            }
            let before = Figures::from(current.clone());
            let (id, version) = (current.id, current.version);
            let updated = audit::update_record(
                &mut conn,
                &caller,
                (RESOURCE, id, unit.id, &unit.path),
                "update",
                &before,
                move |conn| {
                    Box::pin(async move {
                        let row: Option<FiguresRow> = crate::versioned_update!(
                            conn,
                            unit_figures,
                            id,
                            version,
                            (
                                unit_figures::ge_officials.eq(body.ge_officials),
                                unit_figures::gbv_victims_detected.eq(body.gbv_victims_detected),
                                unit_figures::gbv_victims_supported.eq(body.gbv_victims_supported)
                            ),
                            FiguresRow
                        )?;
                        Ok(row.map(Figures::from))
                    })
                },
            )
            .await?;
            match updated {
                Some(f) => Ok(etag_response(StatusCode::OK, f.version, &f)),
                None => Err(ApiError::stale(&before)),
            }
        }
    }
}
