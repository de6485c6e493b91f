//! Builds the actix application (middleware, routes, state). Used by `main` (through
//! [`Application`]) and by every test, so tests exercise exactly what production serves.

use std::net::TcpListener;
use std::sync::Arc;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::error::JsonPayloadError;
use actix_web::http::header;
use actix_web::middleware::{from_fn, Compress, ErrorHandlerResponse, ErrorHandlers};
use actix_web::{web, App, HttpRequest, HttpServer};
use utoipa::OpenApi;
use utoipa_actix_web::{scope, AppExt};
use utoipa_swagger_ui::SwaggerUi;

use crate::config::Settings;
use crate::error::{ApiError, PROBLEM_JSON};
use crate::openapi::ApiDoc;
use crate::state::AppState;

/// Every documented route. Adding a resource means adding its handlers here.
///
/// One scope per first path segment (`/trainings`, `/units`, ...), and each handler's path is
/// relative to its scope: actix tries a scope by comparing its static prefix, and only the routes
/// of the matching scope by their patterns, so a request costs a handful of pattern matches
/// instead of one per route of the API (8% of a one-record request's time when they were flat).
/// Within a scope, routes are tried in order.
fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    use crate::plans::{activities, handlers as plans, targets};
    use crate::{attachments::handlers as attachments, campaigns::handlers as campaigns};
    use crate::{audit_events::handlers as audit, changes::handlers as changes, sessions::handlers as auth};
    use crate::{clients::handlers as clients, documents::handlers as documents, health, units::handlers as units};
    use crate::{outreach::handlers as outreach, petitions::handlers as petitions, trainings::handlers as trainings};
    cfg.service(health::live)
        .service(health::ready)
        .service(health::metrics)
        .service(
            scope::scope("/api/v1")
                .service(
                    scope::scope("/auth")
                        .service(auth::login)
                        .service(auth::login_second_step)
                        .service(auth::refresh)
                        .service(auth::logout)
                        .service(auth::me)
                        .service(auth::start_two_factor)
                        .service(auth::confirm_two_factor)
                        .service(auth::disable_two_factor)
                        .service(auth::change_password)
                        .service(clients::client_token),
                )
                .service(
                    scope::scope("/users")
                        .service(crate::users::handlers::list_users)
                        .service(crate::users::handlers::create_user)
                        .service(crate::users::handlers::get_user)
                        .service(crate::users::handlers::update_user)
                        .service(crate::users::handlers::reset_password),
                )
                .service(
                    scope::scope("/clients")
                        .service(clients::create_client)
                        .service(clients::list_clients)
                        .service(clients::get_client)
                        .service(clients::update_client)
                        .service(clients::rotate_secret),
                )
                .service(
                    scope::scope("/documents")
                        .service(documents::list_documents)
                        .service(documents::create_document)
                        .service(documents::get_document)
                        .service(documents::update_document)
                        .service(documents::delete_document),
                )
                .service(scope::scope("/indicators").service(plans::list_indicators))
                .service(
                    scope::scope("/plans")
                        .service(plans::list_plans)
                        .service(plans::create_plan)
                        .service(plans::get_plan)
                        .service(plans::update_plan)
                        .service(plans::delete_plan)
                        .service(plans::plan_history)
                        .service(targets::list_targets)
                        .service(targets::create_target)
                        .service(targets::update_target)
                        .service(targets::delete_target)
                        .service(activities::list_activities)
                        .service(activities::create_activity)
                        .service(activities::update_activity)
                        .service(activities::delete_activity)
                        .service(activities::activity_results)
                        // Last: `/{id}/{action}` would otherwise take `/{id}/targets`.
                        .service(plans::plan_action),
                )
                .service(
                    scope::scope("/trainings")
                        .service(trainings::list_trainings)
                        .service(trainings::export_trainings)
                        .service(trainings::create_training)
                        .service(trainings::get_training)
                        .service(trainings::update_training)
                        .service(trainings::delete_training)
                        .service(trainings::training_participants)
                        .service(attachments::upload_training)
                        .service(attachments::list_training),
                )
                .service(
                    scope::scope("/outreach")
                        .service(outreach::list_events)
                        .service(outreach::export_outreach_events)
                        .service(outreach::create_event)
                        .service(outreach::get_event)
                        .service(outreach::update_event)
                        .service(outreach::delete_event)
                        .service(outreach::event_participants)
                        .service(attachments::upload_outreach)
                        .service(attachments::list_outreach),
                )
                .service(
                    scope::scope("/campaigns")
                        .service(campaigns::list_campaigns)
                        .service(campaigns::create_campaign)
                        .service(campaigns::get_campaign)
                        .service(campaigns::update_campaign),
                )
                .service(
                    scope::scope("/attachments")
                        .service(attachments::get_attachment)
                        .service(attachments::download_attachment)
                        .service(attachments::delete_attachment),
                )
                .service(
                    scope::scope("/inspections")
                        .service(crate::inspections::handlers::list_inspections)
                        .service(crate::inspections::handlers::create_inspection)
                        .service(crate::inspections::handlers::get_inspection)
                        .service(crate::inspections::handlers::update_inspection),
                )
                .service(scope::scope("/decrees").service(crate::violations::catalogue::list_decrees))
                .service(scope::scope("/fining-authorities").service(crate::violations::catalogue::list_authorities))
                .service(
                    scope::scope("/violation-rules")
                        .service(crate::violations::catalogue::list_rules)
                        .service(crate::violations::catalogue::create_rule)
                        .service(crate::violations::catalogue::update_rule),
                )
                .service(
                    scope::scope("/violations")
                        .service(crate::violations::handlers::list_violations)
                        .service(crate::violations::handlers::create_violation)
                        .service(crate::violations::handlers::get_violation)
                        .service(crate::violations::handlers::update_violation)
                        .service(crate::violations::handlers::decide_violation),
                )
                .service(
                    scope::scope("/reports")
                        .service(crate::reports::handlers::report_summary)
                        .service(crate::reports::handlers::export_summary),
                )
                .service(
                    scope::scope("/petitions")
                        .service(petitions::list_petitions)
                        .service(petitions::export_petitions)
                        .service(petitions::create_petition)
                        .service(petitions::get_petition)
                        .service(petitions::update_petition)
                        .service(petitions::petition_action),
                )
                .service(scope::scope("/deadline-rules").service(petitions::list_deadline_rules))
                .service(
                    scope::scope("/holidays")
                        .service(petitions::list_holidays)
                        .service(petitions::put_holiday),
                )
                .service(
                    scope::scope("/support-services")
                        .service(crate::support_services::handlers::list_support_services)
                        .service(crate::support_services::handlers::create_support_service)
                        .service(crate::support_services::handlers::get_support_service)
                        .service(crate::support_services::handlers::update_support_service)
                        .service(crate::support_services::handlers::delete_support_service),
                )
                .service(
                    scope::scope("/support-cases")
                        .service(crate::support_cases::handlers::list_support_cases)
                        .service(crate::support_cases::handlers::create_support_case)
                        .service(crate::support_cases::handlers::get_support_case)
                        .service(crate::support_cases::handlers::update_support_case)
                        .service(crate::support_cases::handlers::record_case_consent)
                        .service(crate::support_cases::handlers::record_case_service)
                        .service(crate::support_cases::handlers::assign_case_worker)
                        .service(crate::support_cases::handlers::unassign_case_worker)
                        .service(crate::support_cases::handlers::break_glass)
                        .service(crate::support_cases::handlers::get_case_identity)
                        .service(crate::support_cases::handlers::put_case_identity)
                        .service(crate::support_cases::handlers::case_access_log)
                        .service(crate::support_cases::handlers::list_case_measures)
                        .service(crate::support_cases::handlers::request_case_measure)
                        .service(crate::support_cases::handlers::case_measure_step)
                        .service(crate::support_cases::handlers::list_case_referrals)
                        .service(crate::support_cases::handlers::refer_case)
                        .service(crate::support_cases::handlers::revoke_referral)
                        // Named sub-paths before the workflow's `/{action}`.
                        .service(crate::support_cases::handlers::support_case_action),
                )
                .service(
                    scope::scope("/support-measures").service(crate::support_cases::handlers::list_support_measures),
                )
                .service(scope::scope("/measure-rules").service(crate::support_cases::handlers::list_measure_rules))
                .service(
                    scope::scope("/referrals")
                        .service(crate::support_cases::handlers::list_referrals)
                        .service(crate::support_cases::handlers::referral_step),
                )
                .service(
                    scope::scope("/support-case-notices").service(crate::support_cases::handlers::list_case_notices),
                )
                .service(scope::scope("/case-codes").service(crate::support_cases::handlers::case_codes))
                .service(scope::scope("/changes").service(changes::list_changes))
                .service(scope::scope("/audit-events").service(audit::list_audit_events))
                .service(
                    scope::scope("/units")
                        .service(units::list_units)
                        .service(units::create_unit)
                        .service(units::get_unit)
                        .service(units::update_unit)
                        .service(units::delete_unit)
                        .service(units::unit_tree)
                        .service(units::unit_lineage)
                        .service(units::add_predecessor)
                        .service(crate::units::leaders::list_leaders)
                        .service(crate::units::leaders::create_leader)
                        .service(crate::units::leaders::update_leader)
                        .service(crate::units::leaders::delete_leader)
                        .service(crate::units::figures::list_figures)
                        .service(crate::units::figures::put_figures),
                )
                .service(
                    scope::scope("/imports")
                        .service(crate::imports::handlers::import_template)
                        .service(crate::imports::handlers::create_import)
                        .service(crate::imports::handlers::list_imports)
                        .service(crate::imports::handlers::get_import),
                )
                .service(
                    scope::scope("/webhook-endpoints")
                        .service(crate::webhooks::handlers::create_webhook_endpoint)
                        .service(crate::webhooks::handlers::list_webhook_endpoints)
                        .service(crate::webhooks::handlers::get_webhook_endpoint)
                        .service(crate::webhooks::handlers::update_webhook_endpoint)
                        .service(crate::webhooks::handlers::delete_webhook_endpoint)
                        .service(crate::webhooks::handlers::rotate_webhook_secret)
                        .service(crate::webhooks::handlers::send_webhook_test)
                        .service(crate::webhooks::handlers::list_webhook_deliveries)
                        .service(crate::webhooks::handlers::redeliver_webhook)
                        .service(crate::webhooks::handlers::replay_webhooks),
                ),
        );
}

/// The OpenAPI document, gathered from the registered routes.
pub fn api_document() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    crate::openapi::finish(api)
}

fn json_error(err: JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    let api = match &err {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => ApiError::PayloadTooLarge,
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType(crate::error::Text::new(
            "Send the body as application/json",
            "Hãy gửi nội dung dạng application/json",
        )),
        JsonPayloadError::Deserialize(e) if e.is_data() => ApiError::Rule(crate::error::Text::new(
            format!("The JSON does not fit the expected shape: {e}"),
            format!("JSON không đúng cấu trúc yêu cầu: {e}"),
        )),
        other => ApiError::BadRequest(crate::error::Text::new(
            format!("The body is not valid JSON: {other}"),
            format!("Nội dung không phải JSON hợp lệ: {other}"),
        )),
    };
    api.into()
}

fn path_error(_: actix_web::error::PathError, _: &HttpRequest) -> actix_web::Error {
    // A malformed id names no record: answer as for any absent record.
    ApiError::NotFound.into()
}

/// Unknown routes get 404; a known route with another method gets 405.
async fn fallback(req: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    if req.resource_map().has_resource(req.path()) {
        Err(ApiError::MethodNotAllowed)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Anything that leaves as an error without a problem document (actix's own responses) gets one.
fn ensure_problem<B: MessageBody + 'static>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let err = match status.as_u16() {
        400 => ApiError::bad_request("Malformed request", "Yêu cầu không đúng định dạng"),
        401 => ApiError::unauthorized(),
        404 => ApiError::NotFound,
        405 => ApiError::MethodNotAllowed,
        413 => ApiError::PayloadTooLarge,
        415 => ApiError::UnsupportedMediaType(crate::error::Text::new(
            "Unsupported media type",
            "Kiểu nội dung không được hỗ trợ",
        )),
        s if s >= 500 => ApiError::Internal(anyhow::anyhow!("unhandled {status} from the framework")),
        _ => ApiError::bad_request(
            status.canonical_reason().unwrap_or("Bad request").to_string(),
            "Yêu cầu không hợp lệ",
        ),
    };
    let (req, _) = res.into_parts();
    let problem = actix_web::ResponseError::error_response(&err);
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, problem).map_into_right_body(),
    ))
}

/// The application with its middleware, routes, Swagger UI and error handling.
pub fn build_app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    state.metrics.add_pool(state.pool.clone());
    let max_body = state.settings.max_body_bytes;
    let body_timeout = state.settings.body_timeout;
    let cors = state.settings.cors_allowed_origins.iter().fold(
        Cors::default()
            .allowed_methods(["GET", "POST", "PATCH", "PUT", "DELETE"])
            .allowed_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::IF_MATCH,
                header::ACCEPT_LANGUAGE,
            ])
            .allowed_header("idempotency-key")
            // The headers a browser's script may read beside the safelisted ones, named once:
            // actix-cors's "any header" builds the list from each response's own headers (a
            // set, a join and an allocation a request) and misses those added after it ran
            // (the request id).
            .expose_headers([
                header::ETAG,
                header::RETRY_AFTER,
                header::LOCATION,
                header::LINK,
                header::CONTENT_DISPOSITION,
                header::WWW_AUTHENTICATE,
            ])
            .expose_headers(["x-request-id", "idempotent-replayed"])
            .max_age(3600),
        |c, origin| c.allowed_origin(origin),
    );
    let (app, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .app_data(web::Data::from(state.metrics.clone()))
        .app_data(state)
        .app_data(crate::http::json::JsonLimit(max_body))
        .app_data(crate::http::BodyTimeout(body_timeout))
        .app_data(web::PayloadConfig::new(max_body))
        .app_data(web::JsonConfig::default().limit(max_body).error_handler(json_error))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .configure(routes)
        .split_for_parts();
    app.service(SwaggerUi::new("/swagger-ui/{_:.*}").url("/api/openapi.json", crate::openapi::finish(api)))
        .route(
            "/swagger-ui",
            web::get().to(|| async {
                actix_web::HttpResponse::PermanentRedirect()
                    .insert_header((header::LOCATION, "/swagger-ui/"))
                    .finish()
            }),
        )
        .default_service(web::to(fallback))
        .wrap(ErrorHandlers::new().default_handler(ensure_problem))
        .wrap(from_fn(crate::http::no_store))
        .wrap(Compress::default())
        .wrap(cors)
        .wrap(from_fn(crate::telemetry::request_context))
}

/// HTTP workers when `WORKERS` is unset: one per core, or half the cores (at least one) when
/// the database runs on this machine (the embedded default, or a `DATABASE_URL` on localhost),
/// whose server processes need the other half. With reads pipelined on a worker's shared
/// connection, one worker on these two cores served 29,752 one-record reads a second (p99 6.0
/// ms) where two served 20,989 (p99 12.4 ms): two spent 51 us of CPU a request against 29,
/// most of it switching between each other, PostgreSQL and the load (issue 16).
pub fn default_workers(db_url: &str) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if database_is_local(db_url) {
        (cores / 2).max(1)
    } else {
        cores
    }
}

/// Whether a PostgreSQL URL names this machine (a loopback address, `localhost`, or a Unix
/// socket: no host).
fn database_is_local(db_url: &str) -> bool {
    let rest = db_url.split_once("://").map_or(db_url, |(_, r)| r);
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let hosts = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    hosts.split(',').all(|h| {
        let host = if let Some(v6) = h.strip_prefix('[') {
            v6.split(']').next().unwrap_or("")
        } else {
            h.split(':').next().unwrap_or("")
        };
        host.is_empty() || host == "localhost" || host.starts_with("127.") || host == "::1"
    })
}

/// The running HTTP server.
pub struct Application {
    server: Server,
    port: u16,
}

impl Application {
    /// Binds the listener (port 0 picks a free one) and builds the server.
    ///
    /// Each worker (a single-threaded runtime) gets its own pool of `db_pool_size / workers`
    /// connections, established on that worker: a connection's I/O task then runs on the thread
    /// that uses it, instead of waking another worker's thread for every query.
    pub fn build(settings: Settings, db_url: &str) -> anyhow::Result<Self> {
        let listener = TcpListener::bind((settings.bind.as_str(), settings.port))?;
        let port = listener.local_addr()?.port();
        let workers = settings.workers.unwrap_or_else(|| default_workers(db_url)).max(1);
        let per_worker = (settings.db_pool_size / workers).max(2);
        let shared = Arc::new(AppState::new(settings, crate::db::build_pool(db_url, per_worker)?)?);
        shared.revocations.spawn_listener(db_url.to_string());
        let db_url = db_url.to_string();
        let server = HttpServer::new(move || {
            // A pool only connects when first used, so building one cannot fail here but for a
            // malformed URL, which the first pool above has already accepted.
            let pool = crate::db::build_pool(&db_url, per_worker).expect("a pool for this worker");
            build_app(web::Data::new(shared.with_pool(pool)))
        })
        .workers(workers);
        // Signals are ours (see run_until_stopped): actix would treat SIGINT as a forced stop.
        let server = server.listen(listener)?.shutdown_timeout(30).disable_signals().run();
        Ok(Self { server, port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT or SIGTERM, then stops accepting and lets in-flight requests finish
    /// (30 s at most) before returning: both signals are a graceful shutdown.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        use tokio::signal::unix::{signal, SignalKind};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        let handle = self.server.handle();
        tokio::spawn(async move {
            let which = tokio::select! {
                _ = interrupt.recv() => "SIGINT",
                _ = terminate.recv() => "SIGTERM",
            };
            tracing::info!(signal = which, "stopping: finishing in-flight requests (30 s at most)");
            handle.stop(true).await;
        });
        self.server.await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_database_on_this_machine_is_told_from_a_remote_one() {
        for local in [
            "postgres://postgres:secret@127.0.0.1:5432/binhdang",
            "postgresql://u@localhost/db",
            "postgres://[::1]:5433/db",
            "postgres:///db?host=/var/run/postgresql",
        ] {
            assert!(super::database_is_local(local), "{local}");
        }
        for remote in [
            "postgres://u:p@db.internal:5432/x",
            "postgres://10.0.0.5/x",
            "postgres://127.0.0.1,db2/x",
        ] {
            assert!(!super::database_is_local(remote), "{remote}");
        }
    }
}
