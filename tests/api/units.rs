//! Units: scope, lists (filters, search, pagination, sort), get, create, patch, tree, lineage.

use std::collections::HashSet;

use binhdang::auth::Role;
use serde_json::{json, Value};

use crate::harness::*;

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_string())
        .collect()
}

fn names(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap().to_string())
        .collect()
}

#[actix_web::test]
async fn a_ward_sees_only_its_own_ward() {
    let app = TestApp::spawn().await;
    let ward = app.token(Role::Viewer, HA_LONG).await;
    let page = app.get("/api/v1/units?limit=500", Some(&ward)).await;
    assert_eq!(page.status, 200);
    assert_eq!(names(&page.json()), vec!["Phường Hạ Long"]);
    // Another ward's unit, the parent city: 404, as if they did not exist.
    app.get(&format!("/api/v1/units/{}", unit(TRAN_DANG_NINH)), Some(&ward))
        .await
        .assert_problem(404);
    app.get(&format!("/api/v1/units/{}", unit(CITY)), Some(&ward))
        .await
        .assert_problem(404);
    app.get(&format!("/api/v1/units/{}/tree", unit(CITY)), Some(&ward))
        .await
        .assert_problem(404);
}

#[actix_web::test]
async fn the_city_sees_its_whole_tree_and_a_department_only_itself() {
    let app = TestApp::spawn().await;
    let city = app.token(Role::Admin, CITY).await;
    let page = app.get("/api/v1/units?limit=500", Some(&city)).await.json();
    let data = page["data"].as_array().unwrap();
    // The city, its 25 wards and communes, 7 departments and the committee.
    assert_eq!(data.len(), 1 + 25 + 7 + 1);
    let wards = app
        .get(
            &format!("/api/v1/units?parent_id={}&kind=ward&limit=500", unit(CITY)),
            Some(&city),
        )
        .await
        .json();
    assert_eq!(wards["data"].as_array().unwrap().len(), 22);
    let communes = app
        .get(
            &format!("/api/v1/units?parent_id={}&kind=commune", unit(CITY)),
            Some(&city),
        )
        .await
        .json();
    assert_eq!(names(&communes), vec!["Xã Lộc An", "Xã Nam Phong", "Xã Nam Vân"]);

    let dept = app.token(Role::Admin, "dept:356:noivu").await;
    let page = app.get("/api/v1/units", Some(&dept)).await.json();
    assert_eq!(names(&page), vec!["Phòng Nội vụ"]);
}

#[actix_web::test]
async fn search_ignores_diacritics_and_case() {
    let app = TestApp::spawn().await;
    let city = app.token(Role::Viewer, CITY).await;
    let find = |q: &'static str| {
        let app = &app;
        let city = city.clone();
        async move { names(&app.get(&format!("/api/v1/units?q={q}"), Some(&city)).await.json()) }
    };
    assert_eq!(find("ha%20long").await, vec!["Phường Hạ Long"]);
    assert_eq!(find("HA%20LONG").await, vec!["Phường Hạ Long"]);
    assert_eq!(find("dang").await, vec!["Phường Trần Đăng Ninh"]);
    assert_eq!(
        find("h%E1%BA%A1%20long").await,
        vec!["Phường Hạ Long"],
        "with diacritics too"
    );
    assert!(find("100%25").await.is_empty(), "LIKE wildcards are literal");
    assert_eq!(
        find("loc").await,
        vec!["Phường Lộc Hạ", "Phường Lộc Hòa", "Phường Lộc Vượng", "Xã Lộc An"]
    );
}

#[actix_web::test]
async fn search_uses_the_trigram_index() {
    let app = TestApp::spawn().await;
    let mut conn = app.conn().await;
    exec(&mut conn, "SET enable_seqscan = off").await.unwrap();
    #[derive(diesel::QueryableByName)]
    struct Plan {
        #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
        line: String,
    }
    use diesel_async::RunQueryDsl;
    let plan: Vec<Plan> =
        diesel::sql_query("EXPLAIN SELECT id FROM units WHERE name_folded LIKE '%' || bd_fold('ha long') || '%'")
            .load(&mut conn)
            .await
            .unwrap();
    let text: String = plan.iter().map(|p| p.line.as_str()).collect::<Vec<_>>().join("\n");
    assert!(text.contains("units_name_trgm"), "{text}");
}

#[actix_web::test]
async fn pages_are_stable_and_complete() {
    let app = TestApp::spawn().await;
    let city = app.token(Role::Admin, CITY).await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut inserted = false;
    loop {
        let url = match &cursor {
            Some(c) => format!("/api/v1/units?limit=7&cursor={c}"),
            None => "/api/v1/units?limit=7".to_string(),
        };
        let page = app.get(&url, Some(&city)).await;
        assert_eq!(page.status, 200, "{}", page.text());
        let page = page.json();
        assert!(page["data"].as_array().unwrap().len() <= 7);
        seen.extend(ids(&page));
        if !inserted {
            // A unit inserted before the cursor's position between two pages shifts nothing.
            let res = app
                .post(
                    "/api/v1/units",
                    Some(&city),
                    json!({"parent_id": unit(CITY), "kind": "organization", "name": "AAA Hội Phụ nữ"}),
                )
                .await;
            assert_eq!(res.status, 201);
            inserted = true;
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no row repeated");
    assert_eq!(
        seen.len(),
        34,
        "every row seen once (the new row sorts before the cursor)"
    );
}

#[actix_web::test]
async fn sort_limit_and_cursor_rules() {
    let app = TestApp::spawn().await;
    let city = app.token(Role::Viewer, CITY).await;
    let desc = app.get("/api/v1/units?sort=-name&limit=3", Some(&city)).await.json();
    assert_eq!(names(&desc), vec!["Xã Nam Vân", "Xã Nam Phong", "Xã Lộc An"]);
    let next = app
        .get(
            &format!(
                "/api/v1/units?sort=-name&limit=3&cursor={}",
                desc["next_cursor"].as_str().unwrap()
            ),
            Some(&city),
        )
        .await;
    assert_eq!(next.status, 200);
    // Clamped, not an error.
    let all = app.get("/api/v1/units?limit=100000", Some(&city)).await;
    assert_eq!(all.status, 200);
    assert_eq!(all.json()["data"].as_array().unwrap().len(), 34);
    let by_created = app
        .get("/api/v1/units?sort=created_at&limit=2", Some(&city))
        .await
        .json();
    let more = app
        .get(
            &format!(
                "/api/v1/units?sort=created_at&limit=2&cursor={}",
                by_created["next_cursor"].as_str().unwrap()
            ),
            Some(&city),
        )
        .await;
    assert_eq!(more.status, 200);
    assert!(ids(&more.json()).iter().all(|id| !ids(&by_created).contains(id)));

    let p = app
        .get("/api/v1/units?sort=password", Some(&city))
        .await
        .assert_problem(422);
    assert_eq!(p["errors"][0]["field"], "sort");
    let p = app
        .get("/api/v1/units?cursor=nonsense", Some(&city))
        .await
        .assert_problem(422);
    assert_eq!(p["errors"][0]["field"], "cursor");
    app.get(
        &format!(
            "/api/v1/units?sort=created_at&cursor={}",
            desc["next_cursor"].as_str().unwrap()
        ),
        Some(&city),
    )
    .await
    .assert_problem(422);
    app.get("/api/v1/units?kind=planet", Some(&city))
        .await
        .assert_invalid("kind");
    app.get("/api/v1/units?parent_id=not-a-uuid", Some(&city))
        .await
        .assert_invalid("parent_id");
    app.get("/api/v1/units", None).await.assert_problem(401);
}

#[actix_web::test]
async fn filters_by_parent_with_descendants_code_and_date() {
    let app = TestApp::spawn().await;
    let root = app.token(Role::Viewer, COUNTRY).await;
    let under_province = app
        .get(
            &format!(
                "/api/v1/units?parent_id={}&include_descendants=true&limit=500",
                unit("province:36")
            ),
            Some(&root),
        )
        .await
        .json();
    assert_eq!(under_province["data"].as_array().unwrap().len(), 34);
    let code = app.get("/api/v1/units?code=13666", Some(&root)).await.json();
    assert_eq!(
        names(&code),
        vec!["Phường Nam Định", "Phường Trần Hưng Đạo"],
        "codes are reused across eras"
    );
    let now = app
        .get("/api/v1/units?code=13666&valid_on=2026-01-01", Some(&root))
        .await
        .json();
    assert_eq!(names(&now), vec!["Phường Nam Định"]);
    let then = app
        .get("/api/v1/units?code=13666&valid_on=2020-11-15", Some(&root))
        .await
        .json();
    assert_eq!(names(&then), vec!["Phường Trần Hưng Đạo"]);
    // A parent outside the caller's scope lists nothing (as a parent that does not exist).
    let ward = app.token(Role::Viewer, HA_LONG).await;
    let none = app
        .get(&format!("/api/v1/units?parent_id={}", unit(CITY)), Some(&ward))
        .await
        .json();
    assert!(none["data"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn get_returns_an_etag() {
    let app = TestApp::spawn().await;
    let ward = app.token(Role::Viewer, HA_LONG).await;
    let res = app.get(&format!("/api/v1/units/{}", unit(HA_LONG)), Some(&ward)).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("etag"), Some("\"1\""));
    let u = res.json();
    assert_eq!(u["code"], "13633");
    assert_eq!(u["kind"], "ward");
    assert_eq!(u["valid_to"], "2025-06-30");
    assert!(u.get("path").is_none(), "internal columns stay inside");
    app.get(&format!("/api/v1/units/{}", unit(HA_LONG)), None)
        .await
        .assert_problem(401);
    app.get("/api/v1/units/not-a-uuid", Some(&ward))
        .await
        .assert_problem(404);
    app.get(&format!("/api/v1/units/{}", uuid::Uuid::new_v4()), Some(&ward))
        .await
        .assert_problem(404);
}

#[actix_web::test]
async fn only_admins_create_units_inside_their_subtree() {
    let app = TestApp::spawn().await;
    let body = json!({"parent_id": unit(HA_LONG), "kind": "organization", "code": "HL-01", "name": "Chi hội Phụ nữ tổ dân phố 1", "valid_from": "2021-01-01"});
    let ward_admin = app.token(Role::Admin, HA_LONG).await;
    let res = app.post("/api/v1/units", Some(&ward_admin), body.clone()).await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.header("etag"), Some("\"1\""));
    let created = res.json();
    assert_eq!(created["parent_id"], unit(HA_LONG).to_string());
    assert_eq!(created["depth"], 4);
    // It is now in the ward's scope.
    assert_eq!(
        app.get(
            &format!("/api/v1/units/{}", created["id"].as_str().unwrap()),
            Some(&ward_admin)
        )
        .await
        .status,
        200
    );

    // Same code, same start date: conflict.
    let p = app
        .post("/api/v1/units", Some(&ward_admin), body.clone())
        .await
        .assert_problem(409);
    assert!(p["detail"].as_str().unwrap().contains("code"));
    // Not an admin: 403. No token: 401.
    let manager = app.token(Role::Manager, HA_LONG).await;
    app.post("/api/v1/units", Some(&manager), body.clone())
        .await
        .assert_problem(403);
    app.post("/api/v1/units", None, body.clone()).await.assert_problem(401);
    // Another ward's admin: the parent is unknown to it.
    let other = app.token(Role::Admin, TRAN_DANG_NINH).await;
    let p = app
        .post("/api/v1/units", Some(&other), body.clone())
        .await
        .assert_problem(422);
    assert_eq!(p["errors"][0]["field"], "parent_id");
    // Bad input.
    let p = app
        .post(
            "/api/v1/units",
            Some(&ward_admin),
            json!({"parent_id": unit(HA_LONG), "kind": "ward", "name": "", "code": "has space"}),
        )
        .await
        .assert_problem(422);
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["code", "name"]);
    app.post(
        "/api/v1/units",
        Some(&ward_admin),
        json!({"parent_id": unit(HA_LONG), "kind": "planet", "name": "x"}),
    )
    .await
    .assert_problem(422);
    app.post("/api/v1/units", Some(&ward_admin), json!({"parent_id": unit(HA_LONG), "kind": "ward", "name": "x", "valid_from": "2022-01-01", "valid_to": "2021-01-01"}))
        .await
        .assert_problem(422);
}

#[actix_web::test]
async fn a_client_chosen_id_is_kept_and_cannot_be_reused() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, CITY).await;
    let id = uuid::Uuid::new_v4();
    let body =
        json!({"id": id, "parent_id": unit(CITY), "kind": "organization", "name": "Hội Liên hiệp Phụ nữ thành phố"});
    let res = app.post("/api/v1/units", Some(&admin), body.clone()).await;
    assert_eq!(res.status, 201);
    assert_eq!(res.json()["id"], id.to_string());
    app.post(
        "/api/v1/units",
        Some(&admin),
        json!({"id": id, "parent_id": unit(CITY), "kind": "organization", "name": "Khác"}),
    )
    .await
    .assert_problem(409);
}

#[actix_web::test]
async fn patch_needs_if_match_and_reports_a_stale_one() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, HA_LONG).await;
    let path = format!("/api/v1/units/{}", unit(HA_LONG));
    let body = json!({"name": "Phường Hạ Long (cũ)"});
    app.patch(&path, Some(&admin), None, body.clone())
        .await
        .assert_problem(428);
    app.patch(&path, Some(&admin), Some("3"), body.clone())
        .await
        .assert_problem(400);
    let ok = app.patch(&path, Some(&admin), Some("\"1\""), body.clone()).await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ok.header("etag"), Some("\"2\""));
    assert_eq!(ok.json()["name"], "Phường Hạ Long (cũ)");
    assert_eq!(ok.json()["version"], 2);
    // A second phone still holding version 1: 412 with the record as it is now.
    let stale = app
        .patch(&path, Some(&admin), Some("\"1\""), json!({"name": "Lost edit"}))
        .await;
    let p = stale.assert_problem(412);
    assert_eq!(p["current"]["name"], "Phường Hạ Long (cũ)");
    assert_eq!(p["current"]["version"], 2);
    // Clearing an optional field with null; absent fields stay.
    let cleared = app
        .patch(&path, Some(&admin), Some("\"2\""), json!({"valid_to": null}))
        .await
        .json();
    assert_eq!(cleared["valid_to"], Value::Null);
    assert_eq!(cleared["code"], "13633");
}

#[actix_web::test]
async fn patch_scope_and_validation() {
    let app = TestApp::spawn().await;
    let path = format!("/api/v1/units/{}", unit(HA_LONG));
    let other = app.token(Role::Admin, TRAN_DANG_NINH).await;
    app.patch(&path, Some(&other), Some("\"1\""), json!({"name": "x"}))
        .await
        .assert_problem(404);
    let viewer = app.token(Role::Viewer, HA_LONG).await;
    app.patch(&path, Some(&viewer), Some("\"1\""), json!({"name": "x"}))
        .await
        .assert_problem(403);
    app.patch(&path, None, Some("\"1\""), json!({"name": "x"}))
        .await
        .assert_problem(401);
    let admin = app.token(Role::Admin, HA_LONG).await;
    let p = app
        .patch(&path, Some(&admin), Some("\"1\""), json!({"name": ""}))
        .await
        .assert_problem(422);
    assert_eq!(p["errors"][0]["field"], "name");
    app.patch(&path, Some(&admin), Some("\"1\""), json!({"parent_id": unit(CITY)}))
        .await
        .assert_problem(422);
    let p = app
        .patch(&path, Some(&admin), Some("\"1\""), json!({"valid_to": "2019-01-01"}))
        .await
        .assert_problem(422);
    assert_eq!(p["errors"][0]["field"], "valid_to");
    // Nothing was changed by the rejected requests.
    let now = app.get(&path, Some(&admin)).await;
    assert_eq!(now.header("etag"), Some("\"1\""));
}

#[actix_web::test]
async fn tree_nests_descendants() {
    let app = TestApp::spawn().await;
    let viewer = app.token(Role::Viewer, COUNTRY).await;
    let tree = app
        .get(&format!("/api/v1/units/{}/tree", unit("province:36")), Some(&viewer))
        .await;
    assert_eq!(tree.status, 200);
    let tree = tree.json();
    assert_eq!(tree["name"], "Tỉnh Nam Định");
    let city = &tree["children"][0];
    assert_eq!(city["code"], "356");
    assert_eq!(city["children"].as_array().unwrap().len(), 33);
    let today = app
        .get(
            &format!("/api/v1/units/{}/tree?valid_on=2026-01-01", unit(COUNTRY)),
            Some(&viewer),
        )
        .await
        .json();
    let provinces: Vec<&str> = today["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(provinces, vec!["Tỉnh Ninh Bình"]);
    app.get(&format!("/api/v1/units/{}/tree", unit(CITY)), None)
        .await
        .assert_problem(401);
    app.get(
        &format!("/api/v1/units/{}/tree?valid_on=yesterday", unit(CITY)),
        Some(&viewer),
    )
    .await
    .assert_invalid("valid_on");
}

#[actix_web::test]
async fn lineage_links_merged_wards_to_their_successor() {
    let app = TestApp::spawn().await;
    let root = app.token(Role::Admin, COUNTRY).await;
    let lineage = app
        .get(
            &format!("/api/v1/units/{}/lineage", unit("commune:13666:2025")),
            Some(&root),
        )
        .await
        .json();
    let mut preds: Vec<&str> = lineage["predecessors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["unit"]["name"].as_str().unwrap())
        .collect();
    preds.sort();
    assert_eq!(
        preds,
        vec![
            "Phường Cửa Bắc",
            "Phường Cửa Nam",
            "Phường Lộc Vượng",
            "Phường Năng Tĩnh",
            "Phường Quang Trung",
            "Phường Trần Hưng Đạo",
            "Phường Vị Xuyên"
        ]
    );
    assert_eq!(lineage["predecessors"][0]["effective_on"], "2025-07-01");
    // The city sees the merge from its side, but not the successor outside its tree.
    let city = app.token(Role::Viewer, CITY).await;
    let from_city = app
        .get(
            &format!("/api/v1/units/{}/lineage", unit("commune:13666:2020")),
            Some(&city),
        )
        .await
        .json();
    assert!(from_city["successors"].as_array().unwrap().is_empty());
    let from_root = app
        .get(
            &format!("/api/v1/units/{}/lineage", unit("commune:13666:2020")),
            Some(&root),
        )
        .await
        .json();
    assert_eq!(from_root["successors"][0]["unit"]["name"], "Phường Nam Định");
    app.get(
        &format!("/api/v1/units/{}/lineage", unit(CITY)),
        Some(&app.token(Role::Viewer, HA_LONG).await),
    )
    .await
    .assert_problem(404);
    app.get(&format!("/api/v1/units/{}/lineage", unit(CITY)), None)
        .await
        .assert_problem(401);
}

#[actix_web::test]
async fn admins_record_lineage() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin, CITY).await;
    let path = format!("/api/v1/units/{}/predecessors", unit(HA_LONG));
    let body = json!({"predecessor_id": unit(TRAN_DANG_NINH), "effective_on": "2024-01-01", "note": "test merge"});
    let res = app.post(&path, Some(&admin), body.clone()).await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["predecessors"][0]["unit"]["code"], "13669");
    // The same link again is a retry: 200 with the lineage as it stands, nothing doubled.
    let again = app.post(&path, Some(&admin), body.clone()).await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json()["predecessors"].as_array().unwrap().len(), 1);
    // The same units on another day is a conflict.
    let mut other_day = body.clone();
    other_day["effective_on"] = json!("2024-02-01");
    app.post(&path, Some(&admin), other_day).await.assert_problem(409);
    app.post(
        &path,
        Some(&admin),
        json!({"predecessor_id": unit(HA_LONG), "effective_on": "2024-01-01"}),
    )
    .await
    .assert_problem(422);
    app.post(&path, Some(&admin), json!({"predecessor_id": unit(HA_LONG)}))
        .await
        .assert_problem(422);
    let ward_admin = app.token(Role::Admin, HA_LONG).await;
    let p = app
        .post(&path, Some(&ward_admin), body.clone())
        .await
        .assert_problem(422);
    assert_eq!(
        p["errors"][0]["field"], "predecessor_id",
        "the other ward is unknown to a ward admin"
    );
    app.post(&path, Some(&app.token(Role::Manager, CITY).await), body.clone())
        .await
        .assert_problem(403);
    app.post(
        &format!("/api/v1/units/{}/predecessors", unit(CITY)),
        Some(&app.token(Role::Admin, TRAN_DANG_NINH).await),
        body.clone(),
    )
    .await
    .assert_problem(404);
    app.post(&path, None, body).await.assert_problem(401);
}

/// A list page is written straight from its rows (not by serde, as one unit is): every item of
/// every page, in each sort, is exactly the unit read alone, and the cursors walk them all.
#[actix_web::test]
async fn a_list_item_is_exactly_the_unit_read_alone() {
    let app = TestApp::spawn().await;
    let city = app.token(Role::Admin, CITY).await;
    let res = app
        .post(
            "/api/v1/units",
            Some(&city),
            json!({"parent_id": unit(CITY), "kind": "organization", "code": "hlhpn-1", "name": "Hội \"Phụ nữ\" \\ tổ\t5\n</script>"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    let all = app.get("/api/v1/units?limit=200", Some(&city)).await.json();
    let total = all["data"].as_array().unwrap().len();
    assert!(total > 30, "{total}");
    let sorts = [
        "name",
        "-name",
        "created_at",
        "-updated_at",
        "valid_from",
        "-valid_from",
    ];
    app.assert_list_items_are_the_records("/api/v1/units", "limit=9", &sorts, Some(&city), total)
        .await;
}
