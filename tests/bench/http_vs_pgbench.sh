#!/usr/bin/env bash
# Benchmark: endpoints against their own SQL, replayed by pgbench at the same concurrency.
#
#   tests/bench/http_vs_pgbench.sh [seconds] [connections...]      (default: 15 s at 16 and 64)
#
# Starts the release binary with the production defaults (request logging at info, per-route
# metrics, the revocation check; no response cache) on a fresh embedded cluster with the demo
# data and 20,000 trainings round robin over the city's 25 wards and communes, signs in as the
# ward officer of Hạ Long, and measures with wrk, at each concurrency:
#   GET /api/v1/trainings?limit=20&sort=-starts_on   (the ward's list)
#   GET /api/v1/trainings/{id}                       (one record)
#   GET /api/v1/units/{id} and /api/v1/units?limit=50 (as the city admin)
# against `pgbench -M prepared` replaying the very statements each request ran (captured from
# the cluster's log: bench_capture in lib.sh), plus, for the list, the same page scoped by an
# equality on the unit (what an ORM's list would run) for reference. Prints req/s, p99, tps and
# the ratio, then EXPLAIN (ANALYZE, BUFFERS) of the list's statement. Needs wrk and pgbench.
S=${1:-15}
shift || true
CONNS=("${@:-16}")
[ $# -gt 0 ] || CONNS=(16 64)
source "$(dirname "$0")/lib.sh"
bench_start http --demo
bench_ward_fixture
CITY_UNIT=$(psql "$DB" -Atc "SELECT id FROM units WHERE code = '356' ORDER BY valid_from LIMIT 1")
W="$DATA/sql"; mkdir -p "$W"
LIST_URL="$BASE/api/v1/trainings?limit=20&sort=-starts_on"
ONE_URL="$BASE/api/v1/trainings/$TRAINING"
UNIT_URL="$BASE/api/v1/units/$CITY_UNIT"
UNITS_URL="$BASE/api/v1/units?limit=50"
bench_capture "$W/list.sql" "$LIST_URL" -H "Authorization: Bearer $OFFICER"
bench_capture "$W/one.sql" "$ONE_URL" -H "Authorization: Bearer $OFFICER"
bench_capture "$W/unit.sql" "$UNIT_URL" -H "Authorization: Bearer $ADMIN"
bench_capture "$W/units.sql" "$UNITS_URL" -H "Authorization: Bearer $ADMIN"
# The reference: the ward's page by an equality on its unit, served by (unit_id, starts_on).
cat >"$W/equality.sql" <<SQL
SELECT t.* FROM trainings t WHERE t.deleted_at IS NULL AND t.unit_id = '$WARD' ORDER BY t.starts_on DESC, t.id DESC LIMIT 21;
SQL

pgb() { # connections file
  "$PGBIN/pgbench" -n -M prepared -c"$1" -j2 -T"$S" -f "$2" "$DB" 2>&1 | awk '/^tps/ {print $3}'
}
echo "release build, $(nproc) cores, PostgreSQL $(psql "$DB" -Atc 'SHOW server_version'), service pool ${DB_POOL_SIZE:-16} (DB_POOL_SIZE)"
echo "$(psql "$DB" -Atc 'SELECT count(*) FROM trainings') trainings; the ward's list ran $(grep -c . "$W/list.sql") statement(s), one record $(grep -c . "$W/one.sql")"
printf '%-34s %5s %11s %9s %12s %7s\n' "case (${S}s each)" conns "HTTP req/s" "HTTP p99" "its SQL tps" "ratio"
run_case() { # name connections url token sqlfile
  local rps p99 tps
  read -r rps p99 <<<"$(bench_wrk "$2" "$S" "$3" -H "Authorization: Bearer $4")"
  tps=$(pgb "$2" "$5")
  printf '%-34s %5s %11s %9s %12s %7s\n' "$1" "$2" "$rps" "$p99" "$tps" \
    "$(python3 -c "print(f'{float(\"$rps\")/float(\"$tps\")*100:.0f}%')")"
}
for c in "${CONNS[@]}"; do
  run_case "GET /trainings (ward list)" "$c" "$LIST_URL" "$OFFICER" "$W/list.sql"
  run_case "GET /trainings/{id}" "$c" "$ONE_URL" "$OFFICER" "$W/one.sql"
  run_case "GET /units/{id}" "$c" "$UNIT_URL" "$ADMIN" "$W/unit.sql"
  run_case "GET /units?limit=50" "$c" "$UNITS_URL" "$ADMIN" "$W/units.sql"
  printf '%-34s %5s %11s %9s %12s\n' "reference: list by unit equality" "$c" "" "" "$(pgb "$c" "$W/equality.sql")"
done
echo
echo "-- the ward list's statements"
cat "$W/list.sql"
echo "-- EXPLAIN (ANALYZE, BUFFERS) of its page query"
grep -i "FROM trainings" "$W/list.sql" | head -n1 | sed 's/^/EXPLAIN (ANALYZE, BUFFERS) /' | psql "$DB" -At
