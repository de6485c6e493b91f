-- Foundation: text folding for diacritic-insensitive search, units with their history and
-- lineage, users and refresh tokens.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Lower-case and strip Vietnamese (and other Latin) diacritics: "Bình Đẳng" -> "binh dang".
-- IMMUTABLE so it can back generated columns and indexes; unaccent() is only STABLE.
CREATE FUNCTION bd_fold(input text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT lower(translate(input,
    'ÀÁÂÃÄÅÈÉÊËÌÍÎÏÒÓÔÕÖÙÚÛÜÝàáâãäåèéêëìíîïòóôõöùúûüýÿĀāĂăĄąĒēĔĕĖėĘęĚěĨĩĪīĬĭĮįİŌōŎŏŐőŨũŪūŬŭŮůŰűŲųŶŷŸƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǪǫǬǭǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȔȕȖȗȦȧȨȩȪȫȬȭȮȯȰȱȲȳḀḁḔḕḖḗḘḙḚḛḜḝḬḭḮḯṌṍṎṏṐṑṒṓṲṳṴṵṶṷṸṹṺṻẎẏẙẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹđĐ',
    'AAAAAAEEEEIIIIOOOOOUUUUYaaaaaaeeeeiiiiooooouuuuyyAaAaAaEeEeEeEeEeIiIiIiIiIOoOoOoUuUuUuUuUuUuYyYOoUuAaIiOoUuUuUuUuUuAaAaOoOoAaAaAaEeEeIiIiOoOoUuUuAaEeOoOoOoOoYyAaEeEeEeEeEeIiIiOoOoOoOoUuUuUuUuUuYyyAaAaAaAaAaAaAaAaAaAaAaAaEeEeEeEeEeEeEeEeIiIiOoOoOoOoOoOoOoOoOoOoOoOoUuUuUuUuUuUuUuYyYyYyYydD'))
$$;

CREATE TABLE units (
    id          uuid PRIMARY KEY,
    parent_id   uuid REFERENCES units (id),
    -- Materialized path of ids from the root, '/' separated and terminated: '/<root>/<child>/'.
    -- Immutable (a unit never changes parent; reorganisations create new units with lineage),
    -- so a subtree is one indexed prefix match.
    path        text NOT NULL UNIQUE,
    depth       integer NOT NULL CHECK (depth >= 0),
    kind        text NOT NULL CHECK (kind IN ('country', 'province', 'city', 'district', 'town',
                                              'ward', 'commune', 'township', 'department',
                                              'committee', 'organization')),
    code        text CHECK (code IS NULL OR code ~ '^[0-9A-Za-z._-]{1,32}$'),
    -- Sorted in Vietnamese alphabetical order (ICU), whatever the cluster's default collation.
    name        text COLLATE "vi-x-icu" NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    name_folded text GENERATED ALWAYS AS (bd_fold(name)) STORED,
    valid_from  date NOT NULL,
    valid_to    date,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     bigint NOT NULL DEFAULT 1,
    deleted_at  timestamptz,
    CONSTRAINT units_validity_order CHECK (valid_to IS NULL OR valid_to >= valid_from),
    CONSTRAINT units_root_has_no_parent CHECK ((parent_id IS NULL) = (depth = 0))
);
CREATE INDEX units_path_prefix ON units (path text_pattern_ops);
CREATE INDEX units_parent ON units (parent_id, name, id);
CREATE INDEX units_name_sort ON units (name, id);
CREATE INDEX units_created_sort ON units (created_at, id);
CREATE INDEX units_updated_sort ON units (updated_at, id);
CREATE INDEX units_name_trgm ON units USING gin (name_folded gin_trgm_ops);
-- Official codes are reused across eras (13666 was Trần Hưng Đạo in 2020 and is ward Nam Định
-- since 2025): a code is unique among units that start on the same date, not forever.
CREATE UNIQUE INDEX units_code_era ON units (code, valid_from) WHERE code IS NOT NULL AND deleted_at IS NULL;

-- Lineage: predecessor -> successor, many to many (merges and splits).
CREATE TABLE unit_lineage (
    predecessor_id uuid NOT NULL REFERENCES units (id),
    successor_id   uuid NOT NULL REFERENCES units (id),
    effective_on   date NOT NULL,
    note           text CHECK (note IS NULL OR length(note) <= 1000),
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (predecessor_id, successor_id),
    CONSTRAINT unit_lineage_not_self CHECK (predecessor_id <> successor_id)
);
CREATE INDEX unit_lineage_successor ON unit_lineage (successor_id);

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    username      text NOT NULL CHECK (username ~ '^[a-z0-9._-]{3,64}$'),
    password_hash text NOT NULL,
    unit_id       uuid NOT NULL REFERENCES units (id),
    role          text NOT NULL CHECK (role IN ('admin', 'manager', 'officer', 'inspector', 'viewer')),
    display_name  text CHECK (display_name IS NULL OR length(display_name) <= 200),
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    version       bigint NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX users_username_key ON users (username);
CREATE INDEX users_unit ON users (unit_id);

-- Refresh tokens rotate on every use; a reused (already spent) token revokes its whole family.
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY,
    family_id   uuid NOT NULL,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash  bytea NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
