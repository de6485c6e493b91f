-- Indexes the national benchmark (tests/bench/national.sh) found missing. The whole country's
-- lists in the sorts that had no index of their own at the root (issue 16:
-- `GET /trainings?sort=title` as a national viewer read all 300,000 trainings to sort them; the
-- subtrees below the root use the per-depth indexes of migration `scoped_list_indexes`).
CREATE INDEX trainings_root_title ON trainings (title, id) WHERE deleted_at IS NULL;
CREATE INDEX outreach_events_root_title ON outreach_events (title, id) WHERE deleted_at IS NULL;
CREATE INDEX units_root_valid_from ON units (valid_from, id) WHERE deleted_at IS NULL;
-- The summary's leaders in office, read by subtree (one range below the root, a scan at it) and
-- joined to the units by hash, instead of one lookup per unit.
CREATE INDEX unit_leaders_unit_path ON unit_leaders (unit_path text_pattern_ops) WHERE deleted_at IS NULL;
