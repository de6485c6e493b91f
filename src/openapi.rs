//! The OpenAPI document. Paths are gathered from the handlers as they are registered
//! (utoipa-actix-web), so a route cannot exist without its documentation; this file holds the
//! document's frame: info, tags, the Bearer security scheme.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "binhdang API",
        version = "1.0.0",
        description = "REST/JSON API for a city's gender-equality programme (Luật Bình đẳng giới \
73/2006/QH11): units, plans, trainings and outreach, oversight, reports.\n\n\
Conventions: JSON with snake_case fields; errors are application/problem+json (RFC 9457), in \
Vietnamese with `Accept-Language: vi`; lists use keyset pagination (`limit`, `cursor`, \
`next_cursor`); `GET` one returns an `ETag` and writes need `If-Match`. Sign in with \
`POST /api/v1/auth/login`, then use the Authorize button with the access token.",
        license(name = "MIT"),
    ),
    servers((url = "/", description = "This server")),
    tags(
        (name = "auth", description = "Sign in, token refresh, sign out, the current caller"),
        (name = "units", description = "The unit tree, its history and lineage"),
        (name = "documents", description = "The legal documents plans cite"),
        (name = "plans", description = "Implementation plans, their workflow, targets and activities"),
        (name = "trainings", description = "Trainings, counted by sex"),
        (name = "outreach", description = "Outreach events and campaigns, counted by sex, with the Action Month"),
        (name = "attachments", description = "Photos and documents of trainings and events"),
        (name = "petitions", description = "Complaints and denunciations with the law's deadlines"),
        (name = "oversight", description = "Inspections, violations and sanctions"),
        (name = "reports", description = "Roll-ups up the unit tree, strategy indicators, exports"),
        (name = "sync", description = "The change feed for offline clients"),
        (name = "support", description = "Gender-based violence support: the public services directory"),
        (name = "cases", description = "Survivors' cases (need-to-know: their case workers and supervisors only; every read logged)"),
        (name = "users", description = "Accounts of the caller's subtree (admins)"),
        (name = "clients", description = "Partner API clients (client credentials)"),
        (name = "imports", description = "Bulk import from CSV or XLSX: templates, dry runs, commits, stored reports"),
        (name = "webhooks", description = "Signed webhooks for partner clients (Standard Webhooks): endpoints, deliveries, replays"),
        (name = "audit", description = "The audit trail"),
        (name = "operations", description = "Health and metrics"),
    ),
    // Types that paths name only through a path or query parameter (utoipa references them
    // without registering them).
    components(schemas(
        crate::petitions::api::PetitionAction,
        crate::support_cases::api::CaseAction,
        crate::support_cases::api::CaseRef,
        crate::support_cases::api::IdentityRef,
        crate::support_cases::api::MeasureStepKind,
        crate::support_cases::api::ReferralStep,
        crate::plans::workflow::Action,
        crate::http::export::ExportFormat,
        crate::webhooks::api::DeliveryStatus,
        // Named only by the change feed's items (see `typed_changes`).
        crate::units::api::LineageRecord,
    )),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The responses that follow from an operation's shape, added to every operation that has
/// that shape (unless it documents them itself), so each handler documents only what is its
/// own: any API call can fail inside (500) or find the database down (503); a Bearer token can
/// be missing (401) or over a partner's limit (429); a JSON body can be malformed (400), of
/// another type (415), too large (413) or of the wrong shape (422); a query parameter can be
/// malformed (422); a path's id can name nothing (404); `If-Match` can be malformed (400),
/// missing (428) or stale (412).
struct StandardResponses;

fn problem(description: &str, retry_after: bool) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{header::HeaderBuilder, ContentBuilder, ObjectBuilder, Ref, ResponseBuilder, Type};
    let mut r = ResponseBuilder::new().description(description).content(
        "application/problem+json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .build(),
    );
    if retry_after {
        let seconds = HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::Integer))
            .description(Some("Seconds to wait"));
        r = r.header("Retry-After", seconds.build());
    }
    r.build().into()
}

impl Modify for StandardResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        for (path, item) in openapi.paths.paths.iter_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.patch,
                &mut item.put,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                let secured = op
                    .security
                    .as_ref()
                    .is_some_and(|s| serde_json::to_string(s).map(|v| v.contains("bearer")).unwrap_or(false));
                let json_body = op
                    .request_body
                    .as_ref()
                    .is_some_and(|b| b.content.contains_key("application/json"));
                let if_match = op.parameters.as_ref().is_some_and(|ps| {
                    ps.iter()
                        .any(|p| p.name == "If-Match" && p.parameter_in == ParameterIn::Header)
                });
                let query = op
                    .parameters
                    .as_ref()
                    .is_some_and(|ps| ps.iter().any(|p| p.parameter_in == ParameterIn::Query));
                let idempotent = op.parameters.as_ref().is_some_and(|ps| {
                    ps.iter()
                        .any(|p| p.name == "Idempotency-Key" && p.parameter_in == ParameterIn::Header)
                });
                let mut add = |code: &str, description: &str, retry_after: bool| {
                    op.responses
                        .responses
                        .entry(code.to_string())
                        .or_insert_with(|| problem(description, retry_after));
                };
                if path.starts_with("/api/") {
                    add(
                        "500",
                        "Internal error: opaque, with the `request_id` of the log line",
                        false,
                    );
                    add("503", "Database unavailable; retry after `Retry-After` seconds", true);
                }
                if secured {
                    add(
                        "401",
                        "No, invalid or expired access token (with `WWW-Authenticate: Bearer`)",
                        false,
                    );
                    add(
                        "429",
                        "Rate limited (partner clients): wait `Retry-After` seconds",
                        true,
                    );
                }
                if op.request_body.is_some() {
                    add(
                        "408",
                        "The body stopped arriving (`BODY_TIMEOUT_SECONDS`); send the request again",
                        false,
                    );
                }
                if json_body {
                    add("400", "Malformed JSON", false);
                    add("413", "Body larger than the service accepts", false);
                    add("415", "Not `application/json`", false);
                    add(
                        "422",
                        "A field of the wrong type or format, missing, unknown, or breaking a rule: `errors` name each (a JSON path)",
                        false,
                    );
                }
                if query {
                    add(
                        "422",
                        "A query parameter of the wrong type or format, or a rule broken (e.g. `from` after `to`): `errors` name it",
                        false,
                    );
                }
                if path.contains('{') {
                    add(
                        "404",
                        "No such record in the caller's scope (a malformed id names no record either)",
                        false,
                    );
                }
                if idempotent {
                    add(
                        "400",
                        "Malformed `Idempotency-Key` (1 to 255 visible ASCII characters)",
                        false,
                    );
                    add(
                        "422",
                        "An `Idempotency-Key` already used for a different request",
                        false,
                    );
                }
                if if_match {
                    add(
                        "400",
                        "Malformed `If-Match`: send the `ETag` exactly as it was given",
                        false,
                    );
                    add(
                        "412",
                        "Stale `If-Match`: `current` holds the record as it is now",
                        false,
                    );
                    add("428", "`If-Match` missing", false);
                }
            }
        }
    }
}

/// Fields a response may leave out (`skip_serializing_if`); every other field of a schema that
/// only responses use is always sent, so it is `required`.
const MAY_BE_ABSENT: &[(&str, &str)] = &[
    ("Problem", "errors"),
    ("Problem", "request_id"),
    ("Problem", "allowed"),
    ("Violation", "offender"),
    ("Petition", "petitioner"),
    ("RowBody", "suppressed"),
];

/// Completes the document once the routes have added their paths: the standard responses,
/// a typed `current` for every 412, the change feed's items typed by resource, and `required`
/// on every field a response always carries.
pub fn finish(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    StandardResponses.modify(&mut doc);
    let mut value = serde_json::to_value(&doc).expect("the document is JSON");
    try_it_examples(&mut value);
    pages_of_named_items(&mut value);
    public_without_security(&mut value);
    typed_stale(&mut value);
    typed_changes(&mut value);
    required_when_always_sent(&mut value);
    serde_json::from_value(value).expect("the finished document is still OpenAPI")
}

use serde_json::{json, Map, Value};

const SCHEMAS: &str = "#/components/schemas/";

fn operations(doc: &mut Value) -> impl Iterator<Item = &mut Map<String, Value>> {
    doc["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.iter_mut())
        .filter(|(method, _)| ["get", "post", "put", "patch", "delete"].contains(&method.as_str()))
        .filter_map(|(_, op)| op.as_object_mut())
}

/// The schema name a JSON response refers to.
fn json_ref(response: &Value) -> Option<String> {
    response["content"]["application/json"]["schema"]["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix(SCHEMAS))
        .map(str::to_string)
}

/// What Swagger UI's "Try it out" pre-fills for a path or header parameter: a record of the demo
/// data (`serve --demo`, deterministic ids), version 1 for `If-Match`, and an `Idempotency-Key`
/// of the operation's own, so that a second click replays the first answer.
fn demo_parameter(path: &str, operation_id: &str, name: &str) -> Option<Value> {
    use crate::seed::seed_id;
    let resource = path.strip_prefix("/api/v1/")?.split('/').next()?;
    let key = match (name, resource) {
        ("If-Match", _) => return Some(json!("\"1\"")),
        ("Idempotency-Key", _) => return Some(json!(format!("try-it-{operation_id}"))),
        ("year", _) => return Some(json!(2020)),
        ("action", "plans") => return Some(json!("start")),
        ("action", "petitions") => return Some(json!("accept")),
        // The demo case is in assessment already: a documented 409.
        ("action", "support-cases") => return Some(json!("start_assessment")),
        ("user_id", "support-cases") => "user:halong.caseworker",
        ("measure_id", "support-cases") => "support-case:13633:demo:measure",
        ("referral_id", _) => "support-case:13633:demo:referral",
        ("step", "referrals") => return Some(json!("accept")),
        ("step", "support-cases") => return Some(json!("grant")),
        ("target_id", _) => "target:356:2020:0",
        ("activity_id", _) => "activity:356:2020:training",
        ("leader_id", _) => "leader:commune:13633:2020:people_committee:vice_chair:2016",
        // A seeded link (the 2025 transfer of gender-equality work between the city's
        // divisions): the example exists, so "Try it out" replays it.
        ("id", "units") if path.ends_with("/predecessors") => "dept:356:noivu",
        ("id", "units") => "commune:13633:2020",
        ("id", "documents") => "document:law-73-2006",
        // A ward's draft plan takes new targets and activities; the city's is approved.
        ("id", "plans") if path.ends_with("/targets") || path.ends_with("/activities") => {
            "plan:commune:13633:2020:yearly"
        }
        ("id", "plans") => "plan:356:2020:yearly",
        ("id", "trainings") => "training:commune:13633:2020:2020",
        ("id", "outreach") => "event:commune:13633:2020:2020-11-15",
        ("id", "campaigns") => "campaign:356:action-month-2020",
        ("id", "attachments") => "attachment:13633:2020:training-photo",
        ("id", "petitions") => "petition:13633:2020-11-20",
        ("id", "inspections") => "inspection:356:2020:garment",
        ("id", "violations") => "violation:356:2020:garment",
        ("id", "clients") => "client:demo-ngo",
        ("id", "webhook-endpoints") => "webhook:demo-ngo",
        ("id", "imports") => "import:13633:demo",
        ("delivery_id", _) => "webhook:demo-ngo:test",
        // The demo viewer: resetting its password leaves the walkthroughs' users alone.
        ("id", "users") => "user:viewer",
        // Not a shelter: its address is public.
        ("id", "support-services") => "support-service:13633:2020:health",
        ("id", "support-cases") => "support-case:13633:demo",
        // Not the demo violation's rule: correcting this one leaves its band alone.
        ("id", "violation-rules") => "violation-rule:125-politics-1",
        _ => return None,
    };
    Some(json!(seed_id(key)))
}

fn try_it_examples(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for op in item.values_mut() {
            let operation_id = op["operationId"].as_str().unwrap_or_default().to_string();
            let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
                continue;
            };
            for p in params {
                let name = p["name"].as_str().unwrap_or_default().to_string();
                let located = matches!(p["in"].as_str(), Some("path" | "header"));
                if located && p.get("example").is_none() {
                    if let Some(example) = demo_parameter(path, &operation_id, &name) {
                        p["example"] = example;
                    }
                }
            }
        }
    }
}

/// A public operation (`security: [{}]`, "no requirement") carries no `security` at all: the
/// document has no global requirement, and generators read any `security` as "needs a token".
fn public_without_security(doc: &mut Value) {
    for op in operations(doc) {
        if op.get("security") == Some(&json!([{}])) {
            op.remove("security");
        }
    }
}

/// `Page_Training.data` is a list of `Training`s by reference (utoipa inlines a generic's type),
/// so a generated client has one `Training` type, not a second one per page.
fn pages_of_named_items(doc: &mut Value) {
    let Some(schemas) = doc["components"]["schemas"].as_object_mut() else {
        return;
    };
    let names: Vec<String> = schemas.keys().cloned().collect();
    for name in names {
        let Some(item) = name.strip_prefix("Page_") else {
            continue;
        };
        if schemas.contains_key(item) {
            schemas[&name]["properties"]["data"]["items"] = json!({"$ref": format!("{SCHEMAS}{item}")});
        }
    }
}

/// A 412 carries the record as it is now: `Stale<Record>` is the problem with a `current` of the
/// operation's own 2xx type, so a generated client reads `current.version` without a cast.
fn typed_stale(doc: &mut Value) {
    let mut stale = Vec::new();
    for op in operations(doc) {
        let Some(responses) = op.get_mut("responses") else {
            continue;
        };
        let record = ["200", "201"].iter().find_map(|c| json_ref(&responses[*c]));
        if let (Some(record), Some(r412)) = (record, responses.get_mut("412")) {
            let name = format!("Stale{record}");
            r412["content"]["application/problem+json"]["schema"] = json!({"$ref": format!("{SCHEMAS}{name}")});
            stale.push((name, record));
        }
    }
    let schemas = &mut doc["components"]["schemas"];
    for (name, record) in stale {
        schemas[name.as_str()] = json!({
            "description": format!("A 412 problem: `current` is the {record} as it is now; merge and retry with its version."),
            "allOf": [
                {"$ref": format!("{SCHEMAS}Problem")},
                {
                    "type": "object",
                    "required": ["current"],
                    "properties": {"current": {"$ref": format!("{SCHEMAS}{record}")}},
                },
            ],
        });
    }
}

/// `ChangeItem` is one of `<Record>Change`, told apart by `type`, each with `data` of that
/// record's own type (null on a tombstone).
fn typed_changes(doc: &mut Value) {
    let schemas = &mut doc["components"]["schemas"];
    let Some(base) = schemas.get("ChangeItem").cloned() else {
        return;
    };
    let mut variants = Vec::new();
    let mut mapping = Map::new();
    for (type_, record) in crate::changes::api::FEED_TYPES {
        let camel: String = type_.split('_').map(|w| w[..1].to_uppercase() + &w[1..]).collect();
        let name = format!("{camel}Change");
        let mut item = base.clone();
        item["description"] = json!(format!("A change of a `{type_}`."));
        item["properties"]["type"] = json!({"type": "string", "enum": [type_]});
        item["properties"]["data"] = match record {
            Some(r) => json!({"oneOf": [{"$ref": format!("{SCHEMAS}{r}")}, {"type": "null"}],
                "description": "The record as `GET` returns it, after the change; null for a deletion."}),
            None => {
                json!({"type": ["object", "null"], "description": "The record after the change; null for a deletion."})
            }
        };
        item.as_object_mut().map(|o| o.remove("example"));
        schemas[name.as_str()] = item;
        mapping.insert(type_.to_string(), json!(format!("{SCHEMAS}{name}")));
        variants.push(json!({"$ref": format!("{SCHEMAS}{name}")}));
    }
    schemas["ChangeItem"] = json!({
        "description": "One change: the record's state after it, or a tombstone; `type` says which record type `data` is.",
        "oneOf": variants,
        "discriminator": {"propertyName": "type", "mapping": mapping},
    });
}

/// The schema names `v` refers to.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            if let Some(r) = o
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix(SCHEMAS))
            {
                out.push(r.to_string());
            }
            o.values().for_each(|v| refs(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// Every schema reachable from `start` through `$ref`s.
fn reachable(schemas: &Map<String, Value>, start: Vec<String>) -> std::collections::BTreeSet<String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut todo = start;
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone()) {
            if let Some(s) = schemas.get(&name) {
                refs(s, &mut todo);
            }
        }
    }
    seen
}

/// Marks as `required` every property of the schemas that only responses use, but for the few
/// a response may leave out ([`MAY_BE_ABSENT`]). Request schemas keep their optional fields.
fn required_when_always_sent(doc: &mut Value) {
    let (mut answers, mut asks) = (Vec::new(), Vec::new());
    for op in operations(doc) {
        let part = |key: &str| op.get(key).cloned().unwrap_or(Value::Null);
        refs(&part("responses"), &mut answers);
        refs(&part("requestBody"), &mut asks);
        refs(&part("parameters"), &mut asks);
    }
    let schemas = doc["components"]["schemas"]
        .as_object_mut()
        .expect("components.schemas");
    let answers = reachable(schemas, answers);
    let asks = reachable(schemas, asks);
    for name in answers.difference(&asks) {
        let Some(schema) = schemas.get_mut(name) else { continue };
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            continue;
        };
        let required: Vec<Value> = props
            .keys()
            .filter(|p| !MAY_BE_ABSENT.contains(&(name.as_str(), p.as_str())))
            .map(|p| json!(p))
            .collect();
        schema["required"] = Value::Array(required);
    }
}
