//! Operations endpoints: liveness, readiness and Prometheus metrics.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(
    tag = "operations",
    operation_id = "health_live",
    responses((status = 200, description = "Alive", body = Health)),
    security(()),
)]
#[get("/health/live")]
pub async fn live() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// The database is reachable and every migration is applied.
#[utoipa::path(
    tag = "operations",
    operation_id = "health_ready",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "Database unreachable or migrations pending", body = Problem, content_type = "application/problem+json"),
    ),
    security(()),
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> ApiResult<web::Json<Health>> {
    let mut conn = state.pool.get().await?;
    match crate::db::migrations_applied(&mut conn).await {
        Ok(true) => Ok(web::Json(Health { status: "ok" })),
        Ok(false) => Err(ApiError::Unavailable),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            Err(ApiError::Unavailable)
        }
    }
}

/// Prometheus metrics: requests and latency by route pattern, method and status class; the
/// database pools (whole process and per worker); process RSS, CPU, open files and threads.
#[utoipa::path(
    tag = "operations",
    operation_id = "metrics",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain; version=0.0.4")),
    security(()),
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render())
}
