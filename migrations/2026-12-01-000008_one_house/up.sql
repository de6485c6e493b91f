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

-- Reference data as data: what `binhdang seed` last wrote into each reference row, so a later
-- seed updates only rows still as it left them and leaves an administrator's changes alone.
CREATE TABLE seed_state (
    table_name text NOT NULL,
    key        text NOT NULL,
    written    jsonb NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (table_name, key)
);

-- The calendar: days off (holidays, compensatory days, swapped days) and make-up working days,
-- each with its source.
ALTER TABLE holidays
    ADD COLUMN kind text NOT NULL DEFAULT 'day_off' CHECK (kind IN ('day_off', 'working_day')),
    ADD COLUMN source text NOT NULL DEFAULT '';

-- Every statutory row names its legal source.
ALTER TABLE decrees ADD COLUMN source text NOT NULL DEFAULT '';
-- A position may have no sanctioning power at all (from 1 July 2025 an inspector verifies only).
ALTER TABLE fining_authorities ADD COLUMN may_sanction boolean NOT NULL DEFAULT true;
ALTER TABLE violation_rules ADD COLUMN source text NOT NULL DEFAULT '';

-- Luật Tố cáo 2018: Art. 24(1) (10 working days where verification at several places or by
-- delegation is needed) and Art. 30 (a complex case extended once, an especially complex one
-- twice).
ALTER TABLE deadline_rules
    ADD COLUMN elsewhere boolean,
    ADD COLUMN complexity text CHECK (complexity IS NULL OR complexity IN ('normal', 'complex', 'especially_complex')),
    ADD COLUMN max_times smallint CHECK (max_times IS NULL OR max_times BETWEEN 1 AND 9);

ALTER TABLE petitions
    ADD COLUMN complexity text NOT NULL DEFAULT 'normal'
        CHECK (complexity IN ('normal', 'complex', 'especially_complex')),
    ADD COLUMN verification_elsewhere boolean NOT NULL DEFAULT false;
UPDATE petitions SET complexity = 'complex' WHERE complex;
ALTER TABLE petitions ADD CONSTRAINT petitions_complex_matches CHECK (complex = (complexity <> 'normal'));
