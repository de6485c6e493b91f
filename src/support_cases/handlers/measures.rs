//! Protective measures of a case, on the law's clocks (dated rules in `dv_measure_rules`).

use actix_web::{get, post, web, HttpResponse};
use uuid::Uuid;

use super::*;
use crate::http::JsonBody;

/// Vietnam time (UTC+7, no daylight saving): how the clocks are shown.
fn vn(t: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::FixedOffset> {
    t.with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7"))
}

fn measure_api(m: crate::support_cases::model::MeasureRow, case_code: String) -> Measure {
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
    rule: &crate::support_cases::model::MeasureRuleRow,
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
#[get("/{id}/measures")]
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
    Ok(HttpResponse::Ok().json_body(&measures))
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
#[post("/{id}/measures")]
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
    let row = crate::support_cases::model::MeasureRow {
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
    Ok(HttpResponse::Created().json_body(&measure_api(m, code)))
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
#[post("/{id}/measures/{measure_id}/{step}")]
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
    let (mut decided_at, mut starts_at, mut ends_at, mut max_ends_at) =
        (m.decided_at, m.starts_at, m.ends_at, m.max_ends_at);
    match step {
        MeasureStepKind::Grant => {
            let rule = queries::measure_rule_by_code(&mut conn, &m.rule_code)
                .await?
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
    Ok(HttpResponse::Ok().json_body(&measure_api(m, code)))
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
#[get("")]
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
        return Ok(HttpResponse::Ok().json_body(&Vec::<Measure>::new()));
    }
    let limit = filters.limit.unwrap_or(100).clamp(1, 500);
    let mut conn = state.pool.get().await?;
    let rows = queries::measures_due(&mut conn, &caller, &filters, limit).await?;
    let out: Vec<Measure> = rows.into_iter().map(|r| measure_api(r.measure, r.case_code)).collect();
    Ok(HttpResponse::Ok().json_body(&out))
}

/// The dated rules of protective measures: who decides, within how many hours of the request,
/// for how long at most, whose request needs the victim's consent, with the legal basis.
#[utoipa::path(
    tag = "cases",
    operation_id = "list_measure_rules",
    responses((status = 200, description = "The rules", body = Vec<MeasureRule>)),
    security(("bearer" = [])),
)]
#[get("")]
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
    Ok(HttpResponse::Ok().json_body(&rules))
}
