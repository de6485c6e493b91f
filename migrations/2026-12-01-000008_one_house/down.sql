ALTER TABLE petitions DROP CONSTRAINT petitions_complex_matches;
ALTER TABLE petitions DROP COLUMN verification_elsewhere, DROP COLUMN complexity;
ALTER TABLE deadline_rules DROP COLUMN max_times, DROP COLUMN complexity, DROP COLUMN elsewhere;
ALTER TABLE violation_rules DROP COLUMN source;
ALTER TABLE fining_authorities DROP COLUMN may_sanction;
ALTER TABLE decrees DROP COLUMN source;
ALTER TABLE holidays DROP COLUMN source, DROP COLUMN kind;
DROP TABLE seed_state;

DROP TRIGGER outreach_events_cascade_attachments ON outreach_events;
DROP TRIGGER trainings_cascade_attachments ON trainings;
DROP FUNCTION bd_cascade_attachments();
