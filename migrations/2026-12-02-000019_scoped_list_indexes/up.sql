-- A scoped list as cheap as an equality-scoped one, at any scope (issue 16).
--
-- A caller's scope is a unit's subtree: `unit_path LIKE '<path>%'`. A prefix match cannot serve
-- a sort, so a list walked its sort index and filtered (a ward's page of 21 read ~650 rows of
-- 20,000; at national scale a commune's page would read tens of thousands). Paths are uuids
-- joined by '/', so the subtree of a unit at depth d is exactly the rows whose first
-- 1 + 37 * (d + 1) characters are its path: `left(unit_path, 149) = '<commune path>'` is that
-- same subtree as an equality, and an index on (left(unit_path, n), sort column, id) serves it
-- in order: a page reads its own rows, whatever the scope's size. One index per depth below the
-- root (province 75, district 112, commune 149 characters) and sort; the country (the root) is
-- every row, which the plain sort indexes serve. Live rows only, as the lists read them.
-- (`http::list::ListSql::in_scopes` writes the equality for these tables.)

CREATE INDEX trainings_d1_starts_on ON trainings (left(unit_path, 75), starts_on, id) WHERE deleted_at IS NULL;
CREATE INDEX trainings_d1_title ON trainings (left(unit_path, 75), title, id) WHERE deleted_at IS NULL;
CREATE INDEX trainings_d1_updated_at ON trainings (left(unit_path, 75), updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX trainings_d2_starts_on ON trainings (left(unit_path, 112), starts_on, id) WHERE deleted_at IS NULL;
CREATE INDEX trainings_d2_title ON trainings (left(unit_path, 112), title, id) WHERE deleted_at IS NULL;
CREATE INDEX trainings_d2_updated_at ON trainings (left(unit_path, 112), updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX trainings_d3_starts_on ON trainings (left(unit_path, 149), starts_on, id) WHERE deleted_at IS NULL;
CREATE INDEX trainings_d3_title ON trainings (left(unit_path, 149), title, id) WHERE deleted_at IS NULL;
CREATE INDEX trainings_d3_updated_at ON trainings (left(unit_path, 149), updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX outreach_events_d1_starts_on ON outreach_events (left(unit_path, 75), starts_on, id) WHERE deleted_at IS NULL;
CREATE INDEX outreach_events_d1_title ON outreach_events (left(unit_path, 75), title, id) WHERE deleted_at IS NULL;
CREATE INDEX outreach_events_d1_updated_at ON outreach_events (left(unit_path, 75), updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX outreach_events_d2_starts_on ON outreach_events (left(unit_path, 112), starts_on, id) WHERE deleted_at IS NULL;
CREATE INDEX outreach_events_d2_title ON outreach_events (left(unit_path, 112), title, id) WHERE deleted_at IS NULL;
CREATE INDEX outreach_events_d2_updated_at ON outreach_events (left(unit_path, 112), updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX outreach_events_d3_starts_on ON outreach_events (left(unit_path, 149), starts_on, id) WHERE deleted_at IS NULL;
CREATE INDEX outreach_events_d3_title ON outreach_events (left(unit_path, 149), title, id) WHERE deleted_at IS NULL;
CREATE INDEX outreach_events_d3_updated_at ON outreach_events (left(unit_path, 149), updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX petitions_d1_received_on ON petitions (left(unit_path, 75), received_on, id) WHERE deleted_at IS NULL;
CREATE INDEX petitions_d1_updated_at ON petitions (left(unit_path, 75), updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX petitions_d2_received_on ON petitions (left(unit_path, 112), received_on, id) WHERE deleted_at IS NULL;
CREATE INDEX petitions_d2_updated_at ON petitions (left(unit_path, 112), updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX petitions_d3_received_on ON petitions (left(unit_path, 149), received_on, id) WHERE deleted_at IS NULL;
CREATE INDEX petitions_d3_updated_at ON petitions (left(unit_path, 149), updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX inspections_d1_created_at ON inspections (left(unit_path, 75), created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX inspections_d2_created_at ON inspections (left(unit_path, 112), created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX inspections_d3_created_at ON inspections (left(unit_path, 149), created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX violations_d1_act_on ON violations (left(unit_path, 75), act_on, id) WHERE deleted_at IS NULL;
CREATE INDEX violations_d2_act_on ON violations (left(unit_path, 112), act_on, id) WHERE deleted_at IS NULL;
CREATE INDEX violations_d3_act_on ON violations (left(unit_path, 149), act_on, id) WHERE deleted_at IS NULL;
CREATE INDEX units_d1_name ON units (left(path, 75), name, id) WHERE deleted_at IS NULL;
CREATE INDEX units_d1_created_at ON units (left(path, 75), created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX units_d1_updated_at ON units (left(path, 75), updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX units_d1_valid_from ON units (left(path, 75), valid_from, id) WHERE deleted_at IS NULL;
CREATE INDEX units_d2_name ON units (left(path, 112), name, id) WHERE deleted_at IS NULL;
CREATE INDEX units_d2_created_at ON units (left(path, 112), created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX units_d2_updated_at ON units (left(path, 112), updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX units_d2_valid_from ON units (left(path, 112), valid_from, id) WHERE deleted_at IS NULL;
CREATE INDEX units_d3_name ON units (left(path, 149), name, id) WHERE deleted_at IS NULL;
CREATE INDEX units_d3_created_at ON units (left(path, 149), created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX units_d3_updated_at ON units (left(path, 149), updated_at, id) WHERE deleted_at IS NULL;
CREATE INDEX units_d3_valid_from ON units (left(path, 149), valid_from, id) WHERE deleted_at IS NULL;

-- The change feed, the same way: a caller's entries are the reference records' (path '/'),
-- its scopes' subtrees and the survivors' cases it handles; `changes::queries::after` reads each
-- as an ordered range of its own index and merges them, so a commune's page reads its own
-- entries, not the country's.
CREATE INDEX audit_events_feed_reference ON audit_events (txid, seq) WHERE record_unit_path = '/';
CREATE INDEX audit_events_d1_feed ON audit_events (left(record_unit_path, 75), txid, seq);
CREATE INDEX audit_events_d2_feed ON audit_events (left(record_unit_path, 112), txid, seq);
CREATE INDEX audit_events_d3_feed ON audit_events (left(record_unit_path, 149), txid, seq);
CREATE INDEX audit_events_feed_cases ON audit_events (txid, seq) WHERE case_id IS NOT NULL;
