//! What case records answer and take.

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::model::CaseRow;

/// An enum's wire name (its serde string), as stored in the database.
pub fn wire<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

/// An enum from its wire name.
pub fn from_wire<T: DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(Value::String(s.to_string())).ok()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SurvivorSex {
    Female,
    Male,
    Other,
    Unknown,
}

/// Age bands (a child is under 16, an elderly person 60 or over, as Vietnamese law counts them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum AgeBand {
    #[serde(rename = "0-5")]
    A0to5,
    #[serde(rename = "6-11")]
    A6to11,
    #[serde(rename = "12-15")]
    A12to15,
    #[serde(rename = "16-17")]
    A16to17,
    #[serde(rename = "18-29")]
    A18to29,
    #[serde(rename = "30-44")]
    A30to44,
    #[serde(rename = "45-59")]
    A45to59,
    #[serde(rename = "60+")]
    A60plus,
    #[serde(rename = "unknown")]
    Unknown,
}

/// Priority groups of Law 13/2022 (Art. 4 and 9): children, pregnant women, women nursing a child
/// under 36 months, elderly people, people with disabilities.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriorityGroup {
    Child,
    Pregnant,
    #[serde(rename = "nursing_under_36_months")]
    NursingUnder36Months,
    Elderly,
    Disabled,
}

/// The survivor's relationship to the person who used violence: family members (Law 13/2022
/// Art. 2), and the divorced and cohabiting couples Decree 76/2023 Art. 2–3 adds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    Spouse,
    FormerSpouse,
    CohabitingPartner,
    FormerCohabitingPartner,
    Parent,
    Child,
    Grandparent,
    Grandchild,
    Sibling,
    InLaw,
    OtherRelative,
    LivingTogether,
    Unknown,
}

/// Where the case was first reported: the addresses of Law 13/2022 Art. 19 (commune People's
/// Committee, police, school, village head, mass organisation), the domestic-violence hotline,
/// the 111 child-protection hotline, a trusted address, a partner NGO, or the survivor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    CommuneCommittee,
    Police,
    School,
    VillageHead,
    MassOrganisation,
    DvHotline,
    #[serde(rename = "child_hotline_111")]
    ChildHotline111,
    TrustedAddress,
    PartnerNgo,
    SelfReferral,
    HealthFacility,
    Other,
}

/// `new → assessment → case_plan → services → closure_requested → closed`, and `reopened`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    New,
    Assessment,
    CasePlan,
    Services,
    ClosureRequested,
    Closed,
    Reopened,
}

/// A workflow step (`POST /support-cases/{id}/{action}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseAction {
    /// `new` or `reopened` → `assessment` (a case worker or supervisor).
    StartAssessment,
    /// `assessment` → `case_plan`: the plan (set by PATCH) goes to the supervisor.
    SubmitPlan,
    /// `case_plan` → `services` (supervisor).
    ApprovePlan,
    /// `case_plan` → `assessment` (supervisor).
    ReturnPlan,
    /// `services` → `closure_requested`, with a `closure_reason`.
    RequestClosure,
    /// `closure_requested` → `closed` (supervisor).
    ApproveClosure,
    /// `closure_requested` → `services` (supervisor).
    ReturnClosure,
    /// `closed` → `reopened` (supervisor).
    Reopen,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClosureReason {
    NeedsMet,
    SurvivorWithdrew,
    MovedAway,
    ReferredElsewhere,
    Other,
}

/// How the caller reads the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// A case supervisor of the handling unit.
    CaseSupervisor,
    /// An assigned case worker.
    CaseWorker,
    /// An open break-the-glass grant (read only, until it expires).
    BreakGlass,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentKind {
    /// To receive services.
    Services,
    /// To share the case with one named service of the directory or one unit (referrals).
    Sharing,
    /// To be counted in shared statistics.
    Statistics,
}

/// Kinds of support provided; the first five are "basic" (the Strategy's indicator).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SupportKind {
    HealthCare,
    Psychosocial,
    LegalAid,
    SafetyShelter,
    PoliceJustice,
    MaterialSupport,
    Education,
    Other,
}

/// A case worker assigned to the case.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseWorker {
    pub user_id: Uuid,
    pub username: String,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub assigned_at: DateTime<Utc>,
}

/// A consent as recorded (the latest of a kind and target is the one in force).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Consent {
    pub id: Uuid,
    #[schema(value_type = ConsentKind)]
    pub kind: String,
    pub given: bool,
    /// For `sharing`: the directory's service it lets a referral reach.
    pub service_id: Option<Uuid>,
    /// For `sharing`: the unit it lets a referral reach.
    pub target_unit_id: Option<Uuid>,
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub recorded_on: NaiveDate,
    /// The user who recorded it.
    pub recorded_by: Uuid,
}

/// A service the survivor received.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProvidedService {
    pub id: Uuid,
    #[schema(value_type = SupportKind)]
    pub kind: String,
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub provided_on: NaiveDate,
    /// The directory's service that provided it, if any.
    pub service_id: Option<Uuid>,
    /// Who provided it, when not in the directory.
    pub provider: Option<String>,
    pub recorded_by: Uuid,
}

/// A survivor's case: codes and attributes, never a name (the identity is its own record).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "bcad5fa3-1111-5420-8957-a0db2638d944", "code": "BL-7K3QX9AB",
    "unit_id": "a3e0c6ca-ae28-59cb-b57f-593e8d17e313", "status": "assessment",
    "survivor_sex": "female", "survivor_age_band": "30-44", "priority_groups": ["nursing_under_36_months"],
    "relationship": "spouse", "acts": ["3.1.a", "3.1.b"], "forms": ["physical", "psychological"],
    "incident_on": "2026-11-20", "reported_on": "2026-11-21", "channel": "commune_committee",
    "plan": null, "closure_reason": null, "case_workers": [], "consents": [], "services": [],
    "your_access": "case_supervisor",
    "created_at": "2026-11-21T03:00:00Z", "updated_at": "2026-11-21T03:00:00Z", "version": 1
}))]
pub struct SupportCase {
    pub id: Uuid,
    /// Generated; says nothing of the survivor, the unit or the date.
    pub code: String,
    /// The handling unit.
    pub unit_id: Uuid,
    #[schema(value_type = CaseStatus)]
    pub status: String,
    #[schema(value_type = SurvivorSex)]
    pub survivor_sex: String,
    #[schema(value_type = AgeBand)]
    pub survivor_age_band: String,
    #[schema(value_type = Vec<PriorityGroup>)]
    pub priority_groups: Vec<String>,
    #[schema(value_type = Relationship)]
    pub relationship: String,
    /// Acts of Law 13/2022 Art. 3(1), by code (`GET /api/v1/case-codes`).
    pub acts: Vec<String>,
    /// The forms of violence the acts make: `physical`, `psychological`, `sexual`, `economic`.
    pub forms: Vec<String>,
    #[serde(serialize_with = "crate::http::json_body::opt_date")]
    pub incident_on: Option<NaiveDate>,
    /// The first report.
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub reported_on: NaiveDate,
    #[schema(value_type = Channel)]
    pub channel: String,
    /// The case plan the supervisor approves.
    pub plan: Option<String>,
    #[schema(value_type = Option<ClosureReason>)]
    pub closure_reason: Option<String>,
    pub case_workers: Vec<CaseWorker>,
    pub consents: Vec<Consent>,
    pub services: Vec<ProvidedService>,
    /// How the caller reads it (absent in the audit trail's 412 `current`).
    #[schema(value_type = Option<Access>)]
    pub your_access: Option<String>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<CaseRow> for SupportCase {
    fn from(r: CaseRow) -> Self {
        SupportCase {
            id: r.id,
            code: r.code,
            unit_id: r.unit_id,
            status: r.status,
            survivor_sex: r.survivor_sex,
            survivor_age_band: r.survivor_age_band,
            priority_groups: r.priority_groups,
            relationship: r.relationship,
            acts: r.acts,
            forms: r.forms,
            incident_on: r.incident_on,
            reported_on: r.reported_on,
            channel: r.channel,
            plan: r.plan,
            closure_reason: r.closure_reason,
            case_workers: Vec::new(),
            consents: Vec::new(),
            services: Vec::new(),
            your_access: None,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

fn valid_acts(acts: &[String]) -> Result<(), validator::ValidationError> {
    if acts.is_empty() || acts.len() > 14 || acts.iter().any(|a| a.len() > 10) {
        let mut e = validator::ValidationError::new("acts");
        e.message = Some("one to fourteen act codes, e.g. \"3.1.a\"".into());
        return Err(e);
    }
    Ok(())
}

/// A new case, handled by the caller's own unit (the caller holds a case role there; a case
/// worker who opens a case is assigned to it).
#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "survivor_sex": "female", "survivor_age_band": "30-44", "priority_groups": ["nursing_under_36_months"],
    "relationship": "spouse", "acts": ["3.1.a", "3.1.b"], "incident_on": "2026-11-20",
    "reported_on": "2026-11-21", "channel": "commune_committee"
}))]
pub struct NewCase {
    /// A client-chosen id (UUID) makes an offline create safe to send again.
    pub id: Option<Uuid>,
    pub survivor_sex: SurvivorSex,
    pub survivor_age_band: AgeBand,
    #[serde(default)]
    #[validate(length(max = 5))]
    pub priority_groups: Vec<PriorityGroup>,
    pub relationship: Relationship,
    /// Codes of Law 13/2022 Art. 3(1) (`GET /api/v1/case-codes`).
    #[validate(custom(function = "valid_acts"))]
    pub acts: Vec<String>,
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    #[schema(value_type = Option<NaiveDate>)]
    pub incident_on: Option<NaiveDate>,
    #[serde(deserialize_with = "crate::http::date::strict")]
    #[schema(value_type = NaiveDate)]
    pub reported_on: NaiveDate,
    pub channel: Channel,
}

/// What a case worker or supervisor may correct; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"plan": "Safety plan agreed; health check at the commune clinic; legal aid on the protection order."}))]
pub struct CasePatch {
    pub survivor_sex: Option<SurvivorSex>,
    pub survivor_age_band: Option<AgeBand>,
    #[validate(length(max = 5))]
    pub priority_groups: Option<Vec<PriorityGroup>>,
    pub relationship: Option<Relationship>,
    #[validate(custom(function = "valid_acts"))]
    pub acts: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::http::date::strict_double")]
    #[schema(value_type = Option<NaiveDate>)]
    pub incident_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "crate::http::date::strict_opt")]
    #[schema(value_type = Option<NaiveDate>)]
    pub reported_on: Option<NaiveDate>,
    pub channel: Option<Channel>,
    /// The case plan (no names: the identity is its own record).
    #[validate(length(min = 1, max = 4000))]
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<String>)]
    pub plan: Option<Option<String>>,
}

/// What a workflow step takes.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({}))]
pub struct CaseStep {
    /// Required by `request_closure`.
    pub closure_reason: Option<ClosureReason>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseFilters {
    #[param(value_type = Option<CaseStatus>)]
    pub status: Option<CaseStatus>,
    /// The start of a case code.
    pub code: Option<String>,
}

/// A consent to record (or, with `given: false`, its withdrawal).
#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "statistics", "given": true, "recorded_on": "2026-11-21"}))]
pub struct NewConsent {
    /// A client-chosen id makes a retry safe.
    pub id: Option<Uuid>,
    pub kind: ConsentKind,
    pub given: bool,
    /// For `sharing`: one service of the directory...
    pub service_id: Option<Uuid>,
    /// ...or one unit.
    pub target_unit_id: Option<Uuid>,
    #[serde(deserialize_with = "crate::http::date::strict")]
    #[schema(value_type = NaiveDate)]
    pub recorded_on: NaiveDate,
}

/// A service the survivor received.
#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "health_care", "provided_on": "2026-11-22", "provider": "Trạm y tế phường Hạ Long"}))]
pub struct NewProvidedService {
    /// A client-chosen id makes a retry safe.
    pub id: Option<Uuid>,
    pub kind: SupportKind,
    #[serde(deserialize_with = "crate::http::date::strict")]
    #[schema(value_type = NaiveDate)]
    pub provided_on: NaiveDate,
    pub service_id: Option<Uuid>,
    #[validate(length(min = 1, max = 300))]
    pub provider: Option<String>,
}

/// A case worker to assign (a user of the handling unit with a case role).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"user_id": "bf375e7f-570d-58ca-81aa-a3d745b50745"}))]
pub struct NewAssignment {
    pub user_id: Uuid,
}

/// Why the caller must open a case it does not handle.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Police request on the night of 1 Dec: the survivor is at risk and the case worker cannot be reached"}))]
pub struct BreakGlass {
    /// 10 to 1,000 characters; shown to the unit's case supervisors.
    #[validate(length(min = 10, max = 1000))]
    pub reason: String,
}

/// An open break-the-glass grant.
#[derive(Debug, Serialize, ToSchema)]
pub struct GlassGrant {
    pub case_id: Uuid,
    pub reason: String,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub opened_at: DateTime<Utc>,
    /// Until then the caller reads the case (read only); every read is logged with the reason.
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub expires_at: DateTime<Utc>,
}

/// The survivor's identity: kept sealed (AEAD) at rest, returned by this endpoint only.
#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Nguyễn Thị A", "phone": "0900 000 000", "address": "Tổ 5, phường Hạ Long"}))]
pub struct Identity {
    #[validate(length(min = 1, max = 200))]
    pub name: Option<String>,
    #[validate(length(min = 1, max = 100))]
    pub phone: Option<String>,
    #[validate(length(min = 1, max = 500))]
    pub address: Option<String>,
    /// How to reach the survivor safely (times, a trusted person).
    #[validate(length(min = 1, max = 500))]
    pub safe_contact: Option<String>,
}

/// One read of a case or its identity.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessLogEntry {
    pub id: i64,
    pub user_id: Uuid,
    pub username: String,
    /// `case`, `list`, `identity` or `access_log`.
    pub what: String,
    /// `case_supervisor`, `case_worker`, `break_glass` or `admin` (the access log).
    pub via: String,
    /// The break-the-glass reason.
    pub reason: Option<String>,
    pub request_id: Option<String>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub at: DateTime<Utc>,
}

/// What a unit's case supervisors are shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseNotice {
    pub id: i64,
    /// `case_role_granted`, `case_role_removed`, `password_reset`, `assigned`, `unassigned`,
    /// `break_glass`.
    pub kind: String,
    pub case_id: Option<Uuid>,
    pub subject_user_id: Uuid,
    pub subject_name: String,
    /// The case role granted or removed.
    pub detail: Option<String>,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub reason: Option<String>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub at: DateTime<Utc>,
}

/// An act of domestic violence (Law 13/2022 Art. 3(1)).
#[derive(Debug, Serialize, ToSchema)]
pub struct ActCode {
    pub code: String,
    pub clause: String,
    pub form: String,
    pub name_vi: String,
    pub name_en: String,
    pub legal_basis: String,
    /// Checked against the official text by a person (false: transcribed, to be checked).
    pub verified: bool,
}

/// A kind of support; `basic` ones count toward the Strategy's indicator.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupportKindCode {
    pub code: String,
    pub basic: bool,
    pub name_vi: String,
    pub name_en: String,
    pub legal_basis: String,
    pub verified: bool,
}

/// The codes cases use.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseCodes {
    pub acts: Vec<ActCode>,
    pub support_kinds: Vec<SupportKindCode>,
}

/// What the change feed and the audit trail hold of a survivor's case: its id and version
/// only. Fetch the case (a logged read) for the rest.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseRef {
    pub id: Uuid,
    pub version: i64,
}

/// What the change feed and the audit trail hold of a survivor's identity: that it changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdentityRef {
    pub case_id: Uuid,
    /// The identity's version.
    pub version: i64,
}

/// Protective measures of Law 13/2022/QH15.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// Buộc chấm dứt hành vi bạo lực gia đình.
    StopOrder,
    /// Cấm tiếp xúc: by the commune chairman (decided within 12 hours, at most 3 days) or a
    /// court (at most 4 months).
    BanOnContact,
    /// Bố trí nơi tạm lánh.
    Shelter,
    MedicalCare,
    LegalAid,
    /// Giáo dục, hỗ trợ chuyển đổi hành vi.
    BehaviourChange,
    /// Other preventive measures (administrative or criminal procedure).
    PreventiveOther,
}

/// Who decides a measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureAuthority {
    CommuneChairman,
    Court,
    Police,
    Other,
}

/// Who asked for the measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Requester {
    Victim,
    Guardian,
    /// An agency or organisation: a ban on contact then needs the victim's consent.
    Agency,
    /// No request: the victim's life is in danger.
    NoneLifeInDanger,
}

/// A step of a measure (`POST /support-cases/{id}/measures/{measure_id}/{step}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureStepKind {
    /// The authority granted it (`at`, optional `ends_at` within the law's maximum).
    Grant,
    /// The authority refused it, in writing (`reason`).
    Refuse,
    /// Cancelled on request before its end (`at`).
    Cancel,
}

/// A measure requested for the case.
#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "ban_on_contact", "authority": "commune_chairman",
    "requested_at": "2026-11-21T08:30:00+07:00", "requested_by": "victim"
}))]
pub struct NewMeasure {
    /// A client-chosen id makes a retry safe.
    pub id: Option<Uuid>,
    pub kind: MeasureKind,
    pub authority: MeasureAuthority,
    /// When the request reached the authority (any offset; shown in Vietnam time).
    pub requested_at: DateTime<chrono::FixedOffset>,
    pub requested_by: Requester,
    /// The victim agreed (required for a ban on contact an agency asks for).
    #[serde(default)]
    pub victim_consent: bool,
}

/// What a step of a measure takes.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({}))]
pub struct MeasureStep {
    /// When it was decided or cancelled (default: now).
    pub at: Option<DateTime<chrono::FixedOffset>>,
    /// `grant`: when the measure ends (default and at most the law's maximum).
    pub ends_at: Option<DateTime<chrono::FixedOffset>>,
    /// `refuse`: the written reason (required); `cancel`: the request.
    #[validate(length(min = 1, max = 1000))]
    pub reason: Option<String>,
}

/// A protective measure, with the clocks the service computes from the dated rule in force at
/// the request (times in Vietnam time).
#[derive(Debug, Serialize, ToSchema)]
pub struct Measure {
    pub id: Uuid,
    pub case_id: Uuid,
    pub case_code: String,
    #[schema(value_type = MeasureKind)]
    pub kind: String,
    #[schema(value_type = MeasureAuthority)]
    pub authority: String,
    /// The rule its clocks come from (`GET /api/v1/measure-rules`).
    pub rule_code: String,
    pub requested_at: DateTime<chrono::FixedOffset>,
    #[schema(value_type = Requester)]
    pub requested_by: String,
    pub victim_consent: bool,
    /// `requested`, `granted`, `refused` or `cancelled`.
    pub status: String,
    /// The decision is due by then (null when the law sets no time).
    pub decide_by: Option<DateTime<chrono::FixedOffset>>,
    /// Requested and past `decide_by`.
    pub overdue: bool,
    pub decided_at: Option<DateTime<chrono::FixedOffset>>,
    /// Decided after `decide_by`.
    pub decided_late: bool,
    pub starts_at: Option<DateTime<chrono::FixedOffset>>,
    pub ends_at: Option<DateTime<chrono::FixedOffset>>,
    /// The latest end the law allows (decision + 72 hours, + 4 months, ...).
    pub max_ends_at: Option<DateTime<chrono::FixedOffset>>,
    /// Granted, started and not ended.
    pub in_force: bool,
    pub reason: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeasureFilters {
    /// `true`: requested measures past their decision time.
    pub overdue: Option<bool>,
    /// Granted measures that end within this many hours.
    #[param(minimum = 1, maximum = 8760, example = 24)]
    pub expiring_within_hours: Option<i64>,
    /// At most this many (default 100, at most 500), soonest clock first.
    #[param(minimum = 1, example = 100)]
    pub limit: Option<i64>,
}

/// A dated rule of a protective measure.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureRule {
    pub code: String,
    pub measure: String,
    /// `commune_chairman`, `court`, or `any`.
    pub authority: String,
    pub decide_within_hours: Option<i32>,
    pub max_hours: Option<i32>,
    pub max_months: Option<i32>,
    /// Requesters whose request needs the victim's consent.
    pub consent_required_for: Vec<String>,
    #[serde(serialize_with = "crate::http::json_body::date")]
    pub effective_from: NaiveDate,
    #[serde(serialize_with = "crate::http::json_body::opt_date")]
    pub effective_to: Option<NaiveDate>,
    pub legal_basis: String,
    pub verified: bool,
}

/// What of the case a referral shows the receiving side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShareField {
    SurvivorSex,
    SurvivorAgeBand,
    PriorityGroups,
    Relationship,
    Forms,
    Acts,
    IncidentOn,
}

/// A referral to make: to a service of the directory or to a unit.
#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "to_service_id": "b1a4263a-d663-5b79-bce1-292c2370d633", "services_requested": ["safety_shelter"],
    "shares": ["survivor_sex", "survivor_age_band", "priority_groups"]
}))]
pub struct NewReferral {
    /// A client-chosen id makes a retry safe.
    pub id: Option<Uuid>,
    /// A service of the directory (its unit's case supervisors receive it)...
    pub to_service_id: Option<Uuid>,
    /// ...or a unit.
    pub to_unit_id: Option<Uuid>,
    #[serde(default)]
    #[validate(length(max = 8))]
    pub services_requested: Vec<SupportKind>,
    /// What the receiving side sees of the case (besides its code and what is requested).
    #[serde(default)]
    #[validate(length(max = 7))]
    pub shares: Vec<ShareField>,
    #[validate(length(min = 1, max = 1000))]
    pub note: Option<String>,
    /// A case supervisor refers without the survivor's consent to this sharing: why (10+
    /// characters; audited and shown to the unit's supervisors).
    #[validate(length(min = 10, max = 1000))]
    pub override_reason: Option<String>,
}

/// A referral's step for the receiving side: `accept`, `reject` (with a `reason`), `done`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStep {
    Accept,
    Reject,
    Done,
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Agreed with the survivor by phone"}))]
pub struct ReferralStepBody {
    /// Required to reject or revoke.
    #[validate(length(min = 1, max = 1000))]
    pub reason: Option<String>,
}

/// A referral: for the referring side all of it; for the receiving side what it shares only.
#[derive(Debug, Serialize, ToSchema)]
pub struct Referral {
    pub id: Uuid,
    pub case_code: String,
    /// The referring side's case (absent for the receiving side).
    pub case_id: Option<Uuid>,
    pub from_unit_id: Uuid,
    pub to_service_id: Option<Uuid>,
    pub to_unit_id: Uuid,
    /// `pending`, `accepted`, `rejected`, `done`, `revoked`.
    pub status: String,
    pub services_requested: Vec<String>,
    pub shares: Vec<String>,
    /// The shared attributes of the case (the fields `shares` names).
    #[schema(value_type = Object)]
    pub shared: Value,
    pub note: Option<String>,
    /// Made under a supervisor's override of a missing consent (absent for the receiving side).
    pub override_reason: Option<String>,
    pub reason: Option<String>,
    #[serde(serialize_with = "crate::http::json_body::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::http::json_body::opt_timestamp")]
    pub responded_at: Option<DateTime<Utc>>,
}
