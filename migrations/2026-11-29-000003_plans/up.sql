-- Plans: the legal documents they cite, yearly implementation plans with their approval
-- workflow and history, targets against a shared indicator list, and activities.

CREATE TABLE legal_documents (
    id           uuid PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('law', 'resolution', 'decision', 'directive', 'plan', 'guidance',
                                               'circular', 'decree', 'instruction', 'other')),
    number       text NOT NULL CHECK (length(number) BETWEEN 1 AND 64),
    issuer       text NOT NULL CHECK (length(issuer) BETWEEN 1 AND 200),
    issued_on    date NOT NULL,
    effective_on date,
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    url          text CHECK (url IS NULL OR (length(url) <= 500 AND url ~ '^https?://')),
    search       text GENERATED ALWAYS AS (bd_fold(number || ' ' || title || ' ' || issuer)) STORED,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    version      bigint NOT NULL DEFAULT 1,
    deleted_at   timestamptz
);
CREATE UNIQUE INDEX legal_documents_number_issuer ON legal_documents (lower(number), lower(issuer)) WHERE deleted_at IS NULL;
CREATE INDEX legal_documents_issued ON legal_documents (issued_on, id);
CREATE INDEX legal_documents_search ON legal_documents USING gin (search gin_trgm_ops);

-- The shared indicator list (National Strategy on Gender Equality 2021-2030, Resolution
-- 28/NQ-CP, and others an administrator adds).
CREATE TABLE indicators (
    code            text PRIMARY KEY CHECK (code ~ '^[a-z0-9_.-]{1,64}$'),
    name_en         text NOT NULL,
    name_vi         text NOT NULL,
    unit_of_measure text NOT NULL,
    -- Whether more is better ('increase') or less is better ('decrease', e.g. sex ratio at birth).
    direction       text NOT NULL CHECK (direction IN ('increase', 'decrease')),
    target_2025     double precision,
    target_2030     double precision,
    source          text,
    verified        boolean NOT NULL DEFAULT false
);

CREATE TABLE plans (
    id             uuid PRIMARY KEY,
    unit_id        uuid NOT NULL REFERENCES units (id),
    unit_path      text NOT NULL,
    year           integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    kind           text NOT NULL CHECK (kind IN ('yearly', 'action_month', 'thematic')),
    title          text COLLATE "vi-x-icu" NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    summary        text CHECK (summary IS NULL OR length(summary) <= 20000),
    areas          text[] NOT NULL DEFAULT '{}' CHECK (areas <@ ARRAY['politics', 'economy', 'labour', 'education_training',
                                   'science_technology', 'culture_information_sport', 'health', 'family']::text[]),
    parent_plan_id uuid REFERENCES plans (id),
    status         text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'approved', 'returned',
                                                                   'in_progress', 'completed', 'cancelled')),
    results_report text CHECK (results_report IS NULL OR length(results_report) <= 50000),
    search         text GENERATED ALWAYS AS (bd_fold(title || ' ' || coalesce(summary, ''))) STORED,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    version        bigint NOT NULL DEFAULT 1,
    deleted_at     timestamptz
);
CREATE UNIQUE INDEX plans_one_per_unit_year_kind ON plans (unit_id, year, kind) WHERE deleted_at IS NULL;
CREATE INDEX plans_unit_path ON plans (unit_path text_pattern_ops);
CREATE INDEX plans_year_sort ON plans (year, id);
CREATE INDEX plans_title_sort ON plans (title, id);
CREATE INDEX plans_updated_sort ON plans (updated_at, id);
CREATE INDEX plans_status ON plans (status);
CREATE INDEX plans_areas ON plans USING gin (areas);
CREATE INDEX plans_parent ON plans (parent_plan_id);
CREATE INDEX plans_search ON plans USING gin (search gin_trgm_ops);

CREATE TABLE plan_documents (
    plan_id     uuid NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    document_id uuid NOT NULL REFERENCES legal_documents (id),
    PRIMARY KEY (plan_id, document_id)
);
CREATE INDEX plan_documents_document ON plan_documents (document_id);

-- Every workflow transition, kept for the plan's history.
CREATE TABLE plan_transitions (
    id          bigserial PRIMARY KEY,
    plan_id     uuid NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    action      text NOT NULL,
    from_status text NOT NULL,
    to_status   text NOT NULL,
    reason      text,
    actor_id    uuid NOT NULL,
    actor_name  text NOT NULL,
    actor_role  text NOT NULL,
    at          timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX plan_transitions_plan ON plan_transitions (plan_id, id);

CREATE TABLE plan_targets (
    id              uuid PRIMARY KEY,
    plan_id         uuid NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    indicator       text NOT NULL CHECK (length(indicator) BETWEEN 1 AND 500),
    indicator_code  text REFERENCES indicators (code),
    unit_of_measure text NOT NULL CHECK (length(unit_of_measure) BETWEEN 1 AND 64),
    direction       text NOT NULL DEFAULT 'increase' CHECK (direction IN ('increase', 'decrease')),
    baseline        double precision,
    target_value    double precision NOT NULL,
    actual_value    double precision,
    measured_on     date,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         bigint NOT NULL DEFAULT 1,
    deleted_at      timestamptz,
    CONSTRAINT plan_targets_measured CHECK ((actual_value IS NULL) = (measured_on IS NULL))
);
CREATE INDEX plan_targets_plan ON plan_targets (plan_id, created_at, id);

CREATE TABLE plan_activities (
    id                    uuid PRIMARY KEY,
    plan_id               uuid NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    kind                  text NOT NULL CHECK (kind IN ('communication', 'training', 'inspection', 'support_service',
                                                        'capacity_building', 'resource_mobilization', 'other')),
    title                 text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    starts_on             date NOT NULL,
    ends_on               date NOT NULL,
    responsible_unit_id   uuid NOT NULL REFERENCES units (id),
    responsible_unit_path text NOT NULL,
    budget_state_vnd      bigint NOT NULL DEFAULT 0 CHECK (budget_state_vnd >= 0),
    budget_mobilized_vnd  bigint NOT NULL DEFAULT 0 CHECK (budget_mobilized_vnd >= 0),
    status                text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled')),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    version               bigint NOT NULL DEFAULT 1,
    deleted_at            timestamptz,
    CONSTRAINT plan_activities_dates CHECK (ends_on >= starts_on)
);
CREATE INDEX plan_activities_plan ON plan_activities (plan_id, starts_on, id);
CREATE INDEX plan_activities_responsible ON plan_activities (responsible_unit_path text_pattern_ops);
