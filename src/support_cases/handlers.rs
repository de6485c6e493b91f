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
use crate::http::JsonBody;
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

/// The unit whose cases the caller supervises; 403 with `why` for anyone else.
async fn supervisor_of(conn: &mut Conn, caller: &Caller, why: Text) -> ApiResult<Uuid> {
    if caller.kind != PrincipalKind::User {
        return Err(ApiError::Forbidden(why));
    }
    queries::supervised_unit(conn, caller.id)
        .await?
        .ok_or(ApiError::Forbidden(why))
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
#[get("")]
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
#[get("/{id}")]
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
#[post("")]
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
#[patch("/{id}")]
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
#[post("/{id}/{action}")]
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
#[post("/{id}/consents")]
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
#[post("/{id}/services")]
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
#[post("/{id}/assignments")]
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
#[delete("/{id}/assignments/{user_id}")]
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
#[post("/{id}/break-glass")]
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
    Ok(HttpResponse::Created().json_body(&grant))
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
#[get("/{id}/identity")]
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
#[put("/{id}/identity")]
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
#[get("/{id}/access-log")]
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
    Ok(res.json_body(&entries))
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
#[get("")]
pub async fn list_case_notices(
    state: web::Data<AppState>,
    caller: Caller,
    page: crate::http::Query<Before>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let unit = supervisor_of(
        &mut conn,
        &caller,
        Text::new("For case supervisors", "Dành cho người giám sát vụ việc"),
    )
    .await?;
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
    Ok(HttpResponse::Ok().json_body(&notices))
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
#[get("")]
pub async fn case_codes(state: web::Data<AppState>, _caller: Caller) -> ApiResult<web::Json<CaseCodes>> {
    let mut conn = state.pool.get().await?;
    Ok(web::Json(queries::codes(&mut conn).await?))
}

mod measures;
mod referrals;
pub use measures::*;
pub use referrals::*;
