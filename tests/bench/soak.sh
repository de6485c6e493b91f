#!/usr/bin/env bash
# Soak: mixed reads and writes at high concurrency for minutes, minute by minute.
#
#   tests/bench/soak.sh [minutes] [connections]        (default: 10 minutes at 256)
#   SOAK_SECONDS=5 tests/bench/soak.sh 1 64            (rounds of 5 s: a quick check of the script)
#
# Starts the release binary with the production defaults on a fresh embedded cluster (durable:
# fsync on) with the demo data and 20,000 trainings over the city's wards, then runs wrk with
# soak.lua as the ward officer of Hạ Long: half the ward's list, a quarter one record, 15%
# creates with an Idempotency-Key (a fifth of them retries), 10% PATCH with If-Match (409 and 412
# are expected answers when two connections race). One wrk run a minute, back to back; after
# each it prints the minute's requests/s, p50/p99/max latency, answers by class, socket errors
# (timeouts among them: wrk's timeout is 10 s) and the service's resident memory. Fails when any
# answer was a 5xx, any request timed out, or resident memory moved more than 10% from the end
# of the first minute to the end of the last.
MINUTES=${1:-10}
C=${2:-256}
source "$(dirname "$0")/lib.sh"
# The token must outlive the run; everything else is as in production.
export ACCESS_TOKEN_TTL_SECONDS=$((MINUTES * 60 + 600))
bench_start soak --demo
bench_seed_trainings 20000
export TOKEN=$(bench_token halong.officer binhdang-demo)
export UNIT=$(psql "$DB" -Atc "SELECT id FROM units WHERE code = '13633' ORDER BY valid_from LIMIT 1")
export IDS="$DATA/ids"
psql "$DB" -Atc "SELECT id FROM trainings WHERE unit_id = '$UNIT' AND deleted_at IS NULL ORDER BY id LIMIT 200" >"$IDS"
rss() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER/status"; }
echo "soak: $MINUTES x 1 min at $C connections, $(nproc) cores, release build; $(wc -l <"$IDS") records to read and patch"
printf '%-4s %9s %8s %8s %8s %8s %9s %9s %6s %6s %8s %7s\n' min "req/s" p50 p99 max "2xx/3xx" "409/412" "other4xx" 5xx errors timeouts "RSS MB"
fail=0
first_rss=""
for m in $(seq 1 "$MINUTES"); do
  out=$(wrk -t2 -c"$C" -d${SOAK_SECONDS:-60}s --latency --timeout 10s -s tests/bench/soak.lua "$BASE" 2>&1) || true
  if ! echo "$out" | grep -q '^counts'; then
    echo "wrk gave no counts in minute $m:" >&2; echo "$out" >&2; exit 1
  fi
  read -r _ ok expected other server <<<"$(echo "$out" | grep '^counts')"
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  max=$(echo "$out" | awk '$1=="Latency" {print $4}')
  errors=$(echo "$out" | awk -F'[ ,]+' '/Socket errors/ {print $5+$7+$9+$11}')
  timeouts=$(echo "$out" | awk -F'[ ,]+' '/Socket errors/ {print $11}')
  mem=$(rss)
  [ -n "$first_rss" ] || first_rss=$mem
  printf '%-4s %9s %8s %8s %8s %8s %9s %9s %6s %6s %8s %7s\n' "$m" "$rps" "$p50" "$p99" "$max" "$ok" "$expected" "$other" "$server" "${errors:-0}" "${timeouts:-0}" "$mem"
  if [ "${server:-0}" != 0 ] || [ "${timeouts:-0}" != 0 ]; then fail=1; fi
done
python3 - "$first_rss" "$mem" <<'PY' || fail=1
import sys
a, b = float(sys.argv[1]), float(sys.argv[2])
change = (b - a) / a * 100
print(f"resident memory: {a:.0f} MB after the first minute, {b:.0f} MB after the last ({change:+.1f}%)")
sys.exit(0 if abs(change) <= 10 else 1)
PY
echo "$(psql "$DB" -Atc "SELECT count(*) FROM trainings WHERE title LIKE 'Soak %'") trainings created; $(psql "$DB" -Atc "SELECT count(*) FROM idempotency_keys" 2>/dev/null || echo '?') idempotency keys kept"
[ "$fail" = 0 ] || { echo "soak failed: a 5xx, a timeout, or memory not flat" >&2; tail -n 20 "$DATA/serve.log" >&2; exit 1; }
