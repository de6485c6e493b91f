-- The roll-ups of migration `more_rollups` again (trainings, outreach events, inspections,
-- violations): its trigger and computed rows, the facts rebuilt with them at the end.
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

DROP INDEX petitions_overdue;
DROP INDEX rollup_facts_leaders;
DROP TRIGGER units_rollup_delete ON units;
DROP TRIGGER units_rollup_update ON units;
DROP TRIGGER units_rollup_insert ON units;
DROP TRIGGER unit_leaders_rollup_delete ON unit_leaders;
DROP TRIGGER unit_leaders_rollup_update ON unit_leaders;
DROP TRIGGER unit_leaders_rollup_insert ON unit_leaders;
DROP TRIGGER unit_figures_rollup_update ON unit_figures;
DROP TRIGGER unit_figures_rollup ON unit_figures;
DROP TRIGGER petitions_rollup_update ON petitions;
DROP TRIGGER petitions_rollup ON petitions;
DROP TRIGGER plan_targets_rollup_update ON plan_targets;
DROP TRIGGER plan_targets_rollup ON plan_targets;
DROP TRIGGER plans_rollup_update ON plans;
DROP TRIGGER plans_rollup_delete ON plans;
DROP TRIGGER plans_rollup ON plans;
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

DROP FUNCTION bd_rollup_units_statement();
DROP FUNCTION bd_rollup_leaders_statement();
DROP FUNCTION bd_rollup_units_changed(units[], units[]);
DROP FUNCTION bd_rollup_leaders_changed(unit_leaders[], unit_leaders[]);
DROP FUNCTION bd_unit_leaders(uuid);
DROP FUNCTION bd_rollup_leader_rows(units, unit_leaders[], int);
DROP FUNCTION bd_leaders_on(units, unit_leaders[], date);
DROP FUNCTION bd_rollup_figure_rows(unit_figures, int);
DROP FUNCTION bd_rollup_petition_rows(petitions, int);
DROP FUNCTION bd_rollup_target_rows(plan_targets, int);
DROP FUNCTION bd_rollup_plan_rows(plans, int, boolean);
DROP FUNCTION bd_target_met(plan_targets);
SELECT bd_rollup_rebuild();
