-- Complaints and denunciations with the law's deadlines: public holidays and deadline rules
-- as data (dated, marked verified or not), petitions, and the confidential identity of the
-- person who filed each one.

CREATE TABLE holidays (
    day      date PRIMARY KEY,
    name     text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    verified boolean NOT NULL DEFAULT false
);

CREATE TABLE deadline_rules (
    code           text PRIMARY KEY,
    petition_kind  text NOT NULL CHECK (petition_kind IN ('complaint', 'denunciation')),
    stage          text NOT NULL CHECK (stage IN ('acceptance', 'resolution', 'extension')),
    instance       smallint CHECK (instance IS NULL OR instance IN (1, 2)),
    complex        boolean,
    remote         boolean,
    days           integer NOT NULL CHECK (days > 0),
    day_kind       text NOT NULL CHECK (day_kind IN ('calendar', 'working')),
    effective_from date NOT NULL,
    effective_to   date,
    legal_basis    text NOT NULL,
    verified       boolean NOT NULL DEFAULT false
);

CREATE TABLE petitions (
    id                uuid PRIMARY KEY,
    kind              text NOT NULL CHECK (kind IN ('complaint', 'denunciation')),
    handling_unit_id  uuid NOT NULL REFERENCES units (id),
    unit_path         text NOT NULL,
    received_on       date NOT NULL,
    channel           text NOT NULL CHECK (channel IN ('in_person', 'mail', 'email', 'online', 'phone', 'forwarded', 'other')),
    subject           text COLLATE "vi-x-icu" NOT NULL CHECK (length(subject) BETWEEN 1 AND 500),
    summary           text CHECK (summary IS NULL OR length(summary) <= 20000),
    instance          smallint NOT NULL DEFAULT 1 CHECK (instance IN (1, 2)),
    complex           boolean NOT NULL DEFAULT false,
    remote            boolean NOT NULL DEFAULT false,
    extension_count   smallint NOT NULL DEFAULT 0 CHECK (extension_count BETWEEN 0 AND 2),
    status            text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'accepted', 'rejected', 'forwarded',
                                                                         'verifying', 'resolved', 'withdrawn')),
    accepted_on       date,
    decision          text CHECK (decision IS NULL OR length(decision) <= 20000),
    decided_on        date,
    -- Computed by the service from the deadline rules and the calendar on every write, and
    -- kept here so "overdue" and "due soon" are indexed filters.
    acceptance_due_on date NOT NULL,
    resolution_due_on date,
    due_on            date,
    search            text GENERATED ALWAYS AS (bd_fold(subject)) STORED,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    version           bigint NOT NULL DEFAULT 1,
    deleted_at        timestamptz,
    CONSTRAINT petitions_accepted_after_receipt CHECK (accepted_on IS NULL OR accepted_on >= received_on)
);
CREATE INDEX petitions_unit_path ON petitions (unit_path text_pattern_ops);
CREATE INDEX petitions_received_sort ON petitions (received_on, id);
CREATE INDEX petitions_updated_sort ON petitions (updated_at, id);
CREATE INDEX petitions_due ON petitions (due_on) WHERE due_on IS NOT NULL;
CREATE INDEX petitions_search ON petitions USING gin (search gin_trgm_ops);

-- Who filed it. Confidential: read only by the handling unit's inspectors and admins, never
-- written to the audit trail or the change feed.
CREATE TABLE petition_parties (
    petition_id uuid PRIMARY KEY REFERENCES petitions (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    contact     text CHECK (contact IS NULL OR length(contact) <= 500)
);
