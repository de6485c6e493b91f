-- Live roll-ups of inspections and violations too (issue 16), as migration `live_rollups` did for
-- trainings and outreach events, and the four tables' delta rows written by one function.
--
-- Measures, c1..c3 (what the summary's raw statement counts, `reports::queries`):
--   inspections/unit/'', inspections/kind/<k>, inspections/status/<s>: count; the month is the
--                            decision's, or the day the record was made (Vietnam time)
--   violations/unit/'', violations/area/<a>, violations/penalty/<p or pending>: count, fined,
--                            fines in VND; the month is the act's
-- Petitions stay on the records: their "overdue on the reference day" is a point in time.

CREATE TYPE rollup_measure AS (
    section text, grp text, key text,
    c1 bigint, c2 bigint, c3 bigint, c4 bigint, c5 bigint, c6 bigint, c7 bigint, c8 bigint
);

-- A live record's measures, signed, toward each unit on its path (nothing when `live` is false:
-- a NULL row, or a soft-deleted one). Only the `unit` group (the drill-down) is kept per bucket;
-- a breakdown's rows (by audience, kind, area, ...) are summed over the unit's subtree, so their
-- bucket is the unit itself for its own records (what lineage reads of a merged unit) and the
-- nil uuid for the rest of its subtree: the country then holds a few rows a key and month, not
-- one per province.
CREATE FUNCTION bd_rollup_spread(unit_path text, day date, live boolean, measures rollup_measure[], sign int)
RETURNS SETOF rollup_deltas LANGUAGE sql STABLE AS $$
  SELECT NULL::bigint, u.unit_id, date_trunc('month', day)::date, m.section, m.grp, m.key,
         CASE WHEN m.grp = 'unit' OR u.bucket = u.unit_id THEN u.bucket ELSE '00000000-0000-0000-0000-000000000000'::uuid END,
         sign * m.c1, sign * m.c2, sign * m.c3, sign * m.c4, sign * m.c5, sign * m.c6, sign * m.c7, sign * m.c8
    FROM bd_rollup_units(unit_path) u, unnest(measures) m
   WHERE live IS TRUE
$$;

CREATE OR REPLACE FUNCTION bd_rollup_training_rows(t trainings, sign int) RETURNS SETOF rollup_deltas
LANGUAGE sql STABLE AS $$
  SELECT * FROM bd_rollup_spread(t.unit_path, t.starts_on, t.id IS NOT NULL AND t.deleted_at IS NULL,
                                 ARRAY(SELECT m::rollup_measure FROM bd_training_measures(t) m), sign)
$$;
CREATE OR REPLACE FUNCTION bd_rollup_outreach_rows(e outreach_events, sign int) RETURNS SETOF rollup_deltas
LANGUAGE sql STABLE AS $$
  SELECT * FROM bd_rollup_spread(e.unit_path, e.starts_on, e.id IS NOT NULL AND e.deleted_at IS NULL,
                                 ARRAY(SELECT m::rollup_measure FROM bd_outreach_measures(e) m), sign)
$$;

CREATE FUNCTION bd_rollup_inspection_rows(i inspections, sign int) RETURNS SETOF rollup_deltas
LANGUAGE sql STABLE AS $$
  SELECT * FROM bd_rollup_spread(
      i.unit_path, coalesce(i.decision_on, (i.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date),
      i.id IS NOT NULL AND i.deleted_at IS NULL,
      ARRAY(SELECT ROW('inspections', g.grp, g.key, 1, 0, 0, 0, 0, 0, 0, 0)::rollup_measure
              FROM (VALUES ('unit', ''), ('kind', i.kind), ('status', i.status)) g (grp, key)),
      sign)
$$;
CREATE FUNCTION bd_rollup_violation_rows(v violations, sign int) RETURNS SETOF rollup_deltas
LANGUAGE sql STABLE AS $$
  SELECT * FROM bd_rollup_spread(
      v.unit_path, v.act_on, v.id IS NOT NULL AND v.deleted_at IS NULL,
      ARRAY(SELECT ROW('violations', g.grp, g.key, 1, (v.penalty IS NOT DISTINCT FROM 'fine')::int,
                       coalesce(v.fine_vnd, 0), 0, 0, 0, 0, 0)::rollup_measure
              FROM (VALUES ('unit', ''), ('area', v.area), ('penalty', coalesce(v.penalty, 'pending'))) g (grp, key)),
      sign)
$$;

-- The trigger of the four tables: minus what the old row counted, plus what the new one counts.
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
  ELSE
    d := ARRAY(SELECT r FROM bd_rollup_violation_rows(OLD, -1) r UNION ALL SELECT r FROM bd_rollup_violation_rows(NEW, 1) r);
  END CASE;
  INSERT INTO rollup_deltas (unit_id, month, section, grp, key, bucket, c1, c2, c3, c4, c5, c6, c7, c8)
  SELECT unit_id, month, section, grp, key, bucket, c1, c2, c3, c4, c5, c6, c7, c8 FROM unnest(d);
  RETURN NULL;
END $$;

CREATE TRIGGER inspections_rollup AFTER INSERT OR DELETE ON inspections
    FOR EACH ROW EXECUTE FUNCTION bd_rollup_record();
CREATE TRIGGER inspections_rollup_update AFTER UPDATE ON inspections FOR EACH ROW
    WHEN ((OLD.unit_path, OLD.decision_on, OLD.created_at, OLD.kind, OLD.status, OLD.deleted_at IS NULL)
          IS DISTINCT FROM (NEW.unit_path, NEW.decision_on, NEW.created_at, NEW.kind, NEW.status, NEW.deleted_at IS NULL))
    EXECUTE FUNCTION bd_rollup_record();
CREATE TRIGGER violations_rollup AFTER INSERT OR DELETE ON violations
    FOR EACH ROW EXECUTE FUNCTION bd_rollup_record();
CREATE TRIGGER violations_rollup_update AFTER UPDATE ON violations FOR EACH ROW
    WHEN ((OLD.unit_path, OLD.act_on, OLD.area, OLD.penalty, OLD.fine_vnd, OLD.deleted_at IS NULL)
          IS DISTINCT FROM (NEW.unit_path, NEW.act_on, NEW.area, NEW.penalty, NEW.fine_vnd, NEW.deleted_at IS NULL))
    EXECUTE FUNCTION bd_rollup_record();

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
          SELECT r.* FROM violations v, bd_rollup_violation_rows(v, 1) r WHERE v.deleted_at IS NULL) x
   GROUP BY unit_id, month, section, grp, key, bucket
$$;

-- Facts in the order of their key (a unit's months lie together on disk: the country's year is a
-- few hundred pages, not a page a row), with room on each page for the compactor's updates to
-- stay there (HOT updates).
ALTER TABLE rollup_facts SET (fillfactor = 70);
CREATE OR REPLACE FUNCTION bd_rollup_rebuild() RETURNS void LANGUAGE sql AS $$
  LOCK TABLE rollup_facts, rollup_deltas IN EXCLUSIVE MODE;
  DELETE FROM rollup_deltas;
  DELETE FROM rollup_facts;
  INSERT INTO rollup_facts (unit_id, month, section, grp, key, bucket, c1, c2, c3, c4, c5, c6, c7, c8)
  SELECT unit_id, month, section, grp, key, bucket, c1, c2, c3, c4, c5, c6, c7, c8 FROM bd_rollup_computed()
   ORDER BY unit_id, month, section, grp, key, bucket;
$$;
SELECT bd_rollup_rebuild();
