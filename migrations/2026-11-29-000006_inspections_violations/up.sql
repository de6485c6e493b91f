-- Inspections, violations and sanctions. The decrees, their violation catalogues (fine bands
-- for an individual; organisations pay a multiple) and the officials' fining powers are data
-- with effective dates, each marked verified or not.

CREATE TABLE decrees (
    code                    text PRIMARY KEY,
    title                   text NOT NULL,
    effective_from          date NOT NULL,
    effective_to            date,
    individual_max_vnd      bigint NOT NULL CHECK (individual_max_vnd > 0),
    organization_multiplier integer NOT NULL DEFAULT 2 CHECK (organization_multiplier >= 1),
    limitation_months       integer NOT NULL CHECK (limitation_months > 0),
    verified                boolean NOT NULL DEFAULT false
);

CREATE TABLE violation_rules (
    id           uuid PRIMARY KEY,
    decree_code  text NOT NULL REFERENCES decrees (code),
    article      integer NOT NULL CHECK (article > 0),
    clause       integer NOT NULL CHECK (clause > 0),
    point        text CHECK (point IS NULL OR point ~ '^[a-zđ]$'),
    area         text NOT NULL CHECK (area IN ('politics', 'economy', 'labour', 'education_training', 'science_technology',
                                               'culture_information_sport', 'health', 'family')),
    description  text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
    min_fine_vnd bigint NOT NULL CHECK (min_fine_vnd >= 0),
    max_fine_vnd bigint NOT NULL,
    verified     boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    version      bigint NOT NULL DEFAULT 1,
    CONSTRAINT violation_rules_band CHECK (max_fine_vnd >= min_fine_vnd)
);
CREATE UNIQUE INDEX violation_rules_citation ON violation_rules (decree_code, article, clause, coalesce(point, ''));

-- Who may fine how much, by position and period.
CREATE TABLE fining_authorities (
    code           text PRIMARY KEY,
    position       text NOT NULL CHECK (position IN ('commune_chairman', 'district_chairman', 'province_department_director',
                                                     'province_chairman', 'chief_inspector', 'inspector')),
    warning_only   boolean NOT NULL DEFAULT false,
    -- The ceiling: a share of the decree's maximum for the offender, or a fixed amount.
    max_percent    integer CHECK (max_percent IS NULL OR max_percent BETWEEN 1 AND 100),
    max_vnd        bigint CHECK (max_vnd IS NULL OR max_vnd > 0),
    effective_from date NOT NULL,
    effective_to   date,
    legal_basis    text NOT NULL,
    verified       boolean NOT NULL DEFAULT false
);

CREATE TABLE inspections (
    id                 uuid PRIMARY KEY,
    kind               text NOT NULL CHECK (kind IN ('check', 'inspection')),
    inspecting_unit_id uuid NOT NULL REFERENCES units (id),
    unit_path          text NOT NULL,
    subject_name       text COLLATE "vi-x-icu" NOT NULL CHECK (length(subject_name) BETWEEN 1 AND 300),
    subject_type       text NOT NULL CHECK (subject_type IN ('unit', 'employer', 'school', 'health_facility', 'organization', 'other')),
    subject_unit_id    uuid REFERENCES units (id),
    subject_address    text CHECK (subject_address IS NULL OR length(subject_address) <= 500),
    decision_number    text CHECK (decision_number IS NULL OR length(decision_number) <= 64),
    decision_on        date,
    period_from        date,
    period_to          date,
    areas              text[] NOT NULL DEFAULT '{}',
    team_members       text[] NOT NULL DEFAULT '{}',
    status             text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'concluded')),
    conclusion         text CHECK (conclusion IS NULL OR length(conclusion) <= 50000),
    concluded_on       date,
    recommendations    text CHECK (recommendations IS NULL OR length(recommendations) <= 50000),
    search             text GENERATED ALWAYS AS (bd_fold(subject_name || ' ' || coalesce(decision_number, ''))) STORED,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    version            bigint NOT NULL DEFAULT 1,
    deleted_at         timestamptz,
    CONSTRAINT inspections_period CHECK (period_to IS NULL OR period_from IS NULL OR period_to >= period_from),
    CONSTRAINT inspections_concluded CHECK (status <> 'concluded' OR (conclusion IS NOT NULL AND concluded_on IS NOT NULL))
);
CREATE INDEX inspections_unit_path ON inspections (unit_path text_pattern_ops);
CREATE INDEX inspections_created_sort ON inspections (created_at, id);
CREATE INDEX inspections_areas ON inspections USING gin (areas);
CREATE INDEX inspections_search ON inspections USING gin (search gin_trgm_ops);

CREATE TABLE violations (
    id                  uuid PRIMARY KEY,
    inspection_id       uuid REFERENCES inspections (id),
    handling_unit_id    uuid NOT NULL REFERENCES units (id),
    unit_path           text NOT NULL,
    offender_kind       text NOT NULL CHECK (offender_kind IN ('individual', 'organization')),
    organization_name   text CHECK (organization_name IS NULL OR length(organization_name) <= 300),
    rule_id             uuid NOT NULL REFERENCES violation_rules (id),
    area                text NOT NULL,
    act_on              date NOT NULL,
    description         text CHECK (description IS NULL OR length(description) <= 20000),
    record_number       text CHECK (record_number IS NULL OR length(record_number) <= 64),
    recorded_on         date,
    penalty             text CHECK (penalty IS NULL OR penalty IN ('warning', 'fine')),
    fine_vnd            bigint CHECK (fine_vnd IS NULL OR fine_vnd > 0),
    remedial_measures   text[] NOT NULL DEFAULT '{}',
    status              text NOT NULL DEFAULT 'recorded' CHECK (status IN ('recorded', 'decided', 'complied', 'appealed', 'enforced')),
    decided_on          date,
    decided_by_position text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    version             bigint NOT NULL DEFAULT 1,
    deleted_at          timestamptz,
    CONSTRAINT violations_fine_with_penalty CHECK ((penalty = 'fine') = (fine_vnd IS NOT NULL))
);
CREATE INDEX violations_unit_path ON violations (unit_path text_pattern_ops);
CREATE INDEX violations_act_sort ON violations (act_on, id);
CREATE INDEX violations_inspection ON violations (inspection_id);

-- An individual offender's identity: read only by the handling unit's inspectors and admins.
CREATE TABLE violation_parties (
    violation_id uuid PRIMARY KEY REFERENCES violations (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    details      text CHECK (details IS NULL OR length(details) <= 1000)
);
