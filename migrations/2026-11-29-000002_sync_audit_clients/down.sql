DROP TABLE api_client_units;
DROP TABLE api_clients;
DROP TABLE idempotency_keys;
DROP FUNCTION bd_feed_horizon();
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only();
