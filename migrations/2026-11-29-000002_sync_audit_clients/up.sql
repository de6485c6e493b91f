-- The conventions every resource shares: the audit trail (which is also the change feed),
-- idempotency keys, and partner API clients.

-- Append-only: every create, update, delete and workflow transition, written in the same
-- transaction as the change. `txid` (the writing transaction's id) orders the change feed: a
-- reader only returns rows of transactions older than its snapshot's xmin, so a transaction
-- that commits late can never land behind a cursor already handed out.
CREATE TABLE audit_events (
    seq              bigserial PRIMARY KEY,
    txid             xid8 NOT NULL DEFAULT pg_current_xact_id(),
    at               timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_kind       text NOT NULL CHECK (actor_kind IN ('user', 'client', 'system')),
    actor_id         uuid,
    actor_name       text,
    actor_unit_id    uuid,
    resource         text NOT NULL,
    record_id        uuid NOT NULL,
    record_unit_id   uuid NOT NULL,
    record_unit_path text NOT NULL,
    action           text NOT NULL,
    before           jsonb,
    after            jsonb,
    request_id       text
);
CREATE INDEX audit_events_feed ON audit_events (txid, seq);
CREATE INDEX audit_events_record ON audit_events (resource, record_id, seq);
CREATE INDEX audit_events_unit_path ON audit_events (record_unit_path text_pattern_ops, seq);
CREATE INDEX audit_events_actor ON audit_events (actor_id, seq);
CREATE INDEX audit_events_at ON audit_events (at, seq);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- The change feed's horizon: the smallest transaction id that may still add rows to this
-- database's audit_events, as seen by the calling statement's snapshot (STABLE, so the same
-- snapshot as the rows read beside it). Every transaction below it has finished. Transactions
-- in progress that provably belong to another database of the cluster (found in
-- pg_stat_activity) do not hold the feed back; any that cannot be placed do.
CREATE FUNCTION bd_feed_horizon() RETURNS xid8 LANGUAGE sql STABLE AS $$
  WITH snap AS (SELECT pg_current_snapshot() AS s)
  SELECT coalesce(min(x), (SELECT pg_snapshot_xmax(s) FROM snap))
  FROM snap, pg_snapshot_xip(snap.s) AS x
  WHERE NOT EXISTS (
    SELECT 1 FROM pg_stat_activity a
    WHERE a.datname IS NOT NULL AND a.datname <> current_database()
      AND a.backend_xid IS NOT NULL
      AND a.backend_xid::text::bigint = (x::text::numeric % 4294967296)::bigint)
$$;

-- A POST with an Idempotency-Key: the first request's response, replayed to retries.
CREATE TABLE idempotency_keys (
    principal_id  uuid NOT NULL,
    key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash  bytea NOT NULL,
    status        smallint,
    response      jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Partner integrations (client credentials), each granted a set of units.
CREATE TABLE api_clients (
    id                    uuid PRIMARY KEY,
    client_id             text NOT NULL UNIQUE,
    name                  text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    secret_hash           text NOT NULL,
    active                boolean NOT NULL DEFAULT true,
    rate_limit_per_minute integer NOT NULL CHECK (rate_limit_per_minute BETWEEN 1 AND 100000),
    owner_unit_id         uuid NOT NULL REFERENCES units (id),
    owner_unit_path       text NOT NULL,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    version               bigint NOT NULL DEFAULT 1
);
CREATE INDEX api_clients_owner ON api_clients (owner_unit_path text_pattern_ops);

CREATE TABLE api_client_units (
    client_id uuid NOT NULL REFERENCES api_clients (id) ON DELETE CASCADE,
    unit_id   uuid NOT NULL REFERENCES units (id),
    PRIMARY KEY (client_id, unit_id)
);
