-- The summary from the roll-ups is now planned once per connection (a generic plan, the same for a
-- ward and the country), so what it still reads from the records must be served by an index
-- whichever unit it is for.
--
-- Open petitions (those with a due day) by path and day received: a ward's are one short range,
-- the country's every open one (a small set: a petition leaves it when it is closed). Replaces
-- petitions_overdue (by due day), which served the country's scan but read every open petition of
-- the country for a ward.
DROP INDEX petitions_overdue;
CREATE INDEX petitions_open ON petitions (unit_path text_pattern_ops, received_on) INCLUDE (due_on, kind, handling_unit_id)
    WHERE due_on IS NOT NULL AND deleted_at IS NULL;

-- The lineage (the units merged into a unit's subtree) is part of the summary's statement now, so
-- that its plan is kept with the statement's instead of being made again at every call (an SQL
-- function with a SET clause is planned at each call: 5-12 ms of a province's summary).
DROP FUNCTION bd_report_lineage(uuid);
