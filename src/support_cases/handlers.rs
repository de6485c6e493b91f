//! `/api/v1/support-cases`: survivors' cases, need-to-know. Every operation on a case first asks
//! the database how the caller reads it (`bd_case_access`); anyone who does not read it gets
//! 404, whatever its role or unit. Answers that carry the case come from the logged read.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::api::*;
use super::model::{CaseChanges, CaseRow, ReadCase};
use super::queries;
use crate::audit::{self, Actor, Change};
use crate::auth::{Caller, PrincipalKind, Role};
use crate::db::Conn;
use crate::error::{ApiError, ApiResult, Problem, Text};
use crate::http::idempotency::{self, IdempotencyKey};
use crate::http::list::{paginate, Cursor, Page, PageQuery, Sort};
use crate::http::{etag_response, IfMatch, Json, ValidJson};
use crate::state::AppState;
use crate::write;

/// How long a break-the-glass grant lasts.
pub const GLASS_HOURS: i64 = 3;

fn to_api(r: ReadCase) -> SupportCase {
    let mut case = SupportCase::from(r.case);
    case.case_workers = serde_json::from_value(r.case_workers).unwrap_or_default();
    case.consents = serde_json::from_value(r.consents).unwrap_or_default();
    case.services = serde_json::from_value(r.services).unwrap_or_default();
    case.your_access = Some(r.via);
    case
}

/// The case as the caller reads it (logged), answered with `status` and its `ETag`.
async fn answer(conn: &mut Conn, caller: &Caller, id: Uuid, status: StatusCode) -> ApiResult<HttpResponse> {
    let case = queries::read(conn, caller, id, "case")
        .await?
        .ok_or(ApiError::NotFound)?;
    let api = to_api(case);
    Ok(etag_response(status, api.version, &api))
}

/// The case for a write by one who handles it: its supervisor or an assigned case worker
/// (`supervisor_only`: its supervisor). 404 for anyone who does not read it; 403 for a reader
/// who may not make this change (break-the-glass is read only).
async fn handled(conn: &mut Conn, caller: &Caller, id: Uuid, supervisor_only: bool) -> ApiResult<CaseRow> {
    let via = queries::access(conn, id, caller.id).await?.ok_or(ApiError::NotFound)?;
    let allowed = match via.as_str() {
        "case_supervisor" => true,
        "case_worker" => !supervisor_only,
        _ => false,
    };
    if !allowed {
        return Err(ApiError::Forbidden(if supervisor_only {
            Text::new(
                "Only a case supervisor of the handling unit may do this",
                "Chỉ người giám sát vụ việc của đơn vị xử lý được thực hiện việc này",
            )
        } else {
            Text::new(
                "Break-the-glass access is read only",
                "Quyền truy cập khẩn cấp chỉ để xem",
            )
        }));
    }
    queries::find(conn, id).await?.ok_or(ApiError::NotFound)
}

fn no_partner_or_client(caller: &Caller) -> ApiResult<()> {
    if caller.kind == PrincipalKind::User {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// The cases the caller reads: a case supervisor every case of its unit, a case worker those it
/// is assigned, anyone its open break-the-glass grants; everyone else an empty list. Each case
/// listed is a logged read. Sort: `-updated_at` (default), `updated_at`, `created_at`.
#[utoipa::path(
    tag = "cases",
    operation_id = "list_support_cases",
    description = "Try it as `halong.supervisor`.",
    params(CaseFilters, PageQuery),
    responses(
        (status = 200, description = "A page of cases", body = Page<SupportCase>),
        (status = 422, description = "Invalid filter, sort or cursor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/support-cases")]
pub async fn list_support_cases(
    state: web::Data<AppState>,
    caller: Caller,
    filters: crate::http::Query<CaseFilters>,
    page: crate::http::Query<PageQuery>,
) -> ApiResult<web::Json<Page<SupportCase>>> {
    let sort = Sort::parse_newest_first(page.sort.as_deref(), queries::SORTS)?;
    let cursor = page.cursor.as_deref().map(|c| Cursor::decode(c, &sort)).transpose()?;
    let limit = page.limit();
    if caller.kind != PrincipalKind::User {
        return Ok(web::Json(Page::empty()));
    }
    let mut conn = state.pool.get().await?;
    let rows = queries::list(&mut conn, &caller, &filters, &sort, cursor.as_ref(), limit).await?;
    Ok(web::Json(paginate(rows, limit, &sort, to_api)))
}

/// One case (logged). 404 unless the caller is an assigned case worker, a case supervisor of
/// the handling unit, or holds an open break-the-glass grant.
#[utoipa::path(
    tag = "cases",
    operation_id = "get_support_case",
    description = "Try it as `halong.supervisor`.",
    params(("id" = Uuid, Path, description = "Case id")),
    responses(
        (status = 200, description = "The case", body = SupportCase, headers(("ETag" = String, description = "The case's version"))),
        (status = 404, description = "No such case, or not the caller's to read", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/support-cases/{id}")]
pub async fn get_support_case(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    no_partner_or_client(&caller)?;
    let mut conn = state.pool.get().await?;
    answer(&mut conn, &caller, *id, StatusCode::OK).await
}

fn check_dates(incident_on: Option<chrono::NaiveDate>, reported_on: chrono::NaiveDate) -> ApiResult<()> {
    if reported_on > crate::calendar::today() {
        return Err(ApiError::field(
            "reported_on",
            "future",
            "the first report cannot be in the future",
            "ngày tiếp nhận không thể ở tương lai",
        ));
    }
    if incident_on.is_some_and(|i| i > reported_on) {
        return Err(ApiError::field(
            "incident_on",
            "after_report",
            "the incident cannot be after its first report",
            "ngày xảy ra không thể sau ngày tiếp nhận",
        ));
    }
    Ok(())
}

async fn forms(conn: &mut Conn, acts: &[String]) -> ApiResult<Vec<String>> {
    queries::forms_of(conn, acts).await?.map_err(|code| {
        ApiError::field(
            "acts",
            "unknown",
            format!("{code:?} is not an act of Law 13/2022 Art. 3(1) (see GET /api/v1/case-codes)"),
            format!("{code:?} không phải hành vi tại khoản 1 Điều 3 Luật 13/2022 (xem GET /api/v1/case-codes)"),
        )
    })
}

/// Open a case, handled by the caller's own unit: the caller must hold a case role there (a
/// case worker who opens a case is assigned to it). The code is generated.
#[utoipa::path(
    tag = "cases",
    operation_id = "create_support_case",
    description = "Try it as `halong.caseworker`.",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first response (read again, and logged)")),
    request_body = NewCase,
    responses(
        (status = 201, description = "Opened", body = SupportCase, headers(("ETag" = String, description = "The case's version"))),
        (status = 403, description = "The caller holds no case role", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The id is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (an unknown act, dates), or a reused Idempotency-Key", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/support-cases")]
pub async fn create_support_case(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    key: IdempotencyKey,
    body: Json<NewCase>,
) -> ApiResult<HttpResponse> {
    caller.require_not_partner()?;
    let body = body.into_valid()?;
    check_dates(body.incident_on, body.reported_on)?;
    let hash = idempotency::fingerprint(&req, &body);
    let mut conn = state.pool.get().await?;
    let (case_role, unit_id) = queries::case_role(&mut conn, caller.id).await?.ok_or_else(|| {
        ApiError::Forbidden(Text::new(
            "Only case workers and case supervisors open cases",
            "Chỉ cán bộ quản lý vụ việc và người giám sát vụ việc được mở vụ việc",
        ))
    })?;
    let forms = forms(&mut conn, &body.acts).await?;
    let unit_path = crate::db::unit_path(&mut conn, unit_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut acts = body.acts.clone();
    acts.sort();
    acts.dedup();
    let mut groups: Vec<String> = body.priority_groups.iter().map(wire).collect();
    groups.sort();
    groups.dedup();
    let row = CaseRow {
        id: body.id.unwrap_or_else(Uuid::now_v7),
        code: queries::new_code(),
        unit_id,
        unit_path,
        status: "new".into(),
        survivor_sex: wire(&body.survivor_sex),
        survivor_age_band: wire(&body.survivor_age_band),
        priority_groups: groups,
        relationship: wire(&body.relationship),
        acts,
        forms,
        incident_on: body.incident_on,
        reported_on: body.reported_on,
        channel: wire(&body.channel),
        plan: None,
        closure_reason: None,
        created_by: caller.id,
        created_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
        version: 1,
    };
    let assign_self = case_role == "case_worker";
    let who = caller.clone();
    let follow_up = write::then(move |conn, case: &CaseRow| {
        let (case_id, unit) = (case.id, case.unit_id);
        Box::pin(async move {
            if assign_self {
                queries::assign(conn, case_id, who.id, who.id).await?;
                queries::notify(
                    conn,
                    queries::Notice {
                        unit_id: unit,
                        kind: "assigned",
                        case_id: Some(case_id),
                        subject: (who.id, &who.name),
                        actor: &who,
                        reason: None,
                    },
                )
                .await?;
            }
            Ok(())
        })
    });
    let stored = write::create_stored(&mut conn, &caller, &key, &hash, row, follow_up).await?;
    let id = stored
        .body
        .get("id")
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse::<Uuid>().ok())
        .ok_or(ApiError::NotFound)?;
    let mut res = answer(&mut conn, &caller, id, StatusCode::CREATED).await?;
    if stored.replayed {
        res.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("idempotent-replayed"),
            actix_web::http::header::HeaderValue::from_static("true"),
        );
    }
    Ok(res)
}

/// Correct a case (its case workers and supervisor; needs `If-Match`; not once closed).
#[utoipa::path(
    tag = "cases",
    operation_id = "update_support_case",
    description = "Try it as `halong.supervisor`.",
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"1\""),
    ),
    request_body = CasePatch,
    responses(
        (status = 200, description = "Updated", body = SupportCase, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "A break-the-glass reader", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed (reopen it first)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/support-cases/{id}")]
pub async fn update_support_case(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<CasePatch>,
) -> ApiResult<HttpResponse> {
    no_partner_or_client(&caller)?;
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let current = handled(&mut conn, &caller, *id, false).await?;
    write::require_fresh(&current, &if_match)?;
    if current.status == "closed" {
        return Err(ApiError::conflict(
            "The case is closed: reopen it first",
            "Vụ việc đã đóng: hãy mở lại trước",
        ));
    }
    check_dates(
        body.incident_on.unwrap_or(current.incident_on),
        body.reported_on.unwrap_or(current.reported_on),
    )?;
    let forms = match &body.acts {
        Some(acts) => Some(forms(&mut conn, acts).await?),
        None => None,
    };
    let changes = CaseChanges {
        survivor_sex: body.survivor_sex.as_ref().map(wire),
        survivor_age_band: body.survivor_age_band.as_ref().map(wire),
        priority_groups: body.priority_groups.as_ref().map(|g| {
            let mut g: Vec<String> = g.iter().map(wire).collect();
            g.sort();
            g.dedup();
            g
        }),
        relationship: body.relationship.as_ref().map(wire),
        acts: body.acts.map(|mut a| {
            a.sort();
            a.dedup();
            a
        }),
        forms,
        incident_on: body.incident_on,
        reported_on: body.reported_on,
        channel: body.channel.as_ref().map(wire),
        plan: body.plan.map(|p| p.map(|p| p.trim().to_string())),
        ..Default::default()
    };
    let (case_id, version) = (current.id, current.version);
    let apply =
        write::apply(move |conn| Box::pin(async move { Ok(queries::update(conn, case_id, version, &changes).await?) }));
    write::update(&mut conn, &caller, current, &if_match, "update", apply).await?;
    answer(&mut conn, &caller, case_id, StatusCode::OK).await
}

/// A workflow step: `start_assessment`, `submit_plan`, `request_closure` (case workers and the
/// supervisor); `approve_plan`, `return_plan`, `approve_closure`, `return_closure`, `reopen`
/// (the supervisor). 409 when the case's status does not allow it.
#[utoipa::path(
    tag = "cases",
    operation_id = "support_case_action",
    description = "Try it as `halong.supervisor`.",
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("action" = CaseAction, Path, description = "The step"),
    ),
    request_body = CaseStep,
    responses(
        (status = 200, description = "Done", body = SupportCase, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "A supervisor's step by a case worker, or a break-the-glass reader", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the case's status", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A `closure_reason` is missing, or no plan to submit", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/support-cases/{id}/{action}")]
pub async fn support_case_action(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, String)>,
    body: Json<CaseStep>,
) -> ApiResult<HttpResponse> {
    no_partner_or_client(&caller)?;
    let (id, action) = path.into_inner();
    let action: CaseAction = from_wire(&action).ok_or(ApiError::NotFound)?;
    let body = body.into_valid()?;
    let (from, to, supervisor): (&[&str], &str, bool) = match action {
        CaseAction::StartAssessment => (&["new", "reopened"], "assessment", false),
        CaseAction::SubmitPlan => (&["assessment"], "case_plan", false),
        CaseAction::ApprovePlan => (&["case_plan"], "services", true),
        CaseAction::ReturnPlan => (&["case_plan"], "assessment", true),
        CaseAction::RequestClosure => (&["services"], "closure_requested", false),
        CaseAction::ApproveClosure => (&["closure_requested"], "closed", true),
        CaseAction::ReturnClosure => (&["closure_requested"], "services", true),
        CaseAction::Reopen => (&["closed"], "reopened", true),
    };
    let mut conn = state.pool.get().await?;
    let current = handled(&mut conn, &caller, id, supervisor).await?;
    if !from.contains(&current.status.as_str()) {
        return Err(ApiError::Conflict {
            detail: Text::new(
                format!("A case in status {:?} cannot take this step", current.status),
                format!(
                    "Vụ việc ở trạng thái {:?} không thực hiện được bước này",
                    current.status
                ),
            ),
            allowed: None,
        });
    }
    let mut changes = CaseChanges {
        status: Some(to.into()),
        ..Default::default()
    };
    match action {
        CaseAction::SubmitPlan if current.plan.is_none() => {
            return Err(ApiError::field(
                "plan",
                "required",
                "write the case plan first (PATCH the case)",
                "hãy ghi kế hoạch hỗ trợ trước (PATCH vụ việc)",
            ))
        }
        CaseAction::RequestClosure => match body.closure_reason {
            Some(r) => changes.closure_reason = Some(Some(wire(&r))),
            None => {
                return Err(ApiError::field(
                    "closure_reason",
                    "required",
                    "say why the case should close",
                    "hãy nêu lý do đóng vụ việc",
                ))
            }
        },
        CaseAction::ReturnClosure | CaseAction::Reopen => changes.closure_reason = Some(None),
        _ => {}
    }
    let (case_id, version) = (current.id, current.version);
    let name = wire(&action);
    let apply =
        write::apply(move |conn| Box::pin(async move { Ok(queries::update(conn, case_id, version, &changes).await?) }));
    write::transition(&mut conn, &caller, current, &name, apply).await?;
    answer(&mut conn, &caller, case_id, StatusCode::OK).await
}

/// A part added to a case (a consent, a service, an assignment): the part's own write and the
/// case's new version, with the case's audit entry named `action` (ids only).
async fn add_part(
    conn: &mut Conn,
    caller: &Caller,
    current: CaseRow,
    action: &str,
    part: impl for<'c> FnOnce(&'c mut Conn) -> futures_util::future::BoxFuture<'c, ApiResult<()>> + Send + 'static,
) -> ApiResult<()> {
    let (case_id, version) = (current.id, current.version);
    let apply = write::apply(move |conn| {
        Box::pin(async move {
            part(conn).await?;
            Ok(queries::touch(conn, case_id, version).await?)
        })
    });
    write::transition(conn, caller, current, action, apply).await?;
    Ok(())
}

/// A part with a client-chosen id (`(table, id)`) added once: a retry changes nothing; then the
/// case as the caller reads it.
async fn record_part(
    conn: &mut Conn,
    caller: &Caller,
    current: CaseRow,
    (table, id): (&'static str, Option<Uuid>),
    action: &str,
    part: impl for<'c> FnOnce(&'c mut Conn) -> futures_util::future::BoxFuture<'c, ApiResult<()>> + Send + 'static,
) -> ApiResult<HttpResponse> {
    let case_id = current.id;
    if !seen_before(conn, table, id, case_id).await? {
        add_part(conn, caller, current, action, part).await?;
    }
    answer(conn, caller, case_id, StatusCode::OK).await
}

/// 422 unless the directory's service exists.
async fn known_service(conn: &mut Conn, id: Option<Uuid>) -> ApiResult<()> {
    match id {
        Some(s) if !queries::service_exists(conn, s).await? => Err(ApiError::field(
            "service_id",
            "unknown",
            "no such service",
            "không có dịch vụ này",
        )),
        _ => Ok(()),
    }
}

/// Whether a part with a client-chosen id was sent before: `true` when it is this case's
/// already (a retry: nothing to do), 409 when it is another's.
async fn seen_before(conn: &mut Conn, table: &'static str, id: Option<Uuid>, case: Uuid) -> ApiResult<bool> {
    let Some(id) = id else { return Ok(false) };
    match queries::part_owner(conn, table, id, case).await? {
        Some(true) => Ok(true),
        Some(false) => Err(idempotency::id_taken()),
        None => Ok(false),
    }
}

/// Record a consent (to services, to sharing with one named service or unit, to statistics),
/// or its withdrawal (`given: false`), with its date; the recorder is the caller. The latest of
/// a kind and target is in force. Send an `id` to make a retry safe.
#[utoipa::path(
    tag = "cases",
    operation_id = "record_case_consent",
    description = "Try it as `halong.supervisor`.",
    params(("id" = Uuid, Path, description = "Case id")),
    request_body = NewConsent,
    responses(
        (status = 200, description = "The case with the consent", body = SupportCase, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "A break-the-glass reader", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The id is another case's", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Sharing without one target, a target with another kind, or an unknown service or unit", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/support-cases/{id}/consents")]
pub async fn record_case_consent(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<NewConsent>,
) -> ApiResult<HttpResponse> {
    no_partner_or_client(&caller)?;
    let body = body.into_valid()?;
    let targets = body.service_id.is_some() as u8 + body.target_unit_id.is_some() as u8;
    match (body.kind, targets) {
        (ConsentKind::Sharing, 1) | (ConsentKind::Services | ConsentKind::Statistics, 0) => {}
        (ConsentKind::Sharing, _) => {
            return Err(ApiError::field(
                "service_id",
                "one_target",
                "consent to sharing names one service_id or one target_unit_id",
                "đồng ý chia sẻ phải nêu đúng một service_id hoặc một target_unit_id",
            ))
        }
        _ => {
            return Err(ApiError::field(
                "service_id",
                "no_target",
                "only consent to sharing names a service or a unit",
                "chỉ đồng ý chia sẻ mới nêu dịch vụ hoặc đơn vị",
            ))
        }
    }
    if body.recorded_on > crate::calendar::today() {
        return Err(ApiError::field(
            "recorded_on",
            "future",
            "not in the future",
            "không ở tương lai",
        ));
    }
    let mut conn = state.pool.get().await?;
    let current = handled(&mut conn, &caller, *id, false).await?;
    known_service(&mut conn, body.service_id).await?;
    if let Some(u) = body.target_unit_id {
        if !queries::unit_exists(&mut conn, u).await? {
            return Err(ApiError::field(
                "target_unit_id",
                "unknown",
                "no such unit",
                "không có đơn vị này",
            ));
        }
    }
    let (case_id, by, part_id) = (current.id, caller.id, body.id);
    record_part(
        &mut conn,
        &caller,
        current,
        ("support_case_consents", part_id),
        "record_consent",
        move |conn| {
            Box::pin(async move {
                queries::insert_consent(conn, case_id, &body, by).await?;
                // Withdrawn consent to sharing revokes the pending referrals it allowed.
                if body.kind == ConsentKind::Sharing && !body.given {
                    queries::revoke_pending(conn, case_id, body.service_id, body.target_unit_id, by).await?;
                }
                Ok(())
            })
        },
    )
    .await
}

/// Record a service the survivor received (kind, date, and the directory's service or another
/// provider). Send an `id` to make a retry safe.
#[utoipa::path(
    tag = "cases",
    operation_id = "record_case_service",
    description = "Try it as `halong.supervisor`.",
    params(("id" = Uuid, Path, description = "Case id")),
    request_body = NewProvidedService,
    responses(
        (status = 200, description = "The case with the service", body = SupportCase, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "A break-the-glass reader", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The id is another case's", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or an unknown service", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/support-cases/{id}/services")]
pub async fn record_case_service(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<NewProvidedService>,
) -> ApiResult<HttpResponse> {
    no_partner_or_client(&caller)?;
    let body = body.into_valid()?;
    if body.provided_on > crate::calendar::today() {
        return Err(ApiError::field(
            "provided_on",
            "future",
            "not in the future",
            "không ở tương lai",
        ));
    }
    let mut conn = state.pool.get().await?;
    let current = handled(&mut conn, &caller, *id, false).await?;
    known_service(&mut conn, body.service_id).await?;
    let (case_id, by, part_id) = (current.id, caller.id, body.id);
    record_part(
        &mut conn,
        &caller,
        current,
        ("support_case_services", part_id),
        "record_service",
        move |conn| Box::pin(async move { Ok(queries::insert_service(conn, case_id, &body, by).await.map(|_| ())?) }),
    )
    .await
}

/// Assign a case worker (the case supervisor only): a user of the handling unit with a case
/// role. Shown to the unit's case supervisors. Assigning one already assigned changes nothing.
#[utoipa::path(
    tag = "cases",
    operation_id = "assign_case_worker",
    description = "Try it as `halong.supervisor`.",
    params(("id" = Uuid, Path, description = "Case id")),
    request_body = NewAssignment,
    responses(
        (status = 200, description = "The case with its workers", body = SupportCase, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not the case's supervisor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The user holds no case role in the handling unit", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/support-cases/{id}/assignments")]
pub async fn assign_case_worker(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<NewAssignment>,
) -> ApiResult<HttpResponse> {
    no_partner_or_client(&caller)?;
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let current = handled(&mut conn, &caller, *id, true).await?;
    let name = queries::case_user_of(&mut conn, body.user_id, current.unit_id)
        .await?
        .ok_or_else(|| {
            ApiError::field(
                "user_id",
                "not_case_user",
                "not an active user of the handling unit with a case role",
                "không phải người dùng đang hoạt động của đơn vị xử lý có vai trò quản lý vụ việc",
            )
        })?;
    let (case_id, unit, user) = (current.id, current.unit_id, body.user_id);
    let who = caller.clone();
    add_part(&mut conn, &caller, current, "assign", move |conn| {
        Box::pin(async move {
            if queries::assign(conn, case_id, user, who.id).await? {
                queries::notify(
                    conn,
                    queries::Notice {
                        unit_id: unit,
                        kind: "assigned",
                        case_id: Some(case_id),
                        subject: (user, &name),
                        actor: &who,
                        reason: None,
                    },
                )
                .await?;
            }
            Ok(())
        })
    })
    .await?;
    answer(&mut conn, &caller, case_id, StatusCode::OK).await
}

/// End a case worker's assignment (the case supervisor only). The worker's next sync gets a
/// tombstone for the case (its device drops it); shown to the unit's case supervisors.
#[utoipa::path(
    tag = "cases",
    operation_id = "unassign_case_worker",
    description = "Try it as `halong.supervisor`.",
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("user_id" = Uuid, Path, description = "The case worker"),
    ),
    responses(
        (status = 204, description = "Unassigned"),
        (status = 403, description = "Not the case's supervisor", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case or assignment, or not the caller's", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[delete("/support-cases/{id}/assignments/{user_id}")]
pub async fn unassign_case_worker(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    no_partner_or_client(&caller)?;
    let (id, user) = path.into_inner();
    let mut conn = state.pool.get().await?;
    let current = handled(&mut conn, &caller, id, true).await?;
    let name = queries::username(&mut conn, user).await?.ok_or(ApiError::NotFound)?;
    let (case_id, unit, path) = (current.id, current.unit_id, current.unit_path.clone());
    let who = caller.clone();
    add_part(&mut conn, &caller, current, "unassign", move |conn| {
        Box::pin(async move {
            if !queries::unassign(conn, case_id, user).await? {
                return Err(ApiError::NotFound);
            }
            queries::notify(
                conn,
                queries::Notice {
                    unit_id: unit,
                    kind: "unassigned",
                    case_id: Some(case_id),
                    subject: (user, &name),
                    actor: &who,
                    reason: None,
                },
            )
            .await?;
            // The tombstone for the worker's device: the feed shows it as a deletion, to it alone.
            let mut tombstone =
                Change::new::<()>("support_case", (case_id, unit, &path), audit::ACCESS_ENDED, None, None)
                    .confidential(case_id);
            tombstone.audience = Some(user);
            audit::record(conn, Actor::Caller(&who), tombstone).await?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Break the glass: open a case the caller does not handle, with a written reason, for three
/// hours, read only. For admins whose subtree holds the handling unit and users with a case
/// role there or above; everyone else gets 404. Logged with its reason, every read too, and
/// shown to the unit's case supervisors.
#[utoipa::path(
    tag = "cases",
    operation_id = "break_glass",
    description = "Try it as `admin`.",
    params(("id" = Uuid, Path, description = "Case id")),
    request_body = BreakGlass,
    responses(
        (status = 201, description = "Open until `expires_at`", body = GlassGrant),
        (status = 404, description = "No such case, or not one the caller may open", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason, or too short a one", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/support-cases/{id}/break-glass")]
pub async fn break_glass(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<BreakGlass>,
) -> ApiResult<HttpResponse> {
    no_partner_or_client(&caller)?;
    let mut conn = state.pool.get().await?;
    let case = queries::find(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    let case_role = queries::case_role(&mut conn, caller.id).await?;
    if !caller.sees(&case.unit_path) || !(caller.role == Role::Admin || case_role.is_some()) {
        return Err(ApiError::NotFound);
    }
    let body = body.into_valid()?;
    let reason = body.reason.trim().to_string();
    if reason.chars().count() < 10 {
        return Err(ApiError::field(
            "reason",
            "length",
            "write the reason (10 characters or more)",
            "hãy ghi lý do (từ 10 ký tự)",
        ));
    }
    let who = caller.clone();
    let (case_id, unit, path) = (case.id, case.unit_id, case.unit_path.clone());
    let grant = write::change(&mut conn, move |conn| {
        Box::pin(async move {
            let (opened_at, expires_at) = queries::open_glass(conn, case_id, who.id, &reason, GLASS_HOURS).await?;
            queries::notify(
                conn,
                queries::Notice {
                    unit_id: unit,
                    kind: "break_glass",
                    case_id: Some(case_id),
                    subject: (who.id, &who.name),
                    actor: &who,
                    reason: Some(&reason),
                },
            )
            .await?;
            let change = Change::new::<()>("support_case", (case_id, unit, &path), "break_glass", None, None)
                .confidential(case_id);
            audit::record(conn, Actor::Caller(&who), change).await?;
            Ok(GlassGrant {
                case_id,
                reason,
                opened_at,
                expires_at,
            })
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(grant))
}

/// The survivor's identity (name, contact, address), unsealed for the caller; the read is
/// logged. 404 when the caller does not read the case or no identity is recorded.
#[utoipa::path(
    tag = "cases",
    operation_id = "get_case_identity",
    description = "Try it as `halong.supervisor`.",
    params(("id" = Uuid, Path, description = "Case id")),
    responses(
        (status = 200, description = "The identity", body = Identity, headers(("ETag" = String, description = "The identity's version"))),
        (status = 404, description = "No such case or identity, or not the caller's", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/support-cases/{id}/identity")]
pub async fn get_case_identity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    no_partner_or_client(&caller)?;
    let mut conn = state.pool.get().await?;
    let sealed = queries::read_identity(&mut conn, &caller, *id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let plain = state
        .data_key
        .unseal(&sealed.sealed)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("an identity does not open with the data key")))?;
    let identity: Identity =
        serde_json::from_slice(&plain).map_err(|e| ApiError::Internal(anyhow::anyhow!("identity: {e}")))?;
    Ok(etag_response(StatusCode::OK, sealed.version, &identity))
}

/// Record or replace the survivor's identity (the case's workers and supervisor): sealed
/// (ChaCha20-Poly1305 under the data key) before it is stored. `If-Match: *` for the first one,
/// the identity's `ETag` after. The audit trail records that it changed, never the values.
#[utoipa::path(
    tag = "cases",
    operation_id = "put_case_identity",
    description = "Try it as `halong.supervisor`.",
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("If-Match" = String, Header, description = "The identity's ETag, e.g. \"1\" (or * for the first one)"),
    ),
    request_body = Identity,
    responses(
        (status = 200, description = "Stored", body = Identity, headers(("ETag" = String, description = "The identity's new version"))),
        (status = 403, description = "A break-the-glass reader", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The identity changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[put("/support-cases/{id}/identity")]
pub async fn put_case_identity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<Identity>,
) -> ApiResult<HttpResponse> {
    no_partner_or_client(&caller)?;
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let case = handled(&mut conn, &caller, *id, false).await?;
    let current = queries::identity_version(&mut conn, case.id).await?.unwrap_or(0);
    if !if_match.matches(current) {
        return Err(ApiError::stale(&serde_json::json!({ "version": current })));
    }
    let plain = serde_json::to_vec(&body).map_err(|e| ApiError::Internal(e.into()))?;
    let sealed = state.data_key.seal(&plain);
    let key_id = state.data_key.key_id();
    let who = caller.clone();
    let (case_id, unit, path) = (case.id, case.unit_id, case.unit_path.clone());
    let version = write::change(&mut conn, move |conn| {
        Box::pin(async move {
            let version = queries::put_identity(conn, case_id, current, &sealed, &key_id, who.id)
                .await?
                .ok_or_else(|| ApiError::stale(&serde_json::json!({ "version": current })))?;
            let after = serde_json::json!({ "case_id": case_id, "version": version });
            let change = Change::new(
                "support_case_identity",
                (case_id, unit, &path),
                "update",
                None,
                Some(&after),
            )
            .confidential(case_id);
            audit::record(conn, Actor::Caller(&who), change).await?;
            Ok(version)
        })
    })
    .await?;
    Ok(etag_response(StatusCode::OK, version, &body))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Before {
    /// Entries older than this id (the last `id` of the previous page).
    pub before: Option<i64>,
    /// Page size: default 50, at most 500.
    #[param(minimum = 1, example = 50)]
    pub limit: Option<i64>,
}

impl Before {
    fn limit(&self) -> i64 {
        self.limit.unwrap_or(50).clamp(1, 500)
    }
}

/// Every read of the case and of its identity, newest first: who, when, what, how (and the
/// reason of a break of the glass). For the case supervisors and the admins of the handling
/// unit; this read is logged too.
#[utoipa::path(
    tag = "cases",
    operation_id = "case_access_log",
    description = "Try it as `halong.supervisor`.",
    params(("id" = Uuid, Path, description = "Case id"), Before),
    responses(
        (status = 200, description = "The reads, newest first", body = Vec<AccessLogEntry>),
        (status = 404, description = "No such case, or not the caller's", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/support-cases/{id}/access-log")]
pub async fn case_access_log(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    page: crate::http::Query<Before>,
) -> ApiResult<HttpResponse> {
    no_partner_or_client(&caller)?;
    let mut conn = state.pool.get().await?;
    let case = queries::find(&mut conn, *id).await?.ok_or(ApiError::NotFound)?;
    let via = match queries::access(&mut conn, case.id, caller.id).await?.as_deref() {
        Some("case_supervisor") => "case_supervisor",
        _ if caller.role == Role::Admin && caller.unit_id == case.unit_id => "admin",
        _ => return Err(ApiError::NotFound),
    };
    let limit = page.limit();
    let mut rows = queries::access_log(&mut conn, &caller, case.id, via, page.before, limit).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let entries: Vec<AccessLogEntry> = rows
        .into_iter()
        .map(|r| AccessLogEntry {
            id: r.id,
            user_id: r.user_id,
            username: r.user_name,
            what: r.what,
            via: r.via,
            reason: r.reason,
            request_id: r.request_id,
            at: r.at,
        })
        .collect();
    let mut res = HttpResponse::Ok();
    if more {
        if let Some(last) = entries.last() {
            res.insert_header(("link", format!("<?before={}&limit={limit}>; rel=\"next\"", last.id)));
        }
    }
    Ok(res.json(entries))
}

/// What the caller's unit's case supervisors are shown, newest first: case roles granted or
/// removed, case users' passwords reset, assignments, breaks of the glass. For case supervisors
/// (of their own unit); 403 to others.
#[utoipa::path(
    tag = "cases",
    operation_id = "list_case_notices",
    description = "Try it as `halong.supervisor`.",
    params(Before),
    responses(
        (status = 200, description = "The notices, newest first", body = Vec<CaseNotice>),
        (status = 403, description = "Not a case supervisor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/support-case-notices")]
pub async fn list_case_notices(
    state: web::Data<AppState>,
    caller: Caller,
    page: crate::http::Query<Before>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let unit = match queries::case_role(&mut conn, caller.id).await? {
        Some((role, unit)) if role == "case_supervisor" && caller.kind == PrincipalKind::User => unit,
        _ => {
            return Err(ApiError::Forbidden(Text::new(
                "For case supervisors",
                "Dành cho người giám sát vụ việc",
            )))
        }
    };
    let limit = page.limit();
    let mut rows = queries::notices(&mut conn, unit, page.before, limit).await?;
    rows.truncate(limit as usize);
    let notices: Vec<CaseNotice> = rows
        .into_iter()
        .map(|n| CaseNotice {
            id: n.id,
            kind: n.kind,
            case_id: n.case_id,
            subject_user_id: n.subject_user_id,
            subject_name: n.subject_name,
            detail: n.detail,
            actor_id: n.actor_id,
            actor_name: n.actor_name,
            reason: n.reason,
            at: n.at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(notices))
}

/// The codes cases use: the acts of Law 13/2022 Art. 3(1) with the form each counts under, and
/// the kinds of support (`basic` ones count toward the Strategy's indicator). Each with its
/// legal basis and whether a person has checked it against the official text.
#[utoipa::path(
    tag = "cases",
    operation_id = "case_codes",
    responses((status = 200, description = "The codes", body = CaseCodes)),
    security(("bearer" = [])),
)]
#[get("/case-codes")]
pub async fn case_codes(state: web::Data<AppState>, _caller: Caller) -> ApiResult<web::Json<CaseCodes>> {
    let mut conn = state.pool.get().await?;
    Ok(web::Json(queries::codes(&mut conn).await?))
}

/// Vietnam time (UTC+7, no daylight saving): how the clocks are shown.
fn vn(t: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::FixedOffset> {
    t.with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7"))
}

fn measure_api(m: super::model::MeasureRow, case_code: String) -> Measure {
    let now = chrono::Utc::now();
    Measure {
        overdue: m.status == "requested" && m.decide_by.is_some_and(|d| d < now),
        decided_late: matches!((m.decided_at, m.decide_by), (Some(a), Some(b)) if a > b),
        in_force: m.status == "granted" && m.starts_at.is_some_and(|s| s <= now) && m.ends_at.is_none_or(|e| now < e),
        id: m.id,
        case_id: m.case_id,
        case_code,
        kind: m.kind,
        authority: m.authority,
        rule_code: m.rule_code,
        requested_at: vn(m.requested_at),
        requested_by: m.requested_by,
        victim_consent: m.victim_consent,
        status: m.status,
        decide_by: m.decide_by.map(vn),
        decided_at: m.decided_at.map(vn),
        starts_at: m.starts_at.map(vn),
        ends_at: m.ends_at.map(vn),
        max_ends_at: m.max_ends_at.map(vn),
        reason: m.reason,
    }
}

/// The latest end a rule allows for a measure decided at `at`: hours from the timestamp
/// (3 days = 72 hours), or calendar months in Vietnam time (a court's 4 months).
fn latest_end(
    rule: &super::model::MeasureRuleRow,
    at: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    if let Some(h) = rule.max_hours {
        return Some(at + chrono::Duration::hours(h.into()));
    }
    let months = rule.max_months?;
    let local = vn(at);
    local
        .checked_add_months(chrono::Months::new(months as u32))
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// The case's protective measures with their clocks (a logged read of the case).
#[utoipa::path(
    tag = "cases",
    operation_id = "list_case_measures",
    description = "Try it as `halong.supervisor`.",
    params(("id" = Uuid, Path, description = "Case id")),
    responses(
        (status = 200, description = "The measures, oldest request first", body = Vec<Measure>),
        (status = 404, description = "No such case, or not the caller's", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/support-cases/{id}/measures")]
pub async fn list_case_measures(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    no_partner_or_client(&caller)?;
    let mut conn = state.pool.get().await?;
    let case = queries::read(&mut conn, &caller, *id, "measures")
        .await?
        .ok_or(ApiError::NotFound)?;
    let code = case.case.code.clone();
    let measures: Vec<Measure> = queries::measures_of(&mut conn, case.case.id)
        .await?
        .into_iter()
        .map(|m| measure_api(m, code.clone()))
        .collect();
    Ok(HttpResponse::Ok().json(measures))
}

/// Record a request for a protective measure (the case's workers and supervisor). Its clocks
/// come from the dated rule in force on the request's date: a commune chairman's ban on contact
/// is due within 12 hours of the request and lasts at most 72 hours from the decision; a court's
/// at most 4 months. A ban an agency asks for needs the victim's consent (422 otherwise). Send
/// an `id` to make a retry safe.
#[utoipa::path(
    tag = "cases",
    operation_id = "request_case_measure",
    description = "Try it as `halong.supervisor`.",
    params(("id" = Uuid, Path, description = "Case id")),
    request_body = NewMeasure,
    responses(
        (status = 201, description = "Requested", body = Measure),
        (status = 403, description = "A break-the-glass reader", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The id is another case's", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No rule for that measure, authority and date; the victim's consent missing; a request in the future", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/support-cases/{id}/measures")]
pub async fn request_case_measure(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<NewMeasure>,
) -> ApiResult<HttpResponse> {
    no_partner_or_client(&caller)?;
    let body = body.into_valid()?;
    let requested_at = body.requested_at.with_timezone(&chrono::Utc);
    if requested_at > chrono::Utc::now() + chrono::Duration::minutes(5) {
        return Err(ApiError::field(
            "requested_at",
            "future",
            "not in the future",
            "không ở tương lai",
        ));
    }
    let mut conn = state.pool.get().await?;
    let current = handled(&mut conn, &caller, *id, false).await?;
    let (kind, authority) = (wire(&body.kind), wire(&body.authority));
    let on = vn(requested_at).date_naive();
    let rule = match queries::measure_rule(&mut conn, &kind, &authority, on).await? {
        Some(rule) => rule,
        None => {
            let who = queries::measure_authorities(&mut conn, &kind).await?;
            return Err(if who.iter().any(|a| a == "any" || *a == authority) {
                ApiError::field(
                    "requested_at",
                    "no_rule",
                    "no rule of this measure was in force on that date (Law 13/2022 applies from 1 July 2023)",
                    "không có quy định về biện pháp này vào ngày đó (Luật 13/2022 áp dụng từ 1/7/2023)",
                )
            } else {
                ApiError::field(
                    "authority",
                    "not_this_authority",
                    format!("this measure is decided by: {}", who.join(", ")),
                    format!("biện pháp này do {} quyết định", who.join(", ")),
                )
            });
        }
    };
    let requester = wire(&body.requested_by);
    if rule.consent_required_for.contains(&requester) && !body.victim_consent {
        return Err(ApiError::field(
            "victim_consent",
            "required",
            "a ban on contact an agency asks for needs the victim's consent (Law 13/2022)",
            "cơ quan, tổ chức đề nghị cấm tiếp xúc phải có sự đồng ý của người bị bạo lực (Luật 13/2022)",
        ));
    }
    let row = super::model::MeasureRow {
        id: body.id.unwrap_or_else(Uuid::now_v7),
        case_id: current.id,
        kind,
        authority,
        rule_code: rule.code.clone(),
        requested_at,
        requested_by: requester,
        victim_consent: body.victim_consent,
        status: "requested".into(),
        decide_by: rule
            .decide_within_hours
            .map(|h| requested_at + chrono::Duration::hours(h.into())),
        decided_at: None,
        starts_at: None,
        ends_at: None,
        max_ends_at: None,
        reason: None,
        created_by: caller.id,
        created_at: chrono::Utc::now(),
    };
    let (case_id, code, measure_id) = (current.id, current.code.clone(), row.id);
    if !seen_before(&mut conn, "support_case_measures", body.id, case_id).await? {
        add_part(&mut conn, &caller, current, "request_measure", move |conn| {
            Box::pin(async move { Ok(queries::insert_measure(conn, &row).await.map(|_| ())?) })
        })
        .await?;
    }
    let m = queries::measure(&mut conn, case_id, measure_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Created().json(measure_api(m, code)))
}

/// A step of a measure: `grant` (at `at`, default now; `ends_at` at most the law's maximum, which
/// is also the default), `refuse` (in writing: `reason`), `cancel` (a granted measure ends at
/// `at`, on request). The case's workers and supervisor record what the authority decided.
#[utoipa::path(
    tag = "cases",
    operation_id = "case_measure_step",
    description = "Try it as `halong.supervisor`.",
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("measure_id" = Uuid, Path, description = "Measure id"),
        ("step" = MeasureStepKind, Path, description = "The step"),
    ),
    request_body = MeasureStep,
    responses(
        (status = 200, description = "Done", body = Measure),
        (status = 403, description = "A break-the-glass reader", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case or measure, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the measure's status", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An end past the law's maximum, a time before the request or in the future, a refusal without its reason", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/support-cases/{id}/measures/{measure_id}/{step}")]
pub async fn case_measure_step(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid, String)>,
    body: Json<MeasureStep>,
) -> ApiResult<HttpResponse> {
    no_partner_or_client(&caller)?;
    let (id, measure_id, step) = path.into_inner();
    let step: MeasureStepKind = from_wire(&step).ok_or(ApiError::NotFound)?;
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let current = handled(&mut conn, &caller, id, false).await?;
    let m = queries::measure(&mut conn, current.id, measure_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let now = chrono::Utc::now();
    let at = body.at.map(|t| t.with_timezone(&chrono::Utc)).unwrap_or(now);
    if at > now + chrono::Duration::minutes(5) {
        return Err(ApiError::field(
            "at",
            "future",
            "not in the future",
            "không ở tương lai",
        ));
    }
    if at < m.requested_at {
        return Err(ApiError::field(
            "at",
            "before_request",
            "not before the request",
            "không trước ngày yêu cầu",
        ));
    }
    let reason = body
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    let (from, to) = match step {
        MeasureStepKind::Grant => ("requested", "granted"),
        MeasureStepKind::Refuse => ("requested", "refused"),
        MeasureStepKind::Cancel => ("granted", "cancelled"),
    };
    if m.status != from {
        return Err(ApiError::Conflict {
            detail: Text::new(
                format!("A measure that is {} cannot take this step", m.status),
                format!("Biện pháp ở trạng thái {} không thực hiện được bước này", m.status),
            ),
            allowed: None,
        });
    }
    let (mut decided_at, mut starts_at, mut ends_at, mut max_ends_at) = (None, None, m.ends_at, None);
    match step {
        MeasureStepKind::Grant => {
            let rule = queries::measure_rules(&mut conn)
                .await?
                .into_iter()
                .find(|r| r.code == m.rule_code)
                .ok_or(ApiError::NotFound)?;
            let latest = latest_end(&rule, at);
            let end = body.ends_at.map(|t| t.with_timezone(&chrono::Utc)).or(latest);
            if let (Some(end), Some(latest)) = (end, latest) {
                if end > latest {
                    return Err(ApiError::field(
                        "ends_at",
                        "past_maximum",
                        format!("the law allows this measure until {} at most", vn(latest).to_rfc3339()),
                        format!(
                            "theo luật, biện pháp này kéo dài tối đa đến {}",
                            vn(latest).to_rfc3339()
                        ),
                    ));
                }
            }
            if end.is_some_and(|e| e <= at) {
                return Err(ApiError::field(
                    "ends_at",
                    "before_start",
                    "the end comes after the decision",
                    "thời điểm kết thúc phải sau quyết định",
                ));
            }
            (decided_at, starts_at, ends_at, max_ends_at) = (Some(at), Some(at), end, latest);
        }
        MeasureStepKind::Refuse => {
            if reason.is_none() {
                return Err(ApiError::field(
                    "reason",
                    "required",
                    "a refusal is given in writing: its reason",
                    "từ chối phải bằng văn bản: hãy ghi lý do",
                ));
            }
            decided_at = Some(at);
        }
        MeasureStepKind::Cancel => {
            if m.starts_at.is_some_and(|s| at < s) {
                return Err(ApiError::field(
                    "at",
                    "before_start",
                    "not before the measure started",
                    "không trước khi biện pháp bắt đầu",
                ));
            }
            ends_at = Some(at);
        }
    }
    let (case_id, code) = (current.id, current.code.clone());
    let action = format!("measure_{}", wire(&step));
    add_part(&mut conn, &caller, current, &action, move |conn| {
        Box::pin(async move {
            let change = queries::MeasureChange {
                from,
                to,
                decided_at,
                starts_at,
                ends_at,
                max_ends_at,
                reason: reason.as_deref(),
            };
            if queries::step_measure(conn, measure_id, &change).await? {
                Ok(())
            } else {
                Err(ApiError::conflict(
                    "The measure changed meanwhile; read it again",
                    "Biện pháp vừa thay đổi; hãy tải lại",
                ))
            }
        })
    })
    .await?;
    let m = queries::measure(&mut conn, case_id, measure_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(measure_api(m, code)))
}

/// Measures on the law's clocks across the cases the caller reads: `overdue=true` lists
/// requests past their decision time, `expiring_within_hours=24` granted measures that end
/// within a day; soonest clock first, at most `limit` (100; 500 at most). Each case listed is a
/// logged read.
#[utoipa::path(
    tag = "cases",
    operation_id = "list_support_measures",
    description = "Try it as `halong.supervisor`.",
    params(MeasureFilters),
    responses(
        (status = 200, description = "The measures, soonest clock first", body = Vec<Measure>),
        (status = 422, description = "Invalid filter", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/support-measures")]
pub async fn list_support_measures(
    state: web::Data<AppState>,
    caller: Caller,
    filters: crate::http::Query<MeasureFilters>,
) -> ApiResult<HttpResponse> {
    if let Some(h) = filters.expiring_within_hours {
        if !(1..=8760).contains(&h) {
            return Err(ApiError::field(
                "expiring_within_hours",
                "range",
                "1 to 8760 hours",
                "từ 1 đến 8760 giờ",
            ));
        }
    }
    if caller.kind != PrincipalKind::User {
        return Ok(HttpResponse::Ok().json(Vec::<Measure>::new()));
    }
    let limit = filters.limit.unwrap_or(100).clamp(1, 500);
    let mut conn = state.pool.get().await?;
    let rows = queries::measures_due(&mut conn, &caller, &filters, limit).await?;
    let out: Vec<Measure> = rows.into_iter().map(|r| measure_api(r.measure, r.case_code)).collect();
    Ok(HttpResponse::Ok().json(out))
}

/// The dated rules of protective measures: who decides, within how many hours of the request,
/// for how long at most, whose request needs the victim's consent, with the legal basis.
#[utoipa::path(
    tag = "cases",
    operation_id = "list_measure_rules",
    responses((status = 200, description = "The rules", body = Vec<MeasureRule>)),
    security(("bearer" = [])),
)]
#[get("/measure-rules")]
pub async fn list_measure_rules(state: web::Data<AppState>, _caller: Caller) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let rules: Vec<MeasureRule> = queries::measure_rules(&mut conn)
        .await?
        .into_iter()
        .map(|r| MeasureRule {
            code: r.code,
            measure: r.measure,
            authority: r.authority,
            decide_within_hours: r.decide_within_hours,
            max_hours: r.max_hours,
            max_months: r.max_months,
            consent_required_for: r.consent_required_for,
            effective_from: r.effective_from,
            effective_to: r.effective_to,
            legal_basis: r.legal_basis,
            verified: r.verified,
        })
        .collect();
    Ok(HttpResponse::Ok().json(rules))
}

/// A referral as its referring side (`receiver: false`) or its receiving side sees it.
fn referral_api(r: super::model::ReferralRow, case: &CaseRow, receiver: bool) -> Referral {
    let mut shared = serde_json::Map::new();
    for field in &r.shares {
        let v = match field.as_str() {
            "survivor_sex" => serde_json::json!(case.survivor_sex),
            "survivor_age_band" => serde_json::json!(case.survivor_age_band),
            "priority_groups" => serde_json::json!(case.priority_groups),
            "relationship" => serde_json::json!(case.relationship),
            "forms" => serde_json::json!(case.forms),
            "acts" => serde_json::json!(case.acts),
            "incident_on" => serde_json::json!(case.incident_on),
            _ => continue,
        };
        shared.insert(field.clone(), v);
    }
    Referral {
        id: r.id,
        case_code: case.code.clone(),
        case_id: (!receiver).then_some(r.case_id),
        from_unit_id: r.from_unit_id,
        to_service_id: r.to_service_id,
        to_unit_id: r.to_unit_id,
        status: r.status,
        services_requested: r.services_requested,
        shares: r.shares,
        shared: serde_json::Value::Object(shared),
        note: r.note,
        override_reason: if receiver { None } else { r.override_reason },
        reason: r.reason,
        created_at: r.created_at,
        responded_at: r.responded_at,
    }
}

/// The case's referrals, as the referring side sees them (a logged read of the case).
#[utoipa::path(
    tag = "cases",
    operation_id = "list_case_referrals",
    description = "Try it as `halong.supervisor`.",
    params(("id" = Uuid, Path, description = "Case id")),
    responses(
        (status = 200, description = "The referrals, oldest first", body = Vec<Referral>),
        (status = 404, description = "No such case, or not the caller's", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/support-cases/{id}/referrals")]
pub async fn list_case_referrals(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    no_partner_or_client(&caller)?;
    let mut conn = state.pool.get().await?;
    let case = queries::read(&mut conn, &caller, *id, "referral")
        .await?
        .ok_or(ApiError::NotFound)?;
    let out: Vec<Referral> = queries::referrals_of(&mut conn, case.case.id)
        .await?
        .into_iter()
        .map(|r| referral_api(r, &case.case, false))
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Refer the case to a service of the directory or to another unit: refused (422, saying why)
/// unless the survivor's consent to sharing with that service or unit is recorded, or a case
/// supervisor overrides with a reason (audited and shown to the unit's supervisors). The
/// receiving side (the receiving unit's case supervisors) sees the case's code, what is asked
/// and what `shares` names, nothing else. Send an `id` to make a retry safe.
#[utoipa::path(
    tag = "cases",
    operation_id = "refer_case",
    description = "Try it as `halong.supervisor`.",
    params(("id" = Uuid, Path, description = "Case id")),
    request_body = NewReferral,
    responses(
        (status = 201, description = "Referred (pending)", body = Referral),
        (status = 403, description = "An override by a case worker, or a break-the-glass reader", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The id is another case's", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No consent to this sharing, no target or two, an unknown or inactive service or unit, the case's own unit", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/support-cases/{id}/referrals")]
pub async fn refer_case(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Json<NewReferral>,
) -> ApiResult<HttpResponse> {
    no_partner_or_client(&caller)?;
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let current = handled(&mut conn, &caller, *id, false).await?;
    let to_unit = match (body.to_service_id, body.to_unit_id) {
        (Some(service), None) => queries::service_unit(&mut conn, service).await?.ok_or_else(|| {
            ApiError::field(
                "to_service_id",
                "unknown",
                "no such active service",
                "không có dịch vụ đang hoạt động này",
            )
        })?,
        (None, Some(unit)) => {
            if !queries::unit_exists(&mut conn, unit).await? {
                return Err(ApiError::field(
                    "to_unit_id",
                    "unknown",
                    "no such unit",
                    "không có đơn vị này",
                ));
            }
            if unit == current.unit_id {
                return Err(ApiError::field(
                    "to_unit_id",
                    "own_unit",
                    "a referral goes to another unit (assign a case worker instead)",
                    "chuyển gửi là tới đơn vị khác (hãy phân công cán bộ)",
                ));
            }
            unit
        }
        _ => {
            return Err(ApiError::field(
                "to_service_id",
                "one_target",
                "name one to_service_id or one to_unit_id",
                "hãy nêu đúng một to_service_id hoặc một to_unit_id",
            ))
        }
    };
    let consent = queries::sharing_consent(&mut conn, current.id, body.to_service_id, body.to_unit_id).await?;
    let override_reason = body.override_reason.as_deref().map(str::trim).map(str::to_string);
    if consent.is_none() {
        match &override_reason {
            None => {
                return Err(ApiError::field(
                    "consent",
                    "missing",
                    "the survivor has not consented to sharing with this service or unit: record the consent first (POST …/consents, kind sharing), or a case supervisor overrides with override_reason",
                    "người bị bạo lực chưa đồng ý chia sẻ với dịch vụ hoặc đơn vị này: hãy ghi nhận sự đồng ý trước, hoặc người giám sát vụ việc quyết định với override_reason",
                ))
            }
            Some(_) if queries::access(&mut conn, current.id, caller.id).await?.as_deref() != Some("case_supervisor") => {
                return Err(ApiError::Forbidden(Text::new(
                    "Only a case supervisor may refer without the survivor's consent",
                    "Chỉ người giám sát vụ việc được chuyển gửi khi chưa có sự đồng ý",
                )))
            }
            Some(r) if r.chars().count() < 10 => {
                return Err(ApiError::field("override_reason", "length", "10 characters or more", "từ 10 ký tự"))
            }
            Some(_) => {}
        }
    }
    let mut shares: Vec<String> = body.shares.iter().map(wire).collect();
    shares.sort();
    shares.dedup();
    let row = super::model::ReferralRow {
        id: body.id.unwrap_or_else(Uuid::now_v7),
        case_id: current.id,
        from_unit_id: current.unit_id,
        to_service_id: body.to_service_id,
        to_unit_id: to_unit,
        services_requested: body.services_requested.iter().map(wire).collect(),
        shares,
        note: body.note.as_deref().map(str::trim).map(str::to_string),
        consent_id: consent,
        override_reason: if consent.is_none() { override_reason } else { None },
        status: "pending".into(),
        reason: None,
        created_by: caller.id,
        created_at: chrono::Utc::now(),
        responded_by: None,
        responded_at: None,
        version: 1,
    };
    let (case_id, unit, referral_id) = (current.id, current.unit_id, row.id);
    if !seen_before(&mut conn, "support_case_referrals", body.id, case_id).await? {
        let who = caller.clone();
        let action = if row.override_reason.is_some() {
            "refer_without_consent"
        } else {
            "refer"
        };
        add_part(&mut conn, &caller, current, action, move |conn| {
            Box::pin(async move {
                queries::insert_referral(conn, &row).await?;
                if let Some(reason) = &row.override_reason {
                    queries::notify(
                        conn,
                        queries::Notice {
                            unit_id: unit,
                            kind: "consent_override",
                            case_id: Some(case_id),
                            subject: (who.id, &who.name),
                            actor: &who,
                            reason: Some(reason),
                        },
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .await?;
    }
    let r = queries::referral(&mut conn, referral_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let case = queries::find(&mut conn, case_id).await?.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Created().json(referral_api(r, &case, false)))
}

/// Revoke a referral that is pending or accepted (the case's workers and supervisor), with a
/// `reason`.
#[utoipa::path(
    tag = "cases",
    operation_id = "revoke_referral",
    description = "Try it as `halong.supervisor`.",
    params(
        ("id" = Uuid, Path, description = "Case id"),
        ("referral_id" = Uuid, Path, description = "Referral id"),
    ),
    request_body = ReferralStepBody,
    responses(
        (status = 200, description = "Revoked", body = Referral),
        (status = 403, description = "A break-the-glass reader", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case or referral, or not the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Rejected, done or revoked already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/support-cases/{id}/referrals/{referral_id}/revoke")]
pub async fn revoke_referral(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ReferralStepBody>,
) -> ApiResult<HttpResponse> {
    no_partner_or_client(&caller)?;
    let (id, referral_id) = path.into_inner();
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let current = handled(&mut conn, &caller, id, false).await?;
    let r = queries::referral(&mut conn, referral_id)
        .await?
        .filter(|r| r.case_id == current.id)
        .ok_or(ApiError::NotFound)?;
    let reason = body
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    let Some(reason) = reason else {
        return Err(ApiError::field("reason", "required", "say why", "hãy nêu lý do"));
    };
    step_referral(
        &mut conn,
        &caller,
        current,
        r.id,
        (&["pending", "accepted"], "revoked"),
        Some(reason),
    )
    .await?;
    let r = queries::referral(&mut conn, referral_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let case = queries::find(&mut conn, id).await?.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(referral_api(r, &case, false)))
}

/// A referral's step on the write path: its status and the case's audit entry (ids only).
async fn step_referral(
    conn: &mut Conn,
    caller: &Caller,
    case: CaseRow,
    referral: Uuid,
    (from, to): (&'static [&'static str], &'static str),
    reason: Option<String>,
) -> ApiResult<()> {
    let by = caller.id;
    add_part(conn, caller, case, &format!("referral_{to}"), move |conn| {
        Box::pin(async move {
            if queries::step_referral(conn, referral, from, to, by, reason.as_deref()).await? {
                Ok(())
            } else {
                Err(ApiError::conflict(
                    format!("The referral cannot become {to} from its status"),
                    format!("Không thể chuyển yêu cầu sang {to} từ trạng thái hiện tại"),
                ))
            }
        })
    })
    .await
}

/// The receiving side of a referral: a case supervisor of the receiving unit.
async fn receiving_unit(conn: &mut Conn, caller: &Caller) -> ApiResult<Uuid> {
    match queries::case_role(conn, caller.id).await? {
        Some((role, unit)) if role == "case_supervisor" && caller.kind == PrincipalKind::User => Ok(unit),
        _ => Err(ApiError::Forbidden(Text::new(
            "Referrals are received by case supervisors",
            "Yêu cầu chuyển gửi do người giám sát vụ việc tiếp nhận",
        ))),
    }
}

/// The referrals the caller's unit received (its case supervisors), newest first, each showing
/// only what it shares; each read is logged on its case.
#[utoipa::path(
    tag = "cases",
    operation_id = "list_referrals",
    description = "Try it as `city.supervisor`.",
    params(Before),
    responses(
        (status = 200, description = "The referrals received, newest first", body = Vec<Referral>),
        (status = 403, description = "Not a case supervisor", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/referrals")]
pub async fn list_referrals(
    state: web::Data<AppState>,
    caller: Caller,
    page: crate::http::Query<Before>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let unit = receiving_unit(&mut conn, &caller).await?;
    let rows = queries::incoming(&mut conn, &caller, unit, page.limit()).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.case_id).collect();
    let cases = queries::cases_by_ids(&mut conn, &ids).await?;
    let out: Vec<Referral> = rows
        .into_iter()
        .filter_map(|r| {
            let case = cases.iter().find(|c| c.id == r.case_id)?;
            Some(referral_api(r, case, true))
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// The receiving side answers a referral: `accept` or `reject` (with a `reason`) a pending one,
/// `done` an accepted one. 404 to anyone but the receiving unit's case supervisors.
#[utoipa::path(
    tag = "cases",
    operation_id = "referral_step",
    description = "Try it as `city.supervisor`.",
    params(
        ("referral_id" = Uuid, Path, description = "Referral id"),
        ("step" = ReferralStep, Path, description = "The step"),
    ),
    request_body = ReferralStepBody,
    responses(
        (status = 200, description = "Done", body = Referral),
        (status = 404, description = "No such referral, or not received by the caller's unit", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the referral's status", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A rejection without its reason", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/referrals/{referral_id}/{step}")]
pub async fn referral_step(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, String)>,
    body: Json<ReferralStepBody>,
) -> ApiResult<HttpResponse> {
    let (referral_id, step) = path.into_inner();
    let step: ReferralStep = from_wire(&step).ok_or(ApiError::NotFound)?;
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let unit = match receiving_unit(&mut conn, &caller).await {
        Ok(unit) => unit,
        Err(_) => return Err(ApiError::NotFound),
    };
    let r = queries::referral(&mut conn, referral_id)
        .await?
        .filter(|r| r.to_unit_id == unit)
        .ok_or(ApiError::NotFound)?;
    let reason = body
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    let (from, to): (&'static [&'static str], &'static str) = match step {
        ReferralStep::Accept => (&["pending"], "accepted"),
        ReferralStep::Reject => (&["pending"], "rejected"),
        ReferralStep::Done => (&["accepted"], "done"),
    };
    if step == ReferralStep::Reject && reason.is_none() {
        return Err(ApiError::field(
            "reason",
            "required",
            "say why the referral is rejected",
            "hãy nêu lý do từ chối",
        ));
    }
    if !from.contains(&r.status.as_str()) {
        return Err(ApiError::conflict(
            format!("A referral that is {} cannot take this step", r.status),
            format!("Yêu cầu ở trạng thái {} không thực hiện được bước này", r.status),
        ));
    }
    let case = queries::find(&mut conn, r.case_id).await?.ok_or(ApiError::NotFound)?;
    step_referral(&mut conn, &caller, case, r.id, (from, to), reason).await?;
    queries::log_referral_read(&mut conn, &caller, r.case_id).await?;
    let r = queries::referral(&mut conn, referral_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let case = queries::find(&mut conn, r.case_id).await?.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(referral_api(r, &case, true)))
}
