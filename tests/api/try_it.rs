//! Swagger UI on the first click: every operation, called exactly as "Try it out → Execute"
//! fills it from the document (parameter and body examples, defaults), as the demo user its
//! description names (`Try it as \`user\``; the city admin otherwise), on `serve --demo` data.
//! Every GET answers 2xx; each create succeeds and replays on a second click; every other write
//! answers 2xx or a documented state code (404, 409, 412, 428); nothing answers 400, 422 or 5xx.

use std::collections::HashMap;

use actix_web::http::Method;
use actix_web::test::TestRequest;
use serde_json::Value;

use crate::harness::*;

/// What Swagger UI pre-fills for a parameter: its example, its schema's example, its default.
pub fn prefilled(p: &Value) -> Option<String> {
    let v = p
        .get("example")
        .or_else(|| p["schema"].get("example"))
        .or_else(|| p["schema"].get("default"))?;
    Some(match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// The body Swagger UI pre-fills: the media type's example, else its schema's.
pub fn body_example(doc: &Value, content: &Value) -> Option<Value> {
    if let Some(e) = content.get("example") {
        return Some(e.clone());
    }
    let schema = &content["schema"];
    let schema = match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    };
    schema.get("example").cloned()
}

pub fn demo_user(op: &Value) -> String {
    let description = op["description"].as_str().unwrap_or_default();
    description
        .split("Try it as `")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .unwrap_or("admin")
        .to_string()
}

struct Call {
    method: Method,
    path: String,
    op: Value,
}

impl Call {
    fn is_create(&self) -> bool {
        self.method == Method::POST && self.op["responses"].get("201").is_some()
    }
    fn name(&self) -> String {
        format!(
            "{} {} ({})",
            self.method,
            self.path,
            self.op["operationId"].as_str().unwrap_or("?")
        )
    }
}

#[actix_web::test]
async fn every_operation_works_on_the_first_click() {
    let settings = test_settings();
    let app = TestApp::spawn_with(settings).await;
    {
        let mut conn = app.conn().await;
        binhdang::seed::seed_demo(&mut conn, &app.state.data_key).await.unwrap();
    }
    let doc = serde_json::to_value(binhdang::app::api_document()).unwrap();
    let mut calls = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let method = match method.as_str() {
                "get" => Method::GET,
                "post" => Method::POST,
                "put" => Method::PUT,
                "patch" => Method::PATCH,
                "delete" => Method::DELETE,
                _ => continue,
            };
            // A file upload cannot be pre-filled: the user picks the file.
            if op["requestBody"]["content"].get("multipart/form-data").is_some() {
                continue;
            }
            calls.push(Call {
                method,
                path: path.clone(),
                op: op.clone(),
            });
        }
    }
    // Reads first, then creates, then the other writes, deletes last (as a curious user might).
    let rank = |c: &Call| match c.method {
        Method::GET => 0,
        _ if c.is_create() => 1,
        Method::DELETE => 3,
        _ => 2,
    };
    calls.sort_by_key(rank);

    let mut tokens: HashMap<String, String> = HashMap::new();
    let mut failures = Vec::new();
    let mut count = 0;
    for call in &calls {
        let user = demo_user(&call.op);
        if !tokens.contains_key(&user) {
            let res = app
                .post(
                    "/api/v1/auth/login",
                    None,
                    serde_json::json!({"username": user, "password": binhdang::seed::DEMO_PASSWORD}),
                )
                .await;
            assert_eq!(res.status, 200, "demo user {user}: {}", res.text());
            tokens.insert(user.clone(), res.json()["access_token"].as_str().unwrap().to_string());
        }
        let token = &tokens[&user];
        let mut uri = call.path.clone();
        let mut query = Vec::new();
        let mut headers = Vec::new();
        let mut missing = Vec::new();
        for p in call.op["parameters"].as_array().into_iter().flatten() {
            let name = p["name"].as_str().unwrap();
            let value = prefilled(p);
            match (p["in"].as_str().unwrap(), value) {
                ("path", Some(v)) => uri = uri.replace(&format!("{{{name}}}"), &v),
                ("query", Some(v)) => query.push(format!("{name}={}", urlencode(&v))),
                ("header", Some(v)) => headers.push((name.to_string(), v)),
                (_, None) if p["required"] == true => missing.push(name.to_string()),
                _ => {}
            }
        }
        if !missing.is_empty() {
            failures.push(format!("{}: nothing pre-filled for required {missing:?}", call.name()));
            continue;
        }
        if !query.is_empty() {
            uri = format!("{uri}?{}", query.join("&"));
        }
        let content = &call.op["requestBody"]["content"];
        let body = content
            .as_object()
            .and_then(|c| c.iter().next())
            .map(|(ct, c)| (ct.clone(), body_example(&doc, c)));
        if let Some((_, None)) = &body {
            failures.push(format!("{}: the body has no example", call.name()));
            continue;
        }
        let secured = call.op["security"]
            .as_array()
            .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
        let clicks = if call.is_create() { 2 } else { 1 };
        for click in 1..=clicks {
            let mut req = TestRequest::default().method(call.method.clone()).uri(&uri);
            if secured {
                req = req.insert_header(("authorization", format!("Bearer {token}")));
            }
            for (k, v) in &headers {
                req = req.insert_header((k.as_str(), v.as_str()));
            }
            if let Some((ct, Some(example))) = &body {
                req = match ct.as_str() {
                    "application/x-www-form-urlencoded" => req
                        .insert_header(("content-type", ct.as_str()))
                        .set_payload(form(example)),
                    _ => req.set_json(example),
                };
            }
            let res = app.send(req).await;
            count += 1;
            let status = res.status.as_u16();
            let ok = match call.method {
                Method::GET => (200..300).contains(&status),
                _ if call.is_create() => (200..300).contains(&status),
                // A refresh token cannot be pre-filled: the example is a shape, so it is refused.
                _ if call.path == "/api/v1/auth/refresh" => status == 401,
                // Nor can a second-step challenge, or the code an authenticator app shows now.
                _ if call.path == "/api/v1/auth/login/second-step" => status == 401,
                _ if call.path == "/api/v1/auth/two-factor/confirm" => status == 422,
                _ => (200..300).contains(&status) || [404, 409, 412, 428].contains(&status),
            };
            let documented = call.op["responses"].get(status.to_string()).is_some()
                || ((200..300).contains(&status)
                    && call.op["responses"]
                        .as_object()
                        .unwrap()
                        .keys()
                        .any(|k| k.starts_with('2')));
            if ok && documented && (200..300).contains(&status) {
                if let Some(problem) = off_schema(&doc, &call.op, status, &res) {
                    failures.push(format!(
                        "{} as {user}: the {status} is off its schema: {problem}",
                        call.name()
                    ));
                }
            }
            if !ok || !documented {
                failures.push(format!(
                    "{} as {user}, click {click}: {status}{} {}",
                    call.name(),
                    if documented { "" } else { " (undocumented)" },
                    res.text().chars().take(300).collect::<String>()
                ));
            }
        }
    }
    assert!(count > 100, "only {count} requests");
    assert!(
        failures.is_empty(),
        "{} of {} operations fail on the first click:\n{}",
        failures.len(),
        calls.len(),
        failures.join("\n")
    );
}

/// Whether a JSON answer fits the schema its operation documents for that status (JSON
/// Schema 2020-12, which OpenAPI 3.1 schemas are); `None` when it does.
pub fn off_schema(doc: &Value, op: &Value, status: u16, res: &TestResponse) -> Option<String> {
    let content_type = res.header("content-type").unwrap_or_default();
    if !content_type.starts_with("application/json") {
        return None;
    }
    let response = &op["responses"][status.to_string()];
    let mut schema = response["content"]["application/json"]["schema"].clone();
    if schema.is_null() {
        return Some("no JSON schema documented".into());
    }
    schema["components"] = doc["components"].clone();
    let validator = jsonschema::draft202012::new(&schema).expect("the document's schemas compile");
    let body = res.json();
    let errors: Vec<String> = validator
        .iter_errors(&body)
        .take(3)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    (!errors.is_empty()).then(|| errors.join("; ").chars().take(500).collect())
}

pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub fn form(example: &Value) -> String {
    let mut f = form_urlencoded::Serializer::new(String::new());
    for (k, v) in example.as_object().unwrap() {
        f.append_pair(
            k,
            v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()).as_str(),
        );
    }
    f.finish()
}
