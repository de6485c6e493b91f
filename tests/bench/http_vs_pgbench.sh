#!/usr/bin/env bash
# Benchmark: an endpoint against the same SQL through pgbench, at the same concurrency.
#
#   tests/bench/http_vs_pgbench.sh [connections] [seconds]
#
# Builds the release binary, starts it on a fresh embedded cluster (under a temporary data
# directory) with the reference data and demo users, then measures, at C connections for S
# seconds each:
#   1. GET /api/v1/units/{id}        (wrk)      vs  the unit lookup it runs   (pgbench)
#   2. GET /api/v1/units?limit=50    (wrk)      vs  the list query it runs    (pgbench)
# and prints requests/s, p99 latency and the HTTP/SQL throughput ratio. Needs wrk
# (apt-get install wrk) and pgbench (in the postgresql package). Stops everything it started.
set -euo pipefail
C=${1:-64}
S=${2:-15}
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | tail -n1)
cargo build --release --quiet --bin binhdang
DATA=$(mktemp -d /tmp/binhdang-bench.XXXX)
chmod 755 "$DATA"
PORT=18088
export BINHDANG_DATA_DIR=$DATA DB_POOL_SIZE=${DB_POOL_SIZE:-32} RUST_LOG=warn PORT
./target/release/binhdang serve --demo --port $PORT > "$DATA/serve.log" 2>&1 &
SERVER=$!
trap 'kill -INT $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 60); do curl -sf localhost:$PORT/health/ready >/dev/null && break; sleep 1; done
PGPORT=$(cat "$DATA/postgres/binhdang.port")
# The embedded cluster asks for its password (kept in the data directory).
export PGPASSWORD=$(cat "$DATA/postgres/binhdang.password")
DB="postgresql://postgres@127.0.0.1:$PGPORT/binhdang"
TOKEN=$(curl -s -X POST localhost:$PORT/api/v1/auth/login -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"binhdang-demo"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
UNIT=$(curl -s "localhost:$PORT/api/v1/units?code=13633" -H "Authorization: Bearer $TOKEN" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
SCOPE=$(psql "$DB" -Atc "SELECT path FROM units WHERE code = '356'")

cat > "$DATA/get.sql" <<SQL
SELECT id, parent_id, path, depth, kind, code, name, valid_from, valid_to, created_at, updated_at, version
  FROM units WHERE id = '$UNIT' AND deleted_at IS NULL LIMIT 1;
SQL
cat > "$DATA/list.sql" <<SQL
SELECT u.id, u.parent_id, u.path, u.depth, u.kind, u.code, u.name, u.valid_from, u.valid_to, u.created_at, u.updated_at, u.version
  FROM units u WHERE u.deleted_at IS NULL AND (u.path LIKE '${SCOPE}%') ORDER BY u.name ASC, u.id ASC LIMIT 51;
SQL

wrk_run() { # name url
  local out; out=$(wrk -t2 -c"$C" -d"${S}s" --latency -H "Authorization: Bearer $TOKEN" "$2")
  local rps p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  echo "$rps $p99"
}
pgb_run() { # file
  local out; out=$("$PGBIN/pgbench" -n -M prepared -c"$C" -j2 -T"$S" -f "$1" "$DB" 2>&1)
  echo "$out" | awk '/^tps/ {print $3}'
}
printf '%-28s %12s %10s %12s %8s\n' "case ($C connections, ${S}s)" "HTTP req/s" "HTTP p99" "pgbench tps" "ratio"
run_case() { # name url sqlfile
  local rps p99 tps ratio
  read -r rps p99 <<< "$(wrk_run "$1" "$2")"
  tps=$(pgb_run "$3")
  ratio=$(python3 -c "print(f'{float(\"$rps\")/float(\"$tps\")*100:.0f}%')")
  printf '%-28s %12s %10s %12s %8s\n' "$1" "$rps" "$p99" "$tps" "$ratio"
}
run_case "GET /units/{id}" "http://127.0.0.1:$PORT/api/v1/units/$UNIT" "$DATA/get.sql"
run_case "GET /units?limit=50" "http://127.0.0.1:$PORT/api/v1/units?limit=50" "$DATA/list.sql"
