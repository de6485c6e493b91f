DROP INDEX unit_leaders_unit_path;
DROP INDEX units_root_valid_from;
DROP INDEX outreach_events_root_title;
DROP INDEX trainings_root_title;
