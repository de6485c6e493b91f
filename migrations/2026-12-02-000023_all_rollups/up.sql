-- The rest of the summary rolled up (issue 16): plans (with their targets), petitions, the
-- yearly figures and the leaders in office, so that no section of a summary of whole months
-- scans records at the country. As migrations `live_rollups` and `more_rollups`: insert-only
-- deltas written by triggers in the writer's transaction, folded into `rollup_facts` by the
-- compactor, lineage applied at read time.
--
-- Measures (what the summary's raw statement counts, `reports::queries`):
--   plans/unit/'', plans/status/<s>  : count, targets, targets met; the month is 1 January of
--                                      the plan's year (the summary counts plans by year)
--   petitions/unit/'', petitions/kind/<k>: count, resolved, resolved on time; the month is the
--                                      one received. "Overdue on the reference day" stays a
--                                      read of the open petitions (index `petitions_overdue`).
--   figures/total/''                 : officials in charge of gender equality, figures given,
--                                      complete GBV figures, victims detected, supported (in
--                                      those); 1 January of the figures' year. A unit-year that
--                                      has support cases counts its cases instead: the read
--                                      subtracts those figures (few: one per unit-year with cases).
--   leaders/total/<day>              : the change on <day> (YYYY-MM-DD) of the local governments
--                                      counted, those led by a woman, those with a leader in
--                                      office. A point in time is the sum of every change up to
--                                      it; a unit's changes are recomputed from all its leaders
--                                      whenever it or one of them changes (statement triggers
--                                      with transition tables: several leaders of one unit may
--                                      change in one statement, and "led by a woman" is not a
--                                      sum over leaders).

CREATE FUNCTION bd_target_met(t plan_targets) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT t.actual_value IS NOT NULL
     AND CASE t.direction WHEN 'decrease' THEN t.actual_value <= t.target_value ELSE t.actual_value >= t.target_value END
$$;

-- A plan counts once with the targets it has now (targets change through their own trigger).
-- A plan being inserted counts none: its targets, written with it or after it, count themselves
-- (a statement that inserts both fires the plan's trigger after the targets are in).
CREATE FUNCTION bd_rollup_plan_rows(p plans, sign int, with_targets boolean DEFAULT true) RETURNS SETOF rollup_deltas
LANGUAGE sql STABLE AS $$
  SELECT s.* FROM (SELECT count(*) AS n, count(*) FILTER (WHERE bd_target_met(t)) AS met
                     FROM plan_targets t WHERE with_targets AND t.plan_id = p.id AND t.deleted_at IS NULL) tg,
         bd_rollup_spread(p.unit_path, make_date(p.year, 1, 1), p.id IS NOT NULL AND p.deleted_at IS NULL,
                          ARRAY(SELECT ROW('plans', g.grp, g.key, 1, tg.n, tg.met, 0, 0, 0, 0, 0)::rollup_measure
                                  FROM (VALUES ('unit', ''), ('status', p.status)) g (grp, key)), sign) s
$$;
-- A target counts toward its plan's unit, year and status while both are live.
CREATE FUNCTION bd_rollup_target_rows(t plan_targets, sign int) RETURNS SETOF rollup_deltas
LANGUAGE sql STABLE AS $$
  SELECT s.* FROM plans p,
         bd_rollup_spread(p.unit_path, make_date(p.year, 1, 1), t.deleted_at IS NULL AND p.deleted_at IS NULL,
                          ARRAY(SELECT ROW('plans', g.grp, g.key, 0, 1, bd_target_met(t)::int, 0, 0, 0, 0, 0)::rollup_measure
                                  FROM (VALUES ('unit', ''), ('status', p.status)) g (grp, key)), sign) s
   WHERE p.id = t.plan_id
$$;
CREATE FUNCTION bd_rollup_petition_rows(p petitions, sign int) RETURNS SETOF rollup_deltas
LANGUAGE sql STABLE AS $$
  SELECT * FROM bd_rollup_spread(
      p.unit_path, p.received_on, p.id IS NOT NULL AND p.deleted_at IS NULL,
      ARRAY(SELECT ROW('petitions', g.grp, g.key, 1, (p.status = 'resolved')::int,
                       ((p.status = 'resolved' AND p.decided_on <= p.resolution_due_on) IS TRUE)::int, 0, 0, 0, 0, 0)::rollup_measure
              FROM (VALUES ('unit', ''), ('kind', p.kind)) g (grp, key)),
      sign)
$$;
CREATE FUNCTION bd_rollup_figure_rows(f unit_figures, sign int) RETURNS SETOF rollup_deltas
LANGUAGE sql STABLE AS $$
  SELECT s.*
    FROM (SELECT f.gbv_victims_detected IS NOT NULL AND f.gbv_victims_supported IS NOT NULL AS complete) c,
         bd_rollup_spread(
             f.unit_path, make_date(f.year, 1, 1), f.id IS NOT NULL,
             ARRAY[ROW('figures', 'total', '', coalesce(f.ge_officials, 0), (f.ge_officials IS NOT NULL)::int, c.complete::int,
                       CASE WHEN c.complete THEN f.gbv_victims_detected ELSE 0 END,
                       CASE WHEN c.complete THEN f.gbv_victims_supported ELSE 0 END, 0, 0, 0)::rollup_measure],
             sign) s
$$;

-- A local government's leaders indicator on day `d`: (counted, led by a woman, led).
CREATE FUNCTION bd_leaders_on(u units, leaders unit_leaders[], d date) RETURNS int[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN u.id IS NOT NULL AND u.deleted_at IS NULL
               AND u.kind IN ('province', 'city', 'district', 'town', 'ward', 'commune', 'township')
               AND u.valid_from <= d AND (u.valid_to IS NULL OR u.valid_to >= d)
         THEN ARRAY[1,
                    (EXISTS (SELECT 1 FROM unnest(leaders) l WHERE l.deleted_at IS NULL AND l.holder_sex = 'female'
                                AND l.started_on <= d AND (l.ended_on IS NULL OR l.ended_on >= d)))::int,
                    (EXISTS (SELECT 1 FROM unnest(leaders) l WHERE l.deleted_at IS NULL
                                AND l.started_on <= d AND (l.ended_on IS NULL OR l.ended_on >= d)))::int]
         ELSE ARRAY[0, 0, 0] END
$$;
-- The unit's indicator as changes, one a day it changes on (the unit's term and its leaders'
-- terms begin and end there), signed, toward each unit on its path.
CREATE FUNCTION bd_rollup_leader_rows(u units, leaders unit_leaders[], sign int) RETURNS SETOF rollup_deltas
LANGUAGE sql STABLE AS $$
  SELECT r.*
    FROM (SELECT b.d, bd_leaders_on(u, leaders, b.d) AS now, bd_leaders_on(u, leaders, b.d - 1) AS before
            FROM (SELECT DISTINCT d FROM unnest(ARRAY[u.valid_from, u.valid_to + 1]
                                                || ARRAY(SELECT x FROM unnest(leaders) l, unnest(ARRAY[l.started_on, l.ended_on + 1]) x)) d
                   WHERE d IS NOT NULL) b) s,
         bd_rollup_spread(u.path, s.d, u.id IS NOT NULL,
                          ARRAY[ROW('leaders', 'total', to_char(s.d, 'YYYY-MM-DD'), s.now[1] - s.before[1],
                                    s.now[2] - s.before[2], s.now[3] - s.before[3], 0, 0, 0, 0, 0)::rollup_measure],
                          sign) r
   WHERE s.now <> s.before
$$;
CREATE FUNCTION bd_unit_leaders(unit uuid) RETURNS unit_leaders[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY(SELECT l FROM unit_leaders l WHERE l.unit_id = unit AND l.deleted_at IS NULL)
$$;

-- Leaders changed (a statement's old and new rows): each unit touched counts minus what it
-- counted before the statement (its leaders now, less the new rows, plus the old ones) and plus
-- what it counts now.
CREATE FUNCTION bd_rollup_leaders_changed(olds unit_leaders[], news unit_leaders[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO rollup_deltas (unit_id, month, section, grp, key, bucket, c1, c2, c3, c4, c5, c6, c7, c8)
  SELECT r.unit_id, r.month, r.section, r.grp, r.key, r.bucket, r.c1, r.c2, r.c3, r.c4, r.c5, r.c6, r.c7, r.c8
    FROM units u CROSS JOIN LATERAL (SELECT bd_unit_leaders(u.id) AS now) c
         CROSS JOIN LATERAL (
             SELECT * FROM bd_rollup_leader_rows(u, c.now, 1)
             UNION ALL
             SELECT * FROM bd_rollup_leader_rows(
                 u, ARRAY(SELECT l FROM unnest(c.now) l WHERE l.id NOT IN (SELECT n.id FROM unnest(news) n))
                    || ARRAY(SELECT o FROM unnest(olds) o WHERE o.unit_id = u.id), -1)) r
   WHERE u.id IN (SELECT o.unit_id FROM unnest(olds) o UNION SELECT n.unit_id FROM unnest(news) n)
$$;
-- Units changed: minus what the old row counted, plus what the new one counts, with the unit's
-- leaders (which the statement did not change).
CREATE FUNCTION bd_rollup_units_changed(olds units[], news units[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO rollup_deltas (unit_id, month, section, grp, key, bucket, c1, c2, c3, c4, c5, c6, c7, c8)
  SELECT r.unit_id, r.month, r.section, r.grp, r.key, r.bucket, r.c1, r.c2, r.c3, r.c4, r.c5, r.c6, r.c7, r.c8
    FROM (SELECT o AS u, -1 AS sign FROM unnest(olds) o UNION ALL SELECT n, 1 FROM unnest(news) n) x,
         bd_rollup_leader_rows(x.u, bd_unit_leaders((x.u).id), x.sign) r
$$;

CREATE FUNCTION bd_rollup_leaders_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  CASE TG_OP
  WHEN 'INSERT' THEN PERFORM bd_rollup_leaders_changed('{}'::unit_leaders[], ARRAY(SELECT n::unit_leaders FROM new_rows n));
  WHEN 'DELETE' THEN PERFORM bd_rollup_leaders_changed(ARRAY(SELECT o::unit_leaders FROM old_rows o), '{}'::unit_leaders[]);
  ELSE PERFORM bd_rollup_leaders_changed(ARRAY(SELECT o::unit_leaders FROM old_rows o), ARRAY(SELECT n::unit_leaders FROM new_rows n));
  END CASE;
  RETURN NULL;
END $$;
CREATE FUNCTION bd_rollup_units_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  CASE TG_OP
  WHEN 'INSERT' THEN PERFORM bd_rollup_units_changed('{}'::units[], ARRAY(SELECT n::units FROM new_rows n));
  WHEN 'DELETE' THEN PERFORM bd_rollup_units_changed(ARRAY(SELECT o::units FROM old_rows o), '{}'::units[]);
  ELSE
    -- Only the units whose counting changed (a rename counts nothing differently).
    PERFORM bd_rollup_units_changed(
        ARRAY(SELECT o::units FROM old_rows o JOIN new_rows n ON n.id = o.id
               WHERE (o.path, o.kind, o.valid_from, o.valid_to, o.deleted_at IS NULL)
                     IS DISTINCT FROM (n.path, n.kind, n.valid_from, n.valid_to, n.deleted_at IS NULL)),
        ARRAY(SELECT n::units FROM old_rows o JOIN new_rows n ON n.id = o.id
               WHERE (o.path, o.kind, o.valid_from, o.valid_to, o.deleted_at IS NULL)
                     IS DISTINCT FROM (n.path, n.kind, n.valid_from, n.valid_to, n.deleted_at IS NULL)));
  END CASE;
  RETURN NULL;
END $$;

-- The row trigger of the record tables. A plan's hard delete counts before the row goes (BEFORE:
-- its targets, deleted after it by the cascade, then find no plan and count nothing).
CREATE OR REPLACE FUNCTION bd_rollup_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  d rollup_deltas[];
BEGIN
  CASE TG_TABLE_NAME
  WHEN 'trainings' THEN
    d := ARRAY(SELECT r FROM bd_rollup_training_rows(OLD, -1) r UNION ALL SELECT r FROM bd_rollup_training_rows(NEW, 1) r);
  WHEN 'outreach_events' THEN
    d := ARRAY(SELECT r FROM bd_rollup_outreach_rows(OLD, -1) r UNION ALL SELECT r FROM bd_rollup_outreach_rows(NEW, 1) r);
  WHEN 'inspections' THEN
    d := ARRAY(SELECT r FROM bd_rollup_inspection_rows(OLD, -1) r UNION ALL SELECT r FROM bd_rollup_inspection_rows(NEW, 1) r);
  WHEN 'violations' THEN
    d := ARRAY(SELECT r FROM bd_rollup_violation_rows(OLD, -1) r UNION ALL SELECT r FROM bd_rollup_violation_rows(NEW, 1) r);
  WHEN 'plans' THEN
    d := ARRAY(SELECT r FROM bd_rollup_plan_rows(OLD, -1) r UNION ALL SELECT r FROM bd_rollup_plan_rows(NEW, 1, TG_OP <> 'INSERT') r);
  WHEN 'plan_targets' THEN
    d := ARRAY(SELECT r FROM bd_rollup_target_rows(OLD, -1) r UNION ALL SELECT r FROM bd_rollup_target_rows(NEW, 1) r);
  WHEN 'petitions' THEN
    d := ARRAY(SELECT r FROM bd_rollup_petition_rows(OLD, -1) r UNION ALL SELECT r FROM bd_rollup_petition_rows(NEW, 1) r);
  ELSE
    d := ARRAY(SELECT r FROM bd_rollup_figure_rows(OLD, -1) r UNION ALL SELECT r FROM bd_rollup_figure_rows(NEW, 1) r);
  END CASE;
  INSERT INTO rollup_deltas (unit_id, month, section, grp, key, bucket, c1, c2, c3, c4, c5, c6, c7, c8)
  SELECT unit_id, month, section, grp, key, bucket, c1, c2, c3, c4, c5, c6, c7, c8 FROM unnest(d);
  IF TG_WHEN = 'BEFORE' THEN
    RETURN OLD;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER plans_rollup AFTER INSERT ON plans FOR EACH ROW EXECUTE FUNCTION bd_rollup_record();
CREATE TRIGGER plans_rollup_delete BEFORE DELETE ON plans FOR EACH ROW EXECUTE FUNCTION bd_rollup_record();
CREATE TRIGGER plans_rollup_update AFTER UPDATE ON plans FOR EACH ROW
    WHEN ((OLD.unit_path, OLD.year, OLD.status, OLD.deleted_at IS NULL)
          IS DISTINCT FROM (NEW.unit_path, NEW.year, NEW.status, NEW.deleted_at IS NULL))
    EXECUTE FUNCTION bd_rollup_record();
CREATE TRIGGER plan_targets_rollup AFTER INSERT OR DELETE ON plan_targets
    FOR EACH ROW EXECUTE FUNCTION bd_rollup_record();
CREATE TRIGGER plan_targets_rollup_update AFTER UPDATE ON plan_targets FOR EACH ROW
    WHEN ((OLD.plan_id, OLD.direction, OLD.target_value, OLD.actual_value, OLD.deleted_at IS NULL)
          IS DISTINCT FROM (NEW.plan_id, NEW.direction, NEW.target_value, NEW.actual_value, NEW.deleted_at IS NULL))
    EXECUTE FUNCTION bd_rollup_record();
CREATE TRIGGER petitions_rollup AFTER INSERT OR DELETE ON petitions
    FOR EACH ROW EXECUTE FUNCTION bd_rollup_record();
CREATE TRIGGER petitions_rollup_update AFTER UPDATE ON petitions FOR EACH ROW
    WHEN ((OLD.unit_path, OLD.received_on, OLD.kind, OLD.status, OLD.decided_on, OLD.resolution_due_on, OLD.deleted_at IS NULL)
          IS DISTINCT FROM (NEW.unit_path, NEW.received_on, NEW.kind, NEW.status, NEW.decided_on, NEW.resolution_due_on,
                            NEW.deleted_at IS NULL))
    EXECUTE FUNCTION bd_rollup_record();
CREATE TRIGGER unit_figures_rollup AFTER INSERT OR DELETE ON unit_figures
    FOR EACH ROW EXECUTE FUNCTION bd_rollup_record();
CREATE TRIGGER unit_figures_rollup_update AFTER UPDATE ON unit_figures FOR EACH ROW
    WHEN ((OLD.unit_path, OLD.year, OLD.ge_officials, OLD.gbv_victims_detected, OLD.gbv_victims_supported)
          IS DISTINCT FROM (NEW.unit_path, NEW.year, NEW.ge_officials, NEW.gbv_victims_detected, NEW.gbv_victims_supported))
    EXECUTE FUNCTION bd_rollup_record();
CREATE TRIGGER unit_leaders_rollup_insert AFTER INSERT ON unit_leaders
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bd_rollup_leaders_statement();
CREATE TRIGGER unit_leaders_rollup_update AFTER UPDATE ON unit_leaders
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bd_rollup_leaders_statement();
CREATE TRIGGER unit_leaders_rollup_delete AFTER DELETE ON unit_leaders
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION bd_rollup_leaders_statement();
CREATE TRIGGER units_rollup_insert AFTER INSERT ON units
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bd_rollup_units_statement();
CREATE TRIGGER units_rollup_update AFTER UPDATE ON units
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bd_rollup_units_statement();
CREATE TRIGGER units_rollup_delete AFTER DELETE ON units
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION bd_rollup_units_statement();

-- The leaders' changes up to a day: read by unit and month, apart from the other sections.
CREATE INDEX rollup_facts_leaders ON rollup_facts (unit_id, month) WHERE section = 'leaders';
-- The petitions open past their due day, read at the reference day.
CREATE INDEX petitions_overdue ON petitions (due_on, received_on) INCLUDE (kind, unit_path, handling_unit_id)
    WHERE due_on IS NOT NULL AND deleted_at IS NULL;

CREATE OR REPLACE FUNCTION bd_rollup_computed() RETURNS SETOF rollup_deltas LANGUAGE sql STABLE AS $$
  SELECT NULL::bigint, unit_id, month, section, grp, key, bucket,
         sum(c1)::bigint, sum(c2)::bigint, sum(c3)::bigint, sum(c4)::bigint,
         sum(c5)::bigint, sum(c6)::bigint, sum(c7)::bigint, sum(c8)::bigint
    FROM (SELECT r.* FROM trainings t, bd_rollup_training_rows(t, 1) r WHERE t.deleted_at IS NULL
          UNION ALL
          SELECT r.* FROM outreach_events e, bd_rollup_outreach_rows(e, 1) r WHERE e.deleted_at IS NULL
          UNION ALL
          SELECT r.* FROM inspections i, bd_rollup_inspection_rows(i, 1) r WHERE i.deleted_at IS NULL
          UNION ALL
          SELECT r.* FROM violations v, bd_rollup_violation_rows(v, 1) r WHERE v.deleted_at IS NULL
          UNION ALL
          SELECT r.* FROM plans p, bd_rollup_plan_rows(p, 1) r WHERE p.deleted_at IS NULL
          UNION ALL
          SELECT r.* FROM petitions p, bd_rollup_petition_rows(p, 1) r WHERE p.deleted_at IS NULL
          UNION ALL
          SELECT r.* FROM unit_figures f, bd_rollup_figure_rows(f, 1) r
          UNION ALL
          SELECT r.* FROM units u, bd_rollup_leader_rows(u, bd_unit_leaders(u.id), 1) r WHERE u.deleted_at IS NULL) x
   GROUP BY unit_id, month, section, grp, key, bucket
  HAVING (sum(c1), sum(c2), sum(c3), sum(c4), sum(c5), sum(c6), sum(c7), sum(c8)) <> (0, 0, 0, 0, 0, 0, 0, 0)
$$;
SELECT bd_rollup_rebuild();
