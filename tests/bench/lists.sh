#!/usr/bin/env bash
# Benchmark: every list endpoint against its own SQL, replayed by pgbench at the same concurrency.
#
#   tests/bench/lists.sh [seconds] [connections]      (default: 10 s at 64; ROUNDS=3 rounds a case)
#
# Starts the release binary with the production defaults on a fresh embedded cluster with the
# demo data and 20,000 trainings (as http_vs_pgbench.sh), signs in as the city admin, and for
# each list (`?limit=20`, its default sort) captures the statements the request ran and measures
# wrk against `pgbench -M prepared` replaying them (bench_ratio in lib.sh: the median of ROUNDS
# rounds, with every round's ratio). Prints each list's rows a page, req/s, p99, tps and ratio.
# The demo data gives most lists a page of 1-10 rows, where a request costs about what one
# record does; the trainings and units pages are full. Needs wrk and pgbench.
S=${1:-10}
C=${2:-64}
source "$(dirname "$0")/lib.sh"
bench_start lists --demo
bench_ward_fixture
W="$DATA/sql"
mkdir -p "$W"
LISTS=(trainings outreach units petitions inspections violations plans documents users audit-events support-services)
echo "release build, $(nproc) cores, PostgreSQL $(psql "$DB" -Atc 'SHOW server_version'), $C connections, as the city admin"
printf '%-34s %5s %11s %9s %12s %7s  %s\n' "GET /api/v1/<list>?limit=20 (rows)" conns "HTTP req/s" "HTTP p99" "its SQL tps" "ratio" "rounds"
for list in "${LISTS[@]}"; do
  # A fresh token for each list: an access token lives 15 minutes.
  ADMIN=$(bench_token admin binhdang-demo)
  url="$BASE/api/v1/$list?limit=20"
  rows=$(curl -sf "$url" -H "Authorization: Bearer $ADMIN" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["data"]))')
  bench_capture "$W/$list.sql" "$url" -H "Authorization: Bearer $ADMIN"
  bench_ratio "$list ($rows)" "$C" "$url" "$ADMIN" "$W/$list.sql"
done
