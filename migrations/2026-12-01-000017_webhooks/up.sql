-- Webhook endpoints of partner clients, and their deliveries. The outbox is `audit_events`,
-- written in each change's own transaction; the delivery worker fans its rows out to the
-- endpoints (in the partner's view, advancing each endpoint's feed position in the same
-- transaction as the deliveries it writes) and sends them.
CREATE TABLE webhook_endpoints (
    id uuid PRIMARY KEY,
    client_id uuid NOT NULL REFERENCES api_clients (id),
    -- The client's owner unit: its admins manage the endpoint.
    owner_unit_id uuid NOT NULL REFERENCES units (id),
    owner_unit_path text NOT NULL,
    url text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    description text NOT NULL DEFAULT '',
    event_types text[] NOT NULL CHECK (cardinality(event_types) BETWEEN 1 AND 32),
    enabled boolean NOT NULL DEFAULT true,
    disabled_reason text CHECK (disabled_reason IN ('manual', 'gone', 'failing')),
    disabled_at timestamptz,
    -- The signing secret, sealed under the data key (it must be read to sign).
    secret_sealed bytea NOT NULL,
    -- During a rotation's overlap, the secret before it: both signatures are sent.
    previous_secret_sealed bytea,
    previous_secret_expires_at timestamptz,
    -- The position in the change feed (audit_events' txid, seq) fanned out so far.
    feed_txid bigint NOT NULL,
    feed_seq bigint NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    version bigint NOT NULL DEFAULT 1,
    CHECK ((enabled AND disabled_reason IS NULL) OR (NOT enabled AND disabled_reason IS NOT NULL))
);
CREATE INDEX webhook_endpoints_client ON webhook_endpoints (client_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX webhook_endpoints_owner ON webhook_endpoints (owner_unit_path text_pattern_ops) WHERE deleted_at IS NULL;

CREATE TABLE webhook_deliveries (
    id uuid PRIMARY KEY,
    endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id),
    -- `webhook-id`: the same for every attempt, redelivery and replay of one event.
    message_id text NOT NULL,
    event_type text NOT NULL,
    -- The body exactly as signed.
    payload text NOT NULL,
    -- The event's position in the change feed (null for a test event).
    feed_txid bigint,
    feed_seq bigint,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    -- When the next attempt is due; while an attempt is in flight, the end of its lease.
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_attempt_at timestamptz,
    last_status_code integer,
    last_latency_ms integer,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_feed ON webhook_deliveries (endpoint_id, feed_txid, feed_seq) WHERE feed_txid IS NOT NULL;
