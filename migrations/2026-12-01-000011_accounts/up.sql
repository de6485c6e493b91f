-- Accounts managed through the API, revocation within seconds, two-factor sign-in, and the
-- login throttle and partner rate limits kept in the database (so every instance shares them).

-- A user's tokens carry its `token_epoch`; a token with an older epoch is refused. The epoch
-- grows whenever what a token says stops being true (deactivation, a new role or unit, a new
-- password) or the user signs out everywhere: the trigger below does it for every writer (the
-- API, the CLI, an operator's SQL), revokes the user's refresh tokens, and tells every instance
-- through NOTIFY (delivered at commit). Instances also catch up every second from
-- `epoch_changed_at`, so a lost notification costs a second, not a revocation.
ALTER TABLE users
    ADD COLUMN token_epoch bigint NOT NULL DEFAULT 0,
    ADD COLUMN epoch_changed_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN must_change_password boolean NOT NULL DEFAULT false,
    -- TOTP (RFC 6238): the secret sealed with the data key (ChaCha20-Poly1305), set at
    -- enrolment; `totp_enabled_at` once a first code confirmed it; the last time step used, so a
    -- code is good once.
    ADD COLUMN totp_secret_sealed bytea,
    ADD COLUMN totp_enabled_at timestamptz,
    ADD COLUMN totp_last_step bigint,
    -- Not bound by the per-role two-factor policy: the public demo users of `--demo` (set by
    -- the seed, or by an operator's SQL for a service account; never through the API).
    ADD COLUMN two_factor_exempt boolean NOT NULL DEFAULT false;
CREATE INDEX users_epoch_changed ON users (epoch_changed_at);

CREATE FUNCTION users_token_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER users_token_epoch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_token_epoch();

CREATE FUNCTION users_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.token_epoch IS DISTINCT FROM OLD.token_epoch THEN
        UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = NEW.id AND revoked_at IS NULL;
        PERFORM pg_notify('binhdang_revocations', NEW.id::text || ' ' || NEW.token_epoch::text);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER users_revoked AFTER UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_revoked();

-- Ten one-time recovery codes per enrolled user, kept as SHA-256 hashes (each is 50 random bits).
CREATE TABLE user_recovery_codes (
    user_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash bytea NOT NULL,
    used_at   timestamptz,
    PRIMARY KEY (user_id, code_hash)
);

-- Login attempts per (username, address), per address and per username, in fixed windows.
-- `login_throttle_begin` counts an attempt before its password is checked, atomically (row locks
-- taken in key order): it answers how long to wait when a limit is reached, else the username's
-- earlier failures (for the backoff).
CREATE TABLE login_throttle (
    key          text PRIMARY KEY,
    count        integer NOT NULL,
    window_start timestamptz NOT NULL
);
CREATE INDEX login_throttle_window ON login_throttle (window_start);

CREATE FUNCTION login_throttle_begin(pair text, addr text, usr text, pair_limit integer, addr_limit integer, win interval)
RETURNS TABLE (refused_for double precision, user_failures integer) LANGUAGE plpgsql AS $$
DECLARE
    p login_throttle;
    a login_throttle;
    u login_throttle;
BEGIN
    INSERT INTO login_throttle (key, count, window_start)
        SELECT k, 0, now() FROM unnest(ARRAY[pair, addr, usr]) AS k ORDER BY k
        ON CONFLICT (key) DO NOTHING;
    PERFORM 1 FROM login_throttle WHERE key IN (pair, addr, usr) ORDER BY key FOR UPDATE;
    UPDATE login_throttle SET count = 0, window_start = now()
        WHERE key IN (pair, addr, usr) AND window_start <= now() - win;
    SELECT * INTO p FROM login_throttle WHERE key = pair;
    SELECT * INTO a FROM login_throttle WHERE key = addr;
    IF p.count >= pair_limit THEN
        RETURN QUERY SELECT extract(epoch FROM p.window_start + win - now())::double precision, 0;
        RETURN;
    END IF;
    IF a.count >= addr_limit THEN
        RETURN QUERY SELECT extract(epoch FROM a.window_start + win - now())::double precision, 0;
        RETURN;
    END IF;
    SELECT * INTO u FROM login_throttle WHERE key = usr;
    UPDATE login_throttle SET count = count + 1 WHERE key IN (pair, addr, usr);
    RETURN QUERY SELECT NULL::double precision, u.count;
END $$;

-- Partner requests per client in the current minute (fixed window), shared by every instance.
CREATE TABLE partner_rate (
    client_id uuid PRIMARY KEY REFERENCES api_clients (id) ON DELETE CASCADE,
    minute    bigint NOT NULL,
    count     integer NOT NULL
);
