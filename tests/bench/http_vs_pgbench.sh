#!/usr/bin/env bash
# Benchmark: endpoints against their own SQL, replayed by pgbench at the same concurrency.
#
#   tests/bench/http_vs_pgbench.sh [seconds] [connections...]      (default: 15 s at 16 and 64)
#   ROUNDS=5 tests/bench/http_vs_pgbench.sh 10 64                  (rounds per case; default 3)
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
# equality on the unit (what an ORM's list would run) for reference. Each case runs ROUNDS
# rounds of wrk then pgbench back to back (a pair shares the machine's state of the moment: on a
# shared VM one run's throughput swings by 10-20% against the next); it prints the round with the
# median ratio (req/s, p99, tps, ratio) and every round's ratio. Then EXPLAIN (ANALYZE, BUFFERS)
# of the list's statement. Needs wrk and pgbench.
S=${1:-15}
ROUNDS=${ROUNDS:-3}
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

pgb() { bench_pgbench "$1" "$S" "$2"; }
echo "release build, $(nproc) cores, PostgreSQL $(psql "$DB" -Atc 'SHOW server_version'), service pool ${DB_POOL_SIZE:-16} (DB_POOL_SIZE)"
echo "$(psql "$DB" -Atc 'SELECT count(*) FROM trainings') trainings; the ward's list ran $(grep -c . "$W/list.sql") statement(s), one record $(grep -c . "$W/one.sql")"
printf '%-34s %5s %11s %9s %12s %7s  %s\n' "case (${S}s each, median of $ROUNDS)" conns "HTTP req/s" "HTTP p99" "its SQL tps" "ratio" "rounds"
for c in "${CONNS[@]}"; do
  # Fresh tokens for each concurrency: an access token lives 15 minutes.
  OFFICER=$(bench_token halong.officer binhdang-demo)
  ADMIN=$(bench_token admin binhdang-demo)
  bench_ratio "GET /trainings (ward list)" "$c" "$LIST_URL" "$OFFICER" "$W/list.sql"
  bench_ratio "GET /trainings/{id}" "$c" "$ONE_URL" "$OFFICER" "$W/one.sql"
  bench_ratio "GET /units/{id}" "$c" "$UNIT_URL" "$ADMIN" "$W/unit.sql"
  bench_ratio "GET /units?limit=50" "$c" "$UNITS_URL" "$ADMIN" "$W/units.sql"
  printf '%-34s %5s %11s %9s %12s\n' "reference: list by unit equality" "$c" "" "" "$(pgb "$c" "$W/equality.sql")"
done
echo
echo "-- the ward list's statements"
cat "$W/list.sql"
echo "-- EXPLAIN (ANALYZE, BUFFERS) of its page query"
grep -i "FROM trainings" "$W/list.sql" | head -n1 | sed 's/^/EXPLAIN (ANALYZE, BUFFERS) /' | psql "$DB" -At
