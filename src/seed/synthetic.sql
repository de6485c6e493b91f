-- A country-sized synthetic dataset for benchmarks (`binhdang seed --synthetic N`).
-- Placeholders replaced by the caller: {communes} and {records}. Deterministic (setseed). Rows
-- go in directly; the audit trail their writes would have left (and so the change feed) is
-- synthetic_trail.sql's.
SELECT setseed(0.4242);

CREATE TEMP TABLE syn_units (n int, id uuid, path text, depth int, kind text, parent uuid) ON COMMIT DROP;

INSERT INTO syn_units
SELECT p, md5('syn:province:' || p)::uuid, c.path || md5('syn:province:' || p)::uuid || '/', 1, 'province', c.id
  FROM generate_series(1, 63) p, units c WHERE c.depth = 0 AND c.kind = 'country';

-- About 11 districts a province.
INSERT INTO syn_units
SELECT d, md5('syn:district:' || d)::uuid, p.path || md5('syn:district:' || d)::uuid || '/', 2, 'district', p.id
  FROM generate_series(1, 693) d JOIN syn_units p ON p.kind = 'province' AND p.n = (d - 1) % 63 + 1;

INSERT INTO syn_units
SELECT c, md5('syn:commune:' || c)::uuid, d.path || md5('syn:commune:' || c)::uuid || '/', 3,
       CASE WHEN c % 3 = 0 THEN 'ward' ELSE 'commune' END, d.id
  FROM generate_series(1, {communes}) c JOIN syn_units d ON d.kind = 'district' AND d.n = (c - 1) % 693 + 1;

INSERT INTO units (id, parent_id, path, depth, kind, code, name, valid_from)
SELECT id, parent, path, depth, kind, 'S' || left(kind, 1) || n,
       CASE kind WHEN 'province' THEN 'Tỉnh ' WHEN 'district' THEN 'Huyện ' WHEN 'ward' THEN 'Phường ' ELSE 'Xã ' END || n,
       date '2000-01-01'
  FROM syn_units ORDER BY depth, n;

-- The 2025 reorganisation in miniature: in the first 100 districts, three communes merge into a
-- new one on 1 July 2025.
INSERT INTO syn_units
SELECT {communes} + d, md5('syn:merged:' || d)::uuid, s.path || md5('syn:merged:' || d)::uuid || '/', 3, 'commune', s.id
  FROM generate_series(1, 100) d JOIN syn_units s ON s.kind = 'district' AND s.n = d;
INSERT INTO units (id, parent_id, path, depth, kind, code, name, valid_from)
SELECT id, parent, path, 3, 'commune', 'SM' || n, 'Xã mới ' || n, date '2025-07-01'
  FROM syn_units WHERE n > {communes};
UPDATE units SET valid_to = date '2025-06-30'
 WHERE id IN (SELECT id FROM syn_units WHERE kind IN ('commune', 'ward') AND n <= 693 * 3 AND (n - 1) % 693 < 100);
INSERT INTO unit_lineage (predecessor_id, successor_id, effective_on, note)
SELECT c.id, m.id, date '2025-07-01', 'synthetic merge'
  FROM syn_units c JOIN syn_units m ON m.n = {communes} + ((c.n - 1) % 693 + 1)
 WHERE c.kind IN ('commune', 'ward') AND c.n <= 693 * 3 AND (c.n - 1) % 693 < 100;

CREATE TEMP TABLE syn_local (i serial, id uuid, path text) ON COMMIT DROP;
INSERT INTO syn_local (id, path) SELECT id, path FROM syn_units WHERE depth = 3 AND n <= {communes} ORDER BY n;
CREATE INDEX ON syn_local (i);
ANALYZE syn_local;

-- Records: 30% trainings, 60% outreach events, 4% petitions, 3% inspections, 3% violations,
-- spread over 2021-2025 and over the communes.
INSERT INTO trainings (id, unit_id, unit_path, title, topics, audiences, starts_on, ends_on, female, male, other_sex)
SELECT md5('syn:training:' || g)::uuid, u.id, u.path, 'Tập huấn ' || g,
       ARRAY[(ARRAY['gbv', 'gender_equality_law', 'domestic_violence', 'women_in_leadership'])[1 + (g % 4)]],
       ARRAY[(ARRAY['officials', 'collaborators', 'committee_members', 'community'])[1 + (g / 7 % 4)]],
       s, s + (g % 3), (random() * 40)::int, (random() * 30)::int, (g % 50 = 0)::int
  FROM (SELECT g, 1 + floor(random() * {communes})::int AS c, date '2021-01-01' + floor(random() * 1826)::int AS s
          FROM generate_series(1, {records} * 3 / 10) g) x
  JOIN syn_local u ON u.i = x.c;

INSERT INTO outreach_events (id, unit_id, unit_path, kind, title, topics, starts_on, ends_on, audience_reached,
                             female, male, other_sex, is_public)
SELECT md5('syn:outreach:' || g)::uuid, u.id, u.path,
       (ARRAY['street_event', 'campaign', 'exhibition', 'contest', 'performance', 'seminar', 'victim_visit',
              'broadcast', 'article', 'social_media', 'banner_poster', 'other'])[1 + (g % 12)],
       'Truyền thông ' || g,
       ARRAY[(ARRAY['gbv', 'sex_selection_at_birth', 'marriage_to_foreigners', 'women_in_leadership',
                    'women_entrepreneurship', 'gender_equality_law'])[1 + (g / 12 % 6)]],
       s, s, (random() * 500)::int, (random() * 80)::int, (random() * 60)::int, 0, g % 2 = 0
  FROM (SELECT g, 1 + floor(random() * {communes})::int AS c,
               CASE WHEN g % 5 = 0 THEN make_date(2021 + g % 5, 11, 15) + (g % 30)
                    ELSE date '2021-01-01' + floor(random() * 1826)::int END AS s
          FROM generate_series(1, {records} * 6 / 10) g) x
  JOIN syn_local u ON u.i = x.c;

INSERT INTO petitions (id, kind, handling_unit_id, unit_path, received_on, channel, subject, status, accepted_on,
                       decided_on, acceptance_due_on, resolution_due_on, due_on)
SELECT md5('syn:petition:' || g)::uuid, CASE WHEN g % 3 = 0 THEN 'denunciation' ELSE 'complaint' END, u.id, u.path,
       r, 'in_person', 'Đơn ' || g, CASE WHEN g % 4 = 0 THEN 'accepted' ELSE 'resolved' END, r + 5,
       CASE WHEN g % 4 = 0 THEN NULL ELSE r + 5 + (g % 40) END, r + 10, r + 35,
       CASE WHEN g % 4 = 0 THEN r + 35 END
  FROM (SELECT g, 1 + floor(random() * {communes})::int AS c, date '2021-01-01' + floor(random() * 1826)::int AS r
          FROM generate_series(1, {records} * 4 / 100) g) x
  JOIN syn_local u ON u.i = x.c;

INSERT INTO inspections (id, kind, inspecting_unit_id, unit_path, subject_name, subject_type, decision_on, areas,
                         status, conclusion, concluded_on, created_at, updated_at)
SELECT md5('syn:inspection:' || g)::uuid, CASE WHEN g % 4 = 0 THEN 'inspection' ELSE 'check' END, u.id, u.path,
       'Doanh nghiệp ' || g, 'employer', d, ARRAY['labour'],
       (ARRAY['planned', 'in_progress', 'concluded'])[1 + g % 3],
       CASE WHEN g % 3 = 2 THEN 'Kết luận' END, CASE WHEN g % 3 = 2 THEN d + 20 END, d, d
  FROM (SELECT g, 1 + floor(random() * {communes})::int AS c, date '2021-01-01' + floor(random() * 1826)::int AS d
          FROM generate_series(1, {records} * 3 / 100) g) x
  JOIN syn_local u ON u.i = x.c;

CREATE TEMP TABLE syn_rules ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY id) AS i, id, decree_code, area, min_fine_vnd FROM violation_rules;
INSERT INTO violations (id, handling_unit_id, unit_path, offender_kind, organization_name, rule_id, area, act_on,
                        penalty, fine_vnd, status)
SELECT md5('syn:violation:' || g)::uuid, u.id, u.path, 'organization', 'Công ty ' || g, r.id, r.area, a,
       CASE WHEN g % 3 = 0 THEN 'warning' ELSE 'fine' END,
       CASE WHEN g % 3 = 0 THEN NULL ELSE greatest(r.min_fine_vnd, 1000000) * 2 END, 'decided'
  FROM (SELECT g, 1 + floor(random() * {communes})::int AS c, date '2021-01-01' + floor(random() * 1826)::int AS a
          FROM generate_series(1, {records} * 3 / 100) g) x
  JOIN syn_local u ON u.i = x.c
  JOIN syn_rules r ON r.i = 1 + x.g % (SELECT count(*) FROM syn_rules);

-- A yearly plan for every commune and year, each with one target.
INSERT INTO plans (id, unit_id, unit_path, year, kind, title, status)
SELECT md5('syn:plan:' || u.i || ':' || y)::uuid, u.id, u.path, y, 'yearly', 'Kế hoạch ' || y,
       (ARRAY['draft', 'submitted', 'approved', 'in_progress', 'completed'])[1 + (u.i + y) % 5]
  FROM syn_local u, generate_series(2021, 2025) y;
INSERT INTO plan_targets (id, plan_id, indicator, unit_of_measure, target_value, actual_value, measured_on)
SELECT md5('syn:target:' || p.id)::uuid, p.id, 'Tỷ lệ cán bộ được tập huấn', '%', 80,
       CASE WHEN p.status = 'completed' THEN (60 + random() * 40)::int END,
       CASE WHEN p.status = 'completed' THEN make_date(p.year, 12, 31) END
  FROM plans p WHERE p.id IN (SELECT md5('syn:plan:' || u.i || ':' || y)::uuid FROM syn_local u, generate_series(2021, 2025) y);

-- Leaders of every local government and yearly figures of every commune.
INSERT INTO unit_leaders (id, unit_id, unit_path, body, position, holder_sex, started_on)
SELECT md5('syn:leader:' || s.id || ':' || b || ':' || p)::uuid, s.id, s.path, b, p,
       CASE WHEN random() < CASE p WHEN 'chair' THEN 0.15 ELSE 0.35 END THEN 'female' ELSE 'male' END,
       date '2021-07-01'
  FROM syn_units s, unnest(ARRAY['people_committee', 'people_council']) b, unnest(ARRAY['chair', 'vice_chair']) p;
INSERT INTO unit_figures (id, unit_id, unit_path, year, ge_officials, gbv_victims_detected, gbv_victims_supported)
SELECT md5('syn:figures:' || u.i || ':' || y)::uuid, u.id, u.path, y, 4 + u.i % 6, u.i % 7, greatest(u.i % 7 - (y % 2), 0)
  FROM syn_local u, generate_series(2021, 2025) y;
