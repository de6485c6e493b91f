-- Reports: who leads each local government (for the female-key-leader indicator), the yearly
-- figures a unit reports that no record carries, and indexes for rolling records up by unit.

-- A leadership position of a local government and the sex of its holder, over the holder's
-- term. No name: the indicator needs the sex only.
CREATE TABLE unit_leaders (
    id         uuid PRIMARY KEY,
    unit_id    uuid NOT NULL REFERENCES units (id),
    unit_path  text NOT NULL,
    body       text NOT NULL CHECK (body IN ('people_committee', 'people_council')),
    position   text NOT NULL CHECK (position IN ('chair', 'vice_chair')),
    holder_sex text NOT NULL CHECK (holder_sex IN ('female', 'male', 'other')),
    started_on date NOT NULL,
    ended_on   date,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version    bigint NOT NULL DEFAULT 1,
    deleted_at timestamptz,
    CONSTRAINT unit_leaders_term CHECK (ended_on IS NULL OR ended_on >= started_on)
);
CREATE INDEX unit_leaders_unit ON unit_leaders (unit_id, started_on) WHERE deleted_at IS NULL;

-- Yearly figures reported by a unit (aggregate data entry, as in DHIS2): officials and
-- collaborators doing gender-equality work, GBV victims detected and those who received at
-- least one basic support service. Counts only: never a victim's identity.
CREATE TABLE unit_figures (
    id                    uuid PRIMARY KEY,
    unit_id               uuid NOT NULL REFERENCES units (id),
    unit_path             text NOT NULL,
    year                  integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    ge_officials          integer CHECK (ge_officials IS NULL OR ge_officials >= 0),
    gbv_victims_detected  integer CHECK (gbv_victims_detected IS NULL OR gbv_victims_detected >= 0),
    gbv_victims_supported integer CHECK (gbv_victims_supported IS NULL OR gbv_victims_supported >= 0),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    version               bigint NOT NULL DEFAULT 1,
    CONSTRAINT unit_figures_supported_within_detected CHECK (
        gbv_victims_supported IS NULL OR gbv_victims_detected IS NULL OR gbv_victims_supported <= gbv_victims_detected)
);
CREATE UNIQUE INDEX unit_figures_unit_year ON unit_figures (unit_id, year);
CREATE INDEX unit_figures_unit_path ON unit_figures (unit_path text_pattern_ops);

-- Roll-ups join records to the set of units a report covers, by unit id and date.
CREATE INDEX trainings_unit_starts ON trainings (unit_id, starts_on) WHERE deleted_at IS NULL;
CREATE INDEX outreach_unit_starts ON outreach_events (unit_id, starts_on) WHERE deleted_at IS NULL;
CREATE INDEX petitions_unit_received ON petitions (handling_unit_id, received_on) WHERE deleted_at IS NULL;
CREATE INDEX inspections_unit ON inspections (inspecting_unit_id) WHERE deleted_at IS NULL;
CREATE INDEX violations_unit_act ON violations (handling_unit_id, act_on) WHERE deleted_at IS NULL;
CREATE INDEX unit_lineage_predecessor ON unit_lineage (predecessor_id);
-- A year of the whole country's trainings and outreach is a fifth of the rows spread over every
-- page of the tables: these covering indexes let the roll-up read them in date order without
-- touching the wide rows (tests/bench/reports.sh, the country's 2024 summary: 629 ms -> 390 ms median).
CREATE INDEX trainings_report ON trainings (starts_on)
    INCLUDE (unit_id, unit_path, audiences, female, male, other_sex, in_action_month) WHERE deleted_at IS NULL;
CREATE INDEX outreach_report ON outreach_events (starts_on)
    INCLUDE (unit_id, unit_path, kind, topics, female, male, other_sex, audience_reached, in_action_month)
    WHERE deleted_at IS NULL;

-- The units outside `root`'s subtree whose records roll up into it: the lineage predecessors
-- (with their subtrees, transitively) of units in the subtree. Each comes with its bucket, the
-- id of the direct child of `root` its successor lies under (or `root` itself); a unit reached
-- through several successors is counted once, under the smallest bucket.
CREATE FUNCTION bd_report_lineage(root uuid) RETURNS TABLE (unit_id uuid, bucket text)
LANGUAGE sql STABLE PARALLEL SAFE
SET jit = off
AS $$
  WITH RECURSIVE r AS (
    SELECT id, path, depth FROM units WHERE id = root
  ), covered(id, path, bucket) AS (
    SELECT d.id, d.path, CASE WHEN s.id = r.id THEN r.id::text ELSE split_part(s.path, '/', r.depth + 3) END
      FROM r
      JOIN units s ON s.path ~>=~ r.path AND s.path ~<~ (r.path || '~')
      JOIN unit_lineage l ON l.successor_id = s.id
      JOIN units p ON p.id = l.predecessor_id
      JOIN units d ON d.path ~>=~ p.path AND d.path ~<~ (p.path || '~')
    UNION
    SELECT d.id, d.path, c.bucket
      FROM covered c
      JOIN unit_lineage l ON l.successor_id = c.id
      JOIN units p ON p.id = l.predecessor_id
      JOIN units d ON d.path ~>=~ p.path AND d.path ~<~ (p.path || '~')
  )
  SELECT DISTINCT ON (c.id) c.id, c.bucket
    FROM covered c, r
   WHERE NOT (c.path ~>=~ r.path AND c.path ~<~ (r.path || '~'))
   ORDER BY c.id, c.bucket
$$;
