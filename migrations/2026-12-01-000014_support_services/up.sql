-- The directory of services that prevent and respond to gender-based violence: hotlines,
-- shelters (nơi tạm lánh), trusted addresses (địa chỉ tin cậy), health facilities, legal aid,
-- police, social-assistance facilities, counselling. Readable without a token (the mobile app's
-- public screen), but the address of a shelter or a trusted address only by signed-in users: a
-- perpetrator can read a public page too. Search covers the name only, so the public cannot
-- find a shelter by its street either.
CREATE TABLE support_services (
    id             uuid PRIMARY KEY,
    unit_id        uuid NOT NULL REFERENCES units (id),
    unit_path      text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('hotline', 'shelter', 'trusted_address', 'health_facility',
                       'legal_aid', 'police', 'social_assistance', 'counselling', 'other')),
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    address        text CHECK (address IS NULL OR length(address) <= 500),
    phone          text CHECK (phone IS NULL OR length(phone) <= 50),
    -- A number made up for the demo data, shown as such.
    phone_invented boolean NOT NULL DEFAULT false,
    opening_hours  text CHECK (opening_hours IS NULL OR length(opening_hours) <= 200),
    services       text[] NOT NULL DEFAULT '{}',
    eligible       text NOT NULL DEFAULT 'all' CHECK (eligible IN ('women', 'children', 'all')),
    active         boolean NOT NULL DEFAULT true,
    search         text GENERATED ALWAYS AS (bd_fold(name)) STORED,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    version        bigint NOT NULL DEFAULT 1,
    deleted_at     timestamptz
);
CREATE INDEX support_services_unit ON support_services (unit_path text_pattern_ops, name) WHERE deleted_at IS NULL;
CREATE INDEX support_services_search ON support_services USING gin (search gin_trgm_ops);
