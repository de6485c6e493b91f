//! `/api/v1/petitions`, `/api/v1/deadline-rules`, `/api/v1/holidays`.

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::api::{
    allowed, ActionRequest, Complexity, Holiday, HolidayQuery, NewPetition, Petition, PetitionAction, PetitionFilters,
    PetitionPatch, PetitionStatus, EXPORT_COLUMNS,
};
use super::deadlines::{self, Case, DeadlineRule, Deadlines};
use super::model::{PetitionChanges, PetitionRow};
use super::queries::{self, visible};
use crate::auth::Caller;
use crate::calendar::today;
use crate::db::Conn;
use crate::error::{ApiError, ApiResult, Problem, Text};
use crate::http::export::{self, Binary, ExportQuery, Format, ListArgs, SortQuery};
use crate::http::idempotency::{self, IdempotencyKey};
use crate::http::list::{Cursor, Page, PageQuery, Sort, SubtreeFilter};
use crate::http::{etag_response, IfMatch, Json, ValidJson};
use crate::state::AppState;
use crate::write;

fn case_of(r: &PetitionRow) -> Case {
    Case {
        kind: if r.kind == "denunciation" {
            "denunciation"
        } else {
            "complaint"
        },
        received_on: r.received_on,
        accepted_on: r.accepted_on,
        instance: r.instance,
        complexity: Complexity::parse(&r.complexity).as_str(),
        remote: r.remote,
        verification_elsewhere: r.verification_elsewhere,
        extension_count: r.extension_count,
    }
}

/// The deadline running in a status: acceptance while received, resolution while accepted or
/// being verified, none once closed.
fn running(status: PetitionStatus, d: &Deadlines) -> Option<NaiveDate> {
    match status {
        PetitionStatus::Received => Some(d.acceptance_due_on),
        PetitionStatus::Accepted | PetitionStatus::Verifying => d.resolution_due_on,
        _ => None,
    }
}

/// Denunciations have no second instance; complaints are not extended.
fn check_kind_rules(kind: &str, instance: i16, extension_count: i16) -> ApiResult<()> {
    if kind == "denunciation" && instance != 1 {
        return Err(ApiError::field(
            "instance",
            "not_applicable",
            "denunciations have no second instance",
            "tố cáo không có giải quyết lần hai",
        ));
    }
    if kind == "complaint" && extension_count != 0 {
        return Err(ApiError::field(
            "extension_count",
            "not_applicable",
            "only a denunciation's resolution deadline is extended",
            "chỉ gia hạn thời hạn giải quyết tố cáo",
        ));
    }
    Ok(())
}

/// The API view of a petition for this caller: with the petitioner only for those who may know.
async fn view(conn: &mut Conn, caller: &Caller, row: PetitionRow) -> ApiResult<Petition> {
    let reads = caller.reads_identities_of(row.handling_unit_id);
    let id = row.id;
    let mut out = Petition::from(row);
    if reads {
        out.petitioner = queries::party(conn, id).await?;
    }
    Ok(out)
}

/// The list's filters, sort and scope, answered as one JSON page or exported whole.
async fn respond_list(
    state: web::Data<AppState>,
    caller: Caller,
    filters: PetitionFilters,
    page: PageQuery,
    format: Format,
) -> ApiResult<HttpResponse> {
    caller.require_not_partner()?;
    if filters.due_within_days.is_some_and(|n| !(0..=366).contains(&n)) {
        return Err(ApiError::field(
            "due_within_days",
            "range",
            "must be between 0 and 366",
            "phải từ 0 đến 366",
        ));
    }
    crate::http::list::check_period(filters.from, filters.to)?;
    let sort = Sort::parse(page.sort.as_deref(), queries::SORTS)?;
    let cursor = page.cursor.as_deref().map(|c| Cursor::decode(c, &sort)).transpose()?;
    let subtree = SubtreeFilter::resolve(&state.pool, filters.handling_unit_id, filters.include_descendants).await?;
    let args = ListArgs {
        scopes: caller.scopes,
        filters,
        subtree,
        sort,
    };
    export::respond_list(
        format,
        "petitions",
        &EXPORT_COLUMNS,
        state.reads.clone(),
        args,
        (cursor, page.limit()),
        |conn, a, cursor, limit| Box::pin(queries::list(conn, a, cursor, limit)),
        Some(|conn, a, cursor, limit| Box::pin(queries::list_written(conn, a, cursor, limit))),
    )
    .await
}

crate::list_and_export! {
    tag: "petitions", filters: PetitionFilters, item: Petition, respond: respond_list,
    problems: [
        (403, "Partners see none of this"),
        (422, "Invalid sort, cursor or due_within_days"),
    ],
    list: {
        /// Complaints and denunciations in the caller's scope, with their deadlines.
        ///
        /// `overdue=true` lists what is past its running deadline; `due_within_days=7` what falls due
        /// within a week. Sort: `received_on` (default), `updated_at`. `GET /api/v1/petitions/export`
        /// gives the whole list as a file (never with petitioners' identities).
        fn list_petitions = "list_petitions" at ""
    },
    export: {
        /// Petitions as a file (never with a petitioner's identity).
        fn export_petitions = "export_petitions" at "/export", file "attachment; filename=\"petitions.csv\" (or .xlsx)"
    },
}

/// One petition; the handling unit's inspectors and admins also see who filed it.
#[utoipa::path(
    tag = "petitions",
    operation_id = "get_petition",
    params(("id" = Uuid, Path, description = "Petition id")),
    responses(
        (status = 200, description = "The petition", body = Petition, headers(("ETag" = String, description = "The petition's version"))),
        (status = 403, description = "Partners see none of this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such petition in the caller's scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("/{id}")]
pub async fn get_petition(state: web::Data<AppState>, caller: Caller, id: web::Path<Uuid>) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = visible(&mut conn, &caller, *id).await?;
    let version = row.version;
    Ok(etag_response(
        StatusCode::OK,
        version,
        &view(&mut conn, &caller, row).await?,
    ))
}

/// Register a complaint or denunciation (the handling unit's inspectors and managers, or an
/// admin above). The acceptance deadline is computed from the law.
#[utoipa::path(
    tag = "petitions",
    operation_id = "create_petition",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body replay the first response")),
    request_body = NewPetition,
    responses(
        (status = 201, description = "Registered (the response omits the petitioner)", body = Petition, headers(("ETag" = String, description = "The petition's version"))),
        (status = 403, description = "Not an inspector or manager of the handling unit", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The id belongs to another record", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, a receipt date in the future, or no deadline rule in force", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("")]
pub async fn create_petition(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    key: IdempotencyKey,
    body: Json<NewPetition>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let hash = idempotency::fingerprint(&req, &body);
    let mut conn = state.pool.get().await?;
    let unit = crate::units::queries::in_scope(&mut conn, &caller, body.handling_unit_id, "handling_unit_id").await?;
    caller.require_case_handler_of(unit.id, &unit.path)?;
    if body.received_on > today() || chrono::Datelike::year(&body.received_on) < 2000 {
        return Err(ApiError::field(
            "received_on",
            "out_of_range",
            "must not be in the future or before 2000",
            "không được ở tương lai hoặc trước năm 2000",
        ));
    }
    let instance = body.instance.unwrap_or(1);
    check_kind_rules(body.kind.as_str(), instance, 0)?;
    let complexity = Complexity::from_request(body.complexity, body.complex)?.unwrap_or_default();
    let case = Case {
        kind: body.kind.as_str(),
        received_on: body.received_on,
        accepted_on: None,
        instance,
        complexity: complexity.as_str(),
        remote: body.remote,
        verification_elsewhere: body.verification_elsewhere,
        extension_count: 0,
    };
    let due = deadlines::for_case(&mut conn, &case).await?;
    let now = chrono::Utc::now();
    let row = PetitionRow {
        id: body.id.unwrap_or_else(Uuid::now_v7),
        kind: body.kind.as_str().into(),
        handling_unit_id: unit.id,
        unit_path: unit.path.clone(),
        received_on: body.received_on,
        channel: body.channel.as_str().into(),
        subject: body.subject.trim().into(),
        summary: body.summary.clone(),
        instance,
        complex: complexity != Complexity::Normal,
        complexity: complexity.as_str().into(),
        remote: body.remote,
        verification_elsewhere: body.verification_elsewhere,
        extension_count: 0,
        status: PetitionStatus::Received.as_str().into(),
        accepted_on: None,
        decision: None,
        decided_on: None,
        acceptance_due_on: due.acceptance_due_on,
        resolution_due_on: None,
        due_on: Some(due.acceptance_due_on),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let petitioner = body.petitioner;
    let party = write::then(move |conn, p: &PetitionRow| {
        Box::pin(async move {
            if let Some(party) = &petitioner {
                queries::add_party(conn, p.id, party).await?;
            }
            Ok(())
        })
    });
    write::create(&mut conn, &caller, &key, &hash, row, party).await
}

/// Correct a petition's facts (needs `If-Match`); its deadlines are computed again.
#[utoipa::path(
    tag = "petitions",
    operation_id = "update_petition",
    params(
        ("id" = Uuid, Path, description = "Petition id"),
        ("If-Match" = String, Header, description = "The ETag from the last read, e.g. \"3\""),
    ),
    request_body = PetitionPatch,
    responses(
        (status = 200, description = "Updated", body = Petition, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not an inspector or manager of the handling unit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such petition in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The petition is closed", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (an extension of a complaint, a second instance of a denunciation)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[patch("/{id}")]
pub async fn update_petition(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<PetitionPatch>,
) -> ApiResult<HttpResponse> {
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let current = visible(&mut conn, &caller, *id).await?;
    caller.require_case_handler_of(current.handling_unit_id, &current.unit_path)?;
    write::require_fresh(&current, &if_match)?;
    let status = PetitionStatus::parse(&current.status).unwrap_or(PetitionStatus::Received);
    if !status.is_open() {
        return Err(ApiError::conflict(
            format!("The petition is {}; it can no longer change", status.as_str()),
            format!("Đơn đã ở trạng thái {}; không thể sửa", status.as_str()),
        ));
    }
    let mut case = case_of(&current);
    case.instance = body.instance.unwrap_or(case.instance);
    let complexity = Complexity::from_request(body.complexity, body.complex)?;
    if let Some(c) = complexity {
        case.complexity = c.as_str();
    }
    case.remote = body.remote.unwrap_or(case.remote);
    case.verification_elsewhere = body.verification_elsewhere.unwrap_or(case.verification_elsewhere);
    case.extension_count = body.extension_count.unwrap_or(case.extension_count);
    check_kind_rules(case.kind, case.instance, case.extension_count)?;
    let due = deadlines::for_case(&mut conn, &case).await?;
    let changes = PetitionChanges {
        subject: body.subject.map(|s| s.trim().to_string()),
        summary: body.summary,
        channel: body.channel.map(|c| c.as_str().to_string()),
        instance: body.instance,
        complex: complexity.map(|c| c != Complexity::Normal),
        complexity: complexity.map(|c| c.as_str().to_string()),
        remote: body.remote,
        verification_elsewhere: body.verification_elsewhere,
        extension_count: body.extension_count,
        acceptance_due_on: Some(due.acceptance_due_on),
        resolution_due_on: Some(due.resolution_due_on),
        due_on: Some(running(status, &due)),
        ..Default::default()
    };
    let id = current.id;
    let apply = change(&current, changes);
    write::update(&mut conn, &caller, current, &if_match, "update", apply).await?;
    respond(&mut conn, &caller, id).await
}

/// The change at the version read; a workflow action writes it without `If-Match`.
fn change(current: &PetitionRow, changes: PetitionChanges) -> write::Apply<PetitionRow> {
    let (id, version) = (current.id, current.version);
    write::apply(move |conn| Box::pin(async move { Ok(queries::update(conn, id, version, &changes).await?) }))
}

/// The petition as the caller may see it, after a change.
async fn respond(conn: &mut Conn, caller: &Caller, id: Uuid) -> ApiResult<HttpResponse> {
    let row = queries::find(conn, id).await?.ok_or(ApiError::NotFound)?;
    let out = view(conn, caller, row).await?;
    Ok(etag_response(StatusCode::OK, out.version, &out))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PetitionActionPath {
    /// Petition id.
    pub id: Uuid,
    pub action: PetitionAction,
}

/// Move a petition: `accept` (thụ lý; starts the resolution deadline), `reject` or `forward`
/// (with `decision`), `verify`, `resolve` (with `decision`), `withdraw`.
///
/// `on` is the day it happened (default today): not before receipt (or acceptance), not in the
/// future. An action not legal in the status is 409 with `allowed`.
#[utoipa::path(
    tag = "petitions",
    operation_id = "petition_action",
    params(PetitionActionPath),
    request_body(content = ActionRequest, description = "The day and, where needed, the decision"),
    responses(
        (status = 200, description = "The petition in its new status", body = Petition, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not an inspector or manager of the handling unit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such petition in the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not legal in the petition's status; `allowed` lists the legal actions", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A missing decision or a day out of range", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("/{id}/{action}")]
pub async fn petition_action(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<PetitionActionPath>,
    body: Option<Json<ActionRequest>>,
) -> ApiResult<HttpResponse> {
    let body = match body {
        Some(b) => b.into_valid()?,
        None => ActionRequest::default(),
    };
    let mut conn = state.pool.get().await?;
    let current = visible(&mut conn, &caller, path.id).await?;
    caller.require_case_handler_of(current.handling_unit_id, &current.unit_path)?;
    let from = PetitionStatus::parse(&current.status).unwrap_or(PetitionStatus::Received);
    let (froms, to) = path.action.moves();
    if !froms.contains(&from) {
        return Err(ApiError::Conflict {
            detail: Text::new(
                format!("A {} petition cannot take '{}'", from.as_str(), path.action.as_str()),
                format!(
                    "Không thể thực hiện '{}' với đơn ở trạng thái {}",
                    path.action.as_str(),
                    from.as_str()
                ),
            ),
            allowed: Some(allowed(from).into_iter().map(String::from).collect()),
        });
    }
    if path.action.needs_decision() && body.decision.is_none() {
        return Err(ApiError::field(
            "decision",
            "required",
            "is required for this action",
            "là bắt buộc với thao tác này",
        ));
    }
    let on = body.on.unwrap_or_else(today);
    let earliest = current.accepted_on.unwrap_or(current.received_on);
    if on < earliest || on > today() {
        return Err(ApiError::field(
            "on",
            "out_of_range",
            format!("must be between {earliest} and today"),
            format!("phải trong khoảng {earliest} đến hôm nay"),
        ));
    }
    let mut changes = PetitionChanges {
        status: Some(to.as_str().into()),
        ..Default::default()
    };
    match path.action {
        PetitionAction::Accept => {
            let mut case = case_of(&current);
            case.accepted_on = Some(on);
            let due = deadlines::for_case(&mut conn, &case).await?;
            changes.accepted_on = Some(Some(on));
            changes.resolution_due_on = Some(due.resolution_due_on);
            changes.due_on = Some(running(to, &due));
        }
        PetitionAction::Verify => {}
        _ => {
            changes.decided_on = Some(Some(on));
            changes.decision = body.decision.clone().map(Some);
            changes.due_on = Some(None);
        }
    }
    let id = current.id;
    let apply = change(&current, changes);
    write::update(&mut conn, &caller, current, &IfMatch::ANY, path.action.as_str(), apply).await?;
    respond(&mut conn, &caller, id).await
}

/// The deadline rules in force and past: days, calendar or working days, legal basis, and
/// whether each is verified against the law's text.
#[utoipa::path(
    tag = "petitions",
    operation_id = "list_deadline_rules",
    responses((status = 200, description = "Every rule", body = Vec<DeadlineRule>)),
    security(("bearer" = [])),
)]
#[get("")]
pub async fn list_deadline_rules(
    state: web::Data<AppState>,
    _caller: Caller,
) -> ApiResult<web::Json<Vec<DeadlineRule>>> {
    let mut conn = state.pool.get().await?;
    Ok(web::Json(deadlines::rules(&mut conn).await?))
}

/// Vietnam's public holidays as the service counts working days.
#[utoipa::path(
    tag = "petitions",
    operation_id = "list_holidays",
    params(HolidayQuery),
    responses(
        (status = 200, description = "The holidays, by date", body = Vec<Holiday>),
        (status = 422, description = "A year outside 1900-9999", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[get("")]
pub async fn list_holidays(
    state: web::Data<AppState>,
    _caller: Caller,
    q: crate::http::Query<HolidayQuery>,
) -> ApiResult<web::Json<Vec<Holiday>>> {
    validator::Validate::validate(&*q)?;
    let mut conn = state.pool.get().await?;
    Ok(web::Json(queries::holidays(&mut conn, q.year).await?))
}

/// Add or correct a day of the calendar (province and national admins): a day off, or a make-up working day.
/// Deadlines computed from then on count it.
///
/// Try it as `national.admin`.
#[utoipa::path(
    tag = "petitions",
    operation_id = "put_holiday",
    request_body = Holiday,
    responses(
        (status = 200, description = "Stored", body = Holiday),
        (status = 403, description = "Not a province or national admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
#[post("")]
pub async fn put_holiday(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<Holiday>,
) -> ApiResult<web::Json<Holiday>> {
    caller.require_reference_writer()?;
    let body = body.into_valid()?;
    let mut conn = state.pool.get().await?;
    let out = Holiday {
        name: body.name.trim().to_string(),
        source: body.source.trim().to_string(),
        verified: true,
        ..body
    };
    let id = Uuid::new_v5(&Uuid::NAMESPACE_OID, format!("holiday:{}", out.day).as_bytes());
    let row = out.clone();
    let global = (id, Uuid::nil(), crate::audit::GLOBAL_PATH);
    write::put(&mut conn, &caller, "holiday", global, "put", &out, move |conn| {
        Box::pin(async move { Ok(queries::put_holiday(conn, &row).await?) })
    })
    .await?;
    Ok(web::Json(out))
}
