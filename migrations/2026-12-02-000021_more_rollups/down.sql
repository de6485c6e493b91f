-- Only the rows of trainings and outreach events again, each breakdown per bucket: 000020's
-- definitions, and the facts rebuilt with them at the end.
CREATE OR REPLACE FUNCTION bd_rollup_rebuild() RETURNS void LANGUAGE sql AS $$
  LOCK TABLE rollup_facts, rollup_deltas IN EXCLUSIVE MODE;
  DELETE FROM rollup_deltas;
  DELETE FROM rollup_facts;
  INSERT INTO rollup_facts (unit_id, month, section, grp, key, bucket, c1, c2, c3, c4, c5, c6, c7, c8)
  SELECT unit_id, month, section, grp, key, bucket, c1, c2, c3, c4, c5, c6, c7, c8 FROM bd_rollup_computed();
$$;
ALTER TABLE rollup_facts RESET (fillfactor);
DROP TRIGGER violations_rollup_update ON violations;
DROP TRIGGER violations_rollup ON violations;
DROP TRIGGER inspections_rollup_update ON inspections;
DROP TRIGGER inspections_rollup ON inspections;
CREATE OR REPLACE FUNCTION bd_rollup_computed() RETURNS SETOF rollup_deltas LANGUAGE sql STABLE AS $$
  SELECT NULL::bigint, unit_id, month, section, grp, key, bucket,
         sum(c1)::bigint, sum(c2)::bigint, sum(c3)::bigint, sum(c4)::bigint,
         sum(c5)::bigint, sum(c6)::bigint, sum(c7)::bigint, sum(c8)::bigint
    FROM (SELECT r.* FROM trainings t, bd_rollup_training_rows(t, 1) r WHERE t.deleted_at IS NULL
          UNION ALL
          SELECT r.* FROM outreach_events e, bd_rollup_outreach_rows(e, 1) r WHERE e.deleted_at IS NULL) x
   GROUP BY unit_id, month, section, grp, key, bucket
$$;
CREATE OR REPLACE FUNCTION bd_rollup_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'trainings' THEN
    INSERT INTO rollup_deltas (unit_id, month, section, grp, key, bucket, c1, c2, c3, c4, c5, c6, c7, c8)
    SELECT unit_id, month, section, grp, key, bucket, c1, c2, c3, c4, c5, c6, c7, c8 FROM bd_rollup_training_rows(OLD, -1)
    UNION ALL SELECT unit_id, month, section, grp, key, bucket, c1, c2, c3, c4, c5, c6, c7, c8 FROM bd_rollup_training_rows(NEW, 1);
  ELSE
    INSERT INTO rollup_deltas (unit_id, month, section, grp, key, bucket, c1, c2, c3, c4, c5, c6, c7, c8)
    SELECT unit_id, month, section, grp, key, bucket, c1, c2, c3, c4, c5, c6, c7, c8 FROM bd_rollup_outreach_rows(OLD, -1)
    UNION ALL SELECT unit_id, month, section, grp, key, bucket, c1, c2, c3, c4, c5, c6, c7, c8 FROM bd_rollup_outreach_rows(NEW, 1);
  END IF;
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION bd_rollup_outreach_rows(e outreach_events, sign int) RETURNS SETOF rollup_deltas
LANGUAGE sql STABLE AS $$
  SELECT NULL::bigint, u.unit_id, date_trunc('month', e.starts_on)::date, m.section, m.grp, m.key, u.bucket,
         sign * m.c1, sign * m.c2, sign * m.c3, sign * m.c4, sign * m.c5, sign * m.c6, sign * m.c7, sign * m.c8
    FROM bd_rollup_units(e.unit_path) u, bd_outreach_measures(e) m
   WHERE e.id IS NOT NULL AND e.deleted_at IS NULL
$$;
CREATE OR REPLACE FUNCTION bd_rollup_training_rows(t trainings, sign int) RETURNS SETOF rollup_deltas
LANGUAGE sql STABLE AS $$
  SELECT NULL::bigint, u.unit_id, date_trunc('month', t.starts_on)::date, m.section, m.grp, m.key, u.bucket,
         sign * m.c1, sign * m.c2, sign * m.c3, sign * m.c4, sign * m.c5, sign * m.c6, sign * m.c7, sign * m.c8
    FROM bd_rollup_units(t.unit_path) u, bd_training_measures(t) m
   WHERE t.id IS NOT NULL AND t.deleted_at IS NULL
$$;
DROP FUNCTION bd_rollup_violation_rows(violations, int);
DROP FUNCTION bd_rollup_inspection_rows(inspections, int);
DROP FUNCTION bd_rollup_spread(text, date, boolean, rollup_measure[], int);
DROP TYPE rollup_measure;
SELECT bd_rollup_rebuild();
