//! Referrals of a case: consent-gated, answered by the receiving unit's case supervisors.

use actix_web::{get, post, web, HttpResponse};
use uuid::Uuid;

use super::*;
use crate::http::JsonBody;

/// A referral as its referring side (`receiver: false`) or its receiving side sees it.
fn referral_api(r: crate::support_cases::model::ReferralRow, case: &CaseRow, receiver: bool) -> Referral {
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
#[get("/{id}/referrals")]
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
    Ok(HttpResponse::Ok().json_body(&out))
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
#[post("/{id}/referrals")]
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
    let row = crate::support_cases::model::ReferralRow {
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
    let shown = current.clone();
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
    // What a referral shows of its case does not change with the referral.
    Ok(HttpResponse::Created().json_body(&referral_api(r, &shown, false)))
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
#[post("/{id}/referrals/{referral_id}/revoke")]
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
    let shown = current.clone();
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
    Ok(HttpResponse::Ok().json_body(&referral_api(r, &shown, false)))
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
    supervisor_of(
        conn,
        caller,
        Text::new(
            "Referrals are received by case supervisors",
            "Yêu cầu chuyển gửi do người giám sát vụ việc tiếp nhận",
        ),
    )
    .await
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
#[get("")]
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
    Ok(HttpResponse::Ok().json_body(&out))
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
#[post("/{referral_id}/{step}")]
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
    let shown = case.clone();
    step_referral(&mut conn, &caller, case, r.id, (from, to), reason).await?;
    queries::log_referral_read(&mut conn, &caller, r.case_id).await?;
    let r = queries::referral(&mut conn, referral_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json_body(&referral_api(r, &shown, true)))
}
