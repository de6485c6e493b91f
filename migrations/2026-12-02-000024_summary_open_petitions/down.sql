CREATE INDEX petitions_overdue ON petitions (due_on, received_on) INCLUDE (kind, unit_path, handling_unit_id)
    WHERE due_on IS NOT NULL AND deleted_at IS NULL;
DROP INDEX petitions_open;

CREATE FUNCTION bd_report_lineage(root uuid) RETURNS TABLE (unit_id uuid, bucket text)
LANGUAGE sql STABLE PARALLEL SAFE
SET jit = off
AS $$
  WITH RECURSIVE r AS (
    SELECT id, path, depth FROM units WHERE id = root
  ), covered(id, path, bucket) AS (
    SELECT d.id, d.path, CASE WHEN s.id = r.id THEN r.id::text ELSE split_part(s.path, '/', r.depth + 3) END
      FROM r
      JOIN units s ON s.path ~>=~ r.path AND s.path ~<~ (r.path || '~')
      JOIN unit_lineage l ON l.successor_id = s.id
      JOIN units p ON p.id = l.predecessor_id
      JOIN units d ON d.path ~>=~ p.path AND d.path ~<~ (p.path || '~')
    UNION
    SELECT d.id, d.path, c.bucket
      FROM covered c
      JOIN unit_lineage l ON l.successor_id = c.id
      JOIN units p ON p.id = l.predecessor_id
      JOIN units d ON d.path ~>=~ p.path AND d.path ~<~ (p.path || '~')
  )
  SELECT DISTINCT ON (c.id) c.id, c.bucket
    FROM covered c, r
   WHERE NOT (c.path ~>=~ r.path AND c.path ~<~ (r.path || '~'))
   ORDER BY c.id, c.bucket
$$;
