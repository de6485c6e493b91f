"""Turns PostgreSQL's log of the statements one request ran (log_min_duration_statement = 0)
into a pgbench script: each `execute` with its `DETAIL: parameters` put in place (and each
simple-protocol statement, such as BEGIN and COMMIT, as it was), in order. Left out: the
benchmark's own psql calls, and the background workers' and the revocation listener's polls,
logged meanwhile from their own connections (a connection that ran one of theirs is not the
request's)."""
import re
import sys

# What only the background workers run (webhooks, imports, the roll-ups' compactor, the sweep of
# spent refresh tokens' sealed successors).
WORKER = re.compile(
    r'webhook_endpoints e JOIN api_clients|webhook_deliveries|FROM imports|UPDATE imports|rollup_deltas'
    r'|"successor_sealed" = NULL|pg_try_advisory_xact_lock|bd_feed_horizon\(\)::text AS xmin|epoch_changed_at" >'
)

lines = sys.stdin.read().splitlines()
out = []
i = 0
while i < len(lines):
    m = re.search(r"\[(\d+)\] LOG:  duration: [0-9.]+ ms  (?:execute [^:]*|statement): (.*)$", lines[i])
    if not m:
        i += 1
        continue
    pid, sql = m.group(1), m.group(2)
    i += 1
    while i < len(lines) and lines[i].startswith("\t"):
        sql += " " + lines[i].strip()
        i += 1
    params = {}
    if i < len(lines) and "DETAIL:  parameters:" in lines[i]:
        detail = lines[i].split("DETAIL:  parameters:", 1)[1]
        i += 1
        for n, value in re.findall(r"\$(\d+) = (NULL|'(?:[^']|'')*')", detail):
            params[int(n)] = value
    for n in sorted(params, reverse=True):
        sql = re.sub(r"\$%d(?!\d)" % n, lambda _: params[n], sql)
    if "pg_reload_conf" in sql or "log_min_duration_statement" in sql:
        continue
    out.append((pid, sql.rstrip(";") + ";"))
workers = {pid for pid, sql in out if WORKER.search(sql)}
out = [sql for pid, sql in out if pid not in workers]
if not out:
    sys.exit("no statement was captured")
print("\n".join(out))
