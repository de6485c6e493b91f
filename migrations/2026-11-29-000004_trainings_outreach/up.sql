-- What units actually did: trainings and outreach events (counted by sex), campaigns that
-- group events across units, participant lists, and attachments.

CREATE TABLE campaigns (
    id          uuid PRIMARY KEY,
    unit_id     uuid NOT NULL REFERENCES units (id),
    unit_path   text NOT NULL,
    name        text COLLATE "vi-x-icu" NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    description text CHECK (description IS NULL OR length(description) <= 5000),
    starts_on   date NOT NULL,
    ends_on     date NOT NULL,
    search      text GENERATED ALWAYS AS (bd_fold(name)) STORED,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     bigint NOT NULL DEFAULT 1,
    deleted_at  timestamptz,
    CONSTRAINT campaigns_dates CHECK (ends_on >= starts_on)
);
CREATE INDEX campaigns_unit_path ON campaigns (unit_path text_pattern_ops);
CREATE INDEX campaigns_starts ON campaigns (starts_on, id);

-- True when [starts_on, ends_on] overlaps 15 November - 15 December of some year.
CREATE FUNCTION bd_in_action_month(starts_on date, ends_on date) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT ends_on - starts_on >= 366
      OR (starts_on <= make_date(extract(year FROM starts_on)::int, 12, 15)
          AND ends_on >= make_date(extract(year FROM starts_on)::int, 11, 15))
      OR (starts_on <= make_date(extract(year FROM ends_on)::int, 12, 15)
          AND ends_on >= make_date(extract(year FROM ends_on)::int, 11, 15))
$$;

CREATE TABLE trainings (
    id              uuid PRIMARY KEY,
    unit_id         uuid NOT NULL REFERENCES units (id),
    unit_path       text NOT NULL,
    activity_id     uuid REFERENCES plan_activities (id),
    title           text COLLATE "vi-x-icu" NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    topics          text[] NOT NULL DEFAULT '{}',
    audiences       text[] NOT NULL DEFAULT '{}',
    starts_on       date NOT NULL,
    ends_on         date NOT NULL,
    location        text CHECK (location IS NULL OR length(location) <= 500),
    organiser       text CHECK (organiser IS NULL OR length(organiser) <= 300),
    trainers        text[] NOT NULL DEFAULT '{}',
    female          integer NOT NULL DEFAULT 0 CHECK (female >= 0),
    male            integer NOT NULL DEFAULT 0 CHECK (male >= 0),
    other_sex       integer NOT NULL DEFAULT 0 CHECK (other_sex >= 0),
    has_participant_list boolean NOT NULL DEFAULT false,
    in_action_month boolean GENERATED ALWAYS AS (bd_in_action_month(starts_on, ends_on)) STORED,
    search          text GENERATED ALWAYS AS (bd_fold(title || ' ' || coalesce(location, '') || ' ' || coalesce(organiser, ''))) STORED,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         bigint NOT NULL DEFAULT 1,
    deleted_at      timestamptz,
    CONSTRAINT trainings_dates CHECK (ends_on >= starts_on)
);
CREATE INDEX trainings_unit_path ON trainings (unit_path text_pattern_ops);
CREATE INDEX trainings_starts_sort ON trainings (starts_on, id);
CREATE INDEX trainings_updated_sort ON trainings (updated_at, id);
CREATE INDEX trainings_activity ON trainings (activity_id);
CREATE INDEX trainings_topics ON trainings USING gin (topics);
CREATE INDEX trainings_audiences ON trainings USING gin (audiences);
CREATE INDEX trainings_search ON trainings USING gin (search gin_trgm_ops);

CREATE TABLE outreach_events (
    id               uuid PRIMARY KEY,
    unit_id          uuid NOT NULL REFERENCES units (id),
    unit_path        text NOT NULL,
    activity_id      uuid REFERENCES plan_activities (id),
    campaign_id      uuid REFERENCES campaigns (id),
    kind             text NOT NULL CHECK (kind IN ('street_event', 'campaign', 'exhibition', 'contest', 'performance',
                                                   'seminar', 'victim_visit', 'broadcast', 'article', 'social_media',
                                                   'banner_poster', 'other')),
    title            text COLLATE "vi-x-icu" NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    topics           text[] NOT NULL DEFAULT '{}',
    starts_on        date NOT NULL,
    ends_on          date NOT NULL,
    location         text CHECK (location IS NULL OR length(location) <= 500),
    channel          text CHECK (channel IS NULL OR length(channel) <= 300),
    audience_reached integer CHECK (audience_reached IS NULL OR audience_reached >= 0),
    female           integer NOT NULL DEFAULT 0 CHECK (female >= 0),
    male             integer NOT NULL DEFAULT 0 CHECK (male >= 0),
    other_sex        integer NOT NULL DEFAULT 0 CHECK (other_sex >= 0),
    has_participant_list boolean NOT NULL DEFAULT false,
    is_public        boolean NOT NULL DEFAULT false,
    in_action_month  boolean GENERATED ALWAYS AS (bd_in_action_month(starts_on, ends_on)) STORED,
    search           text GENERATED ALWAYS AS (bd_fold(title || ' ' || coalesce(location, '') || ' ' || coalesce(channel, ''))) STORED,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    version          bigint NOT NULL DEFAULT 1,
    deleted_at       timestamptz,
    CONSTRAINT outreach_events_dates CHECK (ends_on >= starts_on)
);
CREATE INDEX outreach_unit_path ON outreach_events (unit_path text_pattern_ops);
CREATE INDEX outreach_starts_sort ON outreach_events (starts_on, id);
CREATE INDEX outreach_updated_sort ON outreach_events (updated_at, id);
CREATE INDEX outreach_activity ON outreach_events (activity_id);
CREATE INDEX outreach_campaign ON outreach_events (campaign_id);
CREATE INDEX outreach_kind ON outreach_events (kind);
CREATE INDEX outreach_topics ON outreach_events USING gin (topics);
CREATE INDEX outreach_action_month ON outreach_events (in_action_month, starts_on);
CREATE INDEX outreach_search ON outreach_events USING gin (search gin_trgm_ops);

-- Named participants of a training or event (people's data: never shown to partners).
CREATE TABLE participants (
    record_id  uuid NOT NULL,
    ordinal    integer NOT NULL,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    sex        text NOT NULL CHECK (sex IN ('female', 'male', 'other')),
    unit_name  text CHECK (unit_name IS NULL OR length(unit_name) <= 300),
    position   text CHECK (position IS NULL OR length(position) <= 200),
    PRIMARY KEY (record_id, ordinal)
);

CREATE TABLE attachments (
    id           uuid PRIMARY KEY,
    record_type  text NOT NULL CHECK (record_type IN ('training', 'outreach_event')),
    record_id    uuid NOT NULL,
    unit_id      uuid NOT NULL REFERENCES units (id),
    unit_path    text NOT NULL,
    file_name    text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    content_type text NOT NULL,
    size_bytes   bigint NOT NULL CHECK (size_bytes > 0),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    storage_key  text NOT NULL UNIQUE,
    created_by   uuid NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    version      bigint NOT NULL DEFAULT 1,
    deleted_at   timestamptz
);
CREATE INDEX attachments_record ON attachments (record_id, created_at, id);
