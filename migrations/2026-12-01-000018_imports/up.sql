-- Bulk imports from CSV or XLSX: the job, its file until it is processed, and its report.
CREATE TABLE imports (
    id uuid PRIMARY KEY,
    -- The user who sent it, and the caller it was (id, name, unit, scopes, role, token epoch):
    -- the rows run as that caller, unless the account was revoked since (checked when it runs).
    principal_id uuid NOT NULL,
    caller jsonb NOT NULL,
    unit_id uuid NOT NULL REFERENCES units (id),
    unit_path text NOT NULL,
    resource text NOT NULL CHECK (resource IN ('trainings', 'outreach_events', 'unit_figures')),
    mode text NOT NULL CHECK (mode IN ('validate', 'commit')),
    atomic text NOT NULL CHECK (atomic IN ('all', 'row')),
    -- The language of the report's messages (the request's).
    lang text NOT NULL CHECK (lang IN ('en', 'vi')),
    file_name text NOT NULL,
    file_format text NOT NULL CHECK (file_format IN ('csv', 'xlsx')),
    file_sha256 text NOT NULL,
    -- Kept until the job ends (it may hold participants' names), then emptied.
    content bytea,
    idempotency_key text,
    status text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
    rows_total integer NOT NULL DEFAULT 0,
    rows_processed integer NOT NULL DEFAULT 0,
    created integer NOT NULL DEFAULT 0,
    updated integer NOT NULL DEFAULT 0,
    skipped integer NOT NULL DEFAULT 0,
    failed integer NOT NULL DEFAULT 0,
    committed boolean NOT NULL DEFAULT false,
    errors jsonb NOT NULL DEFAULT '[]',
    -- Why the job itself failed (an unreadable file, interrupted too often).
    failure text,
    attempts integer NOT NULL DEFAULT 0,
    -- While running: until when the instance running it holds it.
    lease_until timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz
);
CREATE UNIQUE INDEX imports_idempotency ON imports (principal_id, idempotency_key, mode) WHERE idempotency_key IS NOT NULL;
CREATE INDEX imports_due ON imports (created_at) WHERE status IN ('queued', 'running');
CREATE INDEX imports_principal ON imports (principal_id, created_at DESC, id DESC);
