#!/usr/bin/env bash
# Benchmark: national scale. Summaries, every list at every scope, and the change feed.
#
#   tests/bench/national.sh [calls] [communes] [records] [audit events]
#                                        (default: 30 calls, 10,000 communes, 1M records, 2M events)
#   BENCH_DATA=/tmp/country tests/bench/national.sh ...   (keeps the loaded cluster for the next run)
#
# Starts the release binary on a fresh embedded cluster, loads the synthetic country
# (`binhdang seed --synthetic`: 63 provinces, 693 districts, the communes, the records over
# 2021-2025 and the audit trail their writes would have left), and signs in four viewers (who
# read everything in their subtree): the country, province Sp3, its district Sd3 and its ward
# Sw3. Then, one call at a time, after two warm-up calls, N calls each (curl's total time, so
# HTTP and JSON included; median and p95):
#   1. GET /reports/summary?year=2024 for the country, the province and the ward;
#   2. every list that has a scope (trainings, outreach, petitions, inspections, violations,
#      units) in each of its sorts, ascending and descending, at each of the four scopes, with
#      the page statement's EXPLAIN (ANALYZE, BUFFERS): a table of the index entries and rows its
#      scans read (actual rows plus rows removed by a filter, over all loops) and its buffers,
#      then every plan;
#   3. the change feed for the ward: its first page (from the start of the feed) and a caught-up
#      poll (from the head).
N=${1:-30}
COMMUNES=${2:-10000}
RECORDS=${3:-1000000}
EVENTS=${4:-2000000}
source "$(dirname "$0")/lib.sh"
export RUST_LOG=warn
bench_start national
# A cluster kept from an earlier run (BENCH_DATA) that holds the country already is not loaded again.
if [ "$(psql "$DB" -Atc "SELECT count(*) FROM units")" -lt 1000 ]; then
  "${BENCH_BIN:-./target/release/binhdang}" seed --synthetic "$COMMUNES" --records "$RECORDS" --audit-events "$EVENTS"
fi
W="$DATA/plans"; rm -rf "$W"; mkdir -p "$W"
declare -A UNIT TOKEN
for scope in country:root province:Sp3 district:Sd3 ward:Sw3; do
  name=${scope%%:*} code=${scope#*:}
  if [ "$code" = root ]; then
    UNIT[$name]=$(psql "$DB" -Atc "SELECT id FROM units WHERE depth = 0")
  else
    UNIT[$name]=$(psql "$DB" -Atc "SELECT id FROM units WHERE code = '$code'")
  fi
  if [ "$(psql "$DB" -Atc "SELECT count(*) FROM users WHERE username = 'bench-$name'")" = 0 ]; then
    printf '%s\n' bench-password-1 | "${BENCH_BIN:-./target/release/binhdang}" user add --username "bench-$name" --password-stdin \
      --unit "${UNIT[$name]}" --role viewer >/dev/null
  fi
  TOKEN[$name]=$(bench_token "bench-$name" bench-password-1)
done

time_calls() { # url token: prints "median p95" in ms
  local url=$1 token=$2 times
  for _ in 1 2; do curl -sf -o /dev/null "$url" -H "Authorization: Bearer $token"; done
  times=$(for _ in $(seq 1 "$N"); do
    curl -sf -o /dev/null -w '%{time_total}\n' "$url" -H "Authorization: Bearer $token"
  done)
  python3 - "$times" <<'PY'
import statistics, sys
t = sorted(float(x) * 1000 for x in sys.argv[1].split())
p95 = t[min(len(t) - 1, int(round(0.95 * len(t))) - 1)]
print(f"{statistics.median(t):.1f} {p95:.1f}")
PY
}

echo "national scale on $(nproc) cores: $(psql "$DB" -Atc "SELECT count(*) FROM units") units," \
  "$(psql "$DB" -Atc "SELECT (SELECT count(*) FROM trainings) + (SELECT count(*) FROM outreach_events) + (SELECT count(*) FROM petitions) + (SELECT count(*) FROM inspections) + (SELECT count(*) FROM violations)") records," \
  "$(psql "$DB" -Atc "SELECT count(*) FROM audit_events") audit events; $N calls each"
echo
echo "== 1. summary?year=2024"
printf '%-10s %10s %10s\n' scope "median ms" "p95 ms"
for name in country province ward; do
  read -r med p95 <<<"$(time_calls "$BASE/api/v1/reports/summary?year=2024&unit_id=${UNIT[$name]}" "${TOKEN[$name]}")"
  printf '%-10s %10s %10s\n' "$name" "$med" "$p95"
done

echo
echo "== 2. lists (limit=20), every sort, every scope"
printf '%-42s %-9s %9s %9s %14s %9s\n' "list and sort" scope "median ms" "p95 ms" "entries read" buffers
LISTS="trainings:starts_on,title,updated_at outreach:starts_on,title,updated_at petitions:received_on,updated_at inspections:created_at violations:act_on units:name,created_at,updated_at,valid_from"
worst=0
for entry in $LISTS; do
  path=${entry%%:*}
  for sort in $(echo "${entry#*:}" | tr , ' '); do
    for dir in "" "-"; do
      for name in country province district ward; do
        url="$BASE/api/v1/$path?limit=20&sort=$dir$sort"
        read -r med p95 <<<"$(time_calls "$url" "${TOKEN[$name]}")"
        plan="$W/$path.$dir$sort.$name"
        bench_capture "$plan.sql" "$url" -H "Authorization: Bearer ${TOKEN[$name]}"
        page=$(grep -iE "FROM (trainings|outreach_events|petitions|inspections|violations|units) [a-z]+ WHERE" "$plan.sql" | tail -n1)
        psql "$DB" -Atc "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) $page" >"$plan.json"
        read -r entries buffers <<<"$(python3 - "$plan.json" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))[0]["Plan"]
def walk(node):
    yield node
    for child in node.get("Plans", []):
        yield from walk(child)
scans = [n for n in walk(plan) if "Scan" in n["Node Type"]]
entries = sum((n["Actual Rows"] + n.get("Rows Removed by Filter", 0) + n.get("Rows Removed by Index Recheck", 0)) * n["Actual Loops"] for n in scans)
print(int(entries), plan["Shared Hit Blocks"] + plan["Shared Read Blocks"])
PY
)"
        [ "$entries" -gt "$worst" ] && worst=$entries
        printf '%-42s %-9s %9s %9s %14s %9s\n' "GET /$path?sort=$dir$sort" "$name" "$med" "$p95" "$entries" "$buffers"
        { echo "-- GET /$path?sort=$dir$sort as the $name's viewer"; psql "$DB" -Atc "EXPLAIN (ANALYZE, BUFFERS) $page"; } >>"$W/all-plans.txt"
      done
    done
  done
done
echo "most entries a page read: $worst"

echo
echo "== 3. the change feed, as the ward's viewer"
printf '%-28s %10s %10s\n' case "median ms" "p95 ms"
read -r med p95 <<<"$(time_calls "$BASE/api/v1/changes?limit=100" "${TOKEN[ward]}")"
printf '%-28s %10s %10s\n' "first page (from the start)" "$med" "$p95"
HEAD=$(curl -sf "$BASE/api/v1/changes?cursor=now" -H "Authorization: Bearer ${TOKEN[ward]}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["next_cursor"])')
read -r med p95 <<<"$(time_calls "$BASE/api/v1/changes?limit=100&cursor=$HEAD" "${TOKEN[ward]}")"
printf '%-28s %10s %10s\n' "caught-up poll (at the head)" "$med" "$p95"
bench_capture "$W/feed.sql" "$BASE/api/v1/changes?limit=100" -H "Authorization: Bearer ${TOKEN[ward]}"

echo
echo "== plans of section 2 and the feed's first page"
cat "$W/all-plans.txt"
echo "-- GET /changes?limit=100 as the ward's viewer"
grep -i "FROM audit_events" "$W/feed.sql" | tail -n1 | sed 's/^/EXPLAIN (ANALYZE, BUFFERS) /' | psql "$DB" -At
