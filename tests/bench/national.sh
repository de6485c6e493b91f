#!/usr/bin/env bash
# Benchmark: the summary report at national scale.
#
#   tests/bench/reports.sh [calls] [communes] [records]
#
# Builds the release binary, starts it on a fresh embedded cluster (under a temporary data
# directory), loads the synthetic country (`binhdang seed --synthetic`: 63 provinces, 693
# districts, 10,000 communes by default, a million activity records over 2021-2025), then calls
# GET /api/v1/reports/summary?year=2024 for the country, a province and a ward, N times each
# (after two warm-up calls), one at a time, and prints the median and p95 latency of each
# (curl's total time, so HTTP and JSON included). Stops everything it started.
set -euo pipefail
N=${1:-30}
COMMUNES=${2:-10000}
RECORDS=${3:-1000000}
cd "$(dirname "$0")/../.."
cargo build --release --quiet --bin binhdang
DATA=$(mktemp -d /tmp/binhdang-reports.XXXX)
chmod 755 "$DATA"
PORT=18089
export BINHDANG_DATA_DIR=$DATA RUST_LOG=warn PORT
./target/release/binhdang serve --port $PORT > "$DATA/serve.log" 2>&1 &
SERVER=$!
trap 'kill -INT $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 60); do curl -sf localhost:$PORT/health/ready >/dev/null && break; sleep 1; done
PGPORT=$(cat "$DATA/postgres/binhdang.port")
# The embedded cluster asks for its password (kept in the data directory).
PGPASS=$(cat "$DATA/postgres/binhdang.password")
export DATABASE_URL="postgresql://postgres:$PGPASS@127.0.0.1:$PGPORT/binhdang"
./target/release/binhdang seed --synthetic "$COMMUNES" --records "$RECORDS"
ROOT=$(psql "$DATABASE_URL" -Atc "SELECT id FROM units WHERE depth = 0")
PROVINCE=$(psql "$DATABASE_URL" -Atc "SELECT id FROM units WHERE code = 'Sp1'")
WARD=$(psql "$DATABASE_URL" -Atc "SELECT id FROM units WHERE code = 'Sw3'")
./target/release/binhdang user add --username bench --password bench-password-1 --unit "$ROOT" --role viewer >/dev/null
TOKEN=$(curl -s -X POST localhost:$PORT/api/v1/auth/login -H 'Content-Type: application/json' \
  -d '{"username":"bench","password":"bench-password-1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

measure() {
  local name=$1 unit=$2 url times
  url="localhost:$PORT/api/v1/reports/summary?year=2024&unit_id=$unit"
  for _ in 1 2; do curl -sf -o /dev/null "$url" -H "Authorization: Bearer $TOKEN"; done
  times=$(for _ in $(seq 1 "$N"); do
    curl -sf -o /dev/null -w '%{time_total}\n' "$url" -H "Authorization: Bearer $TOKEN"
  done)
  python3 - "$name" "$times" <<'PY'
import statistics, sys
name, raw = sys.argv[1], sys.argv[2]
t = sorted(float(x) * 1000 for x in raw.split())
p95 = t[min(len(t) - 1, int(round(0.95 * len(t))) - 1)]
print(f"{name:<10} calls={len(t):<4} median={statistics.median(t):8.1f} ms   p95={p95:8.1f} ms   max={t[-1]:8.1f} ms")
PY
}

echo "summary?year=2024 on $(nproc) cores; $(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM units") units," \
  "$(psql "$DATABASE_URL" -Atc "SELECT (SELECT count(*) FROM trainings) + (SELECT count(*) FROM outreach_events) + (SELECT count(*) FROM petitions) + (SELECT count(*) FROM inspections) + (SELECT count(*) FROM violations)") records"
measure country "$ROOT"
measure province "$PROVINCE"
measure ward "$WARD"
