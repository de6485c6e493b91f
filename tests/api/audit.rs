//! The audit trail: every change, in the same transaction, append-only, for admins.

use binhdang::auth::Role;
use serde_json::json;

use crate::harness::*;

#[actix_web::test]
async fn changes_are_recorded_with_before_and_after() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, HA_LONG).await;
    let path = format!("/api/v1/units/{}", unit(HA_LONG));
    assert_eq!(
        app.patch(
            &path,
            Some(&admin),
            Some("\"1\""),
            json!({"name": "Phường Hạ Long mới"})
        )
        .await
        .status,
        200
    );
    let events = app
        .get(
            &format!("/api/v1/audit-events?record_id={}", unit(HA_LONG)),
            Some(&admin),
        )
        .await;
    assert_eq!(events.status, 200, "{}", events.text());
    let events = events.json();
    let latest = &events["data"][0];
    assert_eq!(latest["action"], "update");
    assert_eq!(latest["resource"], "unit");
    assert_eq!(latest["actor"]["kind"], "user");
    assert_eq!(latest["actor"]["name"], "test.admin");
    assert_eq!(latest["before"]["name"], "Phường Hạ Long");
    assert_eq!(latest["after"]["name"], "Phường Hạ Long mới");
    assert_eq!(latest["after"]["version"], 2);
    assert!(latest["request_id"].as_str().is_some());
    assert_eq!(events["data"][1]["action"], "create");
    assert_eq!(events["data"][1]["actor"]["kind"], "system");
}

#[actix_web::test]
async fn a_rejected_change_leaves_no_entry() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, CITY).await;
    let path = format!("/api/v1/units/{}", unit(HA_LONG));
    // Code 13636 already belongs to another ward of the same era: 409, nothing recorded.
    app.patch(&path, Some(&admin), Some("\"1\""), json!({"code": "13636"}))
        .await
        .assert_problem(409);
    let events = app
        .get(
            &format!("/api/v1/audit-events?record_id={}&resource=unit", unit(HA_LONG)),
            Some(&admin),
        )
        .await
        .json();
    assert_eq!(events["data"].as_array().unwrap().len(), 1, "only the seed's create");
}

#[actix_web::test]
async fn the_trail_is_append_only() {
    let app = TestApp::spawn().await;
    let mut conn = app.conn().await;
    let update = exec(&mut conn, "UPDATE audit_events SET action = 'forged'").await;
    assert!(update.is_err());
    assert!(exec(&mut conn, "DELETE FROM audit_events").await.is_err());
    assert!(exec(&mut conn, "TRUNCATE audit_events").await.is_err());
}

#[actix_web::test]
async fn admins_read_their_subtree_only() {
    let app = TestApp::spawn().await;
    let ward_admin = app.token(Role::Admin, HA_LONG).await;
    let mine = app
        .get("/api/v1/audit-events?limit=500", Some(&ward_admin))
        .await
        .json();
    // Records of the ward, and the records that belong to no unit (legal documents).
    let units: Vec<&str> = mine["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["resource"] != "legal_document")
        .map(|e| e["unit_id"].as_str().unwrap())
        .collect();
    assert!(!units.is_empty());
    assert!(units.iter().all(|u| *u == unit(HA_LONG).to_string()));
    let city = app
        .get(
            &format!("/api/v1/audit-events?unit_id={}&limit=500", unit(CITY)),
            Some(&app.token(Role::Admin, CITY).await),
        )
        .await
        .json();
    assert_eq!(
        city["data"].as_array().unwrap().len(),
        35,
        "34 units and one lineage link"
    );
    let outside = app
        .get(
            &format!("/api/v1/audit-events?unit_id={}", unit(CITY)),
            Some(&ward_admin),
        )
        .await
        .json();
    assert!(outside["data"].as_array().unwrap().is_empty());
    // Pagination, oldest first when asked.
    let page = app
        .get(
            "/api/v1/audit-events?limit=2&sort=at",
            Some(&app.token(Role::Admin, CITY).await),
        )
        .await
        .json();
    let next = app
        .get(
            &format!(
                "/api/v1/audit-events?limit=2&sort=at&cursor={}",
                page["next_cursor"].as_str().unwrap()
            ),
            Some(&app.token(Role::Admin, CITY).await),
        )
        .await
        .json();
    assert!(page["data"][1]["seq"].as_i64().unwrap() < next["data"][0]["seq"].as_i64().unwrap());
    app.get("/api/v1/audit-events", Some(&app.token(Role::Manager, CITY).await))
        .await
        .assert_problem(403);
    app.get("/api/v1/audit-events", None).await.assert_problem(401);
    app.get("/api/v1/audit-events?from=yesterday", Some(&ward_admin))
        .await
        .assert_invalid("from");
}

#[actix_web::test]
async fn users_and_holidays_are_audited_without_secrets() {
    let app = TestApp::spawn().await;
    app.user("ward.clerk", "a-secret-password", Role::Officer, HA_LONG)
        .await;
    let admin = app.token(Role::Admin, CITY).await;
    let users = app.get("/api/v1/audit-events?resource=user", Some(&admin)).await;
    let data = users.json()["data"].clone();
    assert_eq!(data[0]["after"]["username"], "ward.clerk");
    assert_eq!(data[0]["actor"]["kind"], "system");
    assert!(!users.text().contains("argon2"), "never the password hash");
    assert_eq!(
        app.post(
            "/api/v1/holidays",
            Some(&app.token(Role::Admin, COUNTRY).await),
            json!({"day": "2026-09-01", "name": "Quốc khánh", "source": "Thông báo lịch nghỉ Quốc khánh 2026"})
        )
        .await
        .status,
        200
    );
    let h = app
        .get("/api/v1/audit-events?resource=holiday", Some(&admin))
        .await
        .json();
    assert_eq!(h["data"][0]["after"]["day"], "2026-09-01");
    // Colleagues' accounts are not in a viewer's change feed.
    let (items, _) = feed_until(&app, &app.token(Role::Viewer, HA_LONG).await, None, |_| true).await;
    assert!(items.iter().all(|i| i["type"] != "user"));
}

/// An audit page is written straight from its rows (`before` and `after` as PostgreSQL sends
/// them): every item of every page, in both orders, is the event as serde writes it from the
/// same row, and the cursors walk them all.
#[actix_web::test]
async fn a_listed_event_is_the_event_read_by_serde() {
    use diesel_async::RunQueryDsl;
    let app = TestApp::spawn().await;
    let officer = app.token(Role::Officer, HA_LONG).await;
    let admin = app.token(Role::Admin, CITY).await;
    let body = json!({
        "title": "Tập huấn \"đặc biệt\"\n\\ tab\t</script> \u{1F469}", "starts_on": "2020-11-20", "ends_on": "2020-11-21",
        "topics": ["gbv"], "trainers": ["Trần \"Văn\" Bình"], "participants": {"female": 3, "male": 1, "other": 0}
    });
    let created = app.post("/api/v1/trainings", Some(&officer), body).await;
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["id"].as_str().unwrap().to_string();
    let res = app
        .patch(
            &format!("/api/v1/trainings/{id}"),
            Some(&officer),
            Some("\"1\""),
            json!({"location": "Nhà văn hoá \"tổ 5\"", "participants": {"female": 4, "male": 1, "other": 0}}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let mut conn = app.conn().await;
    let rows: Vec<binhdang::audit_events::model::AuditRow> = diesel::sql_query(
        "SELECT seq, at, actor_kind, actor_id, actor_name, actor_unit_id, resource, record_id, record_unit_id, \
         action, before, after, request_id FROM audit_events WHERE resource = 'training' ORDER BY seq",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let mut expected: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|r| serde_json::to_value(binhdang::audit_events::api::AuditEvent::from(r)).unwrap())
        .collect();
    assert_eq!(expected.len(), 2, "{expected:?}");
    assert!(
        expected[1]["before"].is_object() && expected[1]["after"].is_object(),
        "{expected:?}"
    );
    let url = "/api/v1/audit-events?resource=training&limit=1";
    assert_eq!(app.walk_pages(&format!("{url}&sort=at"), Some(&admin)).await, expected);
    expected.reverse();
    assert_eq!(app.walk_pages(&format!("{url}&sort=-at"), Some(&admin)).await, expected);
}
