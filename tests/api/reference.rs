//! Reference data as data: the seed inserts what is missing, updates only rows still as it last
//! wrote them, and leaves (and reports) what an admin changed through the API.

use binhdang::auth::Role;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use serde_json::json;

use crate::harness::*;

#[derive(diesel::QueryableByName)]
struct One {
    #[diesel(sql_type = Text)]
    v: String,
}

async fn value(app: &TestApp, sql: &str) -> String {
    let mut conn = app.conn().await;
    diesel::sql_query(sql).get_result::<One>(&mut conn).await.expect(sql).v
}

#[actix_web::test]
async fn a_second_seed_changes_nothing() {
    let app = TestApp::spawn().await;
    let mut conn = app.conn().await;
    let report = binhdang::seed::seed_reference(&mut conn).await.unwrap();
    assert_eq!((report.inserted, report.updated, report.kept.len()), (0, 0, 0));
}

#[actix_web::test]
async fn an_admins_change_is_never_overwritten_and_is_reported() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, COUNTRY).await;
    let res = app
        .post(
            "/api/v1/holidays",
            Some(&admin),
            json!({"day": "2025-09-01", "name": "Quốc khánh (ngày liền kề, đã đối chiếu)", "source": "Thông báo năm 2025"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let rule = binhdang::seed::seed_id("violation-rule:125-politics-1");
    let fixed = app
        .patch(
            &format!("/api/v1/violation-rules/{rule}"),
            Some(&admin),
            Some("*"),
            json!({"description": "Mô tả do quản trị viên sửa"}),
        )
        .await;
    assert_eq!(fixed.status, 200, "{}", fixed.text());
    let mut conn = app.conn().await;
    let report = binhdang::seed::seed_reference(&mut conn).await.unwrap();
    assert_eq!((report.inserted, report.updated), (0, 0));
    let kept: Vec<String> = report.kept.iter().map(|d| d.to_string()).collect();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(
        kept.iter()
            .any(|k| k.starts_with("holidays 2025-09-01") && k.contains("name, source, verified")),
        "{kept:?}"
    );
    assert!(
        kept.iter()
            .any(|k| k.starts_with("violation_rules") && k.contains("description")),
        "{kept:?}"
    );
    assert_eq!(
        value(&app, "SELECT name AS v FROM holidays WHERE day = '2025-09-01'").await,
        "Quốc khánh (ngày liền kề, đã đối chiếu)"
    );
    assert_eq!(
        value(
            &app,
            &format!("SELECT description AS v FROM violation_rules WHERE id = '{rule}'")
        )
        .await,
        "Mô tả do quản trị viên sửa"
    );
}

/// A row still as an earlier seed wrote it takes the file's correction (here the article number
/// of Decree 125/2021's politics rules, 7 before this correction), with a new version for sync
/// clients; a row the seed never recorded and nobody but the seed touched is adopted the same way.
#[actix_web::test]
async fn a_row_still_as_the_seed_wrote_it_takes_the_correction() {
    let app = TestApp::spawn().await;
    let rule = binhdang::seed::seed_id("violation-rule:125-politics-2");
    let legacy = binhdang::seed::seed_id("violation-rule:125-politics-3");
    {
        let mut conn = app.conn().await;
        exec(
            &mut conn,
            &format!("UPDATE violation_rules SET article = 7 WHERE id IN ('{rule}', '{legacy}')"),
        )
        .await
        .unwrap();
        exec(
            &mut conn,
            &format!(
                "UPDATE seed_state SET written = jsonb_set(written, '{{article}}', '7') \
                 WHERE table_name = 'violation_rules' AND key = '{rule}'"
            ),
        )
        .await
        .unwrap();
        exec(&mut conn, &format!("DELETE FROM seed_state WHERE key = '{legacy}'"))
            .await
            .unwrap();
        let report = binhdang::seed::seed_reference(&mut conn).await.unwrap();
        assert_eq!((report.inserted, report.updated, report.kept.len()), (0, 2, 0));
    }
    for id in [rule, legacy] {
        assert_eq!(
            value(
                &app,
                &format!("SELECT article::text AS v FROM violation_rules WHERE id = '{id}'")
            )
            .await,
            "6"
        );
    }
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let mut conn = app.conn().await;
    let n: N = diesel::sql_query(format!("SELECT version AS n FROM violation_rules WHERE id = '{rule}'"))
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(n.n, 2, "the version grew");
}

/// The seeded catalogue says where each value comes from.
#[actix_web::test]
async fn seeded_reference_rows_carry_their_sources() {
    let app = TestApp::spawn().await;
    let viewer = app.token(Role::Viewer, HA_LONG).await;
    let decrees = app.get("/api/v1/decrees", Some(&viewer)).await.json();
    let d125 = decrees
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "125/2021/NĐ-CP")
        .cloned()
        .unwrap();
    assert_eq!(
        d125["title"],
        "Quy định xử phạt vi phạm hành chính trong lĩnh vực bình đẳng giới"
    );
    assert_eq!(
        (d125["verified"].as_bool(), d125["limitation_months"].as_i64()),
        (Some(true), Some(12))
    );
    assert!(d125["source"].as_str().unwrap().contains("15/2012/QH13"));
    let rules = app.get("/api/v1/violation-rules", Some(&viewer)).await.json();
    assert!(rules
        .as_array()
        .unwrap()
        .iter()
        .all(|r| !r["source"].as_str().unwrap().is_empty()));
    let doc = app
        .get(
            &format!("/api/v1/documents/{}", binhdang::seed::seed_id("document:nd-125-2021")),
            Some(&viewer),
        )
        .await
        .json();
    assert_eq!(
        doc["title"],
        "Quy định xử phạt vi phạm hành chính trong lĩnh vực bình đẳng giới"
    );
    let powers = app.get("/api/v1/fining-authorities", Some(&viewer)).await.json();
    assert!(powers
        .as_array()
        .unwrap()
        .iter()
        .all(|p| !p["legal_basis"].as_str().unwrap().is_empty()));
}
