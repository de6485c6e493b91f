-- Live roll-ups of trainings and outreach events (issue 16): the summary of a period of whole
-- months reads sums per unit, month and measure instead of scanning the records (90% of them).
--
-- Every write of a record adds insert-only deltas in its own transaction (a trigger, so no write
-- path can miss it): minus what the old row counted, plus what the new one counts, toward each
-- unit on its path. A row's `unit_id` is the unit it counts toward, `bucket` the child of that
-- unit the record lies under (the unit itself for its own records), as the summary's drill-down
-- wants them; `month` is the first day of the record's start month. No row is updated by the
-- writers, so no write in the country waits on another's: the compactor
-- (`reports::rollups::compact`, in the background) folds deltas into `rollup_facts` in batches,
-- deleting what it folded in the same transaction. The truth at every moment is facts plus
-- deltas. Lineage (units merged into another) is applied at read time, as on the raw path;
-- point-in-time figures (overdue petitions, leaders in office) are still computed at read time.
--
-- Measures, c1..c8 (what the summary's raw statement sums, `reports::queries`):
--   trainings/unit/''      : count, female, male, other, in the Action Month, officials and
--                            collaborators trained
--   trainings/audience/<a> : count, female, male, other
--   outreach/unit/'' and outreach/kind/<k>: count, female, male, other, reach, in the Action
--                            Month, participants then, reach then
--   outreach/topic/<t>     : count, female, male, other, reach

CREATE TABLE rollup_facts (
    unit_id uuid NOT NULL,
    month   date NOT NULL,
    section text NOT NULL,
    grp     text NOT NULL,
    key     text NOT NULL,
    bucket  uuid NOT NULL,
    c1 bigint NOT NULL DEFAULT 0, c2 bigint NOT NULL DEFAULT 0, c3 bigint NOT NULL DEFAULT 0, c4 bigint NOT NULL DEFAULT 0,
    c5 bigint NOT NULL DEFAULT 0, c6 bigint NOT NULL DEFAULT 0, c7 bigint NOT NULL DEFAULT 0, c8 bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, month, section, grp, key, bucket)
);

CREATE TABLE rollup_deltas (
    id      bigserial PRIMARY KEY,
    unit_id uuid NOT NULL,
    month   date NOT NULL,
    section text NOT NULL,
    grp     text NOT NULL,
    key     text NOT NULL,
    bucket  uuid NOT NULL,
    c1 bigint NOT NULL DEFAULT 0, c2 bigint NOT NULL DEFAULT 0, c3 bigint NOT NULL DEFAULT 0, c4 bigint NOT NULL DEFAULT 0,
    c5 bigint NOT NULL DEFAULT 0, c6 bigint NOT NULL DEFAULT 0, c7 bigint NOT NULL DEFAULT 0, c8 bigint NOT NULL DEFAULT 0
);
CREATE INDEX rollup_deltas_unit ON rollup_deltas (unit_id, month);

-- The units a record at `unit_path` counts toward, each with the bucket it falls in there.
CREATE FUNCTION bd_rollup_units(unit_path text) RETURNS TABLE (unit_id uuid, bucket uuid)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT s.seg::uuid, coalesce(lead(s.seg) OVER (ORDER BY s.n), s.seg)::uuid
    FROM unnest(string_to_array(btrim(unit_path, '/'), '/')) WITH ORDINALITY AS s (seg, n)
$$;

CREATE FUNCTION bd_training_measures(t trainings)
RETURNS TABLE (section text, grp text, key text, c1 bigint, c2 bigint, c3 bigint, c4 bigint,
               c5 bigint, c6 bigint, c7 bigint, c8 bigint)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 'trainings', 'unit', '', 1::bigint, t.female::bigint, t.male::bigint, t.other_sex::bigint,
         t.in_action_month::int::bigint,
         CASE WHEN t.audiences && ARRAY['officials', 'collaborators'] THEN t.female + t.male + t.other_sex ELSE 0 END::bigint,
         0::bigint, 0::bigint
  UNION ALL
  SELECT 'trainings', 'audience', au, 1, t.female, t.male, t.other_sex, 0, 0, 0, 0 FROM unnest(t.audiences) au
$$;

CREATE FUNCTION bd_outreach_measures(e outreach_events)
RETURNS TABLE (section text, grp text, key text, c1 bigint, c2 bigint, c3 bigint, c4 bigint,
               c5 bigint, c6 bigint, c7 bigint, c8 bigint)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 'outreach', g.grp, g.key, 1::bigint, e.female::bigint, e.male::bigint, e.other_sex::bigint,
         coalesce(e.audience_reached, 0)::bigint, e.in_action_month::int::bigint,
         CASE WHEN e.in_action_month THEN e.female + e.male + e.other_sex ELSE 0 END::bigint,
         CASE WHEN e.in_action_month THEN coalesce(e.audience_reached, 0) ELSE 0 END::bigint
    FROM (VALUES ('unit', ''), ('kind', e.kind)) AS g (grp, key)
  UNION ALL
  SELECT 'outreach', 'topic', tp, 1, e.female, e.male, e.other_sex, coalesce(e.audience_reached, 0), 0, 0, 0
    FROM unnest(e.topics) tp
$$;

-- What a live record counts, signed, as delta rows (none for a NULL row).
CREATE FUNCTION bd_rollup_training_rows(t trainings, sign int) RETURNS SETOF rollup_deltas
LANGUAGE sql STABLE AS $$
  SELECT NULL::bigint, u.unit_id, date_trunc('month', t.starts_on)::date, m.section, m.grp, m.key, u.bucket,
         sign * m.c1, sign * m.c2, sign * m.c3, sign * m.c4, sign * m.c5, sign * m.c6, sign * m.c7, sign * m.c8
    FROM bd_rollup_units(t.unit_path) u, bd_training_measures(t) m
   WHERE t.id IS NOT NULL AND t.deleted_at IS NULL
$$;
CREATE FUNCTION bd_rollup_outreach_rows(e outreach_events, sign int) RETURNS SETOF rollup_deltas
LANGUAGE sql STABLE AS $$
  SELECT NULL::bigint, u.unit_id, date_trunc('month', e.starts_on)::date, m.section, m.grp, m.key, u.bucket,
         sign * m.c1, sign * m.c2, sign * m.c3, sign * m.c4, sign * m.c5, sign * m.c6, sign * m.c7, sign * m.c8
    FROM bd_rollup_units(e.unit_path) u, bd_outreach_measures(e) m
   WHERE e.id IS NOT NULL AND e.deleted_at IS NULL
$$;

-- The trigger of both tables: minus what the old row counted, plus what the new one counts (OLD
-- is NULL on an insert, NEW on a delete: a NULL row counts nothing). PL/pgSQL plans a trigger
-- function for each table apart, so each plans only its own branch.
CREATE FUNCTION bd_rollup_record() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- An update adds deltas only when it changes what the record counts.
CREATE TRIGGER trainings_rollup AFTER INSERT OR DELETE ON trainings
    FOR EACH ROW EXECUTE FUNCTION bd_rollup_record();
CREATE TRIGGER trainings_rollup_update AFTER UPDATE ON trainings FOR EACH ROW
    WHEN ((OLD.unit_path, OLD.starts_on, OLD.ends_on, OLD.female, OLD.male, OLD.other_sex, OLD.audiences, OLD.deleted_at IS NULL)
          IS DISTINCT FROM (NEW.unit_path, NEW.starts_on, NEW.ends_on, NEW.female, NEW.male, NEW.other_sex, NEW.audiences, NEW.deleted_at IS NULL))
    EXECUTE FUNCTION bd_rollup_record();
CREATE TRIGGER outreach_events_rollup AFTER INSERT OR DELETE ON outreach_events
    FOR EACH ROW EXECUTE FUNCTION bd_rollup_record();
CREATE TRIGGER outreach_events_rollup_update AFTER UPDATE ON outreach_events FOR EACH ROW
    WHEN ((OLD.unit_path, OLD.starts_on, OLD.ends_on, OLD.female, OLD.male, OLD.other_sex, OLD.audience_reached, OLD.kind,
           OLD.topics, OLD.deleted_at IS NULL)
          IS DISTINCT FROM (NEW.unit_path, NEW.starts_on, NEW.ends_on, NEW.female, NEW.male, NEW.other_sex, NEW.audience_reached,
                            NEW.kind, NEW.topics, NEW.deleted_at IS NULL))
    EXECUTE FUNCTION bd_rollup_record();

-- What the records count, computed afresh from them (the rows `bd_rollup_rebuild` writes and
-- `binhdang verify-rollups` compares with facts plus deltas).
CREATE FUNCTION bd_rollup_computed() RETURNS SETOF rollup_deltas LANGUAGE sql STABLE AS $$
  SELECT NULL::bigint, unit_id, month, section, grp, key, bucket,
         sum(c1)::bigint, sum(c2)::bigint, sum(c3)::bigint, sum(c4)::bigint,
         sum(c5)::bigint, sum(c6)::bigint, sum(c7)::bigint, sum(c8)::bigint
    FROM (SELECT r.* FROM trainings t, bd_rollup_training_rows(t, 1) r WHERE t.deleted_at IS NULL
          UNION ALL
          SELECT r.* FROM outreach_events e, bd_rollup_outreach_rows(e, 1) r WHERE e.deleted_at IS NULL) x
   GROUP BY unit_id, month, section, grp, key, bucket
$$;

-- Facts computed afresh from the records, deltas emptied (for data written with the triggers
-- off, such as the synthetic country, and for a repair).
CREATE FUNCTION bd_rollup_rebuild() RETURNS void LANGUAGE sql AS $$
  LOCK TABLE rollup_facts, rollup_deltas IN EXCLUSIVE MODE;
  DELETE FROM rollup_deltas;
  DELETE FROM rollup_facts;
  INSERT INTO rollup_facts (unit_id, month, section, grp, key, bucket, c1, c2, c3, c4, c5, c6, c7, c8)
  SELECT unit_id, month, section, grp, key, bucket, c1, c2, c3, c4, c5, c6, c7, c8 FROM bd_rollup_computed();
$$;
SELECT bd_rollup_rebuild();
