//! The OpenAPI document is a product: generated from the code, committed, and complete.

use serde_json::Value;

use crate::harness::*;

fn generated() -> Value {
    serde_json::to_value(binhdang::app::api_document()).unwrap()
}

#[actix_web::test]
async fn the_committed_document_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    let committed: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("openapi/openapi.json is committed")).unwrap();
    assert!(
        committed == generated(),
        "openapi/openapi.json is stale: regenerate it with `cargo run -- openapi > openapi/openapi.json`"
    );
}

/// Every `$ref` resolves (client generators refuse a document where one does not), and no two
/// types share a schema name.
#[actix_web::test]
async fn every_reference_resolves() {
    let doc = generated();
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    match (k.as_str(), x) {
                        ("$ref", Value::String(r)) => out.push(r.clone()),
                        _ => refs(x, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 100, "the document uses references");
    let unresolved: Vec<&String> = all
        .iter()
        .filter(|r| {
            let Some(pointer) = r.strip_prefix('#') else {
                return true;
            };
            doc.pointer(pointer).is_none()
        })
        .collect();
    assert!(
        unresolved.is_empty(),
        "references that resolve to nothing: {unresolved:?}"
    );
    // The report's indicator and the catalogue's indicator are two types with two names.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    assert!(schemas.contains_key("ReportIndicator") && schemas.contains_key("Indicator"));
    assert!(schemas["Indicator"]["properties"].get("target_2025").is_some());
}

#[actix_web::test]
async fn the_service_serves_the_same_document() {
    let app = TestApp::spawn().await;
    let res = app.get("/api/openapi.json", None).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json(), generated());
}

#[actix_web::test]
async fn every_operation_is_fully_documented() {
    let doc = generated();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    let schemas = &doc["components"]["schemas"];
    let mut operation_ids = std::collections::HashSet::new();
    let mut count = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            count += 1;
            let at = format!("{method} {path}");
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{at}: operationId"));
            assert!(operation_ids.insert(id.to_string()), "{at}: duplicate operationId {id}");
            assert!(
                !op["tags"].as_array().map(|t| t.is_empty()).unwrap_or(true),
                "{at}: tag"
            );
            assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{at}: summary");
            // A public operation carries no `security` (the document has no global one); only
            // these may be public.
            let secured = match op["security"].as_array() {
                Some(security) => security.iter().any(|s| s.get("bearer").is_some()),
                None => {
                    let public = [
                        "/api/v1/auth/login",
                        "/api/v1/auth/login/second-step",
                        "/api/v1/auth/refresh",
                        "/api/v1/auth/logout",
                        "/api/v1/auth/token",
                        "/health/live",
                        "/health/ready",
                        "/metrics",
                    ];
                    assert!(public.contains(&path.as_str()), "{at}: no security requirement");
                    false
                }
            };
            let responses = op["responses"].as_object().unwrap();
            if secured {
                assert!(responses.contains_key("401"), "{at}: documents 401");
            }
            for (code, r) in responses {
                if code.starts_with('4') || code.starts_with('5') {
                    assert!(
                        r["content"]["application/problem+json"].is_object(),
                        "{at} {code}: problem+json body"
                    );
                }
            }
            if let Some(body) = op.get("requestBody") {
                let contents = body["content"]
                    .as_object()
                    .unwrap_or_else(|| panic!("{at}: request body content"));
                // A file upload (multipart) has no meaningful example; every other body has one.
                let has_example =
                    contents
                        .iter()
                        .filter(|(ct, _)| !ct.starts_with("multipart/"))
                        .all(|(_, content)| {
                            content.get("example").is_some() || {
                                let reference = content["schema"]["$ref"].as_str().unwrap_or("");
                                let name = reference.rsplit('/').next().unwrap_or("");
                                schemas[name].get("example").is_some()
                            }
                        });
                assert!(has_example, "{at}: request body example");
            }
        }
    }
    assert!(count >= 14, "only {count} operations documented");
}

/// Every operation that declares the Bearer scheme refuses a request without a token (401
/// problem with `WWW-Authenticate`), whatever its path parameters.
#[actix_web::test]
async fn every_secured_operation_refuses_an_anonymous_caller() {
    let app = TestApp::spawn().await;
    let doc = generated();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            // A token required: `bearer`, and no `{}` alternative (the public directory reads
            // a token when one is sent, and answers without one).
            let secured = op["security"].as_array().is_some_and(|s| {
                s.iter().any(|r| r.get("bearer").is_some())
                    && !s.iter().any(|r| r.as_object().is_some_and(|o| o.is_empty()))
            });
            if !secured {
                continue;
            }
            let concrete = path
                .split('/')
                .map(|seg| match seg {
                    "{action}" => "submit".to_string(),
                    s if s.starts_with('{') => uuid::Uuid::new_v4().to_string(),
                    s => s.to_string(),
                })
                .collect::<Vec<_>>()
                .join("/");
            let m = actix_web::http::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = if method == "get" || method == "delete" {
                None
            } else {
                Some(serde_json::json!({}))
            };
            let res = app.call(m, &concrete, None, body).await;
            assert_eq!(res.status, 401, "{method} {concrete}: {}", res.text());
            assert!(res.header("www-authenticate").is_some(), "{method} {concrete}");
            checked += 1;
        }
    }
    assert!(checked >= 50, "only {checked} secured operations");
}

/// The change feed's items are typed by resource: one variant per feed type, each naming a
/// schema the document has, and every always-sent field of a response is required.
#[test]
fn change_items_and_required_fields_are_typed() {
    let doc = serde_json::to_value(binhdang::app::api_document()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let variants = schemas["ChangeItem"]["oneOf"].as_array().unwrap();
    assert_eq!(variants.len(), binhdang::changes::api::FEED_TYPES.len());
    for (type_, record) in binhdang::changes::api::FEED_TYPES {
        if let Some(record) = record {
            assert!(schemas.get(*record).is_some(), "{type_}: no schema {record}");
        }
    }
    assert_eq!(schemas["ChangeItem"]["discriminator"]["propertyName"], "type");
    let total_required = schemas["Counts"]["required"].as_array().unwrap();
    assert!(
        total_required.iter().any(|f| f == "total"),
        "Counts.total is always sent"
    );
    let stale = &schemas["StaleTraining"]["allOf"][1]["properties"]["current"]["$ref"];
    assert_eq!(stale, "#/components/schemas/Training");
    let patch = &doc["paths"]["/api/v1/trainings/{id}"]["patch"]["responses"];
    assert_eq!(
        patch["412"]["content"]["application/problem+json"]["schema"]["$ref"],
        "#/components/schemas/StaleTraining"
    );
    for code in ["400", "404", "422", "428"] {
        assert!(patch.get(code).is_some(), "PATCH /trainings/{{id}} documents {code}");
    }
    assert!(doc["paths"]["/api/v1/violations/{id}"]["patch"]["responses"]
        .get("422")
        .is_some());
    // Lists answer JSON only; their files are operations of their own, with binary bodies.
    let list = &doc["paths"]["/api/v1/trainings"]["get"]["responses"]["200"]["content"];
    assert_eq!(
        list.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["application/json"]
    );
    let export = &doc["paths"]["/api/v1/trainings/export"]["get"]["responses"]["200"]["content"];
    assert_eq!(export["text/csv"]["schema"]["$ref"], "#/components/schemas/Binary");
    assert_eq!(schemas["Binary"]["format"], "binary");
    // No catch-all responses.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(
                op["responses"].get("default").is_none(),
                "{method} {path} has a default response"
            );
        }
    }
}
