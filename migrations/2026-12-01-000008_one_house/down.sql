DROP TRIGGER outreach_events_cascade_attachments ON outreach_events;
DROP TRIGGER trainings_cascade_attachments ON trainings;
DROP FUNCTION bd_cascade_attachments();
