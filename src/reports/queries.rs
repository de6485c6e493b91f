//! The one statement behind a summary.
//!
//! A record counts toward unit U when its unit lies in U's subtree (its denormalized
//! `unit_path` starts with U's path: one indexed range, or a sequential scan for the root) or is
//! one of the units merged into it (`LINEAGE`, usually none or a handful, joined by
//! unit id). Each record is put in a bucket, the direct child of U it lies under (U itself for
//! U's own records), so the same scan yields the totals and the drill-down by child unit.
//!
//! Binds: $1 unit id, $2 unit path, $3 unit depth, $4 from, $5 to, $6 reference day.

use std::sync::OnceLock;

use chrono::NaiveDate;
use diesel::sql_types::{Array, Date, Int4, Int8, Text, Uuid as SqlUuid};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use uuid::Uuid;

use crate::http::list::{Bind, CachedSql};

/// One output row: `grp` is `unit` for per-bucket rows (keyed by the bucket's id), `child` for
/// the unit's children (name, and 1 when the child existed during the period), or the
/// attribute a breakdown is by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, QueryableByName)]
pub struct Fact {
    #[diesel(sql_type = Text)]
    pub section: String,
    #[diesel(sql_type = Text)]
    pub grp: String,
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = Text)]
    pub label: String,
    #[diesel(sql_type = Array<Int8>)]
    pub v: Vec<i64>,
}

/// Rows whose `col` (a unit path) lies in the unit's subtree: one index range, or no condition at
/// all for the root (depth 0: every row; the raw statement is planned with its binds, so `$3 = 0`
/// folds away and the root's scans compare no paths).
fn subtree(col: &str) -> String {
    format!("($3 = 0 OR {col} ~>=~ $2 AND {col} ~<~ ($2 || '~'))")
}

/// The same rows as one index range at every depth (the root's path begins every path): what a
/// generic plan can serve, for the rolled statement's few raw reads.
fn subtree_range(col: &str) -> String {
    format!("({col} ~>=~ $2 AND {col} ~<~ ($2 || '~'))")
}

/// `SELECT bucket, <cols>` over the live rows of `table a` that count toward the unit and meet
/// `cond`: those of its subtree (`in_subtree`: [`subtree`] or [`subtree_range`]), then those of
/// units merged into it.
fn covered(
    table: &str,
    unit_col: &str,
    cols: &str,
    cond: &str,
    soft_deleted: bool,
    in_subtree: fn(&str) -> String,
) -> String {
    let live = if soft_deleted { " AND a.deleted_at IS NULL" } else { "" };
    let in_subtree = in_subtree("a.unit_path");
    format!(
        "SELECT CASE WHEN a.{unit_col} = $1 THEN $1::text ELSE split_part(a.unit_path, '/', ($3 + 3)::int) END AS bucket, {cols} \
           FROM {table} a \
          WHERE {in_subtree}{live} AND {cond} \
         UNION ALL \
         SELECT x.bucket, {cols} FROM x JOIN {table} a ON a.{unit_col} = x.unit_id WHERE true{live} AND {cond}"
    )
}

/// The statement's head: `x`, the units merged into the unit's subtree (through `unit_lineage`,
/// transitively: a unit whose successor lies in the subtree, its descendants, the units merged
/// into those...) that lie outside it, each with the bucket its records count in (the direct child
/// of the unit under which its successor lies, or the unit itself). Part of the statement, so its
/// plan is made with the statement's (once per connection for the rolled one).
const LINEAGE: &str = "WITH RECURSIVE lr AS (SELECT id, path, depth FROM units WHERE id = $1), \
     lc(id, path, bucket) AS ( \
         SELECT d.id, d.path, CASE WHEN s.id = lr.id THEN lr.id::text ELSE split_part(s.path, '/', lr.depth + 3) END \
           FROM lr \
           JOIN units s ON s.path ~>=~ lr.path AND s.path ~<~ (lr.path || '~') \
           JOIN unit_lineage l ON l.successor_id = s.id \
           JOIN units p ON p.id = l.predecessor_id \
           JOIN units d ON d.path ~>=~ p.path AND d.path ~<~ (p.path || '~') \
         UNION \
         SELECT d.id, d.path, c.bucket \
           FROM lc c \
           JOIN unit_lineage l ON l.successor_id = c.id \
           JOIN units p ON p.id = l.predecessor_id \
           JOIN units d ON d.path ~>=~ p.path AND d.path ~<~ (p.path || '~')), \
     x AS MATERIALIZED (SELECT DISTINCT ON (c.id) c.id AS unit_id, c.bucket FROM lc c, lr \
                         WHERE NOT (c.path ~>=~ lr.path AND c.path ~<~ (lr.path || '~')) ORDER BY c.id, c.bucket)";

/// The rolled-up records of the unit's subtree and of the units merged into it (their own
/// records), for a period of whole months: compacted facts plus the deltas not yet folded in
/// (migrations `live_rollups`, `more_rollups`, `all_rollups`), as `bucket, section, grp, key,
/// c1..c8`. Plans and figures are kept under 1 January of their year and counted by year (as the
/// raw statement does), so the months read begin with the first year's; the leaders' changes are
/// read apart (`LEADERS`).
const ROLLED: &str =
    "SELECT f.bucket::text AS bucket, f.section, f.grp, f.key, f.month, f.c1, f.c2, f.c3, f.c4, f.c5, f.c6, f.c7, f.c8 \
       FROM (SELECT bucket, section, grp, key, month, c1, c2, c3, c4, c5, c6, c7, c8 FROM rollup_facts \
              WHERE unit_id = $1 AND month BETWEEN date_trunc('year', $4::date)::date AND $5 \
             UNION ALL \
             SELECT bucket, section, grp, key, month, c1, c2, c3, c4, c5, c6, c7, c8 FROM rollup_deltas \
              WHERE unit_id = $1 AND month BETWEEN date_trunc('year', $4::date)::date AND $5) f \
      WHERE (f.month >= $4 OR f.section IN ('plans', 'figures')) AND f.section <> 'leaders' \
     UNION ALL \
     SELECT x.bucket, f.section, f.grp, f.key, f.month, f.c1, f.c2, f.c3, f.c4, f.c5, f.c6, f.c7, f.c8 \
       FROM x CROSS JOIN LATERAL ( \
             SELECT section, grp, key, month, c1, c2, c3, c4, c5, c6, c7, c8 FROM rollup_facts \
              WHERE unit_id = x.unit_id AND bucket = x.unit_id AND month BETWEEN date_trunc('year', $4::date)::date AND $5 \
             UNION ALL \
             SELECT section, grp, key, month, c1, c2, c3, c4, c5, c6, c7, c8 FROM rollup_deltas \
              WHERE unit_id = x.unit_id AND bucket = x.unit_id AND month BETWEEN date_trunc('year', $4::date)::date AND $5) f \
      WHERE (f.month >= $4 OR f.section IN ('plans', 'figures')) AND f.section <> 'leaders'";

/// The leaders in office on the period's last day (or the reference day, if earlier): every
/// change up to that day of the unit's subtree (merged units are not counted, as on the raw path).
const LEADERS: &str = "SELECT c1, c2, c3 FROM rollup_facts \
      WHERE unit_id = $1 AND section = 'leaders' AND month <= least($5, $6) AND key <= to_char(least($5, $6), 'YYYY-MM-DD') \
     UNION ALL \
     SELECT c1, c2, c3 FROM rollup_deltas \
      WHERE unit_id = $1 AND section = 'leaders' AND month <= least($5, $6) AND key <= to_char(least($5, $6), 'YYYY-MM-DD')";

/// The rolled-up sections' facts (trainings, outreach events, inspections, violations) from the
/// roll-ups: the same rows as the raw statement's (a group whose records were all deleted is left
/// out there too).
const ROLLED_FACTS: &str = "SELECT 'trainings' AS section, 'unit' AS grp, bucket AS key, '' AS label, \
            ARRAY[sum(c1), sum(c2), sum(c3), sum(c4), sum(c5), sum(c6)]::int8[] AS v \
       FROM ru WHERE section = 'trainings' AND grp = 'unit' GROUP BY bucket HAVING sum(c1) > 0 \
     UNION ALL \
     SELECT 'trainings', 'audience', key, '', ARRAY[sum(c1), sum(c2), sum(c3), sum(c4)]::int8[] \
       FROM ru WHERE section = 'trainings' AND grp = 'audience' GROUP BY key HAVING sum(c1) > 0 \
     UNION ALL \
     SELECT 'outreach', grp, CASE grp WHEN 'unit' THEN bucket ELSE key END, '', \
            ARRAY[sum(c1), sum(c2), sum(c3), sum(c4), sum(c5), sum(c6), sum(c7), sum(c8)]::int8[] \
       FROM ru WHERE section = 'outreach' AND grp IN ('unit', 'kind') \
      GROUP BY grp, CASE grp WHEN 'unit' THEN bucket ELSE key END HAVING sum(c1) > 0 \
     UNION ALL \
     SELECT 'outreach', 'topic', key, '', ARRAY[sum(c1), sum(c2), sum(c3), sum(c4), sum(c5)]::int8[] \
       FROM ru WHERE section = 'outreach' AND grp = 'topic' GROUP BY key HAVING sum(c1) > 0 \
     UNION ALL \
     SELECT section, grp, CASE grp WHEN 'unit' THEN bucket ELSE key END, '', \
            CASE section WHEN 'inspections' THEN ARRAY[sum(c1)] ELSE ARRAY[sum(c1), sum(c2), sum(c3)] END::int8[] \
       FROM ru WHERE section IN ('inspections', 'violations') \
      GROUP BY section, grp, CASE grp WHEN 'unit' THEN bucket ELSE key END HAVING sum(c1) > 0 \
     UNION ALL \
     SELECT 'plans', grp, CASE grp WHEN 'unit' THEN bucket ELSE key END, '', ARRAY[sum(c1), sum(c2), sum(c3)]::int8[] \
       FROM ru WHERE section = 'plans' GROUP BY grp, CASE grp WHEN 'unit' THEN bucket ELSE key END HAVING sum(c1) > 0 \
     UNION ALL \
     SELECT 'petitions', r.grp, r.k, '', ARRAY[r.n, r.resolved, r.on_time, coalesce(od.n, 0)]::int8[] \
       FROM (SELECT grp, CASE grp WHEN 'unit' THEN bucket ELSE key END AS k, sum(c1) AS n, sum(c2) AS resolved, \
                    sum(c3) AS on_time \
               FROM ru WHERE section = 'petitions' GROUP BY 1, 2 HAVING sum(c1) > 0) r \
       LEFT JOIN (SELECT CASE WHEN grouping(bucket) = 0 THEN 'unit' ELSE 'kind' END AS grp, coalesce(bucket, kind) AS k, \
                         count(*) AS n \
                    FROM pd GROUP BY GROUPING SETS ((bucket), (kind))) od ON od.grp = r.grp AND od.k = r.k \
     UNION ALL \
     SELECT 'indicators', 'leaders', '', '', ARRAY[coalesce(sum(c1), 0), coalesce(sum(c2), 0), coalesce(sum(c3), 0)]::int8[] \
       FROM ld \
     UNION ALL \
     SELECT 'indicators', 'figures', '', '', \
            ARRAY[coalesce(sum(c1) FILTER (WHERE month = date_trunc('year', $5::date)::date), 0), \
                  coalesce(sum(c2) FILTER (WHERE month = date_trunc('year', $5::date)::date), 0), \
                  (SELECT coalesce(sum(d), 0) FROM gbc) + coalesce(sum(c4), 0) - (SELECT coalesce(sum(d), 0) FROM fx), \
                  (SELECT coalesce(sum(s), 0) FROM gbc) + coalesce(sum(c5), 0) - (SELECT coalesce(sum(s), 0) FROM fx), \
                  (SELECT count(*) FROM gbc) + coalesce(sum(c3), 0) - (SELECT count(*) FROM fx), \
                  (SELECT count(*) FROM gbc)]::int8[] \
       FROM ru WHERE section = 'figures'";

/// The rolled-up sections' facts from their records (`tr`, `oe`, `ins`, `vi`).
const RAW_ROLLABLE_FACTS: &str = "SELECT 'trainings', 'unit', bucket, '', ARRAY[count(*), sum(female), sum(male), sum(other_sex), \
                count(*) FILTER (WHERE in_action_month), \
                coalesce(sum(female + male + other_sex) FILTER (WHERE audiences && ARRAY['officials', 'collaborators']), 0)]::int8[] \
           FROM tr GROUP BY bucket \
         UNION ALL \
         SELECT 'trainings', 'audience', au, '', ARRAY[count(*), sum(female), sum(male), sum(other_sex)]::int8[] \
           FROM tr, unnest(audiences) au GROUP BY au \
         UNION ALL \
         SELECT 'outreach', CASE WHEN grouping(bucket) = 0 THEN 'unit' ELSE 'kind' END, coalesce(bucket, kind), '', \
                ARRAY[count(*), sum(female), sum(male), sum(other_sex), sum(reach), \
                      count(*) FILTER (WHERE in_action_month), \
                      coalesce(sum(female + male + other_sex) FILTER (WHERE in_action_month), 0), \
                      coalesce(sum(reach) FILTER (WHERE in_action_month), 0)]::int8[] \
           FROM oe GROUP BY GROUPING SETS ((bucket), (kind)) \
         UNION ALL \
         SELECT 'outreach', 'topic', tp, '', ARRAY[count(*), sum(female), sum(male), sum(other_sex), sum(reach)]::int8[] \
           FROM oe, unnest(topics) tp GROUP BY tp \
         UNION ALL \
         SELECT 'inspections', CASE WHEN grouping(bucket) = 0 THEN 'unit' WHEN grouping(kind) = 0 THEN 'kind' ELSE 'status' END, \
                coalesce(bucket, kind, status), '', ARRAY[count(*)]::int8[] \
           FROM ins GROUP BY GROUPING SETS ((bucket), (kind), (status)) \
         UNION ALL \
         SELECT 'violations', CASE WHEN grouping(bucket) = 0 THEN 'unit' WHEN grouping(area) = 0 THEN 'area' ELSE 'penalty' END, \
                coalesce(bucket, area, penalty), '', \
                ARRAY[count(*), count(*) FILTER (WHERE penalty = 'fine'), coalesce(sum(fine_vnd), 0)]::int8[] \
           FROM vi GROUP BY GROUPING SETS ((bucket), (area), (penalty)) \
         UNION ALL \
";

/// The statement: the rollable sections from the records (`rolled` false) or from the
/// roll-ups (a period of whole months); everything else from the records.
fn build(rolled: bool) -> String {
    // The rolled statement is planned once per connection (a generic plan), the raw one per call.
    let within = if rolled { subtree_range } else { subtree };
    let tr = covered(
        "trainings",
        "unit_id",
        "a.audiences, a.female, a.male, a.other_sex, a.in_action_month",
        "a.starts_on BETWEEN $4 AND $5",
        true,
        within,
    );
    let oe = covered(
        "outreach_events",
        "unit_id",
        "a.kind, a.topics, a.female, a.male, a.other_sex, coalesce(a.audience_reached, 0) AS reach, a.in_action_month",
        "a.starts_on BETWEEN $4 AND $5",
        true,
        within,
    );
    let pl = covered(
        "plans",
        "unit_id",
        "a.id, a.status",
        "a.year BETWEEN extract(year FROM $4::date) AND extract(year FROM $5::date)",
        true,
        within,
    );
    let ins = covered(
        "inspections",
        "inspecting_unit_id",
        "a.kind, a.status",
        "coalesce(a.decision_on, (a.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date) BETWEEN $4 AND $5",
        true,
        within,
    );
    let vi = covered(
        "violations",
        "handling_unit_id",
        "a.area, coalesce(a.penalty, 'pending') AS penalty, a.fine_vnd",
        "a.act_on BETWEEN $4 AND $5",
        true,
        within,
    );
    let pe = covered(
        "petitions",
        "handling_unit_id",
        "a.kind, a.status, a.decided_on, a.resolution_due_on, a.due_on",
        "a.received_on BETWEEN $4 AND $5",
        true,
        within,
    );
    let fi = covered(
        "unit_figures",
        "unit_id",
        "a.unit_id, a.year, a.ge_officials, a.gbv_victims_detected, a.gbv_victims_supported",
        "a.year BETWEEN extract(year FROM $4::date) AND extract(year FROM $5::date)",
        false,
        within,
    );
    // Survivors' cases: only those whose latest consent to statistics is given (GBVIMS
    // practice), counted by their first report.
    let gb = covered(
        "support_cases",
        "unit_id",
        "a.unit_id, extract(year FROM a.reported_on)::int AS year, a.survivor_sex, a.survivor_age_band, \
         a.relationship, a.forms, a.channel, \
         EXISTS (SELECT 1 FROM support_case_services s JOIN case_service_kinds k ON k.code = s.kind \
                  WHERE s.case_id = a.id AND k.basic AND s.provided_on <= $5) AS basic, \
         ARRAY(SELECT DISTINCT s.kind FROM support_case_services s WHERE s.case_id = a.id AND s.provided_on <= $5) AS services, \
         ARRAY(SELECT DISTINCT m.kind FROM support_case_measures m \
                WHERE m.case_id = a.id AND m.status IN ('granted', 'cancelled')) AS measures",
        "a.reported_on BETWEEN $4 AND $5 AND coalesce((SELECT k.given FROM support_case_consents k \
            WHERE k.case_id = a.id AND k.kind = 'statistics' ORDER BY k.created_at DESC, k.id DESC LIMIT 1), false)",
        true,
        within,
    );
    // The sections read from the records on both paths: the units, and survivors' cases.
    let common_facts = "SELECT 'units' AS section, 'child' AS grp, u.id::text AS key, u.name::text AS label, \
                ARRAY[(u.valid_from <= $5 AND (u.valid_to IS NULL OR u.valid_to >= $4))::int]::int8[] AS v \
           FROM units u WHERE u.parent_id = $1 AND u.deleted_at IS NULL \
         UNION ALL \
         SELECT 'gbv', 'unit', bucket, '', ARRAY[count(*), count(*) FILTER (WHERE survivor_sex = 'female'), \
                count(*) FILTER (WHERE survivor_sex = 'male'), count(*) FILTER (WHERE survivor_sex NOT IN ('female', 'male')), \
                count(*) FILTER (WHERE survivor_age_band IN ('0-5', '6-11', '12-15')), count(*) FILTER (WHERE basic), \
                count(*) FILTER (WHERE cardinality(measures) > 0)]::int8[] \
           FROM gb GROUP BY bucket \
         UNION ALL \
         SELECT 'gbv', CASE WHEN grouping(survivor_sex) = 0 THEN 'sex' WHEN grouping(survivor_age_band) = 0 THEN 'age_band' \
                            WHEN grouping(relationship) = 0 THEN 'relationship' ELSE 'channel' END, \
                coalesce(survivor_sex, survivor_age_band, relationship, channel), '', ARRAY[count(*)]::int8[] \
           FROM gb GROUP BY GROUPING SETS ((survivor_sex), (survivor_age_band), (relationship), (channel)) \
         UNION ALL \
         SELECT 'gbv', 'form', fm, '', ARRAY[count(*)]::int8[] FROM gb, unnest(forms) fm GROUP BY fm \
         UNION ALL \
         SELECT 'gbv', 'service', sv, '', ARRAY[count(*)]::int8[] FROM gb, unnest(services) sv GROUP BY sv \
         UNION ALL \
         SELECT 'gbv', 'measure', ms, '', ARRAY[count(*)]::int8[] FROM gb, unnest(measures) ms GROUP BY ms \
         UNION ALL ";
    let head = LINEAGE;
    if rolled {
        // Overdue petitions (a point in time) and the unit-years whose cases replace their
        // figures, from the records; the rest from the roll-ups.
        let pd = covered(
            "petitions",
            "handling_unit_id",
            "a.kind",
            "a.due_on IS NOT NULL AND a.due_on < $6 AND a.received_on BETWEEN $4 AND $5",
            true,
            within,
        );
        let cy = covered(
            "support_cases",
            "unit_id",
            "a.unit_id, extract(year FROM a.reported_on)::int AS year",
            "a.reported_on BETWEEN date_trunc('year', $4::date) AND (date_trunc('year', $5::date) + interval '1 year - 1 day')",
            true,
            within,
        );
        return format!(
            "{head}, ru AS ({ROLLED}), ld AS ({LEADERS}), pd AS ({pd}), cy AS ({cy}), gb AS MATERIALIZED ({gb}), \
             gbc AS (SELECT unit_id, year, count(*) AS d, count(*) FILTER (WHERE basic) AS s FROM gb GROUP BY unit_id, year), \
             fx AS (SELECT f.gbv_victims_detected AS d, f.gbv_victims_supported AS s \
                      FROM (SELECT DISTINCT unit_id, year FROM cy) c JOIN unit_figures f ON f.unit_id = c.unit_id AND f.year = c.year \
                     WHERE f.gbv_victims_detected IS NOT NULL AND f.gbv_victims_supported IS NOT NULL) \
             {common_facts}{ROLLED_FACTS}"
        );
    }
    let (leaders_in_subtree, units_in_subtree) = (subtree("h.unit_path"), subtree("u.path"));
    format!(
        "{head}, tr AS ({tr}), oe AS ({oe}), ins AS ({ins}), vi AS ({vi}), pl AS ({pl}), pe AS ({pe}), fi AS ({fi}), \
         gb AS MATERIALIZED ({gb}), \
         gbv_ind AS ( \
             SELECT unit_id, year, count(*) AS d, count(*) FILTER (WHERE basic) AS s, true AS from_cases \
               FROM gb GROUP BY unit_id, year \
             UNION ALL \
             SELECT f.unit_id, f.year, f.gbv_victims_detected, f.gbv_victims_supported, false FROM fi f \
              WHERE f.gbv_victims_detected IS NOT NULL AND f.gbv_victims_supported IS NOT NULL \
                AND NOT EXISTS (SELECT 1 FROM support_cases c WHERE c.unit_id = f.unit_id AND c.deleted_at IS NULL \
                                  AND extract(year FROM c.reported_on) = f.year)) \
         {common_facts}{RAW_ROLLABLE_FACTS}\
         SELECT 'plans', CASE WHEN grouping(pl.bucket) = 0 THEN 'unit' ELSE 'status' END, coalesce(pl.bucket, pl.status), '', \
                ARRAY[count(*), coalesce(sum(tg.targets), 0), coalesce(sum(tg.met), 0)]::int8[] \
           FROM pl CROSS JOIN LATERAL ( \
                SELECT count(*) AS targets, \
                       count(*) FILTER (WHERE t.actual_value IS NOT NULL AND CASE t.direction WHEN 'decrease' \
                           THEN t.actual_value <= t.target_value ELSE t.actual_value >= t.target_value END) AS met \
                  FROM plan_targets t WHERE t.plan_id = pl.id AND t.deleted_at IS NULL) tg \
          GROUP BY GROUPING SETS ((pl.bucket), (pl.status)) \
         UNION ALL \
         SELECT 'petitions', CASE WHEN grouping(bucket) = 0 THEN 'unit' ELSE 'kind' END, coalesce(bucket, kind), '', \
                ARRAY[count(*), count(*) FILTER (WHERE status = 'resolved'), \
                      count(*) FILTER (WHERE status = 'resolved' AND decided_on <= resolution_due_on), \
                      count(*) FILTER (WHERE due_on < $6)]::int8[] \
           FROM pe GROUP BY GROUPING SETS ((bucket), (kind)) \
         UNION ALL \
         SELECT 'indicators', 'leaders', '', '', \
                ARRAY[count(*), count(*) FILTER (WHERE l.female > 0), count(*) FILTER (WHERE l.held > 0)]::int8[] \
           FROM units u LEFT JOIN ( \
                SELECT h.unit_id, count(*) AS held, count(*) FILTER (WHERE h.holder_sex = 'female') AS female \
                  FROM unit_leaders h \
                 WHERE {leaders_in_subtree} AND h.deleted_at IS NULL \
                   AND h.started_on <= least($5, $6) AND (h.ended_on IS NULL OR h.ended_on >= least($5, $6)) \
                 GROUP BY h.unit_id) l ON l.unit_id = u.id \
          WHERE {units_in_subtree} AND u.deleted_at IS NULL \
            AND u.kind IN ('province', 'city', 'district', 'town', 'ward', 'commune', 'township') \
            AND u.valid_from <= least($5, $6) AND (u.valid_to IS NULL OR u.valid_to >= least($5, $6)) \
         UNION ALL \
         SELECT 'indicators', 'figures', '', '', \
                ARRAY[coalesce(sum(ge_officials) FILTER (WHERE year = extract(year FROM $5::date)), 0), \
                      count(ge_officials) FILTER (WHERE year = extract(year FROM $5::date)), \
                      (SELECT coalesce(sum(d), 0) FROM gbv_ind), (SELECT coalesce(sum(s), 0) FROM gbv_ind), \
                      (SELECT count(*) FROM gbv_ind), (SELECT count(*) FROM gbv_ind WHERE from_cases)]::int8[] \
           FROM fi"
    )
}

/// The statement for a period: from the roll-ups when it is of whole months (`from` the first
/// of a month, `to` the last of one), from the records otherwise.
pub fn sql(rolled: bool) -> &'static str {
    static RAW: OnceLock<String> = OnceLock::new();
    static ROLLED_SQL: OnceLock<String> = OnceLock::new();
    if rolled {
        ROLLED_SQL.get_or_init(|| build(true))
    } else {
        RAW.get_or_init(|| build(false))
    }
}

/// True when `from..=to` is a period of whole months, which the roll-ups answer.
pub fn whole_months(from: NaiveDate, to: NaiveDate) -> bool {
    use chrono::Datelike;
    from.day() == 1 && to.succ_opt().is_some_and(|d| d.day() == 1)
}

pub struct Scope<'a> {
    pub unit_id: Uuid,
    pub path: &'a str,
    pub depth: i32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reference: NaiveDate,
    /// Trainings, outreach events, inspections and violations from the roll-ups (only for a
    /// period of whole months: [`whole_months`]); from their records when false.
    pub rolled: bool,
}

/// Runs the summary statement. The rolled one is kept prepared on each connection
/// ([`CachedSql`]) and planned once, generically (`plan_cache_mode` forced for its transaction): every read in it is an index
/// lookup by the unit's id or an index range over its path, the same plan for a ward and for the
/// country, and planning it was most of a ward's summary. The raw one is planned for each call's
/// binds (an index range for a ward, a scan for the country).
pub async fn facts(conn: &mut AsyncPgConnection, s: &Scope<'_>) -> diesel::QueryResult<Vec<Fact>> {
    if s.rolled && whole_months(s.from, s.to) {
        return conn
            .transaction(async |conn| {
                conn.batch_execute("SET LOCAL plan_cache_mode = force_generic_plan")
                    .await?;
                let binds = vec![
                    Bind::Uuid(s.unit_id),
                    Bind::Text(s.path.to_string()),
                    Bind::Int(s.depth.into()),
                    Bind::Date(s.from),
                    Bind::Date(s.to),
                    Bind::Date(s.reference),
                ];
                CachedSql::new(sql(true).to_string(), binds).load(conn).await
            })
            .await;
    }
    diesel::sql_query(sql(false))
        .bind::<SqlUuid, _>(s.unit_id)
        .bind::<Text, _>(s.path)
        .bind::<Int4, _>(s.depth)
        .bind::<Date, _>(s.from)
        .bind::<Date, _>(s.to)
        .bind::<Date, _>(s.reference)
        .load(conn)
        .await
}

#[cfg(test)]
mod tests {
    /// Every placeholder is one of the six binds; `BD_PRINT_SQL=1` prints the statement (for
    /// EXPLAIN).
    #[test]
    fn binds_are_the_six_parameters() {
        for rolled in [false, true] {
            check(super::sql(rolled));
        }
    }

    fn check(sql: &str) {
        let found: std::collections::BTreeSet<u32> = sql
            .match_indices('$')
            .map(|(i, _)| {
                let n: String = sql[i + 1..].chars().take_while(char::is_ascii_digit).collect();
                n.parse().expect("a numbered placeholder")
            })
            .collect();
        assert_eq!(found.into_iter().collect::<Vec<_>>(), vec![1, 2, 3, 4, 5, 6]);
        if std::env::var_os("BD_PRINT_SQL").is_some() {
            println!("{sql}");
        }
    }
}
