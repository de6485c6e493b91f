DROP TABLE attachments;
DROP TABLE participants;
DROP TABLE outreach_events;
DROP TABLE trainings;
DROP FUNCTION bd_in_action_month(date, date);
DROP TABLE campaigns;
