"""What schemathesis ran, from its NDJSON event reports (one per role): at least 3000 cases in all
and at least 20 for every operation tested (over both roles), and the session held (no more than
a tenth of the answers were 401: a run whose token stopped working tests nothing)."""
import collections
import json
import sys

MIN_TOTAL, MIN_PER_OPERATION, MAX_UNAUTHORIZED = 3000, 20, 0.10

per_op = collections.Counter()
for path in sys.argv[1:]:
    statuses = collections.Counter()
    for line in open(path):
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        recorder = finished.get("recorder") or {}
        for case in (recorder.get("cases") or {}).values():
            value = case["value"]
            per_op[f'{value["method"].upper()} {value["path"]}'] += 1
        for interaction in (recorder.get("interactions") or {}).values():
            response = interaction.get("response") or {}
            statuses[response.get("status_code")] += 1
    answered = sum(statuses.values())
    share = statuses[401] / answered if answered else 1.0
    print(f"{path}: {answered} answers, {share:.1%} of them 401")
    if share > MAX_UNAUTHORIZED:
        sys.exit(f"{path}: {share:.0%} of the answers were 401: the run's session did not hold")
total = sum(per_op.values())
few = {op: n for op, n in per_op.items() if n < MIN_PER_OPERATION}
print(f"schemathesis: {total} cases over {len(per_op)} operations; fewest: "
      + ", ".join(f"{op} {n}" for op, n in sorted(per_op.items(), key=lambda kv: kv[1])[:3]))
if total < MIN_TOTAL or few:
    sys.exit(f"too few cases: {total} in all (at least {MIN_TOTAL}); under {MIN_PER_OPERATION}: {few}")
