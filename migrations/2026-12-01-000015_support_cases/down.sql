DROP TRIGGER IF EXISTS users_case_notices ON users;
DROP FUNCTION IF EXISTS users_case_notices();
DROP FUNCTION IF EXISTS bd_case_access(uuid, uuid);
DROP TABLE IF EXISTS support_case_notices, support_case_reads, support_case_glass, support_case_identities,
    support_case_services, support_case_consents, support_case_assignments, support_cases,
    case_service_kinds, dv_acts;
ALTER TABLE audit_events DROP COLUMN IF EXISTS case_id, DROP COLUMN IF EXISTS audience;
ALTER TABLE users DROP COLUMN IF EXISTS case_role;
CREATE OR REPLACE FUNCTION users_token_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.active IS DISTINCT FROM OLD.active
       OR NEW.role IS DISTINCT FROM OLD.role
       OR NEW.unit_id IS DISTINCT FROM OLD.unit_id
       OR NEW.password_hash IS DISTINCT FROM OLD.password_hash THEN
        NEW.token_epoch := greatest(NEW.token_epoch, OLD.token_epoch + 1);
    END IF;
    IF NEW.token_epoch IS DISTINCT FROM OLD.token_epoch THEN
        NEW.epoch_changed_at := clock_timestamp();
    END IF;
    RETURN NEW;
END $$;
