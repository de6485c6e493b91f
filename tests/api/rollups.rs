//! The live roll-ups (migrations `live_rollups`, `more_rollups`, `all_rollups`: trainings,
//! outreach events, inspections, violations, plans and their targets, petitions, yearly figures,
//! leaders and the units they lead): a property test that applies random creates, corrections,
//! deletions, restorations, moves, merges of units, ends of units' terms and statements that
//! change several leaders at once (in random order, compacting at random moments) and checks
//! after each step that the whole summary from the roll-ups equals the one computed from the
//! records, for units at every level and several periods; and that `verify` finds the roll-ups
//! exact.

use binhdang::auth::Role;
use binhdang::reports::queries::{self, Fact, Scope};
use binhdang::reports::rollups;
use chrono::NaiveDate;
use uuid::Uuid;

use crate::harness::*;

/// A small deterministic generator (xorshift64*): the test needs no crate for it.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

const UNITS: &[&str] = &[
    HA_LONG,
    TRAN_DANG_NINH,
    "commune:13666:2020",
    "commune:13666:2025",
    CITY,
    "province:37",
];
const READ_AT: &[&str] = &[
    COUNTRY,
    "province:37",
    CITY,
    HA_LONG,
    "commune:13666:2025",
    "commune:13666:2020",
];
const AUDIENCES: &[&str] = &[
    "{}",
    "{officials}",
    "{community}",
    "{officials,collaborators}",
    "{collaborators,community}",
];
const TOPICS: &[&str] = &["{}", "{gbv}", "{gbv,domestic_violence}", "{gender_equality_law}"];
const KINDS: &[&str] = &["street_event", "seminar", "broadcast", "other"];

/// A violation's `penalty, fine_vnd`: none yet, a warning, or a fine.
fn penalty(rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => "NULL::text, NULL::bigint".into(),
        1 => "'warning', NULL::bigint".into(),
        _ => format!("'fine', {}", 1_000_000 * (1 + rng.below(30))),
    }
}

const PLAN_STATUSES: &[&str] = &["draft", "approved", "in_progress", "completed"];

/// A petition's `status, decided_on, acceptance_due_on, resolution_due_on, due_on` for one
/// received on `r`: resolved (on time or late), or open (due, and overdue or not).
fn petition_state(rng: &mut Rng, r: NaiveDate) -> String {
    let d = |n: u64| r + chrono::Duration::days(n as i64);
    match rng.below(3) {
        0 => format!(
            "'resolved', date '{}', date '{}', date '{}', NULL::date",
            d(rng.below(60)),
            d(5),
            d(30)
        ),
        1 => format!(
            "'accepted', NULL::date, date '{}', date '{}', date '{}'",
            d(5),
            d(30),
            d(30)
        ),
        _ => format!(
            "'received', NULL::date, date '{}', NULL::date, date '{}'",
            d(5),
            d(rng.below(800))
        ),
    }
}

/// A unit's yearly `ge_officials, gbv_victims_detected, gbv_victims_supported`, some missing.
fn figures(rng: &mut Rng) -> String {
    let (ge, detected) = (rng.below(10), rng.below(9));
    let opt = |rng: &mut Rng, v: u64| {
        if rng.below(4) == 0 {
            "NULL::int".to_string()
        } else {
            v.to_string()
        }
    };
    let (a, b) = (opt(rng, ge), opt(rng, detected));
    let c = opt(rng, detected / 2);
    format!("{a}, {b}, {c}")
}

/// A leader's last day: none yet, or some days after `s`.
fn term_end(rng: &mut Rng, s: NaiveDate) -> String {
    match rng.below(3) {
        0 => "NULL".to_string(),
        _ => format!("'{}'", s + chrono::Duration::days(rng.below(600) as i64)),
    }
}

fn day(rng: &mut Rng) -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 1, 1).unwrap() + chrono::Duration::days(rng.below(1095) as i64)
}

async fn facts(app: &TestApp, key: &str, from: NaiveDate, to: NaiveDate, rolled: bool) -> Vec<Fact> {
    let mut conn = app.conn().await;
    let u = binhdang::units::queries::find(&mut conn, unit(key))
        .await
        .unwrap()
        .unwrap();
    let mut facts = queries::facts(
        &mut conn,
        &Scope {
            unit_id: u.id,
            path: &u.path,
            depth: u.depth,
            from,
            to,
            reference: to,
            rolled,
        },
    )
    .await
    .unwrap();
    facts.sort();
    facts
}

async fn check(app: &TestApp, step: usize) {
    let periods = [
        ("2024-01-01", "2024-12-31"),
        ("2023-01-01", "2025-12-31"),
        ("2024-11-01", "2024-11-30"),
        ("2025-02-01", "2025-07-31"),
        // This year: inspections without a decision count in the month they were recorded (now).
        ("2026-01-01", "2026-12-31"),
    ];
    for key in READ_AT {
        for (from, to) in periods {
            let (from, to) = (from.parse().unwrap(), to.parse().unwrap());
            assert!(queries::whole_months(from, to));
            let raw = facts(app, key, from, to, false).await;
            let rolled = facts(app, key, from, to, true).await;
            assert_eq!(rolled, raw, "step {step}: {key} {from}..{to}");
        }
    }
}

async fn run(app: &TestApp, seed: u64, steps: usize) -> usize {
    let mut rng = Rng(seed);
    let mut records: Vec<(&str, Uuid)> = Vec::new();
    let mut conn = app.conn().await;
    let mut nonempty = 0;
    for step in 0..steps {
        let op = rng.below(100);
        let sql = if op < 35 || records.is_empty() {
            let id = Uuid::new_v4();
            let u = rng.pick(UNITS);
            let (s, len) = (day(&mut rng), rng.below(3) as i64);
            let e = s + chrono::Duration::days(len);
            let (f, m, o) = (rng.below(40), rng.below(30), rng.below(2));
            match rng.below(13) {
                0 => {
                    records.push(("trainings", id));
                    format!(
                        "INSERT INTO trainings (id, unit_id, unit_path, title, audiences, starts_on, ends_on, female, male, other_sex) \
                         SELECT '{id}', id, path, 'T{step}', '{}', '{s}', '{e}', {f}, {m}, {o} FROM units WHERE id = '{}'",
                        rng.pick(AUDIENCES),
                        unit(u)
                    )
                }
                1 => {
                    records.push(("outreach_events", id));
                    let reach = if rng.below(3) == 0 {
                        "NULL".to_string()
                    } else {
                        rng.below(500).to_string()
                    };
                    format!(
                        "INSERT INTO outreach_events (id, unit_id, unit_path, kind, title, topics, starts_on, ends_on, \
                                                      audience_reached, female, male, other_sex) \
                         SELECT '{id}', id, path, '{}', 'O{step}', '{}', '{s}', '{e}', {reach}, {f}, {m}, {o} FROM units WHERE id = '{}'",
                        rng.pick(KINDS),
                        rng.pick(TOPICS),
                        unit(u)
                    )
                }
                // An inspection without a decision counts in the month it was recorded.
                2 => {
                    records.push(("inspections", id));
                    let decided = if rng.below(4) == 0 {
                        "NULL".to_string()
                    } else {
                        format!("'{s}'")
                    };
                    format!(
                        "INSERT INTO inspections (id, kind, inspecting_unit_id, unit_path, subject_name, subject_type, decision_on, status) \
                         SELECT '{id}', '{}', id, path, 'I{step}', 'school', {decided}, '{}' FROM units WHERE id = '{}'",
                        rng.pick(&["check", "inspection"]),
                        rng.pick(&["planned", "in_progress"]),
                        unit(u)
                    )
                }
                4 => {
                    records.push(("plans", id));
                    format!(
                        "INSERT INTO plans (id, unit_id, unit_path, year, kind, title, status) \
                         SELECT '{id}', id, path, {}, 'thematic', 'P{step}', '{}' FROM units WHERE id = '{}'",
                        2023 + rng.below(4),
                        rng.pick(PLAN_STATUSES),
                        unit(u)
                    )
                }
                // A target of a plan (of any plan: deleted ones included).
                5 => {
                    records.push(("plan_targets", id));
                    let actual = match rng.below(3) {
                        0 => "NULL, NULL".to_string(),
                        _ => format!("{}, '{s}'", rng.below(100)),
                    };
                    format!(
                        "INSERT INTO plan_targets (id, plan_id, indicator, unit_of_measure, direction, target_value, actual_value, measured_on) \
                         SELECT '{id}', id, 'T{step}', '%', '{}', {}, {actual} FROM plans ORDER BY id OFFSET {} LIMIT 1",
                        rng.pick(&["increase", "decrease"]),
                        rng.below(100),
                        rng.below(4)
                    )
                }
                6 => {
                    records.push(("petitions", id));
                    format!(
                        "INSERT INTO petitions (id, kind, handling_unit_id, unit_path, received_on, channel, subject, status, \
                                                decided_on, acceptance_due_on, resolution_due_on, due_on) \
                         SELECT '{id}', '{}', id, path, '{s}', 'mail', 'D{step}', {} FROM units WHERE id = '{}'",
                        rng.pick(&["complaint", "denunciation"]),
                        petition_state(&mut rng, s),
                        unit(u)
                    )
                }
                // Yearly figures (one row a unit and year: a second is skipped).
                7 => {
                    records.push(("unit_figures", id));
                    format!(
                        "INSERT INTO unit_figures (id, unit_id, unit_path, year, ge_officials, gbv_victims_detected, gbv_victims_supported) \
                         SELECT '{id}', id, path, {}, {} FROM units WHERE id = '{}' ON CONFLICT DO NOTHING",
                        2023 + rng.below(4),
                        figures(&mut rng),
                        unit(rng.pick(UNITS))
                    )
                }
                8..=10 => {
                    records.push(("unit_leaders", id));
                    format!(
                        "INSERT INTO unit_leaders (id, unit_id, unit_path, body, position, holder_sex, started_on, ended_on) \
                         SELECT '{id}', id, path, 'people_committee', 'chair', '{}', '{s}', {} FROM units WHERE id = '{}'",
                        rng.pick(&["female", "male"]),
                        term_end(&mut rng, s),
                        unit(rng.pick(UNITS))
                    )
                }
                // A support case (no consent to statistics): its unit-year's figures no longer count.
                11 => format!(
                    "INSERT INTO support_cases (id, code, unit_id, unit_path, survivor_sex, survivor_age_band, relationship, acts, \
                                                forms, reported_on, channel, created_by) \
                     SELECT '{id}', 'C{step}-{id}', id, path, 'female', '18-29', 'spouse', '{{physical}}', '{{physical}}', '{s}', \
                            'hotline', (SELECT id FROM users ORDER BY id LIMIT 1) FROM units WHERE id = '{}'",
                    unit(u)
                ),
                _ => {
                    records.push(("violations", id));
                    format!(
                        "INSERT INTO violations (id, handling_unit_id, unit_path, offender_kind, rule_id, area, act_on, penalty, fine_vnd) \
                         SELECT '{id}', u.id, u.path, 'organization', r.id, r.area, '{s}', {} \
                           FROM units u, (SELECT id, area FROM violation_rules ORDER BY id OFFSET {} LIMIT 1) r WHERE u.id = '{}'",
                        penalty(&mut rng),
                        rng.below(5),
                        unit(u)
                    )
                }
            }
        } else {
            let (table, id) = rng.pick(&records);
            match op {
                // Another month or year (and, for activities, other figures).
                35..=54 => {
                    let s = day(&mut rng);
                    let year = 2023 + rng.below(4);
                    match table {
                        "inspections" => format!("UPDATE inspections SET decision_on = '{s}' WHERE id = '{id}'"),
                        "violations" => format!("UPDATE violations SET act_on = '{s}' WHERE id = '{id}'"),
                        "plans" => format!("UPDATE plans SET year = {year} WHERE id = '{id}'"),
                        "plan_targets" => format!("UPDATE plan_targets SET target_value = {} WHERE id = '{id}'", rng.below(100)),
                        "petitions" => format!(
                            "UPDATE petitions SET received_on = '{s}', accepted_on = NULL WHERE id = '{id}'"
                        ),
                        "unit_figures" => format!(
                            "UPDATE unit_figures f SET year = {year} WHERE id = '{id}' AND NOT EXISTS \
                               (SELECT 1 FROM unit_figures o WHERE o.unit_id = f.unit_id AND o.year = {year})"
                        ),
                        "unit_leaders" => format!(
                            "UPDATE unit_leaders SET started_on = '{s}', ended_on = {} WHERE id = '{id}'",
                            term_end(&mut rng, s)
                        ),
                        _ => format!(
                            "UPDATE {table} SET starts_on = '{s}', ends_on = '{s}'::date + {}, female = {}, version = version + 1 WHERE id = '{id}'",
                            rng.below(20),
                            rng.below(50)
                        ),
                    }
                }
                // Other attributes a breakdown is by (or a figure counts).
                55..=64 => match table {
                    "trainings" => format!("UPDATE trainings SET audiences = '{}' WHERE id = '{id}'", rng.pick(AUDIENCES)),
                    "outreach_events" => format!(
                        "UPDATE outreach_events SET kind = '{}', topics = '{}', audience_reached = {} WHERE id = '{id}'",
                        rng.pick(KINDS),
                        rng.pick(TOPICS),
                        rng.below(300)
                    ),
                    "inspections" => format!(
                        "UPDATE inspections SET kind = '{}', status = '{}', decision_on = NULLIF(decision_on, '{}') WHERE id = '{id}'",
                        rng.pick(&["check", "inspection"]),
                        rng.pick(&["planned", "in_progress"]),
                        day(&mut rng)
                    ),
                    "violations" => format!(
                        "UPDATE violations SET (penalty, fine_vnd) = (SELECT {}) WHERE id = '{id}'",
                        penalty(&mut rng)
                    ),
                    "plans" => format!("UPDATE plans SET status = '{}' WHERE id = '{id}'", rng.pick(PLAN_STATUSES)),
                    "plan_targets" => format!(
                        "UPDATE plan_targets SET direction = '{}', actual_value = {}, measured_on = {} WHERE id = '{id}'",
                        rng.pick(&["increase", "decrease"]),
                        rng.below(100),
                        "'2025-01-01'"
                    ),
                    "petitions" => {
                        let received = day(&mut rng);
                        format!(
                            "UPDATE petitions SET kind = '{}', received_on = '{received}', accepted_on = NULL, \
                                    (status, decided_on, acceptance_due_on, resolution_due_on, due_on) = (SELECT {}) WHERE id = '{id}'",
                            rng.pick(&["complaint", "denunciation"]),
                            petition_state(&mut rng, received)
                        )
                    }
                    "unit_figures" => format!(
                        "UPDATE unit_figures SET (ge_officials, gbv_victims_detected, gbv_victims_supported) = (SELECT {}) WHERE id = '{id}'",
                        figures(&mut rng)
                    ),
                    // Several leaders of one unit change in one statement.
                    _ => format!(
                        "UPDATE unit_leaders SET holder_sex = CASE holder_sex WHEN 'female' THEN 'male' ELSE 'female' END, \
                                ended_on = CASE WHEN ended_on IS NULL THEN started_on + {} END \
                          WHERE unit_id = (SELECT unit_id FROM unit_leaders WHERE id = '{id}')",
                        rng.below(700)
                    ),
                },
                // A correction that counts nothing differently (no delta).
                65..=69 => {
                    let text = match table {
                        "inspections" => "subject_name",
                        "violations" => "organization_name",
                        "petitions" => "subject",
                        "plan_targets" => "indicator",
                        "unit_figures" | "unit_leaders" => "unit_path",
                        _ => "title",
                    };
                    if text == "unit_path" {
                        format!("UPDATE {table} SET version = version + 1 WHERE id = '{id}'")
                    } else {
                        format!("UPDATE {table} SET {text} = {text} || '.' WHERE id = '{id}'")
                    }
                }
                // Deleted (figures have no soft deletion: they go).
                70..=79 if table == "unit_figures" => format!("DELETE FROM unit_figures WHERE id = '{id}'"),
                70..=79 => format!("UPDATE {table} SET deleted_at = now() WHERE id = '{id}' AND deleted_at IS NULL"),
                80..=84 if table == "unit_figures" => continue,
                80..=84 => format!("UPDATE {table} SET deleted_at = NULL WHERE id = '{id}'"),
                // Gone for good (a plan's targets with it, by the cascade).
                85..=88 => format!("DELETE FROM {table} WHERE id = '{id}'"),
                // The record moves to another unit (a target moves to another plan).
                89..=93 => {
                    let to = unit(rng.pick(UNITS));
                    match table {
                        "plan_targets" => format!(
                            "UPDATE plan_targets SET plan_id = coalesce((SELECT id FROM plans ORDER BY random() LIMIT 1), plan_id) WHERE id = '{id}'"
                        ),
                        "unit_figures" => format!(
                            "UPDATE unit_figures f SET (unit_id, unit_path) = (SELECT id, path FROM units WHERE id = '{to}') \
                              WHERE id = '{id}' AND NOT EXISTS (SELECT 1 FROM unit_figures o WHERE o.unit_id = '{to}' AND o.year = f.year)"
                        ),
                        _ => {
                            let unit_col = match table {
                                "inspections" => "inspecting_unit_id",
                                "violations" | "petitions" => "handling_unit_id",
                                _ => "unit_id",
                            };
                            format!(
                                "UPDATE {table} SET ({unit_col}, unit_path) = (SELECT id, path FROM units WHERE id = '{to}') WHERE id = '{id}'"
                            )
                        }
                    }
                }
                // A merge: one unit of the 2020 era becomes a predecessor of another.
                94..=95 => format!(
                    "INSERT INTO unit_lineage (predecessor_id, successor_id, effective_on) VALUES ('{}', '{}', '2025-07-01') \
                     ON CONFLICT DO NOTHING",
                    unit(rng.pick(&[HA_LONG, TRAN_DANG_NINH])),
                    unit("commune:13666:2025")
                ),
                // A unit's term ends (or is restored): what it leads counts no longer after it.
                96 => format!(
                    "UPDATE units SET valid_to = CASE WHEN valid_to IS NULL THEN greatest(valid_from, date '{}') END WHERE id = '{}'",
                    day(&mut rng),
                    unit(rng.pick(UNITS))
                ),
                _ => {
                    rollups::compact(&mut conn, 1 + rng.below(50) as i64).await.unwrap();
                    continue;
                }
            }
        };
        // A write that would make a second plan of a unit, year and kind is refused (and
        // changes nothing); any other error fails the test.
        if let Err(e) = exec(&mut conn, &sql).await {
            assert!(
                e.to_string().contains("plans_one_per_unit_year_kind"),
                "step {step}: {sql}: {e}"
            );
        }
        if step % 25 == 24 {
            check(app, step).await;
        }
        let (year_from, year_to) = ("2024-01-01".parse().unwrap(), "2024-12-31".parse().unwrap());
        if step + 1 == steps && !facts(app, COUNTRY, year_from, year_to, false).await.is_empty() {
            nonempty += 1;
        }
    }
    check(app, steps).await;
    nonempty
}

#[actix_web::test]
async fn the_rollups_equal_the_records_after_random_writes_and_merges() {
    let app = TestApp::spawn().await;
    // The author of the support cases the runs record.
    app.user("case-worker", "case-worker-password-1", Role::Officer, HA_LONG)
        .await;
    let mut nonempty = 0;
    for seed in [0x9E37_79B9_7F4A_7C15, 0xD1B5_4A32_D192_ED03] {
        nonempty += run(&app, seed, 125).await;
    }
    assert!(nonempty > 0, "the runs left records to count");
    let mut conn = app.conn().await;
    assert!(rollups::verify(&mut conn, 10).await.unwrap().is_empty());
    // Compacted to the end, still exact, and the deltas are gone.
    rollups::compact_all(&mut conn, 100).await.unwrap();
    check(&app, usize::MAX).await;
    assert!(rollups::verify(&mut conn, 10).await.unwrap().is_empty());
    let left: i64 = diesel_async::RunQueryDsl::get_result(
        diesel::dsl::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "(SELECT count(*) FROM rollup_deltas)",
        )),
        &mut conn,
    )
    .await
    .unwrap();
    assert_eq!(left, 0);
    // A fault the triggers cannot make (a fact edited by hand) is found, and a rebuild mends it.
    exec(
        &mut conn,
        "UPDATE rollup_facts SET c2 = c2 + 1 WHERE (unit_id, month, section, grp, key, bucket) = \
         (SELECT unit_id, month, section, grp, key, bucket FROM rollup_facts ORDER BY 1, 2, 3, 4, 5, 6 LIMIT 1)",
    )
    .await
    .unwrap();
    assert_eq!(rollups::verify(&mut conn, 10).await.unwrap().len(), 1);
    rollups::rebuild(&mut conn).await.unwrap();
    assert!(rollups::verify(&mut conn, 10).await.unwrap().is_empty());
    check(&app, usize::MAX).await;
}
