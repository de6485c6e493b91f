-- Loaded after synthetic.sql, in its transaction, when `--audit-events` is above 0; the
-- placeholder {audit_events} is replaced by the caller.
--
-- The audit trail the records' writes would have left: a create for each training and outreach
-- event, then updates of them in turn, {audit_events} entries in all, interleaved over the
-- communes as the records are. Their transaction ids are spread over the ids before this one
-- (a real trail has many transactions; the feed orders by id), so every entry is below the
-- feed's horizon once this transaction commits.
CREATE TEMP TABLE syn_records ON COMMIT DROP AS
SELECT row_number() OVER () AS i, x.*
  FROM (SELECT 'training' AS resource, id, unit_id, unit_path, title, starts_on, ends_on, female, male FROM trainings
        UNION ALL
        SELECT 'outreach_event', id, unit_id, unit_path, title, starts_on, ends_on, female, male
          FROM outreach_events) x;
INSERT INTO audit_events (txid, at, actor_kind, actor_name, resource, record_id, record_unit_id, record_unit_path,
                          action, after)
SELECT (1 + (n - 1) * (pg_current_xact_id()::text::bigint - 2) / {audit_events})::text::xid8,
       timestamptz '2021-01-01' + (n - 1) * (interval '157680000 seconds' / {audit_events}),
       'system', 'synthetic', r.resource, r.id, r.unit_id, r.unit_path,
       CASE WHEN n <= t.total THEN 'create' ELSE 'update' END,
       jsonb_build_object('id', r.id, 'unit_id', r.unit_id, 'title', r.title, 'starts_on', r.starts_on,
                          'ends_on', r.ends_on, 'female', r.female, 'male', r.male,
                          'version', 1 + (n - 1) / t.total)
  FROM generate_series(1, {audit_events}) n
 CROSS JOIN (SELECT count(*) AS total FROM syn_records) t
  JOIN syn_records r ON r.i = (n - 1) % t.total + 1
 WHERE t.total > 0;
