//! The authorization matrix: every operation of the OpenAPI document, called as Swagger UI's
//! "Try it out" fills it (the demo data's records), by each role at four units, by a partner
//! client and with no token. The expected answers are written below by hand, from the roles the
//! README describes (not derived from the code's own checks); an operation without a row fails
//! the test, so a new endpoint cannot land without its row.
//!
//! Callers, in this order in every row: admin, manager, officer, inspector, viewer, each at
//! Hạ Long ward (the demo records' own unit), the city above it, a unit below it (an
//! organisation under the ward, made for this test) and a sibling ward (Trần Đăng Ninh); then the
//! partner client `demo-ngo` (granted Hạ Long), then no token.
//!
//! Answers: `k` allowed (2xx, or 409/412 where the record's state or version refuses it after the
//! caller was let in), `f` 403, `h` 404 (the record is not the caller's to see), `v` 422 naming an
//! out-of-scope reference, `u` 401. `*` marks a public operation: every caller, with a token or
//! without, gets the one answer the row gives.

use std::collections::HashMap;

use actix_web::http::Method;
use actix_web::test::TestRequest;
use binhdang::auth::{Caller, PrincipalKind, Role};
use serde_json::Value;
use uuid::Uuid;

use crate::harness::*;
use crate::try_it::{body_example, form, prefilled, urlencode};

const ROLES: [Role; 5] = [Role::Admin, Role::Manager, Role::Officer, Role::Inspector, Role::Viewer];
/// The unit below Hạ Long this test adds.
const CHILD_ID: Uuid = Uuid::from_u128(0x0193_a7c0_0000_7000_8000_0000_0000_c0de);

/// operationId → answers (5 roles × HL CITY CHILD TDN, then partner, then no token).
const TABLE: &[(&str, &str)] = &[
    // Public operations.
    ("login", "*k"),
    ("login_second_step", "*u"),
    ("refresh_token", "*u"),
    ("client_token", "*k"),
    ("health_live", "*k"),
    ("health_ready", "*k"),
    ("metrics", "*k"),
    // The caller itself.
    ("me", "kkkk kkkk kkkk kkkk kkkk k u"),
    ("logout", "kkkk kkkk kkkk kkkk kkkk k u"),
    ("change_password", "vvvv vvvv vvvv vvvv vvvv f u"),
    ("start_two_factor", "kkkk kkkk kkkk kkkk kkkk f u"),
    ("confirm_two_factor", "kkkk kkkk kkkk kkkk kkkk f u"),
    ("disable_two_factor", "kkkk kkkk kkkk kkkk kkkk f u"),
    // Reference data: every signed-in caller reads it; only province and national admins write.
    ("list_deadline_rules", "kkkk kkkk kkkk kkkk kkkk k u"),
    ("list_holidays", "kkkk kkkk kkkk kkkk kkkk k u"),
    ("put_holiday", "ffff ffff ffff ffff ffff f u"),
    ("list_decrees", "kkkk kkkk kkkk kkkk kkkk k u"),
    ("list_fining_authorities", "kkkk kkkk kkkk kkkk kkkk k u"),
    ("list_violation_rules", "kkkk kkkk kkkk kkkk kkkk k u"),
    ("create_violation_rule", "ffff ffff ffff ffff ffff f u"),
    ("update_violation_rule", "ffff ffff ffff ffff ffff f u"),
    ("list_indicators", "kkkk kkkk kkkk kkkk kkkk k u"),
    ("list_documents", "kkkk kkkk kkkk kkkk kkkk k u"),
    ("get_document", "kkkk kkkk kkkk kkkk kkkk k u"),
    // A local document of Hạ Long: its admins and those above; a national one: nobody here.
    ("create_document", "kkvv ffff ffff ffff ffff f u"),
    ("update_document", "ffff ffff ffff ffff ffff f u"),
    ("delete_document", "ffff ffff ffff ffff ffff f u"),
    // The unit tree (Hạ Long; its predecessor link on a city department).
    ("list_units", "kkkk kkkk kkkk kkkk kkkk k u"),
    ("get_unit", "kkhh kkhh kkhh kkhh kkhh k u"),
    ("unit_tree", "kkhh kkhh kkhh kkhh kkhh k u"),
    ("unit_lineage", "kkhh kkhh kkhh kkhh kkhh k u"),
    ("create_unit", "kkvv ffff ffff ffff ffff f u"),
    ("update_unit", "kkhh ffhh ffhh ffhh ffhh f u"),
    // Deleting one's own unit is refused by its state (409, counted as let in).
    ("delete_unit", "kkhh ffhh ffhh ffhh ffhh f u"),
    ("add_unit_predecessor", "hkhh hfhh hfhh hfhh hfhh h u"),
    // A unit's figures and leaders are for its own users (partners read the report instead).
    ("list_unit_figures", "kkhh kkhh kkhh kkhh kkhh f u"),
    ("put_unit_figures", "kkhh kfhh ffhh ffhh ffhh f u"),
    ("list_unit_leaders", "kkhh kkhh kkhh kkhh kkhh f u"),
    ("create_unit_leader", "kkhh ffhh ffhh ffhh ffhh f u"),
    ("update_unit_leader", "kkhh ffhh ffhh ffhh ffhh f u"),
    ("delete_unit_leader", "kkhh ffhh ffhh ffhh ffhh f u"),
    // Accounts (the demo viewer, of the city) and partner clients (demo-ngo, of the city).
    ("list_users", "kkkk ffff ffff ffff ffff f u"),
    ("create_user", "kkvv ffff ffff ffff ffff f u"),
    ("get_user", "hkhh ffff ffff ffff ffff f u"),
    ("update_user", "hkhh ffff ffff ffff ffff f u"),
    ("reset_user_password", "hkhh ffff ffff ffff ffff f u"),
    ("list_clients", "kkkk ffff ffff ffff ffff f u"),
    ("create_client", "kkvv ffff ffff ffff ffff f u"),
    ("get_client", "hkhh hfhh hfhh hfhh hfhh h u"),
    ("update_client", "hkhh hfhh hfhh hfhh hfhh h u"),
    ("rotate_client_secret", "hkhh hfhh hfhh hfhh hfhh h u"),
    // Imports: anyone but a partner imports (what each row may write is the write path's to
    // decide, row by row: the matrix's file is not a sheet, so 422); the demo import is Hạ Long
    // officer's, read by it and by the admins over Hạ Long.
    ("import_template", "kkkk kkkk kkkk kkkk kkkk f u"),
    ("create_import", "vvvv vvvv vvvv vvvv vvvv f u"),
    ("list_imports", "kkkk kkkk kkkk kkkk kkkk f u"),
    ("get_import", "kkhh hhhh hhhh hhhh hhhh h u"),
    // Webhook endpoints (the demo's, of demo-ngo, owned by the city): the client's owner unit's
    // admins manage them; the client reads its own and may test, redeliver and replay; everyone
    // else in the city's subtree is refused (403), the rest never learns it exists (404).
    ("list_webhook_endpoints", "kkkk ffff ffff ffff ffff k u"),
    ("create_webhook_endpoint", "vkvv ffff ffff ffff ffff f u"),
    ("get_webhook_endpoint", "hkhh hfhh hfhh hfhh hfhh k u"),
    ("update_webhook_endpoint", "hkhh hfhh hfhh hfhh hfhh f u"),
    ("delete_webhook_endpoint", "hkhh hfhh hfhh hfhh hfhh f u"),
    ("rotate_webhook_secret", "hkhh hfhh hfhh hfhh hfhh f u"),
    ("send_webhook_test", "hkhh hfhh hfhh hfhh hfhh k u"),
    ("list_webhook_deliveries", "hkhh hfhh hfhh hfhh hfhh k u"),
    ("redeliver_webhook", "hkhh hfhh hfhh hfhh hfhh k u"),
    ("replay_webhooks", "hkhh hfhh hfhh hfhh hfhh k u"),
    ("list_audit_events", "kkkk ffff ffff ffff ffff f u"),
    ("list_changes", "kkkk kkkk kkkk kkkk kkkk k u"),
    // Plans: the city's approved plan (published: readable from below), Hạ Long's draft.
    // Partners read no plans: a plan is as absent for them as one that does not exist (404);
    // the list, which names no plan, is 403.
    ("list_plans", "kkkk kkkk kkkk kkkk kkkk f u"),
    ("create_plan", "kkvv kfvv ffvv ffvv ffvv f u"),
    ("get_plan", "kkkk kkkk kkkk kkkk kkkk h u"),
    ("update_plan", "fkff fkff ffff ffff ffff h u"),
    ("delete_plan", "fkff fkff ffff ffff ffff h u"),
    ("plan_action", "fkff fkff ffff ffff ffff h u"),
    ("plan_history", "kkkk kkkk kkkk kkkk kkkk h u"),
    ("list_plan_targets", "kkhh kkhh kkhh kkhh kkhh h u"),
    ("create_plan_target", "kkhh kfhh ffhh ffhh ffhh h u"),
    ("update_plan_target", "fkff fkff ffff ffff ffff h u"),
    ("delete_plan_target", "fkff fkff ffff ffff ffff h u"),
    ("list_plan_activities", "kkhh kkhh kkhh kkhh kkhh h u"),
    ("create_plan_activity", "kkhh kfhh ffhh ffhh ffhh h u"),
    ("update_plan_activity", "fkff fkff ffff ffff ffff h u"),
    ("delete_plan_activity", "fkff fkff ffff ffff ffff h u"),
    ("plan_activity_results", "kkkk kkkk kkkk kkkk kkkk h u"),
    // Activity records of Hạ Long: its officers and managers write, admins above too.
    ("list_trainings", "kkkk kkkk kkkk kkkk kkkk f u"),
    ("export_trainings", "kkkk kkkk kkkk kkkk kkkk f u"),
    ("create_training", "kkkk kkkk kkkk ffff ffff f u"),
    ("get_training", "kkhh kkhh kkhh kkhh kkhh f u"),
    ("update_training", "kkhh kfhh kfhh ffhh ffhh f u"),
    ("delete_training", "kkhh kfhh kfhh ffhh ffhh f u"),
    ("list_training_participants", "kkhh kkhh kkhh kkhh kkhh f u"),
    ("list_training_attachments", "kkhh kkhh kkhh kkhh kkhh f u"),
    ("upload_training_attachment", "kkhh kfhh kfhh ffhh ffhh f u"),
    ("list_outreach_events", "kkkk kkkk kkkk kkkk kkkk k u"),
    ("export_outreach_events", "kkkk kkkk kkkk kkkk kkkk k u"),
    ("create_outreach_event", "kkkk kkkk kkkk ffff ffff f u"),
    ("get_outreach_event", "kkhh kkhh kkhh kkhh kkhh k u"),
    ("update_outreach_event", "kkhh kfhh kfhh ffhh ffhh f u"),
    ("delete_outreach_event", "kkhh kfhh kfhh ffhh ffhh f u"),
    ("list_outreach_participants", "kkhh kkhh kkhh kkhh kkhh f u"),
    ("list_outreach_attachments", "kkhh kkhh kkhh kkhh kkhh f u"),
    ("upload_outreach_attachment", "kkhh kfhh kfhh ffhh ffhh f u"),
    ("get_attachment", "kkhh kkhh kkhh kkhh kkhh f u"),
    ("download_attachment", "kkhh kkhh kkhh kkhh kkhh f u"),
    ("delete_attachment", "kkhh kfhh kfhh ffhh ffhh f u"),
    // Campaigns: the city's Action Month campaign, readable from below (and by partners of a
    // unit below: a campaign is public).
    ("list_campaigns", "kkkk kkkk kkkk kkkk kkkk k u"),
    ("create_campaign", "kkkk kkkk ffff ffff ffff f u"),
    ("get_campaign", "kkkk kkkk kkkk kkkk kkkk k u"),
    ("update_campaign", "fkff fkff ffff ffff ffff f u"),
    // Oversight: Hạ Long's petition; the city's inspection and violation.
    ("list_petitions", "kkkk kkkk kkkk kkkk kkkk f u"),
    ("export_petitions", "kkkk kkkk kkkk kkkk kkkk f u"),
    ("create_petition", "kkkk kkkk ffff kkkk ffff f u"),
    ("get_petition", "kkhh kkhh kkhh kkhh kkhh f u"),
    ("update_petition", "kkhh kfhh ffhh kkhh ffhh f u"),
    ("petition_action", "kkhh kfhh ffhh kkhh ffhh f u"),
    ("list_inspections", "kkkk kkkk kkkk kkkk kkkk f u"),
    ("create_inspection", "kkkk kkkk ffff kkkk ffff f u"),
    ("get_inspection", "hkhh hkhh hkhh hkhh hkhh f u"),
    ("update_inspection", "hkhh hkhh hfhh hkhh hfhh f u"),
    ("list_violations", "kkkk kkkk kkkk kkkk kkkk f u"),
    ("create_violation", "kkkk kkkk ffff kkkk ffff f u"),
    ("get_violation", "hkhh hkhh hkhh hkhh hkhh f u"),
    ("update_violation_status", "hkhh hkhh hfhh hkhh hfhh f u"),
    ("decide_violation", "hkhh hkhh hfhh hkhh hfhh f u"),
    // The GBV support-services directory: public to read; Hạ Long's services are its managers'
    // and admins' (and those above) to keep. Everyone may read a service, so one it may not keep
    // is 403, never 404.
    ("list_support_services", "*k"),
    ("get_support_service", "*k"),
    ("create_support_service", "kkvv kfvv ffvv ffvv ffvv f u"),
    ("update_support_service", "kkff kfff ffff ffff ffff f u"),
    ("delete_support_service", "kkff kfff ffff ffff ffff f u"),
    // Survivors' cases: need-to-know. No caller of the matrix holds a case role, so none reads
    // the demo case (404 whatever its role or unit, the city's admin included); the list is
    // empty; opening a case needs a case role. Breaking the glass: admins whose subtree holds
    // Hạ Long; the access log: the handling unit's admins (and its case supervisors).
    ("list_support_cases", "kkkk kkkk kkkk kkkk kkkk k u"),
    ("create_support_case", "ffff ffff ffff ffff ffff f u"),
    ("get_support_case", "hhhh hhhh hhhh hhhh hhhh h u"),
    ("update_support_case", "hhhh hhhh hhhh hhhh hhhh h u"),
    ("support_case_action", "hhhh hhhh hhhh hhhh hhhh h u"),
    ("record_case_consent", "hhhh hhhh hhhh hhhh hhhh h u"),
    ("record_case_service", "hhhh hhhh hhhh hhhh hhhh h u"),
    ("assign_case_worker", "hhhh hhhh hhhh hhhh hhhh h u"),
    ("unassign_case_worker", "hhhh hhhh hhhh hhhh hhhh h u"),
    ("break_glass", "kkhh hhhh hhhh hhhh hhhh h u"),
    ("get_case_identity", "hhhh hhhh hhhh hhhh hhhh h u"),
    ("put_case_identity", "hhhh hhhh hhhh hhhh hhhh h u"),
    ("case_access_log", "khhh hhhh hhhh hhhh hhhh h u"),
    ("list_case_notices", "ffff ffff ffff ffff ffff f u"),
    ("case_codes", "kkkk kkkk kkkk kkkk kkkk k u"),
    ("list_case_measures", "hhhh hhhh hhhh hhhh hhhh h u"),
    ("request_case_measure", "hhhh hhhh hhhh hhhh hhhh h u"),
    ("case_measure_step", "hhhh hhhh hhhh hhhh hhhh h u"),
    ("list_support_measures", "kkkk kkkk kkkk kkkk kkkk k u"),
    ("list_measure_rules", "kkkk kkkk kkkk kkkk kkkk k u"),
    ("list_case_referrals", "hhhh hhhh hhhh hhhh hhhh h u"),
    ("refer_case", "hhhh hhhh hhhh hhhh hhhh h u"),
    ("revoke_referral", "hhhh hhhh hhhh hhhh hhhh h u"),
    // The receiving side is the receiving unit's case supervisors: nobody of the matrix.
    ("list_referrals", "ffff ffff ffff ffff ffff f u"),
    ("referral_step", "hhhh hhhh hhhh hhhh hhhh h u"),
    // Reports: the caller's own unit; a partner names one of its units (`unit_id`, 422 without).
    ("report_summary", "kkkk kkkk kkkk kkkk kkkk v u"),
    ("export_summary", "kkkk kkkk kkkk kkkk kkkk v u"),
];

fn answer(status: u16) -> char {
    match status {
        200..=299 | 409 | 412 => 'k',
        401 => 'u',
        403 => 'f',
        404 => 'h',
        422 => 'v',
        _ => '?',
    }
}

struct Op {
    id: String,
    method: Method,
    uri: String,
    headers: Vec<(String, String)>,
    body: Option<(String, Vec<u8>)>,
}

fn operations(doc: &Value) -> Vec<Op> {
    let mut ops = Vec::new();
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
            let mut uri = path.clone();
            let mut query = Vec::new();
            let mut headers = Vec::new();
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                match (p["in"].as_str().unwrap(), prefilled(p)) {
                    ("path", Some(v)) => uri = uri.replace(&format!("{{{name}}}"), &v),
                    ("query", Some(v)) => query.push(format!("{name}={}", urlencode(&v))),
                    ("header", Some(v)) => headers.push((name.to_string(), v)),
                    _ => {}
                }
            }
            if !query.is_empty() {
                uri = format!("{uri}?{}", query.join("&"));
            }
            let content = &op["requestBody"]["content"];
            let body = content.as_object().and_then(|c| c.iter().next()).map(|(ct, c)| {
                if ct == "multipart/form-data" {
                    let mut png = vec![
                        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
                    ];
                    png.resize(500, 7);
                    let mut b =
                        b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n".to_vec();
                    b.extend_from_slice(&png);
                    b.extend_from_slice(b"\r\n--XyZ--\r\n");
                    ("multipart/form-data; boundary=XyZ".to_string(), b)
                } else {
                    let example = body_example(doc, c).unwrap_or(Value::Null);
                    match ct.as_str() {
                        "application/x-www-form-urlencoded" => (ct.clone(), form(&example).into_bytes()),
                        _ => ("application/json".to_string(), example.to_string().into_bytes()),
                    }
                }
            });
            ops.push(Op {
                id: op["operationId"].as_str().unwrap().to_string(),
                method,
                uri,
                headers,
                body,
            });
        }
    }
    ops
}

fn request(op: &Op, token: Option<&str>) -> TestRequest {
    let mut req = TestRequest::default().method(op.method.clone()).uri(&op.uri);
    if let Some(t) = token {
        req = req.insert_header(("authorization", format!("Bearer {t}")));
    }
    for (k, v) in &op.headers {
        req = req.insert_header((k.as_str(), v.as_str()));
    }
    if let Some((ct, bytes)) = &op.body {
        req = req
            .insert_header(("content-type", ct.as_str()))
            .set_payload(bytes.clone());
    }
    req
}

/// The demo data, a unit below Hạ Long, and a real user for each (role, unit) of the matrix:
/// a database to clone for each operation.
async fn template() -> (String, DbGuard, Vec<(Role, &'static str, Uuid)>) {
    // Seeded over a connection of its own (no app, no listener): a template must have none open.
    let (url, guard) = seeded_database().await;
    let mut users = Vec::new();
    {
        use diesel_async::AsyncConnection;
        let mut conn = diesel_async::AsyncPgConnection::establish(&url).await.unwrap();
        let key = binhdang::auth::second_factor::DataKey::from_settings(&test_settings()).unwrap();
        binhdang::seed::seed_demo(&mut conn, &key).await.unwrap();
        exec(
            &mut conn,
            &format!(
                "INSERT INTO units (id, parent_id, kind, name, path, depth, valid_from) \
                 SELECT '{CHILD_ID}', id, 'organization', 'Chi hội phụ nữ (ma trận quyền)', path || '{}/', depth + 1, '2020-01-01' \
                 FROM units WHERE id = '{}'",
                CHILD_ID.simple(),
                unit(HA_LONG)
            ),
        )
        .await
        .unwrap();
        for (i, role) in ROLES.iter().enumerate() {
            for (j, key) in [HA_LONG, CITY, "child", TRAN_DANG_NINH].iter().enumerate() {
                let id = Uuid::from_u128(0x0193_a7c0_0000_7000_8000_0000_0000_0000 + (i * 10 + j) as u128);
                let unit_id = if *key == "child" { CHILD_ID } else { unit(key) };
                exec(
                    &mut conn,
                    &format!(
                        "INSERT INTO users (id, username, password_hash, unit_id, role) \
                         VALUES ('{id}', 'matrix.{}.{j}', 'not-a-hash', '{unit_id}', '{}')",
                        role.as_str(),
                        role.as_str()
                    ),
                )
                .await
                .unwrap();
                users.push((*role, *key, id));
            }
        }
    }
    (url, guard, users)
}

#[actix_web::test]
async fn every_operation_answers_each_caller_as_the_table_says() {
    let doc = serde_json::to_value(binhdang::app::api_document()).unwrap();
    let ops = operations(&doc);
    let table: HashMap<&str, &str> = TABLE.iter().copied().collect();
    let missing: Vec<&str> = ops
        .iter()
        .map(|o| o.id.as_str())
        .filter(|id| !table.contains_key(id))
        .collect();
    assert!(
        missing.is_empty(),
        "operations without a row in the matrix: {missing:?}"
    );
    let extra: Vec<&&str> = table.keys().filter(|id| !ops.iter().any(|o| o.id == **id)).collect();
    assert!(
        extra.is_empty(),
        "rows for operations the document does not have: {extra:?}"
    );

    let (_, template_guard, users) = template().await;
    let template_db = template_guard.name().to_string();
    let mut failures = Vec::new();
    let mut requests = 0;
    // Reads change nothing: one app serves them all; each write gets a database of its own.
    let reader = fresh(&template_db).await;
    let mut reader_tokens = callers(&reader, &users).await;
    reader_tokens.push(None);
    for op in &ops {
        let expected: Vec<char> = table[op.id.as_str()].chars().filter(|c| !c.is_whitespace()).collect();
        let public = expected[0] == '*';
        let writes = op.method != Method::GET;
        let mut own = None;
        if writes {
            let app = fresh(&template_db).await;
            let mut tokens = callers(&app, &users).await;
            tokens.push(None);
            own = Some((app, tokens));
        }
        let mut got = String::new();
        for i in 0..reader_tokens.len() {
            let (app, tokens) = match &own {
                Some((app, tokens)) => (app, tokens),
                None => (&reader, &reader_tokens),
            };
            let res = app.send(request(op, tokens[i].as_deref())).await;
            requests += 1;
            let a = answer(res.status.as_u16());
            got.push(a);
            let want = if public { expected[1] } else { expected[i] };
            if a != want {
                failures.push(format!(
                    "{} as caller {i}: expected {want}, got {} {}",
                    op.id,
                    res.status,
                    res.text().chars().take(160).collect::<String>()
                ));
            }
            // A write that went through may change what the next caller finds (a deleted
            // record is 404, a disabled client's token 401): start again from the template.
            // Other writes leave the record there (the next caller's If-Match or id then gets
            // 412 or 409, which still says it was let in).
            let changes_the_next = op.method == Method::DELETE || op.id == "update_client";
            if a == 'k' && writes && changes_the_next && i + 1 < reader_tokens.len() {
                let app = fresh(&template_db).await;
                let mut tokens = callers(&app, &users).await;
                tokens.push(None);
                own = Some((app, tokens));
            }
        }
        eprintln!("{:28} {}", op.id, spaced(&got));
    }
    assert!(requests > 2000, "only {requests} requests");
    assert!(
        failures.is_empty(),
        "{} answers differ from the table:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn spaced(got: &str) -> String {
    let c: Vec<char> = got.chars().collect();
    let mut s = String::new();
    for (i, ch) in c.iter().enumerate() {
        if i > 0 && i % 4 == 0 && i <= 20 {
            s.push(' ');
        }
        s.push(*ch);
    }
    s
}

async fn fresh(template: &str) -> TestApp {
    let settings = test_settings();
    let (url, guard) = database_from(template).await;
    let pool = binhdang::db::build_pool(&url, 2).unwrap();
    TestApp::with_pool(settings, pool, url, guard).await
}

/// Tokens of the 20 users (in the table's order) and of the partner client.
async fn callers(app: &TestApp, users: &[(Role, &'static str, Uuid)]) -> Vec<Option<String>> {
    let mut conn = app.conn().await;
    let mut out = Vec::new();
    for (role, key, id) in users {
        let unit_id = if *key == "child" { CHILD_ID } else { unit(key) };
        let unit = binhdang::units::queries::find(&mut conn, unit_id)
            .await
            .unwrap()
            .unwrap();
        let caller = Caller {
            kind: PrincipalKind::User,
            id: *id,
            name: format!("matrix.{}", role.as_str()),
            unit_id,
            scopes: vec![unit.path],
            role: *role,
            epoch: 0,
            restriction: None,
        };
        out.push(Some(app.state.jwt.issue_access(&caller).unwrap()));
    }
    let res = app
        .send(TestRequest::post().uri("/api/v1/auth/token").set_form([
            ("grant_type", "client_credentials"),
            ("client_id", "demo-ngo"),
            ("client_secret", "binhdang-demo-client-secret"),
        ]))
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    out.push(Some(res.json()["access_token"].as_str().unwrap().to_string()));
    out
}
