# Shared by the benchmarks of tests/bench (sourced, not run): build the release binary, start it
# on a fresh embedded cluster of its own under a temporary directory (stopped and removed on
# exit), sign in, seed trainings, run wrk. Traffic goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | tail -n1)
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

# bench_start NAME [serve flags...]: the release service on its own embedded cluster; sets DATA,
# PORT, BASE, DB (a superuser URL of the cluster, password included) and SERVER. With BENCH_DATA
# set, the cluster lives in that directory and is kept after the run (a loaded country is then
# measured again without loading it again); otherwise in a temporary one, removed on exit.
# BENCH_BIN runs another build of the service (an A/B of two commits) instead of building this
# checkout's.
bench_start() {
  local name=$1; shift
  if [ -z "${BENCH_BIN:-}" ]; then
    cargo build --release --quiet --bin binhdang
  fi
  if [ -n "${BENCH_DATA:-}" ]; then
    DATA=$BENCH_DATA
    mkdir -p "$DATA"
    trap 'kill -INT $SERVER 2>/dev/null; wait $SERVER 2>/dev/null' EXIT
  else
    DATA=$(mktemp -d "/tmp/binhdang-$name.XXXX")
    trap 'kill -INT $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
  fi
  chmod 755 "$DATA"
  export BINHDANG_DATA_DIR=$DATA RUST_LOG=${RUST_LOG:-info}
  # Port 0: the service picks a free one (after its embedded cluster took its own) and says it.
  # BENCH_WRAP runs it under another program (instructions.sh: valgrind's callgrind).
  ${BENCH_WRAP:-} "${BENCH_BIN:-./target/release/binhdang}" serve --port 0 "$@" >"$DATA/serve.log" 2>&1 &
  SERVER=$!
  PORT=""
  for _ in $(seq 1 240); do
    PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$DATA/serve.log" | head -n1)
    [ -n "$PORT" ] && curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break
    kill -0 "$SERVER" 2>/dev/null || break
    sleep 0.5
  done
  BASE="http://127.0.0.1:$PORT"
  curl -sf "$BASE/health/ready" >/dev/null || { cat "$DATA/serve.log"; echo "the service did not start" >&2; exit 1; }
  local pgport pgpass
  pgport=$(cat "$DATA/postgres/binhdang.port")
  pgpass=$(cat "$DATA/postgres/binhdang.password")
  DB="postgresql://postgres:$pgpass@127.0.0.1:$pgport/binhdang"
  export DATABASE_URL=$DB
}

# bench_token USERNAME PASSWORD: an access token.
bench_token() {
  curl -sf -X POST "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$2\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

# bench_seed_trainings N: N trainings round robin over the city's (code 356) wards and communes
# of the 2020 era (Hạ Long among them), written directly in SQL (no audit trail: read load only).
bench_seed_trainings() {
  psql "$DB" -q -v ON_ERROR_STOP=1 <<SQL
WITH w AS (SELECT id, path, row_number() OVER (ORDER BY code) - 1 AS i, count(*) OVER () AS n FROM units
            WHERE parent_id = (SELECT id FROM units WHERE code = '356' AND deleted_at IS NULL ORDER BY valid_from LIMIT 1)
              AND kind IN ('ward', 'commune') AND valid_from <= '2024-01-01' AND deleted_at IS NULL)
INSERT INTO trainings (id, unit_id, unit_path, title, topics, audiences, starts_on, ends_on, female, male)
SELECT md5('bench:training:' || g)::uuid, w.id, w.path, 'Tập huấn ' || g, ARRAY['gbv'], ARRAY['officials'],
       date '2021-01-01' + (g * 7919) % 1400, date '2021-01-01' + (g * 7919) % 1400, g % 40, g % 30
  FROM generate_series(1, $1) g JOIN w ON w.i = g % w.n;
VACUUM ANALYZE trainings;
SQL
}

# bench_ward_fixture: 20,000 trainings (bench_seed_trainings) and who and what the HTTP
# benchmarks ask for: OFFICER (Hạ Long's ward officer) and ADMIN (the city admin) tokens, WARD
# (Hạ Long's unit id) and TRAINING (one of its trainings).
bench_ward_fixture() {
  bench_seed_trainings 20000
  OFFICER=$(bench_token halong.officer binhdang-demo)
  ADMIN=$(bench_token admin binhdang-demo)
  WARD=$(psql "$DB" -Atc "SELECT id FROM units WHERE code = '13633' ORDER BY valid_from LIMIT 1")
  TRAINING=$(psql "$DB" -Atc "SELECT id FROM trainings WHERE unit_id = '$WARD' AND deleted_at IS NULL ORDER BY id LIMIT 1")
}

# bench_wrk CONNECTIONS SECONDS URL [wrk args...]: prints "req/s p99".
bench_wrk() {
  local c=$1 s=$2 url=$3; shift 3
  local out
  out=$(wrk -t2 -c"$c" -d"${s}s" --latency --timeout 10s "$@" "$url")
  echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '$1=="99%" {print $2}')"
}

# bench_capture FILE CURL-ARGS...: the statements one request ran, as PostgreSQL executed them
# (logged with their parameters while the request ran), written to FILE as a pgbench script
# with the parameters in place. The request is captured twice and only the statements of both
# kept: a background job's statement that ran in the same window (a sweep of expired tokens)
# is not the request's.
bench_capture() {
  local file=$1; shift
  local log
  log=$(find "$DATA/postgres" -name server.log | head -n1)
  psql "$DB" -qAtc "ALTER SYSTEM SET log_min_duration_statement = 0" -c "SELECT pg_reload_conf()" >/dev/null
  sleep 0.5
  local from run
  for run in 1 2; do
    from=$(wc -l <"$log")
    curl -sf -o /dev/null "$@"
    sleep 0.5
    tail -n +"$((from + 1))" "$log" | python3 tests/bench/capture.py >"$file.$run"
  done
  psql "$DB" -qAtc "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" >/dev/null
  grep -Fxf "$file.2" "$file.1" >"$file" || true
  rm -f "$file.1" "$file.2"
  [ -s "$file" ] || { echo "no statement captured for $*" >&2; exit 1; }
}

# bench_pgbench CONNECTIONS SECONDS FILE: the tps of `pgbench -M prepared` replaying FILE.
bench_pgbench() {
  "$PGBIN/pgbench" -n -M prepared -c"$1" -j2 -T"$2" -f "$3" "$DB" 2>&1 | awk '/^tps/ {print $3}'
}

# bench_ratio NAME CONNECTIONS URL TOKEN SQLFILE: ROUNDS (default 3) rounds of wrk on URL then
# pgbench on SQLFILE, S seconds each, back to back (a pair shares the machine's state of the
# moment); prints the round with the median ratio (the lower middle one for an even count):
# name, connections, req/s, p99, tps, ratio, and every round's ratio.
bench_ratio() {
  local r rps p99 tps rounds=""
  for r in $(seq 1 "${ROUNDS:-3}"); do
    read -r rps p99 <<<"$(bench_wrk "$2" "$S" "$3" -H "Authorization: Bearer $4")"
    tps=$(bench_pgbench "$2" "$S" "$5")
    rounds+="$rps $p99 $tps"$'\n'
  done
  python3 - "$1" "$2" <<PY
import sys
rows = [l.split() for l in """$rounds""".strip().splitlines()]
rows = [(float(r[0]) / float(r[2]), r) for r in rows]
ratios = "/".join(f"{x * 100:.0f}" for x, _ in rows) + "%"
ratio, (rps, p99, tps) = sorted(rows, key=lambda x: x[0])[(len(rows) - 1) // 2]
print(f"{sys.argv[1]:<34} {sys.argv[2]:>5} {rps:>11} {p99:>9} {tps:>12} {ratio * 100:>6.0f}%  {ratios}")
PY
}
