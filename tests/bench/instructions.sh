#!/usr/bin/env bash
# Benchmark: the instructions the service itself executes per request (valgrind's callgrind),
# a figure that does not move with the machine's load the way req/s do on a shared VM: the way
# to A/B a change to the request path (what the kernel does for the sockets is not counted).
#
#   tests/bench/instructions.sh [requests]      (default 300 per case, after 50 to warm up)
#
# Starts the release binary under callgrind (instrumentation off) on a fresh embedded cluster
# with the demo data and 20,000 trainings (as http_vs_pgbench.sh), then for each case turns
# instrumentation on, sends the requests one after another on one keep-alive connection, turns
# it off and dumps the counts: the ward's list (`GET /trainings?limit=20&sort=-starts_on` as the
# ward officer of Hạ Long), one training, and the units list (`GET /units?limit=50` as the city
# admin). With LISTS=1, also each list of lists.sh (`?limit=20`, its default sort, as the city
# admin). Prints instructions per request. Needs valgrind (apt-get install valgrind).
N=${1:-300}
source "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install valgrind" >&2; exit 1; }
CG=$(mktemp -d /tmp/binhdang-callgrind.XXXX)
export BENCH_WRAP="valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=$CG/out.%p"
bench_start instructions --demo
bench_ward_fixture

hit() { # path token count: GETs on one keep-alive connection, each checked for 200
  python3 - "$PORT" "$1" "$2" "$3" <<'PY'
import http.client, sys
port, path, token, n = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
for _ in range(n):
    c.request("GET", path, headers={"Authorization": "Bearer " + token})
    r = c.getresponse()
    body = r.read()
    assert r.status == 200, (r.status, body[:300])
PY
}

echo "release build under callgrind, $N requests a case (one connection, one after another)"
printf '%-44s %16s\n' case "instructions/req"
measure() { # name path token
  hit "$2" "$3" 50
  callgrind_control -i on "$SERVER" >/dev/null 2>&1
  hit "$2" "$3" "$N"
  callgrind_control -i off "$SERVER" >/dev/null 2>&1
  rm -f "$CG"/out.*.*
  callgrind_control -d "$SERVER" >/dev/null 2>&1
  local dump total
  for _ in $(seq 1 50); do dump=$(ls "$CG"/out.*.* 2>/dev/null | head -n1); [ -n "$dump" ] && break; sleep 0.2; done
  sleep 0.5
  total=$(sed -n 's/^totals: \([0-9]*\).*/\1/p' "$dump" | head -n1)
  printf '%-44s %16s\n' "$1" "$(python3 -c "print(f'{$total / $N:,.0f}')")"
}
measure "GET /trainings?limit=20 (the ward's list)" "/api/v1/trainings?limit=20&sort=-starts_on" "$OFFICER"
measure "GET /trainings/{id}" "/api/v1/trainings/$TRAINING" "$OFFICER"
measure "GET /units?limit=50 (the city admin)" "/api/v1/units?limit=50" "$ADMIN"
if [ "${LISTS:-0}" = 1 ]; then
  for list in trainings outreach units petitions inspections violations plans documents users audit-events support-services; do
    ADMIN=$(bench_token admin binhdang-demo) # an access token lives 15 minutes
    measure "GET /$list?limit=20 (the city admin)" "/api/v1/$list?limit=20" "$ADMIN"
  done
fi
rm -rf "$CG"
