-- One house: cascades live in the database, and reference data remembers what the seed wrote.

-- A training's or an outreach event's attachments are deleted (softly) with it, whatever path
-- deletes it.
CREATE FUNCTION bd_cascade_attachments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE attachments
     SET deleted_at = NEW.deleted_at, version = version + 1, updated_at = now()
   WHERE record_id = NEW.id AND deleted_at IS NULL;
  RETURN NULL;
END $$;

CREATE TRIGGER trainings_cascade_attachments AFTER UPDATE OF deleted_at ON trainings
  FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
  EXECUTE FUNCTION bd_cascade_attachments();
CREATE TRIGGER outreach_events_cascade_attachments AFTER UPDATE OF deleted_at ON outreach_events
  FOR EACH ROW WHEN (OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL)
  EXECUTE FUNCTION bd_cascade_attachments();
