//! Offline sync: idempotent creation (and its races), soft delete, the change feed (including
//! transactions that commit out of order).

use std::collections::HashSet;

use actix_web::http::Method;
use actix_web::test::TestRequest;
use binhdang::auth::Role;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::harness::*;

fn new_unit(name: &str) -> Value {
    json!({"parent_id": unit(HA_LONG), "kind": "organization", "name": name})
}

async fn post_with_key(app: &TestApp, token: &str, key: &str, body: Value) -> TestResponse {
    let req = TestRequest::post()
        .uri("/api/v1/units")
        .insert_header(("authorization", format!("Bearer {token}")))
        .insert_header(("idempotency-key", key))
        .set_json(body);
    app.send(req).await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.conn().await;
    diesel::sql_query(sql).get_result::<N>(&mut conn).await.unwrap().n
}

#[actix_web::test]
async fn a_retry_with_the_same_key_replays_the_first_response() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, HA_LONG).await;
    let first = post_with_key(&app, &admin, "k-1", new_unit("Tổ 1")).await;
    assert_eq!(first.status, 201);
    let again = post_with_key(&app, &admin, "k-1", new_unit("Tổ 1")).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.json(), first.json(), "same body");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.header("etag"), first.header("etag"));
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM units WHERE name = 'Tổ 1'").await,
        1
    );
    // Same key, another body: 422, and nothing is created.
    let p = post_with_key(&app, &admin, "k-1", new_unit("Tổ 2"))
        .await
        .assert_problem(422);
    assert_eq!(p["errors"][0]["field"], "Idempotency-Key");
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM units WHERE name = 'Tổ 2'").await,
        0
    );
    // Keys belong to their caller: another user's same key is a new request.
    let other = app.token(Role::Admin, HA_LONG).await;
    assert_eq!(post_with_key(&app, &other, "k-1", new_unit("Tổ 3")).await.status, 201);
}

#[actix_web::test]
async fn a_rejected_request_does_not_burn_its_key() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, HA_LONG).await;
    let dup = json!({"parent_id": unit(HA_LONG), "kind": "organization", "name": "X", "code": "13633", "valid_from": "2020-01-01"});
    post_with_key(&app, &admin, "k-2", dup).await.assert_problem(409);
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM idempotency_keys").await,
        0,
        "rolled back with the failed write"
    );
    assert_eq!(post_with_key(&app, &admin, "k-2", new_unit("Tổ 4")).await.status, 201);
    let bad = TestRequest::post()
        .uri("/api/v1/units")
        .insert_header(("authorization", format!("Bearer {admin}")))
        .insert_header(("idempotency-key", "x".repeat(300)))
        .set_json(new_unit("Tổ 5"));
    app.send(bad).await.assert_problem(400);
}

#[actix_web::test]
async fn racing_identical_posts_create_one_record() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, HA_LONG).await;
    // With an Idempotency-Key.
    let (a, b) = futures_util::future::join(
        post_with_key(&app, &admin, "race", new_unit("Tổ đua")),
        post_with_key(&app, &admin, "race", new_unit("Tổ đua")),
    )
    .await;
    assert_eq!((a.status.as_u16(), b.status.as_u16()), (201, 201));
    assert_eq!(a.json()["id"], b.json()["id"]);
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM units WHERE name = 'Tổ đua'").await,
        1
    );
    // With a client-chosen id and no key.
    let id = Uuid::new_v4();
    let body = json!({"id": id, "parent_id": unit(HA_LONG), "kind": "organization", "name": "Tổ offline"});
    let (a, b) = futures_util::future::join(
        app.post("/api/v1/units", Some(&admin), body.clone()),
        app.post("/api/v1/units", Some(&admin), body.clone()),
    )
    .await;
    assert_eq!(
        (a.status.as_u16(), b.status.as_u16()),
        (201, 201),
        "{} / {}",
        a.text(),
        b.text()
    );
    assert_eq!(a.json(), b.json());
    assert_eq!(
        count(&app, &format!("SELECT count(*) AS n FROM units WHERE id = '{id}'")).await,
        1
    );
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) AS n FROM audit_events WHERE record_id = '{id}'")
        )
        .await,
        1
    );
}

#[actix_web::test]
async fn a_repeated_client_id_replays_or_conflicts() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, HA_LONG).await;
    let id = Uuid::new_v4();
    let body = json!({"id": id, "parent_id": unit(HA_LONG), "kind": "organization", "name": "Tổ 7", "valid_from": "2024-01-01"});
    let first = app.post("/api/v1/units", Some(&admin), body.clone()).await;
    assert_eq!(first.status, 201);
    let again = app.post("/api/v1/units", Some(&admin), body.clone()).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.json(), first.json());
    let mut changed = body.clone();
    changed["name"] = json!("Tổ 8");
    app.post("/api/v1/units", Some(&admin), changed)
        .await
        .assert_problem(409);
}

#[actix_web::test]
async fn deletion_is_soft_and_reaches_the_feed_as_a_tombstone() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, HA_LONG).await;
    let created = app.post("/api/v1/units", Some(&admin), new_unit("Tổ tạm")).await.json();
    let id = created["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/units/{id}");
    app.call(Method::DELETE, &path, Some(&admin), None)
        .await
        .assert_problem(428);
    let del = |m: &'static str, token: String| {
        let req = TestRequest::delete()
            .uri(&path)
            .insert_header(("authorization", format!("Bearer {token}")))
            .insert_header(("if-match", m));
        app.send(req)
    };
    del("\"7\"", admin.clone()).await.assert_problem(412);
    del("\"1\"", app.token(Role::Manager, HA_LONG).await)
        .await
        .assert_problem(403);
    del("\"1\"", app.token(Role::Admin, TRAN_DANG_NINH).await)
        .await
        .assert_problem(404);
    app.call(Method::DELETE, &path, None, None).await.assert_problem(401);
    let gone = del("\"1\"", admin.clone()).await;
    assert_eq!(gone.status, 204, "{}", gone.text());
    app.get(&path, Some(&admin)).await.assert_problem(404);
    let list = app.get("/api/v1/units?limit=500", Some(&admin)).await.json();
    assert!(list["data"].as_array().unwrap().iter().all(|u| u["id"] != id.as_str()));
    let is_tombstone = |i: &Value| i["id"] == id.as_str() && i["deleted"] == true;
    let (items, _) = feed_until(&app, &admin, None, |items| items.iter().any(is_tombstone)).await;
    let last = items.last().unwrap().clone();
    assert_eq!(
        (last["type"].as_str(), last["id"].as_str(), last["deleted"].as_bool()),
        (Some("unit"), Some(id.as_str()), Some(true))
    );
    assert_eq!(last["data"], Value::Null);
    // A unit with sub-units, or the caller's own unit, cannot be deleted.
    let city = app.token(Role::Admin, CITY).await;
    let req = |u: Uuid, t: &str| {
        TestRequest::delete()
            .uri(&format!("/api/v1/units/{u}"))
            .insert_header(("authorization", format!("Bearer {t}")))
            .insert_header(("if-match", "*"))
    };
    app.send(req(unit("province:36"), &app.token(Role::Admin, COUNTRY).await))
        .await
        .assert_problem(409);
    app.send(req(unit(CITY), &city)).await.assert_problem(409);
}

#[actix_web::test]
async fn the_feed_starts_with_the_reference_data_and_respects_scope() {
    let app = TestApp::spawn().await;
    let city = app.token(Role::Viewer, CITY).await;
    let (items, _) = drain(&app, &city, None, 7).await;
    let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    let unique: HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no change twice");
    assert_eq!(
        items.iter().filter(|i| i["type"] == "unit").count(),
        34,
        "the city's units"
    );
    assert!(items.iter().all(|i| i["action"] == "create"));
    let ward = app.token(Role::Viewer, HA_LONG).await;
    let (items, _) = drain(&app, &ward, None, 50).await;
    let units: Vec<&Value> = items.iter().filter(|i| i["type"] == "unit").collect();
    assert_eq!(units.len(), 1);
    assert_eq!(units[0]["data"]["name"], "Phường Hạ Long");
    assert!(items
        .iter()
        .all(|i| i["type"] == "unit" || i["type"] == "legal_document"));
    app.get("/api/v1/changes", None).await.assert_problem(401);
    app.get("/api/v1/changes?since=garbage", Some(&ward))
        .await
        .assert_problem(422);
}

#[actix_web::test]
async fn the_feed_follows_changes_from_now() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, HA_LONG).await;
    let head = app.get("/api/v1/changes?since=now", Some(&admin)).await.json();
    assert!(head["data"].as_array().unwrap().is_empty());
    let cursor = head["next_cursor"].as_str().unwrap().to_string();
    let created = app.post("/api/v1/units", Some(&admin), new_unit("Tổ mới")).await.json();
    let etag = format!("\"{}\"", created["version"]);
    app.patch(
        &format!("/api/v1/units/{}", created["id"].as_str().unwrap()),
        Some(&admin),
        Some(&etag),
        json!({"name": "Tổ mới (sửa)"}),
    )
    .await;
    let (items, next) = feed_until(&app, &admin, Some(cursor), |items| items.len() >= 2).await;
    let seen: Vec<(&str, &str)> = items
        .iter()
        .map(|i| (i["action"].as_str().unwrap(), i["data"]["name"].as_str().unwrap()))
        .collect();
    assert_eq!(seen, vec![("create", "Tổ mới"), ("update", "Tổ mới (sửa)")]);
    let (again, _) = drain(&app, &admin, Some(next), 50).await;
    assert!(again.is_empty(), "nothing twice");
}

async fn raw_event(conn: &mut AsyncPgConnection, name: &str) {
    diesel::sql_query(
        "INSERT INTO audit_events (actor_kind, resource, record_id, record_unit_id, record_unit_path, action, after) \
         SELECT 'system', 'unit', gen_random_uuid(), id, path, 'update', jsonb_build_object('name', $1::text) FROM units WHERE id = $2",
    )
    .bind::<diesel::sql_types::Text, _>(name)
    .bind::<diesel::sql_types::Uuid, _>(unit(HA_LONG))
    .execute(conn)
    .await
    .unwrap();
}

#[actix_web::test]
async fn transactions_committing_out_of_order_are_neither_missed_nor_repeated() {
    let app = TestApp::spawn().await;
    let ward = app.token(Role::Viewer, HA_LONG).await;
    let (_, cursor) = drain(&app, &ward, None, 50).await;

    let mut first = AsyncPgConnection::establish(&app.db_url).await.unwrap();
    let mut second = AsyncPgConnection::establish(&app.db_url).await.unwrap();
    exec(&mut first, "BEGIN").await.unwrap();
    raw_event(&mut first, "A (started first, commits last)").await;
    exec(&mut second, "BEGIN").await.unwrap();
    raw_event(&mut second, "B (started second, commits first)").await;
    exec(&mut second, "COMMIT").await.unwrap();

    // B is committed, but A (an older transaction) is still open: the feed holds B back, since
    // handing out a cursor past B now would skip A when it commits.
    let (during, cursor) = drain(&app, &ward, Some(cursor), 50).await;
    assert!(during.is_empty(), "{during:?}");

    exec(&mut first, "COMMIT").await.unwrap();
    let (after, cursor) = feed_until(&app, &ward, Some(cursor), |items| items.len() >= 2).await;
    let names: Vec<&str> = after.iter().map(|i| i["data"]["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        vec!["A (started first, commits last)", "B (started second, commits first)"]
    );
    let (later, _) = drain(&app, &ward, Some(cursor), 50).await;
    assert!(later.is_empty());
}

#[actix_web::test]
async fn the_feed_orders_transaction_ids_as_numbers() {
    let app = TestApp::spawn().await;
    let ward = app.token(Role::Viewer, HA_LONG).await;
    let mut conn = app.conn().await;
    // Two committed changes whose transaction ids differ in their number of digits: as text,
    // "1000" would sort before "999" and a client would get them out of order.
    for (txid, name) in [(999, "nine hundred ninety-nine"), (1000, "one thousand")] {
        diesel::sql_query(
            "INSERT INTO audit_events (txid, actor_kind, resource, record_id, record_unit_id, record_unit_path, action, after) \
             SELECT $1::text::xid8, 'system', 'unit', gen_random_uuid(), id, path, 'update', jsonb_build_object('name', $2::text) \
               FROM units WHERE id = $3",
        )
        .bind::<diesel::sql_types::Text, _>(txid.to_string())
        .bind::<diesel::sql_types::Text, _>(name)
        .bind::<diesel::sql_types::Uuid, _>(unit(HA_LONG))
        .execute(&mut *conn)
        .await
        .unwrap();
    }
    let (items, _) = drain(&app, &ward, None, 500).await;
    let names: Vec<&str> = items.iter().filter_map(|i| i["data"]["name"].as_str()).collect();
    let at = |n: &str| names.iter().position(|x| *x == n).unwrap();
    assert!(at("nine hundred ninety-nine") < at("one thousand"), "{names:?}");
    // Paging one change at a time visits each once, in order.
    let mut cursor = None;
    let mut one_by_one = Vec::new();
    loop {
        let url = match &cursor {
            Some(c) => format!("/api/v1/changes?limit=1&since={c}"),
            None => "/api/v1/changes?limit=1".to_string(),
        };
        let page = app.get(&url, Some(&ward)).await.json();
        one_by_one.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|i| i["data"]["name"].as_str().map(str::to_string)),
        );
        cursor = Some(page["next_cursor"].as_str().unwrap().to_string());
        if page["has_more"] != true {
            break;
        }
    }
    assert_eq!(one_by_one, names);
}

/// Every item carries the feed's position just after it: resuming from an item's cursor gives
/// exactly the items that follow it.
#[actix_web::test]
async fn each_change_carries_the_cursor_to_resume_after_it() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, CITY).await;
    for i in 0..3 {
        let res = app
            .post("/api/v1/units", Some(&admin), new_unit(&format!("Tổ dân phố {i}")))
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
    }
    let (items, _) = feed_until(&app, &admin, None, |items| {
        items
            .iter()
            .filter(|i| i["data"]["name"].as_str().is_some_and(|n| n.starts_with("Tổ dân phố")))
            .count()
            == 3
    })
    .await;
    assert!(items.len() >= 3);
    let k = items.len() - 3;
    let cursor = items[k]["cursor"].as_str().unwrap().to_string();
    let (rest, _) = drain(&app, &admin, Some(cursor), 500).await;
    let ids = |v: &[Value]| {
        v.iter()
            .map(|i| (i["id"].clone(), i["cursor"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&rest), ids(&items[k + 1..]), "resumed right after item {k}");
}
