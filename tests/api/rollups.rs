//! The live roll-ups (migrations `live_rollups`, `more_rollups`: trainings, outreach events,
//! inspections and violations): a property test that applies random creates,
//! corrections, deletions, restorations, moves and merges of units (in random order, compacting
//! at random moments) and checks after each step that the summary's facts from the roll-ups
//! equal those computed from the records, for units at every level and several periods; and
//! that `verify` finds the roll-ups exact.

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
        0 => "NULL, NULL".into(),
        1 => "'warning', NULL".into(),
        _ => format!("'fine', {}", 1_000_000 * (1 + rng.below(30))),
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
    facts.retain(|f| ["trainings", "outreach", "inspections", "violations"].contains(&f.section.as_str()));
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
            match rng.below(4) {
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
                // Another month (and, for activities, other figures).
                35..=54 => {
                    let s = day(&mut rng);
                    match table {
                        "inspections" => format!("UPDATE inspections SET decision_on = '{s}' WHERE id = '{id}'"),
                        "violations" => format!("UPDATE violations SET act_on = '{s}' WHERE id = '{id}'"),
                        _ => format!(
                            "UPDATE {table} SET starts_on = '{s}', ends_on = '{s}'::date + {}, female = {}, version = version + 1 WHERE id = '{id}'",
                            rng.below(20),
                            rng.below(50)
                        ),
                    }
                }
                // Other attributes a breakdown is by.
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
                    _ => format!(
                        "UPDATE violations SET (penalty, fine_vnd) = (SELECT {}) WHERE id = '{id}'",
                        penalty(&mut rng)
                    ),
                },
                // A correction that counts nothing differently (no delta).
                65..=69 => {
                    let text = match table {
                        "inspections" => "subject_name",
                        "violations" => "organization_name",
                        _ => "title",
                    };
                    format!("UPDATE {table} SET {text} = {text} || '.' WHERE id = '{id}'")
                }
                70..=79 => format!("UPDATE {table} SET deleted_at = now() WHERE id = '{id}' AND deleted_at IS NULL"),
                80..=84 => format!("UPDATE {table} SET deleted_at = NULL WHERE id = '{id}'"),
                85..=88 => format!("DELETE FROM {table} WHERE id = '{id}'"),
                // The record moves to another unit.
                89..=93 => {
                    let unit_col = match table {
                        "inspections" => "inspecting_unit_id",
                        "violations" => "handling_unit_id",
                        _ => "unit_id",
                    };
                    format!(
                        "UPDATE {table} SET ({unit_col}, unit_path) = (SELECT id, path FROM units WHERE id = '{}') WHERE id = '{id}'",
                        unit(rng.pick(UNITS))
                    )
                }
                // A merge: one unit of the 2020 era becomes a predecessor of another.
                94..=96 => format!(
                    "INSERT INTO unit_lineage (predecessor_id, successor_id, effective_on) VALUES ('{}', '{}', '2025-07-01') \
                     ON CONFLICT DO NOTHING",
                    unit(rng.pick(&[HA_LONG, TRAN_DANG_NINH])),
                    unit("commune:13666:2025")
                ),
                _ => {
                    rollups::compact(&mut conn, 1 + rng.below(50) as i64).await.unwrap();
                    continue;
                }
            }
        };
        exec(&mut conn, &sql)
            .await
            .unwrap_or_else(|e| panic!("step {step}: {sql}: {e}"));
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
